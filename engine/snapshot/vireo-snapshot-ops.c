/* vireo-snapshot-ops.c: taking, reverting, deleting and editing snapshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each operation runs whole on a worker thread (a VireoJob) under the
 * VM's change lock, so a second operation on the same VM, from this
 * process or another, is refused as busy rather than interleaved.  The
 * run lock tells a VM that is off (we then hold it, and qemu-img does
 * the work) from one that runs (its QEMU does, vireo-snapshot-live.c).
 * Nothing is half-applied where it can be undone: a snapshot that fails
 * on one disk is deleted from the others, and its metadata is written
 * only once every disk holds it.
 */
#include "vireo-domain-lock.h"
#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-ids.h"
#include "vireo-qemu-argv.h"
#include "vireo-snapshot-private.h"
#include "vireo-storage.h"
#include "vireo-store.h"

void
_vireo_snapshot_op_free (VireoSnapshotOp *op)
{
  vireo_domain_config_free (op->config);
  g_free (op->run_dir);
  g_free (op->name);
  g_free (op->description);
  vireo_lock_free (op->run_lock);
  vireo_lock_free (op->change_lock);
  g_free (op);
}

/* The change lock, the definition as it is on disk now, and whether
 * the VM runs (else the run lock is ours too). */
static gboolean
op_begin (VireoSnapshotOp         *op,
          VireoDomainLockPurpose   purpose,
          gboolean                *running,
          GError                 **error)
{
  g_autoptr(GError) local_error = NULL;
  VireoDomainConfig *on_disk;

  op->change_lock = _vireo_domain_lock_change (op->run_dir, op->config->name, purpose, error);
  if (op->change_lock == NULL ||
      !_vireo_domain_check_defined (op->paths, op->config, error) ||
      !(on_disk = _vireo_domain_read_definition (op->paths, op->config->name, error)))
    return FALSE;
  vireo_domain_config_free (op->config);
  op->config = on_disk;
  op->run_lock = _vireo_domain_lock_run_when_off (op->run_dir, op->config->name, purpose, &local_error);
  *running = op->run_lock == NULL;
  if (*running && !g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* The definition the running QEMU was started from. */
static VireoDomainConfig *
read_live_config (VireoSnapshotOp  *op,
                  GError          **error)
{
  g_autofree char *path = g_build_filename (op->run_dir, "domain.xml", NULL);
  g_autofree char *xml = NULL;
  gsize len;

  if (!g_file_get_contents (path, &xml, &len, error))
    {
      g_prefix_error (error, _("VM '%s': "), op->config->name);
      return NULL;
    }
  return vireo_domain_config_parse (xml, len, path, error);
}

/* Whether @image's tag is the ID of another snapshot in the same image:
 * QEMU would take the other one for it. */
static gboolean
tag_is_an_id (GPtrArray          *found,
              VireoImageSnapshot *image)
{
  for (guint i = 0; i < found->len; i++)
    {
      VireoImageSnapshot *other = g_ptr_array_index (found, i);

      if (other != image && g_strcmp0 (other->id, image->tag) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
same_definition (const VireoDomainConfig *a,
                 const VireoDomainConfig *b)
{
  g_autofree char *x = vireo_domain_config_format (a);
  g_autofree char *y = vireo_domain_config_format (b);

  return g_str_equal (x, y);
}

/**
 * _vireo_snapshot_find:
 * The VM's snapshots with metadata plus the ones found only in its first
 * disk's image (made by `qemu-img snapshot` or libvirt), marked current.
 * Returns: (transfer full) (element-type VireoSnapshot): in tree order
 */
GPtrArray *
_vireo_snapshot_find (const VireoPaths         *paths,
                      const VireoDomainConfig  *config,
                      gboolean                  thumbnails,
                      gboolean                  foreign,
                      char                    **current,
                      GError                  **error)
{
  g_autofree char *current_name = NULL;
  g_autoptr(GPtrArray) snapshots = _vireo_snapshot_store_load (paths, config, thumbnails, &current_name, error);
  g_autoptr(GPtrArray) disks = foreign ? _vireo_snapshot_disks (config, NULL) : NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) local_error = NULL;

  if (snapshots == NULL)
    return NULL;
  if (disks != NULL)
    found = _vireo_image_list_snapshots (config->name, g_ptr_array_index (disks, 0), &local_error);
  if (local_error != NULL)
    g_debug ("%s", local_error->message);
  for (guint i = 0; found != NULL && i < found->len; i++)
    {
      VireoImageSnapshot *image = g_ptr_array_index (found, i);
      VireoSnapshot *snapshot;

      /* a tag no name could be is listed nowhere (it would reach a file
       * name and qemu-img's options) */
      if (vireo_snapshot_list_lookup (snapshots, image->tag) != NULL ||
          !vireo_snapshot_name_validate (image->tag, NULL) || tag_is_an_id (found, image))
        continue;
      snapshot = _vireo_snapshot_new (image->tag);
      snapshot->foreign = TRUE;
      snapshot->creation_time = image->date;
      snapshot->memory = image->vm_state_size > 0;
      snapshot->state = snapshot->memory ? VIREO_SNAPSHOT_RUNNING : VIREO_SNAPSHOT_SHUTOFF;
      snapshot->config = vireo_domain_config_copy (config);
      g_ptr_array_add (snapshots, snapshot);
    }
  for (guint i = 0; i < snapshots->len; i++)
    {
      VireoSnapshot *snapshot = g_ptr_array_index (snapshots, i);
      snapshot->current = g_strcmp0 (snapshot->name, current_name) == 0;
    }
  _vireo_snapshot_order (snapshots);
  /* without the images' snapshots, one of them may be current */
  if (current)
    *current = !foreign || vireo_snapshot_list_lookup (snapshots, current_name)
               ? g_steal_pointer (&current_name) : NULL;
  return g_steal_pointer (&snapshots);
}

static VireoSnapshot *
find_one (VireoSnapshotOp  *op,
          GPtrArray       **all,
          char            **current,
          GError          **error)
{
  VireoSnapshot *snapshot;

  /* the metadata first: qemu-img only for a snapshot made elsewhere */
  *all = _vireo_snapshot_find (op->paths, op->config, FALSE, FALSE, current, error);
  if (*all == NULL)
    return NULL;
  snapshot = vireo_snapshot_list_lookup (*all, op->name);
  if (snapshot == NULL)
    {
      g_clear_pointer (all, g_ptr_array_unref);
      if (current)
        g_clear_pointer (current, g_free);
      *all = _vireo_snapshot_find (op->paths, op->config, FALSE, TRUE, current, error);
      if (*all == NULL)
        return NULL;
      snapshot = vireo_snapshot_list_lookup (*all, op->name);
    }
  if (snapshot == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                 _("VM '%s' has no snapshot '%s'"), op->config->name, op->name);
  return snapshot;
}

/* The disks of @config that hold the snapshot: those its metadata names
 * (all of them, when @strict), or for one made elsewhere every disk of
 * the VM's own that has its tag.  Not @strict (a delete): a disk whose
 * image is gone or lost the tag is skipped, so that a snapshot half
 * deleted by a crash can still be deleted. */
static GPtrArray *
holders (VireoSnapshotOp          *op,
         VireoSnapshot            *snapshot,
         const VireoDomainConfig  *config,
         gboolean                  strict,
         GError                  **error)
{
  g_autoptr(GPtrArray) ret = g_ptr_array_new ();

  for (guint i = 0; i < config->disks->len; i++)
    {
      VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);
      gboolean named = g_strv_contains ((const char * const *) snapshot->disks, disk->target);
      g_autoptr(GError) local_error = NULL;
      gboolean has;

      if (!_vireo_snapshot_disk_is_own (disk) || g_strcmp0 (disk->format, "qcow2") != 0 ||
          (!snapshot->foreign && !named))
        continue;
      if (!_vireo_image_has_snapshot (config->name, disk, snapshot->name, &has, &local_error))
        {
          if (strict || g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          g_debug ("%s", local_error->message);
          continue;
        }
      if (has)
        g_ptr_array_add (ret, disk);
      else if (named && strict)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                       _("VM '%s': disk %s no longer holds snapshot '%s'"),
                       config->name, disk->target, snapshot->name);
          return NULL;
        }
    }
  if (ret->len == 0 && strict)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("VM '%s': no disk holds snapshot '%s'"), config->name, snapshot->name);
      return NULL;
    }
  return g_steal_pointer (&ret);
}

