/* vireo-tui-table.c: the VM table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The table is drawn whole into curses' screen, which sends the terminal
 * only the cells that changed, so nothing flickers; it is drawn only when
 * something changed (tui_queue_draw).  Columns drop out from the right
 * when the terminal is narrow, the name column takes what is left.  The
 * host column is there while there is more than one host.
 */
#include <glib/gi18n.h>
#include <string.h>

#include "vireo-tui.h"

static const struct { const char *title; int width; } columns[TUI_N_COLS] = {
  [TUI_COL_STATE] = { N_("STATE"), 13 },
  [TUI_COL_HOST] = { N_("HOST"), 14 },
  [TUI_COL_NAME] = { N_("NAME"), 0 },
  [TUI_COL_VCPUS] = { N_("CPUS"), 4 },
  [TUI_COL_MEMORY] = { N_("MEMORY"), 10 },
  [TUI_COL_CPU] = { N_("CPU%"), 6 + 1 + TUI_HISTORY },
  [TUI_COL_DISK] = { N_("DISK I/O"), 10 },
  [TUI_COL_NET] = { N_("NET I/O"), 10 },
  [TUI_COL_UPTIME] = { N_("UPTIME"), 9 },
  [TUI_COL_ADDRESS] = { N_("ADDRESS"), 16 },
};

#define MIN_NAME_WIDTH 10

const char *
tui_column_title (TuiColumn column)
{
  return _(columns[column].title);
}

void
tui_row_free (TuiRow *row)
{
  vireo_domain_unwatch_stats (row->domain);
  g_clear_object (&row->domain);
  g_free (row);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  static const VireoDomainSort by[TUI_N_COLS] = {
    [TUI_COL_STATE] = VIREO_DOMAIN_SORT_STATE, [TUI_COL_HOST] = VIREO_DOMAIN_SORT_HOST,
    [TUI_COL_NAME] = VIREO_DOMAIN_SORT_NAME,
    [TUI_COL_VCPUS] = VIREO_DOMAIN_SORT_VCPUS, [TUI_COL_MEMORY] = VIREO_DOMAIN_SORT_MEMORY,
    [TUI_COL_CPU] = VIREO_DOMAIN_SORT_CPU, [TUI_COL_DISK] = VIREO_DOMAIN_SORT_DISK,
    [TUI_COL_NET] = VIREO_DOMAIN_SORT_NETWORK, [TUI_COL_UPTIME] = VIREO_DOMAIN_SORT_UPTIME,
    [TUI_COL_ADDRESS] = VIREO_DOMAIN_SORT_ADDRESS,
  };
  const Tui *tui = user_data;
  const TuiRow *ra = *(TuiRow * const *) a;
  const TuiRow *rb = *(TuiRow * const *) b;
  int result = vireo_domain_compare (ra->domain, rb->domain, by[tui->sort]);

  return tui->sort_reversed ? -result : result;
}

static void
on_domain_notify (VireoDomain *domain,
                  GParamSpec  *pspec,
                  Tui         *tui)
{
  tui_queue_draw (tui, TUI_REDRAW_TABLE);
}

static void
on_domain_stats (VireoDomain *domain,
                 Tui         *tui)
{
  tui_queue_draw (tui, TUI_REDRAW_TABLE);
}

/* The rows follow the hosts' model; a VM keeps its samples. */
void
tui_rows_sync (Tui *tui)
{
  GListModel *model = vireo_hosts_get_domains (tui->hosts);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GPtrArray) old = g_steal_pointer (&tui->rows);
  /* domain → its row, for the VMs that stay (linear, for 1000s of VMs) */
  g_autoptr(GHashTable) kept = g_hash_table_new (NULL, NULL);

  for (guint j = 0; old && j < old->len; j++)
    g_hash_table_insert (kept, ((TuiRow *) g_ptr_array_index (old, j))->domain, g_ptr_array_index (old, j));
  tui->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tui_row_free);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (model, i);
      TuiRow *row = g_hash_table_lookup (kept, domain);

      if (row != NULL)
        g_hash_table_remove (kept, domain);
      else
        {
          row = g_new0 (TuiRow, 1);
          row->domain = g_object_ref (domain);
          vireo_domain_watch_stats (domain);
          g_signal_connect (domain, "notify", G_CALLBACK (on_domain_notify), tui);
          g_signal_connect (domain, "stats-updated", G_CALLBACK (on_domain_stats), tui);
        }
      g_ptr_array_add (tui->rows, row);
    }
  /* what is left in the table went away: forget it */
  if (old != NULL)
    {
      g_ptr_array_set_free_func (old, NULL);
      for (guint j = 0; j < old->len; j++)
        {
          TuiRow *row = g_ptr_array_index (old, j);

          if (g_hash_table_contains (kept, row->domain))
            {
              g_signal_handlers_disconnect_by_data (row->domain, tui);
              tui_row_free (row);
            }
        }
    }
  tui_rows_refresh (tui);
}

