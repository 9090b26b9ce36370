/* vireo-libvirt-backend.c: the VMs of a libvirt host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One VireoBackend per libvirt connection (qemu:///system, qemu+ssh://…,
 * test:///…), on libvirt's plain C API.  Every call runs in the host's own
 * pool of two worker threads, so a slow host delays nobody else and the
 * main loop never waits on the network; rows change on the main thread
 * from what the workers read, and then follow libvirt's events.  A lost
 * link keeps its rows, is retried with a growing delay, and the rows are
 * matched by UUID when it comes back, so open windows keep their VM.
 */
#include <libxml/xmlerror.h>

#include "vireo-error.h"
#include "vireo-hosts.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"

#define WORKERS 2
#define RETRY_FIRST_S 1
#define RETRY_MAX_S 30

struct _VireoLibvirtBackend
{
  VireoBackend parent_instance;

  GMutex lock;                /* guards link */
  VireoLibvirtLink *link;     /* NULL while disconnected */
  guint generation;           /* of the newest link asked for */
  GThreadPool *pool;
  struct _Closing *closing;
  guint calls;                /* libvirt calls made, atomically (the bench's count) */
  guint64 stamp;              /* events seen (main thread): a read older than a
                                 VM's last event does not undo its state */
  GHashTable *gone;           /* UUID -> the stamp when its row went: a read
                                 from before does not bring it back */
  guint64 net_stamp;          /* network events and removals seen (main thread) */
  GHashTable *net_gone;       /* a network's UUID -> net_stamp when its row went */

  guint retry_id;             /* the next reconnection, or 0 */
  guint retry_delay_s;
  gboolean reconnecting;
};

G_DEFINE_FINAL_TYPE (VireoLibvirtBackend, vireo_libvirt_backend, VIREO_TYPE_BACKEND)

/* The links a host is closing, which its end waits for a moment: a
 * healthy link closes at once, a dead one may never (libvirt's client
 * waits for an answer), and the main thread must not hang on it */
typedef struct _Closing {
  gint refs;
  GMutex lock;
  GCond done;
  guint pending;
} Closing;

#define CLOSE_WAIT_US (2 * G_USEC_PER_SEC)

static Closing *
closing_ref (Closing *closing)
{
  g_atomic_int_inc (&closing->refs);
  return closing;
}

static void
closing_unref (Closing *closing)
{
  if (!g_atomic_int_dec_and_test (&closing->refs))
    return;
  g_mutex_clear (&closing->lock);
  g_cond_clear (&closing->done);
  g_free (closing);
}

typedef struct {
  VireoLibvirtBackend *backend;   /* owned: the host outlives its jobs */
  GTask *task;
  GTaskThreadFunc func;
  VireoLibvirtLink *close;    /* or a link to close */
  Closing *closing;           /* with it, owned */
} Job;

static GPrivate in_worker;
static GPrivate current;      /* the backend of the job a worker runs */

static void
ignore_xml_error (void       *user_data,
                  const char *format,
                  ...)
{
}

/* A job's references (its task, which holds its VM or host, and its
 * host) go on the main thread: the last one may end a VM or a host, whose
 * ends touch what windows show */
static gboolean
unref_on_main (gpointer data)
{
  Job *job = data;

  g_object_unref (job->task);
  g_object_unref (job->backend);
  g_free (job);
  return G_SOURCE_REMOVE;
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;

  if (g_private_get (&in_worker) == NULL)
    {
      /* libxml2's errors are per thread, and libvirt's client parses
       * (test:///FILE): they reach us as libvirt's one-line errors, not
       * as libxml2's own lines on stderr */
      xmlSetGenericErrorFunc (NULL, ignore_xml_error);
      g_private_set (&in_worker, GINT_TO_POINTER (TRUE));
    }
  if (job->close != NULL)
    {
      _vireo_libvirt_link_close (job->close);
      g_mutex_lock (&job->closing->lock);
      job->closing->pending--;
      g_cond_broadcast (&job->closing->done);
      g_mutex_unlock (&job->closing->lock);
      closing_unref (job->closing);
    }
  else
    {
      g_private_set (&current, job->backend);
      job->func (job->task, g_task_get_source_object (job->task), g_task_get_task_data (job->task),
                 g_task_get_cancellable (job->task));
      g_private_set (&current, NULL);
      g_idle_add_full (G_PRIORITY_DEFAULT, unref_on_main, job, NULL);
      return;
    }
  g_free (job);
}

