/* vireo-port-forwards.h: adding and removing host port forwards, also while running
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-engine.h"

G_BEGIN_DECLS

void     vireo_port_forwards_add_async     (VireoEngine            *engine,
                                            VireoDomain            *domain,
                                            const char             *mac,
                                            const VireoPortForward *forward,
                                            GCancellable           *cancellable,
                                            GAsyncReadyCallback     callback,
                                            gpointer                user_data);
gboolean vireo_port_forwards_add_finish    (VireoEngine            *engine,
                                            GAsyncResult           *result,
                                            gboolean               *pending,
                                            GError                **error);
void     vireo_port_forwards_remove_async  (VireoEngine            *engine,
                                            VireoDomain            *domain,
                                            const char             *mac,
                                            const VireoPortForward *rule,
                                            GCancellable           *cancellable,
                                            GAsyncReadyCallback     callback,
                                            gpointer                user_data);
gboolean vireo_port_forwards_remove_finish (VireoEngine            *engine,
                                            GAsyncResult           *result,
                                            gboolean               *pending,
                                            GError                **error);

G_END_DECLS
