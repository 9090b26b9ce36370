/* test-domain-config.c: domain XML parse, validate, format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "vireo-domain-config.h"
#include "vireo-domain-config-pci.h"
#include "vireo-error.h"
#include "vireo-test-util.h"

/* Formats, compares with the golden file, and checks that parsing the
 * output and formatting again changes nothing. */
static void
assert_roundtrip (const VireoDomainConfig *config,
                  const char              *golden)
{
  g_autofree char *path = vireo_test_srcpath ("golden", "domain", golden, NULL);
  g_autofree char *xml = vireo_domain_config_format (config);
  g_autoptr(VireoDomainConfig) again = NULL;
  g_autofree char *xml2 = NULL;
  g_autoptr(GError) error = NULL;

  vireo_test_assert_golden (path, xml);
  again = vireo_domain_config_parse (xml, -1, golden, &error);
  assert_no_error (error);
  xml2 = vireo_domain_config_format (again);
  assert_string_equal (xml, xml2);
}

static gboolean
kept (GPtrArray  *extra,
      const char *needle)
{
  for (guint i = 0; i < extra->len; i++)
    if (strstr (g_ptr_array_index (extra, i), needle))
      return TRUE;
  return FALSE;
}

static void
test_virsh_dumpxml_imports (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("virsh-simple.xml");
  VireoDiskConfig *disk, *cdrom;
  VireoNicConfig *nic;

  assert_string_equal (config->name, "debian12");
  assert_string_equal (config->uuid, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
  assert_int_equal (config->accel, VIREO_ACCEL_KVM);
  assert_int_equal (config->memory_kib, 2097152);
  assert_int_equal (config->vcpus, 2);
  assert_string_equal (config->machine, "pc-q35-7.2");
  assert_string_equal (config->cpu_mode, "host-passthrough");
  assert_true (config->acpi && config->apic && config->vnc && config->serial);
  assert_true (config->rng && config->balloon);
  assert_string_equal (config->video_model, "virtio");

  assert_int_equal (config->disks->len, 2);
  disk = g_ptr_array_index (config->disks, 0);
  assert_string_equal (disk->path, "/var/lib/libvirt/images/debian12.qcow2");
  assert_string_equal (disk->format, "qcow2");
  assert_int_equal (disk->bus, VIREO_DISK_BUS_VIRTIO);
  assert_false (disk->readonly);
  assert_true (kept (disk->extra, "backingStore"));
  /* libvirt's PCI layout is kept (a guest moving back keeps its slots) */
  assert_true (kept (disk->extra, "<address type=\"pci\" domain=\"0x0000\" bus=\"0x04\""));
  cdrom = g_ptr_array_index (config->disks, 1);
  assert_int_equal (cdrom->device, VIREO_DISK_DEVICE_CDROM);
  assert_null (cdrom->path);
  assert_true (cdrom->readonly);

  assert_int_equal (config->nics->len, 1);
  nic = g_ptr_array_index (config->nics, 0);
  assert_int_equal (nic->type, VIREO_NET_NETWORK);
  assert_string_equal (nic->network, "default");
  assert_string_equal (nic->mac, "52:54:00:8f:3a:21");

  /* what Vireo does not run is kept, not dropped */
  assert_true (kept (config->extra_domain, "<clock"));
  assert_true (kept (config->extra_domain, "<pm"));
  assert_true (kept (config->extra_domain, "<seclabel"));
  assert_true (kept (config->extra_metadata, "libosinfo"));
  assert_true (kept (config->extra_features, "vmport"));
  assert_true (kept (config->extra_devices, "qemu-xhci"));
  assert_true (config->guest_agent);   /* run by Vireo, not kept */
  assert_false (kept (config->extra_devices, "org.qemu.guest_agent.0"));
  assert_true (kept (config->extra_devices, "<emulator"));

  assert_roundtrip (config, "virsh-simple.xml");
}

static void
test_kernel_boot (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("kernel-boot.xml");
  VireoNicConfig *nic;

  assert_int_equal (config->accel, VIREO_ACCEL_TCG);
  assert_int_equal (config->memory_kib, 256 * 1024);
  assert_int_equal (config->current_memory_kib, 256 * 1024);
  assert_string_equal (config->title, "Tiny test guest");
  assert_string_equal (config->description, "Boots the host kernel & a busybox initramfs");
  assert_string_equal (config->kernel, "/srv/guest/vmlinuz");
  assert_string_equal (config->cmdline, "console=tty0 console=ttyS0 quiet");
  assert_null (config->cpu_mode);
  assert_false (config->apic);
  assert_false (config->balloon);
  assert_false (config->rng);
  assert_string_equal (config->video_model, "vga");
  nic = g_ptr_array_index (config->nics, 0);
  assert_int_equal (nic->type, VIREO_NET_USER);
  assert_string_equal (nic->model, "e1000e");
  assert_int_equal (((VireoDiskConfig *) g_ptr_array_index (config->disks, 0))->boot_order, 1);

  assert_roundtrip (config, "kernel-boot.xml");
}

static void
test_new_default (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("fresh");
  g_autoptr(VireoDomainConfig) copy = NULL;
  VireoDiskConfig *disk;

  g_free (config->uuid);
  config->uuid = g_strdup ("11111111-2222-3333-4444-555555555555");
  vireo_domain_config_add_disk (config,
      vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", "/img/fresh.qcow2"));
  vireo_domain_config_add_disk (config,
      vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "raw", "/img/data.raw"));
  vireo_domain_config_add_disk (config,
      vireo_disk_config_new (VIREO_DISK_DEVICE_CDROM, VIREO_DISK_BUS_SATA, "raw", "/iso/x.iso"));
  g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_USER, NULL, "52:54:00:aa:bb:cc"));
  g_ptr_array_add (config->boot_devs, g_strdup ("cdrom"));
  g_ptr_array_add (config->boot_devs, g_strdup ("hd"));

  disk = g_ptr_array_index (config->disks, 1);
  assert_string_equal (disk->target, "vdb");
  disk = g_ptr_array_index (config->disks, 2);
  assert_string_equal (disk->target, "sda");
  assert_true (disk->readonly);
  assert_true (vireo_domain_config_validate (config, NULL));

  assert_roundtrip (config, "new-default.xml");

  /* accel "auto" survives through our metadata */
  copy = vireo_domain_config_copy (config);
  assert_int_equal (copy->accel, VIREO_ACCEL_AUTO);
  assert_int_equal (copy->disks->len, 3);
}

typedef struct {
  const char *devices;   /* inside <devices> */
  const char *domain;    /* more children of <domain> */
  const char *expect;    /* substring of the message */
} BadCase;

/* Each case must be refused in one line that names the VM and says why. */
static void
check_bad_cases (const BadCase *cases,
                 guint          n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *xml = g_strdup_printf (
          "<domain type='kvm'><name>bad</name><memory unit='MiB'>512</memory>"
          "<os><type>hvm</type></os>%s<devices>%s</devices></domain>",
          cases[i].domain, cases[i].devices);
      g_autoptr(GError) error = NULL;
      g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse (xml, -1, "case.xml", &error);

      if (config != NULL || error == NULL)
        fail_msg ("case %u parsed: %s", i, xml);
      assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
      if (strstr (error->message, cases[i].expect) == NULL)
        fail_msg ("case %u: '%s' lacks '%s'", i, error->message, cases[i].expect);
      assert_true (g_str_has_prefix (error->message, "VM 'bad': "));
      assert_null (strchr (error->message, '\n'));
    }
}

