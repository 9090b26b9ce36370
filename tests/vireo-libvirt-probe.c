/* vireo-libvirt-probe.c: the libvirt backend, driven from a shell test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   vireo-libvirt-probe URI display NAME
 *     opens the VM's display through Vireo and prints the VNC server's
 *     first line ("RFB 003.008")
 *   vireo-libvirt-probe URI watch NAME
 *     stays connected and prints a line at each change of the host's
 *     state ("host connected", "host lost: …"), and after a reconnection
 *     whether the VM's row is the object it was ("row kept" or
 *     "row replaced"), until its standard input closes
 *
 * ssh's questions (an SSH host) are answered, in turn, with the lines of
 * $VIREO_PROBE_ANSWERS (none: refused), and each is printed as
 * "asked KIND: FIRST-LINE-OF-THE-QUESTION" on standard error.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vireo.h"

static const char *state_names[] = { "disconnected", "connecting", "connected", "lost", "reconnecting" };

typedef struct {
  VireoBackend *backend;
  char *name;
  VireoDomain *row;              /* the first one seen */
  GMainLoop *loop;
} Watch;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static int
display (VireoBackend *backend,
         const char   *name)
{
  VireoDomain *domain = vireo_backend_lookup_domain (backend, name);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  char line[13] = { 0 };
  gsize got = 0;

  if (domain == NULL)
    {
      fprintf (stderr, "no VM %s\n", name);
      return 1;
    }
  vireo_domain_open_display_async (domain, NULL, on_done, &result);
  connection = vireo_domain_open_display_finish (domain, wait_for (&result), &error);
  if (connection == NULL ||
      !g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)), line, 12, &got, NULL, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("%s", line);
  return 0;
}

static void
on_state (VireoBackend *backend,
          GParamSpec   *pspec,
          Watch        *watch)
{
  VireoBackendState state = vireo_backend_get_state (backend);
  const GError *error = vireo_backend_get_error (backend);

  printf ("host %s%s%s\n", state_names[state], error ? ": " : "", error ? error->message : "");
  if (state == VIREO_BACKEND_STATE_CONNECTED && watch->row != NULL)
    printf ("row %s\n", vireo_backend_lookup_domain (backend, watch->name) == watch->row ? "kept" : "replaced");
  fflush (stdout);
}

static gboolean
on_stdin (GIOChannel   *channel,
          GIOCondition  condition,
          gpointer      user_data)
{
  Watch *watch = user_data;
  char buf[64];

  if (read (0, buf, sizeof buf) <= 0)
    {
      g_main_loop_quit (watch->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static int
watch (VireoBackend *backend,
       const char   *name)
{
  Watch watch = { backend, (char *) name, NULL, g_main_loop_new (NULL, FALSE) };
  g_autoptr(GIOChannel) channel = g_io_channel_unix_new (0);

  watch.row = vireo_backend_lookup_domain (backend, name);
  if (watch.row == NULL)
    {
      fprintf (stderr, "no VM %s\n", name);
      return 1;
    }
  g_object_ref (watch.row);
  printf ("host connected\n");
  fflush (stdout);
  g_signal_connect (backend, "notify::state", G_CALLBACK (on_state), &watch);
  g_io_add_watch (channel, G_IO_IN | G_IO_HUP, on_stdin, &watch);
  g_main_loop_run (watch.loop);
  g_object_unref (watch.row);
  g_main_loop_unref (watch.loop);
  return 0;
}

static void
on_askpass (VireoAskpass        *askpass,
            VireoAskpassRequest *request,
            gpointer             user_data)
{
  static const char *kinds[] = { "secret", "confirm", "info" };
  static guint next;
  g_auto(GStrv) answers = g_strsplit (g_getenv ("VIREO_PROBE_ANSWERS") ? g_getenv ("VIREO_PROBE_ANSWERS") : "", "\n", -1);
  g_auto(GStrv) lines = g_strsplit (vireo_askpass_request_get_prompt (request), "\n", 2);

  fprintf (stderr, "asked %s: %s\n", kinds[vireo_askpass_request_get_kind (request)], lines[0]);
  vireo_askpass_request_answer (request, next < g_strv_length (answers) && *answers[next] ? answers[next] : NULL);
  next++;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VireoBackend) backend = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 4)
    {
      fprintf (stderr, "usage: vireo-libvirt-probe URI display|watch NAME\n");
      return 2;
    }
  g_signal_connect (vireo_askpass_get_default (), "request", G_CALLBACK (on_askpass), NULL);
  backend = vireo_libvirt_backend_new (argv[1]);
  vireo_backend_connect_async (backend, NULL, on_done, &result);
  if (!vireo_backend_connect_finish (backend, wait_for (&result), &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  if (g_str_equal (argv[2], "display"))
    return display (backend, argv[3]);
  return watch (backend, argv[3]);
}
