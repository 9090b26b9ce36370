/* vireo-lock.h: advisory locks that processes take on a file or folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VireoLock VireoLock;

VireoLock *vireo_lock_try     (const char  *path,
                               const char  *purpose,
                               char       **holder,
                               GError     **error);
VireoLock *vireo_lock_folder  (const char  *path,
                               guint        timeout_ms,
                               GError     **error);
int        vireo_lock_get_fd  (VireoLock   *lock);
void       vireo_lock_remove  (VireoLock   *lock);
void       vireo_lock_free    (VireoLock   *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoLock, vireo_lock_free)

G_END_DECLS
