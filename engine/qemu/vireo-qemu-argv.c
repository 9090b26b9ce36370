/* vireo-qemu-argv.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>

#include "vireo-domain-config-pci.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-ids.h"
#include "vireo-qemu-argv.h"
#include "vireo-i18n.h"

/* Device and block values are JSON objects built with json-glib, so a
 * user's string (a path with a comma, say) can never add an option. */
static void
add_json (GPtrArray   *argv,
          const char  *option,
          JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  g_ptr_array_add (argv, g_strdup (option));
  g_ptr_array_add (argv, json_to_string (root, FALSE));
}

static void
add_pair (GPtrArray  *argv,
          const char *option,
          const char *value)
{
  g_ptr_array_add (argv, g_strdup (option));
  g_ptr_array_add (argv, g_strdup (value));
}

static void
add_member_string (JsonBuilder *b,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_member_int (JsonBuilder *b,
                const char  *name,
                gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_member_bool (JsonBuilder *b,
                 const char  *name,
                 gboolean     value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

/* QEMU's option strings split on commas and read ",," as one comma:
 * a path spliced into one has its commas doubled. */
/* A PCI device's place: "bus" (the root bus or libvirt's "pci.N"), "addr"
 * ("0xSLOT" or "0xSLOT.0xFUNCTION") and "multifunction" */
static void
add_pci_address (JsonBuilder           *b,
                 const char            *root_bus,
                 const VireoPciAddress *address)
{
  g_autofree char *bus = address->bus == 0 ? g_strdup (root_bus) : g_strdup_printf ("pci.%u", address->bus);
  g_autofree char *addr = address->function == 0
                          ? g_strdup_printf ("0x%x", address->slot)
                          : g_strdup_printf ("0x%x.0x%x", address->slot, address->function);

  add_member_string (b, "bus", bus);
  add_member_string (b, "addr", addr);
  if (address->multifunction)
    add_member_bool (b, "multifunction", TRUE);
}

/* libvirt's PCI layout when it is applied (pci is NULL when QEMU lays
 * the devices out), and the machine's root bus */
typedef struct {
  const VireoPciLayout *pci;
  const char *root_bus;
} Placement;

/* Where the layout puts device @key */
static void
add_pci_place (JsonBuilder     *b,
               const Placement *place,
               const char      *key)
{
  const VireoPciAddress *address = place->pci ? vireo_pci_layout_lookup (place->pci, key) : NULL;

  if (address != NULL)
    add_pci_address (b, place->root_bus, address);
}

/* A device of the VM's own that is a plain driver and id, placed */
static void
add_placed_device (GPtrArray       *argv,
                   const Placement *place,
                   const char      *driver,
                   const char      *id,
                   const char      *key)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_member_string (b, "driver", driver);
  add_member_string (b, "id", id);
  add_pci_place (b, place, key);
  json_builder_end_object (b);
  add_json (argv, "-device", b);
}

/* The root ports and bridges of libvirt's layout, in index order (each
 * after the bus it sits on) */
static void
add_pci_buses (GPtrArray       *argv,
               const Placement *place)
{
  for (guint i = 0; place->pci && i < place->pci->controllers->len; i++)
    {
      const VireoPciController *c = g_ptr_array_index (place->pci->controllers, i);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autofree char *id = g_strdup_printf ("pci.%u", c->index);

      json_builder_begin_object (b);
      add_member_string (b, "driver", c->root_port ? "pcie-root-port" : "pci-bridge");
      if (c->root_port)
        {
          add_member_int (b, "port", c->port);
          add_member_int (b, "chassis", c->chassis);
        }
      else
        add_member_int (b, "chassis_nr", c->chassis);
      add_member_string (b, "id", id);
      add_pci_address (b, place->root_bus, &c->address);
      json_builder_end_object (b);
      add_json (argv, "-device", b);
    }
}

static char *
escape_option_value (const char *value)
{
  g_auto(GStrv) parts = g_strsplit (value, ",", -1);

  return g_strjoinv (",,", parts);
}

static void
add_null_member (JsonBuilder *b,
                 const char  *name)
{
  json_builder_set_member_name (b, name);
  json_builder_add_null_value (b);
}

/* The configuration values that go into option strings rather than JSON
 * are checked again here against the same rules as validation, so a
 * config that skipped vireo_domain_config_validate() still cannot add
 * an option. */
static gboolean
check_option_values (const VireoDomainConfig *config,
                     GError                 **error)
{
  const char *bad = NULL;

  if (!vireo_name_validate (config->name, error))
    return FALSE;
  if (!vireo_uuid_is_valid (config->uuid))
    bad = "uuid";
  else if (!vireo_machine_type_is_valid (config->machine))
    bad = "machine";
  else if (g_strcmp0 (config->cpu_mode, "custom") == 0 && !vireo_cpu_model_is_valid (config->cpu_model))
    bad = "cpu";
  for (guint i = 0; bad == NULL && i < config->disks->len; i++)
    {
      const VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);

      if (!g_regex_match_simple ("^(vd|sd|hd)[a-z]{1,2}$", disk->target, G_REGEX_DOLLAR_ENDONLY, 0))
        bad = "target";
      else if (!g_str_equal (disk->format, "qcow2") && !g_str_equal (disk->format, "raw"))
        bad = "driver";
    }
  if (bad == NULL)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               /* Translators: %s is a QEMU option or field: "machine", "cpu", "uuid" */
               _("VM '%s': its %s value is not valid for QEMU; fix the definition"),
               config->name, bad);
  return FALSE;
}

