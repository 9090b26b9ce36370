/* vireo-networks-window.c: the Networks window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list follows one host's networks (a GListModel), the rows their
 * network's properties; Start, Stop, autostart and Delete work on
 * the selected one, enabled as its state allows.  With several hosts
 * connected, a chooser above the list picks the host; what it cannot do
 * now is insensitive, with the reason as tooltip.  The leases table shows
 * what the selected network's DHCP server handed out, read when the
 * window is shown, when the selection changes and on Refresh: nothing
 * runs while the window is closed.  Errors show in the info bar, as the
 * engine's one line.
 */
#include <glib/gi18n.h>

#include "vireo-application.h"
#include "vireo-network-row.h"
#include "vireo-networks-window.h"
#include "vireo-new-network-dialog.h"

enum {
  COL_MAC,
  COL_IP,
  COL_HOSTNAME,
  COL_VM,
};

struct _VireoNetworksWindow
{
  GtkWindow parent_instance;

  /* template children */
  GtkListBox *list_box;
  GtkInfoBar *error_bar;
  GtkLabel *error_label;
  GtkListStore *leases_store;
  GtkLabel *leases_note;
  GtkWidget *host_box;
  GtkComboBoxText *host_combo;
  GtkWidget *create_button;
  GtkWidget *start_button;
  GtkWidget *stop_button;
  GtkWidget *autostart_check;
  GtkWidget *delete_button;

  /* owned */
  VireoBackend *backend;            /* the host whose networks are listed */
  VireoHosts *hosts;                /* nullable: this computer only */
  gboolean filling;                 /* the chooser is being filled, not chosen */
  GSimpleActionGroup *actions;
  GCancellable *cancellable;        /* the window's: dispose cancels it */
  GCancellable *leases_cancellable; /* the leases being read, for the selected network */
  VireoNetwork *selected;
  guint busy;                       /* start, stop or delete under way */
};

G_DEFINE_FINAL_TYPE (VireoNetworksWindow, vireo_networks_window, GTK_TYPE_WINDOW)

static void
show_error (VireoNetworksWindow *self,
            const GError        *error)
{
  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_show (GTK_WIDGET (self->error_bar));
}

static void
on_error_bar_response (VireoNetworksWindow *self)
{
  gtk_widget_hide (GTK_WIDGET (self->error_bar));
}

const char *
vireo_networks_window_get_error_text (VireoNetworksWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->error_bar)) ? gtk_label_get_text (self->error_label) : NULL;
}

static void
set_enabled (VireoNetworksWindow *self,
             const char          *name,
             gboolean             enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* Why the host cannot work on its networks now, in one line; NULL: it can */
static char *
host_reason (VireoNetworksWindow *self)
{
  g_autoptr(GError) error = NULL;

  return vireo_backend_check_networks (self->backend, &error) ? NULL : g_strdup (error->message);
}

/* The buttons keep their own tooltip while they may work; the host's
 * reason while it cannot */
static void
set_reason (GtkWidget  *widget,
            const char *reason)
{
  const char *own = g_object_get_data (G_OBJECT (widget), "vireo-tooltip");

  if (own == NULL)
    {
      g_autofree char *text = gtk_widget_get_tooltip_text (widget);

      g_object_set_data_full (G_OBJECT (widget), "vireo-tooltip", g_strdup (text ? text : ""), g_free);
      own = g_object_get_data (G_OBJECT (widget), "vireo-tooltip");
    }
  gtk_widget_set_tooltip_text (widget, reason != NULL ? reason : *own ? own : NULL);
}

/* A running network is stopped before it is deleted (the engine refuses
 * otherwise): Delete waits for Stop. */
static void
update_actions (VireoNetworksWindow *self)
{
  VireoNetwork *n = self->selected;
  gboolean active = n && vireo_network_get_active (n);
  GAction *autostart = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "autostart");
  g_autofree char *reason = self->backend != NULL ? host_reason (self) : NULL;
  gboolean can = self->backend != NULL && reason == NULL;
  GtkWidget *buttons[] = { self->create_button, self->start_button, self->stop_button,
                           self->autostart_check, self->delete_button };

  set_enabled (self, "create", can);
  set_enabled (self, "start", can && n && !active && self->busy == 0);
  set_enabled (self, "stop", can && n && active && self->busy == 0);
  set_enabled (self, "delete", can && n && !active && self->busy == 0);
  set_enabled (self, "autostart", can && n != NULL);
  g_simple_action_set_state (G_SIMPLE_ACTION (autostart),
                             g_variant_new_boolean (n && vireo_network_get_autostart (n)));
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    set_reason (buttons[i], reason);
}

