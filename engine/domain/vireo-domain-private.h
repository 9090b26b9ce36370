/* vireo-domain-private.h: what the engine's own modules share about VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain.h"
#include "vireo-paths.h"
#include "vireo-qmp-client.h"

G_BEGIN_DECLS

/* What the stats monitor keeps of a VM (vireo-domain-stats.c). */
typedef struct _VireoLoadRecord VireoLoadRecord;

typedef struct {
  GPid pid;              /* in the shim's PID namespace */
  gint64 started_at;     /* and the start: together, which QEMU */
  gint64 time_us;        /* monotonic */
  guint64 ticks;         /* utime + stime */
} VireoCpuSample;

/* The VM's instance, shared by the files of engine/domain/ (state,
 * session, lifecycle, stats, guest); nothing outside the folder sees it. */
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
  VireoBackend *backend;

  VireoDomainState state;
  gboolean start_pending;        /* a start of ours is under way (vireo-domain-start.c) */
  char *start_note;              /* why our last start ran without KVM, or NULL */
  gint64 started_at;

  /* the definition the running QEMU was started from (run/ID/domain.xml) */
  VireoDomainConfig *live_config;
  gint64 live_started_at;
  gint64 live_mtime;             /* of run/ID/domain.xml when read, µs */
  gboolean pending_changes;

  /* what the guest agent reported, through the shim */
  GStrv guest_addresses;        /* agent_addresses, then what lease_addresses add */
  GStrv agent_addresses;        /* from state.json: what the guest agent said */
  GStrv lease_addresses;        /* from the DHCP leases of its virtual networks */
  gboolean leases_in_flight;
  gint64 leases_time;           /* monotonic time of the last lease lookup */
  guint leases_polls;           /* lookups since it last started */
  char *guest_os;
  guint64 guest_rx_bytes;
  guint64 guest_tx_bytes;
  gint64 guest_net_time;         /* 0: unknown */

  /* the previous CPU sample, for the next CPU % */
  VireoCpuSample cpu_sample;

  /* the running shim's pidfd: readable when it exits, even if nobody
   * is connected and it wrote nothing (SIGKILL) */
  int shim_pidfd;                /* -1: none */
  guint shim_watch_id;

  /* what the stats monitor gathered while someone watched (or NULL) */
  VireoLoadRecord *load;
  char *name_key;                /* the name's collation key, made once */
};

VireoLoadRecord *_vireo_load_record_new  (void);
void             _vireo_load_record_free (VireoLoadRecord *record);
VireoLoadRecord *_vireo_domain_get_load_record (VireoDomain *self);
void             _vireo_domain_emit_stats_updated (VireoDomain *self);
const char      *_vireo_domain_get_name_key (VireoDomain *self);

VireoCpuSample _vireo_domain_swap_cpu_sample (VireoDomain   *self,
                                              VireoCpuSample sample);
/* Where the local engine's VM keeps its sockets and logs: the engine's
 * own business (front ends open a console or a display, and read the log
 * through VireoDomain) */
const char              *vireo_domain_get_run_dir       (VireoDomain *self);
char                    *vireo_domain_get_console_path  (VireoDomain *self);
char                    *vireo_domain_get_vnc_path      (VireoDomain *self);
char                    *vireo_domain_get_log_path      (VireoDomain *self);
char                    *vireo_domain_get_serial_log_path (VireoDomain *self);

/* VireoLocalDomain's vfuncs, each in the file of its concern */
void _vireo_local_domain_class_init_start     (VireoDomainClass *klass);
void _vireo_local_domain_class_init_lifecycle (VireoDomainClass *klass);
void _vireo_local_domain_class_init_stats     (VireoDomainClass *klass);
void _vireo_local_domain_class_init_log       (VireoDomainClass *klass);

/* A VireoLocalDomain */
gboolean     _vireo_domain_supports       (VireoDomain       *self,
                                           gboolean           implemented,
                                           GTask             *task);
VireoDomain *_vireo_domain_new            (VireoBackend      *backend,
                                           const VireoPaths  *paths,
                                           VireoDomainConfig *config);
void         _vireo_domain_set_config     (VireoDomain       *self,
                                           VireoDomainConfig *config);
const VireoPaths *_vireo_domain_get_paths (VireoDomain       *self);
gboolean     _vireo_domain_shim_lives     (VireoDomain       *self);
void         _vireo_domain_unwatch_shim   (VireoDomain       *self);
void         _vireo_domain_connect_async  (VireoDomain       *self,
                                           GCancellable      *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer           user_data);
VireoQmpClient *_vireo_domain_connect_finish (VireoDomain    *self,
                                              GAsyncResult   *result,
                                              GError        **error);
void         _vireo_domain_set_starting   (VireoDomain       *self);
void         _vireo_domain_set_state      (VireoDomain       *self,
                                           VireoDomainState   state,
                                           const char        *reason);
void         _vireo_domain_disconnect     (VireoDomain       *self);
gboolean     _vireo_domain_start_sync     (const VireoPaths  *paths,
                                           const VireoDomainConfig *config,
                                           const char        *run_dir,
                                           const char        *loadvm,
                                           gboolean           paused,
                                           GError           **error);
char        *_vireo_domain_nvram_path    (const VireoPaths  *paths,
                                          const char        *name);
gboolean     _vireo_domain_prepare_firmware (const VireoPaths  *paths,
                                             VireoDomainConfig *config,
                                             char             **code,
                                             GError           **error);
void         _vireo_domain_merge_addresses (VireoDomain      *self);
void         _vireo_domain_poll_leases    (VireoDomain       *self);
GArray      *_vireo_domain_open_taps     (const VireoPaths  *paths,
                                           const VireoDomainConfig *config,
                                           GError           **error);
GError      *_vireo_domain_not_running_error (VireoDomain    *self);
GError      *_vireo_domain_command_error  (VireoDomain       *self,
                                           GError            *error,
                                           const char        *format);
char        *_vireo_port_forward_failure  (const VireoPortForward *forward);
GError      *_vireo_port_forward_start_error (const char *name,
                                              const char *qemu_message);

G_END_DECLS
