/* vireo-local-domain.c: a VM of this machine, run by vireo-shim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The VireoDomain of VireoLocalBackend: it starts QEMU in a vireo-shim
 * and talks to it over the shim's socket.  Its vfuncs live beside the
 * rest of their concern (vireo-domain-start.c, -lifecycle.c, -stats.c,
 * -leases.c); here are its state, its run folder and its log.
 *
 * The truth about a VM's state is its shim's state.json plus whether that
 * shim is alive, which its socket tells (vireo-domain-watch.c): not a pid,
 * which may be a zombie, reused, or another PID namespace's.  Events over
 * shim.sock only tell us when to look again.
 */
#include <glib/gstdio.h>

#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-json.h"
#include "vireo-local-domain-private.h"
#include "vireo-shim-protocol.h"
#include "vireo-state-reason.h"

G_DEFINE_FINAL_TYPE (VireoLocalDomain, vireo_local_domain, VIREO_TYPE_DOMAIN)

static void update_pending_changes (VireoLocalDomain *self);

static gboolean
is_final (VireoDomainState state)
{
  return state == VIREO_DOMAIN_STATE_SHUTOFF || state == VIREO_DOMAIN_STATE_CRASHED;
}

/* As state.json spells it (vireo_domain_state_to_string()). */
static VireoDomainState
state_from_string (const char *text)
{
  for (VireoDomainState state = VIREO_DOMAIN_STATE_SHUTOFF; state <= VIREO_DOMAIN_STATE_CRASHED; state++)
    if (g_strcmp0 (text, vireo_domain_state_to_string (state)) == 0)
      return state;
  return VIREO_DOMAIN_STATE_CRASHED;
}

void
_vireo_local_domain_set_state (VireoLocalDomain *self,
                               VireoDomainState  state,
                               const char       *reason)
{
  VireoDomain *domain = VIREO_DOMAIN (self);

  /* a start of ours is under way: the run folder does not tell it yet
   * (no shim, or the last run's final state) */
  if (self->start_pending && is_final (state))
    {
      state = VIREO_DOMAIN_STATE_STARTING;
      reason = NULL;
    }
  if (_vireo_domain_set_state (domain, state, reason) || self->live_started_at != domain->started_at)
    update_pending_changes (self);
}

static JsonObject *
read_state_file (VireoLocalDomain *self)
{
  g_autofree char *path = g_build_filename (self->run_dir, VIREO_STATE_FILE, NULL);
  g_autofree char *text = NULL;
  JsonObject *obj;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  obj = vireo_json_parse_object (text, -1, NULL);
  /* the run directory is named after a UUID prefix: check it is ours */
  if (obj && g_strcmp0 (vireo_json_get_string (obj, VIREO_STATE_KEY_UUID),
                        VIREO_DOMAIN (self)->config->uuid) != 0)
    g_clear_pointer (&obj, json_object_unref);
  return obj;
}

static void
update_addresses (VireoLocalDomain *self,
                  JsonObject       *state)
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
  _vireo_local_domain_merge_addresses (self);
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
_vireo_local_domain_merge_addresses (VireoLocalDomain *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; self->agent_addresses && self->agent_addresses[i]; i++)
    g_strv_builder_add (builder, self->agent_addresses[i]);
  for (guint i = 0; self->lease_addresses && self->lease_addresses[i]; i++)
    if (!has_address ((const char * const *) self->agent_addresses, self->lease_addresses[i]))
      g_strv_builder_add (builder, self->lease_addresses[i]);
  _vireo_domain_set_guest_addresses (VIREO_DOMAIN (self), g_strv_builder_end (builder));
}

/* The "guest-os" and "guest-addresses" of a live state.json, or none. */
static void
update_guest_info (VireoLocalDomain *self,
                   JsonObject       *state)
{
  VireoDomain *domain = VIREO_DOMAIN (self);
  JsonObject *net = state ? vireo_json_get_object (state, VIREO_STATE_KEY_GUEST_NET) : NULL;

  domain->guest_net_time = net ? vireo_json_get_int (net, "time", 0) : 0;
  domain->guest_rx_bytes = net ? vireo_json_get_int (net, "rx-bytes", 0) : 0;
  domain->guest_tx_bytes = net ? vireo_json_get_int (net, "tx-bytes", 0) : 0;

  _vireo_domain_set_guest_os (domain, state ? vireo_json_get_string (state, VIREO_STATE_KEY_GUEST_OS) : NULL);
  /* a lease outlives its guest in dnsmasq's file: not here */
  if (state == NULL)
    {
      g_clear_pointer (&self->lease_addresses, g_strfreev);
      self->leases_time = 0;
      self->leases_polls = 0;
    }
  update_addresses (self, state);
}

