/* vireo-domain-config.h: the parsed model of a domain XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "vireo-xml-extras.h"

G_BEGIN_DECLS

/* the virtio-serial port name the QEMU guest agent listens on */
#define VIREO_GUEST_AGENT_CHANNEL "org.qemu.guest_agent.0"

/* The most images a disk's chain holds, its own image included: a linked
 * clone of a linked clone… stops there (each level is one more file QEMU
 * opens and one more lookup on every read of unwritten data). */
#define VIREO_CHAIN_MAX 16

typedef enum {
  VIREO_ACCEL_AUTO,   /* KVM where usable, else TCG */
  VIREO_ACCEL_KVM,
  VIREO_ACCEL_TCG,
} VireoAccel;

typedef enum {
  VIREO_DISK_DEVICE_DISK,
  VIREO_DISK_DEVICE_CDROM,
} VireoDiskDevice;

typedef enum {
  VIREO_DISK_BUS_VIRTIO,
  VIREO_DISK_BUS_SATA,
  VIREO_DISK_BUS_IDE,
  VIREO_DISK_BUS_SCSI,   /* on the VM's one virtio-scsi controller, scsi0 */
} VireoDiskBus;

/* A libvirt yes/no attribute, or its absence (which formats back as
 * absent: libvirt's defaults are libvirt's). */
typedef enum {
  VIREO_TRISTATE_ABSENT,
  VIREO_TRISTATE_YES,
  VIREO_TRISTATE_NO,
} VireoTristate;

/* <address type='drive' controller='0' bus='0' target='0' unit='0'/>: a
 * disk's place on its controller.  Kept for every bus; QEMU is told it
 * for SCSI disks only (bus is the channel, target the SCSI id, unit the
 * LUN). */
typedef struct {
  gboolean set;
  guint controller;
  guint bus;
  guint target;
  guint unit;
} VireoDriveAddress;

typedef enum {
  VIREO_NET_USER,
  VIREO_NET_NETWORK,
} VireoNetType;

typedef enum {
  VIREO_FORWARD_TCP,
  VIREO_FORWARD_UDP,
} VireoForwardProtocol;

/* The host address a forward listens on unless told otherwise: nothing
 * is exposed beyond the host unless asked. */
#define VIREO_FORWARD_DEFAULT_ADDRESS "127.0.0.1"

/**
 * VireoPortForward:
 * A host port forwarded into a user-mode NIC (QEMU's hostfwd): what
 * reaches @address:@host_port on the host goes to @guest_port of the
 * guest.  libvirt has no element for it: it is kept in Vireo's metadata
 * (<vireo:port-forward mac='…' protocol='tcp' address='127.0.0.1'
 * host='2222' guest='22'/>), tied to its NIC by MAC.
 */
typedef struct {
  VireoForwardProtocol protocol;
  char *address;         /* an IPv4 literal on the host */
  guint host_port;       /* 1-65535 */
  guint guest_port;      /* 1-65535 */
} VireoPortForward;

typedef struct {
  VireoDiskDevice device;
  VireoDiskBus bus;
  char *format;          /* "qcow2" or "raw" */
  char *path;            /* NULL: an empty CD-ROM drive */
  char *target;          /* "vda", "sda", "hdc" */
  gboolean readonly;
  gboolean shareable;
  guint boot_order;      /* 0: not in the per-device boot order */
  /* <driver cache='…' discard='…'>: NULL leaves QEMU's default (cache
   * "writeback"; discard unmap on the file, as Vireo always did) */
  char *cache;           /* "none", "writeback", "writethrough", "directsync", "unsafe" */
  char *discard;         /* "unmap", "ignore" */
  char **driver_attrs;   /* other <driver> attributes (io, event_idx…), kept not applied:
                          * name, value, name, value…; NULL when none */
  VireoDriveAddress address;
  /* The images under @path in a chain Vireo made itself (a linked
   * clone's bases, each a read-only qcow2 in the images folder), nearest
   * first: @path's backing file is backing[0], whose backing file is
   * backing[1]…, and the last is standalone.  NULL for a standalone
   * image (never an empty array).  In the XML as libvirt writes it,
   * nested: <backingStore type='file'><format type='qcow2'/><source
   * file='…'/><backingStore…/></backingStore>.  The image checks
   * (vireo_storage_check_image) accept exactly that chain; every other
   * backing file or data file is refused.  A string array rather than a
   * struct per level: a base has nothing but its file (Vireo's are all
   * qcow2), and g_strdupv/g_strfreev/g_strv_contains do the rest. */
  char **backing;
  GPtrArray *extra;      /* unknown child elements, serialized */
  VireoXmlExtras xml;    /* what the modelled parts say beyond the model (<target tray>…) */
} VireoDiskConfig;

typedef struct {
  VireoNetType type;
  char *network;         /* the network's name for VIREO_NET_NETWORK */
  char *mac;
  char *model;           /* "virtio", "e1000e", "e1000", "rtl8139" */
  guint boot_order;
  GPtrArray *forwards;   /* (element-type VireoPortForward): user-mode NICs only */
  GPtrArray *extra;      /* unknown child elements, serialized */
  VireoXmlExtras xml;    /* what the modelled parts say beyond the model */
} VireoNicConfig;

