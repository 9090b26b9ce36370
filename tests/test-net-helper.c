/* test-net-helper.c: what vireo-net generates and reads, without root
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * dnsmasq's conf and hosts files, the nftables scripts, and the lease
 * file reader (whose input the guests influence).  Links vireo-net's own
 * core, not the engine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vireo-net-helper.h"
#include "vireo-test-net.h"

/* The default network, with a second static lease that has no name. */
static VireoNetParams *
nat_params (void)
{
  VireoNetParams *params = vireo_test_net_params ();

  vireo_net_params_add_host (params, "52:54:00:00:00:02", vireo_test_ip ("192.168.124.11"), NULL);
  return params;
}

static void
test_dnsmasq_conf (void **state)
{
  g_autoptr(VireoNetParams) params = nat_params ();
  g_autofree char *conf = vnet_dnsmasq_conf (params, "/run/vireo-net/default");
  g_autofree char *hosts = vnet_dnsmasq_hostsfile (params);
  g_autofree char *addn = vnet_dnsmasq_addnhosts (params);
  const char *lines[] = {
    "\nstrict-order\n", "\npid-file=/run/vireo-net/default/dnsmasq.pid\n", "\nexcept-interface=lo\n",
    "\nbind-dynamic\n", "\ninterface=vireobr0\n", "\ndomain=vireo.internal\n",
    "\nlocal=/vireo.internal/\n", "\nexpand-hosts\n", "\naddn-hosts=/run/vireo-net/default/addnhosts\n",
    "\ndhcp-range=192.168.124.2,192.168.124.254,255.255.255.0\n", "\ndhcp-no-override\n",
    "\ndhcp-authoritative\n", "\ndhcp-lease-max=255\n",
    "\ndhcp-hostsfile=/run/vireo-net/default/hostsfile\n",
    "\ndhcp-leasefile=/run/vireo-net/default/leases\n", NULL };

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (conf, lines[i]) == NULL)
      fail_msg ("conf lacks %s:\n%s", lines[i], conf);
  assert_null (strstr (conf, "listen-address"));
  assert_string_equal (hosts, "52:54:00:00:00:01,192.168.124.10,web\n52:54:00:00:00:02,192.168.124.11\n");
  assert_string_equal (addn, "192.168.124.10 web\n");
}

static void
test_dnsmasq_conf_variants (void **state)
{
  g_autoptr(VireoNetParams) params = nat_params ();
  g_autofree char *conf = NULL;
  g_autofree char *bare = NULL;

  /* static leases only: a static range */
  params->dhcp_start = params->dhcp_end = 0;
  g_clear_pointer (&params->domain, g_free);
  conf = vnet_dnsmasq_conf (params, "/s/default");
  assert_non_null (strstr (conf, "\ndhcp-range=192.168.124.0,static,255.255.255.0\n"));
  assert_non_null (strstr (conf, "\ndhcp-lease-max=2\n"));
  assert_null (strstr (conf, "domain="));
  /* no DHCP at all: DNS only */
  g_ptr_array_set_size (params->hosts, 0);
  bare = vnet_dnsmasq_conf (params, "/s/default");
  assert_null (strstr (bare, "dhcp-"));
  assert_non_null (strstr (bare, "\ninterface=vireobr0\n"));
}

static void
test_nft_start (void **state)
{
  g_autoptr(VireoNetParams) params = nat_params ();
  g_autofree char *nat = vnet_nft_start_script (params);
  g_autofree char *iso = NULL;

  assert_true (g_str_has_prefix (nat, "add table ip vireo\n"
                                 "add chain ip vireo fwd_vireobr0 { type filter hook forward priority 0; policy accept; }\n"
                                 "flush chain ip vireo fwd_vireobr0\n"
                                 "add rule ip vireo fwd_vireobr0 iifname \"vireobr0\" oifname \"vireobr0\" accept\n"
                                 "add rule ip vireo fwd_vireobr0 iifname \"vireobr0\" ip saddr 192.168.124.0/24 accept\n"));
  assert_non_null (strstr (nat, "oifname \"vireobr0\" ip daddr 192.168.124.0/24 ct state established,related accept\n"));
  assert_non_null (strstr (nat, "add chain ip vireo nat_vireobr0 { type nat hook postrouting priority 100;"));
  assert_non_null (strstr (nat, "ip daddr != 192.168.124.0/24 meta l4proto tcp masquerade to :1024-65535\n"));
  assert_non_null (strstr (nat, "ip daddr != 192.168.124.0/24 meta l4proto udp masquerade to :1024-65535\n"));
  assert_true (g_str_has_suffix (nat, "add rule ip vireo fwd_vireobr0 iifname \"vireobr0\" reject\n"
                                 "add rule ip vireo fwd_vireobr0 oifname \"vireobr0\" reject\n"));
  /* isolated: between its guests only, nothing masqueraded */
  params->nat = FALSE;
  iso = vnet_nft_start_script (params);
  assert_null (strstr (iso, "fwd_"));
  assert_null (strstr (iso, "nat_"));
  assert_null (strstr (iso, "masquerade"));
  assert_null (strstr (iso, "saddr"));
  assert_non_null (strstr (iso, "add rule ip vireo iso_vireobr0 iifname \"vireobr0\" reject\n"));
}

