/* vireo-local-network-ops.c: what vireo-net does for a network
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Start, stop, state, leases and static leases go through VireoNetClient,
 * whose calls block: each runs on a worker thread with a copy of the
 * definition, and the object changes on the main context after it.
 */
#include "vireo-domain.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-net-client.h"
#include "vireo-network-config-private.h"
#include "vireo-network-private.h"

typedef enum { OP_START, OP_STOP, OP_REFRESH, OP_LEASES, OP_ADD_HOST } OpKind;

typedef struct {
  OpKind kind;
  VireoNetworkConfig *config;   /* a copy: the new one for OP_ADD_HOST */
  const VireoPaths *paths;      /* the engine's */
  gboolean active;              /* out: vireo-net runs it */
  char *mac, *ip, *host_name;   /* the static lease of OP_ADD_HOST */
} Op;

static void
op_free (Op *op)
{
  vireo_network_config_free (op->config);
  g_free (op->mac);
  g_free (op->ip);
  g_free (op->host_name);
  g_free (op);
}

/* Whether vireo-net runs @name.  A helper that is not there (or not
 * ours to ask) runs nothing. */
static gboolean
query_running (VireoNetClient *client,
               const char     *name,
               gboolean       *running,
               GError        **error)
{
  g_autoptr(VireoNetStatus) status = NULL;
  g_autoptr(GError) local = NULL;

  *running = FALSE;
  if (client == NULL)
    return TRUE;
  status = vireo_net_client_status (client, name, &local);
  if (status == NULL && g_error_matches (local, VIREO_ERROR, VIREO_ERROR_PERMISSION))
    {
      g_debug ("Network '%s' is taken as stopped: %s", name, local->message);
      return TRUE;
    }
  if (status == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  *running = status->running;
  return TRUE;
}

static VireoNetClient *
client_or_none (GError **error)
{
  g_autoptr(GError) local = NULL;
  VireoNetClient *client = vireo_net_client_new (&local);

  if (client == NULL && !g_error_matches (local, VIREO_ERROR, VIREO_ERROR_PERMISSION))
    g_propagate_error (error, g_steal_pointer (&local));
  else if (client == NULL)
    g_debug ("No network helper: %s", local->message);
  return client;
}

/**
 * _vireo_network_check_inactive:
 * Blocks: worker threads.
 *
 * Returns: %FALSE with %VIREO_ERROR_BUSY when vireo-net runs @name
 */
gboolean
_vireo_network_check_inactive (const char  *name,
                               GError     **error)
{
  g_autoptr(VireoNetClient) client = NULL;
  GError *local = NULL;
  gboolean running;

  client = client_or_none (&local);
  if (local != NULL || !query_running (client, name, &running, &local))
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (running)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_BUSY, _("Network '%s' is running: stop it first"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
start_network (VireoNetClient           *client,
               const VireoNetworkConfig *config,
               GError                  **error)
{
  g_autoptr(VireoNetParams) params = vireo_network_config_to_params (config, error);

  return params != NULL && vireo_net_client_start (client, params, error);
}

/* The definition as it is on disk now, under its lock: another client
 * may have added a lease since this one read it. */
static VireoNetworkConfig *
reread (const VireoPaths *paths,
        const char       *name,
        GError          **error)
{
  g_autoptr(GPtrArray) loaded = _vireo_network_store_read (paths, NULL);

  for (guint i = 0; i < loaded->len; i++)
    {
      VireoNetworkLoaded *item = g_ptr_array_index (loaded, i);

      if (g_str_equal (item->config->name, name))
        return vireo_network_config_copy (item->config);
    }
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("Network '%s' does not exist"), name);
  return NULL;
}

/* Saves the definition with its new static lease, and when vireo-net
 * runs the network, starts it again with the same settings: that
 * rewrites its leases live. */
static gboolean
add_host (VireoNetClient  *client,
          Op              *op,
          GError         **error)
{
  g_autoptr(VireoLock) lock = _vireo_network_store_lock (op->paths, op->config->name, error);
  g_autoptr(VireoNetworkConfig) fresh = NULL;

  if (lock == NULL || !(fresh = reread (op->paths, op->config->name, error)) ||
      !vireo_network_config_add_host (fresh, op->mac, op->ip, op->host_name, error) ||
      !_vireo_network_store_write (op->paths, fresh, error))
    return FALSE;
  vireo_network_config_free (op->config);
  op->config = g_steal_pointer (&fresh);
  g_clear_pointer (&lock, vireo_lock_free);
  if (!query_running (client, op->config->name, &op->active, error))
    return FALSE;
  return !op->active || start_network (client, op->config, error);
}

static void
op_in_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(VireoNetClient) client = NULL;
  g_autoptr(GPtrArray) leases = NULL;
  GError *error = NULL;
  gboolean ok = FALSE;

  /* refresh and add-host work without the helper; start, stop and
   * leases need it and say how to install it */
  if (op->kind == OP_REFRESH || op->kind == OP_ADD_HOST)
    client = client_or_none (&error);
  else
    client = vireo_net_client_new (&error);
  if (error == NULL && (client != NULL || op->kind == OP_REFRESH || op->kind == OP_ADD_HOST))
    switch (op->kind)
      {
      case OP_START:
        ok = op->active = start_network (client, op->config, &error);
        break;
      case OP_STOP:
        ok = vireo_net_client_stop (client, op->config->name, &error);
        break;
      case OP_REFRESH:
        ok = query_running (client, op->config->name, &op->active, &error);
        break;
      case OP_LEASES:
        ok = (leases = vireo_net_client_leases (client, op->config->name, &error)) != NULL;
        break;
      case OP_ADD_HOST:
        ok = add_host (client, op, &error);
        break;
      }
  if (!ok)
    g_task_return_error (task, error);
  else if (leases != NULL)
    g_task_return_pointer (task, g_steal_pointer (&leases), (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_boolean (task, TRUE);
}

static void
run_op_with (VireoNetwork        *self,
             OpKind               kind,
             VireoNetworkConfig  *config,
             const char * const  *host,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  if (host != NULL)
    {
      op->mac = g_strdup (host[0]);
      op->ip = g_strdup (host[1]);
      op->host_name = g_strdup (host[2]);
    }
  op->config = config ? config : vireo_network_config_copy (vireo_network_get_config (self));
  op->paths = _vireo_local_network_get_paths (VIREO_LOCAL_NETWORK (self));
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  g_task_run_in_thread (task, op_in_thread);
}

static void
run_op (VireoNetwork        *self,
        OpKind               kind,
        VireoNetworkConfig  *config,
        gpointer             source_tag,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  run_op_with (self, kind, config, NULL, source_tag, cancellable, callback, user_data);
}

/* Main context: the outcome of a start, stop, refresh or add-host. */
static gboolean
finish_op (VireoNetwork  *self,
           GAsyncResult  *result,
           gpointer       source_tag,
           GError       **error)
{
  Op *op;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  op = g_task_get_task_data (G_TASK (result));
  if (op->kind == OP_ADD_HOST)
    _vireo_network_set_config (self, g_steal_pointer (&op->config));
  _vireo_network_set_active (self, op->kind != OP_STOP && op->active);
  return TRUE;
}

/* Asks vireo-net to run the network: its bridge, NAT rules and DHCP.
 * Without the helper this fails with %VIREO_ERROR_PERMISSION and a
 * line that says how to install it.
 */
static void
local_start_async (VireoNetwork        *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  run_op (self, OP_START, NULL, local_start_async, cancellable, callback, user_data);
}

static gboolean
local_start_finish (VireoNetwork  *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  return finish_op (self, result, local_start_async, error);
}

static void
local_stop_async (VireoNetwork        *self,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  VireoDomain *user;

  /* its VMs' taps would stay off any bridge, even once it runs again */
  user = _vireo_network_running_user (_vireo_local_network_get_domains (VIREO_LOCAL_NETWORK (self)),
                                      vireo_network_get_name (self));
  if (user != NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, local_stop_async);
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_BUSY,
                               _("Network '%s' is in use by running VM '%s': shut it down first"),
                               vireo_network_get_name (self), vireo_domain_get_name (user));
      return;
    }
  run_op (self, OP_STOP, NULL, local_stop_async, cancellable, callback, user_data);
}

static gboolean
local_stop_finish (VireoNetwork  *self,
                   GAsyncResult  *result,
                   GError       **error)
{
  return finish_op (self, result, local_stop_async, error);
}

/* Asks vireo-net whether it runs the network and updates "active"; a
 * helper that is not installed runs nothing (not an error).
 */
static void
local_refresh_async (VireoNetwork        *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  run_op (self, OP_REFRESH, NULL, local_refresh_async, cancellable, callback, user_data);
}

static gboolean
local_refresh_finish (VireoNetwork  *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return finish_op (self, result, local_refresh_async, error);
}

/* Checks the static lease with the network's rules at once (an invalid
 * one fails without touching anything), saves the definition, and when
 * the network runs, rewrites its leases live.
 */
static void
local_add_host_async (VireoNetwork        *self,
                      const char          *mac,
                      const char          *ip,
                      const char          *host_name,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(VireoNetworkConfig) config = NULL;
  GError *error = NULL;

  config = vireo_network_config_copy (vireo_network_get_config (self));
  if (!vireo_network_config_add_host (config, mac, ip, host_name, &error))
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, local_add_host_async);
      g_task_return_error (task, error);
      return;
    }
  /* checked here at once; added again under the lock to what is on disk then */
  run_op_with (self, OP_ADD_HOST, g_steal_pointer (&config), (const char * const[]) { mac, ip, host_name },
               local_add_host_async, cancellable, callback, user_data);
}

