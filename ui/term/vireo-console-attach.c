/* vireo-console-attach.c: a VM's serial console on this terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by `vireoctl console` and vireo-tui.  On a terminal it is
 * interactive, in raw mode, and Ctrl+] leaves.  Without one (stdin from a
 * pipe or file) it forwards the input, prints the output, and ends once
 * the input has ended and the guest has been quiet for @idle_ms, so
 * scripts can type commands and read answers.
 */
#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vireo-console-attach.h"


typedef struct {
  GMainLoop *loop;
  GSocket *socket;
  gboolean interactive;
  gboolean stdin_done;
  gboolean guest_gone;
  guint idle_ms;
  guint idle_id;
  guint stdin_id;
} Console;

static struct termios saved_termios;
static gboolean termios_saved;
static struct sigaction saved_term, saved_hup;

static void
restore_terminal (void)
{
  if (!termios_saved)
    return;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  termios_saved = FALSE;
  /* the caller's own handlers (vireo-tui's main loop) come back */
  sigaction (SIGTERM, &saved_term, NULL);
  sigaction (SIGHUP, &saved_hup, NULL);
}

static void
restore_and_die (int sig)
{
  restore_terminal ();
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
raw_terminal (void)
{
  struct termios raw;

  if (tcgetattr (STDIN_FILENO, &saved_termios) != 0)
    return;
  {
    static gboolean registered;
    struct sigaction die = { 0 };

    if (!registered)
      atexit (restore_terminal);
    registered = TRUE;
    die.sa_handler = restore_and_die;
    sigaction (SIGTERM, &die, &saved_term);
    sigaction (SIGHUP, &die, &saved_hup);
  }
  termios_saved = TRUE;
  raw = saved_termios;
  cfmakeraw (&raw);
  /* TCSANOW: keep what was typed ahead */
  tcsetattr (STDIN_FILENO, TCSANOW, &raw);
}

static gboolean
on_idle_timeout (gpointer user_data)
{
  Console *c = user_data;

  c->idle_id = 0;
  g_main_loop_quit (c->loop);
  return G_SOURCE_REMOVE;
}

static void
rearm_idle (Console *c)
{
  if (c->interactive || !c->stdin_done)
    return;
  g_clear_handle_id (&c->idle_id, g_source_remove);
  c->idle_id = g_timeout_add (c->idle_ms, on_idle_timeout, c);
}

static gboolean
write_all_fd (int         fd,
              const char *data,
              gsize       len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
on_guest_output (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  Console *c = user_data;
  char buf[16384];
  gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);

  if (n <= 0)
    {
      c->guest_gone = TRUE;
      g_main_loop_quit (c->loop);
      return G_SOURCE_REMOVE;
    }
  write_all_fd (STDOUT_FILENO, buf, n);
  rearm_idle (c);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stdin (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  Console *c = user_data;
  char buf[4096];
  ssize_t n = read (fd, buf, sizeof buf);

  if (n < 0 && errno == EINTR)
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      c->stdin_done = TRUE;
      c->stdin_id = 0;
      if (c->interactive)
        g_main_loop_quit (c->loop);
      else
        rearm_idle (c);
      return G_SOURCE_REMOVE;
    }
  if (c->interactive && memchr (buf, VIREO_CONSOLE_ESCAPE, n))
    {
      n = (char *) memchr (buf, VIREO_CONSOLE_ESCAPE, n) - buf;
      g_socket_send (c->socket, buf, n, NULL, NULL);
      c->stdin_id = 0;
      g_main_loop_quit (c->loop);
      return G_SOURCE_REMOVE;
    }
  g_socket_set_blocking (c->socket, TRUE);
  g_socket_send (c->socket, buf, n, NULL, NULL);
  return G_SOURCE_CONTINUE;
}

/**
 * vireo_console_attach:
 * @conn: a connection to the VM's console.sock
 *
 * Runs a nested main loop until Ctrl+] (interactive), the end of the
 * input and @idle_ms of quiet (not interactive), or the VM's end.
 *
 * Returns: %TRUE when the guest went away (the VM stopped)
 */
gboolean
vireo_console_attach (GSocketConnection *conn,
                      gboolean           interactive,
                      guint              idle_ms)
{
  Console c = { 0 };
  GSource *source;
  void (*old_pipe) (int) = signal (SIGPIPE, SIG_IGN);

  c.loop = g_main_loop_new (NULL, FALSE);
  c.socket = g_socket_connection_get_socket (conn);
  c.interactive = interactive;
  c.idle_ms = idle_ms;
  if (c.interactive)
    raw_terminal ();
  g_socket_set_blocking (c.socket, FALSE);
  source = g_socket_create_source (c.socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (on_guest_output), &c, NULL);
  g_source_attach (source, NULL);
  c.stdin_id = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, &c);

  g_main_loop_run (c.loop);

  g_source_destroy (source);
  g_source_unref (source);
  g_clear_handle_id (&c.stdin_id, g_source_remove);
  g_clear_handle_id (&c.idle_id, g_source_remove);
  g_main_loop_unref (c.loop);
  if (c.interactive)
    restore_terminal ();
  signal (SIGPIPE, old_pipe);
  return c.guest_gone;
}
