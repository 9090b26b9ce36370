/* vireo-proc.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <unistd.h>

#include "vireo-proc.h"

/**
 * vireo_proc_stat:
 * Reads /proc/PID/stat.  The command name may hold spaces and
 * parentheses, so fields are counted from the last ')'.
 */
gboolean
vireo_proc_stat (pid_t          pid,
                 VireoProcStat *out)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;
  guint64 rss_pages;

  if (pid <= 0 || !g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  rest = strrchr (text, ')');
  if (rest == NULL)
    return FALSE;
  /* after ')': state(3) ppid(4) … utime(14) stime(15) … starttime(22) vsize(23) rss(24) */
  fields = g_strsplit (rest + 2, " ", 0);
  if (g_strv_length (fields) < 22)
    return FALSE;
  memset (out, 0, sizeof *out);
  out->state = fields[0][0];
  out->cpu_ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  out->start_time = g_ascii_strtoull (fields[19], NULL, 10);
  rss_pages = g_ascii_strtoull (fields[21], NULL, 10);
  out->rss_bytes = rss_pages * (guint64) sysconf (_SC_PAGESIZE);
  return TRUE;
}

/**
 * vireo_proc_is_alive:
 * @start_time: the start time recorded when the process was started, or
 *   0 to skip that check
 *
 * A pid alone proves nothing: it may be a zombie not yet reaped (PID 1
 * here reaps late) or a new process that reused the number.
 */
gboolean
vireo_proc_is_alive (pid_t   pid,
                     guint64 start_time)
{
  VireoProcStat st;

  if (!vireo_proc_stat (pid, &st))
    return FALSE;
  if (st.state == 'Z' || st.state == 'X' || st.state == 'x')
    return FALSE;
  return start_time == 0 || st.start_time == start_time;
}

guint64
vireo_proc_ticks_per_second (void)
{
  static guint64 hz;

  if (hz == 0)
    hz = sysconf (_SC_CLK_TCK);
  return hz;
}
