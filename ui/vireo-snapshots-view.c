/* vireo-snapshots-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Snapshots page of a VM's window: the snapshot tree as the engine
 * lists it (parents before children), with a "current state" row under
 * the current snapshot as VirtualBox shows it.  Take, Revert and Delete
 * run as the engine's jobs, with their progress here and the buttons
 * insensitive meanwhile; failures go out as ::failed, for the window's
 * error bar.  The list is read again when the page shows, after every
 * operation, and when the VM's state changes.
 */
#include <glib/gi18n.h>

#include "vireo-application.h"
#include "vireo-clone-dialog.h"
#include "vireo-snapshots-view.h"
#include "vireo-take-snapshot-dialog.h"

#define THUMBNAIL_WIDTH 64

/* the revert dialog's "Take Snapshot and Revert" */
#define RESPONSE_TAKE_FIRST 1

struct _VireoSnapshotsView
{
  GtkBox parent_instance;

  /* template children */
  GtkTreeView *tree_view;
  GtkTreeStore *store;
  GtkProgressBar *progress_bar;
  GtkWidget *take_button;
  GtkWidget *revert_button;
  GtkWidget *delete_button;
  GtkWidget *clone_button;
  GtkLabel *usage_label;
  GtkTreeViewColumn *name_column;
  GtkCellRenderer *thumbnail_renderer;

  /* owned */
  VireoLocalBackend *engine;
  VireoDomain *domain;
  GCancellable *cancellable;      /* the view's: dispose cancels it */
  GCancellable *load_cancellable; /* the list being read, if any */
  GCancellable *thumbnail_cancellable; /* the thumbnails of the rows shown */
  GPtrArray *snapshots;           /* the last list read, tree order */
  VireoJob *job;                  /* the operation under way, if any */
  gboolean busy;
  char *revert_after_take;        /* "Take Snapshot and Revert": where to */
  gboolean disposed;              /* the children are gone: callbacks only end */
};

enum {
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VireoSnapshotsView, vireo_snapshots_view, GTK_TYPE_BOX)

static void
fail (VireoSnapshotsView *self,
      const GError       *error)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[FAILED], 0, error);
}

/* The snapshot of the selected row; NULL for none or the current state. */
static VireoSnapshot *
selected_snapshot (VireoSnapshotsView *self)
{
  GtkTreeModel *model;
  GtkTreeIter iter;
  VireoSnapshot *snapshot = NULL;

  if (!gtk_tree_selection_get_selected (gtk_tree_view_get_selection (self->tree_view), &model, &iter))
    return NULL;
  gtk_tree_model_get (model, &iter, VIREO_SNAPSHOTS_COLUMN_SNAPSHOT, &snapshot, -1);
  if (snapshot != NULL)
    g_object_unref (snapshot);   /* the store keeps it */
  return snapshot;
}

static void
update_buttons (VireoSnapshotsView *self)
{
  gboolean idle = !self->busy;
  gboolean chosen;

  if (self->disposed || self->domain == NULL)
    return;
  chosen = selected_snapshot (self) != NULL;

  gtk_widget_set_sensitive (self->take_button, idle && vireo_domain_can (self->domain, VIREO_DOMAIN_OP_SNAPSHOT));
  gtk_widget_set_sensitive (self->revert_button, idle && chosen &&
                            vireo_domain_can (self->domain, VIREO_DOMAIN_OP_REVERT));
  gtk_widget_set_sensitive (self->delete_button, idle && chosen &&
                            vireo_domain_can (self->domain, VIREO_DOMAIN_OP_REVERT));
  /* a clone of the chosen snapshot */
  gtk_widget_set_sensitive (self->clone_button, idle && chosen &&
                            vireo_domain_can (self->domain, VIREO_DOMAIN_OP_CLONE_SNAPSHOT));
}

static void
on_selection_changed (VireoSnapshotsView *self)
{
  update_buttons (self);
}

typedef struct {
  VireoSnapshotsView *self;
  GtkTreeRowReference *row;
} ThumbnailLoad;

