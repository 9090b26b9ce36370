/* vireo-tui-networks.c: the network view (N)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A table of one host's virtual networks and, under it, the DHCP leases
 * of the chosen one: the selected VM's host when it is connected and has
 * networks, else this computer's.  Nothing is polled: the table follows the networks'
 * notifications, and the leases are read asynchronously when a network is
 * chosen, when its state changes, after starting or stopping it and when
 * r asks for it.  The view holds nothing once it is left.
 *
 * Starting a VM whose NIC is on a network fails with VIREO_ERROR_PERMISSION
 * when vireo-net is missing or not authorised; vireo-tui then offers to
 * switch those NICs to user-mode networking and start the VM again.
 */
#include <glib/gi18n.h>
#include <string.h>

#include "vireo-tui.h"

#define MIN_NAME_WIDTH 10

struct _TuiNetworks {
  VireoBackend *backend;        /* the host whose networks are shown */
  GListModel *model;            /* its networks, borrowed */
  GPtrArray *watched;           /* VireoNetwork, whose notifications redraw */
  char *chosen;                 /* the name under the cursor */
  int top;                      /* first network on screen */
  char *leases_of;              /* the network the leases are of */
  GPtrArray *leases;            /* VireoNetworkLease; NULL: not read yet */
  char *leases_error;           /* why they could not be read */
  GCancellable *cancellable;    /* the reading in flight */
};

/* One network operation, from its start to its end in the status line. */
typedef struct {
  Tui *tui;
  char *done;                   /* said on success */
} NetworkOp;

static void
network_op_free (NetworkOp *op)
{
  g_free (op->done);
  g_free (op);
}

static NetworkOp *
network_op_new (Tui  *tui,
                char *done)
{
  NetworkOp *op = g_new0 (NetworkOp, 1);

  op->tui = tui;
  op->done = done;
  return op;
}

static void
unwatch_all (Tui          *tui,
             TuiNetworks  *n)
{
  for (guint i = 0; n->watched && i < n->watched->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (n->watched, i), tui);
  g_clear_pointer (&n->watched, g_ptr_array_unref);
}

static void
forget_leases (TuiNetworks *n)
{
  if (n->cancellable)
    g_cancellable_cancel (n->cancellable);
  g_clear_object (&n->cancellable);
  g_clear_pointer (&n->leases_of, g_free);
  g_clear_pointer (&n->leases, g_ptr_array_unref);
  g_clear_pointer (&n->leases_error, g_free);
}

/**
 * tui_networks_free:
 * Leaves the view's state behind: readings cancelled, signals disconnected.
 */
void
tui_networks_free (Tui *tui)
{
  TuiNetworks *n = g_steal_pointer (&tui->networks);

  if (n == NULL)
    return;
  forget_leases (n);
  unwatch_all (tui, n);
  g_signal_handlers_disconnect_by_data (n->model, tui);
  g_clear_object (&n->backend);
  g_free (n->chosen);
  g_free (n);
}

static VireoNetwork *
network_at (TuiNetworks *n,
            guint        i)
{
  return g_ptr_array_index (n->watched, i);
}

static int
chosen_index (TuiNetworks *n)
{
  for (guint i = 0; n->chosen && i < n->watched->len; i++)
    if (g_str_equal (vireo_network_get_name (network_at (n, i)), n->chosen))
      return i;
  return -1;
}

static VireoNetwork *
chosen_network (TuiNetworks *n)
{
  int i = chosen_index (n);

  return i < 0 ? NULL : network_at (n, i);
}

