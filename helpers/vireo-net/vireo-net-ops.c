/* vireo-net-ops.c: start, stop, taps, status and leases of a network
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same operations behind the command line and D-Bus.  Each holds the
 * state lock.  A start checks everything it can before it makes anything,
 * then makes each part in turn; a failure takes down what was made, and
 * only that (a bridge is deleted only when it carries our alias).
 */
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-net-helper.h"

static gboolean
not_running (const char  *name,
             GError     **error)
{
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
               _("Network '%s' is not running"), name);
  return FALSE;
}

/* the params of a network vireo-net runs now: its folder and its bridge */
static VireoNetParams *
running_params (VnetState  *state,
                const char *name)
{
  g_autoptr(VireoNetParams) params = NULL;

  if (!vnet_state_has_network (state, name))
    return NULL;
  params = vnet_state_load_params (state, name, NULL);
  if (params == NULL || !g_str_equal (params->name, name) ||
      !vnet_bridge_is_ours (params->bridge, name))
    return NULL;
  return g_steal_pointer (&params);
}

/* whether another state folder than @name's claims @bridge: its
 * chains, named after the bridge, are then that network's as well */
static gboolean
bridge_claimed_by_other (VnetState  *state,
                         const char *name,
                         const char *bridge)
{
  g_auto(GStrv) names = vnet_state_list (state);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(VireoNetParams) other = NULL;

      if (g_str_equal (names[i], name))
        continue;
      other = vnet_state_load_params (state, names[i], NULL);
      if (other != NULL && g_str_equal (other->bridge, bridge))
        return TRUE;
    }
  return FALSE;
}

/* the chains of @bridge belong to @name only when its bridge is ours
 * (or gone) and no other network claims that bridge */
static gboolean
chains_are_ours (VnetState  *state,
                 const char *name,
                 const char *bridge)
{
  if (vnet_link_exists (bridge) && !vnet_bridge_is_ours (bridge, name))
    return FALSE;
  return !bridge_claimed_by_other (state, name, bridge);
}

/* takes down whatever of the network is there; the first failure is
 * reported, and the rest is still taken down */
static gboolean
teardown (VnetState   *state,
          const char  *name,
          const char  *bridge,
          GError     **error)
{
  g_autoptr(GError) first = NULL;
  GError **err = &first;
  gboolean dnsmasq_stopped = vnet_dnsmasq_stop (state, name, err);

  if (!dnsmasq_stopped)
    err = NULL;
  if (bridge != NULL && chains_are_ours (state, name, bridge) && !vnet_firewall_stop (bridge, err))
    err = NULL;
  if (bridge != NULL && !vnet_bridge_delete (bridge, name, err))
    err = NULL;
  /* a dnsmasq still running keeps its folder and pid file: it stays
   * ours to stop, at the next stop or start */
  if (dnsmasq_stopped && !vnet_state_remove_network (state, name, err))
    err = NULL;
  if (first == NULL)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
               _("Network '%s' was not taken down completely: %s"), name, first->message);
  return FALSE;
}

/* a network's folder without its bridge: a helper died, or the bridge
 * was deleted behind our back; what is left of it goes */
static void
clear_stale (VnetState  *state,
             const char *name)
{
  g_autoptr(VireoNetParams) old = vnet_state_load_params (state, name, NULL);

  teardown (state, name, old ? old->bridge : NULL, NULL);
}

/* the folders of networks that no longer run and claim @bridge (or are
 * @name's own) go, with what is left of them */
static void
clear_stale_claims (VnetState  *state,
                    const char *name,
                    const char *bridge)
{
  g_auto(GStrv) names = vnet_state_list (state);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(VireoNetParams) old = vnet_state_load_params (state, names[i], NULL);

      if (g_str_equal (names[i], name) || (old != NULL && g_str_equal (old->bridge, bridge)))
        clear_stale (state, names[i]);
    }
}

static gboolean
bridge_free (VnetState            *state,
             const VireoNetParams *params,
             GError              **error)
{
  g_auto(GStrv) names = vnet_state_list (state);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(VireoNetParams) other = running_params (state, names[i]);

      if (other != NULL && g_str_equal (other->bridge, params->bridge))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                       _("Network '%s': bridge %s is already used by network '%s'"),
                       params->name, params->bridge, other->name);
          return FALSE;
        }
    }
  if (vnet_link_exists (params->bridge))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("Network '%s': an interface named %s already exists and is not Vireo's"),
                   params->name, params->bridge);
      return FALSE;
    }
  return TRUE;
}

