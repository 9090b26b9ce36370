/* vireo-askpass-main.c: ssh's askpass, answered by the Vireo process that
 * connects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ssh runs it (SSH_ASKPASS, set by vireo-ssh) with its question as the
 * argument and SSH_ASKPASS_PROMPT saying what kind it is ("confirm" for a
 * yes/no such as a new host key, "none" for a notice, else a secret).  It
 * sends one JSON line {"prompt", "kind"} to $VIREO_ASKPASS_SOCKET and
 * prints the answer it gets back; no socket, no answer or a cancel ends it
 * with status 1, which ssh takes as "no".
 *   vireo-askpass PROMPT
 */
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

/* the longest answer taken: a password or passphrase, or "yes" */
#define MAX_LINE 8192

static const char *
prompt_kind (void)
{
  const char *kind = g_getenv ("SSH_ASKPASS_PROMPT");

  if (g_strcmp0 (kind, "confirm") == 0)
    return "confirm";
  if (g_strcmp0 (kind, "none") == 0)
    return "info";
  return "secret";
}

static char *
request_line (const char *prompt)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "prompt");
  json_builder_add_string_value (b, prompt);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, prompt_kind ());
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* Returns: (transfer full) (nullable): the answer, or NULL for no */
static char *
read_answer (GDataInputStream *in)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *line = NULL;
  gsize length = 0;
  JsonObject *object;

  line = g_data_input_stream_read_line (in, &length, NULL, NULL);
  if (line == NULL || length > MAX_LINE || !json_parser_load_from_data (parser, line, length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  object = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (object, "answer") ||
      json_node_get_value_type (json_object_get_member (object, "answer")) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_object_get_string_member (object, "answer"));
}

int
main (int   argc,
      char *argv[])
{
  const char *path = g_getenv ("VIREO_ASKPASS_SOCKET");
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *request = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 2 || path == NULL)
    return 1;
  address = g_unix_socket_address_new (path);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  if (connection == NULL)
    {
      fprintf (stderr, "vireo-askpass: %s\n", error->message);
      return 1;
    }
  request = request_line (argv[1]);
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                                  strlen (request), NULL, NULL, &error) ||
      !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), "\n", 1,
                                  NULL, NULL, &error))
    return 1;
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  answer = read_answer (in);
  if (answer == NULL)
    return 1;
  printf ("%s\n", answer);
  return 0;
}
