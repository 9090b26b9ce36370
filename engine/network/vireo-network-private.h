/* vireo-network-private.h: what engine/network/, engine/store/ and
 * engine/libvirt/ share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain.h"
#include "vireo-lock.h"
#include "vireo-network.h"
#include "vireo-paths.h"

G_BEGIN_DECLS

/* the marker file that says the default network was defined once */
#define VIREO_NETWORK_FIRST_USE_MARKER ".default-defined"
#define VIREO_NETWORK_DEFAULT_BRIDGE VIREO_NET_BRIDGE_PREFIX "0"
#define VIREO_NETWORK_DEFAULT_SUBNET "192.168.124.0/24"

/* one definition as read from the folder */
typedef struct {
  VireoNetworkConfig *config;
  gboolean autostart;
} VireoNetworkLoaded;

/* the base, for every host's subclass (vireo-network.c) */
void          _vireo_network_set_config    (VireoNetwork       *self,
                                            VireoNetworkConfig *config);
void          _vireo_network_set_autostart (VireoNetwork       *self,
                                            gboolean            autostart);
void          _vireo_network_set_active    (VireoNetwork       *self,
                                            gboolean            active);
void          _vireo_network_set_backend   (VireoNetwork       *self,
                                            VireoBackend       *backend);

/* this machine's networks (vireo-local-network.c) */
#define VIREO_TYPE_LOCAL_NETWORK (vireo_local_network_get_type ())
G_DECLARE_FINAL_TYPE (VireoLocalNetwork, vireo_local_network, VIREO, LOCAL_NETWORK, VireoNetwork)

VireoNetwork *_vireo_local_network_new     (const VireoPaths   *paths,
                                            GListModel         *domains,
                                            VireoNetworkConfig *config,
                                            gboolean            autostart);
const VireoPaths *_vireo_local_network_get_paths (VireoLocalNetwork *self);
GListModel   *_vireo_local_network_get_domains   (VireoLocalNetwork *self);
void          _vireo_local_network_class_init_ops (VireoNetworkClass *klass);

/* files: blocking, for worker threads (or vireoctl's one thread) */
VireoLock    *_vireo_network_store_lock    (const VireoPaths   *paths,
                                            const char         *name,
                                            GError            **error);
GPtrArray    *_vireo_network_store_load    (const VireoPaths   *paths,
                                            GPtrArray          *errors);
GPtrArray    *_vireo_network_store_read    (const VireoPaths   *paths,
                                            GPtrArray          *errors);
char         *_vireo_network_store_free_bridge (GPtrArray      *loaded);
gboolean      _vireo_network_check_inactive (const char        *name,
                                             GError           **error);
gboolean      _vireo_network_store_write   (const VireoPaths   *paths,
                                            const VireoNetworkConfig *config,
                                            GError            **error);
gboolean      _vireo_network_store_remove  (const VireoPaths   *paths,
                                            const char         *name,
                                            GError            **error);
gboolean      _vireo_network_store_set_autostart (const VireoPaths *paths,
                                                  const char       *name,
                                                  gboolean          autostart,
                                                  GError          **error);
void          _vireo_network_loaded_free   (VireoNetworkLoaded *loaded);
gboolean      _vireo_network_parse_subnet  (const char         *name,
                                            const char         *subnet,
                                            guint32            *network,
                                            guint              *prefix,
                                            GError            **error);
VireoNetworkConfig *_vireo_network_new_config (const char  *name,
                                               guint32      network,
                                               guint        prefix,
                                               const char  *bridge,
                                               gboolean     isolated);
gboolean      _vireo_network_check_unique  (GPtrArray          *configs,
                                            const VireoNetworkConfig *config,
                                            GError            **error);

VireoDomain  *_vireo_network_running_user  (GListModel         *domains,
                                            const char         *name);

G_END_DECLS
