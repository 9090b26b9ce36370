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
 * peer) overflows the stack: count the depth before it parses.  The count
 * is only right for plain JSON, and json-glib also reads single-quoted
 * strings and comments, in which a '"' would hide every bracket after it
 * from the count: outside strings only what JSON itself allows may stand
 * (QEMU and its guest agent write nothing else). */
static gboolean
nesting_ok (const char *text,
            gsize       length)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_NESTING)
            return FALSE;
        }
      else if (c == ']' || c == '}')
        depth = depth > 0 ? depth - 1 : 0;
      else if (!strchr (":, \t\r\n-+.0123456789eEtrufalsn", c) || c == '\0')
        return FALSE;
    }
  return TRUE;
}

/**
 * vireo_json_get_string:
 * Peers send whatever they like: a member of another type is as good as
 * missing, where json-glib's own getters would warn or convert.
 *
 * Returns: (transfer none) (nullable): the member if it is a string (and
 *   @object is not %NULL)
 */
const char *
vireo_json_get_string (JsonObject *object,
                       const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
    ? json_node_get_string (node) : NULL;
}

/**
 * vireo_json_get_int:
 * Returns: the member if it is an integer (and @object is not %NULL),
 *   otherwise @fallback
 */
gint64
vireo_json_get_int (JsonObject *object,
                    const char *member,
                    gint64      fallback)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
    ? json_node_get_int (node) : fallback;
}

static gsize
skip_blanks (const char *text,
             gsize       i,
             gsize       length)
{
  while (i < length && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
    i++;
  return i;
}

/* Whether @text is one object and nothing after it.  json-glib reads the
 * first value of "{}{}" and leaks the second, so a peer's line holding two
 * values is refused before json-glib sees it. */
static gboolean
is_one_object (const char *text,
               gsize       length)
{
  gsize i = skip_blanks (text, 0, length);
  gboolean in_string = FALSE;
  int depth = 0;

  if (i == length || text[i] != '{')
    return FALSE;
  for (; i < length; i++)
    {
      if (in_string)
        {
          if (text[i] == '\\')
            i++;
          else if (text[i] == '"')
            in_string = FALSE;
        }
      else if (text[i] == '"')
        in_string = TRUE;
      else if (text[i] == '{' || text[i] == '[')
        depth++;
      else if ((text[i] == '}' || text[i] == ']') && --depth == 0)
        return skip_blanks (text, i + 1, length) == length;
    }
  return TRUE;   /* unfinished: json-glib says where */
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
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (!nesting_ok (text, length < 0 ? strlen (text) : (gsize) length))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL,
                   _("a JSON message is nested more than %d levels deep, or is not plain JSON"), MAX_NESTING);
      return NULL;
    }
  if (!is_one_object (text, length < 0 ? strlen (text) : (gsize) length))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_PROTOCOL, _("not a JSON object"));
      return NULL;
    }
  parser = json_parser_new_immutable ();
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
