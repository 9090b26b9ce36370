/* vireo-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine loads on a worker thread; the window appears when it is done.
 * Each instance is its own (NON_UNIQUE): two windows on two --root trees
 * must not merge into one process.
 *
 * Running VMs outlive the window (each has its own vireo-shim): when the
 * last window closes while some run, a notification says so, and inside
 * a Flatpak the application first asks the desktop to let it run in the
 * background (vireo-background.c), so that the desktop does not stop the
 * sandbox and the VMs in it.
 *
 * Beside this computer the window lists the saved libvirt hosts
 * (VireoHosts, hosts.conf): all connect at once at start, none waits for
 * another, and one that fails says why in its header.  ssh's questions
 * for a qemu+ssh:// host (VireoAskpass) are asked in a dialog on the
 * manager window, one at a time; with no window they are refused.
 */
#include <glib/gi18n.h>

#include "config.h"
#include "vireo-application.h"
#include "vireo-askpass-dialog.h"
#include "vireo-background.h"
#include "vireo-networks-window.h"
#include "vireo-vm-window.h"
#include "vireo-vm-list.h"
#include "vireo-window.h"

#define MONITOR_INTERVAL_MS 1000
/* how long a closed Vireo waits for the Background portal's answer */
#define BACKGROUND_WAIT_S 5
#define KEEP_RUNNING_NOTIFICATION "keep-running"

struct _VireoApplication
{
  GtkApplication parent_instance;

  char *root;
  VireoLocalBackend *engine;
  VireoHosts *hosts;            /* this computer and the saved hosts */
  VireoWindow *window;          /* weak: while open */
  GtkWidget *networks_window;   /* weak: while open */
  gboolean sandboxed;           /* inside a Flatpak */
  GCancellable *background;     /* the Background portal request, while asked */
  guint background_timeout;
};

G_DEFINE_FINAL_TYPE (VireoApplication, vireo_application, GTK_TYPE_APPLICATION)

/* Once a process: the tests call it before the application starts, and
 * may start it more than once. */
void
vireo_ui_load_style (void)
{
  static gboolean loaded;
  g_autoptr(GtkCssProvider) css = NULL;

  if (loaded)
    return;
  loaded = TRUE;
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/dev/vireo/Vireo/ui/vireo.css");
  gtk_style_context_add_provider_for_screen (gdk_screen_get_default (), GTK_STYLE_PROVIDER (css),
                                             GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
find_button (GtkWidget *widget,
             gpointer   data)
{
  GtkWidget **found = data;

  if (*found != NULL)
    return;
  if (GTK_IS_BUTTON (widget))
    *found = widget;
  else if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), find_button, data);
}

/**
 * vireo_ui_name_close_button:
 * Gives the close button that GTK builds into an info bar or a search
 * bar (no builder id reaches it, and it has only an icon) an accessible
 * name, so that a screen reader says what it closes, not "button".
 *
 * Returns: (transfer none) (nullable): the button
 */
GtkWidget *
vireo_ui_name_close_button (GtkWidget  *bar,
                            const char *name)
{
  GtkWidget *button = NULL;

  gtk_container_forall (GTK_CONTAINER (bar), find_button, &button);
  if (button != NULL)
    atk_object_set_name (gtk_widget_get_accessible (button), name);
  return button;
}

/* make bench's hooks (VIREO_BENCH=map, listed or console:NAME): print one
 * line when the window is on screen, when every VM has its row, or when
 * the console shows its first frame, and quit, so the benchmark times what a user waits for. */
static gboolean
on_bench_mapped (GtkWidget        *widget,
                 GdkEvent         *event,
                 VireoApplication *self)
{
  g_print ("vireo-bench: mapped\n");
  g_application_quit (G_APPLICATION (self));
  return GDK_EVENT_PROPAGATE;
}

static void
on_bench_frame (GtkWidget        *display,
                VireoApplication *self)
{
  g_print ("vireo-bench: first-frame\n");
  g_application_quit (G_APPLICATION (self));
}

static void
on_bench_listed (VireoVmList      *list,
                 VireoApplication *self)
{
  g_print ("vireo-bench: listed\n");
  g_application_quit (G_APPLICATION (self));
}

