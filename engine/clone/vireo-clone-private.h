/* vireo-clone-private.h: what the files of engine/clone/ share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/types.h>

#include "vireo-clone.h"
#include "vireo-domain-config.h"
#include "vireo-lock.h"
#include "vireo-paths.h"

G_BEGIN_DECLS

/* One writable disk of the source, and what the clone makes of it. */
typedef struct {
  char *target;
  char *image;       /* the source's image now */
  char *format;      /* "qcow2" or "raw" */
  GStrv backing;     /* its bases, nearest first, when the source is a linked clone */
  char *dest;        /* the clone's new image, claimed on the worker */
  char *overlay;     /* linked: the source's new overlay */
  guint64 size;      /* virtual size, to weigh progress */
  mode_t mode;       /* linked: the image's mode before it became a base */
  gboolean chmodded;
} CloneDisk;

/* Plain data the worker thread owns while the job runs; the main
 * context reads it again only once the job is done. */
typedef struct {
  const VireoPaths *paths;           /* the engine's, which the task keeps */
  VireoLock *change_lock;            /* the source's, until the job's work ends */
  VireoLock *run_lock;               /* keeps the source shut off meanwhile */
  char *run_dir;                     /* the source's, for a run lock taken late */
  VireoDomainConfig *source_config;  /* the source as it was */
  VireoDomainConfig *source_new;     /* linked: on its new overlays */
  VireoDomainConfig *config;         /* the clone */
  char *snapshot;
  gboolean linked;
  GPtrArray *disks;                  /* CloneDisk */
  GPtrArray *made;                   /* files this call created */
  gboolean clone_written;
  gboolean source_written;
  gboolean done;                     /* the clone exists */
  GError *rollback_error;            /* the source could not be put back */
  VireoJob *job;
} Clone;

gboolean _vireo_clone_run       (VireoJob      *job,
                                 gpointer       data,
                                 GCancellable  *cancellable,
                                 GError       **error);
void     _vireo_clone_disk_free (CloneDisk     *disk);

G_END_DECLS
