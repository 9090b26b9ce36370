/* vireo-domain-config-parse.c: libvirt domain XML into the model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything Vireo can run is parsed into VireoDomainConfig; elements it
 * carries but does not interpret are kept verbatim for the way back;
 * anything it cannot run is refused with one line that names it.
 */

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "vireo-domain-config.h"
#include "vireo-domain-config-private.h"
#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"
#include "vireo-xml.h"

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
/* Runtime details libvirt adds that mean nothing to Vireo (its inactive
 * XML has no alias either, unless a user named one: "ua-…"). */
static const char *dropped_device_children[] = { "alias", NULL };

/* What the model reads of each element it models; the rest is kept in
 * the extras (vireo_xml_extras_collect()) and written back. */
static const char *const modelled_domain[] = { "@type", NULL };
static const char *const modelled_memory[] = { "@unit", NULL };
static const char *const modelled_vcpu[] = { "@current", "@cpuset", "@placement", NULL };
static const char *const modelled_os[] = {
  "@firmware", "type@arch", "type@machine", "kernel", "initrd", "cmdline", "boot@dev",
  "loader@readonly", "loader@secure", "loader@type", "nvram@template",
  "firmware/feature@enabled", "firmware/feature@name", NULL
};
static const char *const modelled_features[] = { "acpi", "apic", NULL };
static const char *const modelled_cpu[] = { "@mode", "model", NULL };
static const char *const modelled_disk[] = {
  "@type", "@device", "driver@name", "driver@type", "driver@cache", "driver@discard",
  "source@file", "source@dev", "target@dev", "target@bus", "readonly", "shareable",
  "boot@order", NULL
};
static const char *const modelled_nic[] = {
  "@type", "mac@address", "source@network", "model@type", "boot@order", "target@dev", NULL
};
static const char *const modelled_vnc[] = { "@type", "@keymap", "!alias", NULL };
static const char *const modelled_serial[] = { "@type", "target@port", "!alias", NULL };
static const char *const modelled_console[] = { "@type", "target@type", "target@port", "!alias", NULL };
static const char *const modelled_video[] = { "model@type", "!alias", NULL };
static const char *const modelled_balloon[] = { "@model", "!alias", NULL };
static const char *const modelled_rng[] = { "@model", "backend@model", "backend", "rate@bytes", "rate@period",
                                             "!alias", NULL };
static const char *const modelled_agent[] = { "@type", "target@type", "target@name", "!alias", NULL };

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

static void
keep (GPtrArray *extra,
      xmlNode   *node)
{
  g_ptr_array_add (extra, vireo_xml_node_to_string (node));
}

static void
replace_str (char      **ptr,
             const char *value)
{
  char *old = *ptr;

  *ptr = g_strdup (value);
  g_free (old);
}

/* libvirt allows each of these elements once: a second one is an error,
 * not a value that silently wins. */
static gboolean
read_once (ParseContext  *ctx,
           xmlNode       *node,
           char         **field)
{
  if (*field != NULL)
    return fail (ctx, _("<%s> appears more than once"), node->name);
  *field = vireo_xml_content (node);
  return TRUE;
}

/* The text-only children of <domain> that may appear once. */
static char **
single_text_field (VireoDomainConfig *config,
                   xmlNode           *node)
{
  if (vireo_xml_is (node, "title"))
    return &config->title;
  if (vireo_xml_is (node, "description"))
    return &config->description;
  if (vireo_xml_is (node, "on_poweroff"))
    return &config->on_poweroff;
  if (vireo_xml_is (node, "on_reboot"))
    return &config->on_reboot;
  if (vireo_xml_is (node, "on_crash"))
    return &config->on_crash;
  return NULL;
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
  g_autofree char *unit = vireo_xml_prop (node, "unit");
  g_autofree char *text = vireo_xml_content (node);
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
  g_autofree char *text = vireo_xml_prop (node, "order");
  guint64 value;

  if (!parse_uint (text, 1000, &value) || value == 0)
    return fail (ctx, _("<boot order='%s'> is not a positive number"), text ? text : "");
  *order = value;
  return TRUE;
}

static gboolean
has_child (xmlNode    *node,
           const char *name)
{
  vireo_xml_for_each_element (child, node)
    if (vireo_xml_is (child, name))
      return TRUE;
  return FALSE;
}

static void
keep_unless_dropped (GPtrArray *extra,
                     xmlNode   *child)
{
  for (guint i = 0; dropped_device_children[i]; i++)
    if (vireo_xml_is (child, dropped_device_children[i]))
      return;
  keep (extra, child);
}

/* One level of a chain: <format type='qcow2'/>, <source file='…'/> and
 * the next level, or nothing at all (libvirt's empty <backingStore/>
 * that ends a chain).  *@next is the nested <backingStore>, if any. */
static gboolean
parse_backing_level (xmlNode     *node,
                     GStrvBuilder *chain,
                     gboolean     *ended,
                     xmlNode     **next)
{
  g_autofree char *type = vireo_xml_prop (node, "type");
  g_autofree char *format = NULL;
  g_autofree char *file = NULL;

  *next = NULL;
  *ended = xmlFirstElementChild (node) == NULL && node->properties == NULL;
  if (*ended)
    return TRUE;
  if (type != NULL && !g_str_equal (type, "file"))
    return FALSE;
  vireo_xml_for_each_element (child, node)
    {
      if (vireo_xml_is (child, "format") && format == NULL)
        format = vireo_xml_prop (child, "type");
      else if (vireo_xml_is (child, "source") && file == NULL)
        file = vireo_xml_prop (child, "file");
      else if (vireo_xml_is (child, "backingStore") && *next == NULL)
        *next = child;
      else
        return FALSE;
    }
  if (file == NULL || g_strcmp0 (format, "qcow2") != 0)
    return FALSE;
  g_strv_builder_add (chain, file);
  return TRUE;
}

