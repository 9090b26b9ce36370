/* vireo-local-backend-define.c: writing and deleting definitions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A definition is written atomically and durably, then the list learns
 * of it; undefining deletes the definition first, then the storage it
 * chose, so a VM is never left defined without its disks.  Both happen
 * under the VM's locks and the definitions folder's, and look at what is
 * on disk again under them: other processes define and delete too
 * (engine/domain/vireo-domain-lock.c).
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vireo-domain-lock.h"
#include "vireo-domain-policy.h"
#include "vireo-local-domain-private.h"
#include "vireo-local-backend-private.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"
#include "vireo-snapshot-private.h"
#include "vireo-load-error.h"
#include "vireo-shim-protocol.h"
#include "vireo-storage.h"
#include "vireo-store.h"

/* Every base image (a linked clone's chain) is one Vireo made, in its
 * images folder: the image checks then make sure the chain is the one
 * declared, ending in a standalone qcow2. */
static gboolean
check_bases (VireoLocalBackend        *self,
             const VireoDomainConfig  *config,
             GError                  **error)
{
  for (guint i = 0; i < config->disks->len; i++)
    {
      const VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);

      for (guint j = 0; disk->backing && disk->backing[j]; j++)
        if (!_vireo_local_backend_in_images_folder (self, disk->backing[j]))
          {
            g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                         _("VM '%s': the base image %s of disk %s is not in Vireo's images folder"),
                         config->name, disk->backing[j], disk->target);
            return FALSE;
          }
    }
  return TRUE;
}

/* A VM's NVRAM is written by its firmware and holds its snapshots: it
 * must be no file of @other's (a disk, a base, a kernel, its NVRAM), and
 * no disk of @config's may be @other's NVRAM. */
static gboolean
check_nvram (const VireoDomainConfig *config,
             VireoDomain             *other,
             GError                 **error)
{
  const VireoDomainConfig *theirs = vireo_domain_get_config (other);
  const char *shared = NULL;

  if (config->nvram != NULL &&
      (g_strcmp0 (config->nvram, theirs->nvram) == 0 ||
       g_strcmp0 (config->nvram, theirs->kernel) == 0 || g_strcmp0 (config->nvram, theirs->initrd) == 0))
    shared = config->nvram;
  for (guint i = 0; shared == NULL && config->nvram && i < theirs->disks->len; i++)
    {
      const VireoDiskConfig *disk = g_ptr_array_index (theirs->disks, i);

      if (g_strcmp0 (disk->path, config->nvram) == 0 || vireo_disk_config_has_base (disk, config->nvram))
        shared = config->nvram;
    }
  for (guint i = 0; shared == NULL && theirs->nvram && i < config->disks->len; i++)
    {
      const VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);

      if (g_strcmp0 (disk->path, theirs->nvram) == 0 || vireo_disk_config_has_base (disk, theirs->nvram))
        shared = theirs->nvram;
    }
  if (shared == NULL)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
               /* Translators: "VM 'a': /x/b_VARS.qcow2 is VM 'b''s NVRAM or one of its files; a VM's NVRAM is its own" */
               _("VM '%s': %s is the NVRAM or a file of VM '%s': a VM's NVRAM is its own"),
               config->name, shared, vireo_domain_get_name (other));
  return FALSE;
}

/* Two NICs with one MAC on one network: DHCP, ARP and the bridge would
 * take them for one machine.  (At start, vireo-net refuses a second tap
 * with a MAC already on the bridge, whoever defined it.) */
