/* vireo-net-dbus.c: vireo-net as the D-Bus system service dev.vireo.Net1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For desktop users and the Flatpak, which can run neither pkexec nor a
 * setuid program: the bus activates this service on demand, polkit
 * decides who may change networks (root may always), and a tap's fd goes
 * back as a GUnixFDList.  Calls run one at a time, in order, on one
 * worker thread, so the bus connection is never held up; the service
 * exits after a minute without calls.
 */
#include <unistd.h>
#include <gio/gunixfdlist.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-net-helper.h"
#include "vireo-net-protocol.h"

/* requests waiting for polkit or the worker, at the most */
#define MAX_REQUESTS 32
#define IDLE_EXIT_SECONDS 60
#define POLKIT_TIMEOUT_MS (5 * 60 * 1000)

static const char introspection_xml[] =
  "<node>"
  " <interface name='" VIREO_NET_INTERFACE "'>"
  "  <method name='Start'><arg type='a{sv}' name='params' direction='in'/></method>"
  "  <method name='Stop'><arg type='s' name='name' direction='in'/></method>"
  "  <method name='OpenTap'>"
  "   <arg type='s' name='name' direction='in'/><arg type='s' name='mac' direction='in'/>"
  "   <arg type='h' name='fd' direction='out'/><arg type='s' name='tap' direction='out'/>"
  "  </method>"
  "  <method name='Status'><arg type='s' name='name' direction='in'/>"
  "   <arg type='a{sv}' name='status' direction='out'/></method>"
  "  <method name='Leases'><arg type='s' name='name' direction='in'/>"
  "   <arg type='a(xsss)' name='leases' direction='out'/></method>"
  "  <method name='List'><arg type='as' name='names' direction='out'/></method>"
  " </interface>"
  "</node>";

typedef struct {
  GMainLoop *loop;
  GDBusConnection *bus;
  gboolean system_bus;     /* polkit knows the callers only there */
  VnetState *state;
  GThreadPool *worker;
  guint busy;
  gint64 last_call;
} Service;

/* a call the worker runs, with the uid of its caller (its bus
 * connection's, from the bus itself; unused for queries) */
typedef struct {
  GDBusMethodInvocation *inv;
  guint32 uid;
} Call;

static Call *
call_new (GDBusMethodInvocation *inv,
          guint32                uid)
{
  Call *call = g_new0 (Call, 1);

  call->inv = inv;
  call->uid = uid;
  return call;
}

/* ---- the worker: one call at a time ---- */

