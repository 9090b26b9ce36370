/* vireo-serial-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bytes from console.sock go to vte_terminal_feed(); what the user types
 * (VteTerminal::commit) goes back through a queue and one non-blocking
 * write at a time, so a large paste into a slow guest never freezes the
 * window and arrives whole and in order.  The shim sends recent output first, so
 * a console opened after boot still shows the screen.  The view reconnects
 * when the VM starts again.
 */
#include <glib/gi18n.h>
#include <vte/vte.h>

#include "vireo-console-resources.h"
#include "vireo-serial-view.h"

#define READ_SIZE 16384
/* What typing and pasting may queue while the guest reads slowly: a
 * paste beyond this is refused whole rather than sent in part. */
#define MAX_PENDING (16 * 1024 * 1024)

struct _VireoSerialView
{
  GtkBin parent_instance;

  /* owned */
  VireoDomain *domain;
  GSocketConnection *conn;
  GCancellable *cancellable;     /* of the current connection */
  guint8 *buf;
  GByteArray *pending;           /* typed, not yet handed to a write */
  gboolean writing;              /* one write in flight keeps the order */
  gulong state_handler;

  /* template children */
  VteTerminal *terminal;

  /* owned */
  GSimpleActionGroup *actions;
};

G_DEFINE_FINAL_TYPE (VireoSerialView, vireo_serial_view, GTK_TYPE_BIN)

static void start_read (VireoSerialView *self);

static void
feed_status (VireoSerialView *self,
             const char      *text)
{
  g_autofree char *line = g_strdup_printf ("\r\n\033[2m[%s]\033[0m\r\n", text);

  vte_terminal_feed (self->terminal, line, -1);
}

static void
disconnect (VireoSerialView *self)
{
  /* what was typed for this connection is not for the next one */
  g_byte_array_set_size (self->pending, 0);
  self->writing = FALSE;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->conn)
    g_io_stream_close (G_IO_STREAM (self->conn), NULL, NULL);
  g_clear_object (&self->conn);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  VireoSerialView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (n <= 0)
    {
      disconnect (self);
      feed_status (self, _("The VM stopped"));
      return;
    }
  g_debug ("serial console: %" G_GSSIZE_FORMAT " bytes", n);
  vte_terminal_feed (self->terminal, (const char *) self->buf, n);
  start_read (self);
}

static void
start_read (VireoSerialView *self)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (self->conn)),
                             self->buf, READ_SIZE, G_PRIORITY_DEFAULT,
                             self->cancellable, on_read, self);
}

static void
on_console_opened (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = vireo_domain_open_console_finish (VIREO_DOMAIN (source), result, &error);
  VireoSerialView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (conn == NULL)
    {
      feed_status (self, error->message);
      return;
    }
  g_debug ("serial console of VM '%s' connected", vireo_domain_get_name (self->domain));
  self->conn = conn;
  start_read (self);
}

static void
connect_console (VireoSerialView *self)
{
  disconnect (self);
  self->cancellable = g_cancellable_new ();
  vireo_domain_open_console_async (self->domain, self->cancellable, on_console_opened, self);
}

static void
on_state_changed (VireoDomain     *domain,
                  GParamSpec      *pspec,
                  VireoSerialView *self)
{
  if (vireo_domain_can (domain, VIREO_DOMAIN_OP_CONSOLE) && self->conn == NULL)
    connect_console (self);
}

/* One write in flight: its bytes, and the view, held until it ends. */
typedef struct {
  VireoSerialView *self;
  GCancellable *cancellable;    /* tells its connection from a later one */
  GBytes *bytes;
} Write;

static void
write_free (Write *write)
{
  g_object_unref (write->self);
  g_object_unref (write->cancellable);
  g_bytes_unref (write->bytes);
  g_free (write);
}

static void flush_pending (VireoSerialView *self);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Write *write = user_data;
  VireoSerialView *self = write->self;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error) ||
      write->cancellable != self->cancellable)
    {
      /* cancelled, or written to a connection since replaced:
       * disconnect() reset the queue; a failed write means the shim hung
       * up, which the reader reports */
      if (error && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("serial console: write failed: %s", error->message);
      write_free (write);
      return;
    }
  self->writing = FALSE;
  write_free (write);
  flush_pending (self);
}

/* Hands everything queued to one non-blocking write (the socket is a
 * pollable stream: GIO waits for room on the main context, never
 * blocking it); the next starts when it has all gone, so bytes arrive in
 * the order they were typed. */
static void
flush_pending (VireoSerialView *self)
{
  Write *write;

  if (self->writing || self->conn == NULL || self->pending->len == 0)
    return;
  write = g_new0 (Write, 1);
  write->self = g_object_ref (self);
  write->cancellable = g_object_ref (self->cancellable);
  write->bytes = g_byte_array_free_to_bytes (g_steal_pointer (&self->pending));
  self->pending = g_byte_array_new ();
  self->writing = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (self->conn)),
                                   g_bytes_get_data (write->bytes, NULL),
                                   g_bytes_get_size (write->bytes),
                                   G_PRIORITY_DEFAULT, self->cancellable, on_written, write);
}

