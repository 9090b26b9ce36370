/* vireo-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <ftw.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>

#include "vireo-test-util.h"

/* Short paths under /tmp keep socket paths far from the 108-byte limit. */
char *
vireo_test_make_root (void)
{
  /* under run-under-xvfb.sh, inside its folder, so that it can clean up
   * after a test that crashed */
  const char *parent = g_getenv ("VIREO_TEST_TMPDIR");
  char *dir = g_build_filename (parent && *parent ? parent : "/tmp", "vireo-t.XXXXXX", NULL);

  if (g_mkdtemp (dir) == NULL)
    fail_msg ("mkdtemp: %s", g_strerror (errno));
  return dir;
}

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                flag,
              struct FTW        *ftw)
{
  chmod (path, 0700);
  remove (path);
  return 0;
}

void
vireo_test_remove_tree (const char *path)
{
  if (path != NULL)
    nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *
vireo_test_srcpath (const char *first,
                    ...)
{
  const char *srcdir = g_getenv ("VIREO_TEST_SRCDIR");
  g_autofree char *rest = NULL;
  va_list args;

  va_start (args, first);
  rest = g_build_filename_valist (first, &args);
  va_end (args);
  return g_build_filename (srcdir ? srcdir : ".", rest, NULL);
}

char *
vireo_test_read (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    fail_msg ("%s", error->message);
  return contents;
}

/* Compares with a golden file; VIREO_REGENERATE_GOLDEN=1 rewrites it. */
void
vireo_test_assert_golden (const char *golden_path,
                          const char *actual)
{
  g_autofree char *expected = NULL;

  if (g_getenv ("VIREO_REGENERATE_GOLDEN"))
    {
      g_autoptr(GError) error = NULL;
      if (!g_file_set_contents (golden_path, actual, -1, &error))
        fail_msg ("%s", error->message);
      return;
    }

  expected = vireo_test_read (golden_path);
  if (g_strcmp0 (expected, actual) != 0)
    {
      fprintf (stderr, "--- %s (expected)\n%s\n--- actual\n%s\n", golden_path, expected, actual);
      fail_msg ("output differs from %s (VIREO_REGENERATE_GOLDEN=1 rewrites it)", golden_path);
    }
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates @context until *done or the timeout, which fails the test. */
void
vireo_test_pump (GMainContext *context,
                 gboolean     *done,
                 guint         timeout_ms)
{
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timeout, set_flag, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!*done && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  if (!*done)
    fail_msg ("timed out after %u ms", timeout_ms);
}

/* Iterates the default main context for @ms, without waiting in it: a
 * window under test keeps drawing meanwhile. */
void
vireo_test_pump_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
}

/* Iterates the default main context until @check holds (TRUE) or
 * @timeout_s passes (FALSE). */
gboolean
vireo_test_wait_until (gboolean (*check) (gpointer),
                       gpointer   data,
                       guint      timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (!check (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  return TRUE;
}

/* Parses tests/data/domain/NAME, failing the test on any error. */
VireoDomainConfig *
vireo_test_parse_domain_file (const char *name)
{
  g_autofree char *path = vireo_test_srcpath ("data", "domain", name, NULL);
  g_autofree char *xml = vireo_test_read (path);
  g_autoptr(GError) error = NULL;
  VireoDomainConfig *config = vireo_domain_config_parse (xml, -1, path, &error);

  assert_no_error (error);
  assert_non_null (config);
  return config;
}

/* Canonical XML (C14N 1.0, no comments, blanks dropped): two documents
 * that libvirt reads alike, whatever their quoting and attribute order */
char *
vireo_test_canonical_xml (const char *xml)
{
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), NULL, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOBLANKS);
  xmlChar *out = NULL;
  char *ret;

  assert_non_null (doc);
  assert_true (xmlC14NDocDumpMemory (doc, NULL, XML_C14N_1_0, NULL, 0, &out) > 0);
  ret = g_strdup ((const char *) out);
  xmlFree (out);
  xmlFreeDoc (doc);
  return ret;
}