static const char *
cpu_model (const VireoDomainConfig *config,
           VireoAccel               accel)
{
  if (g_strcmp0 (config->cpu_mode, "custom") == 0)
    return config->cpu_model;
  if (g_strcmp0 (config->cpu_mode, "maximum") == 0)
    return "max";
  /* host-passthrough, host-model and no <cpu>: the host's CPU under KVM;
   * TCG refuses "host", and "max" is the closest it can do. */
  return accel == VIREO_ACCEL_KVM ? "host" : "max";
}

static char *
boot_order_string (const VireoDomainConfig *config)
{
  GString *order = g_string_new (NULL);

  for (guint i = 0; i < config->boot_devs->len; i++)
    {
      const char *dev = g_ptr_array_index (config->boot_devs, i);
      g_string_append_c (order, g_str_equal (dev, "hd") ? 'c' :
                                g_str_equal (dev, "cdrom") ? 'd' :
                                g_str_equal (dev, "network") ? 'n' : 'a');
    }
  return g_string_free (order, FALSE);
}

/* The node names of @disk's base @i (0: the nearest): base-vda and
 * base-file-vda, then base-vda-2, base-file-vda-2… */
static char *
base_node_name (const VireoDiskConfig *disk,
                guint                  i,
                gboolean               file)
{
  const char *layer = file ? "base-file" : "base";

  return i ? g_strdup_printf ("%s-%s-%u", layer, disk->target, i + 1)
           : g_strdup_printf ("%s-%s", layer, disk->target);
}

/* A chain Vireo made, pinned: every base a read-only file and qcow2 node
 * pair naming the next as its backing, the last with none, so QEMU never
 * follows a backing file named inside an image.  Deepest first: a node
 * names only nodes that already exist. */
