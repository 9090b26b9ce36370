/* fuzz-snapshot-xml.c: the snapshot metadata parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A snapshot file sits in the user's config folder and may be crafted.
 * Any document either fails with a one-line error or parses into a
 * snapshot that formats and parses again into the same XML.
 */
#include <string.h>

#include "fuzz-common.h"
#include "vireo-snapshot-private.h"

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
  g_autoptr(VireoSnapshot) snapshot = _vireo_snapshot_parse ((const char *) data, size, "fuzz.xml", &error);
  g_autoptr(VireoSnapshot) again = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *xml2 = NULL;

  if (snapshot == NULL)
    {
      g_assert_nonnull (error);
      g_assert_null (strchr (error->message, '\n'));
      return 0;
    }
  xml = vireo_snapshot_format_xml (snapshot);
  again = _vireo_snapshot_parse (xml, -1, "fuzz-again.xml", &error);
  if (again == NULL)
    g_error ("formatted XML does not parse again: %s\n%s", error->message, xml);
  xml2 = vireo_snapshot_format_xml (again);
  if (g_strcmp0 (xml, xml2) != 0)
    g_error ("formatting is not stable:\n%s\n----\n%s", xml, xml2);
  return 0;
}
