/* vireo-libvirt-private.h: what the files of engine/libvirt/ share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Threads: no libvirt call runs on the main thread.  Each host has a
 * pool of two worker threads (_vireo_libvirt_run()); a job takes its own
 * reference on the connection and the domain, so a reconnect never pulls
 * them from under it.  libvirt's events arrive on the main thread: the
 * default event implementation is GLib's default main context.
 */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "vireo-backend-private.h"
#include "vireo-domain-private.h"
#include "vireo-libvirt-backend.h"
#include "vireo-network-private.h"

G_BEGIN_DECLS

/* What a worker read of one domain, applied on the main thread */
typedef struct {
  virDomainPtr dom;         /* owned */
  char uuid[VIR_UUID_STRING_BUFLEN];
  char *name;
  char *xml;                /* inactive definition */
  int state;                /* virDomainState */
  int reason;
  gboolean persistent;
  guint64 stamp;            /* the host's event count when the read began */
} VireoLibvirtRecord;

/* What a listing of a host's VMs reads of each at once */
typedef struct {
  int state;
  int reason;
  gboolean persistent;
} VireoLibvirtKnown;

void      _vireo_libvirt_record_free   (VireoLibvirtRecord *record);
VireoLibvirtRecord *_vireo_libvirt_record_read (virDomainPtr             dom,
                                                const VireoLibvirtKnown *known,
                                                GError                 **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoLibvirtRecord, _vireo_libvirt_record_free)

VireoDomainConfig *_vireo_libvirt_summary (const VireoLibvirtRecord *record);

/* libvirt's last error in this thread, as one line about @what */
GError   *_vireo_libvirt_error          (const char   *what);
char     *_vireo_libvirt_text           (const char   *text,
                                         gsize         max);
void      _vireo_libvirt_init_once      (void);

/* Workers */
void           _vireo_libvirt_run       (VireoLibvirtBackend *self,
                                         GTask               *task,
                                         GTaskThreadFunc      func);
gboolean       _vireo_libvirt_check_connected (VireoLibvirtBackend *self,
                                               GError             **error);
virConnectPtr  _vireo_libvirt_get_conn  (VireoLibvirtBackend *self,
                                         GError             **error);
void           _vireo_libvirt_count_call (VireoLibvirtBackend *self);
VireoLibvirtBackend *_vireo_libvirt_worker_backend (void);

void      _vireo_libvirt_backend_class_init_define (VireoBackendClass *klass);
void      _vireo_libvirt_backend_class_init_create (VireoBackendClass *klass);
gboolean  _vireo_libvirt_backend_files_here (VireoLibvirtBackend *self);

/* storage pools and volumes (vireo-libvirt-storage.c), worker threads only */
virStoragePoolPtr _vireo_libvirt_find_pool  (virConnectPtr      conn,
                                             const char        *near,
                                             const char        *vm,
                                             const char        *host,
                                             GError           **error);
void      _vireo_libvirt_volume_describe    (virStorageVolPtr   volume,
                                             char             **format,
                                             gboolean          *backed);
char     *_vireo_libvirt_volume_format      (virConnectPtr      conn,
                                             const char        *path,
                                             gboolean          *found,
                                             gboolean          *backed);
char     *_vireo_libvirt_make_volume        (virStoragePoolPtr  pool,
                                             const char        *stem,
                                             const char        *suffix,
                                             guint64            capacity,
                                             const char        *format,
                                             const char        *vm,
                                             GError           **error);
gboolean  _vireo_libvirt_delete_volume      (virConnectPtr      conn,
                                             const char        *path,
                                             const char        *what,
                                             GError           **error);
char     *_vireo_libvirt_place_image        (virConnectPtr      conn,
                                             const char        *path,
                                             gboolean           files_here,
                                             const char        *near,
                                             const char        *vm,
                                             const char        *host,
                                             gboolean          *uploaded,
                                             VireoJob          *job,
                                             GCancellable      *cancellable,
                                             GError           **error);
char     *_vireo_libvirt_upload             (virConnectPtr      conn,
                                             virStoragePoolPtr  pool,
                                             const char        *local,
                                             const char        *stem,
                                             const char        *suffix,
                                             gboolean           shared,
                                             gboolean          *uploaded,
                                             const char        *vm,
                                             VireoJob          *job,
                                             GCancellable      *cancellable,
                                             GError           **error);

/* Rows */
void      _vireo_libvirt_backend_apply  (VireoLibvirtBackend *self,
                                         VireoLibvirtRecord  *record);
void      _vireo_libvirt_backend_forget (VireoLibvirtBackend *self,
                                         const char          *uuid);
void      _vireo_libvirt_backend_refetch (VireoLibvirtBackend *self,
                                          virDomainPtr         dom);

/* One connection and what listens on it (vireo-libvirt-link.c): opened
 * and closed in a worker; its callbacks run on the main thread and are
 * dropped once the backend has moved to a newer link (@generation) */
typedef struct {
  virConnectPtr conn;
  int lifecycle_id;           /* -1: none */
  int network_lifecycle_id;   /* -1: none (a host without networks) */
  gboolean close_registered;
  gpointer close_target;      /* what the close callback is given */
} VireoLibvirtLink;

VireoLibvirtLink *_vireo_libvirt_link_open  (VireoLibvirtBackend *self,
                                             const char          *uri,
                                             const char          *open_uri,
                                             guint                generation,
                                             GError             **error);
