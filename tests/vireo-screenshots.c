/* vireo-screenshots.c: the screenshots of the AppStream metainfo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: vireo-screenshots ROOT OUTDIR
 *
 * Opens the real windows on the VMs that build-aux/take-screenshots.sh
 * made in ROOT and saves each window, as drawn, to OUTDIR: the manager
 * window, the running VM's console, a shut-off VM's details and
 * snapshots, and the new-VM wizard.  Only one window is on screen at a
 * time, since a window is read back from the X server and another one
 * over it would show.  A screenshot whose window never got what it
 * should show is an error, not a picture.
 */
#include <gtk/gtk.h>
#include <string.h>

#include "vireo-application.h"
#include "vireo-test-util.h"
#include "vireo-vm-row.h"
#include "vireo-vm-window.h"
#include "vireo-window.h"
#include "vireo.h"

#define WIDTH 1000
#define HEIGHT 654   /* 700 with the header bar */

static const char *outdir;

/* Iterates the main loop until @check holds; fails after @timeout_s. */
static void
wait_for (gboolean   (*check) (gpointer),
          gpointer     data,
          guint        timeout_s,
          const char  *what)
{
  if (!vireo_test_wait_until (check, data, timeout_s))
    g_error ("vireo-screenshots: %s did not happen in %u s", what, timeout_s);
}

static void
save (GtkWidget  *window,
      const char *name)
{
  g_autofree char *path = g_build_filename (outdir, name, NULL);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  GdkWindow *gdk = gtk_widget_get_window (window);
  GtkAllocation bar;

  vireo_test_pump_for (500);   /* the last frames drawn */
  /* the window itself, without the margin around it that its decorations
   * keep for a shadow (the same on every side, without a compositor) */
  gtk_widget_get_allocation (gtk_window_get_titlebar (GTK_WINDOW (window)), &bar);
  pixbuf = gdk_pixbuf_get_from_window (gdk, bar.x, bar.y, bar.width, gdk_window_get_height (gdk) - 2 * bar.y);
  if (pixbuf == NULL || !gdk_pixbuf_save (pixbuf, path, "png", &error, NULL))
    g_error ("vireo-screenshots: %s: %s", path, error ? error->message : "the window could not be read");
  g_print ("%s: %dx%d\n", path, gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf));
}

static GtkWidget *
find_row (VireoWindow *window,
          VireoDomain *domain)
{
  GtkListBox *box = vireo_window_get_list_box (window);
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (box, i)) != NULL; i++)
    if (vireo_vm_row_get_domain (VIREO_VM_ROW (row)) == domain)
      return GTK_WIDGET (row);
  g_error ("vireo-screenshots: no row for VM '%s'", vireo_domain_get_name (domain));
}

/* The row has a CPU history to draw and the guest's address. */
static gboolean
row_is_full (gpointer data)
{
  GtkLabel *label = GTK_LABEL (gtk_widget_get_template_child (data, VIREO_TYPE_VM_ROW, "details_label"));

  return vireo_vm_row_get_n_samples (data) >= 8 && strstr (gtk_label_get_text (label), "10.0.2.15") != NULL;
}

static gboolean
console_has_frame (gpointer data)
{
  VireoVncView *view = data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  if (!vireo_vnc_view_is_connected (view))
    return FALSE;
  pixbuf = vireo_vnc_view_get_pixbuf (view);
  if (pixbuf == NULL)
    return FALSE;
  /* text on it: not every pixel is the first one's colour */
  {
    const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
    int stride = gdk_pixbuf_get_rowstride (pixbuf);
    int channels = gdk_pixbuf_get_n_channels (pixbuf);
    guint differing = 0;

    for (int y = 0; y < gdk_pixbuf_get_height (pixbuf); y++)
      for (int x = 0; x < gdk_pixbuf_get_width (pixbuf); x++)
        differing += memcmp (pixels + y * stride + x * channels, pixels, 3) != 0;
    return differing > 1000;
  }
}

static gboolean
snapshots_loaded (gpointer data)
{
  return vireo_snapshots_view_is_loaded (data);
}

static GtkWidget *
open_vm_window (VireoWindow *window,
                VireoDomain *domain,
                const char  *page)
{
  GtkWidget *vm_window = vireo_window_open_vm_window (window, domain);

  gtk_window_resize (GTK_WINDOW (vm_window), WIDTH, HEIGHT);
  vireo_vm_window_show_page (VIREO_VM_WINDOW (vm_window), page);
  return vm_window;
}