static void
add_backing (GPtrArray             *argv,
             const VireoDiskConfig *disk)
{
  for (guint i = vireo_disk_config_n_bases (disk); i > 0; i--)
    {
      g_autofree char *file_node = base_node_name (disk, i - 1, TRUE);
      g_autofree char *base_node = base_node_name (disk, i - 1, FALSE);
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_member_string (b, "driver", "file");
      add_member_string (b, "filename", disk->backing[i - 1]);
      add_member_string (b, "node-name", file_node);
      add_member_bool (b, "read-only", TRUE);
      /* a base only read, as read-only media: the portal has no locks */
      if (vireo_file_in_document_portal (disk->backing[i - 1]))
        add_member_string (b, "locking", "off");
      json_builder_end_object (b);
      add_json (argv, "-blockdev", b);
      g_clear_object (&b);

      b = json_builder_new ();
      json_builder_begin_object (b);
      add_member_string (b, "node-name", base_node);
      add_member_string (b, "driver", "qcow2");
      add_member_string (b, "file", file_node);
      add_member_bool (b, "read-only", TRUE);
      if (disk->backing[i] == NULL)
        add_null_member (b, "backing");
      else
        {
          g_autofree char *next = base_node_name (disk, i, FALSE);
          add_member_string (b, "backing", next);
        }
      json_builder_end_object (b);
      add_json (argv, "-blockdev", b);
    }
}

/**
 * vireo_qemu_disk_node:
 * Returns: (transfer full): the node name of @disk's format layer (the
 *   qcow2 or raw node the device reads), as QMP commands name the disk
 */
char *
vireo_qemu_disk_node (const VireoDiskConfig *disk)
{
  return g_strdup_printf ("disk-%s", disk->target);
}

/* What a <driver cache> mode means, as libvirt maps it
 * (qemuDomainDiskCachemodeFlags): the guest-visible write cache
 * (write-cache on the device), bypassing the host's page cache
 * (cache.direct, O_DIRECT) and ignoring flushes (cache.no-flush).
 * Returns FALSE for no mode: QEMU's defaults stay. */
static gboolean
cache_flags (const char *mode,
             gboolean   *write_cache,
             gboolean   *direct,
             gboolean   *no_flush)
{
  static const struct { const char *mode; gboolean write_cache, direct, no_flush; } modes[] = {
    { "none", TRUE, TRUE, FALSE }, { "writeback", TRUE, FALSE, FALSE },
    { "writethrough", FALSE, FALSE, FALSE }, { "directsync", FALSE, TRUE, FALSE },
    { "unsafe", TRUE, FALSE, TRUE },
  };

  for (guint i = 0; mode != NULL && i < G_N_ELEMENTS (modes); i++)
    if (g_str_equal (mode, modes[i].mode))
      {
        *write_cache = modes[i].write_cache;
        *direct = modes[i].direct;
        *no_flush = modes[i].no_flush;
        return TRUE;
      }
  return FALSE;
}

/* "cache": {"direct": …, "no-flush": …} on a -blockdev node, or
 * "write-cache" on the device (@device) */
static void
add_cache (JsonBuilder           *b,
           const VireoDiskConfig *disk,
           gboolean               device)
{
  gboolean write_cache, direct, no_flush;

  if (!cache_flags (disk->cache, &write_cache, &direct, &no_flush))
    return;
  if (device)
    {
      add_member_string (b, "write-cache", write_cache ? "on" : "off");
      return;
    }
  json_builder_set_member_name (b, "cache");
  json_builder_begin_object (b);
  add_member_bool (b, "direct", direct);
  add_member_bool (b, "no-flush", no_flush);
  json_builder_end_object (b);
}

/* A SCSI disk or CD-ROM on the virtio-scsi controller scsi0, at the
 * place its <address> or its target name gives it. */
static void
add_scsi_place (JsonBuilder           *b,
                const VireoDiskConfig *disk)
{
  guint scsi_id, lun;

  vireo_disk_config_scsi_place (disk, &scsi_id, &lun);
  add_member_string (b, "driver", disk->device == VIREO_DISK_DEVICE_CDROM ? "scsi-cd" : "scsi-hd");
  add_member_string (b, "bus", "scsi0.0");
  add_member_int (b, "channel", 0);
  add_member_int (b, "scsi-id", scsi_id);
  add_member_int (b, "lun", lun);
}

/* The one virtio-scsi controller, when a disk is on bus 'scsi' (the
 * <controller type='scsi'> element itself is kept as written). */
