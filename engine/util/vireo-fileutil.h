/* vireo-fileutil.h: atomic writes and small file helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean vireo_file_write_atomic (const char  *path,
                                  const char  *contents,
                                  gssize       length,
                                  int          mode,
                                  GError     **error);
gboolean vireo_file_replace_runtime (const char *path,
                                     const char *contents,
                                     gssize      length,
                                     int         mode,
                                     GError    **error);
void     vireo_task_return_error_after_deleting (GTask      *task,
                                                 const char *path,
                                                 GError     *error);
GBytes  *vireo_file_read_regular (const char  *path,
                                  gsize        max,
                                  GError     **error);
char    *vireo_file_read_tail    (const char  *path,
                                  guint        max_lines);
gboolean vireo_mkdir_private     (const char  *dir,
                                  GError     **error);
int      vireo_file_claim        (const char  *path,
                                  GError     **error);
gboolean vireo_file_copy_to_fd   (const char  *source,
                                  int          fd,
                                  const char  *dest,
                                  GCancellable *cancellable,
                                  GError     **error);
gboolean vireo_file_in_document_portal (const char *path);
void     vireo_set_io_error      (GError     **error,
                                  int          errsv,
                                  const char  *format,
                                  ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
