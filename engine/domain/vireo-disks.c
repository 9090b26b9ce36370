/* vireo-disks.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Adding and removing disks are definition changes: a running VM keeps
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
#include "vireo-storage.h"
#include "vireo-i18n.h"

typedef struct {
  VireoDomainConfig *config;   /* the new definition */
  char *target;
  char *created;               /* the image this call made */
  char *doomed;                /* the image to delete once the definition is saved */
  VireoJob *job;
} Edit;

static void
edit_free (Edit *edit)
{
  vireo_domain_config_free (edit->config);
  g_free (edit->target);
  g_free (edit->created);
  g_free (edit->doomed);
  g_clear_object (&edit->job);
  g_free (edit);
}

static GTask *
edit_task_new (VireoEngine         *engine,
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

  if (g_unlink (edit->doomed) != 0 && errno != ENOENT)
    {
      GError *error = NULL;

      vireo_set_io_error (&error, errno, _("VM '%s': the disk was removed, but %s could not be deleted"),
                          edit->config->name, edit->doomed);
      g_task_return_error (task, error);
      return;
    }
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
  g_autoptr(VireoDomain) domain = vireo_engine_define_domain_finish (VIREO_ENGINE (source), result, &error);

  if (domain == NULL)
    {
      /* the create job never overwrites: what it made is ours */
      if (edit->created)
        g_unlink (edit->created);
      g_task_return_error (task, error);
    }
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

  /* not cancellable: once an image exists, the definition must follow */
  vireo_engine_define_domain_async (g_task_get_source_object (task), edit->config, NULL,
                                    on_defined, task);
}

static void
on_image_made (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!vireo_job_run_finish (VIREO_JOB (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  save (task);
}

/* NAME-TARGET.qcow2 in @folder, never an existing file. */
static char *
new_image_path (const char *folder,
                const char *name,
                const char *target)
{
  for (guint n = 1; ; n++)
    {
      g_autofree char *base = n == 1 ? g_strdup_printf ("%s-%s.qcow2", name, target)
                                     : g_strdup_printf ("%s-%s-%u.qcow2", name, target, n);
      g_autofree char *path = g_build_filename (folder, base, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
    }
}

static gboolean
check_request (VireoEngine            *engine,
               VireoDomain            *domain,
               const VireoDiskRequest *request,
               char                  **path,
               const char            **format,
               GError                **error)
{
  const char *name = vireo_domain_get_name (domain);
  gboolean cdrom = request->device == VIREO_DISK_DEVICE_CDROM;

  if (!cdrom && (request->new_bytes > 0) == (request->path != NULL))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': a new disk needs either a size or an existing image"), name);
      return FALSE;
    }
  *format = cdrom ? "raw" : "qcow2";
  if (request->path == NULL)
    return TRUE;
  *path = vireo_storage_existing_file (name, cdrom ? _("CD-ROM image") : _("disk image"), request->path, error);
  if (*path == NULL)
    return FALSE;
  if (cdrom)
    return TRUE;
  if (!(*format = vireo_storage_probe_format (name, *path, error)))
    return FALSE;
  /* two writers on one image corrupt it */
  if (vireo_engine_image_in_use (engine, NULL, *path))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_BUSY,
                   _("VM '%s': disk image %s is already used by a VM"), name, *path);
      return FALSE;
    }
  return TRUE;
}

/**
 * vireo_disks_attach_async:
 * @job: (out) (optional) (transfer full) (nullable): the job that makes a
 *   new image, to show its progress; %NULL when nothing is made
 *
 * Adds a disk or CD-ROM drive to @domain's definition, on the first free
 * target of its bus.  vireo_disks_attach_finish() returns that target.
 */
void
vireo_disks_attach_async (VireoEngine            *engine,
                          VireoDomain            *domain,
                          const VireoDiskRequest *request,
                          VireoJob              **job,
                          GCancellable           *cancellable,
                          GAsyncReadyCallback     callback,
                          gpointer                user_data)
{
  GTask *task = edit_task_new (engine, domain, vireo_disks_attach_async, cancellable, callback, user_data);
  Edit *edit = g_task_get_task_data (task);
  g_autofree char *path = NULL;
  const char *format = NULL;
  VireoDiskConfig *disk;
  GError *error = NULL;

  if (job)
    *job = NULL;
  if (!check_request (engine, domain, request, &path, &format, &error))
    goto fail;

  disk = vireo_disk_config_new (request->device, request->bus, format, path);
  vireo_domain_config_add_disk (edit->config, disk);
  if (disk->target == NULL)
    {
      g_set_error (&error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s' has no free %s target left"), edit->config->name,
                   vireo_disk_bus_to_string (request->bus));
      goto fail;
    }
  edit->target = g_strdup (disk->target);
  if (request->device == VIREO_DISK_DEVICE_DISK && path == NULL)
    {
      const VireoPaths *paths = vireo_engine_get_paths (engine);
      const char *folder = request->folder && *request->folder ? request->folder : paths->images_dir;

      if (!vireo_paths_ensure (paths, &error))
        goto fail;
      disk->path = new_image_path (folder, edit->config->name, disk->target);
    }
  /* bus and machine rules, before an image is made */
  if (!vireo_domain_config_validate (edit->config, &error))
    goto fail;

  if (request->device == VIREO_DISK_DEVICE_DISK && path == NULL)
    {
      edit->created = g_strdup (disk->path);
      edit->job = vireo_storage_create_job (disk->path, request->new_bytes);
      if (job)
        *job = g_object_ref (edit->job);
      vireo_job_run_async (edit->job, cancellable, on_image_made, task);
      return;
    }
  save (task);
  return;

fail:
  g_task_return_error (task, error);
  g_object_unref (task);
}

/**
 * vireo_disks_attach_finish:
 * Returns: (transfer full) (nullable): the new disk's target ("vdb")
 */
char *
vireo_disks_attach_finish (VireoEngine   *engine,
                           GAsyncResult  *result,
                           GError       **error)
{
  Edit *edit = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_strdup (edit->target);
}

/**
 * vireo_disks_detach_async:
 * @remove_storage: also delete the image, if it is a writable disk that no
 *   other VM uses and the VM is shut off
 *
 * Removes disk or CD-ROM drive @target from @domain's definition.
 */
void
vireo_disks_detach_async (VireoEngine         *engine,
                          VireoDomain         *domain,
                          const char          *target,
                          gboolean             remove_storage,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = edit_task_new (engine, domain, vireo_disks_detach_async, cancellable, callback, user_data);
  Edit *edit = g_task_get_task_data (task);
  const VireoDiskConfig *disk = vireo_domain_config_lookup_disk (edit->config, target);
  const char *name = edit->config->name;

  if (disk == NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                               _("VM '%s' has no disk '%s'"), name, target);
      g_object_unref (task);
      return;
    }
  if (remove_storage)
    {
      vireo_domain_refresh_state (domain);
      if (vireo_domain_is_active (domain))
        {
          g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                                   _("VM '%s' is running; shut it down before deleting disk '%s'"),
                                   name, target);
          g_object_unref (task);
          return;
        }
      if (vireo_engine_image_deletable (engine, domain, disk))
        edit->doomed = g_strdup (disk->path);
    }
  edit->target = g_strdup (target);
  vireo_domain_config_remove_disk (edit->config, target);
  save (task);
}

gboolean
vireo_disks_detach_finish (VireoEngine   *engine,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
