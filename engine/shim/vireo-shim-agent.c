/* vireo-shim-agent.c: the guest's addresses, from the QEMU guest agent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The shim alone talks to the agent (its virtio-serial port is one
 * stream, so clients could not share it) and writes what it learns into
 * state.json as "guest-addresses" and "guest-os", where every client
 * reads it.
 *
 * The agent is only asked while the guest has its port open (QEMU's
 * VSERPORT_CHANGE event): otherwise QEMU does not read the channel and
 * requests would pile up.  Each exchange starts with guest-sync-delimited,
 * whose answer is preceded by a 0xFF byte: everything before it is stale
 * output of an earlier, abandoned exchange and is dropped.
 */
#include <string.h>

#include "vireo-json.h"
#include "vireo-line-buffer.h"
#include "vireo-shim.h"

#define POLL_SEARCHING_S 2     /* until the guest has an address */
#define POLL_KNOWN_S 5         /* afterwards, to follow changes and traffic */
#define ANSWER_TIMEOUT_S 10
#define MAX_LINE (256 * 1024)

typedef enum {
  AGENT_IDLE,
  AGENT_SYNCING,        /* waiting for 0xFF and the sync answer */
  AGENT_ASKING_OS,      /* waiting for the OS (once per agent connection) */
  AGENT_ASKING,         /* waiting for the interfaces */
} AgentStep;

struct _ShimAgent {
  Shim *shim;
  ShimPeer *peer;
  VireoLineBuffer lines;
  AgentStep step;
  gboolean delimited;   /* the 0xFF of this exchange has come */
  gint64 sync_id;
  gint64 asked_at;      /* monotonic, µs */
  gboolean open;        /* the guest has the port open */
  guint timer_id;
};

/* Returns: whether state.json was written */
static gboolean
set_addresses (Shim  *shim,
               GStrv  addresses)
{
  if (shim->guest_addresses == NULL && (addresses == NULL || addresses[0] == NULL))
    {
      g_strfreev (addresses);
      return FALSE;
    }
  if (shim->guest_addresses && addresses &&
      g_strv_equal ((const char * const *) shim->guest_addresses, (const char * const *) addresses))
    {
      g_strfreev (addresses);
      return FALSE;
    }
  g_strfreev (shim->guest_addresses);
  shim->guest_addresses = addresses;
  shim_write_state (shim);
  return TRUE;
}

static void
set_os (Shim       *shim,
        const char *os)
{
  if (g_strcmp0 (shim->guest_os, os) == 0)
    return;
  g_free (shim->guest_os);
  shim->guest_os = g_strdup (os);
  shim_write_state (shim);
}

static void
send_request (ShimAgent  *agent,
              const char *command,
              JsonObject *arguments)
{
  g_autoptr(JsonObject) request = json_object_new ();
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;

  json_object_set_string_member (request, "execute", command);
  if (arguments)
    json_object_set_object_member (request, "arguments", arguments);
  text = vireo_json_object_to_string (request);
  line = g_strconcat (text, "\n", NULL);
  shim_peer_send (agent->peer, line, strlen (line));
}

static void
reset_lines (ShimAgent *agent)
{
  vireo_line_buffer_clear (&agent->lines);
  vireo_line_buffer_init (&agent->lines, MAX_LINE);
}

static void
ask (ShimAgent *agent)
{
  JsonObject *args = json_object_new ();

  agent->sync_id = g_random_int_range (1, G_MAXINT32);
  json_object_set_int_member (args, "id", agent->sync_id);
  agent->step = AGENT_SYNCING;
  agent->delimited = FALSE;
  agent->asked_at = g_get_monotonic_time ();
  reset_lines (agent);
  send_request (agent, "guest-sync-delimited", args);
}

/* The guest's counters, summed without overflowing: it may send any number. */
static void
add_counter (gint64 *total,
             gint64  value)
{
  if (value > 0 && *total <= G_MAXINT64 - value)
    *total += value;
}

/* Global unicast addresses as "ADDRESS/PREFIX", IPv4 first: loopback and
 * link-local ones say nothing a user can connect to. */
