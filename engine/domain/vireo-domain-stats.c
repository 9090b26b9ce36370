/* vireo-domain-stats.c: CPU, memory, disk I/O and uptime of a running VM
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CPU % is QEMU's utime+stime (as its shim reads them) over wall time
 * since the previous sample (100 = one host CPU busy).  A first call has
 * no previous sample, so it takes two a short moment apart.
 */
#include "vireo-domain-policy.h"
#include "vireo-local-domain-private.h"
#include "vireo-error.h"
#include "vireo-json.h"
#include "vireo-proc.h"
#include "vireo-shim-protocol.h"
#include "vireo-i18n.h"

#define FIRST_SAMPLE_GAP_MS 300
#define SAMPLE_MAX_AGE_US (30 * G_USEC_PER_SEC)

typedef struct {
  VireoDomainStats stats;
  VireoQmpClient *qmp;
  gboolean second_sample;
} Stats;

static void
stats_free (Stats *data)
{
  g_clear_object (&data->qmp);
  g_free (data);
}

/* QEMU's CPU time and memory, from the shim's "vireo-info": QEMU is the
 * shim's child, and the shim may be in another PID namespace, where the
 * pid it recorded is not QEMU's here.  Returns FALSE without them. */
static gboolean
take_cpu_sample (VireoDomain      *self,
                 JsonObject       *info,
                 VireoDomainStats *stats,
                 gboolean         *have_delta)
{
  VireoCpuSample now = { .time_us = g_get_monotonic_time () };
  VireoCpuSample before;
  gint64 ticks = vireo_json_get_int (info, VIREO_INFO_KEY_QEMU_CPU_TICKS, -1);
  gint64 rss = vireo_json_get_int (info, VIREO_INFO_KEY_QEMU_RSS_BYTES, -1);

  /* the same QEMU as the previous sample: its pid where the shim is and
   * when it started */
  now.pid = vireo_json_get_int (info, VIREO_STATE_KEY_QEMU_PID, 0);
  now.started_at = vireo_json_get_int (info, VIREO_STATE_KEY_STARTED_AT, 0);
  if (ticks < 0 || rss < 0 || now.pid <= 0)
    return FALSE;
  now.ticks = ticks;
  stats->rss_bytes = rss;
  before = _vireo_local_domain_swap_cpu_sample (VIREO_LOCAL_DOMAIN (self), now);
  *have_delta = before.pid == now.pid && before.started_at == now.started_at &&
                before.time_us > 0 && before.ticks <= now.ticks &&
                now.time_us - before.time_us > 50000 &&
                now.time_us - before.time_us < SAMPLE_MAX_AGE_US;
  if (*have_delta)
    stats->cpu_percent = 100.0 * (double) (now.ticks - before.ticks) / vireo_proc_ticks_per_second ()
                         / ((double) (now.time_us - before.time_us) / G_USEC_PER_SEC);
  return TRUE;
}

static void
on_blockstats (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  Stats *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, &error);

  if (ret == NULL)
    {
      g_task_return_error (task, _vireo_domain_command_error (self, g_steal_pointer (&error),
                                                              _("VM '%s' cannot read statistics: %s")));
      return;
    }
  /* with -blockdev, entries are keyed by qdev id, not device name */
  if (JSON_NODE_HOLDS_ARRAY (ret))
    {
      JsonArray *devices = json_node_get_array (ret);
      for (guint i = 0; i < json_array_get_length (devices); i++)
        {
          JsonObject *dev = json_array_get_object_element (devices, i);
          JsonObject *st = dev && json_object_has_member (dev, "stats")
                           ? json_object_get_object_member (dev, "stats") : NULL;
          if (st)
            {
              data->stats.disk_read_bytes += json_object_get_int_member_with_default (st, "rd_bytes", 0);
              data->stats.disk_write_bytes += json_object_get_int_member_with_default (st, "wr_bytes", 0);
            }
        }
    }
  data->stats.uptime_seconds = vireo_domain_get_uptime (self);
  g_task_return_boolean (task, TRUE);
}

static void
query_block (GTask *task)
{
  Stats *data = g_task_get_task_data (task);

  vireo_qmp_client_execute_async (data->qmp, "query-blockstats", NULL, NULL, on_blockstats, task);
}

static void sample_cpu (GTask *task);