/* <backingStore type='file'><format type='qcow2'/><source file='…'/>
 * <backingStore…/></backingStore>, nested as libvirt writes a chain, as
 * Vireo writes one it made (a linked clone's bases), gives disk->backing,
 * nearest first.  Any other <backingStore> (libvirt's empty one, another
 * format anywhere in the chain) is kept verbatim; validation refuses
 * those that name a file.  Iterative: a hostile depth costs no stack. */
static gboolean
parse_backing_store (VireoDiskConfig *disk,
                     xmlNode         *node)
{
  g_autoptr(GStrvBuilder) chain = g_strv_builder_new ();
  g_auto(GStrv) files = NULL;
  gboolean ended = FALSE;

  if (disk->backing != NULL)
    return FALSE;
  while (node != NULL && !ended)
    if (!parse_backing_level (node, chain, &ended, &node))
      return FALSE;
  files = g_strv_builder_end (chain);
  if (files[0] == NULL)
    return FALSE;
  disk->backing = g_steal_pointer (&files);
  return TRUE;
}

/* <driver name='qemu' type='qcow2' cache='none' discard='unmap' …>: the
 * format, cache and discard are modelled; the other attributes (io,
 * event_idx, iothread…) are kept as written. */
static void
parse_disk_driver (VireoDiskConfig *disk,
                   xmlNode         *node)
{
  g_autoptr(GStrvBuilder) others = g_strv_builder_new ();

  g_clear_pointer (&disk->driver_attrs, g_strfreev);
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    {
      const char *name = (const char *) attr->name;
      g_autofree char *value = vireo_xml_prop (node, name);

      if (attr->ns != NULL || g_str_equal (name, "name"))
        continue;
      if (g_str_equal (name, "type"))
        replace_str (&disk->format, value);
      else if (g_str_equal (name, "cache"))
        replace_str (&disk->cache, value);
      else if (g_str_equal (name, "discard"))
        replace_str (&disk->discard, value);
      else
        {
          g_strv_builder_add (others, name);
          g_strv_builder_add (others, value);
        }
    }
  disk->driver_attrs = g_strv_builder_end (others);
  if (disk->driver_attrs[0] == NULL)
    g_clear_pointer (&disk->driver_attrs, g_strfreev);
}

static gboolean
is_drive_address (xmlNode *node)
{
  g_autofree char *type = NULL;

  if (!vireo_xml_is (node, "address"))
    return FALSE;
  type = vireo_xml_prop (node, "type");
  return g_strcmp0 (type, "drive") == 0;
}

/* <address type='drive' controller bus target unit>, each 0 by default
 * as libvirt reads it; other address types (a virtio disk's PCI slot)
 * are kept as written with the disk's other children. */
static gboolean
parse_drive_address (ParseContext    *ctx,
                     VireoDiskConfig *disk,
                     xmlNode         *node)
{
  static const char *names[] = { "controller", "bus", "target", "unit" };
  guint *fields[] = { &disk->address.controller, &disk->address.bus,
                      &disk->address.target, &disk->address.unit };
  g_autofree char *type = vireo_xml_prop (node, "type");

  if (g_strcmp0 (type, "drive") != 0)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *text = vireo_xml_prop (node, names[i]);
      guint64 value = 0;

      if (text != NULL && !parse_uint (text, G_MAXUINT, &value))
        return fail (ctx, _("<address type='drive' %s='%s'> is not a number"), names[i], text);
      *fields[i] = value;
    }
  disk->address.set = TRUE;
  return TRUE;
}