static GStrv
addresses_from_interfaces (JsonArray *interfaces,
                           gint64    *rx_bytes,
                           gint64    *tx_bytes)
{
  g_autoptr(GPtrArray) v4 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) v6 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < json_array_get_length (interfaces); i++)
    {
      JsonNode *node = json_array_get_element (interfaces, i);
      JsonObject *iface = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *list = iface ? json_object_get_member (iface, "ip-addresses") : NULL;
      JsonArray *ips = list && JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;
      JsonObject *stats = iface ? vireo_json_get_object (iface, "statistics") : NULL;

      /* traffic of the guest's own interfaces (qemu-ga 7.1 and later) */
      if (stats && g_strcmp0 (vireo_json_get_string (iface, "name"), "lo") != 0)
        {
          add_counter (rx_bytes, vireo_json_get_int (stats, "rx-bytes", 0));
          add_counter (tx_bytes, vireo_json_get_int (stats, "tx-bytes", 0));
        }

      for (guint j = 0; ips && j < json_array_get_length (ips); j++)
        {
          JsonNode *item = json_array_get_element (ips, j);
          JsonObject *ip = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
          const char *address = ip ? vireo_json_get_string (ip, "ip-address") : NULL;
          const char *type = ip ? vireo_json_get_string (ip, "ip-address-type") : NULL;
          gint64 prefix = ip ? vireo_json_get_int (ip, "prefix", 0) : 0;
          g_autoptr(GInetAddress) inet = address ? g_inet_address_new_from_string (address) : NULL;

          if (inet == NULL || g_inet_address_get_is_loopback (inet) || g_inet_address_get_is_link_local (inet))
            continue;
          g_ptr_array_add (g_strcmp0 (type, "ipv6") == 0 ? v6 : v4,
                           g_strdup_printf ("%s/%" G_GINT64_FORMAT, address, prefix));
        }
    }
  for (guint i = 0; i < v4->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (v4, i));
  for (guint i = 0; i < v6->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (v6, i));
  return g_strv_builder_end (builder);
}

static void
handle_line (ShimAgent  *agent,
             const char *line)
{
  g_autoptr(JsonObject) reply = vireo_json_parse_object (line, -1, NULL);

  if (reply == NULL)
    return;
  if (json_object_has_member (reply, "error"))
    {
      g_debug ("VM '%s': the guest agent says: %s", agent->shim->name, line);
      if (agent->step == AGENT_ASKING_OS)
        {
          /* an older agent without guest-get-osinfo: addresses still come */
          set_os (agent->shim, "");
          agent->step = AGENT_ASKING;
          send_request (agent, "guest-network-get-interfaces", NULL);
        }
      else
        agent->step = AGENT_IDLE;
      return;
    }
  if (agent->step == AGENT_SYNCING &&
      vireo_json_get_int (reply, "return", -1) == agent->sync_id)
    {
      agent->step = agent->shim->guest_os ? AGENT_ASKING : AGENT_ASKING_OS;
      send_request (agent, agent->step == AGENT_ASKING_OS ? "guest-get-osinfo"
                                                           : "guest-network-get-interfaces", NULL);
    }
  else if (agent->step == AGENT_ASKING_OS)
    {
      JsonObject *info = vireo_json_get_object (reply, "return");
      const char *pretty = info ? vireo_json_get_string (info, "pretty-name") : NULL;
      const char *name = info ? vireo_json_get_string (info, "name") : NULL;

      /* "Debian GNU/Linux 12 (bookworm)", or at least "Microsoft Windows" */
      set_os (agent->shim, pretty && *pretty ? pretty : name && *name ? name : NULL);
      agent->step = AGENT_ASKING;
      send_request (agent, "guest-network-get-interfaces", NULL);
    }
  else if (agent->step == AGENT_ASKING)
    {
      JsonNode *value = json_object_get_member (reply, "return");

      if (value && JSON_NODE_HOLDS_ARRAY (value))
        {
          gint64 rx = 0, tx = 0;
          GStrv addresses = addresses_from_interfaces (json_node_get_array (value), &rx, &tx);

          agent->shim->guest_rx_bytes = rx;
          agent->shim->guest_tx_bytes = tx;
          agent->shim->guest_net_time = g_get_real_time ();
          /* written with the addresses, or now if only the counters moved */
          if (!set_addresses (agent->shim, addresses))
            shim_write_state (agent->shim);
        }
      agent->step = AGENT_IDLE;
    }
}

