/* vireo-network-config.c: the network model, and its rules through VireoNetParams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No rule of what a network may be is decided here: the model converts
 * to VireoNetParams, which vireo-net-params.c checks, as vireo-net does.
 */
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-ids.h"
#include "vireo-network-config-private.h"

G_DEFINE_BOXED_TYPE (VireoNetworkConfig, vireo_network_config,
                     vireo_network_config_copy, vireo_network_config_free)

static void
host_config_free (gpointer data)
{
  VireoNetworkHostConfig *host = data;

  g_free (host->mac);
  g_free (host->ip);
  g_free (host->name);
  g_free (host);
}

static VireoNetworkHostConfig *
host_config_new (const char *mac,
                 const char *ip,
                 const char *name)
{
  VireoNetworkHostConfig *host = g_new0 (VireoNetworkHostConfig, 1);

  host->mac = g_strdup (mac);
  host->ip = g_strdup (ip);
  host->name = g_strdup (name);
  return host;
}

static void
kept_free (gpointer data)
{
  VireoNetworkKept *kept = data;

  g_free (kept->path);
  g_ptr_array_unref (kept->attrs);
  g_ptr_array_unref (kept->children);
  g_free (kept);
}

static GPtrArray *
strings_copy (GPtrArray *strings)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; strings && i < strings->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (strings, i)));
  return copy;
}

/**
 * _vireo_network_kept_get:
 * Returns: (transfer none) (nullable): what is kept for the element at
 *   @path, made empty when @create and there is none yet
 */
VireoNetworkKept *
_vireo_network_kept_get (GPtrArray  *kept,
                         const char *path,
                         gboolean    create)
{
  VireoNetworkKept *element;

  for (guint i = 0; i < kept->len; i++)
    {
      element = g_ptr_array_index (kept, i);
      if (g_str_equal (element->path, path))
        return element;
    }
  if (!create)
    return NULL;
  element = g_new0 (VireoNetworkKept, 1);
  element->path = g_strdup (path);
  element->attrs = g_ptr_array_new_with_free_func (g_free);
  element->children = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (kept, element);
  return element;
}

GPtrArray *
_vireo_network_kept_copy (GPtrArray *kept)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (kept_free);

  for (guint i = 0; kept && i < kept->len; i++)
    {
      const VireoNetworkKept *element = g_ptr_array_index (kept, i);
      VireoNetworkKept *dup = g_new0 (VireoNetworkKept, 1);

      dup->path = g_strdup (element->path);
      dup->attrs = strings_copy (element->attrs);
      dup->children = strings_copy (element->children);
      g_ptr_array_add (copy, dup);
    }
  return copy;
}

/**
 * vireo_network_config_new:
 * @name: (nullable): the network's name
 *
 * Returns: (transfer full): a NAT network with a new UUID and nothing
 *   else: the caller sets the bridge and the addresses (or asks
 *   vireo_local_backend_new_network_config(), which chooses free ones)
 */
VireoNetworkConfig *
vireo_network_config_new (const char *name)
{
  VireoNetworkConfig *config = g_new0 (VireoNetworkConfig, 1);

  config->name = g_strdup (name);
  config->uuid = vireo_uuid_generate ();
  config->forward = VIREO_NETWORK_FORWARD_NAT;
  config->hosts = g_ptr_array_new_with_free_func (host_config_free);
  config->extra = g_ptr_array_new_with_free_func (g_free);
  config->kept = g_ptr_array_new_with_free_func (kept_free);
  return config;
}

