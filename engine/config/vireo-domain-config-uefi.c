/* vireo-domain-config-uefi.c: UEFI firmware in the model, and its rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * <os firmware='efi'>, <firmware><feature…/>, <loader> and <nvram> as
 * libvirt writes them; the rules mirror what libvirt refuses, one line
 * each.  Which OVMF build a VM gets is the host's to say
 * (vireo_host_find_ovmf()), at each start.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "vireo-domain-config.h"
#include "vireo-domain-config-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"

/**
 * vireo_domain_config_uses_efi:
 * Returns: whether @config boots through UEFI: `<os firmware='efi'>`, or
 *   a `<loader>` named without it (libvirt's older spelling)
 */
gboolean
vireo_domain_config_uses_efi (const VireoDomainConfig *config)
{
  if (g_strcmp0 (config->firmware, "efi") == 0)
    return TRUE;
  return config->firmware == NULL && config->loader != NULL;
}

/**
 * vireo_domain_config_secure_boot:
 * Returns: whether @config asks for secure boot (`<loader secure='yes'>`
 *   or the firmware feature `secure-boot`)
 */
gboolean
vireo_domain_config_secure_boot (const VireoDomainConfig *config)
{
  return vireo_domain_config_uses_efi (config) &&
         (config->loader_secure == VIREO_TRISTATE_YES || config->fw_secure_boot == VIREO_TRISTATE_YES);
}

/**
 * vireo_domain_config_firmware_label:
 * Returns: the firmware @config boots through, for people: "BIOS",
 *   "UEFI" or "UEFI with Secure Boot", translated
 */
const char *
vireo_domain_config_firmware_label (const VireoDomainConfig *config)
{
  if (vireo_domain_config_secure_boot (config))
    return _("UEFI with Secure Boot");
  return vireo_domain_config_uses_efi (config) ? _("UEFI") : _("BIOS");
}

/* What `<features><smm>` says: on (`<smm state='on'/>` or a bare
 * `<smm/>`), off, or nothing.  The element is kept verbatim, with any
 * `<tseg>` inside. */
static VireoTristate
smm_state (const VireoDomainConfig *config)
{
  for (guint i = 0; i < config->extra_features->len; i++)
    {
      const char *fragment = g_ptr_array_index (config->extra_features, i);
      xmlDoc *doc;
      xmlNode *root;
      gboolean on = FALSE;

      if (!g_str_has_prefix (fragment, "<smm"))
        continue;
      doc = xmlReadMemory (fragment, (int) strlen (fragment), NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
      root = doc ? xmlDocGetRootElement (doc) : NULL;
      if (root != NULL && xmlStrcmp (root->name, BAD_CAST "smm") == 0)
        {
          xmlChar *state = xmlGetProp (root, BAD_CAST "state");
          on = state == NULL || xmlStrcmp (state, BAD_CAST "on") == 0;
          xmlFree (state);
        }
      xmlFreeDoc (doc);
      if (root != NULL)
        return on ? VIREO_TRISTATE_YES : VIREO_TRISTATE_NO;
    }
  return VIREO_TRISTATE_ABSENT;
}

/**
 * vireo_domain_config_smm_on:
 * Returns: whether `<features>` holds `<smm state='on'/>` (or a bare
 *   `<smm/>`)
 */
gboolean
vireo_domain_config_smm_on (const VireoDomainConfig *config)
{
  return smm_state (config) == VIREO_TRISTATE_YES;
}

/**
 * vireo_domain_config_nvram_is_qcow2:
 * Returns: whether @config's variable store is a qcow2 image (Vireo makes
 *   them so, NAME_VARS.qcow2, and snapshots carry them); a store brought
 *   from libvirt (`…_VARS.fd`) is raw.  By name, never by probing a file
 *   the guest writes.
 */
gboolean
vireo_domain_config_nvram_is_qcow2 (const VireoDomainConfig *config)
{
  return config->nvram != NULL && g_str_has_suffix (config->nvram, ".qcow2");
}

/**
 * vireo_domain_config_set_firmware:
 * @efi: UEFI (`<os firmware='efi'>`, OVMF chosen at start, its NVRAM made
 *   on first start) or BIOS (every UEFI setting cleared)
 */
void
vireo_domain_config_set_firmware (VireoDomainConfig *config,
                                  gboolean           efi)
{
  g_free (config->firmware);
  config->firmware = efi ? g_strdup ("efi") : NULL;
  if (efi)
    return;
  g_clear_pointer (&config->loader, g_free);
  g_clear_pointer (&config->loader_type, g_free);
  g_clear_pointer (&config->nvram, g_free);
  g_clear_pointer (&config->nvram_template, g_free);
  config->loader_readonly = config->loader_secure = VIREO_TRISTATE_ABSENT;
  config->fw_secure_boot = config->fw_enrolled_keys = VIREO_TRISTATE_ABSENT;
}

static gboolean
invalid (const VireoDomainConfig *config,
         GError                 **error,
         const char              *message)
{
  /* Translators: "VM 'web': secure boot needs a q35 machine type" */
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG, _("VM '%s': %s"), config->name, message);
  return FALSE;
}

