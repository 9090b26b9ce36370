/* vireo-domain-private.h: what the engine's own modules share about VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain.h"
#include "vireo-paths.h"
#include "vireo-qmp-client.h"

G_BEGIN_DECLS

typedef struct {
  GPid pid;
  gint64 time_us;        /* monotonic */
  guint64 ticks;         /* utime + stime */
} VireoCpuSample;

/* What the stats monitor keeps of a VM (vireo-domain-stats.c). */
typedef struct _VireoLoadRecord VireoLoadRecord;

VireoLoadRecord *_vireo_load_record_new  (void);
void             _vireo_load_record_free (VireoLoadRecord *record);
VireoLoadRecord *_vireo_domain_get_load_record (VireoDomain *self);
void             _vireo_domain_emit_stats_updated (VireoDomain *self);
const char      *_vireo_domain_get_name_key (VireoDomain *self);

VireoCpuSample _vireo_domain_swap_cpu_sample (VireoDomain   *self,
                                              VireoCpuSample sample);
VireoDomain *_vireo_domain_new            (const VireoPaths  *paths,
                                           VireoDomainConfig *config);
void         _vireo_domain_set_config     (VireoDomain       *self,
                                           VireoDomainConfig *config);
const VireoPaths *_vireo_domain_get_paths (VireoDomain       *self);
GPid         _vireo_domain_get_qemu_pid   (VireoDomain       *self);
void         _vireo_domain_connect_async  (VireoDomain       *self,
                                           GCancellable      *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer           user_data);
VireoQmpClient *_vireo_domain_connect_finish (VireoDomain    *self,
                                              GAsyncResult   *result,
                                              GError        **error);
void         _vireo_domain_set_starting   (VireoDomain       *self);
GError      *_vireo_domain_command_error  (VireoDomain       *self,
                                           GError            *error,
                                           const char        *format);

G_END_DECLS