/* Whether @config's qcow2 NVRAM holds @snapshot: then *@nvram is its
 * path, borrowed from @config.  One without the tag is left out (the VM
 * had not started when the snapshot of its disks was taken), but a
 * snapshot with RAM loads only with it: @strict (a revert) then refuses. */
static gboolean
nvram_holder (VireoSnapshot            *snapshot,
              const VireoDomainConfig  *config,
              gboolean                  strict,
              const char              **nvram,
              GError                  **error)
{
  const char *path = _vireo_snapshot_nvram (config);
  g_autoptr(GError) local_error = NULL;
  gboolean has = FALSE;

  *nvram = NULL;
  if (path == NULL)
    return TRUE;
  if (!_vireo_nvram_has_snapshot (config->name, path, snapshot->name, &has, &local_error))
    {
      if (strict)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("%s", local_error->message);
      return TRUE;
    }
  if (!has && strict && snapshot->memory)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("VM '%s': its NVRAM %s no longer holds snapshot '%s'"),
                   config->name, path, snapshot->name);
      return FALSE;
    }
  *nvram = has ? path : NULL;
  return TRUE;
}

/* A snapshot inside an image that is a base (a linked clone's, or this
 * VM's own since it was cloned) is never reverted or deleted: either
 * writes the base under the overlays that stand on it. */
