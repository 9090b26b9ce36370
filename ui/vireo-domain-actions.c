/* vireo-domain-actions.c: a VM's lifecycle verbs as a window's actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The manager window (on the selected VM) and a VM's own window (on its
 * VM) both start, pause, resume, shut down, reboot and force off through
 * here: one place runs each verb, asks before a Force Off, and enables
 * the actions as the engine's vireo_domain_can() says the VM's state
 * allows, again on every change of state.  A failure comes back as the
 * ::failed signal, for the window to show where it shows errors, and the
 * engine's note on a start that succeeded (no KVM) as ::noted.  A VM
 * on a virtual network that may not start for want of the network helper
 * (or of the right to use it) is offered user-mode networking instead.
 */
#include <glib/gi18n.h>

#include "vireo-domain-actions.h"
#include "vireo-preferences.h"

struct _VireoDomainActions
{
  GObject parent_instance;

  /* borrowed */
  GtkWindow *window;                     /* weak: holds the actions, parents the question */
  const VireoDomainActionEntry *entries; /* static */
  guint n_entries;

  /* owned */
  VireoLocalBackend *engine;                   /* to save a changed definition; NULL: none */
  GCancellable *cancellable;             /* the window's: it cancels it when it closes */
  GSettings *settings;
  VireoDomain *domain;
  gulong state_handler;
};

enum {
  FAILED,
  NOTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VireoDomainActions, vireo_domain_actions, G_TYPE_OBJECT)

/* Every verb has the (gboolean) GTask shape; @user_data holds a reference. */
static void
on_operation_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(VireoDomainActions) self = user_data;
  g_autoptr(GError) error = NULL;

  if (vireo_domain_operation_finish (VIREO_DOMAIN (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->window == NULL)
    return;
  g_signal_emit (self, signals[FAILED], 0, VIREO_DOMAIN (source), error);
}

typedef struct {
  VireoDomainActions *self;
  VireoDomain *domain;
} Switching;

/* Saved through the engine, as the Details editor saves; then started. */
static void
on_switched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Switching *data = user_data;
  g_autoptr(VireoDomainActions) self = data->self;
  g_autoptr(VireoDomain) asked = data->domain;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = vireo_backend_define_domain_finish (VIREO_BACKEND (source), result, &error);

  g_free (data);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->window == NULL)
    return;
  if (domain == NULL)
    g_signal_emit (self, signals[FAILED], 0, asked, error);
  else
    vireo_domain_actions_run (self, domain, VIREO_DOMAIN_OP_START);
}

/**
 * vireo_domain_actions_use_user_mode:
 * Changes every interface of @domain on a virtual network to user-mode
 * networking, in its definition, and starts it.  A failure is emitted
 * as ::failed.
 */
void
vireo_domain_actions_use_user_mode (VireoDomainActions *self,
                                    VireoDomain        *domain)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_copy (vireo_domain_get_config (domain));
  Switching *data;

  g_return_if_fail (self->engine != NULL);

  vireo_domain_config_use_user_networking (config);
  data = g_new0 (Switching, 1);
  data->self = g_object_ref (self);
  data->domain = g_object_ref (domain);
  vireo_backend_define_domain_async (VIREO_BACKEND (self->engine), config, self->cancellable, on_switched, data);
}