/**
 * _vireo_libvirt_worker_backend:
 * In a job's worker: its host, which the job holds (a VM's job cannot ask
 * its VM: the VM may lose its host on the main thread meanwhile).
 */
VireoLibvirtBackend *
_vireo_libvirt_worker_backend (void)
{
  return g_private_get (&current);
}

/**
 * _vireo_libvirt_run:
 * Runs @func in one of the host's workers, as g_task_run_in_thread()
 * would in GLib's shared pool.
 */
void
_vireo_libvirt_run (VireoLibvirtBackend *self,
                    GTask               *task,
                    GTaskThreadFunc      func)
{
  Job *job = g_new0 (Job, 1);

  job->backend = g_object_ref (self);
  job->task = g_object_ref (task);
  job->func = func;
  g_thread_pool_push (self->pool, job, NULL);
}

void
_vireo_libvirt_count_call (VireoLibvirtBackend *self)
{
  g_atomic_int_inc (&self->calls);
}

/**
 * vireo_libvirt_backend_get_calls:
 * Returns: how many libvirt calls the host's workers made (for make bench)
 */
guint
vireo_libvirt_backend_get_calls (VireoLibvirtBackend *self)
{
  g_return_val_if_fail (VIREO_IS_LIBVIRT_BACKEND (self), 0);
  return g_atomic_int_get (&self->calls);
}

guint64
_vireo_libvirt_backend_get_stamp (VireoLibvirtBackend *self)
{
  return self->stamp;
}

/**
 * _vireo_libvirt_backend_next_net_stamp:
 * Main thread: the count of network events, after one more with @advance
 * (a network's read older than its last event does not undo it)
 */
guint64
_vireo_libvirt_backend_next_net_stamp (VireoLibvirtBackend *self,
                                       gboolean             advance)
{
  if (advance)
    self->net_stamp++;
  return self->net_stamp;
}

/**
 * _vireo_libvirt_backend_get_net_gone:
 * Returns: (transfer none): UUID -> the net_stamp (guint64) when the
 *   network's row went, which a read from before does not bring back
 */
GHashTable *
_vireo_libvirt_backend_get_net_gone (VireoLibvirtBackend *self)
{
  return self->net_gone;
}

guint
_vireo_libvirt_backend_get_generation (VireoLibvirtBackend *self)
{
  return g_atomic_int_get (&self->generation);
}

/**
 * _vireo_libvirt_check_connected:
 * Main thread: operations wait for no link; while the host is lost they
 * fail at once, in one line.
 */
gboolean
_vireo_libvirt_check_connected (VireoLibvirtBackend  *self,
                                GError              **error)
{
  VireoBackend *backend = VIREO_BACKEND (self);

  if (vireo_backend_get_state (backend) == VIREO_BACKEND_STATE_CONNECTED)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_DISCONNECTED, _("Host '%s' is not connected"),
               vireo_backend_get_title (backend));
  return FALSE;
}

/**
 * _vireo_libvirt_get_conn:
 * From any thread.
 *
 * Returns: (transfer full): a reference on the connection, for
 *   virConnectClose(); NULL (with @error) while disconnected
 */
virConnectPtr
_vireo_libvirt_get_conn (VireoLibvirtBackend  *self,
                         GError              **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->link == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_DISCONNECTED, _("Host '%s' is not connected"),
                   vireo_backend_get_title (VIREO_BACKEND (self)));
      return NULL;
    }
  virConnectRef (self->link->conn);
  return self->link->conn;
}

