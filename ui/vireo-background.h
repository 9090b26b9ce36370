/* vireo-background.h: asking the desktop to let Vireo run without a window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void     vireo_background_request_async  (GDBusConnection     *bus,
                                          const char          *parent_window,
                                          const char          *reason,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean vireo_background_request_finish (GAsyncResult        *result,
                                          gboolean            *allowed,
                                          GError             **error);

G_END_DECLS
