/* vireo-domain-actions.h: a VM's lifecycle verbs as a window's actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

/**
 * VireoDomainActionEntry:
 * @name: the action's name in the window's action map
 * @op: what it asks of the VM
 * @otherwise: what it asks instead when the VM's state does not allow @op
 *   (a Pause that resumes a paused VM); @op again when there is nothing else
 *
 * Tables of entries are static: the actions keep pointers into them.
 */
typedef struct {
  const char    *name;
  VireoDomainOp  op;
  VireoDomainOp  otherwise;
} VireoDomainActionEntry;

#define VIREO_TYPE_DOMAIN_ACTIONS (vireo_domain_actions_get_type ())

G_DECLARE_FINAL_TYPE (VireoDomainActions, vireo_domain_actions, VIREO, DOMAIN_ACTIONS, GObject)

VireoDomainActions *vireo_domain_actions_new        (GtkWindow                    *window,
                                                     GCancellable                 *cancellable,
                                                     const VireoDomainActionEntry *entries,
                                                     guint                         n_entries);
void                vireo_domain_actions_set_domain (VireoDomainActions           *self,
                                                     VireoDomain                  *domain);
void                vireo_domain_actions_run        (VireoDomainActions           *self,
                                                     VireoDomain                  *domain,
                                                     VireoDomainOp                 op);
void                vireo_domain_actions_set_engine (VireoDomainActions           *self,
                                                     VireoLocalBackend                  *engine);
void                vireo_domain_actions_use_user_mode (VireoDomainActions        *self,
                                                        VireoDomain               *domain);

G_END_DECLS
