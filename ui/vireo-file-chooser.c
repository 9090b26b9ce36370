/* vireo-file-chooser.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GtkFileChooserNative, so the portal's chooser is used inside Flatpak.
 * The chooser is shown and answers through its ::response signal: no
 * nested main loop (gtk_native_dialog_run), so everything else the window
 * does goes on while it is open.
 */
#include "vireo-file-chooser.h"

typedef struct {
  GtkFileChooserNative *chooser;
  GSource *cancel_source;
} Choose;

static void on_response (GtkNativeDialog *dialog,
                         int              response,
                         GTask           *task);

static void
choose_free (Choose *choose)
{
  if (choose->cancel_source)
    {
      g_source_destroy (choose->cancel_source);
      g_source_unref (choose->cancel_source);
    }
  g_signal_handlers_disconnect_matched (choose->chooser, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, on_response, NULL);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (choose->chooser));
  g_object_unref (choose->chooser);
  g_free (choose);
}

/* The task's one reference is the pending answer: whichever of these two
 * comes first returns and drops it. */
static void
on_response (GtkNativeDialog *dialog,
             int              response,
             GTask           *task)
{
  char *path = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_filename (GTK_FILE_CHOOSER (dialog)) : NULL;

  g_signal_handlers_disconnect_by_func (dialog, on_response, task);
  g_task_return_pointer (task, path, g_free);
  g_object_unref (task);
}

/* A GSource rather than g_cancellable_connect(): it runs from the main
 * loop, never inside g_cancellable_cancel(). */
static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;
  Choose *choose = g_task_get_task_data (task);

  g_signal_handlers_disconnect_by_func (choose->chooser, on_response, task);
  gtk_native_dialog_hide (GTK_NATIVE_DIALOG (choose->chooser));
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/**
 * vireo_choose_file_async:
 * @parent: (nullable): any widget of the window the chooser belongs to
 * @cancellable: (nullable): closes the chooser (the caller's window went
 *   away); the result is then %G_IO_ERROR_CANCELLED
 *
 * Shows a modal chooser for one file to open and returns at once.
 */
void
vireo_choose_file_async (GtkWidget           *parent,
                         const char          *title,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GtkWidget *toplevel = parent ? gtk_widget_get_toplevel (parent) : NULL;
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Choose *choose = g_new0 (Choose, 1);

  g_task_set_source_tag (task, vireo_choose_file_async);
  g_task_set_task_data (task, choose, (GDestroyNotify) choose_free);
  choose->chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL,
                                                 GTK_FILE_CHOOSER_ACTION_OPEN, NULL, NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (choose->chooser), TRUE);
  g_signal_connect (choose->chooser, "response", G_CALLBACK (on_response), task);
  if (cancellable)
    {
      choose->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (choose->cancel_source, G_SOURCE_FUNC (on_cancelled), task, NULL);
      g_source_attach (choose->cancel_source, g_main_context_get_thread_default ());
    }
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (choose->chooser));
}

/**
 * vireo_choose_file_finish:
 * Returns: (transfer full) (nullable): the chosen file, or %NULL when the
 *   user chose none (no error) or the chooser was cancelled (@error set)
 */
char *
vireo_choose_file_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_choose_file_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_chosen_for_entry (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GtkEntry) entry = user_data;
  g_autofree char *path = vireo_choose_file_finish (result, NULL);

  if (path != NULL)
    gtk_entry_set_text (entry, path);
}

/* The chosen file goes into @entry, where it can still be edited; the
 * chooser closes with the entry. */
void
vireo_choose_into_entry (GtkWidget  *parent,
                         const char *title,
                         GtkEntry   *entry)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_signal_connect_object (entry, "destroy", G_CALLBACK (g_cancellable_cancel), cancellable, G_CONNECT_SWAPPED);
  vireo_choose_file_async (parent, title, cancellable, on_chosen_for_entry, g_object_ref (entry));
}