static void
on_thumbnail_loaded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ThumbnailLoad *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_stream_finish (result, &error);
  g_autoptr(GtkTreePath) path = NULL;
  GtkTreeIter iter;

  if (pixbuf == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("unreadable snapshot thumbnail: %s", error->message);
  if (pixbuf != NULL && (path = gtk_tree_row_reference_get_path (load->row)) != NULL &&
      gtk_tree_model_get_iter (GTK_TREE_MODEL (load->self->store), &iter, path))
    gtk_tree_store_set (load->self->store, &iter,
                        VIREO_SNAPSHOTS_COLUMN_THUMBNAIL, pixbuf,
                        VIREO_SNAPSHOTS_COLUMN_ICON, NULL, -1);
  gtk_tree_row_reference_free (load->row);
  g_object_unref (load->self);
  g_free (load);
}

/* Decodes the PNG, scaled to THUMBNAIL_WIDTH, on a worker thread: a
 * screen's PNG takes milliseconds, a crafted one longer, and a list has
 * many.  The row shows a camera icon until it is there. */
static void
load_thumbnail (VireoSnapshotsView *self,
                VireoSnapshot      *snapshot,
                GtkTreeIter        *iter)
{
  GBytes *png = vireo_snapshot_get_thumbnail (snapshot);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GtkTreePath) path = NULL;
  ThumbnailLoad *load;

  if (png == NULL)
    return;
  stream = g_memory_input_stream_new_from_bytes (png);
  path = gtk_tree_model_get_path (GTK_TREE_MODEL (self->store), iter);
  load = g_new0 (ThumbnailLoad, 1);
  load->self = g_object_ref (self);
  load->row = gtk_tree_row_reference_new (GTK_TREE_MODEL (self->store), path);
  gdk_pixbuf_new_from_stream_at_scale_async (stream, THUMBNAIL_WIDTH, -1, TRUE, self->thumbnail_cancellable,
                                             on_thumbnail_loaded, load);
}

/* The thumbnail, or the row's icon when there is none (a cell renderer
 * told both through attributes shows whichever it was told last). */
static void
show_thumbnail (GtkTreeViewColumn *column,
                GtkCellRenderer   *renderer,
                GtkTreeModel      *model,
                GtkTreeIter       *iter,
                gpointer           user_data)
{
  g_autoptr(GdkPixbuf) thumbnail = NULL;
  g_autofree char *icon = NULL;

  gtk_tree_model_get (model, iter, VIREO_SNAPSHOTS_COLUMN_THUMBNAIL, &thumbnail,
                      VIREO_SNAPSHOTS_COLUMN_ICON, &icon, -1);
  if (thumbnail != NULL)
    g_object_set (renderer, "pixbuf", thumbnail, NULL);
  else
    g_object_set (renderer, "icon-name", icon, NULL);
}

static char *
format_time (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (seconds);

  /* Translators: when a snapshot was taken, in g_date_time_format() syntax */
  return time ? g_date_time_format (time, _("%b %-d %Y, %H:%M")) : g_strdup ("");
}

static void
add_snapshot (VireoSnapshotsView *self,
              VireoSnapshot      *snapshot,
              GtkTreeIter        *parent,
              GtkTreeIter        *iter)
{
  g_autofree char *time = format_time (vireo_snapshot_get_creation_time (snapshot));

  gtk_tree_store_insert_with_values (self->store, iter, parent, -1,
                                     VIREO_SNAPSHOTS_COLUMN_ICON, "camera-photo-symbolic",
                                     VIREO_SNAPSHOTS_COLUMN_NAME, vireo_snapshot_get_name (snapshot),
                                     VIREO_SNAPSHOTS_COLUMN_TIME, time,
                                     VIREO_SNAPSHOTS_COLUMN_STATE,
                                     vireo_snapshot_state_get_label (vireo_snapshot_get_state (snapshot)),
                                     VIREO_SNAPSHOTS_COLUMN_DESCRIPTION, vireo_snapshot_get_description (snapshot),
                                     VIREO_SNAPSHOTS_COLUMN_SNAPSHOT, snapshot,
                                     VIREO_SNAPSHOTS_COLUMN_STYLE, PANGO_STYLE_NORMAL,
                                     VIREO_SNAPSHOTS_COLUMN_EDITABLE, TRUE,
                                     -1);
  load_thumbnail (self, snapshot, iter);
}

/* Fills the tree from self->snapshots; the "current state" row goes
 * under the current snapshot (at the top level when there is none). */
