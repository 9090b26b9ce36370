/* vireo-snapshot-private.h: what the files of engine/snapshot/ share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "vireo-domain-config.h"
#include "vireo-lock.h"
#include "vireo-paths.h"
#include "vireo-qmp-sync.h"
#include "vireo-snapshot.h"

G_BEGIN_DECLS

/* A thumbnail is a screen's PNG: a few hundred KiB at most. */
#define VIREO_SNAPSHOT_MAX_THUMBNAIL (8 * 1024 * 1024)

/* g_set_str() of GLib 2.76 */
static inline void
_vireo_set_str (char       **field,
                const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

struct _VireoSnapshot
{
  GObject parent_instance;

  char *name;
  char *description;           /* never NULL */
  char *parent;                /* NULL: a root */
  gint64 creation_time;        /* seconds since the epoch */
  VireoSnapshotState state;
  gboolean memory;             /* holds the VM's RAM (internal, on the first disk) */
  GStrv disks;                 /* targets whose images hold it */
  VireoDomainConfig *config;   /* the definition as it was: the machine that ran */
  VireoDomainConfig *inactive_config; /* the one on disk then, if it differed
                                         (changes pending for the next start) */

  /* what a listing adds */
  gboolean current;
  gboolean foreign;            /* in an image, without Vireo's metadata */
  guint depth;
  GBytes *thumbnail;
};

/* vireo-snapshot.c: the object and its XML (libvirt's domainsnapshot) */
VireoSnapshot *_vireo_snapshot_new    (const char         *name);
VireoSnapshot *_vireo_snapshot_parse  (const char         *xml,
                                       gssize              length,
                                       const char         *source,
                                       GError            **error);
void           _vireo_snapshot_order  (GPtrArray          *snapshots);
gboolean       _vireo_snapshot_description_validate (const char *text,
                                                     GError    **error);

/* vireo-snapshot-store.c: the metadata folder snapshots/VM/ */
char      *_vireo_snapshot_dir             (const VireoPaths  *paths,
                                            const char        *vm);
char      *_vireo_snapshot_thumbnail_path  (const VireoPaths  *paths,
                                            const char        *vm,
                                            const char        *name);
GPtrArray *_vireo_snapshot_store_load      (const VireoPaths  *paths,
                                            const VireoDomainConfig *config,
                                            gboolean           thumbnails,
                                            char             **current,
                                            GError           **error);
gboolean   _vireo_snapshot_store_save      (const VireoPaths  *paths,
                                            const char        *vm,
                                            VireoSnapshot     *snapshot,
                                            GError           **error);
gboolean   _vireo_snapshot_store_save_thumbnail (const VireoPaths *paths,
                                                 const char       *vm,
                                                 VireoSnapshot    *snapshot,
                                                 GError          **error);
gboolean   _vireo_snapshot_store_remove    (const VireoPaths  *paths,
                                            const char        *vm,
                                            const char        *name,
                                            GError           **error);
gboolean   _vireo_snapshot_store_set_current (const VireoPaths *paths,
                                              const char       *vm,
                                              const char       *name,
                                              GError          **error);
void       _vireo_snapshot_store_forget_vm (const VireoPaths  *paths,
                                            const char        *vm);

/* vireo-snapshot-image.c: internal snapshots inside qcow2 images */
typedef struct {
  char *id;                    /* QEMU's number for it, which a tag must not be */
  char *tag;
  guint64 vm_state_size;
  gint64 date;                 /* seconds since the epoch */
} VireoImageSnapshot;

void       _vireo_image_snapshot_free      (VireoImageSnapshot *snapshot);
gboolean   _vireo_snapshot_disk_is_own     (const VireoDiskConfig *disk);
GPtrArray *_vireo_snapshot_disks           (const VireoDomainConfig *config,
                                            GError           **error);
GPtrArray *_vireo_image_list_snapshots     (const char        *vm,
                                            const VireoDiskConfig *disk,
                                            GError           **error);
gboolean   _vireo_image_has_snapshot       (const char        *vm,
                                            const VireoDiskConfig *disk,
                                            const char        *tag,
                                            gboolean          *has,
                                            GError           **error);
gboolean   _vireo_image_snapshot_run       (const char        *vm,
                                            const VireoDiskConfig *disk,
                                            const char        *op,
                                            const char        *tag,
                                            GError           **error);
const char *_vireo_snapshot_nvram          (const VireoDomainConfig *config);
GPtrArray *_vireo_nvram_list_snapshots     (const char        *vm,
                                            const char        *nvram,
                                            GError           **error);
gboolean   _vireo_nvram_has_snapshot       (const char        *vm,
                                            const char        *nvram,
                                            const char        *tag,
                                            gboolean          *has,
                                            GError           **error);
gboolean   _vireo_nvram_snapshot_run       (const char        *vm,
                                            const char        *nvram,
                                            const char        *op,
                                            const char        *tag,
                                            GError           **error);

/* One operation on a VM's snapshots, run by a VireoJob on a worker. */
typedef struct {
  VireoSnapshotChange kind;
  const VireoPaths *paths;     /* borrowed: the engine outlives its VMs */
  VireoDomainConfig *config;   /* the definition, reread under the change lock */
  char *run_dir;
  char *name;                  /* the snapshot's */
  char *description;
  VireoLock *change_lock;
  VireoLock *run_lock;         /* held while the VM is off */
  VireoJob *job;               /* borrowed while it runs */
} VireoSnapshotOp;

/* vireo-snapshot-ops.c: the operations */
void         _vireo_snapshot_op_free (VireoSnapshotOp     *op);
VireoJob    *_vireo_snapshot_op_new  (VireoSnapshotOp     *op,
                                      const char          *title);
GPtrArray   *_vireo_snapshot_find    (const VireoPaths    *paths,
                                      const VireoDomainConfig *config,
                                      gboolean             thumbnails,
                                      gboolean             foreign,
                                      char               **current,
                                      GError             **error);

/* vireo-snapshot-live.c: a running VM's snapshots, through QEMU */
VireoQmpSync *_vireo_snapshot_live_connect (VireoSnapshotOp   *op,
                                            GError           **error);
gboolean   _vireo_snapshot_live_take       (VireoSnapshotOp   *op,
                                            VireoQmpSync      *qmp,
                                            VireoSnapshot     *snapshot,
                                            GPtrArray         *disks,
                                            const char        *nvram,
                                            GError           **error);
gboolean   _vireo_snapshot_live_job        (VireoSnapshotOp   *op,
                                            VireoQmpSync      *qmp,
                                            const char        *command,
                                            const char        *tag,
                                            GPtrArray         *disks,
                                            const char        *nvram,
                                            GError           **error);
gboolean   _vireo_snapshot_live_set_paused (VireoSnapshotOp   *op,
                                            VireoQmpSync      *qmp,
                                            gboolean           paused,
                                            GError           **error);
gboolean   _vireo_snapshot_live_stop_vm    (VireoSnapshotOp   *op,
                                            GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoImageSnapshot, _vireo_image_snapshot_free)

G_END_DECLS
