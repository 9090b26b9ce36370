/* vireo-console-attach.h: a VM's serial console on this terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define VIREO_CONSOLE_ESCAPE 0x1d   /* Ctrl+] leaves, as in virsh */

gboolean vireo_console_attach (GSocketConnection *conn,
                               gboolean           interactive,
                               guint              idle_ms);

G_END_DECLS