static void
test_nft_stop (void **state)
{
  const char *two = "table ip vireo {\n\tchain fwd_vireobr0 {\n\t\ttype filter hook forward priority filter; policy accept;\n"
                    "\t}\n\n\tchain nat_vireobr0 {\n\t}\n\tchain iso_vireobr1 {\n\t}\n}\n";
  const char *one = "table ip vireo {\n\tchain fwd_vireobr0 {\n\t}\n\tchain nat_vireobr0 {\n\t}\n}\n";
  g_autofree char *keep = vnet_nft_stop_script ("vireobr0", two);
  g_autofree char *last = vnet_nft_stop_script ("vireobr0", one);
  g_autofree char *other = vnet_nft_stop_script ("vireobr1", two);

  assert_string_equal (keep, "flush chain ip vireo fwd_vireobr0\ndelete chain ip vireo fwd_vireobr0\n"
                             "flush chain ip vireo nat_vireobr0\ndelete chain ip vireo nat_vireobr0\n");
  assert_true (g_str_has_suffix (last, "delete table ip vireo\n"));
  assert_string_equal (other, "flush chain ip vireo iso_vireobr1\ndelete chain ip vireo iso_vireobr1\n");
  /* vireobr1 is not vireobr10's prefix, and nothing of ours: nothing to do */
  assert_null (vnet_nft_stop_script ("vireobr10", two));
  assert_null (vnet_nft_stop_script ("vireobr0", ""));
  assert_null (vnet_nft_stop_script ("vireobr0", NULL));
}

static void
test_leases (void **state)
{
  const char *text =
    "1700000000 52:54:00:aa:bb:cc 192.168.124.50 alpine 01:52:54:00:aa:bb:cc\n"
    "0 52:54:00:aa:bb:cd 192.168.124.51 * *\n"
    "duid 00:01:00:01:2c:00:00:00:52:54:00:00:00:01\n"
    "1700000000 52:54:00:aa:bb:ce 192.168.124.52 evil;name\x01 *\n"
    "1700000000 52:54:00:aa:bb:cf 192.168.124.053 x *\n"
    "-5 52:54:00:aa:bb:c0 192.168.124.54 x *\n"
    "1700000000 not-a-mac 192.168.124.55 x *\n"
    "1700000000 52:54:00:aa:bb:c1 fd00::1 x *\n"
    "1700000000 52:54:00:aa:bb:c2 192.168.124.56 x * extra\n"
    "\n garbage\n";
  g_autoptr(GVariant) leases = g_variant_ref_sink (vnet_leases_parse (text));
  g_autoptr(GVariant) none = g_variant_ref_sink (vnet_leases_parse (NULL));
  gint64 expiry;
  const char *mac, *addr, *name;

  assert_int_equal (g_variant_n_children (leases), 3);
  g_variant_get_child (leases, 0, "(x&s&s&s)", &expiry, &mac, &addr, &name);
  assert_int_equal (expiry, 1700000000);
  assert_string_equal (mac, "52:54:00:aa:bb:cc");
  assert_string_equal (addr, "192.168.124.50");
  assert_string_equal (name, "alpine");
  g_variant_get_child (leases, 1, "(x&s&s&s)", &expiry, &mac, &addr, &name);
  assert_int_equal (expiry, 0);
  assert_string_equal (name, "");
  /* a name that is no DNS label is dropped, the lease kept */
  g_variant_get_child (leases, 2, "(x&s&s&s)", &expiry, &mac, &addr, &name);
  assert_string_equal (mac, "52:54:00:aa:bb:ce");
  assert_string_equal (name, "");
  assert_int_equal (g_variant_n_children (none), 0);
}

static void
test_macs (void **state)
{
  g_autoptr(VireoNetParams) params = nat_params ();
  g_autofree char *tap = vnet_tap_mac ("52:54:00:AB:cd:EF");
  g_autofree char *bridge = vnet_bridge_mac (params);
  g_autofree char *again = vnet_bridge_mac (params);

  assert_string_equal (tap, "fe:54:00:ab:cd:ef");
  assert_null (vnet_tap_mac ("nonsense"));
  assert_true (g_str_has_prefix (bridge, "52:54:00:"));
  assert_int_equal (strlen (bridge), 17);
  assert_string_equal (bridge, again);
  assert_true (vireo_net_mac_validate (bridge, NULL));
}

/* a tool that overstays is killed, and the run fails with one line */
static void
test_run_timeout (void **state)
{
  const char *argv[] = { "sleep", "20", NULL };
  const char *quick[] = { "true", NULL };
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  assert_false (vnet_run_timeout (argv, NULL, NULL, 300, &error));
  assert_true (g_get_monotonic_time () - start < 5 * G_USEC_PER_SEC);
  assert_non_null (error);
  assert_string_equal (error->message, "sleep: did not finish within 1 seconds and was stopped");
  assert_true (vnet_run_timeout (quick, NULL, NULL, 5000, NULL));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_dnsmasq_conf),
    cmocka_unit_test (test_dnsmasq_conf_variants),
    cmocka_unit_test (test_nft_start),
    cmocka_unit_test (test_nft_stop),
    cmocka_unit_test (test_leases),
    cmocka_unit_test (test_macs),
    cmocka_unit_test (test_run_timeout),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
