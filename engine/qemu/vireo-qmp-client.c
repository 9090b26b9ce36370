/* vireo-qmp-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * QMP framing: every message is one JSON object on a line ending in CRLF;
 * a read can hold half a message or several.  Replies come in order
 * because OOB is never enabled, so one command is in flight at a time and
 * a reply without an id (QEMU could not parse the request) belongs to it.
 * Events interleave with replies and may arrive before the reply of the
 * command that caused them.
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-json.h"
#include "vireo-line-buffer.h"
#include "vireo-qmp-client.h"

#define MAX_MESSAGE (16 * 1024 * 1024)
#define READ_SIZE 65536

typedef enum {
  PHASE_GREETING,
  PHASE_NEGOTIATING,
  PHASE_READY,
  PHASE_CLOSED,
} Phase;

typedef struct {
  GTask *task;
  JsonObject *request;
  char *id;
} Pending;

struct _VireoQmpClient
{
  GObject parent_instance;

  /* owned */
  GIOStream *stream;
  GCancellable *io_cancellable;
  VireoLineBuffer lines;
  guint8 *read_buf;
  GQueue queue;            /* Pending, not yet sent */
  Pending *in_flight;
  /* a write under way: a stream takes one at a time, and a quick peer's
   * reply may come before the write's own callback */
  gboolean writing;
  GTask *handshake;
  JsonObject *greeting;
  GError *close_error;
  char *peer_name;
  guint64 next_id;
  Phase phase;
};

G_DEFINE_FINAL_TYPE (VireoQmpClient, vireo_qmp_client, G_TYPE_OBJECT)

enum {
  SIGNAL_EVENT,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_read (VireoQmpClient *self);
static void on_execute_reply (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);
static void pump (VireoQmpClient *self);

static void
pending_free (Pending *pending)
{
  g_clear_object (&pending->task);
  g_clear_pointer (&pending->request, json_object_unref);
  g_free (pending->id);
  g_free (pending);
}

static void
fail_pending (Pending      *pending,
              const GError *error)
{
  g_task_return_error (pending->task, g_error_copy (error));
  pending_free (pending);
}

static void
close_with_error (VireoQmpClient *self,
                  GError         *error)
{
  Pending *pending;

  if (self->phase == PHASE_CLOSED)
    {
      g_error_free (error);
      return;
    }

  g_debug ("QMP %s: closed: %s", self->peer_name, error->message);
  self->phase = PHASE_CLOSED;
  self->close_error = error;
  g_cancellable_cancel (self->io_cancellable);
  g_io_stream_close (self->stream, NULL, NULL);

  g_object_ref (self);
  if (self->handshake)
    {
      GTask *task = g_steal_pointer (&self->handshake);
      g_task_return_error (task, g_error_copy (error));
      g_object_unref (task);
    }
  if (self->in_flight)
    fail_pending (g_steal_pointer (&self->in_flight), error);
  while ((pending = g_queue_pop_head (&self->queue)))
    fail_pending (pending, error);

  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
  g_object_unref (self);
}

typedef struct {
  VireoQmpClient *self;
  GBytes *bytes;        /* the stream reads it until the write completes */
} Write;

static void pump (VireoQmpClient *self);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Write *write = user_data;
  g_autoptr(VireoQmpClient) self = write->self;
  g_autoptr(GError) error = NULL;

  g_bytes_unref (write->bytes);
  g_free (write);

  self->writing = FALSE;
  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      pump (self);
      return;
    }
  if (self->phase == PHASE_CLOSED)
    return;
  /* A hang-up shows the same way whether a read or a write notices it. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    close_with_error (self, g_error_new (VIREO_ERROR, VIREO_ERROR_DISCONNECTED,
                                         "%s closed the connection", self->peer_name));
  else
    close_with_error (self, g_error_new (VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                                         "Cannot write to %s: %s",
                                         self->peer_name, error->message));
}

static void
pump (VireoQmpClient *self)
{
  Pending *pending;
  g_autofree char *text = NULL;
  Write *write;
  char *line;

  if (self->in_flight != NULL || self->writing || self->phase == PHASE_CLOSED)
    return;
  /* Before capabilities are negotiated only that one command may go. */
  pending = g_queue_peek_head (&self->queue);
  if (pending == NULL)
    return;
  if (self->phase != PHASE_READY &&
      !(self->phase == PHASE_NEGOTIATING &&
        g_strcmp0 (vireo_json_get_string (pending->request, "execute"), "qmp_capabilities") == 0))
    return;

  self->in_flight = g_queue_pop_head (&self->queue);
  pending = self->in_flight;
  pending->id = g_strdup_printf ("v%" G_GUINT64_FORMAT, ++self->next_id);
  json_object_set_string_member (pending->request, "id", pending->id);

  text = vireo_json_object_to_string (pending->request);
  g_debug ("QMP %s <- %s", self->peer_name, text);
  line = g_strconcat (text, "\r\n", NULL);
  write = g_new0 (Write, 1);
  write->self = g_object_ref (self);
  write->bytes = g_bytes_new_take (line, strlen (line));
  self->writing = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream),
                                   g_bytes_get_data (write->bytes, NULL),
                                   g_bytes_get_size (write->bytes),
                                   G_PRIORITY_DEFAULT, self->io_cancellable,
                                   on_written, write);
}