static gboolean
check_bases (VireoSnapshotOp  *op,
             GPtrArray        *disks,
             GError          **error)
{
  g_autoptr(VireoLock) definitions = _vireo_domain_lock_definitions (op->paths, op->config->name, error);

  if (definitions == NULL)
    return FALSE;
  for (guint i = 0; i < disks->len; i++)
    {
      const char *image = ((VireoDiskConfig *) g_ptr_array_index (disks, i))->path;
      g_auto(GStrv) users = _vireo_store_image_users (op->paths, image, op->config->name, error);
      gboolean own_base = FALSE;

      if (users == NULL)
        return FALSE;
      for (guint j = 0; j < op->config->disks->len; j++)
        own_base |= vireo_disk_config_has_base (g_ptr_array_index (op->config->disks, j), image);
      if (users[0] != NULL || own_base)
        {
          g_autofree char *names = users[0] ? g_strjoinv ("', '", users) : g_strdup (op->config->name);

          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                       _("VM '%s': snapshot '%s' is inside %s, the base image of VM '%s' now; "
                         "it stays as it is while the base is used"),
                       op->config->name, op->name, image, names);
          return FALSE;
        }
    }
  return TRUE;
}

/* The first @n disks a snapshot leaves or removes, by what the VM is
 * now, then @nvram if it is one. */
static gboolean
run_on_images (VireoSnapshotOp  *op,
               GPtrArray        *disks,
               guint             n,
               const char       *nvram,
               const char       *qemu_img_op,
               GError          **error)
{
  for (guint i = 0; i < n; i++)
    if (!_vireo_image_snapshot_run (op->config->name, g_ptr_array_index (disks, i),
                                    qemu_img_op, op->name, error))
      return FALSE;
  return nvram == NULL || _vireo_nvram_snapshot_run (op->config->name, nvram, qemu_img_op, op->name, error);
}

/* Take */

/* Every disk and the NVRAM, or none: a failure on one deletes it from
 * the ones before. */
