/* vireo-host-header.c: the row above one host's VMs in the manager's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The host's title and its state in words: silent when connected,
 * "Connecting…", "Lost, reconnecting in 8 s: …" counting down each
 * second, "Not connected: …" with the host's one-line error; Retry when
 * the host is lost or not connected.  Its menu renames, reconnects and
 * removes a saved host; this computer has none of these.
 *
 * A list box replaces its headers as rows move, so a header is cheap and
 * holds nothing but signal handlers that die with it.
 */
#include <glib/gi18n.h>

#include "vireo-host-header.h"

struct _VireoHostHeader
{
  GtkBox parent_instance;

  /* template children */
  GtkLabel *title_label;
  GtkLabel *state_label;
  GtkWidget *retry_button;
  GtkWidget *menu_button;
  GtkImage *icon;

  /* owned */
  VireoHosts *hosts;
  VireoBackend *backend;
  GSimpleActionGroup *actions;
  guint tick_id;           /* the countdown of a lost host */
};

G_DEFINE_FINAL_TYPE (VireoHostHeader, vireo_host_header, GTK_TYPE_BOX)

static gboolean
is_local (VireoHostHeader *self)
{
  return self->backend == vireo_hosts_get_local (self->hosts);
}

/**
 * vireo_host_state_text:
 * Returns: (transfer full): @backend's state in one line for its header,
 *   "" when connected
 */
/* The engine's error without its "Host 'URI': ", which the header says
 * already (the tooltip keeps it whole) */
static const char *
reason (VireoBackend *backend,
        const char   *message)
{
  g_autofree char *prefix = NULL;

  if (message == NULL)
    return NULL;
  /* Translators: the same as the engine's "Host '%s': %s" */
  prefix = g_strdup_printf (_("Host '%s': %s"), vireo_backend_get_uri (backend), "");
  return g_str_has_prefix (message, prefix) ? message + strlen (prefix) : message;
}

char *
vireo_host_state_text (VireoBackend *backend)
{
  const GError *error = vireo_backend_get_error (backend);
  const char *why = reason (backend, error != NULL ? error->message : NULL);
  gint64 retry_at = vireo_backend_get_retry_time (backend);

  switch (vireo_backend_get_state (backend))
    {
    case VIREO_BACKEND_STATE_CONNECTING:
      return g_strdup (_("Connecting…"));
    case VIREO_BACKEND_STATE_RECONNECTING:
      return g_strdup (_("Reconnecting…"));
    case VIREO_BACKEND_STATE_LOST:
      if (retry_at > 0)
        {
          gint64 left = MAX ((retry_at - g_get_real_time () + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 0);

          /* Translators: a host's state; %d seconds, %s is why the link went */
          return g_strdup_printf (_("Lost, reconnecting in %d s: %s"), (int) left, why ? why : "");
        }
      /* Translators: a host's state; %s is why the link went */
      return g_strdup_printf (_("Lost: %s"), why ? why : "");
    case VIREO_BACKEND_STATE_DISCONNECTED:
      if (why != NULL)
        /* Translators: a host's state; %s is why it could not connect */
        return g_strdup_printf (_("Not connected: %s"), why);
      return g_strdup (_("Not connected"));
    case VIREO_BACKEND_STATE_CONNECTED:
    default:
      return g_strdup ("");
    }
}

static gboolean on_tick (gpointer user_data);

static void
update (VireoHostHeader *self)
{
  VireoBackendState state = vireo_backend_get_state (self->backend);
  g_autofree char *text = vireo_host_state_text (self->backend);
  gboolean down = state == VIREO_BACKEND_STATE_LOST || state == VIREO_BACKEND_STATE_DISCONNECTED;
  const GError *error = vireo_backend_get_error (self->backend);

  gtk_label_set_text (self->title_label, vireo_backend_get_title (self->backend));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), vireo_backend_get_uri (self->backend));
  gtk_label_set_text (self->state_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_label), error != NULL ? error->message : NULL);
  gtk_widget_set_visible (self->retry_button, down && !is_local (self));
  gtk_image_set_from_icon_name (self->icon, is_local (self) ? "computer-symbolic" : "network-server-symbolic",
                                GTK_ICON_SIZE_BUTTON);
  /* a lost host counts down to its next try */
  if (state == VIREO_BACKEND_STATE_LOST && vireo_backend_get_retry_time (self->backend) > 0)
    {
      if (self->tick_id == 0)
        self->tick_id = g_timeout_add_seconds (1, on_tick, self);
    }
  else
    g_clear_handle_id (&self->tick_id, g_source_remove);
}

static gboolean
on_tick (gpointer user_data)
{
  VireoHostHeader *self = user_data;
  g_autofree char *text = vireo_host_state_text (self->backend);

  gtk_label_set_text (self->state_label, text);
  return G_SOURCE_CONTINUE;
}

static void
on_backend_changed (VireoBackend    *backend,
                    GParamSpec      *pspec,
                    VireoHostHeader *self)
{
  update (self);
}

static void
on_reconnected (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* the header shows the state and the error the host keeps */
  if (!vireo_backend_connect_finish (VIREO_BACKEND (source), result, &error))
    g_debug ("Host %s did not connect: %s", vireo_backend_get_uri (VIREO_BACKEND (source)), error->message);
}

