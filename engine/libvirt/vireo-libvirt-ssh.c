/* vireo-libvirt-ssh.c: qemu+ssh hosts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libvirt runs Vireo's ssh wrapper (the URI's command=, added here and
 * never saved: a saved URI takes no parameters), which shares one
 * connection per host and asks ssh's questions through Vireo's askpass.
 * A display is the VNC port on the host, reached by `ssh -W` through the
 * same shared connection: nothing (no netcat) is needed on the host.
 */
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "vireo-askpass.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"
#include "vireo-paths.h"
#include "vireo-xml.h"

gboolean
_vireo_libvirt_is_ssh (const char *uri)
{
  return g_str_has_prefix (uri, "qemu+ssh://");
}

/* `VIREO_SSH` if set; the one built beside the running program in a build
 * tree; else the one installed in libexecdir */
static char *
find_wrapper (void)
{
  const char *env = g_getenv ("VIREO_SSH");
  g_autofree char *build_tree = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  build_tree = vireo_paths_find_build_tree ();
  if (build_tree != NULL)
    return g_build_filename (build_tree, "engine", "ssh", "vireo-ssh", NULL);
  return g_build_filename (VIREO_LIBEXECDIR, "vireo-ssh", NULL);
}

/**
 * _vireo_libvirt_open_uri:
 * Main thread: what libvirt opens for @uri; for an SSH host, the askpass
 * socket listens first.
 *
 * Returns: (transfer full): the URI to open
 */
char *
_vireo_libvirt_open_uri (const char *uri)
{
  g_autofree char *wrapper = NULL;
  g_autofree char *escaped = NULL;
  g_autoptr(GError) error = NULL;

  if (!_vireo_libvirt_is_ssh (uri))
    return g_strdup (uri);
  if (!vireo_askpass_start (vireo_askpass_get_default (), &error))
    g_warning ("ssh's questions cannot be asked: %s", error->message);
  wrapper = find_wrapper ();
  escaped = g_uri_escape_string (wrapper, "/", FALSE);
  return g_strdup_printf ("%s?command=%s", uri, escaped);
}

/* The VNC server of the running definition: its port, and the address
 * to reach it at on the host */
static gboolean
read_vnc (const char  *live_xml,
          int         *port,
          char       **address)
{
  xmlDoc *doc = vireo_xml_read (live_xml, -1, "live", NULL);
  xmlNode *root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  xmlNode *devices = root != NULL ? vireo_xml_child (root, "devices") : NULL;
  gboolean found = FALSE;

  if (devices != NULL)
    vireo_xml_for_each_element (node, devices)
      {
        g_autofree char *type = vireo_xml_prop (node, "type");
        g_autofree char *text = NULL;
        g_autofree char *listen = NULL;

        if (found || !vireo_xml_is (node, "graphics") || g_strcmp0 (type, "vnc") != 0)
          continue;
        text = vireo_xml_prop (node, "port");
        listen = vireo_xml_prop (node, "listen");
        *port = text != NULL ? (int) g_ascii_strtoll (text, NULL, 10) : -1;
        /* a server on every address is reached on the host's loopback */
        *address = g_strdup (listen == NULL || g_str_equal (listen, "0.0.0.0") || g_str_equal (listen, "::")
                             ? "127.0.0.1" : listen);
        found = *port > 0 && *port < 65536;
      }
  g_clear_pointer (&doc, xmlFreeDoc);
  return found;
}

/* ssh's arguments for a channel to @address:@port of @uri's host */
static GPtrArray *
tunnel_argv (const char *uri,
             const char *address,
             int         port)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, find_wrapper ());
  if (g_uri_get_port (parsed) > 0)
    {
      g_ptr_array_add (argv, g_strdup ("-p"));
      g_ptr_array_add (argv, g_strdup_printf ("%d", g_uri_get_port (parsed)));
    }
  if (g_uri_get_user (parsed) != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-l"));
      g_ptr_array_add (argv, g_strdup (g_uri_get_user (parsed)));
    }
  g_ptr_array_add (argv, g_strdup ("-T"));
  g_ptr_array_add (argv, g_strdup ("-W"));
  /* ssh's -W takes an IPv6 address in brackets */
  g_ptr_array_add (argv, strchr (address, ':') != NULL ? g_strdup_printf ("[%s]:%d", address, port)
                                                       : g_strdup_printf ("%s:%d", address, port));
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, g_strdup (g_uri_get_host (parsed)));
  g_ptr_array_add (argv, NULL);
  return argv;
}

static void
on_tunnel_exited (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
}

/**
 * _vireo_libvirt_ssh_display:
 * Main thread: the VNC display of a VM on an SSH host, as a connection
 * whose bytes go through `ssh -W`.  @uri is validated
 * (vireo_hosts_check_uri()): its user and host cannot be ssh options.
 */
GSocketConnection *
_vireo_libvirt_ssh_display (const char  *uri,
                            const char  *name,
                            const char  *live_xml,
                            GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) ssh = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *address = NULL;
  GSocketConnection *connection;
  int fds[2];
  int port = -1;

  if (live_xml == NULL || !read_vnc (live_xml, &port, &address))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED, _("VM '%s' has no VNC display"), name);
      return NULL;
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "socketpair: %s", g_strerror (errno));
      return NULL;
    }
  g_subprocess_launcher_take_stdin_fd (launcher, dup (fds[1]));
  g_subprocess_launcher_take_stdout_fd (launcher, fds[1]);
  argv = tunnel_argv (uri, address, port);
  ssh = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (ssh == NULL || (socket = g_socket_new_from_fd (fds[0], error)) == NULL)
    {
      close (fds[0]);
      return NULL;
    }
  /* reaped when it ends, which the viewer's close brings */
  g_subprocess_wait_async (ssh, NULL, on_tunnel_exited, NULL);
  connection = g_socket_connection_factory_create_connection (socket);
  g_object_set_data_full (G_OBJECT (connection), "vireo-ssh-tunnel", g_steal_pointer (&ssh), g_object_unref);
  return connection;
}
