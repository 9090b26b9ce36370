/* vireo-new-vm-assistant.h: the New VM wizard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_NEW_VM_ASSISTANT (vireo_new_vm_assistant_get_type ())

G_DECLARE_FINAL_TYPE (VireoNewVmAssistant, vireo_new_vm_assistant, VIREO, NEW_VM_ASSISTANT, GtkAssistant)

GtkWidget *vireo_new_vm_assistant_new (GtkWindow    *parent,
                                       VireoHosts   *hosts,
                                       VireoBackend *backend);

G_END_DECLS
