/* vireo-details-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both pages save through vireo_local_backend_define_domain(), so every rule of
 * the engine applies, and errors show in place under the form.  A running
 * VM keeps its old settings until it next starts: the view says so.
 */
#include <glib/gi18n.h>

#include "vireo-add-disk-dialog.h"
#include "vireo-convert-disk-dialog.h"
#include "vireo-details-view.h"
#include "vireo-disk-row.h"
#include "vireo.h"
#include "vireo-file-chooser.h"
#include "vireo-nic-row.h"

struct _VireoDetailsView
{
  GtkBox parent_instance;

  /* template children */
  GtkLabel *name_label;
  GtkLabel *uuid_label;
  GtkLabel *machine_label;
  GtkLabel *firmware_label;
  GtkLabel *tpm_label;
  GtkLabel *unapplied_title;
  GtkLabel *unapplied_label;
  GtkEntry *title_entry;
  GtkEntry *description_entry;
  GtkComboBox *accel_combo;
  GtkSpinButton *vcpus_spin;
  GtkSpinButton *memory_spin;
  GtkTextView *xml_view;
  GtkLabel *status_label;
  GtkButton *apply_button;
  GtkListBox *disks_list;
  GtkWidget *add_disk_button;
  GtkNotebook *notebook;
  GtkComboBoxText *boot_combo;
  GtkListBox *nics_list;
  GtkLabel *addresses_label;
  GtkEntry *kernel_entry;
  GtkEntry *initrd_entry;
  GtkEntry *cmdline_entry;
  GtkSwitch *vnc_switch;
  GtkComboBoxText *video_combo;
  GtkSwitch *serial_switch;
  GtkWidget *pending_bar;
  GtkWidget *display_apply_button;

  /* owned */
  VireoLocalBackend *engine;
  VireoDomain *domain;
  GCancellable *cancellable;
  gulong config_handler;
  GBinding *pending_binding;
};

static void load_disks (VireoDetailsView *self);
static void load_nics (VireoDetailsView *self);
static void save (VireoDetailsView *self, const VireoDomainConfig *config);
static void set_status (VireoDetailsView *self, const char *text, gboolean error);

G_DEFINE_FINAL_TYPE (VireoDetailsView, vireo_details_view, GTK_TYPE_BOX)

/* What the definition keeps for libvirt that Vireo does not apply, one
 * per line; the row hides when there is nothing. */
static void
load_unapplied (VireoDetailsView        *self,
                const VireoDomainConfig *config)
{
  g_auto(GStrv) lines = vireo_domain_config_list_unapplied (config);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; lines[i]; i++)
    g_string_append_printf (text, "%s• %s", i > 0 ? "\n" : "", lines[i]);
  gtk_label_set_text (self->unapplied_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->unapplied_label), lines[0] != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->unapplied_title), lines[0] != NULL);
}

/* Why @op cannot be asked of the VM, or NULL when it can. */
static char *
refusal (VireoDomain   *domain,
         VireoDomainOp  op)
{
  g_autoptr(GError) error = NULL;

  return vireo_domain_check (domain, op, &error) ? NULL : g_strdup (error->message);
}

static void
set_editable (GtkWidget  *widget,
              const char *why)
{
  gtk_widget_set_sensitive (widget, why == NULL);
  gtk_widget_set_tooltip_text (widget, why);
}

/* What Vireo cannot change here (a host that cannot yet, a definition
 * Vireo shows only in summary) is insensitive with the engine's reason as
 * its tooltip, and the reason shows under the form. */
