/* vireo-backend.c: what every host has, decided once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list of VMs (in name order, as every front end shows it), the
 * rules about names and MACs, and the connection's state live here; a
 * subclass fills the list and does the work through the class's vfuncs.
 */
#include <string.h>

#include "vireo-backend-private.h"
#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"

typedef struct
{
  char *uri;
  char *title;
  VireoBackendState state;
  GError *error;            /* why the state is what it is, or NULL */
  VireoBackendCaps caps;
  GListStore *domains;      /* VireoDomain, in name order */
  GListStore *networks;     /* VireoNetwork, in name order */
  GRand *rand;              /* for new MACs; NULL: GLib's global source */
  gint64 retry_at;          /* when a lost host is tried again (real time), or 0 */
} VireoBackendPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (VireoBackend, vireo_backend, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_TITLE,
  PROP_STATE,
  PROP_CAPS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vireo_backend_finalize (GObject *object)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (VIREO_BACKEND (object));

  g_clear_object (&priv->domains);
  g_clear_object (&priv->networks);
  g_clear_pointer (&priv->uri, g_free);
  g_clear_pointer (&priv->title, g_free);
  g_clear_error (&priv->error);
  g_clear_pointer (&priv->rand, g_rand_free);

  G_OBJECT_CLASS (vireo_backend_parent_class)->finalize (object);
}

static void
vireo_backend_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (VIREO_BACKEND (object));

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, priv->uri);
      break;
    case PROP_TITLE:
      g_value_set_string (value, priv->title);
      break;
    case PROP_STATE:
      g_value_set_int (value, priv->state);
      break;
    case PROP_CAPS:
      g_value_set_uint (value, priv->caps);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_backend_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  VireoBackend *self = VIREO_BACKEND (object);
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_URI:
      priv->uri = g_value_dup_string (value);
      break;
    case PROP_TITLE:
      vireo_backend_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/**
 * _vireo_backend_path_in_use:
 * @except: (nullable): a VM not to count
 *
 * Returns: whether a VM of the host's list other than @except has a disk
 *   or CD-ROM at @path, or stands on it (a base of its disk's chain)
 */
gboolean
_vireo_backend_path_in_use (VireoBackend *self,
                            VireoDomain  *except,
                            const char   *path)
{
  GListModel *list = vireo_backend_get_domains (self);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(VireoDomain) other = g_list_model_get_item (list, i);
      const VireoDomainConfig *config = vireo_domain_get_config (other);

      if (other == except)
        continue;
      for (guint j = 0; config->disks != NULL && j < config->disks->len; j++)
        {
          VireoDiskConfig *disk = g_ptr_array_index (config->disks, j);

          if (g_strcmp0 (disk->path, path) == 0 ||
              (disk->backing != NULL && g_strv_contains ((const char * const *) disk->backing, path)))
            return TRUE;
        }
    }
  return FALSE;
}

static gboolean
vireo_backend_real_image_deletable (VireoBackend          *self,
                                    VireoDomain           *domain,
                                    const VireoDiskConfig *disk)
{
  return disk->device == VIREO_DISK_DEVICE_DISK && !disk->readonly && !disk->shareable &&
         disk->path != NULL && !_vireo_backend_path_in_use (self, domain, disk->path);
}

/**
 * vireo_backend_image_deletable:
 * @domain: the VM that would let go of @disk
 *
 * The one rule, per host, for what deleting a VM's storage may remove; a
 * front end offers "delete the image" only when it says yes.  CD-ROMs,
 * read-only and shareable disks, and images another VM uses always stay
 * (on a libvirt host, also those a definition Vireo shows only in summary
 * may use)
 * (on this machine, also images outside Vireo's images folder; on a
 * libvirt host, files that are no volume of its pools).
 */
gboolean
vireo_backend_image_deletable (VireoBackend          *self,
                               VireoDomain           *domain,
                               const VireoDiskConfig *disk)
{
  g_return_val_if_fail (VIREO_IS_BACKEND (self), FALSE);
  g_return_val_if_fail (VIREO_IS_DOMAIN (domain), FALSE);
  g_return_val_if_fail (disk != NULL, FALSE);

  return VIREO_BACKEND_GET_CLASS (self)->image_deletable (self, domain, disk);
}

