/* vireo-fileutil.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"

/**
 * vireo_set_io_error:
 * Sets a %VIREO_ERROR whose code follows @errsv (a full disk, a permission
 * problem) and whose message is the formatted text, a colon and strerror.
 */
void
vireo_set_io_error (GError    **error,
                    int         errsv,
                    const char *format,
                    ...)
{
  g_autofree char *what = NULL;
  va_list args;
  int code;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  switch (errsv)
    {
    case ENOENT: code = VIREO_ERROR_NOT_FOUND; break;
    case EEXIST: code = VIREO_ERROR_EXISTS; break;
    case EACCES:
    case EPERM: code = VIREO_ERROR_PERMISSION; break;
    case ENOSPC:
    case EDQUOT: code = VIREO_ERROR_NO_SPACE; break;
    default: code = VIREO_ERROR_FAILED; break;
    }

  g_set_error (error, VIREO_ERROR, code, "%s: %s", what, g_strerror (errsv));
}

/**
 * vireo_mkdir_private:
 * Makes @dir and its missing parents, each private to its owner (0700)
 * whatever the umask: the tree holds disks and the sockets that control
 * guests.  Folders that exist keep their mode.
 */
gboolean
vireo_mkdir_private (const char  *dir,
                     GError     **error)
{
  g_autofree char *abs = g_canonicalize_filename (dir, NULL);
  char *slash = abs;

  do
    {
      slash = strchr (slash + 1, '/');
      if (slash != NULL)
        *slash = '\0';
      if (!g_file_test (abs, G_FILE_TEST_IS_DIR))
        {
          if (mkdir (abs, 0700) != 0)
            {
              vireo_set_io_error (error, errno, _("Cannot create folder %s"), abs);
              return FALSE;
            }
          /* the umask may have taken the owner's bits too */
          chmod (abs, 0700);
        }
      if (slash != NULL)
        *slash = '/';
    }
  while (slash != NULL);
  return TRUE;
}

/**
 * vireo_file_claim:
 * Creates @path as a new, empty file private to its owner (0600 whatever
 * the umask), and fails with %VIREO_ERROR_EXISTS if anything is there:
 * a call removes on failure only what it claimed.
 *
 * Returns: a file descriptor open for writing (close it), or -1
 */
int
vireo_file_claim (const char  *path,
                  GError     **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      vireo_set_io_error (error, errno, _("Cannot create %s"), path);
      return -1;
    }
  fchmod (fd, 0600);
  return fd;
}

/**
 * vireo_file_copy_to_fd:
 * @dest: the file @fd writes, for messages
 *
 * Copies @source into @fd (from vireo_file_claim()); blocks, so call it on
 * a worker thread.  @fd stays open.
 */
gboolean
vireo_file_copy_to_fd (const char    *source,
                       int            fd,
                       const char    *dest,
                       GCancellable  *cancellable,
                       GError       **error)
{
  char buf[65536];
  gssize n;
  int in = open (source, O_RDONLY | O_CLOEXEC);

  if (in < 0)
    {
      vireo_set_io_error (error, errno, _("Cannot read %s"), source);
      return FALSE;
    }
  while ((n = read (in, buf, sizeof buf)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          vireo_set_io_error (error, errno, _("Cannot read %s"), source);
          close (in);
          return FALSE;
        }
      for (gssize done = 0, w; done < n; done += w)
        if ((w = write (fd, buf + done, n - done)) < 0)
          {
            if (errno == EINTR)
              {
                w = 0;
                continue;
              }
            vireo_set_io_error (error, errno, _("Cannot write %s"), dest);
            close (in);
            return FALSE;
          }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (in);
          return FALSE;
        }
    }
  close (in);
  return TRUE;
}

/**
 * vireo_file_write_atomic:
 * Writes a temporary file beside @path, fsyncs it and renames it over
 * @path, so a reader sees the old or the new contents, never a mix, and a
 * full disk leaves the old file intact.
 */
gboolean
vireo_file_write_atomic (const char *path,
                         const char *contents,
                         gssize      length,
                         int         mode,
                         GError    **error)
{
  g_autoptr(GError) local_error = NULL;

  if (length < 0)
    length = strlen (contents);

  if (!g_file_set_contents_full (path, contents, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT |
                                 G_FILE_SET_CONTENTS_DURABLE,
                                 mode, &local_error))
    {
      int errsv = local_error->domain == G_FILE_ERROR
                  ? (local_error->code == G_FILE_ERROR_NOSPC ? ENOSPC :
                     local_error->code == G_FILE_ERROR_ACCES ? EACCES :
                     local_error->code == G_FILE_ERROR_NOENT ? ENOENT :
                     local_error->code == G_FILE_ERROR_PERM ? EPERM : EIO)
                  : EIO;
      vireo_set_io_error (error, errsv, _("Cannot write %s"), path);
      return FALSE;
    }

  return TRUE;
}

/**
 * vireo_file_replace_runtime:
 *
 * For runtime files (state.json, the live definition): a reader sees the
 * old or the new contents, never a mix, but nothing is flushed to disk.
 * They describe running processes and mean nothing after a reboot, so
 * the fsync that a definition deserves would only cost time at every
 * start and a disk write every few seconds per running VM.
 */
