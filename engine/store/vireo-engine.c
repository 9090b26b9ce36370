/* vireo-engine.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine loads every definition it can and reports the rest: one
 * corrupt or unreadable file is skipped with a message, never hiding or
 * touching the others.  Running VMs are found again through their shims'
 * state.json, so a new engine picks up VMs another process started.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vireo-domain-policy.h"
#include "vireo-domain-private.h"
#include "vireo-engine.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"
#include "vireo-load-error.h"
#include "vireo-shim-protocol.h"

struct _VireoEngine
{
  GObject parent_instance;

  VireoPaths *paths;
  GListStore *domains;     /* VireoDomain, in name order */
  GPtrArray *load_errors;  /* VireoLoadError */

  gint64 domains_mtime;    /* of the definitions folder, at the last load */
  gboolean reloading;

  /* what other clients do, as inotify tells it */
  GFileMonitor *domains_monitor;    /* the definitions folder */
  GFileMonitor *run_monitor;        /* the runtime folder: VMs' folders come and go */
  GHashTable *run_dir_monitors;     /* a VM's runtime folder name → GFileMonitor */
  guint reload_id;
  guint reload_delay_ms;
};

G_DEFINE_FINAL_TYPE (VireoEngine, vireo_engine, G_TYPE_OBJECT)

static void
vireo_engine_finalize (GObject *object)
{
  VireoEngine *self = VIREO_ENGINE (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_object (&self->domains_monitor);
  g_clear_object (&self->run_monitor);
  g_clear_pointer (&self->run_dir_monitors, g_hash_table_unref);
  g_clear_object (&self->domains);
  g_clear_pointer (&self->load_errors, g_ptr_array_unref);
  /* domains borrow the paths: they go after the store */
  g_clear_pointer (&self->paths, vireo_paths_free);

  G_OBJECT_CLASS (vireo_engine_parent_class)->finalize (object);
}

static void
vireo_engine_class_init (VireoEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vireo_engine_finalize;
}

static void
vireo_engine_init (VireoEngine *self)
{
  self->domains = g_list_store_new (VIREO_TYPE_DOMAIN);
  self->load_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_load_error_free);
}

/**
 * vireo_engine_new:
 * @root: (nullable): see vireo_paths_new()
 *
 * Nothing is read until vireo_engine_load().
 *
 * Returns: (transfer full): the engine
 */
VireoEngine *
vireo_engine_new (const char *root)
{
  VireoEngine *self = g_object_new (VIREO_TYPE_ENGINE, NULL);

  self->paths = vireo_paths_new (root);
  return self;
}

/**
 * vireo_engine_get_paths:
 * Returns: (transfer none): the tree's folders; they never change, so any
 *   thread may read them
 */
const VireoPaths *
vireo_engine_get_paths (VireoEngine *self)
{
  g_return_val_if_fail (VIREO_IS_ENGINE (self), NULL);

  return self->paths;
}

typedef struct {
  GPtrArray *configs;   /* VireoDomainConfig */
  GPtrArray *errors;    /* VireoLoadError */
  gint64 mtime;         /* of the folder, taken before reading it */
} LoadResult;

static int
compare_domain_ptrs (gconstpointer a,
                     gconstpointer b)
{
  return g_strcmp0 (vireo_domain_get_name (*(VireoDomain * const *) a),
                    vireo_domain_get_name (*(VireoDomain * const *) b));
}

