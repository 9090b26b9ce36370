/* test-qemu-argv.c: command lines, pinned by golden files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <glib/gstdio.h>

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

/* A revert to a snapshot with RAM starts QEMU from it: -loadvm and the
 * tag as one whole argument, last, whatever characters it holds. */
static void
test_loadvm (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("kernel-boot.xml");
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_TCG, "/run/vireo/0f6c1c1e2b1a" };
  g_auto(GStrv) plain = vireo_qemu_argv_build (config, &host, NULL);
  g_auto(GStrv) argv = NULL;
  guint n;

  host.loadvm = "before,upgrade=1";
  argv = vireo_qemu_argv_build (config, &host, NULL);
  n = g_strv_length (argv);
  assert_int_equal (n, g_strv_length (plain) + 2);
  assert_string_equal (argv[n - 2], "-loadvm");
  assert_string_equal (argv[n - 1], "before,upgrade=1");
  for (guint i = 0; plain[i]; i++)
    assert_string_equal (argv[i], plain[i]);
}

/* A TPM: QEMU's emulator backend on swtpm's socket in the runtime folder. */
static void
test_tpm (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("tpm.xml");
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_TCG, "/run/vireo/5d3b8a2e6f41" };

  assert_argv_golden (config, &host, "tpm-crb.args");
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

/* Linked clones' chains are pinned whole: one read-only file and qcow2
 * node pair per base, deepest first, each naming the next as its
 * backing and the last none; a standalone qcow2 names none either. */
static void
test_backing_chains (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("chain");
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_TCG, "/r" };
  g_auto(GStrv) argv = NULL;
  const char *want[] = {
    "{\"driver\":\"file\",\"filename\":\"/img/t.qcow2\",\"node-name\":\"base-file-vda-3\",\"read-only\":true}",
    "{\"node-name\":\"base-vda-3\",\"driver\":\"qcow2\",\"file\":\"base-file-vda-3\",\"read-only\":true,\"backing\":null}",
    "{\"node-name\":\"base-vda-2\",\"driver\":\"qcow2\",\"file\":\"base-file-vda-2\",\"read-only\":true,\"backing\":\"base-vda-3\"}",
    "{\"node-name\":\"base-vda\",\"driver\":\"qcow2\",\"file\":\"base-file-vda\",\"read-only\":true,\"backing\":\"base-vda-2\"}",
  };
  VireoDiskConfig *disk;
  guint at = 0;

  g_free (config->uuid);
  config->uuid = g_strdup ("00000000-0000-0000-0000-000000000002");
  config->rng = config->balloon = config->vnc = config->guest_agent = FALSE;
  disk = vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", "/img/c2.qcow2");
  disk->backing = g_strsplit ("/img/c1.qcow2,/img/t-vda-1.qcow2,/img/t.qcow2", ",", -1);
  vireo_domain_config_add_disk (config, disk);
  disk = vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", "/img/d.qcow2");
  disk->backing = g_strsplit ("/img/d-base.qcow2", ",", -1);
  vireo_domain_config_add_disk (config, disk);
  vireo_domain_config_add_disk (config,
      vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", "/img/e.qcow2"));
  assert_true (vireo_domain_config_validate (config, NULL));
  assert_argv_golden (config, &host, "backing-chains.args");

  /* the golden file aside: the order and links that matter, in place */
  argv = vireo_qemu_argv_build (config, &host, NULL);
  for (guint i = 0; argv[i] && at < G_N_ELEMENTS (want); i++)
    if (g_str_equal (argv[i], want[at]))
      at++;
  assert_int_equal (at, G_N_ELEMENTS (want));
}

/* Forwards go into their NIC's -netdev user as hostfwd rules; a NIC
 * without any has no hostfwd member at all. */
