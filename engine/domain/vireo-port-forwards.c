/* vireo-port-forwards.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Host port forwards of user-mode NICs are definition changes that a
 * running VM can also take at once: QEMU's slirp adds and removes
 * hostfwd rules through the HMP commands hostfwd_add and hostfwd_remove
 * (there is no QMP command for them), on the netdev "net<N>" of the
 * NIC's place in the command line.  The running VM is changed first, and
 * the definition only once that worked, so a port QEMU cannot open
 * leaves the definition as it was.  The copy of the definition QEMU was
 * started from (run/ID/domain.xml) follows, so the change does not show
 * as pending.  A NIC added since the start, or a VM started by an older
 * Vireo, has nothing to change live: there the change waits for the next
 * start, as any other.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vireo-local-domain-private.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-port-forwards.h"
#include "vireo-i18n.h"

typedef struct {
  VireoDomain *domain;
  VireoDomainConfig *config;   /* the new definition */
  VireoPortForward *forward;   /* the one added, or the one removed */
  char *mac;                   /* its NIC's */
  gboolean adding;
  /* the running VM, when the change applies to it at once */
  VireoDomainConfig *live;     /* what QEMU runs, with the change */
  char *live_xml;              /* run/ID/domain.xml before the change */
  guint index;                 /* the NIC's netdev is net<index> */
  VireoQmpClient *qmp;
  gboolean applied;            /* QEMU has the change */
  gboolean pending;            /* it runs, and the change waits for the next start */
} Edit;

static void
edit_free (Edit *edit)
{
  g_clear_object (&edit->domain);
  vireo_domain_config_free (edit->config);
  vireo_port_forward_free (edit->forward);
  g_free (edit->mac);
  vireo_domain_config_free (edit->live);
  g_free (edit->live_xml);
  g_clear_object (&edit->qmp);
  g_free (edit);
}

static GTask *
edit_task_new (VireoLocalBackend      *engine,
               VireoDomain            *domain,
               gpointer                source_tag,
               const VireoPortForward *forward,
               GCancellable           *cancellable,
               GAsyncReadyCallback     callback,
               gpointer                user_data)
{
  GTask *task = g_task_new (engine, cancellable, callback, user_data);
  Edit *edit = g_new0 (Edit, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, edit, (GDestroyNotify) edit_free);
  edit->domain = g_object_ref (domain);
  edit->config = vireo_domain_config_copy (vireo_domain_get_config (domain));
  edit->forward = vireo_port_forward_copy (forward);
  return task;
}

/* The outcome of an add or a remove, with whether it waits for the next start. */
static gboolean
edit_finish (VireoLocalBackend  *engine,
             GAsyncResult       *result,
             gpointer            source_tag,
             gboolean           *pending,
             GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), FALSE);

  if (pending)
    *pending = ((Edit *) g_task_get_task_data (G_TASK (result)))->pending;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Takes @task and @error. */
static void
fail_task (GTask  *task,
           GError *error)
{
  g_task_return_error (task, error);
  g_object_unref (task);
}

/**
 * _vireo_port_forward_failure:
 * Why the host cannot open @forward's socket now, found by trying
 * ("Address already in use", "Permission denied" below port 1024…), as
 * QEMU only says that it could not.
 *
 * Returns: (transfer full): the cause, one line
 */
