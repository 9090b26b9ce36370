/* vireo-net-firewall.c: Vireo's nftables table, one set of chains per bridge
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything lives in one table, `ip vireo`.  Each network has base chains
 * named after its bridge (fwd_vireobr0, nat_vireobr0; iso_vireobr0 for an
 * isolated one), so stopping one network deletes its chains and leaves the
 * others; the table goes with its last chain.  The scripts are made of
 * validated values only (bridge names, dotted quads, prefixes) and are fed
 * to `nft -f -`, each one atomic.
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-net-helper.h"

static const char * const chain_kinds[] = { "fwd", "nat", "iso", NULL };

static void
add_chain (GString    *s,
           const char *kind,
           const char *bridge,
           const char *spec)
{
  g_string_append_printf (s, "add chain ip " VIREO_NET_NFT_TABLE " %s_%s { %s; policy accept; }\n",
                          kind, bridge, spec);
  /* a chain left by a helper that died is ours: start it afresh */
  g_string_append_printf (s, "flush chain ip " VIREO_NET_NFT_TABLE " %s_%s\n", kind, bridge);
}

static void
add_rule (GString    *s,
          const char *kind,
          const char *bridge,
          const char *rule)
{
  g_string_append_printf (s, "add rule ip " VIREO_NET_NFT_TABLE " %s_%s %s\n", kind, bridge, rule);
}

static void
nat_rules (GString              *s,
           const VireoNetParams *params,
           const char           *subnet)
{
  const char *br = params->bridge;
  g_autofree char *in = g_strdup_printf ("iifname \"%s\" ip saddr %s accept", br, subnet);
  g_autofree char *back = g_strdup_printf ("oifname \"%s\" ip daddr %s ct state established,related accept",
                                           br, subnet);
  g_autofree char *mcast = g_strdup_printf ("ip saddr %s ip daddr 224.0.0.0/24 return", subnet);
  g_autofree char *bcast = g_strdup_printf ("ip saddr %s ip daddr 255.255.255.255 return", subnet);
  g_autofree char *out = g_strdup_printf ("ip saddr %s ip daddr != %s", subnet, subnet);
  g_autofree char *tcp = g_strconcat (out, " meta l4proto tcp masquerade to :1024-65535", NULL);
  g_autofree char *udp = g_strconcat (out, " meta l4proto udp masquerade to :1024-65535", NULL);
  g_autofree char *rest = g_strconcat (out, " masquerade", NULL);

  add_rule (s, "fwd", br, in);
  add_rule (s, "fwd", br, back);
  add_chain (s, "nat", br, "type nat hook postrouting priority 100");
  add_rule (s, "nat", br, mcast);
  add_rule (s, "nat", br, bcast);
  add_rule (s, "nat", br, tcp);
  add_rule (s, "nat", br, udp);
  add_rule (s, "nat", br, rest);
}

/**
 * vnet_nft_start_script:
 * A NAT network: forwarding between its guests, from its subnet out and
 * what answers back in, nothing else through its bridge; masquerading of
 * its subnet (ports 1024-65535 for TCP and UDP).  An isolated network:
 * only between its guests, no masquerade.
 */
char *
vnet_nft_start_script (const VireoNetParams *params)
{
  GString *s = g_string_new ("add table ip " VIREO_NET_NFT_TABLE "\n");
  const char *br = params->bridge;
  const char *kind = params->nat ? "fwd" : "iso";
  g_autofree char *net = vireo_ipv4_to_string (vireo_net_params_network (params));
  g_autofree char *subnet = g_strdup_printf ("%s/%u", net, params->prefix);
  g_autofree char *inner = g_strdup_printf ("iifname \"%s\" oifname \"%s\" accept", br, br);
  g_autofree char *reject_in = g_strdup_printf ("iifname \"%s\" reject", br);
  g_autofree char *reject_out = g_strdup_printf ("oifname \"%s\" reject", br);

  add_chain (s, kind, br, "type filter hook forward priority 0");
  add_rule (s, kind, br, inner);
  if (params->nat)
    nat_rules (s, params, subnet);
  add_rule (s, kind, br, reject_in);
  add_rule (s, kind, br, reject_out);
  return g_string_free (s, FALSE);
}

/* the chain names in `nft list table ip vireo` */
static GPtrArray *
listed_chains (const char *listing)
{
  g_auto(GStrv) lines = g_strsplit (listing ? listing : "", "\n", -1);
  GPtrArray *chains = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (g_strstrip (lines[i]), " ", 3);

      if (g_strv_length (words) >= 2 && g_str_equal (words[0], "chain"))
        g_ptr_array_add (chains, g_strdup (words[1]));
    }
  return chains;
}

/**
 * vnet_nft_stop_script:
 * @listing: what `nft list table ip vireo` printed
 * Returns: (nullable): the script that deletes @bridge's chains, and the
 *   table when no other network's chain is left; NULL when @listing
 *   holds none of @bridge's chains.
 */
char *
vnet_nft_stop_script (const char *bridge,
                      const char *listing)
{
  g_autoptr(GPtrArray) chains = listed_chains (listing);
  GString *s = g_string_new (NULL);
  guint ours = 0;

  for (guint i = 0; i < chains->len; i++)
    for (guint k = 0; chain_kinds[k] != NULL; k++)
      {
        g_autofree char *name = g_strdup_printf ("%s_%s", chain_kinds[k], bridge);

        if (!g_str_equal (name, g_ptr_array_index (chains, i)))
          continue;
        g_string_append_printf (s, "flush chain ip " VIREO_NET_NFT_TABLE " %s\n", name);
        g_string_append_printf (s, "delete chain ip " VIREO_NET_NFT_TABLE " %s\n", name);
        ours++;
      }
  if (ours == 0)
    return g_string_free (s, TRUE), NULL;
  if (ours == chains->len)
    g_string_append (s, "delete table ip " VIREO_NET_NFT_TABLE "\n");
  return g_string_free (s, FALSE);
}

gboolean
vnet_firewall_start (const VireoNetParams *params,
                     GError              **error)
{
  const char *argv[] = { "nft", "-f", "-", NULL };
  g_autofree char *script = vnet_nft_start_script (params);
  g_autoptr(GError) local = NULL;

  if (vnet_run (argv, script, NULL, &local))
    return TRUE;
  vnet_firewall_stop (params->bridge, NULL);
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
               _("Network '%s': cannot set up its firewall rules: %s"), params->name, local->message);
  return FALSE;
}

/* deletes @bridge's chains (and the table with the last of them) */
gboolean
vnet_firewall_stop (const char  *bridge,
                    GError     **error)
{
  const char *list[] = { "nft", "list", "table", "ip", VIREO_NET_NFT_TABLE, NULL };
  const char *apply[] = { "nft", "-f", "-", NULL };
  g_autofree char *listing = NULL;
  g_autofree char *script = NULL;

  /* no table: nothing of ours is left */
  if (!vnet_run (list, NULL, &listing, NULL))
    return TRUE;
  script = vnet_nft_stop_script (bridge, listing);
  return script == NULL || vnet_run (apply, script, NULL, error);
}
