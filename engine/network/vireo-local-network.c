/* vireo-local-network.c: a network of this machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Definitions live in VireoPaths.networks_dir as NAME.xml, in libvirt's
 * network XML; autostart is a marker file beside them (as libvirt's
 * autostart/ links).  Running networks belong to vireo-net, the
 * privileged helper: "active" is what it says
 * (vireo-local-network-ops.c).
 */
#include "vireo-i18n.h"
#include "vireo-network-private.h"

struct _VireoLocalNetwork
{
  VireoNetwork parent_instance;

  /* borrowed: the engine's, which outlives its networks */
  const VireoPaths *paths;
  GListModel *domains;
};

G_DEFINE_FINAL_TYPE (VireoLocalNetwork, vireo_local_network, VIREO_TYPE_NETWORK)

static void
autostart_in_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  VireoLocalNetwork *self = source_object;
  gboolean autostart = GPOINTER_TO_INT (task_data);
  GError *error = NULL;

  if (_vireo_network_store_set_autostart (self->paths, vireo_network_get_name (VIREO_NETWORK (self)),
                                          autostart, &error))
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

/* A marker file beside the definition, written on a worker thread */
static void
local_set_autostart_async (VireoNetwork        *self,
                           gboolean             autostart,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) write = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, local_set_autostart_async);
  g_task_set_task_data (task, GINT_TO_POINTER (!!autostart), NULL);
  write = g_task_new (self, cancellable, on_autostart_set, g_steal_pointer (&task));
  g_task_set_task_data (write, GINT_TO_POINTER (!!autostart), NULL);
  g_task_run_in_thread (write, autostart_in_thread);
}

static gboolean
local_set_autostart_finish (VireoNetwork  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vireo_local_network_class_init (VireoLocalNetworkClass *klass)
{
  VireoNetworkClass *network_class = VIREO_NETWORK_CLASS (klass);

  network_class->set_autostart_async = local_set_autostart_async;
  network_class->set_autostart_finish = local_set_autostart_finish;
  _vireo_local_network_class_init_ops (network_class);
}

static void
vireo_local_network_init (VireoLocalNetwork *self)
{
}

/**
 * _vireo_local_network_new:
 * @paths: (transfer none): the engine's, which must outlive the network
 * @domains: (transfer none): the engine's VMs, which a stop or undefine
 *   must not pull the network from under
 * @config: (transfer full): a validated definition
 */
VireoNetwork *
_vireo_local_network_new (const VireoPaths   *paths,
                          GListModel         *domains,
                          VireoNetworkConfig *config,
                          gboolean            autostart)
{
  VireoLocalNetwork *self = g_object_new (VIREO_TYPE_LOCAL_NETWORK, NULL);

  self->paths = paths;
  self->domains = domains;
  _vireo_network_set_config (VIREO_NETWORK (self), config);
  _vireo_network_set_autostart (VIREO_NETWORK (self), autostart);
  return VIREO_NETWORK (self);
}

const VireoPaths *
_vireo_local_network_get_paths (VireoLocalNetwork *self)
{
  return self->paths;
}

GListModel *
_vireo_local_network_get_domains (VireoLocalNetwork *self)
{
  return self->domains;
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
