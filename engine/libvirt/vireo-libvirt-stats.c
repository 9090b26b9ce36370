/* vireo-libvirt-stats.c: the statistics of a host's running VMs, at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The stats monitor asks each watched VM in turn; here the requests of
 * one host that arrive together share one virConnectGetAllDomainStats()
 * of the active VMs: one call per host and interval, however many VMs a
 * window shows (virt-manager makes several per VM).
 */
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"

typedef struct {
  VireoLibvirtDomain *domain;   /* owned */
  GTask *task;                  /* owned */
} Waiter;

typedef struct {
  char uuid[VIR_UUID_STRING_BUFLEN];
  guint64 cpu_time_ns;
  guint64 rss_kib;
  guint64 read_bytes;
  guint64 write_bytes;
} Sample;

typedef struct {
  GArray *samples;              /* Sample */
} Batch;

static GQuark
waiters_quark (void)
{
  return g_quark_from_static_string ("vireo-libvirt-stats-waiters");
}

static void
batch_free (Batch *batch)
{
  g_array_unref (batch->samples);
  g_free (batch);
}

static void
read_param (Sample                  *sample,
            const virTypedParameter *param)
{
  guint64 value = param->type == VIR_TYPED_PARAM_ULLONG ? param->value.ul : 0;
  const char *field = param->field;

  if (g_str_equal (field, "cpu.time"))
    sample->cpu_time_ns = value;
  else if (g_str_equal (field, "balloon.rss"))
    sample->rss_kib = value;
  else if (g_str_has_prefix (field, "block.") && g_str_has_suffix (field, ".rd.bytes"))
    sample->read_bytes += value;
  else if (g_str_has_prefix (field, "block.") && g_str_has_suffix (field, ".wr.bytes"))
    sample->write_bytes += value;
}

static void
stats_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  VireoLibvirtBackend *self = source_object;
  Batch *batch = task_data;
  g_autofree char *what = g_strdup_printf (_("Host '%s'"), vireo_backend_get_uri (VIREO_BACKEND (self)));
  virDomainStatsRecordPtr *records = NULL;
  virConnectPtr conn;
  GError *error = NULL;
  int n;

  if ((conn = _vireo_libvirt_get_conn (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _vireo_libvirt_count_call (self);
  n = virConnectGetAllDomainStats (conn, VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON |
                                   VIR_DOMAIN_STATS_BLOCK, &records,
                                   VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
  if (n < 0)
    error = _vireo_libvirt_error (what);
  for (int i = 0; i < n; i++)
    {
      Sample sample = { 0 };

      if (virDomainGetUUIDString (records[i]->dom, sample.uuid) < 0)
        continue;
      for (int j = 0; j < records[i]->nparams; j++)
        read_param (&sample, &records[i]->params[j]);
      g_array_append_val (batch->samples, sample);
    }
  if (records != NULL)
    virDomainStatsRecordListFree (records);
  virConnectClose (conn);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static const Sample *
find_sample (Batch      *batch,
             const char *uuid)
{
  for (guint i = 0; i < batch->samples->len; i++)
    if (g_ascii_strcasecmp (g_array_index (batch->samples, Sample, i).uuid, uuid) == 0)
      return &g_array_index (batch->samples, Sample, i);
  return NULL;
}

static void
answer (Waiter       *waiter,
        const Sample *sample,
        const GError *error)
{
  VireoDomain *domain = VIREO_DOMAIN (waiter->domain);
  VireoDomainStats *stats;
  gint64 now = g_get_real_time ();

  if (error != NULL)
    g_task_return_error (waiter->task, g_error_copy (error));
  else if (sample == NULL)
    g_task_return_new_error (waiter->task, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                             _("VM '%s' is not running"), vireo_domain_get_name (domain));
  else
    {
      stats = g_new0 (VireoDomainStats, 1);
      stats->cpu_percent = _vireo_libvirt_domain_take_cpu (waiter->domain, sample->cpu_time_ns,
                                                           g_get_monotonic_time ());
      stats->rss_bytes = sample->rss_kib * 1024;
      stats->disk_read_bytes = sample->read_bytes;
      stats->disk_write_bytes = sample->write_bytes;
      stats->uptime_seconds = vireo_domain_get_started_at (domain) > 0
                              ? now / G_USEC_PER_SEC - vireo_domain_get_started_at (domain) : -1;
      g_task_return_pointer (waiter->task, stats, g_free);
    }
  g_object_unref (waiter->task);
  g_object_unref (waiter->domain);
}

static void
on_batch_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GArray) waiters = user_data;
  Batch *batch = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = &g_array_index (waiters, Waiter, i);

      answer (waiter, error == NULL ? find_sample (batch, vireo_domain_get_uuid (VIREO_DOMAIN (waiter->domain))) : NULL,
              error);
    }
}

/* The requests of this main-loop turn go out together */
static gboolean
send_batch (gpointer user_data)
{
  VireoLibvirtBackend *self = user_data;
  GArray *waiters = g_object_steal_qdata (G_OBJECT (self), waiters_quark ());
  g_autoptr(GTask) task = g_task_new (self, NULL, on_batch_done, waiters);
  Batch *batch = g_new0 (Batch, 1);

  batch->samples = g_array_new (FALSE, TRUE, sizeof (Sample));
  g_task_set_task_data (task, batch, (GDestroyNotify) batch_free);
  _vireo_libvirt_run (self, task, stats_in_thread);
  return G_SOURCE_REMOVE;
}

/**
 * _vireo_libvirt_stats_request:
 * @task: (transfer full): gets a VireoDomainStats (g_free) or an error
 */
void
_vireo_libvirt_stats_request (VireoLibvirtBackend *self,
                              VireoLibvirtDomain  *domain,
                              GTask               *task)
{
  GArray *waiters = g_object_get_qdata (G_OBJECT (self), waiters_quark ());
  Waiter waiter = { g_object_ref (domain), task };

  if (waiters == NULL)
    {
      waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
      g_object_set_qdata (G_OBJECT (self), waiters_quark (), waiters);
      g_idle_add_full (G_PRIORITY_DEFAULT, send_batch, g_object_ref (self), g_object_unref);
    }
  g_array_append_val (waiters, waiter);
}
