/* test-fileutil.c: atomic writes, log tails and where files go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-paths.h"
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

/* Runtime files are replaced whole, private, with nothing left behind;
 * a folder that is gone fails with the path named. */
static void
test_replace_runtime (void **state)
{
  const char *root = *state;
  g_autofree char *path = g_build_filename (root, "state.json", NULL);
  g_autofree char *gone = g_build_filename (root, "nowhere", "state.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  mode_t old = umask (0);
  struct stat st;

  assert_true (vireo_file_replace_runtime (path, "{\"state\":\"starting\"}", -1, 0600, &error));
  assert_true (vireo_file_replace_runtime (path, "{\"state\":\"running\"}", -1, 0600, &error));
  umask (old);
  assert_no_error (error);
  contents = vireo_test_read (path);
  assert_string_equal (contents, "{\"state\":\"running\"}");
  assert_int_equal (stat (path, &st), 0);
  assert_int_equal (st.st_mode & 0777, 0600);
  assert_int_equal (count_entries (root), 1);
  assert_false (vireo_file_replace_runtime (gone, "x", -1, 0600, &error));
  assert_non_null (strstr (error->message, gone));
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

static mode_t
mode_of (const char *path)
{
  struct stat st;

  assert_int_equal (stat (path, &st), 0);
  return st.st_mode & 07777;
}

/* Folders and claimed files are private whatever the umask, even one
 * that takes the owner's own bits; existing folders keep their mode. */
static void
test_private_modes (void **state)
{
  const char *root = *state;
  g_autofree char *open_dir = g_build_filename (root, "open", NULL);
  g_autofree char *deep = g_build_filename (open_dir, "a", "b", NULL);
  g_autofree char *parent = g_build_filename (open_dir, "a", NULL);
  g_autofree char *file = g_build_filename (deep, "disk.qcow2", NULL);
  g_autoptr(GError) error = NULL;
  mode_t old_umask;
  int fd;

  g_mkdir (open_dir, 0755);
  chmod (open_dir, 0755);
  for (guint i = 0; i < 2; i++)
    {
      old_umask = umask (i == 0 ? 0 : 0277);
      assert_true (vireo_mkdir_private (deep, &error));
      assert_no_error (error);
      fd = vireo_file_claim (file, &error);
      umask (old_umask);
      assert_no_error (error);
      assert_true (fd >= 0);
      close (fd);
      assert_int_equal (mode_of (open_dir), 0755);
      assert_int_equal (mode_of (parent), 0700);
      assert_int_equal (mode_of (deep), 0700);
      assert_int_equal (mode_of (file), 0600);
      g_unlink (file);
      g_rmdir (deep);
      g_rmdir (parent);
    }
}

/* A taken name is refused and left byte for byte as it was. */
static void
test_claim_refuses_existing (void **state)
{
  const char *root = *state;
  g_autofree char *path = g_build_filename (root, "kernel", NULL);
  g_autofree char *link = g_build_filename (root, "link", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "another VM's kernel", -1, NULL);
  chmod (path, 0644);
  assert_int_equal (vireo_file_claim (path, &error), -1);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  assert_non_null (strstr (error->message, path));
  contents = vireo_test_read (path);
  assert_string_equal (contents, "another VM's kernel");
  assert_int_equal (mode_of (path), 0644);
  /* a dangling link is not followed into a new file elsewhere */
  g_clear_error (&error);
  assert_int_equal (symlink ("elsewhere", link), 0);
  assert_int_equal (vireo_file_claim (link, &error), -1);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
}

static void
test_copy_to_fd (void **state)
{
  const char *root = *state;
  g_autofree char *from = g_build_filename (root, "from", NULL);
  g_autofree char *to = g_build_filename (root, "to", NULL);
  g_autofree char *missing = g_build_filename (root, "missing", NULL);
  g_autofree char *big = g_strnfill (200000, 'k');
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  g_file_set_contents (from, big, -1, NULL);
  fd = vireo_file_claim (to, NULL);
  assert_true (vireo_file_copy_to_fd (from, fd, to, NULL, &error));
  assert_no_error (error);
  assert_false (vireo_file_copy_to_fd (missing, fd, to, NULL, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));
  assert_non_null (strstr (error->message, missing));
  close (fd);
  contents = vireo_test_read (to);
  assert_string_equal (contents, big);
}

/* A user's runtime folder, and inside a Flatpak the one its instances
 * share; an id that is no folder name is not one. */
static void
test_user_run_dir (void **state)
{
  const char *base = g_get_user_runtime_dir ();
  const char *bad[] = { "../../etc", "a/b", ".hidden", "", NULL };
  g_autofree char *want_plain = g_build_filename (base, "vireo", NULL);
  g_autofree char *want_app = g_build_filename (base, "app", "dev.vireo.Vireo", "vireo", NULL);
  g_autofree char *plain = NULL, *app = NULL;

  g_unsetenv ("FLATPAK_ID");
  plain = vireo_paths_user_run_dir ();
  assert_string_equal (plain, want_plain);
  g_setenv ("FLATPAK_ID", "dev.vireo.Vireo", TRUE);
  app = vireo_paths_user_run_dir ();
  assert_string_equal (app, want_app);
  for (guint i = 0; bad[i]; i++)
    {
      g_autofree char *dir = NULL;

      g_setenv ("FLATPAK_ID", bad[i], TRUE);
      dir = vireo_paths_user_run_dir ();
      assert_string_equal (dir, plain);
    }
  g_unsetenv ("FLATPAK_ID");
}

/* The document portal by its path: the session's runtime folder, the
 * user's /run/user/UID and the sandbox's view, never a look-alike. */
static void
test_document_portal (void **state)
{
  g_autofree char *user = g_strdup_printf ("/run/user/%u/doc/3f2a/x.iso", (unsigned) getuid ());
  g_autofree char *saved = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));

  g_setenv ("XDG_RUNTIME_DIR", "/tmp/rt/", TRUE);
  assert_true (vireo_file_in_document_portal ("/tmp/rt/doc/3f2a/x.iso"));
  assert_true (vireo_file_in_document_portal ("/tmp/rt//doc/./3f2a/x.iso"));
  assert_true (vireo_file_in_document_portal (user));
  assert_true (vireo_file_in_document_portal ("/run/flatpak/doc/3f2a/x.iso"));
  assert_false (vireo_file_in_document_portal ("/tmp/rt/doc"));
  assert_false (vireo_file_in_document_portal ("/tmp/rt/docs/x.iso"));
  assert_false (vireo_file_in_document_portal ("/tmp/rt/doc/../x.iso"));
  assert_false (vireo_file_in_document_portal ("/tmp/rtx/doc/3f2a/x.iso"));
  assert_false (vireo_file_in_document_portal ("doc/3f2a/x.iso"));
  assert_false (vireo_file_in_document_portal ("/srv/images/x.iso"));
  assert_false (vireo_file_in_document_portal (NULL));
  /* no runtime folder: the fixed places still count */
  g_unsetenv ("XDG_RUNTIME_DIR");
  assert_false (vireo_file_in_document_portal ("/tmp/rt/doc/3f2a/x.iso"));
  assert_true (vireo_file_in_document_portal (user));
  if (saved != NULL)
    g_setenv ("XDG_RUNTIME_DIR", saved, TRUE);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_write_replaces, setup, teardown),
    cmocka_unit_test_setup_teardown (test_replace_runtime, setup, teardown),
    cmocka_unit_test_setup_teardown (test_failed_write_keeps_old, setup, teardown),
    cmocka_unit_test_setup_teardown (test_full_disk, setup, teardown),
    cmocka_unit_test_setup_teardown (test_read_tail, setup, teardown),
    cmocka_unit_test_setup_teardown (test_private_modes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_claim_refuses_existing, setup, teardown),
    cmocka_unit_test_setup_teardown (test_copy_to_fd, setup, teardown),
    cmocka_unit_test (test_user_run_dir),
    cmocka_unit_test (test_document_portal),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
