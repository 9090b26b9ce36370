/* vireo-hosts.c: every host a window shows, and the saved connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The backends' list and the flattened list of their VMs follow the saved
 * hosts.  Each change to the saved hosts reads the file afresh, changes
 * its one group and writes it back at once, so that another Vireo's
 * change and an entry this one cannot read are kept.
 */
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-flatten-model.h"
#include "vireo-hosts-private.h"
#include "vireo-i18n.h"
#include "vireo-load-error.h"
#include "vireo-lock.h"

typedef struct
{
  char *uri;
  char *title;                 /* NULL: none */
  gboolean autoconnect;
  VireoBackend *backend;       /* owned, or NULL: no factory, or it failed */
  GError *error;               /* why the factory made none, or NULL */
  GCancellable *cancellable;   /* its connect, cancelled when it goes */
} Entry;

struct _VireoHosts
{
  GObject parent_instance;

  /* owned */
  VireoBackend *local;
  char *file;
  GListStore *backends;        /* VireoBackend: the local one, then the saved ones */
  VireoFlattenModel *domains;  /* VireoDomain of every backend */
  GPtrArray *entries;          /* Entry: the saved hosts, in the file's order, then added */
  GPtrArray *load_errors;      /* VireoLoadError */
  GCancellable *cancellable;   /* the local host's connect */

  VireoHostFactory factory;
  gpointer factory_data;
};

G_DEFINE_FINAL_TYPE (VireoHosts, vireo_hosts, G_TYPE_OBJECT)

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_cancellable_cancel (entry->cancellable);
  g_clear_object (&entry->cancellable);
  g_clear_object (&entry->backend);
  g_clear_error (&entry->error);
  g_free (entry->uri);
  g_free (entry->title);
  g_free (entry);
}

void
vireo_saved_host_free (VireoSavedHost *host)
{
  if (host == NULL)
    return;
  g_free (host->uri);
  g_free (host->title);
  g_clear_object (&host->backend);
  g_clear_error (&host->error);
  g_free (host);
}

static void
vireo_hosts_dispose (GObject *object)
{
  VireoHosts *self = VIREO_HOSTS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_object (&self->domains);
  g_clear_object (&self->backends);
  g_clear_object (&self->local);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (vireo_hosts_parent_class)->dispose (object);
}

static void
vireo_hosts_finalize (GObject *object)
{
  VireoHosts *self = VIREO_HOSTS (object);

  g_free (self->file);
  g_ptr_array_unref (self->load_errors);

  G_OBJECT_CLASS (vireo_hosts_parent_class)->finalize (object);
}

static void
vireo_hosts_class_init (VireoHostsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vireo_hosts_dispose;
  object_class->finalize = vireo_hosts_finalize;
}

static void
vireo_hosts_init (VireoHosts *self)
{
  self->backends = g_list_store_new (VIREO_TYPE_BACKEND);
  self->entries = g_ptr_array_new_with_free_func (entry_free);
  self->load_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_load_error_free);
  self->cancellable = g_cancellable_new ();
}

/**
 * vireo_hosts_new:
 * @local: this computer's host, always the first and never saved
 * @file: where the saved hosts are kept (vireo_paths_hosts_file());
 *   nothing is read before vireo_hosts_load()
 *
 * Returns: (transfer full): the hosts, with @local only; main thread only
 */
VireoHosts *
vireo_hosts_new (VireoBackend *local,
                 const char   *file)
{
  VireoHosts *self;

  g_return_val_if_fail (VIREO_IS_BACKEND (local), NULL);
  g_return_val_if_fail (file != NULL, NULL);

  self = g_object_new (VIREO_TYPE_HOSTS, NULL);
  self->local = g_object_ref (local);
  self->file = g_strdup (file);
  g_list_store_append (self->backends, local);
  self->domains = vireo_flatten_model_new (VIREO_TYPE_DOMAIN, G_LIST_MODEL (self->backends),
                                           (VireoFlattenChildFunc) vireo_backend_get_domains);
  return self;
}

const char *
vireo_hosts_get_file (VireoHosts *self)
{
  g_return_val_if_fail (VIREO_IS_HOSTS (self), NULL);
  return self->file;
}

/**
 * vireo_hosts_get_local:
 * Returns: (transfer none): this computer's host
 */
VireoBackend *
vireo_hosts_get_local (VireoHosts *self)
{
  g_return_val_if_fail (VIREO_IS_HOSTS (self), NULL);
  return self->local;
}

/**
 * vireo_hosts_get_backends:
 * Returns: (transfer none): a #GListModel of #VireoBackend: this computer
 *   first, then the saved hosts that have a backend, in the order they
 *   were read or added
 */
