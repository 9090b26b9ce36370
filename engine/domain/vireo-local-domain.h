/* vireo-local-domain.h: a VM of this machine, run by vireo-shim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain.h"

G_BEGIN_DECLS

#define VIREO_TYPE_LOCAL_DOMAIN (vireo_local_domain_get_type ())

G_DECLARE_FINAL_TYPE (VireoLocalDomain, vireo_local_domain, VIREO, LOCAL_DOMAIN, VireoDomain)

G_END_DECLS
