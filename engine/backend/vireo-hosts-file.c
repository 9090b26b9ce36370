/* vireo-hosts-file.c: the saved hosts' keyfile, and which URIs it takes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One group per host, named by its URI, with title= and autoconnect=.
 * What cannot be read is reported a line at a time and never lost: a bad
 * entry stays in the file as it was, and a file with lines GKeyFile
 * cannot parse at all is not written back (vireo-hosts.c refuses).
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-hosts-private.h"
#include "vireo-i18n.h"
#include "vireo-load-error.h"

#define SSH_URI_PATTERN \
  "^qemu\\+ssh://(?:[A-Za-z0-9_][A-Za-z0-9._-]*@)?[A-Za-z0-9][A-Za-z0-9.-]*(?::([0-9]{1,5}))?/(?:system|session)$"

static gboolean
has_control_or_space (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/**
 * _vireo_hosts_printable:
 * Returns: (transfer full): @text, escaped if it has control characters
 *   or is not UTF-8, so that a message naming it stays one line
 */
char *
_vireo_hosts_printable (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar) *p < ' ' || *p == 0x7f)
      return g_strescape (text, NULL);
  if (!g_utf8_validate (text, -1, NULL))
    return g_strescape (text, NULL);
  return g_strdup (text);
}

static gboolean
check_ssh_uri (const char  *uri,
               GError     **error)
{
  static GRegex *regex;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *port = NULL;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new (SSH_URI_PATTERN, G_REGEX_OPTIMIZE, 0, NULL));
  if (!g_regex_match (regex, uri, 0, &match))
    return FALSE;
  port = g_match_info_fetch (match, 1);
  if (port != NULL && *port != '\0' && (g_ascii_strtoull (port, NULL, 10) < 1 || g_ascii_strtoull (port, NULL, 10) > 65535))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("The port of host '%s' is not between 1 and 65535"), uri);
      return FALSE;
    }
  return TRUE;
}

/* test+unix:///default?socket=/PATH: a libvirtd's shared test driver, as
 * make bench compares Vireo, virsh and virt-manager on one state */
static gboolean
is_test_daemon_uri (const char *uri)
{
  const char *path;

  if (!g_str_has_prefix (uri, "test+unix:///default?socket=/"))
    return FALSE;
  path = uri + strlen ("test+unix:///default?socket=");
  for (const char *p = path; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._/-", *p) == NULL)
      return FALSE;
  return strstr (path, "..") == NULL;
}

/**
 * vireo_hosts_check_uri:
 * Whether @uri is a host Vireo can save: qemu:///system, qemu:///session,
 * qemu+ssh://[user@]host[:port]/system or /session, or test:///… and
 * test+unix:///default?socket=/PATH (for tests and make bench).  A user or host starting with '-' is refused (ssh would take it
 * for an option), and so are '[' and ']', which a keyfile group's name
 * cannot hold.  Any thread.
 *
 * Returns: %TRUE, or %FALSE with @error set to one line naming @uri
 */
gboolean
vireo_hosts_check_uri (const char  *uri,
                       GError     **error)
{
  g_autofree char *shown = NULL;
  g_autoptr(GError) local_error = NULL;

  if (uri == NULL || *uri == '\0')
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG, _("A host's URI is empty"));
      return FALSE;
    }
  shown = _vireo_hosts_printable (uri);
  if (!g_utf8_validate (uri, -1, NULL) || has_control_or_space (uri))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("The host URI '%s' has a space or a control character"), shown);
      return FALSE;
    }
  if (strchr (uri, '[') != NULL || strchr (uri, ']') != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("The host URI '%s' has a '[' or ']': name an IPv6 host in /etc/hosts or ~/.ssh/config"), uri);
      return FALSE;
    }
  if (g_str_equal (uri, "qemu:///system") || g_str_equal (uri, "qemu:///session") ||
      (g_str_has_prefix (uri, "test:///") && uri[strlen ("test:///")] != '\0') || is_test_daemon_uri (uri))
    return TRUE;
  if (check_ssh_uri (uri, &local_error))
    return TRUE;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               _("'%s' is not a host URI Vireo can use: it takes qemu:///system, qemu:///session, "
                 "qemu+ssh://[user@]host[:port]/system or /session"), uri);
  return FALSE;
}

