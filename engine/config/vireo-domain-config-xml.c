/* vireo-domain-config-xml.c: libvirt-compatible domain XML, both ways
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "vireo-domain-config.h"
#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"

#define VIREO_XMLNS "urn:vireo:domain:1"
#define QEMU_XMLNS "http://libvirt.org/schemas/domain/qemu/1.0"

typedef struct {
  const char *where;   /* the VM's name once known, else the source */
  GError **error;
} ParseContext;

/* Elements that we keep verbatim but do not interpret: harmless to carry
 * along (clock, pm, controllers, inputs, guest-agent channels, sound…). */
static const char *kept_domain[] = {
  "clock", "pm", "iothreads", "cputune", "numatune", "blkiotune",
  "memtune", "memoryBacking", "resource", "sysinfo", "seclabel", "keywrap",
  "genid", "perf", "idmap", "vcpus", "maxMemory", NULL
};
static const char *kept_devices[] = {
  "emulator", "controller", "input", "channel", "sound", "audio",
  "watchdog", "panic", "redirdev", NULL
};
/* Runtime details libvirt adds that mean nothing to Vireo. */
static const char *dropped_device_children[] = { "address", "alias", NULL };

#define for_each_element(child, parent) \
  for (xmlNode *child = (parent)->children; child != NULL; child = child->next) \
    if (child->type == XML_ELEMENT_NODE)

static gboolean
is (const xmlNode *node,
    const char    *name)
{
  return xmlStrcmp (node->name, BAD_CAST name) == 0;
}

static char *
prop (const xmlNode *node,
      const char    *name)
{
  xmlChar *value = xmlGetProp (node, BAD_CAST name);
  char *ret = g_strdup ((const char *) value);

  xmlFree (value);
  return ret;
}

static char *
content (const xmlNode *node)
{
  xmlChar *value = xmlNodeGetContent (node);
  char *ret = g_strdup ((const char *) value);

  xmlFree (value);
  return ret;
}