static void
update_editable (VireoDetailsView *self)
{
  g_autofree char *edit = refusal (self->domain, VIREO_DOMAIN_OP_EDIT);
  g_autofree char *media = refusal (self->domain, VIREO_DOMAIN_OP_CHANGE_MEDIA);
  g_autofree char *disks = refusal (self->domain, VIREO_DOMAIN_OP_CHANGE_DISKS);
  g_autofree char *forward = refusal (self->domain, VIREO_DOMAIN_OP_PORT_FORWARD);
  GtkWidget *overview[] = {
    GTK_WIDGET (self->title_entry), GTK_WIDGET (self->description_entry), GTK_WIDGET (self->accel_combo),
    GTK_WIDGET (self->vcpus_spin), GTK_WIDGET (self->memory_spin), GTK_WIDGET (self->boot_combo),
    GTK_WIDGET (self->kernel_entry), GTK_WIDGET (self->initrd_entry), GTK_WIDGET (self->cmdline_entry),
    GTK_WIDGET (self->apply_button),
  };

  g_autoptr(GList) rows = gtk_container_get_children (GTK_CONTAINER (self->disks_list));

  for (guint i = 0; i < G_N_ELEMENTS (overview); i++)
    set_editable (overview[i], edit);
  /* the disks page: adding and removing disks and changing media each
   * follow their own operation; the page is off only when neither can */
  set_editable (gtk_notebook_get_nth_page (self->notebook, 1), edit ? edit : disks && media ? disks : NULL);
  set_editable (self->add_disk_button, disks);
  for (GList *l = rows; l; l = l->next)
    if (VIREO_IS_DISK_ROW (l->data))
      vireo_disk_row_set_refusals (l->data, disks, media);
  set_editable (gtk_notebook_get_nth_page (self->notebook, 2), edit ? edit : forward);
  set_editable (gtk_notebook_get_nth_page (self->notebook, 3), edit);
  gtk_text_view_set_editable (self->xml_view, edit == NULL);
  set_editable (GTK_WIDGET (self->xml_view), NULL);
  if (edit != NULL)
    set_status (self, edit, FALSE);
}

static void
load (VireoDetailsView *self)
{
  const VireoDomainConfig *config = vireo_domain_get_config (self->domain);
  g_autofree char *xml = vireo_domain_get_xml (self->domain);

  gtk_label_set_text (self->name_label, config->name);
  gtk_label_set_text (self->uuid_label, config->uuid);
  gtk_label_set_text (self->machine_label, config->machine);
  gtk_label_set_text (self->firmware_label, vireo_domain_config_firmware_label (config));
  gtk_label_set_text (self->tpm_label, config->tpm_model ? _("TPM 2.0 (emulated)") : _("None"));
  load_unapplied (self, config);
  gtk_entry_set_text (self->title_entry, config->title ? config->title : "");
  gtk_entry_set_text (self->description_entry, config->description ? config->description : "");
  gtk_combo_box_set_active_id (self->accel_combo, vireo_accel_to_string (config->accel));
  gtk_spin_button_set_value (self->vcpus_spin, config->vcpus);
  gtk_spin_button_set_value (self->memory_spin, config->memory_kib / 1024);
  gtk_entry_set_text (self->kernel_entry, config->kernel ? config->kernel : "");
  gtk_entry_set_text (self->initrd_entry, config->initrd ? config->initrd : "");
  gtk_entry_set_text (self->cmdline_entry, config->cmdline ? config->cmdline : "");
  {
    /* the first boot device picks the choice; per-device orders show as "Hard disk" */
    const char *first = config->boot_devs->len > 0 ? g_ptr_array_index (config->boot_devs, 0) : "hd";
    gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->boot_combo),
                                 g_str_equal (first, "cdrom") ? "cdrom,hd" :
                                 g_str_equal (first, "network") ? "network,hd" : "hd");
  }
  gtk_switch_set_active (self->vnc_switch, config->vnc);
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->video_combo),
                               config->video_model ? config->video_model : "none");
  gtk_switch_set_active (self->serial_switch, config->serial);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->xml_view), xml, -1);
  load_disks (self);
  load_nics (self);
  update_editable (self);
}

