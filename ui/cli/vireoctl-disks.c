/* vireoctl-disks.c: change-media, attach-disk, detach-disk, convert-disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "vireo.h"
#include "vireoctl.h"

int
ctl_verb_change_media (Ctl   *ctl,
                       int    argc,
                       char **argv)
{
  gboolean eject = FALSE;
  GOptionEntry entries[] = {
    { "eject", 0, 0, G_OPTION_ARG_NONE, &eject, N_("Eject the medium"), NULL },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *image = NULL;
  GError *error = NULL;
  VireoDomain *domain;

  if (!ctl_parse ("change-media", "NAME TARGET [ISO | --eject]", entries, &argc, &argv, -1))
    return CTL_USAGE;
  if (argc != (eject ? 3 : 4))
    return ctl_usage (_("change-media takes NAME TARGET and an ISO or --eject"));
  if ((domain = ctl_lookup (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);
  /* the host reads the image from its own path, not from vireoctl's folder */
  image = eject ? NULL : g_canonicalize_filename (argv[3], NULL);
  vireo_domain_change_media_async (domain, argv[2], image, NULL, ctl_done, &result);
  if (!vireo_domain_change_media_finish (domain, ctl_wait (&result), &error))
    return ctl_fail (error);
  if (eject)
    printf (_("Ejected the CD-ROM '%s' of VM '%s'\n"), argv[2], argv[1]);
  else
    /* Translators: "Inserted FILE.iso into 'sda' of VM 'web'" */
    printf (_("Inserted %s into '%s' of VM '%s'\n"), argv[3], argv[2], argv[1]);
  return CTL_OK;
}

