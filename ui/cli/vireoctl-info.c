/* vireoctl-info.c: the read verbs (list, state, dumpxml, stats)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "vireoctl.h"

static char *
format_bytes (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static JsonNode *
domain_to_json (VireoDomain *domain)
{
  const VireoDomainConfig *config = vireo_domain_get_config (domain);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, config->name);
  json_builder_set_member_name (b, "uuid");
  json_builder_add_string_value (b, config->uuid);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, vireo_domain_state_to_string (vireo_domain_get_state (domain)));
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, vireo_domain_get_state_reason (domain));
  json_builder_set_member_name (b, "pending-changes");
  json_builder_add_boolean_value (b, vireo_domain_has_pending_changes (domain));
  json_builder_set_member_name (b, "guest-os");
  json_builder_add_string_value (b, vireo_domain_get_guest_os (domain));
  json_builder_set_member_name (b, "guest-addresses");
  json_builder_begin_array (b);
  for (const char * const *a = vireo_domain_get_guest_addresses (domain); a && *a; a++)
    json_builder_add_string_value (b, *a);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, config->title);
  json_builder_set_member_name (b, "vcpus");
  json_builder_add_int_value (b, config->vcpus);
  json_builder_set_member_name (b, "memory-mib");
  json_builder_add_int_value (b, config->memory_kib / 1024);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* One host's VMs; @host names the host in a HOST column, or is NULL */
static void
list_host (Ctl          *ctl,
           VireoBackend *backend,
           const char   *host,
           gboolean      all,
           JsonArray    *array)
{
  GListModel *domains = vireo_backend_get_domains (backend);

  for (guint i = 0; i < g_list_model_get_n_items (domains); i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (domains, i);
      const VireoDomainConfig *config = vireo_domain_get_config (domain);
      g_autofree char *memory = NULL;

      if (!all && !vireo_domain_is_active (domain))
        continue;
      if (ctl->json)
        {
          JsonNode *node = domain_to_json (domain);

          if (host != NULL)
            {
              json_object_set_string_member (json_node_get_object (node), "host", host);
              json_object_set_string_member (json_node_get_object (node), "host-uri", vireo_backend_get_uri (backend));
            }
          json_array_add_element (array, node);
          continue;
        }
      memory = format_bytes (config->memory_kib * 1024);
      if (host != NULL)
        printf (" %-20s", host);
      printf (" %-24s %-14s %5u %10s  %s\n", config->name,
              vireo_domain_state_to_string (vireo_domain_get_state (domain)),
              config->vcpus, memory, config->title ? config->title : "");
    }
}

/* Every saved host that connects by itself, beside this computer; a host
 * that does not answer is one line on stderr, and the others are listed */
static gboolean
list_all_hosts (Ctl       *ctl,
                gboolean   all,
                JsonArray *array)
{
  g_autoptr(VireoHosts) hosts = NULL;
  GListModel *backends;
  GError *error = NULL;

  if ((hosts = ctl_load_hosts (ctl, &error)) == NULL)
    {
      ctl_fail (error);
      return FALSE;
    }
  ctl_connect_hosts (hosts);
  backends = vireo_hosts_get_backends (hosts);
  for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);
      const GError *failed = vireo_backend_get_error (backend);

      if (failed != NULL)
        fprintf (stderr, "vireoctl: %s\n", failed->message);
      list_host (ctl, backend, vireo_backend_get_title (backend), all, array);
    }
  return TRUE;
}

