/* vireo-clone-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The name comes prefilled with the engine's suggestion (NAME-clone, …);
 * a full clone copies the disks of the current state or of a snapshot, a
 * linked one shares them as they are now.  The clone runs as a job with
 * its progress here; Cancel stops it (the engine removes what it made)
 * and closes the dialog.  The new VM shows in the manager's list by
 * itself; a failure stays here, with the reason.
 */
#include <glib/gi18n.h>

#include "vireo-application.h"
#include "vireo-clone-dialog.h"

struct _VireoCloneDialog
{
  GtkDialog parent_instance;

  /* template children */
  GtkEntry *name_entry;
  GtkComboBoxText *from_combo;
  GtkToggleButton *full_radio;
  GtkToggleButton *linked_radio;
  GtkLabel *linked_note;
  GtkProgressBar *progress_bar;
  GtkLabel *error_label;
  GtkWidget *clone_button;

  /* owned */
  VireoDomain *source;
  GCancellable *cancellable;   /* the dialog's: dispose cancels it */
  GCancellable *job_cancellable; /* set while cloning: Cancel stops the clone */
  VireoJob *job;
  gboolean disposed;           /* the children are gone: callbacks only end */
};

enum {
  CLONED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VireoCloneDialog, vireo_clone_dialog, GTK_TYPE_DIALOG)

/* The snapshot chosen under From, or NULL for the current state. */
static const char *
chosen_snapshot (VireoCloneDialog *self)
{
  const char *id = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->from_combo));

  return id && *id ? id : NULL;
}

/* A linked clone shares the disks as they are now: not possible from a
 * snapshot, so choosing one makes the clone a full one. */
static void
on_choice_changed (VireoCloneDialog *self)
{
  gboolean from_snapshot = chosen_snapshot (self) != NULL;
  gboolean working = self->job_cancellable != NULL;

  g_autoptr(GError) no_linked = NULL;
  g_autoptr(GError) no_snapshot = NULL;
  /* what the source's host cannot make is off, with the engine's reason */
  gboolean linked_ok = vireo_domain_check (self->source, VIREO_DOMAIN_OP_CLONE_LINKED, &no_linked) ||
                       !g_error_matches (no_linked, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED);
  gboolean snapshot_ok = vireo_domain_check (self->source, VIREO_DOMAIN_OP_CLONE_SNAPSHOT, &no_snapshot) ||
                         !g_error_matches (no_snapshot, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED);

  if ((from_snapshot || !linked_ok) && gtk_toggle_button_get_active (self->linked_radio))
    gtk_toggle_button_set_active (self->full_radio, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->linked_radio), linked_ok && !from_snapshot && !working);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->linked_radio), linked_ok ? NULL : no_linked->message);
  gtk_widget_set_sensitive (GTK_WIDGET (self->full_radio), !working);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_entry), !working);
  gtk_widget_set_sensitive (GTK_WIDGET (self->from_combo), snapshot_ok && !working);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->from_combo), snapshot_ok ? NULL : no_snapshot->message);
  gtk_widget_set_sensitive (self->clone_button, !working);
  gtk_label_set_text (self->linked_note, !linked_ok ? no_linked->message : from_snapshot
                      ? _("A linked clone starts from the current state, not from a snapshot.")
                      : _("A linked clone shares the disks as they are now, and needs no copying."));
}

static void
fill_snapshots (VireoCloneDialog *self,
                GPtrArray        *snapshots,
                const char       *chosen)
{
  gtk_combo_box_text_remove_all (self->from_combo);
  gtk_combo_box_text_append (self->from_combo, "", _("The current state"));
  for (guint i = 0; snapshots != NULL && i < snapshots->len; i++)
    {
      const char *name = vireo_snapshot_get_name (g_ptr_array_index (snapshots, i));
      /* Translators: a choice under "From" in the Clone dialog */
      g_autofree char *label = g_strdup_printf (_("Snapshot “%s”"), name);

      gtk_combo_box_text_append (self->from_combo, name, label);
    }
  if (chosen == NULL || !gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->from_combo), chosen))
    gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->from_combo), "");
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GPtrArray) snapshots = vireo_domain_list_snapshots_finish (VIREO_DOMAIN (source), result, NULL, NULL);
  g_autoptr(VireoCloneDialog) self = user_data;

  /* no list: only the current state, which the combo already offers */
  if (snapshots != NULL && !self->disposed)
    {
      g_autofree char *chosen = g_strdup (chosen_snapshot (self));
      fill_snapshots (self, snapshots, chosen);
    }
}