/* Devices Vireo cannot run, or described wrongly. */
static void
test_device_errors (void **state)
{
  static const BadCase cases[] = {
    { "<graphics type='sdl'/>", "", "<graphics type='sdl'> is not supported (vnc or spice)" },
    { "<hostdev mode='subsystem' type='pci'/>", "", "<hostdev> devices are not supported" },
    { "<disk type='network' device='disk'><target dev='vda'/></disk>", "", "<disk type='network'>" },
    { "<disk type='file' device='floppy'><target dev='fda'/></disk>", "", "device='floppy'" },
    { "<disk type='file'><driver type='vmdk'/><source file='/a.vmdk'/><target dev='vda'/></disk>", "",
      "format 'vmdk'" },
    { "<disk type='file'><source file='/a'/><target dev='vda'/></disk>"
      "<disk type='file'><source file='/b'/><target dev='vda'/></disk>", "", "two disks use target 'vda'" },
    { "<disk type='file'><source file='rel.img'/><target dev='vda'/></disk>", "", "is not absolute" },
    { "<disk type='file'><target dev='vda' bus='usb'/><source file='/a'/></disk>", "", "bus 'usb'" },
    { "<disk type='file'><driver cache='fast'/><source file='/a'/><target dev='vda'/></disk>", "",
      "disk vda has <driver cache='fast'>, which is not supported" },
    { "<disk type='file'><driver discard='on'/><source file='/a'/><target dev='vda'/></disk>", "",
      "<driver discard='on'>" },
    { "<controller type='scsi' model='lsilogic'/>", "", "<controller type='scsi' model='lsilogic'>" },
    { "<disk type='file'><source file='/a'/><target dev='sda' bus='scsi'/>"
      "<address type='drive' controller='1'/></disk>", "", "SCSI disk sda has an address Vireo cannot run" },
    { "<disk type='file'><source file='/a'/><target dev='sda' bus='scsi'/>"
      "<address type='drive' target='256'/></disk>", "", "SCSI disk sda has an address" },
    { "<disk type='file'><source file='/a'/><target dev='sda' bus='scsi'/>"
      "<address type='drive' unit='x'/></disk>", "", "<address type='drive' unit='x'> is not a number" },
    { "<disk type='file'><source file='/a'/><target dev='sda' bus='scsi'/></disk>"
      "<disk type='file'><source file='/b'/><target dev='sdb' bus='scsi'/>"
      "<address type='drive' unit='0'/></disk>", "", "SCSI disks sda and sdb use the same target and unit" },
    { "<graphics type='vnc' keymap='klingon'/>", "", "VNC keymap 'klingon' is not one QEMU knows" },
    { "<disk type='file' device='cdrom'><target dev='vdb' bus='virtio'/></disk>", "", "CD-ROM 'vdb'" },
    { "<interface type='bridge'><source bridge='br0'/></interface>", "", "<interface type='bridge'>" },
    { "<interface type='user'><mac address='01:00:5e:00:00:01'/></interface>", "", "not a valid unicast MAC" },
    { "<interface type='user'><mac address='52:54:00:00:00:01'/></interface>"
      "<interface type='user'><mac address='52:54:00:00:00:01'/></interface>", "", "two interfaces use MAC" },
    { "<interface type='network'/>", "", "has no <source network>" },
    { "<interface type='user'><model type='pcnet'/></interface>", "", "model 'pcnet'" },
    { "<serial type='tcp'/>", "", "<serial type='tcp'>" },
    { "<console type='file'><target type='serial'/></console>", "",
      "<console type='file'> on the serial port is not supported (pty only)" },
    { "<video><model type='virtio'/></video><video><model type='vga'/></video>", "", "more than one <video>" },
    { "<controller type='pci' index='0' model='pcie-root'/>", "<os><type machine='pc'>hvm</type></os>",
      "a pcie-root controller does not fit machine 'pc'" },
    { "<controller type='pci' index='0' model='pci-root'/>", "",
      "a pci-root controller does not fit machine 'q35'" },
    { "<rng model='virtio'/>", "", "<rng> has no <backend>" },
    { "<graphics type='vnc'/><graphics type='vnc' port='5901'/>", "", "a second <graphics type='vnc'>" },
    { "<serial type='pty'/><serial type='pty'><target port='1'/></serial>", "", "a second <serial> port" },
    { "<serial type='pty'/><console type='pty'><target type='serial'/></console>"
      "<console type='pty'><target type='serial' port='1'/></console>", "", "a second <console> on the serial port" },
    { "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
      "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>", "",
      "a second guest agent <channel>" },
    { "<rng model='virtio'><backend model='egd' type='tcp'/></rng>", "", "<rng> backend 'egd' is not supported" },
    { "<rng model='virtio'><backend model='random'>/home/me/.ssh/id_ed25519</backend></rng>", "",
      "<rng> cannot read /home/me/.ssh/id_ed25519" },
    { "<rng model='virtio'><backend model='builtin'>/dev/random</backend></rng>", "", "<rng> cannot read /dev/random" },
    { "<rng model='virtio'><backend model='random'/><rate bytes='lots'/></rng>", "", "<rate bytes='lots'>" },
    { "<rng model='virtio'><backend model='random'/><rate bytes='10' period='0'/></rng>", "", "<rate period='0'>" },
    { "<rng model='virtio'><backend model='random'/></rng><rng model='virtio'><backend model='builtin'/></rng>", "",
      "a second <rng>" },
  };

  check_bad_cases (cases, G_N_ELEMENTS (cases));
}

/* The domain's own elements: CPUs, memory, identity, boot, NUMA. */
static void
test_domain_errors (void **state)
{
  static const BadCase cases[] = {
    { "", "<vcpu cpuset='aaa'>2</vcpu>", "<vcpu cpuset='aaa'> is not a CPU list such as 0-3,^2,5" },
    { "", "<vcpu cpuset='^2'>2</vcpu>", "<vcpu cpuset='^2'>" },
    { "", "<vcpu cpuset='3-1'>2</vcpu>", "<vcpu cpuset='3-1'>" },
    { "", "<vcpu cpuset='0,,1'>2</vcpu>", "<vcpu cpuset='0,,1'>" },
    { "", "<vcpu cpuset='^1-2'>2</vcpu>", "<vcpu cpuset='^1-2'>" },
    { "", "<vcpu cpuset='8192'>2</vcpu>", "<vcpu cpuset='8192'>" },
    { "", "<vcpu placement='dynamic'>2</vcpu>", "<vcpu placement='dynamic'> is not supported" },
    { "", "<vcpu current='3'>2</vcpu>", "<vcpu current='3'> is more than its 2 vCPUs" },
    { "", "<vcpu current='0'>2</vcpu>", "<vcpu current='0'> is not a positive number" },
    { "", "<vcpu>0</vcpu>", "<vcpu> must be between" },
    { "", "<vcpu>many</vcpu>", "<vcpu> is not a number" },
    { "", "<currentMemory unit='GiB'>8</currentMemory>", "<currentMemory> must be" },
    { "", "<blkiotune/><bogus/>", "<bogus> is not supported" },
    { "", "<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'/>", "<qemu:commandline>" },
    { "", "<uuid>not-a-uuid</uuid>", "is not a valid UUID" },
    { "", "<uuid>0f6c1c1e-\n2b1a</uuid>", "<uuid>0f6c1c1e- 2b1a</uuid> is not a valid UUID" },
    { "", "<os><type>hvm</type><boot/></os>", "<os><boot> has no dev attribute" },
    { "", "<title>a</title><title>b</title>", "<title> appears more than once" },
    { "", "<description>a</description><description>b</description>", "<description> appears more" },
    { "", "<on_poweroff>destroy</on_poweroff><on_poweroff>restart</on_poweroff>", "<on_poweroff> appears" },
    { "", "<on_reboot>restart</on_reboot><on_reboot>restart</on_reboot>", "<on_reboot> appears" },
    { "", "<on_crash>destroy</on_crash><on_crash>destroy</on_crash>", "<on_crash> appears" },
    { "", "<os><type>hvm</type><kernel>/a</kernel><kernel>/b</kernel></os>", "<kernel> appears" },
    { "", "<os><type>hvm</type><kernel>/k</kernel><initrd>/a</initrd><initrd>/b</initrd></os>",
      "<initrd> appears" },
    { "", "<os><type>hvm</type><kernel>/k</kernel><cmdline>a</cmdline><cmdline>b</cmdline></os>",
      "<cmdline> appears" },
    { "", "<cpu mode='custom'><model>qemu64</model><model>max</model></cpu>", "<model> appears" },
    { "", "<cpu><numa><cell id='1' cpus='0' memory='512' unit='MiB'/></numa></cpu>",
      "NUMA cell id '1' is wrong: cells are numbered from 0 to 0, each once" },
    { "", "<cpu><numa><cell id='0' cpus='0' memory='256' unit='MiB'/>"
      "<cell id='0' cpus='1' memory='256' unit='MiB'/></numa></cpu>", "NUMA cell id '0' is wrong" },
  };

  check_bad_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_document_errors (void **state)
{
  static const struct { const char *xml; const char *expect; } cases[] = {
    { "<domain type='kvm'><name>x</name>", "case.xml: malformed XML at line 1" },
    { "", "case.xml: malformed XML" },
    { "<vm/>", "root element is not <domain>" },
    { "<domain type='kvm'><memory>1</memory></domain>", "<name> is missing" },
    { "<domain type='kvm'><name>../etc/passwd</name></domain>", "cannot start with '.'" },
    { "<domain type='kvm'><name>a/b</name></domain>", "may only contain" },
    { "<domain type='xen'><name>x</name></domain>", "<domain type='xen'>" },
    { "<domain type='kvm'><name>x</name><os><type>hvm</type></os></domain>", "<memory> is missing" },
    { "<domain type='kvm'><name>x</name><memory>65536</memory></domain>", "<os> is missing" },
    { "<domain type='kvm'><name>x</name><memory unit='parsec'>1</memory></domain>", "unit='parsec'" },
    { "<domain type='kvm'><name>x</name><memory>65536</memory><os><type>xen</type></os></domain>",
      "<type>xen</type>" },
    { "<domain type='kvm'><name>x</name><memory>65536</memory><os firmware='bios'><type>hvm</type>"
      "<loader>/usr/share/OVMF/OVMF_CODE.fd</loader></os></domain>", "cannot have a <loader>" },
    { "<domain type='kvm'><name>x</name><memory>65536</memory><os><type arch='aarch64'>hvm</type>"
      "</os></domain>", "architecture 'aarch64'" },
    { "<domain type='kvm'><name>x</name><memory>65536</memory><os><type machine='virt'>hvm</type>"
      "</os></domain>", "machine type 'virt'" },
    { "<domain type='kvm'><name>x</name><memory>65536</memory><os><type>hvm</type>"
      "<initrd>/i</initrd></os></domain>", "need a <kernel>" },
    /* libxml2's message has a second line with the bytes */
    { "<domain type='kvm'><name>x\xc1   </name></domain>", "not proper UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse (cases[i].xml, -1, "case.xml", &error);

      assert_null (config);
      assert_non_null (error);
      if (strstr (error->message, cases[i].expect) == NULL)
        fail_msg ("case %u: '%s' lacks '%s'", i, error->message, cases[i].expect);
      assert_null (strchr (error->message, '\n'));
    }
}

static void
test_memory_units (void **state)
{
  static const struct { const char *mem; guint64 kib; } cases[] = {
    { "<memory>65536</memory>", 65536 },
    { "<memory unit='KiB'>65536</memory>", 65536 },
    { "<memory unit='MiB'>512</memory>", 524288 },
    { "<memory unit='M'>512</memory>", 524288 },
    { "<memory unit='GiB'>2</memory>", 2097152 },
    { "<memory unit='MB'>1000</memory>", 976563 },
    { "<memory unit='bytes'>67108864</memory>", 65536 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *xml = g_strdup_printf ("<domain type='kvm'><name>m</name>%s"
                                              "<os><type>hvm</type></os></domain>", cases[i].mem);
      g_autoptr(GError) error = NULL;
      g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse (xml, -1, NULL, &error);

      assert_no_error (error);
      assert_int_equal (config->memory_kib, cases[i].kib);
    }
}

/* Bus changes rename the target after the bus and keep the disk's place. */
static void
test_disk_edits (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("d");
  g_autoptr(GError) error = NULL;
  const VireoDiskConfig *disk;

  vireo_domain_config_add_disk (config, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO,
                                                               "qcow2", "/i/a.qcow2"));
  vireo_domain_config_add_disk (config, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO,
                                                               "qcow2", "/i/b.qcow2"));
  vireo_domain_config_add_disk (config, vireo_disk_config_new (VIREO_DISK_DEVICE_CDROM,
                                vireo_domain_config_default_bus (config, VIREO_DISK_DEVICE_CDROM), "raw", NULL));
  assert_string_equal (((VireoDiskConfig *) g_ptr_array_index (config->disks, 2))->target, "sda");

  assert_string_equal (vireo_domain_config_set_disk_bus (config, "vda", VIREO_DISK_BUS_SATA), "sdb");
  disk = g_ptr_array_index (config->disks, 0);
  assert_string_equal (disk->path, "/i/a.qcow2");
  assert_int_equal (disk->bus, VIREO_DISK_BUS_SATA);
  assert_true (vireo_domain_config_validate (config, &error));
  /* the same bus keeps the name */
  assert_string_equal (vireo_domain_config_set_disk_bus (config, "vdb", VIREO_DISK_BUS_VIRTIO), "vdb");
  assert_null (vireo_domain_config_set_disk_bus (config, "vdz", VIREO_DISK_BUS_SATA));

  /* IDE is for the pc machine: validation says so */
  vireo_domain_config_set_disk_bus (config, "vdb", VIREO_DISK_BUS_IDE);
  assert_false (vireo_domain_config_validate (config, &error));
  assert_non_null (strstr (error->message, "IDE disks need the pc (i440fx) machine"));
  g_free (config->machine);
  config->machine = g_strdup ("pc");
  assert_int_equal (vireo_domain_config_default_bus (config, VIREO_DISK_DEVICE_CDROM), VIREO_DISK_BUS_IDE);

  assert_true (vireo_domain_config_remove_disk (config, "hda"));
  assert_false (vireo_domain_config_remove_disk (config, "hda"));
  assert_null (vireo_domain_config_lookup_disk (config, "hda"));
  assert_non_null (vireo_domain_config_lookup_disk (config, "sdb"));
  assert_int_equal (config->disks->len, 2);
}

/* A chain Vireo made (a linked clone) is written as libvirt writes it
 * and read back into disk->backing; other <backingStore>s stay verbatim
 * and are refused when they name a file. */
static void
test_backing_store (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("linked");
  g_autoptr(VireoDomainConfig) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  VireoDiskConfig *disk;

  g_free (config->uuid);
  config->uuid = g_strdup ("11111111-2222-3333-4444-666666666666");
  disk = vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", "/img/linked.qcow2");
  disk->backing = g_strsplit ("/img/base.qcow2", ",", -1);
  vireo_domain_config_add_disk (config, disk);
  g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_USER, NULL, "52:54:00:aa:bb:cd"));
  assert_true (vireo_domain_config_validate (config, &error));
  assert_roundtrip (config, "linked-clone.xml");

  xml = vireo_domain_config_format (config);
  assert_non_null (strstr (xml, "<backingStore type=\"file\">"));
  again = vireo_domain_config_parse (xml, -1, "linked", &error);
  assert_no_error (error);
  disk = g_ptr_array_index (again->disks, 0);
  assert_int_equal (vireo_disk_config_n_bases (disk), 1);
  assert_string_equal (disk->backing[0], "/img/base.qcow2");
  assert_false (kept (disk->extra, "backingStore"));

  /* a raw base is not Vireo's: kept, and refused */
  g_clear_pointer (&again, vireo_domain_config_free);
  g_clear_pointer (&xml, g_free);
  xml = g_strdup ("<domain type='kvm'><name>raw</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices>"
                  "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                  "<source file='/img/a.qcow2'/><backingStore type='file'><format type='raw'/>"
                  "<source file='/etc/shadow'/></backingStore><target dev='vda'/></disk>"
                  "</devices></domain>");
  assert_null (vireo_domain_config_parse (xml, -1, "raw", &error));
  assert_non_null (strstr (error->message, "names a <backingStore>"));
  g_clear_error (&error);

  /* a base under a raw disk cannot be */
  disk = g_ptr_array_index (config->disks, 0);
  g_free (disk->format);
  disk->format = g_strdup ("raw");
  assert_false (vireo_domain_config_validate (config, &error));
  assert_non_null (strstr (error->message, "has a base image but is not a qcow2 image"));
}

