/* vireo-window.c: the manager window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list follows the engine's GListModel (VireoVmList), so VMs that
 * another client defines or deletes come and go by themselves; rows
 * follow their VM's state.  The actions (vireo-window-actions.c) work on
 * the selected VM and are enabled as the engine says its state allows.
 * Given every host (vireo_window_new_for_hosts()), the list shows their
 * VMs side by side, each host's under its header.
 */
#include <glib/gi18n.h>

#include "vireo.h"
#include "vireo-add-connection-dialog.h"
#include "vireo-application.h"
#include "vireo-new-vm-assistant.h"
#include "vireo-preferences.h"
#include "vireo-vm-list.h"
#include "vireo-vm-row.h"
#include "vireo-vm-window.h"
#include "vireo-window-private.h"



G_DEFINE_FINAL_TYPE (VireoWindow, vireo_window, GTK_TYPE_APPLICATION_WINDOW)

void
vireo_window_show_error (VireoWindow  *self,
                         const GError *error)
{
  gtk_info_bar_set_message_type (self->error_bar, GTK_MESSAGE_ERROR);
  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_hide (GTK_WIDGET (self->error_expander));
  gtk_widget_show (GTK_WIDGET (self->error_bar));
}

/**
 * vireo_window_show_note:
 * Shows @note (the engine's one line, e.g. a VM started without KVM) in
 * the window's message bar, as information rather than an error.
 */
void
vireo_window_show_note (VireoWindow *self,
                        const char  *note)
{
  gtk_info_bar_set_message_type (self->error_bar, GTK_MESSAGE_INFO);
  gtk_label_set_text (self->error_label, note);
  gtk_widget_hide (GTK_WIDGET (self->error_expander));
  gtk_widget_show (GTK_WIDGET (self->error_bar));
}

typedef struct {
  VireoWindow *window;           /* weak */
  char *message;                 /* the error the tail belongs under */
} LogTail;

static void
on_log_tail (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LogTail *data = user_data;
  g_autofree char *tail = vireo_domain_read_log_tail_finish (VIREO_DOMAIN (source), result, NULL);
  VireoWindow *self = data->window;

  /* the same error still shows: put QEMU's words under it */
  if (self != NULL && tail != NULL && g_strcmp0 (vireo_window_get_error_text (self), data->message) == 0)
    {
      gtk_label_set_text (self->error_details, tail);
      gtk_expander_set_expanded (self->error_expander, FALSE);
      gtk_widget_show (GTK_WIDGET (self->error_expander));
    }
  g_clear_weak_pointer (&data->window);
  g_free (data->message);
  g_free (data);
}

/* The short message, and QEMU's own last log lines for who wants more,
 * read on the worker pool. */
void
_vireo_window_show_domain_error (VireoWindow  *self,
                                 VireoDomain  *domain,
                                 const GError *error)
{
  LogTail *data = g_new0 (LogTail, 1);

  vireo_window_show_error (self, error);
  g_set_weak_pointer (&data->window, self);
  data->message = g_strdup (error->message);
  vireo_domain_read_log_tail_async (domain, 8, self->cancellable, on_log_tail, data);
}

const char *
vireo_window_get_error_text (VireoWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->error_bar)) &&
         gtk_info_bar_get_message_type (self->error_bar) == GTK_MESSAGE_ERROR
         ? gtk_label_get_text (self->error_label) : NULL;
}

static void
on_error_bar_response (GtkInfoBar  *bar,
                       int          response,
                       VireoWindow *self)
{
  gtk_widget_hide (GTK_WIDGET (bar));
}

