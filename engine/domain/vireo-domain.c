/* vireo-domain.c: state, connection to the shim, and the lifecycle verbs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The truth about a VM's state is its shim's state.json plus whether that
 * shim is alive (pid and start time, since a pid alone may be a zombie or
 * reused).  Events over shim.sock only tell us when to look again.
 */
#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-json.h"
#include "vireo-proc.h"
#include "vireo-i18n.h"
#include "vireo-shim-protocol.h"
#include "vireo-state-reason.h"

#define CONNECT_TIMEOUT_S 10
#define DESTROY_WAIT_MS 15000

struct _VireoDomain
{
  GObject parent_instance;

  /* owned */
  VireoDomainConfig *config;
  char *run_dir;
  VireoQmpClient *qmp;
  GPtrArray *connect_waiters;   /* GTask */
  char *state_reason;
  gulong closed_handler;
  gulong event_handler;

  /* borrowed: the engine outlives its domains */
  const VireoPaths *paths;

  VireoDomainState state;
  gint64 started_at;
  GPid qemu_pid;

  /* the definition the running QEMU was started from (run/ID/domain.xml) */
  VireoDomainConfig *live_config;
  gint64 live_started_at;
  gboolean pending_changes;

  /* what the guest agent reported, through the shim */
  GStrv guest_addresses;
  char *guest_os;
  guint64 guest_rx_bytes;
  guint64 guest_tx_bytes;
  gint64 guest_net_time;         /* 0: unknown */

  /* the previous CPU sample, for the next CPU % */
  VireoCpuSample cpu_sample;

  /* the running shim's pidfd: readable when it exits, even if nobody
   * is connected and it wrote nothing (SIGKILL) */
  GPid watched_shim;
  int shim_pidfd;                /* -1: none */
  guint shim_watch_id;

  /* what the stats monitor gathered while someone watched (or NULL) */
  VireoLoadRecord *load;
  char *name_key;                /* the name's collation key, made once */
};

G_DEFINE_FINAL_TYPE (VireoDomain, vireo_domain, G_TYPE_OBJECT)
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

static void disconnect (VireoDomain *self);
static void watch_shim (VireoDomain *self, pid_t pid, guint64 start_time);
static GError *not_running_error (VireoDomain *self);
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

