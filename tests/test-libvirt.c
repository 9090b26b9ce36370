/* test-libvirt.c: the libvirt backend, on libvirt's test driver (no daemon)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test:///default is one host shared by every connection of the process:
 * a second connection opened here plays another client (virsh, another
 * virt-manager), whose changes must reach Vireo's rows through events.
 * test:///FILE.xml is a private host made from FILE.
 */
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <string.h>

#include "vireo-backend-private.h"
#include "vireo-clone.h"
#include "vireo-domain-policy.h"
#include "vireo-error.h"
#include "vireo-libvirt-backend.h"
#include "vireo-libvirt-private.h"
#include "vireo-create.h"
#include "vireo-snapshot.h"

#include "vireo-test-util.h"

typedef struct {
  char *dir;
  VireoBackend *backend;
  virConnectPtr other;          /* another client of test:///default */
} Fixture;

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->dir = vireo_test_make_root ();
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  Fixture *f = *state;

  g_clear_object (&f->backend);
  /* its jobs' references come back on the main loop, and it ends */
  vireo_test_pump_for (100);
  if (f->other != NULL)
    virConnectClose (f->other);
  vireo_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f);
  return 0;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Runs the main loop until the async call that was given &result ends */
static GAsyncResult *
wait_result (GAsyncResult **result)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (*result == NULL && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  assert_non_null (*result);
  return *result;
}

static void
connect_to (Fixture    *f,
            const char *uri)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  f->backend = vireo_libvirt_backend_new (uri);
  vireo_backend_connect_async (f->backend, NULL, on_done, &result);
  assert_int_equal (vireo_backend_get_state (f->backend), VIREO_BACKEND_STATE_CONNECTING);
  assert_true (vireo_backend_connect_finish (f->backend, wait_result (&result), &error));
  assert_no_error (error);
  assert_int_equal (vireo_backend_get_state (f->backend), VIREO_BACKEND_STATE_CONNECTED);
}

/* A private host: @n VMs, in turn running, paused and shut off */
static char *
write_node (Fixture *f,
            guint    n)
{
  static const int states[] = { VIR_DOMAIN_RUNNING, VIR_DOMAIN_PAUSED, VIR_DOMAIN_SHUTOFF };
  g_autoptr(GString) xml = g_string_new ("<node>\n");
  g_autofree char *path = g_build_filename (f->dir, "node.xml", NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (xml,
                              "<domain type='qemu' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
                              "<name>vm%03u</name><uuid>00000000-0000-4000-8000-%012u</uuid>"
                              "<memory unit='MiB'>%u</memory><vcpu>%u</vcpu>"
                              "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                              "<devices><disk type='file' device='disk'><source file='/guest/vm%03u.qcow2'/>"
                              "<target dev='vda' bus='virtio'/></disk></devices>"
                              "<test:runstate>%d</test:runstate>",
                              i, i, 256 + i, 1 + i % 4, i, states[i % 3]);
      /* every tenth VM has a base snapshot and one taken after it */
      for (guint s = 0; i % 10 == 9 && s < 2; s++)
        g_string_append_printf (xml,
                                "<test:domainsnapshot><name>%s</name><state>shutoff</state>"
                                "<creationTime>%u</creationTime>%s<memory snapshot='no'/><active>%u</active>"
                                "<domain type='qemu'><name>vm%03u</name><uuid>00000000-0000-4000-8000-%012u</uuid>"
                                "<memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                                "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>"
                                "</test:domainsnapshot>",
                                s == 0 ? "base" : "later", 1700000000 + s * 100,
                                s == 0 ? "" : "<parent><name>base</name></parent>", s, i, i);
      g_string_append (xml, "</domain>\n");
    }
  g_string_append (xml, "</node>\n");
  assert_true (g_file_set_contents (path, xml->str, -1, &error));
  return g_strconcat ("test://", path, NULL);
}

static VireoDomain *
row (Fixture    *f,
     const char *name)
{
  VireoDomain *domain = vireo_backend_lookup_domain (f->backend, name);

  assert_non_null (domain);
  return domain;
}

typedef struct {
  VireoDomain *domain;
  VireoDomainState state;
} StateWait;

static gboolean
has_state (gpointer data)
{
  StateWait *wait = data;

  return vireo_domain_get_state (wait->domain) == wait->state;
}

static void
assert_becomes (VireoDomain      *domain,
                VireoDomainState  state)
{
  StateWait wait = { domain, state };

  if (!vireo_test_wait_until (has_state, &wait, 10))
    fail_msg ("VM '%s' is %s, not %s", vireo_domain_get_name (domain),
              vireo_domain_state_to_string (vireo_domain_get_state (domain)),
              vireo_domain_state_to_string (state));
}

/* libvirt 9.0's default event implementation is GLib's default main
 * context: another client's change reaches the row on our main loop, with
 * no thread of libvirt's own and no virEventRunDefaultImpl() */
static void
test_events_reach_rows (void **state)
{
  Fixture *f = *state;
  VireoDomain *domain;
  virDomainPtr dom;

  connect_to (f, "test:///default");
  domain = row (f, "test");
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_RUNNING);

  f->other = virConnectOpen ("test:///default");
  assert_non_null (f->other);
  dom = virDomainLookupByName (f->other, "test");
  assert_int_equal (virDomainSuspend (dom), 0);
  assert_becomes (domain, VIREO_DOMAIN_STATE_PAUSED);
  assert_int_equal (virDomainResume (dom), 0);
  assert_becomes (domain, VIREO_DOMAIN_STATE_RUNNING);
  virDomainFree (dom);
}

static gboolean
has_row (gpointer data)
{
  Fixture *f = data;

  return vireo_backend_lookup_domain (f->backend, "other-client") != NULL;
}

static gboolean
has_row_named_pending (gpointer data)
{
  Fixture *f = data;

  return vireo_backend_lookup_domain (f->backend, "pending") != NULL;
}

static gboolean
has_no_row (gpointer data)
{
  return !has_row (data);
}

/* Another client defines and undefines a VM: its row comes and goes */
static void
test_other_client_defines (void **state)
{
  Fixture *f = *state;
  virDomainPtr dom;

  connect_to (f, "test:///default");
  f->other = virConnectOpen ("test:///default");
  dom = virDomainDefineXML (f->other,
                            "<domain type='qemu'><name>other-client</name><memory unit='MiB'>128</memory>"
                            "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>");
  assert_non_null (dom);
  assert_true (vireo_test_wait_until (has_row, f, 10));
  assert_int_equal (vireo_domain_get_config (row (f, "other-client"))->memory_kib, 128 * 1024);
  assert_int_equal (virDomainUndefine (dom), 0);
  virDomainFree (dom);
  assert_true (vireo_test_wait_until (has_no_row, f, 10));
}

/* What Vireo's model cannot hold is still a row, with a summary */
static void
test_summary_of_foreign_definition (void **state)
{
  Fixture *f = *state;
  g_autoptr(GError) error = NULL;
  VireoDomain *domain;

  connect_to (f, "test:///default");
  domain = row (f, "test");
  /* <domain type='test'> is not Vireo's: the summary */
  assert_int_equal (vireo_domain_get_config (domain)->memory_kib, 8 * 1024 * 1024);
  assert_int_equal (vireo_domain_get_config (domain)->current_memory_kib, 2 * 1024 * 1024);
  assert_int_equal (vireo_domain_get_config (domain)->vcpus, 2);
  assert_string_equal (vireo_domain_get_uuid (domain), "6695eb01-f6a4-8304-79aa-97f2502e193f");
  assert_non_null (strstr (vireo_domain_get_config_problem (domain), "type='test'"));
  /* so it runs, but its definition is not Vireo's to change */
  assert_true (vireo_domain_can (domain, VIREO_DOMAIN_OP_PAUSE));
  assert_false (vireo_domain_can (domain, VIREO_DOMAIN_OP_EDIT));
  assert_false (vireo_domain_check (domain, VIREO_DOMAIN_OP_CHANGE_MEDIA, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED));
  assert_non_null (strstr (error->message, "VM 'test'"));
  g_clear_error (&error);
  /* and what the host cannot do (yet) says so, for every front end */
  assert_false (vireo_domain_check (domain, VIREO_DOMAIN_OP_CONSOLE, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED));
  assert_non_null (strstr (error->message, "host 'test:///default'"));
  g_clear_error (&error);
  /* "host:" filters by the host's title or URI */
  vireo_backend_set_title (f->backend, "Lab Server");
  assert_true (vireo_domain_matches (domain, "host:lab"));
  assert_true (vireo_domain_matches (domain, "host:test:///"));
  assert_false (vireo_domain_matches (domain, "host:office"));
  assert_true (VIREO_IS_DOMAIN (domain) && !g_str_equal (G_OBJECT_TYPE_NAME (domain), "VireoLocalDomain"));
}

