/* test-qmp-client.c: QMP framing against a scripted fake peer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <gio/gio.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-json.h"
#include "vireo-line-buffer.h"
#include "vireo-qmp-client.h"
#include "vireo-test-util.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": [\"oob\"]}}\r\n"

typedef struct {
  VireoQmpClient *client;
  int peer;                 /* the fake QEMU's end */
  GPtrArray *events;        /* names, in order of arrival */
  GPtrArray *order;         /* "event:NAME" and "reply" in order */
  GError *closed;
  guint closed_count;
  GArray *stamps;           /* each event's timestamp */
} Fixture;

static void
on_event (VireoQmpClient *client,
          const char     *name,
          JsonObject     *data,
          gint64          timestamp,
          Fixture        *f)
{
  g_ptr_array_add (f->events, g_strdup (name));
  g_array_append_val (f->stamps, timestamp);
  g_ptr_array_add (f->order, g_strdup_printf ("event:%s", name));
}

static void
on_closed (VireoQmpClient *client,
           const GError   *error,
           Fixture        *f)
{
  f->closed_count++;
  g_clear_error (&f->closed);
  f->closed = g_error_copy (error);
}

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  int sv[2];

  assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  socket = g_socket_new_from_fd (sv[0], NULL);
  conn = g_socket_connection_factory_create_connection (socket);
  f->peer = sv[1];
  f->client = vireo_qmp_client_new (G_IO_STREAM (conn), "VM 'test'");
  f->events = g_ptr_array_new_with_free_func (g_free);
  f->order = g_ptr_array_new_with_free_func (g_free);
  f->stamps = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (f->client, "event", G_CALLBACK (on_event), f);
  g_signal_connect (f->client, "closed", G_CALLBACK (on_closed), f);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  Fixture *f = *state;

  /* a pending read keeps the client alive into the pump below: it must
   * not reach the fixture any more */
  g_signal_handlers_disconnect_by_data (f->client, f);
  g_clear_object (&f->client);
  if (f->peer >= 0)
    close (f->peer);
  g_ptr_array_unref (f->events);
  g_ptr_array_unref (f->order);
  g_array_unref (f->stamps);
  g_clear_error (&f->closed);
  /* let cancelled reads finish */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_free (f);
  return 0;
}

static void
peer_write (Fixture    *f,
            const char *text)
{
  gsize len = strlen (text), done = 0;

  /* Non-blocking, pumping the client meanwhile, so a large message
   * cannot deadlock against a client that is not reading yet. */
  while (done < len)
    {
      ssize_t n = send (f->peer, text + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0)
        done += n;
      else if (n < 0 && errno != EAGAIN)
        return;  /* the client hung up */
      else
        g_main_context_iteration (NULL, FALSE);
    }
}

/* Reads one line the client sent, pumping the main loop meanwhile. */
static JsonObject *
peer_read (Fixture *f)
{
  GString *line = g_string_new (NULL);
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  JsonObject *obj;

  while (!g_str_has_suffix (line->str, "\r\n"))
    {
      struct pollfd pfd = { f->peer, POLLIN, 0 };
      char c;

      if (g_get_monotonic_time () > end)
        fail_msg ("the client sent nothing");
      g_main_context_iteration (NULL, FALSE);
      if (poll (&pfd, 1, 5) == 1 && read (f->peer, &c, 1) == 1)
        g_string_append_c (line, c);
    }
  obj = vireo_json_parse_object (line->str, -1, NULL);
  assert_non_null (obj);
  g_string_free (line, TRUE);
  return obj;
}

static gboolean
peer_has_data (Fixture *f)
{
  struct pollfd pfd = { f->peer, POLLIN, 0 };

  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  return poll (&pfd, 1, 50) == 1;
}

static void
reply (Fixture    *f,
       JsonObject *request,
       const char *body)
{
  g_autofree char *text = g_strdup_printf ("{%s, \"id\": \"%s\"}\r\n", body,
                                           json_object_get_string_member (request, "id"));
  peer_write (f, text);
}