static void
on_commit (VteTerminal     *terminal,
           const char      *text,
           guint            size,
           VireoSerialView *self)
{
  if (self->conn == NULL)
    return;
  if (self->pending->len + (gsize) size > MAX_PENDING)
    {
      g_autofree char *message = g_strdup_printf (ngettext ("VM '%s': %u byte was not sent to the serial console: "
                                                            "the guest is not reading fast enough",
                                                            "VM '%s': %u bytes were not sent to the serial console: "
                                                            "the guest is not reading fast enough", size),
                                                  vireo_domain_get_name (self->domain), size);
      feed_status (self, message);
      return;
    }
  g_byte_array_append (self->pending, (const guint8 *) text, size);
  flush_pending (self);
}

static void
vireo_serial_view_dispose (GObject *object)
{
  VireoSerialView *self = VIREO_SERIAL_VIEW (object);

  disconnect (self);
  if (self->domain)
    g_clear_signal_handler (&self->state_handler, self->domain);
  g_clear_object (&self->domain);
  g_clear_object (&self->actions);

  G_OBJECT_CLASS (vireo_serial_view_parent_class)->dispose (object);
}

static void
vireo_serial_view_finalize (GObject *object)
{
  g_byte_array_unref (VIREO_SERIAL_VIEW (object)->pending);
  g_free (VIREO_SERIAL_VIEW (object)->buf);
  G_OBJECT_CLASS (vireo_serial_view_parent_class)->finalize (object);
}

static void
update_actions (VireoSerialView *self)
{
  GAction *copy = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "copy");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (copy), vte_terminal_get_has_selection (self->terminal));
}

static void
copy_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  VireoSerialView *self = user_data;

  vte_terminal_copy_clipboard_format (self->terminal, VTE_FORMAT_TEXT);
}

static void
paste_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  VireoSerialView *self = user_data;

  vte_terminal_paste_clipboard (self->terminal);
}

/* Ctrl+Shift+C and Ctrl+Shift+V, as in GNOME Console: plain Ctrl+C
 * belongs to the guest. */
static gboolean
on_key_press (GtkWidget       *widget,
              GdkEventKey     *event,
              VireoSerialView *self)
{
  GdkModifierType mods = event->state & gtk_accelerator_get_default_mod_mask ();
  guint key = gdk_keyval_to_lower (event->keyval);

  if (mods != (GDK_CONTROL_MASK | GDK_SHIFT_MASK))
    return GDK_EVENT_PROPAGATE;
  if (key == GDK_KEY_c)
    g_action_group_activate_action (G_ACTION_GROUP (self->actions), "copy", NULL);
  else if (key == GDK_KEY_v)
    g_action_group_activate_action (G_ACTION_GROUP (self->actions), "paste", NULL);
  else
    return GDK_EVENT_PROPAGATE;
  return GDK_EVENT_STOP;
}

static gboolean
on_button_press (GtkWidget       *widget,
                 GdkEventButton  *event,
                 VireoSerialView *self)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWidget *menu;

  if (!gdk_event_triggers_context_menu ((GdkEvent *) event))
    return GDK_EVENT_PROPAGATE;
  builder = gtk_builder_new_from_resource ("/dev/vireo/Vireo/console/ui/vireo-serial-view.ui");
  menu = gtk_menu_new_from_model (G_MENU_MODEL (gtk_builder_get_object (builder, "context_menu")));
  gtk_menu_attach_to_widget (GTK_MENU (menu), widget, NULL);
  g_signal_connect (menu, "deactivate", G_CALLBACK (gtk_widget_destroy), NULL);
  gtk_menu_popup_at_pointer (GTK_MENU (menu), (GdkEvent *) event);
  return GDK_EVENT_STOP;
}

static void
vireo_serial_view_class_init (VireoSerialViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_serial_view_dispose;
  G_OBJECT_CLASS (klass)->finalize = vireo_serial_view_finalize;
  g_type_ensure (VTE_TYPE_TERMINAL);
  vireo_console_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/console/ui/vireo-serial-view.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoSerialView, terminal);
  gtk_widget_class_bind_template_callback (widget_class, on_commit);
  gtk_widget_class_bind_template_callback (widget_class, on_key_press);
  gtk_widget_class_bind_template_callback (widget_class, on_button_press);
  gtk_widget_class_bind_template_callback (widget_class, update_actions);
}

static void
vireo_serial_view_init (VireoSerialView *self)
{
  static const GActionEntry entries[] = {
    { "copy", copy_activated },
    { "paste", paste_activated },
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->buf = g_malloc (READ_SIZE);
  self->pending = g_byte_array_new ();
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries, G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "serial", G_ACTION_GROUP (self->actions));
  update_actions (self);
}

GtkWidget *
vireo_serial_view_new (VireoDomain *domain)
{
  VireoSerialView *self = g_object_new (VIREO_TYPE_SERIAL_VIEW, NULL);

  self->domain = g_object_ref (domain);
  self->state_handler = g_signal_connect (domain, "notify::state", G_CALLBACK (on_state_changed), self);
  if (vireo_domain_is_active (domain))
    connect_console (self);
  else
    feed_status (self, _("The VM is shut off"));
  return GTK_WIDGET (self);
}

/**
 * vireo_serial_view_get_text:
 * Returns: (transfer full): what the terminal shows, scrollback included
 */
char *
vireo_serial_view_get_text (VireoSerialView *self)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  return vte_terminal_get_text (self->terminal, NULL, NULL, NULL);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/* Types @text as if the user had, through the same path as key presses. */
void
vireo_serial_view_type (VireoSerialView *self,
                        const char      *text)
{
  vte_terminal_feed_child (self->terminal, text, -1);
}