char *
_vireo_port_forward_failure (const VireoPortForward *forward)
{
  gboolean tcp = forward->protocol == VIREO_FORWARD_TCP;
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (forward->host_port) };
  int fd = socket (AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  int one = 1;
  int saved = 0;

  if (inet_pton (AF_INET, forward->address, &addr.sin_addr) != 1)
    saved = EINVAL;
  else if (fd < 0)
    saved = errno;
  /* as slirp does, so a port in TIME_WAIT is not taken for busy */
  else if ((tcp && setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) ||
           bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    saved = errno;
  if (fd >= 0)
    close (fd);
  if (saved == 0)
    return g_strdup (_("QEMU could not open it"));
  return g_strdup (g_strerror (saved));
}

/**
 * _vireo_port_forward_start_error:
 * @qemu_message: QEMU's last words of a failed start
 *
 * QEMU names a forward it could not set up by its rule, deep in a line
 * that quotes the whole -netdev; the user wants the VM, the port and why.
 *
 * Returns: (transfer full) (nullable): that error, or %NULL when
 *   @qemu_message is about something else
 */
GError *
_vireo_port_forward_start_error (const char *name,
                                 const char *qemu_message)
{
  static const char failed[] = "Could not set up host forwarding rule '";
  const char *rule = strstr (qemu_message, failed);
  const char *end;
  g_autofree char *host = NULL;
  g_autofree char *cause = NULL;
  g_autoptr(VireoPortForward) forward = NULL;

  if (rule == NULL)
    return NULL;
  rule += strlen (failed);
  /* "tcp:127.0.0.1:2222-:22": the host side ends at the dash */
  end = strchr (rule, '-');
  host = end ? g_strndup (rule, end - rule) : NULL;
  forward = host ? vireo_port_forward_parse (host, FALSE, NULL) : NULL;
  if (forward == NULL)
    return NULL;
  cause = _vireo_port_forward_failure (forward);
  return g_error_new (VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                      _("VM '%s' failed to start: it cannot forward host port %s %s:%u: %s"), name,
                      vireo_forward_protocol_to_string (forward->protocol), forward->address,
                      forward->host_port, cause);
}

/* Takes @error: the forward could not be changed in the running VM. */
static GError *
live_error (Edit   *edit,
            GError *error)
{
  const VireoPortForward *f = edit->forward;
  const char *protocol = vireo_forward_protocol_to_string (f->protocol);
  GError *result;

  if (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_DISCONNECTED))
    return _vireo_domain_command_error (edit->domain, error, _("VM '%s' cannot change its port forwards: %s"));
  if (edit->adding)
    result = g_error_new (error->domain, error->code,
                          _("VM '%s' cannot forward host port %s %s:%u now: %s; its definition is unchanged"),
                          edit->config->name, protocol, f->address, f->host_port, error->message);
  else
    result = g_error_new (error->domain, error->code,
                          _("VM '%s' cannot stop forwarding host port %s %s:%u now: %s; its definition is unchanged"),
                          edit->config->name, protocol, f->address, f->host_port, error->message);
  g_error_free (error);
  return result;
}

static char *
hmp_command (Edit     *edit,
             gboolean  undo)
{
  const VireoPortForward *f = edit->forward;

  if (edit->adding != undo)
    {
      g_autofree char *rule = vireo_port_forward_to_hostfwd (f);
      return g_strdup_printf ("hostfwd_add net%u %s", edit->index, rule);
    }
  return g_strdup_printf ("hostfwd_remove net%u %s:%s:%u", edit->index,
                          vireo_forward_protocol_to_string (f->protocol), f->address, f->host_port);
}

static void
send_hmp (Edit                *edit,
          gboolean             undo,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autofree char *line = hmp_command (edit, undo);
  g_autoptr(JsonObject) args = json_object_new ();

  g_debug ("VM '%s': %s", edit->config->name, line);
  json_object_set_string_member (args, "command-line", line);
  vireo_qmp_client_execute_async (edit->qmp, "human-monitor-command", args, NULL, callback, user_data);
}

/* The running VM's copy of its definition, and the cache of it. */
static gboolean
write_live (Edit        *edit,
            const char  *xml,
            GError     **error)
{
  VireoLocalDomain *domain = VIREO_LOCAL_DOMAIN (edit->domain);
  g_autofree char *path = g_build_filename (domain->run_dir, "domain.xml", NULL);

  g_clear_pointer (&domain->live_config, vireo_domain_config_free);
  return vireo_file_replace_runtime (path, xml, -1, 0600, error);
}

