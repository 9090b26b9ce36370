/* vireo-tui.h: the state of vireo-tui, shared by its modules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * vireo-tui is one screen: a table of VMs that fills the terminal, a
 * key bar and a status line, with overlays for help and confirmations.
 * The GLib main loop drives it: stdin and SIGWINCH are sources, the
 * engine's signals mark what changed, and the screen is drawn only when
 * something did.
 */
#pragma once

#include <curses.h>

#include "vireo.h"

G_BEGIN_DECLS

#define TUI_HISTORY 8              /* CPU samples in a row's bar */

/* What a key handler asks to redraw. */
typedef enum {
  TUI_REDRAW_NONE = 0,
  TUI_REDRAW_TABLE = 1 << 0,
  TUI_REDRAW_ALL = 0xff,
} TuiRedraw;

typedef enum {
  TUI_MODE_TABLE,
  TUI_MODE_FILTER,       /* typing after '/' */
  TUI_MODE_CONFIRM,      /* y/n for the pending action */
  TUI_MODE_HELP,
  TUI_MODE_DETAILS,      /* the selected VM's pane (Enter) */
  TUI_MODE_FORM,         /* New VM (n) */
  TUI_MODE_PROMPT,       /* typing a name in the status line */
  TUI_MODE_NETWORKS,     /* the network view (N) */
} TuiMode;

typedef enum {
  TUI_COL_STATE,
  TUI_COL_HOST,          /* only while there is more than one host */
  TUI_COL_NAME,
  TUI_COL_VCPUS,
  TUI_COL_MEMORY,
  TUI_COL_CPU,
  TUI_COL_DISK,
  TUI_COL_NET,
  TUI_COL_UPTIME,
  TUI_COL_ADDRESS,
  TUI_N_COLS,
} TuiColumn;

/* One VM as the table shows it; its numbers come from the engine's
 * stats monitor, which the row watches while it exists. */
typedef struct {
  VireoDomain *domain;
} TuiRow;

typedef struct _Tui Tui;
typedef struct _TuiSnapshots TuiSnapshots;
typedef struct _TuiNetworks TuiNetworks;
typedef void (*TuiConfirmFunc) (Tui *tui, VireoDomain *domain);
/* @choice: which of the prompt's two choices was on (Tab switches) */
typedef void (*TuiPromptFunc) (Tui *tui, VireoDomain *domain, const char *text, gboolean choice);

struct _Tui {
  VireoLocalBackend *engine;
  VireoHosts *hosts;               /* this computer and the saved hosts */
  GMainLoop *loop;
  GCancellable *cancellable;
  GPtrArray *rows;                 /* TuiRow, every VM of every host, in the hosts' order */
  GPtrArray *shown;                /* TuiRow, filtered and sorted */
  guint interval_ms;

  TuiMode mode;
  TuiColumn sort;
  gboolean sort_reversed;          /* against the engine's order for the column */
  GString *filter;
  char *selected;                  /* name of the selected VM */
  gconstpointer selected_host;     /* its VireoBackend, only compared */
  int top;                         /* first shown row on screen */
  char *status;
  gboolean status_error;
  char *confirm_text;
  TuiConfirmFunc confirm;
  VireoDomain *confirm_domain;
  TuiMode back_mode;               /* where a question or a prompt returns */

  /* a one-line prompt in the status line: a snapshot's or a clone's name */
  char *prompt_label;
  GString *prompt_text;
  const char *prompt_choices[2];   /* shown as Tab switches them; NULL: none */
  gboolean prompt_choice;
  TuiPromptFunc prompt_done;
  VireoDomain *prompt_domain;
  VireoAskpassRequest *askpass;    /* ssh's question, waiting or asked */
  gboolean askpass_shown;          /* asked in the prompt line */

  TuiSnapshots *snapshots;         /* the detail pane's snapshot tree */
  TuiNetworks *networks;           /* the network view, while it is shown */
  char *adding_host;               /* the URI typed, while its title is asked */
  guint hosts_tick_id;             /* redraws each second while a retry waits */
  GCancellable *clone_cancellable; /* the running clone: Esc and Ctrl+C cancel it */
  guint jobs_running;              /* shown with tui_show_job(), not yet forgotten */
  gboolean quit_pending;           /* quit once the last of them ends */

  TuiRedraw dirty;
  guint draw_id;
  gboolean colors;
  guint stdin_id;
  gboolean attached;               /* a console has the terminal */
};

/* vireo-tui-term.c: curses set-up, colours and restoring the terminal */
void     tui_term_init        (Tui *tui);
void     tui_term_restore     (void);
void     tui_term_resize      (void);
void     tui_term_leave       (void);
void     tui_term_return      (void);
int      tui_term_color       (Tui *tui, const char *role);
void     tui_term_catch_interrupt (gboolean catch);

