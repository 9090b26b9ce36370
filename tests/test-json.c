/* test-json.c: the JSON helpers every peer's input goes through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-json.h"
#include "vireo-test-util.h"

static char *
nested (guint depth)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (text, "{\"a\":");
  g_string_append (text, "1");
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

/* json-glib recurses per level: a deep document from a peer must be
 * refused before it overflows the stack (200000 levels crash it). */
static void
test_deep_nesting_refused (void **state)
{
  g_autofree char *ok = nested (1024);
  g_autofree char *deep = nested (1025);
  g_autofree char *brackets = g_strnfill (200000, '[');
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(GError) error = NULL;

  obj = vireo_json_parse_object (ok, -1, &error);
  assert_no_error (error);
  assert_non_null (obj);
  assert_null (vireo_json_parse_object (deep, -1, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL));
  g_clear_error (&error);
  assert_null (vireo_json_parse_object (brackets, -1, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL));
}

/* Brackets inside strings, escaped quotes included, are not nesting. */
static void
test_brackets_in_strings (void **state)
{
  g_autofree char *many = g_strnfill (5000, '[');
  g_autofree char *text = g_strdup_printf ("{\"s\":\"\\\"%s\",\"t\":\"{{\"}", many);
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(GError) error = NULL;

  obj = vireo_json_parse_object (text, -1, &error);
  assert_no_error (error);
  assert_non_null (obj);
  assert_int_equal (strlen (json_object_get_string_member (obj, "s")), 5001);
}

/* json-glib also reads single quotes and comments, where a '"' would
 * hide the brackets after it from a count that only knows JSON: a guest
 * agent sent these to crash its shim.  Outside strings, only JSON. */
static void
test_only_plain_json (void **state)
{
  g_autofree char *deep = g_strnfill (200000, '[');
  const char *prefixes[] = { "{\"a\":'\"', ", "{\"a\":/*\"*/", "{\"a\"://\"\n", "{\"a\":#\"\n" };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *text = g_strconcat (prefixes[i], deep, NULL);
      g_autoptr(GError) error = NULL;

      assert_null (vireo_json_parse_object (text, -1, &error));
      assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL));
    }
  {
    /* what QEMU and the agent write still reads */
    g_autoptr(JsonObject) obj = vireo_json_parse_object ("{\"return\": {\"a\": [true, false, null, -1.5e3]}}",
                                                         -1, NULL);
    assert_non_null (obj);
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_deep_nesting_refused),
    cmocka_unit_test (test_brackets_in_strings),
    cmocka_unit_test (test_only_plain_json),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
