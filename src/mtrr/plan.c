// SPDX-License-Identifier: BSD-2-Clause
/*
 * The variable-MTRR planner: an exact dynamic programme over the binary
 * trie of naturally aligned blocks, restricted to the blocks a request
 * boundary passes through.  docs/mtrr-plan.md states the search and proves
 * that it finds the minimum.
 *
 * A variable MTRR with a contiguous mask is a trie node (an aligned 2^k
 * block, x86 §5.1).  What a frame resolves to depends only on the set of
 * types of the chosen blocks above it (x86 §5.2 step 3), so the search
 * state at a node is the "context": the type those ancestors already force
 * (or none, meaning the default type applies).
 */
#include <p2mkit/memtype.h>

#include "plan_space.h"

/* Contexts: no enclosing block, or the type the enclosing blocks give. */
enum { CTX_NONE, CTX_UC, CTX_WC, CTX_WT, CTX_WP, CTX_WB, NCTX };
#define COST_INF    0x3fffffffu
#define CHOICE_BITS 3u

static const uint8_t ctx_type[NCTX] = {P2MK_MT_INVALID, P2MK_MT_UC, P2MK_MT_WC,
                                       P2MK_MT_WT,      P2MK_MT_WP, P2MK_MT_WB};

static unsigned ctx_of(unsigned type)
{
	for (unsigned c = CTX_UC; c < NCTX; c++) {
		if (ctx_type[c] == type)
			return c;
	}
	return CTX_NONE;
}

/*
 * The context below a block of type context @x inside context @c, or -1
 * where the SDM leaves the overlap undefined (x86 §5.2 step 3): equal
 * types agree, UC wins, WT over WB.
 */
static int ctx_add(unsigned c, unsigned x)
{
	if (c == CTX_NONE || c == x)
		return (int)x;
	if (c == CTX_UC || x == CTX_UC)
		return CTX_UC;
	if ((c == CTX_WT && x == CTX_WB) || (c == CTX_WB && x == CTX_WT))
		return CTX_WT;
	return -1;
}

/* One search: the segments for one default type and the node memo. */
struct plan_dp {
	const struct plan_segs *segs;
	uint8_t deflt;
	uint8_t allowed; /* bit c: blocks of context type c may be used */
	uint64_t *node;  /* per non-uniform node, pre-order: 6 choices */
	size_t nnode, cap;
	bool overflow;
};

static uint8_t ctx_result(const struct plan_dp *dp, unsigned c)
{
	return c == CTX_NONE ? dp->deflt : ctx_type[c];
}

/* Whether node [lo, lo + 2^order), which starts in segment @k, lies in it
 * entirely. */
static bool node_uniform(const struct plan_dp *dp, uint64_t lo, unsigned order,
                         size_t k)
{
	const struct plan_segs *s = dp->segs;
	return k + 1 == s->n ||
	       plan_seg_start(s->w[k + 1]) - lo >= P2MK_BIT(order);
}

/*
 * Cost of a node wanting one type @want everywhere, per context: 0 if the
 * context already gives it, 1 block of type @want on the node if that
 * overrides the context, else impossible.  No set of blocks inside the
 * node does better: some frame must be covered to change its type, and
 * any type a set of extra types yields over a context, @want alone yields
 * too (docs/mtrr-plan.md, lemma 2).
 */
static void uniform_cost(const struct plan_dp *dp, uint8_t want,
                         uint32_t cost[NCTX])
{
	const unsigned w = ctx_of(want);
	for (unsigned c = 0; c < NCTX; c++) {
		if (want == PLAN_SEG_ANY || ctx_result(dp, c) == want)
			cost[c] = 0;
		else if (ctx_add(c, w) == (int)w)
			cost[c] = 1;
		else
			cost[c] = COST_INF;
	}
}

/*
 * Best choice on a node for every context, given its children's costs:
 * either no block, or one block of an allowed type that keeps the overlap
 * defined.  Returns the packed choices (CHOICE_BITS per context).
 */
static uint64_t best_choices(const struct plan_dp *dp, const uint32_t *l,
                             const uint32_t *r, uint32_t cost[NCTX])
{
	uint64_t packed = 0;
	for (unsigned c = 0; c < NCTX; c++) {
		uint32_t best = COST_INF;
		unsigned pick = 0;
		for (unsigned x = 0; x < NCTX; x++) {
			if (x != CTX_NONE && !(dp->allowed & (1u << x)))
				continue;
			int below = x == CTX_NONE ? (int)c : ctx_add(c, x);
			if (below < 0)
				continue;
			uint32_t v = (x != CTX_NONE) + l[below] + r[below];
			if (v < best) {
				best = v;
				pick = x;
			}
		}
		cost[c] = best;
		packed |= (uint64_t)pick << (CHOICE_BITS * c);
	}
	return packed;
}

