/* vireo-clone.c: full and linked clones of a shut-off VM
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A clone is a new VM: a new name, UUID and MACs, and new images.  A full
 * clone copies each writable disk with `qemu-img convert` (sparse, from
 * the current state or an internal snapshot); a linked clone copies
 * nothing: the source's current images become read-only bases, and
 * source and clone each go on on a fresh overlay.  A source that is
 * itself a linked clone (or a template cloned before) stands on bases
 * already: its current overlay becomes one more, and the chain grows by
 * one, up to VIREO_CHAIN_MAX images.  CD-ROMs and read-only
 * or shareable disks are shared.  The source's snapshots stay with it.
 *
 * The source's change lock and run lock are held from the first check to
 * the end of the job's work (or rollback), so nobody starts, changes,
 * snapshots or deletes it meanwhile: they are told it is busy (being
 * cloned).  The job re-reads the source's definition once it holds them.  The checks that need no file
 * run here, on the caller's thread; the images and both definitions are
 * made by one job on the worker pool (vireo-clone-disks.c), which undoes
 * everything it did when it fails or is cancelled.
 *
 * Front ends call vireo_domain_clone_async(), which checks the policy and
 * asks the VM's class: VireoLocalDomain's clone is this file's, a libvirt
 * host's is engine/libvirt/vireo-libvirt-clone.c.
 */
#include <string.h>

#include "vireo-clone-private.h"
#include "vireo-domain-lock.h"
#include "vireo-domain-policy.h"
#include "vireo-local-domain-private.h"
#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"
#include "vireo-store.h"

VireoCloneOptions *
vireo_clone_options_new (void)
{
  return g_new0 (VireoCloneOptions, 1);
}

void
vireo_clone_options_free (VireoCloneOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->name);
  g_free (options->from_snapshot);
  g_free (options);
}

/**
 * vireo_clone_name_candidate:
 * @source: the source VM's name
 * @n: 1, 2, 3…
 *
 * Pure: the @n-th name to try for a clone, `NAME-clone`, `NAME-clone2`,
 * `NAME-clone3`…, with NAME shortened so the whole stays a valid name.
 *
 * Returns: (transfer full): the candidate
 */
char *
vireo_clone_name_candidate (const char *source,
                            guint       n)
{
  g_autofree char *suffix = n > 1 ? g_strdup_printf ("-clone%u", n) : g_strdup ("-clone");
  gsize room = VIREO_NAME_MAX - strlen (suffix);

  g_return_val_if_fail (source != NULL, NULL);

  return g_strdup_printf ("%.*s%s", (int) MIN (strlen (source), room), source, suffix);
}

/**
 * vireo_clone_suggest_name:
 * @backend: the host the clone is to be on (the source's)
 *
 * Returns: (transfer full): the first of vireo_clone_name_candidate()'s
 *   names that no VM of @backend has
 */
char *
vireo_clone_suggest_name (VireoBackend *backend,
                          const char   *source)
{
  g_return_val_if_fail (VIREO_IS_BACKEND (backend), NULL);
  g_return_val_if_fail (source != NULL, NULL);

  for (guint n = 1; ; n++)
    {
      g_autofree char *name = vireo_clone_name_candidate (source, n);

      if (vireo_backend_lookup_domain (backend, name) == NULL)
        return g_steal_pointer (&name);
    }
}

void
_vireo_clone_disk_free (CloneDisk *disk)
{
  g_free (disk->target);
  g_free (disk->image);
  g_free (disk->format);
  g_strfreev (disk->backing);
  g_free (disk->dest);
  g_free (disk->overlay);
  g_free (disk);
}

static void
clone_free (Clone *clone)
{
  vireo_lock_free (clone->change_lock);
  vireo_lock_free (clone->run_lock);
  vireo_domain_config_free (clone->source_config);
  vireo_domain_config_free (clone->source_new);
  vireo_domain_config_free (clone->config);
  g_free (clone->snapshot);
  g_clear_error (&clone->rollback_error);
  g_ptr_array_unref (clone->disks);
  g_ptr_array_unref (clone->made);
  g_clear_object (&clone->job);
  g_free (clone->run_dir);
  g_free (clone);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Clone, clone_free)

