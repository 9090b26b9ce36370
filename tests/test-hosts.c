/* test-hosts.c: the hosts a window shows, their VMs as one list, and the
 * saved connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vireo-backend-private.h"
#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-flatten-model.h"
#include "vireo-hosts.h"
#include "vireo-load-error.h"

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
  g_autoptr(VireoDomain) domain = _vireo_domain_new (VIREO_BACKEND (backend), f->paths, vireo_domain_config_new (name));

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

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_flatten_vm_changes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_flatten_host_changes, setup, teardown),
    cmocka_unit_test (test_flatten_random),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
