/* vireo-domain-disks.c: adding and removing a VM's disks, on any host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules every host shares are checked here, once: the VM's state and
 * host (VIREO_DOMAIN_OP_CHANGE_DISKS), the request's shape and the
 * drive's existence.  Each VM class then does the work its host's way
 * (vireo-disks.c on this machine, vireo-libvirt-disks.c on libvirt's).
 */
#include "vireo-domain-policy.h"
#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"

static void
on_attached (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  GError *error = NULL;
  char *target = VIREO_DOMAIN_GET_CLASS (self)->attach_disk_finish (self, result, &error);

  if (target != NULL)
    g_task_return_pointer (task, target, g_free);
  else
    g_task_return_error (task, error);
}

/* Takes @task when it returns FALSE */
static gboolean
check_request (VireoDomain            *self,
               const VireoDiskRequest *request,
               GTask                  *task)
{
  GError *error = NULL;

  if (!vireo_domain_check (self, VIREO_DOMAIN_OP_CHANGE_DISKS, &error))
    ;
  else if (request->device == VIREO_DISK_DEVICE_DISK && (request->new_bytes > 0) == (request->path != NULL))
    g_set_error (&error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("VM '%s': a new disk needs either a size or an existing image"),
                 vireo_domain_get_name (self));
  else
    return TRUE;
  g_task_return_error (task, error);
  g_object_unref (task);
  return FALSE;
}

/**
 * vireo_domain_attach_disk_async:
 * @request: (transfer none): what to add; read before this returns
 * @job: (out) (optional) (transfer full) (nullable): the job that makes a
 *   new image, to show its progress; %NULL when there is none to watch
 * @cancellable: (nullable): stops the change until the definition is
 *   written (an image made for it is removed again)
 *
 * Adds a disk or CD-ROM drive to @self's definition, on the first free
 * target of its bus, on whichever host @self is; a running VM takes it at
 * its next start (pending changes).  vireo_domain_attach_disk_finish()
 * returns the target.
 */
void
vireo_domain_attach_disk_async (VireoDomain            *self,
                                const VireoDiskRequest *request,
                                VireoJob              **job,
                                GCancellable           *cancellable,
                                GAsyncReadyCallback     callback,
                                gpointer                user_data)
{
  VireoDomainClass *klass;
  GTask *task;

  if (job)
    *job = NULL;
  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  klass = VIREO_DOMAIN_GET_CLASS (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_attach_disk_async);
  if (!_vireo_domain_supports (self, klass->attach_disk_async != NULL, task) ||
      !check_request (self, request, task))
    return;
  klass->attach_disk_async (self, request, job, cancellable, on_attached, task);
}

/**
 * vireo_domain_attach_disk_finish:
 * Returns: (transfer full) (nullable): the new drive's target ("vdb")
 */
char *
vireo_domain_attach_disk_finish (VireoDomain   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_attach_disk_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_detached (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (VIREO_DOMAIN_GET_CLASS (self)->detach_disk_finish (self, result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_domain_detach_disk_async:
 * @remove_storage: also delete the image, if it is a writable disk that no
 *   other VM uses and the VM is shut off
 * @cancellable: (nullable): stops the change until the definition is
 *   written; from then on it completes and the result says so
 *
 * Removes disk or CD-ROM drive @target from @self's definition, on
 * whichever host @self is.
 */
void
vireo_domain_detach_disk_async (VireoDomain         *self,
                                const char          *target,
                                gboolean             remove_storage,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  VireoDomainClass *klass;
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (target != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  klass = VIREO_DOMAIN_GET_CLASS (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_detach_disk_async);
  if (!_vireo_domain_supports (self, klass->detach_disk_async != NULL, task))
    return;
  if (remove_storage)
    vireo_domain_refresh_state (self);
  if (!vireo_domain_check (self, VIREO_DOMAIN_OP_CHANGE_DISKS, &error))
    ;
  else if (vireo_domain_config_lookup_disk (vireo_domain_get_config (self), target) == NULL)
    g_set_error (&error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s' has no disk '%s'"),
                 vireo_domain_get_name (self), target);
  else if (remove_storage && vireo_domain_is_active (self))
    g_set_error (&error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                 _("VM '%s' is running; shut it down before deleting disk '%s'"),
                 vireo_domain_get_name (self), target);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  klass->detach_disk_async (self, target, remove_storage, cancellable, on_detached, task);
}

gboolean
vireo_domain_detach_disk_finish (VireoDomain   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_detach_disk_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
