/* vireo-domain-config.c: the model, its defaults and its rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "vireo-domain-config.h"
#include "vireo-domain-config-private.h"
#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"

#define MIN_MEMORY_KIB (16 * 1024)
#define MAX_MEMORY_KIB (G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024)
#define MAX_VCPUS 255
#define VIREO_PATH_MAX 4096
/* x86 Linux reads at most 2048 bytes of command line (COMMAND_LINE_SIZE) */
#define MAX_CMDLINE 2048

static GPtrArray *
new_string_array (void)
{
  return g_ptr_array_new_with_free_func (g_free);
}

/**
 * vireo_domain_config_new:
 * Returns: (transfer full): a runnable default VM (1 GiB, 1 vCPU, q35,
 *   ACPI, VNC, serial console, virtio video, RNG, balloon and a guest
 *   agent channel) with a fresh
 *   UUID and no disks or NICs.
 */
VireoDomainConfig *
vireo_domain_config_new (const char *name)
{
  VireoDomainConfig *config = g_new0 (VireoDomainConfig, 1);

  config->name = g_strdup (name);
  config->uuid = vireo_uuid_generate ();
  config->accel = VIREO_ACCEL_AUTO;
  config->memory_kib = 1024 * 1024;
  config->current_memory_kib = config->memory_kib;
  config->vcpus = 1;
  config->arch = g_strdup ("x86_64");
  config->machine = g_strdup ("q35");
  config->boot_devs = new_string_array ();
  config->acpi = TRUE;
  config->apic = TRUE;
  config->cpu_mode = g_strdup ("host-passthrough");
  config->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_disk_config_free);
  config->nics = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_nic_config_free);
  config->vnc = TRUE;
  config->serial = TRUE;
  config->video_model = g_strdup ("virtio");
  config->rng = TRUE;
  config->rng_backend = g_strdup ("random");
  config->rng_device = g_strdup ("/dev/urandom");
  config->balloon = TRUE;
  config->guest_agent = TRUE;
  config->extra_domain = new_string_array ();
  config->extra_metadata = new_string_array ();
  config->extra_os = new_string_array ();
  config->extra_features = new_string_array ();
  config->extra_cpu = new_string_array ();
  config->extra_devices = new_string_array ();
  config->tpm_extra = new_string_array ();

  return config;
}

void
vireo_domain_config_free (VireoDomainConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->name);
  g_free (config->uuid);
  g_free (config->title);
  g_free (config->description);
  g_free (config->arch);
  g_free (config->machine);
  g_free (config->kernel);
  g_free (config->initrd);
  g_free (config->cmdline);
  g_clear_pointer (&config->boot_devs, g_ptr_array_unref);
  g_free (config->firmware);
  g_free (config->loader);
  g_free (config->loader_type);
  g_free (config->nvram);
  g_free (config->nvram_template);
  g_free (config->cpu_mode);
  g_free (config->cpu_model);
  g_free (config->vcpu_cpuset);
  g_free (config->vcpu_placement);
  g_free (config->vnc_keymap);
  g_free (config->rng_backend);
  g_free (config->rng_device);
  g_clear_pointer (&config->disks, g_ptr_array_unref);
  g_clear_pointer (&config->nics, g_ptr_array_unref);
  g_free (config->video_model);
  g_free (config->on_poweroff);
  g_free (config->on_reboot);
  g_free (config->on_crash);
  g_clear_pointer (&config->extra_domain, g_ptr_array_unref);
  g_clear_pointer (&config->extra_metadata, g_ptr_array_unref);
  g_clear_pointer (&config->extra_os, g_ptr_array_unref);
  g_clear_pointer (&config->extra_features, g_ptr_array_unref);
  g_clear_pointer (&config->extra_cpu, g_ptr_array_unref);
  g_clear_pointer (&config->extra_devices, g_ptr_array_unref);
  g_free (config->tpm_model);
  g_clear_pointer (&config->tpm_extra, g_ptr_array_unref);
  vireo_xml_extras_clear (&config->xml);
  g_free (config);
}

/**
 * vireo_domain_config_copy:
 * A deep copy, made by formatting and parsing again: the one code path
 * that must be right anyway, so a copy can never drift from the XML.
 */
VireoDomainConfig *
vireo_domain_config_copy (const VireoDomainConfig *config)
{
  g_autofree char *xml = vireo_domain_config_format (config);
  g_autoptr(GError) error = NULL;
  VireoDomainConfig *copy;

  copy = vireo_domain_config_parse (xml, -1, config->name, &error);
  if (copy == NULL)
    g_critical ("Formatted XML of VM '%s' does not parse: %s", config->name, error->message);
  return copy;
}

VireoDiskConfig *
vireo_disk_config_new (VireoDiskDevice device,
                       VireoDiskBus    bus,
                       const char     *format,
                       const char     *path)
{
  VireoDiskConfig *disk = g_new0 (VireoDiskConfig, 1);

  disk->device = device;
  disk->bus = bus;
  disk->format = g_strdup (format ? format : "raw");
  disk->path = g_strdup (path);
  disk->readonly = device == VIREO_DISK_DEVICE_CDROM;
  disk->extra = new_string_array ();
  return disk;
}

