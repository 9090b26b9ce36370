/* vireo-snapshot-image.c: internal snapshots inside a VM's qcow2 images
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Which disks a snapshot covers, what `qemu-img info` lists in an image,
 * and `qemu-img snapshot -c|-a|-d` on a VM that is off.  A running VM's
 * images belong to its QEMU (qemu-img would fail on the write lock):
 * vireo-snapshot-ops.c asks QEMU instead.  Worker threads only.
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-json.h"
#include "vireo-snapshot-private.h"
#include "vireo-storage.h"

void
_vireo_image_snapshot_free (VireoImageSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_free (snapshot->id);
  g_free (snapshot->tag);
  g_free (snapshot);
}

/**
 * _vireo_snapshot_disk_is_own:
 * Returns: whether @disk is one a snapshot covers when it is qcow2: a
 *   disk with an image that only this VM writes (not a CD-ROM, not
 *   read-only, not shared with other VMs)
 */
gboolean
_vireo_snapshot_disk_is_own (const VireoDiskConfig *disk)
{
  return disk->device == VIREO_DISK_DEVICE_DISK && disk->path != NULL && !disk->readonly && !disk->shareable;
}

/**
 * _vireo_snapshot_disks:
 * The disks a snapshot covers: every writable qcow2 disk.  CD-ROMs,
 * read-only and shared disks are left out (the guest cannot change the
 * first two, and a shared disk is another VM's too); a raw disk refuses
 * the whole snapshot, since leaving it out would make a snapshot that
 * does not restore what the guest sees.
 *
 * Returns: (transfer container) (element-type VireoDiskConfig): borrowed
 *   from @config, in its order (the first holds the RAM)
 */
GPtrArray *
_vireo_snapshot_disks (const VireoDomainConfig  *config,
                       GError                  **error)
{
  g_autoptr(GPtrArray) disks = g_ptr_array_new ();

  for (guint i = 0; i < config->disks->len; i++)
    {
      VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);

      if (!_vireo_snapshot_disk_is_own (disk))
        continue;
      if (g_strcmp0 (disk->format, "qcow2") != 0)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                       _("VM '%s': disk %s is raw: convert it to qcow2 on the Disks page (or "
                         "vireoctl convert-disk) to take snapshots"), config->name, disk->target);
          return NULL;
        }
      g_ptr_array_add (disks, disk);
    }
  if (disks->len == 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                   _("VM '%s' has no writable qcow2 disk to take snapshots of"), config->name);
      return NULL;
    }
  return g_steal_pointer (&disks);
}

static char *
disk_subject (const char            *vm,
              const VireoDiskConfig *disk)
{
  /* Translators: the subject of an error: "VM 'web': disk vda" */
  return g_strdup_printf (_("VM '%s': disk %s"), vm, disk->target);
}

/**
 * _vireo_snapshot_nvram:
 * The one rule for the NVRAM: a snapshot lives in its disks and, for a
 * UEFI VM whose NVRAM is qcow2, in the NVRAM beside them, which QEMU
 * needs to load its RAM again.  The NVRAM is never one of the disks
 * (the metadata, the listing and clones know disks only): the operations
 * add it where they touch images.  A raw NVRAM (libvirt's) holds none.
 *
 * Returns: (nullable): @config's qcow2 NVRAM, or NULL
 */
const char *
_vireo_snapshot_nvram (const VireoDomainConfig *config)
{
  return vireo_domain_config_uses_efi (config) && vireo_domain_config_nvram_is_qcow2 (config)
         ? config->nvram : NULL;
}

static char *
nvram_subject (const char *vm)
{
  /* Translators: the subject of an error: "VM 'web': NVRAM" */
  return g_strdup_printf (_("VM '%s': NVRAM"), vm);
}

/* The internal snapshots in the qcow2 image @path, as qemu-img lists
 * them; @subject names it in errors. */
static GPtrArray *
list_snapshots (const char  *subject,
                const char  *path,
                GError     **error)
{
  g_autoptr(JsonObject) info = vireo_storage_image_info (subject, path, "qcow2", error);
  g_autoptr(GPtrArray) list = NULL;
  JsonNode *node;
  JsonArray *array;

  if (info == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) _vireo_image_snapshot_free);
  node = json_object_get_member (info, "snapshots");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_steal_pointer (&list);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *entry;
      const char *tag;
      VireoImageSnapshot *snapshot;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      entry = json_node_get_object (element);
      tag = vireo_json_get_string (entry, "name");
      if (tag == NULL)
        continue;
      snapshot = g_new0 (VireoImageSnapshot, 1);
      snapshot->id = g_strdup (vireo_json_get_string (entry, "id"));
      snapshot->tag = g_strdup (tag);
      snapshot->vm_state_size = MAX (vireo_json_get_int (entry, "vm-state-size", 0), 0);
      snapshot->date = vireo_json_get_int (entry, "date-sec", 0);
      g_ptr_array_add (list, snapshot);
    }
  return g_steal_pointer (&list);
}

/**
 * _vireo_image_list_snapshots:
 * Returns: (transfer full) (element-type VireoImageSnapshot): the
 *   internal snapshots in @disk's image, as qemu-img lists them
 */
