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
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"
#include "vireo-storage.h"
#include "vireo-xml.h"

#define VOLUME_NAME_TRIES 100
#define UPLOAD_CHUNK (256 * 1024)
#define SAME_PREFIX (1024 * 1024)

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
 * _vireo_libvirt_volume_describe:
 * @format: (out) (transfer full) (nullable): the format the pool records
 *   ("qcow2", "raw", "iso"…; its own reading of the file's first bytes in
 *   a directory pool, so only as good as the bytes)
 * @backed: (out): whether the pool says the volume stands on another
 *   image (a <backingStore> with a path)
 */
void
_vireo_libvirt_volume_describe (virStorageVolPtr   volume,
                                char             **format,
                                gboolean          *backed)
{
  g_autofree char *xml = virStorageVolGetXMLDesc (volume, 0);
  xmlDoc *doc = xml != NULL ? vireo_xml_read (xml, -1, "volume", NULL) : NULL;
  xmlNode *root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  xmlNode *target = root != NULL ? vireo_xml_child (root, "target") : NULL;
  xmlNode *node = target != NULL ? vireo_xml_child (target, "format") : NULL;
  xmlNode *backing = root != NULL ? vireo_xml_child (root, "backingStore") : NULL;
  xmlNode *path = backing != NULL ? vireo_xml_child (backing, "path") : NULL;
  g_autofree char *base = path != NULL ? vireo_xml_content (path) : NULL;

  virResetLastError ();
  *format = node != NULL ? vireo_xml_prop (node, "type") : NULL;
  *backed = base != NULL && *base != '\0';
  g_clear_pointer (&doc, xmlFreeDoc);
}

/**
 * _vireo_libvirt_volume_format:
 * @found: (out): whether @path is a volume of the host's pools
 * @backed: (out): whether it stands on another image
 *
 * Returns: (transfer full) (nullable): what
 *   _vireo_libvirt_volume_describe() says of the volume at @path
 */
char *
_vireo_libvirt_volume_format (virConnectPtr  conn,
                              const char    *path,
                              gboolean      *found,
                              gboolean      *backed)
{
  virStorageVolPtr volume = virStorageVolLookupByPath (conn, path);
  char *format = NULL;

  virResetLastError ();
  *found = volume != NULL;
  *backed = FALSE;
  if (volume != NULL)
    {
      _vireo_libvirt_volume_describe (volume, &format, backed);
      virStorageVolFree (volume);
    }
  return format;
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

/* Whether @volume holds what @fd does: the same size, and the same first
 * MiB (an ISO's volume descriptors, label and date, are in it) */
static gboolean
same_content (virConnectPtr    conn,
              virStorageVolPtr volume,
              int              fd,
              guint64          size)
{
  gsize length = MIN (size, SAME_PREFIX);
  g_autofree char *theirs = g_malloc (MAX (length, 1));
  g_autofree char *ours = g_malloc (MAX (length, 1));
  virStorageVolInfo info;
  virStreamPtr stream;
  gsize got = 0;
  gboolean same = FALSE;

  if (virStorageVolGetInfo (volume, &info) < 0 || info.capacity != size ||
      pread (fd, ours, length, 0) != (ssize_t) length || (stream = virStreamNew (conn, 0)) == NULL)
    {
      virResetLastError ();
      return FALSE;
    }
  _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
  if (virStorageVolDownload (volume, stream, 0, length, 0) == 0)
    {
      int n = 1;

      while (got < length && (n = virStreamRecv (stream, theirs + got, length - got)) > 0)
        got += n;
      same = got == length && memcmp (ours, theirs, length) == 0;
      if (n < 0 || virStreamFinish (stream) < 0)
        virStreamAbort (stream);
    }
  virStreamFree (stream);
  virResetLastError ();
  return same;
}

/* The volume @name of @pool when it already holds @fd's bytes: an image
 * uploaded before, not sent again */
static char *
uploaded_before (virConnectPtr     conn,
                 virStoragePoolPtr pool,
                 const char       *name,
                 int               fd,
                 guint64           size)
{
  virStorageVolPtr volume = virStorageVolLookupByName (pool, name);
  char *path = NULL;

  if (volume != NULL && same_content (conn, volume, fd, size))
    path = virStorageVolGetPath (volume);
  if (volume != NULL)
    virStorageVolFree (volume);
  virResetLastError ();
  return path;
}

/**
 * _vireo_libvirt_upload:
 * @local: a regular file on this machine
 * @stem, @suffix: the volume's name (see _vireo_libvirt_make_volume())
 * @shared: a read-only image (an installer ISO): one of the same name
 *   and content uploaded before is used again, not sent twice
 * @uploaded: (out) (optional): whether this call made the volume
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
                       gboolean            shared,
                       gboolean           *uploaded,
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
  /* non-blocking: a FIFO put in the file's place cannot hold the worker */
  int fd = open (local, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

  if (fd < 0 || fstat (fd, &st) < 0)
    problem = g_strerror (errno);
  else if (!S_ISREG (st.st_mode))
    problem = _("not a regular file");
  if (problem == NULL && fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK) < 0)
    problem = g_strerror (errno);
  if (problem != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s': cannot read %s: %s"), vm, local, problem);
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  if (uploaded != NULL)
    *uploaded = FALSE;
  if (shared)
    {
      g_autofree char *name = g_strconcat (stem, suffix, NULL);
      char *before = uploaded_before (conn, pool, name, fd, st.st_size);

      if (before != NULL)
        {
          close (fd);
          return before;
        }
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
  if (ok && uploaded != NULL)
    *uploaded = TRUE;
  return ok ? g_steal_pointer (&path) : NULL;
}

/**
 * _vireo_libvirt_place_image:
 * @path: the CD-ROM image as the user named it
 * @files_here: the host's paths are this machine's
 * @near: (nullable): a path whose pool takes an upload
 * @uploaded: (out): whether this call made the volume (to remove on failure)
 * @job: (nullable): told the upload's progress
 *
 * Where a CD-ROM image is on the host: a volume of its pools as it is; on
 * this machine's libvirtd the file itself, looked at here; on another
 * machine the file of this one streamed into a volume (one uploaded
 * before with the same content is used again).
 *
 * Returns: (transfer full) (nullable): its path on the host
 */
char *
_vireo_libvirt_place_image (virConnectPtr   conn,
                            const char     *path,
                            gboolean        files_here,
                            const char     *near,
                            const char     *vm,
                            const char     *host,
                            gboolean       *uploaded,
                            VireoJob       *job,
                            GCancellable   *cancellable,
                            GError        **error)
{
  g_autofree char *format = NULL;
  g_autofree char *local = NULL;
  g_autofree char *stem = NULL;
  virStoragePoolPtr pool;
  gboolean found, backed;
  char *placed;

  *uploaded = FALSE;
  format = _vireo_libvirt_volume_format (conn, path, &found, &backed);
  if (found)
    return g_strdup (path);
  if ((local = vireo_storage_existing_file (vm, _("CD-ROM image"), path, error)) == NULL || files_here)
    return g_steal_pointer (&local);
  if ((pool = _vireo_libvirt_find_pool (conn, near, vm, host, error)) == NULL)
    return NULL;
  stem = g_path_get_basename (local);
  if (job != NULL)
    vireo_job_set_text (job, stem);
  placed = _vireo_libvirt_upload (conn, pool, local, stem, "", TRUE, uploaded, vm, job, cancellable, error);
  virStoragePoolFree (pool);
  return placed;
}