static void
on_agent_output (ShimPeer   *peer,
                 const char *data,
                 gsize       len,
                 gpointer    user_data)
{
  ShimAgent *agent = user_data;
  char *line;

  if (agent->step == AGENT_SYNCING && !agent->delimited)
    {
      /* drop what came before the delimiter */
      const char *mark = memchr (data, 0xff, len);

      if (mark == NULL)
        return;
      agent->delimited = TRUE;
      len -= mark + 1 - data;
      data = mark + 1;
    }
  if (!vireo_line_buffer_feed (&agent->lines, data, len, NULL))
    {
      agent->step = AGENT_IDLE;
      reset_lines (agent);
      return;
    }
  while ((line = vireo_line_buffer_pop (&agent->lines)) != NULL)
    {
      handle_line (agent, g_strstrip (line));
      g_free (line);
    }
}

static void
on_agent_closed (ShimPeer *peer,
                 gpointer  user_data)
{
  ShimAgent *agent = user_data;

  /* QEMU went away or dropped the channel: nothing more to learn */
  agent->open = FALSE;
  agent->step = AGENT_IDLE;
}

static gboolean
on_timer (gpointer user_data)
{
  ShimAgent *agent = user_data;
  gint64 now = g_get_monotonic_time ();

  if (!agent->open || g_strcmp0 (agent->shim->state, VIREO_STATE_RUNNING) != 0)
    return G_SOURCE_CONTINUE;
  if (agent->step == AGENT_IDLE)
    {
      gint64 interval = agent->shim->guest_addresses ? POLL_KNOWN_S : POLL_SEARCHING_S;

      if (now - agent->asked_at >= interval * G_USEC_PER_SEC)
        ask (agent);
    }
  else if (now - agent->asked_at >= ANSWER_TIMEOUT_S * G_USEC_PER_SEC)
    ask (agent);     /* an agent that stopped answering, or was restarted */
  return G_SOURCE_CONTINUE;
}

/**
 * shim_agent_new:
 * @fd: the shim's end of the agent channel's socketpair (taken)
 */
ShimAgent *
shim_agent_new (Shim     *shim,
                int       fd,
                GError  **error)
{
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, error);
  ShimAgent *agent;

  if (socket == NULL)
    return NULL;
  agent = g_new0 (ShimAgent, 1);
  agent->shim = shim;
  vireo_line_buffer_init (&agent->lines, MAX_LINE);
  agent->peer = shim_peer_new (socket, on_agent_output, agent, on_agent_closed, agent);
  agent->timer_id = g_timeout_add_seconds (1, on_timer, agent);
  return agent;
}

/* From QEMU's VSERPORT_CHANGE for the agent's port. */
void
shim_agent_set_open (ShimAgent *agent,
                     gboolean   open)
{
  agent->open = open;
  agent->step = AGENT_IDLE;
  agent->asked_at = 0;
  if (open)
    ask (agent);
  else
    shim_agent_forget (agent);
}

/* The guest reset or rebooted, or its agent went: what it said is gone. */
void
shim_agent_forget (ShimAgent *agent)
{
  agent->shim->guest_net_time = 0;
  set_addresses (agent->shim, NULL);
  set_os (agent->shim, NULL);
}

void
shim_agent_free (ShimAgent *agent)
{
  if (agent == NULL)
    return;
  g_clear_handle_id (&agent->timer_id, g_source_remove);
  g_clear_pointer (&agent->peer, shim_peer_free);
  vireo_line_buffer_clear (&agent->lines);
  g_free (agent);
}
