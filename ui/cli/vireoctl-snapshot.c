/* vireoctl-snapshot.c: the snapshot-* verbs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "vireo.h"
#include "vireoctl.h"

static GPtrArray *
list_snapshots (VireoDomain  *domain,
                GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vireo_domain_list_snapshots_async (domain, NULL, ctl_done, &result);
  return vireo_domain_list_snapshots_finish (domain, ctl_wait (&result), NULL, error);
}

static VireoSnapshot *
lookup_snapshot (GPtrArray    *snapshots,
                 VireoDomain  *domain,
                 const char   *name,
                 GError      **error)
{
  VireoSnapshot *snapshot = vireo_snapshot_list_lookup (snapshots, name);

  if (snapshot == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s' has no snapshot '%s'"),
                 vireo_domain_get_name (domain), name);
  return snapshot;
}

static char *
format_time (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (seconds);

  return time ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("-");
}

int
ctl_verb_snapshot_create (Ctl   *ctl,
                          int    argc,
                          char **argv)
{
  g_autofree char *description = NULL;
  GOptionEntry entries[] = {
    { "description", 0, 0, G_OPTION_ARG_STRING, &description, N_("What the snapshot is for"), "TEXT" },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VireoJob) job = NULL;
  g_autofree char *name = NULL;
  GError *error = NULL;
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "snapshot-create", "VM [SNAP]", entries, &argc, &argv, -1, &domain)) != CTL_OK)
    return ret;
  if (argc > 3)
    return ctl_usage (_("snapshot-create takes a VM and at most one snapshot name"));
  vireo_domain_take_snapshot_async (domain, argc == 3 ? argv[2] : NULL, description, &job,
                                    NULL, ctl_done, &result);
  name = vireo_domain_take_snapshot_finish (domain, ctl_wait_job (job, NULL, &result), &error);
  if (name == NULL)
    return ctl_fail (error);
  printf (_("Took snapshot '%s' of VM '%s'\n"), name, vireo_domain_get_name (domain));
  return CTL_OK;
}

static JsonNode *
snapshot_to_json (VireoSnapshot *snapshot,
                  GPtrArray     *all)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint children = 0;

  for (guint i = 0; i < all->len; i++)
    children += g_strcmp0 (vireo_snapshot_get_parent (g_ptr_array_index (all, i)),
                           vireo_snapshot_get_name (snapshot)) == 0;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, vireo_snapshot_get_name (snapshot));
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, vireo_snapshot_get_description (snapshot));
  json_builder_set_member_name (b, "parent");
  json_builder_add_string_value (b, vireo_snapshot_get_parent (snapshot));
  json_builder_set_member_name (b, "creation-time");
  json_builder_add_int_value (b, vireo_snapshot_get_creation_time (snapshot));
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, vireo_snapshot_state_to_string (vireo_snapshot_get_state (snapshot)));
  json_builder_set_member_name (b, "memory");
  json_builder_add_boolean_value (b, vireo_snapshot_has_memory (snapshot));
  json_builder_set_member_name (b, "current");
  json_builder_add_boolean_value (b, vireo_snapshot_is_current (snapshot));
  json_builder_set_member_name (b, "metadata");
  json_builder_add_boolean_value (b, !vireo_snapshot_is_foreign (snapshot));
  json_builder_set_member_name (b, "children");
  json_builder_add_int_value (b, children);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_row (VireoSnapshot *snapshot,
           gboolean       tree)
{
  g_autofree char *time = format_time (vireo_snapshot_get_creation_time (snapshot));
  guint depth = tree ? vireo_snapshot_get_depth (snapshot) : 0;
  g_autofree char *name = g_strdup_printf ("%*s%s%s%s", depth * 2, "", depth ? "└ " : "",
                                           vireo_snapshot_get_name (snapshot),
                                           vireo_snapshot_is_current (snapshot) ? " *" : "");

  printf ("%-32s %-20s %s\n", name, time,
          vireo_snapshot_state_to_string (vireo_snapshot_get_state (snapshot)));
}

int
ctl_verb_snapshot_list (Ctl   *ctl,
                        int    argc,
                        char **argv)
{
  gboolean tree = FALSE;
  GOptionEntry entries[] = {
    { "tree", 0, 0, G_OPTION_ARG_NONE, &tree, N_("Show parents and children"), NULL },
    { NULL }
  };
  g_autoptr(GPtrArray) snapshots = NULL;
  GError *error = NULL;
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "snapshot-list", "VM [--tree]", entries, &argc, &argv, 1, &domain)) != CTL_OK)
    return ret;
  if ((snapshots = list_snapshots (domain, &error)) == NULL)
    return ctl_fail (error);
  if (ctl->json)
    {
      g_autoptr(JsonArray) array = json_array_new ();
      g_autoptr(JsonNode) node = NULL;

      for (guint i = 0; i < snapshots->len; i++)
        json_array_add_element (array, snapshot_to_json (g_ptr_array_index (snapshots, i), snapshots));
      node = json_node_init_array (json_node_alloc (), array);
      ctl_print_json (node);
      return CTL_OK;
    }
  /* Translators: column headings of vireoctl snapshot-list; keep the widths */
  printf ("%-32s %-20s %s\n", _("Name"), _("Created"), _("State"));
  for (guint i = 0; i < snapshots->len; i++)
    print_row (g_ptr_array_index (snapshots, i), tree);
  return CTL_OK;
}