static void
queue_request (VireoQmpClient *self,
               GTask          *task,
               JsonObject     *request)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->task = task;
  pending->request = request;
  g_queue_push_tail (&self->queue, pending);
  pump (self);
}

static void
on_capabilities (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  VireoQmpClient *self = VIREO_QMP_CLIENT (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (self, result, &error);
  GTask *task = g_steal_pointer (&self->handshake);

  if (task == NULL)
    return; /* closed meanwhile; already failed */
  if (ret == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    {
      self->phase = PHASE_READY;
      g_task_return_pointer (task, json_object_ref (self->greeting),
                             (GDestroyNotify) json_object_unref);
      pump (self);
    }
  g_object_unref (task);
}

static void
negotiate (VireoQmpClient *self)
{
  GTask *task = g_task_new (self, NULL, on_capabilities, NULL);
  JsonObject *request = json_object_new ();
  Pending *pending = g_new0 (Pending, 1);

  /* Capabilities go before anything queued while we waited. */
  self->phase = PHASE_NEGOTIATING;
  json_object_set_string_member (request, "execute", "qmp_capabilities");
  pending->task = g_task_new (self, NULL, on_execute_reply, task);
  pending->request = request;
  g_queue_push_head (&self->queue, pending);
  pump (self);
}

static GError *
error_from_reply (VireoQmpClient *self,
                  JsonObject     *error_obj)
{
  const char *desc = error_obj ? vireo_json_get_string (error_obj, "desc") : NULL;

  return g_error_new (VIREO_ERROR, VIREO_ERROR_QEMU_FAILED, "%s", desc ? desc : "unknown error");
}

/* QEMU's stamp in microseconds, or 0 when it is missing or out of range
 * (a peer's number must not overflow the multiplication). */
static gint64
event_timestamp (JsonObject *msg)
{
  JsonObject *ts = vireo_json_get_object (msg, "timestamp");
  gint64 seconds = ts ? vireo_json_get_int (ts, "seconds", -1) : -1;
  gint64 micro = ts ? vireo_json_get_int (ts, "microseconds", -1) : -1;

  if (seconds < 0 || seconds >= G_MAXINT64 / G_USEC_PER_SEC || micro < 0 || micro >= G_USEC_PER_SEC)
    return 0;
  return seconds * G_USEC_PER_SEC + micro;
}

static void
handle_event (VireoQmpClient *self,
              JsonObject     *msg)
{
  const char *name = vireo_json_get_string (msg, "event");

  /* Handlers compare the name: an event without one is no event. */
  if (name == NULL || *name == '\0')
    {
      g_debug ("QMP %s: event without a name ignored", self->peer_name);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_EVENT], g_quark_from_string (name), name,
                 vireo_json_get_object (msg, "data"), event_timestamp (msg));
}

static void
handle_message (VireoQmpClient *self,
                JsonObject     *msg)
{
  if (json_object_has_member (msg, "QMP"))
    {
      if (self->greeting != NULL)
        return;
      self->greeting = json_object_ref (msg);
      if (self->handshake != NULL)
        negotiate (self);
    }
  else if (json_object_has_member (msg, "event"))
    handle_event (self, msg);
  else if (json_object_has_member (msg, "return") || json_object_has_member (msg, "error"))
    {
      const char *id = vireo_json_get_string (msg, "id");
      Pending *pending = self->in_flight;

      /* an id that is not a string is not one of ours */
      if (id == NULL && json_object_has_member (msg, "id"))
        id = "";
      if (pending == NULL || (id != NULL && g_strcmp0 (id, pending->id) != 0))
        {
          g_debug ("QMP %s: reply to no pending command (id %s), ignored",
                   self->peer_name, id ? id : "none");
          return;
        }
      self->in_flight = NULL;
      g_task_return_pointer (pending->task, json_object_ref (msg),
                             (GDestroyNotify) json_object_unref);
      pending_free (pending);
      pump (self);
    }
  else
    g_debug ("QMP %s: unknown message ignored", self->peer_name);
}

static gboolean
handle_line (VireoQmpClient *self,
             const char     *line)
{
  g_autoptr(JsonObject) msg = NULL;

  if (*line == '\0')
    return TRUE;
  g_debug ("QMP %s -> %s", self->peer_name, line);
  msg = vireo_json_parse_object (line, -1, NULL);
  if (msg == NULL)
    {
      close_with_error (self, g_error_new (VIREO_ERROR, VIREO_ERROR_PROTOCOL,
                                           "%s sent a message that is not a JSON object",
                                           self->peer_name));
      return FALSE;
    }
  handle_message (self, msg);
  return self->phase != PHASE_CLOSED;
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(VireoQmpClient) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  char *line;

  if (self->phase == PHASE_CLOSED)
    return;
  if (n < 0)
    {
      close_with_error (self, g_error_new (VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                                           "Connection to %s failed: %s",
                                           self->peer_name, error->message));
      return;
    }
  if (n == 0)
    {
      /* Whole lines already in the buffer were handled before EOF. */
      close_with_error (self, g_error_new (VIREO_ERROR, VIREO_ERROR_DISCONNECTED,
                                           "%s closed the connection", self->peer_name));
      return;
    }
  if (!vireo_line_buffer_feed (&self->lines, (const char *) self->read_buf, n, &error))
    {
      close_with_error (self, g_error_new (VIREO_ERROR, VIREO_ERROR_PROTOCOL, "%s: %s",
                                           self->peer_name, error->message));
      return;
    }
  while ((line = vireo_line_buffer_pop (&self->lines)))
    {
      gboolean go_on = handle_line (self, line);
      g_free (line);
      if (!go_on)
        return;
    }
  start_read (self);
}

static void
start_read (VireoQmpClient *self)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream),
                             self->read_buf, READ_SIZE, G_PRIORITY_DEFAULT,
                             self->io_cancellable, on_read, g_object_ref (self));
}

