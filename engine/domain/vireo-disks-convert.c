/* vireo-disks-convert.c: a raw disk made qcow2, so it can take snapshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The VM must be shut off and stay so: its change lock and run lock are
 * held from the first check to the end, and anyone who would start or
 * change it meanwhile is told it is busy (converting a disk).  One job on
 * the worker pool copies the raw image into a new qcow2 in the images
 * folder (`qemu-img convert -f raw`: never probed, a guest does not choose
 * how its host reads its disk), then rewrites the definition; a failure
 * or a cancel, even one that lands after the work, removes the new file
 * and puts the definition back.  The raw image is kept: it may be the
 * user's only copy of something.  Only Vireo's own image in the images
 * folder that no other VM uses is deleted, and only when asked, once the
 * new definition is safely written.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "vireo-disks.h"
#include "vireo-domain-lock.h"
#include "vireo-domain-policy.h"
#include "vireo-local-domain-private.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-storage.h"
#include "vireo-store.h"

/* Plain data the worker owns while the job runs; the main context reads
 * it again only once the job is done. */
typedef struct {
  const VireoPaths *paths;     /* the engine's, which the task keeps */
  VireoLock *change_lock;      /* for the whole conversion */
  VireoLock *run_lock;         /* keeps the VM shut off */
  char *name;
  char *uuid;
  char *target;
  char *old_path;              /* the raw image */
  gboolean remove_asked;       /* the caller asked to delete the raw image */
  gboolean remove_old;         /* asked, and the engine's rule allows it */
  VireoDomainConfig *before;   /* the definition on disk, as it was */
  VireoDomainConfig *after;    /* on the new image */
  char *dest;                  /* the new image, once claimed */
  gboolean written;            /* @after is on disk */
  char *note;                  /* what became of the raw image */
  VireoJob *job;
} Convert;

static void
convert_free (Convert *convert)
{
  vireo_lock_free (convert->change_lock);
  vireo_lock_free (convert->run_lock);
  g_free (convert->name);
  g_free (convert->uuid);
  g_free (convert->target);
  g_free (convert->old_path);
  vireo_domain_config_free (convert->before);
  vireo_domain_config_free (convert->after);
  g_free (convert->dest);
  g_free (convert->note);
  g_clear_object (&convert->job);
  g_free (convert);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Convert, convert_free)

/* The disk rules, on the definition the VM has: one line each, naming
 * the VM and the disk. */
static gboolean
check_disk (const char            *name,
            const char            *target,
            const VireoDiskConfig *disk,
            GError               **error)
{
  if (disk == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s' has no disk '%s'"), name, target);
  else if (disk->device == VIREO_DISK_DEVICE_CDROM)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("VM '%s': %s is a CD-ROM drive; only disks are converted to qcow2"), name, target);
  else if (disk->readonly)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("VM '%s': disk %s is read-only; only writable disks are converted to qcow2"),
                 name, target);
  else if (disk->shareable)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("VM '%s': disk %s is shareable; a disk other VMs write to is not converted"),
                 name, target);
  else if (g_strcmp0 (disk->format, "raw") != 0)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("VM '%s': disk %s is already %s"), name, target, disk->format);
  else if (disk->path == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("VM '%s': disk %s has no image"), name, target);
  else
    return TRUE;
  return FALSE;
}

/**
 * vireo_disks_can_convert:
 * Returns: whether @disk is one vireo_disks_convert_async() converts (a
 *   raw, writable, unshared disk with an image), whatever the VM's
 *   state: front ends offer the conversion on such disks, and make it
 *   follow vireo_domain_can() with %VIREO_DOMAIN_OP_CONVERT_DISK
 */
gboolean
vireo_disks_can_convert (const VireoDiskConfig *disk)
{
  return disk != NULL && check_disk ("", disk->target, disk, NULL);
}

