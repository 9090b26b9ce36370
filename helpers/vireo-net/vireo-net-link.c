/* vireo-net-link.c: the network's bridge, and the taps on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A bridge vireo-net made carries the alias "vireo-net:NETWORK": an
 * interface of the same name without it is someone else's, and is never
 * touched.  Taps are made with ioctls on /dev/net/tun and are not
 * persistent: they vanish with the last holder of their fd (QEMU).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"
#include "vireo-net-helper.h"

/* fixed for the network, so the bridge keeps its MAC whatever joins it:
 * 52:54:00 and three bytes of a hash of the network and the bridge */
char *
vnet_bridge_mac (const VireoNetParams *params)
{
  g_autofree char *seed = g_strconcat (VIREO_NET_ALIAS_PREFIX, params->name, "/", params->bridge, NULL);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);

  return g_strdup_printf ("52:54:00:%.2s:%.2s:%.2s", sum, sum + 2, sum + 4);
}

gboolean
vnet_link_exists (const char *ifname)
{
  return if_nametoindex (ifname) != 0;
}

/* a bridge, with our alias for @network */
gboolean
vnet_bridge_is_ours (const char *bridge,
                     const char *network)
{
  g_autofree char *bridge_dir = g_build_filename ("/sys/class/net", bridge, "bridge", NULL);
  g_autofree char *alias_path = g_build_filename ("/sys/class/net", bridge, "ifalias", NULL);
  g_autofree char *alias = NULL;
  g_autofree char *want = g_strconcat (VIREO_NET_ALIAS_PREFIX, network, NULL);

  if (!vnet_link_exists (bridge) || !g_file_test (bridge_dir, G_FILE_TEST_IS_DIR) ||
      !g_file_get_contents (alias_path, &alias, NULL, NULL))
    return FALSE;
  return g_str_equal (g_strchomp (alias), want);
}

static gboolean
bridge_configure (const VireoNetParams *params,
                  GError              **error)
{
  g_autofree char *alias = g_strconcat (VIREO_NET_ALIAS_PREFIX, params->name, NULL);
  g_autofree char *addr = vireo_ipv4_to_string (params->address);
  g_autofree char *cidr = g_strdup_printf ("%s/%u", addr, params->prefix);
  const char *set_alias[] = { "ip", "link", "set", "dev", params->bridge, "alias", alias, NULL };
  const char *add_addr[] = { "ip", "address", "add", cidr, "broadcast", "+", "dev", params->bridge, NULL };
  const char *set_up[] = { "ip", "link", "set", "dev", params->bridge, "up", NULL };

  return vnet_run (set_alias, NULL, NULL, error) &&
         vnet_run (add_addr, NULL, NULL, error) &&
         vnet_run (set_up, NULL, NULL, error);
}

/**
 * vnet_bridge_create:
 * A new bridge with a fixed MAC and STP off, marked as ours, its
 * address, up.  An interface of that name already there is an error; a
 * failure after the bridge was made deletes it again.
 */
gboolean
vnet_bridge_create (const VireoNetParams *params,
                    GError              **error)
{
  g_autofree char *mac = vnet_bridge_mac (params);
  const char *add[] = { "ip", "link", "add", params->bridge, "address", mac, "type", "bridge",
                        "stp_state", "0", "forward_delay", "0", NULL };
  g_autoptr(GError) local = NULL;

  if (vnet_link_exists (params->bridge))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("Network '%s': an interface named %s already exists and is not Vireo's"),
                   params->name, params->bridge);
      return FALSE;
    }
  if (!vnet_run (add, NULL, NULL, &local))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Network '%s': cannot create bridge %s: %s"), params->name, params->bridge, local->message);
      return FALSE;
    }
  if (!bridge_configure (params, &local))
    {
      const char *del[] = { "ip", "link", "delete", "dev", params->bridge, "type", "bridge", NULL };

      vnet_run (del, NULL, NULL, NULL);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Network '%s': cannot set up bridge %s: %s"), params->name, params->bridge, local->message);
      return FALSE;
    }
  return TRUE;
}

