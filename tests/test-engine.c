/* test-engine.c: loading, defining and undefining, without QEMU
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <unistd.h>

#include "vireo-clone.h"
#include "vireo-create.h"
#include "vireo-disks.h"
#include "vireo-domain-lock.h"
#include "vireo-local-domain-private.h"
#include "vireo-local-backend.h"
#include "vireo-local-backend-private.h"
#include "vireo-local-domain.h"
#include "vireo-port-forwards.h"
#include "vireo-snapshot.h"
#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-proc.h"
#include "vireo-storage.h"
#include "vireo-store.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string.h>
#include <sys/stat.h>

#include "vireo-test-util.h"

typedef struct {
  char *root;
  VireoLocalBackend *engine;
} Fixture;

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->root = vireo_test_make_root ();
  f->engine = vireo_local_backend_new (f->root);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  Fixture *f = *state;

  g_clear_object (&f->engine);
  vireo_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f);
  return 0;
}

static VireoDomainConfig *
make_config (const char *name)
{
  VireoDomainConfig *config = vireo_domain_config_new (name);

  vireo_domain_config_add_disk (config,
      vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", "/nonexistent/x.qcow2"));
  return config;
}

static void
write_domain_file (Fixture    *f,
                   const char *file,
                   const char *contents)
{
  g_autofree char *dir = g_build_filename (f->root, "config", "domains", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);

  g_mkdir_with_parents (dir, 0700);
  assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static void
test_define_load_undefine (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) a = make_config ("alpha");
  g_autoptr(VireoDomainConfig) b = make_config ("beta");
  g_autoptr(VireoLocalBackend) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  VireoDomain *domain;

  assert_true (vireo_local_backend_load (f->engine, &error));
  assert_int_equal (g_list_model_get_n_items (vireo_backend_get_domains (VIREO_BACKEND (f->engine))), 0);
  assert_non_null (vireo_local_backend_define_domain (f->engine, b, &error));
  assert_non_null (vireo_local_backend_define_domain (f->engine, a, &error));
  assert_no_error (error);

  /* sorted by name, saved as NAME.xml, private to the user */
  domain = g_list_model_get_item (vireo_backend_get_domains (VIREO_BACKEND (f->engine)), 0);
  assert_string_equal (vireo_domain_get_name (domain), "alpha");
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_SHUTOFF);
  g_object_unref (domain);
  file = g_build_filename (f->root, "config", "domains", "alpha.xml", NULL);
  assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));

  /* a new engine finds them */
  again = vireo_local_backend_new (f->root);
  assert_true (vireo_local_backend_load (again, NULL));
  assert_int_equal (g_list_model_get_n_items (vireo_backend_get_domains (VIREO_BACKEND (again))), 2);
  assert_int_equal (vireo_local_backend_get_load_errors (again)->len, 0);

  /* redefining the same VM (same UUID) replaces it */
  a->vcpus = 4;
  assert_non_null (vireo_local_backend_define_domain (f->engine, a, &error));
  domain = vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "alpha");
  assert_int_equal (vireo_domain_get_config (domain)->vcpus, 4);

  assert_true (vireo_local_backend_undefine_domain (f->engine, domain, FALSE, &error));
  assert_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "alpha"));
  assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