int
ctl_verb_list (Ctl   *ctl,
               int    argc,
               char **argv)
{
  gboolean all = FALSE;
  gboolean all_hosts = FALSE;
  GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, N_("List shut-off VMs too"), NULL },
    { "all-hosts", 0, 0, G_OPTION_ARG_NONE, &all_hosts, N_("Also list the VMs of the saved hosts, with a HOST column"), NULL },
    { NULL }
  };
  GPtrArray *skipped = ctl->engine != NULL ? vireo_local_backend_get_load_errors (ctl->engine) : NULL;
  g_autoptr(JsonArray) array = json_array_new ();

  if (!ctl_parse ("list", "", entries, &argc, &argv, 0))
    return CTL_USAGE;
  if (all_hosts && ctl->engine == NULL)
    return ctl_usage (_("list --all-hosts lists the saved hosts: leave out --connect"));

  for (guint i = 0; skipped != NULL && i < skipped->len; i++)
    fprintf (stderr, "vireoctl: %s\n", ((VireoLoadError *) g_ptr_array_index (skipped, i))->error->message);

  if (!ctl->json && all_hosts)
    printf (" %-20s", "Host");
  if (!ctl->json)
    printf (" %-24s %-14s %5s %10s  %s\n", "Name", "State", "vCPUs", "Memory", "Title");
  if (all_hosts)
    {
      if (!list_all_hosts (ctl, all, array))
        return CTL_FAILED;
    }
  else
    list_host (ctl, ctl->backend, NULL, all, array);
  if (ctl->json)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);
      ctl_print_json (node);
    }
  return CTL_OK;
}

int
ctl_verb_state (Ctl   *ctl,
                int    argc,
                char **argv)
{
  gboolean reason = FALSE;
  GOptionEntry entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_NONE, &reason, N_("Also print why"), NULL },
    { NULL }
  };
  VireoDomain *domain;
  int ret;
  const char *why;

  if ((ret = ctl_parse_domain (ctl, "state", "NAME", entries, &argc, &argv, 1, &domain)) != CTL_OK)
    return ret;

  why = vireo_domain_get_state_reason (domain);
  if (ctl->json)
    {
      g_autoptr(JsonNode) node = domain_to_json (domain);
      ctl_print_json (node);
    }
  else if (reason && why && *why)
    printf ("%s: %s\n", vireo_domain_state_to_string (vireo_domain_get_state (domain)), why);
  else
    printf ("%s\n", vireo_domain_state_to_string (vireo_domain_get_state (domain)));
  return CTL_OK;
}

/* the addresses its networks' DHCP leases give, besides what the guest
 * agent said (a network that cannot be asked just adds none) */
static void
refresh_addresses (VireoDomain *domain)
{
  GAsyncResult *result = NULL;

  vireo_domain_refresh_addresses_async (domain, NULL, ctl_done, &result);
  vireo_domain_refresh_addresses_finish (domain, ctl_wait (&result), NULL);
  g_object_unref (result);
}

/* virsh domifaddr: what the guest agent said and the DHCP leases of its
 * virtual networks, one address per line */
int
ctl_verb_domifaddr (Ctl   *ctl,
                    int    argc,
                    char **argv)
{
  const char * const *addresses;
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "domifaddr", "NAME", NULL, &argc, &argv, 1, &domain)) != CTL_OK)
    return ret;
  refresh_addresses (domain);
  addresses = vireo_domain_get_guest_addresses (domain);
  if (ctl->json)
    {
      g_autoptr(JsonArray) array = json_array_new ();
      g_autoptr(JsonNode) node = NULL;

      for (guint i = 0; addresses && addresses[i]; i++)
        json_array_add_string_element (array, addresses[i]);
      node = json_node_init_array (json_node_alloc (), array);
      ctl_print_json (node);
      return CTL_OK;
    }
  for (guint i = 0; addresses && addresses[i]; i++)
    printf ("%s\n", addresses[i]);
  return CTL_OK;
}

int
ctl_verb_dumpxml (Ctl   *ctl,
                  int    argc,
                  char **argv)
{
  VireoDomain *domain;
  int ret;
  g_autofree char *xml = NULL;

  if ((ret = ctl_parse_domain (ctl, "dumpxml", "NAME", NULL, &argc, &argv, 1, &domain)) != CTL_OK)
    return ret;
  xml = vireo_domain_get_xml (domain);
  fputs (xml, stdout);
  return CTL_OK;
}

