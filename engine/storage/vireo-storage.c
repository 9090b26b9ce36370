/* vireo-storage.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Images are made and converted by qemu-img on a worker thread.  A job
 * never overwrites an existing file, and removes what it created when it
 * fails or is cancelled.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-storage.h"
#include "vireo-i18n.h"

typedef struct {
  char *source;      /* NULL when creating */
  char *dest;
  guint64 size;
  gboolean numbered; /* a taken dest becomes NAME-2.qcow2, NAME-3… */
  gboolean created;  /* dest is ours to remove on failure */
} ImageJob;

#define IMAGE_JOB_KEY "vireo-image-job"

static void
image_job_free (ImageJob *job)
{
  g_free (job->source);
  g_free (job->dest);
  g_free (job);
}

static void
image_job_cleanup (gpointer data)
{
  ImageJob *job = data;

  if (job->created)
    g_unlink (job->dest);
}

/**
 * vireo_storage_existing_file:
 * @vm: the VM's name, for the message
 * @what: "disk image", "kernel"…
 *
 * Looks at the file: call it on a worker thread, not on a main loop.
 *
 * Returns: (transfer full) (nullable): the absolute path of @path when it
 *   is a readable regular file
 */
char *
vireo_storage_existing_file (const char  *vm,
                             const char  *what,
                             const char  *path,
                             GError     **error)
{
  g_autofree char *abs = NULL;

  g_return_val_if_fail (vm != NULL, NULL);
  g_return_val_if_fail (what != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  abs = g_canonicalize_filename (path, NULL);
  if (!g_file_test (abs, G_FILE_TEST_IS_REGULAR) || access (abs, R_OK) != 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("VM '%s': %s %s does not exist or cannot be read"), vm, what, path);
      return NULL;
    }
  return g_steal_pointer (&abs);
}

/**
 * vireo_storage_probe_format:
 * Tells qcow2 from raw by the image's first bytes, and refuses the
 * formats QEMU could read but Vireo does not run (they are imported by
 * conversion instead).  Reads the file: call it on a worker thread.
 * Never guesses qcow2 for a raw image or the other
 * way round: a guest must not choose how its host reads its disk.
 *
 * Returns: (nullable): "qcow2" or "raw"
 */
const char *
vireo_storage_probe_format (const char  *vm,
                            const char  *path,
                            GError     **error)
{
  static const struct { const char *magic; gsize len; const char *name; } others[] = {
    { "KDMV", 4, "VMDK" }, { "# Disk DescriptorFile", 21, "VMDK" },
    { "<<< ", 4, "VDI" }, { "vhdxfile", 8, "VHDX" }, { "conectix", 8, "VHD" },
  };
  char head[32] = { 0 };
  gssize got;
  int fd;

  g_return_val_if_fail (vm != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      vireo_set_io_error (error, errno, _("VM '%s': cannot read %s"), vm, path);
      return NULL;
    }
  got = read (fd, head, sizeof head);
  close (fd);
  if (got >= 4 && memcmp (head, "QFI\xfb", 4) == 0)
    return "qcow2";
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    if (got >= (gssize) others[i].len && memcmp (head, others[i].magic, others[i].len) == 0)
      {
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                     _("VM '%s': %s is a %s image; import it with New VM or convert it "
                     "with qemu-img convert -O qcow2"), vm, path, others[i].name);
        return NULL;
      }
  return "raw";
}

static void
own_process_group (gpointer data)
{
  setpgid (0, 0);
}

/**
 * vireo_storage_spawn:
 * Starts qemu-img (or another tool on images) in a process group of its
 * own: a Ctrl+C at the terminal then reaches the front end, which cancels
 * the job (and kills the tool itself, cleaning up) or lets it finish,
 * and never kills the tool half way through writing an image.
 */
GSubprocess *
vireo_storage_spawn (const char * const  *argv,
                     GSubprocessFlags     flags,
                     GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, own_process_group, NULL, NULL);
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

/* Worker thread: `qemu-img info` of @path, parsed.  -U: a running VM's
 * image is only read, which is safe; @format, when known, is never
 * probed (a raw disk whose guest wrote a qcow2 header stays raw). */