static gboolean
op_finish (VireoDomain   *domain,
           GAsyncResult **result,
           GError       **error)
{
  return vireo_domain_operation_finish (domain, wait_result (result), error);
}

/* Start, pause, resume, force off and shut down through Vireo, on a
 * private host: each ends with the row in its new state */
static void
test_lifecycle (void **state)
{
  Fixture *f = *state;
  g_autofree char *uri = write_node (f, 3);
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  VireoDomain *domain;

  connect_to (f, uri);
  domain = row (f, "vm002");
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_SHUTOFF);

  vireo_domain_start_async (domain, NULL, on_done, &result);
  assert_true (op_finish (domain, &result, &error));
  g_clear_object (&result);
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_RUNNING);

  vireo_domain_action_async (domain, VIREO_DOMAIN_ACTION_PAUSE, NULL, on_done, &result);
  assert_true (op_finish (domain, &result, &error));
  g_clear_object (&result);
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_PAUSED);

  /* a second pause is refused in one line, by the policy every host shares */
  vireo_domain_action_async (domain, VIREO_DOMAIN_ACTION_PAUSE, NULL, on_done, &result);
  assert_false (op_finish (domain, &result, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE));
  assert_non_null (strstr (error->message, "vm002"));
  g_clear_error (&error);
  g_clear_object (&result);

  vireo_domain_action_async (domain, VIREO_DOMAIN_ACTION_RESUME, NULL, on_done, &result);
  assert_true (op_finish (domain, &result, &error));
  g_clear_object (&result);

  vireo_domain_shutdown_async (domain, 30, NULL, on_done, &result);
  assert_true (op_finish (domain, &result, &error));
  g_clear_object (&result);
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_SHUTOFF);

  domain = row (f, "vm000");
  vireo_domain_destroy_async (domain, NULL, on_done, &result);
  assert_true (op_finish (domain, &result, &error));
  g_clear_object (&result);
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_SHUTOFF);

  /* what the test driver cannot do is refused, not hung */
  vireo_domain_open_console_async (domain, NULL, on_done, &result);
  assert_null (vireo_domain_open_console_finish (domain, wait_result (&result), &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED));
  g_clear_object (&result);
}

/* Define through Vireo, read back through another connection; undefine */
static void
test_define_undefine (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("made-here");
  g_autoptr(VireoDomainConfig) clash = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  virDomainPtr dom;
  char *xml;

  connect_to (f, "test:///default");
  config->accel = VIREO_ACCEL_TCG;
  config->memory_kib = config->current_memory_kib = 300 * 1024;
  vireo_backend_define_domain_async (f->backend, config, NULL, on_done, &result);
  domain = vireo_backend_define_domain_finish (f->backend, wait_result (&result), &error);
  assert_no_error (error);
  g_clear_object (&result);
  assert_ptr_equal (domain, row (f, "made-here"));
  assert_int_equal (vireo_domain_get_config (domain)->memory_kib, 300 * 1024);

  f->other = virConnectOpen ("test:///default");
  dom = virDomainLookupByName (f->other, "made-here");
  assert_non_null (dom);
  xml = virDomainGetXMLDesc (dom, 0);
  assert_non_null (strstr (xml, "<memory unit='KiB'>307200</memory>"));
  free (xml);
  virDomainFree (dom);

  /* the same name with another UUID is refused before libvirt is asked */
  clash = vireo_domain_config_new ("made-here");
  clash->accel = VIREO_ACCEL_TCG;
  vireo_backend_define_domain_async (f->backend, clash, NULL, on_done, &result);
  assert_null (vireo_backend_define_domain_finish (f->backend, wait_result (&result), &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  g_clear_error (&error);
  g_clear_object (&result);

  vireo_backend_undefine_domain_async (f->backend, domain, FALSE, NULL, on_done, &result);
  vireo_backend_undefine_domain_finish (f->backend, wait_result (&result), &error);
  assert_no_error (error);
  g_clear_object (&result);
  assert_null (vireo_backend_lookup_domain (f->backend, "made-here"));
  assert_null (virDomainLookupByName (f->other, "made-here"));
}

/* A host that cannot be reached says so in one line, and is disconnected */
static void
test_bad_uri (void **state)
{
  Fixture *f = *state;
  g_autofree char *missing = g_strconcat ("test://", f->dir, "/no-such-node.xml", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  f->backend = vireo_libvirt_backend_new (missing);
  vireo_backend_connect_async (f->backend, NULL, on_done, &result);
  assert_false (vireo_backend_connect_finish (f->backend, wait_result (&result), &error));
  assert_non_null (error);
  assert_non_null (strstr (error->message, missing));
  assert_null (strchr (error->message, '\n'));
  assert_int_equal (vireo_backend_get_state (f->backend), VIREO_BACKEND_STATE_DISCONNECTED);
  assert_int_equal (g_list_model_get_n_items (vireo_backend_get_domains (f->backend)), 0);
}

static void
on_stats (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  guint *left = user_data;
  VireoDomainStats stats;
  g_autoptr(GError) error = NULL;

  assert_true (vireo_domain_get_stats_finish (VIREO_DOMAIN (source), result, &stats, &error));
  (*left)--;
}

static GPtrArray *list_snapshots (VireoDomain *domain);

/* 200 VMs in mixed states, some with snapshot trees: every row, in name
 * order and in its state, a snapshot tree read through Vireo;
 * the statistics of all running VMs are one libvirt call */
static void
test_many_vms_one_stats_call (void **state)
{
  Fixture *f = *state;
  g_autofree char *uri = write_node (f, 200);
  GListModel *list;
  guint calls;
  guint left = 0;

  connect_to (f, uri);
  list = vireo_backend_get_domains (f->backend);
  assert_int_equal (g_list_model_get_n_items (list), 200);
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (list, i);
      g_autofree char *name = g_strdup_printf ("vm%03u", i);
      static const VireoDomainState states[] = {
        VIREO_DOMAIN_STATE_RUNNING, VIREO_DOMAIN_STATE_PAUSED, VIREO_DOMAIN_STATE_SHUTOFF,
      };

      assert_string_equal (vireo_domain_get_name (domain), name);
      assert_int_equal (vireo_domain_get_state (domain), states[i % 3]);
      assert_int_equal (vireo_domain_get_config (domain)->vcpus, 1 + i % 4);
    }

  /* the snapshot tree of one with snapshots: "later" on "base", current */
  {
    VireoDomain *domain = row (f, "vm199");
    g_autoptr(GPtrArray) snapshots = list_snapshots (domain);
    VireoSnapshot *later = NULL;

    assert_int_equal (snapshots->len, 2);
    for (guint i = 0; i < snapshots->len; i++)
      if (g_str_equal (vireo_snapshot_get_name (g_ptr_array_index (snapshots, i)), "later"))
        later = g_ptr_array_index (snapshots, i);
    assert_non_null (later);
    assert_string_equal (vireo_snapshot_get_parent (later), "base");
    assert_true (vireo_snapshot_is_current (later));
  }

  calls = vireo_libvirt_backend_get_calls (VIREO_LIBVIRT_BACKEND (f->backend));
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (list, i);

      if (vireo_domain_can (domain, VIREO_DOMAIN_OP_STATS))
        {
          left++;
          vireo_domain_get_stats_async (domain, NULL, on_stats, &left);
        }
    }
  assert_true (left > 100);
  while (left > 0)
    g_main_context_iteration (NULL, TRUE);
  assert_int_equal (vireo_libvirt_backend_get_calls (VIREO_LIBVIRT_BACKEND (f->backend)), calls + 1);
}

static gboolean
is_connected (gpointer data)
{
  return vireo_backend_get_state (data) == VIREO_BACKEND_STATE_CONNECTED;
}

/* A lost link keeps its rows, comes back by itself, and the rows are the
 * same objects, now in the host's state (test:///FILE reads FILE again) */
static void
test_lost_and_back (void **state)
{
  Fixture *f = *state;
  g_autofree char *uri = write_node (f, 3);
  g_autofree char *path = g_build_filename (f->dir, "node.xml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) kept = NULL;
  GAsyncResult *result = NULL;
  g_autofree char *text = NULL;
  char *at;

  connect_to (f, uri);
  kept = g_object_ref (row (f, "vm000"));
  vireo_domain_destroy_async (kept, NULL, on_done, &result);
  assert_true (op_finish (kept, &result, &error));
  g_clear_object (&result);
  assert_int_equal (vireo_domain_get_state (kept), VIREO_DOMAIN_STATE_SHUTOFF);

  _vireo_libvirt_backend_lost (VIREO_LIBVIRT_BACKEND (f->backend), "the test cut it");
  assert_int_equal (vireo_backend_get_state (f->backend), VIREO_BACKEND_STATE_LOST);
  assert_non_null (strstr (vireo_backend_get_error (f->backend)->message, "the test cut it"));
  assert_non_null (strstr (vireo_backend_get_error (f->backend)->message, uri));
  assert_true (vireo_backend_get_retry_time (f->backend) > g_get_real_time ());
  assert_int_equal (g_list_model_get_n_items (vireo_backend_get_domains (f->backend)), 3);
  /* operations say the host is not connected, in one line */
  vireo_domain_start_async (kept, NULL, on_done, &result);
  assert_false (op_finish (kept, &result, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_DISCONNECTED));
  g_clear_error (&error);
  g_clear_object (&result);

  /* meanwhile the host lost vm002 and gained vm100 */
  text = vireo_test_read (path);
  at = strstr (text, "<domain type='qemu' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>vm002");
  assert_non_null (at);
  /* a new name and UUID */
  at += strlen ("<domain type='qemu' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>vm");
  memcpy (at, "100", 3);
  at = strstr (at, "-000000000002");
  memcpy (at, "-000000000100", 13);
  assert_true (g_file_set_contents (path, text, -1, NULL));

  assert_true (vireo_test_wait_until (is_connected, f->backend, 10));
  assert_ptr_equal (kept, row (f, "vm000"));
  assert_int_equal (vireo_domain_get_state (kept), VIREO_DOMAIN_STATE_RUNNING);
  assert_int_equal (vireo_backend_get_retry_time (f->backend), 0);
  assert_null (vireo_backend_lookup_domain (f->backend, "vm002"));
  assert_non_null (vireo_backend_lookup_domain (f->backend, "vm100"));
  assert_int_equal (g_list_model_get_n_items (vireo_backend_get_domains (f->backend)), 3);
}

static GPtrArray *
list_snapshots (VireoDomain *domain)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *snapshots;

  vireo_domain_list_snapshots_async (domain, NULL, on_done, &result);
  snapshots = vireo_domain_list_snapshots_finish (domain, wait_result (&result), NULL, &error);
  assert_no_error (error);
  g_object_unref (result);
  return snapshots;
}

static char *
take_snapshot (VireoDomain *domain,
               const char  *description)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoJob) job = NULL;
  char *name;

  vireo_domain_take_snapshot_async (domain, NULL, description, &job, NULL, on_done, &result);
  name = vireo_domain_take_snapshot_finish (domain, wait_result (&result), &error);
  assert_no_error (error);
  g_object_unref (result);
  return name;
}