static void
on_media_changed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (vireo_domain_change_media_finish (VIREO_DOMAIN (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_status (user_data, error->message, TRUE);
}

/**
 * vireo_details_view_change_media:
 * @path: (nullable): an image to insert, or %NULL to eject
 */
void
vireo_details_view_change_media (VireoDetailsView *self,
                                 const char       *target,
                                 const char       *path)
{
  vireo_domain_change_media_async (self->domain, target, path, self->cancellable, on_media_changed, self);
}

static void
on_eject (VireoDiskRow     *row,
          VireoDetailsView *self)
{
  vireo_details_view_change_media (self, vireo_disk_row_get_target (row), NULL);
}

/* The drive the chooser was opened for; the view is only touched when
 * its cancellable was not cancelled. */
typedef struct {
  VireoDetailsView *self;
  char *target;
} Insert;

static void
on_image_chosen (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Insert *insert = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = vireo_choose_file_finish (result, &error);

  if (path != NULL)
    vireo_details_view_change_media (insert->self, insert->target, path);
  g_free (insert->target);
  g_free (insert);
}

static void
on_insert (VireoDiskRow     *row,
           VireoDetailsView *self)
{
  Insert *insert = g_new0 (Insert, 1);

  insert->self = self;
  insert->target = g_strdup (vireo_disk_row_get_target (row));
  vireo_choose_file_async (GTK_WIDGET (self), _("Choose a CD-ROM Image"), self->cancellable,
                           on_image_chosen, insert);
}

static void
on_bus_changed (VireoDiskRow     *row,
                const char       *bus_id,
                VireoDetailsView *self)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_copy (vireo_domain_get_config (self->domain));
  VireoDiskBus bus;

  if (vireo_disk_bus_from_string (bus_id, &bus) &&
      vireo_domain_config_set_disk_bus (config, vireo_disk_row_get_target (row), bus) != NULL)
    save (self, config);
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (vireo_domain_detach_disk_finish (VIREO_DOMAIN (source), result, &error))
    set_status (user_data, _("Removed."), FALSE);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_status (user_data, error->message, TRUE);
}

/**
 * vireo_details_view_remove_disk:
 * @remove_storage: also delete the image (never one another VM uses)
 */
void
vireo_details_view_remove_disk (VireoDetailsView *self,
                                const char       *target,
                                gboolean          remove_storage)
{
  g_autofree char *why = refusal (self->domain, VIREO_DOMAIN_OP_CHANGE_DISKS);

  /* the XML page's buttons stay: their text is there to read and copy */
  if (why != NULL)
    {
      set_status (self, why, TRUE);
      return;
    }
  set_status (self, _("Saving…"), FALSE);
  vireo_domain_detach_disk_async (self->domain, target, remove_storage, self->cancellable, on_removed, self);
}

static void
on_remove_disk_response (GtkDialog        *dialog,
                         int               response,
                         VireoDetailsView *self)
{
  GtkWidget *check = g_object_get_data (G_OBJECT (dialog), "remove-storage");
  const char *target = g_object_get_data (G_OBJECT (dialog), "target");

  if (response == GTK_RESPONSE_ACCEPT)
    vireo_details_view_remove_disk (self, target,
                                    check != NULL && gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (check)));
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/* Asks first, as virt-manager does; deleting the image is opt-in.  The
 * dialog is modal and answers through ::response: no nested main loop. */
static void
on_remove_disk (VireoDiskRow     *row,
                VireoDetailsView *self)
{
  const char *target = vireo_disk_row_get_target (row);
  const VireoDiskConfig *disk = vireo_domain_config_lookup_disk (vireo_domain_get_config (self->domain), target);
  GtkWidget *toplevel = gtk_widget_get_toplevel (GTK_WIDGET (self));
  GtkWidget *dialog, *check = NULL;
  gboolean deletable;

  if (disk == NULL)
    return;
  /* the host's rule; images are deleted only while the VM is off */
  deletable = vireo_domain_get_backend (self->domain) != NULL &&
              vireo_backend_image_deletable (vireo_domain_get_backend (self->domain), self->domain, disk) &&
              !vireo_domain_is_active (self->domain);
  dialog = gtk_message_dialog_new (GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL,
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Remove “%s” from “%s”?"), target, vireo_domain_get_name (self->domain));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Remove"), GTK_RESPONSE_ACCEPT, NULL);
  if (deletable)
    {
      check = gtk_check_button_new_with_mnemonic (_("Also _delete the image file"));
      gtk_widget_set_tooltip_text (check, disk->path);
      gtk_widget_show (check);
      gtk_container_add (GTK_CONTAINER (gtk_message_dialog_get_message_area (GTK_MESSAGE_DIALOG (dialog))), check);
    }
  g_object_set_data (G_OBJECT (dialog), "remove-storage", check);
  g_object_set_data_full (G_OBJECT (dialog), "target", g_strdup (target), g_free);
  /* the dialog goes with the view: its answer must not reach a freed view */
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_disk_response), self, 0);
  g_signal_connect_object (self, "destroy", G_CALLBACK (gtk_widget_destroy), dialog, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_disk_added (VireoAddDiskDialog *dialog,
               const char         *target,
               VireoDetailsView   *self)
{
  g_autofree char *text = g_strdup_printf (_("Added “%s”."), target);

  set_status (self, text, FALSE);
}

/**
 * vireo_details_view_open_add_disk:
 * Returns: (transfer none): the Add a Disk dialog, shown
 */
GtkWidget *
vireo_details_view_open_add_disk (VireoDetailsView *self)
{
  GtkWidget *toplevel = gtk_widget_get_toplevel (GTK_WIDGET (self));
  GtkWidget *dialog = vireo_add_disk_dialog_new (GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL,
                                                 self->engine, self->domain);

  g_signal_connect_object (dialog, "added", G_CALLBACK (on_disk_added), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
on_add_disk (VireoDetailsView *self)
{
  vireo_details_view_open_add_disk (self);
}

static void
on_convert_done (VireoConvertDiskDialog *dialog,
                 const char             *message,
                 gboolean                error,
                 VireoDetailsView       *self)
{
  set_status (self, message, error);
}

/**
 * vireo_details_view_open_convert_disk:
 * @target: a raw disk ("vdb")
 *
 * Returns: (transfer none): the Convert to qcow2 dialog, shown; it asks,
 *   then converts with progress and Cancel, and the outcome shows here
 */
GtkWidget *
vireo_details_view_open_convert_disk (VireoDetailsView *self,
                                      const char       *target)
{
  GtkWidget *toplevel = gtk_widget_get_toplevel (GTK_WIDGET (self));
  GtkWidget *dialog = vireo_convert_disk_dialog_new (GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL,
                                                     self->engine, self->domain, target);

  g_signal_connect_object (dialog, "done", G_CALLBACK (on_convert_done), self, 0);
  /* the dialog goes with the view: closing it cancels the conversion */
  g_signal_connect_object (self, "destroy", G_CALLBACK (gtk_widget_destroy), dialog, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
on_convert_disk (VireoDiskRow     *row,
                 VireoDetailsView *self)
{
  vireo_details_view_open_convert_disk (self, vireo_disk_row_get_target (row));
}

/* Convert to qcow2… needs the VM shut off: the rows follow its state. */
static void
update_convert (VireoDetailsView *self)
{
  g_autoptr(GList) rows = gtk_container_get_children (GTK_CONTAINER (self->disks_list));
  gboolean can = vireo_domain_can (self->domain, VIREO_DOMAIN_OP_CONVERT_DISK);

  for (GList *l = rows; l; l = l->next)
    if (VIREO_IS_DISK_ROW (l->data))
      vireo_disk_row_set_can_convert (l->data, can);
}

static void
on_state_changed (VireoDomain      *domain,
                  GParamSpec       *pspec,
                  VireoDetailsView *self)
{
  update_convert (self);
  update_editable (self);
}

static void
clear_list (GtkListBox *list)
{
  g_autoptr(GList) children = gtk_container_get_children (GTK_CONTAINER (list));

  for (GList *l = children; l; l = l->next)
    gtk_widget_destroy (l->data);
}

/* One row per disk; CD-ROMs get Insert and Eject, which work while the
 * VM runs. */
static void
load_disks (VireoDetailsView *self)
{
  const VireoDomainConfig *config = vireo_domain_get_config (self->domain);

  clear_list (self->disks_list);
  for (guint i = 0; i < config->disks->len; i++)
    {
      GtkWidget *row = vireo_disk_row_new (config, g_ptr_array_index (config->disks, i));

      g_signal_connect_object (row, "insert", G_CALLBACK (on_insert), self, 0);
      g_signal_connect_object (row, "eject", G_CALLBACK (on_eject), self, 0);
      g_signal_connect_object (row, "bus-changed", G_CALLBACK (on_bus_changed), self, 0);
      g_signal_connect_object (row, "remove-requested", G_CALLBACK (on_remove_disk), self, 0);
      g_signal_connect_object (row, "convert-requested", G_CALLBACK (on_convert_disk), self, 0);
      gtk_list_box_insert (self->disks_list, row, -1);
    }
  update_convert (self);
}

/* NICs: each change is saved at once, like GNOME Boxes does. */
static void
on_nic_changed (VireoNicRow      *row,
                VireoDetailsView *self)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_copy (vireo_domain_get_config (self->domain));
  guint index = vireo_nic_row_get_index (row);

  if (index >= config->nics->len)
    return;
  vireo_nic_row_apply (row, g_ptr_array_index (config->nics, index));
  save (self, config);
}

static void
on_nic_remove (VireoNicRow      *row,
               VireoDetailsView *self)
{
  vireo_details_view_remove_nic (self, vireo_nic_row_get_index (row));
}

static void
on_forward_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean pending = FALSE;
  gboolean ok = g_async_result_is_tagged (result, vireo_port_forwards_add_async)
                ? vireo_port_forwards_add_finish (VIREO_LOCAL_BACKEND (source), result, &pending, &error)
                : vireo_port_forwards_remove_finish (VIREO_LOCAL_BACKEND (source), result, &pending, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!ok)
    set_status (user_data, error->message, TRUE);
  else
    set_status (user_data, pending ? _("Saved. The change takes effect when the VM next starts.")
                                   : _("Saved."), FALSE);
}

/* Port forwards apply to a running VM at once, so they go through the
 * engine's own calls rather than a plain save. */
static void
on_add_forward (VireoNicRow            *row,
                const VireoPortForward *forward,
                VireoDetailsView       *self)
{
  set_status (self, _("Saving…"), FALSE);
  vireo_port_forwards_add_async (self->engine, self->domain, vireo_nic_row_get_mac (row), forward,
                                 self->cancellable, on_forward_done, self);
}

static void
on_remove_forward (VireoNicRow            *row,
                   const VireoPortForward *rule,
                   VireoDetailsView       *self)
{
  set_status (self, _("Saving…"), FALSE);
  vireo_port_forwards_remove_async (self->engine, self->domain, vireo_nic_row_get_mac (row), rule,
                                    self->cancellable, on_forward_done, self);
}

static void
on_add_nic (VireoDetailsView *self)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_copy (vireo_domain_get_config (self->domain));
  g_autofree char *mac = vireo_backend_generate_mac (VIREO_BACKEND (self->engine));

  g_ptr_array_add (config->nics, vireo_nic_config_new (VIREO_NET_USER, NULL, mac));
  save (self, config);
}

static void
load_nics (VireoDetailsView *self)
{
  const VireoDomainConfig *config = vireo_domain_get_config (self->domain);
  /* the networks of the VM's own host; none once that host is gone */
  VireoBackend *backend = vireo_domain_get_backend (self->domain);
  GListModel *networks = backend != NULL ? vireo_backend_get_networks (backend) : NULL;

  clear_list (self->nics_list);
  for (guint i = 0; i < config->nics->len; i++)
    {
      GtkWidget *row = vireo_nic_row_new (g_ptr_array_index (config->nics, i), i, networks);

      g_signal_connect_object (row, "changed", G_CALLBACK (on_nic_changed), self, 0);
      g_signal_connect_object (row, "remove-requested", G_CALLBACK (on_nic_remove), self, 0);
      g_signal_connect_object (row, "add-forward", G_CALLBACK (on_add_forward), self, 0);
      g_signal_connect_object (row, "remove-forward", G_CALLBACK (on_remove_forward), self, 0);
      gtk_list_box_insert (self->nics_list, row, -1);
    }
}

static void
on_apply_display (VireoDetailsView *self)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_copy (vireo_domain_get_config (self->domain));
  const char *video = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->video_combo));

  config->vnc = gtk_switch_get_active (self->vnc_switch);
  config->serial = gtk_switch_get_active (self->serial_switch);
  /* a card turned off is said as <model type='none'/>; a VM that had no
   * <video> keeps having none */
  config->video_none = config->video_none || config->video_model != NULL;
  g_free (config->video_model);
  config->video_model = video == NULL || g_str_equal (video, "none") ? NULL : g_strdup (video);
  save (self, config);
}