/* Before the window is shown: "map" and "listed" (every VM has its row). */
static void
setup_bench_window (VireoApplication *self)
{
  const char *bench = g_getenv ("VIREO_BENCH");

  if (g_strcmp0 (bench, "map") == 0)
    g_signal_connect (self->window, "map-event", G_CALLBACK (on_bench_mapped), self);
  else if (g_strcmp0 (bench, "listed") == 0)
    g_signal_connect (vireo_window_get_list_box (self->window), "filled", G_CALLBACK (on_bench_listed), self);
}

/* Once the VMs are loaded: "console:NAME" opens that VM's console. */
static void
setup_bench_console (VireoApplication *self)
{
  const char *bench = g_getenv ("VIREO_BENCH");
  VireoDomain *domain;
  GtkWidget *vm_window;

  if (bench != NULL && g_str_has_prefix (bench, "console:") &&
      (domain = vireo_backend_lookup_domain (VIREO_BACKEND (self->engine), bench + strlen ("console:"))))
    {
      vm_window = vireo_window_open_vm_window (self->window, domain);
      g_signal_connect (vireo_vnc_view_get_display (vireo_vm_window_get_vnc_view (VIREO_VM_WINDOW (vm_window))),
                        "vnc-initialized", G_CALLBACK (on_bench_frame), self);
    }
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VireoApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = vireo_backend_connect_finish (VIREO_BACKEND (self->engine), result, &error);

  /* the window may be closed already */
  if (self->window != NULL)
    {
      vireo_window_set_loading (self->window, FALSE);
      if (!ok)
        vireo_window_show_error (self->window, error);
    }
  vireo_local_backend_start_monitoring (self->engine, MONITOR_INTERVAL_MS);
  if (self->window != NULL)
    setup_bench_console (self);
  g_application_release (G_APPLICATION (self));
}

/* The saved hosts, read before the window shows (a small file): one that
 * cannot be read, or an entry skipped, is one line in the window, and the
 * other hosts show all the same. */
static void
load_hosts (VireoApplication *self)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *skipped;

  if (!vireo_hosts_load (self->hosts, &error))
    {
      vireo_window_show_error (self->window, error);
      return;
    }
  skipped = vireo_hosts_get_load_errors (self->hosts);
  if (skipped->len > 0)
    vireo_window_show_error (self->window, ((VireoLoadError *) g_ptr_array_index (skipped, 0))->error);
}

/* One question of ssh at a time: the next waits for this one's answer
 * (and comes at once, as the window closing refuses the one before) */
static void
on_askpass_request (VireoAskpass        *askpass,
                    VireoAskpassRequest *request,
                    VireoApplication    *self)
{
  if (self->window == NULL || gtk_widget_in_destruction (GTK_WIDGET (self->window)))
    vireo_askpass_request_answer (request, NULL);
  else
    vireo_askpass_dialog_new (GTK_WINDOW (self->window), request);
}

/* The askpass socket listens before any host connects over SSH; one that
 * cannot is one line in the window (its hosts then fail with ssh's no) */
static void
start_askpass (VireoApplication *self)
{
  g_autoptr(GError) error = NULL;

  if (vireo_askpass_start (vireo_askpass_get_default (), &error))
    return;
  /* Translators: the reason follows, such as "/run/user/1000/vireo-ssh is not a private folder of this user" */
  g_prefix_error (&error, _("ssh cannot ask for passwords or host keys in Vireo: "));
  vireo_window_show_error (self->window, error);
}

/* The window comes up at once and the VMs fill it as the worker thread
 * has read their definitions. */
static void
vireo_application_activate (GApplication *app)
{
  VireoApplication *self = VIREO_APPLICATION (app);

  if (self->window != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->window));
      return;
    }
  /* Vireo is back: the VMs show in its window again */
  g_application_withdraw_notification (app, KEEP_RUNNING_NOTIFICATION);
  self->engine = vireo_local_backend_new (self->root);
  self->hosts = vireo_hosts_new_default (self->engine);
  g_set_weak_pointer (&self->window, vireo_window_new_for_hosts (GTK_APPLICATION (self), self->hosts));
  load_hosts (self);
  start_askpass (self);
  vireo_window_set_loading (self->window, TRUE);
  setup_bench_window (self);
  gtk_window_present (GTK_WINDOW (self->window));
  g_application_hold (app);
  vireo_backend_connect_async (VIREO_BACKEND (self->engine), NULL, on_loaded, g_object_ref (self));
  /* this computer is connecting already: the saved hosts join it */
  vireo_hosts_connect_all (self->hosts);
}

