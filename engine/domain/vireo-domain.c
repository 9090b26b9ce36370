/* vireo-domain.c: one VM, its properties and its state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The truth about a VM's state is its shim's state.json plus whether that
 * shim is alive, which its socket tells (vireo-domain-watch.c): not a pid,
 * which may be a zombie, reused, or another PID namespace's.  Events over
 * shim.sock only tell us when to look again.
 */
#include <glib/gstdio.h>

#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-json.h"
#include "vireo-i18n.h"
#include "vireo-local-domain.h"
#include "vireo-shim-protocol.h"
#include "vireo-state-reason.h"

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
static void update_pending_changes (VireoDomain *self);

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

static VireoDomainState
state_from_string (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (text, state_names[i]) == 0)
      return i;
  return VIREO_DOMAIN_STATE_CRASHED;
}

void
_vireo_domain_set_state (VireoDomain      *self,
           VireoDomainState  state,
           const char       *reason)
{
  gboolean state_changed;
  gboolean reason_changed;

  /* a start of ours is under way: the run folder does not tell it yet
   * (no shim, or the last run's final state) */
  if (self->start_pending && is_final (state))
    {
      state = VIREO_DOMAIN_STATE_STARTING;
      reason = NULL;
    }
  state_changed = self->state != state;
  reason_changed = g_strcmp0 (self->state_reason, reason) != 0;

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
  if (state_changed || self->live_started_at != self->started_at)
    update_pending_changes (self);
}

static JsonObject *
read_state_file (VireoDomain *self)
{
  g_autofree char *path = g_build_filename (self->run_dir, VIREO_STATE_FILE, NULL);
  g_autofree char *text = NULL;
  JsonObject *obj;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  obj = vireo_json_parse_object (text, -1, NULL);
  /* the run directory is named after a UUID prefix: check it is ours */
  if (obj && g_strcmp0 (vireo_json_get_string (obj, VIREO_STATE_KEY_UUID),
                        self->config->uuid) != 0)
    g_clear_pointer (&obj, json_object_unref);
  return obj;
}

static void
update_addresses (VireoDomain *self,
                  JsonObject  *state)
{
  JsonNode *node = state ? json_object_get_member (state, VIREO_STATE_KEY_GUEST_ADDRESSES) : NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) addresses = NULL;

  if (node && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *text = json_array_get_string_element (array, i);
          if (text != NULL)
            g_strv_builder_add (builder, text);
        }
    }
  addresses = g_strv_builder_end (builder);
  g_strfreev (self->agent_addresses);
  self->agent_addresses = g_steal_pointer (&addresses);
  _vireo_domain_merge_addresses (self);
}

static gboolean
has_address (const char * const *list,
             const char         *address)
{
  gsize len = strcspn (address, "/");

  for (guint i = 0; list && list[i]; i++)
    if (strcspn (list[i], "/") == len && strncmp (list[i], address, len) == 0)
      return TRUE;
  return FALSE;
}

/* What the guest agent said, then what the networks' DHCP leases add
 * (a guest without an agent still shows its address); notifies
 * "guest-addresses" when that changes. */
void
_vireo_domain_merge_addresses (VireoDomain *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) addresses = NULL;

  for (guint i = 0; self->agent_addresses && self->agent_addresses[i]; i++)
    g_strv_builder_add (builder, self->agent_addresses[i]);
  for (guint i = 0; self->lease_addresses && self->lease_addresses[i]; i++)
    if (!has_address ((const char * const *) self->agent_addresses, self->lease_addresses[i]))
      g_strv_builder_add (builder, self->lease_addresses[i]);
  addresses = g_strv_builder_end (builder);
  if (addresses[0] == NULL)
    g_clear_pointer (&addresses, g_strfreev);
  if (addresses == NULL && self->guest_addresses == NULL)
    return;
  if (addresses && self->guest_addresses &&
      g_strv_equal ((const char * const *) addresses, (const char * const *) self->guest_addresses))
    return;
  g_strfreev (self->guest_addresses);
  self->guest_addresses = g_steal_pointer (&addresses);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GUEST_ADDRESSES]);
}

/* The "guest-os" and "guest-addresses" of a live state.json, or none. */
static void
update_guest_info (VireoDomain *self,
                   JsonObject  *state)
{
  const char *os = state ? vireo_json_get_string (state, VIREO_STATE_KEY_GUEST_OS) : NULL;
  JsonObject *net = state ? vireo_json_get_object (state, VIREO_STATE_KEY_GUEST_NET) : NULL;

  self->guest_net_time = net ? vireo_json_get_int (net, "time", 0) : 0;
  self->guest_rx_bytes = net ? vireo_json_get_int (net, "rx-bytes", 0) : 0;
  self->guest_tx_bytes = net ? vireo_json_get_int (net, "tx-bytes", 0) : 0;

  if (g_strcmp0 (os, self->guest_os) != 0)
    {
      g_free (self->guest_os);
      self->guest_os = g_strdup (os);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GUEST_OS]);
    }
  /* a lease outlives its guest in dnsmasq's file: not here */
  if (state == NULL)
    {
      g_clear_pointer (&self->lease_addresses, g_strfreev);
      self->leases_time = 0;
      self->leases_polls = 0;
    }
  update_addresses (self, state);
}

