/* vireo-libvirt-create.c: a new VM on a libvirt host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What every host makes of the user's choices comes ready
 * (vireo_create_domain_async()); the host adds what only it knows, in one
 * job on its workers: the memory it can spare (virNodeGetInfo), whether
 * its QEMU has KVM (its domain capabilities: an "automatic" accelerator
 * becomes KVM or TCG there, since libvirt's definition names one), that
 * the named network is one of its own, and the files.  A new disk is a
 * qcow2 volume of its "default" pool; an imported image is copied into a
 * new volume (streamed over the host's connection, as is a CD-ROM image
 * that is no volume of the host when the host is not this machine).  The
 * machine type and emulator are libvirt's defaults for the architecture,
 * UEFI its firmware auto-selection.  Every volume this call made goes
 * again if a later step fails.
 */
#include "vireo-create-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"
#include "vireo-storage.h"

typedef struct {
  VireoDomainConfig *config;  /* what every host makes of the choices; then the host's */
  char *host;
  gboolean files_here;        /* the host's paths are this machine's */
  guint memory_mib;
  guint64 disk_bytes;
  char *import_path;
  char *cdrom;
  char *kernel;
  char *initrd;
  char *network;
  VireoJob *job;              /* the disk's and the uploads' progress */
  virConnectPtr conn;         /* the worker's, while the job runs */
  GPtrArray *created;         /* the volumes this call made, removed on failure */
  char *disk;                 /* the new VM's disk on the host */
  char *disk_format;
  char *iso;                  /* its CD-ROM image on the host */
  GError *error;              /* the failure to tell once the rollback is done */
} Create;

static void
create_free (Create *create)
{
  vireo_domain_config_free (create->config);
  g_free (create->host);
  g_free (create->import_path);
  g_free (create->cdrom);
  g_free (create->kernel);
  g_free (create->initrd);
  g_free (create->network);
  g_clear_object (&create->job);
  g_ptr_array_unref (create->created);
  g_free (create->disk);
  g_free (create->disk_format);
  g_free (create->iso);
  g_clear_error (&create->error);
  g_free (create);
}

/* Worker thread -------------------------------------------------------- */

/* The host's limits: its memory, KVM, the network */
static gboolean
check_host (Create   *create,
            GError  **error)
{
  VireoDomainConfig *config = create->config;
  g_autofree char *host = g_strdup_printf (_("host '%s'"), create->host);
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), config->name);
  virNodeInfo info;
  char *caps;

  _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
  if (virNodeGetInfo (create->conn, &info) < 0)
    {
      g_propagate_error (error, _vireo_libvirt_error (what));
      return FALSE;
    }
  if (!_vireo_create_check_memory (config->name, create->memory_mib, info.memory / 1024, host, error))
    return FALSE;
  /* the host's QEMU for the machine type, with KVM or without; libvirt
   * puts in the emulator its capabilities name for both */
  caps = config->accel == VIREO_ACCEL_TCG ? NULL
       : virConnectGetDomainCapabilities (create->conn, NULL, "x86_64", config->machine, "kvm", 0);
  virResetLastError ();
  if (config->accel == VIREO_ACCEL_KVM && caps == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
                   _("VM '%s': host '%s' has no KVM; choose TCG (emulation)"), config->name, create->host);
      return FALSE;
    }
  if (config->accel == VIREO_ACCEL_AUTO)
    config->accel = caps != NULL ? VIREO_ACCEL_KVM : VIREO_ACCEL_TCG;
  if (caps == NULL &&
      (caps = virConnectGetDomainCapabilities (create->conn, NULL, "x86_64", config->machine, "qemu", 0)) == NULL &&
      virGetLastErrorCode () != VIR_ERR_NO_SUPPORT)
    {
      /* Translators: "VM 'web': host 'lab' runs no QEMU for x86_64 machine q35: …" */
      g_autofree char *why = g_strdup_printf (_("VM '%s': host '%s' runs no QEMU for x86_64 machine %s"),
                                              config->name, create->host, config->machine);

      g_propagate_error (error, _vireo_libvirt_error (why));
      return FALSE;
    }
  virResetLastError ();
  free (caps);
  if (create->network != NULL)
    {
      virNetworkPtr network = virNetworkLookupByName (create->conn, create->network);

      virResetLastError ();
      if (network == NULL)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                       _("VM '%s': network '%s' is not defined on host '%s'"),
                       config->name, create->network, create->host);
          return FALSE;
        }
      virNetworkFree (network);
    }
  return TRUE;
}

/* A kernel or initrd: a file of this machine when the host's paths are
 * ours, looked at; else a path on the host, as given */
