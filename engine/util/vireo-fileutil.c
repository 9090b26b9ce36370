/* vireo-fileutil.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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
