/* vireo-details-view.h: a VM's settings, as a form and as XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_DETAILS_VIEW (vireo_details_view_get_type ())

G_DECLARE_FINAL_TYPE (VireoDetailsView, vireo_details_view, VIREO, DETAILS_VIEW, GtkBox)

GtkWidget  *vireo_details_view_new        (VireoLocalBackend *engine,
                                           VireoDomain       *domain);
const char *vireo_details_view_get_status (VireoDetailsView *self);
void        vireo_details_view_set_xml    (VireoDetailsView *self,
                                           const char       *xml);
gboolean    vireo_details_view_apply_xml  (VireoDetailsView *self);
void        vireo_details_view_add_nic    (VireoDetailsView *self);
void        vireo_details_view_remove_nic (VireoDetailsView *self,
                                           guint             index);
void        vireo_details_view_remove_disk (VireoDetailsView *self,
                                            const char       *target,
                                            gboolean          remove_storage);
GtkWidget  *vireo_details_view_open_add_disk (VireoDetailsView *self);
GtkWidget  *vireo_details_view_open_convert_disk (VireoDetailsView *self,
                                                  const char       *target);
void        vireo_details_view_change_media (VireoDetailsView *self,
                                             const char       *target,
                                             const char       *path);

G_END_DECLS