static void
on_user_mode_response (GtkDialog          *dialog,
                       int                 response,
                       VireoDomainActions *self)
{
  VireoDomain *domain = g_object_get_data (G_OBJECT (dialog), "domain");

  if (response == GTK_RESPONSE_ACCEPT)
    vireo_domain_actions_use_user_mode (self, domain);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/* The window shows why the start failed (::failed); this asks whether
 * to use user-mode networking instead. */
static void
offer_user_mode (VireoDomainActions *self,
                 VireoDomain        *domain)
{
  GtkWidget *dialog = gtk_message_dialog_new (self->window, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                              _("Start “%s” with user-mode networking?"),
                                              vireo_domain_get_name (domain));

  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("Its virtual network cannot start here. Its network interfaces "
                                              "can use user-mode networking (NAT inside QEMU) instead; the "
                                              "Details page can change them back."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Use User-Mode Networking"), GTK_RESPONSE_ACCEPT, NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  g_object_set_data_full (G_OBJECT (dialog), "domain", g_object_ref (domain), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_user_mode_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VireoDomainActions) self = user_data;
  g_autoptr(GError) error = NULL;
  VireoDomain *domain = VIREO_DOMAIN (source);
  gboolean started = vireo_domain_operation_finish (domain, result, &error);

  if (started && self->window != NULL && vireo_domain_get_start_note (domain) != NULL)
    g_signal_emit (self, signals[NOTED], 0, domain, vireo_domain_get_start_note (domain));
  if (started || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->window == NULL)
    return;
  g_signal_emit (self, signals[FAILED], 0, domain, error);
  if (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_PERMISSION) && self->engine &&
      vireo_domain_config_uses_networks (vireo_domain_get_config (domain)))
    offer_user_mode (self, domain);
}

static void
force_off_now (VireoDomainActions *self,
               VireoDomain        *domain)
{
  vireo_domain_destroy_async (domain, self->cancellable, on_operation_done, g_object_ref (self));
}

static void
on_force_off_response (GtkDialog          *dialog,
                       int                 response,
                       VireoDomainActions *self)
{
  VireoDomain *domain = g_object_get_data (G_OBJECT (dialog), "domain");

  if (response == GTK_RESPONSE_ACCEPT)
    force_off_now (self, domain);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/* Pulling the plug loses the guest's unsaved work: ask first, unless the
 * user said not to in Preferences. */
static void
confirm_force_off (VireoDomainActions *self,
                   VireoDomain        *domain)
{
  GtkWidget *dialog;

  if (self->window == NULL || !g_settings_get_boolean (self->settings, "confirm-actions"))
    {
      force_off_now (self, domain);
      return;
    }
  dialog = gtk_message_dialog_new (self->window, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                   _("Force “%s” off?"), vireo_domain_get_name (domain));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("This is like pulling the plug: unsaved work in the guest is lost."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Force Off"), GTK_RESPONSE_ACCEPT, NULL);
  gtk_style_context_add_class (gtk_widget_get_style_context (
      gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT)),
      GTK_STYLE_CLASS_DESTRUCTIVE_ACTION);
  g_object_set_data_full (G_OBJECT (dialog), "domain", g_object_ref (domain), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_force_off_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * vireo_domain_actions_run:
 * Asks @domain for @op (a lifecycle verb: start, shut down, force off
 * with the user's confirmation, reboot, reset, pause, resume); a failure
 * is emitted as ::failed.
 */
void
vireo_domain_actions_run (VireoDomainActions *self,
                          VireoDomain        *domain,
                          VireoDomainOp       op)
{
  g_return_if_fail (VIREO_IS_DOMAIN_ACTIONS (self));
  g_return_if_fail (VIREO_IS_DOMAIN (domain));

  switch (op)
    {
    case VIREO_DOMAIN_OP_START:
      vireo_domain_start_async (domain, self->cancellable, on_started, g_object_ref (self));
      break;
    case VIREO_DOMAIN_OP_SHUTDOWN:
      vireo_domain_shutdown_async (domain, VIREO_DOMAIN_SHUTDOWN_TIMEOUT_S, self->cancellable,
                                   on_operation_done, g_object_ref (self));
      break;
    case VIREO_DOMAIN_OP_FORCE_OFF:
      confirm_force_off (self, domain);
      break;
    case VIREO_DOMAIN_OP_REBOOT:
    case VIREO_DOMAIN_OP_RESET:
    case VIREO_DOMAIN_OP_PAUSE:
    case VIREO_DOMAIN_OP_RESUME:
      vireo_domain_action_async (domain,
                                 op == VIREO_DOMAIN_OP_REBOOT ? VIREO_DOMAIN_ACTION_REBOOT :
                                 op == VIREO_DOMAIN_OP_RESET ? VIREO_DOMAIN_ACTION_RESET :
                                 op == VIREO_DOMAIN_OP_PAUSE ? VIREO_DOMAIN_ACTION_PAUSE :
                                 VIREO_DOMAIN_ACTION_RESUME,
                                 self->cancellable, on_operation_done, g_object_ref (self));
      break;
    default:
      g_return_if_reached ();
    }
}

static void
on_activate (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  VireoDomainActions *self = user_data;
  const VireoDomainActionEntry *entry = g_object_get_data (G_OBJECT (action), "vireo-entry");

  if (self->domain == NULL)
    return;
  if (vireo_domain_can (self->domain, entry->op))
    vireo_domain_actions_run (self, self->domain, entry->op);
  else if (vireo_domain_can (self->domain, entry->otherwise))
    vireo_domain_actions_run (self, self->domain, entry->otherwise);
}

static void
update_enabled (VireoDomainActions *self)
{
  VireoDomain *d = self->domain;

  if (self->window == NULL)
    return;
  for (guint i = 0; i < self->n_entries; i++)
    {
      const VireoDomainActionEntry *entry = &self->entries[i];
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->window), entry->name);

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                                   d && (vireo_domain_can (d, entry->op) || vireo_domain_can (d, entry->otherwise)));
    }
}

static void
on_state (VireoDomain        *domain,
          GParamSpec         *pspec,
          VireoDomainActions *self)
{
  update_enabled (self);
}

/**
 * vireo_domain_actions_set_domain:
 * Makes the actions work on @domain (or on none: all disabled).
 */
void
vireo_domain_actions_set_domain (VireoDomainActions *self,
                                 VireoDomain        *domain)
{
  g_return_if_fail (VIREO_IS_DOMAIN_ACTIONS (self));

  if (self->domain)
    g_clear_signal_handler (&self->state_handler, self->domain);
  g_set_object (&self->domain, domain);
  if (domain)
    self->state_handler = g_signal_connect (domain, "notify::state", G_CALLBACK (on_state), self);
  update_enabled (self);
}

/**
 * vireo_domain_actions_set_engine:
 * The engine that saves a changed definition (user-mode networking
 * instead of a virtual network that cannot start); without one, none is
 * offered.
 */
void
vireo_domain_actions_set_engine (VireoDomainActions *self,
                                 VireoLocalBackend        *engine)
{
  g_return_if_fail (VIREO_IS_DOMAIN_ACTIONS (self));

  g_set_object (&self->engine, engine);
}

/**
 * vireo_domain_actions_new:
 * Adds one action per entry to @window (a #GActionMap), disabled until
 * vireo_domain_actions_set_domain().  Operations use @cancellable, which
 * the window cancels when it closes; the window keeps the result.
 *
 * Returns: (transfer full): the actions' owner
 */
VireoDomainActions *
vireo_domain_actions_new (GtkWindow                    *window,
                          GCancellable                 *cancellable,
                          const VireoDomainActionEntry *entries,
                          guint                         n_entries)
{
  VireoDomainActions *self = g_object_new (VIREO_TYPE_DOMAIN_ACTIONS, NULL);

  g_return_val_if_fail (G_IS_ACTION_MAP (window), self);

  g_set_weak_pointer (&self->window, window);
  self->cancellable = g_object_ref (cancellable);
  self->entries = entries;
  self->n_entries = n_entries;
  for (guint i = 0; i < n_entries; i++)
    {
      g_autoptr(GSimpleAction) action = g_simple_action_new (entries[i].name, NULL);

      g_object_set_data (G_OBJECT (action), "vireo-entry", (gpointer) &entries[i]);
      g_signal_connect_object (action, "activate", G_CALLBACK (on_activate), self, 0);
      g_action_map_add_action (G_ACTION_MAP (window), G_ACTION (action));
    }
  update_enabled (self);
  return self;
}

static void
vireo_domain_actions_dispose (GObject *object)
{
  VireoDomainActions *self = VIREO_DOMAIN_ACTIONS (object);

  if (self->domain)
    g_clear_signal_handler (&self->state_handler, self->domain);
  g_clear_object (&self->domain);
  g_clear_object (&self->settings);
  g_clear_object (&self->engine);
  g_clear_object (&self->cancellable);
  g_clear_weak_pointer (&self->window);
  G_OBJECT_CLASS (vireo_domain_actions_parent_class)->dispose (object);
}

static void
vireo_domain_actions_class_init (VireoDomainActionsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = vireo_domain_actions_dispose;

  /**
   * VireoDomainActions::failed:
   * @domain: the VM asked
   * @error: why it failed, one line that names the VM
   */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 2, VIREO_TYPE_DOMAIN, G_TYPE_ERROR);

  /**
   * VireoDomainActions::noted:
   * @domain: the VM that started
   * @note: what the user should know about how it runs (no KVM), one
   *   line from the engine
   */
  signals[NOTED] = g_signal_new ("noted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 2, VIREO_TYPE_DOMAIN, G_TYPE_STRING);
}

static void
vireo_domain_actions_init (VireoDomainActions *self)
{
  self->settings = vireo_ui_settings_new ();
}
