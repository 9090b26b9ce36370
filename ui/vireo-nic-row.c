/* vireo-nic-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Source, model and MAC of one interface.  Each change is announced with
 * ::changed (the MAC when Enter is pressed or the entry loses focus), and
 * the Details view saves it at once, as GNOME Boxes does.  A user-mode
 * interface also lists its host port forwards; Add and Remove are
 * announced with ::add-forward and ::remove-forward, which the Details
 * view applies (at once on a running VM too).
 */
#include <glib/gi18n.h>

#include "vireo.h"
#include "vireo-nic-row.h"

struct _VireoNicRow
{
  GtkListBoxRow parent_instance;

  /* template children */
  GtkComboBoxText *source_combo;
  GtkComboBoxText *model_combo;
  GtkEntry *mac_entry;
  GtkWidget *forwards_box;
  GtkTreeView *forwards_view;
  GtkListStore *forwards_store;
  GtkComboBoxText *protocol_combo;
  GtkEntry *address_entry;
  GtkSpinButton *host_spin;
  GtkSpinButton *guest_spin;
  GtkWidget *add_forward_button;
  GtkWidget *remove_forward_button;

  /* owned */
  char *mac;           /* as defined, to tell an edit from a focus change */
  guint index;
  gboolean loading;
};

enum {
  CHANGED,
  REMOVE,
  ADD_FORWARD,
  REMOVE_FORWARD,
  N_SIGNALS
};

enum {
  COL_PROTOCOL,
  COL_ADDRESS,
  COL_HOST,
  COL_GUEST,
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VireoNicRow, vireo_nic_row, GTK_TYPE_LIST_BOX_ROW)

static void
on_changed (VireoNicRow *self)
{
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
on_mac_focus_out (VireoNicRow *self)
{
  if (g_ascii_strcasecmp (gtk_entry_get_text (self->mac_entry), self->mac) != 0)
    on_changed (self);
  return GDK_EVENT_PROPAGATE;
}

static void
on_remove_clicked (VireoNicRow *self)
{
  g_signal_emit (self, signals[REMOVE], 0);
}

static void
on_forward_selected (VireoNicRow *self)
{
  GtkTreeSelection *selection = gtk_tree_view_get_selection (self->forwards_view);

  gtk_widget_set_sensitive (self->remove_forward_button,
                            gtk_tree_selection_get_selected (selection, NULL, NULL));
}

static void
on_add_forward_clicked (VireoNicRow *self)
{
  const char *protocol = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->protocol_combo));
  g_autofree char *address = g_strstrip (g_strdup (gtk_entry_get_text (self->address_entry)));
  g_autoptr(VireoPortForward) forward = NULL;

  /* the engine checks the address and the ports when it saves */
  forward = vireo_port_forward_new (g_strcmp0 (protocol, "udp") == 0 ? VIREO_FORWARD_UDP : VIREO_FORWARD_TCP,
                                    *address ? address : NULL,
                                    gtk_spin_button_get_value_as_int (self->host_spin),
                                    gtk_spin_button_get_value_as_int (self->guest_spin));
  g_signal_emit (self, signals[ADD_FORWARD], 0, forward);
}

static void
on_remove_forward_clicked (VireoNicRow *self)
{
  GtkTreeSelection *selection = gtk_tree_view_get_selection (self->forwards_view);
  g_autofree char *protocol = NULL;
  g_autofree char *address = NULL;
  g_autoptr(VireoPortForward) rule = NULL;
  GtkTreeModel *model;
  GtkTreeIter iter;
  guint host, guest;

  if (!gtk_tree_selection_get_selected (selection, &model, &iter))
    return;
  gtk_tree_model_get (model, &iter, COL_PROTOCOL, &protocol, COL_ADDRESS, &address,
                      COL_HOST, &host, COL_GUEST, &guest, -1);
  rule = vireo_port_forward_new (g_strcmp0 (protocol, "udp") == 0 ? VIREO_FORWARD_UDP : VIREO_FORWARD_TCP,
                                 address, host, guest);
  g_signal_emit (self, signals[REMOVE_FORWARD], 0, rule);
}

static void
vireo_nic_row_finalize (GObject *object)
{
  g_free (VIREO_NIC_ROW (object)->mac);
  G_OBJECT_CLASS (vireo_nic_row_parent_class)->finalize (object);
}

