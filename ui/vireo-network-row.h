/* vireo-network-row.h: one virtual network in the Networks window's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_NETWORK_ROW (vireo_network_row_get_type ())

G_DECLARE_FINAL_TYPE (VireoNetworkRow, vireo_network_row, VIREO, NETWORK_ROW, GtkListBoxRow)

GtkWidget    *vireo_network_row_new         (VireoNetwork    *network);
VireoNetwork *vireo_network_row_get_network (VireoNetworkRow *self);

char         *vireo_ui_describe_network     (VireoNetwork    *network);

G_END_DECLS
