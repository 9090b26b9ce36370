/* vireo-snapshot-domain.c: a VM's snapshots, as front ends ask for them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every call returns at once: listing reads files and asks qemu-img on
 * the worker pool, and each change is a VireoJob there (progress and a
 * text for the front end), vireo-snapshot-ops.c.
 */
#include <glib/gstdio.h>

#include "vireo-domain-policy.h"
#include "vireo-local-domain-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-snapshot-private.h"

typedef struct {
  VireoJob *job;
  VireoSnapshotOp *op;         /* the job's data */
} Run;

static void
run_free (Run *run)
{
  g_clear_object (&run->job);
  g_free (run);
}

static void
on_op_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  vireo_domain_refresh_state (self);
  if (!vireo_job_run_finish (VIREO_JOB (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (run->op->name), g_free);
}

static const char *
op_title (VireoSnapshotChange kind)
{
  switch (kind)
    {
    case VIREO_SNAPSHOT_CHANGE_TAKE:   return _("Taking a snapshot");
    case VIREO_SNAPSHOT_CHANGE_REVERT: return _("Reverting to a snapshot");
    case VIREO_SNAPSHOT_CHANGE_DELETE: return _("Deleting a snapshot");
    case VIREO_SNAPSHOT_CHANGE_EDIT:
    default:                       return _("Editing a snapshot");
    }
}

/* A VM of this machine: the operation runs as a job on the worker pool,
 * on its qcow2 images and run folder (vireo-snapshot-ops.c) */
static void
local_change_snapshot_async (VireoDomain         *self,
                             int                  kind,
                             const char          *name,
                             const char          *description,
                             VireoJob           **job,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  VireoSnapshotOp *op = g_new0 (VireoSnapshotOp, 1);
  Run *run;

  op->kind = kind;
  op->paths = _vireo_domain_get_paths (self);
  op->config = vireo_domain_config_copy (vireo_domain_get_config (self));
  op->run_dir = g_strdup (vireo_domain_get_run_dir (self));
  op->name = g_strdup (name);
  op->description = g_strdup (description);
  run = g_new0 (Run, 1);
  run->op = op;
  run->job = _vireo_snapshot_op_new (op, op_title (kind));
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  if (job)
    *job = g_object_ref (run->job);
  vireo_job_run_async (run->job, NULL, on_op_done, task);
}

static char *
local_change_snapshot_finish (VireoDomain   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_changed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *name = VIREO_DOMAIN_GET_CLASS (source)->change_snapshot_finish (VIREO_DOMAIN (source), result, &error);

  if (name == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, name, g_free);
}

/* Checks the state, then has the VM's class make the change.  A started
 * operation is not cancelled: a revert half done cannot be undone, so
 * @cancellable only detaches the caller. */
static void
run_op (VireoDomain         *self,
        VireoSnapshotChange  kind,
        VireoDomainOp        check,
        const char          *name,
        const char          *description,
        VireoJob           **job,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data,
        gpointer             source_tag)
{
  VireoDomainClass *klass = VIREO_DOMAIN_GET_CLASS (self);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  if (job)
    *job = NULL;
  if (!_vireo_domain_supports (self, klass->change_snapshot_async != NULL, task))
    return;
  vireo_domain_refresh_state (self);
  if (!vireo_domain_check (self, check, &error) ||
      (description != NULL && !_vireo_snapshot_description_validate (description, &error)))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  klass->change_snapshot_async (self, kind, name, description, job, cancellable, on_changed, task);
}

static gboolean
finish_op (VireoDomain   *self,
           GAsyncResult  *result,
           gpointer       source_tag,
           GError       **error)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), FALSE);

  name = g_task_propagate_pointer (G_TASK (result), error);
  return name != NULL;
}

