/* vireo-test-util.h: the small library every test links
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>

#include "vireo-domain-config.h"
#include "vireo-test-net.h"

char  *vireo_test_make_root       (void);
void   vireo_test_remove_tree     (const char *path);
char  *vireo_test_srcpath         (const char *first, ...) G_GNUC_NULL_TERMINATED;
char  *vireo_test_read            (const char *path);
void   vireo_test_assert_golden   (const char *golden_path,
                                   const char *actual);
VireoDomainConfig *vireo_test_parse_domain_file (const char *name);
char  *vireo_test_canonical_xml   (const char *xml);
void   vireo_test_pump            (GMainContext *context,
                                   gboolean     *done,
                                   guint         timeout_ms);
void   vireo_test_pump_for        (guint         ms);
gboolean vireo_test_wait_until    (gboolean    (*check) (gpointer),
                                   gpointer      data,
                                   guint         timeout_s);

#define assert_no_error(err) \
  do { if ((err) != NULL) fail_msg ("unexpected error: %s", (err)->message); } while (0)
