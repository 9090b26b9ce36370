/* vireoctl-define.c: define, create and undefine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>

#include "vireo.h"
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
  if (config == NULL)
    return ctl_fail (error);
  if (ctl->engine != NULL)
    {
      if (!vireo_local_backend_define_domain (ctl->engine, config, &error))
        return ctl_fail (error);
    }
  else
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(VireoDomain) domain = NULL;

      vireo_backend_define_domain_async (ctl->backend, config, NULL, ctl_done, &result);
      if ((domain = vireo_backend_define_domain_finish (ctl->backend, ctl_wait (&result), &error)) == NULL)
        return ctl_fail (error);
    }
  printf (_("Defined VM '%s'\n"), config->name);
  return CTL_OK;
}

int
ctl_verb_create (Ctl   *ctl,
                 int    argc,
                 char **argv)
{
  g_autoptr(VireoCreateOptions) o = vireo_create_options_new ();
  int memory = o->memory_mib, vcpus = o->vcpus;
  g_autofree char *disk = NULL, *import = NULL, *cdrom = NULL, *kernel = NULL, *initrd = NULL;
  g_autofree char *cmdline = NULL, *network = NULL, *accel = NULL, *title = NULL;
  g_autofree char *firmware = NULL;
  g_auto(GStrv) forwards = NULL;
  gboolean tpm = FALSE;
  GOptionEntry entries[] = {
    { "memory", 'm', 0, G_OPTION_ARG_INT, &memory, N_("Memory in MiB (default: a quarter of the host's, 512 to 4096)"), "MIB" },
    { "vcpus", 'c', 0, G_OPTION_ARG_INT, &vcpus, N_("Virtual CPUs (default 2, at most the host's)"), "N" },
    { "disk", 0, 0, G_OPTION_ARG_STRING, &disk, N_("Create an empty qcow2 disk (20G, 512M; plain number: GiB)"), "SIZE" },
    { "import", 0, 0, G_OPTION_ARG_FILENAME, &import, N_("Copy an existing image (qcow2, raw, vmdk…) as the disk"), "PATH" },
    { "cdrom", 0, 0, G_OPTION_ARG_FILENAME, &cdrom, N_("Attach an ISO image and boot from it"), "ISO" },
    { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &kernel, N_("Boot this kernel directly"), "FILE" },
    { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &initrd, N_("Initial ramdisk for --kernel"), "FILE" },
    { "cmdline", 0, 0, G_OPTION_ARG_STRING, &cmdline, N_("Kernel command line for --kernel"), "TEXT" },
    { "network", 0, 0, G_OPTION_ARG_STRING, &network, N_("user (default), none, or a network's name"), "NET" },
    { "accel", 0, 0, G_OPTION_ARG_STRING, &accel, N_("kvm, tcg or auto (default)"), "ACCEL" },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, N_("A short description"), "TEXT" },
    { "firmware", 0, 0, G_OPTION_ARG_STRING, &firmware, N_("bios (default) or efi (UEFI through OVMF)"), "FW" },
    { "tpm", 0, 0, G_OPTION_ARG_NONE, &tpm, N_("Add an emulated TPM 2.0 (swtpm), as Windows 11 needs"), NULL },
    { "forward", 0, 0, G_OPTION_ARG_STRING_ARRAY, &forwards,
      N_("Forward a host port into the user-mode NIC (tcp:2222:22; repeatable)"), "PROTO:[ADDR:]HPORT:GPORT" },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VireoJob) job = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GError *error = NULL;

  if (!ctl_parse ("create", "NAME", entries, &argc, &argv, 1))
    return CTL_USAGE;
  if (disk && import)
    return ctl_usage (_("create: choose --disk or --import, not both"));
  if ((initrd || cmdline) && !kernel)
    return ctl_usage (_("create: --initrd and --cmdline need --kernel"));
  if (accel && !vireo_accel_from_string (accel, &o->accel))
    return ctl_usage (_("create: --accel is kvm, tcg or auto"));
  if (firmware && !g_str_equal (firmware, "bios") && !g_str_equal (firmware, "efi"))
    return ctl_usage (_("create: --firmware is bios or efi"));
  o->efi = g_strcmp0 (firmware, "efi") == 0;
  if (memory < 0 || vcpus < 0)
    return ctl_usage (_("create: --memory and --vcpus are positive numbers"));
  for (guint i = 0; forwards && forwards[i]; i++)
    {
      VireoPortForward *forward = vireo_port_forward_parse (forwards[i], TRUE, &error);

      if (forward == NULL)
        {
          /* Translators: "create: 'tcp:22' is not a port forward: …" */
          ctl_usage (_("create: %s"), error->message);
          g_error_free (error);
          return CTL_USAGE;
        }
      g_ptr_array_add (o->forwards, forward);
    }

  o->name = g_strdup (argv[1]);
  o->title = g_steal_pointer (&title);
  o->memory_mib = memory;
  o->vcpus = vcpus;
  o->import_path = g_steal_pointer (&import);
  o->cdrom = g_steal_pointer (&cdrom);
  o->kernel = g_steal_pointer (&kernel);
  o->initrd = g_steal_pointer (&initrd);
  o->cmdline = g_steal_pointer (&cmdline);
  o->network = g_steal_pointer (&network);
  o->tpm = tpm;
  if (disk && !vireo_storage_parse_size (disk, &o->disk_bytes, &error))
    return ctl_fail (error);

  vireo_create_domain_async (ctl->backend, o, &job, cancellable, ctl_done, &result);
  domain = vireo_create_domain_finish (ctl->backend, ctl_wait_job (job, cancellable, &result), &error);
  /* a cancel that came once the disk existed: the VM was made all the same */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      vireo_backend_lookup_domain (ctl->backend, o->name) != NULL)
    {
      g_clear_error (&error);
      g_set_error (&error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("VM '%s' was made before the cancel reached it (vireoctl undefine --remove-storage deletes it)"),
                   o->name);
    }
  if (domain == NULL)
    return ctl_fail (error);
  printf (_("Created VM '%s'\n"), o->name);
  return CTL_OK;
}

