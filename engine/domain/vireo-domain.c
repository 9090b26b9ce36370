/* vireo-domain.c: one VM, its properties and its state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The abstract base: what front ends read of any host's VM, kept up to
 * date by its subclass (VireoLocalDomain: vireo-local-domain.c), and the
 * public calls that dispatch to the subclass's vfuncs.
 */
#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-shim-protocol.h"

G_DEFINE_ABSTRACT_TYPE (VireoDomain, vireo_domain, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (VireoDomainState, vireo_domain_state,
  G_DEFINE_ENUM_VALUE (VIREO_DOMAIN_STATE_SHUTOFF, "shutoff"),
  G_DEFINE_ENUM_VALUE (VIREO_DOMAIN_STATE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (VIREO_DOMAIN_STATE_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (VIREO_DOMAIN_STATE_PAUSED, "paused"),
  G_DEFINE_ENUM_VALUE (VIREO_DOMAIN_STATE_SHUTTING_DOWN, "shutting-down"),
  G_DEFINE_ENUM_VALUE (VIREO_DOMAIN_STATE_CRASHED, "crashed"))

enum {
  PROP_0,
  PROP_NAME,
  PROP_UUID,
  PROP_STATE,
  PROP_STATE_REASON,
  PROP_CONFIG,
  PROP_PENDING_CHANGES,
  PROP_GUEST_ADDRESSES,
  PROP_GUEST_OS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  STATS_UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean is_final (VireoDomainState state);

/* As state.json spells them, in VireoDomainState order. */
static const char * const state_names[] = {
  VIREO_STATE_SHUTOFF, VIREO_STATE_STARTING, VIREO_STATE_RUNNING,
  VIREO_STATE_PAUSED, VIREO_STATE_SHUTTING_DOWN, VIREO_STATE_CRASHED,
};

const char *
vireo_domain_state_to_string (VireoDomainState state)
{
  return state < G_N_ELEMENTS (state_names) ? state_names[state] : "unknown";
}

/**
 * _vireo_domain_set_state:
 * Sets the state and its reason, and notifies what changed.
 *
 * Returns: whether the state changed
 */
gboolean
_vireo_domain_set_state (VireoDomain      *self,
                         VireoDomainState  state,
                         const char       *reason)
{
  gboolean state_changed = self->state != state;
  gboolean reason_changed = g_strcmp0 (self->state_reason, reason) != 0;

  self->state = state;
  if (reason_changed)
    {
      g_free (self->state_reason);
      self->state_reason = g_strdup (reason);
    }
  if (state_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (reason_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_REASON]);
  return state_changed;
}

/**
 * _vireo_domain_set_guest_addresses:
 * @addresses: (transfer full) (nullable): "ADDRESS/PREFIX", IPv4 first;
 *   %NULL or empty: none
 *
 * Notifies "guest-addresses" when they change.
 */
void
_vireo_domain_set_guest_addresses (VireoDomain *self,
                                   GStrv        addresses)
{
  if (addresses != NULL && addresses[0] == NULL)
    g_clear_pointer (&addresses, g_strfreev);
  if (addresses == NULL && self->guest_addresses == NULL)
    return;
  if (addresses && self->guest_addresses &&
      g_strv_equal ((const char * const *) addresses, (const char * const *) self->guest_addresses))
    {
      g_strfreev (addresses);
      return;
    }
  g_strfreev (self->guest_addresses);
  self->guest_addresses = addresses;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GUEST_ADDRESSES]);
}

/* Notifies "guest-os" when it changes. */
void
_vireo_domain_set_guest_os (VireoDomain *self,
                            const char  *os)
{
  if (g_strcmp0 (os, self->guest_os) == 0)
    return;
  g_free (self->guest_os);
  self->guest_os = g_strdup (os);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GUEST_OS]);
}

/* Notifies "pending-changes" when it changes. */
void
_vireo_domain_set_pending_changes (VireoDomain *self,
                                   gboolean     pending)
{
  if (pending == self->pending_changes)
    return;
  self->pending_changes = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_CHANGES]);
}

static gboolean
is_final (VireoDomainState state)
{
  return state == VIREO_DOMAIN_STATE_SHUTOFF || state == VIREO_DOMAIN_STATE_CRASHED;
}

/**
 * vireo_domain_refresh_state:
 * Looks at the VM's state now, on the calling thread, cheaply enough for
 * hundreds of VMs (VireoLocalDomain reads its state.json and asks its
 * shim's socket whether it lives).  A VM whose host tells its state by
 * events alone is left as it is.
 */
void
vireo_domain_refresh_state (VireoDomain *self)
{
  g_return_if_fail (VIREO_IS_DOMAIN (self));

  if (VIREO_DOMAIN_GET_CLASS (self)->refresh_state != NULL)
    VIREO_DOMAIN_GET_CLASS (self)->refresh_state (self);
}

