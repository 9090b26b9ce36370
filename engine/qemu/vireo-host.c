/* vireo-host.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <unistd.h>

#include "config.h"
#include "vireo-error.h"
#include "vireo-host.h"
#include "vireo-i18n.h"
#include "vireo-paths.h"

/**
 * vireo_host_kvm_usable:
 * KVM is usable when this user can open /dev/kvm read-write.
 */
gboolean
vireo_host_kvm_usable (void)
{
  int fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC);

  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

/**
 * vireo_host_find_qemu:
 * Returns: (transfer full): `VIREO_QEMU` if set, else qemu-system-x86_64
 *   from PATH.
 */
char *
vireo_host_find_qemu (GError **error)
{
  const char *env = g_getenv ("VIREO_QEMU");
  char *path;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  path = g_find_program_in_path ("qemu-system-x86_64");
  if (path == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                 _("qemu-system-x86_64 is not installed (package qemu-system-x86)"));
  return path;
}

/**
 * vireo_host_resolve_accel:
 * @override: (nullable): "kvm" or "tcg" from `VIREO_ACCEL`, which wins
 *   over the domain's own choice
 *
 * Decides KVM or TCG: the global override first, then `<domain
 * type='qemu'>` (TCG) or `type='kvm'` (KVM required), then "auto" (KVM
 * where usable).  Never returns %VIREO_ACCEL_AUTO.
 */
VireoAccel
vireo_host_resolve_accel (const VireoDomainConfig *config,
                          const char              *override,
                          gboolean                 kvm_usable,
                          GError                 **error)
{
  VireoAccel accel = config->accel;

  if (override != NULL && *override != '\0')
    {
      VireoAccel forced;

      if (!vireo_accel_from_string (override, &forced))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       _("VIREO_ACCEL='%s' is not one of kvm, tcg or auto"), override);
          return VIREO_ACCEL_AUTO;
        }
      if (forced != VIREO_ACCEL_AUTO)
        accel = forced;
    }

  if (accel == VIREO_ACCEL_AUTO)
    return kvm_usable ? VIREO_ACCEL_KVM : VIREO_ACCEL_TCG;
  if (accel == VIREO_ACCEL_KVM && !kvm_usable)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_PERMISSION,
                   _("VM '%s' needs KVM, but /dev/kvm is missing or not accessible "
                   "(add yourself to group kvm, or choose the TCG accelerator)"),
                   config->name);
      return VIREO_ACCEL_AUTO;
    }
  return accel;
}

/**
 * vireo_host_find_shim:
 * Returns: (transfer full): `VIREO_SHIM` if set; the one built beside the
 *   running program when it runs from a build tree
 *   (vireo_paths_find_build_tree()); else the one installed in libexecdir.
 */
char *
vireo_host_find_shim (void)
{
  const char *env = g_getenv ("VIREO_SHIM");
  g_autofree char *build_tree = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  build_tree = vireo_paths_find_build_tree ();
  if (build_tree != NULL)
    return g_build_filename (build_tree, "engine", "shim", "vireo-shim", NULL);
  return g_build_filename (VIREO_LIBEXECDIR, "vireo-shim", NULL);
}
