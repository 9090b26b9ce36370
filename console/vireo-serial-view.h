/* vireo-serial-view.h: a VM's serial console in a terminal widget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_SERIAL_VIEW (vireo_serial_view_get_type ())

G_DECLARE_FINAL_TYPE (VireoSerialView, vireo_serial_view, VIREO, SERIAL_VIEW, GtkBin)

GtkWidget *vireo_serial_view_new      (VireoDomain     *domain);
char      *vireo_serial_view_get_text (VireoSerialView *self);
void       vireo_serial_view_type     (VireoSerialView *self,
                                       const char      *text);

G_END_DECLS