static JsonObject *
image_info (const char  *subject,
            const char  *path,
            const char  *format,
            GError     **error)
{
  const char *argv[] = { "qemu-img", "info", "--output=json", "-U", "-f", format, path, NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonNode *root;

  if (format == NULL)
    {
      argv[4] = path;
      argv[5] = NULL;
    }
  proc = vireo_storage_spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);
  if (proc == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("%s: qemu-img is not installed (package qemu-utils)"), subject);
      return NULL;
    }
  if (!g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, error))
    return NULL;
  if (!g_subprocess_get_successful (proc))
    {
      g_strstrip (err);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   /* Translators: "VM 'web': disk vdb (/a.qcow2) cannot be read: <qemu-img's words>" */
                   _("%s cannot be read: %s"), subject,
                   g_str_has_prefix (err, "qemu-img: ") ? err + strlen ("qemu-img: ") : err);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, out, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("%s: qemu-img info gave no answer Vireo understands"), subject);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static JsonNode *
member_of_type (JsonObject   *object,
                const char   *name,
                JsonNodeType  type)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_TYPE (node) == type ? node : NULL;
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = member_of_type (object, name, JSON_NODE_OBJECT);

  return node ? json_node_get_object (node) : NULL;
}

/* Worker thread: a file other than the image itself that the image makes
 * QEMU read (a qcow2 external data file, a VMDK extent), or NULL. */
static const char *
external_file (JsonObject *info,
               const char *path)
{
  JsonObject *data = member_object (member_object (info, "format-specific"), "data");
  JsonNode *extents;

  if (data == NULL)
    return NULL;
  if (json_object_has_member (data, "data-file"))
    return json_object_get_string_member_with_default (data, "data-file", "?");
  extents = member_of_type (data, "extents", JSON_NODE_ARRAY);
  for (guint i = 0; extents && i < json_array_get_length (json_node_get_array (extents)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (extents), i);
      JsonObject *extent = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *file = extent ? json_object_get_string_member_with_default (extent, "filename", "?") : "?";

      if (!g_str_equal (file, path))
        return file;
    }
  return NULL;
}

/* Worker thread: whether @path's backing file @other is the next image
 * of the chain Vireo made and declared (@backing, the first): the same
 * file, read as qcow2, in the overlay's own folder (Vireo makes the whole
 * chain in its images folder).  The base itself is checked by the
 * caller, against the rest of the chain. */
