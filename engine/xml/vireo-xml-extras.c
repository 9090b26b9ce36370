/* vireo-xml-extras.c: keeping what a model leaves out of an element
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One rule for every modelled element of every format: the parser names
 * what it models ("@type", "model@type", "boot@order", "source"), and
 * everything else the element holds (attributes, and children with their
 * own leftovers) is kept by path and written back by the formatter onto
 * the element it made.  What the formatter writes itself always wins: a
 * kept attribute is only added where the formatter set none.
 */
#include <string.h>

#include "vireo-xml.h"
#include "vireo-xml-extras.h"

void
vireo_xml_extras_clear (VireoXmlExtras *extras)
{
  g_clear_pointer (&extras->attrs, g_strfreev);
  g_clear_pointer (&extras->children, g_strfreev);
}

/* @dest is overwritten, not freed first */
void
vireo_xml_extras_copy (VireoXmlExtras       *dest,
                       const VireoXmlExtras *src)
{
  dest->attrs = g_strdupv (src->attrs);
  dest->children = g_strdupv (src->children);
}

/* TRUE when @path is @prefix or lies under it */
static gboolean
path_under (const char *path,
            const char *prefix)
{
  gsize len = strlen (prefix);

  return strncmp (path, prefix, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* Removes the entries of @strv (groups of @stride) under @prefix. */
static void
drop_under (char       ***strv,
            guint         stride,
            const char   *prefix)
{
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  g_auto(GStrv) result = NULL;

  for (guint i = 0; *strv && (*strv)[i]; i += stride)
    if (!path_under ((*strv)[i], prefix))
      for (guint j = 0; j < stride; j++)
        g_strv_builder_add (kept, (*strv)[i + j]);
  result = g_strv_builder_end (kept);
  g_strfreev (*strv);
  *strv = result[0] ? g_steal_pointer (&result) : NULL;
}

static void
append (char       ***strv,
        const char   *a,
        const char   *b,
        const char   *c)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (*strv)
    g_strv_builder_addv (builder, (const char **) *strv);
  g_strv_builder_add (builder, a);
  g_strv_builder_add (builder, b);
  if (c)
    g_strv_builder_add (builder, c);
  g_strfreev (*strv);
  *strv = g_strv_builder_end (builder);
}

/* Whether @modelled names @name with @mark before it: '@' for an
 * attribute the model reads, '!' for a child that is dropped. */
static gboolean
names (GPtrArray  *modelled,
       char        mark,
       const char *name)
{
  for (guint i = 0; i < modelled->len; i++)
    {
      const char *spec = g_ptr_array_index (modelled, i);
      if (spec[0] == mark && g_str_equal (spec + 1, name))
        return TRUE;
    }
  return FALSE;
}

/* The specs about child @name with the "name" prefix taken off ("model@type"
 * gives "@type", "firmware/feature@name" gives "feature@name"), or %NULL
 * when @name is not modelled at all. */
static GPtrArray *
specs_for_child (GPtrArray  *modelled,
                 const char *name)
{
  GPtrArray *sub = NULL;
  gsize len = strlen (name);

  for (guint i = 0; i < modelled->len; i++)
    {
      const char *spec = g_ptr_array_index (modelled, i);

      if (strncmp (spec, name, len) != 0 || !strchr ("@/", spec[len]))
        continue;
      if (sub == NULL)
        sub = g_ptr_array_new ();
      if (spec[len] != '\0')
        g_ptr_array_add (sub, (char *) spec + len + (spec[len] == '/'));
    }
  return sub;
}

/* "boot" for the first <boot>, "boot[1]" for the second… */
static char *
child_path (const char *path,
            xmlNode    *child)
{
  guint index = 0;

  for (xmlNode *n = child->prev; n != NULL; n = n->prev)
    if (n->type == XML_ELEMENT_NODE && xmlStrcmp (n->name, child->name) == 0)
      index++;
  if (index == 0)
    return g_strdup_printf ("%s/%s", path, child->name);
  return g_strdup_printf ("%s/%s[%u]", path, child->name, index);
}

static void
collect (VireoXmlExtras *extras,
         const char     *path,
         xmlNode        *node,
         GPtrArray      *modelled,
         gboolean        keep_children)
{
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    {
      g_autofree char *value = NULL;

      /* namespaced attributes are not libvirt's */
      if (attr->ns != NULL || names (modelled, '@', (const char *) attr->name))
        continue;
      value = vireo_xml_prop (node, (const char *) attr->name);
      append (&extras->attrs, path, (const char *) attr->name, value);
    }
  vireo_xml_for_each_element (child, node)
    {
      g_autoptr(GPtrArray) sub = specs_for_child (modelled, (const char *) child->name);
      g_autofree char *sub_path = child_path (path, child);

      if (names (modelled, '!', (const char *) child->name))
        continue;
      if (sub != NULL)
        collect (extras, sub_path, child, sub, TRUE);
      else if (keep_children)
        {
          g_autofree char *text = vireo_xml_node_to_string (child);
          append (&extras->children, path, text, NULL);
        }
    }
}

/**
 * vireo_xml_extras_collect:
 * @extras: where the leftovers go; what it held under @path is replaced
 * @path: the name @node is kept under ("disk", "devices/video")
 * @node: a modelled element
 * @modelled: (array zero-terminated=1): what the model reads: "@attr" on
 *   @node, "child" (a child and its text), "child@attr", "child/grandchild@attr";
 *   "!child" drops a child (runtime state such as libvirt's <alias>)
 * @keep_children: keep @node's own unmodelled children too (%FALSE when
 *   the parser keeps them itself, as the extra_* arrays do); the
 *   unmodelled children of modelled children are always kept
 */
void
vireo_xml_extras_collect (VireoXmlExtras     *extras,
                          const char         *path,
                          xmlNode            *node,
                          const char * const *modelled,
                          gboolean            keep_children)
{
  g_autoptr(GPtrArray) specs = g_ptr_array_new ();

  drop_under (&extras->attrs, 3, path);
  drop_under (&extras->children, 2, path);
  for (guint i = 0; modelled && modelled[i]; i++)
    g_ptr_array_add (specs, (char *) modelled[i]);
  collect (extras, path, node, specs, keep_children);
}

/* The element @relative names under @node ("target", "os/boot[1]"), or
 * %NULL when the formatter did not write it. */
static xmlNode *
resolve (xmlNode    *node,
         const char *relative)
{
  g_auto(GStrv) parts = g_strsplit (relative, "/", -1);

  for (guint i = 0; parts[i] && node; i++)
    {
      char *bracket = strchr (parts[i], '[');
      guint index = bracket ? (guint) g_ascii_strtoull (bracket + 1, NULL, 10) : 0;
      xmlNode *found = NULL;

      if (bracket)
        *bracket = '\0';
      vireo_xml_for_each_element (child, node)
        if (vireo_xml_is (child, parts[i]) && index-- == 0)
          {
            found = child;
            break;
          }
      node = found;
    }
  return node;
}

static xmlNode *
resolve_path (xmlNode    *node,
              const char *prefix,
              const char *path)
{
  if (!path_under (path, prefix))
    return NULL;
  if (path[strlen (prefix)] == '\0')
    return node;
  return resolve (node, path + strlen (prefix) + 1);
}

/**
 * vireo_xml_extras_apply:
 * @extras: what vireo_xml_extras_collect() kept
 * @path: the name the element was kept under
 * @node: the element the formatter made for it
 *
 * Adds the kept attributes the formatter did not set, and appends the
 * kept children after the ones it wrote.  Leftovers of an element the
 * formatter no longer writes (a CD-ROM's <source> after an eject) go.
 */
void
vireo_xml_extras_apply (const VireoXmlExtras *extras,
                        const char           *path,
                        xmlNode              *node)
{
  for (guint i = 0; extras->attrs && extras->attrs[i]; i += 3)
    {
      xmlNode *target = resolve_path (node, path, extras->attrs[i]);

      if (target && !xmlHasProp (target, BAD_CAST extras->attrs[i + 1]))
        vireo_xml_set (target, extras->attrs[i + 1], extras->attrs[i + 2]);
    }
  for (guint i = 0; extras->children && extras->children[i]; i += 2)
    {
      xmlNode *target = resolve_path (node, path, extras->children[i]);
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      if (target == NULL)
        continue;
      g_ptr_array_add (one, extras->children[i + 1]);
      vireo_xml_add_fragments (target, one);
    }
}

/* Whether anything is kept at or under @path */
gboolean
vireo_xml_extras_has (const VireoXmlExtras *extras,
                      const char           *path)
{
  for (guint i = 0; extras->attrs && extras->attrs[i]; i += 3)
    if (path_under (extras->attrs[i], path))
      return TRUE;
  for (guint i = 0; extras->children && extras->children[i]; i += 2)
    if (path_under (extras->children[i], path))
      return TRUE;
  return FALSE;
}

/* Returns: (nullable): the kept attribute @name of the element at @path */
const char *
vireo_xml_extras_get_attr (const VireoXmlExtras *extras,
                           const char           *path,
                           const char           *name)
{
  for (guint i = 0; extras->attrs && extras->attrs[i]; i += 3)
    if (g_str_equal (extras->attrs[i], path) && g_str_equal (extras->attrs[i + 1], name))
      return extras->attrs[i + 2];
  return NULL;
}
