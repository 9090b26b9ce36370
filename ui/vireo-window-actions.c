/* vireo-window-actions.c: what the manager window's menus and buttons do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each action works on the selected VM; the window enables them as the
 * engine's policy says the VM's state allows (vireo_domain_can).  The
 * lifecycle verbs are VireoDomainActions', shared with the VM window;
 * their errors go to the info bar.
 */
#include <glib/gi18n.h>

#include "vireo.h"
#include "vireo-clone-dialog.h"
#include "vireo-domain-actions.h"
#include "vireo-networks-window.h"
#include "vireo-new-vm-assistant.h"
#include "vireo-preferences.h"
#include "vireo-take-snapshot-dialog.h"
#include "vireo-vm-list.h"
#include "vireo-vm-row.h"
#include "vireo-vm-window.h"
#include "vireo-window-private.h"

static void
show_preferences (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (vireo_preferences_new (GTK_WINDOW (user_data))));
}

static void
open_console (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  VireoWindow *self = user_data;

  if (self->selected)
    vireo_window_open_vm_window (self, self->selected);
}

static void
on_demo_created (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  VireoDomain *domain = vireo_demo_create_finish (VIREO_LOCAL_BACKEND (source), result, &error);
  VireoWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (domain == NULL)
    {
      vireo_window_show_error (self, error);
      return;
    }
  vireo_window_select_domain (self, domain);
  vireo_domain_actions_run (self->domain_actions, domain, VIREO_DOMAIN_OP_START);
}

static void
create_demo (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  VireoWindow *self = user_data;
  g_autofree char *guest = vireo_demo_find_guest_dir ();

  vireo_demo_create_async (self->engine, guest, self->cancellable, on_demo_created, self);
}

static void
on_vm_created (VireoNewVmAssistant *assistant,
               VireoDomain         *domain,
               gboolean             start_it,
               gboolean             customize,
               VireoWindow         *self)
{
  vireo_window_select_domain (self, domain);
  if (customize)
    {
      /* the user starts it from there, once the settings are right */
      GtkWidget *window = vireo_window_open_vm_window (self, domain);
      vireo_vm_window_show_page (VIREO_VM_WINDOW (window), "details");
    }
  else if (start_it)
    vireo_domain_actions_run (self->domain_actions, domain, VIREO_DOMAIN_OP_START);
}

/**
 * vireo_window_new_networks_window:
 * The Networks window, on the selected VM's host when it is connected
 * and has networks, else on this computer; with several hosts it
 * chooses among them.
 *
 * Returns: (transfer none): the window, not yet shown
 */
GtkWidget *
vireo_window_new_networks_window (VireoWindow *self)
{
  VireoBackend *host = self->selected != NULL ? vireo_domain_get_backend (self->selected) : NULL;

  if (host == NULL || !vireo_backend_check_networks (host, NULL))
    host = VIREO_BACKEND (self->engine);
  return vireo_networks_window_new (GTK_WINDOW (self), self->hosts, host);
}

/**
 * vireo_window_new_vm:
 * Opens the New VM wizard.
 *
 * Returns: (transfer none): the wizard
 */
GtkWidget *
vireo_window_new_vm (VireoWindow *self)
{
  VireoBackend *host = self->selected != NULL ? vireo_domain_get_backend (self->selected) : NULL;
  GtkWidget *assistant;

  /* the selected VM's host, if it can take one now; else this computer */
  if (host == NULL || vireo_backend_get_state (host) != VIREO_BACKEND_STATE_CONNECTED)
    host = VIREO_BACKEND (self->engine);
  assistant = vireo_new_vm_assistant_new (GTK_WINDOW (self), self->hosts, host);

  g_signal_connect_object (assistant, "created", G_CALLBACK (on_vm_created), self, 0);
  gtk_window_present (GTK_WINDOW (assistant));
  return assistant;
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VireoWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!vireo_backend_undefine_domain_finish (VIREO_BACKEND (source), result, &error))
    vireo_window_show_error (self, error);
}

static void
on_delete_response (GtkDialog   *dialog,
                    int          response,
                    VireoWindow *self)
{
  GtkWidget *check = g_object_get_data (G_OBJECT (dialog), "remove-storage");
  VireoDomain *domain = g_object_get_data (G_OBJECT (dialog), "domain");

  /* the files go on the worker pool: a large image takes a while to unlink */
  if (response == GTK_RESPONSE_ACCEPT)
    vireo_backend_undefine_domain_async (vireo_domain_get_backend (domain), domain,
                                         gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (check)),
                                         NULL, on_deleted, g_object_ref (self));
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/**
 * vireo_window_delete_vm:
 * Asks whether to delete the selected VM and whether its disks go too.
 *
 * Returns: (transfer none) (nullable): the question
 */