static gboolean
fail (ParseContext *ctx,
      const char   *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (ParseContext *ctx,
      const char   *format,
      ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (ctx->error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               _("VM '%s': %s"), ctx->where, msg);
  return FALSE;
}

/* Serializes a subtree on its own; copying first pulls namespace
 * declarations of ancestors into the copy so the text parses alone. */
static char *
node_to_string (xmlNode *node)
{
  xmlNode *copy = xmlCopyNode (node, 1);
  xmlBuffer *buf = xmlBufferCreate ();
  char *ret;

  xmlNodeDump (buf, NULL, copy, 0, 0);
  ret = g_strdup ((const char *) xmlBufferContent (buf));
  xmlBufferFree (buf);
  xmlFreeNode (copy);
  return ret;
}

static void
keep (GPtrArray *extra,
      xmlNode   *node)
{
  g_ptr_array_add (extra, node_to_string (node));
}

static void
replace_str (char      **ptr,
             const char *value)
{
  char *old = *ptr;

  *ptr = g_strdup (value);
  g_free (old);
}

static gboolean
parse_uint (const char *text,
            guint64     max,
            guint64    *out)
{
  guint64 value;

  if (text == NULL)
    return FALSE;
  if (!g_ascii_string_to_unsigned (g_strstrip ((char *) text), 10, 0, max, &value, NULL))
    return FALSE;
  *out = value;
  return TRUE;
}

/* libvirt's scaled integers: the unit attribute, KiB by default. */
static gboolean
parse_memory (ParseContext  *ctx,
              xmlNode       *node,
              guint64       *kib)
{
  static const struct { const char *unit; guint64 bytes; } units[] = {
    { "b", 1 }, { "bytes", 1 },
    { "KB", 1000 }, { "k", 1024 }, { "KiB", 1024 },
    { "MB", 1000000 }, { "M", 1024 * 1024 }, { "MiB", 1024 * 1024 },
    { "GB", 1000000000 }, { "G", 1024 * 1024 * 1024 }, { "GiB", 1024 * 1024 * 1024 },
    { "TB", G_GUINT64_CONSTANT (1000000000000) },
    { "T", G_GUINT64_CONSTANT (1) << 40 }, { "TiB", G_GUINT64_CONSTANT (1) << 40 },
  };
  g_autofree char *unit = prop (node, "unit");
  g_autofree char *text = content (node);
  guint64 value, scale = 1024;
  gboolean found = unit == NULL;

  for (guint i = 0; !found && i < G_N_ELEMENTS (units); i++)
    if (g_ascii_strcasecmp (unit, units[i].unit) == 0 &&
        (strlen (unit) > 1 || g_str_equal (unit, units[i].unit)))
      {
        scale = units[i].bytes;
        found = TRUE;
      }
  if (!found)
    return fail (ctx, _("<%s unit='%s'> is not a known unit"), node->name, unit);
  if (!parse_uint (text, G_MAXUINT64 / scale - 1024, &value))
    return fail (ctx, _("<%s> is not a number"), node->name);

  *kib = (value * scale + 1023) / 1024;
  return TRUE;
}

static gboolean
parse_boot_order (ParseContext *ctx,
                  xmlNode      *node,
                  guint        *order)
{
  g_autofree char *text = prop (node, "order");
  guint64 value;

  if (!parse_uint (text, 1000, &value) || value == 0)
    return fail (ctx, _("<boot order='%s'> is not a positive number"), text ? text : "");
  *order = value;
  return TRUE;
}

static void
keep_unless_dropped (GPtrArray *extra,
                     xmlNode   *child)
{
  for (guint i = 0; dropped_device_children[i]; i++)
    if (is (child, dropped_device_children[i]))
      return;
  keep (extra, child);
}

static gboolean
parse_disk (ParseContext      *ctx,
            VireoDomainConfig *config,
            xmlNode           *node)
{
  g_autofree char *type = prop (node, "type");
  g_autofree char *device = prop (node, "device");
  g_autoptr(VireoDiskConfig) disk = NULL;

  if (type != NULL && !g_str_equal (type, "file") && !g_str_equal (type, "block"))
    return fail (ctx, _("<disk type='%s'> is not supported (file or block)"), type);

  if (device == NULL || g_str_equal (device, "disk"))
    disk = vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "raw", NULL);
  else if (g_str_equal (device, "cdrom"))
    disk = vireo_disk_config_new (VIREO_DISK_DEVICE_CDROM, VIREO_DISK_BUS_SATA, "raw", NULL);
  else
    return fail (ctx, _("<disk device='%s'> is not supported (disk or cdrom)"), device);
  disk->readonly = FALSE;

  for_each_element (child, node)
    {
      if (is (child, "driver"))
        {
          g_autofree char *format = prop (child, "type");
          if (format != NULL)
            replace_str (&disk->format, format);
        }
      else if (is (child, "source"))
        {
          g_autofree char *file = prop (child, "file");
          g_autofree char *dev = prop (child, "dev");
          replace_str (&disk->path, file ? file : dev);
        }
      else if (is (child, "target"))
        {
          g_autofree char *dev = prop (child, "dev");
          g_autofree char *bus = prop (child, "bus");

          replace_str (&disk->target, dev);
          if (bus == NULL)
            bus = g_strdup (dev && g_str_has_prefix (dev, "vd") ? "virtio" :
                            dev && g_str_has_prefix (dev, "hd") ? "ide" : "sata");
          if (!vireo_disk_bus_from_string (bus, &disk->bus))
            return fail (ctx, _("disk bus '%s' is not supported (virtio, sata or ide)"), bus);
        }
      else if (is (child, "readonly"))
        disk->readonly = TRUE;
      else if (is (child, "shareable"))
        disk->shareable = TRUE;
      else if (is (child, "boot"))
        {
          if (!parse_boot_order (ctx, child, &disk->boot_order))
            return FALSE;
        }
      else
        keep_unless_dropped (disk->extra, child);
    }

  if (disk->target == NULL)
    return fail (ctx, _("a <disk> has no <target dev>"));
  if (disk->device == VIREO_DISK_DEVICE_CDROM)
    disk->readonly = TRUE;

  g_ptr_array_add (config->disks, g_steal_pointer (&disk));
  return TRUE;
}

