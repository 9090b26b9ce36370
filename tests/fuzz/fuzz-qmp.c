/* fuzz-qmp.c: QMP framing and the QMP client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is what QEMU (or a shim) sends.  It goes twice through the
 * line buffer, once whole and once in pieces whose sizes the input's own
 * bytes choose, and the lines must come out the same; then it reaches a
 * VireoQmpClient over a socket pair, with a handshake and a command
 * waiting.  Every command ends with a result or an error, never neither.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "vireo-line-buffer.h"
#include "vireo-qmp-client.h"

#define MAX_LINE 512

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
} Outcome;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

static GPtrArray *
split (const uint8_t *data,
       size_t         size,
       gboolean       in_pieces)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  VireoLineBuffer lb;
  size_t at = 0;
  char *line;

  vireo_line_buffer_init (&lb, MAX_LINE);
  while (at < size)
    {
      size_t n = in_pieces ? MIN ((size_t) data[at] % 7 + 1, size - at) : size - at;

      if (!vireo_line_buffer_feed (&lb, (const char *) data + at, n, NULL))
        {
          g_assert_cmpuint (vireo_line_buffer_pending (&lb), ==, 0);
          g_ptr_array_add (lines, g_strdup ("<too long>"));
          break;
        }
      at += n;
      while ((line = vireo_line_buffer_pop (&lb)))
        {
          g_assert_null (strchr (line, '\n'));
          g_ptr_array_add (lines, line);
        }
      g_assert_cmpuint (vireo_line_buffer_pending (&lb), <=, MAX_LINE);
    }
  vireo_line_buffer_clear (&lb);
  return lines;
}

static gboolean
ends_too_long (GPtrArray *lines)
{
  return lines->len > 0 && g_str_equal (g_ptr_array_index (lines, lines->len - 1), "<too long>");
}

static void
fuzz_line_buffer (const uint8_t *data,
                  size_t         size)
{
  g_autoptr(GPtrArray) whole = split (data, size, FALSE);
  g_autoptr(GPtrArray) pieces = split (data, size, TRUE);
  guint n = pieces->len;

  /* Fed whole, a long line can hide in a read that also ends it; fed in
   * pieces it is always seen.  Whatever came before it is the same. */
  if (ends_too_long (whole))
    return;
  if (ends_too_long (pieces))
    n--;
  else
    g_assert_cmpuint (whole->len, ==, pieces->len);
  g_assert_cmpuint (n, <=, whole->len);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (whole, i), ==, g_ptr_array_index (pieces, i));
}

static void
on_event (VireoQmpClient *client,
          const char     *name,
          JsonObject     *event_data,
          gint64          timestamp,
          gpointer        user_data)
{
  /* what the shim and the engine do with every event */
  g_assert_nonnull (name);
  g_assert_cmpint (*name, !=, '\0');
  g_assert_cmpint (timestamp, >=, 0);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Outcome *outcome = user_data;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result,
                                                             &outcome->error);

  g_assert_true ((ret == NULL) != (outcome->error == NULL));
  outcome->ok = ret != NULL;
  outcome->done = TRUE;
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) greeting = vireo_qmp_client_handshake_finish (VIREO_QMP_CLIENT (source),
                                                                       result, &error);

  g_assert_true ((greeting == NULL) != (error == NULL));
}

static void
fuzz_client (const uint8_t *data,
             size_t         size)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(VireoQmpClient) client = NULL;
  Outcome outcome = { 0 };
  int sv[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  socket = g_socket_new_from_fd (sv[0], NULL);
  conn = g_socket_connection_factory_create_connection (socket);
  client = vireo_qmp_client_new (G_IO_STREAM (conn), "VM 'fuzz'");
  g_signal_connect (client, "event", G_CALLBACK (on_event), NULL);
  vireo_qmp_client_handshake_async (client, NULL, on_handshake, NULL);
  vireo_qmp_client_execute_async (client, "query-status", NULL, NULL, on_done, &outcome);
  /* the socket holds the whole input (libFuzzer's -max_len stays small) */
  if (size > 0 && write (sv[1], data, size) < 0)
    g_error ("cannot feed the client: %s", g_strerror (errno));
  close (sv[1]);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  g_clear_error (&outcome.error);
  g_clear_object (&client);
  fuzz_pump ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size > 65536)
    return 0;
  fuzz_line_buffer (data, size);
  fuzz_client (data, size);
  return 0;
}