static gboolean
call_done (gpointer data)
{
  Service *svc = data;

  svc->busy--;
  svc->last_call = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

static void
reply_open_tap (Service               *svc,
                GDBusMethodInvocation *inv,
                GVariant              *args)
{
  const char *name, *mac;
  g_autofree char *tap = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  int fd;

  g_variant_get (args, "(&s&s)", &name, &mac);
  fd = vnet_net_open_tap (svc->state, name, mac, &tap, &error);
  if (fd < 0)
    return g_dbus_method_invocation_return_gerror (inv, error);
  fds = g_unix_fd_list_new ();
  if (g_unix_fd_list_append (fds, fd, &error) < 0)
    {
      close (fd);
      return g_dbus_method_invocation_return_gerror (inv, error);
    }
  close (fd);
  g_dbus_method_invocation_return_value_with_unix_fd_list (inv, g_variant_new ("(hs)", 0, tap), fds);
}

static void
reply_start (Service               *svc,
             GDBusMethodInvocation *inv,
             GVariant              *args,
             guint32                uid)
{
  g_autoptr(GVariant) dict = g_variant_get_child_value (args, 0);
  g_autoptr(VireoNetParams) params = NULL;
  g_autoptr(GError) error = NULL;

  params = vireo_net_params_from_variant (dict, &error);
  if (params == NULL || !vnet_net_start (svc->state, params, uid, &error))
    return g_dbus_method_invocation_return_gerror (inv, error);
  g_dbus_method_invocation_return_value (inv, NULL);
}

/* returns @result (floating) or @error as the reply */
static void
reply_with (GDBusMethodInvocation *inv,
            GVariant              *result,
            GError                *error)
{
  if (result == NULL)
    return g_dbus_method_invocation_return_gerror (inv, error);
  g_dbus_method_invocation_return_value (inv, g_variant_new_tuple (&result, 1));
}

static void
work (gpointer data,
      gpointer user_data)
{
  g_autofree Call *call = data;
  g_autoptr(GDBusMethodInvocation) inv = call->inv;
  Service *svc = user_data;
  const char *method = g_dbus_method_invocation_get_method_name (inv);
  GVariant *args = g_dbus_method_invocation_get_parameters (inv);
  g_autoptr(GError) error = NULL;
  const char *name = NULL;

  if (g_variant_n_children (args) > 0 && g_variant_is_of_type (args, G_VARIANT_TYPE ("(s)")))
    g_variant_get (args, "(&s)", &name);
  if (g_str_equal (method, "Start"))
    reply_start (svc, inv, args, call->uid);
  else if (g_str_equal (method, "OpenTap"))
    reply_open_tap (svc, inv, args);
  else if (g_str_equal (method, "Stop"))
    {
      if (vnet_net_stop (svc->state, name, call->uid, &error))
        g_dbus_method_invocation_return_value (inv, NULL);
      else
        g_dbus_method_invocation_return_gerror (inv, error);
    }
  else if (g_str_equal (method, "Status"))
    reply_with (inv, vnet_net_status (svc->state, name, &error), error);
  else if (g_str_equal (method, "Leases"))
    reply_with (inv, vnet_net_leases (svc->state, name, &error), error);
  else
    reply_with (inv, vnet_net_list (svc->state), NULL);
  g_idle_add (call_done, svc);
}

/* ---- authorisation: root, or polkit's yes ---- */

typedef struct {
  Service *svc;
  GDBusMethodInvocation *inv;
  guint32 uid;
} Pending;

static void
deny (Pending *p)
{
  GVariant *args = g_dbus_method_invocation_get_parameters (p->inv);
  const char *name = "?";
  g_autoptr(GVariant) first = g_variant_get_child_value (args, 0);

  if (g_variant_is_of_type (first, G_VARIANT_TYPE_STRING))
    name = g_variant_get_string (first, NULL);
  else
    g_variant_lookup (first, "name", "&s", &name);
  g_dbus_method_invocation_return_error (p->inv, VIREO_ERROR, VIREO_ERROR_PERMISSION,
                                         _("Network '%s': you are not allowed to manage Vireo's networks"),
                                         name);
  g_idle_add (call_done, p->svc);
  g_free (p);
}

static void
allow (Pending *p)
{
  g_thread_pool_push (p->svc->worker, call_new (p->inv, p->uid), NULL);
  g_free (p);
}

static void
polkit_done (GObject      *source,
             GAsyncResult *res,
             gpointer      data)
{
  Pending *p = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &error);
  gboolean authorized = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "((bb@a{ss}))", &authorized, NULL, NULL);
  else
    g_debug ("polkit: %s", error->message);
  authorized ? allow (p) : deny (p);
}

static void
ask_polkit (Pending *p)
{
  g_autoptr(GDBusConnection) system = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, NULL);
  GVariantBuilder subject;

  if (system == NULL)
    return deny (p);
  g_variant_builder_init (&subject, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&subject, "{sv}", "name",
                         g_variant_new_string (g_dbus_method_invocation_get_sender (p->inv)));
  /* flag 1: AllowUserInteraction (auth_admin_keep asks for a password) */
  g_dbus_connection_call (system, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
                          "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization",
                          g_variant_new ("((sa{sv})sa{ss}us)", "system-bus-name", &subject,
                                         VIREO_NET_POLKIT_ACTION, NULL, 1u, ""),
                          G_VARIANT_TYPE ("((bba{ss}))"), G_DBUS_CALL_FLAGS_NONE, POLKIT_TIMEOUT_MS,
                          NULL, polkit_done, p);
}

