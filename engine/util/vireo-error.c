/* vireo-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "vireo-error.h"

G_DEFINE_QUARK (vireo-error-quark, vireo_error)