static void
set_enabled (VireoWindow *self,
             const char  *name,
             gboolean     enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
_vireo_window_update_actions (VireoWindow *self)
{
  VireoDomain *d = self->selected;

  /* the lifecycle verbs follow the VM by themselves (vireo-domain-actions.c) */
  set_enabled (self, "open-console", d != NULL);
  set_enabled (self, "add-connection", self->hosts != NULL);
  set_enabled (self, "delete", d && vireo_domain_can (d, VIREO_DOMAIN_OP_DELETE));
  set_enabled (self, "take-snapshot", d && vireo_domain_can (d, VIREO_DOMAIN_OP_SNAPSHOT));
  set_enabled (self, "clone", d && vireo_domain_can (d, VIREO_DOMAIN_OP_CLONE));
}

static void
on_selected_state (VireoDomain *domain,
                   GParamSpec  *pspec,
                   VireoWindow *self)
{
  _vireo_window_update_actions (self);
}

static void
on_row_selected (GtkListBox    *box,
                 GtkListBoxRow *row,
                 VireoWindow   *self)
{
  if (self->selected)
    g_clear_signal_handler (&self->selected_handler, self->selected);
  g_clear_object (&self->selected);
  if (row != NULL && VIREO_IS_VM_ROW (row))
    {
      self->selected = g_object_ref (vireo_vm_row_get_domain (VIREO_VM_ROW (row)));
      self->selected_handler = g_signal_connect (self->selected, "notify::state",
                                                 G_CALLBACK (on_selected_state), self);
    }
  if (self->domain_actions)   /* NULL once the window is disposed */
    vireo_domain_actions_set_domain (self->domain_actions, self->selected);
  _vireo_window_update_actions (self);
}

static void
on_vm_window_destroyed (GtkWidget   *window,
                        VireoWindow *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->vm_windows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == window)
      g_hash_table_iter_remove (&iter);
}

/**
 * vireo_window_open_vm_window:
 * Shows @domain's window, making it the first time.
 *
 * Returns: (transfer none): the window
 */
GtkWidget *
vireo_window_open_vm_window (VireoWindow *self,
                             VireoDomain *domain)
{
  GtkWidget *window = g_hash_table_lookup (self->vm_windows, vireo_domain_get_uuid (domain));

  if (window == NULL)
    {
      window = vireo_vm_window_new (gtk_window_get_application (GTK_WINDOW (self)), self->engine, domain);
      g_hash_table_insert (self->vm_windows, g_strdup (vireo_domain_get_uuid (domain)), window);
      g_signal_connect_object (window, "destroy", G_CALLBACK (on_vm_window_destroyed), self, 0);
    }
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
on_row_activated (GtkListBox    *box,
                  GtkListBoxRow *row,
                  VireoWindow   *self)
{
  if (VIREO_IS_VM_ROW (row))
    vireo_window_open_vm_window (self, vireo_vm_row_get_domain (VIREO_VM_ROW (row)));
}

static void
on_interval_changed (GSettings   *settings,
                     const char  *key,
                     VireoWindow *self)
{
  vireo_stats_set_interval (g_settings_get_uint (settings, "stats-interval"));
}

static gboolean
on_list_button_press (GtkWidget      *widget,
                      GdkEventButton *event,
                      VireoWindow    *self)
{
  GtkListBoxRow *row;
  GtkBuilder *builder;
  GtkWidget *menu;

  if (!gdk_event_triggers_context_menu ((GdkEvent *) event))
    return GDK_EVENT_PROPAGATE;
  row = gtk_list_box_get_row_at_y (self->list_box, event->y);
  if (row == NULL || !VIREO_IS_VM_ROW (row))
    return GDK_EVENT_PROPAGATE;
  gtk_list_box_select_row (self->list_box, row);
  builder = gtk_builder_new_from_resource ("/dev/vireo/Vireo/ui/vireo-menus.ui");
  menu = gtk_menu_new_from_model (G_MENU_MODEL (gtk_builder_get_object (builder, "row_menu")));
  g_object_unref (builder);
  gtk_menu_attach_to_widget (GTK_MENU (menu), GTK_WIDGET (self), NULL);
  gtk_menu_popup_at_pointer (GTK_MENU (menu), (GdkEvent *) event);
  return GDK_EVENT_STOP;
}

static void
update_empty (VireoWindow *self)
{
  /* other hosts show in the list, with or without VMs */
  gboolean other_hosts = self->hosts != NULL &&
                         g_list_model_get_n_items (vireo_hosts_get_backends (self->hosts)) > 1;

  /* while loading, the (empty) list rather than a "no VMs" that flashes */
  gtk_stack_set_visible_child_name (self->stack,
                                    self->loading || other_hosts || g_list_model_get_n_items (self->domains) > 0
                                    ? "list" : "empty");
}

/* While VMs run, the window says that closing it does not stop them. */
static void
update_running_note (VireoWindow *self)
{
  guint active;
  g_autofree char *text = NULL;

  if (self->engine == NULL)   /* disposed */
    return;
  active = vireo_ui_count_active (self->engine);
  gtk_widget_set_visible (GTK_WIDGET (self->running_note), active > 0);
  if (active == 0)
    return;
  /* Translators: under the list of VMs; %u counts the running ones */
  text = g_strdup_printf (ngettext ("%u VM is running. It keeps running when Vireo is closed.",
                                    "%u VMs are running. They keep running when Vireo is closed.",
                                    active), active);
  gtk_label_set_text (self->running_note, text);
}

static void
on_domain_state (VireoDomain *domain,
                 GParamSpec  *pspec,
                 VireoWindow *self)
{
  update_running_note (self);
}

static void
watch_states (VireoWindow *self,
              guint        position,
              guint        added)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (self->domains, i);

      g_signal_connect_object (domain, "notify::state", G_CALLBACK (on_domain_state), self, 0);
    }
}

