/* vireo-domain-policy.c: what a state allows, labels, sorting, filtering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "vireo-backend.h"
#include "vireo-domain-policy.h"
#include "vireo-domain-private.h"
#include "vireo-error.h"
#include "vireo-i18n.h"

#define S(state) (1u << VIREO_DOMAIN_STATE_##state)
#define ACTIVE (S (STARTING) | S (RUNNING) | S (PAUSED) | S (SHUTTING_DOWN))
#define OFF (S (SHUTOFF) | S (CRASHED))

/* One row per operation: the states in which a user may ask for it. */
static const guint allowed[] = {
  [VIREO_DOMAIN_OP_START] = OFF,
  [VIREO_DOMAIN_OP_SHUTDOWN] = S (RUNNING),
  [VIREO_DOMAIN_OP_FORCE_OFF] = ACTIVE,
  [VIREO_DOMAIN_OP_REBOOT] = S (RUNNING),
  [VIREO_DOMAIN_OP_RESET] = S (RUNNING) | S (PAUSED),
  [VIREO_DOMAIN_OP_PAUSE] = S (RUNNING),
  [VIREO_DOMAIN_OP_RESUME] = S (PAUSED),
  [VIREO_DOMAIN_OP_DELETE] = OFF,
  /* QEMU serves its screen and serial port once it runs the guest, and
   * until it exits */
  [VIREO_DOMAIN_OP_DISPLAY] = S (RUNNING) | S (PAUSED) | S (SHUTTING_DOWN),
  [VIREO_DOMAIN_OP_CONSOLE] = S (RUNNING) | S (PAUSED) | S (SHUTTING_DOWN),
  [VIREO_DOMAIN_OP_SCREENSHOT] = S (RUNNING) | S (PAUSED) | S (SHUTTING_DOWN),
  [VIREO_DOMAIN_OP_STATS] = ACTIVE,
  /* on or off, but not on the way between: QEMU is only half there */
  [VIREO_DOMAIN_OP_SNAPSHOT] = OFF | S (RUNNING) | S (PAUSED),
  [VIREO_DOMAIN_OP_REVERT] = OFF | S (RUNNING) | S (PAUSED),
  /* its disks must hold still while they are copied */
  [VIREO_DOMAIN_OP_CLONE] = OFF,
  [VIREO_DOMAIN_OP_CONVERT_DISK] = OFF,
  /* a running VM takes an edit at its next start (pending changes) */
  [VIREO_DOMAIN_OP_EDIT] = OFF | ACTIVE,
  [VIREO_DOMAIN_OP_CHANGE_MEDIA] = OFF | ACTIVE,
  [VIREO_DOMAIN_OP_PORT_FORWARD] = OFF | ACTIVE,
  [VIREO_DOMAIN_OP_CHANGE_DISKS] = OFF | ACTIVE,
  [VIREO_DOMAIN_OP_CLONE_LINKED] = OFF,
  [VIREO_DOMAIN_OP_CLONE_SNAPSHOT] = OFF,
};

/* What the VM's host must be able to do for each operation (the others
 * every host does) */
static const VireoBackendCaps needs[] = {
  [VIREO_DOMAIN_OP_DISPLAY] = VIREO_BACKEND_CAN_DISPLAY,
  [VIREO_DOMAIN_OP_CONSOLE] = VIREO_BACKEND_CAN_CONSOLE,
  [VIREO_DOMAIN_OP_SCREENSHOT] = VIREO_BACKEND_CAN_DISPLAY,
  [VIREO_DOMAIN_OP_SNAPSHOT] = VIREO_BACKEND_CAN_SNAPSHOTS,
  [VIREO_DOMAIN_OP_REVERT] = VIREO_BACKEND_CAN_SNAPSHOTS,
  [VIREO_DOMAIN_OP_CLONE] = VIREO_BACKEND_CAN_CLONE,
  [VIREO_DOMAIN_OP_CONVERT_DISK] = VIREO_BACKEND_CAN_CONVERT,
  [VIREO_DOMAIN_OP_CHANGE_MEDIA] = VIREO_BACKEND_CAN_MEDIA,
  [VIREO_DOMAIN_OP_PORT_FORWARD] = VIREO_BACKEND_CAN_PORT_FORWARDS,
  [VIREO_DOMAIN_OP_CHANGE_DISKS] = VIREO_BACKEND_CAN_HOTPLUG,
  [VIREO_DOMAIN_OP_CLONE_LINKED] = VIREO_BACKEND_CAN_CLONE | VIREO_BACKEND_CAN_LINKED_CLONES,
  [VIREO_DOMAIN_OP_CLONE_SNAPSHOT] = VIREO_BACKEND_CAN_CLONE | VIREO_BACKEND_CAN_SNAPSHOT_CLONES,
};


