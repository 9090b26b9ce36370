/* vireo-net-client.c: the engine's door to vireo-net, the privileged helper
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two transports behind one API: the helper run directly (as root; one
 * process per call, results as GVariant text on stdout, a tap's fd over a
 * socketpair on the helper's fd 3), or D-Bus (dev.vireo.Net1, on the system
 * bus or at $VIREO_NET_BUS; a tap's fd in a GUnixFDList).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gunixfdlist.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-net-client.h"
#include "vireo-net-protocol.h"
#include "vireo-paths.h"

/* polkit may ask for a password: give the user time to type it */
#define CALL_TIMEOUT_MS (10 * 60 * 1000)

struct _VireoNetClient {
  char *helper;            /* direct mode: the helper's path */
  char *state_dir;         /* direct mode: --state-dir, or NULL */
  GDBusConnection *bus;    /* D-Bus mode */
};

/* @name: (nullable): the network, when there is one */
static void
set_permission_error (GError    **error,
                      const char *name)
{
  if (name == NULL)
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_PERMISSION,
                           _("Networks cannot be managed: the vireo-net helper is not installed or you are not "
                             "allowed to manage networks (install Vireo system-wide, or use user-mode networking)"));
      return;
    }
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_PERMISSION,
               /* Translators: %s is a network's name */
               _("Network '%s' cannot be managed: the vireo-net helper is not installed or you are not "
                 "allowed to manage networks (install Vireo system-wide, or use user-mode networking)"),
               name);
}

/* $VIREO_NET_HELPER; the build tree's; the installed one */
static char *
find_helper (void)
{
  const char *env = g_getenv ("VIREO_NET_HELPER");
  g_autofree char *build_tree = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  build_tree = vireo_paths_find_build_tree ();
  if (build_tree != NULL)
    return g_build_filename (build_tree, "helpers", "vireo-net", "vireo-net", NULL);
  return g_build_filename (VIREO_LIBEXECDIR, "vireo-net", NULL);
}

/**
 * vireo_net_client_new:
 * Chooses the transport (see the header).  Fails with
 * VIREO_ERROR_PERMISSION when no way to vireo-net is there.  Blocking.
 */
VireoNetClient *
vireo_net_client_new (GError **error)
{
  g_autoptr(VireoNetClient) client = g_new0 (VireoNetClient, 1);
  const char *address = g_getenv ("VIREO_NET_BUS");
  g_autoptr(GError) local = NULL;

  vireo_net_dbus_register_errors ();
  if (address != NULL && *address != '\0')
    client->bus = g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                          G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                          NULL, NULL, &local);
  else if (geteuid () == 0)
    {
      client->helper = find_helper ();
      client->state_dir = g_strdup (g_getenv ("VIREO_NET_STATE_DIR"));
      if (!g_file_test (client->helper, G_FILE_TEST_IS_EXECUTABLE))
        return set_permission_error (error, NULL), NULL;
      return g_steal_pointer (&client);
    }
  else
    client->bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &local);
  if (client->bus == NULL)
    {
      g_debug ("vireo-net: no bus: %s", local->message);
      return set_permission_error (error, NULL), NULL;
    }
  return g_steal_pointer (&client);
}

void
vireo_net_client_free (VireoNetClient *client)
{
  if (client == NULL)
    return;
  g_free (client->helper);
  g_free (client->state_dir);
  g_clear_object (&client->bus);
  g_free (client);
}

/* ---- direct: the helper as a child ---- */

static char *
first_line (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", text ? (gssize) strnlen (text, 1024) : 0);
  char *line = g_strstrip (valid);

  line[strcspn (line, "\r\n")] = '\0';
  return g_strdup (line);
}

/* runs `vireo-net [--state-dir DIR] ARGS…`; @fd3: given to it as fd 3 */
static gboolean
run_helper (VireoNetClient     *client,
            const char         *name,
            const char * const *args,
            int                 fd3,
            char              **output,
            GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) local = NULL;

  g_ptr_array_add (argv, client->helper);
  if (client->state_dir != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--state-dir");
      g_ptr_array_add (argv, client->state_dir);
    }
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (fd3 >= 0)
    g_subprocess_launcher_take_fd (launcher, fd3, 3);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &local);
  if (proc == NULL)
    {
      g_debug ("vireo-net: %s", local->message);
      return set_permission_error (error, name), FALSE;
    }
  if (!g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &local))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, "%s: %s", name, local->message);
      return FALSE;
    }
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_autofree char *line = first_line (err);

      if (*line != '\0')
        g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_FAILED, line);
      else
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                     _("Network '%s': vireo-net failed without saying why"), name);
      return FALSE;
    }
  if (output != NULL)
    *output = g_steal_pointer (&out);
  return TRUE;
}

