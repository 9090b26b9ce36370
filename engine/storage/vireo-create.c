/* vireo-create.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checks come first (name and numbers on the calling thread, files and
 * network on the worker pool), so a bad choice costs nothing; then the
 * disk is made on a worker thread as a job the caller can watch; then the
 * definition is written.  A failure at any step removes the disk
 * this call created, and nothing else.
 */
#include <glib/gstdio.h>
#include <unistd.h>

#include "vireo-create-private.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-host.h"
#include "vireo-ids.h"
#include "vireo-storage.h"
#include "vireo-i18n.h"

VireoCreateOptions *
vireo_create_options_new (void)
{
  VireoCreateOptions *options = g_new0 (VireoCreateOptions, 1);

  options->memory_mib = MIN (vireo_create_default_memory_mib (), vireo_create_max_memory_mib ());
  options->vcpus = MIN (VIREO_CREATE_DEFAULT_VCPUS, vireo_create_max_vcpus ());
  options->accel = VIREO_ACCEL_AUTO;
  options->forwards = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_port_forward_free);
  return options;
}

void
vireo_create_options_free (VireoCreateOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->name);
  g_free (options->title);
  g_free (options->import_path);
  g_free (options->cdrom);
  g_free (options->kernel);
  g_free (options->initrd);
  g_free (options->cmdline);
  g_free (options->network);
  g_free (options->disk_folder);
  g_clear_pointer (&options->forwards, g_ptr_array_unref);
  g_free (options);
}

static guint64
host_memory_mib (void)
{
  long pages = sysconf (_SC_PHYS_PAGES);
  long size = sysconf (_SC_PAGESIZE);

  return pages > 0 && size > 0 ? (guint64) pages * size / (1024 * 1024) : 4096;
}

/**
 * vireo_create_default_memory_mib:
 * A quarter of the host's memory, between 512 MiB and 4 GiB.
 */
guint
vireo_create_default_memory_mib (void)
{
  return CLAMP (host_memory_mib () / 4 / 256 * 256, 512, 4096);
}

/**
 * vireo_create_max_memory_mib:
 * What a VM may have without starving the host: all but 512 MiB.
 */
guint
vireo_create_max_memory_mib (void)
{
  guint64 host = host_memory_mib ();

  return host > 1024 ? host - 512 : host / 2;
}

/**
 * vireo_create_max_vcpus:
 * As many vCPUs as the host has CPUs: more only slow the guest down.
 */
guint
vireo_create_max_vcpus (void)
{
  return CLAMP (g_get_num_processors (), 1, VIREO_CREATE_MAX_VCPUS);
}

/**
 * vireo_create_default_firmware:
 * @installer: the new VM boots an installer ISO
 * @efi: (out): whether it boots through UEFI
 * @tpm: (out): whether it has a TPM 2.0
 *
 * The firmware a new VM gets unless the user chooses: an installer boots
 * through UEFI, with a TPM (as Windows 11 and current distributions
 * expect), when OVMF is installed (vireo_host_find_ovmf()); a kernel, an
 * imported image or a host without OVMF gets BIOS and no TPM.
 */
void
vireo_create_default_firmware (gboolean  installer,
                               gboolean *efi,
                               gboolean *tpm)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("new");
  g_autofree char *code = NULL;
  g_autofree char *vars = NULL;

  vireo_domain_config_set_firmware (config, TRUE);
  *efi = installer && vireo_host_find_ovmf (config, &code, &vars, NULL);
  *tpm = *efi;
}

/* The vCPUs every host's new VM may have (its memory is each host's
 * rule: _vireo_create_check_memory()) */
static gboolean
check_vcpus (const VireoCreateOptions *o,
             GError                  **error)
{
  if (o->vcpus >= 1 && o->vcpus <= VIREO_CREATE_MAX_VCPUS)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               _("VM '%s': vCPUs must be from 1 to %u (%u asked)"),
               o->name, VIREO_CREATE_MAX_VCPUS, o->vcpus);
  return FALSE;
}

/**
 * _vireo_create_check_memory:
 * @host_mib: the memory of the host the VM goes to
 * @host: the host, for the message: "this computer", "host 'lab'"
 *
 * The one rule for a new VM's memory: at least
 * %VIREO_CREATE_MIN_MEMORY_MIB, and not so much that it starves its host
 * (all but 512 MiB: vireo_create_max_memory_mib() on this computer).
 */
