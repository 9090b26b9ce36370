/* vireo-shim-monitor.c: shim.sock, a QMP socket for many clients
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each client gets QEMU's greeting, negotiates capabilities with the shim,
 * and then sends ordinary QMP commands.  The shim forwards them on its one
 * connection to QEMU (which gives them its own ids), and routes each reply
 * back to its client with the client's id.  Events go to every client.
 * A few commands are the shim's own: "quit" and "vireo-destroy" (force off,
 * recorded as such), "vireo-fake-reboot" (ACPI power-off, then reset
 * instead of exit) and "vireo-info" (what state.json holds).
 */
#include "vireo-json.h"
#include "vireo-line-buffer.h"
#include "vireo-proc.h"
#include "vireo-shim.h"

/* A request is a few hundred bytes; a client past these is hostile. */
#define MAX_LINE (256 * 1024)
#define MAX_IN_FLIGHT 4

typedef struct {
  guint serial;
  gboolean negotiated;
  guint in_flight;          /* forwarded, not yet answered */
  VireoLineBuffer lines;
} MonClient;

typedef struct {
  Shim *shim;
  guint client_serial;
  JsonNode *id;
} Forward;

static guint next_serial;

static void
mon_client_free (MonClient *client)
{
  vireo_line_buffer_clear (&client->lines);
  g_free (client);
}

static void
send_object (ShimPeer   *peer,
             JsonObject *obj)
{
  g_autofree char *text = vireo_json_object_to_string (obj);
  g_autofree char *line = g_strconcat (text, "\r\n", NULL);

  shim_peer_send (peer, line, strlen (line));
}

static void
send_reply (ShimPeer   *peer,
            JsonNode   *id,
            JsonObject *reply)
{
  g_autoptr(JsonObject) copy = json_object_new ();
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;

  json_object_iter_init (&iter, reply);
  while (json_object_iter_next (&iter, &member, &value))
    if (!g_str_equal (member, "id"))
      json_object_set_member (copy, member, json_node_copy (value));
  if (id)
    json_object_set_member (copy, "id", json_node_copy (id));
  send_object (peer, copy);
}

static void
send_return (ShimPeer   *peer,
             JsonNode   *id,
             JsonObject *value)
{
  g_autoptr(JsonObject) reply = json_object_new ();

  json_object_set_object_member (reply, "return", value ? json_object_ref (value) : json_object_new ());
  send_reply (peer, id, reply);
}

static void
send_error (ShimPeer   *peer,
            JsonNode   *id,
            const char *klass,
            const char *desc)
{
  g_autoptr(JsonObject) reply = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "class", klass);
  json_object_set_string_member (error, "desc", desc);
  json_object_set_object_member (reply, "error", error);
  send_reply (peer, id, reply);
}

static ShimPeer *
find_client (Shim  *shim,
             guint  serial)
{
  for (guint i = 0; shim->monitor.clients && i < shim->monitor.clients->len; i++)
    {
      ShimPeer *peer = g_ptr_array_index (shim->monitor.clients, i);
      MonClient *client = shim_peer_get_data (peer);
      if (client->serial == serial)
        return peer;
    }
  return NULL;
}

static void
on_forwarded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Forward *fwd = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = vireo_qmp_client_send_finish (VIREO_QMP_CLIENT (source), result, &error);
  ShimPeer *peer = find_client (fwd->shim, fwd->client_serial);

  /* The client may have left; QEMU may have gone (then it hears EOF). */
  if (peer != NULL)
    {
      ((MonClient *) shim_peer_get_data (peer))->in_flight--;
      if (reply != NULL)
        send_reply (peer, fwd->id, reply);
      else
        send_error (peer, fwd->id, "GenericError", error->message);
    }
  if (fwd->id)
    json_node_unref (fwd->id);
  g_free (fwd);
}

static void
forward (Shim       *shim,
         ShimPeer   *peer,
         JsonObject *request,
         JsonNode   *id)
{
  MonClient *client = shim_peer_get_data (peer);
  Forward *fwd;

  /* QEMU answers one command at a time: a client must not queue without
   * bound in front of the others */
  if (client->in_flight >= MAX_IN_FLIGHT)
    {
      send_error (peer, id, "GenericError", "too many commands in flight");
      return;
    }
  client->in_flight++;
  fwd = g_new0 (Forward, 1);
  fwd->shim = shim;
  fwd->client_serial = client->serial;
  fwd->id = id ? json_node_copy (id) : NULL;
  vireo_qmp_client_send_async (shim->qmp, request, NULL, on_forwarded, fwd);
}

static JsonObject *
info_object (Shim *shim)
{
  JsonObject *info = json_object_new ();
  VireoProcStat st;

  json_object_set_string_member (info, VIREO_STATE_KEY_NAME, shim->name);
  json_object_set_string_member (info, VIREO_STATE_KEY_STATE, shim->state);
  json_object_set_string_member (info, VIREO_STATE_KEY_REASON_CODE, shim->reason ? shim->reason : "");
  json_object_set_int_member (info, VIREO_STATE_KEY_QEMU_PID, shim->qemu_pid);
  json_object_set_int_member (info, VIREO_STATE_KEY_STARTED_AT, shim->started_at / G_USEC_PER_SEC);
  json_object_set_string_member (info, VIREO_STATE_KEY_ACCEL, shim->accel);
  /* QEMU is our child: its pid is right in our namespace */
  if (shim->qemu_pid > 0 && vireo_proc_stat (shim->qemu_pid, &st) && st.start_time == shim->qemu_start_time)
    {
      json_object_set_int_member (info, VIREO_INFO_KEY_QEMU_CPU_TICKS, st.cpu_ticks);
      json_object_set_int_member (info, VIREO_INFO_KEY_QEMU_RSS_BYTES, st.rss_bytes);
    }
  return info;
}

