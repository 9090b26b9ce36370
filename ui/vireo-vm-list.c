/* vireo-vm-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows follow the engine's GListModel, but are not bound to it with
 * gtk_list_box_bind_model(): a bound list box can neither sort nor filter.
 * Instead the list keeps one row per model position and sorts and filters
 * them itself.
 *
 * Rows are built from a template, which costs about a millisecond each, so
 * a long list would keep the window from appearing.  The first screenful
 * is built at once and the rest in growing idle chunks after the window
 * is up; a row asked for by its VM is built on the spot.
 *
 * Given every host (vireo_vm_list_set_hosts()), the rows of each host
 * stay together under a header with the host's title and state, hosts in
 * the engine's host order and rows sorted within their host.  A host
 * without VMs (one that could not connect, say) still gets its header:
 * it heads a row of its own that says the host has none.  With this
 * computer alone the list looks as it always did, without headers.
 */
#include <glib/gi18n.h>
#include <string.h>

#include "vireo-host-header.h"
#include "vireo-vm-list.h"

#define FIRST_ROWS 24
#define CHUNK_ROWS 16

struct _VireoVmList
{
  GtkListBox parent_instance;

  /* owned */
  GListModel *domains;
  GPtrArray *rows;          /* VireoVmRow or NULL (not built yet), by model position */
  char *filter;             /* vireo_domain_filter_key(), or NULL */
  VireoHosts *hosts;        /* NULL: this computer's VMs alone */
  GPtrArray *empty_rows;    /* GtkListBoxRow of each host without VMs */
  guint fill_id;
  guint chunk;              /* rows the next idle builds */

  VireoDomainSort sort;
};

enum {
  FILLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VireoVmList, vireo_vm_list, GTK_TYPE_LIST_BOX)

/* The host a row belongs to: its VM's, or the one an empty row stands for */
static VireoBackend *
row_backend (GtkListBoxRow *row)
{
  if (VIREO_IS_VM_ROW (row))
    return vireo_domain_get_backend (vireo_vm_row_get_domain (VIREO_VM_ROW (row)));
  return g_object_get_data (G_OBJECT (row), "vireo-backend");
}

/* The engine decides the order and what a filter matches. */
static int
compare_rows (GtkListBoxRow *a,
              GtkListBoxRow *b,
              gpointer       user_data)
{
  VireoVmList *self = user_data;
  int by_host;

  if (self->hosts != NULL &&
      (by_host = vireo_domain_compare_hosts (row_backend (a), row_backend (b))) != 0)
    return by_host;
  /* a host's empty row is alone under its header */
  if (!VIREO_IS_VM_ROW (a) || !VIREO_IS_VM_ROW (b))
    return VIREO_IS_VM_ROW (a) - VIREO_IS_VM_ROW (b);
  return vireo_domain_compare (vireo_vm_row_get_domain (VIREO_VM_ROW (a)),
                               vireo_vm_row_get_domain (VIREO_VM_ROW (b)), self->sort);
}

static gboolean
filter_row (GtkListBoxRow *row,
            gpointer       user_data)
{
  VireoVmList *self = user_data;

  /* a search looks for VMs: hosts without any step aside */
  if (!VIREO_IS_VM_ROW (row))
    return self->filter == NULL;
  return vireo_domain_matches (vireo_vm_row_get_domain (VIREO_VM_ROW (row)), self->filter);
}

static gboolean
shows_headers (VireoVmList *self)
{
  return self->hosts != NULL && g_list_model_get_n_items (vireo_hosts_get_backends (self->hosts)) > 1;
}

/* Each host's rows start under its header. */
static void
update_header (GtkListBoxRow *row,
               GtkListBoxRow *before,
               gpointer       user_data)
{
  VireoVmList *self = user_data;
  VireoBackend *backend = row_backend (row);
  GtkWidget *header = gtk_list_box_row_get_header (row);

  if (!shows_headers (self) || (before != NULL && row_backend (before) == backend))
    {
      if (header != NULL)
        gtk_list_box_row_set_header (row, NULL);
      return;
    }
  if (header != NULL && VIREO_IS_HOST_HEADER (header) &&
      vireo_host_header_get_backend (VIREO_HOST_HEADER (header)) == backend)
    return;
  gtk_list_box_row_set_header (row, vireo_host_header_new (self->hosts, backend));
}

static GtkWidget *
empty_row_new (VireoBackend *backend)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *label = gtk_label_new (_("No virtual machines on this host"));

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_start (label, 44);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_style_context_add_class (gtk_widget_get_style_context (label), "dim-label");
  gtk_container_add (GTK_CONTAINER (row), label);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  g_object_set_data_full (G_OBJECT (row), "vireo-backend", g_object_ref (backend), g_object_unref);
  gtk_widget_show_all (row);
  /* a host that is not connected says why in its header: nothing to add */
  gtk_widget_set_visible (label, vireo_backend_get_state (backend) == VIREO_BACKEND_STATE_CONNECTED);
  return row;
}

