/* vireo-domain-lifecycle.c: shut down, force off, one-command actions, console
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every verb connects to the shim (vireo-domain-session.c), sends one
 * command and, for the ones that end the VM, waits for the shim to hang
 * up.  Starting is vireo-domain-start.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "vireo-domain-lock.h"
#include "vireo-domain-policy.h"
#include "vireo-local-domain-private.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-shim-protocol.h"
#include "vireo-state-reason.h"

#define DESTROY_WAIT_MS 15000

/* Waiting for the shim to go away (QEMU exited) */

typedef struct {
  VireoQmpClient *qmp;
  gulong handler;
  guint timeout_id;
} WaitExit;

static void
wait_exit_free (WaitExit *wait)
{
  g_clear_signal_handler (&wait->handler, wait->qmp);
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  g_clear_object (&wait->qmp);
  g_free (wait);
}

static void
on_wait_closed (VireoQmpClient *qmp,
                const GError   *error,
                GTask          *task)
{
  WaitExit *wait = g_task_get_task_data (task);

  g_clear_signal_handler (&wait->handler, wait->qmp);
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  GTask *task = user_data;
  WaitExit *wait = g_task_get_task_data (task);

  wait->timeout_id = 0;
  g_clear_signal_handler (&wait->handler, wait->qmp);
  g_task_return_boolean (task, FALSE);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Completes with TRUE when the shim hangs up (the VM is off), FALSE after
 * @timeout_ms. */
static void
wait_exit_async (VireoDomain         *self,
                 VireoQmpClient      *qmp,
                 guint                timeout_ms,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  WaitExit *wait = g_new0 (WaitExit, 1);

  g_task_set_task_data (task, wait, (GDestroyNotify) wait_exit_free);
  if (vireo_qmp_client_is_closed (qmp))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  wait->qmp = g_object_ref (qmp);
  wait->handler = g_signal_connect (qmp, "closed", G_CALLBACK (on_wait_closed), task);
  wait->timeout_id = g_timeout_add (timeout_ms, on_wait_timeout, task);
}

/* Destroy */

#define SETTLE_POLL_MS 50

/* The shim closes its clients a moment before its last state.json is
 * written: a destroy ends once the VM reads as off, so that the next
 * client (the next vireoctl) does too */
static gboolean
on_destroy_settle (gpointer user_data)
{
  GTask *task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  gint64 *deadline = g_object_get_data (G_OBJECT (task), "vireo-deadline");

  vireo_domain_refresh_state (self);
  if (vireo_domain_is_active (self) && g_get_monotonic_time () < *deadline)
    return G_SOURCE_CONTINUE;
  if (vireo_domain_is_active (self))
    g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_TIMEOUT,
                             _("VM '%s' did not stop after being forced off"), self->config->name);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
on_destroy_exited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  gint64 *deadline = g_new (gint64, 1);

  g_task_propagate_boolean (G_TASK (result), NULL);
  /* the task's data is the change lock, held until the end */
  *deadline = g_get_monotonic_time () + (gint64) DESTROY_WAIT_MS * 1000;
  g_object_set_data_full (G_OBJECT (task), "vireo-deadline", deadline, g_free);
  vireo_domain_refresh_state (self);
  if (on_destroy_settle (task) == G_SOURCE_CONTINUE)
    g_timeout_add (SETTLE_POLL_MS, on_destroy_settle, task);
}

static void
on_destroy_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, NULL);

  /* Whether or not the reply made it, the shim is taking QEMU down. */
  wait_exit_async (self, VIREO_QMP_CLIENT (source), DESTROY_WAIT_MS,
                   on_destroy_exited, g_steal_pointer (&task));
}

static void
on_destroy_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = VIREO_DOMAIN (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoQmpClient) qmp = _vireo_domain_connect_finish (self, result, &error);

  if (qmp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  vireo_qmp_client_execute_async (qmp, "vireo-destroy", NULL, NULL, on_destroy_sent,
                                  g_steal_pointer (&task));
}