/* deletes the bridge only when it is ours for @network */
gboolean
vnet_bridge_delete (const char  *bridge,
                    const char  *network,
                    GError     **error)
{
  const char *del[] = { "ip", "link", "delete", "dev", bridge, "type", "bridge", NULL };

  return !vnet_bridge_is_ours (bridge, network) || vnet_run (del, NULL, NULL, error);
}

/* per network namespace: the tests' namespaces keep the host's as it is */
gboolean
vnet_ip_forward_enable (GError **error)
{
  int fd = open ("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
  gboolean ok = fd >= 0 && write (fd, "1\n", 2) == 2;
  int errsv = errno;

  if (fd >= 0)
    close (fd);
  if (ok)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
               _("Cannot turn on IPv4 forwarding: %s"), g_strerror (errsv));
  return FALSE;
}

/* the guest's MAC with its first byte 0xfe: the bridge takes the lowest
 * MAC of its ports, and must keep its own */
char *
vnet_tap_mac (const char *guest_mac)
{
  g_autofree char *norm = vireo_mac_normalize (guest_mac);

  if (norm == NULL)
    return NULL;
  return g_strconcat ("fe", norm + 2, NULL);
}

/* whether a port of @bridge has @mac already: the tap of another VM
 * with the same guest MAC (whoever defined it) */
gboolean
vnet_bridge_has_mac (const char *bridge,
                     const char *mac)
{
  g_autofree char *dir = g_build_filename ("/sys/class/net", bridge, "brif", NULL);
  g_autoptr(GDir) ports = g_dir_open (dir, 0, NULL);
  const char *port;

  while (ports != NULL && (port = g_dir_read_name (ports)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/sys/class/net", port, "address", NULL);
      g_autofree char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL) && g_ascii_strcasecmp (g_strstrip (text), mac) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
tap_ioctl (int           sock,
           unsigned long request,
           struct ifreq *ifr,
           const char   *what,
           const char   *tap,
           GError      **error)
{
  if (ioctl (sock, request, ifr) == 0)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
               /* Translators: "Tap vireotap0: cannot join the bridge: Operation not permitted" */
               _("Tap %s: cannot %s: %s"), tap, what, g_strerror (errno));
  return FALSE;
}

static gboolean
tap_setup (int         sock,
           const char *tap,
           const char *bridge,
           const char *mac,
           GError    **error)
{
  struct ifreq ifr = { 0 };
  int mtu;
  unsigned int b[6];

  sscanf (mac, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]);
  g_strlcpy (ifr.ifr_name, tap, IFNAMSIZ);
  ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  for (guint i = 0; i < 6; i++)
    ifr.ifr_hwaddr.sa_data[i] = (char) b[i];
  if (!tap_ioctl (sock, SIOCSIFHWADDR, &ifr, _("set its MAC address"), tap, error))
    return FALSE;
  memset (&ifr, 0, sizeof ifr);
  g_strlcpy (ifr.ifr_name, bridge, IFNAMSIZ);
  if (!tap_ioctl (sock, SIOCGIFMTU, &ifr, _("read the bridge's MTU"), tap, error))
    return FALSE;
  mtu = ifr.ifr_mtu;
  g_strlcpy (ifr.ifr_name, tap, IFNAMSIZ);
  ifr.ifr_mtu = mtu;
  if (!tap_ioctl (sock, SIOCSIFMTU, &ifr, _("set its MTU"), tap, error))
    return FALSE;
  memset (&ifr, 0, sizeof ifr);
  g_strlcpy (ifr.ifr_name, bridge, IFNAMSIZ);
  ifr.ifr_ifindex = (int) if_nametoindex (tap);
  if (!tap_ioctl (sock, SIOCBRADDIF, &ifr, _("join the bridge"), tap, error))
    return FALSE;
  memset (&ifr, 0, sizeof ifr);
  g_strlcpy (ifr.ifr_name, tap, IFNAMSIZ);
  if (!tap_ioctl (sock, SIOCGIFFLAGS, &ifr, _("bring it up"), tap, error))
    return FALSE;
  ifr.ifr_flags |= IFF_UP;
  return tap_ioctl (sock, SIOCSIFFLAGS, &ifr, _("bring it up"), tap, error);
}

