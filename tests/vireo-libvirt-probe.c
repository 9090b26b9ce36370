/* vireo-libvirt-probe.c: the libvirt backend, driven from a shell test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   vireo-libvirt-probe URI display NAME
 *     opens the VM's display through Vireo, prints the VNC server's
 *     first line ("RFB 003.008"), then speaks RFB 3.8 (no security) up
 *     to the first whole frame, and prints "frame WIDTHxHEIGHT, N colours"
 *     (the distinct pixel values in it: more than one is a picture)
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

static gboolean
read_exactly (GInputStream  *in,
              void          *buffer,
              gsize          size,
              GError       **error)
{
  gsize got = 0;

  if (!g_input_stream_read_all (in, buffer, size, &got, NULL, error))
    return FALSE;
  if (got == size)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the display closed after %zu of %zu bytes", got, size);
  return FALSE;
}

static gboolean
write_all (GOutputStream  *out,
           const void     *buffer,
           gsize           size,
           GError        **error)
{
  return g_output_stream_write_all (out, buffer, size, NULL, NULL, error);
}

/* RFB 3.8 with security "None", ClientInit, then one full
 * FramebufferUpdateRequest: the pixels of the first update, in the
 * server's own pixel format (Raw: no SetEncodings sent) */
static gboolean
first_frame (GInputStream   *in,
             GOutputStream  *out,
             GError        **error)
{
  guint8 count, types[255], init[24], header[4], request[10] = { 3, 0 };
  guint8 shared = 1, none = 1;
  guint32 result, name_length;
  guint16 width, height, rects;
  guint bytes_per_pixel;
  g_autoptr(GHashTable) colours = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree char *name = NULL;

  if (!write_all (out, "RFB 003.008\n", 12, error) || !read_exactly (in, &count, 1, error) ||
      !read_exactly (in, types, count, error))
    return FALSE;
  if (memchr (types, 1, count) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the display asks for security");
      return FALSE;
    }
  if (!write_all (out, &none, 1, error) || !read_exactly (in, &result, 4, error) || result != 0 ||
      !write_all (out, &shared, 1, error) || !read_exactly (in, init, 24, error))
    return FALSE;
  width = init[0] << 8 | init[1];
  height = init[2] << 8 | init[3];
  bytes_per_pixel = init[4] / 8;
  name_length = (guint32) init[20] << 24 | init[21] << 16 | init[22] << 8 | init[23];
  name = g_malloc0 (name_length + 1);
  if (name_length > 4096 || !read_exactly (in, name, name_length, error))
    return FALSE;
  request[6] = width >> 8; request[7] = width & 0xff;
  request[8] = height >> 8; request[9] = height & 0xff;
  if (!write_all (out, request, sizeof request, error) || !read_exactly (in, header, 4, error))
    return FALSE;
  if (header[0] != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the display sent message %u before a frame", header[0]);
      return FALSE;
    }
  rects = header[2] << 8 | header[3];
  for (guint i = 0; i < rects; i++)
    {
      guint8 rect[12];
      g_autofree guint8 *pixels = NULL;
      gsize size;

      if (!read_exactly (in, rect, 12, error))
        return FALSE;
      if (rect[8] != 0 || rect[9] != 0 || rect[10] != 0 || rect[11] != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the display sent a rectangle not in Raw");
          return FALSE;
        }
      size = (gsize) (rect[4] << 8 | rect[5]) * (rect[6] << 8 | rect[7]) * bytes_per_pixel;
      pixels = g_malloc (size);
      if (!read_exactly (in, pixels, size, error))
        return FALSE;
      for (gsize j = 0; j + bytes_per_pixel <= size && g_hash_table_size (colours) < 1000; j += bytes_per_pixel)
        {
          gint64 *value = g_new0 (gint64, 1);

          memcpy (value, pixels + j, MIN (bytes_per_pixel, sizeof *value));
          g_hash_table_add (colours, value);
        }
    }
  printf ("frame %ux%u, %u colours\n", width, height, g_hash_table_size (colours));
  return TRUE;
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

  if (domain == NULL)
    {
      fprintf (stderr, "no VM %s\n", name);
      return 1;
    }
  vireo_domain_open_display_async (domain, NULL, on_done, &result);
  connection = vireo_domain_open_display_finish (domain, wait_for (&result), &error);
  if (connection == NULL ||
      !read_exactly (g_io_stream_get_input_stream (G_IO_STREAM (connection)), line, 12, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("%s", line);
  fflush (stdout);
  if (!first_frame (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                    g_io_stream_get_output_stream (G_IO_STREAM (connection)), &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
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
