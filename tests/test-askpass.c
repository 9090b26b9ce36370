/* test-askpass.c: the engine's end of ssh's askpass, against hostile and
 * vanishing askers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One process-wide socket: the tests share it, each with its own handler.
 */
#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <unistd.h>

#include "vireo-askpass.h"
#include "vireo-ssh-dir.h"

#include "vireo-test-util.h"

static char *runtime;
static char *path;

typedef struct {
  GPtrArray *asked;              /* VireoAskpassRequest, in order */
  guint withdrawn;
} Seen;

static void
on_withdrawn (VireoAskpassRequest *request,
              Seen                *seen)
{
  seen->withdrawn++;
}

static void
on_request (VireoAskpass        *askpass,
            VireoAskpassRequest *request,
            Seen                *seen)
{
  g_ptr_array_add (seen->asked, g_object_ref (request));
  g_signal_connect (request, "withdrawn", G_CALLBACK (on_withdrawn), seen);
}

static int
setup (void **state)
{
  Seen *seen = g_new0 (Seen, 1);

  seen->asked = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (vireo_askpass_get_default (), "request", G_CALLBACK (on_request), seen);
  *state = seen;
  return 0;
}

static int
teardown (void **state)
{
  Seen *seen = *state;

  g_signal_handlers_disconnect_by_func (vireo_askpass_get_default (), on_request, seen);
  for (guint i = 0; i < seen->asked->len; i++)
    {
      g_signal_handlers_disconnect_by_func (g_ptr_array_index (seen->asked, i), on_withdrawn, seen);
      vireo_askpass_request_answer (g_ptr_array_index (seen->asked, i), NULL);
    }
  g_ptr_array_unref (seen->asked);
  g_free (seen);
  return 0;
}

static GSocketConnection *
dial (void)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);

  assert_no_error (error);
  return connection;
}

static void
send_text (GSocketConnection *connection,
           const char        *text,
           gsize              length)
{
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), text, length,
                             NULL, NULL, NULL);
}

static gboolean
got (gpointer data)
{
  Seen *seen = data;

  return seen->asked->len > 0;
}

/* Whether the server closed @connection, within a second */
static gboolean
hung_up (GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  char c;

  g_socket_set_timeout (socket, 1);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (int i = 0; i < 100; i++)
    {
      if (g_socket_condition_check (socket, G_IO_IN | G_IO_HUP))
        return g_socket_receive (socket, &c, 1, NULL, NULL) <= 0;
      vireo_test_pump_for (10);
    }
  return FALSE;
}

/* A line longer than a request may be is dropped unread, and a line
 * without a prompt string asks nothing (and raises no critical: the tests
 * run fatal-warnings) */
static void
test_hostile_requests (void **state)
{
  Seen *seen = *state;
  g_autoptr(GSocketConnection) huge = dial ();
  g_autofree char *junk = g_strnfill (70 * 1024, 'x');
  const char *bad[] = {
    "{\"kind\":\"secret\"}\n", "{\"prompt\":7}\n", "{\"prompt\":null}\n", "[1,2]\n", "not json\n",
  };
  const char *odd_kind = "{\"prompt\":\"p?\",\"kind\":{}}\n";
  g_autoptr(GSocketConnection) odd = NULL;

  send_text (huge, junk, strlen (junk));
  assert_true (hung_up (huge));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GSocketConnection) connection = dial ();

      send_text (connection, bad[i], strlen (bad[i]));
      assert_true (hung_up (connection));
    }
  assert_int_equal (seen->asked->len, 0);
  /* a kind that is no string is a secret: nothing shown in clear */
  odd = dial ();
  send_text (odd, odd_kind, strlen (odd_kind));
  assert_true (vireo_test_wait_until (got, seen, 5));
  assert_int_equal (vireo_askpass_request_get_kind (g_ptr_array_index (seen->asked, 0)), VIREO_ASKPASS_SECRET);
}

/* An asker that hangs up before its answer withdraws its question, and
 * the next one is asked */
static void
test_withdrawn (void **state)
{
  Seen *seen = *state;
  g_autoptr(GSocketConnection) first = dial ();
  g_autoptr(GSocketConnection) second = dial ();
  const char *one = "{\"prompt\":\"first?\",\"kind\":\"secret\"}\n";
  const char *two = "{\"prompt\":\"Are you sure (yes/no/[fingerprint])?\"}\n";
  g_autofree char *answer = NULL;
  char buf[64] = { 0 };

  send_text (first, one, strlen (one));
  assert_true (vireo_test_wait_until (got, seen, 5));
  send_text (second, two, strlen (two));
  vireo_test_pump_for (100);
  assert_int_equal (seen->asked->len, 1);   /* one at a time */
  g_io_stream_close (G_IO_STREAM (first), NULL, NULL);
  for (int i = 0; i < 100 && seen->asked->len < 2; i++)
    vireo_test_pump_for (10);
  assert_int_equal (seen->withdrawn, 1);
  assert_int_equal (seen->asked->len, 2);
  assert_int_equal (vireo_askpass_request_get_kind (g_ptr_array_index (seen->asked, 1)), VIREO_ASKPASS_CONFIRM);

  /* a withdrawn question takes no answer; the live one does */
  vireo_askpass_request_answer (g_ptr_array_index (seen->asked, 0), "late");
  vireo_askpass_request_answer (g_ptr_array_index (seen->asked, 1), "yes");
  g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (second)), buf, sizeof buf - 1, NULL, NULL);
  assert_string_equal (buf, "{\"answer\":\"yes\"}\n");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_hostile_requests, setup, teardown),
    cmocka_unit_test_setup_teardown (test_withdrawn, setup, teardown),
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  int failed;

  runtime = vireo_test_make_root ();
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  if (!vireo_askpass_start (vireo_askpass_get_default (), &error))
    g_error ("%s", error->message);
  dir = vireo_ssh_dir (NULL);
  path = vireo_askpass_socket_path (dir, getpid ());
  failed = cmocka_run_group_tests (tests, NULL, NULL);
  vireo_test_remove_tree (runtime);
  g_free (path);
  g_free (runtime);
  return failed;
}
