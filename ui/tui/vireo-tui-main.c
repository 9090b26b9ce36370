/* vireo-tui-main.c: vireo-tui, the terminal front end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "vireo-tui.h"

#define DEFAULT_INTERVAL_MS 1000

static gboolean
on_draw (gpointer user_data)
{
  Tui *tui = user_data;

  tui->draw_id = 0;
  /* while a console has the terminal, changes wait for its end */
  if (tui->attached)
    return G_SOURCE_REMOVE;
  /* ssh's question, once nothing of the user's is open */
  tui_askpass_poll (tui);
  if (tui->dirty != TUI_REDRAW_NONE)
    {
      tui_rows_refresh (tui);
      tui_draw (tui);
    }
  tui->dirty = TUI_REDRAW_NONE;
  /* make bench's hook: the first full frame is on the terminal */
  if (g_strcmp0 (g_getenv ("VIREO_BENCH"), "frame") == 0)
    g_main_loop_quit (tui->loop);
  return G_SOURCE_REMOVE;
}

/* Draws once the main loop is idle, however many things changed. */
void
tui_queue_draw (Tui       *tui,
                TuiRedraw  what)
{
  tui->dirty |= what;
  if (tui->draw_id == 0 && what != TUI_REDRAW_NONE)
    tui->draw_id = g_idle_add (on_draw, tui);
}

