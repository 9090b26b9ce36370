/* vireo-snapshot-parse.c: reading a <domainsnapshot> document
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A snapshot file is Vireo's own, but it sits in the user's config
 * folder and may be edited, copied from libvirt or crafted: it is parsed
 * like a definition (no network, no entities), and every name in it is
 * checked before it names a file or an internal snapshot.
 */
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-ids.h"
#include "vireo-snapshot-private.h"
#include "vireo-xml.h"

static gboolean
parse_state (VireoSnapshot *self,
             const char    *text,
             const char    *where,
             GError       **error)
{
  for (guint i = 0; i <= VIREO_SNAPSHOT_PAUSED; i++)
    if (g_strcmp0 (text, vireo_snapshot_state_to_string (i)) == 0)
      {
        self->state = i;
        return TRUE;
      }
  /* libvirt's other states of a VM with RAM saved */
  if (g_strcmp0 (text, "pmsuspended") == 0 || g_strcmp0 (text, "crashed") == 0)
    {
      self->state = VIREO_SNAPSHOT_PAUSED;
      return TRUE;
    }
  if (g_strcmp0 (text, "disk-snapshot") == 0 || g_strcmp0 (text, "shutdown") == 0)
    {
      self->state = VIREO_SNAPSHOT_SHUTOFF;
      return TRUE;
    }
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               _("%s: unknown snapshot state '%s'"), where, text ? text : "");
  return FALSE;
}

static gboolean
parse_disks (VireoSnapshot *self,
             xmlNode       *disks,
             const char    *where,
             GError       **error)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);

  vireo_xml_for_each_element (disk, disks)
    {
      g_autofree char *name = vireo_xml_prop (disk, "name");
      g_autofree char *kind = vireo_xml_prop (disk, "snapshot");

      if (!vireo_xml_is (disk, "disk") || g_strcmp0 (kind, "no") == 0)
        continue;
      if (name == NULL || g_strcmp0 (kind, "internal") != 0)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                       _("%s: only internal disk snapshots are supported"), where);
          return FALSE;
        }
      g_ptr_array_add (targets, g_steal_pointer (&name));
    }
  g_ptr_array_add (targets, NULL);
  g_strfreev (self->disks);
  self->disks = (GStrv) g_ptr_array_free (g_steal_pointer (&targets), FALSE);
  return TRUE;
}

/* One child of <domainsnapshot>. */
static gboolean
parse_element (VireoSnapshot *self,
               xmlNode       *child,
               const char    *where,
               GError       **error)
{
  g_autofree char *text = vireo_xml_content (child);

  if (vireo_xml_is (child, "description"))
    _vireo_set_str (&self->description, text);
  else if (vireo_xml_is (child, "state"))
    return parse_state (self, g_strstrip (text), where, error);
  else if (vireo_xml_is (child, "creationTime"))
    self->creation_time = g_ascii_strtoll (g_strstrip (text), NULL, 10);
  else if (vireo_xml_is (child, "parent"))
    {
      vireo_xml_for_each_element (name, child)
        if (vireo_xml_is (name, "name"))
          {
            g_autofree char *parent = g_strstrip (vireo_xml_content (name));
            if (!vireo_snapshot_name_validate (parent, error))
              return FALSE;
            _vireo_set_str (&self->parent, parent);
          }
    }
  else if (vireo_xml_is (child, "memory"))
    {
      g_autofree char *kind = vireo_xml_prop (child, "snapshot");
      self->memory = g_strcmp0 (kind, "internal") == 0;
    }
  else if (vireo_xml_is (child, "disks"))
    return parse_disks (self, child, where, error);
  else if (vireo_xml_is (child, "domain") || vireo_xml_is (child, "inactiveDomain"))
    {
      VireoDomainConfig **config = vireo_xml_is (child, "domain") ? &self->config : &self->inactive_config;
      g_autofree char *domain = NULL;

      /* libvirt's <inactiveDomain> is a <domain> by another name */
      xmlNodeSetName (child, BAD_CAST "domain");
      domain = vireo_xml_node_to_string (child);
      g_clear_pointer (config, vireo_domain_config_free);
      *config = vireo_domain_config_parse (domain, -1, where, error);
      return *config != NULL;
    }
  return TRUE;
}

static char *
parse_name (xmlNode     *root,
            const char  *where,
            GError     **error)
{
  g_autofree char *name = vireo_xml_read_name (root, where, error);

  if (name == NULL || !vireo_snapshot_name_validate (name, error))
    return NULL;
  return g_steal_pointer (&name);
}

static VireoSnapshot *
parse_root (xmlNode     *root,
            const char  *where,
            GError     **error)
{
  g_autoptr(VireoSnapshot) self = NULL;
  g_autofree char *name = NULL;

  if (root == NULL || !vireo_xml_is (root, "domainsnapshot"))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s: the root element is not <domainsnapshot>"), where);
      return NULL;
    }
  name = parse_name (root, where, error);
  if (name == NULL)
    return NULL;
  self = _vireo_snapshot_new (name);
  vireo_xml_for_each_element (child, root)
    if (!parse_element (self, child, where, error))
      return NULL;
  if (self->config == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s: snapshot '%s' has no <domain>"), where, name);
      return NULL;
    }
  if (self->inactive_config != NULL && (!g_str_equal (self->inactive_config->uuid, self->config->uuid) ||
                                        !g_str_equal (self->inactive_config->name, self->config->name)))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s: snapshot '%s' holds the definitions of two VMs"), where, name);
      return NULL;
    }
  if (g_strcmp0 (self->parent, self->name) == 0)
    g_clear_pointer (&self->parent, g_free);
  return g_steal_pointer (&self);
}

/**
 * _vireo_snapshot_parse:
 * @source: where it came from, for messages
 *
 * Returns: (transfer full) (nullable): the snapshot, or %NULL with a
 *   one-line %VIREO_ERROR_INVALID_CONFIG naming @source
 */
VireoSnapshot *
_vireo_snapshot_parse (const char  *xml,
                       gssize       length,
                       const char  *source,
                       GError     **error)
{
  GError *local = NULL;
  VireoSnapshot *self = NULL;
  xmlDoc *doc = vireo_xml_read (xml, length, source, &local);

  if (doc != NULL)
    {
      self = parse_root (xmlDocGetRootElement (doc), source, &local);
      xmlFreeDoc (doc);
    }
  if (local != NULL)
    {
      g_strstrip (local->message);
      vireo_xml_propagate_error (error, local);
    }
  return self;
}
