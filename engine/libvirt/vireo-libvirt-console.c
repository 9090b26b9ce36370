/* vireo-libvirt-console.c: a libvirt VM's serial console and display as
 * byte streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The serial console is a non-blocking virStream (virDomainOpenConsole)
 * bridged on the main loop to one end of a socketpair; the caller gets the
 * other end as a GSocketConnection, the same as a local VM's console, so
 * the serial views do not change.  Each side's data waits while the other
 * is full (no unbounded buffer: a slow reader slows the guest's output
 * down, as a real serial line would).  The display is the VNC server's
 * socket that libvirt hands over (virDomainOpenGraphicsFD), on hosts that
 * can pass a descriptor (this machine's libvirtd).
 */
#include <sys/socket.h>

#include "vireo-domain-policy.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"

#define CHUNK 16384

typedef struct {
  VireoLibvirtBackend *backend;   /* owned: closes the stream in a worker */
  virStreamPtr stream;            /* NULL once closed */
  GSocket *socket;                /* our end */
  GSource *source;                /* on @socket, for what it waits */
  GIOCondition watching;
  GByteArray *to_socket;          /* from the guest, not yet written */
  GByteArray *to_stream;          /* from the viewer, not yet sent */
} Bridge;

static void bridge_update (Bridge *bridge);

static void
close_stream_in_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  virStreamPtr stream = task_data;

  /* an RPC on a remote host: never on the main thread */
  if (virStreamAbort (stream) < 0)
    virResetLastError ();
  virStreamFree (stream);
  g_task_return_boolean (task, TRUE);
}

/* Aborts and frees @stream in a worker */
static void
close_stream (VireoLibvirtBackend *backend,
              virStreamPtr         stream)
{
  g_autoptr(GTask) task = g_task_new (backend, NULL, NULL, NULL);

  g_task_set_task_data (task, stream, NULL);
  _vireo_libvirt_run (backend, task, close_stream_in_thread);
}

static void
bridge_close (Bridge *bridge)
{
  virStreamPtr stream = g_steal_pointer (&bridge->stream);
  g_autoptr(VireoLibvirtBackend) backend = NULL;

  if (stream == NULL)
    return;
  if (bridge->source != NULL)
    {
      g_source_destroy (bridge->source);
      g_clear_pointer (&bridge->source, g_source_unref);
    }
  g_socket_close (bridge->socket, NULL);
  backend = g_object_ref (bridge->backend);
  /* may free @bridge (its free function) */
  virStreamEventRemoveCallback (stream);
  close_stream (backend, stream);
}

static void
bridge_free (gpointer data)
{
  Bridge *bridge = data;

  g_clear_object (&bridge->socket);
  g_byte_array_unref (bridge->to_socket);
  g_byte_array_unref (bridge->to_stream);
  g_object_unref (bridge->backend);
  g_free (bridge);
}

/* Writes what it can of @pending to the viewer; FALSE when it went away */
static gboolean
flush_to_socket (Bridge *bridge)
{
  gssize n;

  while (bridge->to_socket->len > 0)
    {
      n = g_socket_send (bridge->socket, (const char *) bridge->to_socket->data, bridge->to_socket->len,
                         NULL, NULL);
      if (n <= 0)
        return n < 0 && g_socket_condition_check (bridge->socket, G_IO_OUT) == 0;
      g_byte_array_remove_range (bridge->to_socket, 0, n);
    }
  return TRUE;
}

/* Sends what it can of the viewer's bytes to the guest; FALSE on error */
static gboolean
flush_to_stream (Bridge *bridge)
{
  int n;

  while (bridge->to_stream->len > 0)
    {
      n = virStreamSend (bridge->stream, (const char *) bridge->to_stream->data, bridge->to_stream->len);
      if (n == -2)
        return TRUE;   /* full: the WRITABLE event comes back */
      if (n < 0)
        return FALSE;
      g_byte_array_remove_range (bridge->to_stream, 0, n);
    }
  return TRUE;
}

static void
on_stream_event (virStreamPtr  stream,
                 int           events,
                 void         *opaque)
{
  Bridge *bridge = opaque;
  char buf[CHUNK];
  int n;

  if (bridge->stream == NULL)
    return;
  if ((events & VIR_STREAM_EVENT_READABLE) && bridge->to_socket->len == 0)
    {
      n = virStreamRecv (stream, buf, sizeof buf);
      if (n == 0 || n == -1)
        {
          bridge_close (bridge);   /* the guest's side ended */
          return;
        }
      if (n > 0)
        g_byte_array_append (bridge->to_socket, (const guint8 *) buf, n);
    }
  if ((events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP)) ||
      !flush_to_socket (bridge) || !flush_to_stream (bridge))
    {
      bridge_close (bridge);
      return;
    }
  bridge_update (bridge);
}

