/* test-domain-watch.c: whether a VM's shim lives, with a shim that dies
 * at the worst moment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linked with -Wl,--wrap=syscall: the engine's pidfd_open() comes here
 * first, where a test can end the stand-in shim (this process's listening
 * socket) between the probe that found it and the pidfd, as a SIGKILL
 * there would.
 */
#include <dirent.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vireo-local-domain-private.h"
#include "vireo-local-backend.h"
#include "vireo-test-util.h"

typedef enum {
  PIDFD_REAL,           /* no shim dies */
  PIDFD_AFTER_DEATH,    /* it dies, then the pidfd is made (of a live pid) */
  PIDFD_TOO_LATE,       /* it dies and its pid is gone: ESRCH */
} PidfdScript;

static PidfdScript script;
static GSocket *shim;   /* the stand-in's listening socket */

long __real_syscall (long number, ...);
long __wrap_syscall (long number, ...);

long
__wrap_syscall (long number, ...)
{
  va_list ap;
  long a[6];

  va_start (ap, number);
  for (guint i = 0; i < G_N_ELEMENTS (a); i++)
    a[i] = va_arg (ap, long);
  va_end (ap);
  if (number == SYS_pidfd_open && script != PIDFD_REAL && shim != NULL)
    {
      /* the shim dies: its socket file stays, nobody listens */
      g_socket_close (shim, NULL);
      if (script == PIDFD_TOO_LATE)
        {
          errno = ESRCH;
          return -1;
        }
    }
  return __real_syscall (number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  assert_non_null (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* A running VM whose shim is this process, listening on shim.sock. */
static VireoDomain *
running_domain (VireoLocalBackend *engine,
                const char        *name)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new (name);
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *sock = NULL;
  g_autofree char *state = NULL;
  g_autofree char *json = NULL;
  VireoDomain *domain;

  domain = vireo_local_backend_define_domain (engine, config, NULL);
  assert_non_null (domain);
  g_mkdir_with_parents (vireo_domain_get_run_dir (domain), 0700);
  sock = g_build_filename (vireo_domain_get_run_dir (domain), "shim.sock", NULL);
  address = g_unix_socket_address_new (sock);
  g_clear_object (&shim);
  shim = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  assert_true (g_socket_bind (shim, address, FALSE, NULL));
  assert_true (g_socket_listen (shim, NULL));
  state = g_build_filename (vireo_domain_get_run_dir (domain), "state.json", NULL);
  json = g_strdup_printf ("{\"uuid\":\"%s\",\"state\":\"running\"}", config->uuid);
  assert_true (g_file_set_contents (state, json, -1, NULL));
  return domain;
}

/* The shim dies between the probe that found it alive and its pidfd:
 * crashed at once, not running with nothing left to tell of its end,
 * and no pidfd or socket left open. */
static void
test_dies_before_watch (void **state)
{
  g_autofree char *root = vireo_test_make_root ();
  g_autoptr(VireoLocalBackend) engine = vireo_local_backend_new (root);
  const PidfdScript scripts[] = { PIDFD_AFTER_DEATH, PIDFD_TOO_LATE };
  VireoDomain *domain;
  guint fds;

  assert_true (vireo_local_backend_load (engine, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (scripts); i++)
    {
      g_autofree char *name = g_strdup_printf ("race%u", i);

      domain = running_domain (engine, name);
      fds = count_fds ();
      script = scripts[i];
      vireo_domain_refresh_state (domain);
      script = PIDFD_REAL;
      assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_CRASHED);
      assert_string_equal (vireo_domain_get_state_reason (domain), "the supervisor process vireo-shim died");
      /* the stand-in's listening socket is closed; nothing new is open */
      assert_int_equal (count_fds (), fds - 1);
    }
  g_clear_object (&shim);
  g_clear_object (&engine);
  vireo_test_remove_tree (root);
}

/* A shim that lives is running, and watched: its pidfd stays open. */
static void
test_lives (void **state)
{
  g_autofree char *root = vireo_test_make_root ();
  g_autoptr(VireoLocalBackend) engine = vireo_local_backend_new (root);
  VireoDomain *domain;
  guint fds;

  assert_true (vireo_local_backend_load (engine, NULL));
  domain = running_domain (engine, "alive");
  fds = count_fds ();
  vireo_domain_refresh_state (domain);
  assert_int_equal (vireo_domain_get_state (domain), VIREO_DOMAIN_STATE_RUNNING);
  assert_int_equal (count_fds (), fds + 1);
  /* watched: asked again, nothing new is opened */
  vireo_domain_refresh_state (domain);
  assert_int_equal (count_fds (), fds + 1);
  g_clear_object (&shim);
  g_clear_object (&engine);
  vireo_test_remove_tree (root);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_lives),
    cmocka_unit_test (test_dies_before_watch),
  };

  /* made now, with its wakeup fd, so that the fds counted are ours */
  g_main_context_default ();
  return cmocka_run_group_tests (tests, NULL, NULL);
}
