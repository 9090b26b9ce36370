/* vireo-file-chooser.h: asking the user for one file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

char *vireo_choose_file      (GtkWidget  *parent,
                              const char *title);
void  vireo_choose_into_entry (GtkWidget  *parent,
                               const char *title,
                               GtkEntry   *entry);

G_END_DECLS
