/* vireoctl-askpass.c: ssh's questions, asked on the terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An SSH host's password, key passphrase or new host key is asked on
 * /dev/tty, a secret without echo; with no terminal (a script, a pipe)
 * each question is refused, and the connection fails in one line.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vireoctl.h"

/* One line from the terminal @fd, without echo for a secret */
static char *
read_line (int      fd,
           gboolean secret)
{
  struct termios saved, quiet;
  gboolean restore = FALSE;
  GString *line = g_string_new (NULL);
  char c;

  if (secret && tcgetattr (fd, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(ECHO | ECHONL);
      restore = tcsetattr (fd, TCSAFLUSH, &quiet) == 0;
    }
  while (read (fd, &c, 1) == 1 && c != '\n' && line->len < 8192)
    g_string_append_c (line, c);
  if (restore)
    {
      tcsetattr (fd, TCSAFLUSH, &saved);
      if (write (fd, "\n", 1) < 0)
        g_debug ("the terminal went away");
    }
  return g_string_free (line, FALSE);
}

static void
on_request (VireoAskpass        *askpass,
            VireoAskpassRequest *request,
            gpointer             user_data)
{
  const char *prompt = vireo_askpass_request_get_prompt (request);
  VireoAskpassKind kind = vireo_askpass_request_get_kind (request);
  g_autofree char *answer = NULL;
  int fd = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

  if (fd < 0)
    {
      vireo_askpass_request_answer (request, NULL);
      return;
    }
  if (write (fd, prompt, strlen (prompt)) < 0 ||
      (!g_str_has_suffix (prompt, " ") && !g_str_has_suffix (prompt, "\n") && write (fd, " ", 1) < 0))
    g_debug ("the terminal went away");
  answer = kind == VIREO_ASKPASS_INFO ? g_strdup ("") : read_line (fd, kind == VIREO_ASKPASS_SECRET);
  close (fd);
  vireo_askpass_request_answer (request, answer);
}

/**
 * ctl_askpass_on_terminal:
 * From now on, ssh's questions are asked on the terminal.
 */
void
ctl_askpass_on_terminal (void)
{
  g_signal_connect (vireo_askpass_get_default (), "request", G_CALLBACK (on_request), NULL);
}
