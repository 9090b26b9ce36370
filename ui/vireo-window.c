/* vireo-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list follows the engine's GListModel (VireoVmList), so VMs that
 * another client defines or deletes come and go by themselves; rows
 * follow their VM's state.  Actions work on the selected VM and are enabled by its state.
 */
#include <glib/gi18n.h>

#include "vireo.h"
#include "vireo-new-vm-assistant.h"
#include "vireo-preferences.h"
#include "vireo-vm-list.h"
#include "vireo-vm-row.h"
#include "vireo-vm-window.h"
#include "vireo-window.h"


struct _VireoWindow
{
  GtkApplicationWindow parent_instance;

  /* template children */
  GtkStack *stack;
  GtkListBox *list_box;
  GtkInfoBar *error_bar;
  GtkLabel *error_label;
  GtkExpander *error_expander;
  GtkLabel *error_details;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;

  /* owned */
  VireoEngine *engine;
  GCancellable *cancellable;
  VireoDomain *selected;
  gulong selected_handler;
  GHashTable *vm_windows;   /* uuid → VireoVmWindow (borrowed) */
  GSettings *settings;
  gboolean loading;         /* the engine is still reading definitions */
};

G_DEFINE_FINAL_TYPE (VireoWindow, vireo_window, GTK_TYPE_APPLICATION_WINDOW)

void
vireo_window_show_error (VireoWindow  *self,
                         const GError *error)
{
  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_hide (GTK_WIDGET (self->error_expander));
  gtk_widget_show (GTK_WIDGET (self->error_bar));
}

/* The short message, and QEMU's own last log lines for who wants more. */
static void
show_domain_error (VireoWindow  *self,
                   VireoDomain  *domain,
                   const GError *error)
{
  g_autofree char *log = vireo_domain_get_log_path (domain);
  g_autofree char *tail = vireo_file_read_tail (log, 8);

  vireo_window_show_error (self, error);
  if (tail != NULL)
    {
      gtk_label_set_text (self->error_details, tail);
      gtk_expander_set_expanded (self->error_expander, FALSE);
      gtk_widget_show (GTK_WIDGET (self->error_expander));
    }
}

const char *
vireo_window_get_error_text (VireoWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->error_bar))
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

static void
update_actions (VireoWindow *self)
{
  VireoDomain *d = self->selected;

  set_enabled (self, "start", d && vireo_domain_can (d, VIREO_DOMAIN_OP_START));
  set_enabled (self, "shutdown", d && vireo_domain_can (d, VIREO_DOMAIN_OP_SHUTDOWN));
  set_enabled (self, "force-off", d && vireo_domain_can (d, VIREO_DOMAIN_OP_FORCE_OFF));
  set_enabled (self, "reboot", d && vireo_domain_can (d, VIREO_DOMAIN_OP_REBOOT));
  /* one toggle for both */
  set_enabled (self, "pause", d && (vireo_domain_can (d, VIREO_DOMAIN_OP_PAUSE) ||
                                    vireo_domain_can (d, VIREO_DOMAIN_OP_RESUME)));
  set_enabled (self, "open-console", d != NULL);
  set_enabled (self, "delete", d && vireo_domain_can (d, VIREO_DOMAIN_OP_DELETE));
}

static void
on_selected_state (VireoDomain *domain,
                   GParamSpec  *pspec,
                   VireoWindow *self)
{
  update_actions (self);
}

static void
on_row_selected (GtkListBox    *box,
                 GtkListBoxRow *row,
                 VireoWindow   *self)
{
  if (self->selected)
    g_clear_signal_handler (&self->selected_handler, self->selected);
  g_clear_object (&self->selected);
  if (row != NULL)
    {
      self->selected = g_object_ref (vireo_vm_row_get_domain (VIREO_VM_ROW (row)));
      self->selected_handler = g_signal_connect (self->selected, "notify::state",
                                                 G_CALLBACK (on_selected_state), self);
    }
  update_actions (self);
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
  vireo_window_open_vm_window (self, vireo_vm_row_get_domain (VIREO_VM_ROW (row)));
}

