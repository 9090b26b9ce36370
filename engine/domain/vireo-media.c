/* vireo-media.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A running VM changes its medium through QMP (blockdev-change-medium, or
 * open-tray, remove-medium and close-tray to eject), addressed by the
 * drive's qdev id, which is its target name.  The definition is saved as
 * well, so the change survives a restart.  An image in the document
 * portal, which has no locks, is added as a node of its own with locking
 * off and inserted, since blockdev-change-medium cannot say so.
 */
#include <unistd.h>

#include "vireo-fileutil.h"

#include "vireo-domain-policy.h"
#include "vireo-local-domain-private.h"
#include "vireo-error.h"
#include "vireo-media.h"
#include "vireo-storage.h"
#include "vireo-i18n.h"

typedef struct {
  VireoDomain *domain;
  VireoDomainConfig *config;   /* the new definition */
  char *target;
  char *path;
  GQueue commands;             /* JsonObject requests still to send */
  VireoQmpClient *qmp;
} Change;

static void
change_free (Change *change)
{
  g_clear_object (&change->domain);
  vireo_domain_config_free (change->config);
  g_free (change->target);
  g_free (change->path);
  g_queue_clear_full (&change->commands, (GDestroyNotify) json_object_unref);
  g_clear_object (&change->qmp);
  g_free (change);
}

static void
queue_command (Change     *change,
               const char *command,
               JsonObject *arguments)
{
  JsonObject *request = json_object_new ();

  json_object_set_string_member (request, "execute", command);
  json_object_set_object_member (request, "arguments", arguments);
  g_queue_push_tail (&change->commands, request);
}

static JsonObject *
drive_arguments (const char *target)
{
  JsonObject *args = json_object_new ();

  json_object_set_string_member (args, "id", target);
  return args;
}

static void
on_defined (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(VireoDomain) domain = vireo_backend_define_domain_finish (VIREO_BACKEND (source), result, &error);

  if (domain == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Takes @task: the last step, saving the definition. */
static void
save_definition (GTask *task)
{
  VireoLocalBackend *engine = g_task_get_source_object (task);
  Change *change = g_task_get_task_data (task);

  /* after a running VM's medium changed, the definition must follow */
  vireo_backend_define_domain_async (VIREO_BACKEND (engine), change->config,
                                     change->qmp ? NULL : g_task_get_cancellable (task),
                                     on_defined, task);
}

static void send_next (GTask *task);

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Change *change = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, &error);

  if (ret == NULL)
    {
      g_task_return_error (task, _vireo_domain_command_error (change->domain, g_steal_pointer (&error),
                                                              _("VM '%s' cannot change the CD-ROM: %s")));
      g_object_unref (task);
      return;
    }
  send_next (task);
}

static void
send_next (GTask *task)
{
  Change *change = g_task_get_task_data (task);
  g_autoptr(JsonObject) request = g_queue_pop_head (&change->commands);

  if (request == NULL)
    {
      save_definition (task);
      return;
    }
  vireo_qmp_client_execute_async (change->qmp, json_object_get_string_member (request, "execute"),
                                  json_object_get_object_member (request, "arguments"),
                                  NULL, on_sent, task);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Change *change = g_task_get_task_data (task);
  GError *error = NULL;

  change->qmp = _vireo_domain_connect_finish (VIREO_DOMAIN (source), result, &error);
  if (change->qmp == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  send_next (task);
}

/* The eject sequence; with @node, @node is inserted before the tray
 * closes. */
static void
queue_swap (Change     *change,
            const char *node)
{
  const char *target = change->target;
  JsonObject *open = drive_arguments (target);

  /* force: the guest may have locked the tray */
  json_object_set_boolean_member (open, "force", TRUE);
  queue_command (change, "blockdev-open-tray", open);
  queue_command (change, "blockdev-remove-medium", drive_arguments (target));
  if (node != NULL)
    {
      JsonObject *insert = drive_arguments (target);

      json_object_set_string_member (insert, "node-name", node);
      queue_command (change, "blockdev-insert-medium", insert);
    }
  queue_command (change, "blockdev-close-tray", drive_arguments (target));
}

/* An image in the document portal (vireo_file_in_document_portal()):
 * read-only without a lock, as on the command line, under a node name
 * of its own (unique: the old medium's node may still exist). */
static void
queue_unlocked_medium (Change *change)
{
  JsonObject *file = json_object_new ();
  JsonObject *args = json_object_new ();
  g_autofree char *node = g_strdup_printf ("media-%s-%" G_GINT64_MODIFIER "x",
                                           change->target, g_get_real_time ());

  json_object_set_string_member (file, "driver", "file");
  json_object_set_string_member (file, "filename", change->path);
  json_object_set_boolean_member (file, "read-only", TRUE);
  json_object_set_string_member (file, "locking", "off");
  json_object_set_string_member (args, "driver", "raw");
  json_object_set_string_member (args, "node-name", node);
  json_object_set_boolean_member (args, "read-only", TRUE);
  json_object_set_object_member (args, "file", file);
  queue_command (change, "blockdev-add", args);
  queue_swap (change, node);
}

/* Takes @task: the drive gets its new medium in the definition, and in
 * the guest when the VM runs. */
static void
apply_change (GTask *task)
{
  Change *change = g_task_get_task_data (task);
  VireoDiskConfig *drive = vireo_domain_config_lookup_disk (change->config, change->target);
  const char *target = change->target;

  g_free (drive->path);
  drive->path = g_strdup (change->path);
  g_free (drive->format);
  drive->format = g_strdup ("raw");

  vireo_domain_refresh_state (change->domain);
  if (!vireo_domain_is_active (change->domain))
    {
      save_definition (task);
      return;
    }

  if (change->path && vireo_file_in_document_portal (change->path))
    queue_unlocked_medium (change);
  else if (change->path)
    {
      JsonObject *args = drive_arguments (target);

      json_object_set_string_member (args, "filename", change->path);
      json_object_set_string_member (args, "format", "raw");
      json_object_set_string_member (args, "read-only-mode", "read-only");
      queue_command (change, "blockdev-change-medium", args);
    }
  else
    queue_swap (change, NULL);
  _vireo_domain_connect_async (change->domain, g_task_get_cancellable (task), on_connected, task);
}

/* Worker thread: the image to insert.  Touches only @change's path. */
static void
resolve_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Change *change = task_data;
  GError *error = NULL;
  char *path = vireo_storage_existing_file (change->config->name, _("CD-ROM image"), change->path, &error);

  g_free (change->path);
  change->path = path;
  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  apply_change (task);
}

