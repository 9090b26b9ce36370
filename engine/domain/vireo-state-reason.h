/* vireo-state-reason.h: why a VM is in its state, in the user's words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char *vireo_state_reason_describe (const char *code,
                                   JsonObject *data);
char *vireo_state_reason_from_state (JsonObject *state);

G_END_DECLS
