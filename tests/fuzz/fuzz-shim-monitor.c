/* fuzz-shim-monitor.c: the shim's client request handling (shim.sock)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any local process of the user may connect to shim.sock.  The input is
 * what one client sends; it goes straight to the server's read handler,
 * as the client's socket would deliver it, after the client was accepted
 * (and sent the greeting).  Commands for QEMU reach a VireoQmpClient whose
 * QEMU never answers; closing it fails them back to the client.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "vireo-json.h"
#include "vireo-shim.h"

static Shim shim;

/* vireo-shim-main.c is not linked: what it does when a client asks for a
 * destroy, without a QEMU process to kill. */
void
shim_request_destroy (Shim *s)
{
  if (s->stop == STOP_NONE)
    s->stop = STOP_DESTROY;
  if (s->qmp && !vireo_qmp_client_is_closed (s->qmp))
    vireo_qmp_client_execute_async (s->qmp, "quit", NULL, NULL, NULL, NULL);
}

static void
remove_run_dir (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", shim.run_dir);

  shim_monitor_close_all (&shim);
  if (system (cmd) != 0)
    g_printerr ("cannot remove %s\n", shim.run_dir);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  fuzz_init_glib ();
  shim.name = g_strdup ("fuzz");
  shim.uuid = g_strdup ("00000000-0000-4000-8000-000000000000");
  shim.accel = g_strdup ("tcg");
  shim.state = g_strdup (VIREO_STATE_RUNNING);
  shim.greeting = vireo_json_parse_object ("{\"QMP\": {\"version\": {}, \"capabilities\": []}}", -1, NULL);
  shim.run_dir = g_dir_make_tmp ("vireo-fuzz-monitor-XXXXXX", &error);
  g_assert_no_error (error);
  if (!shim_monitor_bind (&shim, &error))
    g_error ("cannot listen: %s", error->message);
  shim_monitor_accept (&shim);
  atexit (remove_run_dir);
  return 0;
}

static void
on_client_closed (ShimPeer *peer,
                  gpointer  user_data)
{
  g_ptr_array_remove (shim.monitor.clients, peer);
  shim_peer_free (peer);
}

static VireoQmpClient *
fake_qemu (int *qemu_end)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  int sv[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  socket = g_socket_new_from_fd (sv[0], NULL);
  conn = g_socket_connection_factory_create_connection (socket);
  *qemu_end = sv[1];
  return vireo_qmp_client_new (G_IO_STREAM (conn), "VM 'fuzz'");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GSocket) socket = NULL;
  ShimPeer *peer;
  int sv[2], qemu_end;

  if (size > 65536)
    return 0;
  shim.qmp = fake_qemu (&qemu_end);
  shim.stop = STOP_NONE;
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  socket = g_socket_new_from_fd (sv[0], NULL);
  peer = shim_peer_new (socket, shim.monitor.on_read, &shim, on_client_closed, NULL);
  g_ptr_array_add (shim.monitor.clients, peer);
  shim.monitor.on_accept (peer, &shim);

  shim.monitor.on_read (peer, (const char *) data, size, &shim);
  fuzz_pump ();

  /* QEMU goes: what was forwarded fails back to the client */
  g_clear_object (&shim.qmp);
  close (qemu_end);
  fuzz_pump ();
  close (sv[1]);
  fuzz_pump ();
  while (shim.monitor.clients->len > 0)
    shim_peer_free (g_ptr_array_steal_index (shim.monitor.clients, 0));
  g_free (shim.state);
  shim.state = g_strdup (VIREO_STATE_RUNNING);
  return 0;
}
