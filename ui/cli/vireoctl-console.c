/* vireoctl-console.c: the serial console verb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <unistd.h>

#include "vireo-console-attach.h"
#include "vireo.h"
#include "vireoctl.h"

int
ctl_verb_console (Ctl   *ctl,
                  int    argc,
                  char **argv)
{
  double idle = 1.0;
  GOptionEntry entries[] = {
    { "idle", 0, 0, G_OPTION_ARG_DOUBLE, &idle,
      N_("Without a terminal: seconds of quiet after the input ends before leaving (default 1)"), "S" },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  GError *error = NULL;
  VireoDomain *domain;
  gboolean interactive, gone;

  if (!ctl_parse ("console", "NAME", entries, &argc, &argv, 1))
    return CTL_USAGE;
  if (idle < 0)
    return ctl_usage (_("console: --idle must be 0 or more"));
  if ((domain = ctl_lookup (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);

  vireo_domain_open_console_async (domain, NULL, ctl_done, &result);
  conn = vireo_domain_open_console_finish (domain, ctl_wait (&result), &error);
  if (conn == NULL)
    return ctl_fail (error);

  interactive = isatty (STDIN_FILENO) && isatty (STDOUT_FILENO);
  if (interactive)
    {
      g_autofree char *hello = g_strdup_printf (_("Connected to VM '%s'. Press Ctrl+] to leave."), argv[1]);
      fprintf (stderr, "%s\r\n", hello);
    }
  gone = vireo_console_attach (conn, interactive, idle * 1000);
  if (interactive)
    {
      g_autofree char *bye = gone ? g_strdup_printf (_("The console closed: VM '%s' shut off"), argv[1])
                                  : g_strdup_printf (_("Left VM '%s'"), argv[1]);
      fprintf (stderr, "\n%s\n", bye);
    }
  return CTL_OK;
}