static void
vireo_qmp_client_dispose (GObject *object)
{
  VireoQmpClient *self = VIREO_QMP_CLIENT (object);

  if (self->phase != PHASE_CLOSED && self->stream != NULL)
    close_with_error (self, g_error_new (VIREO_ERROR, VIREO_ERROR_DISCONNECTED,
                                         "Connection to %s closed", self->peer_name));
  g_clear_object (&self->stream);
  g_clear_object (&self->io_cancellable);

  G_OBJECT_CLASS (vireo_qmp_client_parent_class)->dispose (object);
}

static void
vireo_qmp_client_finalize (GObject *object)
{
  VireoQmpClient *self = VIREO_QMP_CLIENT (object);

  vireo_line_buffer_clear (&self->lines);
  g_free (self->read_buf);
  g_clear_pointer (&self->greeting, json_object_unref);
  g_clear_error (&self->close_error);
  g_free (self->peer_name);

  G_OBJECT_CLASS (vireo_qmp_client_parent_class)->finalize (object);
}

static void
vireo_qmp_client_class_init (VireoQmpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vireo_qmp_client_dispose;
  object_class->finalize = vireo_qmp_client_finalize;

  /**
   * VireoQmpClient::event:
   * @name: the event's name, also the signal detail
   * @data: (nullable): its data
   * @timestamp: microseconds since the epoch, as QEMU stamped it
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, JSON_TYPE_OBJECT, G_TYPE_INT64);

  /**
   * VireoQmpClient::closed:
   * @error: why: the peer hung up, a protocol error, or close()
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
vireo_qmp_client_init (VireoQmpClient *self)
{
  g_queue_init (&self->queue);
  self->io_cancellable = g_cancellable_new ();
  self->read_buf = g_malloc (READ_SIZE);
  vireo_line_buffer_init (&self->lines, MAX_MESSAGE);
}

/**
 * vireo_qmp_client_new:
 * @stream: a connected stream (a Unix socket to QEMU or to a shim)
 * @peer_name: how to name the peer in messages ("VM 'demo'")
 *
 * Starts reading at once, so the greeting is not missed; call
 * vireo_qmp_client_handshake_async() next.  All callbacks and signals run
 * on the thread-default main context of the caller.
 */
VireoQmpClient *
vireo_qmp_client_new (GIOStream  *stream,
                      const char *peer_name)
{
  VireoQmpClient *self = g_object_new (VIREO_TYPE_QMP_CLIENT, NULL);

  self->stream = g_object_ref (stream);
  self->peer_name = g_strdup (peer_name);
  start_read (self);
  return self;
}

/**
 * vireo_qmp_client_handshake_async:
 * Waits for the greeting and negotiates capabilities (no OOB).  Commands
 * sent before it completes wait in the queue.
 */
void
vireo_qmp_client_handshake_async (VireoQmpClient      *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, vireo_qmp_client_handshake_async);
  if (self->phase == PHASE_CLOSED)
    {
      g_task_return_error (task, g_error_copy (self->close_error));
      return;
    }
  g_return_if_fail (self->handshake == NULL && self->phase == PHASE_GREETING);
  self->handshake = g_steal_pointer (&task);
  if (self->greeting != NULL)
    negotiate (self);
}