static void
test_define_conflicts (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) a = make_config ("alpha");
  g_autoptr(VireoDomainConfig) same_name = make_config ("alpha");
  g_autoptr(VireoDomainConfig) same_uuid = make_config ("other");
  g_autoptr(VireoDomainConfig) bad = make_config ("bad");
  g_autoptr(GError) error = NULL;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  assert_non_null (vireo_local_backend_define_domain (f->engine, a, NULL));

  assert_null (vireo_local_backend_define_domain (f->engine, same_name, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  g_clear_error (&error);

  g_free (same_uuid->uuid);
  same_uuid->uuid = g_strdup (a->uuid);
  assert_null (vireo_local_backend_define_domain (f->engine, same_uuid, &error));
  assert_non_null (strstr (error->message, "is already used by VM 'alpha'"));
  g_clear_error (&error);

  bad->vcpus = 0;
  assert_null (vireo_local_backend_define_domain (f->engine, bad, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
  g_clear_error (&error);

  assert_false (vireo_backend_check_new_name (VIREO_BACKEND (f->engine), "alpha", &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  g_clear_error (&error);
  assert_false (vireo_backend_check_new_name (VIREO_BACKEND (f->engine), "../x", &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME));

  /* the original is untouched */
  assert_int_equal (g_list_model_get_n_items (vireo_backend_get_domains (VIREO_BACKEND (f->engine))), 1);
}

/* A writable disk in the document portal is refused when it is defined
 * (and, by the same check, when the VM starts); a CD-ROM there is fine. */
static void
test_define_document_portal (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = make_config ("portal");
  g_autofree char *saved = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));
  g_autofree char *runtime = g_build_filename (f->root, "rt", NULL);
  g_autofree char *iso = g_build_filename (runtime, "doc", "5e1f09a2", "install.iso", NULL);
  g_autofree char *disk = g_build_filename (runtime, "doc", "77c0d3e1", "disk.qcow2", NULL);
  g_autofree char *expected = NULL;
  VireoDiskConfig *vda = g_ptr_array_index (config->disks, 0);
  g_autoptr(GError) error = NULL;

  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  assert_true (vireo_local_backend_load (f->engine, NULL));
  vireo_domain_config_add_disk (config, vireo_disk_config_new (VIREO_DISK_DEVICE_CDROM, VIREO_DISK_BUS_SATA,
                                                               "raw", iso));
  assert_non_null (vireo_local_backend_define_domain (f->engine, config, &error));
  assert_no_error (error);

  g_free (vda->path);
  vda->path = g_strdup (disk);
  assert_null (vireo_local_backend_define_domain (f->engine, config, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
  expected = g_strdup_printf ("VM 'portal' cannot write disk vda (%s): it is shared through the document portal, "
                              "where QEMU cannot lock it; copy the image into Vireo's storage folder, or give "
                              "Vireo access to its folder (flatpak override --filesystem=FOLDER)", disk);
  assert_string_equal (error->message, expected);
  g_clear_error (&error);
  /* read-only, QEMU reads it without a lock */
  vda->readonly = TRUE;
  assert_non_null (vireo_local_backend_define_domain (f->engine, config, &error));
  assert_no_error (error);
  if (saved != NULL)
    g_setenv ("XDG_RUNTIME_DIR", saved, TRUE);
  else
    g_unsetenv ("XDG_RUNTIME_DIR");
}

static void
test_define_network_mac_conflicts (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) a = make_config ("alpha");
  g_autoptr(VireoDomainConfig) b = make_config ("beta");
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (a->nics, vireo_nic_config_new (VIREO_NET_NETWORK, "lab", "52:54:00:aa:bb:cc"));
  g_ptr_array_add (b->nics, vireo_nic_config_new (VIREO_NET_NETWORK, "lab", "52:54:00:AA:BB:CC"));
  assert_true (vireo_local_backend_load (f->engine, NULL));
  assert_non_null (vireo_local_backend_define_domain (f->engine, a, NULL));
  assert_null (vireo_local_backend_define_domain (f->engine, b, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  assert_non_null (strstr (error->message, "already used on network 'lab' by VM 'alpha'"));
  g_clear_error (&error);

  /* the same MAC on another network, or in user mode, is no conflict */
  g_free (((VireoNicConfig *) g_ptr_array_index (b->nics, 0))->network);
  ((VireoNicConfig *) g_ptr_array_index (b->nics, 0))->network = g_strdup ("other");
  assert_non_null (vireo_local_backend_define_domain (f->engine, b, &error));
  /* and redefining alpha itself is no conflict with alpha */
  assert_non_null (vireo_local_backend_define_domain (f->engine, a, &error));
  assert_no_error (error);
}

static void
on_state_notify (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  GString *seen = user_data;

  g_string_append_printf (seen, "%d ", vireo_backend_get_state (VIREO_BACKEND (object)));
}

typedef struct {
  GError *error;
  gboolean done;
} ConnectWait;

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ConnectWait *wait = user_data;

  if (!vireo_backend_connect_finish (VIREO_BACKEND (source), result, &wait->error))
    assert_non_null (wait->error);
  wait->done = TRUE;
}

/* This machine as a host: what every backend says of itself, a connect
 * that goes through connecting to connected, and one that fails with the
 * reason kept */
static void
test_local_host (void **state)
{
  Fixture *f = *state;
  VireoBackend *backend = VIREO_BACKEND (f->engine);
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(VireoDomainConfig) config = make_config ("alpha");
  g_autofree char *file = g_build_filename (f->root, "file", NULL);
  g_autoptr(VireoLocalBackend) broken = NULL;
  ConnectWait wait = { NULL, FALSE };

  assert_string_equal (vireo_backend_get_uri (backend), "vireo:///session");
  assert_string_equal (vireo_backend_get_title (backend), "This computer");
  assert_true (vireo_backend_can (backend, VIREO_BACKEND_CAN_CONSOLE | VIREO_BACKEND_CAN_SNAPSHOTS));
  assert_int_equal (vireo_backend_get_state (backend), VIREO_BACKEND_STATE_DISCONNECTED);
  g_signal_connect (backend, "notify::state", G_CALLBACK (on_state_notify), seen);
  vireo_backend_connect_async (backend, NULL, on_connected, &wait);
  vireo_test_pump (NULL, &wait.done, 10000);
  assert_null (wait.error);
  assert_string_equal (seen->str, "1 2 ");
  assert_int_equal (vireo_backend_get_state (backend), VIREO_BACKEND_STATE_CONNECTED);
  assert_null (vireo_backend_get_error (backend));

  assert_non_null (vireo_local_backend_define_domain (f->engine, config, NULL));
  assert_ptr_equal (vireo_backend_lookup_domain_by_uuid (backend, config->uuid),
                    vireo_backend_lookup_domain (backend, "alpha"));
  assert_ptr_equal (vireo_domain_get_backend (vireo_backend_lookup_domain (backend, "alpha")), backend);
  vireo_backend_set_title (backend, "Workstation");
  assert_string_equal (vireo_backend_get_title (backend), "Workstation");

  /* a root that cannot be made: disconnected, and why */
  assert_true (g_file_set_contents (file, "", 0, NULL));
  broken = vireo_local_backend_new (file);
  wait.done = FALSE;
  vireo_backend_connect_async (VIREO_BACKEND (broken), NULL, on_connected, &wait);
  vireo_test_pump (NULL, &wait.done, 10000);
  assert_non_null (wait.error);
  assert_int_equal (vireo_backend_get_state (VIREO_BACKEND (broken)), VIREO_BACKEND_STATE_DISCONNECTED);
  assert_string_equal (vireo_backend_get_error (VIREO_BACKEND (broken))->message, wait.error->message);
  g_clear_error (&wait.error);
}

static void
on_display_opened (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ConnectWait *wait = user_data;
  g_autoptr(GSocketConnection) conn = vireo_domain_open_display_finish (VIREO_DOMAIN (source), result, &wait->error);

  assert_null (conn);
  wait->done = TRUE;
}

/* A display is opened through the VM, never by a path: one that is off
 * or has none says so */
static void
test_open_display_errors (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = make_config ("headless");
  ConnectWait wait = { NULL, FALSE };
  VireoDomain *domain;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  domain = vireo_local_backend_define_domain (f->engine, config, NULL);
  assert_non_null (domain);
  vireo_domain_open_display_async (domain, NULL, on_display_opened, &wait);
  vireo_test_pump (NULL, &wait.done, 5000);
  assert_string_equal (wait.error->message, "VM 'headless' is not running");
  g_clear_error (&wait.error);

  config->vnc = FALSE;
  domain = vireo_local_backend_define_domain (f->engine, config, NULL);
  wait.done = FALSE;
  vireo_domain_open_display_async (domain, NULL, on_display_opened, &wait);
  vireo_test_pump (NULL, &wait.done, 5000);
  assert_string_equal (wait.error->message, "VM 'headless' has no graphical display");
  g_clear_error (&wait.error);
}

/* A VM's NVRAM is its own: no other VM's disk, base or NVRAM */
static void
test_define_nvram_conflicts (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) a = make_config ("alpha");
  g_autoptr(VireoDomainConfig) b = make_config ("beta");
  g_autoptr(VireoDomainConfig) c = make_config ("gamma");
  g_autoptr(GError) error = NULL;
  VireoDiskConfig *disk = g_ptr_array_index (c->disks, 0);

  vireo_domain_config_set_firmware (a, TRUE);
  a->nvram = g_strdup ("/nonexistent/alpha_VARS.qcow2");
  vireo_domain_config_set_firmware (b, TRUE);
  b->nvram = g_strdup ("/nonexistent/x.qcow2");
  g_free (disk->path);
  disk->path = g_strdup ("/nonexistent/alpha_VARS.qcow2");
  assert_true (vireo_local_backend_load (f->engine, NULL));
  assert_non_null (vireo_local_backend_define_domain (f->engine, a, NULL));
  assert_true (vireo_local_backend_image_in_use (f->engine, NULL, "/nonexistent/alpha_VARS.qcow2"));

  /* beta's NVRAM would be alpha's disk */
  assert_null (vireo_local_backend_define_domain (f->engine, b, &error));
  assert_string_equal (error->message, "VM 'beta': /nonexistent/x.qcow2 is the NVRAM or a file of VM 'alpha': "
                                       "a VM's NVRAM is its own");
  g_clear_error (&error);
  /* gamma's disk would be alpha's NVRAM */
  assert_null (vireo_local_backend_define_domain (f->engine, c, &error));
  assert_non_null (strstr (error->message, "/nonexistent/alpha_VARS.qcow2 is the NVRAM or a file of VM 'alpha'"));
  g_clear_error (&error);
  /* alpha itself, again, is no conflict */
  assert_non_null (vireo_local_backend_define_domain (f->engine, a, &error));
  assert_no_error (error);
}

static void
test_corrupt_files_are_skipped (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) good = make_config ("good");
  g_autoptr(VireoDomainConfig) twin = make_config ("twin");
  g_autofree char *good_xml = NULL;
  g_autofree char *twin_xml = NULL;
  GPtrArray *errors;

  g_free (twin->uuid);
  twin->uuid = g_strdup (good->uuid);
  good_xml = vireo_domain_config_format (good);
  twin_xml = vireo_domain_config_format (twin);
  write_domain_file (f, "good.xml", good_xml);
  write_domain_file (f, "broken.xml", "<domain type='kvm'><name>broken");
  write_domain_file (f, "empty.xml", "");
  write_domain_file (f, "renamed.xml", good_xml);   /* says 'good' inside */
  write_domain_file (f, "twin.xml", twin_xml);      /* good's UUID */
  write_domain_file (f, "good.xml.Q1W2E3", "partial temporary file");

  assert_true (vireo_local_backend_load (f->engine, NULL));
  assert_int_equal (g_list_model_get_n_items (vireo_backend_get_domains (VIREO_BACKEND (f->engine))), 1);
  assert_non_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "good"));

  errors = vireo_local_backend_get_load_errors (f->engine);
  assert_int_equal (errors->len, 4);
  for (guint i = 0; i < errors->len; i++)
    {
      const VireoLoadError *skipped = g_ptr_array_index (errors, i);
      g_autofree char *base = g_path_get_basename (skipped->path);
      g_autofree char *file = g_strconcat (skipped->name, ".xml", NULL);

      assert_true (g_str_has_prefix (skipped->error->message, "Skipped "));
      assert_null (strchr (skipped->error->message, '\n'));
      /* each record names its file and the VM it is the definition of */
      assert_string_equal (base, file);
    }
  assert_non_null (strstr (((VireoLoadError *) g_ptr_array_index (errors, 0))->error->message,
                           "broken.xml: malformed XML"));
  assert_non_null (strstr (((VireoLoadError *) g_ptr_array_index (errors, 1))->error->message, "empty.xml"));
  assert_non_null (strstr (((VireoLoadError *) g_ptr_array_index (errors, 2))->error->message,
                           "it defines VM 'good', not 'renamed'"));
  assert_true (g_error_matches (((VireoLoadError *) g_ptr_array_index (errors, 3))->error,
                                VIREO_ERROR, VIREO_ERROR_EXISTS));

  /* a VM is found by name, not by searching the text */
  assert_string_equal (vireo_local_backend_lookup_load_error (f->engine, "twin")->name, "twin");
  assert_true (g_str_has_suffix (vireo_local_backend_lookup_load_error (f->engine, "broken")->path, "/broken.xml"));
  assert_null (vireo_local_backend_lookup_load_error (f->engine, "good"));
  assert_null (vireo_local_backend_lookup_load_error (f->engine, "nosuch"));

  /* skipped files are reported, never deleted */
  {
    g_autofree char *broken = g_build_filename (f->root, "config", "domains", "broken.xml", NULL);
    assert_true (g_file_test (broken, G_FILE_TEST_EXISTS));
  }
}

/* This process stands in for a VM's shim: it listens on shim.sock. */
static GSocket *
listen_as_shim (VireoDomain *domain)
{
  g_autofree char *path = g_build_filename (vireo_domain_get_run_dir (domain), "shim.sock", NULL);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);

  assert_non_null (socket);
  assert_true (g_socket_bind (socket, address, FALSE, NULL));
  assert_true (g_socket_listen (socket, NULL));
  return socket;
}

