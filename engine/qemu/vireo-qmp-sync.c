/* vireo-qmp-sync.c: a blocking QMP session for worker threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A long operation on a running VM (a snapshot with its RAM, a revert)
 * is a series of commands whose each step depends on the one before, run
 * from a VireoJob on a worker thread.  This is its connection to the
 * VM's shim.sock: it speaks QMP in straight-line code, one command at a
 * time, and skips the events it does not need (the shim sends every
 * client every event).  The main thread's VireoQmpClient is not used from
 * here: it belongs to the main context.
 *
 * What arrives is QEMU's (through the shim), so it is parsed strictly and
 * bounded like everything else the guest's side can influence.
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-json.h"
#include "vireo-line-buffer.h"
#include "vireo-qmp-sync.h"

/* QMP messages are small; query-jobs with a few jobs is a few hundred bytes. */
#define MAX_LINE (1024 * 1024)
/* How long a reply may take: QEMU answers at once, but for query-jobs
 * while a job holds its monitor (vireo_qmp_sync_run_job). */
#define REPLY_TIMEOUT_S 60
/* Polling a job: first often (a snapshot of a small VM takes ~100 ms),
 * then at most this far apart. */
#define JOB_POLL_MIN_US 5000
#define JOB_POLL_MAX_US 50000

struct _VireoQmpSync {
  GSocketConnection *connection;
  GSocket *socket;
  GCancellable *cancellable;
  VireoLineBuffer lines;
  guint serial;
  gint64 reply_timeout_us;   /* -1: none */
};

void
vireo_qmp_sync_free (VireoQmpSync *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  vireo_line_buffer_clear (&self->lines);
  g_free (self);
}

/* The next message, or NULL with an error (EOF is VIREO_ERROR_DISCONNECTED). */
static JsonObject *
read_message (VireoQmpSync  *self,
              GError       **error)
{
  for (;;)
    {
      g_autofree char *line = vireo_line_buffer_pop (&self->lines);
      char buf[16384];
      gssize n;

      if (line != NULL)
        {
          if (*line == '\0')
            continue;
          return vireo_json_parse_object (line, -1, error);
        }
      if (!g_socket_condition_timed_wait (self->socket, G_IO_IN, self->reply_timeout_us,
                                          self->cancellable, error))
        return NULL;
      n = g_socket_receive (self->socket, buf, sizeof buf, self->cancellable, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        {
          g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_DISCONNECTED, "end of file");
          return NULL;
        }
      if (!vireo_line_buffer_feed (&self->lines, buf, n, error))
        return NULL;
    }
}

static gboolean
send_command (VireoQmpSync  *self,
              const char    *command,
              JsonObject    *arguments,
              char         **id,
              GError       **error)
{
  g_autoptr(JsonObject) request = json_object_new ();
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));

  *id = g_strdup_printf ("vireo-sync-%u", ++self->serial);
  json_object_set_string_member (request, "execute", command);
  if (arguments != NULL)
    json_object_set_object_member (request, "arguments", json_object_ref (arguments));
  json_object_set_string_member (request, "id", *id);
  text = vireo_json_object_to_string (request);
  line = g_strconcat (text, "\r\n", NULL);
  return g_output_stream_write_all (out, line, strlen (line), NULL, self->cancellable, error);
}

/**
 * vireo_qmp_sync_execute:
 * @arguments: (nullable): borrowed
 *
 * Sends @command and waits for its reply, skipping events.  An error
 * reply is %VIREO_ERROR_QEMU_FAILED with QEMU's description as the
 * message; the caller prefixes what it was doing.
 *
 * Returns: (transfer full): the reply's "return" value
 */
JsonNode *
vireo_qmp_sync_execute (VireoQmpSync  *self,
                        const char    *command,
                        JsonObject    *arguments,
                        GError       **error)
{
  g_autofree char *id = NULL;

  if (!send_command (self, command, arguments, &id, error))
    return NULL;
  for (;;)
    {
      g_autoptr(JsonObject) message = read_message (self, error);
      JsonObject *failure;

      if (message == NULL)
        return NULL;
      if (json_object_has_member (message, "event"))
        continue;
      failure = vireo_json_get_object (message, "error");
      /* an error without an id answers a request QEMU could not parse:
       * ours, since we send one at a time */
      if (g_strcmp0 (vireo_json_get_string (message, "id"), id) != 0 &&
          !(failure != NULL && !json_object_has_member (message, "id")))
        continue;
      if (failure != NULL)
        {
          const char *desc = vireo_json_get_string (failure, "desc");
          g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                               desc ? desc : "QEMU refused the command");
          return NULL;
        }
      if (!json_object_has_member (message, "return"))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL, "a reply to %s without a result", command);
          return NULL;
        }
      return json_node_copy (json_object_get_member (message, "return"));
    }
}

/**
 * vireo_qmp_sync_connect:
 * @cancellable: (nullable): cancels every later call of the session too
 *
 * Connects to a QMP socket (a VM's shim.sock), reads the greeting and
 * negotiates capabilities.  Blocks: worker threads only.
 */