/* The source must be off, and stay so: its locks, for the whole clone. */
static gboolean
lock_source (Clone        *clone,
             VireoDomain  *source,
             GError      **error)
{
  const char *run_dir = vireo_domain_get_run_dir (source);
  const char *name = vireo_domain_get_name (source);
  g_autoptr(GError) local_error = NULL;

  vireo_domain_refresh_state (source);
  if (!vireo_domain_check (source, VIREO_DOMAIN_OP_CLONE, error))
    return FALSE;
  clone->change_lock = _vireo_domain_lock_change (run_dir, name, VIREO_DOMAIN_LOCK_CLONING, error);
  if (clone->change_lock == NULL)
    return FALSE;
  clone->run_lock = _vireo_domain_lock_run (run_dir, name, VIREO_DOMAIN_LOCK_CLONING, &local_error);
  if (clone->run_lock != NULL)
    return TRUE;
  /* off (vireo_domain_check said so), but its shim is still closing down:
   * the worker waits for its run lock, not the main loop */
  if (g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE))
    {
      clone->run_dir = g_strdup (run_dir);
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* What a linked clone cannot be made of, said before anything is made. */
static gboolean
check_linkable (const Clone           *clone,
                const VireoDiskConfig *disk,
                GError               **error)
{
  const char *name = clone->source_config->name;

  if (!g_str_equal (disk->format, "qcow2"))
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("VM '%s': disk %s is raw: convert it to qcow2 to make a linked clone"),
                 name, disk->target);
  else if (vireo_disk_config_n_bases (disk) + 2 > VIREO_CHAIN_MAX)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 /* Translators: "VM 'x': disk vda stands on 15 base images; a linked clone adds one, and Vireo runs chains of at most 16 images: make a full clone of it" */
                 _("VM '%s': disk %s stands on %u base images; a linked clone adds one, and Vireo "
                   "runs chains of at most %d images: make a full clone of it"),
                 name, disk->target, vireo_disk_config_n_bases (disk), VIREO_CHAIN_MAX);
  else if (!_vireo_store_in_images_folder (clone->paths, disk->path))
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("VM '%s': disk %s (%s) is not in Vireo's images folder: make a full clone of it"),
                 name, disk->target, disk->path);
  else
    return TRUE;
  return FALSE;
}

/* The disks the clone copies or links; the others (CD-ROMs, read-only
 * and shareable disks) it shares as they are. */
static gboolean
choose_disks (Clone   *clone,
              GError **error)
{
  const VireoDomainConfig *source = clone->source_config;

  for (guint i = 0; i < source->disks->len; i++)
    {
      const VireoDiskConfig *disk = g_ptr_array_index (source->disks, i);
      CloneDisk *cd;

      if (disk->device != VIREO_DISK_DEVICE_DISK || disk->readonly || disk->shareable ||
          disk->path == NULL)
        continue;
      if (clone->linked && !check_linkable (clone, disk, error))
        return FALSE;
      cd = g_new0 (CloneDisk, 1);
      cd->target = g_strdup (disk->target);
      cd->image = g_strdup (disk->path);
      cd->format = g_strdup (disk->format);
      cd->backing = g_strdupv (disk->backing);
      g_ptr_array_add (clone->disks, cd);
    }
  return TRUE;
}

/* The clone's identity: name, UUID, MACs unique among the defined VMs
 * and among its own NICs. */
static void
new_identity (VireoLocalBackend *engine,
              VireoDomainConfig *config,
              const char        *name)
{
  g_free (config->name);
  config->name = g_strdup (name);
  g_free (config->uuid);
  config->uuid = vireo_uuid_generate ();
  for (guint i = 0; i < config->nics->len; i++)
    {
      VireoNicConfig *nic = g_ptr_array_index (config->nics, i);
      gboolean taken;

      do
        {
          g_free (nic->mac);
          nic->mac = vireo_backend_generate_mac (VIREO_BACKEND (engine));
          taken = FALSE;
          for (guint j = 0; j < i; j++)
            taken |= g_ascii_strcasecmp (((VireoNicConfig *) g_ptr_array_index (config->nics, j))->mac,
                                         nic->mac) == 0;
        }
      while (taken);
    }
}

