/* vireo-domain-lock.c: which process may change a VM now
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Several front ends (a window, vireoctl in a script, vireo-tui) act on
 * the same VMs at once, each with its own engine.  A state read and then
 * acted on is stale by the time it is acted on, so every operation that
 * changes a VM takes locks first (flock(2), see vireo-lock.c), and one
 * that cannot fails at once with the reason; nobody waits for a VM.
 *
 * Three locks, because a running VM is not a VM being changed:
 *
 * - The run lock, run/ID/lock, says "a vireo-shim owns this runtime
 *   folder".  A starter takes it before it touches the folder and hands
 *   the locked fd to the shim, which keeps it open for its whole life;
 *   it is free again the moment the shim is gone, however it ended.  What
 *   needs the VM off and its folder to itself takes it too (undefine).
 *
 * - The change lock, run/ID/change.lock, is held for the length of one
 *   change: a start until the guest runs or the start failed, a forced
 *   power-off, a definition written over an existing one (disk and media
 *   changes included), an undefine.  It is short-lived, and it does not
 *   conflict with a running shim: a running VM's definition may still
 *   change (its changes are pending until the next start, and CD-ROM media
 *   change live), but never under a start or a delete.  Its holder writes
 *   what it does into the file, for the "VM 'demo' is busy (starting)" of
 *   whoever comes second.
 *
 * - The definitions lock, on the definitions folder itself, makes "look
 *   at what is on disk, then write or delete NAME.xml" one step: two
 *   processes that define one name with two UUIDs cannot both succeed.
 *   It is held for milliseconds, so taking it waits a little.
 *
 * Order: change, then run, then definitions; only the last one waits, and
 * nobody waits while holding it, so there is no deadlock.
 */
#include <errno.h>
#include <glib/gstdio.h>

#include "vireo-domain-lock.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-json.h"
#include "vireo-shim-protocol.h"

#define DEFINITIONS_WAIT_MS 5000
/* How long a shim that wrote its last state may take to exit. */
#define ENDING_SHIM_WAIT_MS 5000

/* As written into the change lock, in VireoDomainLockPurpose order. */
static const char * const purposes[] = {
  "starting", "forcing-off", "defining", "deleting",
  "snapshotting", "reverting", "deleting-snapshot", "editing-snapshot", "cloning",
  "converting-disk",
};

static char *
busy_message (const char *name,
              const char *holder)
{
  if (g_strcmp0 (holder, purposes[VIREO_DOMAIN_LOCK_STARTING]) == 0)
    return g_strdup_printf (_("VM '%s' is busy (starting)"), name);
  if (g_strcmp0 (holder, purposes[VIREO_DOMAIN_LOCK_FORCING_OFF]) == 0)
    return g_strdup_printf (_("VM '%s' is busy (forcing off)"), name);
  if (g_strcmp0 (holder, purposes[VIREO_DOMAIN_LOCK_DEFINING]) == 0)
    return g_strdup_printf (_("VM '%s' is busy (saving its definition)"), name);
  if (g_strcmp0 (holder, purposes[VIREO_DOMAIN_LOCK_DELETING]) == 0)
    return g_strdup_printf (_("VM '%s' is busy (being deleted)"), name);
  if (g_strcmp0 (holder, purposes[VIREO_DOMAIN_LOCK_SNAPSHOTTING]) == 0)
    return g_strdup_printf (_("VM '%s' is busy (taking a snapshot)"), name);
  if (g_strcmp0 (holder, purposes[VIREO_DOMAIN_LOCK_REVERTING]) == 0)
    return g_strdup_printf (_("VM '%s' is busy (reverting to a snapshot)"), name);
  if (g_strcmp0 (holder, purposes[VIREO_DOMAIN_LOCK_DELETING_SNAPSHOT]) == 0)
    return g_strdup_printf (_("VM '%s' is busy (deleting a snapshot)"), name);
  if (g_strcmp0 (holder, purposes[VIREO_DOMAIN_LOCK_EDITING_SNAPSHOT]) == 0)
    return g_strdup_printf (_("VM '%s' is busy (changing a snapshot)"), name);
  if (g_strcmp0 (holder, purposes[VIREO_DOMAIN_LOCK_CLONING]) == 0)
    return g_strdup_printf (_("VM '%s' is busy (being cloned)"), name);
  if (g_strcmp0 (holder, purposes[VIREO_DOMAIN_LOCK_CONVERTING_DISK]) == 0)
    return g_strdup_printf (_("VM '%s' is busy (converting a disk)"), name);
  return g_strdup_printf (_("VM '%s' is busy (another change is under way)"), name);
}

