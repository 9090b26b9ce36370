/* fuzz-domain-xml.c: the domain XML parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any document either fails with an error or parses into a model that
 * formats and parses again into the same model: the second formatting
 * must equal the first, byte for byte.
 */
#include <string.h>

#include "fuzz-common.h"
#include "vireo-domain-config.h"

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
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse ((const char *) data, size, "fuzz.xml", &error);
  g_autoptr(VireoDomainConfig) again = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *xml2 = NULL;

  if (config == NULL)
    {
      g_assert_nonnull (error);
      g_assert_null (strchr (error->message, '\n'));
      return 0;
    }
  xml = vireo_domain_config_format (config);
  again = vireo_domain_config_parse (xml, -1, "fuzz-again.xml", &error);
  if (again == NULL)
    g_error ("formatted XML does not parse again: %s\n%s", error->message, xml);
  xml2 = vireo_domain_config_format (again);
  if (g_strcmp0 (xml, xml2) != 0)
    g_error ("formatting is not stable:\n%s\n----\n%s", xml, xml2);
  return 0;
}
