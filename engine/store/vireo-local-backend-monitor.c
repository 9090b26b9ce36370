/* vireo-local-backend-monitor.c: what other clients do, from inotify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Events, not polling: nothing is read while nothing changes.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vireo-domain-policy.h"
#include "vireo-local-domain-private.h"
#include "vireo-local-backend-private.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"
#include "vireo-load-error.h"
#include "vireo-shim-protocol.h"

static void
on_reloaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  VireoLocalBackend *self = VIREO_LOCAL_BACKEND (source);
  g_autoptr(GError) error = NULL;

  self->reloading = FALSE;
  if (!vireo_local_backend_load_finish (self, result, &error))
    g_debug ("Reloading definitions failed: %s", error->message);
}

/* Events, not polling: a change to the definitions folder reads it again
 * (on the worker pool, once the burst of events is over); a change to a
 * VM's state.json reads that VM's state.  A shim that dies without
 * writing is seen by its VM through a pidfd (vireo-domain.c). */

static gboolean
on_reload_due (gpointer user_data)
{
  VireoLocalBackend *self = user_data;

  self->reload_id = 0;
  if (self->reloading)
    {
      /* a load is under way: look again after it */
      self->reload_id = g_timeout_add (self->reload_delay_ms, on_reload_due, self);
      return G_SOURCE_REMOVE;
    }
  /* every event reads again: an edit in place changes no folder mtime, and
   * the file stamps keep a reload to the files that changed */
  self->reloading = TRUE;
  vireo_local_backend_load_async (self, NULL, on_reloaded, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_domains_folder_changed (GFileMonitor      *monitor,
                           GFile             *file,
                           GFile             *other,
                           GFileMonitorEvent  event,
                           VireoLocalBackend       *self)
{
  /* modes and times say nothing about definitions (and the folder's own
   * mode is set on every load) */
  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED || event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT)
    return;
  if (self->reload_id == 0)
    self->reload_id = g_timeout_add (self->reload_delay_ms, on_reload_due, self);
}

/* The VM whose runtime folder is called @id, if any. */
static VireoDomain *
domain_for_run_dir (VireoLocalBackend *self,
                    const char        *id)
{
  GListModel *model = G_LIST_MODEL (self->domains);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (model, i);
      g_autofree char *base = g_path_get_basename (vireo_domain_get_run_dir (domain));

      if (g_str_equal (base, id))
        return domain;
    }
  return NULL;
}

static void
refresh_run_dir (VireoLocalBackend *self,
                 const char        *id)
{
  VireoDomain *domain = domain_for_run_dir (self, id);

  if (domain != NULL)
    vireo_domain_refresh_state (domain);
}

static gboolean
names_state_file (GFile *file)
{
  g_autofree char *base = file ? g_file_get_basename (file) : NULL;

  return g_strcmp0 (base, VIREO_STATE_FILE) == 0;
}

static void
on_run_dir_changed (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    VireoLocalBackend       *self)
{
  /* state.json is written to a temporary file and renamed over */
  if (names_state_file (file) || names_state_file (other))
    refresh_run_dir (self, g_object_get_data (G_OBJECT (monitor), "vireo-run-id"));
}

static void
watch_run_dir (VireoLocalBackend *self,
               GFile             *dir)
{
  g_autofree char *id = g_file_get_basename (dir);
  g_autoptr(GFileMonitor) monitor = NULL;

  if (g_hash_table_contains (self->run_dir_monitors, id))
    return;
  monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (monitor == NULL)
    return;
  g_object_set_data_full (G_OBJECT (monitor), "vireo-run-id", g_strdup (id), g_free);
  g_signal_connect (monitor, "changed", G_CALLBACK (on_run_dir_changed), self);
  g_hash_table_insert (self->run_dir_monitors, g_steal_pointer (&id), g_steal_pointer (&monitor));
}

static void
on_run_folder_changed (GFileMonitor      *monitor,
                       GFile             *file,
                       GFile             *other,
                       GFileMonitorEvent  event,
                       VireoLocalBackend       *self)
{
  g_autofree char *id = g_file_get_basename (file);

  if (event == G_FILE_MONITOR_EVENT_DELETED || event == G_FILE_MONITOR_EVENT_MOVED_OUT)
    g_hash_table_remove (self->run_dir_monitors, id);
  else if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL) == G_FILE_TYPE_DIRECTORY)
    watch_run_dir (self, file);
  refresh_run_dir (self, id);
}

/* One watch per VM folder that exists now; new ones are added as the
 * runtime folder reports them. */
static void
watch_run_dirs (VireoLocalBackend *self)
{
  g_autoptr(GFile) root = g_file_new_for_path (self->paths->run_dir);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;
  GFile *child;

  self->run_monitor = g_file_monitor_directory (root, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->run_monitor != NULL)
    g_signal_connect (self->run_monitor, "changed", G_CALLBACK (on_run_folder_changed), self);
  children = g_file_enumerate_children (root, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                        NULL, NULL);
  while (children && g_file_enumerator_iterate (children, &info, &child, NULL, NULL) && info)
    if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
      watch_run_dir (self, child);
}

/**
 * vireo_local_backend_start_monitoring:
 * @interval_ms: how long a burst of changes to the definitions folder
 *   may last before the folder is read again
 *
 * Keeps the list and every VM's state current with what other clients do
 * (vireoctl, another window), from inotify events on the definitions and
 * runtime folders: nothing is read while nothing changes.  Main thread.
 */
void
vireo_local_backend_start_monitoring (VireoLocalBackend *self,
                                      guint              interval_ms)
{
  g_autoptr(GFile) domains = NULL;

  g_return_if_fail (VIREO_IS_LOCAL_BACKEND (self));
  g_return_if_fail (self->domains_monitor == NULL);

  self->reload_delay_ms = MAX (interval_ms / 4, 10);
  vireo_paths_ensure (self->paths, NULL);
  domains = g_file_new_for_path (self->paths->domains_dir);
  self->domains_monitor = g_file_monitor_directory (domains, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->domains_monitor != NULL)
    g_signal_connect (self->domains_monitor, "changed", G_CALLBACK (on_domains_folder_changed), self);
  self->run_dir_monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  watch_run_dirs (self);
  /* what changed before the watches began: the list, and every VM's state */
  on_domains_folder_changed (NULL, NULL, NULL, 0, self);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->domains)); i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (G_LIST_MODEL (self->domains), i);

      vireo_domain_refresh_state (domain);
    }
}