static void
fill_tree (VireoSnapshotsView *self,
           const char         *select)
{
  g_autoptr(GHashTable) iters = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  GtkTreeIter *current = NULL, now;

  /* thumbnails of the rows cleared now are not wanted any more */
  g_cancellable_cancel (self->thumbnail_cancellable);
  g_clear_object (&self->thumbnail_cancellable);
  self->thumbnail_cancellable = g_cancellable_new ();
  gtk_tree_store_clear (self->store);
  for (guint i = 0; i < self->snapshots->len; i++)
    {
      VireoSnapshot *snapshot = g_ptr_array_index (self->snapshots, i);
      const char *parent = vireo_snapshot_get_parent (snapshot);
      GtkTreeIter *iter = g_new (GtkTreeIter, 1);

      add_snapshot (self, snapshot, parent ? g_hash_table_lookup (iters, parent) : NULL, iter);
      g_hash_table_insert (iters, (gpointer) vireo_snapshot_get_name (snapshot), iter);
      if (vireo_snapshot_is_current (snapshot))
        current = iter;
    }
  gtk_tree_store_insert_with_values (self->store, &now, current, -1,
                                     VIREO_SNAPSHOTS_COLUMN_ICON, "video-display-symbolic",
                                     VIREO_SNAPSHOTS_COLUMN_NAME, _("Current state"),
                                     /* Translators: the time column of the "Current state" row */
                                     VIREO_SNAPSHOTS_COLUMN_TIME, _("Now"),
                                     VIREO_SNAPSHOTS_COLUMN_STATE,
                                     vireo_domain_state_get_label (vireo_domain_get_state (self->domain)),
                                     VIREO_SNAPSHOTS_COLUMN_STYLE, PANGO_STYLE_ITALIC,
                                     VIREO_SNAPSHOTS_COLUMN_EDITABLE, FALSE,
                                     -1);
  gtk_tree_view_expand_all (self->tree_view);
  if (select != NULL && g_hash_table_contains (iters, select))
    gtk_tree_selection_select_iter (gtk_tree_view_get_selection (self->tree_view),
                                    g_hash_table_lookup (iters, select));
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VireoSnapshotsView) self = user_data;
  g_autoptr(GError) error = NULL;
  guint64 usage = 0;
  g_autoptr(GPtrArray) snapshots = vireo_domain_list_snapshots_finish (VIREO_DOMAIN (source), result,
                                                                       &usage, &error);
  g_autofree char *selected = NULL;
  g_autofree char *size = NULL;
  g_autofree char *text = NULL;

  if (self->disposed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->load_cancellable);
  if (snapshots == NULL)
    {
      fail (self, error);
      return;
    }
  if (selected_snapshot (self) != NULL)
    selected = g_strdup (vireo_snapshot_get_name (selected_snapshot (self)));
  g_clear_pointer (&self->snapshots, g_ptr_array_unref);
  self->snapshots = g_steal_pointer (&snapshots);
  fill_tree (self, selected);
  size = g_format_size (usage);
  /* Translators: %s is a size, as "1.2 GB" */
  text = g_strdup_printf (_("Disk images use %s"), size);
  gtk_label_set_text (self->usage_label, text);
  update_buttons (self);
}

/**
 * vireo_snapshots_view_reload:
 * Reads the VM's snapshots again, on the worker pool; a read under way
 * gives way.  Nothing is read while an operation runs: its end reloads.
 */
void
vireo_snapshots_view_reload (VireoSnapshotsView *self)
{
  g_return_if_fail (VIREO_IS_SNAPSHOTS_VIEW (self));

  update_buttons (self);
  if (self->busy)
    return;
  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  vireo_domain_list_snapshots_async (self->domain, self->load_cancellable, on_listed, g_object_ref (self));
}

/* An operation starts: @job (set by the engine's _async) shows its
 * progress; the buttons wait. */
static void
begin_job (VireoSnapshotsView *self,
           const char         *what)
{
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, what);
  gtk_widget_show (GTK_WIDGET (self->progress_bar));
  vireo_ui_follow_job (self->progress_bar, self->job);
}

