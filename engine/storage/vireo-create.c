/* vireo-create.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checks come first (name, files, network), so a bad choice costs nothing;
 * then the disk is made on a worker thread as a job the caller can watch;
 * then the definition is written.  A failure at any step removes the disk
 * this call created, and nothing else.
 */
#include <glib/gstdio.h>
#include <unistd.h>

#include "vireo-create.h"
#include "vireo-error.h"
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

/* The limits every front end's choices meet, in one place. */
static gboolean
check_resources (const VireoCreateOptions *o,
                 GError                  **error)
{
  guint max_memory = vireo_create_max_memory_mib ();

  if (o->memory_mib < VIREO_CREATE_MIN_MEMORY_MIB || o->memory_mib > max_memory)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': memory must be from %u to %u MiB on this computer (%u MiB asked)"),
                   o->name, VIREO_CREATE_MIN_MEMORY_MIB, max_memory, o->memory_mib);
      return FALSE;
    }
  if (o->vcpus < 1 || o->vcpus > VIREO_CREATE_MAX_VCPUS)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': vCPUs must be from 1 to %u (%u asked)"),
                   o->name, VIREO_CREATE_MAX_VCPUS, o->vcpus);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  VireoDomainConfig *config;
  char *disk;           /* created by this call */
  VireoJob *job;
} Create;

static void
create_free (Create *create)
{
  vireo_domain_config_free (create->config);
  g_free (create->disk);
  g_clear_object (&create->job);
  g_free (create);
}

/* Everything but the disk: a config that only lacks the new disk. */
static VireoDomainConfig *
build_config (VireoEngine              *engine,
              const VireoCreateOptions *o,
              GError                  **error)
{
  const VireoPaths *paths = vireo_engine_get_paths (engine);
  g_autoptr(VireoDomainConfig) config = NULL;

  if (!vireo_engine_check_new_name (engine, o->name, error))
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
  if (!check_resources (o, error))
    return NULL;

  config = vireo_domain_config_new (o->name);
  config->title = g_strdup (o->title);
  config->memory_kib = config->current_memory_kib = (guint64) o->memory_mib * 1024;
  config->vcpus = o->vcpus;
  config->accel = o->accel;

  if (o->kernel)
    {
      if (!(config->kernel = vireo_storage_existing_file (o->name, _("kernel"), o->kernel, error)))
        return NULL;
      if (o->initrd && !(config->initrd = vireo_storage_existing_file (o->name, _("initrd"), o->initrd, error)))
        return NULL;
      config->cmdline = g_strdup (o->cmdline);
    }
  if (o->cdrom)
    {
      g_autofree char *iso = vireo_storage_existing_file (o->name, _("CD-ROM image"), o->cdrom, error);
      if (iso == NULL)
        return NULL;
      vireo_domain_config_add_disk (config,
          vireo_disk_config_new (VIREO_DISK_DEVICE_CDROM, VIREO_DISK_BUS_SATA, "raw", iso));
      g_ptr_array_add (config->boot_devs, g_strdup ("cdrom"));
    }
  if (config->kernel == NULL)
    g_ptr_array_add (config->boot_devs, g_strdup ("hd"));

  if (o->network == NULL || g_str_equal (o->network, "user"))
    {
      g_autofree char *mac = vireo_engine_generate_mac (engine);
      g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_USER, NULL, mac));
    }
  else if (!g_str_equal (o->network, "none"))
    {
      g_autofree char *base = g_strconcat (o->network, ".xml", NULL);
      g_autofree char *file = g_build_filename (paths->networks_dir, base, NULL);
      g_autofree char *mac = NULL;

      if (!vireo_name_validate (o->network, NULL) || !g_file_test (file, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                       _("VM '%s': network '%s' is not defined (use user-mode networking)"),
                       o->name, o->network);
          return NULL;
        }
      mac = vireo_engine_generate_mac (engine);
      g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_NETWORK, o->network, mac));
    }
  if (!vireo_domain_config_validate (config, error))
    return NULL;
  return g_steal_pointer (&config);
}

static char *
disk_path (VireoEngine              *engine,
           const VireoCreateOptions *options)
{
  g_autofree char *base = NULL;

  if (options->disk_folder == NULL || *options->disk_folder == '\0')
    return vireo_engine_default_disk_path (engine, options->name);
  base = g_strconcat (options->name, ".qcow2", NULL);
  return g_build_filename (options->disk_folder, base, NULL);
}

static void
on_defined (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Create *create = g_task_get_task_data (task);
  GError *error = NULL;
  VireoDomain *domain = vireo_engine_define_domain_finish (VIREO_ENGINE (source), result, &error);

  if (domain == NULL)
    {
      /* the disk job never overwrites, so a created disk is ours */
      if (create->disk)
        g_unlink (create->disk);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, domain, g_object_unref);
}

static void
on_disk_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoEngine *engine = g_task_get_source_object (task);
  Create *create = g_task_get_task_data (task);
  GError *error = NULL;

  if (source != NULL && !vireo_job_run_finish (VIREO_JOB (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (create->disk)
    vireo_domain_config_add_disk (create->config,
        vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", create->disk));
  vireo_engine_define_domain_async (engine, create->config, NULL, on_defined, g_steal_pointer (&task));
}

/**
 * vireo_create_domain_async:
 * @disk_job: (out) (optional) (transfer full) (nullable): the job that
 *   makes the disk, to show its progress; %NULL when there is no disk
 *
 * Creates and defines a VM (not started).
 */
void
vireo_create_domain_async (VireoEngine              *engine,
                           const VireoCreateOptions *options,
                           VireoJob                **disk_job,
                           GCancellable             *cancellable,
                           GAsyncReadyCallback       callback,
                           gpointer                  user_data)
{
  g_autoptr(GTask) task = g_task_new (engine, cancellable, callback, user_data);
  Create *create = g_new0 (Create, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, vireo_create_domain_async);
  g_task_set_task_data (task, create, (GDestroyNotify) create_free);
  if (disk_job)
    *disk_job = NULL;

  create->config = build_config (engine, options, &error);
  if (create->config == NULL || !vireo_paths_ensure (vireo_engine_get_paths (engine), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (options->import_path)
    {
      g_autofree char *source = vireo_storage_existing_file (options->name, _("disk image"), options->import_path, &error);
      if (source == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      create->disk = disk_path (engine, options);
      create->job = vireo_storage_import_job (source, create->disk);
    }
  else if (options->disk_bytes > 0)
    {
      create->disk = disk_path (engine, options);
      create->job = vireo_storage_create_job (create->disk, options->disk_bytes);
    }

  if (create->job == NULL)
    {
      on_disk_done (NULL, NULL, g_steal_pointer (&task));
      return;
    }
  if (disk_job)
    *disk_job = g_object_ref (create->job);
  vireo_job_run_async (create->job, cancellable, on_disk_done, g_steal_pointer (&task));
}

/**
 * vireo_create_domain_finish:
 * Returns: (transfer full): the new VM
 */
VireoDomain *
vireo_create_domain_finish (VireoEngine   *engine,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