static gint64
folder_mtime (const char *dir)
{
  GStatBuf st;

  return g_stat (dir, &st) == 0 ? (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000 : 0;
}

static void
load_result_free (LoadResult *result)
{
  g_ptr_array_unref (result->configs);
  g_ptr_array_unref (result->errors);
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
  const VireoDomainConfig *other = g_hash_table_lookup (uuids, config->uuid);

  if (other != NULL)
    {
      add_load_error (errors, path, config->name,
                      /* Translators: "Skipped FILE: VM 'a' has the UUID of VM 'b'" */
                      g_error_new (VIREO_ERROR, VIREO_ERROR_EXISTS, _("Skipped %s: VM '%s' has the UUID of VM '%s'"),
                                   path, config->name, other->name));
      return TRUE;
    }
  return FALSE;
}

/* Parses one definition file, or records why it was skipped. */
static VireoDomainConfig *
load_file (const char *path,
           const char *expected,
           GPtrArray  *errors)
{
  g_autofree char *xml = NULL;
  g_autoptr(GError) local_error = NULL;
  VireoDomainConfig *config;
  gsize len;

  if (!g_file_get_contents (path, &xml, &len, &local_error))
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

/* Runs on a worker thread for load_async: only files, no GObjects. */
static LoadResult *
load_files (const VireoPaths *paths)
{
  LoadResult *result = g_new0 (LoadResult, 1);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) uuids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  const char *entry;

  result->configs = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_domain_config_free);
  result->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_load_error_free);
  result->mtime = folder_mtime (paths->domains_dir);

  dir = g_dir_open (paths->domains_dir, 0, &error);
  if (dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        add_load_error (result->errors, paths->domains_dir, NULL, g_steal_pointer (&error));
      return result;
    }
  while ((entry = g_dir_read_name (dir)))
    if (g_str_has_suffix (entry, ".xml") && entry[0] != '.')
      g_ptr_array_add (names, g_strdup (entry));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (paths->domains_dir, name, NULL);
      g_autofree char *expected = g_strndup (name, strlen (name) - 4);
      VireoDomainConfig *config = load_file (path, expected, result->errors);

      if (config == NULL)
        continue;
      if (config_conflicts (uuids, config, result->errors, path))
        {
          vireo_domain_config_free (config);
          continue;
        }
      g_hash_table_insert (uuids, config->uuid, config);
      g_ptr_array_add (result->configs, config);
    }
  return result;
}

static int
compare_domains (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return g_strcmp0 (vireo_domain_get_name ((VireoDomain *) a),
                    vireo_domain_get_name ((VireoDomain *) b));
}

/* Brings the list in line with what was read: new VMs are added, VMs whose
 * file went away are removed, changed definitions replace old ones.  Domain
 * objects of VMs that stay are kept, so front ends keep their rows.  Linear
 * in the number of VMs (a list of 1000 must stay fast). */
static void
apply_load (VireoEngine *self,
            LoadResult  *result)
{
  GListModel *model = G_LIST_MODEL (self->domains);
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);   /* name → config */
  g_autoptr(GHashTable) existing = g_hash_table_new (g_str_hash, g_str_equal); /* name → domain */
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);

  self->domains_mtime = result->mtime;
  for (guint j = 0; j < result->configs->len; j++)
    {
      VireoDomainConfig *config = g_ptr_array_index (result->configs, j);
      g_hash_table_insert (wanted, config->name, config);
    }

  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (model, i - 1);
      VireoDomainConfig *config = g_hash_table_lookup (wanted, vireo_domain_get_name (domain));

      if (config == NULL || !g_str_equal (config->uuid, vireo_domain_get_uuid (domain)))
        g_list_store_remove (self->domains, i - 1);
      else
        g_hash_table_insert (existing, (gpointer) vireo_domain_get_name (domain), domain);
    }

  for (guint j = 0; j < result->configs->len; j++)
    {
      VireoDomainConfig *config = g_ptr_array_index (result->configs, j);
      VireoDomain *domain = g_hash_table_lookup (existing, config->name);

      if (domain == NULL)
        {
          /* take the parsed config: a copy would format and parse it again */
          result->configs->pdata[j] = NULL;
          g_ptr_array_add (added, _vireo_domain_new (self->paths, config));
        }
      else
        {
          g_autofree char *old_xml = vireo_domain_get_xml (domain);
          g_autofree char *new_xml = vireo_domain_config_format (config);

          if (!g_str_equal (old_xml, new_xml))
            _vireo_domain_set_config (domain, vireo_domain_config_copy (config));
        }
    }

  /* a first load is one sorted splice */
  if (g_list_model_get_n_items (model) == 0)
    {
      g_ptr_array_sort (added, compare_domain_ptrs);
      g_list_store_splice (self->domains, 0, 0, added->pdata, added->len);
    }
  else
    for (guint i = 0; i < added->len; i++)
      g_list_store_insert_sorted (self->domains, g_ptr_array_index (added, i), compare_domains, NULL);

  g_ptr_array_set_size (self->load_errors, 0);
  for (guint i = 0; i < result->errors->len; i++)
    {
      VireoLoadError *skipped = g_ptr_array_index (result->errors, i);

      g_debug ("%s", skipped->error->message);
      g_ptr_array_add (self->load_errors, vireo_load_error_copy (skipped));
    }
}

