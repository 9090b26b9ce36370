/* vireo-host.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "config.h"
#include "vireo-error.h"
#include "vireo-host.h"
#include "vireo-i18n.h"
#include "vireo-paths.h"

/**
 * vireo_host_kvm_open_errno:
 * @device: the KVM device: "/dev/kvm" (%VIREO_HOST_KVM_DEVICE) but in tests
 *
 * Opens @device read-write, as QEMU will: the only check that holds in a
 * Flatpak sandbox, where /dev/kvm may be missing although the host has it,
 * and on a host where group membership says nothing about ACLs.
 *
 * Returns: 0 when KVM is usable, else the errno of the open
 */
int
vireo_host_kvm_open_errno (const char *device)
{
  int fd = open (device, O_RDWR | O_CLOEXEC);

  if (fd < 0)
    return errno;
  close (fd);
  return 0;
}

/**
 * vireo_host_kvm_device:
 * The device a start opens to decide on KVM: %VIREO_HOST_KVM_DEVICE, or
 * `VIREO_KVM_DEVICE` for tests only (a missing path makes a start on a
 * machine with KVM take the no-KVM path, note and all).
 */
const char *
vireo_host_kvm_device (void)
{
  const char *env = g_getenv ("VIREO_KVM_DEVICE");

  return env != NULL && *env != '\0' ? env : VIREO_HOST_KVM_DEVICE;
}

/**
 * vireo_host_in_flatpak:
 * Whether this process runs inside a Flatpak sandbox
 * (vireo_paths_flatpak_id()).
 */
gboolean
vireo_host_in_flatpak (void)
{
  return vireo_paths_flatpak_id () != NULL;
}

/* The app's id for a `flatpak override` command line. */
static const char *
app_id (void)
{
  const char *id = vireo_paths_flatpak_id ();

  return id != NULL ? id : "dev.vireo.Vireo";
}

/**
 * vireo_host_kvm_note:
 * @name: the VM
 * @errsv: why /dev/kvm did not open (vireo_host_kvm_open_errno())
 * @in_flatpak: whether Vireo runs in a Flatpak sandbox
 *
 * Returns: (transfer full): one translated line that says @name runs
 *   without KVM and why, for a front end to show as a note
 */
char *
vireo_host_kvm_note (const char *name,
                     int         errsv,
                     gboolean    in_flatpak)
{
  switch (errsv)
    {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      if (in_flatpak)
        return g_strdup_printf (_("VM '%s' runs without KVM, much slower: the Vireo app may not use "
                                  "/dev/kvm (allow it with 'flatpak override --user --device=kvm %s')"),
                                name, app_id ());
      return g_strdup_printf (_("VM '%s' runs without KVM, much slower: this computer has no /dev/kvm "
                                "(turn on CPU virtualization in the firmware settings, or load the kvm module)"),
                              name);
    case EACCES:
    case EPERM:
      return g_strdup_printf (_("VM '%s' runs without KVM, much slower: you may not use /dev/kvm "
                                "(add yourself to group kvm and log in again)"),
                              name);
    default:
      return g_strdup_printf (_("VM '%s' runs without KVM, much slower: cannot open /dev/kvm: %s"),
                              name, g_strerror (errsv));
    }
}

/* A missing device: in a Flatpak, the app was not given it. */
static gboolean
kvm_not_given (int      errsv,
               gboolean in_flatpak)
{
  return in_flatpak && (errsv == ENOENT || errsv == ENODEV || errsv == ENXIO);
}

/**
 * vireo_host_kvm_required_error:
 * @name: the VM, which asked for KVM (`<domain type='kvm'>` or
 *   `VIREO_ACCEL=kvm`)
 * @errsv: why /dev/kvm did not open (vireo_host_kvm_open_errno())
 * @in_flatpak: whether Vireo runs in a Flatpak sandbox
 *
 * Sets @error to why @name cannot start, with the advice that fits the
 * cause, as vireo_host_kvm_note() gives it for a VM that falls back to
 * TCG: in a Flatpak without the device, the app's permission, not the
 * group kvm.
 */
void
vireo_host_kvm_required_error (const char  *name,
                               int          errsv,
                               gboolean     in_flatpak,
                               GError     **error)
{
  if (kvm_not_given (errsv, in_flatpak))
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_PERMISSION,
                 _("VM '%s' needs KVM, but the Vireo app may not use /dev/kvm (allow it with "
                   "'flatpak override --user --device=kvm %s', or choose the TCG accelerator)"),
                 name, app_id ());
  else
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_PERMISSION,
                 _("VM '%s' needs KVM, but /dev/kvm is missing or not accessible "
                 "(add yourself to group kvm, or choose the TCG accelerator)"),
                 name);
}

