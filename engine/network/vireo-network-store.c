/* vireo-network-store.c: network definitions on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NAME.xml in VireoPaths.networks_dir, written atomically under the
 * folder's lock; autostart is an empty file autostart/NAME beside them
 * (libvirt keeps links there; a plain file cannot point anywhere).
 * Files are read as the domain loader reads them: regular files only,
 * never through a link.  Blocking: worker threads.
 *
 * The default network: the first time a networks folder is loaded, the
 * engine defines "default" (vireobr0, 192.168.124.0/24, NAT, DHCP) and
 * leaves the marker file .default-defined; from then on the folder is
 * the user's: an undefined default network stays undefined.  A folder
 * that already holds a network of that name, or one on its bridge or
 * subnet, gets the marker and no new definition.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-ids.h"
#include "vireo-load-error.h"
#include "vireo-network-private.h"

#define DEFINITIONS_WAIT_MS 5000
#define DEFINITION_MAX (1024 * 1024)

static char *
definition_path (const VireoPaths *paths,
                 const char       *name)
{
  g_autofree char *file = g_strconcat (name, ".xml", NULL);

  return g_build_filename (paths->networks_dir, file, NULL);
}

static char *
autostart_path (const VireoPaths *paths,
                const char       *name)
{
  return g_build_filename (paths->networks_dir, "autostart", name, NULL);
}

static gboolean
is_regular (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISREG (st.st_mode);
}

void
_vireo_network_loaded_free (VireoNetworkLoaded *loaded)
{
  vireo_network_config_free (loaded->config);
  g_free (loaded);
}

/**
 * _vireo_network_store_lock:
 * Locks the networks folder (made if missing), waiting a few seconds at
 * most for another process's write.
 */
VireoLock *
_vireo_network_store_lock (const VireoPaths  *paths,
                           const char        *name,
                           GError           **error)
{
  VireoLock *lock;

  if (!vireo_paths_ensure (paths, error))
    return NULL;
  lock = vireo_lock_folder (paths->networks_dir, DEFINITIONS_WAIT_MS, error);
  if (lock == NULL)
    /* Translators: put before an error about a folder */
    g_prefix_error (error, _("Network '%s': "), name);
  return lock;
}

static void
subnet_of (const VireoNetworkConfig *config,
           guint32                  *network,
           guint                    *prefix)
{
  guint32 addr = 0;

  vireo_ipv4_parse (config->address, &addr);
  *prefix = MIN (config->prefix, 32);
  *network = addr & vireo_ipv4_mask (*prefix);
}

static gboolean
overlaps (const VireoNetworkConfig *a,
          const VireoNetworkConfig *b)
{
  guint32 na, nb;
  guint pa, pb;

  subnet_of (a, &na, &pa);
  subnet_of (b, &nb, &pb);
  return vireo_net_subnets_overlap (na, pa, nb, pb);
}

/**
 * _vireo_network_check_unique:
 * @configs: (element-type VireoNetworkConfig): the other definitions
 *
 * Names, UUIDs and bridges are unique among defined networks, and two
 * subnets never overlap.  A definition with @config's name and UUID is
 * @config's own older version and does not count.
 *
 * Returns: %FALSE with %VIREO_ERROR_EXISTS
 */
gboolean
_vireo_network_check_unique (GPtrArray                *configs,
                             const VireoNetworkConfig *config,
                             GError                  **error)
{
  for (guint i = 0; i < configs->len; i++)
    {
      const VireoNetworkConfig *other = g_ptr_array_index (configs, i);
      g_autofree char *subnet = NULL;

      if (g_str_equal (other->name, config->name) && g_str_equal (other->uuid, config->uuid))
        continue;
      if (g_str_equal (other->name, config->name))
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("A network named '%s' already exists"), config->name);
      else if (g_str_equal (other->uuid, config->uuid))
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("Network '%s' has the UUID of network '%s'"),
                     config->name, other->name);
      else if (g_strcmp0 (other->bridge, config->bridge) == 0)
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("Network '%s' uses bridge %s, as network '%s' does"),
                     config->name, config->bridge, other->name);
      else if (overlaps (other, config))
        {
          subnet = vireo_network_config_describe_subnet (other);
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                       _("Network '%s' overlaps subnet %s of network '%s'"), config->name, subnet, other->name);
        }
      else
        continue;
      return FALSE;
    }
  return TRUE;
}

/**
 * _vireo_network_parse_subnet:
 * @subnet: "10.8.0.0/24"
 * @network: (out): its network address
 *
 * Returns: %FALSE with a one-line reason naming network @name
 */
gboolean
_vireo_network_parse_subnet (const char  *name,
                             const char  *subnet,
                             guint32     *network,
                             guint       *prefix,
                             GError     **error)
{
  guint32 addr;

  if (!vireo_ipv4_cidr_parse (subnet, &addr, prefix, error))
    {
      g_prefix_error (error, _("Network '%s': "), name);
      return FALSE;
    }
  *network = addr & vireo_ipv4_mask (*prefix);
  return TRUE;
}

