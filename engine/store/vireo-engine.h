/* vireo-engine.h: the connection to a tree of VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vireo-domain.h"
#include "vireo-domain-config.h"
#include "vireo-job.h"
#include "vireo-load-error.h"
#include "vireo-network.h"
#include "vireo-paths.h"

G_BEGIN_DECLS

#define VIREO_TYPE_ENGINE (vireo_engine_get_type ())

G_DECLARE_FINAL_TYPE (VireoEngine, vireo_engine, VIREO, ENGINE, GObject)

VireoEngine      *vireo_engine_new               (const char         *root);
const VireoPaths *vireo_engine_get_paths         (VireoEngine        *self);
gboolean          vireo_engine_load              (VireoEngine        *self,
                                                  GError            **error);
void              vireo_engine_load_async        (VireoEngine        *self,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
gboolean          vireo_engine_load_finish       (VireoEngine        *self,
                                                  GAsyncResult       *result,
                                                  GError            **error);
GPtrArray        *vireo_engine_get_load_errors   (VireoEngine        *self);
const VireoLoadError *vireo_engine_lookup_load_error (VireoEngine    *self,
                                                  const char         *name);
GListModel       *vireo_engine_get_domains       (VireoEngine        *self);
VireoDomain      *vireo_engine_lookup_domain     (VireoEngine        *self,
                                                  const char         *name);
VireoDomain      *vireo_engine_define_domain     (VireoEngine        *self,
                                                  const VireoDomainConfig *config,
                                                  GError            **error);
void              vireo_engine_define_domain_async (VireoEngine   *self,
                                                    const VireoDomainConfig *config,
                                                    GCancellable  *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer       user_data);
VireoDomain      *vireo_engine_define_domain_finish (VireoEngine  *self,
                                                     GAsyncResult *result,
                                                     GError      **error);
gboolean          vireo_engine_undefine_domain   (VireoEngine        *self,
                                                  VireoDomain        *domain,
                                                  gboolean            remove_storage,
                                                  GError            **error);
void              vireo_engine_undefine_domain_async  (VireoEngine        *self,
                                                       VireoDomain        *domain,
                                                       gboolean            remove_storage,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
gboolean          vireo_engine_undefine_domain_finish (VireoEngine        *self,
                                                       GAsyncResult       *result,
                                                       GError            **error);
gboolean          vireo_engine_image_deletable   (VireoEngine        *self,
                                                  VireoDomain        *domain,
                                                  const VireoDiskConfig *disk);
char             *vireo_engine_suggest_name      (VireoEngine        *self,
                                                  const char         *hint);
gboolean          vireo_engine_image_in_use      (VireoEngine        *self,
                                                  VireoDomain        *domain,
                                                  const char         *path);
char             *vireo_engine_describe_kept_base (VireoEngine        *self,
                                                  VireoDomain        *domain,
                                                  const VireoDiskConfig *disk);
char             *vireo_engine_generate_mac      (VireoEngine        *self);
char             *vireo_engine_default_disk_path (VireoEngine        *self,
                                                  const char         *name);
void              vireo_engine_start_monitoring  (VireoEngine        *self,
                                                  guint               interval_ms);
gboolean          vireo_engine_check_new_name    (VireoEngine        *self,
                                                  const char         *name,
                                                  GError            **error);

/* virtual networks (vireo-engine-network.c) */
GListModel       *vireo_engine_get_networks      (VireoEngine        *self);
GPtrArray        *vireo_engine_get_network_load_errors (VireoEngine  *self);
VireoNetwork     *vireo_engine_lookup_network    (VireoEngine        *self,
                                                  const char         *name);
VireoNetworkConfig *vireo_engine_new_network_config (VireoEngine     *self,
                                                  const char         *name,
                                                  const char         *subnet,
                                                  gboolean            isolated,
                                                  GError            **error);
char             *vireo_engine_suggest_subnet    (VireoEngine        *self);
void              vireo_engine_define_network_async  (VireoEngine        *self,
                                                      const VireoNetworkConfig *config,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
VireoNetwork     *vireo_engine_define_network_finish (VireoEngine        *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
void              vireo_engine_undefine_network_async  (VireoEngine        *self,
                                                        VireoNetwork       *network,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
gboolean          vireo_engine_undefine_network_finish (VireoEngine        *self,
                                                        GAsyncResult       *result,
                                                        GError            **error);

G_END_DECLS
