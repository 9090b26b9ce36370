/* vireo-local-backend-load.c: reading every definition
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine loads every definition it can and reports the rest: one
 * corrupt or unreadable file is skipped with a record of why, never
 * hiding or touching the others.  Files are read on a worker thread; the
 * list changes on the main context.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vireo-domain-policy.h"
#include "vireo-local-domain-private.h"
#include "vireo-local-backend-private.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"
#include "vireo-load-error.h"
#include "vireo-shim-protocol.h"

/* What identifies one version of a definition file without reading it:
 * an atomic rewrite makes a new inode, an edit in place a new mtime. */
typedef struct {
  gint64 mtime_ns;
  goffset size;
  guint64 inode;
  char *uuid;           /* of the VM it defines, for the UUID check */
} VireoFileStamp;

typedef struct {
  guint generation;     /* VireoLocalBackend:generation when the reading began */
  GPtrArray *configs;   /* VireoDomainConfig, of new and changed files */
  GPtrArray *unchanged; /* VM names whose file is as last loaded */
  GPtrArray *errors;    /* VireoLoadError */
  GHashTable *stamps;   /* the new VireoLocalBackend:stamps */
  GPtrArray *networks;  /* VireoNetworkLoaded: every network definition */
  GPtrArray *network_errors; /* VireoLoadError */
} LoadResult;

static void
stamp_free (VireoFileStamp *stamp)
{
  g_free (stamp->uuid);
  g_free (stamp);
}

GHashTable *
_vireo_local_backend_new_stamps (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) stamp_free);
}

static void
stamp_from_stat (VireoFileStamp *stamp,
                 const GStatBuf *st)
{
  stamp->mtime_ns = (gint64) st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
  stamp->size = st->st_size;
  stamp->inode = st->st_ino;
}

static gboolean
read_stamp (const char     *path,
            VireoFileStamp *stamp)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return FALSE;
  stamp_from_stat (stamp, &st);
  return TRUE;
}

/* The file's text and, from the same open file, its stamp: one open, one
 * fstat and the reads, for each of a thousand definitions. */
