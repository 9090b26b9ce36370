/* vireo-vm-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

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
  char *sort_key;                  /* the name's collation key, made once */
  double cpu[SPARKLINE_SAMPLES];   /* ring of CPU %, newest at cpu_head - 1 */
  guint cpu_head;
  guint cpu_count;
};

G_DEFINE_FINAL_TYPE (VireoVmRow, vireo_vm_row, GTK_TYPE_LIST_BOX_ROW)

const char *
vireo_ui_state_label (VireoDomainState state)
{
  switch (state)
    {
    case VIREO_DOMAIN_STATE_STARTING: return _("Starting");
    case VIREO_DOMAIN_STATE_RUNNING: return _("Running");
    case VIREO_DOMAIN_STATE_PAUSED: return _("Paused");
    case VIREO_DOMAIN_STATE_SHUTTING_DOWN: return _("Shutting down");
    case VIREO_DOMAIN_STATE_CRASHED: return _("Crashed");
    case VIREO_DOMAIN_STATE_SHUTOFF:
    default: return _("Shut off");
    }
}

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
  if (addresses && addresses[0])
    {
      /* the first address, without its prefix length: what one connects to */
      g_autofree char *address = g_strndup (addresses[0], strcspn (addresses[0], "/"));
      char *with_address = g_strconcat (details, " · ", address, NULL);

      g_free (details);
      details = with_address;
    }
  gtk_label_set_text (self->details_label, details);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->details_label),
                               addresses && addresses[0] ? joined_addresses : NULL);
  gtk_label_set_text (self->state_label, vireo_ui_state_label (state));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_label),
                               state == VIREO_DOMAIN_STATE_CRASHED ? reason : NULL);
  gtk_image_set_from_icon_name (self->state_icon, vireo_ui_state_icon_name (state), GTK_ICON_SIZE_BUTTON);
  {
    /* a transition in progress spins in place of the state icon */
    gboolean busy = state == VIREO_DOMAIN_STATE_STARTING || state == VIREO_DOMAIN_STATE_SHUTTING_DOWN;

    gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
    gtk_widget_set_visible (GTK_WIDGET (self->state_icon), !busy);
    if (busy)
      gtk_spinner_start (self->spinner);
    else
      gtk_spinner_stop (self->spinner);
  }
  if (!vireo_domain_is_active (self->domain))
    {
      self->cpu_count = 0;
      gtk_widget_hide (self->sparkline);
      gtk_widget_hide (GTK_WIDGET (self->usage_label));
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
  double peak = 100.0;
  GdkRGBA color;

  if (self->cpu_count < 2)
    return FALSE;
  for (guint i = 0; i < self->cpu_count; i++)
    peak = MAX (peak, self->cpu[i]);
  gtk_style_context_get_color (style, gtk_style_context_get_state (style), &color);
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, 0.8);
  cairo_set_line_width (cr, 1.5);
  for (guint i = 0; i < self->cpu_count; i++)
    {
      guint index = (self->cpu_head + SPARKLINE_SAMPLES - self->cpu_count + i) % SPARKLINE_SAMPLES;
      double x = width - (double) (self->cpu_count - 1 - i) * width / (SPARKLINE_SAMPLES - 1);
      double y = height - 1 - (height - 2) * self->cpu[index] / peak;

      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  return FALSE;
}

/**
 * vireo_vm_row_add_stats:
 * Adds a sample to the CPU line and shows memory use.
 */
void
vireo_vm_row_add_stats (VireoVmRow             *self,
                        const VireoDomainStats *stats)
{
  g_autofree char *rss = g_format_size_full (stats->rss_bytes, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *usage = NULL;

  self->cpu[self->cpu_head] = stats->cpu_percent;
  self->cpu_head = (self->cpu_head + 1) % SPARKLINE_SAMPLES;
  self->cpu_count = MIN (self->cpu_count + 1, SPARKLINE_SAMPLES);
  /* Translators: CPU use and resident memory of a running VM */
  usage = g_strdup_printf (_("%.0f %% · %s"), stats->cpu_percent, rss);
  gtk_label_set_text (self->usage_label, usage);
  gtk_widget_show (GTK_WIDGET (self->usage_label));
  gtk_widget_show (self->sparkline);
  gtk_widget_queue_draw (self->sparkline);
}

guint
vireo_vm_row_get_n_samples (VireoVmRow *self)
{
  return self->cpu_count;
}

/* The latest CPU sample, 0 when there is none. */
double
vireo_vm_row_get_cpu_percent (VireoVmRow *self)
{
  if (self->cpu_count == 0)
    return 0;
  return self->cpu[(self->cpu_head + SPARKLINE_SAMPLES - 1) % SPARKLINE_SAMPLES];
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

  if (self->domain)
    g_signal_handlers_disconnect_by_data (self->domain, self);
  g_clear_object (&self->domain);
  G_OBJECT_CLASS (vireo_vm_row_parent_class)->dispose (object);
}

static void
vireo_vm_row_finalize (GObject *object)
{
  g_free (VIREO_VM_ROW (object)->sort_key);
  G_OBJECT_CLASS (vireo_vm_row_parent_class)->finalize (object);
}

static void
vireo_vm_row_class_init (VireoVmRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_vm_row_dispose;
  G_OBJECT_CLASS (klass)->finalize = vireo_vm_row_finalize;
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
  self->sort_key = g_utf8_collate_key_for_filename (vireo_domain_get_name (domain), -1);
  g_signal_connect (domain, "notify::state", G_CALLBACK (on_domain_changed), self);
  g_signal_connect (domain, "notify::state-reason", G_CALLBACK (on_domain_changed), self);
  g_signal_connect (domain, "notify::config", G_CALLBACK (on_domain_changed), self);
  g_signal_connect (domain, "notify::guest-addresses", G_CALLBACK (on_domain_changed), self);
  g_signal_connect (domain, "notify::guest-os", G_CALLBACK (on_domain_changed), self);
  update (self);
  return GTK_WIDGET (self);
}

/* For sorting by name as people count: "vm2" before "vm10". */
const char *
vireo_vm_row_get_sort_key (VireoVmRow *self)
{
  return self->sort_key;
}

VireoDomain *
vireo_vm_row_get_domain (VireoVmRow *self)
{
  return self->domain;
}
