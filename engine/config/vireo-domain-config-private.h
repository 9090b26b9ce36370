/* vireo-domain-config-private.h: what the parser and the formatter share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

/* Vireo's own metadata, and QEMU's passthrough namespace */
#define VIREO_XMLNS "urn:vireo:domain:1"
#define QEMU_XMLNS "http://libvirt.org/schemas/domain/qemu/1.0"

#include "vireo-domain-config.h"

gboolean _vireo_domain_config_validate_forwards (const VireoDomainConfig *config,
                                                 GError                 **error);
gboolean _vireo_domain_config_validate_uefi (const VireoDomainConfig *config,
                                             GError                 **error);
gboolean _vireo_domain_config_check_path (const VireoDomainConfig *config,
                                          const char              *what,
                                          const char              *path,
                                          GError                 **error);
gboolean _vireo_domain_config_validate_kept (const VireoDomainConfig *config,
                                             GError                 **error);
