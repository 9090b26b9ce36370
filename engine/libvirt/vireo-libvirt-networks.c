/* vireo-libvirt-networks.c: the virtual networks of a libvirt host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Read with the VMs when the host connects (and reconnects), then kept
 * current by libvirt's network lifecycle events: each event reads that
 * network again in a worker.  Rows are matched by UUID, so a window
 * holding a network keeps it across a lost link.
 */
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"

void
_vireo_libvirt_net_record_free (VireoLibvirtNetRecord *record)
{
  g_free (record->name);
  g_free (record->xml);
  g_free (record);
}

/* The persistent definition; the test driver knows no flags, and gives
 * the one it has */
static char *
read_xml (virNetworkPtr net)
{
  char *xml = virNetworkGetXMLDesc (net, VIR_NETWORK_XML_INACTIVE);

  if (xml == NULL && (virGetLastErrorCode () == VIR_ERR_INVALID_ARG || virGetLastErrorCode () == VIR_ERR_NO_SUPPORT))
    {
      virResetLastError ();
      xml = virNetworkGetXMLDesc (net, 0);
    }
  return xml;
}

/**
 * _vireo_libvirt_net_record_read:
 * In a worker: what a row shows of @net.
 */
VireoLibvirtNetRecord *
_vireo_libvirt_net_record_read (virNetworkPtr   net,
                                GError        **error)
{
  g_autoptr(VireoLibvirtNetRecord) record = g_new0 (VireoLibvirtNetRecord, 1);
  g_autofree char *what = NULL;
  g_autofree char *shown = NULL;
  const char *name = virNetworkGetName (net);
  char *xml;
  int active, autostart;

  shown = _vireo_libvirt_text (name, 256);
  what = g_strdup_printf (_("Network '%s'"), shown ? shown : "?");
  if (name == NULL || virNetworkGetUUIDString (net, record->uuid) < 0 ||
      (xml = read_xml (net)) == NULL)
    {
      g_propagate_error (error, _vireo_libvirt_error (what));
      return NULL;
    }
  /* the host's words, as they are shown: the network is named by UUID in
   * every call */
  record->name = g_steal_pointer (&shown);
  record->xml = g_strdup (xml);
  free (xml);
  if ((active = virNetworkIsActive (net)) < 0 || virNetworkGetAutostart (net, &autostart) < 0)
    {
      g_propagate_error (error, _vireo_libvirt_error (what));
      return NULL;
    }
  record->active = active == 1;
  record->autostart = autostart == 1;
  return g_steal_pointer (&record);
}

/**
 * _vireo_libvirt_list_networks:
 * In a worker.
 *
 * Returns: (transfer full) (nullable): every network of the host
 *   (VireoLibvirtNetRecord); %NULL when the host cannot list them
 */
GPtrArray *
_vireo_libvirt_list_networks (VireoLibvirtBackend *self,
                              virConnectPtr        conn,
                              guint64              stamp)
{
  GPtrArray *records;
  virNetworkPtr *nets = NULL;
  int n;

  _vireo_libvirt_count_call (self);
  n = virConnectListAllNetworks (conn, &nets, 0);
  if (n < 0)
    {
      g_debug ("%s: no networks: %s", vireo_backend_get_uri (VIREO_BACKEND (self)), virGetLastErrorMessage ());
      virResetLastError ();
      return NULL;
    }
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) _vireo_libvirt_net_record_free);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      VireoLibvirtNetRecord *record;

      _vireo_libvirt_count_call (self);
      /* one that went meanwhile is simply not there */
      if ((record = _vireo_libvirt_net_record_read (nets[i], &error)) != NULL)
        {
          record->stamp = stamp;
          g_ptr_array_add (records, record);
        }
      else
        g_debug ("%s", error->message);
      virNetworkFree (nets[i]);
    }
  free (nets);
  return records;
}

/* Rows ------------------------------------------------------------------ */