/**
 * vireo_domain_take_snapshot_async:
 * @name: (nullable): %NULL for the first free snapshot-N
 * @description: (nullable):
 * @job: (out) (optional) (transfer full) (nullable): its progress
 *
 * Takes a snapshot: of a running or paused VM with its RAM (the guest
 * pauses while it is saved), of a VM that is off of its disks.  It
 * becomes the current snapshot, child of the one before.  Every writable
 * qcow2 disk is included or none; a raw disk refuses it.
 */
void
vireo_domain_take_snapshot_async (VireoDomain         *self,
                                  const char          *name,
                                  const char          *description,
                                  VireoJob           **job,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (VIREO_IS_DOMAIN (self));

  run_op (self, VIREO_SNAPSHOT_CHANGE_TAKE, VIREO_DOMAIN_OP_SNAPSHOT, name, description, job,
          cancellable, callback, user_data, vireo_domain_take_snapshot_async);
}

/**
 * vireo_domain_take_snapshot_finish:
 * Returns: (transfer full) (nullable): the new snapshot's name
 */
char *
vireo_domain_take_snapshot_finish (VireoDomain   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_take_snapshot_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * vireo_domain_revert_snapshot_async:
 * @job: (out) (optional) (transfer full) (nullable): its progress
 *
 * Reverts the VM to a snapshot, with the definition it was taken with.
 * To a snapshot with RAM, the VM runs (or is paused) as it was then: in
 * the same QEMU when the machine is the same, else in a new one.  To a
 * snapshot of the VM shut off, a running VM is forced off first (ask the
 * user: vireo_snapshot_revert_stops_vm()).
 */
void
vireo_domain_revert_snapshot_async (VireoDomain         *self,
                                    const char          *name,
                                    VireoJob           **job,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (name != NULL);

  run_op (self, VIREO_SNAPSHOT_CHANGE_REVERT, VIREO_DOMAIN_OP_REVERT, name, NULL, job,
          cancellable, callback, user_data, vireo_domain_revert_snapshot_async);
}

gboolean
vireo_domain_revert_snapshot_finish (VireoDomain   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return finish_op (self, result, vireo_domain_revert_snapshot_async, error);
}

/**
 * vireo_domain_delete_snapshot_async:
 * @job: (out) (optional) (transfer full) (nullable): its progress
 *
 * Deletes a snapshot from the disks and the metadata; its children move
 * to its parent, which becomes current if it was.
 */
void
vireo_domain_delete_snapshot_async (VireoDomain         *self,
                                    const char          *name,
                                    VireoJob           **job,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (name != NULL);

  run_op (self, VIREO_SNAPSHOT_CHANGE_DELETE, VIREO_DOMAIN_OP_REVERT, name, NULL, job,
          cancellable, callback, user_data, vireo_domain_delete_snapshot_async);
}

gboolean
vireo_domain_delete_snapshot_finish (VireoDomain   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return finish_op (self, result, vireo_domain_delete_snapshot_async, error);
}

/**
 * vireo_domain_edit_snapshot_async:
 * Changes a snapshot's description.
 */
void
vireo_domain_edit_snapshot_async (VireoDomain         *self,
                                  const char          *name,
                                  const char          *description,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (name != NULL);

  run_op (self, VIREO_SNAPSHOT_CHANGE_EDIT, VIREO_DOMAIN_OP_REVERT, name, description ? description : "", NULL,
          cancellable, callback, user_data, vireo_domain_edit_snapshot_async);
}

gboolean
vireo_domain_edit_snapshot_finish (VireoDomain   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return finish_op (self, result, vireo_domain_edit_snapshot_async, error);
}

/* Listing */

typedef struct {
  const VireoPaths *paths;
  VireoDomainConfig *config;
  GPtrArray *snapshots;
  guint64 disk_usage;
} List;

static void
list_free (List *list)
{
  vireo_domain_config_free (list->config);
  g_clear_pointer (&list->snapshots, g_ptr_array_unref);
  g_free (list);
}

/* What the VM's images take on the host, bases included, each once. */
static guint64
disk_usage (const VireoDomainConfig *config)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint64 total = 0;

  for (guint i = 0; i < config->disks->len; i++)
    {
      VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);
      guint n = vireo_disk_config_n_bases (disk);

      if (disk->device != VIREO_DISK_DEVICE_DISK)
        continue;
      /* the disk's own image, then its whole chain */
      for (guint j = 0; j <= n; j++)
        {
          const char *file = j ? disk->backing[j - 1] : disk->path;
          GStatBuf st;

          if (file == NULL || !g_hash_table_add (seen, (gpointer) file) || g_stat (file, &st) != 0)
            continue;
          total += (guint64) st.st_blocks * 512;
        }
    }
  return total;
}

