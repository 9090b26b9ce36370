/* fuzz-common.h: what every libFuzzer harness of Vireo shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

int LLVMFuzzerInitialize   (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A GLib warning or critical is a finding, as G_DEBUG=fatal-warnings
 * makes it one in the tests.  It aborts (GLib's own fatal log traps,
 * which libFuzzer does not catch); debug output would only slow the run. */
static inline GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_init_glib (void)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* Runs what the input made ready, without blocking. */
static inline void
fuzz_pump (void)
{
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

/* A parser of a document format Vireo also writes, for fuzz_round_trip(). */
typedef struct {
  gpointer (*parse)  (const char *text, gssize length, const char *source, GError **error);
  char    *(*format) (gpointer model);
  void     (*free)   (gpointer model);
} FuzzFormat;

/* Any document either fails with a one-line error or parses into a
 * model that formats and parses again into the same model: the second
 * formatting must equal the first, byte for byte. */
static inline void
fuzz_round_trip (const FuzzFormat *fmt,
                 const uint8_t    *data,
                 size_t            size)
{
  g_autoptr(GError) error = NULL;
  gpointer model = fmt->parse ((const char *) data, size, "fuzz.xml", &error);
  gpointer again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text2 = NULL;

  if (model == NULL)
    {
      g_assert_nonnull (error);
      g_assert_null (strchr (error->message, '\n'));
      return;
    }
  text = fmt->format (model);
  again = fmt->parse (text, -1, "fuzz-again.xml", &error);
  if (again == NULL)
    g_error ("formatted document does not parse again: %s\n%s", error->message, text);
  text2 = fmt->format (again);
  if (g_strcmp0 (text, text2) != 0)
    g_error ("formatting is not stable:\n%s\n----\n%s", text, text2);
  fmt->free (model);
  fmt->free (again);
}
