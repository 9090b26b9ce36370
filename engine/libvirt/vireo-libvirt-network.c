/* vireo-libvirt-network.c: one virtual network of a libvirt host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Start, stop, autostart, static leases and leases are one libvirt call
 * each in the host's workers, on the network looked up by UUID on the
 * link of the moment (a reconnect never leaves a stale handle); each but
 * the leases reads the network again after it, and the row takes that.
 *
 * A definition Vireo's parser refuses (a bridged or routed network, IPv6)
 * still gets a row: its name, UUID, state and autostart, with a
 * definition of only those; it starts, stops and goes like any other,
 * but Vireo adds no static lease to it.
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"
#include "vireo-xml.h"

struct _VireoLibvirtNetwork
{
  VireoNetwork parent_instance;

  char uuid[VIR_UUID_STRING_BUFLEN];
  gboolean unreadable;        /* Vireo's parser refused the definition */
  guint64 event_stamp;        /* the host's network event count at its last event */
};

G_DEFINE_FINAL_TYPE (VireoLibvirtNetwork, vireo_libvirt_network, VIREO_TYPE_NETWORK)

typedef enum { OP_START, OP_STOP, OP_REFRESH, OP_AUTOSTART, OP_ADD_HOST, OP_LEASES } OpKind;

typedef struct {
  OpKind kind;
  char *what;                 /* "Network 'lab' on host 'test:///default'" */
  char uuid[VIR_UUID_STRING_BUFLEN];
  gboolean autostart;
  char *host_xml;             /* OP_ADD_HOST: the <host/> */
  guint64 stamp;
} Op;

static void
op_free (Op *op)
{
  g_free (op->what);
  g_free (op->host_xml);
  g_free (op);
}

/* A static lease, live too while the network runs */
static int
add_host (virNetworkPtr  net,
          const char    *xml)
{
  unsigned int flags = VIR_NETWORK_UPDATE_AFFECT_CONFIG;
  int active = virNetworkIsActive (net);

  if (active < 0)
    return -1;
  if (active)
    flags |= VIR_NETWORK_UPDATE_AFFECT_LIVE;
  return virNetworkUpdate (net, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, VIR_NETWORK_SECTION_IP_DHCP_HOST, -1,
                           xml, flags);
}

static GPtrArray *
read_leases (virNetworkPtr net)
{
  virNetworkDHCPLeasePtr *leases = NULL;
  GPtrArray *out;
  int n = virNetworkGetDHCPLeases (net, NULL, &leases, 0);

  if (n < 0)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_network_lease_free);
  for (int i = 0; i < n; i++)
    {
      VireoNetworkLease *lease = g_new0 (VireoNetworkLease, 1);

      /* the host's words: shown in terminals, messages and JSON */
      lease->mac = _vireo_libvirt_text (leases[i]->mac, 64);
      lease->ip = _vireo_libvirt_text (leases[i]->ipaddr, 64);
      lease->hostname = _vireo_libvirt_text (leases[i]->hostname, 255);
      lease->expiry = leases[i]->expirytime;
      g_ptr_array_add (out, lease);
      virNetworkDHCPLeaseFree (leases[i]);
    }
  free (leases);
  return out;
}

static int
run_op (Op            *op,
        virNetworkPtr  net)
{
  switch (op->kind)
    {
    case OP_START:
      return virNetworkCreate (net);
    case OP_STOP:
      return virNetworkDestroy (net);
    case OP_AUTOSTART:
      return virNetworkSetAutostart (net, op->autostart);
    case OP_ADD_HOST:
      return add_host (net, op->host_xml);
    case OP_REFRESH:
    case OP_LEASES:
    default:
      return 0;
    }
}

static void
op_in_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  VireoLibvirtBackend *backend = _vireo_libvirt_worker_backend ();
  Op *op = task_data;
  VireoLibvirtNetRecord *record = NULL;
  GPtrArray *leases = NULL;
  virConnectPtr conn;
  virNetworkPtr net = NULL;
  GError *error = NULL;

  if ((conn = _vireo_libvirt_get_conn (backend, &error)) != NULL)
    {
      _vireo_libvirt_count_call (backend);
      if ((net = virNetworkLookupByUUIDString (conn, op->uuid)) == NULL || run_op (op, net) < 0)
        error = _vireo_libvirt_error (op->what);
      else if (op->kind == OP_LEASES && (leases = read_leases (net)) == NULL)
        error = _vireo_libvirt_error (op->what);
      else if (op->kind != OP_LEASES && (record = _vireo_libvirt_net_record_read (net, &error)) != NULL)
        record->stamp = op->stamp;
      if (net != NULL)
        virNetworkFree (net);
      virConnectClose (conn);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else if (leases != NULL)
    g_task_return_pointer (task, leases, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_pointer (task, record, (GDestroyNotify) _vireo_libvirt_net_record_free);
}

/* Returns: (transfer full) (nullable): the job of @kind on @network,
 *   or %NULL when it failed at once (then @task has the error) */
static Op *
op_new (VireoNetwork  *network,
        OpKind         kind,
        GTask         *task)
{
  VireoBackend *backend = vireo_network_get_backend (network);
  GError *error = NULL;
  Op *op;

  if (backend == NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_DISCONNECTED,
                               _("Network '%s': its host was removed"), vireo_network_get_name (network));
      return NULL;
    }
  if (!_vireo_libvirt_check_connected (VIREO_LIBVIRT_BACKEND (backend), &error))
    {
      g_task_return_error (task, error);
      return NULL;
    }
  op = g_new0 (Op, 1);
  op->kind = kind;
  op->what = g_strdup_printf (_("Network '%s' on host '%s'"), vireo_network_get_name (network),
                              vireo_backend_get_title (backend));
  g_strlcpy (op->uuid, VIREO_LIBVIRT_NETWORK (network)->uuid, sizeof op->uuid);
  op->stamp = _vireo_libvirt_backend_next_net_stamp (VIREO_LIBVIRT_BACKEND (backend), FALSE);
  return op;
}

