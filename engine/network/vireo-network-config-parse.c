/* vireo-network-config-parse.c: libvirt network XML into the model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What Vireo runs (name, UUID, bridge, NAT or isolated, one IPv4 subnet
 * with its DHCP range, static leases and domain) is parsed; what it does
 * not run is kept verbatim for the way back (<dns>, <mtu>, stp='on',
 * <nat><port …/></nat>…).  An IPv6 <ip> is kept the same way and not
 * run: vireo-net sets up IPv4 only, and a network definition written
 * for libvirt should still import rather than be refused for it.
 * Forward modes Vireo cannot run (route, open, bridge, passthrough…) are
 * refused with one line, since a network that silently became NAT would
 * not be the one the user defined.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-ids.h"
#include "vireo-network-config-private.h"
#include "vireo-xml.h"

typedef struct {
  const char *where;     /* the network's name once known, else the source */
  VireoNetworkConfig *config;
  GError **error;
} ParseContext;

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
               _("Network '%s': %s"), ctx->where, msg);
  return FALSE;
}

/* Reads the attributes of @node: those named in @known into @values (in
 * the same order), the others into what is kept for @path.  An attribute
 * in a namespace is refused: written back without it, it would change. */
static gboolean
read_attrs (ParseContext       *ctx,
            xmlNode            *node,
            const char         *path,
            const char * const *known,
            char              **values)
{
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    {
      const char *name = (const char *) attr->name;
      xmlChar *value = xmlNodeListGetString (node->doc, attr->children, 1);
      gboolean taken = FALSE;

      if (attr->ns != NULL)
        {
          xmlFree (value);
          return fail (ctx, _("<%s> has an attribute in a namespace, %s"), node->name, name);
        }
      for (guint i = 0; known && known[i] && !taken; i++)
        if (g_str_equal (known[i], name))
          {
            g_free (values[i]);
            values[i] = g_strdup (value ? (const char *) value : "");
            taken = TRUE;
          }
      if (!taken && path != NULL)
        {
          VireoNetworkKept *kept = _vireo_network_kept_get (ctx->config->kept, path, TRUE);
          g_ptr_array_add (kept->attrs, g_strdup (name));
          g_ptr_array_add (kept->attrs, g_strdup (value ? (const char *) value : ""));
        }
      xmlFree (value);
    }
  return TRUE;
}

static void
keep_child (ParseContext *ctx,
            const char   *path,
            xmlNode      *child)
{
  VireoNetworkKept *kept = _vireo_network_kept_get (ctx->config->kept, path, TRUE);

  g_ptr_array_add (kept->children, vireo_xml_node_to_string (child));
}

static void
keep_children (ParseContext *ctx,
               const char   *path,
               xmlNode      *node)
{
  vireo_xml_for_each_element (child, node)
    keep_child (ctx, path, child);
}

static gboolean
once (ParseContext *ctx,
      xmlNode      *node,
      gboolean     *seen)
{
  if (*seen)
    return fail (ctx, _("<%s> appears more than once"), node->name);
  *seen = TRUE;
  return TRUE;
}

static gboolean
parse_forward (ParseContext *ctx,
               xmlNode      *node)
{
  static const char * const known[] = { "mode", NULL };
  g_autofree char *mode = NULL;

  if (!read_attrs (ctx, node, "forward", known, &mode))
    return FALSE;
  /* libvirt's <forward/> without a mode is NAT */
  if (mode != NULL && !g_str_equal (mode, "nat"))
    return fail (ctx, _("<forward mode='%s'> is not supported (only NAT, or no <forward> for an isolated network)"),
                 mode);
  ctx->config->forward = VIREO_NETWORK_FORWARD_NAT;
  keep_children (ctx, "forward", node);
  return TRUE;
}

/* <element attr='…'/> whose one attribute Vireo reads, the rest kept. */
static gboolean
parse_single (ParseContext *ctx,
              xmlNode      *node,
              const char   *attr,
              char        **field)
{
  const char *known[] = { attr, NULL };

  if (*field != NULL)
    return fail (ctx, _("<%s> appears more than once"), node->name);
  if (!read_attrs (ctx, node, (const char *) node->name, known, field))
    return FALSE;
  if (*field == NULL)
    return fail (ctx, _("<%s> has no %s"), node->name, attr);
  keep_children (ctx, (const char *) node->name, node);
  return TRUE;
}