static void
on_config_changed (VireoDomain      *domain,
                   GParamSpec       *pspec,
                   VireoDetailsView *self)
{
  load (self);
}

static void
set_status (VireoDetailsView *self,
            const char       *text,
            gboolean          error)
{
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (self->status_label));

  gtk_label_set_text (self->status_label, text);
  if (error)
    gtk_style_context_add_class (style, GTK_STYLE_CLASS_ERROR);
  else
    gtk_style_context_remove_class (style, GTK_STYLE_CLASS_ERROR);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = vireo_backend_define_domain_finish (VIREO_BACKEND (source), result, &error);
  VireoDetailsView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (domain == NULL)
    set_status (self, error->message, TRUE);
  else
    set_status (self, vireo_domain_is_active (self->domain)
                      ? _("Saved. The changes take effect when the VM next starts.")
                      : _("Saved."), FALSE);
}

/* The file is written on the worker pool; the status line says when it
 * is done, or why it was not. */
static void
save (VireoDetailsView        *self,
      const VireoDomainConfig *config)
{
  set_status (self, _("Saving…"), FALSE);
  /* on the VM's own host */
  vireo_backend_define_domain_async (vireo_domain_get_backend (self->domain), config, self->cancellable, on_saved, self);
}

static char *
entry_path (GtkEntry *entry)
{
  const char *text = gtk_entry_get_text (entry);

  return text && *text ? g_canonicalize_filename (text, NULL) : NULL;
}

