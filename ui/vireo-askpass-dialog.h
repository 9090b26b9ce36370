/* vireo-askpass-dialog.h: one question of ssh, asked on the manager window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_ASKPASS_DIALOG (vireo_askpass_dialog_get_type ())

G_DECLARE_FINAL_TYPE (VireoAskpassDialog, vireo_askpass_dialog, VIREO, ASKPASS_DIALOG, GtkDialog)

GtkWidget *vireo_askpass_dialog_new (GtkWindow           *parent,
                                     VireoAskpassRequest *request);

G_END_DECLS
