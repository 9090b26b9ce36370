/* test-lock.c: the advisory locks a VM's lifecycle rests on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-lock.h"
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

/* Asserts that @path is taken, by a holder that wrote @purpose. */
static void
assert_busy (const char *path,
             const char *purpose)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *holder = NULL;
  VireoLock *lock = vireo_lock_try (path, "other", &holder, &error);

  assert_null (lock);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_BUSY));
  assert_non_null (holder);
  assert_string_equal (holder, purpose);
}

static void
test_two_opens_in_one_process (void **state)
{
  g_autofree char *path = g_build_filename (*state, "lock", NULL);
  g_autoptr(GError) error = NULL;
  VireoLock *first = vireo_lock_try (path, "starting", NULL, &error);
  VireoLock *again;

  assert_no_error (error);
  assert_non_null (first);
  /* a second open file conflicts, even in the same process */
  assert_busy (path, "starting");
  vireo_lock_free (first);
  again = vireo_lock_try (path, "deleting", NULL, &error);
  assert_no_error (error);
  assert_non_null (again);
  assert_busy (path, "deleting");
  vireo_lock_free (again);
}

/* A child that takes the lock itself holds it until it exits. */
static void
test_forked_child_holds (void **state)
{
  g_autofree char *path = g_build_filename (*state, "lock", NULL);
  g_autoptr(GError) error = NULL;
  int ready[2], go[2];
  char byte = 0;
  pid_t pid;
  int status;
  VireoLock *lock;

  assert_int_equal (pipe (ready), 0);
  assert_int_equal (pipe (go), 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      VireoLock *mine = vireo_lock_try (path, "child", NULL, NULL);

      if (write (ready[1], mine ? "y" : "n", 1) != 1 || read (go[0], &byte, 1) != 1)
        _exit (2);
      _exit (mine ? 0 : 1);   /* exiting releases it */
    }
  assert_int_equal (read (ready[0], &byte, 1), 1);
  assert_int_equal (byte, 'y');
  assert_busy (path, "child");
  assert_int_equal (write (go[1], "x", 1), 1);
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  lock = vireo_lock_try (path, "parent", NULL, &error);
  assert_no_error (error);
  assert_non_null (lock);
  vireo_lock_free (lock);
  close (ready[0]); close (ready[1]); close (go[0]); close (go[1]);
}

/* The hand-over to vireo-shim: a child keeps the inherited fd, the
 * parent closes its own, and the lock stays taken until the child ends. */
static void
test_inherited_fd_keeps_lock (void **state)
{
  g_autofree char *path = g_build_filename (*state, "lock", NULL);
  g_autoptr(GError) error = NULL;
  VireoLock *lock = vireo_lock_try (path, "starting", NULL, &error);
  int go[2];
  char byte;
  pid_t pid;
  int status;

  assert_non_null (lock);
  assert_int_equal (pipe (go), 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      close (go[1]);
      _exit (read (go[0], &byte, 1) == 1 ? 0 : 1);
    }
  close (go[0]);
  vireo_lock_free (lock);
  assert_busy (path, "starting");
  assert_int_equal (write (go[1], "x", 1), 1);
  close (go[1]);
  assert_int_equal (waitpid (pid, &status, 0), pid);
  lock = vireo_lock_try (path, "again", NULL, &error);
  assert_no_error (error);
  assert_non_null (lock);
  vireo_lock_free (lock);
}

/* A removed lock file is made anew; whoever still has the old one open
 * cannot lock it behind the new holder's back. */
static void
test_removed_lock (void **state)
{
  g_autofree char *path = g_build_filename (*state, "lock", NULL);
  g_autoptr(GError) error = NULL;
  VireoLock *lock = vireo_lock_try (path, "deleting", NULL, &error);
  VireoLock *next;

  assert_non_null (lock);
  vireo_lock_remove (lock);
  assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  next = vireo_lock_try (path, "starting", NULL, &error);
  assert_no_error (error);
  assert_non_null (next);
  assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  assert_busy (path, "starting");
  vireo_lock_free (next);
}

static void
test_folder_lock_waits (void **state)
{
  g_autoptr(GError) error = NULL;
  VireoLock *first = vireo_lock_folder (*state, 1000, &error);
  VireoLock *second;
  gint64 begin;

  assert_no_error (error);
  assert_non_null (first);
  begin = g_get_monotonic_time ();
  second = vireo_lock_folder (*state, 200, &error);
  assert_null (second);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_BUSY));
  /* it waited for the holder before giving up */
  assert_true (g_get_monotonic_time () - begin >= 200 * 1000);
  g_clear_error (&error);
  vireo_lock_free (first);
  second = vireo_lock_folder (*state, 200, &error);
  assert_no_error (error);
  assert_non_null (second);
  vireo_lock_free (second);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_two_opens_in_one_process, setup, teardown),
    cmocka_unit_test_setup_teardown (test_forked_child_holds, setup, teardown),
    cmocka_unit_test_setup_teardown (test_inherited_fd_keeps_lock, setup, teardown),
    cmocka_unit_test_setup_teardown (test_removed_lock, setup, teardown),
    cmocka_unit_test_setup_teardown (test_folder_lock_waits, setup, teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