/* The VM must be off, and stay so: its locks, for the whole conversion. */
static gboolean
lock_domain (Convert      *convert,
             VireoDomain  *domain,
             GError      **error)
{
  const char *run_dir = vireo_domain_get_run_dir (domain);
  g_autoptr(GError) local_error = NULL;

  vireo_domain_refresh_state (domain);
  if (!vireo_domain_check (domain, VIREO_DOMAIN_OP_CONVERT_DISK, error))
    return FALSE;
  convert->change_lock = _vireo_domain_lock_change (run_dir, convert->name,
                                                    VIREO_DOMAIN_LOCK_CONVERTING_DISK, error);
  if (convert->change_lock == NULL)
    return FALSE;
  convert->run_lock = _vireo_domain_lock_run (run_dir, convert->name,
                                              VIREO_DOMAIN_LOCK_CONVERTING_DISK, &local_error);
  if (convert->run_lock != NULL)
    return TRUE;
  if (g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE))
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                 _("VM '%s' is running; shut it down to convert its disks"), convert->name);
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static Convert *
prepare (VireoLocalBackend  *engine,
         VireoDomain        *domain,
         const char         *target,
         gboolean            remove_old,
         GError            **error)
{
  const VireoDomainConfig *config = vireo_domain_get_config (domain);
  const VireoDiskConfig *disk = vireo_domain_config_lookup_disk (config, target);
  g_autoptr(Convert) convert = g_new0 (Convert, 1);

  convert->paths = vireo_local_backend_get_paths (engine);
  convert->name = g_strdup (config->name);
  convert->uuid = g_strdup (config->uuid);
  convert->target = g_strdup (target);
  if (!check_disk (config->name, target, disk, error) || !lock_domain (convert, domain, error))
    return NULL;
  convert->old_path = g_strdup (disk->path);
  /* the rule the delete of a VM's storage follows; the worker asks the
   * definitions on disk again before it deletes */
  convert->remove_asked = remove_old;
  convert->remove_old = remove_old && vireo_local_backend_image_deletable (engine, domain, disk);
  return g_steal_pointer (&convert);
}

/* Worker: the definition on disk, which is what gets rewritten; the
 * engine's copy may be older than another process's last change. */
static gboolean
read_definition (Convert  *convert,
                 GError  **error)
{
  VireoDiskConfig *disk;

  convert->before = _vireo_domain_read_definition (convert->paths, convert->name, error);
  if (convert->before == NULL)
    return FALSE;
  if (!g_str_equal (convert->before->uuid, convert->uuid))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s' no longer exists"), convert->name);
      return FALSE;
    }
  disk = vireo_domain_config_lookup_disk (convert->before, convert->target);
  if (!check_disk (convert->name, convert->target, disk, error))
    return FALSE;
  if (!g_str_equal (disk->path, convert->old_path))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_BUSY,
                   _("VM '%s': disk %s was changed meanwhile; look at it again"),
                   convert->name, convert->target);
      return FALSE;
    }
  return TRUE;
}

/* Worker: VM-vdb.qcow2 in the images folder, or VM-vdb-2.qcow2… when
 * taken, claimed as a new private file so that a failure removes only
 * what this job made. */
