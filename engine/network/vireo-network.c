/* vireo-network.c: one virtual network, its definition and state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The object lives on the main context: properties change and notify
 * there.  Operations that block (files, vireo-net) run on worker
 * threads with a copy of what they need (vireo-network-ops.c).
 */
#include "vireo-i18n.h"
#include "vireo-network-private.h"

struct _VireoNetwork
{
  GObject parent_instance;

  /* owned */
  VireoNetworkConfig *config;
  gboolean active;
  gboolean autostart;

  /* borrowed: the engine's, which outlives its networks */
  const VireoPaths *paths;
  GListModel *domains;
};

G_DEFINE_FINAL_TYPE (VireoNetwork, vireo_network, G_TYPE_OBJECT)

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
  VireoNetwork *self = VIREO_NETWORK (object);

  g_clear_pointer (&self->config, vireo_network_config_free);
  G_OBJECT_CLASS (vireo_network_parent_class)->finalize (object);
}

static void
vireo_network_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  VireoNetwork *self = VIREO_NETWORK (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->config->name);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_AUTOSTART:
      g_value_set_boolean (value, self->autostart);
      break;
    case PROP_CONFIG:
      g_value_set_boxed (value, self->config);
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
 * _vireo_network_new:
 * @paths: (transfer none): the engine's, which must outlive the network
 * @domains: (transfer none): the engine's VMs, for the leases' VM names
 * @config: (transfer full): a validated definition
 */
VireoNetwork *
_vireo_network_new (const VireoPaths   *paths,
                    GListModel         *domains,
                    VireoNetworkConfig *config,
                    gboolean            autostart)
{
  VireoNetwork *self = g_object_new (VIREO_TYPE_NETWORK, NULL);

  self->paths = paths;
  self->domains = domains;
  self->config = config;
  self->autostart = autostart;
  return self;
}

/* @config: (transfer full) */
void
_vireo_network_set_config (VireoNetwork       *self,
                           VireoNetworkConfig *config)
{
  g_autofree char *old = vireo_network_config_format (self->config);
  g_autofree char *new = vireo_network_config_format (config);

  if (g_str_equal (old, new))
    {
      vireo_network_config_free (config);
      return;
    }
  vireo_network_config_free (self->config);
  self->config = config;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
}

void
_vireo_network_set_autostart (VireoNetwork *self,
                              gboolean      autostart)
{
  if (self->autostart == !!autostart)
    return;
  self->autostart = !!autostart;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTOSTART]);
}

void
_vireo_network_set_active (VireoNetwork *self,
                           gboolean      active)
{
  if (self->active == !!active)
    return;
  self->active = !!active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

const VireoPaths *
_vireo_network_get_paths (VireoNetwork *self)
{
  return self->paths;
}

GListModel *
_vireo_network_get_domains (VireoNetwork *self)
{
  return self->domains;
}

const char *
vireo_network_get_name (VireoNetwork *self)
{
  g_return_val_if_fail (VIREO_IS_NETWORK (self), NULL);

  return self->config->name;
}

/**
 * vireo_network_get_config:
 * Returns: (transfer none): the definition; replaced (not changed) when
 *   it changes, with a notify::config: copy it to keep it
 */
const VireoNetworkConfig *
vireo_network_get_config (VireoNetwork *self)
{
  g_return_val_if_fail (VIREO_IS_NETWORK (self), NULL);

  return self->config;
}

/**
 * vireo_network_get_active:
 * Whether vireo-net runs the network, as last asked
 * (vireo_network_refresh_async(), start, stop).
 */
gboolean
vireo_network_get_active (VireoNetwork *self)
{
  g_return_val_if_fail (VIREO_IS_NETWORK (self), FALSE);

  return self->active;
}

gboolean
vireo_network_get_autostart (VireoNetwork *self)
{
  g_return_val_if_fail (VIREO_IS_NETWORK (self), FALSE);

  return self->autostart;
}

static void
autostart_in_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  VireoNetwork *self = source_object;
  gboolean autostart = GPOINTER_TO_INT (task_data);
  GError *error = NULL;

  if (_vireo_network_store_set_autostart (self->paths, self->config->name, autostart, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_autostart_set (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoNetwork *self = VIREO_NETWORK (source);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  _vireo_network_set_autostart (self, GPOINTER_TO_INT (g_task_get_task_data (task)));
  g_task_return_boolean (task, TRUE);
}

/**
 * vireo_network_set_autostart_async:
 * Whether the network starts with the first front end of a session (as
 * libvirt's autostart): a marker file beside the definition, written on
 * a worker thread; "autostart" changes before @callback runs.
 */
void
vireo_network_set_autostart_async (VireoNetwork        *self,
                                   gboolean             autostart,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) write = NULL;

  g_return_if_fail (VIREO_IS_NETWORK (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_network_set_autostart_async);
  g_task_set_task_data (task, GINT_TO_POINTER (!!autostart), NULL);
  write = g_task_new (self, cancellable, on_autostart_set, g_steal_pointer (&task));
  g_task_set_task_data (write, GINT_TO_POINTER (!!autostart), NULL);
  g_task_run_in_thread (write, autostart_in_thread);
}

gboolean
vireo_network_set_autostart_finish (VireoNetwork  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_network_set_autostart_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * _vireo_network_running_user:
 * Returns: (transfer none) (nullable): a VM of @domains that runs (or
 *   is starting, paused…) with a NIC on network @name: the network is
 *   not stopped or undefined under it
 */
VireoDomain *
_vireo_network_running_user (GListModel *domains,
                             const char *name)
{
  for (guint i = 0; domains != NULL && i < g_list_model_get_n_items (domains); i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (domains, i);
      const VireoDomainConfig *config = vireo_domain_get_config (domain);
      VireoDomainState state = vireo_domain_get_state (domain);

      if (state == VIREO_DOMAIN_STATE_SHUTOFF || state == VIREO_DOMAIN_STATE_CRASHED)
        continue;
      for (guint j = 0; j < config->nics->len; j++)
        {
          const VireoNicConfig *nic = g_ptr_array_index (config->nics, j);

          if (nic->type == VIREO_NET_NETWORK && g_strcmp0 (nic->network, name) == 0)
            return domain;  /* the list holds a reference */
        }
    }
  return NULL;
}
