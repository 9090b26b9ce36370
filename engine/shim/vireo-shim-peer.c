/* vireo-shim-peer.c: one non-blocking socket with an output queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A client that stops reading must never stall the shim (and so the guest's
 * serial port): output queues up to a limit, and a peer past it is dropped.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/un.h>

#include "vireo-shim.h"

/* Per client: 64 clients that stop reading hold at most 64 MiB. */
#define MAX_QUEUED (1024 * 1024)
/* How long a finished peer has to read its last reply. */
#define FINISH_TIMEOUT_MS 1000

struct _ShimPeer {
  GSocket *socket;
  GSource *in_source;
  GSource *out_source;
  GByteArray *out;
  ShimPeerReadFunc on_read;
  gpointer read_data;
  ShimPeerClosedFunc on_closed;
  gpointer closed_data;
  gpointer data;
  GDestroyNotify data_destroy;
  guint finish_id;         /* shim_peer_finish(): hang up after the reply */
  gboolean finishing;
  gboolean closed;
};

static void
peer_hang_up (ShimPeer *peer)
{
  if (peer->closed)
    return;
  peer->closed = TRUE;
  g_clear_handle_id (&peer->finish_id, g_source_remove);
  if (peer->in_source)
    g_source_destroy (peer->in_source);
  if (peer->out_source)
    g_source_destroy (peer->out_source);
  /* the owner frees the peer from here */
  peer->on_closed (peer, peer->closed_data);
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  ShimPeer *peer = user_data;
  char buf[16384];
  gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);

  if (n > 0)
    {
      peer->on_read (peer, buf, n, peer->read_data);
      return G_SOURCE_CONTINUE;
    }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&peer->in_source, g_source_unref);
  peer_hang_up (peer);
  return G_SOURCE_REMOVE;
}

static gboolean
on_writable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  ShimPeer *peer = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_socket_send (socket, (const char *) peer->out->data, peer->out->len, NULL, &error);
  if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_clear_pointer (&peer->out_source, g_source_unref);
      peer_hang_up (peer);
      return G_SOURCE_REMOVE;
    }
  if (n > 0)
    g_byte_array_remove_range (peer->out, 0, n);
  if (peer->out->len > 0)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&peer->out_source, g_source_unref);
  if (peer->finishing)
    peer_hang_up (peer);
  return G_SOURCE_REMOVE;
}

ShimPeer *
shim_peer_new (GSocket            *socket,
               ShimPeerReadFunc    on_read,
               gpointer            read_data,
               ShimPeerClosedFunc  on_closed,
               gpointer            closed_data)
{
  ShimPeer *peer = g_new0 (ShimPeer, 1);

  peer->socket = g_object_ref (socket);
  g_socket_set_blocking (socket, FALSE);
  peer->out = g_byte_array_new ();
  peer->on_read = on_read;
  peer->read_data = read_data;
  peer->on_closed = on_closed;
  peer->closed_data = closed_data;
  peer->in_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (peer->in_source, G_SOURCE_FUNC (on_readable), peer, NULL);
  g_source_attach (peer->in_source, NULL);
  return peer;
}

/**
 * shim_peer_send:
 * Queues @data; a peer whose queue would pass its limit is hung up (and
 * may be freed by its owner before this returns).
 *
 * Returns: %FALSE if @peer is gone: do not touch it again
 */
gboolean
shim_peer_send (ShimPeer   *peer,
                const char *data,
                gsize       len)
{
  if (peer->closed)
    return FALSE;
  if (peer->out->len + len > MAX_QUEUED)
    {
      g_debug ("dropping a client that does not read");
      peer_hang_up (peer);
      return FALSE;
    }
  g_byte_array_append (peer->out, (const guint8 *) data, len);
  if (peer->out_source == NULL)
    {
      peer->out_source = g_socket_create_source (peer->socket, G_IO_OUT, NULL);
      g_source_set_callback (peer->out_source, G_SOURCE_FUNC (on_writable), peer, NULL);
      g_source_attach (peer->out_source, NULL);
    }
  return TRUE;
}

/**
 * shim_peer_get_queued:
 * Returns: how many bytes wait to be sent to @peer
 */
gsize
shim_peer_get_queued (ShimPeer *peer)
{
  return peer->out->len;
}

static gboolean
on_finish_timeout (gpointer user_data)
{
  ShimPeer *peer = user_data;

  peer->finish_id = 0;
  peer_hang_up (peer);
  return G_SOURCE_REMOVE;
}

/**
 * shim_peer_finish:
 * Reads nothing more from @peer and hangs up once what is queued is sent,
 * or after a second if the peer does not read it.  The owner hears
 * on_closed as usual; it may come from this call.
 */
void
shim_peer_finish (ShimPeer *peer)
{
  if (peer->closed || peer->finishing)
    return;
  peer->finishing = TRUE;
  if (peer->in_source)
    {
      g_source_destroy (peer->in_source);
      g_clear_pointer (&peer->in_source, g_source_unref);
    }
  if (peer->out->len == 0)
    {
      peer_hang_up (peer);
      return;
    }
  peer->finish_id = g_timeout_add (FINISH_TIMEOUT_MS, on_finish_timeout, peer);
}

/* Sends what is queued, waiting until @deadline (monotonic) at most: used
 * on the way out, so the final state reaches clients before the shim
 * exits, while clients that do not read cannot hold the exit up. */