static gboolean
claim_dest (Convert  *convert,
            GError  **error)
{
  g_autofree char *base = g_strdup_printf ("%s-%s", convert->name, convert->target);
  g_autofree char *stem = g_build_filename (convert->paths->images_dir, base, NULL);

  if (!vireo_mkdir_private (convert->paths->images_dir, error))
    return FALSE;
  for (guint n = 1; ; n++)
    {
      g_autofree char *path = n > 1 ? g_strdup_printf ("%s-%u.qcow2", stem, n)
                                    : g_strconcat (stem, ".qcow2", NULL);
      g_autoptr(GError) local_error = NULL;
      int fd = vireo_file_claim (path, &local_error);

      if (fd >= 0)
        {
          close (fd);
          convert->dest = g_steal_pointer (&path);
          return TRUE;
        }
      if (!g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
}

/* The conversion job's work (a VireoJobFunc): checks, the copy, the
 * definition. */
static gboolean
convert_run (VireoJob      *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  Convert *convert = data;
  /* Translators: the subject of qemu-img's error, "VM 'web': cannot convert disk vdb: …" */
  g_autofree char *what = g_strdup_printf (_("VM '%s': cannot convert disk %s"), convert->name, convert->target);
  g_autofree char *readable = NULL;
  VireoDiskConfig *disk;

  if (!read_definition (convert, error))
    return FALSE;
  readable = vireo_storage_existing_file (convert->name, _("disk image"), convert->old_path, error);
  if (readable == NULL || !claim_dest (convert, error))
    return FALSE;
  if (!vireo_storage_convert (job, what, "raw", NULL, convert->old_path, convert->dest, 0.0, 1.0,
                              cancellable, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  convert->after = vireo_domain_config_copy (convert->before);
  disk = vireo_domain_config_lookup_disk (convert->after, convert->target);
  g_free (disk->path);
  disk->path = g_strdup (convert->dest);
  g_free (disk->format);
  disk->format = g_strdup ("qcow2");
  if (!vireo_domain_config_validate (convert->after, error) ||
      !_vireo_store_write_definition (convert->paths, convert->after, FALSE, error))
    return FALSE;
  convert->written = TRUE;
  return TRUE;
}

/* The conversion job's cleanup (a VireoJobCleanupFunc): the definition
 * as it was, and no new image. */
static void
convert_rollback (gpointer data)
{
  Convert *convert = data;
  g_autoptr(GError) error = NULL;

  if (convert->written &&
      !_vireo_store_write_definition (convert->paths, convert->before, FALSE, &error))
    g_message ("VM '%s': its definition could not be put back: %s", convert->name, error->message);
  convert->written = FALSE;
  g_clear_pointer (&convert->after, vireo_domain_config_free);
  if (convert->dest != NULL && g_unlink (convert->dest) != 0 && errno != ENOENT)
    g_message ("VM '%s': cannot delete %s: %s", convert->name, convert->dest, g_strerror (errno));
}

/* Worker, once the new definition is written: the raw image goes only
 * if no definition on disk names it any more, decided under the
 * definitions lock so that no VM begins to use it meanwhile. */
static void
remove_old_in_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  Convert *convert = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoLock) definitions = _vireo_domain_lock_definitions (convert->paths, convert->name, &error);
  g_auto(GStrv) users = definitions ? _vireo_store_image_users (convert->paths, convert->old_path,
                                                                NULL, &error) : NULL;

  if (users == NULL)
    /* Translators: "Kept /…/web-vdb.img: <why it could not be deleted>" */
    convert->note = g_strdup_printf (_("Kept %s: %s"), convert->old_path, error->message);
  else if (users[0] != NULL)
    convert->note = _vireo_store_describe_users (convert->old_path, (const char * const *) users);
  else if (g_unlink (convert->old_path) != 0 && errno != ENOENT)
    convert->note = g_strdup_printf (_("Kept %s: %s"), convert->old_path, g_strerror (errno));
  else
    convert->note = g_strdup_printf (_("Deleted %s"), convert->old_path);
  g_task_return_boolean (task, TRUE);
}

static void
on_old_removed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_return_boolean (task, TRUE);
}

/* Main context: the definition is written; the list learns of it, and
 * the locks go at once, so that the caller may start the VM from its
 * callback. */
static void
on_converted (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Convert *convert = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean done = vireo_job_run_finish (VIREO_JOB (source), result, &error);

  if (done)
    _vireo_local_backend_apply_definition (g_task_get_source_object (task), convert->after);
  g_clear_pointer (&convert->run_lock, vireo_lock_free);
  g_clear_pointer (&convert->change_lock, vireo_lock_free);
  if (!done)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("VM '%s': disk %s was not converted: "), convert->name, convert->target);
      g_task_return_error (task, error);
      return;
    }
  if (convert->remove_old)
    {
      VireoLocalBackend *engine = g_task_get_source_object (task);
      GTask *step = g_task_new (engine, NULL, on_old_removed, g_steal_pointer (&task));

      g_task_set_task_data (step, convert, NULL);
      g_task_run_in_thread (step, remove_old_in_thread);
      g_object_unref (step);
      return;
    }
  if (convert->remove_asked)
    /* Translators: the raw image, kept after a conversion that was asked to delete it */
    convert->note = g_strdup_printf (_("Kept %s: only images in Vireo's images folder that no other "
                                       "VM uses are deleted"), convert->old_path);
  else
    /* Translators: after a conversion: "Kept /…/web-vdb.img" (the raw image) */
    convert->note = g_strdup_printf (_("Kept %s"), convert->old_path);
  g_task_return_boolean (task, TRUE);
}

