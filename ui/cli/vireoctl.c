/* vireoctl.c: the command-line tool, its global options and verb table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exit codes: 0 success, 1 the operation failed, 2 the command line is
 * wrong.  Every error is one line on stderr that names the VM and the
 * cause.
 */
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "vireo.h"
#include "vireoctl.h"

typedef struct {
  const char *name;
  CtlVerbFunc func;
  const char *args;
  const char *summary;
  gboolean any_host;            /* works with --connect on a libvirt host */
} Verb;

static const Verb verbs[] = {
  { "define", ctl_verb_define, "FILE", N_("define a VM from domain XML"), TRUE },
  { "create", ctl_verb_create, "NAME [OPTIONS]", N_("create a VM (see 'vireoctl create --help')"), TRUE },
  { "demo", ctl_verb_demo, "", N_("create the demo VM (a tiny Linux that boots in seconds)") },
  { "list", ctl_verb_list, "[--all]", N_("list VMs (running ones, or all)"), TRUE },
  { "state", ctl_verb_state, "NAME [--reason]", N_("print a VM's state"), TRUE },
  { "start", ctl_verb_start, "NAME [--user-network]", N_("boot a VM"), TRUE },
  { "shutdown", ctl_verb_shutdown, "NAME [--timeout S]", N_("ACPI shutdown, forced off after S seconds"), TRUE },
  { "destroy", ctl_verb_destroy, "NAME", N_("force a VM off"), TRUE },
  { "reboot", ctl_verb_action, "NAME", N_("reboot through ACPI"), TRUE },
  { "reset", ctl_verb_action, "NAME", N_("press the reset button"), TRUE },
  { "pause", ctl_verb_action, "NAME", N_("pause a VM"), TRUE },
  { "resume", ctl_verb_action, "NAME", N_("resume a paused VM"), TRUE },
  { "undefine", ctl_verb_undefine, "NAME [--remove-storage]", N_("delete a VM"), TRUE },
  { "dominfo", ctl_verb_dominfo, "NAME", N_("what a VM is: CPUs, memory, state, port forwards") },
  { "dumpxml", ctl_verb_dumpxml, "NAME", N_("print a VM's domain XML"), TRUE },
  { "domifaddr", ctl_verb_domifaddr, "NAME", N_("the running guest's IP addresses (from its guest agent and DHCP leases)") },
  { "console", ctl_verb_console, "NAME [--idle S]", N_("attach to the serial console (Ctrl+] leaves)"), TRUE },
  { "change-media", ctl_verb_change_media, "NAME TARGET [ISO | --eject]", N_("insert or eject a CD-ROM image"), TRUE },
  { "attach-disk", ctl_verb_attach_disk, "NAME [IMAGE | --size S | --cdrom] [--bus B]", N_("add a disk or CD-ROM drive"), TRUE },
  { "detach-disk", ctl_verb_detach_disk, "NAME TARGET [--remove-storage]", N_("remove a disk"), TRUE },
  { "convert-disk", ctl_verb_convert_disk, "NAME TARGET [--remove-old]", N_("convert a raw disk to qcow2, so it can take snapshots") },
  { "clone", ctl_verb_clone, "SRC [NEW] [--linked | --from-snapshot S]", N_("copy a shut-off VM (full, or linked to shared read-only bases)"), TRUE },
  { "port-forward-add", ctl_verb_port_forward_add, "VM [--mac MAC] PROTO:[ADDR:]HPORT:GPORT", N_("forward a host port into a user-mode NIC, live if it runs") },
  { "port-forward-remove", ctl_verb_port_forward_remove, "VM [--mac MAC] PROTO:[ADDR:]HPORT", N_("stop forwarding a host port") },
  { "port-forward-list", ctl_verb_port_forward_list, "VM", N_("a VM's host port forwards") },
  { "vol-info", ctl_verb_vol_info, "PATH [--json]", N_("a disk image's format, sizes, backing chain and snapshots") },
  { "screenshot", ctl_verb_screenshot, "NAME FILE.png", N_("save the VM's screen"), TRUE },
  { "stats", ctl_verb_stats, "NAME", N_("CPU, memory, disk I/O and uptime"), TRUE },
  { "snapshot-create", ctl_verb_snapshot_create, "VM [SNAP] [--description TEXT]", N_("take a snapshot (with RAM if the VM runs)"), TRUE },
  { "snapshot-list", ctl_verb_snapshot_list, "VM [--tree]", N_("list a VM's snapshots (* marks the current one)"), TRUE },
  { "snapshot-info", ctl_verb_snapshot_info, "VM SNAP", N_("what a snapshot is"), TRUE },
  { "snapshot-dumpxml", ctl_verb_snapshot_dumpxml, "VM SNAP", N_("print a snapshot's XML"), TRUE },
  { "snapshot-current", ctl_verb_snapshot_current, "VM", N_("the snapshot the VM continues from"), TRUE },
  { "snapshot-revert", ctl_verb_snapshot_revert, "VM SNAP [--force]", N_("go back to a snapshot"), TRUE },
  { "snapshot-delete", ctl_verb_snapshot_delete, "VM SNAP", N_("delete a snapshot (its children move up)"), TRUE },
  { "snapshot-edit", ctl_verb_snapshot_edit, "VM SNAP --description TEXT", N_("change a snapshot's description"), TRUE },
  { "host-add", ctl_verb_host_add, "URI [--title T] [--no-autoconnect]", N_("save a libvirt host (qemu:///system, qemu+ssh://USER@HOST/system)") },
  { "host-list", ctl_verb_host_list, "[--no-connect]", N_("the saved hosts, and whether they answer") },
  { "host-remove", ctl_verb_host_remove, "URI", N_("forget a saved host") },
  { "net-define", ctl_verb_net_define, "FILE", N_("define a virtual network from libvirt network XML"), TRUE },
  { "net-create", ctl_verb_net_create, "NAME [--subnet CIDR] [--isolated]", N_("define a NAT (or isolated) network on a free subnet"), TRUE },
  { "net-list", ctl_verb_net_list, "[--all]", N_("list virtual networks (running ones, or all)"), TRUE },
  { "net-dumpxml", ctl_verb_net_dumpxml, "NAME", N_("print a network's XML"), TRUE },
  { "net-start", ctl_verb_net_start, "NAME", N_("start a network (on this computer: bridge, NAT and DHCP, through vireo-net)"), TRUE },
  { "net-stop", ctl_verb_net_stop, "NAME", N_("stop a network"), TRUE },
  { "net-undefine", ctl_verb_net_undefine, "NAME", N_("delete a stopped network's definition"), TRUE },
  { "net-leases", ctl_verb_net_leases, "NAME", N_("a network's DHCP leases and the VMs that hold them"), TRUE },
  { "net-add-host", ctl_verb_net_add_host, "NAME --mac MAC --ip IP [--name HOST]", N_("give a MAC a fixed address on a network"), TRUE },
  { "net-autostart", ctl_verb_net_autostart, "NAME [--disable]", N_("start a network when the first VM on it starts, or no longer"), TRUE },
};

