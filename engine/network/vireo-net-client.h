/* vireo-net-client.h: the engine's door to vireo-net, the privileged helper
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Blocking calls, for worker threads only.  The transport is chosen once,
 * in vireo_net_client_new():
 *  - $VIREO_NET_BUS set: D-Bus at that address (tests start a private bus);
 *  - running as root: the helper binary is run directly, one process per
 *    call (`vireo-net [--state-dir DIR] COMMAND …`; a tap fd comes back
 *    over an AF_UNIX socketpair on the helper's fd 3 with SCM_RIGHTS);
 *  - otherwise: the system bus, service dev.vireo.Net1, authorised by
 *    polkit (fds as GUnixFDList).
 * Errors are VIREO_ERROR, one line naming the network and the cause; a
 * missing or unauthorised helper is VIREO_ERROR_PERMISSION with a message
 * that says how to fix it.
 */
#pragma once

#include <glib.h>

#include "vireo-net-params.h"

G_BEGIN_DECLS

typedef struct _VireoNetClient VireoNetClient;

/* one DHCP lease, as dnsmasq's lease file has it */
typedef struct {
  gint64 expiry;         /* seconds since the epoch; 0: never */
  char *mac;
  char *ip;
  char *hostname;        /* NULL when the guest sent none */
} VireoNetLease;

/* what vireo-net knows of a network right now */
typedef struct {
  gboolean running;        /* bridge, table and (if any range) dnsmasq set up by vireo-net */
  gboolean dnsmasq_alive;  /* FALSE when it died since */
  VireoNetParams *params;  /* as it was started; NULL when not running */
} VireoNetStatus;

VireoNetClient *vireo_net_client_new        (GError              **error);
void            vireo_net_client_free       (VireoNetClient       *client);

/* starts the network; on one already running with the same settings
 * (vireo_net_params_same_network) it rewrites the static leases and
 * restarts a dnsmasq that died; other settings are an error */
gboolean        vireo_net_client_start      (VireoNetClient       *client,
                                             const VireoNetParams *params,
                                             GError              **error);
gboolean        vireo_net_client_stop       (VireoNetClient       *client,
                                             const char           *name,
                                             GError              **error);
/* returns a new fd of a tap on the network's bridge (the caller closes
 * it), MAC @mac with its first byte set to 0xfe */
int             vireo_net_client_open_tap   (VireoNetClient       *client,
                                             const char           *name,
                                             const char           *mac,
                                             char                **tap_name,
                                             GError              **error);
VireoNetStatus *vireo_net_client_status     (VireoNetClient       *client,
                                             const char           *name,
                                             GError              **error);
/* (element-type VireoNetLease) */
GPtrArray      *vireo_net_client_leases     (VireoNetClient       *client,
                                             const char           *name,
                                             GError              **error);

void            vireo_net_status_free       (VireoNetStatus       *status);
void            vireo_net_lease_free        (VireoNetLease        *lease);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoNetClient, vireo_net_client_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoNetStatus, vireo_net_status_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoNetLease, vireo_net_lease_free)

G_END_DECLS