/**
 * vireo_host_choose_accel:
 * @override: (nullable): `VIREO_ACCEL`, as for vireo_host_resolve_accel()
 * @kvm_device: the device to open, %VIREO_HOST_KVM_DEVICE but in tests
 * @note: (out) (transfer full) (optional): set to one translated line when
 *   the VM asked for no accelerator in particular and gets TCG because
 *   KVM is not usable (vireo_host_kvm_note()); else to %NULL
 *
 * Decides the accelerator for a start, opening @kvm_device only when the
 * choice depends on it: the one place where Vireo decides and says why a
 * VM runs without KVM.  Blocks on the open: call it from a worker thread.
 *
 * Returns: KVM or TCG, or %VIREO_ACCEL_AUTO with @error set
 */
VireoAccel
vireo_host_choose_accel (const VireoDomainConfig *config,
                         const char              *override,
                         const char              *kvm_device,
                         char                   **note,
                         GError                 **error)
{
  VireoAccel asked = config->accel;
  VireoAccel accel;
  int kvm_errno = 0;

  if (note != NULL)
    *note = NULL;
  /* what the user asked for, the override first: TCG needs no device */
  if (override != NULL && *override != '\0' && !vireo_accel_from_string (override, &asked))
    return vireo_host_resolve_accel (config, override, FALSE, error);
  if (asked == VIREO_ACCEL_AUTO)
    asked = config->accel;
  if (asked != VIREO_ACCEL_TCG)
    kvm_errno = vireo_host_kvm_open_errno (kvm_device);
  accel = vireo_host_resolve_accel (config, override, kvm_errno == 0, NULL);
  if (accel == VIREO_ACCEL_AUTO && kvm_errno != 0)
    {
      vireo_host_kvm_required_error (config->name, kvm_errno, vireo_host_in_flatpak (), error);
      return VIREO_ACCEL_AUTO;
    }
  if (note != NULL && asked == VIREO_ACCEL_AUTO && accel == VIREO_ACCEL_TCG)
    *note = vireo_host_kvm_note (config->name, kvm_errno, vireo_host_in_flatpak ());
  return accel;
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
      vireo_host_kvm_required_error (config->name, EACCES, FALSE, error);
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

/* Debian's ovmf package, 4M builds: the one table of which firmware a
 * UEFI VM gets when its definition names none (as libvirt's firmware
 * descriptors decide for it).  Secure boot takes the SMM build, with
 * Microsoft's keys enrolled unless enrolled-keys says no. */
static const struct {
  gboolean secure;
  gboolean enrolled;
  const char *code;
  const char *vars;
} ovmf_builds[] = {
  { FALSE, FALSE, "OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd" },
  { TRUE, TRUE, "OVMF_CODE_4M.secboot.fd", "OVMF_VARS_4M.ms.fd" },
  { TRUE, FALSE, "OVMF_CODE_4M.secboot.fd", "OVMF_VARS_4M.fd" },
};

/**
 * vireo_host_find_ovmf:
 * @config: a VM that boots through UEFI (vireo_domain_config_uses_efi())
 * @code: (out) (transfer full): the firmware code QEMU maps as pflash0
 * @vars: (out) (transfer full): the template a new NVRAM is made from
 *
 * The definition's own `<loader>` and `<nvram template>` win; what it
 * leaves out comes from the OVMF table, in /usr/share/OVMF or
 * `VIREO_OVMF_DIR` (tests).  Checks that the files are there.  Any thread.
 */
gboolean
vireo_host_find_ovmf (const VireoDomainConfig *config,
                      char                   **code,
                      char                   **vars,
                      GError                 **error)
{
  const char *env = g_getenv ("VIREO_OVMF_DIR");
  const char *dir = env != NULL && *env != '\0' ? env : "/usr/share/OVMF";
  gboolean secure = vireo_domain_config_secure_boot (config);
  gboolean enrolled = config->fw_enrolled_keys != VIREO_TRISTATE_NO;
  g_autofree char *c = NULL, *v = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (ovmf_builds); i++)
    if (ovmf_builds[i].secure == secure && (!secure || ovmf_builds[i].enrolled == enrolled))
      {
        c = config->loader ? g_strdup (config->loader) : g_build_filename (dir, ovmf_builds[i].code, NULL);
        v = config->nvram_template ? g_strdup (config->nvram_template)
                                   : g_build_filename (dir, ovmf_builds[i].vars, NULL);
        break;
      }
  if (config->loader == NULL && !g_file_test (c, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("VM '%s': the UEFI firmware %s is not installed (package ovmf)"), config->name, c);
      return FALSE;
    }
  *code = g_steal_pointer (&c);
  *vars = g_steal_pointer (&v);
  return TRUE;
}
