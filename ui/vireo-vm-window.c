/* vireo-vm-window.c: one VM's window: consoles, details, snapshots, its lifecycle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The header bar starts, pauses, resumes, shuts down, reboots and forces
 * off the VM through the same VireoDomainActions as the manager window,
 * so a user at the console need not go back to the list; failures show
 * in this window's own error bar.  Take Snapshot… and Clone… in its menu
 * open the same dialogs as the Snapshots page.
 */
#include <gdk/gdkkeysyms.h>
#include <glib/gi18n.h>

#include "vireo-application.h"
#include "vireo-clone-dialog.h"
#include "vireo-domain-actions.h"
#include "vireo-preferences.h"
#include "vireo-vm-window.h"

struct _VireoVmWindow
{
  GtkApplicationWindow parent_instance;

  /* template children */
  GtkHeaderBar *header;
  GtkStack *stack;
  GtkWidget *grab_label;
  GtkRevealer *fullscreen_bar;
  GtkWidget *start_button;
  GtkInfoBar *error_bar;
  GtkLabel *error_label;
  gboolean fullscreen;

  /* owned */
  VireoLocalBackend *engine;
  VireoDomain *domain;
  GCancellable *cancellable;
  VireoDomainActions *domain_actions;

  /* children made here */
  VireoVncView *vnc_view;
  VireoSerialView *serial_view;
  VireoDetailsView *details_view;
  VireoSnapshotsView *snapshots_view;
};

G_DEFINE_FINAL_TYPE (VireoVmWindow, vireo_vm_window, GTK_TYPE_APPLICATION_WINDOW)

static void
send_keys (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  VireoVmWindow *self = user_data;
  const char *which = g_variant_get_string (param, NULL);
  guint keys[3] = { GDK_KEY_Control_L, GDK_KEY_Alt_L, 0 };
  guint n = 3;

  if (g_str_equal (which, "ctrl-alt-del"))
    keys[2] = GDK_KEY_Delete;
  else if (g_str_equal (which, "ctrl-alt-backspace"))
    keys[2] = GDK_KEY_BackSpace;
  else if (g_str_equal (which, "print"))
    {
      keys[0] = GDK_KEY_Print;
      n = 1;
    }
  else if (g_str_has_prefix (which, "ctrl-alt-f"))
    {
      guint64 f = g_ascii_strtoull (which + strlen ("ctrl-alt-f"), NULL, 10);
      if (f < 1 || f > 12)
        return;
      keys[2] = GDK_KEY_F1 + f - 1;
    }
  else
    return;
  vireo_vnc_view_send_keys (self->vnc_view, keys, n);
}

static void
send_ctrl_alt_del (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  g_autoptr(GVariant) which = g_variant_ref_sink (g_variant_new_string ("ctrl-alt-del"));

  send_keys (action, which, user_data);
}

static void
toggle_fullscreen (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  VireoVmWindow *self = user_data;

  if (self->fullscreen)
    gtk_window_unfullscreen (GTK_WINDOW (self));
  else
    gtk_window_fullscreen (GTK_WINDOW (self));
}

static gboolean
on_window_state (GtkWidget           *widget,
                 GdkEventWindowState *event,
                 VireoVmWindow       *self)
{
  self->fullscreen = (event->new_window_state & GDK_WINDOW_STATE_FULLSCREEN) != 0;
  gtk_revealer_set_reveal_child (self->fullscreen_bar, self->fullscreen);
  return GDK_EVENT_PROPAGATE;
}

static void
change_scale (GSimpleAction *action,
              GVariant      *state,
              gpointer       user_data)
{
  VireoVmWindow *self = user_data;

  vireo_vnc_view_set_scaling (self->vnc_view, g_variant_get_boolean (state));
  g_simple_action_set_state (action, state);
}

static void
resize_to_guest (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  VireoVmWindow *self = user_data;
  int width, height, header_height;

  if (!vireo_vnc_view_get_guest_size (self->vnc_view, &width, &height))
    return;
  gtk_widget_get_preferred_height (GTK_WIDGET (self->header), NULL, &header_height);
  gtk_window_unmaximize (GTK_WINDOW (self));
  gtk_window_resize (GTK_WINDOW (self), width, height + header_height);
}

static void
on_keyboard_grab (GtkWidget     *display,
                  VireoVmWindow *self)
{
  gtk_widget_show (self->grab_label);
}

