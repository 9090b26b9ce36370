/* test-domain-lock.c: what a VM's locks refuse, without QEMU
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Another process is played by locks taken here on the VM's lock files
 * (run/ID/change.lock for a change under way, run/ID/lock for a running
 * shim, as engine/domain/vireo-domain-lock.c names them).
 */
#include <glib/gstdio.h>
#include <string.h>

#include "vireo-domain-policy.h"
#include "vireo-local-domain-private.h"
#include "vireo-local-backend.h"
#include "vireo-error.h"
#include "vireo-lock.h"
#include "vireo-test-util.h"

typedef struct {
  char *root;
  VireoLocalBackend *engine;
  VireoDomain *domain;
} Fixture;

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("a");

  f->root = vireo_test_make_root ();
  f->engine = vireo_local_backend_new (f->root);
  assert_true (vireo_local_backend_load (f->engine, NULL));
  /* a disk that is not there: a start that gets past the locks fails */
  vireo_domain_config_add_disk (config,
      vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", "/nonexistent/a.qcow2"));
  f->domain = vireo_local_backend_define_domain (f->engine, config, NULL);
  assert_non_null (f->domain);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  Fixture *f = *state;

  g_clear_object (&f->engine);
  vireo_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f);
  return 0;
}

static VireoLock *
hold (Fixture    *f,
      const char *file,
      const char *purpose)
{
  g_autofree char *path = g_build_filename (vireo_domain_get_run_dir (f->domain), file, NULL);
  VireoLock *lock;

  g_mkdir_with_parents (vireo_domain_get_run_dir (f->domain), 0700);
  lock = vireo_lock_try (path, purpose, NULL, NULL);
  assert_non_null (lock);
  return lock;
}

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Starts the VM and returns the error it ends with. */
static GError *
start (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;

  vireo_domain_start_async (f->domain, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  assert_false (vireo_domain_start_finish (f->domain, result, &error));
  assert_non_null (error);
  return error;
}

static void
assert_error (GError     *error,
              int         code,
              const char *message)
{
  assert_non_null (error);
  if (error->code != code || strcmp (error->message, message) != 0)
    fail_msg ("expected \"%s\" (%d), got \"%s\" (%d)", message, code, error->message, error->code);
}

/* The state is "starting" as soon as the call returns, so a second start
 * (and a front end's Start) is refused at once; it ends as it began. */
static void
test_starting_at_once (void **state)
{
  Fixture *f = *state;
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;

  vireo_domain_start_async (f->domain, NULL, keep_result, &first);
  assert_int_equal (vireo_domain_get_state (f->domain), VIREO_DOMAIN_STATE_STARTING);
  assert_false (vireo_domain_can (f->domain, VIREO_DOMAIN_OP_START));
  vireo_domain_start_async (f->domain, NULL, keep_result, &second);
  while (first == NULL || second == NULL)
    g_main_context_iteration (NULL, TRUE);
  assert_false (vireo_domain_start_finish (f->domain, second, &error));
  assert_error (error, VIREO_ERROR_INVALID_STATE, "VM 'a' is already starting");
  g_clear_error (&error);
  assert_false (vireo_domain_start_finish (f->domain, first, &error));
  assert_int_equal (error->code, VIREO_ERROR_NOT_FOUND);   /* the missing disk */
  assert_int_equal (vireo_domain_get_state (f->domain), VIREO_DOMAIN_STATE_SHUTOFF);
  assert_true (vireo_domain_can (f->domain, VIREO_DOMAIN_OP_START));
}

/* Another process starts the VM: every change is refused, saying so. */
static void
test_busy_while_changed (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoLock) other = hold (f, "change.lock", "starting");
  g_autoptr(VireoDomainConfig) changed = vireo_domain_config_copy (vireo_domain_get_config (f->domain));
  g_autofree char *run_dir = g_strdup (vireo_domain_get_run_dir (f->domain));
  g_autoptr(GError) error = NULL;

  error = start (f);
  assert_error (error, VIREO_ERROR_BUSY, "VM 'a' is busy (starting)");
  g_clear_error (&error);
  changed->vcpus = 2;
  assert_null (vireo_local_backend_define_domain (f->engine, changed, &error));
  assert_error (error, VIREO_ERROR_BUSY, "VM 'a' is busy (starting)");
  g_clear_error (&error);
  assert_false (vireo_local_backend_undefine_domain (f->engine, f->domain, FALSE, &error));
  assert_error (error, VIREO_ERROR_BUSY, "VM 'a' is busy (starting)");
  /* once it is done, the same calls go through */
  g_clear_pointer (&other, vireo_lock_free);
  assert_non_null (vireo_local_backend_define_domain (f->engine, changed, NULL));
  assert_true (vireo_local_backend_undefine_domain (f->engine, f->domain, FALSE, NULL));
  /* the VM left the list with its runtime folder */
  assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
}

/* A shim runs the VM (its state file not read yet): no second start, no
 * delete, but its definition may change (pending until the next start). */
static void
test_run_lock (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoLock) shim = hold (f, "lock", "starting");
  g_autoptr(VireoDomainConfig) changed = vireo_domain_config_copy (vireo_domain_get_config (f->domain));
  g_autoptr(GError) error = NULL;

  error = start (f);
  assert_error (error, VIREO_ERROR_INVALID_STATE, "VM 'a' is already running");
  g_clear_error (&error);
  assert_false (vireo_local_backend_undefine_domain (f->engine, f->domain, FALSE, &error));
  assert_error (error, VIREO_ERROR_INVALID_STATE, "VM 'a' is running; shut it down first");
  changed->vcpus = 2;
  assert_non_null (vireo_local_backend_define_domain (f->engine, changed, NULL));
}

/* Another process defined the name with another UUID meanwhile: that
 * definition is not overwritten, and a start of the old VM is refused. */
static void
test_defined_elsewhere (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoLocalBackend) other = vireo_local_backend_new (f->root);
  g_autoptr(VireoDomainConfig) theirs = vireo_domain_config_new ("b");
  g_autoptr(VireoDomainConfig) again = vireo_domain_config_new ("b");
  g_autoptr(GError) error = NULL;

  assert_true (vireo_local_backend_load (other, NULL));
  assert_true (vireo_local_backend_undefine_domain (other, vireo_backend_lookup_domain (VIREO_BACKEND (other), "a"), FALSE, NULL));
  error = start (f);
  assert_error (error, VIREO_ERROR_NOT_FOUND, "VM 'a' no longer exists");
  g_clear_error (&error);
  assert_false (g_file_test (vireo_domain_get_run_dir (f->domain), G_FILE_TEST_EXISTS));

  /* two engines, each without the other's VM, define one name */
  assert_non_null (vireo_local_backend_define_domain (other, theirs, NULL));
  assert_null (vireo_local_backend_define_domain (f->engine, again, &error));
  assert_error (error, VIREO_ERROR_EXISTS, "A VM named 'b' already exists (with another UUID)");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_starting_at_once, setup, teardown),
    cmocka_unit_test_setup_teardown (test_busy_while_changed, setup, teardown),
    cmocka_unit_test_setup_teardown (test_run_lock, setup, teardown),
    cmocka_unit_test_setup_teardown (test_defined_elsewhere, setup, teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
