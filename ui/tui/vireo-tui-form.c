/* vireo-tui-form.c: the short New VM form (n)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Name, memory, vCPUs, a disk size, an ISO or a kernel (with its
 * initrd), the firmware and a TPM: what `vireoctl create` takes, through
 * the same vireo-create.  The VM goes to the selected VM's host when it is
 * connected (its paths are then that host's), else to this computer.
 * A bad entry is said in the status line and the form stays as typed.
 */
#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "vireo.h"
#include "vireo-tui.h"

enum {
  FIELD_NAME,
  FIELD_MEMORY,
  FIELD_VCPUS,
  FIELD_DISK,
  FIELD_BOOT,
  FIELD_INITRD,
  FIELD_FIRMWARE,
  FIELD_TPM,
  N_FIELDS
};

static const struct { const char *label; const char *hint; } fields[N_FIELDS] = {
  [FIELD_NAME] = { N_("Name"), N_("letters, digits, '.', '_' and '-'") },
  [FIELD_MEMORY] = { N_("Memory (MiB)"), NULL },
  [FIELD_VCPUS] = { N_("vCPUs"), NULL },
  [FIELD_DISK] = { N_("Disk size"), N_("like 20G; empty: no disk") },
  [FIELD_BOOT] = { N_("ISO or kernel"), N_("an installer .iso, or a Linux kernel to boot directly") },
  [FIELD_INITRD] = { N_("Initrd"), N_("with a kernel only; may be empty") },
  [FIELD_FIRMWARE] = { N_("Firmware"), N_("bios or uefi; empty: UEFI for an ISO when OVMF is installed") },
  [FIELD_TPM] = { N_("TPM 2.0"), N_("yes or no; empty: yes with UEFI for an ISO") },
};

typedef struct {
  GString *values[N_FIELDS];
  int focus;
  gboolean busy;
  VireoBackend *backend;     /* where the VM goes */
} Form;

static Form *form;

void
tui_form_open (Tui *tui)
{
  g_autoptr(VireoCreateOptions) defaults = vireo_create_options_new ();
  g_autofree char *memory = g_strdup_printf ("%u", defaults->memory_mib);
  g_autofree char *vcpus = g_strdup_printf ("%u", defaults->vcpus);
  g_autofree char *disk = g_strdup_printf ("%uG", VIREO_CREATE_DEFAULT_DISK_GIB);
  TuiRow *selected = tui_selected_row (tui);
  VireoBackend *host;

  if (form == NULL)
    {
      form = g_new0 (Form, 1);
      for (int i = 0; i < N_FIELDS; i++)
        form->values[i] = g_string_new (NULL);
    }
  for (int i = 0; i < N_FIELDS; i++)
    g_string_truncate (form->values[i], 0);
  g_string_assign (form->values[FIELD_MEMORY], memory);
  g_string_assign (form->values[FIELD_VCPUS], vcpus);
  g_string_assign (form->values[FIELD_DISK], disk);
  form->focus = FIELD_NAME;
  form->busy = FALSE;
  host = selected != NULL && selected->domain != NULL ? vireo_domain_get_backend (selected->domain) : NULL;
  if (host == NULL || vireo_backend_get_state (host) != VIREO_BACKEND_STATE_CONNECTED)
    host = VIREO_BACKEND (tui->engine);
  g_set_object (&form->backend, host);
  tui->mode = TUI_MODE_FORM;
}

void
tui_form_free (void)
{
  if (form == NULL)
    return;
  for (int i = 0; i < N_FIELDS; i++)
    g_string_free (form->values[i], TRUE);
  g_clear_object (&form->backend);
  g_clear_pointer (&form, g_free);
}

void
tui_form_draw (Tui *tui)
{
  int width = getmaxx (stdscr);
  int y = 2;

  attron (A_BOLD);
  if (form->backend == VIREO_BACKEND (tui->engine))
    mvaddstr (0, 0, _("New VM"));
  else
    {
      /* Translators: the TUI's New VM form for another host */
      g_autofree char *title = g_strdup_printf (_("New VM on host %s"), vireo_backend_get_title (form->backend));

      mvaddnstr (0, 0, title, width);
    }
  attroff (A_BOLD);
  for (int i = 0; i < N_FIELDS; i++)
    {
      int x = 18;

      mvaddstr (y, 2, _(fields[i].label));
      if (i == form->focus)
        attron (A_REVERSE);
      mvhline (y, x, ' ', MAX (0, MIN (40, width - x - 1)));
      mvaddnstr (y, x, form->values[i]->str, MAX (0, MIN (40, width - x - 1)));
      if (i == form->focus)
        attroff (A_REVERSE);
      if (fields[i].hint && y + 1 < getmaxy (stdscr) - 2)
        {
          attron (A_DIM);
          mvaddnstr (y + 1, x, _(fields[i].hint), MAX (0, width - x - 1));
          attroff (A_DIM);
        }
      y += fields[i].hint ? 2 : 1;
    }
  mvaddnstr (getmaxy (stdscr) - 2, 0,
             form->busy ? _("Creating…") : _("Enter creates the VM, Tab moves, Esc cancels."), width);
}