typedef struct {
  gboolean done;
  JsonNode *ret;
  JsonObject *obj;
  GError *error;
  Fixture *f;
} Result;

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;
  r->obj = vireo_qmp_client_handshake_finish (VIREO_QMP_CLIENT (source), result, &r->error);
  r->done = TRUE;
}

static void
on_execute (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Result *r = user_data;
  r->ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, &r->error);
  if (r->f)
    g_ptr_array_add (r->f->order, g_strdup ("reply"));
  r->done = TRUE;
}

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->ret, json_node_unref);
  g_clear_pointer (&r->obj, json_object_unref);
  g_clear_error (&r->error);
  r->done = FALSE;
}

/* The greeting arrives in three pieces; capabilities are negotiated. */
static void
handshake (Fixture *f)
{
  Result r = { 0 };
  g_autoptr(JsonObject) caps = NULL;
  const char *g = GREETING;

  vireo_qmp_client_handshake_async (f->client, NULL, on_handshake, &r);
  peer_write (f, "");
  {
    g_autofree char *a = g_strndup (g, 10);
    g_autofree char *b = g_strndup (g + 10, 40);
    peer_write (f, a);
    g_main_context_iteration (NULL, FALSE);
    peer_write (f, b);
    g_main_context_iteration (NULL, FALSE);
    peer_write (f, g + 50);
  }
  caps = peer_read (f);
  assert_string_equal (json_object_get_string_member (caps, "execute"), "qmp_capabilities");
  assert_false (json_object_has_member (caps, "arguments")); /* no OOB */
  assert_false (r.done);
  reply (f, caps, "\"return\": {}");
  vireo_test_pump (NULL, &r.done, 5000);
  assert_no_error (r.error);
  assert_true (json_object_has_member (r.obj, "QMP"));
  result_clear (&r);
}

static void
test_handshake_split_greeting (void **state)
{
  handshake (*state);
}

static void
test_commands_wait_for_handshake (void **state)
{
  Fixture *f = *state;
  Result hs = { 0 }, r = { 0 };
  g_autoptr(JsonObject) caps = NULL;
  g_autoptr(JsonObject) cmd = NULL;

  /* queued before the greeting: must not be sent before capabilities */
  vireo_qmp_client_execute_async (f->client, "query-status", NULL, NULL, on_execute, &r);
  vireo_qmp_client_handshake_async (f->client, NULL, on_handshake, &hs);
  assert_false (peer_has_data (f));
  peer_write (f, GREETING);
  caps = peer_read (f);
  assert_string_equal (json_object_get_string_member (caps, "execute"), "qmp_capabilities");
  assert_false (peer_has_data (f));
  reply (f, caps, "\"return\": {}");
  cmd = peer_read (f);
  assert_string_equal (json_object_get_string_member (cmd, "execute"), "query-status");
  reply (f, cmd, "\"return\": {\"status\": \"running\", \"running\": true}");
  vireo_test_pump (NULL, &r.done, 5000);
  assert_no_error (r.error);
  assert_true (hs.done);
  result_clear (&hs);
  result_clear (&r);
}

static void
test_several_messages_per_read (void **state)
{
  Fixture *f = *state;
  Result r = { .f = f };
  g_autoptr(JsonObject) cmd = NULL;
  g_autofree char *both = NULL;
  JsonObject *ret;

  handshake (f);
  vireo_qmp_client_execute_async (f->client, "cont", NULL, NULL, on_execute, &r);
  cmd = peer_read (f);
  /* RESUME comes before the reply to cont, all in one write */
  both = g_strdup_printf ("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"RESUME\"}\r\n"
                          "{\"return\": {\"x\": 1}, \"id\": \"%s\"}\r\n"
                          "{\"event\": \"NIC_RX_FILTER_CHANGED\", \"data\": {\"name\": \"net0\"}}\r\n",
                          json_object_get_string_member (cmd, "id"));
  peer_write (f, both);
  vireo_test_pump (NULL, &r.done, 5000);
  assert_no_error (r.error);
  ret = json_node_get_object (r.ret);
  assert_int_equal (json_object_get_int_member (ret, "x"), 1);
  assert_int_equal (f->order->len, 3);
  assert_string_equal (g_ptr_array_index (f->order, 0), "event:RESUME");
  assert_string_equal (g_ptr_array_index (f->order, 1), "reply");
  assert_string_equal (g_ptr_array_index (f->order, 2), "event:NIC_RX_FILTER_CHANGED");
  result_clear (&r);
}

