/* fuzz-net-leases.c: vireo-net's reader of dnsmasq's lease file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lease file is dnsmasq's, but the guests choose what goes in it
 * (their host names and client ids), and vireo-net reads it as root.
 * Whatever the input, every lease read back is well-formed: a MAC and an
 * IPv4 address that parse, a host name that is a DNS label or empty.
 */
#include "fuzz-common.h"
#include "vireo-ids.h"
#include "vireo-net-helper.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GVariant) leases = g_variant_ref_sink (vnet_leases_parse (text));
  GVariantIter iter;
  gint64 expiry;
  const char *mac, *ip, *name;

  g_assert_true (g_variant_is_of_type (leases, G_VARIANT_TYPE ("a(xsss)")));
  g_variant_iter_init (&iter, leases);
  while (g_variant_iter_next (&iter, "(x&s&s&s)", &expiry, &mac, &ip, &name))
    {
      g_autofree char *norm = vireo_mac_normalize (mac);
      guint32 addr;

      g_assert_cmpint (expiry, >=, 0);
      g_assert_cmpstr (norm, ==, mac);
      g_assert_true (vireo_ipv4_parse (ip, &addr));
      g_assert_true (*name == '\0' || vireo_net_host_name_validate (name, NULL));
    }
  return 0;
}
