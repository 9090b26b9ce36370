/* vireo-file-chooser.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GtkFileChooserNative, so the portal's chooser is used inside Flatpak.
 */
#include "vireo-file-chooser.h"

/**
 * vireo_choose_file:
 * @parent: any widget of the window the chooser belongs to
 *
 * Returns: (transfer full) (nullable): the chosen file, or %NULL
 */
char *
vireo_choose_file (GtkWidget  *parent,
                   const char *title)
{
  GtkWidget *toplevel = parent ? gtk_widget_get_toplevel (parent) : NULL;
  g_autoptr(GtkFileChooserNative) chooser =
    gtk_file_chooser_native_new (title, GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_OPEN, NULL, NULL);

  if (gtk_native_dialog_run (GTK_NATIVE_DIALOG (chooser)) != GTK_RESPONSE_ACCEPT)
    return NULL;
  return gtk_file_chooser_get_filename (GTK_FILE_CHOOSER (chooser));
}

/* The chosen file goes into @entry, where it can still be edited. */
void
vireo_choose_into_entry (GtkWidget  *parent,
                         const char *title,
                         GtkEntry   *entry)
{
  g_autofree char *path = vireo_choose_file (parent, title);

  if (path != NULL)
    gtk_entry_set_text (entry, path);
}