static void
test_stale_state_files (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = make_config ("ghost");
  g_autofree char *json = NULL;
  g_autofree char *path = NULL;
  VireoDomain *domain;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  domain = vireo_local_backend_define_domain (f->engine, config, NULL);
  g_mkdir_with_parents (vireo_domain_get_run_dir (domain), 0700);
  path = g_build_filename (vireo_domain_get_run_dir (domain), "state.json", NULL);

  /* "running", but nobody listens on the shim's socket: crashed, with
   * the reason, even though the pid it recorded is alive (here, in
   * another PID namespace, it may be anyone's) */
  {
    VireoProcStat st;

    assert_true (vireo_proc_stat (getpid (), &st));
    json = g_strdup_printf ("{\"uuid\":\"%s\",\"state\":\"running\",\"shim-pid\":%d,"
                            "\"shim-start-time\":%" G_GUINT64_FORMAT ",\"qemu-pid\":%d}",
                            config->uuid, getpid (), st.start_time, getpid ());
  }
  g_file_set_contents (path, json, -1, NULL);
  vireo_domain_refresh_state (domain);
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_CRASHED);
  assert_string_equal (vireo_domain_get_state_reason (domain), "the supervisor process vireo-shim died");
  /* a socket file left by a shim that died: nobody listens either */
  {
    g_autoptr(GSocket) dead = listen_as_shim (domain);

    g_socket_close (dead, NULL);
    vireo_domain_refresh_state (domain);
    assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_CRASHED);
  }
  /* a shim listening there is alive, whatever it recorded */
  {
    g_autofree char *sock = g_build_filename (vireo_domain_get_run_dir (domain), "shim.sock", NULL);
    g_autoptr(GSocket) live = NULL;

    g_unlink (sock);
    live = listen_as_shim (domain);
    g_free (json);
    json = g_strdup_printf ("{\"uuid\":\"%s\",\"state\":\"paused\",\"shim-pid\":%d,"
                            "\"shim-start-time\":1}", config->uuid, G_MAXINT32 - 1);
    g_file_set_contents (path, json, -1, NULL);
    vireo_domain_refresh_state (domain);
    assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_PAUSED);
    g_socket_close (live, NULL);
    g_unlink (sock);
  }

  /* the last word of a shim that exited is kept */
  g_free (json);
  json = g_strdup_printf ("{\"uuid\":\"%s\",\"state\":\"crashed\",\"reason\":\"QEMU was killed by signal 9 (Killed)\"}",
                          config->uuid);
  g_file_set_contents (path, json, -1, NULL);
  vireo_domain_refresh_state (domain);
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_CRASHED);
  assert_string_equal (vireo_domain_get_state_reason (domain), "QEMU was killed by signal 9 (Killed)");

  /* today's shim records a code and its data; the engine words it */
  g_free (json);
  json = g_strdup_printf ("{\"uuid\":\"%s\",\"state\":\"crashed\",\"reason-code\":\"qemu-failed\","
                          "\"exit-code\":1,\"exit-signal\":0,\"qemu-message\":\"out of memory\"}",
                          config->uuid);
  g_file_set_contents (path, json, -1, NULL);
  vireo_domain_refresh_state (domain);
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_CRASHED);
  assert_string_equal (vireo_domain_get_state_reason (domain), "QEMU failed: out of memory");

  /* a state file of another VM (same UUID prefix) is not ours */
  g_file_set_contents (path, "{\"uuid\":\"someone-else\",\"state\":\"running\"}", -1, NULL);
  vireo_domain_refresh_state (domain);
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_SHUTOFF);

  /* garbage is no state at all */
  g_file_set_contents (path, "{{{", -1, NULL);
  vireo_domain_refresh_state (domain);
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_SHUTOFF);
}

/* What a list says runs inside: the agent's word while running, else
 * virt-manager's libosinfo metadata, else how it boots. */
static void
test_describe_guest (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) imported = vireo_test_parse_domain_file ("virsh-simple.xml");
  g_autoptr(VireoDomainConfig) kernel = make_config ("kernel");
  g_autoptr(VireoDomainConfig) iso = make_config ("iso");
  g_autoptr(VireoDomainConfig) plain = make_config ("plain");
  g_autofree char *debian = NULL, *linux_boot = NULL, *install = NULL, *told = NULL, *json = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSocket) shim = NULL;
  VireoDomain *domain;
  VireoProcStat st;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  kernel->kernel = g_strdup ("/boot/vmlinuz");
  vireo_domain_config_add_disk (iso, vireo_disk_config_new (VIREO_DISK_DEVICE_CDROM, VIREO_DISK_BUS_SATA,
                                                            "raw", "/isos/debian-12.iso"));
  g_ptr_array_insert (iso->boot_devs, 0, g_strdup ("cdrom"));

  debian = vireo_domain_describe_guest (vireo_local_backend_define_domain (f->engine, imported, NULL));
  assert_string_equal (debian, "Debian 12");
  linux_boot = vireo_domain_describe_guest (vireo_local_backend_define_domain (f->engine, kernel, NULL));
  assert_string_equal (linux_boot, "Linux, booted from a kernel file");
  install = vireo_domain_describe_guest (vireo_local_backend_define_domain (f->engine, iso, NULL));
  assert_string_equal (install, "Installing from debian-12.iso");
  domain = vireo_local_backend_define_domain (f->engine, plain, NULL);
  assert_null (vireo_domain_describe_guest (domain));

  /* a live shim's state.json (this process stands in for the shim) */
  assert_true (vireo_proc_stat (getpid (), &st));
  g_mkdir_with_parents (vireo_domain_get_run_dir (domain), 0700);
  shim = listen_as_shim (domain);
  path = g_build_filename (vireo_domain_get_run_dir (domain), "state.json", NULL);
  json = g_strdup_printf ("{\"uuid\":\"%s\",\"state\":\"running\",\"shim-pid\":%d,"
                          "\"shim-start-time\":%" G_GUINT64_FORMAT ",\"guest-os\":\"Fedora Linux 39\","
                          "\"guest-addresses\":[\"192.168.124.5/24\",\"fd00::5/64\"],"
                          "\"guest-net\":{\"rx-bytes\":1000,\"tx-bytes\":24,\"time\":1700000000000000}}",
                          plain->uuid, getpid (), st.start_time);
  g_file_set_contents (path, json, -1, NULL);
  vireo_domain_refresh_state (domain);
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_RUNNING);
  told = vireo_domain_describe_guest (domain);
  assert_string_equal (told, "Fedora Linux 39");
  assert_string_equal (vireo_domain_get_guest_addresses (domain)[0], "192.168.124.5/24");
  assert_string_equal (vireo_domain_get_guest_addresses (domain)[1], "fd00::5/64");
  assert_null (vireo_domain_get_guest_addresses (domain)[2]);
  {
    guint64 rx, tx;
    gint64 when;

    assert_true (vireo_domain_get_guest_traffic (domain, &rx, &tx, &when));
    assert_int_equal (rx, 1000);
    assert_int_equal (tx, 24);
    assert_int_equal (when, 1700000000000000);
  }

  /* shut off: the agent's word is gone */
  g_unlink (path);
  vireo_domain_refresh_state (domain);
  assert_null (vireo_domain_get_guest_os (domain));
  assert_null (vireo_domain_get_guest_addresses (domain));
  {
    guint64 rx, tx;
    gint64 when;
    assert_false (vireo_domain_get_guest_traffic (domain, &rx, &tx, &when));
  }
}

static void
on_undefined (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  assert_true (vireo_backend_undefine_domain_finish (VIREO_BACKEND (source), result, &error));
  *(gboolean *) user_data = TRUE;
}

/* Deleting on the worker pool: the definition, the runtime folder and the
 * VM's own image go, an image another VM uses stays. */
static void
test_undefine_async (void **state)
{
  Fixture *f = *state;
  /* in Vireo's images folder: nothing elsewhere is ever deleted */
  g_autofree char *images = g_build_filename (f->root, "data", "images", NULL);
  g_autofree char *own = g_build_filename (images, "own.qcow2", NULL);
  g_autofree char *shared = g_build_filename (images, "shared.qcow2", NULL);
  g_autoptr(VireoDomainConfig) a = vireo_domain_config_new ("a");
  g_autoptr(VireoDomainConfig) b = vireo_domain_config_new ("b");
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (f->root, "config", "domains", "a.xml", NULL);
  g_autofree char *run_dir = NULL;
  VireoDomain *domain;
  gboolean done = FALSE;

  g_mkdir_with_parents (images, 0700);
  assert_true (g_file_set_contents (own, "x", 1, NULL));
  assert_true (g_file_set_contents (shared, "x", 1, NULL));
  vireo_domain_config_add_disk (a, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "raw", own));
  vireo_domain_config_add_disk (a, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "raw", shared));
  vireo_domain_config_add_disk (b, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "raw", shared));
  assert_true (vireo_local_backend_load (f->engine, NULL));
  domain = vireo_local_backend_define_domain (f->engine, a, &error);
  assert_non_null (vireo_local_backend_define_domain (f->engine, b, &error));
  run_dir = g_strdup (vireo_domain_get_run_dir (domain));
  g_mkdir_with_parents (run_dir, 0700);

  vireo_backend_undefine_domain_async (VIREO_BACKEND (f->engine), domain, TRUE, NULL, on_undefined, &done);
  vireo_test_pump (NULL, &done, 10000);
  assert_true (done);
  assert_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "a"));
  assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  assert_false (g_file_test (own, G_FILE_TEST_EXISTS));
  assert_true (g_file_test (shared, G_FILE_TEST_EXISTS));
  assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
  assert_non_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "b"));
}

/* The images to delete are chosen from the list in memory, then asked
 * again of the definitions on disk: one another process defined on them
 * meanwhile keeps them. */
