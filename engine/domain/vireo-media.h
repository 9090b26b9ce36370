/* vireo-media.h: inserting and ejecting CD-ROM images, also while running
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-local-backend.h"

G_BEGIN_DECLS

void     vireo_media_change_async  (VireoLocalBackend   *engine,
                                    VireoDomain         *domain,
                                    const char          *target,
                                    const char          *path,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean vireo_media_change_finish (VireoLocalBackend  *engine,
                                    GAsyncResult       *result,
                                    GError            **error);

G_END_DECLS
