/* vireo-job.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Jobs run on GIO's worker pool (a GThreadPool) through GTask.  Progress is
 * written from the worker and announced on the main context of whoever
 * started the job, coalesced so a fast job cannot flood the main loop.
 */
#include "vireo-job.h"

struct _VireoJob
{
  GObject parent_instance;

  char *title;
  VireoJobFunc func;
  VireoJobCleanupFunc cleanup;
  gpointer data;
  GDestroyNotify data_free;

  GMutex lock;
  double progress;           /* under lock */
  char *text;                /* under lock: what the job does now */
  gboolean notify_queued;    /* under lock */
  GMainContext *context;     /* where notifications go */
};

G_DEFINE_FINAL_TYPE (VireoJob, vireo_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_PROGRESS,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vireo_job_finalize (GObject *object)
{
  VireoJob *self = VIREO_JOB (object);

  if (self->data_free)
    self->data_free (self->data);
  g_free (self->title);
  g_free (self->text);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (vireo_job_parent_class)->finalize (object);
}

static void
vireo_job_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  VireoJob *self = VIREO_JOB (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, vireo_job_get_progress (self));
      break;
    case PROP_TEXT:
      g_value_take_string (value, vireo_job_dup_text (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_job_class_init (VireoJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vireo_job_finalize;
  object_class->get_property = vireo_job_get_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vireo_job_init (VireoJob *self)
{
  g_mutex_init (&self->lock);
}

/**
 * vireo_job_new:
 * @title: what the job does, for a progress row ("Creating disk of VM 'x'")
 * @data: (transfer full): handed to @func and @cleanup, freed with @data_free
 *
 * Returns: (transfer full): the job, not yet started
 */
VireoJob *
vireo_job_new (const char          *title,
               VireoJobFunc         func,
               VireoJobCleanupFunc  cleanup,
               gpointer             data,
               GDestroyNotify       data_free)
{
  VireoJob *self;

  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (VIREO_TYPE_JOB, NULL);

  self->title = g_strdup (title);
  self->func = func;
  self->cleanup = cleanup;
  self->data = data;
  self->data_free = data_free;
  return self;
}

/**
 * vireo_job_new_progress:
 * @title: as vireo_job_new()'s
 *
 * A job whose work runs elsewhere (on a libvirt host's workers), for its
 * title and progress only: it is never run, and ::notify fires on the
 * calling thread's main context.
 *
 * Returns: (transfer full): the job
 */
VireoJob *
vireo_job_new_progress (const char *title)
{
  VireoJob *self;

  g_return_val_if_fail (title != NULL, NULL);

  self = g_object_new (VIREO_TYPE_JOB, NULL);
  self->title = g_strdup (title);
  self->context = g_main_context_ref_thread_default ();
  return self;
}

/**
 * vireo_job_get_title:
 * Returns: (transfer none): the title given to vireo_job_new()
 */
const char *
vireo_job_get_title (VireoJob *self)
{
  g_return_val_if_fail (VIREO_IS_JOB (self), NULL);

  return self->title;
}

/**
 * vireo_job_get_progress:
 * Returns: 0..1; safe from any thread
 */
double
vireo_job_get_progress (VireoJob *self)
{
  double ret;

  g_return_val_if_fail (VIREO_IS_JOB (self), 0.0);

  g_mutex_lock (&self->lock);
  ret = self->progress;
  g_mutex_unlock (&self->lock);
  return ret;
}

static gboolean
emit_progress (gpointer user_data)
{
  VireoJob *self = user_data;

  g_mutex_lock (&self->lock);
  self->notify_queued = FALSE;
  g_mutex_unlock (&self->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  return G_SOURCE_REMOVE;
}

/* Under the lock: one notification on the main context for what changed
 * since the last one. */
static void
queue_notify_locked (VireoJob *self)
{
  gboolean queue = !self->notify_queued && self->context != NULL;

  self->notify_queued |= queue;
  g_mutex_unlock (&self->lock);
  /* a source of its own, never g_main_context_invoke(): that calls at once
   * in a worker that happens to acquire the default context while the
   * main thread is between iterations, and the notification would reach
   * the front end on the worker's thread */
  if (queue)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, emit_progress, g_object_ref (self), g_object_unref);
      g_source_set_static_name (source, "[vireo] job progress");
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
}

/**
 * vireo_job_set_progress:
 * Called from the worker; ::notify::progress fires on the main context.
 */
void
vireo_job_set_progress (VireoJob *self,
                        double    fraction)
{
  g_return_if_fail (VIREO_IS_JOB (self));

  g_mutex_lock (&self->lock);
  self->progress = CLAMP (fraction, 0.0, 1.0);
  queue_notify_locked (self);
}

/**
 * vireo_job_set_text:
 * Called from the worker with what it does now ("Saving memory…");
 * ::notify::text fires on the main context.
 */
void
vireo_job_set_text (VireoJob   *self,
                    const char *text)
{
  g_return_if_fail (VIREO_IS_JOB (self));

  g_mutex_lock (&self->lock);
  g_free (self->text);
  self->text = g_strdup (text);
  queue_notify_locked (self);
}

/**
 * vireo_job_dup_text:
 * Returns: (transfer full) (nullable): the latest text; any thread
 */
char *
vireo_job_dup_text (VireoJob *self)
{
  char *ret;

  g_return_val_if_fail (VIREO_IS_JOB (self), NULL);

  g_mutex_lock (&self->lock);
  ret = g_strdup (self->text);
  g_mutex_unlock (&self->lock);
  return ret;
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  VireoJob *self = source_object;
  g_autoptr(GError) error = NULL;

  /* a cancel that lands after the work succeeded still wins, so a
   * caller told "cancelled" never finds a finished image */
  if (!g_cancellable_set_error_if_cancelled (cancellable, &error) &&
      self->func (self, self->data, cancellable, &error) &&
      !g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      vireo_job_set_progress (self, 1.0);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->cleanup)
    self->cleanup (self->data);
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
release_application (gpointer data)
{
  GApplication *app = data;

  g_application_release (app);
  g_object_unref (app);
}

/**
 * vireo_job_run_async:
 * @cancellable: (nullable): stops the work itself (qemu-img is killed);
 *   the cleanup then removes what the job made, on the worker thread,
 *   before @callback runs with %G_IO_ERROR_CANCELLED
 *
 * Runs the job on the worker pool; @callback runs on the thread-default
 * main context of the caller.
 */
void
vireo_job_run_async (VireoJob            *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VIREO_IS_JOB (self));
  g_return_if_fail (self->func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_job_run_async);
  /* a desktop application that closes its last window stays until the
   * job ends: a snapshot or a disk made half way would be worse */
  if (g_application_get_default () != NULL)
    {
      GApplication *app = g_object_ref (g_application_get_default ());

      g_application_hold (app);
      g_task_set_task_data (task, app, release_application);
    }
  /* the worker decides: success means the result exists, an error means
   * the cleanup ran (GTask's own check could report a cancel after a
   * success and leave the result behind) */
  g_task_set_check_cancellable (task, FALSE);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  g_task_run_in_thread (task, run_in_thread);
}

gboolean
vireo_job_run_finish (VireoJob      *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vireo_job_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * vireo_job_run_sync:
 * Runs the job on the calling thread (command-line tools).
 */
gboolean
vireo_job_run_sync (VireoJob      *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (VIREO_IS_JOB (self), FALSE);
  g_return_val_if_fail (self->func != NULL, FALSE);

  task = g_task_new (self, cancellable, NULL, NULL);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread_sync (task, run_in_thread);
  return g_task_propagate_boolean (task, error);
}
