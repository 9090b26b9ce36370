/* vireo-load-error.c: a definition the engine skipped, and why
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine used to report skipped files as sentences, and vireoctl
 * found the one about a VM by searching the text for "/NAME.xml:", which
 * breaks as soon as the sentence is translated.  The file, the VM and
 * the GError travel separately instead.
 */
#include "vireo-load-error.h"

G_DEFINE_BOXED_TYPE (VireoLoadError, vireo_load_error, vireo_load_error_copy, vireo_load_error_free)

/**
 * vireo_load_error_new:
 * @error: (transfer full): why
 *
 * Returns: (transfer full): a new record; free with vireo_load_error_free()
 */
VireoLoadError *
vireo_load_error_new (const char *path,
                      const char *name,
                      GError     *error)
{
  VireoLoadError *self = g_new0 (VireoLoadError, 1);

  self->path = g_strdup (path);
  self->name = g_strdup (name);
  self->error = error;
  return self;
}

VireoLoadError *
vireo_load_error_copy (const VireoLoadError *self)
{
  return vireo_load_error_new (self->path, self->name, g_error_copy (self->error));
}

void
vireo_load_error_free (VireoLoadError *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->name);
  g_clear_error (&self->error);
  g_free (self);
}