static void
reconnect (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  VireoHostHeader *self = user_data;

  vireo_backend_connect_async (self->backend, NULL, on_reconnected, NULL);
}

/* A failed change of the saved hosts: one line, over the window. */
static void
show_error (VireoHostHeader *self,
            const GError    *error)
{
  GtkWidget *toplevel = gtk_widget_get_toplevel (GTK_WIDGET (self));
  GtkWidget *dialog = gtk_message_dialog_new (GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL,
                                              GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE, "%s", error->message);

  g_signal_connect (dialog, "response", G_CALLBACK (gtk_widget_destroy), NULL);
  gtk_widget_show (dialog);
}

static void
on_rename_response (GtkDialog       *dialog,
                    int              response,
                    VireoHostHeader *self)
{
  GtkEntry *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      !vireo_hosts_rename (self->hosts, vireo_backend_get_uri (self->backend), gtk_entry_get_text (entry), &error))
    show_error (self, error);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
rename_host (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  VireoHostHeader *self = user_data;
  GtkWidget *toplevel = gtk_widget_get_toplevel (GTK_WIDGET (self));
  GtkWidget *dialog = gtk_dialog_new_with_buttons (_("Rename Host"), GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL,
                                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT | GTK_DIALOG_USE_HEADER_BAR,
                                                   _("_Cancel"), GTK_RESPONSE_CANCEL, _("_Rename"), GTK_RESPONSE_ACCEPT, NULL);
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_text (GTK_ENTRY (entry), vireo_backend_get_title (self->backend));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_widget_set_margin_start (entry, 12);
  gtk_widget_set_margin_end (entry, 12);
  gtk_widget_set_margin_top (entry, 12);
  gtk_widget_set_margin_bottom (entry, 12);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  gtk_container_add (GTK_CONTAINER (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), entry);
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_rename_response), self, 0);
  gtk_widget_show_all (dialog);
}

static void
on_remove_response (GtkDialog       *dialog,
                    int              response,
                    VireoHostHeader *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup (vireo_backend_get_uri (self->backend));
  g_autoptr(VireoHosts) hosts = g_object_ref (self->hosts);

  gtk_widget_destroy (GTK_WIDGET (dialog));
  /* removing the host takes this header away with its rows */
  if (response == GTK_RESPONSE_ACCEPT && !vireo_hosts_remove (hosts, uri, &error))
    show_error (self, error);
}

static void
remove_host (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  VireoHostHeader *self = user_data;
  GtkWidget *toplevel = gtk_widget_get_toplevel (GTK_WIDGET (self));
  GtkWidget *dialog = gtk_message_dialog_new (GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL,
                                              GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                              /* Translators: %s is a saved host's title */
                                              _("Remove the connection to '%s'? Its VMs stay on the host."),
                                              vireo_backend_get_title (self->backend));

  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Remove"), GTK_RESPONSE_ACCEPT, NULL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_widget_show (dialog);
}

static const GActionEntry host_actions[] = {
  { "rename", rename_host },
  { "reconnect", reconnect },
  { "remove", remove_host },
};

static void
vireo_host_header_dispose (GObject *object)
{
  VireoHostHeader *self = VIREO_HOST_HEADER (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->backend != NULL)
    g_signal_handlers_disconnect_by_data (self->backend, self);
  g_clear_object (&self->backend);
  g_clear_object (&self->hosts);
  g_clear_object (&self->actions);
  G_OBJECT_CLASS (vireo_host_header_parent_class)->dispose (object);
}

static void
vireo_host_header_class_init (VireoHostHeaderClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_host_header_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-host-header.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoHostHeader, title_label);
  gtk_widget_class_bind_template_child (widget_class, VireoHostHeader, state_label);
  gtk_widget_class_bind_template_child (widget_class, VireoHostHeader, retry_button);
  gtk_widget_class_bind_template_child (widget_class, VireoHostHeader, menu_button);
  gtk_widget_class_bind_template_child (widget_class, VireoHostHeader, icon);
}

static void
vireo_host_header_init (VireoHostHeader *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), host_actions, G_N_ELEMENTS (host_actions), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "host", G_ACTION_GROUP (self->actions));
}

/**
 * vireo_host_header_new:
 * @hosts: the saved hosts, which Rename… and Remove change
 * @backend: the host it heads, one of @hosts
 *
 * Returns: (transfer floating): the header
 */
GtkWidget *
vireo_host_header_new (VireoHosts   *hosts,
                       VireoBackend *backend)
{
  VireoHostHeader *self = g_object_new (VIREO_TYPE_HOST_HEADER, NULL);

  self->hosts = g_object_ref (hosts);
  self->backend = g_object_ref (backend);
  /* this computer is always there and always itself */
  gtk_widget_set_visible (self->menu_button, !is_local (self));
  g_signal_connect (backend, "notify::state", G_CALLBACK (on_backend_changed), self);
  g_signal_connect (backend, "notify::title", G_CALLBACK (on_backend_changed), self);
  update (self);
  return GTK_WIDGET (self);
}

VireoBackend *
vireo_host_header_get_backend (VireoHostHeader *self)
{
  return self->backend;
}

/* What the header says of the host's state now. */
const char *
vireo_host_header_get_state_text (VireoHostHeader *self)
{
  return gtk_label_get_text (self->state_label);
}
