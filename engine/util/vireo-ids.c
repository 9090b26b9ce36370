/* vireo-ids.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"

/* The four ways a name can be wrong, worded for one kind of object. */
typedef struct {
  const char *empty;
  const char *too_long;       /* plural form pair, by VIREO_NAME_MAX */
  const char *too_long_plural;
  const char *bad_start;
  const char *bad_char;
} NameWords;

/* The formats come from the two tables below, and msgfmt --check holds
 * their translations to the same conversions. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static gboolean
check_name (const char       *name,
            const NameWords  *words,
            GError          **error)
{
  gsize len;

  if (name == NULL || *name == '\0')
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME, _(words->empty));
      return FALSE;
    }

  len = strlen (name);
  if (len > VIREO_NAME_MAX)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME,
                   g_dngettext (GETTEXT_PACKAGE, words->too_long, words->too_long_plural, VIREO_NAME_MAX),
                   name, VIREO_NAME_MAX);
      return FALSE;
    }

  if (name[0] == '.' || name[0] == '-')
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME, _(words->bad_start), name, name[0]);
      return FALSE;
    }

  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
        {
          g_autofree char *valid = g_utf8_make_valid (name, -1);

          /* the message stays one line, whatever the name holds */
          for (char *q = valid; *q != '\0'; q++)
            if (g_ascii_iscntrl (*q))
              *q = '?';
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME, _(words->bad_char), valid);
          return FALSE;
        }
    }

  return TRUE;
}
#pragma GCC diagnostic pop

/**
 * vireo_name_validate:
 * A name is 1-64 characters of `[A-Za-z0-9._-]` and does not start with
 * `.` or `-`: it becomes a file name and a command-line argument, so no
 * path tricks (`..`, `/`) and nothing that looks like an option.
 */
gboolean
vireo_name_validate (const char *name,
                     GError    **error)
{
  static const NameWords words = {
    N_("A VM name cannot be empty"),
    NP_("VM name '%.64s…' is longer than %d character",
        "VM name '%.64s…' is longer than %d characters"),
    N_("VM name '%s' cannot start with '%c'"),
    N_("VM name '%s' may only contain letters, digits, '.', '_' and '-'"),
  };

  return check_name (name, &words, error);
}

/**
 * vireo_snapshot_name_validate:
 * A snapshot's name follows the rules of a VM's name: it is a file name
 * too, and the tag of an internal snapshot in each qcow2 image (where a
 * ',' would end a qemu-img option).
 */
gboolean
vireo_snapshot_name_validate (const char *name,
                              GError    **error)
{
  static const NameWords words = {
    N_("A snapshot name cannot be empty"),
    NP_("Snapshot name '%.64s…' is longer than %d character",
        "Snapshot name '%.64s…' is longer than %d characters"),
    N_("Snapshot name '%s' cannot start with '%c'"),
    N_("Snapshot name '%s' may only contain letters, digits, '.', '_' and '-'"),
  };

  return check_name (name, &words, error);
}

/**
 * vireo_snapshot_name_validate_new:
 * The name of a snapshot about to be taken also has a letter or a sign
 * in it: qemu-img, -loadvm and snapshot-load take a tag that could be a
 * snapshot's ID as that ID first, so "1" would later restore another
 * snapshot.  (libvirt names its snapshots by the time, all digits; those
 * are read, and used where no ID in the image is the same.)
 */
gboolean
vireo_snapshot_name_validate_new (const char *name,
                                  GError    **error)
{
  if (!vireo_snapshot_name_validate (name, error))
    return FALSE;
  if (strspn (name, "0123456789") == strlen (name))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME,
                   _("Snapshot name '%s' has only digits: QEMU would take it for a snapshot's number"), name);
      return FALSE;
    }
  return TRUE;
}

char *
vireo_uuid_generate (void)
{
  return g_uuid_string_random ();
}

gboolean
vireo_uuid_is_valid (const char *uuid)
{
  g_autofree char *norm = vireo_uuid_normalize (uuid);
  return norm != NULL;
}

/**
 * vireo_uuid_normalize:
 * Accepts the forms libvirt accepts (with or without dashes, any case)
 * and returns the canonical lower-case dashed form, or %NULL.
 */
char *
vireo_uuid_normalize (const char *uuid)
{
  char hex[33];
  guint n = 0;

  if (uuid == NULL)
    return NULL;

  for (const char *p = uuid; *p != '\0'; p++)
    {
      if (*p == '-' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p) || n == 32)
        return NULL;
      hex[n++] = g_ascii_tolower (*p);
    }
  if (n != 32)
    return NULL;
  hex[32] = '\0';

  return g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s",
                          hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/**
 * vireo_mac_generate:
 * @rand: (nullable): the random source, for reproducible tests
 *
 * Returns: a MAC in QEMU's locally administered range 52:54:00:xx:xx:xx.
 */
char *
vireo_mac_generate (GRand *rand)
{
  guint32 r = rand ? g_rand_int (rand) : g_random_int ();

  return g_strdup_printf ("52:54:00:%02x:%02x:%02x",
                          (r >> 16) & 0xff, (r >> 8) & 0xff, r & 0xff);
}

/**
 * vireo_mac_normalize:
 * Returns: the lower-case colon form of a unicast MAC, or %NULL if @mac
 *   is not one.
 */
char *
vireo_mac_normalize (const char *mac)
{
  guint b[6];
  char end;

  if (mac == NULL || strlen (mac) != 17)
    return NULL;
  if (sscanf (mac, "%2x:%2x:%2x:%2x:%2x:%2x%c",
              &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
    return NULL;
  for (guint i = 0; i < 17; i++)
    if ((i % 3 == 2) ? mac[i] != ':' : !g_ascii_isxdigit (mac[i]))
      return NULL;
  if (b[0] & 1)
    return NULL; /* multicast */

  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5]);
}
