/* vireo-disks.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A VM of this machine: adding and removing disks are definition changes: a running VM keeps
 * its devices until it next starts (its domain then reports pending
 * changes).  Every check runs before anything is made, a new image is
 * made by a job the caller can watch and cancel, and an image this call
 * made is removed again if the definition cannot be written.
 */
#include <errno.h>
#include <glib/gstdio.h>

#include "vireo-disks.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-local-domain-private.h"
#include "vireo-domain-lock.h"
#include "vireo-storage.h"
#include "vireo-store.h"
#include "vireo-i18n.h"

typedef struct {
  VireoDomainConfig *config;   /* the new definition */
  char *target;
  char *created;               /* the image this call made */
  char *doomed;                /* the image to delete once the definition is saved */
  GStrv doomed_bases;          /* its bases, nearest first, each deleted too if no VM uses it then */
  VireoJob *job;
  /* what vireo_disks_attach_async() was asked, for the worker thread */
  gboolean cdrom;
  char *path;                  /* the existing image, as the caller wrote it */
  char *resolved;              /* the worker's answer: an absolute path */
  const char *format;          /* the worker's answer: "qcow2" or "raw" */
} Edit;

static void
edit_free (Edit *edit)
{
  vireo_domain_config_free (edit->config);
  g_free (edit->target);
  g_free (edit->created);
  g_free (edit->doomed);
  g_strfreev (edit->doomed_bases);
  g_clear_object (&edit->job);
  g_free (edit->path);
  g_free (edit->resolved);
  g_free (edit);
}

static GTask *
edit_task_new (VireoLocalBackend   *engine,
               VireoDomain         *domain,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (engine, cancellable, callback, user_data);
  Edit *edit = g_new0 (Edit, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, edit, (GDestroyNotify) edit_free);
  /* a caller that cancelled is told so whatever happened, since it may be
   * gone; the definition follows the real outcome */
  edit->config = vireo_domain_config_copy (vireo_domain_get_config (domain));
  return task;
}

