/* vireo-json.h: small json-glib helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonObject *vireo_json_get_object    (JsonObject  *object,
                                      const char  *member);
const char *vireo_json_get_string    (JsonObject  *object,
                                      const char  *member);
gint64      vireo_json_get_int       (JsonObject  *object,
                                      const char  *member,
                                      gint64       fallback);
JsonObject *vireo_json_parse_object  (const char  *text,
                                      gssize       length,
                                      GError     **error);
char       *vireo_json_object_to_string (JsonObject *object);

G_END_DECLS
