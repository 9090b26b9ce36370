/* vireo-askpass.c: ssh's questions, asked in Vireo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The process's askpass socket (vireo-ssh-dir.c): vireo-askpass sends one
 * JSON line per question of ssh; the front end answers through the
 * #VireoAskpass::request signal (a dialog, the TUI's prompt, the
 * terminal).  Questions wait in turn, one shown at a time; with nobody
 * listening each is refused at once, which ssh takes as "no".  Only this
 * user's processes may ask (the peer's credentials), and a question is
 * one line of at most 64 KiB.
 */
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vireo-askpass.h"
#include "vireo-ssh-dir.h"

#define MAX_REQUEST (64 * 1024)

struct _VireoAskpassRequest
{
  GObject parent_instance;
  char *prompt;
  VireoAskpassKind kind;
  GSocketConnection *connection;    /* to vireo-askpass */
  VireoAskpass *owner;              /* borrowed: the default lives for ever */
  gboolean answered;
  GSource *watch;                   /* the asker hanging up first */
};

G_DEFINE_FINAL_TYPE (VireoAskpassRequest, vireo_askpass_request, G_TYPE_OBJECT)

struct _VireoAskpass
{
  GObject parent_instance;
  GSocketService *service;
  char *path;
  GQueue waiting;                   /* VireoAskpassRequest, the head shown */
};

G_DEFINE_FINAL_TYPE (VireoAskpass, vireo_askpass, G_TYPE_OBJECT)

enum { REQUEST, N_SIGNALS };
static guint signals[N_SIGNALS];

enum { WITHDRAWN, N_REQUEST_SIGNALS };
static guint request_signals[N_REQUEST_SIGNALS];

static void show_next (VireoAskpass *self);

static void
vireo_askpass_request_finalize (GObject *object)
{
  VireoAskpassRequest *self = VIREO_ASKPASS_REQUEST (object);

  if (self->watch != NULL)
    g_source_destroy (self->watch);
  g_clear_pointer (&self->watch, g_source_unref);
  g_free (self->prompt);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (vireo_askpass_request_parent_class)->finalize (object);
}

static void
vireo_askpass_request_class_init (VireoAskpassRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vireo_askpass_request_finalize;

  /**
   * VireoAskpassRequest::withdrawn:
   * ssh went away before an answer (its connection ended): the question
   * is void, the front end stops asking it, and the next is shown
   */
  request_signals[WITHDRAWN] = g_signal_new ("withdrawn", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                             NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vireo_askpass_request_init (VireoAskpassRequest *self)
{
}

const char *
vireo_askpass_request_get_prompt (VireoAskpassRequest *self)
{
  g_return_val_if_fail (VIREO_IS_ASKPASS_REQUEST (self), NULL);
  return self->prompt;
}

VireoAskpassKind
vireo_askpass_request_get_kind (VireoAskpassRequest *self)
{
  g_return_val_if_fail (VIREO_IS_ASKPASS_REQUEST (self), VIREO_ASKPASS_SECRET);
  return self->kind;
}

/* Blocking, but to a local socket whose reader waits for exactly this */
static void
send_answer (VireoAskpassRequest *self,
             const char          *answer)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, answer != NULL ? "answer" : "cancel");
  if (answer != NULL)
    json_builder_add_string_value (b, answer);
  else
    json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  line = json_generator_to_data (gen, NULL);
  if (!g_output_stream_write_all (out, line, strlen (line), NULL, NULL, NULL) ||
      !g_output_stream_write_all (out, "\n", 1, NULL, NULL, NULL))
    g_debug ("askpass went away before its answer");
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
}

/**
 * vireo_askpass_request_answer:
 * @answer: (nullable): what ssh gets ("yes", a password); %NULL refuses
 *
 * Answers once; the next question is shown after it.
 */