static gboolean
parse_interface (ParseContext      *ctx,
                 VireoDomainConfig *config,
                 xmlNode           *node)
{
  g_autofree char *type = prop (node, "type");
  g_autoptr(VireoNicConfig) nic = NULL;

  if (g_strcmp0 (type, "user") == 0)
    nic = vireo_nic_config_new (VIREO_NET_USER, NULL, NULL);
  else if (g_strcmp0 (type, "network") == 0)
    nic = vireo_nic_config_new (VIREO_NET_NETWORK, NULL, NULL);
  else
    return fail (ctx, _("<interface type='%s'> is not supported (user or network)"),
                 type ? type : "");
  g_clear_pointer (&nic->mac, g_free);

  for_each_element (child, node)
    {
      if (is (child, "mac"))
        {
          g_autofree char *address = prop (child, "address");
          nic->mac = vireo_mac_normalize (address);
          if (nic->mac == NULL)
            return fail (ctx, _("<mac address='%s'> is not a valid unicast MAC"),
                         address ? address : "");
        }
      else if (is (child, "source"))
        {
          g_autofree char *network = prop (child, "network");
          replace_str (&nic->network, network);
        }
      else if (is (child, "model"))
        {
          g_autofree char *model = prop (child, "type");
          if (model != NULL)
            replace_str (&nic->model, model);
        }
      else if (is (child, "boot"))
        {
          if (!parse_boot_order (ctx, child, &nic->boot_order))
            return FALSE;
        }
      else if (is (child, "target"))
        ; /* the host tap's name: runtime state */
      else
        keep_unless_dropped (nic->extra, child);
    }

  if (nic->type == VIREO_NET_NETWORK && nic->network == NULL)
    return fail (ctx, _("<interface type='network'> has no <source network>"));
  if (nic->mac == NULL)
    nic->mac = vireo_mac_generate (NULL);

  g_ptr_array_add (config->nics, g_steal_pointer (&nic));
  return TRUE;
}

/* <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/>:
 * the guest agent channel virt-manager adds; Vireo runs it itself (its
 * <source> path, if any, is libvirt's and means nothing here). */
static gboolean
is_agent_channel (xmlNode *node)
{
  g_autofree char *type = NULL;

  if (!is (node, "channel"))
    return FALSE;
  type = prop (node, "type");
  if (g_strcmp0 (type, "unix") != 0)
    return FALSE;
  for_each_element (child, node)
    if (is (child, "target"))
      {
        g_autofree char *target_type = prop (child, "type");
        g_autofree char *name = prop (child, "name");

        return g_strcmp0 (target_type, "virtio") == 0 &&
               g_strcmp0 (name, VIREO_GUEST_AGENT_CHANNEL) == 0;
      }
  return FALSE;
}

