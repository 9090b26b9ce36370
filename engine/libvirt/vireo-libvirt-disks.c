/* vireo-libvirt-disks.c: adding and removing a libvirt VM's disks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A disk added or removed is a change of the definition
 * (virDomainDefineXML through the backend's define).  A disk added to a
 * running VM is then plugged in live too (virDomainAttachDeviceFlags), on
 * the buses that take it (virtio, SCSI, USB); where it is refused, and for
 * a removal (which the guest must agree to), the VM takes it at its next
 * start and shows pending changes meanwhile, as on this machine.
 * Images live in the host's storage pools: a new disk is a qcow2 volume
 * made in the pool of the VM's first disk (else the pool named
 * "default"), an existing image is the volume at its path, whose format
 * the pool knows.  Only on this machine's libvirtd, whose paths are ours,
 * may an image outside every pool be added (looked at as the local engine
 * does).  A volume this change made goes again if the definition cannot
 * be written; a removed disk's image is deleted only if it is a volume of
 * the host's pools that no other VM of the host uses.
 */
#include "vireo-backend-private.h"
#include "vireo-domain-policy.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"
#include "vireo-storage.h"
#include "vireo-xml.h"

typedef struct {
  char *name;                 /* the VM's */
  char *host;                 /* its host's title */
  VireoDomainConfig *config;  /* the new definition */
  char *target;
  gboolean cdrom;
  gboolean detach;
  gboolean files_here;        /* the host's paths are this machine's */
  guint64 new_bytes;          /* attach: the size of a new image */
  char *path;                 /* attach: the image asked for; detach: the image to delete */
  char *pool_hint;            /* attach: a disk of the VM, whose pool takes a new image */
  char *format;               /* attach: the worker's answer */
  char *created;              /* attach: the volume this change made, to remove on failure */
  char *before;               /* attach to a running VM: its definition before */
  virDomainPtr dom;           /* attach to a running VM: for the live plug */
  char *live_xml;             /* the new drive's <disk>, to plug in live */
  GError *error;              /* the failure to tell once the rollback is done */
} DiskEdit;

static void
disk_edit_free (DiskEdit *edit)
{
  g_free (edit->name);
  g_free (edit->host);
  vireo_domain_config_free (edit->config);
  g_free (edit->target);
  g_free (edit->path);
  g_free (edit->pool_hint);
  g_free (edit->format);
  g_free (edit->created);
  g_free (edit->before);
  g_free (edit->live_xml);
  if (edit->dom != NULL)
    virDomainFree (edit->dom);
  g_clear_error (&edit->error);
  g_free (edit);
}

static DiskEdit *
disk_edit_new (VireoDomain *domain)
{
  DiskEdit *edit = g_new0 (DiskEdit, 1);
  VireoBackend *backend = vireo_domain_get_backend (domain);

  edit->name = g_strdup (vireo_domain_get_name (domain));
  edit->host = g_strdup (vireo_backend_get_title (backend));
  edit->config = vireo_domain_config_copy (vireo_domain_get_config (domain));
  edit->files_here = _vireo_libvirt_backend_files_here (VIREO_LIBVIRT_BACKEND (backend));
  return edit;
}

/* The rules of the host before any change: connected, and a definition
 * to change (a transient VM has none: it would become persistent) */
static gboolean
check_host (VireoDomain  *domain,
            GError      **error)
{
  VireoLibvirtBackend *backend = VIREO_LIBVIRT_BACKEND (vireo_domain_get_backend (domain));

  if (!_vireo_libvirt_check_connected (backend, error))
    return FALSE;
  if (_vireo_libvirt_domain_is_persistent (VIREO_LIBVIRT_DOMAIN (domain)))
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
               _("VM '%s' is transient on host '%s': it has no definition to add disks to or remove them from"),
               vireo_domain_get_name (domain), vireo_backend_get_title (VIREO_BACKEND (backend)));
  return FALSE;
}

/* Worker thread --------------------------------------------------------- */

/* The existing image @edit->path.  A volume of the host's pools is taken
 * in the format its pool reads (libvirt's reading of the file's first
 * bytes: one that stands on another image is refused, since those bytes
 * may be a guest's, naming any file of the host), also on this machine
 * (where libvirtd may read what this user cannot).  A file in no pool is
 * only for this machine's libvirtd, looked at here as the local engine
 * does: its format probed, an image naming another file refused */