/**
 * _vireo_hosts_check_title:
 * @title: (nullable): none, or what a user calls host @uri
 */
gboolean
_vireo_hosts_check_title (const char  *uri,
                          const char  *title,
                          GError     **error)
{
  g_autofree char *shown = NULL;

  if (title == NULL)
    return TRUE;
  shown = _vireo_hosts_printable (title);
  if (!g_utf8_validate (title, -1, NULL) || !g_str_equal (shown, title))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("The title '%s' of host '%s' has a control character or is not UTF-8 text"), shown, uri);
      return FALSE;
    }
  return TRUE;
}

static void
add_line_error (GPtrArray  *load_errors,
                const char *path,
                GError     *error)
{
  g_ptr_array_add (load_errors, vireo_load_error_new (path, NULL, error));
}

/* Whether GKeyFile reads @text alone ([a group] or, under a group, a key). */
static gboolean
keyfile_reads (const char *text,
               gboolean    under_group)
{
  g_autoptr(GKeyFile) probe = g_key_file_new ();
  g_autofree char *data = g_strconcat (under_group ? "[probe]\n" : "", text, "\n", NULL);

  return g_key_file_load_from_data (probe, data, -1, G_KEY_FILE_NONE, NULL);
}

/* One line of a file GKeyFile refused: %TRUE to keep it.  The keys of a
 * group that cannot be read go with it, or they would join the group
 * above. */
static gboolean
keep_line (const char *path,
           guint       lineno,
           const char *line,
           gsize       len,
           int        *group,      /* 0: none yet, 1: a good one, -1: a bad one */
           GPtrArray  *load_errors)
{
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;
  const char *start;

  if (!g_utf8_validate_len (line, len, NULL))
    {
      add_line_error (load_errors, path,
                      g_error_new (VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                                   _("Skipped line %u of %s: it is not UTF-8 text"), lineno, path));
      return FALSE;
    }
  text = g_strndup (line, len);
  shown = _vireo_hosts_printable (text);
  for (start = text; g_ascii_isspace (*start); start++)
    ;
  if (*start == '\0' || *start == '#')
    return TRUE;
  if (*start == '[')
    {
      *group = keyfile_reads (text, FALSE) ? 1 : -1;
      if (*group == 1)
        return TRUE;
      add_line_error (load_errors, path,
                      g_error_new (VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                                   _("Skipped line %u of %s and the keys under it: '%s' is not a [host URI] group"),
                                   lineno, path, shown));
      return FALSE;
    }
  if (*group == -1)
    return FALSE;
  if (*group == 0 || !keyfile_reads (text, TRUE))
    {
      add_line_error (load_errors, path,
                      g_error_new (VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                                   *group == 0
                                   ? _("Skipped line %u of %s: '%s' comes before any [host URI] group")
                                   : _("Skipped line %u of %s: '%s' is neither a [host URI] group nor a key=value line"),
                                   lineno, path, shown));
      return FALSE;
    }
  return TRUE;
}

static char *
keep_readable_lines (const char *path,
                     const char *data,
                     gsize       len,
                     GPtrArray  *load_errors)
{
  GString *kept = g_string_new (NULL);
  const char *end = data + len;
  int group = 0;
  guint lineno = 0;

  for (const char *line = data; line < end;)
    {
      const char *newline = memchr (line, '\n', end - line);
      gsize n = (newline ? newline : end) - line;

      if (keep_line (path, ++lineno, line, n, &group, load_errors))
        {
          g_string_append_len (kept, line, n);
          g_string_append_c (kept, '\n');
        }
      line = newline ? newline + 1 : end;
    }
  return g_string_free (kept, FALSE);
}

