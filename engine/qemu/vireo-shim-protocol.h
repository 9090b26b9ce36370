/* vireo-shim-protocol.h: what the engine and vireo-shim agree on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The shim is a separate program that links only util/ and the QMP
 * client, so everything both sides must spell the same way lives here:
 * the fds QEMU inherits, and (as they move here) the state names and the
 * keys of state.json.
 */
#pragma once

/* The file descriptors the shim hands QEMU, at these numbers. */
#define VIREO_QEMU_QMP_FD    3
#define VIREO_QEMU_SERIAL_FD 4
#define VIREO_QEMU_AGENT_FD  5
