/* test-net-params.c: the rules of a NAT network, shared by the engine and vireo-net
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "vireo-error.h"
#include "vireo-net-params.h"
#include "vireo-test-util.h"

static void
test_ipv4 (void **state)
{
  const char *bad[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4",
                        "1..2.3", "1.2.3.-4", "0x1.2.3.4", "1.2.3.4/24", "1234.1.1.1", NULL };
  guint32 addr;
  guint prefix;
  g_autofree char *text = vireo_ipv4_to_string (0xc0a87c01);

  assert_int_equal (vireo_test_ip ("192.168.124.1"), 0xc0a87c01);
  assert_int_equal (vireo_test_ip ("0.0.0.0"), 0);
  assert_string_equal (text, "192.168.124.1");
  for (guint i = 0; bad[i]; i++)
    assert_false (vireo_ipv4_parse (bad[i], &addr));
  assert_false (vireo_ipv4_parse (NULL, &addr));

  assert_int_equal (vireo_ipv4_mask (24), 0xffffff00);
  assert_int_equal (vireo_ipv4_mask (0), 0);
  assert_int_equal (vireo_ipv4_mask (32), 0xffffffff);
  assert_true (vireo_ipv4_prefix_from_mask ("255.255.255.0", &prefix));
  assert_int_equal (prefix, 24);
  assert_true (vireo_ipv4_prefix_from_mask ("255.255.0.0", &prefix));
  assert_int_equal (prefix, 16);
  assert_false (vireo_ipv4_prefix_from_mask ("255.0.255.0", &prefix));

  assert_true (vireo_ipv4_cidr_parse ("10.1.0.0/16", &addr, &prefix, NULL));
  assert_int_equal (addr, 0x0a010000);
  assert_int_equal (prefix, 16);
  assert_false (vireo_ipv4_cidr_parse ("10.1.0.0", &addr, &prefix, NULL));
  assert_false (vireo_ipv4_cidr_parse ("10.1.0.0/33", &addr, &prefix, NULL));
  assert_false (vireo_ipv4_cidr_parse ("10.1.0.0/024", &addr, &prefix, NULL));
  assert_false (vireo_ipv4_cidr_parse ("10.1.0.0/", &addr, &prefix, NULL));
  {
    g_autoptr(GError) error = NULL;
    assert_false (vireo_ipv4_cidr_parse ("x\ny/24", &addr, &prefix, &error));
    assert_null (strchr (error->message, '\n'));
  }
}

static void
test_names (void **state)
{
  const char *bridges[] = { "vireobr0", "vireobr1", "vireobr9999", NULL };
  const char *bad_bridges[] = { "virbr0", "vireobr", "vireobr01", "vireobr10000", "vireobr1a",
                                "eth0", "vireobr-1", "", NULL };
  const char *bad_macs[] = { "00:16:3e:00:00:01", "53:54:00:00:00:01", "52:54:00:00:00",
                             "ff:ff:ff:ff:ff:ff", "nonsense", NULL };

  for (guint i = 0; bridges[i]; i++)
    assert_true (vireo_net_bridge_validate (bridges[i], NULL));
  for (guint i = 0; bad_bridges[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      assert_false (vireo_net_bridge_validate (bad_bridges[i], &error));
      assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
    }
  assert_false (vireo_net_bridge_validate (NULL, NULL));

  assert_true (vireo_net_mac_validate ("52:54:00:AB:cd:01", NULL));
  assert_true (vireo_net_mac_validate ("fe:54:00:ab:cd:01", NULL));
  for (guint i = 0; bad_macs[i]; i++)
    assert_false (vireo_net_mac_validate (bad_macs[i], NULL));

  assert_true (vireo_network_name_validate ("default", NULL));
  assert_false (vireo_network_name_validate ("../etc", NULL));
  assert_false (vireo_network_name_validate ("-x", NULL));

  assert_true (vireo_net_host_name_validate ("web-1", NULL));
  assert_false (vireo_net_host_name_validate ("-web", NULL));
  assert_false (vireo_net_host_name_validate ("web.example", NULL));
  assert_false (vireo_net_host_name_validate ("a,b", NULL));
  assert_false (vireo_net_host_name_validate ("", NULL));
  assert_true (vireo_net_domain_validate ("vireo.internal", NULL));
  assert_true (vireo_net_domain_validate ("lab", NULL));
  assert_false (vireo_net_domain_validate ("a..b", NULL));
  assert_false (vireo_net_domain_validate ("a.b.", NULL));
  assert_false (vireo_net_domain_validate ("a/b", NULL));
  assert_false (vireo_net_domain_validate ("x\nserver=1.2.3.4", NULL));
}

static void
expect_invalid (VireoNetParams *params,
                const char     *fragment)
{
  g_autoptr(GError) error = NULL;

  assert_false (vireo_net_params_validate (params, &error));
  assert_non_null (error);
  if (strstr (error->message, fragment) == NULL)
    fail_msg ("'%s' not in '%s'", fragment, error->message);
  assert_null (strchr (error->message, '\n'));
  vireo_net_params_free (params);
}

static void
test_validate (void **state)
{
  g_autoptr(VireoNetParams) good = vireo_test_net_params ();
  VireoNetParams *p;

  assert_true (vireo_net_params_validate (good, NULL));

  p = vireo_test_net_params (); p->prefix = 15; expect_invalid (p, "/15");
  p = vireo_test_net_params (); p->prefix = 30; expect_invalid (p, "/30");
  p = vireo_test_net_params (); p->address = vireo_test_ip ("192.168.124.0"); expect_invalid (p, "host address");
  p = vireo_test_net_params (); p->address = vireo_test_ip ("192.168.124.255"); expect_invalid (p, "host address");
  p = vireo_test_net_params (); p->dhcp_start = vireo_test_ip ("192.168.125.2"); expect_invalid (p, "192.168.125.2");
  p = vireo_test_net_params (); p->dhcp_end = vireo_test_ip ("192.168.124.255"); expect_invalid (p, "192.168.124.255");
  p = vireo_test_net_params (); p->dhcp_start = vireo_test_ip ("192.168.124.1"); expect_invalid (p, "host address");
  p = vireo_test_net_params (); p->dhcp_start = vireo_test_ip ("192.168.124.200"); p->dhcp_end = vireo_test_ip ("192.168.124.100");
  expect_invalid (p, "192.168.124.200");
  p = vireo_test_net_params (); g_free (p->bridge); p->bridge = g_strdup ("eth0"); expect_invalid (p, "eth0");
  p = vireo_test_net_params (); g_free (p->name); p->name = g_strdup ("a/b"); expect_invalid (p, "a/b");
  p = vireo_test_net_params (); g_free (p->domain); p->domain = g_strdup ("bad domain"); expect_invalid (p, "bad domain");
  p = vireo_test_net_params (); vireo_net_params_add_host (p, "52:54:00:00:00:02", vireo_test_ip ("10.0.0.5"), NULL);
  expect_invalid (p, "10.0.0.5");
  p = vireo_test_net_params (); vireo_net_params_add_host (p, "52:54:00:00:00:01", vireo_test_ip ("192.168.124.11"), NULL);
  expect_invalid (p, "52:54:00:00:00:01");
  p = vireo_test_net_params (); vireo_net_params_add_host (p, "52:54:00:00:00:02", vireo_test_ip ("192.168.124.10"), NULL);
  expect_invalid (p, "52:54:00:00:00:02");
  p = vireo_test_net_params (); vireo_net_params_add_host (p, "52:54:00:00:00:02", vireo_test_ip ("192.168.124.1"), NULL);
  expect_invalid (p, "host's own address");
  p = vireo_test_net_params (); vireo_net_params_add_host (p, "00:16:3e:00:00:02", vireo_test_ip ("192.168.124.12"), NULL);
  expect_invalid (p, "00:16:3e:00:00:02");
  p = vireo_test_net_params (); vireo_net_params_add_host (p, "52:54:00:00:00:03", vireo_test_ip ("192.168.124.13"), "x;y");
  expect_invalid (p, "x;y");

  /* reserved ranges: loopback, link-local, multicast, class E, "this network" */
  {
    const char *reserved[] = { "127.5.0.1", "169.254.10.1", "224.1.0.1", "240.1.0.1", "255.255.0.1", "0.0.1.1", NULL };

    for (guint i = 0; reserved[i]; i++)
      {
        p = vireo_test_net_params ();
        p->address = vireo_test_ip (reserved[i]);
        p->dhcp_start = p->dhcp_end = 0;
        g_ptr_array_set_size (p->hosts, 0);
        expect_invalid (p, "reserved range");
      }
  }
  assert_true (vireo_net_subnets_overlap (vireo_test_ip ("10.0.0.0"), 8, vireo_test_ip ("10.9.1.0"), 24));
  assert_false (vireo_net_subnets_overlap (vireo_test_ip ("10.0.0.0"), 16, vireo_test_ip ("10.1.0.0"), 16));

  /* isolated and without DHCP: still a network */
  p = vireo_test_net_params ();
  p->nat = FALSE;
  p->dhcp_start = p->dhcp_end = 0;
  assert_true (vireo_net_params_validate (p, NULL));
  vireo_net_params_free (p);
}

