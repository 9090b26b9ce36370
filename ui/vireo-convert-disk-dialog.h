/* vireo-convert-disk-dialog.h: asks, then converts a raw disk to qcow2
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_CONVERT_DISK_DIALOG (vireo_convert_disk_dialog_get_type ())

G_DECLARE_FINAL_TYPE (VireoConvertDiskDialog, vireo_convert_disk_dialog, VIREO, CONVERT_DISK_DIALOG, GtkDialog)

GtkWidget *vireo_convert_disk_dialog_new (GtkWindow   *parent,
                                          VireoLocalBackend *engine,
                                          VireoDomain *domain,
                                          const char  *target);

G_END_DECLS