static void
add_scsi_controller (GPtrArray               *argv,
                     const VireoDomainConfig *config,
                     const Placement         *place)
{
  for (guint i = 0; i < config->disks->len; i++)
    if (((VireoDiskConfig *) g_ptr_array_index (config->disks, i))->bus == VIREO_DISK_BUS_SCSI)
      {
        add_placed_device (argv, place, "virtio-scsi-pci", "scsi0", "scsi");
        return;
      }
}

static void
add_disk (GPtrArray               *argv,
          const VireoDomainConfig *config,
          const VireoDiskConfig   *disk,
          const Placement         *place)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *file_node = g_strdup_printf ("file-%s", disk->target);
  g_autofree char *disk_node = vireo_qemu_disk_node (disk);
  int index = disk->target[2] - 'a';

  add_backing (argv, disk);
  if (disk->path != NULL)
    {
      b = json_builder_new ();
      json_builder_begin_object (b);
      add_member_string (b, "driver", g_str_has_prefix (disk->path, "/dev/") ? "host_device" : "file");
      add_member_string (b, "filename", disk->path);
      add_member_string (b, "node-name", file_node);
      add_member_bool (b, "read-only", disk->readonly);
      add_member_string (b, "discard", g_strcmp0 (disk->discard, "ignore") == 0 ? "ignore" : "unmap");
      add_cache (b, disk, FALSE);
      /* the document portal has no locks; a writable image there was
       * refused (vireo_storage_check_images()) */
      if (disk->readonly && vireo_file_in_document_portal (disk->path))
        add_member_string (b, "locking", "off");
      json_builder_end_object (b);
      add_json (argv, "-blockdev", b);
      g_clear_object (&b);

      b = json_builder_new ();
      json_builder_begin_object (b);
      add_member_string (b, "node-name", disk_node);
      add_member_string (b, "driver", disk->format);
      add_member_string (b, "file", file_node);
      add_member_bool (b, "read-only", disk->readonly);
      /* guest discards reach the file only through an unmapping format node */
      if (g_strcmp0 (disk->discard, "unmap") == 0)
        add_member_string (b, "discard", "unmap");
      add_cache (b, disk, FALSE);
      /* the chain is pinned: QEMU never follows a backing file named in
       * the image's header (a host file it would expose to the guest) */
      if (g_str_equal (disk->format, "qcow2") && vireo_disk_config_n_bases (disk) == 0)
        add_null_member (b, "backing");
      else if (g_str_equal (disk->format, "qcow2"))
        {
          g_autofree char *base_node = base_node_name (disk, 0, FALSE);
          add_member_string (b, "backing", base_node);
        }
      json_builder_end_object (b);
      add_json (argv, "-blockdev", b);
      g_clear_object (&b);
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  if (disk->bus == VIREO_DISK_BUS_VIRTIO)
    {
      g_autofree char *key = g_strconcat ("disk/", disk->target, NULL);

      add_member_string (b, "driver", "virtio-blk-pci");
      add_pci_place (b, place, key);
    }
  else if (disk->bus == VIREO_DISK_BUS_SCSI)
    add_scsi_place (b, disk);
  else
    {
      g_autofree char *bus = NULL;

      add_member_string (b, "driver", disk->device == VIREO_DISK_DEVICE_CDROM ? "ide-cd" : "ide-hd");
      if (vireo_domain_config_is_q35 (config))
        bus = g_strdup_printf ("ide.%d", index);   /* one AHCI port each */
      else
        {
          bus = g_strdup_printf ("ide.%d", index / 2);
          add_member_int (b, "unit", index % 2);
        }
      add_member_string (b, "bus", bus);
    }
  if (disk->path != NULL)
    add_member_string (b, "drive", disk_node);
  add_member_string (b, "id", disk->target);
  if (disk->boot_order > 0)
    add_member_int (b, "bootindex", disk->boot_order);
  if (disk->path != NULL)
    add_cache (b, disk, TRUE);
  json_builder_end_object (b);
  add_json (argv, "-device", b);
}

