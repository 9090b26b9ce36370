/* test-ui.c: the desktop application under Xvfb, with real QEMU
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The manager window lists two VMs; the wizard creates a third from a
 * kernel and an initrd and starts it; another client pauses and resumes it
 * and the row follows; its window shows the guest's screen through VNC (a non-blank
 * frame) and the serial console shows the ready marker and answers a
 * command typed into the terminal; a QEMU or a shim killed under the window
 * shows as crashed and the application carries on; the VM's own window
 * starts it, pauses and resumes it and forces it off; its Snapshots page
 * takes, reverts to and deletes a snapshot of it running, and the row
 * menu's Clone… copies it shut off.  The Create Network dialog defines
 * an isolated network (not started: that makes a bridge), which the
 * wizard and the NIC row then offer.  Closing the application's last
 * window leaves a running VM running and says so, and inside a Flatpak
 * asks a fake Background portal on the test's own session bus first.
 * Beside this computer, saved libvirt hosts (libvirt's test driver, no
 * daemon) list their VMs under a header each, filter by host, pause
 * through the window's action, show a host that cannot connect with its
 * error and Retry, and Add Connection… saves a host or says why not.
 * ssh's questions, sent by the real vireo-askpass to the application's
 * socket, are asked one at a time in a dialog on its window.
 * Screenshots of the windows go to tests/screenshots/ in the build tree.
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <vte/vte.h>

#include "vireo-add-connection-dialog.h"
#include "vireo-add-disk-dialog.h"
#include "vireo-askpass-dialog.h"
#include "vireo-details-view.h"
#include "vireo-local-domain-private.h"
#include "vireo-application.h"
#include "vireo-clone-dialog.h"
#include "vireo-convert-disk-dialog.h"
#include "vireo-disk-row.h"
#include "vireo-local-backend.h"
#include "vireo-error.h"
#include "vireo-host-header.h"
#include "vireo-network-row.h"
#include "vireo-networks-window.h"
#include "vireo-new-network-dialog.h"
#include "vireo-new-vm-assistant.h"
#include "vireo-nic-row.h"
#include "vireo-preferences.h"
#include "vireo-ssh-dir.h"
#include "vireo-take-snapshot-dialog.h"
#include "vireo-libvirt-private.h"
#include "vireo-test-util.h"
#include "vireo-vm-list.h"
#include "vireo-vm-row.h"
#include "vireo-vm-window.h"
#include "vireo-window.h"

typedef struct {
  char *root;
  VireoLocalBackend *engine;     /* the window's */
  VireoLocalBackend *other;      /* another client, as vireoctl would be */
  VireoWindow *window;
  /* what the manager's tests hand on, one behaviour each, in order */
  VireoDomain *vm;         /* the wizard's VM (borrowed from the engine) */
  GtkWidget *vm_window;    /* its window, while open */
} Fixture;

static VireoDomainConfig *
guest_config (const char *name)
{
  const char *dir = g_getenv ("VIREO_GUEST_DIR");
  VireoDomainConfig *config = vireo_domain_config_new (name);

  config->memory_kib = config->current_memory_kib = 256 * 1024;
  config->kernel = g_build_filename (dir, "vmlinuz", NULL);
  config->initrd = g_build_filename (dir, "initrd.img", NULL);
  config->cmdline = g_strdup ("console=tty0 console=ttyS0 quiet");
  return config;
}

static void
save_screenshot (GtkWidget  *window,
                 const char *name)
{
  g_autofree char *dir = g_build_filename (g_getenv ("VIREO_TEST_BUILDDIR"), "screenshots", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GdkWindow *gdk = gtk_widget_get_window (window);
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  g_mkdir_with_parents (dir, 0755);
  for (guint i = 0; i < 20; i++)
    {
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  pixbuf = gdk_pixbuf_get_from_window (gdk, 0, 0, gdk_window_get_width (gdk), gdk_window_get_height (gdk));
  assert_non_null (pixbuf);
  assert_true (gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL));
}

static gboolean
pixbuf_has_content (GdkPixbuf *pixbuf)
{
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  guint differing = 0;

  for (int y = 0; y < gdk_pixbuf_get_height (pixbuf); y++)
    for (int x = 0; x < gdk_pixbuf_get_width (pixbuf); x++)
      if (memcmp (pixels + y * stride + x * channels, pixels, 3) != 0)
        differing++;
  return differing > 100;
}

static int
setup (void **state)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autoptr(VireoDomainConfig) alpha = guest_config ("alpha");
  g_autoptr(VireoDomainConfig) beta = guest_config ("beta");

  f->root = vireo_test_make_root ();
  f->other = vireo_local_backend_new (f->root);
  assert_true (vireo_local_backend_load (f->other, NULL));
  alpha->title = g_strdup ("The guest under test");
  assert_non_null (vireo_local_backend_define_domain (f->other, alpha, NULL));
  assert_non_null (vireo_local_backend_define_domain (f->other, beta, NULL));

  f->engine = vireo_local_backend_new (f->root);
  assert_true (vireo_local_backend_load (f->engine, NULL));
  vireo_local_backend_start_monitoring (f->engine, 200);
  vireo_ui_load_style ();
  f->window = vireo_window_new (NULL, f->engine);
  gtk_widget_show (GTK_WIDGET (f->window));
  *state = f;
  return 0;
}

/* Kills every shim and QEMU of the test's tree, by the pids in their
 * state.json: whatever the test got to before it ended. */
static void
kill_runtime (Fixture *f)
{
  g_autofree char *run = g_build_filename (f->root, "run", NULL);
  g_autoptr(GDir) dir = g_dir_open (run, 0, NULL);
  const char *entry;

  while (dir && (entry = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (run, entry, "state.json", NULL);
      g_autofree char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL))
        {
          const char *keys[] = { "\"shim-pid\":", "\"qemu-pid\":" };
          for (guint k = 0; k < 2; k++)
            {
              const char *p = strstr (text, keys[k]);
              int pid = p ? atoi (p + strlen (keys[k])) : 0;
              if (pid > 1)
                kill (pid, SIGKILL);
            }
        }
    }
}

static int
teardown (void **state)
{
  Fixture *f = *state;

  kill_runtime (f);
  gtk_widget_destroy (GTK_WIDGET (f->window));
  g_clear_object (&f->engine);
  g_clear_object (&f->other);
  vireo_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f);
  return 0;
}

static gboolean
row_says (gpointer data)
{
  gpointer *args = data;
  GtkListBox *box = args[0];
  GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (box, 2));
  VireoDomain *domain = vireo_vm_row_get_domain (VIREO_VM_ROW (row));

  return (int) vireo_domain_get_state (domain) == GPOINTER_TO_INT (args[1]);
}

static gboolean
details_saved (gpointer data)
{
  return g_str_has_prefix (vireo_details_view_get_status (data), "Saved");
}

static gboolean
status_starts (gpointer data)
{
  gpointer *args = data;
  return g_str_has_prefix (vireo_details_view_get_status (args[0]), args[1]);
}

static gboolean
disk_count_is (gpointer data)
{
  gpointer *args = data;
  return vireo_domain_get_config (args[0])->disks->len == GPOINTER_TO_UINT (args[1]);
}

static gpointer
child_of (gpointer widget, GType type, const char *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);
}

/* The one message dialog open, if any. */
static GtkWindow *
find_message_dialog (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l; l = l->next)
    if (GTK_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static guint
n_forwards (VireoDomain *domain)
{
  return ((VireoNicConfig *) g_ptr_array_index (vireo_domain_get_config (domain)->nics, 0))->forwards->len;
}

/* A user-mode NIC's forwards: Add saves the form's forward, Remove the
 * selected one.  (The NIC's MAC changed since the start, so the change
 * waits for the next start instead of opening a port.) */
static void
check_forwards (VireoDetailsView *details,
                VireoDomain      *domain,
                GtkWidget        *vm_window)
{
  GtkListBox *nics = child_of (details, VIREO_TYPE_DETAILS_VIEW, "nics_list");
  gpointer row = gtk_list_box_get_row_at_index (nics, 0);
  g_autoptr(GtkTreePath) first = gtk_tree_path_new_first ();
  const VireoPortForward *forward;
  GtkTreeView *view;

  assert_int_equal (n_forwards (domain), 0);
  assert_true (gtk_widget_get_visible (child_of (row, VIREO_TYPE_NIC_ROW, "forwards_box")));
  gtk_combo_box_set_active_id (child_of (row, VIREO_TYPE_NIC_ROW, "protocol_combo"), "udp");
  gtk_spin_button_set_value (child_of (row, VIREO_TYPE_NIC_ROW, "host_spin"), 6553);
  gtk_spin_button_set_value (child_of (row, VIREO_TYPE_NIC_ROW, "guest_spin"), 53);
  gtk_button_clicked (child_of (row, VIREO_TYPE_NIC_ROW, "add_forward_button"));
  assert_true (vireo_test_wait_until (details_saved, details, 10));
  assert_int_equal (n_forwards (domain), 1);
  forward = g_ptr_array_index (((VireoNicConfig *) g_ptr_array_index (vireo_domain_get_config (domain)->nics, 0))->forwards, 0);
  assert_int_equal (forward->protocol, VIREO_FORWARD_UDP);
  assert_string_equal (forward->address, "127.0.0.1");
  assert_int_equal (forward->host_port, 6553);
  assert_int_equal (forward->guest_port, 53);
  save_screenshot (vm_window, "details-forwards.png");

  /* the list shows it; Remove takes the selected one away */
  row = gtk_list_box_get_row_at_index (nics, 0);
  view = child_of (row, VIREO_TYPE_NIC_ROW, "forwards_view");
  assert_int_equal (gtk_tree_model_iter_n_children (gtk_tree_view_get_model (view), NULL), 1);
  gtk_tree_selection_select_path (gtk_tree_view_get_selection (view), first);
  gtk_button_clicked (child_of (row, VIREO_TYPE_NIC_ROW, "remove_forward_button"));
  assert_true (vireo_test_wait_until (details_saved, details, 10));
  assert_int_equal (n_forwards (domain), 0);
}

/* The Details' device pages on a running VM: every change is saved and
 * marked as waiting for the next start. */
static void
check_device_pages (VireoDetailsView *details,
                    VireoDomain      *domain,
                    GtkWidget        *vm_window)
{
  GtkNotebook *notebook = child_of (details, VIREO_TYPE_DETAILS_VIEW, "notebook");
  GtkListBox *nics = child_of (details, VIREO_TYPE_DETAILS_VIEW, "nics_list");
  GtkListBox *disks = child_of (details, VIREO_TYPE_DETAILS_VIEW, "disks_list");
  guint n_disks = vireo_domain_get_config (domain)->disks->len;
  gpointer args[2] = { details, NULL };
  const VireoDiskConfig *added;
  GtkWidget *dialog, *row;
  GtkEntry *mac;

  /* the banner follows the engine's pending-changes */
  assert_true (vireo_domain_has_pending_changes (domain));
  assert_true (gtk_widget_get_visible (child_of (details, VIREO_TYPE_DETAILS_VIEW, "pending_bar")));

  /* a MAC typed in upper case is kept normalised; a bad one is refused in place */
  gtk_notebook_set_current_page (notebook, 2);
  mac = child_of (gtk_list_box_get_row_at_index (nics, 0), VIREO_TYPE_NIC_ROW, "mac_entry");
  gtk_entry_set_text (mac, "52:54:00:AB:CD:EF");
  g_signal_emit_by_name (mac, "activate");
  assert_true (vireo_test_wait_until (details_saved, details, 10));
  assert_string_equal (((VireoNicConfig *) g_ptr_array_index (vireo_domain_get_config (domain)->nics, 0))->mac,
                       "52:54:00:ab:cd:ef");
  mac = child_of (gtk_list_box_get_row_at_index (nics, 0), VIREO_TYPE_NIC_ROW, "mac_entry");
  gtk_entry_set_text (mac, "zz:54");
  g_signal_emit_by_name (mac, "activate");
  args[1] = "VM 'wizard-vm': 'zz:54' is not a valid unicast MAC address";
  assert_true (vireo_test_wait_until (status_starts, args, 10));
  check_forwards (details, domain, vm_window);

  /* display settings */
  gtk_notebook_set_current_page (notebook, 3);
  gtk_combo_box_set_active_id (child_of (details, VIREO_TYPE_DETAILS_VIEW, "video_combo"), "vga");
  gtk_button_clicked (child_of (details, VIREO_TYPE_DETAILS_VIEW, "display_apply_button"));
  assert_true (vireo_test_wait_until (details_saved, details, 10));
  assert_string_equal (vireo_domain_get_config (domain)->video_model, "vga");
  assert_true (vireo_domain_get_config (domain)->serial);
  save_screenshot (vm_window, "details-display.png");

  /* a new 1 GiB image through the dialog */
  gtk_notebook_set_current_page (notebook, 1);
  dialog = vireo_details_view_open_add_disk (details);
  gtk_spin_button_set_value (child_of (dialog, VIREO_TYPE_ADD_DISK_DIALOG, "size_spin"), 1);
  save_screenshot (dialog, "add-disk-dialog.png");
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_OK);
  {
    gpointer count[2] = { domain, GUINT_TO_POINTER (n_disks + 1) };
    assert_true (vireo_test_wait_until (disk_count_is, count, 20));
  }
  added = g_ptr_array_index (vireo_domain_get_config (domain)->disks, n_disks);
  assert_string_equal (added->target, "vdb");
  assert_true (g_file_test (added->path, G_FILE_TEST_IS_REGULAR));
  args[1] = "Added “vdb”.";
  assert_true (vireo_test_wait_until (status_starts, args, 10));

  /* its bus becomes SATA (and its name follows), then it goes; the image stays */
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (disks, n_disks));
  gtk_combo_box_set_active_id (child_of (row, VIREO_TYPE_DISK_ROW, "bus_combo"), "sata");
  assert_true (vireo_test_wait_until (details_saved, details, 10));
  added = g_ptr_array_index (vireo_domain_get_config (domain)->disks, n_disks);
  assert_int_equal (added->bus, VIREO_DISK_BUS_SATA);
  assert_string_equal (added->target, "sda");
  save_screenshot (vm_window, "details-disks.png");
  {
    g_autofree char *image = g_strdup (added->path);
    gpointer count[2] = { domain, GUINT_TO_POINTER (n_disks) };
    GtkWindow *question;

    /* the question is modal and answers through ::response: emitting
     * returns at once (a nested main loop would not) */
    row = GTK_WIDGET (gtk_list_box_get_row_at_index (disks, n_disks));
    g_signal_emit_by_name (row, "remove-requested");
    question = find_message_dialog ();
    assert_non_null (question);
    assert_true (gtk_window_get_modal (question));
    gtk_dialog_response (GTK_DIALOG (question), GTK_RESPONSE_ACCEPT);
    assert_true (vireo_test_wait_until (disk_count_is, count, 10));
    assert_null (find_message_dialog ());
    assert_true (g_file_test (image, G_FILE_TEST_IS_REGULAR));
  }
  gtk_notebook_set_current_page (notebook, 0);
}

static gboolean
has_error (gpointer data)
{
  return vireo_window_get_error_text (data) != NULL;
}

static gboolean
engine_lacks (gpointer data)
{
  gpointer *args = data;
  return vireo_backend_lookup_domain (VIREO_BACKEND (args[0]), args[1]) == NULL;
}

static gboolean
engine_knows (gpointer data)
{
  gpointer *args = data;
  return vireo_backend_lookup_domain (VIREO_BACKEND (args[0]), args[1]) != NULL;
}

static gboolean
row_has_samples (gpointer data)
{
  return vireo_vm_row_get_n_samples (data) >= 2;
}

static gboolean
row_shows_address (gpointer data)
{
  GtkLabel *label = (gpointer) gtk_widget_get_template_child (data, VIREO_TYPE_VM_ROW, "details_label");

  return strstr (gtk_label_get_text (label), " · 10.0.2.15") != NULL;
}

static gboolean
domain_running (gpointer data)
{
  gpointer *args = data;
  VireoDomain *domain = vireo_backend_lookup_domain (VIREO_BACKEND (args[0]), args[1]);

  return domain != NULL && vireo_domain_get_state (domain) == VIREO_DOMAIN_STATE_RUNNING;
}

static void
on_action_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!vireo_domain_action_finish (VIREO_DOMAIN (source), result, &error))
    fail_msg ("%s", error->message);
  *(gboolean *) user_data = TRUE;
}

#define child(widget, name) \
  ((gpointer) gtk_widget_get_template_child (GTK_WIDGET (widget), VIREO_TYPE_NEW_VM_ASSISTANT, name))

static gboolean
vnc_shows_frame (gpointer data)
{
  VireoVncView *view = data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  if (!vireo_vnc_view_is_connected (view))
    return FALSE;
  pixbuf = vireo_vnc_view_get_pixbuf (view);
  return pixbuf != NULL && pixbuf_has_content (pixbuf);
}

static gboolean
serial_shows (gpointer data)
{
  gpointer *args = data;
  g_autofree char *text = vireo_serial_view_get_text (args[0]);

  return text != NULL && strstr (text, args[1]) != NULL;
}

/* A 256 KiB paste reaches the guest whole and in order (its md5sum there
 * is the one of what was pasted), while the guest reads far slower than
 * the view writes: the window keeps running its main loop meanwhile. */
