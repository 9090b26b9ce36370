/* vireo-net-params.h: what a NAT network is made of, and the rules it follows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one place that decides what a network may be.  The engine checks a
 * definition with these rules before it asks for anything, and vireo-net,
 * the privileged helper, checks every request with them again: it trusts
 * nothing its caller sends.  GLib only, so the helper can link it alone.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VIREO_NET_PREFIX_MIN 16
#define VIREO_NET_PREFIX_MAX 29
#define VIREO_NET_HOSTS_MAX 4096
#define VIREO_NET_DOMAIN_MAX 253
#define VIREO_NET_BRIDGE_PREFIX "vireobr"

/* a static DHCP lease: this MAC always gets this address (and name) */
typedef struct {
  char *mac;             /* lower-case, colon form */
  guint32 ip;            /* host byte order */
  char *name;            /* NULL, or a DNS label */
} VireoNetHost;

/**
 * VireoNetParams:
 * What vireo-net needs to run a network, and nothing else: no UUID, no
 * autostart, no unknown XML.  Addresses are IPv4 in host byte order.
 */
typedef struct {
  char *name;            /* as a VM's name (vireo_network_name_validate) */
  char *bridge;          /* vireobr0 … vireobr9999 */
  guint32 address;       /* the host's address on the bridge */
  guint prefix;          /* VIREO_NET_PREFIX_MIN … VIREO_NET_PREFIX_MAX */
  gboolean nat;          /* FALSE: isolated, no way out of the subnet */
  guint32 dhcp_start;    /* 0 and 0: no DHCP */
  guint32 dhcp_end;
  char *domain;          /* NULL, or a DNS domain the guests' names resolve in */
  GPtrArray *hosts;      /* (element-type VireoNetHost) */
} VireoNetParams;

VireoNetParams *vireo_net_params_new          (void);
VireoNetParams *vireo_net_params_copy         (const VireoNetParams *params);
void            vireo_net_params_free         (VireoNetParams       *params);
void            vireo_net_params_add_host     (VireoNetParams       *params,
                                               const char           *mac,
                                               guint32               ip,
                                               const char           *name);
gboolean        vireo_net_params_validate     (const VireoNetParams *params,
                                               GError              **error);
gboolean        vireo_net_params_same_network (const VireoNetParams *a,
                                               const VireoNetParams *b);
GVariant       *vireo_net_params_to_variant   (const VireoNetParams *params);
VireoNetParams *vireo_net_params_from_variant (GVariant             *variant,
                                               GError              **error);

guint32         vireo_net_params_network      (const VireoNetParams *params);
gboolean        vireo_net_params_contains     (const VireoNetParams *params,
                                               guint32               ip);

/* IPv4 text: strict dotted quads ("192.168.124.1", no leading zeros) */
gboolean        vireo_ipv4_parse              (const char *text,
                                               guint32    *addr);
char           *vireo_ipv4_to_string          (guint32     addr);
guint32         vireo_ipv4_mask               (guint       prefix);
gboolean        vireo_ipv4_prefix_from_mask   (const char *netmask,
                                               guint      *prefix);
gboolean        vireo_ipv4_cidr_parse         (const char *text,
                                               guint32    *addr,
                                               guint      *prefix,
                                               GError    **error);

gboolean        vireo_network_name_validate   (const char *name,
                                               GError    **error);
gboolean        vireo_net_bridge_validate     (const char *bridge,
                                               GError    **error);
gboolean        vireo_net_mac_validate        (const char *mac,
                                               GError    **error);
gboolean        vireo_net_host_name_validate  (const char *name,
                                               GError    **error);
gboolean        vireo_net_domain_validate     (const char *domain,
                                               GError    **error);

gboolean        vireo_net_subnets_overlap     (guint32     a,
                                               guint       pa,
                                               guint32     b,
                                               guint       pb);
gboolean        vireo_net_subnet_check_host   (guint32     network,
                                               guint       prefix,
                                               const char *own_bridge,
                                               GError    **error);
gboolean        vireo_net_subnet_suggest      (const guint32 *taken,
                                               const guint   *taken_prefix,
                                               guint          n_taken,
                                               guint32       *network);

/* for tests: the conflict check on given /proc/net/route text and
 * addresses (pairs of "interface", "a.b.c.d/prefix", NULL-terminated) */
gboolean        _vireo_net_subnet_check       (guint32      network,
                                               guint        prefix,
                                               const char  *own_bridge,
                                               const char  *proc_net_route,
                                               const char * const *addresses,
                                               GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoNetParams, vireo_net_params_free)

G_END_DECLS