static gboolean
take_offline (VireoSnapshotOp  *op,
              VireoSnapshot    *snapshot,
              GPtrArray        *disks,
              const char       *nvram,
              GError          **error)
{
  snapshot->state = VIREO_SNAPSHOT_SHUTOFF;
  vireo_job_set_text (op->job, _("Saving disks"));
  for (guint i = 0; i < disks->len; i++)
    {
      if (!_vireo_image_snapshot_run (op->config->name, g_ptr_array_index (disks, i), "-c", op->name, error))
        {
          run_on_images (op, disks, i, NULL, "-d", NULL);
          return FALSE;
        }
      vireo_job_set_progress (op->job, (i + 1.0) / (disks->len + (nvram != NULL)));
    }
  if (nvram != NULL && !_vireo_nvram_snapshot_run (op->config->name, nvram, "-c", op->name, error))
    {
      run_on_images (op, disks, disks->len, NULL, "-d", NULL);
      return FALSE;
    }
  return TRUE;
}

/* Adds the tags in @tags (NULL: the listing failed) to @taken. */
static gboolean
add_tags (GHashTable *taken,
          GPtrArray  *tags)
{
  for (guint j = 0; tags != NULL && j < tags->len; j++)
    g_hash_table_add (taken, g_strdup (((VireoImageSnapshot *) g_ptr_array_index (tags, j))->tag));
  return tags != NULL;
}

/* A name no snapshot has, in the metadata or as a tag in any of the
 * disks or the NVRAM: the one asked for, or the first free snapshot-N. */
static gboolean
check_new_name (VireoSnapshotOp  *op,
                GPtrArray        *disks,
                const char       *nvram,
                char            **current,
                GError          **error)
{
  g_autoptr(GPtrArray) all = _vireo_snapshot_find (op->paths, op->config, FALSE, FALSE, current, error);
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (all == NULL)
    return FALSE;
  for (guint i = 0; i < all->len; i++)
    g_hash_table_add (taken, g_strdup (vireo_snapshot_get_name (g_ptr_array_index (all, i))));
  for (guint i = 0; i < disks->len; i++)
    {
      g_autoptr(GPtrArray) tags = _vireo_image_list_snapshots (op->config->name, g_ptr_array_index (disks, i),
                                                               error);

      if (!add_tags (taken, tags))
        return FALSE;
    }
  if (nvram != NULL)
    {
      g_autoptr(GPtrArray) tags = _vireo_nvram_list_snapshots (op->config->name, nvram, error);

      if (!add_tags (taken, tags))
        return FALSE;
    }
  for (guint n = 1; op->name == NULL; n++)
    {
      g_autofree char *name = g_strdup_printf ("snapshot-%u", n);

      if (!g_hash_table_contains (taken, name))
        op->name = g_steal_pointer (&name);
    }
  if (!vireo_snapshot_name_validate_new (op->name, error))
    return FALSE;
  if (g_hash_table_contains (taken, op->name))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("VM '%s' already has a snapshot '%s'"), op->config->name, op->name);
      return FALSE;
    }
  return TRUE;
}

/* A snapshot with RAM of a UEFI VM needs its NVRAM in the snapshot too:
 * QEMU loads the RAM state only from a snapshot that every writable
 * image has, the firmware variables' included.  A raw NVRAM (libvirt's)
 * holds no snapshot, so such a snapshot could never be reverted to:
 * refused, rather than taken and found useless later.  A snapshot of the
 * VM shut off is only of its disks, and can be. */
static gboolean
check_no_uefi_ram (const VireoDomainConfig  *live,
                   GError                  **error)
{
  if (!vireo_domain_config_uses_efi (live) || _vireo_snapshot_nvram (live) != NULL)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
               _("VM '%s': its NVRAM %s is raw and cannot hold snapshots: shut the VM down "
                 "to take a snapshot of its disks"), live->name, live->nvram ? live->nvram : "");
  return FALSE;
}

/* The NVRAM a new snapshot lives in too: a UEFI VM's qcow2 one, once
 * the first start has made it. */
