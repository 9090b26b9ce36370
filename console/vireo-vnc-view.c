/* vireo-vnc-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The view connects to the VM's private vnc.sock itself and hands gtk-vnc
 * the connected fd, so no TCP port is ever opened.  It follows the VM's
 * state: it connects when the VM runs, shows a message with a Start button
 * when it does not, and reconnects after a reboot or restart.
 */
#include <glib/gi18n.h>
#include <vncdisplay.h>

#include "vireo-console-resources.h"
#include "vireo-vnc-view.h"

#define RECONNECT_MS 500

struct _VireoVncView
{
  GtkBin parent_instance;

  /* owned */
  VireoDomain *domain;
  GSocketConnection *conn;
  GCancellable *cancellable;
  guint reconnect_id;
  gulong state_handler;
  gulong map_handler;       /* waiting to be on screen to open the display */

  /* template children */
  GtkStack *stack;
  GtkWidget *display;       /* also owned: the stack may destroy it before our dispose */
  GtkLabel *message;
  GtkButton *start_button;
};

G_DEFINE_FINAL_TYPE (VireoVncView, vireo_vnc_view, GTK_TYPE_BIN)

static void connect_display (VireoVncView *self);

static void
show_message (VireoVncView *self,
              const char   *text,
              gboolean      can_start)
{
  gtk_label_set_text (self->message, text);
  gtk_widget_set_visible (GTK_WIDGET (self->start_button), can_start);
  gtk_stack_set_visible_child_name (self->stack, "message");
}

static void
update_for_state (VireoVncView *self)
{
  VireoDomainState state = vireo_domain_get_state (self->domain);

  if (vireo_domain_state_allows (state, VIREO_DOMAIN_OP_DISPLAY))
    {
      if (self->conn == NULL && self->reconnect_id == 0)
        connect_display (self);
      return;
    }
  if (state == VIREO_DOMAIN_STATE_STARTING)
    show_message (self, _("The VM is starting…"), FALSE);
  else if (state == VIREO_DOMAIN_STATE_CRASHED)
    {
      g_autofree char *text = g_strdup_printf (_("The VM crashed: %s"),
                                               vireo_domain_get_state_reason (self->domain));
      show_message (self, text, TRUE);
    }
  else
    show_message (self, _("The VM is shut off."), TRUE);
}

static gboolean
on_reconnect (gpointer user_data)
{
  VireoVncView *self = user_data;

  self->reconnect_id = 0;
  update_for_state (self);
  return G_SOURCE_REMOVE;
}

static void
on_vnc_disconnected (VncDisplay   *display,
                     VireoVncView *self)
{
  g_clear_object (&self->conn);
  vireo_domain_refresh_state (self->domain);
  /* QEMU drops VNC clients on reset; try again while the VM runs */
  if (self->reconnect_id == 0)
    self->reconnect_id = g_timeout_add (RECONNECT_MS, on_reconnect, self);
  update_for_state (self);
}

static void
on_vnc_initialized (VncDisplay   *display,
                    VireoVncView *self)
{
  gtk_stack_set_visible_child_name (self->stack, "display");
  gtk_widget_grab_focus (self->display);
}

static void open_display (VireoVncView *self);

static void
on_mapped (GtkWidget *widget,
           gpointer   user_data)
{
  VireoVncView *self = VIREO_VNC_VIEW (widget);

  g_clear_signal_handler (&self->map_handler, self);
  if (self->conn != NULL)
    open_display (self);
}

/* gtk-vnc sizes its window as soon as the guest's screen arrives, and
 * its display has no window until it has been on screen: the connected fd
 * goes to it once the view is shown (a console page the user has not
 * opened yet waits, connected, until then). */
static void
open_display (VireoVncView *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      if (self->map_handler == 0)
        self->map_handler = g_signal_connect (self, "map", G_CALLBACK (on_mapped), NULL);
      return;
    }
  vnc_display_open_fd (VNC_DISPLAY (self->display),
                       g_socket_get_fd (g_socket_connection_get_socket (self->conn)));
}

static void
on_socket_connected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = vireo_domain_open_display_finish (VIREO_DOMAIN (source), result, &error);
  VireoVncView *self;

  if (conn == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self = user_data;
      if (self->reconnect_id == 0)
        self->reconnect_id = g_timeout_add (RECONNECT_MS, on_reconnect, self);
      return;
    }
  self = user_data;
  self->conn = conn;
  show_message (self, _("Connecting to the screen…"), FALSE);
  open_display (self);
}