/* On a libvirt host: its own storage volumes go, the rest stays */
static int
undefine_on_host (Ctl         *ctl,
                  VireoDomain *domain,
                  gboolean     remove_storage)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *name = g_strdup (vireo_domain_get_name (domain));
  GError *error = NULL;

  vireo_backend_undefine_domain_async (ctl->backend, domain, remove_storage, NULL, ctl_done, &result);
  if (!vireo_backend_undefine_domain_finish (ctl->backend, ctl_wait (&result), &error))
    return ctl_fail (error);
  printf (_("Deleted VM '%s'\n"), name);
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
      N_("Also delete the VM's disk images in Vireo's images folder that no other VM uses"), NULL },
    { NULL }
  };
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;
  VireoDomain *domain;

  if (!ctl_parse ("undefine", "NAME", entries, &argc, &argv, 1))
    return CTL_USAGE;
  if ((domain = ctl_lookup (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);
  if (ctl->engine == NULL)
    return undefine_on_host (ctl, domain, remove_storage);
  /* the engine's rule, asked first so the answer can say what stays */
  for (guint i = 0; remove_storage && i < vireo_domain_get_config (domain)->disks->len; i++)
    {
      const VireoDiskConfig *disk = g_ptr_array_index (vireo_domain_get_config (domain)->disks, i);
      char *line = vireo_local_backend_image_deletable (ctl->engine, domain, disk)
                   ? vireo_local_backend_describe_kept_base (ctl->engine, domain, disk) : NULL;

      if (line)
        g_ptr_array_add (kept, line);
    }
  if (!vireo_local_backend_undefine_domain (ctl->engine, domain, remove_storage, &error))
    return ctl_fail (error);
  printf (_("Deleted VM '%s'\n"), argv[1]);
  for (guint i = 0; i < kept->len; i++)
    printf ("%s\n", (const char *) g_ptr_array_index (kept, i));
  return CTL_OK;
}

int
ctl_verb_demo (Ctl   *ctl,
               int    argc,
               char **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *guest = vireo_demo_find_guest_dir ();
  GError *error = NULL;
  VireoDomain *domain;

  if (!ctl_parse ("demo", "", NULL, &argc, &argv, 0))
    return CTL_USAGE;
  vireo_demo_create_async (ctl->engine, guest, NULL, ctl_done, &result);
  domain = vireo_demo_create_finish (ctl->engine, ctl_wait (&result), &error);
  if (domain == NULL)
    return ctl_fail (error);
  printf (_("Created VM '%s'\n"), vireo_domain_get_name (domain));
  return CTL_OK;
}
