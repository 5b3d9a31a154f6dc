// SPDX-License-Identifier: BSD-2-Clause
/*
 * The improved planner's MTRR budget: never more variable MTRRs than
 * hvmloader programs on the same input (issue 12).
 *
 * The per-BAR policy wants the xenpci BAR and prefetchable BARs WB.  The
 * low-hole search (improved_low.c) already places them where WB is free
 * when it can (e.g. at the hole's top, so the UC run below is a few
 * naturally aligned blocks).  When no placement keeps every one of them WB
 * within the budget, the policy allows leaving some UC, as hvmloader does
 * with all of them: BARs are left UC smallest first (the xenpci BAR, whose
 * grant table is why it is WB, last) until the plan fits, then each one is
 * given WB back if the plan still fits without it.  Every BAR left UC gets
 * a `wb-bar-left-uc` finding; the plan never places fewer BARs than with
 * the full policy.  When even that cannot reach the budget (improved
 * places BARs hvmloader leaves out, each needing its own UC block) the
 * full policy is kept and `mtrr-over-budget` says so.
 */
#include "improved.h"

/* What one pass achieved. */
struct outcome {
	bool mtrr_ok;
	unsigned vcnt;
	unsigned placed;
};

struct budget {
	struct imp_opts opts;
	const struct p2mk_layout_input *in;
	struct p2mk_layout_output *out;
	bool demote[P2MK_LAYOUT_MAX_BARS];
	uint16_t cand[P2MK_LAYOUT_MAX_BARS];
	unsigned ncand;
	unsigned placed; /* BARs the full policy places */
	bool partial;    /* not every BAR fits: both packings are tried */
};

static struct outcome run_pass(struct budget *b)
{
	lo_reset(b->in, b->out, P2MK_LAYOUT_IMPROVED);
	struct outcome o = {.mtrr_ok =
	                        imp_pass(b->in, b->out, b->demote, b->opts)};
	o.vcnt = b->out->vcnt_used;
	for (unsigned i = 0; i < b->out->nbars; i++)
		o.placed += b->out->bars[i].placed;
	return o;
}

static bool within(const struct budget *b, struct outcome o, unsigned limit)
{
	return o.mtrr_ok && o.vcnt <= limit && o.placed >= b->placed;
}

/* hvmloader's variable-MTRR count on the same input (xen §13.2), or VCNT
 * when hvmloader stops or the caller chose the VCNT budget. */
static unsigned hvmloader_count(const struct p2mk_layout_input *in,
                                struct p2mk_layout_output *out)
{
	if (in->fw.mtrr_budget == P2MK_MTRR_BUDGET_VCNT)
		return in->vcnt;
	lo_reset(in, out, P2MK_LAYOUT_HVMLOADER);
	lo_plan_hvmloader(in, out);
	return out->error == NULL ? out->vcnt_used : in->vcnt;
}

/* Sort key: the xenpci BAR after every other, then by size. */
static bool keep_longer(const struct budget *b, uint16_t x, uint16_t y)
{
	const struct p2mk_layout_bar_result *rx = &b->out->bars[x];
	const struct p2mk_layout_bar_result *ry = &b->out->bars[y];
	bool px = lo_is_xenpci(&b->in->devs[rx->dev]);
	bool py = lo_is_xenpci(&b->in->devs[ry->dev]);
	return px != py ? px : rx->size > ry->size;
}

/* The WB BARs of the low window (where WB competes with the UC run) in
 * the order they are left UC. */
static void find_candidates(struct budget *b)
{
	b->ncand = 0;
	for (unsigned i = 0; i < b->out->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &b->out->bars[i];
		if (!r->placed || r->kind == P2MK_BAR_IO ||
		    r->type != P2MK_MT_WB || r->reason != P2MK_BAR_LOW)
			continue;
		unsigned j = b->ncand++;
		while (j > 0 && keep_longer(b, b->cand[j - 1], (uint16_t)i)) {
			b->cand[j] = b->cand[j - 1];
			j--;
		}
		b->cand[j] = (uint16_t)i;
	}
}

/* Leaves candidates UC in order until a plan fits @limit, then gives WB
 * back to each one the fit does not need.  False (nothing left UC) if no
 * prefix fits. */