/* Operation results come back here; errors go to the info bar. */
static void
on_operation_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  VireoWindow *self;

  /* every operation has the (gboolean) GTask shape */
  if (vireo_domain_operation_finish (VIREO_DOMAIN (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (VIREO_IS_DOMAIN (source))
    show_domain_error (self, VIREO_DOMAIN (source), error);
  else
    vireo_window_show_error (self, error);
}

static void
start (GSimpleAction *action,
       GVariant      *param,
       gpointer       user_data)
{
  VireoWindow *self = user_data;

  if (self->selected)
    vireo_domain_start_async (self->selected, self->cancellable, on_operation_done, self);
}

static void
shutdown_vm (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  VireoWindow *self = user_data;

  if (self->selected)
    vireo_domain_shutdown_async (self->selected, VIREO_DOMAIN_SHUTDOWN_TIMEOUT_S, self->cancellable,
                                 on_operation_done, self);
}

static void
on_force_off_response (GtkDialog   *dialog,
                       int          response,
                       VireoWindow *self)
{
  VireoDomain *domain = g_object_get_data (G_OBJECT (dialog), "domain");

  if (response == GTK_RESPONSE_ACCEPT)
    vireo_domain_destroy_async (domain, self->cancellable, on_operation_done, self);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
force_off (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  VireoWindow *self = user_data;
  GtkWidget *dialog;

  if (self->selected == NULL)
    return;
  if (!g_settings_get_boolean (self->settings, "confirm-actions"))
    {
      vireo_domain_destroy_async (self->selected, self->cancellable, on_operation_done, self);
      return;
    }
  dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                   _("Force “%s” off?"), vireo_domain_get_name (self->selected));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("This is like pulling the plug: unsaved work in the guest is lost."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Force Off"), GTK_RESPONSE_ACCEPT, NULL);
  g_object_set_data_full (G_OBJECT (dialog), "domain", g_object_ref (self->selected), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_force_off_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_preferences (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (vireo_preferences_new (GTK_WINDOW (user_data))));
}

static void
on_interval_changed (GSettings   *settings,
                     const char  *key,
                     VireoWindow *self)
{
  vireo_stats_set_interval (g_settings_get_uint (settings, "stats-interval"));
}

static void
reboot (GSimpleAction *action,
        GVariant      *param,
        gpointer       user_data)
{
  VireoWindow *self = user_data;

  if (self->selected)
    vireo_domain_action_async (self->selected, VIREO_DOMAIN_ACTION_REBOOT, self->cancellable,
                               on_operation_done, self);
}

static void
pause_resume (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  VireoWindow *self = user_data;
  VireoDomainAction what;

  if (self->selected == NULL)
    return;
  what = vireo_domain_can (self->selected, VIREO_DOMAIN_OP_RESUME)
         ? VIREO_DOMAIN_ACTION_RESUME : VIREO_DOMAIN_ACTION_PAUSE;
  vireo_domain_action_async (self->selected, what, self->cancellable, on_operation_done, self);
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
  VireoDomain *domain = vireo_demo_create_finish (VIREO_ENGINE (source), result, &error);
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
  vireo_domain_start_async (domain, self->cancellable, on_operation_done, self);
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
    vireo_domain_start_async (domain, self->cancellable, on_operation_done, self);
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
  GtkWidget *assistant = vireo_new_vm_assistant_new (GTK_WINDOW (self), self->engine);

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

  if (!vireo_engine_undefine_domain_finish (VIREO_ENGINE (source), result, &error))
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
    vireo_engine_undefine_domain_async (self->engine, domain,
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
  if (row == NULL)
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
new_vm (GSimpleAction *action,
        GVariant      *param,
        gpointer       user_data)
{
  vireo_window_new_vm (user_data);
}

static const GActionEntry actions[] = {
  { "new-vm", new_vm },
  { "start", start },
  { "shutdown", shutdown_vm },
  { "force-off", force_off },
  { "reboot", reboot },
  { "pause", pause_resume },
  { "open-console", open_console },
  { "create-demo", create_demo },
  { "delete", delete_vm },
  { "preferences", show_preferences },
};

static void
update_empty (VireoWindow *self)
{
  GListModel *domains = vireo_engine_get_domains (self->engine);

  /* while loading, the (empty) list rather than a "no VMs" that flashes */
  gtk_stack_set_visible_child_name (self->stack,
                                    self->loading || g_list_model_get_n_items (domains) > 0 ? "list" : "empty");
}

static void
on_items_changed (GListModel  *model,
                  guint        position,
                  guint        removed,
                  guint        added,
                  VireoWindow *self)
{
  update_empty (self);
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
  if (self->engine)
    g_signal_handlers_disconnect_by_data (vireo_engine_get_domains (self->engine), self);
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
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_key_press);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_error_bar_response);
  gtk_widget_class_bind_template_callback (widget_class, on_list_button_press);
}

static void
vireo_window_init (VireoWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->vm_windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
}

VireoWindow *
vireo_window_new (GtkApplication *app,
                  VireoEngine    *engine)
{
  VireoWindow *self = g_object_new (VIREO_TYPE_WINDOW, "application", app, NULL);
  GListModel *domains = vireo_engine_get_domains (engine);

  self->engine = g_object_ref (engine);
  vireo_vm_list_set_model (VIREO_VM_LIST (self->list_box), domains);
  gtk_search_bar_connect_entry (self->search_bar, GTK_ENTRY (self->search_entry));
  self->settings = vireo_ui_settings_new ();
  g_action_map_add_action (G_ACTION_MAP (self), g_settings_create_action (self->settings, "sort-by"));
  g_signal_connect (self->settings, "changed::sort-by", G_CALLBACK (on_sort_changed), self);
  on_sort_changed (self->settings, "sort-by", self);
  g_signal_connect (self->settings, "changed::stats-interval", G_CALLBACK (on_interval_changed), self);
  on_interval_changed (self->settings, "stats-interval", self);
  g_signal_connect (domains, "items-changed", G_CALLBACK (on_items_changed), self);
  update_empty (self);
  if (g_list_model_get_n_items (domains) > 0)
    gtk_list_box_select_row (self->list_box, gtk_list_box_get_row_at_index (self->list_box, 0));
  update_actions (self);
  return self;
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