/* Filter and sort again, keeping the selection on the same VM.  Done
 * before each draw, so a VM whose state or numbers changed moves. */
void
tui_rows_refresh (Tui *tui)
{
  g_autofree char *filter_key = vireo_domain_filter_key (tui->filter->str);

  g_ptr_array_set_size (tui->shown, 0);
  for (guint i = 0; i < tui->rows->len; i++)
    if (vireo_domain_matches (((TuiRow *) g_ptr_array_index (tui->rows, i))->domain, filter_key))
      g_ptr_array_add (tui->shown, g_ptr_array_index (tui->rows, i));
  g_ptr_array_sort_with_data (tui->shown, compare_rows, tui);
  if (tui_selected_index (tui) < 0 && tui->shown->len > 0)
    tui_select_index (tui, 0);
}

/* Two hosts may each have a VM of the same name: the selection is a
 * name on a host. */
int
tui_selected_index (Tui *tui)
{
  for (guint i = 0; tui->selected && i < tui->shown->len; i++)
    {
      VireoDomain *domain = ((TuiRow *) g_ptr_array_index (tui->shown, i))->domain;

      if (g_str_equal (vireo_domain_get_name (domain), tui->selected) &&
          (tui->selected_host == NULL || (gconstpointer) vireo_domain_get_backend (domain) == tui->selected_host))
        return i;
    }
  return -1;
}

TuiRow *
tui_selected_row (Tui *tui)
{
  int i = tui_selected_index (tui);

  return i < 0 ? NULL : g_ptr_array_index (tui->shown, i);
}

void
tui_select_index (Tui *tui,
                  int  index)
{
  if (tui->shown->len == 0)
    return;
  index = CLAMP (index, 0, (int) tui->shown->len - 1);
  tui_select_domain (tui, ((TuiRow *) g_ptr_array_index (tui->shown, index))->domain);
}

void
tui_select_domain (Tui         *tui,
                   VireoDomain *domain)
{
  g_free (tui->selected);
  tui->selected = g_strdup (vireo_domain_get_name (domain));
  tui->selected_host = vireo_domain_get_backend (domain);
}

/**
 * tui_column_available:
 * Returns: whether @column is one the table has now (the host column
 *   only with more than one host), to show or to sort by
 */
gboolean
tui_column_available (Tui       *tui,
                      TuiColumn  column)
{
  return column != TUI_COL_HOST || tui_hosts_many (tui);
}

