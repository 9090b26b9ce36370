/* test-snapshot.c: snapshot metadata, its XML and its tree, without QEMU
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The files of a VM's snapshot folder are read like any input: a file
 * edited by hand, copied from libvirt or crafted must not crash the
 * listing, loop the tree, or name a file outside the folder.
 */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "vireo-error.h"
#include "vireo-fileutil.h"
#include "vireo-snapshot-private.h"
#include "vireo-test-util.h"

static VireoSnapshot *
make (const char *name,
      const char *parent,
      gint64      time,
      const char *uuid)
{
  VireoSnapshot *s = _vireo_snapshot_new (name);

  s->parent = g_strdup (parent);
  s->creation_time = time;
  s->config = vireo_domain_config_new ("vm");
  g_free (s->config->uuid);
  s->config->uuid = g_strdup (uuid);
  return s;
}

#define UUID "0a3a5d36-3c56-4a3e-9a4f-33c2e6d0b9a1"

/* What is written is read back the same, in libvirt's shape. */
static void
test_round_trip (void **state)
{
  g_autoptr(VireoSnapshot) s = make ("before-upgrade", "base", 1700000000, UUID);
  g_autoptr(VireoSnapshot) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *again = NULL;

  _vireo_set_str (&s->description, "Kernel 6.1 & <all> \"tests\" green");
  s->state = VIREO_SNAPSHOT_PAUSED;
  s->memory = TRUE;
  g_strfreev (s->disks);
  s->disks = g_strsplit ("vda vdb", " ", -1);
  xml = vireo_snapshot_format_xml (s);
  assert_non_null (strstr (xml, "<domainsnapshot>\n  <name>before-upgrade</name>"));
  assert_non_null (strstr (xml, "<state>paused</state>"));
  assert_non_null (strstr (xml, "<parent>\n    <name>base</name>\n  </parent>"));
  assert_non_null (strstr (xml, "<memory snapshot=\"internal\"/>"));
  assert_non_null (strstr (xml, "<disk name=\"vdb\" snapshot=\"internal\"/>"));
  assert_non_null (strstr (xml, "&amp; &lt;all&gt;"));
  assert_non_null (strstr (xml, "</disks>\n<domain "));

  back = _vireo_snapshot_parse (xml, -1, "x.xml", &error);
  assert_null (back->inactive_config);
  assert_no_error (error);
  assert_string_equal (back->name, "before-upgrade");
  assert_string_equal (back->description, s->description);
  assert_string_equal (back->parent, "base");
  assert_int_equal (back->creation_time, 1700000000);
  assert_int_equal (back->state, VIREO_SNAPSHOT_PAUSED);
  assert_true (back->memory);
  assert_int_equal (g_strv_length (back->disks), 2);
  assert_string_equal (back->config->uuid, UUID);
  again = vireo_snapshot_format_xml (back);
  assert_string_equal (again, xml);
}

/* The definition on disk beside the one that ran, as libvirt keeps it. */
static void
test_inactive_domain (void **state)
{
  g_autoptr(VireoSnapshot) s = make ("pending", NULL, 1, UUID);
  g_autoptr(VireoSnapshot) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *crafted = NULL;

  s->memory = TRUE;
  s->inactive_config = vireo_domain_config_copy (s->config);
  s->inactive_config->memory_kib *= 2;
  xml = vireo_snapshot_format_xml (s);
  assert_non_null (strstr (xml, "</domain>\n<inactiveDomain type="));
  assert_non_null (strstr (xml, "</inactiveDomain>\n</domainsnapshot>"));
  back = _vireo_snapshot_parse (xml, -1, "x.xml", &error);
  assert_no_error (error);
  assert_int_equal (back->inactive_config->memory_kib, s->config->memory_kib * 2);
  assert_int_equal (back->config->memory_kib, s->config->memory_kib);

  /* two VMs in one snapshot: refused */
  crafted = g_strdup (xml);
  g_clear_object (&back);
  memcpy (strstr (strstr (crafted, "<inactiveDomain"), "<uuid>") + 6, "f", 1);
  back = _vireo_snapshot_parse (crafted, -1, "x.xml", &error);
  assert_null (back);
  assert_non_null (strstr (error->message, "the definitions of two VMs"));
}

