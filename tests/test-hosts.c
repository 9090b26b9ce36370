/* test-hosts.c: the hosts a window shows, their VMs as one list, and the
 * saved connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vireo-backend-private.h"
#include "vireo-local-domain-private.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-flatten-model.h"
#include "vireo-hosts.h"
#include "vireo-load-error.h"
#include "vireo-lock.h"

#include "vireo-test-util.h"

/* A host whose connect ends after @delay_ms, or fails, and whose VMs the
 * test adds and removes by hand. */
#define FAKE_TYPE_BACKEND (fake_backend_get_type ())
G_DECLARE_FINAL_TYPE (FakeBackend, fake_backend, FAKE, BACKEND, VireoBackend)

struct _FakeBackend
{
  VireoBackend parent_instance;
  guint delay_ms;
  gboolean fail;
  gint64 started_at;             /* 0: not yet */
  gint64 finished_at;
};

G_DEFINE_FINAL_TYPE (FakeBackend, fake_backend, VIREO_TYPE_BACKEND)

static gboolean
fake_connected (gpointer data)
{
  GTask *task = data;
  FakeBackend *self = g_task_get_source_object (task);

  self->finished_at = g_get_monotonic_time ();
  if (self->fail)
    g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_DISCONNECTED,
                             "Cannot reach %s: refused", vireo_backend_get_uri (VIREO_BACKEND (self)));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
fake_connect_async (VireoBackend        *backend,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  FakeBackend *self = FAKE_BACKEND (backend);

  self->started_at = g_get_monotonic_time ();
  g_timeout_add (self->delay_ms, fake_connected, g_task_new (self, cancellable, callback, user_data));
}

static gboolean
fake_connect_finish (VireoBackend  *backend,
                     GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
fake_backend_class_init (FakeBackendClass *klass)
{
  VIREO_BACKEND_CLASS (klass)->connect_async = fake_connect_async;
  VIREO_BACKEND_CLASS (klass)->connect_finish = fake_connect_finish;
}

static void
fake_backend_init (FakeBackend *self)
{
}

static FakeBackend *
fake_backend_new (const char *uri)
{
  return g_object_new (FAKE_TYPE_BACKEND, "uri", uri, NULL);
}

typedef struct {
  char *root;
  char *file;
  VireoPaths *paths;             /* for the fake VMs */
  FakeBackend *local;
  GHashTable *prepared;          /* URI → FakeBackend the factory hands out */
  VireoHosts *hosts;
} Fixture;

static VireoBackend *
factory (const char  *uri,
         gpointer     user_data,
         GError     **error)
{
  Fixture *f = user_data;
  FakeBackend *backend = g_hash_table_lookup (f->prepared, uri);

  if (g_str_has_prefix (uri, "test:///broken"))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, "No backend for %s", uri);
      return NULL;
    }
  return backend ? g_object_ref (VIREO_BACKEND (backend)) : VIREO_BACKEND (fake_backend_new (uri));
}

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->root = vireo_test_make_root ();
  f->paths = vireo_paths_new (f->root);
  f->file = vireo_paths_hosts_file (f->paths);
  f->local = fake_backend_new ("vireo:///session");
  f->prepared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  f->hosts = vireo_hosts_new (VIREO_BACKEND (f->local), f->file);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  Fixture *f = *state;

  g_clear_object (&f->hosts);
  g_clear_object (&f->local);
  g_hash_table_unref (f->prepared);
  vireo_paths_free (f->paths);
  vireo_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f->file);
  g_free (f);
  return 0;
}

static FakeBackend *
prepare (Fixture    *f,
         const char *uri)
{
  FakeBackend *backend = fake_backend_new (uri);

  g_hash_table_insert (f->prepared, g_strdup (uri), backend);
  return backend;
}

static void
add_vm (Fixture     *f,
        FakeBackend *backend,
        const char  *name)
{
  g_autoptr(VireoDomain) domain = _vireo_local_domain_new (VIREO_BACKEND (backend), f->paths, vireo_domain_config_new (name));

  g_list_store_insert_sorted (_vireo_backend_get_store (VIREO_BACKEND (backend)), domain,
                              _vireo_backend_compare_domains, NULL);
}

static void
remove_vm (FakeBackend *backend,
           const char  *name)
{
  VireoDomain *domain = vireo_backend_lookup_domain (VIREO_BACKEND (backend), name);
  guint position;

  assert_non_null (domain);
  assert_true (g_list_store_find (_vireo_backend_get_store (VIREO_BACKEND (backend)), domain, &position));
  g_list_store_remove (_vireo_backend_get_store (VIREO_BACKEND (backend)), position);
}

/* What a list model's listener knows: its items, as the items-changed
 * signals told, and the last signal.  It must be the model itself after
 * every change, or a position was wrong. */
typedef struct {
  GListModel *model;
  GPtrArray *items;              /* owned references */
  guint position, removed, added;
  guint signals;
} Mirror;