static void
test_error_replies (void **state)
{
  Fixture *f = *state;
  Result r = { 0 };
  g_autoptr(JsonObject) cmd = NULL;
  g_autoptr(JsonObject) cmd2 = NULL;

  handshake (f);
  vireo_qmp_client_execute_async (f->client, "snapshot-save", NULL, NULL, on_execute, &r);
  cmd = peer_read (f);
  reply (f, cmd, "\"error\": {\"class\": \"GenericError\", \"desc\": \"Device 'vda' is busy\"}");
  vireo_test_pump (NULL, &r.done, 5000);
  assert_true (g_error_matches (r.error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED));
  assert_string_equal (r.error->message, "Device 'vda' is busy");
  result_clear (&r);

  /* QEMU could not parse the request: the error has no id */
  vireo_qmp_client_execute_async (f->client, "bogus", NULL, NULL, on_execute, &r);
  cmd2 = peer_read (f);
  peer_write (f, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error\"}}\r\n");
  vireo_test_pump (NULL, &r.done, 5000);
  assert_string_equal (r.error->message, "JSON parse error");
  assert_false (vireo_qmp_client_is_closed (f->client));
  result_clear (&r);
}

static void
test_one_command_in_flight (void **state)
{
  Fixture *f = *state;
  Result a = { 0 }, b = { 0 };
  g_autoptr(JsonObject) ca = NULL;
  g_autoptr(JsonObject) cb = NULL;

  handshake (f);
  vireo_qmp_client_execute_async (f->client, "query-status", NULL, NULL, on_execute, &a);
  vireo_qmp_client_execute_async (f->client, "query-block", NULL, NULL, on_execute, &b);
  ca = peer_read (f);
  assert_string_equal (json_object_get_string_member (ca, "execute"), "query-status");
  assert_false (peer_has_data (f));
  /* a reply for an id nobody asked is ignored, the real one routes */
  peer_write (f, "{\"return\": {}, \"id\": \"stale\"}\r\n");
  reply (f, ca, "\"return\": {\"status\": \"paused\"}");
  cb = peer_read (f);
  assert_string_equal (json_object_get_string_member (cb, "execute"), "query-block");
  assert_string_not_equal (json_object_get_string_member (ca, "id"),
                           json_object_get_string_member (cb, "id"));
  reply (f, cb, "\"return\": []");
  vireo_test_pump (NULL, &b.done, 5000);
  assert_true (a.done);
  assert_true (JSON_NODE_HOLDS_ARRAY (b.ret));
  result_clear (&a);
  result_clear (&b);
}

/* Reads what the client sent until @n lines have come, in large reads,
 * pumping the main loop meanwhile; returns the last line. */
static char *
peer_read_lines (Fixture *f,
                 guint    n)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint lines = 0;
  char *last;

  while (lines < n)
    {
      struct pollfd pfd = { f->peer, POLLIN, 0 };
      char buf[65536];
      ssize_t got;

      if (g_get_monotonic_time () > end)
        fail_msg ("the client sent %u lines of %u", lines, n);
      g_main_context_iteration (NULL, FALSE);
      if (poll (&pfd, 1, 5) != 1 || (got = read (f->peer, buf, sizeof buf)) <= 0)
        continue;
      for (ssize_t i = 0; i < got; i++)
        if (buf[i] == '\n')
          lines++;
      g_string_append_len (text, buf, got);
    }
  g_string_truncate (text, text->len - 2);   /* the last "\r\n" */
  last = strrchr (text->str, '\n');
  return g_strdup (last ? last + 1 : text->str);
}