static void
paste_large (VireoSerialView *serial)
{
  GString *payload = g_string_new (NULL);
  g_autofree char *md5 = NULL;
  gpointer args[2] = { serial, NULL };

  for (guint i = 0; payload->len < 256 * 1024; i++)
    g_string_append_printf (payload, "%06u abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123\n", i);
  g_string_truncate (payload, 256 * 1024 - 1);
  g_string_append_c (payload, '\n');
  md5 = g_compute_checksum_for_data (G_CHECKSUM_MD5, (const guchar *) payload->str, payload->len);

  vireo_serial_view_type (serial, "stty -echo; echo md5-$((2+3)); md5sum; stty echo\n");
  args[1] = "md5-5";
  assert_true (vireo_test_wait_until (serial_shows, args, 60));
  vireo_test_pump_for (1000);
  vireo_serial_view_type (serial, payload->str);
  vireo_serial_view_type (serial, "\004");
  args[1] = md5;
  if (!vireo_test_wait_until (serial_shows, args, 300))
    {
      g_autofree char *text = vireo_serial_view_get_text (serial);
      g_autofree char *tail = g_strdup (text ? text + MAX (0, (gssize) strlen (text) - 400) : "(nothing)");
      fail_msg ("the guest's md5sum of the paste is not %s; the console ends with: %s", md5, tail);
    }
  g_string_free (payload, TRUE);
}

static void
find_button (GtkWidget *widget,
             gpointer   data)
{
  GtkWidget **found = data;

  if (*found == NULL && GTK_IS_BUTTON (widget))
    *found = widget;
  else if (*found == NULL && GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), find_button, data);
}

/* What a screen reader says for the one button inside @bar. */
static const char *
close_button_name (gpointer    widget,
                   GType       type,
                   const char *bar)
{
  GtkWidget *button = NULL;

  gtk_container_forall (child_of (widget, type, bar), find_button, &button);
  assert_non_null (button);
  return atk_object_get_name (gtk_widget_get_accessible (button));
}

/* A fake desktop on the test's own session bus: the Background portal,
 * which records what it is asked and answers at once, and GTK's
 * notification server, which records what it is shown. */
typedef struct {
  guint requests;          /* RequestBackground calls */
  char *parent_window;     /* the last one's */
  GVariant *options;
  guint notifications;     /* AddNotification calls */
  char *body;              /* the last one's */
  int response;            /* what the portal answers: 0 yes, 1 no, -1 nothing */
} FakeDesktop;

static FakeDesktop desktop;

static const char fake_desktop_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.Background'>"
  "    <method name='RequestBackground'>"
  "      <arg type='s' direction='in'/><arg type='a{sv}' direction='in'/><arg type='o' direction='out'/>"
  "    </method>"
  "  </interface>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='a{sv}' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

/* The portal's protocol: the Request's path from the caller and its
 * handle_token, returned; then its Response on that path. */
static void
fake_request_background (GDBusConnection       *bus,
                         const char            *sender,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation)
{
  g_autofree char *caller = g_strdup (sender + 1);
  g_autofree char *path = NULL;
  const char *token = "none";
  GVariantBuilder results;

  desktop.requests++;
  g_clear_pointer (&desktop.parent_window, g_free);
  g_clear_pointer (&desktop.options, g_variant_unref);
  g_variant_get (parameters, "(s@a{sv})", &desktop.parent_window, &desktop.options);
  g_variant_lookup (desktop.options, "handle_token", "&s", &token);
  g_strdelimit (caller, ".", '_');
  path = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", caller, token);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", path));
  if (desktop.response < 0)
    return;
  g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&results, "{sv}", "background", g_variant_new_boolean (desktop.response == 0));
  g_variant_builder_add (&results, "{sv}", "autostart", g_variant_new_boolean (FALSE));
  g_dbus_connection_emit_signal (bus, sender, path, "org.freedesktop.portal.Request", "Response",
                                 g_variant_new ("(ua{sv})", (guint32) desktop.response, &results), NULL);
}

static void
fake_desktop_call (GDBusConnection       *bus,
                   const char            *sender,
                   const char            *path,
                   const char            *interface,
                   const char            *method,
                   GVariant              *parameters,
                   GDBusMethodInvocation *invocation,
                   gpointer               user_data)
{
  if (g_str_equal (method, "RequestBackground"))
    {
      fake_request_background (bus, sender, parameters, invocation);
      return;
    }
  if (g_str_equal (method, "AddNotification"))
    {
      g_autoptr(GVariant) notification = g_variant_get_child_value (parameters, 2);

      desktop.notifications++;
      g_clear_pointer (&desktop.body, g_free);
      g_variant_lookup (notification, "body", "s", &desktop.body);
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

/* Its own connection to the bus, as a real desktop's. */
static GDBusConnection *
fake_desktop_start (const char *address)
{
  static const GDBusInterfaceVTable vtable = { fake_desktop_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (fake_desktop_xml, NULL);
  GDBusConnection *bus = g_dbus_connection_new_for_address_sync (address,
                                                                 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                                 NULL, NULL, NULL);
  const char *names[] = { "org.freedesktop.portal.Desktop", "org.gtk.Notifications" };

  assert_non_null (bus);
  assert_true (g_dbus_connection_register_object (bus, "/org/freedesktop/portal/desktop", info->interfaces[0],
                                                  &vtable, NULL, NULL, NULL));
  assert_true (g_dbus_connection_register_object (bus, "/org/gtk/Notifications", info->interfaces[1],
                                                  &vtable, NULL, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GVariant) reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                               "org.freedesktop.DBus", "RequestName",
                                                               g_variant_new ("(su)", names[i], 0x4),
                                                               G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE,
                                                               -1, NULL, NULL);
      assert_non_null (reply);
    }
  return bus;
}

/* One run of the application on a tree: it shows its window until the
 * VMs are in, then the window is closed as a user would. */
typedef struct {
  VireoApplication *app;
  guint active;            /* the running VMs to wait for */
  guint domains;           /* the VMs to wait for */
  gboolean note_shown;     /* the window's running-VMs note, when closed */
  char *note;
  gint64 closed_at;        /* 0 until then */
  gboolean gave_up;
  guint poll;
} AppRun;

static gboolean
close_when_listed (gpointer data)
{
  AppRun *run = data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (run->app));
  VireoLocalBackend *engine = vireo_application_get_engine (run->app);
  GtkWidget *note;

  if (windows == NULL || engine == NULL ||
      g_list_model_get_n_items (vireo_backend_get_domains (VIREO_BACKEND (engine))) < run->domains ||
      vireo_ui_count_active (engine) < run->active)
    return G_SOURCE_CONTINUE;
  note = child_of (windows->data, VIREO_TYPE_WINDOW, "running_note");
  run->note_shown = gtk_widget_get_visible (note);
  run->note = g_strdup (gtk_label_get_text (GTK_LABEL (note)));
  run->closed_at = g_get_monotonic_time ();
  gtk_window_close (windows->data);
  run->poll = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
give_up (gpointer data)
{
  AppRun *run = data;

  run->gave_up = TRUE;
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

/* Runs Vireo on @root, closes its window, and returns how long it took
 * to end after that, in seconds. */
static double
run_app (const char *root,
         gboolean    sandboxed,
         AppRun     *run)
{
  char *argv[] = { "vireo", "--root", (char *) root, NULL };
  guint guard = g_timeout_add_seconds (120, give_up, run);

  run->poll = g_timeout_add (50, close_when_listed, run);
  run->app = vireo_application_new ();
  vireo_application_set_sandboxed (run->app, sandboxed);
  assert_int_equal (g_application_run (G_APPLICATION (run->app), 3, argv), 0);
  g_clear_handle_id (&run->poll, g_source_remove);
  g_clear_handle_id (&guard, g_source_remove);
  g_clear_object (&run->app);
  assert_false (run->gave_up);
  assert_true (run->closed_at > 0);
  return (g_get_monotonic_time () - run->closed_at) / (double) G_USEC_PER_SEC;
}

/* the close buttons of the error and search bars have names, not just icons */
static void
test_accessible_names (void **state)
{
  Fixture *f = *state;
  VireoDomain *alpha = vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "alpha");
  GtkWidget *vm_window = vireo_window_open_vm_window (f->window, alpha);

  assert_string_equal (close_button_name (f->window, VIREO_TYPE_WINDOW, "error_bar"), "Close error message");
  assert_string_equal (close_button_name (f->window, VIREO_TYPE_WINDOW, "search_bar"), "Close search");
  assert_string_equal (close_button_name (vm_window, VIREO_TYPE_VM_WINDOW, "error_bar"), "Close error message");
  assert_string_equal (atk_object_get_name (gtk_widget_get_accessible (
                         child_of (vm_window, VIREO_TYPE_VM_WINDOW, "power_button"))), "More VM actions");
  gtk_widget_destroy (vm_window);
}

/* both VMs are listed; type-to-search hides what does not match */
static void
test_list_and_search (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  {
    /* both rows are there */
    assert_non_null (gtk_list_box_get_row_at_index (box, 0));
    assert_non_null (gtk_list_box_get_row_at_index (box, 1));
    assert_null (gtk_list_box_get_row_at_index (box, 2));

    /* type-to-search hides what does not match */
    vireo_window_search (f->window, "UNDER TEST");
    assert_true (gtk_widget_get_child_visible (GTK_WIDGET (gtk_list_box_get_row_at_index (box, 0))));
    assert_false (gtk_widget_get_child_visible (GTK_WIDGET (gtk_list_box_get_row_at_index (box, 1))));
    vireo_window_search (f->window, NULL);
    assert_true (gtk_widget_get_child_visible (GTK_WIDGET (gtk_list_box_get_row_at_index (box, 1))));
  }
}

/* the wizard creates a VM from a kernel and an initrd, and starts it */
static void
test_wizard (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  VireoDomain *alpha = vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "alpha");
  VireoDomain *vm;
  GtkWidget *assistant;
  gboolean efi, tpm;
  {
    /* the wizard creates a VM from a kernel and an initrd, and starts it */
    assistant = vireo_window_new_vm (f->window);
    gtk_toggle_button_set_active (child (assistant, "kernel_radio"), TRUE);
    gtk_entry_set_text (child (assistant, "kernel_entry"), vireo_domain_get_config (alpha)->kernel);
    gtk_entry_set_text (child (assistant, "initrd_entry"), vireo_domain_get_config (alpha)->initrd);
    gtk_entry_set_text (child (assistant, "cmdline_entry"), "console=tty0 console=ttyS0 quiet");
    assert_int_equal (gtk_assistant_get_current_page (GTK_ASSISTANT (assistant)), 0);
    /* the firmware follows the source as the engine says: an installer
     * gets UEFI and a TPM when OVMF is there, a kernel BIOS */
    gtk_toggle_button_set_active (child (assistant, "iso_radio"), TRUE);
    vireo_create_default_firmware (TRUE, &efi, &tpm);
    assert_string_equal (gtk_combo_box_get_active_id (child (assistant, "firmware_combo")), efi ? "efi" : "bios");
    assert_int_equal (gtk_toggle_button_get_active (child (assistant, "tpm_check")), tpm);
    gtk_toggle_button_set_active (child (assistant, "kernel_radio"), TRUE);
    assert_string_equal (gtk_combo_box_get_active_id (child (assistant, "firmware_combo")), "bios");
    assert_false (gtk_toggle_button_get_active (child (assistant, "tpm_check")));
    gtk_assistant_next_page (GTK_ASSISTANT (assistant));
    gtk_spin_button_set_value (child (assistant, "memory_spin"), 256);
    gtk_spin_button_set_value (child (assistant, "disk_spin"), 1);
    gtk_assistant_next_page (GTK_ASSISTANT (assistant));
    /* a taken name is refused with the reason beside the field */
    gtk_entry_set_text (child (assistant, "name_entry"), "alpha");
    assert_string_equal (gtk_label_get_text (child (assistant, "name_error")), "A VM named 'alpha' already exists");
    assert_false (gtk_assistant_get_page_complete (GTK_ASSISTANT (assistant), child (assistant, "name_page")));
    gtk_entry_set_text (child (assistant, "name_entry"), "../x");
    assert_non_null (strstr (gtk_label_get_text (child (assistant, "name_error")), "cannot start with"));
    gtk_entry_set_text (child (assistant, "name_entry"), "wizard-vm");
    assert_string_equal (gtk_label_get_text (child (assistant, "name_error")), "");
    gtk_assistant_next_page (GTK_ASSISTANT (assistant));
    assert_int_equal (gtk_assistant_get_current_page (GTK_ASSISTANT (assistant)), 3);
    assert_non_null (strstr (gtk_label_get_text (child (assistant, "summary_label")), "Firmware: BIOS"));
    save_screenshot (assistant, "wizard-summary.png");
    g_signal_emit_by_name (assistant, "apply");
    gtk_assistant_next_page (GTK_ASSISTANT (assistant));
    args[0] = f->engine;
    args[1] = "wizard-vm";
    assert_true (vireo_test_wait_until (domain_running, args, 60));
    vm = vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "wizard-vm");
    assert_int_equal (vireo_domain_get_config (vm)->memory_kib, 256 * 1024);
    assert_int_equal (vireo_domain_get_config (vm)->disks->len, 1);
    assert_false (vireo_domain_config_uses_efi (vireo_domain_get_config (vm)));
    assert_null (vireo_domain_get_config (vm)->tpm_model);
    assert_non_null (gtk_list_box_get_row_at_index (box, 2));
  }
  f->vm = vm;
}

/* the row of a running VM shows its CPU and memory use, and its address */
static void
test_row_stats (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];

  if (f->vm == NULL)
    skip ();   /* the wizard's VM never ran: test_wizard says why */
  {
    /* the row shows CPU and memory use of the running VM, and its address
     * once the guest agent tells it */
    args[0] = gtk_list_box_get_row_at_index (box, 2);
    assert_true (vireo_test_wait_until (row_has_samples, args[0], 10));
    assert_true (vireo_test_wait_until (row_shows_address, args[0], 60));
  }
}

/* another client pauses and resumes the VM: the row follows */
static void
test_other_client_pauses (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  gboolean paused = FALSE, resumed = FALSE;

  if (f->vm == NULL)
    skip ();   /* the wizard's VM never ran: test_wizard says why */
  {
    /* another client pauses it: the row follows */
    assert_true (vireo_local_backend_load (f->other, NULL));
    vireo_domain_action_async (vireo_backend_lookup_domain (VIREO_BACKEND (f->other), "wizard-vm"),
                               VIREO_DOMAIN_ACTION_PAUSE, NULL, on_action_done, &paused);
    vireo_test_pump (NULL, &paused, 30000);
    args[0] = box;
    args[1] = GINT_TO_POINTER (VIREO_DOMAIN_STATE_PAUSED);
    assert_true (vireo_test_wait_until (row_says, args, 5));
    save_screenshot (GTK_WIDGET (f->window), "main-window.png");
    vireo_domain_action_async (vireo_backend_lookup_domain (VIREO_BACKEND (f->other), "wizard-vm"),
                               VIREO_DOMAIN_ACTION_RESUME, NULL, on_action_done, &resumed);
    vireo_test_pump (NULL, &resumed, 30000);
    args[1] = GINT_TO_POINTER (VIREO_DOMAIN_STATE_RUNNING);
    assert_true (vireo_test_wait_until (row_says, args, 5));
  }
}

/* While a VM runs the window says it keeps running when Vireo is closed;
 * closing Vireo's last window leaves it running and says so, and inside a
 * Flatpak first asks the desktop to let Vireo run in the background. */
static void
test_keeps_running (void **state)
{
  Fixture *f = *state;
  AppRun run = { .active = 1, .domains = 3 };
  const char *reason = NULL;
  gboolean autostart = TRUE;
  double elapsed;
  guint requests = desktop.requests;
  guint notifications = desktop.notifications;

  if (f->vm == NULL)
    skip ();   /* the wizard's VM never ran: test_wizard says why */
  assert_true (gtk_widget_get_visible (child_of (f->window, VIREO_TYPE_WINDOW, "running_note")));
  assert_string_equal (gtk_label_get_text (child_of (f->window, VIREO_TYPE_WINDOW, "running_note")),
                       "1 VM is running. It keeps running when Vireo is closed.");
  save_screenshot (GTK_WIDGET (f->window), "main-window-running.png");

  /* in a Flatpak: one request, answered before Vireo ends, well before
   * it would stop waiting (5 s) */
  assert_true (run_app (f->root, TRUE, &run) < 4.0);
  assert_true (run.note_shown);
  assert_string_equal (run.note, "1 VM is running. It keeps running when Vireo is closed.");
  assert_int_equal (desktop.requests, requests + 1);
  assert_string_equal (desktop.parent_window, "");
  assert_true (g_variant_lookup (desktop.options, "reason", "&s", &reason));
  assert_string_equal (reason, "Virtual machines keep running after the window is closed");
  assert_true (g_variant_lookup (desktop.options, "autostart", "b", &autostart));
  assert_false (autostart);
  assert_true (g_variant_lookup (desktop.options, "handle_token", "&s", &reason));
  assert_null (g_variant_lookup_value (desktop.options, "commandline", NULL));
  assert_int_equal (desktop.notifications, notifications + 1);
  assert_string_equal (desktop.body, "1 virtual machine keeps running after Vireo was closed.");
  g_free (run.note);

  /* refused, or no answer: Vireo ends all the same, at the latest after 5 s */
  desktop.response = 1;
  memset (&run, 0, sizeof run);
  run.active = 1;
  run.domains = 3;
  assert_true (run_app (f->root, TRUE, &run) < 4.0);
  g_free (run.note);
  desktop.response = -1;
  memset (&run, 0, sizeof run);
  run.active = 1;
  run.domains = 3;
  elapsed = run_app (f->root, TRUE, &run);
  g_free (run.note);
  desktop.response = 0;
  assert_true (elapsed >= 4.5 && elapsed < 9.0);
  assert_int_equal (desktop.requests, requests + 3);

  /* outside one: no request, the same notification; the VM runs on */
  memset (&run, 0, sizeof run);
  run.active = 1;
  run.domains = 3;
  run_app (f->root, FALSE, &run);
  g_free (run.note);
  assert_int_equal (desktop.requests, requests + 3);
  assert_int_equal (desktop.notifications, notifications + 4);
  assert_true (vireo_domain_is_active (f->vm));
}

