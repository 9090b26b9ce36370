/* vireo-libvirt-summary.c: what Vireo shows of a definition it cannot edit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libvirt runs VMs Vireo's model does not hold (Xen, a test driver's
 * <domain type='test'>, devices Vireo does not make).  They are still
 * listed and run: their row shows the name, UUID, memory and CPUs read
 * here, and the details say why they are read-only.
 */
#include <stdlib.h>

#include "vireo-libvirt-private.h"
#include "vireo-xml.h"

static guint64
read_kib (const xmlNode *node)
{
  g_autofree char *text = vireo_xml_content (node);
  g_autofree char *unit = vireo_xml_prop (node, "unit");
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXUINT64, &value, NULL))
    return 0;
  if (unit == NULL || g_ascii_strcasecmp (unit, "KiB") == 0 || g_ascii_strcasecmp (unit, "k") == 0)
    return value;
  if (g_ascii_strcasecmp (unit, "MiB") == 0 || g_ascii_strcasecmp (unit, "M") == 0)
    return value * 1024;
  if (g_ascii_strcasecmp (unit, "GiB") == 0 || g_ascii_strcasecmp (unit, "G") == 0)
    return value * 1024 * 1024;
  if (g_ascii_strcasecmp (unit, "b") == 0 || g_ascii_strcasecmp (unit, "bytes") == 0)
    return value / 1024;
  return 0;
}

static void
replace_str (char **ptr,
             char  *value)
{
  g_free (*ptr);
  *ptr = value;
}

static void
read_child (VireoDomainConfig *config,
            const xmlNode     *child)
{
  g_autofree char *text = NULL;
  guint64 number;

  if (vireo_xml_is (child, "memory"))
    config->memory_kib = read_kib (child);
  else if (vireo_xml_is (child, "currentMemory"))
    config->current_memory_kib = read_kib (child);
  else if (vireo_xml_is (child, "vcpu") && (text = vireo_xml_content (child)) != NULL &&
           g_ascii_string_to_unsigned (g_strstrip (text), 10, 1, 4096, &number, NULL))
    config->vcpus = number;
  else if (vireo_xml_is (child, "title"))
    replace_str (&config->title, vireo_xml_content (child));
  else if (vireo_xml_is (child, "description"))
    replace_str (&config->description, vireo_xml_content (child));
}

/**
 * _vireo_libvirt_summary:
 * @record: what libvirt said of the VM (its name and UUID are libvirt's)
 *
 * Returns: (transfer full): a model holding what the row shows
 */
VireoDomainConfig *
_vireo_libvirt_summary (const VireoLibvirtRecord *record)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new (record->name);
  xmlDoc *doc = vireo_xml_read (record->xml, -1, record->name, NULL);
  xmlNode *root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;

  replace_str (&config->uuid, g_strdup (record->uuid));
  if (root != NULL)
    for (xmlNode *child = root->children; child != NULL; child = child->next)
      if (child->type == XML_ELEMENT_NODE)
        read_child (config, child);
  if (config->current_memory_kib == 0 || config->current_memory_kib > config->memory_kib)
    config->current_memory_kib = config->memory_kib;
  g_clear_pointer (&doc, xmlFreeDoc);
  return g_steal_pointer (&config);
}