static void
on_addresses_refreshed (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (VIREO_DOMAIN_GET_CLASS (source)->refresh_addresses_finish (VIREO_DOMAIN (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_domain_refresh_addresses_async:
 * Asks now for the addresses of a running VM's guest that its host does
 * not tell unasked (VireoLocalDomain: the DHCP leases of its virtual
 * networks), and adds them to #VireoDomain:guest-addresses.  Front ends
 * with a stats watch get this every few seconds without asking; vireoctl
 * asks.  A VM whose host tells them unasked completes at once.
 */
void
vireo_domain_refresh_addresses_async (VireoDomain         *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_refresh_addresses_async);
  if (VIREO_DOMAIN_GET_CLASS (self)->refresh_addresses_async == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  VIREO_DOMAIN_GET_CLASS (self)->refresh_addresses_async (self, cancellable, on_addresses_refreshed, task);
}

gboolean
vireo_domain_refresh_addresses_finish (VireoDomain   *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_refresh_addresses_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * _vireo_domain_supports:
 * @implemented: whether the subclass has the operation's vfunc
 * @task: (transfer full): the caller's task, returned an error and
 *   released when @implemented is %FALSE
 *
 * Returns: @implemented
 */
gboolean
_vireo_domain_supports (VireoDomain *self,
                        gboolean     implemented,
                        GTask       *task)
{
  if (implemented)
    return TRUE;
  g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
                           _("VM '%s': its host does not support this"), self->config ? self->config->name : "");
  g_object_unref (task);
  return FALSE;
}

/**
 * vireo_domain_get_backend:
 * Returns: (transfer none) (nullable): the host the VM is on; %NULL once
 *   that host is gone (a removed connection), while a window still holds
 *   the VM
 */
VireoBackend *
vireo_domain_get_backend (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return self->backend;
}

static void
vireo_domain_finalize (GObject *object)
{
  VireoDomain *self = VIREO_DOMAIN (object);

  g_clear_weak_pointer (&self->backend);
  g_clear_pointer (&self->config, vireo_domain_config_free);
  g_clear_pointer (&self->guest_addresses, g_strfreev);
  g_clear_pointer (&self->guest_os, g_free);
  g_clear_pointer (&self->load, _vireo_load_record_free);
  g_free (self->name_key);
  g_free (self->config_problem);
  g_free (self->state_reason);

  G_OBJECT_CLASS (vireo_domain_parent_class)->finalize (object);
}

static void
vireo_domain_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  VireoDomain *self = VIREO_DOMAIN (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->config->name);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->config->uuid);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_STATE_REASON:
      g_value_set_string (value, self->state_reason);
      break;
    case PROP_CONFIG:
      g_value_set_pointer (value, self->config);
      break;
    case PROP_PENDING_CHANGES:
      g_value_set_boolean (value, self->pending_changes);
      break;
    case PROP_GUEST_ADDRESSES:
      g_value_set_boxed (value, self->guest_addresses);
      break;
    case PROP_GUEST_OS:
      g_value_set_string (value, self->guest_os);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_domain_class_init (VireoDomainClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vireo_domain_finalize;
  object_class->get_property = vireo_domain_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, VIREO_TYPE_DOMAIN_STATE, VIREO_DOMAIN_STATE_SHUTOFF,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE_REASON] =
    g_param_spec_string ("state-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* the VireoDomainConfig; notified when redefined */
  properties[PROP_CONFIG] =
    g_param_spec_pointer ("config", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* the definition changed since the running QEMU started */
  properties[PROP_PENDING_CHANGES] =
    g_param_spec_boolean ("pending-changes", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* the guest's addresses ("10.0.2.15/24"), as its agent reports them */
  properties[PROP_GUEST_ADDRESSES] =
    g_param_spec_boxed ("guest-addresses", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* the running guest's operating system, as its agent names it */
  properties[PROP_GUEST_OS] =
    g_param_spec_string ("guest-os", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VireoDomain::stats-updated:
   * A new sample arrived while someone watches the VM's statistics
   * (vireo_domain_watch_stats()), or they were cleared when it stopped.
   */
  signals[STATS_UPDATED] =
    g_signal_new ("stats-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vireo_domain_init (VireoDomain *self)
{
}

/* Takes @config.  The UUID never changes: redefinition keeps it. */
void
_vireo_domain_set_config (VireoDomain       *self,
                          VireoDomainConfig *config)
{
  vireo_domain_config_free (self->config);
  self->config = config;
  g_clear_pointer (&self->name_key, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
}

/**
 * vireo_domain_get_guest_addresses:
 * Returns: (transfer none) (nullable): the running guest's addresses as
 *   "ADDRESS/PREFIX", IPv4 first, when its guest agent has told them
 */
const char * const *
vireo_domain_get_guest_addresses (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return (const char * const *) self->guest_addresses;
}

/**
 * vireo_domain_get_guest_traffic:
 * @time_us: (out): when the guest agent counted, wall clock in µs
 *
 * The bytes the guest's own interfaces received and sent, as its agent
 * counted them (qemu-ga 7.1 and later); two readings make a rate.
 *
 * Returns: %FALSE when there is no count
 */
gboolean
vireo_domain_get_guest_traffic (VireoDomain *self,
                                guint64     *rx_bytes,
                                guint64     *tx_bytes,
                                gint64      *time_us)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE);
  g_return_val_if_fail (rx_bytes != NULL && tx_bytes != NULL && time_us != NULL, FALSE);

  *rx_bytes = self->guest_rx_bytes;
  *tx_bytes = self->guest_tx_bytes;
  *time_us = self->guest_net_time;
  return self->guest_net_time > 0;
}

/**
 * vireo_domain_get_guest_os:
 * Returns: (nullable): the running guest's operating system
 *   ("Debian GNU/Linux 12 (bookworm)") when its guest agent has told it
 */
const char *
vireo_domain_get_guest_os (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return self->guest_os;
}

/**
 * vireo_domain_has_pending_changes:
 * Returns: whether the VM runs with an older definition than its current
 *   one, so some changes wait for its next start
 */
gboolean
vireo_domain_has_pending_changes (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE);

  return self->pending_changes;
}

/* The collation key lists sort names by ("vm2" before "vm10"), made once. */
/* The host holds its VMs, not the other way round; a window may hold a
 * VM longer than its host lives (a removed connection), which then has
 * none: a weak pointer, cleared when the host is disposed */
void
_vireo_domain_set_backend (VireoDomain  *self,
                           VireoBackend *backend)
{
  g_set_weak_pointer (&self->backend, backend);
}

/**
 * vireo_domain_get_config_problem:
 *
 * Why the VM's definition is more than Vireo's model holds (a libvirt
 * host's VM of another hypervisor, or with devices Vireo does not make):
 * its config is then a summary (name, UUID, memory, CPUs), and the
 * definition is left as its host has it.
 *
 * Returns: (nullable): the reason, one line, or %NULL when Vireo holds
 *   the whole definition
 */
const char *
vireo_domain_get_config_problem (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);
  return self->config_problem;
}

void
_vireo_domain_set_config_problem (VireoDomain *self,
                                  const char  *problem)
{
  g_free (self->config_problem);
  self->config_problem = g_strdup (problem);
}

const char *
_vireo_domain_get_name_key (VireoDomain *self)
{
  if (self->name_key == NULL)
    self->name_key = g_utf8_collate_key_for_filename (self->config->name, -1);
  return self->name_key;
}

/* The stats monitor's record of this VM, made on first use. */
VireoLoadRecord *
_vireo_domain_get_load_record (VireoDomain *self)
{
  if (self->load == NULL)
    self->load = _vireo_load_record_new ();
  return self->load;
}

void
_vireo_domain_emit_stats_updated (VireoDomain *self)
{
  g_signal_emit (self, signals[STATS_UPDATED], 0);
}

const char *
vireo_domain_get_name (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return self->config->name;
}

const char *
vireo_domain_get_uuid (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return self->config->uuid;
}

/**
 * vireo_domain_get_config:
 * Returns: (transfer none): the definition; valid until the VM is
 *   redefined (watch ::notify::config), so copy it to keep it
 */
const VireoDomainConfig *
vireo_domain_get_config (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return self->config;
}

char *
vireo_domain_get_xml (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return vireo_domain_config_format (self->config);
}

VireoDomainState
vireo_domain_get_state (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), VIREO_DOMAIN_STATE_SHUTOFF);

  return self->state;
}

const char *
vireo_domain_get_state_reason (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return self->state_reason;
}

gboolean
vireo_domain_is_active (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE);

  return !is_final (self->state);
}

/**
 * vireo_domain_get_started_at:
 * Returns: when the guest started running, in seconds since the epoch, or 0
 */
gint64
vireo_domain_get_started_at (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), 0);

  return vireo_domain_is_active (self) ? self->started_at : 0;
}

static void
on_log_tail_read (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *text = VIREO_DOMAIN_GET_CLASS (source)->read_log_tail_finish (VIREO_DOMAIN (source), result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, text, g_free);
}

/**
 * vireo_domain_read_log_tail_async:
 * @n_lines: how many of the last lines of QEMU's log to read
 *
 * Reads the end of the VM's QEMU log on the worker pool: what a front end
 * shows under an error for who wants more.
 */
void
vireo_domain_read_log_tail_async (VireoDomain         *self,
                                  guint                n_lines,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_read_log_tail_async);
  if (!_vireo_domain_supports (self, VIREO_DOMAIN_GET_CLASS (self)->read_log_tail_async != NULL, task))
    return;
  VIREO_DOMAIN_GET_CLASS (self)->read_log_tail_async (self, n_lines, cancellable, on_log_tail_read, task);
}

/**
 * vireo_domain_read_log_tail_finish:
 * Returns: (transfer full) (nullable): the lines, or %NULL when there is
 *   no log (not an error)
 */
char *
vireo_domain_read_log_tail_finish (VireoDomain   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vireo_domain_read_log_tail_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
