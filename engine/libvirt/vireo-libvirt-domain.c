/* vireo-libvirt-domain.c: a VM of a libvirt host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Its row follows libvirt's events; each operation is one libvirt call in
 * the host's workers.  The definition is libvirt's own XML: when Vireo's
 * model holds it, the details read it as they read a local VM's; when it
 * does not (another hypervisor, a device Vireo does not make), the row
 * shows a summary and the definition is left as libvirt has it.
 */
#include "vireo-domain-policy.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"

struct _VireoLibvirtDomain
{
  VireoDomain parent_instance;

  virDomainPtr dom;           /* of the host's current link */
  char *xml;                  /* libvirt's inactive definition */
  char *booted_xml;           /* that definition when it started, while it runs */
  gboolean persistent;
  guint64 last_event;         /* the host's event count at its last event */
  guint64 cpu_time_ns;        /* the previous stats sample (vireo-libvirt-stats.c) */
  gint64 cpu_time_at;
};

G_DEFINE_FINAL_TYPE (VireoLibvirtDomain, vireo_libvirt_domain, VIREO_TYPE_DOMAIN)

/* NULL once the host was removed (vireo_domain_check() then says so) */
static VireoLibvirtBackend *
get_backend (VireoLibvirtDomain *self)
{
  VireoBackend *backend = vireo_domain_get_backend (VIREO_DOMAIN (self));

  return backend != NULL ? VIREO_LIBVIRT_BACKEND (backend) : NULL;
}

/* State ------------------------------------------------------------------ */

static VireoDomainState
state_of (int  state,
          int  reason,
          const char **why)
{
  *why = NULL;
  switch (state)
    {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:
      return VIREO_DOMAIN_STATE_RUNNING;
    case VIR_DOMAIN_PAUSED:
      if (reason == VIR_DOMAIN_PAUSED_IOERROR)
        *why = _("paused after a disk error");
      else if (reason == VIR_DOMAIN_PAUSED_MIGRATION)
        *why = _("paused for a migration");
      else if (reason == VIR_DOMAIN_PAUSED_SNAPSHOT || reason == VIR_DOMAIN_PAUSED_SAVE)
        *why = _("paused while its state is saved");
      return VIREO_DOMAIN_STATE_PAUSED;
    case VIR_DOMAIN_PMSUSPENDED:
      *why = _("suspended by the guest");
      return VIREO_DOMAIN_STATE_PAUSED;
    case VIR_DOMAIN_SHUTDOWN:
      return VIREO_DOMAIN_STATE_SHUTTING_DOWN;
    case VIR_DOMAIN_CRASHED:
      *why = _("the guest crashed");
      return VIREO_DOMAIN_STATE_CRASHED;
    case VIR_DOMAIN_SHUTOFF:
      if (reason == VIR_DOMAIN_SHUTOFF_CRASHED)
        {
          *why = _("the guest crashed");
          return VIREO_DOMAIN_STATE_CRASHED;
        }
      if (reason == VIR_DOMAIN_SHUTOFF_FAILED)
        *why = _("it failed to start");
      return VIREO_DOMAIN_STATE_SHUTOFF;
    default:
      return VIREO_DOMAIN_STATE_SHUTOFF;
    }
}

/* Pending changes: the definition changed since the VM started, as
 * Vireo saw it start (or first saw it running: what changed before that
 * is not known).  libvirt's running definition cannot be compared with
 * the inactive one: it adds what QEMU was given (aliases, ports, paths). */
static void
update_pending (VireoLibvirtDomain *self)
{
  VireoDomain *domain = VIREO_DOMAIN (self);

  if (!vireo_domain_is_active (domain))
    g_clear_pointer (&self->booted_xml, g_free);
  else if (self->booted_xml == NULL)
    self->booted_xml = g_strdup (self->xml);
  _vireo_domain_set_pending_changes (domain, self->booted_xml != NULL &&
                                             g_strcmp0 (self->booted_xml, self->xml) != 0);
}

/**
 * _vireo_libvirt_domain_applied_live:
 * @before: the definition before a change that was also made live
 *
 * Main thread: the running VM has the definition as it is now, if it had
 * @before (a change made in both, like a disk plugged in): no pending
 * change for it.  Another change made meanwhile stays pending.
 */
void
_vireo_libvirt_domain_applied_live (VireoLibvirtDomain *self,
                                    const char         *before)
{
  if (self->booted_xml != NULL && g_strcmp0 (self->booted_xml, before) == 0)
    {
      g_free (self->booted_xml);
      self->booted_xml = g_strdup (self->xml);
    }
  update_pending (self);
}

