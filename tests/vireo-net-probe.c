/* vireo-net-probe.c: the engine's vireo-net client, driven from a shell test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   vireo-net-probe start 'PARAMS' | stop NAME | status NAME | leases NAME
 *   vireo-net-probe open-tap NAME MAC
 *
 * The transport is the client's choice ($VIREO_NET_BUS: D-Bus; root: the
 * helper itself).  open-tap checks what arrived: an fd of the tap it names,
 * on the network's bridge; then closes it and waits for the tap to vanish.
 */
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vireo-net-client.h"

static int
check_tap (int         fd,
           const char *tap,
           const char *bridge)
{
  struct ifreq ifr = { 0 };
  g_autofree char *master_link = g_strdup_printf ("/sys/class/net/%s/master", tap);
  g_autofree char *master = g_file_read_link (master_link, NULL);
  g_autofree char *dir = g_strdup_printf ("/sys/class/net/%s", tap);

  if (ioctl (fd, TUNGETIFF, &ifr) < 0 || strcmp (ifr.ifr_name, tap) != 0)
    return g_printerr ("fd %d is not tap %s\n", fd, tap), 1;
  if (!(ifr.ifr_flags & IFF_TAP) || !(ifr.ifr_flags & IFF_VNET_HDR) || !(ifr.ifr_flags & IFF_NO_PI))
    return g_printerr ("tap %s has flags %#x\n", tap, ifr.ifr_flags), 1;
  if (master == NULL || !g_str_has_suffix (master, bridge))
    return g_printerr ("tap %s is not on %s\n", tap, bridge), 1;
  printf ("tap=%s master=%s\n", tap, bridge);
  close (fd);
  for (guint i = 0; i < 250 && g_file_test (dir, G_FILE_TEST_EXISTS); i++)
    g_usleep (20000);
  if (g_file_test (dir, G_FILE_TEST_EXISTS))
    return g_printerr ("tap %s outlived its fd\n", tap), 1;
  printf ("gone\n");
  return 0;
}

static int
open_tap (VireoNetClient *client,
          const char     *name,
          const char     *mac)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tap = NULL;
  g_autoptr(VireoNetStatus) status = vireo_net_client_status (client, name, &error);
  int fd = status ? vireo_net_client_open_tap (client, name, mac, &tap, &error) : -1;

  if (fd < 0)
    return g_printerr ("%s\n", error->message), 1;
  return check_tap (fd, tap, status->params ? status->params->bridge : "?");
}

static int
print_status (VireoNetClient *client,
              const char     *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoNetStatus) status = vireo_net_client_status (client, name, &error);

  if (status == NULL)
    return g_printerr ("%s\n", error->message), 1;
  printf ("running=%d dnsmasq-alive=%d bridge=%s\n", status->running, status->dnsmasq_alive,
          status->params ? status->params->bridge : "-");
  return 0;
}

static int
print_leases (VireoNetClient *client,
              const char     *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leases = vireo_net_client_leases (client, name, &error);

  if (leases == NULL)
    return g_printerr ("%s\n", error->message), 1;
  for (guint i = 0; i < leases->len; i++)
    {
      VireoNetLease *lease = g_ptr_array_index (leases, i);
      printf ("%" G_GINT64_FORMAT " %s %s %s\n", lease->expiry, lease->mac, lease->ip,
              lease->hostname ? lease->hostname : "-");
    }
  printf ("%u leases\n", leases->len);
  return 0;
}

static int
start (VireoNetClient *client,
       const char     *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) variant = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &error);
  g_autoptr(VireoNetParams) params = variant ? vireo_net_params_from_variant (variant, &error) : NULL;

  if (params == NULL || !vireo_net_client_start (client, params, &error))
    return g_printerr ("%s\n", error->message), 1;
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoNetClient) client = NULL;

  if (argc < 3)
    return g_printerr ("usage: vireo-net-probe start|stop|status|leases|open-tap ARG…\n"), 2;
  client = vireo_net_client_new (&error);
  if (client == NULL)
    return g_printerr ("%s\n", error->message), 1;
  if (g_str_equal (argv[1], "start"))
    return start (client, argv[2]);
  if (g_str_equal (argv[1], "stop"))
    {
      if (!vireo_net_client_stop (client, argv[2], &error))
        return g_printerr ("%s\n", error->message), 1;
      return 0;
    }
  if (g_str_equal (argv[1], "status"))
    return print_status (client, argv[2]);
  if (g_str_equal (argv[1], "leases"))
    return print_leases (client, argv[2]);
  if (g_str_equal (argv[1], "open-tap") && argc == 4)
    return open_tap (client, argv[2], argv[3]);
  return g_printerr ("unknown command %s\n", argv[1]), 2;
}
