/* vireo-lock.c: advisory locks that processes take on a file or folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * flock(2) locks belong to an open file description, not to a process:
 * two open()s in one process conflict like two processes do, a child
 * that inherits the fd (fork, or exec without FD_CLOEXEC) shares the
 * lock, and the lock ends when the last fd on that description closes,
 * however its holder ends (SIGKILL included).  That is what lets a VM's
 * vireo-shim hold its VM's lock for its whole life.
 *
 * A lock file may be removed by its holder (a deleted VM takes its
 * runtime folder with it).  Someone who opened the file before it went
 * and locks it after would hold a lock on a file nobody else can find,
 * so a taker checks that the file it locked is still the one at @path
 * and starts again if not.
 *
 * The holder writes a word into the file (what it is doing: "starting"),
 * so that whoever finds the lock taken can say why.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-lock.h"

#define PURPOSE_MAX 64
#define FOLDER_POLL_MS 10
#define PURPOSE_ATTEMPTS 20
#define PURPOSE_WAIT_MS 5

struct _VireoLock {
  int fd;
  char *path;
};

/* What the holder of the lock on @fd wrote: one word, or "".  A holder
 * writes it just after taking the lock: give it a moment to. */
static char *
read_purpose (int fd)
{
  char buf[PURPOSE_MAX + 1];

  for (guint attempt = 0; attempt < PURPOSE_ATTEMPTS; attempt++)
    {
      gssize n = pread (fd, buf, PURPOSE_MAX, 0);

      buf[n > 0 ? n : 0] = '\0';
      buf[strcspn (buf, "\n")] = '\0';
      if (buf[0] != '\0')
        break;
      g_usleep (PURPOSE_WAIT_MS * 1000);
    }
  return g_strdup (buf);
}

/* Whether @fd is still the file at @path (nobody removed or replaced it
 * between our open() and our flock()). */
static gboolean
still_at_path (int         fd,
               const char *path)
{
  struct stat by_fd, by_path;

  return fstat (fd, &by_fd) == 0 && stat (path, &by_path) == 0 &&
         by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

static VireoLock *
lock_new (int         fd,
          const char *path)
{
  VireoLock *lock = g_new0 (VireoLock, 1);

  lock->fd = fd;
  lock->path = g_strdup (path);
  return lock;
}

/**
 * vireo_lock_try:
 * @path: the lock file, created (0600) if missing; its folder must exist
 * @purpose: (nullable): one word saying what the holder does, written
 *   into the file for whoever finds it taken
 * @holder: (out) (optional) (transfer full): when the lock is taken, what
 *   its holder wrote ("" if nothing)
 *
 * Takes an exclusive lock at once, or fails with %VIREO_ERROR_BUSY when
 * another open file holds it (in this process or another); never waits.
 * The fd is close-on-exec: pass it on explicitly to hand the lock over.
 * Any thread.
 *
 * Returns: (transfer full) (nullable): the lock, released by
 *   vireo_lock_free()
 */
VireoLock *
vireo_lock_try (const char  *path,
                const char  *purpose,
                char       **holder,
                GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  if (holder)
    *holder = NULL;
  /* a remover between our open and our flock makes us start again; a
   * few rounds are plenty, each needs another remover */
  for (guint attempt = 0; attempt < 16; attempt++)
    {
      int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

      if (fd < 0)
        {
          vireo_set_io_error (error, errno, _("Cannot open the lock file %s"), path);
          return NULL;
        }
      if (flock (fd, LOCK_EX | LOCK_NB) != 0)
        {
          int errsv = errno;
          g_autofree char *what = errsv == EWOULDBLOCK ? read_purpose (fd) : NULL;

          close (fd);
          if (errsv != EWOULDBLOCK)
            {
              vireo_set_io_error (error, errsv, _("Cannot lock %s"), path);
              return NULL;
            }
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_BUSY,
                       /* Translators: the second %s is what the holder does, as it wrote it */
                       _("%s is locked by another process (%s)"), path, what);
          if (holder)
            *holder = g_steal_pointer (&what);
          return NULL;
        }
      if (!still_at_path (fd, path))
        {
          close (fd);
          continue;
        }
      if (ftruncate (fd, 0) != 0 ||
          (purpose && pwrite (fd, purpose, strlen (purpose), 0) < 0))
        g_debug ("cannot note the purpose of lock %s: %s", path, g_strerror (errno));
      return lock_new (fd, path);
    }
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_BUSY,
               _("%s is locked by another process (%s)"), path, "");
  return NULL;
}

/**
 * vireo_lock_folder:
 * @path: an existing folder
 * @timeout_ms: how long to wait for another holder
 *
 * Locks the folder itself (no file is made in it), waiting up to
 * @timeout_ms for a holder that keeps it for a moment only (a definition
 * being checked and written).  Blocks the calling thread while it waits.
 *
 * Returns: (transfer full) (nullable): the lock, or %NULL with
 *   %VIREO_ERROR_BUSY after @timeout_ms
 */
VireoLock *
vireo_lock_folder (const char  *path,
                   guint        timeout_ms,
                   GError     **error)
{
  int fd;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  g_return_val_if_fail (path != NULL, NULL);

  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      vireo_set_io_error (error, errno, _("Cannot open the folder %s"), path);
      return NULL;
    }
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int errsv = errno;

      if (errsv != EWOULDBLOCK && errsv != EINTR)
        {
          close (fd);
          vireo_set_io_error (error, errsv, _("Cannot lock %s"), path);
          return NULL;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          close (fd);
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_BUSY,
                       _("The folder %s stayed locked by another process"), path);
          return NULL;
        }
      g_usleep (FOLDER_POLL_MS * 1000);
    }
  return lock_new (fd, path);
}

/**
 * vireo_lock_get_fd:
 * Returns: the locked fd, for handing the lock to a child process (which
 *   then holds it as long as it keeps the fd open)
 */
int
vireo_lock_get_fd (VireoLock *lock)
{
  g_return_val_if_fail (lock != NULL, -1);

  return lock->fd;
}

/**
 * vireo_lock_remove:
 * Deletes the lock file while still holding it, then releases it: for a
 * holder that deletes what the lock protected.
 */
void
vireo_lock_remove (VireoLock *lock)
{
  if (lock == NULL)
    return;
  if (unlink (lock->path) != 0 && errno != ENOENT)
    g_debug ("cannot remove lock %s: %s", lock->path, g_strerror (errno));
  vireo_lock_free (lock);
}

/**
 * vireo_lock_free:
 * Releases the lock (unless a child still holds the fd) and frees it.
 */
void
vireo_lock_free (VireoLock *lock)
{
  if (lock == NULL)
    return;
  close (lock->fd);
  g_free (lock->path);
  g_free (lock);
}
