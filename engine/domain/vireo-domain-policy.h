/* vireo-domain-policy.h: rules every front end asks instead of deciding
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a state allows, how a state is called, how VMs sort and filter:
 * decided here once, so the GTK application, vireo-tui and vireoctl
 * cannot disagree (as libvirt keeps virDomainObjCheckActive in one place).
 */
#pragma once

#include "vireo-domain.h"

G_BEGIN_DECLS

/**
 * VireoDomainOp:
 * What a user can ask of a VM; vireo_domain_can() says whether its state
 * allows it now.
 */
typedef enum {
  VIREO_DOMAIN_OP_START,
  VIREO_DOMAIN_OP_SHUTDOWN,
  VIREO_DOMAIN_OP_FORCE_OFF,
  VIREO_DOMAIN_OP_REBOOT,
  VIREO_DOMAIN_OP_RESET,
  VIREO_DOMAIN_OP_PAUSE,
  VIREO_DOMAIN_OP_RESUME,
  VIREO_DOMAIN_OP_DELETE,
  VIREO_DOMAIN_OP_DISPLAY,       /* connect to its screen */
  VIREO_DOMAIN_OP_CONSOLE,       /* attach to its serial console */
  VIREO_DOMAIN_OP_SCREENSHOT,
  VIREO_DOMAIN_OP_STATS,
  VIREO_DOMAIN_OP_SNAPSHOT,      /* take a snapshot */
  VIREO_DOMAIN_OP_REVERT,        /* revert to one, or delete one */
  VIREO_DOMAIN_OP_CLONE,
  VIREO_DOMAIN_OP_CONVERT_DISK,  /* convert a raw disk to qcow2 */
  VIREO_DOMAIN_OP_EDIT,          /* change its definition (details, media, disks) */
  VIREO_DOMAIN_OP_CHANGE_MEDIA,  /* insert or eject a CD-ROM, also live */
  VIREO_DOMAIN_OP_PORT_FORWARD,  /* add or remove a host port forward */
  VIREO_DOMAIN_OP_CHANGE_DISKS,  /* add or remove a disk, change its bus */
  VIREO_DOMAIN_OP_CLONE_LINKED,  /* a clone that shares the disks as they are */
  VIREO_DOMAIN_OP_CLONE_SNAPSHOT, /* a clone of one of its snapshots */
} VireoDomainOp;

/**
 * VireoDomainSort:
 * The orders a VM list offers.  Each key sorts the way a user reads it
 * first: names A to Z (naturally: vm2 before vm10), running VMs before
 * shut-off ones, the biggest and busiest first; ties go by name.
 */
typedef enum {
  VIREO_DOMAIN_SORT_NAME,
  VIREO_DOMAIN_SORT_STATE,
  VIREO_DOMAIN_SORT_VCPUS,
  VIREO_DOMAIN_SORT_MEMORY,
  VIREO_DOMAIN_SORT_CPU,
  VIREO_DOMAIN_SORT_DISK,
  VIREO_DOMAIN_SORT_NETWORK,
  VIREO_DOMAIN_SORT_UPTIME,
  VIREO_DOMAIN_SORT_ADDRESS,
  VIREO_DOMAIN_SORT_HOST,      /* this computer first, then by title */
} VireoDomainSort;

/* How long a shutdown waits for the guest before it forces it off. */
#define VIREO_DOMAIN_SHUTDOWN_TIMEOUT_S 60

gboolean    vireo_domain_state_allows    (VireoDomainState  state,
                                          VireoDomainOp     op);
gboolean    vireo_domain_can             (VireoDomain      *self,
                                          VireoDomainOp     op);
gboolean    vireo_domain_check           (VireoDomain      *self,
                                          VireoDomainOp     op,
                                          GError          **error);
gboolean    vireo_domain_state_is_busy   (VireoDomainState  state);
const char *vireo_domain_state_get_label (VireoDomainState  state);
int         vireo_domain_compare         (VireoDomain      *a,
                                          VireoDomain      *b,
                                          VireoDomainSort   by);
int         vireo_domain_compare_hosts   (VireoBackend     *a,
                                          VireoBackend     *b);
gboolean    vireo_domain_sort_from_string (const char      *text,
                                           VireoDomainSort *by);
char       *vireo_domain_filter_key      (const char       *text);
gboolean    vireo_domain_matches         (VireoDomain      *self,
                                          const char       *filter_key);
char       *vireo_domain_get_first_address (VireoDomain    *self);
char       *vireo_format_duration        (gint64            seconds);

G_END_DECLS
