/* vireo-backend.h: one host and its VMs, as every front end sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An abstract class, as GdkDisplay is to GdkX11Display: the base holds
 * what every host has (its VMs in name order, their names and MACs, the
 * connection's state and its error, what the host can do) and decides
 * the rules about them once; a subclass connects, defines and undefines.
 * VireoLocalBackend runs VMs on this machine through vireo-shim; a
 * libvirt backend will run them on libvirt's hosts.
 */
#pragma once

#include <gio/gio.h>

#include "vireo-domain.h"
#include "vireo-network.h"

G_BEGIN_DECLS

/**
 * VireoBackendState:
 * @VIREO_BACKEND_STATE_DISCONNECTED: not connected (yet, or after an error)
 * @VIREO_BACKEND_STATE_CONNECTING: reading the host for the first time
 * @VIREO_BACKEND_STATE_CONNECTED: the VMs are the host's
 * @VIREO_BACKEND_STATE_LOST: the link went; the VMs shown are the last known
 * @VIREO_BACKEND_STATE_RECONNECTING: trying again after a loss
 */
typedef enum {
  VIREO_BACKEND_STATE_DISCONNECTED,
  VIREO_BACKEND_STATE_CONNECTING,
  VIREO_BACKEND_STATE_CONNECTED,
  VIREO_BACKEND_STATE_LOST,
  VIREO_BACKEND_STATE_RECONNECTING,
} VireoBackendState;

/**
 * VireoBackendCaps:
 * What a host can do beyond defining, starting and stopping VMs; a front
 * end makes the rest insensitive and says why.
 */
typedef enum {
  VIREO_BACKEND_CAN_CONSOLE       = 1 << 0,  /* serial consoles */
  VIREO_BACKEND_CAN_DISPLAY       = 1 << 1,  /* graphical consoles */
  VIREO_BACKEND_CAN_HOTPLUG       = 1 << 2,  /* disks added and removed */
  VIREO_BACKEND_CAN_SNAPSHOTS     = 1 << 3,
  VIREO_BACKEND_CAN_CLONE         = 1 << 4,
  VIREO_BACKEND_CAN_NETWORKS      = 1 << 5,
  VIREO_BACKEND_CAN_PORT_FORWARDS = 1 << 6,
  VIREO_BACKEND_CAN_MEDIA         = 1 << 7,  /* CD-ROM media changed, also while running */
  VIREO_BACKEND_CAN_CONVERT       = 1 << 8,  /* raw disks converted to qcow2 */
  VIREO_BACKEND_CAN_LINKED_CLONES = 1 << 9,  /* clones sharing the source's disks as bases */
  VIREO_BACKEND_CAN_SNAPSHOT_CLONES = 1 << 10, /* clones of a snapshot's state */
} VireoBackendCaps;

/* what a user chooses for a new VM (vireo-create.h) */
typedef struct _VireoCreateOptions VireoCreateOptions;

#define VIREO_TYPE_BACKEND (vireo_backend_get_type ())

G_DECLARE_DERIVABLE_TYPE (VireoBackend, vireo_backend, VIREO, BACKEND, GObject)

struct _VireoBackendClass
{
  GObjectClass parent_class;

  /* Reads the host (the base moves the state around it) */
  void          (*connect_async)          (VireoBackend            *self,
                                           GCancellable            *cancellable,
                                           GAsyncReadyCallback      callback,
                                           gpointer                 user_data);
  gboolean      (*connect_finish)         (VireoBackend            *self,
                                           GAsyncResult            *result,
                                           GError                 **error);
  /* @config is valid and its name and MACs are free on this host */
  void          (*define_domain_async)    (VireoBackend            *self,
                                           const VireoDomainConfig *config,
                                           GCancellable            *cancellable,
                                           GAsyncReadyCallback      callback,
                                           gpointer                 user_data);
  VireoDomain  *(*define_domain_finish)   (VireoBackend            *self,
                                           GAsyncResult            *result,
                                           GError                 **error);
  void          (*undefine_domain_async)  (VireoBackend            *self,
                                           VireoDomain             *domain,
                                           gboolean                 remove_storage,
                                           GCancellable            *cancellable,
                                           GAsyncReadyCallback      callback,
                                           gpointer                 user_data);
  gboolean      (*undefine_domain_finish) (VireoBackend            *self,
                                           GAsyncResult            *result,
                                           GError                 **error);

  /* Whether letting go of @disk of @domain may delete its image; the
   * base: a writable, unshared disk no other VM of the host uses */
  gboolean      (*image_deletable)        (VireoBackend            *self,
                                           VireoDomain             *domain,
                                           const VireoDiskConfig   *disk);

  /* A new VM from @options: @config is what every host makes of them
   * (name, resources, firmware, NICs; checked), transfer full; the host
   * adds its disks and files, then defines it */
  void          (*create_domain_async)    (VireoBackend             *self,
                                           const VireoCreateOptions *options,
                                           VireoDomainConfig        *config,
                                           VireoJob                **disk_job,
                                           GCancellable             *cancellable,
                                           GAsyncReadyCallback       callback,
                                           gpointer                  user_data);
  VireoDomain  *(*create_domain_finish)   (VireoBackend             *self,
                                           GAsyncResult             *result,
                                           GError                  **error);

