/* vireo-net-params.c: what a NAT network is made of, and the rules it follows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"
#include "vireo-net-params.h"

static void
host_free (gpointer data)
{
  VireoNetHost *host = data;

  g_free (host->mac);
  g_free (host->name);
  g_free (host);
}

VireoNetParams *
vireo_net_params_new (void)
{
  VireoNetParams *params = g_new0 (VireoNetParams, 1);

  params->hosts = g_ptr_array_new_with_free_func (host_free);
  return params;
}

void
vireo_net_params_free (VireoNetParams *params)
{
  if (params == NULL)
    return;
  g_free (params->name);
  g_free (params->bridge);
  g_free (params->domain);
  g_ptr_array_unref (params->hosts);
  g_free (params);
}

void
vireo_net_params_add_host (VireoNetParams *params,
                           const char     *mac,
                           guint32         ip,
                           const char     *name)
{
  VireoNetHost *host = g_new0 (VireoNetHost, 1);

  host->mac = g_strdup (mac);
  host->ip = ip;
  host->name = g_strdup (name);
  g_ptr_array_add (params->hosts, host);
}

VireoNetParams *
vireo_net_params_copy (const VireoNetParams *params)
{
  VireoNetParams *copy = vireo_net_params_new ();

  copy->name = g_strdup (params->name);
  copy->bridge = g_strdup (params->bridge);
  copy->address = params->address;
  copy->prefix = params->prefix;
  copy->nat = params->nat;
  copy->dhcp_start = params->dhcp_start;
  copy->dhcp_end = params->dhcp_end;
  copy->domain = g_strdup (params->domain);
  for (guint i = 0; i < params->hosts->len; i++)
    {
      const VireoNetHost *host = g_ptr_array_index (params->hosts, i);
      vireo_net_params_add_host (copy, host->mac, host->ip, host->name);
    }
  return copy;
}

/* ---- IPv4 text ---- */

/**
 * vireo_ipv4_parse:
 * Four decimal numbers 0-255 joined by dots, without leading zeros
 * (inet_aton would read "010" as octal 8) or anything around them.
 */
gboolean
vireo_ipv4_parse (const char *text,
                  guint32    *addr)
{
  guint32 value = 0;
  const char *p = text;

  if (text == NULL)
    return FALSE;
  for (guint part = 0; part < 4; part++)
    {
      guint n = 0, digits = 0;

      if (part > 0 && *p++ != '.')
        return FALSE;
      while (g_ascii_isdigit (*p) && digits < 4)
        {
          n = n * 10 + (guint) (*p++ - '0');
          digits++;
        }
      if (digits == 0 || digits > 3 || n > 255 || (digits > 1 && *(p - digits) == '0'))
        return FALSE;
      value = (value << 8) | n;
    }
  if (*p != '\0')
    return FALSE;
  *addr = value;
  return TRUE;
}