gboolean
_vireo_create_check_memory (const char  *name,
                            guint        memory_mib,
                            guint64      host_mib,
                            const char  *host,
                            GError     **error)
{
  guint max_memory = (guint) MIN (host_mib > 1024 ? host_mib - 512 : host_mib / 2, G_MAXUINT);

  if (memory_mib >= VIREO_CREATE_MIN_MEMORY_MIB && memory_mib <= max_memory)
    return TRUE;
  /* Translators: "VM 'web': memory must be from 64 to 3584 MiB on this computer (8000 MiB asked)" */
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               _("VM '%s': memory must be from %u to %u MiB on %s (%u MiB asked)"),
               name, VIREO_CREATE_MIN_MEMORY_MIB, max_memory, host, memory_mib);
  return FALSE;
}

typedef struct {
  VireoDomainConfig *config;
  char *disk;           /* made by this call once the job succeeded */
  VireoJob *job;
  /* files as the caller named them, looked at on the worker */
  char *kernel;
  char *initrd;
  char *cdrom;
  char *import_path;
  char *network;
  char *network_file;
  char *iso;            /* the worker's answer for @cdrom */
} Create;

static void
create_free (Create *create)
{
  vireo_domain_config_free (create->config);
  g_free (create->disk);
  g_clear_object (&create->job);
  g_free (create->kernel);
  g_free (create->initrd);
  g_free (create->cdrom);
  g_free (create->import_path);
  g_free (create->network);
  g_free (create->network_file);
  g_free (create->iso);
  g_free (create);
}

/* The forwards go to the user-mode NIC; the definition's rules check them. */
static gboolean
add_forwards (VireoDomainConfig        *config,
              const VireoCreateOptions *o,
              GError                  **error)
{
  VireoNicConfig *nic = vireo_domain_config_first_user_nic (config);

  if (o->forwards->len == 0)
    return TRUE;
  if (nic == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': port forwards need user-mode networking"), o->name);
      return FALSE;
    }
  for (guint i = 0; i < o->forwards->len; i++)
    g_ptr_array_add (nic->forwards, vireo_port_forward_copy (g_ptr_array_index (o->forwards, i)));
  return TRUE;
}

/* Main thread, memory only: the choices that need no file, and a config
 * that lacks its files and its disks; a NIC on a named network names it,
 * whose existence is the host's to check. */
static VireoDomainConfig *
build_config (VireoBackend              *backend,
              const VireoCreateOptions  *o,
              GError                   **error)
{
  g_autoptr(VireoDomainConfig) config = NULL;

  if (!vireo_backend_check_new_name (backend, o->name, error))
    return NULL;
  if (o->disk_bytes > 0 && o->import_path)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': choose a new disk or an imported one, not both"), o->name);
      return NULL;
    }
  if ((o->initrd || o->cmdline) && !o->kernel)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': an initrd and a kernel command line need a kernel"), o->name);
      return NULL;
    }
  if (!check_vcpus (o, error))
    return NULL;

  config = vireo_domain_config_new (o->name);
  config->title = g_strdup (o->title);
  config->memory_kib = config->current_memory_kib = (guint64) o->memory_mib * 1024;
  config->vcpus = o->vcpus;
  config->accel = o->accel;
  vireo_domain_config_set_firmware (config, o->efi);
  config->cmdline = o->kernel ? g_strdup (o->cmdline) : NULL;
  /* the model virt-manager picks for a TPM 2.0 on q35 */
  config->tpm_model = o->tpm ? g_strdup ("tpm-crb") : NULL;

  if (o->network == NULL || g_str_equal (o->network, "user"))
    {
      g_autofree char *mac = vireo_backend_generate_mac (backend);
      g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_USER, NULL, mac));
    }
  else if (!g_str_equal (o->network, "none"))
    {
      g_autofree char *mac = vireo_backend_generate_mac (backend);

      g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_NETWORK, o->network, mac));
    }
  if (!add_forwards (config, o, error))
    return NULL;
  return g_steal_pointer (&config);
}