static void
test_undefine_rechecks_on_disk (void **state)
{
  Fixture *f = *state;
  g_autofree char *images = g_build_filename (f->root, "data", "images", NULL);
  g_autofree char *own = g_build_filename (images, "own.qcow2", NULL);
  g_autoptr(VireoDomainConfig) a = vireo_domain_config_new ("a");
  g_autoptr(VireoDomainConfig) c = vireo_domain_config_new ("c");
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  VireoDomain *domain;
  gboolean done = FALSE;

  g_mkdir_with_parents (images, 0700);
  assert_true (g_file_set_contents (own, "x", 1, NULL));
  vireo_domain_config_add_disk (a, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "raw", own));
  vireo_domain_config_add_disk (c, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "raw", own));
  assert_true (vireo_local_backend_load (f->engine, NULL));
  domain = vireo_local_backend_define_domain (f->engine, a, &error);
  assert_no_error (error);
  /* another process, unseen by this engine's list */
  xml = vireo_domain_config_format (c);
  write_domain_file (f, "c.xml", xml);
  assert_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "c"));

  vireo_backend_undefine_domain_async (VIREO_BACKEND (f->engine), domain, TRUE, NULL, on_undefined, &done);
  vireo_test_pump (NULL, &done, 10000);
  assert_true (done);
  assert_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "a"));
  assert_true (g_file_test (own, G_FILE_TEST_EXISTS));
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gboolean   *done)
{
  *done = TRUE;
}

/* A caller that never calls vireo_backend_undefine_domain_finish() (no
 * callback at all) still sees the VM leave the list. */
static void
test_undefine_without_finish (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) a = make_config ("a");
  g_autofree char *file = g_build_filename (f->root, "config", "domains", "a.xml", NULL);
  GListModel *domains;
  VireoDomain *domain;
  gboolean changed = FALSE;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  domain = vireo_local_backend_define_domain (f->engine, a, NULL);
  assert_non_null (domain);
  domains = vireo_backend_get_domains (VIREO_BACKEND (f->engine));
  g_signal_connect (domains, "items-changed", G_CALLBACK (on_items_changed), &changed);
  vireo_backend_undefine_domain_async (VIREO_BACKEND (f->engine), domain, FALSE, NULL, NULL, NULL);
  vireo_test_pump (NULL, &changed, 10000);
  assert_true (changed);
  assert_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "a"));
  assert_int_equal (g_list_model_get_n_items (domains), 0);
  assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_signal_handlers_disconnect_by_data (domains, &changed);
}

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A _finish given another function's result refuses it (a critical, and
 * a failure), and the right _finish still takes it. */
static void
test_finish_checks_the_tag (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) a = make_config ("a");
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  vireo_backend_define_domain_async (VIREO_BACKEND (f->engine), a, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_test_expect_message ("vireo-engine", G_LOG_LEVEL_CRITICAL, "*undefine_domain_finish*is_tagged*failed");
  assert_false (vireo_backend_undefine_domain_finish (VIREO_BACKEND (f->engine), result, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("vireo-engine", G_LOG_LEVEL_CRITICAL, "*disks_convert_finish*is_tagged*failed");
  assert_null (vireo_disks_convert_finish (f->engine, result, NULL, NULL));
  g_test_assert_expected_messages ();

  domain = vireo_backend_define_domain_finish (VIREO_BACKEND (f->engine), result, NULL);
  assert_non_null (domain);
  assert_string_equal (vireo_domain_get_name (domain), "a");
}

static void
on_attached (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError **error = user_data;
  g_autofree char *target = vireo_domain_attach_disk_finish (VIREO_DOMAIN (source), result, error);

  assert_null (target);
  assert_non_null (*error);
}

/* One callback for several operations finishes each through its own
 * _finish (a wrong one would fail its tag check, a critical here). */
static void
test_operation_finish (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) a = make_config ("a");
  VireoDomain *domain;
  GAsyncResult *results[2] = { NULL, NULL };

  assert_true (vireo_local_backend_load (f->engine, NULL));
  domain = vireo_local_backend_define_domain (f->engine, a, NULL);
  vireo_domain_action_async (domain, VIREO_DOMAIN_ACTION_PAUSE, NULL, keep_result, &results[0]);
  vireo_domain_destroy_async (domain, NULL, keep_result, &results[1]);
  while (results[0] == NULL || results[1] == NULL)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(GError) error = NULL;

      /* the VM is shut off: both say so, with its name */
      assert_false (vireo_domain_operation_finish (domain, results[i], &error));
      assert_non_null (error);
      assert_non_null (strstr (error->message, "'a'"));
      g_object_unref (results[i]);
    }
}

static void
on_cancelled_destroy (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  assert_false (vireo_domain_destroy_finish (VIREO_DOMAIN (source), result, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  *(gboolean *) user_data = TRUE;
}

/* A VM of this machine is a VireoLocalDomain, and every operation goes
 * through its class: the errors of a shut-off VM are the ones it always
 * gave, and a cancelled caller hears that it cancelled. */
static void
test_local_domain (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) a = make_config ("a");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GAsyncResult *results[3] = { NULL, NULL, NULL };
  VireoDomainStats stats = { .rss_bytes = 42 };
  g_autoptr(GAsyncResult) log = NULL;
  g_autoptr(GAsyncResult) sample = NULL;
  g_autoptr(GError) error = NULL;
  gboolean cancelled = FALSE;
  VireoDomain *domain;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  domain = vireo_local_backend_define_domain (f->engine, a, NULL);
  assert_true (VIREO_IS_LOCAL_DOMAIN (domain));
  assert_true (G_TYPE_IS_ABSTRACT (VIREO_TYPE_DOMAIN));

  vireo_domain_shutdown_async (domain, 5, NULL, keep_result, &results[0]);
  vireo_domain_destroy_async (domain, NULL, keep_result, &results[1]);
  vireo_domain_action_async (domain, VIREO_DOMAIN_ACTION_RESET, NULL, keep_result, &results[2]);
  vireo_domain_get_stats_async (domain, NULL, keep_result, &sample);
  vireo_domain_read_log_tail_async (domain, 10, NULL, keep_result, &log);
  while (results[0] == NULL || results[1] == NULL || results[2] == NULL || sample == NULL || log == NULL)
    g_main_context_iteration (NULL, TRUE);
  assert_true (g_async_result_is_tagged (results[0], vireo_domain_shutdown_async));
  assert_true (g_async_result_is_tagged (results[1], vireo_domain_destroy_async));
  assert_true (g_async_result_is_tagged (results[2], vireo_domain_action_async));
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(GError) failed = NULL;

      assert_false (vireo_domain_operation_finish (domain, results[i], &failed));
      assert_true (g_error_matches (failed, VIREO_ERROR, VIREO_ERROR_INVALID_STATE));
      assert_string_equal (failed->message, "VM 'a' is not running");
      g_object_unref (results[i]);
    }
  /* a failed sample leaves the caller's as it was */
  assert_false (vireo_domain_get_stats_finish (domain, sample, &stats, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE));
  assert_int_equal (stats.rss_bytes, 42);
  g_clear_error (&error);
  /* a VM that never ran has no log, which is no error */
  assert_null (vireo_domain_read_log_tail_finish (domain, log, &error));
  assert_null (error);

  g_cancellable_cancel (cancellable);
  vireo_domain_destroy_async (domain, cancellable, on_cancelled_destroy, &cancelled);
  vireo_test_pump (NULL, &cancelled, 5000);
  assert_true (cancelled);
}

/* The smallest VM of another host: it knows only actions, as the seam
 * between VireoDomain and a backend's subclass needs. */
#define TEST_TYPE_ACTION_DOMAIN (test_action_domain_get_type ())
G_DECLARE_FINAL_TYPE (TestActionDomain, test_action_domain, TEST, ACTION_DOMAIN, VireoDomain)

struct _TestActionDomain
{
  VireoDomain parent_instance;
  GArray *actions;              /* VireoDomainAction, as asked */
};

G_DEFINE_FINAL_TYPE (TestActionDomain, test_action_domain, VIREO_TYPE_DOMAIN)

