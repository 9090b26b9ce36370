/* vireo-take-snapshot-dialog.h: name and describe a snapshot, and take it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_TAKE_SNAPSHOT_DIALOG (vireo_take_snapshot_dialog_get_type ())

G_DECLARE_FINAL_TYPE (VireoTakeSnapshotDialog, vireo_take_snapshot_dialog, VIREO, TAKE_SNAPSHOT_DIALOG, GtkDialog)

GtkWidget *vireo_take_snapshot_dialog_new (GtkWindow   *parent,
                                           VireoDomain *domain,
                                           GPtrArray   *snapshots);

G_END_DECLS