static const char *
nvram_to_take (const VireoDomainConfig *config)
{
  const char *nvram = _vireo_snapshot_nvram (config);

  return nvram != NULL && g_file_test (nvram, G_FILE_TEST_EXISTS) ? nvram : NULL;
}

static gboolean
take_func (VireoJob      *job,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  VireoSnapshotOp *op = data;
  g_autoptr(VireoDomainConfig) live = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  g_autoptr(VireoSnapshot) snapshot = NULL;
  g_autoptr(VireoQmpSync) qmp = NULL;
  g_autofree char *current = NULL;
  const char *nvram;
  gboolean running, ok;

  op->job = job;
  if (!op_begin (op, VIREO_DOMAIN_LOCK_SNAPSHOTTING, &running, error) ||
      (running && !(live = read_live_config (op, error))) ||
      (running && !check_no_uefi_ram (live, error)) ||
      !(disks = _vireo_snapshot_disks (live ? live : op->config, error)))
    return FALSE;
  nvram = nvram_to_take (live ? live : op->config);
  if (!check_new_name (op, disks, nvram, &current, error))
    return FALSE;
  snapshot = _vireo_snapshot_new (op->name);
  _vireo_set_str (&snapshot->description, op->description ? op->description : "");
  snapshot->parent = g_steal_pointer (&current);
  snapshot->creation_time = g_get_real_time () / G_USEC_PER_SEC;
  /* what runs is what a revert must run again */
  snapshot->config = vireo_domain_config_copy (live ? live : op->config);
  if (live != NULL && !same_definition (live, op->config))
    snapshot->inactive_config = vireo_domain_config_copy (op->config);
  g_strfreev (snapshot->disks);
  snapshot->disks = g_new0 (char *, disks->len + 1);
  for (guint i = 0; i < disks->len; i++)
    snapshot->disks[i] = g_strdup (((VireoDiskConfig *) g_ptr_array_index (disks, i))->target);

  if (running)
    ok = (qmp = _vireo_snapshot_live_connect (op, error)) != NULL &&
         _vireo_snapshot_live_take (op, qmp, snapshot, disks, nvram, error);
  else
    ok = take_offline (op, snapshot, disks, nvram, error);
  if (!ok)
    return FALSE;
  if (_vireo_snapshot_store_save_thumbnail (op->paths, op->config->name, snapshot, error) &&
      _vireo_snapshot_store_save (op->paths, op->config->name, snapshot, error) &&
      _vireo_snapshot_store_set_current (op->paths, op->config->name, op->name, error))
    return TRUE;
  /* no metadata, no snapshot */
  if (qmp != NULL)
    _vireo_snapshot_live_job (op, qmp, "snapshot-delete", op->name, disks, nvram, NULL);
  else
    run_on_images (op, disks, disks->len, nvram, "-d", NULL);
  _vireo_snapshot_store_remove (op->paths, op->config->name, op->name, NULL);
  return FALSE;
}

/* Revert */

/* Whether QEMU for @a and for @b would be the same machine, so the
 * snapshot's RAM loads into the running one. */
static gboolean
same_machine (const VireoDomainConfig *a,
              const VireoDomainConfig *b,
              const char              *run_dir)
{
  /* the same OVMF for both: a UEFI VM's command line needs one */
  VireoQemuHost host = { "qemu", VIREO_ACCEL_TCG, run_dir, .firmware_code = "OVMF_CODE.fd" };
  g_auto(GStrv) x = vireo_qemu_argv_build (a, &host, NULL);
  g_auto(GStrv) y = vireo_qemu_argv_build (b, &host, NULL);

  return x != NULL && y != NULL && g_strv_equal ((const char * const *) x, (const char * const *) y);
}

/* The definition on disk as it was when @snapshot was taken: with the
 * changes that were pending then, if the VM ran. */
