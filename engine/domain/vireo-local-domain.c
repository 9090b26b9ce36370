/* vireo-local-domain.c: a VM of this machine, run by vireo-shim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The VireoDomain of VireoLocalBackend: it starts QEMU in a vireo-shim
 * and talks to it over the shim's socket.  Its vfuncs live beside the
 * rest of their concern (vireo-domain-start.c, -lifecycle.c, -stats.c,
 * vireo-domain.c for the log); the base's instance still holds the run
 * folder and the shim session that they use.
 */
#include "vireo-domain-private.h"
#include "vireo-local-domain.h"

struct _VireoLocalDomain
{
  VireoDomain parent_instance;
};

G_DEFINE_FINAL_TYPE (VireoLocalDomain, vireo_local_domain, VIREO_TYPE_DOMAIN)

static void
vireo_local_domain_class_init (VireoLocalDomainClass *klass)
{
  VireoDomainClass *domain_class = VIREO_DOMAIN_CLASS (klass);

  _vireo_local_domain_class_init_start (domain_class);
  _vireo_local_domain_class_init_lifecycle (domain_class);
  _vireo_local_domain_class_init_stats (domain_class);
  _vireo_local_domain_class_init_log (domain_class);
}

static void
vireo_local_domain_init (VireoLocalDomain *self)
{
}
