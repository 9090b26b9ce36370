/* vireo-network-config-private.h: what the network XML files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-network.h"

G_BEGIN_DECLS

/* What one interpreted element holds beyond what Vireo reads from it:
 * libvirt's settings Vireo does not run (<bridge stp='on' delay='0'/>,
 * <forward><nat><port …/></nat></forward>), written back as they came. */
typedef struct {
  char *path;            /* "network", "forward", "bridge", "mac", "domain",
                            "ip", "dhcp", "range", "host/N" (N: the host's index) */
  GPtrArray *attrs;      /* name, value, name, value… */
  GPtrArray *children;   /* serialized elements */
} VireoNetworkKept;

VireoNetworkKept *_vireo_network_kept_get    (GPtrArray  *kept,
                                              const char *path,
                                              gboolean    create);
GPtrArray        *_vireo_network_kept_copy   (GPtrArray  *kept);
gboolean          _vireo_network_config_check (const VireoNetworkConfig *config,
                                               gboolean    check_bridge,
                                               GError    **error);

G_END_DECLS