/* A disk on a chain of bases (a linked clone of a linked clone of a
 * template): one nested <backingStore> per base, nearest first, as libvirt
 * writes it; read back in the same order, also with libvirt's empty
 * <backingStore/> at the end. */
static void
test_backing_chain (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("chain");
  g_autoptr(VireoDomainConfig) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  VireoDiskConfig *disk;

  g_free (config->uuid);
  config->uuid = g_strdup ("11111111-2222-3333-4444-777777777777");
  disk = vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", "/img/c2.qcow2");
  disk->backing = g_strsplit ("/img/c1.qcow2,/img/t-vda-1.qcow2,/img/t.qcow2", ",", -1);
  vireo_domain_config_add_disk (config, disk);
  g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_USER, NULL, "52:54:00:aa:bb:ce"));
  assert_true (vireo_domain_config_validate (config, &error));
  assert_roundtrip (config, "linked-chain.xml");
  assert_true (vireo_disk_config_has_base (disk, "/img/t-vda-1.qcow2"));
  assert_false (vireo_disk_config_has_base (disk, "/img/c2.qcow2"));

  /* libvirt's own shape: the chain ends in an empty <backingStore/> (here
   * with white space in it) */
  xml = g_strdup ("<domain type='kvm'><name>lv</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                  "<source file='/img/a.qcow2'/>"
                  "<backingStore type='file'><format type='qcow2'/><source file='/img/b.qcow2'/>"
                  "<backingStore type='file'><format type='qcow2'/><source file='/img/c.qcow2'/>"
                  "<backingStore>\n  </backingStore></backingStore></backingStore>"
                  "<target dev='vda'/></disk></devices></domain>");
  again = vireo_domain_config_parse (xml, -1, "lv", &error);
  assert_no_error (error);
  disk = g_ptr_array_index (again->disks, 0);
  assert_int_equal (vireo_disk_config_n_bases (disk), 2);
  assert_string_equal (disk->backing[0], "/img/b.qcow2");
  assert_string_equal (disk->backing[1], "/img/c.qcow2");
  assert_false (kept (disk->extra, "backingStore"));
  g_clear_pointer (&again, vireo_domain_config_free);
  g_clear_pointer (&xml, g_free);

  /* a raw level deep in the chain is not Vireo's: the whole is kept, and refused */
  xml = g_strdup ("<domain type='kvm'><name>deep</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                  "<source file='/img/a.qcow2'/>"
                  "<backingStore type='file'><format type='qcow2'/><source file='/img/b.qcow2'/>"
                  "<backingStore type='file'><format type='raw'/><source file='/etc/shadow'/>"
                  "</backingStore></backingStore><target dev='vda'/></disk></devices></domain>");
  assert_null (vireo_domain_config_parse (xml, -1, "deep", &error));
  assert_non_null (strstr (error->message, "names a <backingStore>"));
  g_clear_error (&error);
}

/* A chain holds each image once and at most VIREO_CHAIN_MAX images. */
static void
test_backing_chain_limits (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("limits");
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  VireoDiskConfig *disk;

  disk = vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", "/img/a.qcow2");
  vireo_domain_config_add_disk (config, disk);
  for (guint i = 0; i < VIREO_CHAIN_MAX - 1; i++)
    g_ptr_array_add (chain, g_strdup_printf ("/img/b%u.qcow2", i));
  g_ptr_array_add (chain, NULL);
  disk->backing = g_strdupv ((char **) chain->pdata);
  assert_true (vireo_domain_config_validate (config, &error));

  /* one more is refused, in one line */
  g_strfreev (disk->backing);
  chain->pdata[VIREO_CHAIN_MAX - 1] = g_strdup ("/img/b15.qcow2");
  g_ptr_array_add (chain, NULL);
  disk->backing = g_strdupv ((char **) chain->pdata);
  assert_false (vireo_domain_config_validate (config, &error));
  assert_string_equal (error->message, "VM 'limits': disk vda stands on 16 base images; Vireo runs chains "
                                       "of at most 16 images");
  g_clear_error (&error);

  /* an image twice: the disk's own, or a base */
  g_strfreev (disk->backing);
  disk->backing = g_strsplit ("/img/b.qcow2,/img/a.qcow2", ",", -1);
  assert_false (vireo_domain_config_validate (config, &error));
  assert_string_equal (error->message, "VM 'limits': disk vda names /img/a.qcow2 twice in its chain of images");
  g_clear_error (&error);
  g_strfreev (disk->backing);
  disk->backing = g_strsplit ("/img/b.qcow2,/img/c.qcow2,/img/b.qcow2", ",", -1);
  assert_false (vireo_domain_config_validate (config, &error));
  assert_non_null (strstr (error->message, "names /img/b.qcow2 twice"));
  g_clear_error (&error);

  /* every level is a plain absolute path */
  g_strfreev (disk->backing);
  disk->backing = g_strsplit ("/img/b.qcow2,img/c.qcow2", ",", -1);
  assert_false (vireo_domain_config_validate (config, &error));
  assert_non_null (strstr (error->message, "base of disk vda path 'img/c.qcow2'"));
  g_clear_error (&error);

  /* one spelling per file: another spelling would make a used image
   * look free to "who uses it" */
  g_strfreev (disk->backing);
  disk->backing = NULL;
  for (guint i = 0; i < 4; i++)
    {
      static const char *aliases[] = { "/img//a.qcow2", "/img/./a.qcow2", "//img/a.qcow2", "/img/a.qcow2/" };

      g_free (disk->path);
      disk->path = g_strdup (aliases[i]);
      assert_false (vireo_domain_config_validate (config, &error));
      assert_non_null (strstr (error->message, "is not written the plain way"));
      g_clear_error (&error);
    }
}

