/* vireo-port-forwards.h: adding and removing host port forwards, also while running
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-local-backend.h"

G_BEGIN_DECLS

void     vireo_port_forwards_add_async     (VireoLocalBackend      *engine,
                                            VireoDomain            *domain,
                                            const char             *mac,
                                            const VireoPortForward *forward,
                                            GCancellable           *cancellable,
                                            GAsyncReadyCallback     callback,
                                            gpointer                user_data);
gboolean vireo_port_forwards_add_finish    (VireoLocalBackend  *engine,
                                            GAsyncResult       *result,
                                            gboolean           *pending,
                                            GError            **error);
void     vireo_port_forwards_remove_async  (VireoLocalBackend      *engine,
                                            VireoDomain            *domain,
                                            const char             *mac,
                                            const VireoPortForward *rule,
                                            GCancellable           *cancellable,
                                            GAsyncReadyCallback     callback,
                                            gpointer                user_data);
gboolean vireo_port_forwards_remove_finish (VireoLocalBackend  *engine,
                                            GAsyncResult       *result,
                                            gboolean           *pending,
                                            GError            **error);

G_END_DECLS