static void
set_state (VireoDomain      *self,
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
  if (obj && g_strcmp0 (json_object_get_string_member_with_default (obj, VIREO_STATE_KEY_UUID, ""),
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
  const char *os = state ? json_object_get_string_member_with_default (state, VIREO_STATE_KEY_GUEST_OS, NULL) : NULL;
  JsonObject *net = state ? vireo_json_get_object (state, VIREO_STATE_KEY_GUEST_NET) : NULL;

  self->guest_net_time = net ? json_object_get_int_member_with_default (net, "time", 0) : 0;
  self->guest_rx_bytes = net ? json_object_get_int_member_with_default (net, "rx-bytes", 0) : 0;
  self->guest_tx_bytes = net ? json_object_get_int_member_with_default (net, "tx-bytes", 0) : 0;

  if (g_strcmp0 (os, self->guest_os) != 0)
    {
      g_free (self->guest_os);
      self->guest_os = g_strdup (os);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GUEST_OS]);
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
 * Reads state.json and checks the shim, on the calling thread: a small
 * file and one /proc read, cheap enough for a list of hundreds of VMs.
 */
static void
close_pidfd (VireoDomain *self)
{
  if (self->shim_pidfd >= 0)
    close (self->shim_pidfd);
  self->shim_pidfd = -1;
}

static gboolean
on_shim_exited (int          fd,
                GIOCondition condition,
                gpointer     user_data)
{
  VireoDomain *self = user_data;

  self->shim_watch_id = 0;
  close_pidfd (self);
  self->watched_shim = 0;
  vireo_domain_refresh_state (self);
  return G_SOURCE_REMOVE;
}

static void
unwatch_shim (VireoDomain *self)
{
  g_clear_handle_id (&self->shim_watch_id, g_source_remove);
  close_pidfd (self);
  self->watched_shim = 0;
}

/* Learn of the shim's exit when it happens, without polling /proc. */
static void
watch_shim (VireoDomain *self,
            pid_t        pid,
            guint64      start_time)
{
  int fd;

  if (self->watched_shim == pid && self->shim_watch_id != 0)
    return;
  unwatch_shim (self);
  fd = syscall (SYS_pidfd_open, pid, 0);
  if (fd < 0)
    return;   /* an old kernel: the shim's socket still tells */
  /* the pidfd holds the pid: make sure it is still the same process */
  if (!vireo_proc_is_alive (pid, start_time))
    {
      close (fd);
      return;
    }
  self->watched_shim = pid;
  self->shim_pidfd = fd;
  self->shim_watch_id = g_unix_fd_add (fd, G_IO_IN, on_shim_exited, self);
}

void
vireo_domain_refresh_state (VireoDomain *self)
{
  g_autoptr(JsonObject) obj = NULL;
  g_autofree char *reason = NULL;
  VireoDomainState state;
  pid_t shim_pid;
  guint64 shim_start;

  g_return_if_fail (VIREO_IS_DOMAIN (self));

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_clear_pointer (&obj, json_object_unref);
      obj = read_state_file (self);
      if (obj == NULL)
        {
          self->qemu_pid = 0;
          update_guest_info (self, NULL);
          set_state (self, VIREO_DOMAIN_STATE_SHUTOFF, NULL);
          return;
        }
      state = state_from_string (json_object_get_string_member_with_default (obj, VIREO_STATE_KEY_STATE, ""));
      self->started_at = json_object_get_int_member_with_default (obj, VIREO_STATE_KEY_STARTED_AT, 0);
      self->qemu_pid = json_object_get_int_member_with_default (obj, VIREO_STATE_KEY_QEMU_PID, 0);
      update_guest_info (self, is_final (state) ? NULL : obj);
      g_clear_pointer (&reason, g_free);
      reason = vireo_state_reason_from_state (obj);
      if (is_final (state))
        {
          self->qemu_pid = 0;
          unwatch_shim (self);
          set_state (self, state, reason);
          return;
        }
      shim_pid = json_object_get_int_member_with_default (obj, VIREO_STATE_KEY_SHIM_PID, 0);
      shim_start = json_object_get_int_member_with_default (obj, VIREO_STATE_KEY_SHIM_START_TIME, 0);
      if (vireo_proc_is_alive (shim_pid, shim_start))
        {
          watch_shim (self, shim_pid, shim_start);
          set_state (self, state, reason);
          return;
        }
      /* The shim may have written its last state and exited just now:
       * read once more before calling it a crash. */
    }

  /* QEMU dies with its shim (PDEATHSIG). */
  unwatch_shim (self);
  self->qemu_pid = 0;
  update_guest_info (self, NULL);
  set_state (self, VIREO_DOMAIN_STATE_CRASHED, _("the supervisor process vireo-shim died"));
}

static void
vireo_domain_dispose (GObject *object)
{
  VireoDomain *self = VIREO_DOMAIN (object);

  disconnect (self);
  unwatch_shim (self);
  G_OBJECT_CLASS (vireo_domain_parent_class)->dispose (object);
}

static void
vireo_domain_finalize (GObject *object)
{
  VireoDomain *self = VIREO_DOMAIN (object);

  g_clear_pointer (&self->config, vireo_domain_config_free);
  g_clear_pointer (&self->live_config, vireo_domain_config_free);
  g_clear_pointer (&self->guest_addresses, g_strfreev);
  g_clear_pointer (&self->guest_os, g_free);
  g_clear_pointer (&self->connect_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->load, _vireo_load_record_free);
  g_free (self->name_key);
  g_free (self->run_dir);
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
_vireo_domain_new (const VireoPaths  *paths,
                   VireoDomainConfig *config)
{
  VireoDomain *self = g_object_new (VIREO_TYPE_DOMAIN, NULL);

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
 * with the live definition's media taken from the current one. */
static gboolean
differs_from_live (const VireoDomainConfig *config,
                   const VireoDomainConfig *live)
{
  g_autoptr(VireoDomainConfig) copy = vireo_domain_config_copy (live);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  for (guint i = 0; i < copy->disks->len; i++)
    {
      VireoDiskConfig *disk = g_ptr_array_index (copy->disks, i);

      if (disk->device != VIREO_DISK_DEVICE_CDROM)
        continue;
      for (guint j = 0; j < config->disks->len; j++)
        {
          const VireoDiskConfig *now = g_ptr_array_index (config->disks, j);

          if (now->device == VIREO_DISK_DEVICE_CDROM && g_str_equal (now->target, disk->target))
            {
              g_free (disk->path);
              disk->path = g_strdup (now->path);
            }
        }
    }
  a = vireo_domain_config_format (config);
  b = vireo_domain_config_format (copy);
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
      if (self->live_config == NULL || self->live_started_at != self->started_at)
        {
          g_autofree char *path = g_build_filename (self->run_dir, "domain.xml", NULL);
          g_autofree char *xml = NULL;

          g_clear_pointer (&self->live_config, vireo_domain_config_free);
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

/* "http://debian.org/debian/12" → "Debian 12", from virt-manager's
 * libosinfo metadata */
static char *
libosinfo_name (const VireoDomainConfig *config)
{
  static GRegex *regex;

  /* compiled once: lists describe every VM on each change */
  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new ("<libosinfo:os\\s+id=[\"']https?://[^/]+/([^\"']+)[\"']",
                                            G_REGEX_OPTIMIZE, 0, NULL));

  for (guint i = 0; i < config->extra_metadata->len; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;

      if (g_regex_match (regex, g_ptr_array_index (config->extra_metadata, i), 0, &match))
        {
          g_autofree char *path = g_match_info_fetch (match, 1);
          g_auto(GStrv) parts = g_strsplit (path, "/", -1);
          char *name = g_strjoinv (" ", parts);

          name[0] = g_ascii_toupper (name[0]);
          return name;
        }
    }
  return NULL;
}

/**
 * vireo_domain_describe_guest:
 * A few words on what runs in the VM, for lists: the OS its guest agent
 * names while it runs, else the OS virt-manager recorded, else how it
 * boots.
 *
 * Returns: (transfer full) (nullable): a translated description
 */
char *
vireo_domain_describe_guest (VireoDomain *self)
{
  const VireoDomainConfig *config;
  char *name;

  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  config = self->config;
  if (self->guest_os && *self->guest_os)
    return g_strdup (self->guest_os);
  if ((name = libosinfo_name (config)) != NULL)
    return name;
  if (config->kernel)
    return g_strdup (_("Linux, booted from a kernel file"));
  if (config->boot_devs->len > 0 && g_str_equal (g_ptr_array_index (config->boot_devs, 0), "cdrom"))
    for (guint i = 0; i < config->disks->len; i++)
      {
        const VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);

        if (disk->device == VIREO_DISK_DEVICE_CDROM && disk->path)
          {
            g_autofree char *base = g_path_get_basename (disk->path);
            return g_strdup_printf (_("Installing from %s"), base);
          }
      }
  return NULL;
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

GPid
_vireo_domain_get_qemu_pid (VireoDomain *self)
{
  return self->qemu_pid;
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
  set_state (self, VIREO_DOMAIN_STATE_STARTING, NULL);
}

/**
 * _vireo_domain_command_error:
 * @error: (transfer full): why a command to the VM's QEMU failed
 * @format: a whole translated sentence with two %s, the VM's name and
 *   the cause: "VM '%s' cannot pause: %s"
 *
 * Returns: (transfer full): the error to give the caller.  A hang-up
 *   means the VM went away meanwhile, and says so in the VM's terms.
 */
GError *
_vireo_domain_command_error (VireoDomain *self,
                             GError      *error,
                             const char  *format)
{
  GError *result;

  if (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_DISCONNECTED))
    {
      g_debug ("VM '%s': %s", self->config->name, error->message);
      g_error_free (error);
      vireo_domain_refresh_state (self);
      return not_running_error (self);
    }
  /* @format comes from a table of translated sentences, each "%s…%s" */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  result = g_error_new (error->domain, error->code, format, self->config->name, error->message);
#pragma GCC diagnostic pop
  g_error_free (error);
  return result;
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

/* Connection to the shim */

static void
disconnect (VireoDomain *self)
{
  if (self->qmp == NULL)
    return;
  g_clear_signal_handler (&self->closed_handler, self->qmp);
  g_clear_signal_handler (&self->event_handler, self->qmp);
  vireo_qmp_client_close (self->qmp);
  g_clear_object (&self->qmp);
}

static void
on_shim_event (VireoQmpClient *qmp,
               const char     *name,
               JsonObject     *data,
               gint64          timestamp,
               VireoDomain    *self)
{
  /* The shim updated state.json before passing the event on. */
  vireo_domain_refresh_state (self);
}

static void
on_shim_closed (VireoQmpClient *qmp,
                const GError   *error,
                VireoDomain    *self)
{
  g_clear_signal_handler (&self->closed_handler, self->qmp);
  g_clear_signal_handler (&self->event_handler, self->qmp);
  g_clear_object (&self->qmp);
  vireo_domain_refresh_state (self);
}

static void
complete_connect_waiters (VireoDomain  *self,
                          const GError *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->connect_waiters);

  self->connect_waiters = g_ptr_array_new ();
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);
      if (error)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_object_ref (self->qmp), g_object_unref);
      g_object_unref (task);
    }
}