void
vireo_disk_config_free (VireoDiskConfig *disk)
{
  if (disk == NULL)
    return;
  g_free (disk->format);
  g_free (disk->path);
  g_free (disk->target);
  g_free (disk->cache);
  g_free (disk->discard);
  g_strfreev (disk->driver_attrs);
  g_strfreev (disk->backing);
  g_clear_pointer (&disk->extra, g_ptr_array_unref);
  vireo_xml_extras_clear (&disk->xml);
  g_free (disk);
}

/**
 * vireo_disk_config_n_bases:
 * Returns: how many base images @disk stands on (0: a standalone image)
 */
guint
vireo_disk_config_n_bases (const VireoDiskConfig *disk)
{
  return disk->backing ? g_strv_length (disk->backing) : 0;
}

/**
 * vireo_disk_config_has_base:
 * Returns: whether @image is one of @disk's bases, at any depth (as
 *   written: no path is resolved)
 */
gboolean
vireo_disk_config_has_base (const VireoDiskConfig *disk,
                            const char            *image)
{
  return disk->backing != NULL && image != NULL &&
         g_strv_contains ((const char * const *) disk->backing, image);
}

VireoNicConfig *
vireo_nic_config_new (VireoNetType  type,
                      const char   *network,
                      const char   *mac)
{
  VireoNicConfig *nic = g_new0 (VireoNicConfig, 1);

  nic->type = type;
  nic->network = g_strdup (network);
  nic->mac = mac ? g_strdup (mac) : vireo_mac_generate (NULL);
  nic->model = g_strdup ("virtio");
  nic->forwards = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_port_forward_free);
  nic->extra = new_string_array ();
  return nic;
}

void
vireo_nic_config_free (VireoNicConfig *nic)
{
  if (nic == NULL)
    return;
  g_free (nic->network);
  g_free (nic->mac);
  g_free (nic->model);
  g_clear_pointer (&nic->forwards, g_ptr_array_unref);
  g_clear_pointer (&nic->extra, g_ptr_array_unref);
  vireo_xml_extras_clear (&nic->xml);
  g_free (nic);
}

/**
 * vireo_domain_config_uses_networks:
 * Whether a NIC is on a virtual network, so needs vireo-net to start.
 */
gboolean
vireo_domain_config_uses_networks (const VireoDomainConfig *config)
{
  for (guint i = 0; i < config->nics->len; i++)
    if (((VireoNicConfig *) g_ptr_array_index (config->nics, i))->type == VIREO_NET_NETWORK)
      return TRUE;
  return FALSE;
}

/**
 * vireo_domain_config_use_user_networking:
 * Puts every NIC on a virtual network on user-mode networking instead
 * (what the front ends offer when vireo-net is out of reach); each keeps
 * its MAC and model.
 */
void
vireo_domain_config_use_user_networking (VireoDomainConfig *config)
{
  for (guint i = 0; i < config->nics->len; i++)
    {
      VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      if (nic->type != VIREO_NET_NETWORK)
        continue;
      nic->type = VIREO_NET_USER;
      g_clear_pointer (&nic->network, g_free);
    }
}

const char *
vireo_accel_to_string (VireoAccel accel)
{
  switch (accel)
    {
    case VIREO_ACCEL_KVM: return "kvm";
    case VIREO_ACCEL_TCG: return "tcg";
    case VIREO_ACCEL_AUTO:
    default: return "auto";
    }
}

/**
 * vireo_accel_from_string:
 * @text: "kvm", "tcg" or "auto", as users, settings and `VIREO_ACCEL` say it
 *
 * Returns: whether @text names an accelerator; @accel is set when it does
 */
gboolean
vireo_accel_from_string (const char *text,
                         VireoAccel *accel)
{
  for (VireoAccel a = VIREO_ACCEL_AUTO; a <= VIREO_ACCEL_TCG; a++)
    if (g_strcmp0 (text, vireo_accel_to_string (a)) == 0)
      {
        *accel = a;
        return TRUE;
      }
  return FALSE;
}

const char *
vireo_disk_bus_to_string (VireoDiskBus bus)
{
  switch (bus)
    {
    case VIREO_DISK_BUS_SATA: return "sata";
    case VIREO_DISK_BUS_IDE: return "ide";
    case VIREO_DISK_BUS_SCSI: return "scsi";
    case VIREO_DISK_BUS_VIRTIO:
    default: return "virtio";
    }
}

