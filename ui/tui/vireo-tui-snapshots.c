/* vireo-tui-snapshots.c: a VM's snapshot tree in the detail pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tree is read from the engine asynchronously when the pane opens,
 * when the VM's state changes and after every operation; the pane shows
 * what was last read.  A cursor chooses the snapshot that R reverts to
 * and D deletes; both ask first.  Each operation is a VireoJob whose
 * progress is shown in the status line.
 */
#include <glib/gi18n.h>
#include <string.h>

#include "vireo-tui.h"

struct _TuiSnapshots {
  VireoDomain *domain;          /* whose snapshots these are */
  GPtrArray *list;              /* VireoSnapshot, tree order; NULL: not read yet */
  char *error;                  /* why they could not be read */
  char *chosen;                 /* the name under the cursor */
  char *asked;                  /* the snapshot the question is about */
  GCancellable *cancellable;    /* the reading in flight */
  gulong state_id;
  int top;                      /* first row on screen */
};

/* One snapshot operation, from its start to its end in the status line. */
typedef struct {
  Tui *tui;
  VireoDomain *domain;
  VireoJob *job;
  char *name;
} SnapshotOp;

static void
snapshot_op_free (SnapshotOp *op)
{
  tui_forget_job (op->tui, op->job);
  g_clear_object (&op->job);
  g_clear_object (&op->domain);
  g_free (op->name);
  g_free (op);
}

static SnapshotOp *
snapshot_op_new (Tui         *tui,
                 VireoDomain *domain,
                 const char  *name)
{
  SnapshotOp *op = g_new0 (SnapshotOp, 1);

  op->tui = tui;
  op->domain = g_object_ref (domain);
  op->name = g_strdup (name);
  return op;
}

static void
forget_domain (TuiSnapshots *s)
{
  if (s->domain && s->state_id)
    g_signal_handler_disconnect (s->domain, s->state_id);
  s->state_id = 0;
  g_clear_object (&s->domain);
  g_clear_pointer (&s->list, g_ptr_array_unref);
  g_clear_pointer (&s->error, g_free);
  g_clear_pointer (&s->chosen, g_free);
  s->top = 0;
}

void
tui_snapshots_free (Tui *tui)
{
  TuiSnapshots *s = g_steal_pointer (&tui->snapshots);

  if (s == NULL)
    return;
  g_cancellable_cancel (s->cancellable);
  g_clear_object (&s->cancellable);
  forget_domain (s);
  g_free (s->asked);
  g_free (s);
}

