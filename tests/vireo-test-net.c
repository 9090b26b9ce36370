/* vireo-test-net.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "vireo-test-net.h"

/* @text as an address; the test fails if it is not one. */
guint32
vireo_test_ip (const char *text)
{
  guint32 addr = 0;

  assert_true (vireo_ipv4_parse (text, &addr));
  return addr;
}

/**
 * vireo_test_net_params:
 * A NAT network as libvirt's default: "default" on vireobr0,
 * 192.168.124.1/24, DHCP from .2 to .254, domain vireo.internal, and
 * one static lease (52:54:00:00:00:01, .10, "web").
 *
 * Returns: (transfer full): the parameters
 */
VireoNetParams *
vireo_test_net_params (void)
{
  VireoNetParams *params = vireo_net_params_new ();

  params->name = g_strdup ("default");
  params->bridge = g_strdup ("vireobr0");
  params->address = vireo_test_ip ("192.168.124.1");
  params->prefix = 24;
  params->nat = TRUE;
  params->dhcp_start = vireo_test_ip ("192.168.124.2");
  params->dhcp_end = vireo_test_ip ("192.168.124.254");
  params->domain = g_strdup ("vireo.internal");
  vireo_net_params_add_host (params, "52:54:00:00:00:01", vireo_test_ip ("192.168.124.10"), "web");
  return params;
}
