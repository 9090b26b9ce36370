/* vireo-new-vm-assistant.c: the New VM wizard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Source (ISO, existing image, or kernel + initrd), then memory, CPUs,
 * disk and network with host-aware defaults, then a name validated as it
 * is typed, then a summary.  Creation runs through vireo-create (the same
 * path as `vireoctl create`), with the disk job's progress and Cancel.
 * With several hosts, the first page chooses the one the VM goes to; its
 * files are then this computer's (copied to a remote host) or, for an ISO
 * or kernel, paths on that host, which the host checks.
 */
#include <glib/gi18n.h>

#include "vireo.h"
#include "vireo-file-chooser.h"
#include "vireo-network-row.h"
#include "vireo-new-vm-assistant.h"
#include "vireo-preferences.h"


struct _VireoNewVmAssistant
{
  GtkAssistant parent_instance;

  /* template children */
  GtkWidget *source_page;
  GtkToggleButton *iso_radio;
  GtkToggleButton *import_radio;
  GtkToggleButton *kernel_radio;
  GtkEntry *iso_entry;
  GtkEntry *import_entry;
  GtkEntry *kernel_entry;
  GtkEntry *initrd_entry;
  GtkEntry *cmdline_entry;
  GtkButton *iso_browse;
  GtkButton *import_browse;
  GtkButton *kernel_browse;
  GtkButton *initrd_browse;
  GtkLabel *source_error;
  GtkWidget *host_box;
  GtkComboBoxText *host_combo;
  GtkWidget *resources_page;
  GtkSpinButton *memory_spin;
  GtkSpinButton *vcpus_spin;
  GtkToggleButton *disk_check;
  GtkSpinButton *disk_spin;
  GtkComboBoxText *network_combo;
  GtkComboBoxText *firmware_combo;
  GtkToggleButton *tpm_check;
  GtkLabel *host_label;
  GtkWidget *name_page;
  GtkEntry *name_entry;
  GtkEntry *title_entry;
  GtkLabel *name_error;
  GtkWidget *summary_page;
  GtkLabel *summary_label;
  GtkToggleButton *start_check;
  GtkToggleButton *customize_check;
  GtkWidget *progress_page;
  GtkLabel *progress_label;
  GtkProgressBar *progress_bar;

  /* owned */
  VireoHosts *hosts;          /* nullable: this computer only */
  VireoBackend *backend;      /* the host the VM goes to */
  GCancellable *cancellable;
  VireoJob *job;
  GSettings *settings;
  gboolean name_edited;      /* the user typed a name: stop suggesting */
  gboolean suggesting;
  GtkToggleButton *source_kind; /* the radio the firmware defaults were set for */
};

G_DEFINE_FINAL_TYPE (VireoNewVmAssistant, vireo_new_vm_assistant, GTK_TYPE_ASSISTANT)