static void
peer_flush (ShimPeer *peer,
            gint64    deadline)
{
  gsize done = 0;

  while (!peer->closed && done < peer->out->len)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      g_autoptr(GError) error = NULL;
      gssize n;

      if (left <= 0 || !g_socket_condition_timed_wait (peer->socket, G_IO_OUT, left, NULL, NULL))
        return;
      n = g_socket_send (peer->socket, (const char *) peer->out->data + done,
                         peer->out->len - done, NULL, &error);
      if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return;
      if (n > 0)
        done += n;
    }
}

static void
peer_free_until (ShimPeer *peer,
                 gint64    deadline)
{
  g_clear_handle_id (&peer->finish_id, g_source_remove);
  peer_flush (peer, deadline);
  if (peer->in_source)
    {
      g_source_destroy (peer->in_source);
      g_source_unref (peer->in_source);
    }
  if (peer->out_source)
    {
      g_source_destroy (peer->out_source);
      g_source_unref (peer->out_source);
    }
  g_socket_close (peer->socket, NULL);
  g_object_unref (peer->socket);
  g_byte_array_unref (peer->out);
  if (peer->data_destroy)
    peer->data_destroy (peer->data);
  g_free (peer);
}

void
shim_peer_free (ShimPeer *peer)
{
  if (peer != NULL)
    peer_free_until (peer, g_get_monotonic_time () + G_USEC_PER_SEC);
}

gpointer
shim_peer_get_data (ShimPeer *peer)
{
  return peer->data;
}

void
shim_peer_set_data (ShimPeer       *peer,
                    gpointer        data,
                    GDestroyNotify  destroy)
{
  peer->data = data;
  peer->data_destroy = destroy;
}

/* A listening Unix socket at @path, private to the user.  A file already
 * there is not ours to remove (it may be another shim's): the engine
 * clears stale ones under the VM's run lock before it starts a shim. */
static GSocket *
listen_unix (const char *path,
             GError    **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  if (strlen (path) >= sizeof (((struct sockaddr_un *) NULL)->sun_path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   "socket path %s is too long", path);
      return NULL;
    }
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, error);
  if (socket == NULL)
    return NULL;
  address = g_unix_socket_address_new (path);
  if (!g_socket_bind (socket, address, FALSE, error) ||
      !g_socket_listen (socket, error))
    return NULL;
  g_chmod (path, 0600);
  g_socket_set_blocking (socket, FALSE);
  return g_steal_pointer (&socket);
}

static void
on_server_client_closed (ShimPeer *peer,
                         gpointer  user_data)
{
  ShimServer *server = user_data;

  g_ptr_array_remove (server->clients, peer);
  shim_peer_free (peer);
}

static gboolean
on_server_connect (GSocket      *listener,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  ShimServer *server = user_data;
  g_autoptr(GSocket) socket = g_socket_accept (listener, NULL, NULL);
  ShimPeer *peer;

  if (socket == NULL)
    return G_SOURCE_CONTINUE;
  if (server->clients->len >= SHIM_MAX_CLIENTS)
    {
      /* one try, without waiting: the refusal fits any socket buffer */
      g_socket_set_blocking (socket, FALSE);
      g_socket_send (socket, server->refusal, strlen (server->refusal), NULL, NULL);
      g_socket_close (socket, NULL);
      g_debug ("refused a client of %s: %u clients already", server->path, server->clients->len);
      return G_SOURCE_CONTINUE;
    }
  peer = shim_peer_new (socket, server->on_read, server->user_data,
                        on_server_client_closed, server);
  g_ptr_array_add (server->clients, peer);
  if (server->on_accept)
    server->on_accept (peer, server->user_data);
  return G_SOURCE_CONTINUE;
}

/**
 * shim_server_bind:
 * Set on_read, on_accept, refusal and user_data before calling.  The
 * socket listens from here on: a client connects at once, and waits for
 * shim_server_accept() to be let in.
 */
gboolean
shim_server_bind (ShimServer  *server,
                  const char  *path,
                  GError     **error)
{
  server->clients = g_ptr_array_new ();
  server->listener = listen_unix (path, error);
  if (server->listener == NULL)
    return FALSE;
  /* bound: the socket file is ours, shim_server_close() removes it */
  server->path = g_strdup (path);
  return TRUE;
}

/* Lets clients in, those waiting first. */
void
shim_server_accept (ShimServer *server)
{
  GSource *source;

  g_return_if_fail (server->listener != NULL && server->source_id == 0);
  source = g_socket_create_source (server->listener, G_IO_IN, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (on_server_connect), server, NULL);
  server->source_id = g_source_attach (source, NULL);
  g_source_unref (source);
}

gboolean
shim_server_listen (ShimServer  *server,
                    const char  *path,
                    GError     **error)
{
  if (!shim_server_bind (server, path, error))
    return FALSE;
  shim_server_accept (server);
  return TRUE;
}

/* Stops listening, removes the socket file and hangs up on every client
 * (after flushing what they are owed). */
void
shim_server_close (ShimServer *server)
{
  gint64 deadline;

  g_clear_handle_id (&server->source_id, g_source_remove);
  if (server->listener)
    g_socket_close (server->listener, NULL);
  g_clear_object (&server->listener);
  if (server->path)
    g_unlink (server->path);
  g_clear_pointer (&server->path, g_free);
  /* one second for all clients together */
  deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  if (server->clients)
    while (server->clients->len > 0)
      peer_free_until (g_ptr_array_steal_index (server->clients, server->clients->len - 1), deadline);
  g_clear_pointer (&server->clients, g_ptr_array_unref);
}