char *
vireo_ipv4_to_string (guint32 addr)
{
  return g_strdup_printf ("%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
}

guint32
vireo_ipv4_mask (guint prefix)
{
  return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

/* a netmask of contiguous ones, as libvirt's netmask='255.255.255.0' */
gboolean
vireo_ipv4_prefix_from_mask (const char *netmask,
                             guint      *prefix)
{
  guint32 mask;
  guint n = 0;

  if (!vireo_ipv4_parse (netmask, &mask))
    return FALSE;
  while (n < 32 && (mask & (0x80000000u >> n)))
    n++;
  if (mask != vireo_ipv4_mask (n))
    return FALSE;
  *prefix = n;
  return TRUE;
}

/**
 * vireo_ipv4_cidr_parse:
 * "192.168.124.0/24" or "192.168.124.1/24"; @addr is the address as
 * written (the caller decides whether it wants the network or a host).
 */
gboolean
vireo_ipv4_cidr_parse (const char *text,
                       guint32    *addr,
                       guint      *prefix,
                       GError    **error)
{
  const char *slash = text ? strchr (text, '/') : NULL;
  g_autofree char *ip = slash ? g_strndup (text, slash - text) : NULL;
  guint64 bits;

  if (slash == NULL || !vireo_ipv4_parse (ip, addr) ||
      !g_ascii_string_to_unsigned (slash + 1, 10, 0, 32, &bits, NULL) ||
      (slash[1] == '0' && slash[2] != '\0'))
    {
      g_autofree char *shown = g_utf8_make_valid (text ? text : "", text ? (gssize) strnlen (text, 64) : 0);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("'%s' is not an IPv4 subnet such as 192.168.124.0/24"), g_strdelimit (shown, "\n\r\t", ' '));
      return FALSE;
    }
  *prefix = (guint) bits;
  return TRUE;
}

guint32
vireo_net_params_network (const VireoNetParams *params)
{
  return params->address & vireo_ipv4_mask (params->prefix);
}

/* @ip is a host address of the subnet: neither its network nor its
 * broadcast address */
gboolean
vireo_net_params_contains (const VireoNetParams *params,
                           guint32               ip)
{
  guint32 mask = vireo_ipv4_mask (params->prefix);
  guint32 network = params->address & mask;

  return (ip & mask) == network && ip != network && ip != (network | ~mask);
}

/* ---- names ---- */

/**
 * vireo_network_name_validate:
 * A network's name follows the rules of a VM's name: it names a file in
 * the definitions folder and a folder in vireo-net's state.
 */
gboolean
vireo_network_name_validate (const char *name,
                             GError    **error)
{
  g_autoptr(GError) local = NULL;

  if (vireo_name_validate (name, &local))
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME,
               /* Translators: %s is the reason, e.g. "VM name 'a/b' may only contain…" */
               _("Invalid network name: %s"), local->message);
  return FALSE;
}

static char *
shown (const char *text)
{
  char *valid = g_utf8_make_valid (text ? text : "", text ? (gssize) strnlen (text, 80) : 0);

  for (char *q = valid; *q != '\0'; q++)
    if (g_ascii_iscntrl (*q))
      *q = '?';
  return valid;
}

/* vireobr and 1-4 digits, without leading zeros: always under IFNAMSIZ,
 * never a bridge of someone else's naming */
gboolean
vireo_net_bridge_validate (const char *bridge,
                           GError    **error)
{
  const char *digits = bridge && g_str_has_prefix (bridge, VIREO_NET_BRIDGE_PREFIX)
                       ? bridge + strlen (VIREO_NET_BRIDGE_PREFIX) : NULL;
  gsize n = digits ? strspn (digits, "0123456789") : 0;

  if (digits == NULL || n == 0 || n > 4 || digits[n] != '\0' || (n > 1 && digits[0] == '0'))
    {
      g_autofree char *s = shown (bridge);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("Bridge name '%s' is not one of Vireo's (vireobr0 to vireobr9999)"), s);
      return FALSE;
    }
  return TRUE;
}

/* a unicast MAC in the locally administered range (52:54:00:… is) */
gboolean
vireo_net_mac_validate (const char *mac,
                        GError    **error)
{
  g_autofree char *norm = vireo_mac_normalize (mac);
  guint first = 0;

  if (norm == NULL || sscanf (norm, "%2x", &first) != 1 || !(first & 0x02) || (first & 0x01))
    {
      g_autofree char *s = shown (mac);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("MAC address '%s' is not a locally administered unicast address such as 52:54:00:12:34:56"), s);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_label (const char *label,
          gsize       len)
{
  if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (label[i]) && label[i] != '-')
      return FALSE;
  return TRUE;
}

/* a DNS label: what dnsmasq puts in its hosts file and answers for */
gboolean
vireo_net_host_name_validate (const char *name,
                              GError    **error)
{
  if (name == NULL || !is_label (name, strlen (name)))
    {
      g_autofree char *s = shown (name);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("Host name '%s' may only contain letters, digits and inner '-' (at most 63)"), s);
      return FALSE;
    }
  return TRUE;
}

gboolean
vireo_net_domain_validate (const char *domain,
                           GError    **error)
{
  const char *p = domain;

  if (domain != NULL && *domain != '\0' && strlen (domain) <= VIREO_NET_DOMAIN_MAX)
    {
      for (;;)
        {
          const char *dot = strchr (p, '.');
          gsize len = dot ? (gsize) (dot - p) : strlen (p);

          if (!is_label (p, len))
            break;
          if (dot == NULL)
            return TRUE;
          p = dot + 1;
        }
    }
  {
    g_autofree char *s = shown (domain);
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("Domain '%s' is not a DNS domain such as vireo.internal"), s);
  }
  return FALSE;
}