/* Boot devices and direct kernel boot, as the form says. */
static void
set_boot (VireoDetailsView  *self,
          VireoDomainConfig *config)
{
  const char *order = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->boot_combo));
  const char *cmdline = gtk_entry_get_text (self->cmdline_entry);
  gboolean device_order = FALSE;

  for (guint i = 0; i < config->disks->len; i++)
    device_order |= ((VireoDiskConfig *) g_ptr_array_index (config->disks, i))->boot_order > 0;
  for (guint i = 0; i < config->nics->len; i++)
    device_order |= ((VireoNicConfig *) g_ptr_array_index (config->nics, i))->boot_order > 0;
  /* per-device <boot order> from imported XML stays: the XML tab edits it */
  if (!device_order && order != NULL)
    {
      g_auto(GStrv) devs = g_strsplit (order, ",", -1);

      g_ptr_array_set_size (config->boot_devs, 0);
      for (guint i = 0; devs[i]; i++)
        g_ptr_array_add (config->boot_devs, g_strdup (devs[i]));
    }
  g_free (config->kernel);
  config->kernel = entry_path (self->kernel_entry);
  g_free (config->initrd);
  config->initrd = entry_path (self->initrd_entry);
  g_free (config->cmdline);
  config->cmdline = *cmdline ? g_strdup (cmdline) : NULL;
}

