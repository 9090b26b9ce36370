/* vireo-network-config-format.c: the model back into libvirt network XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libvirt's shape and order, with what the parser kept written back
 * where it was found, so a network moves back to libvirt unchanged
 * (except its bridge, which net-define made one of Vireo's).
 */
#include <libxml/tree.h>

#include "vireo-network-config-private.h"
#include "vireo-xml.h"

/* The kept attributes and children of the element at @path. */
static void
add_kept (const VireoNetworkConfig *config,
          xmlNode                  *node,
          const char               *path)
{
  VireoNetworkKept *kept = _vireo_network_kept_get (config->kept, path, FALSE);

  if (kept == NULL)
    return;
  for (guint i = 0; i + 1 < kept->attrs->len; i += 2)
    vireo_xml_set (node, g_ptr_array_index (kept->attrs, i), g_ptr_array_index (kept->attrs, i + 1));
  vireo_xml_add_fragments (node, kept->children);
}

static void
add_single (const VireoNetworkConfig *config,
            xmlNode                  *root,
            const char               *element,
            const char               *attr,
            const char               *value)
{
  xmlNode *node;

  if (value == NULL)
    return;
  node = vireo_xml_add (root, element);
  vireo_xml_set (node, attr, value);
  add_kept (config, node, element);
}

static void
format_dhcp (const VireoNetworkConfig *config,
             xmlNode                  *ip)
{
  xmlNode *dhcp, *node;

  if (config->dhcp_start == NULL && config->hosts->len == 0 &&
      _vireo_network_kept_get (config->kept, "dhcp", FALSE) == NULL)
    return;
  dhcp = vireo_xml_add (ip, "dhcp");
  if (config->dhcp_start != NULL)
    {
      node = vireo_xml_add (dhcp, "range");
      vireo_xml_set (node, "start", config->dhcp_start);
      vireo_xml_set (node, "end", config->dhcp_end);
      add_kept (config, node, "range");
    }
  for (guint i = 0; i < config->hosts->len; i++)
    {
      const VireoNetworkHostConfig *host = g_ptr_array_index (config->hosts, i);
      g_autofree char *path = g_strdup_printf ("host/%u", i);

      node = vireo_xml_add (dhcp, "host");
      vireo_xml_set (node, "mac", host->mac);
      if (host->name != NULL)
        vireo_xml_set (node, "name", host->name);
      vireo_xml_set (node, "ip", host->ip);
      add_kept (config, node, path);
    }
  add_kept (config, dhcp, "dhcp");
}

static void
format_ip (const VireoNetworkConfig *config,
           xmlNode                  *root)
{
  g_autofree char *netmask = NULL;
  xmlNode *ip;

  if (config->address == NULL)
    return;
  ip = vireo_xml_add (root, "ip");
  vireo_xml_set (ip, "address", config->address);
  /* libvirt's own default network says netmask=; a prefix of more than
   * 32 bits has no netmask, and validation refuses it anyway */
  if (config->prefix <= 32)
    {
      netmask = vireo_ipv4_to_string (vireo_ipv4_mask (config->prefix));
      vireo_xml_set (ip, "netmask", netmask);
    }
  else
    vireo_xml_set_uint (ip, "prefix", config->prefix);
  add_kept (config, ip, "ip");
  format_dhcp (config, ip);
}

/**
 * vireo_network_config_format:
 * Returns: (transfer full): libvirt network XML, ending in a newline
 */
char *
vireo_network_config_format (const VireoNetworkConfig *config)
{
  xmlDoc *doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNode *root = xmlNewNode (NULL, BAD_CAST "network");
  xmlBuffer *buf;
  char *ret;

  g_return_val_if_fail (config != NULL, NULL);

  xmlDocSetRootElement (doc, root);
  add_kept (config, root, "network");
  vireo_xml_add_text (root, "name", config->name);
  vireo_xml_add_text (root, "uuid", config->uuid);
  if (config->forward == VIREO_NETWORK_FORWARD_NAT)
    {
      xmlNode *forward = vireo_xml_add (root, "forward");

      vireo_xml_set (forward, "mode", "nat");
      add_kept (config, forward, "forward");
    }
  add_single (config, root, "bridge", "name", config->bridge);
  add_single (config, root, "mac", "address", config->bridge_mac);
  add_single (config, root, "domain", "name", config->domain);
  format_ip (config, root);
  vireo_xml_add_fragments (root, config->extra);

  /* no XML declaration, as virsh net-dumpxml */
  buf = xmlBufferCreate ();
  xmlNodeDump (buf, doc, root, 0, 1);
  ret = g_strconcat ((const char *) xmlBufferContent (buf), "\n", NULL);
  xmlBufferFree (buf);
  xmlFreeDoc (doc);
  return ret;
}
