/* vireo-net-dnsmasq.c: the DHCP and DNS server of a network
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One dnsmasq per network, started with `--conf-file=STATE/NAME/dnsmasq.conf`
 * and nothing else on its command line: that is how vireo-net knows its
 * own (a pid file alone could name anybody by now).  The conf follows
 * libvirt's: listen on the bridge only (bind-dynamic, interface=,
 * except-interface=lo), static leases in a hosts file re-read on SIGHUP,
 * a plain lease file that `leases` reads back.
 */
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"
#include "vireo-net-helper.h"

#define CONF "dnsmasq.conf"
#define PIDFILE "dnsmasq.pid"
#define HOSTSFILE "hostsfile"
#define ADDNHOSTS "addnhosts"
#define LEASES "leases"

static void
dhcp_conf (GString              *s,
           const VireoNetParams *params,
           const char           *dir)
{
  g_autofree char *mask = vireo_ipv4_to_string (vireo_ipv4_mask (params->prefix));
  g_autofree char *start = vireo_ipv4_to_string (params->dhcp_start);
  g_autofree char *end = vireo_ipv4_to_string (params->dhcp_end);
  g_autofree char *net = vireo_ipv4_to_string (vireo_net_params_network (params));
  gboolean range = params->dhcp_start != 0 || params->dhcp_end != 0;

  if (!range && params->hosts->len == 0)
    return;
  if (range)
    g_string_append_printf (s, "dhcp-range=%s,%s,%s\n", start, end, mask);
  else
    /* static leases only: dnsmasq needs a static range to serve them */
    g_string_append_printf (s, "dhcp-range=%s,static,%s\n", net, mask);
  g_string_append (s, "dhcp-no-override\ndhcp-authoritative\n");
  g_string_append_printf (s, "dhcp-lease-max=%u\n",
                          (range ? params->dhcp_end - params->dhcp_start + 1 : 0) + params->hosts->len);
  g_string_append_printf (s, "dhcp-hostsfile=%s/" HOSTSFILE "\n", dir);
  g_string_append_printf (s, "dhcp-leasefile=%s/" LEASES "\n", dir);
}

/**
 * vnet_dnsmasq_conf:
 * @dir: the network's state folder (a path vnet_state_open() checked)
 * Returns: the conf of the network's dnsmasq
 */
char *
vnet_dnsmasq_conf (const VireoNetParams *params,
                   const char           *dir)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "# made by vireo-net for network %s: do not edit\n", params->name);
  g_string_append (s, "strict-order\n");
  g_string_append_printf (s, "pid-file=%s/" PIDFILE "\n", dir);
  g_string_append (s, "except-interface=lo\nbind-dynamic\n");
  g_string_append_printf (s, "interface=%s\n", params->bridge);
  if (params->domain != NULL)
    /* the guests' names resolve in the domain, and only here */
    g_string_append_printf (s, "domain=%s\nlocal=/%s/\nexpand-hosts\n", params->domain, params->domain);
  g_string_append_printf (s, "addn-hosts=%s/" ADDNHOSTS "\n", dir);
  dhcp_conf (s, params, dir);
  return g_string_free (s, FALSE);
}

/* dhcp-hostsfile: "MAC,IP[,NAME]" per static lease */
char *
vnet_dnsmasq_hostsfile (const VireoNetParams *params)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < params->hosts->len; i++)
    {
      const VireoNetHost *host = g_ptr_array_index (params->hosts, i);
      g_autofree char *ip = vireo_ipv4_to_string (host->ip);

      g_string_append_printf (s, "%s,%s%s%s\n", host->mac, ip, host->name ? "," : "",
                              host->name ? host->name : "");
    }
  return g_string_free (s, FALSE);
}

/* addn-hosts: a named static lease resolves before its guest asked */
char *
vnet_dnsmasq_addnhosts (const VireoNetParams *params)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < params->hosts->len; i++)
    {
      const VireoNetHost *host = g_ptr_array_index (params->hosts, i);
      g_autofree char *ip = vireo_ipv4_to_string (host->ip);

      if (host->name != NULL)
        g_string_append_printf (s, "%s %s\n", ip, host->name);
    }
  return g_string_free (s, FALSE);
}

