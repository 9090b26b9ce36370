/* vireoctl-network-run.c: the net-* verbs that go through vireo-net
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "vireo.h"
#include "vireoctl.h"

typedef void     (*NetAsync)  (VireoNetwork *, GCancellable *, GAsyncReadyCallback, gpointer);
typedef gboolean (*NetFinish) (VireoNetwork *, GAsyncResult *, GError **);

static int
run (Ctl        *ctl,
     const char *verb,
     int         argc,
     char      **argv,
     NetAsync    async,
     NetFinish   finish)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  VireoNetwork *network;

  if (!ctl_parse (verb, "NAME", NULL, &argc, &argv, 1))
    return CTL_USAGE;
  if ((network = ctl_lookup_network (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);
  async (network, NULL, ctl_done, &result);
  if (!finish (network, ctl_wait (&result), &error))
    return ctl_fail (error);
  if (async == vireo_network_start_async)
    printf (_("Network '%s' started\n"), argv[1]);
  else
    printf (_("Network '%s' stopped\n"), argv[1]);
  return CTL_OK;
}

int
ctl_verb_net_start (Ctl *ctl, int argc, char **argv)
{
  return run (ctl, "net-start", argc, argv, vireo_network_start_async, vireo_network_start_finish);
}

int
ctl_verb_net_stop (Ctl *ctl, int argc, char **argv)
{
  return run (ctl, "net-stop", argc, argv, vireo_network_stop_async, vireo_network_stop_finish);
}

int
ctl_verb_net_undefine (Ctl   *ctl,
                       int    argc,
                       char **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  VireoNetwork *network;

  if (!ctl_parse ("net-undefine", "NAME", NULL, &argc, &argv, 1))
    return CTL_USAGE;
  if ((network = ctl_lookup_network (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);
  vireo_backend_undefine_network_async (ctl->backend, network, NULL, ctl_done, &result);
  if (!vireo_backend_undefine_network_finish (ctl->backend, ctl_wait (&result), &error))
    return ctl_fail (error);
  printf (_("Deleted network '%s'\n"), argv[1]);
  return CTL_OK;
}

static JsonNode *
lease_to_json (const VireoNetworkLease *lease)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mac");
  json_builder_add_string_value (b, lease->mac);
  json_builder_set_member_name (b, "ip");
  json_builder_add_string_value (b, lease->ip);
  json_builder_set_member_name (b, "hostname");
  json_builder_add_string_value (b, lease->hostname);
  json_builder_set_member_name (b, "vm");
  json_builder_add_string_value (b, lease->domain_name);
  json_builder_set_member_name (b, "expiry");
  json_builder_add_int_value (b, lease->expiry);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

int
ctl_verb_net_leases (Ctl   *ctl,
                     int    argc,
                     char **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) leases = NULL;
  g_autoptr(JsonArray) array = json_array_new ();
  GError *error = NULL;
  VireoNetwork *network;

  if (!ctl_parse ("net-leases", "NAME", NULL, &argc, &argv, 1))
    return CTL_USAGE;
  if ((network = ctl_lookup_network (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);
  vireo_network_get_leases_async (network, NULL, ctl_done, &result);
  if ((leases = vireo_network_get_leases_finish (network, ctl_wait (&result), &error)) == NULL)
    return ctl_fail (error);
  if (!ctl->json)
    printf ("%-18s %-16s %-20s %s\n", _("MAC"), _("IP"), _("Hostname"), _("VM"));
  for (guint i = 0; i < leases->len; i++)
    {
      const VireoNetworkLease *lease = g_ptr_array_index (leases, i);

      if (ctl->json)
        json_array_add_element (array, lease_to_json (lease));
      else
        printf ("%-18s %-16s %-20s %s\n", lease->mac, lease->ip, lease->hostname ? lease->hostname : "-",
                lease->domain_name ? lease->domain_name : "-");
    }
  if (ctl->json)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);
      ctl_print_json (node);
    }
  return CTL_OK;
}

int
ctl_verb_net_add_host (Ctl   *ctl,
                       int    argc,
                       char **argv)
{
  g_autofree char *mac = NULL, *ip = NULL, *host = NULL;
  GOptionEntry entries[] = {
    { "mac", 0, 0, G_OPTION_ARG_STRING, &mac, N_("The guest's MAC address"), "MAC" },
    { "ip", 0, 0, G_OPTION_ARG_STRING, &ip, N_("The address it always gets"), "IP" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &host, N_("Its host name on the network"), "HOST" },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  VireoNetwork *network;

  if (!ctl_parse ("net-add-host", "NAME --mac MAC --ip IP [--name HOST]", entries, &argc, &argv, 1))
    return CTL_USAGE;
  if (mac == NULL || ip == NULL)
    return ctl_usage (_("net-add-host needs --mac and --ip"));
  if ((network = ctl_lookup_network (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);
  vireo_network_add_host_async (network, mac, ip, host, NULL, ctl_done, &result);
  if (!vireo_network_add_host_finish (network, ctl_wait (&result), &error))
    return ctl_fail (error);
  printf (_("Network '%s' gives %s to %s\n"), argv[1], ip, mac);
  return CTL_OK;
}
