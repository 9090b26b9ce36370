/* vireo-demo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo guest is the test guest that the build makes: the host's kernel
 * and a busybox initramfs.  Its files are copied into the images folder, so
 * the VM keeps working when the build tree goes.  It runs under TCG, which
 * works everywhere (KVM guests hang in some nested setups).
 */
#include <glib/gstdio.h>
#include <unistd.h>

#include "config.h"
#include "vireo-create.h"
#include "vireo-demo.h"
#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-i18n.h"
#include "vireo-paths.h"

#define DEMO_DISK_SIZE (64 * 1024 * 1024)

typedef struct {
  char *name;
  char *guest_dir;
  char *kernel;
  char *initrd;
  GError *failure;     /* returned once the copies are gone */
} Demo;

static void
demo_free (Demo *demo)
{
  g_clear_error (&demo->failure);
  g_free (demo->name);
  g_free (demo->guest_dir);
  g_free (demo->kernel);
  g_free (demo->initrd);
  g_free (demo);
}

/**
 * vireo_demo_find_guest_dir:
 * The test guest is built in the build tree's tests/ and never installed,
 * so an installed Vireo finds one only through the environment.
 *
 * Returns: (transfer full) (nullable): `VIREO_DEMO_GUEST_DIR`, or the
 *   build tree's test guest when running from a build tree
 *   (vireo_paths_find_build_tree())
 */
char *
vireo_demo_find_guest_dir (void)
{
  const char *env = g_getenv ("VIREO_DEMO_GUEST_DIR");
  g_autofree char *build_tree = NULL;
  g_autofree char *built = NULL;
  g_autofree char *kernel = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  build_tree = vireo_paths_find_build_tree ();
  if (build_tree == NULL)
    return NULL;
  built = g_build_filename (build_tree, "tests", NULL);
  kernel = g_build_filename (built, "vmlinuz", NULL);
  if (g_file_test (kernel, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&built);
  return NULL;
}

/* Worker thread: copies @from into a new file of our own, NAME-vmlinuz
 * or, when another VM's file holds that name (an undefined demo whose
 * storage was kept), NAME-vmlinuz-2…  Sets *@to to the file made. */
static gboolean
copy_file (const char    *from,
           const char    *images_dir,
           const char    *base,
           char         **to,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  int fd;

  for (guint n = 1; ; n++)
    {
      g_autofree char *name = n == 1 ? g_strdup (base) : g_strdup_printf ("%s-%u", base, n);

      g_clear_error (&local_error);
      g_free (*to);
      *to = g_build_filename (images_dir, name, NULL);
      fd = vireo_file_claim (*to, &local_error);
      if (fd >= 0 || !g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_EXISTS))
        break;
    }
  if (fd < 0)
    {
      g_clear_pointer (to, g_free);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!vireo_file_copy_to_fd (from, fd, *to, cancellable, error))
    {
      close (fd);
      g_unlink (*to);
      g_clear_pointer (to, g_free);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Worker thread: removes the copies this call made, and nothing else. */
static void
remove_copies (Demo *demo)
{
  if (demo->kernel)
    g_unlink (demo->kernel);
  if (demo->initrd)
    g_unlink (demo->initrd);
}

static void
prepare_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Demo *demo = task_data;
  const VireoPaths *paths = vireo_local_backend_get_paths (source_object);
  g_autofree char *src_kernel = g_build_filename (demo->guest_dir, "vmlinuz", NULL);
  g_autofree char *src_initrd = g_build_filename (demo->guest_dir, "initrd.img", NULL);
  g_autofree char *kernel_base = g_strconcat (demo->name, "-vmlinuz", NULL);
  g_autofree char *initrd_base = g_strconcat (demo->name, "-initrd.img", NULL);
  GError *error = NULL;

  if (!vireo_paths_ensure (paths, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!copy_file (src_kernel, paths->images_dir, kernel_base, &demo->kernel, cancellable, &error) ||
      !copy_file (src_initrd, paths->images_dir, initrd_base, &demo->initrd, cancellable, &error))
    {
      remove_copies (demo);
      g_clear_pointer (&demo->kernel, g_free);
      g_prefix_error (&error, _("Cannot create the demo VM: "));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Worker thread: the copies go when the VM could not be made. */
static void
remove_copies_in_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  Demo *demo = task_data;

  remove_copies (demo);
  g_task_return_error (task, g_steal_pointer (&demo->failure));
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Demo *demo = g_task_get_task_data (task);
  GError *error = NULL;
  VireoDomain *domain = vireo_create_domain_finish (VIREO_BACKEND (source), result, &error);

  if (domain == NULL)
    {
      demo->failure = error;
      g_task_run_in_thread (task, remove_copies_in_thread);
      return;
    }
  g_task_return_pointer (task, domain, g_object_unref);
}

/* The guest's files are in place: the rest is an ordinary new VM. */
static void
on_copied (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Demo *demo = g_task_get_task_data (task);
  g_autoptr(VireoCreateOptions) options = vireo_create_options_new ();
  GCancellable *cancellable;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  options->name = g_strdup (demo->name);
  options->title = g_strdup ("Vireo demo guest");
  options->accel = VIREO_ACCEL_TCG;
  options->memory_mib = 256;
  options->vcpus = 1;          /* a tiny guest: one vCPU boots fastest under TCG */
  options->disk_bytes = DEMO_DISK_SIZE;
  options->kernel = g_strdup (demo->kernel);
  options->initrd = g_strdup (demo->initrd);
  options->cmdline = g_strdup ("console=tty0 console=ttyS0 quiet");
  cancellable = g_task_get_cancellable (task);
  vireo_create_domain_async (VIREO_BACKEND (source), options, NULL, cancellable,
                             on_created, g_steal_pointer (&task));
}

/**
 * vireo_demo_create_async:
 * @guest_dir: (nullable): holds vmlinuz and initrd.img
 *   (vireo_demo_find_guest_dir())
 * @cancellable: (nullable): stops the copying and the creating; what
 *   was copied is removed, on the worker pool
 *
 * Creates a VM named "demo" (or "demo-2"…), not started.  Files are
 * copied on the worker pool.
 */
void
vireo_demo_create_async (VireoLocalBackend   *engine,
                         const char          *guest_dir,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Demo *demo;
  g_autoptr(GTask) copy = NULL;

  g_return_if_fail (VIREO_IS_LOCAL_BACKEND (engine));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (engine, cancellable, callback, user_data);
  demo = g_new0 (Demo, 1);
  g_task_set_source_tag (task, vireo_demo_create_async);
  g_task_set_task_data (task, demo, (GDestroyNotify) demo_free);
  if (guest_dir == NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                               _("The demo guest is not installed (build Vireo, or set VIREO_DEMO_GUEST_DIR)"));
      return;
    }
  demo->name = vireo_backend_suggest_name (VIREO_BACKEND (engine), "demo");
  demo->guest_dir = g_strdup (guest_dir);
  copy = g_task_new (engine, cancellable, on_copied, g_steal_pointer (&task));
  g_task_set_task_data (copy, demo, NULL);
  g_task_run_in_thread (copy, prepare_in_thread);
}

/**
 * vireo_demo_create_finish:
 * Returns: (transfer none): the new VM
 */
VireoDomain *
vireo_demo_create_finish (VireoLocalBackend  *engine,
                          GAsyncResult       *result,
                          GError            **error)
{
  g_autoptr(VireoDomain) domain = NULL;

  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, vireo_demo_create_async), NULL);

  domain = g_task_propagate_pointer (G_TASK (result), error);

  /* the engine's list holds it */
  return domain;
}