static void
on_mirror_changed (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   gpointer    user_data)
{
  Mirror *m = user_data;

  assert_true (position + removed <= m->items->len);
  g_ptr_array_remove_range (m->items, position, removed);
  for (guint i = 0; i < added; i++)
    {
      gpointer item = g_list_model_get_item (model, position + i);

      assert_non_null (item);
      g_ptr_array_insert (m->items, position + i, item);
    }
  m->position = position;
  m->removed = removed;
  m->added = added;
  m->signals++;
}

static Mirror *
mirror_new (GListModel *model)
{
  Mirror *m = g_new0 (Mirror, 1);

  m->model = g_object_ref (model);
  m->items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (m->items, g_list_model_get_item (model, i));
  g_signal_connect (model, "items-changed", G_CALLBACK (on_mirror_changed), m);
  return m;
}

static void
mirror_free (Mirror *m)
{
  g_signal_handlers_disconnect_by_data (m->model, m);
  g_object_unref (m->model);
  g_ptr_array_unref (m->items);
  g_free (m);
}

static void
mirror_check (Mirror *m)
{
  assert_int_equal (g_list_model_get_n_items (m->model), m->items->len);
  for (guint i = 0; i < m->items->len; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (m->model, i);

      assert_ptr_equal (item, g_ptr_array_index (m->items, i));
    }
  assert_null (g_list_model_get_item (m->model, m->items->len));
}

/* The last signal was (@position, @removed, @added), and the only one
 * since @signals. */
static void
assert_changed (Mirror *m,
                guint   signals,
                guint   position,
                guint   removed,
                guint   added)
{
  mirror_check (m);
  assert_int_equal (m->signals, signals + 1);
  assert_int_equal (m->position, position);
  assert_int_equal (m->removed, removed);
  assert_int_equal (m->added, added);
}

/* The names of the flattened list, to see which host's VMs come where. */
static char *
flat_names (GListModel *model)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (model, i);

      g_string_append_printf (names, "%s%s", i ? " " : "", vireo_domain_get_name (domain));
    }
  return g_strdup (names->str);
}

static void
test_flatten_vm_changes (void **state)
{
  Fixture *f = *state;
  FakeBackend *first = f->local;
  FakeBackend *middle = prepare (f, "test:///middle");
  FakeBackend *last = prepare (f, "test:///last");
  GListModel *domains = vireo_hosts_get_domains (f->hosts);
  g_autofree char *names = NULL;
  Mirror *m;

  add_vm (f, first, "a1");
  add_vm (f, first, "a3");
  add_vm (f, middle, "b1");
  add_vm (f, middle, "b3");
  add_vm (f, last, "c1");
  add_vm (f, last, "c3");
  vireo_hosts_set_factory (f->hosts, factory, f);
  assert_true (vireo_hosts_add (f->hosts, "test:///middle", NULL, FALSE, NULL));
  assert_true (vireo_hosts_add (f->hosts, "test:///last", NULL, FALSE, NULL));
  names = flat_names (domains);
  assert_string_equal (names, "a1 a3 b1 b3 c1 c3");
  m = mirror_new (domains);

  /* at the start, the middle and the end of each host */
  add_vm (f, first, "a0");   assert_changed (m, 0, 0, 0, 1);
  add_vm (f, first, "a2");   assert_changed (m, 1, 2, 0, 1);
  add_vm (f, first, "a4");   assert_changed (m, 2, 4, 0, 1);
  add_vm (f, middle, "b0");  assert_changed (m, 3, 5, 0, 1);
  add_vm (f, middle, "b2");  assert_changed (m, 4, 7, 0, 1);
  add_vm (f, middle, "b4");  assert_changed (m, 5, 9, 0, 1);
  add_vm (f, last, "c0");    assert_changed (m, 6, 10, 0, 1);
  add_vm (f, last, "c2");    assert_changed (m, 7, 12, 0, 1);
  add_vm (f, last, "c4");    assert_changed (m, 8, 14, 0, 1);
  g_free (names);
  names = flat_names (domains);
  assert_string_equal (names, "a0 a1 a2 a3 a4 b0 b1 b2 b3 b4 c0 c1 c2 c3 c4");

  remove_vm (last, "c4");    assert_changed (m, 9, 14, 1, 0);
  remove_vm (last, "c0");    assert_changed (m, 10, 10, 1, 0);
  remove_vm (middle, "b2");  assert_changed (m, 11, 7, 1, 0);
  remove_vm (middle, "b0");  assert_changed (m, 12, 5, 1, 0);
  remove_vm (middle, "b4");  assert_changed (m, 13, 7, 1, 0);
  remove_vm (first, "a4");   assert_changed (m, 14, 4, 1, 0);
  remove_vm (first, "a0");   assert_changed (m, 15, 0, 1, 0);
  remove_vm (first, "a2");   assert_changed (m, 16, 1, 1, 0);
  g_free (names);
  names = flat_names (domains);
  assert_string_equal (names, "a1 a3 b1 b3 c1 c2 c3");

  /* a host that empties and fills again */
  remove_vm (middle, "b1");  assert_changed (m, 17, 2, 1, 0);
  remove_vm (middle, "b3");  assert_changed (m, 18, 2, 1, 0);
  add_vm (f, middle, "b5");  assert_changed (m, 19, 2, 0, 1);
  mirror_free (m);
}

