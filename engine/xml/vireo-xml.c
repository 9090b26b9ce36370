/* vireo-xml.c: small libxml2 helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading a document is the same for every format Vireo parses (domain,
 * network, snapshot): one safe set of parser options, and errors as one
 * line that names where the document came from.
 */
#include <libxml/parser.h>
#include <string.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
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

/* Returns: (nullable): the first element child of @node called @name */
xmlNode *
vireo_xml_child (const xmlNode *node,
                 const char    *name)
{
  vireo_xml_for_each_element (child, node)
    if (vireo_xml_is (child, name))
      return child;
  return NULL;
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

/**
 * vireo_xml_read:
 * @xml: the document
 * @length: its length, or -1 if nul-terminated
 * @where: what the document is (a file name), for the message
 *
 * Parses with no entities, no DTD loads and no network: the documents
 * sit in the user's folders and may be crafted.  Any thread.
 *
 * Returns: (transfer full) (nullable): the document (xmlFreeDoc()), or
 *   %NULL with %VIREO_ERROR_INVALID_CONFIG naming @where and the line
 */
xmlDoc *
vireo_xml_read (const char  *xml,
                gssize       length,
                const char  *where,
                GError     **error)
{
  xmlParserCtxt *parser = xmlNewParserCtxt ();
  xmlDoc *doc;

  doc = xmlCtxtReadMemory (parser, xml, length < 0 ? (int) strlen (xml) : (int) length, where, "UTF-8",
                           XML_PARSE_NONET | XML_PARSE_NOBLANKS |
                           XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      const xmlError *err = xmlCtxtGetLastError (parser);
      g_autofree char *msg = g_strdup (err && err->message ? err->message : "unreadable");

      g_strstrip (msg);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s: malformed XML at line %d: %s"), where, err ? err->line : 0, msg);
    }
  xmlFreeParserCtxt (parser);
  return doc;
}

/**
 * vireo_xml_read_name:
 * @root: a document's root element
 * @where: what the document is, for the message
 *
 * Returns: (transfer full) (nullable): the text of @root's first <name>
 *   child, stripped (not checked), or %NULL with
 *   %VIREO_ERROR_INVALID_CONFIG when there is none
 */
char *
vireo_xml_read_name (const xmlNode  *root,
                     const char     *where,
                     GError        **error)
{
  vireo_xml_for_each_element (child, root)
    if (vireo_xml_is (child, "name"))
      return g_strstrip (vireo_xml_content (child));
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG, _("%s: <name> is missing"), where);
  return NULL;
}

/**
 * vireo_xml_propagate_error:
 * @dest: (nullable): where the error goes
 * @src: (transfer full): a parser's error
 *
 * Propagates @src on one line: messages quote the document's values,
 * which may hold line breaks.
 */
void
vireo_xml_propagate_error (GError **dest,
                           GError  *src)
{
  g_strdelimit (src->message, "\r\n", ' ');
  g_propagate_error (dest, src);
}