static void
test_port_forwards (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("fwd");
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_TCG, "/r" };
  VireoNicConfig *first = vireo_nic_config_new (VIREO_NET_USER, NULL, "52:54:00:00:00:01");
  VireoNicConfig *second = vireo_nic_config_new (VIREO_NET_USER, NULL, "52:54:00:00:00:02");
  g_auto(GStrv) argv = NULL;
  const char *want[] = {
    "{\"type\":\"user\",\"hostfwd\":[{\"str\":\"tcp:127.0.0.1:2222-:22\"},"
    "{\"str\":\"udp:0.0.0.0:5353-:53\"}],\"id\":\"net0\"}",
    "{\"type\":\"user\",\"id\":\"net1\"}",
  };
  guint at = 0;

  g_free (config->uuid);
  config->uuid = g_strdup ("00000000-0000-0000-0000-000000000003");
  config->rng = config->balloon = config->vnc = config->guest_agent = FALSE;
  g_ptr_array_add (first->forwards, vireo_port_forward_new (VIREO_FORWARD_TCP, NULL, 2222, 22));
  g_ptr_array_add (first->forwards, vireo_port_forward_new (VIREO_FORWARD_UDP, "0.0.0.0", 5353, 53));
  g_ptr_array_add (config->nics, first);
  g_ptr_array_add (config->nics, second);
  assert_true (vireo_domain_config_validate (config, NULL));
  assert_argv_golden (config, &host, "port-forwards.args");

  argv = vireo_qemu_argv_build (config, &host, NULL);
  for (guint i = 0; argv[i] && at < G_N_ELEMENTS (want); i++)
    if (g_str_equal (argv[i], want[at]) && g_str_equal (argv[i - 1], "-netdev"))
      at++;
  assert_int_equal (at, G_N_ELEMENTS (want));
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

/* virtio-scsi: one controller, scsi-hd and scsi-cd at the place their
 * address or target name gives; cache modes as libvirt maps them
 * (cache.direct and cache.no-flush on both nodes, write-cache on the
 * device), discard on the format node when asked; -smp with fewer CPUs
 * online than the most; the VNC keymap as -k. */
static void
test_virtio_scsi (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("virtio-scsi.xml");
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_TCG, "/r" };

  assert_argv_golden (config, &host, "virtio-scsi.args");
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

/* The start's choice opens the device itself: a VM that asked for
 * nothing in particular falls back to TCG with a note that says why,
 * and the command line follows (the golden files of each accelerator). */
static void
test_choose_accel (void **state)
{
  g_autoptr(VireoDomainConfig) tiny = vireo_test_parse_domain_file ("kernel-boot.xml");
  g_autoptr(VireoDomainConfig) debian = vireo_test_parse_domain_file ("virsh-simple.xml");
  g_autofree char *dir = g_dir_make_tmp ("vireo-kvm-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "kvm", NULL);
  g_autofree char *usable = g_build_filename (dir, "usable", NULL);
  int taps[] = { 7 };
  VireoQemuHost tcg = { "qemu-system-x86_64", VIREO_ACCEL_AUTO, "/run/vireo/0f6c1c1e2b1a" };
  VireoQemuHost kvm = { "/usr/bin/qemu-system-x86_64", VIREO_ACCEL_AUTO, "/run/vireo/c7a5fdbdedaf", taps, 1 };
  g_autofree char *note = NULL;
  g_autoptr(GError) error = NULL;

  assert_true (g_file_set_contents (usable, "", 0, NULL));
  tiny->accel = debian->accel = VIREO_ACCEL_AUTO;
  assert_int_equal (vireo_host_kvm_open_errno (missing), ENOENT);
  assert_int_equal (vireo_host_kvm_open_errno (usable), 0);

  tcg.accel = vireo_host_choose_accel (tiny, NULL, missing, &note, &error);
  assert_no_error (error);
  assert_int_equal (tcg.accel, VIREO_ACCEL_TCG);
  assert_argv_golden (tiny, &tcg, "kernel-boot-tcg.args");
  assert_non_null (note);
  assert_string_equal (note, vireo_host_in_flatpak ()
                       ? "VM 'tiny' runs without KVM, much slower: the Vireo app may not use /dev/kvm "
                         "(allow it with 'flatpak override --user --device=kvm dev.vireo.Vireo')"
                       : "VM 'tiny' runs without KVM, much slower: this computer has no /dev/kvm "
                         "(turn on CPU virtualization in the firmware settings, or load the kvm module)");
  g_clear_pointer (&note, g_free);

  kvm.accel = vireo_host_choose_accel (debian, NULL, usable, &note, &error);
  assert_no_error (error);
  assert_int_equal (kvm.accel, VIREO_ACCEL_KVM);
  assert_null (note);
  assert_argv_golden (debian, &kvm, "virsh-simple-kvm.args");

  /* TCG asked for (VIREO_ACCEL, or the definition): no note */
  assert_int_equal (vireo_host_choose_accel (tiny, "tcg", missing, &note, NULL), VIREO_ACCEL_TCG);
  assert_null (note);
  tiny->accel = VIREO_ACCEL_TCG;
  assert_int_equal (vireo_host_choose_accel (tiny, "auto", missing, &note, NULL), VIREO_ACCEL_TCG);
  assert_null (note);
  /* KVM asked for: an error, not a note */
  assert_int_equal (vireo_host_choose_accel (tiny, "kvm", missing, &note, &error), VIREO_ACCEL_AUTO);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_PERMISSION));
  assert_null (note);
  g_clear_error (&error);
  assert_int_equal (vireo_host_choose_accel (tiny, "fast", missing, &note, &error), VIREO_ACCEL_AUTO);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
  g_unlink (usable);
  g_rmdir (dir);
}