static gboolean
parse_host (ParseContext *ctx,
            xmlNode      *node)
{
  static const char * const known[] = { "mac", "ip", "name", NULL };
  VireoNetworkConfig *config = ctx->config;
  g_autofree char *path = g_strdup_printf ("host/%u", config->hosts->len);
  char *values[3] = { NULL, NULL, NULL };
  VireoNetworkHostConfig *host;

  if (!read_attrs (ctx, node, path, known, values))
    goto refused;
  if (values[0] == NULL || values[1] == NULL)
    {
      fail (ctx, _("a DHCP <host> needs both mac= and ip="));
      goto refused;
    }
  keep_children (ctx, path, node);
  host = g_new0 (VireoNetworkHostConfig, 1);
  host->mac = vireo_mac_normalize (values[0]);
  host->ip = values[1];
  host->name = values[2];
  if (host->mac == NULL)
    host->mac = g_strdup (values[0]);  /* validation names it */
  g_free (values[0]);
  g_ptr_array_add (config->hosts, host);
  return TRUE;

refused:
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_free (values[i]);
  return FALSE;
}

static gboolean
parse_range (ParseContext *ctx,
             xmlNode      *node)
{
  static const char * const known[] = { "start", "end", NULL };
  char *values[2] = { NULL, NULL };

  if (ctx->config->dhcp_start != NULL)
    return fail (ctx, _("more than one DHCP <range> is not supported"));
  if (!read_attrs (ctx, node, "range", known, values))
    {
      g_free (values[0]);
      g_free (values[1]);
      return FALSE;
    }
  ctx->config->dhcp_start = values[0];
  ctx->config->dhcp_end = values[1];
  if (values[0] == NULL || values[1] == NULL)
    return fail (ctx, _("a DHCP <range> needs both start= and end="));
  keep_children (ctx, "range", node);
  return TRUE;
}

static gboolean
parse_dhcp (ParseContext *ctx,
            xmlNode      *node)
{
  if (!read_attrs (ctx, node, "dhcp", NULL, NULL))
    return FALSE;
  vireo_xml_for_each_element (child, node)
    {
      if (vireo_xml_is (child, "range"))
        {
          if (!parse_range (ctx, child))
            return FALSE;
        }
      else if (vireo_xml_is (child, "host"))
        {
          if (!parse_host (ctx, child))
            return FALSE;
        }
      else
        keep_child (ctx, "dhcp", child);
    }
  return TRUE;
}

static gboolean
parse_prefix (ParseContext *ctx,
              const char   *prefix,
              const char   *netmask)
{
  guint64 value;

  if (prefix != NULL && netmask != NULL)
    return fail (ctx, _("<ip> has both prefix= and netmask="));
  if (netmask != NULL && !vireo_ipv4_prefix_from_mask (netmask, &ctx->config->prefix))
    return fail (ctx, _("<ip netmask='%s'> is not a netmask"), netmask);
  if (prefix != NULL)
    {
      if (!g_ascii_string_to_unsigned (prefix, 10, 0, 32, &value, NULL))
        return fail (ctx, _("<ip prefix='%s'> is not a prefix length"), prefix);
      ctx->config->prefix = value;
    }
  if (prefix == NULL && netmask == NULL)
    return fail (ctx, _("<ip> has neither prefix= nor netmask="));
  return TRUE;
}

/* The IPv4 <ip>: address, prefix, DHCP.  An IPv6 one is kept whole. */
static gboolean
parse_ip (ParseContext *ctx,
          xmlNode      *node,
          gboolean     *seen)
{
  static const char * const known[] = { "family", "address", "prefix", "netmask", NULL };
  g_autofree char *family = vireo_xml_prop (node, "family");
  g_autofree char *address = vireo_xml_prop (node, "address");
  char *values[4] = { NULL, NULL, NULL, NULL };
  gboolean ok, saw_dhcp = FALSE;

  if (g_strcmp0 (family, "ipv6") == 0 || (family == NULL && address && strchr (address, ':')))
    {
      g_ptr_array_add (ctx->config->extra, vireo_xml_node_to_string (node));
      return TRUE;
    }
  if (family != NULL && !g_str_equal (family, "ipv4"))
    return fail (ctx, _("<ip family='%s'> is not supported"), family);
  if (*seen)
    return fail (ctx, _("more than one IPv4 <ip> is not supported"));
  *seen = TRUE;
  ok = read_attrs (ctx, node, "ip", known, values) &&
       (values[1] != NULL || fail (ctx, _("<ip> has no address")));
  ctx->config->address = values[1];
  ok = ok && parse_prefix (ctx, values[2], values[3]);
  g_free (values[0]);
  g_free (values[2]);
  g_free (values[3]);
  if (!ok)
    return FALSE;
  vireo_xml_for_each_element (child, node)
    {
      if (vireo_xml_is (child, "dhcp"))
        {
          if (!once (ctx, child, &saw_dhcp) || !parse_dhcp (ctx, child))
            return FALSE;
        }
      else
        keep_child (ctx, "ip", child);
    }
  return TRUE;
}

