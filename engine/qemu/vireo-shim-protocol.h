/* vireo-shim-protocol.h: what the engine and vireo-shim agree on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The shim is a separate program that links only util/ and the QMP
 * client, so everything both sides must spell the same way lives here:
 * the fds QEMU inherits, the state names, the keys of state.json and the
 * codes of why a VM is in its state.
 *
 * The shim records a reason as a code plus data (an exit code, a signal
 * number, QEMU's last log line), never as a sentence: the engine words it
 * in the user's language.  Guests outlive the program that started them,
 * so an engine also meets state.json files of older shims, which hold an
 * English sentence in VIREO_STATE_KEY_REASON and no code: it shows those
 * as they are.
 */
#pragma once

/* The file descriptors the shim hands QEMU, at these numbers. */
#define VIREO_QEMU_QMP_FD    3
#define VIREO_QEMU_SERIAL_FD 4
#define VIREO_QEMU_AGENT_FD  5
/* the taps of NICs on virtual networks, one after another from here */
#define VIREO_QEMU_TAP_FD    6
#define VIREO_QEMU_TAPS_MAX  32

/* The taps come to the shim from the engine at these numbers (3 and 4
 * are the ready pipe and the run lock): `vireo-shim --taps=N` */
#define VIREO_SHIM_TAP_FD    5

/* The file in the VM's runtime folder, rewritten atomically. */
#define VIREO_STATE_FILE "state.json"
/* swtpm's control socket in the runtime folder, for a VM with a TPM */
#define VIREO_SWTPM_SOCKET "swtpm.sock"

/* Values of VIREO_STATE_KEY_STATE (VireoDomainState's nicks). */
#define VIREO_STATE_SHUTOFF       "shutoff"
#define VIREO_STATE_STARTING      "starting"
#define VIREO_STATE_RUNNING       "running"
#define VIREO_STATE_PAUSED        "paused"
#define VIREO_STATE_SHUTTING_DOWN "shutting-down"
#define VIREO_STATE_CRASHED       "crashed"

/* Keys of state.json (and of the shim's "vireo-info" reply). */
#define VIREO_STATE_KEY_NAME            "name"
#define VIREO_STATE_KEY_UUID            "uuid"
#define VIREO_STATE_KEY_STATE           "state"
#define VIREO_STATE_KEY_REASON_CODE     "reason-code"   /* a VIREO_REASON_* */
#define VIREO_STATE_KEY_REASON          "reason"        /* older shims: an English sentence */
#define VIREO_STATE_KEY_START_ERROR     "start-error"   /* why a start failed, not translated */
#define VIREO_STATE_KEY_QEMU_MESSAGE    "qemu-message"  /* QEMU's last log line */
#define VIREO_STATE_KEY_EXIT_CODE       "exit-code"     /* -1 when killed by a signal */
#define VIREO_STATE_KEY_EXIT_SIGNAL     "exit-signal"   /* 0 when it exited */
#define VIREO_STATE_KEY_ACCEL           "accel"
#define VIREO_STATE_KEY_SHIM_PID        "shim-pid"
#define VIREO_STATE_KEY_SHIM_START_TIME "shim-start-time"
#define VIREO_STATE_KEY_QEMU_PID        "qemu-pid"
#define VIREO_STATE_KEY_QEMU_START_TIME "qemu-start-time"
#define VIREO_STATE_KEY_STARTED_AT      "started-at"    /* seconds since the epoch */
#define VIREO_STATE_KEY_GUEST_NET       "guest-net"     /* {rx-bytes, tx-bytes, time} */
#define VIREO_STATE_KEY_GUEST_OS        "guest-os"
#define VIREO_STATE_KEY_GUEST_ADDRESSES "guest-addresses"

/* The shim's own commands on shim.sock, beside QEMU's. */
#define VIREO_SHIM_COMMAND_INFO         "vireo-info"
/* Only in the "vireo-info" reply: QEMU's process as the shim sees it, so
 * that a client in another PID namespace never reads someone else's
 * /proc/PID. */
#define VIREO_INFO_KEY_QEMU_CPU_TICKS   "qemu-cpu-ticks" /* utime + stime */
#define VIREO_INFO_KEY_QEMU_RSS_BYTES   "qemu-rss-bytes"

/* Values of VIREO_STATE_KEY_REASON_CODE, with the data each one uses. */
#define VIREO_REASON_BOOTED          "booted"
#define VIREO_REASON_REBOOTED        "rebooted"
#define VIREO_REASON_PAUSED          "paused"
#define VIREO_REASON_RESUMED         "resumed"
#define VIREO_REASON_POWER_BUTTON    "power-button"      /* ACPI power button pressed */
#define VIREO_REASON_GUEST_POWEROFF  "guest-poweroff"    /* shutting down: the guest powers off */
#define VIREO_REASON_GUEST_SHUTDOWN  "guest-shutdown"    /* shut off: the guest powered off */
#define VIREO_REASON_FORCED_OFF      "forced-off"
#define VIREO_REASON_QEMU_QUIT       "qemu-quit"         /* QEMU exited 0 by itself */
#define VIREO_REASON_START_FAILED    "start-failed"      /* start-error, or exit-code/exit-signal */
#define VIREO_REASON_QEMU_KILLED     "qemu-killed"       /* exit-signal */
#define VIREO_REASON_QEMU_FAILED     "qemu-failed"       /* qemu-message, or exit-code */