/* Each cause its own advice: no device (in a Flatpak: the app's
 * permission; on a host: firmware or module), no permission, other. */
static void
test_kvm_note (void **state)
{
  g_autofree char *flatpak = NULL;
  g_autofree char *renamed = NULL;
  g_autofree char *nodev = vireo_host_kvm_note ("w", ENODEV, FALSE);
  g_autofree char *eacces = vireo_host_kvm_note ("w", EACCES, FALSE);
  g_autofree char *eperm = vireo_host_kvm_note ("w", EPERM, TRUE);
  g_autofree char *other = vireo_host_kvm_note ("w", EBUSY, FALSE);

  g_setenv ("FLATPAK_ID", "org.example.Vireo", TRUE);
  renamed = vireo_host_kvm_note ("w", ENXIO, TRUE);
  g_unsetenv ("FLATPAK_ID");
  flatpak = vireo_host_kvm_note ("w", ENOENT, TRUE);
  assert_non_null (strstr (flatpak, "'flatpak override --user --device=kvm dev.vireo.Vireo'"));
  assert_non_null (strstr (renamed, "'flatpak override --user --device=kvm org.example.Vireo'"));
  assert_non_null (strstr (nodev, "firmware"));
  assert_string_equal (eacces, "VM 'w' runs without KVM, much slower: you may not use /dev/kvm "
                       "(add yourself to group kvm and log in again)");
  assert_string_equal (eperm, eacces);
  assert_non_null (strstr (other, g_strerror (EBUSY)));
  /* a VM that needs KVM is refused with the same advice for the cause */
  {
    g_autoptr(GError) missing = NULL;
    g_autoptr(GError) denied = NULL;
    g_autoptr(GError) host = NULL;

    vireo_host_kvm_required_error ("w", ENOENT, TRUE, &missing);
    vireo_host_kvm_required_error ("w", EACCES, TRUE, &denied);
    vireo_host_kvm_required_error ("w", ENOENT, FALSE, &host);
    assert_true (g_error_matches (missing, VIREO_ERROR, VIREO_ERROR_PERMISSION));
    assert_string_equal (missing->message, "VM 'w' needs KVM, but the Vireo app may not use /dev/kvm (allow it "
                         "with 'flatpak override --user --device=kvm dev.vireo.Vireo', or choose the TCG accelerator)");
    assert_true (g_error_matches (denied, VIREO_ERROR, VIREO_ERROR_PERMISSION));
    assert_non_null (strstr (denied->message, "group kvm"));
    assert_string_equal (host->message, denied->message);
  }
  for (const char *const *n = (const char *const[]) { flatpak, nodev, eacces, other, NULL }; *n; n++)
    {
      assert_true (g_str_has_prefix (*n, "VM 'w' runs without KVM"));
      assert_null (strchr (*n, '\n'));
    }
}

/* Read-only media in the document portal are read without locks (the
 * portal has none); a writable disk there keeps them (and is refused
 * before, by vireo_storage_check_images()). */