/* with no VM running, closing Vireo asks nothing and says nothing */
static void
test_nothing_keeps_running (void **state)
{
  Fixture *f = *state;
  AppRun run = { .active = 0, .domains = 2 };
  guint requests = desktop.requests;
  guint notifications = desktop.notifications;

  assert_false (gtk_widget_get_visible (child_of (f->window, VIREO_TYPE_WINDOW, "running_note")));
  run_app (f->root, TRUE, &run);
  g_free (run.note);
  assert_false (run.note_shown);
  assert_int_equal (desktop.requests, requests);
  assert_int_equal (desktop.notifications, notifications);
}

/* sorted by state the running VM comes first; by name, last */
static void
test_sort (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  VireoDomain *vm = f->vm;

  if (f->vm == NULL)
    skip ();   /* the wizard's VM never ran: test_wizard says why */
  {
    /* sorted by state, the running VM comes first; by name, last */
    {
      g_autoptr(GSettings) settings = vireo_ui_settings_new ();
      g_autofree char *sort = NULL;

      g_action_group_activate_action (G_ACTION_GROUP (f->window), "sort-by", g_variant_new_string ("state"));
      assert_ptr_equal (vireo_vm_row_get_domain (VIREO_VM_ROW (gtk_list_box_get_row_at_index (box, 0))), vm);
      sort = g_settings_get_string (settings, "sort-by");
      assert_string_equal (sort, "state");
      g_action_group_activate_action (G_ACTION_GROUP (f->window), "sort-by", g_variant_new_string ("name"));
      assert_ptr_equal (vireo_vm_row_get_domain (VIREO_VM_ROW (gtk_list_box_get_row_at_index (box, 2))), vm);
    }
  }
}

/* the VM's window: its VNC console gets a frame with content */
static void
test_console_window (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  GtkWidget *vm_window;
  VireoVncView *vnc;

  if (f->vm == NULL)
    skip ();   /* the wizard's VM never ran: test_wizard says why */
  {
    /* its window: the VNC console gets a frame with content */
    vm_window = vireo_window_open_vm_window (f->window, f->vm);
    gtk_window_resize (GTK_WINDOW (vm_window), 820, 560);
    vnc = vireo_vm_window_get_vnc_view (VIREO_VM_WINDOW (vm_window));
    assert_true (vireo_test_wait_until (vnc_shows_frame, vnc, 90));
  }
  f->vm_window = vm_window;
}

/* the serial console: the ready marker, typed commands answer, copy, paste, a large paste */
static void
test_serial_console (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  GtkWidget *vm_window = f->vm_window;
  VireoVncView *vnc = f->vm_window ? vireo_vm_window_get_vnc_view (VIREO_VM_WINDOW (vm_window)) : NULL;
  VireoSerialView *serial = f->vm_window ? vireo_vm_window_get_serial_view (VIREO_VM_WINDOW (vm_window)) : NULL;

  if (f->vm_window == NULL)
    skip ();   /* no window of the VM: test_console_window says why */
  {
    /* the serial tab gets the ready marker, and typed commands answer
     * (VTE processes input only while it is on screen) */
    vireo_vm_window_show_page (VIREO_VM_WINDOW (vm_window), "serial");
    args[0] = serial;
    args[1] = "VIREO-GUEST-READY";
    if (!vireo_test_wait_until (serial_shows, args, 120))
      {
        g_autofree char *text = vireo_serial_view_get_text (serial);
        fail_msg ("the serial console shows: %s", text ? text : "(nothing)");
      }
    /* busybox's line editing is in raw mode before it prints its prompt:
     * what is typed now is read */
    args[1] = "guest# ";
    assert_true (vireo_test_wait_until (serial_shows, args, 60));
    vireo_serial_view_type (serial, "echo typed-$((7*6))\n");
    args[1] = "typed-42";
    assert_true (vireo_test_wait_until (serial_shows, args, 60));
    /* copy and paste go through the clipboard, as Ctrl+Shift+C and V do */
    {
      GActionGroup *actions = gtk_widget_get_action_group (GTK_WIDGET (serial), "serial");
      GtkClipboard *clipboard = gtk_clipboard_get (GDK_SELECTION_CLIPBOARD);
      VteTerminal *terminal = (gpointer) gtk_widget_get_template_child (GTK_WIDGET (serial), VIREO_TYPE_SERIAL_VIEW, "terminal");
      g_autofree char *copied = NULL;

      vte_terminal_select_all (terminal);
      assert_true (g_action_group_get_action_enabled (actions, "copy"));
      g_action_group_activate_action (actions, "copy", NULL);
      copied = gtk_clipboard_wait_for_text (clipboard);
      assert_non_null (copied);
      assert_non_null (strstr (copied, "typed-42"));
      vte_terminal_unselect_all (terminal);
      gtk_clipboard_set_text (clipboard, "echo pasted-$((6*7))\n", -1);
      g_action_group_activate_action (actions, "paste", NULL);
      args[1] = "pasted-42";
      assert_true (vireo_test_wait_until (serial_shows, args, 60));
    }
    paste_large (serial);
    save_screenshot (vm_window, "serial-window.png");
    vireo_vm_window_show_page (VIREO_VM_WINDOW (vm_window), "console");
    assert_true (vireo_test_wait_until (vnc_shows_frame, vnc, 10));
    save_screenshot (vm_window, "console-window.png");
  }
}

/* the details editor saves, says when a change waits for a restart, shows XML errors in place, edits devices */
static void
test_details_editor (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  GtkWidget *vm_window = f->vm_window;
  VireoDomain *alpha = f->vm;

  if (f->vm_window == NULL)
    skip ();   /* no window of the VM: test_console_window says why */
  {
    /* the details editor saves, says when a change waits for a restart,
     * and shows XML errors in place */
    {
      VireoDetailsView *details = vireo_vm_window_get_details_view (VIREO_VM_WINDOW (vm_window));
      g_autofree char *xml = NULL;

      vireo_vm_window_show_page (VIREO_VM_WINDOW (vm_window), "details");
      /* the firmware and the TPM, read-only */
      assert_string_equal (gtk_label_get_text (child_of (details, VIREO_TYPE_DETAILS_VIEW, "firmware_label")), "BIOS");
      assert_string_equal (gtk_label_get_text (child_of (details, VIREO_TYPE_DETAILS_VIEW, "tpm_label")), "None");
      gtk_entry_set_text ((gpointer) gtk_widget_get_template_child (GTK_WIDGET (details), VIREO_TYPE_DETAILS_VIEW,
                                                                    "title_entry"), "Edited title");
      gtk_entry_set_text ((gpointer) gtk_widget_get_template_child (GTK_WIDGET (details), VIREO_TYPE_DETAILS_VIEW,
                                                                    "cmdline_entry"),
                          "console=tty0 console=ttyS0 quiet loglevel=3");
      gtk_button_clicked ((gpointer) gtk_widget_get_template_child (GTK_WIDGET (details), VIREO_TYPE_DETAILS_VIEW,
                                                                     "apply_button"));
      assert_true (vireo_test_wait_until (details_saved, details, 10));
      assert_string_equal (vireo_domain_get_config (alpha)->title, "Edited title");
      assert_string_equal (vireo_domain_get_config (alpha)->cmdline, "console=tty0 console=ttyS0 quiet loglevel=3");
      assert_non_null (vireo_domain_get_config (alpha)->kernel);
      assert_string_equal (vireo_details_view_get_status (details),
                           "Saved. The changes take effect when the VM next starts.");
      vireo_details_view_set_xml (details, "<domain type='kvm'><name>wizard-vm</name>");
      assert_false (vireo_details_view_apply_xml (details));
      assert_non_null (strstr (vireo_details_view_get_status (details), "malformed XML"));
      xml = vireo_domain_get_xml (alpha);
      vireo_details_view_set_xml (details, xml);
      assert_true (vireo_details_view_apply_xml (details));
      assert_true (vireo_test_wait_until (details_saved, details, 10));
      save_screenshot (vm_window, "details-window.png");
      {
        GtkNotebook *notebook = (gpointer) gtk_widget_get_template_child (GTK_WIDGET (details),
                                                                          VIREO_TYPE_DETAILS_VIEW, "notebook");
        GtkListBox *disks = (gpointer) gtk_widget_get_template_child (GTK_WIDGET (details),
                                                                      VIREO_TYPE_DETAILS_VIEW, "disks_list");
        gtk_notebook_set_current_page (notebook, 1);
        assert_non_null (gtk_list_box_get_row_at_index (disks, 0));
        assert_null (gtk_list_box_get_row_at_index (disks, 1));
        /* network interfaces: add one, change its model, remove it */
        {
          GtkListBox *nics = (gpointer) gtk_widget_get_template_child (GTK_WIDGET (details),
                                                                       VIREO_TYPE_DETAILS_VIEW, "nics_list");
          guint before = vireo_domain_get_config (alpha)->nics->len;

          gtk_notebook_set_current_page (notebook, 2);
          vireo_details_view_add_nic (details);
          assert_true (vireo_test_wait_until (details_saved, details, 10));
          assert_int_equal (vireo_domain_get_config (alpha)->nics->len, before + 1);
          assert_non_null (gtk_list_box_get_row_at_index (nics, before));
          save_screenshot (vm_window, "details-network.png");
          vireo_details_view_remove_nic (details, before);
          assert_true (vireo_test_wait_until (details_saved, details, 10));
          assert_int_equal (vireo_domain_get_config (alpha)->nics->len, before);
        }
        check_device_pages (details, alpha, vm_window);
      }
      vireo_vm_window_show_page (VIREO_VM_WINDOW (vm_window), "console");
    }
  }
}

/* key combinations reach the guest; fullscreen comes and goes */
static void
test_send_keys_and_fullscreen (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  GtkWidget *vm_window = f->vm_window;
  VireoVncView *vnc = f->vm_window ? vireo_vm_window_get_vnc_view (VIREO_VM_WINDOW (vm_window)) : NULL;

  if (f->vm_window == NULL)
    skip ();   /* no window of the VM: test_console_window says why */
  {
    /* key combinations reach the guest; fullscreen comes and goes */
    g_action_group_activate_action (G_ACTION_GROUP (vm_window), "send-keys", g_variant_new_string ("ctrl-alt-f2"));
    g_action_group_activate_action (G_ACTION_GROUP (vm_window), "fullscreen", NULL);
    g_action_group_activate_action (G_ACTION_GROUP (vm_window), "fullscreen", NULL);
    assert_true (vireo_vnc_view_is_connected (vnc));
  }
}

/* QEMU killed under the window: crashed, and the app carries on */
static void
test_qemu_killed (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  GtkWidget *vm_window = f->vm_window;
  VireoDomain *alpha = f->vm;
  g_autofree char *qemu_pid_text = NULL;

  if (f->vm_window == NULL)
    skip ();   /* no window of the VM: test_console_window says why */
  {
    /* QEMU killed under the window: crashed, and the app carries on */
    vireo_domain_refresh_state (alpha);
    {
      g_autofree char *path = g_build_filename (vireo_domain_get_run_dir (alpha), "state.json", NULL);
      const char *p;
      g_file_get_contents (path, &qemu_pid_text, NULL, NULL);
      p = strstr (qemu_pid_text, "\"qemu-pid\":");
      assert_non_null (p);
      kill (atoi (p + strlen ("\"qemu-pid\":")), SIGKILL);
    }
    args[0] = box;
    args[1] = GINT_TO_POINTER (VIREO_DOMAIN_STATE_CRASHED);
    assert_true (vireo_test_wait_until (row_says, args, 10));
    assert_string_equal (vireo_domain_get_state_reason (alpha), "QEMU was killed by signal 9 (Killed)");
    save_screenshot (vm_window, "console-crashed.png");
    gtk_widget_destroy (vm_window);
  }
  f->vm_window = NULL;
}

/* started again from the window, then its shim killed under it: crashed with the reason */
static void
test_shim_killed (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  VireoDomain *alpha = f->vm;

  if (f->vm == NULL)
    skip ();   /* the wizard's VM never ran: test_wizard says why */
  {
    /* started again from the window, then its shim killed under it: crashed
     * with the reason, and QEMU went with its shim */
    vireo_window_select_domain (f->window, alpha);
    g_action_group_activate_action (G_ACTION_GROUP (f->window), "start", NULL);
    args[0] = box;
    args[1] = GINT_TO_POINTER (VIREO_DOMAIN_STATE_RUNNING);
    assert_true (vireo_test_wait_until (row_says, args, 30));
    {
      g_autofree char *path = g_build_filename (vireo_domain_get_run_dir (alpha), "state.json", NULL);
      g_autofree char *text = NULL;
      const char *p;

      g_file_get_contents (path, &text, NULL, NULL);
      p = strstr (text, "\"shim-pid\":");
      assert_non_null (p);
      kill (atoi (p + strlen ("\"shim-pid\":")), SIGKILL);
    }
    args[1] = GINT_TO_POINTER (VIREO_DOMAIN_STATE_CRASHED);
    assert_true (vireo_test_wait_until (row_says, args, 15));
    assert_string_equal (vireo_domain_get_state_reason (alpha), "the supervisor process vireo-shim died");
    assert_null (vireo_window_get_error_text (f->window));
  }
}

static gboolean
domain_state_is (gpointer data)
{
  gpointer *args = data;
  return (int) vireo_domain_get_state (args[0]) == GPOINTER_TO_INT (args[1]);
}

/* The VM window's lifecycle controls as the state allows: the main button
 * (sensitive with @start_says as its tooltip, or insensitive for NULL)
 * and the menu's actions. */
static void
check_lifecycle (GtkWidget  *vm_window,
                 const char *start_says,
                 gboolean    pause,
                 gboolean    shutdown,
                 gboolean    force_off)
{
  GtkWidget *start = child_of (vm_window, VIREO_TYPE_VM_WINDOW, "start_button");
  GActionGroup *actions = G_ACTION_GROUP (vm_window);
  g_autofree char *tooltip = gtk_widget_get_tooltip_text (start);

  assert_int_equal (gtk_widget_is_sensitive (start), start_says != NULL);
  if (start_says != NULL)
    {
      assert_string_equal (tooltip, start_says);
      assert_string_equal (atk_object_get_name (gtk_widget_get_accessible (start)), start_says);
    }
  assert_int_equal (g_action_group_get_action_enabled (actions, "vm-pause"), pause);
  assert_int_equal (g_action_group_get_action_enabled (actions, "vm-shutdown"), shutdown);
  assert_int_equal (g_action_group_get_action_enabled (actions, "vm-reboot"), shutdown);
  assert_int_equal (g_action_group_get_action_enabled (actions, "vm-force-off"), force_off);
}

/* The header bar's menu offers Pause, Shut Down, Reboot, Force Off, Take
 * Snapshot… and Clone…, and nothing that does not work yet. */
static void
check_power_menu (GtkWidget *vm_window)
{
  GtkMenuButton *button = child_of (vm_window, VIREO_TYPE_VM_WINDOW, "power_button");
  GMenuModel *menu = gtk_menu_button_get_menu_model (button);
  g_autoptr(GString) seen = g_string_new (NULL);

  assert_non_null (menu);
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      for (int j = 0; section && j < g_menu_model_get_n_items (section); j++)
        {
          g_autofree char *action = NULL;

          assert_true (g_menu_model_get_item_attribute (section, j, G_MENU_ATTRIBUTE_ACTION, "s", &action));
          g_string_append_printf (seen, "%s ", action);
        }
    }
  assert_string_equal (seen->str, "win.vm-pause win.vm-shutdown win.vm-reboot win.vm-force-off "
                                  "win.vm-snapshot win.vm-clone ");
}

/* The VM's own window starts it, pauses and resumes it, and forces it off
 * after asking; its buttons follow the state as the engine reports it. */
