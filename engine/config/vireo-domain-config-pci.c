/* vireo-domain-config-pci.c: libvirt's PCI layout of a VM, when Vireo can run it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A VM defined by libvirt carries libvirt's PCI layout: an <address
 * type='pci'> on every device and the root ports or bridges they sit
 * behind.  A guest that moves between libvirt and Vireo keeps its layout
 * only if QEMU is given it, so Vireo applies it, all or nothing: every
 * PCI device Vireo makes has an address, on bus 0 or on a root port or
 * bridge the document defines, and no two share one.  Anything less (a
 * hand-written document, a switch or an expander Vireo does not make)
 * leaves QEMU to lay the devices out, and the addresses are kept for
 * libvirt (vireo_domain_config_list_unapplied() says so).
 */
#include <libxml/parser.h>
#include <string.h>

#include "vireo-domain-config-pci.h"
#include "vireo-xml.h"

static void
controller_free (gpointer data)
{
  g_free (data);
}

void
vireo_pci_layout_free (VireoPciLayout *layout)
{
  if (layout == NULL)
    return;
  g_ptr_array_unref (layout->controllers);
  g_hash_table_unref (layout->devices);
  g_free (layout);
}

const VireoPciAddress *
vireo_pci_layout_lookup (const VireoPciLayout *layout,
                         const char           *key)
{
  return g_hash_table_lookup (layout->devices, key);
}

/* A number as libvirt writes it: "0x1f" or "31" */
static gboolean
read_number (xmlNode    *node,
             const char *name,
             guint       max,
             guint      *out)
{
  g_autofree char *text = vireo_xml_prop (node, name);
  guint64 value;
  char *end = NULL;

  if (text == NULL)
    {
      *out = 0;
      return TRUE;
    }
  value = g_ascii_strtoull (text, &end, 0);
  if (end == text || *end != '\0' || value > max)
    return FALSE;
  *out = value;
  return TRUE;
}

/* Returns: whether @node is a usable <address type='pci'> */
static gboolean
read_address (xmlNode         *node,
              VireoPciAddress *address)
{
  g_autofree char *type = vireo_xml_prop (node, "type");
  g_autofree char *multi = vireo_xml_prop (node, "multifunction");
  guint domain;

  if (g_strcmp0 (type, "pci") != 0)
    return FALSE;
  if (!read_number (node, "domain", 0, &domain) || !read_number (node, "bus", 255, &address->bus) ||
      !read_number (node, "slot", 31, &address->slot) || !read_number (node, "function", 7, &address->function))
    return FALSE;
  address->multifunction = g_strcmp0 (multi, "on") == 0;
  return TRUE;
}