void
tui_set_status (Tui        *tui,
                gboolean    error,
                const char *format,
                ...)
{
  va_list args;

  g_free (tui->status);
  va_start (args, format);
  tui->status = g_strdup_vprintf (format, args);
  va_end (args);
  /* one line, whatever the message held */
  g_strdelimit (tui->status, "\r\n\t", ' ');
  tui->status_error = error;
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

static gboolean
on_stdin (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  Tui *tui = user_data;
  int key;

  while ((key = getch ()) != ERR)
    tui_queue_draw (tui, tui_keys_handle (tui, key));
  return G_SOURCE_CONTINUE;
}

/* A console takes stdin over while it runs. */
void
tui_watch_stdin (Tui      *tui,
                 gboolean  watch)
{
  if (watch && tui->stdin_id == 0)
    tui->stdin_id = g_unix_fd_add (STDIN_FILENO, G_IO_IN, on_stdin, tui);
  else if (!watch)
    g_clear_handle_id (&tui->stdin_id, g_source_remove);
}

static gboolean
on_winch (gpointer user_data)
{
  Tui *tui = user_data;

  if (tui->attached)
    return G_SOURCE_CONTINUE;   /* the console's terminal, not ours */
  tui_term_resize ();
  tui_queue_draw (user_data, TUI_REDRAW_ALL);
  return G_SOURCE_CONTINUE;
}

/* TERM, or HUP when the terminal is gone: a clone is cancelled (its
 * files removed) and a snapshot operation finished before vireo-tui
 * quits, never half way. */
static gboolean
on_quit_signal (gpointer user_data)
{
  Tui *tui = user_data;

  tui_clone_cancel (tui);
  if (tui->jobs_running > 0)
    tui->quit_pending = TRUE;
  else
    g_main_loop_quit (tui->loop);
  return G_SOURCE_CONTINUE;
}

/* Ctrl+C cancels a running clone first, and quits otherwise. */
static gboolean
on_interrupt (gpointer user_data)
{
  Tui *tui = user_data;

  if (!tui_clone_cancel (tui))
    tui_quit (tui);
  return G_SOURCE_CONTINUE;
}

static void
on_domains_changed (GListModel *model,
                    guint       position,
                    guint       removed,
                    guint       added,
                    Tui        *tui)
{
  tui_rows_sync (tui);
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

/* The engine, loaded, the saved hosts, connecting, and the screen,
 * listening to keys and signals. */
static void
tui_open (Tui        *tui,
          const char *root,
          int         interval)
{
  g_autoptr(GError) error = NULL;

  tui->engine = vireo_local_backend_new (root);
  tui->loop = g_main_loop_new (NULL, FALSE);
  tui->cancellable = g_cancellable_new ();
  tui->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tui_row_free);
  tui->shown = g_ptr_array_new ();
  tui->filter = g_string_new (NULL);
  tui->interval_ms = interval;
  tui->sort = TUI_COL_NAME;

  if (!vireo_local_backend_load (tui->engine, &error))
    tui_set_status (tui, TRUE, "%s", error->message);
  else if (vireo_local_backend_get_load_errors (tui->engine)->len > 0)
    {
      const VireoLoadError *skipped = g_ptr_array_index (vireo_local_backend_get_load_errors (tui->engine), 0);
      tui_set_status (tui, TRUE, "%s", skipped->error->message);
    }
  else
    tui_set_status (tui, FALSE, "%s", _("Press F1 or ? for help."));

  tui_term_init (tui);
  tui_askpass_open (tui);
  tui_hosts_open (tui);
  tui_rows_sync (tui);
  g_signal_connect (vireo_hosts_get_domains (tui->hosts), "items-changed", G_CALLBACK (on_domains_changed), tui);
  vireo_local_backend_start_monitoring (tui->engine, interval);
  vireo_stats_set_interval (interval);
  tui_watch_stdin (tui, TRUE);
  g_unix_signal_add (SIGWINCH, on_winch, tui);
  g_unix_signal_add (SIGINT, on_interrupt, tui);
  g_unix_signal_add (SIGTERM, on_quit_signal, tui);
  g_unix_signal_add (SIGHUP, on_quit_signal, tui);
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

/* The terminal restored first, whatever else happens. */
static void
tui_close (Tui *tui)
{
  tui_term_restore ();
  tui_form_free ();
  g_cancellable_cancel (tui->cancellable);
  if (tui->clone_cancellable)
    g_cancellable_cancel (tui->clone_cancellable);
  tui_snapshots_free (tui);
  tui_networks_free (tui);
  tui_askpass_close (tui);
  tui_prompt_clear (tui);
  g_signal_handlers_disconnect_by_data (vireo_hosts_get_domains (tui->hosts), tui);
  for (guint i = 0; i < tui->rows->len; i++)
    g_signal_handlers_disconnect_by_data (((TuiRow *) g_ptr_array_index (tui->rows, i))->domain, tui);
  g_clear_handle_id (&tui->draw_id, g_source_remove);
  tui_watch_stdin (tui, FALSE);
  g_ptr_array_unref (tui->shown);
  g_ptr_array_unref (tui->rows);
  tui_hosts_close (tui);
  g_string_free (tui->filter, TRUE);
  g_free (tui->selected);
  g_free (tui->status);
  g_free (tui->confirm_text);
  g_clear_object (&tui->confirm_domain);
  if (tui->prompt_text)
    g_string_free (tui->prompt_text, TRUE);
  g_clear_object (&tui->clone_cancellable);
  g_clear_object (&tui->cancellable);
  g_main_loop_unref (tui->loop);
  g_clear_object (&tui->engine);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *root = NULL;
  int interval = DEFAULT_INTERVAL_MS;
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root, N_("Keep every file of Vireo under DIR"), N_("DIR") },
    { "interval", 'd', 0, G_OPTION_ARG_INT, &interval, N_("Refresh every MS milliseconds (default 1000)"), N_("MS") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  Tui tui = { 0 };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("— virtual machines in a terminal"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "vireo-tui: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      printf ("vireo-tui %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (interval < 100 || interval > 60000)
    {
      fprintf (stderr, "vireo-tui: %s\n", _("--interval must be between 100 and 60000 milliseconds"));
      return 2;
    }
  if (!isatty (STDIN_FILENO) || !isatty (STDOUT_FILENO))
    {
      fprintf (stderr, "vireo-tui: %s\n", _("needs a terminal (for scripts, use vireoctl)"));
      return 2;
    }
  if (root == NULL && g_getenv ("VIREO_ROOT"))
    root = g_strdup (g_getenv ("VIREO_ROOT"));

  tui_open (&tui, root, interval);
  g_main_loop_run (tui.loop);
  tui_close (&tui);
  return 0;
}