/* NOLINTNEXTLINE(misc-no-recursion): depth is the trie height (<= 40). */
static void node_cost(struct plan_dp *dp, uint64_t lo, unsigned order, size_t k,
                      uint32_t cost[NCTX])
{
	if (node_uniform(dp, lo, order, k)) {
		uniform_cost(dp, plan_seg_type(dp->segs->w[k]), cost);
		return;
	}
	/* A boundary lies strictly inside, so order >= 1. */
	const size_t idx = dp->nnode++;
	const uint64_t half = P2MK_BIT(order - 1);
	uint32_t l[NCTX], r[NCTX];
	node_cost(dp, lo, order - 1, k, l);
	node_cost(dp, lo + half, order - 1, plan_seg_at(dp->segs, k, lo + half),
	          r);
	uint64_t packed = best_choices(dp, l, r, cost);
	if (idx < dp->cap)
		dp->node[idx] = packed;
	else
		dp->overflow = true;
}

/* Where the blocks of the minimal plan go while it is read back. */
struct plan_emit {
	struct p2mk_mtrr_plan_var *out;
	size_t cap, n;
	unsigned maxphyaddr;
};

static void emit_block(struct plan_emit *em, uint64_t lo, unsigned order,
                       uint8_t type)
{
	if (em->n < em->cap) {
		/* x86 §3.5: PhysBase | Type, and PhysMask = ~(size - 1) over
		 * bits MAXPHYADDR-1:12 | V. */
		const uint64_t bytes = P2MK_BIT(order + P2MK_PAGE_SHIFT);
		const uint64_t bits = P2MK_GENMASK(em->maxphyaddr - 1, 12);
		struct p2mk_mtrr_plan_var *v = &em->out[em->n];
		v->first = p2mk_gfn(lo);
		v->count = P2MK_BIT(order);
		v->type = type;
		v->physbase = p2mk_gfn_to_gpa(v->first).v | type;
		v->physmask = (~(bytes - 1) & bits) | P2MK_MTRR_MASK_V;
	}
	em->n++;
}

/* NOLINTNEXTLINE(misc-no-recursion): depth is the trie height (<= 40). */
static void node_emit(struct plan_dp *dp, struct plan_emit *em, uint64_t lo,
                      unsigned order, size_t k, unsigned c)
{
	if (node_uniform(dp, lo, order, k)) {
		uint8_t want = plan_seg_type(dp->segs->w[k]);
		if (want != PLAN_SEG_ANY && ctx_result(dp, c) != want)
			emit_block(em, lo, order, want);
		return;
	}
	/* Same pre-order as node_cost, so nnode indexes the same node. */
	const unsigned x =
	    (unsigned)(dp->node[dp->nnode++] >> (CHOICE_BITS * c)) & 7u;
	unsigned below = c;
	if (x != CTX_NONE) {
		below = (unsigned)ctx_add(c, x);
		emit_block(em, lo, order, ctx_type[x]);
	}
	const uint64_t half = P2MK_BIT(order - 1);
	node_emit(dp, em, lo, order - 1, k, below);
	node_emit(dp, em, lo + half, order - 1,
	          plan_seg_at(dp->segs, k, lo + half), below);
}

/* Build the segments for default @deflt and run the search; the minimum. */
static enum p2mk_err search(const struct plan_space *sp, uint8_t deflt,
                            uint64_t *ws, size_t ws_words,
                            struct plan_segs *segs, struct plan_dp *dp,
                            uint32_t *minimum)
{
	enum p2mk_err err = plan_build_segs(sp, deflt, ws, ws_words, segs);
	if (err)
		return err;
	const size_t used = 4 * sp->nranges + 2;
	*dp = (struct plan_dp){
	    .segs = segs,
	    .deflt = deflt,
	    .allowed = (uint8_t)(0x3eu & ~(sp->no_wc ? 1u << CTX_WC : 0u)),
	    .node = ws + used,
	    .cap = ws_words - used,
	};
	uint32_t cost[NCTX];
	node_cost(dp, 0, sp->frame_bits, 0, cost);
	if (dp->overflow)
		return P2MK_ERR_INVAL; /* workspace below the documented size */
	*minimum = cost[CTX_NONE];
	return P2MK_OK;
}