static void
test_action_domain_action_async (VireoDomain         *domain,
                                 VireoDomainAction    action,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  TestActionDomain *self = TEST_ACTION_DOMAIN (domain);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, test_action_domain_action_async);
  g_array_append_val (self->actions, action);
  if (action == VIREO_DOMAIN_ACTION_RESET)
    g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED, "the host refused the reset");
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
test_action_domain_action_finish (VireoDomain   *domain,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  assert_true (g_async_result_is_tagged (result, test_action_domain_action_async));
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
test_action_domain_finalize (GObject *object)
{
  g_array_unref (TEST_ACTION_DOMAIN (object)->actions);
  G_OBJECT_CLASS (test_action_domain_parent_class)->finalize (object);
}

static void
test_action_domain_class_init (TestActionDomainClass *klass)
{
  VireoDomainClass *domain_class = VIREO_DOMAIN_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_action_domain_finalize;
  domain_class->action_async = test_action_domain_action_async;
  domain_class->action_finish = test_action_domain_action_finish;
}

static void
test_action_domain_init (TestActionDomain *self)
{
  self->actions = g_array_new (FALSE, FALSE, sizeof (VireoDomainAction));
}

/* vireo_domain_action_async() calls the subclass's action and gives its
 * result back, under the public function's tag. */
static void
test_domain_subclass (void **state)
{
  g_autoptr(TestActionDomain) domain = g_object_new (TEST_TYPE_ACTION_DOMAIN, NULL);
  GAsyncResult *results[2] = { NULL, NULL };
  g_autoptr(GError) error = NULL;

  vireo_domain_action_async (VIREO_DOMAIN (domain), VIREO_DOMAIN_ACTION_PAUSE, NULL, keep_result, &results[0]);
  vireo_domain_action_async (VIREO_DOMAIN (domain), VIREO_DOMAIN_ACTION_RESET, NULL, keep_result, &results[1]);
  while (results[0] == NULL || results[1] == NULL)
    g_main_context_iteration (NULL, TRUE);
  assert_int_equal (domain->actions->len, 2);
  assert_int_equal (g_array_index (domain->actions, VireoDomainAction, 0), VIREO_DOMAIN_ACTION_PAUSE);
  assert_int_equal (g_array_index (domain->actions, VireoDomainAction, 1), VIREO_DOMAIN_ACTION_RESET);

  assert_true (g_async_result_is_tagged (results[0], vireo_domain_action_async));
  assert_true (vireo_domain_action_finish (VIREO_DOMAIN (domain), results[0], NULL));
  assert_false (vireo_domain_operation_finish (VIREO_DOMAIN (domain), results[1], &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED));
  assert_string_equal (error->message, "the host refused the reset");
  g_object_unref (results[0]);
  g_object_unref (results[1]);

  /* what the subclass does not do is refused, not left hanging */
  g_clear_error (&error);
  results[0] = NULL;
  vireo_domain_screenshot_async (VIREO_DOMAIN (domain), "/nonexistent/shot.png", NULL, keep_result, &results[0]);
  while (results[0] == NULL)
    g_main_context_iteration (NULL, TRUE);
  assert_false (vireo_domain_screenshot_finish (VIREO_DOMAIN (domain), results[0], &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED));
  assert_non_null (strstr (error->message, "its host does not support this"));
  g_object_unref (results[0]);

  /* nor are this machine's snapshots (qcow2 images, run folders) */
  g_clear_error (&error);
  results[0] = NULL;
  vireo_domain_list_snapshots_async (VIREO_DOMAIN (domain), NULL, keep_result, &results[0]);
  while (results[0] == NULL)
    g_main_context_iteration (NULL, TRUE);
  assert_null (vireo_domain_list_snapshots_finish (VIREO_DOMAIN (domain), results[0], NULL, &error));
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED));
  g_object_unref (results[0]);

  /* what only a VM of this machine does, it skips: its state stays, it
   * has no start note, and its addresses need no asking */
  vireo_domain_refresh_state (VIREO_DOMAIN (domain));
  assert_int_equal (vireo_domain_get_state (VIREO_DOMAIN (domain)), VIREO_DOMAIN_STATE_SHUTOFF);
  assert_null (vireo_domain_get_start_note (VIREO_DOMAIN (domain)));
  g_clear_error (&error);
  results[0] = NULL;
  vireo_domain_refresh_addresses_async (VIREO_DOMAIN (domain), NULL, keep_result, &results[0]);
  while (results[0] == NULL)
    g_main_context_iteration (NULL, TRUE);
  assert_true (g_async_result_is_tagged (results[0], vireo_domain_refresh_addresses_async));
  assert_true (vireo_domain_refresh_addresses_finish (VIREO_DOMAIN (domain), results[0], &error));
  assert_null (error);
  assert_null (vireo_domain_get_guest_addresses (VIREO_DOMAIN (domain)));
  g_object_unref (results[0]);
}

/* Adding a new disk, cancelled while its image is made: the error says
 * so, no image is left and the definition is as it was. */
static void
test_attach_cancelled (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) a = make_config ("a");
  g_autofree char *images = g_build_filename (f->root, "data", "images", NULL);
  g_autofree char *file = g_build_filename (f->root, "config", "domains", "a.xml", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(VireoJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GDir) dir = NULL;
  VireoDiskRequest request = { VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, 64 << 20, NULL, images };
  VireoDomain *domain;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  domain = vireo_local_backend_define_domain (f->engine, a, NULL);
  before = vireo_test_read (file);
  vireo_domain_attach_disk_async (domain, &request, &job, cancellable, on_attached, &error);
  assert_non_null (job);
  g_cancellable_cancel (cancellable);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);

  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  after = vireo_test_read (file);
  assert_string_equal (before, after);
  assert_int_equal (vireo_domain_get_config (domain)->disks->len, 1);
  dir = g_dir_open (images, 0, NULL);
  assert_true (dir == NULL || g_dir_read_name (dir) == NULL);
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;
  VireoDomain *domain = vireo_create_domain_finish (VIREO_BACKEND (source), result, error);

  /* the error pointer doubles as "done": a VM sets a placeholder */
  if (domain != NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "created");
  g_clear_object (&domain);
}

static GError *
create_and_wait (Fixture            *f,
                 VireoCreateOptions *options,
                 gboolean            cancel)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GError *error = NULL;

  vireo_create_domain_async (VIREO_BACKEND (f->engine), options, NULL, cancellable, on_created, &error);
  if (cancel)
    g_cancellable_cancel (cancellable);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  return error;
}

/* New VMs: a missing file is said with the VM's name, a cancelled one
 * leaves neither a disk nor a definition, an uncancelled one has both. */
static void
test_create_async (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoCreateOptions) options = vireo_create_options_new ();
  g_autofree char *disk = g_build_filename (f->root, "data", "images", "n.qcow2", NULL);
  g_autofree char *file = g_build_filename (f->root, "config", "domains", "n.xml", NULL);
  GError *error;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  options->name = g_strdup ("n");
  options->memory_mib = 256;
  options->disk_bytes = 8 << 20;
  options->kernel = g_build_filename (f->root, "no-such-kernel", NULL);
  error = create_and_wait (f, options, FALSE);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));
  assert_non_null (strstr (error->message, "'n'"));
  g_clear_error (&error);
  g_clear_pointer (&options->kernel, g_free);

  error = create_and_wait (f, options, TRUE);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_clear_error (&error);
  assert_false (g_file_test (disk, G_FILE_TEST_EXISTS));
  assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  assert_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "n"));

  error = create_and_wait (f, options, FALSE);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS));
  g_clear_error (&error);
  assert_true (g_file_test (disk, G_FILE_TEST_IS_REGULAR));
  assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
  assert_non_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "n"));
}

/* An installer boots through UEFI with a TPM when OVMF is there; a
 * kernel, an import or a host without OVMF gets BIOS; the choices reach
 * the definition. */
static void
test_create_firmware (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoCreateOptions) options = vireo_create_options_new ();
  g_autofree char *ovmf = g_build_filename (f->root, "ovmf", NULL);
  g_autofree char *code = g_build_filename (ovmf, "OVMF_CODE_4M.fd", NULL);
  VireoDomain *domain;
  GError *error;
  gboolean efi = TRUE, tpm = TRUE;

  g_setenv ("VIREO_OVMF_DIR", ovmf, TRUE);
  vireo_create_default_firmware (TRUE, &efi, &tpm);
  assert_false (efi);
  assert_false (tpm);
  assert_int_equal (g_mkdir (ovmf, 0700), 0);
  assert_true (g_file_set_contents (code, "", 0, NULL));
  vireo_create_default_firmware (TRUE, &efi, &tpm);
  assert_true (efi);
  assert_true (tpm);
  vireo_create_default_firmware (FALSE, &efi, &tpm);
  assert_false (efi);
  assert_false (tpm);
  g_unsetenv ("VIREO_OVMF_DIR");

  assert_true (vireo_local_backend_load (f->engine, NULL));
  options->name = g_strdup ("u");
  options->memory_mib = 256;
  options->efi = options->tpm = TRUE;
  error = create_and_wait (f, options, FALSE);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS));
  g_clear_error (&error);
  domain = vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "u");
  assert_true (vireo_domain_config_uses_efi (vireo_domain_get_config (domain)));
  assert_string_equal (vireo_domain_get_config (domain)->tpm_model, "tpm-crb");
}

/* New MACs are valid, QEMU's, and not any defined VM's. */
static void
test_generate_mac (void **state)
{
  Fixture *f = *state;
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  assert_true (vireo_local_backend_load (f->engine, NULL));
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("m%u", i);
      g_autoptr(VireoDomainConfig) config = make_config (name);
      g_autofree char *mac = vireo_backend_generate_mac (VIREO_BACKEND (f->engine));
      g_autofree char *normal = vireo_mac_normalize (mac);

      assert_non_null (normal);
      assert_true (g_str_has_prefix (mac, "52:54:00:"));
      assert_false (g_hash_table_contains (used, mac));
      g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_USER, NULL, mac));
      assert_non_null (vireo_local_backend_define_domain (f->engine, config, NULL));
      g_hash_table_add (used, g_strdup (mac));
    }
}

/* NAME-clone, NAME-clone2…, within the name limit, skipping taken names. */
static void
test_clone_names (void **state)
{
  Fixture *f = *state;
  g_autofree char *long_name = g_strnfill (VIREO_NAME_MAX, 'x');
  g_autofree char *c1 = vireo_clone_name_candidate ("web", 1);
  g_autofree char *c3 = vireo_clone_name_candidate ("web", 3);
  g_autofree char *cl = vireo_clone_name_candidate (long_name, 12);
  g_autoptr(VireoDomainConfig) taken = make_config ("web-clone");
  g_autofree char *suggested = NULL;

  assert_string_equal (c1, "web-clone");
  assert_string_equal (c3, "web-clone3");
  assert_int_equal (strlen (cl), VIREO_NAME_MAX);
  assert_true (g_str_has_suffix (cl, "-clone12"));
  assert_true (vireo_name_validate (cl, NULL));

  assert_true (vireo_local_backend_load (f->engine, NULL));
  assert_non_null (vireo_local_backend_define_domain (f->engine, taken, NULL));
  suggested = vireo_clone_suggest_name (VIREO_BACKEND (f->engine), "web");
  assert_string_equal (suggested, "web-clone2");
}