static void
set_state (VireoLibvirtDomain *self,
           VireoDomainState    state,
           const char         *why)
{
  VireoDomain *domain = VIREO_DOMAIN (self);
  gboolean was_active = vireo_domain_is_active (domain);

  _vireo_domain_set_state (domain, state, why);
  if (!was_active && vireo_domain_is_active (domain))
    {
      domain->started_at = g_get_real_time () / G_USEC_PER_SEC;
      g_clear_pointer (&self->booted_xml, g_free);   /* it starts from the definition it has now */
    }
  update_pending (self);
}

/**
 * _vireo_libvirt_domain_event:
 * Main thread: a lifecycle event, the row's only source of state changes
 * after the first read.
 */
void
_vireo_libvirt_domain_event (VireoLibvirtDomain *self,
                             int                 event,
                             int                 detail)
{
  self->last_event = _vireo_libvirt_backend_get_stamp (get_backend (self));
  switch (event)
    {
    case VIR_DOMAIN_EVENT_STARTED:
    case VIR_DOMAIN_EVENT_RESUMED:
      set_state (self, VIREO_DOMAIN_STATE_RUNNING, NULL);
      break;
    case VIR_DOMAIN_EVENT_SUSPENDED:
      set_state (self, VIREO_DOMAIN_STATE_PAUSED,
                 detail == VIR_DOMAIN_EVENT_SUSPENDED_IOERROR ? _("paused after a disk error") : NULL);
      break;
    case VIR_DOMAIN_EVENT_PMSUSPENDED:
      set_state (self, VIREO_DOMAIN_STATE_PAUSED, _("suspended by the guest"));
      break;
    case VIR_DOMAIN_EVENT_SHUTDOWN:
      set_state (self, VIREO_DOMAIN_STATE_SHUTTING_DOWN, NULL);
      break;
    case VIR_DOMAIN_EVENT_STOPPED:
      if (detail == VIR_DOMAIN_EVENT_STOPPED_CRASHED)
        set_state (self, VIREO_DOMAIN_STATE_CRASHED, _("the guest crashed"));
      else
        set_state (self, VIREO_DOMAIN_STATE_SHUTOFF,
                   detail == VIR_DOMAIN_EVENT_STOPPED_FAILED ? _("it failed to start") : NULL);
      break;
    case VIR_DOMAIN_EVENT_CRASHED:
      set_state (self, VIREO_DOMAIN_STATE_CRASHED, _("the guest crashed"));
      break;
    default:
      break;
    }
}

/* Definition ------------------------------------------------------------- */

static VireoDomainConfig *
config_from (VireoLibvirtDomain *self,
             VireoLibvirtRecord *record)
{
  g_autoptr(GError) error = NULL;
  VireoDomainConfig *config = vireo_domain_config_parse (record->xml, -1, record->name, &error);

  _vireo_domain_set_config_problem (VIREO_DOMAIN (self), NULL);
  if (config != NULL && g_strcmp0 (config->uuid, record->uuid) == 0)
    return config;
  g_clear_pointer (&config, vireo_domain_config_free);
  _vireo_domain_set_config_problem (VIREO_DOMAIN (self),
                                    error != NULL ? error->message : _("its UUID does not match its definition"));
  return _vireo_libvirt_summary (record);
}

/**
 * _vireo_libvirt_domain_update:
 * Main thread: what a worker read.  Its state is taken only when no event
 * came since the read began: an event is newer.
 */
void
_vireo_libvirt_domain_update (VireoLibvirtDomain *self,
                              VireoLibvirtRecord *record)
{
  const char *why;
  VireoDomainState state = state_of (record->state, record->reason, &why);

  if (self->dom != record->dom)
    {
      if (self->dom != NULL)
        virDomainFree (self->dom);
      virDomainRef (record->dom);
      self->dom = record->dom;
    }
  self->persistent = record->persistent;
  if (g_strcmp0 (self->xml, record->xml) != 0)
    {
      g_free (self->xml);
      self->xml = g_strdup (record->xml);
      _vireo_domain_set_config (VIREO_DOMAIN (self), config_from (self, record));
    }
  if (record->stamp >= self->last_event)
    set_state (self, state, why);
  else
    update_pending (self);
}