static void
test_variant (void **state)
{
  g_autoptr(VireoNetParams) params = vireo_test_net_params ();
  g_autoptr(GVariant) v = g_variant_ref_sink (vireo_net_params_to_variant (params));
  g_autoptr(VireoNetParams) back = vireo_net_params_from_variant (v, NULL);
  g_autoptr(GVariant) again = NULL;
  const char *hostile[] = {
    "{'name': <'default'>}",
    "{'name': <'default'>, 'bridge': <'vireobr0'>, 'address': <'192.168.124.1'>, 'prefix': <24>, 'forward': <'nat'>}",
    "{'name': <'default'>, 'bridge': <'vireobr0'>, 'address': <'192.168.124.1'>, 'prefix': <uint32 24>, 'forward': <'route'>}",
    "{'name': <'../x'>, 'bridge': <'vireobr0'>, 'address': <'192.168.124.1'>, 'prefix': <uint32 24>, 'forward': <'nat'>}",
    "{'name': <'d'>, 'bridge': <'eth0'>, 'address': <'192.168.124.1'>, 'prefix': <uint32 24>, 'forward': <'nat'>}",
    "{'name': <'d'>, 'bridge': <'vireobr0'>, 'address': <'192.168.124.1'>, 'prefix': <uint32 24>, 'forward': <'nat'>, 'hosts': <[('52:54:00:00:00:01', 'x', '')]>}",
    "{'name': <'d'>, 'bridge': <'vireobr0'>, 'address': <'192.168.124.1'>, 'prefix': <uint32 24>, 'forward': <'nat'>, 'dhcp-start': <'1.2.3.4'>}",
    "('not', 'a dict')",
    NULL,
  };

  assert_non_null (back);
  assert_true (vireo_net_params_same_network (params, back));
  assert_int_equal (back->hosts->len, 1);
  again = g_variant_ref_sink (vireo_net_params_to_variant (back));
  assert_true (g_variant_equal (v, again));

  for (guint i = 0; hostile[i]; i++)
    {
      g_autoptr(GVariant) bad = g_variant_parse (NULL, hostile[i], NULL, NULL, NULL);
      g_autoptr(GError) error = NULL;

      assert_non_null (bad);
      assert_null (vireo_net_params_from_variant (bad, &error));
      assert_non_null (error);
    }
  assert_null (vireo_net_params_from_variant (NULL, NULL));
}