typedef struct {
  VireoDomain *source;
  VireoDomain *clone;
  GError *error;
  gboolean done;
  gboolean source_lockable;  /* from the callback: the source's locks were free */
} CloneWait;

static void
on_cloned (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CloneWait *w = user_data;
  const char *run_dir = vireo_domain_get_run_dir (w->source);
  const char *name = vireo_domain_get_name (w->source);
  g_autoptr(VireoLock) change = NULL;
  g_autoptr(VireoLock) run = NULL;

  w->clone = vireo_domain_clone_finish (VIREO_DOMAIN (source), result, &w->error);
  /* what a front end does next from here: start it, clone it again */
  change = _vireo_domain_lock_change (run_dir, name, VIREO_DOMAIN_LOCK_STARTING, NULL);
  run = change ? _vireo_domain_lock_run (run_dir, name, VIREO_DOMAIN_LOCK_STARTING, NULL) : NULL;
  w->source_lockable = run != NULL;
  w->done = TRUE;
}

static void
clone_wait (Fixture     *f,
            CloneWait   *w,
            const char  *name)
{
  g_autoptr(VireoCloneOptions) options = vireo_clone_options_new ();

  options->name = g_strdup (name);
  options->linked = TRUE;
  vireo_domain_clone_async (w->source, options, NULL, NULL, on_cloned, w);
}

/* A VM "src" on an 8 MiB qcow2 image in the images folder. */
static VireoDomain *
make_source (Fixture *f)
{
  g_autoptr(VireoCreateOptions) options = vireo_create_options_new ();
  GError *error;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  options->name = g_strdup ("src");
  options->memory_mib = 256;
  options->disk_bytes = 8 << 20;
  error = create_and_wait (f, options, FALSE);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS));
  g_clear_error (&error);
  return vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "src");
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
list_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    g_ptr_array_add (names, (gpointer) name);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static mode_t
file_mode (const char *path)
{
  GStatBuf st;

  assert_int_equal (g_stat (path, &st), 0);
  return st.st_mode & 07777;
}

/* The source's definition changed on disk (another process cloned it or
 * attached a disk) after this engine read it: the clone is refused and
 * makes nothing; once the engine has read it again, the clone works, and
 * the callback finds the source's locks free. */
static void
test_clone_stale_definition (void **state)
{
  Fixture *f = *state;
  g_autofree char *images = g_build_filename (f->root, "data", "images", NULL);
  g_autofree char *base = g_build_filename (images, "src.qcow2", NULL);
  g_autofree char *file = g_build_filename (f->root, "config", "domains", "src.xml", NULL);
  g_autoptr(VireoDomainConfig) changed = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *after = NULL;
  CloneWait w = { 0 };

  w.source = make_source (f);
  changed = vireo_domain_config_copy (vireo_domain_get_config (w.source));
  changed->vcpus = 3;
  xml = vireo_domain_config_format (changed);
  assert_true (g_file_set_contents (file, xml, -1, NULL));
  listed = list_folder (images);
  clone_wait (f, &w, "c");
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  assert_null (w.clone);
  assert_true (g_error_matches (w.error, VIREO_ERROR, VIREO_ERROR_BUSY));
  assert_string_equal (w.error->message, "VM 'src' changed while the clone was being prepared; try again");
  g_clear_error (&w.error);
  after = vireo_test_read (file);
  assert_string_equal (after, xml);
  g_free (after);
  after = list_folder (images);
  assert_string_equal (after, listed);
  assert_int_equal (file_mode (base), 0600);
  assert_true (w.source_lockable);

  assert_true (vireo_local_backend_load (f->engine, NULL));
  assert_int_equal (vireo_domain_get_config (w.source)->vcpus, 3);
  w.done = FALSE;
  clone_wait (f, &w, "c");
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  assert_no_error (w.error);
  assert_non_null (w.clone);
  assert_true (w.source_lockable);
  assert_int_equal (file_mode (base), 0400);
  assert_int_equal (vireo_domain_get_config (w.clone)->vcpus, 3);
  assert_non_null (strstr (vireo_domain_get_config (w.source)->disks->len
                           ? ((VireoDiskConfig *) g_ptr_array_index (vireo_domain_get_config (w.source)->disks, 0))->path
                           : "", "src-vda-1.qcow2"));
  g_clear_object (&w.clone);
}

/* The clone's definition is the last thing written: when it fails (a VM
 * of that name appeared meanwhile), the source is put back on its image,
 * writable again, and every overlay is gone; what is on disk starts. */
static void
test_clone_rolls_back (void **state)
{
  Fixture *f = *state;
  g_autofree char *images = g_build_filename (f->root, "data", "images", NULL);
  g_autofree char *base = g_build_filename (images, "src.qcow2", NULL);
  g_autofree char *file = g_build_filename (f->root, "config", "domains", "src.xml", NULL);
  g_autofree char *dup_file = g_build_filename (f->root, "config", "domains", "dup.xml", NULL);
  g_autoptr(VireoDomainConfig) dup = make_config ("dup");
  g_autoptr(VireoDomainConfig) on_disk = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dup_xml = vireo_domain_config_format (dup);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *listed = NULL;
  CloneWait w = { 0 };

  w.source = make_source (f);
  before = vireo_test_read (file);
  listed = list_folder (images);
  /* another process defines "dup" after this engine's list was read */
  assert_true (g_file_set_contents (dup_file, dup_xml, -1, NULL));
  clone_wait (f, &w, "dup");
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  assert_null (w.clone);
  assert_true (g_error_matches (w.error, VIREO_ERROR, VIREO_ERROR_EXISTS));
  assert_string_equal (w.error->message, "A VM named 'dup' already exists");
  g_clear_error (&w.error);
  assert_true (w.source_lockable);

  after = vireo_test_read (file);
  assert_string_equal (after, before);
  g_free (after);
  after = vireo_test_read (dup_file);
  assert_string_equal (after, dup_xml);
  g_free (after);
  after = list_folder (images);
  assert_string_equal (after, listed);
  assert_int_equal (file_mode (base), 0600);
  on_disk = _vireo_domain_read_definition (vireo_local_backend_get_paths (f->engine), "src", &error);
  assert_no_error (error);
  assert_true (vireo_storage_check_images (on_disk, &error));
  assert_no_error (error);
}

/* qemu-img -p prints "    (12.34/100%)\r"; reads may split a figure. */
static void
test_progress_parsing (void **state)
{
  double fraction = -1;

  assert_true (vireo_storage_parse_progress ("    (0.00/100%)\r    (12.34/100%)\r", &fraction));
  assert_float_equal (fraction, 0.1234, 1e-9);
  assert_true (vireo_storage_parse_progress ("    (50.00/100%)\r    (51.", &fraction));
  assert_float_equal (fraction, 0.5, 1e-9);
  assert_true (vireo_storage_parse_progress ("(100.00/100%)\r\n", &fraction));
  assert_float_equal (fraction, 1.0, 1e-9);
  assert_false (vireo_storage_parse_progress ("qemu-img: Could not open (x)", &fraction));
  assert_false (vireo_storage_parse_progress ("", &fraction));
}

/* Who uses an image is read from the definitions on disk: as a disk and
 * as a base at any depth of a chain; the VM that lets go does not count. */
static void
test_image_users (void **state)
{
  Fixture *f = *state;
  const VireoPaths *paths = vireo_local_backend_get_paths (f->engine);
  g_autofree char *base = g_build_filename (paths->images_dir, "base.qcow2", NULL);
  g_autofree char *deep = g_build_filename (paths->images_dir, "deep.qcow2", NULL);
  g_autofree char *chain = g_strconcat (base, ",", deep, NULL);
  g_autoptr(VireoDomainConfig) a = vireo_domain_config_new ("a");
  g_autoptr(VireoDomainConfig) b = vireo_domain_config_new ("b");
  g_autoptr(VireoDomainConfig) c = make_config ("c");
  g_auto(GStrv) users = NULL;
  g_auto(GStrv) others = NULL;
  g_autofree char *kept = NULL;
  VireoDiskConfig *disk;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  disk = vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO, "qcow2", "/nonexistent/a.qcow2");
  disk->backing = g_strsplit (chain, ",", -1);
  vireo_domain_config_add_disk (a, disk);
  vireo_domain_config_add_disk (b, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO,
                                                          "qcow2", base));
  assert_non_null (vireo_local_backend_define_domain (f->engine, a, NULL));
  assert_non_null (vireo_local_backend_define_domain (f->engine, b, NULL));
  assert_non_null (vireo_local_backend_define_domain (f->engine, c, NULL));

  users = _vireo_store_image_users (paths, base, NULL, NULL);
  assert_int_equal (g_strv_length (users), 2);
  assert_string_equal (users[0], "a");
  assert_string_equal (users[1], "b");
  others = _vireo_store_image_users (paths, base, "b", NULL);
  assert_int_equal (g_strv_length (others), 1);
  assert_true (vireo_local_backend_image_in_use (f->engine, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "b"), base));

  kept = vireo_local_backend_describe_kept_base (f->engine, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "a"), disk);
  assert_non_null (kept);
  assert_non_null (strstr (kept, ": VM 'b' uses it"));
  assert_true (g_str_has_prefix (kept, "Kept ") && strstr (kept, base) != NULL);

  /* the deep base: only a stands on it, through base */
  g_clear_pointer (&users, g_strfreev);
  users = _vireo_store_image_users (paths, deep, NULL, NULL);
  assert_int_equal (g_strv_length (users), 1);
  assert_string_equal (users[0], "a");
  g_clear_pointer (&others, g_strfreev);
  others = _vireo_store_image_users (paths, deep, "a", NULL);
  assert_null (others[0]);
  assert_true (vireo_local_backend_image_in_use (f->engine, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "b"), deep));
  assert_false (vireo_local_backend_image_in_use (f->engine, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "a"), deep));
}