static gboolean
restore_definition (VireoSnapshotOp  *op,
                    VireoSnapshot    *snapshot,
                    GError          **error)
{
  const VireoDomainConfig *then = snapshot->inactive_config ? snapshot->inactive_config : snapshot->config;

  return same_definition (op->config, then) || _vireo_store_write_definition (op->paths, then, FALSE, error);
}

/* Loads the RAM and disks into the running QEMU.  A load that fails may
 * have changed some disks or some memory already: the guest cannot go on
 * from there, so it is forced off, and the message says so. */
static gboolean
load_in_place (VireoSnapshotOp  *op,
               VireoSnapshot    *snapshot,
               GPtrArray        *disks,
               const char       *nvram,
               GError          **error)
{
  g_autoptr(VireoQmpSync) qmp = _vireo_snapshot_live_connect (op, error);
  g_autoptr(GError) local_error = NULL;

  if (qmp == NULL)
    return FALSE;
  vireo_job_set_text (op->job, _("Loading memory and disks"));
  if (!_vireo_snapshot_live_job (op, qmp, "snapshot-load", op->name, disks, nvram, &local_error))
    {
      g_clear_pointer (&qmp, vireo_qmp_sync_free);
      if (_vireo_snapshot_live_stop_vm (op, NULL))
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                     _("VM '%s' was forced off: loading snapshot '%s' failed half way: %s"),
                     op->config->name, op->name, local_error->message);
      else
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                     _("VM '%s' was not reverted to snapshot '%s': %s"), op->config->name, op->name,
                     local_error->message);
      return FALSE;
    }
  return _vireo_snapshot_live_set_paused (op, qmp, snapshot->state == VIREO_SNAPSHOT_PAUSED, error);
}

static gboolean
stop_vm (VireoSnapshotOp  *op,
         GError          **error)
{
  vireo_job_set_text (op->job, _("Stopping the VM"));
  return _vireo_snapshot_live_stop_vm (op, error);
}

/* A new QEMU from the snapshot's definition and RAM (-loadvm); the
 * definition is on disk already. */
static gboolean
start_from (VireoSnapshotOp          *op,
            VireoSnapshot            *snapshot,
            const VireoDomainConfig  *target,
            GError                  **error)
{
  vireo_job_set_text (op->job, _("Starting from the snapshot"));
  /* the start takes the run lock for its shim; the change lock stays ours,
   * so nobody starts or changes the VM in between */
  g_clear_pointer (&op->run_lock, vireo_lock_free);
  return _vireo_domain_start_sync (op->paths, target, op->run_dir, op->name,
                                   snapshot->state == VIREO_SNAPSHOT_PAUSED, error);
}

static gboolean
revert_with_memory (VireoSnapshotOp          *op,
                    VireoSnapshot            *snapshot,
                    const VireoDomainConfig  *target,
                    GPtrArray                *disks,
                    const char               *nvram,
                    gboolean                  running,
                    GError                  **error)
{
  if (running)
    {
      g_autoptr(VireoDomainConfig) live = read_live_config (op, error);

      if (live == NULL)
        return FALSE;
      if (same_machine (live, target, op->run_dir))
        {
          if (!load_in_place (op, snapshot, disks, nvram, error))
            return FALSE;
          if (!restore_definition (op, snapshot, error))
            {
              g_prefix_error (error, _("VM '%s' runs from snapshot '%s', but its definition was not restored: "),
                              op->config->name, op->name);
              return FALSE;
            }
          return TRUE;
        }
    }
  /* first what can fail without harm: the running VM stays as it is */
  if (!restore_definition (op, snapshot, error))
    return FALSE;
  if (running && !stop_vm (op, error))
    return FALSE;
  if (!start_from (op, snapshot, target, error))
    {
      g_prefix_error (error, _("VM '%s' is off and did not start from snapshot '%s': "),
                      op->config->name, op->name);
      return FALSE;
    }
  return TRUE;
}

/* The disks first, then the NVRAM and the definition; a disk that fails
 * after others were reverted is named with them. */
