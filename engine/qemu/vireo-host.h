/* vireo-host.h: facts about the host that decide how a guest runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain-config.h"

G_BEGIN_DECLS

gboolean    vireo_host_kvm_usable  (void);
char       *vireo_host_find_qemu   (GError **error);
char       *vireo_host_find_shim   (void);
VireoAccel  vireo_host_resolve_accel (const VireoDomainConfig *config,
                                      const char              *override,
                                      gboolean                 kvm_usable,
                                      GError                 **error);

G_END_DECLS