static gboolean
parse_lease (const char *line,
             GVariantBuilder *builder)
{
  g_auto(GStrv) f = g_strsplit (line, " ", 6);
  g_autofree char *mac = NULL;
  g_autofree char *ip_text = NULL;
  gint64 expiry;
  guint32 ip;
  const char *name;

  /* "EXPIRY MAC IP HOSTNAME CLIENTID"; "duid …" and IPv6 lines are skipped */
  if (g_strv_length (f) != 5 ||
      !g_ascii_string_to_signed (f[0], 10, 0, G_MAXINT64, &expiry, NULL) ||
      (mac = vireo_mac_normalize (f[1])) == NULL || !vireo_ipv4_parse (f[2], &ip))
    return FALSE;
  /* the guest chose its name: keep it only when it is a plain DNS label */
  name = vireo_net_host_name_validate (f[3], NULL) ? f[3] : "";
  ip_text = vireo_ipv4_to_string (ip);
  g_variant_builder_add (builder, "(xsss)", expiry, mac, ip_text, name);
  return TRUE;
}

/**
 * vnet_leases_parse:
 * @text: a dnsmasq lease file, which the guests influence (their names)
 * Returns: (transfer floating): a(xsss), expiry, MAC, IPv4 address and
 *   host name ("" when the guest sent none or an unusable one); lines
 *   that are not a well-formed IPv4 lease are skipped.
 */
GVariant *
vnet_leases_parse (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", VIREO_NET_LEASES_MAX + 1);
  GVariantBuilder builder;
  guint n = 0;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(xsss)"));
  for (guint i = 0; lines[i] != NULL && n < VIREO_NET_LEASES_MAX; i++)
    if (parse_lease (lines[i], &builder))
      n++;
  return g_variant_builder_end (&builder);
}

/* the conf and both hosts files, in the network's state folder */
gboolean
vnet_dnsmasq_write (VnetState            *state,
                    const VireoNetParams *params,
                    GError              **error)
{
  g_autofree char *dir = vnet_state_path (state, params->name, NULL);
  g_autofree char *conf = vnet_dnsmasq_conf (params, dir);
  g_autofree char *hosts = vnet_dnsmasq_hostsfile (params);
  g_autofree char *addn = vnet_dnsmasq_addnhosts (params);

  return vnet_state_write (state, params->name, CONF, conf, error) &&
         vnet_state_write (state, params->name, HOSTSFILE, hosts, error) &&
         vnet_state_write (state, params->name, ADDNHOSTS, addn, error);
}

/* pidfds: a pid names whoever has it now, a pidfd the one process it
 * was opened for, even once PID 1 here has yet to reap it */
static int
pidfd_open_pid (pid_t pid)
{
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

static gboolean
pidfd_signal (int pidfd,
              int sig)
{
  return syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0;
}

/* whether the process exited (a zombie's pidfd is readable too) within
 * @ms milliseconds */
static gboolean
pidfd_exited (int   pidfd,
              guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  for (;;)
    {
      struct pollfd p = { pidfd, POLLIN, 0 };
      gint64 left = (end - g_get_monotonic_time ()) / 1000;
      int n = poll (&p, 1, (int) MAX (left, 0));

      if (n > 0)
        return TRUE;
      if (n == 0 || errno != EINTR)
        return FALSE;
    }
}

/* root, or the user dnsmasq drops to (its compiled default, "nobody",
 * or a distribution's "dnsmasq"): a user's process is never ours */
static gboolean
uid_is_dnsmasqs (guint64 uid)
{
  const char * const users[] = { "nobody", "dnsmasq", NULL };

  if (uid == 0)
    return TRUE;
  for (guint i = 0; users[i] != NULL; i++)
    {
      struct passwd *pw = getpwnam (users[i]);

      if (pw != NULL && pw->pw_uid == uid)
        return TRUE;
    }
  return FALSE;
}

/* the real and effective uid of the process, from /proc/PID/status */
static gboolean
owner_is_dnsmasqs (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/status", pid);
  g_autofree char *text = NULL;
  const char *line;
  guint64 real, effective;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "\nUid:")) == NULL ||
      sscanf (line + 5, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &real, &effective) != 2)
    return FALSE;
  return uid_is_dnsmasqs (real) && uid_is_dnsmasqs (effective);
}

