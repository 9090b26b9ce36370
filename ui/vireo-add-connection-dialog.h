/* vireo-add-connection-dialog.h: save and connect a libvirt host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_ADD_CONNECTION_DIALOG (vireo_add_connection_dialog_get_type ())

G_DECLARE_FINAL_TYPE (VireoAddConnectionDialog, vireo_add_connection_dialog, VIREO, ADD_CONNECTION_DIALOG, GtkDialog)

GtkWidget *vireo_add_connection_dialog_new     (GtkWindow                *parent,
                                                VireoHosts               *hosts);
char      *vireo_add_connection_dialog_get_uri (VireoAddConnectionDialog *self);

G_END_DECLS
