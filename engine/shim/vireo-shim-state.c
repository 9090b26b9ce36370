/* vireo-shim-state.c: state.json, rewritten atomically on every change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * state.json is how any client learns the state without a connection
 * (`vireoctl list` reads it for hundreds of VMs) and how the last word of
 * a VM (shut off, or crashed and why) outlives its shim.
 */
#include <unistd.h>

#include "vireo-json.h"
#include "vireo-proc.h"
#include "vireo-shim.h"

static int exit_code = -1;
static int exit_signal = 0;

void
shim_set_exit_status (int code,
                      int sig)
{
  exit_code = code;
  exit_signal = sig;
}

void
shim_write_state (Shim *shim)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autofree char *path = g_build_filename (shim->run_dir, "state.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  static guint64 shim_start_time;
  VireoProcStat st;

  if (shim_start_time == 0 && vireo_proc_stat (getpid (), &st))
    shim_start_time = st.start_time;

  json_object_set_string_member (obj, "name", shim->name);
  json_object_set_string_member (obj, "uuid", shim->uuid);
  json_object_set_string_member (obj, "state", shim->state);
  json_object_set_string_member (obj, "reason", shim->reason ? shim->reason : "");
  json_object_set_string_member (obj, "accel", shim->accel);
  json_object_set_int_member (obj, "shim-pid", getpid ());
  json_object_set_int_member (obj, "shim-start-time", shim_start_time);
  json_object_set_int_member (obj, "qemu-pid", shim->qemu_pid);
  json_object_set_int_member (obj, "qemu-start-time", shim->qemu_start_time);
  json_object_set_int_member (obj, "started-at", shim->started_at / G_USEC_PER_SEC);
  if (shim->guest_net_time > 0 &&
      (g_strcmp0 (shim->state, "running") == 0 || g_strcmp0 (shim->state, "paused") == 0))
    {
      JsonObject *net = json_object_new ();

      json_object_set_int_member (net, "rx-bytes", shim->guest_rx_bytes);
      json_object_set_int_member (net, "tx-bytes", shim->guest_tx_bytes);
      json_object_set_int_member (net, "time", shim->guest_net_time);
      json_object_set_object_member (obj, "guest-net", net);
    }
  if (shim->guest_os && *shim->guest_os &&
      (g_strcmp0 (shim->state, "running") == 0 || g_strcmp0 (shim->state, "paused") == 0))
    json_object_set_string_member (obj, "guest-os", shim->guest_os);
  if (shim->guest_addresses &&
      (g_strcmp0 (shim->state, "running") == 0 || g_strcmp0 (shim->state, "paused") == 0))
    {
      JsonArray *addresses = json_array_new ();

      for (guint i = 0; shim->guest_addresses[i]; i++)
        json_array_add_string_element (addresses, shim->guest_addresses[i]);
      json_object_set_array_member (obj, "guest-addresses", addresses);
    }
  if (exit_code >= 0 || exit_signal > 0)
    {
      json_object_set_int_member (obj, "exit-code", exit_code);
      json_object_set_int_member (obj, "exit-signal", exit_signal);
    }

  text = vireo_json_object_to_string (obj);
  /* Consistent (rename) but not durable: it describes a running process,
   * so an fsync per pause or resume buys nothing. */
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("VM '%s': cannot write state: %s", shim->name, error->message);
}

void
shim_set_state (Shim       *shim,
                const char *state,
                const char *reason)
{
  if (g_strcmp0 (shim->state, state) == 0 && g_strcmp0 (shim->reason, reason) == 0)
    return;
  g_free (shim->state);
  shim->state = g_strdup (state);
  g_free (shim->reason);
  shim->reason = g_strdup (reason);
  shim_write_state (shim);
}