/**
 * _vireo_hosts_read_file:
 * @load_errors: gets a #VireoLoadError for each line skipped
 * @intact: (out): whether the keyfile holds all of the file, so that
 *   writing it back loses nothing
 *
 * Returns: (transfer full) (nullable): what could be read; an empty
 *   keyfile when there is no file; %NULL when it cannot be read at all
 */
GKeyFile *
_vireo_hosts_read_file (const char  *path,
                        GPtrArray   *load_errors,
                        gboolean    *intact,
                        GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *kept = NULL;
  gsize len = 0;

  *intact = TRUE;
  if (!g_file_get_contents (path, &data, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&keyfile);
      *intact = FALSE;
      g_set_error (error, VIREO_ERROR,
                   local_error->code == G_FILE_ERROR_ACCES ? VIREO_ERROR_PERMISSION : VIREO_ERROR_FAILED,
                   _("Cannot read the saved hosts: %s"), local_error->message);
      return NULL;
    }
  if (g_key_file_load_from_data (keyfile, data, len, G_KEY_FILE_KEEP_COMMENTS, NULL))
    return g_steal_pointer (&keyfile);

  *intact = FALSE;
  kept = keep_readable_lines (path, data, len, load_errors);
  if (!g_key_file_load_from_data (keyfile, kept, -1, G_KEY_FILE_KEEP_COMMENTS, &local_error))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("Cannot read the saved hosts in %s: %s"), path, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&keyfile);
}

static gboolean
parse_title (GKeyFile    *keyfile,
             const char  *uri,
             char       **title,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = NULL;

  if (!g_key_file_has_key (keyfile, uri, "title", NULL))
    return TRUE;
  /* an unknown escape gives both a value and an error */
  value = g_key_file_get_string (keyfile, uri, "title", &local_error);
  if (value == NULL || local_error != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("The title of host '%s' cannot be read: %s"), uri, local_error->message);
      return FALSE;
    }
  if (!_vireo_hosts_check_title (uri, value, error))
    return FALSE;
  if (*value != '\0')
    *title = g_steal_pointer (&value);
  return TRUE;
}

/**
 * _vireo_hosts_parse_group:
 * Reads the saved host @uri (a group of @keyfile): a title (none when
 * missing or empty) and whether it connects at start (not when missing).
 * Keys Vireo does not know are left for a later Vireo.
 */
gboolean
_vireo_hosts_parse_group (GKeyFile    *keyfile,
                          const char  *uri,
                          char       **title,
                          gboolean    *autoconnect,
                          GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  *title = NULL;
  *autoconnect = FALSE;
  if (!vireo_hosts_check_uri (uri, error) || !parse_title (keyfile, uri, title, error))
    return FALSE;
  if (!g_key_file_has_key (keyfile, uri, "autoconnect", NULL))
    return TRUE;
  *autoconnect = g_key_file_get_boolean (keyfile, uri, "autoconnect", &local_error);
  if (local_error != NULL)
    {
      g_autofree char *raw = g_key_file_get_value (keyfile, uri, "autoconnect", NULL);
      g_autofree char *shown = _vireo_hosts_printable (raw ? raw : "");

      g_clear_pointer (title, g_free);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("autoconnect of host '%s' is '%s', not true or false"), uri, shown);
      return FALSE;
    }
  return TRUE;
}

/**
 * _vireo_hosts_write_file:
 * Replaces @path with @keyfile at once (a reader sees the old or the new
 * file), private to the user: it names the user's hosts.
 */
gboolean
_vireo_hosts_write_file (const char  *path,
                         GKeyFile    *keyfile,
                         GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  gsize len = 0;
  g_autofree char *data = g_key_file_to_data (keyfile, &len, NULL);

  return vireo_mkdir_private (dir, error) &&
         vireo_file_write_atomic (path, data, len, 0600, error);
}