static void
on_keyboard_ungrab (GtkWidget     *display,
                    VireoVmWindow *self)
{
  gtk_widget_hide (self->grab_label);
}

static void
on_screenshot_saved (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = user_data;

  if (!vireo_domain_screenshot_finish (VIREO_DOMAIN (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("%s", error->message);
      return;
    }
  g_message ("Saved %s", path);
}

static void
screenshot (GSimpleAction *action,
            GVariant      *param,
            gpointer       user_data)
{
  VireoVmWindow *self = user_data;
  const char *dir = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H-%M-%S");
  g_autofree char *base = g_strdup_printf ("%s %s.png", vireo_domain_get_name (self->domain), stamp);
  char *path = g_build_filename (dir ? dir : g_get_home_dir (), base, NULL);

  vireo_domain_screenshot_async (self->domain, path, self->cancellable, on_screenshot_saved, path);
}

static void
take_snapshot (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  VireoVmWindow *self = user_data;

  vireo_snapshots_view_take (self->snapshots_view);
}

static void
clone_vm (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  VireoVmWindow *self = user_data;

  gtk_window_present (GTK_WINDOW (vireo_clone_dialog_new (GTK_WINDOW (self), self->domain, NULL, NULL)));
}

/* Named vm-snapshot and vm-clone, as the lifecycle verbs below are: the
 * manager's names carry application accelerators. */
static const GActionEntry actions[] = {
  { "vm-snapshot", take_snapshot },
  { "vm-clone", clone_vm },
  { "send-ctrl-alt-del", send_ctrl_alt_del },
  { "send-keys", send_keys, "s" },
  { "screenshot", screenshot },
  { "fullscreen", toggle_fullscreen },
  { "scale", NULL, NULL, "true", change_scale },
  { "resize-to-guest", resize_to_guest },
};

/* The lifecycle verbs on this window's VM (vireo-domain-actions.c).  They
 * are not named "start", "pause", … as the manager's are: the
 * application's accelerators for those (Ctrl+P, Ctrl+Return) would take
 * the keys from the guest's consoles.  The main button starts a shut-off
 * VM and resumes a paused one. */
static const VireoDomainActionEntry lifecycle[] = {
  { "vm-start", VIREO_DOMAIN_OP_START, VIREO_DOMAIN_OP_RESUME },
  { "vm-pause", VIREO_DOMAIN_OP_PAUSE, VIREO_DOMAIN_OP_PAUSE },
  { "vm-shutdown", VIREO_DOMAIN_OP_SHUTDOWN, VIREO_DOMAIN_OP_SHUTDOWN },
  { "vm-reboot", VIREO_DOMAIN_OP_REBOOT, VIREO_DOMAIN_OP_REBOOT },
  { "vm-force-off", VIREO_DOMAIN_OP_FORCE_OFF, VIREO_DOMAIN_OP_FORCE_OFF },
};

/* One bar for errors and, as information, the engine's notes. */
static void
show_message (VireoVmWindow  *self,
              GtkMessageType  type,
              const char     *text)
{
  gtk_info_bar_set_message_type (self->error_bar, type);
  gtk_label_set_text (self->error_label, text);
  gtk_widget_show (GTK_WIDGET (self->error_bar));
}

static void
on_lifecycle_failed (VireoDomainActions *lifecycle_actions,
                     VireoDomain        *domain,
                     const GError       *error,
                     VireoVmWindow      *self)
{
  show_message (self, GTK_MESSAGE_ERROR, error->message);
}

static void
on_lifecycle_noted (VireoDomainActions *lifecycle_actions,
                    VireoDomain        *domain,
                    const char         *note,
                    VireoVmWindow      *self)
{
  show_message (self, GTK_MESSAGE_INFO, note);
}

static void
on_snapshots_failed (VireoSnapshotsView *view,
                     const GError       *error,
                     VireoVmWindow      *self)
{
  show_message (self, GTK_MESSAGE_ERROR, error->message);
}

static void
on_error_bar_response (GtkInfoBar    *bar,
                       int            response,
                       VireoVmWindow *self)
{
  gtk_widget_hide (GTK_WIDGET (bar));
}

/* The main button says what it will do: Start, or Resume a paused VM. */
static void
on_domain_state (VireoDomain   *domain,
                 GParamSpec    *pspec,
                 VireoVmWindow *self)
{
  const char *what = vireo_domain_can (domain, VIREO_DOMAIN_OP_RESUME) ? _("Resume") : _("Start");

  gtk_widget_set_tooltip_text (self->start_button, what);
  atk_object_set_name (gtk_widget_get_accessible (self->start_button), what);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "vm-snapshot")),
                               vireo_domain_can (domain, VIREO_DOMAIN_OP_SNAPSHOT));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "vm-clone")),
                               vireo_domain_can (domain, VIREO_DOMAIN_OP_CLONE));
}

