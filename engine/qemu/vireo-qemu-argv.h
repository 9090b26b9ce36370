/* vireo-qemu-argv.h: from a domain config to a QEMU command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain-config.h"
#include "vireo-shim-protocol.h"

G_BEGIN_DECLS

/**
 * VireoQemuHost:
 * Everything the command line depends on besides the config: the result
 * of looking at the host, decided before the pure build step.
 */
typedef struct {
  const char *qemu_binary;
  VireoAccel accel;          /* KVM or TCG, never AUTO */
  const char *run_dir;       /* holds vnc.sock */
  const int *tap_fds;        /* one per NIC of type network, -1 for none */
  guint n_tap_fds;
  const char *loadvm;        /* NULL, or the internal snapshot to start from */
  const char *firmware_code; /* UEFI: the OVMF code for pflash0 (vireo_host_find_ovmf()) */
} VireoQemuHost;

char *vireo_qemu_disk_node  (const VireoDiskConfig   *disk);
/* the node name of a UEFI VM's NVRAM (pflash1), as snapshots name it */
#define VIREO_QEMU_NVRAM_NODE "pflash1"
GStrv vireo_qemu_argv_build (const VireoDomainConfig *config,
                             const VireoQemuHost     *host,
                             GError                 **error);

G_END_DECLS