static void
on_apply_overview (VireoDetailsView *self)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_copy (vireo_domain_get_config (self->domain));
  const char *title = gtk_entry_get_text (self->title_entry);
  const char *description = gtk_entry_get_text (self->description_entry);
  const char *accel = gtk_combo_box_get_active_id (self->accel_combo);
  guint64 memory_kib = (guint64) gtk_spin_button_get_value_as_int (self->memory_spin) * 1024;

  g_free (config->title);
  config->title = *title ? g_strdup (title) : NULL;
  g_free (config->description);
  config->description = *description ? g_strdup (description) : NULL;
  if (!vireo_accel_from_string (accel, &config->accel))
    config->accel = VIREO_ACCEL_AUTO;
  vireo_domain_config_set_vcpus (config, gtk_spin_button_get_value_as_int (self->vcpus_spin));
  set_boot (self, config);

  /* a balloon target above the new size makes no sense: follow it */
  if (config->current_memory_kib == config->memory_kib || config->current_memory_kib > memory_kib)
    config->current_memory_kib = memory_kib;
  config->memory_kib = memory_kib;
  save (self, config);
}

/**
 * vireo_details_view_apply_xml:
 * Validates and saves the XML tab.  The name and UUID stay: renaming is
 * not an edit of this VM.
 *
 * Returns: whether it parsed and saving began (the status line reports
 *   the end)
 */
gboolean
vireo_details_view_apply_xml (VireoDetailsView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->xml_view);
  const VireoDomainConfig *current = vireo_domain_get_config (self->domain);
  g_autoptr(VireoDomainConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  config = vireo_domain_config_parse (text, -1, _("the XML"), &error);
  if (config == NULL)
    {
      set_status (self, error->message, TRUE);
      return FALSE;
    }
  if (!g_str_equal (config->name, current->name) || !g_str_equal (config->uuid, current->uuid))
    {
      set_status (self, _("The name and UUID of a VM cannot change here."), TRUE);
      return FALSE;
    }
  save (self, config);
  return TRUE;
}

static void
on_apply_xml (VireoDetailsView *self)
{
  vireo_details_view_apply_xml (self);
}

