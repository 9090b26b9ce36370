/* vireo-tui-details.c: the detail pane of one VM (Enter)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <string.h>

#include "vireo-tui.h"

static int
field (int         y,
       const char *label,
       const char *value)
{
  int height = getmaxy (stdscr);

  if (y >= height - 2)
    return y;
  attron (A_BOLD);
  mvaddstr (y, 2, label);
  attroff (A_BOLD);
  mvaddnstr (y, 20, value ? value : "", MAX (0, getmaxx (stdscr) - 21));
  return y + 1;
}

static int
heading (int         y,
         const char *text)
{
  if (y >= getmaxy (stdscr) - 2)
    return y;
  attron (A_REVERSE);
  mvhline (y, 0, ' ', getmaxx (stdscr));
  mvaddstr (y, 1, text);
  attroff (A_REVERSE);
  return y + 1;
}

void
tui_details_draw (Tui *tui)
{
  TuiRow *row = tui_selected_row (tui);
  const VireoDomainConfig *config;
  const char * const *addresses;
  g_autofree char *state = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *cpus = NULL;
  g_autofree char *guest = NULL;
  g_autofree char *boot = NULL;
  g_autoptr(GError) problem = NULL;
  int y = 0;

  if (row == NULL)
    {
      /* a question or a prompt open over the pane stays, over the table */
      if (tui->mode == TUI_MODE_DETAILS)
        tui->mode = TUI_MODE_TABLE;
      else
        tui->back_mode = TUI_MODE_TABLE;
      return;
    }
  config = vireo_domain_get_config (row->domain);
  addresses = vireo_domain_get_guest_addresses (row->domain);
  state = vireo_domain_get_state_reason (row->domain) && *vireo_domain_get_state_reason (row->domain)
          /* Translators: a VM's state and why: "Crashed (QEMU was killed by signal 9 (Killed))" */
          ? g_strdup_printf (_("%1$s (%2$s)"), vireo_domain_state_get_label (vireo_domain_get_state (row->domain)),
                             vireo_domain_get_state_reason (row->domain))
          : g_strdup (vireo_domain_state_get_label (vireo_domain_get_state (row->domain)));
  memory = g_format_size_full (config->memory_kib * 1024, G_FORMAT_SIZE_IEC_UNITS);
  cpus = g_strdup_printf ("%u", config->vcpus);
  guest = vireo_domain_describe_guest (row->domain);
  boot = vireo_domain_config_describe_boot (config);

  y = heading (y, config->name);
  y = field (y + 1, _("Title"), config->title);
  if (tui_hosts_many (tui))
    y = field (y, _("Host"), vireo_backend_get_title (vireo_domain_get_backend (row->domain)));
  y = field (y, _("State"), state);
  /* a libvirt VM whose definition Vireo reads only in part: the engine says why */
  if (vireo_domain_get_config_problem (row->domain) != NULL &&
      !vireo_domain_check (row->domain, VIREO_DOMAIN_OP_EDIT, &problem))
    y = field (y, "", problem->message);
  if (vireo_domain_has_pending_changes (row->domain))
    y = field (y, "", _("Some changes take effect when the VM next starts."));
  y = field (y, _("Guest"), guest);
  if (addresses)
    {
      g_autofree char *joined = g_strjoinv ("  ", (char **) addresses);
      y = field (y, _("Addresses"), joined);
    }
  y = field (y, "UUID", config->uuid);
  y = field (y, _("Machine"), config->machine);
  y = field (y, _("Accelerator"), vireo_accel_to_string (config->accel));
  y = field (y, _("vCPUs"), cpus);
  y = field (y, _("Memory"), memory);
  y = field (y, _("Boot"), boot);

  y = heading (y + 1, _("Disks"));
  for (guint i = 0; i < config->disks->len; i++)
    {
      const VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);
      g_autofree char *what = g_strdup_printf ("%s %s", disk->target,
                                               disk->device == VIREO_DISK_DEVICE_CDROM ? _("CD-ROM") : _("disk"));
      g_autofree char *where = g_strdup_printf ("%s · %s · %s", vireo_disk_bus_to_string (disk->bus), disk->format,
                                                disk->path ? disk->path : _("(empty)"));
      y = field (y, what, where);
    }
  y = heading (y + 1, _("Network interfaces"));
  for (guint i = 0; i < config->nics->len; i++)
    {
      const VireoNicConfig *nic = g_ptr_array_index (config->nics, i);
      g_autofree char *source = nic->type == VIREO_NET_USER ? g_strdup (_("user-mode networking"))
                                                            : g_strdup_printf (_("network %s"), nic->network);
      g_autofree char *what = g_strdup_printf ("%s · %s", nic->model, source);
      y = field (y, nic->mac, what);
    }
  y = heading (y + 1, _("Snapshots"));
  tui_snapshots_draw (tui, row->domain, y);
}
