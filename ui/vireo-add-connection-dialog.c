/* vireo-add-connection-dialog.c: save and connect a libvirt host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This computer's system or session libvirt, another computer over SSH
 * (user, host, port, system or session: qemu+ssh://user@host:port/system)
 * or any URI typed in; a title and whether it connects at start.  The
 * URI field shows what will be saved.  The engine judges the URI
 * (vireo_hosts_check_uri) and saves it (vireo_hosts_add); a refusal stays
 * in the dialog in one line, and nothing is saved.  Once saved, the host
 * connects and the dialog closes: the window's list shows it connecting.
 */
#include <glib/gi18n.h>

#include "vireo-add-connection-dialog.h"

#define SSH_PORT 22

struct _VireoAddConnectionDialog
{
  GtkDialog parent_instance;

  /* template children */
  GtkComboBox *kind_combo;
  GtkEntry *uri_entry;
  GtkEntry *title_entry;
  GtkWidget *ssh_grid;
  GtkEntry *user_entry;
  GtkEntry *host_entry;
  GtkSpinButton *port_spin;
  GtkComboBox *instance_combo;
  GtkToggleButton *autoconnect_check;
  GtkLabel *error_label;
  GtkWidget *add_button;

  /* owned */
  VireoHosts *hosts;
  gboolean filling;            /* the URI is being filled in, not typed */
};

G_DEFINE_FINAL_TYPE (VireoAddConnectionDialog, vireo_add_connection_dialog, GTK_TYPE_DIALOG)

static void
set_error (VireoAddConnectionDialog *self,
           const char               *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* The SSH fields as a URI; an empty host leaves the host out, which the
 * engine then refuses with its reason. */
static char *
ssh_uri (VireoAddConnectionDialog *self)
{
  g_autofree char *user = g_strstrip (g_strdup (gtk_entry_get_text (self->user_entry)));
  g_autofree char *host = g_strstrip (g_strdup (gtk_entry_get_text (self->host_entry)));
  int port = gtk_spin_button_get_value_as_int (self->port_spin);
  g_autofree char *port_part = port != SSH_PORT ? g_strdup_printf (":%d", port) : g_strdup ("");
  const char *instance = gtk_combo_box_get_active_id (self->instance_combo);

  return g_strdup_printf ("qemu+ssh://%s%s%s%s/%s", user, *user ? "@" : "", host, port_part,
                          g_strcmp0 (instance, "session") == 0 ? "session" : "system");
}

/**
 * vireo_add_connection_dialog_get_uri:
 * Returns: (transfer full): the URI the form says now
 */
char *
vireo_add_connection_dialog_get_uri (VireoAddConnectionDialog *self)
{
  const char *kind = gtk_combo_box_get_active_id (self->kind_combo);

  if (g_strcmp0 (kind, "system") == 0)
    return g_strdup ("qemu:///system");
  if (g_strcmp0 (kind, "session") == 0)
    return g_strdup ("qemu:///session");
  if (g_strcmp0 (kind, "ssh") == 0)
    return ssh_uri (self);
  return g_strstrip (g_strdup (gtk_entry_get_text (self->uri_entry)));
}

/* The URI field follows the other fields, and is typed in only for a
 * custom URI. */
static void
on_changed (VireoAddConnectionDialog *self)
{
  const char *kind = gtk_combo_box_get_active_id (self->kind_combo);
  gboolean custom = g_strcmp0 (kind, "custom") == 0;
  g_autofree char *uri = NULL;

  if (self->filling)
    return;
  gtk_widget_set_visible (self->ssh_grid, g_strcmp0 (kind, "ssh") == 0);
  gtk_editable_set_editable (GTK_EDITABLE (self->uri_entry), custom);
  gtk_widget_set_can_focus (GTK_WIDGET (self->uri_entry), custom);
  if (!custom)
    {
      uri = vireo_add_connection_dialog_get_uri (self);
      self->filling = TRUE;
      gtk_entry_set_text (self->uri_entry, uri);
      self->filling = FALSE;
    }
  set_error (self, NULL);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* the host's header shows the state and the error it keeps */
  if (!vireo_backend_connect_finish (VIREO_BACKEND (source), result, &error))
    g_debug ("Host %s did not connect: %s", vireo_backend_get_uri (VIREO_BACKEND (source)), error->message);
}

/* Saves the host and connects it; FALSE with the reason shown when the
 * engine refuses. */
static gboolean
add (VireoAddConnectionDialog *self)
{
  g_autofree char *uri = vireo_add_connection_dialog_get_uri (self);
  g_autofree char *title = g_strstrip (g_strdup (gtk_entry_get_text (self->title_entry)));
  g_autoptr(GError) error = NULL;
  VireoBackend *backend;

  if (!vireo_hosts_check_uri (uri, &error) ||
      !vireo_hosts_add (self->hosts, uri, title, gtk_toggle_button_get_active (self->autoconnect_check), &error))
    {
      set_error (self, error->message);
      return FALSE;
    }
  if ((backend = vireo_hosts_lookup (self->hosts, uri)) != NULL)
    vireo_backend_connect_async (backend, NULL, on_connected, NULL);
  return TRUE;
}

static void
vireo_add_connection_dialog_response (GtkDialog *dialog,
                                      int        response)
{
  VireoAddConnectionDialog *self = VIREO_ADD_CONNECTION_DIALOG (dialog);

  /* refused: the reason shows, and the dialog stays */
  if (response == GTK_RESPONSE_OK && !add (self))
    return;
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
vireo_add_connection_dialog_dispose (GObject *object)
{
  VireoAddConnectionDialog *self = VIREO_ADD_CONNECTION_DIALOG (object);

  g_clear_object (&self->hosts);
  G_OBJECT_CLASS (vireo_add_connection_dialog_parent_class)->dispose (object);
}

static void
vireo_add_connection_dialog_class_init (VireoAddConnectionDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_add_connection_dialog_dispose;
  GTK_DIALOG_CLASS (klass)->response = vireo_add_connection_dialog_response;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-add-connection-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, kind_combo);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, uri_entry);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, title_entry);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, ssh_grid);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, user_entry);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, host_entry);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, port_spin);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, instance_combo);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, autoconnect_check);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, add_button);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
}

static void
vireo_add_connection_dialog_init (VireoAddConnectionDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  on_changed (self);
}

/**
 * vireo_add_connection_dialog_new:
 * @hosts: where the new host is saved
 *
 * Returns: (transfer none): the dialog, shown; it closes itself
 */
GtkWidget *
vireo_add_connection_dialog_new (GtkWindow  *parent,
                                 VireoHosts *hosts)
{
  VireoAddConnectionDialog *self = g_object_new (VIREO_TYPE_ADD_CONNECTION_DIALOG,
                                                 "transient-for", parent, "use-header-bar", FALSE, NULL);

  self->hosts = g_object_ref (hosts);
  gtk_widget_show (GTK_WIDGET (self));
  return GTK_WIDGET (self);
}
