/* vireo-domain-start.c: starting a VM under its own vireo-shim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The checks, the command line and the spawn run on a worker thread; the
 * main context then waits for the shim's one-line report on a pipe.  The
 * shim is spawned detached (GLib's double fork plus setsid), so the VM
 * outlives this process.
 */
#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <sys/un.h>
#include <unistd.h>

#include "vireo-domain-lock.h"
#include "vireo-domain-policy.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-host.h"
#include "vireo-local-domain-private.h"
#include "vireo-qemu-argv.h"
#include "vireo-shim-protocol.h"
#include "vireo-storage.h"
#include "vireo-i18n.h"

#define START_TIMEOUT_S 60

typedef struct {
  VireoDomainConfig *config;
  const VireoPaths *paths;       /* borrowed: the engine outlives its VMs */
  VireoLock *change_lock;        /* until the guest runs or the start failed */
  VireoLock *run_lock;           /* until the shim holds it */
  char *run_dir;
  char *log_path;
  char *serial_log_path;
  int ready_fd;
  guint timeout_id;
  GDataInputStream *ready;
  const char *loadvm;            /* borrowed: the snapshot to start from, or NULL */
  gboolean change_lock_held;     /* by the caller (a revert), not by this start */
  gboolean paused;               /* the guest stays paused once QEMU is set up */
  GArray *taps;                  /* (element-type int) one per NIC on a network, in order */
  int qemu_taps[VIREO_QEMU_TAPS_MAX]; /* by NIC index: the fd QEMU sees, or -1 */
  char taps_arg[32];             /* the shim's --taps=N */
  char *note;                    /* why the guest runs without KVM, or NULL */
  GError *failure;               /* the shim's report of a failed start, told
                                    once it has exited (ready pipe's end) */
  char *firmware_code;           /* UEFI: the OVMF code, or NULL */
  char *tpm_dir;                 /* swtpm's state folder for a VM with a TPM, or NULL */
} Start;

static void
start_free (Start *start)
{
  vireo_domain_config_free (start->config);
  vireo_lock_free (start->change_lock);
  vireo_lock_free (start->run_lock);
  g_free (start->run_dir);
  g_free (start->log_path);
  g_free (start->serial_log_path);
  if (start->ready_fd >= 0)
    close (start->ready_fd);
  g_clear_handle_id (&start->timeout_id, g_source_remove);
  g_clear_object (&start->ready);
  g_clear_pointer (&start->taps, g_array_unref);
  g_free (start->note);
  g_clear_error (&start->failure);
  g_free (start->firmware_code);
  g_free (start->tpm_dir);
  g_free (start);
}