static void
test_vm_window_actions (void **state)
{
  Fixture *f = *state;
  VireoDomain *vm = f->vm;
  g_autoptr(GSettings) settings = vireo_ui_settings_new ();
  gpointer args[2] = { vm, NULL };
  GtkWidget *vm_window;
  GtkWindow *question;

  if (f->vm == NULL)
    skip ();   /* the wizard's VM never ran: test_wizard says why */
  g_settings_set_boolean (settings, "confirm-actions", TRUE);
  vm_window = f->vm_window = vireo_window_open_vm_window (f->window, vm);
  check_power_menu (vm_window);
  assert_int_equal (vireo_domain_get_state (vm), VIREO_DOMAIN_STATE_CRASHED);
  check_lifecycle (vm_window, "Start", FALSE, FALSE, FALSE);

  /* Start, from the header bar's button */
  gtk_button_clicked (child_of (vm_window, VIREO_TYPE_VM_WINDOW, "start_button"));
  args[1] = GINT_TO_POINTER (VIREO_DOMAIN_STATE_RUNNING);
  assert_true (vireo_test_wait_until (domain_state_is, args, 60));
  check_lifecycle (vm_window, NULL, TRUE, TRUE, TRUE);
  save_screenshot (vm_window, "vm-window-running.png");

  /* Pause from the menu; the main button becomes Resume */
  g_action_group_activate_action (G_ACTION_GROUP (vm_window), "vm-pause", NULL);
  args[1] = GINT_TO_POINTER (VIREO_DOMAIN_STATE_PAUSED);
  assert_true (vireo_test_wait_until (domain_state_is, args, 30));
  check_lifecycle (vm_window, "Resume", FALSE, FALSE, TRUE);
  gtk_button_clicked (child_of (vm_window, VIREO_TYPE_VM_WINDOW, "start_button"));
  args[1] = GINT_TO_POINTER (VIREO_DOMAIN_STATE_RUNNING);
  assert_true (vireo_test_wait_until (domain_state_is, args, 30));
  check_lifecycle (vm_window, NULL, TRUE, TRUE, TRUE);

  /* Force Off asks first: Cancel leaves it running, Force Off stops it */
  g_action_group_activate_action (G_ACTION_GROUP (vm_window), "vm-force-off", NULL);
  question = find_message_dialog ();
  assert_non_null (question);
  assert_ptr_equal (gtk_window_get_transient_for (question), vm_window);
  gtk_dialog_response (GTK_DIALOG (question), GTK_RESPONSE_CANCEL);
  assert_null (find_message_dialog ());
  vireo_test_pump_for (500);
  assert_int_equal (vireo_domain_get_state (vm), VIREO_DOMAIN_STATE_RUNNING);
  g_action_group_activate_action (G_ACTION_GROUP (vm_window), "vm-force-off", NULL);
  question = find_message_dialog ();
  assert_non_null (question);
  gtk_dialog_response (GTK_DIALOG (question), GTK_RESPONSE_ACCEPT);
  args[1] = GINT_TO_POINTER (VIREO_DOMAIN_STATE_SHUTOFF);
  assert_true (vireo_test_wait_until (domain_state_is, args, 30));
  check_lifecycle (vm_window, "Start", FALSE, FALSE, FALSE);
  assert_null (vireo_vm_window_get_error_text (VIREO_VM_WINDOW (vm_window)));
  assert_null (vireo_window_get_error_text (f->window));
  gtk_widget_destroy (vm_window);
  f->vm_window = NULL;
}

/* The row of the tree model named @name, anywhere in the tree. */
static gboolean
find_row (GtkTreeModel *model,
          GtkTreeIter  *parent,
          const char   *name,
          GtkTreeIter  *found)
{
  GtkTreeIter iter;

  if (!gtk_tree_model_iter_children (model, &iter, parent))
    return FALSE;
  do
    {
      g_autofree char *text = NULL;

      gtk_tree_model_get (model, &iter, VIREO_SNAPSHOTS_COLUMN_NAME, &text, -1);
      if (g_strcmp0 (text, name) == 0)
        {
          *found = iter;
          return TRUE;
        }
      if (find_row (model, &iter, name, found))
        return TRUE;
    }
  while (gtk_tree_model_iter_next (model, &iter));
  return FALSE;
}

static GtkTreeModel *
snapshots_model (VireoSnapshotsView *view)
{
  return gtk_tree_view_get_model (child_of (view, VIREO_TYPE_SNAPSHOTS_VIEW, "tree_view"));
}

/* The snapshots view has read the list again and shows the row @args[1]
 * (or, with a "!" before the name, does not). */
static gboolean
snapshots_show (gpointer data)
{
  gpointer *args = data;
  const char *name = args[1];
  gboolean want = name[0] != '!';
  GtkTreeIter iter;

  return vireo_snapshots_view_is_loaded (args[0]) &&
         find_row (snapshots_model (args[0]), NULL, want ? name : name + 1, &iter) == want;
}

/* The parent row's name of the row @name; NULL at the top level. */
static char *
parent_of (VireoSnapshotsView *view,
           const char         *name)
{
  GtkTreeModel *model = snapshots_model (view);
  GtkTreeIter iter, parent;
  char *text = NULL;

  assert_true (find_row (model, NULL, name, &iter));
  if (gtk_tree_model_iter_parent (model, &parent, &iter))
    gtk_tree_model_get (model, &parent, VIREO_SNAPSHOTS_COLUMN_NAME, &text, -1);
  return text;
}

static void
select_row (VireoSnapshotsView *view,
            const char         *name)
{
  GtkTreeView *tree = child_of (view, VIREO_TYPE_SNAPSHOTS_VIEW, "tree_view");
  GtkTreeIter iter;

  assert_true (find_row (gtk_tree_view_get_model (tree), NULL, name, &iter));
  gtk_tree_selection_select_iter (gtk_tree_view_get_selection (tree), &iter);
}

static char *
row_text (VireoSnapshotsView *view,
          const char         *name,
          int                 column)
{
  GtkTreeIter iter;
  char *text = NULL;

  assert_true (find_row (snapshots_model (view), NULL, name, &iter));
  gtk_tree_model_get (snapshots_model (view), &iter, column, &text, -1);
  return text;
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Takes a snapshot through the page's Take dialog: the suggested name,
 * a description typed in, and the Take button. */
static void
take_from_page (VireoSnapshotsView *view)
{
  GtkWidget *dialog = vireo_snapshots_view_take (view);
  gpointer args[2] = { view, "snapshot-1" };

  assert_string_equal (gtk_entry_get_text (child_of (dialog, VIREO_TYPE_TAKE_SNAPSHOT_DIALOG, "name_entry")),
                       "snapshot-1");
  gtk_entry_set_text (child_of (dialog, VIREO_TYPE_TAKE_SNAPSHOT_DIALOG, "description_entry"), "before the test");
  save_screenshot (dialog, "take-snapshot-dialog.png");
  gtk_button_clicked (child_of (dialog, VIREO_TYPE_TAKE_SNAPSHOT_DIALOG, "take_button"));
  /* the dialog closes when the take ended, and the page reloads then; a
   * reload before (the VM pauses for the take) may list the snapshot
   * from the disk image before its description is saved */
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  assert_true (vireo_test_wait_until (is_gone, &dialog, 120));
  assert_true (vireo_test_wait_until (snapshots_show, args, 60));
}

/* The snapshot of the running VM: its RAM state, a thumbnail, and the
 * "current state" row under it, in italics. */
static void
check_taken (VireoSnapshotsView *view)
{
  GtkTreeModel *model = snapshots_model (view);
  g_autoptr(GdkPixbuf) thumbnail = NULL;
  g_autofree char *state = row_text (view, "snapshot-1", VIREO_SNAPSHOTS_COLUMN_STATE);
  g_autofree char *description = row_text (view, "snapshot-1", VIREO_SNAPSHOTS_COLUMN_DESCRIPTION);
  g_autofree char *now_parent = parent_of (view, "Current state");
  g_autofree char *now_time = row_text (view, "Current state", VIREO_SNAPSHOTS_COLUMN_TIME);
  PangoStyle style;
  GtkTreeIter iter;

  assert_string_equal (state, "Running");
  assert_string_equal (description, "before the test");
  assert_string_equal (now_parent, "snapshot-1");
  assert_string_equal (now_time, "Now");
  assert_true (find_row (model, NULL, "Current state", &iter));
  gtk_tree_model_get (model, &iter, VIREO_SNAPSHOTS_COLUMN_STYLE, &style, -1);
  assert_int_equal (style, PANGO_STYLE_ITALIC);
  assert_true (find_row (model, NULL, "snapshot-1", &iter));
  gtk_tree_model_get (model, &iter, VIREO_SNAPSHOTS_COLUMN_THUMBNAIL, &thumbnail, -1);
  assert_non_null (thumbnail);
  assert_int_equal (gdk_pixbuf_get_width (thumbnail), 64);
  assert_true (g_str_has_prefix (gtk_label_get_text (child_of (view, VIREO_TYPE_SNAPSHOTS_VIEW, "usage_label")),
                                 "Disk images use "));
}

static gboolean
snapshots_idle (gpointer data)
{
  return vireo_snapshots_view_is_loaded (data);
}

/* Edits the description in place, as the cell's editor does. */
static void
edit_description (VireoSnapshotsView *view)
{
  GObject *renderer = gtk_widget_get_template_child (GTK_WIDGET (view), VIREO_TYPE_SNAPSHOTS_VIEW,
                                                     "description_renderer");
  GtkTreeModel *model = snapshots_model (view);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  GtkTreeIter iter;

  assert_true (find_row (model, NULL, "snapshot-1", &iter));
  path = gtk_tree_model_get_string_from_iter (model, &iter);
  g_signal_emit_by_name (renderer, "edited", path, "a clean guest");
  vireo_test_pump_for (300);
  assert_true (vireo_test_wait_until (snapshots_idle, view, 20));
  text = row_text (view, "snapshot-1", VIREO_SNAPSHOTS_COLUMN_DESCRIPTION);
  assert_string_equal (text, "a clean guest");
}

/* Revert asks; "Take Snapshot and Revert" keeps the state of now as
 * snapshot-2, and the VM runs from snapshot-1 again. */
static void
revert_from_page (VireoSnapshotsView *view,
                  VireoDomain        *vm)
{
  gpointer args[2] = { view, "snapshot-2" };
  GtkWindow *question;

  select_row (view, "snapshot-1");
  gtk_button_clicked (child_of (view, VIREO_TYPE_SNAPSHOTS_VIEW, "revert_button"));
  question = find_message_dialog ();
  assert_non_null (question);
  assert_true (gtk_window_get_modal (question));
  assert_non_null (gtk_dialog_get_widget_for_response (GTK_DIALOG (question), 1));
  gtk_dialog_response (GTK_DIALOG (question), 1);   /* Take Snapshot and Revert */
  assert_null (find_message_dialog ());
  assert_true (vireo_snapshots_view_is_busy (view));
  assert_false (gtk_widget_is_sensitive (child_of (view, VIREO_TYPE_SNAPSHOTS_VIEW, "take_button")));
  assert_true (gtk_widget_get_visible (child_of (view, VIREO_TYPE_SNAPSHOTS_VIEW, "progress_bar")));
  assert_true (vireo_test_wait_until (snapshots_show, args, 120));
  if (vireo_vm_window_get_error_text (VIREO_VM_WINDOW (gtk_widget_get_toplevel (GTK_WIDGET (view)))))
    fail_msg ("%s", vireo_vm_window_get_error_text (VIREO_VM_WINDOW (gtk_widget_get_toplevel (GTK_WIDGET (view)))));
  {
    g_autofree char *parent = parent_of (view, "snapshot-2");
    g_autofree char *now_parent = parent_of (view, "Current state");

    assert_string_equal (parent, "snapshot-1");
    assert_string_equal (now_parent, "snapshot-1");
  }
  assert_false (gtk_widget_get_visible (child_of (view, VIREO_TYPE_SNAPSHOTS_VIEW, "progress_bar")));
  assert_int_equal (vireo_domain_get_state (vm), VIREO_DOMAIN_STATE_RUNNING);
}

static void
delete_from_page (VireoSnapshotsView *view)
{
  gpointer args[2] = { view, "!snapshot-2" };
  GtkWindow *question;

  select_row (view, "snapshot-2");
  gtk_button_clicked (child_of (view, VIREO_TYPE_SNAPSHOTS_VIEW, "delete_button"));
  question = find_message_dialog ();
  assert_non_null (question);
  gtk_dialog_response (GTK_DIALOG (question), GTK_RESPONSE_ACCEPT);
  assert_true (vireo_test_wait_until (snapshots_show, args, 60));
  args[1] = "snapshot-1";
  assert_true (snapshots_show (args));
}

/* The Snapshots page of the running VM: take (with the suggested name),
 * edit the description in place, revert after taking a snapshot of the
 * current state, delete; then the VM is forced off for the clone. */
static void
test_snapshots_page (void **state)
{
  Fixture *f = *state;
  VireoDomain *vm = f->vm;
  gpointer args[2] = { vm, GINT_TO_POINTER (VIREO_DOMAIN_STATE_RUNNING) };
  VireoSnapshotsView *view;
  GtkWidget *vm_window;

  if (f->vm == NULL)
    skip ();   /* the wizard's VM never ran: test_wizard says why */
  vm_window = vireo_window_open_vm_window (f->window, vm);
  view = vireo_vm_window_get_snapshots_view (VIREO_VM_WINDOW (vm_window));
  /* the guest boots while another page shows: the console, never on
   * screen yet, waits to open its display (gtk-vnc would warn about the
   * guest's first screen, and the warning is fatal here) */
  vireo_vm_window_show_page (VIREO_VM_WINDOW (vm_window), "snapshots");
  g_action_group_activate_action (G_ACTION_GROUP (vm_window), "vm-start", NULL);
  assert_true (vireo_test_wait_until (domain_state_is, args, 60));
  vireo_test_pump_for (3000);
  vireo_vm_window_show_page (VIREO_VM_WINDOW (vm_window), "console");
  assert_true (vireo_test_wait_until (vnc_shows_frame, vireo_vm_window_get_vnc_view (VIREO_VM_WINDOW (vm_window)), 60));
  assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (vm_window), "vm-snapshot"));
  assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (vm_window), "vm-clone"));
  vireo_vm_window_show_page (VIREO_VM_WINDOW (vm_window), "snapshots");
  {
    gpointer shows[2] = { view, "Current state" };
    g_autofree char *parent = NULL;

    assert_true (vireo_test_wait_until (snapshots_show, shows, 20));
    parent = parent_of (view, "Current state");
    assert_null (parent);
  }
  take_from_page (view);
  check_taken (view);
  edit_description (view);
  save_screenshot (vm_window, "snapshots-page.png");
  revert_from_page (view, vm);
  delete_from_page (view);
  save_screenshot (vm_window, "snapshots-page-after.png");
  assert_null (vireo_vm_window_get_error_text (VIREO_VM_WINDOW (vm_window)));

  /* off for the clone: its disks must hold still */
  vireo_domain_destroy_async (vm, NULL, NULL, NULL);
  args[1] = GINT_TO_POINTER (VIREO_DOMAIN_STATE_SHUTOFF);
  assert_true (vireo_test_wait_until (domain_state_is, args, 30));
  assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (vm_window), "vm-clone"));
  gtk_widget_destroy (vm_window);
}

/* The one visible window of @type, if any. */
static GtkWidget *
find_window (GType type)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
no_window (gpointer data)
{
  return find_window (GPOINTER_TO_SIZE (data)) == NULL;
}

static gboolean
entry_says (gpointer data)
{
  gpointer *args = data;
  return g_strcmp0 (gtk_entry_get_text (args[0]), args[1]) == 0;
}

/* Take Snapshot… from the manager's menu, of the VM shut off: the dialog
 * suggests the next name once it has listed the snapshots. */
static void
take_from_menu (Fixture *f)
{
  GtkWidget *dialog;
  gpointer args[2];

  g_action_group_activate_action (G_ACTION_GROUP (f->window), "take-snapshot", NULL);
  dialog = find_window (VIREO_TYPE_TAKE_SNAPSHOT_DIALOG);
  assert_non_null (dialog);
  args[0] = child_of (dialog, VIREO_TYPE_TAKE_SNAPSHOT_DIALOG, "name_entry");
  args[1] = "snapshot-2";
  assert_true (vireo_test_wait_until (entry_says, args, 20));
  gtk_button_clicked (child_of (dialog, VIREO_TYPE_TAKE_SNAPSHOT_DIALOG, "take_button"));
  assert_true (vireo_test_wait_until (no_window, GSIZE_TO_POINTER (VIREO_TYPE_TAKE_SNAPSHOT_DIALOG), 60));
}

static gboolean
combo_has (gpointer data)
{
  gpointer *args = data;
  GtkComboBox *combo = args[0];
  g_autofree char *active = g_strdup (gtk_combo_box_get_active_id (combo));
  gboolean found = gtk_combo_box_set_active_id (combo, args[1]);

  gtk_combo_box_set_active_id (combo, active);
  return found;
}

/* A snapshot of the shut-off VM from the manager's Take Snapshot…; then
 * the VM cloned from the row menu's Clone…: the suggested name,
 * no linked clone from a snapshot, progress while it copies, and the new
 * VM in the list when it is done. */
static void
test_clone (void **state)
{
  Fixture *f = *state;
  GtkWidget *dialog;
  GtkComboBox *from;
  GtkWidget *linked;
  gpointer args[2];

  if (f->vm == NULL)
    skip ();   /* the wizard's VM never ran: test_wizard says why */
  vireo_window_select_domain (f->window, f->vm);
  assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "clone"));
  assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "take-snapshot"));
  take_from_menu (f);
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "clone", NULL);
  dialog = find_window (VIREO_TYPE_CLONE_DIALOG);
  assert_non_null (dialog);
  assert_string_equal (gtk_entry_get_text (child_of (dialog, VIREO_TYPE_CLONE_DIALOG, "name_entry")),
                       "wizard-vm-clone");
  from = child_of (dialog, VIREO_TYPE_CLONE_DIALOG, "from_combo");
  linked = child_of (dialog, VIREO_TYPE_CLONE_DIALOG, "linked_radio");
  args[0] = from;
  args[1] = "snapshot-2";
  assert_true (vireo_test_wait_until (combo_has, args, 20));
  args[1] = "snapshot-1";
  assert_true (combo_has (args));
  assert_string_equal (gtk_combo_box_get_active_id (from), "");
  assert_true (gtk_widget_is_sensitive (linked));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (linked), TRUE);
  gtk_combo_box_set_active_id (from, "snapshot-1");
  assert_false (gtk_widget_is_sensitive (linked));
  assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (linked)));
  save_screenshot (dialog, "clone-dialog.png");

  /* a full clone of the snapshot's disks */
  gtk_button_clicked (child_of (dialog, VIREO_TYPE_CLONE_DIALOG, "clone_button"));
  assert_true (gtk_widget_get_visible (child_of (dialog, VIREO_TYPE_CLONE_DIALOG, "progress_bar")));
  assert_false (gtk_widget_is_sensitive (child_of (dialog, VIREO_TYPE_CLONE_DIALOG, "clone_button")));
  assert_true (vireo_test_wait_until (no_window, GSIZE_TO_POINTER (VIREO_TYPE_CLONE_DIALOG), 120));
  args[0] = f->engine;
  args[1] = "wizard-vm-clone";
  assert_true (vireo_test_wait_until (engine_knows, args, 10));
  assert_ptr_equal (vireo_vm_row_get_domain (VIREO_VM_ROW (gtk_list_box_get_selected_row (
                      vireo_window_get_list_box (f->window)))),
                    vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "wizard-vm-clone"));
  assert_null (vireo_window_get_error_text (f->window));
}

