/* test-domain-policy.c: the rules every front end asks the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "vireo-test-util.h"
#include "vireo.h"

typedef struct {
  char *root;
  VireoLocalBackend *engine;
} Fixture;

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->root = vireo_test_make_root ();
  f->engine = vireo_local_backend_new (f->root);
  assert_true (vireo_local_backend_load (f->engine, NULL));
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

static VireoDomain *
define (Fixture    *f,
        const char *name,
        const char *title,
        guint       vcpus,
        guint64     memory_mib)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new (name);
  g_autoptr(GError) error = NULL;
  VireoDomain *domain;

  config->title = g_strdup (title);
  config->vcpus = vcpus;
  config->memory_kib = memory_mib * 1024;
  config->current_memory_kib = config->memory_kib;
  domain = vireo_local_backend_define_domain (f->engine, config, &error);
  assert_no_error (error);
  return domain;
}

/* The table of what each state allows, as the GUI's buttons, the TUI's
 * keys and the engine's own checks read it. */
static void
test_state_allows (void **state)
{
  static const struct { VireoDomainOp op; const char *states; } table[] = {
    /* states in enum order: shutoff starting running paused shutting-down crashed */
    { VIREO_DOMAIN_OP_START,      "X....X" },
    { VIREO_DOMAIN_OP_SHUTDOWN,   "..X..." },
    { VIREO_DOMAIN_OP_FORCE_OFF,  ".XXXX." },
    { VIREO_DOMAIN_OP_REBOOT,     "..X..." },
    { VIREO_DOMAIN_OP_RESET,      "..XX.." },
    { VIREO_DOMAIN_OP_PAUSE,      "..X..." },
    { VIREO_DOMAIN_OP_RESUME,     "...X.." },
    { VIREO_DOMAIN_OP_DELETE,     "X....X" },
    { VIREO_DOMAIN_OP_DISPLAY,    "..XXX." },
    { VIREO_DOMAIN_OP_CONSOLE,    "..XXX." },
    { VIREO_DOMAIN_OP_SCREENSHOT, "..XXX." },
    { VIREO_DOMAIN_OP_STATS,      ".XXXX." },
    { VIREO_DOMAIN_OP_SNAPSHOT,   "X.XX.X" },
    { VIREO_DOMAIN_OP_REVERT,     "X.XX.X" },
    { VIREO_DOMAIN_OP_CLONE,      "X....X" },
    { VIREO_DOMAIN_OP_CONVERT_DISK, "X....X" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    for (VireoDomainState s = VIREO_DOMAIN_STATE_SHUTOFF; s <= VIREO_DOMAIN_STATE_CRASHED; s++)
      if (vireo_domain_state_allows (s, table[i].op) != (table[i].states[s] == 'X'))
        fail_msg ("op %d in state %s", table[i].op, vireo_domain_state_to_string (s));
  assert_true (vireo_domain_state_is_busy (VIREO_DOMAIN_STATE_STARTING));
  assert_true (vireo_domain_state_is_busy (VIREO_DOMAIN_STATE_SHUTTING_DOWN));
  assert_false (vireo_domain_state_is_busy (VIREO_DOMAIN_STATE_PAUSED));
}

static void
test_check_says_why (void **state)
{
  Fixture *f = *state;
  VireoDomain *off = define (f, "off", NULL, 1, 64);
  g_autoptr(GError) error = NULL;

  assert_true (vireo_domain_check (off, VIREO_DOMAIN_OP_START, &error));
  assert_true (vireo_domain_check (off, VIREO_DOMAIN_OP_DELETE, &error));
  assert_false (vireo_domain_check (off, VIREO_DOMAIN_OP_PAUSE, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE));
  assert_string_equal (error->message, "VM 'off' is not running");
  assert_false (vireo_domain_can (off, VIREO_DOMAIN_OP_CONSOLE));
}

static void
test_labels (void **state)
{
  /* whole words a user reads, never the state.json names */
  assert_string_equal (vireo_domain_state_get_label (VIREO_DOMAIN_STATE_SHUTOFF), "Shut off");
  assert_string_equal (vireo_domain_state_get_label (VIREO_DOMAIN_STATE_SHUTTING_DOWN), "Shutting down");
  assert_string_equal (vireo_domain_state_to_string (VIREO_DOMAIN_STATE_SHUTTING_DOWN), "shutting-down");
}

static void
test_sort_and_filter (void **state)
{
  Fixture *f = *state;
  VireoDomain *vm2 = define (f, "vm2", "Web server", 4, 256);
  VireoDomain *vm10 = define (f, "vm10", NULL, 1, 2048);
  VireoDomain *alpha = define (f, "Alpha", NULL, 2, 512);
  VireoDomainSort by;
  g_autofree char *key = NULL;

  /* names in natural order, whatever the case */
  assert_true (vireo_domain_compare (vm2, vm10, VIREO_DOMAIN_SORT_NAME) < 0);
  assert_true (vireo_domain_compare (alpha, vm2, VIREO_DOMAIN_SORT_NAME) < 0);
  assert_int_equal (vireo_domain_compare (vm2, vm2, VIREO_DOMAIN_SORT_NAME), 0);
  /* the biggest first; ties by name */
  assert_true (vireo_domain_compare (vm10, alpha, VIREO_DOMAIN_SORT_MEMORY) < 0);
  assert_true (vireo_domain_compare (vm2, alpha, VIREO_DOMAIN_SORT_VCPUS) < 0);
  assert_true (vireo_domain_compare (vm2, vm10, VIREO_DOMAIN_SORT_STATE) < 0);
  /* nothing sampled: CPU and uptime fall back to names */
  assert_true (vireo_domain_compare (vm2, vm10, VIREO_DOMAIN_SORT_CPU) < 0);
  assert_true (vireo_domain_compare (vm10, vm2, VIREO_DOMAIN_SORT_UPTIME) > 0);

  assert_true (vireo_domain_sort_from_string ("memory", &by));
  assert_int_equal (by, VIREO_DOMAIN_SORT_MEMORY);
  assert_false (vireo_domain_sort_from_string ("size", &by));

  assert_null (vireo_domain_filter_key ("  "));
  assert_true (vireo_domain_matches (vm2, NULL));
  key = vireo_domain_filter_key ("WEB");
  assert_true (vireo_domain_matches (vm2, key));     /* by title */
  assert_false (vireo_domain_matches (vm10, key));
  g_free (key);
  key = vireo_domain_filter_key ("alp");
  assert_true (vireo_domain_matches (alpha, key));   /* by name, any case */
  assert_null (vireo_domain_get_first_address (vm2));
}

static void
test_durations (void **state)
{
  g_autofree char *none = vireo_format_duration (0);
  g_autofree char *short_ = vireo_format_duration (3723);
  g_autofree char *days = vireo_format_duration (3 * 86400 + 4 * 3600 + 59);

  assert_string_equal (none, "");
  assert_string_equal (short_, "01:02:03");
  assert_string_equal (days, "3d04h");
}

static void
test_accel_names (void **state)
{
  VireoAccel accel = VIREO_ACCEL_AUTO;

  assert_true (vireo_accel_from_string ("tcg", &accel));
  assert_int_equal (accel, VIREO_ACCEL_TCG);
  assert_true (vireo_accel_from_string ("kvm", &accel));
  assert_int_equal (accel, VIREO_ACCEL_KVM);
  assert_true (vireo_accel_from_string ("auto", &accel));
  assert_int_equal (accel, VIREO_ACCEL_AUTO);
  assert_false (vireo_accel_from_string ("KVM ", &accel));
  assert_false (vireo_accel_from_string (NULL, &accel));
}

typedef struct {
  gboolean done;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static VireoDomain *
create (Fixture                  *f,
        const VireoCreateOptions *o,
        GError                  **error)
{
  Wait wait = { FALSE, NULL };
  VireoDomain *domain;

  vireo_create_domain_async (VIREO_BACKEND (f->engine), o, NULL, NULL, on_done, &wait);
  vireo_test_pump (NULL, &wait.done, 10000);
  assert_true (wait.done);
  domain = vireo_create_domain_finish (VIREO_BACKEND (f->engine), wait.result, error);
  g_object_unref (wait.result);
  return domain;
}

/* One set of defaults and limits for the wizard, the TUI and vireoctl:
 * the engine refuses what is out of range, whoever asks. */
static void
test_new_vm_defaults (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoCreateOptions) o = vireo_create_options_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  g_autofree char *limits = g_strdup_printf ("VM 'tiny': memory must be from %u to %u MiB on this computer (63 MiB asked)",
                                             VIREO_CREATE_MIN_MEMORY_MIB, vireo_create_max_memory_mib ());

  assert_true (o->memory_mib >= VIREO_CREATE_MIN_MEMORY_MIB);
  assert_true (o->memory_mib <= vireo_create_max_memory_mib ());
  assert_int_equal (o->vcpus, MIN (VIREO_CREATE_DEFAULT_VCPUS, g_get_num_processors ()));
  o->name = g_strdup ("tiny");
  o->memory_mib = VIREO_CREATE_MIN_MEMORY_MIB - 1;
  assert_null (create (f, o, &error));
  assert_string_equal (error->message, limits);
  g_clear_error (&error);
  o->memory_mib = VIREO_CREATE_MIN_MEMORY_MIB;
  o->vcpus = 0;
  assert_null (create (f, o, &error));
  assert_non_null (strstr (error->message, "vCPUs must be from 1 to 255"));
  g_clear_error (&error);
  assert_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "tiny"));

  o->vcpus = 1;
  domain = create (f, o, &error);
  assert_no_error (error);
  assert_int_equal (vireo_domain_get_config (domain)->memory_kib, VIREO_CREATE_MIN_MEMORY_MIB * 1024);
}

