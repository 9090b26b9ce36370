/* vireo-domain-firmware.c: a UEFI VM's firmware and NVRAM at start
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A UEFI VM keeps its variables (boot entries, secure boot keys) in a
 * file of its own beside its disks, NAME_VARS.qcow2, made from the
 * firmware's template on its first start.  qcow2, so that internal
 * snapshots carry it with the disks (DESIGN.md); its path is written
 * into the definition as <nvram>, as libvirt does.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "vireo-domain-lock.h"
#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-host.h"
#include "vireo-i18n.h"
#include "vireo-storage.h"
#include "vireo-store.h"

/**
 * _vireo_domain_nvram_path:
 * Returns: (transfer full): where a new NVRAM of VM @name goes: its
 *   images folder, beside its disks, so deleting its storage finds it
 */
char *
_vireo_domain_nvram_path (const VireoPaths *paths,
                          const char       *name)
{
  return vireo_paths_domain_nvram (paths, name, TRUE);
}

/* Worker thread: qemu-img convert of the template into @nvram (qcow2 or
 * raw, after its name), through a temporary name so a failed copy leaves
 * no half-made store for the next start. */
static gboolean
make_nvram (const VireoDomainConfig *config,
            const char              *template,
            GError                 **error)
{
  g_autofree char *partial = g_strdup_printf ("%s.part", config->nvram);
  const char *format = vireo_domain_config_nvram_is_qcow2 (config) ? "qcow2" : "raw";
  const char *argv[] = { "qemu-img", "convert", "-q", "-f", "raw", "-O", format, template, partial, NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err = NULL;

  proc = vireo_storage_spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, error))
    return FALSE;
  if (!g_subprocess_get_successful (proc))
    {
      g_unlink (partial);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   /* Translators: "VM 'web': cannot make its NVRAM /a/web_VARS.qcow2: <qemu-img's words>" */
                   _("VM '%s': cannot make its NVRAM %s: %s"), config->name, config->nvram, g_strstrip (err));
      return FALSE;
    }
  if (g_rename (partial, config->nvram) != 0)
    {
      int errsv = errno;

      g_unlink (partial);
      vireo_set_io_error (error, errsv, _("VM '%s': cannot make its NVRAM %s"), config->name, config->nvram);
      return FALSE;
    }
  return TRUE;
}

/* The default NVRAM path, into @config and into the definition on disk
 * (which a revert's @config may not be: only <nvram> changes there). */
static gboolean
choose_nvram (const VireoPaths  *paths,
              VireoDomainConfig *config,
              GError           **error)
{
  g_autoptr(VireoDomainConfig) on_disk = _vireo_domain_read_definition (paths, config->name, error);

  if (on_disk == NULL)
    return FALSE;
  config->nvram = _vireo_domain_nvram_path (paths, config->name);
  if (on_disk->nvram != NULL || !vireo_domain_config_uses_efi (on_disk))
    return TRUE;
  on_disk->nvram = g_strdup (config->nvram);
  return _vireo_store_write_definition (paths, on_disk, FALSE, error);
}

/**
 * _vireo_domain_prepare_firmware:
 * @config: the VM as it starts; gets its <nvram> when it had none
 * @code: (out) (transfer full): the OVMF code QEMU maps, or %NULL for BIOS
 *
 * Worker thread, under the VM's change lock: picks the firmware
 * (vireo_host_find_ovmf()) and makes the NVRAM from its template when
 * the file is not there yet.
 */
gboolean
_vireo_domain_prepare_firmware (const VireoPaths  *paths,
                                VireoDomainConfig *config,
                                char             **code,
                                GError           **error)
{
  g_autofree char *vars = NULL;

  *code = NULL;
  if (!vireo_domain_config_uses_efi (config))
    return TRUE;
  if (!vireo_host_find_ovmf (config, code, &vars, error))
    return FALSE;
  if (access (*code, R_OK) != 0)
    {
      int errsv = errno;

      g_set_error (error, VIREO_ERROR, errsv == ENOENT ? VIREO_ERROR_NOT_FOUND : VIREO_ERROR_PERMISSION,
                   _("VM '%s': UEFI firmware %s: %s"), config->name, *code, g_strerror (errsv));
      g_clear_pointer (code, g_free);
      return FALSE;
    }
  if (config->nvram == NULL && !choose_nvram (paths, config, error))
    return FALSE;
  if (g_file_test (config->nvram, G_FILE_TEST_EXISTS))
    return TRUE;
  if (g_mkdir_with_parents (paths->images_dir, 0700) != 0 && errno != EEXIST)
    {
      vireo_set_io_error (error, errno, _("VM '%s': cannot create %s"), config->name, paths->images_dir);
      return FALSE;
    }
  return make_nvram (config, vars, error);
}