VireoDomain *
_vireo_libvirt_domain_new (VireoLibvirtBackend *backend,
                           VireoLibvirtRecord  *record)
{
  VireoLibvirtDomain *self = g_object_new (VIREO_TYPE_LIBVIRT_DOMAIN, NULL);
  VireoDomain *domain = VIREO_DOMAIN (self);
  const char *why;

  _vireo_domain_set_backend (domain, VIREO_BACKEND (backend));
  virDomainRef (record->dom);
  self->dom = record->dom;
  self->persistent = record->persistent;
  self->xml = g_strdup (record->xml);
  domain->config = config_from (self, record);
  domain->state = state_of (record->state, record->reason, &why);
  domain->state_reason = g_strdup (why);
  if (vireo_domain_is_active (domain))
    self->booted_xml = g_strdup (self->xml);
  return domain;
}

virDomainPtr
_vireo_libvirt_domain_ref_dom (VireoLibvirtDomain *self)
{
  virDomainRef (self->dom);
  return self->dom;
}

/* libvirt's inactive definition, as last read */
const char *
_vireo_libvirt_domain_get_xml (VireoLibvirtDomain *self)
{
  return self->xml;
}

gboolean
_vireo_libvirt_domain_is_persistent (VireoLibvirtDomain *self)
{
  return self->persistent;
}

/* Operations -------------------------------------------------------------- */

typedef enum {
  CALL_START,
  CALL_SHUTDOWN,
  CALL_DESTROY,
  CALL_SUSPEND,
  CALL_RESUME,
  CALL_RESET,
  CALL_REBOOT,
} Call;

typedef struct {
  virDomainPtr dom;
  Call call;
  char *name;
  guint64 stamp;              /* the host's event count when it was asked */
} Op;

static void
op_free (Op *op)
{
  virDomainFree (op->dom);
  g_free (op->name);
  g_free (op);
}

static int
make_call (Op *op)
{
  switch (op->call)
    {
    case CALL_START:    return virDomainCreate (op->dom);
    case CALL_SHUTDOWN: return virDomainShutdown (op->dom);
    case CALL_DESTROY:  return virDomainDestroy (op->dom);
    case CALL_SUSPEND:  return virDomainSuspend (op->dom);
    case CALL_RESUME:   return virDomainResume (op->dom);
    case CALL_RESET:    return virDomainReset (op->dom, 0);
    case CALL_REBOOT:   return virDomainReboot (op->dom, 0);
    default:            g_assert_not_reached ();
    }
}

static void
op_in_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Op *op = task_data;
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), op->name);

  _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
  if (make_call (op) < 0)
    g_task_return_error (task, _vireo_libvirt_error (what));
  else
    g_task_return_boolean (task, TRUE);
}

/* What the VM is once @call succeeded (its event says it too, later) */
static void
on_op_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VireoLibvirtDomain *self = VIREO_LIBVIRT_DOMAIN (source);
  Op *op = g_task_get_task_data (G_TASK (result));
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* an event since the call is newer than what the call's success says */
  if (self->last_event > op->stamp)
    ;
  else if (op->call == CALL_START || op->call == CALL_RESUME)
    set_state (self, VIREO_DOMAIN_STATE_RUNNING, NULL);
  else if (op->call == CALL_SUSPEND)
    set_state (self, VIREO_DOMAIN_STATE_PAUSED, NULL);
  else if (op->call == CALL_DESTROY)
    set_state (self, VIREO_DOMAIN_STATE_SHUTOFF, NULL);
  g_task_return_boolean (task, TRUE);
}