static gboolean
check_network_macs (const VireoDomainConfig *config,
                    VireoDomain             *other,
                    GError                 **error)
{
  const VireoDomainConfig *theirs = vireo_domain_get_config (other);

  for (guint i = 0; i < config->nics->len; i++)
    {
      const VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      if (nic->type != VIREO_NET_NETWORK)
        continue;
      for (guint j = 0; theirs != NULL && j < theirs->nics->len; j++)
        {
          const VireoNicConfig *o = g_ptr_array_index (theirs->nics, j);

          if (o->type == VIREO_NET_NETWORK && g_strcmp0 (o->network, nic->network) == 0 &&
              g_ascii_strcasecmp (o->mac, nic->mac) == 0)
            {
              g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                           _("VM '%s': MAC address %s is already used on network '%s' by VM '%s'"),
                           config->name, nic->mac, nic->network, theirs->name);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
check_define_conflicts (VireoLocalBackend        *self,
                        const VireoDomainConfig  *config,
                        GError                  **error)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->domains));
  g_autofree char *run_dir = vireo_paths_domain_run_dir (self->paths, config->uuid);

  if (!check_bases (self, config, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) other = g_list_model_get_item (G_LIST_MODEL (self->domains), i);
      gboolean same_name = g_str_equal (vireo_domain_get_name (other), config->name);
      gboolean same_uuid = g_str_equal (vireo_domain_get_uuid (other), config->uuid);

      if (same_name && !same_uuid)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                       _("A VM named '%s' already exists (with another UUID)"), config->name);
          return FALSE;
        }
      if (same_uuid && !same_name)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                       _("VM '%s': UUID %s is already used by VM '%s'"),
                       config->name, config->uuid, vireo_domain_get_name (other));
          return FALSE;
        }
      if (!same_uuid && g_str_equal (run_dir, vireo_domain_get_run_dir (other)))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                       _("VM '%s': its UUID starts like that of VM '%s'; choose another UUID"),
                       config->name, vireo_domain_get_name (other));
          return FALSE;
        }
      if (!same_uuid && !check_network_macs (config, other, error))
        return FALSE;
      if (!same_uuid && !check_nvram (config, other, error))
        return FALSE;
    }
  return TRUE;
}

/* Under the definitions lock: what another process defined meanwhile.
 * A VM of that name with another UUID wins; the same VM is changed only
 * under its change lock, which is returned in @change_lock. */
static gboolean
check_on_disk (const VireoPaths         *paths,
               const VireoDomainConfig  *config,
               VireoLock               **change_lock,
               GError                  **error)
{
  g_autofree char *path = vireo_paths_domain_file (paths, config->name);
  g_autoptr(VireoDomainConfig) on_disk = NULL;
  g_autofree char *run_dir = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  on_disk = _vireo_domain_read_definition (paths, config->name, NULL);
  if (on_disk != NULL && !g_str_equal (on_disk->uuid, config->uuid))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("A VM named '%s' already exists (with another UUID)"), config->name);
      return FALSE;
    }
  run_dir = vireo_paths_domain_run_dir (paths, config->uuid);
  *change_lock = _vireo_domain_lock_change (run_dir, config->name, VIREO_DOMAIN_LOCK_DEFINING, error);
  return *change_lock != NULL;
}

/* Writes NAME.xml atomically and durably, under the locks: on any thread. */
static gboolean
write_definition (const VireoPaths        *paths,
                  const VireoDomainConfig *config,
                  const char              *xml,
                  GError                 **error)
{
  g_autofree char *path = vireo_paths_domain_file (paths, config->name);
  g_autoptr(VireoLock) definitions = _vireo_domain_lock_definitions (paths, config->name, error);
  g_autoptr(VireoLock) change_lock = NULL;

  if (definitions == NULL || !check_on_disk (paths, config, &change_lock, error))
    return FALSE;
  if (!vireo_file_write_atomic (path, xml, -1, 0600, error))
    {
      g_prefix_error (error, _("VM '%s' was not saved: "), config->name);
      return FALSE;
    }
  return TRUE;
}

/**
 * _vireo_local_backend_apply_definition:
 * Puts a written definition in the list: on the main context.
 *
 * Returns: (transfer none): the VM
 */
