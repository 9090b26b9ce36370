/* vireo-file-chooser.h: asking the user for one file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void  vireo_choose_file_async  (GtkWidget           *parent,
                                const char          *title,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
char *vireo_choose_file_finish (GAsyncResult        *result,
                                GError             **error);
void  vireo_choose_into_entry  (GtkWidget           *parent,
                                const char          *title,
                                GtkEntry            *entry);

G_END_DECLS