static gboolean
local_add_host_finish (VireoNetwork  *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  return finish_op (self, result, local_add_host_async, error);
}

/* The DHCP leases vireo-net's dnsmasq handed out (the base names their
 * VMs) */
static void
local_get_leases_async (VireoNetwork        *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  run_op (self, OP_LEASES, NULL, local_get_leases_async, cancellable, callback, user_data);
}

static GPtrArray *
local_get_leases_finish (VireoNetwork  *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_autoptr(GPtrArray) leases = NULL;
  GPtrArray *out;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_get_leases_async), NULL);

  leases = g_task_propagate_pointer (G_TASK (result), error);
  if (leases == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_network_lease_free);
  for (guint i = 0; i < leases->len; i++)
    {
      const VireoNetLease *from = g_ptr_array_index (leases, i);
      VireoNetworkLease *lease = g_new0 (VireoNetworkLease, 1);

      lease->mac = g_strdup (from->mac);
      lease->ip = g_strdup (from->ip);
      lease->hostname = g_strdup (from->hostname);
      lease->expiry = from->expiry;
      g_ptr_array_add (out, lease);
    }
  return out;
}

void
_vireo_local_network_class_init_ops (VireoNetworkClass *klass)
{
  klass->start_async = local_start_async;
  klass->start_finish = local_start_finish;
  klass->stop_async = local_stop_async;
  klass->stop_finish = local_stop_finish;
  klass->refresh_async = local_refresh_async;
  klass->refresh_finish = local_refresh_finish;
  klass->add_host_async = local_add_host_async;
  klass->add_host_finish = local_add_host_finish;
  klass->get_leases_async = local_get_leases_async;
  klass->get_leases_finish = local_get_leases_finish;
}