/* A peer may answer before the client's write of the command is done (a
 * large command, or a shim that answers at once): the next command waits
 * for the stream, which takes one write at a time. */
static void
test_reply_before_write_completes (void **state)
{
  Fixture *f = *state;
  Result a = { 0 }, b = { 0 };
  g_autoptr(JsonObject) args = json_object_new ();
  g_autofree char *big = g_strnfill (2 * 1024 * 1024, 'x');
  g_autofree char *second = NULL;
  g_autoptr(JsonObject) request = NULL;

  handshake (f);
  json_object_set_string_member (args, "data", big);
  vireo_qmp_client_execute_async (f->client, "big", args, NULL, on_execute, &a);
  vireo_qmp_client_execute_async (f->client, "query-status", NULL, NULL, on_execute, &b);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  /* the socket is full: the write of "big" is still under way */
  peer_write (f, "{\"return\": {}, \"id\": \"v2\"}\r\n");
  vireo_test_pump (NULL, &a.done, 5000);
  assert_no_error (a.error);
  second = peer_read_lines (f, 2);
  request = vireo_json_parse_object (second, -1, NULL);
  assert_non_null (request);
  assert_string_equal (json_object_get_string_member (request, "execute"), "query-status");
  reply (f, request, "\"return\": {\"status\": \"running\"}");
  vireo_test_pump (NULL, &b.done, 5000);
  assert_no_error (b.error);
  assert_null (f->closed);
  result_clear (&a);
  result_clear (&b);
}

static void
test_eof_after_buffered_lines (void **state)
{
  Fixture *f = *state;
  Result a = { 0 }, b = { 0 };
  g_autoptr(JsonObject) ca = NULL;
  g_autofree char *text = NULL;

  handshake (f);
  vireo_qmp_client_execute_async (f->client, "quit", NULL, NULL, on_execute, &a);
  vireo_qmp_client_execute_async (f->client, "query-status", NULL, NULL, on_execute, &b);
  ca = peer_read (f);
  /* the reply and the event are in the buffer when the peer hangs up */
  text = g_strdup_printf ("{\"return\": {}, \"id\": \"%s\"}\r\n{\"event\": \"SHUTDOWN\"}\r\n",
                          json_object_get_string_member (ca, "id"));
  peer_write (f, text);
  close (f->peer);
  f->peer = -1;
  vireo_test_pump (NULL, &b.done, 5000);
  assert_no_error (a.error);
  assert_true (a.done);
  assert_int_equal (f->events->len, 1);
  assert_string_equal (g_ptr_array_index (f->events, 0), "SHUTDOWN");
  assert_true (g_error_matches (b.error, VIREO_ERROR, VIREO_ERROR_DISCONNECTED));
  assert_string_equal (b.error->message, "VM 'test' closed the connection");
  assert_int_equal (f->closed_count, 1);
  assert_true (vireo_qmp_client_is_closed (f->client));
  result_clear (&a);
  result_clear (&b);

  /* later commands fail at once with the same reason */
  vireo_qmp_client_execute_async (f->client, "cont", NULL, NULL, on_execute, &a);
  vireo_test_pump (NULL, &a.done, 1000);
  assert_string_equal (a.error->message, "VM 'test' closed the connection");
  result_clear (&a);
}

static void
test_garbage_closes (void **state)
{
  Fixture *f = *state;
  Result r = { 0 };
  g_autoptr(JsonObject) cmd = NULL;

  handshake (f);
  vireo_qmp_client_execute_async (f->client, "query-status", NULL, NULL, on_execute, &r);
  cmd = peer_read (f);
  peer_write (f, "this is not json\r\n");
  vireo_test_pump (NULL, &r.done, 5000);
  assert_true (g_error_matches (r.error, VIREO_ERROR, VIREO_ERROR_PROTOCOL));
  assert_int_equal (f->closed_count, 1);
  result_clear (&r);
}