/* ---- the whole request ---- */

static gboolean
check_address (const VireoNetParams *params,
               guint32               ip,
               const char           *what,
               GError              **error)
{
  g_autofree char *text = NULL;
  g_autofree char *net = NULL;

  if (vireo_net_params_contains (params, ip))
    return TRUE;
  text = vireo_ipv4_to_string (ip);
  net = vireo_ipv4_to_string (vireo_net_params_network (params));
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               /* Translators: "Network 'lab': the DHCP range start 10.0.0.1 is not a host address of 192.168.124.0/24" */
               _("Network '%s': %s %s is not a host address of %s/%u"),
               params->name, what, text, net, params->prefix);
  return FALSE;
}

/* Ranges no guest network may take: "this network", loopback, link-local
 * (169.254/16 is where a guest's own fallback addresses live), multicast
 * and the reserved class E with the broadcast address. */
static const struct { guint32 network; guint prefix; } reserved[] = {
  { 0x00000000, 8 }, { 0x7f000000, 8 }, { 0xa9fe0000, 16 }, { 0xe0000000, 4 }, { 0xf0000000, 4 },
};

static gboolean
check_reserved (const VireoNetParams *params,
                GError              **error)
{
  guint32 network = vireo_net_params_network (params);

  for (guint i = 0; i < G_N_ELEMENTS (reserved); i++)
    if (vireo_net_subnets_overlap (network, params->prefix, reserved[i].network, reserved[i].prefix))
      {
        g_autofree char *net = vireo_ipv4_to_string (network);
        g_autofree char *range = vireo_ipv4_to_string (reserved[i].network);

        g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                     /* Translators: "Network 'lab': subnet 127.5.0.0/24 is in the reserved range 127.0.0.0/8" */
                     _("Network '%s': subnet %s/%u is in the reserved range %s/%u"),
                     params->name, net, params->prefix, range, reserved[i].prefix);
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_subnet (const VireoNetParams *params,
              GError              **error)
{
  if (params->prefix < VIREO_NET_PREFIX_MIN || params->prefix > VIREO_NET_PREFIX_MAX)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("Network '%s': a subnet of /%u is not allowed (from /%d to /%d)"),
                   params->name, params->prefix, VIREO_NET_PREFIX_MIN, VIREO_NET_PREFIX_MAX);
      return FALSE;
    }
  if (!check_reserved (params, error) ||
      !check_address (params, params->address, _("the host address"), error))
    return FALSE;
  if (params->dhcp_start == 0 && params->dhcp_end == 0)
    return TRUE;
  if (!check_address (params, params->dhcp_start, _("the DHCP range start"), error) ||
      !check_address (params, params->dhcp_end, _("the DHCP range end"), error))
    return FALSE;
  if (params->dhcp_start > params->dhcp_end ||
      (params->address >= params->dhcp_start && params->address <= params->dhcp_end))
    {
      g_autofree char *start = vireo_ipv4_to_string (params->dhcp_start);
      g_autofree char *end = vireo_ipv4_to_string (params->dhcp_end);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("Network '%s': the DHCP range %s-%s is empty or holds the host address"),
                   params->name, start, end);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_host (const VireoNetParams *params,
            guint                 index,
            GError              **error)
{
  const VireoNetHost *host = g_ptr_array_index (params->hosts, index);
  g_autoptr(GError) local = NULL;

  if (!vireo_net_mac_validate (host->mac, &local) ||
      (host->name != NULL && !vireo_net_host_name_validate (host->name, &local)))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   "%s: %s", params->name, local->message);
      return FALSE;
    }
  if (!check_address (params, host->ip, _("the static lease"), error))
    return FALSE;
  if (host->ip == params->address)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("Network '%s': the static lease for %s is the host's own address"),
                   params->name, host->mac);
      return FALSE;
    }
  for (guint j = 0; j < index; j++)
    {
      const VireoNetHost *other = g_ptr_array_index (params->hosts, j);

      if (g_ascii_strcasecmp (other->mac, host->mac) == 0 || other->ip == host->ip ||
          (host->name && other->name && g_ascii_strcasecmp (other->name, host->name) == 0))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                       _("Network '%s': two static leases share a MAC, an address or a name (%s and %s)"),
                       params->name, other->mac, host->mac);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * vireo_net_params_validate:
 * Everything a request holds, by itself: the names, the subnet (/16 to
 * /29), the host address, the DHCP range and the static leases inside
 * it.  Whether the subnet is free on this host is
 * vireo_net_subnet_check_host()'s question.
 */
