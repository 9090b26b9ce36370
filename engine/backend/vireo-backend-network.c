/* vireo-backend-network.c: a host's virtual networks, decided once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list of networks (in name order) and the rules every host shares
 * about defining and undefining one; a subclass fills the list and does
 * the work through the class's vfuncs.
 */
#include "vireo-backend-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-network-config-private.h"
#include "vireo-network-private.h"

int
_vireo_backend_compare_networks (gconstpointer a,
                                 gconstpointer b,
                                 gpointer      user_data)
{
  return g_strcmp0 (vireo_network_get_name ((VireoNetwork *) a), vireo_network_get_name ((VireoNetwork *) b));
}

/**
 * vireo_backend_get_networks:
 * Returns: (transfer none): the host's virtual networks, a #GListModel
 *   of #VireoNetwork in name order; empty for a host without networks
 */
GListModel *
vireo_backend_get_networks (VireoBackend *self)
{
  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);

  return G_LIST_MODEL (_vireo_backend_get_network_store (self));
}

/**
 * vireo_backend_lookup_network:
 * Returns: (transfer none) (nullable): the network named @name
 */
VireoNetwork *
vireo_backend_lookup_network (VireoBackend *self,
                              const char   *name)
{
  GListModel *list;

  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);

  list = vireo_backend_get_networks (self);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(VireoNetwork) network = g_list_model_get_item (list, i);

      if (g_strcmp0 (vireo_network_get_name (network), name) == 0)
        return network;   /* the list holds a reference */
    }
  return NULL;
}

static VireoNetwork *
lookup_by_uuid (VireoBackend *self,
                const char   *uuid)
{
  GListModel *list = vireo_backend_get_networks (self);

  for (guint i = 0; uuid != NULL && i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(VireoNetwork) network = g_list_model_get_item (list, i);
      const char *theirs = vireo_network_get_config (network)->uuid;

      if (theirs != NULL && g_ascii_strcasecmp (theirs, uuid) == 0)
        return network;
    }
  return NULL;
}

/**
 * vireo_backend_check_networks:
 *
 * The one rule for whether a front end may show and change @self's
 * networks now: the host is connected and has virtual networks.
 *
 * Returns: %TRUE, or %FALSE with the reason in one line
 */
gboolean
vireo_backend_check_networks (VireoBackend  *self,
                              GError       **error)
{
  g_return_val_if_fail (VIREO_IS_BACKEND (self), FALSE);

  if (vireo_backend_get_state (self) != VIREO_BACKEND_STATE_CONNECTED)
    /* Translators: why a host's networks cannot be changed */
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_DISCONNECTED, _("Host '%s' is not connected"),
                 vireo_backend_get_title (self));
  else if (!vireo_backend_can (self, VIREO_BACKEND_CAN_NETWORKS))
    /* Translators: why a host's networks cannot be changed */
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED, _("Host '%s' has no virtual networks"),
                 vireo_backend_get_title (self));
  else
    return TRUE;
  return FALSE;
}

static gboolean
check_networks (VireoBackend  *self,
                const char    *name,
                GError       **error)
{
  VireoBackendClass *klass = VIREO_BACKEND_GET_CLASS (self);

  if (vireo_backend_can (self, VIREO_BACKEND_CAN_NETWORKS) &&
      klass->define_network_async != NULL && klass->undefine_network_async != NULL)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
               _("Network '%s': host '%s' has no virtual networks"), name, vireo_backend_get_title (self));
  return FALSE;
}

/* A new network's name and UUID are free; a redefinition has both of
 * the same network.  The host's own rules (vireo-net's bridges and
 * subnets on this machine) are the subclass's. */
static gboolean
check_define (VireoBackend              *self,
              const VireoNetworkConfig  *config,
              GError                   **error)
{
  VireoNetwork *by_name = vireo_backend_lookup_network (self, config->name);
  VireoNetwork *by_uuid = lookup_by_uuid (self, config->uuid);

  if (!check_networks (self, config->name, error) || !_vireo_network_config_check (config, FALSE, error))
    return FALSE;
  if (by_name != NULL && by_name != by_uuid)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("A network named '%s' already exists"), config->name);
      return FALSE;
    }
  if (by_uuid != NULL && by_name == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("Network '%s' has the UUID of network '%s'"),
                   config->name, vireo_network_get_name (by_uuid));
      return FALSE;
    }
  return TRUE;
}

static void
on_network_defined (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  VireoBackend *self = VIREO_BACKEND (source);
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  VireoNetwork *network = VIREO_BACKEND_GET_CLASS (self)->define_network_finish (self, result, &error);

  if (network == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, network, g_object_unref);
}