/* vireo-tui-table.c: rows, sorting, filtering and drawing */
void     tui_rows_sync        (Tui *tui);
void     tui_rows_refresh     (Tui *tui);
TuiRow  *tui_selected_row     (Tui *tui);
void     tui_select_index     (Tui *tui, int index);
void     tui_select_domain    (Tui *tui, VireoDomain *domain);
gboolean tui_column_available (Tui *tui, TuiColumn column);
int      tui_selected_index   (Tui *tui);
void     tui_draw             (Tui *tui);
const char *tui_column_title  (TuiColumn column);
void     tui_row_free         (TuiRow *row);

/* vireo-tui-keys.c: the key table and its handlers */
TuiRedraw tui_keys_handle     (Tui *tui, int key);
gboolean  tui_edit_text       (GString *text, int key);
void      tui_keys_draw_bar   (Tui *tui, int y, int width);
void      tui_keys_draw_help  (Tui *tui);
TuiRedraw tui_ask             (Tui *tui, VireoDomain *domain, TuiConfirmFunc func, char *text);

/* vireo-tui-details.c, vireo-tui-form.c */
void      tui_details_draw    (Tui *tui);
void      tui_form_open       (Tui *tui);
void      tui_form_draw       (Tui *tui);
TuiRedraw tui_form_key        (Tui *tui, int key);
void      tui_form_free       (void);

/* vireo-tui-prompt.c: the one-line prompt and the bottom line */
void      tui_prompt_open     (Tui *tui, VireoDomain *domain, char *label, const char *text,
                               TuiPromptFunc done);
TuiRedraw tui_prompt_key      (Tui *tui, int key);
void      tui_prompt_clear    (Tui *tui);
void      tui_draw_bottom_line (Tui *tui, int y, int width);
TuiMode   tui_pane            (Tui *tui);
gboolean  tui_quit            (Tui *tui);
void      tui_show_job        (Tui *tui, VireoJob *job, const char *doing);
void      tui_forget_job      (Tui *tui, VireoJob *job);

/* vireo-tui-askpass.c: ssh's questions, asked in the prompt line */
void      tui_askpass_open    (Tui *tui);
void      tui_askpass_close   (Tui *tui);
void      tui_askpass_poll    (Tui *tui);
TuiRedraw tui_askpass_key     (Tui *tui, int key);
char     *tui_askpass_line    (Tui *tui);
void      tui_askpass_draw_box (Tui *tui, int y, int width);

/* vireo-tui-snapshots.c: the snapshot tree in the detail pane, and its keys */
void      tui_snapshots_free  (Tui *tui);
void      tui_snapshots_reload (Tui *tui, VireoDomain *domain);
int       tui_snapshots_draw  (Tui *tui, VireoDomain *domain, int y);
TuiRedraw tui_snapshots_move  (Tui *tui, int key);
TuiRedraw tui_snapshots_take  (Tui *tui, VireoDomain *domain);
TuiRedraw tui_snapshots_revert (Tui *tui, VireoDomain *domain);
TuiRedraw tui_snapshots_delete (Tui *tui, VireoDomain *domain);

/* vireo-tui-networks.c: the network view, and starting a VM without vireo-net */
TuiRedraw tui_networks_open   (Tui *tui);
TuiRedraw tui_networks_close  (Tui *tui);
void      tui_networks_free   (Tui *tui);
void      tui_networks_draw   (Tui *tui);
TuiRedraw tui_networks_move   (Tui *tui, int key);
TuiRedraw tui_networks_refresh (Tui *tui);
TuiRedraw tui_networks_start  (Tui *tui);
TuiRedraw tui_networks_stop   (Tui *tui);
TuiRedraw tui_networks_toggle_autostart (Tui *tui);
void      tui_start_failed    (Tui *tui, VireoDomain *domain, const GError *error);

/* vireo-tui-hosts.c: every host's VMs, the hosts' states, adding one */
void      tui_hosts_open      (Tui *tui);
void      tui_hosts_close     (Tui *tui);
gboolean  tui_hosts_many      (Tui *tui);
char     *tui_hosts_describe  (Tui *tui);
TuiRedraw tui_hosts_reconnect (Tui *tui, VireoDomain *selected);
TuiRedraw tui_hosts_add       (Tui *tui);

/* vireo-tui-clone.c */
TuiRedraw tui_clone_start     (Tui *tui, VireoDomain *domain);
gboolean  tui_clone_cancel    (Tui *tui);

/* vireo-tui-main.c */
void     tui_watch_stdin      (Tui *tui, gboolean watch);
void     tui_set_status       (Tui *tui, gboolean error, const char *format, ...) G_GNUC_PRINTF (3, 4);
void     tui_queue_draw       (Tui *tui, TuiRedraw what);

G_END_DECLS
