/* vireo-snapshots-view.h: a VM's snapshot tree, and what can be done with it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "vireo.h"

G_BEGIN_DECLS

/**
 * VireoSnapshotsColumn:
 * The columns of the view's tree model.  The "current state" row has no
 * snapshot.
 */
typedef enum {
  VIREO_SNAPSHOTS_COLUMN_THUMBNAIL,   /* GdkPixbuf, or NULL */
  VIREO_SNAPSHOTS_COLUMN_ICON,        /* icon name when there is no thumbnail */
  VIREO_SNAPSHOTS_COLUMN_NAME,
  VIREO_SNAPSHOTS_COLUMN_TIME,
  VIREO_SNAPSHOTS_COLUMN_STATE,
  VIREO_SNAPSHOTS_COLUMN_DESCRIPTION,
  VIREO_SNAPSHOTS_COLUMN_SNAPSHOT,    /* VireoSnapshot, or NULL */
  VIREO_SNAPSHOTS_COLUMN_STYLE,       /* PangoStyle */
  VIREO_SNAPSHOTS_COLUMN_EDITABLE,
} VireoSnapshotsColumn;

#define VIREO_TYPE_SNAPSHOTS_VIEW (vireo_snapshots_view_get_type ())

G_DECLARE_FINAL_TYPE (VireoSnapshotsView, vireo_snapshots_view, VIREO, SNAPSHOTS_VIEW, GtkBox)

GtkWidget *vireo_snapshots_view_new        (VireoLocalBackend *engine,
                                            VireoDomain       *domain);
void       vireo_snapshots_view_reload     (VireoSnapshotsView *self);
GtkWidget *vireo_snapshots_view_take       (VireoSnapshotsView *self);
GtkWidget *vireo_snapshots_view_clone      (VireoSnapshotsView *self);
gboolean   vireo_snapshots_view_is_busy    (VireoSnapshotsView *self);
gboolean   vireo_snapshots_view_is_loaded  (VireoSnapshotsView *self);

G_END_DECLS
