/* vireo-net-state.c: the folder where vireo-net keeps what it started
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * STATE/NETWORK/ holds the request (params, GVariant text), dnsmasq's
 * conf, hosts files, lease file and pid file.  The folders are root's
 * (0755: dnsmasq, once it dropped to its own user, re-reads its hosts
 * file on SIGHUP); every file is opened relative to the folder's fd with
 * O_NOFOLLOW, so a link planted there is refused, never followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-net-helper.h"

struct _VnetState {
  char *dir;
  int dirfd;
  int lockfd;
};

static gboolean
io_error (GError    **error,
          int         errsv,
          const char *path)
{
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
               /* Translators: "/run/vireo-net/default/params: Permission denied" */
               _("vireo-net state %s: %s"), path, g_strerror (errsv));
  return FALSE;
}

/**
 * vnet_state_open:
 * Opens (making it when missing) the state folder: a real folder of
 * root's that nobody else may write.
 */
VnetState *
vnet_state_open (const char  *dir,
                 GError     **error)
{
  g_autoptr(VnetState) state = g_new0 (VnetState, 1);
  struct stat st;

  /* the path goes into dnsmasq's conf: nothing there may end a line */
  if (!g_path_is_absolute (dir) || dir[strspn (dir, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                 "0123456789/._+-")] != '\0')
    {
      g_autofree char *shown = g_strescape (dir, NULL);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("vireo-net state folder '%s' must be an absolute path of letters, digits and /._+-"), shown);
      return NULL;
    }
  state->dir = g_strdup (dir);
  state->dirfd = -1;
  state->lockfd = -1;
  if (mkdir (dir, 0755) < 0 && errno != EEXIST)
    return io_error (error, errno, dir), NULL;
  state->dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (state->dirfd < 0)
    return io_error (error, errno, dir), NULL;
  if (fstat (state->dirfd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022) != 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_PERMISSION,
                   _("vireo-net state %s is not a folder of root's that only root may write"), dir);
      return NULL;
    }
  return g_steal_pointer (&state);
}

void
vnet_state_close (VnetState *state)
{
  if (state == NULL)
    return;
  if (state->lockfd >= 0)
    close (state->lockfd);
  if (state->dirfd >= 0)
    close (state->dirfd);
  g_free (state->dir);
  g_free (state);
}

const char *
vnet_state_dir (VnetState *state)
{
  return state->dir;
}

/* one request at a time, whoever runs it: two helpers would race for the
 * same bridge name, the same chains and the same pid file */
