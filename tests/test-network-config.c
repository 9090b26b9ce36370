/* test-network-config.c: libvirt network XML parse, validate, format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-network.h"
#include "vireo-test-util.h"

static VireoNetworkConfig *
parse_file (const char *name)
{
  g_autofree char *path = vireo_test_srcpath ("data", "network", name, NULL);
  g_autofree char *xml = vireo_test_read (path);
  g_autoptr(GError) error = NULL;
  VireoNetworkConfig *config = vireo_network_config_parse (xml, -1, name, &error);

  assert_no_error (error);
  assert_non_null (config);
  return config;
}

/* Formats, compares with the golden file, and checks that parsing the
 * output and formatting again changes nothing. */
static void
assert_roundtrip (const VireoNetworkConfig *config,
                  const char               *golden)
{
  g_autofree char *path = vireo_test_srcpath ("golden", "network", golden, NULL);
  g_autofree char *xml = vireo_network_config_format (config);
  g_autoptr(VireoNetworkConfig) again = NULL;
  g_autoptr(VireoNetworkConfig) copy = vireo_network_config_copy (config);
  g_autofree char *xml2 = NULL;
  g_autofree char *xml3 = vireo_network_config_format (copy);
  g_autoptr(GError) error = NULL;

  vireo_test_assert_golden (path, xml);
  again = vireo_network_config_parse (xml, -1, golden, &error);
  assert_no_error (error);
  xml2 = vireo_network_config_format (again);
  assert_string_equal (xml, xml2);
  assert_string_equal (xml, xml3);
}

static void
test_virsh_default (void **state)
{
  g_autoptr(VireoNetworkConfig) config = parse_file ("virsh-default.xml");
  g_autoptr(GError) error = NULL;
  g_autofree char *subnet = vireo_network_config_describe_subnet (config);
  g_autofree char *xml = NULL;

  assert_string_equal (config->name, "default");
  assert_string_equal (config->uuid, "9a05da11-e96b-47f3-8253-a3a482e445f5");
  assert_int_equal (config->forward, VIREO_NETWORK_FORWARD_NAT);
  assert_string_equal (config->bridge, "virbr0");
  assert_string_equal (config->bridge_mac, "52:54:00:0a:cd:21");
  assert_string_equal (config->address, "192.168.122.1");
  assert_int_equal (config->prefix, 24);
  assert_string_equal (config->dhcp_start, "192.168.122.2");
  assert_string_equal (config->dhcp_end, "192.168.122.254");
  assert_int_equal (config->hosts->len, 0);
  assert_null (config->domain);
  assert_string_equal (subnet, "192.168.122.0/24");

  /* libvirt's bridge is not Vireo's: the engine replaces it on define */
  assert_false (vireo_network_config_validate (config, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
  assert_non_null (strstr (error->message, "virbr0"));

  /* stp, delay and <nat> are kept; connections= is libvirt's runtime state */
  xml = vireo_network_config_format (config);
  assert_non_null (strstr (xml, "stp=\"on\""));
  assert_non_null (strstr (xml, "<port start=\"1024\" end=\"65535\"/>"));
  assert_null (strstr (xml, "connections"));
  assert_roundtrip (config, "virsh-default.xml");
}

static void
test_isolated (void **state)
{
  g_autoptr(VireoNetworkConfig) config = parse_file ("isolated.xml");
  g_autoptr(VireoNetParams) params = NULL;
  g_autoptr(GError) error = NULL;

  assert_int_equal (config->forward, VIREO_NETWORK_FORWARD_NONE);
  assert_string_equal (config->bridge, "vireobr7");
  assert_null (config->dhcp_start);
  assert_int_equal (config->prefix, 24);
  /* <dns> and the IPv6 <ip> are kept, not run */
  assert_int_equal (config->extra->len, 2);
  assert_non_null (strstr (g_ptr_array_index (config->extra, 1), "fd00:77::1"));

  params = vireo_network_config_to_params (config, &error);
  assert_no_error (error);
  assert_false (params->nat);
  assert_int_equal (params->address, (10u << 24) | (77u << 16) | 1);
  assert_int_equal (params->dhcp_start, 0);
  assert_roundtrip (config, "isolated.xml");
}

static void
test_hosts_and_domain (void **state)
{
  g_autoptr(VireoNetworkConfig) config = parse_file ("hosts-domain.xml");
  g_autoptr(VireoNetParams) params = NULL;
  g_autoptr(GError) error = NULL;
  const VireoNetworkHostConfig *host;

  assert_string_equal (config->domain, "office.lan");
  assert_int_equal (config->prefix, 23);
  assert_int_equal (config->hosts->len, 2);
  host = g_ptr_array_index (config->hosts, 0);
  assert_string_equal (host->mac, "52:54:00:aa:00:01");
  assert_string_equal (host->ip, "10.20.30.10");
  assert_string_equal (host->name, "build");
  host = g_ptr_array_index (config->hosts, 1);
  assert_null (host->name);

  params = vireo_network_config_to_params (config, &error);
  assert_no_error (error);
  assert_true (params->nat);
  assert_int_equal (params->hosts->len, 2);
  assert_string_equal (params->domain, "office.lan");
  assert_roundtrip (config, "hosts-domain.xml");
}

static void
assert_refused (const char *xml,
                const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoNetworkConfig) config = vireo_network_config_parse (xml, -1, "test.xml", &error);

  assert_null (config);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG) ||
               g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME));
  assert_null (strchr (error->message, '\n'));
  if (strstr (error->message, needle) == NULL)
    fail_msg ("'%s' does not mention '%s'", error->message, needle);
}

