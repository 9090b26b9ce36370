/* vireo-add-disk-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A new image is made as a job: the dialog shows its progress and Cancel
 * stops it (the job removes what it made).  The dialog closes when the
 * disk is in the definition, and stays open with the reason when not.
 */
#include <glib/gi18n.h>

#include "vireo-add-disk-dialog.h"
#include "vireo.h"
#include "vireo-file-chooser.h"
#include "vireo-preferences.h"

struct _VireoAddDiskDialog
{
  GtkDialog parent_instance;

  /* template children */
  GtkToggleButton *new_radio;
  GtkToggleButton *existing_radio;
  GtkToggleButton *cdrom_radio;
  GtkSpinButton *size_spin;
  GtkEntry *existing_entry;
  GtkButton *existing_browse;
  GtkEntry *iso_entry;
  GtkButton *iso_browse;
  GtkComboBoxText *bus_combo;
  GtkLabel *note_label;
  GtkProgressBar *progress_bar;
  GtkLabel *error_label;
  GtkWidget *add_button;

  /* owned */
  VireoLocalBackend *engine;
  VireoDomain *domain;
  GCancellable *cancellable;   /* set while working */
  VireoJob *job;
  GSettings *settings;
  gboolean disposed;           /* the children are gone: callbacks only end */
};

enum {
  ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VireoAddDiskDialog, vireo_add_disk_dialog, GTK_TYPE_DIALOG)

static VireoDiskDevice
chosen_device (VireoAddDiskDialog *self)
{
  return gtk_toggle_button_get_active (self->cdrom_radio) ? VIREO_DISK_DEVICE_CDROM : VIREO_DISK_DEVICE_DISK;
}

/* The buses this kind of drive can use on this VM's machine, the usual one first. */
static void
fill_buses (VireoAddDiskDialog *self)
{
  const VireoDomainConfig *config = vireo_domain_get_config (self->domain);
  VireoDiskBus emulated = vireo_domain_config_default_bus (config, VIREO_DISK_DEVICE_CDROM);

  gtk_combo_box_text_remove_all (self->bus_combo);
  if (chosen_device (self) == VIREO_DISK_DEVICE_DISK)
    gtk_combo_box_text_append (self->bus_combo, "virtio", _("VirtIO (fastest)"));
  gtk_combo_box_text_append (self->bus_combo, vireo_disk_bus_to_string (emulated),
                             emulated == VIREO_DISK_BUS_IDE ? "IDE" : "SATA");
  gtk_combo_box_set_active (GTK_COMBO_BOX (self->bus_combo), 0);
}

static void
update_sensitivity (VireoAddDiskDialog *self)
{
  gboolean working = self->cancellable != NULL;
  gboolean new_image = gtk_toggle_button_get_active (self->new_radio);
  gboolean existing = gtk_toggle_button_get_active (self->existing_radio);
  gboolean cdrom = gtk_toggle_button_get_active (self->cdrom_radio);

  gtk_widget_set_sensitive (GTK_WIDGET (self->size_spin), new_image && !working);
  gtk_widget_set_sensitive (GTK_WIDGET (self->existing_entry), existing && !working);
  gtk_widget_set_sensitive (GTK_WIDGET (self->existing_browse), existing && !working);
  gtk_widget_set_sensitive (GTK_WIDGET (self->iso_entry), cdrom && !working);
  gtk_widget_set_sensitive (GTK_WIDGET (self->iso_browse), cdrom && !working);
  gtk_widget_set_sensitive (self->add_button, !working);
}

static void
on_kind_toggled (VireoAddDiskDialog *self)
{
  fill_buses (self);
  update_sensitivity (self);
}

static void
on_browse (GtkButton          *button,
           VireoAddDiskDialog *self)
{
  vireo_choose_into_entry (GTK_WIDGET (self),
                           button == self->iso_browse ? _("Choose a CD-ROM Image") : _("Choose a Disk Image"),
                           button == self->iso_browse ? self->iso_entry : self->existing_entry);
}

static void
on_progress (VireoJob           *job,
             GParamSpec         *pspec,
             VireoAddDiskDialog *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar, vireo_job_get_progress (job));
}