/* One empty row for each host without VMs, when there are hosts to tell
 * apart: few hosts, so they are simply made again. */
static void
update_empty_rows (VireoVmList *self)
{
  GListModel *backends;

  for (guint i = 0; i < self->empty_rows->len; i++)
    gtk_widget_destroy (g_ptr_array_index (self->empty_rows, i));
  g_ptr_array_set_size (self->empty_rows, 0);
  if (!shows_headers (self))
    return;
  backends = vireo_hosts_get_backends (self->hosts);
  for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

      if (g_list_model_get_n_items (vireo_backend_get_domains (backend)) == 0)
        {
          GtkWidget *row = empty_row_new (backend);

          g_ptr_array_add (self->empty_rows, row);
          gtk_container_add (GTK_CONTAINER (self), row);
        }
    }
  gtk_list_box_invalidate_headers (GTK_LIST_BOX (self));
}

static VireoVmRow *
build_row (VireoVmList *self,
           guint        position)
{
  g_autoptr(VireoDomain) domain = g_list_model_get_item (self->domains, position);
  GtkWidget *row = vireo_vm_row_new (domain);

  g_ptr_array_index (self->rows, position) = row;
  gtk_container_add (GTK_CONTAINER (self), row);
  return VIREO_VM_ROW (row);
}

/* Builds up to @count missing rows; returns whether some are still missing. */
static gboolean
build_rows (VireoVmList *self,
            guint        count)
{
  for (guint i = 0; i < self->rows->len; i++)
    if (g_ptr_array_index (self->rows, i) == NULL)
      {
        if (count == 0)
          return TRUE;
        build_row (self, i);
        count--;
      }
  return FALSE;
}

static gboolean
on_fill_idle (gpointer user_data)
{
  VireoVmList *self = user_data;

  /* Each chunk makes the list lay out all its rows again: doubling the
   * chunks keeps that to a few passes, however long the list. */
  if (build_rows (self, self->chunk))
    {
      self->chunk *= 2;
      return G_SOURCE_CONTINUE;
    }
  self->fill_id = 0;
  g_signal_emit (self, signals[FILLED], 0);
  return G_SOURCE_REMOVE;
}

static void
on_items_changed (GListModel  *model,
                  guint        position,
                  guint        removed,
                  guint        added,
                  VireoVmList *self)
{
  for (guint i = 0; i < removed; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, position + i);

      if (row != NULL)
        gtk_widget_destroy (row);
    }
  g_ptr_array_remove_range (self->rows, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (self->rows, position + i, NULL);

  if (self->hosts != NULL)
    update_empty_rows (self);
  if (!build_rows (self, FIRST_ROWS))
    {
      if (added > 0 && self->fill_id == 0)
        g_signal_emit (self, signals[FILLED], 0);
    }
  else if (self->fill_id == 0)
    {
      self->chunk = CHUNK_ROWS;
      self->fill_id = g_idle_add_full (G_PRIORITY_LOW, on_fill_idle, self, NULL);
    }
}

/**
 * vireo_vm_list_set_model:
 * @domains: the engine's model of #VireoDomain
 */
void
vireo_vm_list_set_model (VireoVmList *self,
                         GListModel  *domains)
{
  g_return_if_fail (self->domains == NULL);

  self->domains = g_object_ref (domains);
  g_signal_connect_object (domains, "items-changed", G_CALLBACK (on_items_changed), self, 0);
  on_items_changed (domains, 0, 0, g_list_model_get_n_items (domains), self);
}

static void
on_backend_changed (VireoBackend *backend,
                    GParamSpec   *pspec,
                    VireoVmList  *self)
{
  /* a renamed host moves; a connected one says it has no VMs */
  gtk_list_box_invalidate_sort (GTK_LIST_BOX (self));
  update_empty_rows (self);
}

static void
watch_backends (VireoVmList *self,
                guint        position,
                guint        added)
{
  GListModel *backends = vireo_hosts_get_backends (self->hosts);

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

      g_signal_connect_object (backend, "notify::title", G_CALLBACK (on_backend_changed), self, 0);
      g_signal_connect_object (backend, "notify::state", G_CALLBACK (on_backend_changed), self, 0);
    }
}

static void
on_backends_changed (GListModel  *backends,
                     guint        position,
                     guint        removed,
                     guint        added,
                     VireoVmList *self)
{
  watch_backends (self, position, added);
  update_empty_rows (self);
}

/**
 * vireo_vm_list_set_hosts:
 * Lists the VMs of every host of @hosts, under a header for each host
 * when there is more than this computer.
 */