/**
 * _vireo_network_new_config:
 * Returns: (transfer full): a network on @network/@prefix: the host is
 *   the first address, DHCP hands out the rest, the bridge has a fixed
 *   MAC of its own
 */
VireoNetworkConfig *
_vireo_network_new_config (const char *name,
                           guint32     network,
                           guint       prefix,
                           const char *bridge,
                           gboolean    isolated)
{
  VireoNetworkConfig *config = vireo_network_config_new (name);
  guint32 last = network | ~vireo_ipv4_mask (prefix);

  config->forward = isolated ? VIREO_NETWORK_FORWARD_NONE : VIREO_NETWORK_FORWARD_NAT;
  config->bridge = g_strdup (bridge);
  config->bridge_mac = vireo_mac_generate (NULL);
  config->address = vireo_ipv4_to_string (network + 1);
  config->prefix = prefix;
  config->dhcp_start = vireo_ipv4_to_string (network + 2);
  config->dhcp_end = vireo_ipv4_to_string (last - 1);
  return config;
}

static VireoNetworkConfig *
read_definition (const char  *path,
                 const char  *expected,
                 GError     **error)
{
  g_autoptr(GBytes) bytes = vireo_file_read_regular (path, DEFINITION_MAX, error);
  g_autoptr(VireoNetworkConfig) config = NULL;
  gsize len;
  const char *xml;

  if (bytes == NULL)
    return NULL;
  xml = g_bytes_get_data (bytes, &len);
  config = vireo_network_config_parse (xml ? xml : "", len, path, error);
  if (config == NULL || !vireo_network_config_validate (config, error))
    return NULL;
  if (!g_str_equal (config->name, expected))
    {
      /* Translators: "FILE defines network 'a', not 'b'" */
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG, _("%s defines network '%s', not '%s'"),
                   path, config->name, expected);
      return NULL;
    }
  return g_steal_pointer (&config);
}

static GPtrArray *
list_names (const VireoPaths *paths)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (paths->networks_dir, 0, NULL);
  const char *entry;

  while (dir && (entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".xml") && entry[0] != '.')
      g_ptr_array_add (names, g_strndup (entry, strlen (entry) - 4));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  return g_steal_pointer (&names);
}

/**
 * _vireo_network_store_read:
 * @errors: (nullable): where the definitions that do not load are
 *   recorded (VireoLoadError, named after the network)
 *
 * Returns: (transfer full) (element-type VireoNetworkLoaded): the
 *   definitions that load, in name order
 */
GPtrArray *
_vireo_network_store_read (const VireoPaths *paths,
                           GPtrArray        *errors)
{
  g_autoptr(GPtrArray) names = list_names (paths);
  g_autoptr(GPtrArray) configs = g_ptr_array_new ();
  GPtrArray *loaded = g_ptr_array_new_with_free_func ((GDestroyNotify) _vireo_network_loaded_free);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = definition_path (paths, name);
      g_autofree char *marker = autostart_path (paths, name);
      g_autoptr(GError) error = NULL;
      VireoNetworkConfig *config = read_definition (path, name, &error);
      VireoNetworkLoaded *item;

      if (config != NULL && !_vireo_network_check_unique (configs, config, &error))
        g_clear_pointer (&config, vireo_network_config_free);
      if (config == NULL)
        {
          if (errors != NULL)
            g_ptr_array_add (errors, vireo_load_error_new (path, name, g_steal_pointer (&error)));
          continue;
        }
      item = g_new0 (VireoNetworkLoaded, 1);
      item->config = config;
      item->autostart = is_regular (marker);
      g_ptr_array_add (configs, config);
      g_ptr_array_add (loaded, item);
    }
  return loaded;
}

/* See the top of the file.  Under the folder's lock, so that two front
 * ends started at once define it once. */