static void
vireo_vm_window_dispose (GObject *object)
{
  VireoVmWindow *self = VIREO_VM_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->domain_actions);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->domain);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (vireo_vm_window_parent_class)->dispose (object);
}

static void
vireo_vm_window_class_init (VireoVmWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_vm_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-vm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoVmWindow, header);
  gtk_widget_class_bind_template_child (widget_class, VireoVmWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, VireoVmWindow, grab_label);
  gtk_widget_class_bind_template_child (widget_class, VireoVmWindow, fullscreen_bar);
  gtk_widget_class_bind_template_child (widget_class, VireoVmWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, VireoVmWindow, error_bar);
  gtk_widget_class_bind_template_child (widget_class, VireoVmWindow, error_label);
  /* reached by name only, by the tests */
  gtk_widget_class_bind_template_child_full (widget_class, "power_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_window_state);
  gtk_widget_class_bind_template_callback (widget_class, on_error_bar_response);
}

static void
vireo_vm_window_init (VireoVmWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  vireo_ui_name_close_button (GTK_WIDGET (self->error_bar), _("Close error message"));
  self->cancellable = g_cancellable_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  self->domain_actions = vireo_domain_actions_new (GTK_WINDOW (self), self->cancellable,
                                                   lifecycle, G_N_ELEMENTS (lifecycle));
  g_signal_connect_object (self->domain_actions, "failed", G_CALLBACK (on_lifecycle_failed), self, 0);
  g_signal_connect_object (self->domain_actions, "noted", G_CALLBACK (on_lifecycle_noted), self, 0);
}

/* A page the VM's host cannot show yet: the engine's reason instead. */
static GtkWidget *
unavailable_page (VireoDomain   *domain,
                  VireoDomainOp  op)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *label;

  vireo_domain_check (domain, op, &error);
  label = gtk_label_new (error != NULL ? error->message : NULL);
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_set_margin_start (label, 24);
  gtk_widget_set_margin_end (label, 24);
  gtk_style_context_add_class (gtk_widget_get_style_context (label), "dim-label");
  gtk_widget_show (label);
  return label;
}

static gboolean
host_can (VireoDomain      *domain,
          VireoBackendCaps  caps)
{
  VireoBackend *backend = vireo_domain_get_backend (domain);

  return backend == NULL || vireo_backend_can (backend, caps);
}

/* The guest's screen, or why its host cannot show it (then the actions
 * on the screen are off). */
static void
add_display_page (VireoVmWindow *self)
{
  g_autoptr(GSettings) settings = NULL;
  gboolean scale;
  const char *screen_actions[] = { "send-ctrl-alt-del", "send-keys", "screenshot", "scale", "resize-to-guest" };

  if (!host_can (self->domain, VIREO_BACKEND_CAN_DISPLAY))
    {
      for (guint i = 0; i < G_N_ELEMENTS (screen_actions); i++)
        g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), screen_actions[i])),
                                     FALSE);
      gtk_stack_add_titled (self->stack, unavailable_page (self->domain, VIREO_DOMAIN_OP_DISPLAY), "console", _("Console"));
      return;
    }
  self->vnc_view = VIREO_VNC_VIEW (vireo_vnc_view_new (self->domain));
  gtk_widget_show (GTK_WIDGET (self->vnc_view));
  settings = vireo_ui_settings_new ();
  scale = g_settings_get_boolean (settings, "console-scaling");
  vireo_vnc_view_set_scaling (self->vnc_view, scale);
  g_action_change_state (g_action_map_lookup_action (G_ACTION_MAP (self), "scale"),
                         g_variant_new_boolean (scale));
  g_signal_connect_object (vireo_vnc_view_get_display (self->vnc_view), "vnc-keyboard-grab",
                           G_CALLBACK (on_keyboard_grab), self, 0);
  g_signal_connect_object (vireo_vnc_view_get_display (self->vnc_view), "vnc-keyboard-ungrab",
                           G_CALLBACK (on_keyboard_ungrab), self, 0);
  gtk_stack_add_titled (self->stack, GTK_WIDGET (self->vnc_view), "console", _("Console"));
}