/**
 * vireo_engine_load:
 * Reads every definition, on the calling thread (command-line tools; the
 * GUI uses vireo_engine_load_async()).  Files that do not load are listed
 * by vireo_engine_get_load_errors(); that is not a failure.
 *
 * Returns: %FALSE only when the tree itself cannot be created
 */
gboolean
vireo_engine_load (VireoEngine  *self,
                   GError      **error)
{
  LoadResult *result;

  g_return_val_if_fail (VIREO_IS_ENGINE (self), FALSE);

  if (!vireo_paths_ensure (self->paths, error))
    return FALSE;
  result = load_files (self->paths);
  apply_load (self, result);
  load_result_free (result);
  return TRUE;
}

static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  VireoEngine *self = source_object;
  GError *error = NULL;

  if (!vireo_paths_ensure (self->paths, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, load_files (self->paths), (GDestroyNotify) load_result_free);
}

/* Main context: the list changes here, whether or not anyone calls
 * vireo_engine_load_finish(). */
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
  apply_load (VIREO_ENGINE (source), loaded);
  load_result_free (loaded);
  g_task_return_boolean (task, TRUE);
}

/**
 * vireo_engine_load_async:
 * @cancellable: (nullable): a cancel before the files are read leaves the
 *   list as it was
 *
 * Reads every definition on the worker pool; the list of domains changes
 * on the caller's main context when the reading is done, before @callback
 * runs.
 */
void
vireo_engine_load_async (VireoEngine         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) read = NULL;

  g_return_if_fail (VIREO_IS_ENGINE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_engine_load_async);
  g_task_set_check_cancellable (task, FALSE);
  read = g_task_new (self, cancellable, on_loaded, g_steal_pointer (&task));
  g_task_run_in_thread (read, load_in_thread);
}

gboolean
vireo_engine_load_finish (VireoEngine   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_engine_load_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * vireo_engine_get_load_errors:
 * Returns: (transfer none) (element-type VireoLoadError): one record per
 *   definition the last load skipped, in file name order; valid until
 *   the next load
 */
GPtrArray *
vireo_engine_get_load_errors (VireoEngine *self)
{
  g_return_val_if_fail (VIREO_IS_ENGINE (self), NULL);

  return self->load_errors;
}

/**
 * vireo_engine_lookup_load_error:
 * @name: a VM name
 *
 * Why VM @name is not in the list although its file is there, if the last
 * load skipped that file (a VM that does not exist has no record).
 *
 * Returns: (transfer none) (nullable): the record, valid until the next load
 */
const VireoLoadError *
vireo_engine_lookup_load_error (VireoEngine *self,
                                const char  *name)
{
  for (guint i = 0; i < self->load_errors->len; i++)
    {
      const VireoLoadError *skipped = g_ptr_array_index (self->load_errors, i);

      if (g_strcmp0 (skipped->name, name) == 0)
        return skipped;
    }
  return NULL;
}

/**
 * vireo_engine_get_domains:
 * Returns: (transfer none): the VMs, a #GListModel of #VireoDomain
 */
GListModel *
vireo_engine_get_domains (VireoEngine *self)
{
  g_return_val_if_fail (VIREO_IS_ENGINE (self), NULL);

  return G_LIST_MODEL (self->domains);
}

/**
 * vireo_engine_lookup_domain:
 * Returns: (transfer none) (nullable): the VM named @name
 */
VireoDomain *
vireo_engine_lookup_domain (VireoEngine *self,
                            const char  *name)
{
  guint n;

  g_return_val_if_fail (VIREO_IS_ENGINE (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->domains));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (G_LIST_MODEL (self->domains), i);
      if (g_strcmp0 (vireo_domain_get_name (domain), name) == 0)
        return domain;
    }
  return NULL;
}

/**
 * vireo_engine_suggest_name:
 * @hint: (nullable): what the VM is made from: a file's path
 *   ("debian-12.4.0-amd64-netinst.iso" gives "debian-12.4.0-amd64-netinst")
 *   or a word ("demo")
 *
 * Returns: (transfer full): a valid name no VM has yet, made unique
 *   with -2, -3…
 */