static void
on_leases (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Tui *tui = user_data;
  VireoNetwork *network = VIREO_NETWORK (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leases = vireo_network_get_leases_finish (network, result, &error);
  TuiNetworks *n;

  /* cancelled: a newer reading replaced this one, or the view closed */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  n = tui->networks;
  if (n == NULL || g_strcmp0 (n->leases_of, vireo_network_get_name (network)) != 0)
    return;
  g_clear_pointer (&n->leases, g_ptr_array_unref);
  g_clear_pointer (&n->leases_error, g_free);
  if (leases == NULL)
    n->leases_error = g_strdup (error->message);
  else
    n->leases = g_steal_pointer (&leases);
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

/* Reads the chosen network's leases again; the view keeps showing the
 * last ones of the same network until they come.  A stopped network has
 * none. */
static void
reload_leases (Tui *tui)
{
  TuiNetworks *n = tui->networks;
  VireoNetwork *network = chosen_network (n);

  if (n->cancellable)
    g_cancellable_cancel (n->cancellable);
  g_clear_object (&n->cancellable);
  if (network == NULL)
    {
      forget_leases (n);
      return;
    }
  if (g_strcmp0 (n->leases_of, vireo_network_get_name (network)) != 0)
    {
      forget_leases (n);
      n->leases_of = g_strdup (vireo_network_get_name (network));
    }
  /* only a running network has leases to read */
  if (!vireo_network_get_active (network))
    {
      g_clear_pointer (&n->leases_error, g_free);
      g_clear_pointer (&n->leases, g_ptr_array_unref);
      n->leases = g_ptr_array_new ();
      return;
    }
  n->cancellable = g_cancellable_new ();
  vireo_network_get_leases_async (network, n->cancellable, on_leases, tui);
}

static void
on_network_notify (VireoNetwork *network,
                   GParamSpec   *pspec,
                   Tui          *tui)
{
  TuiNetworks *n = tui->networks;

  /* a network that started or stopped has other leases */
  if (n && g_str_equal (pspec->name, "active") && chosen_network (n) == network)
    reload_leases (tui);
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

/* The networks in the engine's order (by name); the cursor stays on its
 * network, else on the first. */
static void
sync_networks (Tui *tui)
{
  TuiNetworks *n = tui->networks;
  guint count = g_list_model_get_n_items (n->model);
  VireoNetwork *before = chosen_network (n);

  unwatch_all (tui, n);
  n->watched = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < count; i++)
    {
      VireoNetwork *network = g_list_model_get_item (n->model, i);

      g_signal_connect (network, "notify", G_CALLBACK (on_network_notify), tui);
      g_ptr_array_add (n->watched, network);
    }
  if (chosen_index (n) < 0)
    {
      g_clear_pointer (&n->chosen, g_free);
      if (n->watched->len > 0)
        n->chosen = g_strdup (vireo_network_get_name (network_at (n, 0)));
    }
  if (chosen_network (n) != before || n->leases_of == NULL)
    reload_leases (tui);
}

static void
on_networks_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Tui        *tui)
{
  sync_networks (tui);
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Tui *tui = user_data;
  g_autoptr(GError) error = NULL;

  if (!vireo_network_refresh_finish (VIREO_NETWORK (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    tui_set_status (tui, TRUE, "%s", error->message);
}

/**
 * tui_networks_refresh:
 * Asks vireo-net again what runs, and reads the chosen network's leases.
 */
TuiRedraw
tui_networks_refresh (Tui *tui)
{
  TuiNetworks *n = tui->networks;

  for (guint i = 0; i < n->watched->len; i++)
    vireo_network_refresh_async (network_at (n, i), tui->cancellable, on_refreshed, tui);
  reload_leases (tui);
  return TUI_REDRAW_ALL;
}

/* The selected VM's host when it can show its networks now, else this
 * computer */
static VireoBackend *
networks_host (Tui *tui)
{
  TuiRow *row = tui_selected_row (tui);
  VireoBackend *host = row != NULL && row->domain != NULL ? vireo_domain_get_backend (row->domain) : NULL;

  if (host == NULL || !vireo_backend_check_networks (host, NULL))
    host = VIREO_BACKEND (tui->engine);
  return host;
}

/**
 * tui_networks_open:
 * Shows the network view of the selected VM's host (or this computer),
 * with the networks' state as the host says it.
 */
TuiRedraw
tui_networks_open (Tui *tui)
{
  if (tui->networks == NULL)
    {
      tui->networks = g_new0 (TuiNetworks, 1);
      tui->networks->backend = g_object_ref (networks_host (tui));
      tui->networks->model = vireo_backend_get_networks (tui->networks->backend);
      g_signal_connect (tui->networks->model, "items-changed", G_CALLBACK (on_networks_changed), tui);
      sync_networks (tui);
    }
  tui->mode = TUI_MODE_NETWORKS;
  tui_set_status (tui, FALSE, "%s", "");
  return tui_networks_refresh (tui);
}

TuiRedraw
tui_networks_close (Tui *tui)
{
  tui_networks_free (tui);
  tui->mode = TUI_MODE_TABLE;
  return TUI_REDRAW_ALL;
}

TuiRedraw
tui_networks_move (Tui *tui,
                   int  key)
{
  TuiNetworks *n = tui->networks;
  int i = chosen_index (n);

  if (n->watched->len == 0)
    return TUI_REDRAW_NONE;
  switch (key)
    {
    case KEY_UP: case 'k': i--; break;
    case KEY_DOWN: case 'j': i++; break;
    case KEY_HOME: i = 0; break;
    case KEY_END: i = (int) n->watched->len - 1; break;
    default: break;
    }
  i = CLAMP (i, 0, (int) n->watched->len - 1);
  if (network_at (n, i) == chosen_network (n))
    return TUI_REDRAW_NONE;
  g_free (n->chosen);
  n->chosen = g_strdup (vireo_network_get_name (network_at (n, i)));
  reload_leases (tui);
  return TUI_REDRAW_ALL;
}

static VireoNetwork *
selected_network (Tui *tui)
{
  VireoNetwork *network = chosen_network (tui->networks);

  if (network == NULL)
    tui_set_status (tui, TRUE, "%s", _("No network is selected."));
  return network;
}

static void
on_started_or_stopped (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  NetworkOp *op = user_data;
  VireoNetwork *network = VIREO_NETWORK (source);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_async_result_is_tagged (result, vireo_network_start_async)
                ? vireo_network_start_finish (network, result, &error)
                : vireo_network_stop_finish (network, result, &error);

  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tui_set_status (op->tui, TRUE, "%s", error->message);
    }
  else
    tui_set_status (op->tui, FALSE, "%s", op->done);
  if (op->tui->networks && chosen_network (op->tui->networks) == network)
    reload_leases (op->tui);
  network_op_free (op);
}

TuiRedraw
tui_networks_start (Tui *tui)
{
  VireoNetwork *network = selected_network (tui);
  const char *name;

  if (network == NULL)
    return TUI_REDRAW_ALL;
  name = vireo_network_get_name (network);
  tui_set_status (tui, FALSE, _("Starting network '%s'…"), name);
  vireo_network_start_async (network, tui->cancellable, on_started_or_stopped,
                             network_op_new (tui, g_strdup_printf (_("Network '%s' started."), name)));
  return TUI_REDRAW_ALL;
}

TuiRedraw
tui_networks_stop (Tui *tui)
{
  VireoNetwork *network = selected_network (tui);
  const char *name;

  if (network == NULL)
    return TUI_REDRAW_ALL;
  name = vireo_network_get_name (network);
  tui_set_status (tui, FALSE, _("Stopping network '%s'…"), name);
  vireo_network_stop_async (network, tui->cancellable, on_started_or_stopped,
                            network_op_new (tui, g_strdup_printf (_("Network '%s' stopped."), name)));
  return TUI_REDRAW_ALL;
}

static void
on_autostart_set (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  NetworkOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!vireo_network_set_autostart_finish (VIREO_NETWORK (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tui_set_status (op->tui, TRUE, "%s", error->message);
    }
  else
    tui_set_status (op->tui, FALSE, "%s", op->done);
  network_op_free (op);
}

TuiRedraw
tui_networks_toggle_autostart (Tui *tui)
{
  VireoNetwork *network = selected_network (tui);
  gboolean autostart;
  char *done;

  if (network == NULL)
    return TUI_REDRAW_ALL;
  autostart = !vireo_network_get_autostart (network);
  done = g_strdup_printf (autostart ? _("Network '%s' now starts automatically.")
                                    : _("Network '%s' no longer starts automatically."),
                          vireo_network_get_name (network));
  vireo_network_set_autostart_async (network, autostart, tui->cancellable, on_autostart_set,
                                     network_op_new (tui, done));
  return TUI_REDRAW_NONE;
}

/* Terminal columns: a CJK character takes two. */
static int
text_columns (const char *text)
{
  int width = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  return width;
}

/* @text cut to @columns (a ~ says it was cut) and padded to them, then
 * one space. */
static void
append_cell (GString    *line,
             const char *text,
             int         columns)
{
  int used = 0;
  const char *p;

  text = text ? text : "";
  if (text_columns (text) > columns)
    {
      for (p = text; *p; p = g_utf8_next_char (p))
        {
          int w = g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;

          if (used + w > columns - 1)
            break;
          used += w;
        }
      g_string_append_len (line, text, p - text);
      g_string_append (line, "~");
      used++;
    }
  else
    {
      g_string_append (line, text);
      used = text_columns (text);
    }
  g_string_append_printf (line, "%*s", MAX (0, columns - used) + 1, "");
}

/* A line of cells; the widths are in columns, 0 for the one that takes
 * what is left of @width. */
static void
draw_cells (int                y,
            int                width,
            const char * const *texts,
            const int         *widths,
            guint              n,
            attr_t             attrs)
{
  g_autoptr(GString) line = g_string_new (NULL);
  int fixed = 0;
  int used = 0;
  const char *end;

  for (guint i = 0; i < n; i++)
    fixed += widths[i] + 1;
  for (guint i = 0; i < n; i++)
    append_cell (line, texts[i], widths[i] ? widths[i] : MAX (MIN_NAME_WIDTH, width - fixed - 1));
  /* cut at the edge of the screen: a longer line would wrap */
  for (end = line->str; *end; end = g_utf8_next_char (end))
    if ((used += g_unichar_iswide (g_utf8_get_char (end)) ? 2 : 1) > width)
      break;
  attron (attrs);
  mvhline (y, 0, ' ', width);
  mvaddnstr (y, 0, line->str, (int) (end - line->str));
  attroff (attrs);
}

static const int network_widths[] = { 0, 9, 10, 12, 19 };

static void
draw_network (Tui          *tui,
              VireoNetwork *network,
              int           y,
              int           width,
              gboolean      chosen)
{
  const VireoNetworkConfig *config = vireo_network_get_config (network);
  g_autofree char *subnet = vireo_network_config_describe_subnet (config);
  gboolean active = vireo_network_get_active (network);
  const char *texts[] = {
    vireo_network_get_name (network),
    active ? _("Active") : _("Inactive"),
    vireo_network_get_autostart (network) ? _("yes") : _("no"),
    config->bridge,
    subnet,
  };

  draw_cells (y, width, texts, network_widths, G_N_ELEMENTS (texts),
              (chosen ? A_REVERSE : 0) | (active ? tui_term_color (tui, "running") : 0));
}

static const int lease_widths[] = { 18, 16, 20, 0 };

static void
draw_lease (const VireoNetworkLease *lease,
            int                      y,
            int                      width)
{
  const char *texts[] = { lease->mac, lease->ip, lease->hostname ? lease->hostname : "-",
                          lease->domain_name ? lease->domain_name : "-" };

  draw_cells (y, width, texts, lease_widths, G_N_ELEMENTS (texts), 0);
}

static void
draw_summary (Tui *tui,
              int  width)
{
  TuiNetworks *n = tui->networks;
  guint active = 0;
  g_autofree char *summary = NULL;

  for (guint i = 0; i < n->watched->len; i++)
    active += vireo_network_get_active (network_at (n, i));
  if (tui_hosts_many (tui))
    /* Translators: the first line of the network view with several hosts; %1$s is the host's
     * title, %2$u networks in all, %3$u of them active */
    summary = g_strdup_printf (ngettext ("Vireo · %1$s · %2$u network, %3$u active",
                                         "Vireo · %1$s · %2$u networks, %3$u active", n->watched->len),
                               vireo_backend_get_title (n->backend), n->watched->len, active);
  else
    /* Translators: the first line of the network view; %1$u networks in all, %2$u of them active */
    summary = g_strdup_printf (ngettext ("Vireo · %1$u network, %2$u active", "Vireo · %1$u networks, %2$u active",
                                         n->watched->len),
                               n->watched->len, active);
  attron (A_BOLD);
  mvaddnstr (0, 0, summary, MAX (0, width));
  attroff (A_BOLD);
}

/* The networks from line 2, scrolled to keep the cursor on screen.
 * Returns: the line after them */
static int
draw_networks (Tui *tui,
               int  rows,
               int  width)
{
  TuiNetworks *n = tui->networks;
  const char *titles[] = { _("NAME"), _("STATE"), _("AUTOSTART"), _("BRIDGE"), _("SUBNET") };
  int chosen = chosen_index (n);
  int y = 2;

  draw_cells (1, width, titles, network_widths, G_N_ELEMENTS (titles), A_REVERSE);
  if (n->watched->len == 0)
    {
      mvaddnstr (y, 2, _("No networks yet: vireoctl net-create makes one."), MAX (0, width - 3));
      return y + 1;
    }
  if (chosen >= 0 && chosen < n->top)
    n->top = chosen;
  if (chosen >= n->top + rows)
    n->top = chosen - rows + 1;
  n->top = CLAMP (n->top, 0, MAX (0, (int) n->watched->len - rows));
  for (int i = n->top; i < (int) n->watched->len && y < 2 + rows; i++, y++)
    draw_network (tui, network_at (n, i), y, width, i == chosen);
  return y;
}

/* The chosen network's leases from line @y down to @bottom. */
static void
draw_leases (Tui *tui,
             int  y,
             int  bottom,
             int  width)
{
  TuiNetworks *n = tui->networks;
  VireoNetwork *network = chosen_network (n);
  const char *titles[] = { _("MAC"), _("IP ADDRESS"), _("HOST NAME"), _("VM") };
  g_autofree char *heading = NULL;
  const char *empty = NULL;

  if (network == NULL || y + 2 >= bottom)
    return;
  heading = g_strdup_printf (_("DHCP leases on network '%s'"), vireo_network_get_name (network));
  attron (A_BOLD);
  mvaddnstr (y, 0, heading, MAX (0, width));
  attroff (A_BOLD);
  draw_cells (y + 1, width, titles, lease_widths, G_N_ELEMENTS (titles), A_REVERSE);
  y += 2;
  if (n->leases_error)
    empty = n->leases_error;
  else if (n->leases == NULL)
    empty = _("Reading the leases…");
  else if (n->leases->len == 0)
    empty = vireo_network_get_active (network) ? _("No leases yet.") : _("The network is not running: s starts it.");
  if (empty)
    {
      mvaddnstr (y, 2, empty, MAX (0, width - 3));
      return;
    }
  for (guint i = 0; i < n->leases->len && y < bottom; i++, y++)
    draw_lease (g_ptr_array_index (n->leases, i), y, width);
}

/**
 * tui_networks_draw:
 * The summary, the networks and the chosen one's leases, down to the
 * key bar; the networks take at most half of the screen.
 */
void
tui_networks_draw (Tui *tui)
{
  int height = getmaxy (stdscr);
  int width = getmaxx (stdscr);
  int bottom = height - 2;
  int rows = MAX (1, (bottom - 2) / 2);
  int y;

  if (tui->networks == NULL || bottom < 3)
    return;
  draw_summary (tui, width);
  rows = MIN (rows, MAX (1, (int) tui->networks->watched->len));
  y = draw_networks (tui, rows, width);
  draw_leases (tui, y + 1, bottom, width);
}

static void
on_restarted (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Tui *tui = user_data;
  VireoDomain *domain = VIREO_DOMAIN (source);
  g_autoptr(GError) error = NULL;

  if (vireo_domain_start_finish (domain, result, &error) && vireo_domain_get_start_note (domain) != NULL)
    tui_set_status (tui, FALSE, "%s", vireo_domain_get_start_note (domain));
  else if (error == NULL)
    tui_set_status (tui, FALSE, _("VM '%s' started with user-mode networking."), vireo_domain_get_name (domain));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    tui_set_status (tui, TRUE, "%s", error->message);
}

static void
on_switched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Tui *tui = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = vireo_backend_define_domain_finish (VIREO_BACKEND (source), result, &error);

  if (domain == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tui_set_status (tui, TRUE, "%s", error->message);
      return;
    }
  tui_set_status (tui, FALSE, _("Starting VM '%s' with user-mode networking…"), vireo_domain_get_name (domain));
  vireo_domain_start_async (domain, tui->cancellable, on_restarted, tui);
}

/* y: the definition saved with user-mode NICs, then the VM started. */
static void
do_switch_to_user_mode (Tui         *tui,
                        VireoDomain *domain)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_copy (vireo_domain_get_config (domain));
  VireoBackend *host = vireo_domain_get_backend (domain);

  if (host == NULL)
    return;   /* the VM went while the question was asked */
  vireo_domain_config_use_user_networking (config);
  vireo_backend_define_domain_async (host, config, tui->cancellable, on_switched, tui);
}

/**
 * tui_start_failed:
 * Says why @domain did not start.  When vireo-net is missing or not
 * authorised (VIREO_ERROR_PERMISSION) and the VM has NICs on a network,
 * asks whether to switch them to user-mode networking and start again.
 */
void
tui_start_failed (Tui          *tui,
                  VireoDomain  *domain,
                  const GError *error)
{
  /* the user went on to something else meanwhile: no question */
  gboolean can_ask = tui->mode == TUI_MODE_TABLE || tui->mode == TUI_MODE_DETAILS ||
                     tui->mode == TUI_MODE_NETWORKS;
  char *question;

  /* (the refusal is vireo-net's, which runs this computer's networks
   * alone: another host's refusal is no missing helper) */
  if (!can_ask || !g_error_matches (error, VIREO_ERROR, VIREO_ERROR_PERMISSION) ||
      vireo_domain_get_backend (domain) != VIREO_BACKEND (tui->engine) ||
      !vireo_domain_config_uses_networks (vireo_domain_get_config (domain)))
    {
      tui_set_status (tui, TRUE, "%s", error->message);
      return;
    }
  /* Translators: %2$s is why the VM did not start, one line that says how to fix it; the
   * question comes first, as a narrow terminal cuts the end of the line */
  question = g_strdup_printf (_("Switch VM '%1$s' to user-mode networking and start it? (y/n)  %2$s"),
                              vireo_domain_get_name (domain), error->message);
  g_strdelimit (question, "\r\n\t", ' ');
  tui_queue_draw (tui, tui_ask (tui, domain, do_switch_to_user_mode, question));
}
