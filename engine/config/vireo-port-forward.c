/* vireo-port-forward.c: host ports forwarded into user-mode NICs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A forward is QEMU's hostfwd rule of a -netdev user: the slirp stack
 * listens on the host and hands each connection to the guest.  Two
 * forwards are the same rule when protocol, host address and host port
 * agree (that is what the host binds, and what hostfwd_remove names).
 * The text form users type, and the one vireoctl prints, is
 * PROTO:[ADDRESS:]HOSTPORT:GUESTPORT.
 */

#include <arpa/inet.h>
#include <string.h>

#include "vireo-domain-config.h"
#include "vireo-domain-config-private.h"
#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"

#define PORT_MAX 65535

/**
 * vireo_port_forward_new:
 * @address: (nullable): the host address; %NULL for
 *   %VIREO_FORWARD_DEFAULT_ADDRESS
 *
 * Returns: (transfer full): a forward, not checked yet
 *   (vireo_port_forward_check())
 */
VireoPortForward *
vireo_port_forward_new (VireoForwardProtocol protocol,
                        const char          *address,
                        guint                host_port,
                        guint                guest_port)
{
  VireoPortForward *forward = g_new0 (VireoPortForward, 1);

  forward->protocol = protocol;
  forward->address = g_strdup (address ? address : VIREO_FORWARD_DEFAULT_ADDRESS);
  forward->host_port = host_port;
  forward->guest_port = guest_port;
  return forward;
}

VireoPortForward *
vireo_port_forward_copy (const VireoPortForward *forward)
{
  return vireo_port_forward_new (forward->protocol, forward->address,
                                 forward->host_port, forward->guest_port);
}

void
vireo_port_forward_free (VireoPortForward *forward)
{
  if (forward == NULL)
    return;
  g_free (forward->address);
  g_free (forward);
}

/**
 * vireo_port_forward_same_rule:
 * Returns: whether @a and @b listen on the same host socket (protocol,
 *   address and host port); the guest port does not count
 */
gboolean
vireo_port_forward_same_rule (const VireoPortForward *a,
                              const VireoPortForward *b)
{
  return a->protocol == b->protocol && a->host_port == b->host_port &&
         g_strcmp0 (a->address, b->address) == 0;
}

const char *
vireo_forward_protocol_to_string (VireoForwardProtocol protocol)
{
  return protocol == VIREO_FORWARD_UDP ? "udp" : "tcp";
}

gboolean
vireo_forward_protocol_from_string (const char           *text,
                                    VireoForwardProtocol *protocol)
{
  if (g_strcmp0 (text, "tcp") == 0)
    *protocol = VIREO_FORWARD_TCP;
  else if (g_strcmp0 (text, "udp") == 0)
    *protocol = VIREO_FORWARD_UDP;
  else
    return FALSE;
  return TRUE;
}

/**
 * vireo_port_forward_to_hostfwd:
 * Returns: (transfer full): QEMU's hostfwd rule, "tcp:127.0.0.1:2222-:22"
 */
char *
vireo_port_forward_to_hostfwd (const VireoPortForward *forward)
{
  return g_strdup_printf ("%s:%s:%u-:%u", vireo_forward_protocol_to_string (forward->protocol),
                          forward->address, forward->host_port, forward->guest_port);
}

/**
 * vireo_port_forward_describe:
 * Returns: (transfer full): the forward as users write it,
 *   "tcp:127.0.0.1:2222:22" (vireo_port_forward_parse() reads it back)
 */
char *
vireo_port_forward_describe (const VireoPortForward *forward)
{
  return g_strdup_printf ("%s:%s:%u:%u", vireo_forward_protocol_to_string (forward->protocol),
                          forward->address, forward->host_port, forward->guest_port);
}

static gboolean
is_ipv4 (const char *address)
{
  struct in_addr addr;

  return address != NULL && inet_pton (AF_INET, address, &addr) == 1;
}

static gboolean
parse_port (const char *text,
            guint      *port)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, PORT_MAX, &value, NULL))
    return FALSE;
  *port = (guint) value;
  return TRUE;
}

/**
 * vireo_port_forward_parse:
 * @spec: "PROTO:[ADDRESS:]HOSTPORT:GUESTPORT" ("tcp:2222:22"), or with
 *   @with_guest %FALSE "PROTO:[ADDRESS:]HOSTPORT", which names a rule to
 *   remove (its guest port is then 0)
 *
 * The one reader of the forwards users type, for every front end.
 *
 * Returns: (transfer full) (nullable): the forward, checked, or %NULL
 *   with %VIREO_ERROR_INVALID_CONFIG naming @spec
 */