static void
test_oversized_message_closes (void **state)
{
  Fixture *f = *state;
  Result r = { 0 };
  g_autoptr(JsonObject) cmd = NULL;
  g_autofree char *chunk = g_strnfill (1024 * 1024, 'a');

  handshake (f);
  vireo_qmp_client_execute_async (f->client, "query-status", NULL, NULL, on_execute, &r);
  cmd = peer_read (f);
  peer_write (f, "{\"return\": \"");
  for (guint i = 0; i < 17 && !r.done; i++)
    {
      peer_write (f, chunk);
      for (guint j = 0; j < 50; j++)
        g_main_context_iteration (NULL, FALSE);
    }
  vireo_test_pump (NULL, &r.done, 5000);
  assert_true (g_error_matches (r.error, VIREO_ERROR, VIREO_ERROR_PROTOCOL));
  assert_non_null (strstr (r.error->message, "longer than"));
  result_clear (&r);
}

/* Runs one command with @body as its reply's members, and an id of
 * @id_json (the right one when NULL). */
static void
execute_with_reply (Fixture    *f,
                    Result     *r,
                    const char *id_json,
                    const char *body)
{
  g_autoptr(JsonObject) cmd = NULL;
  g_autofree char *text = NULL;

  vireo_qmp_client_execute_async (f->client, "query-status", NULL, NULL, on_execute, r);
  cmd = peer_read (f);
  if (id_json)
    {
      text = g_strdup_printf ("{%s, \"id\": %s}\r\n", body, id_json);
      peer_write (f, text);
    }
  else
    reply (f, cmd, body);
}

/* Events whose name or timestamp has the wrong type, or a timestamp that
 * would overflow, neither warn nor reach a handler with a NULL name. */
static void
test_hostile_events (void **state)
{
  Fixture *f = *state;
  Result r = { 0 };

  handshake (f);
  peer_write (f, "{\"event\": 5}\r\n"
                 "{\"event\": {\"name\": \"X\"}}\r\n"
                 "{\"event\": \"A\", \"timestamp\": {\"seconds\": \"1\", \"microseconds\": []}}\r\n"
                 "{\"event\": \"B\", \"timestamp\": {\"seconds\": 9223372036854775807, \"microseconds\": 1}}\r\n"
                 "{\"event\": \"C\", \"timestamp\": [1, 2], \"data\": 3}\r\n"
                 "{\"event\": \"D\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\r\n");
  execute_with_reply (f, &r, NULL, "\"return\": {}");
  vireo_test_pump (NULL, &r.done, 5000);
  assert_no_error (r.error);
  assert_int_equal (f->events->len, 4);
  assert_string_equal (g_ptr_array_index (f->events, 0), "A");
  assert_string_equal (g_ptr_array_index (f->events, 3), "D");
  assert_int_equal (g_array_index (f->stamps, gint64, 0), 0);
  assert_int_equal (g_array_index (f->stamps, gint64, 1), 0);
  assert_int_equal (g_array_index (f->stamps, gint64, 2), 0);
  assert_int_equal (g_array_index (f->stamps, gint64, 3), 1000002);
  result_clear (&r);
}

/* A reply whose id is not a string is not ours; an error that is not an
 * object is still an error, never a NULL result without one. */