gboolean
vireo_file_replace_runtime (const char *path,
                            const char *contents,
                            gssize      length,
                            int         mode,
                            GError    **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", path);
  gsize done = 0;
  int fd;

  if (length < 0)
    length = strlen (contents);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0)
    {
      vireo_set_io_error (error, errno, _("Cannot write %s"), path);
      return FALSE;
    }
  while (done < (gsize) length)
    {
      ssize_t n = write (fd, contents + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int errsv = n < 0 ? errno : EIO;

          close (fd);
          g_unlink (tmp);
          vireo_set_io_error (error, errsv, _("Cannot write %s"), path);
          return FALSE;
        }
      done += n;
    }
  if (close (fd) != 0 || rename (tmp, path) != 0)
    {
      int errsv = errno;

      g_unlink (tmp);
      vireo_set_io_error (error, errsv, _("Cannot write %s"), path);
      return FALSE;
    }
  return TRUE;
}

/**
 * vireo_file_read_tail:
 * Returns: (nullable): the last @max_lines non-empty lines of a log file,
 *   joined with newlines, or %NULL when there are none.  Reads at most
 *   the last 64 KiB.
 */
char *
vireo_file_read_tail (const char *path,
                      guint       max_lines)
{
  g_autofree char *buf = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) keep = g_ptr_array_new ();
  FILE *fp;
  long size;
  gsize n;

  fp = fopen (path, "re");
  if (fp == NULL)
    return NULL;
  fseek (fp, 0, SEEK_END);
  size = ftell (fp);
  if (size > 65536)
    fseek (fp, size - 65536, SEEK_SET);
  else
    fseek (fp, 0, SEEK_SET);
  buf = g_malloc0 (65537);
  n = fread (buf, 1, 65536, fp);
  buf[n] = '\0';
  fclose (fp);

  lines = g_strsplit (buf, "\n", -1);
  for (int i = g_strv_length (lines) - 1; i >= 0 && keep->len < max_lines; i--)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0')
        g_ptr_array_insert (keep, 0, lines[i]);
    }
  if (keep->len == 0)
    return NULL;
  g_ptr_array_add (keep, NULL);
  return g_strjoinv ("\n", (char **) keep->pdata);
}

static void
on_made_file_deleted (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = g_object_steal_data (G_OBJECT (task), "vireo-failure");

  /* the file may already be gone; the failure is the news */
  g_file_delete_finish (G_FILE (source), result, NULL);
  g_task_return_error (task, error);
}

/**
 * vireo_task_return_error_after_deleting:
 * @task: (transfer full): the call that failed
 * @path: a file this call made and must not leave behind
 * @error: (transfer full): why it failed
 *
 * Deletes @path on the worker pool (a multi-GB image's unlink takes
 * time), then returns @error on @task.
 */
void
vireo_task_return_error_after_deleting (GTask      *task,
                                        const char *path,
                                        GError     *error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_object_set_data_full (G_OBJECT (task), "vireo-failure", error, (GDestroyNotify) g_error_free);
  g_file_delete_async (file, G_PRIORITY_DEFAULT, NULL, on_made_file_deleted, task);
}

/**
 * vireo_file_read_regular:
 * @max: the most bytes the file may hold
 *
 * Reads a small file that something else could have swapped: a symbolic
 * link is not followed, and what is not a regular file (a FIFO that would
 * block the reader for ever, a device) or is larger than @max is refused.
 * Opened first, then looked at, so the answer is about the file read.
 *
 * Returns: (transfer full) (nullable): its contents
 */
GBytes *
vireo_file_read_regular (const char  *path,
                         gsize        max,
                         GError     **error)
{
  g_autofree char *data = NULL;
  struct stat st;
  gsize done = 0;
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    {
      vireo_set_io_error (error, errno, _("Cannot read %s"), path);
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size > max)
    {
      g_autofree char *size = g_format_size (max);

      close (fd);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s is not a regular file of at most %s"), path, size);
      return NULL;
    }
  data = g_malloc (st.st_size + 1);
  while (done < (gsize) st.st_size)
    {
      gssize n = read (fd, data + done, st.st_size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += n;
    }
  close (fd);
  return g_bytes_new_take (g_steal_pointer (&data), done);
}

static gboolean
is_under (const char *path,
          const char *dir)
{
  gsize len = strlen (dir);

  return len > 1 && strncmp (path, dir, len) == 0 && path[len] == '/';
}

/**
 * vireo_file_in_document_portal:
 * @path: a file a VM would use
 *
 * Whether @path is a file shared through the Flatpak document portal:
 * what the file chooser hands a sandboxed app, under
 * `$XDG_RUNTIME_DIR/doc/` or `/run/user/UID/doc/` (and the sandbox's
 * `/run/flatpak/doc/`).  The portal's FUSE file system has no byte-range
 * locks, so QEMU's image locking fails there ("Failed to lock byte 100").
 *
 * Decided by the path alone, lexically (no symlink is followed, nothing
 * is touched): a stat or statfs could hang on a FUSE file system whose
 * server is gone, and FUSE's magic number does not tell the portal from
 * any other.  The one place Vireo decides it: the command line, a live
 * media change and the check of a definition's images all ask here.
 */
gboolean
vireo_file_in_document_portal (const char *path)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *abs = NULL;
  g_autofree char *user_doc = g_strdup_printf ("/run/user/%u/doc", (unsigned) getuid ());
  g_autofree char *runtime_doc = NULL;

  if (path == NULL || !g_path_is_absolute (path))
    return FALSE;
  abs = g_canonicalize_filename (path, NULL);
  if (runtime != NULL && g_path_is_absolute (runtime))
    {
      g_autofree char *joined = g_build_filename (runtime, "doc", NULL);
      runtime_doc = g_canonicalize_filename (joined, NULL);
    }
  return is_under (abs, user_doc) || is_under (abs, "/run/flatpak/doc") ||
         (runtime_doc != NULL && is_under (abs, runtime_doc));
}