static void
on_defined (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Edit *edit = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(VireoDomain) domain = vireo_backend_define_domain_finish (VIREO_BACKEND (source), result, &error);

  if (domain != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (edit->applied)
    {
      /* the definition stays as it was: so does the running VM */
      g_autoptr(GError) ignored = NULL;

      send_hmp (edit, TRUE, NULL, NULL);
      if (!write_live (edit, edit->live_xml, &ignored))
        g_debug ("VM '%s': %s", edit->config->name, ignored->message);
    }
  g_task_return_error (task, error);
}

/* Takes @task: the last step. */
static void
save (GTask *task)
{
  Edit *edit = g_task_get_task_data (task);

  /* once the running VM changed, the definition must follow */
  vireo_backend_define_domain_async (VIREO_BACKEND (g_task_get_source_object (task)), edit->config,
                                     edit->applied ? NULL : g_task_get_cancellable (task),
                                     on_defined, task);
}

/* hostfwd_add says nothing when it worked; hostfwd_remove says "removed",
 * or "not found" for a rule that is gone already.  Anything else is an
 * error, in plain text (HMP has no error replies). */
static gboolean
hmp_worked (Edit       *edit,
            const char *reply)
{
  if (edit->adding)
    return *reply == '\0';
  return *reply == '\0' || strstr (reply, "removed") != NULL || strstr (reply, "not found") != NULL;
}

static void
on_hmp (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *task = user_data;
  Edit *edit = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, &error);
  const char *reply = ret && JSON_NODE_HOLDS_VALUE (ret) ? json_node_get_string (ret) : NULL;
  g_autofree char *xml = NULL;

  if (ret == NULL)
    {
      fail_task (task, live_error (edit, error));
      return;
    }
  if (reply == NULL || !hmp_worked (edit, reply))
    {
      g_autofree char *cause = edit->adding ? _vireo_port_forward_failure (edit->forward)
                                            : g_strstrip (g_strdup (reply ? reply : ""));

      g_debug ("VM '%s': HMP said: %s", edit->config->name, reply ? reply : "(not a string)");
      fail_task (task, live_error (edit, g_error_new_literal (VIREO_ERROR, VIREO_ERROR_QEMU_FAILED, cause)));
      return;
    }
  edit->applied = TRUE;
  xml = vireo_domain_config_format (edit->live);
  if (!write_live (edit, xml, &error))
    g_debug ("VM '%s': %s", edit->config->name, error->message);
  g_clear_error (&error);
  save (task);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Edit *edit = g_task_get_task_data (task);
  GError *error = NULL;

  edit->qmp = _vireo_domain_connect_finish (VIREO_DOMAIN (source), result, &error);
  if (edit->qmp == NULL)
    {
      fail_task (task, error);
      return;
    }
  send_hmp (edit, FALSE, on_hmp, task);
}

/* Changes @live the way the definition changes.  Returns: whether there
 * is something to change in it. */
static gboolean
change_live (Edit              *edit,
             VireoDomainConfig *live)
{
  VireoNicConfig *nic = vireo_domain_config_lookup_nic (live, edit->mac);
  VireoPortForward *there;

  if (nic == NULL || nic->type != VIREO_NET_USER)
    return FALSE;
  there = vireo_nic_config_find_forward (nic, edit->forward);
  if (edit->adding == (there != NULL))
    return FALSE;
  if (edit->adding)
    g_ptr_array_add (nic->forwards, vireo_port_forward_copy (edit->forward));
  else
    g_ptr_array_remove (nic->forwards, there);
  for (edit->index = 0; g_ptr_array_index (live->nics, edit->index) != nic; edit->index++)
    ;
  return TRUE;
}

/* Takes @task: the running VM first, when there is one to change. */
static void
apply (GTask *task)
{
  Edit *edit = g_task_get_task_data (task);
  VireoDomain *domain = edit->domain;
  g_autofree char *path = NULL;
  g_autoptr(VireoDomainConfig) live = NULL;

  vireo_domain_refresh_state (domain);
  if (!vireo_domain_is_active (domain))
    {
      save (task);
      return;
    }
  path = g_build_filename (vireo_domain_get_run_dir (domain), "domain.xml", NULL);
  if (g_file_get_contents (path, &edit->live_xml, NULL, NULL))
    live = vireo_domain_config_parse (edit->live_xml, -1, path, NULL);
  if (live == NULL || !change_live (edit, live))
    {
      edit->pending = TRUE;
      save (task);
      return;
    }
  edit->live = g_steal_pointer (&live);
  _vireo_domain_connect_async (domain, g_task_get_cancellable (task), on_connected, task);
}

/**
 * vireo_port_forwards_add_async:
 * @engine: the engine that holds @domain
 * @domain: the VM
 * @mac: (nullable): the user-mode NIC; %NULL for the VM's first one
 * @forward: (transfer none): what to forward (vireo_port_forward_parse()
 *   reads what users type); copied before this returns
 * @cancellable: (nullable): stops the change until the running VM or the
 *   definition is touched; from then on it completes and the result says
 *   so
 *
 * Adds a host port forward to @domain's definition (through
 * vireo_backend_define_domain_async(), under the VM's change lock) and,
 * when the VM runs, to the running VM at once.  If the running VM cannot
 * open the port, the error says why and the definition is unchanged.
 */