/* preferences apply at once */
static void
test_preferences (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  {
    /* preferences apply at once */
    {
      GtkWidget *prefs = vireo_preferences_new (GTK_WINDOW (f->window));
      g_autoptr(GSettings) settings = vireo_ui_settings_new ();
      GtkToggleButton *confirm = (gpointer) gtk_widget_get_template_child (prefs, VIREO_TYPE_PREFERENCES,
                                                                           "confirm_check");

      gtk_widget_show (prefs);
      assert_true (gtk_toggle_button_get_active (confirm));
      gtk_toggle_button_set_active (confirm, FALSE);
      assert_false (g_settings_get_boolean (settings, "confirm-actions"));
      save_screenshot (prefs, "preferences.png");
      gtk_widget_destroy (prefs);
    }
  }
}

static gboolean
vm_window_has_error (gpointer data)
{
  return vireo_vm_window_get_error_text (data) != NULL;
}

/* a VM that QEMU refuses: a short message, QEMU's words under it */
static void
test_refused_start (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  {
    /* a VM that QEMU refuses: a short message, QEMU's words in Details */
    {
      g_autoptr(VireoDomainConfig) bad = guest_config ("gamma");
      GtkWidget *expander;

      g_free (bad->cpu_mode);
      bad->cpu_mode = g_strdup ("custom");
      bad->cpu_model = g_strdup ("SierraForest");   /* listed, but not in QEMU 7.2 */
      assert_non_null (vireo_local_backend_define_domain (f->other, bad, NULL));
      args[0] = f->engine;
      args[1] = "gamma";
      assert_true (vireo_test_wait_until (engine_knows, args, 10));
      vireo_window_select_domain (f->window, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "gamma"));
      g_action_group_activate_action (G_ACTION_GROUP (f->window), "start", NULL);
      assert_true (vireo_test_wait_until (has_error, f->window, 30));
      assert_non_null (strstr (vireo_window_get_error_text (f->window),
                               "VM 'gamma' failed to start: unable to find CPU model 'SierraForest'"));
      expander = (gpointer) gtk_widget_get_template_child (GTK_WIDGET (f->window), VIREO_TYPE_WINDOW,
                                                           "error_expander");
      assert_true (gtk_widget_get_visible (expander));
      gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
      save_screenshot (GTK_WIDGET (f->window), "main-window-error.png");
      gtk_info_bar_response (GTK_INFO_BAR (gtk_widget_get_template_child (GTK_WIDGET (f->window),
                                                                          VIREO_TYPE_WINDOW, "error_bar")),
                             GTK_RESPONSE_CLOSE);
      assert_null (vireo_window_get_error_text (f->window));
      /* from the VM's own window, the failure shows there, in one line */
      {
        GtkWidget *window = vireo_window_open_vm_window (f->window, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "gamma"));
        const char *text;

        gtk_button_clicked (child_of (window, VIREO_TYPE_VM_WINDOW, "start_button"));
        assert_true (vireo_test_wait_until (vm_window_has_error, window, 30));
        text = vireo_vm_window_get_error_text (VIREO_VM_WINDOW (window));
        assert_true (g_str_has_prefix (text, "VM 'gamma' failed to start: unable to find CPU model 'SierraForest'"));
        assert_null (strchr (text, '\n'));
        assert_null (vireo_window_get_error_text (f->window));
        save_screenshot (window, "vm-window-error.png");
        gtk_widget_destroy (window);
      }
    }
  }
}

static gboolean
shows_note (gpointer data)
{
  GtkInfoBar *bar = (gpointer) gtk_widget_get_template_child (data, VIREO_TYPE_WINDOW, "error_bar");

  return gtk_widget_get_visible (GTK_WIDGET (bar)) && gtk_info_bar_get_message_type (bar) == GTK_MESSAGE_INFO;
}

/* Where /dev/kvm cannot be opened, a VM that may use either accelerator
 * starts under TCG, and the window says why: a note, not an error. */
static void
test_kvm_note (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = guest_config ("kvmless");
  g_autofree char *accel = g_strdup (g_getenv ("VIREO_ACCEL"));
  GtkLabel *label = (gpointer) gtk_widget_get_template_child (GTK_WIDGET (f->window), VIREO_TYPE_WINDOW,
                                                              "error_label");
  gpointer args[2] = { f->engine, "kvmless" };
  VireoDomain *vm;

  assert_non_null (vireo_local_backend_define_domain (f->other, config, NULL));
  assert_true (vireo_test_wait_until (engine_knows, args, 10));
  vm = vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "kvmless");
  g_unsetenv ("VIREO_ACCEL");
  g_setenv ("VIREO_KVM_DEVICE", "/nonexistent/kvm", TRUE);
  vireo_window_select_domain (f->window, vm);
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "start", NULL);
  assert_true (vireo_test_wait_until (shows_note, f->window, 60));
  g_setenv ("VIREO_ACCEL", accel, TRUE);
  g_unsetenv ("VIREO_KVM_DEVICE");
  assert_true (g_str_has_prefix (gtk_label_get_text (label), "VM 'kvmless' runs without KVM, much slower: "));
  assert_null (strchr (gtk_label_get_text (label), '\n'));
  assert_null (vireo_window_get_error_text (f->window));
  save_screenshot (GTK_WIDGET (f->window), "main-window-kvm-note.png");
  vireo_domain_destroy_async (vm, NULL, NULL, NULL);
  args[0] = vm;
  args[1] = GINT_TO_POINTER (VIREO_DOMAIN_STATE_SHUTOFF);
  assert_true (vireo_test_wait_until (domain_state_is, args, 30));
  gtk_info_bar_response (GTK_INFO_BAR (gtk_widget_get_template_child (GTK_WIDGET (f->window), VIREO_TYPE_WINDOW,
                                                                      "error_bar")),
                         GTK_RESPONSE_CLOSE);
  assert_true (vireo_local_backend_undefine_domain (f->engine, vm, FALSE, NULL));
}

/* The Overview says which firmware a VM boots with. */
static void
test_firmware_label (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = guest_config ("efi");
  gpointer args[2] = { f->engine, "efi" };
  GtkWidget *details;
  GtkLabel *label;

  vireo_domain_config_set_firmware (config, TRUE);
  assert_non_null (vireo_local_backend_define_domain (f->other, config, NULL));
  assert_true (vireo_test_wait_until (engine_knows, args, 10));
  details = vireo_details_view_new (f->engine, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "efi"));
  g_object_ref_sink (details);
  label = (gpointer) gtk_widget_get_template_child (details, VIREO_TYPE_DETAILS_VIEW, "firmware_label");
  assert_string_equal (gtk_label_get_text (label), "UEFI");
  g_object_unref (details);
  details = vireo_details_view_new (f->engine, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "beta"));
  g_object_ref_sink (details);
  label = (gpointer) gtk_widget_get_template_child (details, VIREO_TYPE_DETAILS_VIEW, "firmware_label");
  assert_string_equal (gtk_label_get_text (label), "BIOS");
  g_object_unref (details);
  assert_true (vireo_local_backend_undefine_domain (f->engine, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "efi"), FALSE, NULL));
}

/* What the definition keeps for libvirt without Vireo applying it is
 * listed in the Overview; a VM with nothing such has no such row. */
static void
test_unapplied_row (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = guest_config ("pinned");
  gpointer args[2] = { f->engine, "pinned" };
  GtkWidget *details;
  GtkWidget *label;

  config->vcpu_cpuset = g_strdup ("0");
  assert_non_null (vireo_local_backend_define_domain (f->other, config, NULL));
  assert_true (vireo_test_wait_until (engine_knows, args, 10));
  details = vireo_details_view_new (f->engine, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "pinned"));
  g_object_ref_sink (details);
  label = (gpointer) gtk_widget_get_template_child (details, VIREO_TYPE_DETAILS_VIEW, "unapplied_label");
  assert_true (gtk_widget_get_visible (label));
  assert_string_equal (gtk_label_get_text (GTK_LABEL (label)), "• CPU pinning (<vcpu cpuset='0'>)");
  label = (gpointer) gtk_widget_get_template_child (details, VIREO_TYPE_DETAILS_VIEW, "unapplied_title");
  assert_true (gtk_widget_get_visible (label));
  g_object_unref (details);
  details = vireo_details_view_new (f->engine, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "beta"));
  g_object_ref_sink (details);
  label = (gpointer) gtk_widget_get_template_child (details, VIREO_TYPE_DETAILS_VIEW, "unapplied_label");
  assert_false (gtk_widget_get_visible (label));
  g_object_unref (details);
  assert_true (vireo_local_backend_undefine_domain (f->engine, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "pinned"), FALSE, NULL));
}

/* An edit in the details editor changes that field and nothing else of
 * a rich document (what virt-install writes for Windows 11), which also
 * lists what it keeps for libvirt */
static void
test_details_edit_keeps_the_rest (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = vireo_test_parse_domain_file ("virt-install/win11.xml");
  g_autofree char *before = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  g_auto(GStrv) parts = NULL;
  gpointer args[2] = { f->engine, "win11" };
  VireoDomain *domain;
  GtkWidget *details;
  GtkLabel *label;

  assert_non_null (vireo_local_backend_define_domain (f->other, config, NULL));
  assert_true (vireo_test_wait_until (engine_knows, args, 10));
  domain = vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "win11");
  before = vireo_domain_get_xml (domain);
  details = vireo_details_view_new (f->engine, domain);
  g_object_ref_sink (details);
  label = (gpointer) gtk_widget_get_template_child (details, VIREO_TYPE_DETAILS_VIEW, "unapplied_label");
  assert_non_null (strstr (gtk_label_get_text (label), "<hyperv>"));
  gtk_spin_button_set_value ((gpointer) gtk_widget_get_template_child (details, VIREO_TYPE_DETAILS_VIEW, "memory_spin"),
                             6144);
  gtk_button_clicked ((gpointer) gtk_widget_get_template_child (details, VIREO_TYPE_DETAILS_VIEW, "apply_button"));
  assert_true (vireo_test_wait_until (details_saved, details, 10));

  /* the balloon's target follows, as it was the whole memory (as in virt-manager) */
  parts = g_strsplit (before, "<memory>4194304</memory>\n  <currentMemory>4194304</currentMemory>", -1);
  assert_int_equal (g_strv_length (parts), 2);
  g_free (before);
  before = g_strjoinv ("<memory>6291456</memory>\n  <currentMemory>6291456</currentMemory>", parts);
  want = vireo_test_canonical_xml (before);
  g_free (before);
  before = vireo_domain_get_xml (domain);
  got = vireo_test_canonical_xml (before);
  assert_string_equal (got, want);
  g_object_unref (details);
  assert_true (vireo_local_backend_undefine_domain (f->engine, domain, FALSE, NULL));
}

/* deleting asks, and takes the disk along when told to */
static void
test_delete (void **state)
{
  Fixture *f = *state;
  G_GNUC_UNUSED GtkListBox *box = vireo_window_get_list_box (f->window);
  G_GNUC_UNUSED gpointer args[2];
  VireoDomain *vm = f->vm;

  if (f->vm == NULL)
    skip ();   /* the wizard's VM never ran: test_wizard says why */
  {
    /* deleting asks, and takes the disk along when told to */
    {
      g_autofree char *disk = g_strdup (((VireoDiskConfig *) g_ptr_array_index (
          vireo_domain_get_config (vm)->disks, 0))->path);
      GtkWidget *dialog;

      assert_true (g_file_test (disk, G_FILE_TEST_EXISTS));
      vireo_window_select_domain (f->window, vm);
      dialog = vireo_window_delete_vm (f->window);
      assert_non_null (dialog);
      gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
      /* the files go on the worker pool; the VM leaves when that is done */
      args[0] = f->engine;
      args[1] = "wizard-vm";
      assert_true (vireo_test_wait_until (engine_lacks, args, 10));
      assert_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "wizard-vm"));
      assert_false (g_file_test (disk, G_FILE_TEST_EXISTS));
      assert_null (vireo_window_get_error_text (f->window));
    }
  }
  f->vm = NULL;
}

static gboolean
list_complete (gpointer data)
{
  return vireo_vm_list_is_complete (data);
}

/* A long list: the first screenful is there with the window, the rest
 * follows; every VM gets its row, in order, and search sees them all. */
static void
test_long_list (void **state)
{
  Fixture *f = *state;
  VireoWindow *window;
  GtkListBox *box;
  guint n = 0;

  for (guint i = 0; i < 80; i++)
    {
      g_autofree char *name = g_strdup_printf ("vm%02u", i);
      g_autoptr(VireoDomainConfig) config = guest_config (name);

      assert_non_null (vireo_local_backend_define_domain (f->engine, config, NULL));
    }
  {
    /* names sort as people count: z9 before z10 */
    g_autoptr(VireoDomainConfig) z10 = guest_config ("z10");
    g_autoptr(VireoDomainConfig) z9 = guest_config ("z9");

    assert_non_null (vireo_local_backend_define_domain (f->engine, z10, NULL));
    assert_non_null (vireo_local_backend_define_domain (f->engine, z9, NULL));
  }
  window = vireo_window_new (NULL, f->engine);
  box = vireo_window_get_list_box (window);
  gtk_widget_show (GTK_WIDGET (window));
  assert_false (vireo_vm_list_is_complete (VIREO_VM_LIST (box)));
  /* a late VM's row is built on demand */
  vireo_window_select_domain (window, vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "vm77"));
  assert_ptr_equal (vireo_vm_row_get_domain (VIREO_VM_ROW (gtk_list_box_get_selected_row (box))),
                    vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "vm77"));
  assert_true (vireo_test_wait_until (list_complete, box, 10));
  while (gtk_list_box_get_row_at_index (box, n))
    n++;
  assert_int_equal (n, 84);   /* alpha, beta, vm00…vm79, z9, z10 */
  assert_string_equal (vireo_domain_get_name (vireo_vm_row_get_domain (
                         VIREO_VM_ROW (gtk_list_box_get_row_at_index (box, 81)))), "vm79");
  assert_string_equal (vireo_domain_get_name (vireo_vm_row_get_domain (
                         VIREO_VM_ROW (gtk_list_box_get_row_at_index (box, 82)))), "z9");
  vireo_window_search (window, "vm79");
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (box, i));
      assert_int_equal (gtk_widget_get_child_visible (row), i == 81);
    }
  gtk_widget_destroy (GTK_WIDGET (window));
}

static GtkWidget *
disk_row (GtkListBox *disks,
          const char *target)
{
  for (int i = 0; gtk_list_box_get_row_at_index (disks, i); i++)
    {
      GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (disks, i));

      if (g_strcmp0 (vireo_disk_row_get_target (VIREO_DISK_ROW (row)), target) == 0)
        return row;
    }
  return NULL;
}

/* Convert to qcow2… on a raw disk of a shut-off VM: asked, converted,
 * said in the view's status line; a qcow2 disk offers nothing. */