static gboolean
is_final (VireoDomainState state)
{
  return state == VIREO_DOMAIN_STATE_SHUTOFF || state == VIREO_DOMAIN_STATE_CRASHED;
}

/**
 * vireo_domain_refresh_state:
 * Reads state.json and asks the shim's socket whether it lives, on the
 * calling thread: a small file and a connect that never waits (a poll of
 * the shim's pidfd once it is watched), cheap enough for hundreds of VMs.
 */
void
vireo_domain_refresh_state (VireoDomain *self)
{
  g_autoptr(JsonObject) obj = NULL;
  g_autofree char *reason = NULL;
  VireoDomainState state;

  g_return_if_fail (VIREO_IS_DOMAIN (self));

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_clear_pointer (&obj, json_object_unref);
      obj = read_state_file (self);
      if (obj == NULL)
        {
          update_guest_info (self, NULL);
          _vireo_domain_set_state (self, VIREO_DOMAIN_STATE_SHUTOFF, NULL);
          return;
        }
      state = state_from_string (vireo_json_get_string (obj, VIREO_STATE_KEY_STATE));
      self->started_at = vireo_json_get_int (obj, VIREO_STATE_KEY_STARTED_AT, 0);
      update_guest_info (self, is_final (state) ? NULL : obj);
      g_clear_pointer (&reason, g_free);
      reason = vireo_state_reason_from_state (obj);
      if (is_final (state))
        {
          _vireo_domain_unwatch_shim (self);
          _vireo_domain_set_state (self, state, reason);
          return;
        }
      if (_vireo_domain_shim_lives (self))
        {
          _vireo_domain_set_state (self, state, reason);
          return;
        }
      /* The shim may have written its last state and exited just now:
       * read once more before calling it a crash. */
    }

  /* QEMU dies with its shim (PDEATHSIG). */
  _vireo_domain_unwatch_shim (self);
  update_guest_info (self, NULL);
  _vireo_domain_set_state (self, VIREO_DOMAIN_STATE_CRASHED, _("the supervisor process vireo-shim died"));
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
 * Returns: (transfer none): the host the VM is on; it outlives its VMs
 */
VireoBackend *
vireo_domain_get_backend (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return self->backend;
}

static void
vireo_domain_dispose (GObject *object)
{
  VireoDomain *self = VIREO_DOMAIN (object);

  _vireo_domain_disconnect (self);
  _vireo_domain_unwatch_shim (self);
  G_OBJECT_CLASS (vireo_domain_parent_class)->dispose (object);
}

static void
vireo_domain_finalize (GObject *object)
{
  VireoDomain *self = VIREO_DOMAIN (object);

  g_clear_pointer (&self->config, vireo_domain_config_free);
  g_clear_pointer (&self->live_config, vireo_domain_config_free);
  g_clear_pointer (&self->guest_addresses, g_strfreev);
  g_clear_pointer (&self->agent_addresses, g_strfreev);
  g_clear_pointer (&self->lease_addresses, g_strfreev);
  g_clear_pointer (&self->guest_os, g_free);
  g_clear_pointer (&self->connect_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->load, _vireo_load_record_free);
  g_free (self->name_key);
  g_free (self->run_dir);
  g_free (self->state_reason);
  g_free (self->start_note);

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

  object_class->dispose = vireo_domain_dispose;
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
  self->connect_waiters = g_ptr_array_new ();
  self->shim_pidfd = -1;
}

VireoDomain *
_vireo_domain_new (VireoBackend      *backend,
                   const VireoPaths  *paths,
                   VireoDomainConfig *config)
{
  VireoDomain *self = g_object_new (VIREO_TYPE_LOCAL_DOMAIN, NULL);

  self->backend = backend;
  self->paths = paths;
  self->config = config;
  self->run_dir = vireo_paths_domain_run_dir (paths, config->uuid);
  vireo_domain_refresh_state (self);
  return self;
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
  update_pending_changes (self);
}

/* CD-ROM media change live, so they never wait for a restart: compare
 * with the live definition's media taken from the current one.  The live
 * config lends its CD-ROM paths for the one format, so a check costs two
 * formats and no parse. */