/**
 * VireoDomainConfig:
 * Plain data parsed from (and formatted to) a libvirt-compatible domain
 * XML.  It does no I/O and holds no references to other objects, so it can
 * be built and read on any thread; copy it to hand it across threads.
 * Elements Vireo does not interpret but can run alongside (clock,
 * controllers, channels, metadata of other programs…) are kept verbatim
 * in the extra_* arrays and written back unchanged.
 */
typedef struct {
  char *name;
  char *uuid;
  char *title;
  char *description;
  VireoAccel accel;
  gboolean accel_from_metadata;  /* type='kvm' means "auto" via our metadata */

  guint64 memory_kib;
  guint64 current_memory_kib;
  guint vcpus;           /* the most the guest may have (<vcpu>M</vcpu>) */
  guint current_vcpus;   /* online at boot (<vcpu current='N'>); 0: all of them */
  char *vcpu_cpuset;     /* <vcpu cpuset='0-3,^2'>: kept for libvirt, Vireo pins nothing */
  char *vcpu_placement;  /* <vcpu placement='static|auto'>: kept, as cpuset */

  char *arch;            /* "x86_64" */
  char *machine;         /* "q35", "pc-q35-7.2", "pc" … */
  char *kernel;
  char *initrd;
  char *cmdline;
  GPtrArray *boot_devs;  /* (element-type utf8): "hd", "cdrom", "network" */

  /* UEFI: <os firmware='efi'>, <firmware><feature…/>, <loader>, <nvram>.
   * A VM boots through UEFI when firmware is "efi" or a loader is named
   * (vireo_domain_config_uses_efi()); a NULL loader means "the host's
   * OVMF, chosen at each start" (vireo_host_find_ovmf()). */
  char *firmware;        /* NULL, "bios" or "efi", as written */
  VireoTristate fw_secure_boot;    /* <feature name='secure-boot'> */
  VireoTristate fw_enrolled_keys;  /* <feature name='enrolled-keys'> */
  char *loader;          /* the firmware code file, or NULL */
  VireoTristate loader_readonly;
  VireoTristate loader_secure;
  char *loader_type;     /* NULL or "pflash" */
  char *nvram;           /* the VM's variable store (qcow2), or NULL: made on first start */
  char *nvram_template;  /* the vars it is made from, or NULL: the firmware's own */

  gboolean acpi;
  gboolean apic;
  char *cpu_mode;        /* NULL, "host-passthrough", "host-model", "maximum", "custom" */
  char *cpu_model;       /* for "custom" */

  GPtrArray *disks;      /* (element-type VireoDiskConfig) */
  GPtrArray *nics;       /* (element-type VireoNicConfig) */
  gboolean vnc;
  char *vnc_keymap;      /* <graphics type='vnc' keymap='de'>: QEMU's -k */
  gboolean serial;
  char *video_model;     /* NULL (no video), "virtio", "vga", "cirrus", "bochs", "qxl" */
  gboolean video_none;   /* with a NULL video_model: <video><model type='none'/> was said,
                          * rather than no <video> at all (where libvirt adds its own) */
  gboolean rng;
  /* <rng><backend model='random'>/dev/urandom</backend>: "random" reads
   * rng_device (NULL: libvirt's default, /dev/urandom), "builtin" is
   * QEMU's own generator; <rate bytes period> caps what the guest draws */
  char *rng_backend;
  char *rng_device;
  guint rng_rate_bytes;       /* 0: no <rate> */
  guint rng_rate_period_ms;   /* 0: not said (libvirt's 1000 ms) */
  gboolean balloon;
  gboolean guest_agent;  /* a virtio-serial channel for the QEMU guest agent */
  /* <tpm model='…'><backend type='emulator' version='2.0'/></tpm>: a TPM
   * 2.0 emulated by swtpm, "tpm-crb" or "tpm-tis"; NULL for none */
  char *tpm_model;
  GPtrArray *tpm_extra;  /* the backend's other children (<active_pcr_banks>…), serialized */

  char *on_poweroff;
  char *on_reboot;
  char *on_crash;

  /* Unknown elements, serialized, written back where they were found. */
  GPtrArray *extra_domain;
  GPtrArray *extra_metadata;
  GPtrArray *extra_os;
  GPtrArray *extra_features;
  GPtrArray *extra_cpu;
  GPtrArray *extra_devices;
  /* What the modelled elements say beyond the model (<domain id>, <cpu
   * match>, video <model vram>, a PCI <address>…), by path: "domain",
   * "cpu", "devices/video"…  The parser fills it, the formatter writes
   * it back, vireo_domain_config_list_unapplied() reads it. */
  VireoXmlExtras xml;
} VireoDomainConfig;