static gboolean
parse_devices (ParseContext      *ctx,
               VireoDomainConfig *config,
               xmlNode           *node)
{
  gboolean saw_video = FALSE, saw_balloon = FALSE;

  config->vnc = FALSE;
  config->serial = FALSE;
  config->rng = FALSE;
  config->guest_agent = FALSE;
  g_clear_pointer (&config->video_model, g_free);

  for_each_element (child, node)
    {
      if (is (child, "disk"))
        {
          if (!parse_disk (ctx, config, child))
            return FALSE;
        }
      else if (is (child, "interface"))
        {
          if (!parse_interface (ctx, config, child))
            return FALSE;
        }
      else if (is (child, "graphics"))
        {
          g_autofree char *type = prop (child, "type");

          /* virt-manager's VMs use SPICE: Vireo shows their screen over
           * its own VNC socket and keeps the SPICE element for libvirt */
          if (g_strcmp0 (type, "spice") == 0)
            keep (config->extra_devices, child);
          else if (g_strcmp0 (type, "vnc") != 0)
            return fail (ctx, _("<graphics type='%s'> is not supported (vnc or spice)"),
                         type ? type : "");
          config->vnc = TRUE;
        }
      else if (is (child, "serial"))
        {
          g_autofree char *type = prop (child, "type");
          if (g_strcmp0 (type, "pty") != 0)
            return fail (ctx, _("<serial type='%s'> is not supported (pty only)"),
                         type ? type : "");
          config->serial = TRUE;
        }
      else if (is (child, "console"))
        ; /* written back from the serial port */
      else if (is (child, "video"))
        {
          if (saw_video)
            return fail (ctx, _("more than one <video> is not supported"));
          saw_video = TRUE;
          for_each_element (model, child)
            if (is (model, "model"))
              {
                g_autofree char *type = prop (model, "type");
                if (g_strcmp0 (type, "none") != 0)
                  replace_str (&config->video_model, type);
              }
        }
      else if (is (child, "rng"))
        {
          g_autofree char *model = prop (child, "model");
          if (g_strcmp0 (model, "virtio") != 0)
            return fail (ctx, _("<rng model='%s'> is not supported (virtio)"), model ? model : "");
          config->rng = TRUE;
        }
      else if (is (child, "memballoon"))
        {
          g_autofree char *model = prop (child, "model");
          saw_balloon = TRUE;
          if (g_strcmp0 (model, "none") == 0)
            config->balloon = FALSE;
          else if (g_strcmp0 (model, "virtio") == 0)
            config->balloon = TRUE;
          else
            return fail (ctx, _("<memballoon model='%s'> is not supported"), model ? model : "");
        }
      else if (is_agent_channel (child))
        config->guest_agent = TRUE;
      else if (g_strv_contains (kept_devices, (const char *) child->name))
        keep (config->extra_devices, child);
      else
        return fail (ctx, _("<%s> devices are not supported"), child->name);
    }

  /* libvirt adds a balloon when none is written; so do we. */
  if (!saw_balloon)
    config->balloon = TRUE;
  return TRUE;
}

static gboolean
parse_os (ParseContext      *ctx,
          VireoDomainConfig *config,
          xmlNode           *node)
{
  g_autofree char *firmware = prop (node, "firmware");

  if (firmware != NULL && !g_str_equal (firmware, "bios"))
    return fail (ctx, _("<os firmware='%s'> is not supported yet (BIOS only)"), firmware);

  for_each_element (child, node)
    {
      if (is (child, "type"))
        {
          g_autofree char *type = content (child);
          g_autofree char *arch = prop (child, "arch");
          g_autofree char *machine = prop (child, "machine");

          g_strstrip (type);
          if (!g_str_equal (type, "hvm"))
            return fail (ctx, _("<os><type>%s</type> is not supported (hvm only)"), type);
          if (arch != NULL)
            replace_str (&config->arch, arch);
          if (machine != NULL)
            replace_str (&config->machine, machine);
        }
      else if (is (child, "kernel"))
        config->kernel = content (child);
      else if (is (child, "initrd"))
        config->initrd = content (child);
      else if (is (child, "cmdline"))
        config->cmdline = content (child);
      else if (is (child, "boot"))
        g_ptr_array_add (config->boot_devs, prop (child, "dev"));
      else if (is (child, "loader") || is (child, "nvram"))
        return fail (ctx, _("<os><%s> (UEFI firmware) is not supported yet"), child->name);
      else
        keep (config->extra_os, child);
    }
  return TRUE;
}

