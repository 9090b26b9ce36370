/* vireo-load-error.h: a definition the engine skipped, and why
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define VIREO_TYPE_LOAD_ERROR (vireo_load_error_get_type ())

/**
 * VireoLoadError:
 * @path: the file (or folder) that did not load
 * @name: (nullable): the VM it is the definition of, by its file name
 *   (what a user types to reach it), or %NULL when no VM is known
 * @error: why, as one translated line that names the file
 *
 * Front ends act on the fields, never on the message text.
 */
typedef struct {
  char *path;
  char *name;
  GError *error;
} VireoLoadError;

GType           vireo_load_error_get_type (void) G_GNUC_CONST;
VireoLoadError *vireo_load_error_new      (const char           *path,
                                           const char           *name,
                                           GError               *error);
VireoLoadError *vireo_load_error_copy     (const VireoLoadError *self);
void            vireo_load_error_free     (VireoLoadError       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoLoadError, vireo_load_error_free)

G_END_DECLS