static void
test_hostile_replies (void **state)
{
  Fixture *f = *state;
  Result r = { 0 };
  g_autoptr(JsonObject) cmd = NULL;

  handshake (f);
  execute_with_reply (f, &r, "7", "\"return\": {\"wrong\": 1}");
  assert_false (peer_has_data (f));
  assert_false (r.done);
  peer_write (f, "{\"return\": {\"right\": 1}}\r\n");
  vireo_test_pump (NULL, &r.done, 5000);
  assert_no_error (r.error);
  assert_true (json_object_has_member (json_node_get_object (r.ret), "right"));
  result_clear (&r);

  execute_with_reply (f, &r, NULL, "\"error\": \"boom\"");
  vireo_test_pump (NULL, &r.done, 5000);
  assert_null (r.ret);
  assert_true (g_error_matches (r.error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED));
  result_clear (&r);

  execute_with_reply (f, &r, NULL, "\"error\": {\"desc\": 42}");
  vireo_test_pump (NULL, &r.done, 5000);
  assert_true (g_error_matches (r.error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED));
  assert_string_equal (r.error->message, "unknown error");
  result_clear (&r);
  assert_false (vireo_qmp_client_is_closed (f->client));
}

/* json-glib reads the first of two values and leaks the second: a text
 * is one object or nothing. */
static void
test_json_one_object (void **state)
{
  static const char *bad[] = {
    "{}{\"a\": []}", "{\"b\": 1} {\"a\": \"x\"}", "{} 1", "[1]", "1", "  ", "{\"a\": \"}\"} }",
  };
  static const char *good[] = {
    "{}", " {\"a\": [1, {\"b\": \"}{\\\"\"}]}\r\n", "{\"s\": \"\\\\\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) obj = vireo_json_parse_object (bad[i], -1, &error);

      if (obj != NULL)
        fail_msg ("'%s' parsed as one object", bad[i]);
      assert_non_null (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(JsonObject) obj = vireo_json_parse_object (good[i], -1, NULL);

      if (obj == NULL)
        fail_msg ("'%s' did not parse", good[i]);
    }
}

static void
test_line_buffer (void **state)
{
  VireoLineBuffer lb;
  g_autoptr(GError) error = NULL;
  char *line;

  vireo_line_buffer_init (&lb, 8);
  assert_true (vireo_line_buffer_feed (&lb, "ab", 2, NULL));
  assert_null (vireo_line_buffer_pop (&lb));
  assert_true (vireo_line_buffer_feed (&lb, "c\r\nde\nf", 7, NULL));
  line = vireo_line_buffer_pop (&lb);
  assert_string_equal (line, "abc");
  g_free (line);
  line = vireo_line_buffer_pop (&lb);
  assert_string_equal (line, "de");
  g_free (line);
  assert_null (vireo_line_buffer_pop (&lb));
  assert_int_equal (vireo_line_buffer_pending (&lb), 1);
  assert_false (vireo_line_buffer_feed (&lb, "123456789", 9, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL));
  g_clear_error (&error);
  /* after the error it buffers nothing more, even whole lines */
  assert_int_equal (vireo_line_buffer_pending (&lb), 0);
  assert_false (vireo_line_buffer_feed (&lb, "ok\n", 3, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL));
  assert_int_equal (vireo_line_buffer_pending (&lb), 0);
  assert_null (vireo_line_buffer_pop (&lb));
  vireo_line_buffer_clear (&lb);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_line_buffer),
    cmocka_unit_test (test_json_one_object),
    cmocka_unit_test_setup_teardown (test_handshake_split_greeting, setup, teardown),
    cmocka_unit_test_setup_teardown (test_commands_wait_for_handshake, setup, teardown),
    cmocka_unit_test_setup_teardown (test_several_messages_per_read, setup, teardown),
    cmocka_unit_test_setup_teardown (test_error_replies, setup, teardown),
    cmocka_unit_test_setup_teardown (test_one_command_in_flight, setup, teardown),
    cmocka_unit_test_setup_teardown (test_reply_before_write_completes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_eof_after_buffered_lines, setup, teardown),
    cmocka_unit_test_setup_teardown (test_garbage_closes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_oversized_message_closes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_hostile_events, setup, teardown),
    cmocka_unit_test_setup_teardown (test_hostile_replies, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
