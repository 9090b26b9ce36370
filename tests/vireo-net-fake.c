/* vireo-net-fake.c: stand-ins that vireo-net's root test needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   exec -a dnsmasq vireo-net-fake --conf-file=CONF
 *       a process that looks like vireo-net's dnsmasq to /proc and just
 *       waits, with no signal handler (as PID 1 of a PID namespace, it
 *       then ignores every signal sent from inside: a dnsmasq that does
 *       not stop)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main (int    argc,
      char **argv)
{
  const char *base = strrchr (argv[0], '/');

  base = base ? base + 1 : argv[0];
  if (strcmp (base, "dnsmasq") == 0 && argc == 2 && strncmp (argv[1], "--conf-file=", 12) == 0)
    {
      for (;;)
        pause ();
    }
  fprintf (stderr, "usage: exec -a dnsmasq vireo-net-fake --conf-file=CONF\n");
  return 2;
}
