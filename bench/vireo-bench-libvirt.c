/* vireo-bench-libvirt.c: the libvirt backend's figures for make bench
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   vireo-bench-libvirt URI rows
 *     "connect_ms N rows R": connect until every row is there
 *   vireo-bench-libvirt URI stats SECONDS
 *     watches every running VM's statistics at 1 s for SECONDS:
 *     "first_stats_ms N calls_per_interval C vms V"
 *   vireo-bench-libvirt URI events COUNT
 *     another connection (another client, as virsh) suspends then resumes
 *     COUNT running VMs, one at a time; each time until Vireo's row shows
 *     it: "median_ms M max_ms X"
 *   vireo-bench-libvirt URI idle SECONDS
 *     connected with every row watched, for SECONDS, then exits (the
 *     script reads its CPU time)
 */
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vireo.h"

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
pump_until (gboolean *flag,
            gint64    deadline)
{
  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
}

static VireoBackend *
connect_host (const char *uri,
              double     *ms)
{
  VireoBackend *backend = vireo_libvirt_backend_new (uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  vireo_backend_connect_async (backend, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!vireo_backend_connect_finish (backend, result, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      exit (1);
    }
  *ms = (g_get_monotonic_time () - t0) / 1000.0;
  return backend;
}

static guint pending;

static void
on_stats_updated (VireoDomain *domain,
                  gboolean    *seen)
{
  VireoDomainLoad load;

  if (!*seen && vireo_domain_get_load (domain, &load))
    {
      *seen = TRUE;
      pending--;
    }
}

static GPtrArray *
watch_running (VireoBackend *backend,
               gboolean     *seen)
{
  GListModel *list = vireo_backend_get_domains (backend);
  GPtrArray *watched = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      VireoDomain *domain = g_list_model_get_item (list, i);

      if (!vireo_domain_can (domain, VIREO_DOMAIN_OP_STATS))
        {
          g_object_unref (domain);
          continue;
        }
      g_signal_connect (domain, "stats-updated", G_CALLBACK (on_stats_updated), &seen[watched->len]);
      vireo_domain_watch_stats (domain);
      g_ptr_array_add (watched, domain);
      pending++;
    }
  return watched;
}

static int
bench_stats (VireoBackend *backend,
             int           seconds)
{
  g_autofree gboolean *seen = g_new0 (gboolean, g_list_model_get_n_items (vireo_backend_get_domains (backend)));
  g_autoptr(GPtrArray) watched = NULL;
  gint64 t0 = g_get_monotonic_time ();
  double first_ms;
  guint calls0;
  gboolean never = FALSE;

  vireo_stats_set_interval (1000);
  watched = watch_running (backend, seen);
  while (pending > 0 && g_get_monotonic_time () - t0 < 30 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  first_ms = (g_get_monotonic_time () - t0) / 1000.0;
  calls0 = vireo_libvirt_backend_get_calls (VIREO_LIBVIRT_BACKEND (backend));
  pump_until (&never, g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC);
  printf ("first_stats_ms %.0f calls_per_interval %.2f vms %u\n", first_ms,
          (vireo_libvirt_backend_get_calls (VIREO_LIBVIRT_BACKEND (backend)) - calls0) / (double) seconds,
          watched->len);
  for (guint i = 0; i < watched->len; i++)
    vireo_domain_unwatch_stats (g_ptr_array_index (watched, i));
  return 0;
}

typedef struct {
  virConnectPtr conn;
  char *name;
  gboolean suspend;
} Change;

static gpointer
change_in_thread (gpointer data)
{
  Change *change = data;
  virDomainPtr dom = virDomainLookupByName (change->conn, change->name);

  if (dom != NULL)
    {
      if (change->suspend)
        virDomainSuspend (dom);
      else
        virDomainResume (dom);
      virDomainFree (dom);
    }
  return NULL;
}

static gboolean state_reached;
static VireoDomainState wanted;

static void
on_state (VireoDomain *domain,
          GParamSpec  *pspec,
          gpointer     user_data)
{
  if (vireo_domain_get_state (domain) == wanted)
    state_reached = TRUE;
}

/* ms from the other client's call to the row's new state */
static double
time_change (VireoDomain  *domain,
             virConnectPtr conn,
             gboolean      suspend)
{
  Change change = { conn, (char *) vireo_domain_get_name (domain), suspend };
  gint64 t0 = g_get_monotonic_time ();
  gulong handler = g_signal_connect (domain, "notify::state", G_CALLBACK (on_state), NULL);
  GThread *thread;

  state_reached = FALSE;
  wanted = suspend ? VIREO_DOMAIN_STATE_PAUSED : VIREO_DOMAIN_STATE_RUNNING;
  thread = g_thread_new ("client", change_in_thread, &change);
  pump_until (&state_reached, t0 + 10 * G_USEC_PER_SEC);
  g_thread_join (thread);
  g_signal_handler_disconnect (domain, handler);
  return state_reached ? (g_get_monotonic_time () - t0) / 1000.0 : 10000;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static int
bench_events (VireoBackend *backend,
              const char   *uri,
              guint         count)
{
  virConnectPtr conn = virConnectOpen (uri);
  GListModel *list = vireo_backend_get_domains (backend);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  if (conn == NULL)
    return 1;
  for (guint i = 0; i < g_list_model_get_n_items (list) && times->len < 2 * count; i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (list, i);
      double t;

      if (vireo_domain_get_state (domain) != VIREO_DOMAIN_STATE_RUNNING)
        continue;
      t = time_change (domain, conn, TRUE);
      g_array_append_val (times, t);
      t = time_change (domain, conn, FALSE);
      g_array_append_val (times, t);
    }
  virConnectClose (conn);
  if (times->len == 0)
    return 1;
  g_array_sort (times, compare_doubles);
  printf ("median_ms %.2f max_ms %.2f changes %u\n", g_array_index (times, double, times->len / 2),
          g_array_index (times, double, times->len - 1), times->len);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VireoBackend) backend = NULL;
  double connect_ms;

  if (argc < 3)
    {
      fprintf (stderr, "usage: vireo-bench-libvirt URI rows|stats S|events N|idle S\n");
      return 2;
    }
  backend = connect_host (argv[1], &connect_ms);
  if (g_str_equal (argv[2], "rows"))
    {
      printf ("connect_ms %.1f rows %u\n", connect_ms, g_list_model_get_n_items (vireo_backend_get_domains (backend)));
      return 0;
    }
  if (g_str_equal (argv[2], "stats") && argc == 4)
    return bench_stats (backend, atoi (argv[3]));
  if (g_str_equal (argv[2], "events") && argc == 4)
    return bench_events (backend, argv[1], atoi (argv[3]));
  if (g_str_equal (argv[2], "idle") && argc == 4)
    {
      g_autofree gboolean *seen = g_new0 (gboolean, g_list_model_get_n_items (vireo_backend_get_domains (backend)));
      g_autoptr(GPtrArray) watched = watch_running (backend, seen);
      gboolean never = FALSE;

      pump_until (&never, g_get_monotonic_time () + (gint64) atoi (argv[3]) * G_USEC_PER_SEC);
      return 0;
    }
  return 2;
}