static void
test_convert_disk (void **state)
{
  Fixture *f = *state;
  g_autoptr(VireoDomainConfig) config = guest_config ("rawvm");
  g_autofree char *raw = g_build_filename (f->root, "rawvm-data.img", NULL);
  g_autofree char *qcow2 = g_build_filename (f->root, "rawvm-root.qcow2", NULL);
  const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", qcow2, "4M", NULL };
  GtkWidget *window = gtk_window_new (GTK_WINDOW_TOPLEVEL);
  GtkWidget *details, *dialog, *button;
  GtkListBox *disks;
  VireoDomain *domain;
  const VireoDiskConfig *disk;
  gpointer args[2];

  assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL));
  assert_true (g_file_set_contents (raw, "", 0, NULL));
  assert_int_equal (truncate (raw, 4 << 20), 0);
  vireo_domain_config_add_disk (config, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO,
                                                               "qcow2", qcow2));
  vireo_domain_config_add_disk (config, vireo_disk_config_new (VIREO_DISK_DEVICE_DISK, VIREO_DISK_BUS_VIRTIO,
                                                               "raw", raw));
  domain = vireo_local_backend_define_domain (f->engine, config, NULL);
  assert_non_null (domain);
  details = vireo_details_view_new (f->engine, domain);
  gtk_container_add (GTK_CONTAINER (window), details);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_notebook_set_current_page (child_of (details, VIREO_TYPE_DETAILS_VIEW, "notebook"), 1);
  /* shown as the VM window shows it: the rows decide their own buttons */
  gtk_widget_show (details);
  gtk_widget_show (window);
  disks = child_of (details, VIREO_TYPE_DETAILS_VIEW, "disks_list");

  button = child_of (disk_row (disks, "vda"), VIREO_TYPE_DISK_ROW, "convert_button");
  assert_false (gtk_widget_get_visible (button));
  button = child_of (disk_row (disks, "vdb"), VIREO_TYPE_DISK_ROW, "convert_button");
  assert_true (gtk_widget_get_visible (button));
  assert_true (gtk_widget_is_sensitive (button));
  save_screenshot (window, "details-convert.png");

  dialog = vireo_details_view_open_convert_disk (VIREO_DETAILS_VIEW (details), "vdb");
  save_screenshot (dialog, "convert-disk-dialog.png");
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_OK);
  args[0] = details;
  args[1] = "Converted “vdb” to qcow2: ";
  assert_true (vireo_test_wait_until (status_starts, args, 30));
  assert_non_null (strstr (vireo_details_view_get_status (VIREO_DETAILS_VIEW (details)), "Kept "));
  disk = vireo_domain_config_lookup_disk (vireo_domain_get_config (domain), "vdb");
  assert_string_equal (disk->format, "qcow2");
  assert_true (g_str_has_suffix (disk->path, "/rawvm-vdb.qcow2"));
  assert_true (g_file_test (disk->path, G_FILE_TEST_IS_REGULAR));
  assert_true (g_file_test (raw, G_FILE_TEST_IS_REGULAR));
  /* the rows follow the new definition: nothing left to convert */
  button = child_of (disk_row (disks, "vdb"), VIREO_TYPE_DISK_ROW, "convert_button");
  assert_false (gtk_widget_get_visible (button));
  save_screenshot (window, "details-converted.png");
  gtk_widget_destroy (window);
}

static gboolean
network_defined (gpointer data)
{
  gpointer *args = data;
  return vireo_local_backend_lookup_network (args[0], args[1]) != NULL;
}

/* The Create Network dialog: a taken name is refused as it is typed; the
 * subnet comes suggested, with the DHCP range from it; Create defines an
 * isolated network. */
static void
create_from_dialog (GtkWidget   *dialog,
                    VireoLocalBackend *engine)
{
  GtkWidget *create = child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "create_button");
  const char *subnet = gtk_entry_get_text (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "subnet_entry"));
  guint32 network, first, last;
  guint prefix;
  gpointer args[2] = { engine, "lab" };

  gtk_widget_show (dialog);
  assert_true (vireo_ipv4_cidr_parse (subnet, &network, &prefix, NULL));
  assert_true (vireo_ipv4_parse (gtk_entry_get_text (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG,
                                                               "dhcp_start_entry")), &first));
  assert_true (vireo_ipv4_parse (gtk_entry_get_text (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG,
                                                               "dhcp_end_entry")), &last));
  assert_int_equal (first, network + 2);
  assert_int_equal (last, (network | ~vireo_ipv4_mask (prefix)) - 1);
  assert_false (gtk_widget_is_sensitive (create));   /* no name yet */
  gtk_entry_set_text (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "name_entry"), VIREO_DEFAULT_NETWORK);
  assert_string_equal (gtk_label_get_text (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "name_error")),
                       "A network named 'default' already exists");
  assert_false (gtk_widget_is_sensitive (create));
  gtk_entry_set_text (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "name_entry"), "lab");
  assert_string_equal (gtk_label_get_text (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "name_error")), "");
  gtk_toggle_button_set_active (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "isolated_radio"), TRUE);
  assert_true (gtk_widget_is_sensitive (create));
  save_screenshot (dialog, "new-network-dialog.png");
  gtk_button_clicked (GTK_BUTTON (create));
  assert_true (vireo_test_wait_until (no_window, GSIZE_TO_POINTER (VIREO_TYPE_NEW_NETWORK_DIALOG), 20));
  assert_true (network_defined (args));
  assert_int_equal (vireo_network_get_config (vireo_local_backend_lookup_network (engine, "lab"))->forward,
                    VIREO_NETWORK_FORWARD_NONE);
}

/* The wizard and a NIC's source offer every defined network, the
 * default one first in the wizard. */
static void
check_offered (Fixture *f)
{
  GtkWidget *assistant = vireo_window_new_vm (f->window);
  GtkComboBox *combo = child_of (assistant, VIREO_TYPE_NEW_VM_ASSISTANT, "network_combo");
  g_autoptr(VireoNicConfig) nic = vireo_nic_config_new (VIREO_NET_USER, NULL, "52:54:00:12:34:56");
  GtkWidget *row = g_object_ref_sink (vireo_nic_row_new (nic, 0, vireo_local_backend_get_networks (f->engine)));
  gpointer args[2] = { combo, "lab" };

  assert_true (combo_has (args));
  gtk_combo_box_set_active (combo, 1);
  assert_string_equal (gtk_combo_box_get_active_id (combo), VIREO_DEFAULT_NETWORK);
  gtk_widget_destroy (assistant);
  args[0] = child_of (row, VIREO_TYPE_NIC_ROW, "source_combo");
  args[1] = "network:lab";
  assert_true (combo_has (args));
  args[1] = "network:default";
  assert_true (combo_has (args));
  assert_string_equal (gtk_combo_box_get_active_id (args[0]), "user");
  gtk_widget_destroy (row);
  g_object_unref (row);
}

/* A network created in the Create Network dialog is offered by the
 * wizard and by a NIC's source. */
static void
test_new_network (void **state)
{
  Fixture *f = *state;

  assert_non_null (vireo_local_backend_lookup_network (f->engine, VIREO_DEFAULT_NETWORK));
  create_from_dialog (vireo_new_network_dialog_new (GTK_WINDOW (f->window), VIREO_BACKEND (f->engine)), f->engine);
  check_offered (f);
}

static gboolean
network_gone (gpointer data)
{
  return !network_defined (data);
}

static gboolean
message_dialog_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

/* The Networks window lists the networks: one made from its Create
 * button is selected, shown with its subnet, inactive (only Start and
 * Delete apply), and deleted after a question. */
static void
test_networks_window (void **state)
{
  Fixture *f = *state;
  VireoNetworksWindow *window = VIREO_NETWORKS_WINDOW (vireo_window_new_networks_window (f->window));
  GActionGroup *actions = gtk_widget_get_action_group (GTK_WIDGET (window), "net");
  gpointer args[2] = { f->engine, "lab" };
  VireoNetwork *lab;
  GtkListBoxRow *row;
  const char *details;
  g_autofree char *subnet = NULL;

  gtk_widget_show (GTK_WIDGET (window));
  create_from_dialog (vireo_networks_window_create (window), f->engine);
  lab = vireo_local_backend_lookup_network (f->engine, "lab");
  assert_ptr_equal (vireo_networks_window_get_selected (window), lab);
  row = gtk_list_box_get_selected_row (child_of (window, VIREO_TYPE_NETWORKS_WINDOW, "list_box"));
  subnet = vireo_network_config_describe_subnet (vireo_network_get_config (lab));
  details = gtk_label_get_text (child_of (row, VIREO_TYPE_NETWORK_ROW, "details_label"));
  assert_non_null (strstr (details, subnet));
  assert_non_null (strstr (details, "isolated"));
  assert_string_equal (gtk_label_get_text (child_of (row, VIREO_TYPE_NETWORK_ROW, "state_label")), "Inactive");
  assert_true (g_action_group_get_action_enabled (actions, "start"));
  assert_false (g_action_group_get_action_enabled (actions, "stop"));
  assert_true (g_action_group_get_action_enabled (actions, "delete"));
  assert_string_equal (gtk_label_get_text (child_of (window, VIREO_TYPE_NETWORKS_WINDOW, "leases_note")),
                       "The network is not running.");
  assert_null (vireo_networks_window_get_error_text (window));
  save_screenshot (GTK_WIDGET (window), "networks-window.png");

  vireo_networks_window_delete (window);
  assert_true (vireo_test_wait_until (message_dialog_shown, NULL, 5));
  gtk_dialog_response (GTK_DIALOG (find_message_dialog ()), GTK_RESPONSE_ACCEPT);
  assert_true (vireo_test_wait_until (network_gone, args, 20));
  assert_null (vireo_networks_window_get_error_text (window));
  gtk_widget_destroy (GTK_WIDGET (window));
}


/* ---- many hosts ---- */

typedef struct {
  char *root;
  VireoLocalBackend *engine;
  VireoHosts *hosts;       /* the window's, read from the saved file */
  VireoWindow *window;
  char *lab_uri;
  char *gone_uri;
} HostsFixture;

#define LAB_VM(name, n, runstate) \
  "<domain type='qemu' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>" name "</name>" \
  "<uuid>00000000-0000-4000-8000-00000000000" n "</uuid><memory unit='MiB'>512</memory><vcpu>2</vcpu>" \
  "<os><type arch='x86_64' machine='pc'>hvm</type></os><test:runstate>" runstate "</test:runstate></domain>"

#define LAB_NET \
  "<network><name>labnet</name><uuid>00000000-0000-4000-8000-0000000000b1</uuid>" \
  "<bridge name='virbr9'/><forward mode='nat'/><ip address='10.77.0.1' prefix='24'>" \
  "<dhcp><range start='10.77.0.2' end='10.77.0.254'/></dhcp></ip></network>"

/* A libvirt test-driver host with three VMs and a running NAT network
 * under @root/@folder; its URI */
static char *
write_lab (const char *root,
           const char *folder)
{
  g_autofree char *dir = g_build_filename (root, folder, NULL);
  g_autofree char *path = g_build_filename (dir, "node.xml", NULL);

  g_mkdir_with_parents (dir, 0700);
  assert_true (g_file_set_contents (path, "<node>" LAB_VM ("web", "1", "1") LAB_VM ("db", "2", "3")
                                    LAB_VM ("old", "3", "5") LAB_NET "</node>", -1, NULL));
  return g_strconcat ("test://", path, NULL);
}

static gboolean
hosts_settled (gpointer data)
{
  HostsFixture *f = data;
  VireoBackend *lab = vireo_hosts_lookup (f->hosts, f->lab_uri);
  VireoBackend *gone = vireo_hosts_lookup (f->hosts, f->gone_uri);

  return lab != NULL && gone != NULL && vireo_backend_get_state (lab) == VIREO_BACKEND_STATE_CONNECTED &&
         vireo_backend_get_state (gone) == VIREO_BACKEND_STATE_DISCONNECTED &&
         vireo_backend_get_state (vireo_hosts_get_local (f->hosts)) == VIREO_BACKEND_STATE_CONNECTED;
}

/* The hosts are saved before the window's VireoHosts reads them, as
 * vireoctl host-add saves them; the window then connects them all. */
static int
setup_hosts (void **state)
{
  HostsFixture *f = g_new0 (HostsFixture, 1);
  g_autoptr(VireoDomainConfig) alpha = guest_config ("alpha");
  g_autoptr(VireoLocalBackend) saver_engine = NULL;
  g_autoptr(VireoHosts) saver = NULL;
  g_autofree char *missing = NULL;

  f->root = vireo_test_make_root ();
  f->lab_uri = write_lab (f->root, "lab");
  missing = g_build_filename (f->root, "missing", "node.xml", NULL);
  f->gone_uri = g_strconcat ("test://", missing, NULL);
  saver_engine = vireo_local_backend_new (f->root);
  assert_true (vireo_local_backend_load (saver_engine, NULL));
  assert_non_null (vireo_local_backend_define_domain (saver_engine, alpha, NULL));
  saver = vireo_hosts_new_default (saver_engine);
  assert_true (vireo_hosts_add (saver, f->lab_uri, "Lab", TRUE, NULL));
  assert_true (vireo_hosts_add (saver, f->gone_uri, "Gone", TRUE, NULL));

  f->engine = vireo_local_backend_new (f->root);
  f->hosts = vireo_hosts_new_default (f->engine);
  assert_true (vireo_hosts_load (f->hosts, NULL));
  vireo_ui_load_style ();
  f->window = vireo_window_new_for_hosts (NULL, f->hosts);
  gtk_widget_show (GTK_WIDGET (f->window));
  vireo_hosts_connect_all (f->hosts);
  assert_true (vireo_test_wait_until (hosts_settled, f, 30));
  *state = f;
  return 0;
}

static int
teardown_hosts (void **state)
{
  HostsFixture *f = *state;

  gtk_widget_destroy (GTK_WIDGET (f->window));
  g_clear_object (&f->hosts);
  g_clear_object (&f->engine);
  vireo_test_remove_tree (f->root);
  g_free (f->lab_uri);
  g_free (f->gone_uri);
  g_free (f->root);
  g_free (f);
  return 0;
}

static VireoBackend *
row_host (GtkListBoxRow *row)
{
  if (VIREO_IS_VM_ROW (row))
    return vireo_domain_get_backend (vireo_vm_row_get_domain (VIREO_VM_ROW (row)));
  return g_object_get_data (G_OBJECT (row), "vireo-backend");
}

/* The rows of @backend, in list order, and the header above the first */
static guint
host_rows (GtkListBox       *box,
           VireoBackend     *backend,
           gboolean          visible_only,
           VireoHostHeader **header)
{
  GtkListBoxRow *row;
  guint n = 0;

  *header = NULL;
  for (int i = 0; (row = gtk_list_box_get_row_at_index (box, i)) != NULL; i++)
    {
      if (row_host (row) != backend || (visible_only && !gtk_widget_get_child_visible (GTK_WIDGET (row))))
        continue;
      if (n++ == 0 && VIREO_IS_HOST_HEADER (gtk_list_box_row_get_header (row)))
        *header = VIREO_HOST_HEADER (gtk_list_box_row_get_header (row));
    }
  return n;
}

/* every host has its header and its rows, together, this computer first */
static void
test_hosts_listed (void **state)
{
  HostsFixture *f = *state;
  GtkListBox *box = vireo_window_get_list_box (f->window);
  VireoBackend *lab = vireo_hosts_lookup (f->hosts, f->lab_uri);
  VireoBackend *gone = vireo_hosts_lookup (f->hosts, f->gone_uri);
  VireoHostHeader *header;
  GtkWidget *retry;
  const char *text;

  vireo_test_pump_for (200);
  assert_int_equal (host_rows (box, vireo_hosts_get_local (f->hosts), TRUE, &header), 1);
  assert_non_null (header);
  assert_ptr_equal (row_host (gtk_list_box_get_row_at_index (box, 0)), vireo_hosts_get_local (f->hosts));
  assert_int_equal (host_rows (box, lab, TRUE, &header), 3);
  assert_non_null (header);
  assert_string_equal (gtk_label_get_text (child_of (header, VIREO_TYPE_HOST_HEADER, "title_label")), "Lab");
  assert_string_equal (vireo_host_header_get_state_text (header), "");
  assert_false (gtk_widget_get_visible (child_of (header, VIREO_TYPE_HOST_HEADER, "retry_button")));

  /* the host that cannot connect: its error in one line, and Retry */
  assert_int_equal (host_rows (box, gone, TRUE, &header), 1);
  assert_non_null (header);
  text = vireo_host_header_get_state_text (header);
  assert_true (g_str_has_prefix (text, "Not connected: "));
  assert_null (strchr (text, '\n'));
  /* the header names the host: the reason follows without "Host '…': " */
  assert_true (g_str_has_suffix (vireo_backend_get_error (gone)->message, text + strlen ("Not connected: ")));
  assert_false (g_str_has_prefix (text + strlen ("Not connected: "), "Host '"));
  retry = child_of (header, VIREO_TYPE_HOST_HEADER, "retry_button");
  assert_true (gtk_widget_get_visible (retry));
  gtk_window_resize (GTK_WINDOW (f->window), 760, 520);
  save_screenshot (GTK_WIDGET (f->window), "hosts-window.png");

  /* Retry tries again, and fails the same way */
  gtk_button_clicked (GTK_BUTTON (retry));
  assert_true (vireo_test_wait_until (hosts_settled, f, 30));
  assert_non_null (vireo_backend_get_error (gone));
}

/* "host:lab" leaves the Lab's VMs alone in the list */
static void
test_hosts_filter (void **state)
{
  HostsFixture *f = *state;
  GtkListBox *box = vireo_window_get_list_box (f->window);
  VireoBackend *lab = vireo_hosts_lookup (f->hosts, f->lab_uri);
  VireoHostHeader *header;

  vireo_window_search (f->window, "host:lab");
  assert_int_equal (host_rows (box, lab, TRUE, &header), 3);
  assert_non_null (header);
  assert_int_equal (host_rows (box, vireo_hosts_get_local (f->hosts), TRUE, &header), 0);
  assert_int_equal (host_rows (box, vireo_hosts_lookup (f->hosts, f->gone_uri), TRUE, &header), 0);
  /* a name search goes across hosts */
  vireo_window_search (f->window, "web");
  assert_int_equal (host_rows (box, lab, TRUE, &header), 1);
  assert_int_equal (host_rows (box, vireo_hosts_get_local (f->hosts), TRUE, &header), 0);
  vireo_window_search (f->window, NULL);
  assert_int_equal (host_rows (box, vireo_hosts_get_local (f->hosts), TRUE, &header), 1);
}

static gboolean
domain_paused (gpointer data)
{
  return vireo_domain_get_state (data) == VIREO_DOMAIN_STATE_PAUSED;
}

/* the window's Pause pauses a libvirt VM, and its row follows; what its
 * host cannot do yet is off, and says why */
