/* vireo-ssh-dir.c: where Vireo's ssh wrapper, askpass and the engine meet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One private folder per user: $XDG_RUNTIME_DIR/vireo-ssh, or
 * /tmp/vireo-ssh-UID without one.  It holds the ssh connections' shared
 * control sockets (ControlPath) and each Vireo process's askpass socket,
 * named after its pid: the wrapper finds it as its parent's, since libvirt
 * starts it as a child of the process that connects.  A folder that is
 * not the user's own, or that others may enter, is refused: in /tmp
 * another user could have made it first.
 */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-ssh-dir.h"

/**
 * vireo_ssh_dir:
 * Returns: (transfer full): the folder, made if missing; %NULL with
 *   @error (G_IO_ERROR) when it cannot be made or is not private
 */
char *
vireo_ssh_dir (GError **error)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *dir = NULL;
  GStatBuf st;

  if (runtime != NULL && g_path_is_absolute (runtime))
    dir = g_build_filename (runtime, "vireo-ssh", NULL);
  else
    dir = g_strdup_printf ("%s/vireo-ssh-%u", g_get_tmp_dir (), (guint) getuid ());
  if (g_mkdir (dir, 0700) < 0 && errno != EEXIST)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", dir, g_strerror (errno));
      return NULL;
    }
  if (lstat (dir, &st) < 0 || !S_ISDIR (st.st_mode) || st.st_uid != getuid () || (st.st_mode & 077) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "%s is not a private folder of this user", dir);
      return NULL;
    }
  return g_steal_pointer (&dir);
}

/**
 * vireo_askpass_socket_path:
 * @owner: the pid of the Vireo process that answers
 */
char *
vireo_askpass_socket_path (const char *dir,
                           GPid        owner)
{
  return g_strdup_printf ("%s/askpass-%d.sock", dir, (int) owner);
}