static Clone *
prepare (VireoLocalBackend        *engine,
         VireoDomain              *source,
         const VireoCloneOptions  *options,
         GError                  **error)
{
  g_autoptr(Clone) clone = g_new0 (Clone, 1);
  g_autofree char *name = options->name ? g_strdup (options->name)
                                        : vireo_clone_suggest_name (VIREO_BACKEND (engine),
                                                                    vireo_domain_get_name (source));

  clone->paths = vireo_local_backend_get_paths (engine);
  clone->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) _vireo_clone_disk_free);
  clone->made = g_ptr_array_new_with_free_func (g_free);
  clone->linked = options->linked;
  clone->snapshot = g_strdup (options->from_snapshot);
  clone->source_config = vireo_domain_config_copy (vireo_domain_get_config (source));
  if (!vireo_backend_check_new_name (VIREO_BACKEND (engine), name, error))
    return NULL;
  if (clone->snapshot && clone->linked)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': a linked clone is made of the current state; make a full clone "
                     "from snapshot '%s'"), clone->source_config->name, clone->snapshot);
      return NULL;
    }
  if (clone->snapshot && (*clone->snapshot == '\0' || strchr (clone->snapshot, ',')))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("VM '%s' has no snapshot '%s'"), clone->source_config->name, clone->snapshot);
      return NULL;
    }
  if (!lock_source (clone, source, error) || !choose_disks (clone, error))
    return NULL;
  clone->config = vireo_domain_config_copy (clone->source_config);
  new_identity (engine, clone->config, name);
  return g_steal_pointer (&clone);
}

/* Main context: the job is over, and the source's locks are free.  The
 * list learns of what is on disk now: both definitions, or after a
 * rollback that could not put the source back, its new one. */
static void
on_cloned (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoLocalBackend *engine = g_task_get_source_object (task);
  Clone *clone = g_task_get_task_data (task);
  VireoDomain *domain;
  GError *error = NULL;

  /* the job let go of them, unless a cancel came before it even began */
  g_clear_pointer (&clone->run_lock, vireo_lock_free);
  g_clear_pointer (&clone->change_lock, vireo_lock_free);
  /* a cancel that landed after the work finds a clone that exists */
  if (!vireo_job_run_finish (VIREO_JOB (source), result, &error) && clone->done)
    g_clear_error (&error);
  if (!clone->done)
    {
      if (clone->source_new)
        _vireo_local_backend_apply_definition (engine, clone->source_new);
      if (clone->rollback_error)
        {
          g_clear_error (&error);
          error = g_steal_pointer (&clone->rollback_error);
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("VM '%s' was not cloned: "), clone->source_config->name);
      g_task_return_error (task, error);
      return;
    }
  if (clone->source_new)
    _vireo_local_backend_apply_definition (engine, clone->source_new);
  domain = _vireo_local_backend_apply_definition (engine, clone->config);
  g_task_return_pointer (task, g_object_ref (domain), g_object_unref);
}

/*
 * local_clone_async:
 * @engine: the engine that holds @source
 * @source: a shut-off VM
 * @options: (transfer none): read before this returns
 * @job: (out) (optional) (transfer full) (nullable): the job that makes
 *   the images and definitions, for its progress (0..1) and title; %NULL
 *   when the clone fails at once
 * @cancellable: (nullable): kills a running qemu-img; whatever was made
 *   is removed and the source is left as it was
 *
 * Clones @source (see the top of vireo-clone.c).  The source's locks are
 * held until the clone is made or undone, so a second operation on it
 * is refused as busy meanwhile; they are free again when @callback runs.  Files are made on the worker pool, never on the calling
 * thread; the list learns of the clone (and of a linked source's new
 * overlays) on the caller's main context.
 */