gboolean
vireo_disk_bus_from_string (const char   *text,
                            VireoDiskBus *bus)
{
  static const char *names[] = { "virtio", "sata", "ide", "scsi" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (text, names[i]) == 0)
      {
        *bus = i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
target_in_use (const VireoDomainConfig *config,
               const char              *target)
{
  for (guint i = 0; i < config->disks->len; i++)
    {
      const VireoDiskConfig *d = g_ptr_array_index (config->disks, i);
      if (g_strcmp0 (d->target, target) == 0)
        return TRUE;
    }
  return FALSE;
}

/**
 * vireo_domain_config_add_disk:
 * Appends @disk (taking it) and gives it the first free target name of
 * its bus when it has none: vda… for virtio, sda… for SATA and SCSI,
 * hda… for IDE.
 */
void
vireo_domain_config_add_disk (VireoDomainConfig *config,
                              VireoDiskConfig   *disk)
{
  if (disk->target == NULL)
    {
      const char *prefix = disk->bus == VIREO_DISK_BUS_VIRTIO ? "vd" :
                           disk->bus == VIREO_DISK_BUS_IDE ? "hd" : "sd";
      for (char c = 'a'; c <= 'z'; c++)
        {
          g_autofree char *target = g_strdup_printf ("%s%c", prefix, c);
          if (!target_in_use (config, target))
            {
              disk->target = g_steal_pointer (&target);
              break;
            }
        }
    }
  g_ptr_array_add (config->disks, disk);
}

static guint
find_disk (const VireoDomainConfig *config,
           const char              *target)
{
  for (guint i = 0; i < config->disks->len; i++)
    if (g_strcmp0 (((VireoDiskConfig *) g_ptr_array_index (config->disks, i))->target, target) == 0)
      return i;
  return G_MAXUINT;
}

/**
 * vireo_domain_config_lookup_disk:
 * Returns: (transfer none) (nullable): the disk or CD-ROM drive @target
 */
VireoDiskConfig *
vireo_domain_config_lookup_disk (const VireoDomainConfig *config,
                                 const char              *target)
{
  guint i = find_disk (config, target);

  return i == G_MAXUINT ? NULL : g_ptr_array_index (config->disks, i);
}

/**
 * vireo_domain_config_remove_disk:
 * Returns: whether @target was there
 */
gboolean
vireo_domain_config_remove_disk (VireoDomainConfig *config,
                                 const char        *target)
{
  guint i = find_disk (config, target);

  if (i == G_MAXUINT)
    return FALSE;
  g_ptr_array_remove_index (config->disks, i);
  return TRUE;
}

/* A disk's address (a drive on its controller, libvirt's PCI slot of a
 * virtio disk) belongs to its old bus: libvirt gives it a new one. */
static void
forget_address (VireoDiskConfig *disk)
{
  disk->address.set = FALSE;
  for (guint i = disk->extra->len; i > 0; i--)
    if (g_str_has_prefix (g_ptr_array_index (disk->extra, i - 1), "<address"))
      g_ptr_array_remove_index (disk->extra, i - 1);
}

/**
 * vireo_domain_config_set_disk_bus:
 * Moves disk @target to @bus.  Its target name follows the bus (vda on
 * virtio, sda on SATA, hda on IDE), since that name is also the QEMU
 * device id, and a guest that mounts by label or UUID does not mind.
 *
 * Returns: the disk's new target name, or %NULL if there is no @target
 */
const char *
vireo_domain_config_set_disk_bus (VireoDomainConfig *config,
                                  const char        *target,
                                  VireoDiskBus       bus)
{
  guint i = find_disk (config, target);
  VireoDiskConfig *disk;

  if (i == G_MAXUINT)
    return NULL;
  disk = g_ptr_array_steal_index (config->disks, i);
  if (disk->bus != bus)
    {
      disk->bus = bus;
      g_clear_pointer (&disk->target, g_free);
      forget_address (disk);
    }
  vireo_domain_config_add_disk (config, disk);
  /* keep its place in the list */
  g_ptr_array_steal_index (config->disks, config->disks->len - 1);
  g_ptr_array_insert (config->disks, i, disk);
  return disk->target;
}

/**
 * vireo_domain_config_is_q35:
 * Returns: whether the VM's machine is a q35 (PCI Express, AHCI) rather
 *   than an i440fx ("pc")
 */
gboolean
vireo_domain_config_is_q35 (const VireoDomainConfig *config)
{
  return g_str_equal (config->machine, "q35") || g_str_has_prefix (config->machine, "pc-q35-");
}

/**
 * vireo_machine_type_is_valid:
 * The machine types Vireo runs: `q35`, `pc`, `pc-q35-N.N` and
 * `pc-i440fx-N.N`.  The value goes into QEMU's `-machine` option string,
 * so an explicit rule, not a prefix, decides: `pc-q35-7.2,usb=on` is
 * refused.  Any thread.
 */
gboolean
vireo_machine_type_is_valid (const char *machine)
{
  return machine != NULL &&
         g_regex_match_simple ("^(q35|pc|pc-q35-[0-9]{1,2}\\.[0-9]{1,2}|pc-i440fx-[0-9]{1,2}\\.[0-9]{1,2})$",
                               machine, G_REGEX_DOLLAR_ENDONLY, 0);
}

/**
 * vireo_cpu_model_is_valid:
 * The named x86 CPU models of QEMU (`qemu-system-x86_64 -cpu help`),
 * optionally with a version suffix (`Skylake-Client-v3`).  "host" and
 * "max" are chosen through the CPU mode, never by name.  Any thread.
 */
gboolean
vireo_cpu_model_is_valid (const char *model)
{
  static const char *const models[] = {
    "486", "Broadwell", "Broadwell-IBRS", "Broadwell-noTSX", "Broadwell-noTSX-IBRS",
    "Cascadelake-Server", "Cascadelake-Server-noTSX", "Conroe", "Cooperlake", "Denverton",
    "Dhyana", "EPYC", "EPYC-IBPB", "EPYC-Milan", "EPYC-Rome", "EPYC-Genoa", "GraniteRapids",
    "Haswell", "Haswell-IBRS", "Haswell-noTSX", "Haswell-noTSX-IBRS", "Icelake-Server",
    "Icelake-Server-noTSX", "IvyBridge", "IvyBridge-IBRS", "KnightsMill", "Nehalem",
    "Nehalem-IBRS", "Opteron_G1", "Opteron_G2", "Opteron_G3", "Opteron_G4", "Opteron_G5",
    "Penryn", "SandyBridge", "SandyBridge-IBRS", "SapphireRapids", "SierraForest",
    "Skylake-Client", "Skylake-Client-IBRS", "Skylake-Client-noTSX-IBRS", "Skylake-Server",
    "Skylake-Server-IBRS", "Skylake-Server-noTSX-IBRS", "Snowridge", "Westmere",
    "Westmere-IBRS", "athlon", "core2duo", "coreduo", "kvm32", "kvm64", "n270", "pentium",
    "pentium2", "pentium3", "phenom", "qemu32", "qemu64", NULL,
  };
  g_autofree char *base = NULL;
  const char *version;

  if (model == NULL)
    return FALSE;
  base = g_strdup (model);
  version = strrchr (model, '-');
  if (version != NULL && g_regex_match_simple ("^-v[1-9][0-9]?$", version, G_REGEX_DOLLAR_ENDONLY, 0))
    base[version - model] = '\0';
  return g_strv_contains (models, base);
}

/* A hostile value shown in a one-line message: control characters
 * escaped, cut short after 64 characters; other UTF-8 (a path in
 * /home/josé) stays as it is. */
static char *
shown (const char *value)
{
  g_autofree char *valid = g_utf8_make_valid (value ? value : "", -1);
  GString *out = g_string_new (NULL);
  const char *p = valid;

  for (glong n = 0; *p != '\0' && n < 64; p = g_utf8_next_char (p), n++)
    {
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if (g_ascii_iscntrl (*p))
        g_string_append_printf (out, "\\x%02x", (guchar) *p);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  if (*p != '\0')
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

static gboolean
has_control_char (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p))
      return TRUE;
  return FALSE;
}

/* Paths reach QEMU as JSON strings or as whole arguments, never inside an
 * option string; still, a path is one line, absolute, has no `..` and
 * fits in PATH_MAX, so what runs is what the user reads. */
static gboolean
check_path (const VireoDomainConfig *config,
            const char              *what,
            const char              *path,
            GError                 **error)
{
  g_autofree char *show = NULL;

  if (path == NULL)
    return TRUE;
  if (g_path_is_absolute (path) && strlen (path) < VIREO_PATH_MAX && !has_control_char (path) &&
      strstr (path, "/../") == NULL && !g_str_has_suffix (path, "/.."))
    {
      /* one spelling per file: every "who uses this image" compares
       * paths, and '//' or '/./' would make another VM's disk look free */
      g_autofree char *plain = g_canonicalize_filename (path, NULL);

      if (g_str_equal (plain, path) && !g_str_has_prefix (path, "//"))
        return TRUE;
      show = shown (path);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   /* Translators: the second %s is "kernel", "initrd" or "disk vda" */
                   _("VM '%s': %s path '%s' is not written the plain way (no '//', '/./' or "
                     "trailing '/')"), config->name, what, show);
      return FALSE;
    }
  show = shown (path);
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               /* Translators: the second %s is "kernel", "initrd" or "disk vda" */
               _("VM '%s': %s path '%s' is not a plain absolute path (no '..', no control "
                 "characters, at most %d bytes)"), config->name, what, show, VIREO_PATH_MAX - 1);
  return FALSE;
}

