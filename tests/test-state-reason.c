/* test-state-reason.c: reason codes of state.json, worded by the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "vireo-json.h"
#include "vireo-shim-protocol.h"
#include "vireo-state-reason.h"
#include "vireo-test-util.h"

static char *
reason_of (const char *json)
{
  g_autoptr(JsonObject) state = vireo_json_parse_object (json, -1, NULL);

  assert_non_null (state);
  return vireo_state_reason_from_state (state);
}

#define assert_reason(json, expected) \
  do { g_autofree char *got_ = reason_of (json); assert_string_equal (got_, expected); } while (0)

/* Codes without data have one sentence each. */
static void
test_plain_codes (void **state)
{
  static const char *cases[][2] = {
    { VIREO_REASON_BOOTED, "booted" },
    { VIREO_REASON_REBOOTED, "rebooted" },
    { VIREO_REASON_PAUSED, "paused" },
    { VIREO_REASON_RESUMED, "resumed" },
    { VIREO_REASON_POWER_BUTTON, "ACPI power button pressed" },
    { VIREO_REASON_GUEST_POWEROFF, "the guest is powering off" },
    { VIREO_REASON_GUEST_SHUTDOWN, "shut down by the guest" },
    { VIREO_REASON_FORCED_OFF, "forced off" },
    { VIREO_REASON_QEMU_QUIT, "QEMU quit" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = vireo_state_reason_describe (cases[i][0], NULL);
      assert_string_equal (text, cases[i][1]);
    }
}

/* Codes with data: the numbers and QEMU's words come from state.json. */
static void
test_codes_with_data (void **state)
{
  assert_reason ("{\"state\":\"crashed\",\"reason-code\":\"qemu-killed\",\"exit-code\":-1,\"exit-signal\":9}",
                 "QEMU was killed by signal 9 (Killed)");
  assert_reason ("{\"state\":\"crashed\",\"reason-code\":\"qemu-failed\",\"exit-code\":1,\"exit-signal\":0,"
                 "\"qemu-message\":\"terminating on signal 15\"}",
                 "QEMU failed: terminating on signal 15");
  assert_reason ("{\"state\":\"crashed\",\"reason-code\":\"qemu-failed\",\"exit-code\":3,\"exit-signal\":0}",
                 "QEMU exited with code 3");
  assert_reason ("{\"state\":\"shutoff\",\"reason-code\":\"start-failed\",\"exit-code\":1,"
                 "\"start-error\":\"unable to find CPU model 'NoSuchCPU'\",\"qemu-message\":\"other\"}",
                 "failed to start: unable to find CPU model 'NoSuchCPU'");
  assert_reason ("{\"state\":\"shutoff\",\"reason-code\":\"start-failed\",\"exit-code\":1,\"exit-signal\":0}",
                 "failed to start: QEMU exited with code 1");
  assert_reason ("{\"state\":\"shutoff\",\"reason-code\":\"start-failed\",\"exit-code\":-1,\"exit-signal\":6}",
                 "failed to start: QEMU was killed by signal 6 (Aborted)");
}

/* An older shim wrote an English sentence and no code: shown as it is;
 * a newer shim's unknown code is not lost either. */
static void
test_old_and_unknown (void **state)
{
  g_autofree char *none = reason_of ("{\"state\":\"running\"}");
  g_autofree char *empty = reason_of ("{\"state\":\"running\",\"reason\":\"\"}");

  assert_reason ("{\"state\":\"crashed\",\"reason\":\"QEMU was killed by signal 9 (Killed)\","
                 "\"exit-code\":-1,\"exit-signal\":9}",
                 "QEMU was killed by signal 9 (Killed)");
  assert_reason ("{\"state\":\"shutoff\",\"reason\":\"shut down by the guest\"}", "shut down by the guest");
  /* the code wins over a sentence beside it */
  assert_reason ("{\"state\":\"shutoff\",\"reason\":\"ignored\",\"reason-code\":\"forced-off\"}", "forced off");
  assert_reason ("{\"state\":\"running\",\"reason-code\":\"migrated-in\"}", "migrated-in");
  assert_null (none);
  assert_null (empty);
}

/* state.json is a file anyone with the user's rights can write: members
 * of the wrong type are as good as missing, without a GLib warning. */
static void
test_wrong_types (void **state)
{
  g_autoptr(JsonObject) a = vireo_json_parse_object (
      "{\"reason-code\": {\"x\": 1}, \"reason\": [\"old\"]}", -1, NULL);
  g_autoptr(JsonObject) b = vireo_json_parse_object (
      "{\"reason-code\": \"qemu-failed\", \"qemu-message\": {}, \"exit-code\": [3]}", -1, NULL);
  g_autoptr(JsonObject) c = vireo_json_parse_object (
      "{\"reason-code\": \"start-failed\", \"start-error\": 5, \"exit-signal\": \"9\"}", -1, NULL);
  g_autofree char *ra = vireo_state_reason_from_state (a);
  g_autofree char *rb = vireo_state_reason_from_state (b);
  g_autofree char *rc = vireo_state_reason_from_state (c);

  assert_null (ra);
  assert_string_equal (rb, "QEMU exited with code -1");
  assert_string_equal (rc, "failed to start: QEMU exited with code -1");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_plain_codes),
    cmocka_unit_test (test_codes_with_data),
    cmocka_unit_test (test_old_and_unknown),
    cmocka_unit_test (test_wrong_types),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
