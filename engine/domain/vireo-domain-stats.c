/* vireo-domain-stats.c: CPU, memory, disk I/O and uptime of a running VM
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CPU % is QEMU's utime+stime over wall time since the previous sample
 * (100 = one host CPU busy).  A first call has no previous sample, so it
 * takes two a short moment apart.
 */
#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-proc.h"
#include "vireo-i18n.h"

#define FIRST_SAMPLE_GAP_MS 300
#define SAMPLE_MAX_AGE_US (30 * G_USEC_PER_SEC)

typedef struct {
  VireoDomainStats stats;
  VireoQmpClient *qmp;
} Stats;

static void
stats_free (Stats *data)
{
  g_clear_object (&data->qmp);
  g_free (data);
}

static gboolean
take_cpu_sample (VireoDomain      *self,
                 VireoDomainStats *stats,
                 gboolean         *have_delta)
{
  GPid pid = _vireo_domain_get_qemu_pid (self);
  VireoCpuSample now = { pid, g_get_monotonic_time (), 0 };
  VireoCpuSample before;
  VireoProcStat st;

  if (!vireo_proc_stat (pid, &st))
    return FALSE;
  now.ticks = st.cpu_ticks;
  stats->rss_bytes = st.rss_bytes;
  before = _vireo_domain_swap_cpu_sample (self, now);
  *have_delta = before.pid == pid && before.time_us > 0 &&
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
  gint64 started = vireo_domain_get_started_at (self);

  if (ret == NULL)
    {
      g_task_return_error (task, _vireo_domain_prefix_error (self, g_steal_pointer (&error),
                                                             _("cannot read statistics")));
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
  data->stats.uptime_seconds = started > 0 ? MAX (0, g_get_real_time () / G_USEC_PER_SEC - started) : 0;
  g_task_return_boolean (task, TRUE);
}

static void
query_block (GTask *task)
{
  Stats *data = g_task_get_task_data (task);

  vireo_qmp_client_execute_async (data->qmp, "query-blockstats", NULL, NULL, on_blockstats, task);
}

static gboolean
on_second_sample (gpointer user_data)
{
  GTask *task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  Stats *data = g_task_get_task_data (task);
  gboolean have_delta;

  if (!take_cpu_sample (self, &data->stats, &have_delta))
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                               _("VM '%s' is not running"), vireo_domain_get_name (self));
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  query_block (task);
  return G_SOURCE_REMOVE;
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
  gboolean have_delta = FALSE;

  data->qmp = _vireo_domain_connect_finish (self, result, &error);
  if (data->qmp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (!take_cpu_sample (self, &data->stats, &have_delta))
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                               _("VM '%s' is not running"), vireo_domain_get_name (self));
      g_object_unref (task);
      return;
    }
  if (have_delta)
    query_block (task);
  else
    g_timeout_add (FIRST_SAMPLE_GAP_MS, on_second_sample, task);
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
  g_task_set_task_data (task, g_new0 (Stats, 1), (GDestroyNotify) stats_free);
  _vireo_domain_connect_async (self, cancellable, on_connected, task);
}

gboolean
vireo_domain_get_stats_finish (VireoDomain       *self,
                               GAsyncResult      *result,
                               VireoDomainStats  *stats,
                               GError           **error)
{
  Stats *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_get_stats_async), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  *stats = data->stats;
  return TRUE;
}
