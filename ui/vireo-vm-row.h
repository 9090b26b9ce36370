/* vireo-vm-row.h: one VM in the manager window's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_VM_ROW (vireo_vm_row_get_type ())

G_DECLARE_FINAL_TYPE (VireoVmRow, vireo_vm_row, VIREO, VM_ROW, GtkListBoxRow)

GtkWidget   *vireo_vm_row_new        (VireoDomain *domain);
VireoDomain *vireo_vm_row_get_domain (VireoVmRow  *self);
guint        vireo_vm_row_get_n_samples (VireoVmRow *self);

const char  *vireo_ui_state_icon_name (VireoDomainState state);

G_END_DECLS