static void
on_leases (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VireoNetworksWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leases = vireo_network_get_leases_finish (VIREO_NETWORK (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || VIREO_NETWORK (source) != self->selected)
    return;
  /* a host that cannot tell its leases says so under the table: no
   * action of the user's failed */
  if (leases == NULL && g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED))
    gtk_label_set_text (self->leases_note, error->message);
  else if (leases == NULL)
    show_error (self, error);
  if (leases == NULL)
    return;
  for (guint i = 0; i < leases->len; i++)
    {
      const VireoNetworkLease *lease = g_ptr_array_index (leases, i);

      gtk_list_store_insert_with_values (self->leases_store, NULL, -1,
                                         COL_MAC, lease->mac, COL_IP, lease->ip,
                                         COL_HOSTNAME, lease->hostname ? lease->hostname : "",
                                         COL_VM, lease->domain_name ? lease->domain_name : "", -1);
    }
  gtk_label_set_text (self->leases_note, leases->len > 0 ? ""
                      : _("No leases yet: a guest gets one when it asks for an address."));
}

/* Reads the selected network's leases afresh; a read still under way
 * for another network is dropped.  A stopped network has none. */
static void
load_leases (VireoNetworksWindow *self)
{
  if (self->leases_cancellable)
    g_cancellable_cancel (self->leases_cancellable);
  g_clear_object (&self->leases_cancellable);
  gtk_list_store_clear (self->leases_store);
  gtk_label_set_text (self->leases_note, "");
  if (self->selected == NULL)
    return;
  if (!vireo_network_get_active (self->selected))
    {
      gtk_label_set_text (self->leases_note, _("The network is not running."));
      return;
    }
  self->leases_cancellable = g_cancellable_new ();
  vireo_network_get_leases_async (self->selected, self->leases_cancellable, on_leases, g_object_ref (self));
}

static void
on_selected_changed (VireoNetwork        *network,
                     GParamSpec          *pspec,
                     VireoNetworksWindow *self)
{
  update_actions (self);
  if (g_str_equal (pspec->name, "active"))
    load_leases (self);
}

static void
set_selected (VireoNetworksWindow *self,
              VireoNetwork        *network)
{
  if (self->selected == network)
    return;
  if (self->selected)
    g_signal_handlers_disconnect_by_data (self->selected, self);
  g_set_object (&self->selected, network);
  if (network)
    {
      g_signal_connect (network, "notify::active", G_CALLBACK (on_selected_changed), self);
      g_signal_connect (network, "notify::autostart", G_CALLBACK (on_selected_changed), self);
    }
  update_actions (self);
  load_leases (self);
}

static void
on_row_selected (VireoNetworksWindow *self,
                 GtkListBoxRow       *row)
{
  set_selected (self, row ? vireo_network_row_get_network (VIREO_NETWORK_ROW (row)) : NULL);
}

VireoNetwork *
vireo_networks_window_get_selected (VireoNetworksWindow *self)
{
  return self->selected;
}

/**
 * vireo_networks_window_select:
 * Selects @network's row, if the list has it.
 */
