/* vireo-flatten-model.c: the items of many lists as one list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each inner list's length is remembered as the flattened model last
 * announced it: when an inner list changes, its own length has already
 * moved, and the positions a listener knows are those of before.
 */
#include "vireo-flatten-model.h"

typedef struct
{
  VireoFlattenModel *owner;      /* borrowed: it owns this */
  GListModel *model;             /* owned, or NULL: an item with no list */
  gulong changed_id;
  guint n_items;                 /* as last announced */
} Child;

struct _VireoFlattenModel
{
  GObject parent_instance;

  /* owned */
  GListModel *outer;
  GPtrArray *children;           /* Child, one per item of @outer */

  GType item_type;
  VireoFlattenChildFunc child_func;
  gulong outer_changed_id;
};

static void vireo_flatten_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VireoFlattenModel, vireo_flatten_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, vireo_flatten_model_list_model_init))

static void
child_free (gpointer data)
{
  Child *child = data;

  if (child->model != NULL)
    {
      g_clear_signal_handler (&child->changed_id, child->model);
      g_object_unref (child->model);
    }
  g_free (child);
}

/* Where @child's items begin in the flattened model. */
static guint
child_offset (VireoFlattenModel *self,
              Child             *child)
{
  guint offset = 0;

  for (guint i = 0; i < self->children->len; i++)
    {
      Child *other = g_ptr_array_index (self->children, i);

      if (other == child)
        return offset;
      offset += other->n_items;
    }
  g_return_val_if_reached (offset);
}

static void
on_child_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  Child *child = user_data;
  VireoFlattenModel *self = child->owner;
  guint offset = child_offset (self, child);

  child->n_items = child->n_items - removed + added;
  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), offset + position, removed, added);
}

static Child *
child_new (VireoFlattenModel *self,
           gpointer           item)
{
  Child *child = g_new0 (Child, 1);
  GListModel *model = self->child_func (item);

  child->owner = self;
  if (model != NULL)
    {
      child->model = g_object_ref (model);
      child->n_items = g_list_model_get_n_items (model);
      child->changed_id = g_signal_connect (model, "items-changed", G_CALLBACK (on_child_changed), child);
    }
  return child;
}

static void
on_outer_changed (GListModel *outer,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  VireoFlattenModel *self = user_data;
  guint offset = 0;
  guint flat_removed = 0;
  guint flat_added = 0;

  for (guint i = 0; i < position; i++)
    offset += ((Child *) g_ptr_array_index (self->children, i))->n_items;
  for (guint i = position; i < position + removed; i++)
    flat_removed += ((Child *) g_ptr_array_index (self->children, i))->n_items;
  g_ptr_array_remove_range (self->children, position, removed);
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (outer, i);
      Child *child = child_new (self, item);

      g_ptr_array_insert (self->children, i, child);
      flat_added += child->n_items;
    }
  if (flat_removed > 0 || flat_added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), offset, flat_removed, flat_added);
}

static GType
vireo_flatten_model_get_item_type (GListModel *list)
{
  return VIREO_FLATTEN_MODEL (list)->item_type;
}

static guint
vireo_flatten_model_get_n_items (GListModel *list)
{
  VireoFlattenModel *self = VIREO_FLATTEN_MODEL (list);
  guint n = 0;

  for (guint i = 0; i < self->children->len; i++)
    n += ((Child *) g_ptr_array_index (self->children, i))->n_items;
  return n;
}

static gpointer
vireo_flatten_model_get_item (GListModel *list,
                              guint       position)
{
  VireoFlattenModel *self = VIREO_FLATTEN_MODEL (list);

  for (guint i = 0; i < self->children->len; i++)
    {
      Child *child = g_ptr_array_index (self->children, i);

      if (position < child->n_items)
        return g_list_model_get_item (child->model, position);
      position -= child->n_items;
    }
  return NULL;
}

static void
vireo_flatten_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = vireo_flatten_model_get_item_type;
  iface->get_n_items = vireo_flatten_model_get_n_items;
  iface->get_item = vireo_flatten_model_get_item;
}

static void
vireo_flatten_model_dispose (GObject *object)
{
  VireoFlattenModel *self = VIREO_FLATTEN_MODEL (object);

  if (self->outer != NULL)
    g_clear_signal_handler (&self->outer_changed_id, self->outer);
  g_clear_pointer (&self->children, g_ptr_array_unref);
  g_clear_object (&self->outer);

  G_OBJECT_CLASS (vireo_flatten_model_parent_class)->dispose (object);
}

static void
vireo_flatten_model_class_init (VireoFlattenModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = vireo_flatten_model_dispose;
}

static void
vireo_flatten_model_init (VireoFlattenModel *self)
{
}

/**
 * vireo_flatten_model_new:
 * @item_type: the type of the inner lists' items
 * @outer: the list whose items lend the inner lists; the model holds it
 * @child_func: gives an item's inner list
 *
 * Returns: (transfer full): the inner lists' items, in the outer list's
 *   order, each inner list in its own order; main thread only, as the
 *   lists it follows
 */
VireoFlattenModel *
vireo_flatten_model_new (GType                  item_type,
                         GListModel            *outer,
                         VireoFlattenChildFunc  child_func)
{
  VireoFlattenModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (outer), NULL);
  g_return_val_if_fail (child_func != NULL, NULL);

  self = g_object_new (VIREO_TYPE_FLATTEN_MODEL, NULL);
  self->item_type = item_type;
  self->child_func = child_func;
  self->outer = g_object_ref (outer);
  self->children = g_ptr_array_new_with_free_func (child_free);
  self->outer_changed_id = g_signal_connect (outer, "items-changed", G_CALLBACK (on_outer_changed), self);
  on_outer_changed (outer, 0, 0, g_list_model_get_n_items (outer), self);
  return self;
}