/* Main thread: @link (taken) becomes the host's; the old one is closed
 * in a worker (a dead link's close may wait) */
static void
set_link (VireoLibvirtBackend *self,
          VireoLibvirtLink    *link)
{
  Job *job = g_new0 (Job, 1);

  g_mutex_lock (&self->lock);
  job->close = self->link;
  self->link = link;
  g_mutex_unlock (&self->lock);
  if (job->close == NULL)
    {
      g_free (job);
      return;
    }
  g_mutex_lock (&self->closing->lock);
  self->closing->pending++;
  g_mutex_unlock (&self->closing->lock);
  job->closing = closing_ref (self->closing);
  g_thread_pool_push (self->pool, job, NULL);
}

/* Rows ------------------------------------------------------------------ */

static VireoLibvirtDomain *
lookup (VireoLibvirtBackend *self,
        const char          *uuid)
{
  VireoDomain *domain = vireo_backend_lookup_domain_by_uuid (VIREO_BACKEND (self), uuid);

  return VIREO_IS_LIBVIRT_DOMAIN (domain) ? VIREO_LIBVIRT_DOMAIN (domain) : NULL;
}

static void
insert_sorted (VireoLibvirtBackend *self,
               VireoDomain         *domain)
{
  g_list_store_insert_sorted (_vireo_backend_get_store (VIREO_BACKEND (self)), domain,
                              _vireo_backend_compare_domains, NULL);
}

void
_vireo_libvirt_backend_forget (VireoLibvirtBackend *self,
                               const char          *uuid)
{
  GListStore *store = _vireo_backend_get_store (VIREO_BACKEND (self));
  VireoLibvirtDomain *domain = lookup (self, uuid);
  guint position;

  /* a read that began before now does not bring it back; the table is
   * bounded (a host that lost more VMs than that forgets the oldest) */
  self->stamp++;
  if (g_hash_table_size (self->gone) > 4096)
    g_hash_table_remove_all (self->gone);
  g_hash_table_replace (self->gone, g_strdup (uuid), g_memdup2 (&self->stamp, sizeof self->stamp));
  if (domain != NULL && g_list_store_find (store, domain, &position))
    g_list_store_remove (store, position);
}

/**
 * _vireo_libvirt_backend_apply:
 * Main thread: a row for what a worker read, matched by UUID.
 */
void
_vireo_libvirt_backend_apply (VireoLibvirtBackend *self,
                              VireoLibvirtRecord  *record)
{
  VireoLibvirtDomain *domain = lookup (self, record->uuid);
  g_autoptr(VireoDomain) added = NULL;
  g_autofree char *old_name = NULL;
  GListStore *store = _vireo_backend_get_store (VIREO_BACKEND (self));
  guint position;

  if (domain == NULL)
    {
      const guint64 *went = g_hash_table_lookup (self->gone, record->uuid);

      if (went != NULL && *went > record->stamp)
        return;   /* read before it went */
      g_hash_table_remove (self->gone, record->uuid);
      added = _vireo_libvirt_domain_new (self, record);
      insert_sorted (self, added);
      return;
    }
  old_name = g_strdup (vireo_domain_get_name (VIREO_DOMAIN (domain)));
  _vireo_libvirt_domain_update (domain, record);
  /* renamed: its place in name order moves */
  if (g_strcmp0 (old_name, vireo_domain_get_name (VIREO_DOMAIN (domain))) != 0 &&
      g_list_store_find (store, domain, &position))
    {
      g_autoptr(VireoDomain) keep = g_object_ref (VIREO_DOMAIN (domain));

      g_list_store_remove (store, position);
      insert_sorted (self, keep);
    }
}

/* A fresh read of one domain, after an event that changes more than its
 * state (defined, renamed) */