static void
test_flatten_host_changes (void **state)
{
  Fixture *f = *state;
  FakeBackend *one = prepare (f, "test:///one");
  FakeBackend *two = prepare (f, "test:///two");
  FakeBackend *three = prepare (f, "test:///three");
  GListModel *domains = vireo_hosts_get_domains (f->hosts);
  GListModel *backends = vireo_hosts_get_backends (f->hosts);
  Mirror *m = mirror_new (domains);
  Mirror *hm = mirror_new (backends);

  add_vm (f, f->local, "l1");
  add_vm (f, f->local, "l2");
  add_vm (f, one, "o1");
  add_vm (f, two, "t1");
  add_vm (f, two, "t2");
  add_vm (f, two, "t3");
  add_vm (f, three, "h1");
  assert_changed (m, 1, 1, 0, 1);
  vireo_hosts_set_factory (f->hosts, factory, f);

  assert_true (vireo_hosts_add (f->hosts, "test:///one", NULL, FALSE, NULL));
  assert_changed (m, 2, 2, 0, 1);
  assert_changed (hm, 0, 1, 0, 1);
  assert_true (vireo_hosts_add (f->hosts, "test:///two", NULL, FALSE, NULL));
  assert_changed (m, 3, 3, 0, 3);
  assert_true (vireo_hosts_add (f->hosts, "test:///three", NULL, FALSE, NULL));
  assert_changed (m, 4, 6, 0, 1);
  /* a host with no VMs changes the hosts, not the VMs */
  assert_true (vireo_hosts_add (f->hosts, "test:///empty", NULL, FALSE, NULL));
  assert_int_equal (m->signals, 5);
  assert_changed (hm, 3, 4, 0, 1);
  mirror_check (m);

  /* the middle host goes, then the last, then the first saved one */
  assert_true (vireo_hosts_remove (f->hosts, "test:///two", NULL));
  assert_changed (m, 5, 3, 3, 0);
  assert_changed (hm, 4, 2, 1, 0);
  assert_true (vireo_hosts_remove (f->hosts, "test:///empty", NULL));
  assert_int_equal (m->signals, 6);
  assert_true (vireo_hosts_remove (f->hosts, "test:///three", NULL));
  assert_changed (m, 6, 3, 1, 0);
  assert_true (vireo_hosts_remove (f->hosts, "test:///one", NULL));
  assert_changed (m, 7, 2, 1, 0);
  assert_int_equal (g_list_model_get_n_items (backends), 1);
  /* a removed host's changes no longer reach the list */
  add_vm (f, two, "t4");
  assert_int_equal (m->signals, 8);
  mirror_check (m);
  mirror_free (hm);
  mirror_free (m);
}

static GListModel *
inner_list (gpointer item)
{
  return G_LIST_MODEL (item);
}

/* Random changes to random lists, some empty, the outer list's too: the
 * listener's copy stays the model. */
static void
test_flatten_random (void **state)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (14);
  g_autoptr(GListStore) outer = g_list_store_new (G_TYPE_LIST_STORE);
  g_autoptr(VireoFlattenModel) flat = vireo_flatten_model_new (G_TYPE_OBJECT, G_LIST_MODEL (outer), inner_list);
  Mirror *m = mirror_new (G_LIST_MODEL (flat));

  assert_int_equal (g_list_model_get_item_type (G_LIST_MODEL (flat)), G_TYPE_OBJECT);
  for (guint step = 0; step < 3000; step++)
    {
      guint n_outer = g_list_model_get_n_items (G_LIST_MODEL (outer));
      guint op = g_rand_int_range (rand, 0, 10);

      if (op == 0 || n_outer == 0)
        {
          g_autoptr(GListStore) inner = g_list_store_new (G_TYPE_OBJECT);
          guint n = g_rand_int_range (rand, 0, 4);

          for (guint i = 0; i < n; i++)
            {
              g_autoptr(GObject) item = g_object_new (G_TYPE_OBJECT, NULL);
              g_list_store_append (inner, item);
            }
          g_list_store_insert (outer, g_rand_int_range (rand, 0, n_outer + 1), inner);
        }
      else if (op == 1)
        g_list_store_remove (outer, g_rand_int_range (rand, 0, n_outer));
      else
        {
          g_autoptr(GListStore) inner = g_list_model_get_item (G_LIST_MODEL (outer),
                                                               g_rand_int_range (rand, 0, n_outer));
          guint n = g_list_model_get_n_items (G_LIST_MODEL (inner));

          if (op < 6 || n == 0)
            {
              g_autoptr(GObject) item = g_object_new (G_TYPE_OBJECT, NULL);
              g_list_store_insert (inner, g_rand_int_range (rand, 0, n + 1), item);
            }
          else if (op < 9)
            g_list_store_remove (inner, g_rand_int_range (rand, 0, n));
          else
            {
              /* several at once: a splice */
              guint at = g_rand_int_range (rand, 0, n);
              gpointer items[2] = { g_object_new (G_TYPE_OBJECT, NULL), g_object_new (G_TYPE_OBJECT, NULL) };

              g_list_store_splice (inner, at, MIN (2, n - at), items, 2);
              g_object_unref (items[0]);
              g_object_unref (items[1]);
            }
        }
      mirror_check (m);
    }
  assert_true (m->signals > 2000);
  mirror_free (m);
}

