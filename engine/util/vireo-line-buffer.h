/* vireo-line-buffer.h: splits a byte stream into bounded lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * VireoLineBuffer:
 * Bytes go in as they arrive (half a line, or several lines at once);
 * complete lines come out without their "\n" or "\r\n".  An unfinished
 * line longer than the limit is an error, so a peer cannot make us buffer
 * without bound; after it the buffer holds nothing and refuses every
 * feed, since what follows is the middle of a line (the owner drops the
 * peer, or clears and initialises the buffer again).
 */
typedef struct {
  GString *data;
  gsize start;      /* first byte not yet returned */
  gsize max_line;
  gboolean overflowed;
} VireoLineBuffer;

void     vireo_line_buffer_init  (VireoLineBuffer *lb,
                                  gsize            max_line);
void     vireo_line_buffer_clear (VireoLineBuffer *lb);
gboolean vireo_line_buffer_feed  (VireoLineBuffer *lb,
                                  const char      *bytes,
                                  gsize            length,
                                  GError         **error);
char    *vireo_line_buffer_pop   (VireoLineBuffer *lb);
gsize    vireo_line_buffer_pending (const VireoLineBuffer *lb);

G_END_DECLS
