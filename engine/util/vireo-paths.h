/* vireo-paths.h: where Vireo keeps definitions, images, runtime and logs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * VireoPaths:
 * The directories of one Vireo tree.  With a root (`--root DIR` or
 * `VIREO_ROOT`) everything lives below it; otherwise the XDG directories
 * are used, or libvirt-like system directories when running as root.
 * Plain data: safe to read from any thread once built.
 */
typedef struct {
  char *root;          /* NULL unless a root was given */
  char *config_dir;
  char *domains_dir;
  char *networks_dir;
  char *snapshots_dir;
  char *images_dir;
  char *run_dir;
  char *log_dir;
} VireoPaths;

VireoPaths *vireo_paths_new          (const char  *root);
void        vireo_paths_free         (VireoPaths  *paths);
const char *vireo_paths_flatpak_id   (void);
char       *vireo_paths_user_run_dir (void);
gboolean    vireo_paths_ensure       (const VireoPaths *paths,
                                      GError     **error);
char       *vireo_paths_domain_file  (const VireoPaths *paths,
                                      const char  *name);
char       *vireo_paths_domain_run_dir (const VireoPaths *paths,
                                        const char  *uuid);
char       *vireo_paths_domain_nvram (const VireoPaths *paths,
                                      const char       *name,
                                      gboolean          qcow2);
char       *vireo_paths_domain_tpm_dir (const VireoPaths *paths,
                                        const char  *uuid);
char       *vireo_paths_domain_log   (const VireoPaths *paths,
                                      const char  *name,
                                      const char  *suffix);
char       *vireo_paths_hosts_file   (const VireoPaths *paths);
char       *vireo_paths_find_build_tree (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoPaths, vireo_paths_free)

G_END_DECLS
