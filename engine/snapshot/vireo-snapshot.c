/* vireo-snapshot.c: one snapshot of a VM, and its XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The metadata is libvirt's <domainsnapshot> shape (name, description,
 * state, parent, creationTime, memory, disks, and the whole <domain> as
 * it was), so `virsh snapshot-dumpxml` and `vireoctl snapshot-dumpxml`
 * read alike.  The data itself is in the qcow2 images: internal
 * snapshots whose tag is the snapshot's name.
 */
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "vireo-domain.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-ids.h"
#include "vireo-snapshot-private.h"
#include "vireo-xml.h"

G_DEFINE_FINAL_TYPE (VireoSnapshot, vireo_snapshot, G_TYPE_OBJECT)

/* In VireoSnapshotState order: libvirt's names. */
static const char * const state_names[] = { "shutoff", "running", "paused" };

static void
vireo_snapshot_finalize (GObject *object)
{
  VireoSnapshot *self = VIREO_SNAPSHOT (object);

  g_free (self->name);
  g_free (self->description);
  g_free (self->parent);
  g_strfreev (self->disks);
  g_clear_pointer (&self->config, vireo_domain_config_free);
  g_clear_pointer (&self->inactive_config, vireo_domain_config_free);
  g_clear_pointer (&self->thumbnail, g_bytes_unref);

  G_OBJECT_CLASS (vireo_snapshot_parent_class)->finalize (object);
}

static void
vireo_snapshot_class_init (VireoSnapshotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vireo_snapshot_finalize;
}

static void
vireo_snapshot_init (VireoSnapshot *self)
{
  self->description = g_strdup ("");
  self->disks = g_new0 (char *, 1);
}

VireoSnapshot *
_vireo_snapshot_new (const char *name)
{
  VireoSnapshot *self = g_object_new (VIREO_TYPE_SNAPSHOT, NULL);

  self->name = g_strdup (name);
  return self;
}

const char *
vireo_snapshot_get_name (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), NULL);
  return self->name;
}

/* Returns: (transfer none): never %NULL; "" when there is none */
const char *
vireo_snapshot_get_description (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), NULL);
  return self->description;
}

/* Returns: (transfer none) (nullable): the parent's name; %NULL for a root */
const char *
vireo_snapshot_get_parent (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), NULL);
  return self->parent;
}

/* Returns: seconds since the epoch */
gint64
vireo_snapshot_get_creation_time (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), 0);
  return self->creation_time;
}

VireoSnapshotState
vireo_snapshot_get_state (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), VIREO_SNAPSHOT_SHUTOFF);
  return self->state;
}

/* Returns: whether it holds the VM's RAM (a revert runs the VM again) */
gboolean
vireo_snapshot_has_memory (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), FALSE);
  return self->memory;
}

/* Returns: whether the VM's disks continue from it (the last taken or
 * reverted to) */
gboolean
vireo_snapshot_is_current (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), FALSE);
  return self->current;
}

/* Returns: whether it was found in a disk image without Vireo's metadata
 * (made by `qemu-img snapshot` or by libvirt before an import) */
gboolean
vireo_snapshot_is_foreign (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), FALSE);
  return self->foreign;
}

/* Returns: its depth in the tree: 0 for a root */
guint
vireo_snapshot_get_depth (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), 0);
  return self->depth;
}

/* Returns: (transfer none): the targets of the disks it covers ("vda") */
const char * const *
vireo_snapshot_get_disks (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), NULL);
  return (const char * const *) self->disks;
}

/* Returns: (transfer none) (nullable): the VM's definition when it was
 *   taken, which a revert restores */
const VireoDomainConfig *
vireo_snapshot_get_config (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), NULL);
  return self->config;
}

/* Returns: (transfer none) (nullable): a PNG of the VM's screen when it
 *   was taken, for a snapshot of a running VM with a display */
GBytes *
vireo_snapshot_get_thumbnail (VireoSnapshot *self)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), NULL);
  return self->thumbnail;
}

const char *
vireo_snapshot_state_to_string (VireoSnapshotState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (state_names), NULL);
  return state_names[state];
}

