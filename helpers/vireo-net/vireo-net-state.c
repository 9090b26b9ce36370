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

/* a folder (or a link) on the way to the state folder: root's, and
 * nobody else may write it unless its sticky bit keeps them from
 * renaming what is not theirs (as in /tmp) */
static gboolean
step_is_safe (const struct stat *st)
{
  if (st->st_uid != 0)
    return FALSE;
  if (S_ISLNK (st->st_mode))
    return TRUE;
  return S_ISDIR (st->st_mode) && ((st->st_mode & 022) == 0 || (st->st_mode & S_ISVTX) != 0);
}

/* every folder of @path from the root down; a missing one ends the walk
 * (nothing can be made under it); the first unsafe one goes to @bad */
static gboolean
walk_is_safe (const char  *path,
              char       **bad)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autofree char *prefix = g_strdup ("/");

  for (guint i = 0; ; i++)
    {
      struct stat st;
      char *next;

      if (lstat (prefix, &st) < 0)
        return TRUE;
      if (!step_is_safe (&st))
        {
          *bad = g_steal_pointer (&prefix);
          return FALSE;
        }
      while (parts[i] != NULL && parts[i][0] == '\0')
        i++;
      if (parts[i] == NULL)
        return TRUE;
      next = g_build_filename (prefix, parts[i], NULL);
      g_free (prefix);
      prefix = next;
    }
}

/* the parents of @dir, as written and as resolved: a user who could
 * rename one of them could swap the whole state folder */
static gboolean
parents_are_safe (const char  *dir,
                  GError     **error)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *real = realpath (parent, NULL);
  g_autofree char *bad = NULL;

  if (walk_is_safe (parent, &bad) && (real == NULL || walk_is_safe (real, &bad)))
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_PERMISSION,
               /* Translators: "vireo-net state folder /tmp/x/state: /tmp/x may be changed by users other than root" */
               _("vireo-net state folder %s: %s may be changed by users other than root"), dir, bad);
  return FALSE;
}

/* the state folder, once it exists: a real folder of root's that
 * nobody else may write */
static gboolean
open_dir (VnetState  *state,
          GError    **error)
{
  struct stat st;
  int fd = open (state->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return io_error (error, errno, state->dir);
  if (fstat (fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022) != 0)
    {
      close (fd);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_PERMISSION,
                   _("vireo-net state %s is not a folder of root's that only root may write"), state->dir);
      return FALSE;
    }
  state->dirfd = fd;
  return TRUE;
}

/**
 * vnet_state_open:
 * Checks the state folder's path and its parents, and opens the folder
 * when it exists.  Nothing is made here: a request that changes
 * something makes the folder when it takes the lock (vnet_state_lock());
 * a query on a missing folder sees no network.
 */
VnetState *
vnet_state_open (const char  *dir,
                 GError     **error)
{
  g_autoptr(VnetState) state = g_new0 (VnetState, 1);

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
  if (!parents_are_safe (dir, error))
    return NULL;
  if (access (dir, F_OK) == 0 && !open_dir (state, error))
    return NULL;
  return g_steal_pointer (&state);
}

/* makes the state folder when missing; 0755 whatever the umask:
 * dnsmasq, once it dropped root, re-reads its hosts files under it */
static gboolean
make_dir (VnetState  *state,
          GError    **error)
{
  if (state->dirfd < 0)
    {
      if (mkdir (state->dir, 0755) < 0 && errno != EEXIST)
        return io_error (error, errno, state->dir);
      if (!open_dir (state, error))
        return FALSE;
    }
  if (fchmod (state->dirfd, 0755) < 0)
    return io_error (error, errno, state->dir);
  return TRUE;
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

/* waits for the lock, for at most VNET_LOCK_TIMEOUT_S: a peer stuck
 * with it gives an error, not a hang */
static gboolean
flock_bounded (VnetState  *state,
               int         operation,
               GError    **error)
{
  for (guint waited = 0; ; waited++)
    {
      if (flock (state->lockfd, operation | LOCK_NB) == 0)
        return TRUE;
      if (errno != EWOULDBLOCK && errno != EINTR)
        return io_error (error, errno, state->dir);
      if (waited >= VNET_LOCK_TIMEOUT_S * 10)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_BUSY,
                       /* Translators: "vireo-net state /run/vireo-net: another request has held it for 30 seconds" */
                       _("vireo-net state %s: another request has held it for %u seconds"),
                       state->dir, (guint) VNET_LOCK_TIMEOUT_S);
          return FALSE;
        }
      g_usleep (100 * 1000);
    }
}

/* one request at a time, whoever runs it: two helpers would race for the
 * same bridge name, the same chains and the same pid file */
gboolean
vnet_state_lock (VnetState  *state,
                 GError    **error)
{
  if (!make_dir (state, error))
    return FALSE;
  if (state->lockfd < 0)
    state->lockfd = openat (state->dirfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (state->lockfd < 0)
    return io_error (error, errno, state->dir);
  return flock_bounded (state, LOCK_EX, error);
}

/**
 * vnet_state_lock_read:
 * The lock of a query, which makes nothing: no folder or no lock file
 * yet means no network was ever started here, and there is nothing to
 * wait for.
 */
gboolean
vnet_state_lock_read (VnetState  *state,
                      GError    **error)
{
  if (state->dirfd < 0)
    {
      if (access (state->dir, F_OK) < 0)
        return TRUE;
      if (!open_dir (state, error))
        return FALSE;
    }
  if (state->lockfd < 0)
    state->lockfd = openat (state->dirfd, ".lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (state->lockfd < 0)
    return errno == ENOENT ? TRUE : io_error (error, errno, state->dir);
  return flock_bounded (state, LOCK_SH, error);
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