void
vireo_networks_window_select (VireoNetworksWindow *self,
                              VireoNetwork        *network)
{
  GListModel *networks = vireo_backend_get_networks (self->backend);

  for (guint i = 0; i < g_list_model_get_n_items (networks); i++)
    {
      g_autoptr(VireoNetwork) item = g_list_model_get_item (networks, i);

      if (item == network)
        gtk_list_box_select_row (self->list_box, gtk_list_box_get_row_at_index (self->list_box, i));
    }
}

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(VireoNetworksWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!vireo_network_refresh_finish (VIREO_NETWORK (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }
  if (VIREO_NETWORK (source) == self->selected)
    load_leases (self);
}

/* Asks again which networks run (another client may have started or
 * stopped one) and reads the selected one's leases after. */
static void
refresh (VireoNetworksWindow *self)
{
  GListModel *networks = vireo_backend_get_networks (self->backend);

  for (guint i = 0; i < g_list_model_get_n_items (networks); i++)
    {
      g_autoptr(VireoNetwork) network = g_list_model_get_item (networks, i);

      vireo_network_refresh_async (network, self->cancellable, on_refreshed, g_object_ref (self));
    }
  if (self->selected == NULL)
    load_leases (self);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  return vireo_network_row_new (item);
}

static void fill_hosts (VireoNetworksWindow *self);

/* Another host connected or went: the chooser follows */
static void
on_other_state (VireoBackend        *backend,
                GParamSpec          *pspec,
                VireoNetworksWindow *self)
{
  /* a removed host that lives on may still tell, until the window ends */
  if (self->backend != NULL)
    fill_hosts (self);
}

static void
on_backend_state (VireoBackend        *backend,
                  GParamSpec          *pspec,
                  VireoNetworksWindow *self)
{
  fill_hosts (self);
  update_actions (self);
}

/* A host added, connected or removed: the chooser follows; a removed host
 * shown here gives way to this computer, so the window keeps no host the
 * user let go */
static void
on_backends_changed (GListModel          *backends,
                     guint                position,
                     guint                removed,
                     guint                added,
                     VireoNetworksWindow *self)
{
  gboolean kept = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

      kept |= backend == self->backend;
      g_signal_handlers_disconnect_by_func (backend, on_other_state, self);
      g_signal_connect_object (backend, "notify::state", G_CALLBACK (on_other_state), self, 0);
      g_signal_connect_object (backend, "notify::caps", G_CALLBACK (on_other_state), self, 0);
    }
  if (!kept)
    vireo_networks_window_set_backend (self, vireo_hosts_get_local (self->hosts));
  else
    fill_hosts (self);
}

/* The hosts to choose from: the connected ones with networks, and the
 * one shown; the chooser shows only with more than one */
static void
fill_hosts (VireoNetworksWindow *self)
{
  GListModel *backends = self->hosts != NULL ? vireo_hosts_get_backends (self->hosts) : NULL;
  guint shown = 0;

  self->filling = TRUE;
  gtk_combo_box_text_remove_all (self->host_combo);
  for (guint i = 0; backends != NULL && i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

      if (backend != self->backend && !vireo_backend_check_networks (backend, NULL))
        continue;
      gtk_combo_box_text_append (self->host_combo, vireo_backend_get_uri (backend), vireo_backend_get_title (backend));
      shown++;
    }
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->host_combo), vireo_backend_get_uri (self->backend));
  gtk_widget_set_visible (self->host_box, shown > 1);
  self->filling = FALSE;
}

static void
on_host_changed (VireoNetworksWindow *self)
{
  const char *uri = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->host_combo));
  VireoBackend *backend = uri != NULL && self->hosts != NULL ? vireo_hosts_lookup (self->hosts, uri) : NULL;

  if (!self->filling && backend != NULL && backend != self->backend)
    vireo_networks_window_set_backend (self, backend);
}

/**
 * vireo_networks_window_set_backend:
 * Shows @backend's networks, the first selected, and refreshes them.
 */
