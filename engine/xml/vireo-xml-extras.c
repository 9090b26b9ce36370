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
 *
 * Two more records make the way back whole: the order the element's
 * children had (the formatter writes in libvirt's order, kept children
 * last, and the document's own order is put back), and what the
 * document left out that the formatter writes as its default (libvirt's
 * <memballoon> a document did not ask for), which is taken out again
 * while it still is that default.
 */
#include <string.h>

#include "vireo-xml.h"
#include "vireo-xml-extras.h"

void
vireo_xml_extras_clear (VireoXmlExtras *extras)
{
  g_clear_pointer (&extras->attrs, g_strfreev);
  g_clear_pointer (&extras->children, g_strfreev);
  g_clear_pointer (&extras->order, g_strfreev);
  g_clear_pointer (&extras->unsaid, g_strfreev);
}

/* @dest is overwritten, not freed first */
void
vireo_xml_extras_copy (VireoXmlExtras       *dest,
                       const VireoXmlExtras *src)
{
  dest->attrs = g_strdupv (src->attrs);
  dest->children = g_strdupv (src->children);
  dest->order = g_strdupv (src->order);
  dest->unsaid = g_strdupv (src->unsaid);
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

/* Moves the strings of *@strv into an array (the collector adds to it
 * in place: rebuilding the strv for each entry was quadratic). */
static GPtrArray *
take_strv (char ***strv)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; *strv && (*strv)[i]; i++)
    g_ptr_array_add (array, (*strv)[i]);
  g_clear_pointer (strv, g_free);
  return array;
}

/* Back into *@strv, %NULL when empty */
static void
give_strv (char      ***strv,
           GPtrArray   *array)
{
  if (array->len == 0)
    {
      g_ptr_array_unref (array);
      return;
    }
  g_ptr_array_add (array, NULL);
  g_ptr_array_set_free_func (array, NULL);
  *strv = (char **) g_ptr_array_free (array, FALSE);
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

/* The keys of @node's element children, in their order, in one pass:
 * "boot" for the first <boot>, "boot[1]" for the second…; with @by_name
 * a child that has a name attribute is "feature(secure-boot)", since the
 * formatter may write those in another order than the document
 * (<firmware><feature name>). */
static GStrv
child_keys (xmlNode  *node,
            gboolean  by_name)
{
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  vireo_xml_for_each_element (child, node)
    {
      const char *element = (const char *) child->name;
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (seen, element));
      g_autofree char *name = by_name ? vireo_xml_prop (child, "name") : NULL;
      g_autofree char *key = NULL;

      g_hash_table_insert (seen, (gpointer) element, GUINT_TO_POINTER (index + 1));
      if (name != NULL && strpbrk (name, " \t\n") == NULL)
        key = g_strdup_printf ("%s(%s)", element, name);
      else if (index == 0)
        key = g_strdup (element);
      else
        key = g_strdup_printf ("%s[%u]", element, index);
      g_strv_builder_add (keys, key);
    }
  return g_strv_builder_end (keys);
}

/* The order of @node's children as a string, or %NULL when one child,
 * or none, has no order to keep */
static char *
order_of (xmlNode *node)
{
  g_auto(GStrv) keys = child_keys (node, TRUE);

  if (keys[0] == NULL || keys[1] == NULL)
    return NULL;
  return g_strjoinv (" ", keys);
}

/**
 * vireo_xml_extras_note_order:
 * @extras: where the order goes; what it held for @path is replaced
 * @path: the name @node is kept under
 * @node: an element whose children the formatter writes
 *
 * Records the order of @node's children, which vireo_xml_extras_settle()
 * puts back.  vireo_xml_extras_collect() does it for the elements it
 * reads; this is for one the model holds no leftovers of (<devices>).
 */
void
vireo_xml_extras_note_order (VireoXmlExtras *extras,
                             const char     *path,
                             xmlNode        *node)
{
  g_autofree char *joined = order_of (node);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (joined == NULL)
    return;
  for (guint i = 0; extras->order && extras->order[i]; i += 2)
    if (!g_str_equal (extras->order[i], path))
      {
        g_strv_builder_add (builder, extras->order[i]);
        g_strv_builder_add (builder, extras->order[i + 1]);
      }
  g_strv_builder_add (builder, path);
  g_strv_builder_add (builder, joined);
  g_strfreev (extras->order);
  extras->order = g_strv_builder_end (builder);
}

/**
 * vireo_xml_extras_note_unsaid:
 * @extras: where the note goes
 * @path: the element (from the one the extras are collected on)
 * @attr: (nullable): the attribute the document left out, or %NULL when
 *   it left out the whole element
 * @value: what the formatter writes for it by default: the attribute's
 *   value, or the element as vireo_xml_node_to_string() gives it
 *
 * Notes a default the formatter writes that the document did not say
 * (libvirt's too, so it means the same), for vireo_xml_extras_settle()
 * to leave out again.  Call it after vireo_xml_extras_collect() on the
 * element, which forgets what it held under the path.
 */
void
vireo_xml_extras_note_unsaid (VireoXmlExtras *extras,
                              const char     *path,
                              const char     *attr,
                              const char     *value)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (extras->unsaid)
    g_strv_builder_addv (builder, (const char **) extras->unsaid);
  g_strv_builder_add (builder, path);
  g_strv_builder_add (builder, attr ? attr : "");
  g_strv_builder_add (builder, value);
  g_strfreev (extras->unsaid);
  extras->unsaid = g_strv_builder_end (builder);
}