static gboolean
read_file (const char      *path,
           char           **contents,
           gsize           *len,
           VireoFileStamp  *stamp,
           GError         **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  struct stat st;
  char buf[8192];
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   _("Cannot read %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  stamp_from_stat (stamp, &st);
  while ((n = read (fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (text, buf, n);
  if (n < 0)
    {
      int errsv = errno;

      close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   _("Cannot read %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  close (fd);
  *len = text->len;
  *contents = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

static VireoFileStamp *
stamp_copy (const VireoFileStamp *stamp,
            const char           *uuid)
{
  VireoFileStamp *copy = g_new0 (VireoFileStamp, 1);

  *copy = *stamp;
  copy->uuid = g_strdup (uuid);
  return copy;
}

static int
compare_domain_ptrs (gconstpointer a,
                     gconstpointer b)
{
  return g_strcmp0 (vireo_domain_get_name (*(VireoDomain * const *) a),
                    vireo_domain_get_name (*(VireoDomain * const *) b));
}

static void
load_result_free (LoadResult *result)
{
  g_ptr_array_unref (result->configs);
  g_ptr_array_unref (result->unchanged);
  g_ptr_array_unref (result->errors);
  g_clear_pointer (&result->stamps, g_hash_table_unref);
  g_ptr_array_unref (result->networks);
  g_ptr_array_unref (result->network_errors);
  g_free (result);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Records that @path (the definition of VM @name) was skipped. */
static void
add_load_error (GPtrArray  *errors,
                const char *path,
                const char *name,
                GError     *error)
{
  g_ptr_array_add (errors, vireo_load_error_new (path, name, error));
}

/* A second definition with a UUID already seen is skipped: two VMs would
 * share a runtime folder. */
static gboolean
config_conflicts (GHashTable              *uuids,
                  const VireoDomainConfig *config,
                  GPtrArray               *errors,
                  const char              *path)
{
  const char *other = g_hash_table_lookup (uuids, config->uuid);

  if (other != NULL)
    {
      add_load_error (errors, path, config->name,
                      /* Translators: "Skipped FILE: VM 'a' has the UUID of VM 'b'" */
                      g_error_new (VIREO_ERROR, VIREO_ERROR_EXISTS, _("Skipped %s: VM '%s' has the UUID of VM '%s'"),
                                   path, config->name, other));
      return TRUE;
    }
  return FALSE;
}

/* Parses one definition file, or records why it was skipped. */
static VireoDomainConfig *
load_file (const char     *path,
           const char     *expected,
           VireoFileStamp *stamp,
           GPtrArray      *errors)
{
  g_autofree char *xml = NULL;
  g_autoptr(GError) local_error = NULL;
  VireoDomainConfig *config;
  gsize len;

  if (!read_file (path, &xml, &len, stamp, &local_error))
    {
      add_load_error (errors, path, expected,
                      g_error_new (local_error->domain, local_error->code,
                                   /* Translators: %s is why a definition could not be
                                    * read, naming the file */
                                   _("Skipped %s"), local_error->message));
      return NULL;
    }
  config = vireo_domain_config_parse (xml, len, path, &local_error);
  if (config == NULL)
    {
      add_load_error (errors, path, expected,
                      g_error_new (local_error->domain, local_error->code,
                                   /* Translators: "Skipped FILE: why it does not load" */
                                   _("Skipped %s: %s"), path, local_error->message));
      return NULL;
    }
  if (!g_str_equal (config->name, expected))
    {
      add_load_error (errors, path, expected,
                      g_error_new (VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                                   /* Translators: "Skipped FILE: it defines VM 'a', not 'b'" */
                                   _("Skipped %s: it defines VM '%s', not '%s'"),
                                   path, config->name, expected));
      vireo_domain_config_free (config);
      return NULL;
    }
  return config;
}

/* The definition files, sorted by name. */
static GPtrArray *
list_files (const VireoPaths *paths,
            GPtrArray        *errors)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *entry;

  dir = g_dir_open (paths->domains_dir, 0, &error);
  if (dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        add_load_error (errors, paths->domains_dir, NULL, g_steal_pointer (&error));
      return g_steal_pointer (&names);
    }
  while ((entry = g_dir_read_name (dir)))
    if (g_str_has_suffix (entry, ".xml") && entry[0] != '.')
      g_ptr_array_add (names, g_strdup (entry));
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

/* Runs on a worker thread for load_async: only files, no GObjects.  A
 * file whose stamp is in @known is not read again: reloading after
 * another client changed one VM costs one parse, not a thousand. */
static LoadResult *
load_files (const VireoPaths *paths,
            GHashTable       *known)
{
  LoadResult *result = g_new0 (LoadResult, 1);
  g_autoptr(GHashTable) uuids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free); /* uuid → VM name */
  g_autoptr(GPtrArray) names = NULL;

  result->configs = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_domain_config_free);
  result->unchanged = g_ptr_array_new_with_free_func (g_free);
  result->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_load_error_free);
  result->stamps = _vireo_local_backend_new_stamps ();
  result->network_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_load_error_free);
  result->networks = _vireo_local_backend_read_networks (paths, result->network_errors);
  names = list_files (paths, result->errors);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (paths->domains_dir, name, NULL);
      g_autofree char *expected = g_strndup (name, strlen (name) - 4);
      const VireoFileStamp *before = known ? g_hash_table_lookup (known, name) : NULL;
      VireoFileStamp now = { 0 };
      VireoDomainConfig *config;

      /* a file not seen before is read at once: its stamp comes with it */
      if (before != NULL && read_stamp (path, &now) && now.mtime_ns == before->mtime_ns &&
          now.size == before->size && now.inode == before->inode &&
          !g_hash_table_contains (uuids, before->uuid))
        {
          g_hash_table_insert (uuids, g_strdup (before->uuid), g_strdup (expected));
          g_hash_table_insert (result->stamps, g_strdup (name), stamp_copy (before, before->uuid));
          g_ptr_array_add (result->unchanged, g_steal_pointer (&expected));
          continue;
        }
      config = load_file (path, expected, &now, result->errors);
      if (config == NULL)
        continue;
      if (config_conflicts (uuids, config, result->errors, path))
        {
          vireo_domain_config_free (config);
          continue;
        }
      g_hash_table_insert (uuids, g_strdup (config->uuid), g_strdup (config->name));
      if (now.inode != 0)
        g_hash_table_insert (result->stamps, g_strdup (name), stamp_copy (&now, config->uuid));
      g_ptr_array_add (result->configs, config);
    }
  return result;
}

/* Brings the list in line with what was read: new VMs are added, VMs whose
 * file went away are removed, changed definitions replace old ones.  Domain
 * objects of VMs that stay are kept, so front ends keep their rows.  Linear
 * in the number of VMs (a list of 1000 must stay fast). */
/* New VMs into the list; a first load is one sorted splice. */
static void
insert_added (VireoLocalBackend *self,
              GPtrArray         *added)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->domains)) == 0)
    {
      g_ptr_array_sort (added, compare_domain_ptrs);
      g_list_store_splice (self->domains, 0, 0, added->pdata, added->len);
    }
  else
    for (guint i = 0; i < added->len; i++)
      g_list_store_insert_sorted (self->domains, g_ptr_array_index (added, i), _vireo_backend_compare_domains, NULL);
}