static VireoLock *
lock_in_run_dir (const char  *run_dir,
                 const char  *file,
                 const char  *name,
                 const char  *purpose,
                 char       **holder,
                 GError     **error)
{
  g_autofree char *path = g_build_filename (run_dir, file, NULL);
  VireoLock *lock;

  if (g_mkdir_with_parents (run_dir, 0700) != 0)
    {
      vireo_set_io_error (error, errno, _("VM '%s': cannot create %s"), name, run_dir);
      return NULL;
    }
  lock = vireo_lock_try (path, purpose, holder, error);
  if (lock == NULL && error && !g_error_matches (*error, VIREO_ERROR, VIREO_ERROR_BUSY))
    /* Translators: put before an error about a file: "VM 'web': Cannot lock /run/…: …" */
    g_prefix_error (error, _("VM '%s': "), name);
  return lock;
}

/**
 * _vireo_domain_lock_change:
 * Takes the VM's change lock at once, or fails with %VIREO_ERROR_BUSY
 * saying what its holder does.  Any thread.
 */
VireoLock *
_vireo_domain_lock_change (const char              *run_dir,
                           const char              *name,
                           VireoDomainLockPurpose   purpose,
                           GError                 **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *holder = NULL;
  VireoLock *lock;

  g_return_val_if_fail (purpose < G_N_ELEMENTS (purposes), NULL);

  lock = lock_in_run_dir (run_dir, VIREO_DOMAIN_CHANGE_LOCK, name, purposes[purpose],
                          &holder, &local_error);
  if (lock != NULL)
    return lock;
  if (g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_BUSY))
    {
      g_autofree char *message = busy_message (name, holder);
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_BUSY, message);
    }
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/**
 * _vireo_domain_lock_run:
 * Takes the VM's run lock at once, or fails with
 * %VIREO_ERROR_INVALID_STATE while a vireo-shim runs the VM.  Any thread.
 */
VireoLock *
_vireo_domain_lock_run (const char              *run_dir,
                        const char              *name,
                        VireoDomainLockPurpose   purpose,
                        GError                 **error)
{
  g_autoptr(GError) local_error = NULL;
  VireoLock *lock;

  lock = lock_in_run_dir (run_dir, VIREO_DOMAIN_RUN_LOCK, name, purposes[purpose], NULL, &local_error);
  if (lock != NULL)
    return lock;
  if (!g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_BUSY))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (purpose == VIREO_DOMAIN_LOCK_DELETING)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                 _("VM '%s' is running; shut it down first"), name);
  else
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                 _("VM '%s' is already running"), name);
  return NULL;
}

/**
 * _vireo_domain_lock_definitions:
 * Locks the definitions folder (made if missing), waiting a few seconds
 * at most for another process's write.  Blocks: worker threads, or a
 * caller that writes the definition on its own thread anyway.
 */
VireoLock *
_vireo_domain_lock_definitions (const VireoPaths  *paths,
                                const char        *name,
                                GError           **error)
{
  VireoLock *lock;

  if (!vireo_paths_ensure (paths, error))
    return NULL;
  lock = vireo_lock_folder (paths->domains_dir, DEFINITIONS_WAIT_MS, error);
  if (lock == NULL)
    /* Translators: put before an error about a folder */
    g_prefix_error (error, _("VM '%s': "), name);
  return lock;
}

