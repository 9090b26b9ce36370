/* vireo-local-domain-private.h: what the engine's modules share about
 * the VMs of this machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A VireoLocalDomain runs in a vireo-shim under a run folder of this
 * machine: the files of engine/domain/ that run it, and engine/store,
 * engine/snapshot and engine/clone, which only ever deal with such VMs,
 * share its instance here.  What every host's VM has stays in
 * vireo-domain-private.h.
 */
#pragma once

#include "vireo-domain-private.h"
#include "vireo-local-domain.h"
#include "vireo-paths.h"
#include "vireo-qmp-client.h"

G_BEGIN_DECLS

typedef struct {
  GPid pid;              /* in the shim's PID namespace */
  gint64 started_at;     /* and the start: together, which QEMU */
  gint64 time_us;        /* monotonic */
  guint64 ticks;         /* utime + stime */
} VireoCpuSample;

struct _VireoLocalDomain
{
  VireoDomain parent_instance;

  /* owned */
  char *run_dir;
  VireoQmpClient *qmp;
  GPtrArray *connect_waiters;   /* GTask */
  gulong closed_handler;
  gulong event_handler;

  /* borrowed: the backend outlives its domains */
  const VireoPaths *paths;

  gboolean start_pending;        /* a start of ours is under way (vireo-domain-start.c) */
  char *start_note;              /* why our last start ran without KVM, or NULL */

  /* the definition the running QEMU was started from (run/ID/domain.xml) */
  VireoDomainConfig *live_config;
  gint64 live_started_at;
  gint64 live_mtime;             /* of run/ID/domain.xml when read, µs */

  /* where the base's guest_addresses come from */
  GStrv agent_addresses;        /* from state.json: what the guest agent said */
  GStrv lease_addresses;        /* from the DHCP leases of its virtual networks */
  gboolean leases_in_flight;
  gint64 leases_time;           /* monotonic time of the last lease lookup */
  guint leases_polls;           /* lookups since it last started */

  /* the previous CPU sample, for the next CPU % */
  VireoCpuSample cpu_sample;

  /* the running shim's pidfd: readable when it exits, even if nobody
   * is connected and it wrote nothing (SIGKILL) */
  int shim_pidfd;                /* -1: none */
  guint shim_watch_id;
};

VireoDomain *_vireo_local_domain_new          (VireoBackend      *backend,
                                               const VireoPaths  *paths,
                                               VireoDomainConfig *config);
void         _vireo_local_domain_set_config   (VireoLocalDomain  *self,
                                               VireoDomainConfig *config);
void         _vireo_local_domain_set_state    (VireoLocalDomain  *self,
                                               VireoDomainState   state,
                                               const char        *reason);
VireoCpuSample _vireo_local_domain_swap_cpu_sample (VireoLocalDomain *self,
                                                    VireoCpuSample    sample);

/* Where the VM keeps its sockets and logs: the engine's own business
 * (front ends open a console or a display, and read the log through
 * VireoDomain).  @self must be a VireoLocalDomain. */
const VireoPaths *_vireo_domain_get_paths       (VireoDomain *self);
const char              *vireo_domain_get_run_dir       (VireoDomain *self);
char                    *vireo_domain_get_console_path  (VireoDomain *self);
char                    *vireo_domain_get_vnc_path      (VireoDomain *self);
char                    *vireo_domain_get_log_path      (VireoDomain *self);
char                    *vireo_domain_get_serial_log_path (VireoDomain *self);

/* Its shim: whether it lives (vireo-domain-watch.c), the connection to
 * it (vireo-domain-session.c); @self of the connect must be a
 * VireoLocalDomain */
gboolean     _vireo_local_domain_shim_lives   (VireoLocalDomain  *self);
void         _vireo_local_domain_unwatch_shim (VireoLocalDomain  *self);
void         _vireo_local_domain_disconnect   (VireoLocalDomain  *self);
void         _vireo_domain_connect_async      (VireoDomain       *self,
                                               GCancellable      *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer           user_data);
VireoQmpClient *_vireo_domain_connect_finish  (VireoDomain       *self,
                                               GAsyncResult      *result,
                                               GError           **error);

/* Its guest's addresses: the agent's, then the leases' (vireo-domain-leases.c) */
void         _vireo_local_domain_merge_addresses (VireoLocalDomain *self);
void         _vireo_local_domain_poll_leases  (VireoLocalDomain  *self);

/* VireoLocalDomain's vfuncs, each in the file of its concern */
void _vireo_local_domain_class_init_start     (VireoDomainClass *klass);
void _vireo_local_domain_class_init_lifecycle (VireoDomainClass *klass);
void _vireo_local_domain_class_init_stats     (VireoDomainClass *klass);
void _vireo_local_domain_class_init_leases    (VireoDomainClass *klass);
void _vireo_local_domain_class_init_snapshots (VireoDomainClass *klass);
void _vireo_local_domain_class_init_media     (VireoDomainClass *klass);
void _vireo_local_domain_class_init_disks     (VireoDomainClass *klass);
void _vireo_local_domain_class_init_clone     (VireoDomainClass *klass);

G_END_DECLS