VireoNetworkConfig *
vireo_network_config_copy (const VireoNetworkConfig *config)
{
  VireoNetworkConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = vireo_network_config_new (config->name);
  g_free (copy->uuid);
  copy->uuid = g_strdup (config->uuid);
  copy->bridge = g_strdup (config->bridge);
  copy->bridge_mac = g_strdup (config->bridge_mac);
  copy->forward = config->forward;
  copy->address = g_strdup (config->address);
  copy->prefix = config->prefix;
  copy->dhcp_start = g_strdup (config->dhcp_start);
  copy->dhcp_end = g_strdup (config->dhcp_end);
  copy->domain = g_strdup (config->domain);
  for (guint i = 0; i < config->hosts->len; i++)
    {
      const VireoNetworkHostConfig *host = g_ptr_array_index (config->hosts, i);
      g_ptr_array_add (copy->hosts, host_config_new (host->mac, host->ip, host->name));
    }
  g_ptr_array_unref (copy->extra);
  copy->extra = strings_copy (config->extra);
  g_ptr_array_unref (copy->kept);
  copy->kept = _vireo_network_kept_copy (config->kept);
  return copy;
}

void
vireo_network_config_free (VireoNetworkConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->name);
  g_free (config->uuid);
  g_free (config->bridge);
  g_free (config->bridge_mac);
  g_free (config->address);
  g_free (config->dhcp_start);
  g_free (config->dhcp_end);
  g_free (config->domain);
  g_ptr_array_unref (config->hosts);
  g_ptr_array_unref (config->extra);
  g_ptr_array_unref (config->kept);
  g_free (config);
}

static gboolean
parse_address (const VireoNetworkConfig *config,
               const char               *what,
               const char               *text,
               guint32                  *addr,
               GError                  **error)
{
  if (vireo_ipv4_parse (text, addr))
    return TRUE;
  /* Translators: "Network 'lan': the DHCP range start '1.2.3' is not an IPv4 address" */
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               _("Network '%s': %s '%s' is not an IPv4 address"), config->name, what, text);
  return FALSE;
}

static gboolean
add_params_hosts (const VireoNetworkConfig *config,
                  VireoNetParams           *params,
                  GError                  **error)
{
  for (guint i = 0; i < config->hosts->len; i++)
    {
      const VireoNetworkHostConfig *host = g_ptr_array_index (config->hosts, i);
      guint32 ip;

      /* Translators: what a static lease's address is, in an error */
      if (!parse_address (config, _("the static lease address"), host->ip, &ip, error))
        return FALSE;
      vireo_net_params_add_host (params, host->mac, ip, host->name);
    }
  return TRUE;
}

/* The params without the final check: a bridge that is not Vireo's is
 * replaced when @check_bridge is FALSE, so that only the bridge rule is
 * left out (net-define gives an imported network a bridge of its own). */
static VireoNetParams *
build_params (const VireoNetworkConfig *config,
              gboolean                  check_bridge,
              GError                  **error)
{
  g_autoptr(VireoNetParams) params = vireo_net_params_new ();

  params->name = g_strdup (config->name);
  params->bridge = g_strdup (config->bridge);
  if (!check_bridge && (config->bridge == NULL || !vireo_net_bridge_validate (config->bridge, NULL)))
    {
      g_free (params->bridge);
      params->bridge = g_strdup (VIREO_NET_BRIDGE_PREFIX "0");
    }
  params->nat = config->forward == VIREO_NETWORK_FORWARD_NAT;
  params->prefix = config->prefix;
  params->domain = g_strdup (config->domain);
  if (config->address == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("Network '%s' has no IPv4 address (<ip address='…' prefix='…'>)"), config->name);
      return NULL;
    }
  /* Translators: what the address is, in an error */
  if (!parse_address (config, _("the address"), config->address, &params->address, error))
    return NULL;
  if ((config->dhcp_start == NULL) != (config->dhcp_end == NULL))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("Network '%s': a DHCP range needs both a start and an end"), config->name);
      return NULL;
    }
  if (config->dhcp_start != NULL &&
      /* Translators: what the address is, in an error */
      (!parse_address (config, _("the DHCP range start"), config->dhcp_start, &params->dhcp_start, error) ||
       /* Translators: what the address is, in an error */
       !parse_address (config, _("the DHCP range end"), config->dhcp_end, &params->dhcp_end, error)))
    return NULL;
  if (!add_params_hosts (config, params, error))
    return NULL;
  return g_steal_pointer (&params);
}