static gboolean
parse_cpu (ParseContext      *ctx,
           VireoDomainConfig *config,
           xmlNode           *node)
{
  static const char *modes[] = { "host-passthrough", "host-model", "maximum", "custom", NULL };
  g_autofree char *mode = prop (node, "mode");

  if (mode == NULL)
    mode = g_strdup ("custom");
  if (!g_strv_contains (modes, mode))
    return fail (ctx, _("<cpu mode='%s'> is not supported"), mode);
  replace_str (&config->cpu_mode, mode);

  for_each_element (child, node)
    {
      if (is (child, "model"))
        config->cpu_model = content (child);
      else
        keep (config->extra_cpu, child);
    }
  /* <cpu> with only topology and no model means "the default CPU". */
  if (g_str_equal (mode, "custom") && config->cpu_model == NULL)
    g_clear_pointer (&config->cpu_mode, g_free);
  return TRUE;
}

static void
parse_metadata (VireoDomainConfig *config,
                xmlNode           *node)
{
  for_each_element (child, node)
    {
      if (child->ns && xmlStrcmp (child->ns->href, BAD_CAST VIREO_XMLNS) == 0)
        {
          for_each_element (item, child)
            if (is (item, "accel"))
              {
                g_autofree char *accel = content (item);
                if (g_strcmp0 (g_strstrip (accel), "auto") == 0)
                  config->accel_from_metadata = TRUE;
              }
        }
      else
        keep (config->extra_metadata, child);
    }
}

static gboolean
parse_domain (ParseContext      *ctx,
              VireoDomainConfig *config,
              xmlNode           *root)
{
  g_autofree char *type = prop (root, "type");
  gboolean saw_memory = FALSE, saw_current = FALSE, saw_os = FALSE;

  if (g_strcmp0 (type, "kvm") == 0)
    config->accel = VIREO_ACCEL_KVM;
  else if (g_strcmp0 (type, "qemu") == 0)
    config->accel = VIREO_ACCEL_TCG;
  else
    return fail (ctx, _("<domain type='%s'> is not supported (kvm or qemu)"), type ? type : "");

  for_each_element (child, root)
    {
      if (is (child, "name"))
        ; /* read before the loop */
      else if (is (child, "uuid"))
        {
          g_autofree char *uuid = content (child);
          g_free (config->uuid);
          config->uuid = vireo_uuid_normalize (g_strstrip (uuid));
          if (config->uuid == NULL)
            return fail (ctx, _("<uuid>%s</uuid> is not a valid UUID"), uuid);
        }
      else if (is (child, "title"))
        config->title = content (child);
      else if (is (child, "description"))
        config->description = content (child);
      else if (is (child, "metadata"))
        parse_metadata (config, child);
      else if (is (child, "memory"))
        {
          if (!parse_memory (ctx, child, &config->memory_kib))
            return FALSE;
          saw_memory = TRUE;
        }
      else if (is (child, "currentMemory"))
        {
          if (!parse_memory (ctx, child, &config->current_memory_kib))
            return FALSE;
          saw_current = TRUE;
        }
      else if (is (child, "vcpu"))
        {
          g_autofree char *text = content (child);
          guint64 vcpus;
          if (!parse_uint (text, 4096, &vcpus))
            return fail (ctx, _("<vcpu> is not a number"));
          config->vcpus = vcpus;
        }
      else if (is (child, "os"))
        {
          if (!parse_os (ctx, config, child))
            return FALSE;
          saw_os = TRUE;
        }
      else if (is (child, "features"))
        {
          config->acpi = FALSE;
          config->apic = FALSE;
          for_each_element (feature, child)
            {
              if (is (feature, "acpi"))
                config->acpi = TRUE;
              else if (is (feature, "apic"))
                config->apic = TRUE;
              else
                keep (config->extra_features, feature);
            }
        }
      else if (is (child, "cpu"))
        {
          if (!parse_cpu (ctx, config, child))
            return FALSE;
        }
      else if (is (child, "on_poweroff"))
        config->on_poweroff = content (child);
      else if (is (child, "on_reboot"))
        config->on_reboot = content (child);
      else if (is (child, "on_crash"))
        config->on_crash = content (child);
      else if (is (child, "devices"))
        {
          if (!parse_devices (ctx, config, child))
            return FALSE;
        }
      else if (child->ns && xmlStrcmp (child->ns->href, BAD_CAST QEMU_XMLNS) == 0)
        return fail (ctx, _("<qemu:%s> passthrough is not supported"), child->name);
      else if (g_strv_contains (kept_domain, (const char *) child->name))
        keep (config->extra_domain, child);
      else
        return fail (ctx, _("<%s> is not supported"), child->name);
    }

  if (!saw_memory)
    return fail (ctx, _("<memory> is missing"));
  if (!saw_os)
    return fail (ctx, _("<os> is missing"));
  if (!saw_current)
    config->current_memory_kib = config->memory_kib;
  return TRUE;
}

