/* vireo-new-network-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A name checked as it is typed, a subnet prefilled with one the engine
 * finds free on the host, a DHCP range that follows the subnet (the
 * engine's .2 to the last host) until the user edits it, and NAT or
 * isolated.  The host builds the definition (vireo_backend_new_network_config:
 * a vireobrN on this computer, a bridge the host names on a libvirt
 * host) and checks it again when it saves it; a refusal stays here, in
 * one line.
 */
#include <glib/gi18n.h>

#include "vireo-new-network-dialog.h"

struct _VireoNewNetworkDialog
{
  GtkDialog parent_instance;

  /* template children */
  GtkEntry *name_entry;
  GtkLabel *name_error;
  GtkEntry *subnet_entry;
  GtkEntry *dhcp_start_entry;
  GtkEntry *dhcp_end_entry;
  GtkToggleButton *nat_radio;
  GtkToggleButton *isolated_radio;
  GtkLabel *error_label;
  GtkWidget *create_button;

  /* owned */
  VireoBackend *backend;       /* the host the network goes to */
  GCancellable *cancellable;   /* dispose cancels it */
  gboolean name_ok;
  gboolean subnet_ok;
  gboolean filling;            /* the range is being filled in, not typed */
  gboolean range_edited;       /* the user typed a range: leave it alone */
  gboolean defining;
};

enum {
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VireoNewNetworkDialog, vireo_new_network_dialog, GTK_TYPE_DIALOG)

static void
update_sensitive (VireoNewNetworkDialog *self)
{
  gtk_widget_set_sensitive (self->create_button, self->name_ok && self->subnet_ok && !self->defining);
}

static gboolean
isolated (VireoNewNetworkDialog *self)
{
  return gtk_toggle_button_get_active (self->isolated_radio);
}

/* Invalid and taken names are refused with the reason beside the field. */
static void
on_name_changed (VireoNewNetworkDialog *self)
{
  const char *name = gtk_entry_get_text (self->name_entry);
  g_autoptr(GError) error = NULL;

  self->name_ok = vireo_network_name_validate (name, &error);
  if (self->name_ok && vireo_backend_lookup_network (self->backend, name) != NULL)
    {
      self->name_ok = FALSE;
      g_set_error (&error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("A network named '%s' already exists"), name);
    }
  /* an empty name is not an error yet, only not done */
  gtk_label_set_text (self->name_error, self->name_ok || *name == '\0' ? "" : error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->name_error), !self->name_ok && *name != '\0');
  update_sensitive (self);
}

/* The engine's definition for what the form says; @name may be a
 * stand-in while the typed one is not valid yet. */
static VireoNetworkConfig *
build_config (VireoNewNetworkDialog *self,
              const char            *name,
              GError               **error)
{
  const char *subnet = gtk_entry_get_text (self->subnet_entry);

  return vireo_backend_new_network_config (self->backend, name, *subnet ? subnet : NULL, isolated (self), error);
}

/* The typed name once it is good; until then one no network has, so
 * that the engine judges the subnet alone. */
static char *
name_for_subnet (VireoNewNetworkDialog *self)
{
  char *name = g_strdup ("new-network");

  if (self->name_ok)
    {
      g_free (name);
      return g_strdup (gtk_entry_get_text (self->name_entry));
    }
  for (guint i = 2; vireo_backend_lookup_network (self->backend, name) != NULL; i++)
    {
      g_free (name);
      name = g_strdup_printf ("new-network-%u", i);
    }
  return name;
}

/* The range follows the subnet, as the engine would make it, until the
 * user types one. */
static void
on_subnet_changed (VireoNewNetworkDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autoptr(VireoNetworkConfig) config = NULL;

  /* an empty field is no subnet (the engine would look for a free one,
   * through every route of the host, at each key) */
  if (*gtk_entry_get_text (self->subnet_entry) == '\0')
    {
      self->subnet_ok = FALSE;
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
      update_sensitive (self);
      return;
    }
  name = name_for_subnet (self);
  config = build_config (self, name, &error);
  self->subnet_ok = config != NULL;
  gtk_label_set_text (self->error_label, config == NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), config == NULL);
  if (config != NULL && !self->range_edited)
    {
      self->filling = TRUE;
      gtk_entry_set_text (self->dhcp_start_entry, config->dhcp_start ? config->dhcp_start : "");
      gtk_entry_set_text (self->dhcp_end_entry, config->dhcp_end ? config->dhcp_end : "");
      self->filling = FALSE;
    }
  update_sensitive (self);
}

static void
on_range_changed (VireoNewNetworkDialog *self)
{
  if (!self->filling)
    self->range_edited = TRUE;
}

