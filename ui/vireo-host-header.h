/* vireo-host-header.h: the row above one host's VMs in the manager's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

#define VIREO_TYPE_HOST_HEADER (vireo_host_header_get_type ())

G_DECLARE_FINAL_TYPE (VireoHostHeader, vireo_host_header, VIREO, HOST_HEADER, GtkBox)

GtkWidget    *vireo_host_header_new          (VireoHosts      *hosts,
                                              VireoBackend    *backend);
VireoBackend *vireo_host_header_get_backend  (VireoHostHeader *self);
const char   *vireo_host_header_get_state_text (VireoHostHeader *self);
char         *vireo_host_state_text          (VireoBackend    *backend);

G_END_DECLS
