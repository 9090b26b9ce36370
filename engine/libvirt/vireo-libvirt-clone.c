/* vireo-libvirt-clone.c: clones of a libvirt host's VMs, on that host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * As virt-clone does: each writable, non-shareable disk of the shut-off
 * source is a storage volume, copied in its own pool with
 * virStorageVolCreateXMLFrom (which flattens a backing chain); CD-ROMs and
 * read-only or shareable disks are shared as they are.  The clone's
 * definition is the source's inactive one with a new name, UUID and MACs,
 * the new volumes, no title, no interface target and no NVRAM path (the
 * host makes a fresh one from its template).  One job on the host's
 * workers does it all, and deletes every volume it made when anything
 * fails or the clone is cancelled between volumes.
 *
 * Linked clones are refused: the source would go on writing into the
 * image the clone stands on, unless the source itself moved to a new
 * overlay, which would redefine a VM that other clients of the host (and
 * its snapshots) know on its image.  Clones of a snapshot are refused
 * too: libvirt copies volumes as they are now.
 */
#include <string.h>

#include "vireo-clone.h"
#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"
#include "vireo-xml.h"

#define VOLUME_NAME_TRIES 100

typedef struct {
  virDomainPtr dom;           /* the source */
  char *source_name;
  char *host;                 /* the host's title, for messages */
  char *name;                 /* the clone's */
  char *uuid;
  GStrv macs;                 /* for the clone's <interface>s, in order */
  VireoJob *job;              /* nullable: progress */
  GPtrArray *made;            /* virStorageVolPtr this job created */
} Clone;

/* One disk to copy: its <disk> in the document, and its volume */
typedef struct {
  xmlNode *disk;
  char *target;
  virStorageVolPtr volume;
  guint64 capacity;
} Copy;

static void
clone_free (Clone *clone)
{
  virDomainFree (clone->dom);
  g_free (clone->source_name);
  g_free (clone->host);
  g_free (clone->name);
  g_free (clone->uuid);
  g_strfreev (clone->macs);
  g_clear_object (&clone->job);
  g_ptr_array_unref (clone->made);
  g_free (clone);
}

static void
copy_free (Copy *copy)
{
  g_free (copy->target);
  if (copy->volume != NULL)
    virStorageVolFree (copy->volume);
  g_free (copy);
}

static void
free_volume (gpointer volume)
{
  virStorageVolFree (volume);
}

static char *
child_prop (xmlNode    *node,
            const char *child,
            const char *name)
{
  xmlNode *found = vireo_xml_child (node, child);

  return found != NULL ? vireo_xml_prop (found, name) : NULL;
}

static void
remove_children (xmlNode    *node,
                 const char *name)
{
  xmlNode *child;

  while ((child = vireo_xml_child (node, name)) != NULL)
    {
      xmlUnlinkNode (child);
      xmlFreeNode (child);
    }
}

/* Worker: every volume this job made goes again */
static void
roll_back (Clone *clone)
{
  for (guint i = 0; i < clone->made->len; i++)
    if (virStorageVolDelete (g_ptr_array_index (clone->made, i), 0) < 0)
      g_debug ("%s: a volume of the clone stays: %s", clone->source_name, virGetLastErrorMessage ());
  virResetLastError ();
  g_ptr_array_set_size (clone->made, 0);
}

/* Worker: the source's inactive definition, once it is off */
static xmlDoc *
read_source (Clone   *clone,
             GError **error)
{
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), clone->source_name);
  char *xml;
  xmlDoc *doc;

  _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
  if (virDomainIsActive (clone->dom) == 1)
    {
      /* another client started it since the policy looked */
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE,
                   _("VM '%s' is running; shut it down to clone it"), clone->source_name);
      return NULL;
    }
  xml = virDomainGetXMLDesc (clone->dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  if (xml == NULL && virGetLastErrorCode () == VIR_ERR_OPERATION_DENIED)
    xml = virDomainGetXMLDesc (clone->dom, VIR_DOMAIN_XML_INACTIVE);
  if (xml == NULL)
    {
      g_propagate_error (error, _vireo_libvirt_error (what));
      return NULL;
    }
  doc = vireo_xml_read (xml, -1, what, error);
  free (xml);
  return doc;
}