gboolean
_vireo_network_config_check (const VireoNetworkConfig *config,
                             gboolean                  check_bridge,
                             GError                  **error)
{
  g_autoptr(VireoNetParams) params = NULL;

  if (!vireo_network_name_validate (config->name, error))
    return FALSE;
  if (config->uuid == NULL || !vireo_uuid_is_valid (config->uuid))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("Network '%s' has no valid UUID"), config->name);
      return FALSE;
    }
  if (config->bridge_mac != NULL && !vireo_net_mac_validate (config->bridge_mac, error))
    {
      g_prefix_error (error, _("Network '%s': "), config->name);
      return FALSE;
    }
  params = build_params (config, check_bridge, error);
  return params != NULL && vireo_net_params_validate (params, error);
}

/**
 * vireo_network_config_validate:
 * Whether Vireo can run the network: the rules of vireo-net-params.c,
 * a bridge of Vireo's (vireobrN) and a valid UUID and bridge MAC.
 *
 * Returns: %FALSE with a %VIREO_ERROR one line naming the network
 */
gboolean
vireo_network_config_validate (const VireoNetworkConfig *config,
                               GError                  **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  return _vireo_network_config_check (config, TRUE, error);
}

/**
 * vireo_network_config_to_params:
 * Returns: (transfer full) (nullable): what vireo-net needs to run the
 *   network, validated; %NULL with @error set when it is not valid
 */
VireoNetParams *
vireo_network_config_to_params (const VireoNetworkConfig *config,
                                GError                  **error)
{
  g_autoptr(VireoNetParams) params = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  if (!vireo_network_config_validate (config, error))
    return NULL;
  params = build_params (config, TRUE, error);
  return g_steal_pointer (&params);
}

/**
 * vireo_network_config_describe_subnet:
 * Returns: (transfer full) (nullable): the subnet in CIDR form,
 *   "192.168.124.0/24"; %NULL when the address is missing or invalid
 */
char *
vireo_network_config_describe_subnet (const VireoNetworkConfig *config)
{
  g_autofree char *network = NULL;
  guint32 addr;

  g_return_val_if_fail (config != NULL, NULL);

  if (config->address == NULL || !vireo_ipv4_parse (config->address, &addr) ||
      config->prefix < 1 || config->prefix > 32)
    return NULL;
  network = vireo_ipv4_to_string (addr & vireo_ipv4_mask (config->prefix));
  return g_strdup_printf ("%s/%u", network, config->prefix);
}

/**
 * vireo_network_config_add_host:
 * @host_name: (nullable): the name the guest gets in the network's domain
 *
 * Adds a static DHCP lease (@mac always gets @ip), checked with the
 * network's rules: inside the subnet, not the host's address, no MAC,
 * address or name twice.  On error @config is unchanged.
 */
gboolean
vireo_network_config_add_host (VireoNetworkConfig *config,
                               const char         *mac,
                               const char         *ip,
                               const char         *host_name,
                               GError            **error)
{
  g_autofree char *norm = NULL;

  g_return_val_if_fail (config != NULL && mac != NULL && ip != NULL, FALSE);

  if (!vireo_net_mac_validate (mac, error))
    {
      g_prefix_error (error, _("Network '%s': "), config->name);
      return FALSE;
    }
  norm = vireo_mac_normalize (mac);
  g_ptr_array_add (config->hosts, host_config_new (norm, ip, host_name && *host_name ? host_name : NULL));
  if (!_vireo_network_config_check (config, FALSE, error))
    {
      g_ptr_array_remove_index (config->hosts, config->hosts->len - 1);
      return FALSE;
    }
  return TRUE;
}

void
vireo_network_lease_free (VireoNetworkLease *lease)
{
  if (lease == NULL)
    return;
  g_free (lease->mac);
  g_free (lease->ip);
  g_free (lease->hostname);
  g_free (lease->domain_name);
  g_free (lease);
}