/* A MAC that a defined VM uses is drawn again: the engine's random source
 * replays the same sequence as a twin, so the first draw collides. */
static void
test_generate_mac_skips_used (void **state)
{
  Fixture *f = *state;
  g_autoptr(GRand) twin = g_rand_new_with_seed (1234);
  g_autoptr(VireoDomainConfig) config = make_config ("taken");
  g_autofree char *first = vireo_mac_generate (twin);
  g_autofree char *second = vireo_mac_generate (twin);
  g_autofree char *mac = NULL;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  assert_string_not_equal (first, second);
  g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_USER, NULL, first));
  assert_non_null (vireo_local_backend_define_domain (f->engine, config, NULL));

  _vireo_backend_set_rand (VIREO_BACKEND (f->engine), g_rand_new_with_seed (1234));
  mac = vireo_backend_generate_mac (VIREO_BACKEND (f->engine));
  assert_string_equal (mac, second);
}

static gboolean
has_n_domains (VireoLocalBackend *engine,
               guint              n)
{
  return g_list_model_get_n_items (vireo_backend_get_domains (VIREO_BACKEND (engine))) == n;
}

static void
test_monitoring_sees_other_clients (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoLocalBackend) other = vireo_local_backend_new (f->root);
  g_autoptr(VireoDomainConfig) config = make_config ("elsewhere");
  gboolean seen = FALSE;
  VireoDomain *domain;
  gint64 end;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  assert_true (vireo_local_backend_load (other, NULL));
  vireo_local_backend_start_monitoring (f->engine, 20);

  /* another client defines a VM … */
  assert_non_null (vireo_local_backend_define_domain (other, config, NULL));
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!(seen = has_n_domains (f->engine, 1)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  assert_true (seen);

  /* … and deletes it */
  domain = vireo_backend_lookup_domain (VIREO_BACKEND (other), "elsewhere");
  assert_true (vireo_local_backend_undefine_domain (other, domain, FALSE, NULL));
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!(seen = has_n_domains (f->engine, 0)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  assert_true (seen);
}

typedef struct {
  gboolean done;
  GError *error;
} DefineWait;

static void
on_define_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  DefineWait *wait = user_data;
  g_autoptr(VireoDomain) domain = vireo_backend_define_domain_finish (VIREO_BACKEND (source), result, &wait->error);

  wait->done = TRUE;
}

/* A caller that cancelled is told so, whatever the worker got to: it may
 * be gone (a closed window).  The list still follows the disk. */
static void
test_cancelled_define_tells_caller (void **state)
{
  Fixture *f = *state;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("c%u", i);
      g_autofree char *file = g_strdup_printf ("%s/config/domains/%s.xml", f->root, name);
      g_autoptr(VireoDomainConfig) config = make_config (name);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      DefineWait wait = { FALSE, NULL };

      vireo_backend_define_domain_async (VIREO_BACKEND (f->engine), config, cancellable, on_define_done, &wait);
      /* sooner or later than the worker's write, as it happens */
      if (i % 2 == 1)
        g_usleep (i * 500);
      g_cancellable_cancel (cancellable);
      vireo_test_pump (NULL, &wait.done, 10000);
      assert_true (wait.done);
      assert_true (g_error_matches (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
      g_clear_error (&wait.error);
      assert_int_equal (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), name) != NULL,
                        g_file_test (file, G_FILE_TEST_EXISTS));
    }
}

static gboolean
title_is (VireoLocalBackend *engine,
          const char        *name,
          const char        *title)
{
  VireoDomain *domain = vireo_backend_lookup_domain (VIREO_BACKEND (engine), name);

  return domain && g_strcmp0 (vireo_domain_get_config (domain)->title, title) == 0;
}

/* A definition rewritten in place (an editor's save, no rename) is seen
 * too: it changes no folder mtime, only the file's. */
static void
test_monitoring_sees_edits_in_place (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoLocalBackend) other = vireo_local_backend_new (f->root);
  g_autoptr(VireoDomainConfig) config = make_config ("edited");
  g_autofree char *file = g_build_filename (f->root, "config", "domains", "edited.xml", NULL);
  g_autofree char *xml = NULL;
  gint64 end;
  FILE *fp;

  assert_true (vireo_local_backend_load (other, NULL));
  assert_non_null (vireo_local_backend_define_domain (other, config, NULL));
  assert_true (vireo_local_backend_load (f->engine, NULL));
  vireo_local_backend_start_monitoring (f->engine, 20);
  config->title = g_strdup ("in place");
  xml = vireo_domain_config_format (config);
  fp = fopen (file, "w");
  assert_non_null (fp);
  fputs (xml, fp);
  fclose (fp);
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!title_is (f->engine, "edited", "in place") && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  assert_true (title_is (f->engine, "edited", "in place"));
}

/* A reload that began before this process defined a VM does not drop or
 * replace it: the VM object define returned stays the one in the list. */
static void
test_reload_keeps_newer_definitions (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoLocalBackend) other = vireo_local_backend_new (f->root);

  assert_true (vireo_local_backend_load (other, NULL));
  assert_true (vireo_local_backend_load (f->engine, NULL));
  vireo_local_backend_start_monitoring (f->engine, 20);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *theirs = g_strdup_printf ("theirs%u", i);
      g_autofree char *ours = g_strdup_printf ("ours%u", i);
      g_autoptr(VireoDomainConfig) a = make_config (theirs);
      g_autoptr(VireoDomainConfig) b = make_config (ours);
      VireoDomain *mine;
      gint64 end;

      assert_non_null (vireo_local_backend_define_domain (other, a, NULL));
      /* let the reload start, then define while it reads */
      end = g_get_monotonic_time () + (i % 5) * 10000;
      while (g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, FALSE);
      mine = vireo_local_backend_define_domain (f->engine, b, NULL);
      assert_non_null (mine);
      end = g_get_monotonic_time () + 300000;
      while (g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, FALSE);
      assert_ptr_equal (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), ours), mine);
    }
}

/* Watching costs nothing while nothing changes: no load feeds another
 * (a chmod of the watched folder on every load did, for ever). */
static void
test_monitoring_is_quiet (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = make_config ("still");
  gint64 end;

  assert_true (vireo_local_backend_load (f->engine, NULL));
  assert_non_null (vireo_local_backend_define_domain (f->engine, config, NULL));
  vireo_local_backend_start_monitoring (f->engine, 20);
  end = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  /* the first load, the one define's event asks for, and no more */
  assert_true (_vireo_local_backend_get_load_count (f->engine) <= 3);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* A reload reads only the files that changed: the others keep their VM
 * objects and their configs, and nobody is told they changed. */
static void
test_reload_reads_changed_files_only (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoLocalBackend) other = vireo_local_backend_new (f->root);
  g_autoptr(VireoDomainConfig) a = make_config ("a");
  g_autoptr(VireoDomainConfig) b = make_config ("b");
  g_autoptr(VireoDomainConfig) edited = NULL;
  const VireoDomainConfig *before;
  VireoDomain *da, *db;
  guint a_changes = 0, b_changes = 0;

  assert_true (vireo_local_backend_load (other, NULL));
  assert_non_null (vireo_local_backend_define_domain (other, a, NULL));
  assert_non_null (vireo_local_backend_define_domain (other, b, NULL));
  assert_true (vireo_local_backend_load (f->engine, NULL));
  da = vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "a");
  db = vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "b");
  before = vireo_domain_get_config (da);
  g_signal_connect (da, "notify::config", G_CALLBACK (count_notify), &a_changes);
  g_signal_connect (db, "notify::config", G_CALLBACK (count_notify), &b_changes);

  /* another client edits b only */
  edited = vireo_domain_config_copy (vireo_domain_get_config (vireo_backend_lookup_domain (VIREO_BACKEND (other), "b")));
  edited->title = g_strdup ("edited elsewhere");
  assert_non_null (vireo_local_backend_define_domain (other, edited, NULL));
  assert_true (vireo_local_backend_load (f->engine, NULL));

  assert_ptr_equal (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "a"), da);
  assert_ptr_equal (vireo_domain_get_config (da), before);   /* not even re-parsed */
  assert_int_equal (a_changes, 0);
  assert_int_equal (b_changes, 1);
  assert_string_equal (vireo_domain_get_config (db)->title, "edited elsewhere");

  /* proof that a's file is not read: spoil it in place, same size, same
   * inode, same mtime — a reload that read it would drop VM a */
  {
    g_autofree char *path = g_build_filename (f->root, "config", "domains", "a.xml", NULL);
    GStatBuf st;
    struct timespec times[2];
    g_autofree char *text = NULL;
    gsize len;
    FILE *fp;

    assert_true (g_stat (path, &st) == 0);
    assert_true (g_file_get_contents (path, &text, &len, NULL));
    memset (text, 'x', len);
    fp = fopen (path, "r+");
    assert_non_null (fp);
    assert_int_equal (fwrite (text, 1, len, fp), len);
    fclose (fp);
    times[0] = st.st_atim;
    times[1] = st.st_mtim;
    assert_int_equal (utimensat (AT_FDCWD, path, times, 0), 0);
    assert_true (vireo_local_backend_load (f->engine, NULL));
    assert_ptr_equal (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "a"), da);
    assert_int_equal (vireo_local_backend_get_load_errors (f->engine)->len, 0);
  }
  g_signal_handlers_disconnect_by_data (da, &a_changes);
  g_signal_handlers_disconnect_by_data (db, &b_changes);
}

