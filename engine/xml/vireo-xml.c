/* vireo-xml.c: small libxml2 helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libxml/parser.h>
#include <string.h>

#include "vireo-xml.h"

gboolean
vireo_xml_is (const xmlNode *node,
              const char    *name)
{
  return xmlStrcmp (node->name, BAD_CAST name) == 0;
}

/* Returns: (transfer full) (nullable): the attribute's value */
char *
vireo_xml_prop (const xmlNode *node,
                const char    *name)
{
  xmlChar *value = xmlGetProp (node, BAD_CAST name);
  char *ret = g_strdup ((const char *) value);

  xmlFree (value);
  return ret;
}

/* Returns: (transfer full) (nullable): the element's text */
char *
vireo_xml_content (const xmlNode *node)
{
  xmlChar *value = xmlNodeGetContent (node);
  char *ret = g_strdup ((const char *) value);

  xmlFree (value);
  return ret;
}

/* Serializes a subtree on its own; copying first pulls namespace
 * declarations of ancestors into the copy so the text parses alone. */
char *
vireo_xml_node_to_string (xmlNode *node)
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

xmlNode *
vireo_xml_add (xmlNode    *parent,
               const char *name)
{
  return xmlNewChild (parent, NULL, BAD_CAST name, NULL);
}

/* @text is escaped as needed */
xmlNode *
vireo_xml_add_text (xmlNode    *parent,
                    const char *name,
                    const char *text)
{
  return xmlNewTextChild (parent, NULL, BAD_CAST name, BAD_CAST text);
}

void
vireo_xml_set (xmlNode    *node,
               const char *name,
               const char *value)
{
  xmlNewProp (node, BAD_CAST name, BAD_CAST value);
}

void
vireo_xml_set_uint (xmlNode    *node,
                    const char *name,
                    guint64     value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
  vireo_xml_set (node, name, buf);
}

/* Appends elements kept verbatim (from vireo_xml_node_to_string) as
 * children of @parent; a fragment that does not parse is left out. */
void
vireo_xml_add_fragments (xmlNode   *parent,
                         GPtrArray *fragments)
{
  for (guint i = 0; fragments && i < fragments->len; i++)
    {
      const char *text = g_ptr_array_index (fragments, i);
      xmlDoc *doc = xmlReadMemory (text, strlen (text), NULL, "UTF-8",
                                   XML_PARSE_NONET | XML_PARSE_NOBLANKS);
      if (doc == NULL)
        continue;
      xmlAddChild (parent, xmlDocCopyNode (xmlDocGetRootElement (doc), parent->doc, 1));
      xmlFreeDoc (doc);
    }
}
