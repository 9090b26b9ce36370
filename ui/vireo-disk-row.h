/* vireo-disk-row.h: one disk or CD-ROM drive on the Details' Disks page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_DISK_ROW (vireo_disk_row_get_type ())

G_DECLARE_FINAL_TYPE (VireoDiskRow, vireo_disk_row, VIREO, DISK_ROW, GtkListBoxRow)

GtkWidget  *vireo_disk_row_new        (const VireoDomainConfig *config,
                                       const VireoDiskConfig   *disk);
const char *vireo_disk_row_get_target (VireoDiskRow *self);
void        vireo_disk_row_set_refusals    (VireoDiskRow *self,
                                            const char   *disks,
                                            const char   *media);
void        vireo_disk_row_set_can_convert (VireoDiskRow *self,
                                            gboolean      can_convert);

G_END_DECLS
