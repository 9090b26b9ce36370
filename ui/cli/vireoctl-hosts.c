/* vireoctl-hosts.c: the saved libvirt hosts (host-add, host-list, host-remove)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same hosts.conf the desktop application and vireo-tui read: a host
 * saved here shows up in their windows.
 */
#include <stdio.h>

#include "vireoctl.h"

/**
 * ctl_load_hosts:
 * Returns: (transfer full): this computer and the saved hosts, not yet
 *   connected; a line on stderr for each unreadable entry
 */
VireoHosts *
ctl_load_hosts (Ctl     *ctl,
                GError **error)
{
  g_autoptr(VireoHosts) hosts = vireo_hosts_new_default (ctl->engine);
  GPtrArray *skipped;

  if (!vireo_hosts_load (hosts, error))
    return NULL;
  skipped = vireo_hosts_get_load_errors (hosts);
  for (guint i = 0; skipped != NULL && i < skipped->len; i++)
    fprintf (stderr, "vireoctl: %s\n", ((VireoLoadError *) g_ptr_array_index (skipped, i))->error->message);
  return g_steal_pointer (&hosts);
}

int
ctl_verb_host_add (Ctl   *ctl,
                   int    argc,
                   char **argv)
{
  g_autofree char *title = NULL;
  gboolean no_autoconnect = FALSE;
  GOptionEntry entries[] = {
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, N_("The name the host is shown by"), N_("TITLE") },
    { "no-autoconnect", 0, 0, G_OPTION_ARG_NONE, &no_autoconnect, N_("Connect only when asked"), NULL },
    { NULL }
  };
  g_autoptr(VireoHosts) hosts = NULL;
  GError *error = NULL;

  if (!ctl_parse ("host-add", "URI", entries, &argc, &argv, 1))
    return CTL_USAGE;
  if ((hosts = ctl_load_hosts (ctl, &error)) == NULL ||
      !vireo_hosts_add (hosts, argv[1], title, !no_autoconnect, &error))
    return ctl_fail (error);
  printf (_("Saved host '%s'\n"), argv[1]);
  return CTL_OK;
}

int
ctl_verb_host_remove (Ctl   *ctl,
                      int    argc,
                      char **argv)
{
  g_autoptr(VireoHosts) hosts = NULL;
  GError *error = NULL;

  if (!ctl_parse ("host-remove", "URI", NULL, &argc, &argv, 1))
    return CTL_USAGE;
  if ((hosts = ctl_load_hosts (ctl, &error)) == NULL ||
      !vireo_hosts_remove (hosts, argv[1], &error))
    return ctl_fail (error);
  printf (_("Removed host '%s'\n"), argv[1]);
  return CTL_OK;
}

/* Every host of @hosts has answered or failed */
static gboolean
all_settled (VireoHosts *hosts)
{
  GListModel *backends = vireo_hosts_get_backends (hosts);

  for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

      if (vireo_backend_get_state (backend) == VIREO_BACKEND_STATE_CONNECTING)
        return FALSE;
    }
  return TRUE;
}

/**
 * ctl_connect_hosts:
 * Connects every autoconnect host at once and waits until each answered
 * or failed.
 */
void
ctl_connect_hosts (VireoHosts *hosts)
{
  vireo_hosts_connect_all (hosts);
  while (!all_settled (hosts))
    g_main_context_iteration (NULL, TRUE);
}

static const char *
state_word (VireoBackendState state)
{
  switch (state)
    {
    case VIREO_BACKEND_STATE_CONNECTED:    return "connected";
    case VIREO_BACKEND_STATE_CONNECTING:   return "connecting";
    case VIREO_BACKEND_STATE_LOST:         return "lost";
    case VIREO_BACKEND_STATE_RECONNECTING: return "reconnecting";
    case VIREO_BACKEND_STATE_DISCONNECTED:
    default:                               return "disconnected";
    }
}

static void
print_host (Ctl            *ctl,
            VireoSavedHost *saved,
            JsonArray      *array)
{
  VireoBackend *backend = saved->backend;
  const GError *error = backend != NULL ? vireo_backend_get_error (backend) : saved->error;
  const char *state = backend != NULL ? state_word (vireo_backend_get_state (backend)) : "disconnected";
  g_autoptr(JsonObject) object = NULL;

  if (!ctl->json)
    {
      printf (" %-40s %-24s %-12s %s\n", saved->uri, saved->title ? saved->title : "", state,
              error != NULL ? error->message : "");
      return;
    }
  object = json_object_new ();
  json_object_set_string_member (object, "uri", saved->uri);
  json_object_set_string_member (object, "title", saved->title);
  json_object_set_boolean_member (object, "autoconnect", saved->autoconnect);
  json_object_set_string_member (object, "state", state);
  json_object_set_string_member (object, "error", error != NULL ? error->message : NULL);
  json_array_add_object_element (array, g_steal_pointer (&object));
}

int
ctl_verb_host_list (Ctl   *ctl,
                    int    argc,
                    char **argv)
{
  gboolean no_connect = FALSE;
  GOptionEntry entries[] = {
    { "no-connect", 0, 0, G_OPTION_ARG_NONE, &no_connect, N_("Only read the saved hosts (shell completion)"), NULL },
    { NULL }
  };
  g_autoptr(VireoHosts) hosts = NULL;
  g_autoptr(GPtrArray) saved = NULL;
  g_autoptr(JsonArray) array = json_array_new ();
  GError *error = NULL;

  if (!ctl_parse ("host-list", "", entries, &argc, &argv, 0))
    return CTL_USAGE;
  if ((hosts = ctl_load_hosts (ctl, &error)) == NULL)
    return ctl_fail (error);
  if (!no_connect)
    ctl_connect_hosts (hosts);
  saved = vireo_hosts_list_saved (hosts);
  if (!ctl->json)
    printf (" %-40s %-24s %-12s %s\n", "URI", "Title", "State", "Error");
  for (guint i = 0; i < saved->len; i++)
    print_host (ctl, g_ptr_array_index (saved, i), array);
  if (ctl->json)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);
      ctl_print_json (node);
    }
  return CTL_OK;
}
