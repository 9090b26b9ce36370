/* vireo-i18n.h: translated messages in the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Engine errors reach users as they are (the GUI's error bar, the TUI's
 * status line, vireoctl's stderr), so they are translated in the "vireo"
 * domain, which every front end binds at start-up.
 */
#pragma once

#include "config.h"

#include <glib/gi18n-lib.h>

/* A singular and plural message pair in a table, for g_dngettext() later:
 * it expands to both strings, and xgettext extracts them as one plural
 * entry (po/meson.build passes --keyword=NP_:1,2). */
#define NP_(singular, plural) singular, plural