/* libvirt's own file, with what Vireo does not use. */
static void
test_libvirt_file (void **state)
{
  const char *xml =
    "<domainsnapshot>\n"
    "  <name>1700000000</name>\n"
    "  <state>shutoff</state>\n"
    "  <creationTime>1700000000</creationTime>\n"
    "  <memory snapshot='no'/>\n"
    "  <disks><disk name='vda' snapshot='internal'/><disk name='hdc' snapshot='no'/></disks>\n"
    "  <active>1</active>\n"
    "  <domain type='kvm'><name>vm</name><uuid>" UUID "</uuid>"
    "<memory unit='KiB'>262144</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>"
    "</domain>\n"
    "</domainsnapshot>\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoSnapshot) s = _vireo_snapshot_parse (xml, -1, "1700000000.xml", &error);

  assert_no_error (error);
  assert_false (s->memory);
  assert_null (s->parent);
  assert_int_equal (g_strv_length (s->disks), 1);
  assert_string_equal (s->disks[0], "vda");
}

/* Each bad file is one line naming it. */
static void
test_hostile_files (void **state)
{
  static const struct { const char *xml; const char *says; } cases[] = {
    { "<domainsnapshot><name>a", "malformed XML" },
    { "<domain><name>a</name></domain>", "is not <domainsnapshot>" },
    { "<domainsnapshot><state>running</state></domainsnapshot>", "<name> is missing" },
    { "<domainsnapshot><name>../../etc</name></domainsnapshot>", "cannot start with '.'" },
    { "<domainsnapshot><name>a</name><parent><name>x/y</name></parent></domainsnapshot>", "may only contain" },
    { "<domainsnapshot><name>a</name><state>flying</state></domainsnapshot>", "unknown snapshot state 'flying'" },
    { "<domainsnapshot><name>a</name><disks><disk name='vda' snapshot='external'/></disks></domainsnapshot>",
      "only internal disk snapshots" },
    { "<domainsnapshot><name>a</name></domainsnapshot>", "has no <domain>" },
    /* an entity is never expanded: no file of the host reaches a name */
    { "<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><domainsnapshot><name>&e;</name></domainsnapshot>",
      "cannot be empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VireoSnapshot) s = _vireo_snapshot_parse (cases[i].xml, -1, "bad.xml", &error);

      assert_null (s);
      assert_true (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_CONFIG) ||
                   g_error_matches (error, VIREO_ERROR, VIREO_ERROR_INVALID_NAME));
      if (strstr (error->message, cases[i].says) == NULL)
        fail_msg ("case %u: '%s' does not say '%s'", i, error->message, cases[i].says);
      assert_null (strchr (error->message, '\n'));
    }
}

static const char *
name_at (GPtrArray *list,
         guint      i)
{
  return ((VireoSnapshot *) g_ptr_array_index (list, i))->name;
}

/* Depth first, siblings oldest first; an orphan and a loop become roots. */
static void
test_tree_order (void **state)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (list, make ("c2", "b", 40, UUID));
  g_ptr_array_add (list, make ("a", NULL, 10, UUID));
  g_ptr_array_add (list, make ("c1", "b", 30, UUID));
  g_ptr_array_add (list, make ("b", "a", 20, UUID));
  g_ptr_array_add (list, make ("orphan", "gone", 5, UUID));
  g_ptr_array_add (list, make ("x", "y", 50, UUID));
  g_ptr_array_add (list, make ("y", "x", 60, UUID));
  _vireo_snapshot_order (list);

  assert_int_equal (list->len, 7);
  assert_string_equal (name_at (list, 0), "orphan");
  assert_string_equal (name_at (list, 1), "a");
  assert_string_equal (name_at (list, 2), "b");
  assert_string_equal (name_at (list, 3), "c1");
  assert_string_equal (name_at (list, 4), "c2");
  assert_int_equal (((VireoSnapshot *) g_ptr_array_index (list, 3))->depth, 2);
  assert_null (((VireoSnapshot *) g_ptr_array_index (list, 0))->parent);
  /* the loop x <-> y: each once, one of them a root */
  assert_string_equal (name_at (list, 5), "x");
  assert_string_equal (name_at (list, 6), "y");
  assert_int_equal (((VireoSnapshot *) g_ptr_array_index (list, 6))->depth, 1);
}

static void
test_suggest_name (void **state)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *first = vireo_snapshot_suggest_name (list);
  g_autofree char *third = NULL;

  assert_string_equal (first, "snapshot-1");
  g_ptr_array_add (list, make ("snapshot-1", NULL, 1, UUID));
  g_ptr_array_add (list, make ("snapshot-2", NULL, 2, UUID));
  third = vireo_snapshot_suggest_name (list);
  assert_string_equal (third, "snapshot-3");
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  assert_true (g_file_set_contents (path, contents, -1, NULL));
}