/* the fd the helper sent, already waiting on @sock */
static int
receive_fd (int sock)
{
  char byte;
  struct iovec iov = { &byte, 1 };
  union { struct cmsghdr hdr; char buf[CMSG_SPACE (sizeof (int))]; } control;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg;
  int fd = -1;
  ssize_t n;

  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  cmsg = n > 0 ? CMSG_FIRSTHDR (&msg) : NULL;
  if (cmsg != NULL && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
      cmsg->cmsg_len == CMSG_LEN (sizeof (int)))
    memcpy (&fd, CMSG_DATA (cmsg), sizeof (int));
  return fd;
}

static int
direct_open_tap (VireoNetClient  *client,
                 const char      *name,
                 const char      *mac,
                 char           **tap_name,
                 GError         **error)
{
  const char *args[] = { "tap-open", name, mac, NULL };
  g_autofree char *out = NULL;
  int pair[2];
  int fd;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, "%s: socketpair: %s", name, g_strerror (errno));
      return -1;
    }
  if (!run_helper (client, name, args, pair[1], &out, error))
    {
      close (pair[0]);
      return -1;
    }
  fd = receive_fd (pair[0]);
  close (pair[0]);
  if (fd < 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL,
                   _("Network '%s': vireo-net sent no tap"), name);
      return -1;
    }
  *tap_name = first_line (out);
  return fd;
}

/* ---- D-Bus ---- */