char *
vireo_engine_suggest_name (VireoEngine *self,
                           const char  *hint)
{
  g_autofree char *base = hint ? g_path_get_basename (hint) : g_strdup ("vm");
  char *dot = strrchr (base, '.');
  g_autoptr(GString) clean = g_string_new (NULL);
  char *name;

  g_return_val_if_fail (VIREO_IS_ENGINE (self), NULL);

  if (dot && dot != base)
    *dot = '\0';
  for (const char *p = base; *p && clean->len < 60; p++)
    g_string_append_c (clean, g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-' ? *p : '-');
  while (clean->len > 0 && (clean->str[0] == '.' || clean->str[0] == '-'))
    g_string_erase (clean, 0, 1);
  if (clean->len == 0)
    g_string_append (clean, "vm");
  name = g_strdup (clean->str);
  for (guint i = 2; vireo_engine_lookup_domain (self, name) != NULL; i++)
    {
      g_free (name);
      name = g_strdup_printf ("%s-%u", clean->str, i);
    }
  return name;
}

/**
 * vireo_engine_check_new_name:
 * Whether @name can name a new VM: valid and not taken.
 */
gboolean
vireo_engine_check_new_name (VireoEngine  *self,
                             const char   *name,
                             GError      **error)
{
  g_return_val_if_fail (VIREO_IS_ENGINE (self), FALSE);

  if (!vireo_name_validate (name, error))
    return FALSE;
  if (vireo_engine_lookup_domain (self, name) != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("A VM named '%s' already exists"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_define_conflicts (VireoEngine             *self,
                        const VireoDomainConfig *config,
                        GError                 **error)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->domains));
  g_autofree char *run_dir = vireo_paths_domain_run_dir (self->paths, config->uuid);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) other = g_list_model_get_item (G_LIST_MODEL (self->domains), i);
      gboolean same_name = g_str_equal (vireo_domain_get_name (other), config->name);
      gboolean same_uuid = g_str_equal (vireo_domain_get_uuid (other), config->uuid);

      if (same_name && !same_uuid)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                       _("A VM named '%s' already exists (with another UUID)"), config->name);
          return FALSE;
        }
      if (same_uuid && !same_name)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                       _("VM '%s': UUID %s is already used by VM '%s'"),
                       config->name, config->uuid, vireo_domain_get_name (other));
          return FALSE;
        }
      if (!same_uuid && g_str_equal (run_dir, vireo_domain_get_run_dir (other)))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                       _("VM '%s': its UUID starts like that of VM '%s'; choose another UUID"),
                       config->name, vireo_domain_get_name (other));
          return FALSE;
        }
    }
  return TRUE;
}

/* Writes NAME.xml atomically and durably: on any thread. */
static gboolean
write_definition (const VireoPaths *paths,
                  const char       *name,
                  const char       *xml,
                  GError          **error)
{
  g_autofree char *path = vireo_paths_domain_file (paths, name);

  if (!vireo_paths_ensure (paths, error))
    return FALSE;
  if (!vireo_file_write_atomic (path, xml, -1, 0600, error))
    {
      g_prefix_error (error, _("VM '%s' was not saved: "), name);
      return FALSE;
    }
  return TRUE;
}

/* Puts a written definition in the list: on the main context. */
static VireoDomain *
apply_definition (VireoEngine             *self,
                  const VireoDomainConfig *config)
{
  VireoDomain *domain = vireo_engine_lookup_domain (self, config->name);

  if (domain != NULL)
    _vireo_domain_set_config (domain, vireo_domain_config_copy (config));
  else
    {
      g_autoptr(VireoDomain) created = _vireo_domain_new (self->paths, vireo_domain_config_copy (config));
      g_list_store_insert_sorted (self->domains, created, compare_domains, NULL);
      domain = created;
    }
  return domain;
}

/**
 * vireo_engine_define_domain:
 * @config: (transfer none): the definition; copied
 *
 * Validates and writes the definition atomically.  Defining an existing
 * VM again (same name and UUID) replaces its definition, which a running
 * VM picks up at its next start.
 *
 * Returns: (transfer none): the VM, or %NULL with @error set
 */