int
ctl_verb_attach_disk (Ctl   *ctl,
                      int    argc,
                      char **argv)
{
  g_autofree char *size = NULL;
  g_autofree char *bus = NULL;
  g_autofree char *folder = NULL;
  gboolean cdrom = FALSE;
  GOptionEntry entries[] = {
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, N_("Make a new qcow2 image of this size (20G, 512M)"), "SIZE" },
    { "cdrom", 0, 0, G_OPTION_ARG_NONE, &cdrom, N_("Add a CD-ROM drive, empty or holding IMAGE"), NULL },
    { "bus", 0, 0, G_OPTION_ARG_STRING, &bus, N_("virtio, sata, scsi or ide"), "BUS" },
    { "folder", 0, 0, G_OPTION_ARG_FILENAME, &folder, N_("Where a new image goes"), "DIR" },
    { NULL }
  };
  VireoDiskRequest request = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *target = NULL;
  gboolean later;
  GError *error = NULL;
  VireoDomain *domain;

  if (!ctl_parse ("attach-disk", "NAME [IMAGE] [--size SIZE | --cdrom] [--bus BUS]", entries, &argc, &argv, -1))
    return CTL_USAGE;
  if (argc < 2 || argc > 3 || (cdrom && size) || (!cdrom && (size != NULL) == (argc == 3)))
    return ctl_usage (_("attach-disk takes NAME and an IMAGE or --size, or --cdrom [IMAGE]"));
  if ((domain = ctl_lookup (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);

  request.device = cdrom ? VIREO_DISK_DEVICE_CDROM : VIREO_DISK_DEVICE_DISK;
  request.bus = vireo_domain_config_default_bus (vireo_domain_get_config (domain), request.device);
  if (bus && !vireo_disk_bus_from_string (bus, &request.bus))
    return ctl_usage (_("--bus is virtio, sata, scsi or ide, not '%s'"), bus);
  if (size && !vireo_storage_parse_size (size, &request.new_bytes, &error))
    return ctl_fail (error);
  request.path = argc == 3 ? argv[2] : NULL;
  request.folder = folder;

  vireo_domain_attach_disk_async (domain, &request, NULL, NULL, ctl_done, &result);
  if (!(target = vireo_domain_attach_disk_finish (domain, ctl_wait (&result), &error)))
    return ctl_fail (error);
  /* whole sentences for translators: what was added, and when it shows (a
   * libvirt host plugs a disk into a running VM where its bus allows) */
  later = vireo_domain_is_active (domain) && vireo_domain_has_pending_changes (domain);
  if (cdrom && later)
    printf (_("Added CD-ROM drive '%s' to VM '%s' (from its next start)\n"), target, argv[1]);
  else if (cdrom)
    printf (_("Added CD-ROM drive '%s' to VM '%s'\n"), target, argv[1]);
  else if (later)
    printf (_("Added disk '%s' to VM '%s' (from its next start)\n"), target, argv[1]);
  else
    printf (_("Added disk '%s' to VM '%s'\n"), target, argv[1]);
  return CTL_OK;
}

int
ctl_verb_detach_disk (Ctl   *ctl,
                      int    argc,
                      char **argv)
{
  gboolean remove_storage = FALSE;
  GOptionEntry entries[] = {
    { "remove-storage", 0, 0, G_OPTION_ARG_NONE, &remove_storage,
      N_("Also delete the image, if it is in Vireo's images folder and no other VM uses it"), NULL },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *kept_base = NULL;
  GError *error = NULL;
  VireoDomain *domain;
  const VireoDiskConfig *disk;
  VireoLocalBackend *local;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "detach-disk", "NAME TARGET", entries, &argc, &argv, 2, &domain)) != CTL_OK)
    return ret;
  /* this machine's rule, asked first so the answer can say what stays (a
   * libvirt host deletes only its pools' volumes, and says when it kept one) */
  disk = vireo_domain_config_lookup_disk (vireo_domain_get_config (domain), argv[2]);
  local = VIREO_IS_LOCAL_BACKEND (vireo_domain_get_backend (domain)) ? ctl->engine : NULL;
  if (local && remove_storage && disk && disk->path && disk->device == VIREO_DISK_DEVICE_DISK &&
      !vireo_local_backend_image_deletable (local, domain, disk))
    kept = g_strdup (disk->path);
  else if (local && remove_storage && disk)
    kept_base = vireo_local_backend_describe_kept_base (local, domain, disk);
  vireo_domain_detach_disk_async (domain, argv[2], remove_storage, NULL, ctl_done, &result);
  if (!vireo_domain_detach_disk_finish (domain, ctl_wait (&result), &error))
    return ctl_fail (error);
  if (vireo_domain_is_active (domain))
    printf (_("Removed '%s' from VM '%s' (from its next start)\n"), argv[2], argv[1]);
  else
    printf (_("Removed '%s' from VM '%s'\n"), argv[2], argv[1]);
  if (kept)
    /* Translators: an image kept by detach-disk --remove-storage */
    printf (_("Kept %s: only images in Vireo's images folder that no other VM uses are deleted\n"), kept);
  if (kept_base)
    printf ("%s\n", kept_base);
  return CTL_OK;
}

int
ctl_verb_convert_disk (Ctl   *ctl,
                       int    argc,
                       char **argv)
{
  gboolean remove_old = FALSE;
  GOptionEntry entries[] = {
    { "remove-old", 0, 0, G_OPTION_ARG_NONE, &remove_old,
      N_("Delete the raw image afterwards, if it is in Vireo's images folder and no other VM uses it"), NULL },
    { NULL }
  };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VireoJob) job = NULL;
  g_autofree char *path = NULL;
  g_autofree char *note = NULL;
  GError *error = NULL;
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "convert-disk", "NAME TARGET", entries, &argc, &argv, 2, &domain)) != CTL_OK)
    return ret;
  vireo_disks_convert_async (ctl->engine, domain, argv[2], remove_old, &job, cancellable, ctl_done, &result);
  path = vireo_disks_convert_finish (ctl->engine, ctl_wait_job (job, cancellable, &result), &note, &error);
  if (path == NULL)
    return ctl_fail (error);
  /* Translators: "Converted disk 'vdb' of VM 'web' to qcow2: /…/web-vdb.qcow2" */
  printf (_("Converted disk '%s' of VM '%s' to qcow2: %s\n"), argv[2], argv[1], path);
  if (note)
    printf ("%s\n", note);
  return CTL_OK;
}
