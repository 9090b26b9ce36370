/* vireo-preferences.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every control is bound to its key with g_settings_bind, so changes apply
 * at once and other windows follow through ::changed.
 */
#include <glib/gi18n.h>

#include "config.h"
#include "vireo.h"
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

/* The schema compiled where this Vireo keeps it: the build tree's data/
 * when it runs from one, else the configured datadir's schemas, which
 * the default source lacks when the prefix is not in XDG_DATA_DIRS. */
static GSettingsSchema *
lookup_own_schema (GSettingsSchemaSource *parent)
{
  g_autofree char *build_tree = vireo_paths_find_build_tree ();
  g_autofree char *dir = NULL;
  g_autoptr(GSettingsSchemaSource) source = NULL;

  if (build_tree != NULL)
    dir = g_build_filename (build_tree, "data", NULL);
  else
    dir = g_build_filename (VIREO_DATADIR, "glib-2.0", "schemas", NULL);
  source = g_settings_schema_source_new_from_directory (dir, parent, FALSE, NULL);
  if (source == NULL)
    return NULL;
  return g_settings_schema_source_lookup (source, SCHEMA_ID, FALSE);
}

/**
 * vireo_ui_settings_new:
 * When Vireo runs from its build tree, the schema compiled there (it
 * matches the code, an installed one may be older); else the installed
 * schema, from the default source or the configured datadir.
 *
 * Returns: (transfer full): the settings
 */
GSettings *
vireo_ui_settings_new (void)
{
  GSettingsSchemaSource *installed = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = lookup_own_schema (installed);

  if (schema == NULL && installed != NULL)
    schema = g_settings_schema_source_lookup (installed, SCHEMA_ID, TRUE);
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
