/* test-fileutil.c: atomic writes and log tails
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-test-util.h"

static int
setup (void **state)
{
  *state = vireo_test_make_root ();
  return 0;
}

static int
teardown (void **state)
{
  vireo_test_remove_tree (*state);
  g_free (*state);
  return 0;
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (d))
    n++;
  return n;
}

static void
test_write_replaces (void **state)
{
  const char *root = *state;
  g_autofree char *path = g_build_filename (root, "vm.xml", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  assert_true (vireo_file_write_atomic (path, "old", -1, 0600, &error));
  assert_true (vireo_file_write_atomic (path, "new contents", -1, 0600, &error));
  assert_no_error (error);
  contents = vireo_test_read (path);
  assert_string_equal (contents, "new contents");
  assert_int_equal (stat (path, &st), 0);
  assert_int_equal (st.st_mode & 0777, 0600);
  /* no temporary file left behind */
  assert_int_equal (count_entries (root), 1);
}

static void
test_failed_write_keeps_old (void **state)
{
  const char *root = *state;
  g_autofree char *dir = g_build_filename (root, "ro", NULL);
  g_autofree char *path = g_build_filename (dir, "vm.xml", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  if (geteuid () == 0)
    {
      /* root ignores permissions: a missing folder fails the same way */
      g_autofree char *missing = g_build_filename (root, "nope", "vm.xml", NULL);
      assert_false (vireo_file_write_atomic (missing, "x", -1, 0600, &error));
      assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));
      assert_non_null (strstr (error->message, missing));
      return;
    }

  g_mkdir (dir, 0700);
  assert_true (vireo_file_write_atomic (path, "old", -1, 0600, NULL));
  chmod (dir, 0500);
  assert_false (vireo_file_write_atomic (path, "new", -1, 0600, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_PERMISSION));
  chmod (dir, 0700);
  contents = vireo_test_read (path);
  assert_string_equal (contents, "old");
}

static void
test_full_disk (void **state)
{
  const char *root = *state;
  g_autofree char *dir = g_build_filename (root, "small", NULL);
  g_autofree char *path = g_build_filename (dir, "vm.xml", NULL);
  g_autofree char *cmd = NULL;
  g_autofree char *big = g_strnfill (256 * 1024, 'x');
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  /* A real full file system: a 64 KiB tmpfs, where root can mount one. */
  g_mkdir (dir, 0700);
  cmd = g_strdup_printf ("mount -t tmpfs -o size=64k vireo-test %s", dir);
  if (geteuid () != 0 || !g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) || status != 0)
    skip ();

  assert_true (vireo_file_write_atomic (path, "old", -1, 0600, NULL));
  assert_false (vireo_file_write_atomic (path, big, -1, 0600, &error));
  g_clear_pointer (&cmd, g_free);
  contents = vireo_test_read (path);
  cmd = g_strdup_printf ("umount %s", dir);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);

  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NO_SPACE));
  assert_non_null (strstr (error->message, path));
  assert_string_equal (contents, "old");
}

static void
test_read_tail (void **state)
{
  const char *root = *state;
  g_autofree char *path = g_build_filename (root, "qemu.log", NULL);
  g_autofree char *tail = NULL;
  g_autofree char *missing = g_build_filename (root, "missing.log", NULL);

  g_file_set_contents (path, "one\ntwo\n\nthree\n\n", -1, NULL);
  tail = vireo_file_read_tail (path, 2);
  assert_string_equal (tail, "two\nthree");
  assert_null (vireo_file_read_tail (missing, 2));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_write_replaces, setup, teardown),
    cmocka_unit_test_setup_teardown (test_failed_write_keeps_old, setup, teardown),
    cmocka_unit_test_setup_teardown (test_full_disk, setup, teardown),
    cmocka_unit_test_setup_teardown (test_read_tail, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