static VireoLibvirtNetwork *
lookup (VireoLibvirtBackend *self,
        const char          *uuid)
{
  GListModel *list = vireo_backend_get_networks (VIREO_BACKEND (self));

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(VireoNetwork) network = g_list_model_get_item (list, i);

      if (VIREO_IS_LIBVIRT_NETWORK (network) &&
          g_ascii_strcasecmp (_vireo_libvirt_network_get_uuid (VIREO_LIBVIRT_NETWORK (network)), uuid) == 0)
        return VIREO_LIBVIRT_NETWORK (network);   /* the list holds a reference */
    }
  return NULL;
}

static void
insert_sorted (VireoLibvirtBackend *self,
               VireoNetwork        *network)
{
  g_list_store_insert_sorted (_vireo_backend_get_network_store (VIREO_BACKEND (self)), network,
                              _vireo_backend_compare_networks, NULL);
}

/**
 * _vireo_libvirt_backend_apply_network:
 * Main thread: a row for what a worker read, matched by UUID; a read
 * older than the network's last event changes nothing.
 */
void
_vireo_libvirt_backend_apply_network (VireoLibvirtBackend   *self,
                                      VireoLibvirtNetRecord *record)
{
  VireoLibvirtNetwork *network = lookup (self, record->uuid);
  GListStore *store = _vireo_backend_get_network_store (VIREO_BACKEND (self));
  guint position;

  if (network == NULL)
    {
      GHashTable *gone = _vireo_libvirt_backend_get_net_gone (self);
      const guint64 *went = g_hash_table_lookup (gone, record->uuid);
      g_autoptr(VireoNetwork) added = NULL;

      if (went != NULL && *went > record->stamp)
        return;   /* read before it went */
      g_hash_table_remove (gone, record->uuid);
      added = _vireo_libvirt_network_new (self, record);
      insert_sorted (self, added);
      return;
    }
  /* a UUID defined again under another name: its place moves */
  if (_vireo_libvirt_network_update (network, record) && g_list_store_find (store, network, &position))
    {
      g_autoptr(VireoNetwork) keep = g_object_ref (VIREO_NETWORK (network));

      g_list_store_remove (store, position);
      insert_sorted (self, keep);
    }
}

void
_vireo_libvirt_backend_forget_network (VireoLibvirtBackend *self,
                                       const char          *uuid)
{
  GListStore *store = _vireo_backend_get_network_store (VIREO_BACKEND (self));
  VireoLibvirtNetwork *network = lookup (self, uuid);
  GHashTable *gone = _vireo_libvirt_backend_get_net_gone (self);
  guint64 stamp = _vireo_libvirt_backend_next_net_stamp (self, TRUE);
  guint position;

  /* a read that began before now does not bring it back; the table is
   * bounded (a host that lost more networks than that forgets the oldest) */
  if (g_hash_table_size (gone) > 1024)
    g_hash_table_remove_all (gone);
  g_hash_table_replace (gone, g_strdup (uuid), g_memdup2 (&stamp, sizeof stamp));
  if (network != NULL && g_list_store_find (store, network, &position))
    g_list_store_remove (store, position);
}

/**
 * _vireo_libvirt_backend_apply_networks:
 * Main thread: the rows become what the host has; same UUID, same object.
 */
void
_vireo_libvirt_backend_apply_networks (VireoLibvirtBackend *self,
                                       GPtrArray           *records)
{
  GListModel *list = vireo_backend_get_networks (VIREO_BACKEND (self));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < records->len; i++)
    {
      VireoLibvirtNetRecord *record = g_ptr_array_index (records, i);

      _vireo_libvirt_backend_apply_network (self, record);
      g_hash_table_add (seen, record->uuid);
    }
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(VireoNetwork) network = g_list_model_get_item (list, i);
      const char *uuid = VIREO_IS_LIBVIRT_NETWORK (network)
                         ? _vireo_libvirt_network_get_uuid (VIREO_LIBVIRT_NETWORK (network)) : NULL;

      if (uuid != NULL && !g_hash_table_contains (seen, uuid))
        g_ptr_array_add (gone, g_strdup (uuid));
    }
  for (guint i = 0; i < gone->len; i++)
    _vireo_libvirt_backend_forget_network (self, g_ptr_array_index (gone, i));
}