static void
on_revert_xml (VireoDetailsView *self)
{
  load (self);
  set_status (self, "", FALSE);
}

static void
vireo_details_view_dispose (GObject *object)
{
  VireoDetailsView *self = VIREO_DETAILS_VIEW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->domain)
    g_clear_signal_handler (&self->config_handler, self->domain);
  if (self->pending_binding)
    g_binding_unbind (g_steal_pointer (&self->pending_binding));
  g_clear_object (&self->domain);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (vireo_details_view_parent_class)->dispose (object);
}

static void
vireo_details_view_class_init (VireoDetailsViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_details_view_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-details-view.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, VireoDetailsView, name)
  CHILD (name_label); CHILD (uuid_label); CHILD (machine_label); CHILD (title_entry);
  CHILD (firmware_label);
  CHILD (tpm_label); CHILD (unapplied_title); CHILD (unapplied_label);
  CHILD (description_entry); CHILD (accel_combo); CHILD (vcpus_spin); CHILD (memory_spin);
  CHILD (xml_view); CHILD (status_label); CHILD (apply_button); CHILD (disks_list); CHILD (add_disk_button);
  CHILD (notebook);
  CHILD (boot_combo); CHILD (nics_list); CHILD (addresses_label); CHILD (kernel_entry); CHILD (initrd_entry); CHILD (cmdline_entry);
  CHILD (vnc_switch); CHILD (video_combo); CHILD (serial_switch); CHILD (pending_bar); CHILD (display_apply_button);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_apply_overview);
  gtk_widget_class_bind_template_callback (widget_class, on_apply_xml);
  gtk_widget_class_bind_template_callback (widget_class, on_revert_xml);
  gtk_widget_class_bind_template_callback (widget_class, on_add_nic);
  gtk_widget_class_bind_template_callback (widget_class, on_add_disk);
  gtk_widget_class_bind_template_callback (widget_class, on_apply_display);
}

static void
vireo_details_view_init (VireoDetailsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/* What the guest agent and the networks' DHCP leases say, while it runs */
static void
on_addresses_changed (VireoDomain      *domain,
                      GParamSpec       *pspec,
                      VireoDetailsView *self)
{
  const char * const *addresses = vireo_domain_get_guest_addresses (domain);
  g_autofree char *joined = addresses ? g_strjoinv (", ", (char **) addresses) : NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->addresses_label), joined != NULL && *joined != '\0');
  if (joined == NULL)
    return;
  /* Translators: the VM's IP addresses, on the Network page */
  text = g_strdup_printf (_("Addresses: %s"), joined);
  gtk_label_set_text (self->addresses_label, text);
}

GtkWidget *
vireo_details_view_new (VireoLocalBackend *engine,
                        VireoDomain       *domain)
{
  VireoDetailsView *self = g_object_new (VIREO_TYPE_DETAILS_VIEW, NULL);

  self->engine = g_object_ref (engine);
  self->domain = g_object_ref (domain);
  self->config_handler = g_signal_connect (domain, "notify::config", G_CALLBACK (on_config_changed), self);
  g_signal_connect_object (domain, "notify::state", G_CALLBACK (on_state_changed), self, 0);
  g_signal_connect_object (domain, "notify::guest-addresses", G_CALLBACK (on_addresses_changed), self, 0);
  on_addresses_changed (domain, NULL, self);
  vireo_domain_refresh_addresses_async (domain, NULL, NULL, NULL);
  self->pending_binding = g_object_bind_property (domain, "pending-changes", self->pending_bar, "visible",
                                                  G_BINDING_SYNC_CREATE);
  load (self);
  return GTK_WIDGET (self);
}

const char *
vireo_details_view_get_status (VireoDetailsView *self)
{
  return gtk_label_get_text (self->status_label);
}

void
vireo_details_view_set_xml (VireoDetailsView *self,
                            const char       *xml)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->xml_view), xml, -1);
}

/* For tests and keyboard-less callers: what the Network page's buttons do. */
void
vireo_details_view_add_nic (VireoDetailsView *self)
{
  on_add_nic (self);
}

void
vireo_details_view_remove_nic (VireoDetailsView *self,
                               guint             index)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_copy (vireo_domain_get_config (self->domain));

  if (index < config->nics->len)
    g_ptr_array_remove_index (config->nics, index);
  save (self, config);
}