typedef struct {
  gboolean done;
  gboolean ok;
  gboolean pending;
  GError *error;
} ForwardResult;

static void
on_forward_edited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ForwardResult *r = user_data;

  if (g_async_result_is_tagged (result, vireo_port_forwards_add_async))
    r->ok = vireo_port_forwards_add_finish (VIREO_LOCAL_BACKEND (source), result, &r->pending, &r->error);
  else
    r->ok = vireo_port_forwards_remove_finish (VIREO_LOCAL_BACKEND (source), result, &r->pending, &r->error);
  r->done = TRUE;
}

/* Adds (or removes) @spec on a shut-off VM; returns the error, if any. */
static GError *
edit_forward (Fixture     *f,
              VireoDomain *domain,
              const char  *mac,
              const char  *spec,
              gboolean     add)
{
  g_autoptr(VireoPortForward) forward = vireo_port_forward_parse (spec, add, NULL);
  ForwardResult r = { 0 };

  assert_non_null (forward);
  if (add)
    vireo_port_forwards_add_async (f->engine, domain, mac, forward, NULL, on_forward_edited, &r);
  else
    vireo_port_forwards_remove_async (f->engine, domain, mac, forward, NULL, on_forward_edited, &r);
  vireo_test_pump (NULL, &r.done, 10000);
  assert_true (r.done);
  assert_false (r.pending);
  assert_true (r.ok == (r.error == NULL));
  return r.error;
}

static guint
n_forwards (VireoDomain *domain,
            guint        nic)
{
  return ((VireoNicConfig *) g_ptr_array_index (vireo_domain_get_config (domain)->nics, nic))->forwards->len;
}

/* On a shut-off VM a forward is a definition change, checked by the
 * definition's rules and written to its file. */
static void
test_port_forwards_offline (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = make_config ("pf");
  g_autofree char *file = g_build_filename (f->root, "config", "domains", "pf.xml", NULL);
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  VireoDomain *domain;

  g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_NETWORK, "default", "52:54:00:00:00:0a"));
  g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_USER, NULL, "52:54:00:00:00:0b"));
  assert_true (vireo_local_backend_load (f->engine, NULL));
  domain = vireo_local_backend_define_domain (f->engine, config, &error);
  assert_no_error (error);

  /* no MAC: the first user-mode NIC */
  assert_null (edit_forward (f, domain, NULL, "tcp:2222:22", TRUE));
  assert_int_equal (n_forwards (domain, 1), 1);
  xml = vireo_test_read (file);
  assert_non_null (strstr (xml, "mac=\"52:54:00:00:00:0b\" protocol=\"tcp\" address=\"127.0.0.1\" host=\"2222\" guest=\"22\""));

  error = edit_forward (f, domain, NULL, "tcp:127.0.0.1:2222:80", TRUE);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG));
  assert_non_null (strstr (error->message, "forwarded twice"));
  g_clear_error (&error);
  error = edit_forward (f, domain, "52:54:00:00:00:0A", "tcp:2223:22", TRUE);
  assert_non_null (strstr (error->message, "interface 52:54:00:00:00:0a is not user-mode"));
  g_clear_error (&error);
  error = edit_forward (f, domain, "52:54:00:00:00:0c", "tcp:2223:22", TRUE);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));
  g_clear_error (&error);
  assert_int_equal (n_forwards (domain, 1), 1);

  /* removed by its host side; a second time there is nothing to remove */
  assert_null (edit_forward (f, domain, NULL, "tcp:2222", FALSE));
  assert_int_equal (n_forwards (domain, 1), 0);
  error = edit_forward (f, domain, NULL, "tcp:2222", FALSE);
  assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND));
  assert_string_equal (error->message, "VM 'pf' does not forward host port tcp 127.0.0.1:2222");
}

/* QEMU's line about a forward it could not set up becomes the VM, the
 * port and why. */
static void
test_port_forward_start_error (void **state)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_autofree char *line = NULL;
  g_autofree char *want = NULL;
  g_autoptr(GError) error = NULL;

  assert_true (fd >= 0);
  assert_int_equal (bind (fd, (struct sockaddr *) &addr, sizeof addr), 0);
  assert_int_equal (listen (fd, 1), 0);
  assert_int_equal (getsockname (fd, (struct sockaddr *) &addr, &len), 0);
  line = g_strdup_printf ("-netdev {\"type\":\"user\",\"hostfwd\":[{\"str\":\"tcp:127.0.0.1:%u-:22\"}],"
                          "\"id\":\"net0\"}: Could not set up host forwarding rule 'tcp:127.0.0.1:%u-:22'",
                          ntohs (addr.sin_port), ntohs (addr.sin_port));
  error = _vireo_port_forward_start_error ("web", line);
  close (fd);
  want = g_strdup_printf ("VM 'web' failed to start: it cannot forward host port tcp 127.0.0.1:%u: %s",
                          ntohs (addr.sin_port), g_strerror (EADDRINUSE));
  assert_non_null (error);
  assert_string_equal (error->message, want);
  assert_null (_vireo_port_forward_start_error ("web", "-netdev user: Invalid parameter 'x'"));
  assert_null (_vireo_port_forward_start_error ("web", "Could not set up host forwarding rule 'bogus'"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_define_load_undefine, setup, teardown),
    cmocka_unit_test_setup_teardown (test_define_conflicts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_local_host, setup, teardown),
    cmocka_unit_test_setup_teardown (test_open_display_errors, setup, teardown),
    cmocka_unit_test_setup_teardown (test_define_nvram_conflicts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_define_network_mac_conflicts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_corrupt_files_are_skipped, setup, teardown),
    cmocka_unit_test_setup_teardown (test_stale_state_files, setup, teardown),
    cmocka_unit_test_setup_teardown (test_monitoring_sees_other_clients, setup, teardown),
    cmocka_unit_test_setup_teardown (test_reload_reads_changed_files_only, setup, teardown),
    cmocka_unit_test_setup_teardown (test_cancelled_define_tells_caller, setup, teardown),
    cmocka_unit_test_setup_teardown (test_monitoring_sees_edits_in_place, setup, teardown),
    cmocka_unit_test_setup_teardown (test_monitoring_is_quiet, setup, teardown),
    cmocka_unit_test_setup_teardown (test_reload_keeps_newer_definitions, setup, teardown),
    cmocka_unit_test_setup_teardown (test_describe_guest, setup, teardown),
    cmocka_unit_test_setup_teardown (test_undefine_async, setup, teardown),
    cmocka_unit_test_setup_teardown (test_undefine_rechecks_on_disk, setup, teardown),
    cmocka_unit_test_setup_teardown (test_undefine_without_finish, setup, teardown),
    cmocka_unit_test_setup_teardown (test_finish_checks_the_tag, setup, teardown),
    cmocka_unit_test_setup_teardown (test_attach_cancelled, setup, teardown),
    cmocka_unit_test_setup_teardown (test_operation_finish, setup, teardown),
    cmocka_unit_test_setup_teardown (test_local_domain, setup, teardown),
    cmocka_unit_test (test_domain_subclass),
    cmocka_unit_test_setup_teardown (test_create_async, setup, teardown),
    cmocka_unit_test_setup_teardown (test_create_firmware, setup, teardown),
    cmocka_unit_test_setup_teardown (test_port_forwards_offline, setup, teardown),
    cmocka_unit_test_setup_teardown (test_port_forward_start_error, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_mac, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_mac_skips_used, setup, teardown),
    cmocka_unit_test_setup_teardown (test_clone_names, setup, teardown),
    cmocka_unit_test_setup_teardown (test_clone_stale_definition, setup, teardown),
    cmocka_unit_test_setup_teardown (test_clone_rolls_back, setup, teardown),
    cmocka_unit_test_setup_teardown (test_progress_parsing, setup, teardown),
    cmocka_unit_test_setup_teardown (test_image_users, setup, teardown),
    cmocka_unit_test_setup_teardown (test_define_document_portal, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