static gboolean
on_second_sample (gpointer user_data)
{
  sample_cpu (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_info (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  Stats *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, &error);
  gboolean have_delta = FALSE;

  if (ret == NULL)
    {
      g_task_return_error (task, _vireo_domain_command_error (self, g_steal_pointer (&error),
                                                              _("VM '%s' cannot read statistics: %s")));
      g_object_unref (task);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (ret) ||
      !take_cpu_sample (self, json_node_get_object (ret), &data->stats, &have_delta))
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                               _("VM '%s' is not running"), vireo_domain_get_name (self));
      g_object_unref (task);
      return;
    }
  /* a first call has no previous sample: a second one a moment later */
  if (have_delta || data->second_sample)
    query_block (task);
  else
    {
      data->second_sample = TRUE;
      g_timeout_add (FIRST_SAMPLE_GAP_MS, on_second_sample, task);
    }
}

static void
sample_cpu (GTask *task)
{
  Stats *data = g_task_get_task_data (task);

  vireo_qmp_client_execute_async (data->qmp, VIREO_SHIM_COMMAND_INFO, NULL, NULL, on_info, task);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  VireoDomain *self = VIREO_DOMAIN (source);
  Stats *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->qmp = _vireo_domain_connect_finish (self, result, &error);
  if (data->qmp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  sample_cpu (task);
}

static void
local_domain_get_stats_async (VireoDomain         *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, local_domain_get_stats_async);
  g_task_set_task_data (task, g_new0 (Stats, 1), (GDestroyNotify) stats_free);
  _vireo_domain_connect_async (self, cancellable, on_connected, task);
}

static gboolean
local_domain_get_stats_finish (VireoDomain       *self,
                               GAsyncResult      *result,
                               VireoDomainStats  *stats,
                               GError           **error)
{
  Stats *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_domain_get_stats_async), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  *stats = data->stats;
  return TRUE;
}

/* VireoLocalDomain samples its QEMU through the shim */
void
_vireo_local_domain_class_init_stats (VireoDomainClass *klass)
{
  klass->get_stats_async = local_domain_get_stats_async;
  klass->get_stats_finish = local_domain_get_stats_finish;
}

static void
on_stats (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomainStats stats;
  GError *error = NULL;

  if (VIREO_DOMAIN_GET_CLASS (source)->get_stats_finish (VIREO_DOMAIN (source), result, &stats, &error))
    g_task_return_pointer (task, g_memdup2 (&stats, sizeof stats), g_free);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_domain_get_stats_async:
 * @cancellable: (nullable): stops connecting to the VM; once the queries
 *   are sent, cancelling only detaches the caller (%G_IO_ERROR_CANCELLED)
 * Samples a running VM.  Call it periodically (the GUI does once a second):
 * each CPU % covers the time since the previous call.
 */
void
vireo_domain_get_stats_async (VireoDomain         *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_get_stats_async);
  if (!_vireo_domain_supports (self, VIREO_DOMAIN_GET_CLASS (self)->get_stats_async != NULL, task))
    return;
  VIREO_DOMAIN_GET_CLASS (self)->get_stats_async (self, cancellable, on_stats, task);
}

gboolean
vireo_domain_get_stats_finish (VireoDomain       *self,
                               GAsyncResult      *result,
                               VireoDomainStats  *stats,
                               GError           **error)
{
  g_autofree VireoDomainStats *sample = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_get_stats_async), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  sample = g_task_propagate_pointer (G_TASK (result), error);
  if (sample == NULL)
    return FALSE;
  *stats = *sample;
  return TRUE;
}

/* The stats monitor: one timer for the whole process samples the running
 * VMs that some front end watches, and keeps per VM what every front end
 * shows: a CPU history, memory, disk and network rates.  Shut-off and
 * unwatched VMs cost nothing. */

struct _VireoLoadRecord {
  guint watchers;
  gboolean in_flight;            /* a sample is under way */
  gboolean have;                 /* load holds a sample */
  VireoDomainLoad load;
  double cpu[VIREO_DOMAIN_CPU_HISTORY];   /* ring, newest at cpu_head - 1 */
  guint cpu_head;
  guint cpu_count;
  guint64 disk_bytes;
  gint64 disk_time;              /* monotonic; 0: no previous count */
  guint64 net_bytes;
  gint64 net_time;               /* the agent's clock; 0: no previous count */
};

static struct {
  GHashTable *watched;           /* VireoDomain (a reference) → itself */
  guint tick_id;
  guint interval_ms;
} monitor = { NULL, 0, 1000 };

VireoLoadRecord *
_vireo_load_record_new (void)
{
  VireoLoadRecord *record = g_new0 (VireoLoadRecord, 1);

  record->load.disk_rate = -1;
  record->load.net_rate = -1;
  return record;
}

