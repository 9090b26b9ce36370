/* vireo-snapshot-store.c: the metadata folder of a VM's snapshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * snapshots/VM/NAME.xml holds one snapshot (written atomically),
 * NAME.png its thumbnail, and the file "current" the name of the
 * snapshot the VM's disks continue from.  Every function here does file
 * I/O: worker threads, under the VM's change lock when it writes.
 */
#include <errno.h>
#include <glib/gstdio.h>

#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-ids.h"
#include "vireo-snapshot-private.h"

#define CURRENT_FILE "current"
#define MAX_METADATA (4 * 1024 * 1024)

char *
_vireo_snapshot_dir (const VireoPaths *paths,
                     const char       *vm)
{
  return g_build_filename (paths->snapshots_dir, vm, NULL);
}

static char *
metadata_path (const VireoPaths *paths,
               const char       *vm,
               const char       *name)
{
  g_autofree char *file = g_strconcat (name, ".xml", NULL);

  return g_build_filename (paths->snapshots_dir, vm, file, NULL);
}

char *
_vireo_snapshot_thumbnail_path (const VireoPaths *paths,
                                const char       *vm,
                                const char       *name)
{
  g_autofree char *file = g_strconcat (name, ".png", NULL);

  return g_build_filename (paths->snapshots_dir, vm, file, NULL);
}

static VireoSnapshot *
load_one (const VireoPaths        *paths,
          const VireoDomainConfig *config,
          const char              *file,
          gboolean                 thumbnails)
{
  g_autofree char *name = g_strndup (file, strlen (file) - strlen (".xml"));
  g_autofree char *path = metadata_path (paths, config->name, name);
  g_autofree char *thumbnail = _vireo_snapshot_thumbnail_path (paths, config->name, name);
  g_autoptr(GBytes) bytes = vireo_file_read_regular (path, MAX_METADATA, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoSnapshot) snapshot = NULL;

  if (bytes == NULL || !vireo_snapshot_name_validate (name, NULL))
    return NULL;
  snapshot = _vireo_snapshot_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), path, &error);
  if (snapshot == NULL)
    {
      g_warning ("%s", error->message);
      return NULL;
    }
  /* a file renamed by hand, or left by a deleted VM of the same name */
  if (!g_str_equal (snapshot->name, name) || !g_str_equal (snapshot->config->uuid, config->uuid) ||
      !g_str_equal (snapshot->config->name, config->name))
    return NULL;
  if (thumbnails)
    snapshot->thumbnail = vireo_file_read_regular (thumbnail, VIREO_SNAPSHOT_MAX_THUMBNAIL, NULL);
  return g_steal_pointer (&snapshot);
}

/**
 * _vireo_snapshot_store_load:
 * @config: the VM (its name finds the folder; files of another VM of the
 *   same name, or of another name, are not its)
 * @thumbnails: read the thumbnails too (for a listing)
 * @current: (out) (optional): the current snapshot's name, or %NULL
 *
 * Returns: (transfer full) (element-type VireoSnapshot): the snapshots
 *   with metadata, unordered; unreadable files are skipped with a warning
 */
GPtrArray *
_vireo_snapshot_store_load (const VireoPaths         *paths,
                            const VireoDomainConfig  *config,
                            gboolean                  thumbnails,
                            char                    **current,
                            GError                  **error)
{
  g_autoptr(GPtrArray) snapshots = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *dir_path = _vireo_snapshot_dir (paths, config->name);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autofree char *current_path = g_build_filename (dir_path, CURRENT_FILE, NULL);
  g_autoptr(GBytes) current_bytes = NULL;
  const char *file;

  if (current)
    *current = NULL;
  if (dir == NULL)
    return g_steal_pointer (&snapshots);
  while ((file = g_dir_read_name (dir)) != NULL)
    {
      VireoSnapshot *snapshot;

      if (!g_str_has_suffix (file, ".xml") || strlen (file) == strlen (".xml"))
        continue;
      snapshot = load_one (paths, config, file, thumbnails);
      if (snapshot != NULL)
        g_ptr_array_add (snapshots, snapshot);
    }
  current_bytes = vireo_file_read_regular (current_path, VIREO_NAME_MAX + 1, NULL);
  if (current && current_bytes != NULL)
    {
      g_autofree char *name = g_strndup (g_bytes_get_data (current_bytes, NULL), g_bytes_get_size (current_bytes));

      g_strstrip (name);
      /* it may name a snapshot made outside Vireo, found in an image */
      if (vireo_snapshot_name_validate (name, NULL))
        *current = g_steal_pointer (&name);
    }
  return g_steal_pointer (&snapshots);
}

