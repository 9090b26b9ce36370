/* vireo-error.h: the one error domain of the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VIREO_ERROR (vireo_error_quark ())

/**
 * VireoErrorCode:
 * Codes a front end can act on.  The message of a #GError in this domain is
 * one line that names the object and the cause.
 */
typedef enum {
  VIREO_ERROR_FAILED,
  VIREO_ERROR_NOT_FOUND,
  VIREO_ERROR_EXISTS,
  VIREO_ERROR_INVALID_NAME,
  VIREO_ERROR_INVALID_CONFIG,
  VIREO_ERROR_INVALID_STATE,
  VIREO_ERROR_BUSY,
  VIREO_ERROR_QEMU_FAILED,
  VIREO_ERROR_PROTOCOL,
  VIREO_ERROR_PERMISSION,
  VIREO_ERROR_TIMEOUT,
  VIREO_ERROR_NO_SPACE,
  VIREO_ERROR_DISCONNECTED,   /* the peer (QEMU, a shim) hung up: the caller words it */
  VIREO_ERROR_NOT_SUPPORTED,  /* the VM's host cannot do that (VireoBackendCaps) */
} VireoErrorCode;

GQuark vireo_error_quark (void);

G_END_DECLS
