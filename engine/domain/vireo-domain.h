/* vireo-domain.h: one VM, its state and its lifecycle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vireo-domain-config.h"
#include "vireo-job.h"

G_BEGIN_DECLS

typedef enum {
  VIREO_DOMAIN_STATE_SHUTOFF,
  VIREO_DOMAIN_STATE_STARTING,
  VIREO_DOMAIN_STATE_RUNNING,
  VIREO_DOMAIN_STATE_PAUSED,
  VIREO_DOMAIN_STATE_SHUTTING_DOWN,
  VIREO_DOMAIN_STATE_CRASHED,
} VireoDomainState;

/**
 * VireoDomainAction:
 * The operations that are one QMP command on a running VM.
 */
typedef enum {
  VIREO_DOMAIN_ACTION_PAUSE,
  VIREO_DOMAIN_ACTION_RESUME,
  VIREO_DOMAIN_ACTION_RESET,
  VIREO_DOMAIN_ACTION_REBOOT,
} VireoDomainAction;

#define VIREO_TYPE_DOMAIN_STATE (vireo_domain_state_get_type ())
GType vireo_domain_state_get_type (void);

/**
 * VireoDomainStats:
 * One sample of a running VM's resource use.
 */
typedef struct {
  double cpu_percent;        /* of one host CPU, since the previous sample */
  guint64 rss_bytes;         /* QEMU's resident memory */
  guint64 disk_read_bytes;
  guint64 disk_write_bytes;
  gint64 uptime_seconds;
} VireoDomainStats;

/**
 * VireoDomainLoad:
 * What the stats monitor knows of a watched, running VM.
 */
typedef struct {
  double cpu_percent;        /* the latest sample, of one host CPU */
  guint64 rss_bytes;         /* QEMU's resident memory */
  double disk_rate;          /* bytes/s read and written; < 0: not known yet */
  double net_rate;           /* bytes/s through the guest's interfaces, as
                                its agent counts them; < 0: unknown */
} VireoDomainLoad;

/* How many CPU samples the monitor keeps per VM. */
#define VIREO_DOMAIN_CPU_HISTORY 60

/**
 * VireoDomain:
 * An abstract class: the base holds what front ends read (name, UUID,
 * config, state and its reason, addresses, pending changes, stats
 * history); a subclass runs the VM on its host through the class's
 * vfuncs.  VireoLocalDomain runs it on this machine through vireo-shim.
 *
 * Declared by hand, not with G_DECLARE_DERIVABLE_TYPE: the engine's own
 * modules share the instance struct (vireo-domain-private.h).
 */
typedef struct _VireoDomain VireoDomain;
/**
 * VireoDiskRequest:
 * One disk to add.  A %VIREO_DISK_DEVICE_DISK is either a new qcow2 image
 * of @new_bytes (made in @folder, the images folder when %NULL, on this
 * machine; in a storage pool of the host on a libvirt host) or the
 * existing image @path; a CD-ROM drive holds @path, or is empty.
 */
typedef struct {
  VireoDiskDevice device;
  VireoDiskBus bus;
  guint64 new_bytes;
  const char *path;
  const char *folder;
} VireoDiskRequest;

typedef struct _VireoDomainClass VireoDomainClass;

#define VIREO_TYPE_DOMAIN            (vireo_domain_get_type ())
#define VIREO_DOMAIN(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), VIREO_TYPE_DOMAIN, VireoDomain))
#define VIREO_IS_DOMAIN(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), VIREO_TYPE_DOMAIN))
#define VIREO_DOMAIN_CLASS(klass)    (G_TYPE_CHECK_CLASS_CAST ((klass), VIREO_TYPE_DOMAIN, VireoDomainClass))
#define VIREO_IS_DOMAIN_CLASS(klass) (G_TYPE_CHECK_CLASS_TYPE ((klass), VIREO_TYPE_DOMAIN))
#define VIREO_DOMAIN_GET_CLASS(obj)  (G_TYPE_INSTANCE_GET_CLASS ((obj), VIREO_TYPE_DOMAIN, VireoDomainClass))

GType vireo_domain_get_type (void) G_GNUC_CONST;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoDomain, g_object_unref)

/* what a clone is to be (vireo-clone.h) */
typedef struct _VireoCloneOptions VireoCloneOptions;

struct _VireoDomainClass
{
  GObjectClass parent_class;