static void
vireo_backend_class_init (VireoBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  klass->image_deletable = vireo_backend_real_image_deletable;

  object_class->finalize = vireo_backend_finalize;
  object_class->get_property = vireo_backend_get_property;
  object_class->set_property = vireo_backend_set_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* a VireoBackendState */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, VIREO_BACKEND_STATE_DISCONNECTED, VIREO_BACKEND_STATE_RECONNECTING,
                      VIREO_BACKEND_STATE_DISCONNECTED, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* VireoBackendCaps */
  properties[PROP_CAPS] =
    g_param_spec_uint ("caps", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vireo_backend_init (VireoBackend *self)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  priv->domains = g_list_store_new (VIREO_TYPE_DOMAIN);
  priv->networks = g_list_store_new (VIREO_TYPE_NETWORK);
}

/**
 * vireo_backend_get_uri:
 * Returns: where the host is: "vireo:///session" for this machine's
 *   engine, a libvirt URI for the others
 */
const char *
vireo_backend_get_uri (VireoBackend *self)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);
  return priv->uri;
}

/**
 * vireo_backend_get_title:
 * Returns: the host's name for people ("This computer", "lab server")
 */
const char *
vireo_backend_get_title (VireoBackend *self)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);
  return priv->title ? priv->title : priv->uri;
}

void
vireo_backend_set_title (VireoBackend *self,
                         const char   *title)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  g_return_if_fail (VIREO_IS_BACKEND (self));
  if (g_strcmp0 (priv->title, title) == 0)
    return;
  g_free (priv->title);
  priv->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

VireoBackendState
vireo_backend_get_state (VireoBackend *self)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_BACKEND (self), VIREO_BACKEND_STATE_DISCONNECTED);
  return priv->state;
}

/**
 * vireo_backend_get_error:
 * Returns: (nullable): why the host is disconnected or lost, in one line
 */
const GError *
vireo_backend_get_error (VireoBackend *self)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);
  return priv->error;
}

VireoBackendCaps
vireo_backend_get_caps (VireoBackend *self)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_BACKEND (self), 0);
  return priv->caps;
}

/**
 * vireo_backend_can:
 * Returns: whether the host can do all of @caps
 */
gboolean
vireo_backend_can (VireoBackend     *self,
                   VireoBackendCaps  caps)
{
  return (vireo_backend_get_caps (self) & caps) == caps;
}

/**
 * _vireo_backend_set_state:
 * @error: (nullable): why, for the disconnected and lost states
 */
void
_vireo_backend_set_state (VireoBackend      *self,
                          VireoBackendState  state,
                          const GError      *error)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);
  /* copied first: @error may be the one it replaces */
  GError *copy = error != NULL ? g_error_copy (error) : NULL;

  g_clear_error (&priv->error);
  priv->error = copy;
  if (priv->state == state)
    return;
  priv->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/**
 * vireo_backend_get_retry_time:
 * Returns: when a lost host is tried again, in g_get_real_time()'s
 *   microseconds ("lost, reconnecting in 8 s"), or 0 when no retry waits
 */
gint64
vireo_backend_get_retry_time (VireoBackend *self)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_BACKEND (self), 0);
  return priv->retry_at;
}

/* Set before the state it goes with, which notifies */
void
_vireo_backend_set_retry_time (VireoBackend *self,
                               gint64        retry_at)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  priv->retry_at = retry_at;
}

void
_vireo_backend_set_caps (VireoBackend     *self,
                         VireoBackendCaps  caps)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  if (priv->caps == caps)
    return;
  priv->caps = caps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPS]);
}

/**
 * _vireo_backend_get_store:
 * Returns: (transfer none): the list a subclass fills, in the order of
 *   _vireo_backend_compare_domains()
 */
GListStore *
_vireo_backend_get_store (VireoBackend *self)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  return priv->domains;
}

/**
 * _vireo_backend_get_network_store:
 * Returns: (transfer none): the networks a subclass fills, in the order
 *   of _vireo_backend_compare_networks()
 */
GListStore *
_vireo_backend_get_network_store (VireoBackend *self)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  return priv->networks;
}

int
_vireo_backend_compare_domains (gconstpointer a,
                                gconstpointer b,
                                gpointer      user_data)
{
  return g_strcmp0 (vireo_domain_get_name ((VireoDomain *) a),
                    vireo_domain_get_name ((VireoDomain *) b));
}