/* for the checks kept in their own files (vireo-domain-config-uefi.c) */
gboolean
_vireo_domain_config_check_path (const VireoDomainConfig *config,
                                 const char              *what,
                                 const char              *path,
                                 GError                 **error)
{
  return check_path (config, what, path, error);
}

static gboolean
is_i440fx (const char *machine)
{
  return g_str_equal (machine, "pc") || g_str_has_prefix (machine, "pc-i440fx-");
}

/**
 * vireo_domain_config_default_bus:
 * Returns: the bus a new @device gets: virtio for disks; for CD-ROM
 *   drives, SATA on q35 and IDE on the older pc machine
 */
VireoDiskBus
vireo_domain_config_default_bus (const VireoDomainConfig *config,
                                 VireoDiskDevice          device)
{
  if (device == VIREO_DISK_DEVICE_DISK)
    return VIREO_DISK_BUS_VIRTIO;
  return is_i440fx (config->machine) ? VIREO_DISK_BUS_IDE : VIREO_DISK_BUS_SATA;
}

/**
 * vireo_domain_config_set_vcpus:
 * Sets the most vCPUs the guest may have, as an editor does: the number
 * online at boot (<vcpu current>) stays when it is still fewer, and
 * otherwise follows (all of them online).
 */
void
vireo_domain_config_set_vcpus (VireoDomainConfig *config,
                               guint              vcpus)
{
  config->vcpus = vcpus;
  if (config->current_vcpus >= vcpus)
    config->current_vcpus = 0;
}

/**
 * vireo_disk_config_scsi_place:
 * Where SCSI disk @disk sits on the VM's virtio-scsi controller: its
 * <address type='drive'> when it has one, else SCSI id 0 and the LUN of
 * its target name's place (sda 0, sdb 1… sdaa 26), as libvirt numbers
 * the units of a virtio-scsi controller.
 */
