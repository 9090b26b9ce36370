/* vireo-libvirt-snapshot.c: a libvirt VM's snapshots, libvirt's own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Listed with their XML (read leniently: a snapshot of a definition Vireo
 * cannot hold is still listed, with the VM's current definition as its
 * own), taken, reverted and deleted by libvirt's snapshot calls.  libvirt
 * 9.0 cannot revert to an external snapshot: it says so, in its words.
 */
#include "vireo-domain-policy.h"
#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"
#include "vireo-snapshot-private.h"
#include "vireo-xml.h"

typedef struct {
  virDomainPtr dom;
  char *vm;                   /* its name, for messages */
  VireoSnapshotChange kind;
  char *name;                 /* the snapshot's; NULL: a new snapshot-N */
  char *description;
  GPtrArray *xmls;            /* listing: each snapshot's XML */
  GPtrArray *current;         /* listing: names of the current one (0 or 1) */
} Call;

static void
call_free (Call *call)
{
  virDomainFree (call->dom);
  g_free (call->vm);
  g_free (call->name);
  g_free (call->description);
  g_clear_pointer (&call->xmls, g_ptr_array_unref);
  g_clear_pointer (&call->current, g_ptr_array_unref);
  g_free (call);
}

static Call *
call_new (VireoDomain *domain)
{
  Call *call = g_new0 (Call, 1);

  call->dom = _vireo_libvirt_domain_ref_dom (VIREO_LIBVIRT_DOMAIN (domain));
  call->vm = g_strdup (vireo_domain_get_name (domain));
  return call;
}

static GError *
error_about (Call *call)
{
  g_autofree char *what = g_strdup_printf (_("VM '%s'"), call->vm);

  return _vireo_libvirt_error (what);
}

/* Listing ---------------------------------------------------------------- */

/* In a worker: each snapshot's XML, and which one is current */
static gboolean
read_snapshots (Call    *call,
                GError **error)
{
  virDomainSnapshotPtr *snaps = NULL;
  int n = virDomainListAllSnapshots (call->dom, &snaps, 0);

  if (n < 0)
    {
      g_propagate_error (error, error_about (call));
      return FALSE;
    }
  call->xmls = g_ptr_array_new_with_free_func (g_free);
  call->current = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < n; i++)
    {
      char *xml = virDomainSnapshotGetXMLDesc (snaps[i], 0);

      if (xml != NULL)
        {
          g_ptr_array_add (call->xmls, g_strdup (xml));
          free (xml);
        }
      if (virDomainSnapshotIsCurrent (snaps[i], 0) == 1)
        g_ptr_array_add (call->current, g_strdup (virDomainSnapshotGetName (snaps[i])));
      virDomainSnapshotFree (snaps[i]);
    }
  virResetLastError ();
  free (snaps);
  return TRUE;
}

