/* vireo-net-main.c: the command line of vireo-net
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   vireo-net [--state-dir DIR] net-start 'GVARIANT-TEXT-OF-PARAMS'
 *   vireo-net [--state-dir DIR] net-stop NAME
 *   vireo-net [--state-dir DIR] tap-open NAME MAC   (fd 3: an AF_UNIX socket)
 *   vireo-net [--state-dir DIR] status NAME | leases NAME | list
 *   vireo-net --dbus [--bus-address ADDR] [--state-dir DIR]
 *
 * Results are GVariant text on stdout; an error is exit status 1 and one
 * line on stderr that names the network and the cause.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-net-helper.h"

typedef struct {
  const char *state_dir;
  const char *bus_address;
  gboolean dbus;
  char **args;   /* the command and its arguments */
  int n_args;
} Options;

static void
usage (FILE *out)
{
  fprintf (out, "%s",
           "Usage: vireo-net [--state-dir DIR] COMMAND [ARGS]\n"
           "       vireo-net --dbus [--bus-address ADDRESS] [--state-dir DIR]\n"
           "Commands:\n"
           "  net-start 'PARAMS'   start a network (PARAMS: GVariant text, a{sv})\n"
           "  net-stop NAME        stop a network and remove all it made\n"
           "  tap-open NAME MAC    send a tap on the network's bridge over fd 3\n"
           "  status NAME          print a{sv}: running, dnsmasq-alive, params\n"
           "  leases NAME          print a(xsss): expiry, MAC, IP, host name\n"
           "  list                 print as: the running networks\n");
}

static gboolean
parse_options (int      argc,
               char   **argv,
               Options *opts)
{
  int i = 1;

  opts->state_dir = VIREO_NET_STATE_DIR_DEFAULT;
  for (; i < argc && g_str_has_prefix (argv[i], "--"); i++)
    {
      if (g_str_equal (argv[i], "--dbus"))
        opts->dbus = TRUE;
      else if (g_str_equal (argv[i], "--state-dir") && i + 1 < argc)
        opts->state_dir = argv[++i];
      else if (g_str_equal (argv[i], "--bus-address") && i + 1 < argc)
        opts->bus_address = argv[++i];
      else
        return FALSE;
    }
  opts->args = argv + i;
  opts->n_args = argc - i;
  return opts->dbus ? opts->n_args == 0 : opts->n_args >= 1;
}

static gboolean
print_variant (GVariant *variant)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (variant);
  g_autofree char *text = g_variant_print (owned, TRUE);

  printf ("%s\n", text);
  return TRUE;
}

static gboolean
send_fd (int         sock,
         int         fd,
         GError    **error)
{
  char byte = 0;
  struct iovec iov = { &byte, 1 };
  union { struct cmsghdr hdr; char buf[CMSG_SPACE (sizeof (int))]; } control;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);

  memset (&control, 0, sizeof control);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));
  while (sendmsg (sock, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      {
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                     _("Cannot hand the tap over on fd 3: %s"), g_strerror (errno));
        return FALSE;
      }
  return TRUE;
}

/* the tap's fd goes over the AF_UNIX socket on fd 3, its name to stdout */
static gboolean
cmd_tap_open (VnetState  *state,
              const char *name,
              const char *mac,
              GError    **error)
{
  g_autofree char *tap = NULL;
  int domain = 0;
  socklen_t len = sizeof domain;
  int fd;

  fd = vnet_net_open_tap (state, name, mac, &tap, error);
  if (fd < 0)
    return FALSE;
  /* checked once the request is known good: a tap not sent just vanishes */
  if (getsockopt (3, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_UNIX)
    {
      close (fd);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Network '%s': tap-open needs an AF_UNIX socket on fd 3"), name);
      return FALSE;
    }
  if (!send_fd (3, fd, error))
    {
      close (fd);
      return FALSE;
    }
  close (fd);
  printf ("%s\n", tap);
  return TRUE;
}

static gboolean
cmd_start (VnetState  *state,
           const char *text,
           GError    **error)
{
  g_autoptr(GVariant) variant = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, NULL);
  g_autoptr(VireoNetParams) params = NULL;

  if (variant == NULL)
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL,
                           _("The network request is not a dictionary"));
      return FALSE;
    }
  params = vireo_net_params_from_variant (variant, error);
  return params != NULL && vnet_net_start (state, params, 0, error);
}

static gboolean
run_command (VnetState  *state,
             char      **args,
             int         n,
             GError    **error)
{
  const char *cmd = args[0];
  GVariant *out = NULL;

  if (g_str_equal (cmd, "net-start") && n == 2)
    return cmd_start (state, args[1], error);
  if (g_str_equal (cmd, "net-stop") && n == 2)
    return vnet_net_stop (state, args[1], 0, error);
  if (g_str_equal (cmd, "tap-open") && n == 3)
    return cmd_tap_open (state, args[1], args[2], error);
  if (g_str_equal (cmd, "list") && n == 1)
    return print_variant (vnet_net_list (state));
  if (g_str_equal (cmd, "status") && n == 2)
    out = vnet_net_status (state, args[1], error);
  else if (g_str_equal (cmd, "leases") && n == 2)
    out = vnet_net_leases (state, args[1], error);
  else
    {
      g_autofree char *shown = g_strescape (cmd, NULL);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("vireo-net: unknown command or wrong arguments: %s"), shown);
      return FALSE;
    }
  return out != NULL && print_variant (out);
}

int
main (int    argc,
      char **argv)
{
  Options opts = { 0 };
  g_autoptr(VnetState) state = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    return usage (stdout), 0;
  if (!parse_options (argc, argv, &opts))
    return usage (stderr), 2;
  if (geteuid () != 0)
    {
      g_printerr ("%s\n", _("vireo-net must run as root: it manages bridges, firewall rules and dnsmasq"));
      return 1;
    }
  if (opts.dbus)
    return vnet_dbus_main (opts.state_dir, opts.bus_address);
  state = vnet_state_open (opts.state_dir, &error);
  if (state == NULL || !run_command (state, opts.args, opts.n_args, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return 0;
}