static gboolean
is_vireo_chain (JsonObject *info,
                const char *path,
                const char *other,
                const char *backing)
{
  const char *format = json_object_get_string_member_with_default (info, "backing-filename-format", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *base_dir = NULL;

  if (backing == NULL || !g_str_equal (other, backing) || g_strcmp0 (format, "qcow2") != 0)
    return FALSE;
  dir = g_path_get_dirname (path);
  base_dir = g_path_get_dirname (backing);
  return g_str_equal (dir, base_dir);
}

/* The next image of the chain, against the rest: one `qemu-img info`
 * per image, none of which opens a backing file. */
static gboolean
check_base (const char          *vm,
            const char          *target,
            const char * const  *backing,
            GError             **error)
{
  g_autofree char *format = vireo_storage_check_image (vm, target, backing[0], "qcow2", backing + 1, error);

  return format != NULL;
}

/**
 * vireo_storage_check_image:
 * @vm: (nullable): the VM's name, for messages
 * @target: (nullable): the disk's target ("vdb"), for messages
 * @path: an image Vireo did not create
 * @format: (nullable): the format the definition gives it; %NULL lets
 *   qemu-img probe (an import, whose result is then always named)
 * @backing: (nullable) (array zero-terminated=1): the images under @path
 *   in a chain Vireo made, nearest first (VireoDiskConfig.backing), or
 *   %NULL for a standalone image
 *
 * Asks `qemu-img info` what the image is, and refuses an image that
 * would make QEMU or qemu-img open another file: a backing file (other
 * than @backing's), an external data file, a VMDK extent elsewhere.  Such
 * a file could be any host file the image's author named.  A chain
 * Vireo made is accepted: each image's backing file is the next of
 * @backing, as qcow2, in the image's folder, and the last is a
 * standalone qcow2 (all checked here, one image at a time, so a header
 * naming another file anywhere in the chain is refused).  Runs
 * qemu-img: call it on a worker thread.
 *
 * Returns: (transfer full) (nullable): the image's format ("qcow2", "raw",
 *   "vmdk"…)
 */
char *
vireo_storage_check_image (const char          *vm,
                           const char          *target,
                           const char          *path,
                           const char          *format,
                           const char * const  *backing,
                           GError             **error)
{
  static const char *importable[] = { "qcow2", "raw", "vmdk", "vdi", "vhdx", "vpc", NULL };
  g_autofree char *subject = NULL;
  g_autoptr(JsonObject) info = NULL;
  const char *found;
  const char *other;

  g_return_val_if_fail (path != NULL, NULL);

  subject = vm && target ? g_strdup_printf (_("VM '%s': disk %s (%s)"), vm, target, path)
          : vm ? g_strdup_printf (_("VM '%s': image %s"), vm, path)
          : g_strdup_printf (_("Image %s"), path);
  if ((info = image_info (subject, path, format, error)) == NULL)
    return NULL;
  found = json_object_get_string_member_with_default (info, "format", "");
  other = json_object_get_string_member_with_default (info, "full-backing-filename",
              json_object_get_string_member_with_default (info, "backing-filename", NULL));
  if (backing != NULL && backing[0] == NULL)
    backing = NULL;
  if (other != NULL && !is_vireo_chain (info, path, other, backing ? backing[0] : NULL))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   /* Translators: "VM 'x': disk vdb (/a.qcow2) has a backing file (/etc/…): …" */
                   _("%s has a backing file (%s): Vireo runs standalone images only; make one with "
                     "`qemu-img convert -O qcow2 %s NEW.qcow2`"), subject, other, path);
      return NULL;
    }
  if (other == NULL && backing != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   /* Translators: "VM 'x': disk vda (/a.qcow2) has no backing file, but …" */
                   _("%s has no backing file, but its definition names the base image %s"),
                   subject, backing[0]);
      return NULL;
    }
  if ((other = external_file (info, path)) != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s has an external data file (%s): Vireo runs standalone images only; make "
                     "one with `qemu-img convert -O qcow2 %s NEW.qcow2`"), subject, other, path);
      return NULL;
    }
  if (format == NULL && !g_strv_contains (importable, found))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
                   _("%s is a '%s' image, which Vireo does not import (qcow2, raw, vmdk, vdi, "
                     "vhdx or vpc)"), subject, found);
      return NULL;
    }
  if (backing != NULL && !check_base (vm, target, backing, error))
    return NULL;
  return g_strdup (found);
}

/* QEMU reads a read-only image without locking it (vireo-qemu-argv.c),
 * but an image it writes must be locked: two writers would corrupt it. */
static gboolean
check_not_in_portal (const VireoDomainConfig *config,
                     const VireoDiskConfig   *disk,
                     GError                 **error)
{
  if (disk->readonly || !vireo_file_in_document_portal (disk->path))
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               /* Translators: the document portal is how a Flatpak app gets a file the user picked */
               _("VM '%s' cannot write disk %s (%s): it is shared through the document portal, where "
                 "QEMU cannot lock it; copy the image into Vireo's storage folder, or give Vireo access "
                 "to its folder (flatpak override --filesystem=FOLDER)"),
               config->name, disk->target, disk->path);
  return FALSE;
}

/**
 * vireo_storage_check_images:
 * vireo_storage_check_image() for every qcow2 image of @config that
 * exists (a raw image names no other file; a missing one is reported
 * when the VM starts), and no writable image in the document portal
 * (vireo_file_in_document_portal()).  Runs qemu-img: call it on a worker
 * thread.  Definitions and starts both check here.
 */
gboolean
vireo_storage_check_images (const VireoDomainConfig *config,
                            GError                 **error)
{
  for (guint i = 0; i < config->disks->len; i++)
    {
      const VireoDiskConfig *disk = g_ptr_array_index (config->disks, i);
      g_autofree char *format = NULL;

      if (disk->path != NULL && !check_not_in_portal (config, disk, error))
        return FALSE;
      if (disk->path == NULL || g_str_equal (disk->format, "raw") ||
          !g_file_test (disk->path, G_FILE_TEST_EXISTS))
        continue;
      format = vireo_storage_check_image (config->name, disk->target, disk->path, disk->format,
                                          (const char * const *) disk->backing, error);
      if (format == NULL)
        return FALSE;
    }
  return TRUE;
}