static VireoDomain *
lookup (VireoLocalBackend *engine,
        const char        *name)
{
  VireoDomain *domain = vireo_backend_lookup_domain (VIREO_BACKEND (engine), name);

  if (domain == NULL)
    g_error ("vireo-screenshots: no VM '%s' in the root", name);
  return domain;
}

static void
take_manager (VireoWindow *window,
              VireoDomain *running)
{
  GtkWidget *row = find_row (window, running);

  wait_for (row_is_full, row, 120, "the running VM's row filling");
  vireo_window_select_domain (window, running);
  save (GTK_WIDGET (window), "manager.png");
}

static void
take_vm_window (VireoWindow *window,
                VireoDomain *running)
{
  GtkWidget *vm_window = open_vm_window (window, running, "console");
  VireoVncView *vnc = vireo_vm_window_get_vnc_view (VIREO_VM_WINDOW (vm_window));

  wait_for (console_has_frame, vnc, 60, "the console connecting");
  vireo_test_pump_for (2000);
  save (vm_window, "console.png");
  gtk_widget_destroy (vm_window);
}

/* A shut-off VM's details (no build-tree paths in them) and snapshots */
static void
take_details (VireoWindow *window,
              VireoDomain *domain)
{
  GtkWidget *vm_window = open_vm_window (window, domain, "details");
  VireoSnapshotsView *view = vireo_vm_window_get_snapshots_view (VIREO_VM_WINDOW (vm_window));

  save (vm_window, "details.png");
  vireo_vm_window_show_page (VIREO_VM_WINDOW (vm_window), "snapshots");
  wait_for (snapshots_loaded, view, 30, "the snapshots loading");
  {
    /* the second snapshot chosen, so its actions are offered */
    GtkTreeView *tree = GTK_TREE_VIEW (gtk_widget_get_template_child (GTK_WIDGET (view), VIREO_TYPE_SNAPSHOTS_VIEW,
                                                                      "tree_view"));
    g_autoptr(GtkTreePath) path = gtk_tree_path_new_from_string ("0:0");

    gtk_tree_selection_select_path (gtk_tree_view_get_selection (tree), path);
  }
  save (vm_window, "snapshots.png");
  gtk_widget_destroy (vm_window);
}

static void
take_wizard (VireoWindow *window)
{
  GtkWidget *assistant = vireo_window_new_vm (window);
  GtkWidget *bar = gtk_header_bar_new ();

  /* the title bar GTK draws for it on a desktop with a compositor, which
   * this X server lacks */
  gtk_header_bar_set_title (GTK_HEADER_BAR (bar), gtk_window_get_title (GTK_WINDOW (assistant)));
  gtk_header_bar_set_show_close_button (GTK_HEADER_BAR (bar), TRUE);
  gtk_widget_show (bar);
  gtk_widget_hide (assistant);
  gtk_widget_unrealize (assistant);
  gtk_window_set_titlebar (GTK_WINDOW (assistant), bar);
  gtk_widget_show (assistant);
  gtk_window_resize (GTK_WINDOW (assistant), 800, 520);
  save (assistant, "new-vm.png");
  gtk_widget_destroy (assistant);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VireoLocalBackend) engine = NULL;
  g_autoptr(GError) error = NULL;
  VireoWindow *window;

  gtk_init (&argc, &argv);
  if (argc != 3)
    {
      g_printerr ("Usage: %s ROOT OUTDIR\n", argv[0]);
      return 2;
    }
  outdir = argv[2];
  engine = vireo_local_backend_new (argv[1]);
  if (!vireo_local_backend_load (engine, &error))
    g_error ("vireo-screenshots: %s", error->message);
  vireo_local_backend_start_monitoring (engine, 1000);
  vireo_ui_load_style ();
  window = vireo_window_new (NULL, engine);
  gtk_window_resize (GTK_WINDOW (window), WIDTH, HEIGHT);
  gtk_widget_show (GTK_WIDGET (window));

  take_manager (window, lookup (engine, "busybox"));
  /* one window on screen at a time: the others would show through */
  gtk_widget_hide (GTK_WIDGET (window));
  take_vm_window (window, lookup (engine, "busybox"));
  take_details (window, lookup (engine, "debian-12"));
  take_wizard (window);
  gtk_widget_destroy (GTK_WIDGET (window));
  return 0;
}
