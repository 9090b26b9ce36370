/* vireo-job.h: a long operation on a worker thread, with progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define VIREO_TYPE_JOB (vireo_job_get_type ())

G_DECLARE_FINAL_TYPE (VireoJob, vireo_job, VIREO, JOB, GObject)

/**
 * VireoJobFunc:
 * Runs on a worker thread.  Reports progress with vireo_job_set_progress(),
 * checks @cancellable, and returns %FALSE with @error set on failure.
 */
typedef gboolean (*VireoJobFunc)    (VireoJob     *job,
                                     gpointer      data,
                                     GCancellable *cancellable,
                                     GError      **error);
/**
 * VireoJobCleanupFunc:
 * Runs on the worker thread after a failure or cancellation, to remove
 * partial results (a half-written image).
 */
typedef void     (*VireoJobCleanupFunc) (gpointer data);

VireoJob   *vireo_job_new             (const char          *title,
                                       VireoJobFunc         func,
                                       VireoJobCleanupFunc  cleanup,
                                       gpointer             data,
                                       GDestroyNotify       data_free);
VireoJob   *vireo_job_new_progress    (const char          *title);
const char *vireo_job_get_title       (VireoJob            *self);
double      vireo_job_get_progress    (VireoJob            *self);
void        vireo_job_set_progress    (VireoJob            *self,
                                       double               fraction);
void        vireo_job_set_text        (VireoJob            *self,
                                       const char          *text);
char       *vireo_job_dup_text        (VireoJob            *self);
void        vireo_job_run_async       (VireoJob            *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean    vireo_job_run_finish      (VireoJob            *self,
                                       GAsyncResult        *result,
                                       GError             **error);
gboolean    vireo_job_run_sync        (VireoJob            *self,
                                       GCancellable        *cancellable,
                                       GError             **error);

G_END_DECLS
