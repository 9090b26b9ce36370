/* vireo-tui-keys.c: what each key does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One table maps keys to handlers; a handler returns what to redraw.  The
 * same table makes the key bar and the help screen, so they cannot drift.
 * Operations run asynchronously; their end is said in the status line.
 */
#include <glib/gi18n.h>

#include <stdio.h>
#include <string.h>

#include "vireo-console-attach.h"
#include "vireo-tui.h"

#define CTRL(c) ((c) & 0x1f)

typedef TuiRedraw (*TuiKeyFunc) (Tui *tui, int key);

typedef struct {
  int key;
  int alt_key;
  const char *label;        /* in the key bar and help, NULL: help only */
  const char *help;
  TuiKeyFunc func;
} TuiKey;

/* The end of an operation, in the status line. */
typedef struct {
  Tui *tui;
  char *done;               /* said on success */
} Op;

static void
on_op_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Op *op = user_data;
  g_autoptr(GError) error = NULL;

  /* every domain operation has the (gboolean) GTask shape */
  if (!vireo_domain_operation_finish (VIREO_DOMAIN (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tui_set_status (op->tui, TRUE, "%s", error->message);
    }
  else if (op->done)
    tui_set_status (op->tui, FALSE, "%s", op->done);
  g_free (op->done);
  g_free (op);
}

static Op *
op_new (Tui        *tui,
        const char *done)
{
  Op *op = g_new0 (Op, 1);

  op->tui = tui;
  op->done = g_strdup (done);
  return op;
}

static VireoDomain *
selected_domain (Tui *tui)
{
  TuiRow *row = tui_selected_row (tui);

  if (row == NULL)
    tui_set_status (tui, TRUE, "%s", _("No VM is selected."));
  return row ? row->domain : NULL;
}

/* The selected VM, if it may be asked for @op now: else NULL, and the
 * reason (its state, or what its host cannot do) in the status line. */
static VireoDomain *
selected_for (Tui           *tui,
              VireoDomainOp  op)
{
  VireoDomain *domain = selected_domain (tui);
  g_autoptr(GError) error = NULL;

  if (domain != NULL && !vireo_domain_check (domain, op, &error))
    {
      tui_set_status (tui, TRUE, "%s", error->message);
      return NULL;
    }
  return domain;
}

static TuiRedraw key_quit (Tui *tui, int key);

/**
 * tui_quit:
 * Quits, unless a clone or snapshot operation still runs (it says why).
 */
gboolean
tui_quit (Tui *tui)
{
  return key_quit (tui, 'q') == TUI_REDRAW_NONE;
}

static TuiRedraw
key_quit (Tui *tui, int key)
{
  /* quitting half way would leave the clone's files behind */
  if (tui->clone_cancellable != NULL)
    {
      tui_set_status (tui, TRUE, "%s", _("A clone is still being made: wait for it, or press Esc to cancel it."));
      return TUI_REDRAW_ALL;
    }
  /* a snapshot taken or reverted half way cannot be undone */
  if (tui->jobs_running > 0)
    {
      tui_set_status (tui, TRUE, "%s", _("A snapshot operation is under way: wait a moment for it to end."));
      return TUI_REDRAW_ALL;
    }
  g_main_loop_quit (tui->loop);
  return TUI_REDRAW_NONE;
}

static TuiRedraw
key_move (Tui *tui, int key)
{
  int height = getmaxy (stdscr);
  int page = MAX (1, height - 4);
  int i = tui_selected_index (tui);

  switch (key)
    {
    case KEY_UP: case 'k': i--; break;
    case KEY_DOWN: case 'j': i++; break;
    case KEY_PPAGE: i -= page; break;
    case KEY_NPAGE: i += page; break;
    case KEY_HOME: i = 0; break;
    case KEY_END: i = (int) tui->shown->len - 1; break;
    default: break;
    }
  tui_select_index (tui, i);
  return TUI_REDRAW_TABLE;
}

static TuiRedraw
key_sort (Tui *tui, int key)
{
  if (key == 'I')
    tui->sort_reversed = !tui->sort_reversed;
  else
    {
      int step = key == '<' ? TUI_N_COLS - 1 : 1;

      /* past the columns the table does not have now (one host: no HOST) */
      do
        tui->sort = (tui->sort + step) % TUI_N_COLS;
      while (!tui_column_available (tui, tui->sort));
      tui->sort_reversed = FALSE;
    }
  tui_set_status (tui, FALSE, _("Sorted by %s."), tui_column_title (tui->sort));
  return TUI_REDRAW_ALL;
}

static TuiRedraw
key_filter (Tui *tui, int key)
{
  tui->mode = TUI_MODE_FILTER;
  return TUI_REDRAW_ALL;
}

static TuiRedraw
key_help (Tui *tui, int key)
{
  tui->back_mode = tui->mode;
  tui->mode = TUI_MODE_HELP;
  return TUI_REDRAW_ALL;
}

/* A VM that could not start for want of vireo-net may start on user-mode
 * networking instead: tui_start_failed() asks. */
static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Op *op = user_data;
  g_autoptr(GError) error = NULL;
  const char *note;

  /* the engine's note (no KVM) says more than "started" and implies it */
  if (vireo_domain_start_finish (VIREO_DOMAIN (source), result, &error))
    {
      note = vireo_domain_get_start_note (VIREO_DOMAIN (source));
      tui_set_status (op->tui, FALSE, "%s", note != NULL ? note : op->done);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    tui_start_failed (op->tui, VIREO_DOMAIN (source), error);
  g_free (op->done);
  g_free (op);
}

static TuiRedraw
key_start (Tui *tui, int key)
{
  VireoDomain *domain = selected_for (tui, VIREO_DOMAIN_OP_START);
  g_autofree char *done = NULL;

  if (domain == NULL)
    return TUI_REDRAW_ALL;
  done = g_strdup_printf (_("VM '%s' started."), vireo_domain_get_name (domain));
  tui_set_status (tui, FALSE, _("Starting VM '%s'…"), vireo_domain_get_name (domain));
  vireo_domain_start_async (domain, tui->cancellable, on_started, op_new (tui, done));
  return TUI_REDRAW_ALL;
}

static TuiRedraw
key_shutdown (Tui *tui, int key)
{
  VireoDomain *domain = selected_for (tui, VIREO_DOMAIN_OP_SHUTDOWN);
  g_autofree char *done = NULL;

  if (domain == NULL)
    return TUI_REDRAW_ALL;
  done = g_strdup_printf (_("VM '%s' is shut off."), vireo_domain_get_name (domain));
  tui_set_status (tui, FALSE, _("Asking VM '%s' to shut down…"), vireo_domain_get_name (domain));
  vireo_domain_shutdown_async (domain, VIREO_DOMAIN_SHUTDOWN_TIMEOUT_S, tui->cancellable, on_op_done, op_new (tui, done));
  return TUI_REDRAW_ALL;
}

static void
do_force_off (Tui *tui, VireoDomain *domain)
{
  g_autofree char *done = g_strdup_printf (_("VM '%s' forced off."), vireo_domain_get_name (domain));

  vireo_domain_destroy_async (domain, tui->cancellable, on_op_done, op_new (tui, done));
}

typedef struct {
  Tui *tui;
  char *name;
  gboolean with_disks;
} Delete;

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Delete *d = user_data;
  g_autoptr(GError) error = NULL;

  if (!vireo_backend_undefine_domain_finish (VIREO_BACKEND (source), result, &error))
    tui_set_status (d->tui, TRUE, "%s", error->message);
  else if (d->with_disks)
    tui_set_status (d->tui, FALSE, _("VM '%s' and its disks deleted."), d->name);
  else
    tui_set_status (d->tui, FALSE, _("VM '%s' deleted; its disks are kept."), d->name);
  g_free (d->name);
  g_free (d);
}

