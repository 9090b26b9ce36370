/* vireoctl.h: shared by the verbs of the command-line tool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "vireo.h"

G_BEGIN_DECLS

/* Exit codes */
#define CTL_OK 0
#define CTL_FAILED 1
#define CTL_USAGE 2

typedef struct {
  VireoBackend *backend;        /* the host the verb works on */
  VireoLocalBackend *engine;    /* this computer's, or NULL with --connect */
  gboolean json;
} Ctl;

typedef int (*CtlVerbFunc) (Ctl *ctl, int argc, char **argv);

GAsyncResult *ctl_wait         (GAsyncResult **slot);
GAsyncResult *ctl_wait_job     (VireoJob *job, GCancellable *cancellable, GAsyncResult **slot);
void          ctl_done         (GObject *source, GAsyncResult *result, gpointer user_data);
int           ctl_fail         (GError *error);
int           ctl_usage        (const char *format, ...) G_GNUC_PRINTF (1, 2);
VireoDomain  *ctl_lookup       (Ctl *ctl, const char *name, GError **error);
gboolean      ctl_parse        (const char *verb, const char *args, GOptionEntry *entries,
                                int *argc, char ***argv, int n_positional);
int           ctl_parse_domain (Ctl *ctl, const char *verb, const char *args, GOptionEntry *entries,
                                int *argc, char ***argv, int n_positional, VireoDomain **domain);
void          ctl_print_json   (JsonNode *node);

int ctl_verb_define     (Ctl *ctl, int argc, char **argv);
int ctl_verb_create     (Ctl *ctl, int argc, char **argv);
int ctl_verb_demo       (Ctl *ctl, int argc, char **argv);
int ctl_verb_undefine   (Ctl *ctl, int argc, char **argv);
int ctl_verb_list       (Ctl *ctl, int argc, char **argv);
int ctl_verb_state      (Ctl *ctl, int argc, char **argv);
int ctl_verb_dumpxml    (Ctl *ctl, int argc, char **argv);
int ctl_verb_domifaddr  (Ctl *ctl, int argc, char **argv);
int ctl_verb_stats      (Ctl *ctl, int argc, char **argv);
int ctl_verb_start      (Ctl *ctl, int argc, char **argv);
int ctl_verb_shutdown   (Ctl *ctl, int argc, char **argv);
int ctl_verb_destroy    (Ctl *ctl, int argc, char **argv);
int ctl_verb_action     (Ctl *ctl, int argc, char **argv);
int ctl_verb_screenshot (Ctl *ctl, int argc, char **argv);
int ctl_verb_change_media (Ctl *ctl, int argc, char **argv);
int ctl_verb_attach_disk (Ctl *ctl, int argc, char **argv);
int ctl_verb_detach_disk (Ctl *ctl, int argc, char **argv);
int ctl_verb_convert_disk (Ctl *ctl, int argc, char **argv);
int ctl_verb_console    (Ctl *ctl, int argc, char **argv);
int ctl_verb_snapshot_create  (Ctl *ctl, int argc, char **argv);
int ctl_verb_snapshot_list    (Ctl *ctl, int argc, char **argv);
int ctl_verb_snapshot_info    (Ctl *ctl, int argc, char **argv);
int ctl_verb_snapshot_dumpxml (Ctl *ctl, int argc, char **argv);
int ctl_verb_snapshot_current (Ctl *ctl, int argc, char **argv);
int ctl_verb_snapshot_revert  (Ctl *ctl, int argc, char **argv);
int ctl_verb_snapshot_delete  (Ctl *ctl, int argc, char **argv);
int ctl_verb_snapshot_edit    (Ctl *ctl, int argc, char **argv);
int ctl_verb_clone      (Ctl *ctl, int argc, char **argv);
int ctl_verb_vol_info   (Ctl *ctl, int argc, char **argv);
VireoNetwork *ctl_lookup_network (Ctl *ctl, const char *name, GError **error);
int ctl_verb_net_define    (Ctl *ctl, int argc, char **argv);
int ctl_verb_net_create    (Ctl *ctl, int argc, char **argv);
int ctl_verb_net_list      (Ctl *ctl, int argc, char **argv);
int ctl_verb_net_dumpxml   (Ctl *ctl, int argc, char **argv);
int ctl_verb_net_autostart (Ctl *ctl, int argc, char **argv);
int ctl_verb_net_start     (Ctl *ctl, int argc, char **argv);
int ctl_verb_net_stop      (Ctl *ctl, int argc, char **argv);
int ctl_verb_net_undefine  (Ctl *ctl, int argc, char **argv);
int ctl_verb_net_leases    (Ctl *ctl, int argc, char **argv);
int ctl_verb_net_add_host  (Ctl *ctl, int argc, char **argv);
int ctl_verb_dominfo    (Ctl *ctl, int argc, char **argv);
int ctl_verb_host_add     (Ctl *ctl, int argc, char **argv);
int ctl_verb_host_list    (Ctl *ctl, int argc, char **argv);
int ctl_verb_host_remove  (Ctl *ctl, int argc, char **argv);
VireoHosts   *ctl_load_hosts (Ctl *ctl, GError **error);
void          ctl_askpass_on_terminal (void);
void          ctl_connect_hosts (VireoHosts *hosts);
int ctl_verb_port_forward_add    (Ctl *ctl, int argc, char **argv);
int ctl_verb_port_forward_remove (Ctl *ctl, int argc, char **argv);
int ctl_verb_port_forward_list   (Ctl *ctl, int argc, char **argv);

JsonNode *ctl_forwards_to_json (const VireoDomainConfig *config);
void      ctl_print_forwards   (const VireoDomainConfig *config);

G_END_DECLS
