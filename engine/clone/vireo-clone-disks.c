/* vireo-clone-disks.c: a clone's images and definitions, on a worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * All or nothing: every file this job creates is claimed first (O_EXCL,
 * so nothing is ever overwritten) and listed in Clone.made; every change
 * to the source (a base's mode, its definition) is recorded.  A failure
 * or a cancel runs rollback(), which puts everything back, before the
 * source's locks are let go.  The source's images are only ever read (a
 * full clone) or made read-only (a linked clone's bases), never written;
 * a linked clone writes the source's definition first, so that a crash
 * at any step leaves a source that starts and writes into no base.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-clone-private.h"
#include "vireo-domain-lock.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-storage.h"
#include "vireo-store.h"

/* `qemu-img info` of a disk the checks accepted, parsed. */
static JsonObject *
disk_info (const Clone     *clone,
           const CloneDisk *disk,
           GError         **error)
{
  /* Translators: the subject of an error: "VM 'web': disk vda" */
  g_autofree char *subject = g_strdup_printf (_("VM '%s': disk %s"), clone->source_config->name, disk->target);

  return vireo_storage_image_info (subject, disk->image, disk->format, error);
}

static gboolean
has_snapshot (JsonObject *info,
              const char *tag)
{
  JsonNode *node = json_object_get_member (info, "snapshots");
  JsonArray *list = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  for (guint i = 0; list && i < json_array_get_length (list); i++)
    {
      JsonNode *item = json_array_get_element (list, i);

      if (JSON_NODE_HOLDS_OBJECT (item) &&
          g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (item),
                                                                 "name", NULL), tag) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Every disk first, before anything is made: what the image checks
 * accept (no stray backing or data file), and for a full clone its size
 * and the snapshot asked for. */
static gboolean
inspect_disks (Clone   *clone,
               GError **error)
{
  const char *name = clone->source_config->name;

  for (guint i = 0; i < clone->disks->len; i++)
    {
      CloneDisk *disk = g_ptr_array_index (clone->disks, i);
      g_autofree char *format = NULL;
      g_autoptr(JsonObject) info = NULL;

      format = vireo_storage_check_image (name, disk->target, disk->image, disk->format,
                                          (const char * const *) disk->backing, error);
      if (format == NULL)
        return FALSE;
      if (clone->linked)
        continue;
      if ((info = disk_info (clone, disk, error)) == NULL)
        return FALSE;
      disk->size = MAX (json_object_get_int_member_with_default (info, "virtual-size", 0), 1);
      if (clone->snapshot && !has_snapshot (info, clone->snapshot))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                       _("VM '%s': disk %s has no snapshot '%s'"), name, disk->target, clone->snapshot);
          return FALSE;
        }
    }
  return TRUE;
}

/* Claims STEM.qcow2 (@n 0) or STEM-N.qcow2 from @n on, the first that is
 * free, as a new private file of this call's. */
