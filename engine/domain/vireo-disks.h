/* vireo-disks.h: adding disks to a VM, taking them away, converting them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-local-backend.h"

G_BEGIN_DECLS

/**
 * VireoDiskRequest:
 * One disk to add.  A %VIREO_DISK_DEVICE_DISK is either a new qcow2 image
 * of @new_bytes made in @folder (the images folder when %NULL) or the
 * existing image @path; a CD-ROM drive holds @path, or is empty.
 */
typedef struct {
  VireoDiskDevice device;
  VireoDiskBus bus;
  guint64 new_bytes;
  const char *path;
  const char *folder;
} VireoDiskRequest;

void      vireo_disks_attach_async  (VireoLocalBackend       *engine,
                                     VireoDomain             *domain,
                                     const VireoDiskRequest  *request,
                                     VireoJob               **job,
                                     GCancellable            *cancellable,
                                     GAsyncReadyCallback      callback,
                                     gpointer                 user_data);
char     *vireo_disks_attach_finish (VireoLocalBackend  *engine,
                                     GAsyncResult       *result,
                                     GError            **error);
void      vireo_disks_detach_async  (VireoLocalBackend   *engine,
                                     VireoDomain         *domain,
                                     const char          *target,
                                     gboolean             remove_storage,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean  vireo_disks_detach_finish (VireoLocalBackend  *engine,
                                     GAsyncResult       *result,
                                     GError            **error);
void      vireo_disks_convert_async  (VireoLocalBackend    *engine,
                                      VireoDomain          *domain,
                                      const char           *target,
                                      gboolean              remove_old,
                                      VireoJob            **job,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean  vireo_disks_can_convert    (const VireoDiskConfig *disk);
char     *vireo_disks_convert_finish (VireoLocalBackend  *engine,
                                      GAsyncResult       *result,
                                      char              **old_note,
                                      GError            **error);

G_END_DECLS