gboolean
vireo_net_params_validate (const VireoNetParams *params,
                           GError              **error)
{
  if (!vireo_network_name_validate (params->name, error) ||
      !vireo_net_bridge_validate (params->bridge, error) ||
      !check_subnet (params, error))
    return FALSE;
  if (params->domain != NULL && !vireo_net_domain_validate (params->domain, error))
    return FALSE;
  if (params->hosts->len > VIREO_NET_HOSTS_MAX)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("Network '%s' has more than %d static leases"), params->name, VIREO_NET_HOSTS_MAX);
      return FALSE;
    }
  for (guint i = 0; i < params->hosts->len; i++)
    if (!check_host (params, i, error))
      return FALSE;
  return TRUE;
}

/* the same bridge, subnet, forwarding, range and domain: static leases
 * may differ (they change while the network runs) */
gboolean
vireo_net_params_same_network (const VireoNetParams *a,
                               const VireoNetParams *b)
{
  return g_strcmp0 (a->name, b->name) == 0 && g_strcmp0 (a->bridge, b->bridge) == 0 &&
         a->address == b->address && a->prefix == b->prefix && a->nat == b->nat &&
         a->dhcp_start == b->dhcp_start && a->dhcp_end == b->dhcp_end &&
         g_strcmp0 (a->domain, b->domain) == 0;
}

/* ---- on the wire: a{sv} ---- */

GVariant *
vireo_net_params_to_variant (const VireoNetParams *params)
{
  GVariantDict dict;
  GVariantBuilder hosts;
  g_autofree char *address = vireo_ipv4_to_string (params->address);
  g_autofree char *start = vireo_ipv4_to_string (params->dhcp_start);
  g_autofree char *end = vireo_ipv4_to_string (params->dhcp_end);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "name", "s", params->name);
  g_variant_dict_insert (&dict, "bridge", "s", params->bridge);
  g_variant_dict_insert (&dict, "address", "s", address);
  g_variant_dict_insert (&dict, "prefix", "u", params->prefix);
  g_variant_dict_insert (&dict, "forward", "s", params->nat ? "nat" : "none");
  if (params->dhcp_start != 0 || params->dhcp_end != 0)
    {
      g_variant_dict_insert (&dict, "dhcp-start", "s", start);
      g_variant_dict_insert (&dict, "dhcp-end", "s", end);
    }
  if (params->domain != NULL)
    g_variant_dict_insert (&dict, "domain", "s", params->domain);
  g_variant_builder_init (&hosts, G_VARIANT_TYPE ("a(sss)"));
  for (guint i = 0; i < params->hosts->len; i++)
    {
      const VireoNetHost *host = g_ptr_array_index (params->hosts, i);
      g_autofree char *ip = vireo_ipv4_to_string (host->ip);

      g_variant_builder_add (&hosts, "(sss)", host->mac, ip, host->name ? host->name : "");
    }
  g_variant_dict_insert_value (&dict, "hosts", g_variant_builder_end (&hosts));
  return g_variant_dict_end (&dict);
}

static gboolean
lookup_address (GVariantDict *dict,
                const char   *key,
                gboolean      required,
                guint32      *addr,
                GError      **error)
{
  const char *text = NULL;

  if (!g_variant_dict_lookup (dict, key, "&s", &text))
    {
      if (!required)
        return TRUE;
    }
  else if (vireo_ipv4_parse (text, addr))
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               _("The network request has no valid '%s'"), key);
  return FALSE;
}