GListModel *
vireo_hosts_get_backends (VireoHosts *self)
{
  g_return_val_if_fail (VIREO_IS_HOSTS (self), NULL);
  return G_LIST_MODEL (self->backends);
}

/**
 * vireo_hosts_get_domains:
 * Returns: (transfer none): a #GListModel of every #VireoDomain of every
 *   host, host after host in the order of vireo_hosts_get_backends(),
 *   each host's in name order; it follows the hosts and their VMs
 */
GListModel *
vireo_hosts_get_domains (VireoHosts *self)
{
  g_return_val_if_fail (VIREO_IS_HOSTS (self), NULL);
  return G_LIST_MODEL (self->domains);
}

static Entry *
find_entry (VireoHosts *self,
            const char *uri,
            guint      *index)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (g_strcmp0 (entry->uri, uri) == 0)
        {
          if (index != NULL)
            *index = i;
          return entry;
        }
    }
  return NULL;
}

/**
 * vireo_hosts_lookup:
 * Returns: (transfer none) (nullable): the backend of the host @uri
 */
VireoBackend *
vireo_hosts_lookup (VireoHosts *self,
                    const char *uri)
{
  Entry *entry;

  g_return_val_if_fail (VIREO_IS_HOSTS (self), NULL);

  if (g_strcmp0 (vireo_backend_get_uri (self->local), uri) == 0)
    return self->local;
  entry = find_entry (self, uri, NULL);
  return entry ? entry->backend : NULL;
}

/* Gives @entry its backend through the factory, and lists it. */
static void
entry_make_backend (VireoHosts *self,
                    Entry      *entry)
{
  if (self->factory == NULL || entry->backend != NULL)
    return;
  g_clear_error (&entry->error);
  entry->backend = self->factory (entry->uri, self->factory_data, &entry->error);
  if (entry->backend == NULL)
    {
      g_debug ("No backend for host %s: %s", entry->uri, entry->error ? entry->error->message : "?");
      return;
    }
  if (entry->title != NULL)
    vireo_backend_set_title (entry->backend, entry->title);
  g_list_store_append (self->backends, entry->backend);
}

static void
entry_unlist (VireoHosts *self,
              Entry      *entry)
{
  guint position;

  if (entry->backend != NULL && g_list_store_find (self->backends, entry->backend, &position))
    g_list_store_remove (self->backends, position);
}

/**
 * vireo_hosts_set_factory:
 * @factory: (nullable): makes the backend of a saved host
 *
 * Until a factory is set, the saved hosts are listed by
 * vireo_hosts_list_saved() but have no backend: they are neither in
 * vireo_hosts_get_backends() nor connected.  The saved hosts without a
 * backend get one now; set it before vireo_hosts_load() to keep the
 * file's order.
 */
void
vireo_hosts_set_factory (VireoHosts       *self,
                         VireoHostFactory  factory,
                         gpointer          user_data)
{
  g_return_if_fail (VIREO_IS_HOSTS (self));

  self->factory = factory;
  self->factory_data = user_data;
  for (guint i = 0; i < self->entries->len; i++)
    entry_make_backend (self, g_ptr_array_index (self->entries, i));
}

static void
clear_entries (VireoHosts *self)
{
  while (self->entries->len > 0)
    {
      Entry *entry = g_ptr_array_index (self->entries, self->entries->len - 1);

      entry_unlist (self, entry);
      g_ptr_array_remove_index (self->entries, self->entries->len - 1);
    }
  g_ptr_array_set_size (self->load_errors, 0);
}

static Entry *
entry_new (const char *uri,
           const char *title,
           gboolean    autoconnect)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->uri = g_strdup (uri);
  entry->title = title != NULL && *title != '\0' ? g_strdup (title) : NULL;
  entry->autoconnect = autoconnect;
  entry->cancellable = g_cancellable_new ();
  return entry;
}

static void
load_group (VireoHosts *self,
            GKeyFile   *keyfile,
            const char *uri)
{
  g_autofree char *title = NULL;
  gboolean autoconnect;
  GError *error = NULL;
  Entry *entry;

  if (!_vireo_hosts_parse_group (keyfile, uri, &title, &autoconnect, &error))
    {
      /* TRANSLATORS: the hosts file, then why one of its hosts was skipped */
      g_prefix_error (&error, _("Skipped an entry of %s: "), self->file);
      g_ptr_array_add (self->load_errors, vireo_load_error_new (self->file, uri, error));
      return;
    }
  entry = entry_new (uri, title, autoconnect);
  g_ptr_array_add (self->entries, entry);
  entry_make_backend (self, entry);
}