/* The folder: files that are not a snapshot of this VM are skipped. */
static void
test_store_load (void **state)
{
  g_autofree char *root = vireo_test_make_root ();
  g_autoptr(VireoPaths) paths = vireo_paths_new (root);
  g_autoptr(VireoDomainConfig) vm = vireo_domain_config_new ("vm");
  g_autoptr(VireoSnapshot) good = make ("good", NULL, 1, UUID);
  g_autoptr(VireoSnapshot) stale = make ("stale", NULL, 2, "11111111-2222-3333-4444-555555555555");
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = _vireo_snapshot_dir (paths, "vm");
  g_autofree char *current = NULL;
  g_autofree char *good_xml = vireo_snapshot_format_xml (good);
  g_autofree char *link = NULL;

  g_free (vm->uuid);
  vm->uuid = g_strdup (UUID);
  assert_true (_vireo_snapshot_store_save (paths, "vm", good, &error));
  assert_true (_vireo_snapshot_store_save (paths, "vm", stale, &error));
  assert_true (_vireo_snapshot_store_set_current (paths, "vm", "good", &error));
  write_file (dir, "renamed.xml", good_xml);
  write_file (dir, "broken.xml", "<domainsnapshot>");
  write_file (dir, ".xml", good_xml);
  link = g_build_filename (dir, "link.xml", NULL);
  assert_int_equal (symlink ("/etc/passwd", link), 0);

  g_test_expect_message ("vireo-engine", G_LOG_LEVEL_WARNING, "*broken.xml*");
  list = _vireo_snapshot_store_load (paths, vm, TRUE, &current, &error);
  g_test_assert_expected_messages ();
  assert_no_error (error);
  assert_int_equal (list->len, 1);
  assert_string_equal (name_at (list, 0), "good");
  assert_string_equal (current, "good");

  assert_true (_vireo_snapshot_store_remove (paths, "vm", "good", &error));
  _vireo_snapshot_store_forget_vm (paths, "vm");
  assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  vireo_test_remove_tree (root);
}

/* The NVRAM a snapshot lives in beside the disks: a UEFI VM's qcow2 one
 * alone; qemu-img takes, finds and deletes a snapshot in it. */
static void
test_nvram (void **state)
{
  g_autofree char *root = vireo_test_make_root ();
  g_autoptr(VireoDomainConfig) vm = vireo_domain_config_new ("vm");
  g_autofree char *qcow2 = g_build_filename (root, "vm_VARS.qcow2", NULL);
  g_autofree char *raw = g_build_filename (root, "vm_VARS.fd", NULL);
  const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", qcow2, "1M", NULL };
  g_autoptr(GError) error = NULL;
  int status;
  gboolean has = TRUE;

  vm->nvram = g_strdup (qcow2);
  assert_null (_vireo_snapshot_nvram (vm));  /* BIOS */
  vireo_domain_config_set_firmware (vm, TRUE);
  _vireo_set_str (&vm->nvram, raw);
  assert_null (_vireo_snapshot_nvram (vm));
  _vireo_set_str (&vm->nvram, qcow2);
  assert_string_equal (_vireo_snapshot_nvram (vm), qcow2);

  /* not made yet: it holds nothing */
  assert_true (_vireo_nvram_has_snapshot ("vm", qcow2, "s1", &has, &error));
  assert_false (has);
  assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                             &status, &error));
  assert_true (g_spawn_check_wait_status (status, &error));
  assert_true (_vireo_nvram_snapshot_run ("vm", qcow2, "-c", "s1", &error));
  assert_true (_vireo_nvram_has_snapshot ("vm", qcow2, "s1", &has, &error));
  assert_true (has);
  assert_true (_vireo_nvram_snapshot_run ("vm", qcow2, "-d", "s1", &error));
  assert_true (_vireo_nvram_has_snapshot ("vm", qcow2, "s1", &has, &error));
  assert_false (has);
  assert_false (_vireo_nvram_snapshot_run ("vm", qcow2, "-a", "s1", &error));
  assert_non_null (strstr (error->message, "VM 'vm': NVRAM: "));
  vireo_test_remove_tree (root);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_round_trip),
    cmocka_unit_test (test_inactive_domain),
    cmocka_unit_test (test_libvirt_file),
    cmocka_unit_test (test_hostile_files),
    cmocka_unit_test (test_tree_order),
    cmocka_unit_test (test_suggest_name),
    cmocka_unit_test (test_store_load),
    cmocka_unit_test (test_nvram),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
