/* vireo-local-backend-network.c: the engine's virtual networks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list of networks is read with the VMs (vireo_local_backend_load) and
 * changes on the main context.  Define and undefine read the folder
 * again under its lock on a worker thread, so that names, UUIDs,
 * bridges and subnets stay unique however many front ends define at
 * once.
 */
#include "vireo-domain.h"
#include "vireo-local-backend-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-network-private.h"

GPtrArray *
_vireo_local_backend_read_networks (const VireoPaths *paths,
                                    GPtrArray        *errors)
{
  return _vireo_network_store_load (paths, errors);
}

static VireoNetworkLoaded *
find_loaded (GPtrArray  *loaded,
             const char *name)
{
  for (guint i = 0; i < loaded->len; i++)
    {
      VireoNetworkLoaded *item = g_ptr_array_index (loaded, i);

      if (g_str_equal (item->config->name, name))
        return item;
    }
  return NULL;
}

/* Adds or updates one network from a definition (taken); returns it
 * (transfer none). */
VireoNetwork *
_vireo_local_backend_put_network (VireoLocalBackend  *self,
                                  VireoNetworkConfig *config,
                                  gboolean            autostart)
{
  VireoNetwork *network = vireo_local_backend_lookup_network (self, config->name);
  guint position;

  if (network != NULL && g_str_equal (vireo_network_get_config (network)->uuid, config->uuid))
    {
      _vireo_network_set_config (network, config);
      _vireo_network_set_autostart (network, autostart);
      return network;
    }
  if (network != NULL && g_list_store_find (self->networks, network, &position))
    g_list_store_remove (self->networks, position);
  network = _vireo_local_network_new (self->paths, G_LIST_MODEL (self->domains), config, autostart);
  _vireo_network_set_backend (network, VIREO_BACKEND (self));
  g_list_store_insert_sorted (self->networks, network, _vireo_backend_compare_networks, NULL);
  g_object_unref (network);
  return network;
}

/* Main context: the list follows what was read; objects of networks
 * that stay are kept, so front ends keep their rows. */
void
_vireo_local_backend_apply_networks (VireoLocalBackend *self,
                                     GPtrArray         *loaded,
                                     GPtrArray         *errors)
{
  GListModel *model = G_LIST_MODEL (self->networks);

  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(VireoNetwork) network = g_list_model_get_item (model, i - 1);

      if (find_loaded (loaded, vireo_network_get_name (network)) == NULL)
        g_list_store_remove (self->networks, i - 1);
    }
  for (guint i = 0; i < loaded->len; i++)
    {
      VireoNetworkLoaded *item = g_ptr_array_index (loaded, i);

      _vireo_local_backend_put_network (self, g_steal_pointer (&item->config), item->autostart);
    }
  g_ptr_array_set_size (self->network_load_errors, 0);
  for (guint i = 0; i < errors->len; i++)
    g_ptr_array_add (self->network_load_errors, vireo_load_error_copy (g_ptr_array_index (errors, i)));
}

/**
 * vireo_local_backend_get_networks:
 * vireo_backend_get_networks(), kept for front ends that hold this
 * machine's backend; the default network is defined on first use by the
 * load (see vireo-network-store.c)
 *
 * Returns: (transfer none): the defined networks (VireoNetwork), sorted
 *   by name
 */
GListModel *
vireo_local_backend_get_networks (VireoLocalBackend *self)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), NULL);

  return vireo_backend_get_networks (VIREO_BACKEND (self));
}

/**
 * vireo_local_backend_get_network_load_errors:
 * Returns: (transfer none) (element-type VireoLoadError): one record per
 *   network definition the last load skipped; valid until the next load
 */
GPtrArray *
vireo_local_backend_get_network_load_errors (VireoLocalBackend *self)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), NULL);

  return self->network_load_errors;
}

/**
 * vireo_local_backend_lookup_network:
 * vireo_backend_lookup_network(), kept for front ends that hold this
 * machine's backend.
 *
 * Returns: (transfer none) (nullable): the network named @name
 */
