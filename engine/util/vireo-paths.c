/* vireo-paths.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-paths.h"

static void
set_dirs (VireoPaths *paths,
          const char *config,
          const char *data,
          const char *run,
          const char *state)
{
  paths->config_dir = g_strdup (config);
  paths->domains_dir = g_build_filename (config, "domains", NULL);
  paths->networks_dir = g_build_filename (config, "networks", NULL);
  paths->snapshots_dir = g_build_filename (config, "snapshots", NULL);
  paths->images_dir = g_build_filename (data, "images", NULL);
  paths->run_dir = g_strdup (run);
  paths->log_dir = g_build_filename (state, "log", NULL);
}

/**
 * vireo_paths_flatpak_id:
 * Whether Vireo runs inside a Flatpak sandbox, decided here once for the
 * engine and the front ends: Flatpak sets `FLATPAK_ID` in every sandbox.
 *
 * Returns: (nullable): the app's id, if it is a name a folder may have
 *   (a reverse-DNS id, as flatpak itself requires); %NULL outside
 */
const char *
vireo_paths_flatpak_id (void)
{
  const char *id = g_getenv ("FLATPAK_ID");

  if (id == NULL || *id == '\0' || *id == '.' || strlen (id) > 255)
    return NULL;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return NULL;
  return id;
}

/**
 * vireo_paths_user_run_dir:
 * Where a user's VMs keep their sockets and runtime files:
 * `$XDG_RUNTIME_DIR/vireo`.  Inside a Flatpak, where `$XDG_RUNTIME_DIR`
 * is a folder of each instance's own, `$XDG_RUNTIME_DIR/app/$FLATPAK_ID/vireo`,
 * the one folder every instance of the app shares (and a short one:
 * socket paths must fit in 108 bytes).
 *
 * Returns: (transfer full): the folder
 */
char *
vireo_paths_user_run_dir (void)
{
  const char *id = vireo_paths_flatpak_id ();

  if (id != NULL)
    return g_build_filename (g_get_user_runtime_dir (), "app", id, "vireo", NULL);
  return g_build_filename (g_get_user_runtime_dir (), "vireo", NULL);
}

/**
 * vireo_paths_new:
 * @root: (nullable): a directory that holds the whole tree, or %NULL to
 *   use `VIREO_ROOT` from the environment, then the user's (or, as root,
 *   the system's) standard directories.
 *
 * Returns: (transfer full): the paths; nothing is created on disk.
 */
VireoPaths *
vireo_paths_new (const char *root)
{
  VireoPaths *paths = g_new0 (VireoPaths, 1);

  if (root == NULL || *root == '\0')
    root = g_getenv ("VIREO_ROOT");

  if (root != NULL && *root != '\0')
    {
      g_autofree char *abs = g_canonicalize_filename (root, NULL);
      g_autofree char *config = g_build_filename (abs, "config", NULL);
      g_autofree char *data = g_build_filename (abs, "data", NULL);
      g_autofree char *run = g_build_filename (abs, "run", NULL);
      g_autofree char *state = g_build_filename (abs, "state", NULL);

      paths->root = g_steal_pointer (&abs);
      set_dirs (paths, config, data, run, state);
    }
  else if (geteuid () == 0)
    {
      /* Mirrors libvirt's system layout. */
      paths->config_dir = g_strdup ("/etc/vireo");
      paths->domains_dir = g_strdup ("/etc/vireo/domains");
      paths->networks_dir = g_strdup ("/etc/vireo/networks");
      paths->snapshots_dir = g_strdup ("/var/lib/vireo/snapshots");
      paths->images_dir = g_strdup ("/var/lib/vireo/images");
      paths->run_dir = g_strdup ("/run/vireo");
      paths->log_dir = g_strdup ("/var/log/vireo");
    }
  else
    {
      g_autofree char *config = g_build_filename (g_get_user_config_dir (), "vireo", NULL);
      g_autofree char *data = g_build_filename (g_get_user_data_dir (), "vireo", NULL);
      g_autofree char *run = vireo_paths_user_run_dir ();
      g_autofree char *state = g_build_filename (g_get_user_state_dir (), "vireo", NULL);

      set_dirs (paths, config, data, run, state);
    }

  return paths;
}

void
vireo_paths_free (VireoPaths *paths)
{
  if (paths == NULL)
    return;
  g_free (paths->root);
  g_free (paths->config_dir);
  g_free (paths->domains_dir);
  g_free (paths->networks_dir);
  g_free (paths->snapshots_dir);
  g_free (paths->images_dir);
  g_free (paths->run_dir);
  g_free (paths->log_dir);
  g_free (paths);
}

/* Vireo's own folders are private even when an older Vireo made them
 * open (the images folder was 0711). */
static gboolean
ensure_dir (const char *dir,
            GError    **error)
{
  GStatBuf st;

  if (!vireo_mkdir_private (dir, error))
    return FALSE;
  /* only when needed: a chmod is an inotify event for whoever watches
   * the folder, and every load comes through here */
  if (g_stat (dir, &st) == 0 && (st.st_mode & 07777) != 0700)
    g_chmod (dir, 0700);
  return TRUE;
}