static gboolean
all_finished (gpointer data)
{
  FakeBackend **backends = data;

  for (guint i = 0; backends[i] != NULL; i++)
    if (backends[i]->finished_at == 0)
      return FALSE;
  return TRUE;
}

/* Every host connects at once: each connect starts before any ends, and
 * one that fails stays listed with its error. */
static void
test_connect_all_in_parallel (void **state)
{
  Fixture *f = *state;
  FakeBackend *one = prepare (f, "test:///one");
  FakeBackend *two = prepare (f, "test:///two");
  FakeBackend *bad = prepare (f, "test:///bad");
  FakeBackend *manual = prepare (f, "test:///manual");
  FakeBackend *waited[] = { f->local, one, two, bad, NULL };

  f->local->delay_ms = 10;
  one->delay_ms = 300;
  two->delay_ms = 300;
  bad->delay_ms = 50;
  bad->fail = TRUE;
  vireo_hosts_set_factory (f->hosts, factory, f);
  assert_true (vireo_hosts_add (f->hosts, "test:///one", "One", TRUE, NULL));
  assert_true (vireo_hosts_add (f->hosts, "test:///two", NULL, TRUE, NULL));
  assert_true (vireo_hosts_add (f->hosts, "test:///bad", NULL, TRUE, NULL));
  assert_true (vireo_hosts_add (f->hosts, "test:///manual", NULL, FALSE, NULL));

  vireo_hosts_connect_all (f->hosts);
  /* all started before the main loop ran once: none waits for another */
  for (guint i = 0; waited[i] != NULL; i++)
    {
      assert_true (waited[i]->started_at > 0);
      assert_int_equal (waited[i]->finished_at, 0);
      assert_int_equal (vireo_backend_get_state (VIREO_BACKEND (waited[i])), VIREO_BACKEND_STATE_CONNECTING);
    }
  assert_true (vireo_test_wait_until (all_finished, waited, 10));
  assert_true (one->started_at < two->finished_at && two->started_at < one->finished_at);

  assert_int_equal (vireo_backend_get_state (VIREO_BACKEND (f->local)), VIREO_BACKEND_STATE_CONNECTED);
  assert_int_equal (vireo_backend_get_state (VIREO_BACKEND (one)), VIREO_BACKEND_STATE_CONNECTED);
  assert_int_equal (vireo_backend_get_state (VIREO_BACKEND (two)), VIREO_BACKEND_STATE_CONNECTED);
  assert_int_equal (vireo_backend_get_state (VIREO_BACKEND (bad)), VIREO_BACKEND_STATE_DISCONNECTED);
  assert_string_equal (vireo_backend_get_error (VIREO_BACKEND (bad))->message, "Cannot reach test:///bad: refused");
  assert_ptr_equal (vireo_hosts_lookup (f->hosts, "test:///bad"), bad);
  assert_int_equal (g_list_model_get_n_items (vireo_hosts_get_backends (f->hosts)), 5);
  /* not autoconnect: left alone */
  assert_int_equal (manual->started_at, 0);
  assert_int_equal (vireo_backend_get_state (VIREO_BACKEND (manual)), VIREO_BACKEND_STATE_DISCONNECTED);
  assert_string_equal (vireo_backend_get_title (VIREO_BACKEND (one)), "One");
  assert_string_equal (vireo_backend_get_title (VIREO_BACKEND (two)), "test:///two");

  /* connected hosts are not connected again; the failed one is retried */
  one->started_at = 0;
  bad->finished_at = 0;
  vireo_hosts_connect_all (f->hosts);
  assert_int_equal (one->started_at, 0);
  assert_int_equal (vireo_backend_get_state (VIREO_BACKEND (bad)), VIREO_BACKEND_STATE_CONNECTING);
  assert_true (vireo_test_wait_until (all_finished, waited, 10));
}