/**
 * vireo_disks_convert_async:
 * @engine: the engine that holds @domain
 * @domain: a shut-off VM
 * @target: its raw, writable disk ("vdb")
 * @remove_old: also delete the raw image, when it is Vireo's own (in the
 *   images folder, see vireo_local_backend_image_deletable()) and no other VM
 *   uses it; any other raw image is always kept
 * @job: (out) (optional) (transfer full) (nullable): the job that copies
 *   the image, for its progress (0..1) and title; %NULL when the
 *   conversion is refused at once
 * @cancellable: (nullable): kills a running qemu-img; the new image is
 *   removed and the definition is left as it was
 *
 * Copies disk @target of @domain into a new qcow2 image in the images
 * folder (VM-vdb.qcow2, or VM-vdb-2.qcow2… when taken) and rewrites the
 * definition to use it (see the top of vireo-disks-convert.c).  The
 * VM's locks are held until the conversion ends, so a start or another
 * change is refused as busy.  Files are read and written on the worker
 * pool; the list learns of the new definition on the caller's main
 * context.
 */
void
vireo_disks_convert_async (VireoLocalBackend    *engine,
                           VireoDomain          *domain,
                           const char           *target,
                           gboolean              remove_old,
                           VireoJob            **job,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *title = NULL;
  GError *error = NULL;
  Convert *convert;

  if (job)
    *job = NULL;
  g_return_if_fail (VIREO_IS_LOCAL_BACKEND (engine));
  g_return_if_fail (VIREO_IS_LOCAL_DOMAIN (domain));
  g_return_if_fail (target != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_disks_convert_async);
  /* the job decides: a cancel it saw put everything back and says so */
  g_task_set_check_cancellable (task, FALSE);
  convert = prepare (engine, domain, target, remove_old, &error);
  if (convert == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, convert, (GDestroyNotify) convert_free);
  /* Translators: a job's title, "Converting disk vdb of VM 'web' to qcow2" */
  title = g_strdup_printf (_("Converting disk %s of VM '%s' to qcow2"), target, convert->name);
  convert->job = vireo_job_new (title, convert_run, convert_rollback, convert, NULL);
  if (job)
    *job = g_object_ref (convert->job);
  vireo_job_run_async (convert->job, cancellable, on_converted, g_steal_pointer (&task));
}

/**
 * vireo_disks_convert_finish:
 * @old_note: (out) (optional) (transfer full): what became of the raw
 *   image, one translated line: "Kept /…/web-vdb.img", "Deleted …", or
 *   "Kept …: VM 'db' uses it"
 *
 * Returns: (transfer full) (nullable): the new qcow2 image's path
 */
char *
vireo_disks_convert_finish (VireoLocalBackend  *engine,
                            GAsyncResult       *result,
                            char              **old_note,
                            GError            **error)
{
  Convert *convert;

  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_disks_convert_async), NULL);

  if (old_note)
    *old_note = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  convert = g_task_get_task_data (G_TASK (result));
  if (old_note)
    *old_note = g_strdup (convert->note);
  return g_strdup (convert->dest);
}