static void
on_cloned (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VireoCloneDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) clone = vireo_domain_clone_finish (VIREO_DOMAIN (source), result, &error);

  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->job);
  if (clone != NULL)
    g_signal_emit (self, signals[CLONED], 0, clone);
  if (self->disposed)
    return;
  if (clone != NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gtk_widget_destroy (GTK_WIDGET (self));
      return;
    }
  gtk_widget_hide (GTK_WIDGET (self->progress_bar));
  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_show (GTK_WIDGET (self->error_label));
  on_choice_changed (self);
}

static void
start (VireoCloneDialog *self)
{
  g_autoptr(VireoCloneOptions) options = vireo_clone_options_new ();
  const char *name = gtk_entry_get_text (self->name_entry);

  options->name = *name ? g_strdup (name) : NULL;
  options->linked = gtk_toggle_button_get_active (self->linked_radio);
  options->from_snapshot = g_strdup (chosen_snapshot (self));
  gtk_widget_hide (GTK_WIDGET (self->error_label));
  self->job_cancellable = g_cancellable_new ();
  on_choice_changed (self);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Cloning…"));
  gtk_widget_show (GTK_WIDGET (self->progress_bar));
  vireo_domain_clone_async (self->source, options, &self->job, self->job_cancellable,
                            on_cloned, g_object_ref (self));
  vireo_ui_follow_job (self->progress_bar, self->job);
}

static void
vireo_clone_dialog_response (GtkDialog *dialog,
                             int        response)
{
  VireoCloneDialog *self = VIREO_CLONE_DIALOG (dialog);

  if (response == GTK_RESPONSE_OK)
    {
      if (self->job_cancellable == NULL)
        start (self);
      return;
    }
  /* Cancel while cloning stops the clone; its end closes the dialog */
  if (self->job_cancellable != NULL)
    {
      gtk_widget_hide (GTK_WIDGET (self));
      g_cancellable_cancel (self->job_cancellable);
      return;
    }
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
vireo_clone_dialog_dispose (GObject *object)
{
  VireoCloneDialog *self = VIREO_CLONE_DIALOG (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->job_cancellable)
    g_cancellable_cancel (self->job_cancellable);
  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->job);
  g_clear_object (&self->source);
  G_OBJECT_CLASS (vireo_clone_dialog_parent_class)->dispose (object);
}

static void
vireo_clone_dialog_class_init (VireoCloneDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_clone_dialog_dispose;
  GTK_DIALOG_CLASS (klass)->response = vireo_clone_dialog_response;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-clone-dialog.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, VireoCloneDialog, name)
  CHILD (name_entry); CHILD (from_combo); CHILD (full_radio); CHILD (linked_radio); CHILD (linked_note);
  CHILD (progress_bar); CHILD (error_label); CHILD (clone_button);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_choice_changed);

  /**
   * VireoCloneDialog::cloned:
   * @clone: the new VM
   */
  signals[CLONED] = g_signal_new ("cloned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, VIREO_TYPE_DOMAIN);
}

static void
vireo_clone_dialog_init (VireoCloneDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * vireo_clone_dialog_new:
 * @snapshots: (nullable) (element-type VireoSnapshot): @source's
 *   snapshots, for the From choice; %NULL: the dialog lists them
 * @from_snapshot: (nullable): the snapshot chosen at first; %NULL: the
 *   current state
 *
 * Returns: (transfer none): the dialog, not yet shown; it destroys itself
 */
GtkWidget *
vireo_clone_dialog_new (GtkWindow   *parent,
                        VireoDomain *source,
                        GPtrArray   *snapshots,
                        const char  *from_snapshot)
{
  VireoCloneDialog *self = g_object_new (VIREO_TYPE_CLONE_DIALOG, "transient-for", parent,
                                         "use-header-bar", TRUE, NULL);
  g_autofree char *title = g_strdup_printf (_("Clone “%s”"), vireo_domain_get_name (source));
  g_autofree char *name = vireo_clone_suggest_name (vireo_domain_get_backend (source), vireo_domain_get_name (source));

  self->source = g_object_ref (source);
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_entry_set_text (self->name_entry, name);
  fill_snapshots (self, snapshots, from_snapshot);
  if (snapshots == NULL)
    vireo_domain_list_snapshots_async (source, self->cancellable, on_listed, g_object_ref (self));
  on_choice_changed (self);
  return GTK_WIDGET (self);
}
