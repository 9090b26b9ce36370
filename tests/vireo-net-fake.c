/* vireo-net-fake.c: stand-ins that vireo-net's root test needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   exec -a dnsmasq vireo-net-fake --conf-file=CONF
 *       a process that looks like vireo-net's dnsmasq to /proc and just
 *       waits, with no signal handler (as PID 1 of a PID namespace, it
 *       then ignores every signal sent from inside: a dnsmasq that does
 *       not stop)
 *   vireo-net-fake polkit
 *       org.freedesktop.PolicyKit1 on $DBUS_SYSTEM_BUS_ADDRESS (the test's
 *       private bus), which authorises every CheckAuthorization: the
 *       rules vireo-net applies after polkit's yes are what is tested
 *   vireo-net-fake polkit-stall
 *       the same, but it never answers (a password dialog nobody fills in)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>

static const char authority_xml[] =
  "<node><interface name='org.freedesktop.PolicyKit1.Authority'>"
  " <method name='CheckAuthorization'>"
  "  <arg type='(sa{sv})' direction='in'/><arg type='s' direction='in'/>"
  "  <arg type='a{ss}' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "  <arg type='(bba{ss})' direction='out'/>"
  " </method>"
  "</interface></node>";

static gboolean stall;

static void
authorize (GDBusConnection       *bus,
           const char            *sender,
           const char            *path,
           const char            *iface,
           const char            *method,
           GVariant              *args,
           GDBusMethodInvocation *inv,
           gpointer               data)
{
  if (stall)
    {
      g_object_ref (inv);   /* never answered */
      return;
    }
  g_dbus_method_invocation_return_value (inv, g_variant_new ("((bb@a{ss}))", TRUE, FALSE,
                                                             g_variant_new_array (G_VARIANT_TYPE ("{ss}"), NULL, 0)));
}

static int
fake_polkit (void)
{
  static const GDBusInterfaceVTable vtable = { authorize, NULL, NULL, { 0 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (authority_xml, &error);
  g_autoptr(GVariant) reply = NULL;

  if (bus == NULL || node == NULL ||
      !g_dbus_connection_register_object (bus, "/org/freedesktop/PolicyKit1/Authority", node->interfaces[0],
                                          &vtable, NULL, NULL, &error))
    return fprintf (stderr, "fake polkit: %s\n", error->message), 1;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.PolicyKit1", 4u),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  if (reply == NULL)
    return fprintf (stderr, "fake polkit: %s\n", error->message), 1;
  printf ("ready\n");
  fflush (stdout);
  g_main_loop_run (g_main_loop_new (NULL, FALSE));
  return 0;
}

int
main (int    argc,
      char **argv)
{
  const char *base = strrchr (argv[0], '/');

  base = base ? base + 1 : argv[0];
  if (strcmp (base, "dnsmasq") == 0 && argc == 2 && strncmp (argv[1], "--conf-file=", 12) == 0)
    {
      for (;;)
        pause ();
    }
  if (argc == 2 && (strcmp (argv[1], "polkit") == 0 || strcmp (argv[1], "polkit-stall") == 0))
    {
      stall = strcmp (argv[1], "polkit-stall") == 0;
      return fake_polkit ();
    }
  fprintf (stderr, "usage: exec -a dnsmasq vireo-net-fake --conf-file=CONF | vireo-net-fake polkit[-stall]\n");
  return 2;
}