static void
on_items_changed (GListModel  *model,
                  guint        position,
                  guint        removed,
                  guint        added,
                  VireoWindow *self)
{
  update_empty (self);
  watch_states (self, position, added);
  update_running_note (self);
}

/* Type-to-search: a VM shows when its name or title holds the text. */
static void
on_search_changed (GtkSearchEntry *entry,
                   VireoWindow    *self)
{
  vireo_vm_list_set_filter (VIREO_VM_LIST (self->list_box), gtk_entry_get_text (GTK_ENTRY (entry)));
}

static gboolean
on_key_press (GtkWidget   *widget,
              GdkEvent    *event,
              VireoWindow *self)
{
  return gtk_search_bar_handle_event (self->search_bar, event);
}

/**
 * vireo_window_search:
 * Shows only the VMs whose name or title holds @text.
 */
void
vireo_window_search (VireoWindow *self,
                     const char  *text)
{
  gtk_search_bar_set_search_mode (self->search_bar, text && *text);
  gtk_entry_set_text (GTK_ENTRY (self->search_entry), text ? text : "");
  vireo_vm_list_set_filter (VIREO_VM_LIST (self->list_box), text);
}

static void
on_sort_changed (GSettings   *settings,
                 const char  *key,
                 VireoWindow *self)
{
  g_autofree char *sort = g_settings_get_string (settings, key);

  vireo_vm_list_set_sort (VIREO_VM_LIST (self->list_box), sort);
}

static void
vireo_window_dispose (GObject *object)
{
  VireoWindow *self = VIREO_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->settings)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  if (self->selected)
    g_clear_signal_handler (&self->selected_handler, self->selected);
  g_clear_object (&self->selected);
  g_clear_object (&self->domain_actions);
  if (self->domains)
    g_signal_handlers_disconnect_by_data (self->domains, self);
  if (self->hosts)
    g_signal_handlers_disconnect_by_data (vireo_hosts_get_backends (self->hosts), self);
  g_clear_object (&self->domains);
  g_clear_object (&self->hosts);
  g_clear_object (&self->engine);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->vm_windows, g_hash_table_unref);

  G_OBJECT_CLASS (vireo_window_parent_class)->dispose (object);
}

static void
vireo_window_class_init (VireoWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_window_dispose;
  g_type_ensure (VIREO_TYPE_VM_LIST);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, VireoWindow, list_box);
  gtk_widget_class_bind_template_child (widget_class, VireoWindow, error_bar);
  gtk_widget_class_bind_template_child (widget_class, VireoWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, VireoWindow, error_expander);
  gtk_widget_class_bind_template_child (widget_class, VireoWindow, error_details);
  gtk_widget_class_bind_template_child (widget_class, VireoWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, VireoWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, VireoWindow, running_note);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_key_press);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_error_bar_response);
  gtk_widget_class_bind_template_callback (widget_class, on_list_button_press);
}

/**
 * vireo_window_add_connection:
 * Asks for a libvirt host to save and connect.
 *
 * Returns: (transfer none) (nullable): the dialog; %NULL when the window
 *   lists this computer alone
 */
GtkWidget *
vireo_window_add_connection (VireoWindow *self)
{
  if (self->hosts == NULL)
    return NULL;
  return vireo_add_connection_dialog_new (GTK_WINDOW (self), self->hosts);
}

static void
add_connection (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  vireo_window_add_connection (user_data);
}

static const GActionEntry host_entries[] = {
  { "add-connection", add_connection },
};

static void
vireo_window_init (VireoWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  vireo_ui_name_close_button (GTK_WIDGET (self->error_bar), _("Close error message"));
  vireo_ui_name_close_button (GTK_WIDGET (self->search_bar), _("Close search"));
  self->cancellable = g_cancellable_new ();
  self->vm_windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  _vireo_window_add_actions (self);
  g_action_map_add_action_entries (G_ACTION_MAP (self), host_entries, G_N_ELEMENTS (host_entries), self);
}