/**
 * vireo_backend_define_network_async:
 * @config: (transfer none): copied at once
 *
 * Adds a network to the host, or replaces the definition of the network
 * with the same name and UUID (a running network takes it when it starts
 * again).  Refused in one line, before the host is asked, when the host
 * has no networks, @config is invalid, or another network has its name
 * or UUID; the host may refuse more (on this machine: a bridge or
 * subnet another network has).
 */
void
vireo_backend_define_network_async (VireoBackend             *self,
                                    const VireoNetworkConfig *config,
                                    GCancellable             *cancellable,
                                    GAsyncReadyCallback       callback,
                                    gpointer                  user_data)
{
  VireoBackendClass *klass;
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (VIREO_IS_BACKEND (self));
  g_return_if_fail (config != NULL);

  klass = VIREO_BACKEND_GET_CLASS (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_backend_define_network_async);
  if (!check_define (self, config, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  klass->define_network_async (self, config, cancellable, on_network_defined, task);
}

/**
 * vireo_backend_define_network_finish:
 * Returns: (transfer full) (nullable): the network, in the host's list
 */
VireoNetwork *
vireo_backend_define_network_finish (VireoBackend  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_backend_define_network_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
check_undefine (VireoBackend  *self,
                VireoNetwork  *network,
                GError       **error)
{
  const char *name = vireo_network_get_name (network);

  if (!check_networks (self, name, error))
    return FALSE;
  if (vireo_network_get_backend (network) != self)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("Network '%s' is not on host '%s'"),
                   name, vireo_backend_get_title (self));
      return FALSE;
    }
  if (vireo_network_get_active (network))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_BUSY, _("Network '%s' is running: stop it first"), name);
      return FALSE;
    }
  return TRUE;
}

static void
on_network_undefined (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  VireoBackend *self = VIREO_BACKEND (source);
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (VIREO_BACKEND_GET_CLASS (self)->undefine_network_finish (self, result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_backend_undefine_network_async:
 *
 * Removes the network's definition and takes it out of the host's list.
 * Refused in one line while it is active (stop it first), or when it
 * is not the host's; the host may refuse more (on this machine: a
 * running VM uses it).
 */
void
vireo_backend_undefine_network_async (VireoBackend        *self,
                                      VireoNetwork        *network,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (VIREO_IS_BACKEND (self));
  g_return_if_fail (VIREO_IS_NETWORK (network));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_backend_undefine_network_async);
  if (!check_undefine (self, network, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  VIREO_BACKEND_GET_CLASS (self)->undefine_network_async (self, network, cancellable, on_network_undefined, task);
}

gboolean
vireo_backend_undefine_network_finish (VireoBackend  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_backend_undefine_network_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The first of the host's networks whose subnet meets @network/@prefix */
static VireoNetwork *
overlapping (VireoBackend *self,
             guint32       network,
             guint         prefix)
{
  GListModel *list = vireo_backend_get_networks (self);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(VireoNetwork) other = g_list_model_get_item (list, i);
      const VireoNetworkConfig *config = vireo_network_get_config (other);
      guint32 addr;

      if (config->address != NULL && vireo_ipv4_parse (config->address, &addr) &&
          vireo_net_subnets_overlap (network, prefix, addr & vireo_ipv4_mask (MIN (config->prefix, 32)),
                                     MIN (config->prefix, 32)))
        return other;   /* the list holds a reference */
    }
  return NULL;
}

/**
 * _vireo_backend_check_network_overlap:
 *
 * For a host without rules of its own about subnets (a libvirt host; this
 * computer's are vireo-net's): @config's subnet is no other network's,
 * checked again at define since two New Network dialogs may have offered
 * the same free one.
 */
gboolean
_vireo_backend_check_network_overlap (VireoBackend              *self,
                                      const VireoNetworkConfig  *config,
                                      GError                   **error)
{
  VireoNetwork *same = lookup_by_uuid (self, config->uuid);
  VireoNetwork *other;
  g_autofree char *described = NULL;
  guint32 address;
  guint prefix = MIN (config->prefix, 32);

  if (config->address == NULL || !vireo_ipv4_parse (config->address, &address) ||
      (other = overlapping (self, address & vireo_ipv4_mask (prefix), prefix)) == NULL || other == same)
    return TRUE;
  described = vireo_network_config_describe_subnet (vireo_network_get_config (other));
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("Network '%s' overlaps subnet %s of network '%s'"),
               config->name, described, vireo_network_get_name (other));
  return FALSE;
}

/* The first 192.168.N.0/24 from N = 124 up (libvirt's 122 stays free)
 * that none of the host's networks has: another host's routes are not
 * this computer's to read, the host refuses a clash when it starts it. */
static gboolean
free_subnet (VireoBackend *self,
             guint32      *network)
{
  for (guint n = 124; n < 255; n++)
    {
      guint32 candidate = (192u << 24) | (168u << 16) | (n << 8);

      if (overlapping (self, candidate, 24) == NULL)
        {
          *network = candidate;
          return TRUE;
        }
    }
  return FALSE;
}

/* The first virbrN none of the host's networks has: libvirt names a
 * bridge itself only where its network driver runs (not on the test
 * driver), and Vireo reads back a <bridge> without a name as no network
 * it can change */
static char *
free_bridge (VireoBackend *self)
{
  GListModel *list = vireo_backend_get_networks (self);

  for (guint n = 0;; n++)
    {
      g_autofree char *name = g_strdup_printf ("virbr%u", n);
      gboolean used = FALSE;

      for (guint i = 0; i < g_list_model_get_n_items (list) && !used; i++)
        {
          g_autoptr(VireoNetwork) other = g_list_model_get_item (list, i);

          used = g_strcmp0 (vireo_network_get_config (other)->bridge, name) == 0;
        }
      if (!used)
        return g_steal_pointer (&name);
    }
}

static char *
real_suggest_subnet (VireoBackend *self)
{
  g_autofree char *text = NULL;
  guint32 network;

  if (!free_subnet (self, &network))
    return NULL;
  text = vireo_ipv4_to_string (network);
  return g_strdup_printf ("%s/24", text);
}

/* A name free on the host, a subnet and a virbrN none of its networks
 * has; the host gives the bridge its MAC when it defines the network */
static VireoNetworkConfig *
real_new_network_config (VireoBackend  *self,
                         const char    *name,
                         const char    *subnet,
                         gboolean       isolated,
                         GError       **error)
{
  g_autoptr(VireoNetworkConfig) config = NULL;
  g_autofree char *described = NULL;
  g_autofree char *bridge = NULL;
  VireoNetwork *other;
  guint32 network;
  guint prefix = 24;

  if (!vireo_network_name_validate (name, error))
    return NULL;
  if (vireo_backend_lookup_network (self, name) != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("A network named '%s' already exists"), name);
      return NULL;
    }
  if (subnet != NULL && !_vireo_network_parse_subnet (name, subnet, &network, &prefix, error))
    return NULL;
  if (subnet == NULL && !free_subnet (self, &network))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("Network '%s': no free subnet in 192.168.124.0 to 192.168.254.0, give one"), name);
      return NULL;
    }
  if ((other = overlapping (self, network, prefix)) != NULL)
    {
      described = vireo_network_config_describe_subnet (vireo_network_get_config (other));
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("Network '%s' overlaps subnet %s of network '%s'"),
                   name, described, vireo_network_get_name (other));
      return NULL;
    }
  bridge = free_bridge (self);
  config = _vireo_network_new_config (name, network, prefix, bridge, isolated);
  g_clear_pointer (&config->bridge_mac, g_free);
  if (!_vireo_network_config_check (config, FALSE, error))
    return NULL;
  return g_steal_pointer (&config);
}

