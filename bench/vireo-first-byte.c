/* vireo-first-byte.c: launch a program and say when a file first grows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: vireo-first-byte [--kill] FILE TIMEOUT-MS -- COMMAND…
 * Prints "FIRST EXIT": the milliseconds from the launch to the moment FILE
 * is longer than it was at the launch (a guest's first serial byte in a
 * serial log), and to the moment COMMAND exited ("-" when it was still
 * running).  Without --kill it waits for COMMAND to end as well, and fails
 * if that ends badly (vireoctl start); with --kill it ends COMMAND by
 * SIGKILL at the first byte (a raw QEMU).  It waits on inotify and a
 * pidfd instead of polling, so measuring costs the measured programs no
 * CPU and loses no time to a poll interval; make bench times Vireo and
 * raw QEMU alike with it.  COMMAND's standard output is dropped, so the
 * figures are the helper's only output.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
file_size (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 ? (long long) st.st_size : 0;
}

/* The file's folder, which must exist: the file itself may be created,
 * renamed or replaced after the launch, a watch on it would miss that. */
static int
watch_folder (const char *path)
{
  char dir[PATH_MAX];
  char *slash;
  int fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);

  snprintf (dir, sizeof dir, "%s", path);
  slash = strrchr (dir, '/');
  if (slash == dir)
    dir[1] = '\0';
  else if (slash != NULL)
    *slash = '\0';
  else
    snprintf (dir, sizeof dir, ".");
  if (fd < 0 || inotify_add_watch (fd, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
    {
      fprintf (stderr, "vireo-first-byte: cannot watch %s: %s\n", dir, strerror (errno));
      return -1;
    }
  return fd;
}

static void
drain (int fd)
{
  char buf[4096];

  while (read (fd, buf, sizeof buf) > 0)
    ;
}

int
main (int   argc,
      char *argv[])
{
  int kill_at_byte = argc > 1 && strcmp (argv[1], "--kill") == 0;
  char **args = argv + kill_at_byte;
  long start, timeout, first = -1, exited = -1;
  long long size0;
  int watch, pidfd, status = 0;
  pid_t pid;

  if (argc - kill_at_byte < 5 || strcmp (args[3], "--") != 0)
    {
      fprintf (stderr, "usage: vireo-first-byte [--kill] FILE TIMEOUT-MS -- COMMAND…\n");
      return 2;
    }
  timeout = atol (args[2]);
  if ((watch = watch_folder (args[1])) < 0)
    return 2;
  size0 = file_size (args[1]);

  start = now_ms ();
  pid = fork ();
  if (pid == 0)
    {
      int null_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

      if (null_fd >= 0)
        dup2 (null_fd, STDOUT_FILENO);
      execvp (args[4], args + 4);
      _exit (127);
    }
  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pid < 0 || pidfd < 0)
    {
      fprintf (stderr, "vireo-first-byte: cannot launch %s: %s\n", args[4], strerror (errno));
      return 2;
    }

  while (now_ms () - start < timeout && (first < 0 || (exited < 0 && !kill_at_byte)))
    {
      struct pollfd fds[2] = { { watch, POLLIN, 0 }, { pidfd, exited < 0 ? POLLIN : 0, 0 } };

      if (first < 0 && file_size (args[1]) > size0)
        first = now_ms () - start;
      if (first >= 0 && (exited >= 0 || kill_at_byte))
        break;
      if (poll (fds, 2, (int) (timeout - (now_ms () - start))) < 0 && errno != EINTR)
        break;
      if (fds[0].revents)
        drain (watch);
      if (fds[1].revents && exited < 0)
        {
          waitpid (pid, &status, 0);
          exited = now_ms () - start;
          if (kill_at_byte || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
            {
              fprintf (stderr, "vireo-first-byte: %s ended (status %d)%s\n", args[4], status,
                       first < 0 ? " before the first byte" : "");
              return 1;
            }
        }
    }
  if (exited < 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }
  if (first < 0)
    {
      fprintf (stderr, "vireo-first-byte: %s did not grow within %ld ms\n", args[1], timeout);
      return 1;
    }
  if (exited >= 0)
    printf ("%ld %ld\n", first, exited);
  else
    printf ("%ld -\n", first);
  return 0;
}