static void
clear_for_parse (VireoDomainConfig *config)
{
  /* Parsing starts from an empty model, not from new()'s defaults, so
   * that what the XML leaves out stays out. */
  g_clear_pointer (&config->cpu_mode, g_free);
  config->acpi = FALSE;
  config->apic = FALSE;
}

/**
 * vireo_domain_config_parse:
 * @xml: the document
 * @length: its length, or -1 if nul-terminated
 * @source: (nullable): where it came from (a file name), for messages
 *
 * Parses and validates.  Any error is %VIREO_ERROR_INVALID_CONFIG with one
 * line that names the VM (or @source when the name cannot be read) and the
 * element at fault.  Never touches the network or the file system.
 *
 * Returns: (transfer full) (nullable): the model
 */
VireoDomainConfig *
vireo_domain_config_parse (const char  *xml,
                           gssize       length,
                           const char  *source,
                           GError     **error)
{
  g_autoptr(VireoDomainConfig) config = NULL;
  g_autofree char *name = NULL;
  xmlParserCtxt *parser;
  xmlDoc *doc;
  xmlNode *root;
  ParseContext ctx = { source ? source : "(unnamed)", error };
  gboolean ok;

  if (length < 0)
    length = strlen (xml);

  parser = xmlNewParserCtxt ();
  doc = xmlCtxtReadMemory (parser, xml, length, source, "UTF-8",
                           XML_PARSE_NONET | XML_PARSE_NOBLANKS |
                           XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      const xmlError *err = xmlCtxtGetLastError (parser);
      g_autofree char *msg = g_strdup (err && err->message ? err->message : "unreadable");

      g_strstrip (msg);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s: malformed XML at line %d: %s"), ctx.where,
                   err ? err->line : 0, msg);
      xmlFreeParserCtxt (parser);
      return NULL;
    }
  xmlFreeParserCtxt (parser);

  root = xmlDocGetRootElement (doc);
  if (root == NULL || !is (root, "domain"))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s: the root element is not <domain>"), ctx.where);
      xmlFreeDoc (doc);
      return NULL;
    }

  for_each_element (child, root)
    if (is (child, "name") && name == NULL)
      name = g_strstrip (content (child));
  if (name == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s: <name> is missing"), ctx.where);
      xmlFreeDoc (doc);
      return NULL;
    }
  if (!vireo_name_validate (name, error))
    {
      xmlFreeDoc (doc);
      return NULL;
    }

  config = vireo_domain_config_new (name);
  clear_for_parse (config);
  ctx.where = config->name;

  ok = parse_domain (&ctx, config, root);
  xmlFreeDoc (doc);

  if (!ok || !vireo_domain_config_validate (config, error))
    return NULL;
  if (config->accel == VIREO_ACCEL_KVM && config->accel_from_metadata)
    config->accel = VIREO_ACCEL_AUTO;

  return g_steal_pointer (&config);
}

/* Formatting */