static GError *
not_running_error (VireoDomain *self)
{
  if (self->state == VIREO_DOMAIN_STATE_CRASHED && self->state_reason)
    return g_error_new (VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                        /* Translators: the second %s says why it crashed */
                        _("VM '%s' is not running (crashed: %s)"),
                        self->config->name, self->state_reason);
  return g_error_new (VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                      _("VM '%s' is not running"), self->config->name);
}

static void
on_resync (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VireoDomain) self = user_data;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, NULL);
  JsonObject *status = ret && JSON_NODE_HOLDS_OBJECT (ret) ? json_node_get_object (ret) : NULL;

  vireo_domain_refresh_state (self);
  if (status != NULL)
    {
      gboolean running = json_object_get_boolean_member_with_default (status, "running", FALSE);
      const char *what = json_object_get_string_member_with_default (status, "status", "");
      g_autofree char *paused = vireo_state_reason_describe (VIREO_REASON_PAUSED, NULL);
      g_autofree char *resumed = vireo_state_reason_describe (VIREO_REASON_RESUMED, NULL);

      /* QEMU's word wins over a state file that missed an event */
      if (self->state == VIREO_DOMAIN_STATE_RUNNING && !running && g_str_equal (what, "paused"))
        set_state (self, VIREO_DOMAIN_STATE_PAUSED, paused);
      else if (self->state == VIREO_DOMAIN_STATE_PAUSED && running)
        set_state (self, VIREO_DOMAIN_STATE_RUNNING, resumed);
    }
  if (self->qmp == NULL)
    {
      /* QEMU went away meanwhile */
      g_autoptr(GError) error = not_running_error (self);
      complete_connect_waiters (self, error);
    }
  else
    complete_connect_waiters (self, NULL);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(VireoDomain) self = user_data;
  g_autoptr(VireoQmpClient) qmp = VIREO_QMP_CLIENT (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) greeting = vireo_qmp_client_handshake_finish (qmp, result, &error);

  if (greeting == NULL)
    {
      vireo_domain_refresh_state (self);
      g_clear_error (&error);
      error = vireo_domain_is_active (self)
              ? g_error_new (VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                             _("VM '%s': its supervisor does not answer"), self->config->name)
              : not_running_error (self);
      complete_connect_waiters (self, error);
      return;
    }
  self->qmp = g_object_ref (qmp);
  self->closed_handler = g_signal_connect (qmp, "closed", G_CALLBACK (on_shim_closed), self);
  self->event_handler = g_signal_connect (qmp, "event", G_CALLBACK (on_shim_event), self);
  /* Events missed while nobody listened are lost: resync with QEMU
   * itself before anyone acts on the state. */
  vireo_qmp_client_execute_async (qmp, "query-status", NULL, NULL, on_resync, g_object_ref (self));
}

