/* vireoctl-forward.c: port-forward-add, port-forward-remove, port-forward-list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "vireo.h"
#include "vireoctl.h"

/* Parses the forward a verb was given; prints the usage error itself. */
static VireoPortForward *
parse_spec (const char *spec,
            gboolean    with_guest)
{
  g_autoptr(GError) error = NULL;
  VireoPortForward *forward = vireo_port_forward_parse (spec, with_guest, &error);

  if (forward == NULL)
    ctl_usage ("%s", error->message);
  return forward;
}

/* The note for a running VM whose change waits for its next start. */
static void
print_pending (const char *name,
               gboolean    pending)
{
  if (pending)
    printf (_("VM '%s' runs: the change applies from its next start\n"), name);
}

int
ctl_verb_port_forward_add (Ctl   *ctl,
                           int    argc,
                           char **argv)
{
  g_autofree char *mac = NULL;
  GOptionEntry entries[] = {
    { "mac", 0, 0, G_OPTION_ARG_STRING, &mac, N_("The user-mode interface (default: the first one)"), "MAC" },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VireoPortForward) forward = NULL;
  GError *error = NULL;
  VireoDomain *domain;
  gboolean pending = FALSE;
  int ret;

  ret = ctl_parse_domain (ctl, "port-forward-add", "VM PROTO:[ADDRESS:]HOSTPORT:GUESTPORT", entries,
                          &argc, &argv, 2, &domain);
  if (ret != CTL_OK)
    return ret;
  if ((forward = parse_spec (argv[2], TRUE)) == NULL)
    return CTL_USAGE;
  vireo_port_forwards_add_async (ctl->engine, domain, mac, forward, NULL, ctl_done, &result);
  if (!vireo_port_forwards_add_finish (ctl->engine, ctl_wait (&result), &pending, &error))
    return ctl_fail (error);
  /* Translators: "Forwarded host port tcp 127.0.0.1:2222 to port 22 of VM 'web'" */
  printf (_("Forwarded host port %s %s:%u to port %u of VM '%s'\n"),
          vireo_forward_protocol_to_string (forward->protocol), forward->address,
          forward->host_port, forward->guest_port, argv[1]);
  print_pending (argv[1], pending);
  return CTL_OK;
}

int
ctl_verb_port_forward_remove (Ctl   *ctl,
                              int    argc,
                              char **argv)
{
  g_autofree char *mac = NULL;
  GOptionEntry entries[] = {
    { "mac", 0, 0, G_OPTION_ARG_STRING, &mac, N_("The interface (default: whichever has the forward)"), "MAC" },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VireoPortForward) rule = NULL;
  GError *error = NULL;
  VireoDomain *domain;
  gboolean pending = FALSE;
  int ret;

  ret = ctl_parse_domain (ctl, "port-forward-remove", "VM PROTO:[ADDRESS:]HOSTPORT", entries,
                          &argc, &argv, 2, &domain);
  if (ret != CTL_OK)
    return ret;
  if ((rule = parse_spec (argv[2], FALSE)) == NULL)
    return CTL_USAGE;
  vireo_port_forwards_remove_async (ctl->engine, domain, mac, rule, NULL, ctl_done, &result);
  if (!vireo_port_forwards_remove_finish (ctl->engine, ctl_wait (&result), &pending, &error))
    return ctl_fail (error);
  printf (_("VM '%s' no longer forwards host port %s %s:%u\n"), argv[1],
          vireo_forward_protocol_to_string (rule->protocol), rule->address, rule->host_port);
  print_pending (argv[1], pending);
  return CTL_OK;
}

/**
 * ctl_forwards_to_json:
 * Returns: (transfer full): @config's forwards, NIC by NIC, as an array
 *   of {"protocol", "address", "host", "guest", "mac"}
 */
JsonNode *
ctl_forwards_to_json (const VireoDomainConfig *config)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < config->nics->len; i++)
    {
      const VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      for (guint j = 0; j < nic->forwards->len; j++)
        {
          const VireoPortForward *f = g_ptr_array_index (nic->forwards, j);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "protocol");
          json_builder_add_string_value (b, vireo_forward_protocol_to_string (f->protocol));
          json_builder_set_member_name (b, "address");
          json_builder_add_string_value (b, f->address);
          json_builder_set_member_name (b, "host");
          json_builder_add_int_value (b, f->host_port);
          json_builder_set_member_name (b, "guest");
          json_builder_add_int_value (b, f->guest_port);
          json_builder_set_member_name (b, "mac");
          json_builder_add_string_value (b, nic->mac);
          json_builder_end_object (b);
        }
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

/**
 * ctl_print_forwards:
 * Prints @config's forwards as a table, or a line saying there are none.
 */
void
ctl_print_forwards (const VireoDomainConfig *config)
{
  gboolean any = FALSE;

  for (guint i = 0; i < config->nics->len; i++)
    {
      const VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      for (guint j = 0; j < nic->forwards->len; j++)
        {
          const VireoPortForward *f = g_ptr_array_index (nic->forwards, j);

          if (!any)
            /* Translators: column headings of port-forward-list */
            printf ("%-6s %-16s %-6s %-6s %s\n", _("PROTO"), _("ADDRESS"), _("HOST"), _("GUEST"), _("INTERFACE"));
          any = TRUE;
          printf ("%-6s %-16s %-6u %-6u %s\n", vireo_forward_protocol_to_string (f->protocol),
                  f->address, f->host_port, f->guest_port, nic->mac);
        }
    }
  if (!any)
    printf (_("VM '%s' forwards no host ports\n"), config->name);
}

int
ctl_verb_port_forward_list (Ctl   *ctl,
                            int    argc,
                            char **argv)
{
  VireoDomain *domain;
  int ret = ctl_parse_domain (ctl, "port-forward-list", "VM", NULL, &argc, &argv, 1, &domain);

  if (ret != CTL_OK)
    return ret;
  if (ctl->json)
    {
      g_autoptr(JsonNode) node = ctl_forwards_to_json (vireo_domain_get_config (domain));
      ctl_print_json (node);
    }
  else
    ctl_print_forwards (vireo_domain_get_config (domain));
  return CTL_OK;
}