/* Looks up VM and SNAP of a verb that takes both. */
static int
parse_snapshot (Ctl            *ctl,
                const char     *verb,
                GOptionEntry   *entries,
                int            *argc,
                char         ***argv,
                VireoDomain   **domain,
                GPtrArray     **snapshots,
                VireoSnapshot **snapshot)
{
  GError *error = NULL;
  int ret;

  if ((ret = ctl_parse_domain (ctl, verb, "VM SNAP", entries, argc, argv, 2, domain)) != CTL_OK)
    return ret;
  if ((*snapshots = list_snapshots (*domain, &error)) == NULL ||
      (*snapshot = lookup_snapshot (*snapshots, *domain, (*argv)[2], &error)) == NULL)
    return ctl_fail (error);
  return CTL_OK;
}

int
ctl_verb_snapshot_info (Ctl   *ctl,
                        int    argc,
                        char **argv)
{
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *time = NULL;
  VireoSnapshot *s;
  VireoDomain *domain;
  int ret;

  if ((ret = parse_snapshot (ctl, "snapshot-info", NULL, &argc, &argv, &domain, &snapshots, &s)) != CTL_OK)
    return ret;
  node = snapshot_to_json (s, snapshots);
  if (ctl->json)
    {
      ctl_print_json (node);
      return CTL_OK;
    }
  time = format_time (vireo_snapshot_get_creation_time (s));
  printf ("%-13s %s\n", _("Name:"), vireo_snapshot_get_name (s));
  printf ("%-13s %s\n", _("VM:"), vireo_domain_get_name (domain));
  printf ("%-13s %s\n", _("Created:"), time);
  printf ("%-13s %s\n", _("State:"), vireo_snapshot_state_get_label (vireo_snapshot_get_state (s)));
  printf ("%-13s %s\n", _("Memory:"), vireo_snapshot_has_memory (s) ? _("yes") : _("no"));
  printf ("%-13s %s\n", _("Current:"), vireo_snapshot_is_current (s) ? _("yes") : _("no"));
  printf ("%-13s %s\n", _("Parent:"), vireo_snapshot_get_parent (s) ? vireo_snapshot_get_parent (s) : "-");
  printf ("%-13s %" G_GINT64_FORMAT "\n", _("Children:"),
          json_object_get_int_member (json_node_get_object (node), "children"));
  printf ("%-13s %s\n", _("Metadata:"), vireo_snapshot_is_foreign (s) ? _("no (found in the disk image)") : _("yes"));
  if (*vireo_snapshot_get_description (s))
    printf ("%-13s %s\n", _("Description:"), vireo_snapshot_get_description (s));
  return CTL_OK;
}

int
ctl_verb_snapshot_dumpxml (Ctl   *ctl,
                           int    argc,
                           char **argv)
{
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autofree char *xml = NULL;
  VireoSnapshot *snapshot;
  VireoDomain *domain;
  int ret;

  if ((ret = parse_snapshot (ctl, "snapshot-dumpxml", NULL, &argc, &argv, &domain, &snapshots, &snapshot)) != CTL_OK)
    return ret;
  xml = vireo_snapshot_format_xml (snapshot);
  fputs (xml, stdout);
  return CTL_OK;
}