static void
vireo_nic_row_class_init (VireoNicRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = vireo_nic_row_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-nic-row.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, source_combo);
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, model_combo);
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, mac_entry);
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, forwards_box);
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, forwards_view);
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, forwards_store);
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, protocol_combo);
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, address_entry);
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, host_spin);
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, guest_spin);
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, add_forward_button);
  gtk_widget_class_bind_template_child (widget_class, VireoNicRow, remove_forward_button);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_mac_focus_out);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_forward_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_add_forward_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_forward_clicked);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[REMOVE] = g_signal_new ("remove-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* the forward is a const VireoPortForward *, valid during the emission */
  signals[ADD_FORWARD] = g_signal_new ("add-forward", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[REMOVE_FORWARD] = g_signal_new ("remove-forward", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
vireo_nic_row_init (VireoNicRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Only a user-mode interface has a slirp to forward ports into. */
static void
load_forwards (VireoNicRow          *self,
               const VireoNicConfig *nic)
{
  gtk_widget_set_visible (self->forwards_box, nic->type == VIREO_NET_USER);
  for (guint i = 0; i < nic->forwards->len; i++)
    {
      const VireoPortForward *f = g_ptr_array_index (nic->forwards, i);

      gtk_list_store_insert_with_values (self->forwards_store, NULL, -1,
                                         COL_PROTOCOL, vireo_forward_protocol_to_string (f->protocol),
                                         COL_ADDRESS, f->address,
                                         COL_HOST, f->host_port,
                                         COL_GUEST, f->guest_port, -1);
    }
}

/* User mode, then every defined network with its state; a network the
 * NIC names that is not defined (imported XML) is offered as it is. */
static void
fill_sources (VireoNicRow          *self,
              const VireoNicConfig *nic,
              GListModel           *networks)
{
  guint n = networks ? g_list_model_get_n_items (networks) : 0;

  gtk_combo_box_text_append (self->source_combo, "user", _("User-mode networking (NAT inside QEMU)"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoNetwork) network = g_list_model_get_item (networks, i);
      const char *name = vireo_network_get_name (network);
      g_autofree char *id = g_strconcat ("network:", name, NULL);
      g_autofree char *label = vireo_network_get_active (network)
        /* Translators: a NIC's source: a virtual network that runs now */
        ? g_strdup_printf (_("Virtual network “%s” (active)"), name)
        /* Translators: a NIC's source: a virtual network that does not run now */
        : g_strdup_printf (_("Virtual network “%s” (inactive)"), name);

      gtk_combo_box_text_append (self->source_combo, id, label);
    }
  if (nic->type == VIREO_NET_NETWORK)
    {
      g_autofree char *id = g_strconcat ("network:", nic->network, NULL);

      if (!gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->source_combo), id))
        {
          g_autofree char *label = g_strdup_printf (_("Virtual network “%s”"), nic->network);

          gtk_combo_box_text_append (self->source_combo, id, label);
          gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->source_combo), id);
        }
    }
  else
    gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->source_combo), "user");
}

/**
 * vireo_nic_row_new:
 * @index: the interface's position in the definition
 * @networks: (nullable) (element-type VireoNetwork): the defined networks
 */
GtkWidget *
vireo_nic_row_new (const VireoNicConfig *nic,
                   guint                 index,
                   GListModel           *networks)
{
  VireoNicRow *self = g_object_new (VIREO_TYPE_NIC_ROW, NULL);

  self->loading = TRUE;
  self->index = index;
  self->mac = g_strdup (nic->mac);
  fill_sources (self, nic, networks);
  if (!gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->model_combo), nic->model))
    {
      gtk_combo_box_text_append (self->model_combo, nic->model, nic->model);
      gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->model_combo), nic->model);
    }
  gtk_entry_set_text (self->mac_entry, nic->mac);
  load_forwards (self, nic);
  self->loading = FALSE;
  return GTK_WIDGET (self);
}

/**
 * vireo_nic_row_get_mac:
 * Returns: the interface's MAC as defined (not as typed)
 */
const char *
vireo_nic_row_get_mac (VireoNicRow *self)
{
  return self->mac;
}

guint
vireo_nic_row_get_index (VireoNicRow *self)
{
  return self->index;
}

/**
 * vireo_nic_row_apply:
 * Copies the form into @nic.  The MAC is taken as typed: the engine
 * checks it when the definition is saved.
 */
void
vireo_nic_row_apply (VireoNicRow    *self,
                     VireoNicConfig *nic)
{
  const char *source = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->source_combo));
  const char *model = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->model_combo));
  g_autofree char *typed = g_strstrip (g_strdup (gtk_entry_get_text (self->mac_entry)));
  char *normal = vireo_mac_normalize (typed);

  if (g_strcmp0 (source, "user") == 0)
    {
      nic->type = VIREO_NET_USER;
      g_clear_pointer (&nic->network, g_free);
    }
  else if (source != NULL && g_str_has_prefix (source, "network:"))
    {
      nic->type = VIREO_NET_NETWORK;
      g_free (nic->network);
      nic->network = g_strdup (source + strlen ("network:"));
    }
  if (model != NULL)
    {
      g_free (nic->model);
      nic->model = g_strdup (model);
    }
  g_free (nic->mac);
  nic->mac = normal ? normal : g_steal_pointer (&typed);
}