void
vireo_askpass_request_answer (VireoAskpassRequest *self,
                              const char          *answer)
{
  VireoAskpass *owner;

  g_return_if_fail (VIREO_IS_ASKPASS_REQUEST (self));
  if (self->answered)
    return;
  self->answered = TRUE;
  if (self->watch != NULL)
    g_source_destroy (self->watch);
  send_answer (self, answer);
  owner = self->owner;
  if (g_queue_peek_head (&owner->waiting) == self)
    {
      g_object_unref (g_queue_pop_head (&owner->waiting));
      show_next (owner);
    }
}

/* The head of the queue is shown; nobody to show it to refuses it */
static void
show_next (VireoAskpass *self)
{
  VireoAskpassRequest *request = g_queue_peek_head (&self->waiting);

  if (request == NULL)
    return;
  if (!g_signal_has_handler_pending (self, signals[REQUEST], 0, FALSE))
    {
      vireo_askpass_request_answer (request, NULL);
      return;
    }
  g_signal_emit (self, signals[REQUEST], 0, request);
}

/* ssh marks only some questions (SSH_ASKPASS_PROMPT); a new host key's
 * is an ordinary prompt that asks yes or no */
static VireoAskpassKind
kind_from (const char *text,
           const char *prompt)
{
  if (g_strcmp0 (text, "confirm") == 0 || strstr (prompt, "(yes/no") != NULL)
    return VIREO_ASKPASS_CONFIRM;
  if (g_strcmp0 (text, "info") == 0)
    return VIREO_ASKPASS_INFO;
  return VIREO_ASKPASS_SECRET;
}

/* The asker hung up before an answer: the question is withdrawn */
static gboolean
on_asker_gone (GSocket      *socket,
               GIOCondition  condition,
               gpointer      user_data)
{
  VireoAskpassRequest *self = user_data;
  g_autoptr(VireoAskpassRequest) keep = g_object_ref (self);
  VireoAskpass *owner = self->owner;
  gboolean shown = g_queue_peek_head (&owner->waiting) == self;

  self->answered = TRUE;
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  if (g_queue_remove (&owner->waiting, self))
    g_object_unref (self);
  if (shown)
    {
      g_signal_emit (keep, request_signals[WITHDRAWN], 0);
      show_next (owner);
    }
  return G_SOURCE_REMOVE;
}