#define NET(body) "<network><name>n</name>" body "</network>"
#define IP "<ip address='10.1.2.1' prefix='24'/>"

static void
test_errors (void **state)
{
  assert_refused ("<network>", "malformed XML");
  assert_refused ("<domain><name>n</name></domain>", "<network>");
  assert_refused ("<network/>", "<name>");
  assert_refused ("<network><name>a/b</name>" IP "</network>", "a/b");
  assert_refused (NET ("<forward mode='route'/>" IP), "route");
  assert_refused (NET ("<forward mode='bridge'/>" IP), "bridge");
  assert_refused (NET ("<forward/><forward/>" IP), "more than once");
  assert_refused (NET (""), "no IPv4 address");
  assert_refused (NET (IP IP), "more than one IPv4");
  assert_refused (NET ("<ip address='10.1.2.1'/>"), "neither prefix");
  assert_refused (NET ("<ip address='10.1.2.1' prefix='24' netmask='255.0.0.0'/>"), "both prefix");
  assert_refused (NET ("<ip address='10.1.2.1' netmask='255.0.255.0'/>"), "255.0.255.0");
  assert_refused (NET ("<ip address='10.1.2.1' prefix='8'/>"), "n");
  assert_refused (NET ("<ip address='10.1.2' prefix='24'/>"), "10.1.2");
  assert_refused (NET ("<uuid>nope</uuid>" IP), "nope");
  assert_refused (NET ("<mac address='01:00:00:00:00:01'/>" IP), "01:00:00:00:00:01");
  assert_refused (NET ("<ip address='10.1.2.1' prefix='24'><dhcp><range start='10.1.2.2'/></dhcp></ip>"),
                  "start= and end=");
  assert_refused (NET ("<ip address='10.1.2.1' prefix='24'><dhcp><range start='10.1.2.2' end='10.1.2.9'/>"
                       "<range start='10.1.2.20' end='10.1.2.29'/></dhcp></ip>"), "more than one DHCP");
  assert_refused (NET ("<ip address='10.1.2.1' prefix='24'><dhcp><range start='10.1.3.2' end='10.1.3.9'/></dhcp></ip>"),
                  "10.1.3");
  assert_refused (NET ("<ip address='10.1.2.1' prefix='24'><dhcp><host ip='10.1.2.5' name='x'/></dhcp></ip>"),
                  "mac= and ip=");
  assert_refused (NET ("<ip address='10.1.2.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' ip='10.9.2.5'/></dhcp></ip>"),
                  "10.9.2.5");
  assert_refused (NET ("<ip family='ipx' address='10.1.2.1' prefix='24'/>"), "ipx");
  assert_refused (NET ("<bridge xmlns:x='urn:x' x:name='vireobr1'/>" IP), "namespace");
  /* entities are never expanded, and nothing is loaded */
  assert_refused ("<!DOCTYPE network [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                  "<network><name>&e;</name>" IP "</network>", "");
}

static void
test_new_and_hosts (void **state)
{
  g_autoptr(VireoNetworkConfig) config = vireo_network_config_new ("lan");
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;

  assert_true (vireo_uuid_is_valid (config->uuid));
  config->bridge = g_strdup ("vireobr4");
  config->address = g_strdup ("192.168.130.1");
  config->prefix = 24;
  config->dhcp_start = g_strdup ("192.168.130.2");
  config->dhcp_end = g_strdup ("192.168.130.254");
  assert_true (vireo_network_config_validate (config, &error));

  assert_true (vireo_network_config_add_host (config, "52:54:00:12:34:56", "192.168.130.50", "web", &error));
  assert_no_error (error);
  /* the same MAC again, an address outside, a multicast MAC: refused, nothing added */
  assert_false (vireo_network_config_add_host (config, "52:54:00:12:34:56", "192.168.130.51", NULL, &error));
  g_clear_error (&error);
  assert_false (vireo_network_config_add_host (config, "52:54:00:12:34:57", "192.168.131.51", NULL, &error));
  assert_non_null (strstr (error->message, "192.168.131.51"));
  g_clear_error (&error);
  assert_false (vireo_network_config_add_host (config, "53:54:00:12:34:57", "192.168.130.51", NULL, &error));
  assert_non_null (strstr (error->message, "lan"));
  g_clear_error (&error);
  assert_int_equal (config->hosts->len, 1);

  xml = vireo_network_config_format (config);
  assert_non_null (strstr (xml, "<host mac=\"52:54:00:12:34:56\" name=\"web\" ip=\"192.168.130.50\"/>"));
  assert_non_null (strstr (xml, "<forward mode=\"nat\"/>"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_virsh_default),
    cmocka_unit_test (test_isolated),
    cmocka_unit_test (test_hosts_and_domain),
    cmocka_unit_test (test_errors),
    cmocka_unit_test (test_new_and_hosts),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