void      _vireo_libvirt_link_close        (VireoLibvirtLink    *link);
guint     _vireo_libvirt_backend_get_generation (VireoLibvirtBackend *self);
void      _vireo_libvirt_backend_lost      (VireoLibvirtBackend *self,
                                            const char          *why);
void      _vireo_libvirt_backend_event     (VireoLibvirtBackend *self,
                                            virDomainPtr         dom,
                                            int                  event,
                                            int                  detail);

/* VMs (vireo-libvirt-domain.c) */
#define VIREO_TYPE_LIBVIRT_DOMAIN (vireo_libvirt_domain_get_type ())
G_DECLARE_FINAL_TYPE (VireoLibvirtDomain, vireo_libvirt_domain, VIREO, LIBVIRT_DOMAIN, VireoDomain)

VireoDomain  *_vireo_libvirt_domain_new     (VireoLibvirtBackend *backend,
                                             VireoLibvirtRecord  *record);
void          _vireo_libvirt_domain_update  (VireoLibvirtDomain  *self,
                                             VireoLibvirtRecord  *record);
void          _vireo_libvirt_domain_event   (VireoLibvirtDomain  *self,
                                             int                  event,
                                             int                  detail);
virDomainPtr  _vireo_libvirt_domain_ref_dom (VireoLibvirtDomain  *self);
gboolean      _vireo_libvirt_domain_is_persistent (VireoLibvirtDomain *self);
const char   *_vireo_libvirt_domain_get_xml (VireoLibvirtDomain *self);
void          _vireo_libvirt_domain_applied_live (VireoLibvirtDomain *self,
                                                  const char         *before);
guint64       _vireo_libvirt_backend_get_stamp (VireoLibvirtBackend *self);
double        _vireo_libvirt_domain_take_cpu (VireoLibvirtDomain *self,
                                              guint64             cpu_time_ns,
                                              gint64              now_us);

void      _vireo_libvirt_domain_class_init_console (VireoDomainClass *klass);
void      _vireo_libvirt_domain_class_init_snapshots (VireoDomainClass *klass);
void      _vireo_libvirt_domain_class_init_media (VireoDomainClass *klass);
void      _vireo_libvirt_domain_class_init_disks (VireoDomainClass *klass);
void      _vireo_libvirt_domain_class_init_clone (VireoDomainClass *klass);
void      _vireo_libvirt_domain_class_init_screenshot (VireoDomainClass *klass);

/* Networks (vireo-libvirt-network.c, vireo-libvirt-networks.c) */
typedef struct {
  char uuid[VIR_UUID_STRING_BUFLEN];
  char *name;
  char *xml;                  /* inactive definition */
  gboolean active;
  gboolean autostart;
  guint64 stamp;              /* the host's network event count when the read began */
} VireoLibvirtNetRecord;

void      _vireo_libvirt_net_record_free (VireoLibvirtNetRecord *record);
VireoLibvirtNetRecord *_vireo_libvirt_net_record_read (virNetworkPtr   net,
                                                       GError        **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoLibvirtNetRecord, _vireo_libvirt_net_record_free)

#define VIREO_TYPE_LIBVIRT_NETWORK (vireo_libvirt_network_get_type ())
G_DECLARE_FINAL_TYPE (VireoLibvirtNetwork, vireo_libvirt_network, VIREO, LIBVIRT_NETWORK, VireoNetwork)

VireoNetwork *_vireo_libvirt_network_new    (VireoLibvirtBackend   *backend,
                                             VireoLibvirtNetRecord *record);
gboolean      _vireo_libvirt_network_update (VireoLibvirtNetwork   *self,
                                             VireoLibvirtNetRecord *record);
const char   *_vireo_libvirt_network_get_uuid (VireoLibvirtNetwork *self);
void          _vireo_libvirt_network_set_event_stamp (VireoLibvirtNetwork *self,
                                                      guint64              stamp);

GPtrArray *_vireo_libvirt_list_networks  (VireoLibvirtBackend *self,
                                          virConnectPtr        conn,
                                          guint64              stamp);
void      _vireo_libvirt_backend_apply_networks (VireoLibvirtBackend *self,
                                                 GPtrArray           *records);
void      _vireo_libvirt_backend_apply_network  (VireoLibvirtBackend   *self,
                                                 VireoLibvirtNetRecord *record);
void      _vireo_libvirt_backend_forget_network (VireoLibvirtBackend *self,
                                                 const char          *uuid);
void      _vireo_libvirt_backend_network_event  (VireoLibvirtBackend *self,
                                                 virNetworkPtr        net,
                                                 int                  event);
guint64   _vireo_libvirt_backend_next_net_stamp (VireoLibvirtBackend *self,
                                                 gboolean             advance);
GHashTable *_vireo_libvirt_backend_get_net_gone (VireoLibvirtBackend *self);
void      _vireo_libvirt_backend_class_init_networks (VireoBackendClass *klass);

/* qemu+ssh hosts (vireo-libvirt-ssh.c) */
gboolean  _vireo_libvirt_is_ssh         (const char *uri);
char     *_vireo_libvirt_open_uri       (const char *uri);
GSocketConnection *_vireo_libvirt_ssh_display (const char  *uri,
                                               const char  *name,
                                               const char  *live_xml,
                                               GError     **error);
char     *_vireo_libvirt_read_live_xml  (virDomainPtr dom);

/* Stats, one call per host per interval (vireo-libvirt-stats.c) */
void      _vireo_libvirt_stats_request  (VireoLibvirtBackend *self,
                                         VireoLibvirtDomain  *domain,
                                         GTask               *task);

G_END_DECLS
