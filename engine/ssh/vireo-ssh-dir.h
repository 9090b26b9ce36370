/* vireo-ssh-dir.h: where Vireo's ssh wrapper, askpass and the engine meet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *vireo_ssh_dir                (GError **error);
char *vireo_askpass_socket_path    (const char *dir,
                                    GPid        owner);

G_END_DECLS
