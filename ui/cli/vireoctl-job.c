/* vireoctl-job.c: waiting for a long operation, with its progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "vireoctl.h"

static void
on_progress (VireoJob   *job,
             GParamSpec *pspec,
             gpointer    user_data)
{
  g_autofree char *text = vireo_job_dup_text (job);

  fprintf (stderr, "\r\033[K%s: %3.0f %%%s%s", vireo_job_get_title (job),
           vireo_job_get_progress (job) * 100, text ? " · " : "", text ? text : "");
}

static gboolean
on_cancel_signal (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_refused_signal (gpointer user_data)
{
  fprintf (stderr, "\r\033[K%s\n", _("This operation cannot be stopped half way; it ends in a moment"));
  return G_SOURCE_CONTINUE;
}

/**
 * ctl_wait_job:
 * @job: (nullable): the operation's job, for its progress on a terminal
 * @cancellable: (nullable): what Ctrl+C, a TERM or a HUP cancels (the
 *   engine then removes what the operation made); %NULL for an operation
 *   that cannot stop half way (a snapshot taken or reverted half way would
 *   be worse than waiting), which the signals then do not interrupt
 *
 * As ctl_wait().  qemu-img runs in a process group of its own, so these
 * signals reach vireoctl only, which decides.
 */
GAsyncResult *
ctl_wait_job (VireoJob      *job,
              GCancellable  *cancellable,
              GAsyncResult **result)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
  gboolean show = job != NULL && isatty (STDERR_FILENO);
  guint sources[G_N_ELEMENTS (signals)];
  GAsyncResult *ret;

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    sources[i] = cancellable ? g_unix_signal_add (signals[i], on_cancel_signal, cancellable)
                             : g_unix_signal_add (signals[i], on_refused_signal, NULL);
  if (show)
    g_signal_connect (job, "notify", G_CALLBACK (on_progress), NULL);
  ret = ctl_wait (result);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    g_source_remove (sources[i]);
  if (show)
    {
      g_signal_handlers_disconnect_by_func (job, on_progress, NULL);
      fprintf (stderr, "\r\033[K");
    }
  return ret;
}