/* libvirt's snapshots through Vireo's calls: take (with RAM while it
 * runs), the tree and the current one, revert, edit, delete */
static void
test_snapshots (void **state)
{
  Fixture *f = *state;
  g_autofree char *uri = write_node (f, 1);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  VireoSnapshot *snapshot;
  VireoDomain *domain;

  connect_to (f, uri);
  domain = row (f, "vm000");
  first = take_snapshot (domain, "before <the> upgrade & all");
  assert_string_equal (first, "snapshot-1");
  second = take_snapshot (domain, NULL);
  assert_string_equal (second, "snapshot-2");

  snapshots = list_snapshots (domain);
  assert_int_equal (snapshots->len, 2);
  snapshot = vireo_snapshot_list_lookup (snapshots, "snapshot-1");
  assert_string_equal (vireo_snapshot_get_description (snapshot), "before <the> upgrade & all");
  assert_int_equal (vireo_snapshot_get_state (snapshot), VIREO_SNAPSHOT_RUNNING);
  assert_non_null (vireo_snapshot_get_config (snapshot));
  assert_false (vireo_snapshot_is_current (snapshot));
  snapshot = vireo_snapshot_list_lookup (snapshots, "snapshot-2");
  assert_true (vireo_snapshot_is_current (snapshot));
  assert_string_equal (vireo_snapshot_get_parent (snapshot), "snapshot-1");
  assert_int_equal (vireo_snapshot_get_depth (snapshot), 1);
  g_clear_pointer (&snapshots, g_ptr_array_unref);

  /* pause it, then go back to the snapshot of it running */
  vireo_domain_action_async (domain, VIREO_DOMAIN_ACTION_PAUSE, NULL, on_done, &result);
  assert_true (op_finish (domain, &result, &error));
  g_clear_object (&result);
  vireo_domain_revert_snapshot_async (domain, "snapshot-1", NULL, NULL, on_done, &result);
  assert_true (vireo_domain_revert_snapshot_finish (domain, wait_result (&result), &error));
  g_clear_object (&result);
  assert_becomes (domain, VIREO_DOMAIN_STATE_RUNNING);

  vireo_domain_edit_snapshot_async (domain, "snapshot-1", "edited", NULL, on_done, &result);
  assert_true (vireo_domain_edit_snapshot_finish (domain, wait_result (&result), &error));
  assert_no_error (error);
  g_clear_object (&result);
  vireo_domain_delete_snapshot_async (domain, "snapshot-2", NULL, NULL, on_done, &result);
  assert_true (vireo_domain_delete_snapshot_finish (domain, wait_result (&result), &error));
  g_clear_object (&result);

  snapshots = list_snapshots (domain);
  assert_int_equal (snapshots->len, 1);
  snapshot = g_ptr_array_index (snapshots, 0);
  assert_string_equal (vireo_snapshot_get_description (snapshot), "edited");
  assert_true (vireo_snapshot_is_current (snapshot));

  /* one that is not there is one line naming the VM */
  vireo_domain_revert_snapshot_async (domain, "nosuch", NULL, NULL, on_done, &result);
  assert_false (vireo_domain_revert_snapshot_finish (domain, wait_result (&result), &error));
  assert_non_null (strstr (error->message, "VM 'vm000'"));
  assert_null (strchr (error->message, '\n'));
  g_clear_object (&result);
}

static gboolean
has_pending (gpointer data)
{
  return vireo_domain_has_pending_changes (data);
}

/* A running VM whose definition another client changes has pending
 * changes, until it stops; a start takes the definition it has */
static void
test_pending_changes (void **state)
{
  Fixture *f = *state;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  VireoDomain *domain;
  virDomainPtr dom;
  char *xml;
  g_autofree char *changed = NULL;
  g_auto(GStrv) parts = NULL;

  connect_to (f, "test:///default");
  f->other = virConnectOpen ("test:///default");
  dom = virDomainDefineXML (f->other, "<domain type='qemu'><name>pending</name><memory unit='MiB'>128</memory>"
                                      "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>");
  assert_int_equal (virDomainCreate (dom), 0);
  assert_true (vireo_test_wait_until (has_row_named_pending, f, 10));
  domain = row (f, "pending");
  assert_becomes (domain, VIREO_DOMAIN_STATE_RUNNING);
  assert_false (vireo_domain_has_pending_changes (domain));

  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  assert_non_null (strstr (xml, "<memory unit='KiB'>131072</memory>"));
  parts = g_strsplit (xml, "<memory unit='KiB'>131072</memory>", 2);
  changed = g_strjoinv ("<memory unit='KiB'>262144</memory>", parts);
  free (xml);
  virDomainFree (virDomainDefineXML (f->other, changed));
  assert_true (vireo_test_wait_until (has_pending, domain, 10));

  vireo_domain_destroy_async (domain, NULL, on_done, &result);
  assert_true (op_finish (domain, &result, &error));
  g_clear_object (&result);
  assert_false (vireo_domain_has_pending_changes (domain));
  vireo_domain_start_async (domain, NULL, on_done, &result);
  assert_true (op_finish (domain, &result, &error));
  g_clear_object (&result);
  vireo_test_pump_for (200);
  assert_false (vireo_domain_has_pending_changes (domain));
  assert_int_equal (virDomainDestroy (dom), 0);
  assert_int_equal (virDomainUndefine (dom), 0);
  virDomainFree (dom);
}

static gboolean
has_no_backend (gpointer data)
{
  return vireo_domain_get_backend (data) == NULL;
}

/* A window may hold a VM whose host is removed: asking it anything then
 * fails in one line, and nothing reads the freed host */