static void
on_socket_connected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(VireoDomain) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) conn =
    g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  g_autofree char *peer = NULL;
  VireoQmpClient *qmp;

  if (conn == NULL)
    {
      vireo_domain_refresh_state (self);
      g_clear_error (&error);
      error = not_running_error (self);
      complete_connect_waiters (self, error);
      return;
    }
  peer = g_strdup_printf ("VM '%s'", self->config->name);
  qmp = vireo_qmp_client_new (G_IO_STREAM (conn), peer);
  vireo_qmp_client_handshake_async (qmp, NULL, on_handshake, g_object_ref (self));
}

/**
 * _vireo_domain_connect_async:
 * Connects to the VM's shim once; concurrent callers share the connection.
 */
void
_vireo_domain_connect_async (VireoDomain         *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *path = NULL;

  g_task_set_source_tag (task, _vireo_domain_connect_async);
  if (self->qmp != NULL)
    {
      g_task_return_pointer (task, g_object_ref (self->qmp), g_object_unref);
      return;
    }
  vireo_domain_refresh_state (self);
  if (!vireo_domain_is_active (self))
    {
      g_task_return_error (task, not_running_error (self));
      return;
    }

  g_ptr_array_add (self->connect_waiters, g_steal_pointer (&task));
  if (self->connect_waiters->len > 1)
    return;

  path = g_build_filename (self->run_dir, "shim.sock", NULL);
  address = g_unix_socket_address_new (path);
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_S);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), NULL,
                                 on_socket_connected, g_object_ref (self));
}

