/* vireo-tui-hosts.c: the VMs of every host, and the hosts' states
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * vireo-tui shows this computer's VMs and those of the saved libvirt
 * hosts (hosts.conf, which vireo and vireoctl share) in one table.  A
 * host that is not connected is said in the header line, with the
 * countdown to its next try while one waits; R connects it again, and A
 * saves a new host by its URI and connects it.
 */
#include <glib/gi18n.h>

#include "vireo-tui.h"

static gboolean
retry_waits (Tui *tui)
{
  GListModel *backends = vireo_hosts_get_backends (tui->hosts);

  for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

      if (vireo_backend_get_state (backend) == VIREO_BACKEND_STATE_LOST &&
          vireo_backend_get_retry_time (backend) > 0)
        return TRUE;
    }
  return FALSE;
}

/* The countdown in the header, once a second while it runs */
static gboolean
on_tick (gpointer user_data)
{
  Tui *tui = user_data;

  if (!retry_waits (tui))
    {
      tui->hosts_tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  tui_queue_draw (tui, TUI_REDRAW_ALL);
  return G_SOURCE_CONTINUE;
}

static void
update_tick (Tui *tui)
{
  if (tui->hosts_tick_id == 0 && retry_waits (tui))
    tui->hosts_tick_id = g_timeout_add (1000, on_tick, tui);
}

static void
on_backend_state (VireoBackend *backend,
                  GParamSpec   *pspec,
                  Tui          *tui)
{
  update_tick (tui);
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

/* Each host watched once, however often the list changes */
static void
watch_backends (Tui *tui)
{
  GListModel *backends = vireo_hosts_get_backends (tui->hosts);

  for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

      g_signal_handlers_disconnect_by_func (backend, on_backend_state, tui);
      g_signal_connect (backend, "notify::state", G_CALLBACK (on_backend_state), tui);
    }
}

/* A host came or went: the host column shows or hides */
static void
on_backends_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Tui        *tui)
{
  watch_backends (tui);
  update_tick (tui);
  tui_queue_draw (tui, TUI_REDRAW_ALL);
}

/**
 * tui_hosts_open:
 * Reads the saved hosts beside this computer (tui->engine, loaded) and
 * connects each one that connects at start, all at once.  A file that
 * cannot be read is said in the status line, unless an error is already.
 */
void
tui_hosts_open (Tui *tui)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *skipped;

  tui->hosts = vireo_hosts_new_default (tui->engine);
  if (!vireo_hosts_load (tui->hosts, &error))
    {
      if (!tui->status_error)
        tui_set_status (tui, TRUE, "%s", error->message);
    }
  else if ((skipped = vireo_hosts_get_load_errors (tui->hosts)) != NULL && skipped->len > 0 &&
           !tui->status_error)
    tui_set_status (tui, TRUE, "%s", ((VireoLoadError *) g_ptr_array_index (skipped, 0))->error->message);
  g_signal_connect (vireo_hosts_get_backends (tui->hosts), "items-changed", G_CALLBACK (on_backends_changed), tui);
  watch_backends (tui);
  vireo_hosts_connect_all (tui->hosts);
  update_tick (tui);
}

void
tui_hosts_close (Tui *tui)
{
  GListModel *backends;

  if (tui->hosts == NULL)
    return;
  backends = vireo_hosts_get_backends (tui->hosts);
  g_clear_handle_id (&tui->hosts_tick_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (backends, tui);
  for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

      g_signal_handlers_disconnect_by_data (backend, tui);
    }
  g_clear_pointer (&tui->adding_host, g_free);
  g_clear_object (&tui->hosts);
}

/**
 * tui_hosts_many:
 * Returns: whether there is more than this computer: the table then
 *   shows each VM's host
 */
gboolean
tui_hosts_many (Tui *tui)
{
  return tui->hosts != NULL && g_list_model_get_n_items (vireo_hosts_get_backends (tui->hosts)) > 1;
}

/* "Lab: lost, reconnecting in 8 s"; NULL when @backend is connected */
static char *
describe_host (VireoBackend *backend)
{
  const char *title = vireo_backend_get_title (backend);
  const GError *error = vireo_backend_get_error (backend);
  gint64 retry = vireo_backend_get_retry_time (backend);
  gint64 seconds = (retry - g_get_real_time () + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;

  switch (vireo_backend_get_state (backend))
    {
    case VIREO_BACKEND_STATE_CONNECTED:
      return NULL;
    case VIREO_BACKEND_STATE_CONNECTING:
      /* Translators: in vireo-tui's first line, the state of a host; %s is its title */
      return g_strdup_printf (_("%s: connecting…"), title);
    case VIREO_BACKEND_STATE_LOST:
      if (retry > 0 && seconds > 0)
        /* Translators: in vireo-tui's first line; %1$s is a host's title, %2$d the seconds
         * until Vireo tries to reach it again */
        return g_strdup_printf (_("%1$s: lost, reconnecting in %2$d s"), title, (int) seconds);
      if (retry == 0 && error != NULL)
        /* Translators: in vireo-tui's first line; %1$s is a host's title, %2$s why it went */
        return g_strdup_printf (_("%1$s: lost: %2$s"), title, error->message);
      G_GNUC_FALLTHROUGH;
    case VIREO_BACKEND_STATE_RECONNECTING:
      /* Translators: in vireo-tui's first line, the state of a host; %s is its title */
      return g_strdup_printf (_("%s: lost, reconnecting…"), title);
    case VIREO_BACKEND_STATE_DISCONNECTED:
    default:
      if (error != NULL)
        /* Translators: in vireo-tui's first line; %1$s is a host's title, %2$s why it
         * could not be reached, one line */
        return g_strdup_printf (_("%1$s: not connected: %2$s"), title, error->message);
      /* Translators: in vireo-tui's first line, the state of a host; %s is its title */
      return g_strdup_printf (_("%s: not connected"), title);
    }
}

/**
 * tui_hosts_describe:
 * Returns: (transfer full) (nullable): the state of each host that is
 *   not connected, for the header line; %NULL when all are
 */
char *
tui_hosts_describe (Tui *tui)
{
  GListModel *backends = vireo_hosts_get_backends (tui->hosts);
  g_autoptr(GString) text = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);
      g_autofree char *state = describe_host (backend);

      if (state == NULL)
        continue;
      if (text == NULL)
        text = g_string_new (state);
      else
        g_string_append_printf (text, " · %s", state);
    }
  if (text == NULL)
    return NULL;
  /* one line, whatever an error held */
  g_strdelimit (text->str, "\r\n\t", ' ');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_host_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Tui *tui = user_data;
  VireoBackend *backend = VIREO_BACKEND (source);
  g_autoptr(GError) error = NULL;

  if (vireo_backend_connect_finish (backend, result, &error))
    tui_set_status (tui, FALSE, _("Connected to host '%s'."), vireo_backend_get_title (backend));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    tui_set_status (tui, TRUE, "%s", error->message);
}