/* The operations that rewrite the definition or read its disks: only for
 * one Vireo holds whole */
static gboolean
edits_definition (VireoDomainOp op)
{
  return op == VIREO_DOMAIN_OP_EDIT || op == VIREO_DOMAIN_OP_CHANGE_MEDIA ||
         op == VIREO_DOMAIN_OP_PORT_FORWARD || op == VIREO_DOMAIN_OP_CONVERT_DISK ||
         op == VIREO_DOMAIN_OP_CLONE || op == VIREO_DOMAIN_OP_CHANGE_DISKS ||
         op == VIREO_DOMAIN_OP_CLONE_LINKED || op == VIREO_DOMAIN_OP_CLONE_SNAPSHOT;
}

/* Whether @self's host and definition allow @op, whatever its state;
 * the reason in @error when not */
static gboolean
host_allows (VireoDomain    *self,
             VireoDomainOp   op,
             GError        **error)
{
  VireoBackend *backend = vireo_domain_get_backend (self);
  VireoBackendCaps caps = op < G_N_ELEMENTS (needs) ? needs[op] : 0;
  const char *problem = vireo_domain_get_config_problem (self);

  if (backend == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("VM '%s': its host was removed"),
                   vireo_domain_get_name (self));
      return FALSE;
    }
  if (caps != 0 && !vireo_backend_can (backend, caps))
    {
      /* a sentence of its own where it says more than "cannot do this" */
      if (op == VIREO_DOMAIN_OP_CLONE_LINKED && vireo_backend_can (backend, VIREO_BACKEND_CAN_CLONE))
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
                     _("VM '%s': host '%s' makes no linked clones (a full clone copies the disks)"),
                     vireo_domain_get_name (self), vireo_backend_get_title (backend));
      else if (op == VIREO_DOMAIN_OP_CLONE_SNAPSHOT && vireo_backend_can (backend, VIREO_BACKEND_CAN_CLONE))
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
                     _("VM '%s': host '%s' makes no clones of a snapshot (revert to it, then clone)"),
                     vireo_domain_get_name (self), vireo_backend_get_title (backend));
      else
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
                     _("VM '%s': Vireo cannot do this on host '%s' yet"),
                     vireo_domain_get_name (self), vireo_backend_get_title (backend));
      return FALSE;
    }
  if (problem != NULL && edits_definition (op))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_SUPPORTED,
                   _("VM '%s': Vireo shows its definition but cannot change it (%s)"),
                   vireo_domain_get_name (self), problem);
      return FALSE;
    }
  return TRUE;
}

/**
 * vireo_domain_state_allows:
 * Returns: whether a VM in @state may be asked for @op
 */
gboolean
vireo_domain_state_allows (VireoDomainState state,
                           VireoDomainOp    op)
{
  g_return_val_if_fail (op < G_N_ELEMENTS (allowed), FALSE);
  g_return_val_if_fail (state <= VIREO_DOMAIN_STATE_CRASHED, FALSE);

  return (allowed[op] & (1u << state)) != 0;
}

/**
 * vireo_domain_can:
 * Returns: whether @self may be asked for @op now: its host can do it,
 *   Vireo holds its definition when @op changes it, and its current state
 *   allows it.  Front ends make their buttons, menu items and keys follow
 *   it, follow the #VireoDomain:state notifications to ask again, and
 *   show vireo_domain_check()'s reason as a tooltip.
 */
gboolean
vireo_domain_can (VireoDomain   *self,
                  VireoDomainOp  op)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE);

  return host_allows (self, op, NULL) && vireo_domain_state_allows (vireo_domain_get_state (self), op);
}

/* Why a VM that is on cannot do what needs it off: one sentence per case,
 * for translators. */