static gboolean
check_file (const VireoDomainConfig *config,
            const char              *path,
            const char              *what,
            GError                 **error)
{
  if (path != NULL && access (path, R_OK) != 0)
    {
      int errsv = errno;
      g_set_error (error, VIREO_ERROR,
                   errsv == ENOENT ? VIREO_ERROR_NOT_FOUND : VIREO_ERROR_PERMISSION,
                   /* Translators: "VM 'web': disk image /a/b.qcow2: No such file or directory" */
                   _("VM '%s': %s %s: %s"), config->name, what, path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_files (const VireoDomainConfig *config,
             GError                 **error)
{
  for (guint i = 0; i < config->disks->len; i++)
    {
      const VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);
      const char *what = disk->device == VIREO_DISK_DEVICE_CDROM ? _("CD-ROM image") : _("disk image");

      if (!check_file (config, disk->path, what, error))
        return FALSE;
    }
  /* an image swapped since it was defined still names no host file */
  return check_file (config, config->kernel, _("kernel"), error) &&
         check_file (config, config->initrd, _("initrd"), error) &&
         vireo_storage_check_images (config, error);
}

/* Worker thread: the VM's locks (vireo-domain-lock.c), then its
 * definition as it is on disk now, which another process may have changed
 * or deleted since this one read it: that is what starts. */
static gboolean
take_locks (Start   *start,
            GError **error)
{
  VireoDomainConfig *on_disk;
  const char *name = start->config->name;

  if (!start->change_lock_held)
    {
      start->change_lock = _vireo_domain_lock_change (start->run_dir, name, VIREO_DOMAIN_LOCK_STARTING, error);
      if (start->change_lock == NULL)
        return FALSE;
    }
  start->run_lock = _vireo_domain_lock_run (start->run_dir, name, VIREO_DOMAIN_LOCK_STARTING, error);
  if (start->run_lock == NULL)
    return FALSE;
  if (!_vireo_domain_check_defined (start->paths, start->config, error) ||
      !(on_disk = _vireo_domain_read_definition (start->paths, name, error)))
    {
      /* undefined meanwhile: leave no runtime folder behind */
      _vireo_domain_remove_run_dir (start->run_dir, g_steal_pointer (&start->change_lock),
                                    g_steal_pointer (&start->run_lock));
      return FALSE;
    }
  /* a revert runs the machine its snapshot was taken on, whatever the
   * definition on disk (which then holds changes for the next start) */
  if (start->change_lock_held)
    vireo_domain_config_free (on_disk);
  else
    {
      vireo_domain_config_free (start->config);
      start->config = on_disk;
    }
  return TRUE;
}

/* Under the run lock: whatever an earlier run left here is stale. */
static gboolean
prepare_run_dir (Start   *start,
                 GError **error)
{
  static const char *stale[] = { "state.json", "shim.sock", "console.sock", "vnc.sock", "qemu-argv", "domain.xml",
                                  VIREO_SWTPM_SOCKET, NULL };

  if (strlen (start->run_dir) + strlen ("/console.sock") >= sizeof (((struct sockaddr_un *) NULL)->sun_path))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("VM '%s': the runtime folder %s is too long for Unix sockets"),
                   start->config->name, start->run_dir);
      return FALSE;
    }
  if (g_mkdir_with_parents (start->run_dir, 0700) != 0)
    {
      vireo_set_io_error (error, errno, _("VM '%s': cannot create %s"), start->config->name, start->run_dir);
      return FALSE;
    }
  for (guint i = 0; stale[i]; i++)
    {
      g_autofree char *path = g_build_filename (start->run_dir, stale[i], NULL);
      g_unlink (path);
    }
  return TRUE;
}

/* What this run was started from: changes made to the definition while
 * it runs are "pending" until the next start (vireo_domain_has_pending_changes). */
static gboolean
save_live_definition (Start   *start,
                      GError **error)
{
  g_autofree char *path = g_build_filename (start->run_dir, "domain.xml", NULL);
  g_autofree char *xml = vireo_domain_config_format (start->config);

  return vireo_file_replace_runtime (path, xml, -1, 0600, error);
}

static void
child_setup (gpointer data)
{
  /* a session of its own: no terminal's Ctrl+C or hang-up reaches it */
  setsid ();
}

/* A tap on its network's bridge for each NIC on a virtual network
 * (vireo-domain-net.c), handed to the shim as fds VIREO_SHIM_TAP_FD…
 * and to QEMU as VIREO_QEMU_TAP_FD…; the argv names the latter. */
static gboolean
open_taps (Start          *start,
           VireoQemuHost  *host,
           GError        **error)
{
  const VireoDomainConfig *config = start->config;

  start->taps = _vireo_domain_open_taps (start->paths, config, error);
  if (start->taps == NULL)
    return FALSE;
  for (guint i = 0, t = 0; i < config->nics->len && i < VIREO_QEMU_TAPS_MAX; i++)
    {
      const VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      start->qemu_taps[i] = nic->type == VIREO_NET_NETWORK ? VIREO_QEMU_TAP_FD + (int) t++ : -1;
    }
  host->tap_fds = start->qemu_taps;
  host->n_tap_fds = MIN (config->nics->len, VIREO_QEMU_TAPS_MAX);
  return TRUE;
}

/* A VM with a TPM: swtpm must be there, and its state folder (empty the
 * first time: swtpm makes the TPM's state itself on its first start). */
static gboolean
prepare_tpm (Start   *start,
             GError **error)
{
  g_autofree char *swtpm = NULL;

  if (start->config->tpm_model == NULL)
    return TRUE;
  swtpm = g_find_program_in_path ("swtpm");
  if (swtpm == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("VM '%s' has a TPM, but swtpm is not installed (install the swtpm package)"),
                   start->config->name);
      return FALSE;
    }
  start->tpm_dir = vireo_paths_domain_tpm_dir (start->paths, start->config->uuid);
  if (!vireo_mkdir_private (start->tpm_dir, error))
    {
      g_prefix_error (error, _("VM '%s': "), start->config->name);
      return FALSE;
    }
  return TRUE;
}

