/* vireo-vnc-view.h: a VM's screen through gtk-vnc
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_VNC_VIEW (vireo_vnc_view_get_type ())

G_DECLARE_FINAL_TYPE (VireoVncView, vireo_vnc_view, VIREO, VNC_VIEW, GtkBin)

GtkWidget *vireo_vnc_view_new          (VireoDomain  *domain);
gboolean   vireo_vnc_view_is_connected (VireoVncView *self);
GdkPixbuf *vireo_vnc_view_get_pixbuf   (VireoVncView *self);
GtkWidget *vireo_vnc_view_get_display  (VireoVncView *self);
void       vireo_vnc_view_set_scaling  (VireoVncView *self,
                                        gboolean      scale);
gboolean   vireo_vnc_view_get_guest_size (VireoVncView *self,
                                          int          *width,
                                          int          *height);
void       vireo_vnc_view_send_keys    (VireoVncView *self,
                                        const guint  *keyvals,
                                        int           n_keyvals);

G_END_DECLS
