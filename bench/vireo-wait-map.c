/* vireo-wait-map.c: launch a program and say when its window is on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: vireo-wait-map TITLE TIMEOUT-MS -- COMMAND…
 * Prints the milliseconds from the launch to the MapNotify of a top-level
 * window named TITLE, then ends the program (SIGTERM).  It waits for the
 * X event instead of polling, so measuring costs the measured program no
 * CPU; make bench times Vireo and virt-manager alike with it.
 */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int
has_title (Display    *dpy,
           Window      window,
           const char *title)
{
  XTextProperty prop;
  char **list = NULL;
  int count = 0, found = 0;

  if (XGetWMName (dpy, window, &prop) && prop.value)
    {
      if (Xutf8TextPropertyToTextList (dpy, &prop, &list, &count) >= Success && count > 0)
        found = strcmp (list[0], title) == 0;
      if (list)
        XFreeStringList (list);
      XFree (prop.value);
    }
  return found;
}

int
main (int   argc,
      char *argv[])
{
  Display *dpy;
  long start, timeout;
  pid_t pid;
  int result = 1;

  if (argc < 5 || strcmp (argv[3], "--") != 0)
    {
      fprintf (stderr, "usage: vireo-wait-map TITLE TIMEOUT-MS -- COMMAND…\n");
      return 2;
    }
  timeout = atol (argv[2]);
  if ((dpy = XOpenDisplay (NULL)) == NULL)
    {
      fprintf (stderr, "vireo-wait-map: cannot open the display\n");
      return 2;
    }
  XSelectInput (dpy, DefaultRootWindow (dpy), SubstructureNotifyMask);
  XSync (dpy, False);

  start = now_ms ();
  pid = fork ();
  if (pid == 0)
    {
      close (ConnectionNumber (dpy));
      execvp (argv[4], argv + 4);
      _exit (127);
    }

  while (now_ms () - start < timeout)
    {
      struct pollfd pfd = { ConnectionNumber (dpy), POLLIN, 0 };
      XEvent event;

      if (XPending (dpy) == 0 && poll (&pfd, 1, 50) <= 0)
        {
          if (waitpid (pid, NULL, WNOHANG) == pid)
            {
              fprintf (stderr, "vireo-wait-map: %s exited without a window\n", argv[4]);
              return 1;
            }
          continue;
        }
      XNextEvent (dpy, &event);
      if (event.type == MapNotify && has_title (dpy, event.xmap.window, argv[1]))
        {
          printf ("%ld\n", now_ms () - start);
          result = 0;
          break;
        }
    }
  if (result != 0)
    fprintf (stderr, "vireo-wait-map: no window '%s' within %ld ms\n", argv[1], timeout);
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  XCloseDisplay (dpy);
  return result;
}