static gboolean
lookup_hosts (GVariantDict   *dict,
              VireoNetParams *params,
              GError        **error)
{
  g_autoptr(GVariant) hosts = g_variant_dict_lookup_value (dict, "hosts", G_VARIANT_TYPE ("a(sss)"));
  GVariantIter iter;
  const char *mac, *ip, *name;

  if (hosts == NULL)
    return TRUE;
  if (g_variant_n_children (hosts) > VIREO_NET_HOSTS_MAX)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("Network '%s' has more than %d static leases"), params->name, VIREO_NET_HOSTS_MAX);
      return FALSE;
    }
  g_variant_iter_init (&iter, hosts);
  while (g_variant_iter_next (&iter, "(&s&s&s)", &mac, &ip, &name))
    {
      guint32 addr;
      g_autofree char *norm = vireo_mac_normalize (mac);

      if (!vireo_ipv4_parse (ip, &addr))
        {
          g_autofree char *s = shown (ip);
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       _("Network '%s': '%s' is not an IPv4 address"), params->name, s);
          return FALSE;
        }
      vireo_net_params_add_host (params, norm ? norm : mac, addr, *name ? name : NULL);
    }
  return TRUE;
}

/**
 * vireo_net_params_from_variant:
 * Reads a request as vireo_net_params_to_variant() wrote it, and
 * validates it: a wrong type, a missing key or a rule broken is an error.
 */
VireoNetParams *
vireo_net_params_from_variant (GVariant *variant,
                               GError  **error)
{
  g_autoptr(VireoNetParams) params = vireo_net_params_new ();
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  const char *forward = NULL;

  if (variant == NULL || !g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL,
                           _("The network request is not a dictionary"));
      return NULL;
    }
  g_variant_dict_init (&dict, variant);
  g_variant_dict_lookup (&dict, "name", "s", &params->name);
  g_variant_dict_lookup (&dict, "bridge", "s", &params->bridge);
  g_variant_dict_lookup (&dict, "domain", "s", &params->domain);
  if (!vireo_network_name_validate (params->name, error) ||
      !lookup_address (&dict, "address", TRUE, &params->address, error) ||
      !g_variant_dict_lookup (&dict, "prefix", "u", &params->prefix) ||
      !g_variant_dict_lookup (&dict, "forward", "&s", &forward) ||
      (!g_str_equal (forward, "nat") && !g_str_equal (forward, "none")))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                     _("Network '%s': the request has no valid prefix or forward mode"), params->name);
      return NULL;
    }
  params->nat = g_str_equal (forward, "nat");
  if (!lookup_address (&dict, "dhcp-start", FALSE, &params->dhcp_start, error) ||
      !lookup_address (&dict, "dhcp-end", FALSE, &params->dhcp_end, error) ||
      !lookup_hosts (&dict, params, error) ||
      !vireo_net_params_validate (params, error))
    return NULL;
  return g_steal_pointer (&params);
}

/* ---- the host's own routes and addresses ---- */

/* whether two subnets share an address: one holds the other */
gboolean
vireo_net_subnets_overlap (guint32 a,
                           guint   pa,
                           guint32 b,
                           guint   pb)
{
  guint32 mask = vireo_ipv4_mask (MIN (pa, pb));
  return (a & mask) == (b & mask);
}

static gboolean
conflict (guint32      network,
          guint        prefix,
          const char  *iface,
          guint32      other,
          guint        other_prefix,
          GError     **error)
{
  g_autofree char *ours = vireo_ipv4_to_string (network);
  g_autofree char *theirs = vireo_ipv4_to_string (other & vireo_ipv4_mask (other_prefix));
  g_autofree char *dev = shown (iface);

  g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
               /* Translators: "Subnet 192.168.1.0/24 overlaps 192.168.0.0/16 on eth0, already on this host" */
               _("Subnet %s/%u overlaps %s/%u on %s, already on this host"),
               ours, prefix, theirs, other_prefix, dev);
  return FALSE;
}

/* /proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric
 * Mask …", each address the hex of its network-order bytes read as a
 * native integer */
static gboolean
check_routes (guint32      network,
              guint        prefix,
              const char  *own_bridge,
              const char  *text,
              GError     **error)
{
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      char iface[IFNAMSIZ + 1];
      unsigned int dest, gateway, flags, refcnt, use, metric, mask;
      guint other_prefix = 0;

      if (sscanf (lines[i], "%16s %x %x %x %u %u %u %x", iface, &dest, &gateway, &flags,
                  &refcnt, &use, &metric, &mask) != 8)
        continue;
      dest = ntohl (dest);
      mask = ntohl (mask);
      while (other_prefix < 32 && (mask & (0x80000000u >> other_prefix)))
        other_prefix++;
      /* the default route covers everything: it is no subnet of anyone's */
      if (other_prefix == 0 || g_strcmp0 (iface, own_bridge) == 0)
        continue;
      if (vireo_net_subnets_overlap (network, prefix, dest, other_prefix))
        return conflict (network, prefix, iface, dest, other_prefix, error);
    }
  return TRUE;
}

