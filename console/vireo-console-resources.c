/* vireo-console-resources.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Registered by hand, from the widgets' class_init: in a static library
 * an automatic constructor that nothing refers to would be dropped by the
 * linker.
 */
#include "vireo-console-resources.h"
#include "vireo-console-resources-gen.h"

void
vireo_console_ensure_resources (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      vireo_console_register_resource ();
      g_once_init_leave (&done, 1);
    }
}
