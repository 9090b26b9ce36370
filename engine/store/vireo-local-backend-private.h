/* vireo-local-backend-private.h: what the files of engine/store/ share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-backend-private.h"
#include "vireo-local-backend.h"

G_BEGIN_DECLS

struct _VireoLocalBackend
{
  VireoBackend parent_instance;

  VireoPaths *paths;
  GListStore *domains;     /* the base's list of VMs (borrowed), in name order */
  GPtrArray *load_errors;  /* VireoLoadError */
  GListStore *networks;    /* the base's list of VireoNetwork (borrowed), in name order */
  GPtrArray *network_load_errors;  /* VireoLoadError, named after the network */

  GHashTable *stamps;      /* file name → VireoFileStamp of what is loaded;
                              never changed, only replaced, so a load on a
                              worker thread may read the one it was given */
  gboolean reloading;
  guint generation;        /* counts this process's own definitions */
  guint loads;             /* how often the list was read: tests watch it */

  /* what other clients do, as inotify tells it */
  GFileMonitor *domains_monitor;    /* the definitions folder */
  GFileMonitor *run_monitor;        /* the runtime folder: VMs' folders come and go */
  GHashTable *run_dir_monitors;     /* a VM's runtime folder name → GFileMonitor */
  guint reload_id;
  guint reload_delay_ms;
};

GHashTable *_vireo_local_backend_new_stamps (void);
guint       _vireo_local_backend_get_load_count (VireoLocalBackend *self);
gboolean    _vireo_local_backend_in_images_folder (VireoLocalBackend *self,
                                                   const char        *path);
/* Which generation of this process's definitions a VM's config comes
 * from: a load that began before it must not undo it. */
#define VIREO_LOCAL_BACKEND_DEFINED_AT "vireo-defined-at"

/* vireo-local-backend-network.c: the networks, read with the VMs */
GPtrArray  *_vireo_local_backend_read_networks  (const VireoPaths *paths,
                                                 GPtrArray        *errors);
void        _vireo_local_backend_apply_networks (VireoLocalBackend *self,
                                                 GPtrArray         *loaded,
                                                 GPtrArray         *errors);
VireoNetwork *_vireo_local_backend_put_network  (VireoLocalBackend  *self,
                                                 VireoNetworkConfig *config,
                                                 gboolean            autostart);

/* the VireoBackend vfuncs, by the file that implements them */
void _vireo_local_backend_class_init_load   (VireoBackendClass *klass);
void _vireo_local_backend_class_init_define (VireoBackendClass *klass);
void _vireo_local_backend_class_init_network (VireoBackendClass *klass);
void _vireo_local_backend_class_init_network_define (VireoBackendClass *klass);

G_END_DECLS