static void
delete_vm (Tui *tui, VireoDomain *domain, gboolean with_disks)
{
  Delete *d = g_new0 (Delete, 1);

  d->tui = tui;
  d->name = g_strdup (vireo_domain_get_name (domain));
  d->with_disks = with_disks;
  vireo_backend_undefine_domain_async (vireo_domain_get_backend (domain), domain, with_disks, NULL, on_deleted, d);
}

static void
do_delete (Tui *tui, VireoDomain *domain)
{
  delete_vm (tui, domain, FALSE);
}

static void
do_delete_with_disks (Tui *tui, VireoDomain *domain)
{
  delete_vm (tui, domain, TRUE);
}

/**
 * tui_ask:
 * @text: (transfer full): the question, in the bottom line
 *
 * Runs @func on @domain if the answer is y.
 */
TuiRedraw
tui_ask (Tui            *tui,
         VireoDomain    *domain,
         TuiConfirmFunc  func,
         char           *text)
{
  tui->back_mode = tui->mode;
  tui->mode = TUI_MODE_CONFIRM;
  tui->confirm = func;
  g_set_object (&tui->confirm_domain, domain);
  g_free (tui->confirm_text);
  tui->confirm_text = text;
  return TUI_REDRAW_ALL;
}

static TuiRedraw
key_force_off (Tui *tui, int key)
{
  VireoDomain *domain = selected_for (tui, VIREO_DOMAIN_OP_FORCE_OFF);

  if (domain == NULL)
    return TUI_REDRAW_ALL;
  return tui_ask (tui, domain, do_force_off,
                  g_strdup_printf (_("Force VM '%s' off, as if unplugged? (y/n)"), vireo_domain_get_name (domain)));
}

