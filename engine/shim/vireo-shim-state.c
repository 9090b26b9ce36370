/* vireo-shim-state.c: state.json, rewritten atomically on every change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * state.json is how any client learns the state without a connection
 * (`vireoctl list` reads it for hundreds of VMs) and how the last word of
 * a VM (shut off, or crashed and why) outlives its shim.
 */
#include <unistd.h>

#include "vireo-fileutil.h"
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

static gboolean
is_live (Shim *shim)
{
  return g_strcmp0 (shim->state, VIREO_STATE_RUNNING) == 0 ||
         g_strcmp0 (shim->state, VIREO_STATE_PAUSED) == 0;
}

/* What the guest agent said, while the guest runs. */
static void
set_guest_members (Shim       *shim,
                   JsonObject *obj)
{
  if (!is_live (shim))
    return;
  if (shim->guest_net_time > 0)
    {
      JsonObject *net = json_object_new ();

      json_object_set_int_member (net, "rx-bytes", shim->guest_rx_bytes);
      json_object_set_int_member (net, "tx-bytes", shim->guest_tx_bytes);
      json_object_set_int_member (net, "time", shim->guest_net_time);
      json_object_set_object_member (obj, VIREO_STATE_KEY_GUEST_NET, net);
    }
  if (shim->guest_os && *shim->guest_os)
    json_object_set_string_member (obj, VIREO_STATE_KEY_GUEST_OS, shim->guest_os);
  if (shim->guest_addresses)
    {
      JsonArray *addresses = json_array_new ();

      for (guint i = 0; shim->guest_addresses[i]; i++)
        json_array_add_string_element (addresses, shim->guest_addresses[i]);
      json_object_set_array_member (obj, VIREO_STATE_KEY_GUEST_ADDRESSES, addresses);
    }
}

/* The reason as a code and its data; the engine words it. */
static void
set_reason_members (Shim       *shim,
                    JsonObject *obj)
{
  if (shim->reason)
    json_object_set_string_member (obj, VIREO_STATE_KEY_REASON_CODE, shim->reason);
  if (shim->start_error && g_strcmp0 (shim->reason, VIREO_REASON_START_FAILED) == 0)
    json_object_set_string_member (obj, VIREO_STATE_KEY_START_ERROR, shim->start_error);
  if (shim->qemu_message)
    json_object_set_string_member (obj, VIREO_STATE_KEY_QEMU_MESSAGE, shim->qemu_message);
  if (exit_code >= 0 || exit_signal > 0)
    {
      json_object_set_int_member (obj, VIREO_STATE_KEY_EXIT_CODE, exit_code);
      json_object_set_int_member (obj, VIREO_STATE_KEY_EXIT_SIGNAL, exit_signal);
    }
}

void
shim_write_state (Shim *shim)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autofree char *path = g_build_filename (shim->run_dir, VIREO_STATE_FILE, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  static guint64 shim_start_time;
  VireoProcStat st;

  if (shim_start_time == 0 && vireo_proc_stat (getpid (), &st))
    shim_start_time = st.start_time;

  json_object_set_string_member (obj, VIREO_STATE_KEY_NAME, shim->name);
  json_object_set_string_member (obj, VIREO_STATE_KEY_UUID, shim->uuid);
  json_object_set_string_member (obj, VIREO_STATE_KEY_STATE, shim->state);
  json_object_set_string_member (obj, VIREO_STATE_KEY_ACCEL, shim->accel);
  json_object_set_int_member (obj, VIREO_STATE_KEY_SHIM_PID, getpid ());
  json_object_set_int_member (obj, VIREO_STATE_KEY_SHIM_START_TIME, shim_start_time);
  json_object_set_int_member (obj, VIREO_STATE_KEY_QEMU_PID, shim->qemu_pid);
  json_object_set_int_member (obj, VIREO_STATE_KEY_QEMU_START_TIME, shim->qemu_start_time);
  json_object_set_int_member (obj, VIREO_STATE_KEY_STARTED_AT, shim->started_at / G_USEC_PER_SEC);
  set_reason_members (shim, obj);
  set_guest_members (shim, obj);

  text = vireo_json_object_to_string (obj);
  /* replaced whole but never flushed: it describes a running process */
  if (!vireo_file_replace_runtime (path, text, -1, 0600, &error))
    g_warning ("VM '%s': cannot write state: %s", shim->name, error->message);
}

/**
 * shim_set_state:
 * @state: a VIREO_STATE_* name
 * @reason_code: (nullable): a VIREO_REASON_* code (a static string)
 */
void
shim_set_state (Shim       *shim,
                const char *state,
                const char *reason_code)
{
  if (g_strcmp0 (shim->state, state) == 0 && g_strcmp0 (shim->reason, reason_code) == 0)
    return;
  g_free (shim->state);
  shim->state = g_strdup (state);
  shim->reason = reason_code;
  shim_write_state (shim);
}