/* Returns: (transfer none): the VM's state when it was taken, as a user
 *   reads it, translated */
const char *
vireo_snapshot_state_get_label (VireoSnapshotState state)
{
  switch (state)
    {
    case VIREO_SNAPSHOT_RUNNING: return _("Running");
    case VIREO_SNAPSHOT_PAUSED: return _("Paused");
    case VIREO_SNAPSHOT_SHUTOFF:
    default: return _("Shut off");
    }
}

/**
 * vireo_snapshot_suggest_name:
 * @snapshots: (element-type VireoSnapshot): a VM's snapshots
 * Returns: (transfer full): the first of snapshot-1, snapshot-2… not taken
 */
char *
vireo_snapshot_suggest_name (GPtrArray *snapshots)
{
  for (guint n = 1;; n++)
    {
      g_autofree char *name = g_strdup_printf ("snapshot-%u", n);

      if (vireo_snapshot_list_lookup (snapshots, name) == NULL)
        return g_steal_pointer (&name);
    }
}

/**
 * vireo_snapshot_list_lookup:
 * Returns: (transfer none) (nullable): the snapshot called @name
 */
VireoSnapshot *
vireo_snapshot_list_lookup (GPtrArray  *snapshots,
                            const char *name)
{
  for (guint i = 0; snapshots != NULL && i < snapshots->len; i++)
    {
      VireoSnapshot *snapshot = g_ptr_array_index (snapshots, i);

      if (g_strcmp0 (snapshot->name, name) == 0)
        return snapshot;
    }
  return NULL;
}

/**
 * vireo_snapshot_revert_stops_vm:
 * Returns: whether reverting @domain to @snapshot forces the running VM
 *   off (a snapshot of the VM shut off): front ends ask first
 */
gboolean
vireo_snapshot_revert_stops_vm (VireoSnapshot *snapshot,
                                VireoDomain   *domain)
{
  g_return_val_if_fail (VIREO_IS_SNAPSHOT (snapshot), FALSE);
  g_return_val_if_fail (VIREO_IS_DOMAIN (domain), FALSE);

  return !snapshot->memory && vireo_domain_is_active (domain);
}

/* The tree, depth first from the roots; siblings oldest first. */
static gint
by_time (gconstpointer a,
         gconstpointer b)
{
  VireoSnapshot *x = *(VireoSnapshot **) a, *y = *(VireoSnapshot **) b;

  if (x->creation_time != y->creation_time)
    return x->creation_time < y->creation_time ? -1 : 1;
  return g_strcmp0 (x->name, y->name);
}

static void
add_subtree (GPtrArray  *sorted,
             GPtrArray  *all,
             const char *parent,
             guint       depth,
             GHashTable *placed)
{
  for (guint i = 0; i < all->len; i++)
    {
      VireoSnapshot *s = g_ptr_array_index (all, i);

      if (g_strcmp0 (s->parent, parent) != 0 || g_hash_table_contains (placed, s->name))
        continue;
      s->depth = depth;
      g_hash_table_add (placed, s->name);
      g_ptr_array_add (sorted, g_object_ref (s));
      add_subtree (sorted, all, s->name, depth + 1, placed);
    }
}

/**
 * _vireo_snapshot_order:
 * Puts @snapshots in tree order and sets their depths.  A snapshot whose
 * parent is missing (a file deleted by hand) becomes a root, and a
 * parent loop (a crafted file) cannot recurse for ever: each snapshot is
 * placed once.
 */