static void
define_default_once (const VireoPaths *paths)
{
  g_autofree char *marker = g_build_filename (paths->networks_dir, VIREO_NETWORK_FIRST_USE_MARKER, NULL);
  g_autofree char *path = definition_path (paths, VIREO_DEFAULT_NETWORK);
  g_autoptr(VireoLock) lock = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) configs = g_ptr_array_new ();
  g_autoptr(VireoNetworkConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  guint32 network = 0;
  guint prefix = 0;

  if (g_file_test (marker, G_FILE_TEST_EXISTS))
    return;
  lock = _vireo_network_store_lock (paths, VIREO_DEFAULT_NETWORK, &error);
  if (lock == NULL || g_file_test (marker, G_FILE_TEST_EXISTS))
    return;
  loaded = _vireo_network_store_read (paths, NULL);
  for (guint i = 0; i < loaded->len; i++)
    g_ptr_array_add (configs, ((VireoNetworkLoaded *) g_ptr_array_index (loaded, i))->config);
  vireo_ipv4_cidr_parse (VIREO_NETWORK_DEFAULT_SUBNET, &network, &prefix, NULL);
  config = _vireo_network_new_config (VIREO_DEFAULT_NETWORK, network, prefix, VIREO_NETWORK_DEFAULT_BRIDGE, FALSE);
  if (_vireo_network_check_unique (configs, config, NULL) && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *autostart = autostart_path (paths, VIREO_DEFAULT_NETWORK);
      g_autofree char *dir = g_path_get_dirname (autostart);

      if (!_vireo_network_store_write (paths, config, &error))
        {
          g_debug ("The default network was not defined: %s", error->message);
          return;
        }
      /* as libvirt's: it starts when the first VM on it does */
      if (g_mkdir_with_parents (dir, 0700) != 0 || !vireo_file_write_atomic (autostart, "", 0, 0600, &error))
        g_debug ("The default network does not autostart: %s", error ? error->message : g_strerror (errno));
      g_clear_error (&error);
    }
  if (!vireo_file_write_atomic (marker, "", 0, 0600, &error))
    g_debug ("%s", error->message);
}

/**
 * _vireo_network_store_load:
 * @errors: (nullable) (element-type VireoLoadError): where the
 *   definitions that do not load are recorded
 *
 * Defines the default network on first use (see above), then reads every
 * definition.
 *
 * Returns: (transfer full) (element-type VireoNetworkLoaded): in name order
 */
GPtrArray *
_vireo_network_store_load (const VireoPaths *paths,
                           GPtrArray        *errors)
{
  define_default_once (paths);
  return _vireo_network_store_read (paths, errors);
}

/**
 * _vireo_network_store_write:
 * Writes NAME.xml atomically; the caller holds the folder's lock.
 */
gboolean
_vireo_network_store_write (const VireoPaths         *paths,
                            const VireoNetworkConfig *config,
                            GError                  **error)
{
  g_autofree char *path = definition_path (paths, config->name);
  g_autofree char *xml = vireo_network_config_format (config);

  if (!vireo_file_write_atomic (path, xml, -1, 0600, error))
    {
      g_prefix_error (error, _("Network '%s' was not saved: "), config->name);
      return FALSE;
    }
  return TRUE;
}

/**
 * _vireo_network_store_remove:
 * Deletes NAME.xml and its autostart marker; the caller holds the lock.
 */
gboolean
_vireo_network_store_remove (const VireoPaths  *paths,
                             const char        *name,
                             GError           **error)
{
  g_autofree char *path = definition_path (paths, name);
  g_autofree char *marker = autostart_path (paths, name);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      vireo_set_io_error (error, errno, _("Network '%s' was not deleted"), name);
      return FALSE;
    }
  g_unlink (marker);
  return TRUE;
}

/**
 * _vireo_network_store_set_autostart:
 * Makes or removes autostart/NAME; takes the folder's lock.
 */
gboolean
_vireo_network_store_set_autostart (const VireoPaths  *paths,
                                    const char        *name,
                                    gboolean           autostart,
                                    GError           **error)
{
  g_autoptr(VireoLock) lock = _vireo_network_store_lock (paths, name, error);
  g_autofree char *path = definition_path (paths, name);
  g_autofree char *marker = autostart_path (paths, name);
  g_autofree char *dir = g_path_get_dirname (marker);

  if (lock == NULL)
    return FALSE;
  if (!is_regular (path))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("Network '%s' does not exist"), name);
      return FALSE;
    }
  if (!autostart)
    {
      if (g_unlink (marker) != 0 && errno != ENOENT)
        {
          vireo_set_io_error (error, errno, _("Network '%s' still starts with the first VM on it"), name);
          return FALSE;
        }
      return TRUE;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !vireo_file_write_atomic (marker, "", 0, 0600, error))
    {
      if (error != NULL && *error == NULL)
        vireo_set_io_error (error, errno, _("Network '%s' does not start with the first VM on it"), name);
      else
        g_prefix_error (error, _("Network '%s': "), name);
      return FALSE;
    }
  return TRUE;
}

/**
 * _vireo_network_store_free_bridge:
 * @loaded: (element-type VireoNetworkLoaded): the defined networks
 *
 * Returns: (transfer full): the first vireobrN no defined network uses
 */
char *
_vireo_network_store_free_bridge (GPtrArray *loaded)
{
  for (guint n = 0; ; n++)
    {
      g_autofree char *bridge = g_strdup_printf (VIREO_NET_BRIDGE_PREFIX "%u", n);
      gboolean used = FALSE;

      for (guint i = 0; i < loaded->len && !used; i++)
        used = g_strcmp0 (((VireoNetworkLoaded *) g_ptr_array_index (loaded, i))->config->bridge, bridge) == 0;
      if (!used)
        return g_steal_pointer (&bridge);
    }
}
