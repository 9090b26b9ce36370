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
#include <string.h>
#include <unistd.h>

#include "vireo-shim.h"

#define BACKLOG_SIZE (64 * 1024)
#define LOG_LIMIT (4 * 1024 * 1024)
/* Input waiting for the guest, below the peer's own limit */
#define SHIM_SERIAL_QUEUE (512 * 1024)

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
  for (guint i = shim->console.clients ? shim->console.clients->len : 0; i > 0; i--)
    if (i <= shim->console.clients->len)
      shim_peer_send (g_ptr_array_index (shim->console.clients, i - 1), data, len);
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
  static const char full[] = "\r\nvireo-shim: the guest does not read its serial port; "
                             "closing this console\r\n";

  if (shim->serial == NULL)
    return;
  /* a full queue would drop the serial port itself: drop the typist */
  if (shim_peer_get_queued (shim->serial) + len > SHIM_SERIAL_QUEUE)
    {
      if (shim_peer_send (peer, full, strlen (full)))
        shim_peer_finish (peer);
      return;
    }
  shim_peer_send (shim->serial, data, len);
}

static void
on_client_accepted (ShimPeer *peer,
                    gpointer  user_data)
{
  Shim *shim = user_data;

  if (shim->backlog->len > 0)
    shim_peer_send (peer, (const char *) shim->backlog->data, shim->backlog->len);
}

gboolean
shim_console_listen (Shim     *shim,
                     int       serial_fd,
                     GError  **error)
{
  g_autofree char *path = g_build_filename (shim->run_dir, "console.sock", NULL);
  g_autoptr(GSocket) serial = g_socket_new_from_fd (serial_fd, error);

  if (serial == NULL)
    return FALSE;
  shim->backlog = g_byte_array_new ();
  open_serial_log (shim);
  shim->serial = shim_peer_new (serial, on_serial_output, shim, on_serial_closed, shim);

  shim->console.on_read = on_client_input;
  shim->console.on_accept = on_client_accepted;
  shim->console.refusal = "vireo-shim: too many console clients (64); try again later\r\n";
  shim->console.user_data = shim;
  return shim_server_listen (&shim->console, path, error);
}

void
shim_console_close_all (Shim *shim)
{
  shim_server_close (&shim->console);
  g_clear_pointer (&shim->serial, shim_peer_free);
  if (shim->serial_log_fd >= 0)
    close (shim->serial_log_fd);
  shim->serial_log_fd = -1;
}
