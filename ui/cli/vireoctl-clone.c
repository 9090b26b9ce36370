/* vireoctl-clone.c: clone and vol-info
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "vireo.h"
#include "vireoctl.h"

int
ctl_verb_clone (Ctl   *ctl,
                int    argc,
                char **argv)
{
  g_autoptr(VireoCloneOptions) o = vireo_clone_options_new ();
  GOptionEntry entries[] = {
    { "linked", 0, 0, G_OPTION_ARG_NONE, &o->linked,
      N_("Share the source's disks as read-only bases instead of copying them"), NULL },
    { "from-snapshot", 0, 0, G_OPTION_ARG_STRING, &o->from_snapshot,
      N_("Copy the disks as they were in this snapshot"), "SNAP" },
    { NULL }
  };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VireoJob) job = NULL;
  g_autoptr(VireoDomain) clone = NULL;
  GError *error = NULL;
  VireoDomain *source;

  if (!ctl_parse ("clone", "SOURCE [NEW]", entries, &argc, &argv, -1))
    return CTL_USAGE;
  if (argc < 2 || argc > 3)
    return ctl_usage (_("clone: name the source VM, and optionally the clone"));
  if ((source = ctl_lookup (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);
  o->name = g_strdup (argv[2]);

  vireo_domain_clone_async (source, o, &job, cancellable, ctl_done, &result);
  clone = vireo_domain_clone_finish (source, ctl_wait_job (job, cancellable, &result), &error);
  if (clone == NULL)
    return ctl_fail (error);
  printf (_("Cloned VM '%s' as '%s'\n"), argv[1], vireo_domain_get_name (clone));
  return CTL_OK;
}

static void
print_image (JsonObject *image,
             gboolean    first)
{
  g_autofree char *virtual_size = g_format_size_full (json_object_get_int_member (image, "virtual-size"),
                                                      G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *disk_size = g_format_size_full (json_object_get_int_member (image, "disk-size"),
                                                   G_FORMAT_SIZE_IEC_UNITS);
  JsonArray *snapshots = json_object_get_array_member (image, "snapshots");

  printf ("%-15s %s\n", first ? _("Image:") : _("Backing file:"),
          json_object_get_string_member (image, "path"));
  printf ("  %-13s %s\n", _("Format:"), json_object_get_string_member (image, "format"));
  printf ("  %-13s %s (%" G_GINT64_FORMAT " B)\n", _("Virtual size:"), virtual_size,
          json_object_get_int_member (image, "virtual-size"));
  printf ("  %-13s %s\n", _("Disk size:"), disk_size);
  if (json_array_get_length (snapshots) > 0)
    printf ("  %s\n    %-24s %-12s %s\n", _("Snapshots:"), _("Name"), _("RAM state"), _("Date"));
  for (guint i = 0; i < json_array_get_length (snapshots); i++)
    {
      JsonObject *snap = json_array_get_object_element (snapshots, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (json_object_get_int_member (snap, "date"));
      g_autofree char *date = when ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
      g_autofree char *state = g_format_size_full (json_object_get_int_member (snap, "vm-state-size"),
                                                   G_FORMAT_SIZE_IEC_UNITS);

      printf ("    %-24s %-12s %s\n", json_object_get_string_member (snap, "name"), state, date);
    }
}

int
ctl_verb_vol_info (Ctl   *ctl,
                   int    argc,
                   char **argv)
{
  gboolean json = ctl->json;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { NULL }
  };
  g_autoptr(JsonNode) chain = NULL;
  GError *error = NULL;
  JsonArray *images;

  if (!ctl_parse ("vol-info", "PATH", entries, &argc, &argv, 1))
    return CTL_USAGE;
  if ((chain = vireo_storage_describe_chain (argv[1], &error)) == NULL)
    return ctl_fail (error);
  if (json)
    {
      ctl_print_json (chain);
      return CTL_OK;
    }
  images = json_node_get_array (chain);
  for (guint i = 0; i < json_array_get_length (images); i++)
    print_image (json_array_get_object_element (images, i), i == 0);
  return CTL_OK;
}
