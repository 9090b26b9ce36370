/* vireo-ids.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-i18n.h"

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
  gsize len;

  if (name == NULL || *name == '\0')
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME,
                   _("A VM name cannot be empty"));
      return FALSE;
    }

  len = strlen (name);
  if (len > VIREO_NAME_MAX)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME,
                   g_dngettext (GETTEXT_PACKAGE, "VM name '%.64s…' is longer than %d character",
                                "VM name '%.64s…' is longer than %d characters", VIREO_NAME_MAX),
                   name, VIREO_NAME_MAX);
      return FALSE;
    }

  if (name[0] == '.' || name[0] == '-')
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME,
                   _("VM name '%s' cannot start with '%c'"), name, name[0]);
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
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME,
                       _("VM name '%s' may only contain letters, digits, '.', '_' and '-'"),
                       valid);
          return FALSE;
        }
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