VireoDomain *
_vireo_local_backend_apply_definition (VireoLocalBackend       *self,
                                       const VireoDomainConfig *config)
{
  VireoDomain *domain = vireo_backend_lookup_domain (VIREO_BACKEND (self), config->name);

  if (domain != NULL)
    _vireo_local_domain_set_config (VIREO_LOCAL_DOMAIN (domain), vireo_domain_config_copy (config));
  else
    {
      g_autoptr(VireoDomain) created = _vireo_local_domain_new (VIREO_BACKEND (self), self->paths, vireo_domain_config_copy (config));
      g_list_store_insert_sorted (self->domains, created, _vireo_backend_compare_domains, NULL);
      domain = created;
    }
  g_object_set_data (G_OBJECT (domain), VIREO_LOCAL_BACKEND_DEFINED_AT, GUINT_TO_POINTER (++self->generation));
  return domain;
}

/**
 * vireo_local_backend_define_domain:
 * @config: (transfer none): the definition; copied
 *
 * Validates and writes the definition atomically.  Defining an existing
 * VM again (same name and UUID) replaces its definition, which a running
 * VM picks up at its next start.  While another process starts, changes
 * or deletes that VM it fails at once with %VIREO_ERROR_BUSY; a VM of the
 * same name that another process defined meanwhile is not overwritten
 * (%VIREO_ERROR_EXISTS).
 *
 * Returns: (transfer none): the VM, or %NULL with @error set
 */
VireoDomain *
vireo_local_backend_define_domain (VireoLocalBackend        *self,
                                   const VireoDomainConfig  *config,
                                   GError                  **error)
{
  g_autofree char *xml = NULL;

  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  if (!vireo_domain_config_validate (config, error) ||
      !check_define_conflicts (self, config, error) ||
      !vireo_storage_check_images (config, error))
    return NULL;
  xml = vireo_domain_config_format (config);
  if (!write_definition (self->paths, config, xml, error))
    return NULL;
  return _vireo_local_backend_apply_definition (self, config);
}

typedef struct {
  VireoDomainConfig *config;
  char *xml;
} Define;

static void
define_free (Define *define)
{
  vireo_domain_config_free (define->config);
  g_free (define->xml);
  g_free (define);
}

static void
write_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  VireoLocalBackend *self = source_object;
  Define *define = task_data;
  GError *error = NULL;

  /* only the file: the list changes on the main context.  A cancel that
   * comes after this point is too late: the result then says "written" */
  if (g_cancellable_set_error_if_cancelled (cancellable, &error) ||
      !vireo_storage_check_images (define->config, &error) ||
      !write_definition (self->paths, define->config, define->xml, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoLocalBackend *self = VIREO_LOCAL_BACKEND (source);
  Define *define = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (_vireo_local_backend_apply_definition (self, define->config)), g_object_unref);
}

/**
 * local_define_domain_async:
 * @config: (transfer none): copied
 *
 * @cancellable: (nullable): stops the write if it has not begun; a VM
 *   whose file was written is in the list and the result says so
 *
 * Like vireo_local_backend_define_domain(), with the durable write (an fsync) on
 * the worker pool, for front ends with a main loop to keep responsive.
 * The list changes on the caller's main context once the file is
 * written, whether or not anyone calls the _finish function.
 */