static int
vireo_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  VireoApplication *self = VIREO_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("vireo %s\n", PACKAGE_VERSION);
      return 0;
    }
  g_variant_dict_lookup (options, "root", "^ay", &self->root);
  return -1;
}

/* Closes every window: the application ends with the last one, once it
 * has said what keeps running (vireo_application_window_removed()). */
static void
quit (GSimpleAction *action,
      GVariant      *param,
      gpointer       user_data)
{
  GList *windows;

  /* a destroyed window leaves the list */
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (user_data))) != NULL)
    gtk_widget_destroy (windows->data);
}

/* One Networks window for the application, made when first asked for. */
static void
show_networks (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  VireoApplication *self = user_data;

  if (self->window == NULL)
    return;
  if (self->networks_window == NULL)
    {
      GtkWidget *window = vireo_window_new_networks_window (self->window);

      gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (self));
      g_set_weak_pointer (&self->networks_window, window);
    }
  gtk_window_present (GTK_WINDOW (self->networks_window));
}

/* Add Connection… of the application's menu: in its window. */
static void
add_connection (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  VireoApplication *self = user_data;

  if (self->window != NULL)
    vireo_window_add_connection (self->window);
}

static const GActionEntry app_actions[] = {
  { "quit", quit },
  { "add-connection", add_connection },
  { "networks", show_networks },
};

static void
vireo_application_startup (GApplication *app)
{
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Primary>q", NULL } },
    { "app.networks", { "<Primary><Shift>n", NULL } },
    { "win.new-vm", { "<Primary>n", NULL } },
    { "win.start", { "<Primary>Return", NULL } },
    { "win.pause", { "<Primary>p", NULL } },
    { "win.shutdown", { "<Primary><Shift>q", NULL } },
    { "win.open-console", { "<Primary>o", NULL } },
    { "win.send-ctrl-alt-del", { "<Primary><Alt>Delete", NULL } },
    { "win.delete", { "Delete", NULL } },
    { "win.preferences", { "<Primary>comma", NULL } },
    { "win.fullscreen", { "F11", NULL } },
    { "win.show-help-overlay", { "<Primary>question", NULL } },
  };

  G_APPLICATION_CLASS (vireo_application_parent_class)->startup (app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
  vireo_ui_load_style ();
  g_signal_connect_object (vireo_askpass_get_default (), "request", G_CALLBACK (on_askpass_request), app, 0);
  /* the window manager's icon, under X11 too (the desktop file names it) */
  gtk_window_set_default_icon_name ("dev.vireo.Vireo");
}

/**
 * vireo_ui_count_active:
 * Returns: how many of @engine's VMs run (or are paused, or on their way
 * up or down): those that keep running when Vireo closes
 */
guint
vireo_ui_count_active (VireoLocalBackend *engine)
{
  GListModel *domains = vireo_backend_get_domains (VIREO_BACKEND (engine));
  guint n_items = g_list_model_get_n_items (domains);
  guint active = 0;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (domains, i);

      if (vireo_domain_is_active (domain))
        active++;
    }
  return active;
}

/* Tells the user, once the window is gone, that the VMs were not
 * stopped; clicking it opens Vireo (the desktop starts it again). */
static void
notify_keep_running (VireoApplication *self,
                     guint             active)
{
  g_autoptr(GNotification) notification = g_notification_new (_("Virtual machines keep running"));
  /* Translators: shown once Vireo's last window closed; %u counts the VMs */
  g_autofree char *body = g_strdup_printf (ngettext ("%u virtual machine keeps running after Vireo was closed.",
                                                     "%u virtual machines keep running after Vireo was closed.",
                                                     active), active);

  g_notification_set_body (notification, body);
  g_application_send_notification (G_APPLICATION (self), KEEP_RUNNING_NOTIFICATION, notification);
}

static gboolean
on_background_timeout (gpointer user_data)
{
  VireoApplication *self = user_data;

  self->background_timeout = 0;
  g_cancellable_cancel (self->background);
  return G_SOURCE_REMOVE;
}

/* The VMs run on whatever the answer is: it only says whether the
 * desktop may stop them. */