/**
 * vireo_storage_parse_size:
 * "20G", "512M", "1.5T", "10GiB"; a plain number means GiB, as in
 * virt-install.  Binary units.
 */
gboolean
vireo_storage_parse_size (const char *text,
                          guint64    *bytes,
                          GError    **error)
{
  static const struct { const char *suffix; guint64 mult; } units[] = {
    { "", 1ULL << 30 }, { "K", 1ULL << 10 }, { "KiB", 1ULL << 10 },
    { "M", 1ULL << 20 }, { "MiB", 1ULL << 20 }, { "G", 1ULL << 30 },
    { "GiB", 1ULL << 30 }, { "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
  };
  char *end = NULL;
  double value;

  g_return_val_if_fail (bytes != NULL, FALSE);

  if (text != NULL)
    value = g_ascii_strtod (text, &end);
  if (text == NULL || end == text || !(value > 0))
    goto invalid;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_ascii_strcasecmp (end, units[i].suffix) == 0)
      {
        double total = value * units[i].mult;
        if (total < 1024 * 1024 || total > (double) (1ULL << 50))
          break;
        /* qemu-img wants whole 512-byte sectors */
        *bytes = ((guint64) total + 511) / 512 * 512;
        return TRUE;
      }

invalid:
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG,
               _("Disk size '%s' is not a size between 1M and 1024T (like 20G or 512M)"),
               text ? text : "");
  return FALSE;
}

/* Worker thread: the Nth name after a taken @path, NAME-N.qcow2. */
static char *
numbered_path (const char *path,
               guint       n)
{
  g_autofree char *stem = g_str_has_suffix (path, ".qcow2") ? g_strndup (path, strlen (path) - 6)
                                                             : g_strdup (path);

  return g_strdup_printf ("%s-%u.qcow2", stem, n);
}

/* Worker thread: makes dest's folder and claims dest as a new, private
 * file (O_EXCL, 0600), so qemu-img writes into a file that is ours and a
 * failure removes only that.  An existing file is refused or, numbered,
 * stepped past. */
static gboolean
claim_dest (ImageJob  *job,
            GError   **error)
{
  g_autofree char *dir = g_path_get_dirname (job->dest);
  g_autofree char *first = g_strdup (job->dest);
  g_autoptr(GError) local_error = NULL;
  int fd;

  if (!vireo_mkdir_private (dir, error))
    return FALSE;
  for (guint n = 2; ; n++)
    {
      fd = vireo_file_claim (job->dest, &local_error);
      if (fd >= 0 || !job->numbered || !g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_EXISTS))
        break;
      g_clear_error (&local_error);
      g_free (job->dest);
      job->dest = numbered_path (first, n);
    }
  if (g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_EXISTS))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_EXISTS,
                   _("Disk image %s already exists; it was left untouched"), job->dest);
      return FALSE;
    }
  if (fd < 0)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  close (fd);
  job->created = TRUE;
  return TRUE;
}

/**
 * vireo_storage_parse_progress:
 * @output: what `qemu-img … -p` printed lately, "    (12.34/100%)\r…"
 * @fraction: (out): the last progress in it, 0..1
 *
 * Returns: whether @output holds a progress figure
 */
gboolean
vireo_storage_parse_progress (const char *output,
                              double     *fraction)
{
  const char *open_paren;
  char *end = NULL;
  double value;

  g_return_val_if_fail (output != NULL && fraction != NULL, FALSE);

  for (open_paren = strrchr (output, '('); open_paren; )
    {
      value = g_ascii_strtod (open_paren + 1, &end);
      if (end != open_paren + 1 && g_str_has_prefix (end, "/100%)"))
        {
          *fraction = CLAMP (value / 100.0, 0.0, 1.0);
          return TRUE;
        }
      /* a half-read figure at the end: the one before it */
      open_paren = open_paren > output ? g_strrstr_len (output, open_paren - output, "(") : NULL;
    }
  return FALSE;
}

