/* vireo-disk-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The row only shows a disk and says what the user asked for through its
 * signals; the Details view turns requests into definition changes.
 * Only the buses the VM's machine can carry are offered.
 */
#include <glib/gi18n.h>

#include "vireo-disk-row.h"

struct _VireoDiskRow
{
  GtkListBoxRow parent_instance;

  /* template children */
  GtkImage *icon;
  GtkLabel *title_label;
  GtkLabel *path_label;
  GtkComboBoxText *bus_combo;
  GtkButton *insert_button;
  GtkButton *eject_button;
  GtkButton *convert_button;
  GtkButton *remove_button;

  /* owned */
  char *target;
};

enum {
  BUS_CHANGED,
  INSERT,
  EJECT,
  CONVERT,
  REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VireoDiskRow, vireo_disk_row, GTK_TYPE_LIST_BOX_ROW)

static void
on_bus_changed (VireoDiskRow *self)
{
  const char *bus = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->bus_combo));

  if (bus != NULL)
    g_signal_emit (self, signals[BUS_CHANGED], 0, bus);
}

static void
on_insert_clicked (VireoDiskRow *self)
{
  g_signal_emit (self, signals[INSERT], 0);
}

static void
on_eject_clicked (VireoDiskRow *self)
{
  g_signal_emit (self, signals[EJECT], 0);
}

static void
on_convert_clicked (VireoDiskRow *self)
{
  g_signal_emit (self, signals[CONVERT], 0);
}

static void
on_remove_clicked (VireoDiskRow *self)
{
  g_signal_emit (self, signals[REMOVE], 0);
}

static void
vireo_disk_row_finalize (GObject *object)
{
  g_free (VIREO_DISK_ROW (object)->target);
  G_OBJECT_CLASS (vireo_disk_row_parent_class)->finalize (object);
}

static void
vireo_disk_row_class_init (VireoDiskRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = vireo_disk_row_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-disk-row.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoDiskRow, icon);
  gtk_widget_class_bind_template_child (widget_class, VireoDiskRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, VireoDiskRow, path_label);
  gtk_widget_class_bind_template_child (widget_class, VireoDiskRow, bus_combo);
  gtk_widget_class_bind_template_child (widget_class, VireoDiskRow, insert_button);
  gtk_widget_class_bind_template_child (widget_class, VireoDiskRow, eject_button);
  gtk_widget_class_bind_template_child (widget_class, VireoDiskRow, convert_button);
  gtk_widget_class_bind_template_child (widget_class, VireoDiskRow, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, on_bus_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_insert_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_eject_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_convert_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_clicked);

  /* a bus id: "virtio", "sata" or "ide" */
  signals[BUS_CHANGED] = g_signal_new ("bus-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[INSERT] = g_signal_new ("insert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[EJECT] = g_signal_new ("eject", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CONVERT] = g_signal_new ("convert-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[REMOVE] = g_signal_new ("remove-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vireo_disk_row_init (VireoDiskRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vireo_disk_row_new (const VireoDomainConfig *config,
                    const VireoDiskConfig   *disk)
{
  VireoDiskRow *self = g_object_new (VIREO_TYPE_DISK_ROW, NULL);
  gboolean cdrom = disk->device == VIREO_DISK_DEVICE_CDROM;
  VireoDiskBus other = vireo_domain_config_default_bus (config, VIREO_DISK_DEVICE_CDROM);
  g_autofree char *title = NULL;

  self->target = g_strdup (disk->target);
  title = g_strdup_printf ("%s · %s", disk->target, cdrom ? _("CD-ROM") : _("Disk"));
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->path_label, disk->path ? disk->path : _("(empty)"));
  gtk_image_set_from_icon_name (self->icon, cdrom ? "media-optical-symbolic" : "drive-harddisk-symbolic",
                                GTK_ICON_SIZE_DND);

  if (!cdrom)
    gtk_combo_box_text_append (self->bus_combo, "virtio", "VirtIO");
  gtk_combo_box_text_append (self->bus_combo, vireo_disk_bus_to_string (other),
                             other == VIREO_DISK_BUS_IDE ? "IDE" : "SATA");
  /* a bus this machine cannot carry, from imported XML, still shows */
  if (disk->bus != VIREO_DISK_BUS_VIRTIO && disk->bus != other)
    gtk_combo_box_text_append (self->bus_combo, vireo_disk_bus_to_string (disk->bus),
                               disk->bus == VIREO_DISK_BUS_IDE ? "IDE" :
                               disk->bus == VIREO_DISK_BUS_SCSI ? "SCSI" : "SATA");
  g_signal_handlers_block_by_func (self->bus_combo, on_bus_changed, self);
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->bus_combo), vireo_disk_bus_to_string (disk->bus));
  g_signal_handlers_unblock_by_func (self->bus_combo, on_bus_changed, self);

  gtk_widget_set_visible (GTK_WIDGET (self->insert_button), cdrom);
  gtk_widget_set_visible (GTK_WIDGET (self->eject_button), cdrom);
  gtk_widget_set_sensitive (GTK_WIDGET (self->eject_button), disk->path != NULL);
  /* raw disks only; whether the VM's state allows it is the view's to say */
  gtk_widget_set_visible (GTK_WIDGET (self->convert_button), vireo_disks_can_convert (disk));
  return GTK_WIDGET (self);
}

/**
 * vireo_disk_row_set_refusals:
 * @disks: (nullable): why the drive cannot be removed nor its bus changed
 *   now, or %NULL when it can
 * @media: (nullable): why its medium cannot be changed now, or %NULL
 *
 * The row's controls follow what the VM's host and state allow, with the
 * engine's reason as their tooltip.
 */
void
vireo_disk_row_set_refusals (VireoDiskRow *self,
                             const char   *disks,
                             const char   *media)
{
  GtkWidget *disk_controls[] = { GTK_WIDGET (self->bus_combo), GTK_WIDGET (self->remove_button) };
  GtkWidget *media_controls[] = { GTK_WIDGET (self->insert_button), GTK_WIDGET (self->eject_button) };

  for (guint i = 0; i < G_N_ELEMENTS (disk_controls); i++)
    {
      gtk_widget_set_sensitive (disk_controls[i], disks == NULL);
      gtk_widget_set_tooltip_text (disk_controls[i], disks);
    }
  for (guint i = 0; i < G_N_ELEMENTS (media_controls); i++)
    {
      gtk_widget_set_sensitive (media_controls[i], media == NULL);
      gtk_widget_set_tooltip_text (media_controls[i], media);
    }
}

/**
 * vireo_disk_row_set_can_convert:
 * Makes Convert to qcow2… follow the VM's state (shown on raw disks only).
 */
void
vireo_disk_row_set_can_convert (VireoDiskRow *self,
                                gboolean      can_convert)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->convert_button), can_convert);
}

const char *
vireo_disk_row_get_target (VireoDiskRow *self)
{
  return self->target;
}