static void
on_background (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VireoApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean allowed = FALSE;

  if (!vireo_background_request_finish (result, &allowed, &error))
    g_message ("%s", error->message);
  else if (!allowed)
    g_message (_("The desktop did not allow Vireo to run in the background: it may stop the running virtual machines"));
  else
    g_debug ("The desktop lets Vireo run in the background");
  g_clear_handle_id (&self->background_timeout, g_source_remove);
  g_clear_object (&self->background);
  g_application_release (G_APPLICATION (self));
}

/* Asks the Background portal, and keeps the application (not the main
 * loop) up until it answers or BACKGROUND_WAIT_S pass.  No window is left
 * to be the parent of the portal's question: "" says so. */
static void
request_background (VireoApplication *self)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self));

  if (bus == NULL || self->background != NULL)
    return;
  g_application_hold (G_APPLICATION (self));
  self->background = g_cancellable_new ();
  self->background_timeout = g_timeout_add_seconds (BACKGROUND_WAIT_S, on_background_timeout, self);
  /* Translators: the reason the desktop shows when it asks the user
   * whether Vireo may run in the background */
  vireo_background_request_async (bus, "", _("Virtual machines keep running after the window is closed"),
                                  self->background, on_background, g_object_ref (self));
}

/* The last window closed while VMs run. */
static void
vireo_application_window_removed (GtkApplication *app,
                                  GtkWindow      *window)
{
  VireoApplication *self = VIREO_APPLICATION (app);
  guint active = self->engine ? vireo_ui_count_active (self->engine) : 0;

  /* the parent releases the window's hold: ours keeps the application up
   * until it has asked */
  g_application_hold (G_APPLICATION (app));
  GTK_APPLICATION_CLASS (vireo_application_parent_class)->window_removed (app, window);
  if (gtk_application_get_windows (app) == NULL && active > 0)
    {
      notify_keep_running (self, active);
      if (self->sandboxed)
        request_background (self);
    }
  g_application_release (G_APPLICATION (app));
}

/**
 * vireo_application_set_sandboxed:
 * Whether Vireo asks the Background portal when its last window closes
 * while VMs run: inside a Flatpak, as found at start.  Tests force it.
 */
void
vireo_application_set_sandboxed (VireoApplication *self,
                                 gboolean          sandboxed)
{
  self->sandboxed = sandboxed;
}

static void
vireo_application_finalize (GObject *object)
{
  VireoApplication *self = VIREO_APPLICATION (object);

  g_clear_weak_pointer (&self->networks_window);
  g_clear_weak_pointer (&self->window);
  g_clear_handle_id (&self->background_timeout, g_source_remove);
  g_clear_object (&self->background);
  g_free (self->root);
  g_clear_object (&self->hosts);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (vireo_application_parent_class)->finalize (object);
}

static void
vireo_application_class_init (VireoApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = vireo_application_finalize;
  app_class->activate = vireo_application_activate;
  app_class->startup = vireo_application_startup;
  app_class->handle_local_options = vireo_application_handle_local_options;
  GTK_APPLICATION_CLASS (klass)->window_removed = vireo_application_window_removed;
}

static void
vireo_application_init (VireoApplication *self)
{
  static const GOptionEntry options[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Keep every file of Vireo under DIR"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  /* the engine decides it, once */
  self->sandboxed = vireo_paths_flatpak_id () != NULL;
}

VireoApplication *
vireo_application_new (void)
{
  return g_object_new (VIREO_TYPE_APPLICATION,
                       "application-id", "dev.vireo.Vireo",
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
}

VireoLocalBackend *
vireo_application_get_engine (VireoApplication *self)
{
  return self->engine;
}

static void
on_job_changed (VireoJob       *job,
                GParamSpec     *pspec,
                GtkProgressBar *bar)
{
  g_autofree char *text = vireo_job_dup_text (job);

  gtk_progress_bar_set_fraction (bar, vireo_job_get_progress (job));
  gtk_progress_bar_set_text (bar, text ? text : vireo_job_get_title (job));
}

/**
 * vireo_ui_follow_job:
 * @job: (nullable): none yet (the operation failed at once)
 *
 * Shows @job's progress and what it does now (its text, else its title)
 * in @bar for as long as both live.
 */
void
vireo_ui_follow_job (GtkProgressBar *bar,
                     VireoJob       *job)
{
  if (job == NULL)
    return;
  g_signal_connect_object (job, "notify::progress", G_CALLBACK (on_job_changed), bar, 0);
  g_signal_connect_object (job, "notify::text", G_CALLBACK (on_job_changed), bar, 0);
}