/* Worker: the volume a disk's <source> names, or why there is none */
static virStorageVolPtr
find_volume (Clone          *clone,
             virConnectPtr   conn,
             xmlNode        *disk,
             const char     *target,
             GError        **error)
{
  g_autofree char *type = vireo_xml_prop (disk, "type");
  g_autofree char *path = child_prop (disk, "source", g_strcmp0 (type, "block") == 0 ? "dev" : "file");
  virStorageVolPtr volume = NULL;

  if (g_strcmp0 (type, "volume") == 0)
    {
      g_autofree char *pool_name = child_prop (disk, "source", "pool");
      g_autofree char *name = child_prop (disk, "source", "volume");
      virStoragePoolPtr pool = pool_name != NULL ? virStoragePoolLookupByName (conn, pool_name) : NULL;

      volume = pool != NULL && name != NULL ? virStorageVolLookupByName (pool, name) : NULL;
      if (pool != NULL)
        virStoragePoolFree (pool);
      path = g_strdup_printf ("%s/%s", pool_name ? pool_name : "?", name ? name : "?");
    }
  else if (path != NULL && (type == NULL || g_str_equal (type, "file") || g_str_equal (type, "block")))
    volume = virStorageVolLookupByPath (conn, path);
  virResetLastError ();
  if (volume == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
                 /* Translators: "VM 'web': disk vda (/srv/web.img) is in no storage pool of host 'qemu:///system', so Vireo cannot copy it" */
                 _("VM '%s': disk %s (%s) is in no storage pool of host '%s', so Vireo cannot copy it"),
                 clone->source_name, target, path ? path : type, clone->host);
  return volume;
}

/* Worker: whether the pool reads the volume in the format the definition
 * gives the disk.  The copy is made in the pool's format (its reading of
 * the file's first bytes): a raw disk whose guest wrote a qcow2 header
 * naming a backing file would otherwise copy any file of the host */
static gboolean
same_format (Clone    *clone,
             xmlNode  *disk,
             Copy     *copy,
             GError  **error)
{
  g_autofree char *driver = child_prop (disk, "driver", "type");
  g_autofree char *format = NULL;
  gboolean backed;

  _vireo_libvirt_volume_describe (copy->volume, &format, &backed);
  if (format == NULL || g_strcmp0 (format, driver != NULL ? driver : "raw") == 0)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               /* Translators: "VM 'web': disk vda is raw in its definition, but its pool reads qcow2; Vireo does not copy it" */
               _("VM '%s': disk %s is %s in its definition, but its pool reads %s; Vireo does not copy it"),
               clone->source_name, copy->target ? copy->target : "?", driver != NULL ? driver : "raw", format);
  return FALSE;
}

/* Worker: the disks to copy, all checked before any is copied */
static GPtrArray *
choose_disks (Clone          *clone,
              virConnectPtr   conn,
              xmlNode        *devices,
              GError        **error)
{
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func ((GDestroyNotify) copy_free);

  vireo_xml_for_each_element (disk, devices)
    {
      g_autofree char *device = vireo_xml_prop (disk, "device");
      virStorageVolInfo info;
      Copy *copy;

      if (!vireo_xml_is (disk, "disk") || (device != NULL && !g_str_equal (device, "disk")) ||
          vireo_xml_child (disk, "readonly") != NULL || vireo_xml_child (disk, "shareable") != NULL ||
          vireo_xml_child (disk, "source") == NULL)
        continue;
      copy = g_new0 (Copy, 1);
      copy->disk = disk;
      copy->target = child_prop (disk, "target", "dev");
      g_ptr_array_add (copies, copy);
      _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
      copy->volume = find_volume (clone, conn, disk, copy->target ? copy->target : "?", error);
      if (copy->volume == NULL)
        return NULL;
      copy->capacity = virStorageVolGetInfo (copy->volume, &info) == 0 ? info.capacity : 0;
      virResetLastError ();
      if (!same_format (clone, disk, copy, error))
        return NULL;
    }
  return g_steal_pointer (&copies);
}

/* Worker: NAME-TARGET.EXT, or NAME-TARGET-2.EXT…, free in @pool; NULL
 * when the first hundred are taken */
static char *
free_volume_name (virStoragePoolPtr  pool,
                  const char        *clone,
                  const char        *target,
                  const char        *source)
{
  const char *dot = strrchr (source, '.');
  const char *ext = dot != NULL && dot != source && strlen (dot) <= 8 ? dot : "";

  for (guint n = 1; n <= VOLUME_NAME_TRIES; n++)
    {
      g_autofree char *name = n == 1 ? g_strdup_printf ("%s-%s%s", clone, target, ext)
                                     : g_strdup_printf ("%s-%s-%u%s", clone, target, n, ext);
      virStorageVolPtr taken = virStorageVolLookupByName (pool, name);

      virResetLastError ();
      if (taken == NULL)
        return g_steal_pointer (&name);
      virStorageVolFree (taken);
    }
  return NULL;
}

