/* vireo-store.h: what the other engine folders use of the definitions
 * on disk (engine only; front ends use vireo-local-backend.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain-config.h"
#include "vireo-local-backend.h"
#include "vireo-paths.h"

G_BEGIN_DECLS

GStrv        _vireo_store_image_users       (const VireoPaths        *paths,
                                             const char              *image,
                                             const char              *except_name,
                                             GError                 **error);
char        *_vireo_store_describe_users    (const char              *image,
                                             const char * const      *users);
gboolean     _vireo_store_write_definition  (const VireoPaths        *paths,
                                             const VireoDomainConfig *config,
                                             gboolean                 is_new,
                                             GError                 **error);
gboolean     _vireo_store_in_images_folder  (const VireoPaths        *paths,
                                             const char              *path);
VireoDomain *_vireo_local_backend_apply_definition (VireoLocalBackend       *self,
                                                    const VireoDomainConfig *config);

void         _vireo_store_delete_unused_bases (const VireoPaths   *paths,
                                               const char         *name,
                                               const char * const *bases);

G_END_DECLS