/* virt-manager's default VM (SPICE, USB redirection, a spicevmc channel)
 * imports: Vireo runs it with VNC and keeps what it does not run. */
static void
test_virt_manager_spice (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("virt-manager-spice.xml");
  g_autoptr(GError) error = NULL;

  assert_true (config->vnc);
  assert_true (config->guest_agent);
  assert_string_equal (config->video_model, "virtio");
  assert_true (kept (config->extra_devices, "<graphics type=\"spice\""));
  assert_true (kept (config->extra_devices, "<redirdev"));
  assert_true (kept (config->extra_devices, "com.redhat.spice.0"));
  assert_true (vireo_domain_config_validate (config, &error));
  assert_roundtrip (config, "virt-manager-spice.xml");
}

/* virtio-scsi disks and CD-ROMs, and the settings that change how the
 * guest runs (vCPUs online at boot, cache, discard, the VNC keymap), as
 * virt-install writes them: modelled, and back unchanged. */
static void
test_virtio_scsi (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("virtio-scsi.xml");
  VireoDiskConfig *disk, *cdrom;
  guint id, lun;

  assert_int_equal (config->vcpus, 4);
  assert_int_equal (config->current_vcpus, 2);
  assert_string_equal (config->vcpu_cpuset, "0-3,^2,5");
  assert_string_equal (config->vcpu_placement, "static");
  assert_string_equal (config->vnc_keymap, "de");
  assert_true (kept (config->extra_devices, "virtio-scsi"));

  disk = g_ptr_array_index (config->disks, 0);
  assert_int_equal (disk->bus, VIREO_DISK_BUS_SCSI);
  assert_string_equal (disk->cache, "none");
  assert_string_equal (disk->discard, "unmap");
  assert_string_equal (disk->driver_attrs[0], "io");
  assert_string_equal (disk->driver_attrs[1], "native");
  assert_true (disk->address.set);
  disk = g_ptr_array_index (config->disks, 1);
  assert_false (disk->address.set);
  vireo_disk_config_scsi_place (disk, &id, &lun);
  assert_int_equal (id, 0);
  assert_int_equal (lun, 1);   /* sdb: its target name's place */
  cdrom = g_ptr_array_index (config->disks, 3);
  assert_int_equal (cdrom->device, VIREO_DISK_DEVICE_CDROM);
  assert_int_equal (cdrom->bus, VIREO_DISK_BUS_SCSI);
  vireo_disk_config_scsi_place (cdrom, &id, &lun);
  assert_int_equal (id, 1);
  assert_int_equal (lun, 0);
  assert_roundtrip (config, "virtio-scsi.xml");

  /* a new SCSI disk is named like a SATA one */
  vireo_domain_config_add_disk (config,
      vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_SCSI, "raw", "/img/e.raw"));
  disk = g_ptr_array_index (config->disks, 4);
  assert_string_equal (disk->target, "sde");
  assert_true (vireo_domain_config_validate (config, NULL));

  /* an editor's vCPU count: fewer online at boot stays so while it can */
  vireo_domain_config_set_vcpus (config, 3);
  assert_int_equal (config->current_vcpus, 2);
  vireo_domain_config_set_vcpus (config, 2);
  assert_int_equal (config->current_vcpus, 0);
  assert_true (vireo_domain_config_validate (config, NULL));
  config->vcpus = 4;

  /* all vCPUs online: libvirt writes no current, and neither does Vireo */
  config->current_vcpus = 4;
  {
    g_autofree char *xml = vireo_domain_config_format (config);
    assert_non_null (strstr (xml, "<vcpu placement=\"static\" cpuset=\"0-3,^2,5\">4</vcpu>"));
  }
}

/* The details panes' boot line: the devices in order, whatever their
 * number (the TUI once joined them as a NULL-terminated array). */
static void
test_describe_boot (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("b");
  g_autofree char *none = NULL;
  g_autofree char *two = NULL;
  g_autofree char *kernel = NULL;

  g_ptr_array_set_size (config->boot_devs, 0);
  none = vireo_domain_config_describe_boot (config);
  assert_string_equal (none, "");
  g_ptr_array_add (config->boot_devs, g_strdup ("hd"));
  g_ptr_array_add (config->boot_devs, g_strdup ("cdrom"));
  two = vireo_domain_config_describe_boot (config);
  assert_string_equal (two, "hd, cdrom");
  config->kernel = g_strdup ("/boot/vmlinuz");
  kernel = vireo_domain_config_describe_boot (config);
  assert_string_equal (kernel, "kernel /boot/vmlinuz");
}

static VireoDomainConfig *
forwards_config (void)
{
  VireoDomainConfig *config = vireo_domain_config_new ("fwd");
  VireoNicConfig *user = vireo_nic_config_new (VIREO_NET_USER, NULL, "52:54:00:aa:bb:01");
  VireoNicConfig *second = vireo_nic_config_new (VIREO_NET_USER, NULL, "52:54:00:aa:bb:03");

  g_free (config->uuid);
  config->uuid = g_strdup ("11111111-2222-3333-4444-555555555556");
  g_ptr_array_add (config->nics, user);
  g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_NETWORK, "default", "52:54:00:aa:bb:02"));
  g_ptr_array_add (config->nics, second);
  g_ptr_array_add (user->forwards, vireo_port_forward_new (VIREO_FORWARD_TCP, NULL, 2222, 22));
  g_ptr_array_add (user->forwards, vireo_port_forward_new (VIREO_FORWARD_UDP, "0.0.0.0", 5353, 53));
  /* the same port on another address, or in the other protocol, is
   * another host socket */
  g_ptr_array_add (second->forwards, vireo_port_forward_new (VIREO_FORWARD_TCP, "127.0.0.2", 2222, 80));
  g_ptr_array_add (second->forwards, vireo_port_forward_new (VIREO_FORWARD_UDP, NULL, 2222, 80));
  return config;
}

/* Forwards live in our metadata, tied to their NIC by MAC, next to
 * accel and other programs' metadata, and come back unchanged. */
static void
test_port_forwards (void **state)
{
  g_autoptr(VireoDomainConfig) config = forwards_config ();
  g_autoptr(VireoDomainConfig) copy = NULL;
  g_autoptr(VireoDomainConfig) later = NULL;
  g_autoptr(GError) error = NULL;
  VireoNicConfig *nic;
  VireoPortForward *forward;

  assert_true (vireo_domain_config_validate (config, NULL));
  g_ptr_array_add (config->extra_metadata,
                   g_strdup ("<app:tag xmlns:app=\"urn:example:app\">kept</app:tag>"));
  assert_roundtrip (config, "port-forwards.xml");

  copy = vireo_domain_config_copy (config);
  assert_int_equal (copy->accel, VIREO_ACCEL_AUTO);
  assert_true (kept (copy->extra_metadata, "urn:example:app"));
  nic = vireo_domain_config_lookup_nic (copy, "52:54:00:AA:BB:01");
  assert_non_null (nic);
  assert_int_equal (nic->forwards->len, 2);
  forward = g_ptr_array_index (nic->forwards, 1);
  assert_int_equal (forward->protocol, VIREO_FORWARD_UDP);
  assert_string_equal (forward->address, "0.0.0.0");
  assert_int_equal (forward->host_port, 5353);
  assert_int_equal (forward->guest_port, 53);
  assert_int_equal (((VireoNicConfig *) g_ptr_array_index (copy->nics, 1))->forwards->len, 0);
  assert_ptr_equal (vireo_domain_config_first_user_nic (copy), g_ptr_array_index (copy->nics, 0));

  /* <metadata> after <devices> is read as well */
  later = vireo_domain_config_parse (
      "<domain type='qemu'><name>late</name><memory unit='MiB'>64</memory><os><type>hvm</type></os>"
      "<devices><interface type='user'><mac address='52:54:00:00:00:09'/></interface></devices>"
      "<metadata><vireo:domain xmlns:vireo='urn:vireo:domain:1'><vireo:port-forward"
      " mac='52:54:00:00:00:09' protocol='tcp' host='8080' guest='80'/></vireo:domain></metadata>"
      "</domain>", -1, "late.xml", &error);
  assert_no_error (error);
  nic = g_ptr_array_index (later->nics, 0);
  assert_int_equal (nic->forwards->len, 1);
  forward = g_ptr_array_index (nic->forwards, 0);
  assert_string_equal (forward->address, "127.0.0.1");
  assert_int_equal (later->accel, VIREO_ACCEL_TCG);
}

