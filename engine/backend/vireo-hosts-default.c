/* vireo-hosts-default.c: the hosts of this user, as every front end opens them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "vireo-hosts.h"
#include "vireo-libvirt-backend.h"
#include "vireo-local-backend.h"
#include "vireo-paths.h"

/**
 * vireo_hosts_new_default:
 * @local: this computer's VMs
 *
 * The hosts a window shows: this computer first, then the connections
 * saved in its config folder's hosts.conf, each a libvirt host.  Not
 * loaded yet (vireo_hosts_load()).
 *
 * Returns: (transfer full): the hosts
 */
VireoHosts *
vireo_hosts_new_default (VireoLocalBackend *local)
{
  g_autofree char *file = vireo_paths_hosts_file (vireo_local_backend_get_paths (local));
  VireoHosts *hosts = vireo_hosts_new (VIREO_BACKEND (local), file);

  vireo_hosts_set_factory (hosts, vireo_libvirt_backend_factory, NULL);
  return hosts;
}
