/* vireo-vm-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows follow the engine's GListModel, but are not bound to it with
 * gtk_list_box_bind_model(): a bound list box can neither sort nor filter.
 * Instead the list keeps one row per model position and sorts and filters
 * them itself.
 *
 * Rows are built from a template, which costs about a millisecond each, so
 * a long list would keep the window from appearing.  The first screenful
 * is built at once and the rest in growing idle chunks after the window
 * is up; a row asked for by its VM is built on the spot.
 */
#include <string.h>

#include "vireo-vm-list.h"

#define FIRST_ROWS 24
#define CHUNK_ROWS 16

struct _VireoVmList
{
  GtkListBox parent_instance;

  /* owned */
  GListModel *domains;
  GPtrArray *rows;          /* VireoVmRow or NULL (not built yet), by model position */
  char *filter;             /* vireo_domain_filter_key(), or NULL */
  guint fill_id;
  guint chunk;              /* rows the next idle builds */

  VireoDomainSort sort;
};

enum {
  FILLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VireoVmList, vireo_vm_list, GTK_TYPE_LIST_BOX)

/* The engine decides the order and what a filter matches. */
static int
compare_rows (GtkListBoxRow *a,
              GtkListBoxRow *b,
              gpointer       user_data)
{
  VireoVmList *self = user_data;

  return vireo_domain_compare (vireo_vm_row_get_domain (VIREO_VM_ROW (a)),
                               vireo_vm_row_get_domain (VIREO_VM_ROW (b)), self->sort);
}

static gboolean
filter_row (GtkListBoxRow *row,
            gpointer       user_data)
{
  VireoVmList *self = user_data;

  return vireo_domain_matches (vireo_vm_row_get_domain (VIREO_VM_ROW (row)), self->filter);
}

static VireoVmRow *
build_row (VireoVmList *self,
           guint        position)
{
  g_autoptr(VireoDomain) domain = g_list_model_get_item (self->domains, position);
  GtkWidget *row = vireo_vm_row_new (domain);

  g_ptr_array_index (self->rows, position) = row;
  gtk_container_add (GTK_CONTAINER (self), row);
  return VIREO_VM_ROW (row);
}

/* Builds up to @count missing rows; returns whether some are still missing. */
static gboolean
build_rows (VireoVmList *self,
            guint        count)
{
  for (guint i = 0; i < self->rows->len; i++)
    if (g_ptr_array_index (self->rows, i) == NULL)
      {
        if (count == 0)
          return TRUE;
        build_row (self, i);
        count--;
      }
  return FALSE;
}

static gboolean
on_fill_idle (gpointer user_data)
{
  VireoVmList *self = user_data;

  /* Each chunk makes the list lay out all its rows again: doubling the
   * chunks keeps that to a few passes, however long the list. */
  if (build_rows (self, self->chunk))
    {
      self->chunk *= 2;
      return G_SOURCE_CONTINUE;
    }
  self->fill_id = 0;
  g_signal_emit (self, signals[FILLED], 0);
  return G_SOURCE_REMOVE;
}

static void
on_items_changed (GListModel  *model,
                  guint        position,
                  guint        removed,
                  guint        added,
                  VireoVmList *self)
{
  for (guint i = 0; i < removed; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, position + i);

      if (row != NULL)
        gtk_widget_destroy (row);
    }
  g_ptr_array_remove_range (self->rows, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (self->rows, position + i, NULL);

  if (!build_rows (self, FIRST_ROWS))
    {
      if (added > 0 && self->fill_id == 0)
        g_signal_emit (self, signals[FILLED], 0);
    }
  else if (self->fill_id == 0)
    {
      self->chunk = CHUNK_ROWS;
      self->fill_id = g_idle_add_full (G_PRIORITY_LOW, on_fill_idle, self, NULL);
    }
}

/**
 * vireo_vm_list_set_model:
 * @domains: the engine's model of #VireoDomain
 */
void
vireo_vm_list_set_model (VireoVmList *self,
                         GListModel  *domains)
{
  g_return_if_fail (self->domains == NULL);

  self->domains = g_object_ref (domains);
  g_signal_connect_object (domains, "items-changed", G_CALLBACK (on_items_changed), self, 0);
  on_items_changed (domains, 0, 0, g_list_model_get_n_items (domains), self);
}

/**
 * vireo_vm_list_set_sort:
 * @key: a sort key's name, as vireo_domain_sort_from_string() takes it
 *   ("name", "state", "memory", "cpu", …); others sort by name
 */
void
vireo_vm_list_set_sort (VireoVmList *self,
                        const char  *key)
{
  if (!vireo_domain_sort_from_string (key, &self->sort))
    self->sort = VIREO_DOMAIN_SORT_NAME;
  gtk_list_box_invalidate_sort (GTK_LIST_BOX (self));
}

/**
 * vireo_vm_list_set_filter:
 * Shows only the VMs whose name or title holds @text (ignoring case).
 */
void
vireo_vm_list_set_filter (VireoVmList *self,
                          const char  *text)
{
  g_clear_pointer (&self->filter, g_free);
  self->filter = vireo_domain_filter_key (text);
  gtk_list_box_invalidate_filter (GTK_LIST_BOX (self));
}

/**
 * vireo_vm_list_get_row:
 * Returns: (transfer none) (nullable): @domain's row, built now if it
 *   was still waiting
 */
VireoVmRow *
vireo_vm_list_get_row (VireoVmList *self,
                       VireoDomain *domain)
{
  guint position;

  if (self->domains == NULL || !g_list_store_find (G_LIST_STORE (self->domains), domain, &position))
    return NULL;
  if (g_ptr_array_index (self->rows, position) == NULL)
    return build_row (self, position);
  return g_ptr_array_index (self->rows, position);
}

/* A new sample moves the row when the list is sorted by what it measures. */
void
vireo_vm_list_stats_changed (VireoVmList *self,
                             VireoVmRow  *row)
{
  if (self->sort == VIREO_DOMAIN_SORT_CPU || self->sort == VIREO_DOMAIN_SORT_DISK ||
      self->sort == VIREO_DOMAIN_SORT_NETWORK)
    gtk_list_box_row_changed (GTK_LIST_BOX_ROW (row));
}

/* Whether every VM has its row (the idle filling is done). */
gboolean
vireo_vm_list_is_complete (VireoVmList *self)
{
  return self->fill_id == 0;
}

static void
vireo_vm_list_dispose (GObject *object)
{
  VireoVmList *self = VIREO_VM_LIST (object);

  g_clear_handle_id (&self->fill_id, g_source_remove);
  if (self->domains)
    g_signal_handlers_disconnect_by_data (self->domains, self);
  g_clear_object (&self->domains);
  G_OBJECT_CLASS (vireo_vm_list_parent_class)->dispose (object);
}

static void
vireo_vm_list_finalize (GObject *object)
{
  VireoVmList *self = VIREO_VM_LIST (object);

  g_ptr_array_unref (self->rows);
  g_free (self->filter);
  G_OBJECT_CLASS (vireo_vm_list_parent_class)->finalize (object);
}

static void
vireo_vm_list_class_init (VireoVmListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vireo_vm_list_dispose;
  object_class->finalize = vireo_vm_list_finalize;

  /* every VM of the model has its row, after VMs were added */
  signals[FILLED] = g_signal_new ("filled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vireo_vm_list_init (VireoVmList *self)
{
  self->rows = g_ptr_array_new ();
  gtk_list_box_set_sort_func (GTK_LIST_BOX (self), compare_rows, self, NULL);
  gtk_list_box_set_filter_func (GTK_LIST_BOX (self), filter_row, self, NULL);
}
