/* vireo-demo.h: the demo VM (a tiny Linux that boots in seconds)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-local-backend.h"

G_BEGIN_DECLS

char        *vireo_demo_find_guest_dir (void);
void         vireo_demo_create_async   (VireoLocalBackend   *engine,
                                        const char          *guest_dir,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
VireoDomain *vireo_demo_create_finish  (VireoLocalBackend  *engine,
                                        GAsyncResult       *result,
                                        GError            **error);

G_END_DECLS