VireoPortForward *
vireo_port_forward_parse (const char  *spec,
                          gboolean     with_guest,
                          GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", -1);
  guint n = g_strv_length (parts);
  guint ports = with_guest ? 2 : 1;
  g_autoptr(VireoPortForward) forward = g_new0 (VireoPortForward, 1);

  if ((n == ports + 1 || n == ports + 2) &&
      vireo_forward_protocol_from_string (parts[0], &forward->protocol) &&
      parse_port (parts[n - ports], &forward->host_port) &&
      (!with_guest || parse_port (parts[n - 1], &forward->guest_port)) &&
      (n == ports + 1 || is_ipv4 (parts[1])))
    {
      forward->address = g_strdup (n == ports + 2 ? parts[1] : VIREO_FORWARD_DEFAULT_ADDRESS);
      return g_steal_pointer (&forward);
    }
  if (with_guest)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("'%s' is not a port forward: write PROTO:[ADDRESS:]HOSTPORT:GUESTPORT, "
                   "with PROTO tcp or udp and ports 1-65535 (tcp:2222:22)"), spec);
  else
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                 _("'%s' names no port forward: write PROTO:[ADDRESS:]HOSTPORT, "
                   "with PROTO tcp or udp and a port 1-65535 (tcp:2222)"), spec);
  return NULL;
}

/**
 * vireo_port_forward_check:
 * @vm_name: the VM, for the message
 *
 * Returns: whether @forward's ports are 1-65535 and its address an IPv4
 *   literal; %VIREO_ERROR_INVALID_CONFIG otherwise
 */
gboolean
vireo_port_forward_check (const VireoPortForward *forward,
                          const char             *vm_name,
                          GError                **error)
{
  if (forward->host_port < 1 || forward->host_port > PORT_MAX ||
      forward->guest_port < 1 || forward->guest_port > PORT_MAX)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': port forward %u to %u: ports must be between 1 and 65535"),
                   vm_name, forward->host_port, forward->guest_port);
      return FALSE;
    }
  if (!is_ipv4 (forward->address))
    {
      g_autofree char *shown = g_strescape (forward->address ? forward->address : "", NULL);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("VM '%s': port forward address '%s' is not an IPv4 address"),
                   vm_name, shown);
      return FALSE;
    }
  return TRUE;
}

/**
 * vireo_nic_config_find_forward:
 * Returns: (transfer none) (nullable): @nic's forward that is the same
 *   rule as @rule (vireo_port_forward_same_rule())
 */
VireoPortForward *
vireo_nic_config_find_forward (const VireoNicConfig    *nic,
                               const VireoPortForward *rule)
{
  for (guint i = 0; i < nic->forwards->len; i++)
    {
      VireoPortForward *forward = g_ptr_array_index (nic->forwards, i);

      if (vireo_port_forward_same_rule (forward, rule))
        return forward;
    }
  return NULL;
}

/**
 * vireo_domain_config_lookup_nic:
 * @mac: in any case
 *
 * Returns: (transfer none) (nullable): the NIC with MAC @mac
 */
VireoNicConfig *
vireo_domain_config_lookup_nic (const VireoDomainConfig *config,
                                const char              *mac)
{
  for (guint i = 0; mac && i < config->nics->len; i++)
    {
      VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      if (g_ascii_strcasecmp (nic->mac, mac) == 0)
        return nic;
    }
  return NULL;
}

/**
 * vireo_domain_config_first_user_nic:
 * Returns: (transfer none) (nullable): the first user-mode NIC, where
 *   forwards go unless a MAC is named
 */
VireoNicConfig *
vireo_domain_config_first_user_nic (const VireoDomainConfig *config)
{
  for (guint i = 0; i < config->nics->len; i++)
    {
      VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      if (nic->type == VIREO_NET_USER)
        return nic;
    }
  return NULL;
}

/* Is @forward the same rule as one before it, on any NIC? */
static gboolean
is_repeated (const VireoDomainConfig *config,
             const VireoPortForward  *forward)
{
  for (guint i = 0; i < config->nics->len; i++)
    {
      const VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      for (guint j = 0; j < nic->forwards->len; j++)
        {
          const VireoPortForward *other = g_ptr_array_index (nic->forwards, j);

          if (other == forward)
            return FALSE;
          if (vireo_port_forward_same_rule (other, forward))
            return TRUE;
        }
    }
  return FALSE;
}

/* The forwards' rules, for vireo_domain_config_validate(): each one
 * sound, on a user-mode NIC (a tap has no slirp to forward), and no host
 * socket taken twice. */
gboolean
_vireo_domain_config_validate_forwards (const VireoDomainConfig *config,
                                        GError                 **error)
{
  for (guint i = 0; i < config->nics->len; i++)
    {
      const VireoNicConfig *nic = g_ptr_array_index (config->nics, i);

      for (guint j = 0; j < nic->forwards->len; j++)
        {
          const VireoPortForward *forward = g_ptr_array_index (nic->forwards, j);

          if (!vireo_port_forward_check (forward, config->name, error))
            return FALSE;
          if (nic->type != VIREO_NET_USER)
            {
              g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                           _("VM '%s': interface %s is not user-mode, so it cannot forward host port %u"),
                           config->name, nic->mac, forward->host_port);
              return FALSE;
            }
          if (is_repeated (config, forward))
            {
              g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                           _("VM '%s': %s port %s:%u is forwarded twice"), config->name,
                           vireo_forward_protocol_to_string (forward->protocol),
                           forward->address, forward->host_port);
              return FALSE;
            }
        }
    }
  return TRUE;
}