typedef struct {
  virDomainPtr dom;
  char uuid[VIR_UUID_STRING_BUFLEN];
  guint generation;
  guint64 stamp;
} Refetch;

static void
refetch_free (Refetch *refetch)
{
  virDomainFree (refetch->dom);
  g_free (refetch);
}

static void
refetch_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Refetch *refetch = task_data;
  GError *error = NULL;
  VireoLibvirtRecord *record;

  _vireo_libvirt_count_call (source_object);
  record = _vireo_libvirt_record_read (refetch->dom, NULL, &error);
  if (record != NULL)
    record->stamp = refetch->stamp;
  if (record == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, record, (GDestroyNotify) _vireo_libvirt_record_free);
}

static void
on_refetched (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (source);
  Refetch *refetch = g_task_get_task_data (G_TASK (result));
  g_autoptr(VireoLibvirtRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  if (refetch->generation != self->generation)
    return;
  record = g_task_propagate_pointer (G_TASK (result), &error);
  if (record != NULL)
    _vireo_libvirt_backend_apply (self, record);
  else if (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND))
    _vireo_libvirt_backend_forget (self, refetch->uuid);   /* gone meanwhile */
  else
    g_debug ("%s", error->message);
}

void
_vireo_libvirt_backend_refetch (VireoLibvirtBackend *self,
                                virDomainPtr         dom)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, on_refetched, NULL);
  Refetch *refetch = g_new0 (Refetch, 1);

  virDomainRef (dom);
  refetch->dom = dom;
  refetch->generation = self->generation;
  refetch->stamp = self->stamp;
  if (virDomainGetUUIDString (dom, refetch->uuid) < 0)
    virResetLastError ();
  g_task_set_task_data (task, refetch, (GDestroyNotify) refetch_free);
  _vireo_libvirt_run (self, task, refetch_in_thread);
}

/**
 * _vireo_libvirt_backend_event:
 * Main thread: libvirt's lifecycle event for @dom.
 */
void
_vireo_libvirt_backend_event (VireoLibvirtBackend *self,
                              virDomainPtr         dom,
                              int                  event,
                              int                  detail)
{
  char uuid[VIR_UUID_STRING_BUFLEN];
  VireoLibvirtDomain *domain;

  if (virDomainGetUUIDString (dom, uuid) < 0)
    return;
  self->stamp++;
  domain = lookup (self, uuid);
  if (event == VIR_DOMAIN_EVENT_UNDEFINED && detail != VIR_DOMAIN_EVENT_UNDEFINED_RENAMED)
    {
      /* a running VM that loses its definition stays, transient */
      if (domain != NULL && vireo_domain_is_active (VIREO_DOMAIN (domain)))
        _vireo_libvirt_backend_refetch (self, dom);
      else
        _vireo_libvirt_backend_forget (self, uuid);
      return;
    }
  if (domain != NULL)
    _vireo_libvirt_domain_event (domain, event, detail);
  /* a transient VM is gone once it stops */
  if (event == VIR_DOMAIN_EVENT_STOPPED && domain != NULL && !_vireo_libvirt_domain_is_persistent (domain))
    {
      _vireo_libvirt_backend_forget (self, uuid);
      return;
    }
  if (domain == NULL || event == VIR_DOMAIN_EVENT_DEFINED || event == VIR_DOMAIN_EVENT_STARTED)
    _vireo_libvirt_backend_refetch (self, dom);
}

/* Connecting ------------------------------------------------------------ */

typedef struct {
  char *uri;
  char *open_uri;             /* what libvirt opens (vireo-libvirt-ssh.c) */
  guint generation;
  guint64 stamp;
  VireoLibvirtLink *link;
  GPtrArray *records;         /* VireoLibvirtRecord */
  guint64 net_stamp;
  GPtrArray *networks;        /* VireoLibvirtNetRecord; NULL: the host has none */
  VireoBackendCaps caps;
} Connect;

static gpointer
close_link_in_thread (gpointer data)
{
  _vireo_libvirt_link_close (data);
  return NULL;
}