static void
delete_doomed (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Edit *edit = task_data;
  const VireoPaths *paths = vireo_local_backend_get_paths (source_object);
  GError *error = NULL;
  /* the image was chosen from the list in memory: asked again of the
   * definitions on disk, and deleted before anyone can begin to use it */
  g_autoptr(VireoLock) definitions = _vireo_domain_lock_definitions (paths, edit->config->name, &error);
  g_auto(GStrv) users = definitions ? _vireo_store_image_users (paths, edit->doomed, NULL, &error) : NULL;

  if (users == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (users[0] != NULL)
    g_message ("VM '%s': %s kept: VM '%s' uses it now", edit->config->name, edit->doomed, users[0]);
  else if (g_unlink (edit->doomed) != 0 && errno != ENOENT)
    {
      vireo_set_io_error (&error, errno, _("VM '%s': the disk was removed, but %s could not be deleted"),
                          edit->config->name, edit->doomed);
      g_task_return_error (task, error);
      return;
    }
  if (edit->doomed_bases != NULL)
    _vireo_store_delete_unused_bases (paths, edit->config->name, (const char * const *) edit->doomed_bases);
  g_task_return_boolean (task, TRUE);
}

static void
on_defined (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Edit *edit = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(VireoDomain) domain = vireo_backend_define_domain_finish (VIREO_BACKEND (source), result, &error);

  if (domain == NULL && edit->created)
    {
      /* the create job never overwrites: what it made is ours */
      vireo_task_return_error_after_deleting (g_steal_pointer (&task), edit->created, error);
    }
  else if (domain == NULL)
    g_task_return_error (task, error);
  else if (edit->doomed)
    g_task_run_in_thread (task, delete_doomed);
  else
    g_task_return_boolean (task, TRUE);
}

/* Takes @task: the last step. */
static void
save (GTask *task)
{
  Edit *edit = g_task_get_task_data (task);

  /* once an image exists, the definition must follow: not cancellable */
  vireo_backend_define_domain_async (VIREO_BACKEND (g_task_get_source_object (task)), edit->config,
                                     edit->created ? NULL : g_task_get_cancellable (task),
                                     on_defined, task);
}

static void
on_image_made (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  Edit *edit = g_task_get_task_data (task);
  VireoDiskConfig *disk = vireo_domain_config_lookup_disk (edit->config, edit->target);
  GError *error = NULL;

  if (!vireo_job_run_finish (VIREO_JOB (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* the job took the next free name if the first was taken */
  g_free (disk->path);
  disk->path = g_strdup (vireo_storage_job_get_path (VIREO_JOB (source)));
  edit->created = g_strdup (disk->path);
  save (task);
}

/* Takes @task: the bus and machine rules, then the definition. */
static void
validate_and_save (GTask *task)
{
  Edit *edit = g_task_get_task_data (task);
  GError *error = NULL;

  if (vireo_domain_config_validate (edit->config, &error))
    {
      save (task);
      return;
    }
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* Worker thread: the existing image or ISO the request names.  Reads
 * only @edit's own fields. */
static void
inspect_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Edit *edit = task_data;
  const char *name = edit->config->name;
  GError *error = NULL;

  edit->format = edit->cdrom ? "raw" : "qcow2";
  edit->resolved = vireo_storage_existing_file (name, edit->cdrom ? _("CD-ROM image") : _("disk image"),
                                                edit->path, &error);
  if (edit->resolved != NULL && !edit->cdrom)
    edit->format = vireo_storage_probe_format (name, edit->resolved, &error);
  /* the format is known from here on: qemu-img checks the image names
   * no other file under it */
  if (edit->resolved != NULL && !edit->cdrom && error == NULL)
    {
      g_autofree char *checked = vireo_storage_check_image (name, edit->target, edit->resolved,
                                                            edit->format, NULL, &error);
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Main thread, after the file was looked at: the rules that need the
 * other VMs, then the definition. */
static void
on_inspected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Edit *edit = g_task_get_task_data (task);
  VireoDiskConfig *disk = vireo_domain_config_lookup_disk (edit->config, edit->target);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    goto fail;
  g_free (disk->format);
  disk->format = g_strdup (edit->format);
  disk->path = g_strdup (edit->resolved);
  /* two writers on one image corrupt it */
  if (!edit->cdrom && vireo_local_backend_image_in_use (VIREO_LOCAL_BACKEND (source), NULL, disk->path))
    {
      g_set_error (&error, VIREO_ERROR, VIREO_ERROR_BUSY,
                   _("VM '%s': disk image %s is already used by a VM"), edit->config->name, disk->path);
      goto fail;
    }
  validate_and_save (task);
  return;

fail:
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* Takes @task.  A new image: its place is a name (the job takes the next
 * free one and makes the folder), the rules are checked before it is
 * made. */
static void
make_image (GTask                  *task,
            const VireoDiskRequest *request,
            VireoJob              **job)
{
  VireoLocalBackend *engine = g_task_get_source_object (task);
  Edit *edit = g_task_get_task_data (task);
  VireoDiskConfig *disk = vireo_domain_config_lookup_disk (edit->config, edit->target);
  const char *folder = request->folder && *request->folder ? request->folder
                                                           : vireo_local_backend_get_paths (engine)->images_dir;
  g_autofree char *base = g_strdup_printf ("%s-%s.qcow2", edit->config->name, edit->target);
  g_autofree char *dir = g_canonicalize_filename (folder, NULL);
  GError *error = NULL;

  g_free (disk->format);
  disk->format = g_strdup ("qcow2");
  disk->path = g_build_filename (dir, base, NULL);
  /* bus and machine rules, before an image is made */
  if (!vireo_domain_config_validate (edit->config, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  edit->job = vireo_storage_create_free_job (disk->path, request->new_bytes);
  if (job)
    *job = g_object_ref (edit->job);
  vireo_job_run_async (edit->job, g_task_get_cancellable (task), on_image_made, task);
}

/* The local class's attach_disk: the wrapper (vireo-domain-disks.c) has
 * checked the state and the request's shape.  Files are looked at on the
 * worker pool, never on the calling thread; the definition is written
 * through vireo_backend_define_domain_async().  Once a new image exists,
 * cancelling still saves the definition, and the result says so. */
static void
local_attach_disk_async (VireoDomain             *domain,
                         const VireoDiskRequest  *request,
                         VireoJob               **job,
                         GCancellable            *cancellable,
                         GAsyncReadyCallback      callback,
                         gpointer                 user_data)
{
  VireoLocalBackend *engine = VIREO_LOCAL_BACKEND (vireo_domain_get_backend (domain));
  g_autoptr(GTask) step = NULL;
  GTask *task;
  Edit *edit;
  VireoDiskConfig *disk;

  task = edit_task_new (engine, domain, local_attach_disk_async, cancellable, callback, user_data);
  edit = g_task_get_task_data (task);
  edit->cdrom = request->device == VIREO_DISK_DEVICE_CDROM;
  disk = vireo_disk_config_new (request->device, request->bus, edit->cdrom ? "raw" : "qcow2", NULL);
  vireo_domain_config_add_disk (edit->config, disk);
  if (disk->target == NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                               _("VM '%s' has no free %s target left"), edit->config->name,
                               vireo_disk_bus_to_string (request->bus));
      g_object_unref (task);
      return;
    }
  edit->target = g_strdup (disk->target);
  if (request->path == NULL && !edit->cdrom)
    {
      make_image (task, request, job);
      return;
    }
  if (request->path == NULL)
    {
      validate_and_save (task);
      return;
    }
  edit->path = g_strdup (request->path);
  step = g_task_new (engine, cancellable, on_inspected, task);
  g_task_set_task_data (step, edit, NULL);
  g_task_run_in_thread (step, inspect_in_thread);
}

static char *
local_attach_disk_finish (VireoDomain   *domain,
                          GAsyncResult  *result,
                          GError       **error)
{
  Edit *edit;

  edit = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_strdup (edit->target);
}

/* The local class's detach_disk: the wrapper has checked the state, the
 * drive and that a VM whose image goes is off.  Once the definition is
 * written the change completes (the image is deleted too, on the worker
 * pool) and the result says so. */
static void
local_detach_disk_async (VireoDomain         *domain,
                         const char          *target,
                         gboolean             remove_storage,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  VireoLocalBackend *engine = VIREO_LOCAL_BACKEND (vireo_domain_get_backend (domain));
  GTask *task = edit_task_new (engine, domain, local_detach_disk_async, cancellable, callback, user_data);
  Edit *edit = g_task_get_task_data (task);
  const VireoDiskConfig *disk = vireo_domain_config_lookup_disk (edit->config, target);

  if (remove_storage && disk != NULL && vireo_local_backend_image_deletable (engine, domain, disk))
    {
      edit->doomed = g_strdup (disk->path);
      edit->doomed_bases = g_strdupv (disk->backing);
    }
  edit->target = g_strdup (target);
  vireo_domain_config_remove_disk (edit->config, target);
  save (task);
}

static gboolean
local_detach_disk_finish (VireoDomain   *domain,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_vireo_local_domain_class_init_disks (VireoDomainClass *klass)
{
  klass->attach_disk_async = local_attach_disk_async;
  klass->attach_disk_finish = local_attach_disk_finish;
  klass->detach_disk_async = local_detach_disk_async;
  klass->detach_disk_finish = local_detach_disk_finish;
}
