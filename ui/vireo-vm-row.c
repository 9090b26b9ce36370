/* vireo-vm-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "vireo-vm-list.h"
#include "vireo-vm-row.h"

#define SPARKLINE_SAMPLES 60

struct _VireoVmRow
{
  GtkListBoxRow parent_instance;

  /* template children */
  GtkImage *state_icon;
  GtkSpinner *spinner;
  GtkLabel *name_label;
  GtkLabel *title_label;
  GtkLabel *details_label;
  GtkLabel *state_label;
  GtkWidget *sparkline;
  GtkLabel *usage_label;

  /* owned */
  VireoDomain *domain;
  gboolean watching;               /* the engine's stats monitor samples the VM */
};

G_DEFINE_FINAL_TYPE (VireoVmRow, vireo_vm_row, GTK_TYPE_LIST_BOX_ROW)

const char *
vireo_ui_state_icon_name (VireoDomainState state)
{
  switch (state)
    {
    case VIREO_DOMAIN_STATE_RUNNING: return "media-playback-start-symbolic";
    case VIREO_DOMAIN_STATE_PAUSED: return "media-playback-pause-symbolic";
    case VIREO_DOMAIN_STATE_CRASHED: return "dialog-error-symbolic";
    case VIREO_DOMAIN_STATE_STARTING:
    case VIREO_DOMAIN_STATE_SHUTTING_DOWN: return "content-loading-symbolic";
    case VIREO_DOMAIN_STATE_SHUTOFF:
    default: return "system-shutdown-symbolic";
    }
}

static void
update (VireoVmRow *self)
{
  const VireoDomainConfig *config = vireo_domain_get_config (self->domain);
  VireoDomainState state = vireo_domain_get_state (self->domain);
  const char *reason = vireo_domain_get_state_reason (self->domain);
  g_autofree char *memory = g_format_size_full (config->memory_kib * 1024, G_FORMAT_SIZE_IEC_UNITS);
  const char * const *addresses = vireo_domain_get_guest_addresses (self->domain);
  g_autofree char *joined_addresses = addresses ? g_strjoinv ("\n", (char **) addresses) : NULL;
  g_autofree char *address = vireo_domain_get_first_address (self->domain);
  g_autofree char *details = NULL;

  gtk_label_set_text (self->name_label, config->name);
  {
    /* the title, and what runs inside: "Web server · Debian 12" */
    g_autofree char *kind = vireo_domain_describe_guest (self->domain);
    g_autofree char *second = config->title && kind ? g_strdup_printf ("%s · %s", config->title, kind)
                                                    : g_strdup (config->title ? config->title : kind);

    gtk_label_set_text (self->title_label, second ? second : "");
    gtk_widget_set_visible (GTK_WIDGET (self->title_label), second != NULL);
  }
  /* Translators: vCPU count and memory size of a VM */
  details = g_strdup_printf (ngettext ("%u vCPU · %s", "%u vCPUs · %s", config->vcpus),
                             config->vcpus, memory);
  if (address != NULL)
    {
      char *with_address = g_strconcat (details, " · ", address, NULL);

      g_free (details);
      details = with_address;
    }
  gtk_label_set_text (self->details_label, details);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->details_label), address ? joined_addresses : NULL);
  gtk_label_set_text (self->state_label, vireo_domain_state_get_label (state));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_label),
                               state == VIREO_DOMAIN_STATE_CRASHED ? reason : NULL);
  gtk_image_set_from_icon_name (self->state_icon, vireo_ui_state_icon_name (state), GTK_ICON_SIZE_BUTTON);
  {
    /* a transition in progress spins in place of the state icon */
    gboolean busy = vireo_domain_state_is_busy (state);

    gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
    gtk_widget_set_visible (GTK_WIDGET (self->state_icon), !busy);
    if (busy)
      gtk_spinner_start (self->spinner);
    else
      gtk_spinner_stop (self->spinner);
  }
}

/* A small line of CPU use, scaled to the larger of 100 % and the peak. */
static gboolean
on_sparkline_draw (GtkWidget  *widget,
                   cairo_t    *cr,
                   VireoVmRow *self)
{
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  int width = gtk_widget_get_allocated_width (widget);
  int height = gtk_widget_get_allocated_height (widget);
  double cpu[SPARKLINE_SAMPLES];
  guint n = vireo_domain_get_cpu_history (self->domain, cpu, SPARKLINE_SAMPLES);
  double peak = 100.0;
  GdkRGBA color;

  if (n < 2)
    return FALSE;
  for (guint i = 0; i < n; i++)
    peak = MAX (peak, cpu[i]);
  gtk_style_context_get_color (style, gtk_style_context_get_state (style), &color);
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, 0.8);
  cairo_set_line_width (cr, 1.5);
  for (guint i = 0; i < n; i++)
    {
      double x = width - (double) (n - 1 - i) * width / (SPARKLINE_SAMPLES - 1);
      double y = height - 1 - (height - 2) * cpu[i] / peak;

      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  return FALSE;
}