/**
 * vnet_tap_open:
 * @mac: the guest's MAC (the tap gets it with 0xfe first)
 * Returns: the tap's fd, on @bridge and up; -1 on error.  The tap is
 *   gone once every copy of the fd is closed.
 */
int
vnet_tap_open (const char  *bridge,
               const char  *mac,
               char       **tap_name,
               GError     **error)
{
  g_autofree char *tap_mac = vnet_tap_mac (mac);
  struct ifreq ifr = { 0 };
  int fd = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);
  int sock;

  if (fd < 0 || tap_mac == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Cannot open /dev/net/tun: %s"), g_strerror (fd < 0 ? errno : EINVAL));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
  g_strlcpy (ifr.ifr_name, VIREO_NET_TAP_TEMPLATE, IFNAMSIZ);
  if (ioctl (fd, TUNSETIFF, &ifr) < 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Cannot create a tap device: %s"), g_strerror (errno));
      close (fd);
      return -1;
    }
  sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || !tap_setup (sock, ifr.ifr_name, bridge, tap_mac, error))
    {
      if (sock < 0)
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, "socket: %s", g_strerror (errno));
      else
        close (sock);
      close (fd);
      return -1;
    }
  close (sock);
  *tap_name = g_strdup (ifr.ifr_name);
  return fd;
}

/* the words `ip route` puts before a route's destination */
static gboolean
is_route_type (const char *word)
{
  static const char *types[] = { "unicast", "unreachable", "blackhole", "prohibit", "throw",
                                 "anycast", "nat", NULL };

  return g_strv_contains (types, word);
}

/* One line of `ip -4 -o route show table all`: its destination and
 * device, or FALSE for what is no subnet of anyone's (the default route,
 * the local table's own addresses and broadcasts, multicast). */
static gboolean
parse_route (char       **words,
             guint32     *dest,
             guint       *prefix,
             const char **dev)
{
  guint i = 0;

  if (words[0] == NULL)
    return FALSE;
  if (g_str_equal (words[0], "local") || g_str_equal (words[0], "broadcast") ||
      g_str_equal (words[0], "multicast"))
    return FALSE;
  if (is_route_type (words[0]))
    i = 1;
  if (words[i] == NULL || g_str_equal (words[i], "default"))
    return FALSE;
  if (strchr (words[i], '/') == NULL)
    {
      if (!vireo_ipv4_parse (words[i], dest))
        return FALSE;
      *prefix = 32;
    }
  else if (!vireo_ipv4_cidr_parse (words[i], dest, prefix, NULL) || *prefix == 0)
    return FALSE;
  *dev = words[0];
  for (guint j = i + 1; words[j] != NULL && words[j + 1] != NULL; j++)
    if (g_str_equal (words[j], "dev"))
      *dev = words[j + 1];
  return TRUE;
}

/**
 * vnet_routes_check:
 * The subnet overlaps no route of any routing table (the main table is
 * vireo_net_subnet_check_host's; policy routing, as wg-quick's and
 * Tailscale's tables, is here).
 */
gboolean
vnet_routes_check (guint32      network,
                   guint        prefix,
                   const char  *own_bridge,
                   GError     **error)
{
  const char *argv[] = { "ip", "-4", "-o", "route", "show", "table", "all", NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  if (!vnet_run (argv, NULL, &out, error))
    return FALSE;
  lines = g_strsplit (out ? out : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      guint32 dest;
      guint other;
      const char *dev = NULL;

      if (!parse_route (words, &dest, &other, &dev) || g_strcmp0 (dev, own_bridge) == 0 ||
          !vireo_net_subnets_overlap (network, prefix, dest, other))
        continue;
      {
        g_autofree char *ours = vireo_ipv4_to_string (network);
        g_autofree char *theirs = vireo_ipv4_to_string (dest & vireo_ipv4_mask (other));
        g_autofree char *shown = g_strescape (dev, NULL);

        g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                     _("Subnet %s/%u overlaps %s/%u on %s, already on this host"),
                     ours, prefix, theirs, other, shown);
        return FALSE;
      }
    }
  return TRUE;
}