static char *
refusal_when_on (const char       *name,
                 VireoDomainState  state,
                 VireoDomainOp     op)
{
  if (op == VIREO_DOMAIN_OP_DELETE)
    return g_strdup_printf (_("VM '%s' is running; shut it down first"), name);
  if (op == VIREO_DOMAIN_OP_CLONE || op == VIREO_DOMAIN_OP_CLONE_LINKED || op == VIREO_DOMAIN_OP_CLONE_SNAPSHOT)
    return g_strdup_printf (_("VM '%s' is running; shut it down to clone it"), name);
  if (op == VIREO_DOMAIN_OP_CONVERT_DISK)
    return g_strdup_printf (_("VM '%s' is running; shut it down to convert its disks"), name);
  switch (state)
    {
    case VIREO_DOMAIN_STATE_STARTING: return g_strdup_printf (_("VM '%s' is already starting"), name);
    case VIREO_DOMAIN_STATE_PAUSED: return g_strdup_printf (_("VM '%s' is already running (paused)"), name);
    case VIREO_DOMAIN_STATE_SHUTTING_DOWN: return g_strdup_printf (_("VM '%s' is shutting down; wait until it is off"), name);
    case VIREO_DOMAIN_STATE_RUNNING:
    default: return g_strdup_printf (_("VM '%s' is already running"), name);
    }
}

/* Why a VM that runs cannot do this now. */
static char *
refusal_when_active (const char       *name,
                     VireoDomainState  state,
                     VireoDomainOp     op)
{
  if (op == VIREO_DOMAIN_OP_PAUSE && state == VIREO_DOMAIN_STATE_PAUSED)
    return g_strdup_printf (_("VM '%s' is already paused"), name);
  switch (state)
    {
    case VIREO_DOMAIN_STATE_STARTING: return g_strdup_printf (_("VM '%s' is still starting"), name);
    case VIREO_DOMAIN_STATE_PAUSED: return g_strdup_printf (_("VM '%s' is paused; resume it first"), name);
    case VIREO_DOMAIN_STATE_SHUTTING_DOWN: return g_strdup_printf (_("VM '%s' is already shutting down"), name);
    case VIREO_DOMAIN_STATE_RUNNING:
    default: return g_strdup_printf (_("VM '%s' is not paused"), name);
    }
}

/**
 * vireo_domain_check:
 *
 * As vireo_domain_can(), with the reason when the state does not allow
 * @op: "VM 'demo' is already running" (%VIREO_ERROR_INVALID_STATE).
 */
gboolean
vireo_domain_check (VireoDomain    *self,
                    VireoDomainOp   op,
                    GError        **error)
{
  VireoDomainState state;
  const char *name;
  g_autofree char *message = NULL;

  g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE);

  if (!host_allows (self, op, error))
    return FALSE;
  state = vireo_domain_get_state (self);
  if (vireo_domain_state_allows (state, op))
    return TRUE;
  name = vireo_domain_get_name (self);
  if (!vireo_domain_is_active (self))
    message = g_strdup_printf (_("VM '%s' is not running"), name);
  else if ((allowed[op] & OFF) && !(allowed[op] & S (RUNNING)))
    message = refusal_when_on (name, state, op);
  else
    message = refusal_when_active (name, state, op);
  g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_INVALID_STATE, message);
  return FALSE;
}

/**
 * vireo_domain_state_is_busy:
 * Returns: whether @state is on its way to another (starting, shutting
 *   down), which a front end shows as work in progress
 */
gboolean
vireo_domain_state_is_busy (VireoDomainState state)
{
  return state == VIREO_DOMAIN_STATE_STARTING || state == VIREO_DOMAIN_STATE_SHUTTING_DOWN;
}

/**
 * vireo_domain_state_get_label:
 * Returns: (transfer none): @state as a user reads it, translated
 */
const char *
vireo_domain_state_get_label (VireoDomainState state)
{
  switch (state)
    {
    /* Translators: the state of a VM, in lists and tables */
    case VIREO_DOMAIN_STATE_STARTING: return C_("state", "Starting");
    case VIREO_DOMAIN_STATE_RUNNING: return C_("state", "Running");
    case VIREO_DOMAIN_STATE_PAUSED: return C_("state", "Paused");
    case VIREO_DOMAIN_STATE_SHUTTING_DOWN: return C_("state", "Shutting down");
    case VIREO_DOMAIN_STATE_CRASHED: return C_("state", "Crashed");
    case VIREO_DOMAIN_STATE_SHUTOFF:
    default: return C_("state", "Shut off");
    }
}

/* Running VMs first, then the ones in between, crashed and shut-off last. */
static int
state_rank (VireoDomainState state)
{
  switch (state)
    {
    case VIREO_DOMAIN_STATE_RUNNING: return 0;
    case VIREO_DOMAIN_STATE_PAUSED: return 1;
    case VIREO_DOMAIN_STATE_STARTING:
    case VIREO_DOMAIN_STATE_SHUTTING_DOWN: return 2;
    case VIREO_DOMAIN_STATE_CRASHED: return 3;
    case VIREO_DOMAIN_STATE_SHUTOFF:
    default: return 4;
    }
}