/* Lost or never reached: what R connects */
static gboolean
wants_connect (VireoBackend *backend)
{
  VireoBackendState state = vireo_backend_get_state (backend);

  return state == VIREO_BACKEND_STATE_LOST || state == VIREO_BACKEND_STATE_DISCONNECTED;
}

/**
 * tui_hosts_reconnect:
 * @selected: (nullable): the selected VM
 *
 * Connects @selected's host again when it is lost, else every host that
 * is lost or not connected, at once.
 */
TuiRedraw
tui_hosts_reconnect (Tui         *tui,
                     VireoDomain *selected)
{
  VireoBackend *host = selected != NULL ? vireo_domain_get_backend (selected) : NULL;
  GListModel *backends = vireo_hosts_get_backends (tui->hosts);
  g_autoptr(VireoBackend) last = NULL;
  guint n = 0;

  if (host != NULL && wants_connect (host))
    {
      tui_set_status (tui, FALSE, _("Connecting to host '%s'…"), vireo_backend_get_title (host));
      vireo_backend_connect_async (host, tui->cancellable, on_host_connected, tui);
      return TUI_REDRAW_ALL;
    }
  for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

      if (!wants_connect (backend))
        continue;
      vireo_backend_connect_async (backend, tui->cancellable, on_host_connected, tui);
      g_set_object (&last, backend);
      n++;
    }
  if (n == 0)
    tui_set_status (tui, FALSE, "%s", _("No host is lost or disconnected: there is nothing to reconnect."));
  else if (n == 1)
    tui_set_status (tui, FALSE, _("Connecting to host '%s'…"), vireo_backend_get_title (last));
  else
    tui_set_status (tui, FALSE, ngettext ("Connecting to %u host…", "Connecting to %u hosts…", n), n);
  return TUI_REDRAW_ALL;
}

/* The saved host's backend could not be made: why */
static void
say_unusable (Tui        *tui,
              const char *uri)
{
  g_autoptr(GPtrArray) saved = vireo_hosts_list_saved (tui->hosts);

  for (guint i = 0; i < saved->len; i++)
    {
      VireoSavedHost *host = g_ptr_array_index (saved, i);

      if (g_str_equal (host->uri, uri) && host->error != NULL)
        tui_set_status (tui, TRUE, "%s", host->error->message);
    }
}

static void
title_typed (Tui         *tui,
             VireoDomain *domain,
             const char  *text,
             gboolean     choice)
{
  g_autofree char *uri = g_steal_pointer (&tui->adding_host);
  g_autofree char *title = g_strstrip (g_strdup (text));
  g_autoptr(GError) error = NULL;
  VireoBackend *backend;

  if (uri == NULL)
    return;
  if (!vireo_hosts_add (tui->hosts, uri, *title != '\0' ? title : NULL, TRUE, &error))
    {
      tui_set_status (tui, TRUE, "%s", error->message);
      return;
    }
  backend = vireo_hosts_lookup (tui->hosts, uri);
  if (backend == NULL)
    {
      say_unusable (tui, uri);
      return;
    }
  tui_set_status (tui, FALSE, _("Saved host '%s'; connecting…"), vireo_backend_get_title (backend));
  vireo_backend_connect_async (backend, tui->cancellable, on_host_connected, tui);
}

static void
uri_typed (Tui         *tui,
           VireoDomain *domain,
           const char  *text,
           gboolean     choice)
{
  g_autofree char *uri = g_strstrip (g_strdup (text));
  g_autoptr(GError) error = NULL;

  /* a wrong URI is said before the title is asked, and nothing is saved */
  if (!vireo_hosts_check_uri (uri, &error))
    {
      tui_set_status (tui, TRUE, "%s", error->message);
      return;
    }
  g_free (tui->adding_host);
  tui->adding_host = g_steal_pointer (&uri);
  tui_prompt_open (tui, NULL, g_strdup_printf (_("Title of host '%s' (Enter: none):"), tui->adding_host), "",
                   title_typed);
}

/**
 * tui_hosts_add:
 * Asks for a host's URI, then for its title; saves it, to connect at
 * start, and connects it.
 */
TuiRedraw
tui_hosts_add (Tui *tui)
{
  tui_prompt_open (tui, NULL, g_strdup (_("URI of the host to add (like qemu+ssh://user@host/system):")), "",
                   uri_typed);
  return TUI_REDRAW_ALL;
}
