/* vireo-ssh-main.c: the ssh that libvirt runs for Vireo's qemu+ssh hosts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libvirt starts it (the URI's command=) with ssh's arguments, in an
 * environment it has emptied but for a few names.  It
 *   - leaves the terminal (setsid), so that ssh asks its questions (a
 *     password, a passphrase, a new host key) through askpass, never on a
 *     terminal that vireo-tui draws on or that a desktop session lacks;
 *   - points askpass at vireo-askpass beside it, forced (SSH_ASKPASS_REQUIRE),
 *     and tells it the socket of the Vireo process that asked (its parent);
 *   - shares one connection per host (ControlMaster, kept 60 s after the
 *     last use), so consoles and displays do not each log in again;
 *   - reads $HOME/.ssh/config when HOME is not the account's home (ssh
 *     itself reads only the account's), as a sandboxed or test HOME wants.
 *   vireo-ssh SSH-ARGUMENTS…
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "vireo-ssh-dir.h"

static char *
sibling (const char *name)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;

  return dir != NULL ? g_build_filename (dir, name, NULL) : NULL;
}

/* $HOME/.ssh/config, when HOME is not the account's own home */
static char *
home_config (void)
{
  const char *home = g_getenv ("HOME");
  struct passwd *pw = getpwuid (getuid ());
  g_autofree char *config = NULL;

  if (home == NULL || pw == NULL || g_strcmp0 (home, pw->pw_dir) == 0)
    return NULL;
  config = g_build_filename (home, ".ssh", "config", NULL);
  return g_file_test (config, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&config) : NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = vireo_ssh_dir (&error);
  g_autofree char *askpass = sibling ("vireo-askpass");
  g_autofree char *config = home_config ();
  g_autofree char *socket = NULL;

  setsid ();
  if (askpass != NULL)
    {
      g_setenv ("SSH_ASKPASS", askpass, TRUE);
      g_setenv ("SSH_ASKPASS_REQUIRE", "force", TRUE);
    }
  if (dir != NULL)
    {
      socket = vireo_askpass_socket_path (dir, getppid ());
      g_setenv ("VIREO_ASKPASS_SOCKET", socket, TRUE);
    }
  else
    fprintf (stderr, "vireo-ssh: %s\n", error->message);

  g_ptr_array_add (args, g_strdup ("ssh"));
  if (config != NULL)
    {
      g_ptr_array_add (args, g_strdup ("-F"));
      g_ptr_array_add (args, g_steal_pointer (&config));
    }
  if (dir != NULL)
    {
      g_ptr_array_add (args, g_strdup ("-o"));
      g_ptr_array_add (args, g_strdup ("ControlMaster=auto"));
      g_ptr_array_add (args, g_strdup ("-o"));
      g_ptr_array_add (args, g_strdup_printf ("ControlPath=%s/cm-%%C", dir));
      g_ptr_array_add (args, g_strdup ("-o"));
      g_ptr_array_add (args, g_strdup ("ControlPersist=60"));
    }
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (args, g_strdup (argv[i]));
  g_ptr_array_add (args, NULL);
  execvp ("ssh", (char **) args->pdata);
  fprintf (stderr, "vireo-ssh: cannot run ssh: %s\n", g_strerror (errno));
  return 127;
}