static void
assert_invalid (const VireoDomainConfig *config,
                const char              *expect)
{
  g_autoptr(GError) error = NULL;

  assert_false (vireo_domain_config_validate (config, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
  if (strstr (error->message, expect) == NULL)
    fail_msg ("'%s' lacks '%s'", error->message, expect);
  assert_true (g_str_has_prefix (error->message, "VM 'fwd': "));
}

static void
test_port_forward_rules (void **state)
{
  static const struct { guint nic; const char *address; guint host; guint guest; const char *expect; } cases[] = {
    { 0, NULL, 0, 22, "ports must be between 1 and 65535" },
    { 0, NULL, 2200, 65536, "ports must be between 1 and 65535" },
    { 0, "localhost", 2200, 22, "address 'localhost' is not an IPv4 address" },
    { 0, "::1", 2200, 22, "address '::1' is not an IPv4 address" },
    { 0, "127.0.0.01", 2200, 22, "is not an IPv4 address" },
    { 1, NULL, 2200, 22, "interface 52:54:00:aa:bb:02 is not user-mode" },
    { 0, NULL, 2222, 23, "tcp port 127.0.0.1:2222 is forwarded twice" },
    { 2, "127.0.0.2", 2222, 81, "tcp port 127.0.0.2:2222 is forwarded twice" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(VireoDomainConfig) config = forwards_config ();
      VireoNicConfig *nic = g_ptr_array_index (config->nics, cases[i].nic);

      g_ptr_array_add (nic->forwards, vireo_port_forward_new (VIREO_FORWARD_TCP, cases[i].address,
                                                              cases[i].host, cases[i].guest));
      assert_invalid (config, cases[i].expect);
    }
}

static void
test_port_forward_xml_errors (void **state)
{
  static const struct { const char *attributes; const char *expect; } cases[] = {
    { "mac='52:54:00:00:00:02' protocol='tcp' host='1' guest='2'", "mac='52:54:00:00:00:02'> names no interface" },
    { "protocol='tcp' host='1' guest='2'", "mac=''> names no interface" },
    { "mac='52:54:00:00:00:01' protocol='sctp' host='1' guest='2'", "protocol='sctp'> is not supported" },
    { "mac='52:54:00:00:00:01' protocol='tcp' host='ssh' guest='2'", "host='ssh'> is not a port number" },
    { "mac='52:54:00:00:00:01' protocol='tcp' host='1'", "guest=''> is not a port number" },
    { "mac='52:54:00:00:00:01' protocol='tcp' host='1' guest='99999'", "ports must be between 1 and 65535" },
    { "mac='52:54:00:00:00:01' protocol='tcp' address='example.org' host='1' guest='2'", "not an IPv4" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *xml = g_strdup_printf (
          "<domain type='kvm'><name>bad</name><memory unit='MiB'>512</memory><os><type>hvm</type></os>"
          "<metadata><vireo:domain xmlns:vireo='urn:vireo:domain:1'><vireo:port-forward %s/>"
          "</vireo:domain></metadata><devices><interface type='user'><mac address='52:54:00:00:00:01'/>"
          "</interface></devices></domain>", cases[i].attributes);
      g_autoptr(GError) error = NULL;
      g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse (xml, -1, "case.xml", &error);

      if (config != NULL || error == NULL)
        fail_msg ("case %u parsed: %s", i, xml);
      if (strstr (error->message, cases[i].expect) == NULL)
        fail_msg ("case %u: '%s' lacks '%s'", i, error->message, cases[i].expect);
      assert_true (g_str_has_prefix (error->message, "VM 'bad': "));
    }
}

/* What users type: PROTO:[ADDRESS:]HOSTPORT:GUESTPORT, or without the
 * guest port to name a rule. */
static void
test_port_forward_spec (void **state)
{
  static const struct { const char *spec; gboolean with_guest; const char *expect; } cases[] = {
    { "tcp:2222:22", TRUE, "tcp:127.0.0.1:2222:22" },
    { "udp:0.0.0.0:53:5353", TRUE, "udp:0.0.0.0:53:5353" },
    { "tcp:65535:1", TRUE, "tcp:127.0.0.1:65535:1" },
    { "tcp:2222", FALSE, "tcp:127.0.0.1:2222:0" },
    { "tcp:127.0.0.2:2222", FALSE, "tcp:127.0.0.2:2222:0" },
    { "tcp:2222", TRUE, NULL },
    { "tcp:2222:22", FALSE, NULL },
    { "icmp:1:2", TRUE, NULL },
    { "TCP:1:2", TRUE, NULL },
    { "tcp:0:22", TRUE, NULL },
    { "tcp:65536:22", TRUE, NULL },
    { "tcp:22:-1", TRUE, NULL },
    { "tcp:localhost:1:2", TRUE, NULL },
    { "tcp:1.2.3.4:5:6:7", TRUE, NULL },
    { "", TRUE, NULL },
    { "tcp::22", TRUE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VireoPortForward) forward = vireo_port_forward_parse (cases[i].spec, cases[i].with_guest, &error);
      g_autofree char *text = forward ? vireo_port_forward_describe (forward) : NULL;

      if (cases[i].expect == NULL)
        {
          if (forward != NULL)
            fail_msg ("case %u: '%s' was read as %s", i, cases[i].spec, text);
          assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
          assert_non_null (strstr (error->message, cases[i].spec));
          continue;
        }
      assert_no_error (error);
      assert_string_equal (text, cases[i].expect);
    }
}

static void
test_port_forward_hostfwd (void **state)
{
  g_autoptr(VireoPortForward) a = vireo_port_forward_new (VIREO_FORWARD_TCP, NULL, 2222, 22);
  g_autoptr(VireoPortForward) b = vireo_port_forward_new (VIREO_FORWARD_TCP, "127.0.0.1", 2222, 80);
  g_autoptr(VireoPortForward) c = vireo_port_forward_new (VIREO_FORWARD_UDP, "127.0.0.1", 2222, 22);
  g_autofree char *rule = vireo_port_forward_to_hostfwd (a);

  assert_string_equal (rule, "tcp:127.0.0.1:2222-:22");
  assert_true (vireo_port_forward_same_rule (a, b));
  assert_false (vireo_port_forward_same_rule (a, c));
}

static void
test_use_user_networking (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("nets");

  g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_USER, NULL, "52:54:00:00:00:01"));
  assert_false (vireo_domain_config_uses_networks (config));
  g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_NETWORK, "lab", "52:54:00:00:00:02"));
  assert_true (vireo_domain_config_uses_networks (config));

  vireo_domain_config_use_user_networking (config);
  assert_false (vireo_domain_config_uses_networks (config));
  assert_int_equal (config->nics->len, 2);
  {
    const VireoNicConfig *nic = g_ptr_array_index (config->nics, 1);
    assert_int_equal (nic->type, VIREO_NET_USER);
    assert_null (nic->network);
    assert_string_equal (nic->mac, "52:54:00:00:00:02");
  }
  assert_true (vireo_domain_config_validate (config, NULL));
}

/* virt-install's Windows 11: secure boot with Microsoft's keys, SMM;
 * every UEFI element is modelled and comes back as it was. */