enum {
  SIGNAL_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void on_host_changed (VireoNewVmAssistant *self);

static const char *
text_of (GtkEntry *entry)
{
  const char *text = gtk_entry_get_text (entry);

  return text && *text ? text : NULL;
}

/* A file of this computer; on another host, an ISO or kernel may also be
 * a path there, which the host checks */
static gboolean
file_ok (VireoNewVmAssistant *self,
         GtkEntry            *entry)
{
  if (text_of (entry) == NULL)
    return FALSE;
  if (!VIREO_IS_LOCAL_BACKEND (self->backend) && entry != self->import_entry)
    return TRUE;
  return g_file_test (text_of (entry), G_FILE_TEST_IS_REGULAR);
}

static void
on_source_changed (VireoNewVmAssistant *self)
{
  gboolean iso = gtk_toggle_button_get_active (self->iso_radio);
  gboolean import = gtk_toggle_button_get_active (self->import_radio);
  gboolean kernel = gtk_toggle_button_get_active (self->kernel_radio);
  GtkEntry *main_entry = iso ? self->iso_entry : import ? self->import_entry : self->kernel_entry;
  gboolean complete = file_ok (self, main_entry) &&
                      (!kernel || !text_of (self->initrd_entry) || file_ok (self, self->initrd_entry));

  gtk_widget_set_sensitive (GTK_WIDGET (self->iso_entry), iso);
  gtk_widget_set_sensitive (GTK_WIDGET (self->iso_browse), iso);
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_entry), import);
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_browse), import);
  gtk_widget_set_sensitive (GTK_WIDGET (self->kernel_entry), kernel);
  gtk_widget_set_sensitive (GTK_WIDGET (self->kernel_browse), kernel);
  gtk_widget_set_sensitive (GTK_WIDGET (self->initrd_entry), kernel);
  gtk_widget_set_sensitive (GTK_WIDGET (self->initrd_browse), kernel);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cmdline_entry), kernel);

  /* an imported image is the disk */
  gtk_widget_set_sensitive (GTK_WIDGET (self->disk_check), !import);
  if (import)
    gtk_toggle_button_set_active (self->disk_check, FALSE);

  /* a new kind of source: the engine's defaults for it, until the user
   * goes back and picks another kind */
  if (self->source_kind == NULL || !gtk_toggle_button_get_active (self->source_kind))
    {
      gboolean efi, tpm;

      self->source_kind = iso ? self->iso_radio : import ? self->import_radio : self->kernel_radio;
      vireo_create_default_firmware (iso, &efi, &tpm);
      gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->firmware_combo), efi ? "efi" : "bios");
      gtk_toggle_button_set_active (self->tpm_check, tpm);
    }

  gtk_label_set_text (self->source_error,
                      complete || !text_of (main_entry) ? "" : _("This file does not exist."));
  gtk_assistant_set_page_complete (GTK_ASSISTANT (self), self->source_page, complete);

  if (!self->name_edited)
    {
      g_autofree char *name = vireo_backend_suggest_name (self->backend, text_of (main_entry));
      self->suggesting = TRUE;
      gtk_entry_set_text (self->name_entry, name);
      self->suggesting = FALSE;
    }
}

/* Invalid and taken names are refused with the reason beside the field. */
static void
validate_name (VireoNewVmAssistant *self)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = vireo_backend_check_new_name (self->backend, gtk_entry_get_text (self->name_entry), &error);

  gtk_label_set_text (self->name_error, ok ? "" : error->message);
  gtk_assistant_set_page_complete (GTK_ASSISTANT (self), self->name_page, ok);
}

static void
on_name_changed (VireoNewVmAssistant *self)
{
  if (!self->suggesting)
    self->name_edited = TRUE;
  validate_name (self);
}

static void
on_browse (GtkButton           *button,
           VireoNewVmAssistant *self)
{
  GtkEntry *entry = button == self->iso_browse ? self->iso_entry :
                    button == self->import_browse ? self->import_entry :
                    button == self->kernel_browse ? self->kernel_entry : self->initrd_entry;

  vireo_choose_into_entry (GTK_WIDGET (self), _("Choose a File"), entry);
}

/* The user's choices, as vireo-create takes them. */
static VireoCreateOptions *
collect_options (VireoNewVmAssistant *self)
{
  VireoCreateOptions *o = vireo_create_options_new ();

  o->name = g_strdup (gtk_entry_get_text (self->name_entry));
  o->title = g_strdup (text_of (self->title_entry));
  o->memory_mib = gtk_spin_button_get_value_as_int (self->memory_spin);
  o->vcpus = gtk_spin_button_get_value_as_int (self->vcpus_spin);
  if (gtk_toggle_button_get_active (self->disk_check) && gtk_widget_get_sensitive (GTK_WIDGET (self->disk_check)))
    o->disk_bytes = (guint64) gtk_spin_button_get_value_as_int (self->disk_spin) << 30;
  if (gtk_toggle_button_get_active (self->iso_radio))
    o->cdrom = g_strdup (text_of (self->iso_entry));
  else if (gtk_toggle_button_get_active (self->import_radio))
    o->import_path = g_strdup (text_of (self->import_entry));
  else
    {
      o->kernel = g_strdup (text_of (self->kernel_entry));
      o->initrd = g_strdup (text_of (self->initrd_entry));
      o->cmdline = g_strdup (text_of (self->cmdline_entry));
    }
  o->network = g_strdup (gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->network_combo)));
  o->efi = g_strcmp0 (gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->firmware_combo)), "efi") == 0;
  o->tpm = gtk_toggle_button_get_active (self->tpm_check);
  /* the Preferences' choices for new VMs */
  o->accel = g_settings_get_enum (self->settings, "default-accel");
  o->disk_folder = g_settings_get_string (self->settings, "storage-folder");
  return o;
}

