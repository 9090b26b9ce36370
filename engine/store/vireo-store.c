/* vireo-store.c: the definitions on disk, for the other engine folders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A linked clone's base is shared by several VMs, and each of them may
 * be changed or deleted by another process at any time: who uses an
 * image is therefore read from the definitions on disk, under the
 * definitions lock when the answer decides a delete, never from one
 * engine's list (which may be stale, and lives on the main context).
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vireo-domain-lock.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-store.h"

static gboolean
config_uses (const VireoDomainConfig *config,
             const char              *image)
{
  const char *boot_files[] = { config->kernel, config->initrd };

  for (guint i = 0; i < G_N_ELEMENTS (boot_files); i++)
    {
      g_autofree char *path = boot_files[i] ? g_canonicalize_filename (boot_files[i], NULL) : NULL;

      if (g_strcmp0 (path, image) == 0)
        return TRUE;
    }
  for (guint i = 0; i < config->disks->len; i++)
    {
      const VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);
      g_autofree char *path = disk->path ? g_canonicalize_filename (disk->path, NULL) : NULL;

      if (g_strcmp0 (path, image) == 0)
        return TRUE;
      /* a base anywhere in the chain: a deep one is read as much as the nearest */
      for (guint j = 0; disk->backing && disk->backing[j]; j++)
        {
          g_autofree char *base = g_canonicalize_filename (disk->backing[j], NULL);

          if (g_str_equal (base, image))
            return TRUE;
        }
    }
  return FALSE;
}

/* One NAME.xml: whether it uses @image.  A definition that does not
 * parse still counts when it names the file: a base is kept rather than
 * deleted under a VM that is broken today and repaired tomorrow. */
static gboolean
file_uses (const char *file,
           const char *image)
{
  g_autofree char *xml = NULL;
  g_autoptr(VireoDomainConfig) config = NULL;
  gsize len;

  if (!g_file_get_contents (file, &xml, &len, NULL))
    return FALSE;
  config = vireo_domain_config_parse (xml, len, file, NULL);
  if (config == NULL)
    return strstr (xml, image) != NULL;
  return config_uses (config, image);
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/**
 * _vireo_store_image_users:
 * @image: an image's path
 * @except_name: (nullable): a VM whose use does not count (the one that
 *   lets go of @image)
 *
 * Reads every definition on disk: call it on a worker thread, and under
 * the definitions lock (_vireo_domain_lock_definitions()) when the
 * answer decides whether @image may be deleted or written.
 *
 * Returns: (transfer full): the names of the VMs whose disk is @image or
 *   stands on it as a base, at any depth of its chain (sorted; empty when
 *   none), or %NULL with
 *   @error set when the definitions folder cannot be read
 */
GStrv
_vireo_store_image_users (const VireoPaths  *paths,
                          const char        *image,
                          const char        *except_name,
                          GError           **error)
{
  g_autoptr(GStrvBuilder) users = g_strv_builder_new ();
  g_autofree char *canonical = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  GStrv result;
  const char *entry;

  g_return_val_if_fail (paths != NULL && image != NULL, NULL);

  canonical = g_canonicalize_filename (image, NULL);
  dir = g_dir_open (paths->domains_dir, 0, &local_error);
  if (dir == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Cannot tell which VMs use %s: %s"), image, local_error->message);
      return NULL;
    }
  while (dir && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name = NULL;
      g_autofree char *file = NULL;

      if (!g_str_has_suffix (entry, ".xml") || entry[0] == '.')
        continue;
      name = g_strndup (entry, strlen (entry) - 4);
      if (g_strcmp0 (name, except_name) == 0)
        continue;
      file = g_build_filename (paths->domains_dir, entry, NULL);
      if (file_uses (file, canonical))
        g_strv_builder_add (users, name);
    }
  result = g_strv_builder_end (users);
  g_qsort_with_data (result, g_strv_length (result), sizeof (char *), compare_names, NULL);
  return result;
}

/**
 * _vireo_store_describe_users:
 * @users: (array zero-terminated=1): from _vireo_store_image_users(), not empty
 *
 * Returns: (transfer full): one line saying why @image was kept
 */
char *
_vireo_store_describe_users (const char         *image,
                             const char * const *users)
{
  g_autoptr(GString) names = g_string_new (NULL);
  guint n = g_strv_length ((GStrv) users);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (names, i ? ", '%s'" : "'%s'", users[i]);
  /* Translators: "Kept /…/base.qcow2: VMs 'a', 'b' use it", after a delete */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Kept %s: VM %s uses it",
                                       "Kept %s: VMs %s use it", n), image, names->str);
}