static void
test_uefi_secure_roundtrip (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("uefi-secure.xml");

  assert_string_equal (config->firmware, "efi");
  assert_true (vireo_domain_config_uses_efi (config));
  assert_true (vireo_domain_config_secure_boot (config));
  assert_true (vireo_domain_config_smm_on (config));
  assert_string_equal (config->loader, "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  assert_int_equal (config->loader_readonly, VIREO_TRISTATE_YES);
  assert_int_equal (config->loader_secure, VIREO_TRISTATE_YES);
  assert_string_equal (config->loader_type, "pflash");
  assert_string_equal (config->nvram, "/srv/images/win11_VARS.qcow2");
  assert_string_equal (config->nvram_template, "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
  assert_int_equal (config->fw_secure_boot, VIREO_TRISTATE_YES);
  assert_int_equal (config->fw_enrolled_keys, VIREO_TRISTATE_YES);
  assert_true (vireo_domain_config_nvram_is_qcow2 (config));
  assert_roundtrip (config, "uefi-secure.xml");
}

/* <os firmware='efi'> alone: OVMF chosen at start; BIOS clears it all */
static void
test_uefi_plain_and_back_to_bios (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("uefi.xml");
  g_autofree char *xml = NULL;

  assert_true (vireo_domain_config_uses_efi (config));
  assert_false (vireo_domain_config_secure_boot (config));
  assert_null (config->loader);
  assert_roundtrip (config, "uefi.xml");

  vireo_domain_config_set_firmware (config, FALSE);
  assert_false (vireo_domain_config_uses_efi (config));
  assert_null (config->nvram);
  xml = vireo_domain_config_format (config);
  assert_null (strstr (xml, "firmware="));
  assert_null (strstr (xml, "nvram"));
  assert_true (vireo_domain_config_validate (config, NULL));
}

/* What libvirt refuses of a UEFI setup, one line each. */
static void
test_uefi_rules (void **state)
{
  static const struct { const char *from; const char *to; const char *expect; } cases[] = {
    { "<os firmware=\"efi\">", "<os firmware=\"bios\">", "<os firmware='bios'> cannot have a <loader>" },
    { "type=\"pflash\"", "type=\"rom\"", "<loader> type is not supported (pflash only)" },
    { "readonly=\"yes\"", "readonly=\"no\"", "<loader readonly='no'> is not supported" },
    { "machine=\"q35\"", "machine=\"pc\"", "secure boot needs a q35 machine type" },
    { "<smm state=\"on\"/>", "<smm state=\"off\"/>", "secure boot needs <features><smm state='on'/>" },
    { "<feature enabled=\"yes\" name=\"secure-boot\"/>", "<feature enabled=\"no\" name=\"secure-boot\"/>",
      "<loader secure> contradicts the firmware feature 'secure-boot'" },
    { "secure=\"yes\" ", "", "'enrolled-keys' needs firmware feature 'secure-boot'" },
    { ">/srv/images/win11_VARS.qcow2<", ">/srv/images/../win11_VARS.qcow2<", "NVRAM path" },
    { "<os firmware=\"efi\">", "<os firmware=\"uefi\">", "<os firmware='uefi'> is not supported (bios or efi)" },
    { "enabled=\"yes\" name=\"enrolled-keys\"", "enabled=\"maybe\" name=\"enrolled-keys\"", "is not yes or no" },
    /* <loader secure='yes'> needs SMM said; the firmware feature alone does not (win11-secure-boot.xml) */
    { "<smm state=\"on\"/>", "", "secure boot needs <features><smm state='on'/>" },
  };
  g_autofree char *path = vireo_test_srcpath ("data", "domain", "uefi-secure.xml", NULL);
  g_autofree char *xml = NULL;

  assert_true (g_file_get_contents (path, &xml, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) bad = g_string_new (xml);
      g_autoptr(GError) error = NULL;
      g_autoptr(VireoDomainConfig) config = NULL;

      assert_true (g_string_replace (bad, cases[i].from, cases[i].to, 0) > 0);
      /* SATA needs q35: the disks move to IDE to reach the secure boot rule */
      if (i == 3)
        g_string_replace (bad, "bus=\"sata\"", "bus=\"ide\"", 0);
      /* secure boot's feature off too, so only enrolled-keys is wrong */
      if (i == 6)
        g_string_replace (bad, "enabled=\"yes\" name=\"secure-boot\"", "enabled=\"no\" name=\"secure-boot\"", 0);
      config = vireo_domain_config_parse (bad->str, -1, "uefi-secure.xml", &error);
      assert_null (config);
      assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
      if (strstr (error->message, cases[i].expect) == NULL || !g_str_has_prefix (error->message, "VM 'win11': "))
        fail_msg ("case %u: '%s' lacks '%s'", i, error->message, cases[i].expect);
      assert_null (strchr (error->message, '\n'));
    }
}

/* <tpm>: an emulated TPM 2.0 is modelled and written back in libvirt's
 * shape, its backend's other children kept; what swtpm cannot be is
 * refused in one line. */
static void
test_tpm (void **state)
{
  static const struct { const char *tpm; const char *expect; } cases[] = {
    { "<tpm model='tpm-tis'><backend type='passthrough'><device path='/dev/tpm0'/></backend></tpm>",
      "<tpm> passthrough of the host's TPM is not supported (emulator only)" },
    { "<tpm model='tpm-tis'><backend type='emulator' version='1.2'/></tpm>",
      "<tpm> version '1.2' is not supported (2.0 only)" },
    { "<tpm model='tpm-spapr'><backend type='emulator'/></tpm>", "<tpm model='tpm-spapr'> is not supported" },
    { "<tpm model='tpm-crb'/>", "<tpm> without a <backend>" },
    { "<tpm model='tpm-crb'><backend type='emulator'/></tpm><tpm><backend type='emulator'/></tpm>",
      "more than one <tpm>" },
  };
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("tpm.xml");
  g_autoptr(VireoDomainConfig) tis = NULL;

  assert_string_equal (config->tpm_model, "tpm-crb");
  assert_int_equal (config->tpm_extra->len, 1);
  assert_false (kept (config->extra_devices, "tpm"));
  assert_true (vireo_domain_config_validate (config, NULL));
  assert_roundtrip (config, "tpm.xml");

  /* libvirt's defaults: tpm-tis, version 2.0 for the emulator */
  tis = vireo_domain_config_parse ("<domain type='kvm'><name>t</name><memory unit='MiB'>512</memory>"
                                   "<os><type>hvm</type></os><devices><tpm><backend type='emulator'/>"
                                   "</tpm></devices></domain>", -1, "t.xml", NULL);
  assert_non_null (tis);
  assert_string_equal (tis->tpm_model, "tpm-tis");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *xml = g_strdup_printf (
          "<domain type='kvm'><name>bad</name><memory unit='MiB'>512</memory>"
          "<os><type>hvm</type></os><devices>%s</devices></domain>", cases[i].tpm);
      g_autoptr(GError) error = NULL;
      g_autoptr(VireoDomainConfig) bad = vireo_domain_config_parse (xml, -1, "case.xml", &error);

      if (bad != NULL || error == NULL)
        fail_msg ("case %u parsed: %s", i, xml);
      if (strstr (error->message, cases[i].expect) == NULL)
        fail_msg ("case %u: '%s' lacks '%s'", i, error->message, cases[i].expect);
      assert_null (strchr (error->message, '\n'));
    }
}

/* <nvram> on a BIOS VM means nothing: refused rather than dropped */
static void
test_uefi_settings_need_efi (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("kernel-boot.xml");
  g_autoptr(GError) error = NULL;

  config->nvram = g_strdup ("/srv/images/tiny_VARS.qcow2");
  assert_false (vireo_domain_config_validate (config, &error));
  assert_non_null (strstr (error->message, "<nvram> and firmware features need UEFI"));
}

static char *
read_fixture (const char *name)
{
  g_autofree char *path = vireo_test_srcpath ("data", "domain", name, NULL);
  char *text = NULL;

  assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* Everything @name says comes back, twice over.  Returns: the model */
static VireoDomainConfig *
assert_lossless (const char *name)
{
  g_autofree char *input = read_fixture (name);
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse (input, -1, name, NULL);
  g_autofree char *xml = NULL;
  g_autofree char *want = vireo_test_canonical_xml (input);
  g_autofree char *got = NULL;

  assert_non_null (config);
  xml = vireo_domain_config_format (config);
  got = vireo_test_canonical_xml (xml);
  assert_string_equal (got, want);
  assert_roundtrip (config, name);
  return g_steal_pointer (&config);
}

static void
test_lossless (void **state)
{
  g_autoptr(VireoDomainConfig) config = assert_lossless ("lossless.xml");
  g_autoptr(VireoDomainConfig) socket = assert_lossless ("lossless-socket.xml");
  VireoDiskConfig *cdrom = g_ptr_array_index (socket->disks, 0);
  g_auto(GStrv) unapplied = NULL;

  assert_true (socket->vnc);
  assert_string_equal (cdrom->cache, "writeback");
  assert_string_equal (config->vnc_keymap, "de");
  assert_int_equal (config->current_vcpus, 2);

  unapplied = vireo_domain_config_list_unapplied (config);
  assert_true (g_strv_contains ((const char * const *) unapplied, "CPU pinning (<vcpu cpuset='0-3,^2'>)"));
  assert_true (g_strv_contains ((const char * const *) unapplied, "CPU tuning and pinning (<cputune>)"));
  assert_true (g_strv_contains ((const char * const *) unapplied, "guest NUMA topology (<numa>)"));
  assert_true (g_strv_contains ((const char * const *) unapplied,
                                "VNC listen address and port (Vireo serves VNC on its own socket)"));
  /* disk, NIC, video, RNG, balloon and agent channel; the controllers' are libvirt's own */
  assert_true (g_strv_contains ((const char * const *) unapplied,
                                "the device addresses of 6 devices (libvirt's device layout)"));
}

static void
replace_once (char       **text,
              const char  *from,
              const char  *to)
{
  g_auto(GStrv) parts = g_strsplit (*text, from, -1);

  assert_int_equal (g_strv_length (parts), 2);
  g_free (*text);
  *text = g_strjoinv (to, parts);
}

/* An edit through the model changes that field and nothing else */
static void
test_one_field_edit (void **state)
{
  g_autofree char *input = read_fixture ("lossless.xml");
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse (input, -1, "lossless.xml", NULL);
  VireoNicConfig *nic = g_ptr_array_index (config->nics, 0);
  g_autofree char *xml = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;

  config->memory_kib = 4 * 1024 * 1024;
  g_free (nic->model);
  nic->model = g_strdup ("virtio");
  xml = vireo_domain_config_format (config);
  replace_once (&input, ">2097152</memory>", ">4194304</memory>");
  replace_once (&input, "<model type=\"e1000e\"/>", "<model type=\"virtio\"/>");
  want = vireo_test_canonical_xml (input);
  got = vireo_test_canonical_xml (xml);
  assert_string_equal (got, want);
}

/* What virt-install --print-xml writes (make-fixtures.sh in that folder):
 * the boot phase and the install phase of five OS variants */
static const char *virt_install_fixtures[] = {
  "win11", "win11-secure-boot", "debian11", "fedora37", "ubuntu22.04", "linux2022", NULL
};

/* A realistic document comes back whole, in its own order */
static void
assert_virt_install_lossless (const char *file)
{
  g_autofree char *name = g_build_filename ("virt-install", file, NULL);
  g_autofree char *input = read_fixture (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse (input, -1, file, &error);
  g_autofree char *xml = NULL;
  g_autofree char *want = vireo_test_canonical_xml (input);
  g_autofree char *got = NULL;

  assert_no_error (error);
  xml = vireo_domain_config_format (config);
  got = vireo_test_canonical_xml (xml);
  if (g_strcmp0 (got, want) != 0)
    {
      fprintf (stderr, "--- %s (input)\n%s\n--- formatted\n%s\n", file, input, xml);
      fail_msg ("%s does not round-trip", file);
    }
  assert_roundtrip (config, name);
}

/* One edit through the model changes that field and nothing else */
static void
assert_virt_install_edit (const char *file)
{
  g_autofree char *name = g_build_filename ("virt-install", file, NULL);
  g_autofree char *input = read_fixture (name);
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse (input, -1, file, NULL);
  g_autofree char *from = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;

  assert_non_null (config);
  from = g_strdup_printf ("<memory>%" G_GUINT64_FORMAT "</memory>", config->memory_kib);
  config->memory_kib += 1024 * 1024;
  xml = vireo_domain_config_format (config);
  {
    g_autofree char *to = g_strdup_printf ("<memory>%" G_GUINT64_FORMAT "</memory>", config->memory_kib);
    replace_once (&input, from, to);
  }
  want = vireo_test_canonical_xml (input);
  got = vireo_test_canonical_xml (xml);
  assert_string_equal (got, want);
}

/* What Windows 11's document says that Vireo keeps but does not run is
 * named, each once */
static void
test_virt_install_unapplied (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("virt-install/win11.xml");
  g_auto(GStrv) lines = vireo_domain_config_list_unapplied (config);
  static const char *want[] = {
    "guest clock offset and timers (<clock>)",
    "Hyper-V enlightenments (<hyperv>)",
    "guest channels other than the QEMU guest agent (SPICE…) (<channel>)",
    "SPICE display (Vireo shows the screen over VNC) (<graphics>)",
    "sound card (<sound>)",
    "USB redirection (<redirdev>)",
    NULL
  };

  for (guint i = 0; want[i]; i++)
    if (!g_strv_contains ((const char * const *) lines, want[i]))
      fail_msg ("'%s' is not listed as kept", want[i]);
  assert_int_equal (g_strv_length (lines), g_strv_length ((char **) want));
}

static void
test_virt_install_corpus (void **state)
{
  for (guint i = 0; virt_install_fixtures[i]; i++)
    for (guint phase = 0; phase < 2; phase++)
      {
        g_autofree char *file = g_strdup_printf ("%s%s.xml", virt_install_fixtures[i],
                                                 phase ? "-install" : "");

        assert_virt_install_lossless (file);
        assert_virt_install_edit (file);
      }
}

static VireoDomainConfig *
parse_devices (const char *devices)
{
  g_autofree char *xml = g_strdup_printf ("<domain type='kvm'><name>dev</name><memory unit='MiB'>512</memory>"
                                          "<os><type>hvm</type></os><devices>%s</devices></domain>", devices);
  g_autoptr(GError) error = NULL;
  VireoDomainConfig *config = vireo_domain_config_parse (xml, -1, "dev.xml", &error);

  assert_no_error (error);
  return config;
}

/* No <video> stays none; an explicit none stays said; the unix socket
 * of a VNC display is kept */
static void
test_video_and_socket (void **state)
{
  g_autoptr(VireoDomainConfig) bare = parse_devices ("<graphics type='vnc' socket='/run/vnc.sock'/>");
  g_autoptr(VireoDomainConfig) none = parse_devices ("<video><model type='none'/></video>");
  g_autofree char *bare_xml = vireo_domain_config_format (bare);
  g_autofree char *none_xml = vireo_domain_config_format (none);
  g_auto(GStrv) lines = vireo_domain_config_list_unapplied (none);

  assert_null (bare->video_model);
  assert_false (bare->video_none);
  assert_null (strstr (bare_xml, "<video"));
  assert_non_null (strstr (bare_xml, "<graphics type=\"vnc\" socket=\"/run/vnc.sock\"/>"));
  assert_null (none->video_model);
  assert_true (none->video_none);
  assert_non_null (strstr (none_xml, "<video>\n      <model type=\"none\"/>\n    </video>"));
  assert_null (lines[0]);
}

static gboolean
has_layout (const char *xml)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse (xml, -1, "pci.xml", NULL);
  g_autoptr(VireoPciLayout) layout = NULL;

  assert_non_null (config);
  layout = vireo_domain_config_pci_layout (config);
  return layout != NULL;
}

/* libvirt's PCI layout is applied whole or not at all */
static void
test_pci_layout (void **state)
{
  g_autofree char *whole = read_fixture ("pci-layout.xml");
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse (whole, -1, "pci-layout.xml", NULL);
  g_autoptr(VireoDomainConfig) lossless = vireo_test_parse_domain_file ("lossless.xml");
  g_autoptr(VireoPciLayout) layout = vireo_domain_config_pci_layout (config);
  g_autoptr(VireoPciLayout) none = vireo_domain_config_pci_layout (lossless);
  g_auto(GStrv) applied = vireo_domain_config_list_unapplied (config);
  g_auto(GStrv) kept = vireo_domain_config_list_unapplied (lossless);
  static const struct { const char *from, *to; } broken[] = {
    /* a device on a bus no controller makes */
    { "bus='0x06' slot='0x00'", "bus='0x09' slot='0x00'" },
    /* two devices in one place */
    { "bus='0x06' slot='0x00'", "bus='0x05' slot='0x00'" },
    /* two devices without a place, one empty root port for them */
    { "<serial type='pty'>", "<interface type='user'><mac address='52:54:00:5e:1a:78'/></interface>"
                             "<interface type='user'><mac address='52:54:00:5e:1a:79'/></interface><serial type='pty'>" },
    /* a bus Vireo does not make */
    { "model='pcie-root-port'>\n      <model name='pcie-root-port'/>\n      <target chassis='7'",
      "model='pcie-to-pci-bridge'>\n      <model name='pcie-pci-bridge'/>\n      <target chassis='7'" },
    /* an address past what PCI has */
    { "bus='0x06' slot='0x00'", "bus='0x06' slot='0x20'" },
    /* where q35's own SATA controller is */
    { "bus='0x00' slot='0x01' function='0x0'", "bus='0x00' slot='0x1f' function='0x0'" },
    /* another PCI domain */
    { "domain='0x0000' bus='0x06'", "domain='0x0001' bus='0x06'" },
  };

  assert_non_null (layout);
  assert_roundtrip (config, "pci-layout.xml");
  assert_int_equal (layout->controllers->len, 7);
  assert_int_equal (vireo_pci_layout_lookup (layout, "disk/vda")->bus, 4);
  assert_int_equal (vireo_pci_layout_lookup (layout, "video")->slot, 1);
  assert_int_equal (vireo_pci_layout_lookup (layout, "virtio-serial")->bus, 3);
  for (guint i = 0; applied[i]; i++)
    assert_null (strstr (applied[i], "device address"));
  /* lossless.xml names buses it has no root ports for */
  assert_null (none);
  assert_true (g_strv_contains ((const char * const *) kept,
                                "the device addresses of 6 devices (libvirt's device layout)"));
  assert_true (has_layout (whole));
  /* a device added since libvirt laid it out goes on the next empty root port */
  {
    g_auto(GStrv) parts = g_strsplit (whole, "<address type='pci' domain='0x0000' bus='0x06' slot='0x00' "
                                             "function='0x0'/>", -1);
    g_autofree char *xml = g_strjoinv ("", parts);
    g_autoptr(VireoDomainConfig) added = vireo_domain_config_parse (xml, -1, "added.xml", NULL);
    g_autoptr(VireoPciLayout) placed = vireo_domain_config_pci_layout (added);

    assert_non_null (placed);
    assert_int_equal (vireo_pci_layout_lookup (placed, "rng")->bus, 6);
  }
  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_auto(GStrv) parts = g_strsplit (whole, broken[i].from, -1);
      g_autofree char *xml = g_strjoinv (broken[i].to, parts);

      assert_int_equal (g_strv_length (parts), 2);
      if (has_layout (xml))
        fail_msg ("case %u still has a layout", i);
    }
}

/* The entropy device's backend, its file and its rate come back as said */
static void
test_rng (void **state)
{
  g_autoptr(VireoDomainConfig) random = parse_devices ("<rng model='virtio'><backend model='random'>/dev/random</backend>"
                                                       "<rate bytes='1024' period='2000'/></rng>");
  g_autoptr(VireoDomainConfig) builtin = parse_devices ("<rng model='virtio'><backend model='builtin'/></rng>");
  g_autofree char *random_xml = vireo_domain_config_format (random);
  g_autofree char *builtin_xml = vireo_domain_config_format (builtin);

  assert_string_equal (random->rng_device, "/dev/random");
  assert_int_equal (random->rng_rate_bytes, 1024);
  assert_int_equal (random->rng_rate_period_ms, 2000);
  assert_non_null (strstr (random_xml, "<rng model=\"virtio\">\n      <backend model=\"random\">/dev/random</backend>\n"
                                       "      <rate bytes=\"1024\" period=\"2000\"/>\n    </rng>"));
  assert_null (builtin->rng_device);
  assert_non_null (strstr (builtin_xml, "<rng model=\"virtio\">\n      <backend model=\"builtin\"/>\n    </rng>"));
  for (guint i = 0; i < 2; i++)
    {
      const char *xml = i == 0 ? random_xml : builtin_xml;
      g_autoptr(VireoDomainConfig) again = vireo_domain_config_parse (xml, -1, "rng.xml", NULL);
      g_autofree char *xml2 = vireo_domain_config_format (again);

      assert_string_equal (xml, xml2);
    }
}

/* An element the formatter no longer writes takes its leftovers along:
 * an ejected CD-ROM's <source startupPolicy> goes with the media */
static void
test_extras_follow_elements (void **state)
{
  g_autoptr(VireoDomainConfig) config =
    parse_devices ("<disk type='file' device='cdrom'><source file='/a.iso' startupPolicy='optional'/>"
                   "<target dev='sda' bus='sata' tray='open'/></disk>");
  VireoDiskConfig *cdrom = g_ptr_array_index (config->disks, 0);
  g_autofree char *loaded = vireo_domain_config_format (config);
  g_autofree char *ejected = NULL;

  assert_non_null (strstr (loaded, "<source file=\"/a.iso\" startupPolicy=\"optional\"/>"));
  g_clear_pointer (&cdrom->path, g_free);
  ejected = vireo_domain_config_format (config);
  assert_null (strstr (ejected, "startupPolicy"));
  assert_non_null (strstr (ejected, "<target dev=\"sda\" bus=\"sata\" tray=\"open\"/>"));
}

/* Formats @devices parsed in a bare domain, and its devices alone */
static char *
format_devices_of (VireoDomainConfig *config)
{
  g_autofree char *xml = vireo_domain_config_format (config);
  const char *start = strstr (xml, "<devices>");
  const char *end = strstr (xml, "</devices>");

  assert_non_null (start);
  assert_non_null (end);
  return g_strndup (start, end - start);
}

static void
assert_in_order (const char *text,
                 const char *first,
                 const char *second)
{
  const char *a = strstr (text, first);
  const char *b = strstr (text, second);

  if (a == NULL || b == NULL || a > b)
    fail_msg ("'%s' is not before '%s' in:\n%s", first, second, text);
}

/* Children come back in the document's order, kept ones among modelled
 * ones; a device added since goes after its kind's last */
static void
test_document_order (void **state)
{
  g_autoptr(VireoDomainConfig) config =
    parse_devices ("<emulator>/usr/bin/qemu-system-x86_64</emulator>"
                   "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                   "<source file='/a.qcow2'/><target dev='vda' bus='virtio'/></disk>"
                   "<controller type='usb' model='qemu-xhci'/>"
                   "<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/></interface>"
                   "<channel type='unix'><source mode='bind'/><target type='virtio' name='org.qemu.guest_agent.0'/>"
                   "</channel><memballoon model='virtio'/>"
                   "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>");
  g_autofree char *devices = format_devices_of (config);
  g_autofree char *added = NULL;

  assert_in_order (devices, "<emulator>", "<disk");
  assert_in_order (devices, "<disk", "<controller");
  assert_in_order (devices, "<controller", "<interface");
  assert_in_order (devices, "<source mode=\"bind\"/>", "<target type=\"virtio\"");
  assert_in_order (devices, "<memballoon", "<rng");
  g_ptr_array_add (config->disks, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO,
                                                         "qcow2", "/b.qcow2"));
  ((VireoDiskConfig *) g_ptr_array_index (config->disks, 1))->target = g_strdup ("vdb");
  added = format_devices_of (config);
  assert_in_order (added, "/a.qcow2", "/b.qcow2");
  assert_in_order (added, "/b.qcow2", "<controller");
}

