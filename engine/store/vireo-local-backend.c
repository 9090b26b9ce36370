/* vireo-local-backend.c: the connection to a tree of VMs, and its registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine holds the list of VMs (loaded by vireo-local-backend-load.c,
 * changed by vireo-local-backend-define.c, kept current by vireo-local-backend-monitor.c)
 * and answers questions about it: names, MACs, which images are in use.
 * Running VMs are found again through their shims' state.json, so a new
 * engine picks up VMs another process started.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vireo-domain-policy.h"
#include "vireo-domain-private.h"
#include "vireo-create-private.h"
#include "vireo-local-backend-private.h"
#include "vireo-store.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"
#include "vireo-load-error.h"
#include "vireo-shim-protocol.h"

G_DEFINE_FINAL_TYPE (VireoLocalBackend, vireo_local_backend, VIREO_TYPE_BACKEND)

static void
vireo_local_backend_finalize (GObject *object)
{
  VireoLocalBackend *self = VIREO_LOCAL_BACKEND (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_object (&self->domains_monitor);
  g_clear_object (&self->run_monitor);
  g_clear_pointer (&self->run_dir_monitors, g_hash_table_unref);
  /* networks borrow the list of domains and the paths; the list is the base's */
  g_list_store_remove_all (self->networks);
  g_clear_pointer (&self->network_load_errors, g_ptr_array_unref);
  g_clear_pointer (&self->load_errors, g_ptr_array_unref);
  g_clear_pointer (&self->stamps, g_hash_table_unref);
  /* domains borrow the paths: they go after the store */
  g_clear_pointer (&self->paths, vireo_paths_free);

  G_OBJECT_CLASS (vireo_local_backend_parent_class)->finalize (object);
}

static gboolean
local_image_deletable (VireoBackend          *backend,
                       VireoDomain           *domain,
                       const VireoDiskConfig *disk)
{
  return vireo_local_backend_image_deletable (VIREO_LOCAL_BACKEND (backend), domain, disk);
}

static void
vireo_local_backend_class_init (VireoLocalBackendClass *klass)
{
  VireoBackendClass *backend_class = VIREO_BACKEND_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = vireo_local_backend_finalize;
  _vireo_local_backend_class_init_load (backend_class);
  _vireo_local_backend_class_init_define (backend_class);
  _vireo_local_backend_class_init_network (backend_class);
  backend_class->image_deletable = local_image_deletable;
  _vireo_local_backend_class_init_create (backend_class);
}

static void
vireo_local_backend_init (VireoLocalBackend *self)
{
  self->domains = _vireo_backend_get_store (VIREO_BACKEND (self));
  self->load_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_load_error_free);
  self->networks = _vireo_backend_get_network_store (VIREO_BACKEND (self));
  self->network_load_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_load_error_free);
}

/**
 * vireo_local_backend_new:
 * @root: (nullable): see vireo_paths_new()
 *
 * Nothing is read until vireo_local_backend_load().
 *
 * Returns: (transfer full): the engine
 */
VireoLocalBackend *
vireo_local_backend_new (const char *root)
{
  VireoLocalBackend *self = g_object_new (VIREO_TYPE_LOCAL_BACKEND,
                                          "uri", VIREO_LOCAL_URI,
                                          "title", _("This computer"),
                                          NULL);

  _vireo_backend_set_caps (VIREO_BACKEND (self),
                           VIREO_BACKEND_CAN_CONSOLE | VIREO_BACKEND_CAN_DISPLAY | VIREO_BACKEND_CAN_HOTPLUG |
                           VIREO_BACKEND_CAN_SNAPSHOTS | VIREO_BACKEND_CAN_CLONE | VIREO_BACKEND_CAN_NETWORKS |
                           VIREO_BACKEND_CAN_PORT_FORWARDS | VIREO_BACKEND_CAN_MEDIA | VIREO_BACKEND_CAN_CONVERT |
                           VIREO_BACKEND_CAN_LINKED_CLONES | VIREO_BACKEND_CAN_SNAPSHOT_CLONES);
  self->paths = vireo_paths_new (root);
  return self;
}

/**
 * vireo_local_backend_get_paths:
 * Returns: (transfer none): the tree's folders; they never change, so any
 *   thread may read them
 */
const VireoPaths *
vireo_local_backend_get_paths (VireoLocalBackend *self)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), NULL);

  return self->paths;
}

/**
 * vireo_local_backend_image_in_use:
 * @domain: (nullable): a VM whose own use does not count
 *
 * Returns: whether any other VM's definition refers to @path, as a disk
 *   image, a base anywhere in a disk's chain, a kernel, an initrd or its
 *   NVRAM
 */
