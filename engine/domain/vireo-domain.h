/* vireo-domain.h: one VM, its state and its lifecycle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vireo-domain-config.h"

G_BEGIN_DECLS

typedef enum {
  VIREO_DOMAIN_STATE_SHUTOFF,
  VIREO_DOMAIN_STATE_STARTING,
  VIREO_DOMAIN_STATE_RUNNING,
  VIREO_DOMAIN_STATE_PAUSED,
  VIREO_DOMAIN_STATE_SHUTTING_DOWN,
  VIREO_DOMAIN_STATE_CRASHED,
} VireoDomainState;

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

#define VIREO_TYPE_DOMAIN (vireo_domain_get_type ())

G_DECLARE_FINAL_TYPE (VireoDomain, vireo_domain, VIREO, DOMAIN, GObject)

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
