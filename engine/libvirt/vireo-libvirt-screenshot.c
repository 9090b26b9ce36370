/* vireo-libvirt-screenshot.c: a libvirt VM's screen, as a PNG here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * virDomainScreenshot sends the image through a stream, read whole in a
 * worker (at most 64 MiB) and written atomically where asked.  libvirt
 * 9.0 with QEMU 7.1 or later sends a PNG; an older host's PPM is refused
 * in one line rather than saved under a .png name.
 */
#include "vireo-domain-policy.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"

#define MAX_SCREENSHOT (64 * 1024 * 1024)

typedef struct {
  virDomainPtr dom;
  char *name;
  char *path;
} Shot;

static void
shot_free (Shot *shot)
{
  virDomainFree (shot->dom);
  g_free (shot->name);
  g_free (shot->path);
  g_free (shot);
}

/* In a worker: the stream's bytes, or NULL (libvirt's error, or too many) */
static GByteArray *
receive_all (virStreamPtr stream)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  char buf[65536];
  int n;

  while ((n = virStreamRecv (stream, buf, sizeof buf)) > 0)
    {
      if (bytes->len + n > MAX_SCREENSHOT)
        {
          virStreamAbort (stream);
          return NULL;
        }
      g_byte_array_append (bytes, (const guint8 *) buf, n);
    }
  if (n < 0 || virStreamFinish (stream) < 0)
    return NULL;
  return g_steal_pointer (&bytes);
}

static void
shot_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  VireoLibvirtBackend *backend = _vireo_libvirt_worker_backend ();
  Shot *shot = task_data;
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), shot->name);
  g_autoptr(GByteArray) bytes = NULL;
  g_autofree char *mime = NULL;
  virConnectPtr conn;
  virStreamPtr stream;
  GError *error = NULL;
  char *type;

  if ((conn = _vireo_libvirt_get_conn (backend, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _vireo_libvirt_count_call (backend);
  stream = virStreamNew (conn, 0);
  virConnectClose (conn);
  type = stream != NULL ? virDomainScreenshot (shot->dom, stream, 0, 0) : NULL;
  if (type == NULL || (bytes = receive_all (stream)) == NULL)
    error = _vireo_libvirt_error (what);
  if (type != NULL)
    {
      mime = g_strdup (type);
      free (type);
    }
  if (stream != NULL)
    virStreamFree (stream);
  if (error == NULL && g_strcmp0 (mime, "image/png") != 0)
    error = g_error_new (VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
                         _("VM '%s': its host sends screenshots as %s, not PNG"), shot->name, mime);
  if (error == NULL)
    vireo_file_write_atomic (shot->path, (const char *) bytes->data, bytes->len, 0600, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
libvirt_screenshot_async (VireoDomain         *domain,
                          const char          *path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (domain, cancellable, callback, user_data);
  GError *error = NULL;
  Shot *shot;

  if (!vireo_domain_check (domain, VIREO_DOMAIN_OP_SCREENSHOT, &error) ||
      !_vireo_libvirt_check_connected (VIREO_LIBVIRT_BACKEND (vireo_domain_get_backend (domain)), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  shot = g_new0 (Shot, 1);
  shot->dom = _vireo_libvirt_domain_ref_dom (VIREO_LIBVIRT_DOMAIN (domain));
  shot->name = g_strdup (vireo_domain_get_name (domain));
  shot->path = g_strdup (path);
  g_task_set_task_data (task, shot, (GDestroyNotify) shot_free);
  _vireo_libvirt_run (VIREO_LIBVIRT_BACKEND (vireo_domain_get_backend (domain)), task, shot_in_thread);
}

static gboolean
libvirt_screenshot_finish (VireoDomain   *domain,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_vireo_libvirt_domain_class_init_screenshot (VireoDomainClass *klass)
{
  klass->screenshot_async = libvirt_screenshot_async;
  klass->screenshot_finish = libvirt_screenshot_finish;
}