static void
assert_saved (VireoSavedHost *host,
              const char     *uri,
              const char     *title,
              gboolean        autoconnect)
{
  assert_string_equal (host->uri, uri);
  if (title == NULL)
    assert_null (host->title);
  else
    assert_string_equal (host->title, title);
  assert_int_equal (host->autoconnect, autoconnect);
}

static void
test_file_round_trip (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoHosts) again = NULL;
  g_autoptr(GPtrArray) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  GStatBuf st;

  /* no file yet: nothing saved, nothing wrong */
  assert_true (vireo_hosts_load (f->hosts, &error));
  assert_no_error (error);
  assert_int_equal (vireo_hosts_get_load_errors (f->hosts)->len, 0);

  assert_true (vireo_hosts_add (f->hosts, "qemu+ssh://ann@lab.example:2222/system", "Lab [rack 2] = \"big\"", TRUE, &error));
  assert_true (vireo_hosts_add (f->hosts, "qemu:///system", "实验室", FALSE, &error));
  assert_true (vireo_hosts_add (f->hosts, "qemu+ssh://nas/session", NULL, TRUE, &error));
  assert_true (vireo_hosts_add (f->hosts, "test:///gone", NULL, TRUE, &error));
  assert_true (vireo_hosts_rename (f->hosts, "qemu:///system", "  Here  ", &error));
  assert_true (vireo_hosts_rename (f->hosts, "qemu+ssh://nas/session", "NAS", &error));
  assert_true (vireo_hosts_rename (f->hosts, "qemu+ssh://nas/session", "", &error));
  assert_true (vireo_hosts_remove (f->hosts, "test:///gone", &error));
  assert_no_error (error);

  assert_int_equal (g_stat (f->file, &st), 0);
  assert_int_equal (st.st_mode & 0777, 0600);
  contents = vireo_test_read (f->file);
  assert_non_null (strstr (contents, "[qemu:///system]\n"));
  assert_non_null (strstr (contents, "autoconnect=true"));
  assert_null (strstr (contents, "gone"));

  again = vireo_hosts_new (VIREO_BACKEND (f->local), f->file);
  assert_true (vireo_hosts_load (again, &error));
  assert_int_equal (vireo_hosts_get_load_errors (again)->len, 0);
  saved = vireo_hosts_list_saved (again);
  assert_int_equal (saved->len, 3);
  assert_saved (saved->pdata[0], "qemu+ssh://ann@lab.example:2222/system", "Lab [rack 2] = \"big\"", TRUE);
  assert_saved (saved->pdata[1], "qemu:///system", "  Here  ", FALSE);
  assert_saved (saved->pdata[2], "qemu+ssh://nas/session", NULL, TRUE);
  /* no factory: listed, without a backend, and not among the backends */
  assert_null (((VireoSavedHost *) saved->pdata[0])->backend);
  assert_null (((VireoSavedHost *) saved->pdata[0])->error);
  assert_int_equal (g_list_model_get_n_items (vireo_hosts_get_backends (again)), 1);
  assert_null (vireo_hosts_lookup (again, "qemu:///system"));
  assert_ptr_equal (vireo_hosts_lookup (again, "vireo:///session"), f->local);
}

/* A factory set after loading gives the saved hosts their backends, in
 * order; one it cannot make stays listed with why. */
static void
test_factory_later (void **state)
{
  Fixture *f = *state;
  g_autoptr(GPtrArray) saved = NULL;
  GListModel *backends = vireo_hosts_get_backends (f->hosts);
  g_autoptr(VireoBackend) second = NULL;

  assert_true (vireo_hosts_add (f->hosts, "test:///a", "A", FALSE, NULL));
  assert_true (vireo_hosts_add (f->hosts, "test:///broken", NULL, FALSE, NULL));
  assert_true (vireo_hosts_add (f->hosts, "test:///c", NULL, FALSE, NULL));
  assert_int_equal (g_list_model_get_n_items (backends), 1);
  vireo_hosts_set_factory (f->hosts, factory, f);
  assert_int_equal (g_list_model_get_n_items (backends), 3);
  second = g_list_model_get_item (backends, 1);
  assert_string_equal (vireo_backend_get_uri (second), "test:///a");
  assert_string_equal (vireo_backend_get_title (second), "A");
  saved = vireo_hosts_list_saved (f->hosts);
  assert_null (((VireoSavedHost *) saved->pdata[1])->backend);
  assert_string_equal (((VireoSavedHost *) saved->pdata[1])->error->message, "No backend for test:///broken");
  assert_ptr_equal (((VireoSavedHost *) saved->pdata[2])->backend, vireo_hosts_lookup (f->hosts, "test:///c"));
}

static void
write_file (Fixture    *f,
            const char *contents,
            gssize      len)
{
  g_autofree char *dir = g_path_get_dirname (f->file);

  g_mkdir_with_parents (dir, 0700);
  assert_true (g_file_set_contents (f->file, contents, len, NULL));
}

