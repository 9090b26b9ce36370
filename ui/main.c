/* main.c: the vireo desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <locale.h>

#include "config.h"
#include "vireo-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VireoApplication) app = NULL;

  /* Nothing in Vireo draws with OpenGL, and GDK's GL set-up loads the
   * whole GL driver stack at start-up (on Mesa about 50 ms and 50 MiB of
   * resident libraries): skip it unless the user asked for it. */
  g_setenv ("GDK_GL", "disable", FALSE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  app = vireo_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