static void
list_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;

  _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
  if (read_snapshots (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
read_child (VireoSnapshot *snapshot,
            xmlNode       *child)
{
  g_autofree char *text = vireo_xml_content (child);
  g_autofree char *kind = NULL;

  if (vireo_xml_is (child, "description"))
    _vireo_set_str (&snapshot->description, text ? text : "");
  else if (vireo_xml_is (child, "creationTime") && text != NULL)
    snapshot->creation_time = g_ascii_strtoll (g_strstrip (text), NULL, 10);
  else if (vireo_xml_is (child, "state") && text != NULL)
    {
      g_strstrip (text);
      snapshot->state = g_str_equal (text, "running") ? VIREO_SNAPSHOT_RUNNING
                        : g_str_equal (text, "paused") || g_str_equal (text, "pmsuspended") ? VIREO_SNAPSHOT_PAUSED
                        : VIREO_SNAPSHOT_SHUTOFF;
    }
  else if (vireo_xml_is (child, "memory"))
    {
      kind = vireo_xml_prop (child, "snapshot");
      snapshot->memory = kind != NULL && !g_str_equal (kind, "no");
    }
  else if (vireo_xml_is (child, "parent"))
    vireo_xml_for_each_element (name, child)
      if (vireo_xml_is (name, "name"))
        {
          g_autofree char *parent = vireo_xml_content (name);
          _vireo_set_str (&snapshot->parent, parent != NULL ? g_strstrip (parent) : NULL);
        }
}

/* libvirt's <domainsnapshot>, read leniently */
static VireoSnapshot *
snapshot_from_xml (const char              *xml,
                   const char              *vm,
                   const VireoDomainConfig *current)
{
  xmlDoc *doc = vireo_xml_read (xml, -1, vm, NULL);
  xmlNode *root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  g_autofree char *name = root != NULL ? vireo_xml_read_name (root, vm, NULL) : NULL;
  VireoSnapshot *snapshot;

  if (name == NULL)
    {
      g_clear_pointer (&doc, xmlFreeDoc);
      return NULL;
    }
  snapshot = _vireo_snapshot_new (name);
  _vireo_set_str (&snapshot->description, "");
  vireo_xml_for_each_element (child, root)
    {
      if (vireo_xml_is (child, "domain") && snapshot->config == NULL)
        {
          g_autofree char *domain = vireo_xml_node_to_string (child);
          snapshot->config = vireo_domain_config_parse (domain, -1, vm, NULL);
        }
      else
        read_child (snapshot, child);
    }
  if (snapshot->config == NULL)
    snapshot->config = vireo_domain_config_copy (current);
  if (g_strcmp0 (snapshot->parent, snapshot->name) == 0)
    g_clear_pointer (&snapshot->parent, g_free);
  xmlFreeDoc (doc);
  return snapshot;
}

static void
libvirt_list_snapshots_async (VireoDomain         *domain,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (domain, cancellable, callback, user_data);
  VireoBackend *host = vireo_domain_get_backend (domain);
  GError *error = NULL;

  /* a host that was removed is said by the policy */
  if ((host == NULL && !vireo_domain_check (domain, VIREO_DOMAIN_OP_SNAPSHOT, &error)) ||
      !_vireo_libvirt_check_connected (VIREO_LIBVIRT_BACKEND (host), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, call_new (domain), (GDestroyNotify) call_free);
  _vireo_libvirt_run (VIREO_LIBVIRT_BACKEND (host), task, list_in_thread);
}

static GPtrArray *
libvirt_list_snapshots_finish (VireoDomain   *domain,
                               GAsyncResult  *result,
                               guint64       *disk_usage,
                               GError       **error)
{
  Call *call = g_task_get_task_data (G_TASK (result));
  g_autoptr(GPtrArray) snapshots = g_ptr_array_new_with_free_func (g_object_unref);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  for (guint i = 0; i < call->xmls->len; i++)
    {
      VireoSnapshot *snapshot = snapshot_from_xml (g_ptr_array_index (call->xmls, i), call->vm,
                                                   vireo_domain_get_config (domain));

      if (snapshot == NULL)
        continue;
      snapshot->current = call->current->len > 0 && g_str_equal (snapshot->name, g_ptr_array_index (call->current, 0));
      g_ptr_array_add (snapshots, snapshot);
    }
  _vireo_snapshot_order (snapshots);
  if (disk_usage != NULL)
    *disk_usage = 0;   /* the host's storage: not known here */
  return g_steal_pointer (&snapshots);
}

/* Changes ---------------------------------------------------------------- */

/* The first free snapshot-N of the VM's */
static char *
free_name (virDomainPtr dom)
{
  for (guint n = 1;; n++)
    {
      g_autofree char *name = g_strdup_printf ("snapshot-%u", n);
      virDomainSnapshotPtr snap = virDomainSnapshotLookupByName (dom, name, 0);

      virResetLastError ();
      if (snap == NULL)
        return g_steal_pointer (&name);
      virDomainSnapshotFree (snap);
    }
}

/* A <domainsnapshot> with @name and @description, escaped by libxml2 */
static char *
snapshot_xml (const char *name,
              const char *description)
{
  xmlDoc *doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNode *root = xmlNewNode (NULL, BAD_CAST "domainsnapshot");
  char *xml;

  xmlDocSetRootElement (doc, root);
  vireo_xml_add_text (root, "name", name);
  if (description != NULL)
    vireo_xml_add_text (root, "description", description);
  xml = vireo_xml_node_to_string (root);
  xmlFreeDoc (doc);
  return xml;
}

/* The snapshot's own XML with @description, for a redefinition */
static char *
with_description (const char *xml,
                  const char *description)
{
  xmlDoc *doc = vireo_xml_read (xml, -1, "snapshot", NULL);
  xmlNode *root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  xmlNode *node;
  char *result;

  if (root == NULL)
    {
      g_clear_pointer (&doc, xmlFreeDoc);
      return NULL;
    }
  if ((node = vireo_xml_child (root, "description")) != NULL)
    {
      xmlUnlinkNode (node);
      xmlFreeNode (node);
    }
  if (*description != '\0')
    vireo_xml_add_text (root, "description", description);
  result = vireo_xml_node_to_string (root);
  xmlFreeDoc (doc);
  return result;
}

static int
edit (virDomainSnapshotPtr snap,
      Call                *call)
{
  unsigned int flags = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;
  g_autofree char *xml = NULL;
  g_autofree char *edited = NULL;
  char *desc = virDomainSnapshotGetXMLDesc (snap, VIR_DOMAIN_SNAPSHOT_XML_SECURE);
  virDomainSnapshotPtr redefined;

  if (desc == NULL)
    return -1;
  xml = g_strdup (desc);
  free (desc);
  if ((edited = with_description (xml, call->description)) == NULL)
    return -1;
  if (virDomainSnapshotIsCurrent (snap, 0) == 1)
    flags |= VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
  redefined = virDomainSnapshotCreateXML (call->dom, edited, flags);
  if (redefined == NULL)
    return -1;
  virDomainSnapshotFree (redefined);
  return 0;
}

static int
change (Call *call)
{
  g_autofree char *xml = NULL;
  virDomainSnapshotPtr snap;
  int rc;

  if (call->kind == VIREO_SNAPSHOT_CHANGE_TAKE)
    {
      if (call->name == NULL)
        call->name = free_name (call->dom);
      xml = snapshot_xml (call->name, call->description);
      snap = virDomainSnapshotCreateXML (call->dom, xml, 0);
      if (snap == NULL)
        return -1;
      virDomainSnapshotFree (snap);
      return 0;
    }
  if ((snap = virDomainSnapshotLookupByName (call->dom, call->name, 0)) == NULL)
    return -1;
  if (call->kind == VIREO_SNAPSHOT_CHANGE_REVERT)
    rc = virDomainRevertToSnapshot (snap, 0);
  else if (call->kind == VIREO_SNAPSHOT_CHANGE_DELETE)
    rc = virDomainSnapshotDelete (snap, 0);
  else
    rc = edit (snap, call);
  virDomainSnapshotFree (snap);
  return rc;
}

static void
change_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Call *call = task_data;

  _vireo_libvirt_count_call (_vireo_libvirt_worker_backend ());
  if (change (call) < 0)
    g_task_return_error (task, error_about (call));
  else
    g_task_return_pointer (task, g_strdup (call->name), g_free);
}

static void
libvirt_change_snapshot_async (VireoDomain         *domain,
                               int                  kind,
                               const char          *name,
                               const char          *description,
                               VireoJob           **job,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (domain, cancellable, callback, user_data);
  VireoLibvirtBackend *backend = VIREO_LIBVIRT_BACKEND (vireo_domain_get_backend (domain));
  GError *error = NULL;
  Call *call;

  if (!_vireo_libvirt_check_connected (backend, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  call = call_new (domain);
  call->kind = kind;
  call->name = g_strdup (name);
  call->description = g_strdup (description);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  _vireo_libvirt_run (backend, task, change_in_thread);
}

static char *
libvirt_change_snapshot_finish (VireoDomain   *domain,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_vireo_libvirt_domain_class_init_snapshots (VireoDomainClass *klass)
{
  klass->list_snapshots_async = libvirt_list_snapshots_async;
  klass->list_snapshots_finish = libvirt_list_snapshots_finish;
  klass->change_snapshot_async = libvirt_change_snapshot_async;
  klass->change_snapshot_finish = libvirt_change_snapshot_finish;
}