void
_vireo_load_record_free (VireoLoadRecord *record)
{
  g_free (record);
}

static void
clear_samples (VireoLoadRecord *record)
{
  guint watchers = record->watchers;
  gboolean in_flight = record->in_flight;
  g_autofree VireoLoadRecord *fresh = _vireo_load_record_new ();

  *record = *fresh;
  record->watchers = watchers;
  record->in_flight = in_flight;
}

/* The agent counts every few seconds: a rate from two of its counts. */
static void
update_net_rate (VireoDomain     *self,
                 VireoLoadRecord *record)
{
  guint64 rx, tx;
  gint64 when;

  if (!vireo_domain_get_guest_traffic (self, &rx, &tx, &when) || when == record->net_time)
    return;
  if (record->net_time > 0 && when > record->net_time && rx + tx >= record->net_bytes)
    record->load.net_rate = (rx + tx - record->net_bytes) * (double) G_USEC_PER_SEC / (when - record->net_time);
  record->net_bytes = rx + tx;
  record->net_time = when;
}

static void
add_sample (VireoDomain            *self,
            VireoLoadRecord        *record,
            const VireoDomainStats *stats)
{
  gint64 now = g_get_monotonic_time ();
  guint64 bytes = stats->disk_read_bytes + stats->disk_write_bytes;

  record->cpu[record->cpu_head] = stats->cpu_percent;
  record->cpu_head = (record->cpu_head + 1) % VIREO_DOMAIN_CPU_HISTORY;
  record->cpu_count = MIN (record->cpu_count + 1, VIREO_DOMAIN_CPU_HISTORY);
  record->load.cpu_percent = stats->cpu_percent;
  record->load.rss_bytes = stats->rss_bytes;
  if (record->disk_time > 0 && now > record->disk_time && bytes >= record->disk_bytes)
    record->load.disk_rate = (bytes - record->disk_bytes) * (double) G_USEC_PER_SEC / (now - record->disk_time);
  record->disk_bytes = bytes;
  record->disk_time = now;
  update_net_rate (self, record);
  record->have = TRUE;
}

static void
on_sampled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VireoDomain) self = user_data;   /* the tick's reference */
  VireoLoadRecord *record = _vireo_domain_get_load_record (self);
  VireoDomainStats stats;

  record->in_flight = FALSE;
  if (!vireo_domain_get_stats_finish (self, result, &stats, NULL))
    return;   /* it stopped meanwhile: the next tick clears the record */
  if (record->watchers == 0)
    return;
  add_sample (self, record, &stats);
  _vireo_domain_emit_stats_updated (self);
}

/* Returns: whether @domain runs, so wants sampling again */
static gboolean
sample_one (VireoDomain *domain)
{
  VireoLoadRecord *record = _vireo_domain_get_load_record (domain);

  if (vireo_domain_can (domain, VIREO_DOMAIN_OP_STATS))
    {
      if (!record->in_flight)
        {
          record->in_flight = TRUE;
          vireo_domain_get_stats_async (domain, NULL, on_sampled, g_object_ref (domain));
        }
      /* a VM of this machine learns its addresses from the leases */
      if (VIREO_IS_LOCAL_DOMAIN (domain))
        _vireo_local_domain_poll_leases (VIREO_LOCAL_DOMAIN (domain));
      return TRUE;
    }
  if (record->have || record->cpu_count > 0)
    {
      clear_samples (record);
      _vireo_domain_emit_stats_updated (domain);
    }
  return FALSE;
}

/* Only the watched VMs that run are sampled; when none runs the timer
 * stops, and a watched VM that starts brings it back (on_watched_state):
 * a thousand shut-off VMs in a window cost nothing. */
