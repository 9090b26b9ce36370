/* vireoctl-define.c: define, create and undefine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-storage.h"
#include "vireoctl.h"

int
ctl_verb_define (Ctl   *ctl,
                 int    argc,
                 char **argv)
{
  g_autoptr(VireoDomainConfig) config = NULL;
  g_autofree char *xml = NULL;
  GError *error = NULL;
  gsize len;

  if (!ctl_parse ("define", "FILE", NULL, &argc, &argv, 1))
    return CTL_USAGE;
  if (!g_file_get_contents (argv[1], &xml, &len, &error))
    return ctl_fail (error);
  config = vireo_domain_config_parse (xml, len, argv[1], &error);
  if (config == NULL || !vireo_engine_define_domain (ctl->engine, config, &error))
    return ctl_fail (error);
  printf ("Defined VM '%s'\n", config->name);
  return CTL_OK;
}

typedef struct {
  int memory_mib;
  int vcpus;
  char *disk;
  char *import;
  char *cdrom;
  char *kernel;
  char *initrd;
  char *cmdline;
  char *network;
  char *accel;
  char *title;
} CreateOptions;

static void
create_options_clear (CreateOptions *o)
{
  g_free (o->disk);
  g_free (o->import);
  g_free (o->cdrom);
  g_free (o->kernel);
  g_free (o->initrd);
  g_free (o->cmdline);
  g_free (o->network);
  g_free (o->accel);
  g_free (o->title);
}

/* Returns the absolute path of an existing, readable file, or NULL. */
static char *
existing_file (const char  *name,
               const char  *what,
               const char  *path,
               GError     **error)
{
  g_autofree char *abs = g_canonicalize_filename (path, NULL);

  if (!g_file_test (abs, G_FILE_TEST_IS_REGULAR) || access (abs, R_OK) != 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   "VM '%s': %s %s does not exist or cannot be read", name, what, path);
      return NULL;
    }
  return g_steal_pointer (&abs);
}

static void
on_progress (VireoJob   *job,
             GParamSpec *pspec,
             gpointer    user_data)
{
  fprintf (stderr, "\r%s: %3.0f %%", vireo_job_get_title (job), vireo_job_get_progress (job) * 100);
}

static gboolean
run_job (VireoJob  *job,
         GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gboolean show = isatty (STDERR_FILENO);
  gboolean ok;

  if (show)
    g_signal_connect (job, "notify::progress", G_CALLBACK (on_progress), NULL);
  vireo_job_run_async (job, NULL, ctl_done, &result);
  ok = vireo_job_run_finish (job, ctl_wait (&result), error);
  if (show)
    fprintf (stderr, "\n");
  return ok;
}

static gboolean
build_config (Ctl               *ctl,
              const char        *name,
              CreateOptions     *o,
              VireoDomainConfig *config,
              char             **created_disk,
              GError           **error)
{
  const VireoPaths *paths = vireo_engine_get_paths (ctl->engine);

  config->memory_kib = (guint64) o->memory_mib * 1024;
  config->current_memory_kib = config->memory_kib;
  config->vcpus = o->vcpus;
  config->title = g_strdup (o->title);

  if (g_strcmp0 (o->accel, "kvm") == 0)
    config->accel = VIREO_ACCEL_KVM;
  else if (g_strcmp0 (o->accel, "tcg") == 0)
    config->accel = VIREO_ACCEL_TCG;

  if (o->kernel)
    {
      if (!(config->kernel = existing_file (name, "kernel", o->kernel, error)))
        return FALSE;
      if (o->initrd && !(config->initrd = existing_file (name, "initrd", o->initrd, error)))
        return FALSE;
      config->cmdline = g_strdup (o->cmdline);
    }

  if (o->import)
    {
      g_autofree char *source = existing_file (name, "disk image", o->import, error);
      g_autofree char *dest = vireo_engine_default_disk_path (ctl->engine, name);
      g_autoptr(VireoJob) job = NULL;

      if (source == NULL)
        return FALSE;
      job = vireo_storage_import_job (source, dest);
      if (!run_job (job, error))
        return FALSE;
      *created_disk = g_strdup (dest);
    }
  else if (o->disk)
    {
      g_autofree char *dest = vireo_engine_default_disk_path (ctl->engine, name);
      g_autoptr(VireoJob) job = NULL;
      guint64 size;

      if (!vireo_storage_parse_size (o->disk, &size, error))
        return FALSE;
      job = vireo_storage_create_job (dest, size);
      if (!run_job (job, error))
        return FALSE;
      *created_disk = g_strdup (dest);
    }
  if (*created_disk)
    vireo_domain_config_add_disk (config,
        vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", *created_disk));

  if (o->cdrom)
    {
      g_autofree char *iso = existing_file (name, "CD-ROM image", o->cdrom, error);
      if (iso == NULL)
        return FALSE;
      vireo_domain_config_add_disk (config,
          vireo_disk_config_new (VIREO_DISK_DEVICE_CDROM, VIREO_DISK_BUS_SATA, "raw", iso));
      g_ptr_array_add (config->boot_devs, g_strdup ("cdrom"));
    }
  if (config->kernel == NULL)
    g_ptr_array_add (config->boot_devs, g_strdup ("hd"));

  if (o->network == NULL || g_str_equal (o->network, "user"))
    g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_USER, NULL, NULL));
  else if (!g_str_equal (o->network, "none"))
    {
      g_autofree char *base = g_strconcat (o->network, ".xml", NULL);
      g_autofree char *file = g_build_filename (paths->networks_dir, base, NULL);

      if (!vireo_name_validate (o->network, NULL) || !g_file_test (file, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                       "VM '%s': network '%s' is not defined (use --network user)", name, o->network);
          return FALSE;
        }
      g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_NETWORK, o->network, NULL));
    }
  return TRUE;
}