VireoDomainConfig *vireo_domain_config_new      (const char *name);
VireoDomainConfig *vireo_domain_config_copy     (const VireoDomainConfig *config);
void               vireo_domain_config_free     (VireoDomainConfig *config);
VireoDomainConfig *vireo_domain_config_parse    (const char  *xml,
                                                 gssize       length,
                                                 const char  *source,
                                                 GError     **error);
char              *vireo_domain_config_format   (const VireoDomainConfig *config);
char              *vireo_domain_config_describe_boot (const VireoDomainConfig *config);
gboolean           vireo_domain_config_validate (const VireoDomainConfig *config,
                                                 GError     **error);
char             **vireo_domain_config_list_unapplied (const VireoDomainConfig *config);

VireoDiskConfig   *vireo_disk_config_new        (VireoDiskDevice device,
                                                 VireoDiskBus    bus,
                                                 const char     *format,
                                                 const char     *path);
void               vireo_disk_config_free       (VireoDiskConfig *disk);
void               vireo_domain_config_set_vcpus (VireoDomainConfig *config,
                                                  guint              vcpus);
void               vireo_disk_config_scsi_place (const VireoDiskConfig *disk,
                                                 guint                 *scsi_id,
                                                 guint                 *lun);
guint              vireo_disk_config_n_bases    (const VireoDiskConfig *disk);
gboolean           vireo_disk_config_has_base   (const VireoDiskConfig *disk,
                                                 const char            *image);
VireoNicConfig    *vireo_nic_config_new         (VireoNetType  type,
                                                 const char   *network,
                                                 const char   *mac);
void               vireo_nic_config_free        (VireoNicConfig *nic);
gboolean           vireo_domain_config_uses_networks (const VireoDomainConfig *config);
void               vireo_domain_config_use_user_networking (VireoDomainConfig *config);
VireoNicConfig    *vireo_domain_config_lookup_nic (const VireoDomainConfig *config,
                                                   const char              *mac);
VireoNicConfig    *vireo_domain_config_first_user_nic (const VireoDomainConfig *config);

VireoPortForward  *vireo_port_forward_new       (VireoForwardProtocol protocol,
                                                 const char          *address,
                                                 guint                host_port,
                                                 guint                guest_port);
VireoPortForward  *vireo_port_forward_copy      (const VireoPortForward *forward);
void               vireo_port_forward_free      (VireoPortForward *forward);
gboolean           vireo_port_forward_same_rule (const VireoPortForward *a,
                                                 const VireoPortForward *b);
char              *vireo_port_forward_to_hostfwd (const VireoPortForward *forward);
char              *vireo_port_forward_describe  (const VireoPortForward *forward);
VireoPortForward  *vireo_port_forward_parse     (const char  *spec,
                                                 gboolean     with_guest,
                                                 GError     **error);
gboolean           vireo_port_forward_check     (const VireoPortForward *forward,
                                                 const char             *vm_name,
                                                 GError                **error);
VireoPortForward  *vireo_nic_config_find_forward (const VireoNicConfig    *nic,
                                                  const VireoPortForward *rule);
const char        *vireo_forward_protocol_to_string (VireoForwardProtocol protocol);
gboolean           vireo_forward_protocol_from_string (const char           *text,
                                                       VireoForwardProtocol *protocol);

void               vireo_domain_config_add_disk (VireoDomainConfig *config,
                                                 VireoDiskConfig   *disk);
VireoDiskConfig   *vireo_domain_config_lookup_disk (const VireoDomainConfig *config,
                                                    const char              *target);
gboolean           vireo_domain_config_remove_disk (VireoDomainConfig *config,
                                                    const char        *target);
const char        *vireo_domain_config_set_disk_bus (VireoDomainConfig *config,
                                                     const char        *target,
                                                     VireoDiskBus       bus);
VireoDiskBus       vireo_domain_config_default_bus (const VireoDomainConfig *config,
                                                    VireoDiskDevice          device);
gboolean           vireo_domain_config_uses_efi (const VireoDomainConfig *config);
gboolean           vireo_domain_config_secure_boot (const VireoDomainConfig *config);
const char        *vireo_domain_config_firmware_label (const VireoDomainConfig *config);
gboolean           vireo_domain_config_smm_on   (const VireoDomainConfig *config);
gboolean           vireo_domain_config_nvram_is_qcow2 (const VireoDomainConfig *config);
gboolean           vireo_domain_config_is_q35 (const VireoDomainConfig *config);
void               vireo_domain_config_set_firmware (VireoDomainConfig *config,
                                                     gboolean           efi);
gboolean           vireo_machine_type_is_valid  (const char *machine);
gboolean           vireo_cpu_model_is_valid     (const char *model);
const char        *vireo_accel_to_string        (VireoAccel accel);
gboolean           vireo_accel_from_string      (const char *text,
                                                 VireoAccel *accel);
const char        *vireo_disk_bus_to_string     (VireoDiskBus bus);
gboolean           vireo_disk_bus_from_string   (const char   *text,
                                                 VireoDiskBus *bus);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoDomainConfig, vireo_domain_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoDiskConfig, vireo_disk_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoNicConfig, vireo_nic_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoPortForward, vireo_port_forward_free)

G_END_DECLS
