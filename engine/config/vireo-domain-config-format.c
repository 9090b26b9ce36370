/* vireo-domain-config-format.c: the model back into libvirt domain XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What was parsed is written in libvirt's shape, with the verbatim
 * elements the parser kept, so a VM moves back to libvirt unchanged.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "vireo-domain-config.h"
#include "vireo-domain-config-private.h"
#include "vireo-xml.h"

static xmlNode *
add_memory (xmlNode    *parent,
            const char *name,
            guint64     kib)
{
  char buf[32];
  xmlNode *node;

  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, kib);
  node = vireo_xml_add_text (parent, name, buf);
  vireo_xml_set (node, "unit", "KiB");
  return node;
}

static void
add_boot_order (xmlNode *parent,
                guint    order)
{
  if (order > 0)
    vireo_xml_set_uint (vireo_xml_add (parent, "boot"), "order", order);
}

static void
format_disk (xmlNode               *devices,
             const VireoDiskConfig *disk)
{
  xmlNode *node = vireo_xml_add (devices, "disk");
  xmlNode *child;

  vireo_xml_set (node, "type", disk->path && g_str_has_prefix (disk->path, "/dev/") ? "block" : "file");
  vireo_xml_set (node, "device", disk->device == VIREO_DISK_DEVICE_CDROM ? "cdrom" : "disk");
  child = vireo_xml_add (node, "driver");
  vireo_xml_set (child, "name", "qemu");
  vireo_xml_set (child, "type", disk->format);
  if (disk->cache)
    vireo_xml_set (child, "cache", disk->cache);
  if (disk->discard)
    vireo_xml_set (child, "discard", disk->discard);
  for (guint i = 0; disk->driver_attrs && disk->driver_attrs[i] && disk->driver_attrs[i + 1]; i += 2)
    vireo_xml_set (child, disk->driver_attrs[i], disk->driver_attrs[i + 1]);
  if (disk->path)
    vireo_xml_set (vireo_xml_add (node, "source"),
         g_str_has_prefix (disk->path, "/dev/") ? "dev" : "file", disk->path);
  /* libvirt's shape for a chain: each level holds the next */
  child = node;
  for (guint i = 0; disk->backing && disk->backing[i]; i++)
    {
      child = vireo_xml_add (child, "backingStore");
      vireo_xml_set (child, "type", "file");
      vireo_xml_set (vireo_xml_add (child, "format"), "type", "qcow2");
      vireo_xml_set (vireo_xml_add (child, "source"), "file", disk->backing[i]);
    }
  child = vireo_xml_add (node, "target");
  vireo_xml_set (child, "dev", disk->target);
  vireo_xml_set (child, "bus", vireo_disk_bus_to_string (disk->bus));
  add_boot_order (node, disk->boot_order);
  if (disk->readonly)
    vireo_xml_add (node, "readonly");
  if (disk->shareable)
    vireo_xml_add (node, "shareable");
  vireo_xml_add_fragments (node, disk->extra);
  if (disk->address.set)
    {
      child = vireo_xml_add (node, "address");
      vireo_xml_set (child, "type", "drive");
      vireo_xml_set_uint (child, "controller", disk->address.controller);
      vireo_xml_set_uint (child, "bus", disk->address.bus);
      vireo_xml_set_uint (child, "target", disk->address.target);
      vireo_xml_set_uint (child, "unit", disk->address.unit);
    }
  vireo_xml_extras_apply (&disk->xml, "disk", node);
  vireo_xml_extras_settle (&disk->xml, "disk", node);
}

static void
format_nic (xmlNode              *devices,
            const VireoNicConfig *nic)
{
  xmlNode *node = vireo_xml_add (devices, "interface");

  vireo_xml_set (node, "type", nic->type == VIREO_NET_NETWORK ? "network" : "user");
  vireo_xml_set (vireo_xml_add (node, "mac"), "address", nic->mac);
  if (nic->type == VIREO_NET_NETWORK)
    vireo_xml_set (vireo_xml_add (node, "source"), "network", nic->network);
  vireo_xml_set (vireo_xml_add (node, "model"), "type", nic->model);
  add_boot_order (node, nic->boot_order);
  vireo_xml_add_fragments (node, nic->extra);
  vireo_xml_extras_apply (&nic->xml, "interface", node);
  vireo_xml_extras_settle (&nic->xml, "interface", node);
}