VireoQmpSync *
vireo_qmp_sync_connect (const char    *socket_path,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(VireoQmpSync) self = g_new0 (VireoQmpSync, 1);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr(JsonObject) greeting = NULL;
  g_autoptr(JsonNode) ret = NULL;

  vireo_line_buffer_init (&self->lines, MAX_LINE);
  self->reply_timeout_us = REPLY_TIMEOUT_S * G_USEC_PER_SEC;
  self->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  self->connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), cancellable, error);
  if (self->connection == NULL)
    return NULL;
  self->socket = g_socket_connection_get_socket (self->connection);
  do
    {
      g_clear_pointer (&greeting, json_object_unref);
      greeting = read_message (self, error);
      if (greeting == NULL)
        return NULL;
      /* a shim that refuses more clients says so in an error */
      if (json_object_has_member (greeting, "error"))
        {
          const char *desc = vireo_json_get_string (vireo_json_get_object (greeting, "error"), "desc");
          g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED, desc ? desc : "refused");
          return NULL;
        }
    }
  while (!json_object_has_member (greeting, "QMP"));
  ret = vireo_qmp_sync_execute (self, "qmp_capabilities", NULL, error);
  if (ret == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

/* The job @id in query-jobs' reply, or NULL. */
static JsonObject *
find_job (JsonNode   *jobs,
          const char *id)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (jobs))
    return NULL;
  array = json_node_get_array (jobs);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (node) &&
          g_strcmp0 (vireo_json_get_string (json_node_get_object (node), "id"), id) == 0)
        return json_object_ref (json_node_get_object (node));
    }
  return NULL;
}

/* Polls query-jobs until the job concluded; sets @error to its error. */
static gboolean
wait_job (VireoQmpSync        *self,
          const char          *id,
          VireoQmpJobProgress  progress,
          gpointer             user_data,
          GError             **error)
{
  gulong poll_us = JOB_POLL_MIN_US;

  for (;;)
    {
      g_autoptr(JsonNode) jobs = vireo_qmp_sync_execute (self, "query-jobs", NULL, error);
      g_autoptr(JsonObject) job = NULL;
      gint64 total, current;

      if (jobs == NULL)
        return FALSE;
      job = find_job (jobs, id);
      if (job == NULL)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL, "job %s vanished", id);
          return FALSE;
        }
      if (g_strcmp0 (vireo_json_get_string (job, "status"), "concluded") == 0)
        {
          const char *failure = vireo_json_get_string (job, "error");

          if (failure != NULL)
            g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED, failure);
          return failure == NULL;
        }
      total = vireo_json_get_int (job, "total-progress", 0);
      current = vireo_json_get_int (job, "current-progress", 0);
      if (progress != NULL && total > 0 && current >= 0 && current <= total)
        progress ((double) current / total, user_data);
      g_usleep (poll_us);
      poll_us = MIN (poll_us * 2, JOB_POLL_MAX_US);
    }
}

/**
 * vireo_qmp_sync_run_job:
 * @arguments: (nullable): borrowed; gets a "job-id"
 * @progress: (nullable) (scope call):
 *
 * Runs a QEMU job (snapshot-save, snapshot-load, snapshot-delete) to its
 * end.  These commands reply {} even when the job fails, so the outcome
 * is read from query-jobs, and the concluded job is dismissed either way.
 * Returns: whether the job succeeded; else @error holds QEMU's reason
 */
gboolean
vireo_qmp_sync_run_job (VireoQmpSync        *self,
                        const char          *command,
                        JsonObject          *arguments,
                        VireoQmpJobProgress  progress,
                        gpointer             user_data,
                        GError             **error)
{
  g_autoptr(JsonObject) args = arguments ? json_object_ref (arguments) : json_object_new ();
  g_autoptr(JsonObject) dismiss = json_object_new ();
  g_autofree char *id = g_strdup_printf ("vireo-%s-%u", command, ++self->serial);
  g_autoptr(JsonNode) ret = NULL;
  g_autoptr(JsonNode) dismissed = NULL;
  g_autoptr(GError) job_error = NULL;
  gboolean ok;

  json_object_set_string_member (args, "job-id", id);
  /* QEMU's monitor does not answer while it saves or loads a VM's RAM,
   * which takes minutes for a big guest on a slow disk: no time limit
   * then, QEMU's exit ends the wait */
  self->reply_timeout_us = -1;
  ret = vireo_qmp_sync_execute (self, command, args, error);
  ok = ret != NULL && wait_job (self, id, progress, user_data, &job_error);
  self->reply_timeout_us = REPLY_TIMEOUT_S * G_USEC_PER_SEC;
  if (ret == NULL)
    return FALSE;
  if (!ok && !g_error_matches (job_error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED))
    {
      g_propagate_error (error, g_steal_pointer (&job_error));
      return FALSE;
    }
  json_object_set_string_member (dismiss, "id", id);
  dismissed = vireo_qmp_sync_execute (self, "job-dismiss", dismiss, job_error ? NULL : error);
  if (job_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job_error));
      return FALSE;
    }
  return dismissed != NULL;
}

/**
 * vireo_qmp_sync_wait_closed:
 * Reads (and drops) messages until the other end hangs up: after the
 * shim was told to force QEMU off, its hang-up means QEMU is gone.
 * Returns: %FALSE if it did not within @timeout_ms
 */
gboolean
vireo_qmp_sync_wait_closed (VireoQmpSync *self,
                            guint         timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      g_autoptr(GError) error = NULL;
      char buf[16384];
      gssize n;

      if (left <= 0 || !g_socket_condition_timed_wait (self->socket, G_IO_IN, left, NULL, NULL))
        return FALSE;
      n = g_socket_receive (self->socket, buf, sizeof buf, NULL, &error);
      if (n == 0 || (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
        return TRUE;
    }
}