static void
test_hosts_pause (void **state)
{
  HostsFixture *f = *state;
  VireoBackend *lab = vireo_hosts_lookup (f->hosts, f->lab_uri);
  VireoDomain *web = vireo_backend_lookup_domain (lab, "web");
  VireoVmRow *row = vireo_vm_list_get_row (VIREO_VM_LIST (vireo_window_get_list_box (f->window)), web);
  GtkLabel *state_label = child_of (row, VIREO_TYPE_VM_ROW, "state_label");
  g_autofree char *before = g_strdup (gtk_label_get_text (state_label));
  GtkWidget *vm_window;
  g_autoptr(GError) error = NULL;

  assert_int_equal (vireo_domain_get_state (web), VIREO_DOMAIN_STATE_RUNNING);
  vireo_window_select_domain (f->window, web);
  /* libvirt's snapshots, yes; a clone of a running VM, no (its disks must hold still) */
  assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "take-snapshot"));
  assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "clone"));
  assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "pause"));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "pause", NULL);
  assert_true (vireo_test_wait_until (domain_paused, web, 10));
  vireo_test_pump_for (100);
  assert_string_not_equal (gtk_label_get_text (state_label), before);
  assert_string_equal (gtk_label_get_text (state_label), vireo_domain_state_get_label (VIREO_DOMAIN_STATE_PAUSED));

  /* its window: no screen (the test driver has none), the details and
   * its snapshots, and the engine's reason */
  vm_window = vireo_window_open_vm_window (f->window, web);
  assert_null (vireo_vm_window_get_vnc_view (VIREO_VM_WINDOW (vm_window)));
  assert_non_null (vireo_vm_window_get_snapshots_view (VIREO_VM_WINDOW (vm_window)));
  assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (vm_window), "screenshot"));
  assert_false (vireo_domain_check (web, VIREO_DOMAIN_OP_CHANGE_MEDIA, &error));
  save_screenshot (vm_window, "hosts-vm-window.png");
  gtk_widget_destroy (vm_window);
}

static gboolean
backend_connected (gpointer data)
{
  return vireo_backend_get_state (data) == VIREO_BACKEND_STATE_CONNECTED;
}

static gboolean
lab_has_made (gpointer data)
{
  return vireo_backend_lookup_domain (data, "made-in-lab") != NULL;
}

static gboolean
made_running (gpointer data)
{
  return vireo_domain_get_state (data) == VIREO_DOMAIN_STATE_RUNNING;
}

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* New VM with a libvirt VM selected: the wizard offers the hosts, starts
 * on the VM's, and the VM goes there (a kernel path is the host's own,
 * not looked for here); another host's networks are not offered */
static void
test_hosts_new_vm (void **state)
{
  HostsFixture *f = *state;
  VireoBackend *lab = vireo_hosts_lookup (f->hosts, f->lab_uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *assistant;
  VireoDomain *made;

  vireo_window_select_domain (f->window, vireo_backend_lookup_domain (lab, "db"));
  assistant = vireo_window_new_vm (f->window);
  assert_true (gtk_widget_get_visible (child (assistant, "host_box")));
  assert_string_equal (gtk_combo_box_get_active_id (child (assistant, "host_combo")), f->lab_uri);
  assert_non_null (strstr (gtk_label_get_text (child (assistant, "host_label")), "“Lab”"));
  gtk_toggle_button_set_active (child (assistant, "kernel_radio"), TRUE);
  gtk_entry_set_text (child (assistant, "kernel_entry"), "/srv/lab/vmlinuz");
  assert_true (gtk_assistant_get_page_complete (GTK_ASSISTANT (assistant), child (assistant, "source_page")));
  save_screenshot (assistant, "hosts-wizard.png");
  gtk_assistant_next_page (GTK_ASSISTANT (assistant));
  gtk_spin_button_set_value (child (assistant, "memory_spin"), 256);
  gtk_toggle_button_set_active (child (assistant, "disk_check"), FALSE);
  gtk_assistant_next_page (GTK_ASSISTANT (assistant));
  gtk_entry_set_text (child (assistant, "name_entry"), "made-in-lab");
  assert_string_equal (gtk_label_get_text (child (assistant, "name_error")), "");
  gtk_assistant_next_page (GTK_ASSISTANT (assistant));
  g_signal_emit_by_name (assistant, "apply");
  gtk_assistant_next_page (GTK_ASSISTANT (assistant));
  assert_true (vireo_test_wait_until (lab_has_made, lab, 20));
  made = vireo_backend_lookup_domain (lab, "made-in-lab");
  assert_string_equal (vireo_domain_get_config (made)->kernel, "/srv/lab/vmlinuz");
  assert_int_equal (vireo_domain_get_config (made)->memory_kib, 256 * 1024);
  assert_null (vireo_backend_lookup_domain (VIREO_BACKEND (f->engine), "made-in-lab"));
  /* its Clone dialog: a full copy, not a linked clone the host cannot
   * make, and it says why */
  {
    GtkWidget *dialog;

    vireo_window_select_domain (f->window, vireo_backend_lookup_domain (lab, "db"));
    dialog = vireo_window_clone_vm (f->window);
    {
    GtkWidget *linked = child_of (dialog, VIREO_TYPE_CLONE_DIALOG, "linked_radio");
    g_autofree char *why = NULL;

    assert_false (gtk_widget_get_sensitive (linked));
    why = gtk_widget_get_tooltip_text (linked);
    assert_non_null (strstr (why, "makes no linked clones"));
    assert_false (gtk_widget_get_sensitive (child_of (dialog, VIREO_TYPE_CLONE_DIALOG, "from_combo")));
    save_screenshot (dialog, "hosts-clone.png");
    }
    gtk_widget_destroy (dialog);
  }
  /* started, as the wizard's "Start" asked, there; then the lab as the
   * next tests know it */
  assert_true (vireo_test_wait_until (made_running, made, 20));
  vireo_domain_destroy_async (made, NULL, keep_result, &result);
  assert_true (vireo_test_wait_until (result_arrived, &result, 20));
  assert_true (vireo_domain_operation_finish (made, result, NULL));
  g_clear_object (&result);
  vireo_backend_undefine_domain_async (lab, made, FALSE, NULL, keep_result, &result);
  assert_true (vireo_test_wait_until (result_arrived, &result, 20));
  if (!vireo_backend_undefine_domain_finish (lab, result, &error))
    fail_msg ("%s", error->message);
  vireo_test_pump_for (200);
}

/* A libvirt VM's disks page: a CD-ROM drive added through the dialog and
 * removed again, on its host */
static void
test_hosts_details_disks (void **state)
{
  HostsFixture *f = *state;
  VireoBackend *lab = vireo_hosts_lookup (f->hosts, f->lab_uri);
  VireoDomain *db = vireo_backend_lookup_domain (lab, "db");
  guint n_disks = vireo_domain_get_config (db)->disks->len;
  GtkWidget *vm_window = vireo_window_open_vm_window (f->window, db);
  VireoDetailsView *details = vireo_vm_window_get_details_view (VIREO_VM_WINDOW (vm_window));
  GtkNotebook *notebook = child_of (details, VIREO_TYPE_DETAILS_VIEW, "notebook");
  gpointer count[2] = { db, GUINT_TO_POINTER (n_disks + 1) };
  gpointer args[2] = { details, "Added “hda”." };
  GtkWidget *dialog;

  vireo_vm_window_show_page (VIREO_VM_WINDOW (vm_window), "details");
  gtk_notebook_set_current_page (notebook, 1);
  assert_true (gtk_widget_get_sensitive (gtk_notebook_get_nth_page (notebook, 1)));
  dialog = vireo_details_view_open_add_disk (details);
  gtk_toggle_button_set_active (child_of (dialog, VIREO_TYPE_ADD_DISK_DIALOG, "cdrom_radio"), TRUE);
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_OK);
  assert_true (vireo_test_wait_until (disk_count_is, count, 20));
  assert_true (vireo_test_wait_until (status_starts, args, 10));
  vireo_test_pump_for (100);
  save_screenshot (vm_window, "hosts-details-disks.png");
  vireo_details_view_remove_disk (details, "hda", FALSE);
  count[1] = GUINT_TO_POINTER (n_disks);
  assert_true (vireo_test_wait_until (disk_count_is, count, 20));
  gtk_widget_destroy (vm_window);
}

static gboolean
network_active (gpointer data)
{
  return vireo_network_get_active (data);
}

static gboolean
network_inactive (gpointer data)
{
  return !vireo_network_get_active (data);
}

static gboolean
lab_lacks_made_net (gpointer data)
{
  return vireo_backend_lookup_network (data, "made-net") == NULL;
}

static guint
combo_count (GtkComboBox *combo)
{
  return gtk_tree_model_iter_n_children (gtk_combo_box_get_model (combo), NULL);
}

/* The window's Stop and Start on a network of another host; the row follows */
static void
stop_and_start (VireoNetworksWindow *window,
                VireoNetwork        *network,
                GtkListBoxRow       *row)
{
  GActionGroup *actions = gtk_widget_get_action_group (GTK_WIDGET (window), "net");

  assert_true (g_action_group_get_action_enabled (actions, "stop"));
  assert_false (g_action_group_get_action_enabled (actions, "delete"));
  g_action_group_activate_action (actions, "stop", NULL);
  assert_true (vireo_test_wait_until (network_inactive, network, 10));
  vireo_test_pump_for (100);
  assert_string_equal (gtk_label_get_text (child_of (row, VIREO_TYPE_NETWORK_ROW, "state_label")), "Inactive");
  assert_true (g_action_group_get_action_enabled (actions, "start"));
  assert_true (g_action_group_get_action_enabled (actions, "delete"));
  g_action_group_activate_action (actions, "start", NULL);
  assert_true (vireo_test_wait_until (network_active, network, 10));
  vireo_test_pump_for (100);
  assert_string_equal (gtk_label_get_text (child_of (row, VIREO_TYPE_NETWORK_ROW, "state_label")), "Active");
  if (vireo_networks_window_get_error_text (window) != NULL)
    fail_msg ("%s", vireo_networks_window_get_error_text (window));
}

/* A new network on @lab from the window: a /24 none of the lab's networks
 * has, the dialog names the host; then deleted there after the question */
static void
new_network_on_lab (VireoNetworksWindow *window,
                    VireoBackend        *lab)
{
  GtkWidget *dialog;
  VireoNetwork *made;

  dialog = vireo_networks_window_create (window);
  assert_string_equal (gtk_entry_get_text (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "subnet_entry")),
                       "192.168.124.0/24");
  assert_string_equal (gtk_header_bar_get_subtitle (GTK_HEADER_BAR (gtk_dialog_get_header_bar (GTK_DIALOG (dialog)))),
                       "On host “Lab”");
  save_screenshot (dialog, "hosts-new-network.png");
  gtk_entry_set_text (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "name_entry"), "labnet");
  assert_false (gtk_widget_is_sensitive (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "create_button")));
  gtk_entry_set_text (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "name_entry"), "made-net");
  gtk_button_clicked (child_of (dialog, VIREO_TYPE_NEW_NETWORK_DIALOG, "create_button"));
  assert_true (vireo_test_wait_until (no_window, GSIZE_TO_POINTER (VIREO_TYPE_NEW_NETWORK_DIALOG), 20));
  made = vireo_backend_lookup_network (lab, "made-net");
  assert_non_null (made);
  assert_ptr_equal (vireo_networks_window_get_selected (window), made);
  assert_string_equal (vireo_network_get_config (made)->address, "192.168.124.1");
  /* and deleted there after the question */
  vireo_networks_window_delete (window);
  assert_true (vireo_test_wait_until (message_dialog_shown, NULL, 5));
  gtk_dialog_response (GTK_DIALOG (find_message_dialog ()), GTK_RESPONSE_ACCEPT);
  assert_true (vireo_test_wait_until (lab_lacks_made_net, lab, 20));
  if (vireo_networks_window_get_error_text (window) != NULL)
    fail_msg ("%s", vireo_networks_window_get_error_text (window));
}

/* A host that comes joins the Networks window's chooser; one removed
 * while shown gives way to this computer */
static void
follows_a_spare_host (HostsFixture        *f,
                      VireoNetworksWindow *window,
                      GtkComboBox         *combo)
{
  g_autofree char *spare_uri = write_lab (f->root, "spare");
  g_autoptr(GError) error = NULL;
  VireoBackend *spare;

  assert_true (vireo_hosts_add (f->hosts, spare_uri, "Spare", TRUE, &error));
  spare = vireo_hosts_lookup (f->hosts, spare_uri);
  if (vireo_backend_get_state (spare) == VIREO_BACKEND_STATE_DISCONNECTED)
    vireo_backend_connect_async (spare, NULL, NULL, NULL);
  assert_true (vireo_test_wait_until (backend_connected, spare, 10));
  vireo_test_pump_for (50);
  assert_true (gtk_combo_box_set_active_id (combo, spare_uri));
  assert_ptr_equal (vireo_networks_window_get_backend (window), spare);
  assert_true (vireo_hosts_remove (f->hosts, spare_uri, &error));
  vireo_test_pump_for (50);
  assert_ptr_equal (vireo_networks_window_get_backend (window), vireo_hosts_get_local (f->hosts));
  
}

/* The Networks window with a Lab VM selected: the lab's networks, on a
 * host chooser of the hosts with networks (not the one that never
 * connected); Stop and Start work there, the New Network dialog asks
 * the lab for a subnet, and the chooser goes back to this computer */
static void
test_hosts_networks (void **state)
{
  HostsFixture *f = *state;
  VireoBackend *lab = vireo_hosts_lookup (f->hosts, f->lab_uri);
  VireoBackend *local = vireo_hosts_get_local (f->hosts);
  VireoNetwork *labnet = vireo_backend_lookup_network (lab, "labnet");
  VireoNetworksWindow *window;
  GtkComboBox *combo;
  GtkListBoxRow *row;

  assert_non_null (labnet);
  assert_true (vireo_network_get_active (labnet));
  vireo_window_select_domain (f->window, vireo_backend_lookup_domain (lab, "db"));
  window = VIREO_NETWORKS_WINDOW (vireo_window_new_networks_window (f->window));
  gtk_widget_show (GTK_WIDGET (window));
  vireo_test_pump_for (200);
  assert_ptr_equal (vireo_networks_window_get_backend (window), lab);
  assert_true (gtk_widget_get_visible (child_of (window, VIREO_TYPE_NETWORKS_WINDOW, "host_box")));
  combo = child_of (window, VIREO_TYPE_NETWORKS_WINDOW, "host_combo");
  assert_string_equal (gtk_combo_box_get_active_id (combo), f->lab_uri);
  assert_int_equal (combo_count (combo), 2);
  assert_ptr_equal (vireo_networks_window_get_selected (window), labnet);
  row = gtk_list_box_get_selected_row (child_of (window, VIREO_TYPE_NETWORKS_WINDOW, "list_box"));
  assert_non_null (strstr (gtk_label_get_text (child_of (row, VIREO_TYPE_NETWORK_ROW, "details_label")),
                           "10.77.0.0/24, NAT"));
  assert_string_equal (gtk_label_get_text (child_of (row, VIREO_TYPE_NETWORK_ROW, "state_label")), "Active");

  stop_and_start (window, labnet, row);
  save_screenshot (GTK_WIDGET (window), "hosts-networks.png");

  new_network_on_lab (window, lab);

  /* this computer's networks, chosen above the list */
  gtk_combo_box_set_active_id (combo, vireo_backend_get_uri (local));
  assert_ptr_equal (vireo_networks_window_get_backend (window), local);
  assert_ptr_equal (vireo_networks_window_get_selected (window),
                    vireo_backend_lookup_network (local, VIREO_DEFAULT_NETWORK));
  assert_null (vireo_backend_lookup_network (local, "labnet"));

  follows_a_spare_host (f, window, combo);
  gtk_widget_destroy (GTK_WIDGET (window));
}

/* a host whose link drops: its header counts down to the retry, and the
 * rows are the same when it is back */
static void
test_hosts_lost (void **state)
{
  HostsFixture *f = *state;
  GtkListBox *box = vireo_window_get_list_box (f->window);
  VireoBackend *lab = vireo_hosts_lookup (f->hosts, f->lab_uri);
  g_autoptr(VireoDomain) web = g_object_ref (vireo_backend_lookup_domain (lab, "web"));
  VireoHostHeader *header;
  const char *text;

  _vireo_libvirt_backend_lost (VIREO_LIBVIRT_BACKEND (lab), "the link went");
  vireo_test_pump_for (100);
  assert_int_equal (host_rows (box, lab, TRUE, &header), 3);
  text = vireo_host_header_get_state_text (header);
  assert_string_equal (text, "Lost, reconnecting in 1 s: the link went");
  assert_null (strchr (text, '\n'));
  save_screenshot (GTK_WIDGET (f->window), "hosts-lost.png");
  assert_true (vireo_test_wait_until (backend_connected, lab, 10));
  vireo_test_pump_for (100);
  assert_ptr_equal (vireo_backend_lookup_domain (lab, "web"), web);
  assert_int_equal (host_rows (box, lab, TRUE, &header), 3);
  assert_string_equal (vireo_host_header_get_state_text (header), "");
}

/* a libvirt VM whose definition Vireo reads only in summary: its details
 * show the summary and why, and cannot be changed */
