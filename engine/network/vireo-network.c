/* vireo-network.c: one virtual network, its definition and state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The base of every host's networks.  The object lives on the main
 * context: properties change and notify there.  The public operations
 * check once what every host shares, then call the subclass's vfunc,
 * which does the blocking part on a worker thread.
 */
#include "vireo-backend.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-network-private.h"

typedef struct
{
  VireoNetworkConfig *config;
  gboolean active;
  gboolean autostart;
  VireoBackend *backend;        /* weak */
} VireoNetworkPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (VireoNetwork, vireo_network, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_ACTIVE,
  PROP_AUTOSTART,
  PROP_CONFIG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vireo_network_finalize (GObject *object)
{
  VireoNetworkPrivate *priv = vireo_network_get_instance_private (VIREO_NETWORK (object));

  g_clear_weak_pointer (&priv->backend);
  g_clear_pointer (&priv->config, vireo_network_config_free);
  G_OBJECT_CLASS (vireo_network_parent_class)->finalize (object);
}

static void
vireo_network_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  VireoNetworkPrivate *priv = vireo_network_get_instance_private (VIREO_NETWORK (object));

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, priv->config ? priv->config->name : NULL);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, priv->active);
      break;
    case PROP_AUTOSTART:
      g_value_set_boolean (value, priv->autostart);
      break;
    case PROP_CONFIG:
      g_value_set_boxed (value, priv->config);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_network_class_init (VireoNetworkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vireo_network_finalize;
  object_class->get_property = vireo_network_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, flags);
  properties[PROP_AUTOSTART] = g_param_spec_boolean ("autostart", NULL, NULL, FALSE, flags);
  properties[PROP_CONFIG] = g_param_spec_boxed ("config", NULL, NULL, VIREO_TYPE_NETWORK_CONFIG, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vireo_network_init (VireoNetwork *self)
{
}

/**
 * _vireo_network_set_config:
 * @config: (transfer full): the definition; a subclass sets one before
 *   anyone sees the object
 */
void
_vireo_network_set_config (VireoNetwork       *self,
                           VireoNetworkConfig *config)
{
  VireoNetworkPrivate *priv = vireo_network_get_instance_private (self);
  g_autofree char *old = priv->config ? vireo_network_config_format (priv->config) : NULL;
  g_autofree char *new = vireo_network_config_format (config);

  if (g_strcmp0 (old, new) == 0)
    {
      vireo_network_config_free (config);
      return;
    }
  vireo_network_config_free (priv->config);
  priv->config = config;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
}

void
_vireo_network_set_autostart (VireoNetwork *self,
                              gboolean      autostart)
{
  VireoNetworkPrivate *priv = vireo_network_get_instance_private (self);

  if (priv->autostart == !!autostart)
    return;
  priv->autostart = !!autostart;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTOSTART]);
}

void
_vireo_network_set_active (VireoNetwork *self,
                           gboolean      active)
{
  VireoNetworkPrivate *priv = vireo_network_get_instance_private (self);

  if (priv->active == !!active)
    return;
  priv->active = !!active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

void
_vireo_network_set_backend (VireoNetwork *self,
                            VireoBackend *backend)
{
  VireoNetworkPrivate *priv = vireo_network_get_instance_private (self);

  g_set_weak_pointer (&priv->backend, backend);
}

/**
 * vireo_network_get_backend:
 * Returns: (transfer none) (nullable): the host the network is on;
 *   %NULL once that host is gone, while a window still holds the network
 */
VireoBackend *
vireo_network_get_backend (VireoNetwork *self)
{
  VireoNetworkPrivate *priv = vireo_network_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_NETWORK (self), NULL);

  return priv->backend;
}

const char *
vireo_network_get_name (VireoNetwork *self)
{
  VireoNetworkPrivate *priv = vireo_network_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_NETWORK (self), NULL);

  return priv->config->name;
}