/* libvirt's place for it: after the consoles and channels, before the screen */
static void
format_tpm (xmlNode                 *devices,
            const VireoDomainConfig *config)
{
  xmlNode *node = vireo_xml_add (devices, "tpm");

  vireo_xml_set (node, "model", config->tpm_model);
  node = vireo_xml_add (node, "backend");
  vireo_xml_set (node, "type", "emulator");
  vireo_xml_set (node, "version", "2.0");
  vireo_xml_add_fragments (node, config->tpm_extra);
}

/* A device element Vireo models; @path is its name in config->xml
 * ("devices/video"), where what it kept of the original is found. */
static xmlNode *
add_device (xmlNode    *devices,
            const char *path,
            const char *type_attr,
            const char *type)
{
  xmlNode *node = vireo_xml_add (devices, path + strlen ("devices/"));

  vireo_xml_set (node, type_attr, type);
  return node;
}

static void
format_serial (xmlNode                 *devices,
               const VireoDomainConfig *config)
{
  xmlNode *serial = add_device (devices, "devices/serial", "type", "pty");
  xmlNode *console = add_device (devices, "devices/console", "type", "pty");
  xmlNode *node;

  vireo_xml_set (vireo_xml_add (serial, "target"), "port", "0");
  vireo_xml_extras_apply (&config->xml, "devices/serial", serial);
  node = vireo_xml_add (console, "target");
  vireo_xml_set (node, "type", "serial");
  vireo_xml_set (node, "port", "0");
  vireo_xml_extras_apply (&config->xml, "devices/console", console);
}

/* <video> as it was said: a model, an explicit none, or nothing at all */
static void
format_video (xmlNode                 *devices,
              const VireoDomainConfig *config)
{
  xmlNode *node;

  if (config->video_model == NULL && !config->video_none)
    return;
  node = vireo_xml_add (devices, "video");
  vireo_xml_set (vireo_xml_add (node, "model"), "type", config->video_model ? config->video_model : "none");
  vireo_xml_extras_apply (&config->xml, "devices/video", node);
}

static void
format_helpers (xmlNode                 *devices,
                const VireoDomainConfig *config)
{
  xmlNode *node;

  if (config->rng)
    {
      xmlNode *rate;

      node = add_device (devices, "devices/rng", "model", "virtio");
      vireo_xml_set (vireo_xml_add_text (node, "backend", config->rng_device), "model", config->rng_backend);
      if (config->rng_rate_bytes > 0)
        {
          rate = vireo_xml_add (node, "rate");
          vireo_xml_set_uint (rate, "bytes", config->rng_rate_bytes);
          if (config->rng_rate_period_ms > 0)
            vireo_xml_set_uint (rate, "period", config->rng_rate_period_ms);
        }
      vireo_xml_extras_apply (&config->xml, "devices/rng", node);
    }
  node = add_device (devices, "devices/memballoon", "model", config->balloon ? "virtio" : "none");
  vireo_xml_extras_apply (&config->xml, "devices/memballoon", node);
  if (config->guest_agent)
    {
      xmlNode *target;

      node = add_device (devices, "devices/channel", "type", "unix");
      target = vireo_xml_add (node, "target");
      vireo_xml_set (target, "type", "virtio");
      vireo_xml_set (target, "name", VIREO_GUEST_AGENT_CHANNEL);
      vireo_xml_extras_apply (&config->xml, "devices/channel", node);
    }
}

static void
format_devices (xmlNode                 *root,
                const VireoDomainConfig *config)
{
  xmlNode *devices = vireo_xml_add (root, "devices");
  xmlNode *node;

  for (guint i = 0; i < config->disks->len; i++)
    format_disk (devices, g_ptr_array_index (config->disks, i));
  for (guint i = 0; i < config->nics->len; i++)
    format_nic (devices, g_ptr_array_index (config->nics, i));

  if (config->serial)
    format_serial (devices, config);
  if (config->tpm_model)
    format_tpm (devices, config);
  if (config->vnc)
    {
      node = add_device (devices, "devices/graphics", "type", "vnc");
      if (config->vnc_keymap)
        vireo_xml_set (node, "keymap", config->vnc_keymap);
      vireo_xml_extras_apply (&config->xml, "devices/graphics", node);
    }
  format_video (devices, config);
  format_helpers (devices, config);
  vireo_xml_add_fragments (devices, config->extra_devices);
}

/* <vcpu placement cpuset current>: current only when fewer than all, as
 * libvirt writes it */
static void
format_vcpu (xmlNode                 *vcpu,
             const VireoDomainConfig *config)
{
  if (config->vcpu_placement)
    vireo_xml_set (vcpu, "placement", config->vcpu_placement);
  if (config->vcpu_cpuset)
    vireo_xml_set (vcpu, "cpuset", config->vcpu_cpuset);
  if (config->current_vcpus > 0 && config->current_vcpus != config->vcpus)
    vireo_xml_set_uint (vcpu, "current", config->current_vcpus);
  vireo_xml_extras_apply (&config->xml, "vcpu", vcpu);
}