static gboolean
parse_uuid (ParseContext *ctx,
            xmlNode      *node,
            gboolean     *seen)
{
  g_autofree char *text = vireo_xml_content (node);

  if (!once (ctx, node, seen))
    return FALSE;
  g_free (ctx->config->uuid);
  ctx->config->uuid = vireo_uuid_normalize (g_strstrip (text));
  if (ctx->config->uuid == NULL)
    return fail (ctx, _("<uuid>%s</uuid> is not a valid UUID"), text);
  return TRUE;
}

static gboolean
parse_child (ParseContext *ctx,
             xmlNode      *child,
             gboolean     *seen)  /* uuid, forward, ip */
{
  VireoNetworkConfig *config = ctx->config;

  if (vireo_xml_is (child, "name"))
    return TRUE;   /* read before */
  if (vireo_xml_is (child, "uuid"))
    return parse_uuid (ctx, child, &seen[0]);
  if (vireo_xml_is (child, "forward"))
    return once (ctx, child, &seen[1]) && parse_forward (ctx, child);
  if (vireo_xml_is (child, "bridge"))
    return parse_single (ctx, child, "name", &config->bridge);
  if (vireo_xml_is (child, "mac"))
    return parse_single (ctx, child, "address", &config->bridge_mac);
  if (vireo_xml_is (child, "domain"))
    return parse_single (ctx, child, "name", &config->domain);
  if (vireo_xml_is (child, "ip"))
    return parse_ip (ctx, child, &seen[2]);
  g_ptr_array_add (config->extra, vireo_xml_node_to_string (child));
  return TRUE;
}

static gboolean
parse_network (ParseContext *ctx,
               xmlNode      *root)
{
  static const char * const runtime[] = { "connections", NULL };
  g_autofree char *connections = NULL;
  gboolean seen[3] = { FALSE, FALSE, FALSE };

  /* connections= is how many VMs use it now: libvirt's runtime state */
  if (!read_attrs (ctx, root, "network", runtime, &connections))
    return FALSE;
  ctx->config->forward = VIREO_NETWORK_FORWARD_NONE;
  vireo_xml_for_each_element (child, root)
    if (!parse_child (ctx, child, seen))
      return FALSE;
  if (ctx->config->bridge_mac != NULL)
    {
      char *norm = vireo_mac_normalize (ctx->config->bridge_mac);

      if (norm != NULL)
        {
          g_free (ctx->config->bridge_mac);
          ctx->config->bridge_mac = norm;
        }
    }
  return TRUE;
}

static VireoNetworkConfig *
parse_document (const char  *xml,
                gssize       length,
                const char  *source,
                GError     **error)
{
  g_autoptr(VireoNetworkConfig) config = NULL;
  g_autofree char *name = NULL;
  ParseContext ctx = { source ? source : "(unnamed)", NULL, error };
  xmlDoc *doc = vireo_xml_read (xml, length, ctx.where, error);
  xmlNode *root;
  gboolean ok;

  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  if (root == NULL || !vireo_xml_is (root, "network"))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s: the root element is not <network>"), ctx.where);
      xmlFreeDoc (doc);
      return NULL;
    }
  name = vireo_xml_read_name (root, ctx.where, error);
  if (name == NULL || !vireo_network_name_validate (name, error))
    {
      xmlFreeDoc (doc);
      return NULL;
    }
  config = vireo_network_config_new (name);
  ctx.config = config;
  ctx.where = config->name;
  ok = parse_network (&ctx, root);
  xmlFreeDoc (doc);
  /* every rule but the bridge's: net-define replaces libvirt's virbr0 */
  if (!ok || !_vireo_network_config_check (config, FALSE, error))
    return NULL;
  return g_steal_pointer (&config);
}

/**
 * vireo_network_config_parse:
 * @xml: the document
 * @length: its length, or -1 if nul-terminated
 * @source: (nullable): where it came from (a file name), for messages
 *
 * Parses and checks with the network rules, except that the bridge may
 * be missing or not one of Vireo's (libvirt's virbr0): the engine
 * replaces it on define, and vireo_network_config_validate() refuses it.
 * Any error is %VIREO_ERROR_INVALID_CONFIG, one line naming the network
 * (or @source).  Never touches the network or the file system.
 *
 * Returns: (transfer full) (nullable): the model
 */
VireoNetworkConfig *
vireo_network_config_parse (const char  *xml,
                            gssize       length,
                            const char  *source,
                            GError     **error)
{
  GError *local = NULL;
  VireoNetworkConfig *config;

  g_return_val_if_fail (xml != NULL, NULL);

  config = parse_document (xml, length, source, &local);
  if (local != NULL)
    vireo_xml_propagate_error (error, local);
  return config;
}