void
vireo_port_forwards_add_async (VireoLocalBackend      *engine,
                               VireoDomain            *domain,
                               const char             *mac,
                               const VireoPortForward *forward,
                               GCancellable           *cancellable,
                               GAsyncReadyCallback     callback,
                               gpointer                user_data)
{
  GTask *task;
  Edit *edit;
  VireoNicConfig *nic;
  GError *error = NULL;

  g_return_if_fail (VIREO_IS_LOCAL_BACKEND (engine));
  g_return_if_fail (VIREO_IS_LOCAL_DOMAIN (domain));
  g_return_if_fail (forward != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = edit_task_new (engine, domain, vireo_port_forwards_add_async, forward,
                        cancellable, callback, user_data);
  edit = g_task_get_task_data (task);
  edit->adding = TRUE;
  nic = mac ? vireo_domain_config_lookup_nic (edit->config, mac)
            : vireo_domain_config_first_user_nic (edit->config);
  if (nic == NULL && mac != NULL)
    {
      fail_task (task, g_error_new (VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                                    _("VM '%s' has no network interface %s"), edit->config->name, mac));
      return;
    }
  if (nic == NULL)
    {
      fail_task (task, g_error_new (VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                                    _("VM '%s' has no user-mode network interface to forward ports to"),
                                    edit->config->name));
      return;
    }
  edit->mac = g_strdup (nic->mac);
  g_ptr_array_add (nic->forwards, vireo_port_forward_copy (forward));
  if (!vireo_domain_config_validate (edit->config, &error))
    {
      fail_task (task, error);
      return;
    }
  apply (task);
}

/**
 * vireo_port_forwards_add_finish:
 * @pending: (out) (optional): set to %TRUE when the VM runs and the
 *   forward waits for its next start (its NIC is newer than the run)
 */
gboolean
vireo_port_forwards_add_finish (VireoLocalBackend  *engine,
                                GAsyncResult       *result,
                                gboolean           *pending,
                                GError            **error)
{
  return edit_finish (engine, result, vireo_port_forwards_add_async, pending, error);
}

/* The NIC that has @rule, if @mac names none. */
static VireoNicConfig *
find_nic_with (const VireoDomainConfig *config,
               const char              *mac,
               const VireoPortForward  *rule)
{
  if (mac != NULL)
    return vireo_domain_config_lookup_nic (config, mac);
  for (guint i = 0; i < config->nics->len; i++)
    {
      VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      if (vireo_nic_config_find_forward (nic, rule))
        return nic;
    }
  return NULL;
}

/**
 * vireo_port_forwards_remove_async:
 * @mac: (nullable): the NIC; %NULL for whichever has @rule
 * @rule: (transfer none): the forward to remove: its protocol, address
 *   and host port count, its guest port does not
 *
 * Removes a host port forward from @domain's definition and, when the VM
 * runs, from the running VM at once; see vireo_port_forwards_add_async().
 */
void
vireo_port_forwards_remove_async (VireoLocalBackend      *engine,
                                  VireoDomain            *domain,
                                  const char             *mac,
                                  const VireoPortForward *rule,
                                  GCancellable           *cancellable,
                                  GAsyncReadyCallback     callback,
                                  gpointer                user_data)
{
  GTask *task;
  Edit *edit;
  VireoNicConfig *nic;
  VireoPortForward *there;

  g_return_if_fail (VIREO_IS_LOCAL_BACKEND (engine));
  g_return_if_fail (VIREO_IS_LOCAL_DOMAIN (domain));
  g_return_if_fail (rule != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = edit_task_new (engine, domain, vireo_port_forwards_remove_async, rule,
                        cancellable, callback, user_data);
  edit = g_task_get_task_data (task);
  nic = find_nic_with (edit->config, mac, rule);
  there = nic ? vireo_nic_config_find_forward (nic, rule) : NULL;
  if (there == NULL)
    {
      fail_task (task, g_error_new (VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                                           _("VM '%s' does not forward host port %s %s:%u"),
                                           edit->config->name, vireo_forward_protocol_to_string (rule->protocol),
                                           rule->address, rule->host_port));
      return;
    }
  edit->mac = g_strdup (nic->mac);
  edit->forward->guest_port = there->guest_port;
  g_ptr_array_remove (nic->forwards, there);
  apply (task);
}

/**
 * vireo_port_forwards_remove_finish:
 * @pending: (out) (optional): see vireo_port_forwards_add_finish()
 */
gboolean
vireo_port_forwards_remove_finish (VireoLocalBackend  *engine,
                                   GAsyncResult       *result,
                                   gboolean           *pending,
                                   GError            **error)
{
  return edit_finish (engine, result, vireo_port_forwards_remove_async, pending, error);
}
