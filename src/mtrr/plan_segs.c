// SPDX-License-Identifier: BSD-2-Clause
/*
 * The planner's view of a request: validated, sorted and flattened into
 * maximal segments of one wanted type over the whole address space, with
 * the first MiB marked "any defined type" (x86 §5.2 step 2: the fixed
 * ranges decide there).  docs/mtrr-plan.md.
 */
#include <p2mkit/memtype.h>

#include "plan_space.h"

static bool type_plannable(const struct plan_space *sp, unsigned t)
{
	return p2mk_mt_valid_mtrr(t) && !(t == P2MK_MT_WC && sp->no_wc);
}

/* Check one range against the space; the error a caller reports for it. */
static enum p2mk_err check_range(const struct plan_space *sp,
                                 const struct p2mk_mtrr_plan_range *r)
{
	const uint64_t space = P2MK_BIT(sp->frame_bits);
	if (r->count == 0 || !type_plannable(sp, r->type))
		return P2MK_ERR_INVAL;
	if (r->first.v >= space || r->count > space - r->first.v)
		return P2MK_ERR_RANGE;
	return P2MK_OK;
}

/*
 * Copy the ranges into @pairs as (first | type << 56, end) word pairs,
 * sorted by first frame.  Insertion sort: requests are short
 * (P2MK_MTRR_PLAN_MAX_RANGES bounds the quadratic worst case).
 */
static enum p2mk_err sort_ranges(const struct plan_space *sp, uint64_t *pairs)
{
	for (size_t i = 0; i < sp->nranges; i++) {
		const struct p2mk_mtrr_plan_range *r = &sp->ranges[i];
		enum p2mk_err err = check_range(sp, r);
		if (err)
			return err;
		size_t j = i;
		while (j > 0 && plan_seg_start(pairs[2 * j - 2]) > r->first.v) {
			pairs[2 * j] = pairs[2 * j - 2];
			pairs[2 * j + 1] = pairs[2 * j - 1];
			j--;
		}
		pairs[2 * j] = r->first.v | (uint64_t)r->type << 56;
		pairs[2 * j + 1] = r->first.v + r->count;
	}
	return P2MK_OK;
}

/* Append a segment unless it continues the previous one's type. */
static void seg_push(struct plan_segs *s, uint64_t start, uint8_t type)
{
	if (s->n > 0 && plan_seg_type(s->w[s->n - 1]) == type)
		return;
	s->w[s->n++] = start | (uint64_t)type << 56;
}

/* Frames [start, end) want @type, except that those below @care want any
 * defined type. */
static void seg_push_range(struct plan_segs *s, uint64_t care, uint64_t start,
                           uint64_t end, uint8_t type)
{
	if (start < care)
		seg_push(s, start, PLAN_SEG_ANY);
	if (end > care)
		seg_push(s, start < care ? care : start, type);
}

enum p2mk_err plan_build_segs(const struct plan_space *sp, uint8_t deflt,
                              uint64_t *ws, size_t ws_words,
                              struct plan_segs *segs)
{
	if (ws_words < 4 * sp->nranges + 2 || !type_plannable(sp, deflt))
		return P2MK_ERR_INVAL;
	uint64_t *pairs = ws;
	enum p2mk_err err = sort_ranges(sp, pairs);
	if (err)
		return err;
	struct plan_segs s = {ws + 2 * sp->nranges, 0};
	const uint64_t space = P2MK_BIT(sp->frame_bits);
	uint64_t cursor = 0;
	for (size_t i = 0; i < sp->nranges; i++) {
		uint64_t first = plan_seg_start(pairs[2 * i]);
		uint64_t end = pairs[2 * i + 1];
		if (first < cursor)
			return P2MK_ERR_INVAL; /* overlaps the previous range */
		if (first > cursor)
			seg_push_range(&s, sp->care_first, cursor, first,
			               deflt);
		seg_push_range(&s, sp->care_first, first, end,
		               plan_seg_type(pairs[2 * i]));
		cursor = end;
	}
	if (cursor < space)
		seg_push_range(&s, sp->care_first, cursor, space, deflt);
	*segs = s;
	return P2MK_OK;
}

size_t plan_seg_at(const struct plan_segs *segs, size_t from, uint64_t frame)
{
	/* Last index i >= from with start(i) <= frame (start(from) <= frame).
	 */
	size_t lo = from, hi = segs->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (plan_seg_start(segs->w[mid]) <= frame)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}