  /* @config is valid and its name and UUID are free on this host, or
   * those of the same network; finish returns it (transfer full) */
  void          (*define_network_async)    (VireoBackend             *self,
                                            const VireoNetworkConfig *config,
                                            GCancellable             *cancellable,
                                            GAsyncReadyCallback       callback,
                                            gpointer                  user_data);
  VireoNetwork *(*define_network_finish)   (VireoBackend             *self,
                                            GAsyncResult             *result,
                                            GError                  **error);
  /* @network is the host's and not active */
  void          (*undefine_network_async)  (VireoBackend             *self,
                                            VireoNetwork             *network,
                                            GCancellable             *cancellable,
                                            GAsyncReadyCallback       callback,
                                            gpointer                  user_data);
  gboolean      (*undefine_network_finish) (VireoBackend             *self,
                                            GAsyncResult             *result,
                                            GError                  **error);
  /* A new definition on @subnet (NULL: a free one); the base: a /24
   * and a virbrN none of the host's networks has */
  VireoNetworkConfig *(*new_network_config) (VireoBackend           *self,
                                             const char             *name,
                                             const char             *subnet,
                                             gboolean                isolated,
                                             GError                **error);
  char         *(*suggest_subnet)          (VireoBackend             *self);

  gpointer padding[3];
};

const char        *vireo_backend_get_uri        (VireoBackend  *self);
const char        *vireo_backend_get_title      (VireoBackend  *self);
void               vireo_backend_set_title      (VireoBackend  *self,
                                                 const char    *title);
VireoBackendState  vireo_backend_get_state      (VireoBackend  *self);
const GError      *vireo_backend_get_error      (VireoBackend  *self);
VireoBackendCaps   vireo_backend_get_caps       (VireoBackend  *self);
gint64             vireo_backend_get_retry_time (VireoBackend  *self);
gboolean           vireo_backend_can            (VireoBackend  *self,
                                                 VireoBackendCaps caps);

GListModel        *vireo_backend_get_domains    (VireoBackend  *self);
VireoDomain       *vireo_backend_lookup_domain  (VireoBackend  *self,
                                                 const char    *name);
VireoDomain       *vireo_backend_lookup_domain_by_uuid (VireoBackend *self,
                                                        const char   *uuid);
gboolean           vireo_backend_check_new_name (VireoBackend  *self,
                                                 const char    *name,
                                                 GError       **error);
char              *vireo_backend_suggest_name   (VireoBackend  *self,
                                                 const char    *hint);
gboolean           vireo_backend_mac_in_use     (VireoBackend  *self,
                                                 const char    *mac);
char              *vireo_backend_generate_mac   (VireoBackend  *self);
gboolean           vireo_backend_image_deletable (VireoBackend          *self,
                                                  VireoDomain           *domain,
                                                  const VireoDiskConfig *disk);

void               vireo_backend_connect_async          (VireoBackend            *self,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
gboolean           vireo_backend_connect_finish         (VireoBackend            *self,
                                                         GAsyncResult            *result,
                                                         GError                 **error);
void               vireo_backend_define_domain_async    (VireoBackend            *self,
                                                         const VireoDomainConfig *config,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
VireoDomain       *vireo_backend_define_domain_finish   (VireoBackend            *self,
                                                         GAsyncResult            *result,
                                                         GError                 **error);
void               vireo_backend_undefine_domain_async  (VireoBackend            *self,
                                                         VireoDomain             *domain,
                                                         gboolean                 remove_storage,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
gboolean           vireo_backend_undefine_domain_finish (VireoBackend            *self,
                                                         GAsyncResult            *result,
                                                         GError                 **error);

/* virtual networks: empty for a host without them (VIREO_BACKEND_CAN_NETWORKS) */
gboolean           vireo_backend_check_networks (VireoBackend *self,
                                                 GError      **error);
GListModel        *vireo_backend_get_networks   (VireoBackend  *self);
VireoNetwork      *vireo_backend_lookup_network (VireoBackend  *self,
                                                 const char    *name);
void               vireo_backend_define_network_async    (VireoBackend             *self,
                                                          const VireoNetworkConfig *config,
                                                          GCancellable             *cancellable,
                                                          GAsyncReadyCallback       callback,
                                                          gpointer                  user_data);
VireoNetwork      *vireo_backend_define_network_finish   (VireoBackend             *self,
                                                          GAsyncResult             *result,
                                                          GError                  **error);
void               vireo_backend_undefine_network_async  (VireoBackend             *self,
                                                          VireoNetwork             *network,
                                                          GCancellable             *cancellable,
                                                          GAsyncReadyCallback       callback,
                                                          gpointer                  user_data);
gboolean           vireo_backend_undefine_network_finish (VireoBackend             *self,
                                                          GAsyncResult             *result,
                                                          GError                  **error);
VireoNetworkConfig *vireo_backend_new_network_config    (VireoBackend             *self,
                                                          const char               *name,
                                                          const char               *subnet,
                                                          gboolean                  isolated,
                                                          GError                  **error);
char              *vireo_backend_suggest_subnet          (VireoBackend             *self);

G_END_DECLS