static void
test_document_portal_media (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("virsh-simple.xml");
  VireoDiskConfig *vda = g_ptr_array_index (config->disks, 0);
  VireoDiskConfig *sda = g_ptr_array_index (config->disks, 1);
  int taps[] = { 7 };
  VireoQemuHost host = { "/usr/bin/qemu-system-x86_64", VIREO_ACCEL_KVM, "/run/vireo/c7a5fdbdedaf", taps, 1 };
  g_autofree char *saved = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));
  g_auto(GStrv) argv = NULL;
  g_autofree char *joined = NULL;

  g_setenv ("XDG_RUNTIME_DIR", "/run/user/1000", TRUE);
  g_free (sda->path);
  sda->path = g_strdup ("/run/user/1000/doc/5e1f09a2/debian-12.iso");
  g_free (vda->path);
  vda->path = g_strdup ("/run/user/1000/doc/77c0d3e1/base.qcow2");
  vda->readonly = TRUE;
  assert_argv_golden (config, &host, "document-portal.args");

  vda->readonly = FALSE;
  argv = vireo_qemu_argv_build (config, &host, NULL);
  joined = g_strjoinv ("\n", argv);
  assert_non_null (strstr (joined, "\"node-name\":\"file-vda\",\"read-only\":false,\"discard\":\"unmap\"}"));
  assert_non_null (strstr (joined, "\"node-name\":\"file-sda\",\"read-only\":true,\"discard\":\"unmap\",\"locking\":\"off\"}"));
  /* a writable overlay in Vireo's storage on a base in the portal: the
   * base is read, never written, and without a lock too */
  g_free (vda->path);
  vda->path = g_strdup ("/var/lib/vireo/images/overlay.qcow2");
  vda->backing = g_strsplit ("/run/user/1000/doc/77c0d3e1/base.qcow2", ",", -1);
  g_clear_pointer (&argv, g_strfreev);
  g_clear_pointer (&joined, g_free);
  argv = vireo_qemu_argv_build (config, &host, NULL);
  joined = g_strjoinv ("\n", argv);
  assert_non_null (strstr (joined, "{\"driver\":\"file\",\"filename\":\"/run/user/1000/doc/77c0d3e1/base.qcow2\","
                                   "\"node-name\":\"base-file-vda\",\"read-only\":true,\"locking\":\"off\"}"));
  assert_non_null (strstr (joined, "\"filename\":\"/var/lib/vireo/images/overlay.qcow2\",\"node-name\":\"file-vda\","
                                   "\"read-only\":false,\"discard\":\"unmap\"}"));
  if (saved != NULL)
    g_setenv ("XDG_RUNTIME_DIR", saved, TRUE);
  else
    g_unsetenv ("XDG_RUNTIME_DIR");
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

/* Hostile values, each appended to a valid value of every field that
 * reaches QEMU's command line. */
#define LONG_VALUE_LEN 4096
static const char *hostile_values[] = { ",usb=on", "=on", "\n-x", "'\"", "/../..", NULL /* 4 KiB */ };

typedef void (*SetField) (VireoDomainConfig *config, VireoQemuHost *host, const char *value);

static VireoDiskConfig *
first_disk (VireoDomainConfig *config)
{
  return g_ptr_array_index (config->disks, 0);
}

static VireoNicConfig *
first_nic (VireoDomainConfig *config)
{
  return g_ptr_array_index (config->nics, 0);
}

static void
replace (char **field, const char *prefix, const char *value)
{
  g_free (*field);
  *field = g_strconcat (prefix, value, NULL);
}

static void set_name (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&c->name, "tiny", v); }
static void set_uuid (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&c->uuid, "0f6c1c1e-2b1a-4b8e-9d0a-3c7e5f1a2b3c", v); }
static void set_machine (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&c->machine, "pc-q35-7.2", v); }
static void set_kernel (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&c->kernel, "/srv/guest/vmlinuz", v); }
static void set_initrd (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&c->initrd, "/srv/guest/initrd.img", v); }
static void set_cmdline (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&c->cmdline, "console=ttyS0 ", v); }
static void set_disk_path (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&first_disk (c)->path, "/srv/images/tiny.qcow2", v); }
static void set_disk_format (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&first_disk (c)->format, "qcow2", v); }
static void set_disk_target (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&first_disk (c)->target, "vda", v); }
static void set_mac (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&first_nic (c)->mac, "52:54:00:12:34:56", v); }
static void set_nic_model (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&first_nic (c)->model, "e1000e", v); }
static void set_video (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace (&c->video_model, "vga", v); }
static void set_root (VireoDomainConfig *c, VireoQemuHost *h, const char *v) { replace ((char **) &h->run_dir, "/run/vireo/0f6c1c1e2b1a", v); }

