/* vireo-test-net.h: a network's parameters for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Apart from vireo-test-util.c (whose header includes this one) because
 * test-net-helper links vireo-net's core, not the engine: these need
 * only the network rules (vireo-net-params.c), which both carry.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>

#include "vireo-net-params.h"

guint32         vireo_test_ip         (const char *text);
VireoNetParams *vireo_test_net_params (void);