static void
connect_display (VireoVncView *self)
{
  vireo_domain_open_display_async (self->domain, self->cancellable, on_socket_connected, self);
}

static void
on_state_changed (VireoDomain  *domain,
                  GParamSpec   *pspec,
                  VireoVncView *self)
{
  update_for_state (self);
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!vireo_domain_start_finish (VIREO_DOMAIN (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_message (user_data, error->message, TRUE);
}

static void
on_start_clicked (GtkButton    *button,
                  VireoVncView *self)
{
  show_message (self, _("The VM is starting…"), FALSE);
  vireo_domain_start_async (self->domain, self->cancellable, on_started, self);
}

static void
vireo_vnc_view_dispose (GObject *object)
{
  VireoVncView *self = VIREO_VNC_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  if (self->domain)
    g_clear_signal_handler (&self->state_handler, self->domain);
  if (self->display)
    {
      g_signal_handlers_disconnect_by_data (self->display, self);
      vnc_display_close (VNC_DISPLAY (self->display));
      g_clear_object (&self->display);
    }
  g_clear_object (&self->conn);
  g_clear_object (&self->domain);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (vireo_vnc_view_parent_class)->dispose (object);
}

static void
vireo_vnc_view_class_init (VireoVncViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_vnc_view_dispose;
  g_type_ensure (VNC_TYPE_DISPLAY);
  vireo_console_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/console/ui/vireo-vnc-view.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoVncView, stack);
  gtk_widget_class_bind_template_child (widget_class, VireoVncView, display);
  gtk_widget_class_bind_template_child (widget_class, VireoVncView, message);
  gtk_widget_class_bind_template_child (widget_class, VireoVncView, start_button);
  gtk_widget_class_bind_template_callback (widget_class, on_vnc_initialized);
  gtk_widget_class_bind_template_callback (widget_class, on_vnc_disconnected);
  gtk_widget_class_bind_template_callback (widget_class, on_start_clicked);
}

static void
vireo_vnc_view_init (VireoVncView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_object_ref (self->display);
  self->cancellable = g_cancellable_new ();
}

/**
 * vireo_vnc_view_new:
 * Returns: a view that follows @domain's screen for as long as it lives
 */
GtkWidget *
vireo_vnc_view_new (VireoDomain *domain)
{
  VireoVncView *self = g_object_new (VIREO_TYPE_VNC_VIEW, NULL);

  self->domain = g_object_ref (domain);
  self->state_handler = g_signal_connect (domain, "notify::state", G_CALLBACK (on_state_changed), self);
  gtk_stack_set_visible_child_name (self->stack, "message");
  update_for_state (self);
  return GTK_WIDGET (self);
}

gboolean
vireo_vnc_view_is_connected (VireoVncView *self)
{
  return vnc_display_is_open (VNC_DISPLAY (self->display)) &&
         g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "display") == 0;
}

/**
 * vireo_vnc_view_get_pixbuf:
 * Returns: (transfer full) (nullable): the current frame
 */
GdkPixbuf *
vireo_vnc_view_get_pixbuf (VireoVncView *self)
{
  return vnc_display_get_pixbuf (VNC_DISPLAY (self->display));
}

GtkWidget *
vireo_vnc_view_get_display (VireoVncView *self)
{
  return self->display;
}

void
vireo_vnc_view_send_keys (VireoVncView *self,
                          const guint  *keyvals,
                          int           n_keyvals)
{
  vnc_display_send_keys (VNC_DISPLAY (self->display), keyvals, n_keyvals);
}

void
vireo_vnc_view_set_scaling (VireoVncView *self,
                            gboolean      scale)
{
  vnc_display_set_scaling (VNC_DISPLAY (self->display), scale);
}

/**
 * vireo_vnc_view_get_guest_size:
 * Returns: %FALSE when not connected
 */
gboolean
vireo_vnc_view_get_guest_size (VireoVncView *self,
                               int          *width,
                               int          *height)
{
  if (!vireo_vnc_view_is_connected (self))
    return FALSE;
  *width = vnc_display_get_width (VNC_DISPLAY (self->display));
  *height = vnc_display_get_height (VNC_DISPLAY (self->display));
  return *width > 0 && *height > 0;
}
