/* vireo-storage.h: disk images (qemu-img)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "vireo-domain-config.h"
#include "vireo-job.h"

G_BEGIN_DECLS

char       *vireo_storage_existing_file (const char  *vm,
                                         const char  *what,
                                         const char  *path,
                                         GError     **error);
const char *vireo_storage_probe_format  (const char  *vm,
                                         const char  *path,
                                         GError     **error);
char       *vireo_storage_check_image   (const char          *vm,
                                         const char          *target,
                                         const char          *path,
                                         const char          *format,
                                         const char * const  *backing,
                                         GError             **error);
GSubprocess *vireo_storage_spawn       (const char * const *argv,
                                         GSubprocessFlags    flags,
                                         GError            **error);
JsonObject *vireo_storage_image_info   (const char  *subject,
                                         const char  *path,
                                         const char  *format,
                                         GError     **error);
gboolean    vireo_storage_check_images  (const VireoDomainConfig *config,
                                         GError     **error);
gboolean  vireo_storage_parse_size      (const char  *text,
                                         guint64     *bytes,
                                         GError     **error);
VireoJob *vireo_storage_create_job      (const char  *path,
                                         guint64      size_bytes);
VireoJob *vireo_storage_create_free_job (const char  *path,
                                         guint64      size_bytes);
VireoJob *vireo_storage_import_job      (const char  *source,
                                         const char  *dest);
const char *vireo_storage_job_get_path  (VireoJob    *job);
JsonNode   *vireo_storage_describe_chain (const char  *path,
                                          GError     **error);
gboolean    vireo_storage_parse_progress (const char *output,
                                          double     *fraction);
gboolean    vireo_storage_run_qemu_img  (VireoJob           *job,
                                         const char         *what,
                                         const char * const *argv,
                                         double              from,
                                         double              to,
                                         GCancellable       *cancellable,
                                         GError            **error);
gboolean    vireo_storage_convert       (VireoJob           *vjob,
                                         const char         *what,
                                         const char         *format,
                                         const char         *snapshot,
                                         const char         *source,
                                         const char         *dest,
                                         double              from,
                                         double              to,
                                         GCancellable       *cancellable,
                                         GError            **error);

G_END_DECLS
