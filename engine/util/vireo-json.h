/* vireo-json.h: small json-glib helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonObject *vireo_json_get_object    (JsonObject  *object,
                                      const char  *member);
JsonObject *vireo_json_parse_object  (const char  *text,
                                      gssize       length,
                                      GError     **error);
char       *vireo_json_object_to_string (JsonObject *object);

G_END_DECLS