/* NetdevUserOptions.hostfwd: [{"str": "tcp:127.0.0.1:2222-:22"}, …] */
static void
add_hostfwd (JsonBuilder          *b,
             const VireoNicConfig *nic)
{
  if (nic->forwards->len == 0)
    return;
  json_builder_set_member_name (b, "hostfwd");
  json_builder_begin_array (b);
  for (guint i = 0; i < nic->forwards->len; i++)
    {
      g_autofree char *rule = vireo_port_forward_to_hostfwd (g_ptr_array_index (nic->forwards, i));

      json_builder_begin_object (b);
      add_member_string (b, "str", rule);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static gboolean
add_nic (GPtrArray               *argv,
         const VireoDomainConfig *config,
         const VireoNicConfig    *nic,
         guint                    index,
         const Placement         *place,
         const VireoQemuHost     *host,
         GError                 **error)
{
  static const struct { const char *model; const char *device; } models[] = {
    { "virtio", "virtio-net-pci" }, { "e1000e", "e1000e" },
    { "e1000", "e1000" }, { "rtl8139", "rtl8139" },
  };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *id = g_strdup_printf ("net%u", index);
  const char *device = "virtio-net-pci";

  json_builder_begin_object (b);
  if (nic->type == VIREO_NET_USER)
    {
      add_member_string (b, "type", "user");
      add_hostfwd (b, nic);
    }
  else
    {
      int fd = index < host->n_tap_fds ? host->tap_fds[index] : -1;
      g_autofree char *fd_str = NULL;

      if (fd < 0)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                       _("VM '%s': network '%s' is not available"), config->name, nic->network);
          return FALSE;
        }
      fd_str = g_strdup_printf ("%d", fd);
      add_member_string (b, "type", "tap");
      add_member_string (b, "fd", fd_str);
      add_member_bool (b, "vhost", host->accel == VIREO_ACCEL_KVM);
    }
  add_member_string (b, "id", id);
  json_builder_end_object (b);
  add_json (argv, "-netdev", b);
  g_clear_object (&b);

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    if (g_str_equal (nic->model, models[i].model))
      device = models[i].device;

  b = json_builder_new ();
  json_builder_begin_object (b);
  add_member_string (b, "driver", device);
  add_member_string (b, "netdev", id);
  add_member_string (b, "mac", nic->mac);
  add_member_string (b, "id", id);
  {
    g_autofree char *key = g_strdup_printf ("nic/%u", index);
    add_pci_place (b, place, key);
  }
  if (nic->boot_order > 0)
    add_member_int (b, "bootindex", nic->boot_order);
  json_builder_end_object (b);
  add_json (argv, "-device", b);
  return TRUE;
}