static void
test_host_removed (void **state)
{
  Fixture *f = *state;
  g_autofree char *uri = write_node (f, 3);
  g_autoptr(VireoDomain) kept = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  connect_to (f, uri);
  kept = g_object_ref (row (f, "vm002"));
  g_clear_object (&f->backend);
  /* its jobs give their references back on the main loop */
  assert_true (vireo_test_wait_until (has_no_backend, kept, 5));
  assert_false (vireo_domain_can (kept, VIREO_DOMAIN_OP_START));

  vireo_domain_start_async (kept, NULL, on_done, &result);
  assert_false (op_finish (kept, &result, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));
  assert_string_equal (error->message, "VM 'vm002': its host was removed");
  g_clear_error (&error);
  g_clear_object (&result);

  vireo_domain_list_snapshots_async (kept, NULL, on_done, &result);
  assert_null (vireo_domain_list_snapshots_finish (kept, wait_result (&result), NULL, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));
  g_clear_error (&error);
  g_clear_object (&result);

  vireo_domain_open_console_async (kept, NULL, on_done, &result);
  assert_null (vireo_domain_open_console_finish (kept, wait_result (&result), &error));
  assert_non_null (error);
  g_clear_object (&result);
}

/* A VM dropped from the list (undefined here) and then its host removed:
 * the VM has no host, and says so */
static void
test_forgotten_then_host_removed (void **state)
{
  Fixture *f = *state;
  g_autofree char *uri = write_node (f, 3);
  g_autoptr(VireoDomain) kept = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  connect_to (f, uri);
  kept = g_object_ref (row (f, "vm002"));
  vireo_backend_undefine_domain_async (f->backend, kept, FALSE, NULL, on_done, &result);
  assert_true (vireo_backend_undefine_domain_finish (f->backend, wait_result (&result), &error));
  g_clear_object (&result);
  g_clear_object (&f->backend);
  assert_true (vireo_test_wait_until (has_no_backend, kept, 5));
  assert_false (vireo_domain_can (kept, VIREO_DOMAIN_OP_START));
  vireo_domain_start_async (kept, NULL, on_done, &result);
  assert_false (op_finish (kept, &result, &error));
  assert_string_equal (error->message, "VM 'vm002': its host was removed");
  g_clear_object (&result);
}


/* A volume of test:///default's pool, made by the other client */
static char *
make_volume (Fixture    *f,
             const char *name,
             const char *format)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (f->other, "default-pool");
  g_autofree char *xml = g_strdup_printf ("<volume><name>%s</name><capacity unit='MiB'>8</capacity>"
                                          "<target><format type='%s'/></target></volume>", name, format);
  virStorageVolPtr volume;
  char *path;

  assert_non_null (pool);
  volume = virStorageVolCreateXML (pool, xml, 0);
  assert_non_null (volume);
  path = virStorageVolGetPath (volume);
  virStorageVolFree (volume);
  virStoragePoolFree (pool);
  return path;
}

static gboolean
volume_exists (Fixture    *f,
               const char *path)
{
  virStorageVolPtr volume = virStorageVolLookupByPath (f->other, path);

  if (volume == NULL)
    return FALSE;
  virStorageVolFree (volume);
  return TRUE;
}

static char *
attach (VireoDomain            *domain,
        const VireoDiskRequest *request,
        GError                **error)
{
  GAsyncResult *result = NULL;
  char *target;

  vireo_domain_attach_disk_async (domain, request, NULL, NULL, on_done, &result);
  target = vireo_domain_attach_disk_finish (domain, wait_result (&result), error);
  g_object_unref (result);
  return target;
}

static gboolean
detach (VireoDomain  *domain,
        const char   *target,
        gboolean      remove_storage,
        GError      **error)
{
  GAsyncResult *result = NULL;
  gboolean done;

  vireo_domain_detach_disk_async (domain, target, remove_storage, NULL, on_done, &result);
  done = vireo_domain_detach_disk_finish (domain, wait_result (&result), error);
  g_object_unref (result);
  return done;
}

static gboolean
has_summary_row (gpointer data)
{
  Fixture *f = data;
  VireoDomain *domain = vireo_backend_lookup_domain (f->backend, "hostile-foreign");

  return domain != NULL && vireo_domain_get_config_problem (domain) != NULL;
}

static gboolean
no_summary_row (gpointer data)
{
  return !has_summary_row (data);
}

static VireoDomain *
define_with_disk (Fixture    *f,
                  const char *name,
                  const char *path)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new (name);
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  VireoDomain *domain;

  config->accel = VIREO_ACCEL_TCG;
  vireo_domain_config_add_disk (config, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO,
                                                               "qcow2", path));
  vireo_backend_define_domain_async (f->backend, config, NULL, on_done, &result);
  domain = vireo_backend_define_domain_finish (f->backend, wait_result (&result), &error);
  assert_no_error (error);
  g_object_unref (result);
  g_object_unref (domain);
  return row (f, name);
}

/* Another VM's image is never deleted: disks-other's disk, added to
 * @domain by hand (as another client may), stays when it lets go */
static void
keeps_anothers_image (Fixture     *f,
                      VireoDomain *domain,
                      const char  *shared)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_copy (vireo_domain_get_config (domain));
  VireoDiskConfig *added = vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", shared);

  added->shareable = FALSE;
  vireo_domain_config_add_disk (config, added);
  vireo_backend_define_domain_async (f->backend, config, NULL, on_done, &result);
  g_object_unref (vireo_backend_define_domain_finish (f->backend, wait_result (&result), &error));
  assert_no_error (error);
  g_clear_object (&result);
  assert_false (vireo_backend_image_deletable (f->backend, domain, added));
  assert_true (detach (domain, added->target, TRUE, &error));
  assert_no_error (error);
  assert_true (volume_exists (f, shared));
}

/* A running VM takes a new disk at its next start (the test driver plugs
 * nothing in live): pending changes; its images are not deleted while it
 * runs */
static void
running_takes_it_later (VireoDomain *domain)
{
  VireoDiskRequest request = { VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, 16 << 20, NULL, NULL };
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  vireo_domain_start_async (domain, NULL, on_done, &result);
  assert_true (op_finish (domain, &result, &error));
  g_clear_object (&result);
  target = attach (domain, &request, &error);
  assert_no_error (error);
  assert_true (vireo_test_wait_until (has_pending, domain, 10));
  assert_false (detach (domain, target, TRUE, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE));
  g_clear_error (&error);
  vireo_domain_destroy_async (domain, NULL, on_done, &result);
  assert_true (op_finish (domain, &result, &error));
  g_clear_object (&result);
}

/* Disks of a libvirt VM: a new one is a qcow2 volume in the pool of its
 * first disk; an existing one must be a volume of the host (the test
 * driver's paths are not this machine's), and not another VM's; removing
 * one with its storage deletes its volume, never another VM's; a running
 * VM takes the change at its next start */