void
vireo_disk_config_scsi_place (const VireoDiskConfig *disk,
                              guint                 *scsi_id,
                              guint                 *lun)
{
  const char *letters = disk->target ? disk->target + 2 : "";
  guint index = 0;

  if (disk->address.set)
    {
      *scsi_id = disk->address.target;
      *lun = disk->address.unit;
      return;
    }
  for (const char *p = letters; *p >= 'a' && *p <= 'z' && p - letters < 2; p++)
    index = (p == letters ? 0 : (index + 1) * 26) + (guint) (*p - 'a');
  *scsi_id = 0;
  *lun = index;
}

/* A chain Vireo made: under a qcow2 image, plain paths, each image once,
 * at most VIREO_CHAIN_MAX images. */
static gboolean
check_chain (const VireoDomainConfig *config,
             const VireoDiskConfig   *disk,
             GError                 **error)
{
  /* Translators: names a disk's base image in "VM 'x': base of disk vda path '…' is not…" */
  g_autofree char *base = g_strdup_printf (_("base of disk %s"), disk->target);
  guint n = vireo_disk_config_n_bases (disk);

  if (!g_str_equal (disk->format, "qcow2") || disk->path == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': disk %s has a base image but is not a qcow2 image"),
                   config->name, disk->target);
      return FALSE;
    }
  if (n >= VIREO_CHAIN_MAX)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   /* Translators: "VM 'x': disk vda stands on 16 base images; Vireo runs chains of at most 16 images" */
                   _("VM '%s': disk %s stands on %u base images; Vireo runs chains of at most %d images"),
                   config->name, disk->target, n, VIREO_CHAIN_MAX);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      if (!check_path (config, base, disk->backing[i], error))
        return FALSE;
      for (guint j = 0; j <= i; j++)
        if (g_str_equal (j ? disk->backing[j - 1] : disk->path, disk->backing[i]))
          {
            g_autofree char *show = shown (disk->backing[i]);
            g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                         /* Translators: "VM 'x': disk vda names /a.qcow2 twice in its chain of images" */
                         _("VM '%s': disk %s names %s twice in its chain of images"),
                         config->name, disk->target, show);
            return FALSE;
          }
    }
  return TRUE;
}

/* <driver cache discard>: the values libvirt knows, each applied. */
static gboolean
check_disk_driver (const VireoDomainConfig *config,
                   const VireoDiskConfig   *disk,
                   GError                 **error)
{
  static const char *caches[] = { "none", "writeback", "writethrough", "directsync", "unsafe", NULL };
  static const char *discards[] = { "unmap", "ignore", NULL };
  const char *attribute = NULL, *value = NULL;
  g_autofree char *show = NULL;

  if (disk->cache != NULL && !g_strv_contains (caches, disk->cache))
    attribute = "cache", value = disk->cache;
  else if (disk->discard != NULL && !g_strv_contains (discards, disk->discard))
    attribute = "discard", value = disk->discard;
  if (attribute == NULL)
    return TRUE;
  show = shown (value);
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               /* Translators: "VM 'x': disk vda has <driver cache='fast'>, which is not supported" */
               _("VM '%s': disk %s has <driver %s='%s'>, which is not supported"),
               config->name, disk->target, attribute, show);
  return FALSE;
}

static gboolean
check_disk_path (const VireoDomainConfig *config,
                 const VireoDiskConfig   *disk,
                 GError                 **error)
{
  /* Translators: names a disk in "VM 'x': disk vda path '…' is not…" */
  g_autofree char *what = g_strdup_printf (_("disk %s"), disk->target);

  if (!check_path (config, what, disk->path, error))
    return FALSE;
  if (disk->backing != NULL && !check_chain (config, disk, error))
    return FALSE;
  /* <backingStore> with a <source> names a chain the image must follow:
   * Vireo runs standalone images only (an empty <backingStore/>, as
   * libvirt writes for those, is fine).  Only Vireo sets disk->backing. */
  for (guint i = 0; i < disk->extra->len; i++)
    {
      const char *extra = g_ptr_array_index (disk->extra, i);

      if (g_str_has_prefix (extra, "<backingStore") && strstr (extra, "<source") != NULL)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       _("VM '%s': disk %s names a <backingStore>; Vireo runs standalone images "
                         "only (make one with qemu-img convert -O qcow2)"), config->name, disk->target);
          return FALSE;
        }
    }
  return TRUE;
}

/* One disk on its own: its target, format, source and bus; @i is its
 * place, for the duplicate target check. */