static void
on_attached (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VireoAddDiskDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *target = vireo_domain_attach_disk_finish (VIREO_DOMAIN (source), result, &error);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->job);
  if (target != NULL)
    g_signal_emit (self, signals[ADDED], 0, target);
  if (self->disposed)
    return;
  gtk_widget_hide (GTK_WIDGET (self->progress_bar));
  if (target != NULL || (cancelled && gtk_widget_get_visible (GTK_WIDGET (self)) == FALSE))
    {
      gtk_widget_destroy (GTK_WIDGET (self));
      return;
    }
  gtk_label_set_text (self->error_label, cancelled ? _("Cancelled: nothing was added.") : error->message);
  gtk_widget_show (GTK_WIDGET (self->error_label));
  update_sensitivity (self);
}

static const char *
text_or_null (GtkEntry *entry)
{
  const char *text = gtk_entry_get_text (entry);

  return text && *text ? text : NULL;
}

static void
start (VireoAddDiskDialog *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "storage-folder");
  VireoDiskRequest request = { 0 };

  request.device = chosen_device (self);
  if (!vireo_disk_bus_from_string (gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->bus_combo)), &request.bus))
    request.bus = vireo_domain_config_default_bus (vireo_domain_get_config (self->domain), request.device);
  if (gtk_toggle_button_get_active (self->new_radio))
    request.new_bytes = (guint64) (gtk_spin_button_get_value (self->size_spin) * (1 << 30));
  else if (gtk_toggle_button_get_active (self->existing_radio))
    {
      request.path = text_or_null (self->existing_entry);
      if (request.path == NULL)
        {
          gtk_label_set_text (self->error_label, _("Choose the image to add."));
          gtk_widget_show (GTK_WIDGET (self->error_label));
          return;
        }
    }
  else
    request.path = text_or_null (self->iso_entry);
  request.folder = folder;

  gtk_widget_hide (GTK_WIDGET (self->error_label));
  self->cancellable = g_cancellable_new ();
  update_sensitivity (self);
  vireo_domain_attach_disk_async (self->domain, &request, &self->job, self->cancellable,
                                  on_attached, g_object_ref (self));
  if (self->job != NULL)
    {
      gtk_progress_bar_set_text (self->progress_bar, _("Making the disk image…"));
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      gtk_widget_show (GTK_WIDGET (self->progress_bar));
      g_signal_connect_object (self->job, "notify::progress", G_CALLBACK (on_progress), self, 0);
    }
}

static void
vireo_add_disk_dialog_response (GtkDialog *dialog,
                                int        response)
{
  VireoAddDiskDialog *self = VIREO_ADD_DISK_DIALOG (dialog);

  if (response == GTK_RESPONSE_OK)
    {
      if (self->cancellable == NULL)
        start (self);
      return;
    }
  /* Cancel while working stops the job; its end closes the dialog */
  if (self->cancellable != NULL)
    {
      gtk_widget_hide (GTK_WIDGET (self));
      g_cancellable_cancel (self->cancellable);
      return;
    }
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
vireo_add_disk_dialog_dispose (GObject *object)
{
  VireoAddDiskDialog *self = VIREO_ADD_DISK_DIALOG (object);

  self->disposed = TRUE;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->job);
  g_clear_object (&self->settings);
  g_clear_object (&self->domain);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (vireo_add_disk_dialog_parent_class)->dispose (object);
}

static void
vireo_add_disk_dialog_class_init (VireoAddDiskDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_add_disk_dialog_dispose;
  GTK_DIALOG_CLASS (klass)->response = vireo_add_disk_dialog_response;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-add-disk-dialog.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, VireoAddDiskDialog, name)
  CHILD (new_radio); CHILD (existing_radio); CHILD (cdrom_radio); CHILD (size_spin);
  CHILD (existing_entry); CHILD (existing_browse); CHILD (iso_entry); CHILD (iso_browse);
  CHILD (bus_combo); CHILD (note_label); CHILD (progress_bar); CHILD (error_label); CHILD (add_button);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_kind_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_browse);

  /* the new disk's target, once it is in the definition */
  signals[ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
vireo_add_disk_dialog_init (VireoAddDiskDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = vireo_ui_settings_new ();
}

GtkWidget *
vireo_add_disk_dialog_new (GtkWindow   *parent,
                           VireoLocalBackend *engine,
                           VireoDomain *domain)
{
  VireoAddDiskDialog *self = g_object_new (VIREO_TYPE_ADD_DISK_DIALOG, "transient-for", parent,
                                           "use-header-bar", TRUE, NULL);

  self->engine = g_object_ref (engine);
  self->domain = g_object_ref (domain);
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), vireo_domain_is_active (domain));
  fill_buses (self);
  update_sensitivity (self);
  return GTK_WIDGET (self);
}
