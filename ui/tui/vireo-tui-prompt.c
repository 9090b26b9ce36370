/* vireo-tui-prompt.c: the one-line prompt, the bottom line and job progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A name (a snapshot's, a clone's) is typed into the status line, filled
 * in with the engine's suggestion; a clone's prompt also switches between
 * two choices with Tab.  The line below the key bar shows, in this order,
 * the question being asked, the prompt, or the status.  ssh's questions
 * take the prompt too (vireo-tui-askpass.c).
 */
#include <glib/gi18n.h>
#include <string.h>

#include "vireo-tui.h"

/**
 * tui_pane:
 * Returns: what fills the screen: a question or a prompt is asked in the
 *   bottom line over the table or the detail pane it came from
 */
TuiMode
tui_pane (Tui *tui)
{
  if (tui->mode == TUI_MODE_CONFIRM || tui->mode == TUI_MODE_PROMPT)
    return tui->back_mode;
  return tui->mode;
}

void
tui_prompt_clear (Tui *tui)
{
  g_clear_pointer (&tui->prompt_label, g_free);
  if (tui->prompt_text)
    g_string_truncate (tui->prompt_text, 0);
  tui->prompt_choices[0] = tui->prompt_choices[1] = NULL;
  tui->prompt_choice = FALSE;
  tui->prompt_done = NULL;
  g_clear_object (&tui->prompt_domain);
}

/**
 * tui_prompt_open:
 * @domain: (nullable): the VM it is about, given to @done
 * @label: (transfer full): what is asked, "Name of the new snapshot of VM 'web':"
 * @text: the suggestion, which the user edits
 * @done: called with the text when Enter is pressed; Esc does nothing
 *
 * Set tui->prompt_choices afterwards for a Tab switch.
 */
void
tui_prompt_open (Tui           *tui,
                 VireoDomain   *domain,
                 char          *label,
                 const char    *text,
                 TuiPromptFunc  done)
{
  if (tui->prompt_text == NULL)
    tui->prompt_text = g_string_new (NULL);
  tui_prompt_clear (tui);
  tui->back_mode = tui_pane (tui) == TUI_MODE_DETAILS ? TUI_MODE_DETAILS : TUI_MODE_TABLE;
  tui->mode = TUI_MODE_PROMPT;
  tui->prompt_label = label;
  g_string_assign (tui->prompt_text, text ? text : "");
  tui->prompt_done = done;
  g_set_object (&tui->prompt_domain, domain);
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

TuiRedraw
tui_prompt_key (Tui *tui,
                int  key)
{
  if (tui->askpass_shown)
    return tui_askpass_key (tui, key);
  if (key == 27)
    {
      tui->mode = tui->back_mode;
      tui_prompt_clear (tui);
      tui_set_status (tui, FALSE, "%s", _("Nothing was done."));
    }
  else if (key == '\t' && tui->prompt_choices[0] != NULL)
    tui->prompt_choice = !tui->prompt_choice;
  else if (key == '\r' || key == '\n' || key == KEY_ENTER)
    {
      g_autofree char *text = g_strdup (tui->prompt_text->str);
      g_autoptr(VireoDomain) domain = g_steal_pointer (&tui->prompt_domain);
      TuiPromptFunc done = tui->prompt_done;
      gboolean choice = tui->prompt_choice;

      tui->mode = tui->back_mode;
      tui_prompt_clear (tui);
      /* (a prompt about a host has no VM) */
      if (done != NULL)
        done (tui, domain, text, choice);
    }
  else if (!tui_edit_text (tui->prompt_text, key))
    return TUI_REDRAW_NONE;
  return TUI_REDRAW_ALL;
}

/* @text cut to @width characters, the rest of the line cleared. */
static void
put_line (int         y,
          int         width,
          const char *text)
{
  const char *end = g_utf8_strlen (text, -1) > width ? g_utf8_offset_to_pointer (text, MAX (0, width)) : NULL;

  move (y, 0);
  clrtoeol ();
  mvaddnstr (y, 0, text, end ? (int) (end - text) : -1);
}

static char *
prompt_line (Tui *tui)
{
  g_autofree char *hint = NULL;

  if (tui->askpass_shown)
    return tui_askpass_line (tui);
  if (tui->prompt_choices[0] != NULL)
    /* Translators: after a prompt; %s is the choice Tab switches, like "full copy" */
    hint = g_strdup_printf (_("[%s] Tab switches, Enter confirms, Esc cancels"),
                            tui->prompt_choices[tui->prompt_choice ? 1 : 0]);
  else
    hint = g_strdup (_("Enter confirms, Esc cancels"));
  return g_strdup_printf ("%s %s_  %s", tui->prompt_label ? tui->prompt_label : "", tui->prompt_text->str, hint);
}

/* The last line: the question, the prompt, or the status. */
void
tui_draw_bottom_line (Tui *tui,
                      int  y,
                      int  width)
{
  if (tui->mode == TUI_MODE_CONFIRM && tui->confirm_text)
    {
      attron (A_BOLD);
      put_line (y, width, tui->confirm_text);
      attroff (A_BOLD);
    }
  else if (tui->mode == TUI_MODE_PROMPT)
    {
      g_autofree char *line = prompt_line (tui);

      if (tui->askpass_shown)
        tui_askpass_draw_box (tui, y, width);
      attron (A_BOLD);
      put_line (y, width, line);
      attroff (A_BOLD);
    }
  else
    {
      int color = tui->status_error ? tui_term_color (tui, "error") | A_BOLD : 0;

      attron (color);
      put_line (y, width, tui->status ? tui->status : "");
      attroff (color);
    }
}

typedef struct {
  Tui *tui;
  char *doing;
} JobView;

static void
job_view_free (gpointer data,
               GClosure *closure)
{
  JobView *view = data;

  g_free (view->doing);
  g_free (view);
}

static void
on_job_notify (VireoJob   *job,
               GParamSpec *pspec,
               JobView    *view)
{
  g_autofree char *text = vireo_job_dup_text (job);

  tui_set_status (view->tui, FALSE, "%s %3.0f %%%s%s", view->doing, vireo_job_get_progress (job) * 100,
                  text && *text ? " · " : "", text && *text ? text : "");
}

/**
 * tui_show_job:
 * @doing: "Taking snapshot 'snapshot-1' of VM 'web'…"
 *
 * Shows @doing in the status line, and after it the job's percentage and
 * text as they change, until tui_forget_job().
 */
void
tui_show_job (Tui        *tui,
              VireoJob   *job,
              const char *doing)
{
  JobView *view = g_new0 (JobView, 1);

  view->tui = tui;
  view->doing = g_strdup (doing);
  tui_set_status (tui, FALSE, "%s", doing);
  if (job != NULL)
    tui->jobs_running++;
  if (job != NULL)
    g_signal_connect_data (job, "notify", G_CALLBACK (on_job_notify), view, job_view_free, 0);
  else
    job_view_free (view, NULL);
}

/* The job ended: its last progress must not cover the result. */
void
tui_forget_job (Tui      *tui,
                VireoJob *job)
{
  if (job != NULL &&
      g_signal_handlers_disconnect_matched (job, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, on_job_notify, NULL) > 0)
    tui->jobs_running--;
  if (tui->jobs_running == 0 && tui->quit_pending)
    g_main_loop_quit (tui->loop);
}