/**
 * vireo_hosts_load:
 * Reads the saved hosts (again: those read before go).  An entry or a
 * line that cannot be read is skipped with one line in
 * vireo_hosts_get_load_errors(), and the others are kept; the file is
 * not written.  Blocks on a small file: main thread.
 *
 * Returns: %FALSE with @error when the file exists and cannot be read
 */
gboolean
vireo_hosts_load (VireoHosts  *self,
                  GError     **error)
{
  g_autoptr(GKeyFile) keyfile = NULL;
  g_auto(GStrv) groups = NULL;
  gboolean intact;

  g_return_val_if_fail (VIREO_IS_HOSTS (self), FALSE);

  clear_entries (self);
  keyfile = _vireo_hosts_read_file (self->file, self->load_errors, &intact, error);
  if (keyfile == NULL)
    return FALSE;
  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    load_group (self, keyfile, groups[i]);
  return TRUE;
}

/**
 * vireo_hosts_get_load_errors:
 * Returns: (transfer none) (element-type VireoLoadError): the entries and
 *   lines the last vireo_hosts_load() skipped; @name is the entry's URI,
 *   or %NULL for a line
 */
GPtrArray *
vireo_hosts_get_load_errors (VireoHosts *self)
{
  g_return_val_if_fail (VIREO_IS_HOSTS (self), NULL);
  return self->load_errors;
}

/**
 * vireo_hosts_list_saved:
 * Returns: (transfer full) (element-type VireoSavedHost): the saved
 *   hosts, in order, each with its backend if it has one
 */
GPtrArray *
vireo_hosts_list_saved (VireoHosts *self)
{
  GPtrArray *list;

  g_return_val_if_fail (VIREO_IS_HOSTS (self), NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_saved_host_free);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      VireoSavedHost *host = g_new0 (VireoSavedHost, 1);

      host->uri = g_strdup (entry->uri);
      host->title = g_strdup (entry->title);
      host->autoconnect = entry->autoconnect;
      host->backend = entry->backend ? g_object_ref (entry->backend) : NULL;
      host->error = entry->error ? g_error_copy (entry->error) : NULL;
      g_ptr_array_add (list, host);
    }
  return list;
}

/* The file as it is now, to change one group of, under @lock (its folder,
 * held until the file is written, so two Vireos saving at once both keep
 * their change): refused when it has lines that writing it back would
 * lose. */
static GKeyFile *
begin_edit (VireoHosts  *self,
            VireoLock  **lock,
            GError     **error)
{
  g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_load_error_free);
  g_autoptr(GKeyFile) keyfile = NULL;
  g_autofree char *dir = g_path_get_dirname (self->file);
  gboolean intact;

  if (!vireo_mkdir_private (dir, error) || (*lock = vireo_lock_folder (dir, 5000, error)) == NULL)
    return NULL;
  keyfile = _vireo_hosts_read_file (self->file, skipped, &intact, error);
  if (keyfile == NULL)
    return NULL;
  if (!intact)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s has lines Vireo cannot read: correct them before changing the saved hosts"),
                   self->file);
      return NULL;
    }
  return g_steal_pointer (&keyfile);
}

static void
drop_load_errors (VireoHosts *self,
                  const char *uri)
{
  for (guint i = self->load_errors->len; i > 0; i--)
    {
      VireoLoadError *skipped = g_ptr_array_index (self->load_errors, i - 1);

      if (g_strcmp0 (skipped->name, uri) == 0)
        g_ptr_array_remove_index (self->load_errors, i - 1);
    }
}

static gboolean
refuse_local (VireoHosts  *self,
              const char  *uri,
              GError     **error)
{
  if (g_strcmp0 (vireo_backend_get_uri (self->local), uri) != 0)
    return FALSE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
               _("'%s' is this computer's own host: it is always listed and cannot be changed"), uri);
  return TRUE;
}

/**
 * vireo_hosts_add:
 * @title: (nullable): what the user calls the host; %NULL or "": its URI
 * @autoconnect: whether vireo_hosts_connect_all() connects it
 *
 * Saves host @uri (vireo_hosts_check_uri()) at the end of the list and
 * gives it a backend if a factory is set; it is not connected.  A host
 * saved already is refused.  The file is written at once.
 */
gboolean
vireo_hosts_add (VireoHosts  *self,
                 const char  *uri,
                 const char  *title,
                 gboolean     autoconnect,
                 GError     **error)
{
  g_autoptr(GKeyFile) keyfile = NULL;
  g_autoptr(VireoLock) lock = NULL;
  Entry *entry;

  g_return_val_if_fail (VIREO_IS_HOSTS (self), FALSE);

  if (!vireo_hosts_check_uri (uri, error) || !_vireo_hosts_check_title (uri, title, error))
    return FALSE;
  if ((keyfile = begin_edit (self, &lock, error)) == NULL)
    return FALSE;
  if (find_entry (self, uri, NULL) != NULL || g_key_file_has_group (keyfile, uri))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("The host '%s' is saved already"), uri);
      return FALSE;
    }
  if (title != NULL && *title != '\0')
    g_key_file_set_string (keyfile, uri, "title", title);
  g_key_file_set_boolean (keyfile, uri, "autoconnect", autoconnect);
  if (!_vireo_hosts_write_file (self->file, keyfile, error))
    return FALSE;
  entry = entry_new (uri, title, autoconnect);
  g_ptr_array_add (self->entries, entry);
  entry_make_backend (self, entry);
  return TRUE;
}