static void
connect_free (Connect *connect)
{
  /* a link not taken (replaced, or its host gone): closing it may wait,
   * never on the main thread, and the host's pool may be gone */
  if (connect->link != NULL)
    g_thread_unref (g_thread_new ("vireo-libvirt-close", close_link_in_thread, connect->link));
  g_clear_pointer (&connect->records, g_ptr_array_unref);
  g_clear_pointer (&connect->networks, g_ptr_array_unref);
  g_free (connect->uri);
  g_free (connect->open_uri);
  g_free (connect);
}

/* Every VM's state and persistence in three calls, whatever their number:
 * UUID -> VireoLibvirtKnown; NULL when the host cannot say (then each VM
 * is asked) */
static GHashTable *
read_states (VireoLibvirtBackend *self,
             virConnectPtr        conn)
{
  g_autoptr(GHashTable) known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  virDomainStatsRecordPtr *records = NULL;
  virDomainPtr *transient = NULL;
  char uuid[VIR_UUID_STRING_BUFLEN];
  int n, t;

  _vireo_libvirt_count_call (self);
  n = virConnectGetAllDomainStats (conn, VIR_DOMAIN_STATS_STATE, &records, 0);
  _vireo_libvirt_count_call (self);
  t = virConnectListAllDomains (conn, &transient, VIR_CONNECT_LIST_DOMAINS_TRANSIENT);
  for (int i = 0; i < n; i++)
    {
      VireoLibvirtKnown *k = g_new0 (VireoLibvirtKnown, 1);

      k->persistent = TRUE;
      for (int j = 0; j < records[i]->nparams; j++)
        if (g_str_equal (records[i]->params[j].field, "state.state"))
          k->state = records[i]->params[j].value.i;
        else if (g_str_equal (records[i]->params[j].field, "state.reason"))
          k->reason = records[i]->params[j].value.i;
      if (virDomainGetUUIDString (records[i]->dom, uuid) == 0)
        g_hash_table_replace (known, g_strdup (uuid), k);
      else
        g_free (k);
    }
  for (int i = 0; i < t; i++)
    {
      VireoLibvirtKnown *k;

      if (virDomainGetUUIDString (transient[i], uuid) == 0 && (k = g_hash_table_lookup (known, uuid)) != NULL)
        k->persistent = FALSE;
      virDomainFree (transient[i]);
    }
  if (records != NULL)
    virDomainStatsRecordListFree (records);
  free (transient);
  virResetLastError ();
  return n >= 0 && t >= 0 ? g_steal_pointer (&known) : NULL;
}

static void
list_domains (VireoLibvirtBackend *self,
              Connect             *connect)
{
  g_autoptr(GHashTable) known = read_states (self, connect->link->conn);
  char uuid[VIR_UUID_STRING_BUFLEN];
  virDomainPtr *doms = NULL;
  int n;

  _vireo_libvirt_count_call (self);
  n = virConnectListAllDomains (connect->link->conn, &doms, 0);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      const VireoLibvirtKnown *k = known != NULL && virDomainGetUUIDString (doms[i], uuid) == 0
                                   ? g_hash_table_lookup (known, uuid) : NULL;
      VireoLibvirtRecord *record = _vireo_libvirt_record_read (doms[i], k, &error);

      /* one that went meanwhile is simply not there */
      if (record != NULL)
        {
          record->stamp = connect->stamp;
          g_ptr_array_add (connect->records, record);
        }
      virDomainFree (doms[i]);
    }
  free (doms);
  if (n < 0)
    g_clear_pointer (&connect->records, g_ptr_array_unref);
}

/* What Vireo does on the host: snapshots on QEMU's and the test driver's;
 * the test driver has neither consoles nor displays; a display's
 * descriptor passes only to this machine */