static char *
host_file (Create      *create,
           const char  *what,
           const char  *path,
           GError     **error)
{
  if (create->files_here)
    return vireo_storage_existing_file (create->config->name, what, path, error);
  return g_strdup (path);
}

/* The CD-ROM image: a volume of the host as it is; a file of this
 * machine as it is when the host's paths are ours, else uploaded */
static gboolean
place_iso (Create        *create,
           GCancellable  *cancellable,
           GError       **error)
{
  gboolean uploaded;

  create->iso = _vireo_libvirt_place_image (create->conn, create->cdrom, create->files_here, NULL,
                                            create->config->name, create->host, &uploaded, create->job,
                                            cancellable, error);
  if (uploaded)
    g_ptr_array_add (create->created, g_strdup (create->iso));
  return create->iso != NULL;
}

/* The disk: a new qcow2 volume, or the imported image copied into one */
static gboolean
place_disk (Create        *create,
            GCancellable  *cancellable,
            GError       **error)
{
  const char *name = create->config->name;
  g_autofree char *local = NULL;
  virStoragePoolPtr pool;

  if (create->import_path != NULL)
    {
      if ((local = vireo_storage_existing_file (name, _("disk image"), create->import_path, error)) == NULL ||
          (create->disk_format = vireo_storage_check_image (name, NULL, local, NULL, NULL, error)) == NULL)
        return FALSE;
      if (!g_str_equal (create->disk_format, "qcow2") && !g_str_equal (create->disk_format, "raw"))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       _("VM '%s': %s is a %s image; a libvirt host takes qcow2 or raw images"),
                       name, local, create->disk_format);
          return FALSE;
        }
    }
  if ((pool = _vireo_libvirt_find_pool (create->conn, NULL, name, create->host, error)) == NULL)
    return FALSE;
  if (local != NULL)
    {
      vireo_job_set_text (create->job, local);
      create->disk = _vireo_libvirt_upload (create->conn, pool, local, name,
                                            g_str_equal (create->disk_format, "qcow2") ? ".qcow2" : ".img",
                                            FALSE, NULL, name, create->job, cancellable, error);
    }
  else
    {
      create->disk_format = g_strdup ("qcow2");
      create->disk = _vireo_libvirt_make_volume (pool, name, ".qcow2", create->disk_bytes, "qcow2", name, error);
    }
  virStoragePoolFree (pool);
  if (create->disk != NULL)
    g_ptr_array_add (create->created, g_strdup (create->disk));
  return create->disk != NULL;
}

/* The files, then the volumes, told through @create->job */
static gboolean
place_files (Create        *create,
             GCancellable  *cancellable,
             GError       **error)
{
  VireoDomainConfig *config = create->config;

  if (create->kernel && !(config->kernel = host_file (create, _("kernel"), create->kernel, error)))
    return FALSE;
  if (create->initrd && !(config->initrd = host_file (create, _("initrd"), create->initrd, error)))
    return FALSE;
  if (create->cdrom && !place_iso (create, cancellable, error))
    return FALSE;
  if ((create->disk_bytes > 0 || create->import_path) && !place_disk (create, cancellable, error))
    return FALSE;
  return TRUE;
}

static void
delete_created (Create *create)
{
  for (guint i = 0; i < create->created->len; i++)
    {
      const char *path = g_ptr_array_index (create->created, i);
      g_autofree char *what = g_strdup_printf (_("VM '%s': %s"), create->config->name, path);
      g_autoptr(GError) error = NULL;

      if (!_vireo_libvirt_delete_volume (create->conn, path, what, &error))
        g_warning ("%s", error->message);
    }
  g_ptr_array_set_size (create->created, 0);
}

static void
prepare_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Create *create = task_data;
  GError *error = NULL;

  if ((create->conn = _vireo_libvirt_get_conn (source_object, &error)) != NULL)
    {
      /* the job's work runs here, in the host's worker: it reports
       * through the job, nobody runs the job itself */
      if (check_host (create, &error) && !g_cancellable_set_error_if_cancelled (cancellable, &error) &&
          place_files (create, cancellable, &error))
        vireo_job_set_progress (create->job, 1.0);
      if (error != NULL)
        delete_created (create);
      virConnectClose (create->conn);
      create->conn = NULL;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* A rollback after the definition failed */
static void
rollback_in_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Create *create = task_data;
  GError *error = NULL;

  if ((create->conn = _vireo_libvirt_get_conn (source_object, &error)) != NULL)
    {
      delete_created (create);
      virConnectClose (create->conn);
      create->conn = NULL;
    }
  else
    g_warning ("%s", error->message);
  g_clear_error (&error);
  g_task_return_boolean (task, TRUE);
}

/* Main thread ---------------------------------------------------------- */