VireoQmpClient *
_vireo_domain_connect_finish (VireoDomain   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Waiting for the shim to go away (QEMU exited) */

typedef struct {
  VireoQmpClient *qmp;
  gulong handler;
  guint timeout_id;
} WaitExit;

static void
wait_exit_free (WaitExit *wait)
{
  g_clear_signal_handler (&wait->handler, wait->qmp);
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  g_clear_object (&wait->qmp);
  g_free (wait);
}

static void
on_wait_closed (VireoQmpClient *qmp,
                const GError   *error,
                GTask          *task)
{
  WaitExit *wait = g_task_get_task_data (task);

  g_clear_signal_handler (&wait->handler, wait->qmp);
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  GTask *task = user_data;
  WaitExit *wait = g_task_get_task_data (task);

  wait->timeout_id = 0;
  g_clear_signal_handler (&wait->handler, wait->qmp);
  g_task_return_boolean (task, FALSE);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Completes with TRUE when the shim hangs up (the VM is off), FALSE after
 * @timeout_ms. */
static void
wait_exit_async (VireoDomain         *self,
                 VireoQmpClient      *qmp,
                 guint                timeout_ms,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  WaitExit *wait = g_new0 (WaitExit, 1);

  g_task_set_task_data (task, wait, (GDestroyNotify) wait_exit_free);
  if (vireo_qmp_client_is_closed (qmp))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  wait->qmp = g_object_ref (qmp);
  wait->handler = g_signal_connect (qmp, "closed", G_CALLBACK (on_wait_closed), task);
  wait->timeout_id = g_timeout_add (timeout_ms, on_wait_timeout, task);
}

/* Destroy */

static void
on_destroy_exited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);

  vireo_domain_refresh_state (self);
  if (!g_task_propagate_boolean (G_TASK (result), NULL) && vireo_domain_is_active (self))
    g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_TIMEOUT,
                             _("VM '%s' did not stop after being forced off"), self->config->name);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_destroy_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, NULL);

  /* Whether or not the reply made it, the shim is taking QEMU down. */
  wait_exit_async (self, VIREO_QMP_CLIENT (source), DESTROY_WAIT_MS,
                   on_destroy_exited, g_steal_pointer (&task));
}

static void
on_destroy_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = VIREO_DOMAIN (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoQmpClient) qmp = _vireo_domain_connect_finish (self, result, &error);

  if (qmp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  vireo_qmp_client_execute_async (qmp, "vireo-destroy", NULL, NULL, on_destroy_sent,
                                  g_steal_pointer (&task));
}

/**
 * vireo_domain_destroy_async:
 * @cancellable: (nullable): stops connecting to the VM; once the command
 *   is sent, cancelling only detaches the caller (%G_IO_ERROR_CANCELLED)
 * Forces the VM off at once (like pulling the plug); the shim records it
 * as "forced off", not as a crash.
 */
void
vireo_domain_destroy_async (VireoDomain         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_destroy_async);
  _vireo_domain_connect_async (self, cancellable, on_destroy_connected, task);
}

