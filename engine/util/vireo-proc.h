/* vireo-proc.h: what /proc says about a process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct {
  char state;            /* 'R', 'S', 'Z'… */
  guint64 start_time;    /* clock ticks after boot */
  guint64 cpu_ticks;     /* utime + stime */
  guint64 rss_bytes;
} VireoProcStat;

gboolean vireo_proc_stat      (pid_t          pid,
                               VireoProcStat *out);
gboolean vireo_proc_is_alive  (pid_t          pid,
                               guint64        start_time);
guint64  vireo_proc_ticks_per_second (void);

G_END_DECLS