static void
on_rolled_back (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Create *create = g_task_get_task_data (task);

  g_task_return_error (task, g_steal_pointer (&create->error));
}

/* Takes @task: tells @create->error once the volumes this call made
 * are gone */
static void
fail (VireoLibvirtBackend *self,
      GTask               *task)
{
  Create *create = g_task_get_task_data (task);
  g_autoptr(GTask) job = NULL;

  if (create->created->len == 0)
    {
      g_task_return_error (task, g_steal_pointer (&create->error));
      g_object_unref (task);
      return;
    }
  job = g_task_new (self, NULL, on_rolled_back, task);
  g_task_set_task_data (job, create, NULL);
  _vireo_libvirt_run (self, job, rollback_in_thread);
}

static void
on_defined (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Create *create = g_task_get_task_data (task);
  VireoDomain *domain = vireo_backend_define_domain_finish (VIREO_BACKEND (source), result, &create->error);

  if (domain == NULL)
    {
      fail (VIREO_LIBVIRT_BACKEND (source), task);
      return;
    }
  g_task_return_pointer (task, domain, g_object_unref);
  g_object_unref (task);
}

/* The files are in place: the drives, the boot order, the rules, then the
 * definition (once a volume exists, not cancellable) */
static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Create *create = g_task_get_task_data (task);
  VireoDomainConfig *config = create->config;
  GCancellable *cancellable;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (create->iso != NULL)
    {
      vireo_domain_config_add_disk (config, vireo_disk_config_new (VIREO_DISK_DEVICE_CDROM, VIREO_DISK_BUS_SATA,
                                                                   "raw", create->iso));
      g_ptr_array_add (config->boot_devs, g_strdup ("cdrom"));
    }
  if (create->disk != NULL)
    vireo_domain_config_add_disk (config, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO,
                                                                 create->disk_format, create->disk));
  if (config->kernel == NULL)
    g_ptr_array_add (config->boot_devs, g_strdup ("hd"));
  if (!vireo_domain_config_validate (config, &create->error))
    {
      fail (VIREO_LIBVIRT_BACKEND (source), g_steal_pointer (&task));
      return;
    }
  cancellable = create->created->len > 0 ? NULL : g_task_get_cancellable (task);
  vireo_backend_define_domain_async (VIREO_BACKEND (source), config, cancellable, on_defined, g_steal_pointer (&task));
}

static void
libvirt_create_domain_async (VireoBackend              *backend,
                             const VireoCreateOptions  *options,
                             VireoDomainConfig         *config,
                             VireoJob                 **disk_job,
                             GCancellable              *cancellable,
                             GAsyncReadyCallback        callback,
                             gpointer                   user_data)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) job = NULL;
  Create *create = g_new0 (Create, 1);
  GError *error = NULL;

  g_task_set_task_data (task, create, (GDestroyNotify) create_free);
  create->config = config;
  create->created = g_ptr_array_new_with_free_func (g_free);
  if (!_vireo_libvirt_check_connected (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (options->forwards->len > 0)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
                               _("VM '%s': host '%s' has no port forwards; forward ports on the host itself"),
                               options->name, vireo_backend_get_title (backend));
      return;
    }
  create->host = g_strdup (vireo_backend_get_title (backend));
  create->files_here = _vireo_libvirt_backend_files_here (self);
  create->memory_mib = options->memory_mib;
  create->disk_bytes = options->disk_bytes;
  create->import_path = g_strdup (options->import_path);
  create->cdrom = g_strdup (options->cdrom);
  create->kernel = g_strdup (options->kernel);
  create->initrd = g_strdup (options->initrd);
  if (options->network != NULL && !g_str_equal (options->network, "user") && !g_str_equal (options->network, "none"))
    create->network = g_strdup (options->network);
  /* a reporter of progress: the work runs in this call's worker job */
  create->job = vireo_job_new_progress (create->import_path || create->cdrom ? _("Copying files to the host")
                                                                             : _("Making the disk image"));
  if (disk_job != NULL && (create->disk_bytes > 0 || create->import_path || create->cdrom))
    *disk_job = g_object_ref (create->job);
  job = g_task_new (self, cancellable, on_prepared, g_steal_pointer (&task));
  /* what the job made is told, cancelled or not: it is rolled back or kept */
  g_task_set_check_cancellable (job, FALSE);
  g_task_set_task_data (job, create, NULL);
  _vireo_libvirt_run (self, job, prepare_in_thread);
}

static VireoDomain *
libvirt_create_domain_finish (VireoBackend  *backend,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_vireo_libvirt_backend_class_init_create (VireoBackendClass *klass)
{
  klass->create_domain_async = libvirt_create_domain_async;
  klass->create_domain_finish = libvirt_create_domain_finish;
}