/* Runs @call in the host's workers; @task gets its outcome */
static void
run_call (VireoLibvirtDomain *self,
          Call                call,
          GTask              *task)
{
  g_autoptr(GTask) job = NULL;
  GError *error = NULL;
  Op *op;

  /* the host may have gone while a shutdown waited: the policy says so */
  if (get_backend (self) == NULL)
    {
      vireo_domain_check (VIREO_DOMAIN (self), VIREO_DOMAIN_OP_FORCE_OFF, &error);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  job = g_task_new (self, NULL, on_op_done, task);
  op = g_new0 (Op, 1);
  op->dom = _vireo_libvirt_domain_ref_dom (self);
  op->call = call;
  op->stamp = _vireo_libvirt_backend_get_stamp (get_backend (self));
  op->name = g_strdup (vireo_domain_get_name (VIREO_DOMAIN (self)));
  g_task_set_task_data (job, op, (GDestroyNotify) op_free);
  _vireo_libvirt_run (get_backend (self), job, op_in_thread);
}

/* A task for @op, or NULL (the callback told) when the state forbids it */
static GTask *
begin (VireoLibvirtDomain  *self,
       VireoDomainOp        op,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  if (!vireo_domain_check (VIREO_DOMAIN (self), op, &error) ||
      !_vireo_libvirt_check_connected (get_backend (self), &error))
    {
      g_task_return_error (task, error);
      return NULL;
    }
  return g_steal_pointer (&task);
}

static gboolean
libvirt_finish (VireoDomain   *self,
                GAsyncResult  *result,
                GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
libvirt_start_async (VireoDomain         *domain,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  VireoLibvirtDomain *self = VIREO_LIBVIRT_DOMAIN (domain);
  GTask *task = begin (self, VIREO_DOMAIN_OP_START, cancellable, callback, user_data);

  if (task != NULL)
    run_call (self, CALL_START, task);
}

static void
libvirt_destroy_async (VireoDomain         *domain,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  VireoLibvirtDomain *self = VIREO_LIBVIRT_DOMAIN (domain);
  GTask *task = begin (self, VIREO_DOMAIN_OP_FORCE_OFF, cancellable, callback, user_data);

  if (task != NULL)
    run_call (self, CALL_DESTROY, task);
}

static void
libvirt_action_async (VireoDomain         *domain,
                      VireoDomainAction    action,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  static const struct { VireoDomainOp op; Call call; } calls[] = {
    [VIREO_DOMAIN_ACTION_PAUSE] = { VIREO_DOMAIN_OP_PAUSE, CALL_SUSPEND },
    [VIREO_DOMAIN_ACTION_RESUME] = { VIREO_DOMAIN_OP_RESUME, CALL_RESUME },
    [VIREO_DOMAIN_ACTION_RESET] = { VIREO_DOMAIN_OP_RESET, CALL_RESET },
    [VIREO_DOMAIN_ACTION_REBOOT] = { VIREO_DOMAIN_OP_REBOOT, CALL_REBOOT },
  };
  VireoLibvirtDomain *self = VIREO_LIBVIRT_DOMAIN (domain);
  GTask *task = begin (self, calls[action].op, cancellable, callback, user_data);

  if (task != NULL)
    run_call (self, calls[action].call, task);
}

/* Shutting down: ask the guest, wait for its stop event, and force it off
 * after the timeout */
typedef struct {
  guint timeout_seconds;
  gulong state_handler;
  guint timeout_id;
  gulong cancel_handler;
} Shutdown;

static void
shutdown_free (Shutdown *shutdown)
{
  g_assert (shutdown->state_handler == 0 && shutdown->timeout_id == 0);
  g_free (shutdown);
}

static void
shutdown_stop_waiting (GTask *task)
{
  Shutdown *shutdown = g_task_get_task_data (task);
  VireoDomain *self = g_task_get_source_object (task);

  g_clear_signal_handler (&shutdown->state_handler, self);
  g_clear_handle_id (&shutdown->timeout_id, g_source_remove);
  if (shutdown->cancel_handler != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), shutdown->cancel_handler);
  shutdown->cancel_handler = 0;
}

static void
on_shutdown_state (VireoDomain *domain,
                   GParamSpec  *pspec,
                   GTask       *task)
{
  if (vireo_domain_is_active (domain))
    return;
  shutdown_stop_waiting (task);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
on_shutdown_timeout (gpointer user_data)
{
  GTask *task = user_data;
  Shutdown *shutdown = g_task_get_task_data (task);

  shutdown->timeout_id = 0;
  shutdown_stop_waiting (task);
  /* the guest did not stop in time: off, as a power cut */
  run_call (g_task_get_source_object (task), CALL_DESTROY, task);
  return G_SOURCE_REMOVE;
}

static gboolean
on_shutdown_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;
  Shutdown *shutdown = g_task_get_task_data (task);

  if (shutdown->timeout_id == 0 && shutdown->state_handler == 0)
    return G_SOURCE_REMOVE;   /* finished, or forcing it off, meanwhile */
  shutdown_stop_waiting (task);
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
on_shutdown_cancelled (GCancellable *cancellable,
                       GTask        *task)
{
  /* not from inside the cancel handler: disconnecting there deadlocks */
  g_idle_add_full (G_PRIORITY_DEFAULT, on_shutdown_cancelled_idle, g_object_ref (task), g_object_unref);
}

static void
on_shutdown_asked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;     /* owned */
  Shutdown *shutdown = g_task_get_task_data (task);
  VireoDomain *self = VIREO_DOMAIN (source);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) || !vireo_domain_is_active (self))
    {
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  shutdown->state_handler = g_signal_connect (self, "notify::state", G_CALLBACK (on_shutdown_state), task);
  shutdown->timeout_id = g_timeout_add_seconds (shutdown->timeout_seconds, on_shutdown_timeout, task);
  if (g_task_get_cancellable (task) != NULL)
    shutdown->cancel_handler = g_cancellable_connect (g_task_get_cancellable (task),
                                                      G_CALLBACK (on_shutdown_cancelled), task, NULL);
}

