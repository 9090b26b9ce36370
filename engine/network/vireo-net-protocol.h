/* vireo-net-protocol.h: what the engine and vireo-net agree on over D-Bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Service dev.vireo.Net1, object /dev/vireo/Net1, interface dev.vireo.Net1:
 *   Start (a{sv} params)                    polkit: dev.vireo.Net1.manage
 *   Stop (s name)                           polkit: dev.vireo.Net1.manage
 *   OpenTap (s name, s mac) -> (h fd, s tap) polkit: dev.vireo.Net1.manage
 *   Status (s name) -> (a{sv})              anyone
 *   Leases (s name) -> (a(xsss))            anyone
 *   List () -> (as)                         anyone
 * Errors are VIREO_ERROR codes as dev.vireo.Net1.Error.* names, with the
 * one-line message.  Shared by vireo-net (helpers/) and the engine's
 * client; GLib and GIO only.
 */
#pragma once

#include <gio/gio.h>

#include "vireo-error.h"

#define VIREO_NET_BUS_NAME "dev.vireo.Net1"
#define VIREO_NET_OBJECT_PATH "/dev/vireo/Net1"
#define VIREO_NET_INTERFACE "dev.vireo.Net1"
#define VIREO_NET_POLKIT_ACTION "dev.vireo.Net1.manage"

static const GDBusErrorEntry vireo_net_dbus_errors[] = {
  { VIREO_ERROR_FAILED, "dev.vireo.Net1.Error.Failed" },
  { VIREO_ERROR_NOT_FOUND, "dev.vireo.Net1.Error.NotFound" },
  { VIREO_ERROR_EXISTS, "dev.vireo.Net1.Error.Exists" },
  { VIREO_ERROR_INVALID_NAME, "dev.vireo.Net1.Error.InvalidName" },
  { VIREO_ERROR_INVALID_CONFIG, "dev.vireo.Net1.Error.InvalidConfig" },
  { VIREO_ERROR_INVALID_STATE, "dev.vireo.Net1.Error.InvalidState" },
  { VIREO_ERROR_BUSY, "dev.vireo.Net1.Error.Busy" },
  { VIREO_ERROR_PROTOCOL, "dev.vireo.Net1.Error.Protocol" },
  { VIREO_ERROR_PERMISSION, "dev.vireo.Net1.Error.Permission" },
  { VIREO_ERROR_TIMEOUT, "dev.vireo.Net1.Error.Timeout" },
};

/* maps VIREO_ERROR to the names above, both ways, in this process */
static inline void
vireo_net_dbus_register_errors (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("vireo-error-quark", &quark, vireo_net_dbus_errors,
                                      G_N_ELEMENTS (vireo_net_dbus_errors));
}
