/* vireo-fileutil.h: atomic writes and small file helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean vireo_file_write_atomic (const char  *path,
                                  const char  *contents,
                                  gssize       length,
                                  int          mode,
                                  GError     **error);
char    *vireo_file_read_tail    (const char  *path,
                                  guint        max_lines);
void     vireo_set_io_error      (GError     **error,
                                  int          errsv,
                                  const char  *format,
                                  ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