static void
local_domain_destroy_async (VireoDomain         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  GError *error = NULL;
  VireoLock *lock;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, local_domain_destroy_async);
  vireo_domain_refresh_state (self);
  if (!vireo_domain_check (self, VIREO_DOMAIN_OP_FORCE_OFF, &error) ||
      !(lock = _vireo_domain_lock_change (vireo_domain_get_run_dir (self), self->config->name,
                                          VIREO_DOMAIN_LOCK_FORCING_OFF, &error)))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, lock, (GDestroyNotify) vireo_lock_free);
  _vireo_domain_connect_async (self, cancellable, on_destroy_connected, task);
}

static gboolean
local_domain_destroy_finish (VireoDomain   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_domain_destroy_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ACPI shutdown, then force after a timeout */

typedef struct {
  guint timeout_s;
  VireoQmpClient *qmp;
} Shutdown;

static void
shutdown_free (Shutdown *data)
{
  g_clear_object (&data->qmp);
  g_free (data);
}

static void
on_shutdown_forced (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!vireo_domain_destroy_finish (VIREO_DOMAIN (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_shutdown_exited (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    {
      vireo_domain_refresh_state (self);
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_debug ("VM '%s' ignored the ACPI power button; forcing it off", self->config->name);
  vireo_domain_destroy_async (self, NULL, on_shutdown_forced, g_steal_pointer (&task));
}

static void
on_powerdown_sent (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  Shutdown *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, &error);

  if (ret == NULL && !vireo_qmp_client_is_closed (VIREO_QMP_CLIENT (source)))
    {
      g_task_return_error (task, _vireo_domain_command_error (self, g_steal_pointer (&error),
                                                              _("VM '%s' cannot shut down: %s")));
      return;
    }
  vireo_domain_refresh_state (self);
  wait_exit_async (self, data->qmp, data->timeout_s * 1000,
                   on_shutdown_exited, g_steal_pointer (&task));
}

static void
on_shutdown_connected (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = VIREO_DOMAIN (source);
  Shutdown *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->qmp = _vireo_domain_connect_finish (self, result, &error);
  if (data->qmp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->state == VIREO_DOMAIN_STATE_PAUSED)
    {
      /* a paused guest cannot see the power button */
      vireo_domain_destroy_async (self, NULL, on_shutdown_forced, g_steal_pointer (&task));
      return;
    }
  vireo_qmp_client_execute_async (data->qmp, "system_powerdown", NULL, NULL,
                                  on_powerdown_sent, g_steal_pointer (&task));
}

static void
local_domain_shutdown_async (VireoDomain         *self,
                             guint                timeout_seconds,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  Shutdown *data;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  data = g_new0 (Shutdown, 1);

  g_task_set_source_tag (task, local_domain_shutdown_async);
  data->timeout_s = timeout_seconds ? timeout_seconds : G_MAXUINT / 1000;
  g_task_set_task_data (task, data, (GDestroyNotify) shutdown_free);
  _vireo_domain_connect_async (self, cancellable, on_shutdown_connected, task);
}

static gboolean
local_domain_shutdown_finish (VireoDomain   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_domain_shutdown_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* One-command actions and screenshots */

typedef struct {
  char *command;
  JsonObject *arguments;
  const char *failed;     /* a translated sentence: "VM '%s' cannot pause: %s" */
  char *check_file;      /* screenshot: the temporary file QEMU writes… */
  char *target;          /* …renamed over this one when it did */
} Command;

static void
command_free (Command *cmd)
{
  g_free (cmd->command);
  g_clear_pointer (&cmd->arguments, json_object_unref);
  /* still set unless it was renamed into place */
  if (cmd->check_file)
    g_unlink (cmd->check_file);
  g_free (cmd->check_file);
  g_free (cmd->target);
  g_free (cmd);
}

/* The screenshot's temporary file holds what QEMU wrote (it is empty
 * when QEMU wrote nothing). */
static gboolean
screenshot_written (Command *cmd)
{
  GStatBuf st;

  return g_stat (cmd->check_file, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0;
}

static void
on_command_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  Command *cmd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, &error);

  vireo_domain_refresh_state (self);
  if (ret == NULL)
    g_task_return_error (task, _vireo_domain_command_error (self, g_steal_pointer (&error), cmd->failed));
  else if (cmd->check_file && !screenshot_written (cmd))
    g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                             _("VM '%s' cannot take a screenshot: QEMU wrote no file %s"),
                             self->config->name, cmd->target);
  else if (cmd->check_file && g_rename (cmd->check_file, cmd->target) != 0)
    {
      vireo_set_io_error (&error, errno, _("VM '%s' cannot take a screenshot: cannot write %s"),
                          self->config->name, cmd->target);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_command_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = VIREO_DOMAIN (source);
  Command *cmd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoQmpClient) qmp = _vireo_domain_connect_finish (self, result, &error);

  if (qmp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  vireo_qmp_client_execute_async (qmp, cmd->command, cmd->arguments, NULL,
                                  on_command_done, g_steal_pointer (&task));
}

static void
run_command (VireoDomain         *self,
             Command             *cmd,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, cmd, (GDestroyNotify) command_free);
  _vireo_domain_connect_async (self, cancellable, on_command_connected, task);
}

static void
local_domain_action_async (VireoDomain         *self,
                           VireoDomainAction    action,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  static const struct { const char *command; const char *failed; } actions[] = {
    [VIREO_DOMAIN_ACTION_PAUSE] = { "stop", N_("VM '%s' cannot pause: %s") },
    [VIREO_DOMAIN_ACTION_RESUME] = { "cont", N_("VM '%s' cannot resume: %s") },
    [VIREO_DOMAIN_ACTION_RESET] = { "system_reset", N_("VM '%s' cannot reset: %s") },
    [VIREO_DOMAIN_ACTION_REBOOT] = { "vireo-fake-reboot", N_("VM '%s' cannot reboot: %s") },
  };
  Command *cmd;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (action < G_N_ELEMENTS (actions));

  cmd = g_new0 (Command, 1);
  cmd->command = g_strdup (actions[action].command);
  cmd->failed = _(actions[action].failed);
  run_command (self, cmd, local_domain_action_async, cancellable, callback, user_data);
}

static gboolean
local_domain_action_finish (VireoDomain   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_domain_action_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
local_domain_screenshot_async (VireoDomain         *self,
                               const char          *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Command *cmd;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *temp = NULL;
  int fd;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (path != NULL);

  cmd = g_new0 (Command, 1);
  cmd->target = g_canonicalize_filename (path, NULL);
  /* QEMU writes into a temporary file of ours beside the target, which
   * replaces the target only once QEMU made it: a failure leaves the
   * target as it was */
  dir = g_path_get_dirname (cmd->target);
  base = g_path_get_basename (cmd->target);
  temp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp_full (temp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_autoptr(GTask) task = NULL;
      GError *error = NULL;

      vireo_set_io_error (&error, errno, _("VM '%s' cannot take a screenshot: cannot write %s"),
                          self->config->name, cmd->target);
      task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_source_tag (task, local_domain_screenshot_async);
      g_task_return_error (task, error);
      command_free (cmd);
      return;
    }
  close (fd);
  cmd->command = g_strdup ("screendump");
  cmd->arguments = json_object_new ();
  json_object_set_string_member (cmd->arguments, "filename", temp);
  json_object_set_string_member (cmd->arguments, "format", "png");
  cmd->failed = _("VM '%s' cannot take a screenshot: %s");
  cmd->check_file = g_steal_pointer (&temp);
  run_command (self, cmd, local_domain_screenshot_async, cancellable, callback, user_data);
}

static gboolean
local_domain_screenshot_finish (VireoDomain   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_domain_screenshot_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Console */

static void
on_socket_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);

  if (conn == NULL)
    {
      vireo_domain_refresh_state (self);
      g_task_return_error (task, _vireo_domain_not_running_error (self));
      return;
    }
  g_task_return_pointer (task, conn, g_object_unref);
}

/* One connection to a socket of the running VM, for @task. */
static void
connect_socket (VireoDomain *self,
                GTask       *task,
                const char  *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);

  vireo_domain_refresh_state (self);
  if (!vireo_domain_is_active (self))
    {
      g_task_return_error (task, _vireo_domain_not_running_error (self));
      g_object_unref (task);
      return;
    }
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), g_task_get_cancellable (task),
                                 on_socket_connected, task);
}