/* The cursor stays on its snapshot, else goes to the current one. */
static void
keep_cursor (TuiSnapshots *s)
{
  if (s->chosen && vireo_snapshot_list_lookup (s->list, s->chosen))
    return;
  g_clear_pointer (&s->chosen, g_free);
  for (guint i = 0; i < s->list->len; i++)
    if (vireo_snapshot_is_current (g_ptr_array_index (s->list, i)))
      s->chosen = g_strdup (vireo_snapshot_get_name (g_ptr_array_index (s->list, i)));
  if (s->chosen == NULL && s->list->len > 0)
    s->chosen = g_strdup (vireo_snapshot_get_name (g_ptr_array_index (s->list, 0)));
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Tui *tui = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = vireo_domain_list_snapshots_finish (VIREO_DOMAIN (source), result, NULL, &error);
  TuiSnapshots *s;

  /* cancelled: a newer reading replaced this one, or vireo-tui quit */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  s = tui->snapshots;
  if (s == NULL || s->domain != VIREO_DOMAIN (source))
    return;
  g_clear_pointer (&s->error, g_free);
  g_clear_pointer (&s->list, g_ptr_array_unref);
  if (list == NULL)
    s->error = g_strdup (error->message);
  else
    {
      s->list = g_steal_pointer (&list);
      keep_cursor (s);
    }
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

static void
on_state_changed (VireoDomain *domain,
                  GParamSpec  *pspec,
                  Tui         *tui)
{
  if (tui_pane (tui) == TUI_MODE_DETAILS)
    tui_snapshots_reload (tui, domain);
}

/**
 * tui_snapshots_reload:
 * Reads @domain's snapshots again, in the background; the pane keeps
 * showing the last ones of the same VM until they come.
 */
void
tui_snapshots_reload (Tui         *tui,
                      VireoDomain *domain)
{
  TuiSnapshots *s;

  if (tui->snapshots == NULL)
    tui->snapshots = g_new0 (TuiSnapshots, 1);
  s = tui->snapshots;
  if (s->cancellable)
    g_cancellable_cancel (s->cancellable);
  g_clear_object (&s->cancellable);
  s->cancellable = g_cancellable_new ();
  if (s->domain != domain)
    {
      forget_domain (s);
      s->domain = g_object_ref (domain);
      s->state_id = g_signal_connect (domain, "notify::state", G_CALLBACK (on_state_changed), tui);
    }
  vireo_domain_list_snapshots_async (domain, s->cancellable, on_listed, tui);
}

static char *
format_time (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (seconds);

  return time ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("-");
}

static int
chosen_index (TuiSnapshots *s)
{
  for (guint i = 0; s->chosen && s->list && i < s->list->len; i++)
    if (g_str_equal (vireo_snapshot_get_name (g_ptr_array_index (s->list, i)), s->chosen))
      return i;
  return -1;
}

/* Terminal columns: a CJK character takes two. */
static int
columns_of (gunichar c)
{
  return g_unichar_iswide (c) ? 2 : 1;
}

/* @text and spaces up to @columns, at least one. */
static void
append_cell (GString    *line,
             const char *text,
             int         columns)
{
  int width = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    width += columns_of (g_utf8_get_char (p));
  g_string_append_printf (line, "%s%*s", text, MAX (1, columns - width), "");
}

/* "  └ snapshot-2        2025-05-01 10:02  Running   current  what it was for",
 * cut at the edge of the screen */
static void
draw_snapshot (VireoSnapshot *snapshot,
               int            y,
               int            width,
               gboolean       chosen)
{
  guint depth = vireo_snapshot_get_depth (snapshot);
  g_autofree char *time = format_time (vireo_snapshot_get_creation_time (snapshot));
  g_autofree char *name = g_strdup_printf ("%*s%s%s", depth * 2, "", depth ? "└ " : "",
                                           vireo_snapshot_get_name (snapshot));
  g_autoptr(GString) line = g_string_new (NULL);
  const char *end;
  int used = 0;

  append_cell (line, name, 30);
  append_cell (line, time, 18);
  append_cell (line, vireo_snapshot_state_get_label (vireo_snapshot_get_state (snapshot)), 11);
  append_cell (line, vireo_snapshot_is_current (snapshot) ? _("current") : "", 9);
  g_string_append (line, vireo_snapshot_get_description (snapshot));
  for (end = line->str; *end; end = g_utf8_next_char (end))
    if ((used += columns_of (g_utf8_get_char (end))) > width - 3)
      break;
  if (chosen)
    attron (A_REVERSE);
  mvhline (y, 2, ' ', MAX (0, width - 3));
  mvaddnstr (y, 2, line->str, (int) (end - line->str));
  if (chosen)
    attroff (A_REVERSE);
}

/**
 * tui_snapshots_draw:
 * Draws @domain's snapshot tree from line @y down to the key bar,
 * scrolled to keep the cursor on screen.
 *
 * Returns: the line after it
 */
int
tui_snapshots_draw (Tui         *tui,
                    VireoDomain *domain,
                    int          y)
{
  TuiSnapshots *s = tui->snapshots;
  int height = getmaxy (stdscr) - 2;
  int width = getmaxx (stdscr);
  int rows = height - y;
  int chosen;

  if (s == NULL || s->domain != domain)
    tui_snapshots_reload (tui, domain);
  s = tui->snapshots;
  if (rows <= 0)
    return y;
  if (s->error || s->list == NULL || s->list->len == 0)
    {
      mvaddnstr (y, 2, s->error ? s->error : s->list == NULL ? _("Reading the snapshots…")
                                                             : _("No snapshots yet: t takes one."),
                 MAX (0, width - 3));
      return y + 1;
    }
  chosen = chosen_index (s);
  if (chosen >= 0 && chosen < s->top)
    s->top = chosen;
  if (chosen >= s->top + rows)
    s->top = chosen - rows + 1;
  s->top = CLAMP (s->top, 0, MAX (0, (int) s->list->len - rows));
  for (int i = s->top; i < (int) s->list->len && y < height; i++, y++)
    draw_snapshot (g_ptr_array_index (s->list, i), y, width, i == chosen);
  return y;
}

TuiRedraw
tui_snapshots_move (Tui *tui,
                    int  key)
{
  TuiSnapshots *s = tui->snapshots;
  int i;

  if (s == NULL || s->list == NULL || s->list->len == 0)
    return TUI_REDRAW_NONE;
  i = chosen_index (s);
  switch (key)
    {
    case KEY_UP: case 'k': i--; break;
    case KEY_DOWN: case 'j': i++; break;
    case KEY_HOME: i = 0; break;
    case KEY_END: i = (int) s->list->len - 1; break;
    default: break;
    }
  i = CLAMP (i, 0, (int) s->list->len - 1);
  g_free (s->chosen);
  s->chosen = g_strdup (vireo_snapshot_get_name (g_ptr_array_index (s->list, i)));
  return TUI_REDRAW_ALL;
}

/* After an operation, the pane shows the tree as it is now. */
static void
reload_if_shown (Tui         *tui,
                 VireoDomain *domain,
                 const char  *chosen)
{
  if (tui->snapshots == NULL || tui->snapshots->domain != domain)
    return;
  if (chosen != NULL)
    {
      g_free (tui->snapshots->chosen);
      tui->snapshots->chosen = g_strdup (chosen);
    }
  tui_snapshots_reload (tui, domain);
}

static void
on_taken (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  SnapshotOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = vireo_domain_take_snapshot_finish (VIREO_DOMAIN (source), result, &error);

  if (name == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tui_set_status (op->tui, TRUE, "%s", error->message);
    }
  else
    {
      tui_set_status (op->tui, FALSE, _("Took snapshot '%s' of VM '%s'."), name, vireo_domain_get_name (op->domain));
      reload_if_shown (op->tui, op->domain, name);
    }
  snapshot_op_free (op);
}

static void
take_named (Tui         *tui,
            VireoDomain *domain,
            const char  *name,
            gboolean     choice)
{
  SnapshotOp *op = snapshot_op_new (tui, domain, name);
  g_autofree char *doing = g_strdup_printf (_("Taking snapshot '%s' of VM '%s'…"), name,
                                            vireo_domain_get_name (domain));

  vireo_domain_take_snapshot_async (domain, name, NULL, &op->job, tui->cancellable, on_taken, op);
  /* a refusal has already been returned, to run when the loop is idle */
  if (op->job != NULL)
    tui_show_job (tui, op->job, doing);
}

/* The name is suggested from the snapshots as they are now. */
static void
on_listed_for_take (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Tui *tui = user_data;
  VireoDomain *domain = VIREO_DOMAIN (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = vireo_domain_list_snapshots_finish (domain, result, NULL, &error);
  g_autofree char *suggestion = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (list == NULL)
    {
      tui_set_status (tui, TRUE, "%s", error->message);
      return;
    }
  /* the user went on to something else meanwhile */
  if (tui->mode != TUI_MODE_TABLE && tui->mode != TUI_MODE_DETAILS)
    return;
  suggestion = vireo_snapshot_suggest_name (list);
  tui_prompt_open (tui, domain,
                   g_strdup_printf (_("Name of the new snapshot of VM '%s':"), vireo_domain_get_name (domain)),
                   suggestion, take_named);
}

/**
 * tui_snapshots_take:
 * Asks for the new snapshot's name (the engine's suggestion filled in),
 * then takes it.
 */
TuiRedraw
tui_snapshots_take (Tui         *tui,
                    VireoDomain *domain)
{
  g_autoptr(GError) error = NULL;

  if (!vireo_domain_check (domain, VIREO_DOMAIN_OP_SNAPSHOT, &error))
    {
      tui_set_status (tui, TRUE, "%s", error->message);
      return TUI_REDRAW_ALL;
    }
  vireo_domain_list_snapshots_async (domain, tui->cancellable, on_listed_for_take, tui);
  return TUI_REDRAW_NONE;
}

static void
on_reverted_or_deleted (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  SnapshotOp *op = user_data;
  VireoDomain *domain = VIREO_DOMAIN (source);
  g_autoptr(GError) error = NULL;
  gboolean revert = g_async_result_is_tagged (result, vireo_domain_revert_snapshot_async);
  gboolean ok = revert ? vireo_domain_revert_snapshot_finish (domain, result, &error)
                       : vireo_domain_delete_snapshot_finish (domain, result, &error);

  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tui_set_status (op->tui, TRUE, "%s", error->message);
    }
  else if (revert)
    tui_set_status (op->tui, FALSE, _("Reverted VM '%s' to snapshot '%s'."), vireo_domain_get_name (domain), op->name);
  else
    tui_set_status (op->tui, FALSE, _("Deleted snapshot '%s' of VM '%s'."), op->name, vireo_domain_get_name (domain));
  reload_if_shown (op->tui, domain, NULL);
  snapshot_op_free (op);
}

static void
do_revert (Tui         *tui,
           VireoDomain *domain)
{
  SnapshotOp *op = snapshot_op_new (tui, domain, tui->snapshots->asked);
  g_autofree char *doing = g_strdup_printf (_("Reverting VM '%s' to snapshot '%s'…"),
                                            vireo_domain_get_name (domain), op->name);

  vireo_domain_revert_snapshot_async (domain, op->name, &op->job, tui->cancellable, on_reverted_or_deleted, op);
  if (op->job != NULL)
    tui_show_job (tui, op->job, doing);
}

static void
do_delete (Tui         *tui,
           VireoDomain *domain)
{
  SnapshotOp *op = snapshot_op_new (tui, domain, tui->snapshots->asked);
  g_autofree char *doing = g_strdup_printf (_("Deleting snapshot '%s' of VM '%s'…"), op->name,
                                            vireo_domain_get_name (domain));

  vireo_domain_delete_snapshot_async (domain, op->name, &op->job, tui->cancellable, on_reverted_or_deleted, op);
  if (op->job != NULL)
    tui_show_job (tui, op->job, doing);
}

/* The snapshot under the cursor, remembered for the question's answer. */
static VireoSnapshot *
chosen_snapshot (Tui         *tui,
                 VireoDomain *domain)
{
  TuiSnapshots *s = tui->snapshots;
  VireoSnapshot *snapshot = NULL;
  g_autoptr(GError) error = NULL;

  if (!vireo_domain_check (domain, VIREO_DOMAIN_OP_REVERT, &error))
    {
      tui_set_status (tui, TRUE, "%s", error->message);
      return NULL;
    }
  if (s && s->domain == domain && s->list)
    snapshot = vireo_snapshot_list_lookup (s->list, s->chosen);
  if (snapshot == NULL)
    {
      tui_set_status (tui, TRUE, _("VM '%s' has no snapshot to choose: t takes one."), vireo_domain_get_name (domain));
      return NULL;
    }
  g_free (s->asked);
  s->asked = g_strdup (vireo_snapshot_get_name (snapshot));
  return snapshot;
}

TuiRedraw
tui_snapshots_revert (Tui         *tui,
                      VireoDomain *domain)
{
  VireoSnapshot *snapshot = chosen_snapshot (tui, domain);
  const char *vm = vireo_domain_get_name (domain);

  if (snapshot == NULL)
    return TUI_REDRAW_ALL;
  if (vireo_snapshot_revert_stops_vm (snapshot, domain))
    return tui_ask (tui, domain, do_revert,
                    g_strdup_printf (_("Revert VM '%s' to snapshot '%s'? It is forced off, and what it did since is lost. (y/n)"),
                                     vm, vireo_snapshot_get_name (snapshot)));
  return tui_ask (tui, domain, do_revert,
                  g_strdup_printf (_("Revert VM '%s' to snapshot '%s'? What it did since is lost. (y/n)"),
                                   vm, vireo_snapshot_get_name (snapshot)));
}

TuiRedraw
tui_snapshots_delete (Tui         *tui,
                      VireoDomain *domain)
{
  VireoSnapshot *snapshot = chosen_snapshot (tui, domain);

  if (snapshot == NULL)
    return TUI_REDRAW_ALL;
  return tui_ask (tui, domain, do_delete,
                  g_strdup_printf (_("Delete snapshot '%s' of VM '%s'? (y/n)"), vireo_snapshot_get_name (snapshot),
                                   vireo_domain_get_name (domain)));
}
