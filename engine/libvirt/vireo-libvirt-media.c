/* vireo-libvirt-media.c: a libvirt VM's CD-ROM media
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * virDomainUpdateDeviceFlags with the drive's own <disk> and its new
 * source (or none, to eject), in the definition and, while it runs, live.
 * The image is a volume of the host's pools as it is; on this machine's
 * libvirtd any file; on another machine a file of this one is first
 * streamed into a new volume of the pool of the VM's disks (and removed
 * again if the drive refuses it).
 */
#include "vireo-domain-policy.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"
#include "vireo-xml.h"

typedef struct {
  virDomainPtr dom;
  char *name;
  char *host;
  char *definition;           /* the VM's libvirt XML */
  char *target;
  char *path;                 /* the image to insert, or NULL */
  char *pool_hint;            /* a disk of the VM, whose pool takes an upload */
  gboolean files_here;        /* the host's paths are this machine's */
  unsigned int flags;
} Media;

static void
media_free (Media *media)
{
  virDomainFree (media->dom);
  g_free (media->name);
  g_free (media->host);
  g_free (media->definition);
  g_free (media->target);
  g_free (media->path);
  g_free (media->pool_hint);
  g_free (media);
}

static xmlNode *
find_drive (xmlNode    *root,
            const char *target)
{
  xmlNode *devices = vireo_xml_child (root, "devices");

  if (devices == NULL)
    return NULL;
  vireo_xml_for_each_element (disk, devices)
    {
      g_autofree char *device = vireo_xml_prop (disk, "device");
      xmlNode *node = vireo_xml_child (disk, "target");
      g_autofree char *dev = node != NULL ? vireo_xml_prop (node, "dev") : NULL;

      if (vireo_xml_is (disk, "disk") && g_strcmp0 (device, "cdrom") == 0 && g_strcmp0 (dev, target) == 0)
        return disk;
    }
  return NULL;
}

/* The drive's own <disk> of libvirt's definition with only its source
 * changed (as virsh change-media does): libvirt replaces the whole drive
 * with it, so its boot order, driver options and address must stay */
static char *
drive_xml (const char *definition,
           const char *target,
           const char *path)
{
  xmlDoc *doc = vireo_xml_read (definition, -1, "definition", NULL);
  xmlNode *disk = doc != NULL ? find_drive (xmlDocGetRootElement (doc), target) : NULL;
  xmlNode *source;
  char *xml = NULL;

  if (disk != NULL)
    {
      while ((source = vireo_xml_child (disk, "source")) != NULL)
        {
          xmlUnlinkNode (source);
          xmlFreeNode (source);
        }
      if (path != NULL)
        {
          gboolean device = g_str_has_prefix (path, "/dev/");

          xmlSetProp (disk, BAD_CAST "type", BAD_CAST (device ? "block" : "file"));
          vireo_xml_set (vireo_xml_add (disk, "source"), device ? "dev" : "file", path);
        }
      xml = vireo_xml_node_to_string (disk);
    }
  g_clear_pointer (&doc, xmlFreeDoc);
  return xml;
}


static void
media_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Media *media = task_data;
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), media->name);
  g_autofree char *placed = NULL;
  g_autofree char *xml = NULL;
  gboolean uploaded = FALSE;
  GError *error = NULL;
  virConnectPtr conn = _vireo_libvirt_get_conn (_vireo_libvirt_worker_backend (), &error);

  if (conn != NULL && media->path != NULL)
    placed = _vireo_libvirt_place_image (conn, media->path, media->files_here, media->pool_hint, media->name,
                                         media->host, &uploaded, NULL, cancellable, &error);
  if (error == NULL)
    {
      xml = drive_xml (media->definition, media->target, placed);
      _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
      if (virDomainUpdateDeviceFlags (media->dom, xml, media->flags) < 0)
        error = _vireo_libvirt_error (what);
      if (error != NULL && uploaded)
        _vireo_libvirt_delete_volume (conn, placed, what, NULL);
    }
  if (conn != NULL)
    virConnectClose (conn);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_changed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Media *media = g_task_get_task_data (G_TASK (result));
  VireoBackend *backend = vireo_domain_get_backend (VIREO_DOMAIN (source));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* the row reads the definition again: a device update sends no event */
  if (backend != NULL)
    _vireo_libvirt_backend_refetch (VIREO_LIBVIRT_BACKEND (backend), media->dom);
  g_task_return_boolean (task, TRUE);
}

static gboolean
find_drive_in (VireoLibvirtDomain *domain,
               const char         *target)
{
  g_autofree char *xml = drive_xml (_vireo_libvirt_domain_get_xml (domain), target, NULL);

  return xml != NULL;
}

static void
libvirt_change_media_async (VireoDomain         *domain,
                            const char          *target,
                            const char          *path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  const VireoDomainConfig *config = vireo_domain_get_config (domain);
  const VireoDiskConfig *drive = vireo_domain_config_lookup_disk (config, target);
  VireoLibvirtBackend *backend = VIREO_LIBVIRT_BACKEND (vireo_domain_get_backend (domain));
  g_autoptr(GTask) task = g_task_new (domain, cancellable, callback, user_data);
  g_autoptr(GTask) job = NULL;
  GError *error = NULL;
  Media *media;

  if (drive == NULL || drive->device != VIREO_DISK_DEVICE_CDROM ||
      !find_drive_in (VIREO_LIBVIRT_DOMAIN (domain), target))
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s' has no CD-ROM drive '%s'"),
                               config->name, target);
      return;
    }
  if (path != NULL && !g_path_is_absolute (path))
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                               _("VM '%s': the image '%s' is not an absolute path"), config->name, path);
      return;
    }
  if (!_vireo_libvirt_check_connected (backend, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  media = g_new0 (Media, 1);
  media->dom = _vireo_libvirt_domain_ref_dom (VIREO_LIBVIRT_DOMAIN (domain));
  media->name = g_strdup (config->name);
  media->host = g_strdup (vireo_backend_get_title (VIREO_BACKEND (backend)));
  media->definition = g_strdup (_vireo_libvirt_domain_get_xml (VIREO_LIBVIRT_DOMAIN (domain)));
  media->target = g_strdup (target);
  media->path = g_strdup (path);
  media->files_here = _vireo_libvirt_backend_files_here (backend);
  for (guint i = 0; config->disks != NULL && i < config->disks->len && media->pool_hint == NULL; i++)
    {
      VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);

      if (disk->device == VIREO_DISK_DEVICE_DISK && disk->path != NULL)
        media->pool_hint = g_strdup (disk->path);
    }
  /* in the definition, and live while it runs; a transient VM has only
   * the running one */
  media->flags = (_vireo_libvirt_domain_is_persistent (VIREO_LIBVIRT_DOMAIN (domain)) ? VIR_DOMAIN_AFFECT_CONFIG : 0) |
                 (vireo_domain_is_active (domain) ? VIR_DOMAIN_AFFECT_LIVE : 0);
  /* an upload stops at a cancel (its volume goes); the outcome is told */
  job = g_task_new (domain, cancellable, on_changed, g_steal_pointer (&task));
  g_task_set_check_cancellable (job, FALSE);
  g_task_set_task_data (job, media, (GDestroyNotify) media_free);
  _vireo_libvirt_run (backend, job, media_in_thread);
}

static gboolean
libvirt_change_media_finish (VireoDomain   *domain,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_vireo_libvirt_domain_class_init_media (VireoDomainClass *klass)
{
  klass->change_media_async = libvirt_change_media_async;
  klass->change_media_finish = libvirt_change_media_finish;
}