static void
print_usage (FILE *out)
{
  int name_width = 0, args_width = 0;

  /* columns as wide as their widest entry */
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      name_width = MAX (name_width, (int) strlen (verbs[i].name));
      args_width = MAX (args_width, (int) strlen (verbs[i].args));
    }
  /* Translators: VERB and ARGS are placeholders the user replaces */
  fprintf (out, "%s\n\n%s\n", _("Usage: vireoctl [--root DIR] [--connect URI] [--json] VERB [ARGS…]"), _("Verbs:"));
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    fprintf (out, "  %-*s %-*s %s\n", name_width, verbs[i].name, args_width, verbs[i].args, _(verbs[i].summary));
  fprintf (out, "\n%s\n%s\n", _("--json prints the result of read verbs as JSON."),
           _("--root DIR (or VIREO_ROOT) keeps every file of Vireo under DIR."));
  fprintf (out, "%s\n", _("--connect URI works on a libvirt host's VMs and networks (list, state, lifecycle, create, define, undefine, dumpxml, stats, console, screenshot, snapshots, change-media, clone, attach-disk, detach-disk, net-)."));
}

void
ctl_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Runs the main context until an async call stored its result. */
GAsyncResult *
ctl_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

int
ctl_fail (GError *error)
{
  int code = CTL_FAILED;

  fprintf (stderr, "vireoctl: %s\n", error->message);
  g_error_free (error);
  return code;
}

int
ctl_usage (const char *format,
           ...)
{
  g_autofree char *msg = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  /* Translators: %s is what is wrong with the command line */
  line = g_strdup_printf (_("%s (see 'vireoctl --help')"), msg);
  fprintf (stderr, "vireoctl: %s\n", line);
  return CTL_USAGE;
}

VireoDomain *
ctl_lookup (Ctl         *ctl,
            const char  *name,
            GError     **error)
{
  VireoDomain *domain = vireo_backend_lookup_domain (ctl->backend, name);
  const VireoLoadError *skipped;

  if (domain != NULL)
    return domain;
  /* its file is there but did not load: say why */
  if (ctl->engine != NULL && (skipped = vireo_local_backend_lookup_load_error (ctl->engine, name)) != NULL)
    {
      g_propagate_error (error, g_error_copy (skipped->error));
      return NULL;
    }
  if (ctl->engine == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s' does not exist on host '%s'"),
                 name, vireo_backend_get_title (ctl->backend));
  else
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s' does not exist"), name);
  return NULL;
}

/**
 * ctl_parse:
 * Parses a verb's options; exactly @n_positional arguments must remain
 * (any number when it is negative: the verb checks).
 */