int
ctl_verb_stats (Ctl   *ctl,
                int    argc,
                char **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  VireoDomainStats stats;
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "stats", "NAME", NULL, &argc, &argv, 1, &domain)) != CTL_OK)
    return ret;
  vireo_domain_get_stats_async (domain, NULL, ctl_done, &result);
  if (!vireo_domain_get_stats_finish (domain, ctl_wait (&result), &stats, &error))
    return ctl_fail (error);

  if (ctl->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, vireo_domain_get_name (domain));
      json_builder_set_member_name (b, "cpu-percent");
      json_builder_add_double_value (b, stats.cpu_percent);
      json_builder_set_member_name (b, "rss-bytes");
      json_builder_add_int_value (b, stats.rss_bytes);
      json_builder_set_member_name (b, "disk-read-bytes");
      json_builder_add_int_value (b, stats.disk_read_bytes);
      json_builder_set_member_name (b, "disk-write-bytes");
      json_builder_add_int_value (b, stats.disk_write_bytes);
      json_builder_set_member_name (b, "uptime-seconds");
      json_builder_add_int_value (b, stats.uptime_seconds);
      json_builder_end_object (b);
      node = json_builder_get_root (b);
      ctl_print_json (node);
    }
  else
    {
      g_autofree char *rss = format_bytes (stats.rss_bytes);
      g_autofree char *rd = format_bytes (stats.disk_read_bytes);
      g_autofree char *wr = format_bytes (stats.disk_write_bytes);
      g_autofree char *uptime = vireo_format_duration (stats.uptime_seconds);

      printf ("VM:          %s\n", vireo_domain_get_name (domain));
      printf ("CPU:         %.1f %%\n", stats.cpu_percent);
      printf ("Memory:      %s (resident)\n", rss);
      printf ("Disk read:   %s\n", rd);
      printf ("Disk write:  %s\n", wr);
      printf ("Uptime:      %s\n", uptime);
    }
  return CTL_OK;
}

static JsonNode *
strv_to_json (char **lines)
{
  g_autoptr(JsonArray) array = json_array_new ();

  for (guint i = 0; lines[i]; i++)
    json_array_add_string_element (array, lines[i]);
  return json_node_init_array (json_node_alloc (), array);
}

/* virsh dominfo: what a VM is, its host port forwards, and what its
 * definition says that Vireo keeps for libvirt without applying it */
int
ctl_verb_dominfo (Ctl   *ctl,
                  int    argc,
                  char **argv)
{
  const VireoDomainConfig *config;
  g_autofree char *memory = NULL;
  g_auto(GStrv) unapplied = NULL;
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "dominfo", "NAME", NULL, &argc, &argv, 1, &domain)) != CTL_OK)
    return ret;
  config = vireo_domain_get_config (domain);
  unapplied = vireo_domain_config_list_unapplied (config);
  if (ctl->json)
    {
      g_autoptr(JsonNode) node = domain_to_json (domain);

      json_object_set_member (json_node_get_object (node), "port-forwards", ctl_forwards_to_json (config));
      json_object_set_member (json_node_get_object (node), "kept-not-applied", strv_to_json (unapplied));
      json_object_set_string_member (json_node_get_object (node), "firmware",
                                     vireo_domain_config_uses_efi (config) ? "efi" : "bios");
      json_object_set_boolean_member (json_node_get_object (node), "secure-boot",
                                      vireo_domain_config_secure_boot (config));
      json_object_set_boolean_member (json_node_get_object (node), "tpm", config->tpm_model != NULL);
      ctl_print_json (node);
      return CTL_OK;
    }
  memory = format_bytes (config->memory_kib * 1024);
  printf ("%-16s %s\n", _("Name:"), config->name);
  printf ("%-16s %s\n", _("UUID:"), config->uuid);
  printf ("%-16s %s\n", _("State:"), vireo_domain_state_get_label (vireo_domain_get_state (domain)));
  printf ("%-16s %u\n", _("CPUs:"), config->vcpus);
  printf ("%-16s %s\n", _("Memory:"), memory);
  printf ("%-16s %s\n", _("Firmware:"), vireo_domain_config_firmware_label (config));
  printf ("%-16s %s\n", _("TPM:"), config->tpm_model ? _("TPM 2.0 (emulated)") : _("None"));
  printf ("%-16s %u\n", _("Interfaces:"), config->nics->len);
  printf ("%s\n", _("Port forwards:"));
  ctl_print_forwards (config);
  if (unapplied[0] != NULL)
    printf ("%s\n", _("Kept for libvirt, not applied by Vireo:"));
  for (guint i = 0; unapplied[i]; i++)
    printf ("  %s\n", unapplied[i]);
  return CTL_OK;
}
