/* vireo-details-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both pages save through vireo_engine_define_domain(), so every rule of
 * the engine applies, and errors show in place under the form.  A running
 * VM keeps its old settings until it next starts: the view says so.
 */
#include <glib/gi18n.h>

#include "vireo-details-view.h"

struct _VireoDetailsView
{
  GtkBox parent_instance;

  /* template children */
  GtkLabel *name_label;
  GtkLabel *uuid_label;
  GtkLabel *machine_label;
  GtkEntry *title_entry;
  GtkEntry *description_entry;
  GtkComboBox *accel_combo;
  GtkSpinButton *vcpus_spin;
  GtkSpinButton *memory_spin;
  GtkTextView *xml_view;
  GtkLabel *status_label;
  GtkButton *apply_button;

  /* owned */
  VireoEngine *engine;
  VireoDomain *domain;
  gulong config_handler;
};

G_DEFINE_FINAL_TYPE (VireoDetailsView, vireo_details_view, GTK_TYPE_BOX)

static void
load (VireoDetailsView *self)
{
  const VireoDomainConfig *config = vireo_domain_get_config (self->domain);
  g_autofree char *xml = vireo_domain_get_xml (self->domain);
  static const char *accels[] = { "auto", "kvm", "tcg" };

  gtk_label_set_text (self->name_label, config->name);
  gtk_label_set_text (self->uuid_label, config->uuid);
  gtk_label_set_text (self->machine_label, config->machine);
  gtk_entry_set_text (self->title_entry, config->title ? config->title : "");
  gtk_entry_set_text (self->description_entry, config->description ? config->description : "");
  gtk_combo_box_set_active_id (self->accel_combo, accels[config->accel]);
  gtk_spin_button_set_value (self->vcpus_spin, config->vcpus);
  gtk_spin_button_set_value (self->memory_spin, config->memory_kib / 1024);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->xml_view), xml, -1);
}

static void
on_config_changed (VireoDomain      *domain,
                   GParamSpec       *pspec,
                   VireoDetailsView *self)
{
  load (self);
}

static void
set_status (VireoDetailsView *self,
            const char       *text,
            gboolean          error)
{
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (self->status_label));

  gtk_label_set_text (self->status_label, text);
  if (error)
    gtk_style_context_add_class (style, GTK_STYLE_CLASS_ERROR);
  else
    gtk_style_context_remove_class (style, GTK_STYLE_CLASS_ERROR);
}

static gboolean
save (VireoDetailsView        *self,
      const VireoDomainConfig *config)
{
  g_autoptr(GError) error = NULL;

  if (!vireo_engine_define_domain (self->engine, config, &error))
    {
      set_status (self, error->message, TRUE);
      return FALSE;
    }
  set_status (self, vireo_domain_is_active (self->domain)
                    ? _("Saved. The changes take effect when the VM next starts.")
                    : _("Saved."), FALSE);
  return TRUE;
}

static void
on_apply_overview (VireoDetailsView *self)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_copy (vireo_domain_get_config (self->domain));
  const char *title = gtk_entry_get_text (self->title_entry);
  const char *description = gtk_entry_get_text (self->description_entry);
  const char *accel = gtk_combo_box_get_active_id (self->accel_combo);
  guint64 memory_kib = (guint64) gtk_spin_button_get_value_as_int (self->memory_spin) * 1024;

  g_free (config->title);
  config->title = *title ? g_strdup (title) : NULL;
  g_free (config->description);
  config->description = *description ? g_strdup (description) : NULL;
  config->accel = g_strcmp0 (accel, "kvm") == 0 ? VIREO_ACCEL_KVM :
                  g_strcmp0 (accel, "tcg") == 0 ? VIREO_ACCEL_TCG : VIREO_ACCEL_AUTO;
  config->vcpus = gtk_spin_button_get_value_as_int (self->vcpus_spin);
  /* a balloon target above the new size makes no sense: follow it */
  if (config->current_memory_kib == config->memory_kib || config->current_memory_kib > memory_kib)
    config->current_memory_kib = memory_kib;
  config->memory_kib = memory_kib;
  save (self, config);
}

/**
 * vireo_details_view_apply_xml:
 * Validates and saves the XML tab.  The name and UUID stay: renaming is
 * not an edit of this VM.
 *
 * Returns: whether it was saved
 */
gboolean
vireo_details_view_apply_xml (VireoDetailsView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->xml_view);
  const VireoDomainConfig *current = vireo_domain_get_config (self->domain);
  g_autoptr(VireoDomainConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  config = vireo_domain_config_parse (text, -1, _("the XML"), &error);
  if (config == NULL)
    {
      set_status (self, error->message, TRUE);
      return FALSE;
    }
  if (!g_str_equal (config->name, current->name) || !g_str_equal (config->uuid, current->uuid))
    {
      set_status (self, _("The name and UUID of a VM cannot change here."), TRUE);
      return FALSE;
    }
  return save (self, config);
}

static void
on_apply_xml (VireoDetailsView *self)
{
  vireo_details_view_apply_xml (self);
}

static void
on_revert_xml (VireoDetailsView *self)
{
  load (self);
  set_status (self, "", FALSE);
}

static void
vireo_details_view_dispose (GObject *object)
{
  VireoDetailsView *self = VIREO_DETAILS_VIEW (object);

  if (self->domain)
    g_clear_signal_handler (&self->config_handler, self->domain);
  g_clear_object (&self->domain);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (vireo_details_view_parent_class)->dispose (object);
}

static void
vireo_details_view_class_init (VireoDetailsViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_details_view_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-details-view.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, VireoDetailsView, name)
  CHILD (name_label); CHILD (uuid_label); CHILD (machine_label); CHILD (title_entry);
  CHILD (description_entry); CHILD (accel_combo); CHILD (vcpus_spin); CHILD (memory_spin);
  CHILD (xml_view); CHILD (status_label); CHILD (apply_button);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_apply_overview);
  gtk_widget_class_bind_template_callback (widget_class, on_apply_xml);
  gtk_widget_class_bind_template_callback (widget_class, on_revert_xml);
}

static void
vireo_details_view_init (VireoDetailsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vireo_details_view_new (VireoEngine *engine,
                        VireoDomain *domain)
{
  VireoDetailsView *self = g_object_new (VIREO_TYPE_DETAILS_VIEW, NULL);

  self->engine = g_object_ref (engine);
  self->domain = g_object_ref (domain);
  self->config_handler = g_signal_connect (domain, "notify::config", G_CALLBACK (on_config_changed), self);
  load (self);
  return GTK_WIDGET (self);
}

const char *
vireo_details_view_get_status (VireoDetailsView *self)
{
  return gtk_label_get_text (self->status_label);
}

void
vireo_details_view_set_xml (VireoDetailsView *self,
                            const char       *xml)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->xml_view), xml, -1);
}
