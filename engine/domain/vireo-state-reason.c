/* vireo-state-reason.c: why a VM is in its state, in the user's words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * vireo-shim records a reason as a code plus data (vireo-shim-protocol.h);
 * this is the one place that turns it into a translated sentence.  The
 * sentences are short phrases shown after the state ("shutoff: forced
 * off"), each a whole phrase for translators.
 */
#include <string.h>

#include "vireo-i18n.h"
#include "vireo-json.h"
#include "vireo-shim-protocol.h"
#include "vireo-state-reason.h"

/* Codes whose sentence needs no data. */
static const struct {
  const char *code;
  const char *sentence;
} plain_reasons[] = {
  /* Translators: the reasons below follow a VM's state, as in
   * "running: booted" or "shutoff (forced off)" */
  { VIREO_REASON_BOOTED, N_("booted") },
  { VIREO_REASON_REBOOTED, N_("rebooted") },
  { VIREO_REASON_PAUSED, N_("paused") },
  { VIREO_REASON_RESUMED, N_("resumed") },
  { VIREO_REASON_POWER_BUTTON, N_("ACPI power button pressed") },
  { VIREO_REASON_GUEST_POWEROFF, N_("the guest is powering off") },
  { VIREO_REASON_GUEST_SHUTDOWN, N_("shut down by the guest") },
  { VIREO_REASON_FORCED_OFF, N_("forced off") },
  { VIREO_REASON_QEMU_QUIT, N_("QEMU quit") },
};

static const char *
get_string (JsonObject *data,
            const char *key)
{
  const char *text = data ? vireo_json_get_string (data, key) : NULL;

  return text && *text ? text : NULL;
}

static gint64
get_int (JsonObject *data,
         const char *key,
         gint64      fallback)
{
  return data ? vireo_json_get_int (data, key, fallback) : fallback;
}

static char *
describe_start_failed (JsonObject *data)
{
  const char *error = get_string (data, VIREO_STATE_KEY_START_ERROR);
  int sig = get_int (data, VIREO_STATE_KEY_EXIT_SIGNAL, 0);

  if (error != NULL)
    /* Translators: %s is QEMU's own message, in English */
    return g_strdup_printf (_("failed to start: %s"), error);
  if (sig > 0)
    /* Translators: %1$d is a signal number, %2$s its name ("Killed") */
    return g_strdup_printf (_("failed to start: QEMU was killed by signal %1$d (%2$s)"),
                            sig, g_strsignal (sig));
  return g_strdup_printf (_("failed to start: QEMU exited with code %d"),
                          (int) get_int (data, VIREO_STATE_KEY_EXIT_CODE, -1));
}

/**
 * vireo_state_reason_describe:
 * @code: a VIREO_REASON_* code
 * @data: (nullable): state.json, or whatever holds the code's data
 *
 * Any thread.  An unknown code (a newer shim's) is returned as it is.
 *
 * Returns: (transfer full): the translated reason
 */
char *
vireo_state_reason_describe (const char *code,
                             JsonObject *data)
{
  for (guint i = 0; i < G_N_ELEMENTS (plain_reasons); i++)
    if (g_str_equal (code, plain_reasons[i].code))
      return g_strdup (_(plain_reasons[i].sentence));

  if (g_str_equal (code, VIREO_REASON_START_FAILED))
    return describe_start_failed (data);
  if (g_str_equal (code, VIREO_REASON_QEMU_KILLED))
    {
      int sig = get_int (data, VIREO_STATE_KEY_EXIT_SIGNAL, 0);

      /* Translators: %1$d is a signal number, %2$s its name ("Killed") */
      return g_strdup_printf (_("QEMU was killed by signal %1$d (%2$s)"), sig, g_strsignal (sig));
    }
  if (g_str_equal (code, VIREO_REASON_QEMU_FAILED))
    {
      const char *words = get_string (data, VIREO_STATE_KEY_QEMU_MESSAGE);

      if (words != NULL)
        /* Translators: %s is QEMU's last message, in English */
        return g_strdup_printf (_("QEMU failed: %s"), words);
      return g_strdup_printf (_("QEMU exited with code %d"),
                              (int) get_int (data, VIREO_STATE_KEY_EXIT_CODE, -1));
    }
  return g_strdup (code);
}

/**
 * vireo_state_reason_from_state:
 * @state: a parsed state.json
 *
 * Reads the reason code and its data, or the English sentence an older
 * shim wrote (shown as it is: the shim may outlive an upgrade).
 *
 * Returns: (transfer full) (nullable): the translated reason, or %NULL
 *   when the file gives none
 */
char *
vireo_state_reason_from_state (JsonObject *state)
{
  const char *code = get_string (state, VIREO_STATE_KEY_REASON_CODE);

  if (code != NULL)
    return vireo_state_reason_describe (code, state);
  return g_strdup (get_string (state, VIREO_STATE_KEY_REASON));
}