static TuiRedraw
key_delete (Tui *tui, int key)
{
  VireoDomain *domain = selected_for (tui, VIREO_DOMAIN_OP_DELETE);

  if (domain == NULL)
    return TUI_REDRAW_ALL;
  return tui_ask (tui, domain, do_delete,
                  g_strdup_printf (_("Delete VM '%s'? y: keep its disks, a: delete its disks too, n: no"),
                                   vireo_domain_get_name (domain)));
}

static TuiRedraw
key_pause (Tui *tui, int key)
{
  VireoDomain *domain = selected_domain (tui);
  gboolean paused;
  g_autofree char *done = NULL;

  if (domain == NULL)
    return TUI_REDRAW_ALL;
  paused = vireo_domain_state_allows (vireo_domain_get_state (domain), VIREO_DOMAIN_OP_RESUME);
  if (selected_for (tui, paused ? VIREO_DOMAIN_OP_RESUME : VIREO_DOMAIN_OP_PAUSE) == NULL)
    return TUI_REDRAW_ALL;
  done = g_strdup_printf (paused ? _("VM '%s' resumed.") : _("VM '%s' paused."), vireo_domain_get_name (domain));
  vireo_domain_action_async (domain, paused ? VIREO_DOMAIN_ACTION_RESUME : VIREO_DOMAIN_ACTION_PAUSE,
                             tui->cancellable, on_op_done, op_new (tui, done));
  return TUI_REDRAW_NONE;
}

static TuiRedraw
key_reboot (Tui *tui, int key)
{
  VireoDomain *domain = selected_for (tui, VIREO_DOMAIN_OP_REBOOT);
  g_autofree char *done = NULL;

  if (domain == NULL)
    return TUI_REDRAW_ALL;
  done = g_strdup_printf (_("VM '%s' is rebooting."), vireo_domain_get_name (domain));
  vireo_domain_action_async (domain, VIREO_DOMAIN_ACTION_REBOOT, tui->cancellable, on_op_done, op_new (tui, done));
  return TUI_REDRAW_NONE;
}