static void
test_disks (void **state)
{
  Fixture *f = *state;
  VireoDiskRequest request = { VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, 16 << 20, NULL, NULL };
  g_autofree char *base = NULL;
  g_autofree char *data = NULL;
  g_autofree char *shared = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;
  const VireoDiskConfig *disk;
  GAsyncResult *result = NULL;
  VireoDomain *domain, *other;

  connect_to (f, "test:///default");
  f->other = virConnectOpen ("test:///default");
  base = make_volume (f, "disks-base.qcow2", "qcow2");
  data = make_volume (f, "disks-data.img", "raw");
  shared = make_volume (f, "disks-other.qcow2", "qcow2");
  domain = define_with_disk (f, "disks", base);
  other = define_with_disk (f, "disks-other", shared);

  target = attach (domain, &request, &error);
  assert_no_error (error);
  assert_string_equal (target, "vdb");
  disk = vireo_domain_config_lookup_disk (vireo_domain_get_config (domain), "vdb");
  assert_non_null (disk);
  assert_string_equal (disk->format, "qcow2");
  assert_true (g_str_has_prefix (disk->path, "/default-pool/disks-vdb"));
  assert_true (volume_exists (f, disk->path));

  /* an existing volume keeps the format its pool knows */
  request.new_bytes = 0;
  request.path = data;
  g_clear_pointer (&target, g_free);
  target = attach (domain, &request, &error);
  assert_no_error (error);
  assert_string_equal (vireo_domain_config_lookup_disk (vireo_domain_get_config (domain), target)->format, "raw");

  /* refused in one line, and nothing changes: a file in no pool, another
   * VM's image, a size and an image at once */
  request.path = "/nowhere/disk.qcow2";
  assert_null (attach (domain, &request, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));
  assert_non_null (strstr (error->message, "'disks'"));
  assert_non_null (strstr (error->message, "no storage pool"));
  g_clear_error (&error);
  request.path = shared;
  assert_null (attach (domain, &request, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_BUSY));
  g_clear_error (&error);
  request.new_bytes = 1 << 20;
  assert_null (attach (domain, &request, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
  g_clear_error (&error);
  assert_int_equal (vireo_domain_get_config (domain)->disks->len, 3);

  /* removing vdb with its storage deletes its volume */
  {
    g_autofree char *made = g_strdup (vireo_domain_config_lookup_disk (vireo_domain_get_config (domain),
                                                                       "vdb")->path);

    assert_true (detach (domain, "vdb", TRUE, &error));
    assert_no_error (error);
    assert_null (vireo_domain_config_lookup_disk (vireo_domain_get_config (domain), "vdb"));
    assert_false (volume_exists (f, made));
  }

  keeps_anothers_image (f, domain, shared);
  running_takes_it_later (domain);

  vireo_backend_undefine_domain_async (f->backend, domain, TRUE, NULL, on_done, &result);
  assert_true (vireo_backend_undefine_domain_finish (f->backend, wait_result (&result), &error));
  g_clear_object (&result);
  vireo_backend_undefine_domain_async (f->backend, other, TRUE, NULL, on_done, &result);
  assert_true (vireo_backend_undefine_domain_finish (f->backend, wait_result (&result), &error));
  g_clear_object (&result);
  assert_false (volume_exists (f, base));
  assert_false (volume_exists (f, shared));
}


/* What a hostile host or a guest's bytes can do to disks: a volume the
 * pool says stands on another image is not added; while another VM's
 * definition is read only in summary (its disks unknown), no image is
 * deleted with a disk; a lease's words come out printable */
static void
test_disks_hostile (void **state)
{
  Fixture *f = *state;
  VireoDiskRequest request = { VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, 0, NULL, NULL };
  g_autofree char *mine = NULL;
  g_autofree char *printable = NULL;
  g_autoptr(GError) error = NULL;
  virStoragePoolPtr pool;
  virStorageVolPtr backed;
  virDomainPtr foreign;
  VireoDomain *domain;
  char *backed_path;

  connect_to (f, "test:///default");
  f->other = virConnectOpen ("test:///default");
  mine = make_volume (f, "hostile-mine.qcow2", "qcow2");
  domain = define_with_disk (f, "hostile", mine);

  /* a volume whose pool reads a backing file in it */
  pool = virStoragePoolLookupByName (f->other, "default-pool");
  backed = virStorageVolCreateXML (pool, "<volume><name>hostile-backed.qcow2</name><capacity unit='MiB'>8</capacity>"
                                         "<target><format type='qcow2'/></target>"
                                         "<backingStore><path>/etc/shadow</path><format type='raw'/></backingStore>"
                                         "</volume>", 0);
  assert_non_null (backed);
  backed_path = virStorageVolGetPath (backed);
  request.path = backed_path;
  assert_null (attach (domain, &request, &error));
  assert_non_null (strstr (error->message, "stands on another image"));
  assert_int_equal (vireo_domain_get_config (domain)->disks->len, 1);
  g_clear_error (&error);

  /* another client's VM that Vireo reads in summary only (a device it
   * does not model) keeps every image of the host */
  foreign = virDomainDefineXML (f->other, "<domain type='qemu'><name>hostile-foreign</name>"
                                          "<memory unit='MiB'>64</memory><os><type>hvm</type></os><devices>"
                                          "<disk type='file' device='disk'><source file='/default-pool/hostile-mine.qcow2'/>"
                                          "<target dev='vda' bus='virtio'/></disk>"
                                          "<hub type='usb'/></devices></domain>");
  assert_non_null (foreign);
  assert_true (vireo_test_wait_until (has_summary_row, f, 10));
  assert_false (vireo_backend_image_deletable (f->backend, domain,
                                               vireo_domain_config_lookup_disk (vireo_domain_get_config (domain), "vda")));
  assert_true (detach (domain, "vda", TRUE, &error));
  assert_no_error (error);
  assert_true (volume_exists (f, mine));
  virDomainUndefine (foreign);
  virDomainFree (foreign);
  assert_true (vireo_test_wait_until (no_summary_row, f, 10));

  printable = _vireo_libvirt_text ("host\x1b[2Jname\xff", 64);
  assert_string_equal (printable, "host?[2Jname\xef\xbf\xbd");
  g_clear_pointer (&printable, g_free);
  printable = _vireo_libvirt_text ("0123456789", 4);
  assert_string_equal (printable, "0123");
  g_clear_pointer (&printable, g_free);
  printable = _vireo_libvirt_text ("a\xc2\x9b" "31mb\xc3\xa9", 64);   /* U+009B, a terminal's CSI */
  assert_string_equal (printable, "a?31mb\xc3\xa9");

  virStorageVolDelete (backed, 0);
  virStorageVolFree (backed);
  free (backed_path);
  virStoragePoolFree (pool);
  {
    GAsyncResult *result = NULL;

    virStorageVolPtr kept = virStorageVolLookupByPath (f->other, mine);

    vireo_backend_undefine_domain_async (f->backend, domain, TRUE, NULL, on_done, &result);
    assert_true (vireo_backend_undefine_domain_finish (f->backend, wait_result (&result), &error));
    g_object_unref (result);
    assert_non_null (kept);
    assert_int_equal (virStorageVolDelete (kept, 0), 0);
    virStorageVolFree (kept);
  }
}

static void
count_notify (GObject    *job,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* A new VM on the fixture's host; its progress reaches the main loop when
 * it makes a disk (checked here, every time) */
static VireoDomain *
create_on (Fixture                  *f,
           const VireoCreateOptions *options,
           GError                  **error)
{
  GAsyncResult *result = NULL;
  g_autoptr(VireoJob) job = NULL;
  VireoDomain *domain;
  guint notified = 0;

  vireo_create_domain_async (f->backend, options, &job, NULL, on_done, &result);
  if (job != NULL)
    g_signal_connect (job, "notify::progress", G_CALLBACK (count_notify), &notified);
  domain = vireo_create_domain_finish (f->backend, wait_result (&result), error);
  g_object_unref (result);
  vireo_test_pump_for (50);
  if (domain != NULL && job != NULL)
    {
      assert_true (notified > 0);
      assert_true (vireo_job_get_progress (job) == 1.0);
    }
  if (job != NULL)
    g_signal_handlers_disconnect_by_func (job, count_notify, &notified);
  return domain;
}

/* A new VM on a libvirt host: its disk a qcow2 volume of the host's pool,
 * an "automatic" accelerator what the host has (the test driver: no KVM,
 * so TCG), its CD-ROM a volume of the host; what the host cannot hold is
 * refused in one line, leaving no volume and no VM behind */
static void
test_create (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoCreateOptions) o = vireo_create_options_new ();
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = NULL;
  const VireoDomainConfig *config;
  const VireoDiskConfig *disk, *cdrom;
  GAsyncResult *result = NULL;
  virStoragePoolPtr pool;
  int volumes;

  connect_to (f, "test:///default");
  f->other = virConnectOpen ("test:///default");
  iso = make_volume (f, "create-installer.iso", "raw");
  pool = virStoragePoolLookupByName (f->other, "default-pool");
  volumes = virStoragePoolNumOfVolumes (pool);

  o->name = g_strdup ("created");
  o->memory_mib = 256;
  o->vcpus = 1;
  o->disk_bytes = 32 << 20;
  o->cdrom = g_strdup (iso);
  domain = create_on (f, o, &error);
  assert_no_error (error);
  assert_ptr_equal (domain, row (f, "created"));
  config = vireo_domain_get_config (domain);
  assert_int_equal (config->accel, VIREO_ACCEL_TCG);
  assert_int_equal (config->memory_kib, 256 * 1024);
  disk = vireo_domain_config_lookup_disk (config, "vda");
  assert_non_null (disk);
  assert_string_equal (disk->path, "/default-pool/created.qcow2");
  assert_true (volume_exists (f, disk->path));
  cdrom = vireo_domain_config_lookup_disk (config, "sda");
  assert_non_null (cdrom);
  assert_int_equal (cdrom->device, VIREO_DISK_DEVICE_CDROM);
  assert_string_equal (cdrom->path, iso);
  assert_int_equal (virStoragePoolNumOfVolumes (pool), volumes + 1);

  /* refused in one line, nothing made: the same name, too much memory,
   * a network the host lacks, KVM it lacks, a CD-ROM image that is
   * neither its volume nor a file here */
  assert_null (create_on (f, o, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  g_clear_error (&error);
  g_free (o->name);
  o->name = g_strdup ("refused");
  o->memory_mib = 1 << 30;
  assert_null (create_on (f, o, &error));
  assert_non_null (strstr (error->message, "VM 'refused': memory must be from 64 to"));
  assert_non_null (strstr (error->message, "test:///default"));
  g_clear_error (&error);
  o->memory_mib = 256;
  o->network = g_strdup ("nosuch");
  assert_null (create_on (f, o, &error));
  assert_non_null (strstr (error->message, "network 'nosuch' is not defined on host"));
  g_clear_error (&error);
  g_clear_pointer (&o->network, g_free);
  o->accel = VIREO_ACCEL_KVM;
  assert_null (create_on (f, o, &error));
  assert_non_null (strstr (error->message, "has no KVM"));
  g_clear_error (&error);
  o->accel = VIREO_ACCEL_AUTO;
  g_free (o->cdrom);
  o->cdrom = g_build_filename (f->dir, "missing.iso", NULL);
  assert_null (create_on (f, o, &error));
  assert_non_null (strstr (error->message, "VM 'refused'"));
  g_clear_error (&error);
  assert_null (vireo_backend_lookup_domain (f->backend, "refused"));
  assert_int_equal (virStoragePoolNumOfVolumes (pool), volumes + 1);

  vireo_backend_undefine_domain_async (f->backend, domain, TRUE, NULL, on_done, &result);
  assert_true (vireo_backend_undefine_domain_finish (f->backend, wait_result (&result), &error));
  g_clear_object (&result);
  assert_int_equal (virStoragePoolNumOfVolumes (pool), volumes);
  assert_true (volume_exists (f, iso));
  virStoragePoolFree (pool);
}

/* Another client undefines a VM while it is redefined here: the answer
 * is a VM or one line, never a critical (the tests run fatal-warnings) */
static void
test_define_after_foreign_undefine (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("race-me");
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(VireoDomain) again = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  virDomainPtr dom;

  connect_to (f, "test:///default");
  config->accel = VIREO_ACCEL_TCG;
  vireo_backend_define_domain_async (f->backend, config, NULL, on_done, &result);
  domain = vireo_backend_define_domain_finish (f->backend, wait_result (&result), &error);
  assert_no_error (error);
  g_clear_object (&result);
  f->other = virConnectOpen ("test:///default");
  dom = virDomainLookupByName (f->other, "race-me");
  assert_int_equal (virDomainUndefine (dom), 0);
  virDomainFree (dom);
  vireo_backend_define_domain_async (f->backend, config, NULL, on_done, &result);
  again = vireo_backend_define_domain_finish (f->backend, wait_result (&result), &error);
  assert_true ((again != NULL) != (error != NULL));
  if (error != NULL)
    assert_null (strchr (error->message, '\n'));
  g_clear_object (&result);
  dom = virDomainLookupByName (f->other, "race-me");
  if (dom != NULL)
    {
      virDomainUndefine (dom);
      virDomainFree (dom);
    }
}

/* Clones ---------------------------------------------------------------- */

typedef struct {
  Fixture *f;
  const char *name;
} RowWait;

static gboolean
has_named_row (gpointer data)
{
  RowWait *wait = data;

  return vireo_backend_lookup_domain (wait->f->backend, wait->name) != NULL;
}

/* A volume of test:///default's pool 'default-pool'; its path */
static char *
make_pool_volume (virStoragePoolPtr  pool,
                  const char        *name)
{
  g_autofree char *xml = g_strdup_printf ("<volume><name>%s</name><capacity unit='MiB'>4</capacity>"
                                          "<target><format type='raw'/></target></volume>", name);
  virStorageVolPtr volume = virStorageVolCreateXML (pool, xml, 0);
  char *path;
  char *ret;

  assert_non_null (volume);
  path = virStorageVolGetPath (volume);
  ret = g_strdup (path);
  free (path);
  virStorageVolFree (volume);
  return ret;
}

/* Another client defines VM @name on @disk with a NIC and a CD-ROM; the
 * row comes by its event */
static VireoDomain *
define_on_disk (Fixture    *f,
                const char *name,
                const char *disk)
{
  g_autofree char *xml = g_strdup_printf (
    "<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory>"
    "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
    "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
    "<target dev='vda' bus='virtio'/></disk>"
    "<disk type='file' device='cdrom'><source file='/srv/install.iso'/><target dev='sda' bus='sata'/>"
    "<readonly/></disk>"
    "<interface type='network'><mac address='52:54:00:aa:bb:01'/><source network='default'/>"
    "<model type='virtio'/></interface></devices></domain>", name, disk);
  virDomainPtr dom = virDomainDefineXML (f->other, xml);
  RowWait wait = { f, name };

  assert_non_null (dom);
  virDomainFree (dom);
  assert_true (vireo_test_wait_until (has_named_row, &wait, 10));
  return row (f, name);
}

static VireoDomain *
clone_of (VireoDomain  *source,
          const char   *name,
          VireoJob    **job,
          GError      **error)
{
  g_autoptr(VireoCloneOptions) options = vireo_clone_options_new ();
  g_autoptr(GAsyncResult) result = NULL;

  options->name = g_strdup (name);
  vireo_domain_clone_async (source, options, job, NULL, on_done, &result);
  return vireo_domain_clone_finish (source, wait_result (&result), error);
}

static int
n_volumes (virStoragePoolPtr pool)
{
  assert_int_equal (virStoragePoolRefresh (pool, 0), 0);
  return virStoragePoolNumOfVolumes (pool);
}

static void
assert_one_line_about (const GError *error,
                       const char   *vm)
{
  g_autofree char *what = g_strdup_printf ("VM '%s'", vm);

  assert_non_null (error);
  assert_non_null (strstr (error->message, what));
  assert_null (strchr (error->message, '\n'));
}

static void
undefine_other (Fixture    *f,
                const char *name)
{
  virDomainPtr dom = virDomainLookupByName (f->other, name);

  if (dom != NULL)
    {
      virDomainUndefine (dom);
      virDomainFree (dom);
    }
}

/* A clone is a new VM on the source's host: new UUID, MAC and volume in
 * the source's pool; the source and its CD-ROM stay as they were */
static void
test_clone (void **state)
{
  Fixture *f = *state;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) clone = NULL;
  g_autoptr(VireoJob) job = NULL;
  g_autofree char *path = NULL;
  const VireoDiskConfig *disk;
  virStoragePoolPtr pool;
  VireoDomain *source;
  virStorageVolPtr volume;
  char *xml;
  int before;

  connect_to (f, "test:///default");
  assert_true (vireo_backend_can (f->backend, VIREO_BACKEND_CAN_CLONE));
  f->other = virConnectOpen ("test:///default");
  pool = virStoragePoolLookupByName (f->other, "default-pool");
  assert_non_null (pool);
  path = make_pool_volume (pool, "clone-src.img");
  source = define_on_disk (f, "clone-src", path);
  before = n_volumes (pool);

  clone = clone_of (source, NULL, &job, &error);
  assert_no_error (error);
  assert_ptr_equal (clone, row (f, "clone-src-clone"));
  assert_ptr_equal (vireo_domain_get_backend (clone), f->backend);
  assert_true (vireo_job_get_progress (job) == 1.0);
  assert_string_not_equal (vireo_domain_get_uuid (clone), vireo_domain_get_uuid (source));
  assert_int_equal (vireo_domain_get_config (clone)->nics->len, 1);
  assert_string_not_equal (((VireoNicConfig *) g_ptr_array_index (vireo_domain_get_config (clone)->nics, 0))->mac,
                           "52:54:00:aa:bb:01");
  disk = vireo_domain_config_lookup_disk (vireo_domain_get_config (clone), "vda");
  assert_string_not_equal (disk->path, path);
  assert_true (g_str_has_prefix (disk->path, "/default-pool/clone-src-clone-vda"));
  volume = virStorageVolLookupByPath (f->other, disk->path);
  assert_non_null (volume);
  virStorageVolFree (volume);
  assert_int_equal (n_volumes (pool), before + 1);
  /* the CD-ROM is shared */
  disk = vireo_domain_config_lookup_disk (vireo_domain_get_config (clone), "sda");
  assert_string_equal (disk->path, "/srv/install.iso");

  /* the source is untouched, on the host too */
  disk = vireo_domain_config_lookup_disk (vireo_domain_get_config (source), "vda");
  assert_string_equal (disk->path, path);
  {
    virDomainPtr dom = virDomainLookupByName (f->other, "clone-src");

    assert_non_null (dom);
    xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
    virDomainFree (dom);
  }
  assert_non_null (strstr (xml, "52:54:00:aa:bb:01"));
  assert_non_null (strstr (xml, path));
  free (xml);

  /* a name that is taken is refused, and nothing is made */
  g_clear_object (&job);
  assert_null (clone_of (source, "clone-src-clone", &job, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  assert_null (job);
  assert_int_equal (n_volumes (pool), before + 1);
  g_clear_error (&error);

  undefine_other (f, "clone-src-clone");
  undefine_other (f, "clone-src");
  virStoragePoolFree (pool);
}

/* What cannot be cloned is refused in one line, and leaves nothing */
static void
test_clone_refused (void **state)
{
  Fixture *f = *state;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoCloneOptions) linked = vireo_clone_options_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = NULL;
  GAsyncResult *started = NULL;
  virStoragePoolPtr pool;
  VireoDomain *source;
  int before;

  connect_to (f, "test:///default");
  f->other = virConnectOpen ("test:///default");
  pool = virStoragePoolLookupByName (f->other, "default-pool");
  path = make_pool_volume (pool, "refused.img");
  source = define_on_disk (f, "refused", path);

  /* running */
  vireo_domain_start_async (source, NULL, on_done, &started);
  assert_true (op_finish (source, &started, &error));
  g_clear_object (&started);
  assert_null (clone_of (source, NULL, NULL, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE));
  assert_one_line_about (error, "refused");
  g_clear_error (&error);
  vireo_domain_destroy_async (source, NULL, on_done, &started);
  assert_true (op_finish (source, &started, &error));
  g_clear_object (&started);

  /* linked */
  linked->linked = TRUE;
  vireo_domain_clone_async (source, linked, NULL, NULL, on_done, &result);
  assert_null (vireo_domain_clone_finish (source, wait_result (&result), &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED));
  assert_one_line_about (error, "refused");
  g_clear_error (&error);

  /* a disk in no pool */
  before = n_volumes (pool);
  source = define_on_disk (f, "unpooled", "/guest/unpooled.img");
  assert_null (clone_of (source, NULL, NULL, &error));
  assert_one_line_about (error, "unpooled");
  assert_non_null (strstr (error->message, "/guest/unpooled.img"));
  assert_int_equal (n_volumes (pool), before);
  assert_null (vireo_backend_lookup_domain (f->backend, "unpooled-clone"));
  assert_null (virDomainLookupByName (f->other, "unpooled-clone"));
  g_clear_error (&error);

  undefine_other (f, "unpooled");
  undefine_other (f, "refused");
  virStoragePoolFree (pool);
}

/* A clone whose definition fails (another client took the name before
 * this one heard of it) deletes the volumes it made */
static void
test_clone_rolls_back (void **state)
{
  Fixture *f = *state;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  virStoragePoolPtr pool;
  VireoDomain *source;
  virDomainPtr taken;
  int before;

  connect_to (f, "test:///default");
  f->other = virConnectOpen ("test:///default");
  pool = virStoragePoolLookupByName (f->other, "default-pool");
  path = make_pool_volume (pool, "rollback.img");
  source = define_on_disk (f, "rollback", path);
  before = n_volumes (pool);

  /* no main loop turns between this define and the clone's name check */
  taken = virDomainDefineXML (f->other, "<domain type='qemu'><name>rollback-clone</name>"
                                        "<memory unit='MiB'>128</memory>"
                                        "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>");
  assert_non_null (taken);
  assert_null (clone_of (source, "rollback-clone", NULL, &error));
  assert_one_line_about (error, "rollback");
  assert_int_equal (n_volumes (pool), before);
  g_clear_error (&error);
  virDomainUndefine (taken);
  virDomainFree (taken);

  undefine_other (f, "rollback");
  virStoragePoolFree (pool);
}

/* Networks ---------------------------------------------------------------- */

typedef struct {
  VireoNetwork *network;
  gboolean active;
} ActiveWait;

static gboolean
has_active (gpointer data)
{
  ActiveWait *wait = data;

  return vireo_network_get_active (wait->network) == wait->active;
}

static void
assert_network_becomes (VireoNetwork *network,
                        gboolean      active)
{
  ActiveWait wait = { network, active };

  if (!vireo_test_wait_until (has_active, &wait, 10))
    fail_msg ("network '%s' is not %s", vireo_network_get_name (network), active ? "active" : "inactive");
}

typedef gboolean (*NetworkFinish) (VireoNetwork *, GAsyncResult *, GError **);

/* Waits for a network operation given &result, and finishes it */
static gboolean
network_done (VireoNetwork   *network,
              NetworkFinish   finish,
              GAsyncResult  **result,
              GError        **error)
{
  gboolean ok = finish (network, wait_result (result), error);

  g_clear_object (result);
  return ok;
}

static gboolean
has_bridged (gpointer data)
{
  Fixture *f = data;

  return vireo_backend_lookup_network (f->backend, "bridged") != NULL;
}

static gboolean
has_no_bridged (gpointer data)
{
  return !has_bridged (data);
}

/* The test host's "default" network is listed with its subnet; another
 * client's stop and start reach "active" through events; a definition
 * Vireo cannot read still gets a row, whose static leases are refused */
static void
test_networks_listed (void **state)
{
  Fixture *f = *state;
  g_autofree char *subnet = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  VireoNetwork *network;
  virNetworkPtr net;

  connect_to (f, "test:///default");
  assert_true (vireo_backend_can (f->backend, VIREO_BACKEND_CAN_NETWORKS));
  network = vireo_backend_lookup_network (f->backend, "default");
  assert_non_null (network);
  assert_ptr_equal (vireo_network_get_backend (network), f->backend);
  subnet = vireo_network_config_describe_subnet (vireo_network_get_config (network));
  assert_string_equal (subnet, "192.168.122.0/24");
  assert_true (vireo_network_get_active (network));

  f->other = virConnectOpen ("test:///default");
  net = virNetworkLookupByName (f->other, "default");
  assert_int_equal (virNetworkDestroy (net), 0);
  assert_network_becomes (network, FALSE);
  assert_int_equal (virNetworkCreate (net), 0);
  assert_network_becomes (network, TRUE);
  virNetworkFree (net);

  net = virNetworkDefineXML (f->other, "<network><name>bridged</name><forward mode='bridge'/>"
                                       "<bridge name='br9'/><ip address='10.99.0.1' netmask='255.255.0.0'/></network>");
  assert_non_null (net);
  assert_true (vireo_test_wait_until (has_bridged, f, 10));
  network = vireo_backend_lookup_network (f->backend, "bridged");
  /* what a new network must not take is still known of it */
  assert_string_equal (vireo_network_get_config (network)->bridge, "br9");
  assert_string_equal (vireo_network_get_config (network)->address, "10.99.0.1");
  assert_int_equal (vireo_network_get_config (network)->prefix, 16);
  {
    g_autoptr(GError) overlap = NULL;

    assert_null (vireo_backend_new_network_config (f->backend, "near", "10.99.5.0/24", FALSE, &overlap));
    assert_non_null (strstr (overlap->message, "'bridged'"));
  }
  vireo_network_add_host_async (network, "52:54:00:00:00:09", "10.0.0.9", NULL, NULL, on_done, &result);
  assert_false (network_done (network, vireo_network_add_host_finish, &result, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED));
  assert_non_null (strstr (error->message, "'bridged'"));
  assert_int_equal (virNetworkUndefine (net), 0);
  virNetworkFree (net);
  assert_true (vireo_test_wait_until (has_no_bridged, f, 10));
}

static VireoNetworkConfig *
isolated_config (const char *name)
{
  VireoNetworkConfig *config = vireo_network_config_new (name);

  config->forward = VIREO_NETWORK_FORWARD_NONE;
  config->bridge = g_strdup ("vbr-test");
  config->address = g_strdup ("10.251.0.1");
  config->prefix = 24;
  config->dhcp_start = g_strdup ("10.251.0.2");
  config->dhcp_end = g_strdup ("10.251.0.254");
  return config;
}

static char *
other_xml (Fixture    *f,
           const char *name)
{
  virNetworkPtr net = virNetworkLookupByName (f->other, name);
  char *xml;

  assert_non_null (net);
  xml = virNetworkGetXMLDesc (net, 0);
  virNetworkFree (net);
  return xml;
}

/* A network defined, started, set to autostart, given a static lease,
 * stopped and undefined through Vireo, as another client sees it */
static void
test_network_define_and_run (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoNetworkConfig) config = isolated_config ("iso");
  g_autoptr(VireoNetwork) network = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  virNetworkPtr net;
  int autostart = 0;
  char *xml;

  connect_to (f, "test:///default");
  f->other = virConnectOpen ("test:///default");
  vireo_backend_define_network_async (f->backend, config, NULL, on_done, &result);
  network = vireo_backend_define_network_finish (f->backend, wait_result (&result), &error);
  g_clear_object (&result);
  assert_no_error (error);
  assert_ptr_equal (network, vireo_backend_lookup_network (f->backend, "iso"));
  net = virNetworkLookupByName (f->other, "iso");
  assert_non_null (net);
  assert_int_equal (virNetworkIsActive (net), 0);

  vireo_network_start_async (network, NULL, on_done, &result);
  assert_true (network_done (network, vireo_network_start_finish, &result, &error));
  assert_true (vireo_network_get_active (network));
  assert_int_equal (virNetworkIsActive (net), 1);
  vireo_network_set_autostart_async (network, TRUE, NULL, on_done, &result);
  assert_true (network_done (network, vireo_network_set_autostart_finish, &result, &error));
  assert_true (vireo_network_get_autostart (network));
  assert_int_equal (virNetworkGetAutostart (net, &autostart), 0);
  assert_int_equal (autostart, 1);

  vireo_network_add_host_async (network, "52:54:00:AA:00:01", "10.251.0.10", "web", NULL, on_done, &result);
  assert_true (network_done (network, vireo_network_add_host_finish, &result, &error));
  xml = other_xml (f, "iso");
  assert_non_null (strstr (xml, "52:54:00:aa:00:01"));
  assert_non_null (strstr (xml, "10.251.0.10"));
  free (xml);
  assert_int_equal (vireo_network_get_config (network)->hosts->len, 1);
  /* outside the subnet: refused at once, in one line */
  vireo_network_add_host_async (network, "52:54:00:AA:00:02", "10.9.9.9", NULL, NULL, on_done, &result);
  assert_false (network_done (network, vireo_network_add_host_finish, &result, &error));
  assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);

  vireo_backend_undefine_network_async (f->backend, network, NULL, on_done, &result);
  assert_false (vireo_backend_undefine_network_finish (f->backend, wait_result (&result), &error));
  g_clear_object (&result);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_BUSY));
  assert_non_null (strstr (error->message, "'iso'"));
  assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);

  vireo_network_stop_async (network, NULL, on_done, &result);
  assert_true (network_done (network, vireo_network_stop_finish, &result, &error));
  assert_false (vireo_network_get_active (network));
  assert_int_equal (virNetworkIsActive (net), 0);
  vireo_backend_undefine_network_async (f->backend, network, NULL, on_done, &result);
  assert_true (vireo_backend_undefine_network_finish (f->backend, wait_result (&result), &error));
  g_clear_object (&result);
  assert_no_error (error);
  assert_null (vireo_backend_lookup_network (f->backend, "iso"));
  virNetworkFree (net);
  assert_null (virNetworkLookupByName (f->other, "iso"));
  virResetLastError ();
}