static void
add_request (VireoAskpass      *self,
             GSocketConnection *connection,
             JsonObject        *object)
{
  JsonNode *prompt = json_object_get_member (object, "prompt");
  JsonNode *kind = json_object_get_member (object, "kind");
  VireoAskpassRequest *request;

  if (prompt == NULL || json_node_get_value_type (prompt) != G_TYPE_STRING)
    return;
  request = g_object_new (VIREO_TYPE_ASKPASS_REQUEST, NULL);
  request->prompt = g_strdup (json_node_get_string (prompt));
  request->kind = kind_from (kind != NULL && json_node_get_value_type (kind) == G_TYPE_STRING
                             ? json_node_get_string (kind) : "secret", request->prompt);
  request->connection = g_object_ref (connection);
  request->owner = self;
  /* vireo-askpass sends nothing more: any readable end is its hang-up */
  request->watch = g_socket_create_source (g_socket_connection_get_socket (connection),
                                           G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (request->watch, (GSourceFunc) G_CALLBACK (on_asker_gone), request, NULL);
  g_source_attach (request->watch, NULL);
  g_queue_push_tail (&self->waiting, request);
  if (self->waiting.length == 1)
    show_next (self);
}

/* One asker's request line, read at most MAX_REQUEST bytes and 30 s */
typedef struct {
  GSocketConnection *connection;
  GByteArray *line;
  GCancellable *cancellable;
  guint timeout_id;
} Reader;

static void
reader_free (Reader *reader)
{
  g_clear_handle_id (&reader->timeout_id, g_source_remove);
  g_object_unref (reader->connection);
  g_byte_array_unref (reader->line);
  g_object_unref (reader->cancellable);
  g_free (reader);
}

static gboolean
on_reader_timeout (gpointer user_data)
{
  Reader *reader = user_data;

  reader->timeout_id = 0;
  g_cancellable_cancel (reader->cancellable);
  return G_SOURCE_REMOVE;
}

static void read_more (Reader *reader);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reader *reader = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  const guint8 *end;

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      reader_free (reader);   /* gone, too slow, or an error */
      return;
    }
  g_byte_array_append (reader->line, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  end = memchr (reader->line->data, '\n', reader->line->len);
  if (end == NULL && reader->line->len <= MAX_REQUEST)
    {
      read_more (reader);
      return;
    }
  if (end != NULL && end - reader->line->data <= MAX_REQUEST &&
      json_parser_load_from_data (parser, (const char *) reader->line->data, end - reader->line->data, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    add_request (vireo_askpass_get_default (), reader->connection,
                 json_node_get_object (json_parser_get_root (parser)));
  reader_free (reader);
}

static void
read_more (Reader *reader)
{
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (G_IO_STREAM (reader->connection)), 4096,
                                   G_PRIORITY_DEFAULT, reader->cancellable, on_read, reader);
}

/* Only this user's processes ask */
static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  g_autoptr(GCredentials) credentials = g_socket_get_credentials (g_socket_connection_get_socket (connection), NULL);
  Reader *reader;

  if (credentials == NULL || g_credentials_get_unix_user (credentials, NULL) != getuid ())
    return TRUE;
  reader = g_new0 (Reader, 1);
  reader->connection = g_object_ref (connection);
  reader->line = g_byte_array_new ();
  reader->cancellable = g_cancellable_new ();
  reader->timeout_id = g_timeout_add_seconds (30, on_reader_timeout, reader);
  read_more (reader);
  return TRUE;
}

/* An exiting process takes its socket with it; a killed one leaves it to
 * the next process of that pid */
static void
remove_socket (void)
{
  VireoAskpass *self = vireo_askpass_get_default ();

  if (self->path != NULL)
    g_unlink (self->path);
}

/**
 * vireo_askpass_start:
 * Listens, once; later calls do nothing.  Main thread.
 */
gboolean
vireo_askpass_start (VireoAskpass  *self,
                     GError       **error)
{
  g_autofree char *dir = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  g_return_val_if_fail (VIREO_IS_ASKPASS (self), FALSE);
  if (self->service != NULL)
    return TRUE;
  if ((dir = vireo_ssh_dir (error)) == NULL)
    return FALSE;
  self->path = vireo_askpass_socket_path (dir, getpid ());
  g_unlink (self->path);   /* a dead process's, whose pid came back */
  address = g_unix_socket_address_new (self->path);
  self->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error))
    {
      g_clear_object (&self->service);
      return FALSE;
    }
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), NULL);
  g_socket_service_start (self->service);
  atexit (remove_socket);
  return TRUE;
}

static void
vireo_askpass_class_init (VireoAskpassClass *klass)
{
  /**
   * VireoAskpass::request:
   * @request: the question; answer it with vireo_askpass_request_answer()
   *   (now or later): the next waits until then
   */
  signals[REQUEST] = g_signal_new ("request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, VIREO_TYPE_ASKPASS_REQUEST);
}

static void
vireo_askpass_init (VireoAskpass *self)
{
  g_queue_init (&self->waiting);
}

/**
 * vireo_askpass_get_default:
 * Returns: (transfer none): the process's, living until it exits (its
 *   socket goes with it: an exiting process leaves the file, which the
 *   next process of that pid replaces)
 */
VireoAskpass *
vireo_askpass_get_default (void)
{
  static VireoAskpass *self;

  if (g_once_init_enter (&self))
    g_once_init_leave (&self, g_object_new (VIREO_TYPE_ASKPASS, NULL));
  return self;
}
