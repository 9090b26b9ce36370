/* vireo-qmp-sync.h: a blocking QMP session for worker threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _VireoQmpSync VireoQmpSync;

/* Progress of a QEMU job, as query-jobs reports it: 0..1. */
typedef void (*VireoQmpJobProgress) (double   fraction,
                                     gpointer user_data);

VireoQmpSync *vireo_qmp_sync_connect     (const char     *socket_path,
                                          GCancellable   *cancellable,
                                          GError        **error);
void          vireo_qmp_sync_free        (VireoQmpSync   *self);
JsonNode     *vireo_qmp_sync_execute     (VireoQmpSync   *self,
                                          const char     *command,
                                          JsonObject     *arguments,
                                          GError        **error);
gboolean      vireo_qmp_sync_run_job     (VireoQmpSync   *self,
                                          const char     *command,
                                          JsonObject     *arguments,
                                          VireoQmpJobProgress progress,
                                          gpointer        user_data,
                                          GError        **error);
gboolean      vireo_qmp_sync_wait_closed (VireoQmpSync   *self,
                                          guint           timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoQmpSync, vireo_qmp_sync_free)

G_END_DECLS