static VireoBackendCaps
caps_of (virConnectPtr  conn,
         const char    *uri)
{
  const char *type = virConnectGetType (conn);
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  VireoBackendCaps caps = 0;

  virResetLastError ();
  /* disks are definition changes and clones copy storage volumes, with
   * images in the host's pools, which both drivers have */
  if (g_strcmp0 (type, "TEST") == 0)
    return VIREO_BACKEND_CAN_SNAPSHOTS | VIREO_BACKEND_CAN_HOTPLUG | VIREO_BACKEND_CAN_CLONE | VIREO_BACKEND_CAN_NETWORKS;
  if (g_strcmp0 (type, "QEMU") != 0)
    return 0;
  /* networks: unless listing them fails (connect_in_thread()) */
  caps |= VIREO_BACKEND_CAN_CONSOLE | VIREO_BACKEND_CAN_SNAPSHOTS | VIREO_BACKEND_CAN_HOTPLUG |
          VIREO_BACKEND_CAN_CLONE | VIREO_BACKEND_CAN_NETWORKS;
  /* no host in the URI: libvirtd on this machine passes the display's
   * socket; an SSH host's display goes through `ssh -W` */
  if (parsed != NULL && (g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0' ||
                         _vireo_libvirt_is_ssh (uri)))
    caps |= VIREO_BACKEND_CAN_DISPLAY;
  /* an image of this machine is uploaded to another host's pool */
  caps |= VIREO_BACKEND_CAN_MEDIA;
  return caps;
}

/**
 * _vireo_libvirt_backend_files_here:
 * Returns: whether the host's paths are this machine's: its URI names no
 *   other machine, and it is no test driver (whose files are make-believe)
 */
gboolean
_vireo_libvirt_backend_files_here (VireoLibvirtBackend *self)
{
  g_autoptr(GUri) parsed = g_uri_parse (vireo_backend_get_uri (VIREO_BACKEND (self)), G_URI_FLAGS_NONE, NULL);
  const char *host = parsed != NULL ? g_uri_get_host (parsed) : NULL;

  return parsed != NULL && (host == NULL || *host == '\0') && !g_str_has_prefix (g_uri_get_scheme (parsed), "test");
}

static void
connect_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  VireoLibvirtBackend *self = source_object;
  Connect *connect = task_data;
  g_autofree char *what = g_strdup_printf (_("Host '%s'"), connect->uri);
  GError *error = NULL;

  connect->link = _vireo_libvirt_link_open (self, connect->uri, connect->open_uri, connect->generation, &error);
  if (connect->link == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  connect->records = g_ptr_array_new_with_free_func ((GDestroyNotify) _vireo_libvirt_record_free);
  connect->caps = caps_of (connect->link->conn, connect->uri);
  list_domains (self, connect);
  /* a host whose networks cannot be listed (no network driver) has none */
  if (connect->caps & VIREO_BACKEND_CAN_NETWORKS)
    connect->networks = _vireo_libvirt_list_networks (self, connect->link->conn, connect->net_stamp);
  if (connect->networks == NULL)
    connect->caps &= ~VIREO_BACKEND_CAN_NETWORKS;
  if (connect->records == NULL)
    g_task_return_error (task, _vireo_libvirt_error (what));
  else
    g_task_return_boolean (task, TRUE);
}

/* The rows become what the host has: same UUID, same object */
static void
resync (VireoLibvirtBackend *self,
        GPtrArray           *records)
{
  GListModel *list = vireo_backend_get_domains (VIREO_BACKEND (self));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < records->len; i++)
    {
      VireoLibvirtRecord *record = g_ptr_array_index (records, i);

      _vireo_libvirt_backend_apply (self, record);
      g_hash_table_add (seen, record->uuid);
    }
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (list, i);

      if (!g_hash_table_contains (seen, vireo_domain_get_uuid (domain)))
        g_ptr_array_add (gone, g_strdup (vireo_domain_get_uuid (domain)));
    }
  for (guint i = 0; i < gone->len; i++)
    _vireo_libvirt_backend_forget (self, g_ptr_array_index (gone, i));
}

