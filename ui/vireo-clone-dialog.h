/* vireo-clone-dialog.h: clone a VM, fully or linked, now or from a snapshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_CLONE_DIALOG (vireo_clone_dialog_get_type ())

G_DECLARE_FINAL_TYPE (VireoCloneDialog, vireo_clone_dialog, VIREO, CLONE_DIALOG, GtkDialog)

GtkWidget *vireo_clone_dialog_new (GtkWindow   *parent,
                                   VireoDomain *source,
                                   GPtrArray   *snapshots,
                                   const char  *from_snapshot);

G_END_DECLS