static gboolean
find_image (virConnectPtr   conn,
            DiskEdit       *edit,
            GError        **error)
{
  gboolean found, backed;
  g_autofree char *format = _vireo_libvirt_volume_format (conn, edit->path, &found, &backed);
  g_autofree char *checked = NULL;

  if (!found && !edit->files_here)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                 _("VM '%s': %s is in no storage pool of host '%s' (refresh or add the pool that holds it)"),
                 edit->name, edit->path, edit->host);
  else if (found && !edit->cdrom && backed)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("VM '%s': %s stands on another image; Vireo adds standalone images"), edit->name, edit->path);
  else if (found && !edit->cdrom && g_strcmp0 (format, "qcow2") != 0 && g_strcmp0 (format, "raw") != 0)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("VM '%s': %s is not a qcow2 or raw volume"), edit->name, edit->path);
  if (error != NULL && *error != NULL)
    return FALSE;
  if (found)
    {
      edit->format = g_strdup (edit->cdrom ? "raw" : format);
      return TRUE;
    }
  checked = vireo_storage_existing_file (edit->name, edit->cdrom ? _("CD-ROM image") : _("disk image"),
                                         edit->path, error);
  if (checked == NULL)
    return FALSE;
  if (edit->cdrom)
    {
      edit->format = g_strdup ("raw");
      return TRUE;
    }
  if ((edit->format = g_strdup (vireo_storage_probe_format (edit->name, checked, error))) == NULL)
    return FALSE;
  g_free (checked);
  checked = vireo_storage_check_image (edit->name, edit->target, edit->path, edit->format, NULL, error);
  return checked != NULL;
}

/* A new qcow2 volume NAME-TARGET.qcow2 (or NAME-TARGET-2.qcow2…, never
 * another's) of @edit->new_bytes, in the pool of the VM's disk */
static gboolean
make_volume (virConnectPtr   conn,
             DiskEdit       *edit,
             GError        **error)
{
  virStoragePoolPtr pool = _vireo_libvirt_find_pool (conn, edit->pool_hint, edit->name, edit->host, error);
  g_autofree char *stem = g_strdup_printf ("%s-%s", edit->name, edit->target);

  if (pool == NULL)
    return FALSE;
  edit->created = _vireo_libvirt_make_volume (pool, stem, ".qcow2", edit->new_bytes, "qcow2", edit->name, error);
  virStoragePoolFree (pool);
  edit->format = g_strdup ("qcow2");
  return edit->created != NULL;
}