static void
local_define_domain_async (VireoBackend            *backend,
                           const VireoDomainConfig *config,
                           GCancellable            *cancellable,
                           GAsyncReadyCallback      callback,
                           gpointer                 user_data)
{
  VireoLocalBackend *self = VIREO_LOCAL_BACKEND (backend);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) write = NULL;
  Define *define;
  GError *error = NULL;

  g_return_if_fail (VIREO_IS_LOCAL_BACKEND (self));
  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, local_define_domain_async);
  /* a caller that cancelled is told so whatever happened, since it may be
   * gone; the list follows the real outcome (on_written) */
  if (!vireo_domain_config_validate (config, &error) ||
      !check_define_conflicts (self, config, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  define = g_new0 (Define, 1);
  define->config = vireo_domain_config_copy (config);
  define->xml = vireo_domain_config_format (config);
  g_task_set_task_data (task, define, (GDestroyNotify) define_free);

  write = g_task_new (self, cancellable, on_written, g_steal_pointer (&task));
  g_task_set_task_data (write, define, NULL);
  g_task_set_check_cancellable (write, FALSE);
  g_task_run_in_thread (write, write_in_thread);
}

/**
 * local_define_domain_finish:
 * Returns: (transfer full): the VM
 */
static VireoDomain *
local_define_domain_finish (VireoBackend  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_define_domain_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* What undefining one VM deletes: plain paths, so the deleting can run
 * on a worker thread. */
typedef struct {
  VireoDomain *domain;
  VireoDomainConfig *config;     /* a copy, for the worker thread */
  const VireoPaths *paths;
  char *name;
  char *definition;
  char *run_dir;
  VireoLock *change_lock;        /* both taken before anything is deleted */
  VireoLock *run_lock;
  GPtrArray *doomed;             /* disk images */
  GPtrArray *bases;              /* their base images: deleted if nobody else uses them */
  char *tpm_dir;                 /* swtpm's state folder, with the storage, or NULL */
  gboolean definition_gone;
} Undefine;

static void
undefine_free (Undefine *u)
{
  g_clear_object (&u->domain);
  vireo_domain_config_free (u->config);
  vireo_lock_free (u->change_lock);
  vireo_lock_free (u->run_lock);
  g_free (u->name);
  g_free (u->definition);
  g_free (u->run_dir);
  g_ptr_array_unref (u->doomed);
  g_ptr_array_unref (u->bases);
  g_free (u->tpm_dir);
  g_free (u);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Undefine, undefine_free)

static Undefine *
undefine_prepare (VireoLocalBackend  *self,
                  VireoDomain        *domain,
                  gboolean            remove_storage,
                  GError            **error)
{
  const VireoDomainConfig *config = vireo_domain_get_config (domain);
  Undefine *u;

  g_autoptr(VireoLock) change_lock = NULL;
  g_autoptr(VireoLock) run_lock = NULL;
  const char *run_dir = vireo_domain_get_run_dir (domain);

  vireo_domain_refresh_state (domain);
  if (!vireo_domain_check (domain, VIREO_DOMAIN_OP_DELETE, error))
    return NULL;
  /* whatever another process does with the VM, it does it under these */
  change_lock = _vireo_domain_lock_change (run_dir, config->name, VIREO_DOMAIN_LOCK_DELETING, error);
  if (change_lock == NULL)
    return NULL;
  run_lock = _vireo_domain_lock_run (run_dir, config->name, VIREO_DOMAIN_LOCK_DELETING, error);
  if (run_lock == NULL)
    return NULL;
  u = g_new0 (Undefine, 1);
  u->domain = g_object_ref (domain);
  u->config = vireo_domain_config_copy (config);
  u->paths = self->paths;
  u->change_lock = g_steal_pointer (&change_lock);
  u->run_lock = g_steal_pointer (&run_lock);
  u->name = g_strdup (config->name);
  u->definition = vireo_paths_domain_file (self->paths, config->name);
  u->run_dir = g_strdup (vireo_domain_get_run_dir (domain));
  u->doomed = g_ptr_array_new_with_free_func (g_free);
  u->bases = g_ptr_array_new_with_free_func (g_free);
  /* chosen now, while the other VMs' definitions can say which images they use */
  if (remove_storage)
    for (guint i = 0; i < config->disks->len; i++)
      {
        const VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);

        if (!vireo_local_backend_image_deletable (self, domain, disk))
          continue;
        g_ptr_array_add (u->doomed, g_strdup (disk->path));
        /* nearest first: each goes if no other VM stands on it then */
        for (guint j = 0; disk->backing && disk->backing[j]; j++)
          g_ptr_array_add (u->bases, g_strdup (disk->backing[j]));
      }
  /* the TPM's state (its keys) is the VM's alone, as its disks are; also
   * when the TPM was taken out of the definition since */
  if (remove_storage)
    u->tpm_dir = vireo_paths_domain_tpm_dir (self->paths, config->uuid);
  /* a kernel and initrd in Vireo's own images folder were copied there
   * for this VM (the demo's): they go with its disks */
  if (remove_storage)
    {
      const char *boot_files[] = { config->kernel, config->initrd };

      for (guint i = 0; i < G_N_ELEMENTS (boot_files); i++)
        {
          if (boot_files[i] && _vireo_local_backend_in_images_folder (self, boot_files[i]) &&
              !vireo_local_backend_image_in_use (self, domain, boot_files[i]))
            g_ptr_array_add (u->doomed, g_strdup (boot_files[i]));
        }
      /* a UEFI VM's NVRAM Vireo made beside its disks is its alone */
      if (config->nvram && _vireo_local_backend_in_images_folder (self, config->nvram))
        g_ptr_array_add (u->doomed, g_strdup (config->nvram));
    }
  return u;
}

/* Under the definitions lock, the definition gone: the images chosen
 * from the list in memory, each asked again of the definitions on disk
 * (another process may have defined a VM on one meanwhile), and deleted
 * before anyone else can begin to use it. */
static gboolean
delete_doomed (Undefine  *u,
               GError   **error)
{
  for (guint i = 0; i < u->doomed->len; i++)
    {
      const char *path = g_ptr_array_index (u->doomed, i);
      g_autoptr(GError) local_error = NULL;
      g_auto(GStrv) users = _vireo_store_image_users (u->paths, path, u->name, &local_error);

      if (users == NULL || users[0] != NULL)
        {
          g_message ("VM '%s': %s kept: %s", u->name, path,
                     users ? "another VM uses it now" : local_error->message);
          continue;
        }
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          vireo_set_io_error (error, errno, _("VM '%s' was deleted, but not its disk %s"), u->name, path);
          return FALSE;
        }
    }
  return TRUE;
}