/* Reads state.json and asks the shim's socket whether it lives: a small
 * file and a connect that never waits (a poll of the shim's pidfd once
 * it is watched). */
static void
local_domain_refresh_state (VireoDomain *domain)
{
  VireoLocalDomain *self = VIREO_LOCAL_DOMAIN (domain);
  g_autoptr(JsonObject) obj = NULL;
  g_autofree char *reason = NULL;
  VireoDomainState state;

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_clear_pointer (&obj, json_object_unref);
      obj = read_state_file (self);
      if (obj == NULL)
        {
          update_guest_info (self, NULL);
          _vireo_local_domain_set_state (self, VIREO_DOMAIN_STATE_SHUTOFF, NULL);
          return;
        }
      state = state_from_string (vireo_json_get_string (obj, VIREO_STATE_KEY_STATE));
      domain->started_at = vireo_json_get_int (obj, VIREO_STATE_KEY_STARTED_AT, 0);
      update_guest_info (self, is_final (state) ? NULL : obj);
      g_clear_pointer (&reason, g_free);
      reason = vireo_state_reason_from_state (obj);
      if (is_final (state))
        {
          _vireo_local_domain_unwatch_shim (self);
          _vireo_local_domain_set_state (self, state, reason);
          return;
        }
      if (_vireo_local_domain_shim_lives (self))
        {
          _vireo_local_domain_set_state (self, state, reason);
          return;
        }
      /* The shim may have written its last state and exited just now:
       * read once more before calling it a crash. */
    }

  /* QEMU dies with its shim (PDEATHSIG). */
  _vireo_local_domain_unwatch_shim (self);
  update_guest_info (self, NULL);
  _vireo_local_domain_set_state (self, VIREO_DOMAIN_STATE_CRASHED, _("the supervisor process vireo-shim died"));
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
update_pending_changes (VireoLocalDomain *self)
{
  VireoDomain *domain = VIREO_DOMAIN (self);
  gboolean pending = FALSE;

  if (!vireo_domain_is_active (domain))
    g_clear_pointer (&self->live_config, vireo_domain_config_free);
  else
    {
      g_autofree char *path = g_build_filename (self->run_dir, "domain.xml", NULL);
      GStatBuf st;
      /* port forwards change the running VM's copy too, maybe from
       * another process (vireo-port-forwards.c) */
      gint64 mtime = g_stat (path, &st) != 0 ? 0
                     : (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;

      if (self->live_config == NULL || self->live_started_at != domain->started_at ||
          self->live_mtime != mtime)
        {
          g_autofree char *xml = NULL;

          g_clear_pointer (&self->live_config, vireo_domain_config_free);
          self->live_mtime = mtime;
          /* a VM started by an older Vireo has no copy: nothing to compare */
          if (g_file_get_contents (path, &xml, NULL, NULL))
            self->live_config = vireo_domain_config_parse (xml, -1, path, NULL);
          self->live_started_at = domain->started_at;
        }
      pending = self->live_config != NULL && differs_from_live (domain->config, self->live_config);
    }
  _vireo_domain_set_pending_changes (domain, pending);
}

/* Takes @config.  The UUID never changes: redefinition keeps it. */
void
_vireo_local_domain_set_config (VireoLocalDomain  *self,
                                VireoDomainConfig *config)
{
  _vireo_domain_set_config (VIREO_DOMAIN (self), config);
  update_pending_changes (self);
}

/* Stores @sample and returns the one it replaces. */
VireoCpuSample
_vireo_local_domain_swap_cpu_sample (VireoLocalDomain *self,
                                     VireoCpuSample    sample)
{
  VireoCpuSample previous = self->cpu_sample;

  self->cpu_sample = sample;
  return previous;
}

const VireoPaths *
_vireo_domain_get_paths (VireoDomain *self)
{
  return VIREO_LOCAL_DOMAIN (self)->paths;
}

const char *
vireo_domain_get_run_dir (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_DOMAIN (self), NULL);

  return VIREO_LOCAL_DOMAIN (self)->run_dir;
}