static void
got_uid (GObject      *source,
         GAsyncResult *res,
         gpointer      data)
{
  Pending *p = data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, NULL);
  guint32 uid = G_MAXUINT32;

  if (reply != NULL)
    g_variant_get (reply, "(u)", &uid);
  p->uid = uid;
  if (uid == 0)
    allow (p);
  else if (reply != NULL && p->svc->system_bus)
    ask_polkit (p);
  else
    deny (p);
}

static void
method_call (GDBusConnection       *bus,
             const char            *sender,
             const char            *path,
             const char            *iface,
             const char            *method,
             GVariant              *args,
             GDBusMethodInvocation *inv,
             gpointer               data)
{
  Service *svc = data;
  Pending *p;

  /* a caller that floods the service (even one polkit will refuse) gets
   * an answer at once instead of a queue without end */
  if (svc->busy >= MAX_REQUESTS)
    {
      g_dbus_method_invocation_return_error (inv, VIREO_ERROR, VIREO_ERROR_BUSY,
                                             _("vireo-net is busy with %d requests; try again later"),
                                             MAX_REQUESTS);
      return;
    }
  svc->busy++;
  if (g_str_equal (method, "Status") || g_str_equal (method, "Leases") || g_str_equal (method, "List"))
    {
      g_thread_pool_push (svc->worker, call_new (g_object_ref (inv), 0), NULL);
      return;
    }
  p = g_new0 (Pending, 1);
  p->svc = svc;
  p->inv = g_object_ref (inv);
  g_dbus_connection_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "GetConnectionUnixUser", g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(u)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, got_uid, p);
}

/* ---- the service's life ---- */

static gboolean
idle_check (gpointer data)
{
  Service *svc = data;

  if (svc->busy == 0 && g_get_monotonic_time () - svc->last_call > IDLE_EXIT_SECONDS * G_USEC_PER_SEC)
    g_main_loop_quit (svc->loop);
  return G_SOURCE_CONTINUE;
}

static void
name_lost (GDBusConnection *bus,
           const char      *name,
           gpointer         data)
{
  Service *svc = data;

  g_printerr ("vireo-net: cannot own %s on the bus\n", name);
  g_main_loop_quit (svc->loop);
}

static GDBusConnection *
connect_bus (const char  *address,
             GError     **error)
{
  if (address == NULL)
    return g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
  return g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, error);
}

static gboolean
serve (Service     *svc,
       GError     **error)
{
  static const GDBusInterfaceVTable vtable = { method_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (introspection_xml, error);
  guint owner;

  if (node == NULL ||
      !g_dbus_connection_register_object (svc->bus, VIREO_NET_OBJECT_PATH, node->interfaces[0],
                                          &vtable, svc, NULL, error))
    return FALSE;
  owner = g_bus_own_name_on_connection (svc->bus, VIREO_NET_BUS_NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                        NULL, name_lost, svc, NULL);
  g_timeout_add_seconds (5, idle_check, svc);
  svc->last_call = g_get_monotonic_time ();
  g_main_loop_run (svc->loop);
  g_bus_unown_name (owner);
  return TRUE;
}

/**
 * vnet_dbus_main:
 * @bus_address: (nullable): a bus to serve on (tests); NULL: the system bus
 * Returns: the exit status
 */
int
vnet_dbus_main (const char *state_dir,
                const char *bus_address)
{
  Service svc = { 0 };
  g_autoptr(GError) error = NULL;
  int status = 1;

  vireo_net_dbus_register_errors ();
  svc.state = vnet_state_open (state_dir, &error);
  svc.bus = svc.state ? connect_bus (bus_address, &error) : NULL;
  svc.system_bus = bus_address == NULL;
  if (svc.bus != NULL)
    {
      svc.loop = g_main_loop_new (NULL, FALSE);
      svc.worker = g_thread_pool_new (work, &svc, 1, TRUE, NULL);
      if (serve (&svc, &error))
        status = 0;
      g_thread_pool_free (svc.worker, FALSE, TRUE);
      g_main_loop_unref (svc.loop);
      g_dbus_connection_flush_sync (svc.bus, NULL, NULL);
      g_object_unref (svc.bus);
    }
  if (error != NULL)
    g_printerr ("%s\n", error->message);
  vnet_state_close (svc.state);
  return status;
}