/**
 * vireo_network_get_config:
 * Returns: (transfer none): the definition; replaced (not changed) when
 *   it changes, with a notify::config: copy it to keep it
 */
const VireoNetworkConfig *
vireo_network_get_config (VireoNetwork *self)
{
  VireoNetworkPrivate *priv = vireo_network_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_NETWORK (self), NULL);

  return priv->config;
}

/**
 * vireo_network_get_active:
 * Whether the host runs the network, as last known (events, or
 * vireo_network_refresh_async(), start, stop).
 */
gboolean
vireo_network_get_active (VireoNetwork *self)
{
  VireoNetworkPrivate *priv = vireo_network_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_NETWORK (self), FALSE);

  return priv->active;
}

gboolean
vireo_network_get_autostart (VireoNetwork *self)
{
  VireoNetworkPrivate *priv = vireo_network_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_NETWORK (self), FALSE);

  return priv->autostart;
}

/* The wrappers ---------------------------------------------------------- */

typedef gboolean (*FinishFunc) (VireoNetwork *self, GAsyncResult *result, GError **error);

/* Returns: (transfer full) (nullable): the caller's task, with the
 *   offset of the vfunc's finish in the class; %NULL when the subclass
 *   has no @implemented vfunc (the task got the error) */
static GTask *
begin (VireoNetwork        *self,
       gboolean             implemented,
       gsize                finish_offset,
       gpointer             source_tag,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, GSIZE_TO_POINTER (finish_offset), NULL);
  if (implemented)
    return task;
  g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
                           _("Network '%s': its host does not support this"), vireo_network_get_name (self));
  g_object_unref (task);
  return NULL;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  gsize offset = GPOINTER_TO_SIZE (g_task_get_task_data (task));
  FinishFunc finish = G_STRUCT_MEMBER (FinishFunc, VIREO_NETWORK_GET_CLASS (source), offset);
  GError *error = NULL;

  if (finish (VIREO_NETWORK (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
finish_boolean (VireoNetwork  *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

#define BEGIN(self, vfunc, tag) \
  begin (self, VIREO_NETWORK_GET_CLASS (self)->vfunc##_async != NULL, \
         G_STRUCT_OFFSET (VireoNetworkClass, vfunc##_finish), tag, cancellable, callback, user_data)

/**
 * vireo_network_start_async:
 * Runs the network on its host: on this machine vireo-net's bridge, NAT
 * rules and DHCP (without the helper this fails with
 * %VIREO_ERROR_PERMISSION and a line that says how to install it).
 */
void
vireo_network_start_async (VireoNetwork        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_NETWORK (self));

  if ((task = BEGIN (self, start, vireo_network_start_async)) != NULL)
    VIREO_NETWORK_GET_CLASS (self)->start_async (self, cancellable, on_done, task);
}

gboolean
vireo_network_start_finish (VireoNetwork  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_boolean (self, result, vireo_network_start_async, error);
}

/**
 * vireo_network_stop_async:
 * Stops the network; on this machine refused while a running VM uses it.
 */
void
vireo_network_stop_async (VireoNetwork        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_NETWORK (self));

  if ((task = BEGIN (self, stop, vireo_network_stop_async)) != NULL)
    VIREO_NETWORK_GET_CLASS (self)->stop_async (self, cancellable, on_done, task);
}

gboolean
vireo_network_stop_finish (VireoNetwork  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return finish_boolean (self, result, vireo_network_stop_async, error);
}

/**
 * vireo_network_refresh_async:
 * Asks the host whether it runs the network, and reads its definition
 * again where the host keeps it; "active" and "config" follow.
 */
void
vireo_network_refresh_async (VireoNetwork        *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_NETWORK (self));

  if ((task = BEGIN (self, refresh, vireo_network_refresh_async)) != NULL)
    VIREO_NETWORK_GET_CLASS (self)->refresh_async (self, cancellable, on_done, task);
}

gboolean
vireo_network_refresh_finish (VireoNetwork  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish_boolean (self, result, vireo_network_refresh_async, error);
}

/**
 * vireo_network_set_autostart_async:
 * Whether the network starts with its host (on this machine, with the
 * first front end of a session); "autostart" changes before @callback
 * runs.
 */
void
vireo_network_set_autostart_async (VireoNetwork        *self,
                                   gboolean             autostart,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_NETWORK (self));

  if ((task = BEGIN (self, set_autostart, vireo_network_set_autostart_async)) != NULL)
    VIREO_NETWORK_GET_CLASS (self)->set_autostart_async (self, !!autostart, cancellable, on_done, task);
}

gboolean
vireo_network_set_autostart_finish (VireoNetwork  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return finish_boolean (self, result, vireo_network_set_autostart_async, error);
}

/**
 * vireo_network_add_host_async:
 * @host_name: (nullable): the guest's name in the network's domain
 *
 * Adds a static DHCP lease to the definition, and live when the network
 * runs.  An invalid one fails without touching anything.
 */
void
vireo_network_add_host_async (VireoNetwork        *self,
                              const char          *mac,
                              const char          *ip,
                              const char          *host_name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_NETWORK (self));
  g_return_if_fail (mac != NULL && ip != NULL);

  if ((task = BEGIN (self, add_host, vireo_network_add_host_async)) != NULL)
    VIREO_NETWORK_GET_CLASS (self)->add_host_async (self, mac, ip, host_name, cancellable, on_done, task);
}

gboolean
vireo_network_add_host_finish (VireoNetwork  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish_boolean (self, result, vireo_network_add_host_async, error);
}

/* The VM of the network's host whose NIC on this network has @mac. */
static char *
domain_with_mac (VireoNetwork *self,
                 const char   *mac)
{
  VireoBackend *backend = vireo_network_get_backend (self);
  GListModel *domains = backend != NULL ? vireo_backend_get_domains (backend) : NULL;

  for (guint i = 0; domains && i < g_list_model_get_n_items (domains); i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (domains, i);
      const VireoDomainConfig *config = vireo_domain_get_config (domain);

      for (guint j = 0; j < config->nics->len; j++)
        {
          const VireoNicConfig *nic = g_ptr_array_index (config->nics, j);

          if (nic->type == VIREO_NET_NETWORK && g_strcmp0 (nic->network, vireo_network_get_name (self)) == 0 &&
              mac != NULL && g_ascii_strcasecmp (nic->mac, mac) == 0)
            return g_strdup (vireo_domain_get_name (domain));
        }
    }
  return NULL;
}

static void
on_leases (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoNetwork *self = VIREO_NETWORK (source);
  GPtrArray *leases;
  GError *error = NULL;

  leases = VIREO_NETWORK_GET_CLASS (self)->get_leases_finish (self, result, &error);
  if (leases == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < leases->len; i++)
    {
      VireoNetworkLease *lease = g_ptr_array_index (leases, i);

      if (lease->domain_name == NULL)
        lease->domain_name = domain_with_mac (self, lease->mac);
    }
  g_task_return_pointer (task, leases, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * vireo_network_get_leases_async:
 * The DHCP leases the network's host handed out, each with the VM of
 * that host that has the MAC on this network.
 */
void
vireo_network_get_leases_async (VireoNetwork        *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_NETWORK (self));

  if ((task = BEGIN (self, get_leases, vireo_network_get_leases_async)) != NULL)
    VIREO_NETWORK_GET_CLASS (self)->get_leases_async (self, cancellable, on_leases, task);
}

/**
 * vireo_network_get_leases_finish:
 * Returns: (transfer full) (element-type VireoNetworkLease) (nullable):
 *   the leases, on the main context
 */
GPtrArray *
vireo_network_get_leases_finish (VireoNetwork  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_network_get_leases_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