static void
prepare_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  DiskEdit *edit = task_data;
  GError *error = NULL;
  virConnectPtr conn = _vireo_libvirt_get_conn (source_object, &error);

  if (conn != NULL)
    {
      if (edit->path != NULL)
        find_image (conn, edit, &error);
      else
        make_volume (conn, edit, &error);
      virConnectClose (conn);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Deletes the volume at @edit->path (detach) or @edit->created (a
 * rollback); an image in no pool stays where it is */
static void
delete_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  DiskEdit *edit = task_data;
  const char *path = edit->created != NULL ? edit->created : edit->path;
  g_autofree char *what = g_strdup_printf (_("VM '%s': disk '%s' was removed, but its image %s"),
                                           edit->name, edit->target, path);
  GError *error = NULL;
  virConnectPtr conn = _vireo_libvirt_get_conn (source_object, &error);

  if (conn != NULL)
    {
      _vireo_libvirt_delete_volume (conn, path, what, &error);
      virConnectClose (conn);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Main thread ----------------------------------------------------------- */

/* Runs @func on @domain's host's workers with @task's DiskEdit; @done
 * gets @task back */
static void
run_job (GTask               *task,
         GTaskThreadFunc      func,
         GAsyncReadyCallback  done)
{
  VireoDomain *domain = g_task_get_source_object (task);
  VireoLibvirtBackend *backend = VIREO_LIBVIRT_BACKEND (vireo_domain_get_backend (domain));
  g_autoptr(GTask) job = g_task_new (backend, NULL, done, task);

  g_task_set_task_data (job, g_task_get_task_data (task), NULL);
  _vireo_libvirt_run (backend, job, func);
}

static void
on_rolled_back (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DiskEdit *edit = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("VM '%s': %s stays: %s", edit->name, edit->created, error->message);
  g_task_return_error (task, g_steal_pointer (&edit->error));
}

/* Takes @task: tells @error, once a volume this change made is gone */
static void
fail (GTask  *task,
      GError *error)
{
  DiskEdit *edit = g_task_get_task_data (task);

  if (edit->created == NULL || vireo_domain_get_backend (g_task_get_source_object (task)) == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  edit->error = error;
  run_job (task, delete_in_thread, on_rolled_back);
}

static void
on_detach_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Worker: the new drive plugged into the running VM; a refusal (a bus
 * without hotplug, a guest that cannot) leaves it for the next start */
static void
plug_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  DiskEdit *edit = task_data;

  _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
  if (virDomainAttachDeviceFlags (edit->dom, edit->live_xml, VIR_DOMAIN_AFFECT_LIVE) == 0)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, _vireo_libvirt_error (edit->name));
}

static void
on_plugged (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DiskEdit *edit = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    _vireo_libvirt_domain_applied_live (VIREO_LIBVIRT_DOMAIN (g_task_get_source_object (task)), edit->before);
  else
    g_debug ("%s: disk %s from its next start: %s", edit->name, edit->target, error->message);
  g_task_return_boolean (task, TRUE);
}

/* The new drive's own <disk> of the definition Vireo wrote */
static char *
drive_of (const VireoDomainConfig *config,
          const char              *target)
{
  g_autofree char *xml = vireo_domain_config_format (config);
  xmlDoc *doc = vireo_xml_read (xml, -1, "definition", NULL);
  xmlNode *devices = doc != NULL ? vireo_xml_child (xmlDocGetRootElement (doc), "devices") : NULL;
  char *drive = NULL;

  if (devices != NULL)
    vireo_xml_for_each_element (disk, devices)
      {
        xmlNode *node = vireo_xml_child (disk, "target");
        g_autofree char *dev = node != NULL ? vireo_xml_prop (node, "dev") : NULL;

        if (drive == NULL && vireo_xml_is (disk, "disk") && g_strcmp0 (dev, target) == 0)
          drive = vireo_xml_node_to_string (disk);
      }
  g_clear_pointer (&doc, xmlFreeDoc);
  return drive;
}

static void
on_defined (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  DiskEdit *edit = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(VireoDomain) domain = vireo_backend_define_domain_finish (VIREO_BACKEND (source), result, &error);

  if (domain == NULL)
    fail (task, error);
  else if (edit->detach && edit->path != NULL)
    run_job (task, delete_in_thread, on_detach_done);
  else if (!edit->detach && edit->dom != NULL && vireo_domain_is_active (domain) &&
           (edit->live_xml = drive_of (edit->config, edit->target)) != NULL)
    run_job (task, plug_in_thread, on_plugged);
  else
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

/* Takes @task: the last step.  Once a volume exists, the definition must
 * follow: not cancellable */
static void
save (GTask *task)
{
  DiskEdit *edit = g_task_get_task_data (task);
  VireoBackend *backend = vireo_domain_get_backend (g_task_get_source_object (task));
  GError *error = NULL;

  if (backend == NULL)
    {
      g_set_error (&error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s': its host was removed"), edit->name);
      fail (task, error);
      return;
    }
  vireo_backend_define_domain_async (backend, edit->config,
                                     edit->created ? NULL : g_task_get_cancellable (task), on_defined, task);
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  DiskEdit *edit = g_task_get_task_data (task);
  VireoDomain *domain = g_task_get_source_object (task);
  VireoDiskConfig *disk = vireo_domain_config_lookup_disk (edit->config, edit->target);
  VireoBackend *backend = vireo_domain_get_backend (domain);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      fail (task, error);
      return;
    }
  g_free (disk->path);
  disk->path = g_strdup (edit->created ? edit->created : edit->path);
  g_free (disk->format);
  disk->format = g_strdup (edit->format);
  /* two writers on one image corrupt it */
  if (!edit->cdrom && backend != NULL && _vireo_backend_path_in_use (backend, domain, disk->path))
    g_set_error (&error, VIREO_ERROR, VIREO_ERROR_BUSY, _("VM '%s': disk image %s is already used by a VM"),
                 edit->name, disk->path);
  else
    g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error);
  if (error != NULL || !vireo_domain_config_validate (edit->config, &error))
    {
      fail (task, error);
      return;
    }
  save (task);
}

static void
libvirt_attach_disk_async (VireoDomain             *domain,
                           const VireoDiskRequest  *request,
                           VireoJob               **job,
                           GCancellable            *cancellable,
                           GAsyncReadyCallback      callback,
                           gpointer                 user_data)
{
  GTask *task = g_task_new (domain, cancellable, callback, user_data);
  DiskEdit *edit;
  VireoDiskConfig *disk;
  GError *error = NULL;

  if (!check_host (domain, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  edit = disk_edit_new (domain);
  g_task_set_task_data (task, edit, (GDestroyNotify) disk_edit_free);
  if (vireo_domain_is_active (domain))
    {
      edit->before = g_strdup (_vireo_libvirt_domain_get_xml (VIREO_LIBVIRT_DOMAIN (domain)));
      edit->dom = _vireo_libvirt_domain_ref_dom (VIREO_LIBVIRT_DOMAIN (domain));
    }
  edit->cdrom = request->device == VIREO_DISK_DEVICE_CDROM;
  edit->new_bytes = request->new_bytes;
  edit->path = g_strdup (request->path);
  if (edit->config->disks != NULL)
    for (guint i = 0; edit->pool_hint == NULL && i < edit->config->disks->len; i++)
      {
        VireoDiskConfig *other = g_ptr_array_index (edit->config->disks, i);

        if (other->device == VIREO_DISK_DEVICE_DISK && other->path != NULL)
          edit->pool_hint = g_strdup (other->path);
      }
  disk = vireo_disk_config_new (request->device, request->bus, edit->cdrom ? "raw" : "qcow2", NULL);
  vireo_domain_config_add_disk (edit->config, disk);
  if (disk->target == NULL)
    g_set_error (&error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG, _("VM '%s' has no free %s target left"),
                 edit->name, vireo_disk_bus_to_string (request->bus));
  else
    {
      edit->target = g_strdup (disk->target);
      /* the bus, machine and path rules, before anything is made (a new
       * image's path is the pool's: any plain one stands in for it) */
      disk->path = g_strdup (edit->path ? edit->path : edit->cdrom ? NULL : "/new.qcow2");
      vireo_domain_config_validate (edit->config, &error);
    }
  if (error != NULL)
    fail (task, error);
  else if (edit->cdrom && edit->path == NULL)
    save (task);
  else
    run_job (task, prepare_in_thread, on_prepared);
}

static char *
libvirt_attach_disk_finish (VireoDomain   *domain,
                            GAsyncResult  *result,
                            GError       **error)
{
  DiskEdit *edit = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_strdup (edit->target);
}

static void
libvirt_detach_disk_async (VireoDomain         *domain,
                           const char          *target,
                           gboolean             remove_storage,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (domain, cancellable, callback, user_data);
  VireoBackend *backend = vireo_domain_get_backend (domain);
  const VireoDiskConfig *disk;
  DiskEdit *edit;
  GError *error = NULL;

  if (!check_host (domain, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  edit = disk_edit_new (domain);
  g_task_set_task_data (task, edit, (GDestroyNotify) disk_edit_free);
  edit->detach = TRUE;
  edit->target = g_strdup (target);
  disk = vireo_domain_config_lookup_disk (edit->config, target);
  /* a writable disk of this VM alone; the worker deletes it only if it
   * is a volume of the host's pools */
  if (remove_storage && vireo_backend_image_deletable (backend, domain, disk))
    edit->path = g_strdup (disk->path);
  vireo_domain_config_remove_disk (edit->config, target);
  save (task);
}

static gboolean
libvirt_detach_disk_finish (VireoDomain   *domain,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_vireo_libvirt_domain_class_init_disks (VireoDomainClass *klass)
{
  klass->attach_disk_async = libvirt_attach_disk_async;
  klass->attach_disk_finish = libvirt_attach_disk_finish;
  klass->detach_disk_async = libvirt_detach_disk_async;
  klass->detach_disk_finish = libvirt_detach_disk_finish;
}
