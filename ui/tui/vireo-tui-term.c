/* vireo-tui-term.c: curses set-up, colours and terminal restore
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * All of vireo-tui's dealings with the terminal as a whole are here: the
 * terminal is restored on a normal exit, on Ctrl+C and SIGTERM (handled in
 * the main loop) and on fatal signals (restored from the handler, then
 * the signal is raised again so the exit status stays true).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vireo-tui.h"

static gboolean active;

static void
on_fatal_signal (int sig)
{
  /* endwin() is not async-signal-safe, but the process is ending and a
   * terminal left in raw mode is worse */
  if (active)
    endwin ();
  signal (sig, SIG_DFL);
  raise (sig);
}

void
tui_term_restore (void)
{
  if (!active)
    return;
  active = FALSE;
  endwin ();
}

static void
restore_at_exit (void)
{
  tui_term_restore ();
}

/* Colour roles: the colour pair of each, or 0 on a terminal without colour
 * (vt100), where attributes alone carry the meaning. */
static const struct { const char *role; short fg; } roles[] = {
  { "running", COLOR_GREEN },
  { "paused", COLOR_YELLOW },
  { "crashed", COLOR_RED },
  { "error", COLOR_RED },
  { "bar", COLOR_CYAN },
};

int
tui_term_color (Tui        *tui,
                const char *role)
{
  if (!tui->colors)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (roles[i].role, role))
      return COLOR_PAIR (i + 1);
  return 0;
}

void
tui_term_init (Tui *tui)
{
  static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

  initscr ();
  active = TRUE;
  atexit (restore_at_exit);
  for (guint i = 0; i < G_N_ELEMENTS (fatal); i++)
    signal (fatal[i], on_fatal_signal);
  cbreak ();
  noecho ();
  nonl ();
  keypad (stdscr, TRUE);
  nodelay (stdscr, TRUE);     /* keys are read when stdin says so */
  set_escdelay (25);
  curs_set (0);
  tui->colors = has_colors () && start_color () == OK;
  if (tui->colors)
    {
      use_default_colors ();
      for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
        init_pair (i + 1, roles[i].fg, -1);
    }
}

/* After SIGWINCH: curses learns the new size and redraws everything. */
void
tui_term_resize (void)
{
  endwin ();
  refresh ();
  clear ();
}

/* For a full-screen child of the terminal (the serial console). */
void
tui_term_leave (void)
{
  def_prog_mode ();
  endwin ();
}

void
tui_term_return (void)
{
  reset_prog_mode ();
  clear ();
  refresh ();
}

/* While a clone runs, Ctrl+C is a key that cancels it: as a signal the
 * terminal would also send it to the qemu-img doing the copy, which would
 * die of it half way instead of being stopped by the cancel. */
void
tui_term_catch_interrupt (gboolean catch)
{
  if (!active)
    return;
  if (catch)
    raw ();
  else
    {
      noraw ();
      cbreak ();
    }
}
