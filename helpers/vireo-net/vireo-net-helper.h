/* vireo-net-helper.h: the parts of vireo-net, the privileged network helper
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * vireo-net is the only code of Vireo that runs as root.  Every request is
 * checked with the rules of vireo-net-params.h; the helper touches only
 * bridges it created (marked with an interface alias), its own nftables
 * table and the dnsmasq processes it started (their pid files and command
 * lines live in its state folder).  GLib and GIO only.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

#include "vireo-net-params.h"

G_BEGIN_DECLS

#define VIREO_NET_STATE_DIR_DEFAULT "/run/vireo-net"
#define VIREO_NET_NFT_TABLE "vireo"
/* the alias of a bridge vireo-net made: "vireo-net:NETWORK" */
#define VIREO_NET_ALIAS_PREFIX "vireo-net:"
#define VIREO_NET_TAP_TEMPLATE "vireotap%d"
#define VIREO_NET_LEASES_MAX 65536

/* ---- run: the tools, by argv, never through a shell ---- */
#define VNET_RUN_TIMEOUT_MS (30 * 1000)
#define VNET_LOCK_TIMEOUT_S 30
gboolean  vnet_run_timeout    (const char * const *argv,
                               const char         *input,
                               char              **output,
                               guint               timeout_ms,
                               GError            **error);
gboolean  vnet_run            (const char * const *argv,
                               const char         *input,
                               char              **output,
                               GError            **error);
char     *vnet_find_tool      (const char *name);

/* ---- state: the folder of what vireo-net started ---- */
typedef struct _VnetState VnetState;

VnetState *vnet_state_open          (const char  *dir,
                                     GError     **error);
void       vnet_state_close         (VnetState   *state);
gboolean   vnet_state_lock          (VnetState   *state,
                                     GError     **error);
gboolean   vnet_state_lock_read     (VnetState   *state,
                                     GError     **error);
void       vnet_state_unlock        (VnetState   *state);
const char *vnet_state_dir          (VnetState   *state);
char      *vnet_state_path          (VnetState   *state,
                                     const char  *name,
                                     const char  *file);
gboolean   vnet_state_has_network   (VnetState   *state,
                                     const char  *name);
gboolean   vnet_state_make_network  (VnetState   *state,
                                     const char  *name,
                                     GError     **error);
gboolean   vnet_state_remove_network (VnetState  *state,
                                     const char  *name,
                                     GError     **error);
gboolean   vnet_state_write         (VnetState   *state,
                                     const char  *name,
                                     const char  *file,
                                     const char  *contents,
                                     GError     **error);
char      *vnet_state_read          (VnetState   *state,
                                     const char  *name,
                                     const char  *file,
                                     gsize        max,
                                     GError     **error);
VireoNetParams *vnet_state_load_params (VnetState  *state,
                                        const char *name,
                                        GError    **error);
GStrv      vnet_state_list          (VnetState   *state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VnetState, vnet_state_close)

/* ---- link: the bridge and the taps ---- */
char     *vnet_bridge_mac         (const VireoNetParams *params);
gboolean  vnet_link_exists        (const char           *ifname);
gboolean  vnet_bridge_is_ours     (const char           *bridge,
                                   const char           *network);
gboolean  vnet_bridge_create      (const VireoNetParams *params,
                                   GError              **error);
gboolean  vnet_bridge_delete      (const char           *bridge,
                                   const char           *network,
                                   GError              **error);
gboolean  vnet_ip_forward_enable  (GError              **error);
int       vnet_tap_open           (const char           *bridge,
                                   const char           *mac,
                                   char                **tap_name,
                                   GError              **error);
char     *vnet_tap_mac            (const char           *guest_mac);
gboolean  vnet_bridge_has_mac     (const char           *bridge,
                                   const char           *mac);
gboolean  vnet_routes_check       (guint32               network,
                                   guint                 prefix,
                                   const char           *own_bridge,
                                   GError              **error);

/* ---- firewall: one nftables table, chains per bridge ---- */
char     *vnet_nft_start_script   (const VireoNetParams *params);
char     *vnet_nft_stop_script    (const char           *bridge,
                                   const char           *listing);
gboolean  vnet_firewall_start     (const VireoNetParams *params,
                                   GError              **error);
gboolean  vnet_firewall_stop      (const char           *bridge,
                                   GError              **error);

/* ---- dnsmasq ---- */
char     *vnet_dnsmasq_conf       (const VireoNetParams *params,
                                   const char           *dir);
char     *vnet_dnsmasq_hostsfile  (const VireoNetParams *params);
char     *vnet_dnsmasq_addnhosts  (const VireoNetParams *params);
GVariant *vnet_leases_parse       (const char           *text);
gboolean  vnet_dnsmasq_write      (VnetState            *state,
                                   const VireoNetParams *params,
                                   GError              **error);
gboolean  vnet_dnsmasq_start      (VnetState            *state,
                                   const VireoNetParams *params,
                                   GError              **error);
gboolean  vnet_dnsmasq_alive      (VnetState            *state,
                                   const char           *name);
void      vnet_dnsmasq_reload     (VnetState            *state,
                                   const char           *name);
gboolean  vnet_dnsmasq_stop       (VnetState            *state,
                                   const char           *name,
                                   GError              **error);

/* ---- the operations, for the command line and D-Bus alike ---- */
gboolean  vnet_net_start          (VnetState            *state,
                                   const VireoNetParams *params,
                                   guint32               uid,
                                   GError              **error);
gboolean  vnet_net_stop           (VnetState            *state,
                                   const char           *name,
                                   guint32               uid,
                                   GError              **error);
int       vnet_net_open_tap       (VnetState            *state,
                                   const char           *name,
                                   const char           *mac,
                                   char                **tap_name,
                                   GError              **error);
GVariant *vnet_net_status         (VnetState            *state,
                                   const char           *name,
                                   GError              **error);
GVariant *vnet_net_leases         (VnetState            *state,
                                   const char           *name,
                                   GError              **error);
GVariant *vnet_net_list           (VnetState            *state);

/* ---- D-Bus ---- */
int       vnet_dbus_main          (const char *state_dir,
                                   const char *bus_address);

G_END_DECLS