static void
handle_request (Shim       *shim,
                ShimPeer   *peer,
                MonClient  *client,
                JsonObject *request)
{
  const char *command = vireo_json_get_string (request, "execute");
  JsonNode *id = json_object_get_member (request, "id");

  if (command == NULL)
    {
      send_error (peer, id, "GenericError", "QMP input member 'execute' must be a string");
      return;
    }
  if (g_str_equal (command, "qmp_capabilities"))
    {
      client->negotiated = TRUE;
      send_return (peer, id, NULL);
      return;
    }
  if (!client->negotiated)
    {
      send_error (peer, id, "CommandNotFound",
                  "Expecting capabilities negotiation with 'qmp_capabilities'");
      return;
    }

  if (g_str_equal (command, VIREO_SHIM_COMMAND_INFO))
    {
      g_autoptr(JsonObject) info = info_object (shim);
      send_return (peer, id, info);
    }
  else if (g_str_equal (command, "quit") || g_str_equal (command, "vireo-destroy"))
    {
      shim_request_destroy (shim);
      send_return (peer, id, NULL);
    }
  else if (g_str_equal (command, "vireo-fake-reboot"))
    {
      g_autoptr(JsonObject) powerdown = json_object_new ();

      shim->fake_reboot = TRUE;
      json_object_set_string_member (powerdown, "execute", "system_powerdown");
      forward (shim, peer, powerdown, id);
    }
  else
    {
      if (g_str_equal (command, "system_powerdown"))
        shim->fake_reboot = FALSE;   /* a plain power-off means it, whatever reboot was asked before */
      if (g_str_equal (command, "system_powerdown") && g_str_equal (shim->state, VIREO_STATE_RUNNING))
        shim_set_state (shim, VIREO_STATE_SHUTTING_DOWN, VIREO_REASON_POWER_BUTTON);
      forward (shim, peer, request, id);
    }
}

static void
on_client_input (ShimPeer   *peer,
                 const char *data,
                 gsize       len,
                 gpointer    user_data)
{
  Shim *shim = user_data;
  MonClient *client = shim_peer_get_data (peer);
  guint serial = client->serial;
  char *line;

  if (!vireo_line_buffer_feed (&client->lines, data, len, NULL))
    {
      /* the rest of that line cannot be told from the next request */
      send_error (peer, NULL, "GenericError", "message too long (over 256 KiB): closing the connection");
      if (find_client (shim, serial) != NULL)
        shim_peer_finish (peer);
      return;
    }
  while ((line = vireo_line_buffer_pop (&client->lines)))
    {
      g_autoptr(JsonObject) request = vireo_json_parse_object (line, -1, NULL);

      g_free (line);
      if (request == NULL)
        send_error (peer, NULL, "GenericError", "JSON parse error");
      else
        handle_request (shim, peer, client, request);
      /* a handler may end the shim's clients (destroy); stop if we left */
      if (find_client (shim, serial) == NULL)
        return;
    }
}

static void
on_client_accepted (ShimPeer *peer,
                    gpointer  user_data)
{
  Shim *shim = user_data;
  MonClient *client = g_new0 (MonClient, 1);

  client->serial = ++next_serial;
  vireo_line_buffer_init (&client->lines, MAX_LINE);
  shim_peer_set_data (peer, client, (GDestroyNotify) mon_client_free);
  send_object (peer, shim->greeting);
}

/* shim.sock is bound before the shim writes its first state, and lives
 * until it wrote its last: whoever reads a state that is not final can
 * tell a live shim from a dead one by connecting, whatever PID namespace
 * each is in.  Clients are let in once QEMU greeted. */
gboolean
shim_monitor_bind (Shim    *shim,
                   GError **error)
{
  g_autofree char *path = g_build_filename (shim->run_dir, "shim.sock", NULL);

  shim->monitor.on_read = on_client_input;
  shim->monitor.on_accept = on_client_accepted;
  shim->monitor.refusal = "{\"error\": {\"class\": \"GenericError\", "
                          "\"desc\": \"too many clients (64): the VM's shim refuses more\"}}\r\n";
  shim->monitor.user_data = shim;
  return shim_server_bind (&shim->monitor, path, error);
}

void
shim_monitor_accept (Shim *shim)
{
  shim_server_accept (&shim->monitor);
}

void
shim_monitor_broadcast_event (Shim       *shim,
                              JsonObject *event)
{
  for (guint i = shim->monitor.clients ? shim->monitor.clients->len : 0; i > 0; i--)
    {
      ShimPeer *peer;

      if (i > shim->monitor.clients->len)
        continue;
      peer = g_ptr_array_index (shim->monitor.clients, i - 1);
      if (((MonClient *) shim_peer_get_data (peer))->negotiated)
        send_object (peer, event);
    }
}

void
shim_monitor_close_all (Shim *shim)
{
  shim_server_close (&shim->monitor);
}