static gboolean
on_monitor_tick (gpointer user_data)
{
  /* a handler of stats-updated may unwatch: walk a copy */
  g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean any_running = FALSE;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, monitor.watched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (vireo_domain_can (key, VIREO_DOMAIN_OP_STATS) || _vireo_domain_get_load_record (key)->cpu_count > 0)
      g_ptr_array_add (domains, g_object_ref (key));
  for (guint i = 0; i < domains->len; i++)
    any_running |= sample_one (g_ptr_array_index (domains, i));
  if (any_running)
    return G_SOURCE_CONTINUE;
  monitor.tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
restart_timer (void)
{
  g_clear_handle_id (&monitor.tick_id, g_source_remove);
  if (monitor.watched != NULL && g_hash_table_size (monitor.watched) > 0)
    monitor.tick_id = g_timeout_add (monitor.interval_ms, on_monitor_tick, NULL);
}

static void
on_watched_state (VireoDomain *domain,
                  GParamSpec  *pspec,
                  gpointer     user_data)
{
  if (monitor.tick_id == 0 && vireo_domain_can (domain, VIREO_DOMAIN_OP_STATS))
    restart_timer ();
  else if (!vireo_domain_can (domain, VIREO_DOMAIN_OP_STATS))
    sample_one (domain);   /* forget its samples now */
}

/**
 * vireo_stats_set_interval:
 * @interval_ms: how often watched VMs are sampled (1000 by default)
 *
 * Main thread only, as the rest of the stats monitor.
 */
void
vireo_stats_set_interval (guint interval_ms)
{
  g_return_if_fail (interval_ms >= 100);

  monitor.interval_ms = interval_ms;
  if (monitor.tick_id != 0)
    restart_timer ();
}

/**
 * vireo_domain_watch_stats:
 *
 * Someone shows @self's statistics: sample it while it runs, every
 * interval, and emit #VireoDomain::stats-updated with each sample.
 * Watches count; each is ended by vireo_domain_unwatch_stats().
 * The monitor holds a reference to @self while it is watched.
 */
void
vireo_domain_watch_stats (VireoDomain *self)
{
  VireoLoadRecord *record;

  g_return_if_fail (VIREO_IS_DOMAIN (self));

  record = _vireo_domain_get_load_record (self);
  if (record->watchers++ > 0)
    return;
  if (monitor.watched == NULL)
    monitor.watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_hash_table_add (monitor.watched, g_object_ref (self));
  g_signal_connect (self, "notify::state", G_CALLBACK (on_watched_state), NULL);
  if (monitor.tick_id == 0 && vireo_domain_can (self, VIREO_DOMAIN_OP_STATS))
    restart_timer ();
}

/**
 * vireo_domain_unwatch_stats:
 * Ends one vireo_domain_watch_stats(); the last one stops sampling and
 * forgets the samples.
 */
void
vireo_domain_unwatch_stats (VireoDomain *self)
{
  VireoLoadRecord *record;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  record = _vireo_domain_get_load_record (self);
  g_return_if_fail (record->watchers > 0);

  if (--record->watchers > 0)
    return;
  clear_samples (record);
  g_signal_handlers_disconnect_by_func (self, on_watched_state, NULL);
  g_hash_table_remove (monitor.watched, self);
  if (g_hash_table_size (monitor.watched) == 0)
    g_clear_handle_id (&monitor.tick_id, g_source_remove);
}

/**
 * vireo_domain_get_load:
 * @load: (out): the latest sample, with the rates between the last two
 *
 * Returns: %FALSE while nobody watches @self, it does not run, or no
 *   sample arrived yet
 */
gboolean
vireo_domain_get_load (VireoDomain     *self,
                       VireoDomainLoad *load)
{
  VireoLoadRecord *record;

  g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE);
  g_return_val_if_fail (load != NULL, FALSE);

  record = _vireo_domain_get_load_record (self);
  if (!record->have)
    return FALSE;
  *load = record->load;
  return TRUE;
}

/**
 * vireo_domain_get_cpu_history:
 * @samples: (out caller-allocates) (array length=n_samples): filled with
 *   the latest CPU % samples, oldest first
 *
 * Returns: how many samples were written (at most @n_samples and
 *   %VIREO_DOMAIN_CPU_HISTORY)
 */
guint
vireo_domain_get_cpu_history (VireoDomain *self,
                              double      *samples,
                              guint        n_samples)
{
  VireoLoadRecord *record;
  guint n;

  g_return_val_if_fail (VIREO_IS_DOMAIN (self), 0);

  record = _vireo_domain_get_load_record (self);
  n = MIN (n_samples, record->cpu_count);
  for (guint i = 0; i < n; i++)
    samples[i] = record->cpu[(record->cpu_head + VIREO_DOMAIN_CPU_HISTORY - n + i) % VIREO_DOMAIN_CPU_HISTORY];
  return n;
}

/**
 * vireo_domain_get_uptime:
 * Returns: seconds since @self started, 0 when it does not run
 */
gint64
vireo_domain_get_uptime (VireoDomain *self)
{
  gint64 started;

  g_return_val_if_fail (VIREO_IS_DOMAIN (self), 0);

  started = vireo_domain_get_started_at (self);
  return started > 0 ? MAX (0, g_get_real_time () / G_USEC_PER_SEC - started) : 0;
}
