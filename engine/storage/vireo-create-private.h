/* vireo-create-private.h: what the hosts' new-VM code shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-create.h"
#include "vireo-local-backend.h"

G_BEGIN_DECLS

gboolean _vireo_create_check_memory          (const char        *name,
                                              guint              memory_mib,
                                              guint64            host_mib,
                                              const char        *host,
                                              GError           **error);
void     _vireo_local_backend_class_init_create (VireoBackendClass *klass);

G_END_DECLS
