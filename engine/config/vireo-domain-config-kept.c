/* vireo-domain-config-kept.c: what Vireo keeps for libvirt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Elements Vireo carries but does not run (CPU pinning, NUMA, libvirt's
 * PCI layout…) still have to be what libvirt would accept, so a VM that
 * moves back is not refused there; and a user must be able to see that
 * they are carried, not applied.
 */
#include <libxml/parser.h>
#include <string.h>

#include "vireo-domain-config.h"
#include "vireo-domain-config-pci.h"
#include "vireo-domain-config-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-xml.h"

/* Parses a kept fragment on its own.  Returns: (nullable): the document */
static xmlDoc *
read_fragment (const char *text)
{
  return xmlReadMemory (text, strlen (text), NULL, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOBLANKS);
}

/* libvirt's rule (virDomainNumaDefParseXML): the cells are 0 to N-1, each
 * once, an id left out taking the cell's place. */
static gboolean
check_numa (const VireoDomainConfig *config,
            xmlNode                 *numa,
            GError                 **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint n = 0, place = 0;

  vireo_xml_for_each_element (cell, numa)
    if (vireo_xml_is (cell, "cell"))
      n++;
  vireo_xml_for_each_element (cell, numa)
    {
      g_autofree char *id = NULL;
      guint64 value = place;

      if (!vireo_xml_is (cell, "cell"))
        continue;
      id = vireo_xml_prop (cell, "id");
      if ((id != NULL && !g_ascii_string_to_unsigned (id, 10, 0, G_MAXUINT, &value, NULL)) ||
          value >= n || g_hash_table_contains (seen, GUINT_TO_POINTER (value)))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       /* Translators: libvirt's rule for <cpu><numa><cell id='…'> */
                       _("VM '%s': NUMA cell id '%s' is wrong: cells are numbered from 0 to %u, each once"),
                       config->name, id ? id : "", n - 1);
          return FALSE;
        }
      g_hash_table_add (seen, GUINT_TO_POINTER (value));
      place++;
    }
  return TRUE;
}

/* The PCI root a machine has: pcie-root on q35, pci-root on the pc
 * (i440fx) machines; libvirt refuses the other. */
static gboolean
check_root_controller (const VireoDomainConfig *config,
                       xmlNode                 *controller,
                       GError                 **error)
{
  g_autofree char *type = vireo_xml_prop (controller, "type");
  g_autofree char *model = vireo_xml_prop (controller, "model");
  gboolean q35 = vireo_domain_config_is_q35 (config);

  if (g_strcmp0 (type, "pci") != 0 || model == NULL)
    return TRUE;
  if ((g_str_equal (model, "pcie-root") && !q35) || (g_str_equal (model, "pci-root") && q35))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   /* Translators: "VM 'x': a pcie-root controller does not fit machine 'pc' (…)" */
                   _("VM '%s': a %s controller does not fit machine '%s' (q35 has pcie-root, pc has pci-root)"),
                   config->name, model, config->machine);
      return FALSE;
    }
  return TRUE;
}

typedef gboolean (*KeptCheck) (const VireoDomainConfig *config,
                               xmlNode                 *node,
                               GError                 **error);

/* Runs @check on each element of @kept (kept verbatim, serialized) that
 * starts with @prefix, read back into a document. */
