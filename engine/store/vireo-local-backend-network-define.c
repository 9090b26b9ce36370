/* vireo-local-backend-network-define.c: defining and undefining networks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "vireo-domain.h"
#include "vireo-local-backend-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-network-private.h"

static GPtrArray *
configs_of (GPtrArray *loaded)
{
  GPtrArray *configs = g_ptr_array_new ();

  for (guint i = 0; i < loaded->len; i++)
    g_ptr_array_add (configs, ((VireoNetworkLoaded *) g_ptr_array_index (loaded, i))->config);
  return configs;
}

/* A bridge that is not Vireo's (libvirt's virbr0 in an imported
 * definition) becomes a free vireobrN; a network defined again keeps
 * the bridge it had. */
static void
choose_bridge (VireoNetworkConfig *config,
               GPtrArray          *loaded)
{
  VireoNetworkLoaded *old = NULL;

  if (config->bridge != NULL && vireo_net_bridge_validate (config->bridge, NULL))
    return;
  for (guint i = 0; i < loaded->len && old == NULL; i++)
    {
      VireoNetworkLoaded *item = g_ptr_array_index (loaded, i);

      if (g_str_equal (item->config->name, config->name) && g_str_equal (item->config->uuid, config->uuid))
        old = item;
    }
  g_free (config->bridge);
  config->bridge = old ? g_strdup (old->config->bridge) : _vireo_network_store_free_bridge (loaded);
}

static void
define_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  VireoLocalBackend *self = source_object;
  g_autoptr(VireoNetworkConfig) config = vireo_network_config_copy (task_data);
  g_autoptr(VireoLock) lock = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) configs = NULL;
  GError *error = NULL;

  lock = _vireo_network_store_lock (self->paths, config->name, &error);
  if (lock == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  loaded = _vireo_network_store_read (self->paths, NULL);
  configs = configs_of (loaded);
  choose_bridge (config, loaded);
  if (!vireo_network_config_validate (config, &error) ||
      !_vireo_network_check_unique (configs, config, &error) ||
      !_vireo_network_store_write (self->paths, config, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&config), (GDestroyNotify) vireo_network_config_free);
}

/* vireo_backend_define_network_async() on this machine: writes NAME.xml (atomically, under the folder's lock) and adds the
 * network to the list, or updates the one of that name and UUID.  A
 * bridge that is not vireobrN (an import from libvirt) is replaced with
 * a free one: compare the result's bridge to tell the user.  Refused
 * with %VIREO_ERROR_EXISTS when another network has the name, UUID,
 * bridge or an overlapping subnet; %VIREO_ERROR_INVALID_CONFIG when
 * the network rules refuse it.  A running network keeps its settings
 * until it is started again. */
static void
local_define_network_async (VireoBackend             *backend,
                            const VireoNetworkConfig *config,
                            GCancellable             *cancellable,
                            GAsyncReadyCallback       callback,
                            gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (backend, cancellable, callback, user_data);
  g_task_set_source_tag (task, local_define_network_async);
  g_task_set_task_data (task, vireo_network_config_copy (config), (GDestroyNotify) vireo_network_config_free);
  g_task_run_in_thread (task, define_in_thread);
}

/* Returns: (transfer full) (nullable): the network, in the list now */
static VireoNetwork *
local_define_network_finish (VireoBackend  *backend,
                             GAsyncResult  *result,
                             GError       **error)
{
  VireoLocalBackend *self = VIREO_LOCAL_BACKEND (backend);
  VireoNetworkConfig *config;
  VireoNetwork *network;

  config = g_task_propagate_pointer (G_TASK (result), error);
  if (config == NULL)
    return NULL;
  network = vireo_backend_lookup_network (backend, config->name);
  network = _vireo_local_backend_put_network (self, config, network ? vireo_network_get_autostart (network) : FALSE);
  return g_object_ref (network);
}

/* This computer's new networks: a free vireobrN, a subnet free on its
 * routes too */
static VireoNetworkConfig *
local_new_network_config (VireoBackend  *backend,
                          const char    *name,
                          const char    *subnet,
                          gboolean       isolated,
                          GError       **error)
{
  return vireo_local_backend_new_network_config (VIREO_LOCAL_BACKEND (backend), name, subnet, isolated, error);
}

static char *
local_suggest_subnet (VireoBackend *backend)
{
  return vireo_local_backend_suggest_subnet (VIREO_LOCAL_BACKEND (backend));
}

void
_vireo_local_backend_class_init_network_define (VireoBackendClass *klass)
{
  klass->define_network_async = local_define_network_async;
  klass->define_network_finish = local_define_network_finish;
  klass->new_network_config = local_new_network_config;
  klass->suggest_subnet = local_suggest_subnet;
}
