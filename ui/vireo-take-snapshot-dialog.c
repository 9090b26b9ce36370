/* vireo-take-snapshot-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Snapshots page and the Take Snapshot… menu items open this: the
 * name comes prefilled with the engine's suggestion (snapshot-1, …), the
 * snapshot is taken as a job with its progress here, and the dialog
 * closes when it is done, or stays open with the reason.
 */
#include <glib/gi18n.h>

#include "vireo-application.h"
#include "vireo-take-snapshot-dialog.h"

struct _VireoTakeSnapshotDialog
{
  GtkDialog parent_instance;

  /* template children */
  GtkEntry *name_entry;
  GtkEntry *description_entry;
  GtkLabel *note_label;
  GtkProgressBar *progress_bar;
  GtkLabel *error_label;
  GtkWidget *take_button;

  /* owned */
  VireoDomain *domain;
  GCancellable *cancellable;   /* the dialog's: dispose cancels it */
  VireoJob *job;               /* set while taking */
  gboolean disposed;           /* the children are gone: callbacks only end */
};

enum {
  TAKEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VireoTakeSnapshotDialog, vireo_take_snapshot_dialog, GTK_TYPE_DIALOG)

static void
suggest (VireoTakeSnapshotDialog *self,
         GPtrArray               *snapshots)
{
  g_autofree char *name = vireo_snapshot_suggest_name (snapshots);

  /* what the user typed meanwhile stays */
  if (*gtk_entry_get_text (self->name_entry) == '\0')
    {
      gtk_entry_set_text (self->name_entry, name);
      gtk_editable_select_region (GTK_EDITABLE (self->name_entry), 0, -1);
    }
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GPtrArray) snapshots = vireo_domain_list_snapshots_finish (VIREO_DOMAIN (source), result, NULL, NULL);
  g_autoptr(VireoTakeSnapshotDialog) self = user_data;

  /* no list (a failure shows when taking): the engine suggests then */
  if (snapshots != NULL && !self->disposed)
    suggest (self, snapshots);
}

static void
set_working (VireoTakeSnapshotDialog *self,
             gboolean                 working)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_entry), !working);
  gtk_widget_set_sensitive (GTK_WIDGET (self->description_entry), !working);
  gtk_widget_set_sensitive (self->take_button, !working);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), working);
}

static void
on_taken (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(VireoTakeSnapshotDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = vireo_domain_take_snapshot_finish (VIREO_DOMAIN (source), result, &error);

  g_clear_object (&self->job);
  if (name != NULL)
    g_signal_emit (self, signals[TAKEN], 0, name);
  if (self->disposed)
    return;
  if (name != NULL)
    {
      gtk_widget_destroy (GTK_WIDGET (self));
      return;
    }
  set_working (self, FALSE);
  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_show (GTK_WIDGET (self->error_label));
}

static void
take (VireoTakeSnapshotDialog *self)
{
  const char *name = gtk_entry_get_text (self->name_entry);

  gtk_widget_hide (GTK_WIDGET (self->error_label));
  set_working (self, TRUE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Taking the snapshot…"));
  /* an empty name: the engine's suggestion */
  vireo_domain_take_snapshot_async (self->domain, *name ? name : NULL,
                                    gtk_entry_get_text (self->description_entry),
                                    &self->job, NULL, on_taken, g_object_ref (self));
  vireo_ui_follow_job (self->progress_bar, self->job);
}

static void
vireo_take_snapshot_dialog_response (GtkDialog *dialog,
                                     int        response)
{
  VireoTakeSnapshotDialog *self = VIREO_TAKE_SNAPSHOT_DIALOG (dialog);

  if (response == GTK_RESPONSE_OK)
    {
      if (self->job == NULL)
        take (self);
      return;
    }
  /* a snapshot under way is not cancelled (it takes moments, and its
   * callback holds the dialog): closing only stops the waiting */
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
vireo_take_snapshot_dialog_dispose (GObject *object)
{
  VireoTakeSnapshotDialog *self = VIREO_TAKE_SNAPSHOT_DIALOG (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->job);
  g_clear_object (&self->domain);
  G_OBJECT_CLASS (vireo_take_snapshot_dialog_parent_class)->dispose (object);
}

static void
vireo_take_snapshot_dialog_class_init (VireoTakeSnapshotDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_take_snapshot_dialog_dispose;
  GTK_DIALOG_CLASS (klass)->response = vireo_take_snapshot_dialog_response;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-take-snapshot-dialog.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, VireoTakeSnapshotDialog, name)
  CHILD (name_entry); CHILD (description_entry); CHILD (note_label);
  CHILD (progress_bar); CHILD (error_label); CHILD (take_button);
#undef CHILD

  /**
   * VireoTakeSnapshotDialog::taken:
   * @name: the new snapshot's name
   */
  signals[TAKEN] = g_signal_new ("taken", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
vireo_take_snapshot_dialog_init (VireoTakeSnapshotDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * vireo_take_snapshot_dialog_new:
 * @snapshots: (nullable) (element-type VireoSnapshot): @domain's
 *   snapshots, for the suggested name; %NULL: the dialog lists them
 *
 * Returns: (transfer none): the dialog, not yet shown; it destroys itself
 */
GtkWidget *
vireo_take_snapshot_dialog_new (GtkWindow   *parent,
                                VireoDomain *domain,
                                GPtrArray   *snapshots)
{
  VireoTakeSnapshotDialog *self = g_object_new (VIREO_TYPE_TAKE_SNAPSHOT_DIALOG, "transient-for", parent,
                                                "use-header-bar", TRUE, NULL);
  g_autofree char *title = g_strdup_printf (_("Take a Snapshot of “%s”"), vireo_domain_get_name (domain));

  self->domain = g_object_ref (domain);
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_label_set_text (self->note_label, vireo_domain_is_active (domain)
                      ? _("The VM's memory is saved too: a revert resumes it where it is now.")
                      : _("The disks are saved as they are now."));
  if (snapshots != NULL)
    suggest (self, snapshots);
  else
    vireo_domain_list_snapshots_async (domain, self->cancellable, on_listed, g_object_ref (self));
  return GTK_WIDGET (self);
}
