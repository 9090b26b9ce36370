/* vireo-vm-list.h: the manager window's list of VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"
#include "vireo-vm-row.h"

G_BEGIN_DECLS

#define VIREO_TYPE_VM_LIST (vireo_vm_list_get_type ())

G_DECLARE_FINAL_TYPE (VireoVmList, vireo_vm_list, VIREO, VM_LIST, GtkListBox)

void        vireo_vm_list_set_model    (VireoVmList *self,
                                        GListModel  *domains);
void        vireo_vm_list_set_hosts    (VireoVmList *self,
                                        VireoHosts  *hosts);
void        vireo_vm_list_set_sort     (VireoVmList *self,
                                        const char  *key);
void        vireo_vm_list_set_filter   (VireoVmList *self,
                                        const char  *text);
VireoVmRow *vireo_vm_list_get_row      (VireoVmList *self,
                                        VireoDomain *domain);
void        vireo_vm_list_stats_changed (VireoVmList *self,
                                         VireoVmRow  *row);
gboolean    vireo_vm_list_is_complete  (VireoVmList *self);

G_END_DECLS