VireoDomain *
vireo_engine_define_domain (VireoEngine             *self,
                            const VireoDomainConfig *config,
                            GError                 **error)
{
  g_autofree char *xml = NULL;

  g_return_val_if_fail (VIREO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  if (!vireo_domain_config_validate (config, error) ||
      !check_define_conflicts (self, config, error))
    return NULL;
  xml = vireo_domain_config_format (config);
  if (!write_definition (self->paths, config->name, xml, error))
    return NULL;
  return apply_definition (self, config);
}

typedef struct {
  VireoDomainConfig *config;
  char *xml;
} Define;

static void
define_free (Define *define)
{
  vireo_domain_config_free (define->config);
  g_free (define->xml);
  g_free (define);
}

static void
write_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  VireoEngine *self = source_object;
  Define *define = task_data;
  GError *error = NULL;

  /* only the file: the list changes on the main context.  A cancel that
   * comes after this point is too late: the result then says "written" */
  if (g_cancellable_set_error_if_cancelled (cancellable, &error) ||
      !write_definition (self->paths, define->config->name, define->xml, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoEngine *self = VIREO_ENGINE (source);
  Define *define = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (apply_definition (self, define->config)), g_object_unref);
}

/**
 * vireo_engine_define_domain_async:
 * @config: (transfer none): copied
 *
 * @cancellable: (nullable): stops the write if it has not begun; a VM
 *   whose file was written is in the list and the result says so
 *
 * Like vireo_engine_define_domain(), with the durable write (an fsync) on
 * the worker pool, for front ends with a main loop to keep responsive.
 * The list changes on the caller's main context once the file is
 * written, whether or not anyone calls the _finish function.
 */
void
vireo_engine_define_domain_async (VireoEngine             *self,
                                  const VireoDomainConfig *config,
                                  GCancellable            *cancellable,
                                  GAsyncReadyCallback      callback,
                                  gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) write = NULL;
  Define *define;
  GError *error = NULL;

  g_return_if_fail (VIREO_IS_ENGINE (self));
  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_engine_define_domain_async);
  g_task_set_check_cancellable (task, FALSE);
  if (!vireo_domain_config_validate (config, &error) ||
      !check_define_conflicts (self, config, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  define = g_new0 (Define, 1);
  define->config = vireo_domain_config_copy (config);
  define->xml = vireo_domain_config_format (config);
  g_task_set_task_data (task, define, (GDestroyNotify) define_free);

  write = g_task_new (self, cancellable, on_written, g_steal_pointer (&task));
  g_task_set_task_data (write, define, NULL);
  g_task_set_check_cancellable (write, FALSE);
  g_task_run_in_thread (write, write_in_thread);
}

/**
 * vireo_engine_define_domain_finish:
 * Returns: (transfer full): the VM
 */
VireoDomain *
vireo_engine_define_domain_finish (VireoEngine   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_engine_define_domain_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * vireo_engine_image_in_use:
 * @domain: (nullable): a VM whose own use does not count
 *
 * Returns: whether any other VM's definition refers to @path, as a disk
 *   image, a kernel or an initrd
 */
gboolean
vireo_engine_image_in_use (VireoEngine *self,
                           VireoDomain *domain,
                           const char  *path)
{
  guint n;

  g_return_val_if_fail (VIREO_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (domain == NULL || VIREO_IS_DOMAIN (domain), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->domains));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) other = g_list_model_get_item (G_LIST_MODEL (self->domains), i);
      const VireoDomainConfig *config = vireo_domain_get_config (other);

      if (other == domain)
        continue;
      if (g_strcmp0 (config->kernel, path) == 0 || g_strcmp0 (config->initrd, path) == 0)
        return TRUE;
      for (guint j = 0; j < config->disks->len; j++)
        if (g_strcmp0 (((VireoDiskConfig *) g_ptr_array_index (config->disks, j))->path, path) == 0)
          return TRUE;
    }
  return FALSE;
}

/**
 * vireo_engine_image_deletable:
 * @domain: the VM that would let go of @disk
 *
 * The one rule for what deleting a VM's storage may remove: a writable,
 * unshared disk image with a path that no other VM refers to.  CD-ROMs,
 * read-only and shareable disks always stay.
 */
