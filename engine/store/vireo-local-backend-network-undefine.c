/* vireo-local-backend-network-undefine.c: undefining a network
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Refused while vireo-net runs the network (asked through
 * VireoNetClient) or while a running VM uses it.
 */
#include "vireo-domain.h"
#include "vireo-local-backend-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-network-private.h"

static void
undefine_in_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  VireoLocalBackend *self = source_object;
  const char *name = task_data;
  g_autoptr(VireoLock) lock = NULL;
  GError *error = NULL;

  /* under the lock a VM start takes to start the network (autostart) */
  if ((lock = _vireo_network_store_lock (self->paths, name, &error)) == NULL ||
      !_vireo_network_check_inactive (name, &error) ||
      !_vireo_network_store_remove (self->paths, name, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* vireo_backend_undefine_network_async() on this machine: deletes the
 * definition and its autostart marker, and takes the network out of the
 * list.  Refused with %VIREO_ERROR_BUSY while vireo-net runs it (whatever
 * "active" last said), or while a running VM uses it. */
static void
local_undefine_network_async (VireoBackend        *self,
                              VireoNetwork        *network,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *name;
  VireoDomain *user;

  name = vireo_network_get_name (network);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, local_undefine_network_async);
  g_task_set_task_data (task, g_strdup (name), g_free);
  if ((user = _vireo_network_running_user (vireo_backend_get_domains (self), name)) != NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_BUSY,
                               _("Network '%s' is in use by running VM '%s'"), name, vireo_domain_get_name (user));
      return;
    }
  g_task_run_in_thread (task, undefine_in_thread);
}

static gboolean
local_undefine_network_finish (VireoBackend  *backend,
                               GAsyncResult  *result,
                               GError       **error)
{
  VireoLocalBackend *self = VIREO_LOCAL_BACKEND (backend);
  VireoNetwork *network;
  guint position;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  network = vireo_backend_lookup_network (backend, g_task_get_task_data (G_TASK (result)));
  if (network != NULL && g_list_store_find (self->networks, network, &position))
    g_list_store_remove (self->networks, position);
  return TRUE;
}

void
_vireo_local_backend_class_init_network (VireoBackendClass *klass)
{
  klass->undefine_network_async = local_undefine_network_async;
  klass->undefine_network_finish = local_undefine_network_finish;
  _vireo_local_backend_class_init_network_define (klass);
}
