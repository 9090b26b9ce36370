/* vireo-qmp-client.h: an asynchronous QMP client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VIREO_TYPE_QMP_CLIENT (vireo_qmp_client_get_type ())

G_DECLARE_FINAL_TYPE (VireoQmpClient, vireo_qmp_client, VIREO, QMP_CLIENT, GObject)

VireoQmpClient *vireo_qmp_client_new              (GIOStream           *stream,
                                                   const char          *peer_name);
void            vireo_qmp_client_handshake_async  (VireoQmpClient      *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JsonObject     *vireo_qmp_client_handshake_finish (VireoQmpClient      *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void            vireo_qmp_client_send_async       (VireoQmpClient      *self,
                                                   JsonObject          *request,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JsonObject     *vireo_qmp_client_send_finish      (VireoQmpClient      *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void            vireo_qmp_client_execute_async    (VireoQmpClient      *self,
                                                   const char          *command,
                                                   JsonObject          *arguments,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JsonNode       *vireo_qmp_client_execute_finish   (VireoQmpClient      *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
JsonNode       *vireo_qmp_client_execute_sync     (VireoQmpClient      *self,
                                                   const char          *command,
                                                   JsonObject          *arguments,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
gboolean        vireo_qmp_client_is_closed        (VireoQmpClient      *self);
void            vireo_qmp_client_close            (VireoQmpClient      *self);

G_END_DECLS
