/* vireo-libvirt-storage.c: a libvirt host's storage pools and volumes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What new disks, imported images and CD-ROM images need on a host whose
 * files are not (all) ours: a pool to put them in, a volume of a name no
 * other has, a local file's bytes streamed into one (virStorageVolUpload,
 * over the host's own connection: no scp, nothing on the host but
 * libvirtd), and a volume's format.  Worker threads only.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"
#include "vireo-xml.h"

#define VOLUME_NAME_TRIES 100
#define UPLOAD_CHUNK (256 * 1024)

/* The host's one running pool, when it has just one */
static virStoragePoolPtr
only_active_pool (virConnectPtr conn)
{
  virStoragePoolPtr *pools = NULL;
  virStoragePoolPtr pool = NULL;
  int n = virConnectListAllStoragePools (conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);

  for (int i = 0; i < n; i++)
    {
      if (n == 1)
        pool = pools[i];
      else
        virStoragePoolFree (pools[i]);
    }
  free (pools);
  return pool;
}

/**
 * _vireo_libvirt_find_pool:
 * @near: (nullable): a path on the host whose pool is preferred
 *
 * Returns: (transfer full) (nullable): the pool of the volume at @near,
 *   else the pool named "default" (as virt-manager), else the host's only
 *   running pool; %NULL with @error naming @vm and @host
 */
virStoragePoolPtr
_vireo_libvirt_find_pool (virConnectPtr   conn,
                          const char     *near,
                          const char     *vm,
                          const char     *host,
                          GError        **error)
{
  virStoragePoolPtr pool = NULL;

  if (near != NULL)
    {
      virStorageVolPtr volume = virStorageVolLookupByPath (conn, near);

      if (volume != NULL)
        {
          pool = virStoragePoolLookupByVolume (volume);
          virStorageVolFree (volume);
        }
    }
  if (pool == NULL)
    pool = virStoragePoolLookupByName (conn, "default");
  if (pool == NULL)
    pool = only_active_pool (conn);
  virResetLastError ();
  if (pool == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                 _("VM '%s': host '%s' has no storage pool for a new disk (none holds its disks, none is named 'default', and more than one runs)"),
                 vm, host);
  return pool;
}

/**
 * _vireo_libvirt_volume_format:
 * Returns: (transfer full) (nullable): the format the pool records for
 *   the volume at @path ("qcow2", "raw", "iso"…); %NULL when @path is no
 *   volume of the host's pools (or the pool records none)
 */
char *
_vireo_libvirt_volume_format (virConnectPtr  conn,
                              const char    *path,
                              gboolean      *found)
{
  virStorageVolPtr volume = virStorageVolLookupByPath (conn, path);
  g_autofree char *xml = volume != NULL ? virStorageVolGetXMLDesc (volume, 0) : NULL;
  xmlDoc *doc = xml != NULL ? vireo_xml_read (xml, -1, "volume", NULL) : NULL;
  xmlNode *target = doc != NULL ? vireo_xml_child (xmlDocGetRootElement (doc), "target") : NULL;
  xmlNode *format = target != NULL ? vireo_xml_child (target, "format") : NULL;
  char *type = format != NULL ? vireo_xml_prop (format, "type") : NULL;

  virResetLastError ();
  *found = volume != NULL;
  if (volume != NULL)
    virStorageVolFree (volume);
  g_clear_pointer (&doc, xmlFreeDoc);
  return type;
}

/**
 * _vireo_libvirt_make_volume:
 * @stem: the volume's name without @suffix ("web-vdb"); -2, -3… is added
 *   when it is taken
 * @format: "qcow2" or "raw"
 *
 * Returns: (transfer full) (nullable): the new volume's path on the host
 */
char *
_vireo_libvirt_make_volume (virStoragePoolPtr   pool,
                            const char         *stem,
                            const char         *suffix,
                            guint64             capacity,
                            const char         *format,
                            const char         *vm,
                            GError            **error)
{
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), vm);
  virStorageVolPtr volume = NULL;
  char *path;

  for (guint i = 1; volume == NULL && i <= VOLUME_NAME_TRIES; i++)
    {
      g_autofree char *name = i == 1 ? g_strconcat (stem, suffix, NULL)
                                     : g_strdup_printf ("%s-%u%s", stem, i, suffix);
      virStorageVolPtr taken = virStorageVolLookupByName (pool, name);
      g_autofree char *xml = NULL;

      virResetLastError ();
      if (taken != NULL)
        {
          virStorageVolFree (taken);
          continue;
        }
      /* allocation 0: a raw volume to be uploaded into is not written twice */
      xml = g_markup_printf_escaped ("<volume><name>%s</name><capacity unit='bytes'>%" G_GUINT64_FORMAT
                                     "</capacity><allocation>0</allocation>"
                                     "<target><format type='%s'/></target></volume>",
                                     name, capacity, format);
      _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
      if ((volume = virStorageVolCreateXML (pool, xml, 0)) == NULL)
        {
          g_propagate_error (error, _vireo_libvirt_error (what));
          return NULL;
        }
    }
  if (volume == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("VM '%s': every name for a new image %s is taken in its pool"), vm, stem);
      return NULL;
    }
  path = virStorageVolGetPath (volume);
  if (path == NULL)
    {
      g_propagate_error (error, _vireo_libvirt_error (what));
      virStorageVolDelete (volume, 0);
      virResetLastError ();
    }
  virStorageVolFree (volume);
  return path;
}

