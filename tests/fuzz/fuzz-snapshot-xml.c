/* fuzz-snapshot-xml.c: the snapshot metadata parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A snapshot file sits in the user's config folder and may be crafted.
 * Any document either fails with a one-line error or parses into a
 * snapshot that formats and parses again into the same XML
 * (fuzz_round_trip()).
 */
#include <string.h>

#include "fuzz-common.h"
#include "vireo-snapshot-private.h"

static gpointer parse (const char *t, gssize n, const char *s, GError **e) { return _vireo_snapshot_parse (t, n, s, e); }
static char *format (gpointer model) { return vireo_snapshot_format_xml (model); }

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
  static const FuzzFormat snapshot_xml = { parse, format, g_object_unref };

  fuzz_round_trip (&snapshot_xml, data, size);
  return 0;
}
