/* vireo-console-resources.h: the console widgets' templates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void vireo_console_ensure_resources (void);

G_END_DECLS