static char *
claim (Clone       *clone,
       const char  *stem,
       guint        n,
       GError     **error)
{
  for (;; n = n ? n + 1 : 2)
    {
      g_autofree char *path = n ? g_strdup_printf ("%s-%u.qcow2", stem, n) : g_strconcat (stem, ".qcow2", NULL);
      g_autoptr(GError) local_error = NULL;
      int fd = vireo_file_claim (path, &local_error);

      if (fd >= 0)
        {
          close (fd);
          g_ptr_array_add (clone->made, g_strdup (path));
          return g_steal_pointer (&path);
        }
      if (!g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
}

/* CLONE.qcow2 for the first disk, CLONE-vdb.qcow2 for the others. */
static gboolean
claim_dest (Clone      *clone,
            CloneDisk  *disk,
            guint       i,
            GError    **error)
{
  g_autofree char *base = i ? g_strdup_printf ("%s-%s", clone->config->name, disk->target)
                            : g_strdup (clone->config->name);
  g_autofree char *stem = g_build_filename (clone->paths->images_dir, base, NULL);

  disk->dest = claim (clone, stem, 0, error);
  return disk->dest != NULL;
}

static gboolean
copy_disks (Clone         *clone,
            GCancellable  *cancellable,
            GError       **error)
{
  const char *name = clone->source_config->name;
  double total = 0, done = 0;

  for (guint i = 0; i < clone->disks->len; i++)
    total += ((CloneDisk *) g_ptr_array_index (clone->disks, i))->size;
  for (guint i = 0; i < clone->disks->len; i++)
    {
      CloneDisk *disk = g_ptr_array_index (clone->disks, i);
      /* Translators: the subject of qemu-img's error, "VM 'web': cannot copy disk vda: …" */
      g_autofree char *what = g_strdup_printf (_("VM '%s': cannot copy disk %s"), name, disk->target);

      if (!vireo_storage_convert (clone->job, what, disk->format, clone->snapshot, disk->image, disk->dest,
                                  done / total, (done + disk->size) / total, cancellable, error))
        return FALSE;
      done += disk->size;
    }
  return TRUE;
}

/* A linked clone's disk: a fresh overlay each for the source and the
 * clone on the source's image, which becomes a read-only base once the
 * source's definition names its overlay (make_bases()).  No data is
 * copied, whatever the disk's size. */
static gboolean
link_disk (Clone         *clone,
           CloneDisk     *disk,
           GCancellable  *cancellable,
           GError       **error)
{
  const char *name = clone->source_config->name;
  g_autofree char *base = g_strdup_printf ("%s-%s", name, disk->target);
  g_autofree char *stem = g_build_filename (clone->paths->images_dir, base, NULL);
  g_autofree char *what = g_strdup_printf (_("VM '%s': cannot make an overlay of disk %s"),
                                           name, disk->target);
  const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                         disk->image, NULL, NULL };

  if ((disk->overlay = claim (clone, stem, 1, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < 2; i++)
    {
      argv[9] = i ? disk->overlay : disk->dest;
      if (!vireo_storage_run_qemu_img (clone->job, what, argv, 0, 0, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* Sets the mode of the regular file @path through a descriptor of its
 * own: a symlink put in its place is refused, never followed, and the
 * file checked is the file changed.  O_NONBLOCK: a FIFO never blocks
 * the open. */
static gboolean
set_mode (const char  *name,
          const char  *path,
          mode_t       mode,
          mode_t      *old_mode,
          GError     **error)
{
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  struct stat st;
  int errsv;

  if (fd < 0 || fstat (fd, &st) != 0)
    {
      errsv = errno;
      if (fd >= 0)
        close (fd);
      if (errsv != ELOOP)
        {
          vireo_set_io_error (error, errsv, _("VM '%s': cannot make %s read-only"), name, path);
          return FALSE;
        }
    }
  if (fd < 0 || !S_ISREG (st.st_mode))
    {
      if (fd >= 0)
        close (fd);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': %s is not a regular file"), name, path);
      return FALSE;
    }
  if (fchmod (fd, mode) != 0)
    {
      errsv = errno;
      close (fd);
      vireo_set_io_error (error, errsv, _("VM '%s': cannot make %s read-only"), name, path);
      return FALSE;
    }
  close (fd);
  if (old_mode)
    *old_mode = st.st_mode & 07777;
  return TRUE;
}

/* Each source image under the new overlays becomes read-only: as root
 * the mode stops nobody, but a user's own QEMU can no longer write into
 * a base it still names by mistake. */
static gboolean
make_bases (Clone   *clone,
            GError **error)
{
  for (guint i = 0; i < clone->disks->len; i++)
    {
      CloneDisk *disk = g_ptr_array_index (clone->disks, i);

      if (!set_mode (clone->source_config->name, disk->image, 0400, &disk->mode, error))
        return FALSE;
      disk->chmodded = TRUE;
    }
  return TRUE;
}

/* The chain under a linked clone's new overlays: the source's image
 * now, then the bases it stood on. */
static GStrv
linked_chain (const CloneDisk *disk)
{
  g_autoptr(GStrvBuilder) chain = g_strv_builder_new ();

  g_strv_builder_add (chain, disk->image);
  if (disk->backing)
    g_strv_builder_addv (chain, (const char **) disk->backing);
  return g_strv_builder_end (chain);
}

/* The clone on its new images; a linked source on its new overlays. */
static void
point_configs (Clone *clone)
{
  if (clone->linked)
    clone->source_new = vireo_domain_config_copy (clone->source_config);
  for (guint i = 0; i < clone->disks->len; i++)
    {
      CloneDisk *disk = g_ptr_array_index (clone->disks, i);
      VireoDiskConfig *mine = vireo_domain_config_lookup_disk (clone->config, disk->target);

      g_free (mine->path);
      mine->path = g_strdup (disk->dest);
      g_free (mine->format);
      mine->format = g_strdup ("qcow2");
      g_strfreev (mine->backing);
      mine->backing = clone->linked ? linked_chain (disk) : NULL;
      if (clone->linked)
        {
          VireoDiskConfig *theirs = vireo_domain_config_lookup_disk (clone->source_new, disk->target);

          g_free (theirs->path);
          theirs->path = g_strdup (disk->overlay);
          g_strfreev (theirs->backing);
          theirs->backing = linked_chain (disk);
        }
    }
}

/* In the order that leaves, at every moment, a source that starts and
 * never writes into a base: the source on its overlays, then its old
 * images read-only, then the clone.  A crash in between leaves at worst
 * unused overlays and a read-only image no definition writes to. */
static gboolean
write_definitions (Clone   *clone,
                   GError **error)
{
  point_configs (clone);
  if (!vireo_domain_config_validate (clone->config, error))
    return FALSE;
  if (clone->source_new != NULL)
    {
      if (!_vireo_store_write_definition (clone->paths, clone->source_new, FALSE, error))
        return FALSE;
      clone->source_written = TRUE;
      if (!make_bases (clone, error))
        return FALSE;
    }
  if (!_vireo_store_write_definition (clone->paths, clone->config, TRUE, error))
    return FALSE;
  clone->clone_written = TRUE;
  return TRUE;
}

/* The source's shim was closing down when the clone began: its run lock
 * once it is gone (a few seconds at most), or it runs again. */
static gboolean
lock_source_late (Clone   *clone,
                  GError **error)
{
  g_autoptr(GError) local_error = NULL;

  clone->run_lock = _vireo_domain_lock_run_when_off (clone->run_dir, clone->source_config->name,
                                                     VIREO_DOMAIN_LOCK_CLONING, &local_error);
  if (clone->run_lock != NULL)
    return TRUE;
  if (g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE))
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                 _("VM '%s' is running; shut it down to clone it"), clone->source_config->name);
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* The clone was prepared from the list, on the caller's thread, before
 * the source's locks were held: another process may have changed the
 * source meanwhile (made a linked clone of it, attached a disk).  Its
 * definition on disk, now that nobody else can change it, must still be
 * the one the clone was prepared from, or the clone would build on old
 * images and put an old definition back over the new one. */
static gboolean
check_unchanged (Clone   *clone,
                 GError **error)
{
  const char *name = clone->source_config->name;
  g_autoptr(VireoDomainConfig) on_disk = NULL;
  g_autofree char *was = NULL;
  g_autofree char *now = NULL;

  if (!_vireo_domain_check_defined (clone->paths, clone->source_config, error) ||
      !(on_disk = _vireo_domain_read_definition (clone->paths, name, error)))
    return FALSE;
  was = vireo_domain_config_format (clone->source_config);
  now = vireo_domain_config_format (on_disk);
  if (g_str_equal (was, now))
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_BUSY,
               _("VM '%s' changed while the clone was being prepared; try again"), name);
  return FALSE;
}

/* Checks, images, definitions: everything it makes or changes is
 * recorded in @clone for rollback(). */
/* A linked clone makes the source's images read-only bases: an image
 * another VM also writes (or stands on) would become a base under it. */
static gboolean
check_unshared (Clone   *clone,
                GError **error)
{
  g_autoptr(VireoLock) definitions = _vireo_domain_lock_definitions (clone->paths, clone->source_config->name,
                                                                     error);

  if (definitions == NULL)
    return FALSE;
  for (guint i = 0; i < clone->disks->len; i++)
    {
      CloneDisk *disk = g_ptr_array_index (clone->disks, i);
      g_auto(GStrv) users = _vireo_store_image_users (clone->paths, disk->image, clone->source_config->name,
                                                      error);

      if (users == NULL)
        return FALSE;
      if (users[0] != NULL)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                       _("VM '%s': disk %s (%s) is also used by VM '%s': a linked clone would make it "
                         "a read-only base under that VM; make a full clone"),
                       clone->source_config->name, disk->target, disk->image, users[0]);
          return FALSE;
        }
    }
  return TRUE;
}

/* The TPM's state goes with the clone, as its disks do (its own copy,
 * under the clone's UUID): a few small files, read whole.  The files and
 * the folder go in clone->made, so a rollback removes them.  From a
 * snapshot, the TPM is copied as it is now: swtpm keeps no snapshots. */
static gboolean
copy_tpm_state (Clone   *clone,
                GError **error)
{
  g_autofree char *from = vireo_paths_domain_tpm_dir (clone->paths, clone->source_config->uuid);
  g_autofree char *to = vireo_paths_domain_tpm_dir (clone->paths, clone->config->uuid);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (clone->config->tpm_model == NULL || !g_file_test (from, G_FILE_TEST_IS_DIR))
    return TRUE;
  if (!vireo_mkdir_private (to, error))
    return FALSE;
  g_ptr_array_add (clone->made, g_strdup (to));
  dir = g_dir_open (from, 0, error);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *source = g_build_filename (from, name, NULL);
      g_autofree char *dest = g_build_filename (to, name, NULL);
      g_autofree char *contents = NULL;
      gsize len;

      if (!g_file_test (source, G_FILE_TEST_IS_REGULAR))
        continue;
      if (!g_file_get_contents (source, &contents, &len, error) ||
          !vireo_file_write_atomic (dest, contents, len, 0600, error))
        {
          g_prefix_error (error, _("VM '%s': cannot copy its TPM state: "), clone->source_config->name);
          return FALSE;
        }
      g_ptr_array_add (clone->made, g_steal_pointer (&dest));
    }
  return dir != NULL;
}

/* A UEFI VM's variables (its boot entries) go with the clone, as its
 * own file: never the source's, which the two would then share.  From a
 * snapshot, they are copied as they are now (snapshots hold disks only).
 * Without a file yet, the clone makes a fresh one at its first start. */
static gboolean
copy_nvram (Clone   *clone,
            GError **error)
{
  const char *from = clone->source_config->nvram;
  g_autofree char *to = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  int fd;

  if (!vireo_domain_config_uses_efi (clone->config))
    return TRUE;
  g_clear_pointer (&clone->config->nvram, g_free);
  if (from == NULL || !g_file_test (from, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  to = vireo_paths_domain_nvram (clone->paths, clone->config->name,
                                 vireo_domain_config_nvram_is_qcow2 (clone->source_config));
  /* a new private file of this call's, or an error that names it */
  fd = vireo_file_claim (to, error);
  if (fd < 0)
    return FALSE;
  close (fd);
  g_ptr_array_add (clone->made, g_strdup (to));
  if (!g_file_get_contents (from, &contents, &len, error) ||
      !vireo_file_write_atomic (to, contents, len, 0600, error))
    {
      g_prefix_error (error, _("VM '%s': cannot copy its NVRAM: "), clone->source_config->name);
      return FALSE;
    }
  clone->config->nvram = g_steal_pointer (&to);
  return TRUE;
}

static gboolean
make_clone (Clone         *clone,
            GCancellable  *cancellable,
            GError       **error)
{
  if (clone->run_lock == NULL && !lock_source_late (clone, error))
    return FALSE;
  if (!check_unchanged (clone, error) || (clone->linked && !check_unshared (clone, error)) ||
      !inspect_disks (clone, error) || !vireo_mkdir_private (clone->paths->images_dir, error))
    return FALSE;
  for (guint i = 0; i < clone->disks->len; i++)
    if (!claim_dest (clone, g_ptr_array_index (clone->disks, i), i, error))
      return FALSE;
  if (!clone->linked && !copy_disks (clone, cancellable, error))
    return FALSE;
  for (guint i = 0; clone->linked && i < clone->disks->len; i++)
    if (!link_disk (clone, g_ptr_array_index (clone->disks, i), cancellable, error))
      return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error) || !copy_tpm_state (clone, error) ||
      !copy_nvram (clone, error))
    return FALSE;
  return write_definitions (clone, error);
}

static gboolean
is_overlay (const Clone *clone,
            const char  *path)
{
  for (guint i = 0; i < clone->disks->len; i++)
    if (g_strcmp0 (((CloneDisk *) g_ptr_array_index (clone->disks, i))->overlay, path) == 0)
      return TRUE;
  return FALSE;
}

/* The source's new definition stays, on overlays that must then stay
 * too: one line that says so and where the source now runs. */
static void
set_rollback_error (Clone  *clone,
                    GError *restore_error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) overlays = NULL;
  g_autofree char *list = NULL;

  for (guint i = 0; i < clone->disks->len; i++)
    g_strv_builder_add (builder, ((CloneDisk *) g_ptr_array_index (clone->disks, i))->overlay);
  overlays = g_strv_builder_end (builder);
  list = g_strjoinv (", ", overlays);
  g_set_error (&clone->rollback_error, restore_error->domain, restore_error->code,
               /* Translators: "VM 'web' was not cloned, and its definition could not be put back: <why>; it now runs on /…/web-vda-1.qcow2" */
               _("VM '%s' was not cloned, and its definition could not be put back: %s; "
                 "it now runs on %s"), clone->source_config->name, restore_error->message, list);
}

/* No clone definition, the source's definition as it was, the bases'
 * modes as they were, and no file this job made.  When the source's old
 * definition cannot be written back, its new one names the overlays and
 * the bases: they stay as they are, and clone->rollback_error says so. */
static void
rollback (Clone *clone)
{
  const char *name = clone->source_config->name;
  g_autoptr(GError) error = NULL;
  gboolean source_moved = FALSE;

  if (clone->clone_written)
    {
      g_autofree char *file = vireo_paths_domain_file (clone->paths, clone->config->name);
      g_autoptr(VireoLock) definitions = _vireo_domain_lock_definitions (clone->paths, clone->config->name, NULL);

      g_unlink (file);
    }
  if (clone->source_written &&
      !_vireo_store_write_definition (clone->paths, clone->source_config, FALSE, &error))
    {
      set_rollback_error (clone, error);
      source_moved = TRUE;
    }
  for (guint i = 0; !source_moved && i < clone->disks->len; i++)
    {
      CloneDisk *disk = g_ptr_array_index (clone->disks, i);
      g_autoptr(GError) mode_error = NULL;

      if (disk->chmodded && !set_mode (name, disk->image, disk->mode, NULL, &mode_error))
        g_message ("VM '%s': the mode of %s could not be put back: %s", name, disk->image,
                   mode_error->message);
    }
  for (guint i = clone->made->len; i > 0; i--)
    {
      const char *path = g_ptr_array_index (clone->made, i - 1);

      /* g_remove: the TPM state's folder is one of them */
      if (!source_moved || !is_overlay (clone, path))
        g_remove (path);
    }
  clone->clone_written = FALSE;
  if (!source_moved)
    g_clear_pointer (&clone->source_new, vireo_domain_config_free);
}

/**
 * _vireo_clone_run:
 * The clone job's work (a VireoJobFunc), all or nothing: on failure or
 * cancel it rolls back what it did itself, and either way it lets go of
 * the source's locks before it returns, so the caller's callback may
 * start the next operation on the source at once.  clone->done says
 * whether the clone exists, even when a cancel landed after the work.
 */
gboolean
_vireo_clone_run (VireoJob      *job,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  Clone *clone = data;

  clone->done = make_clone (clone, cancellable, error) &&
                !g_cancellable_set_error_if_cancelled (cancellable, error);
  if (!clone->done)
    rollback (clone);
  g_clear_pointer (&clone->run_lock, vireo_lock_free);
  g_clear_pointer (&clone->change_lock, vireo_lock_free);
  return clone->done;
}
