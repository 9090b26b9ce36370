/* fuzz-network-xml.c: the network XML parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A network definition sits in the user's config folder and may be crafted.
 * Any document either fails with a one-line error or parses into a
 * network that formats and parses again into the same XML
 * (fuzz_round_trip()).
 */
#include <string.h>

#include "fuzz-common.h"
#include "vireo-network.h"

static gpointer parse (const char *t, gssize n, const char *s, GError **e) { return vireo_network_config_parse (t, n, s, e); }
static char *format (gpointer model) { return vireo_network_config_format (model); }

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
  static const FuzzFormat network_xml = { parse, format, (void (*) (gpointer)) vireo_network_config_free };

  fuzz_round_trip (&network_xml, data, size);
  return 0;
}