/* the uid that started a network; a folder from before owners were
 * kept is root's */
static guint32
owner_of (VnetState  *state,
          const char *name)
{
  g_autofree char *text = vnet_state_read (state, name, "owner", 32, NULL);
  guint64 uid = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXUINT32, &uid, NULL))
    return 0;
  return (guint32) uid;
}

static gboolean
save_owner (VnetState  *state,
            const char *name,
            guint32     uid,
            GError    **error)
{
  g_autofree char *text = g_strdup_printf ("%u\n", uid);

  return vnet_state_write (state, name, "owner", text, error);
}

/* networks are shared by all users: another user may use one (its taps,
 * a start that changes nothing) but not change or stop it; root may */
static gboolean
owner_check (VnetState  *state,
             const char *name,
             guint32     uid,
             GError    **error)
{
  if (uid == 0 || owner_of (state, name) == uid)
    return TRUE;
  /* not PERMISSION: the engine reads that as "vireo-net is out of reach" */
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
               _("Network '%s' was started by another user"), name);
  return FALSE;
}

static gboolean
identical (const VireoNetParams *a,
           const VireoNetParams *b)
{
  g_autoptr(GVariant) va = g_variant_ref_sink (vireo_net_params_to_variant (a));
  g_autoptr(GVariant) vb = g_variant_ref_sink (vireo_net_params_to_variant (b));

  return g_variant_equal (va, vb);
}

static gboolean
save_params (VnetState            *state,
             const VireoNetParams *params,
             GError              **error)
{
  g_autoptr(GVariant) variant = g_variant_ref_sink (vireo_net_params_to_variant (params));
  g_autofree char *text = g_variant_print (variant, TRUE);
  g_autofree char *line = g_strconcat (text, "\n", NULL);

  return vnet_state_write (state, params->name, "params", line, error);
}

/* the same network again: new static leases, and a dnsmasq that died
 * comes back */
static gboolean
refresh (VnetState            *state,
         const VireoNetParams *params,
         GError              **error)
{
  if (!vnet_dnsmasq_write (state, params, error) || !save_params (state, params, error))
    return FALSE;
  if (vnet_dnsmasq_alive (state, params->name))
    {
      vnet_dnsmasq_reload (state, params->name);
      return TRUE;
    }
  return vnet_dnsmasq_start (state, params, error);
}

static gboolean
build (VnetState            *state,
       const VireoNetParams *params,
       guint32               uid,
       GError              **error)
{
  if (!vnet_state_make_network (state, params->name, error) ||
      !save_owner (state, params->name, uid, error) ||
      !vnet_bridge_create (params, error) ||
      (params->nat && !vnet_ip_forward_enable (error)) ||
      !vnet_firewall_start (params, error) ||
      !vnet_dnsmasq_write (state, params, error) ||
      !vnet_dnsmasq_start (state, params, error) ||
      !save_params (state, params, error))
    {
      teardown (state, params->name, params->bridge, NULL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
start_locked (VnetState            *state,
              const VireoNetParams *params,
              guint32               uid,
              GError              **error)
{
  g_autoptr(VireoNetParams) running = running_params (state, params->name);

  if (!vireo_net_params_validate (params, error))
    return FALSE;
  if (running != NULL)
    {
      if (!vireo_net_params_same_network (running, params))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_BUSY,
                       _("Network '%s' already runs with other settings; stop it first"), params->name);
          return FALSE;
        }
      /* the same request from anyone repairs; new static leases are the
       * owner's (or root's) to set */
      if (!identical (running, params) && !owner_check (state, params->name, uid, error))
        return FALSE;
      return refresh (state, params, error);
    }
  if (!bridge_free (state, params, error) ||
      !vireo_net_subnet_check_host (vireo_net_params_network (params), params->prefix, NULL, error) ||
      !vnet_routes_check (vireo_net_params_network (params), params->prefix, NULL, error))
    return FALSE;
  /* a network that no longer runs may still claim the bridge: its
   * folder goes, or stopping it later would take this one's chains */
  clear_stale_claims (state, params->name, params->bridge);
  return build (state, params, uid, error);
}

/**
 * vnet_net_start:
 * @uid: who asks (0 for root); recorded as the network's owner
 * Starts the network: bridge, address, forwarding, firewall, dnsmasq, in
 * that order.  Idempotent for the same settings.
 */
gboolean
vnet_net_start (VnetState            *state,
                const VireoNetParams *params,
                guint32               uid,
                GError              **error)
{
  gboolean ok;

  if (!vnet_state_lock (state, error))
    return FALSE;
  ok = start_locked (state, params, uid, error);
  vnet_state_unlock (state);
  return ok;
}

/* exact teardown: dnsmasq, the chains (and the table with its last
 * chain), the bridge, the state folder */
gboolean
vnet_net_stop (VnetState   *state,
               const char  *name,
               guint32      uid,
               GError     **error)
{
  g_autoptr(VireoNetParams) params = NULL;
  gboolean ok;

  if (!vireo_network_name_validate (name, error) || !vnet_state_lock (state, error))
    return FALSE;
  params = vnet_state_has_network (state, name) ? vnet_state_load_params (state, name, NULL) : NULL;
  if (params == NULL)
    ok = not_running (name, error);
  else
    ok = owner_check (state, name, uid, error) && teardown (state, name, params->bridge, error);
  vnet_state_unlock (state);
  return ok;
}

static int
open_tap_locked (VnetState   *state,
                 const char  *name,
                 const char  *mac,
                 char       **tap_name,
                 GError     **error)
{
  g_autoptr(VireoNetParams) params = running_params (state, name);
  g_autofree char *tap_mac = NULL;
  int fd;

  if (params == NULL)
    return not_running (name, error), -1;
  /* the next VM to start brings back a dnsmasq that died */
  if (!vnet_dnsmasq_alive (state, name) && !vnet_dnsmasq_start (state, params, error))
    return -1;
  tap_mac = vnet_tap_mac (mac);
  if (tap_mac != NULL && vnet_bridge_has_mac (params->bridge, tap_mac))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("Network '%s': a running VM already uses MAC address %s"), name, mac);
      return -1;
    }
  fd = vnet_tap_open (params->bridge, mac, tap_name, error);
  if (fd < 0)
    /* Translators: the start of "Network 'default': Cannot create a tap device: …" */
    g_prefix_error (error, _("Network '%s': "), name);
  return fd;
}

