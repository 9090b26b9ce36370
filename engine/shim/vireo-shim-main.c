/* vireo-shim-main.c: start QEMU, follow it, record how it ended
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine starts the shim detached (fork + setsid) with a pipe on
 * --ready-fd.  The shim creates the QMP and serial socketpairs and hands
 * QEMU their other ends as fds 3 and 4 (no connect race), starts it paused,
 * negotiates QMP, opens shim.sock and console.sock, resumes the guest and
 * only then writes "ok" to the pipe, or "error: MESSAGE" if any step failed.
 *
 * On --lock-fd it inherits the VM's run lock, already taken by the
 * engine, and keeps that fd open until it exits: while the shim lives
 * nobody else starts the VM or touches its runtime folder
 * (engine/domain/vireo-domain-lock.c).  QEMU does not inherit it: it
 * dies with the shim anyway (PDEATHSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vireo-fileutil.h"
#include "vireo-json.h"
#include "vireo-proc.h"
#include "vireo-shim-protocol.h"
#include "vireo-shim.h"

#define DESTROY_GRACE_MS 5000

static void
report_ready (Shim       *shim,
              const char *error)
{
  g_autofree char *msg = NULL;

  if (shim->ready_fd < 0)
    return;
  msg = error ? g_strdup_printf ("error: %s\n", error) : g_strdup ("ok\n");
  if (write (shim->ready_fd, msg, strlen (msg)) < 0)
    g_debug ("the engine left before the VM started");
  close (shim->ready_fd);
  shim->ready_fd = -1;
}

/* The last line QEMU wrote (not the shim's own lines in the same log),
 * without the timestamp and program name. */
static char *
qemu_last_words (Shim *shim)
{
  g_autofree char *tail = vireo_file_read_tail (shim->log_path, 10);
  g_auto(GStrv) lines = tail ? g_strsplit (tail, "\n", -1) : NULL;
  const char *p;

  for (int i = lines ? (int) g_strv_length (lines) - 1 : -1; i >= 0; i--)
    {
      if (strstr (lines[i], "vireo-shim: ") != NULL)
        continue;
      p = strstr (lines[i], "qemu-system-x86_64: ");
      return g_strdup (p ? p + strlen ("qemu-system-x86_64: ") : lines[i]);
    }
  return NULL;
}

static void
shim_log (Shim       *shim,
          const char *format,
          ...) G_GNUC_PRINTF (2, 3);

static void
shim_log (Shim       *shim,
          const char *format,
          ...)
{
  g_autofree char *msg = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  g_autofree char *line = NULL;
  va_list args;
  int fd;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strdup_printf ("%s vireo-shim: %s\n", stamp, msg);
  fd = open (shim->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0)
    {
      if (write (fd, line, strlen (line)) < 0)
        g_debug ("cannot log: %s", g_strerror (errno));
      close (fd);
    }
}

static void
finish (Shim       *shim,
        const char *state,
        const char *reason_code)
{
  /* QEMU's exit and a failed handshake can both end the shim: the first
   * one writes the last word */
  if (shim->finished)
    return;
  shim->finished = TRUE;
  g_clear_handle_id (&shim->kill_timeout_id, g_source_remove);
  shim_set_state (shim, state, reason_code);
  shim_log (shim, "VM %s: %s", state, reason_code);
  if (shim->qmp)
    vireo_qmp_client_close (shim->qmp);
  shim_monitor_close_all (shim);
  shim_console_close_all (shim);
  shim_tpm_stop (shim);
  if (shim->qemu_start_time != 0)
    {
      /* our QEMU leaves its VNC socket behind; the run lock made sure no
       * other QEMU made one here */
      g_autofree char *vnc = g_build_filename (shim->run_dir, "vnc.sock", NULL);
      g_unlink (vnc);
    }
  /* the engine words it as "VM 'x' failed to start: …" itself */
  report_ready (shim, shim->start_error ? shim->start_error : reason_code);
  g_main_loop_quit (shim->loop);
}

/* How QEMU's end reads in state.json: the state and a reason code, whose
 * data (exit code, signal, QEMU's words) state.json holds beside it. */
static const char *
exit_reason (Shim        *shim,
             int          status,
             const char **state)
{
  *state = VIREO_STATE_SHUTOFF;
  if (shim->start_error || shim->started_at == 0)
    return VIREO_REASON_START_FAILED;
  if (shim->stop == STOP_GUEST)
    return VIREO_REASON_GUEST_SHUTDOWN;
  if (shim->stop == STOP_DESTROY)
    return VIREO_REASON_FORCED_OFF;
  if (WIFSIGNALED (status))
    {
      *state = VIREO_STATE_CRASHED;
      return VIREO_REASON_QEMU_KILLED;
    }
  if (WEXITSTATUS (status) != 0)
    {
      *state = VIREO_STATE_CRASHED;
      return VIREO_REASON_QEMU_FAILED;
    }
  return VIREO_REASON_QEMU_QUIT;
}