void
vireo_networks_window_set_backend (VireoNetworksWindow *self,
                                   VireoBackend        *backend)
{
  GListModel *networks = vireo_backend_get_networks (backend);

  g_return_if_fail (VIREO_IS_BACKEND (backend));

  if (self->backend == backend)
    return;
  if (self->backend)
    g_signal_handlers_disconnect_by_func (self->backend, on_backend_state, self);
  g_set_object (&self->backend, backend);
  g_signal_connect (backend, "notify::state", G_CALLBACK (on_backend_state), self);
  g_signal_connect (backend, "notify::caps", G_CALLBACK (on_backend_state), self);
  gtk_widget_hide (GTK_WIDGET (self->error_bar));
  set_selected (self, NULL);
  gtk_list_box_bind_model (self->list_box, networks, create_row, NULL, NULL);
  if (g_list_model_get_n_items (networks) > 0)
    gtk_list_box_select_row (self->list_box, gtk_list_box_get_row_at_index (self->list_box, 0));
  fill_hosts (self);
  /* libvirt starts an autostart network with its daemon, Vireo with the
   * first VM on it */
  if (VIREO_IS_LOCAL_BACKEND (backend))
    gtk_button_set_label (GTK_BUTTON (self->autostart_check), _("Start with the first _VM on it"));
  else
    gtk_button_set_label (GTK_BUTTON (self->autostart_check), _("Start with the _host"));
  update_actions (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    refresh (self);
}

/**
 * vireo_networks_window_get_backend:
 * Returns: (transfer none): the host whose networks are shown
 */
VireoBackend *
vireo_networks_window_get_backend (VireoNetworksWindow *self)
{
  return self->backend;
}

static void
on_map (VireoNetworksWindow *self)
{
  fill_hosts (self);
  refresh (self);
}

/* Start, Stop and Delete begin here: the last error goes, and the
 * actions wait until operation_done(). */
static void
operation_begin (VireoNetworksWindow *self)
{
  gtk_widget_hide (GTK_WIDGET (self->error_bar));
  self->busy++;
  update_actions (self);
}

/* Start, Stop and Delete end here: the state (or the list) follows by
 * itself, the leases are read again. */
static void
operation_done (VireoNetworksWindow *self,
                gboolean             ok,
                const GError        *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->busy--;
  if (!ok)
    show_error (self, error);
  update_actions (self);
  load_leases (self);
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VireoNetworksWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = vireo_network_start_finish (VIREO_NETWORK (source), result, &error);

  operation_done (self, ok, error);
}

static void
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VireoNetworksWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = vireo_network_stop_finish (VIREO_NETWORK (source), result, &error);

  operation_done (self, ok, error);
}