static gboolean
on_socket (GSocket      *socket,
           GIOCondition  condition,
           gpointer      user_data)
{
  Bridge *bridge = user_data;
  char buf[CHUNK];
  gssize n;

  if (bridge->stream == NULL)
    return G_SOURCE_REMOVE;
  if ((condition & G_IO_IN) && bridge->to_stream->len == 0)
    {
      n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);
      if (n == 0)
        {
          bridge_close (bridge);   /* the viewer closed its end */
          return G_SOURCE_REMOVE;
        }
      if (n > 0)
        g_byte_array_append (bridge->to_stream, (const guint8 *) buf, n);
    }
  if ((condition & (G_IO_ERR | G_IO_HUP)) || !flush_to_stream (bridge) || !flush_to_socket (bridge))
    {
      bridge_close (bridge);
      return G_SOURCE_REMOVE;
    }
  bridge_update (bridge);
  return bridge->stream != NULL ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Each side waits for what it can take: a side with bytes queued for it
 * waits to be writable, and the other stops reading until they are out */
static void
bridge_update (Bridge *bridge)
{
  GIOCondition want = bridge->to_socket->len > 0 ? G_IO_OUT : 0;
  int events = VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

  if (bridge->stream == NULL)
    return;
  if (bridge->to_stream->len == 0)
    want |= G_IO_IN;
  if (bridge->to_socket->len == 0)
    events |= VIR_STREAM_EVENT_READABLE;
  if (bridge->to_stream->len > 0)
    events |= VIR_STREAM_EVENT_WRITABLE;
  virStreamEventUpdateCallback (bridge->stream, events);
  if (bridge->source != NULL && want == bridge->watching)
    return;
  if (bridge->source != NULL)
    {
      g_source_destroy (bridge->source);
      g_source_unref (bridge->source);
    }
  bridge->watching = want;
  bridge->source = g_socket_create_source (bridge->socket, want | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (bridge->source, (GSourceFunc) G_CALLBACK (on_socket), bridge, NULL);
  g_source_attach (bridge->source, NULL);
}

/* Main thread: a connection whose bytes are the stream's */
static GSocketConnection *
bridge_new (VireoLibvirtBackend  *backend,
            virStreamPtr          stream,
            GError              **error)
{
  g_autoptr(GSocket) theirs = NULL;
  Bridge *bridge;
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "socketpair: %s", g_strerror (errno));
      return NULL;
    }
  bridge = g_new0 (Bridge, 1);
  bridge->backend = g_object_ref (backend);
  bridge->stream = stream;
  bridge->socket = g_socket_new_from_fd (fds[0], NULL);
  theirs = g_socket_new_from_fd (fds[1], NULL);
  g_socket_set_blocking (theirs, TRUE);
  bridge->to_socket = g_byte_array_new ();
  bridge->to_stream = g_byte_array_new ();
  if (virStreamEventAddCallback (stream, VIR_STREAM_EVENT_READABLE, on_stream_event, bridge, bridge_free) < 0)
    {
      g_propagate_error (error, _vireo_libvirt_error (_("The console")));
      bridge->stream = NULL;
      bridge_free (bridge);
      close_stream (backend, stream);
      return NULL;
    }
  bridge_update (bridge);
  return g_socket_connection_factory_create_connection (theirs);
}

typedef struct {
  virDomainPtr dom;
  char *name;
  gboolean display;           /* the VNC display, not the serial console */
  char *ssh_uri;              /* a display through ssh -W to this host */
  char *live_xml;             /* its running definition, for the port */
} Open;

static void
open_free (Open *open)
{
  virDomainFree (open->dom);
  g_free (open->name);
  g_free (open->ssh_uri);
  g_free (open->live_xml);
  g_free (open);
}

static void
free_stream (gpointer stream)
{
  virStreamFree (stream);
}

