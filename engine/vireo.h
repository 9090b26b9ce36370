/* vireo.h: the engine as front ends see it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GTK application, vireo-tui, vireoctl and the console widgets
 * include this header and no other from engine/: the folders behind it
 * (util/, config/, qemu/, domain/, backend/, store/, storage/, snapshot/, clone/,
 * network/)
 * are the engine's own business and may be reshaped without touching a
 * front end.
 */
#pragma once

#include "vireo-error.h"
#include "vireo-ids.h"
#include "vireo-job.h"
#include "vireo-paths.h"
#include "vireo-domain-config.h"
#include "vireo-domain.h"
#include "vireo-domain-policy.h"
#include "vireo-backend.h"
#include "vireo-hosts.h"
#include "vireo-local-backend.h"
#include "vireo-libvirt-backend.h"
#include "vireo-askpass.h"
#include "vireo-load-error.h"
#include "vireo-clone.h"
#include "vireo-create.h"
#include "vireo-demo.h"
#include "vireo-disks.h"
#include "vireo-media.h"
#include "vireo-port-forwards.h"
#include "vireo-storage.h"
#include "vireo-snapshot.h"
#include "vireo-network.h"