static void
keep_errors (VireoLocalBackend *self,
             GPtrArray         *errors)
{
  g_ptr_array_set_size (self->load_errors, 0);
  for (guint i = 0; i < errors->len; i++)
    {
      VireoLoadError *skipped = g_ptr_array_index (errors, i);

      g_debug ("%s", skipped->error->message);
      g_ptr_array_add (self->load_errors, vireo_load_error_copy (skipped));
    }
}

static void
apply_load (VireoLocalBackend *self,
            LoadResult        *result)
{
  GListModel *model = G_LIST_MODEL (self->domains);
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);   /* name → config */
  g_autoptr(GHashTable) existing = g_hash_table_new (g_str_hash, g_str_equal); /* name → domain */
  g_autoptr(GHashTable) unchanged = g_hash_table_new (g_str_hash, g_str_equal); /* names */
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);

  self->loads++;
  g_clear_pointer (&self->stamps, g_hash_table_unref);
  self->stamps = g_hash_table_ref (result->stamps);
  for (guint j = 0; j < result->configs->len; j++)
    {
      VireoDomainConfig *config = g_ptr_array_index (result->configs, j);
      g_hash_table_insert (wanted, config->name, config);
    }
  for (guint j = 0; j < result->unchanged->len; j++)
    g_hash_table_add (unchanged, g_ptr_array_index (result->unchanged, j));

  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (model, i - 1);
      const char *name = vireo_domain_get_name (domain);
      VireoDomainConfig *config = g_hash_table_lookup (wanted, name);

      if (config == NULL && g_hash_table_contains (unchanged, name))
        continue;   /* its file is as it was: nothing to do */
      /* defined by this process after the files were read: the reading
       * is older than what the list holds */
      if (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (domain), VIREO_LOCAL_BACKEND_DEFINED_AT)) > result->generation)
        {
          g_hash_table_insert (existing, (gpointer) name, domain);
          continue;
        }
      if (config == NULL || !g_str_equal (config->uuid, vireo_domain_get_uuid (domain)))
        g_list_store_remove (self->domains, i - 1);
      else
        g_hash_table_insert (existing, (gpointer) name, domain);
    }

  for (guint j = 0; j < result->configs->len; j++)
    {
      VireoDomainConfig *config = g_ptr_array_index (result->configs, j);
      VireoDomain *domain = g_hash_table_lookup (existing, config->name);

      if (domain != NULL &&
          GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (domain), VIREO_LOCAL_BACKEND_DEFINED_AT)) > result->generation)
        continue;
      if (domain == NULL)
        {
          /* take the parsed config: a copy would format and parse it again */
          result->configs->pdata[j] = NULL;
          g_ptr_array_add (added, _vireo_local_domain_new (VIREO_BACKEND (self), self->paths, config));
        }
      else
        {
          g_autofree char *old_xml = vireo_domain_get_xml (domain);
          g_autofree char *new_xml = vireo_domain_config_format (config);

          if (!g_str_equal (old_xml, new_xml))
            _vireo_local_domain_set_config (VIREO_LOCAL_DOMAIN (domain), vireo_domain_config_copy (config));
        }
    }

  insert_added (self, added);
  keep_errors (self, result->errors);
  _vireo_local_backend_apply_networks (self, result->networks, result->network_errors);
}

/**
 * vireo_local_backend_load:
 * Reads every definition, on the calling thread (command-line tools; the
 * GUI uses vireo_local_backend_load_async()).  Files that do not load are listed
 * by vireo_local_backend_get_load_errors(); that is not a failure.
 *
 * Returns: %FALSE only when the tree itself cannot be created
 */