static xmlDoc *
read_fragment (const char *fragment)
{
  return xmlReadMemory (fragment, (int) strlen (fragment), NULL, "UTF-8",
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

typedef enum {
  ADDRESS_NONE,     /* the device has no <address>: Vireo may place it */
  ADDRESS_PCI,
  ADDRESS_UNUSABLE, /* another type, or values PCI does not have */
} AddressKind;

/* The PCI address among kept children (serialized), if one is there */
static AddressKind
find_address (GPtrArray       *kept,
              VireoPciAddress *address)
{
  for (guint i = 0; kept && i < kept->len; i++)
    {
      const char *fragment = g_ptr_array_index (kept, i);
      xmlDoc *doc;
      gboolean ok;

      if (!g_str_has_prefix (fragment, "<address"))
        continue;
      doc = read_fragment (fragment);
      ok = doc && read_address (xmlDocGetRootElement (doc), address);
      xmlFreeDoc (doc);
      return ok ? ADDRESS_PCI : ADDRESS_UNUSABLE;
    }
  return ADDRESS_NONE;
}

/* The address kept on a modelled device of the domain ("devices/rng") */
static AddressKind
find_device_address (const VireoDomainConfig *config,
                     const char              *path,
                     VireoPciAddress         *address)
{
  const VireoXmlExtras *xml = &config->xml;
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (guint j = 0; xml->children && xml->children[j]; j += 2)
    if (g_str_equal (xml->children[j], path))
      g_ptr_array_add (kept, xml->children[j + 1]);
  return find_address (kept, address);
}

typedef struct {
  VireoPciLayout *layout;
  gboolean usable;
  gboolean any;           /* some device has an address */
  GPtrArray *unplaced;    /* keys of devices without one, in order */
} Collect;

static void
put (Collect               *c,
     const char            *key,
     const VireoPciAddress *address)
{
  g_hash_table_insert (c->layout->devices, g_strdup (key), g_memdup2 (address, sizeof *address));
  c->any = TRUE;
}

/* A device Vireo makes: placed by the document, to be placed by Vireo
 * (one added since libvirt laid the VM out), or a reason to apply nothing */
static void
need (Collect               *c,
      const char            *key,
      AddressKind            kind,
      const VireoPciAddress *address)
{
  if (kind == ADDRESS_PCI)
    put (c, key, address);
  else if (kind == ADDRESS_NONE)
    g_ptr_array_add (c->unplaced, g_strdup (key));
  else
    c->usable = FALSE;
}

/* One <controller>: a bus Vireo can make, a device's place, or a reason
 * to apply nothing */
static void
collect_controller (Collect *c,
                    xmlNode *node)
{
  g_autofree char *type = vireo_xml_prop (node, "type");
  g_autofree char *model = vireo_xml_prop (node, "model");
  VireoPciAddress address = { 0 };
  gboolean has_address = FALSE;
  guint index = 0;

  vireo_xml_for_each_element (child, node)
    if (vireo_xml_is (child, "address"))
      has_address = read_address (child, &address);
  if (!read_number (node, "index", 255, &index))
    {
      c->usable = FALSE;
      return;
    }
  if (g_strcmp0 (type, "pci") == 0)
    {
      VireoPciController *bus;
      xmlNode *target = vireo_xml_child (node, "target");

      if (g_strcmp0 (model, "pcie-root") == 0 || g_strcmp0 (model, "pci-root") == 0)
        return;
      if ((g_strcmp0 (model, "pcie-root-port") != 0 && g_strcmp0 (model, "pci-bridge") != 0) ||
          !has_address || target == NULL || index == 0)
        {
          c->usable = FALSE;
          return;
        }
      bus = g_new0 (VireoPciController, 1);
      bus->index = index;
      bus->root_port = g_str_equal (model, "pcie-root-port");
      bus->address = address;
      if (!read_number (target, bus->root_port ? "chassis" : "chassisNr", 255, &bus->chassis) ||
          !read_number (target, "port", 255, &bus->port))
        c->usable = FALSE;
      g_ptr_array_add (c->layout->controllers, bus);
      return;
    }
  if (index != 0 || !has_address)
    return;
  if (g_strcmp0 (type, "usb") == 0)
    put (c, "usb", &address);
  else if (g_strcmp0 (type, "scsi") == 0)
    put (c, "scsi", &address);
  else if (g_strcmp0 (type, "virtio-serial") == 0)
    put (c, "virtio-serial", &address);
}

static int
compare_controllers (gconstpointer a,
                     gconstpointer b)
{
  const VireoPciController *x = *(VireoPciController **) a;
  const VireoPciController *y = *(VireoPciController **) b;

  return x->index < y->index ? -1 : x->index > y->index;
}

/* Every device Vireo makes that sits on PCI, with what the document says
 * of its place */
static void
collect_devices (Collect                 *c,
                 const VireoDomainConfig *config)
{
  VireoPciAddress address;
  gboolean scsi = FALSE;

  for (guint i = 0; i < config->disks->len; i++)
    {
      VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);
      g_autofree char *key = g_strconcat ("disk/", disk->target, NULL);

      scsi |= disk->bus == VIREO_DISK_BUS_SCSI;
      if (disk->bus == VIREO_DISK_BUS_VIRTIO)
        need (c, key, find_address (disk->extra, &address), &address);
    }
  for (guint i = 0; i < config->nics->len; i++)
    {
      VireoNicConfig *nic = g_ptr_array_index (config->nics, i);
      g_autofree char *key = g_strdup_printf ("nic/%u", i);

      need (c, key, find_address (nic->extra, &address), &address);
    }
  if (config->video_model)
    need (c, "video", find_device_address (config, "devices/video", &address), &address);
  if (config->rng)
    need (c, "rng", find_device_address (config, "devices/rng", &address), &address);
  if (config->balloon)
    need (c, "balloon", find_device_address (config, "devices/memballoon", &address), &address);
  /* the controllers' own addresses came with them */
  if (scsi && !g_hash_table_contains (c->layout->devices, "scsi"))
    g_ptr_array_add (c->unplaced, g_strdup ("scsi"));
  if (config->vnc && !g_hash_table_contains (c->layout->devices, "usb"))
    g_ptr_array_add (c->unplaced, g_strdup ("usb"));
  if (config->guest_agent && !g_hash_table_contains (c->layout->devices, "virtio-serial"))
    g_ptr_array_add (c->unplaced, g_strdup ("virtio-serial"));
}

static gboolean
bus_made_before (const VireoPciLayout *layout,
                 guint                 bus,
                 guint                 before)
{
  if (bus == 0)
    return TRUE;
  for (guint i = 0; i < layout->controllers->len; i++)
    {
      VireoPciController *c = g_ptr_array_index (layout->controllers, i);
      if (c->index == bus)
        return bus < before;
    }
  return FALSE;
}

static gboolean
take_place (GHashTable            *taken,
            const VireoPciAddress *address)
{
  guint place = address->bus << 8 | address->slot << 3 | address->function;

  return g_hash_table_add (taken, GUINT_TO_POINTER (place + 1));
}

/* Every bus is made before its devices, once; no two devices share a
 * place, and none takes one the machine's own devices have (the host
 * bridge in slot 0; q35's LPC, SATA and SMBus in slot 0x1f, the i440fx's
 * PIIX3 in slot 1) */
static gboolean
layout_is_whole (const VireoPciLayout *layout,
                 gboolean              q35)
{
  g_autoptr(GHashTable) taken = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) indexes = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer value;

  for (guint function = 0; function < 8; function++)
    {
      VireoPciAddress host = { 0, 0, function, FALSE };
      VireoPciAddress chipset = { 0, q35 ? 0x1f : 1, function, FALSE };

      take_place (taken, &host);
      take_place (taken, &chipset);
    }

  for (guint i = 0; i < layout->controllers->len; i++)
    {
      VireoPciController *c = g_ptr_array_index (layout->controllers, i);

      if (!g_hash_table_add (indexes, GUINT_TO_POINTER (c->index)) ||
          !bus_made_before (layout, c->address.bus, c->index) || !take_place (taken, &c->address))
        return FALSE;
    }
  g_hash_table_iter_init (&iter, layout->devices);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!bus_made_before (layout, ((VireoPciAddress *) value)->bus, G_MAXUINT) || !take_place (taken, value))
      return FALSE;
  return TRUE;
}