static void
open_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  VireoLibvirtBackend *backend = _vireo_libvirt_worker_backend ();
  Open *open = task_data;
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), open->name);
  virConnectPtr conn;
  virStreamPtr stream;
  GError *error = NULL;
  int fd;

  _vireo_libvirt_count_call (backend);
  if (open->ssh_uri != NULL)
    {
      open->live_xml = _vireo_libvirt_read_live_xml (open->dom);
      g_task_return_int (task, -1);
      return;
    }
  if (open->display)
    {
      /* libvirt let us in: the VNC password is not asked again */
      fd = virDomainOpenGraphicsFD (open->dom, 0, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
      if (fd < 0)
        g_task_return_error (task, _vireo_libvirt_error (what));
      else
        g_task_return_int (task, fd);
      return;
    }
  if ((conn = _vireo_libvirt_get_conn (backend, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  stream = virStreamNew (conn, VIR_STREAM_NONBLOCK);
  virConnectClose (conn);
  /* FORCE: a console a crashed client left open does not lock the user out */
  if (stream == NULL || virDomainOpenConsole (open->dom, NULL, stream, VIR_DOMAIN_CONSOLE_FORCE) < 0)
    {
      g_task_return_error (task, _vireo_libvirt_error (what));
      if (stream != NULL)
        virStreamFree (stream);
      return;
    }
  g_task_return_pointer (task, stream, free_stream);
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  VireoDomain *domain = VIREO_DOMAIN (source);
  Open *open = g_task_get_task_data (G_TASK (result));
  g_autoptr(GTask) task = user_data;
  g_autoptr(GSocket) socket = NULL;
  GSocketConnection *connection;
  virStreamPtr stream;
  GError *error = NULL;
  int fd;

  if (open->ssh_uri != NULL)
    {
      if (g_task_propagate_int (G_TASK (result), NULL) != -1 ||
          (connection = _vireo_libvirt_ssh_display (open->ssh_uri, open->name, open->live_xml, &error)) == NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, connection, g_object_unref);
      return;
    }
  if (open->display)
    {
      fd = g_task_propagate_int (G_TASK (result), &error);
      if (fd < 0 || (socket = g_socket_new_from_fd (fd, &error)) == NULL)
        {
          if (fd >= 0)
            close (fd);
          g_task_return_error (task, error);
          return;
        }
      g_task_return_pointer (task, g_socket_connection_factory_create_connection (socket), g_object_unref);
      return;
    }
  stream = g_task_propagate_pointer (G_TASK (result), &error);
  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  connection = bridge_new (VIREO_LIBVIRT_BACKEND (vireo_domain_get_backend (domain)), stream, &error);
  if (connection == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, connection, g_object_unref);
}

static void
open_stream (VireoDomain         *domain,
             gboolean             display,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  VireoDomainOp op = display ? VIREO_DOMAIN_OP_DISPLAY : VIREO_DOMAIN_OP_CONSOLE;
  VireoLibvirtBackend *backend;
  g_autoptr(GTask) task = g_task_new (domain, cancellable, callback, user_data);
  g_autoptr(GTask) job = NULL;
  Open *open;
  GError *error = NULL;

  if (!vireo_domain_check (domain, op, &error) ||
      !_vireo_libvirt_check_connected ((backend = VIREO_LIBVIRT_BACKEND (vireo_domain_get_backend (domain))), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  open = g_new0 (Open, 1);
  open->dom = _vireo_libvirt_domain_ref_dom (VIREO_LIBVIRT_DOMAIN (domain));
  open->name = g_strdup (vireo_domain_get_name (domain));
  open->display = display;
  if (display && _vireo_libvirt_is_ssh (vireo_backend_get_uri (VIREO_BACKEND (backend))))
    open->ssh_uri = g_strdup (vireo_backend_get_uri (VIREO_BACKEND (backend)));
  job = g_task_new (domain, NULL, on_opened, g_steal_pointer (&task));
  g_task_set_task_data (job, open, (GDestroyNotify) open_free);
  _vireo_libvirt_run (backend, job, open_in_thread);
}

static void
libvirt_open_console_async (VireoDomain         *domain,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  open_stream (domain, FALSE, cancellable, callback, user_data);
}

static void
libvirt_open_display_async (VireoDomain         *domain,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  open_stream (domain, TRUE, cancellable, callback, user_data);
}

static GSocketConnection *
libvirt_open_finish (VireoDomain   *domain,
                     GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_vireo_libvirt_domain_class_init_console (VireoDomainClass *klass)
{
  klass->open_console_async = libvirt_open_console_async;
  klass->open_console_finish = libvirt_open_finish;
  klass->open_display_async = libvirt_open_display_async;
  klass->open_display_finish = libvirt_open_finish;
}