static void
on_backends_changed (GListModel  *backends,
                     guint        position,
                     guint        removed,
                     guint        added,
                     VireoWindow *self)
{
  update_empty (self);
}

/* What both constructors share, once the list has its VMs. */
static VireoWindow *
window_setup (VireoWindow *self)
{
  GListModel *domains = self->domains;

  gtk_search_bar_connect_entry (self->search_bar, GTK_ENTRY (self->search_entry));
  self->settings = vireo_ui_settings_new ();
  g_action_map_add_action (G_ACTION_MAP (self), g_settings_create_action (self->settings, "sort-by"));
  g_signal_connect (self->settings, "changed::sort-by", G_CALLBACK (on_sort_changed), self);
  on_sort_changed (self->settings, "sort-by", self);
  g_signal_connect (self->settings, "changed::stats-interval", G_CALLBACK (on_interval_changed), self);
  on_interval_changed (self->settings, "stats-interval", self);
  g_signal_connect (domains, "items-changed", G_CALLBACK (on_items_changed), self);
  watch_states (self, 0, g_list_model_get_n_items (domains));
  update_running_note (self);
  update_empty (self);
  if (g_list_model_get_n_items (domains) > 0)
    gtk_list_box_select_row (self->list_box, gtk_list_box_get_row_at_index (self->list_box, 0));
  _vireo_window_update_actions (self);
  return self;
}

VireoWindow *
vireo_window_new (GtkApplication *app,
                  VireoLocalBackend    *engine)
{
  VireoWindow *self = g_object_new (VIREO_TYPE_WINDOW, "application", app, NULL);

  self->engine = g_object_ref (engine);
  self->domains = g_object_ref (vireo_backend_get_domains (VIREO_BACKEND (engine)));
  vireo_domain_actions_set_engine (self->domain_actions, engine);
  vireo_vm_list_set_model (VIREO_VM_LIST (self->list_box), self->domains);
  return window_setup (self);
}

/**
 * vireo_window_new_for_hosts:
 * @hosts: this computer (which makes new VMs) and the saved hosts
 *
 * A window that lists the VMs of every host of @hosts.
 */
VireoWindow *
vireo_window_new_for_hosts (GtkApplication *app,
                            VireoHosts     *hosts)
{
  VireoWindow *self = g_object_new (VIREO_TYPE_WINDOW, "application", app, NULL);

  self->hosts = g_object_ref (hosts);
  self->engine = g_object_ref (VIREO_LOCAL_BACKEND (vireo_hosts_get_local (hosts)));
  self->domains = g_object_ref (vireo_hosts_get_domains (hosts));
  vireo_domain_actions_set_engine (self->domain_actions, self->engine);
  vireo_vm_list_set_hosts (VIREO_VM_LIST (self->list_box), hosts);
  g_signal_connect (vireo_hosts_get_backends (hosts), "items-changed", G_CALLBACK (on_backends_changed), self);
  return window_setup (self);
}

/**
 * vireo_window_get_hosts:
 * Returns: (transfer none) (nullable): the hosts the window lists, or
 *   %NULL when it lists this computer's VMs alone
 */
VireoHosts *
vireo_window_get_hosts (VireoWindow *self)
{
  return self->hosts;
}

/**
 * vireo_window_set_loading:
 * While the engine loads, the window shows an empty list, not the empty
 * state; when it is done, the first VM is selected.
 */
void
vireo_window_set_loading (VireoWindow *self,
                          gboolean     loading)
{
  GtkListBoxRow *first;

  self->loading = loading;
  update_empty (self);
  if (!loading && gtk_list_box_get_selected_row (self->list_box) == NULL &&
      (first = gtk_list_box_get_row_at_index (self->list_box, 0)) != NULL)
    gtk_list_box_select_row (self->list_box, first);
}

GtkListBox *
vireo_window_get_list_box (VireoWindow *self)
{
  return self->list_box;
}

void
vireo_window_select_domain (VireoWindow *self,
                            VireoDomain *domain)
{
  VireoVmRow *row = vireo_vm_list_get_row (VIREO_VM_LIST (self->list_box), domain);

  if (row != NULL)
    gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (row));
}