/* Everything checked and made ready under the locks; returns QEMU's
 * command line and the host's choices. */
static GStrv
prepare (Start          *start,
         const char     *shim,
         VireoQemuHost  *host,
         char          **qemu,
         GError        **error)
{
  const VireoDomainConfig *config;
  g_autofree char *log_dir = g_path_get_dirname (start->log_path);
  g_auto(GStrv) qemu_argv = NULL;

  if (!take_locks (start, error))
    return NULL;
  config = start->config;
  if (!check_files (config, error) ||
      !_vireo_domain_prepare_firmware (start->paths, start->config, &start->firmware_code, error))
    return NULL;
  host->accel = vireo_host_choose_accel (config, g_getenv ("VIREO_ACCEL"), vireo_host_kvm_device (),
                                         &start->note, error);
  if (host->accel == VIREO_ACCEL_AUTO)
    return NULL;
  *qemu = vireo_host_find_qemu (error);
  if (*qemu == NULL)
    return NULL;
  if (!g_file_test (shim, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("VM '%s': the supervisor %s is missing (reinstall Vireo)"), config->name, shim);
      return NULL;
    }
  if (!open_taps (start, host, error) || !prepare_tpm (start, error))
    return NULL;
  host->qemu_binary = *qemu;
  host->run_dir = start->run_dir;
  host->loadvm = start->loadvm;
  host->firmware_code = start->firmware_code;
  qemu_argv = vireo_qemu_argv_build (config, host, error);
  if (qemu_argv == NULL || !prepare_run_dir (start, error) || !save_live_definition (start, error))
    return NULL;
  if (g_mkdir_with_parents (log_dir, 0700) != 0)
    {
      vireo_set_io_error (error, errno, _("VM '%s': cannot create %s"), config->name, log_dir);
      return NULL;
    }
  return g_steal_pointer (&qemu_argv);
}

/* The shim's command line: its options, then QEMU's.  Borrows every string. */
static GPtrArray *
shim_argv (Start              *start,
           char               *shim,
           const VireoQemuHost *host,
           GStrv               qemu_argv)
{
  const VireoDomainConfig *config = start->config;
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, shim);
  g_ptr_array_add (argv, "--name");
  g_ptr_array_add (argv, config->name);
  g_ptr_array_add (argv, "--uuid");
  g_ptr_array_add (argv, config->uuid);
  g_ptr_array_add (argv, "--run-dir");
  g_ptr_array_add (argv, start->run_dir);
  g_ptr_array_add (argv, "--log");
  g_ptr_array_add (argv, start->log_path);
  g_ptr_array_add (argv, "--serial-log");
  g_ptr_array_add (argv, start->serial_log_path);
  g_ptr_array_add (argv, "--accel");
  g_ptr_array_add (argv, host->accel == VIREO_ACCEL_KVM ? "kvm" : "tcg");
  g_ptr_array_add (argv, "--ready-fd=3");
  /* the shim keeps the run lock for its whole life */
  g_ptr_array_add (argv, "--lock-fd=4");
  if (config->guest_agent)
    g_ptr_array_add (argv, "--agent");
  if (start->paused)
    g_ptr_array_add (argv, "--paused");
  if (start->taps->len > 0)
    {
      g_snprintf (start->taps_arg, sizeof start->taps_arg, "--taps=%u", start->taps->len);
      g_ptr_array_add (argv, start->taps_arg);
    }
  if (start->tpm_dir != NULL)
    {
      g_ptr_array_add (argv, "--tpm-state");
      g_ptr_array_add (argv, start->tpm_dir);
    }
  g_ptr_array_add (argv, "--");
  for (guint i = 0; qemu_argv[i]; i++)
    g_ptr_array_add (argv, qemu_argv[i]);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* Spawns the shim with the ready pipe and the run lock as fds 3 and 4,
 * and the taps from VIREO_SHIM_TAP_FD. */