gboolean
vireo_engine_image_deletable (VireoEngine           *self,
                              VireoDomain           *domain,
                              const VireoDiskConfig *disk)
{
  g_return_val_if_fail (VIREO_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (disk != NULL, FALSE);

  return disk->device == VIREO_DISK_DEVICE_DISK && !disk->readonly && !disk->shareable &&
         disk->path != NULL && !vireo_engine_image_in_use (self, domain, disk->path);
}

/* What undefining one VM deletes: plain paths, so the deleting can run
 * on a worker thread. */
typedef struct {
  VireoDomain *domain;
  char *name;
  char *definition;
  char *run_dir;
  GPtrArray *doomed;             /* disk images */
  gboolean definition_gone;
} Undefine;

static void
undefine_free (Undefine *u)
{
  g_clear_object (&u->domain);
  g_free (u->name);
  g_free (u->definition);
  g_free (u->run_dir);
  g_ptr_array_unref (u->doomed);
  g_free (u);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Undefine, undefine_free)

static Undefine *
undefine_prepare (VireoEngine  *self,
                  VireoDomain  *domain,
                  gboolean      remove_storage,
                  GError      **error)
{
  const VireoDomainConfig *config = vireo_domain_get_config (domain);
  Undefine *u;

  vireo_domain_refresh_state (domain);
  if (!vireo_domain_check (domain, VIREO_DOMAIN_OP_DELETE, error))
    return NULL;
  u = g_new0 (Undefine, 1);
  u->domain = g_object_ref (domain);
  u->name = g_strdup (config->name);
  u->definition = vireo_paths_domain_file (self->paths, config->name);
  u->run_dir = g_strdup (vireo_domain_get_run_dir (domain));
  u->doomed = g_ptr_array_new_with_free_func (g_free);
  /* chosen now, while the other VMs' definitions can say which images they use */
  if (remove_storage)
    for (guint i = 0; i < config->disks->len; i++)
      {
        const VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);

        if (vireo_engine_image_deletable (self, domain, disk))
          g_ptr_array_add (u->doomed, g_strdup (disk->path));
      }
  /* a kernel and initrd in Vireo's own images folder were copied there
   * for this VM (the demo's): they go with its disks */
  if (remove_storage)
    {
      const char *boot_files[] = { config->kernel, config->initrd };

      for (guint i = 0; i < G_N_ELEMENTS (boot_files); i++)
        {
          g_autofree char *dir = boot_files[i] ? g_path_get_dirname (boot_files[i]) : NULL;

          if (dir && g_str_equal (dir, self->paths->images_dir) &&
              !vireo_engine_image_in_use (self, domain, boot_files[i]))
            g_ptr_array_add (u->doomed, g_strdup (boot_files[i]));
        }
    }
  return u;
}

/* Any thread.  The definition goes first: a VM is never left defined
 * without its disks. */
static gboolean
undefine_files (Undefine  *u,
                GError   **error)
{
  static const char *leftovers[] = { "state.json", "domain.xml", "qemu-argv", NULL };

  if (g_unlink (u->definition) != 0 && errno != ENOENT)
    {
      vireo_set_io_error (error, errno, _("VM '%s': cannot delete %s"), u->name, u->definition);
      return FALSE;
    }
  u->definition_gone = TRUE;
  for (guint i = 0; leftovers[i]; i++)
    {
      g_autofree char *file = g_build_filename (u->run_dir, leftovers[i], NULL);
      g_unlink (file);
    }
  g_rmdir (u->run_dir);
  for (guint i = 0; i < u->doomed->len; i++)
    if (g_unlink (g_ptr_array_index (u->doomed, i)) != 0 && errno != ENOENT)
      {
        vireo_set_io_error (error, errno, _("VM '%s' was deleted, but not its disk %s"),
                            u->name, (const char *) g_ptr_array_index (u->doomed, i));
        return FALSE;
      }
  return TRUE;
}

static void
undefine_forget (VireoEngine *self,
                 Undefine    *u)
{
  guint position;

  if (u->definition_gone && g_list_store_find (self->domains, u->domain, &position))
    g_list_store_remove (self->domains, position);
}

/**
 * vireo_engine_undefine_domain:
 * @remove_storage: also delete the VM's writable disk images that no other
 *   VM uses (CD-ROMs, read-only and shared disks are never deleted), and
 *   a kernel and initrd kept in Vireo's images folder for it
 *
 * The VM must be shut off.  Deletes on the calling thread: front ends on a
 * main loop use vireo_engine_undefine_domain_async().
 */