#define CMP(x, y) ((x) < (y) ? -1 : (x) > (y) ? 1 : 0)

/* A VM without a figure (not running, not sampled yet) sorts after every
 * VM with one. */
static double
load_figure (VireoDomain     *domain,
             VireoDomainSort  by)
{
  VireoDomainLoad load;

  if (!vireo_domain_get_load (domain, &load))
    return -1;
  switch (by)
    {
    case VIREO_DOMAIN_SORT_CPU: return load.cpu_percent;
    case VIREO_DOMAIN_SORT_DISK: return load.disk_rate;
    case VIREO_DOMAIN_SORT_NETWORK: return load.net_rate;
    default: return -1;
    }
}

/* This computer first, then the hosts by title */
static int
compare_hosts (VireoBackend *a,
               VireoBackend *b)
{
  g_autofree char *ka = NULL;
  g_autofree char *kb = NULL;
  gboolean local_a, local_b;

  if (a == b || a == NULL || b == NULL)
    return 0;
  local_a = g_str_has_prefix (vireo_backend_get_uri (a), "vireo:");
  local_b = g_str_has_prefix (vireo_backend_get_uri (b), "vireo:");
  if (local_a != local_b)
    return local_a ? -1 : 1;
  ka = g_utf8_collate_key_for_filename (vireo_backend_get_title (a), -1);
  kb = g_utf8_collate_key_for_filename (vireo_backend_get_title (b), -1);
  return strcmp (ka, kb) != 0 ? strcmp (ka, kb) : g_strcmp0 (vireo_backend_get_uri (a), vireo_backend_get_uri (b));
}

/**
 * vireo_domain_compare_hosts:
 * @a: (nullable): a host
 * @b: (nullable): another
 *
 * The order of %VIREO_DOMAIN_SORT_HOST for the hosts themselves, for a
 * list that shows a host without VMs among the VMs of the others.
 *
 * Returns: <0, 0 or >0 as @a comes before, with or after @b
 */
int
vireo_domain_compare_hosts (VireoBackend *a,
                            VireoBackend *b)
{
  return compare_hosts (a, b);
}

static int
compare_by (VireoDomain     *a,
            VireoDomain     *b,
            VireoDomainSort  by)
{
  const VireoDomainConfig *ca = vireo_domain_get_config (a);
  const VireoDomainConfig *cb = vireo_domain_get_config (b);

  switch (by)
    {
    case VIREO_DOMAIN_SORT_STATE:
      return CMP (state_rank (vireo_domain_get_state (a)), state_rank (vireo_domain_get_state (b)));
    case VIREO_DOMAIN_SORT_VCPUS:
      return -CMP (ca->vcpus, cb->vcpus);
    case VIREO_DOMAIN_SORT_MEMORY:
      return -CMP (ca->memory_kib, cb->memory_kib);
    case VIREO_DOMAIN_SORT_CPU:
    case VIREO_DOMAIN_SORT_DISK:
    case VIREO_DOMAIN_SORT_NETWORK:
      return -CMP (load_figure (a, by), load_figure (b, by));
    case VIREO_DOMAIN_SORT_UPTIME:
      return -CMP (vireo_domain_get_uptime (a), vireo_domain_get_uptime (b));
    case VIREO_DOMAIN_SORT_ADDRESS:
      {
        g_autofree char *xa = vireo_domain_get_first_address (a);
        g_autofree char *xb = vireo_domain_get_first_address (b);

        /* VMs with an address first */
        if ((xa == NULL) != (xb == NULL))
          return xa == NULL ? 1 : -1;
        return g_strcmp0 (xa, xb);
      }
    case VIREO_DOMAIN_SORT_HOST:
      return compare_hosts (vireo_domain_get_backend (a), vireo_domain_get_backend (b));
    case VIREO_DOMAIN_SORT_NAME:
    default:
      return 0;
    }
}

#undef CMP

/**
 * vireo_domain_compare:
 * Returns: < 0 when @a comes before @b in a list sorted @by, > 0 after;
 *   0 only for the same VM.  Ties go by name, in natural order.
 */