/**
 * _vireo_domain_read_definition:
 * Returns: (transfer full) (nullable): NAME.xml as it is on disk now;
 *   %NULL with %VIREO_ERROR_NOT_FOUND when there is none
 */
VireoDomainConfig *
_vireo_domain_read_definition (const VireoPaths  *paths,
                               const char        *name,
                               GError           **error)
{
  g_autofree char *path = vireo_paths_domain_file (paths, name);
  g_autofree char *xml = NULL;
  gsize len;

  if (!g_file_get_contents (path, &xml, &len, NULL))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s' no longer exists"), name);
      return NULL;
    }
  return vireo_domain_config_parse (xml, len, path, error);
}

/**
 * _vireo_domain_check_defined:
 * Returns: whether NAME.xml on disk is still @config's VM (same UUID),
 *   and not deleted or replaced by another process meanwhile
 */
gboolean
_vireo_domain_check_defined (const VireoPaths         *paths,
                             const VireoDomainConfig  *config,
                             GError                  **error)
{
  g_autoptr(VireoDomainConfig) on_disk = _vireo_domain_read_definition (paths, config->name, error);

  if (on_disk == NULL)
    return FALSE;
  if (!g_str_equal (on_disk->uuid, config->uuid))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s' no longer exists"), config->name);
      return FALSE;
    }
  return TRUE;
}

/**
 * _vireo_domain_remove_run_dir:
 * @change_lock: (transfer full) (nullable):
 * @run_lock: (transfer full) (nullable):
 *
 * For a VM that is gone: deletes both lock files while holding them,
 * releases them, and removes the runtime folder if nothing else is in it.
 */
void
_vireo_domain_remove_run_dir (const char *run_dir,
                              VireoLock  *change_lock,
                              VireoLock  *run_lock)
{
  vireo_lock_remove (run_lock);
  vireo_lock_remove (change_lock);
  g_rmdir (run_dir);
}

/* Whether the VM's shim has written its last state (off) and is only
 * closing down: it still holds the run lock for a moment. */
static gboolean
shim_is_ending (const char *run_dir)
{
  g_autofree char *path = g_build_filename (run_dir, VIREO_STATE_FILE, NULL);
  g_autoptr(GBytes) bytes = vireo_file_read_regular (path, 1024 * 1024, NULL);
  g_autoptr(JsonObject) state = NULL;
  const char *name;

  if (bytes == NULL)
    return FALSE;
  state = vireo_json_parse_object (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  name = state ? vireo_json_get_string (state, VIREO_STATE_KEY_STATE) : NULL;
  return g_strcmp0 (name, VIREO_STATE_SHUTOFF) == 0 || g_strcmp0 (name, VIREO_STATE_CRASHED) == 0;
}

/**
 * _vireo_domain_lock_run_when_off:
 * As _vireo_domain_lock_run(), for a VM that has just stopped: its shim
 * writes "shut off" before it closes its sockets and exits, so a caller
 * told "off" (vireoctl destroy returned) may still find the run lock
 * held for a moment.  Then this waits for the shim to go, a few seconds
 * at most.  Any thread; blocks that long at most.
 */
VireoLock *
_vireo_domain_lock_run_when_off (const char              *run_dir,
                                 const char              *name,
                                 VireoDomainLockPurpose   purpose,
                                 GError                 **error)
{
  gint64 deadline = g_get_monotonic_time () + ENDING_SHIM_WAIT_MS * 1000;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      VireoLock *lock = _vireo_domain_lock_run (run_dir, name, purpose, &local_error);

      if (lock != NULL)
        return lock;
      if (!g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE) ||
          g_get_monotonic_time () > deadline || !shim_is_ending (run_dir))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_usleep (20000);
    }
}