static const char *
video_device (const char *model)
{
  static const struct { const char *model; const char *device; } videos[] = {
    { "virtio", "virtio-vga" }, { "vga", "VGA" }, { "cirrus", "cirrus-vga" },
    { "bochs", "bochs-display" }, { "qxl", "qxl-vga" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (videos); i++)
    if (g_str_equal (model, videos[i].model))
      return videos[i].device;
  return "VGA";
}

/* Name, machine, CPU, memory, and the fixed choices: paused at start,
 * no defaults, the monitor on its fd. */
static void
add_machine (GPtrArray               *argv,
             const VireoDomainConfig *config,
             const VireoQemuHost     *host)
{
  g_autofree char *name = escape_option_value (config->name);
  g_autofree char *guest = g_strdup_printf ("guest=%s,debug-threads=on", name);
  g_autofree char *machine = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *smp = NULL;
  g_autofree char *fd = NULL;

  g_ptr_array_add (argv, g_strdup (host->qemu_binary));
  add_pair (argv, "-name", guest);
  add_pair (argv, "-uuid", config->uuid);
  machine = g_strdup_printf ("%s,accel=%s%s", config->machine,
                             host->accel == VIREO_ACCEL_KVM ? "kvm" : "tcg",
                             config->acpi ? "" : ",acpi=off");
  if (vireo_domain_config_uses_efi (config))
    {
      /* the flash nodes add_firmware() makes; SMM for secure boot */
      char *with_flash = g_strdup_printf ("%s,pflash0=pflash0,pflash1=" VIREO_QEMU_NVRAM_NODE "%s", machine,
                                          vireo_domain_config_secure_boot (config) ? ",smm=on" : "");
      g_free (machine);
      machine = with_flash;
    }
  add_pair (argv, "-machine", machine);
  add_pair (argv, "-cpu", cpu_model (config, host->accel));
  memory = g_strdup_printf ("size=%" G_GUINT64_FORMAT "k", config->memory_kib);
  add_pair (argv, "-m", memory);
  /* fewer online at boot than the most: the rest can be plugged later */
  if (config->current_vcpus > 0 && config->current_vcpus < config->vcpus)
    smp = g_strdup_printf ("cpus=%u,maxcpus=%u", config->current_vcpus, config->vcpus);
  else
    smp = g_strdup_printf ("%u", config->vcpus);
  add_pair (argv, "-smp", smp);

  g_ptr_array_add (argv, g_strdup ("-nodefaults"));
  g_ptr_array_add (argv, g_strdup ("-no-user-config"));
  g_ptr_array_add (argv, g_strdup ("-S"));
  g_ptr_array_add (argv, g_strdup ("-no-shutdown"));
  add_pair (argv, "-display", "none");

  fd = g_strdup_printf ("socket,id=mon,fd=%d", VIREO_QEMU_QMP_FD);
  add_pair (argv, "-chardev", fd);
  add_pair (argv, "-mon", "chardev=mon,mode=control");
}

static void
add_flash_node (GPtrArray  *argv,
                const char *node,
                const char *path,
                const char *format,
                gboolean    readonly)
{
  g_autofree char *file_node = g_strdup_printf ("%s-file", node);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_member_string (b, "driver", "file");
  add_member_string (b, "filename", path);
  add_member_string (b, "node-name", file_node);
  add_member_bool (b, "read-only", readonly);
  json_builder_end_object (b);
  add_json (argv, "-blockdev", b);
  g_clear_object (&b);

  b = json_builder_new ();
  json_builder_begin_object (b);
  add_member_string (b, "node-name", node);
  add_member_string (b, "driver", format);
  add_member_string (b, "file", file_node);
  add_member_bool (b, "read-only", readonly);
  if (g_str_equal (format, "qcow2"))
    add_null_member (b, "backing");
  json_builder_end_object (b);
  add_json (argv, "-blockdev", b);
}

/* UEFI: OVMF's code read-only as pflash0, the VM's own variables as
 * pflash1 (qcow2, so internal snapshots carry them), as `-machine
 * pflash0=…,pflash1=…` names them; secure boot locks the flash to SMM. */
static gboolean
add_firmware (GPtrArray               *argv,
              const VireoDomainConfig *config,
              const VireoQemuHost     *host,
              GError                 **error)
{
  if (!vireo_domain_config_uses_efi (config))
    return TRUE;
  if (host->firmware_code == NULL || config->nvram == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': its UEFI firmware or NVRAM file was not chosen before the start"),
                   config->name);
      return FALSE;
    }
  add_flash_node (argv, "pflash0", host->firmware_code, "raw", TRUE);
  add_flash_node (argv, VIREO_QEMU_NVRAM_NODE, config->nvram,
                  vireo_domain_config_nvram_is_qcow2 (config) ? "qcow2" : "raw", FALSE);
  if (vireo_domain_config_secure_boot (config))
    add_pair (argv, "-global", "driver=cfi.pflash01,property=secure,value=on");
  return TRUE;
}