static void
set_cpu (VireoDomainConfig *c, VireoQemuHost *h, const char *v)
{
  replace (&c->cpu_mode, "custom", "");
  replace (&c->cpu_model, "Skylake-Client", v);
}

static void
set_network (VireoDomainConfig *c, VireoQemuHost *h, const char *v)
{
  first_nic (c)->type = VIREO_NET_NETWORK;
  replace (&first_nic (c)->network, "default", v);
}

static void
set_boot_dev (VireoDomainConfig *c, VireoQemuHost *h, const char *v)
{
  first_disk (c)->boot_order = 0;
  g_ptr_array_add (c->boot_devs, g_strconcat ("hd", v, NULL));
}

/* The keys of a QEMU option string, read as QEMU's QemuOpts does
 * ("a=1,b,c=x,,y" has a, (implied) and c): what a value could add if its
 * commas were not doubled or its key not named. */
static char *
option_keys (const char *option)
{
  g_autoptr(GString) keys = g_string_new (NULL);
  const char *p = option;

  while (*p)
    {
      gsize len = strcspn (p, "=,");

      if (p[len] == '=')
        g_string_append_len (keys, p, len);
      else
        g_string_append (keys, "(implied)");
      g_string_append_c (keys, '|');
      /* skip the value: up to a single comma */
      for (p += len; *p; p++)
        if (p[0] == ',' && p[1] == ',')
          p++;
        else if (*p == ',')
          {
            p++;
            break;
          }
    }
  return g_string_free (g_steal_pointer (&keys), FALSE);
}

static gboolean
is_option_string (GStrv argv, guint i)
{
  static const char *whole[] = { "-kernel", "-initrd", "-append", "-uuid", "-m", "-smp", NULL };

  return i > 0 && argv[i - 1][0] == '-' && argv[i][0] != '{' && argv[i][0] != '-' &&
         !g_strv_contains (whole, argv[i - 1]);
}

/* A built command line has the baseline's shape: as many arguments, and
 * every option string has the same keys (only values changed). */
static void
assert_same_shape (GStrv base, GStrv argv, const char *field)
{
  assert_int_equal (g_strv_length (base), g_strv_length (argv));
  for (guint i = 1; argv[i]; i++)
    if (is_option_string (argv, i))
      {
        g_autofree char *want = option_keys (base[i]);
        g_autofree char *got = option_keys (argv[i]);
        if (!g_str_equal (want, got))
          fail_msg ("%s: option '%s' has keys %s, not %s", field, argv[i], got, want);
      }
}

static void
append_shown (GString *out, const char *label, const char *text, const char *long_value)
{
  g_auto(GStrv) parts = g_strsplit (text, long_value, -1);
  g_autofree char *joined = g_strjoinv ("<4 KiB of x>", parts);
  g_autofree char *escaped = g_strescape (joined, NULL);

  g_string_append_printf (out, "  %s: %s\n", label, escaped);
}

/* Validation's verdict, then the argv builder's: refused (its message)
 * or built (the arguments that differ from the baseline's). */
/* The kernel-boot fixture with @value set in one field; @host owns a
 * copy of its run_dir. */
static VireoDomainConfig *
hostile_config (SetField set, const char *value, VireoQemuHost *host)
{
  VireoDomainConfig *config = vireo_test_parse_domain_file ("kernel-boot.xml");

  host->run_dir = g_strdup ("/run/vireo/0f6c1c1e2b1a");
  set (config, host, value);
  return config;
}

/* Validation's verdict, then the argv builder's: refused (its message)
 * or built (the arguments that differ from the baseline's). */
