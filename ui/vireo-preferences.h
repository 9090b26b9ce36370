/* vireo-preferences.h: the Preferences dialog and the app's settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VIREO_TYPE_PREFERENCES (vireo_preferences_get_type ())

G_DECLARE_FINAL_TYPE (VireoPreferences, vireo_preferences, VIREO, PREFERENCES, GtkDialog)

GtkWidget *vireo_preferences_new (GtkWindow *parent);
GSettings *vireo_ui_settings_new (void);

G_END_DECLS