/* Boot order (per device, or the old-style order) and a direct kernel. */
static void
add_boot (GPtrArray               *argv,
          const VireoDomainConfig *config)
{
  gboolean device_boot = FALSE;

  for (guint i = 0; i < config->disks->len; i++)
    device_boot |= ((VireoDiskConfig *) g_ptr_array_index (config->disks, i))->boot_order > 0;
  for (guint i = 0; i < config->nics->len; i++)
    device_boot |= ((VireoNicConfig *) g_ptr_array_index (config->nics, i))->boot_order > 0;
  if (device_boot)
    add_pair (argv, "-boot", "strict=on");
  else if (config->boot_devs->len > 0)
    {
      g_autofree char *order = boot_order_string (config);
      g_autofree char *value = g_strdup_printf ("order=%s", order);
      add_pair (argv, "-boot", value);
    }

  if (config->kernel)
    add_pair (argv, "-kernel", config->kernel);
  if (config->initrd)
    add_pair (argv, "-initrd", config->initrd);
  if (config->cmdline)
    add_pair (argv, "-append", config->cmdline);
}

/* Serial port, screen, pointer, video card. */
static void
add_console (GPtrArray               *argv,
             const VireoDomainConfig *config,
             const VireoQemuHost     *host,
             const Placement         *place)
{
  if (config->serial)
    {
      g_autofree char *chardev = g_strdup_printf ("socket,id=serial0,fd=%d", VIREO_QEMU_SERIAL_FD);
      add_pair (argv, "-chardev", chardev);
      add_pair (argv, "-device", "{\"driver\":\"isa-serial\",\"chardev\":\"serial0\",\"id\":\"serial0\"}");
    }
  if (config->vnc)
    {
      g_autofree char *run_dir = escape_option_value (host->run_dir);
      /* the key named, so an '=' in the path cannot make one up */
      g_autofree char *vnc = g_strdup_printf ("vnc=unix:%s/vnc.sock", run_dir);
      add_pair (argv, "-vnc", vnc);
      /* QEMU 7.2's -vnc has no keymap key; the global -k is the layout it
       * uses for clients that send keysyms rather than key codes (gtk-vnc
       * sends codes, so there it changes nothing) */
      if (config->vnc_keymap)
        add_pair (argv, "-k", config->vnc_keymap);
    }
  if (config->video_model)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      add_member_string (b, "driver", video_device (config->video_model));
      add_member_string (b, "id", "video0");
      add_pci_place (b, place, "video");
      json_builder_end_object (b);
      add_json (argv, "-device", b);
    }
  if (config->vnc)
    {
      /* An absolute pointer, so the VNC cursor and the guest's agree. */
      add_placed_device (argv, place, "qemu-xhci", "usb", "usb");
      add_pair (argv, "-device", "{\"driver\":\"usb-tablet\",\"id\":\"tablet0\",\"bus\":\"usb.0\"}");
    }
}

/* An emulated TPM 2.0: swtpm, started by the shim before QEMU, listens
 * on swtpm.sock in the runtime folder (VIREO_SWTPM_SOCKET). */
static void
add_tpm (GPtrArray               *argv,
         const VireoDomainConfig *config,
         const VireoQemuHost     *host)
{
  g_autofree char *run_dir = NULL;
  g_autofree char *chardev = NULL;
  g_autoptr(JsonBuilder) b = NULL;

  if (config->tpm_model == NULL)
    return;
  run_dir = escape_option_value (host->run_dir);
  chardev = g_strdup_printf ("socket,id=chrtpm,path=%s/" VIREO_SWTPM_SOCKET, run_dir);
  add_pair (argv, "-chardev", chardev);
  add_pair (argv, "-tpmdev", "emulator,id=tpm0,chardev=chrtpm");
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_member_string (b, "driver", config->tpm_model);
  add_member_string (b, "tpmdev", "tpm0");
  add_member_string (b, "id", "tpm0");
  json_builder_end_object (b);
  add_json (argv, "-device", b);
}

/* The entropy device: QEMU's generator or a host random device (which
 * one validation decides), at the <rate> libvirt would give it. */