static void
on_console_opened (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Tui *tui = user_data;
  VireoDomain *domain = VIREO_DOMAIN (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) conn = vireo_domain_open_console_finish (domain, result, &error);
  gboolean gone;

  if (conn == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tui_set_status (tui, TRUE, "%s", error->message);
      return;
    }
  /* the console has the whole terminal until Ctrl+] */
  tui->attached = TRUE;
  tui_watch_stdin (tui, FALSE);
  tui_term_leave ();
  printf (_("Connected to the serial console of VM '%s'. Ctrl+] returns to the table."), vireo_domain_get_name (domain));
  printf ("\r\n");
  fflush (stdout);
  gone = vireo_console_attach (conn, TRUE, 0);
  tui_term_return ();
  tui->attached = FALSE;
  tui_watch_stdin (tui, TRUE);
  if (gone)
    tui_set_status (tui, FALSE, _("The console of VM '%s' closed: the VM stopped."), vireo_domain_get_name (domain));
  else
    tui_set_status (tui, FALSE, _("Left the console of VM '%s'."), vireo_domain_get_name (domain));
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

static TuiRedraw
key_console (Tui *tui, int key)
{
  VireoDomain *domain = selected_for (tui, VIREO_DOMAIN_OP_CONSOLE);

  if (domain == NULL)
    return TUI_REDRAW_ALL;
  vireo_domain_open_console_async (domain, tui->cancellable, on_console_opened, tui);
  return TUI_REDRAW_NONE;
}

static TuiRedraw
key_details (Tui *tui, int key)
{
  VireoDomain *domain = selected_domain (tui);

  if (domain == NULL)
    return TUI_REDRAW_ALL;
  tui->mode = TUI_MODE_DETAILS;
  tui_snapshots_reload (tui, domain);
  return TUI_REDRAW_ALL;
}

static TuiRedraw
key_back (Tui *tui, int key)
{
  tui->mode = TUI_MODE_TABLE;
  return TUI_REDRAW_ALL;
}

static TuiRedraw
key_snapshot (Tui *tui, int key)
{
  VireoDomain *domain = selected_domain (tui);

  return domain ? tui_snapshots_take (tui, domain) : TUI_REDRAW_ALL;
}

static TuiRedraw
key_clone (Tui *tui, int key)
{
  VireoDomain *domain = selected_domain (tui);

  return domain ? tui_clone_start (tui, domain) : TUI_REDRAW_ALL;
}

static TuiRedraw
key_revert_snapshot (Tui *tui, int key)
{
  VireoDomain *domain = selected_domain (tui);

  return domain ? tui_snapshots_revert (tui, domain) : TUI_REDRAW_ALL;
}

static TuiRedraw
key_delete_snapshot (Tui *tui, int key)
{
  VireoDomain *domain = selected_domain (tui);

  return domain ? tui_snapshots_delete (tui, domain) : TUI_REDRAW_ALL;
}

static TuiRedraw
key_choose_snapshot (Tui *tui, int key)
{
  return tui_snapshots_move (tui, key);
}

static TuiRedraw
key_new (Tui *tui, int key)
{
  tui_form_open (tui);
  tui_set_status (tui, FALSE, "%s", "");
  return TUI_REDRAW_ALL;
}

static TuiRedraw
key_reconnect (Tui *tui, int key)
{
  TuiRow *row = tui_selected_row (tui);

  return tui_hosts_reconnect (tui, row ? row->domain : NULL);
}

static TuiRedraw
key_add_host (Tui *tui, int key)
{
  return tui_hosts_add (tui);
}

static TuiRedraw
key_networks (Tui *tui, int key)
{
  return tui_networks_open (tui);
}

static TuiRedraw
key_networks_back (Tui *tui, int key)
{
  return tui_networks_close (tui);
}

static TuiRedraw
key_network_move (Tui *tui, int key)
{
  return tui_networks_move (tui, key);
}

static TuiRedraw
key_network_start (Tui *tui, int key)
{
  return tui_networks_start (tui);
}

static TuiRedraw
key_network_stop (Tui *tui, int key)
{
  return tui_networks_stop (tui);
}

static TuiRedraw
key_network_autostart (Tui *tui, int key)
{
  return tui_networks_toggle_autostart (tui);
}

static TuiRedraw
key_network_refresh (Tui *tui, int key)
{
  return tui_networks_refresh (tui);
}

static const TuiKey keys[] = {
  { KEY_F (1), '?', N_("Help"), N_("this help"), key_help },
  { '\r', KEY_ENTER, N_("Details"), N_("the selected VM's settings, disks, interfaces and snapshots"), key_details },
  { 'n', 0, N_("New"), N_("a new VM from a short form"), key_new },
  { 'N', 0, N_("Networks"), N_("the virtual networks: their state, subnets and leases"), key_networks },
  { 's', 0, N_("Start"), N_("start the selected VM"), key_start },
  { 'S', 0, N_("Shut down"), N_("ask the guest to shut down (forced off after a minute)"), key_shutdown },
  { 'K', 0, N_("Force off"), N_("force the VM off, as if unplugged (asks first)"), key_force_off },
  { 'p', 0, N_("Pause"), N_("pause or resume"), key_pause },
  { 'r', 0, N_("Reboot"), N_("reboot through the guest"), key_reboot },
  { 'c', 0, N_("Console"), N_("the serial console, full screen (Ctrl+] returns)"), key_console },
  { 'd', KEY_DC, N_("Delete"), N_("delete the VM, with or without its disks (asks first)"), key_delete },
  { 't', 0, N_("Snapshot"), N_("take a snapshot of the VM (asks for its name)"), key_snapshot },
  { 'C', 0, N_("Clone"), N_("clone the shut-off VM, as a full copy or linked (Esc cancels)"), key_clone },
  { 'A', 0, N_("Add host"), N_("save a libvirt host by its URI, and connect it"), key_add_host },
  { 'R', 0, N_("Reconnect"), N_("reconnect the selected VM's host, or every host not connected"),
    key_reconnect },
  { '/', 0, N_("Filter"), N_("only the VMs whose name, title or host:NAME matches (Esc clears)"),
    key_filter },
  { '>', KEY_F (6), N_("Sort"), N_("sort by the next column; < the previous one"), key_sort },
  { '<', 0, NULL, N_("sort by the previous column"), key_sort },
  { 'I', 0, NULL, N_("invert the sort order"), key_sort },
  { 'q', KEY_F (10), N_("Quit"), N_("quit (VMs keep running)"), key_quit },
  { KEY_UP, 'k', NULL, N_("select the VM above"), key_move },
  { KEY_DOWN, 'j', NULL, N_("select the VM below"), key_move },
  { KEY_PPAGE, 0, NULL, N_("a page up"), key_move },
  { KEY_NPAGE, 0, NULL, N_("a page down"), key_move },
  { KEY_HOME, 0, NULL, N_("the first VM"), key_move },
  { KEY_END, 0, NULL, N_("the last VM"), key_move },
};

/* The detail pane's own keys: its snapshot tree has a cursor. */
static const TuiKey details_keys[] = {
  { 27, 'q', N_("Back"), N_("back to the table (Enter too)"), key_back },
  { '\r', KEY_ENTER, NULL, N_("back to the table"), key_back },
  { 't', 0, N_("Snapshot"), N_("take a snapshot of the VM (asks for its name)"), key_snapshot },
  { 'R', 0, N_("Revert"), N_("revert the VM to the chosen snapshot (asks first)"), key_revert_snapshot },
  { 'D', 0, N_("Delete snapshot"), N_("delete the chosen snapshot; its children move up (asks first)"),
    key_delete_snapshot },
  { 'C', 0, N_("Clone"), N_("clone the shut-off VM, as a full copy or linked (Esc cancels)"), key_clone },
  { KEY_UP, 'k', NULL, N_("choose the snapshot above"), key_choose_snapshot },
  { KEY_DOWN, 'j', NULL, N_("choose the snapshot below"), key_choose_snapshot },
  { KEY_HOME, 0, NULL, N_("the first snapshot"), key_choose_snapshot },
  { KEY_END, 0, NULL, N_("the last snapshot"), key_choose_snapshot },
  { KEY_F (1), '?', N_("Help"), N_("this help"), key_help },
};

/* The network view's keys: like the table's, for the chosen network. */
static const TuiKey networks_keys[] = {
  { 27, 'q', N_("Back"), N_("back to the VM table"), key_networks_back },
  { 's', 0, N_("Start"), N_("start the selected network"), key_network_start },
  { 'S', 'x', N_("Stop"), N_("stop the selected network: its VMs lose their connection"), key_network_stop },
  { 'a', 0, N_("Autostart"), N_("start the network automatically, or no longer"), key_network_autostart },
  { 'r', KEY_F (5), N_("Refresh"), N_("ask again which networks run, and read the leases"), key_network_refresh },
  { KEY_UP, 'k', NULL, N_("select the network above"), key_network_move },
  { KEY_DOWN, 'j', NULL, N_("select the network below"), key_network_move },
  { KEY_HOME, 0, NULL, N_("the first network"), key_network_move },
  { KEY_END, 0, NULL, N_("the last network"), key_network_move },
  { KEY_F (1), '?', N_("Help"), N_("this help"), key_help },
};

/* The table of keys for a pane. */
static const TuiKey *
keys_of (TuiMode  pane,
         guint   *n)
{
  if (pane == TUI_MODE_DETAILS)
    {
      *n = G_N_ELEMENTS (details_keys);
      return details_keys;
    }
  if (pane == TUI_MODE_NETWORKS)
    {
      *n = G_N_ELEMENTS (networks_keys);
      return networks_keys;
    }
  *n = G_N_ELEMENTS (keys);
  return keys;
}

/* The table of keys for what is on screen. */
static const TuiKey *
current_keys (Tui   *tui,
              guint *n)
{
  return keys_of (tui_pane (tui), n);
}

static char *
describe_key (int key)
{
  if (key >= KEY_F (1) && key <= KEY_F (12))
    return g_strdup_printf ("F%d", key - KEY_F (0));
  switch (key)
    {
    case KEY_UP: return g_strdup ("Up");
    case KEY_DOWN: return g_strdup ("Down");
    case KEY_PPAGE: return g_strdup ("PgUp");
    case KEY_NPAGE: return g_strdup ("PgDn");
    case KEY_HOME: return g_strdup ("Home");
    case KEY_END: return g_strdup ("End");
    case KEY_DC: return g_strdup ("Del");
    case 27: return g_strdup ("Esc");
    case '\r': return g_strdup ("Enter");
    case KEY_ENTER: return g_strdup ("Enter");
    default: return g_strdup_printf ("%c", key);
    }
}

/**
 * tui_edit_text:
 * Typing into a one-line field: Backspace removes the last character (not
 * the last byte of it), a printable byte is added.
 *
 * Returns: whether @key was for the field
 */
gboolean
tui_edit_text (GString *text,
               int      key)
{
  if (key == KEY_BACKSPACE || key == 127 || key == CTRL ('h'))
    {
      const char *prev = text->len ? g_utf8_find_prev_char (text->str, text->str + text->len) : NULL;

      g_string_truncate (text, prev ? (gsize) (prev - text->str) : 0);
      return TRUE;
    }
  if (key >= 32 && key < 256 && key != 127)
    {
      g_string_append_c (text, (char) key);
      return TRUE;
    }
  return FALSE;
}

static TuiRedraw
handle_filter_key (Tui *tui,
                   int  key)
{
  if (key == 27)                         /* Esc: no filter */
    {
      g_string_truncate (tui->filter, 0);
      tui->mode = TUI_MODE_TABLE;
    }
  else if (key == '\r' || key == '\n' || key == KEY_ENTER)
    tui->mode = TUI_MODE_TABLE;
  else if (!tui_edit_text (tui->filter, key))
    return TUI_REDRAW_NONE;
  return TUI_REDRAW_ALL;
}

static TuiRedraw
handle_confirm_key (Tui *tui,
                    int  key)
{
  TuiConfirmFunc func = NULL;

  if (key == 'y' || key == 'Y')
    func = tui->confirm;
  else if ((key == 'a' || key == 'A') && tui->confirm == do_delete)
    func = do_delete_with_disks;
  tui->mode = tui->back_mode;
  if (func != NULL && tui->confirm_domain != NULL)
    func (tui, tui->confirm_domain);
  else
    tui_set_status (tui, FALSE, "%s", _("Nothing was done."));
  g_clear_object (&tui->confirm_domain);
  return TUI_REDRAW_ALL;
}

static TuiRedraw
run_key (Tui *tui,
         int  key)
{
  guint n;
  const TuiKey *table = current_keys (tui, &n);

  if (tui->mode == TUI_MODE_DETAILS && key == '\n')
    key = '\r';
  for (guint i = 0; i < n; i++)
    if (table[i].key == key || (table[i].alt_key != 0 && table[i].alt_key == key))
      return table[i].func (tui, key);
  return TUI_REDRAW_NONE;
}

/**
 * tui_keys_handle:
 * Returns: what to redraw after @key
 */
TuiRedraw
tui_keys_handle (Tui *tui,
                 int  key)
{
  if (key == KEY_RESIZE)
    return TUI_REDRAW_ALL;
  /* a key only while a clone runs (tui_term_catch_interrupt) */
  if (key == CTRL ('c'))
    {
      if (!tui_clone_cancel (tui))
        tui_quit (tui);
      return TUI_REDRAW_ALL;
    }
  switch (tui->mode)
    {
    case TUI_MODE_FILTER:
      return handle_filter_key (tui, key);
    case TUI_MODE_CONFIRM:
      return handle_confirm_key (tui, key);
    case TUI_MODE_HELP:
      tui->mode = tui->back_mode == TUI_MODE_DETAILS || tui->back_mode == TUI_MODE_NETWORKS
                  ? tui->back_mode : TUI_MODE_TABLE;
      return TUI_REDRAW_ALL;
    case TUI_MODE_FORM:
      return tui_form_key (tui, key);
    case TUI_MODE_PROMPT:
      return tui_prompt_key (tui, key);
    case TUI_MODE_DETAILS:
    case TUI_MODE_TABLE:
    default:
      break;
    }
  /* Esc stops a running clone before anything else */
  if (key == 27 && tui_clone_cancel (tui))
    return TUI_REDRAW_ALL;
  if (key == 27 && tui->mode == TUI_MODE_TABLE && tui->filter->len > 0)
    return handle_filter_key (tui, key);
  return run_key (tui, key);
}

/* "F1 Help  s Start  S Shut down …", as much as fits */
void
tui_keys_draw_bar (Tui *tui,
                   int  y,
                   int  width)
{
  guint n;
  const TuiKey *table = current_keys (tui, &n);
  int x = 0;

  move (y, 0);
  clrtoeol ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = NULL;
      const char *label;
      int need;

      if (table[i].label == NULL)
        continue;
      name = describe_key (table[i].key);
      label = _(table[i].label);
      need = strlen (name) + 1 + g_utf8_strlen (label, -1) + 2;
      if (x + need > width)
        break;
      attron (A_REVERSE | A_BOLD);
      mvaddstr (y, x, name);
      attroff (A_REVERSE | A_BOLD);
      mvaddstr (y, x + strlen (name) + 1, label);
      x += need;
    }
}