/**
 * vireo_storage_run_qemu_img:
 * @job: where progress goes, scaled from @from to @to
 * @what: the subject of an error message
 * @argv: qemu-img and its arguments (with -p for progress)
 *
 * Runs qemu-img, feeding its "(NN.NN/100%)" progress to @job.  On
 * cancel, qemu-img is killed and waited for; on failure the error
 * carries qemu-img's own last line (%VIREO_ERROR_NO_SPACE when the disk
 * is full).  Blocks: worker threads.
 */
gboolean
vireo_storage_run_qemu_img (VireoJob           *vjob,
                            const char         *what,
                            const char * const *argv,
                            double              from,
                            double              to,
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) local_error = NULL;
  GInputStream *out;
  GString *output = g_string_new (NULL);
  char buf[4096];
  gssize n;

  proc = vireo_storage_spawn ((const char * const *) argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_MERGE, &local_error);
  if (proc == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("%s: qemu-img is not installed (package qemu-utils)"), what);
      g_string_free (output, TRUE);
      return FALSE;
    }

  out = g_subprocess_get_stdout_pipe (proc);
  while ((n = g_input_stream_read (out, buf, sizeof buf - 1, cancellable, NULL)) > 0)
    {
      double fraction;

      buf[n] = '\0';
      g_string_append (output, buf);
      /* the tail, where a figure split across two reads is whole again */
      if (vireo_storage_parse_progress (output->str + (output->len > 64 ? output->len - 64 : 0),
                                        &fraction))
        vireo_job_set_progress (vjob, from + (to - from) * fraction);
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_subprocess_force_exit (proc);
      g_subprocess_wait (proc, NULL, NULL);
      g_string_free (output, TRUE);
      return !g_cancellable_set_error_if_cancelled (cancellable, error);
    }

  if (!g_subprocess_wait_check (proc, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit_set (output->str, "\r\n", -1);
      const char *last = "";

      for (guint i = 0; lines[i]; i++)
        if (*g_strstrip (lines[i]) != '\0' && lines[i][0] != '(')
          last = lines[i];
      if (g_str_has_prefix (last, "qemu-img: "))
        last += strlen ("qemu-img: ");
      g_set_error (error, VIREO_ERROR,
                   strstr (last, "No space left") ? VIREO_ERROR_NO_SPACE : VIREO_ERROR_FAILED,
                   "%s: %s", what, *last ? last : "qemu-img failed");
      g_string_free (output, TRUE);
      return FALSE;
    }
  g_string_free (output, TRUE);
  return TRUE;
}

/**
 * vireo_storage_convert:
 * @format: the source's format, never probed
 * @snapshot: (nullable): copy the state of this internal snapshot
 * @from: @to: the part of @vjob's progress this copy makes
 *
 * Copies @source into a new qcow2 @dest (claimed by the caller), sparse,
 * with progress; the one way Vireo copies an image (import, clone,
 * convert).  Out-of-order writes on 16 coroutines: @dest is new and
 * nothing reads it until the copy ends, and it takes a third of the
 * time of qemu-img's defaults here.  Blocks: worker threads.
 */
gboolean
vireo_storage_convert (VireoJob      *vjob,
                       const char    *what,
                       const char    *format,
                       const char    *snapshot,
                       const char    *source,
                       const char    *dest,
                       double         from,
                       double         to,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *tag = snapshot ? g_strconcat ("snapshot.name=", snapshot, NULL) : NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *fixed[] = { "qemu-img", "convert", "-p", "-W", "-m", "16", "-f", format, "-O", "qcow2" };

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, (gpointer) fixed[i]);
  if (tag != NULL)
    {
      /* -l and its value as argv entries of their own */
      g_ptr_array_add (argv, "-l");
      g_ptr_array_add (argv, tag);
    }
  g_ptr_array_add (argv, (gpointer) source);
  g_ptr_array_add (argv, (gpointer) dest);
  g_ptr_array_add (argv, NULL);
  return vireo_storage_run_qemu_img (vjob, what, (const char * const *) argv->pdata, from, to,
                                     cancellable, error);
}