static void
start_connect (VireoLibvirtBackend *self,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  Connect *connect = g_new0 (Connect, 1);

  _vireo_libvirt_init_once ();
  g_clear_handle_id (&self->retry_id, g_source_remove);
  _vireo_backend_set_retry_time (VIREO_BACKEND (self), 0);
  connect->uri = g_strdup (vireo_backend_get_uri (VIREO_BACKEND (self)));
  connect->open_uri = _vireo_libvirt_open_uri (connect->uri);
  connect->generation = ++self->generation;
  connect->stamp = self->stamp;
  connect->net_stamp = self->net_stamp;
  g_task_set_task_data (task, connect, (GDestroyNotify) connect_free);
  _vireo_libvirt_run (self, task, connect_in_thread);
}

/* Main thread: whether the connect of @result is the host's link now */
static gboolean
finish_connect (VireoLibvirtBackend  *self,
                GAsyncResult         *result,
                GError              **error)
{
  Connect *connect = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (connect->generation != self->generation)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Host '%s': a newer connection replaced this one"),
                   connect->uri);
      return FALSE;
    }
  set_link (self, g_steal_pointer (&connect->link));
  _vireo_backend_set_caps (VIREO_BACKEND (self), connect->caps);
  resync (self, connect->records);
  if (connect->networks != NULL)
    _vireo_libvirt_backend_apply_networks (self, connect->networks);
  else
    g_list_store_remove_all (_vireo_backend_get_network_store (VIREO_BACKEND (self)));
  self->retry_delay_s = 0;
  return TRUE;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (finish_connect (VIREO_LIBVIRT_BACKEND (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
libvirt_connect_async (VireoBackend        *backend,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task = g_task_new (backend, cancellable, callback, user_data);

  VIREO_LIBVIRT_BACKEND (backend)->reconnecting = FALSE;
  start_connect (VIREO_LIBVIRT_BACKEND (backend), on_connected, task);
}

static gboolean
libvirt_connect_finish (VireoBackend  *backend,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Lost, and back ---------------------------------------------------------- */

static gboolean retry (gpointer user_data);

/* Before the state changes to LOST, whose notification reads the time */
static void
schedule_retry (VireoLibvirtBackend *self)
{
  self->retry_delay_s = CLAMP (self->retry_delay_s * 2, RETRY_FIRST_S, RETRY_MAX_S);
  _vireo_backend_set_retry_time (VIREO_BACKEND (self), g_get_real_time () + self->retry_delay_s * G_USEC_PER_SEC);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add_seconds (self->retry_delay_s, retry, self);
}

static void
on_reconnected (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (source);
  g_autoptr(GError) error = NULL;

  if (!self->reconnecting)
    return;   /* someone connected by hand meanwhile */
  self->reconnecting = FALSE;
  if (finish_connect (self, result, &error))
    {
      _vireo_backend_set_state (VIREO_BACKEND (self), VIREO_BACKEND_STATE_CONNECTED, NULL);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  schedule_retry (self);
  _vireo_backend_set_state (VIREO_BACKEND (self), VIREO_BACKEND_STATE_LOST, error);
}

static gboolean
retry (gpointer user_data)
{
  VireoLibvirtBackend *self = user_data;

  self->retry_id = 0;
  self->reconnecting = TRUE;
  _vireo_backend_set_retry_time (VIREO_BACKEND (self), 0);
  /* the state keeps saying why the link went */
  _vireo_backend_set_state (VIREO_BACKEND (self), VIREO_BACKEND_STATE_RECONNECTING,
                            vireo_backend_get_error (VIREO_BACKEND (self)));
  start_connect (self, on_reconnected, NULL);
  return G_SOURCE_REMOVE;
}

/**
 * _vireo_libvirt_backend_lost:
 * Main thread: the link went.  The rows stay as last known; the host is
 * tried again after 1 s, then after twice as long each time, up to 30 s.
 */
void
_vireo_libvirt_backend_lost (VireoLibvirtBackend *self,
                             const char          *why)
{
  g_autoptr(GError) error = g_error_new (VIREO_ERROR, VIREO_ERROR_DISCONNECTED, _("Host '%s': %s"),
                                         vireo_backend_get_uri (VIREO_BACKEND (self)), why);

  g_atomic_int_inc (&self->generation);   /* the old link's late callbacks are dropped */
  set_link (self, NULL);
  self->reconnecting = FALSE;
  self->retry_delay_s = 0;
  schedule_retry (self);
  _vireo_backend_set_state (VIREO_BACKEND (self), VIREO_BACKEND_STATE_LOST, error);
}

/* The object ------------------------------------------------------------ */

static void
vireo_libvirt_backend_dispose (GObject *object)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (object);

  g_atomic_int_inc (&self->generation);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->pool != NULL)
    set_link (self, NULL);
  G_OBJECT_CLASS (vireo_libvirt_backend_parent_class)->dispose (object);
}

static void
vireo_libvirt_backend_finalize (GObject *object)
{
  VireoLibvirtBackend *self = VIREO_LIBVIRT_BACKEND (object);

  gint64 deadline = g_get_monotonic_time () + CLOSE_WAIT_US;

  /* jobs hold the backend, so only closes are left: they finish alone.
   * A healthy link's is waited for a moment (a process that exits then
   * leaves nothing open), a dead host's is not; nor does a worker that
   * dropped the last reference wait for itself. */
  if (g_private_get (&in_worker) == NULL)
    {
      g_mutex_lock (&self->closing->lock);
      while (self->closing->pending > 0 &&
             g_cond_wait_until (&self->closing->done, &self->closing->lock, deadline))
        ;
      g_mutex_unlock (&self->closing->lock);
    }
  g_thread_pool_free (self->pool, FALSE, FALSE);
  closing_unref (self->closing);
  g_hash_table_unref (self->gone);
  g_hash_table_unref (self->net_gone);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (vireo_libvirt_backend_parent_class)->finalize (object);
}

static void
vireo_libvirt_backend_class_init (VireoLibvirtBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VireoBackendClass *backend_class = VIREO_BACKEND_CLASS (klass);

  object_class->dispose = vireo_libvirt_backend_dispose;
  object_class->finalize = vireo_libvirt_backend_finalize;
  backend_class->connect_async = libvirt_connect_async;
  backend_class->connect_finish = libvirt_connect_finish;
  _vireo_libvirt_backend_class_init_define (backend_class);
  _vireo_libvirt_backend_class_init_create (backend_class);
  _vireo_libvirt_backend_class_init_networks (backend_class);
}

static void
vireo_libvirt_backend_init (VireoLibvirtBackend *self)
{
  g_mutex_init (&self->lock);
  self->pool = g_thread_pool_new (run_job, NULL, WORKERS, FALSE, NULL);
  self->gone = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->net_gone = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->closing = g_new0 (Closing, 1);
  self->closing->refs = 1;
  g_mutex_init (&self->closing->lock);
  g_cond_init (&self->closing->done);
}

/**
 * vireo_libvirt_backend_new:
 * @uri: a libvirt URI (vireo_hosts_check_uri() says which are taken)
 *
 * Returns: (transfer full): the host, disconnected
 */
VireoBackend *
vireo_libvirt_backend_new (const char *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  return g_object_new (VIREO_TYPE_LIBVIRT_BACKEND, "uri", uri, "title", uri, NULL);
}

/**
 * vireo_libvirt_backend_factory:
 * A #VireoHostFactory: every saved host is a libvirt host.
 */
VireoBackend *
vireo_libvirt_backend_factory (const char  *uri,
                               gpointer     user_data,
                               GError     **error)
{
  if (!vireo_hosts_check_uri (uri, error))
    return NULL;
  return vireo_libvirt_backend_new (uri);
}