/**
 * _vireo_store_write_definition:
 * @is_new: %TRUE for a VM that must not exist yet (a clone), %FALSE for
 *   a VM whose definition on disk must still be @config's (same UUID)
 *
 * Writes NAME.xml atomically under the definitions lock.  Unlike
 * vireo_local_backend_define_domain() it takes no change lock and runs no image
 * check: the caller holds the VM's change lock, and made the images
 * itself.  Blocks: worker threads.
 */
gboolean
_vireo_store_write_definition (const VireoPaths         *paths,
                               const VireoDomainConfig  *config,
                               gboolean                  is_new,
                               GError                  **error)
{
  g_autofree char *path = vireo_paths_domain_file (paths, config->name);
  g_autofree char *xml = vireo_domain_config_format (config);
  g_autoptr(VireoLock) definitions = _vireo_domain_lock_definitions (paths, config->name, error);

  if (definitions == NULL)
    return FALSE;
  if (is_new && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("A VM named '%s' already exists"), config->name);
      return FALSE;
    }
  if (!is_new && !_vireo_domain_check_defined (paths, config, error))
    return FALSE;
  if (!vireo_file_write_atomic (path, xml, -1, 0600, error))
    {
      g_prefix_error (error, _("VM '%s' was not saved: "), config->name);
      return FALSE;
    }
  return TRUE;
}

/**
 * _vireo_store_in_images_folder:
 *
 * Whether @path names a file right in Vireo's images folder, where only
 * Vireo puts files: a definition may name any file on the host (an
 * imported XML, an image attached where it lay), and deleting storage or
 * making a linked clone's base never reaches beyond the folder.
 * Lexical: unlink() removes a symlink there, never what it points to.
 * Pure (no file is read): any thread.
 */
gboolean
_vireo_store_in_images_folder (const VireoPaths *paths,
                               const char       *path)
{
  g_autofree char *canonical = path ? g_canonicalize_filename (path, NULL) : NULL;
  g_autofree char *dir = canonical ? g_path_get_dirname (canonical) : NULL;
  g_autofree char *images = g_canonicalize_filename (paths->images_dir, NULL);

  return dir != NULL && g_str_equal (dir, images);
}

/**
 * _vireo_store_delete_unused_bases:
 * @name: the VM that let go of @bases (its definition is gone or no
 *   longer names them)
 * @bases: (array zero-terminated=1): nearest first
 *
 * Under the definitions lock, so that no VM begins to stand on a base
 * meanwhile: deletes each base that is in Vireo's images folder and that
 * no VM uses any more.  A base kept, or one that cannot be deleted, is
 * only logged: the VM's own change is done.  Blocks: worker threads.
 */
void
_vireo_store_delete_unused_bases (const VireoPaths   *paths,
                                  const char         *name,
                                  const char * const *bases)
{
  for (guint i = 0; bases != NULL && bases[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) users = NULL;

      if (!_vireo_store_in_images_folder (paths, bases[i]))
        continue;
      users = _vireo_store_image_users (paths, bases[i], name, &error);
      if (users == NULL)
        g_message ("VM '%s': base image %s kept: %s", name, bases[i], error->message);
      else if (users[0] == NULL && g_unlink (bases[i]) != 0 && errno != ENOENT)
        g_message ("VM '%s': cannot delete base image %s: %s", name, bases[i], g_strerror (errno));
    }
}
