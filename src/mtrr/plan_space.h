/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal interface of the variable-MTRR planner (plan.c, plan_check.c):
 * the request turned into a sorted list of typed segments over an address
 * space of 2^frame_bits 4 KiB frames.  The public entry points use
 * frame_bits = MAXPHYADDR - 12 and a "care" boundary at 1 MiB; the tests
 * also run the same search on tiny spaces against a brute force.
 * docs/mtrr-plan.md explains the search and why it is exact.
 */
#ifndef P2MKIT_SRC_MTRR_PLAN_SPACE_H
#define P2MKIT_SRC_MTRR_PLAN_SPACE_H

#include <p2mkit/mtrr.h>

/* Segment type below the care boundary: any defined type will do. */
#define PLAN_SEG_ANY 0xfdu

/**
 * struct plan_space - a request over a space of 2^@frame_bits frames.
 * Frames below @care_first only need a defined type (the fixed ranges
 * decide there); everything else wants its range's type or @default_type.
 */
struct plan_space {
	const struct p2mk_mtrr_plan_range *ranges;
	size_t nranges;
	unsigned frame_bits;  /* 1..40 */
	uint64_t care_first;  /* first frame whose type must match */
	uint8_t default_type; /* an MTRR type or P2MK_MTRR_PLAN_AUTO */
	bool no_wc;
};

/**
 * plan_space_from_request() - the checks every public planner entry point
 * makes on @req (MAXPHYADDR 32..52, at most P2MK_MTRR_PLAN_MAX_RANGES
 * ranges, a range array when there are ranges, a workspace of
 * P2MK_MTRR_PLAN_WS_WORDS words) and the space they search: all of
 * 2^MAXPHYADDR, with the fixed ranges deciding below 1 MiB.  Returns
 * P2MK_ERR_INVAL (and leaves *@sp alone) if a check fails.  The ranges
 * themselves are checked by plan_build_segs().
 */
static inline enum p2mk_err
plan_space_from_request(const struct p2mk_mtrr_plan_request *req,
                        size_t ws_words, struct plan_space *sp)
{
	if (req->maxphyaddr < 32 || req->maxphyaddr > 52 ||
	    req->nranges > P2MK_MTRR_PLAN_MAX_RANGES ||
	    (req->nranges > 0 && req->ranges == NULL) ||
	    ws_words < P2MK_MTRR_PLAN_WS_WORDS(req->nranges))
		return P2MK_ERR_INVAL;
	*sp = (struct plan_space){
	    .ranges = req->ranges,
	    .nranges = req->nranges,
	    .frame_bits = req->maxphyaddr - P2MK_PAGE_SHIFT,
	    .care_first = p2mk_gpa_to_gfn(p2mk_gpa(0x100000)).v,
	    .default_type = req->default_type,
	    .no_wc = req->no_wc,
	};
	return P2MK_OK;
}

/**
 * struct plan_segs - the request as segments: segment i starts at frame
 * plan_seg_start(w[i]) and has type plan_seg_type(w[i]) (an MTRR type or
 * PLAN_SEG_ANY) up to the next start or the end of the space.  Adjacent
 * segments always differ in type, so a trie node is uniform exactly when
 * no segment starts strictly inside it.
 */
struct plan_segs {
	uint64_t *w;
	size_t n;
};

static inline uint64_t plan_seg_start(uint64_t w)
{
	return w & P2MK_GENMASK(55, 0);
}

static inline uint8_t plan_seg_type(uint64_t w)
{
	return (uint8_t)(w >> 56);
}

/**
 * plan_build_segs() - validate @sp's ranges and build its segments for
 * default type @deflt in @ws (which needs P2MK_MTRR_PLAN_WS_WORDS words;
 * the segments use the first 4n+2 of them).  Returns P2MK_ERR_INVAL for a
 * bad type, an empty or overlapping range, P2MK_ERR_RANGE for a range past
 * the end of the space.
 */
enum p2mk_err plan_build_segs(const struct plan_space *sp, uint8_t deflt,
                              uint64_t *ws, size_t ws_words,
                              struct plan_segs *segs);

/**
 * plan_seg_at() - index of the segment containing @frame, searching from
 * index @from (which must not lie past it).
 */
size_t plan_seg_at(const struct plan_segs *segs, size_t from, uint64_t frame);

/**
 * plan_space_run() - the planner on @sp (see p2mk_mtrr_plan()): fills
 * *@plan (status always OK: VCNT is the caller's business) and, when
 * @out_cap allows, @out with the minimal blocks, their PHYSBASE/PHYSMASK
 * computed for MAXPHYADDR = frame_bits + 12.
 */
enum p2mk_err plan_space_run(const struct plan_space *sp, uint64_t *ws,
                             size_t ws_words, struct p2mk_mtrr_plan_var *out,
                             size_t out_cap, struct p2mk_mtrr_plan *plan);

#endif /* P2MKIT_SRC_MTRR_PLAN_SPACE_H */