static void
test_suggest_name (void **state)
{
  Fixture *f = *state;
  g_autofree char *iso = vireo_backend_suggest_name (VIREO_BACKEND (f->engine), "/isos/debian-12.4.0-amd64 netinst.iso");
  g_autofree char *demo = vireo_backend_suggest_name (VIREO_BACKEND (f->engine), "demo");
  g_autofree char *dots = vireo_backend_suggest_name (VIREO_BACKEND (f->engine), "/tmp/...iso");
  g_autofree char *again = NULL;
  g_autoptr(VireoDomain) taken = NULL;

  assert_string_equal (iso, "debian-12.4.0-amd64-netinst");
  assert_string_equal (demo, "demo");
  assert_string_equal (dots, "vm");
  taken = g_object_ref (define (f, "demo", NULL, 1, 64));
  again = vireo_backend_suggest_name (VIREO_BACKEND (f->engine), "demo");
  assert_string_equal (again, "demo-2");
}

/* The one rule for what a delete may remove, for undefine and detach:
 * only images in Vireo's own folder that no other VM uses. */
static void
test_image_deletable (void **state)
{
  Fixture *f = *state;
  const char *images = vireo_local_backend_get_paths (f->engine)->images_dir;
  g_autofree char *own = g_build_filename (images, "own.qcow2", NULL);
  g_autofree char *shared = g_build_filename (images, "shared.qcow2", NULL);
  g_autofree char *sneaky = g_build_filename (images, "..", "..", "precious.qcow2", NULL);
  g_autoptr(VireoDomainConfig) a = vireo_domain_config_new ("a");
  g_autoptr(VireoDomainConfig) b = vireo_domain_config_new ("b");
  g_autoptr(GError) error = NULL;
  VireoDomain *da;
  const VireoDomainConfig *ca;
  VireoDiskConfig elsewhere = { 0 }, dotted = { 0 };

  vireo_domain_config_add_disk (a, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", own));
  vireo_domain_config_add_disk (a, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", shared));
  vireo_domain_config_add_disk (a, vireo_disk_config_new (VIREO_DISK_DEVICE_CDROM, VIREO_DISK_BUS_SATA, "raw", "/img/disc.iso"));
  vireo_domain_config_add_disk (a, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "raw", "/home/user/precious.raw"));
  vireo_domain_config_add_disk (b, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", shared));
  da = vireo_local_backend_define_domain (f->engine, a, &error);
  assert_no_error (error);
  assert_non_null (vireo_local_backend_define_domain (f->engine, b, &error));
  ca = vireo_domain_get_config (da);
  assert_true (vireo_local_backend_image_deletable (f->engine, da, g_ptr_array_index (ca->disks, 0)));
  assert_false (vireo_local_backend_image_deletable (f->engine, da, g_ptr_array_index (ca->disks, 1)));  /* b uses it */
  assert_false (vireo_local_backend_image_deletable (f->engine, da, g_ptr_array_index (ca->disks, 2)));  /* a CD */
  assert_false (vireo_local_backend_image_deletable (f->engine, da, g_ptr_array_index (ca->disks, 3)));  /* not Vireo's */
  /* a path that only seems to be in the folder */
  dotted.device = VIREO_DISK_DEVICE_DISK;
  dotted.path = sneaky;
  assert_false (vireo_local_backend_image_deletable (f->engine, da, &dotted));
  elsewhere.device = VIREO_DISK_DEVICE_DISK;
  elsewhere.path = (char *) "/img/own.qcow2";
  assert_false (vireo_local_backend_image_deletable (f->engine, da, &elsewhere));
  ((VireoDiskConfig *) g_ptr_array_index (ca->disks, 0))->readonly = TRUE;
  assert_false (vireo_local_backend_image_deletable (f->engine, da, g_ptr_array_index (ca->disks, 0)));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_state_allows),
    cmocka_unit_test_setup_teardown (test_check_says_why, setup, teardown),
    cmocka_unit_test (test_labels),
    cmocka_unit_test_setup_teardown (test_sort_and_filter, setup, teardown),
    cmocka_unit_test (test_durations),
    cmocka_unit_test (test_accel_names),
    cmocka_unit_test_setup_teardown (test_new_vm_defaults, setup, teardown),
    cmocka_unit_test_setup_teardown (test_suggest_name, setup, teardown),
    cmocka_unit_test_setup_teardown (test_image_deletable, setup, teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
