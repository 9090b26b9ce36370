/* vireo-domain-lock.h: which process may change a VM now (engine only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain-config.h"
#include "vireo-lock.h"
#include "vireo-paths.h"

G_BEGIN_DECLS

/* What a holder of a VM's change lock is doing, for the "busy" message. */
typedef enum {
  VIREO_DOMAIN_LOCK_STARTING,
  VIREO_DOMAIN_LOCK_FORCING_OFF,
  VIREO_DOMAIN_LOCK_DEFINING,
  VIREO_DOMAIN_LOCK_DELETING,
  VIREO_DOMAIN_LOCK_SNAPSHOTTING,
  VIREO_DOMAIN_LOCK_REVERTING,
  VIREO_DOMAIN_LOCK_DELETING_SNAPSHOT,
  VIREO_DOMAIN_LOCK_EDITING_SNAPSHOT,
  VIREO_DOMAIN_LOCK_CLONING,
  VIREO_DOMAIN_LOCK_CONVERTING_DISK,
} VireoDomainLockPurpose;

/* The run lock's file in a VM's runtime folder: vireo-shim holds it. */
#define VIREO_DOMAIN_RUN_LOCK "lock"
#define VIREO_DOMAIN_CHANGE_LOCK "change.lock"

VireoLock *_vireo_domain_lock_change      (const char              *run_dir,
                                           const char              *name,
                                           VireoDomainLockPurpose   purpose,
                                           GError                 **error);
VireoLock *_vireo_domain_lock_run         (const char              *run_dir,
                                           const char              *name,
                                           VireoDomainLockPurpose   purpose,
                                           GError                 **error);
VireoLock *_vireo_domain_lock_run_when_off (const char           *run_dir,
                                            const char           *name,
                                            VireoDomainLockPurpose purpose,
                                            GError              **error);
VireoLock *_vireo_domain_lock_definitions (const VireoPaths        *paths,
                                           const char              *name,
                                           GError                 **error);
VireoDomainConfig *_vireo_domain_read_definition (const VireoPaths *paths,
                                                  const char       *name,
                                                  GError          **error);
gboolean   _vireo_domain_check_defined    (const VireoPaths        *paths,
                                           const VireoDomainConfig *config,
                                           GError                 **error);
void       _vireo_domain_remove_run_dir   (const char              *run_dir,
                                           VireoLock               *change_lock,
                                           VireoLock               *run_lock);

G_END_DECLS