/**
 * _vireo_backend_check_define:
 * Whether @config may be defined on the host: as a new VM, its name and
 * UUID are free; as a redefinition, both are those of the same VM.
 */
gboolean
_vireo_backend_check_define (VireoBackend             *self,
                             const VireoDomainConfig  *config,
                             GError                  **error)
{
  VireoDomain *by_name = vireo_backend_lookup_domain (self, config->name);
  VireoDomain *by_uuid = vireo_backend_lookup_domain_by_uuid (self, config->uuid);

  if (by_name != NULL && by_name != by_uuid)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("A VM named '%s' already exists (with another UUID)"), config->name);
      return FALSE;
    }
  if (by_uuid != NULL && by_name == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("VM '%s': UUID %s is already used by VM '%s'"),
                   config->name, config->uuid, vireo_domain_get_name (by_uuid));
      return FALSE;
    }
  return TRUE;
}

/**
 * vireo_backend_get_domains:
 * Returns: (transfer none): the host's VMs, a #GListModel of #VireoDomain
 *   in name order
 */
GListModel *
vireo_backend_get_domains (VireoBackend *self)
{
  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);
  return G_LIST_MODEL (_vireo_backend_get_store (self));
}

/**
 * vireo_backend_lookup_domain:
 * Returns: (transfer none) (nullable): the VM named @name
 */
VireoDomain *
vireo_backend_lookup_domain (VireoBackend *self,
                             const char   *name)
{
  GListModel *list;
  guint n;

  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);

  list = vireo_backend_get_domains (self);
  n = g_list_model_get_n_items (list);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (list, i);
      if (g_strcmp0 (vireo_domain_get_name (domain), name) == 0)
        return domain;
    }
  return NULL;
}

/**
 * vireo_backend_lookup_domain_by_uuid:
 * Returns: (transfer none) (nullable): the VM whose UUID is @uuid
 */
VireoDomain *
vireo_backend_lookup_domain_by_uuid (VireoBackend *self,
                                     const char   *uuid)
{
  GListModel *list;
  guint n;

  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);

  list = vireo_backend_get_domains (self);
  n = g_list_model_get_n_items (list);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (list, i);
      if (uuid != NULL && g_ascii_strcasecmp (vireo_domain_get_uuid (domain), uuid) == 0)
        return domain;
    }
  return NULL;
}

/**
 * vireo_backend_suggest_name:
 * @hint: (nullable): what the VM is made from: a file's path
 *   ("debian-12.4.0-amd64-netinst.iso" gives "debian-12.4.0-amd64-netinst")
 *   or a word ("demo")
 *
 * Returns: (transfer full): a valid name no VM of the host has yet, made
 *   unique with -2, -3…
 */
char *
vireo_backend_suggest_name (VireoBackend *self,
                            const char   *hint)
{
  g_autofree char *base = hint ? g_path_get_basename (hint) : g_strdup ("vm");
  char *dot = strrchr (base, '.');
  g_autoptr(GString) clean = g_string_new (NULL);
  char *name;

  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);

  if (dot && dot != base)
    *dot = '\0';
  for (const char *p = base; *p && clean->len < 60; p++)
    g_string_append_c (clean, g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-' ? *p : '-');
  while (clean->len > 0 && (clean->str[0] == '.' || clean->str[0] == '-'))
    g_string_erase (clean, 0, 1);
  if (clean->len == 0)
    g_string_append (clean, "vm");
  name = g_strdup (clean->str);
  for (guint i = 2; vireo_backend_lookup_domain (self, name) != NULL; i++)
    {
      g_free (name);
      name = g_strdup_printf ("%s-%u", clean->str, i);
    }
  return name;
}

/**
 * vireo_backend_check_new_name:
 * Whether @name can name a new VM on this host: valid and not taken.
 */
gboolean
vireo_backend_check_new_name (VireoBackend  *self,
                              const char    *name,
                              GError       **error)
{
  g_return_val_if_fail (VIREO_IS_BACKEND (self), FALSE);

  if (!vireo_name_validate (name, error))
    return FALSE;
  if (vireo_backend_lookup_domain (self, name) != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS, _("A VM named '%s' already exists"), name);
      return FALSE;
    }
  return TRUE;
}

/**
 * vireo_backend_mac_in_use:
 * Returns: whether a NIC of any VM of the host has @mac (in any case)
 */
