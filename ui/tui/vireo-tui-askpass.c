/* vireo-tui-askpass.c: ssh's questions, asked in the prompt line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For a qemu+ssh:// host, ssh asks through the engine's VireoAskpass,
 * one question at a time.  vireo-tui asks it in the bottom line over the
 * table, the detail pane or the network view: a password or passphrase
 * shows as '*', a yes/no question takes y or n, a notice Enter; Esc
 * answers nothing, which ssh takes as no.  A question of several lines (a
 * new host key, with its fingerprint) shows whole in a box above, its
 * last line (the question itself) in the prompt line.  While the user is
 * in a prompt, a question, a form or a filter of their own, or reads the
 * help, ssh's question waits for it to close: both answers are kept.
 */
#include <glib/gi18n.h>
#include <string.h>

#include "vireo-tui.h"

/* The last line that says something: ssh's question itself */
static char *
question_line (const char *prompt)
{
  g_auto(GStrv) lines = g_strsplit (prompt, "\n", -1);
  guint n = g_strv_length (lines);

  while (n > 0 && *g_strstrip (lines[n - 1]) == '\0')
    n--;
  return g_strdup (n > 0 ? lines[n - 1] : "");
}

/* The screen is the user's to share: a pane, with nothing of theirs open */
static gboolean
screen_free (Tui *tui)
{
  return !tui->attached &&
         (tui->mode == TUI_MODE_TABLE || tui->mode == TUI_MODE_DETAILS || tui->mode == TUI_MODE_NETWORKS);
}

/**
 * tui_askpass_poll:
 * Asks ssh's waiting question once the screen is free; called before
 * each frame is drawn.
 */
void
tui_askpass_poll (Tui *tui)
{
  g_autofree char *question = NULL;

  if (tui->askpass == NULL || tui->askpass_shown || !screen_free (tui))
    return;
  if (tui->prompt_text == NULL)
    tui->prompt_text = g_string_new (NULL);
  tui_prompt_clear (tui);
  question = question_line (vireo_askpass_request_get_prompt (tui->askpass));
  /* Translators: before a question of ssh about a host, such as "ann@lab's password:" */
  tui->prompt_label = g_strdup_printf (_("ssh asks: %s"), question);
  tui->back_mode = tui->mode;
  tui->mode = TUI_MODE_PROMPT;
  tui->askpass_shown = TRUE;
}

static void on_withdrawn (VireoAskpassRequest *request,
                          Tui                 *tui);

/* One answer; the next question may come at once, inside it */
static TuiRedraw
answer (Tui        *tui,
        const char *text)
{
  g_autoptr(VireoAskpassRequest) request = g_steal_pointer (&tui->askpass);

  g_signal_handlers_disconnect_by_func (request, on_withdrawn, tui);
  tui->askpass_shown = FALSE;
  tui->mode = tui->back_mode;
  if (text == NULL)
    tui_set_status (tui, FALSE, "%s", _("ssh's question was not answered: ssh takes it as no."));
  else
    tui_set_status (tui, FALSE, "%s", _("ssh's question was answered."));
  vireo_askpass_request_answer (request, text);
  /* the secret does not stay in memory longer than it must */
  memset (tui->prompt_text->str, 0, tui->prompt_text->len);
  tui_prompt_clear (tui);
  return TUI_REDRAW_ALL;
}

/**
 * tui_askpass_key:
 * A key while ssh's question is asked in the prompt line.
 */
TuiRedraw
tui_askpass_key (Tui *tui,
                 int  key)
{
  VireoAskpassKind kind = vireo_askpass_request_get_kind (tui->askpass);
  gboolean enter = key == '\r' || key == '\n' || key == KEY_ENTER;

  if (key == 27)
    return answer (tui, NULL);
  if (kind == VIREO_ASKPASS_CONFIRM)
    {
      if (key == 'y' || key == 'Y')
        return answer (tui, "yes");
      if (key == 'n' || key == 'N')
        return answer (tui, NULL);
      return TUI_REDRAW_NONE;
    }
  if (enter)
    {
      g_autofree char *text = g_strdup (kind == VIREO_ASKPASS_SECRET ? tui->prompt_text->str : "");
      TuiRedraw redraw = answer (tui, text);

      memset (text, 0, strlen (text));
      return redraw;
    }
  if (kind == VIREO_ASKPASS_SECRET && tui_edit_text (tui->prompt_text, key))
    return TUI_REDRAW_ALL;
  return TUI_REDRAW_NONE;
}

/**
 * tui_askpass_line:
 * Returns: (transfer full): the prompt line: the question, what was typed
 *   (as '*') and the keys
 */