/* its command line is exactly dnsmasq --conf-file=OUR-CONF (a zombie
 * has none) */
static gboolean
cmdline_is_ours (gint64      pid,
                 const char *want)
{
  g_autofree char *proc = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/cmdline", pid);
  g_autofree char *cmdline = NULL;
  gsize len = 0;
  const char *argv1, *base;

  if (!g_file_get_contents (proc, &cmdline, &len, NULL) || len == 0 || cmdline[len - 1] != '\0')
    return FALSE;
  argv1 = cmdline + strlen (cmdline) + 1;
  base = strrchr (cmdline, '/');
  return (gsize) (argv1 - cmdline) < len && g_str_equal (base ? base + 1 : cmdline, "dnsmasq") &&
         g_str_equal (argv1, want) && (gsize) (argv1 + strlen (argv1) + 1 - cmdline) == len;
}

/* a pidfd of the process in the pid file, when that process is our
 * dnsmasq: opened first, then checked, then known not to have exited in
 * between (so the check was of the process the pidfd holds); -1 if not */
static int
our_pidfd (VnetState  *state,
           const char *name,
           pid_t      *pid_out)
{
  g_autofree char *text = vnet_state_read (state, name, PIDFILE, 32, NULL);
  g_autofree char *conf = vnet_state_path (state, name, CONF);
  g_autofree char *want = g_strconcat ("--conf-file=", conf, NULL);
  gint64 pid;
  int pidfd;

  if (text == NULL || !g_ascii_string_to_signed (g_strstrip (text), 10, 1, G_MAXINT32, &pid, NULL))
    return -1;
  pidfd = pidfd_open_pid ((pid_t) pid);
  if (pidfd < 0)
    return -1;
  if (!cmdline_is_ours (pid, want) || !owner_is_dnsmasqs (pid) || pidfd_exited (pidfd, 0))
    {
      close (pidfd);
      return -1;
    }
  if (pid_out != NULL)
    *pid_out = (pid_t) pid;
  return pidfd;
}

gboolean
vnet_dnsmasq_alive (VnetState  *state,
                    const char *name)
{
  int pidfd = our_pidfd (state, name, NULL);

  if (pidfd < 0)
    return FALSE;
  close (pidfd);
  return TRUE;
}

/* re-reads the hosts files */
void
vnet_dnsmasq_reload (VnetState  *state,
                     const char *name)
{
  int pidfd = our_pidfd (state, name, NULL);

  if (pidfd < 0)
    return;
  pidfd_signal (pidfd, SIGHUP);
  close (pidfd);
}

/* dnsmasq forks and the parent returns once the server is ready (or
 * failed, and said why on stderr) */
gboolean
vnet_dnsmasq_start (VnetState            *state,
                    const VireoNetParams *params,
                    GError              **error)
{
  g_autofree char *conf = vnet_state_path (state, params->name, CONF);
  g_autofree char *arg = g_strconcat ("--conf-file=", conf, NULL);
  const char *argv[] = { "dnsmasq", arg, NULL };
  g_autoptr(GError) local = NULL;

  if (!vnet_run (argv, NULL, NULL, &local))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Network '%s': dnsmasq did not start: %s"), params->name, local->message);
      return FALSE;
    }
  if (!vnet_dnsmasq_alive (state, params->name))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Network '%s': dnsmasq exited right after it started"), params->name);
      return FALSE;
    }
  return TRUE;
}

/* stops our dnsmasq, if it runs: TERM, then KILL, each through the
 * pidfd, and its exit seen on the pidfd (a reused pid is never hit) */
gboolean
vnet_dnsmasq_stop (VnetState   *state,
                   const char  *name,
                   GError     **error)
{
  pid_t pid = 0;
  int pidfd = our_pidfd (state, name, &pid);
  gboolean gone;

  if (pidfd < 0)
    return TRUE;
  gone = (pidfd_signal (pidfd, SIGTERM) && pidfd_exited (pidfd, 5000)) ||
         (pidfd_signal (pidfd, SIGKILL) && pidfd_exited (pidfd, 2000)) ||
         pidfd_exited (pidfd, 0);
  close (pidfd);
  if (gone)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
               _("Network '%s': dnsmasq (pid %d) does not stop"), name, (int) pid);
  return FALSE;
}