static gboolean
validate_disk (const VireoDomainConfig *config,
               guint                    i,
               GError                 **error)
{
  const VireoDiskConfig *d = g_ptr_array_index (config->disks, i);

  if (d->target == NULL || !g_regex_match_simple ("^(vd|sd|hd)[a-z]{1,2}$", d->target, 0, 0))
    {
      g_autofree char *show = shown (d->target);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': disk target '%s' is not a valid device name"),
                   config->name, show);
      return FALSE;
    }
  for (guint j = 0; j < i; j++)
    {
      const VireoDiskConfig *o = g_ptr_array_index (config->disks, j);
      if (g_str_equal (o->target, d->target))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       _("VM '%s': two disks use target '%s'"), config->name, d->target);
          return FALSE;
        }
    }
  if (!g_str_equal (d->format, "qcow2") && !g_str_equal (d->format, "raw"))
    {
      g_autofree char *show = shown (d->format);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': disk '%s' has format '%s'; only qcow2 and raw run "
                   "(convert it with qemu-img)"), config->name, d->target, show);
      return FALSE;
    }
  if (d->device == VIREO_DISK_DEVICE_DISK && d->path == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': disk '%s' has no source file"), config->name, d->target);
      return FALSE;
    }
  if (d->path != NULL && !g_path_is_absolute (d->path))
    {
      g_autofree char *show = shown (d->path);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': disk '%s' path '%s' is not absolute"),
                   config->name, d->target, show);
      return FALSE;
    }
  if (!check_disk_path (config, d, error))
    return FALSE;
  if (d->device == VIREO_DISK_DEVICE_CDROM && d->bus == VIREO_DISK_BUS_VIRTIO)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': CD-ROM '%s' cannot be on the virtio bus (use sata)"),
                   config->name, d->target);
      return FALSE;
    }
  return check_disk_driver (config, d, error);
}

/* The SCSI disks' places on the one controller Vireo runs (scsi0, a
 * virtio-scsi-pci: channel 0, ids 0-255, LUNs 0-16383), each used once. */
static gboolean
validate_scsi (const VireoDomainConfig *config,
               GError                 **error)
{
  for (guint i = 0; i < config->disks->len; i++)
    {
      const VireoDiskConfig *d = g_ptr_array_index (config->disks, i);
      guint id, lun;

      if (d->bus != VIREO_DISK_BUS_SCSI)
        continue;
      vireo_disk_config_scsi_place (d, &id, &lun);
      if (d->address.controller != 0 || d->address.bus != 0 || id > 255 || lun > 16383)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       /* Translators: "VM 'x': SCSI disk sda has an address Vireo cannot run (…)" */
                       _("VM '%s': SCSI disk %s has an address Vireo cannot run (controller 0, "
                         "bus 0, target 0-255, unit 0-16383)"), config->name, d->target);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        {
          const VireoDiskConfig *o = g_ptr_array_index (config->disks, j);
          guint o_id, o_lun;

          if (o->bus != VIREO_DISK_BUS_SCSI)
            continue;
          vireo_disk_config_scsi_place (o, &o_id, &o_lun);
          if (o_id == id && o_lun == lun)
            {
              g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                           _("VM '%s': SCSI disks %s and %s use the same target and unit"),
                           config->name, o->target, d->target);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
validate_disks (const VireoDomainConfig *config,
                GError                 **error)
{
  guint sata = 0, ide = 0;

  for (guint i = 0; i < config->disks->len; i++)
    {
      const VireoDiskConfig *d = g_ptr_array_index (config->disks, i);

      if (!validate_disk (config, i, error))
        return FALSE;
      if (d->bus == VIREO_DISK_BUS_SATA)
        sata++;
      if (d->bus == VIREO_DISK_BUS_IDE)
        ide++;
    }

  if (sata > 0 && !vireo_domain_config_is_q35 (config))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': SATA disks need the q35 machine"), config->name);
      return FALSE;
    }
  if (sata > 6 || ide > 4)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': too many %s disks (at most %d)"), config->name,
                   sata > 6 ? "SATA" : "IDE", sata > 6 ? 6 : 4);
      return FALSE;
    }
  if (ide > 0 && !is_i440fx (config->machine))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': IDE disks need the pc (i440fx) machine; use sata on q35"),
                   config->name);
      return FALSE;
    }
  return validate_scsi (config, error);
}

static gboolean
validate_nics (const VireoDomainConfig *config,
               GError                 **error)
{
  static const char *models[] = { "virtio", "e1000e", "e1000", "rtl8139", NULL };

  for (guint i = 0; i < config->nics->len; i++)
    {
      const VireoNicConfig *n = g_ptr_array_index (config->nics, i);
      g_autofree char *mac = vireo_mac_normalize (n->mac);

      if (mac == NULL)
        {
          g_autofree char *show = shown (n->mac);
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       _("VM '%s': '%s' is not a valid unicast MAC address"),
                       config->name, show);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        {
          const VireoNicConfig *o = g_ptr_array_index (config->nics, j);
          if (g_ascii_strcasecmp (o->mac, n->mac) == 0)
            {
              g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                           _("VM '%s': two interfaces use MAC %s"), config->name, mac);
              return FALSE;
            }
        }
      if (!g_strv_contains (models, n->model))
        {
          g_autofree char *show = shown (n->model);
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       _("VM '%s': interface model '%s' is not supported "
                       "(virtio, e1000e, e1000, rtl8139)"), config->name, show);
          return FALSE;
        }
      if (n->type == VIREO_NET_NETWORK && !vireo_name_validate (n->network, NULL))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       _("VM '%s': interface %s names no valid network"), config->name, mac);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
has_device_boot_order (const VireoDomainConfig *config)
{
  for (guint i = 0; i < config->disks->len; i++)
    if (((VireoDiskConfig *) g_ptr_array_index (config->disks, i))->boot_order)
      return TRUE;
  for (guint i = 0; i < config->nics->len; i++)
    if (((VireoNicConfig *) g_ptr_array_index (config->nics, i))->boot_order)
      return TRUE;
  return FALSE;
}