/* Events ---------------------------------------------------------------- */

typedef struct {
  char uuid[VIR_UUID_STRING_BUFLEN];
  guint generation;
  guint64 stamp;
} Refetch;

static void
refetch_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  VireoLibvirtBackend *self = source_object;
  Refetch *refetch = task_data;
  /* for the debug log only: the row goes on NOT_FOUND */
  g_autofree char *what = g_strdup_printf ("network %s", refetch->uuid);
  VireoLibvirtNetRecord *record = NULL;
  virConnectPtr conn;
  virNetworkPtr net = NULL;
  GError *error = NULL;

  if ((conn = _vireo_libvirt_get_conn (self, &error)) != NULL)
    {
      _vireo_libvirt_count_call (self);
      if ((net = virNetworkLookupByUUIDString (conn, refetch->uuid)) == NULL)
        error = _vireo_libvirt_error (what);
      else if ((record = _vireo_libvirt_net_record_read (net, &error)) != NULL)
        record->stamp = refetch->stamp;
      if (net != NULL)
        virNetworkFree (net);
      virConnectClose (conn);
    }
  if (record == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, record, (GDestroyNotify) _vireo_libvirt_net_record_free);
}

static void
on_refetched (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (source);
  Refetch *refetch = g_task_get_task_data (G_TASK (result));
  g_autoptr(VireoLibvirtNetRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  if (refetch->generation != _vireo_libvirt_backend_get_generation (self))
    return;
  record = g_task_propagate_pointer (G_TASK (result), &error);
  if (record != NULL)
    _vireo_libvirt_backend_apply_network (self, record);
  else if (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND))
    _vireo_libvirt_backend_forget_network (self, refetch->uuid);   /* gone meanwhile */
  else
    g_debug ("%s", error->message);
}

/**
 * _vireo_libvirt_backend_network_event:
 * Main thread: libvirt's lifecycle event for @net.  "active" follows at
 * once; the rest (defined, undefined, a transient network gone) comes
 * from a fresh read.
 */
void
_vireo_libvirt_backend_network_event (VireoLibvirtBackend *self,
                                      virNetworkPtr        net,
                                      int                  event)
{
  g_autoptr(GTask) task = NULL;
  VireoLibvirtNetwork *network;
  Refetch *refetch = g_new0 (Refetch, 1);
  guint64 stamp = _vireo_libvirt_backend_next_net_stamp (self, TRUE);

  if (virNetworkGetUUIDString (net, refetch->uuid) < 0)
    {
      virResetLastError ();
      g_free (refetch);
      return;
    }
  if ((network = lookup (self, refetch->uuid)) != NULL)
    {
      _vireo_libvirt_network_set_event_stamp (network, stamp);
      if (event == VIR_NETWORK_EVENT_STARTED || event == VIR_NETWORK_EVENT_STOPPED)
        _vireo_network_set_active (VIREO_NETWORK (network), event == VIR_NETWORK_EVENT_STARTED);
    }
  refetch->generation = _vireo_libvirt_backend_get_generation (self);
  refetch->stamp = stamp;
  task = g_task_new (self, NULL, on_refetched, NULL);
  g_task_set_task_data (task, refetch, g_free);
  _vireo_libvirt_run (self, task, refetch_in_thread);
}

/* Defining and undefining ------------------------------------------------ */

typedef struct {
  char *what;                 /* "Network 'lab' on host 'test:///default'" */
  char *xml;                  /* define */
  char uuid[VIR_UUID_STRING_BUFLEN];
  guint64 stamp;
} Define;

static void
define_free (Define *define)
{
  g_free (define->what);
  g_free (define->xml);
  g_free (define);
}

static Define *
define_new (VireoLibvirtBackend *self,
            const char          *name,
            const char          *uuid)
{
  Define *define = g_new0 (Define, 1);

  define->what = g_strdup_printf (_("Network '%s' on host '%s'"), name, vireo_backend_get_title (VIREO_BACKEND (self)));
  g_strlcpy (define->uuid, uuid ? uuid : "", sizeof define->uuid);
  define->stamp = _vireo_libvirt_backend_next_net_stamp (self, FALSE);
  return define;
}