/* Worker thread: the files the options name.  Touches only @create. */
static gboolean
check_files (Create  *create,
             GError **error)
{
  VireoDomainConfig *config = create->config;
  const char *name = config->name;
  g_autofree char *source = NULL;

  if (create->kernel && !(config->kernel = vireo_storage_existing_file (name, _("kernel"), create->kernel, error)))
    return FALSE;
  if (create->initrd && !(config->initrd = vireo_storage_existing_file (name, _("initrd"), create->initrd, error)))
    return FALSE;
  if (create->cdrom && !(create->iso = vireo_storage_existing_file (name, _("CD-ROM image"), create->cdrom, error)))
    return FALSE;
  if (create->network && (create->network_file == NULL || !g_file_test (create->network_file, G_FILE_TEST_EXISTS)))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("VM '%s': network '%s' is not defined (use user-mode networking)"),
                   name, create->network);
      return FALSE;
    }
  if (create->import_path &&
      !(source = vireo_storage_existing_file (name, _("disk image"), create->import_path, error)))
    return FALSE;
  if (source != NULL)
    {
      /* refused before anything is made; the import job checks again */
      g_autofree char *format = vireo_storage_check_image (name, NULL, source, NULL, NULL, error);
      return format != NULL;
    }
  return TRUE;
}