  /* The lifecycle: each completes once the VM is in its new state;
   * vireo_domain_shutdown_async() forces it off after @timeout_seconds */
  void        (*start_async)        (VireoDomain         *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
  gboolean    (*start_finish)       (VireoDomain         *self,
                                     GAsyncResult        *result,
                                     GError             **error);
  void        (*shutdown_async)     (VireoDomain         *self,
                                     guint                timeout_seconds,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
  gboolean    (*shutdown_finish)    (VireoDomain         *self,
                                     GAsyncResult        *result,
                                     GError             **error);
  void        (*destroy_async)      (VireoDomain         *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
  gboolean    (*destroy_finish)     (VireoDomain         *self,
                                     GAsyncResult        *result,
                                     GError             **error);
  void        (*action_async)       (VireoDomain         *self,
                                     VireoDomainAction    action,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
  gboolean    (*action_finish)      (VireoDomain         *self,
                                     GAsyncResult        *result,
                                     GError             **error);
  /* @path: where the PNG goes, on this machine */
  void        (*screenshot_async)   (VireoDomain         *self,
                                     const char          *path,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
  gboolean    (*screenshot_finish)  (VireoDomain         *self,
                                     GAsyncResult        *result,
                                     GError             **error);
  /* The serial console's and the display's (RFB) byte streams */
  void        (*open_console_async) (VireoDomain         *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
  GSocketConnection *(*open_console_finish) (VireoDomain  *self,
                                             GAsyncResult *result,
                                             GError      **error);
  void        (*open_display_async) (VireoDomain         *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
  GSocketConnection *(*open_display_finish) (VireoDomain  *self,
                                             GAsyncResult *result,
                                             GError      **error);
  void        (*get_stats_async)    (VireoDomain         *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
  gboolean    (*get_stats_finish)   (VireoDomain         *self,
                                     GAsyncResult        *result,
                                     VireoDomainStats    *stats,
                                     GError             **error);
  /* The end of the VM's QEMU log (NULL: no log) */
  void        (*read_log_tail_async)  (VireoDomain         *self,
                                       guint                n_lines,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
  char       *(*read_log_tail_finish) (VireoDomain         *self,
                                       GAsyncResult        *result,
                                       GError             **error);
  /* Looks at the VM's state now, on the calling thread, cheaply: a
   * subclass whose state only comes by events leaves it unset */
  void        (*refresh_state)      (VireoDomain         *self);
  /* Asks for the guest's addresses now (DHCP leases, say); unset: the
   * host tells them without being asked */
  void        (*refresh_addresses_async)  (VireoDomain         *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean    (*refresh_addresses_finish) (VireoDomain         *self,
                                           GAsyncResult        *result,
                                           GError             **error);

  /* Snapshots (vireo-snapshot.h): the list, and one change (@kind is a
   * VireoSnapshotChange; the wrappers have checked the state) */
  void        (*list_snapshots_async)   (VireoDomain         *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
  GPtrArray  *(*list_snapshots_finish)  (VireoDomain         *self,
                                         GAsyncResult        *result,
                                         guint64             *disk_usage,
                                         GError             **error);
  void        (*change_snapshot_async)  (VireoDomain         *self,
                                         int                  kind,
                                         const char          *name,
                                         const char          *description,
                                         VireoJob           **job,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
  char       *(*change_snapshot_finish) (VireoDomain         *self,
                                         GAsyncResult        *result,
                                         GError             **error);

  /* Insert (@path) or eject (NULL) the medium of CD-ROM drive @target;
   * the wrapper has checked the state */
  void        (*change_media_async)  (VireoDomain         *self,
                                      const char          *target,
                                      const char          *path,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
  gboolean    (*change_media_finish) (VireoDomain         *self,
                                      GAsyncResult        *result,
                                      GError             **error);

  /* Add a disk or CD-ROM drive to the definition (a running VM takes it
   * at its next start); finish returns its target.  The wrapper has
   * checked the state and the request's shape */
  void        (*attach_disk_async)  (VireoDomain            *self,
                                     const VireoDiskRequest *request,
                                     VireoJob              **job,
                                     GCancellable           *cancellable,
                                     GAsyncReadyCallback     callback,
                                     gpointer                user_data);
  char       *(*attach_disk_finish) (VireoDomain            *self,
                                     GAsyncResult           *result,
                                     GError                **error);
  /* Remove drive @target from the definition, and its image with
   * @remove_storage; the wrapper has checked the state and the target */
  void        (*detach_disk_async)  (VireoDomain            *self,
                                     const char             *target,
                                     gboolean                remove_storage,
                                     GCancellable           *cancellable,
                                     GAsyncReadyCallback     callback,
                                     gpointer                user_data);
  gboolean    (*detach_disk_finish) (VireoDomain            *self,
                                     GAsyncResult           *result,
                                     GError                **error);

  /* A new VM on the same host, made of this one (vireo-clone.h); the
   * wrapper has checked the state; @options is read before it returns */
  void         (*clone_async)        (VireoDomain              *self,
                                      const VireoCloneOptions  *options,
                                      VireoJob                **job,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data);
  VireoDomain *(*clone_finish)       (VireoDomain              *self,
                                      GAsyncResult             *result,
                                      GError                  **error);

  gpointer padding[1];
};

/* the host a VM is on (vireo-backend.h) */
typedef struct _VireoBackend VireoBackend;
VireoBackend *vireo_domain_get_backend (VireoDomain *self);

const char              *vireo_domain_state_to_string   (VireoDomainState state);
const char              *vireo_domain_get_name          (VireoDomain *self);
const char              *vireo_domain_get_uuid          (VireoDomain *self);
const VireoDomainConfig *vireo_domain_get_config        (VireoDomain *self);
char                    *vireo_domain_get_xml           (VireoDomain *self);
VireoDomainState         vireo_domain_get_state         (VireoDomain *self);
const char              *vireo_domain_get_state_reason  (VireoDomain *self);
gboolean                 vireo_domain_is_active         (VireoDomain *self);
gboolean                 vireo_domain_has_pending_changes (VireoDomain *self);
const char              *vireo_domain_get_config_problem (VireoDomain *self);
const char * const      *vireo_domain_get_guest_addresses (VireoDomain *self);
void                     vireo_domain_refresh_addresses_async  (VireoDomain         *self,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
gboolean                 vireo_domain_refresh_addresses_finish (VireoDomain         *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);
const char              *vireo_domain_get_guest_os      (VireoDomain *self);
gboolean                 vireo_domain_get_guest_traffic (VireoDomain *self,
                                                         guint64     *rx_bytes,
                                                         guint64     *tx_bytes,
                                                         gint64      *time_us);
char                    *vireo_domain_describe_guest    (VireoDomain *self);
gint64                   vireo_domain_get_started_at    (VireoDomain *self);
void                     vireo_domain_refresh_state     (VireoDomain *self);

void     vireo_domain_start_async        (VireoDomain         *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean vireo_domain_start_finish       (VireoDomain         *self,
                                          GAsyncResult        *result,
                                          GError             **error);
const char *vireo_domain_get_start_note  (VireoDomain         *self);
void     vireo_domain_shutdown_async     (VireoDomain         *self,
                                          guint                timeout_seconds,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean vireo_domain_shutdown_finish    (VireoDomain         *self,
                                          GAsyncResult        *result,
                                          GError             **error);
void     vireo_domain_destroy_async      (VireoDomain         *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean vireo_domain_destroy_finish     (VireoDomain         *self,
                                          GAsyncResult        *result,
                                          GError             **error);

void     vireo_domain_action_async       (VireoDomain         *self,
                                          VireoDomainAction    action,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean vireo_domain_action_finish      (VireoDomain         *self,
                                          GAsyncResult        *result,
                                          GError             **error);
gboolean vireo_domain_operation_finish   (VireoDomain         *self,
                                          GAsyncResult        *result,
                                          GError             **error);
void     vireo_domain_change_media_async (VireoDomain         *self,
                                          const char          *target,
                                          const char          *path,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean vireo_domain_change_media_finish (VireoDomain        *self,
                                           GAsyncResult       *result,
                                           GError            **error);
void     vireo_domain_attach_disk_async  (VireoDomain            *self,
                                          const VireoDiskRequest *request,
                                          VireoJob              **job,
                                          GCancellable           *cancellable,
                                          GAsyncReadyCallback     callback,
                                          gpointer                user_data);
char    *vireo_domain_attach_disk_finish (VireoDomain            *self,
                                          GAsyncResult           *result,
                                          GError                **error);
void     vireo_domain_detach_disk_async  (VireoDomain            *self,
                                          const char             *target,
                                          gboolean                remove_storage,
                                          GCancellable           *cancellable,
                                          GAsyncReadyCallback     callback,
                                          gpointer                user_data);
gboolean vireo_domain_detach_disk_finish (VireoDomain            *self,
                                          GAsyncResult           *result,
                                          GError                **error);
void     vireo_domain_clone_async        (VireoDomain              *source,
                                          const VireoCloneOptions  *options,
                                          VireoJob                **job,
                                          GCancellable             *cancellable,
                                          GAsyncReadyCallback       callback,
                                          gpointer                  user_data);
VireoDomain *vireo_domain_clone_finish   (VireoDomain         *source,
                                          GAsyncResult        *result,
                                          GError             **error);
void     vireo_domain_screenshot_async   (VireoDomain         *self,
                                          const char          *path,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean vireo_domain_screenshot_finish  (VireoDomain         *self,
                                          GAsyncResult        *result,
                                          GError             **error);
void     vireo_domain_get_stats_async    (VireoDomain         *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean vireo_domain_get_stats_finish   (VireoDomain         *self,
                                          GAsyncResult        *result,
                                          VireoDomainStats    *stats,
                                          GError             **error);
void     vireo_domain_open_console_async (VireoDomain         *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GSocketConnection *vireo_domain_open_console_finish (VireoDomain  *self,
                                                     GAsyncResult *result,
                                                     GError      **error);
void     vireo_domain_open_display_async (VireoDomain         *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GSocketConnection *vireo_domain_open_display_finish (VireoDomain  *self,
                                                     GAsyncResult *result,
                                                     GError      **error);

void     vireo_stats_set_interval        (guint                interval_ms);
void     vireo_domain_watch_stats        (VireoDomain         *self);
void     vireo_domain_unwatch_stats      (VireoDomain         *self);
gboolean vireo_domain_get_load           (VireoDomain         *self,
                                          VireoDomainLoad     *load);
guint    vireo_domain_get_cpu_history    (VireoDomain         *self,
                                          double              *samples,
                                          guint                n_samples);
gint64   vireo_domain_get_uptime         (VireoDomain         *self);

void     vireo_domain_read_log_tail_async  (VireoDomain         *self,
                                            guint                n_lines,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
char    *vireo_domain_read_log_tail_finish (VireoDomain         *self,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
