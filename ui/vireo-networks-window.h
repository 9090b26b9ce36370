/* vireo-networks-window.h: the virtual networks, their state and leases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_NETWORKS_WINDOW (vireo_networks_window_get_type ())

G_DECLARE_FINAL_TYPE (VireoNetworksWindow, vireo_networks_window, VIREO, NETWORKS_WINDOW, GtkWindow)

GtkWidget    *vireo_networks_window_new            (GtkWindow           *parent,
                                                    VireoHosts          *hosts,
                                                    VireoBackend        *backend);
void          vireo_networks_window_set_backend    (VireoNetworksWindow *self,
                                                    VireoBackend        *backend);
VireoBackend *vireo_networks_window_get_backend    (VireoNetworksWindow *self);
void          vireo_networks_window_select         (VireoNetworksWindow *self,
                                                    VireoNetwork        *network);
VireoNetwork *vireo_networks_window_get_selected   (VireoNetworksWindow *self);
const char   *vireo_networks_window_get_error_text (VireoNetworksWindow *self);
GtkWidget    *vireo_networks_window_create         (VireoNetworksWindow *self);
GtkWidget    *vireo_networks_window_delete         (VireoNetworksWindow *self);

G_END_DECLS
