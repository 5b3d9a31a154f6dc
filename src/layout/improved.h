/* SPDX-License-Identifier: BSD-2-Clause */
/* The improved planner's state and the helpers its files share. */
#ifndef P2MK_LAYOUT_IMPROVED_H
#define P2MK_LAYOUT_IMPROVED_H

#include "internal.h"

/*
 * Placement variants the MTRR budget may need (improved_budget.c):
 * @keep64_high: small UC 64-bit BARs stay in the 64-bit window instead of
 * joining the low UC run; @uc_over_reserved: UC runs may be stretched
 * over reserved regions in the low hole, as hvmloader's cover is;
 * @tight: when not every low BAR fits, keep imp_pack_most's tight
 * packing instead of arranging the ones that fit.
 */
struct imp_opts {
	bool keep64_high;
	bool uc_over_reserved;
	bool tight; /* partial fit: BARs packed tight (imp_pack_most) */
};

struct imp {
	const struct p2mk_layout_input *in;
	struct p2mk_layout_output *out;
	uint64_t low_end, high_end;
	uint64_t hole_start;
	uint16_t lo[P2MK_LAYOUT_MAX_BARS], hi[P2MK_LAYOUT_MAX_BARS],
	    io[P2MK_LAYOUT_MAX_BARS];
	unsigned nlo, nhi, nio;
	bool force_low[P2MK_LAYOUT_MAX_BARS]; /* 64-bit BARs sent low */
	const bool *demote; /* per out->bars index: WB-wanted, left UC */
	struct imp_opts opts;
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
/*
 * One improved plan into a freshly reset @out, the BARs flagged in
 * @demote (indices of out->bars) made UC instead of WB.  True if the
 * MTRR plan fits VCNT (false: out->error says why).
 */
bool imp_pass(const struct p2mk_layout_input *in,
              struct p2mk_layout_output *out, const bool demote[],
              struct imp_opts opts);

#endif /* P2MK_LAYOUT_IMPROVED_H */
