// SPDX-License-Identifier: BSD-2-Clause
/*
 * The improved planner's MTRRs: turn the per-BAR types into typed ranges
 * and ask the mtrr planner (docs/mtrr-plan.md) for the exact minimum.
 * Unused window space has no type of its own, so two requests are tried:
 * UC only over runs of UC BARs (gaps between them included), and the same
 * runs stretched to the window edges where no WB BAR is in the way.  The
 * cheaper one wins.
 */
#include "internal.h"

#define IMP_MAX_RANGES 64

struct req {
	unsigned n;
	bool overflow;
	struct p2mk_mtrr_plan_range r[IMP_MAX_RANGES];
};

static void req_add(struct req *q, uint64_t start, uint64_t end)
{
	if (end <= start)
		return;
	if (q->n == IMP_MAX_RANGES) {
		q->overflow = true;
		return;
	}
	q->r[q->n++] = (struct p2mk_mtrr_plan_range){
	    bytes_gfn(start), bytes_gfn(end - start).v, P2MK_MT_UC};
}

/* Placed memory BARs inside [ws, we), sorted by address. */
static unsigned bars_in(const struct p2mk_layout_output *out, uint64_t ws,
                        uint64_t we, uint16_t idx[])
{
	unsigned n = 0;
	for (unsigned i = 0; i < out->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &out->bars[i];
		if (!r->placed || r->kind == P2MK_BAR_IO || r->addr.v < ws ||
		    r->addr.v >= we)
			continue;
		unsigned j = n++;
		while (j > 0 && out->bars[idx[j - 1]].addr.v > r->addr.v) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = (uint16_t)i;
	}
	return n;
}

/* UC runs of one window; @stretch extends the outer runs to its edges. */
static void window_runs(const struct p2mk_layout_output *out, uint64_t ws,
                        uint64_t we, bool stretch, struct req *q)
{
	uint16_t idx[P2MK_LAYOUT_MAX_BARS];
	unsigned n = bars_in(out, ws, we, idx);
	uint64_t run_start = 0, run_end = 0, edge = ws;
	bool open = false;
	for (unsigned k = 0; k < n; k++) {
		const struct p2mk_layout_bar_result *r = &out->bars[idx[k]];
		if (r->type != P2MK_MT_UC) {
			if (open)
				req_add(q, run_start, run_end);
			open = false;
			edge = r->addr.v + r->size;
			continue;
		}
		if (!open)
			run_start = stretch ? edge : r->addr.v;
		open = true;
		run_end = r->addr.v + r->size;
	}
	if (open)
		req_add(q, run_start, stretch ? we : run_end);
}

static void build_request(const struct p2mk_layout_output *out, bool stretch,
                          struct req *q)
{
	q->n = 0;
	q->overflow = false;
	if (out->low_mmio.present)
		window_runs(out, gfn_bytes(out->low_mmio.first),
		            gfn_bytes(out->low_mmio.first) +
		                gfn_bytes(p2mk_gfn(out->low_mmio.pages)),
		            stretch, q);
	if (out->high_mmio.present)
		window_runs(out, gfn_bytes(out->high_mmio.first),
		            gfn_bytes(out->high_mmio.first) +
		                gfn_bytes(p2mk_gfn(out->high_mmio.pages)),
		            stretch, q);
}

struct choice {
	struct p2mk_mtrr_plan plan;
	struct p2mk_mtrr_plan_var vars[P2MK_MTRR_VCNT_MAX];
	struct req q;
	bool ok;
};

static void plan_one(const struct p2mk_layout_input *in, struct choice *c)
{
	static const struct p2mk_mtrr_plan_range none[1];
	uint64_t ws[P2MK_MTRR_PLAN_WS_WORDS(IMP_MAX_RANGES)];
	struct p2mk_mtrr_plan_request req = {
	    .ranges = c->q.n ? c->q.r : none,
	    .nranges = c->q.n,
	    .maxphyaddr = in->maxphyaddr,
	    .vcnt = in->vcnt,
	    .default_type = P2MK_MT_WB,
	};
	c->ok = !c->q.overflow &&
	        p2mk_mtrr_plan(&req, ws, sizeof ws / sizeof ws[0], c->vars,
	                       P2MK_MTRR_VCNT_MAX, &c->plan) == P2MK_OK;
}

static void emit(const struct p2mk_layout_input *in,
                 struct p2mk_layout_output *out, const struct choice *c)
{
	lo_fixed_mtrrs(out);
	for (unsigned i = 0; i < c->plan.count; i++) {
		lo_wrmsr(out, P2MK_MSR_MTRR_PHYSBASE0 + 2 * i,
		         c->vars[i].physbase);
		lo_wrmsr(out, P2MK_MSR_MTRR_PHYSMASK0 + 2 * i,
		         c->vars[i].physmask);
	}
	lo_wrmsr(out, P2MK_MSR_MTRR_DEF_TYPE,
	         P2MK_MTRR_DEF_E | P2MK_MTRR_DEF_FE | P2MK_MT_WB);
	out->vcnt_used = c->plan.count;
	for (unsigned i = 0; i < c->q.n; i++)
		lo_intent(out, gfn_bytes(c->q.r[i].first),
		          gfn_bytes(c->q.r[i].first) +
		              gfn_bytes(p2mk_gfn(c->q.r[i].count)),
		          P2MK_MT_UC);
	(void)in;
}

/* Both requests planned; the cheaper plan that fits VCNT is written. */
bool lo_improved_mtrrs(const struct p2mk_layout_input *in,
                       struct p2mk_layout_output *out)
{
	struct choice c[2];
	build_request(out, false, &c[0].q);
	build_request(out, true, &c[1].q);
	plan_one(in, &c[0]);
	plan_one(in, &c[1]);
	int best = -1;
	for (int i = 0; i < 2; i++) {
		if (c[i].ok &&
		    (best < 0 || c[i].plan.minimum < c[best].plan.minimum))
			best = i;
	}
	if (best < 0 || c[best].plan.status != P2MK_MTRR_PLAN_OK) {
		unsigned need = best < 0 ? 0 : c[best].plan.minimum;
		lo_finding(out, P2MK_FIND_MTRR_EXHAUSTED, -1, -1, 0, need);
		lo_error(out,
		         best < 0
		             ? "the per-BAR memory types need more distinct "
		               "ranges than the planner accepts"
		             : "the per-BAR memory types need more variable "
		               "MTRRs than VCNT (finding gives the minimum)",
		         -1);
		return false;
	}
	emit(in, out, &c[best]);
	return true;
}
