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

/* The VM's instance, shared by the engine's modules: what every host's
 * VM has.  VireoLocalDomain adds what a VM run by vireo-shim on this
 * machine has (vireo-local-domain-private.h). */
struct _VireoDomain
{
  GObject parent_instance;

  /* owned */
  VireoDomainConfig *config;
  char *state_reason;

  /* weak: NULL once the host is gone (_vireo_domain_set_backend ()) */
  VireoBackend *backend;

  VireoDomainState state;
  gint64 started_at;
  gboolean pending_changes;

  /* what the guest agent reported (and, for some hosts, DHCP leases) */
  GStrv guest_addresses;
  char *guest_os;
  guint64 guest_rx_bytes;
  guint64 guest_tx_bytes;
  gint64 guest_net_time;         /* 0: unknown */

  /* what the stats monitor gathered while someone watched (or NULL) */
  VireoLoadRecord *load;
  char *name_key;                /* the name's collation key, made once */
  char *config_problem;          /* why Vireo's model holds only a summary, or NULL */
};

VireoLoadRecord *_vireo_load_record_new  (void);
void             _vireo_load_record_free (VireoLoadRecord *record);
VireoLoadRecord *_vireo_domain_get_load_record (VireoDomain *self);
void             _vireo_domain_emit_stats_updated (VireoDomain *self);
const char      *_vireo_domain_get_name_key (VireoDomain *self);
void             _vireo_domain_set_config_problem (VireoDomain *self,
                                                   const char  *problem);
void             _vireo_domain_set_backend (VireoDomain  *self,
                                            VireoBackend *backend);

/* What a subclass tells the base; each notifies what changed */
gboolean     _vireo_domain_supports       (VireoDomain       *self,
                                           gboolean           implemented,
                                           GTask             *task);
void         _vireo_domain_set_config     (VireoDomain       *self,
                                           VireoDomainConfig *config);
gboolean     _vireo_domain_set_state      (VireoDomain       *self,
                                           VireoDomainState   state,
                                           const char        *reason);
void         _vireo_domain_set_pending_changes (VireoDomain  *self,
                                                gboolean      pending);
void         _vireo_domain_set_guest_addresses (VireoDomain  *self,
                                                GStrv         addresses);
void         _vireo_domain_set_guest_os   (VireoDomain       *self,
                                           const char        *os);
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