static void
local_domain_open_console_async (VireoDomain         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  g_autofree char *path = NULL;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, local_domain_open_console_async);
  path = vireo_domain_get_console_path (self);
  connect_socket (self, task, path);
}

static void
local_domain_open_display_async (VireoDomain         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  g_autofree char *path = NULL;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, local_domain_open_display_async);
  if (!vireo_domain_get_config (self)->vnc)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                               _("VM '%s' has no graphical display"), vireo_domain_get_name (self));
      g_object_unref (task);
      return;
    }
  path = vireo_domain_get_vnc_path (self);
  connect_socket (self, task, path);
}

static GSocketConnection *
local_domain_open_display_finish (VireoDomain   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_domain_open_display_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GSocketConnection *
local_domain_open_console_finish (VireoDomain   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_domain_open_console_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * vireo_domain_operation_finish:
 * Finishes any of vireo_domain_start_async(), vireo_domain_shutdown_async(),
 * vireo_domain_destroy_async() and vireo_domain_action_async(), for a
 * front end that reports them all in one callback.  It calls the matching
 * _finish function, so every check of that function applies.
 *
 * Returns: whether the operation succeeded
 */
gboolean
vireo_domain_operation_finish (VireoDomain   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);

  if (g_async_result_is_tagged (result, vireo_domain_start_async))
    return vireo_domain_start_finish (self, result, error);
  if (g_async_result_is_tagged (result, vireo_domain_shutdown_async))
    return vireo_domain_shutdown_finish (self, result, error);
  if (g_async_result_is_tagged (result, vireo_domain_destroy_async))
    return vireo_domain_destroy_finish (self, result, error);
  return vireo_domain_action_finish (self, result, error);
}

/* VireoLocalDomain's lifecycle, actions, console and display, through
 * its shim */
void
_vireo_local_domain_class_init_lifecycle (VireoDomainClass *klass)
{
  klass->shutdown_async = local_domain_shutdown_async;
  klass->shutdown_finish = local_domain_shutdown_finish;
  klass->destroy_async = local_domain_destroy_async;
  klass->destroy_finish = local_domain_destroy_finish;
  klass->action_async = local_domain_action_async;
  klass->action_finish = local_domain_action_finish;
  klass->screenshot_async = local_domain_screenshot_async;
  klass->screenshot_finish = local_domain_screenshot_finish;
  klass->open_console_async = local_domain_open_console_async;
  klass->open_console_finish = local_domain_open_console_finish;
  klass->open_display_async = local_domain_open_display_async;
  klass->open_display_finish = local_domain_open_display_finish;
}

/* The public functions: each has a task of its own, tagged with itself
 * (vireo_domain_operation_finish() tells them apart by it), around the
 * subclass's */

static void
on_destroyed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (VIREO_DOMAIN_GET_CLASS (source)->destroy_finish (VIREO_DOMAIN (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_domain_destroy_async:
 * @cancellable: (nullable): stops connecting to the VM; once the command
 *   is sent, cancelling only detaches the caller (%G_IO_ERROR_CANCELLED)
 * Forces the VM off at once (like pulling the plug); the shim records it
 * as "forced off", not as a crash.  Fails at once with %VIREO_ERROR_BUSY
 * while a process starts, changes or deletes the VM: it holds the VM's
 * change lock until the VM is off.
 */
void
vireo_domain_destroy_async (VireoDomain         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_destroy_async);
  if (!_vireo_domain_supports (self, VIREO_DOMAIN_GET_CLASS (self)->destroy_async != NULL, task))
    return;
  VIREO_DOMAIN_GET_CLASS (self)->destroy_async (self, cancellable, on_destroyed, task);
}

gboolean
vireo_domain_destroy_finish (VireoDomain   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_destroy_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_shut_down (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (VIREO_DOMAIN_GET_CLASS (source)->shutdown_finish (VIREO_DOMAIN (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_domain_shutdown_async:
 * @timeout_seconds: how long the guest may take; then it is forced off.
 *   0 waits forever.
 * @cancellable: (nullable): stops connecting to the VM; once the command
 *   is sent, cancelling only detaches the caller (%G_IO_ERROR_CANCELLED)
 *
 * Presses the ACPI power button and waits for the guest to power off.
 */
void
vireo_domain_shutdown_async (VireoDomain         *self,
                             guint               timeout_seconds,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_shutdown_async);
  if (!_vireo_domain_supports (self, VIREO_DOMAIN_GET_CLASS (self)->shutdown_async != NULL, task))
    return;
  VIREO_DOMAIN_GET_CLASS (self)->shutdown_async (self, timeout_seconds, cancellable, on_shut_down, task);
}

gboolean
vireo_domain_shutdown_finish (VireoDomain   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_shutdown_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_action_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (VIREO_DOMAIN_GET_CLASS (source)->action_finish (VIREO_DOMAIN (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_domain_action_async:
 * @cancellable: (nullable): stops connecting to the VM; once the command
 *   is sent, cancelling only detaches the caller (%G_IO_ERROR_CANCELLED)
 * Pause, resume, reset (the reset button) or reboot (ACPI power-off that
 * the shim turns into a reset, so the guest shuts down cleanly).
 */
void
vireo_domain_action_async (VireoDomain         *self,
                           VireoDomainAction   action,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (action <= VIREO_DOMAIN_ACTION_REBOOT);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_action_async);
  if (!_vireo_domain_supports (self, VIREO_DOMAIN_GET_CLASS (self)->action_async != NULL, task))
    return;
  VIREO_DOMAIN_GET_CLASS (self)->action_async (self, action, cancellable, on_action_done, task);
}

gboolean
vireo_domain_action_finish (VireoDomain   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_action_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_screenshot_taken (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (VIREO_DOMAIN_GET_CLASS (source)->screenshot_finish (VIREO_DOMAIN (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_domain_screenshot_async:
 * @path: where to write a PNG of the VM's screen
 * @cancellable: (nullable): stops connecting to the VM; once the command
 *   is sent, cancelling only detaches the caller (%G_IO_ERROR_CANCELLED)
 */
void
vireo_domain_screenshot_async (VireoDomain         *self,
                               const char          *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_screenshot_async);
  if (!_vireo_domain_supports (self, VIREO_DOMAIN_GET_CLASS (self)->screenshot_async != NULL, task))
    return;
  VIREO_DOMAIN_GET_CLASS (self)->screenshot_async (self, path, cancellable, on_screenshot_taken, task);
}

gboolean
vireo_domain_screenshot_finish (VireoDomain   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_screenshot_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_console_opened (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GSocketConnection *conn = VIREO_DOMAIN_GET_CLASS (source)->open_console_finish (VIREO_DOMAIN (source), result, &error);

  if (conn == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, conn, g_object_unref);
}

/**
 * vireo_domain_open_console_async:
 * @cancellable: (nullable): stops the connecting
 * Connects to the VM's serial console: bytes read are the guest's output
 * (recent output first), bytes written are typed into the guest.
 */
void
vireo_domain_open_console_async (VireoDomain         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_open_console_async);
  if (!_vireo_domain_supports (self, VIREO_DOMAIN_GET_CLASS (self)->open_console_async != NULL, task))
    return;
  VIREO_DOMAIN_GET_CLASS (self)->open_console_async (self, cancellable, on_console_opened, task);
}

/**
 * vireo_domain_open_console_finish:
 * Returns: (transfer full): the connection
 */
GSocketConnection *
vireo_domain_open_console_finish (VireoDomain   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_open_console_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_display_opened (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GSocketConnection *conn = VIREO_DOMAIN_GET_CLASS (source)->open_display_finish (VIREO_DOMAIN (source), result, &error);

  if (conn == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, conn, g_object_unref);
}

/**
 * vireo_domain_open_display_async:
 * @cancellable: (nullable): stops the connecting
 *
 * Connects to the VM's graphical display, an RFB (VNC) server: hand the
 * connection's fd to a VNC client.  A VM that has just started may not
 * serve it yet: try again a moment later.
 */
void
vireo_domain_open_display_async (VireoDomain         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_open_display_async);
  if (!_vireo_domain_supports (self, VIREO_DOMAIN_GET_CLASS (self)->open_display_async != NULL, task))
    return;
  VIREO_DOMAIN_GET_CLASS (self)->open_display_async (self, cancellable, on_display_opened, task);
}

/**
 * vireo_domain_open_display_finish:
 * Returns: (transfer full): the connection
 */
GSocketConnection *
vireo_domain_open_display_finish (VireoDomain   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_open_display_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