static void
on_op_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VireoNetwork *network = VIREO_NETWORK (source);
  VireoBackend *backend = vireo_network_get_backend (network);
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (G_TASK (result));
  gpointer out;
  GError *error = NULL;

  if ((out = g_task_propagate_pointer (G_TASK (result), &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (op->kind == OP_LEASES)
    {
      g_task_return_pointer (task, out, (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  if (backend != NULL)
    _vireo_libvirt_backend_apply_network (VIREO_LIBVIRT_BACKEND (backend), out);
  else
    _vireo_libvirt_network_update (VIREO_LIBVIRT_NETWORK (network), out);
  _vireo_libvirt_net_record_free (out);
  g_task_return_boolean (task, TRUE);
}

/* Runs @op (taken; NULL: @task has failed already) in the host's worker */
static void
start_op (VireoNetwork *network,
          Op           *op,
          GTask        *task)
{
  g_autoptr(GTask) job = NULL;

  if (op == NULL)
    return;
  job = g_task_new (network, NULL, on_op_done, g_object_ref (task));
  g_task_set_task_data (job, op, (GDestroyNotify) op_free);
  _vireo_libvirt_run (VIREO_LIBVIRT_BACKEND (vireo_network_get_backend (network)), job, op_in_thread);
}

static void
simple_op (VireoNetwork        *network,
           OpKind               kind,
           gboolean             autostart,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (network, cancellable, callback, user_data);
  Op *op = op_new (network, kind, task);

  if (op != NULL)
    op->autostart = autostart;
  start_op (network, op, task);
}

static void
libvirt_start_async (VireoNetwork *network, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  simple_op (network, OP_START, FALSE, cancellable, callback, user_data);
}

static void
libvirt_stop_async (VireoNetwork *network, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  simple_op (network, OP_STOP, FALSE, cancellable, callback, user_data);
}

static void
libvirt_refresh_async (VireoNetwork *network, GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data)
{
  simple_op (network, OP_REFRESH, FALSE, cancellable, callback, user_data);
}

static void
libvirt_set_autostart_async (VireoNetwork *network, gboolean autostart, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  simple_op (network, OP_AUTOSTART, autostart, cancellable, callback, user_data);
}

static void
libvirt_get_leases_async (VireoNetwork *network, GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  simple_op (network, OP_LEASES, FALSE, cancellable, callback, user_data);
}

/* The lease is checked with the network's rules at once, as on this
 * machine; libvirt checks it again against what the host has now */
static void
libvirt_add_host_async (VireoNetwork        *network,
                        const char          *mac,
                        const char          *ip,
                        const char          *host_name,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (network, cancellable, callback, user_data);
  g_autoptr(VireoNetworkConfig) config = vireo_network_config_copy (vireo_network_get_config (network));
  VireoBackend *backend = vireo_network_get_backend (network);
  const VireoNetworkHostConfig *host;
  GError *error = NULL;
  Op *op;

  if (VIREO_LIBVIRT_NETWORK (network)->unreadable)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
                               _("Network '%s' on host '%s': Vireo cannot read its definition to change it"),
                               vireo_network_get_name (network), backend ? vireo_backend_get_title (backend) : "");
      return;
    }
  if (!vireo_network_config_add_host (config, mac, ip, host_name, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if ((op = op_new (network, OP_ADD_HOST, task)) == NULL)
    return;
  host = g_ptr_array_index (config->hosts, config->hosts->len - 1);
  op->host_xml = host->name != NULL
                 ? g_markup_printf_escaped ("<host mac='%s' name='%s' ip='%s'/>", host->mac, host->name, host->ip)
                 : g_markup_printf_escaped ("<host mac='%s' ip='%s'/>", host->mac, host->ip);
  start_op (network, op, task);
}

static gboolean
libvirt_op_finish (VireoNetwork  *network,
                   GAsyncResult  *result,
                   GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static GPtrArray *
libvirt_get_leases_finish (VireoNetwork  *network,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
vireo_libvirt_network_class_init (VireoLibvirtNetworkClass *klass)
{
  VireoNetworkClass *network_class = VIREO_NETWORK_CLASS (klass);

  network_class->start_async = libvirt_start_async;
  network_class->start_finish = libvirt_op_finish;
  network_class->stop_async = libvirt_stop_async;
  network_class->stop_finish = libvirt_op_finish;
  network_class->refresh_async = libvirt_refresh_async;
  network_class->refresh_finish = libvirt_op_finish;
  network_class->set_autostart_async = libvirt_set_autostart_async;
  network_class->set_autostart_finish = libvirt_op_finish;
  network_class->add_host_async = libvirt_add_host_async;
  network_class->add_host_finish = libvirt_op_finish;
  network_class->get_leases_async = libvirt_get_leases_async;
  network_class->get_leases_finish = libvirt_get_leases_finish;
}

static void
vireo_libvirt_network_init (VireoLibvirtNetwork *self)
{
}

/* What a row shows of a definition Vireo cannot read: its name and UUID */
static VireoNetworkConfig *
bare_config (const VireoLibvirtNetRecord *record)
{
  VireoNetworkConfig *config = vireo_network_config_new (record->name);
  xmlDoc *doc = vireo_xml_read (record->xml, -1, "network", NULL);
  xmlNode *root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  xmlNode *bridge = root != NULL ? vireo_xml_child (root, "bridge") : NULL;
  g_autofree char *bridge_name = bridge != NULL ? vireo_xml_prop (bridge, "name") : NULL;

  g_free (config->uuid);
  config->uuid = g_strdup (record->uuid);
  /* its bridge and first IPv4 subnet, which a new network must not take */
  config->bridge = _vireo_libvirt_text (bridge_name, 64);
  if (root != NULL)
    vireo_xml_for_each_element (ip, root)
      {
        g_autofree char *family = vireo_xml_prop (ip, "family");
        g_autofree char *address = vireo_xml_prop (ip, "address");
        g_autofree char *prefix = vireo_xml_prop (ip, "prefix");
        g_autofree char *netmask = vireo_xml_prop (ip, "netmask");
        GInetAddress *mask = netmask != NULL ? g_inet_address_new_from_string (netmask) : NULL;
        guint bits = prefix != NULL ? (guint) g_ascii_strtoull (prefix, NULL, 10) : 24;

        if (!vireo_xml_is (ip, "ip") || config->address != NULL || (family != NULL && !g_str_equal (family, "ipv4")) ||
            address == NULL || !g_hostname_is_ip_address (address) || strchr (address, ':') != NULL)
          {
            g_clear_object (&mask);
            continue;
          }
        if (mask != NULL)
          {
            const guint8 *bytes = g_inet_address_to_bytes (mask);

            bits = 0;
            for (guint i = 0; i < 4 && g_inet_address_get_family (mask) == G_SOCKET_FAMILY_IPV4; i++)
              for (guint8 b = bytes[i]; b & 0x80; b <<= 1)
                bits++;
            g_object_unref (mask);
          }
        config->address = g_strdup (address);
        config->prefix = MIN (bits, 32);
      }
  g_clear_pointer (&doc, xmlFreeDoc);
  return config;
}

/**
 * _vireo_libvirt_network_update:
 * Main thread: the row takes what a worker read, unless the read began
 * before the network's last event.
 *
 * Returns: whether the name changed
 */
gboolean
_vireo_libvirt_network_update (VireoLibvirtNetwork   *self,
                               VireoLibvirtNetRecord *record)
{
  VireoNetwork *network = VIREO_NETWORK (self);
  g_autoptr(GError) error = NULL;
  VireoNetworkConfig *config;
  gboolean renamed;

  if (record->stamp < self->event_stamp)
    return FALSE;
  renamed = vireo_network_get_config (network) != NULL && g_strcmp0 (vireo_network_get_name (network), record->name) != 0;
  config = vireo_network_config_parse (record->xml, -1, record->name, &error);
  self->unreadable = config == NULL;
  if (config == NULL)
    {
      g_debug ("Network '%s' is shown read-only: %s", record->name, error->message);
      config = bare_config (record);
    }
  _vireo_network_set_config (network, config);
  _vireo_network_set_active (network, record->active);
  _vireo_network_set_autostart (network, record->autostart);
  return renamed;
}

/**
 * _vireo_libvirt_network_new:
 * Main thread.
 *
 * Returns: (transfer full): the row of @record's network
 */
VireoNetwork *
_vireo_libvirt_network_new (VireoLibvirtBackend   *backend,
                            VireoLibvirtNetRecord *record)
{
  VireoLibvirtNetwork *self = g_object_new (VIREO_TYPE_LIBVIRT_NETWORK, NULL);

  g_strlcpy (self->uuid, record->uuid, sizeof self->uuid);
  _vireo_network_set_backend (VIREO_NETWORK (self), VIREO_BACKEND (backend));
  _vireo_libvirt_network_update (self, record);
  return VIREO_NETWORK (self);
}

const char *
_vireo_libvirt_network_get_uuid (VireoLibvirtNetwork *self)
{
  return self->uuid;
}

void
_vireo_libvirt_network_set_event_stamp (VireoLibvirtNetwork *self,
                                        guint64              stamp)
{
  self->event_stamp = stamp;
}