/**
 * vireo_qmp_client_handshake_finish:
 * Returns: (transfer full): the greeting
 */
JsonObject *
vireo_qmp_client_handshake_finish (VireoQmpClient  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * vireo_qmp_client_send_async:
 * @request: (transfer none): `{"execute": …, "arguments": …}`; the client
 *   sets its own "id" on a copy
 *
 * Queues a request; the reply, whether "return" or "error", is the result.
 */
void
vireo_qmp_client_send_async (VireoQmpClient      *self,
                             JsonObject          *request,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;

  g_task_set_source_tag (task, vireo_qmp_client_send_async);
  if (self->phase == PHASE_CLOSED)
    {
      g_task_return_error (task, g_error_copy (self->close_error));
      g_object_unref (task);
      json_object_unref (copy);
      return;
    }

  json_object_iter_init (&iter, request);
  while (json_object_iter_next (&iter, &member, &value))
    if (!g_str_equal (member, "id"))
      json_object_set_member (copy, member, json_node_copy (value));
  queue_request (self, task, copy);
}

/**
 * vireo_qmp_client_send_finish:
 * Returns: (transfer full): the whole reply object
 */
JsonObject *
vireo_qmp_client_send_finish (VireoQmpClient  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_execute_reply (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = vireo_qmp_client_send_finish (VIREO_QMP_CLIENT (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (json_object_has_member (reply, "error"))
    g_task_return_error (task, error_from_reply (g_task_get_source_object (task),
                                                 vireo_json_get_object (reply, "error")));
  else if (g_task_return_error_if_cancelled (task))
    ;
  else
    g_task_return_pointer (task, json_node_copy (json_object_get_member (reply, "return")),
                           (GDestroyNotify) json_node_unref);
}

/**
 * vireo_qmp_client_execute_async:
 * @arguments: (nullable) (transfer none): the command's arguments
 *
 * Runs one command.  An "error" reply becomes a %VIREO_ERROR_QEMU_FAILED
 * whose message is QEMU's description.
 */
void
vireo_qmp_client_execute_async (VireoQmpClient      *self,
                                const char          *command,
                                JsonObject          *arguments,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonObject) request = json_object_new ();

  g_task_set_source_tag (task, vireo_qmp_client_execute_async);
  json_object_set_string_member (request, "execute", command);
  if (arguments)
    json_object_set_object_member (request, "arguments", json_object_ref (arguments));
  vireo_qmp_client_send_async (self, request, NULL, on_execute_reply, task);
}

/**
 * vireo_qmp_client_execute_finish:
 * Returns: (transfer full): the "return" value
 */
JsonNode *
vireo_qmp_client_execute_finish (VireoQmpClient  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  GAsyncResult *result;
} SyncData;

static void
on_sync_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SyncData *data = user_data;
  data->result = g_object_ref (result);
}

/**
 * vireo_qmp_client_execute_sync:
 * Iterates the thread-default main context until the reply comes.  For
 * command-line tools and tests; never call it from a GUI callback.
 */
JsonNode *
vireo_qmp_client_execute_sync (VireoQmpClient  *self,
                               const char      *command,
                               JsonObject      *arguments,
                               GCancellable    *cancellable,
                               GError         **error)
{
  SyncData data = { NULL };
  GMainContext *context = g_main_context_ref_thread_default ();
  JsonNode *ret;

  vireo_qmp_client_execute_async (self, command, arguments, cancellable, on_sync_done, &data);
  while (data.result == NULL)
    g_main_context_iteration (context, TRUE);
  ret = vireo_qmp_client_execute_finish (self, data.result, error);
  g_object_unref (data.result);
  g_main_context_unref (context);
  return ret;
}

gboolean
vireo_qmp_client_is_closed (VireoQmpClient *self)
{
  return self->phase == PHASE_CLOSED;
}

/**
 * vireo_qmp_client_close:
 * Hangs up; pending commands fail and ::closed is emitted once.
 */
void
vireo_qmp_client_close (VireoQmpClient *self)
{
  close_with_error (self, g_error_new (VIREO_ERROR, VIREO_ERROR_DISCONNECTED,
                                       "Connection to %s closed", self->peer_name));
}