/* A new network for a libvirt host: a subnet and a virbrN none of its
 * networks has, read back as a network Vireo can change; taken names
 * and subnets are refused in one line */
static void
test_network_new_config (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoNetworkConfig) config = NULL;
  g_autoptr(VireoNetwork) network = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *suggested = NULL;
  GAsyncResult *result = NULL;
  char *xml;

  connect_to (f, "test:///default");
  f->other = virConnectOpen ("test:///default");
  /* the test driver's default network is on 192.168.122.0/24 */
  suggested = vireo_backend_suggest_subnet (f->backend);
  assert_string_equal (suggested, "192.168.124.0/24");
  assert_null (vireo_backend_new_network_config (f->backend, "near", "192.168.122.128/25", FALSE, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  assert_non_null (strstr (error->message, "'default'"));
  assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);
  assert_null (vireo_backend_new_network_config (f->backend, "default", NULL, FALSE, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  g_clear_error (&error);
  assert_null (vireo_backend_new_network_config (f->backend, "bad", "10.77.0.0/40", FALSE, &error));
  assert_non_null (strstr (error->message, "'bad'"));
  g_clear_error (&error);

  config = vireo_backend_new_network_config (f->backend, "made", "10.77.0.0/24", FALSE, &error);
  assert_no_error (error);
  /* a second dialog offered the same subnet: the first define takes it,
   * the second is refused at define */
  {
    g_autoptr(VireoNetworkConfig) twin = vireo_backend_new_network_config (f->backend, "twin", "10.77.0.0/24",
                                                                           FALSE, &error);
    g_autoptr(VireoNetwork) first = NULL;

    assert_no_error (error);
    vireo_backend_define_network_async (f->backend, twin, NULL, on_done, &result);
    first = vireo_backend_define_network_finish (f->backend, wait_result (&result), &error);
    g_clear_object (&result);
    assert_no_error (error);
    vireo_backend_define_network_async (f->backend, config, NULL, on_done, &result);
    assert_null (vireo_backend_define_network_finish (f->backend, wait_result (&result), &error));
    g_clear_object (&result);
    assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
    assert_non_null (strstr (error->message, "overlaps subnet 10.77.0.0/24 of network 'twin'"));
    g_clear_error (&error);
    vireo_backend_undefine_network_async (f->backend, first, NULL, on_done, &result);
    assert_true (vireo_backend_undefine_network_finish (f->backend, wait_result (&result), &error));
    g_clear_object (&result);
  }
  assert_string_equal (config->bridge, "virbr1");   /* the default network has virbr0 */
  assert_string_equal (config->address, "10.77.0.1");
  assert_string_equal (config->dhcp_start, "10.77.0.2");
  assert_string_equal (config->dhcp_end, "10.77.0.254");
  vireo_backend_define_network_async (f->backend, config, NULL, on_done, &result);
  network = vireo_backend_define_network_finish (f->backend, wait_result (&result), &error);
  g_clear_object (&result);
  assert_no_error (error);
  assert_string_equal (vireo_network_get_config (network)->address, "10.77.0.1");
  assert_string_equal (vireo_network_get_config (network)->bridge, "virbr1");
  xml = other_xml (f, "made");
  assert_non_null (strstr (xml, "<forward mode='nat'"));
  assert_non_null (strstr (xml, "10.77.0.1"));
  free (xml);
  vireo_backend_undefine_network_async (f->backend, network, NULL, on_done, &result);
  assert_true (vireo_backend_undefine_network_finish (f->backend, wait_result (&result), &error));
  g_clear_object (&result);
  assert_no_error (error);
}

/* A second definition with a taken name is refused before the host is
 * asked; a lost link keeps the network rows, the same objects */
static void
test_network_conflict_and_lost_link (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoNetworkConfig) config = isolated_config ("default");
  g_autoptr(VireoNetwork) kept = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  connect_to (f, "test:///default");
  vireo_backend_define_network_async (f->backend, config, NULL, on_done, &result);
  assert_null (vireo_backend_define_network_finish (f->backend, wait_result (&result), &error));
  g_clear_object (&result);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  g_clear_error (&error);

  kept = g_object_ref (vireo_backend_lookup_network (f->backend, "default"));
  _vireo_libvirt_backend_lost (VIREO_LIBVIRT_BACKEND (f->backend), "the test cut it");
  assert_ptr_equal (kept, vireo_backend_lookup_network (f->backend, "default"));
  vireo_network_stop_async (kept, NULL, on_done, &result);
  assert_false (network_done (kept, vireo_network_stop_finish, &result, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_DISCONNECTED));
  g_clear_error (&error);
  assert_true (vireo_test_wait_until (is_connected, f->backend, 10));
  assert_ptr_equal (kept, vireo_backend_lookup_network (f->backend, "default"));
  assert_true (vireo_network_get_active (kept));
  assert_int_equal (g_list_model_get_n_items (vireo_backend_get_networks (f->backend)), 1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_events_reach_rows, setup, teardown),
    cmocka_unit_test_setup_teardown (test_other_client_defines, setup, teardown),
    cmocka_unit_test_setup_teardown (test_summary_of_foreign_definition, setup, teardown),
    cmocka_unit_test_setup_teardown (test_lifecycle, setup, teardown),
    cmocka_unit_test_setup_teardown (test_define_undefine, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bad_uri, setup, teardown),
    cmocka_unit_test_setup_teardown (test_many_vms_one_stats_call, setup, teardown),
    cmocka_unit_test_setup_teardown (test_lost_and_back, setup, teardown),
    cmocka_unit_test_setup_teardown (test_snapshots, setup, teardown),
    cmocka_unit_test_setup_teardown (test_pending_changes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_host_removed, setup, teardown),
    cmocka_unit_test_setup_teardown (test_forgotten_then_host_removed, setup, teardown),
    cmocka_unit_test_setup_teardown (test_define_after_foreign_undefine, setup, teardown),
    cmocka_unit_test_setup_teardown (test_disks, setup, teardown),
    cmocka_unit_test_setup_teardown (test_disks_hostile, setup, teardown),
    cmocka_unit_test_setup_teardown (test_create, setup, teardown),
    cmocka_unit_test_setup_teardown (test_clone, setup, teardown),
    cmocka_unit_test_setup_teardown (test_clone_refused, setup, teardown),
    cmocka_unit_test_setup_teardown (test_clone_rolls_back, setup, teardown),
    cmocka_unit_test_setup_teardown (test_networks_listed, setup, teardown),
    cmocka_unit_test_setup_teardown (test_network_define_and_run, setup, teardown),
    cmocka_unit_test_setup_teardown (test_network_conflict_and_lost_link, setup, teardown),
    cmocka_unit_test_setup_teardown (test_network_new_config, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