/**
 * vireo_backend_new_network_config:
 * @subnet: (nullable): "10.8.0.0/24"; %NULL: a free /24 is suggested
 * @isolated: no way out of the subnet (no <forward>)
 *
 * A new definition for this host, not yet defined: the host on the
 * subnet's first address, DHCP on the rest, a bridge of its own (a
 * vireobrN on this computer, a virbrN on a libvirt host).  Refused in one line when the host has no networks, the name is
 * invalid or taken, or the subnet is invalid or another network's.
 *
 * Returns: (transfer full) (nullable): the definition
 */
VireoNetworkConfig *
vireo_backend_new_network_config (VireoBackend  *self,
                                  const char    *name,
                                  const char    *subnet,
                                  gboolean       isolated,
                                  GError       **error)
{
  VireoBackendClass *klass;

  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  klass = VIREO_BACKEND_GET_CLASS (self);
  if (!check_networks (self, name, error))
    return NULL;
  if (klass->new_network_config != NULL)
    return klass->new_network_config (self, name, subnet, isolated, error);
  return real_new_network_config (self, name, subnet, isolated, error);
}

/**
 * vireo_backend_suggest_subnet:
 * Returns: (transfer full) (nullable): a /24 free for a new network of
 *   this host, "192.168.125.0/24"; %NULL when none is, or the host has
 *   no networks
 */
char *
vireo_backend_suggest_subnet (VireoBackend *self)
{
  VireoBackendClass *klass;

  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);

  klass = VIREO_BACKEND_GET_CLASS (self);
  if (!vireo_backend_can (self, VIREO_BACKEND_CAN_NETWORKS))
    return NULL;
  if (klass->suggest_subnet != NULL)
    return klass->suggest_subnet (self);
  return real_suggest_subnet (self);
}
