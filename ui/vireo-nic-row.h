/* vireo-nic-row.h: one network interface on the Details' Network page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_NIC_ROW (vireo_nic_row_get_type ())

G_DECLARE_FINAL_TYPE (VireoNicRow, vireo_nic_row, VIREO, NIC_ROW, GtkListBoxRow)

GtkWidget  *vireo_nic_row_new         (const VireoNicConfig *nic,
                                       guint                 index,
                                       GListModel           *networks);
guint       vireo_nic_row_get_index   (VireoNicRow *self);
const char *vireo_nic_row_get_mac     (VireoNicRow *self);
void        vireo_nic_row_apply       (VireoNicRow    *self,
                                       VireoNicConfig *nic);

G_END_DECLS