static gboolean
check_addresses (guint32              network,
                 guint                prefix,
                 const char          *own_bridge,
                 const char * const  *addresses,
                 GError             **error)
{
  for (guint i = 0; addresses && addresses[i] && addresses[i + 1]; i += 2)
    {
      guint32 addr;
      guint other_prefix;

      if (g_strcmp0 (addresses[i], own_bridge) == 0 ||
          !vireo_ipv4_cidr_parse (addresses[i + 1], &addr, &other_prefix, NULL))
        continue;
      /* loopback's 127.0.0.0/8 is no network a guest could be on */
      if (vireo_net_subnets_overlap (network, prefix, addr, other_prefix) && (addr >> 24) != 127)
        return conflict (network, prefix, addresses[i], addr, other_prefix, error);
    }
  return TRUE;
}

gboolean
_vireo_net_subnet_check (guint32              network,
                         guint                prefix,
                         const char          *own_bridge,
                         const char          *proc_net_route,
                         const char * const  *addresses,
                         GError             **error)
{
  return check_routes (network, prefix, own_bridge, proc_net_route, error) &&
         check_addresses (network, prefix, own_bridge, addresses, error);
}

static GPtrArray *
host_addresses (void)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_free);
  struct ifaddrs *ifa = NULL;

  if (getifaddrs (&ifa) == 0)
    {
      for (struct ifaddrs *p = ifa; p != NULL; p = p->ifa_next)
        {
          guint32 addr, mask;
          guint n = 0;

          if (p->ifa_addr == NULL || p->ifa_addr->sa_family != AF_INET || p->ifa_netmask == NULL)
            continue;
          addr = ntohl (((struct sockaddr_in *) p->ifa_addr)->sin_addr.s_addr);
          mask = ntohl (((struct sockaddr_in *) p->ifa_netmask)->sin_addr.s_addr);
          while (n < 32 && (mask & (0x80000000u >> n)))
            n++;
          g_ptr_array_add (list, g_strdup (p->ifa_name));
          g_ptr_array_add (list, g_strdup_printf ("%u.%u.%u.%u/%u", addr >> 24, (addr >> 16) & 0xff,
                                                  (addr >> 8) & 0xff, addr & 0xff, n));
        }
      freeifaddrs (ifa);
    }
  g_ptr_array_add (list, NULL);
  return list;
}

/**
 * vireo_net_subnet_check_host:
 * @own_bridge: (nullable): the network's own bridge, whose route and
 *   address are its own and no conflict
 *
 * Whether the subnet is free here: no route of the host (but the
 * default) and no address on an interface falls inside it or holds it.
 */
gboolean
vireo_net_subnet_check_host (guint32      network,
                             guint        prefix,
                             const char  *own_bridge,
                             GError     **error)
{
  g_autofree char *routes = NULL;
  g_autoptr(GPtrArray) addresses = host_addresses ();

  g_file_get_contents ("/proc/net/route", &routes, NULL, NULL);
  return _vireo_net_subnet_check (network, prefix, own_bridge, routes,
                                  (const char * const *) addresses->pdata, error);
}

/**
 * vireo_net_subnet_suggest:
 * The first 192.168.N.0/24 from N = 124 up (libvirt's 122 stays free)
 * that is free on this host and is none of @taken.
 */
gboolean
vireo_net_subnet_suggest (const guint32 *taken,
                          const guint   *taken_prefix,
                          guint          n_taken,
                          guint32       *network)
{
  for (guint n = 124; n < 255; n++)
    {
      guint32 candidate = (192u << 24) | (168u << 16) | (n << 8);
      gboolean used = FALSE;

      for (guint i = 0; i < n_taken && !used; i++)
        used = vireo_net_subnets_overlap (candidate, 24, taken[i], taken_prefix[i]);
      if (!used && vireo_net_subnet_check_host (candidate, 24, NULL, NULL))
        {
          *network = candidate;
          return TRUE;
        }
    }
  return FALSE;
}