/**
 * _vireo_libvirt_delete_volume:
 * Deletes the volume at @path, if it is one; an image in no pool stays
 * where it is.
 *
 * Returns: %FALSE with @error when the host refused
 */
gboolean
_vireo_libvirt_delete_volume (virConnectPtr   conn,
                              const char     *path,
                              const char     *what,
                              GError        **error)
{
  virStorageVolPtr volume = virStorageVolLookupByPath (conn, path);
  gboolean ok = TRUE;

  if (volume == NULL)
    g_debug ("%s left in place: %s", path, virGetLastErrorMessage ());
  else
    {
      _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
      if (virStorageVolDelete (volume, 0) < 0)
        {
          g_propagate_error (error, _vireo_libvirt_error (what));
          ok = FALSE;
        }
      virStorageVolFree (volume);
    }
  virResetLastError ();
  return ok;
}

/* Sends @fd's @size bytes into @stream, telling @job; %FALSE with @error
 * (the stream is then aborted by the caller) */
static gboolean
send_file (virStreamPtr   stream,
           int            fd,
           guint64        size,
           const char    *vm,
           const char    *local,
           VireoJob      *job,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *buffer = g_malloc (UPLOAD_CHUNK);
  guint64 sent = 0;

  while (sent < size)
    {
      ssize_t got = read (fd, buffer, MIN (UPLOAD_CHUNK, size - sent));

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        {
          int saved = errno;

          g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("VM '%s': cannot read %s: %s"), vm, local,
                       got == 0 ? _("it became shorter while it was read") : g_strerror (saved));
          return FALSE;
        }
      for (ssize_t off = 0; off < got;)
        {
          int n = virStreamSend (stream, buffer + off, got - off);

          if (n < 0)
            {
              g_autofree char *what = g_strdup_printf (_("VM '%s': uploading %s"), vm, local);

              g_propagate_error (error, _vireo_libvirt_error (what));
              return FALSE;
            }
          off += n;
        }
      sent += got;
      if (job != NULL)
        vireo_job_set_progress (job, (double) sent / size);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * _vireo_libvirt_upload:
 * @local: a regular file on this machine
 * @stem, @suffix: the volume's name (see _vireo_libvirt_make_volume())
 * @job: (nullable): told the progress
 *
 * Copies @local into a new raw volume of @pool, exactly its size, through
 * the host's connection.  A failed or cancelled upload deletes the volume.
 *
 * Returns: (transfer full) (nullable): the volume's path on the host
 */
char *
_vireo_libvirt_upload (virConnectPtr       conn,
                       virStoragePoolPtr   pool,
                       const char         *local,
                       const char         *stem,
                       const char         *suffix,
                       const char         *vm,
                       VireoJob           *job,
                       GCancellable       *cancellable,
                       GError            **error)
{
  g_autofree char *path = NULL;
  g_autofree char *what = g_strdup_printf (_("VM '%s': uploading %s"), vm, local);
  virStorageVolPtr volume = NULL;
  virStreamPtr stream = NULL;
  const char *problem = NULL;
  struct stat st;
  gboolean ok = FALSE;
  int fd = open (local, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0 || fstat (fd, &st) < 0)
    problem = g_strerror (errno);
  else if (!S_ISREG (st.st_mode))
    problem = _("not a regular file");
  if (problem != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s': cannot read %s: %s"), vm, local, problem);
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  path = _vireo_libvirt_make_volume (pool, stem, suffix, st.st_size, "raw", vm, error);
  if (path != NULL)
    {
      volume = virStorageVolLookupByPath (conn, path);
      stream = virStreamNew (conn, 0);
      _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
      if (volume == NULL || stream == NULL || virStorageVolUpload (volume, stream, 0, st.st_size, 0) < 0)
        g_propagate_error (error, _vireo_libvirt_error (what));
      else if (!send_file (stream, fd, st.st_size, vm, local, job, cancellable, error))
        virStreamAbort (stream);
      else if (virStreamFinish (stream) < 0)
        g_propagate_error (error, _vireo_libvirt_error (what));
      else
        ok = TRUE;
    }
  close (fd);
  if (stream != NULL)
    virStreamFree (stream);
  if (volume != NULL)
    virStorageVolFree (volume);
  if (!ok && path != NULL)
    _vireo_libvirt_delete_volume (conn, path, what, NULL);
  virResetLastError ();
  return ok ? g_steal_pointer (&path) : NULL;
}
