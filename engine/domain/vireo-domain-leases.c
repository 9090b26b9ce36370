/* vireo-domain-leases.c: a running VM's addresses from its networks' DHCP leases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * dnsmasq's lease file belongs to vireo-net (root, and outside a
 * Flatpak's sandbox), so the leases are asked for through VireoNetClient
 * on a worker thread, and matched to the VM's NICs by MAC.  What they
 * give joins what the guest agent says (_vireo_local_domain_merge_addresses).
 */
#include "vireo-domain-policy.h"
#include "vireo-error.h"
#include "vireo-local-domain-private.h"
#include "vireo-net-client.h"
#include "vireo-network-private.h"

/* how often a running VM's leases are looked up by the stats monitor:
 * often until one is known, then now and then (a lease rarely moves) */
#define LEASE_POLL_UNKNOWN_US (2 * G_USEC_PER_SEC)
#define LEASE_POLL_KNOWN_US   (15 * G_USEC_PER_SEC)

typedef struct {
  const VireoPaths *paths;        /* borrowed: the engine outlives its VMs */
  GPtrArray *nics;                /* (element-type VireoNicConfig) on networks */
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_ptr_array_unref (lookup->nics);
  g_free (lookup);
}

static guint
network_prefix (GPtrArray  *loaded,
                const char *name)
{
  for (guint i = 0; loaded && i < loaded->len; i++)
    {
      const VireoNetworkLoaded *item = g_ptr_array_index (loaded, i);

      if (g_str_equal (item->config->name, name))
        return item->config->prefix;
    }
  return 32;
}

/* adds "IP/PREFIX" for each lease of @network whose MAC is a NIC's */
static void
add_matches (Lookup       *lookup,
             GPtrArray    *leases,
             const char   *network,
             guint         prefix,
             GStrvBuilder *builder)
{
  for (guint i = 0; i < leases->len; i++)
    {
      const VireoNetLease *lease = g_ptr_array_index (leases, i);

      for (guint j = 0; j < lookup->nics->len; j++)
        {
          const VireoNicConfig *nic = g_ptr_array_index (lookup->nics, j);

          if (g_str_equal (nic->network, network) && g_ascii_strcasecmp (nic->mac, lease->mac) == 0)
            {
              g_autofree char *text = g_strdup_printf ("%s/%u", lease->ip, prefix);
              g_strv_builder_add (builder, text);
            }
        }
    }
}

static void
lookup_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Lookup *lookup = task_data;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) done = g_ptr_array_new ();
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(VireoNetClient) client = NULL;
  GError *error = NULL;

  client = vireo_net_client_new (&error);
  if (client == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  loaded = _vireo_network_store_read (lookup->paths, NULL);
  for (guint i = 0; i < lookup->nics->len; i++)
    {
      const VireoNicConfig *nic = g_ptr_array_index (lookup->nics, i);
      g_autoptr(GPtrArray) leases = NULL;

      if (g_ptr_array_find_with_equal_func (done, nic->network, g_str_equal, NULL))
        continue;
      g_ptr_array_add (done, nic->network);
      /* a network that stopped has no leases: the others still count */
      leases = vireo_net_client_leases (client, nic->network, NULL);
      if (leases != NULL)
        add_matches (lookup, leases, nic->network, network_prefix (loaded, nic->network), builder);
    }
  g_task_return_pointer (task, g_strv_builder_end (builder), (GDestroyNotify) g_strfreev);
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  VireoLocalDomain *self = VIREO_LOCAL_DOMAIN (source);
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_auto(GStrv) addresses = g_task_propagate_pointer (G_TASK (result), &error);

  self->leases_in_flight = FALSE;
  self->leases_time = g_get_monotonic_time ();
  if (addresses == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* it may have stopped meanwhile: a stopped VM has no address */
  if (vireo_domain_can (VIREO_DOMAIN (self), VIREO_DOMAIN_OP_STATS))
    {
      g_strfreev (self->lease_addresses);
      self->lease_addresses = addresses[0] ? g_steal_pointer (&addresses) : NULL;
      _vireo_local_domain_merge_addresses (self);
    }
  g_task_return_boolean (task, TRUE);
}

static GPtrArray *
network_nics (VireoLocalDomain *self)
{
  const VireoDomainConfig *config = self->live_config ? self->live_config : VIREO_DOMAIN (self)->config;
  GPtrArray *nics = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_nic_config_free);

  for (guint i = 0; config && i < config->nics->len; i++)
    {
      const VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      if (nic->type == VIREO_NET_NETWORK && nic->network != NULL && nic->mac != NULL)
        g_ptr_array_add (nics, vireo_nic_config_new (VIREO_NET_NETWORK, nic->network, nic->mac));
    }
  return nics;
}

/* Looks up the DHCP leases of a running VM's virtual networks now
 * (vireo_domain_refresh_addresses_async()). */
static void
local_domain_refresh_addresses_async (VireoDomain         *domain,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  VireoLocalDomain *self = VIREO_LOCAL_DOMAIN (domain);
  GTask *task = g_task_new (domain, cancellable, callback, user_data);
  g_autoptr(GTask) lookup_task = NULL;
  Lookup *lookup;

  g_task_set_source_tag (task, local_domain_refresh_addresses_async);
  lookup = g_new0 (Lookup, 1);
  lookup->paths = self->paths;
  lookup->nics = network_nics (self);
  if (lookup->nics->len == 0 || !vireo_domain_can (domain, VIREO_DOMAIN_OP_STATS))
    {
      lookup_free (lookup);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  self->leases_in_flight = TRUE;
  lookup_task = g_task_new (domain, cancellable, on_looked_up, task);
  g_task_set_task_data (lookup_task, lookup, (GDestroyNotify) lookup_free);
  g_task_run_in_thread (lookup_task, lookup_in_thread);
}

static gboolean
local_domain_refresh_addresses_finish (VireoDomain   *domain,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, domain), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, local_domain_refresh_addresses_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_vireo_local_domain_class_init_leases (VireoDomainClass *klass)
{
  klass->refresh_addresses_async = local_domain_refresh_addresses_async;
  klass->refresh_addresses_finish = local_domain_refresh_addresses_finish;
}

/* From the stats monitor's tick, for a running VM that someone watches. */
void
_vireo_local_domain_poll_leases (VireoLocalDomain *self)
{
  VireoDomain *domain = VIREO_DOMAIN (self);
  /* a guest that asks for no lease (a static address, no DHCP client)
   * is asked about less often after its first minute */
  gint64 wait = self->lease_addresses || self->leases_polls >= 30 ? LEASE_POLL_KNOWN_US : LEASE_POLL_UNKNOWN_US;

  if (self->leases_in_flight || g_get_monotonic_time () - self->leases_time < wait)
    return;
  if (domain->config != NULL && vireo_domain_config_uses_networks (domain->config))
    {
      self->leases_polls++;
      vireo_domain_refresh_addresses_async (domain, NULL, NULL, NULL);
    }
}
