/* vireo-stamp-lines.c: time every line a program writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: PROGRAM 2>&1 | vireo-stamp-lines > LOG
 * Copies standard input to standard output, each line preceded by the
 * wall-clock time it was read, in ms since the epoch with three decimals
 * (the clock of bash's $EPOCHREALTIME), and flushes each line.  make bench
 * reads virt-manager's --debug log through it: the log's own timestamps
 * are whole seconds.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

int
main (void)
{
  char line[8192];
  int at_start = 1;

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      struct timespec ts;
      size_t len = strlen (line);

      if (at_start)
        {
          clock_gettime (CLOCK_REALTIME, &ts);
          printf ("%lld.%03ld ", (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
                  ts.tv_nsec / 1000 % 1000);
        }
      fputs (line, stdout);
      at_start = len > 0 && line[len - 1] == '\n';
      if (at_start)
        fflush (stdout);
    }
  fflush (stdout);
  return 0;
}
