/* vireo-ids.h: the rules for VM names, UUIDs and MAC addresses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VIREO_NAME_MAX 64

gboolean vireo_name_validate (const char  *name,
                              GError     **error);
gboolean vireo_snapshot_name_validate (const char *name,
                                       GError    **error);
gboolean vireo_snapshot_name_validate_new (const char *name,
                                           GError    **error);
char    *vireo_uuid_generate (void);
gboolean vireo_uuid_is_valid (const char  *uuid);
char    *vireo_uuid_normalize (const char *uuid);
char    *vireo_mac_generate  (GRand       *rand);
char    *vireo_mac_normalize (const char  *mac);

G_END_DECLS