static void
set_tristate (xmlNode       *node,
              const char    *attribute,
              VireoTristate  value)
{
  if (value != VIREO_TRISTATE_ABSENT)
    vireo_xml_set (node, attribute, value == VIREO_TRISTATE_YES ? "yes" : "no");
}

/* <firmware>, <loader> and <nvram>, after <type> as libvirt writes them
 * (features in libvirt's order: enrolled-keys, then secure-boot) */
static void
format_uefi (xmlNode                 *os,
             const VireoDomainConfig *config)
{
  xmlNode *node;

  if (config->fw_enrolled_keys || config->fw_secure_boot)
    {
      xmlNode *firmware = vireo_xml_add (os, "firmware");
      const struct { const char *name; VireoTristate value; } features[] = {
        { "enrolled-keys", config->fw_enrolled_keys }, { "secure-boot", config->fw_secure_boot },
      };

      for (guint i = 0; i < G_N_ELEMENTS (features); i++)
        if (features[i].value != VIREO_TRISTATE_ABSENT)
          {
            node = vireo_xml_add (firmware, "feature");
            set_tristate (node, "enabled", features[i].value);
            vireo_xml_set (node, "name", features[i].name);
          }
    }
  if (config->loader || config->loader_readonly || config->loader_secure || config->loader_type)
    {
      node = config->loader ? vireo_xml_add_text (os, "loader", config->loader) : vireo_xml_add (os, "loader");
      set_tristate (node, "readonly", config->loader_readonly);
      set_tristate (node, "secure", config->loader_secure);
      if (config->loader_type)
        vireo_xml_set (node, "type", config->loader_type);
    }
  if (config->nvram || config->nvram_template)
    {
      node = config->nvram ? vireo_xml_add_text (os, "nvram", config->nvram) : vireo_xml_add (os, "nvram");
      if (config->nvram_template)
        vireo_xml_set (node, "template", config->nvram_template);
    }
}

static void
format_os (xmlNode                 *root,
           const VireoDomainConfig *config)
{
  xmlNode *os = vireo_xml_add (root, "os");
  xmlNode *type = vireo_xml_add_text (os, "type", "hvm");

  if (config->firmware)
    vireo_xml_set (os, "firmware", config->firmware);
  vireo_xml_set (type, "arch", config->arch);
  vireo_xml_set (type, "machine", config->machine);
  format_uefi (os, config);
  if (config->kernel)
    vireo_xml_add_text (os, "kernel", config->kernel);
  if (config->initrd)
    vireo_xml_add_text (os, "initrd", config->initrd);
  if (config->cmdline)
    vireo_xml_add_text (os, "cmdline", config->cmdline);
  for (guint i = 0; i < config->boot_devs->len; i++)
    vireo_xml_set (vireo_xml_add (os, "boot"), "dev", g_ptr_array_index (config->boot_devs, i));
  vireo_xml_add_fragments (os, config->extra_os);
  vireo_xml_extras_apply (&config->xml, "os", os);
}

static gboolean
has_forwards (const VireoDomainConfig *config)
{
  for (guint i = 0; i < config->nics->len; i++)
    if (((VireoNicConfig *) g_ptr_array_index (config->nics, i))->forwards->len > 0)
      return TRUE;
  return FALSE;
}

/* <vireo:port-forward mac='…' protocol='tcp' address='…' host='…'
 * guest='…'/>, one per forward, NIC by NIC */
static void
format_forwards (xmlNode                 *ours,
                 xmlNs                   *ns,
                 const VireoDomainConfig *config)
{
  for (guint i = 0; i < config->nics->len; i++)
    {
      const VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      for (guint j = 0; j < nic->forwards->len; j++)
        {
          const VireoPortForward *forward = g_ptr_array_index (nic->forwards, j);
          xmlNode *node = xmlNewChild (ours, ns, BAD_CAST "port-forward", NULL);

          vireo_xml_set (node, "mac", nic->mac);
          vireo_xml_set (node, "protocol", vireo_forward_protocol_to_string (forward->protocol));
          vireo_xml_set (node, "address", forward->address);
          vireo_xml_set_uint (node, "host", forward->host_port);
          vireo_xml_set_uint (node, "guest", forward->guest_port);
        }
    }
}