static gboolean
spawn_shim (Start      *start,
            GPtrArray  *argv,
            GError    **error)
{
  int pipe_fds[2];
  int source_fds[2 + VIREO_QEMU_TAPS_MAX], target_fds[2 + VIREO_QEMU_TAPS_MAX] = { 3, 4 };
  guint n_fds = 2;
  int null_fd, log_fd;
  gboolean ok;

  if (!g_unix_open_pipe (pipe_fds, FD_CLOEXEC, error))
    return FALSE;
  source_fds[0] = pipe_fds[1];
  source_fds[1] = vireo_lock_get_fd (start->run_lock);
  for (guint i = 0; i < start->taps->len && i < VIREO_QEMU_TAPS_MAX; i++)
    {
      source_fds[n_fds] = g_array_index (start->taps, int, i);
      target_fds[n_fds++] = VIREO_SHIM_TAP_FD + (int) i;
    }
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  log_fd = open (start->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

  /* Without DO_NOT_REAP_CHILD GLib forks twice: the shim is reparented
   * away from us and never becomes our zombie. */
  ok = g_spawn_async_with_pipes_and_fds (start->run_dir, (const char * const *) argv->pdata, NULL,
                                         G_SPAWN_DEFAULT, child_setup, NULL,
                                         null_fd, null_fd, log_fd >= 0 ? log_fd : null_fd,
                                         source_fds, target_fds, n_fds,
                                         NULL, NULL, NULL, NULL, error);
  close (pipe_fds[1]);
  /* our copy of the run lock's fd: from now on the shim's alone holds it,
   * so the lock ends when the shim does; the same for the taps */
  g_clear_pointer (&start->run_lock, vireo_lock_free);
  g_array_set_size (start->taps, 0);
  close (null_fd);
  if (log_fd >= 0)
    close (log_fd);
  if (!ok)
    {
      close (pipe_fds[0]);
      g_prefix_error (error, _("VM '%s': cannot start vireo-shim: "), start->config->name);
      return FALSE;
    }
  start->ready_fd = pipe_fds[0];
  return TRUE;
}

static void
prepare_and_spawn (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Start *start = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *qemu = NULL;
  g_autofree char *shim = vireo_host_find_shim ();
  g_autoptr(GPtrArray) argv = NULL;
  g_auto(GStrv) qemu_argv = NULL;
  VireoQemuHost host = { 0 };

  qemu_argv = prepare (start, shim, &host, &qemu, &error);
  if (qemu_argv != NULL)
    {
      argv = shim_argv (start, shim, &host, qemu_argv);
      spawn_shim (start, argv, &error);
    }
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* The start is over, whichever way: the change lock goes, and the state
 * is the run folder's again. */
static void
end_start (VireoLocalDomain *self,
           Start            *start)
{
  g_clear_pointer (&start->change_lock, vireo_lock_free);
  g_clear_pointer (&start->run_lock, vireo_lock_free);
  self->start_pending = FALSE;
  vireo_domain_refresh_state (VIREO_DOMAIN (self));
}

static void
finish_start (GTask  *task,
              GError *error)
{
  VireoLocalDomain *self = g_task_get_source_object (task);
  Start *start = g_task_get_task_data (task);

  g_clear_handle_id (&start->timeout_id, g_source_remove);
  end_start (self, start);
  if (error == NULL)
    self->start_note = g_steal_pointer (&start->note);
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* What the shim's one line on the ready pipe (or its absence) says. */
static GError *
ready_error (Start      *start,
             const char *line)
{
  const char *name = start->config->name;
  g_autofree char *tail = NULL;
  GError *error;

  if (line != NULL && g_str_equal (line, "ok"))
    return NULL;
  if (line != NULL && g_str_has_prefix (line, "error: ") &&
      (error = _vireo_port_forward_start_error (name, line + 7)) != NULL)
    return error;
  if (line != NULL && g_str_has_prefix (line, "error: "))
    return g_error_new (VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                        "VM '%s' failed to start: %s", name, line + 7);
  tail = vireo_file_read_tail (start->log_path, 1);
  return g_error_new (VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                      "VM '%s' failed to start: vireo-shim exited%s%s", name,
                      tail ? ": " : "", tail ? tail : "");
}

static void
on_ready_line (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  Start *start = g_task_get_task_data (task);
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                result, NULL, NULL);

  if (start->timeout_id == 0)
    {
      g_object_unref (task);
      return; /* timed out already */
    }
  /* a failure is told once the shim is gone (its end of the pipe closes
   * as it exits, after its last state.json), so that the next client
   * reads the VM off, not still starting */
  if (line != NULL && start->failure == NULL && !g_str_equal (line, "ok"))
    start->failure = ready_error (start, line);
  if (line != NULL && start->failure != NULL)
    {
      g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL,
                                           on_ready_line, task);
      return;
    }
  finish_start (task, start->failure != NULL ? g_steal_pointer (&start->failure) : ready_error (start, line));
}

static GError *
start_timeout_error (const char *name)
{
  return g_error_new (VIREO_ERROR, VIREO_ERROR_TIMEOUT,
                      g_dngettext (GETTEXT_PACKAGE, "VM '%s' did not start within %d second",
                                   "VM '%s' did not start within %d seconds", START_TIMEOUT_S),
                      name, START_TIMEOUT_S);
}

static gboolean
on_start_timeout (gpointer user_data)
{
  GTask *task = user_data;
  VireoLocalDomain *self = g_task_get_source_object (task);
  Start *start = g_task_get_task_data (task);

  start->timeout_id = 0;
  g_task_return_error (task, start_timeout_error (vireo_domain_get_name (VIREO_DOMAIN (self))));
  end_start (self, start);
  /* on_ready_line drops the last reference */
  return G_SOURCE_REMOVE;
}

static void
on_spawned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Start *start = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) pipe = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      finish_start (task, g_steal_pointer (&error));
      return;
    }
  pipe = g_unix_input_stream_new (start->ready_fd, TRUE);
  start->ready_fd = -1;
  start->ready = g_data_input_stream_new (pipe);
  start->timeout_id = g_timeout_add_seconds (START_TIMEOUT_S, on_start_timeout, task);
  g_data_input_stream_read_line_async (start->ready, G_PRIORITY_DEFAULT, NULL, on_ready_line, task);
}

