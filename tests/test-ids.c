/* test-ids.c: names, UUIDs and MACs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-test-util.h"

static void
test_valid_names (void **state)
{
  const char *good[] = { "a", "demo", "web-01", "Ubuntu_24.04", "x.y-z_0", NULL };
  g_autofree char *longest = g_strnfill (64, 'a');

  for (guint i = 0; good[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      assert_true (vireo_name_validate (good[i], &error));
      assert_no_error (error);
    }
  assert_true (vireo_name_validate (longest, NULL));
}

static void
test_invalid_names (void **state)
{
  const char *bad[] = { "", ".", "..", "../etc", "a/b", "-rf", ".hidden", "a b",
                        "naïve", "semi;colon", "$(x)", "tab\t", NULL };
  g_autofree char *too_long = g_strnfill (65, 'a');

  for (guint i = 0; bad[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      assert_false (vireo_name_validate (bad[i], &error));
      assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME));
      assert_null (strchr (error->message, '\n'));
    }
  assert_false (vireo_name_validate (too_long, NULL));
  assert_false (vireo_name_validate (NULL, NULL));
}

static void
test_uuid (void **state)
{
  g_autofree char *a = vireo_uuid_generate ();
  g_autofree char *b = vireo_uuid_generate ();
  g_autofree char *norm = vireo_uuid_normalize ("C7A5FDBD-EDAF-9455-926A-D65C16DB1809");
  g_autofree char *nodash = vireo_uuid_normalize ("c7a5fdbdedaf9455926ad65c16db1809");

  assert_true (vireo_uuid_is_valid (a));
  assert_string_not_equal (a, b);
  assert_string_equal (norm, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
  assert_string_equal (nodash, norm);
  assert_false (vireo_uuid_is_valid ("c7a5fdbd-edaf-9455-926a-d65c16db180"));
  assert_false (vireo_uuid_is_valid ("c7a5fdbd-edaf-9455-926a-d65c16db18099"));
  assert_false (vireo_uuid_is_valid ("g7a5fdbd-edaf-9455-926a-d65c16db1809"));
  assert_false (vireo_uuid_is_valid (NULL));
}

static void
test_mac (void **state)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *upper = vireo_mac_normalize ("52:54:00:AB:CD:EF");

  for (guint i = 0; i < 200; i++)
    {
      char *mac = vireo_mac_generate (rand);
      g_autofree char *norm = vireo_mac_normalize (mac);

      assert_true (g_str_has_prefix (mac, "52:54:00:"));
      assert_string_equal (norm, mac);
      assert_false (g_hash_table_contains (seen, mac));
      g_hash_table_add (seen, mac);
    }
  assert_string_equal (upper, "52:54:00:ab:cd:ef");
  assert_null (vireo_mac_normalize ("01:00:5e:00:00:01")); /* multicast */
  assert_null (vireo_mac_normalize ("52:54:00:ab:cd"));
  assert_null (vireo_mac_normalize ("52-54-00-ab-cd-ef"));
  assert_null (vireo_mac_normalize ("52:54:00:ab:cd:eg"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_valid_names),
    cmocka_unit_test (test_invalid_names),
    cmocka_unit_test (test_uuid),
    cmocka_unit_test (test_mac),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
