/* vireo-shim-console.c: the serial port, shared by many readers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Output from the guest goes to every console client, to a log on disk
 * (rotated at a size limit) and to an in-memory backlog that a new client
 * receives first, so a console opened after boot still shows the screen.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vireo-shim.h"

#define BACKLOG_SIZE (64 * 1024)
#define LOG_LIMIT (4 * 1024 * 1024)

static void
open_serial_log (Shim *shim)
{
  struct stat st;

  shim->serial_log_fd = open (shim->serial_log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  shim->serial_log_size = (shim->serial_log_fd >= 0 && fstat (shim->serial_log_fd, &st) == 0)
                          ? (gsize) st.st_size : 0;
}

static void
log_serial (Shim       *shim,
            const char *data,
            gsize       len)
{
  if (shim->serial_log_fd < 0)
    return;
  if (shim->serial_log_size + len > LOG_LIMIT)
    {
      g_autofree char *old = g_strconcat (shim->serial_log_path, ".old", NULL);
      close (shim->serial_log_fd);
      g_rename (shim->serial_log_path, old);
      open_serial_log (shim);
      if (shim->serial_log_fd < 0)
        return;
    }
  /* A full disk loses log lines, never guest output to clients. */
  if (write (shim->serial_log_fd, data, len) > 0)
    shim->serial_log_size += len;
}

static void
on_serial_output (ShimPeer   *peer,
                  const char *data,
                  gsize       len,
                  gpointer    user_data)
{
  Shim *shim = user_data;

  g_byte_array_append (shim->backlog, (const guint8 *) data, len);
  if (shim->backlog->len > BACKLOG_SIZE)
    g_byte_array_remove_range (shim->backlog, 0, shim->backlog->len - BACKLOG_SIZE);
  log_serial (shim, data, len);
  /* a client may drop out (and leave the array) while we send */
  for (guint i = shim->console_clients->len; i > 0; i--)
    if (i <= shim->console_clients->len)
      shim_peer_send (g_ptr_array_index (shim->console_clients, i - 1), data, len);
}

static void
on_serial_closed (ShimPeer *peer,
                  gpointer  user_data)
{
  /* QEMU is going away; its exit is handled by the child watch. */
}

static void
on_client_input (ShimPeer   *peer,
                 const char *data,
                 gsize       len,
                 gpointer    user_data)
{
  Shim *shim = user_data;

  if (shim->serial)
    shim_peer_send (shim->serial, data, len);
}

static void
on_client_closed (ShimPeer *peer,
                  gpointer  user_data)
{
  Shim *shim = user_data;

  g_ptr_array_remove (shim->console_clients, peer);
  shim_peer_free (peer);
}

static gboolean
on_console_connect (GSocket      *listener,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  Shim *shim = user_data;
  g_autoptr(GSocket) socket = g_socket_accept (listener, NULL, NULL);
  ShimPeer *peer;

  if (socket == NULL)
    return G_SOURCE_CONTINUE;
  peer = shim_peer_new (socket, on_client_input, on_client_closed, shim);
  g_ptr_array_add (shim->console_clients, peer);
  if (shim->backlog->len > 0)
    shim_peer_send (peer, (const char *) shim->backlog->data, shim->backlog->len);
  return G_SOURCE_CONTINUE;
}

/**
 * shim_listen_unix:
 * A listening Unix socket at @path, replacing a stale one (QEMU and a
 * killed shim leave theirs behind), private to the user.
 */
GSocket *
shim_listen_unix (const char *path,
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
  g_unlink (path);
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

gboolean
shim_console_listen (Shim     *shim,
                     int       serial_fd,
                     GError  **error)
{
  g_autofree char *path = g_build_filename (shim->run_dir, "console.sock", NULL);
  g_autoptr(GSocket) serial = g_socket_new_from_fd (serial_fd, error);
  GSource *source;

  if (serial == NULL)
    return FALSE;
  shim->backlog = g_byte_array_new ();
  shim->console_clients = g_ptr_array_new ();
  open_serial_log (shim);
  shim->serial = shim_peer_new (serial, on_serial_output, on_serial_closed, shim);

  shim->console_listener = shim_listen_unix (path, error);
  if (shim->console_listener == NULL)
    return FALSE;
  source = g_socket_create_source (shim->console_listener, G_IO_IN, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (on_console_connect), shim, NULL);
  shim->console_source = g_source_attach (source, NULL);
  g_source_unref (source);
  return TRUE;
}

void
shim_console_close_all (Shim *shim)
{
  g_autofree char *path = g_build_filename (shim->run_dir, "console.sock", NULL);

  g_clear_handle_id (&shim->console_source, g_source_remove);
  if (shim->console_listener)
    g_socket_close (shim->console_listener, NULL);
  g_clear_object (&shim->console_listener);
  g_unlink (path);
  if (shim->console_clients)
    while (shim->console_clients->len > 0)
      shim_peer_free (g_ptr_array_steal_index (shim->console_clients,
                                               shim->console_clients->len - 1));
  g_clear_pointer (&shim->serial, shim_peer_free);
  if (shim->serial_log_fd >= 0)
    close (shim->serial_log_fd);
  shim->serial_log_fd = -1;
}