static void
local_domain_start_async (VireoDomain         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  VireoLocalDomain *local = VIREO_LOCAL_DOMAIN (self);
  GTask *task;
  g_autoptr(GTask) spawn = NULL;
  GError *error = NULL;
  Start *start;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, local_domain_start_async);
  vireo_domain_refresh_state (self);
  if (!vireo_domain_check (self, VIREO_DOMAIN_OP_START, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  start = g_new0 (Start, 1);
  start->ready_fd = -1;
  start->config = vireo_domain_config_copy (vireo_domain_get_config (self));
  start->paths = _vireo_domain_get_paths (self);
  start->run_dir = g_strdup (vireo_domain_get_run_dir (self));
  start->log_path = vireo_domain_get_log_path (self);
  start->serial_log_path = vireo_domain_get_serial_log_path (self);
  g_task_set_task_data (task, start, (GDestroyNotify) start_free);
  /* starting from now on, for this process's front ends (Start turns
   * insensitive) and for a second call, until end_start() */
  local->start_pending = TRUE;
  g_clear_pointer (&local->start_note, g_free);
  _vireo_local_domain_set_state (local, VIREO_DOMAIN_STATE_STARTING, NULL);

  spawn = g_task_new (self, cancellable, on_spawned, task);
  g_task_set_task_data (spawn, start, NULL);
  g_task_run_in_thread (spawn, prepare_and_spawn);
}

static gboolean
local_domain_start_finish (VireoDomain   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_domain_start_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* VireoLocalDomain boots its VM in a vireo-shim of this machine */
void
_vireo_local_domain_class_init_start (VireoDomainClass *klass)
{
  klass->start_async = local_domain_start_async;
  klass->start_finish = local_domain_start_finish;
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (VIREO_DOMAIN_GET_CLASS (source)->start_finish (VIREO_DOMAIN (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_domain_start_async:
 * @cancellable: (nullable): cancelling only detaches the caller
 *   (%G_IO_ERROR_CANCELLED): a VM whose shim was launched keeps booting
 *
 * Boots the VM.  Completes once the guest runs (or with an error that
 * names the VM and the cause: a missing disk, KVM not usable, QEMU's own
 * message).  The VM keeps running after this process exits.
 *
 * The VM is "starting" when this returns.  Another process's start,
 * change or delete of the same VM makes this one fail at once with
 * %VIREO_ERROR_BUSY ("VM 'demo' is busy (starting)"), and a VM that runs
 * already with %VIREO_ERROR_INVALID_STATE.
 */
void
vireo_domain_start_async (VireoDomain         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_start_async);
  if (!_vireo_domain_supports (self, VIREO_DOMAIN_GET_CLASS (self)->start_async != NULL, task))
    return;
  VIREO_DOMAIN_GET_CLASS (self)->start_async (self, cancellable, on_started, task);
}

gboolean
vireo_domain_start_finish (VireoDomain   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_start_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * vireo_domain_get_start_note:
 *
 * A note on the last start of @self by this process that succeeded: why
 * the guest runs without KVM (one translated line, from
 * vireo_host_choose_accel()), for a front end to show beside "started".
 * Read it after vireo_domain_start_finish().
 *
 * Returns: (nullable) (transfer none): the note, or %NULL when there is
 *   none (KVM in use, or TCG asked for, or a VM of another host); valid
 *   until the next start
 */
const char *
vireo_domain_get_start_note (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return VIREO_IS_LOCAL_DOMAIN (self) ? VIREO_LOCAL_DOMAIN (self)->start_note : NULL;
}

/* Worker thread: the shim's line on the ready pipe, or NULL when it
 * closed the pipe without one; a timeout is an error. */
static char *
read_ready_line (Start   *start,
                 GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;

  for (;;)
    {
      struct pollfd pfd = { start->ready_fd, POLLIN, 0 };
      gint64 left = deadline - g_get_monotonic_time ();
      char c;
      gssize n;
      int r;

      if (left <= 0)
        {
          g_propagate_error (error, start_timeout_error (start->config->name));
          return NULL;
        }
      r = poll (&pfd, 1, (int) (left / 1000) + 1);
      if (r < 0 && errno != EINTR)
        {
          vireo_set_io_error (error, errno, _("VM '%s': cannot hear from vireo-shim"), start->config->name);
          return NULL;
        }
      if (r <= 0)
        continue;
      n = read (start->ready_fd, &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return NULL;
      /* the shim writes one short line; more is not a report */
      if (c == '\n' || line->len >= 4096)
        return g_string_free (g_steal_pointer (&line), FALSE);
      g_string_append_c (line, c);
    }
}

/**
 * _vireo_domain_start_sync:
 * @loadvm: (nullable): an internal snapshot to start from (`-loadvm`)
 * @paused: leave the guest paused once QEMU is set up
 *
 * Starts the VM as @config, for a caller on a worker thread that holds
 * the VM's change lock already (a revert to a snapshot with RAM restarts
 * QEMU without letting go of the VM in between).  @config is the machine
 * the snapshot was taken on; the definition on disk, which must still be
 * this VM's, may differ (its changes are pending for the next start).
 * Blocks until the guest runs or the start failed.
 */
gboolean
_vireo_domain_start_sync (const VireoPaths        *paths,
                          const VireoDomainConfig *config,
                          const char              *run_dir,
                          const char              *loadvm,
                          gboolean                 paused,
                          GError                 **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *qemu = NULL;
  g_autofree char *shim = vireo_host_find_shim ();
  g_autofree char *line = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_auto(GStrv) qemu_argv = NULL;
  VireoQemuHost host = { 0 };
  Start *start = g_new0 (Start, 1);
  GError *failure;

  start->ready_fd = -1;
  start->config = vireo_domain_config_copy (config);
  start->paths = paths;
  start->run_dir = g_strdup (run_dir);
  start->log_path = vireo_paths_domain_log (paths, config->name, "");
  start->serial_log_path = vireo_paths_domain_log (paths, config->name, "-serial");
  start->loadvm = loadvm;
  start->paused = paused;
  start->change_lock_held = TRUE;

  qemu_argv = prepare (start, shim, &host, &qemu, error);
  if (qemu_argv != NULL)
    argv = shim_argv (start, shim, &host, qemu_argv);
  if (argv == NULL || !spawn_shim (start, argv, error))
    {
      start_free (start);
      return FALSE;
    }
  line = read_ready_line (start, &local_error);
  failure = local_error ? g_steal_pointer (&local_error) : ready_error (start, line);
  start_free (start);
  if (failure != NULL)
    {
      g_propagate_error (error, failure);
      return FALSE;
    }
  return TRUE;
}