static gboolean
revert_disks (VireoSnapshotOp          *op,
              VireoSnapshot            *snapshot,
              GPtrArray                *disks,
              const char               *nvram,
              gboolean                  running,
              GError                  **error)
{
  if (running && !stop_vm (op, error))
    return FALSE;
  vireo_job_set_text (op->job, _("Restoring disks"));
  for (guint i = 0; i < disks->len; i++)
    if (!_vireo_image_snapshot_run (op->config->name, g_ptr_array_index (disks, i), "-a", op->name, error))
      {
        if (i > 0)
          g_prefix_error (error, _("VM '%s': only some disks were reverted to snapshot '%s': "),
                          op->config->name, op->name);
        return FALSE;
      }
  if (nvram != NULL && !_vireo_nvram_snapshot_run (op->config->name, nvram, "-a", op->name, error))
    {
      g_prefix_error (error, _("VM '%s': its disks were reverted to snapshot '%s', but not its NVRAM: "),
                      op->config->name, op->name);
      return FALSE;
    }
  if (!restore_definition (op, snapshot, error))
    {
      g_prefix_error (error, _("VM '%s': its disks were reverted to snapshot '%s', but not its definition: "),
                      op->config->name, op->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
revert_func (VireoJob      *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  VireoSnapshotOp *op = data;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  g_autoptr(VireoDomainConfig) target = NULL;
  VireoSnapshot *snapshot;
  const char *nvram;
  gboolean running;

  op->job = job;
  if (!op_begin (op, VIREO_DOMAIN_LOCK_REVERTING, &running, error) ||
      !(snapshot = find_one (op, &all, NULL, error)))
    return FALSE;
  /* the definition it was taken with: this VM's (the metadata's name and
   * UUID were checked), whose images pass the checks a start makes */
  target = vireo_domain_config_copy (snapshot->config);
  if (!(disks = holders (op, snapshot, target, TRUE, error)) || !check_bases (op, disks, error) ||
      !nvram_holder (snapshot, target, TRUE, &nvram, error) || !vireo_storage_check_images (target, error))
    return FALSE;
  if (snapshot->memory ? !revert_with_memory (op, snapshot, target, disks, nvram, running, error)
                       : !revert_disks (op, snapshot, disks, nvram, running, error))
    return FALSE;
  return _vireo_snapshot_store_set_current (op->paths, op->config->name, op->name, error);
}

/* Delete */

/* A running VM's QEMU deletes from the images it has open, the NVRAM's
 * included; qemu-img from the others (a disk detached since). */
static gboolean
delete_from_images (VireoSnapshotOp  *op,
                    GPtrArray        *disks,
                    const char       *nvram,
                    gboolean          running,
                    GError          **error)
{
  g_autoptr(VireoDomainConfig) live = running ? read_live_config (op, error) : NULL;
  g_autoptr(GPtrArray) open = g_ptr_array_new ();
  g_autoptr(GPtrArray) closed = g_ptr_array_new ();
  g_autoptr(VireoQmpSync) qmp = NULL;
  gboolean nvram_open;

  if (running && live == NULL)
    return FALSE;
  nvram_open = nvram != NULL && live != NULL && g_strcmp0 (_vireo_snapshot_nvram (live), nvram) == 0;
  for (guint i = 0; i < disks->len; i++)
    {
      VireoDiskConfig *disk = g_ptr_array_index (disks, i);
      VireoDiskConfig *in_live = live ? vireo_domain_config_lookup_disk (live, disk->target) : NULL;

      g_ptr_array_add (in_live && g_strcmp0 (in_live->path, disk->path) == 0 ? open : closed,
                       in_live ? in_live : disk);
    }
  vireo_job_set_text (op->job, _("Deleting from disks"));
  if ((open->len > 0 || nvram_open) &&
      (!(qmp = _vireo_snapshot_live_connect (op, error)) ||
       !_vireo_snapshot_live_job (op, qmp, "snapshot-delete", op->name, open,
                                  nvram_open ? nvram : NULL, error)))
    return FALSE;
  return run_on_images (op, closed, closed->len, nvram_open ? NULL : nvram, "-d", error);
}

/* Its children move to its parent. */
static gboolean
reparent_children (VireoSnapshotOp  *op,
                   GPtrArray        *all,
                   VireoSnapshot    *snapshot,
                   GError          **error)
{
  for (guint i = 0; i < all->len; i++)
    {
      VireoSnapshot *child = g_ptr_array_index (all, i);

      if (child->foreign || g_strcmp0 (child->parent, snapshot->name) != 0)
        continue;
      _vireo_set_str (&child->parent, snapshot->parent);
      if (!_vireo_snapshot_store_save (op->paths, op->config->name, child, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
delete_func (VireoJob      *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  VireoSnapshotOp *op = data;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  g_autofree char *current = NULL;
  VireoSnapshot *snapshot;
  const char *nvram;
  gboolean running;

  op->job = job;
  if (!op_begin (op, VIREO_DOMAIN_LOCK_DELETING_SNAPSHOT, &running, error) ||
      !(snapshot = find_one (op, &all, &current, error)) ||
      !(disks = holders (op, snapshot, snapshot->config, FALSE, error)) ||
      !check_bases (op, disks, error) ||
      !nvram_holder (snapshot, snapshot->config, FALSE, &nvram, error) ||
      !delete_from_images (op, disks, nvram, running, error) ||
      !reparent_children (op, all, snapshot, error))
    return FALSE;
  if (g_strcmp0 (current, snapshot->name) == 0 &&
      !_vireo_snapshot_store_set_current (op->paths, op->config->name, snapshot->parent, error))
    return FALSE;
  return _vireo_snapshot_store_remove (op->paths, op->config->name, snapshot->name, error);
}

/* Edit */

static gboolean
edit_func (VireoJob      *job,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  VireoSnapshotOp *op = data;
  g_autoptr(GPtrArray) all = NULL;
  VireoSnapshot *snapshot;
  gboolean running;

  op->job = job;
  if (!op_begin (op, VIREO_DOMAIN_LOCK_EDITING_SNAPSHOT, &running, error) ||
      !(snapshot = find_one (op, &all, NULL, error)))
    return FALSE;
  /* metadata made now would claim a definition it was not taken with */
  if (snapshot->foreign)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                   _("Snapshot '%s' of VM '%s' was made outside Vireo: it has no description to change"),
                   op->name, op->config->name);
      return FALSE;
    }
  _vireo_set_str (&snapshot->description, op->description ? op->description : "");
  return _vireo_snapshot_store_save (op->paths, op->config->name, snapshot, error);
}

/* Runs the operation, then lets go of the VM at once: a front end may
 * start the next operation from the callback, before the job is freed. */
static gboolean
op_func (VireoJob      *job,
         gpointer       data,
         GCancellable  *cancellable,
         GError       **error)
{
  static const VireoJobFunc funcs[] = {
    [VIREO_SNAPSHOT_CHANGE_TAKE] = take_func,
    [VIREO_SNAPSHOT_CHANGE_REVERT] = revert_func,
    [VIREO_SNAPSHOT_CHANGE_DELETE] = delete_func,
    [VIREO_SNAPSHOT_CHANGE_EDIT] = edit_func,
  };
  VireoSnapshotOp *op = data;
  gboolean ok = funcs[op->kind] (job, data, cancellable, error);

  g_clear_pointer (&op->run_lock, vireo_lock_free);
  g_clear_pointer (&op->change_lock, vireo_lock_free);
  op->job = NULL;
  return ok;
}

/**
 * _vireo_snapshot_op_new:
 * Returns: (transfer full): a job running @op, which it owns
 */
VireoJob *
_vireo_snapshot_op_new (VireoSnapshotOp *op,
                        const char      *title)
{
  return vireo_job_new (title, op_func, NULL, op, (GDestroyNotify) _vireo_snapshot_op_free);
}