static void
update_summary (VireoNewVmAssistant *self)
{
  g_autoptr(VireoCreateOptions) o = collect_options (self);
  g_autofree char *disk = o->disk_bytes ? g_format_size_full (o->disk_bytes, G_FORMAT_SIZE_IEC_UNITS)
                                        : g_strdup (o->import_path ? _("the imported image") : _("none"));
  g_autofree char *source = o->cdrom ? g_strdup_printf (_("installer %s"), o->cdrom) :
                            o->import_path ? g_strdup_printf (_("copy of %s"), o->import_path) :
                            g_strdup_printf (_("kernel %s"), o->kernel);
  g_autofree char *network = gtk_combo_box_text_get_active_text (self->network_combo);
  g_autofree char *firmware = gtk_combo_box_text_get_active_text (self->firmware_combo);
  /* Translators: the firmware of a new VM with a TPM: "UEFI with TPM 2.0" */
  g_autofree char *boot = o->tpm ? g_strdup_printf (_("%s with TPM 2.0"), firmware) : g_strdup (firmware);
  g_autofree char *text = g_strdup_printf (_("Name: %s\nBoots from: %s\nMemory: %u MiB\nCPUs: %u\nDisk: %s\nNetwork: %s\nFirmware: %s"),
                                           o->name, source, o->memory_mib, o->vcpus, disk, network, boot);

  gtk_label_set_text (self->summary_label, text);
}

static void
on_prepare (GtkAssistant        *assistant,
            GtkWidget           *page,
            VireoNewVmAssistant *self)
{
  if (page == self->summary_page)
    update_summary (self);
  else if (page == self->name_page)
    validate_name (self);
}

static void
on_job_progress (VireoJob            *job,
                 GParamSpec          *pspec,
                 VireoNewVmAssistant *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar, vireo_job_get_progress (job));
}

static void
show_failure (VireoNewVmAssistant *self,
              const GError        *error)
{
  gtk_label_set_text (self->progress_label, error->message);
  gtk_widget_hide (GTK_WIDGET (self->progress_bar));
  gtk_assistant_set_page_type (GTK_ASSISTANT (self), self->progress_page, GTK_ASSISTANT_PAGE_SUMMARY);
  gtk_assistant_set_page_complete (GTK_ASSISTANT (self), self->progress_page, TRUE);
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = vireo_create_domain_finish (VIREO_BACKEND (source), result, &error);
  VireoNewVmAssistant *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (domain == NULL)
    {
      show_failure (self, error);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_CREATED], 0, domain,
                 gtk_toggle_button_get_active (self->start_check),
                 gtk_toggle_button_get_active (self->customize_check));
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
on_apply (GtkAssistant        *assistant,
          VireoNewVmAssistant *self)
{
  g_autoptr(VireoCreateOptions) o = collect_options (self);

  gtk_label_set_text (self->progress_label, _("Creating the VM…"));
  vireo_create_domain_async (self->backend, o, &self->job, self->cancellable, on_created, self);
  if (self->job)
    g_signal_connect_object (self->job, "notify::progress", G_CALLBACK (on_job_progress), self, 0);
}

