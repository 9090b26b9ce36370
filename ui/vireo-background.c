/* vireo-background.c: asking the desktop to let Vireo run without a window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Running VMs outlive Vireo's window: each has its own vireo-shim.  Inside
 * a Flatpak those shims keep the sandbox alive, but a desktop with a
 * background-apps monitor (GNOME 44 and later) may stop a sandboxed app
 * that has no window unless it asked the Background portal first.
 *
 * The portal answers later, as a Response signal on a Request object.  The
 * Request's path is known before the call (from our unique name and a
 * handle_token), so the signal is subscribed to first and cannot be missed;
 * a portal older than 0.9 returns another path, followed then instead.
 * GDBus directly, rather than libportal: it is one method and one signal.
 */
#include <glib/gi18n.h>

#include "vireo-background.h"

#define PORTAL_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_PATH "/org/freedesktop/portal/desktop"
#define REQUEST_PATH_PREFIX PORTAL_PATH "/request/"

typedef struct {
  GDBusConnection *bus;
  char *handle;             /* the Request object's path */
  guint response_id;        /* its Response subscription */
  GSource *cancel_source;
  gboolean done;
} Request;

static void
request_free (Request *request)
{
  g_object_unref (request->bus);
  g_free (request->handle);
  g_free (request);
}

/* Answers the task once: the Response, the call's failure or the
 * cancellation, whichever comes first.  Drops the reference that
 * vireo_background_request_async() keeps until then. */
static void
complete (GTask    *task,
          gboolean  allowed,
          GError   *error)
{
  Request *request = g_task_get_task_data (task);

  if (request->done)
    {
      g_clear_error (&error);
      return;
    }
  request->done = TRUE;
  if (request->response_id)
    g_dbus_connection_signal_unsubscribe (request->bus, request->response_id);
  request->response_id = 0;
  if (request->cancel_source)
    g_source_destroy (request->cancel_source);
  g_clear_pointer (&request->cancel_source, g_source_unref);
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, allowed);
  g_object_unref (task);
}

/* Response (u response, a{sv} results): 0 answered, 1 the user said no,
 * 2 the portal gave up. */
static void
on_response (GDBusConnection *bus,
             const char      *sender,
             const char      *path,
             const char      *interface,
             const char      *signal,
             GVariant        *parameters,
             gpointer         user_data)
{
  GTask *task = user_data;
  g_autoptr(GVariant) results = NULL;
  g_autofree char *text = NULL;
  gboolean allowed = FALSE;
  guint32 response;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ua{sv})")))
    return;
  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_debug ("Background portal: response %u, %s", response, text = g_variant_print (results, FALSE));
  if (response == 2)
    {
      complete (task, FALSE, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                  _("The desktop could not answer whether Vireo may run in the background")));
      return;
    }
  if (response == 0)
    g_variant_lookup (results, "background", "b", &allowed);
  complete (task, allowed, NULL);
}

static void
subscribe (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  request->response_id =
    g_dbus_connection_signal_subscribe (request->bus, PORTAL_NAME, "org.freedesktop.portal.Request", "Response",
                                        request->handle, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_response, g_object_ref (task), g_object_unref);
}

static void
on_called (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;
  const char *handle;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      /* Translators: followed by D-Bus's reason, e.g. that no portal runs */
      g_prefix_error (&error, "%s", _("Could not ask the desktop to let Vireo run in the background: "));
      complete (task, FALSE, error);
      return;
    }
  g_variant_get (reply, "(&o)", &handle);
  if (!request->done && g_strcmp0 (handle, request->handle) != 0)
    {
      /* an old portal, which ignores handle_token */
      g_dbus_connection_signal_unsubscribe (request->bus, request->response_id);
      g_free (request->handle);
      request->handle = g_strdup (handle);
      subscribe (task);
    }
}

/* Withdraws the question, so that the portal does not keep asking for
 * an application that is gone. */
static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  g_dbus_connection_call (request->bus, PORTAL_NAME, request->handle, "org.freedesktop.portal.Request", "Close",
                          NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
  complete (task, FALSE,
            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 _("The desktop did not answer whether Vireo may run in the background")));
  return G_SOURCE_REMOVE;
}

/* Where the portal puts the Request for @token: our unique name without
 * its colon, dots made underscores. */
static char *
request_path (GDBusConnection *bus,
              const char      *token)
{
  g_autofree char *sender = g_strdup (g_dbus_connection_get_unique_name (bus) + 1);

  g_strdelimit (sender, ".", '_');
  return g_strconcat (REQUEST_PATH_PREFIX, sender, "/", token, NULL);
}

/**
 * vireo_background_request_async:
 * @bus: the session bus
 * @parent_window: the portal's window identifier ("x11:XID"), or "" for none
 * @reason: what the user reads, translated
 *
 * Asks org.freedesktop.portal.Background to let Vireo run without a
 * window, not started at login.  Cancelling @cancellable closes the
 * request; the portal's answer then no longer counts.
 */
void
vireo_background_request_async (GDBusConnection     *bus,
                                const char          *parent_window,
                                const char          *reason,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);
  g_autofree char *token = g_strdup_printf ("vireo%u", g_random_int ());
  GVariantBuilder options;

  g_task_set_source_tag (task, vireo_background_request_async);
  g_task_set_check_cancellable (task, FALSE);   /* our own message says what was cancelled */
  request->bus = g_object_ref (bus);
  request->handle = request_path (bus, token);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  subscribe (task);
  if (cancellable)
    {
      request->cancel_source = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, request->cancel_source, G_SOURCE_FUNC (on_cancelled));
    }

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason", g_variant_new_string (reason));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (FALSE));
  g_dbus_connection_call (bus, PORTAL_NAME, PORTAL_PATH, "org.freedesktop.portal.Background", "RequestBackground",
                          g_variant_new ("(sa{sv})", parent_window, &options), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_called, g_object_ref (task));
}

/**
 * vireo_background_request_finish:
 * @allowed: (out): whether the desktop lets Vireo run in the background
 *
 * Returns: FALSE if the portal gave no answer (none there, it failed, or
 * the request was cancelled), with @error set
 */
gboolean
vireo_background_request_finish (GAsyncResult  *result,
                                 gboolean      *allowed,
                                 GError       **error)
{
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  *allowed = g_task_propagate_boolean (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}