static gboolean
create_func (VireoJob      *vjob,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  ImageJob *job = data;
  g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT, job->size);
  g_autofree char *what = NULL;

  /* first: claiming may choose another name */
  if (!claim_dest (job, error))
    return FALSE;
  what = g_strdup_printf ("Cannot create disk image %s", job->dest);
  {
    const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", job->dest, size, NULL };

    return vireo_storage_run_qemu_img (vjob, what, argv, 0.0, 1.0, cancellable, error);
  }
}

static gboolean
import_func (VireoJob      *vjob,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  ImageJob *job = data;
  g_autofree char *what = g_strdup_printf ("Cannot import %s", job->source);
  g_autofree char *format = NULL;

  if (!g_file_test (job->source, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("Cannot import %s: no such file"), job->source);
      return FALSE;
    }
  /* probed once, then named: qemu-img convert never guesses, and never
   * copies a backing or data file the image's author chose */
  format = vireo_storage_check_image (NULL, NULL, job->source, NULL, NULL, error);
  if (format == NULL || !claim_dest (job, error))
    return FALSE;
  return vireo_storage_convert (vjob, what, format, NULL, job->source, job->dest, 0.0, 1.0,
                                cancellable, error);
}

static VireoJob *
image_job_new (const char *title,
               VireoJobFunc func,
               ImageJob   *job)
{
  VireoJob *vjob = vireo_job_new (title, func, image_job_cleanup, job, (GDestroyNotify) image_job_free);

  g_object_set_data (G_OBJECT (vjob), IMAGE_JOB_KEY, job);
  return vjob;
}

/**
 * vireo_storage_create_job:
 * @path: the new image; its folder is made if missing
 * @size_bytes: the virtual size
 *
 * Returns: (transfer full): a job that creates an empty, sparse qcow2,
 *   and fails with %VIREO_ERROR_EXISTS if @path exists
 */
VireoJob *
vireo_storage_create_job (const char *path,
                          guint64     size_bytes)
{
  ImageJob *job;
  g_autofree char *title = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  job = g_new0 (ImageJob, 1);
  title = g_strdup_printf ("Creating %s", path);
  job->dest = g_strdup (path);
  job->size = size_bytes;
  return image_job_new (title, create_func, job);
}

/**
 * vireo_storage_create_free_job:
 * @path: the new image's preferred name, NAME.qcow2
 * @size_bytes: the virtual size
 *
 * Like vireo_storage_create_job(), but a taken @path is not an error: the
 * job makes NAME-2.qcow2, NAME-3.qcow2… instead.  The worker looks, so
 * the caller's thread never does; vireo_storage_job_get_path() says which
 * name the job took.
 *
 * Returns: (transfer full): the job
 */
VireoJob *
vireo_storage_create_free_job (const char *path,
                               guint64     size_bytes)
{
  VireoJob *vjob;

  g_return_val_if_fail (path != NULL, NULL);

  vjob = vireo_storage_create_job (path, size_bytes);
  ((ImageJob *) g_object_get_data (G_OBJECT (vjob), IMAGE_JOB_KEY))->numbered = TRUE;
  return vjob;
}

/**
 * vireo_storage_job_get_path:
 * @job: a job from vireo_storage_create_job(),
 *   vireo_storage_create_free_job() or vireo_storage_import_job()
 *
 * Read it once the job has finished: while it runs, the worker may still
 * choose the name.
 *
 * Returns: (transfer none): the image the job makes
 */
const char *
vireo_storage_job_get_path (VireoJob *job)
{
  ImageJob *data;

  g_return_val_if_fail (VIREO_IS_JOB (job), NULL);
  data = g_object_get_data (G_OBJECT (job), IMAGE_JOB_KEY);
  g_return_val_if_fail (data != NULL, NULL);
  return data->dest;
}

/**
 * vireo_storage_import_job:
 * Returns: (transfer full): a job that copies any image qemu-img reads
 *   (qcow2, raw, vmdk, vdi…) into a new qcow2, leaving the source as it was
 */
