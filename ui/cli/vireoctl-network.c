/* vireoctl-network.c: the net-* verbs that read and write definitions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "vireo.h"
#include "vireoctl.h"

/**
 * ctl_lookup_network:
 * Returns: (transfer none) (nullable): the network, or %NULL with a
 *   one-line error (why its file did not load, when it is there)
 */
VireoNetwork *
ctl_lookup_network (Ctl         *ctl,
                    const char  *name,
                    GError     **error)
{
  VireoNetwork *network = vireo_backend_lookup_network (ctl->backend, name);
  GPtrArray *skipped = ctl->engine ? vireo_local_backend_get_network_load_errors (ctl->engine) : NULL;

  if (network != NULL)
    return network;
  for (guint i = 0; skipped != NULL && i < skipped->len; i++)
    {
      const VireoLoadError *load_error = g_ptr_array_index (skipped, i);

      if (g_strcmp0 (load_error->name, name) == 0)
        {
          g_propagate_error (error, g_error_copy (load_error->error));
          return NULL;
        }
    }
  if (ctl->engine == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("Network '%s' does not exist on host '%s'"),
                 name, vireo_backend_get_title (ctl->backend));
  else
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("Network '%s' does not exist"), name);
  return NULL;
}

/* Returns: (transfer full) (nullable): the network */
static VireoNetwork *
define (Ctl                      *ctl,
        const VireoNetworkConfig *config,
        GError                  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vireo_backend_define_network_async (ctl->backend, config, NULL, ctl_done, &result);
  return vireo_backend_define_network_finish (ctl->backend, ctl_wait (&result), error);
}

int
ctl_verb_net_define (Ctl   *ctl,
                     int    argc,
                     char **argv)
{
  g_autoptr(VireoNetworkConfig) config = NULL;
  g_autofree char *xml = NULL;
  GError *error = NULL;
  g_autoptr(VireoNetwork) network = NULL;
  const char *bridge;
  gsize len;

  if (!ctl_parse ("net-define", "FILE", NULL, &argc, &argv, 1))
    return CTL_USAGE;
  if (!g_file_get_contents (argv[1], &xml, &len, &error))
    return ctl_fail (error);
  config = vireo_network_config_parse (xml, len, argv[1], &error);
  if (config == NULL || (network = define (ctl, config, &error)) == NULL)
    return ctl_fail (error);
  bridge = vireo_network_get_config (network)->bridge;
  printf (_("Defined network '%s'\n"), config->name);
  if (g_strcmp0 (config->bridge, bridge) != 0 && config->bridge != NULL)
    /* Translators: an imported network (from libvirt) gets a bridge of Vireo's */
    printf (_("Network '%s' uses bridge %s instead of %s\n"), config->name, bridge, config->bridge);
  else if (config->bridge == NULL && bridge != NULL)
    printf (_("Network '%s' uses bridge %s\n"), config->name, bridge);
  return CTL_OK;
}

int
ctl_verb_net_create (Ctl   *ctl,
                     int    argc,
                     char **argv)
{
  g_autofree char *subnet = NULL;
  gboolean isolated = FALSE;
  GOptionEntry entries[] = {
    { "subnet", 0, 0, G_OPTION_ARG_STRING, &subnet, N_("The IPv4 subnet, such as 10.8.0.0/24 (default: a free /24)"), "CIDR" },
    { "isolated", 0, 0, G_OPTION_ARG_NONE, &isolated, N_("No way out of the subnet (no NAT)"), NULL },
    { NULL }
  };
  g_autoptr(VireoNetworkConfig) config = NULL;
  g_autofree char *described = NULL;
  g_autoptr(VireoNetwork) network = NULL;
  GError *error = NULL;

  if (!ctl_parse ("net-create", "NAME", entries, &argc, &argv, 1))
    return CTL_USAGE;
  config = vireo_backend_new_network_config (ctl->backend, argv[1], subnet, isolated, &error);
  if (config == NULL || (network = define (ctl, config, &error)) == NULL)
    return ctl_fail (error);
  described = vireo_network_config_describe_subnet (config);
  /* Translators: "Created network 'lab' on 192.168.125.0/24 (bridge vireobr1)" */
  printf (_("Created network '%s' on %s (bridge %s)\n"), config->name, described, config->bridge);
  return CTL_OK;
}

