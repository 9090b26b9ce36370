/* vireo-net-run.c: running ip, nft and dnsmasq, by argv and never through a shell
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-net-helper.h"

/* The caller's PATH and environment are not ours to trust: the tools come
 * from the system's own folders, and run with a fixed environment. */
static const char * const tool_dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin", NULL };
static const char * const tool_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };

char *
vnet_find_tool (const char *name)
{
  for (guint i = 0; tool_dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (tool_dirs[i], name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&path);
    }
  return NULL;
}

/* the first line of the tool's complaint, without control characters */
static char *
first_line (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  char *line = g_strstrip (valid);
  char *nl = strchr (line, '\n');

  if (nl != NULL)
    *nl = '\0';
  for (char *p = line; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p))
      *p = ' ';
  return g_strdup (g_strstrip (line));
}

typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
  GCancellable *cancellable;
  gboolean timed_out;
} RunWait;

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  RunWait *wait = data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static gboolean
run_timed_out (gpointer data)
{
  RunWait *wait = data;

  wait->timed_out = TRUE;
  g_cancellable_cancel (wait->cancellable);
  return G_SOURCE_REMOVE;
}

/* communicates with @proc on a main context of this thread's own (the
 * D-Bus worker runs tools too), for at most @timeout_ms; a tool that
 * overstays is killed */
static gboolean
communicate (GSubprocess *proc,
             const char  *input,
             guint        timeout_ms,
             char       **out,
             char       **err,
             gboolean    *timed_out,
             GError     **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);
  RunWait wait = { NULL, NULL, cancellable, FALSE };
  gboolean ok;

  g_main_context_push_thread_default (context);
  wait.loop = g_main_loop_new (context, FALSE);
  g_source_set_callback (timeout, run_timed_out, &wait, NULL);
  g_source_attach (timeout, context);
  g_subprocess_communicate_utf8_async (proc, input, cancellable, communicated, &wait);
  g_main_loop_run (wait.loop);
  g_source_destroy (timeout);
  ok = g_subprocess_communicate_utf8_finish (proc, wait.result, out, err, error);
  if (wait.timed_out)
    {
      g_subprocess_force_exit (proc);
      g_subprocess_wait (proc, NULL, NULL);
    }
  g_clear_object (&wait.result);
  g_main_loop_unref (wait.loop);
  g_main_context_pop_thread_default (context);
  *timed_out = wait.timed_out;
  return ok;
}

/**
 * vnet_run_timeout:
 * @argv: the tool's name (found in the system folders) and its arguments
 * @input: (nullable): fed on stdin (nft -f -)
 * @output: (out) (optional): what the tool printed on stdout
 * @timeout_ms: how long the tool may take; then it is killed
 *
 * Runs a tool to its end.  A failure is one line: the tool and its own
 * first line of complaint.
 */
gboolean
vnet_run_timeout (const char * const *argv,
                  const char         *input,
                  char              **output,
                  guint               timeout_ms,
                  GError            **error)
{
  g_autofree char *tool = vnet_find_tool (argv[0]);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) local = NULL;
  gboolean timed_out = FALSE;

  if (tool == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("vireo-net needs '%s', which is not installed"), argv[0]);
      return FALSE;
    }
  g_ptr_array_add (args, tool);
  for (guint i = 1; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);
  g_debug ("run: %s%s", tool, input ? " (with input)" : "");
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, (char **) tool_env);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &local);
  if (proc != NULL && !communicate (proc, input, timeout_ms, &out, &err, &timed_out, &local) && timed_out)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_TIMEOUT,
                   /* Translators: "nft: did not finish within 30 seconds and was stopped" */
                   _("%s: did not finish within %u seconds and was stopped"), argv[0], (timeout_ms + 999) / 1000);
      return FALSE;
    }
  if (local != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, "%s: %s", argv[0], local->message);
      return FALSE;
    }
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_autofree char *line = first_line (err && *err ? err : out);

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, "%s: %s", argv[0], line);
      return FALSE;
    }
  if (output != NULL)
    *output = g_steal_pointer (&out);
  return TRUE;
}

/* a tool's run, for at most VNET_RUN_TIMEOUT_MS: a stuck tool must not
 * hold every later request behind the state lock */
gboolean
vnet_run (const char * const *argv,
          const char         *input,
          char              **output,
          GError            **error)
{
  return vnet_run_timeout (argv, input, output, VNET_RUN_TIMEOUT_MS, error);
}