static gboolean
parse_disk (ParseContext      *ctx,
            VireoDomainConfig *config,
            xmlNode           *node)
{
  g_autofree char *type = vireo_xml_prop (node, "type");
  g_autofree char *device = vireo_xml_prop (node, "device");
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
  vireo_xml_extras_collect (&disk->xml, "disk", node, modelled_disk, FALSE);

  vireo_xml_for_each_element (child, node)
    {
      if (vireo_xml_is (child, "driver"))
        parse_disk_driver (disk, child);
      else if (is_drive_address (child))
        {
          if (!parse_drive_address (ctx, disk, child))
            return FALSE;
        }
      else if (vireo_xml_is (child, "source"))
        {
          g_autofree char *file = vireo_xml_prop (child, "file");
          g_autofree char *dev = vireo_xml_prop (child, "dev");
          replace_str (&disk->path, file ? file : dev);
        }
      else if (vireo_xml_is (child, "target"))
        {
          g_autofree char *dev = vireo_xml_prop (child, "dev");
          g_autofree char *bus = vireo_xml_prop (child, "bus");

          replace_str (&disk->target, dev);
          if (bus == NULL)
            bus = g_strdup (dev && g_str_has_prefix (dev, "vd") ? "virtio" :
                            dev && g_str_has_prefix (dev, "hd") ? "ide" : "sata");
          if (!vireo_disk_bus_from_string (bus, &disk->bus))
            return fail (ctx, _("disk bus '%s' is not supported (virtio, sata, scsi or ide)"), bus);
        }
      else if (vireo_xml_is (child, "readonly"))
        disk->readonly = TRUE;
      else if (vireo_xml_is (child, "backingStore") && parse_backing_store (disk, child))
        ;
      else if (vireo_xml_is (child, "shareable"))
        disk->shareable = TRUE;
      else if (vireo_xml_is (child, "boot"))
        {
          if (!parse_boot_order (ctx, child, &disk->boot_order))
            return FALSE;
        }
      else
        keep_unless_dropped (disk->extra, child);
    }

  if (disk->target == NULL)
    return fail (ctx, _("a <disk> has no <target dev>"));
  /* no <driver> is libvirt's qemu driver on a raw image */
  if (!has_child (node, "driver"))
    vireo_xml_extras_note_unsaid (&disk->xml, "disk/driver", NULL, "<driver name=\"qemu\" type=\"raw\"/>");
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
  g_autofree char *type = vireo_xml_prop (node, "type");
  g_autoptr(VireoNicConfig) nic = NULL;

  if (g_strcmp0 (type, "user") == 0)
    nic = vireo_nic_config_new (VIREO_NET_USER, NULL, NULL);
  else if (g_strcmp0 (type, "network") == 0)
    nic = vireo_nic_config_new (VIREO_NET_NETWORK, NULL, NULL);
  else
    return fail (ctx, _("<interface type='%s'> is not supported (user or network)"),
                 type ? type : "");
  g_clear_pointer (&nic->mac, g_free);
  vireo_xml_extras_collect (&nic->xml, "interface", node, modelled_nic, FALSE);

  vireo_xml_for_each_element (child, node)
    {
      if (vireo_xml_is (child, "mac"))
        {
          g_autofree char *address = vireo_xml_prop (child, "address");
          /* a second <mac> replaces the first */
          g_free (nic->mac);
          nic->mac = vireo_mac_normalize (address);
          if (nic->mac == NULL)
            return fail (ctx, _("<mac address='%s'> is not a valid unicast MAC"),
                         address ? address : "");
        }
      else if (vireo_xml_is (child, "source"))
        {
          g_autofree char *network = vireo_xml_prop (child, "network");
          replace_str (&nic->network, network);
        }
      else if (vireo_xml_is (child, "model"))
        {
          g_autofree char *model = vireo_xml_prop (child, "type");
          if (model != NULL)
            replace_str (&nic->model, model);
        }
      else if (vireo_xml_is (child, "boot"))
        {
          if (!parse_boot_order (ctx, child, &nic->boot_order))
            return FALSE;
        }
      else if (vireo_xml_is (child, "target"))
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

  if (!vireo_xml_is (node, "channel"))
    return FALSE;
  type = vireo_xml_prop (node, "type");
  if (g_strcmp0 (type, "unix") != 0)
    return FALSE;
  vireo_xml_for_each_element (child, node)
    if (vireo_xml_is (child, "target"))
      {
        g_autofree char *target_type = vireo_xml_prop (child, "type");
        g_autofree char *name = vireo_xml_prop (child, "name");

        return g_strcmp0 (target_type, "virtio") == 0 &&
               g_strcmp0 (name, VIREO_GUEST_AGENT_CHANNEL) == 0;
      }
  return FALSE;
}

/* The <target> attributes the formatter writes for the serial port and
 * its console, libvirt's defaults for them: name, value… */
static const char *const serial_target_defaults[] = { "port", "0", NULL };
static const char *const console_target_defaults[] = { "type", "serial", "port", "0", NULL };

/* Notes what @device's <target> leaves out of @defaults, or the whole
 * <target> when it has none. */
static void
note_target_defaults (VireoXmlExtras     *xml,
                      const char         *path,
                      xmlNode            *device,
                      const char * const *defaults)
{
  g_autofree char *target_path = g_strdup_printf ("%s/target", path);
  xmlNode *target = NULL;

  vireo_xml_for_each_element (child, device)
    if (vireo_xml_is (child, "target") && target == NULL)
      target = child;
  if (target == NULL)
    {
      g_autoptr(GString) element = g_string_new ("<target");

      for (guint i = 0; defaults[i]; i += 2)
        g_string_append_printf (element, " %s=\"%s\"", defaults[i], defaults[i + 1]);
      g_string_append (element, "/>");
      vireo_xml_extras_note_unsaid (xml, target_path, NULL, element->str);
      return;
    }
  for (guint i = 0; defaults[i]; i += 2)
    if (!xmlHasProp (target, BAD_CAST defaults[i]))
      vireo_xml_extras_note_unsaid (xml, target_path, defaults[i], defaults[i + 1]);
}

/* What <devices> has said so far, for the defaults it left out */
typedef struct {
  gboolean video;
  gboolean balloon;
  gboolean vnc;
  gboolean serial;
  gboolean console;   /* the serial port's console */
} DevicesSeen;

/* <graphics>, <serial>, <video>: how the VM shows itself. */
static gboolean
parse_display (ParseContext      *ctx,
               VireoDomainConfig *config,
               xmlNode           *child,
               DevicesSeen       *seen)
{
  g_autofree char *type = vireo_xml_prop (child, "type");

  if (vireo_xml_is (child, "graphics"))
    {
      /* virt-manager's VMs use SPICE: Vireo shows their screen over
       * its own VNC socket and keeps the SPICE element for libvirt */
      if (g_strcmp0 (type, "spice") == 0)
        keep (config->extra_devices, child);
      else if (g_strcmp0 (type, "vnc") != 0)
        return fail (ctx, _("<graphics type='%s'> is not supported (vnc or spice)"), type ? type : "");
      else if (seen->vnc)
        return fail (ctx, _("a second <graphics type='vnc'> is not supported"));
      else
        {
          seen->vnc = TRUE;
          g_free (config->vnc_keymap);
          config->vnc_keymap = vireo_xml_prop (child, "keymap");
          vireo_xml_extras_collect (&config->xml, "devices/graphics", child, modelled_vnc, TRUE);
        }
      config->vnc = TRUE;
    }
  else if (vireo_xml_is (child, "serial"))
    {
      if (g_strcmp0 (type, "pty") != 0)
        return fail (ctx, _("<serial type='%s'> is not supported (pty only)"), type ? type : "");
      if (seen->serial)
        return fail (ctx, _("a second <serial> port is not supported"));
      config->serial = TRUE;
      seen->serial = TRUE;
      vireo_xml_extras_collect (&config->xml, "devices/serial", child, modelled_serial, TRUE);
      note_target_defaults (&config->xml, "devices/serial", child, serial_target_defaults);
    }
  else
    {
      if (seen->video)
        return fail (ctx, _("more than one <video> is not supported"));
      seen->video = TRUE;
      vireo_xml_extras_collect (&config->xml, "devices/video", child, modelled_video, TRUE);
      vireo_xml_for_each_element (model, child)
        if (vireo_xml_is (model, "model"))
          {
            g_autofree char *model_type = vireo_xml_prop (model, "type");
            config->video_none = g_strcmp0 (model_type, "none") == 0;
            if (!config->video_none)
              replace_str (&config->video_model, model_type);
          }
    }
  return TRUE;
}

/* The serial port's console is written back from the serial port (and
 * its leftovers kept); another console (virtio) is kept as written.  A
 * console with no <serial> has one all the same, as libvirt gives it. */
static gboolean
parse_console (ParseContext      *ctx,
               VireoDomainConfig *config,
               xmlNode           *node,
               DevicesSeen       *seen)
{
  g_autofree char *type = NULL;
  g_autofree char *console_type = vireo_xml_prop (node, "type");
  xmlNode *target = NULL;

  vireo_xml_for_each_element (child, node)
    if (vireo_xml_is (child, "target") && target == NULL)
      target = child;
  type = target ? vireo_xml_prop (target, "type") : NULL;
  if (type != NULL && !g_str_equal (type, "serial"))
    {
      keep (config->extra_devices, node);
      return TRUE;
    }
  if (g_strcmp0 (console_type, "pty") != 0)
    return fail (ctx, _("<console type='%s'> on the serial port is not supported (pty only)"),
                 console_type ? console_type : "");
  if (seen->console)
    return fail (ctx, _("a second <console> on the serial port is not supported"));
  seen->console = TRUE;
  config->serial = TRUE;
  vireo_xml_extras_collect (&config->xml, "devices/console", node, modelled_console, TRUE);
  note_target_defaults (&config->xml, "devices/console", node, console_target_defaults);
  return TRUE;
}

/* <rng model='virtio'><backend model='random'>/dev/urandom</backend>
 * <rate bytes='1024' period='1000'/></rng>; which backends and files are
 * allowed is decided in validation. */
static gboolean
parse_rng (ParseContext      *ctx,
           VireoDomainConfig *config,
           xmlNode           *node)
{
  g_autofree char *model = vireo_xml_prop (node, "model");
  xmlNode *backend = vireo_xml_child (node, "backend");
  xmlNode *rate = vireo_xml_child (node, "rate");
  guint64 value;

  if (config->rng)
    return fail (ctx, _("a second <rng> is not supported"));
  if (g_strcmp0 (model, "virtio") != 0)
    return fail (ctx, _("<rng model='%s'> is not supported (virtio)"), model ? model : "");
  if (backend == NULL)
    return fail (ctx, _("<rng> has no <backend>"));
  config->rng = TRUE;
  g_free (config->rng_backend);
  config->rng_backend = vireo_xml_prop (backend, "model");
  g_clear_pointer (&config->rng_device, g_free);
  config->rng_device = vireo_xml_content (backend);
  if (config->rng_device && *g_strstrip (config->rng_device) == '\0')
    g_clear_pointer (&config->rng_device, g_free);
  config->rng_rate_bytes = config->rng_rate_period_ms = 0;
  if (rate != NULL)
    {
      g_autofree char *bytes = vireo_xml_prop (rate, "bytes");
      g_autofree char *period = vireo_xml_prop (rate, "period");

      if (!parse_uint (bytes, G_MAXUINT, &value) || value == 0)
        return fail (ctx, _("<rng><rate bytes='%s'> is not a number of bytes"), bytes ? bytes : "");
      config->rng_rate_bytes = value;
      if (period != NULL && (!parse_uint (period, G_MAXUINT32, &value) || value == 0))
        return fail (ctx, _("<rng><rate period='%s'> is not a number of milliseconds"), period);
      config->rng_rate_period_ms = period ? value : 0;
    }
  vireo_xml_extras_collect (&config->xml, "devices/rng", node, modelled_rng, TRUE);
  return TRUE;
}

/* <rng> and <memballoon>: the virtio helpers. */
static gboolean
parse_helper_device (ParseContext      *ctx,
                     VireoDomainConfig *config,
                     xmlNode           *child,
                     DevicesSeen       *seen)
{
  g_autofree char *model = vireo_xml_prop (child, "model");

  if (vireo_xml_is (child, "rng"))
    return parse_rng (ctx, config, child);
  seen->balloon = TRUE;
  vireo_xml_extras_collect (&config->xml, "devices/memballoon", child, modelled_balloon, TRUE);
  if (g_strcmp0 (model, "none") == 0)
    config->balloon = FALSE;
  else if (g_strcmp0 (model, "virtio") == 0)
    config->balloon = TRUE;
  else
    return fail (ctx, _("<memballoon model='%s'> is not supported"), model ? model : "");
  return TRUE;
}

/* Controllers are kept as written; a SCSI one must be the virtio-scsi
 * controller Vireo runs for disks on bus 'scsi' (no model: libvirt's
 * default, taken as virtio-scsi). */
static gboolean
parse_controller (ParseContext      *ctx,
                  VireoDomainConfig *config,
                  xmlNode           *child)
{
  g_autofree char *type = vireo_xml_prop (child, "type");
  g_autofree char *model = vireo_xml_prop (child, "model");

  if (g_strcmp0 (type, "scsi") == 0 && model != NULL && !g_str_equal (model, "virtio-scsi"))
    return fail (ctx, _("<controller type='scsi' model='%s'> is not supported (virtio-scsi)"), model);
  keep (config->extra_devices, child);
  return TRUE;
}

/* <tpm>: an emulated TPM 2.0 (swtpm, a child of the VM's shim).  The
 * host's own TPM (passthrough) and TPM 1.2 are refused. */
static gboolean
parse_tpm (ParseContext      *ctx,
           VireoDomainConfig *config,
           xmlNode           *node)
{
  g_autofree char *model = vireo_xml_prop (node, "model");
  gboolean saw_backend = FALSE;

  if (config->tpm_model != NULL)
    return fail (ctx, _("more than one <tpm> is not supported"));
  /* libvirt's default model on x86 */
  if (model == NULL)
    model = g_strdup ("tpm-tis");
  if (!g_str_equal (model, "tpm-crb") && !g_str_equal (model, "tpm-tis"))
    return fail (ctx, _("<tpm model='%s'> is not supported (tpm-crb or tpm-tis)"), model);
  vireo_xml_for_each_element (child, node)
    {
      g_autofree char *type = NULL;
      g_autofree char *version = NULL;

      if (!vireo_xml_is (child, "backend"))
        continue;
      type = vireo_xml_prop (child, "type");
      version = vireo_xml_prop (child, "version");
      if (g_strcmp0 (type, "passthrough") == 0)
        return fail (ctx, _("<tpm> passthrough of the host's TPM is not supported (emulator only)"));
      if (g_strcmp0 (type, "emulator") != 0)
        return fail (ctx, _("<tpm> backend '%s' is not supported (emulator only)"), type ? type : "");
      if (version != NULL && !g_str_equal (version, "2.0"))
        return fail (ctx, _("<tpm> version '%s' is not supported (2.0 only)"), version);
      saw_backend = TRUE;
      /* libvirt's default version of a CRB TPM is 2.0 */
      if (version == NULL && g_str_equal (model, "tpm-crb"))
        vireo_xml_extras_note_unsaid (&config->xml, "devices/tpm/backend", "version", "2.0");
      vireo_xml_for_each_element (extra, child)
        keep (config->tpm_extra, extra);
    }
  if (!saw_backend)
    return fail (ctx, _("<tpm> without a <backend> is not supported"));
  config->tpm_model = g_steal_pointer (&model);
  return TRUE;
}

/* What libvirt adds to devices a document left out, and Vireo runs as
 * libvirt would, is written only while it is still that default. */
static void
note_unsaid_devices (VireoDomainConfig *config,
                     const DevicesSeen *seen)
{
  VireoXmlExtras *xml = &config->xml;

  if (!seen->balloon)
    vireo_xml_extras_note_unsaid (xml, "devices/memballoon", NULL, "<memballoon model=\"virtio\"/>");
  /* a SPICE display alone: Vireo's own VNC socket shows the screen */
  if (config->vnc && !seen->vnc)
    vireo_xml_extras_note_unsaid (xml, "devices/graphics", NULL, "<graphics type=\"vnc\"/>");
  if (seen->console && !seen->serial)
    vireo_xml_extras_note_unsaid (xml, "devices/serial", NULL,
                                  "<serial type=\"pty\"><target port=\"0\"/></serial>");
  if (seen->serial && !seen->console)
    vireo_xml_extras_note_unsaid (xml, "devices/console", NULL,
                                  "<console type=\"pty\"><target type=\"serial\" port=\"0\"/></console>");
}

static gboolean
parse_devices (ParseContext      *ctx,
               VireoDomainConfig *config,
               xmlNode           *node)
{
  DevicesSeen seen = { 0 };

  vireo_xml_extras_note_order (&config->xml, "devices", node);
  config->vnc = FALSE;
  config->serial = FALSE;
  config->rng = FALSE;
  config->guest_agent = FALSE;
  config->video_none = FALSE;
  g_clear_pointer (&config->video_model, g_free);

  vireo_xml_for_each_element (child, node)
    {
      gboolean ok = TRUE;

      if (vireo_xml_is (child, "disk"))
        ok = parse_disk (ctx, config, child);
      else if (vireo_xml_is (child, "interface"))
        ok = parse_interface (ctx, config, child);
      else if (vireo_xml_is (child, "graphics") || vireo_xml_is (child, "serial") || vireo_xml_is (child, "video"))
        ok = parse_display (ctx, config, child, &seen);
      else if (vireo_xml_is (child, "console"))
        ok = parse_console (ctx, config, child, &seen);
      else if (vireo_xml_is (child, "rng") || vireo_xml_is (child, "memballoon"))
        ok = parse_helper_device (ctx, config, child, &seen);
      else if (is_agent_channel (child))
        {
          if (config->guest_agent)
            return fail (ctx, _("a second guest agent <channel> is not supported"));
          config->guest_agent = TRUE;
          vireo_xml_extras_collect (&config->xml, "devices/channel", child, modelled_agent, TRUE);
        }
      else if (vireo_xml_is (child, "controller"))
        ok = parse_controller (ctx, config, child);
      else if (vireo_xml_is (child, "tpm"))
        ok = parse_tpm (ctx, config, child);
      else if (g_strv_contains (kept_devices, (const char *) child->name))
        keep (config->extra_devices, child);
      else
        ok = fail (ctx, _("<%s> devices are not supported"), child->name);
      if (!ok)
        return FALSE;
    }

  /* libvirt adds a balloon when none is written; so do we. */
  if (!seen.balloon)
    config->balloon = TRUE;
  note_unsaid_devices (config, &seen);
  return TRUE;
}

/* yes/no attributes; anything else is an error, not a silent default */
static gboolean
parse_tristate (ParseContext  *ctx,
                xmlNode       *node,
                const char    *attribute,
                VireoTristate *out)
{
  g_autofree char *text = vireo_xml_prop (node, attribute);

  if (text == NULL)
    *out = VIREO_TRISTATE_ABSENT;
  else if (g_str_equal (text, "yes"))
    *out = VIREO_TRISTATE_YES;
  else if (g_str_equal (text, "no"))
    *out = VIREO_TRISTATE_NO;
  else
    return fail (ctx, _("<%s %s='%s'> is not yes or no"), node->name, attribute, text);
  return TRUE;
}

/* <firmware><feature enabled='yes' name='secure-boot'/>…</firmware> */
static gboolean
parse_firmware_features (ParseContext      *ctx,
                         VireoDomainConfig *config,
                         xmlNode           *node)
{
  vireo_xml_for_each_element (feature, node)
    {
      g_autofree char *name = vireo_xml_prop (feature, "name");
      VireoTristate *field = g_strcmp0 (name, "secure-boot") == 0 ? &config->fw_secure_boot :
                             g_strcmp0 (name, "enrolled-keys") == 0 ? &config->fw_enrolled_keys : NULL;

      if (!vireo_xml_is (feature, "feature") || field == NULL)
        return fail (ctx, _("<os><firmware> feature '%s' is not supported (secure-boot or enrolled-keys)"),
                     name ? name : (const char *) feature->name);
      if (!parse_tristate (ctx, feature, "enabled", field))
        return FALSE;
    }
  return TRUE;
}

/* <loader readonly='yes' secure='yes' type='pflash'>PATH</loader>,
 * <nvram template='…'>PATH</nvram> and <firmware>: the UEFI firmware. */
static gboolean
parse_uefi (ParseContext      *ctx,
            VireoDomainConfig *config,
            xmlNode           *node)
{
  if (vireo_xml_is (node, "firmware"))
    return parse_firmware_features (ctx, config, node);
  if (vireo_xml_is (node, "nvram"))
    {
      if (!read_once (ctx, node, &config->nvram))
        return FALSE;
      config->nvram_template = vireo_xml_prop (node, "template");
      g_strstrip (config->nvram);
      if (*config->nvram == '\0')
        g_clear_pointer (&config->nvram, g_free);
      return TRUE;
    }
  if (!read_once (ctx, node, &config->loader))
    return FALSE;
  g_strstrip (config->loader);
  if (*config->loader == '\0')
    g_clear_pointer (&config->loader, g_free);
  config->loader_type = vireo_xml_prop (node, "type");
  return parse_tristate (ctx, node, "readonly", &config->loader_readonly) &&
         parse_tristate (ctx, node, "secure", &config->loader_secure);
}

static gboolean
parse_os (ParseContext      *ctx,
          VireoDomainConfig *config,
          xmlNode           *node)
{
  g_autofree char *firmware = vireo_xml_prop (node, "firmware");

  if (firmware != NULL && !g_str_equal (firmware, "bios") && !g_str_equal (firmware, "efi"))
    return fail (ctx, _("<os firmware='%s'> is not supported (bios or efi)"), firmware);
  replace_str (&config->firmware, firmware);
  vireo_xml_extras_collect (&config->xml, "os", node, modelled_os, FALSE);

  vireo_xml_for_each_element (child, node)
    {
      if (vireo_xml_is (child, "type"))
        {
          g_autofree char *type = vireo_xml_content (child);
          g_autofree char *arch = vireo_xml_prop (child, "arch");
          g_autofree char *machine = vireo_xml_prop (child, "machine");

          g_strstrip (type);
          if (!g_str_equal (type, "hvm"))
            return fail (ctx, _("<os><type>%s</type> is not supported (hvm only)"), type);
          if (arch != NULL)
            replace_str (&config->arch, arch);
          if (machine != NULL)
            replace_str (&config->machine, machine);
        }
      else if (vireo_xml_is (child, "kernel"))
        {
          if (!read_once (ctx, child, &config->kernel))
            return FALSE;
        }
      else if (vireo_xml_is (child, "initrd"))
        {
          if (!read_once (ctx, child, &config->initrd))
            return FALSE;
        }
      else if (vireo_xml_is (child, "cmdline"))
        {
          if (!read_once (ctx, child, &config->cmdline))
            return FALSE;
        }
      else if (vireo_xml_is (child, "boot"))
        {
          char *dev = vireo_xml_prop (child, "dev");

          if (dev == NULL)
            return fail (ctx, _("<os><boot> has no dev attribute"));
          g_ptr_array_add (config->boot_devs, dev);
        }
      else if (vireo_xml_is (child, "loader") || vireo_xml_is (child, "nvram") ||
               vireo_xml_is (child, "firmware"))
        {
          if (!parse_uefi (ctx, config, child))
            return FALSE;
        }
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
  g_autofree char *mode = vireo_xml_prop (node, "mode");

  if (mode == NULL)
    mode = g_strdup ("custom");
  if (!g_strv_contains (modes, mode))
    return fail (ctx, _("<cpu mode='%s'> is not supported"), mode);
  replace_str (&config->cpu_mode, mode);
  vireo_xml_extras_collect (&config->xml, "cpu", node, modelled_cpu, FALSE);

  vireo_xml_for_each_element (child, node)
    {
      if (vireo_xml_is (child, "model"))
        {
          if (!read_once (ctx, child, &config->cpu_model))
            return FALSE;
        }
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
  vireo_xml_for_each_element (child, node)
    {
      if (child->ns && xmlStrcmp (child->ns->href, BAD_CAST VIREO_XMLNS) == 0)
        {
          vireo_xml_for_each_element (item, child)
            if (vireo_xml_is (item, "accel"))
              {
                g_autofree char *accel = vireo_xml_content (item);
                if (g_strcmp0 (g_strstrip (accel), "auto") == 0)
                  config->accel_from_metadata = TRUE;
              }
        }
      else
        keep (config->extra_metadata, child);
    }
}

static gboolean
parse_forward_port (ParseContext *ctx,
                    xmlNode      *node,
                    const char   *attribute,
                    guint        *port)
{
  g_autofree char *text = vireo_xml_prop (node, attribute);
  guint64 value;

  /* the range is vireo_domain_config_validate()'s to check */
  if (!parse_uint (text, G_MAXUINT, &value))
    return fail (ctx, _("<vireo:port-forward %s='%s'> is not a port number"), attribute, text ? text : "");
  *port = (guint) value;
  return TRUE;
}

static gboolean
parse_forward (ParseContext      *ctx,
               VireoDomainConfig *config,
               xmlNode           *node)
{
  g_autofree char *mac_text = vireo_xml_prop (node, "mac");
  g_autofree char *mac = mac_text ? vireo_mac_normalize (mac_text) : NULL;
  g_autofree char *protocol = vireo_xml_prop (node, "protocol");
  g_autofree char *address = vireo_xml_prop (node, "address");
  g_autoptr(VireoPortForward) forward = vireo_port_forward_new (VIREO_FORWARD_TCP, address, 0, 0);
  VireoNicConfig *nic = vireo_domain_config_lookup_nic (config, mac);

  if (nic == NULL)
    return fail (ctx, _("<vireo:port-forward mac='%s'> names no interface of the VM"),
                 mac_text ? mac_text : "");
  if (!vireo_forward_protocol_from_string (protocol, &forward->protocol))
    return fail (ctx, _("<vireo:port-forward protocol='%s'> is not supported (tcp or udp)"),
                 protocol ? protocol : "");
  if (!parse_forward_port (ctx, node, "host", &forward->host_port) ||
      !parse_forward_port (ctx, node, "guest", &forward->guest_port))
    return FALSE;
  g_ptr_array_add (nic->forwards, g_steal_pointer (&forward));
  return TRUE;
}

/* Forwards belong to NICs, so they are read once <devices> was, wherever
 * <metadata> stood. */
static gboolean
parse_forwards (ParseContext      *ctx,
                VireoDomainConfig *config,
                xmlNode           *metadata)
{
  vireo_xml_for_each_element (child, metadata)
    {
      if (child->ns == NULL || xmlStrcmp (child->ns->href, BAD_CAST VIREO_XMLNS) != 0)
        continue;
      vireo_xml_for_each_element (item, child)
        if (vireo_xml_is (item, "port-forward") && !parse_forward (ctx, config, item))
          return FALSE;
    }
  return TRUE;
}

static gboolean
parse_uuid (ParseContext      *ctx,
            VireoDomainConfig *config,
            xmlNode           *child)
{
  g_autofree char *uuid = vireo_xml_content (child);

  g_free (config->uuid);
  config->uuid = vireo_uuid_normalize (g_strstrip (uuid));
  if (config->uuid == NULL)
    return fail (ctx, _("<uuid>%s</uuid> is not a valid UUID"), uuid);
  return TRUE;
}

static gboolean
parse_vcpus (ParseContext      *ctx,
             VireoDomainConfig *config,
             xmlNode           *child)
{
  g_autofree char *text = vireo_xml_content (child);
  g_autofree char *current = vireo_xml_prop (child, "current");
  guint64 vcpus;

  if (!parse_uint (text, 4096, &vcpus))
    return fail (ctx, _("<vcpu> is not a number"));
  config->vcpus = vcpus;
  config->current_vcpus = 0;
  if (current != NULL && (!parse_uint (current, 4096, &vcpus) || vcpus == 0))
    return fail (ctx, _("<vcpu current='%s'> is not a positive number"), current);
  if (current != NULL)
    config->current_vcpus = vcpus;
  /* checked by vireo_domain_config_validate() */
  g_free (config->vcpu_cpuset);
  config->vcpu_cpuset = vireo_xml_prop (child, "cpuset");
  g_free (config->vcpu_placement);
  config->vcpu_placement = vireo_xml_prop (child, "placement");
  vireo_xml_extras_collect (&config->xml, "vcpu", child, modelled_vcpu, TRUE);
  return TRUE;
}

/* ACPI and APIC are modelled; the other features are kept as written. */
static void
parse_features (VireoDomainConfig *config,
                xmlNode           *child)
{
  config->acpi = FALSE;
  config->apic = FALSE;
  vireo_xml_extras_collect (&config->xml, "features", child, modelled_features, FALSE);
  vireo_xml_for_each_element (feature, child)
    {
      if (vireo_xml_is (feature, "acpi"))
        config->acpi = TRUE;
      else if (vireo_xml_is (feature, "apic"))
        config->apic = TRUE;
      else
        keep (config->extra_features, feature);
    }
}

/* What <domain> has said so far, for what it must say once it is read. */
typedef struct {
  gboolean memory;
  gboolean current_memory;
  gboolean os;
  xmlNode *metadata;
} DomainSeen;

/* <memory> or <currentMemory>. */
static gboolean
parse_memory_element (ParseContext      *ctx,
                      VireoDomainConfig *config,
                      xmlNode           *child,
                      DomainSeen        *seen)
{
  gboolean current = vireo_xml_is (child, "currentMemory");

  if (!parse_memory (ctx, child, current ? &config->current_memory_kib : &config->memory_kib))
    return FALSE;
  vireo_xml_extras_collect (&config->xml, (const char *) child->name, child, modelled_memory, TRUE);
  /* no unit is KiB, libvirt's default, which the formatter writes */
  if (!xmlHasProp (child, BAD_CAST "unit"))
    vireo_xml_extras_note_unsaid (&config->xml, (const char *) child->name, "unit", "KiB");
  if (current)
    seen->current_memory = TRUE;
  else
    seen->memory = TRUE;
  return TRUE;
}

/* One child of <domain>: read into @config, kept as it is, or refused. */
static gboolean
parse_domain_child (ParseContext      *ctx,
                    VireoDomainConfig *config,
                    xmlNode           *child,
                    DomainSeen        *seen)
{
  char **field;

  if (vireo_xml_is (child, "name"))
    return TRUE;   /* read before the loop */
  if (vireo_xml_is (child, "uuid"))
    return parse_uuid (ctx, config, child);
  if ((field = single_text_field (config, child)) != NULL)
    return read_once (ctx, child, field);
  if (vireo_xml_is (child, "metadata"))
    {
      parse_metadata (config, child);
      seen->metadata = child;
      return TRUE;
    }
  if (vireo_xml_is (child, "memory") || vireo_xml_is (child, "currentMemory"))
    return parse_memory_element (ctx, config, child, seen);
  if (vireo_xml_is (child, "vcpu"))
    return parse_vcpus (ctx, config, child);
  if (vireo_xml_is (child, "os"))
    {
      seen->os = TRUE;
      return parse_os (ctx, config, child);
    }
  if (vireo_xml_is (child, "features"))
    {
      parse_features (config, child);
      return TRUE;
    }
  if (vireo_xml_is (child, "cpu"))
    return parse_cpu (ctx, config, child);
  if (vireo_xml_is (child, "devices"))
    return parse_devices (ctx, config, child);
  if (child->ns && xmlStrcmp (child->ns->href, BAD_CAST QEMU_XMLNS) == 0)
    return fail (ctx, _("<qemu:%s> passthrough is not supported"), child->name);
  if (g_strv_contains (kept_domain, (const char *) child->name))
    {
      keep (config->extra_domain, child);
      return TRUE;
    }
  return fail (ctx, _("<%s> is not supported"), child->name);
}

static gboolean
parse_domain (ParseContext      *ctx,
              VireoDomainConfig *config,
              xmlNode           *root)
{
  g_autofree char *type = vireo_xml_prop (root, "type");
  DomainSeen seen = { 0 };

  if (g_strcmp0 (type, "kvm") == 0)
    config->accel = VIREO_ACCEL_KVM;
  else if (g_strcmp0 (type, "qemu") == 0)
    config->accel = VIREO_ACCEL_TCG;
  else
    return fail (ctx, _("<domain type='%s'> is not supported (kvm or qemu)"), type ? type : "");
  vireo_xml_extras_collect (&config->xml, "domain", root, modelled_domain, FALSE);

  vireo_xml_for_each_element (child, root)
    if (!parse_domain_child (ctx, config, child, &seen))
      return FALSE;

  if (!seen.memory)
    return fail (ctx, _("<memory> is missing"));
  if (!seen.os)
    return fail (ctx, _("<os> is missing"));
  if (seen.metadata != NULL && !parse_forwards (ctx, config, seen.metadata))
    return FALSE;
  if (!seen.current_memory)
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

static VireoDomainConfig *
parse_document (const char  *xml,
                gssize       length,
                const char  *source,
                GError     **error)
{
  g_autoptr(VireoDomainConfig) config = NULL;
  g_autofree char *name = NULL;
  ParseContext ctx = { source ? source : "(unnamed)", error };
  xmlDoc *doc = vireo_xml_read (xml, length, ctx.where, error);
  xmlNode *root;
  gboolean ok;

  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  if (root == NULL || !vireo_xml_is (root, "domain"))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s: the root element is not <domain>"), ctx.where);
      xmlFreeDoc (doc);
      return NULL;
    }

  name = vireo_xml_read_name (root, ctx.where, error);
  if (name == NULL || !vireo_name_validate (name, error))
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
  GError *local = NULL;
  VireoDomainConfig *config = parse_document (xml, length, source, &local);

  if (local != NULL)
    vireo_xml_propagate_error (error, local);
  return config;
}