/* Writes one file of the VM's snapshot folder (made 0700 if missing). */
static gboolean
write_file (const VireoPaths  *paths,
            const char        *vm,
            const char        *path,
            const void        *contents,
            gsize              length,
            GError           **error)
{
  g_autofree char *dir = _vireo_snapshot_dir (paths, vm);

  if (g_mkdir_with_parents (paths->snapshots_dir, 0700) != 0)
    {
      vireo_set_io_error (error, errno, _("VM '%s': cannot create %s"), vm, paths->snapshots_dir);
      return FALSE;
    }
  if (!vireo_mkdir_private (dir, error) || !vireo_file_write_atomic (path, contents, length, 0600, error))
    {
      g_prefix_error (error, _("VM '%s': "), vm);
      return FALSE;
    }
  return TRUE;
}

/**
 * _vireo_snapshot_store_save:
 * Writes (or rewrites) @snapshot's metadata atomically.
 */
gboolean
_vireo_snapshot_store_save (const VireoPaths  *paths,
                            const char        *vm,
                            VireoSnapshot     *snapshot,
                            GError           **error)
{
  g_autofree char *path = metadata_path (paths, vm, snapshot->name);
  g_autofree char *xml = vireo_snapshot_format_xml (snapshot);

  return write_file (paths, vm, path, xml, strlen (xml), error);
}

/**
 * _vireo_snapshot_store_save_thumbnail:
 * Writes a new snapshot's thumbnail (before its metadata), if it has one.
 */
gboolean
_vireo_snapshot_store_save_thumbnail (const VireoPaths  *paths,
                                      const char        *vm,
                                      VireoSnapshot     *snapshot,
                                      GError           **error)
{
  g_autofree char *png = _vireo_snapshot_thumbnail_path (paths, vm, snapshot->name);

  return snapshot->thumbnail == NULL ||
         write_file (paths, vm, png, g_bytes_get_data (snapshot->thumbnail, NULL),
                     g_bytes_get_size (snapshot->thumbnail), error);
}

/**
 * _vireo_snapshot_store_set_current:
 * @name: (nullable): no current snapshot
 */
gboolean
_vireo_snapshot_store_set_current (const VireoPaths  *paths,
                                   const char        *vm,
                                   const char        *name,
                                   GError           **error)
{
  g_autofree char *dir = _vireo_snapshot_dir (paths, vm);
  g_autofree char *path = g_build_filename (dir, CURRENT_FILE, NULL);
  g_autofree char *line = NULL;

  if (name == NULL)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          vireo_set_io_error (error, errno, _("VM '%s': cannot remove %s"), vm, path);
          return FALSE;
        }
      return TRUE;
    }
  line = g_strconcat (name, "\n", NULL);
  return write_file (paths, vm, path, line, strlen (line), error);
}

/**
 * _vireo_snapshot_store_remove:
 * Removes a snapshot's metadata and thumbnail.
 */
gboolean
_vireo_snapshot_store_remove (const VireoPaths  *paths,
                              const char        *vm,
                              const char        *name,
                              GError           **error)
{
  g_autofree char *path = metadata_path (paths, vm, name);
  g_autofree char *thumbnail = _vireo_snapshot_thumbnail_path (paths, vm, name);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      vireo_set_io_error (error, errno, _("VM '%s': cannot remove %s"), vm, path);
      return FALSE;
    }
  g_unlink (thumbnail);
  return TRUE;
}

/**
 * _vireo_snapshot_store_forget_vm:
 * For a VM that is deleted: its snapshot folder goes with it, so a new
 * VM of the same name starts with none.
 */
void
_vireo_snapshot_store_forget_vm (const VireoPaths *paths,
                                 const char       *vm)
{
  g_autofree char *dir_path = _vireo_snapshot_dir (paths, vm);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *file;

  if (dir == NULL)
    return;
  while ((file = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, file, NULL);
      g_unlink (path);
    }
  g_rmdir (dir_path);
}