/* Places the devices the document left unplaced, as libvirt would: each
 * on the next empty root port (q35), or in the next free slot of bus 0
 * (i440fx).  Returns: whether all found a place. */
static gboolean
place_the_rest (Collect  *c,
                gboolean  q35)
{
  g_autoptr(GHashTable) used = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer value;
  guint next_port = 0, next_slot = 2;

  g_hash_table_iter_init (&iter, c->layout->devices);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      VireoPciAddress *a = value;
      g_hash_table_add (used, GUINT_TO_POINTER (a->bus << 8 | a->slot));
    }
  for (guint i = 0; i < c->layout->controllers->len; i++)
    {
      VireoPciController *bus = g_ptr_array_index (c->layout->controllers, i);
      g_hash_table_add (used, GUINT_TO_POINTER (bus->address.bus << 8 | bus->address.slot));
    }
  for (guint k = 0; k < c->unplaced->len; k++)
    {
      VireoPciAddress place = { 0 };
      gboolean found = FALSE;

      while (q35 && !found && next_port < c->layout->controllers->len)
        {
          VireoPciController *bus = g_ptr_array_index (c->layout->controllers, next_port++);

          /* a root port has one slot, 0 */
          found = bus->root_port && !g_hash_table_contains (used, GUINT_TO_POINTER (bus->index << 8));
          place.bus = bus->index;
        }
      while (!q35 && !found && next_slot < 32)
        {
          found = !g_hash_table_contains (used, GUINT_TO_POINTER (next_slot));
          place.slot = next_slot++;
        }
      if (!found)
        return FALSE;
      put (c, g_ptr_array_index (c->unplaced, k), &place);
    }
  return TRUE;
}

/**
 * vireo_domain_config_pci_layout:
 *
 * Returns: (transfer full) (nullable): the layout to give QEMU, or %NULL
 *   when the document has none or one Vireo cannot apply whole
 */
VireoPciLayout *
vireo_domain_config_pci_layout (const VireoDomainConfig *config)
{
  g_autoptr(VireoPciLayout) layout = g_new0 (VireoPciLayout, 1);
  g_autoptr(GPtrArray) unplaced = g_ptr_array_new_with_free_func (g_free);
  Collect c = { layout, TRUE, FALSE, unplaced };
  gboolean q35 = vireo_domain_config_is_q35 (config);

  layout->controllers = g_ptr_array_new_with_free_func (controller_free);
  layout->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < config->extra_devices->len && c.usable; i++)
    {
      const char *fragment = g_ptr_array_index (config->extra_devices, i);
      xmlDoc *doc;

      if (!g_str_has_prefix (fragment, "<controller"))
        continue;
      doc = read_fragment (fragment);
      if (doc == NULL)
        c.usable = FALSE;
      else
        collect_controller (&c, xmlDocGetRootElement (doc));
      xmlFreeDoc (doc);
    }
  if (c.usable)
    collect_devices (&c, config);
  g_ptr_array_sort (layout->controllers, compare_controllers);
  if (!c.usable || !c.any || !layout_is_whole (layout, q35) || !place_the_rest (&c, q35))
    return NULL;
  return g_steal_pointer (&layout);
}
