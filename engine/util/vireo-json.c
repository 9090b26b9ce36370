/* vireo-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-json.h"
#include "vireo-i18n.h"

/**
 * vireo_json_get_object:
 * Returns: (transfer none) (nullable): the member if it is an object
 */
JsonObject *
vireo_json_get_object (JsonObject *object,
                       const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* As deep as QEMU's own parser goes. */
#define MAX_NESTING 1024

/* json-glib parses recursively, so a deep enough nesting ("[[[[…" from a
 * peer) overflows the stack: count the depth before it parses. */
static gboolean
nesting_ok (const char *text,
            gsize       length)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string && c == '\\')
        i++;
      else if (c == '"')
        in_string = !in_string;
      else if (!in_string && (c == '[' || c == '{') && ++depth > MAX_NESTING)
        return FALSE;
      else if (!in_string && (c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

/**
 * vireo_json_parse_object:
 * A document nested deeper than 1024 levels is refused.
 *
 * Returns: (transfer full) (nullable): the object that @text holds
 */
JsonObject *
vireo_json_parse_object (const char *text,
                         gssize      length,
                         GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!nesting_ok (text, length < 0 ? strlen (text) : (gsize) length))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL,
                   _("a JSON message is nested more than %d levels deep"), MAX_NESTING);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, length, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL, _("not a JSON object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/**
 * vireo_json_object_to_string:
 * Returns: (transfer full): compact JSON text
 */
char *
vireo_json_object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}
