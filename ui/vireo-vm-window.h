/* vireo-vm-window.h: one VM's window: consoles, details and snapshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo-details-view.h"
#include "vireo.h"
#include "vireo-serial-view.h"
#include "vireo-snapshots-view.h"
#include "vireo-vnc-view.h"

G_BEGIN_DECLS

#define VIREO_TYPE_VM_WINDOW (vireo_vm_window_get_type ())

G_DECLARE_FINAL_TYPE (VireoVmWindow, vireo_vm_window, VIREO, VM_WINDOW, GtkApplicationWindow)

GtkWidget       *vireo_vm_window_new             (GtkApplication *app,
                                                  VireoLocalBackend    *engine,
                                                  VireoDomain    *domain);
VireoDetailsView *vireo_vm_window_get_details_view (VireoVmWindow *self);
VireoDomain     *vireo_vm_window_get_domain      (VireoVmWindow  *self);
VireoVncView    *vireo_vm_window_get_vnc_view    (VireoVmWindow  *self);
VireoSerialView *vireo_vm_window_get_serial_view (VireoVmWindow  *self);
VireoSnapshotsView *vireo_vm_window_get_snapshots_view (VireoVmWindow *self);
const char      *vireo_vm_window_get_error_text  (VireoVmWindow  *self);
void             vireo_vm_window_show_page       (VireoVmWindow  *self,
                                                  const char     *name);

G_END_DECLS
