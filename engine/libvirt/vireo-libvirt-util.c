/* vireo-libvirt-util.c: libvirt's errors, its event loop, and what a
 * worker reads of one domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "vireo-error.h"
#include "vireo-i18n.h"
#include "vireo-libvirt-private.h"

/* libvirt prints every error to stderr unless told otherwise; ours go
 * into GErrors, read in the thread that made the call */
static void
ignore_error (void        *user_data,
              virErrorPtr  error)
{
}

static gpointer
init_in_thread (gpointer data)
{
  if (virInitialize () < 0)
    g_error ("libvirt failed to initialise");
  virSetErrorFunc (NULL, ignore_error);
  /* libvirt 9.0's default implementation is GLib's, on the default main
   * context: events and keepalives run on the main thread's loop, with
   * no thread of ours (tests/test-libvirt.c pins it) */
  virEventRegisterDefaultImpl ();
  return NULL;
}

/* Before the first connection of the process. */
void
_vireo_libvirt_init_once (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_in_thread, NULL);
}

static VireoErrorCode
code_for (int code)
{
  switch (code)
    {
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_NO_STORAGE_VOL:
    case VIR_ERR_NO_STORAGE_POOL:
    case VIR_ERR_NO_NETWORK:
      return VIREO_ERROR_NOT_FOUND;
    case VIR_ERR_OPERATION_INVALID:
      return VIREO_ERROR_INVALID_STATE;
    case VIR_ERR_NO_SUPPORT:
    case VIR_ERR_ARGUMENT_UNSUPPORTED:
      return VIREO_ERROR_NOT_SUPPORTED;
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_ACCESS_DENIED:
    case VIR_ERR_OPERATION_DENIED:
      return VIREO_ERROR_PERMISSION;
    case VIR_ERR_XML_ERROR:
    case VIR_ERR_XML_DETAIL:
    case VIR_ERR_CONFIG_UNSUPPORTED:
      return VIREO_ERROR_INVALID_CONFIG;
    case VIR_ERR_DOM_EXIST:
    case VIR_ERR_OPERATION_FAILED:
      return VIREO_ERROR_FAILED;
    case VIR_ERR_OPERATION_TIMEOUT:
      return VIREO_ERROR_TIMEOUT;
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_RPC:
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_INVALID_CONN:
      return VIREO_ERROR_DISCONNECTED;
    default:
      return VIREO_ERROR_FAILED;
    }
}

/**
 * _vireo_libvirt_error:
 * @what: the object, as the user knows it ("VM 'web'", "host 'qemu:///system'")
 *
 * Returns: (transfer full): libvirt's last error in this thread, on one
 *   line after @what
 */
GError *
_vireo_libvirt_error (const char *what)
{
  virErrorPtr error = virGetLastError ();
  g_autofree char *message = NULL;
  GError *result;

  if (error == NULL || error->message == NULL)
    return g_error_new (VIREO_ERROR, VIREO_ERROR_FAILED, _("%s: libvirt failed without saying why"), what);
  message = g_strdup (error->message);
  g_strdelimit (message, "\r\n", ' ');
  result = g_error_new (VIREO_ERROR, code_for (error->code), "%s: %s", what, message);
  virResetLastError ();
  return result;
}

/**
 * _vireo_libvirt_text:
 * @max: the most bytes kept
 *
 * A string a host sent (a lease's host name, a MAC), as Vireo shows it:
 * valid UTF-8, at most @max bytes, control characters as '?', so it can
 * reach a terminal, a message or JSON.
 *
 * Returns: (transfer full) (nullable): the text, %NULL for %NULL
 */
char *
_vireo_libvirt_text (const char *text,
                     gsize       max)
{
  g_autofree char *valid = text != NULL ? g_utf8_make_valid (text, strnlen (text, max)) : NULL;
  GString *shown;

  if (valid == NULL)
    return NULL;
  shown = g_string_sized_new (strlen (valid));

  /* C0, DEL and C1 (U+0080 to U+009F: a terminal reads U+009B as CSI) */
  for (const char *c = valid; *c != '\0'; c = g_utf8_next_char (c))
    {
      gunichar u = g_utf8_get_char (c);

      if (u < 0x20 || (u >= 0x7f && u <= 0x9f))
        g_string_append_c (shown, '?');
      else
        g_string_append_unichar (shown, u);
    }
  return g_string_free (shown, FALSE);
}

void
_vireo_libvirt_record_free (VireoLibvirtRecord *record)
{
  if (record->dom != NULL)
    virDomainFree (record->dom);
  g_free (record->name);
  g_free (record->xml);
  g_free (record);
}

/* The XML as libvirt gives it, NUL-terminated, in GLib's allocator */
static char *
take_xml (char *xml)
{
  char *copy = g_strdup (xml);

  free (xml);
  return copy;
}

/**
 * _vireo_libvirt_read_live_xml:
 * In a worker.
 *
 * Returns: (transfer full) (nullable): @dom's running definition
 */
char *
_vireo_libvirt_read_live_xml (virDomainPtr dom)
{
  char *xml = virDomainGetXMLDesc (dom, 0);

  virResetLastError ();
  return xml != NULL ? take_xml (xml) : NULL;
}

/**
 * _vireo_libvirt_record_read:
 * @known: (nullable): the state and persistence, when a listing of the
 *   host's VMs read them all at once; else they are asked for
 *
 * In a worker: what the rows need of @dom (which the record references):
 * one call with @known (its definition), three without.  The running
 * definition is read only when something needs it (a display over SSH).
 */
VireoLibvirtRecord *
_vireo_libvirt_record_read (virDomainPtr              dom,
                            const VireoLibvirtKnown  *known,
                            GError                  **error)
{
  g_autoptr(VireoLibvirtRecord) record = g_new0 (VireoLibvirtRecord, 1);
  g_autofree char *what = NULL;
  char *xml;

  virDomainRef (dom);
  record->dom = dom;
  record->name = g_strdup (virDomainGetName (dom));
  what = g_strdup_printf (_("VM '%s'"), record->name);
  if (virDomainGetUUIDString (dom, record->uuid) < 0)
    goto failed;
  if (known != NULL)
    {
      record->state = known->state;
      record->reason = known->reason;
      record->persistent = known->persistent;
    }
  else if (virDomainGetState (dom, &record->state, &record->reason, 0) < 0)
    goto failed;
  else
    record->persistent = virDomainIsPersistent (dom) == 1;
  /* with its secrets (a VNC password) when the connection may read them,
   * so that a redefinition keeps them */
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  if (xml == NULL && virGetLastErrorCode () == VIR_ERR_OPERATION_DENIED)
    xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  if (xml == NULL)
    goto failed;
  record->xml = take_xml (xml);
  virResetLastError ();
  return g_steal_pointer (&record);

failed:
  g_propagate_error (error, _vireo_libvirt_error (what));
  return NULL;
}