VireoJob *
vireo_storage_import_job (const char *source,
                          const char *dest)
{
  ImageJob *job;
  g_autofree char *title = NULL;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (dest != NULL, NULL);

  job = g_new0 (ImageJob, 1);
  title = g_strdup_printf ("Importing %s", source);
  job->source = g_strdup (source);
  job->dest = g_strdup (dest);
  return image_job_new (title, import_func, job);
}

/**
 * vireo_storage_image_info:
 * @subject: what to name in an error ("VM 'web': disk vda")
 * @format: (nullable): the format, never probed when given
 *
 * `qemu-img info --output=json -U`, parsed.  Runs qemu-img: call it on a
 * worker thread.
 *
 * Returns: (transfer full): qemu-img's description of the image
 */
JsonObject *
vireo_storage_image_info (const char  *subject,
                          const char  *path,
                          const char  *format,
                          GError     **error)
{
  return image_info (subject, path, format, error);
}

/* One image of `qemu-img info --backing-chain` in Vireo's shape. */
static void
add_image (JsonBuilder *b,
           JsonObject  *info)
{
  JsonNode *node = json_object_get_member (info, "snapshots");
  JsonArray *snapshots = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, json_object_get_string_member_with_default (info, "filename", ""));
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, json_object_get_string_member_with_default (info, "format", ""));
  json_builder_set_member_name (b, "virtual-size");
  json_builder_add_int_value (b, json_object_get_int_member_with_default (info, "virtual-size", 0));
  json_builder_set_member_name (b, "disk-size");
  json_builder_add_int_value (b, json_object_get_int_member_with_default (info, "actual-size", 0));
  json_builder_set_member_name (b, "backing");
  if (json_object_has_member (info, "full-backing-filename"))
    json_builder_add_string_value (b, json_object_get_string_member (info, "full-backing-filename"));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "snapshots");
  json_builder_begin_array (b);
  for (guint i = 0; snapshots && i < json_array_get_length (snapshots); i++)
    {
      JsonObject *snap = json_array_get_object_element (snapshots, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, json_object_get_string_member_with_default (snap, "name", ""));
      json_builder_set_member_name (b, "vm-state-size");
      json_builder_add_int_value (b, json_object_get_int_member_with_default (snap, "vm-state-size", 0));
      json_builder_set_member_name (b, "date");
      json_builder_add_int_value (b, json_object_get_int_member_with_default (snap, "date-sec", 0));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/**
 * vireo_storage_describe_chain:
 * @path: any image
 *
 * What `qemu-img info` says of @path and the images under it, for
 * `vireoctl vol-info`.  Only reads (-U: also an image a running VM
 * holds).  One image at a time, never `--backing-chain`: an image's
 * header names its backing file, and a guest that wrote a qcow2 header on
 * its raw disk would have qemu-img open whatever it named there (another
 * file, a json: or nbd: target, a FIFO).  A backing file is followed only
 * when it is a plain regular file read as qcow2 or raw; else it is shown
 * and not opened.  Runs qemu-img: blocks.
 *
 * Returns: (transfer full): an array, the image first, each an object
 *   with path, format, virtual-size and disk-size (bytes), backing (or
 *   null) and snapshots (name, vm-state-size, date in seconds since 1970)
 */
JsonNode *
vireo_storage_describe_chain (const char  *path,
                              GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *current = NULL;
  g_autofree char *format = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  /* the image asked about: as qemu-img reads it (the user named it) */
  current = g_canonicalize_filename (path, NULL);
  json_builder_begin_array (b);
  for (guint depth = 0; depth <= VIREO_CHAIN_MAX; depth++)
    {
      g_autoptr(JsonObject) info = image_info (current, current, format, error);
      const char *backing, *backing_format;

      if (info == NULL)
        return NULL;
      add_image (b, info);
      backing = json_object_get_string_member_with_default (info, "full-backing-filename", NULL);
      backing_format = json_object_get_string_member_with_default (info, "backing-filename-format", NULL);
      if (backing == NULL || !g_path_is_absolute (backing) || !g_file_test (backing, G_FILE_TEST_IS_REGULAR) ||
          (g_strcmp0 (backing_format, "qcow2") != 0 && g_strcmp0 (backing_format, "raw") != 0))
        break;
      g_free (current);
      current = g_strdup (backing);
      g_free (format);
      format = g_strdup (backing_format);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}