static void
on_cancel (GtkAssistant        *assistant,
           VireoNewVmAssistant *self)
{
  /* a disk being made is removed by its job */
  g_cancellable_cancel (self->cancellable);
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
on_close (GtkAssistant        *assistant,
          VireoNewVmAssistant *self)
{
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
vireo_new_vm_assistant_dispose (GObject *object)
{
  VireoNewVmAssistant *self = VIREO_NEW_VM_ASSISTANT (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->job);
  g_clear_object (&self->settings);
  g_clear_object (&self->backend);
  g_clear_object (&self->hosts);
  G_OBJECT_CLASS (vireo_new_vm_assistant_parent_class)->dispose (object);
}

static void
vireo_new_vm_assistant_class_init (VireoNewVmAssistantClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vireo_new_vm_assistant_dispose;

  /**
   * VireoNewVmAssistant::created:
   * @domain: the new VM
   * @start: whether the user asked to start it
   * @customize: whether to open its details first (then it is not started)
   */
  signals[SIGNAL_CREATED] =
    g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, VIREO_TYPE_DOMAIN, G_TYPE_BOOLEAN, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/vireo/Vireo/ui/vireo-new-vm-assistant.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, VireoNewVmAssistant, name)
  CHILD (source_page); CHILD (iso_radio); CHILD (import_radio); CHILD (kernel_radio);
  CHILD (iso_entry); CHILD (import_entry); CHILD (kernel_entry); CHILD (initrd_entry);
  CHILD (cmdline_entry); CHILD (iso_browse); CHILD (import_browse); CHILD (kernel_browse);
  CHILD (initrd_browse); CHILD (source_error); CHILD (host_box); CHILD (host_combo);
  CHILD (resources_page); CHILD (memory_spin);
  CHILD (vcpus_spin); CHILD (disk_check); CHILD (disk_spin); CHILD (network_combo);
  CHILD (firmware_combo); CHILD (tpm_check);
  CHILD (host_label); CHILD (name_page); CHILD (name_entry); CHILD (title_entry);
  CHILD (name_error); CHILD (summary_page); CHILD (summary_label); CHILD (start_check); CHILD (customize_check);
  CHILD (progress_page); CHILD (progress_label); CHILD (progress_bar);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_source_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_host_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_browse);
  gtk_widget_class_bind_template_callback (widget_class, on_prepare);
  gtk_widget_class_bind_template_callback (widget_class, on_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel);
  gtk_widget_class_bind_template_callback (widget_class, on_close);
}

static void
vireo_new_vm_assistant_init (VireoNewVmAssistant *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->settings = vireo_ui_settings_new ();
}

static void
add_network (VireoNewVmAssistant *self,
             VireoNetwork        *network,
             int                  position)
{
  g_autofree char *kind = vireo_ui_describe_network (network);
  /* Translators: a choice of network in the New VM wizard: the name, then subnet and kind */
  g_autofree char *label = g_strdup_printf (_("Virtual network “%s” (%s)"), vireo_network_get_name (network), kind);

  gtk_combo_box_text_insert (self->network_combo, position, vireo_network_get_name (network), label);
}

/* After user mode, each network of the chosen host, the default one
 * first (the list is sorted by name); "No network" stays last.  A host's
 * network choice resets with the host. */
static void
fill_networks (VireoNewVmAssistant *self)
{
  GListModel *networks = vireo_backend_get_networks (self->backend);
  VireoNetwork *fallback = vireo_backend_lookup_network (self->backend, VIREO_DEFAULT_NETWORK);
  GtkTreeModel *model = gtk_combo_box_get_model (GTK_COMBO_BOX (self->network_combo));
  int position = 1;

  /* between "user" and "none": the previous host's */
  while (gtk_tree_model_iter_n_children (model, NULL) > 2)
    gtk_combo_box_text_remove (self->network_combo, 1);
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->network_combo), "user");
  if (fallback != NULL)
    add_network (self, fallback, position++);
  for (guint i = 0; networks != NULL && i < g_list_model_get_n_items (networks); i++)
    {
      g_autoptr(VireoNetwork) network = g_list_model_get_item (networks, i);

      if (network != fallback)
        add_network (self, network, position++);
    }
}

/* What the chosen host has: this computer's CPUs and memory bound the
 * choices; another host checks its own when the VM is made */