GtkWidget *
vireo_window_delete_vm (VireoWindow *self)
{
  GtkWidget *dialog, *check, *area;

  if (self->selected == NULL)
    return NULL;
  dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Delete VM “%s”?"), vireo_domain_get_name (self->selected));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("Its definition and snapshots go. CD-ROM images and disks "
                                              "shared with other VMs are never deleted."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Delete"), GTK_RESPONSE_ACCEPT, NULL);
  gtk_style_context_add_class (gtk_widget_get_style_context (
      gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT)),
      GTK_STYLE_CLASS_DESTRUCTIVE_ACTION);
  check = gtk_check_button_new_with_mnemonic (_("Also delete its _disk images"));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (check), TRUE);
  area = gtk_message_dialog_get_message_area (GTK_MESSAGE_DIALOG (dialog));
  gtk_container_add (GTK_CONTAINER (area), check);
  gtk_widget_show (check);
  g_object_set_data (G_OBJECT (dialog), "remove-storage", check);
  g_object_set_data_full (G_OBJECT (dialog), "domain", g_object_ref (self->selected), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_delete_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
delete_vm (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  vireo_window_delete_vm (user_data);
}

/* An open window of the VM shows the new snapshot at once. */
static void
on_taken (GtkWidget   *dialog,
          const char  *name,
          VireoWindow *self)
{
  VireoDomain *domain = g_object_get_data (G_OBJECT (dialog), "domain");
  GtkWidget *window = g_hash_table_lookup (self->vm_windows, vireo_domain_get_uuid (domain));

  if (window != NULL)
    vireo_snapshots_view_reload (vireo_vm_window_get_snapshots_view (VIREO_VM_WINDOW (window)));
}

/**
 * vireo_window_take_snapshot:
 * Opens the Take Snapshot dialog for the selected VM.
 *
 * Returns: (transfer none) (nullable): the dialog
 */
GtkWidget *
vireo_window_take_snapshot (VireoWindow *self)
{
  GtkWidget *dialog;

  if (self->selected == NULL)
    return NULL;
  dialog = vireo_take_snapshot_dialog_new (GTK_WINDOW (self), self->selected, NULL);
  g_object_set_data_full (G_OBJECT (dialog), "domain", g_object_ref (self->selected), g_object_unref);
  g_signal_connect_object (dialog, "taken", G_CALLBACK (on_taken), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
take_snapshot (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  vireo_window_take_snapshot (user_data);
}

static void
on_cloned (VireoCloneDialog *dialog,
           VireoDomain      *clone,
           VireoWindow      *self)
{
  /* the engine's list has the new VM already: show it */
  vireo_window_select_domain (self, clone);
}

/**
 * vireo_window_clone_vm:
 * Opens the Clone dialog for the selected VM, from its current state.
 *
 * Returns: (transfer none) (nullable): the dialog
 */
GtkWidget *
vireo_window_clone_vm (VireoWindow *self)
{
  GtkWidget *dialog;

  if (self->selected == NULL)
    return NULL;
  dialog = vireo_clone_dialog_new (GTK_WINDOW (self), self->selected, NULL, NULL);
  g_signal_connect_object (dialog, "cloned", G_CALLBACK (on_cloned), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
clone_vm (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  vireo_window_clone_vm (user_data);
}

static void
new_vm (GSimpleAction *action,
        GVariant      *param,
        gpointer       user_data)
{
  vireo_window_new_vm (user_data);
}

static const GActionEntry entries[] = {
  { "new-vm", new_vm },
  { "open-console", open_console },
  { "create-demo", create_demo },
  { "delete", delete_vm },
  { "take-snapshot", take_snapshot },
  { "clone", clone_vm },
  { "preferences", show_preferences },
};

/* The lifecycle verbs, run on the selected VM (vireo-domain-actions.c);
 * "pause" resumes a paused VM. */
static const VireoDomainActionEntry lifecycle[] = {
  { "start", VIREO_DOMAIN_OP_START, VIREO_DOMAIN_OP_START },
  { "shutdown", VIREO_DOMAIN_OP_SHUTDOWN, VIREO_DOMAIN_OP_SHUTDOWN },
  { "force-off", VIREO_DOMAIN_OP_FORCE_OFF, VIREO_DOMAIN_OP_FORCE_OFF },
  { "reboot", VIREO_DOMAIN_OP_REBOOT, VIREO_DOMAIN_OP_REBOOT },
  { "pause", VIREO_DOMAIN_OP_PAUSE, VIREO_DOMAIN_OP_RESUME },
};

static void
on_lifecycle_failed (VireoDomainActions *actions,
                     VireoDomain        *domain,
                     const GError       *error,
                     VireoWindow        *self)
{
  _vireo_window_show_domain_error (self, domain, error);
}

static void
on_lifecycle_noted (VireoDomainActions *actions,
                    VireoDomain        *domain,
                    const char         *note,
                    VireoWindow        *self)
{
  vireo_window_show_note (self, note);
}

void
_vireo_window_add_actions (VireoWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  self->domain_actions = vireo_domain_actions_new (GTK_WINDOW (self), self->cancellable,
                                                   lifecycle, G_N_ELEMENTS (lifecycle));
  g_signal_connect_object (self->domain_actions, "failed", G_CALLBACK (on_lifecycle_failed), self, 0);
  g_signal_connect_object (self->domain_actions, "noted", G_CALLBACK (on_lifecycle_noted), self, 0);
}
