/* vireo-create.h: a new VM from a few choices (the wizard's and
 * `vireoctl create`'s shared logic)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-backend.h"

G_BEGIN_DECLS

/**
 * VireoCreateOptions:
 * What a user chooses for a new VM.  At most one of @disk_bytes (a new
 * empty qcow2) and @import_path (a copy of an existing image) is set.
 */
struct _VireoCreateOptions {
  char *name;
  char *title;
  guint memory_mib;
  guint vcpus;
  guint64 disk_bytes;
  char *import_path;
  char *cdrom;
  char *kernel;
  char *initrd;
  char *cmdline;
  char *network;      /* NULL or "user", "none", or a network's name */
  char *disk_folder;  /* where a new disk goes on this computer; NULL: the images
                       * folder (a libvirt host's go to a storage pool) */
  VireoAccel accel;
  gboolean efi;       /* UEFI (OVMF, an NVRAM made on first start) rather than BIOS */
  gboolean tpm;       /* an emulated TPM 2.0 (tpm-crb, swtpm), as Windows 11 needs */
  GPtrArray *forwards; /* (element-type VireoPortForward): host ports forwarded
                        * into the user-mode NIC; never NULL */
};

VireoCreateOptions *vireo_create_options_new  (void);
void                vireo_create_options_free (VireoCreateOptions *options);

void         vireo_create_domain_async  (VireoBackend              *backend,
                                         const VireoCreateOptions  *options,
                                         VireoJob                 **disk_job,
                                         GCancellable              *cancellable,
                                         GAsyncReadyCallback        callback,
                                         gpointer                   user_data);
VireoDomain *vireo_create_domain_finish (VireoBackend       *backend,
                                         GAsyncResult       *result,
                                         GError            **error);

/* New-VM defaults and limits, the same for the wizard, the TUI's form
 * and vireoctl create. */
#define VIREO_CREATE_MIN_MEMORY_MIB 64
#define VIREO_CREATE_DEFAULT_VCPUS 2
#define VIREO_CREATE_MAX_VCPUS 255
#define VIREO_CREATE_DEFAULT_DISK_GIB 20

guint        vireo_create_default_memory_mib (void);
guint        vireo_create_max_memory_mib     (void);
guint        vireo_create_max_vcpus          (void);
void         vireo_create_default_firmware   (gboolean  installer,
                                              gboolean *efi,
                                              gboolean *tpm);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoCreateOptions, vireo_create_options_free)

G_END_DECLS
