/* vireo-libvirt-backend.h: the VMs of a libvirt host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-backend.h"

G_BEGIN_DECLS

#define VIREO_TYPE_LIBVIRT_BACKEND (vireo_libvirt_backend_get_type ())

G_DECLARE_FINAL_TYPE (VireoLibvirtBackend, vireo_libvirt_backend, VIREO, LIBVIRT_BACKEND, VireoBackend)

VireoBackend *vireo_libvirt_backend_new (const char *uri);
guint         vireo_libvirt_backend_get_calls (VireoLibvirtBackend *self);
VireoBackend *vireo_libvirt_backend_factory (const char  *uri,
                                             gpointer     user_data,
                                             GError     **error);

G_END_DECLS