static void
add_rng (GPtrArray               *argv,
         const VireoDomainConfig *config,
         const Placement         *place)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gboolean builtin = g_strcmp0 (config->rng_backend, "builtin") == 0;

  json_builder_begin_object (b);
  add_member_string (b, "qom-type", builtin ? "rng-builtin" : "rng-random");
  add_member_string (b, "id", "rng0");
  if (!builtin)
    add_member_string (b, "filename", config->rng_device ? config->rng_device : "/dev/urandom");
  json_builder_end_object (b);
  add_json (argv, "-object", b);

  g_clear_object (&b);
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_member_string (b, "driver", "virtio-rng-pci");
  add_member_string (b, "rng", "rng0");
  add_pci_place (b, place, "rng");
  if (config->rng_rate_bytes > 0)
    {
      add_member_int (b, "max-bytes", config->rng_rate_bytes);
      add_member_int (b, "period", config->rng_rate_period_ms > 0 ? config->rng_rate_period_ms : 1000);
    }
  json_builder_end_object (b);
  add_json (argv, "-device", b);
}

/* Entropy, the balloon, the guest agent's channel, and the sandbox. */
static void
add_extras (GPtrArray               *argv,
            const VireoDomainConfig *config,
            const Placement         *place)
{
  if (config->rng)
    add_rng (argv, config, place);
  if (config->balloon)
    add_placed_device (argv, place, "virtio-balloon-pci", "balloon0", "balloon");
  if (config->guest_agent)
    {
      /* the shim holds the other end and asks the agent for the guest's addresses */
      g_autofree char *chardev = g_strdup_printf ("socket,id=agent0,fd=%d", VIREO_QEMU_AGENT_FD);
      add_pair (argv, "-chardev", chardev);
      add_placed_device (argv, place, "virtio-serial-pci", "virtio-serial0", "virtio-serial");
      add_pair (argv, "-device", "{\"driver\":\"virtserialport\",\"bus\":\"virtio-serial0.0\","
                                 "\"chardev\":\"agent0\",\"id\":\"agent0\","
                                 "\"name\":\"" VIREO_GUEST_AGENT_CHANNEL "\"}");
    }

  add_pair (argv, "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
  add_pair (argv, "-msg", "timestamp=on");
}

/**
 * vireo_qemu_argv_build:
 * A pure function: the same config and host facts give the same command
 * line, which golden tests pin down.  QEMU starts paused (`-S`), keeps
 * running after a guest power-off (`-no-shutdown`) so the shim decides,
 * and takes its monitor, serial port and guest agent channel as fds
 * %VIREO_QEMU_QMP_FD, %VIREO_QEMU_SERIAL_FD and %VIREO_QEMU_AGENT_FD.
 *
 * Returns: (transfer full): the argv, program first
 */
GStrv
vireo_qemu_argv_build (const VireoDomainConfig *config,
                       const VireoQemuHost     *host,
                       GError                 **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(VireoPciLayout) pci = vireo_domain_config_pci_layout (config);
  Placement place = { pci, vireo_domain_config_is_q35 (config) ? "pcie.0" : "pci.0" };

  g_return_val_if_fail (host->accel != VIREO_ACCEL_AUTO, NULL);

  if (!check_option_values (config, error))
    return NULL;
  add_machine (argv, config, host);
  if (!add_firmware (argv, config, host, error))
    return NULL;
  add_boot (argv, config);
  add_pci_buses (argv, &place);
  add_scsi_controller (argv, config, &place);
  for (guint i = 0; i < config->disks->len; i++)
    add_disk (argv, config, g_ptr_array_index (config->disks, i), &place);
  for (guint i = 0; i < config->nics->len; i++)
    if (!add_nic (argv, config, g_ptr_array_index (config->nics, i), i, &place, host, error))
      return NULL;
  add_console (argv, config, host, &place);
  add_tpm (argv, config, host);
  add_extras (argv, config, &place);
  /* a whole value of its own: QEMU takes it as a plain string */
  if (host->loadvm != NULL)
    add_pair (argv, "-loadvm", host->loadvm);

  g_ptr_array_add (argv, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}