/**
 * vireo_hosts_remove:
 * Forgets host @uri: its entry leaves the file (also one that could not
 * be read), its backend and VMs leave the lists, and its connect is
 * cancelled.  This computer cannot be removed.
 */
gboolean
vireo_hosts_remove (VireoHosts  *self,
                    const char  *uri,
                    GError     **error)
{
  g_autoptr(GKeyFile) keyfile = NULL;
  g_autoptr(VireoLock) lock = NULL;
  Entry *entry;
  guint index = 0;

  g_return_val_if_fail (VIREO_IS_HOSTS (self), FALSE);

  if (refuse_local (self, uri, error) || (keyfile = begin_edit (self, &lock, error)) == NULL)
    return FALSE;
  entry = find_entry (self, uri, &index);
  if (entry == NULL && !g_key_file_has_group (keyfile, uri))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("No saved host is '%s'"), uri);
      return FALSE;
    }
  g_key_file_remove_group (keyfile, uri, NULL);
  if (!_vireo_hosts_write_file (self->file, keyfile, error))
    return FALSE;
  drop_load_errors (self, uri);
  if (entry != NULL)
    {
      entry_unlist (self, entry);
      g_ptr_array_remove_index (self->entries, index);
    }
  return TRUE;
}

/**
 * vireo_hosts_rename:
 * @title: (nullable): the saved host's new title; %NULL or "": none (its
 *   URI is shown)
 */
gboolean
vireo_hosts_rename (VireoHosts  *self,
                    const char  *uri,
                    const char  *title,
                    GError     **error)
{
  g_autoptr(GKeyFile) keyfile = NULL;
  g_autoptr(VireoLock) lock = NULL;
  gboolean empty = title == NULL || *title == '\0';
  Entry *entry;

  g_return_val_if_fail (VIREO_IS_HOSTS (self), FALSE);

  if (refuse_local (self, uri, error) || !_vireo_hosts_check_title (uri, title, error))
    return FALSE;
  if ((entry = find_entry (self, uri, NULL)) == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("No saved host is '%s'"), uri);
      return FALSE;
    }
  if ((keyfile = begin_edit (self, &lock, error)) == NULL)
    return FALSE;
  /* another Vireo removed it meanwhile: this one still shows it */
  if (!g_key_file_has_group (keyfile, uri))
    g_key_file_set_boolean (keyfile, uri, "autoconnect", entry->autoconnect);
  if (empty)
    g_key_file_remove_key (keyfile, uri, "title", NULL);
  else
    g_key_file_set_string (keyfile, uri, "title", title);
  if (!_vireo_hosts_write_file (self->file, keyfile, error))
    return FALSE;
  g_free (entry->title);
  entry->title = empty ? NULL : g_strdup (title);
  if (entry->backend != NULL)
    vireo_backend_set_title (entry->backend, entry->title);
  return TRUE;
}

static void
on_host_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  VireoBackend *backend = VIREO_BACKEND (source);
  g_autoptr(GError) error = NULL;

  /* the host's state and error say why; a front end shows them */
  if (!vireo_backend_connect_finish (backend, result, &error))
    g_debug ("Host %s did not connect: %s", vireo_backend_get_uri (backend), error->message);
}

/**
 * vireo_hosts_connect_all:
 * Connects this computer and every saved host that connects at start
 * and has a backend, all at once: no host waits for another.  Hosts
 * connected or connecting already are left alone; one that fails stays
 * listed, disconnected, with its error (vireo_backend_get_error()).
 */
void
vireo_hosts_connect_all (VireoHosts *self)
{
  g_return_if_fail (VIREO_IS_HOSTS (self));

  if (vireo_backend_get_state (self->local) == VIREO_BACKEND_STATE_DISCONNECTED)
    vireo_backend_connect_async (self->local, self->cancellable, on_host_connected, NULL);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (entry->backend != NULL && entry->autoconnect &&
          vireo_backend_get_state (entry->backend) == VIREO_BACKEND_STATE_DISCONNECTED)
        vireo_backend_connect_async (entry->backend, entry->cancellable, on_host_connected, NULL);
    }
}
