/* vireo-askpass.h: ssh's questions, asked in Vireo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * VireoAskpassKind:
 * @VIREO_ASKPASS_SECRET: a password or passphrase: do not echo it
 * @VIREO_ASKPASS_CONFIRM: a yes/no question, such as a new host key
 * @VIREO_ASKPASS_INFO: a notice to acknowledge
 */
typedef enum {
  VIREO_ASKPASS_SECRET,
  VIREO_ASKPASS_CONFIRM,
  VIREO_ASKPASS_INFO,
} VireoAskpassKind;

#define VIREO_TYPE_ASKPASS_REQUEST (vireo_askpass_request_get_type ())
G_DECLARE_FINAL_TYPE (VireoAskpassRequest, vireo_askpass_request, VIREO, ASKPASS_REQUEST, GObject)

const char       *vireo_askpass_request_get_prompt (VireoAskpassRequest *self);
VireoAskpassKind  vireo_askpass_request_get_kind   (VireoAskpassRequest *self);
void              vireo_askpass_request_answer     (VireoAskpassRequest *self,
                                                    const char          *answer);

#define VIREO_TYPE_ASKPASS (vireo_askpass_get_type ())
G_DECLARE_FINAL_TYPE (VireoAskpass, vireo_askpass, VIREO, ASKPASS, GObject)

VireoAskpass *vireo_askpass_get_default (void);
gboolean      vireo_askpass_start       (VireoAskpass  *self,
                                         GError       **error);

G_END_DECLS