void
tui_keys_draw_help (Tui *tui)
{
  int height = getmaxy (stdscr);
  int width = getmaxx (stdscr);
  int y = 2;
  /* the keys of the pane the help was asked from */
  guint n;
  const TuiKey *table = keys_of (tui->back_mode, &n);

  attron (A_BOLD);
  mvaddstr (0, 0, tui->back_mode == TUI_MODE_DETAILS ? _("vireo-tui keys in the detail pane (any key returns)")
                  : tui->back_mode == TUI_MODE_NETWORKS ? _("vireo-tui keys in the network view (any key returns)")
                  : _("vireo-tui keys (any key returns)"));
  attroff (A_BOLD);
  for (guint i = 0; i < n && y < height; i++, y++)
    {
      g_autofree char *name = describe_key (table[i].key);
      g_autofree char *alt = table[i].alt_key ? describe_key (table[i].alt_key) : NULL;
      g_autofree char *both = alt && !g_str_equal (alt, name) ? g_strdup_printf ("%s, %s", name, alt) : g_strdup (name);
      const char *help = _(table[i].help);
      /* cut at the right edge: a wrapped line would write over the next */
      const char *end = g_utf8_strlen (help, -1) > width - 14 ? g_utf8_offset_to_pointer (help, MAX (0, width - 14)) : NULL;

      attron (A_BOLD);
      mvaddstr (y, 2, both);
      attroff (A_BOLD);
      mvaddnstr (y, 14, help, end ? (int) (end - help) : -1);
    }
}