/* The new volume: as large as the source's, in its format, sparse */
static char *
volume_xml (virStorageVolPtr  source,
            const char       *name,
            guint64           capacity)
{
  char *desc = virStorageVolGetXMLDesc (source, 0);
  xmlDoc *old = desc != NULL ? vireo_xml_read (desc, -1, "volume", NULL) : NULL;
  xmlNode *target = old != NULL ? vireo_xml_child (xmlDocGetRootElement (old), "target") : NULL;
  g_autofree char *format = target != NULL ? child_prop (target, "format", "type") : NULL;
  g_autofree char *bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, capacity);
  xmlDoc *doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNode *root = xmlNewNode (NULL, BAD_CAST "volume");
  xmlNode *node;
  char *xml;

  virResetLastError ();
  free (desc);
  g_clear_pointer (&old, xmlFreeDoc);
  xmlDocSetRootElement (doc, root);
  vireo_xml_add_text (root, "name", name);
  node = vireo_xml_add_text (root, "capacity", bytes);
  vireo_xml_set (node, "unit", "bytes");
  node = vireo_xml_add_text (root, "allocation", "0");
  vireo_xml_set (node, "unit", "bytes");
  if (format != NULL)
    vireo_xml_set (vireo_xml_add (vireo_xml_add (root, "target"), "format"), "type", format);
  xml = vireo_xml_node_to_string (root);
  xmlFreeDoc (doc);
  return xml;
}

/* Worker: @copy's volume copied, and its <disk> pointed at the copy */
static gboolean
copy_volume (Clone   *clone,
             Copy    *copy,
             GError **error)
{
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), clone->source_name);
  virStoragePoolPtr pool = virStoragePoolLookupByVolume (copy->volume);
  g_autofree char *name = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *type = vireo_xml_prop (copy->disk, "type");
  xmlNode *source = vireo_xml_child (copy->disk, "source");
  virStorageVolPtr made;
  char *path;

  _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
  if (pool == NULL)
    {
      g_propagate_error (error, _vireo_libvirt_error (what));
      return FALSE;
    }
  name = free_volume_name (pool, clone->name, copy->target ? copy->target : "disk", virStorageVolGetName (copy->volume));
  if (name == NULL)
    {
      virStoragePoolFree (pool);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("VM '%s': every name for a new image %s is taken in its pool"), clone->source_name, clone->name);
      return FALSE;
    }
  xml = volume_xml (copy->volume, name, copy->capacity);
  made = virStorageVolCreateXMLFrom (pool, xml, copy->volume, 0);
  virStoragePoolFree (pool);
  if (made == NULL)
    {
      g_propagate_error (error, _vireo_libvirt_error (what));
      return FALSE;
    }
  g_ptr_array_add (clone->made, made);
  /* xmlSetProp: these replace the source's attributes */
  if (g_strcmp0 (type, "volume") == 0)
    xmlSetProp (source, BAD_CAST "volume", BAD_CAST name);
  else if ((path = virStorageVolGetPath (made)) != NULL)
    {
      xmlSetProp (source, BAD_CAST (g_strcmp0 (type, "block") == 0 ? "dev" : "file"), BAD_CAST path);
      free (path);
    }
  else
    {
      g_propagate_error (error, _vireo_libvirt_error (what));
      return FALSE;
    }
  /* the copy stands on no base: the source's chain was flattened */
  remove_children (copy->disk, "backingStore");
  return TRUE;
}

/* Worker: every disk of @copies copied, with progress by size; a cancel
 * stops it between volumes */