static void
assert_one_line_naming (const GError *error,
                        const char   *what)
{
  assert_non_null (error);
  assert_null (strchr (error->message, '\n'));
  if (strstr (error->message, what) == NULL)
    fail_msg ("'%s' does not name '%s'", error->message, what);
}

/* Entries GKeyFile reads but Vireo does not take: skipped, one line each;
 * the others kept; the file untouched by loading and kept, bad entries
 * too, when another host is added. */
static void
test_bad_entries (void **state)
{
  Fixture *f = *state;
  const char *contents =
    "# my hosts\n"
    "[qemu:///system]\n"
    "title=Here\n"
    "autoconnect=true\n"
    "future=kept\n"
    "\n"
    "[qemu+ssh://lab/system]\n"
    "autoconnect=maybe\n"
    "\n"
    "[http://example.com/]\n"
    "title=Web\n"
    "\n"
    "[test:///untitled]\n"
    "title=bad\\qescape\n"
    "\n"
    "[qemu:///session]\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) saved = NULL;
  g_autofree char *after_load = NULL;
  g_autofree char *after_add = NULL;
  GPtrArray *skipped;

  write_file (f, contents, -1);
  assert_true (vireo_hosts_load (f->hosts, &error));
  skipped = vireo_hosts_get_load_errors (f->hosts);
  assert_int_equal (skipped->len, 3);
  for (guint i = 0; i < skipped->len; i++)
    {
      VireoLoadError *e = skipped->pdata[i];

      assert_one_line_naming (e->error, f->file);
      assert_one_line_naming (e->error, e->name);
      assert_string_equal (e->path, f->file);
    }
  assert_string_equal (((VireoLoadError *) skipped->pdata[0])->name, "qemu+ssh://lab/system");
  assert_one_line_naming (((VireoLoadError *) skipped->pdata[0])->error, "'maybe'");
  assert_string_equal (((VireoLoadError *) skipped->pdata[1])->name, "http://example.com/");
  assert_string_equal (((VireoLoadError *) skipped->pdata[2])->name, "test:///untitled");
  saved = vireo_hosts_list_saved (f->hosts);
  assert_int_equal (saved->len, 2);
  assert_saved (saved->pdata[0], "qemu:///system", "Here", TRUE);
  assert_saved (saved->pdata[1], "qemu:///session", NULL, FALSE);
  after_load = vireo_test_read (f->file);
  assert_string_equal (after_load, contents);

  /* a bad entry's URI is not taken: it is the user's to correct */
  assert_false (vireo_hosts_add (f->hosts, "qemu+ssh://lab/system", NULL, FALSE, &error));
  assert_int_equal (error->code, VIREO_ERROR_EXISTS);
  g_clear_error (&error);
  assert_true (vireo_hosts_add (f->hosts, "test:///new", NULL, FALSE, &error));
  after_add = vireo_test_read (f->file);
  assert_non_null (strstr (after_add, "# my hosts\n"));
  assert_non_null (strstr (after_add, "future=kept\n"));
  assert_non_null (strstr (after_add, "autoconnect=maybe\n"));
  assert_non_null (strstr (after_add, "[http://example.com/]\ntitle=Web\n"));
  assert_non_null (strstr (after_add, "title=bad\\qescape\n"));
  assert_non_null (strstr (after_add, "[test:///new]\n"));

  /* removing a bad entry clears it and its error */
  assert_true (vireo_hosts_remove (f->hosts, "http://example.com/", &error));
  assert_no_error (error);
  assert_int_equal (skipped->len, 2);
  g_free (after_add);
  after_add = vireo_test_read (f->file);
  assert_null (strstr (after_add, "example.com"));
}

/* Lines GKeyFile cannot read: each skipped in one line, with the keys of
 * a group it cannot read (they would join the group above); the rest
 * kept; and the file never written back, which would lose them. */
