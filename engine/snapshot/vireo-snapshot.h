/* vireo-snapshot.h: a VM's snapshots, and taking, reverting and deleting them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vireo-domain.h"
#include "vireo-job.h"

G_BEGIN_DECLS

/**
 * VireoSnapshotState:
 * What the VM was doing when the snapshot was taken: a snapshot of a
 * running or paused VM holds its RAM too, and a revert runs it again.
 */
typedef enum {
  VIREO_SNAPSHOT_SHUTOFF,
  VIREO_SNAPSHOT_RUNNING,
  VIREO_SNAPSHOT_PAUSED,
} VireoSnapshotState;

/**
 * VireoSnapshotChange:
 * What VireoDomainClass.change_snapshot_async() is asked to do.
 */
typedef enum {
  VIREO_SNAPSHOT_CHANGE_TAKE,
  VIREO_SNAPSHOT_CHANGE_REVERT,
  VIREO_SNAPSHOT_CHANGE_DELETE,
  VIREO_SNAPSHOT_CHANGE_EDIT,
} VireoSnapshotChange;

#define VIREO_TYPE_SNAPSHOT (vireo_snapshot_get_type ())

G_DECLARE_FINAL_TYPE (VireoSnapshot, vireo_snapshot, VIREO, SNAPSHOT, GObject)

const char              *vireo_snapshot_get_name          (VireoSnapshot *self);
const char              *vireo_snapshot_get_description   (VireoSnapshot *self);
const char              *vireo_snapshot_get_parent        (VireoSnapshot *self);
gint64                   vireo_snapshot_get_creation_time (VireoSnapshot *self);
VireoSnapshotState       vireo_snapshot_get_state         (VireoSnapshot *self);
gboolean                 vireo_snapshot_has_memory        (VireoSnapshot *self);
gboolean                 vireo_snapshot_is_current        (VireoSnapshot *self);
gboolean                 vireo_snapshot_is_foreign        (VireoSnapshot *self);
guint                    vireo_snapshot_get_depth         (VireoSnapshot *self);
const char * const      *vireo_snapshot_get_disks         (VireoSnapshot *self);
const VireoDomainConfig *vireo_snapshot_get_config        (VireoSnapshot *self);
GBytes                  *vireo_snapshot_get_thumbnail     (VireoSnapshot *self);
char                    *vireo_snapshot_format_xml        (VireoSnapshot *self);

const char *vireo_snapshot_state_to_string (VireoSnapshotState state);
const char *vireo_snapshot_state_get_label (VireoSnapshotState state);
char       *vireo_snapshot_suggest_name    (GPtrArray          *snapshots);
VireoSnapshot *vireo_snapshot_list_lookup  (GPtrArray          *snapshots,
                                            const char         *name);
gboolean    vireo_snapshot_revert_stops_vm (VireoSnapshot      *snapshot,
                                            VireoDomain        *domain);

void       vireo_domain_list_snapshots_async   (VireoDomain         *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray *vireo_domain_list_snapshots_finish  (VireoDomain         *self,
                                                GAsyncResult        *result,
                                                guint64             *disk_usage,
                                                GError             **error);
void       vireo_domain_take_snapshot_async    (VireoDomain         *self,
                                                const char          *name,
                                                const char          *description,
                                                VireoJob           **job,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
char      *vireo_domain_take_snapshot_finish   (VireoDomain         *self,
                                                GAsyncResult        *result,
                                                GError             **error);
void       vireo_domain_revert_snapshot_async  (VireoDomain         *self,
                                                const char          *name,
                                                VireoJob           **job,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean   vireo_domain_revert_snapshot_finish (VireoDomain         *self,
                                                GAsyncResult        *result,
                                                GError             **error);
void       vireo_domain_delete_snapshot_async  (VireoDomain         *self,
                                                const char          *name,
                                                VireoJob           **job,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean   vireo_domain_delete_snapshot_finish (VireoDomain         *self,
                                                GAsyncResult        *result,
                                                GError             **error);
void       vireo_domain_edit_snapshot_async    (VireoDomain         *self,
                                                const char          *name,
                                                const char          *description,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean   vireo_domain_edit_snapshot_finish   (VireoDomain         *self,
                                                GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