static void
format_metadata (xmlNode                 *root,
                 const VireoDomainConfig *config)
{
  gboolean forwards = has_forwards (config);
  xmlNode *metadata;

  if (config->accel != VIREO_ACCEL_AUTO && !forwards && config->extra_metadata->len == 0)
    return;

  metadata = vireo_xml_add (root, "metadata");
  if (config->accel == VIREO_ACCEL_AUTO || forwards)
    {
      xmlNode *ours = xmlNewChild (metadata, NULL, BAD_CAST "domain", NULL);
      xmlNs *ns = xmlNewNs (ours, BAD_CAST VIREO_XMLNS, BAD_CAST "vireo");

      xmlSetNs (ours, ns);
      if (config->accel == VIREO_ACCEL_AUTO)
        xmlNewTextChild (ours, ns, BAD_CAST "accel", BAD_CAST "auto");
      format_forwards (ours, ns, config);
    }
  vireo_xml_add_fragments (metadata, config->extra_metadata);
}

static void
format_features_and_cpu (xmlNode                 *root,
                         const VireoDomainConfig *config)
{
  if (config->acpi || config->apic || config->extra_features->len > 0)
    {
      xmlNode *features = vireo_xml_add (root, "features");
      if (config->acpi)
        vireo_xml_add (features, "acpi");
      if (config->apic)
        vireo_xml_add (features, "apic");
      vireo_xml_add_fragments (features, config->extra_features);
      vireo_xml_extras_apply (&config->xml, "features", features);
    }
  if (config->cpu_mode || config->extra_cpu->len > 0 || vireo_xml_extras_has (&config->xml, "cpu"))
    {
      xmlNode *cpu = vireo_xml_add (root, "cpu");
      if (config->cpu_mode)
        vireo_xml_set (cpu, "mode", config->cpu_mode);
      if (config->cpu_model)
        vireo_xml_add_text (cpu, "model", config->cpu_model);
      vireo_xml_add_fragments (cpu, config->extra_cpu);
      vireo_xml_extras_apply (&config->xml, "cpu", cpu);
    }
}

/* The defaults the document did not say go, and every element's children
 * take the document's order again (config->xml's paths start at the
 * root's children, but "domain" is the root itself). */
static void
settle (xmlNode                 *root,
        const VireoDomainConfig *config)
{
  vireo_xml_for_each_element (child, root)
    vireo_xml_extras_settle (&config->xml, (const char *) child->name, child);
  vireo_xml_extras_settle (&config->xml, "domain", root);
}

/**
 * vireo_domain_config_format:
 * Returns: (transfer full): the domain XML, in libvirt's element order and
 *   indentation, with the elements Vireo keeps but does not interpret.
 */
char *
vireo_domain_config_format (const VireoDomainConfig *config)
{
  xmlDoc *doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNode *root = xmlNewNode (NULL, BAD_CAST "domain");
  g_autofree char *vcpus = NULL;
  xmlBuffer *buf;
  char *ret;

  xmlDocSetRootElement (doc, root);
  vireo_xml_set (root, "type", config->accel == VIREO_ACCEL_TCG ? "qemu" : "kvm");
  vireo_xml_extras_apply (&config->xml, "domain", root);

  vireo_xml_add_text (root, "name", config->name);
  vireo_xml_add_text (root, "uuid", config->uuid);
  if (config->title)
    vireo_xml_add_text (root, "title", config->title);
  if (config->description)
    vireo_xml_add_text (root, "description", config->description);
  format_metadata (root, config);
  vireo_xml_extras_apply (&config->xml, "memory", add_memory (root, "memory", config->memory_kib));
  vireo_xml_extras_apply (&config->xml, "currentMemory",
                          add_memory (root, "currentMemory", config->current_memory_kib));
  vcpus = g_strdup_printf ("%u", config->vcpus);
  format_vcpu (vireo_xml_add_text (root, "vcpu", vcpus), config);
  format_os (root, config);

  format_features_and_cpu (root, config);
  vireo_xml_add_fragments (root, config->extra_domain);
  if (config->on_poweroff)
    vireo_xml_add_text (root, "on_poweroff", config->on_poweroff);
  if (config->on_reboot)
    vireo_xml_add_text (root, "on_reboot", config->on_reboot);
  if (config->on_crash)
    vireo_xml_add_text (root, "on_crash", config->on_crash);
  format_devices (root, config);
  settle (root, config);

  buf = xmlBufferCreate ();
  xmlNodeDump (buf, doc, root, 0, 1);
  ret = g_strconcat ((const char *) xmlBufferContent (buf), "\n", NULL);
  xmlBufferFree (buf);
  xmlFreeDoc (doc);
  return ret;
}
