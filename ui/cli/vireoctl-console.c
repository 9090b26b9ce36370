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
      "Without a terminal: seconds of quiet after the input ends before leaving (default 1)", "S" },
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
    return ctl_usage ("console: --idle must be 0 or more");
  if ((domain = ctl_lookup (ctl, argv[1], &error)) == NULL)
    return ctl_fail (error);

  vireo_domain_open_console_async (domain, NULL, ctl_done, &result);
  conn = vireo_domain_open_console_finish (domain, ctl_wait (&result), &error);
  if (conn == NULL)
    return ctl_fail (error);

  interactive = isatty (STDIN_FILENO) && isatty (STDOUT_FILENO);
  if (interactive)
    fprintf (stderr, "Connected to VM '%s'. Press Ctrl+] to leave.\r\n", argv[1]);
  gone = vireo_console_attach (conn, interactive, idle * 1000);
  if (interactive)
    fprintf (stderr, "\n%s VM '%s'\n", gone ? "The console closed: shut off" : "Left", argv[1]);
  return CTL_OK;
}