static void
on_undefined (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(VireoNetworksWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = vireo_backend_undefine_network_finish (VIREO_BACKEND (source), result, &error);

  operation_done (self, ok, error);
}

static void
start_network (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  VireoNetworksWindow *self = user_data;

  operation_begin (self);
  vireo_network_start_async (self->selected, self->cancellable, on_started, g_object_ref (self));
}

static void
stop_network (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  VireoNetworksWindow *self = user_data;

  operation_begin (self);
  vireo_network_stop_async (self->selected, self->cancellable, on_stopped, g_object_ref (self));
}

static void
on_autostart_set (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(VireoNetworksWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (vireo_network_set_autostart_finish (VIREO_NETWORK (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  show_error (self, error);
  update_actions (self);   /* the check box shows what is true again */
}

static void
change_autostart (GSimpleAction *action,
                  GVariant      *value,
                  gpointer       user_data)
{
  VireoNetworksWindow *self = user_data;

  if (self->selected == NULL)
    return;
  g_simple_action_set_state (action, value);
  vireo_network_set_autostart_async (self->selected, g_variant_get_boolean (value), self->cancellable,
                                     on_autostart_set, g_object_ref (self));
}

static void
on_delete_response (GtkDialog           *dialog,
                    int                  response,
                    VireoNetworksWindow *self)
{
  VireoNetwork *network = g_object_get_data (G_OBJECT (dialog), "network");
  VireoBackend *host = vireo_network_get_backend (network);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      operation_begin (self);
      /* a network whose host went is refused by the list's host, in one line */
      vireo_backend_undefine_network_async (host != NULL ? host : self->backend, network, self->cancellable,
                                            on_undefined, g_object_ref (self));
    }
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/**
 * vireo_networks_window_delete:
 * Asks whether to delete the selected network.
 *
 * Returns: (transfer none) (nullable): the question
 */
GtkWidget *
vireo_networks_window_delete (VireoNetworksWindow *self)
{
  GtkWidget *dialog;

  if (self->selected == NULL)
    return NULL;
  dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Delete network “%s”?"), vireo_network_get_name (self->selected));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("Its definition goes. VMs that use it cannot start until "
                                              "their interfaces use another network."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Delete"), GTK_RESPONSE_ACCEPT, NULL);
  gtk_style_context_add_class (gtk_widget_get_style_context (
      gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT)),
      GTK_STYLE_CLASS_DESTRUCTIVE_ACTION);
  g_object_set_data_full (G_OBJECT (dialog), "network", g_object_ref (self->selected), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
delete_network (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  vireo_networks_window_delete (user_data);
}

static void
on_created (GtkWidget           *dialog,
            VireoNetwork        *network,
            VireoNetworksWindow *self)
{
  vireo_networks_window_select (self, network);
}

/**
 * vireo_networks_window_create:
 * Opens the Create Network dialog; the new network is selected.
 *
 * Returns: (transfer none): the dialog
 */
GtkWidget *
vireo_networks_window_create (VireoNetworksWindow *self)
{
  GtkWidget *dialog = vireo_new_network_dialog_new (GTK_WINDOW (self), self->backend);

  g_signal_connect_object (dialog, "created", G_CALLBACK (on_created), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
create_network (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  vireo_networks_window_create (user_data);
}

static void
refresh_networks (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  refresh (user_data);
}

static gboolean
on_key_press (VireoNetworksWindow *self,
              GdkEventKey         *event)
{
  const char *action = event->keyval == GDK_KEY_F5 ? "refresh" :
                       event->keyval == GDK_KEY_Delete ? "delete" :
                       event->keyval == GDK_KEY_Escape ? "close" : NULL;

  if (action == NULL || (event->state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return GDK_EVENT_PROPAGATE;
  if (g_str_equal (action, "close"))
    gtk_window_close (GTK_WINDOW (self));
  else
    g_action_group_activate_action (G_ACTION_GROUP (self->actions), action, NULL);
  return GDK_EVENT_STOP;
}

static const GActionEntry entries[] = {
  { "create", create_network },
  { "start", start_network },
  { "stop", stop_network },
  { "delete", delete_network },
  { "refresh", refresh_networks },
  { "autostart", NULL, NULL, "false", change_autostart },
};

static void
vireo_networks_window_dispose (GObject *object)
{
  VireoNetworksWindow *self = VIREO_NETWORKS_WINDOW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  if (self->leases_cancellable)
    g_cancellable_cancel (self->leases_cancellable);
  if (self->selected)
    g_signal_handlers_disconnect_by_data (self->selected, self);
  g_clear_object (&self->selected);
  g_clear_object (&self->leases_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->actions);
  if (self->backend)
    g_signal_handlers_disconnect_by_data (self->backend, self);
  g_clear_object (&self->backend);
  if (self->hosts != NULL)
    {
      GListModel *backends = vireo_hosts_get_backends (self->hosts);

      g_signal_handlers_disconnect_by_data (backends, self);
      for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
        {
          g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

          g_signal_handlers_disconnect_by_data (backend, self);
        }
    }
  g_clear_object (&self->hosts);
  G_OBJECT_CLASS (vireo_networks_window_parent_class)->dispose (object);
}

static void
vireo_networks_window_class_init (VireoNetworksWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_networks_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-networks-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, list_box);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, error_bar);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, leases_store);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, leases_note);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, host_box);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, host_combo);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, create_button);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, autostart_check);
  gtk_widget_class_bind_template_child (widget_class, VireoNetworksWindow, delete_button);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_error_bar_response);
  gtk_widget_class_bind_template_callback (widget_class, on_map);
  gtk_widget_class_bind_template_callback (widget_class, on_host_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_key_press);
}

static void
vireo_networks_window_init (VireoNetworksWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries, G_N_ELEMENTS (entries), self);
  /* before the template, so that its buttons find the actions at once */
  gtk_widget_insert_action_group (GTK_WIDGET (self), "net", G_ACTION_GROUP (self->actions));
  gtk_widget_init_template (GTK_WIDGET (self));
  vireo_ui_name_close_button (GTK_WIDGET (self->error_bar), _("Close error message"));
}

/**
 * vireo_networks_window_new:
 * @hosts: (nullable): the hosts to choose from (the connected ones with
 *   networks), or %NULL for @backend alone
 * @backend: the host whose networks are shown first
 *
 * Returns: (transfer none): the window, not yet shown; it refreshes the
 *   networks each time it is shown
 */
GtkWidget *
vireo_networks_window_new (GtkWindow    *parent,
                           VireoHosts   *hosts,
                           VireoBackend *backend)
{
  VireoNetworksWindow *self = g_object_new (VIREO_TYPE_NETWORKS_WINDOW, "transient-for", parent, NULL);

  self->hosts = hosts != NULL ? g_object_ref (hosts) : NULL;
  vireo_networks_window_set_backend (self, backend);
  if (hosts != NULL)
    {
      GListModel *backends = vireo_hosts_get_backends (hosts);

      g_signal_connect_object (backends, "items-changed", G_CALLBACK (on_backends_changed), self, 0);
      on_backends_changed (backends, 0, 0, 0, self);
    }
  return GTK_WIDGET (self);
}
