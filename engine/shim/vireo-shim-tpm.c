/* vireo-shim-tpm.c: swtpm, the emulated TPM 2.0 of a VM with a <tpm>
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * swtpm is the shim's second child, started before QEMU on its state
 * folder (--tpm-state, made by the engine) with its control socket in
 * the runtime folder, where QEMU's -chardev finds it.  It ends with
 * QEMU: --terminate makes it quit when QEMU closes the control
 * connection, the shim sends SIGTERM when QEMU is gone, and PDEATHSIG
 * kills it if the shim dies first.  Its stderr goes to the VM's log.
 * An empty state folder is manufactured by swtpm on the first start.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vireo-fileutil.h"
#include "vireo-shim.h"

/* swtpm binds and listens at once; this is how long that may take */
#define SWTPM_READY_TIMEOUT_MS 5000
#define SWTPM_POLL_MS 10
/* a listening socket in /proc/net/unix (__SO_ACCEPTCON) */
#define UNIX_FLAG_LISTENING "00010000"

static void
swtpm_child_setup (gpointer user_data)
{
  pid_t shim = GPOINTER_TO_INT (user_data);

  /* swtpm must not outlive its supervisor, even one that died just now */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != shim)
    _exit (127);
}

/* Whether something listens on @path: probing by connecting is no good,
 * since swtpm --terminate quits when its one control client leaves. */
static gboolean
is_listening (const char *path)
{
  g_autofree char *table = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/net/unix", &table, NULL, NULL))
    return g_file_test (path, G_FILE_TEST_EXISTS);
  lines = g_strsplit (table, "\n", -1);
  for (guint i = 1; lines[i]; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (lines[i], " ", -1);
      guint n = 0;
      const char *flags = NULL, *last = NULL;

      for (guint j = 0; fields[j]; j++)
        if (fields[j][0] != '\0')
          {
            if (++n == 4)
              flags = fields[j];
            last = fields[j];
          }
      if (n >= 8 && g_strcmp0 (flags, UNIX_FLAG_LISTENING) == 0 && g_strcmp0 (last, path) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
on_swtpm_exit (GPid     pid,
               int      status,
               gpointer user_data)
{
  Shim *shim = user_data;

  g_spawn_close_pid (pid);
  if (shim->swtpm_pid == pid)
    shim->swtpm_pid = 0;
  g_debug ("swtpm exited with status %d", status);
}

/* Until swtpm listens, or it died, or the time is up. */
static gboolean
wait_for_swtpm (Shim       *shim,
                const char *socket_path,
                GError    **error)
{
  for (guint waited = 0; waited < SWTPM_READY_TIMEOUT_MS; waited += SWTPM_POLL_MS)
    {
      int status;

      if (waitpid (shim->swtpm_pid, &status, WNOHANG) == shim->swtpm_pid)
        {
          g_autofree char *tail = vireo_file_read_tail (shim->log_path, 1);

          shim->swtpm_pid = 0;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "swtpm exited at once: %s",
                       tail ? g_strstrip (tail) : "see the VM's log");
          return FALSE;
        }
      if (is_listening (socket_path))
        return TRUE;
      g_usleep (SWTPM_POLL_MS * 1000);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
               "swtpm did not open %s within %d seconds", socket_path, SWTPM_READY_TIMEOUT_MS / 1000);
  return FALSE;
}

/**
 * shim_tpm_start:
 * Starts swtpm for a VM with a TPM (nothing to do without --tpm-state)
 * and returns once its control socket listens.  Before QEMU starts.
 */
gboolean
shim_tpm_start (Shim    *shim,
                GError **error)
{
  g_autofree char *socket_path = NULL;
  g_autofree char *state_arg = NULL;
  g_autofree char *ctrl_arg = NULL;
  int log_fd, null_fd;
  gboolean ok;

  if (shim->tpm_state == NULL)
    return TRUE;
  socket_path = g_build_filename (shim->run_dir, VIREO_SWTPM_SOCKET, NULL);
  /* swtpm's options split on commas and have no escape */
  if (strchr (shim->tpm_state, ',') || strchr (socket_path, ','))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the TPM state folder %s or %s has a comma, which swtpm cannot take",
                   shim->tpm_state, socket_path);
      return FALSE;
    }
  g_unlink (socket_path);
  state_arg = g_strdup_printf ("dir=%s,mode=0600", shim->tpm_state);
  ctrl_arg = g_strdup_printf ("type=unixio,path=%s,mode=0600", socket_path);
  {
    const char *argv[] = { "swtpm", "socket", "--tpm2", "--tpmstate", state_arg,
                           "--ctrl", ctrl_arg, "--terminate", NULL };

    log_fd = open (shim->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
    ok = g_spawn_async_with_pipes_and_fds (shim->run_dir, argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                           swtpm_child_setup, GINT_TO_POINTER (getpid ()),
                                           null_fd, log_fd, log_fd, NULL, NULL, 0,
                                           &shim->swtpm_pid, NULL, NULL, NULL, error);
    close (log_fd);
    close (null_fd);
  }
  if (!ok)
    {
      g_prefix_error (error, "swtpm: ");
      return FALSE;
    }
  if (!wait_for_swtpm (shim, socket_path, error))
    {
      shim_tpm_stop (shim);
      return FALSE;
    }
  g_child_watch_add (shim->swtpm_pid, on_swtpm_exit, shim);
  return TRUE;
}

/**
 * shim_tpm_stop:
 * QEMU is gone (or never came): swtpm goes too, and its socket.
 */
void
shim_tpm_stop (Shim *shim)
{
  g_autofree char *socket_path = NULL;

  if (shim->tpm_state == NULL)
    return;
  if (shim->swtpm_pid > 0)
    kill (shim->swtpm_pid, SIGTERM);
  socket_path = g_build_filename (shim->run_dir, VIREO_SWTPM_SOCKET, NULL);
  g_unlink (socket_path);
}