static gboolean
check_kept (const VireoDomainConfig *config,
            GPtrArray               *kept,
            const char              *prefix,
            KeptCheck                check,
            GError                 **error)
{
  for (guint i = 0; i < kept->len; i++)
    {
      const char *text = g_ptr_array_index (kept, i);
      xmlDoc *doc;
      gboolean ok;

      if (!g_str_has_prefix (text, prefix) || (doc = read_fragment (text)) == NULL)
        continue;
      ok = check (config, xmlDocGetRootElement (doc), error);
      xmlFreeDoc (doc);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* NUMA cells and the PCI root, checked as libvirt checks them. */
gboolean
_vireo_domain_config_validate_kept (const VireoDomainConfig *config,
                                    GError                 **error)
{
  return check_kept (config, config->extra_cpu, "<numa", check_numa, error) &&
         check_kept (config, config->extra_devices, "<controller", check_root_controller, error);
}

/* The element's name of a kept fragment ("<cputune>…" gives "cputune") */
static char *
fragment_name (const char *text)
{
  gsize len = strcspn (text + 1, " />\t\n");

  return g_strndup (text + 1, len);
}

/* What the kept elements that change how a guest runs under libvirt are */
static const char *
kept_label (const char *name)
{
  static const struct { const char *name; const char *label; } labels[] = {
    { "cputune", N_("CPU tuning and pinning") },
    { "numatune", N_("NUMA memory policy") },
    { "numa", N_("guest NUMA topology") },
    { "topology", N_("CPU topology") },
    { "feature", N_("CPU features") },
    { "memtune", N_("memory tuning") },
    { "memoryBacking", N_("memory backing (huge pages…)") },
    { "blkiotune", N_("disk I/O tuning") },
    { "iothreads", N_("I/O threads") },
    { "sysinfo", N_("SMBIOS system information") },
    { "graphics", N_("SPICE display (Vireo shows the screen over VNC)") },
    { "hyperv", N_("Hyper-V enlightenments") },
    { "clock", N_("guest clock offset and timers") },
    { "channel", N_("guest channels other than the QEMU guest agent (SPICE…)") },
    { "sound", N_("sound card") },
    { "redirdev", N_("USB redirection") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (name, labels[i].name))
      return _(labels[i].label);
  return NULL;
}

static void
take (GStrvBuilder *lines,
      char         *line)
{
  g_strv_builder_add (lines, line);
  g_free (line);
}

/* One line per element name of @kept that has a label, said once */
static void
list_kept (GStrvBuilder *lines,
           GHashTable   *said,
           GPtrArray    *kept)
{
  for (guint i = 0; i < kept->len; i++)
    {
      g_autofree char *name = fragment_name (g_ptr_array_index (kept, i));
      const char *label = kept_label (name);

      if (label == NULL || g_hash_table_contains (said, name))
        continue;
      take (lines, g_strdup_printf ("%s (<%s>)", label, name));
      g_hash_table_add (said, g_steal_pointer (&name));
    }
}

static guint
count_address_fragments (GPtrArray *kept)
{
  guint n = 0;

  for (guint i = 0; i < kept->len; i++)
    n += g_str_has_prefix (g_ptr_array_index (kept, i), "<address");
  return n;
}

/* How many devices carry an <address> other than a drive's (libvirt's
 * PCI and virtio-serial layout), which QEMU is not told */
static guint
count_addresses (const VireoDomainConfig *config)
{
  static const char *devices[] = { "devices/video", "devices/memballoon", "devices/rng",
                                   "devices/channel", "devices/serial", NULL };
  const VireoXmlExtras *xml = &config->xml;
  guint n = 0;

  for (guint i = 0; i < config->disks->len; i++)
    n += count_address_fragments (((VireoDiskConfig *) g_ptr_array_index (config->disks, i))->extra);
  for (guint i = 0; i < config->nics->len; i++)
    n += count_address_fragments (((VireoNicConfig *) g_ptr_array_index (config->nics, i))->extra);
  for (guint j = 0; xml->children && xml->children[j]; j += 2)
    n += g_strv_contains (devices, xml->children[j]) && g_str_has_prefix (xml->children[j + 1], "<address");
  return n;
}

/**
 * vireo_domain_config_list_unapplied:
 * What the definition says that Vireo keeps for libvirt but does not
 * apply when it runs the VM (CPU pinning, NUMA, libvirt's PCI layout, the
 * VNC listen address…), one translated line each, for `vireoctl dominfo`
 * and the details.  Any thread.
 *
 * Returns: (transfer full): the lines (g_strfreev()), empty when Vireo
 *   applies everything the definition says
 */
char **
vireo_domain_config_list_unapplied (const VireoDomainConfig *config)
{
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();
  g_autoptr(GHashTable) said = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(VireoPciLayout) pci = vireo_domain_config_pci_layout (config);
  /* a whole PCI layout is applied (vireo_domain_config_pci_layout()) */
  guint addresses = pci ? 0 : count_addresses (config);

  if (config->vcpu_cpuset)
    take (lines, g_strdup_printf (_("CPU pinning (<vcpu cpuset='%s'>)"), config->vcpu_cpuset));
  /* 'static' is libvirt's default: it only says cpuset is the pinning */
  if (g_strcmp0 (config->vcpu_placement, "auto") == 0)
    take (lines, g_strdup_printf (_("vCPU placement (<vcpu placement='%s'>)"),
                                                 config->vcpu_placement));
  list_kept (lines, said, config->extra_domain);
  list_kept (lines, said, config->extra_features);
  list_kept (lines, said, config->extra_cpu);
  list_kept (lines, said, config->extra_devices);
  if (config->vnc && (vireo_xml_extras_get_attr (&config->xml, "devices/graphics", "listen") ||
                      vireo_xml_extras_get_attr (&config->xml, "devices/graphics", "port")))
    g_strv_builder_add (lines, _("VNC listen address and port (Vireo serves VNC on its own socket)"));
  if (addresses > 0)
    take (lines, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                              "the device address of %u device (libvirt's device layout)",
                                                              "the device addresses of %u devices (libvirt's device layout)",
                                                              addresses), addresses));
  return g_strv_builder_end (lines);
}