static char *
format_size (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

/* A bar of the last samples: block characters where the terminal speaks
 * UTF-8, ASCII elsewhere (vt100). */
static void
draw_history (VireoDomain *domain,
              int          y,
              int          x)
{
  static const char *blocks[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
  static const char ascii[] = " .:-=+*#@";
  const char *charset = NULL;
  gboolean utf8 = g_get_charset (&charset);
  double cpu[TUI_HISTORY];
  guint n = vireo_domain_get_cpu_history (domain, cpu, TUI_HISTORY);

  for (guint i = 0; i < TUI_HISTORY; i++)
    {
      guint at = TUI_HISTORY - n;
      double sample = i < at ? 0 : cpu[i - at];
      int level = i < at ? 0 : (int) CLAMP (sample / 100.0 * 8 + 0.5, sample > 0.5 ? 1 : 0, 8);

      if (utf8)
        mvaddstr (y, x + i, blocks[level]);
      else
        mvaddch (y, x + i, ascii[level]);
    }
}

static void
put (int         y,
     int         x,
     int         width,
     gboolean    right,
     const char *text)
{
  g_autofree char *cell = NULL;
  glong len = g_utf8_strlen (text, -1);

  if (width <= 0)
    return;
  if (len > width)
    {
      /* cut at a character, and say it was cut */
      const char *end = g_utf8_offset_to_pointer (text, width - 1);
      cell = g_strdup_printf ("%.*s~", (int) (end - text), text);
    }
  else if (right)
    cell = g_strdup_printf ("%*s%s", (int) (width - len), "", text);
  else
    cell = g_strdup (text);
  mvaddstr (y, x, cell);
}

/* Which columns fit, and the name column's width. */
static int
layout (Tui      *tui,
        int       width,
        gboolean  shown[TUI_N_COLS])
{
  int used = 0;

  for (int c = 0; c < TUI_N_COLS; c++)
    {
      shown[c] = tui_column_available (tui, c);
      used += shown[c] ? columns[c].width + 1 : 0;
    }
  for (int c = TUI_N_COLS - 1; c > TUI_COL_NAME && used + MIN_NAME_WIDTH > width; c--)
    {
      /* drop from the right, but keep CPU% (without its bar) for last */
      shown[c] = FALSE;
      used -= columns[c].width + 1;
    }
  return MAX (MIN_NAME_WIDTH, width - used);
}

static char *
format_rate (gboolean sampled,
             double   rate)
{
  g_autofree char *size = NULL;

  if (!sampled || rate < 0)
    return NULL;
  size = format_size ((guint64) rate);
  return g_strdup_printf ("%s/s", size);
}

/* The text of a plain cell, and whether it is right-aligned (numbers);
 * NULL for an empty cell. */
static char *
cell_text (VireoDomain           *domain,
           TuiColumn              column,
           const VireoDomainLoad *load,
           gboolean               sampled,
           gboolean              *right)
{
  const VireoDomainConfig *config = vireo_domain_get_config (domain);

  *right = column != TUI_COL_NAME && column != TUI_COL_ADDRESS && column != TUI_COL_HOST;
  switch (column)
    {
    case TUI_COL_NAME: return g_strdup (config->name);
    case TUI_COL_HOST: return g_strdup (vireo_backend_get_title (vireo_domain_get_backend (domain)));
    case TUI_COL_VCPUS: return g_strdup_printf ("%u", config->vcpus);
    case TUI_COL_MEMORY: return format_size (config->memory_kib * 1024);
    case TUI_COL_DISK: return format_rate (sampled, load->disk_rate);
    /* from the guest agent's counters: unknown without an agent */
    case TUI_COL_NET: return format_rate (sampled, load->net_rate);
    case TUI_COL_UPTIME: return vireo_format_duration (vireo_domain_get_uptime (domain));
    case TUI_COL_ADDRESS: return vireo_domain_get_first_address (domain);
    case TUI_COL_STATE:
    case TUI_COL_CPU:
    case TUI_N_COLS:
    default: return NULL;
    }
}

static void
draw_row (Tui          *tui,
          const TuiRow *row,
          int           y,
          int           width,
          gboolean      selected)
{
  VireoDomainState state = vireo_domain_get_state (row->domain);
  VireoDomainLoad load;
  gboolean sampled = vireo_domain_get_load (row->domain, &load);
  gboolean shown[TUI_N_COLS];
  int name_width = layout (tui, width, shown);
  int x = 0;
  int color = state == VIREO_DOMAIN_STATE_RUNNING ? tui_term_color (tui, "running") :
              state == VIREO_DOMAIN_STATE_PAUSED ? tui_term_color (tui, "paused") :
              state == VIREO_DOMAIN_STATE_CRASHED ? tui_term_color (tui, "crashed") : 0;

  if (selected)
    attron (A_REVERSE);
  mvhline (y, 0, ' ', width);
  for (int c = 0; c < TUI_N_COLS; c++)
    {
      int w = c == TUI_COL_NAME ? name_width : columns[c].width;
      gboolean right;
      g_autofree char *text = NULL;

      if (!shown[c])
        continue;
      if (c == TUI_COL_STATE)
        {
          attron (color | A_BOLD);
          put (y, x, w, FALSE, vireo_domain_state_get_label (state));
          attroff (color | A_BOLD);
        }
      else if (c == TUI_COL_CPU && sampled)
        {
          text = g_strdup_printf ("%5.1f", load.cpu_percent);
          put (y, x, 6, TRUE, text);
          attron (tui_term_color (tui, "bar"));
          draw_history (row->domain, y, x + 7);
          attroff (tui_term_color (tui, "bar"));
        }
      else if ((text = cell_text (row->domain, c, &load, sampled, &right)) != NULL)
        put (y, x, w, right, text);
      x += w + 1;
    }
  if (selected)
    attroff (A_REVERSE);
}

static gboolean
descending (const Tui *tui)
{
  gboolean numbers = tui->sort >= TUI_COL_VCPUS && tui->sort <= TUI_COL_UPTIME;

  return numbers != tui->sort_reversed;
}

static void
draw_header (Tui *tui,
             int  width)
{
  gboolean shown[TUI_N_COLS];
  int name_width = layout (tui, width, shown);
  guint running = 0;
  g_autofree char *summary = NULL;
  g_autofree char *hosts = tui_hosts_describe (tui);
  g_autofree char *filter = NULL;
  int x = 0;

  for (guint i = 0; i < tui->rows->len; i++)
    running += vireo_domain_is_active (((TuiRow *) g_ptr_array_index (tui->rows, i))->domain);
  /* Translators: the first line of vireo-tui; %1$u VMs in all, %2$u of them running */
  summary = g_strdup_printf (ngettext ("Vireo · %1$u VM, %2$u running", "Vireo · %1$u VMs, %2$u running",
                                       tui->rows->len),
                             tui->rows->len, running);
  move (0, 0);
  clrtoeol ();
  attron (A_BOLD);
  put (0, 0, width, FALSE, summary);
  attroff (A_BOLD);
  if (tui->filter->len > 0 || tui->mode == TUI_MODE_FILTER)
    {
      int len;

      filter = g_strdup_printf ("/%s%s", tui->filter->str, tui->mode == TUI_MODE_FILTER ? "_" : "");
      len = g_utf8_strlen (filter, -1);
      put (0, MAX (0, width - len), len, FALSE, filter);
    }
  /* the hosts that are not connected, between the two, cut if need be */
  if (hosts != NULL)
    {
      g_autofree char *text = g_strdup_printf (" · %s", hosts);
      int at = g_utf8_strlen (summary, -1);

      attron (tui_term_color (tui, "error") | A_BOLD);
      put (0, at, width - at - (filter ? (int) g_utf8_strlen (filter, -1) + 1 : 0), FALSE, text);
      attroff (tui_term_color (tui, "error") | A_BOLD);
    }

  attron (A_REVERSE);
  mvhline (1, 0, ' ', width);
  for (int c = 0; c < TUI_N_COLS; c++)
    {
      int w = c == TUI_COL_NAME ? name_width : columns[c].width;
      g_autofree char *title = NULL;

      if (!shown[c])
        continue;
      /* the sort column is marked, ascending ^ or descending v: the
       * engine sorts numbers largest first, names and states A to Z */
      title = g_strdup_printf ("%s%s", _(columns[c].title),
                               (TuiColumn) c == tui->sort ? (descending (tui) ? "v" : "^") : "");
      if ((TuiColumn) c == tui->sort)
        attron (A_BOLD);
      put (1, x, w, FALSE, title);
      if ((TuiColumn) c == tui->sort)
        attroff (A_BOLD);
      x += w + 1;
    }
  attroff (A_REVERSE);
}

void
tui_draw (Tui *tui)
{
  int height, width, rows_height, selected;
  TuiMode pane = tui_pane (tui);

  getmaxyx (stdscr, height, width);
  erase ();
  if (pane == TUI_MODE_HELP || pane == TUI_MODE_DETAILS || pane == TUI_MODE_FORM || pane == TUI_MODE_NETWORKS)
    {
      if (pane == TUI_MODE_HELP)
        tui_keys_draw_help (tui);
      else if (pane == TUI_MODE_DETAILS)
        tui_details_draw (tui);
      else if (pane == TUI_MODE_NETWORKS)
        tui_networks_draw (tui);
      else
        tui_form_draw (tui);
      /* (the pane may have gone back to the table: its VM went away) */
      if ((tui_pane (tui) == TUI_MODE_DETAILS || tui_pane (tui) == TUI_MODE_NETWORKS) && height > 2)
        tui_keys_draw_bar (tui, height - 2, width);
      /* errors, questions and prompts stay visible under the pane */
      if (tui_pane (tui) != TUI_MODE_HELP && height > 1)
        tui_draw_bottom_line (tui, height - 1, width);
      refresh ();
      return;
    }
  draw_header (tui, width);
  rows_height = MAX (0, height - 4);
  selected = tui_selected_index (tui);
  /* keep the selection on screen */
  if (selected >= 0 && selected < tui->top)
    tui->top = selected;
  if (selected >= tui->top + rows_height)
    tui->top = selected - rows_height + 1;
  tui->top = CLAMP (tui->top, 0, MAX (0, (int) tui->shown->len - rows_height));
  for (int i = 0; i < rows_height && tui->top + i < (int) tui->shown->len; i++)
    draw_row (tui, g_ptr_array_index (tui->shown, tui->top + i), 2 + i, width, tui->top + i == selected);
  if (tui->shown->len == 0 && height > 4)
    put (3, 2, width - 2, FALSE, tui->rows->len == 0
         ? _("No VMs yet: press n to create one.")
         : _("No VM matches the filter (Esc clears it)."));

  if (height > 2)
    tui_keys_draw_bar (tui, height - 2, width);
  if (height > 1)
    tui_draw_bottom_line (tui, height - 1, width);
  refresh ();
}
