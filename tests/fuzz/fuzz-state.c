/* fuzz-state.c: the state.json reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * state.json is written by the shim, but any process of the user can
 * write it.  The input becomes a VM's state.json ("@UUID@" stands for the
 * VM's UUID, which the reader checks) and the VM reads it as the engine
 * does; the reason is also read on its own.
 */
#include <glib/gstdio.h>

#include "fuzz-common.h"
#include "vireo-local-domain-private.h"
#include "vireo-domain.h"
#include "vireo-local-backend.h"
#include "vireo-json.h"
#include "vireo-shim-protocol.h"
#include "vireo-state-reason.h"

static char *root;
static VireoLocalBackend *engine;
static VireoDomain *domain;
static char *state_path;

static void
remove_root (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);

  g_clear_object (&engine);
  if (system (cmd) != 0)
    g_printerr ("cannot remove %s\n", root);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(VireoDomainConfig) config = vireo_domain_config_new ("fuzz");
  g_autoptr(GError) error = NULL;

  fuzz_init_glib ();
  root = g_dir_make_tmp ("vireo-fuzz-state-XXXXXX", &error);
  g_assert_no_error (error);
  engine = vireo_local_backend_new (root);
  domain = vireo_local_backend_define_domain (engine, config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (vireo_domain_get_run_dir (domain), 0700), ==, 0);
  state_path = g_build_filename (vireo_domain_get_run_dir (domain), VIREO_STATE_FILE, NULL);
  atexit (remove_root);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) parts = g_strsplit (text, "@UUID@", -1);
  g_autofree char *json = g_strjoinv (vireo_domain_get_config (domain)->uuid, parts);
  g_autoptr(JsonObject) obj = vireo_json_parse_object (json, -1, NULL);
  g_autoptr(GError) error = NULL;

  if (obj)
    g_free (vireo_state_reason_from_state (obj));
  if (!g_file_set_contents (state_path, json, -1, &error))
    g_error ("cannot write %s: %s", state_path, error->message);
  vireo_domain_refresh_state (domain);
  g_assert_cmpint (vireo_domain_get_state (domain), <=, VIREO_DOMAIN_STATE_CRASHED);
  g_free (vireo_domain_describe_guest (domain));
  fuzz_pump ();
  return 0;
}