static void
on_qemu_exit (GPid     pid,
              int      status,
              gpointer user_data)
{
  Shim *shim = user_data;
  const char *state;
  const char *reason;

  g_spawn_close_pid (pid);
  if (WIFSIGNALED (status))
    shim_set_exit_status (-1, WTERMSIG (status));
  else
    shim_set_exit_status (WEXITSTATUS (status), 0);
  shim->qemu_message = qemu_last_words (shim);

  /* QEMU that exits before the guest ever ran failed to start: that is
   * not a crash of a running VM, whichever callback noticed first */
  if (shim->start_error == NULL && shim->started_at == 0)
    {
      shim->start_error = g_strdup (shim->qemu_message);
      if (shim->start_error == NULL)
        {
          /* for the engine's "failed to start" error; state.json keeps
           * the exit status as numbers */
          g_autofree char *status_text = g_strdup_printf ("QEMU exited with status %d", status);
          report_ready (shim, status_text);
        }
    }
  reason = exit_reason (shim, status, &state);
  shim->qemu_pid = 0;
  finish (shim, state, reason);
}

static gboolean
on_kill_timeout (gpointer user_data)
{
  Shim *shim = user_data;

  shim->kill_timeout_id = 0;
  if (shim->qemu_pid > 0)
    {
      shim_log (shim, "QEMU did not quit; killing it");
      kill (shim->qemu_pid, SIGKILL);
    }
  return G_SOURCE_REMOVE;
}

/**
 * shim_request_destroy:
 * Forced power-off: "quit" over QMP, then SIGKILL if QEMU has not gone
 * within a grace period.  Recorded as "forced off", not as a crash.
 */
void
shim_request_destroy (Shim *shim)
{
  if (shim->stop == STOP_NONE)
    shim->stop = STOP_DESTROY;
  if (shim->kill_timeout_id == 0)
    shim->kill_timeout_id = g_timeout_add (DESTROY_GRACE_MS, on_kill_timeout, shim);
  if (shim->qmp && !vireo_qmp_client_is_closed (shim->qmp))
    vireo_qmp_client_execute_async (shim->qmp, "quit", NULL, NULL, NULL, NULL);
  else if (shim->qemu_pid > 0)
    kill (shim->qemu_pid, SIGKILL);
}

static void
on_reset_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Shim *shim = user_data;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, NULL);

  vireo_qmp_client_execute_async (shim->qmp, "cont", NULL, NULL, NULL, NULL);
}

static void update_state_for_event (Shim *shim, const char *name, JsonObject *data);

static void
on_qemu_event (VireoQmpClient *qmp,
               const char     *name,
               JsonObject     *data,
               gint64          timestamp,
               gpointer        user_data)
{
  Shim *shim = user_data;
  g_autoptr(JsonObject) event = json_object_new ();
  JsonObject *ts = json_object_new ();

  /* state.json changes first, so a client that hears the event and
   * reads the file sees the new state. */
  update_state_for_event (shim, name, data);

  /* Clients get the event as QEMU sent it. */
  json_object_set_int_member (ts, "seconds", timestamp / G_USEC_PER_SEC);
  json_object_set_int_member (ts, "microseconds", timestamp % G_USEC_PER_SEC);
  json_object_set_object_member (event, "timestamp", ts);
  json_object_set_string_member (event, "event", name);
  if (data)
    json_object_set_object_member (event, "data", json_object_ref (data));
  shim_monitor_broadcast_event (shim, event);
}

