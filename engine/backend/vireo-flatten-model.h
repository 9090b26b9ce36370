/* vireo-flatten-model.h: the items of many lists as one list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GtkFlattenListModel without GTK: the engine has none.  An outer list's
 * items each lend an inner list (a host its VMs); the flattened model
 * holds the inner lists' items one list after the other, and says where
 * it changed whenever the outer list or an inner one does.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * VireoFlattenChildFunc:
 * @item: an item of the outer list
 *
 * Returns: (transfer none) (nullable): the inner list @item lends, which
 *   lives as long as @item and is the same list every time it is asked;
 *   %NULL: none (no items)
 */
typedef GListModel *(*VireoFlattenChildFunc) (gpointer item);

#define VIREO_TYPE_FLATTEN_MODEL (vireo_flatten_model_get_type ())

G_DECLARE_FINAL_TYPE (VireoFlattenModel, vireo_flatten_model, VIREO, FLATTEN_MODEL, GObject)

VireoFlattenModel *vireo_flatten_model_new (GType                  item_type,
                                            GListModel            *outer,
                                            VireoFlattenChildFunc  child_func);

G_END_DECLS