static void
define_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  VireoLibvirtBackend *self = source_object;
  Define *define = task_data;
  VireoLibvirtNetRecord *record = NULL;
  virConnectPtr conn;
  virNetworkPtr net;
  GError *error = NULL;

  if ((conn = _vireo_libvirt_get_conn (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _vireo_libvirt_count_call (self);
  if ((net = virNetworkDefineXML (conn, define->xml)) == NULL)
    error = _vireo_libvirt_error (define->what);
  else if ((record = _vireo_libvirt_net_record_read (net, &error)) != NULL)
    record->stamp = define->stamp;
  if (net != NULL)
    virNetworkFree (net);
  virConnectClose (conn);
  if (record == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, record, (GDestroyNotify) _vireo_libvirt_net_record_free);
}

static void
on_defined (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(VireoLibvirtNetRecord) record = NULL;
  VireoLibvirtNetwork *network;
  GError *error = NULL;

  if ((record = g_task_propagate_pointer (G_TASK (result), &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _vireo_libvirt_backend_apply_network (self, record);
  if ((network = lookup (self, record->uuid)) == NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                               _("Network '%s' was removed by another client meanwhile"), record->name);
      return;
    }
  g_task_return_pointer (task, g_object_ref (network), g_object_unref);
}

static void
libvirt_define_network_async (VireoBackend             *backend,
                              const VireoNetworkConfig *config,
                              GCancellable             *cancellable,
                              GAsyncReadyCallback       callback,
                              gpointer                  user_data)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) job = NULL;
  GError *error = NULL;
  Define *define;

  if (!_vireo_libvirt_check_connected (self, &error) ||
      !_vireo_backend_check_network_overlap (backend, config, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  define = define_new (self, config->name, config->uuid);
  define->xml = vireo_network_config_format (config);
  job = g_task_new (self, NULL, on_defined, g_steal_pointer (&task));
  g_task_set_task_data (job, define, (GDestroyNotify) define_free);
  _vireo_libvirt_run (self, job, define_in_thread);
}

static VireoNetwork *
libvirt_define_network_finish (VireoBackend  *backend,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
undefine_in_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  VireoLibvirtBackend *self = source_object;
  Define *define = task_data;
  virConnectPtr conn;
  virNetworkPtr net = NULL;
  GError *error = NULL;

  if ((conn = _vireo_libvirt_get_conn (self, &error)) != NULL)
    {
      _vireo_libvirt_count_call (self);
      if ((net = virNetworkLookupByUUIDString (conn, define->uuid)) == NULL || virNetworkUndefine (net) < 0)
        error = _vireo_libvirt_error (define->what);
      if (net != NULL)
        virNetworkFree (net);
      virConnectClose (conn);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
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
  _vireo_libvirt_backend_forget_network (self, define->uuid);
  g_task_return_boolean (task, TRUE);
}

static void
libvirt_undefine_network_async (VireoBackend        *backend,
                                VireoNetwork        *network,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) job = NULL;
  GError *error = NULL;

  if (!_vireo_libvirt_check_connected (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  job = g_task_new (self, NULL, on_undefined, g_steal_pointer (&task));
  g_task_set_task_data (job, define_new (self, vireo_network_get_name (network),
                                         _vireo_libvirt_network_get_uuid (VIREO_LIBVIRT_NETWORK (network))),
                        (GDestroyNotify) define_free);
  _vireo_libvirt_run (self, job, undefine_in_thread);
}

static gboolean
libvirt_undefine_network_finish (VireoBackend  *backend,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_vireo_libvirt_backend_class_init_networks (VireoBackendClass *klass)
{
  klass->define_network_async = libvirt_define_network_async;
  klass->define_network_finish = libvirt_define_network_finish;
  klass->undefine_network_async = libvirt_undefine_network_async;
  klass->undefine_network_finish = libvirt_undefine_network_finish;
}
