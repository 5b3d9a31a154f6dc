// SPDX-License-Identifier: BSD-2-Clause
/*
 * The improved planner's MTRRs: turn the per-BAR types into typed ranges
 * and ask the mtrr planner (docs/mtrr-plan.md) for the exact minimum.
 * Unused window space has no type of its own, so runs of UC BARs may be
 * stretched over it (enum stretch); both requests are planned and the
 * cheaper plan wins.
 */
#include "internal.h"

#define IMP_MAX_RANGES 64

struct req {
	unsigned n;
	bool overflow;
	struct p2mk_mtrr_plan_range r[IMP_MAX_RANGES];
	const struct p2mk_layout_input *in; /* reserved regions */
	bool over_reserved;                 /* stretch over them too */
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

/*
 * How a UC run may be stretched over unused window space: not at all
 * (EXACT), or (BEST) to whichever of these needs the fewest aligned
 * blocks: the run itself; the run widened to the neighbouring WB BARs or
 * window edges; the run or its widened start extended to the shortest
 * fewest-significant-bits length that stays below the upper neighbour.
 */
enum stretch { EXACT, BEST };

/* A UC run [start, end) being stretched: the best [a, b) so far and its
 * block count. */
struct stretch_pick {
	uint64_t start, end, a, b;
	unsigned n;
};

/* A stretch never reaches over a reserved region the run does not hold
 * already (an RMRR is memory a device uses, not a BAR). */
static void consider(const struct req *q, struct stretch_pick *p, uint64_t a,
                     uint64_t b, uint64_t hi)
{
	if (b > hi || (!q->over_reserved &&
	               (lo_overlaps_reserved(q->in, a, p->start - a) ||
	                lo_overlaps_reserved(q->in, p->end, b - p->end))))
		return;
	unsigned n = lo_greedy_count(a, b);
	if (n < p->n) {
		p->n = n;
		p->a = a;
		p->b = b;
	}
}

static void close_run(struct req *q, enum stretch how, uint64_t lo,
                      uint64_t start, uint64_t end, uint64_t hi)
{
	struct stretch_pick p = {start, end, start, end,
	                         lo_greedy_count(start, end)};
	if (how == BEST) {
		consider(q, &p, lo, hi, hi);
		for (unsigned bits = 1; bits <= 6; bits++) {
			consider(q, &p, start,
			         start + round_sig(end - start, bits), hi);
			consider(q, &p, lo, lo + round_sig(end - lo, bits), hi);
		}
	}
	req_add(q, p.a, p.b);
}

/* UC runs of one window [ws, we) under stretch rule @how. */
static void window_runs(const struct p2mk_layout_output *out, uint64_t ws,
                        uint64_t we, enum stretch how, struct req *q)
{
	uint16_t idx[P2MK_LAYOUT_MAX_BARS];
	unsigned n = bars_in(out, ws, we, idx);
	uint64_t run_start = 0, run_end = 0, edge = ws;
	bool open = false;
	for (unsigned k = 0; k < n; k++) {
		const struct p2mk_layout_bar_result *r = &out->bars[idx[k]];
		if (r->type != P2MK_MT_UC) {
			if (open)
				close_run(q, how, edge, run_start, run_end,
				          r->addr.v);
			open = false;
			edge = r->addr.v + lo_extent(r->size);
			continue;
		}
		if (!open)
			run_start = r->addr.v;
		open = true;
		run_end = r->addr.v + lo_extent(r->size);
	}
	if (open)
		close_run(q, how, edge, run_start, run_end, we);
}

static void build_request(const struct p2mk_layout_output *out,
                          enum stretch how, struct req *q)
{
	const struct p2mk_layout_window *w[2] = {&out->low_mmio,
	                                         &out->high_mmio};
	q->n = 0;
	q->overflow = false;
	for (unsigned i = 0; i < 2; i++) {
		uint64_t ws = gfn_bytes(w[i]->first);
		if (w[i]->present)
			window_runs(out, ws,
			            ws + gfn_bytes(p2mk_gfn(w[i]->pages)), how,
			            q);
	}
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
                       struct p2mk_layout_output *out, bool over_reserved)
{
	struct choice c[2];
	for (int i = 0; i < 2; i++) {
		c[i].q.in = in;
		c[i].q.over_reserved = over_reserved;
		build_request(out, (enum stretch)i, &c[i].q);
		plan_one(in, &c[i]);
	}
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