/* What collect() adds to, path by path */
typedef struct {
  GPtrArray *attrs;
  GPtrArray *children;
  GPtrArray *order;
} Kept;

static void
add (GPtrArray  *array,
     const char *path,
     char       *text)
{
  g_ptr_array_add (array, g_strdup (path));
  g_ptr_array_add (array, text);
}

static void
collect (Kept       *kept,
         const char *path,
         xmlNode    *node,
         GPtrArray  *modelled,
         gboolean    keep_children)
{
  g_auto(GStrv) keys = child_keys (node, FALSE);
  char *order = order_of (node);
  guint i = 0;

  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    {
      /* namespaced attributes are not libvirt's */
      if (attr->ns != NULL || names (modelled, '@', (const char *) attr->name))
        continue;
      add (kept->attrs, path, g_strdup ((const char *) attr->name));
      g_ptr_array_add (kept->attrs, vireo_xml_prop (node, (const char *) attr->name));
    }
  if (order != NULL)
    add (kept->order, path, order);
  vireo_xml_for_each_element (child, node)
    {
      g_autoptr(GPtrArray) sub = specs_for_child (modelled, (const char *) child->name);
      g_autofree char *sub_path = g_strdup_printf ("%s/%s", path, keys[i++]);

      if (names (modelled, '!', (const char *) child->name))
        continue;
      if (sub != NULL)
        collect (kept, sub_path, child, sub, TRUE);
      else if (keep_children)
        add (kept->children, path, vireo_xml_node_to_string (child));
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
  Kept kept;

  drop_under (&extras->attrs, 3, path);
  drop_under (&extras->children, 2, path);
  drop_under (&extras->order, 2, path);
  drop_under (&extras->unsaid, 3, path);
  for (guint i = 0; modelled && modelled[i]; i++)
    g_ptr_array_add (specs, (char *) modelled[i]);
  kept.attrs = take_strv (&extras->attrs);
  kept.children = take_strv (&extras->children);
  kept.order = take_strv (&extras->order);
  collect (&kept, path, node, specs, keep_children);
  give_strv (&extras->attrs, kept.attrs);
  give_strv (&extras->children, kept.children);
  give_strv (&extras->order, kept.order);
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

typedef struct {
  xmlNode *node;
  gint rank;     /* where the document had it; -1 before all it had */
  guint place;   /* where the formatter wrote it */
} Placed;

static gint
compare_placed (gconstpointer a,
                gconstpointer b)
{
  const Placed *x = a, *y = b;

  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  return x->place < y->place ? -1 : x->place > y->place;
}

/* Puts @node's children in the order @keys gives; a child the document
 * did not have (a disk added since) stays after the one the formatter
 * wrote before it. */
static void
reorder (xmlNode    *node,
         const char *keys)
{
  g_auto(GStrv) order = g_strsplit (keys, " ", -1);
  g_auto(GStrv) have = child_keys (node, TRUE);
  g_autoptr(GArray) placed = g_array_new (FALSE, FALSE, sizeof (Placed));
  g_autoptr(GHashTable) ranks = g_hash_table_new (g_str_hash, g_str_equal);
  gint last = -1;
  guint i = 0;

  /* a key the order names twice takes its last place */
  for (guint j = 0; order[j]; j++)
    g_hash_table_insert (ranks, order[j], GUINT_TO_POINTER (j + 1));
  vireo_xml_for_each_element (child, node)
    {
      Placed p = { child, (gint) GPOINTER_TO_UINT (g_hash_table_lookup (ranks, have[i])) - 1, i };

      if (p.rank < 0)
        p.rank = last;
      else
        last = p.rank;
      g_array_append_val (placed, p);
      i++;
    }
  g_array_sort (placed, compare_placed);
  for (i = 0; i < placed->len; i++)
    {
      xmlNode *child = g_array_index (placed, Placed, i).node;

      xmlUnlinkNode (child);
      xmlAddChild (node, child);
    }
}

/* Takes out an element the formatter wrote as its default where the
 * document had none, or an attribute that way. */
static void
drop_unsaid (xmlNode    *node,
             xmlNode    *target,
             const char *attr,
             const char *value)
{
  if (*attr != '\0')
    {
      g_autofree char *have = vireo_xml_prop (target, attr);

      if (g_strcmp0 (have, value) == 0)
        xmlUnsetProp (target, BAD_CAST attr);
    }
  else if (target != node)
    {
      g_autofree char *have = vireo_xml_node_to_string (target);

      if (g_str_equal (have, value))
        {
          xmlUnlinkNode (target);
          xmlFreeNode (target);
        }
    }
}

/**
 * vireo_xml_extras_settle:
 * @extras: what the parser noted
 * @path: the name @node was kept under
 * @node: the element the formatter made for it, with all its children
 *
 * Leaves out the defaults the document did not say and puts the
 * children of @node and of those under it back in the document's order.
 * Call it last, once the formatter and vireo_xml_extras_apply() are done.
 */
void
vireo_xml_extras_settle (const VireoXmlExtras *extras,
                         const char           *path,
                         xmlNode              *node)
{
  for (guint i = 0; extras->unsaid && extras->unsaid[i]; i += 3)
    {
      xmlNode *target = resolve_path (node, path, extras->unsaid[i]);

      if (target)
        drop_unsaid (node, target, extras->unsaid[i + 1], extras->unsaid[i + 2]);
    }
  for (guint i = 0; extras->order && extras->order[i]; i += 2)
    {
      xmlNode *target = resolve_path (node, path, extras->order[i]);

      if (target)
        reorder (target, extras->order[i + 1]);
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
