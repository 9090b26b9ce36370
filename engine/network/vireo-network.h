/* vireo-network.h: a virtual network (libvirt's network XML) and its state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Front ends see networks through this header (included by engine/vireo.h).
 * Definitions live in VireoPaths.networks_dir as NAME.xml, in libvirt's
 * network XML; autostart is a marker file beside them (as libvirt's
 * autostart/ links).  Running networks belong to vireo-net, the privileged
 * helper: "active" is what it says, refreshed by vireo_network_refresh_async.
 */
#pragma once

#include <gio/gio.h>

#include "vireo-net-params.h"

G_BEGIN_DECLS

#define VIREO_DEFAULT_NETWORK "default"

typedef enum {
  VIREO_NETWORK_FORWARD_NAT,
  VIREO_NETWORK_FORWARD_NONE,   /* isolated: no <forward> element */
} VireoNetworkForward;

typedef struct {
  char *mac;
  char *ip;
  char *name;            /* NULL: none */
} VireoNetworkHostConfig;

/**
 * VireoNetworkConfig:
 * Plain data parsed from (and formatted to) libvirt's network XML, like
 * VireoDomainConfig: no I/O, copyable across threads; what Vireo does not
 * interpret is kept verbatim and written back.
 */
typedef struct {
  char *name;
  char *uuid;
  char *bridge;          /* vireobrN */
  char *bridge_mac;      /* <mac address=…/>, 52:54:00:… */
  VireoNetworkForward forward;
  char *address;         /* the host's address on the bridge, "192.168.124.1" */
  guint prefix;          /* from prefix= or netmask= */
  char *dhcp_start;      /* NULL: no DHCP */
  char *dhcp_end;
  GPtrArray *hosts;      /* (element-type VireoNetworkHostConfig) static leases */
  char *domain;          /* <domain name=…/>, NULL: none */
  GPtrArray *extra;      /* unknown child elements, serialized */
  GPtrArray *kept;       /* private: attributes and children of the elements
                            above that Vireo leaves alone (stp, <nat>, …) */
} VireoNetworkConfig;

#define VIREO_TYPE_NETWORK_CONFIG (vireo_network_config_get_type ())
GType               vireo_network_config_get_type (void) G_GNUC_CONST;

VireoNetworkConfig *vireo_network_config_new      (const char *name);
VireoNetworkConfig *vireo_network_config_copy     (const VireoNetworkConfig *config);
void                vireo_network_config_free     (VireoNetworkConfig *config);
VireoNetworkConfig *vireo_network_config_parse    (const char  *xml,
                                                   gssize       length,
                                                   const char  *source,
                                                   GError     **error);
char               *vireo_network_config_format   (const VireoNetworkConfig *config);
gboolean            vireo_network_config_validate (const VireoNetworkConfig *config,
                                                   GError    **error);
VireoNetParams     *vireo_network_config_to_params (const VireoNetworkConfig *config,
                                                    GError    **error);
char               *vireo_network_config_describe_subnet (const VireoNetworkConfig *config); /* "192.168.124.0/24" */
gboolean            vireo_network_config_add_host (VireoNetworkConfig *config,
                                                   const char         *mac,
                                                   const char         *ip,
                                                   const char         *host_name,
                                                   GError            **error);

/* one lease as a front end shows it */
typedef struct {
  char *mac;
  char *ip;
  char *hostname;        /* NULL: none sent */
  char *domain_name;     /* the VM with that MAC on this network, NULL: none */
  gint64 expiry;         /* 0: never */
} VireoNetworkLease;

void vireo_network_lease_free (VireoNetworkLease *lease);

/**
 * VireoNetwork:
 * An abstract class, as VireoDomain: the base holds what front ends read
 * (name, definition, active, autostart, with their notifications) and
 * its public functions check the rules once; a subclass runs the
 * network on its host through the class's vfuncs.  VireoLocalNetwork is
 * this machine's (vireo-net); VireoLibvirtNetwork a libvirt host's.
 */
#define VIREO_TYPE_NETWORK (vireo_network_get_type ())
G_DECLARE_DERIVABLE_TYPE (VireoNetwork, vireo_network, VIREO, NETWORK, GObject)