static void
end_job (VireoSnapshotsView *self,
         const GError       *error)
{
  self->busy = FALSE;
  g_clear_object (&self->job);
  g_clear_pointer (&self->revert_after_take, g_free);
  if (self->disposed)
    return;
  gtk_widget_hide (GTK_WIDGET (self->progress_bar));
  if (error != NULL)
    fail (self, error);
  vireo_snapshots_view_reload (self);
}

static void
on_reverted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VireoSnapshotsView) self = user_data;
  g_autoptr(GError) error = NULL;

  vireo_domain_revert_snapshot_finish (VIREO_DOMAIN (source), result, &error);
  end_job (self, error);
}

/* Operations are not cancelled with the window: a revert or a delete
 * half way is worse than one finished; the callbacks hold the view. */
static void
revert (VireoSnapshotsView *self,
        const char         *name)
{
  g_autofree char *what = g_strdup_printf (_("Reverting to “%s”…"), name);

  self->busy = TRUE;
  update_buttons (self);
  g_clear_object (&self->job);
  vireo_domain_revert_snapshot_async (self->domain, name, &self->job, NULL, on_reverted, g_object_ref (self));
  begin_job (self, what);
}

static void
revert_after_take (VireoSnapshotsView *view)
{
  g_autoptr(VireoSnapshotsView) self = view;
  g_autofree char *target = g_steal_pointer (&self->revert_after_take);

  if (self->disposed)
    end_job (self, NULL);
  else
    revert (self, target);
}

static void
on_taken_before_revert (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(VireoSnapshotsView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *taken = vireo_domain_take_snapshot_finish (VIREO_DOMAIN (source), result, &error);

  if (taken == NULL || self->disposed)
    {
      end_job (self, error);
      return;
    }
  /* the engine let go of the VM when the take ended: the revert starts now */
  g_clear_object (&self->job);
  revert_after_take (g_steal_pointer (&self));
}

static void
take_then_revert (VireoSnapshotsView *self,
                  const char         *name)
{
  /* Translators: the description of the snapshot taken before a revert */
  g_autofree char *description = g_strdup_printf (_("The state before the revert to “%s”"), name);

  self->busy = TRUE;
  update_buttons (self);
  self->revert_after_take = g_strdup (name);
  /* a NULL name: the engine's suggestion */
  vireo_domain_take_snapshot_async (self->domain, NULL, description, &self->job, NULL,
                                    on_taken_before_revert, g_object_ref (self));
  begin_job (self, _("Taking a snapshot of the current state…"));
}

static void
on_revert_response (GtkDialog          *dialog,
                    int                 response,
                    VireoSnapshotsView *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "snapshot");

  if (response == GTK_RESPONSE_ACCEPT && !self->busy)
    revert (self, name);
  else if (response == RESPONSE_TAKE_FIRST && !self->busy)
    take_then_revert (self, name);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static GtkWidget *
ask (VireoSnapshotsView *self,
     const char         *primary,
     const char         *secondary)
{
  GtkWidget *dialog = gtk_message_dialog_new (GTK_WINDOW (gtk_widget_get_toplevel (GTK_WIDGET (self))),
                                              GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE, "%s", primary);

  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", secondary);
  return dialog;
}

static void
mark_destructive (GtkWidget *dialog,
                  int        response)
{
  gtk_style_context_add_class (gtk_widget_get_style_context (
      gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog), response)),
      GTK_STYLE_CLASS_DESTRUCTIVE_ACTION);
}

/* Revert asks first: what is not in a snapshot is lost, and a snapshot of
 * the VM shut off forces the running VM off. */
static void
on_revert_clicked (VireoSnapshotsView *self)
{
  VireoSnapshot *snapshot = selected_snapshot (self);
  g_autofree char *primary = NULL;
  GtkWidget *dialog;

  if (snapshot == NULL || self->busy)
    return;
  primary = g_strdup_printf (_("Revert “%s” to snapshot “%s”?"), vireo_domain_get_name (self->domain),
                             vireo_snapshot_get_name (snapshot));
  dialog = ask (self, primary, vireo_snapshot_revert_stops_vm (snapshot, self->domain)
                ? _("The running VM will be forced off, and its current state is lost unless you take a "
                    "snapshot of it first.")
                : _("The VM's current state is lost unless you take a snapshot of it first."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Take Snapshot and Revert"), RESPONSE_TAKE_FIRST,
                          _("_Revert"), GTK_RESPONSE_ACCEPT, NULL);
  mark_destructive (dialog, GTK_RESPONSE_ACCEPT);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), RESPONSE_TAKE_FIRST);
  g_object_set_data_full (G_OBJECT (dialog), "snapshot", g_strdup (vireo_snapshot_get_name (snapshot)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_revert_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VireoSnapshotsView) self = user_data;
  g_autoptr(GError) error = NULL;

  vireo_domain_delete_snapshot_finish (VIREO_DOMAIN (source), result, &error);
  end_job (self, error);
}