/**
 * vireo_paths_ensure:
 * Creates the directories of the tree, each private to the user (0700):
 * they hold definitions, disks and the sockets that control guests.
 */
gboolean
vireo_paths_ensure (const VireoPaths *paths,
                    GError          **error)
{
  return ensure_dir (paths->domains_dir, error) &&
         ensure_dir (paths->networks_dir, error) &&
         ensure_dir (paths->snapshots_dir, error) &&
         ensure_dir (paths->images_dir, error) &&
         ensure_dir (paths->log_dir, error) &&
         ensure_dir (paths->run_dir, error);
}

char *
vireo_paths_domain_file (const VireoPaths *paths,
                         const char       *name)
{
  g_autofree char *base = g_strconcat (name, ".xml", NULL);
  return g_build_filename (paths->domains_dir, base, NULL);
}

/**
 * vireo_paths_domain_run_dir:
 * The runtime directory of a VM is named after the first twelve hex digits
 * of its UUID, so that socket paths stay well under the 108-byte limit.
 */
char *
vireo_paths_domain_run_dir (const VireoPaths *paths,
                            const char       *uuid)
{
  char id[13];
  guint n = 0;

  for (const char *p = uuid; *p != '\0' && n < 12; p++)
    if (g_ascii_isxdigit (*p))
      id[n++] = g_ascii_tolower (*p);
  id[n] = '\0';
  return g_build_filename (paths->run_dir, id, NULL);
}

/**
 * vireo_paths_domain_tpm_dir:
 * Where swtpm keeps a VM's TPM state: swtpm/UUID beside the images
 * folder ($XDG_DATA_HOME/vireo/swtpm/UUID, /var/lib/vireo/swtpm/UUID as
 * root), as libvirt keeps it in /var/lib/libvirt/swtpm/UUID.  Named
 * after the UUID, which a rename keeps and a clone does not.
 */
/**
 * vireo_paths_domain_nvram:
 * @qcow2: the NVRAM's format, which its name says (Vireo makes qcow2,
 *   which snapshots can hold; one from libvirt may be raw)
 * Where the UEFI variables of VM @name go: its images folder, beside its
 * disks, so that deleting its storage finds them.
 */
char *
vireo_paths_domain_nvram (const VireoPaths *paths,
                          const char       *name,
                          gboolean          qcow2)
{
  g_autofree char *file = g_strdup_printf ("%s_VARS.%s", name, qcow2 ? "qcow2" : "fd");

  return g_build_filename (paths->images_dir, file, NULL);
}

char *
vireo_paths_domain_tpm_dir (const VireoPaths *paths,
                            const char       *uuid)
{
  g_autofree char *data = g_path_get_dirname (paths->images_dir);

  return g_build_filename (data, "swtpm", uuid, NULL);
}

char *
vireo_paths_domain_log (const VireoPaths *paths,
                        const char       *name,
                        const char       *suffix)
{
  g_autofree char *base = g_strconcat (name, suffix, ".log", NULL);
  return g_build_filename (paths->log_dir, base, NULL);
}

/**
 * vireo_paths_hosts_file:
 * Where the saved connections to other hosts are kept: hosts.conf in the
 * config folder, a keyfile with one group per host (vireo-hosts.c).
 */
char *
vireo_paths_hosts_file (const VireoPaths *paths)
{
  return g_build_filename (paths->config_dir, "hosts.conf", NULL);
}

/* The build writes this file at its root (meson.build) and never installs
 * it; the build tree's programs sit at most three folders below it. */
#define BUILD_TREE_MARKER "vireo-build-tree"
#define BUILD_TREE_MAX_DEPTH 3

/**
 * vireo_paths_find_build_tree:
 * Whether the running program is one of a Vireo build tree, found by the
 * marker file the build writes at that tree's root, so that it can use the
 * vireo-shim, test guest and settings schema built beside it.  No path is
 * compiled in: an installed program looks only in its own folder and the
 * few above it (root-owned for a system install) and finds no marker.
 * Any thread.
 *
 * Returns: (transfer full) (nullable): the build tree's root, or %NULL
 *   when the program is installed
 */
char *
vireo_paths_find_build_tree (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;

  if (exe == NULL || !g_path_is_absolute (exe))
    return NULL;
  dir = g_path_get_dirname (exe);
  for (int depth = 0; depth <= BUILD_TREE_MAX_DEPTH; depth++)
    {
      g_autofree char *marker = g_build_filename (dir, BUILD_TREE_MARKER, NULL);
      char *parent;

      if (g_file_test (marker, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&dir);
      parent = g_path_get_dirname (dir);
      if (g_str_equal (parent, dir))
        {
          g_free (parent);
          return NULL;
        }
      g_free (dir);
      dir = parent;
    }
  return NULL;
}
