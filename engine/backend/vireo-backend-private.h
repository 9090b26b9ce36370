/* vireo-backend-private.h: what a backend's subclass may touch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-backend.h"

G_BEGIN_DECLS

GListStore *_vireo_backend_get_store     (VireoBackend      *self);
int         _vireo_backend_compare_domains (gconstpointer    a,
                                            gconstpointer    b,
                                            gpointer         user_data);
void        _vireo_backend_set_state     (VireoBackend      *self,
                                          VireoBackendState  state,
                                          const GError      *error);
void        _vireo_backend_set_retry_time (VireoBackend   *self,
                                           gint64          retry_at);
gboolean    _vireo_backend_check_network_overlap (VireoBackend             *self,
                                                  const VireoNetworkConfig *config,
                                                  GError                  **error);
gboolean    _vireo_backend_path_in_use  (VireoBackend      *self,
                                         VireoDomain       *except,
                                         const char        *path);
void        _vireo_backend_set_caps      (VireoBackend      *self,
                                          VireoBackendCaps   caps);
gboolean    _vireo_backend_check_define (VireoBackend            *self,
                                         const VireoDomainConfig *config,
                                         GError                 **error);
GListStore *_vireo_backend_get_network_store (VireoBackend *self);
int         _vireo_backend_compare_networks (gconstpointer   a,
                                             gconstpointer   b,
                                             gpointer        user_data);
void        _vireo_backend_set_rand      (VireoBackend      *self,
                                          GRand             *rand);

G_END_DECLS