/* CPU line and memory use, from the engine's stats monitor. */
static void
update_load (VireoVmRow *self)
{
  VireoDomainLoad load;
  g_autofree char *rss = NULL;
  g_autofree char *usage = NULL;

  if (!vireo_domain_get_load (self->domain, &load))
    {
      gtk_widget_hide (self->sparkline);
      gtk_widget_hide (GTK_WIDGET (self->usage_label));
      return;
    }
  rss = g_format_size_full (load.rss_bytes, G_FORMAT_SIZE_IEC_UNITS);
  /* Translators: CPU use and resident memory of a running VM */
  usage = g_strdup_printf (_("%.0f %% · %s"), load.cpu_percent, rss);
  gtk_label_set_text (self->usage_label, usage);
  gtk_widget_show (GTK_WIDGET (self->usage_label));
  gtk_widget_show (self->sparkline);
  gtk_widget_queue_draw (self->sparkline);
}

static void
on_stats_updated (VireoDomain *domain,
                  VireoVmRow  *self)
{
  GtkWidget *list = gtk_widget_get_parent (GTK_WIDGET (self));

  update_load (self);
  if (VIREO_IS_VM_LIST (list))
    vireo_vm_list_stats_changed (VIREO_VM_LIST (list), self);
}

/* How many CPU samples the row's line has. */
guint
vireo_vm_row_get_n_samples (VireoVmRow *self)
{
  double cpu[SPARKLINE_SAMPLES];

  return vireo_domain_get_cpu_history (self->domain, cpu, SPARKLINE_SAMPLES);
}

/* Rows on screen have their VM sampled; a hidden window costs nothing. */
static void
set_watching (VireoVmRow *self,
              gboolean    watching)
{
  if (self->watching == watching || self->domain == NULL)
    return;
  self->watching = watching;
  if (watching)
    vireo_domain_watch_stats (self->domain);
  else
    vireo_domain_unwatch_stats (self->domain);
}

static void
vireo_vm_row_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (vireo_vm_row_parent_class)->map (widget);
  set_watching (VIREO_VM_ROW (widget), TRUE);
}

static void
vireo_vm_row_unmap (GtkWidget *widget)
{
  set_watching (VIREO_VM_ROW (widget), FALSE);
  GTK_WIDGET_CLASS (vireo_vm_row_parent_class)->unmap (widget);
}

static void
on_domain_changed (VireoDomain *domain,
                   GParamSpec  *pspec,
                   VireoVmRow  *self)
{
  update (self);
  /* the list may sort or filter by what changed */
  if (gtk_widget_get_parent (GTK_WIDGET (self)) != NULL)
    gtk_list_box_row_changed (GTK_LIST_BOX_ROW (self));
}

static void
vireo_vm_row_dispose (GObject *object)
{
  VireoVmRow *self = VIREO_VM_ROW (object);

  set_watching (self, FALSE);
  if (self->domain)
    g_signal_handlers_disconnect_by_data (self->domain, self);
  g_clear_object (&self->domain);
  G_OBJECT_CLASS (vireo_vm_row_parent_class)->dispose (object);
}

static void
vireo_vm_row_class_init (VireoVmRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_vm_row_dispose;
  widget_class->map = vireo_vm_row_map;
  widget_class->unmap = vireo_vm_row_unmap;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-vm-row.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoVmRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, VireoVmRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, VireoVmRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, VireoVmRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, VireoVmRow, details_label);
  gtk_widget_class_bind_template_child (widget_class, VireoVmRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, VireoVmRow, sparkline);
  gtk_widget_class_bind_template_child (widget_class, VireoVmRow, usage_label);
  gtk_widget_class_bind_template_callback (widget_class, on_sparkline_draw);
}

static void
vireo_vm_row_init (VireoVmRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vireo_vm_row_new (VireoDomain *domain)
{
  VireoVmRow *self = g_object_new (VIREO_TYPE_VM_ROW, NULL);

  self->domain = g_object_ref (domain);
  g_signal_connect (domain, "notify::state", G_CALLBACK (on_domain_changed), self);
  g_signal_connect (domain, "notify::state-reason", G_CALLBACK (on_domain_changed), self);
  g_signal_connect (domain, "notify::config", G_CALLBACK (on_domain_changed), self);
  g_signal_connect (domain, "notify::guest-addresses", G_CALLBACK (on_domain_changed), self);
  g_signal_connect (domain, "notify::guest-os", G_CALLBACK (on_domain_changed), self);
  g_signal_connect (domain, "stats-updated", G_CALLBACK (on_stats_updated), self);
  update (self);
  update_load (self);
  return GTK_WIDGET (self);
}

VireoDomain *
vireo_vm_row_get_domain (VireoVmRow *self)
{
  return self->domain;
}