static void
test_bad_lines (void **state)
{
  Fixture *f = *state;
  const char contents[] =
    "stray=before\n"
    "[qemu:///system]\n"
    "title=Here\n"
    "just words\n"
    "autoconnect=true\n"
    "[qemu+ssh://lab/system\n"
    "autoconnect=true\n"
    "title=Lab\n"
    "[test:///\xff]\n"
    "[qemu:///session]\n"
    "title=Mine\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) saved = NULL;
  g_autofree char *read = NULL;
  gsize len = 0;
  GPtrArray *skipped;

  write_file (f, contents, sizeof contents - 1);
  assert_true (vireo_hosts_load (f->hosts, &error));
  assert_no_error (error);
  skipped = vireo_hosts_get_load_errors (f->hosts);
  assert_int_equal (skipped->len, 4);
  assert_one_line_naming (((VireoLoadError *) skipped->pdata[0])->error, "line 1 of");
  assert_one_line_naming (((VireoLoadError *) skipped->pdata[0])->error, "'stray=before'");
  assert_one_line_naming (((VireoLoadError *) skipped->pdata[1])->error, "line 4 of");
  assert_one_line_naming (((VireoLoadError *) skipped->pdata[1])->error, "'just words'");
  assert_one_line_naming (((VireoLoadError *) skipped->pdata[2])->error, "line 6 of");
  assert_one_line_naming (((VireoLoadError *) skipped->pdata[2])->error, "'[qemu+ssh://lab/system'");
  assert_one_line_naming (((VireoLoadError *) skipped->pdata[3])->error, "line 9 of");
  for (guint i = 0; i < skipped->len; i++)
    assert_one_line_naming (((VireoLoadError *) skipped->pdata[i])->error, f->file);
  saved = vireo_hosts_list_saved (f->hosts);
  assert_int_equal (saved->len, 2);
  assert_saved (saved->pdata[0], "qemu:///system", "Here", TRUE);
  assert_saved (saved->pdata[1], "qemu:///session", "Mine", FALSE);

  assert_false (vireo_hosts_add (f->hosts, "test:///new", NULL, FALSE, &error));
  assert_one_line_naming (error, f->file);
  g_clear_error (&error);
  assert_false (vireo_hosts_remove (f->hosts, "qemu:///session", &error));
  g_clear_error (&error);
  assert_false (vireo_hosts_rename (f->hosts, "qemu:///session", "Other", &error));
  g_clear_error (&error);
  assert_true (g_file_get_contents (f->file, &read, &len, NULL));
  assert_int_equal (len, sizeof contents - 1);
  assert_memory_equal (read, contents, len);
  g_ptr_array_unref (saved);
  saved = vireo_hosts_list_saved (f->hosts);
  assert_saved (saved->pdata[1], "qemu:///session", "Mine", FALSE);
}

static void
test_unreadable_file (void **state)
{
  Fixture *f = *state;
  g_autoptr(GError) error = NULL;

  /* a folder where the file should be */
  g_mkdir_with_parents (f->file, 0700);
  assert_false (vireo_hosts_load (f->hosts, &error));
  assert_one_line_naming (error, f->file);
  g_clear_error (&error);
  assert_false (vireo_hosts_add (f->hosts, "qemu:///system", NULL, FALSE, &error));
  assert_one_line_naming (error, f->file);
  assert_true (g_file_test (f->file, G_FILE_TEST_IS_DIR));
}