static gboolean
has_uefi_settings (const VireoDomainConfig *config)
{
  return config->loader || config->loader_type || config->loader_readonly || config->loader_secure ||
         config->nvram || config->nvram_template || config->fw_secure_boot || config->fw_enrolled_keys;
}

/* The loader's own attributes, and secure boot's two spellings agreeing. */
static gboolean
validate_loader (const VireoDomainConfig *config,
                 GError                 **error)
{
  if (config->loader_type != NULL && !g_str_equal (config->loader_type, "pflash"))
    return invalid (config, error, _("<loader> type is not supported (pflash only)"));
  if (config->loader_readonly == VIREO_TRISTATE_NO)
    return invalid (config, error, _("<loader readonly='no'> is not supported (the firmware code "
                                     "is read-only, its variables live in <nvram>)"));
  if ((config->loader_secure == VIREO_TRISTATE_YES && config->fw_secure_boot == VIREO_TRISTATE_NO) ||
      (config->loader_secure == VIREO_TRISTATE_NO && config->fw_secure_boot == VIREO_TRISTATE_YES))
    return invalid (config, error, _("<loader secure> contradicts the firmware feature 'secure-boot'"));
  if (config->fw_enrolled_keys == VIREO_TRISTATE_YES && config->fw_secure_boot == VIREO_TRISTATE_NO)
    return invalid (config, error, _("firmware feature 'enrolled-keys' needs firmware feature "
                                     "'secure-boot'"));
  return _vireo_domain_config_check_path (config, _("loader"), config->loader, error) &&
         _vireo_domain_config_check_path (config, _("NVRAM"), config->nvram, error) &&
         _vireo_domain_config_check_path (config, _("NVRAM template"), config->nvram_template, error);
}

/**
 * _vireo_domain_config_validate_uefi:
 * What libvirt refuses of a UEFI setup: UEFI settings on a BIOS VM, a
 * loader other than pflash, secure boot off q35 or with SMM off.
 */
gboolean
_vireo_domain_config_validate_uefi (const VireoDomainConfig *config,
                                    GError                 **error)
{
  gboolean q35 = vireo_domain_config_is_q35 (config);

  if (g_strcmp0 (config->firmware, "bios") == 0 && has_uefi_settings (config))
    return invalid (config, error, _("<os firmware='bios'> cannot have a <loader>, an <nvram> or "
                                     "firmware features"));
  if (!vireo_domain_config_uses_efi (config) && has_uefi_settings (config))
    return invalid (config, error, _("<nvram> and firmware features need UEFI (<os firmware='efi'> "
                                     "or a <loader>)"));
  if (!vireo_domain_config_uses_efi (config))
    return TRUE;
  if (!validate_loader (config, error))
    return FALSE;
  if (vireo_domain_config_secure_boot (config) && !q35)
    return invalid (config, error, _("secure boot needs a q35 machine type"));
  /* libvirt's rules: a loader named secure needs SMM said; the firmware
   * feature (libvirt picks the firmware, as Vireo does) turns SMM on
   * itself, unless it was said off */
  if ((config->loader_secure == VIREO_TRISTATE_YES && smm_state (config) != VIREO_TRISTATE_YES) ||
      (vireo_domain_config_secure_boot (config) && smm_state (config) == VIREO_TRISTATE_NO))
    return invalid (config, error, _("secure boot needs <features><smm state='on'/></features>"));
  return TRUE;
}
