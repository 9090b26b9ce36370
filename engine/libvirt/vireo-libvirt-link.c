/* vireo-libvirt-link.c: one libvirt connection and what listens on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opened in a worker: the authentication, keepalive (5 s, 3 misses), the
 * close callback that tells a lost link, and the lifecycle events (of
 * VMs and of networks) that rows follow.  The callbacks run on the main thread (libvirt's GLib event
 * loop) and hold the backend weakly, with the generation of the link: a
 * late event of a link the backend has replaced is dropped.
 */
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"

typedef struct {
  GWeakRef backend;
  guint generation;
} Target;

static Target *
target_new (VireoLibvirtBackend *backend,
            guint                generation)
{
  Target *target = g_new0 (Target, 1);

  g_weak_ref_init (&target->backend, backend);
  target->generation = generation;
  return target;
}

static void
target_free (void *data)
{
  Target *target = data;

  g_weak_ref_clear (&target->backend);
  g_free (target);
}

/* Returns: (transfer full) (nullable): the backend, if @target is its
 *   current link */
static VireoLibvirtBackend *
target_get (Target *target)
{
  VireoLibvirtBackend *backend = g_weak_ref_get (&target->backend);

  if (backend != NULL && _vireo_libvirt_backend_get_generation (backend) != target->generation)
    g_clear_object (&backend);
  return backend;
}

static int
on_lifecycle (virConnectPtr  conn,
              virDomainPtr   dom,
              int            event,
              int            detail,
              void          *opaque)
{
  g_autoptr(VireoLibvirtBackend) backend = target_get (opaque);

  if (backend != NULL)
    _vireo_libvirt_backend_event (backend, dom, event, detail);
  return 0;
}

static void
on_network_lifecycle (virConnectPtr  conn,
                      virNetworkPtr  net,
                      int            event,
                      int            detail,
                      void          *opaque)
{
  g_autoptr(VireoLibvirtBackend) backend = target_get (opaque);

  if (backend != NULL)
    _vireo_libvirt_backend_network_event (backend, net, event);
}

static void
on_closed (virConnectPtr  conn,
           int            reason,
           void          *opaque)
{
  g_autoptr(VireoLibvirtBackend) backend = target_get (opaque);

  if (backend == NULL)
    return;
  switch (reason)
    {
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
      _vireo_libvirt_backend_lost (backend, _("the host stopped answering"));
      break;
    case VIR_CONNECT_CLOSE_REASON_EOF:
      _vireo_libvirt_backend_lost (backend, _("the host closed the connection"));
      break;
    default:
      _vireo_libvirt_backend_lost (backend, _("the connection failed"));
    }
}

/* No credentials are asked yet (askpass will answer ssh's questions):
 * whatever libvirt asks for is refused, and the open fails in one line */
static int
refuse_credentials (virConnectCredentialPtr cred,
                    unsigned int            ncred,
                    void                   *cbdata)
{
  return -1;
}

static int credential_types[] = {
  VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE, VIR_CRED_ECHOPROMPT, VIR_CRED_NOECHOPROMPT,
};

static virConnectAuth auth = {
  credential_types, G_N_ELEMENTS (credential_types), refuse_credentials, NULL,
};

/**
 * _vireo_libvirt_link_open:
 * In a worker.
 */
VireoLibvirtLink *
_vireo_libvirt_link_open (VireoLibvirtBackend  *self,
                          const char           *uri,
                          const char           *open_uri,
                          guint                 generation,
                          GError              **error)
{
  g_autofree char *what = g_strdup_printf (_("Host '%s'"), uri);
  VireoLibvirtLink *link = g_new0 (VireoLibvirtLink, 1);

  link->lifecycle_id = -1;
  link->network_lifecycle_id = -1;
  _vireo_libvirt_count_call (self);
  link->conn = virConnectOpenAuth (open_uri, &auth, 0);
  if (link->conn == NULL)
    {
      g_propagate_error (error, _vireo_libvirt_error (what));
      g_free (link);
      return NULL;
    }
  /* only remote links have keepalive; the others cannot be lost */
  if (virConnectSetKeepAlive (link->conn, 5, 3) < 0)
    virResetLastError ();
  /* the link owns this target: drivers that never call back (the test
   * driver) take it without keeping it, so would never free it; the
   * callback runs under libvirt's lock, which unregistering takes */
  link->close_target = target_new (self, generation);
  link->close_registered =
    virConnectRegisterCloseCallback (link->conn, on_closed, link->close_target, NULL) == 0;
  if (!link->close_registered)
    virResetLastError ();
  link->lifecycle_id =
    virConnectDomainEventRegisterAny (link->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                      VIR_DOMAIN_EVENT_CALLBACK (on_lifecycle),
                                      target_new (self, generation), target_free);
  if (link->lifecycle_id < 0)
    {
      g_propagate_error (error, _vireo_libvirt_error (what));
      _vireo_libvirt_link_close (link);
      return NULL;
    }
  /* a host without a network driver has no networks: not an error */
  link->network_lifecycle_id =
    virConnectNetworkEventRegisterAny (link->conn, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                       VIR_NETWORK_EVENT_CALLBACK (on_network_lifecycle),
                                       target_new (self, generation), target_free);
  if (link->network_lifecycle_id < 0)
    {
      g_debug ("%s: no network events: %s", uri, virGetLastErrorMessage ());
      virResetLastError ();
    }
  return link;
}

/**
 * _vireo_libvirt_link_close:
 * In a worker: the listeners hold the connection, so they go first.
 */
void
_vireo_libvirt_link_close (VireoLibvirtLink *link)
{
  if (link->lifecycle_id >= 0)
    virConnectDomainEventDeregisterAny (link->conn, link->lifecycle_id);
  if (link->network_lifecycle_id >= 0)
    virConnectNetworkEventDeregisterAny (link->conn, link->network_lifecycle_id);
  if (link->close_registered)
    virConnectUnregisterCloseCallback (link->conn, on_closed);
  virResetLastError ();
  virConnectClose (link->conn);
  target_free (link->close_target);
  g_free (link);
}
