/* vireo-snapshot-live.c: a running VM's snapshots, through its QEMU
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * While QEMU runs it holds the images' write locks, so the snapshot jobs
 * (snapshot-save with the RAM, snapshot-load, snapshot-delete) go to it,
 * over the shim's QMP socket, from the operation's worker thread.  The
 * guest is paused during a save or a load, and QEMU resumes it.
 */
#include <glib/gstdio.h>

#include "vireo-domain-lock.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-json.h"
#include "vireo-qemu-argv.h"
#include "vireo-snapshot-private.h"

/* How long QEMU and the shim may take to go after a forced power-off. */
#define STOP_TIMEOUT_MS 15000

VireoQmpSync *
_vireo_snapshot_live_connect (VireoSnapshotOp  *op,
                              GError          **error)
{
  g_autofree char *path = g_build_filename (op->run_dir, "shim.sock", NULL);
  VireoQmpSync *qmp = vireo_qmp_sync_connect (path, NULL, error);

  if (qmp == NULL)
    g_prefix_error (error, _("VM '%s': cannot reach its QEMU: "), op->config->name);
  return qmp;
}

static JsonArray *
node_names (GPtrArray  *disks,
            const char *nvram)
{
  JsonArray *nodes = json_array_new ();

  for (guint i = 0; i < disks->len; i++)
    {
      g_autofree char *node = vireo_qemu_disk_node (g_ptr_array_index (disks, i));
      json_array_add_string_element (nodes, node);
    }
  if (nvram != NULL)
    json_array_add_string_element (nodes, VIREO_QEMU_NVRAM_NODE);
  return nodes;
}

static void
on_job_progress (double   fraction,
                 gpointer user_data)
{
  VireoSnapshotOp *op = user_data;

  vireo_job_set_progress (op->job, fraction);
}

/**
 * _vireo_snapshot_live_job:
 * @command: "snapshot-save", "snapshot-load" or "snapshot-delete"
 * @disks: (element-type VireoDiskConfig): the first holds the RAM
 * @nvram: (nullable): the qcow2 NVRAM QEMU has open (its node
 *   VIREO_QEMU_NVRAM_NODE), which the snapshot lives in too
 *
 * Runs one snapshot job on every disk of @disks and the NVRAM; the error
 * is QEMU's.
 */
gboolean
_vireo_snapshot_live_job (VireoSnapshotOp  *op,
                          VireoQmpSync     *qmp,
                          const char       *command,
                          const char       *tag,
                          GPtrArray        *disks,
                          const char       *nvram,
                          GError          **error)
{
  g_autoptr(JsonObject) args = json_object_new ();

  json_object_set_string_member (args, "tag", tag);
  /* a delete may be of the NVRAM alone */
  if (!g_str_equal (command, "snapshot-delete"))
    {
      g_autofree char *vmstate = vireo_qemu_disk_node (g_ptr_array_index (disks, 0));
      json_object_set_string_member (args, "vmstate", vmstate);
    }
  json_object_set_array_member (args, "devices", node_names (disks, nvram));
  return vireo_qmp_sync_run_job (qmp, command, args, on_job_progress, op, error);
}

/* What QEMU does now: the snapshot remembers whether to run on revert. */
static VireoSnapshotState
query_state (VireoQmpSync  *qmp,
             GError       **error)
{
  g_autoptr(JsonNode) status = vireo_qmp_sync_execute (qmp, "query-status", NULL, error);
  JsonObject *object;

  if (status == NULL)
    return VIREO_SNAPSHOT_SHUTOFF;
  object = JSON_NODE_HOLDS_OBJECT (status) ? json_node_get_object (status) : NULL;
  if (object != NULL && json_object_get_boolean_member_with_default (object, "running", FALSE))
    return VIREO_SNAPSHOT_RUNNING;
  return VIREO_SNAPSHOT_PAUSED;
}

/* The screen now, as a PNG; NULL when the VM has none or QEMU failed
 * (a snapshot without a thumbnail is still a snapshot). */