static gboolean
differs_from_live (const VireoDomainConfig *config,
                   VireoDomainConfig       *live)
{
  g_autoptr(GPtrArray) lent = g_ptr_array_new ();   /* VireoDiskConfig of @live, then its own path */
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  for (guint i = 0; i < live->disks->len; i++)
    {
      VireoDiskConfig *disk = g_ptr_array_index (live->disks, i);

      if (disk->device != VIREO_DISK_DEVICE_CDROM)
        continue;
      for (guint j = 0; j < config->disks->len; j++)
        {
          const VireoDiskConfig *now = g_ptr_array_index (config->disks, j);

          if (now->device == VIREO_DISK_DEVICE_CDROM && g_str_equal (now->target, disk->target))
            {
              g_ptr_array_add (lent, disk);
              g_ptr_array_add (lent, disk->path);
              disk->path = now->path;
              break;
            }
        }
    }
  a = vireo_domain_config_format (config);
  b = vireo_domain_config_format (live);
  for (guint i = 0; i < lent->len; i += 2)
    ((VireoDiskConfig *) g_ptr_array_index (lent, i))->path = g_ptr_array_index (lent, i + 1);
  return !g_str_equal (a, b);
}

static void
update_pending_changes (VireoDomain *self)
{
  gboolean pending = FALSE;

  if (!vireo_domain_is_active (self))
    g_clear_pointer (&self->live_config, vireo_domain_config_free);
  else
    {
      g_autofree char *path = g_build_filename (self->run_dir, "domain.xml", NULL);
      GStatBuf st;
      /* port forwards change the running VM's copy too, maybe from
       * another process (vireo-port-forwards.c) */
      gint64 mtime = g_stat (path, &st) != 0 ? 0
                     : (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;

      if (self->live_config == NULL || self->live_started_at != self->started_at ||
          self->live_mtime != mtime)
        {
          g_autofree char *xml = NULL;

          g_clear_pointer (&self->live_config, vireo_domain_config_free);
          self->live_mtime = mtime;
          /* a VM started by an older Vireo has no copy: nothing to compare */
          if (g_file_get_contents (path, &xml, NULL, NULL))
            self->live_config = vireo_domain_config_parse (xml, -1, path, NULL);
          self->live_started_at = self->started_at;
        }
      pending = self->live_config != NULL && differs_from_live (self->config, self->live_config);
    }
  if (pending != self->pending_changes)
    {
      self->pending_changes = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_CHANGES]);
    }
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

const VireoPaths *
_vireo_domain_get_paths (VireoDomain *self)
{
  return self->paths;
}

/* The collation key lists sort names by ("vm2" before "vm10"), made once. */
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

/* Stores @sample and returns the one it replaces. */
VireoCpuSample
_vireo_domain_swap_cpu_sample (VireoDomain    *self,
                               VireoCpuSample  sample)
{
  VireoCpuSample previous = self->cpu_sample;

  self->cpu_sample = sample;
  return previous;
}

void
_vireo_domain_set_starting (VireoDomain *self)
{
  _vireo_domain_set_state (self, VIREO_DOMAIN_STATE_STARTING, NULL);
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

const char *
vireo_domain_get_run_dir (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return self->run_dir;
}

char *
vireo_domain_get_console_path (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return g_build_filename (self->run_dir, "console.sock", NULL);
}

char *
vireo_domain_get_vnc_path (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return g_build_filename (self->run_dir, "vnc.sock", NULL);
}

char *
vireo_domain_get_log_path (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return vireo_paths_domain_log (self->paths, self->config->name, "");
}

char *
vireo_domain_get_serial_log_path (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  return vireo_paths_domain_log (self->paths, self->config->name, "-serial");
}

static void
read_log_tail_in_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  const char *path = task_data;
  guint n_lines = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "vireo-n-lines"));

  g_task_return_pointer (task, vireo_file_read_tail (path, n_lines), g_free);
}

static void
local_domain_read_log_tail_async (VireoDomain         *self,
                                  guint                n_lines,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, local_domain_read_log_tail_async);
  /* the path is made here: the config may change under a worker */
  g_task_set_task_data (task, vireo_domain_get_log_path (self), g_free);
  g_object_set_data (G_OBJECT (task), "vireo-n-lines", GUINT_TO_POINTER (n_lines));
  g_task_run_in_thread (task, read_log_tail_in_thread);
}

static char *
local_domain_read_log_tail_finish (VireoDomain   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == local_domain_read_log_tail_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* VireoLocalDomain's log, read from this machine's files */
void
_vireo_local_domain_class_init_log (VireoDomainClass *klass)
{
  klass->read_log_tail_async = local_domain_read_log_tail_async;
  klass->read_log_tail_finish = local_domain_read_log_tail_finish;
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