static void
update_state_for_event (Shim       *shim,
                        const char *name,
                        JsonObject *data)
{
  if (shim->agent && g_str_equal (name, "VSERPORT_CHANGE") &&
      g_strcmp0 (vireo_json_get_string (data, "id"), "agent0") == 0)
    shim_agent_set_open (shim->agent, json_object_get_boolean_member_with_default (data, "open", FALSE));
  else if (shim->agent && g_str_equal (name, "RESET"))
    shim_agent_forget (shim->agent);
  /* a reboot request lasts until the guest resets or powers off: a guest
   * that ignored it and reset on its own must not turn a later power-off
   * into a reset */
  if (g_str_equal (name, "RESET"))
    shim->fake_reboot = FALSE;
  if (g_str_equal (name, "SHUTDOWN"))
    {
      gboolean guest = data && json_object_get_boolean_member_with_default (data, "guest", FALSE);

      if (shim->fake_reboot && shim->stop == STOP_NONE)
        {
          /* reboot = ACPI power-off, then reset instead of exit */
          shim->fake_reboot = FALSE;
          shim_set_state (shim, VIREO_STATE_RUNNING, VIREO_REASON_REBOOTED);
          vireo_qmp_client_execute_async (shim->qmp, "system_reset", NULL, NULL, on_reset_done, shim);
          return;
        }
      if (shim->stop == STOP_NONE)
        shim->stop = guest ? STOP_GUEST : STOP_DESTROY;
      shim_set_state (shim, VIREO_STATE_SHUTTING_DOWN,
                      guest ? VIREO_REASON_GUEST_POWEROFF : VIREO_REASON_FORCED_OFF);
      /* -no-shutdown keeps QEMU alive; the shim decides it is over. */
      shim_request_destroy (shim);
    }
  else if (g_str_equal (name, "STOP"))
    {
      if (shim->stop == STOP_NONE && g_str_equal (shim->state, VIREO_STATE_RUNNING))
        shim_set_state (shim, VIREO_STATE_PAUSED, VIREO_REASON_PAUSED);
    }
  else if (g_str_equal (name, "RESUME"))
    {
      if (shim->stop == STOP_NONE)
        shim_set_state (shim, VIREO_STATE_RUNNING, VIREO_REASON_RESUMED);
    }
  else if (g_str_equal (name, "POWERDOWN"))
    {
      if (g_str_equal (shim->state, VIREO_STATE_RUNNING))
        shim_set_state (shim, VIREO_STATE_SHUTTING_DOWN, VIREO_REASON_POWER_BUTTON);
    }
}

static void
on_qmp_closed (VireoQmpClient *qmp,
               const GError   *error,
               gpointer        user_data)
{
  /* QEMU closing its monitor means it is exiting: the child watch
   * reports how.  If it lingers, the destroy timer ends it. */
  Shim *shim = user_data;

  if (shim->qemu_pid > 0 && shim->kill_timeout_id == 0)
    shim->kill_timeout_id = g_timeout_add (DESTROY_GRACE_MS, on_kill_timeout, shim);
}

static void
fail_start (Shim       *shim,
            const char *message)
{
  if (shim->finished)
    return;
  shim_log (shim, "start failed: %s", message);
  report_ready (shim, message);
  if (shim->start_error == NULL)
    shim->start_error = g_strdup (message);
  shim->stop = STOP_DESTROY;
  if (shim->qemu_pid > 0)
    kill (shim->qemu_pid, SIGKILL);
  else
    finish (shim, VIREO_STATE_SHUTOFF, VIREO_REASON_START_FAILED);
}

/* Tests shorten it with VIREO_START_DEADLINE_S. */
static guint
start_deadline (void)
{
  const char *text = g_getenv ("VIREO_START_DEADLINE_S");
  guint64 seconds;

  if (text && g_ascii_string_to_unsigned (text, 10, 1, SHIM_START_DEADLINE_S, &seconds, NULL))
    return seconds;
  return SHIM_START_DEADLINE_S;
}

/* QEMU that never greets or never runs the guest would keep the VM
 * "starting" for ever, and nothing could force it off: give up first,
 * a little before the engine stops waiting. */
static gboolean
on_start_deadline (gpointer user_data)
{
  Shim *shim = user_data;
  g_autofree char *message = NULL;

  shim->start_deadline_id = 0;
  if (g_strcmp0 (shim->state, VIREO_STATE_STARTING) == 0)
    {
      message = g_strdup_printf ("QEMU did not start the guest within %u seconds", start_deadline ());
      fail_start (shim, message);
    }
  return G_SOURCE_REMOVE;
}

/* QEMU is set up, and runs the guest or (--paused) holds it. */
static void
started (Shim       *shim,
         const char *state,
         const char *reason)
{
  shim->started_at = g_get_real_time ();
  shim_set_state (shim, state, reason);
  shim_log (shim, g_str_equal (state, VIREO_STATE_RUNNING) ? "VM running" : "VM paused");
  report_ready (shim, NULL);
}