static gboolean
validate_kernel_boot (const VireoDomainConfig *config,
                      GError                 **error)
{
  if ((config->initrd || config->cmdline) && config->kernel == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': <initrd> and <cmdline> need a <kernel>"), config->name);
      return FALSE;
    }
  if (!check_path (config, _("kernel"), config->kernel, error) ||
      !check_path (config, _("initrd"), config->initrd, error))
    return FALSE;
  if (config->cmdline != NULL && (strlen (config->cmdline) > MAX_CMDLINE || has_control_char (config->cmdline)))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': <cmdline> must be one line of at most %d bytes"),
                   config->name, MAX_CMDLINE);
      return FALSE;
    }
  return TRUE;
}

/* Name, UUID, memory, vCPUs, architecture and machine type. */
static gboolean
validate_machine (const VireoDomainConfig *config,
                  GError                 **error)
{
  if (!vireo_name_validate (config->name, error))
    return FALSE;

  if (!vireo_uuid_is_valid (config->uuid))
    {
      g_autofree char *show = shown (config->uuid);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': '%s' is not a valid UUID"), config->name,
                   show);
      return FALSE;
    }

  if (config->memory_kib < MIN_MEMORY_KIB || config->memory_kib > MAX_MEMORY_KIB)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': <memory> must be between 16 MiB and 4 TiB"), config->name);
      return FALSE;
    }
  if (config->current_memory_kib > config->memory_kib || config->current_memory_kib == 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': <currentMemory> must be between 1 KiB and <memory>"), config->name);
      return FALSE;
    }
  if (config->vcpus < 1 || config->vcpus > MAX_VCPUS)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': <vcpu> must be between 1 and %d"), config->name, MAX_VCPUS);
      return FALSE;
    }
  if (!g_str_equal (config->arch, "x86_64"))
    {
      g_autofree char *show = shown (config->arch);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': architecture '%s' is not supported (x86_64 only)"),
                   config->name, show);
      return FALSE;
    }
  if (!vireo_machine_type_is_valid (config->machine))
    {
      g_autofree char *show = shown (config->machine);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': machine type '%s' is not supported (q35, pc, pc-q35-X.Y or "
                     "pc-i440fx-X.Y)"), config->name, show);
      return FALSE;
    }
  return TRUE;
}

/* libvirt's CPU list syntax (virBitmapParse): "0-3,^2,5", numbers below
 * 8192 (VIR_DOMAIN_CPUMASK_LEN), a '^' only before a single number, and
 * at least one CPU left once the '^' are taken away. */
static gboolean
cpuset_is_valid (const char *cpuset)
{
  g_autofree guint8 *bits = g_new0 (guint8, 8192 / 8);
  g_auto(GStrv) items = g_strsplit (cpuset, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      gboolean neg = item[0] == '^';
      g_auto(GStrv) ends = g_strsplit (item + neg, "-", 3);
      guint64 from, to;

      if (ends[0] == NULL || (ends[1] != NULL && (neg || ends[2] != NULL)) ||
          !g_ascii_string_to_unsigned (ends[0], 10, 0, 8191, &from, NULL))
        return FALSE;
      to = from;
      if (ends[1] != NULL &&
          (!g_ascii_string_to_unsigned (ends[1], 10, 0, 8191, &to, NULL) || to < from))
        return FALSE;
      for (guint64 cpu = from; cpu <= to; cpu++)
        if (neg)
          bits[cpu / 8] &= ~(1 << (cpu % 8));
        else
          bits[cpu / 8] |= 1 << (cpu % 8);
    }
  for (guint i = 0; i < 8192 / 8; i++)
    if (bits[i])
      return TRUE;
  return FALSE;
}

/* The keyboard layouts QEMU 7.2 ships (/usr/share/qemu/keymaps), for -k. */
static gboolean
keymap_is_valid (const char *keymap)
{
  static const char *const keymaps[] = {
    "ar", "bepo", "cz", "da", "de", "de-ch", "en-gb", "en-us", "es", "et", "fi", "fo",
    "fr", "fr-be", "fr-ca", "fr-ch", "hr", "hu", "is", "it", "ja", "lt", "lv", "mk",
    "nl", "no", "pl", "pt", "pt-br", "ru", "sl", "sv", "th", "tr", NULL,
  };

  return keymap != NULL && g_strv_contains (keymaps, keymap);
}

/* <vcpu current cpuset placement> and the VNC keymap: checked as libvirt
 * checks them.  cpuset and placement are kept for libvirt only: Vireo
 * pins no vCPU thread (a desktop VM shares the host's CPUs). */
