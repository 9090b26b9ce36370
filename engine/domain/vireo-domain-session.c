/* vireo-domain-session.c: a VM's connection to its shim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One QMP connection per VM and process, to the shim's shim.sock: made
 * on demand, shared by every call, resynchronised with query-status on
 * connect, and dropped when the shim hangs up.  Callers wait in a queue
 * while it is being made.
 */
#include <errno.h>
#include <glib/gstdio.h>

#include "vireo-local-domain-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-shim-protocol.h"
#include "vireo-state-reason.h"

#define CONNECT_TIMEOUT_S 10

/**
 * _vireo_domain_command_error:
 * @error: (transfer full): why a command to the VM's QEMU failed
 * @format: a whole translated sentence with two %s, the VM's name and
 *   the cause: "VM '%s' cannot pause: %s"
 *
 * Returns: (transfer full): the error to give the caller.  A hang-up
 *   means the VM went away meanwhile, and says so in the VM's terms.
 */
GError *
_vireo_domain_command_error (VireoDomain *self,
                             GError      *error,
                             const char  *format)
{
  GError *result;

  if (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_DISCONNECTED))
    {
      g_debug ("VM '%s': %s", self->config->name, error->message);
      g_error_free (error);
      vireo_domain_refresh_state (self);
      return _vireo_domain_not_running_error (self);
    }
  /* @format comes from a table of translated sentences, each "%s…%s" */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  result = g_error_new (error->domain, error->code, format, self->config->name, error->message);
#pragma GCC diagnostic pop
  g_error_free (error);
  return result;
}

/* Connection to the shim */

void
_vireo_local_domain_disconnect (VireoLocalDomain *self)
{
  if (self->qmp == NULL)
    return;
  g_clear_signal_handler (&self->closed_handler, self->qmp);
  g_clear_signal_handler (&self->event_handler, self->qmp);
  vireo_qmp_client_close (self->qmp);
  g_clear_object (&self->qmp);
}

static void
on_shim_event (VireoQmpClient   *qmp,
               const char       *name,
               JsonObject       *data,
               gint64            timestamp,
               VireoLocalDomain *self)
{
  /* The shim updated state.json before passing the event on. */
  vireo_domain_refresh_state (VIREO_DOMAIN (self));
}

static void
on_shim_closed (VireoQmpClient   *qmp,
                const GError     *error,
                VireoLocalDomain *self)
{
  g_clear_signal_handler (&self->closed_handler, self->qmp);
  g_clear_signal_handler (&self->event_handler, self->qmp);
  g_clear_object (&self->qmp);
  vireo_domain_refresh_state (VIREO_DOMAIN (self));
}

static void
complete_connect_waiters (VireoLocalDomain *self,
                          const GError     *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->connect_waiters);

  self->connect_waiters = g_ptr_array_new ();
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);
      if (error)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_object_ref (self->qmp), g_object_unref);
      g_object_unref (task);
    }
}

GError *
_vireo_domain_not_running_error (VireoDomain *self)
{
  if (self->state == VIREO_DOMAIN_STATE_CRASHED && self->state_reason)
    return g_error_new (VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                        /* Translators: the second %s says why it crashed */
                        _("VM '%s' is not running (crashed: %s)"),
                        self->config->name, self->state_reason);
  return g_error_new (VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                      _("VM '%s' is not running"), self->config->name);
}

