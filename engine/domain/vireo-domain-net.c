/* vireo-domain-net.c: a starting VM's taps on its virtual networks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For each NIC on a virtual network: the network's definition as it is on
 * disk now, the network started (when it is marked autostart) or repaired
 * (a dnsmasq that died is restarted, the static leases rewritten) through
 * vireo-net, then a tap on its bridge.  Worker thread only: vireo-net is
 * a process or a D-Bus call away.
 */
#include <unistd.h>

#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-load-error.h"
#include "vireo-net-client.h"
#include "vireo-network-private.h"
#include "vireo-qemu-argv.h"
#include "vireo-shim-protocol.h"

static void
close_fd (gpointer data)
{
  int fd = *(int *) data;

  if (fd >= 0)
    close (fd);
}

/* the definition on disk now */
static VireoNetworkConfig *
read_network (const VireoPaths  *paths,
              const char        *name,
              gboolean          *autostart,
              GError           **error)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_load_error_free);
  g_autoptr(GPtrArray) loaded = _vireo_network_store_read (paths, errors);

  for (guint i = 0; i < loaded->len; i++)
    {
      const VireoNetworkLoaded *item = g_ptr_array_index (loaded, i);

      if (g_str_equal (item->config->name, name))
        {
          *autostart = item->autostart;
          return vireo_network_config_copy (item->config);
        }
    }
  for (guint i = 0; i < errors->len; i++)
    {
      const VireoLoadError *e = g_ptr_array_index (errors, i);

      if (g_strcmp0 (e->name, name) == 0)
        {
          g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG, e->error->message);
          return NULL;
        }
    }
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
               _("network '%s' is not defined (define it, or use user-mode networking)"), name);
  return NULL;
}

/* the network runs with this definition, or is started with it when it
 * is marked autostart */
static gboolean
ensure_network (const VireoPaths        *paths,
                VireoNetClient          *client,
                const char              *network,
                GError                 **error)
{
  g_autoptr(VireoNetworkConfig) net = NULL;
  g_autoptr(VireoNetParams) params = NULL;
  g_autoptr(VireoNetStatus) status = NULL;
  g_autoptr(VireoLock) lock = NULL;
  gboolean autostart = FALSE;

  /* Under the networks folder's lock, as an undefine: it either removed
   * the definition before, or sees the network run after. */
  lock = _vireo_network_store_lock (paths, network, error);
  if (lock == NULL)
    return FALSE;
  net = read_network (paths, network, &autostart, error);
  if (net == NULL)
    return FALSE;
  params = vireo_network_config_to_params (net, error);
  if (params == NULL)
    return FALSE;
  status = vireo_net_client_status (client, network, error);
  if (status == NULL)
    return FALSE;
  if (!status->running && !autostart)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                   _("network '%s' is not active (start it with 'vireoctl net-start %s', or mark it autostart)"),
                   network, network);
      return FALSE;
    }
  return vireo_net_client_start (client, params, error);
}

/**
 * _vireo_domain_open_taps:
 * Returns: (transfer full): an array of fds, one per NIC on a virtual
 *   network in the order of the NICs (empty when there is none); the
 *   array closes them when it goes.  %NULL and @error when a network is
 *   missing, inactive, or vireo-net cannot be reached or refuses.
 */
GArray *
_vireo_domain_open_taps (const VireoPaths        *paths,
                         const VireoDomainConfig *config,
                         GError                 **error)
{
  g_autoptr(GArray) taps = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(VireoNetClient) client = NULL;
  g_autoptr(GPtrArray) ready = g_ptr_array_new ();

  g_array_set_clear_func (taps, close_fd);
  for (guint i = 0; i < config->nics->len; i++)
    {
      const VireoNicConfig *nic = g_ptr_array_index (config->nics, i);
      int fd;

      if (nic->type != VIREO_NET_NETWORK)
        continue;
      if (taps->len == VIREO_QEMU_TAPS_MAX || i >= VIREO_QEMU_TAPS_MAX)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       _("VM '%s' has more than %d NICs"), config->name, VIREO_QEMU_TAPS_MAX);
          return NULL;
        }
      if (client == NULL)
        client = vireo_net_client_new (error);
      /* each network once, however many NICs are on it */
      if (client != NULL && !g_ptr_array_find_with_equal_func (ready, nic->network, g_str_equal, NULL) &&
          ensure_network (paths, client, nic->network, error))
        g_ptr_array_add (ready, nic->network);
      fd = client != NULL && g_ptr_array_find_with_equal_func (ready, nic->network, g_str_equal, NULL)
           ? vireo_net_client_open_tap (client, nic->network, nic->mac, NULL, error) : -1;
      if (fd < 0)
        {
          /* Translators: the prefix of "VM 'web': network 'lab' is not active…" */
          g_prefix_error (error, _("VM '%s': "), config->name);
          return NULL;
        }
      g_array_append_val (taps, fd);
    }
  return g_steal_pointer (&taps);
}
