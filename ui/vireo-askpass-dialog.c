/* vireo-askpass-dialog.c: one question of ssh, asked on the manager window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ssh's questions reach the application through the engine's
 * VireoAskpass, one at a time (vireo-application.c).  The dialog shows
 * the question as ssh wrote it (it names the host; a new host key's runs
 * over several lines, with the fingerprint to compare, so it can be
 * selected and copied) and takes the answer the kind of question wants:
 * a password or passphrase in a hidden entry, Yes or No, or OK for a
 * notice.  The request is answered exactly once: by the button, or with
 * no answer (ssh takes it as no) when the dialog is cancelled, closed or
 * destroyed with its window.
 */
#include <glib/gi18n.h>

#include "vireo-askpass-dialog.h"

struct _VireoAskpassDialog
{
  GtkDialog parent_instance;

  /* template children */
  GtkImage *icon;
  GtkLabel *prompt_label;
  GtkEntry *secret_entry;
  GtkWidget *cancel_button;
  GtkWidget *no_button;
  GtkWidget *yes_button;
  GtkWidget *ok_button;

  /* owned: until answered */
  VireoAskpassRequest *request;
};

G_DEFINE_FINAL_TYPE (VireoAskpassDialog, vireo_askpass_dialog, GTK_TYPE_DIALOG)

/* The one answer; later calls do nothing */
static void
answer (VireoAskpassDialog *self,
        const char         *text)
{
  g_autoptr(VireoAskpassRequest) request = g_steal_pointer (&self->request);

  if (request != NULL)
    vireo_askpass_request_answer (request, text);
  /* the secret does not stay in the widget */
  gtk_entry_set_text (self->secret_entry, "");
}

static void
vireo_askpass_dialog_response (GtkDialog *dialog,
                               int        response)
{
  VireoAskpassDialog *self = VIREO_ASKPASS_DIALOG (dialog);
  VireoAskpassKind kind = self->request != NULL ? vireo_askpass_request_get_kind (self->request)
                                                : VIREO_ASKPASS_INFO;

  if (response == GTK_RESPONSE_YES)
    answer (self, "yes");
  else if (response == GTK_RESPONSE_OK && kind == VIREO_ASKPASS_SECRET)
    answer (self, gtk_entry_get_text (self->secret_entry));
  else if (response == GTK_RESPONSE_OK)
    answer (self, "");
  else
    answer (self, NULL);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/* Destroyed unanswered (its window went): ssh hears no */
static void
vireo_askpass_dialog_dispose (GObject *object)
{
  VireoAskpassDialog *self = VIREO_ASKPASS_DIALOG (object);

  if (self->request != NULL)
    answer (self, NULL);
  G_OBJECT_CLASS (vireo_askpass_dialog_parent_class)->dispose (object);
}

static void
vireo_askpass_dialog_class_init (VireoAskpassDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_askpass_dialog_dispose;
  GTK_DIALOG_CLASS (klass)->response = vireo_askpass_dialog_response;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-askpass-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoAskpassDialog, icon);
  gtk_widget_class_bind_template_child (widget_class, VireoAskpassDialog, prompt_label);
  gtk_widget_class_bind_template_child (widget_class, VireoAskpassDialog, secret_entry);
  gtk_widget_class_bind_template_child (widget_class, VireoAskpassDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, VireoAskpassDialog, no_button);
  gtk_widget_class_bind_template_child (widget_class, VireoAskpassDialog, yes_button);
  gtk_widget_class_bind_template_child (widget_class, VireoAskpassDialog, ok_button);
}

static void
vireo_askpass_dialog_init (VireoAskpassDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* The entry and the buttons the kind of question wants */
static void
show_for_kind (VireoAskpassDialog *self,
               VireoAskpassKind    kind)
{
  gtk_widget_set_visible (GTK_WIDGET (self->secret_entry), kind == VIREO_ASKPASS_SECRET);
  gtk_widget_set_visible (self->cancel_button, kind == VIREO_ASKPASS_SECRET);
  gtk_widget_set_visible (self->ok_button, kind != VIREO_ASKPASS_CONFIRM);
  gtk_widget_set_visible (self->no_button, kind == VIREO_ASKPASS_CONFIRM);
  gtk_widget_set_visible (self->yes_button, kind == VIREO_ASKPASS_CONFIRM);
  gtk_image_set_from_icon_name (self->icon, kind == VIREO_ASKPASS_SECRET ? "dialog-password-symbolic"
                                            : kind == VIREO_ASKPASS_CONFIRM ? "dialog-question-symbolic"
                                            : "dialog-information-symbolic", GTK_ICON_SIZE_DIALOG);
  /* Enter answers a password; a new host key is accepted only by a click */
  if (kind == VIREO_ASKPASS_SECRET)
    {
      gtk_dialog_set_default_response (GTK_DIALOG (self), GTK_RESPONSE_OK);
      gtk_widget_grab_focus (GTK_WIDGET (self->secret_entry));
    }
  else if (kind == VIREO_ASKPASS_CONFIRM)
    gtk_widget_grab_focus (self->no_button);
  else
    gtk_widget_grab_focus (self->ok_button);
}

/* ssh went away first: nothing to answer any more */
static void
on_withdrawn (VireoAskpassRequest *request,
              VireoAskpassDialog  *self)
{
  g_clear_object (&self->request);
  gtk_entry_set_text (self->secret_entry, "");
  gtk_widget_destroy (GTK_WIDGET (self));
}

/**
 * vireo_askpass_dialog_new:
 * @parent: the manager window, which the dialog is modal on
 * @request: the question; the dialog answers it exactly once
 *
 * Returns: (transfer none): the dialog, shown; it closes itself
 */
GtkWidget *
vireo_askpass_dialog_new (GtkWindow           *parent,
                          VireoAskpassRequest *request)
{
  VireoAskpassDialog *self = g_object_new (VIREO_TYPE_ASKPASS_DIALOG,
                                           "transient-for", parent, "use-header-bar", FALSE, NULL);

  self->request = g_object_ref (request);
  g_signal_connect_object (request, "withdrawn", G_CALLBACK (on_withdrawn), self, 0);
  gtk_label_set_text (self->prompt_label, vireo_askpass_request_get_prompt (request));
  show_for_kind (self, vireo_askpass_request_get_kind (request));
  gtk_window_present (GTK_WINDOW (self));
  return GTK_WIDGET (self);
}
