/* vireo-hosts.h: every host a window shows, and the saved connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This computer first, then the hosts the user saved (a keyfile in the
 * config folder: one group per host URI, with its title and whether it
 * connects at start), and one list of every VM of every host.
 */
#pragma once

#include <gio/gio.h>

#include "vireo-backend.h"

G_BEGIN_DECLS

/**
 * VireoHostFactory:
 * @uri: a saved host's URI, valid (vireo_hosts_check_uri())
 * @user_data: what vireo_hosts_set_factory() was given
 *
 * Makes the backend that reaches @uri, not yet connected.
 *
 * Returns: (transfer full) (nullable): a new backend whose URI is @uri,
 *   or %NULL with @error set (one line naming @uri)
 */
typedef VireoBackend *(*VireoHostFactory) (const char  *uri,
                                           gpointer     user_data,
                                           GError     **error);

/**
 * VireoSavedHost:
 * @uri: the host's URI, the group's name in the file
 * @title: (nullable): the name the user gave it
 * @autoconnect: whether vireo_hosts_connect_all() connects it
 * @backend: (nullable): its backend; %NULL when no factory is set or the
 *   factory failed
 * @error: (nullable): why the factory failed
 */
typedef struct {
  char *uri;
  char *title;
  gboolean autoconnect;
  VireoBackend *backend;
  GError *error;
} VireoSavedHost;

void vireo_saved_host_free (VireoSavedHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoSavedHost, vireo_saved_host_free)

#define VIREO_TYPE_HOSTS (vireo_hosts_get_type ())

G_DECLARE_FINAL_TYPE (VireoHosts, vireo_hosts, VIREO, HOSTS, GObject)

VireoHosts   *vireo_hosts_new            (VireoBackend      *local,
                                          const char        *file);
const char   *vireo_hosts_get_file       (VireoHosts        *self);
VireoBackend *vireo_hosts_get_local      (VireoHosts        *self);
GListModel   *vireo_hosts_get_backends   (VireoHosts        *self);
GListModel   *vireo_hosts_get_domains    (VireoHosts        *self);
VireoBackend *vireo_hosts_lookup         (VireoHosts        *self,
                                          const char        *uri);
void          vireo_hosts_set_factory    (VireoHosts        *self,
                                          VireoHostFactory   factory,
                                          gpointer           user_data);
gboolean      vireo_hosts_check_uri      (const char        *uri,
                                          GError           **error);

gboolean      vireo_hosts_load           (VireoHosts        *self,
                                          GError           **error);
GPtrArray    *vireo_hosts_get_load_errors (VireoHosts       *self);
GPtrArray    *vireo_hosts_list_saved     (VireoHosts        *self);
gboolean      vireo_hosts_add            (VireoHosts        *self,
                                          const char        *uri,
                                          const char        *title,
                                          gboolean           autoconnect,
                                          GError           **error);
gboolean      vireo_hosts_remove         (VireoHosts        *self,
                                          const char        *uri,
                                          GError           **error);
gboolean      vireo_hosts_rename         (VireoHosts        *self,
                                          const char        *uri,
                                          const char        *title,
                                          GError           **error);
void          vireo_hosts_connect_all    (VireoHosts        *self);

typedef struct _VireoLocalBackend VireoLocalBackend;
VireoHosts   *vireo_hosts_new_default    (VireoLocalBackend *local);

G_END_DECLS