gboolean
vireo_backend_mac_in_use (VireoBackend *self,
                          const char   *mac)
{
  GListModel *list;
  guint n;

  g_return_val_if_fail (VIREO_IS_BACKEND (self), FALSE);

  list = vireo_backend_get_domains (self);
  n = g_list_model_get_n_items (list);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) domain = g_list_model_get_item (list, i);
      const VireoDomainConfig *config = vireo_domain_get_config (domain);

      for (guint j = 0; j < config->nics->len; j++)
        if (g_ascii_strcasecmp (((VireoNicConfig *) g_ptr_array_index (config->nics, j))->mac, mac) == 0)
          return TRUE;
    }
  return FALSE;
}

/**
 * vireo_backend_generate_mac:
 * Returns: (transfer full): a new 52:54:00 MAC that no VM of the host
 *   uses (two guests on one network with the same MAC lose their packets)
 */
char *
vireo_backend_generate_mac (VireoBackend *self)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);
  char *mac;

  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);

  mac = vireo_mac_generate (priv->rand);
  while (vireo_backend_mac_in_use (self, mac))
    {
      g_free (mac);
      mac = vireo_mac_generate (priv->rand);
    }
  return mac;
}

/**
 * _vireo_backend_set_rand:
 * @rand: (transfer full) (nullable): where new MACs come from
 *
 * For tests, which force a collision to see that a used MAC is skipped.
 */
void
_vireo_backend_set_rand (VireoBackend *self,
                         GRand        *rand)
{
  VireoBackendPrivate *priv = vireo_backend_get_instance_private (self);

  g_clear_pointer (&priv->rand, g_rand_free);
  priv->rand = rand;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  VireoBackend *self = VIREO_BACKEND (source);
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!VIREO_BACKEND_GET_CLASS (self)->connect_finish (self, result, &error))
    {
      _vireo_backend_set_state (self, VIREO_BACKEND_STATE_DISCONNECTED, error);
      g_task_return_error (task, error);
      return;
    }
  _vireo_backend_set_state (self, VIREO_BACKEND_STATE_CONNECTED, NULL);
  g_task_return_boolean (task, TRUE);
}

/**
 * vireo_backend_connect_async:
 * Reads the host's VMs: the state is connecting meanwhile, then connected,
 * or disconnected with the error.
 */
void
vireo_backend_connect_async (VireoBackend        *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_BACKEND (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_backend_connect_async);
  _vireo_backend_set_state (self, VIREO_BACKEND_STATE_CONNECTING, NULL);
  VIREO_BACKEND_GET_CLASS (self)->connect_async (self, cancellable, on_connected, task);
}

gboolean
vireo_backend_connect_finish (VireoBackend  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_backend_connect_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * vireo_backend_define_domain_async:
 * Adds a VM to the host, or replaces the definition of the VM with the
 * same name and UUID.
 */
void
vireo_backend_define_domain_async (VireoBackend            *self,
                                   const VireoDomainConfig *config,
                                   GCancellable            *cancellable,
                                   GAsyncReadyCallback      callback,
                                   gpointer                 user_data)
{
  g_return_if_fail (VIREO_IS_BACKEND (self));
  g_return_if_fail (config != NULL);

  VIREO_BACKEND_GET_CLASS (self)->define_domain_async (self, config, cancellable, callback, user_data);
}

/**
 * vireo_backend_define_domain_finish:
 * Returns: (transfer full): the VM
 */
VireoDomain *
vireo_backend_define_domain_finish (VireoBackend  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (VIREO_IS_BACKEND (self), NULL);

  return VIREO_BACKEND_GET_CLASS (self)->define_domain_finish (self, result, error);
}

/**
 * vireo_backend_undefine_domain_async:
 * @remove_storage: also delete the VM's own disk images
 */
void
vireo_backend_undefine_domain_async (VireoBackend        *self,
                                     VireoDomain         *domain,
                                     gboolean             remove_storage,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (VIREO_IS_BACKEND (self));
  g_return_if_fail (VIREO_IS_DOMAIN (domain));

  VIREO_BACKEND_GET_CLASS (self)->undefine_domain_async (self, domain, remove_storage, cancellable,
                                                          callback, user_data);
}

gboolean
vireo_backend_undefine_domain_finish (VireoBackend  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (VIREO_IS_BACKEND (self), FALSE);

  return VIREO_BACKEND_GET_CLASS (self)->undefine_domain_finish (self, result, error);
}