gboolean
vireo_domain_destroy_finish (VireoDomain   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_destroy_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ACPI shutdown, then force after a timeout */

typedef struct {
  guint timeout_s;
  VireoQmpClient *qmp;
} Shutdown;

static void
shutdown_free (Shutdown *data)
{
  g_clear_object (&data->qmp);
  g_free (data);
}

static void
on_shutdown_forced (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!vireo_domain_destroy_finish (VIREO_DOMAIN (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_shutdown_exited (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    {
      vireo_domain_refresh_state (self);
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_debug ("VM '%s' ignored the ACPI power button; forcing it off", self->config->name);
  vireo_domain_destroy_async (self, NULL, on_shutdown_forced, g_steal_pointer (&task));
}

static void
on_powerdown_sent (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  Shutdown *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, &error);

  if (ret == NULL && !vireo_qmp_client_is_closed (VIREO_QMP_CLIENT (source)))
    {
      g_task_return_error (task, _vireo_domain_command_error (self, g_steal_pointer (&error),
                                                              _("VM '%s' cannot shut down: %s")));
      return;
    }
  vireo_domain_refresh_state (self);
  wait_exit_async (self, data->qmp, data->timeout_s * 1000,
                   on_shutdown_exited, g_steal_pointer (&task));
}

static void
on_shutdown_connected (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = VIREO_DOMAIN (source);
  Shutdown *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->qmp = _vireo_domain_connect_finish (self, result, &error);
  if (data->qmp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->state == VIREO_DOMAIN_STATE_PAUSED)
    {
      /* a paused guest cannot see the power button */
      vireo_domain_destroy_async (self, NULL, on_shutdown_forced, g_steal_pointer (&task));
      return;
    }
  vireo_qmp_client_execute_async (data->qmp, "system_powerdown", NULL, NULL,
                                  on_powerdown_sent, g_steal_pointer (&task));
}

/**
 * vireo_domain_shutdown_async:
 * @timeout_seconds: how long the guest may take; then it is forced off.
 *   0 waits forever.
 * @cancellable: (nullable): stops connecting to the VM; once the command
 *   is sent, cancelling only detaches the caller (%G_IO_ERROR_CANCELLED)
 *
 * Presses the ACPI power button and waits for the guest to power off.
 */
void
vireo_domain_shutdown_async (VireoDomain         *self,
                             guint                timeout_seconds,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  Shutdown *data;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  data = g_new0 (Shutdown, 1);

  g_task_set_source_tag (task, vireo_domain_shutdown_async);
  data->timeout_s = timeout_seconds ? timeout_seconds : G_MAXUINT / 1000;
  g_task_set_task_data (task, data, (GDestroyNotify) shutdown_free);
  _vireo_domain_connect_async (self, cancellable, on_shutdown_connected, task);
}

gboolean
vireo_domain_shutdown_finish (VireoDomain   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_shutdown_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* One-command actions and screenshots */

typedef struct {
  char *command;
  JsonObject *arguments;
  const char *failed;     /* a translated sentence: "VM '%s' cannot pause: %s" */
  char *check_file;      /* screenshot: the file QEMU must have written */
} Command;

static void
command_free (Command *cmd)
{
  g_free (cmd->command);
  g_clear_pointer (&cmd->arguments, json_object_unref);
  g_free (cmd->check_file);
  g_free (cmd);
}

static void
on_command_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  Command *cmd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, &error);

  vireo_domain_refresh_state (self);
  if (ret == NULL)
    g_task_return_error (task, _vireo_domain_command_error (self, g_steal_pointer (&error), cmd->failed));
  else if (cmd->check_file && !g_file_test (cmd->check_file, G_FILE_TEST_IS_REGULAR))
    g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_QEMU_FAILED,
                             _("VM '%s' cannot take a screenshot: QEMU wrote no file %s"),
                             self->config->name, cmd->check_file);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_command_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = VIREO_DOMAIN (source);
  Command *cmd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoQmpClient) qmp = _vireo_domain_connect_finish (self, result, &error);

  if (qmp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  vireo_qmp_client_execute_async (qmp, cmd->command, cmd->arguments, NULL,
                                  on_command_done, g_steal_pointer (&task));
}

static void
run_command (VireoDomain         *self,
             Command             *cmd,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, cmd, (GDestroyNotify) command_free);
  _vireo_domain_connect_async (self, cancellable, on_command_connected, task);
}

/**
 * vireo_domain_action_async:
 * @cancellable: (nullable): stops connecting to the VM; once the command
 *   is sent, cancelling only detaches the caller (%G_IO_ERROR_CANCELLED)
 * Pause, resume, reset (the reset button) or reboot (ACPI power-off that
 * the shim turns into a reset, so the guest shuts down cleanly).
 */
void
vireo_domain_action_async (VireoDomain         *self,
                           VireoDomainAction    action,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  static const struct { const char *command; const char *failed; } actions[] = {
    [VIREO_DOMAIN_ACTION_PAUSE] = { "stop", N_("VM '%s' cannot pause: %s") },
    [VIREO_DOMAIN_ACTION_RESUME] = { "cont", N_("VM '%s' cannot resume: %s") },
    [VIREO_DOMAIN_ACTION_RESET] = { "system_reset", N_("VM '%s' cannot reset: %s") },
    [VIREO_DOMAIN_ACTION_REBOOT] = { "vireo-fake-reboot", N_("VM '%s' cannot reboot: %s") },
  };
  Command *cmd;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (action < G_N_ELEMENTS (actions));

  cmd = g_new0 (Command, 1);
  cmd->command = g_strdup (actions[action].command);
  cmd->failed = _(actions[action].failed);
  run_command (self, cmd, vireo_domain_action_async, cancellable, callback, user_data);
}

gboolean
vireo_domain_action_finish (VireoDomain   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_action_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * vireo_domain_screenshot_async:
 * @path: where to write a PNG of the VM's screen
 * @cancellable: (nullable): stops connecting to the VM; once the command
 *   is sent, cancelling only detaches the caller (%G_IO_ERROR_CANCELLED)
 */
void
vireo_domain_screenshot_async (VireoDomain         *self,
                               const char          *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Command *cmd;
  g_autofree char *abs = NULL;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (path != NULL);

  cmd = g_new0 (Command, 1);
  abs = g_canonicalize_filename (path, NULL);
  /* QEMU writes the file itself, from its own working directory */
  g_unlink (abs);
  cmd->command = g_strdup ("screendump");
  cmd->arguments = json_object_new ();
  json_object_set_string_member (cmd->arguments, "filename", abs);
  json_object_set_string_member (cmd->arguments, "format", "png");
  cmd->failed = _("VM '%s' cannot take a screenshot: %s");
  cmd->check_file = g_steal_pointer (&abs);
  run_command (self, cmd, vireo_domain_screenshot_async, cancellable, callback, user_data);
}

gboolean
vireo_domain_screenshot_finish (VireoDomain   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_screenshot_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Console */

static void
on_console_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoDomain *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);

  if (conn == NULL)
    {
      vireo_domain_refresh_state (self);
      g_task_return_error (task, not_running_error (self));
      return;
    }
  g_task_return_pointer (task, conn, g_object_unref);
}

/**
 * vireo_domain_open_console_async:
 * @cancellable: (nullable): stops the connecting
 * Connects to the VM's serial console: bytes read are the guest's output
 * (recent output first), bytes written are typed into the guest.
 */
void
vireo_domain_open_console_async (VireoDomain         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  client = g_socket_client_new ();
  path = vireo_domain_get_console_path (self);
  address = g_unix_socket_address_new (path);
  g_task_set_source_tag (task, vireo_domain_open_console_async);
  vireo_domain_refresh_state (self);
  if (!vireo_domain_is_active (self))
    {
      g_task_return_error (task, not_running_error (self));
      return;
    }
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), cancellable,
                                 on_console_connected, g_steal_pointer (&task));
}

/**
 * vireo_domain_open_console_finish:
 * Returns: (transfer full): the connection
 */
GSocketConnection *
vireo_domain_open_console_finish (VireoDomain   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_domain_open_console_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * vireo_domain_operation_finish:
 * Finishes any of vireo_domain_start_async(), vireo_domain_shutdown_async(),
 * vireo_domain_destroy_async() and vireo_domain_action_async(), for a
 * front end that reports them all in one callback.  It calls the matching
 * _finish function, so every check of that function applies.
 *
 * Returns: whether the operation succeeded
 */
gboolean
vireo_domain_operation_finish (VireoDomain   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);

  if (g_async_result_is_tagged (result, vireo_domain_start_async))
    return vireo_domain_start_finish (self, result, error);
  if (g_async_result_is_tagged (result, vireo_domain_shutdown_async))
    return vireo_domain_shutdown_finish (self, result, error);
  if (g_async_result_is_tagged (result, vireo_domain_destroy_async))
    return vireo_domain_destroy_finish (self, result, error);
  return vireo_domain_action_finish (self, result, error);
}