static void
list_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  List *list = task_data;
  GError *error = NULL;

  list->snapshots = _vireo_snapshot_find (list->paths, list->config, TRUE, TRUE, NULL, &error);
  list->disk_usage = disk_usage (list->config);
  if (list->snapshots == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
local_list_snapshots_async (VireoDomain         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  List *list = g_new0 (List, 1);

  list->paths = _vireo_domain_get_paths (self);
  list->config = vireo_domain_config_copy (vireo_domain_get_config (self));
  g_task_set_task_data (task, list, (GDestroyNotify) list_free);
  g_task_run_in_thread (task, list_in_thread);
}

static GPtrArray *
local_list_snapshots_finish (VireoDomain   *self,
                             GAsyncResult  *result,
                             guint64       *disk_usage_out,
                             GError       **error)
{
  List *list;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  list = g_task_get_task_data (G_TASK (result));
  if (disk_usage_out)
    *disk_usage_out = list->disk_usage;
  return g_ptr_array_ref (list->snapshots);
}

void
_vireo_local_domain_class_init_snapshots (VireoDomainClass *klass)
{
  klass->list_snapshots_async = local_list_snapshots_async;
  klass->list_snapshots_finish = local_list_snapshots_finish;
  klass->change_snapshot_async = local_change_snapshot_async;
  klass->change_snapshot_finish = local_change_snapshot_finish;
}

typedef struct {
  GPtrArray *snapshots;
  guint64 disk_usage;
} Listed;

static void
listed_free (Listed *listed)
{
  g_clear_pointer (&listed->snapshots, g_ptr_array_unref);
  g_free (listed);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Listed *listed = g_new0 (Listed, 1);
  GError *error = NULL;

  listed->snapshots = VIREO_DOMAIN_GET_CLASS (source)->list_snapshots_finish (VIREO_DOMAIN (source), result,
                                                                              &listed->disk_usage, &error);
  if (listed->snapshots == NULL)
    {
      listed_free (listed);
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, listed, (GDestroyNotify) listed_free);
  g_task_return_boolean (task, TRUE);
}

/**
 * vireo_domain_list_snapshots_async:
 * Lists the VM's snapshots: for a VM of this machine, Vireo's and those
 * found in its first disk image that were made elsewhere; for a libvirt
 * host's, libvirt's.
 */
void
vireo_domain_list_snapshots_async (VireoDomain         *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  VireoDomainClass *klass;
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));

  klass = VIREO_DOMAIN_GET_CLASS (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_list_snapshots_async);
  if (!_vireo_domain_supports (self, klass->list_snapshots_async != NULL, task))
    return;
  klass->list_snapshots_async (self, cancellable, on_listed, task);
}

/**
 * vireo_domain_list_snapshots_finish:
 * @disk_usage: (out) (optional): bytes the VM's images use on the host
 *
 * Returns: (transfer full) (element-type VireoSnapshot): in tree order
 *   (each parent before its children, siblings oldest first), with the
 *   current one marked
 */
GPtrArray *
vireo_domain_list_snapshots_finish (VireoDomain   *self,
                                    GAsyncResult  *result,
                                    guint64       *disk_usage_out,
                                    GError       **error)
{
  Listed *listed;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_list_snapshots_async), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  listed = g_task_get_task_data (G_TASK (result));
  if (disk_usage_out)
    *disk_usage_out = listed->disk_usage;
  return g_ptr_array_ref (listed->snapshots);
}