gboolean
vireo_engine_undefine_domain (VireoEngine  *self,
                              VireoDomain  *domain,
                              gboolean      remove_storage,
                              GError      **error)
{
  g_autoptr(Undefine) u = NULL;
  gboolean ok;

  g_return_val_if_fail (VIREO_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (VIREO_IS_DOMAIN (domain), FALSE);

  u = undefine_prepare (self, domain, remove_storage, error);
  if (u == NULL)
    return FALSE;
  ok = undefine_files (u, error);
  undefine_forget (self, u);
  return ok;
}

static void
undefine_in_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;

  if (undefine_files (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Main context: the VM leaves the list here, so a caller that never
 * calls vireo_engine_undefine_domain_finish() sees no ghost row. */
static void
on_undefined (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  undefine_forget (VIREO_ENGINE (source), g_task_get_task_data (task));
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * vireo_engine_undefine_domain_async:
 * @domain: (transfer none): a VM of this engine; referenced until done
 * @cancellable: (nullable): cancelling only detaches the caller: once
 *   begun, deleting finishes (a half-deleted VM helps no one), and the
 *   result says what was deleted
 *
 * As vireo_engine_undefine_domain(), with the deleting on the worker
 * pool.  The VM leaves the model on the caller's main context as soon as
 * its definition is deleted, before @callback runs.
 */
void
vireo_engine_undefine_domain_async (VireoEngine         *self,
                                    VireoDomain         *domain,
                                    gboolean             remove_storage,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) delete = NULL;
  GError *error = NULL;
  Undefine *u;

  g_return_if_fail (VIREO_IS_ENGINE (self));
  g_return_if_fail (VIREO_IS_DOMAIN (domain));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_engine_undefine_domain_async);
  g_task_set_check_cancellable (task, FALSE);
  u = undefine_prepare (self, domain, remove_storage, &error);
  if (u == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, u, (GDestroyNotify) undefine_free);
  delete = g_task_new (self, cancellable, on_undefined, g_steal_pointer (&task));
  g_task_set_task_data (delete, u, NULL);
  g_task_set_check_cancellable (delete, FALSE);
  g_task_run_in_thread (delete, undefine_in_thread);
}

gboolean
vireo_engine_undefine_domain_finish (VireoEngine   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_engine_undefine_domain_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
mac_in_use (VireoEngine *self,
            const char  *mac)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->domains));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (G_LIST_MODEL (self->domains), i);
      const VireoDomainConfig *config = vireo_domain_get_config (domain);

      for (guint j = 0; j < config->nics->len; j++)
        if (g_ascii_strcasecmp (((VireoNicConfig *) g_ptr_array_index (config->nics, j))->mac, mac) == 0)
          return TRUE;
    }
  return FALSE;
}

/**
 * vireo_engine_generate_mac:
 * Returns: (transfer full): a new 52:54:00 MAC that no defined VM uses
 *   (two guests on one network with the same MAC lose their packets)
 */
char *
vireo_engine_generate_mac (VireoEngine *self)
{
  char *mac;

  g_return_val_if_fail (VIREO_IS_ENGINE (self), NULL);

  mac = vireo_mac_generate (NULL);
  while (mac_in_use (self, mac))
    {
      g_free (mac);
      mac = vireo_mac_generate (NULL);
    }
  return mac;
}

/**
 * vireo_engine_default_disk_path:
 * Returns: (transfer full): NAME.qcow2 in the images folder; only a name,
 *   nothing is looked at
 */
char *
vireo_engine_default_disk_path (VireoEngine *self,
                                const char  *name)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (VIREO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  base = g_strconcat (name, ".qcow2", NULL);
  return g_build_filename (self->paths->images_dir, base, NULL);
}

static void
on_reloaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  VireoEngine *self = VIREO_ENGINE (source);
  g_autoptr(GError) error = NULL;

  self->reloading = FALSE;
  if (!vireo_engine_load_finish (self, result, &error))
    g_debug ("Reloading definitions failed: %s", error->message);
}

/* Events, not polling: a change to the definitions folder reads it again
 * (on the worker pool, once the burst of events is over); a change to a
 * VM's state.json reads that VM's state.  A shim that dies without
 * writing is seen by its VM through a pidfd (vireo-domain.c). */

static gboolean
on_reload_due (gpointer user_data)
{
  VireoEngine *self = user_data;

  self->reload_id = 0;
  if (self->reloading)
    {
      /* a load is under way: look again after it */
      self->reload_id = g_timeout_add (self->reload_delay_ms, on_reload_due, self);
      return G_SOURCE_REMOVE;
    }
  if (folder_mtime (self->paths->domains_dir) != self->domains_mtime)
    {
      self->reloading = TRUE;
      vireo_engine_load_async (self, NULL, on_reloaded, NULL);
    }
  return G_SOURCE_REMOVE;
}

static void
on_domains_folder_changed (GFileMonitor      *monitor,
                           GFile             *file,
                           GFile             *other,
                           GFileMonitorEvent  event,
                           VireoEngine       *self)
{
  if (self->reload_id == 0)
    self->reload_id = g_timeout_add (self->reload_delay_ms, on_reload_due, self);
}