static void
test_uris (void **state)
{
  Fixture *f = *state;
  const char *good[] = {
    "qemu:///system", "qemu:///session", "qemu+ssh://host/system", "qemu+ssh://h.example.org/session",
    "qemu+ssh://user@host/system", "qemu+ssh://user_1.x-y@host-2:22/session", "qemu+ssh://host:65535/system",
    "test:///default", "test:///tmp/some/file.xml", "test+unix:///default?socket=/run/user/1000/libvirt/libvirt-sock",
  };
  struct { const char *uri; const char *shown; } bad[] = {
    { "qemu:///system ", "qemu:///system " },
    { "qemu:///sys tem", "qemu:///sys tem" },
    { "qemu:///system\n", "qemu:///system\\n" },
    { "qemu:///system\x1b[2J", "qemu:///system\\033[2J" },
    { "qemu:///system\x7f", "qemu:///system\\177" },
    { "qemu:///", "qemu:///" },
    { "qemu:///systemd", "qemu:///systemd" },
    { "qemu://host/system", "qemu://host/system" },
    { "QEMU:///system", "QEMU:///system" },
    { "qemu+ssh://host", "qemu+ssh://host" },
    { "qemu+ssh://host/", "qemu+ssh://host/" },
    { "qemu+ssh://host/other", "qemu+ssh://host/other" },
    { "qemu+ssh:///system", "qemu+ssh:///system" },
    { "qemu+ssh://-oProxyCommand=x/system", "qemu+ssh://-oProxyCommand=x/system" },
    { "qemu+ssh://-l@host/system", "qemu+ssh://-l@host/system" },
    { "qemu+ssh://host:0/system", "qemu+ssh://host:0/system" },
    { "qemu+ssh://host:65536/system", "qemu+ssh://host:65536/system" },
    { "qemu+ssh://host:/system", "qemu+ssh://host:/system" },
    { "qemu+ssh://host/system?keyfile=x", "qemu+ssh://host/system?keyfile=x" },
    { "qemu+ssh://[::1]/system", "qemu+ssh://[::1]/system" },
    { "qemu+tcp://host/system", "qemu+tcp://host/system" },
    { "test:///", "test:///" },
    { "vireo:///session", "vireo:///session" },
    { "http://example.com/", "http://example.com/" },
    { "test+unix:///default?socket=relative", "test+unix:///default?socket=relative" },
    { "test+unix:///default?socket=/a/../b", "test+unix:///default?socket=/a/../b" },
    { "test+unix:///default?socket=/a&command=x", "test+unix:///default?socket=/a&command=x" },
    { "test+unix:///other?socket=/a", "test+unix:///other?socket=/a" },
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      if (!vireo_hosts_check_uri (good[i], &error))
        fail_msg ("%s refused: %s", good[i], error->message);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (vireo_hosts_add (f->hosts, bad[i].uri, NULL, FALSE, &error))
        fail_msg ("%s taken", bad[i].shown);
      assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
      assert_one_line_naming (error, bad[i].shown);
      g_clear_error (&error);
    }
  assert_false (vireo_hosts_add (f->hosts, "", NULL, FALSE, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
  g_clear_error (&error);
  assert_false (vireo_hosts_add (f->hosts, "qemu:///system", "two\nlines", FALSE, &error));
  assert_one_line_naming (error, "two\\nlines");
  assert_false (g_file_test (f->file, G_FILE_TEST_EXISTS));
}

static void
test_duplicate_and_remove (void **state)
{
  Fixture *f = *state;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoBackend) first = NULL;
  g_autoptr(GPtrArray) saved = NULL;

  vireo_hosts_set_factory (f->hosts, factory, f);
  assert_true (vireo_hosts_add (f->hosts, "qemu:///system", "Here", TRUE, &error));
  assert_false (vireo_hosts_add (f->hosts, "qemu:///system", "Again", FALSE, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  assert_one_line_naming (error, "qemu:///system");
  g_clear_error (&error);

  /* this computer: always there, first, never saved */
  assert_false (vireo_hosts_remove (f->hosts, "vireo:///session", &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE));
  assert_one_line_naming (error, "vireo:///session");
  g_clear_error (&error);
  assert_false (vireo_hosts_rename (f->hosts, "vireo:///session", "Mine", &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE));
  g_clear_error (&error);
  first = g_list_model_get_item (vireo_hosts_get_backends (f->hosts), 0);
  assert_ptr_equal (first, f->local);
  assert_ptr_equal (vireo_hosts_get_local (f->hosts), f->local);

  assert_false (vireo_hosts_remove (f->hosts, "qemu:///session", &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));
  assert_one_line_naming (error, "qemu:///session");
  g_clear_error (&error);
  assert_false (vireo_hosts_rename (f->hosts, "qemu:///session", "x", &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));
  g_clear_error (&error);

  assert_true (vireo_hosts_remove (f->hosts, "qemu:///system", &error));
  assert_no_error (error);
  assert_int_equal (g_list_model_get_n_items (vireo_hosts_get_backends (f->hosts)), 1);
  saved = vireo_hosts_list_saved (f->hosts);
  assert_int_equal (saved->len, 0);
  /* once removed, it can be saved again */
  assert_true (vireo_hosts_add (f->hosts, "qemu:///system", NULL, FALSE, &error));
  assert_no_error (error);
}

static gpointer
add_in_thread (gpointer data)
{
  Fixture *f = data;

  return GINT_TO_POINTER (vireo_hosts_add (f->hosts, "test:///waited", NULL, FALSE, NULL));
}

/* A change waits for another Vireo's change to the file (the folder's
 * lock), so neither is lost */
static void
test_edit_waits_for_lock (void **state)
{
  Fixture *f = *state;
  g_autofree char *dir = g_path_get_dirname (f->file);
  g_autofree char *text = NULL;
  VireoLock *lock;
  GThread *thread;

  assert_true (vireo_mkdir_private (dir, NULL));
  lock = vireo_lock_folder (dir, 0, NULL);
  assert_non_null (lock);
  thread = g_thread_new ("add", add_in_thread, f);
  g_usleep (300 * 1000);
  /* still waiting: nothing written */
  assert_false (g_file_get_contents (f->file, &text, NULL, NULL) && strstr (text, "test:///waited") != NULL);
  vireo_lock_free (lock);
  assert_true (GPOINTER_TO_INT (g_thread_join (thread)));
  g_clear_pointer (&text, g_free);
  assert_true (g_file_get_contents (f->file, &text, NULL, NULL));
  assert_non_null (strstr (text, "[test:///waited]"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_edit_waits_for_lock, setup, teardown),
    cmocka_unit_test_setup_teardown (test_flatten_vm_changes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_flatten_host_changes, setup, teardown),
    cmocka_unit_test (test_flatten_random),
    cmocka_unit_test_setup_teardown (test_connect_all_in_parallel, setup, teardown),
    cmocka_unit_test_setup_teardown (test_file_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown (test_factory_later, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bad_entries, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bad_lines, setup, teardown),
    cmocka_unit_test_setup_teardown (test_unreadable_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_uris, setup, teardown),
    cmocka_unit_test_setup_teardown (test_duplicate_and_remove, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