static GVariant *
bus_call (VireoNetClient  *client,
          const char      *name,
          const char      *method,
          GVariant        *args,
          const char      *reply_type,
          GUnixFDList    **fds,
          GError         **error)
{
  g_autoptr(GError) local = NULL;
  GVariant *reply = g_dbus_connection_call_with_unix_fd_list_sync (client->bus, VIREO_NET_BUS_NAME,
                                                                   VIREO_NET_OBJECT_PATH, VIREO_NET_INTERFACE,
                                                                   method, args, G_VARIANT_TYPE (reply_type),
                                                                   G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS,
                                                                   NULL, fds, NULL, &local);

  if (reply != NULL)
    return reply;
  g_dbus_error_strip_remote_error (local);
  if (local->domain == VIREO_ERROR && local->code != VIREO_ERROR_PERMISSION)
    g_propagate_error (error, g_steal_pointer (&local));
  else if (local->domain == VIREO_ERROR ||
           g_error_matches (local, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
           g_error_matches (local, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
           g_error_matches (local, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
           g_error_matches (local, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
           g_error_matches (local, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED) ||
           g_error_matches (local, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED))
    {
      g_debug ("vireo-net: %s", local->message);
      set_permission_error (error, name);
    }
  else
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, "%s: %s", name, local->message);
  return NULL;
}

static int
bus_open_tap (VireoNetClient  *client,
              const char      *name,
              const char      *mac,
              char           **tap_name,
              GError         **error)
{
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply = bus_call (client, name, "OpenTap", g_variant_new ("(ss)", name, mac),
                                        "(hs)", &fds, error);
  gint32 handle;
  int fd;

  if (reply == NULL)
    return -1;
  g_variant_get (reply, "(hs)", &handle, tap_name);
  fd = fds != NULL ? g_unix_fd_list_get (fds, handle, NULL) : -1;
  if (fd < 0)
    {
      g_clear_pointer (tap_name, g_free);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL,
                   _("Network '%s': vireo-net sent no tap"), name);
    }
  return fd;
}

/* ---- the API ---- */

/* a result: GVariant text from the helper, or the bus reply's one child */
static GVariant *
call_for_value (VireoNetClient *client,
                const char     *command,
                const char     *method,
                const char     *name,
                const char     *type,
                GError        **error)
{
  g_autofree char *reply_type = g_strdup_printf ("(%s)", type);
  g_autofree char *out = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *args[] = { command, name, NULL };
  GVariant *value;

  if (client->bus != NULL)
    {
      reply = bus_call (client, name, method, g_variant_new ("(s)", name), reply_type, NULL, error);
      return reply ? g_variant_get_child_value (reply, 0) : NULL;
    }
  if (!run_helper (client, name, args, -1, &out, error))
    return NULL;
  value = g_variant_parse (G_VARIANT_TYPE (type), out, NULL, NULL, NULL);
  if (value == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL,
                 _("Network '%s': vireo-net answered what it should not"), name);
  return value ? g_variant_ref_sink (value) : NULL;
}

/**
 * vireo_net_client_start:
 * Blocking; for worker threads.
 */
gboolean
vireo_net_client_start (VireoNetClient       *client,
                        const VireoNetParams *params,
                        GError              **error)
{
  g_autoptr(GVariant) variant = g_variant_ref_sink (vireo_net_params_to_variant (params));
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *text = NULL;
  const char *args[] = { "net-start", NULL, NULL };

  if (!vireo_net_params_validate (params, error))
    return FALSE;
  if (client->bus != NULL)
    {
      reply = bus_call (client, params->name, "Start", g_variant_new ("(@a{sv})", variant), "()", NULL, error);
      return reply != NULL;
    }
  text = g_variant_print (variant, TRUE);
  args[1] = text;
  return run_helper (client, params->name, args, -1, NULL, error);
}

gboolean
vireo_net_client_stop (VireoNetClient  *client,
                       const char      *name,
                       GError         **error)
{
  const char *args[] = { "net-stop", name, NULL };
  g_autoptr(GVariant) reply = NULL;

  if (client->bus == NULL)
    return run_helper (client, name, args, -1, NULL, error);
  reply = bus_call (client, name, "Stop", g_variant_new ("(s)", name), "()", NULL, error);
  return reply != NULL;
}

/**
 * vireo_net_client_open_tap:
 * Returns: a new fd (the caller closes it), or -1 with @error set
 */
int
vireo_net_client_open_tap (VireoNetClient  *client,
                           const char      *name,
                           const char      *mac,
                           char           **tap_name,
                           GError         **error)
{
  g_autofree char *tap = NULL;
  int fd = client->bus != NULL ? bus_open_tap (client, name, mac, &tap, error)
                               : direct_open_tap (client, name, mac, &tap, error);

  if (fd >= 0 && tap_name != NULL)
    *tap_name = g_steal_pointer (&tap);
  return fd;
}

VireoNetStatus *
vireo_net_client_status (VireoNetClient  *client,
                         const char      *name,
                         GError         **error)
{
  g_autoptr(GVariant) value = call_for_value (client, "status", "Status", name, "a{sv}", error);
  g_autoptr(GVariant) params = NULL;
  g_autoptr(VireoNetStatus) status = NULL;

  if (value == NULL)
    return NULL;
  status = g_new0 (VireoNetStatus, 1);
  g_variant_lookup (value, "running", "b", &status->running);
  g_variant_lookup (value, "dnsmasq-alive", "b", &status->dnsmasq_alive);
  params = g_variant_lookup_value (value, "params", G_VARIANT_TYPE_VARDICT);
  if (status->running && (params == NULL || !(status->params = vireo_net_params_from_variant (params, error))))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL,
                     _("Network '%s': vireo-net answered what it should not"), name);
      return NULL;
    }
  return g_steal_pointer (&status);
}

GPtrArray *
vireo_net_client_leases (VireoNetClient  *client,
                         const char      *name,
                         GError         **error)
{
  g_autoptr(GVariant) value = call_for_value (client, "leases", "Leases", name, "a(xsss)", error);
  GPtrArray *leases;
  GVariantIter iter;
  gint64 expiry;
  const char *mac, *ip, *hostname;

  if (value == NULL)
    return NULL;
  leases = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_net_lease_free);
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "(x&s&s&s)", &expiry, &mac, &ip, &hostname))
    {
      VireoNetLease *lease = g_new0 (VireoNetLease, 1);

      lease->expiry = expiry;
      lease->mac = g_strdup (mac);
      lease->ip = g_strdup (ip);
      lease->hostname = *hostname ? g_strdup (hostname) : NULL;
      g_ptr_array_add (leases, lease);
    }
  return leases;
}

void
vireo_net_status_free (VireoNetStatus *status)
{
  if (status == NULL)
    return;
  vireo_net_params_free (status->params);
  g_free (status);
}

void
vireo_net_lease_free (VireoNetLease *lease)
{
  if (lease == NULL)
    return;
  g_free (lease->mac);
  g_free (lease->ip);
  g_free (lease->hostname);
  g_free (lease);
}