static GBytes *
take_thumbnail (VireoSnapshotOp *op,
                VireoQmpSync    *qmp)
{
  g_autofree char *path = g_build_filename (op->run_dir, "snapshot-thumbnail.png", NULL);
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) ret = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *bytes = NULL;

  if (op->config->video_model == NULL)
    return NULL;
  g_unlink (path);
  json_object_set_string_member (args, "filename", path);
  json_object_set_string_member (args, "format", "png");
  ret = vireo_qmp_sync_execute (qmp, "screendump", args, &error);
  if (ret != NULL)
    bytes = vireo_file_read_regular (path, VIREO_SNAPSHOT_MAX_THUMBNAIL, &error);
  if (error != NULL)
    g_debug ("VM '%s': no thumbnail: %s", op->config->name, error->message);
  g_unlink (path);
  return bytes;
}

/**
 * _vireo_snapshot_live_take:
 * Saves the running VM's RAM, disks and @nvram as @snapshot (its name is
 * the tag), with a thumbnail; records whether it ran or was paused.  A failed
 * save leaves the tag on no disk.
 */
gboolean
_vireo_snapshot_live_take (VireoSnapshotOp  *op,
                           VireoQmpSync     *qmp,
                           VireoSnapshot    *snapshot,
                           GPtrArray        *disks,
                           const char       *nvram,
                           GError          **error)
{
  g_autoptr(GError) local_error = NULL;

  snapshot->state = query_state (qmp, &local_error);
  if (local_error == NULL)
    {
      snapshot->memory = TRUE;
      vireo_job_set_text (op->job, _("Saving the screen"));
      snapshot->thumbnail = take_thumbnail (op, qmp);
      vireo_job_set_text (op->job, _("Saving memory and disks"));
      if (_vireo_snapshot_live_job (op, qmp, "snapshot-save", snapshot->name, disks, nvram, &local_error))
        return TRUE;
      /* QEMU may have written the tag to some disks before it failed */
      _vireo_snapshot_live_job (op, qmp, "snapshot-delete", snapshot->name, disks, nvram, NULL);
    }
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
               _("VM '%s': snapshot '%s' was not taken: %s"), op->config->name, snapshot->name,
               local_error->message);
  return FALSE;
}

/**
 * _vireo_snapshot_live_set_paused:
 * After a load, the VM runs or stays paused as it was when the
 * snapshot was taken.
 */
gboolean
_vireo_snapshot_live_set_paused (VireoSnapshotOp  *op,
                                 VireoQmpSync     *qmp,
                                 gboolean          paused,
                                 GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  VireoSnapshotState now = query_state (qmp, &local_error);
  g_autoptr(JsonNode) ret = NULL;

  if (local_error == NULL && (now == VIREO_SNAPSHOT_PAUSED) != paused)
    ret = vireo_qmp_sync_execute (qmp, paused ? "stop" : "cont", NULL, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                   paused ? _("VM '%s' cannot be paused: %s") : _("VM '%s' cannot be resumed: %s"),
                   op->config->name, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * _vireo_snapshot_live_stop_vm:
 * Forces the running VM off (as Force Off does), waits until its shim
 * is gone, and takes the run lock it held, so nothing starts the VM
 * while the operation goes on.
 */
gboolean
_vireo_snapshot_live_stop_vm (VireoSnapshotOp  *op,
                              GError          **error)
{
  g_autoptr(GError) connect_error = NULL;
  g_autoptr(VireoQmpSync) qmp = _vireo_snapshot_live_connect (op, &connect_error);
  g_autoptr(JsonNode) ret = NULL;
  gint64 deadline = g_get_monotonic_time () + STOP_TIMEOUT_MS * 1000;

  if (qmp != NULL)
    {
      ret = vireo_qmp_sync_execute (qmp, "vireo-destroy", NULL, NULL);
      vireo_qmp_sync_wait_closed (qmp, STOP_TIMEOUT_MS);
    }
  /* the run lock is free the moment the shim has exited */
  while (op->run_lock == NULL)
    {
      g_autoptr(GError) local_error = NULL;

      op->run_lock = _vireo_domain_lock_run (op->run_dir, op->config->name,
                                             VIREO_DOMAIN_LOCK_REVERTING, &local_error);
      if (op->run_lock != NULL)
        break;
      if (g_get_monotonic_time () > deadline ||
          !g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE))
        {
          /* nobody could tell it to stop, or it did not */
          if (connect_error != NULL)
            g_propagate_error (error, g_steal_pointer (&connect_error));
          else
            g_set_error (error, VIREO_ERROR, VIREO_ERROR_TIMEOUT,
                         _("VM '%s' did not stop after being forced off"), op->config->name);
          return FALSE;
        }
      g_usleep (20000);
    }
  return TRUE;
}
