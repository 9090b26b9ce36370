/* test-job.c: jobs on the worker pool, disk images through qemu-img
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "vireo-error.h"
#include "vireo-job.h"
#include "vireo-storage.h"
#include "vireo-test-util.h"

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
  guint notifies;
} Run;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;

  run->ok = vireo_job_run_finish (VIREO_JOB (source), result, &run->error);
  run->done = TRUE;
}

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
on_progress (VireoJob   *job,
             GParamSpec *pspec,
             Run        *run)
{
  /* notifications arrive on the main thread */
  assert_true (g_main_context_is_owner (g_main_context_default ()));
  run->notifies++;
}

static gboolean
counting_func (VireoJob      *job,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  for (guint i = 1; i <= 10; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      vireo_job_set_progress (job, i / 10.0);
      g_usleep (2000);
    }
  return TRUE;
}

static void
mark_cleaned (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static void
test_progress_and_cleanup (void **state)
{
  gboolean cleaned = FALSE;
  g_autoptr(VireoJob) job = vireo_job_new ("Counting", counting_func, mark_cleaned, &cleaned, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Run run = { 0 };

  g_signal_connect (job, "notify::progress", G_CALLBACK (on_progress), &run);
  vireo_job_run_async (job, NULL, on_done, &run);
  vireo_test_pump (NULL, &run.done, 5000);
  assert_true (run.ok);
  assert_true (run.notifies >= 1);
  assert_true (vireo_job_get_progress (job) == 1.0);
  assert_false (cleaned);

  /* cancelled: the error says so and the cleanup ran */
  memset (&run, 0, sizeof run);
  g_cancellable_cancel (cancellable);
  vireo_job_run_async (job, cancellable, on_done, &run);
  vireo_test_pump (NULL, &run.done, 5000);
  assert_false (run.ok);
  assert_true (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  assert_true (cleaned);
  g_clear_error (&run.error);
}

static void
test_disk_images (void **state)
{
  g_autofree char *root = vireo_test_make_root ();
  g_autofree char *disk = g_build_filename (root, "a.qcow2", NULL);
  g_autofree char *copy = g_build_filename (root, "b.qcow2", NULL);
  g_autofree char *missing = g_build_filename (root, "none.img", NULL);
  g_autofree char *never = g_build_filename (root, "c.qcow2", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoJob) create = NULL;
  g_autoptr(VireoJob) again = NULL;
  g_autoptr(VireoJob) import = NULL;
  g_autoptr(VireoJob) bad = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint64 size;

  assert_true (vireo_storage_parse_size ("32M", &size, NULL));
  assert_int_equal (size, 32 * 1024 * 1024);
  assert_true (vireo_storage_parse_size ("2", &size, NULL));
  assert_int_equal (size, G_GUINT64_CONSTANT (2) << 30);
  assert_false (vireo_storage_parse_size ("0", &size, NULL));
  assert_false (vireo_storage_parse_size ("12Q", &size, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
  g_clear_error (&error);

  create = vireo_storage_create_job (disk, 32 * 1024 * 1024);
  assert_true (vireo_job_run_sync (create, NULL, &error));
  assert_no_error (error);
  before = vireo_test_read (disk);
  assert_true (g_str_has_prefix (before, "QFI\xfb"));

  /* never overwrites, and a refused job does not delete what was there */
  again = vireo_storage_create_job (disk, 64 * 1024 * 1024);
  assert_false (vireo_job_run_sync (again, NULL, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  g_clear_error (&error);
  after = vireo_test_read (disk);
  assert_memory_equal (before, after, 4096);

  import = vireo_storage_import_job (disk, copy);
  assert_true (vireo_job_run_sync (import, NULL, &error));
  assert_true (g_file_test (copy, G_FILE_TEST_IS_REGULAR));

  bad = vireo_storage_import_job (missing, never);
  assert_false (vireo_job_run_sync (bad, NULL, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));

  vireo_test_remove_tree (root);
}

static void
qemu_img (const char *args)
{
  g_autofree char *command = g_strconcat ("qemu-img ", args, NULL);
  int status = -1;

  assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, NULL));
  assert_true (g_spawn_check_wait_status (status, NULL));
}

/* vireo_storage_check_image() on @path with the chain @declared (comma
 * separated, "" for none): NULL when accepted, else the error message. */
static char *
check_chain (const char *path,
             const char *declared)
{
  g_auto(GStrv) chain = *declared ? g_strsplit (declared, ",", -1) : NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = vireo_storage_check_image ("vm", "vda", path, "qcow2",
                                                       (const char * const *) chain, &error);

  if (format != NULL)
    {
      assert_string_equal (format, "qcow2");
      return NULL;
    }
  return g_strdup (error->message);
}

/* Runs the check of @path against @declared, which it must refuse with
 * a message holding the printf-style @fmt. */
static void G_GNUC_PRINTF (3, 4)
assert_refused (const char *path,
                const char *declared,
                const char *fmt,
                ...)
{
  g_autofree char *message = check_chain (path, declared);
  g_autofree char *want = NULL;
  va_list args;

  va_start (args, fmt);
  want = g_strdup_vprintf (fmt, args);
  va_end (args);
  assert_non_null (message);
  if (strstr (message, want) == NULL)
    fail_msg ("'%s' does not say '%s'", message, want);
}

/* A chain Vireo made and declared is accepted at any depth, one image at
 * a time; an image whose header names another backing file than the
 * definition declares, anywhere in the chain, is refused. */
static void
test_check_chain (void **state)
{
  g_autofree char *root = vireo_test_make_root ();
  g_autofree char *t = g_build_filename (root, "t.qcow2", NULL);
  g_autofree char *m = g_build_filename (root, "m.qcow2", NULL);
  g_autofree char *top = g_build_filename (root, "top.qcow2", NULL);
  g_autofree char *other = g_build_filename (root, "other.qcow2", NULL);
  g_autofree char *chain = g_strconcat (m, ",", t, NULL);
  g_autofree char *longer = g_strconcat (chain, ",", other, NULL);
  g_autofree char *swapped = g_strconcat (t, ",", m, NULL);
  g_autofree char *make_t = g_strdup_printf ("create -q -f qcow2 %s 1M", t);
  g_autofree char *make_other = g_strdup_printf ("create -q -f qcow2 %s 1M", other);
  g_autofree char *make_m = g_strdup_printf ("create -q -f qcow2 -F qcow2 -b %s %s", t, m);
  g_autofree char *make_top = g_strdup_printf ("create -q -f qcow2 -F qcow2 -b %s %s", m, top);
  g_autofree char *craft_other = g_strdup_printf ("rebase -u -f qcow2 -F qcow2 -b %s %s", other, m);
  g_autofree char *craft_raw = g_strdup_printf ("rebase -u -f qcow2 -F raw -b %s %s", t, m);

  qemu_img (make_t);
  qemu_img (make_other);
  qemu_img (make_m);
  qemu_img (make_top);
  assert_null (check_chain (top, chain));
  assert_null (check_chain (m, t));
  assert_null (check_chain (t, ""));

  /* a chain shorter, longer or other than the images say */
  assert_refused (top, m, "disk vda (%s) has a backing file (%s): Vireo runs standalone images only", m, t);
  assert_refused (top, "", "disk vda (%s) has a backing file (%s)", top, m);
  assert_refused (top, longer, "(%s) has no backing file, but its definition names the base image %s", t, other);
  assert_refused (top, swapped, "disk vda (%s) has a backing file (%s)", top, m);

  /* a crafted middle image whose header names another file, or its
   * declared base as raw */
  qemu_img (craft_other);
  assert_refused (top, chain, "disk vda (%s) has a backing file (%s)", m, other);
  qemu_img (craft_raw);
  assert_refused (top, chain, "disk vda (%s) has a backing file (%s)", m, t);

  vireo_test_remove_tree (root);
}

typedef struct {
  Run run;
  GCancellable *cancellable;
  double cancelled_at;
} MidRun;

static void
cancel_on_progress (VireoJob   *job,
                    GParamSpec *pspec,
                    MidRun     *mid)
{
  double progress = vireo_job_get_progress (job);

  if (progress > 0.0 && progress < 1.0 && !g_cancellable_is_cancelled (mid->cancellable))
    {
      mid->cancelled_at = progress;
      g_cancellable_cancel (mid->cancellable);
    }
}

/* A source qemu-img takes a while to copy: 192 MiB that are not zeros
 * (zeros are skipped, not copied). */
static void
write_busy_image (const char *path)
{
  g_autofree guchar *chunk = g_malloc (1 << 20);
  FILE *f = fopen (path, "wb");

  assert_non_null (f);
  for (guint i = 0; i < (1 << 20); i++)
    chunk[i] = (guchar) (i * 7 + 1);
  for (guint i = 0; i < 192; i++)
    {
      chunk[0] = (guchar) i;
      assert_int_equal (fwrite (chunk, 1, 1 << 20, f), 1 << 20);
    }
  assert_int_equal (fclose (f), 0);
}

/* Cancelled while qemu-img runs: the error says so, qemu-img is gone and
 * so is the half-written image. */
static void
test_cancel_mid_run (void **state)
{
  g_autofree char *root = vireo_test_make_root ();
  g_autofree char *source = g_build_filename (root, "busy.raw", NULL);
  g_autofree char *dest = g_build_filename (root, "half.qcow2", NULL);
  g_autoptr(VireoJob) job = vireo_storage_import_job (source, dest);
  MidRun mid = { { 0 }, g_cancellable_new (), 0.0 };

  write_busy_image (source);
  g_signal_connect (job, "notify::progress", G_CALLBACK (cancel_on_progress), &mid);
  vireo_job_run_async (job, mid.cancellable, on_done, &mid.run);
  vireo_test_pump (NULL, &mid.run.done, 60000);
  assert_true (mid.run.done);
  assert_true (g_cancellable_is_cancelled (mid.cancellable));
  /* it was cancelled part way, not before it began or after it ended */
  assert_true (mid.cancelled_at > 0.0 && mid.cancelled_at < 1.0);
  assert_false (mid.run.ok);
  assert_true (g_error_matches (mid.run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  assert_true (g_file_test (source, G_FILE_TEST_IS_REGULAR));
  g_clear_error (&mid.run.error);
  g_object_unref (mid.cancellable);
  vireo_test_remove_tree (root);
}

/* A numbered create job steps past a taken name instead of failing, and
 * says which name it took. */
static void
test_create_free_name (void **state)
{
  g_autofree char *root = vireo_test_make_root ();
  g_autofree char *taken = g_build_filename (root, "sub", "vm-vda.qcow2", NULL);
  g_autofree char *next = g_build_filename (root, "sub", "vm-vda-2.qcow2", NULL);
  g_autoptr(VireoJob) first = vireo_storage_create_free_job (taken, 1 << 20);
  g_autoptr(VireoJob) second = vireo_storage_create_free_job (taken, 1 << 20);
  g_autoptr(GError) error = NULL;

  /* the folder is made too */
  assert_true (vireo_job_run_sync (first, NULL, &error));
  assert_no_error (error);
  assert_string_equal (vireo_storage_job_get_path (first), taken);
  assert_true (vireo_job_run_sync (second, NULL, &error));
  assert_string_equal (vireo_storage_job_get_path (second), next);
  assert_true (g_file_test (next, G_FILE_TEST_IS_REGULAR));
  vireo_test_remove_tree (root);
}

/* A _finish given another function's result refuses it. */
static void
test_finish_checks_the_result (void **state)
{
  g_autoptr(VireoJob) job = vireo_job_new ("Counting", counting_func, NULL, NULL, NULL);
  g_autoptr(VireoJob) other = vireo_job_new ("Other", counting_func, NULL, NULL, NULL);
  GAsyncResult *result = NULL;

  vireo_job_run_async (job, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_test_expect_message ("vireo-engine", G_LOG_LEVEL_CRITICAL, "*g_task_is_valid*failed");
  assert_false (vireo_job_run_finish (other, result, NULL));
  g_test_assert_expected_messages ();
  assert_true (vireo_job_run_finish (job, result, NULL));
  g_object_unref (result);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_progress_and_cleanup),
    cmocka_unit_test (test_disk_images),
    cmocka_unit_test (test_check_chain),
    cmocka_unit_test (test_cancel_mid_run),
    cmocka_unit_test (test_create_free_name),
    cmocka_unit_test (test_finish_checks_the_result),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