gboolean
vireo_local_backend_load (VireoLocalBackend  *self,
                          GError            **error)
{
  LoadResult *result;

  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), FALSE);

  if (!vireo_paths_ensure (self->paths, error))
    {
      _vireo_backend_set_state (VIREO_BACKEND (self), VIREO_BACKEND_STATE_DISCONNECTED, error ? *error : NULL);
      return FALSE;
    }
  result = load_files (self->paths, self->stamps);
  result->generation = self->generation;
  apply_load (self, result);
  load_result_free (result);
  _vireo_backend_set_state (VIREO_BACKEND (self), VIREO_BACKEND_STATE_CONNECTED, NULL);
  return TRUE;
}

static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  VireoLocalBackend *self = source_object;
  GError *error = NULL;

  if (!vireo_paths_ensure (self->paths, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, load_files (self->paths, task_data), (GDestroyNotify) load_result_free);
}

/* Main context: the list changes here, whether or not anyone calls
 * vireo_local_backend_load_finish(). */
static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  LoadResult *loaded = g_task_propagate_pointer (G_TASK (result), &error);

  if (loaded == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  loaded->generation = GPOINTER_TO_UINT (g_task_get_task_data (task));
  apply_load (VIREO_LOCAL_BACKEND (source), loaded);
  load_result_free (loaded);
  g_task_return_boolean (task, TRUE);
}

/**
 * vireo_local_backend_load_async:
 * @cancellable: (nullable): a cancel before the files are read leaves the
 *   list as it was
 *
 * Reads every definition on the worker pool; the list of domains changes
 * on the caller's main context when the reading is done, before @callback
 * runs.
 */
void
vireo_local_backend_load_async (VireoLocalBackend   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) read = NULL;

  g_return_if_fail (VIREO_IS_LOCAL_BACKEND (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_local_backend_load_async);
  /* this process's definitions from here on are newer than the reading */
  g_task_set_task_data (task, GUINT_TO_POINTER (self->generation), NULL);
  read = g_task_new (self, cancellable, on_loaded, g_steal_pointer (&task));
  /* the stamps of what is loaded now: the thread reads this table only */
  if (self->stamps != NULL)
    g_task_set_task_data (read, g_hash_table_ref (self->stamps), (GDestroyNotify) g_hash_table_unref);
  g_task_run_in_thread (read, load_in_thread);
}

gboolean
vireo_local_backend_load_finish (VireoLocalBackend  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_local_backend_load_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Connecting to this machine is reading its definitions (the base moves
 * the state around it). */
static void
local_connect_async (VireoBackend        *backend,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  vireo_local_backend_load_async (VIREO_LOCAL_BACKEND (backend), cancellable, callback, user_data);
}

static gboolean
local_connect_finish (VireoBackend  *backend,
                      GAsyncResult  *result,
                      GError       **error)
{
  return vireo_local_backend_load_finish (VIREO_LOCAL_BACKEND (backend), result, error);
}

void
_vireo_local_backend_class_init_load (VireoBackendClass *klass)
{
  klass->connect_async = local_connect_async;
  klass->connect_finish = local_connect_finish;
}

/**
 * vireo_local_backend_get_load_errors:
 * Returns: (transfer none) (element-type VireoLoadError): one record per
 *   definition the last load skipped, in file name order; valid until
 *   the next load
 */
GPtrArray *
vireo_local_backend_get_load_errors (VireoLocalBackend *self)
{
  g_return_val_if_fail (VIREO_IS_LOCAL_BACKEND (self), NULL);

  return self->load_errors;
}

/**
 * vireo_local_backend_lookup_load_error:
 * @name: a VM name
 *
 * Why VM @name is not in the list although its file is there, if the last
 * load skipped that file (a VM that does not exist has no record).
 *
 * Returns: (transfer none) (nullable): the record, valid until the next load
 */
const VireoLoadError *
vireo_local_backend_lookup_load_error (VireoLocalBackend *self,
                                       const char        *name)
{
  for (guint i = 0; i < self->load_errors->len; i++)
    {
      const VireoLoadError *skipped = g_ptr_array_index (self->load_errors, i);

      if (g_strcmp0 (skipped->name, name) == 0)
        return skipped;
    }
  return NULL;
}

guint
_vireo_local_backend_get_load_count (VireoLocalBackend *self)
{
  return self->loads;
}
