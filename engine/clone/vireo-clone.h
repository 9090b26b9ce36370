/* vireo-clone.h: full and linked clones of a shut-off VM
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-local-backend.h"
#include "vireo-job.h"

G_BEGIN_DECLS

/**
 * VireoCloneOptions:
 * @name: the clone's name; %NULL: vireo_clone_suggest_name()
 * @linked: share the source's current images as read-only bases (no data
 *   is copied) instead of copying them
 * @from_snapshot: (nullable): copy the state of this internal snapshot
 *   (full clones only); %NULL: the current state
 */
struct _VireoCloneOptions {
  char *name;
  gboolean linked;
  char *from_snapshot;
};

VireoCloneOptions *vireo_clone_options_new     (void);
void               vireo_clone_options_free    (VireoCloneOptions *options);

char        *vireo_clone_name_candidate (const char        *source,
                                         guint              n);
char        *vireo_clone_suggest_name   (VireoBackend      *backend,
                                         const char        *source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoCloneOptions, vireo_clone_options_free)

G_END_DECLS