/* The firmware and TPM fields: empty takes the engine's default for the
 * source. */
static gboolean
parse_firmware (Tui                *tui,
                VireoCreateOptions *o)
{
  const char *firmware = form->values[FIELD_FIRMWARE]->str;
  const char *tpm = form->values[FIELD_TPM]->str;

  vireo_create_default_firmware (o->cdrom != NULL, &o->efi, &o->tpm);
  if (*firmware)
    o->efi = g_ascii_strcasecmp (firmware, "uefi") == 0 || g_ascii_strcasecmp (firmware, "efi") == 0;
  if (*firmware && !o->efi && g_ascii_strcasecmp (firmware, "bios") != 0)
    {
      form->focus = FIELD_FIRMWARE;
      tui_set_status (tui, TRUE, _("VM '%s': the firmware is bios or uefi"), o->name);
      return FALSE;
    }
  if (*tpm)
    o->tpm = g_ascii_strcasecmp (tpm, "yes") == 0;
  if (*tpm && !o->tpm && g_ascii_strcasecmp (tpm, "no") != 0)
    {
      form->focus = FIELD_TPM;
      tui_set_status (tui, TRUE, _("VM '%s': TPM 2.0 is yes or no"), o->name);
      return FALSE;
    }
  return TRUE;
}

/* A whole number; the engine says whether it is in range. */
static gboolean
parse_count (const char *text,
             guint      *value)
{
  char *end = NULL;
  guint64 v = g_ascii_strtoull (text, &end, 10);

  if (end == text || *end != '\0' || v > G_MAXUINT)
    return FALSE;
  *value = v;
  return TRUE;
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Tui *tui = user_data;
  g_autoptr(GError) error = NULL;
  VireoDomain *domain = vireo_create_domain_finish (VIREO_BACKEND (source), result, &error);

  if (form)
    form->busy = FALSE;
  if (domain == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tui_set_status (tui, TRUE, "%s", error->message);
      return;
    }
  tui->mode = TUI_MODE_TABLE;
  tui_select_domain (tui, domain);
  tui_set_status (tui, FALSE, _("VM '%s' created: s starts it."), vireo_domain_get_name (domain));
  g_object_unref (domain);
}

static void
submit (Tui *tui)
{
  g_autoptr(VireoCreateOptions) o = vireo_create_options_new ();
  g_autoptr(GError) error = NULL;
  const char *name = form->values[FIELD_NAME]->str;
  const char *disk = form->values[FIELD_DISK]->str;
  const char *boot = form->values[FIELD_BOOT]->str;
  const char *initrd = form->values[FIELD_INITRD]->str;
  g_autofree char *lower = NULL;

  if (!vireo_backend_check_new_name (form->backend, name, &error))
    {
      form->focus = FIELD_NAME;
      tui_set_status (tui, TRUE, "%s", error->message);
      return;
    }
  if (!parse_count (form->values[FIELD_MEMORY]->str, &o->memory_mib))
    {
      form->focus = FIELD_MEMORY;
      tui_set_status (tui, TRUE, _("VM '%s': memory is a whole number of MiB"), name);
      return;
    }
  if (!parse_count (form->values[FIELD_VCPUS]->str, &o->vcpus))
    {
      form->focus = FIELD_VCPUS;
      tui_set_status (tui, TRUE, _("VM '%s': vCPUs is a whole number"), name);
      return;
    }
  if (*disk && !vireo_storage_parse_size (disk, &o->disk_bytes, &error))
    {
      form->focus = FIELD_DISK;
      tui_set_status (tui, TRUE, "%s", error->message);
      return;
    }
  o->name = g_strdup (name);
  lower = g_ascii_strdown (boot, -1);
  if (*boot && g_str_has_suffix (lower, ".iso"))
    o->cdrom = g_strdup (boot);
  else if (*boot)
    {
      o->kernel = g_strdup (boot);
      o->cmdline = g_strdup ("console=tty0 console=ttyS0");
    }
  if (*initrd)
    o->initrd = g_strdup (initrd);
  if (!parse_firmware (tui, o))
    return;

  form->busy = TRUE;
  tui_set_status (tui, FALSE, _("Creating VM '%s'…"), name);
  vireo_create_domain_async (form->backend, o, NULL, tui->cancellable, on_created, tui);
}

TuiRedraw
tui_form_key (Tui *tui,
              int  key)
{
  GString *value = form->values[form->focus];

  if (form->busy)
    return TUI_REDRAW_NONE;
  switch (key)
    {
    case 27:
      tui->mode = TUI_MODE_TABLE;
      tui_set_status (tui, FALSE, "%s", _("No VM was created."));
      break;
    case '\t': case KEY_DOWN:
      form->focus = (form->focus + 1) % N_FIELDS;
      break;
    case KEY_BTAB: case KEY_UP:
      form->focus = (form->focus + N_FIELDS - 1) % N_FIELDS;
      break;
    case '\r': case '\n': case KEY_ENTER:
      submit (tui);
      break;
    default:
      if (!tui_edit_text (value, key))
        return TUI_REDRAW_NONE;
    }
  return TUI_REDRAW_ALL;
}