char *
tui_askpass_line (Tui *tui)
{
  VireoAskpassKind kind = vireo_askpass_request_get_kind (tui->askpass);
  GString *stars = g_string_new (NULL);
  g_autofree char *masked = NULL;

  if (kind == VIREO_ASKPASS_CONFIRM)
    return g_strdup_printf ("%s  %s", tui->prompt_label, _("y: yes, n or Esc: no"));
  if (kind == VIREO_ASKPASS_INFO)
    return g_strdup_printf ("%s  %s", tui->prompt_label, _("Enter: OK"));
  /* one star a character: UTF-8's continuation bytes are not one */
  for (gsize i = 0; i < tui->prompt_text->len; i++)
    if ((tui->prompt_text->str[i] & 0xc0) != 0x80)
      g_string_append_c (stars, '*');
  masked = g_string_free (stars, FALSE);
  return g_strdup_printf ("%s %s_  %s", tui->prompt_label, masked, _("Enter confirms, Esc cancels"));
}

/* @line cut into pieces of @width characters */
static void
wrap_line (GPtrArray  *rows,
           const char *line,
           int         width)
{
  const char *p = line;

  do
    {
      const char *end = g_utf8_strlen (p, -1) > width ? g_utf8_offset_to_pointer (p, width) : p + strlen (p);

      g_ptr_array_add (rows, g_strndup (p, end - p));
      p = end;
    }
  while (*p != '\0');
}

/**
 * tui_askpass_draw_box:
 * @y: the prompt line, which the box stands on
 *
 * A question of several lines shows above the prompt line, which has
 * its last, over what is there; as many lines as fit, from the first
 * (the host).
 */
void
tui_askpass_draw_box (Tui *tui,
                      int  y,
                      int  width)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (vireo_askpass_request_get_prompt (tui->askpass), "\n", -1);
  guint n = g_strv_length (lines);
  int top;

  while (n > 0 && *g_strstrip (lines[n - 1]) == '\0')
    n--;
  if (n <= 1 || width < 1)
    return;
  /* (the last line is the prompt line's) */
  for (guint i = 0; i + 1 < n; i++)
    wrap_line (rows, lines[i], width);
  top = MAX (0, y - (int) rows->len);
  attron (A_REVERSE);
  for (int row = top; row < y; row++)
    {
      const char *text = g_ptr_array_index (rows, row - top);

      mvhline (row, 0, ' ', width);
      mvaddstr (row, 0, text);
    }
  attroff (A_REVERSE);
}

/* ssh went away first: the question is no longer asked */
static void
on_withdrawn (VireoAskpassRequest *request,
              Tui                 *tui)
{
  g_signal_handlers_disconnect_by_func (request, on_withdrawn, tui);
  if (tui->askpass != request)
    return;
  if (tui->askpass_shown)
    {
      tui->mode = tui->back_mode;
      memset (tui->prompt_text->str, 0, tui->prompt_text->len);
      tui_prompt_clear (tui);
    }
  tui->askpass_shown = FALSE;
  g_clear_object (&tui->askpass);
  tui_set_status (tui, FALSE, "%s", _("ssh's question was withdrawn: its connection ended."));
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

static void
on_request (VireoAskpass        *askpass,
            VireoAskpassRequest *request,
            Tui                 *tui)
{
  g_signal_connect (request, "withdrawn", G_CALLBACK (on_withdrawn), tui);
  g_set_object (&tui->askpass, request);
  if (!screen_free (tui))
    tui_set_status (tui, FALSE, "%s", _("ssh has a question for a host: it is asked once this closes."));
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

/**
 * tui_askpass_open:
 * Listens for ssh's questions, before any host connects over SSH.
 */
void
tui_askpass_open (Tui *tui)
{
  VireoAskpass *askpass = vireo_askpass_get_default ();
  g_autoptr(GError) error = NULL;

  if (!vireo_askpass_start (askpass, &error))
    /* Translators: %s says why, such as "/run/user/1000/vireo-ssh is not a private folder of this user" */
    tui_set_status (tui, TRUE, _("ssh cannot ask for passwords or host keys in vireo-tui: %s"), error->message);
  g_signal_connect (askpass, "request", G_CALLBACK (on_request), tui);
}

/**
 * tui_askpass_close:
 * A question still open is answered with nothing, as Esc would.
 */
void
tui_askpass_close (Tui *tui)
{
  g_autoptr(VireoAskpassRequest) request = g_steal_pointer (&tui->askpass);

  g_signal_handlers_disconnect_by_func (vireo_askpass_get_default (), on_request, tui);
  tui->askpass_shown = FALSE;
  if (request != NULL)
    {
      g_signal_handlers_disconnect_by_func (request, on_withdrawn, tui);
      vireo_askpass_request_answer (request, NULL);
    }
}