/* Candidate defaults in order of preference when counts tie. */
static size_t default_candidates(const struct plan_space *sp, uint8_t *d)
{
	static const uint8_t pref[] = {P2MK_MT_UC, P2MK_MT_WB, P2MK_MT_WT,
	                               P2MK_MT_WP, P2MK_MT_WC};
	if (sp->default_type != P2MK_MTRR_PLAN_AUTO) {
		d[0] = sp->default_type;
		return 1;
	}
	size_t n = 0;
	for (size_t i = 0; i < sizeof(pref); i++) {
		if (pref[i] != P2MK_MT_WC || !sp->no_wc)
			d[n++] = pref[i];
	}
	return n;
}

enum p2mk_err plan_space_run(const struct plan_space *sp, uint64_t *ws,
                             size_t ws_words, struct p2mk_mtrr_plan_var *out,
                             size_t out_cap, struct p2mk_mtrr_plan *plan)
{
	uint8_t cand[5];
	const size_t ncand = default_candidates(sp, cand);
	struct plan_segs segs;
	struct plan_dp dp;
	uint32_t best = 0, m = 0;
	size_t best_i = 0;
	/* The first search validates the request for all of them. */
	enum p2mk_err err =
	    search(sp, cand[0], ws, ws_words, &segs, &dp, &best);
	if (err)
		return err;
	for (size_t i = 1; i < ncand; i++) {
		(void)search(sp, cand[i], ws, ws_words, &segs, &dp, &m);
		if (m < best) {
			best = m;
			best_i = i;
		}
	}
	/* The memo holds the last search; redo the best one if it differs. */
	if (best_i != ncand - 1)
		(void)search(sp, cand[best_i], ws, ws_words, &segs, &dp, &m);
	*plan = (struct p2mk_mtrr_plan){
	    .status = P2MK_MTRR_PLAN_OK,
	    .default_type = cand[best_i],
	    .minimum = best,
	};
	if (out_cap >= best) {
		struct plan_emit em = {out, out_cap, 0, sp->frame_bits + 12};
		dp.nnode = 0;
		node_emit(&dp, &em, 0, sp->frame_bits, 0, CTX_NONE);
		plan->count = (unsigned)em.n;
	}
	return P2MK_OK;
}

enum p2mk_err p2mk_mtrr_plan(const struct p2mk_mtrr_plan_request *req,
                             uint64_t *ws, size_t ws_words,
                             struct p2mk_mtrr_plan_var *out, size_t out_cap,
                             struct p2mk_mtrr_plan *plan)
{
	struct plan_space sp;
	if (req->vcnt > P2MK_MTRR_VCNT_MAX ||
	    plan_space_from_request(req, ws_words, &sp) != P2MK_OK)
		return P2MK_ERR_INVAL;
	struct p2mk_mtrr_plan p;
	enum p2mk_err err = plan_space_run(&sp, ws, ws_words, out, out_cap, &p);
	if (err)
		return err;
	if (p.minimum > req->vcnt)
		p.status = P2MK_MTRR_PLAN_OUT_OF_RESOURCES;
	*plan = p;
	return P2MK_OK;
}

enum p2mk_err p2mk_mtrr_plan_apply(struct p2mk_mtrr_state *s,
                                   const struct p2mk_mtrr_plan *plan,
                                   const struct p2mk_mtrr_plan_var *vars,
                                   struct p2mk_gp *gp)
{
	const unsigned vcnt = p2mk_mtrr_vcnt(s);
	if (plan->count > vcnt)
		return P2MK_ERR_INVAL;
	/* Work on a copy so that a faulting write leaves @s as it was. */
	struct p2mk_mtrr_state t = *s;
	enum p2mk_err err = P2MK_OK;
	for (unsigned n = 0; n < vcnt && !err; n++) {
		const bool used = n < plan->count;
		const uint32_t msr = P2MK_MSR_MTRR_PHYSBASE0 + 2 * n;
		err = p2mk_mtrr_wrmsr(&t, msr, used ? vars[n].physbase : 0, gp);
		if (!err)
			err = p2mk_mtrr_wrmsr(&t, msr + 1,
			                      used ? vars[n].physmask : 0, gp);
	}
	if (!err)
		err = p2mk_mtrr_wrmsr(&t, P2MK_MSR_MTRR_DEF_TYPE,
		                      (t.def_type & P2MK_MTRR_DEF_FE) |
		                          P2MK_MTRR_DEF_E | plan->default_type,
		                      gp);
	if (!err)
		*s = t;
	return err;
}