static void
run_hostile_case (GString *out, const char *field, SetField set, const char *value, const char *long_value)
{
  int taps[] = { 7 };
  VireoQemuHost base_host = { "qemu-system-x86_64", VIREO_ACCEL_TCG, NULL, taps, 1 };
  VireoQemuHost host = base_host;
  g_autoptr(VireoDomainConfig) base_config = hostile_config (set, "", &base_host);
  g_autoptr(VireoDomainConfig) config = hostile_config (set, value, &host);
  g_auto(GStrv) base = vireo_qemu_argv_build (base_config, &base_host, NULL);
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) invalid = NULL;
  g_autoptr(GError) refused = NULL;
  gboolean valid;

  assert_non_null (base);
  g_string_append_printf (out, "%s\n", field);
  append_shown (out, "value", value, long_value);
  valid = vireo_domain_config_validate (config, &invalid);
  append_shown (out, "validate", valid ? "accepted" : invalid->message, long_value);
  if (!valid && strchr (invalid->message, '\n') != NULL)
    fail_msg ("%s: a message of two lines: %s", field, invalid->message);
  argv = vireo_qemu_argv_build (config, &host, &refused);
  if (argv == NULL)
    append_shown (out, "argv refused", refused->message, long_value);
  else
    {
      /* nothing adds an option */
      assert_same_shape (base, argv, field);
      for (guint i = 0; argv[i]; i++)
        if (!g_str_equal (argv[i], base[i]))
          append_shown (out, argv[i - 1], argv[i], long_value);
    }
  /* what validation accepts, QEMU gets */
  if (valid)
    assert_non_null (argv);
  g_free ((char *) base_host.run_dir);
  g_free ((char *) host.run_dir);
}

static void
test_hostile_values (void **state)
{
  static const struct { const char *field; SetField set; } fields[] = {
    { "name", set_name }, { "uuid", set_uuid }, { "machine", set_machine }, { "cpu model", set_cpu },
    { "kernel", set_kernel }, { "initrd", set_initrd }, { "cmdline", set_cmdline },
    { "disk path", set_disk_path }, { "disk format", set_disk_format },
    { "disk target", set_disk_target }, { "mac", set_mac }, { "nic model", set_nic_model },
    { "network", set_network }, { "video model", set_video }, { "boot dev", set_boot_dev },
    { "root folder", set_root },
  };
  g_autofree char *long_value = g_strnfill (LONG_VALUE_LEN, 'x');
  g_autofree char *path = vireo_test_srcpath ("golden", "argv", "hostile.txt", NULL);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    for (guint v = 0; v < G_N_ELEMENTS (hostile_values); v++)
      run_hostile_case (out, fields[f].field, fields[f].set,
                        hostile_values[v] ? hostile_values[v] : long_value, long_value);
  vireo_test_assert_golden (path, out->str);
}

/* Finding 3 of issue 9: a prefix check let options through. */
static void
test_machine_rule (void **state)
{
  static const char *good[] = { "q35", "pc", "pc-q35-7.2", "pc-i440fx-2.12", NULL };
  static const char *bad[] = { "pc-q35-7.2,dump-guest-core=on,usb=on", "pc-q35-", "pc-q35-7",
                               "pc-i440fx-7.2\n", "q35 ", "virt", "", NULL };
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("m");
  VireoQemuHost host = { "q", VIREO_ACCEL_TCG, "/r" };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;

  for (guint i = 0; good[i]; i++)
    assert_true (vireo_machine_type_is_valid (good[i]));
  for (guint i = 0; bad[i]; i++)
    assert_false (vireo_machine_type_is_valid (bad[i]));
  assert_true (vireo_cpu_model_is_valid ("Skylake-Client-v3"));
  assert_false (vireo_cpu_model_is_valid ("Skylake-Client-v"));
  assert_false (vireo_cpu_model_is_valid ("host"));
  assert_false (vireo_cpu_model_is_valid ("qemu64,+vmx"));

  g_free (config->machine);
  config->machine = g_strdup (bad[0]);
  assert_false (vireo_domain_config_validate (config, &error));
  assert_string_equal (error->message, "VM 'm': machine type 'pc-q35-7.2,dump-guest-core=on,usb=on' "
                       "is not supported (q35, pc, pc-q35-X.Y or pc-i440fx-X.Y)");
  g_clear_error (&error);
  argv = vireo_qemu_argv_build (config, &host, &error);
  assert_null (argv);
  assert_string_equal (error->message, "VM 'm': its machine value is not valid for QEMU; fix the definition");
}

/* UEFI: OVMF's code read-only as pflash0, the VM's qcow2 NVRAM as
 * pflash1, named by -machine; no SMM or secure flash without secure boot */
