/* fuzz-shim-agent.c: the shim's guest-agent reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The guest controls every byte on the agent channel.  The input is what
 * the guest's agent answers after the shim asked it; the random source is
 * seeded so that the sync id the shim sends is the same in every run
 * (the seed corpus answers it).  state.json is written into a temporary
 * run folder as the shim would.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "vireo-shim.h"

static Shim shim;

static void
remove_run_dir (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", shim.run_dir);

  if (system (cmd) != 0)
    g_printerr ("cannot remove %s\n", shim.run_dir);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  fuzz_init_glib ();
  shim.name = g_strdup ("fuzz");
  shim.uuid = g_strdup ("00000000-0000-4000-8000-000000000000");
  shim.accel = g_strdup ("tcg");
  shim.state = g_strdup (VIREO_STATE_RUNNING);
  shim.run_dir = g_dir_make_tmp ("vireo-fuzz-agent-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (remove_run_dir);
  return 0;
}

/* Forgets what the last input taught the shim, so each run starts alike. */
static void
reset_shim (void)
{
  g_clear_pointer (&shim.guest_addresses, g_strfreev);
  g_clear_pointer (&shim.guest_os, g_free);
  shim.guest_rx_bytes = shim.guest_tx_bytes = shim.guest_net_time = 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  ShimAgent *agent;
  int sv[2];

  if (size > 65536)
    return 0;
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  agent = shim_agent_new (&shim, sv[0], &error);
  g_assert_no_error (error);
  g_random_set_seed (1);
  shim_agent_set_open (agent, TRUE);
  if (size > 0 && write (sv[1], data, size) < 0)
    g_error ("cannot feed the agent: %s", g_strerror (errno));
  fuzz_pump ();
  close (sv[1]);
  fuzz_pump ();
  shim_agent_free (agent);
  reset_shim ();
  return 0;
}