static void
show_failure (VireoNewNetworkDialog *self,
              const GError          *error)
{
  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_show (GTK_WIDGET (self->error_label));
}

static void
on_defined (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VireoNewNetworkDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoNetwork) network = vireo_backend_define_network_finish (VIREO_BACKEND (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->defining = FALSE;
  if (network == NULL)
    {
      show_failure (self, error);
      update_sensitive (self);
      return;
    }
  g_signal_emit (self, signals[CREATED], 0, network);
  gtk_widget_destroy (GTK_WIDGET (self));
}

/* Both ends, or neither: an empty range means no DHCP server. */
static void
create (VireoNewNetworkDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoNetworkConfig) config = build_config (self, gtk_entry_get_text (self->name_entry), &error);
  const char *start = gtk_entry_get_text (self->dhcp_start_entry);
  const char *end = gtk_entry_get_text (self->dhcp_end_entry);

  if (config == NULL)
    {
      show_failure (self, error);
      return;
    }
  g_free (config->dhcp_start);
  g_free (config->dhcp_end);
  config->dhcp_start = *start || *end ? g_strstrip (g_strdup (start)) : NULL;
  config->dhcp_end = *start || *end ? g_strstrip (g_strdup (end)) : NULL;
  gtk_widget_hide (GTK_WIDGET (self->error_label));
  self->defining = TRUE;
  update_sensitive (self);
  vireo_backend_define_network_async (self->backend, config, self->cancellable, on_defined,
                                      g_object_ref (self));
}

static void
vireo_new_network_dialog_response (GtkDialog *dialog,
                                   int        response)
{
  VireoNewNetworkDialog *self = VIREO_NEW_NETWORK_DIALOG (dialog);

  if (response == GTK_RESPONSE_OK)
    {
      if (self->name_ok && self->subnet_ok && !self->defining)
        create (self);
      return;
    }
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
vireo_new_network_dialog_dispose (GObject *object)
{
  VireoNewNetworkDialog *self = VIREO_NEW_NETWORK_DIALOG (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->backend);
  G_OBJECT_CLASS (vireo_new_network_dialog_parent_class)->dispose (object);
}

static void
vireo_new_network_dialog_class_init (VireoNewNetworkDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_new_network_dialog_dispose;
  GTK_DIALOG_CLASS (klass)->response = vireo_new_network_dialog_response;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-new-network-dialog.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, VireoNewNetworkDialog, name)
  CHILD (name_entry); CHILD (name_error); CHILD (subnet_entry); CHILD (dhcp_start_entry);
  CHILD (dhcp_end_entry); CHILD (nat_radio); CHILD (isolated_radio); CHILD (error_label); CHILD (create_button);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_subnet_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_range_changed);

  /**
   * VireoNewNetworkDialog::created:
   * @network: the new network, defined and not started
   */
  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, VIREO_TYPE_NETWORK);
}

static void
vireo_new_network_dialog_init (VireoNewNetworkDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/* Another host's network: the words say "the host", not this computer */
static void
describe_host (VireoNewNetworkDialog *self)
{
  GtkWidget *header = gtk_dialog_get_header_bar (GTK_DIALOG (self));
  g_autofree char *subtitle = NULL;

  if (VIREO_IS_LOCAL_BACKEND (self->backend))
    return;
  /* Translators: the New Virtual Network dialog's subtitle, "On host “Lab”" */
  subtitle = g_strdup_printf (_("On host “%s”"), vireo_backend_get_title (self->backend));
  if (header != NULL)
    gtk_header_bar_set_subtitle (GTK_HEADER_BAR (header), subtitle);
  gtk_button_set_label (GTK_BUTTON (self->nat_radio), _("N_AT: guests reach the outside through the host"));
  gtk_button_set_label (GTK_BUTTON (self->isolated_radio), _("_Isolated: guests reach only each other and the host"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->subnet_entry),
                               _("An IPv4 subnet no other network of the host has, as address/prefix"));
}

/**
 * vireo_new_network_dialog_new:
 * @backend: the host the network goes to
 *
 * Returns: (transfer none): the dialog, not yet shown; it destroys itself
 */
GtkWidget *
vireo_new_network_dialog_new (GtkWindow    *parent,
                              VireoBackend *backend)
{
  VireoNewNetworkDialog *self = g_object_new (VIREO_TYPE_NEW_NETWORK_DIALOG, "transient-for", parent,
                                              "use-header-bar", TRUE, NULL);
  g_autofree char *subnet = vireo_backend_suggest_subnet (backend);

  self->backend = g_object_ref (backend);
  describe_host (self);
  gtk_entry_set_text (self->subnet_entry, subnet ? subnet : "");
  on_subnet_changed (self);
  on_name_changed (self);
  return GTK_WIDGET (self);
}
