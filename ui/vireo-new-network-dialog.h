/* vireo-new-network-dialog.h: the Create Network dialog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_NEW_NETWORK_DIALOG (vireo_new_network_dialog_get_type ())

G_DECLARE_FINAL_TYPE (VireoNewNetworkDialog, vireo_new_network_dialog, VIREO, NEW_NETWORK_DIALOG, GtkDialog)

GtkWidget *vireo_new_network_dialog_new (GtkWindow    *parent,
                                         VireoBackend *backend);

G_END_DECLS