static void
on_cont (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Shim *shim = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, &error);

  if (ret == NULL)
    {
      fail_start (shim, error->message);
      return;
    }
  started (shim, VIREO_STATE_RUNNING, VIREO_REASON_BOOTED);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Shim *shim = user_data;
  g_autoptr(GError) error = NULL;

  shim->greeting = vireo_qmp_client_handshake_finish (VIREO_QMP_CLIENT (source), result, &error);
  if (shim->greeting == NULL)
    {
      g_autofree char *words = qemu_last_words (shim);
      fail_start (shim, words ? words : error->message);
      return;
    }
  shim_monitor_accept (shim);
  /* a revert to a snapshot of a paused VM: it is paused again, without
   * running a moment in between */
  if (shim->start_paused)
    started (shim, VIREO_STATE_PAUSED, VIREO_REASON_PAUSED);
  else
    vireo_qmp_client_execute_async (shim->qmp, "cont", NULL, NULL, on_cont, shim);
}

/* The exact argv, NUL-separated, for whoever needs to run or inspect
 * the same command line (the benchmark, a bug report). */
static void
write_argv_file (Shim *shim)
{
  g_autofree char *path = g_build_filename (shim->run_dir, "qemu-argv", NULL);
  GString *text = g_string_new (NULL);

  for (guint i = 0; shim->qemu_argv[i]; i++)
    g_string_append_len (text, shim->qemu_argv[i], strlen (shim->qemu_argv[i]) + 1);
  vireo_file_replace_runtime (path, text->str, text->len, 0600, NULL);
  g_string_free (text, TRUE);
}

static void
child_setup (gpointer user_data)
{
  /* QEMU must not outlive its supervisor. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
close_fds (const int *fds,
           int        n)
{
  for (int i = 0; i < n; i++)
    if (fds[i] >= 0)
      close (fds[i]);
}

static gboolean
spawn_qemu (Shim    *shim,
            GError **error)
{
  int qmp[2], serial[2], agent[2] = { -1, -1 };
  int source_fds[3 + VIREO_QEMU_TAPS_MAX], target_fds[3 + VIREO_QEMU_TAPS_MAX];
  int n_fds = 0;
  g_autoptr(GSocket) qmp_socket = NULL;
  g_autoptr(GSocketConnection) qmp_conn = NULL;
  g_autofree char *cmdline = NULL;
  int log_fd, null_fd;
  VireoProcStat st;
  gboolean ok;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qmp) < 0 ||
      socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, serial) < 0 ||
      (shim->with_agent && socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, agent) < 0))
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "socketpair: %s", g_strerror (errno));
      return FALSE;
    }
  log_fd = open (shim->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  source_fds[n_fds] = qmp[1];
  target_fds[n_fds++] = VIREO_QEMU_QMP_FD;
  source_fds[n_fds] = serial[1];
  target_fds[n_fds++] = VIREO_QEMU_SERIAL_FD;
  if (shim->with_agent)
    {
      source_fds[n_fds] = agent[1];
      target_fds[n_fds++] = VIREO_QEMU_AGENT_FD;
    }
  for (int i = 0; i < shim->n_taps; i++)
    {
      source_fds[n_fds] = VIREO_SHIM_TAP_FD + i;
      target_fds[n_fds++] = VIREO_QEMU_TAP_FD + i;
    }

  cmdline = g_strjoinv (" ", shim->qemu_argv);
  shim_log (shim, "starting %s", cmdline);
  write_argv_file (shim);

  ok = g_spawn_async_with_pipes_and_fds (shim->run_dir, (const char * const *) shim->qemu_argv,
                                         NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                         child_setup, NULL,
                                         null_fd, log_fd, log_fd,
                                         source_fds, target_fds, n_fds,
                                         &shim->qemu_pid, NULL, NULL, NULL, error);
  /* QEMU has its copies: a tap must vanish when QEMU exits, not when
   * its supervisor does */
  close_fds (source_fds, n_fds);
  close_fds ((int[]) { log_fd, null_fd }, 2);
  shim->n_taps = 0;
  if (!ok)
    {
      close_fds ((int[]) { qmp[0], serial[0], agent[0] }, 3);
      return FALSE;
    }
  if (vireo_proc_stat (shim->qemu_pid, &st))
    shim->qemu_start_time = st.start_time;
  g_child_watch_add (shim->qemu_pid, on_qemu_exit, shim);

  qmp_socket = g_socket_new_from_fd (qmp[0], error);
  if (qmp_socket == NULL)
    return FALSE;
  qmp_conn = g_socket_connection_factory_create_connection (qmp_socket);
  shim->qmp = vireo_qmp_client_new (G_IO_STREAM (qmp_conn), "QEMU");
  g_signal_connect (shim->qmp, "event", G_CALLBACK (on_qemu_event), shim);
  g_signal_connect (shim->qmp, "closed", G_CALLBACK (on_qmp_closed), shim);

  if (agent[0] >= 0 && !(shim->agent = shim_agent_new (shim, agent[0], error)))
    return FALSE;
  return shim_console_listen (shim, serial[0], error);
}

