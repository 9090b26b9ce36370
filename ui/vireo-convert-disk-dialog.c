/* vireo-convert-disk-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Asks before a raw disk is converted to qcow2, then shows the copy's
 * progress; Cancel stops it (the engine removes the new image and keeps
 * the definition) and closes the dialog.  Deleting the raw image is
 * offered only where the engine's rule allows it (Vireo's own image that
 * no other VM uses).  The outcome goes out through ::done, for the view
 * to show where it shows its other results and errors.
 */
#include <glib/gi18n.h>

#include "vireo-application.h"
#include "vireo-convert-disk-dialog.h"

struct _VireoConvertDiskDialog
{
  GtkDialog parent_instance;

  /* template children */
  GtkLabel *heading_label;
  GtkToggleButton *remove_check;
  GtkProgressBar *progress_bar;
  GtkWidget *convert_button;

  /* owned */
  VireoLocalBackend *engine;
  VireoDomain *domain;
  char *target;
  GCancellable *job_cancellable; /* set while converting: Cancel stops it */
  VireoJob *job;
  gboolean disposed;             /* the children are gone: callbacks only end */
};

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VireoConvertDiskDialog, vireo_convert_disk_dialog, GTK_TYPE_DIALOG)

static void
on_converted (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(VireoConvertDiskDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  g_autofree char *path = vireo_disks_convert_finish (VIREO_LOCAL_BACKEND (source), result, &note, &error);

  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->job);
  if (path != NULL)
    {
      /* Translators: "Converted “vdb” to qcow2: /…/web-vdb.qcow2. Kept /…/raw.img" */
      g_autofree char *text = g_strdup_printf (_("Converted “%s” to qcow2: %s. %s"), self->target, path,
                                               note ? note : "");

      g_signal_emit (self, signals[DONE], 0, g_strstrip (text), FALSE);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[DONE], 0, error->message, TRUE);
  if (!self->disposed)
    gtk_widget_destroy (GTK_WIDGET (self));
}

static void
start (VireoConvertDiskDialog *self)
{
  self->job_cancellable = g_cancellable_new ();
  gtk_widget_set_sensitive (self->convert_button, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remove_check), FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Converting…"));
  gtk_widget_show (GTK_WIDGET (self->progress_bar));
  vireo_disks_convert_async (self->engine, self->domain, self->target,
                             gtk_toggle_button_get_active (self->remove_check), &self->job,
                             self->job_cancellable, on_converted, g_object_ref (self));
  vireo_ui_follow_job (self->progress_bar, self->job);
}

static void
vireo_convert_disk_dialog_response (GtkDialog *dialog,
                                    int        response)
{
  VireoConvertDiskDialog *self = VIREO_CONVERT_DISK_DIALOG (dialog);

  if (response == GTK_RESPONSE_OK)
    {
      if (self->job_cancellable == NULL)
        start (self);
      return;
    }
  /* Cancel while converting stops the copy; its end closes the dialog */
  if (self->job_cancellable != NULL)
    {
      gtk_widget_hide (GTK_WIDGET (self));
      g_cancellable_cancel (self->job_cancellable);
      return;
    }
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
vireo_convert_disk_dialog_dispose (GObject *object)
{
  VireoConvertDiskDialog *self = VIREO_CONVERT_DISK_DIALOG (object);

  self->disposed = TRUE;
  if (self->job_cancellable)
    g_cancellable_cancel (self->job_cancellable);
  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->job);
  g_clear_object (&self->domain);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (vireo_convert_disk_dialog_parent_class)->dispose (object);
}

static void
vireo_convert_disk_dialog_finalize (GObject *object)
{
  g_free (VIREO_CONVERT_DISK_DIALOG (object)->target);
  G_OBJECT_CLASS (vireo_convert_disk_dialog_parent_class)->finalize (object);
}

static void
vireo_convert_disk_dialog_class_init (VireoConvertDiskDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_convert_disk_dialog_dispose;
  G_OBJECT_CLASS (klass)->finalize = vireo_convert_disk_dialog_finalize;
  GTK_DIALOG_CLASS (klass)->response = vireo_convert_disk_dialog_response;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/vireo/Vireo/ui/vireo-convert-disk-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoConvertDiskDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, VireoConvertDiskDialog, remove_check);
  gtk_widget_class_bind_template_child (widget_class, VireoConvertDiskDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, VireoConvertDiskDialog, convert_button);

  /**
   * VireoConvertDiskDialog::done:
   * @message: what happened, one line: the new image and what became of
   *   the raw one, or why nothing was converted
   * @error: whether @message is an error
   *
   * Emitted once, unless the user cancelled.
   */
  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
vireo_convert_disk_dialog_init (VireoConvertDiskDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * vireo_convert_disk_dialog_new:
 * @target: a raw disk of @domain ("vdb")
 *
 * Returns: (transfer none): the dialog, not yet shown; it destroys itself
 */
GtkWidget *
vireo_convert_disk_dialog_new (GtkWindow   *parent,
                               VireoLocalBackend *engine,
                               VireoDomain *domain,
                               const char  *target)
{
  VireoConvertDiskDialog *self = g_object_new (VIREO_TYPE_CONVERT_DISK_DIALOG, "transient-for", parent,
                                               "use-header-bar", TRUE, NULL);
  const VireoDiskConfig *disk = vireo_domain_config_lookup_disk (vireo_domain_get_config (domain), target);
  /* Translators: the question of the Convert to qcow2 dialog */
  g_autofree char *heading = g_strdup_printf (_("Convert disk “%s” of “%s” to qcow2?"), target,
                                              vireo_domain_get_name (domain));

  self->engine = g_object_ref (engine);
  self->domain = g_object_ref (domain);
  self->target = g_strdup (target);
  gtk_label_set_text (self->heading_label, heading);
  /* the engine's rule: only Vireo's own image that no other VM uses */
  if (disk != NULL && vireo_local_backend_image_deletable (engine, domain, disk))
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->remove_check), disk->path);
      gtk_widget_show (GTK_WIDGET (self->remove_check));
    }
  return GTK_WIDGET (self);
}