int
vireo_domain_compare (VireoDomain     *a,
                      VireoDomain     *b,
                      VireoDomainSort  by)
{
  int result;

  g_return_val_if_fail (VIREO_IS_DOMAIN (a), 0);
  g_return_val_if_fail (VIREO_IS_DOMAIN (b), 0);

  result = compare_by (a, b, by);
  return result != 0 ? result : strcmp (_vireo_domain_get_name_key (a), _vireo_domain_get_name_key (b));
}

/**
 * vireo_domain_sort_from_string:
 * @text: a sort key's name: "name", "state", "vcpus", "memory", "cpu",
 *   "disk", "network", "uptime" or "address" (as settings store them)
 *
 * Returns: whether @text names a sort key; @by is set when it does
 */
gboolean
vireo_domain_sort_from_string (const char      *text,
                               VireoDomainSort *by)
{
  static const char *names[] = {
    [VIREO_DOMAIN_SORT_NAME] = "name", [VIREO_DOMAIN_SORT_STATE] = "state",
    [VIREO_DOMAIN_SORT_VCPUS] = "vcpus", [VIREO_DOMAIN_SORT_MEMORY] = "memory",
    [VIREO_DOMAIN_SORT_CPU] = "cpu", [VIREO_DOMAIN_SORT_DISK] = "disk",
    [VIREO_DOMAIN_SORT_NETWORK] = "network", [VIREO_DOMAIN_SORT_UPTIME] = "uptime",
    [VIREO_DOMAIN_SORT_ADDRESS] = "address", [VIREO_DOMAIN_SORT_HOST] = "host",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (text, names[i]) == 0)
      {
        *by = i;
        return TRUE;
      }
  return FALSE;
}

/**
 * vireo_domain_filter_key:
 * @text: (nullable): what the user typed to filter a list
 *
 * Returns: (transfer full) (nullable): the key vireo_domain_matches()
 *   takes, made once per change of @text; %NULL when @text filters
 *   nothing out
 */
char *
vireo_domain_filter_key (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));

  return *stripped ? g_utf8_casefold (stripped, -1) : NULL;
}

static gboolean
host_matches (VireoBackend *backend,
              const char   *key)
{
  g_autofree char *title = NULL;
  g_autofree char *uri = NULL;

  if (backend == NULL)
    return FALSE;
  title = g_utf8_casefold (vireo_backend_get_title (backend), -1);
  uri = g_utf8_casefold (vireo_backend_get_uri (backend), -1);
  return strstr (title, key) != NULL || strstr (uri, key) != NULL;
}

/**
 * vireo_domain_matches:
 * @filter_key: (nullable): from vireo_domain_filter_key()
 *
 * Returns: whether @self's name or title holds the filter, whatever the
 *   case; "host:TEXT" matches the VMs of the hosts whose title or URI
 *   holds TEXT
 */
gboolean
vireo_domain_matches (VireoDomain *self,
                      const char  *filter_key)
{
  const VireoDomainConfig *config;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE);

  if (filter_key == NULL)
    return TRUE;
  if (g_str_has_prefix (filter_key, "host:"))
    return host_matches (vireo_domain_get_backend (self), filter_key + strlen ("host:"));
  config = vireo_domain_get_config (self);
  name = g_utf8_casefold (config->name, -1);
  if (strstr (name, filter_key) != NULL)
    return TRUE;
  title = config->title ? g_utf8_casefold (config->title, -1) : NULL;
  return title != NULL && strstr (title, filter_key) != NULL;
}

/**
 * vireo_domain_get_first_address:
 * Returns: (transfer full) (nullable): the address a list shows for the
 *   VM, without its prefix length (what one connects to; IPv4 first),
 *   when its guest agent told one
 */
char *
vireo_domain_get_first_address (VireoDomain *self)
{
  const char * const *addresses;

  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);

  addresses = vireo_domain_get_guest_addresses (self);
  if (addresses == NULL || addresses[0] == NULL)
    return NULL;
  return g_strndup (addresses[0], strcspn (addresses[0], "/"));
}

/**
 * vireo_format_duration:
 * Returns: (transfer full): @seconds as an uptime reads: "01:02:03", or
 *   "3d04h" from one day on; "" for none
 */
char *
vireo_format_duration (gint64 seconds)
{
  if (seconds <= 0)
    return g_strdup ("");
  if (seconds >= 86400)
    return g_strdup_printf ("%" G_GINT64_FORMAT "d%02" G_GINT64_FORMAT "h",
                            seconds / 86400, seconds / 3600 % 24);
  return g_strdup_printf ("%02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT,
                          seconds / 3600, seconds / 60 % 60, seconds % 60);
}