static void
on_delete_response (GtkDialog          *dialog,
                    int                 response,
                    VireoSnapshotsView *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "snapshot");

  if (response == GTK_RESPONSE_ACCEPT && !self->busy)
    {
      g_autofree char *what = g_strdup_printf (_("Deleting “%s”…"), name);

      self->busy = TRUE;
      update_buttons (self);
      g_clear_object (&self->job);
      vireo_domain_delete_snapshot_async (self->domain, name, &self->job, NULL, on_deleted, g_object_ref (self));
      begin_job (self, what);
    }
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
on_delete_clicked (VireoSnapshotsView *self)
{
  VireoSnapshot *snapshot = selected_snapshot (self);
  g_autofree char *primary = NULL;
  GtkWidget *dialog;

  if (snapshot == NULL || self->busy)
    return;
  primary = g_strdup_printf (_("Delete snapshot “%s” of “%s”?"), vireo_snapshot_get_name (snapshot),
                             vireo_domain_get_name (self->domain));
  dialog = ask (self, primary, _("The VM stays as it is now; the snapshot's children, if any, move up "
                                 "to its parent."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Delete"), GTK_RESPONSE_ACCEPT, NULL);
  mark_destructive (dialog, GTK_RESPONSE_ACCEPT);
  g_object_set_data_full (G_OBJECT (dialog), "snapshot", g_strdup (vireo_snapshot_get_name (snapshot)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_edited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VireoSnapshotsView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->disposed)
    return;
  if (!vireo_domain_edit_snapshot_finish (VIREO_DOMAIN (source), result, &error))
    fail (self, error);
  vireo_snapshots_view_reload (self);
}

/* A description edited in place is saved at once; the tree shows the new
 * text meanwhile, and the saved one after the reload. */
static void
on_description_edited (GtkCellRendererText *renderer,
                       const char          *path,
                       const char          *text,
                       VireoSnapshotsView  *self)
{
  g_autoptr(VireoSnapshot) snapshot = NULL;
  GtkTreeIter iter;

  if (!gtk_tree_model_get_iter_from_string (GTK_TREE_MODEL (self->store), &iter, path))
    return;
  gtk_tree_model_get (GTK_TREE_MODEL (self->store), &iter, VIREO_SNAPSHOTS_COLUMN_SNAPSHOT, &snapshot, -1);
  if (snapshot == NULL || g_strcmp0 (text, vireo_snapshot_get_description (snapshot)) == 0)
    return;
  gtk_tree_store_set (self->store, &iter, VIREO_SNAPSHOTS_COLUMN_DESCRIPTION, text, -1);
  vireo_domain_edit_snapshot_async (self->domain, vireo_snapshot_get_name (snapshot), text,
                                    self->cancellable, on_edited, g_object_ref (self));
}

static void
on_taken (VireoTakeSnapshotDialog *dialog,
          const char              *name,
          VireoSnapshotsView      *self)
{
  vireo_snapshots_view_reload (self);
}

/**
 * vireo_snapshots_view_take:
 * Opens the Take Snapshot dialog, with the next suggested name; the tree
 * reloads when the snapshot is taken.
 *
 * Returns: (transfer none): the dialog
 */
GtkWidget *
vireo_snapshots_view_take (VireoSnapshotsView *self)
{
  GtkWidget *dialog = vireo_take_snapshot_dialog_new (GTK_WINDOW (gtk_widget_get_toplevel (GTK_WIDGET (self))),
                                                      self->domain, self->snapshots);

  g_signal_connect_object (dialog, "taken", G_CALLBACK (on_taken), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
on_take_clicked (VireoSnapshotsView *self)
{
  vireo_snapshots_view_take (self);
}

/**
 * vireo_snapshots_view_clone:
 * Opens the Clone dialog, from the selected snapshot.
 *
 * Returns: (transfer none) (nullable): the dialog
 */
GtkWidget *
vireo_snapshots_view_clone (VireoSnapshotsView *self)
{
  VireoSnapshot *snapshot = selected_snapshot (self);
  GtkWidget *dialog;

  if (snapshot == NULL)
    return NULL;
  dialog = vireo_clone_dialog_new (GTK_WINDOW (gtk_widget_get_toplevel (GTK_WIDGET (self))),
                                   self->domain, self->snapshots, vireo_snapshot_get_name (snapshot));
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
on_clone_clicked (VireoSnapshotsView *self)
{
  vireo_snapshots_view_clone (self);
}

static void
on_state (VireoDomain        *domain,
          GParamSpec         *pspec,
          VireoSnapshotsView *self)
{
  vireo_snapshots_view_reload (self);
}

gboolean
vireo_snapshots_view_is_busy (VireoSnapshotsView *self)
{
  return self->busy;
}

/**
 * vireo_snapshots_view_is_loaded:
 * Returns: whether the tree shows a list read after the last change
 */
gboolean
vireo_snapshots_view_is_loaded (VireoSnapshotsView *self)
{
  return !self->busy && self->load_cancellable == NULL && self->snapshots != NULL;
}

static void
vireo_snapshots_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (vireo_snapshots_view_parent_class)->map (widget);
  vireo_snapshots_view_reload (VIREO_SNAPSHOTS_VIEW (widget));
}

static void
vireo_snapshots_view_dispose (GObject *object)
{
  VireoSnapshotsView *self = VIREO_SNAPSHOTS_VIEW (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->thumbnail_cancellable)
    g_cancellable_cancel (self->thumbnail_cancellable);
  g_clear_object (&self->thumbnail_cancellable);
  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->job);
  g_clear_pointer (&self->snapshots, g_ptr_array_unref);
  g_clear_object (&self->domain);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (vireo_snapshots_view_parent_class)->dispose (object);
}

static void
vireo_snapshots_view_finalize (GObject *object)
{
  g_free (VIREO_SNAPSHOTS_VIEW (object)->revert_after_take);
  G_OBJECT_CLASS (vireo_snapshots_view_parent_class)->finalize (object);
}

static void
vireo_snapshots_view_class_init (VireoSnapshotsViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_snapshots_view_dispose;
  G_OBJECT_CLASS (klass)->finalize = vireo_snapshots_view_finalize;
  widget_class->map = vireo_snapshots_view_map;
  /* the store's column types, for the builder */
  g_type_ensure (GDK_TYPE_PIXBUF);
  g_type_ensure (PANGO_TYPE_STYLE);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-snapshots-view.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, VireoSnapshotsView, name)
  CHILD (tree_view); CHILD (store); CHILD (progress_bar); CHILD (take_button); CHILD (revert_button);
  CHILD (delete_button); CHILD (clone_button); CHILD (usage_label); CHILD (name_column);
  CHILD (thumbnail_renderer);
#undef CHILD
  /* reached by name only, by the tests */
  gtk_widget_class_bind_template_child_full (widget_class, "description_renderer", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_description_edited);
  gtk_widget_class_bind_template_callback (widget_class, on_take_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_revert_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_delete_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_clone_clicked);

  /**
   * VireoSnapshotsView::failed:
   * @error: why an operation failed, one line that names the VM
   */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
vireo_snapshots_view_init (VireoSnapshotsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_tree_view_column_set_cell_data_func (self->name_column, self->thumbnail_renderer,
                                           show_thumbnail, NULL, NULL);
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
vireo_snapshots_view_new (VireoLocalBackend *engine,
                          VireoDomain       *domain)
{
  VireoSnapshotsView *self = g_object_new (VIREO_TYPE_SNAPSHOTS_VIEW, NULL);

  self->engine = g_object_ref (engine);
  self->domain = g_object_ref (domain);
  g_signal_connect_object (domain, "notify::state", G_CALLBACK (on_state), self, 0);
  update_buttons (self);
  return GTK_WIDGET (self);
}