/* What libvirt adds by default is left out when the document left it
 * out, and written once an edit makes it more than the default */
static void
test_unsaid_defaults (void **state)
{
  g_autoptr(VireoDomainConfig) config =
    parse_devices ("<disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>"
                   "<console type='pty'/><graphics type='spice' autoport='yes'/>"
                   "<tpm model='tpm-crb'><backend type='emulator'/></tpm>");
  VireoDiskConfig *cdrom = g_ptr_array_index (config->disks, 0);
  g_autofree char *xml = vireo_domain_config_format (config);
  g_autofree char *edited = NULL;

  /* Vireo runs what libvirt would: a balloon, a serial port, VNC */
  assert_true (config->balloon && config->serial && config->vnc);
  assert_non_null (strstr (xml, "<memory unit=\"KiB\">524288</memory>"));
  assert_null (strstr (xml, "<driver"));
  assert_null (strstr (xml, "<memballoon"));
  assert_null (strstr (xml, "<serial"));
  assert_non_null (strstr (xml, "<console type=\"pty\"/>"));
  assert_null (strstr (xml, "type=\"vnc\""));
  assert_non_null (strstr (xml, "<backend type=\"emulator\"/>"));

  config->balloon = FALSE;
  config->vnc_keymap = g_strdup ("de");
  g_free (cdrom->format);
  cdrom->format = g_strdup ("qcow2");
  edited = vireo_domain_config_format (config);
  assert_non_null (strstr (edited, "<memballoon model=\"none\"/>"));
  assert_non_null (strstr (edited, "<graphics type=\"vnc\" keymap=\"de\"/>"));
  assert_non_null (strstr (edited, "<driver name=\"qemu\" type=\"qcow2\"/>"));
}

