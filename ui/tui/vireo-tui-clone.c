/* vireo-tui-clone.c: cloning the selected VM (C)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The clone's name is asked in the status line with the engine's
 * suggestion filled in, and Tab switches between a full copy and a linked
 * clone.  One clone runs at a time, its progress in the status line; Esc
 * or Ctrl+C cancels it, and the engine removes what it had made.
 */
#include <glib/gi18n.h>

#include "vireo-tui.h"

typedef struct {
  Tui *tui;
  VireoJob *job;
  char *source;
} CloneOp;

static void
clone_op_free (CloneOp *op)
{
  tui_forget_job (op->tui, op->job);
  g_clear_object (&op->job);
  g_free (op->source);
  g_free (op);
}

static void
on_cloned (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CloneOp *op = user_data;
  Tui *tui = op->tui;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) clone = vireo_domain_clone_finish (VIREO_DOMAIN (source), result, &error);

  g_clear_object (&tui->clone_cancellable);
  tui_term_catch_interrupt (FALSE);
  tui_forget_job (tui, op->job);
  if (clone == NULL)
    /* a cancel is what the user asked for, and the engine says what it left */
    tui_set_status (tui, !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED), "%s", error->message);
  else
    tui_set_status (tui, FALSE, _("Cloned VM '%s' as '%s'."), op->source, vireo_domain_get_name (clone));
  clone_op_free (op);
}

static void
clone_named (Tui         *tui,
             VireoDomain *domain,
             const char  *name,
             gboolean     linked)
{
  g_autoptr(VireoCloneOptions) options = vireo_clone_options_new ();
  g_autofree char *doing = NULL;
  CloneOp *op;

  if (tui->clone_cancellable != NULL)
    return;
  op = g_new0 (CloneOp, 1);
  op->tui = tui;
  op->source = g_strdup (vireo_domain_get_name (domain));
  options->name = g_strdup (name);
  options->linked = linked;
  tui->clone_cancellable = g_cancellable_new ();
  tui_term_catch_interrupt (TRUE);
  doing = linked ? g_strdup_printf (_("Making VM '%s', a linked clone of VM '%s'…"), name, op->source)
                 : g_strdup_printf (_("Copying VM '%s' to VM '%s' (Esc cancels)…"), op->source, name);
  vireo_domain_clone_async (domain, options, &op->job, tui->clone_cancellable, on_cloned, op);
  if (op->job != NULL)
    tui_show_job (tui, op->job, doing);
}

/**
 * tui_clone_start:
 * Asks for the clone's name and kind, then clones @domain.
 */
TuiRedraw
tui_clone_start (Tui         *tui,
                 VireoDomain *domain)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *suggestion = NULL;

  if (tui->clone_cancellable != NULL)
    {
      tui_set_status (tui, TRUE, "%s", _("A clone is still being made: wait for it, or press Esc to cancel it."));
      return TUI_REDRAW_ALL;
    }
  if (!vireo_domain_check (domain, VIREO_DOMAIN_OP_CLONE, &error))
    {
      tui_set_status (tui, TRUE, "%s", error->message);
      return TUI_REDRAW_ALL;
    }
  suggestion = vireo_clone_suggest_name (vireo_domain_get_backend (domain), vireo_domain_get_name (domain));
  tui_prompt_open (tui, domain, g_strdup_printf (_("Clone VM '%s' as:"), vireo_domain_get_name (domain)),
                   suggestion, clone_named);
  /* a host without linked clones offers no Tab switch */
  if (vireo_domain_can (domain, VIREO_DOMAIN_OP_CLONE_LINKED))
    {
      tui->prompt_choices[0] = _("full copy");
      tui->prompt_choices[1] = _("linked clone");
    }
  return TUI_REDRAW_ALL;
}

/**
 * tui_clone_cancel:
 * Returns: whether a clone was running, and is now cancelled
 */
gboolean
tui_clone_cancel (Tui *tui)
{
  if (tui->clone_cancellable == NULL)
    return FALSE;
  g_cancellable_cancel (tui->clone_cancellable);
  tui_set_status (tui, FALSE, "%s", _("Cancelling the clone…"));
  return TRUE;
}
