/* fuzz-domain-xml.c: the domain XML parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any document either fails with an error or parses into a model that
 * formats and parses again into the same model (fuzz_round_trip()).
 */
#include <string.h>

#include "fuzz-common.h"
#include "vireo-domain-config.h"

static gpointer parse (const char *t, gssize n, const char *s, GError **e) { return vireo_domain_config_parse (t, n, s, e); }
static char *format (gpointer model) { return vireo_domain_config_format (model); }
static void free_model (gpointer model) { vireo_domain_config_free (model); }

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
  static const FuzzFormat domain_xml = { parse, format, free_model };

  fuzz_round_trip (&domain_xml, data, size);
  return 0;
}