static void
local_clone_async (VireoLocalBackend        *engine,
                   VireoDomain              *source,
                   const VireoCloneOptions  *options,
                   VireoJob                **job,
                   GCancellable             *cancellable,
                   GAsyncReadyCallback       callback,
                   gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *title = NULL;
  GError *error = NULL;
  Clone *clone;

  if (job)
    *job = NULL;
  g_return_if_fail (VIREO_IS_LOCAL_BACKEND (engine));
  g_return_if_fail (VIREO_IS_LOCAL_DOMAIN (source));
  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, local_clone_async);
  /* the job decides: a cancel it saw removed everything and says so; one
   * that came after it finished finds a clone that exists */
  g_task_set_check_cancellable (task, FALSE);
  clone = prepare (engine, source, options, &error);
  if (clone == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, clone, (GDestroyNotify) clone_free);
  /* Translators: a job's title, "Cloning VM 'web' as 'web-clone'" */
  title = g_strdup_printf (_("Cloning VM '%s' as '%s'"), clone->source_config->name, clone->config->name);
  /* no cleanup: the work rolls back itself, before it lets go of the locks */
  clone->job = vireo_job_new (title, _vireo_clone_run, NULL, clone, NULL);
  if (job)
    *job = g_object_ref (clone->job);
  vireo_job_run_async (clone->job, cancellable, on_cloned, g_steal_pointer (&task));
}

static VireoDomain *
local_clone_finish (VireoLocalBackend  *engine,
                    GAsyncResult       *result,
                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_clone_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* VireoLocalDomain's clone: the engine's, above */
static void
on_local_cloned (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  VireoDomain *clone = local_clone_finish (VIREO_LOCAL_BACKEND (source), result, &error);

  if (clone == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, clone, g_object_unref);
}

static void
local_domain_clone_async (VireoDomain              *self,
                          const VireoCloneOptions  *options,
                          VireoJob                **job,
                          GCancellable             *cancellable,
                          GAsyncReadyCallback       callback,
                          gpointer                  user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  /* the engine's job decides about a late cancel, as above */
  g_task_set_check_cancellable (task, FALSE);
  local_clone_async (VIREO_LOCAL_BACKEND (vireo_domain_get_backend (self)), self, options, job,
                     cancellable, on_local_cloned, task);
}

static VireoDomain *
local_domain_clone_finish (VireoDomain   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_vireo_local_domain_class_init_clone (VireoDomainClass *klass)
{
  klass->clone_async = local_domain_clone_async;
  klass->clone_finish = local_domain_clone_finish;
}

static void
on_domain_cloned (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  VireoDomain *clone = VIREO_DOMAIN_GET_CLASS (source)->clone_finish (VIREO_DOMAIN (source), result, &error);

  if (clone == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, clone, g_object_unref);
}

/**
 * vireo_domain_clone_async:
 * @source: a shut-off VM
 * @options: (transfer none): what the clone is to be; read before this
 *   returns
 * @job: (out) (optional) (transfer full) (nullable): the job that makes
 *   the clone, for its progress (0..1) and title; %NULL when the clone
 *   fails at once, or when its host tells no progress
 * @cancellable: (nullable): stops the clone; whatever was made is
 *   removed and the source is left as it was
 *
 * Makes a new VM of @source on @source's host: a new name, UUID and
 * MACs, and copies of its writable disks (or, where the host can, a
 * linked clone).  Main thread; the disks are copied on the host's
 * workers.  A cancel that comes after the clone was made finds it made.
 */
void
vireo_domain_clone_async (VireoDomain              *source,
                          const VireoCloneOptions  *options,
                          VireoJob                **job,
                          GCancellable             *cancellable,
                          GAsyncReadyCallback       callback,
                          gpointer                  user_data)
{
  VireoDomainClass *klass;
  GError *error = NULL;
  GTask *task;

  if (job)
    *job = NULL;
  g_return_if_fail (VIREO_IS_DOMAIN (source));
  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  klass = VIREO_DOMAIN_GET_CLASS (source);
  task = g_task_new (source, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_clone_async);
  g_task_set_check_cancellable (task, FALSE);
  if (!_vireo_domain_supports (source, klass->clone_async != NULL, task))
    return;
  vireo_domain_refresh_state (source);
  if (!vireo_domain_check (source, VIREO_DOMAIN_OP_CLONE, &error) ||
      (options->linked && !vireo_domain_check (source, VIREO_DOMAIN_OP_CLONE_LINKED, &error)) ||
      (options->from_snapshot != NULL && !vireo_domain_check (source, VIREO_DOMAIN_OP_CLONE_SNAPSHOT, &error)))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  klass->clone_async (source, options, job, cancellable, on_domain_cloned, task);
}

/**
 * vireo_domain_clone_finish:
 * Returns: (transfer full): the new VM, on the same host as @source
 */
VireoDomain *
vireo_domain_clone_finish (VireoDomain   *source,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_clone_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
