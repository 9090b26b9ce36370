/* vireo-network-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Name and state on the first line; subnet, bridge, kind and autostart
 * under it.  The row follows its network's properties by itself.
 */
#include <glib/gi18n.h>

#include "vireo-network-row.h"

struct _VireoNetworkRow
{
  GtkListBoxRow parent_instance;

  /* template children */
  GtkImage *state_icon;
  GtkLabel *name_label;
  GtkLabel *details_label;
  GtkLabel *state_label;

  /* owned */
  VireoNetwork *network;
};

G_DEFINE_FINAL_TYPE (VireoNetworkRow, vireo_network_row, GTK_TYPE_LIST_BOX_ROW)

/**
 * vireo_ui_describe_network:
 * One line about @network for a list or a combo: its subnet and whether
 * it is NAT or isolated, "192.168.124.0/24, NAT".
 *
 * Returns: (transfer full): the text
 */
char *
vireo_ui_describe_network (VireoNetwork *network)
{
  const VireoNetworkConfig *config = vireo_network_get_config (network);
  g_autofree char *subnet = vireo_network_config_describe_subnet (config);

  return config->forward == VIREO_NETWORK_FORWARD_NAT
         /* Translators: a network's subnet and kind, "192.168.124.0/24, NAT" */
         ? g_strdup_printf (_("%s, NAT"), subnet)
         /* Translators: a network's subnet and kind, "192.168.124.0/24, isolated" */
         : g_strdup_printf (_("%s, isolated"), subnet);
}

static void
update (VireoNetworkRow *self)
{
  const VireoNetworkConfig *config = vireo_network_get_config (self->network);
  gboolean active = vireo_network_get_active (self->network);
  g_autofree char *kind = vireo_ui_describe_network (self->network);
  g_autofree char *details = NULL;

  /* Translators: the second line of a network's row: "192.168.124.0/24, NAT · bridge vireobr0" */
  details = g_strdup_printf (_("%s · bridge %s"), kind, config->bridge ? config->bridge : "—");
  if (vireo_network_get_autostart (self->network))
    {
      char *with = g_strconcat (details, " · ", _("starts with its first VM"), NULL);

      g_free (details);
      details = with;
    }
  gtk_label_set_text (self->name_label, vireo_network_get_name (self->network));
  gtk_label_set_text (self->details_label, details);
  gtk_label_set_text (self->state_label, active ? _("Active") : _("Inactive"));
  gtk_image_set_from_icon_name (self->state_icon, active ? "network-wired-symbolic"
                                                         : "network-wired-disconnected-symbolic",
                                GTK_ICON_SIZE_LARGE_TOOLBAR);
}

static void
on_network_changed (VireoNetwork    *network,
                    GParamSpec      *pspec,
                    VireoNetworkRow *self)
{
  update (self);
}

static void
vireo_network_row_dispose (GObject *object)
{
  VireoNetworkRow *self = VIREO_NETWORK_ROW (object);

  if (self->network)
    g_signal_handlers_disconnect_by_data (self->network, self);
  g_clear_object (&self->network);
  G_OBJECT_CLASS (vireo_network_row_parent_class)->dispose (object);
}

static void
vireo_network_row_class_init (VireoNetworkRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_network_row_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-network-row.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoNetworkRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworkRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworkRow, details_label);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworkRow, state_label);
}

static void
vireo_network_row_init (VireoNetworkRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vireo_network_row_new (VireoNetwork *network)
{
  VireoNetworkRow *self = g_object_new (VIREO_TYPE_NETWORK_ROW, NULL);

  self->network = g_object_ref (network);
  g_signal_connect (network, "notify::active", G_CALLBACK (on_network_changed), self);
  g_signal_connect (network, "notify::autostart", G_CALLBACK (on_network_changed), self);
  g_signal_connect (network, "notify::config", G_CALLBACK (on_network_changed), self);
  update (self);
  return GTK_WIDGET (self);
}

VireoNetwork *
vireo_network_row_get_network (VireoNetworkRow *self)
{
  return self->network;
}
