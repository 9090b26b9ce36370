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

/**
 * vireo_local_backend_undefine_network_async:
 *
 * Deletes the definition and its autostart marker, and takes the
 * network out of the list.  Refused with %VIREO_ERROR_BUSY while
 * vireo-net runs it, or while a running VM uses it.
 */
void
vireo_local_backend_undefine_network_async (VireoLocalBackend   *self,
                                            VireoNetwork        *network,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *name;
  VireoDomain *user;

  g_return_if_fail (VIREO_IS_LOCAL_BACKEND (self));
  g_return_if_fail (VIREO_IS_NETWORK (network));

  name = vireo_network_get_name (network);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_local_backend_undefine_network_async);
  g_task_set_task_data (task, g_strdup (name), g_free);
  if ((user = _vireo_network_running_user (vireo_backend_get_domains (VIREO_BACKEND (self)), name)) != NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_BUSY,
                               _("Network '%s' is in use by running VM '%s'"), name, vireo_domain_get_name (user));
      return;
    }
  g_task_run_in_thread (task, undefine_in_thread);
}

gboolean
vireo_local_backend_undefine_network_finish (VireoLocalBackend  *self,
                                             GAsyncResult       *result,
                                             GError            **error)
{
  VireoNetwork *network;
  guint position;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_local_backend_undefine_network_async), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  network = vireo_local_backend_lookup_network (self, g_task_get_task_data (G_TASK (result)));
  if (network != NULL && g_list_store_find (self->networks, network, &position))
    g_list_store_remove (self->networks, position);
  return TRUE;
}
