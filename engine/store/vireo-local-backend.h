/* vireo-local-backend.h: the connection to a tree of VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vireo-backend.h"
#include "vireo-domain.h"
#include "vireo-domain-config.h"
#include "vireo-job.h"
#include "vireo-load-error.h"
#include "vireo-network.h"
#include "vireo-paths.h"

G_BEGIN_DECLS

/* where this computer's VMs are, as a host's URI */
#define VIREO_LOCAL_URI "vireo:///session"

#define VIREO_TYPE_LOCAL_BACKEND (vireo_local_backend_get_type ())

G_DECLARE_FINAL_TYPE (VireoLocalBackend, vireo_local_backend, VIREO, LOCAL_BACKEND, VireoBackend)

VireoLocalBackend      *vireo_local_backend_new               (const char         *root);
const VireoPaths *vireo_local_backend_get_paths         (VireoLocalBackend        *self);
gboolean          vireo_local_backend_load              (VireoLocalBackend  *self,
                                                         GError            **error);
void              vireo_local_backend_load_async        (VireoLocalBackend   *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean          vireo_local_backend_load_finish       (VireoLocalBackend  *self,
                                                         GAsyncResult       *result,
                                                         GError            **error);
GPtrArray        *vireo_local_backend_get_load_errors   (VireoLocalBackend        *self);
const VireoLoadError *vireo_local_backend_lookup_load_error (VireoLocalBackend *self,
                                                             const char        *name);
VireoDomain      *vireo_local_backend_define_domain     (VireoLocalBackend        *self,
                                                         const VireoDomainConfig  *config,
                                                         GError                  **error);
gboolean          vireo_local_backend_undefine_domain   (VireoLocalBackend  *self,
                                                         VireoDomain        *domain,
                                                         gboolean            remove_storage,
                                                         GError            **error);
gboolean          vireo_local_backend_image_deletable   (VireoLocalBackend     *self,
                                                         VireoDomain           *domain,
                                                         const VireoDiskConfig *disk);
gboolean          vireo_local_backend_image_in_use      (VireoLocalBackend *self,
                                                         VireoDomain       *domain,
                                                         const char        *path);
char             *vireo_local_backend_describe_kept_base (VireoLocalBackend     *self,
                                                          VireoDomain           *domain,
                                                          const VireoDiskConfig *disk);
char             *vireo_local_backend_default_disk_path (VireoLocalBackend *self,
                                                         const char        *name);
void              vireo_local_backend_start_monitoring  (VireoLocalBackend *self,
                                                         guint              interval_ms);

/* virtual networks (vireo-local-backend-network.c); the first two are
 * vireo_backend_get_networks() and vireo_backend_lookup_network() */
GListModel       *vireo_local_backend_get_networks      (VireoLocalBackend        *self);
GPtrArray        *vireo_local_backend_get_network_load_errors (VireoLocalBackend  *self);
VireoNetwork     *vireo_local_backend_lookup_network    (VireoLocalBackend *self,
                                                         const char        *name);
VireoNetworkConfig *vireo_local_backend_new_network_config (VireoLocalBackend  *self,
                                                            const char         *name,
                                                            const char         *subnet,
                                                            gboolean            isolated,
                                                            GError            **error);
char             *vireo_local_backend_suggest_subnet    (VireoLocalBackend        *self);
/* defined and undefined with vireo_backend_define_network_async() and
 * vireo_backend_undefine_network_async() */

G_END_DECLS