static gboolean
copy_disks (Clone         *clone,
            GPtrArray     *copies,
            GCancellable  *cancellable,
            GError       **error)
{
  guint64 total = 0, done = 0;

  for (guint i = 0; i < copies->len; i++)
    total += ((Copy *) g_ptr_array_index (copies, i))->capacity;
  for (guint i = 0; i < copies->len; i++)
    {
      Copy *copy = g_ptr_array_index (copies, i);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (clone->job != NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Copying disk %s"), copy->target ? copy->target : "?");

          vireo_job_set_text (clone->job, text);
        }
      if (!copy_volume (clone, copy, error))
        return FALSE;
      done += copy->capacity;
      if (clone->job != NULL)
        vireo_job_set_progress (clone->job, total > 0 ? (double) done / total : (i + 1.0) / copies->len);
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* The clone's MACs; an <interface> beyond them gets the host's own */
static void
new_interfaces (Clone   *clone,
                xmlNode *devices)
{
  guint i = 0;

  vireo_xml_for_each_element (nic, devices)
    {
      if (!vireo_xml_is (nic, "interface"))
        continue;
      remove_children (nic, "mac");
      /* vnetN is the host's name of the source's tap */
      remove_children (nic, "target");
      if (clone->macs != NULL && clone->macs[i] != NULL)
        vireo_xml_set (vireo_xml_add (nic, "mac"), "address", clone->macs[i++]);
    }
}

/* No NVRAM path: the host makes the clone a fresh one from the template
 * (an <nvram> without attributes says nothing else, and goes) */
static void
new_nvram (xmlNode *os)
{
  xmlNode *nvram = os != NULL ? vireo_xml_child (os, "nvram") : NULL;
  xmlNode *child;

  if (nvram == NULL)
    return;
  while ((child = nvram->children) != NULL)
    {
      xmlUnlinkNode (child);
      xmlFreeNode (child);
    }
  if (nvram->properties == NULL)
    {
      xmlUnlinkNode (nvram);
      xmlFreeNode (nvram);
    }
}

/* A <sysinfo> UUID must be the domain's */
static void
new_sysinfo_uuid (xmlNode    *root,
                  const char *uuid)
{
  vireo_xml_for_each_element (sysinfo, root)
    {
      xmlNode *system = vireo_xml_is (sysinfo, "sysinfo") ? vireo_xml_child (sysinfo, "system") : NULL;

      if (system == NULL)
        continue;
      vireo_xml_for_each_element (entry, system)
        {
          g_autofree char *name = vireo_xml_prop (entry, "name");

          if (g_strcmp0 (name, "uuid") == 0)
            xmlNodeSetContent (entry, BAD_CAST uuid);
        }
    }
}

/* The clone's identity on the source's definition */
static void
new_identity (Clone   *clone,
              xmlNode *root)
{
  xmlNode *devices = vireo_xml_child (root, "devices");

  remove_children (root, "name");
  remove_children (root, "uuid");
  /* a title would show the clone under the source's name */
  remove_children (root, "title");
  vireo_xml_add_text (root, "name", clone->name);
  vireo_xml_add_text (root, "uuid", clone->uuid);
  new_sysinfo_uuid (root, clone->uuid);
  new_nvram (vireo_xml_child (root, "os"));
  if (devices != NULL)
    new_interfaces (clone, devices);
}

/* Worker: the clone's definition on the host */
static virDomainPtr
define_clone (Clone          *clone,
              virConnectPtr   conn,
              xmlDoc         *doc,
              GError        **error)
{
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), clone->source_name);
  xmlChar *xml = NULL;
  int length = 0;
  virDomainPtr dom;

  new_identity (clone, xmlDocGetRootElement (doc));
  xmlDocDumpMemory (doc, &xml, &length);
  _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
  dom = virDomainDefineXML (conn, (const char *) xml);
  xmlFree (xml);
  if (dom == NULL)
    g_propagate_error (error, _vireo_libvirt_error (what));
  return dom;
}

/* Worker: the volumes, then the definition; all undone on failure */
static virDomainPtr
make_clone (Clone         *clone,
            virConnectPtr  conn,
            GCancellable  *cancellable,
            GError       **error)
{
  xmlDoc *doc = read_source (clone, error);
  g_autoptr(GPtrArray) copies = NULL;
  xmlNode *devices;
  virDomainPtr dom = NULL;

  if (doc == NULL)
    return NULL;
  devices = vireo_xml_child (xmlDocGetRootElement (doc), "devices");
  copies = devices != NULL ? choose_disks (clone, conn, devices, error)
                           : g_ptr_array_new_with_free_func ((GDestroyNotify) copy_free);
  if (copies != NULL && copy_disks (clone, copies, cancellable, error))
    dom = define_clone (clone, conn, doc, error);
  xmlFreeDoc (doc);
  if (dom == NULL)
    roll_back (clone);
  return dom;
}

