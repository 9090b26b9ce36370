/* vireo-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_APPLICATION (vireo_application_get_type ())

G_DECLARE_FINAL_TYPE (VireoApplication, vireo_application, VIREO, APPLICATION, GtkApplication)

VireoApplication *vireo_application_new        (void);
VireoLocalBackend      *vireo_application_get_engine (VireoApplication *self);
void              vireo_application_set_sandboxed (VireoApplication *self,
                                                   gboolean          sandboxed);
guint             vireo_ui_count_active        (VireoLocalBackend      *engine);
void              vireo_ui_load_style          (void);
GtkWidget        *vireo_ui_name_close_button   (GtkWidget        *bar,
                                                const char       *name);
void              vireo_ui_follow_job          (GtkProgressBar   *bar,
                                                VireoJob         *job);

G_END_DECLS