static gboolean
validate_guest_settings (const VireoDomainConfig *config,
                         GError                 **error)
{
  g_autofree char *show = NULL;

  if (config->current_vcpus > config->vcpus)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   /* Translators: "VM 'x': <vcpu current='4'> is more than its 2 vCPUs" */
                   _("VM '%s': <vcpu current='%u'> is more than its %u vCPUs"),
                   config->name, config->current_vcpus, config->vcpus);
      return FALSE;
    }
  if (config->vcpu_cpuset != NULL && !cpuset_is_valid (config->vcpu_cpuset))
    {
      show = shown (config->vcpu_cpuset);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   /* Translators: "VM 'x': <vcpu cpuset='aaa'> is not a CPU list such as 0-3,^2,5" */
                   _("VM '%s': <vcpu cpuset='%s'> is not a CPU list such as 0-3,^2,5"),
                   config->name, show);
      return FALSE;
    }
  if (config->vcpu_placement != NULL && !g_str_equal (config->vcpu_placement, "static") &&
      !g_str_equal (config->vcpu_placement, "auto"))
    {
      show = shown (config->vcpu_placement);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': <vcpu placement='%s'> is not supported (static or auto)"),
                   config->name, show);
      return FALSE;
    }
  if (config->vnc_keymap != NULL && !keymap_is_valid (config->vnc_keymap))
    {
      show = shown (config->vnc_keymap);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   /* Translators: "VM 'x': VNC keymap 'xx' is not one QEMU knows (de, fr, en-us…)" */
                   _("VM '%s': VNC keymap '%s' is not one QEMU knows (de, fr, en-us…)"),
                   config->name, show);
      return FALSE;
    }
  return TRUE;
}

/* What feeds the guest's entropy device: QEMU's generator or one of the
 * host's random devices, never another file (a definition from elsewhere
 * must not hand the guest the bytes of the user's files). */
static gboolean
validate_rng (const VireoDomainConfig *config,
              GError                 **error)
{
  static const char *devices[] = { "/dev/random", "/dev/urandom", "/dev/hwrng", NULL };
  g_autofree char *show = NULL;

  if (!config->rng)
    return TRUE;
  if (g_strcmp0 (config->rng_backend, "random") != 0 && g_strcmp0 (config->rng_backend, "builtin") != 0)
    {
      show = shown (config->rng_backend ? config->rng_backend : "");
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   /* Translators: "VM 'x': <rng> backend 'egd' is not supported (random or builtin)" */
                   _("VM '%s': <rng> backend '%s' is not supported (random or builtin)"), config->name, show);
      return FALSE;
    }
  if (config->rng_device != NULL &&
      (g_str_equal (config->rng_backend, "builtin") || !g_strv_contains (devices, config->rng_device)))
    {
      show = shown (config->rng_device);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': <rng> cannot read %s (only /dev/random, /dev/urandom or /dev/hwrng, with backend 'random')"),
                   config->name, show);
      return FALSE;
    }
  return TRUE;
}

/* How it boots, its video card and its CPU model. */
static gboolean
validate_boot_and_cpu (const VireoDomainConfig *config,
                       GError                 **error)
{
  static const char *boot_devs[] = { "hd", "cdrom", "network", "fd", NULL };
  static const char *videos[] = { "virtio", "vga", "cirrus", "bochs", "qxl", NULL };

  if (!validate_kernel_boot (config, error))
    return FALSE;
  for (guint i = 0; i < config->boot_devs->len; i++)
    {
      const char *dev = g_ptr_array_index (config->boot_devs, i);
      if (!g_strv_contains (boot_devs, dev))
        {
          g_autofree char *show = shown (dev);
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       _("VM '%s': <boot dev='%s'> is not supported"), config->name, show);
          return FALSE;
        }
    }
  if (config->boot_devs->len > 0 && has_device_boot_order (config))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': <os><boot> cannot be combined with per-device <boot order>"),
                   config->name);
      return FALSE;
    }
  if (config->video_model && !g_strv_contains (videos, config->video_model))
    {
      g_autofree char *show = shown (config->video_model);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': video model '%s' is not supported"), config->name,
                   show);
      return FALSE;
    }
  if (g_strcmp0 (config->cpu_mode, "custom") == 0 && config->cpu_model == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': <cpu mode='custom'> needs a valid <model>"), config->name);
      return FALSE;
    }
  if (g_strcmp0 (config->cpu_mode, "custom") == 0 && !vireo_cpu_model_is_valid (config->cpu_model))
    {
      g_autofree char *show = shown (config->cpu_model);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': CPU model '%s' is not supported (see qemu-system-x86_64 -cpu help)"),
                   config->name, show);
      return FALSE;
    }

  return TRUE;
}

/**
 * vireo_domain_config_validate:
 * Checks everything that parsing alone does not: ranges, uniqueness of
 * targets and MACs, combinations QEMU would refuse.  Errors name the VM
 * and the element.
 */
gboolean
vireo_domain_config_validate (const VireoDomainConfig *config,
                              GError                 **error)
{
  return validate_machine (config, error) &&
         validate_boot_and_cpu (config, error) &&
         validate_disks (config, error) &&
         validate_guest_settings (config, error) &&
         validate_rng (config, error) &&
         validate_nics (config, error) &&
         _vireo_domain_config_validate_forwards (config, error) &&
         _vireo_domain_config_validate_uefi (config, error) &&
         _vireo_domain_config_validate_kept (config, error);
}

/**
 * vireo_domain_config_describe_boot:
 * What the VM boots from, for a details pane: "kernel PATH", or the boot
 * devices in order ("hd, cdrom"), or "" when the XML names none.
 *
 * Returns: (transfer full): the translated text
 */
char *
vireo_domain_config_describe_boot (const VireoDomainConfig *config)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (config != NULL, NULL);

  if (config->kernel)
    /* Translators: what a VM boots from; %s is the kernel's path */
    return g_strdup_printf (_("kernel %s"), config->kernel);
  for (guint i = 0; i < config->boot_devs->len; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, g_ptr_array_index (config->boot_devs, i));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}
