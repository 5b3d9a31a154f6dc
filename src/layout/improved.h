/* SPDX-License-Identifier: BSD-2-Clause */
/* The improved planner's state and the helpers its files share. */
#ifndef P2MK_LAYOUT_IMPROVED_H
#define P2MK_LAYOUT_IMPROVED_H

#include "internal.h"

struct imp {
	const struct p2mk_layout_input *in;
	struct p2mk_layout_output *out;
	uint64_t low_end, high_end;
	uint64_t hole_start;
	uint16_t lo[P2MK_LAYOUT_MAX_BARS], hi[P2MK_LAYOUT_MAX_BARS],
	    io[P2MK_LAYOUT_MAX_BARS];
	unsigned nlo, nhi, nio;
	bool force_low[P2MK_LAYOUT_MAX_BARS]; /* 64-bit BARs sent low */
};

/* A window's BARs split by intended type (each list sorted). */
struct groups {
	uint16_t uc[P2MK_LAYOUT_MAX_BARS], wb[P2MK_LAYOUT_MAX_BARS];
	unsigned nuc, nwb;
	uint64_t uc_total;
};

/* Most significant bits tried for a UC region (0 = packed tight). */
#define IMP_MAX_SIG 4

void groups_add(const struct p2mk_layout_output *out, struct groups *g,
                uint16_t i);
bool all_placed(const struct p2mk_layout_output *out, const uint16_t idx[],
                unsigned n);
void unplace(struct p2mk_layout_output *out, const uint16_t idx[], unsigned n);
/* Packs a window: WB group first, then the UC group in a region of at
 * most @sig significant bits (0: tight), whose end goes to *@region_end.
 * True if all were placed. */
bool pack_window(struct imp *m, const struct groups *g, uint64_t start,
                 uint64_t end, unsigned sig, enum p2mk_bar_reason why,
                 uint64_t *region_end);
/* Chooses the low hole and places the 32-bit (and small UC 64-bit) BARs. */
void imp_low_window(struct imp *m);

#endif /* P2MK_LAYOUT_IMPROVED_H */