static void
on_resync (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VireoLocalDomain) self = user_data;
  VireoDomain *domain = VIREO_DOMAIN (self);
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, NULL);
  JsonObject *status = ret && JSON_NODE_HOLDS_OBJECT (ret) ? json_node_get_object (ret) : NULL;

  vireo_domain_refresh_state (domain);
  if (status != NULL)
    {
      gboolean running = json_object_get_boolean_member_with_default (status, "running", FALSE);
      const char *what = json_object_get_string_member_with_default (status, "status", "");
      g_autofree char *paused = vireo_state_reason_describe (VIREO_REASON_PAUSED, NULL);
      g_autofree char *resumed = vireo_state_reason_describe (VIREO_REASON_RESUMED, NULL);

      /* QEMU's word wins over a state file that missed an event */
      if (domain->state == VIREO_DOMAIN_STATE_RUNNING && !running && g_str_equal (what, "paused"))
        _vireo_local_domain_set_state (self, VIREO_DOMAIN_STATE_PAUSED, paused);
      else if (domain->state == VIREO_DOMAIN_STATE_PAUSED && running)
        _vireo_local_domain_set_state (self, VIREO_DOMAIN_STATE_RUNNING, resumed);
    }
  if (self->qmp == NULL)
    {
      /* QEMU went away meanwhile */
      g_autoptr(GError) error = _vireo_domain_not_running_error (domain);
      complete_connect_waiters (self, error);
    }
  else
    complete_connect_waiters (self, NULL);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(VireoLocalDomain) self = user_data;
  VireoDomain *domain = VIREO_DOMAIN (self);
  g_autoptr(VireoQmpClient) qmp = VIREO_QMP_CLIENT (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) greeting = vireo_qmp_client_handshake_finish (qmp, result, &error);

  if (greeting == NULL)
    {
      vireo_domain_refresh_state (domain);
      g_clear_error (&error);
      error = vireo_domain_is_active (domain)
              ? g_error_new (VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                             _("VM '%s': its supervisor does not answer"), domain->config->name)
              : _vireo_domain_not_running_error (domain);
      complete_connect_waiters (self, error);
      return;
    }
  self->qmp = g_object_ref (qmp);
  self->closed_handler = g_signal_connect (qmp, "closed", G_CALLBACK (on_shim_closed), self);
  self->event_handler = g_signal_connect (qmp, "event", G_CALLBACK (on_shim_event), self);
  /* Events missed while nobody listened are lost: resync with QEMU
   * itself before anyone acts on the state. */
  vireo_qmp_client_execute_async (qmp, "query-status", NULL, NULL, on_resync, g_object_ref (self));
}

static void
on_socket_connected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(VireoLocalDomain) self = user_data;
  VireoDomain *domain = VIREO_DOMAIN (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) conn =
    g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  g_autofree char *peer = NULL;
  VireoQmpClient *qmp;

  if (conn == NULL)
    {
      vireo_domain_refresh_state (domain);
      g_clear_error (&error);
      error = _vireo_domain_not_running_error (domain);
      complete_connect_waiters (self, error);
      return;
    }
  peer = g_strdup_printf ("VM '%s'", domain->config->name);
  qmp = vireo_qmp_client_new (G_IO_STREAM (conn), peer);
  vireo_qmp_client_handshake_async (qmp, NULL, on_handshake, g_object_ref (self));
}

/**
 * _vireo_domain_connect_async:
 * Connects to the VM's shim once; concurrent callers share the connection.
 */
void
_vireo_domain_connect_async (VireoDomain         *domain,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  VireoLocalDomain *self = VIREO_LOCAL_DOMAIN (domain);
  g_autoptr(GTask) task = g_task_new (domain, cancellable, callback, user_data);
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *path = NULL;

  g_task_set_source_tag (task, _vireo_domain_connect_async);
  if (self->qmp != NULL)
    {
      g_task_return_pointer (task, g_object_ref (self->qmp), g_object_unref);
      return;
    }
  vireo_domain_refresh_state (domain);
  if (!vireo_domain_is_active (domain))
    {
      g_task_return_error (task, _vireo_domain_not_running_error (domain));
      return;
    }

  g_ptr_array_add (self->connect_waiters, g_steal_pointer (&task));
  if (self->connect_waiters->len > 1)
    return;

  path = g_build_filename (self->run_dir, "shim.sock", NULL);
  address = g_unix_socket_address_new (path);
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_S);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), NULL,
                                 on_socket_connected, g_object_ref (self));
}

VireoQmpClient *
_vireo_domain_connect_finish (VireoDomain   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
