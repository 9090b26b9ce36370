/* vireo-host.h: facts about the host that decide how a guest runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain-config.h"

G_BEGIN_DECLS

/* the KVM device QEMU opens; tests pass another path */
#define VIREO_HOST_KVM_DEVICE "/dev/kvm"

const char *vireo_host_kvm_device (void);
int         vireo_host_kvm_open_errno (const char *device);
gboolean    vireo_host_in_flatpak  (void);
char       *vireo_host_kvm_note    (const char *name,
                                    int         errsv,
                                    gboolean    in_flatpak);
void        vireo_host_kvm_required_error (const char  *name,
                                           int          errsv,
                                           gboolean     in_flatpak,
                                           GError     **error);
VireoAccel  vireo_host_choose_accel (const VireoDomainConfig *config,
                                     const char              *override,
                                     const char              *kvm_device,
                                     char                   **note,
                                     GError                 **error);
char       *vireo_host_find_qemu   (GError **error);
char       *vireo_host_find_shim   (void);
VireoAccel  vireo_host_resolve_accel (const VireoDomainConfig *config,
                                      const char              *override,
                                      gboolean                 kvm_usable,
                                      GError                 **error);
gboolean    vireo_host_find_ovmf   (const VireoDomainConfig *config,
                                    char                   **code,
                                    char                   **vars,
                                    GError                 **error);

G_END_DECLS