/**
 * vnet_net_open_tap:
 * Returns: the fd of a new tap on the network's bridge, or -1
 */
int
vnet_net_open_tap (VnetState   *state,
                   const char  *name,
                   const char  *mac,
                   char       **tap_name,
                   GError     **error)
{
  int fd;

  if (!vireo_network_name_validate (name, error))
    return -1;
  if (!vireo_net_mac_validate (mac, error))
    {
      g_prefix_error (error, _("Network '%s': "), name);
      return -1;
    }
  if (!vnet_state_lock (state, error))
    return -1;
  fd = open_tap_locked (state, name, mac, tap_name, error);
  vnet_state_unlock (state);
  return fd;
}

/* a{sv}: running b, dnsmasq-alive b, params a{sv} when running */
GVariant *
vnet_net_status (VnetState   *state,
                 const char  *name,
                 GError     **error)
{
  g_autoptr(VireoNetParams) params = NULL;
  GVariantDict dict;

  if (!vireo_network_name_validate (name, error) || !vnet_state_lock_read (state, error))
    return NULL;
  params = running_params (state, name);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "running", "b", params != NULL);
  g_variant_dict_insert (&dict, "dnsmasq-alive", "b", params != NULL && vnet_dnsmasq_alive (state, name));
  if (params != NULL)
    g_variant_dict_insert_value (&dict, "params", vireo_net_params_to_variant (params));
  vnet_state_unlock (state);
  return g_variant_dict_end (&dict);
}

/* a(xsss), from dnsmasq's lease file */
GVariant *
vnet_net_leases (VnetState   *state,
                 const char  *name,
                 GError     **error)
{
  g_autoptr(VireoNetParams) params = NULL;
  g_autofree char *text = NULL;

  if (!vireo_network_name_validate (name, error) || !vnet_state_lock_read (state, error))
    return NULL;
  params = running_params (state, name);
  /* no lease file yet: nobody asked for an address */
  if (params != NULL)
    text = vnet_state_read (state, name, "leases", 16 << 20, NULL);
  vnet_state_unlock (state);
  if (params == NULL)
    return not_running (name, error), NULL;
  return vnet_leases_parse (text);
}

/* as: the networks running now */
GVariant *
vnet_net_list (VnetState *state)
{
  g_auto(GStrv) names = NULL;
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_STRING_ARRAY);
  if (!vnet_state_lock_read (state, NULL))
    return g_variant_builder_end (&builder);
  names = vnet_state_list (state);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(VireoNetParams) params = running_params (state, names[i]);

      if (params != NULL)
        g_variant_builder_add (&builder, "s", names[i]);
    }
  vnet_state_unlock (state);
  return g_variant_builder_end (&builder);
}
