/* vireo-xml.h: small libxml2 helpers every XML format of Vireo uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Domain, network and snapshot XML.  Strings come back as GLib strings
 * (g_free), never as xmlChar.
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "vireo-xml-extras.h"

G_BEGIN_DECLS

/* Each element child of @parent, in order; other nodes are skipped. */
#define vireo_xml_for_each_element(child, parent) \
  for (xmlNode *child = (parent)->children; child != NULL; child = child->next) \
    if (child->type == XML_ELEMENT_NODE)

gboolean  vireo_xml_is             (const xmlNode *node,
                                    const char    *name);
char     *vireo_xml_prop           (const xmlNode *node,
                                    const char    *name);
char     *vireo_xml_content        (const xmlNode *node);
xmlNode  *vireo_xml_child          (const xmlNode *node,
                                    const char    *name);
char     *vireo_xml_node_to_string (xmlNode       *node);
xmlNode  *vireo_xml_add            (xmlNode       *parent,
                                    const char    *name);
xmlNode  *vireo_xml_add_text       (xmlNode       *parent,
                                    const char    *name,
                                    const char    *text);
void      vireo_xml_set            (xmlNode       *node,
                                    const char    *name,
                                    const char    *value);
void      vireo_xml_set_uint       (xmlNode       *node,
                                    const char    *name,
                                    guint64        value);
void      vireo_xml_add_fragments  (xmlNode       *parent,
                                    GPtrArray     *fragments);
xmlDoc   *vireo_xml_read           (const char    *xml,
                                    gssize         length,
                                    const char    *where,
                                    GError       **error);
char     *vireo_xml_read_name      (const xmlNode *root,
                                    const char    *where,
                                    GError       **error);
void      vireo_xml_propagate_error (GError      **dest,
                                    GError        *src);
void      vireo_xml_extras_collect (VireoXmlExtras     *extras,
                                    const char         *path,
                                    xmlNode            *node,
                                    const char * const *modelled,
                                    gboolean            keep_children);
void      vireo_xml_extras_apply   (const VireoXmlExtras *extras,
                                    const char           *path,
                                    xmlNode              *node);
void      vireo_xml_extras_note_order (VireoXmlExtras *extras,
                                       const char     *path,
                                       xmlNode        *node);
void      vireo_xml_extras_settle  (const VireoXmlExtras *extras,
                                    const char           *path,
                                    xmlNode              *node);

G_END_DECLS
