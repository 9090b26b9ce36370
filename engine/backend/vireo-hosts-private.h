/* vireo-hosts-private.h: the saved hosts' file, for vireo-hosts.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-hosts.h"

G_BEGIN_DECLS

char     *_vireo_hosts_printable    (const char  *text);
gboolean  _vireo_hosts_check_title  (const char  *uri,
                                     const char  *title,
                                     GError     **error);
GKeyFile *_vireo_hosts_read_file    (const char  *path,
                                     GPtrArray   *load_errors,
                                     gboolean    *intact,
                                     GError     **error);
gboolean  _vireo_hosts_parse_group  (GKeyFile    *keyfile,
                                     const char  *uri,
                                     char       **title,
                                     gboolean    *autoconnect,
                                     GError     **error);
gboolean  _vireo_hosts_write_file   (const char  *path,
                                     GKeyFile    *keyfile,
                                     GError     **error);

G_END_DECLS
