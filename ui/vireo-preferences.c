/* vireo-preferences.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every control is bound to its key with g_settings_bind, so changes apply
 * at once and other windows follow through ::changed.
 */
#include <glib/gi18n.h>

#include "config.h"
#include "vireo-preferences.h"

#define SCHEMA_ID "dev.vireo.Vireo"

struct _VireoPreferences
{
  GtkDialog parent_instance;

  /* template children */
  GtkComboBox *accel_combo;
  GtkEntry *storage_entry;
  GtkSpinButton *interval_spin;
  GtkToggleButton *scaling_check;
  GtkToggleButton *confirm_check;

  /* owned */
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (VireoPreferences, vireo_preferences, GTK_TYPE_DIALOG)

/**
 * vireo_ui_settings_new:
 * The installed schema, or, when Vireo runs from its build tree, the one
 * compiled there.
 *
 * Returns: (transfer full): the settings
 */
GSettings *
vireo_ui_settings_new (void)
{
  GSettingsSchemaSource *installed = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaSource) built = NULL;
  g_autofree char *dir = g_build_filename (VIREO_BUILD_ROOT, "data", NULL);

  if (installed)
    schema = g_settings_schema_source_lookup (installed, SCHEMA_ID, TRUE);
  if (schema == NULL)
    {
      built = g_settings_schema_source_new_from_directory (dir, installed, FALSE, NULL);
      if (built)
        schema = g_settings_schema_source_lookup (built, SCHEMA_ID, FALSE);
    }
  if (schema == NULL)
    g_error ("The settings schema %s is not installed", SCHEMA_ID);
  return g_settings_new_full (schema, NULL, NULL);
}

static void
vireo_preferences_dispose (GObject *object)
{
  g_clear_object (&VIREO_PREFERENCES (object)->settings);
  G_OBJECT_CLASS (vireo_preferences_parent_class)->dispose (object);
}

static void
vireo_preferences_class_init (VireoPreferencesClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_preferences_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoPreferences, accel_combo);
  gtk_widget_class_bind_template_child (widget_class, VireoPreferences, storage_entry);
  gtk_widget_class_bind_template_child (widget_class, VireoPreferences, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, VireoPreferences, scaling_check);
  gtk_widget_class_bind_template_child (widget_class, VireoPreferences, confirm_check);
}

static void
vireo_preferences_init (VireoPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = vireo_ui_settings_new ();
  g_settings_bind (self->settings, "default-accel", self->accel_combo, "active-id", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "storage-folder", self->storage_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "stats-interval", self->interval_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "console-scaling", self->scaling_check, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "confirm-actions", self->confirm_check, "active", G_SETTINGS_BIND_DEFAULT);
}

GtkWidget *
vireo_preferences_new (GtkWindow *parent)
{
  return g_object_new (VIREO_TYPE_PREFERENCES, "transient-for", parent, "use-header-bar", TRUE, NULL);
}