int
ctl_verb_snapshot_current (Ctl   *ctl,
                           int    argc,
                           char **argv)
{
  g_autoptr(GPtrArray) snapshots = NULL;
  GError *error = NULL;
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "snapshot-current", "VM", NULL, &argc, &argv, 1, &domain)) != CTL_OK)
    return ret;
  if ((snapshots = list_snapshots (domain, &error)) == NULL)
    return ctl_fail (error);
  for (guint i = 0; i < snapshots->len; i++)
    if (vireo_snapshot_is_current (g_ptr_array_index (snapshots, i)))
      {
        if (ctl->json)
          {
            g_autoptr(JsonNode) node = snapshot_to_json (g_ptr_array_index (snapshots, i), snapshots);
            ctl_print_json (node);
          }
        else
          printf ("%s\n", vireo_snapshot_get_name (g_ptr_array_index (snapshots, i)));
        return CTL_OK;
      }
  g_set_error (&error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s' has no current snapshot"),
               vireo_domain_get_name (domain));
  return ctl_fail (error);
}

/* snapshot-revert and snapshot-delete: one job on one snapshot. */
static int
run_snapshot_job (Ctl      *ctl,
                  VireoDomain *domain,
                  const char *name,
                  gboolean  revert)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VireoJob) job = NULL;
  GError *error = NULL;
  gboolean ok;

  if (revert)
    vireo_domain_revert_snapshot_async (domain, name, &job, NULL, ctl_done, &result);
  else
    vireo_domain_delete_snapshot_async (domain, name, &job, NULL, ctl_done, &result);
  ok = revert ? vireo_domain_revert_snapshot_finish (domain, ctl_wait_job (job, NULL, &result), &error)
              : vireo_domain_delete_snapshot_finish (domain, ctl_wait_job (job, NULL, &result), &error);
  if (!ok)
    return ctl_fail (error);
  if (revert)
    printf (_("Reverted VM '%s' to snapshot '%s'\n"), vireo_domain_get_name (domain), name);
  else
    printf (_("Deleted snapshot '%s' of VM '%s'\n"), name, vireo_domain_get_name (domain));
  return CTL_OK;
}

int
ctl_verb_snapshot_revert (Ctl   *ctl,
                          int    argc,
                          char **argv)
{
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Force a running VM off to revert it to a snapshot of it shut off"), NULL },
    { NULL }
  };
  g_autoptr(GPtrArray) snapshots = NULL;
  VireoSnapshot *snapshot;
  VireoDomain *domain;
  GError *error = NULL;
  int ret;

  if ((ret = parse_snapshot (ctl, "snapshot-revert", entries, &argc, &argv, &domain, &snapshots, &snapshot)) != CTL_OK)
    return ret;
  /* what the desktop asks before, a script says with --force */
  if (vireo_snapshot_revert_stops_vm (snapshot, domain) && !force)
    {
      g_set_error (&error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                   _("VM '%s' is running and snapshot '%s' was taken with it shut off: "
                     "reverting forces it off (add --force)"), argv[1], argv[2]);
      return ctl_fail (error);
    }
  return run_snapshot_job (ctl, domain, argv[2], TRUE);
}

int
ctl_verb_snapshot_delete (Ctl   *ctl,
                          int    argc,
                          char **argv)
{
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "snapshot-delete", "VM SNAP", NULL, &argc, &argv, 2, &domain)) != CTL_OK)
    return ret;
  return run_snapshot_job (ctl, domain, argv[2], FALSE);
}

int
ctl_verb_snapshot_edit (Ctl   *ctl,
                        int    argc,
                        char **argv)
{
  g_autofree char *description = NULL;
  GOptionEntry entries[] = {
    { "description", 0, 0, G_OPTION_ARG_STRING, &description, N_("The new description"), "TEXT" },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "snapshot-edit", "VM SNAP --description TEXT", entries,
                               &argc, &argv, 2, &domain)) != CTL_OK)
    return ret;
  if (description == NULL)
    return ctl_usage (_("snapshot-edit needs --description TEXT"));
  vireo_domain_edit_snapshot_async (domain, argv[2], description, NULL, ctl_done, &result);
  if (!vireo_domain_edit_snapshot_finish (domain, ctl_wait (&result), &error))
    return ctl_fail (error);
  printf (_("Changed the description of snapshot '%s' of VM '%s'\n"), argv[2], argv[1]);
  return CTL_OK;
}