static gboolean
on_terminate (gpointer user_data)
{
  Shim *shim = user_data;

  shim_log (shim, "terminated by a signal; forcing the VM off");
  shim_request_destroy (shim);
  return G_SOURCE_CONTINUE;
}

/* The socket is bound: the first state, then QEMU. */
static void
start (Shim *shim)
{
  g_autoptr(GError) error = NULL;

  shim_write_state (shim);
  if (!shim_tpm_start (shim, &error) || !spawn_qemu (shim, &error))
    {
      fail_start (shim, error->message);
      return;
    }
  shim->start_deadline_id = g_timeout_add_seconds (start_deadline (), on_start_deadline, shim);
  vireo_qmp_client_handshake_async (shim->qmp, NULL, on_handshake, shim);
}

int
main (int   argc,
      char *argv[])
{
  Shim shim = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  char **rest = NULL;
  int lock_fd = -1;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &shim.name, "VM name", "NAME" },
    { "uuid", 0, 0, G_OPTION_ARG_STRING, &shim.uuid, "VM UUID", "UUID" },
    { "run-dir", 0, 0, G_OPTION_ARG_FILENAME, &shim.run_dir, "Runtime directory", "DIR" },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &shim.log_path, "QEMU log", "FILE" },
    { "serial-log", 0, 0, G_OPTION_ARG_FILENAME, &shim.serial_log_path, "Serial log", "FILE" },
    { "accel", 0, 0, G_OPTION_ARG_STRING, &shim.accel, "Accelerator", "kvm|tcg" },
    { "ready-fd", 0, 0, G_OPTION_ARG_INT, &shim.ready_fd, "Where to report start-up", "FD" },
    { "lock-fd", 0, 0, G_OPTION_ARG_INT, &lock_fd, "The VM's run lock, held until the shim exits", "FD" },
    { "agent", 0, 0, G_OPTION_ARG_NONE, &shim.with_agent, "QEMU has a guest agent channel on fd 5", NULL },
    { "paused", 0, 0, G_OPTION_ARG_NONE, &shim.start_paused, "Leave the guest paused once QEMU is set up", NULL },
    { "taps", 0, 0, G_OPTION_ARG_INT, &shim.n_taps, "QEMU's taps, on fds 5 and up", "N" },
    { "tpm-state", 0, 0, G_OPTION_ARG_FILENAME, &shim.tpm_state, "Run swtpm on this TPM state folder", "DIR" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "-- QEMU ARGV" },
    { NULL }
  };

  shim.ready_fd = -1;
  shim.serial_log_fd = -1;
  context = g_option_context_new ("-- QEMU-ARGV… — supervise one VM");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !shim.name || !shim.uuid || !shim.run_dir || !shim.log_path ||
      !shim.serial_log_path || !rest || !rest[0] ||
      shim.n_taps < 0 || shim.n_taps > VIREO_QEMU_TAPS_MAX)
    {
      fprintf (stderr, "vireo-shim: %s\n", error ? error->message : "missing arguments");
      return 2;
    }
  if (shim.ready_fd >= 0)
    fcntl (shim.ready_fd, F_SETFD, FD_CLOEXEC);
  /* never closed: the lock lasts as long as this process */
  if (lock_fd >= 0)
    fcntl (lock_fd, F_SETFD, FD_CLOEXEC);
  for (int i = 0; i < shim.n_taps; i++)
    fcntl (VIREO_SHIM_TAP_FD + i, F_SETFD, FD_CLOEXEC);
  shim.qemu_argv = rest;
  if (shim.accel == NULL)
    shim.accel = g_strdup ("tcg");

  umask (077);
  signal (SIGPIPE, SIG_IGN);
  shim.loop = g_main_loop_new (NULL, FALSE);
  shim.state = g_strdup (VIREO_STATE_STARTING);
  g_unix_signal_add (SIGTERM, on_terminate, &shim);
  g_unix_signal_add (SIGINT, on_terminate, &shim);

  if (shim_monitor_bind (&shim, &error))
    start (&shim);
  else
    fail_start (&shim, error->message);

  if (shim.state && !g_str_equal (shim.state, VIREO_STATE_SHUTOFF))
    g_main_loop_run (shim.loop);

  g_clear_handle_id (&shim.start_deadline_id, g_source_remove);
  g_clear_pointer (&shim.agent, shim_agent_free);
  g_clear_object (&shim.qmp);
  g_clear_pointer (&shim.greeting, json_object_unref);
  g_main_loop_unref (shim.loop);
  return g_str_equal (shim.state, VIREO_STATE_CRASHED) ? 1 : 0;
}