VireoNetwork *
vireo_local_backend_lookup_network (VireoLocalBackend *self,
                                    const char        *name)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), NULL);

  return vireo_backend_lookup_network (VIREO_BACKEND (self), name);
}

/* A /24 free among @configs and on the host, as "a.b.c.0/24". */
static gboolean
suggest (GPtrArray *configs,
         guint32   *network)
{
  g_autofree guint32 *taken = g_new0 (guint32, configs->len + 1);
  g_autofree guint *prefixes = g_new0 (guint, configs->len + 1);

  for (guint i = 0; i < configs->len; i++)
    {
      const VireoNetworkConfig *config = g_ptr_array_index (configs, i);
      guint32 addr = 0;

      vireo_ipv4_parse (config->address, &addr);
      prefixes[i] = config->prefix;
      taken[i] = addr & vireo_ipv4_mask (config->prefix);
    }
  return vireo_net_subnet_suggest (taken, prefixes, configs->len, network);
}

static GPtrArray *
defined_configs (VireoLocalBackend *self)
{
  GPtrArray *configs = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_network_config_free);
  GListModel *model = G_LIST_MODEL (self->networks);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(VireoNetwork) network = g_list_model_get_item (model, i);

      g_ptr_array_add (configs, vireo_network_config_copy (vireo_network_get_config (network)));
    }
  return configs;
}

/**
 * vireo_local_backend_suggest_subnet:
 * Reads the host's routes and addresses (no privileges needed).
 *
 * Returns: (transfer full) (nullable): a /24 that no defined network
 *   and nothing on the host uses, "192.168.125.0/24"; %NULL when
 *   192.168.124–254 are all taken
 */
char *
vireo_local_backend_suggest_subnet (VireoLocalBackend *self)
{
  g_autoptr(GPtrArray) configs = NULL;
  g_autofree char *text = NULL;
  guint32 network;

  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), NULL);

  configs = defined_configs (self);
  if (!suggest (configs, &network))
    return NULL;
  text = vireo_ipv4_to_string (network);
  return g_strdup_printf ("%s/24", text);
}

static char *
free_bridge (VireoLocalBackend *self)
{
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) configs = defined_configs (self);

  for (guint i = 0; i < configs->len; i++)
    {
      VireoNetworkLoaded *item = g_new0 (VireoNetworkLoaded, 1);

      item->config = g_ptr_array_index (configs, i);
      g_ptr_array_add (loaded, item);
    }
  return _vireo_network_store_free_bridge (loaded);
}

/**
 * vireo_local_backend_new_network_config:
 * @subnet: (nullable): "10.8.0.0/24"; %NULL: a free /24 is suggested
 * @isolated: no way out of the subnet (no <forward>)
 *
 * A new definition, not yet defined: a free vireobrN, the host on the
 * first address, DHCP on the rest.  Refused (one line) when the name or
 * the subnet is taken by a defined network, or the subnet is invalid.
 *
 * Returns: (transfer full) (nullable): the definition
 */
VireoNetworkConfig *
vireo_local_backend_new_network_config (VireoLocalBackend  *self,
                                        const char         *name,
                                        const char         *subnet,
                                        gboolean            isolated,
                                        GError            **error)
{
  g_autoptr(GPtrArray) configs = NULL;
  g_autoptr(VireoNetworkConfig) config = NULL;
  g_autofree char *bridge = NULL;
  guint32 network;
  guint prefix = 24;

  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), NULL);

  if (!vireo_network_name_validate (name, error))
    return NULL;
  configs = defined_configs (self);
  if (subnet != NULL && !_vireo_network_parse_subnet (name, subnet, &network, &prefix, error))
    return NULL;
  if (subnet == NULL && !suggest (configs, &network))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("Network '%s': no free subnet in 192.168.124.0 to 192.168.254.0, give one"), name);
      return NULL;
    }
  bridge = free_bridge (self);
  config = _vireo_network_new_config (name, network, prefix, bridge, isolated);
  if (!vireo_network_config_validate (config, error) ||
      !_vireo_network_check_unique (configs, config, error))
    return NULL;
  return g_steal_pointer (&config);
}