static bool leave_uc(struct budget *b, unsigned limit)
{
	unsigned d = 0;
	bool fits = false;
	while (d < b->ncand && !fits) {
		b->demote[b->cand[d++]] = true;
		fits = within(b, run_pass(b), limit);
	}
	if (!fits) {
		for (unsigned k = 0; k < d; k++)
			b->demote[b->cand[k]] = false;
		return false;
	}
	for (unsigned k = 0; k + 1 < d; k++) {
		b->demote[b->cand[k]] = false;
		if (!within(b, run_pass(b), limit))
			b->demote[b->cand[k]] = true;
	}
	return true;
}

/* The variants tried, in order: the plain placement first. */
static const struct imp_opts variants[] = {
    {.keep64_high = false, .uc_over_reserved = false},
    {.keep64_high = true, .uc_over_reserved = false},
    {.keep64_high = false, .uc_over_reserved = true},
    {.keep64_high = true, .uc_over_reserved = true},
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

/* Variant @v on top of the base packing (tight or arranged). */
static void use_variant(struct budget *b, unsigned v, bool tight)
{
	b->opts = variants[v];
	b->opts.tight = tight;
}

/* The first plan within @limit: the full policy in another variant (and,
 * when not every BAR fits, the other packing), then each of them leaving
 * BARs UC.  False: back at the plain variant. */
static bool fit(struct budget *b, unsigned limit)
{
	bool tight = b->opts.tight;
	unsigned packings = b->partial ? 2 : 1;
	for (unsigned k = 0; k < NVARIANTS * packings; k++) {
		use_variant(b, k % NVARIANTS, (k >= NVARIANTS) != tight);
		if (k != 0 && within(b, run_pass(b), limit))
			return true;
	}
	for (unsigned k = 0; k < NVARIANTS * packings; k++) {
		use_variant(b, k % NVARIANTS, (k >= NVARIANTS) != tight);
		if (leave_uc(b, limit))
			return true;
	}
	use_variant(b, 0, tight);
	return false;
}

/* Not every BAR placed: the tight packing of a partial fit may leave
 * room for more (64-bit BARs spilled low) than the arranged one; the
 * base is whichever places more. */
static struct outcome base_pass(struct budget *b)
{
	struct outcome o = run_pass(b);
	if (o.placed == b->out->nbars)
		return o;
	b->partial = true;
	b->opts.tight = true;
	struct outcome t = run_pass(b);
	if (t.placed > o.placed)
		return t;
	b->opts.tight = false;
	return run_pass(b);
}

/* Findings for the BARs left UC, the reserved regions a UC run was
 * stretched over, and a budget that was not met. */
static void report(struct budget *b, unsigned limit)
{
	struct p2mk_layout_output *out = b->out;
	out->mtrr_budget = limit;
	for (unsigned i = 0; i < out->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &out->bars[i];
		if (!b->demote[i] || !r->placed)
			continue;
		out->wb_left_uc++;
		lo_finding(out, P2MK_FIND_WB_LEFT_UC, r->dev, r->index,
		           r->addr.v, r->size);
	}
	for (unsigned k = 0; k < out->nintent && b->opts.uc_over_reserved;
	     k++) {
		uint64_t a = gfn_bytes(out->intent[k].first);
		uint64_t n = gfn_bytes(p2mk_gfn(out->intent[k].pages));
		if (lo_overlaps_reserved(b->in, a, n))
			lo_finding(out, P2MK_FIND_UC_OVER_RESERVED, -1, -1, a,
			           n);
	}
	if (out->error == NULL && out->vcnt_used > limit)
		lo_finding(out, P2MK_FIND_OVER_BUDGET, -1, -1, 0, 0);
}

void lo_plan_improved(const struct p2mk_layout_input *in,
                      struct p2mk_layout_output *out)
{
	struct budget b = {.in = in, .out = out, .opts = variants[0]};
	unsigned limit = hvmloader_count(in, out);
	struct outcome full = base_pass(&b);
	b.placed = full.placed;
	if (within(&b, full, limit))
		return report(&b, limit), (void)0;
	find_candidates(&b);
	/* the budget; failing that, when the full policy has no plan
	 * within VCNT, VCNT; failing that, the full policy */
	if (!fit(&b, limit) && !full.mtrr_ok)
		fit(&b, in->vcnt);
	run_pass(&b);
	report(&b, limit);
}