int
ctl_verb_create (Ctl   *ctl,
                 int    argc,
                 char **argv)
{
  CreateOptions o = { .memory_mib = 1024, .vcpus = 1 };
  GOptionEntry entries[] = {
    { "memory", 'm', 0, G_OPTION_ARG_INT, &o.memory_mib, "Memory in MiB (default 1024)", "MIB" },
    { "vcpus", 'c', 0, G_OPTION_ARG_INT, &o.vcpus, "Virtual CPUs (default 1)", "N" },
    { "disk", 0, 0, G_OPTION_ARG_STRING, &o.disk, "Create an empty qcow2 disk (20G, 512M; plain number: GiB)", "SIZE" },
    { "import", 0, 0, G_OPTION_ARG_FILENAME, &o.import, "Copy an existing image (qcow2, raw, vmdk…) as the disk", "PATH" },
    { "cdrom", 0, 0, G_OPTION_ARG_FILENAME, &o.cdrom, "Attach an ISO image and boot from it", "ISO" },
    { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &o.kernel, "Boot this kernel directly", "FILE" },
    { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &o.initrd, "Initial ramdisk for --kernel", "FILE" },
    { "cmdline", 0, 0, G_OPTION_ARG_STRING, &o.cmdline, "Kernel command line for --kernel", "TEXT" },
    { "network", 0, 0, G_OPTION_ARG_STRING, &o.network, "user (default), none, or a network's name", "NET" },
    { "accel", 0, 0, G_OPTION_ARG_STRING, &o.accel, "kvm, tcg or auto (default)", "ACCEL" },
    { "title", 0, 0, G_OPTION_ARG_STRING, &o.title, "A short description", "TEXT" },
    { NULL }
  };
  g_autoptr(VireoDomainConfig) config = NULL;
  g_autofree char *created_disk = NULL;
  GError *error = NULL;
  const char *name;
  int ret = CTL_OK;

  if (!ctl_parse ("create", "NAME", entries, &argc, &argv, 1))
    {
      create_options_clear (&o);
      return CTL_USAGE;
    }
  name = argv[1];
  if (o.disk && o.import)
    ret = ctl_usage ("create: choose --disk or --import, not both");
  else if ((o.initrd || o.cmdline) && !o.kernel)
    ret = ctl_usage ("create: --initrd and --cmdline need --kernel");
  else if (o.accel && !g_strv_contains ((const char *[]) { "kvm", "tcg", "auto", NULL }, o.accel))
    ret = ctl_usage ("create: --accel is kvm, tcg or auto");
  else if (o.memory_mib < 16 || o.vcpus < 1)
    ret = ctl_usage ("create: --memory is at least 16 and --vcpus at least 1");
  if (ret != CTL_OK)
    {
      create_options_clear (&o);
      return ret;
    }

  if (!vireo_engine_check_new_name (ctl->engine, name, &error) ||
      !vireo_paths_ensure (vireo_engine_get_paths (ctl->engine), &error))
    {
      create_options_clear (&o);
      return ctl_fail (error);
    }

  config = vireo_domain_config_new (name);
  if (!build_config (ctl, name, &o, config, &created_disk, &error) ||
      !vireo_engine_define_domain (ctl->engine, config, &error))
    {
      /* nothing half-made stays behind: the disk job never overwrites,
       * so a created disk is always ours */
      if (created_disk)
        g_unlink (created_disk);
      create_options_clear (&o);
      return ctl_fail (error);
    }
  create_options_clear (&o);
  printf ("Created VM '%s'\n", name);
  return CTL_OK;
}

int
ctl_verb_undefine (Ctl   *ctl,
                   int    argc,
                   char **argv)
{
  gboolean remove_storage = FALSE;
  GOptionEntry entries[] = {
    { "remove-storage", 0, 0, G_OPTION_ARG_NONE, &remove_storage,
      "Also delete the VM's own disk images", NULL },
    { NULL }
  };
  GError *error = NULL;
  VireoDomain *domain;

  if (!ctl_parse ("undefine", "NAME", entries, &argc, &argv, 1))
    return CTL_USAGE;
  if ((domain = ctl_lookup (ctl, argv[1], &error)) == NULL ||
      !vireo_engine_undefine_domain (ctl->engine, domain, remove_storage, &error))
    return ctl_fail (error);
  printf ("Deleted VM '%s'\n", argv[1]);
  return CTL_OK;
}