/* swtpm keeps its state as a few plain files in one folder. */
static gboolean
delete_tpm_state (Undefine  *u,
                  GError   **error)
{
  g_autoptr(GDir) dir = u->tpm_dir ? g_dir_open (u->tpm_dir, 0, NULL) : NULL;
  const char *name;

  if (dir == NULL)
    return TRUE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (u->tpm_dir, name, NULL);
      g_unlink (path);
    }
  if (g_rmdir (u->tpm_dir) != 0 && errno != ENOENT)
    {
      vireo_set_io_error (error, errno, _("VM '%s' was deleted, but not its TPM state %s"),
                          u->name, u->tpm_dir);
      return FALSE;
    }
  return TRUE;
}

/* Any thread, under the VM's locks: the definition, if it is still this
 * VM's (another process may have deleted or replaced it). */
static gboolean
undefine_definition (Undefine  *u,
                     GError   **error)
{
  g_autoptr(VireoLock) definitions = _vireo_domain_lock_definitions (u->paths, u->name, error);

  if (definitions == NULL)
    return FALSE;
  if (!_vireo_domain_check_defined (u->paths, u->config, error))
    {
      _vireo_domain_remove_run_dir (u->run_dir, g_steal_pointer (&u->change_lock),
                                    g_steal_pointer (&u->run_lock));
      return FALSE;
    }
  if (g_unlink (u->definition) != 0 && errno != ENOENT)
    {
      vireo_set_io_error (error, errno, _("VM '%s': cannot delete %s"), u->name, u->definition);
      return FALSE;
    }
  u->definition_gone = TRUE;
  if (!delete_doomed (u, error) || !delete_tpm_state (u, error))
    return FALSE;
  g_ptr_array_add (u->bases, NULL);
  _vireo_store_delete_unused_bases (u->paths, u->name, (const char * const *) u->bases->pdata);
  /* under the lock still: a new VM of the same name, defined next,
   * starts without this one's snapshots */
  _vireo_snapshot_store_forget_vm (u->paths, u->name);
  return TRUE;
}

/* Any thread.  The definition goes first: a VM is never left defined
 * without its disks. */