gboolean
ctl_parse (const char    *verb,
           const char    *args,
           GOptionEntry  *entries,
           int           *argc,
           char        ***argv,
           int            n_positional)
{
  /* GOption's usage line starts with the program's name, here the verb
   * (argv[0] of the verb's arguments) */
  g_autoptr(GOptionContext) context = g_option_context_new (args);
  g_autoptr(GError) error = NULL;

  if (entries)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_help_enabled (context, TRUE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      /* Translators: "create: Unknown option --frobnicate" */
      ctl_usage (_("%s: %s"), verb, error->message);
      return FALSE;
    }
  /* GOption leaves a "--" that ends the options in place */
  for (int i = 1; i < *argc; i++)
    if (g_str_equal ((*argv)[i], "--"))
      {
        memmove (&(*argv)[i], &(*argv)[i + 1], (*argc - i) * sizeof (char *));
        (*argc)--;
        break;
      }
  if (n_positional >= 0 && *argc - 1 != n_positional)
    {
      /* Translators: "start takes NAME": a verb and its arguments */
      ctl_usage (_("%s takes %s"), verb, args);
      return FALSE;
    }
  return TRUE;
}

/**
 * ctl_parse_domain:
 * Parses a verb whose first argument names a VM and looks the VM up.
 *
 * Returns: %CTL_OK with *@domain set, or the exit code to return
 */
int
ctl_parse_domain (Ctl           *ctl,
                  const char    *verb,
                  const char    *args,
                  GOptionEntry  *entries,
                  int           *argc,
                  char        ***argv,
                  int            n_positional,
                  VireoDomain  **domain)
{
  GError *error = NULL;

  if (!ctl_parse (verb, args, entries, argc, argv, n_positional))
    return CTL_USAGE;
  if ((*domain = ctl_lookup (ctl, (*argv)[1], &error)) == NULL)
    return ctl_fail (error);
  return CTL_OK;
}

void
ctl_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

/* This computer's VMs, or with --connect a libvirt host's, connected */
static int
open_host (Ctl        *ctl,
           const Verb *verb,
           const char *root,
           const char *uri)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;

  if (uri == NULL || g_str_equal (uri, VIREO_LOCAL_URI))
    {
      ctl->engine = vireo_local_backend_new (root);
      ctl->backend = g_object_ref (VIREO_BACKEND (ctl->engine));
      if (!vireo_local_backend_load (ctl->engine, &error))
        return ctl_fail (error);
      return CTL_OK;
    }
  if (!verb->any_host)
    /* Translators: "snapshot-create works only on this computer's VMs, not on qemu:///system" */
    return ctl_usage (_("%s works only on this computer's VMs, not on %s"), verb->name, uri);
  if (!vireo_hosts_check_uri (uri, &error))
    return ctl_fail (error);
  ctl->backend = vireo_libvirt_backend_new (uri);
  vireo_backend_connect_async (ctl->backend, NULL, ctl_done, &result);
  if (!vireo_backend_connect_finish (ctl->backend, ctl_wait (&result), &error))
    return ctl_fail (error);
  return CTL_OK;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *uri = NULL;
  Ctl ctl = { 0 };
  int first = 1;
  int ret;

  setlocale (LC_ALL, "");
  /* the engine's messages and vireoctl's own are translated; the tests
   * point VIREO_LOCALEDIR at the catalogs in the build tree */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("VIREO_LOCALEDIR") ? g_getenv ("VIREO_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* global options come before the verb */
  while (first < argc && argv[first][0] == '-')
    {
      const char *arg = argv[first];

      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          print_usage (stdout);
          return CTL_OK;
        }
      else if (g_str_equal (arg, "--version"))
        {
          printf ("vireoctl %s\n", PACKAGE_VERSION);
          return CTL_OK;
        }
      else if (g_str_equal (arg, "--json"))
        ctl.json = TRUE;
      else if ((g_str_equal (arg, "--connect") || g_str_equal (arg, "-c")) && first + 1 < argc)
        uri = g_strdup (argv[++first]);
      else if (g_str_has_prefix (arg, "--connect="))
        uri = g_strdup (arg + strlen ("--connect="));
      else if (g_str_equal (arg, "--root") && first + 1 < argc)
        root = g_strdup (argv[++first]);
      else if (g_str_has_prefix (arg, "--root="))
        root = g_strdup (arg + strlen ("--root="));
      else
        return ctl_usage (_("unknown option %s"), arg);
      first++;
    }
  if (first >= argc)
    {
      print_usage (stderr);
      return CTL_USAGE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      if (!g_str_equal (verbs[i].name, argv[first]))
        continue;
      /* verbs also accept --json after the verb */
      for (int j = first + 1; j < argc; j++)
        if (g_str_equal (argv[j], "--json"))
          {
            ctl.json = TRUE;
            memmove (&argv[j], &argv[j + 1], (argc - j) * sizeof (char *));
            argc--;
            j--;
          }
      ctl_askpass_on_terminal ();
      if ((ret = open_host (&ctl, &verbs[i], root, uri)) != CTL_OK)
        return ret;
      ret = verbs[i].func (&ctl, argc - first, argv + first);
      g_clear_object (&ctl.engine);
      g_clear_object (&ctl.backend);
      return ret;
    }
  return ctl_usage (_("unknown verb '%s'"), argv[first]);
}