static JsonNode *
network_to_json (VireoNetwork *network)
{
  const VireoNetworkConfig *config = vireo_network_get_config (network);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *subnet = vireo_network_config_describe_subnet (config);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, config->name);
  json_builder_set_member_name (b, "uuid");
  json_builder_add_string_value (b, config->uuid);
  json_builder_set_member_name (b, "active");
  json_builder_add_boolean_value (b, vireo_network_get_active (network));
  json_builder_set_member_name (b, "autostart");
  json_builder_add_boolean_value (b, vireo_network_get_autostart (network));
  json_builder_set_member_name (b, "bridge");
  json_builder_add_string_value (b, config->bridge);
  json_builder_set_member_name (b, "subnet");
  json_builder_add_string_value (b, subnet);
  json_builder_set_member_name (b, "forward");
  json_builder_add_string_value (b, config->forward == VIREO_NETWORK_FORWARD_NAT ? "nat" : "none");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

int
ctl_verb_net_list (Ctl   *ctl,
                   int    argc,
                   char **argv)
{
  gboolean all = FALSE;
  GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, N_("Also the networks that are not running"), NULL },
    { NULL }
  };
  GListModel *networks = vireo_backend_get_networks (ctl->backend);
  g_autoptr(JsonArray) array = json_array_new ();

  if (!ctl_parse ("net-list", "[--all]", entries, &argc, &argv, 0))
    return CTL_USAGE;
  if (!ctl->json)
    printf ("%-20s %-10s %-10s %-12s %s\n", _("Name"), _("State"), _("Autostart"), _("Bridge"), _("Subnet"));
  for (guint i = 0; i < g_list_model_get_n_items (networks); i++)
    {
      g_autoptr(VireoNetwork) network = g_list_model_get_item (networks, i);
      g_autofree char *subnet = vireo_network_config_describe_subnet (vireo_network_get_config (network));
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      /* what the host runs now (on this machine vireo-net: without the
       * helper nothing runs) */
      vireo_network_refresh_async (network, NULL, ctl_done, &result);
      if (!vireo_network_refresh_finish (network, ctl_wait (&result), &error))
        g_debug ("%s", error->message);
      if (!all && !vireo_network_get_active (network))
        continue;
      if (ctl->json)
        json_array_add_element (array, network_to_json (network));
      else
        printf ("%-20s %-10s %-10s %-12s %s\n", vireo_network_get_name (network),
                vireo_network_get_active (network) ? _("active") : _("inactive"),
                vireo_network_get_autostart (network) ? _("yes") : _("no"),
                vireo_network_get_config (network)->bridge ? vireo_network_get_config (network)->bridge : "-",
                subnet ? subnet : "-");
    }
  if (ctl->json)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);
      ctl_print_json (node);
    }
  return CTL_OK;
}

int
ctl_verb_net_dumpxml (Ctl   *ctl,
                      int    argc,
                      char **argv)
{
  g_autofree char *xml = NULL;
  GError *error = NULL;
  VireoNetwork *network;

  if (!ctl_parse ("net-dumpxml", "NAME", NULL, &argc, &argv, 1))
    return CTL_USAGE;
  if ((network = ctl_lookup_network (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);
  xml = vireo_network_config_format (vireo_network_get_config (network));
  fputs (xml, stdout);
  return CTL_OK;
}

int
ctl_verb_net_autostart (Ctl   *ctl,
                        int    argc,
                        char **argv)
{
  gboolean disable = FALSE;
  GOptionEntry entries[] = {
    { "disable", 0, 0, G_OPTION_ARG_NONE, &disable, N_("Do not start the network with the first front end"), NULL },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  VireoNetwork *network;

  if (!ctl_parse ("net-autostart", "NAME [--disable]", entries, &argc, &argv, 1))
    return CTL_USAGE;
  if ((network = ctl_lookup_network (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);
  vireo_network_set_autostart_async (network, !disable, NULL, ctl_done, &result);
  if (!vireo_network_set_autostart_finish (network, ctl_wait (&result), &error))
    return ctl_fail (error);
  printf (disable ? _("Network '%s' no longer starts by itself\n") : _("Network '%s' starts by itself\n"),
          argv[1]);
  return CTL_OK;
}