static void
libvirt_shutdown_async (VireoDomain         *domain,
                        guint                timeout_seconds,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  VireoLibvirtDomain *self = VIREO_LIBVIRT_DOMAIN (domain);
  GTask *task = begin (self, VIREO_DOMAIN_OP_SHUTDOWN, cancellable, callback, user_data);
  g_autoptr(GTask) ask = NULL;
  Shutdown *shutdown;
  Op *op;

  if (task == NULL)
    return;
  shutdown = g_new0 (Shutdown, 1);
  shutdown->timeout_seconds = MAX (timeout_seconds, 1);
  g_task_set_task_data (task, shutdown, (GDestroyNotify) shutdown_free);

  ask = g_task_new (self, NULL, on_shutdown_asked, task);
  op = g_new0 (Op, 1);
  op->dom = _vireo_libvirt_domain_ref_dom (self);
  op->call = CALL_SHUTDOWN;
  op->name = g_strdup (vireo_domain_get_name (domain));
  g_task_set_task_data (ask, op, (GDestroyNotify) op_free);
  _vireo_libvirt_run (get_backend (self), ask, op_in_thread);
}

/* Statistics: one bulk call per host and interval (vireo-libvirt-stats.c) */
static void
libvirt_get_stats_async (VireoDomain         *domain,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  VireoLibvirtDomain *self = VIREO_LIBVIRT_DOMAIN (domain);
  GTask *task = begin (self, VIREO_DOMAIN_OP_STATS, cancellable, callback, user_data);

  if (task != NULL)
    _vireo_libvirt_stats_request (get_backend (self), self, task);
}

static gboolean
libvirt_get_stats_finish (VireoDomain       *domain,
                          GAsyncResult      *result,
                          VireoDomainStats  *stats,
                          GError           **error)
{
  g_autofree VireoDomainStats *sample = g_task_propagate_pointer (G_TASK (result), error);

  if (sample == NULL)
    return FALSE;
  *stats = *sample;
  return TRUE;
}

/**
 * _vireo_libvirt_domain_take_cpu:
 * Main thread: CPU % of one host CPU since the previous sample, from
 *   libvirt's cumulative @cpu_time_ns; 0 for the first
 */
double
_vireo_libvirt_domain_take_cpu (VireoLibvirtDomain *self,
                                guint64             cpu_time_ns,
                                gint64              now_us)
{
  double percent = 0;

  if (self->cpu_time_at > 0 && now_us > self->cpu_time_at && cpu_time_ns >= self->cpu_time_ns)
    percent = (cpu_time_ns - self->cpu_time_ns) / 10.0 / (now_us - self->cpu_time_at);
  self->cpu_time_ns = cpu_time_ns;
  self->cpu_time_at = now_us;
  return percent;
}

/* The object -------------------------------------------------------------- */

static void
vireo_libvirt_domain_finalize (GObject *object)
{
  VireoLibvirtDomain *self = VIREO_LIBVIRT_DOMAIN (object);

  if (self->dom != NULL)
    virDomainFree (self->dom);
  g_free (self->xml);
  g_free (self->booted_xml);
  G_OBJECT_CLASS (vireo_libvirt_domain_parent_class)->finalize (object);
}

static void
vireo_libvirt_domain_class_init (VireoLibvirtDomainClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VireoDomainClass *domain_class = VIREO_DOMAIN_CLASS (klass);

  object_class->finalize = vireo_libvirt_domain_finalize;
  domain_class->start_async = libvirt_start_async;
  domain_class->start_finish = libvirt_finish;
  domain_class->shutdown_async = libvirt_shutdown_async;
  domain_class->shutdown_finish = libvirt_finish;
  domain_class->destroy_async = libvirt_destroy_async;
  domain_class->destroy_finish = libvirt_finish;
  domain_class->action_async = libvirt_action_async;
  domain_class->action_finish = libvirt_finish;
  domain_class->get_stats_async = libvirt_get_stats_async;
  domain_class->get_stats_finish = libvirt_get_stats_finish;
  _vireo_libvirt_domain_class_init_console (domain_class);
  _vireo_libvirt_domain_class_init_snapshots (domain_class);
  _vireo_libvirt_domain_class_init_media (domain_class);
  _vireo_libvirt_domain_class_init_disks (domain_class);
  _vireo_libvirt_domain_class_init_clone (domain_class);
  _vireo_libvirt_domain_class_init_screenshot (domain_class);
}

static void
vireo_libvirt_domain_init (VireoLibvirtDomain *self)
{
}