static void
test_uefi (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("uefi.xml");
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_TCG, "/run/vireo/3b9e6f0a7d21" };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = vireo_qemu_argv_build (config, &host, &error);

  /* a start always picks the firmware first */
  assert_null (argv);
  assert_non_null (strstr (error->message, "UEFI firmware or NVRAM file was not chosen"));
  host.firmware_code = "/usr/share/OVMF/OVMF_CODE_4M.fd";
  assert_argv_golden (config, &host, "uefi-tcg.args");
}

static void
test_uefi_secure (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("uefi-secure.xml");
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_KVM, "/run/vireo/6a1f3e2d5c4b" };

  host.firmware_code = config->loader;
  assert_argv_golden (config, &host, "uefi-secure-kvm.args");
}

/* The entropy device reads the host device the definition names, or
 * uses QEMU's own generator, at the rate it says (1000 ms by default, as
 * libvirt) */
static void
test_rng (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("rng");
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_TCG, "/r" };
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) builtin = NULL;

  g_free (config->rng_device);
  config->rng_device = g_strdup ("/dev/hwrng");
  config->rng_rate_bytes = 4096;
  argv = vireo_qemu_argv_build (config, &host, NULL);
  assert_true (g_strv_contains ((const char * const *) argv,
                                "{\"qom-type\":\"rng-random\",\"id\":\"rng0\",\"filename\":\"/dev/hwrng\"}"));
  assert_true (g_strv_contains ((const char * const *) argv,
                                "{\"driver\":\"virtio-rng-pci\",\"rng\":\"rng0\",\"max-bytes\":4096,\"period\":1000}"));

  g_free (config->rng_backend);
  config->rng_backend = g_strdup ("builtin");
  g_clear_pointer (&config->rng_device, g_free);
  config->rng_rate_bytes = 0;
  builtin = vireo_qemu_argv_build (config, &host, NULL);
  assert_true (g_strv_contains ((const char * const *) builtin, "{\"qom-type\":\"rng-builtin\",\"id\":\"rng0\"}"));
  assert_true (g_strv_contains ((const char * const *) builtin, "{\"driver\":\"virtio-rng-pci\",\"rng\":\"rng0\"}"));
}

/* libvirt's PCI layout, whole: root ports first, each device in its place */
static void
test_pci_layout (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("pci-layout.xml");
  g_autoptr(VireoDomainConfig) twice = NULL;
  g_autofree char *formatted = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *xml = NULL;
  VireoQemuHost host = { "qemu-system-x86_64", VIREO_ACCEL_TCG, "/run/vireo/5b0e7c446d1f" };
  g_auto(GStrv) argv = NULL;

  assert_argv_golden (config, &host, "pci-layout-tcg.args");

  /* the RNG where the balloon is: nothing is applied, QEMU lays it out */
  formatted = vireo_domain_config_format (config);
  parts = g_strsplit (formatted, "bus=\"0x06\"", -1);
  xml = g_strjoinv ("bus=\"0x05\"", parts);
  twice = vireo_domain_config_parse (xml, -1, "twice.xml", NULL);
  assert_non_null (twice);
  argv = vireo_qemu_argv_build (twice, &host, NULL);
  for (guint i = 0; argv[i]; i++)
    assert_null (strstr (argv[i], "\"addr\""));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_kernel_boot_tcg),
    cmocka_unit_test (test_virsh_kvm_with_tap),
    cmocka_unit_test (test_loadvm),
    cmocka_unit_test (test_tpm),
    cmocka_unit_test (test_i440fx_ide_and_boot_order),
    cmocka_unit_test (test_virtio_scsi),
    cmocka_unit_test (test_backing_chains),
    cmocka_unit_test (test_port_forwards),
    cmocka_unit_test (test_network_without_tap),
    cmocka_unit_test (test_resolve_accel),
    cmocka_unit_test (test_choose_accel),
    cmocka_unit_test (test_kvm_note),
    cmocka_unit_test (test_document_portal_media),
    cmocka_unit_test (test_cpu_under_each_accel),
    cmocka_unit_test (test_hostile_values),
    cmocka_unit_test (test_machine_rule),
    cmocka_unit_test (test_uefi),
    cmocka_unit_test (test_uefi_secure),
    cmocka_unit_test (test_rng),
    cmocka_unit_test (test_pci_layout),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
