/* vireo-window.h: the manager window, one row per VM
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_WINDOW (vireo_window_get_type ())

G_DECLARE_FINAL_TYPE (VireoWindow, vireo_window, VIREO, WINDOW, GtkApplicationWindow)

VireoWindow *vireo_window_new            (GtkApplication *app,
                                          VireoLocalBackend    *engine);
VireoWindow *vireo_window_new_for_hosts  (GtkApplication *app,
                                          VireoHosts     *hosts);
VireoHosts  *vireo_window_get_hosts      (VireoWindow    *self);
void         vireo_window_set_loading  (VireoWindow *self,
                                        gboolean     loading);
GtkListBox  *vireo_window_get_list_box   (VireoWindow    *self);
void         vireo_window_select_domain  (VireoWindow    *self,
                                          VireoDomain    *domain);
void         vireo_window_show_error     (VireoWindow    *self,
                                          const GError   *error);
void         vireo_window_show_note      (VireoWindow    *self,
                                          const char     *note);
const char  *vireo_window_get_error_text (VireoWindow    *self);
GtkWidget   *vireo_window_add_connection (VireoWindow  *self);
GtkWidget   *vireo_window_new_vm         (VireoWindow    *self);
GtkWidget   *vireo_window_new_networks_window (VireoWindow *self);
void         vireo_window_search         (VireoWindow    *self,
                                          const char     *text);
GtkWidget   *vireo_window_delete_vm      (VireoWindow    *self);
GtkWidget   *vireo_window_take_snapshot  (VireoWindow    *self);
GtkWidget   *vireo_window_clone_vm       (VireoWindow    *self);
GtkWidget   *vireo_window_open_vm_window (VireoWindow    *self,
                                          VireoDomain    *domain);

G_END_DECLS
