/* test-qemu-argv.c: command lines, pinned by golden files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "vireo-error.h"
#include "vireo-host.h"
#include "vireo-qemu-argv.h"
#include "vireo-test-util.h"

static void
assert_argv_golden (const VireoDomainConfig *config,
                    const VireoQemuHost     *host,
                    const char              *golden)
{
  g_autofree char *path = vireo_test_srcpath ("golden", "argv", golden, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = vireo_qemu_argv_build (config, host, &error);
  g_autofree char *joined = NULL;
  g_autofree char *text = NULL;

  assert_no_error (error);
  joined = g_strjoinv ("\n", argv);
  text = g_strconcat (joined, "\n", NULL);
  vireo_test_assert_golden (path, text);
}

static void
test_kernel_boot_tcg (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("kernel-boot.xml");
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_TCG, "/run/vireo/0f6c1c1e2b1a" };

  assert_argv_golden (config, &host, "kernel-boot-tcg.args");
}

static void
test_virsh_kvm_with_tap (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("virsh-simple.xml");
  int taps[] = { 7 };
  VireoQemuHost host = { "/usr/bin/qemu-system-x86_64", VIREO_ACCEL_KVM, "/run/vireo/c7a5fdbdedaf",
                         taps, 1 };

  assert_argv_golden (config, &host, "virsh-simple-kvm.args");
}

static void
test_i440fx_ide_and_boot_order (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("old");
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_KVM, "/r" };
  VireoDiskConfig *disk;

  g_free (config->uuid);
  config->uuid = g_strdup ("00000000-0000-0000-0000-000000000001");
  g_free (config->machine);
  config->machine = g_strdup ("pc");
  g_free (config->cpu_mode);
  config->cpu_mode = g_strdup ("custom");
  config->cpu_model = g_strdup ("Skylake-Client");
  config->acpi = FALSE;
  config->rng = FALSE;
  config->balloon = FALSE;
  config->vnc = FALSE;
  config->serial = FALSE;
  g_clear_pointer (&config->video_model, g_free);
  vireo_domain_config_add_disk (config,
      vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_IDE, "raw", "/img/a,b.img"));
  disk = vireo_disk_config_new (VIREO_DISK_DEVICE_CDROM, VIREO_DISK_BUS_IDE, "raw", "/iso/os.iso");
  disk->target = g_strdup ("hdc");
  vireo_domain_config_add_disk (config, disk);
  g_ptr_array_add (config->boot_devs, g_strdup ("cdrom"));
  g_ptr_array_add (config->boot_devs, g_strdup ("hd"));
  assert_true (vireo_domain_config_validate (config, NULL));

  assert_argv_golden (config, &host, "i440fx-ide.args");
}

static void
test_network_without_tap (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("virsh-simple.xml");
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_TCG, "/r" };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = vireo_qemu_argv_build (config, &host, &error);

  assert_null (argv);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));
  assert_string_equal (error->message, "VM 'debian12': network 'default' is not available");
}

static void
test_resolve_accel (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("a");
  g_autoptr(GError) error = NULL;

  /* auto follows the host */
  assert_int_equal (vireo_host_resolve_accel (config, NULL, TRUE, NULL), VIREO_ACCEL_KVM);
  assert_int_equal (vireo_host_resolve_accel (config, NULL, FALSE, NULL), VIREO_ACCEL_TCG);
  /* the global override wins */
  assert_int_equal (vireo_host_resolve_accel (config, "tcg", TRUE, NULL), VIREO_ACCEL_TCG);
  assert_int_equal (vireo_host_resolve_accel (config, "auto", TRUE, NULL), VIREO_ACCEL_KVM);
  /* type='qemu' forces TCG even with KVM */
  config->accel = VIREO_ACCEL_TCG;
  assert_int_equal (vireo_host_resolve_accel (config, NULL, TRUE, NULL), VIREO_ACCEL_TCG);
  assert_int_equal (vireo_host_resolve_accel (config, "kvm", TRUE, NULL), VIREO_ACCEL_KVM);
  /* type='kvm' requires KVM */
  config->accel = VIREO_ACCEL_KVM;
  assert_int_equal (vireo_host_resolve_accel (config, NULL, TRUE, NULL), VIREO_ACCEL_KVM);
  assert_int_equal (vireo_host_resolve_accel (config, NULL, FALSE, &error), VIREO_ACCEL_AUTO);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_PERMISSION));
  assert_non_null (strstr (error->message, "VM 'a' needs KVM"));
  g_clear_error (&error);
  assert_int_equal (vireo_host_resolve_accel (config, "fast", TRUE, &error), VIREO_ACCEL_AUTO);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
}

static void
test_cpu_under_each_accel (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("c");
  VireoQemuHost kvm = { "q", VIREO_ACCEL_KVM, "/r" };
  VireoQemuHost tcg = { "q", VIREO_ACCEL_TCG, "/r" };
  g_auto(GStrv) a = vireo_qemu_argv_build (config, &kvm, NULL);
  g_auto(GStrv) b = vireo_qemu_argv_build (config, &tcg, NULL);
  g_autofree char *ja = g_strjoinv (" ", a);
  g_autofree char *jb = g_strjoinv (" ", b);

  assert_non_null (strstr (ja, "-machine q35,accel=kvm -cpu host "));
  assert_non_null (strstr (jb, "-machine q35,accel=tcg -cpu max "));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_kernel_boot_tcg),
    cmocka_unit_test (test_virsh_kvm_with_tap),
    cmocka_unit_test (test_i440fx_ide_and_boot_order),
    cmocka_unit_test (test_network_without_tap),
    cmocka_unit_test (test_resolve_accel),
    cmocka_unit_test (test_cpu_under_each_accel),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
