/* vireo-shim.h: the supervisor of one running VM (private to vireo-shim)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One vireo-shim runs per VM.  It owns QEMU (its child), the only QMP
 * connection, and the serial port, and serves them to any number of
 * clients: shim.sock speaks QMP (ids rewritten, events to all) and
 * console.sock carries raw serial bytes (output to all, input from any).
 * It writes state.json on every change and, when QEMU exits, records how.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "vireo-qmp-client.h"
#include "vireo-shim-protocol.h"

G_BEGIN_DECLS

/* How long QEMU may take from launch to a running guest; the engine
 * waits a little longer (START_TIMEOUT_S in vireo-domain-start.c). */
#define SHIM_START_DEADLINE_S 50

typedef struct _ShimPeer ShimPeer;
typedef struct _ShimAgent ShimAgent;
typedef void (*ShimPeerReadFunc)   (ShimPeer *peer, const char *data, gsize len, gpointer user_data);
typedef void (*ShimPeerClosedFunc) (ShimPeer *peer, gpointer user_data);

ShimPeer *shim_peer_new    (GSocket            *socket,
                            ShimPeerReadFunc    on_read,
                            gpointer            read_data,
                            ShimPeerClosedFunc  on_closed,
                            gpointer            closed_data);
gboolean  shim_peer_send   (ShimPeer           *peer,
                            const char         *data,
                            gsize               len);
void      shim_peer_finish (ShimPeer           *peer);
gsize     shim_peer_get_queued (ShimPeer       *peer);
void      shim_peer_free   (ShimPeer           *peer);
gpointer  shim_peer_get_data (ShimPeer         *peer);
void      shim_peer_set_data (ShimPeer         *peer,
                              gpointer          data,
                              GDestroyNotify    destroy);

/* Clients per socket; one more hears the server's refusal and is closed. */
#define SHIM_MAX_CLIENTS 64

/**
 * ShimServer:
 * A listening Unix socket and its connected clients; each client is a
 * ShimPeer that leaves the array and is freed when it hangs up.
 */
typedef struct {
  char *path;
  GSocket *listener;
  guint source_id;
  GPtrArray *clients;            /* ShimPeer */
  ShimPeerReadFunc on_read;
  void (*on_accept) (ShimPeer *peer, gpointer user_data);
  const char *refusal;           /* one line for a client past the cap */
  gpointer user_data;
} ShimServer;

gboolean shim_server_bind   (ShimServer  *server,
                             const char  *path,
                             GError     **error);
void     shim_server_accept (ShimServer  *server);
gboolean shim_server_listen (ShimServer  *server,
                             const char  *path,
                             GError     **error);
void     shim_server_close  (ShimServer  *server);

typedef enum {
  STOP_NONE,
  STOP_GUEST,      /* the guest powered off */
  STOP_DESTROY,    /* a client asked to force it off */
} StopRequest;

typedef struct {
  /* configuration */
  char *name;
  char *uuid;
  char *run_dir;
  char *log_path;
  char *serial_log_path;
  char *accel;
  char **qemu_argv;
  int ready_fd;

  /* QEMU */
  GPid qemu_pid;
  guint64 qemu_start_time;
  VireoQmpClient *qmp;
  JsonObject *greeting;
  guint kill_timeout_id;
  guint start_deadline_id;

  /* state as written to state.json (see vireo-shim-protocol.h) */
  char *state;
  const char *reason;      /* a VIREO_REASON_* code, static */
  char *qemu_message;      /* QEMU's last log line when it exited */
  gint64 started_at;       /* wall clock, microseconds */
  StopRequest stop;
  char *start_error;       /* why the start failed, for the final state */
  gboolean finished;       /* the final state is written */
  gboolean fake_reboot;

  /* serving */
  ShimServer monitor;           /* shim.sock */
  ShimServer console;           /* console.sock */
  ShimPeer *serial;             /* QEMU's serial port */
  GByteArray *backlog;
  int serial_log_fd;
  gsize serial_log_size;

  /* the guest agent, when the VM has its channel */
  gboolean with_agent;
  gboolean start_paused;
  int n_taps;            /* fds VIREO_SHIM_TAP_FD… until QEMU has them */
  /* the emulated TPM: swtpm, a second child, for a VM with a <tpm> */
  char *tpm_state;              /* its state folder (--tpm-state), or NULL */
  GPid swtpm_pid;
  ShimAgent *agent;
  GStrv guest_addresses;        /* "ADDRESS/PREFIX", or NULL */
  char *guest_os;               /* the agent's pretty name; "" if it cannot tell */
  gint64 guest_rx_bytes;        /* the guest's own interface counters… */
  gint64 guest_tx_bytes;
  gint64 guest_net_time;        /* …read at this wall time (µs), or 0 */

  GMainLoop *loop;
} Shim;

/* vireo-shim-state.c */
void shim_set_exit_status  (int code, int sig);
void shim_set_state        (Shim *shim, const char *state, const char *reason_code);
void shim_write_state      (Shim *shim);

/* vireo-shim-monitor.c */
gboolean shim_monitor_bind     (Shim *shim, GError **error);
void     shim_monitor_accept   (Shim *shim);
void     shim_monitor_broadcast_event (Shim *shim, JsonObject *event);
void     shim_monitor_close_all (Shim *shim);

/* vireo-shim-console.c */
gboolean shim_console_listen   (Shim *shim, int serial_fd, GError **error);
void     shim_console_close_all (Shim *shim);

/* vireo-shim-agent.c */
ShimAgent *shim_agent_new      (Shim *shim, int fd, GError **error);
void       shim_agent_set_open (ShimAgent *agent, gboolean open);
void       shim_agent_forget   (ShimAgent *agent);
void       shim_agent_free     (ShimAgent *agent);

/* vireo-shim-tpm.c */
gboolean shim_tpm_start (Shim *shim, GError **error);
void     shim_tpm_stop  (Shim *shim);

/* vireo-shim-main.c */
void     shim_request_destroy  (Shim *shim);

G_END_DECLS
