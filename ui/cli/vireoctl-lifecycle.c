/* vireoctl-lifecycle.c: start, shutdown, destroy, reboot, reset, pause,
 * resume, screenshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "vireo.h"
#include "vireoctl.h"


typedef void     (*DomainAsyncFunc)  (VireoDomain *domain, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
typedef gboolean (*DomainFinishFunc) (VireoDomain *domain, GAsyncResult *result, GError **error);

/* What a verb says when it is done: whole sentences for translators. */
static void
print_done (const char *verb,
            const char *name)
{
  g_autofree char *text = NULL;

  if (g_str_equal (verb, "start"))
    text = g_strdup_printf (_("VM '%s' started"), name);
  else if (g_str_equal (verb, "destroy"))
    text = g_strdup_printf (_("VM '%s' forced off"), name);
  else if (g_str_equal (verb, "pause"))
    text = g_strdup_printf (_("VM '%s' paused"), name);
  else if (g_str_equal (verb, "resume"))
    text = g_strdup_printf (_("VM '%s' resumed"), name);
  else if (g_str_equal (verb, "reset"))
    text = g_strdup_printf (_("VM '%s' reset"), name);
  else if (g_str_equal (verb, "reboot"))
    text = g_strdup_printf (_("VM '%s' is rebooting"), name);
  g_return_if_fail (text != NULL);
  printf ("%s\n", text);
}

/* A verb that takes NAME and runs one domain operation to its end. */
static int
run_domain_verb (Ctl              *ctl,
                 int               argc,
                 char            **argv,
                 DomainAsyncFunc   run,
                 DomainFinishFunc  finish)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *verb = g_strdup (argv[0]);
  GError *error = NULL;
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, verb, "NAME", NULL, &argc, &argv, 1, &domain)) != CTL_OK)
    return ret;
  run (domain, NULL, ctl_done, &result);
  if (!finish (domain, ctl_wait (&result), &error))
    return ctl_fail (error);
  print_done (verb, argv[1]);
  return CTL_OK;
}

/* --user-network: the VM's NICs on virtual networks go on user-mode
 * networking in its definition (what the desktop application and
 * vireo-tui offer when vireo-net is out of reach) */
static gboolean
use_user_network (Ctl          *ctl,
                  VireoDomain  *domain,
                  GError      **error)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_copy (vireo_domain_get_config (domain));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VireoDomain) defined = NULL;

  if (!vireo_domain_config_uses_networks (config))
    return TRUE;
  vireo_domain_config_use_user_networking (config);
  vireo_backend_define_domain_async (ctl->backend, config, NULL, ctl_done, &result);
  defined = vireo_backend_define_domain_finish (ctl->backend, ctl_wait (&result), error);
  return defined != NULL;
}

int
ctl_verb_start (Ctl   *ctl,
                int    argc,
                char **argv)
{
  gboolean user_network = FALSE;
  GOptionEntry entries[] = {
    { "user-network", 0, 0, G_OPTION_ARG_NONE, &user_network,
      N_("Put its interfaces on virtual networks on user-mode networking first (in its definition)"), NULL },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "start", "NAME", entries, &argc, &argv, 1, &domain)) != CTL_OK)
    return ret;
  if (user_network && !use_user_network (ctl, domain, &error))
    return ctl_fail (error);
  vireo_domain_start_async (domain, NULL, ctl_done, &result);
  if (!vireo_domain_start_finish (domain, ctl_wait (&result), &error))
    {
      /* vireo-net is missing or refuses: the way out, on the same line */
      if (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_PERMISSION) &&
          vireo_domain_config_uses_networks (vireo_domain_get_config (domain)))
        {
          g_autofree char *message = g_strdup_printf (_("%s; 'vireoctl start %s --user-network' starts it on user-mode networking"),
                                                      error->message, argv[1]);
          g_free (error->message);
          error->message = g_steal_pointer (&message);
        }
      return ctl_fail (error);
    }
  /* a note, not an error: the guest runs, without KVM */
  if (vireo_domain_get_start_note (domain) != NULL)
    fprintf (stderr, "vireoctl: %s\n", vireo_domain_get_start_note (domain));
  print_done ("start", argv[1]);
  return CTL_OK;
}

int
ctl_verb_shutdown (Ctl   *ctl,
                   int    argc,
                   char **argv)
{
  int timeout = VIREO_DOMAIN_SHUTDOWN_TIMEOUT_S;
  GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
      N_("Seconds the guest may take before it is forced off (default 60, 0: wait forever)"), "S" },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  VireoDomain *domain;

  if (!ctl_parse ("shutdown", "NAME", entries, &argc, &argv, 1))
    return CTL_USAGE;
  if (timeout < 0)
    return ctl_usage (_("shutdown: --timeout must be 0 or more"));
  if ((domain = ctl_lookup (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);
  vireo_domain_shutdown_async (domain, timeout, NULL, ctl_done, &result);
  if (!vireo_domain_shutdown_finish (domain, ctl_wait (&result), &error))
    return ctl_fail (error);
  if (vireo_domain_get_state_reason (domain))
    /* Translators: "VM 'web' is shut off (shut down by the guest)" */
    printf (_("VM '%s' is shut off (%s)\n"), argv[1], vireo_domain_get_state_reason (domain));
  else
    printf (_("VM '%s' is shut off\n"), argv[1]);
  return CTL_OK;
}

int
ctl_verb_destroy (Ctl   *ctl,
                  int    argc,
                  char **argv)
{
  return run_domain_verb (ctl, argc, argv, vireo_domain_destroy_async, vireo_domain_destroy_finish);
}

int
ctl_verb_action (Ctl   *ctl,
                 int    argc,
                 char **argv)
{
  static const struct { const char *verb; VireoDomainAction action; } actions[] = {
    { "pause", VIREO_DOMAIN_ACTION_PAUSE },
    { "resume", VIREO_DOMAIN_ACTION_RESUME },
    { "reset", VIREO_DOMAIN_ACTION_RESET },
    { "reboot", VIREO_DOMAIN_ACTION_REBOOT },
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *verb = g_strdup (argv[0]);
  GError *error = NULL;
  VireoDomain *domain;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_str_equal (actions[i].verb, verb))
      break;
  g_assert (i < G_N_ELEMENTS (actions));
  if (!ctl_parse (verb, "NAME", NULL, &argc, &argv, 1))
    return CTL_USAGE;
  if ((domain = ctl_lookup (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);
  vireo_domain_action_async (domain, actions[i].action, NULL, ctl_done, &result);
  if (!vireo_domain_action_finish (domain, ctl_wait (&result), &error))
    return ctl_fail (error);
  print_done (verb, argv[1]);
  return CTL_OK;
}

int
ctl_verb_screenshot (Ctl   *ctl,
                     int    argc,
                     char **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  VireoDomain *domain;
  int ret;

  if ((ret = ctl_parse_domain (ctl, "screenshot", "NAME FILE.png", NULL, &argc, &argv, 2, &domain)) != CTL_OK)
    return ret;
  vireo_domain_screenshot_async (domain, argv[2], NULL, ctl_done, &result);
  if (!vireo_domain_screenshot_finish (domain, ctl_wait (&result), &error))
    return ctl_fail (error);
  printf (_("Saved the screen of VM '%s' to %s\n"), argv[1], argv[2]);
  return CTL_OK;
}