static void
clone_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Clone *clone = task_data;
  VireoLibvirtRecord *record;
  virConnectPtr conn;
  virDomainPtr dom;
  GError *error = NULL;

  if ((conn = _vireo_libvirt_get_conn (_vireo_libvirt_worker_backend (), &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  dom = make_clone (clone, conn, cancellable, &error);
  virConnectClose (conn);
  if (dom == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("VM '%s' was not cloned: "), clone->source_name);
      g_task_return_error (task, error);
      return;
    }
  /* the clone exists from here on, whatever a late cancel says */
  record = _vireo_libvirt_record_read (dom, NULL, &error);
  virDomainFree (dom);
  if (record == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, record, (GDestroyNotify) _vireo_libvirt_record_free);
}

/* Main thread: the clone's row, as a define makes it */
static void
on_cloned (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(VireoLibvirtRecord) record = NULL;
  Clone *clone = g_task_get_task_data (G_TASK (result));
  VireoBackend *backend = vireo_domain_get_backend (VIREO_DOMAIN (source));
  VireoDomain *domain = NULL;
  GError *error = NULL;

  record = g_task_propagate_pointer (G_TASK (result), &error);
  if (record == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (clone->job != NULL)
    vireo_job_set_progress (clone->job, 1.0);
  if (backend != NULL)
    {
      _vireo_libvirt_backend_apply (VIREO_LIBVIRT_BACKEND (backend), record);
      domain = vireo_backend_lookup_domain_by_uuid (backend, record->uuid);
    }
  if (domain == NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                               _("VM '%s' was removed by another client meanwhile"), record->name);
      return;
    }
  g_task_return_pointer (task, g_object_ref (domain), g_object_unref);
}

/* Main thread: MACs no VM of the host uses, nor each other */
static GStrv
new_macs (VireoBackend *backend,
          guint         n)
{
  GStrv macs = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      gboolean taken;

      do
        {
          g_free (macs[i]);
          macs[i] = vireo_backend_generate_mac (backend);
          taken = FALSE;
          for (guint j = 0; j < i; j++)
            taken |= g_ascii_strcasecmp (macs[j], macs[i]) == 0;
        }
      while (taken);
    }
  return macs;
}

static void
libvirt_clone_async (VireoDomain              *domain,
                     const VireoCloneOptions  *options,
                     VireoJob                **job,
                     GCancellable             *cancellable,
                     GAsyncReadyCallback       callback,
                     gpointer                  user_data)
{
  VireoBackend *backend = vireo_domain_get_backend (domain);
  g_autoptr(GTask) task = g_task_new (domain, cancellable, callback, user_data);
  g_autoptr(GTask) work = NULL;
  g_autofree char *title = NULL;
  g_autofree char *name = NULL;
  GError *error = NULL;
  Clone *clone;

  g_task_set_check_cancellable (task, FALSE);
  name = options->name ? g_strdup (options->name) : vireo_clone_suggest_name (backend, vireo_domain_get_name (domain));
  /* linked clones and clones of a snapshot: the policy said no already */
  if (!_vireo_libvirt_check_connected (VIREO_LIBVIRT_BACKEND (backend), &error) ||
      !vireo_backend_check_new_name (backend, name, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  clone = g_new0 (Clone, 1);
  clone->dom = _vireo_libvirt_domain_ref_dom (VIREO_LIBVIRT_DOMAIN (domain));
  clone->source_name = g_strdup (vireo_domain_get_name (domain));
  clone->host = g_strdup (vireo_backend_get_title (backend));
  clone->name = g_steal_pointer (&name);
  clone->uuid = vireo_uuid_generate ();
  clone->macs = new_macs (backend, vireo_domain_get_config (domain)->nics->len);
  clone->made = g_ptr_array_new_with_free_func (free_volume);
  /* Translators: a job's title, "Cloning VM 'web' as 'web-clone'" */
  title = g_strdup_printf (_("Cloning VM '%s' as '%s'"), clone->source_name, clone->name);
  if (job != NULL)
    {
      clone->job = vireo_job_new_progress (title);
      *job = g_object_ref (clone->job);
    }
  /* the worker decides: a cancel it saw removed what it made and says so,
   * one that came later finds the clone made */
  work = g_task_new (domain, cancellable, on_cloned, g_steal_pointer (&task));
  g_task_set_check_cancellable (work, FALSE);
  g_task_set_task_data (work, clone, (GDestroyNotify) clone_free);
  _vireo_libvirt_run (VIREO_LIBVIRT_BACKEND (backend), work, clone_in_thread);
}

static VireoDomain *
libvirt_clone_finish (VireoDomain   *domain,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_vireo_libvirt_domain_class_init_clone (VireoDomainClass *klass)
{
  klass->clone_async = libvirt_clone_async;
  klass->clone_finish = libvirt_clone_finish;
}