static const char routes[] =
  "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
  "eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
  "eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
  "vireobr0\t007CA8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
  "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";

static void
test_host_conflicts (void **state)
{
  const char *addresses[] = { "lo", "127.0.0.1/8", "eth0", "192.168.2.5/24", "wg0", "10.8.0.2/32", NULL };
  g_autoptr(GError) error = NULL;

  /* the default route conflicts with nothing; loopback neither */
  assert_true (_vireo_net_subnet_check (vireo_test_ip ("192.168.124.0"), 24, "vireobr0", routes, addresses, NULL));
  assert_true (_vireo_net_subnet_check (vireo_test_ip ("10.9.0.0"), 24, NULL, routes, addresses, NULL));
  /* a route on another interface */
  assert_false (_vireo_net_subnet_check (vireo_test_ip ("192.168.2.0"), 24, NULL, routes, addresses, &error));
  assert_non_null (strstr (error->message, "eth0"));
  g_clear_error (&error);
  /* a wider subnet holding it, and a narrower one inside */
  assert_false (_vireo_net_subnet_check (vireo_test_ip ("172.17.5.0"), 24, NULL, routes, addresses, &error));
  assert_non_null (strstr (error->message, "172.17.0.0/16"));
  g_clear_error (&error);
  assert_false (_vireo_net_subnet_check (vireo_test_ip ("192.168.0.0"), 16, NULL, routes, addresses, NULL));
  /* our own bridge's route is ours, someone else's network of that name is not */
  assert_false (_vireo_net_subnet_check (vireo_test_ip ("192.168.124.0"), 24, NULL, routes, addresses, NULL));
  /* an address without a route */
  assert_false (_vireo_net_subnet_check (vireo_test_ip ("10.8.0.0"), 24, NULL, routes, addresses, &error));
  assert_non_null (strstr (error->message, "wg0"));
  /* garbage lines are skipped */
  assert_true (_vireo_net_subnet_check (vireo_test_ip ("10.9.0.0"), 24, NULL, "x\ny z\n\n", NULL, NULL));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ipv4),
    cmocka_unit_test (test_names),
    cmocka_unit_test (test_validate),
    cmocka_unit_test (test_variant),
    cmocka_unit_test (test_host_conflicts),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