char *
vireo_domain_get_console_path (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_DOMAIN (self), NULL);

  return g_build_filename (VIREO_LOCAL_DOMAIN (self)->run_dir, "console.sock", NULL);
}

char *
vireo_domain_get_vnc_path (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_DOMAIN (self), NULL);

  return g_build_filename (VIREO_LOCAL_DOMAIN (self)->run_dir, "vnc.sock", NULL);
}

char *
vireo_domain_get_log_path (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_DOMAIN (self), NULL);

  return vireo_paths_domain_log (VIREO_LOCAL_DOMAIN (self)->paths, self->config->name, "");
}

char *
vireo_domain_get_serial_log_path (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_DOMAIN (self), NULL);

  return vireo_paths_domain_log (VIREO_LOCAL_DOMAIN (self)->paths, self->config->name, "-serial");
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

static void
vireo_local_domain_dispose (GObject *object)
{
  VireoLocalDomain *self = VIREO_LOCAL_DOMAIN (object);

  _vireo_local_domain_disconnect (self);
  _vireo_local_domain_unwatch_shim (self);
  G_OBJECT_CLASS (vireo_local_domain_parent_class)->dispose (object);
}

static void
vireo_local_domain_finalize (GObject *object)
{
  VireoLocalDomain *self = VIREO_LOCAL_DOMAIN (object);

  g_clear_pointer (&self->live_config, vireo_domain_config_free);
  g_clear_pointer (&self->agent_addresses, g_strfreev);
  g_clear_pointer (&self->lease_addresses, g_strfreev);
  g_clear_pointer (&self->connect_waiters, g_ptr_array_unref);
  g_free (self->run_dir);
  g_free (self->start_note);

  G_OBJECT_CLASS (vireo_local_domain_parent_class)->finalize (object);
}

static void
vireo_local_domain_class_init (VireoLocalDomainClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VireoDomainClass *domain_class = VIREO_DOMAIN_CLASS (klass);

  object_class->dispose = vireo_local_domain_dispose;
  object_class->finalize = vireo_local_domain_finalize;

  domain_class->refresh_state = local_domain_refresh_state;
  domain_class->read_log_tail_async = local_domain_read_log_tail_async;
  domain_class->read_log_tail_finish = local_domain_read_log_tail_finish;
  _vireo_local_domain_class_init_start (domain_class);
  _vireo_local_domain_class_init_lifecycle (domain_class);
  _vireo_local_domain_class_init_stats (domain_class);
  _vireo_local_domain_class_init_leases (domain_class);
  _vireo_local_domain_class_init_snapshots (domain_class);
  _vireo_local_domain_class_init_media (domain_class);
  _vireo_local_domain_class_init_disks (domain_class);
  _vireo_local_domain_class_init_clone (domain_class);
}

static void
vireo_local_domain_init (VireoLocalDomain *self)
{
  self->connect_waiters = g_ptr_array_new ();
  self->shim_pidfd = -1;
}

/**
 * _vireo_local_domain_new:
 * @paths: (transfer none): the backend's, which outlive its VMs
 * @config: (transfer full):
 *
 * Returns: (transfer full): a VM of this machine, its state read
 */
VireoDomain *
_vireo_local_domain_new (VireoBackend      *backend,
                         const VireoPaths  *paths,
                         VireoDomainConfig *config)
{
  VireoLocalDomain *self = g_object_new (VIREO_TYPE_LOCAL_DOMAIN, NULL);
  VireoDomain *domain = VIREO_DOMAIN (self);

  _vireo_domain_set_backend (domain, backend);
  domain->config = config;
  self->paths = paths;
  self->run_dir = vireo_paths_domain_run_dir (paths, config->uuid);
  vireo_domain_refresh_state (domain);
  return domain;
}