static gboolean
undefine_files (Undefine  *u,
                GError   **error)
{
  static const char *leftovers[] = { "state.json", "domain.xml", "qemu-argv", NULL };

  if (!undefine_definition (u, error))
    return FALSE;
  for (guint i = 0; leftovers[i]; i++)
    {
      g_autofree char *file = g_build_filename (u->run_dir, leftovers[i], NULL);
      g_unlink (file);
    }
  _vireo_domain_remove_run_dir (u->run_dir, g_steal_pointer (&u->change_lock),
                                g_steal_pointer (&u->run_lock));
  return TRUE;
}

static void
undefine_forget (VireoLocalBackend *self,
                 Undefine          *u)
{
  guint position;

  if (u->definition_gone && g_list_store_find (self->domains, u->domain, &position))
    g_list_store_remove (self->domains, position);
}

/**
 * vireo_local_backend_undefine_domain:
 * @remove_storage: also delete the VM's writable disk images that no other
 *   VM uses (CD-ROMs, read-only and shared disks are never deleted), a
 *   linked clone's base image once no other VM stands on it, and a
 *   kernel and initrd kept in Vireo's images folder for it
 *
 * The VM must be shut off.  Deletes on the calling thread: front ends on a
 * main loop use vireo_backend_undefine_domain_async().
 */
gboolean
vireo_local_backend_undefine_domain (VireoLocalBackend  *self,
                                     VireoDomain        *domain,
                                     gboolean            remove_storage,
                                     GError            **error)
{
  g_autoptr(Undefine) u = NULL;
  gboolean ok;

  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), FALSE);
  g_return_val_if_fail (VIREO_IS_DOMAIN (domain), FALSE);

  u = undefine_prepare (self, domain, remove_storage, error);
  if (u == NULL)
    return FALSE;
  ok = undefine_files (u, error);
  undefine_forget (self, u);
  return ok;
}

static void
undefine_in_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;

  if (undefine_files (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Main context: the VM leaves the list here, so a caller that never
 * calls vireo_backend_undefine_domain_finish() sees no ghost row. */
static void
on_undefined (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  undefine_forget (VIREO_LOCAL_BACKEND (source), g_task_get_task_data (task));
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * local_undefine_domain_async:
 * @domain: (transfer none): a VM of this engine; referenced until done
 * @cancellable: (nullable): cancelling only detaches the caller: once
 *   begun, deleting finishes (a half-deleted VM helps no one), and the
 *   result says what was deleted
 *
 * As vireo_local_backend_undefine_domain(), with the deleting on the worker
 * pool.  The VM leaves the model on the caller's main context as soon as
 * its definition is deleted, before @callback runs.
 */
static void
local_undefine_domain_async (VireoBackend        *backend,
                             VireoDomain         *domain,
                             gboolean             remove_storage,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  VireoLocalBackend *self = VIREO_LOCAL_BACKEND (backend);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) delete = NULL;
  GError *error = NULL;
  Undefine *u;

  g_return_if_fail (VIREO_IS_LOCAL_BACKEND (self));
  g_return_if_fail (VIREO_IS_DOMAIN (domain));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, local_undefine_domain_async);
  /* a caller that cancelled is told so; the list follows the real outcome */
  u = undefine_prepare (self, domain, remove_storage, &error);
  if (u == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, u, (GDestroyNotify) undefine_free);
  delete = g_task_new (self, cancellable, on_undefined, g_steal_pointer (&task));
  g_task_set_task_data (delete, u, NULL);
  g_task_set_check_cancellable (delete, FALSE);
  g_task_run_in_thread (delete, undefine_in_thread);
}

static gboolean
local_undefine_domain_finish (VireoBackend  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_undefine_domain_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_vireo_local_backend_class_init_define (VireoBackendClass *klass)
{
  klass->define_domain_async = local_define_domain_async;
  klass->define_domain_finish = local_define_domain_finish;
  klass->undefine_domain_async = local_undefine_domain_async;
  klass->undefine_domain_finish = local_undefine_domain_finish;
}
