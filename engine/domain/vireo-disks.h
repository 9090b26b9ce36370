/* vireo-disks.h: converting the disks of a VM on this machine
 *
 * (Adding and removing disks, on any host: vireo_domain_attach_disk_async().)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-local-backend.h"

G_BEGIN_DECLS

void      vireo_disks_convert_async  (VireoLocalBackend    *engine,
                                      VireoDomain          *domain,
                                      const char           *target,
                                      gboolean              remove_old,
                                      VireoJob            **job,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean  vireo_disks_can_convert    (const VireoDiskConfig *disk);
char     *vireo_disks_convert_finish (VireoLocalBackend  *engine,
                                      GAsyncResult       *result,
                                      char              **old_note,
                                      GError            **error);

G_END_DECLS