gboolean
vnet_state_lock (VnetState  *state,
                 GError    **error)
{
  if (state->lockfd < 0)
    state->lockfd = openat (state->dirfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (state->lockfd < 0 || flock (state->lockfd, LOCK_EX) < 0)
    return io_error (error, errno, state->dir);
  return TRUE;
}

void
vnet_state_unlock (VnetState *state)
{
  if (state->lockfd >= 0)
    flock (state->lockfd, LOCK_UN);
}

char *
vnet_state_path (VnetState  *state,
                 const char *name,
                 const char *file)
{
  return g_build_filename (state->dir, name, file, NULL);
}

static int
open_network (VnetState  *state,
              const char *name)
{
  return openat (state->dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

gboolean
vnet_state_has_network (VnetState  *state,
                        const char *name)
{
  struct stat st;

  return fstatat (state->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode);
}

gboolean
vnet_state_make_network (VnetState  *state,
                         const char *name,
                         GError    **error)
{
  g_autofree char *path = g_build_filename (state->dir, name, NULL);

  if (mkdirat (state->dirfd, name, 0755) < 0 && errno != EEXIST)
    return io_error (error, errno, path);
  if (!vnet_state_has_network (state, name))
    return io_error (error, ENOTDIR, path);
  /* the umask must not take dnsmasq's right to read its hosts file */
  fchmodat (state->dirfd, name, 0755, 0);
  return TRUE;
}

/* removes the folder and the plain files in it (a link is removed, not
 * followed; a subfolder that nobody here made stays, and the folder with it: an error) */
gboolean
vnet_state_remove_network (VnetState   *state,
                           const char  *name,
                           GError     **error)
{
  int fd = open_network (state, name);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *entry;

  if (dir == NULL)
    {
      if (fd >= 0)
        close (fd);
      return errno == ENOENT ? TRUE : io_error (error, errno, state->dir);
    }
  while ((entry = readdir (dir)) != NULL)
    if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0)
      unlinkat (dirfd (dir), entry->d_name, 0);
  closedir (dir);
  if (unlinkat (state->dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    {
      g_autofree char *path = g_build_filename (state->dir, name, NULL);
      return io_error (error, errno, path);
    }
  return TRUE;
}

static gboolean
write_all (int         fd,
           const char *contents)
{
  gsize len = strlen (contents);

  while (len > 0)
    {
      ssize_t n = write (fd, contents, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      contents += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* written whole or not at all: a temporary file, then rename */
gboolean
vnet_state_write (VnetState  *state,
                  const char *name,
                  const char *file,
                  const char *contents,
                  GError    **error)
{
  g_autofree char *tmp = g_strconcat (".", file, ".tmp", NULL);
  g_autofree char *path = vnet_state_path (state, name, file);
  int netfd = open_network (state, name);
  int fd = -1;
  int errsv = 0;

  if (netfd < 0)
    return io_error (error, errno, path);
  fd = openat (netfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 || fchmod (fd, 0644) < 0 || !write_all (fd, contents) || fsync (fd) < 0)
    errsv = errno ? errno : EIO;
  if (fd >= 0 && close (fd) < 0 && errsv == 0)
    errsv = errno;
  if (errsv == 0 && renameat (netfd, tmp, netfd, file) < 0)
    errsv = errno;
  if (errsv != 0)
    unlinkat (netfd, tmp, 0);
  close (netfd);
  return errsv == 0 ? TRUE : io_error (error, errsv, path);
}

/* a regular file of at most @max bytes; NULL and ENOENT's error when
 * missing */
char *
vnet_state_read (VnetState  *state,
                 const char *name,
                 const char *file,
                 gsize       max,
                 GError    **error)
{
  g_autofree char *path = vnet_state_path (state, name, file);
  int netfd = open_network (state, name);
  int fd = netfd < 0 ? -1 : openat (netfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  int errsv = errno;
  struct stat st;
  GString *text = NULL;
  char buf[4096];
  ssize_t n;

  if (netfd >= 0)
    close (netfd);
  if (fd < 0)
    return io_error (error, errsv, path), NULL;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || (gsize) st.st_size > max)
    {
      close (fd);
      return io_error (error, EINVAL, path), NULL;
    }
  text = g_string_new (NULL);
  while ((n = read (fd, buf, sizeof buf)) > 0 && text->len + (gsize) n <= max)
    g_string_append_len (text, buf, n);
  close (fd);
  return g_string_free (text, FALSE);
}

/* the request a running network was started with, checked again */
VireoNetParams *
vnet_state_load_params (VnetState  *state,
                        const char *name,
                        GError    **error)
{
  g_autofree char *text = vnet_state_read (state, name, "params", 1 << 20, error);
  g_autoptr(GVariant) variant = NULL;

  if (text == NULL)
    return NULL;
  variant = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, error);
  if (variant == NULL)
    {
      g_autofree char *path = vnet_state_path (state, name, "params");
      g_clear_error (error);
      return io_error (error, EINVAL, path), NULL;
    }
  return vireo_net_params_from_variant (variant, error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* the networks with a folder here, sorted */
GStrv
vnet_state_list (VnetState *state)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int fd = openat (state->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *entry;

  while (dir != NULL && (entry = readdir (dir)) != NULL)
    if (vireo_network_name_validate (entry->d_name, NULL) && vnet_state_has_network (state, entry->d_name))
      g_ptr_array_add (names, g_strdup (entry->d_name));
  if (dir != NULL)
    closedir (dir);
  else if (fd >= 0)
    close (fd);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