struct _VireoNetworkClass
{
  GObjectClass parent_class;

  /* Each completes once the base's properties say the outcome */
  void       (*start_async)          (VireoNetwork        *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
  gboolean   (*start_finish)         (VireoNetwork        *self,
                                      GAsyncResult        *result,
                                      GError             **error);
  void       (*stop_async)           (VireoNetwork        *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
  gboolean   (*stop_finish)          (VireoNetwork        *self,
                                      GAsyncResult        *result,
                                      GError             **error);
  void       (*refresh_async)        (VireoNetwork        *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
  gboolean   (*refresh_finish)       (VireoNetwork        *self,
                                      GAsyncResult        *result,
                                      GError             **error);
  void       (*set_autostart_async)  (VireoNetwork        *self,
                                      gboolean             autostart,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
  gboolean   (*set_autostart_finish) (VireoNetwork        *self,
                                      GAsyncResult        *result,
                                      GError             **error);
  /* leases without their VM's name: the base adds it */
  void       (*get_leases_async)     (VireoNetwork        *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
  GPtrArray *(*get_leases_finish)    (VireoNetwork        *self,
                                      GAsyncResult        *result,
                                      GError             **error);
  void       (*add_host_async)       (VireoNetwork        *self,
                                      const char          *mac,
                                      const char          *ip,
                                      const char          *host_name,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
  gboolean   (*add_host_finish)      (VireoNetwork        *self,
                                      GAsyncResult        *result,
                                      GError             **error);

  gpointer padding[8];
};

/* properties: "name" (string), "active" (boolean), "autostart" (boolean),
 * "config" (boxed VireoNetworkConfig) — all notify on change */
const char               *vireo_network_get_name      (VireoNetwork *self);
const VireoNetworkConfig *vireo_network_get_config    (VireoNetwork *self);
gboolean                  vireo_network_get_active    (VireoNetwork *self);
gboolean                  vireo_network_get_autostart (VireoNetwork *self);
/* the host the network is on (vireo-backend.h); NULL once it is gone */
typedef struct _VireoBackend VireoBackend;
VireoBackend             *vireo_network_get_backend   (VireoNetwork *self);

void      vireo_network_start_async       (VireoNetwork *self, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
gboolean  vireo_network_start_finish      (VireoNetwork *self, GAsyncResult *result, GError **error);
void      vireo_network_stop_async        (VireoNetwork *self, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
gboolean  vireo_network_stop_finish       (VireoNetwork *self, GAsyncResult *result, GError **error);
void      vireo_network_refresh_async     (VireoNetwork *self, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
gboolean  vireo_network_refresh_finish    (VireoNetwork *self, GAsyncResult *result, GError **error);
void      vireo_network_set_autostart_async  (VireoNetwork *self, gboolean autostart, GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
gboolean  vireo_network_set_autostart_finish (VireoNetwork *self, GAsyncResult *result, GError **error);
/* (element-type VireoNetworkLease) */
void      vireo_network_get_leases_async  (VireoNetwork *self, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *vireo_network_get_leases_finish (VireoNetwork *self, GAsyncResult *result, GError **error);
/* a static lease: saved in the definition, and live when the network runs */
void      vireo_network_add_host_async    (VireoNetwork *self, const char *mac, const char *ip,
                                           const char *host_name, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
gboolean  vireo_network_add_host_finish   (VireoNetwork *self, GAsyncResult *result, GError **error);

/* A host's networks are its VireoBackend's (vireo-backend.h):
 * vireo_backend_get_networks(), _lookup_network(), _define_network_async()
 * and _undefine_network_async().  This machine's backend also has, in
 * vireo-local-backend.h:
 *   VireoNetworkConfig *vireo_local_backend_new_network_config (VireoLocalBackend *self, const char *name,
 *                                                const char *subnet (nullable: a free /24 is suggested),
 *                                                gboolean isolated, GError **error);
 *                                                a free vireobrN, host .1, DHCP .2 to the last host
 *   char         *vireo_local_backend_suggest_subnet   (VireoLocalBackend *self);   "192.168.125.0/24"
 * and defines the default network on first use.
 */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoNetworkConfig, vireo_network_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoNetworkLease, vireo_network_lease_free)

G_END_DECLS