static void
check_files_in_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  GError *error = NULL;

  if (check_files (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static char *
disk_path (VireoLocalBackend        *engine,
           const VireoCreateOptions *options)
{
  g_autofree char *base = NULL;
  g_autofree char *dir = NULL;

  if (options->disk_folder == NULL || *options->disk_folder == '\0')
    return vireo_local_backend_default_disk_path (engine, options->name);
  base = g_strconcat (options->name, ".qcow2", NULL);
  dir = g_canonicalize_filename (options->disk_folder, NULL);
  return g_build_filename (dir, base, NULL);
}

static void
on_defined (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Create *create = g_task_get_task_data (task);
  GError *error = NULL;
  VireoDomain *domain = vireo_backend_define_domain_finish (VIREO_BACKEND (source), result, &error);

  if (domain == NULL && create->disk)
    {
      /* the disk job never overwrites, so a created disk is ours */
      vireo_task_return_error_after_deleting (g_steal_pointer (&task), create->disk, error);
    }
  else if (domain == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, domain, g_object_unref);
}

static void
on_disk_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoLocalBackend *engine = g_task_get_source_object (task);
  Create *create = g_task_get_task_data (task);
  GCancellable *cancellable;
  GError *error = NULL;

  if (source != NULL && !vireo_job_run_finish (VIREO_JOB (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (source != NULL)
    {
      create->disk = g_strdup (vireo_storage_job_get_path (VIREO_JOB (source)));
      vireo_domain_config_add_disk (create->config,
          vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", create->disk));
    }
  /* once a disk exists, the definition must follow: not cancellable */
  cancellable = create->disk ? NULL : g_task_get_cancellable (task);
  vireo_backend_define_domain_async (VIREO_BACKEND (engine), create->config, cancellable, on_defined, g_steal_pointer (&task));
}

/* Main thread, after the files were looked at: the rest of the config,
 * its rules, then the disk. */
static void
on_files_checked (GObject      *source,
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
  if (create->iso)
    {
      vireo_domain_config_add_disk (config,
          vireo_disk_config_new (VIREO_DISK_DEVICE_CDROM, VIREO_DISK_BUS_SATA, "raw", create->iso));
      g_ptr_array_add (config->boot_devs, g_strdup ("cdrom"));
    }
  if (config->kernel == NULL)
    g_ptr_array_add (config->boot_devs, g_strdup ("hd"));
  if (!vireo_domain_config_validate (config, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  cancellable = g_task_get_cancellable (task);
  if (create->job == NULL)
    on_disk_done (NULL, NULL, g_steal_pointer (&task));
  else
    vireo_job_run_async (create->job, cancellable, on_disk_done, g_steal_pointer (&task));
}

/* This computer's part: the memory it can spare, its network
 * definitions, the files the options name, then the disk (made or
 * imported into the images folder) and the definition. */
static void
local_create_domain_async (VireoBackend              *backend,
                           const VireoCreateOptions  *options,
                           VireoDomainConfig         *config,
                           VireoJob                 **disk_job,
                           GCancellable              *cancellable,
                           GAsyncReadyCallback        callback,
                           gpointer                   user_data)
{
  VireoLocalBackend *engine = VIREO_LOCAL_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (engine, cancellable, callback, user_data);
  g_autoptr(GTask) step = NULL;
  Create *create = g_new0 (Create, 1);
  GError *error = NULL;

  g_task_set_task_data (task, create, (GDestroyNotify) create_free);
  /* a caller that cancelled is told so whatever happened, since it may be
   * gone; what was made stays made (or is removed) as each step decides */
  create->config = config;
  if (!_vireo_create_check_memory (options->name, options->memory_mib, host_memory_mib (),
                                   _("this computer"), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  create->kernel = g_strdup (options->kernel);
  create->initrd = g_strdup (options->initrd);
  create->cdrom = g_strdup (options->cdrom);
  create->import_path = g_strdup (options->import_path);
  if (options->network != NULL && !g_str_equal (options->network, "user") &&
      !g_str_equal (options->network, "none"))
    {
      g_autofree char *base = g_strconcat (options->network, ".xml", NULL);

      create->network = g_strdup (options->network);
      if (vireo_name_validate (options->network, NULL))
        create->network_file = g_build_filename (vireo_local_backend_get_paths (engine)->networks_dir, base, NULL);
    }
  if (options->import_path)
    {
      g_autofree char *source = g_canonicalize_filename (options->import_path, NULL);
      g_autofree char *dest = disk_path (engine, options);

      create->job = vireo_storage_import_job (source, dest);
    }
  else if (options->disk_bytes > 0)
    {
      g_autofree char *dest = disk_path (engine, options);

      create->job = vireo_storage_create_job (dest, options->disk_bytes);
    }
  if (disk_job && create->job)
    *disk_job = g_object_ref (create->job);

  step = g_task_new (engine, cancellable, on_files_checked, g_steal_pointer (&task));
  g_task_set_task_data (step, create, NULL);
  g_task_run_in_thread (step, check_files_in_thread);
}

static VireoDomain *
local_create_domain_finish (VireoBackend  *backend,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_vireo_local_backend_class_init_create (VireoBackendClass *klass)
{
  klass->create_domain_async = local_create_domain_async;
  klass->create_domain_finish = local_create_domain_finish;
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  VireoDomain *domain = VIREO_BACKEND_GET_CLASS (source)->create_domain_finish (VIREO_BACKEND (source), result,
                                                                                &error);

  if (domain != NULL)
    g_task_return_pointer (task, domain, g_object_unref);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_create_domain_async:
 * @backend: the host the VM goes to
 * @options: (transfer none): the choices; read before this returns
 * @disk_job: (out) (optional) (transfer full) (nullable): the job that
 *   makes the disk (or uploads the files a remote host needs), to show its
 *   progress; %NULL when there is none.  It starts once the files the
 *   options name have been checked.
 * @cancellable: (nullable): stops the checks, the disk job (the half made
 *   disk is removed) and the definition's write; once a disk exists the
 *   definition is saved regardless.  A caller that cancelled is told
 *   %G_IO_ERROR_CANCELLED whatever happened (it may be gone): it looks the
 *   VM up by name to know whether it was made
 *
 * Creates and defines a VM (not started) on @backend.  The rules every
 * host shares are checked here, on the calling thread; files are looked
 * at by the host's worker threads, never on the calling thread.
 */
void
vireo_create_domain_async (VireoBackend              *backend,
                           const VireoCreateOptions  *options,
                           VireoJob                 **disk_job,
                           GCancellable              *cancellable,
                           GAsyncReadyCallback        callback,
                           gpointer                   user_data)
{
  VireoBackendClass *klass;
  VireoDomainConfig *config;
  GTask *task;
  GError *error = NULL;

  if (disk_job)
    *disk_job = NULL;
  g_return_if_fail (VIREO_IS_BACKEND (backend));
  g_return_if_fail (options != NULL && options->name != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  klass = VIREO_BACKEND_GET_CLASS (backend);
  task = g_task_new (backend, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_create_domain_async);
  if (klass->create_domain_async == NULL)
    g_set_error (&error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED, _("VM '%s': host '%s' cannot make new VMs"),
                 options->name, vireo_backend_get_title (backend));
  else if ((config = build_config (backend, options, &error)) != NULL)
    {
      klass->create_domain_async (backend, options, config, disk_job, cancellable, on_created, task);
      return;
    }
  g_task_return_error (task, error);
  g_object_unref (task);
}

/**
 * vireo_create_domain_finish:
 * Returns: (transfer full): the new VM
 */
VireoDomain *
vireo_create_domain_finish (VireoBackend  *backend,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, backend), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_create_domain_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