/* <memory> with no unit is in KiB and stays without one, also edited */
static void
test_memory_without_unit (void **state)
{
  static const char xml[] = "<domain type='qemu'><name>bare</name><memory>524288</memory>"
                            "<currentMemory unit='KiB'>262144</currentMemory>"
                            "<os><type>hvm</type></os></domain>";
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_parse (xml, -1, "bare.xml", NULL);
  g_autofree char *out = NULL;

  assert_non_null (config);
  assert_int_equal (config->memory_kib, 524288);
  config->memory_kib = 1048576;
  out = vireo_domain_config_format (config);
  assert_non_null (strstr (out, "<memory>1048576</memory>"));
  assert_non_null (strstr (out, "<currentMemory unit=\"KiB\">262144</currentMemory>"));
}

/* A disk moved to another bus leaves libvirt's PCI slot of the old one */
static void
test_bus_change_drops_address (void **state)
{
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("virsh-simple.xml");
  g_autofree char *xml = NULL;

  assert_non_null (vireo_domain_config_set_disk_bus (config, "vda", VIREO_DISK_BUS_SATA));
  xml = vireo_domain_config_format (config);
  assert_null (strstr (xml, "bus=\"0x04\""));
  assert_non_null (strstr (xml, "bus=\"0x01\""));
}

/* A hostile document's many children (20,000 controllers between two
 * inputs, 20,000 <target>s in one disk) parse and come back in their
 * order: keeping their paths and order was quadratic, minutes at this
 * size, and the test would time out rather than pass. */
static void
test_many_children (void **state)
{
  g_autoptr(GString) devices = g_string_new ("<input type='tablet' bus='usb'/>");
  g_autoptr(VireoDomainConfig) config = NULL;
  g_autofree char *xml = NULL;
  const guint count = 20000;

  for (guint i = 0; i < count; i++)
    g_string_append_printf (devices, "<controller type='usb' index='%u'/>", i);
  g_string_append (devices, "<input type='keyboard' bus='usb'/>"
                            "<disk type='file' device='disk'><source file='/a.qcow2'/>");
  for (guint i = 0; i < count; i++)
    g_string_append_printf (devices, "<target dev='vda' bus='virtio' n='%u'><a/><b/></target>", i);
  g_string_append (devices, "</disk>");
  config = parse_devices (devices->str);
  xml = vireo_domain_config_format (config);
  assert_in_order (xml, "<input type=\"tablet\"", "index=\"0\"");
  assert_in_order (xml, "index=\"19999\"", "<input type=\"keyboard\"");
  assert_in_order (xml, "<input type=\"keyboard\"", "<disk");
  assert_non_null (strstr (xml, "n=\"0\""));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_virsh_dumpxml_imports),
    cmocka_unit_test (test_kernel_boot),
    cmocka_unit_test (test_new_default),
    cmocka_unit_test (test_device_errors),
    cmocka_unit_test (test_domain_errors),
    cmocka_unit_test (test_document_errors),
    cmocka_unit_test (test_memory_units),
    cmocka_unit_test (test_disk_edits),
    cmocka_unit_test (test_backing_store),
    cmocka_unit_test (test_backing_chain),
    cmocka_unit_test (test_backing_chain_limits),
    cmocka_unit_test (test_virt_manager_spice),
    cmocka_unit_test (test_virtio_scsi),
    cmocka_unit_test (test_describe_boot),
    cmocka_unit_test (test_port_forwards),
    cmocka_unit_test (test_port_forward_rules),
    cmocka_unit_test (test_port_forward_xml_errors),
    cmocka_unit_test (test_port_forward_spec),
    cmocka_unit_test (test_port_forward_hostfwd),
    cmocka_unit_test (test_use_user_networking),
    cmocka_unit_test (test_uefi_secure_roundtrip),
    cmocka_unit_test (test_uefi_plain_and_back_to_bios),
    cmocka_unit_test (test_uefi_rules),
    cmocka_unit_test (test_uefi_settings_need_efi),
    cmocka_unit_test (test_tpm),
    cmocka_unit_test (test_lossless),
    cmocka_unit_test (test_one_field_edit),
    cmocka_unit_test (test_virt_install_corpus),
    cmocka_unit_test (test_virt_install_unapplied),
    cmocka_unit_test (test_video_and_socket),
    cmocka_unit_test (test_rng),
    cmocka_unit_test (test_pci_layout),
    cmocka_unit_test (test_extras_follow_elements),
    cmocka_unit_test (test_bus_change_drops_address),
    cmocka_unit_test (test_document_order),
    cmocka_unit_test (test_unsaid_defaults),
    cmocka_unit_test (test_memory_without_unit),
    cmocka_unit_test (test_many_children),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