static void
test_hosts_summary_only (void **state)
{
  HostsFixture *f = *state;
  g_autofree char *dir = g_build_filename (f->root, "odd", NULL);
  g_autofree char *path = g_build_filename (dir, "node.xml", NULL);
  g_autofree char *uri = g_strconcat ("test://", path, NULL);
  g_autoptr(GError) why = NULL;
  g_autofree char *tooltip = NULL;
  VireoBackend *odd_host;
  VireoDomain *odd;
  VireoDetailsView *details;
  GtkWidget *vm_window;

  g_mkdir_with_parents (dir, 0700);
  assert_true (g_file_set_contents (path, "<node><domain type='qemu'><name>odd</name>"
                                    "<uuid>00000000-0000-4000-8000-000000000009</uuid><memory unit='MiB'>512</memory>"
                                    "<vcpu>2</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                                    "<disk type='network' device='disk'><source protocol='rbd' name='pool/x'/>"
                                    "<target dev='vda' bus='virtio'/></disk></devices></domain></node>", -1, NULL));
  assert_true (vireo_hosts_add (f->hosts, uri, "Odd", FALSE, NULL));
  odd_host = vireo_hosts_lookup (f->hosts, uri);
  vireo_backend_connect_async (odd_host, NULL, NULL, NULL);
  assert_true (vireo_test_wait_until (backend_connected, odd_host, 10));
  odd = vireo_backend_lookup_domain (odd_host, "odd");
  assert_non_null (vireo_domain_get_config_problem (odd));
  assert_false (vireo_domain_check (odd, VIREO_DOMAIN_OP_EDIT, &why));
  vm_window = vireo_window_open_vm_window (f->window, odd);
  details = vireo_vm_window_get_details_view (VIREO_VM_WINDOW (vm_window));
  assert_string_equal (gtk_label_get_text (child_of (details, VIREO_TYPE_DETAILS_VIEW, "name_label")), "odd");
  assert_false (gtk_widget_get_sensitive (child_of (details, VIREO_TYPE_DETAILS_VIEW, "title_entry")));
  tooltip = gtk_widget_get_tooltip_text (child_of (details, VIREO_TYPE_DETAILS_VIEW, "title_entry"));
  assert_string_equal (tooltip, why->message);
  assert_string_equal (vireo_details_view_get_status (details), why->message);
  save_screenshot (vm_window, "hosts-summary-only.png");
  gtk_widget_destroy (vm_window);
}

static gboolean
dialog_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Add Connection… saves a custom URI and connects it; a bad URI is
 * refused in the dialog, in one line, and nothing is saved */
static void
test_hosts_add_connection (void **state)
{
  HostsFixture *f = *state;
  GtkWidget *dialog = vireo_window_add_connection (f->window);
  g_autofree char *lab2 = write_lab (f->root, "lab2");
  g_autofree char *file = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(GError) expected = NULL;
  GtkLabel *error_label = child_of (dialog, VIREO_TYPE_ADD_CONNECTION_DIALOG, "error_label");
  gpointer weak = dialog;

  assert_non_null (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  file = g_strdup (vireo_hosts_get_file (f->hosts));
  /* the SSH fields make the URI */
  gtk_combo_box_set_active_id (child_of (dialog, VIREO_TYPE_ADD_CONNECTION_DIALOG, "kind_combo"), "ssh");
  gtk_entry_set_text (child_of (dialog, VIREO_TYPE_ADD_CONNECTION_DIALOG, "user_entry"), "ann");
  gtk_entry_set_text (child_of (dialog, VIREO_TYPE_ADD_CONNECTION_DIALOG, "host_entry"), "lab.example.org");
  gtk_spin_button_set_value (child_of (dialog, VIREO_TYPE_ADD_CONNECTION_DIALOG, "port_spin"), 2222);
  saved = vireo_add_connection_dialog_get_uri (VIREO_ADD_CONNECTION_DIALOG (dialog));
  assert_string_equal (saved, "qemu+ssh://ann@lab.example.org:2222/system");
  g_clear_pointer (&saved, g_free);

  /* a bad URI: the engine's one line, the dialog stays, nothing saved */
  gtk_combo_box_set_active_id (child_of (dialog, VIREO_TYPE_ADD_CONNECTION_DIALOG, "kind_combo"), "custom");
  gtk_entry_set_text (child_of (dialog, VIREO_TYPE_ADD_CONNECTION_DIALOG, "uri_entry"), "no such uri");
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_OK);
  assert_false (vireo_hosts_check_uri ("no such uri", &expected));
  assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  assert_string_equal (gtk_label_get_text (error_label), expected->message);
  assert_null (strchr (expected->message, '\n'));
  assert_non_null (weak);
  g_file_get_contents (file, &saved, NULL, NULL);
  assert_null (strstr (saved, "no such uri"));
  save_screenshot (dialog, "add-connection.png");

  /* a good one: saved, listed and connected */
  gtk_entry_set_text (child_of (dialog, VIREO_TYPE_ADD_CONNECTION_DIALOG, "uri_entry"), lab2);
  gtk_entry_set_text (child_of (dialog, VIREO_TYPE_ADD_CONNECTION_DIALOG, "title_entry"), "Lab 2");
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_OK);
  assert_true (vireo_test_wait_until (dialog_gone, &weak, 5));
  assert_non_null (vireo_hosts_lookup (f->hosts, lab2));
  assert_string_equal (vireo_backend_get_title (vireo_hosts_lookup (f->hosts, lab2)), "Lab 2");
  g_clear_pointer (&saved, g_free);
  g_file_get_contents (file, &saved, NULL, NULL);
  assert_non_null (strstr (saved, lab2));
  {
    VireoHostHeader *header;

    vireo_test_pump_for (500);
    assert_int_equal (host_rows (vireo_window_get_list_box (f->window), vireo_hosts_lookup (f->hosts, lab2),
                                 TRUE, &header), 3);
    assert_non_null (header);
  }
}

/* One run of the real vireo-askpass against this process's socket */
typedef struct {
  gboolean exited;
  int status;
  char *out;
} Asked;

static void
on_asked (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Asked *asked = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &asked->out, NULL, NULL);
  asked->status = g_subprocess_get_if_exited (G_SUBPROCESS (source)) ? g_subprocess_get_exit_status (G_SUBPROCESS (source))
                                                                     : -1;
  asked->exited = TRUE;
}

/* ssh's way: the question as the argument, its kind in SSH_ASKPASS_PROMPT
 * (unset: a secret) */
static Asked *
ask (const char *kind,
     const char *prompt)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = vireo_ssh_dir (&error);
  g_autofree char *path = NULL;
  Asked *asked = g_new0 (Asked, 1);

  assert_no_error (error);
  path = vireo_askpass_socket_path (dir, getpid ());
  g_subprocess_launcher_setenv (launcher, "VIREO_ASKPASS_SOCKET", path, TRUE);
  if (kind != NULL)
    g_subprocess_launcher_setenv (launcher, "SSH_ASKPASS_PROMPT", kind, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "SSH_ASKPASS_PROMPT");
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("VIREO_ASKPASS"), prompt, NULL);
  assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_asked, asked);
  return asked;
}

static gboolean
asked_exited (gpointer data)
{
  return ((Asked *) data)->exited;
}

/* vireo-askpass ended with @status, having printed @out */
static void
assert_asked (Asked      *asked,
              int         status,
              const char *out)
{
  assert_true (vireo_test_wait_until (asked_exited, asked, 10));
  assert_int_equal (asked->status, status);
  assert_string_equal (asked->out, out);
  g_free (asked->out);
  g_free (asked);
}

static gboolean
askpass_dialog_open (gpointer data)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  *(GtkWidget **) data = NULL;
  for (GList *l = windows; l; l = l->next)
    if (VIREO_IS_ASKPASS_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      *(GtkWidget **) data = l->data;
  return *(GtkWidget **) data != NULL;
}

/* The dialog asking @prompt, modal on @window */
static GtkWidget *
wait_askpass_dialog (GtkWindow  *window,
                     const char *prompt)
{
  GtkWidget *dialog = NULL;

  assert_true (vireo_test_wait_until (askpass_dialog_open, &dialog, 10));
  assert_ptr_equal (gtk_window_get_transient_for (GTK_WINDOW (dialog)), window);
  assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  assert_string_equal (gtk_label_get_text (child_of (dialog, VIREO_TYPE_ASKPASS_DIALOG, "prompt_label")), prompt);
  assert_true (gtk_label_get_selectable (child_of (dialog, VIREO_TYPE_ASKPASS_DIALOG, "prompt_label")));
  return dialog;
}

static gboolean
visible (gpointer    dialog,
         const char *name)
{
  return gtk_widget_get_visible (child_of (dialog, VIREO_TYPE_ASKPASS_DIALOG, name));
}

#define HOST_KEY_PROMPT \
  "The authenticity of host 'lab.example.org (192.0.2.7)' can't be established.\n" \
  "ED25519 key fingerprint is SHA256:mX3kq9d2V1Jx0xwz5tLrZyH2m2QdC1p4n7Yb9rTq0aE.\n" \
  "This key is not known by any other names.\n" \
  "Are you sure you want to continue connecting (yes/no/[fingerprint])? "

/* A password typed in and OK: vireo-askpass prints it */
static void
check_askpass_secret (GtkWindow *window)
{
  Asked *asked = ask (NULL, "ann@lab.example.org's password: ");
  GtkWidget *dialog = wait_askpass_dialog (window, "ann@lab.example.org's password: ");
  GtkEntry *entry = child_of (dialog, VIREO_TYPE_ASKPASS_DIALOG, "secret_entry");

  assert_true (visible (dialog, "secret_entry") && visible (dialog, "ok_button") && visible (dialog, "cancel_button"));
  assert_false (visible (dialog, "yes_button") || visible (dialog, "no_button"));
  assert_false (gtk_entry_get_visibility (entry));
  assert_ptr_equal (gtk_window_get_focus (GTK_WINDOW (dialog)), entry);
  gtk_entry_set_text (entry, "s3cret pass");
  save_screenshot (dialog, "askpass-password.png");
  gtk_button_clicked (child_of (dialog, VIREO_TYPE_ASKPASS_DIALOG, "ok_button"));
  assert_asked (asked, 0, "s3cret pass\n");
  assert_false (askpass_dialog_open (&dialog));
}

/* A new host key: Yes says "yes"; a second question waits for that
 * answer, and its Cancel (or closing it) says no */
static void
check_askpass_confirm (GtkWindow *window)
{
  Asked *host_key = ask ("confirm", HOST_KEY_PROMPT);
  GtkWidget *dialog = wait_askpass_dialog (window, HOST_KEY_PROMPT);
  GtkWidget *second;
  Asked *passphrase;

  assert_true (visible (dialog, "yes_button") && visible (dialog, "no_button"));
  assert_false (visible (dialog, "secret_entry") || visible (dialog, "ok_button") || visible (dialog, "cancel_button"));
  save_screenshot (dialog, "askpass-host-key.png");
  passphrase = ask (NULL, "Enter passphrase for key '/home/ann/.ssh/id_ed25519': ");
  vireo_test_pump_for (500);
  assert_true (askpass_dialog_open (&second));
  assert_ptr_equal (second, dialog);
  assert_false (passphrase->exited);
  gtk_button_clicked (child_of (dialog, VIREO_TYPE_ASKPASS_DIALOG, "yes_button"));
  assert_asked (host_key, 0, "yes\n");

  dialog = wait_askpass_dialog (window, "Enter passphrase for key '/home/ann/.ssh/id_ed25519': ");
  gtk_entry_set_text (child_of (dialog, VIREO_TYPE_ASKPASS_DIALOG, "secret_entry"), "not this one");
  gtk_button_clicked (child_of (dialog, VIREO_TYPE_ASKPASS_DIALOG, "cancel_button"));
  assert_asked (passphrase, 1, "");

  host_key = ask ("confirm", HOST_KEY_PROMPT);
  dialog = wait_askpass_dialog (window, HOST_KEY_PROMPT);
  gtk_button_clicked (child_of (dialog, VIREO_TYPE_ASKPASS_DIALOG, "no_button"));
  assert_asked (host_key, 1, "");

  passphrase = ask (NULL, "ann@lab.example.org's password: ");
  dialog = wait_askpass_dialog (window, "ann@lab.example.org's password: ");
  gtk_window_close (GTK_WINDOW (dialog));
  assert_asked (passphrase, 1, "");
}

typedef struct {
  VireoApplication *app;
  guint poll;
  Asked *left;             /* asked when Vireo quit */
  Asked *queued;           /* waiting behind it */
} AskpassRun;

/* Once the window is up: the questions, then one left open and one
 * waiting behind it as Vireo quits (the modal dialog keeps the window
 * itself from closing) */
static gboolean
drive_askpass (gpointer data)
{
  AskpassRun *run = data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (run->app));
  GtkWidget *dialog;

  if (windows == NULL || !gtk_widget_get_mapped (windows->data))
    return G_SOURCE_CONTINUE;
  run->poll = 0;
  check_askpass_secret (windows->data);
  check_askpass_confirm (windows->data);
  run->left = ask ("confirm", HOST_KEY_PROMPT);
  dialog = wait_askpass_dialog (windows->data, HOST_KEY_PROMPT);
  run->queued = ask (NULL, "ann@lab.example.org's password: ");
  vireo_test_pump_for (300);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
  vireo_test_pump_for (200);
  assert_null (dialog);
  return G_SOURCE_REMOVE;
}

/* ssh's questions in the application, through the real vireo-askpass */
static void
test_askpass (void **state)
{
  g_autofree char *root = vireo_test_make_root ();
  char *argv[] = { "vireo", "--root", root, NULL };
  AskpassRun run = { 0 };
  GtkWidget *dialog;

  run.app = vireo_application_new ();
  run.poll = g_timeout_add (50, drive_askpass, &run);
  assert_int_equal (g_application_run (G_APPLICATION (run.app), 3, argv), 0);
  g_clear_handle_id (&run.poll, g_source_remove);
  g_clear_object (&run.app);
  /* the dialog went with its window: ssh heard no, once, and no to the
   * question behind it, which found no window */
  assert_non_null (run.left);
  assert_asked (run.left, 1, "");
  assert_asked (run.queued, 1, "");
  assert_false (askpass_dialog_open (&dialog));
  vireo_test_remove_tree (root);
}

int
main (int   argc,
      char *argv[])
{
  /* One guest for the manager's behaviours, each its own test, so the
   * first failure does not hide the rest (a test that needs what an
   * earlier one failed to make is skipped, and says so) */
  const struct CMUnitTest manager[] = {
    cmocka_unit_test (test_accessible_names),
    cmocka_unit_test (test_list_and_search),
    cmocka_unit_test (test_wizard),
    cmocka_unit_test (test_row_stats),
    cmocka_unit_test (test_other_client_pauses),
    cmocka_unit_test (test_keeps_running),
    cmocka_unit_test (test_sort),
    cmocka_unit_test (test_console_window),
    cmocka_unit_test (test_serial_console),
    cmocka_unit_test (test_details_editor),
    cmocka_unit_test (test_send_keys_and_fullscreen),
    cmocka_unit_test (test_qemu_killed),
    cmocka_unit_test (test_shim_killed),
    cmocka_unit_test (test_vm_window_actions),
    cmocka_unit_test (test_snapshots_page),
    cmocka_unit_test (test_clone),
    cmocka_unit_test (test_preferences),
    cmocka_unit_test (test_refused_start),
    cmocka_unit_test (test_kvm_note),
    cmocka_unit_test (test_firmware_label),
    cmocka_unit_test (test_unapplied_row),
    cmocka_unit_test (test_details_edit_keeps_the_rest),
    cmocka_unit_test (test_delete),
  };
  const struct CMUnitTest lists[] = {
    cmocka_unit_test_setup_teardown (test_nothing_keeps_running, setup, teardown),
    cmocka_unit_test_setup_teardown (test_long_list, setup, teardown),
    cmocka_unit_test_setup_teardown (test_convert_disk, setup, teardown),
    cmocka_unit_test_setup_teardown (test_new_network, setup, teardown),
    cmocka_unit_test_setup_teardown (test_networks_window, setup, teardown),
  };
  const struct CMUnitTest hosts[] = {
    cmocka_unit_test (test_hosts_listed),
    cmocka_unit_test (test_hosts_filter),
    cmocka_unit_test (test_hosts_pause),
    cmocka_unit_test (test_hosts_new_vm),
    cmocka_unit_test (test_hosts_details_disks),
    cmocka_unit_test (test_hosts_networks),
    cmocka_unit_test (test_hosts_lost),
    cmocka_unit_test (test_hosts_summary_only),
    cmocka_unit_test (test_hosts_add_connection),
  };
  const struct CMUnitTest askpass[] = {
    cmocka_unit_test (test_askpass),
  };
  g_autoptr(GTestDBus) session = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(GDBusConnection) fake_desktop = NULL;
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  int failed;

  /* the application's session bus is the test's own, with a fake desktop
   * (g_test_dbus_up() unsets DISPLAY: Xvfb's is wanted) */
  g_test_dbus_up (session);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  fake_desktop = fake_desktop_start (g_test_dbus_get_bus_address (session));
  gtk_init (&argc, &argv);
  /* VIREO_TEST_FILTER=test_networks runs only the tests it names */
  if (g_getenv ("VIREO_TEST_FILTER"))
    cmocka_set_test_filter (g_getenv ("VIREO_TEST_FILTER"));
  failed = cmocka_run_group_tests_name ("manager", manager, setup, teardown);
  failed += cmocka_run_group_tests_name ("lists", lists, NULL, NULL);
  failed += cmocka_run_group_tests_name ("hosts", hosts, setup_hosts, teardown_hosts);
  failed += cmocka_run_group_tests_name ("askpass", askpass, NULL, NULL);
  g_clear_object (&fake_desktop);
  /* not g_test_dbus_down(): the applications' bus connection may live on */
  g_test_dbus_stop (session);
  return failed;
}
