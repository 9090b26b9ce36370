/* main.c: the vireo desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <locale.h>

#include "vireo-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VireoApplication) app = NULL;

  setlocale (LC_ALL, "");
  app = vireo_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