void
vireo_vm_list_set_hosts (VireoVmList *self,
                         VireoHosts  *hosts)
{
  GListModel *backends = vireo_hosts_get_backends (hosts);

  g_return_if_fail (self->domains == NULL);

  self->hosts = g_object_ref (hosts);
  gtk_list_box_set_header_func (GTK_LIST_BOX (self), update_header, self, NULL);
  g_signal_connect_object (backends, "items-changed", G_CALLBACK (on_backends_changed), self, 0);
  watch_backends (self, 0, g_list_model_get_n_items (backends));
  vireo_vm_list_set_model (self, vireo_hosts_get_domains (hosts));
}

/**
 * vireo_vm_list_set_sort:
 * @key: a sort key's name, as vireo_domain_sort_from_string() takes it
 *   ("name", "state", "memory", "cpu", …); others sort by name
 */
void
vireo_vm_list_set_sort (VireoVmList *self,
                        const char  *key)
{
  if (!vireo_domain_sort_from_string (key, &self->sort))
    self->sort = VIREO_DOMAIN_SORT_NAME;
  gtk_list_box_invalidate_sort (GTK_LIST_BOX (self));
}

/**
 * vireo_vm_list_set_filter:
 * Shows only the VMs whose name or title holds @text (ignoring case).
 */
void
vireo_vm_list_set_filter (VireoVmList *self,
                          const char  *text)
{
  g_clear_pointer (&self->filter, g_free);
  self->filter = vireo_domain_filter_key (text);
  gtk_list_box_invalidate_filter (GTK_LIST_BOX (self));
}

/**
 * vireo_vm_list_get_row:
 * Returns: (transfer none) (nullable): @domain's row, built now if it
 *   was still waiting
 */
VireoVmRow *
vireo_vm_list_get_row (VireoVmList *self,
                       VireoDomain *domain)
{
  guint n_items = self->domains != NULL ? g_list_model_get_n_items (self->domains) : 0;

  for (guint position = 0; position < n_items; position++)
    {
      g_autoptr(VireoDomain) item = g_list_model_get_item (self->domains, position);

      if (item != domain)
        continue;
      if (g_ptr_array_index (self->rows, position) == NULL)
        return build_row (self, position);
      return g_ptr_array_index (self->rows, position);
    }
  return NULL;
}

/* A new sample moves the row when the list is sorted by what it measures. */
void
vireo_vm_list_stats_changed (VireoVmList *self,
                             VireoVmRow  *row)
{
  if (self->sort == VIREO_DOMAIN_SORT_CPU || self->sort == VIREO_DOMAIN_SORT_DISK ||
      self->sort == VIREO_DOMAIN_SORT_NETWORK)
    gtk_list_box_row_changed (GTK_LIST_BOX_ROW (row));
}

/* Whether every VM has its row (the idle filling is done). */
gboolean
vireo_vm_list_is_complete (VireoVmList *self)
{
  return self->fill_id == 0;
}

static void
vireo_vm_list_dispose (GObject *object)
{
  VireoVmList *self = VIREO_VM_LIST (object);

  g_clear_handle_id (&self->fill_id, g_source_remove);
  if (self->domains)
    g_signal_handlers_disconnect_by_data (self->domains, self);
  g_clear_object (&self->domains);
  if (self->hosts)
    {
      GListModel *backends = vireo_hosts_get_backends (self->hosts);

      g_signal_handlers_disconnect_by_data (backends, self);
      for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
        {
          g_autoptr(VireoBackend) backend = g_list_model_get_item (backends, i);

          g_signal_handlers_disconnect_by_data (backend, self);
        }
    }
  g_clear_object (&self->hosts);
  /* the rows go with the list's children */
  g_ptr_array_set_size (self->empty_rows, 0);
  G_OBJECT_CLASS (vireo_vm_list_parent_class)->dispose (object);
}

static void
vireo_vm_list_finalize (GObject *object)
{
  VireoVmList *self = VIREO_VM_LIST (object);

  g_ptr_array_unref (self->rows);
  g_ptr_array_unref (self->empty_rows);
  g_free (self->filter);
  G_OBJECT_CLASS (vireo_vm_list_parent_class)->finalize (object);
}

static void
vireo_vm_list_class_init (VireoVmListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vireo_vm_list_dispose;
  object_class->finalize = vireo_vm_list_finalize;

  /* every VM of the model has its row, after VMs were added */
  signals[FILLED] = g_signal_new ("filled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vireo_vm_list_init (VireoVmList *self)
{
  self->rows = g_ptr_array_new ();
  self->empty_rows = g_ptr_array_new ();
  gtk_list_box_set_sort_func (GTK_LIST_BOX (self), compare_rows, self, NULL);
  gtk_list_box_set_filter_func (GTK_LIST_BOX (self), filter_row, self, NULL);
}
