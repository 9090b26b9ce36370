/* vireo-domain-watch.c: whether a VM's shim lives, and when it ends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A VM may be supervised by a shim that another process started in
 * another PID namespace (every launch of a Flatpak app gets its own): the
 * pid it recorded means nothing here, and /proc/PID may be someone else.
 * Its socket does not lie: the shim binds shim.sock before it writes its
 * first state and closes it after its last, so a connect succeeds exactly
 * while it lives, from any namespace that shares the runtime folder.
 *
 * The kernel also says who listens, as seen from here (SO_PEERCRED; 0 when
 * the shim is in a namespace this process cannot see).  A pidfd of it
 * tells us of its end when it happens, even one that wrote nothing
 * (SIGKILL).  A shim we cannot see is looked at again when its state.json
 * changes and when a connection to it ends (the stats monitor keeps one to
 * every VM a front end shows).
 */
#include <errno.h>
#include <glib-unix.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "vireo-local-domain-private.h"

typedef enum {
  SHIM_DEAD,
  SHIM_ALIVE,
} ShimLife;

/* One connect to shim.sock, without waiting: a listener there accepts
 * (or has a full queue, EAGAIN); nobody listens on a socket file whose
 * shim died (ECONNREFUSED), or there is no file (ENOENT).  @pid: the
 * listener's pid in our namespace, 0 if unknown. */
static ShimLife
probe (const char *run_dir,
       pid_t      *pid)
{
  g_autofree char *path = g_build_filename (run_dir, "shim.sock", NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  struct ucred cred = { 0 };
  socklen_t len = sizeof cred;
  ShimLife life = SHIM_DEAD;
  int fd;

  *pid = 0;
  if (strlen (path) >= sizeof addr.sun_path)
    return SHIM_DEAD;   /* no shim could have bound it (vireo-domain-start.c) */
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return SHIM_ALIVE;   /* out of fds: no grounds to call it dead */
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0)
    {
      life = SHIM_ALIVE;
      if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
        *pid = cred.pid;
    }
  else if (errno == EAGAIN || errno == EINTR)
    life = SHIM_ALIVE;
  else if (errno != ECONNREFUSED && errno != ENOENT && errno != ENOTDIR)
    {
      /* EACCES and the like: someone else's folder; it is not ours to judge */
      g_debug ("%s: %s", path, g_strerror (errno));
      life = SHIM_ALIVE;
    }
  close (fd);
  return life;
}

static void
close_pidfd (VireoLocalDomain *self)
{
  if (self->shim_pidfd >= 0)
    close (self->shim_pidfd);
  self->shim_pidfd = -1;
}

static gboolean
on_shim_exited (int          fd,
                GIOCondition condition,
                gpointer     user_data)
{
  VireoLocalDomain *self = user_data;

  self->shim_watch_id = 0;
  close_pidfd (self);
  vireo_domain_refresh_state (VIREO_DOMAIN (self));
  return G_SOURCE_REMOVE;
}

void
_vireo_local_domain_unwatch_shim (VireoLocalDomain *self)
{
  g_clear_handle_id (&self->shim_watch_id, g_source_remove);
  close_pidfd (self);
}

/* The watched shim has not exited (its pidfd is not readable yet). */
static gboolean
watched_shim_lives (VireoLocalDomain *self)
{
  struct pollfd pfd = { self->shim_pidfd, POLLIN, 0 };

  return self->shim_watch_id != 0 && poll (&pfd, 1, 0) == 0;
}

/* Learn of the exit of the shim that listens as @pid when it happens.
 * Returns whether it lives as a probe after pidfd_open() says: a shim
 * that died since the first probe (before its pidfd was made, or before
 * the pidfd could be trusted) is dead, not alive and unwatched, since a
 * SIGKILL leaves no state.json change to look again at. */
static ShimLife
watch (VireoLocalDomain *self,
       pid_t             pid)
{
  ShimLife life;
  pid_t again;
  int fd;

  _vireo_local_domain_unwatch_shim (self);
  fd = syscall (SYS_pidfd_open, pid, 0);
  if (fd < 0 && errno != ESRCH)
    return SHIM_ALIVE;   /* an old kernel: connections to the shim still tell */
  /* alive before and after the pidfd was made, as the same pid: the
   * pidfd is that shim's, not a process that took its pid meanwhile */
  life = probe (self->run_dir, &again);
  if (fd < 0 || life != SHIM_ALIVE || again != pid)
    {
      if (fd >= 0)
        close (fd);
      return life;
    }
  self->shim_pidfd = fd;
  self->shim_watch_id = g_unix_fd_add (fd, G_IO_IN, on_shim_exited, self);
  return SHIM_ALIVE;
}

/**
 * _vireo_local_domain_shim_lives:
 * Whether the VM's shim is alive, asked of its socket (a connect, which
 * never waits), and watched from here on where this process can see it.
 */
gboolean
_vireo_local_domain_shim_lives (VireoLocalDomain *self)
{
  pid_t pid;

  if (watched_shim_lives (self))
    return TRUE;
  _vireo_local_domain_unwatch_shim (self);
  if (probe (self->run_dir, &pid) != SHIM_ALIVE)
    return FALSE;
  return pid <= 0 || watch (self, pid) == SHIM_ALIVE;
}
