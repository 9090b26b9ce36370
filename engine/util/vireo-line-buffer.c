/* vireo-line-buffer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-line-buffer.h"
#include "vireo-i18n.h"

void
vireo_line_buffer_init (VireoLineBuffer *lb,
                        gsize            max_line)
{
  lb->data = g_string_new (NULL);
  lb->start = 0;
  lb->max_line = max_line;
  lb->overflowed = FALSE;
}

void
vireo_line_buffer_clear (VireoLineBuffer *lb)
{
  if (lb->data)
    g_string_free (lb->data, TRUE);
  lb->data = NULL;
  lb->start = 0;
}

gsize
vireo_line_buffer_pending (const VireoLineBuffer *lb)
{
  return lb->data->len - lb->start;
}

gboolean
vireo_line_buffer_feed (VireoLineBuffer *lb,
                        const char      *bytes,
                        gsize            length,
                        GError         **error)
{
  const char *nl;

  if (lb->overflowed)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL,
                   _("a message is longer than %lu bytes"), (unsigned long) lb->max_line);
      return FALSE;
    }
  /* Drop what was returned before growing, to keep the buffer small. */
  if (lb->start > 0)
    {
      g_string_erase (lb->data, 0, lb->start);
      lb->start = 0;
    }
  g_string_append_len (lb->data, bytes, length);

  /* Only the unfinished tail counts against the limit. */
  nl = memrchr (lb->data->str, '\n', lb->data->len);
  if (lb->data->len - (nl ? (gsize) (nl - lb->data->str) + 1 : 0) > lb->max_line)
    {
      /* The lines before the long one are not trusted either. */
      g_string_truncate (lb->data, 0);
      lb->overflowed = TRUE;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL,
                   _("a message is longer than %lu bytes"), (unsigned long) lb->max_line);
      return FALSE;
    }
  return TRUE;
}

char *
vireo_line_buffer_pop (VireoLineBuffer *lb)
{
  const char *begin = lb->data->str + lb->start;
  const char *nl = memchr (begin, '\n', lb->data->len - lb->start);
  gsize len;

  if (nl == NULL)
    return NULL;
  len = nl - begin;
  lb->start += len + 1;
  if (len > 0 && begin[len - 1] == '\r')
    len--;
  return g_strndup (begin, len);
}