static xmlNode *
add_text (xmlNode    *parent,
          const char *name,
          const char *text)
{
  return xmlNewTextChild (parent, NULL, BAD_CAST name, BAD_CAST text);
}

static xmlNode *
add (xmlNode    *parent,
     const char *name)
{
  return xmlNewChild (parent, NULL, BAD_CAST name, NULL);
}

static void
set (xmlNode    *node,
     const char *name,
     const char *value)
{
  xmlNewProp (node, BAD_CAST name, BAD_CAST value);
}

static void
set_uint (xmlNode    *node,
          const char *name,
          guint64     value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
  set (node, name, buf);
}

static void
add_memory (xmlNode    *parent,
            const char *name,
            guint64     kib)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, kib);
  set (add_text (parent, name, buf), "unit", "KiB");
}

static void
add_kept (xmlNode   *parent,
          GPtrArray *extra)
{
  for (guint i = 0; extra && i < extra->len; i++)
    {
      const char *text = g_ptr_array_index (extra, i);
      xmlDoc *doc = xmlReadMemory (text, strlen (text), NULL, "UTF-8",
                                   XML_PARSE_NONET | XML_PARSE_NOBLANKS);
      if (doc == NULL)
        continue;
      xmlAddChild (parent, xmlDocCopyNode (xmlDocGetRootElement (doc), parent->doc, 1));
      xmlFreeDoc (doc);
    }
}

static void
add_boot_order (xmlNode *parent,
                guint    order)
{
  if (order > 0)
    set_uint (add (parent, "boot"), "order", order);
}

static void
format_disk (xmlNode               *devices,
             const VireoDiskConfig *disk)
{
  xmlNode *node = add (devices, "disk");
  xmlNode *child;

  set (node, "type", disk->path && g_str_has_prefix (disk->path, "/dev/") ? "block" : "file");
  set (node, "device", disk->device == VIREO_DISK_DEVICE_CDROM ? "cdrom" : "disk");
  child = add (node, "driver");
  set (child, "name", "qemu");
  set (child, "type", disk->format);
  if (disk->path)
    set (add (node, "source"),
         g_str_has_prefix (disk->path, "/dev/") ? "dev" : "file", disk->path);
  child = add (node, "target");
  set (child, "dev", disk->target);
  set (child, "bus", vireo_disk_bus_to_string (disk->bus));
  add_boot_order (node, disk->boot_order);
  if (disk->readonly)
    add (node, "readonly");
  if (disk->shareable)
    add (node, "shareable");
  add_kept (node, disk->extra);
}

static void
format_nic (xmlNode              *devices,
            const VireoNicConfig *nic)
{
  xmlNode *node = add (devices, "interface");

  set (node, "type", nic->type == VIREO_NET_NETWORK ? "network" : "user");
  set (add (node, "mac"), "address", nic->mac);
  if (nic->type == VIREO_NET_NETWORK)
    set (add (node, "source"), "network", nic->network);
  set (add (node, "model"), "type", nic->model);
  add_boot_order (node, nic->boot_order);
  add_kept (node, nic->extra);
}

static void
format_devices (xmlNode                 *root,
                const VireoDomainConfig *config)
{
  xmlNode *devices = add (root, "devices");
  xmlNode *node;

  for (guint i = 0; i < config->disks->len; i++)
    format_disk (devices, g_ptr_array_index (config->disks, i));
  for (guint i = 0; i < config->nics->len; i++)
    format_nic (devices, g_ptr_array_index (config->nics, i));

  if (config->serial)
    {
      node = add (devices, "serial");
      set (node, "type", "pty");
      set (add (node, "target"), "port", "0");
      node = add (devices, "console");
      set (node, "type", "pty");
      node = add (node, "target");
      set (node, "type", "serial");
      set (node, "port", "0");
    }
  if (config->vnc)
    set (add (devices, "graphics"), "type", "vnc");

  node = add (devices, "video");
  set (add (node, "model"), "type", config->video_model ? config->video_model : "none");

  if (config->rng)
    {
      node = add (devices, "rng");
      set (node, "model", "virtio");
      set (add_text (node, "backend", "/dev/urandom"), "model", "random");
    }
  set (add (devices, "memballoon"), "model", config->balloon ? "virtio" : "none");
  if (config->guest_agent)
    {
      node = add (devices, "channel");
      set (node, "type", "unix");
      node = add (node, "target");
      set (node, "type", "virtio");
      set (node, "name", VIREO_GUEST_AGENT_CHANNEL);
    }

  add_kept (devices, config->extra_devices);
}

