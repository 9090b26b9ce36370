/* vireo-doc-export.c: share a file through the document portal, as the
 * Flatpak file chooser does, for a shell test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   vireo-doc-export FILE
 *
 * Calls org.freedesktop.portal.Documents.Add on the session bus with an
 * O_PATH fd of FILE and prints the path the portal shows it under
 * (MOUNTPOINT/DOC-ID/BASENAME), which is what a sandboxed app is given.
 */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <stdio.h>
#include <unistd.h>

#define PORTAL_NAME "org.freedesktop.portal.Documents"
#define PORTAL_PATH "/org/freedesktop/portal/documents"

static GVariant *
call (GDBusConnection *bus,
      const char      *method,
      GVariant        *args,
      const char      *reply_type,
      GUnixFDList     *fds,
      GError         **error)
{
  return g_dbus_connection_call_with_unix_fd_list_sync (bus, PORTAL_NAME, PORTAL_PATH, PORTAL_NAME,
                                                        method, args, G_VARIANT_TYPE (reply_type),
                                                        G_DBUS_CALL_FLAGS_NONE, 10000, fds, NULL,
                                                        NULL, error);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GVariant) mount = NULL;
  g_autoptr(GVariant) added = NULL;
  g_autofree char *base = NULL;
  const char *mount_point, *id;
  int fd;

  if (argc != 2)
    return g_printerr ("usage: vireo-doc-export FILE\n"), 2;
  fd = open (argv[1], O_PATH | O_CLOEXEC);
  if (fd < 0)
    return g_printerr ("%s: %s\n", argv[1], g_strerror (errno)), 1;
  /* the list holds a copy of the fd */
  if (g_unix_fd_list_append (fds, fd, &error) < 0 ||
      !(bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error)) ||
      !(mount = call (bus, "GetMountPoint", NULL, "(ay)", NULL, &error)) ||
      /* reuse_existing, not persistent: as a file chooser does */
      !(added = call (bus, "Add", g_variant_new ("(hbb)", 0, TRUE, FALSE), "(s)", fds, &error)))
    return g_printerr ("vireo-doc-export: %s\n", error->message), 1;
  close (fd);
  g_variant_get (mount, "(^&ay)", &mount_point);
  g_variant_get (added, "(&s)", &id);
  base = g_path_get_basename (argv[1]);
  printf ("%s/%s/%s\n", mount_point, id, base);
  return 0;
}
