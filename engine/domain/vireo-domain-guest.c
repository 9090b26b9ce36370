/* vireo-domain-guest.c: what a list says runs inside a VM
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The guest agent's OS name while it runs, else virt-manager's libosinfo
 * id, else how it boots.
 */
#include <errno.h>
#include <glib/gstdio.h>

#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-shim-protocol.h"
#include "vireo-state-reason.h"

/* "http://debian.org/debian/12" → "Debian 12", from virt-manager's
 * libosinfo metadata */
static char *
libosinfo_name (const VireoDomainConfig *config)
{
  static GRegex *regex;

  /* compiled once: lists describe every VM on each change */
  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new ("<libosinfo:os\\s+id=[\"']https?://[^/]+/([^\"']+)[\"']",
                                            G_REGEX_OPTIMIZE, 0, NULL));

  for (guint i = 0; i < config->extra_metadata->len; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;

      if (g_regex_match (regex, g_ptr_array_index (config->extra_metadata, i), 0, &match))
        {
          g_autofree char *path = g_match_info_fetch (match, 1);
          g_auto(GStrv) parts = g_strsplit (path, "/", -1);
          char *name = g_strjoinv (" ", parts);

          name[0] = g_ascii_toupper (name[0]);
          return name;
        }
    }
  return NULL;
}

/**
 * vireo_domain_describe_guest:
 * A few words on what runs in the VM, for lists: the OS its guest agent
 * names while it runs, else the OS virt-manager recorded, else how it
 * boots.
 *
 * Returns: (transfer full) (nullable): a translated description
 */
char *
vireo_domain_describe_guest (VireoDomain *self)
{
  const VireoDomainConfig *config;
  char *name;

  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  config = self->config;
  if (self->guest_os && *self->guest_os)
    return g_strdup (self->guest_os);
  if ((name = libosinfo_name (config)) != NULL)
    return name;
  if (config->kernel)
    return g_strdup (_("Linux, booted from a kernel file"));
  if (config->boot_devs->len > 0 && g_str_equal (g_ptr_array_index (config->boot_devs, 0), "cdrom"))
    for (guint i = 0; i < config->disks->len; i++)
      {
        const VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);

        if (disk->device == VIREO_DISK_DEVICE_CDROM && disk->path)
          {
            g_autofree char *base = g_path_get_basename (disk->path);
            return g_strdup_printf (_("Installing from %s"), base);
          }
      }
  return NULL;
}
