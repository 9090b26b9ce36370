/* vireo-add-disk-dialog.h: adding a disk or CD-ROM drive to a VM
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_ADD_DISK_DIALOG (vireo_add_disk_dialog_get_type ())

G_DECLARE_FINAL_TYPE (VireoAddDiskDialog, vireo_add_disk_dialog, VIREO, ADD_DISK_DIALOG, GtkDialog)

GtkWidget *vireo_add_disk_dialog_new (GtkWindow   *parent,
                                      VireoLocalBackend *engine,
                                      VireoDomain *domain);

G_END_DECLS