GPtrArray *
_vireo_image_list_snapshots (const char             *vm,
                             const VireoDiskConfig  *disk,
                             GError                **error)
{
  g_autofree char *subject = disk_subject (vm, disk);

  return list_snapshots (subject, disk->path, error);
}

/**
 * _vireo_nvram_list_snapshots:
 * Returns: (transfer full) (element-type VireoImageSnapshot): the
 *   internal snapshots in the qcow2 NVRAM @nvram (_vireo_snapshot_nvram())
 */
GPtrArray *
_vireo_nvram_list_snapshots (const char  *vm,
                             const char  *nvram,
                             GError     **error)
{
  g_autofree char *subject = nvram_subject (vm);

  return list_snapshots (subject, nvram, error);
}

/* Sets @has to whether the image @path holds an internal snapshot @tag.
 * A tag that is also the ID of another snapshot there is an error: QEMU
 * would find that other snapshot first. */
static gboolean
has_snapshot (const char  *subject,
              const char  *path,
              const char  *tag,
              gboolean    *has,
              GError     **error)
{
  g_autoptr(GPtrArray) list = list_snapshots (subject, path, error);

  *has = FALSE;
  if (list == NULL)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      VireoImageSnapshot *snapshot = g_ptr_array_index (list, i);

      if (g_strcmp0 (snapshot->id, tag) == 0 && !g_str_equal (snapshot->tag, tag))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                       /* Translators: the first %s is the subject: "VM 'web': disk vda" */
                       _("%s: '%s' is also the number of snapshot '%s' in the image, "
                         "which QEMU would use instead"), subject, tag, snapshot->tag);
          return FALSE;
        }
      *has |= g_str_equal (snapshot->tag, tag);
    }
  return TRUE;
}

/**
 * _vireo_image_has_snapshot:
 * Sets @has to whether @disk's image holds an internal snapshot @tag.
 */
gboolean
_vireo_image_has_snapshot (const char             *vm,
                           const VireoDiskConfig  *disk,
                           const char             *tag,
                           gboolean               *has,
                           GError                **error)
{
  g_autofree char *subject = disk_subject (vm, disk);

  return has_snapshot (subject, disk->path, tag, has, error);
}

/**
 * _vireo_nvram_has_snapshot:
 * Sets @has to whether the qcow2 NVRAM @nvram holds an internal snapshot
 * @tag; an NVRAM not made yet holds none.
 */
gboolean
_vireo_nvram_has_snapshot (const char  *vm,
                           const char  *nvram,
                           const char  *tag,
                           gboolean    *has,
                           GError     **error)
{
  g_autofree char *subject = nvram_subject (vm);

  *has = FALSE;
  if (!g_file_test (nvram, G_FILE_TEST_EXISTS))
    return TRUE;
  return has_snapshot (subject, nvram, tag, has, error);
}

/* `qemu-img snapshot` on the image @path of a VM that is off.  The tag
 * is an argument of its own, never part of an option string. */
static gboolean
snapshot_run (const char  *subject,
              const char  *path,
              const char  *op,
              const char  *tag,
              GError     **error)
{
  /* qemu-img snapshot takes no -f: the format is pinned in the image's
   * options instead, never guessed from what the image holds */
  g_autoptr(GString) escaped = g_string_new (path);
  g_autofree char *opts = NULL;
  const char *argv[] = { "qemu-img", "snapshot", "-q", "--image-opts", op, tag, NULL, NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err = NULL;
  const char *why;

  /* a ',' in the path would start another option: QEMU reads ",," as ',' */
  g_string_replace (escaped, ",", ",,", 0);
  opts = g_strdup_printf ("driver=qcow2,file.driver=file,file.filename=%s", escaped->str);
  argv[6] = opts;
  proc = vireo_storage_spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
  if (proc == NULL)
    {
      g_prefix_error (error, "%s: ", subject);
      return FALSE;
    }
  if (!g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, error))
    return FALSE;
  if (g_subprocess_get_successful (proc))
    return TRUE;
  g_strstrip (err);
  why = strrchr (err, '\n') ? strrchr (err, '\n') + 1 : err;
  if (g_str_has_prefix (why, "qemu-img: "))
    why += strlen ("qemu-img: ");
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
               "%s: %s", subject, *why ? why : "qemu-img failed");
  return FALSE;
}

/**
 * _vireo_image_snapshot_run:
 * @op: "-c" (create), "-a" (apply) or "-d" (delete)
 *
 * `qemu-img snapshot` on @disk's image, the VM off.
 */
gboolean
_vireo_image_snapshot_run (const char             *vm,
                           const VireoDiskConfig  *disk,
                           const char             *op,
                           const char             *tag,
                           GError                **error)
{
  g_autofree char *subject = disk_subject (vm, disk);

  return snapshot_run (subject, disk->path, op, tag, error);
}

/**
 * _vireo_nvram_snapshot_run:
 * @op: "-c" (create), "-a" (apply) or "-d" (delete)
 *
 * `qemu-img snapshot` on the qcow2 NVRAM @nvram of VM @vm, the VM off.
 */
gboolean
_vireo_nvram_snapshot_run (const char  *vm,
                           const char  *nvram,
                           const char  *op,
                           const char  *tag,
                           GError     **error)
{
  g_autofree char *subject = nvram_subject (vm);

  return snapshot_run (subject, nvram, op, tag, error);
}