static void
add_serial_page (VireoVmWindow *self)
{
  if (!host_can (self->domain, VIREO_BACKEND_CAN_CONSOLE))
    {
      gtk_stack_add_titled (self->stack, unavailable_page (self->domain, VIREO_DOMAIN_OP_CONSOLE), "serial", _("Serial"));
      return;
    }
  self->serial_view = VIREO_SERIAL_VIEW (vireo_serial_view_new (self->domain));
  gtk_widget_show (GTK_WIDGET (self->serial_view));
  gtk_stack_add_titled (self->stack, GTK_WIDGET (self->serial_view), "serial", _("Serial"));
}

static void
add_snapshots_page (VireoVmWindow *self)
{
  if (!host_can (self->domain, VIREO_BACKEND_CAN_SNAPSHOTS))
    {
      gtk_stack_add_titled (self->stack, unavailable_page (self->domain, VIREO_DOMAIN_OP_SNAPSHOT),
                            "snapshots", _("Snapshots"));
      return;
    }
  self->snapshots_view = VIREO_SNAPSHOTS_VIEW (vireo_snapshots_view_new (self->engine, self->domain));
  g_signal_connect_object (self->snapshots_view, "failed", G_CALLBACK (on_snapshots_failed), self, 0);
  gtk_widget_show (GTK_WIDGET (self->snapshots_view));
  gtk_stack_add_titled (self->stack, GTK_WIDGET (self->snapshots_view), "snapshots", _("Snapshots"));
}

/**
 * vireo_vm_window_new:
 * @engine: this computer's VMs, which make clones and snapshots
 * @domain: a VM of any host; the pages its host cannot show yet say why
 */
GtkWidget *
vireo_vm_window_new (GtkApplication *app,
                     VireoLocalBackend    *engine,
                     VireoDomain    *domain)
{
  VireoVmWindow *self = g_object_new (VIREO_TYPE_VM_WINDOW, "application", app, NULL);

  self->engine = g_object_ref (engine);
  self->domain = g_object_ref (domain);
  gtk_window_set_title (GTK_WINDOW (self), vireo_domain_get_name (domain));
  vireo_domain_actions_set_domain (self->domain_actions, domain);
  vireo_domain_actions_set_engine (self->domain_actions, engine);
  g_signal_connect_object (domain, "notify::state", G_CALLBACK (on_domain_state), self, 0);
  on_domain_state (domain, NULL, self);
  add_display_page (self);
  add_serial_page (self);
  self->details_view = VIREO_DETAILS_VIEW (vireo_details_view_new (engine, domain));
  gtk_widget_show (GTK_WIDGET (self->details_view));
  gtk_stack_add_titled (self->stack, GTK_WIDGET (self->details_view), "details", _("Details"));
  add_snapshots_page (self);
  /* without a screen, the details are what there is to see */
  if (self->vnc_view == NULL)
    gtk_stack_set_visible_child_name (self->stack, "details");
  return GTK_WIDGET (self);
}

VireoDomain *
vireo_vm_window_get_domain (VireoVmWindow *self)
{
  return self->domain;
}

VireoVncView *
vireo_vm_window_get_vnc_view (VireoVmWindow *self)
{
  return self->vnc_view;
}

VireoDetailsView *
vireo_vm_window_get_details_view (VireoVmWindow *self)
{
  return self->details_view;
}

VireoSnapshotsView *
vireo_vm_window_get_snapshots_view (VireoVmWindow *self)
{
  return self->snapshots_view;
}

VireoSerialView *
vireo_vm_window_get_serial_view (VireoVmWindow *self)
{
  return self->serial_view;
}

void
vireo_vm_window_show_page (VireoVmWindow *self,
                           const char    *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
}

/**
 * vireo_vm_window_get_error_text:
 * Returns: (nullable): the error the window shows, if any
 */
const char *
vireo_vm_window_get_error_text (VireoVmWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->error_bar)) &&
         gtk_info_bar_get_message_type (self->error_bar) == GTK_MESSAGE_ERROR
         ? gtk_label_get_text (self->error_label) : NULL;
}