void
_vireo_snapshot_order (GPtrArray *snapshots)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) placed = g_hash_table_new (g_str_hash, g_str_equal);

  g_ptr_array_sort (snapshots, by_time);
  for (guint i = 0; i < snapshots->len; i++)
    g_hash_table_add (names, ((VireoSnapshot *) g_ptr_array_index (snapshots, i))->name);
  for (guint i = 0; i < snapshots->len; i++)
    {
      VireoSnapshot *s = g_ptr_array_index (snapshots, i);

      if (s->parent != NULL && !g_hash_table_contains (names, s->parent))
        g_clear_pointer (&s->parent, g_free);
    }
  add_subtree (sorted, snapshots, NULL, 0, placed);
  /* what a loop kept from every root */
  for (guint i = 0; i < snapshots->len; i++)
    {
      VireoSnapshot *s = g_ptr_array_index (snapshots, i);

      if (!g_hash_table_contains (placed, s->name))
        {
          g_clear_pointer (&s->parent, g_free);
          add_subtree (sorted, snapshots, NULL, 0, placed);
        }
    }
  g_ptr_array_set_size (snapshots, 0);
  for (guint i = 0; i < sorted->len; i++)
    g_ptr_array_add (snapshots, g_object_ref (g_ptr_array_index (sorted, i)));
}

/* A description goes into an XML file: text, of a size a file can hold
 * and a user can read. */
#define MAX_DESCRIPTION 16384

/**
 * _vireo_snapshot_description_validate:
 * Returns: whether @text can be a snapshot's description: UTF-8 of at
 *   most 16 KiB without control characters other than tab and newline
 *   (XML cannot hold them, not even escaped)
 */
gboolean
_vireo_snapshot_description_validate (const char  *text,
                                      GError     **error)
{
  if (strlen (text) > MAX_DESCRIPTION)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("A snapshot description can be %d KiB at most"), MAX_DESCRIPTION / 1024);
      return FALSE;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                           _("A snapshot description must be UTF-8 text"));
      return FALSE;
    }
  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20 && *p != '\t' && *p != '\n')
      {
        g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                             _("A snapshot description cannot hold control characters"));
        return FALSE;
      }
  return TRUE;
}

static void
append_text (GString    *out,
             const char *indent,
             const char *element,
             const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append_printf (out, "%s<%s>%s</%s>\n", indent, element, escaped, element);
}

/**
 * vireo_snapshot_format_xml:
 * Returns: (transfer full): the snapshot as libvirt's domainsnapshot XML
 */
char *
vireo_snapshot_format_xml (VireoSnapshot *self)
{
  GString *out;
  g_autofree char *time = NULL;

  g_return_val_if_fail (VIREO_IS_SNAPSHOT (self), NULL);

  out = g_string_new ("<domainsnapshot>\n");
  time = g_strdup_printf ("%" G_GINT64_FORMAT, self->creation_time);

  append_text (out, "  ", "name", self->name);
  if (*self->description)
    append_text (out, "  ", "description", self->description);
  append_text (out, "  ", "state", state_names[self->state]);
  if (self->parent)
    {
      g_string_append (out, "  <parent>\n");
      append_text (out, "    ", "name", self->parent);
      g_string_append (out, "  </parent>\n");
    }
  append_text (out, "  ", "creationTime", time);
  g_string_append_printf (out, "  <memory snapshot=\"%s\"/>\n", self->memory ? "internal" : "no");
  g_string_append (out, "  <disks>\n");
  for (guint i = 0; self->disks[i]; i++)
    {
      g_autofree char *target = g_markup_escape_text (self->disks[i], -1);
      g_string_append_printf (out, "    <disk name=\"%s\" snapshot=\"internal\"/>\n", target);
    }
  g_string_append (out, "  </disks>\n");
  if (self->config)
    {
      /* as it is: indenting it would change the text of elements that
       * span lines (a description, an element kept verbatim) */
      g_autofree char *domain = vireo_domain_config_format (self->config);
      g_string_append (out, domain);
    }
  if (self->inactive_config)
    {
      /* libvirt's name for it: the same element under another name */
      g_autofree char *domain = vireo_domain_config_format (self->inactive_config);
      char *close = g_strrstr (domain, "</domain>");

      g_assert (g_str_has_prefix (domain, "<domain") && close != NULL);
      *close = '\0';
      g_string_append_printf (out, "<inactiveDomain%s</inactiveDomain>\n", domain + strlen ("<domain"));
    }
  g_string_append (out, "</domainsnapshot>\n");
  return g_string_free (out, FALSE);
}