/* The VM whose runtime folder is called @id, if any. */
static VireoDomain *
domain_for_run_dir (VireoEngine *self,
                    const char  *id)
{
  GListModel *model = G_LIST_MODEL (self->domains);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (model, i);
      g_autofree char *base = g_path_get_basename (vireo_domain_get_run_dir (domain));

      if (g_str_equal (base, id))
        return domain;
    }
  return NULL;
}

static void
refresh_run_dir (VireoEngine *self,
                 const char  *id)
{
  VireoDomain *domain = domain_for_run_dir (self, id);

  if (domain != NULL)
    vireo_domain_refresh_state (domain);
}

static gboolean
names_state_file (GFile *file)
{
  g_autofree char *base = file ? g_file_get_basename (file) : NULL;

  return g_strcmp0 (base, VIREO_STATE_FILE) == 0;
}

static void
on_run_dir_changed (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    VireoEngine       *self)
{
  /* state.json is written to a temporary file and renamed over */
  if (names_state_file (file) || names_state_file (other))
    refresh_run_dir (self, g_object_get_data (G_OBJECT (monitor), "vireo-run-id"));
}

static void
watch_run_dir (VireoEngine *self,
               GFile       *dir)
{
  g_autofree char *id = g_file_get_basename (dir);
  g_autoptr(GFileMonitor) monitor = NULL;

  if (g_hash_table_contains (self->run_dir_monitors, id))
    return;
  monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (monitor == NULL)
    return;
  g_object_set_data_full (G_OBJECT (monitor), "vireo-run-id", g_strdup (id), g_free);
  g_signal_connect (monitor, "changed", G_CALLBACK (on_run_dir_changed), self);
  g_hash_table_insert (self->run_dir_monitors, g_steal_pointer (&id), g_steal_pointer (&monitor));
}

static void
on_run_folder_changed (GFileMonitor      *monitor,
                       GFile             *file,
                       GFile             *other,
                       GFileMonitorEvent  event,
                       VireoEngine       *self)
{
  g_autofree char *id = g_file_get_basename (file);

  if (event == G_FILE_MONITOR_EVENT_DELETED || event == G_FILE_MONITOR_EVENT_MOVED_OUT)
    g_hash_table_remove (self->run_dir_monitors, id);
  else if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL) == G_FILE_TYPE_DIRECTORY)
    watch_run_dir (self, file);
  refresh_run_dir (self, id);
}

/* One watch per VM folder that exists now; new ones are added as the
 * runtime folder reports them. */
static void
watch_run_dirs (VireoEngine *self)
{
  g_autoptr(GFile) root = g_file_new_for_path (self->paths->run_dir);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;
  GFile *child;

  self->run_monitor = g_file_monitor_directory (root, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->run_monitor != NULL)
    g_signal_connect (self->run_monitor, "changed", G_CALLBACK (on_run_folder_changed), self);
  children = g_file_enumerate_children (root, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                        NULL, NULL);
  while (children && g_file_enumerator_iterate (children, &info, &child, NULL, NULL) && info)
    if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
      watch_run_dir (self, child);
}

/**
 * vireo_engine_start_monitoring:
 * @interval_ms: how long a burst of changes to the definitions folder
 *   may last before the folder is read again
 *
 * Keeps the list and every VM's state current with what other clients do
 * (vireoctl, another window), from inotify events on the definitions and
 * runtime folders: nothing is read while nothing changes.  Main thread.
 */
void
vireo_engine_start_monitoring (VireoEngine *self,
                               guint        interval_ms)
{
  g_autoptr(GFile) domains = NULL;

  g_return_if_fail (VIREO_IS_ENGINE (self));
  g_return_if_fail (self->domains_monitor == NULL);

  self->reload_delay_ms = MAX (interval_ms / 4, 10);
  vireo_paths_ensure (self->paths, NULL);
  domains = g_file_new_for_path (self->paths->domains_dir);
  self->domains_monitor = g_file_monitor_directory (domains, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->domains_monitor != NULL)
    g_signal_connect (self->domains_monitor, "changed", G_CALLBACK (on_domains_folder_changed), self);
  self->run_dir_monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  watch_run_dirs (self);
  /* what changed before the watches began */
  on_domains_folder_changed (NULL, NULL, NULL, 0, self);
}
