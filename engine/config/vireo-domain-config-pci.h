/* vireo-domain-config-pci.h: libvirt's PCI layout of a VM, when Vireo can run it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain-config.h"

G_BEGIN_DECLS

typedef struct {
  guint bus;
  guint slot;
  guint function;
  gboolean multifunction;
} VireoPciAddress;

typedef struct {
  guint index;             /* the bus it makes: QEMU's "pci.INDEX" */
  gboolean root_port;      /* a pcie-root-port, else a pci-bridge */
  guint chassis;           /* <target chassis> (chassisNr of a bridge) */
  guint port;              /* <target port> of a root port */
  VireoPciAddress address;
} VireoPciController;

/**
 * VireoPciLayout:
 * @controllers: (element-type VireoPciController): the buses to make, in
 *   index order (a controller's own bus comes before it)
 * @devices: device key ("disk/vda", "nic/0", "video", "rng", "balloon",
 *   "usb", "scsi", "virtio-serial") → #VireoPciAddress
 */
typedef struct {
  GPtrArray *controllers;
  GHashTable *devices;
} VireoPciLayout;

VireoPciLayout        *vireo_domain_config_pci_layout (const VireoDomainConfig *config);
const VireoPciAddress *vireo_pci_layout_lookup        (const VireoPciLayout    *layout,
                                                       const char              *key);
void                   vireo_pci_layout_free          (VireoPciLayout          *layout);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoPciLayout, vireo_pci_layout_free)

G_END_DECLS
