/* vireo-window-private.h: what the manager window's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain-actions.h"
#include "vireo-window.h"

G_BEGIN_DECLS

struct _VireoWindow
{
  GtkApplicationWindow parent_instance;

  /* template children */
  GtkStack *stack;
  GtkListBox *list_box;
  GtkInfoBar *error_bar;
  GtkLabel *error_label;
  GtkExpander *error_expander;
  GtkLabel *error_details;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkLabel *running_note;

  /* owned */
  VireoLocalBackend *engine;
  VireoHosts *hosts;        /* every host the list shows; NULL: this computer alone */
  GListModel *domains;      /* the VMs the list shows */
  GCancellable *cancellable;
  VireoDomain *selected;
  gulong selected_handler;
  GHashTable *vm_windows;   /* uuid → VireoVmWindow (borrowed) */
  GSettings *settings;
  VireoDomainActions *domain_actions;  /* start, pause, …, on the selected VM */
  gboolean loading;         /* the engine is still reading definitions */
};

void _vireo_window_add_actions         (VireoWindow  *self);
void _vireo_window_update_actions      (VireoWindow  *self);
void _vireo_window_show_domain_error   (VireoWindow  *self,
                                        VireoDomain  *domain,
                                        const GError *error);

G_END_DECLS
