/* vireo-xml-extras.h: what a modelled element says that the model does not
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A parser that models part of an element (a disk's <target dev bus>)
 * records the rest (<target tray='open'>, a PCI <address>) here, and the
 * formatter writes it back onto the element it made, so a document comes
 * back whole.  Plain strings: a struct holding one copies with
 * vireo_xml_extras_copy() and needs no XML library to be read.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * VireoXmlExtras:
 * @attrs: (nullable): path, name, value, path, name, value…
 * @children: (nullable): path, serialized element, path, element…
 * @order: (nullable): path, the element's children as the document had
 *   them ("type boot boot[1] loader"), path, children…
 * @unsaid: (nullable): path, attribute, value…: what the document left
 *   out and the formatter writes as its default (an attribute, or with
 *   an empty attribute name the whole element, serialized)
 *
 * A path names an element from the one the extras were collected on:
 * "disk", "disk/target", "os/boot[1]" (the second <boot>).  The arrays
 * are %NULL when nothing was left over.
 */
typedef struct {
  char **attrs;
  char **children;
  char **order;
  char **unsaid;
} VireoXmlExtras;

void     vireo_xml_extras_clear (VireoXmlExtras       *extras);
void     vireo_xml_extras_copy  (VireoXmlExtras       *dest,
                                 const VireoXmlExtras *src);
gboolean vireo_xml_extras_has   (const VireoXmlExtras *extras,
                                 const char           *path);
void     vireo_xml_extras_note_unsaid (VireoXmlExtras *extras,
                                       const char     *path,
                                       const char     *attr,
                                       const char     *value);
const char *vireo_xml_extras_get_attr (const VireoXmlExtras *extras,
                                       const char           *path,
                                       const char           *name);

G_END_DECLS
