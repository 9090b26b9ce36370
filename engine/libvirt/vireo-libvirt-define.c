/* vireo-libvirt-define.c: adding and removing a libvirt host's VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "vireo-domain-policy.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"
#include "vireo-xml.h"

typedef struct {
  char *name;
  char *xml;
  char *uuid;
  guint64 stamp;
  GStrv paths;                /* undefine: the disks to delete */
  virDomainPtr dom;
} Define;

static void
define_free (Define *define)
{
  g_free (define->name);
  g_free (define->xml);
  g_free (define->uuid);
  g_strfreev (define->paths);
  if (define->dom != NULL)
    virDomainFree (define->dom);
  g_free (define);
}

static void
define_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  VireoLibvirtBackend *self = source_object;
  Define *define = task_data;
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), define->name);
  VireoLibvirtRecord *record;
  virConnectPtr conn;
  virDomainPtr dom;
  GError *error = NULL;

  if ((conn = _vireo_libvirt_get_conn (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _vireo_libvirt_count_call (self);
  dom = virDomainDefineXML (conn, define->xml);
  virConnectClose (conn);
  if (dom == NULL)
    {
      g_task_return_error (task, _vireo_libvirt_error (what));
      return;
    }
  record = _vireo_libvirt_record_read (dom, NULL, &error);
  virDomainFree (dom);
  if (record == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  record->stamp = define->stamp;
  g_task_return_pointer (task, record, (GDestroyNotify) _vireo_libvirt_record_free);
}

static void
on_defined (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(VireoLibvirtRecord) record = NULL;
  VireoDomain *domain;
  GError *error = NULL;

  record = g_task_propagate_pointer (G_TASK (result), &error);
  if (record == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _vireo_libvirt_backend_apply (self, record);
  domain = vireo_backend_lookup_domain_by_uuid (VIREO_BACKEND (self), record->uuid);
  if (domain == NULL)
    {
      /* another client undefined it meanwhile; its events settle the row */
      _vireo_libvirt_backend_refetch (self, record->dom);
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                               _("VM '%s' was removed by another client meanwhile"), record->name);
      return;
    }
  g_task_return_pointer (task, g_object_ref (domain), g_object_unref);
}

static void
libvirt_define_domain_async (VireoBackend            *backend,
                             const VireoDomainConfig *config,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) job = NULL;
  Define *define;
  GError *error = NULL;

  if (!_vireo_libvirt_check_connected (self, &error) ||
      !vireo_domain_config_validate (config, &error) ||
      !_vireo_backend_check_define (backend, config, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  define = g_new0 (Define, 1);
  define->name = g_strdup (config->name);
  define->xml = vireo_domain_config_format (config);
  define->stamp = _vireo_libvirt_backend_get_stamp (self);
  job = g_task_new (self, NULL, on_defined, g_steal_pointer (&task));
  g_task_set_task_data (job, define, (GDestroyNotify) define_free);
  _vireo_libvirt_run (self, job, define_in_thread);
}

static VireoDomain *
libvirt_define_domain_finish (VireoBackend  *backend,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Undefining ----------------------------------------------------------- */

/* The host's storage volumes among @paths go with the VM; a disk that is
 * no volume of the host's pools is left where it is */
static void
delete_volumes (virConnectPtr   conn,
                GStrv           paths)
{
  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      virStorageVolPtr volume = virStorageVolLookupByPath (conn, paths[i]);

      if (volume == NULL || virStorageVolDelete (volume, 0) < 0)
        g_debug ("%s left in place: %s", paths[i], virGetLastErrorMessage ());
      virResetLastError ();
      if (volume != NULL)
        virStorageVolFree (volume);
    }
}

/* Drivers refuse flags they do not know (the test driver knows only the
 * first two): fewer, then none, as virt-manager does */
static int
undefine (virDomainPtr dom)
{
  static const unsigned int tries[] = {
    VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
    VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | VIR_DOMAIN_UNDEFINE_NVRAM,
    VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
    0,
  };
  int rc = -1;

  for (guint i = 0; i < G_N_ELEMENTS (tries); i++)
    {
      rc = virDomainUndefineFlags (dom, tries[i]);
      if (rc == 0 || (virGetLastErrorCode () != VIR_ERR_NO_SUPPORT &&
                      virGetLastErrorCode () != VIR_ERR_INVALID_ARG))
        break;
    }
  return rc;
}

static void
undefine_in_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  VireoLibvirtBackend *self = source_object;
  Define *define = task_data;
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), define->name);
  virConnectPtr conn;
  GError *error = NULL;

  if ((conn = _vireo_libvirt_get_conn (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _vireo_libvirt_count_call (self);
  if (undefine (define->dom) < 0)
    g_task_return_error (task, _vireo_libvirt_error (what));
  else
    {
      delete_volumes (conn, define->paths);
      g_task_return_boolean (task, TRUE);
    }
  virConnectClose (conn);
}

static void
on_undefined (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (source);
  Define *define = g_task_get_task_data (G_TASK (result));
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  _vireo_libvirt_backend_forget (self, define->uuid);
  g_task_return_boolean (task, TRUE);
}

/* Whether the libvirt XML of a VM Vireo reads only in summary may use
 * @path: one of its disks (or their bases) is there, or names its image
 * some other way (a pool's volume, the network) */
static gboolean
summary_may_use (const char *xml,
                 const char *path)
{
  xmlDoc *doc = xml != NULL ? vireo_xml_read (xml, -1, "definition", NULL) : NULL;
  xmlNode *devices = doc != NULL ? vireo_xml_child (xmlDocGetRootElement (doc), "devices") : NULL;
  gboolean may = doc == NULL;

  if (devices != NULL)
    vireo_xml_for_each_element (disk, devices)
      {
        g_autofree char *type = vireo_xml_prop (disk, "type");

        if (!vireo_xml_is (disk, "disk") || may)
          continue;
        if (type != NULL && !g_str_equal (type, "file") && !g_str_equal (type, "block"))
          may = TRUE;
        /* the disk's own source, and each <backingStore>'s below it */
        for (xmlNode *level = disk; level != NULL && !may; level = vireo_xml_child (level, "backingStore"))
          {
            xmlNode *source = vireo_xml_child (level, "source");
            g_autofree char *file = source != NULL ? vireo_xml_prop (source, "file") : NULL;
            g_autofree char *dev = source != NULL ? vireo_xml_prop (source, "dev") : NULL;

            may = g_strcmp0 (file, path) == 0 || g_strcmp0 (dev, path) == 0;
          }
      }
  g_clear_pointer (&doc, xmlFreeDoc);
  return may;
}

/* The base's rule, and no VM Vireo reads only in summary may use it */
static gboolean
libvirt_image_deletable (VireoBackend          *backend,
                         VireoDomain           *domain,
                         const VireoDiskConfig *disk)
{
  GListModel *list = vireo_backend_get_domains (backend);

  if (!((VireoBackendClass *) g_type_class_peek (VIREO_TYPE_BACKEND))->image_deletable (backend, domain, disk))
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(VireoDomain) other = g_list_model_get_item (list, i);

      if (other != domain && vireo_domain_get_config_problem (other) != NULL &&
          summary_may_use (_vireo_libvirt_domain_get_xml (VIREO_LIBVIRT_DOMAIN (other)), disk->path))
        return FALSE;
    }
  return TRUE;
}

/* The VM's own disks: not its CD-ROMs, read-only or shared disks, nor
 * what another VM of the host also uses */
static GStrv
disk_paths (VireoBackend *backend,
            VireoDomain  *domain)
{
  const VireoDomainConfig *config = vireo_domain_get_config (domain);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; config->disks != NULL && i < config->disks->len; i++)
    {
      VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);

      if (vireo_backend_image_deletable (backend, domain, disk))
        g_strv_builder_add (builder, disk->path);
    }
  return g_strv_builder_end (builder);
}

static void
libvirt_undefine_domain_async (VireoBackend        *backend,
                               VireoDomain         *domain,
                               gboolean             remove_storage,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) job = NULL;
  Define *define;
  GError *error = NULL;

  if (!VIREO_IS_LIBVIRT_DOMAIN (domain) || vireo_domain_get_backend (domain) != backend)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s' is not on host '%s'"),
                               vireo_domain_get_name (domain), vireo_backend_get_title (backend));
      return;
    }
  if (!_vireo_libvirt_check_connected (self, &error) ||
      !vireo_domain_check (domain, VIREO_DOMAIN_OP_DELETE, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  define = g_new0 (Define, 1);
  define->name = g_strdup (vireo_domain_get_name (domain));
  define->uuid = g_strdup (vireo_domain_get_uuid (domain));
  define->dom = _vireo_libvirt_domain_ref_dom (VIREO_LIBVIRT_DOMAIN (domain));
  if (remove_storage)
    define->paths = disk_paths (backend, domain);
  job = g_task_new (self, NULL, on_undefined, g_steal_pointer (&task));
  g_task_set_task_data (job, define, (GDestroyNotify) define_free);
  _vireo_libvirt_run (self, job, undefine_in_thread);
}

static gboolean
libvirt_undefine_domain_finish (VireoBackend  *backend,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_vireo_libvirt_backend_class_init_define (VireoBackendClass *klass)
{
  klass->define_domain_async = libvirt_define_domain_async;
  klass->define_domain_finish = libvirt_define_domain_finish;
  klass->undefine_domain_async = libvirt_undefine_domain_async;
  klass->undefine_domain_finish = libvirt_undefine_domain_finish;
  klass->image_deletable = libvirt_image_deletable;
}
