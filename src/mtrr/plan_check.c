// SPDX-License-Identifier: BSD-2-Clause
/*
 * Comparing a programmed MTRR state with a request: walk the address trie,
 * asking p2mk_mtrr_lookup() for whole blocks and splitting only where the
 * request or the programming is not uniform, and report maximal runs of
 * frames whose type differs.  docs/mtrr-plan.md.
 */
#include "plan_space.h"

struct check_walk {
	const struct p2mk_mtrr_state *s;
	const struct plan_segs *segs;
	p2mk_mtrr_plan_diff_fn fn;
	void *ctx;
	struct p2mk_mtrr_plan_diff pending;
	bool have_pending, stopped;
	unsigned ndiff;
};

static void flush(struct check_walk *w)
{
	if (w->have_pending && !w->stopped) {
		w->ndiff++;
		if (!w->fn(w->ctx, &w->pending))
			w->stopped = true;
	}
	w->have_pending = false;
}

static bool same_got(const struct p2mk_mtrr_lookup *a,
                     const struct p2mk_mtrr_lookup *b)
{
	return a->kind == b->kind && a->type == b->type;
}

/* Record frames [lo, lo + n) as wanting @want and getting @got. */
static void add_diff(struct check_walk *w, uint64_t lo, uint64_t n,
                     uint8_t want, const struct p2mk_mtrr_lookup *got)
{
	struct p2mk_mtrr_plan_diff *p = &w->pending;
	if (w->have_pending && p->first.v + p->count == lo && p->want == want &&
	    same_got(&p->got, got)) {
		p->count += n;
		return;
	}
	flush(w);
	*p = (struct p2mk_mtrr_plan_diff){p2mk_gfn(lo), n, want, *got};
	w->have_pending = true;
}

/* Does the programmed answer @got satisfy a uniform want? */
static bool satisfies(uint8_t want, const struct p2mk_mtrr_lookup *got)
{
	if (want == PLAN_SEG_ANY)
		return got->kind != P2MK_LOOKUP_UNDEFINED;
	return got->kind == P2MK_LOOKUP_TYPE && got->type == want;
}

/* NOLINTNEXTLINE(misc-no-recursion): depth is the trie height (<= 40). */
static void check_node(struct check_walk *w, uint64_t lo, unsigned order,
                       size_t k)
{
	if (w->stopped)
		return;
	const struct plan_segs *segs = w->segs;
	const bool uniform =
	    k + 1 == segs->n ||
	    plan_seg_start(segs->w[k + 1]) - lo >= P2MK_BIT(order);
	if (uniform) {
		struct p2mk_mtrr_lookup got =
		    p2mk_mtrr_lookup(w->s, p2mk_gfn_to_gpa(p2mk_gfn(lo)), order,
		                     P2MK_OVERLAP_SDM);
		if (got.kind != P2MK_LOOKUP_MIXED) {
			uint8_t want = plan_seg_type(segs->w[k]);
			if (!satisfies(want, &got))
				add_diff(w, lo, P2MK_BIT(order), want, &got);
			return;
		}
	}
	/* Mixed somewhere: a lookup of one frame is never mixed. */
	const uint64_t half = P2MK_BIT(order - 1);
	check_node(w, lo, order - 1, k);
	check_node(w, lo + half, order - 1, plan_seg_at(segs, k, lo + half));
}

enum p2mk_err p2mk_mtrr_plan_check(const struct p2mk_mtrr_state *s,
                                   const struct p2mk_mtrr_plan_request *req,
                                   uint64_t *ws, size_t ws_words,
                                   p2mk_mtrr_plan_diff_fn fn, void *ctx,
                                   unsigned *ndiff)
{
	struct plan_space sp;
	if (req->maxphyaddr != s->maxphyaddr ||
	    plan_space_from_request(req, ws_words, &sp) != P2MK_OK)
		return P2MK_ERR_INVAL;
	uint8_t deflt = req->default_type;
	if (deflt == P2MK_MTRR_PLAN_AUTO)
		deflt = (uint8_t)(s->def_type & P2MK_MTRR_DEF_TYPE_MASK);
	struct plan_segs segs;
	enum p2mk_err err = plan_build_segs(&sp, deflt, ws, ws_words, &segs);
	if (err)
		return err;
	struct check_walk w = {.s = s, .segs = &segs, .fn = fn, .ctx = ctx};
	check_node(&w, 0, sp.frame_bits, 0);
	flush(&w);
	*ndiff = w.ndiff;
	return P2MK_OK;
}