gboolean
vireo_local_backend_image_in_use (VireoLocalBackend *self,
                                  VireoDomain       *domain,
                                  const char        *path)
{
  guint n;

  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), FALSE);
  g_return_val_if_fail (domain == NULL || VIREO_IS_DOMAIN (domain), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->domains));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) other = g_list_model_get_item (G_LIST_MODEL (self->domains), i);
      const VireoDomainConfig *config = vireo_domain_get_config (other);

      if (other == domain)
        continue;
      if (g_strcmp0 (config->kernel, path) == 0 || g_strcmp0 (config->initrd, path) == 0 ||
          g_strcmp0 (config->nvram, path) == 0)
        return TRUE;
      for (guint j = 0; j < config->disks->len; j++)
        {
          const VireoDiskConfig *disk = g_ptr_array_index (config->disks, j);

          if (g_strcmp0 (disk->path, path) == 0 || vireo_disk_config_has_base (disk, path))
            return TRUE;
        }
    }
  return FALSE;
}

/* The names of the VMs other than @domain that use @base (from the list
 * in memory). */
static GStrv
base_users (VireoLocalBackend *self,
            VireoDomain       *domain,
            const char        *base)
{
  g_autoptr(GStrvBuilder) users = g_strv_builder_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->domains));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) other = g_list_model_get_item (G_LIST_MODEL (self->domains), i);
      const VireoDomainConfig *config = vireo_domain_get_config (other);

      for (guint j = 0; other != domain && j < config->disks->len; j++)
        {
          const VireoDiskConfig *d = g_ptr_array_index (config->disks, j);

          if (g_strcmp0 (d->path, base) == 0 || vireo_disk_config_has_base (d, base))
            {
              g_strv_builder_add (users, config->name);
              break;
            }
        }
    }
  return g_strv_builder_end (users);
}

/**
 * vireo_local_backend_describe_kept_base:
 * @domain: the VM that lets go of @disk
 *
 * What deleting @domain's storage leaves of @disk's base images (a
 * linked clone's chain): a base goes with its last user and stays while
 * another VM stands on it.  The nearest base that stays is named (every
 * base under it stays too: its users stand on those as well).  From the
 * list in memory, for a front end's message; the delete itself decides
 * again from the definitions on disk.
 *
 * Returns: (transfer full) (nullable): "Kept /…/base.qcow2: VMs 'a', 'b'
 *   use it", or %NULL when @disk has no base or every base goes too
 */
char *
vireo_local_backend_describe_kept_base (VireoLocalBackend     *self,
                                        VireoDomain           *domain,
                                        const VireoDiskConfig *disk)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), NULL);
  g_return_val_if_fail (disk != NULL, NULL);

  for (guint i = 0; disk->backing && disk->backing[i]; i++)
    {
      g_auto(GStrv) names = base_users (self, domain, disk->backing[i]);

      if (names[0] != NULL)
        return _vireo_store_describe_users (disk->backing[i], (const char * const *) names);
    }
  return NULL;
}

/**
 * vireo_local_backend_image_deletable:
 * @domain: the VM that would let go of @disk
 *
 * The one rule for what deleting a VM's storage may remove: a writable,
 * unshared disk image in Vireo's images folder that no other VM refers
 * to.  CD-ROMs, read-only and shareable disks, and images anywhere else
 * (attached where they lay, or named by an imported definition) stay.
 */
gboolean
vireo_local_backend_image_deletable (VireoLocalBackend     *self,
                                     VireoDomain           *domain,
                                     const VireoDiskConfig *disk)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), FALSE);
  g_return_val_if_fail (disk != NULL, FALSE);

  return disk->device == VIREO_DISK_DEVICE_DISK && !disk->readonly && !disk->shareable &&
         disk->path != NULL && _vireo_local_backend_in_images_folder (self, disk->path) &&
         !vireo_local_backend_image_in_use (self, domain, disk->path);
}

/* Whether @path names a file right in Vireo's images folder (see
 * _vireo_store_in_images_folder()). */
gboolean
_vireo_local_backend_in_images_folder (VireoLocalBackend *self,
                                       const char        *path)
{
  return _vireo_store_in_images_folder (self->paths, path);
}

/**
 * vireo_local_backend_default_disk_path:
 * Returns: (transfer full): NAME.qcow2 in the images folder; only a name,
 *   nothing is looked at
 */
char *
vireo_local_backend_default_disk_path (VireoLocalBackend *self,
                                       const char        *name)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  base = g_strconcat (name, ".qcow2", NULL);
  return g_build_filename (self->paths->images_dir, base, NULL);
}