static void
format_os (xmlNode                 *root,
           const VireoDomainConfig *config)
{
  xmlNode *os = add (root, "os");
  xmlNode *type = add_text (os, "type", "hvm");

  set (type, "arch", config->arch);
  set (type, "machine", config->machine);
  if (config->kernel)
    add_text (os, "kernel", config->kernel);
  if (config->initrd)
    add_text (os, "initrd", config->initrd);
  if (config->cmdline)
    add_text (os, "cmdline", config->cmdline);
  for (guint i = 0; i < config->boot_devs->len; i++)
    set (add (os, "boot"), "dev", g_ptr_array_index (config->boot_devs, i));
  add_kept (os, config->extra_os);
}

static void
format_metadata (xmlNode                 *root,
                 const VireoDomainConfig *config)
{
  xmlNode *metadata;

  if (config->accel != VIREO_ACCEL_AUTO && config->extra_metadata->len == 0)
    return;

  metadata = add (root, "metadata");
  if (config->accel == VIREO_ACCEL_AUTO)
    {
      xmlNode *ours = xmlNewChild (metadata, NULL, BAD_CAST "domain", NULL);
      xmlNs *ns = xmlNewNs (ours, BAD_CAST VIREO_XMLNS, BAD_CAST "vireo");

      xmlSetNs (ours, ns);
      xmlNewTextChild (ours, ns, BAD_CAST "accel", BAD_CAST "auto");
    }
  add_kept (metadata, config->extra_metadata);
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
  set (root, "type", config->accel == VIREO_ACCEL_TCG ? "qemu" : "kvm");

  add_text (root, "name", config->name);
  add_text (root, "uuid", config->uuid);
  if (config->title)
    add_text (root, "title", config->title);
  if (config->description)
    add_text (root, "description", config->description);
  format_metadata (root, config);
  add_memory (root, "memory", config->memory_kib);
  add_memory (root, "currentMemory", config->current_memory_kib);
  vcpus = g_strdup_printf ("%u", config->vcpus);
  add_text (root, "vcpu", vcpus);
  format_os (root, config);

  if (config->acpi || config->apic || config->extra_features->len > 0)
    {
      xmlNode *features = add (root, "features");
      if (config->acpi)
        add (features, "acpi");
      if (config->apic)
        add (features, "apic");
      add_kept (features, config->extra_features);
    }
  if (config->cpu_mode || config->extra_cpu->len > 0)
    {
      xmlNode *cpu = add (root, "cpu");
      if (config->cpu_mode)
        set (cpu, "mode", config->cpu_mode);
      if (config->cpu_model)
        add_text (cpu, "model", config->cpu_model);
      add_kept (cpu, config->extra_cpu);
    }
  add_kept (root, config->extra_domain);
  if (config->on_poweroff)
    add_text (root, "on_poweroff", config->on_poweroff);
  if (config->on_reboot)
    add_text (root, "on_reboot", config->on_reboot);
  if (config->on_crash)
    add_text (root, "on_crash", config->on_crash);
  format_devices (root, config);

  buf = xmlBufferCreate ();
  xmlNodeDump (buf, doc, root, 0, 1);
  ret = g_strconcat ((const char *) xmlBufferContent (buf), "\n", NULL);
  xmlBufferFree (buf);
  xmlFreeDoc (doc);
  return ret;
}