static void
describe_host (VireoNewVmAssistant *self)
{
  g_autofree char *text = NULL;

  if (VIREO_IS_LOCAL_BACKEND (self->backend))
    {
      guint cpus = g_get_num_processors ();
      guint max_mib = vireo_create_max_memory_mib ();
      g_autofree char *memory = g_format_size_full ((guint64) (max_mib + 512) << 20, G_FORMAT_SIZE_IEC_UNITS);

      gtk_spin_button_set_range (self->memory_spin, VIREO_CREATE_MIN_MEMORY_MIB, max_mib);
      gtk_spin_button_set_range (self->vcpus_spin, 1, vireo_create_max_vcpus ());
      /* Translators: the host's CPU count and memory size */
      text = g_strdup_printf (ngettext ("This computer has %u CPU and %s of memory.",
                                        "This computer has %u CPUs and %s of memory.", cpus),
                              cpus, memory);
    }
  else
    {
      gtk_spin_button_set_range (self->memory_spin, VIREO_CREATE_MIN_MEMORY_MIB, 1 << 20);
      gtk_spin_button_set_range (self->vcpus_spin, 1, VIREO_CREATE_MAX_VCPUS);
      /* Translators: the New VM wizard, a VM made on another host */
      text = g_strdup_printf (_("The VM goes to host “%s”, which checks what it can give."),
                              vireo_backend_get_title (self->backend));
    }
  gtk_label_set_text (self->host_label, text);
}

static void
set_backend (VireoNewVmAssistant *self,
             VireoBackend        *backend)
{
  g_set_object (&self->backend, backend);
  describe_host (self);
  fill_networks (self);
  on_source_changed (self);
  validate_name (self);
}

static void
on_host_changed (VireoNewVmAssistant *self)
{
  const char *uri = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->host_combo));
  GListModel *backends = self->hosts != NULL ? vireo_hosts_get_backends (self->hosts) : NULL;

  for (guint i = 0; uri != NULL && backends != NULL && i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

      if (g_str_equal (vireo_backend_get_uri (backend), uri) && backend != self->backend)
        set_backend (self, backend);
    }
}

/* The hosts a VM can go to now: the connected ones, with more than one */
static void
fill_hosts (VireoNewVmAssistant *self)
{
  GListModel *backends = self->hosts != NULL ? vireo_hosts_get_backends (self->hosts) : NULL;
  guint shown = 0;

  for (guint i = 0; backends != NULL && i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

      if (vireo_backend_get_state (backend) != VIREO_BACKEND_STATE_CONNECTED)
        continue;
      gtk_combo_box_text_append (self->host_combo, vireo_backend_get_uri (backend), vireo_backend_get_title (backend));
      shown++;
    }
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->host_combo), vireo_backend_get_uri (self->backend));
  gtk_widget_set_visible (self->host_box, shown > 1);
}

/**
 * vireo_new_vm_assistant_new:
 * @hosts: (nullable): the hosts a VM may go to (the connected ones), or
 *   %NULL for @backend alone
 * @backend: the host chosen first
 *
 * Returns: the wizard
 */
GtkWidget *
vireo_new_vm_assistant_new (GtkWindow    *parent,
                            VireoHosts   *hosts,
                            VireoBackend *backend)
{
  VireoNewVmAssistant *self = g_object_new (VIREO_TYPE_NEW_VM_ASSISTANT,
                                            "transient-for", parent, NULL);
  g_autoptr(VireoCreateOptions) defaults = vireo_create_options_new ();

  self->hosts = hosts != NULL ? g_object_ref (hosts) : NULL;
  self->backend = g_object_ref (backend);
  describe_host (self);
  gtk_spin_button_set_value (self->memory_spin, defaults->memory_mib);
  gtk_spin_button_set_value (self->vcpus_spin, defaults->vcpus);
  gtk_spin_button_set_value (self->disk_spin, VIREO_CREATE_DEFAULT_DISK_GIB);
  fill_networks (self);
  fill_hosts (self);
  on_source_changed (self);
  return GTK_WIDGET (self);
}