/**
 * vireo_media_change_async:
 * @engine: the engine that holds @domain
 * @domain: the VM
 * @target: the CD-ROM drive ("sda")
 * @path: (nullable): the image to insert, or %NULL to eject; it is looked
 *   at on the worker pool
 * @cancellable: (nullable): stops the change until the guest's drive or
 *   the definition is touched; from then on it completes and the result
 *   says so
 *
 * Works on a shut-off VM (the definition changes, through
 * vireo_backend_define_domain_async()) and on a running one (the guest
 * sees the new medium at once).
 */
void
vireo_media_change_async (VireoLocalBackend   *engine,
                          VireoDomain         *domain,
                          const char          *target,
                          const char          *path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) step = NULL;
  GTask *task;
  Change *change;
  const VireoDiskConfig *drive;

  g_return_if_fail (VIREO_IS_LOCAL_BACKEND (engine));
  g_return_if_fail (VIREO_IS_LOCAL_DOMAIN (domain));
  g_return_if_fail (target != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (engine, cancellable, callback, user_data);
  change = g_new0 (Change, 1);
  g_task_set_source_tag (task, vireo_media_change_async);
  g_task_set_task_data (task, change, (GDestroyNotify) change_free);
  /* a caller that cancelled is told so whatever happened, since it may be
   * gone */
  change->domain = g_object_ref (domain);
  change->config = vireo_domain_config_copy (vireo_domain_get_config (domain));
  change->target = g_strdup (target);

  drive = vireo_domain_config_lookup_disk (change->config, target);
  if (drive == NULL || drive->device != VIREO_DISK_DEVICE_CDROM)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                               _("VM '%s' has no CD-ROM drive '%s'"), change->config->name, target);
      g_object_unref (task);
      return;
    }
  if (path == NULL)
    {
      apply_change (task);
      return;
    }
  change->path = g_strdup (path);
  step = g_task_new (engine, cancellable, on_resolved, task);
  g_task_set_task_data (step, change, NULL);
  g_task_run_in_thread (step, resolve_in_thread);
}

gboolean
vireo_media_change_finish (VireoLocalBackend  *engine,
                           GAsyncResult       *result,
                           GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_media_change_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* VireoLocalDomain's change_media: the engine's, above */
static void
on_local_changed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (vireo_media_change_finish (VIREO_LOCAL_BACKEND (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
local_change_media_async (VireoDomain         *self,
                          const char          *target,
                          const char          *path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  vireo_media_change_async (VIREO_LOCAL_BACKEND (vireo_domain_get_backend (self)), self, target, path,
                            cancellable, on_local_changed, task);
}

static gboolean
local_change_media_finish (VireoDomain   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_vireo_local_domain_class_init_media (VireoDomainClass *klass)
{
  klass->change_media_async = local_change_media_async;
  klass->change_media_finish = local_change_media_finish;
}

static void
on_media_changed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (VIREO_DOMAIN_GET_CLASS (source)->change_media_finish (VIREO_DOMAIN (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_domain_change_media_async:
 * @target: a CD-ROM drive's target ("sdb")
 * @path: (nullable): the image to insert; %NULL ejects
 *
 * Inserts or ejects a CD-ROM's medium, live too while the VM runs, on
 * whichever host the VM is.
 */
void
vireo_domain_change_media_async (VireoDomain         *self,
                                 const char          *target,
                                 const char          *path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  VireoDomainClass *klass;
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (target != NULL);

  klass = VIREO_DOMAIN_GET_CLASS (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_change_media_async);
  if (!_vireo_domain_supports (self, klass->change_media_async != NULL, task))
    return;
  if (!vireo_domain_check (self, VIREO_DOMAIN_OP_CHANGE_MEDIA, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  klass->change_media_async (self, target, path, cancellable, on_media_changed, task);
}

gboolean
vireo_domain_change_media_finish (VireoDomain   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_change_media_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
