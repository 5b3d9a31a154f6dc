// SPDX-License-Identifier: BSD-2-Clause
/*
 * The lookup fast path (src/pt/read.c: no cursor, a descent specialised
 * per depth, EPT leaves decoded inline, taken when the embedder declared a
 * direct map) against the general path, on every built-in format: two
 * trees receive the same random maps and unmaps, one declared
 * direct-mapped and one not, and every read (lookup, translate,
 * lookup_many, a one-page walk) must give the same answer on both, with
 * the attributes equal to what the format's own decode hook says about
 * the raw entry.  Windows straddle the top of the input range (so
 * out-of-range probes are made) and, on Arm, the boundary between two
 * concatenated root tables.
 *
 * The seed is printed; P2MK_SEED=N replays.
 */
#include "test_pt_common.h"

#define WINDOW (UINT64_C(1) << 20) /* pages: 4 GiB, room for 1 GiB leaves */

struct lp_env {
	const struct p2mk_pt_fmt *fmt;
	struct ptt_env fast, slow;
	struct test_rng rng;
	uint64_t base; /* first gfn of the window */
};

/* A random map (or unmap) applied to both trees, with the same result. */
static void lp_change(struct lp_env *e)
{
	const struct p2mk_pt_fmt *f = e->fmt;
	unsigned levels[3] = {0, 0, 0}, n = 0;
	for (unsigned L = 0; L < 3; L++)
		if (f->leaf_levels & (1u << L))
			levels[n++] = L;
	unsigned order = 9 * levels[test_rng_below(&e->rng, n)];
	uint64_t span = UINT64_C(1) << order;
	uint64_t gfn =
	    e->base + (test_rng_below(&e->rng, WINDOW) & ~(span - 1));
	uint64_t count = span * (1 + test_rng_below(&e->rng, 3));
	enum p2mk_err a, b;
	if (test_rng_below(&e->rng, 4) == 0) {
		a = p2mk_pt_unmap(&e->fast.pt, p2mk_gfn(gfn), count);
		b = p2mk_pt_unmap(&e->slow.pt, p2mk_gfn(gfn), count);
	} else {
		struct p2mk_pt_attrs at = ptt_rand_attrs(&e->rng, f);
		p2mk_mfn_t mfn =
		    p2mk_mfn((UINT64_C(1) << 24) +
		             (test_rng_below(&e->rng, WINDOW) & ~(span - 1)));
		a = p2mk_pt_map(&e->fast.pt, p2mk_gfn(gfn), mfn, count, &at,
		                order, P2MK_PT_MAP_REPLACE);
		b = p2mk_pt_map(&e->slow.pt, p2mk_gfn(gfn), mfn, count, &at,
		                order, P2MK_PT_MAP_REPLACE);
	}
	assert_int_equal(a, b);
	ptt_events_done(&e->fast);
	ptt_events_done(&e->slow);
}

static void lp_leaf_equal(const struct p2mk_pt_leaf *x,
                          const struct p2mk_pt_leaf *y)
{
	assert_int_equal(x->gfn.v, y->gfn.v);
	assert_int_equal(x->mfn.v, y->mfn.v);
	assert_int_equal(x->raw, y->raw);
	assert_int_equal(x->order, y->order);
	assert_int_equal(x->level, y->level);
	assert_int_equal(x->table, y->table);
	assert_true(ptt_attrs_eq(&x->attrs, &y->attrs));
}

static int lp_take(void *ctx, const struct p2mk_pt_leaf *l)
{
	struct p2mk_pt_leaf *out = ctx;
	*out = *l;
	return 7;
}

/* Every read of @g on the fast tree agrees with the slow tree. */
static void lp_probe(struct lp_env *e, uint64_t g, uint64_t *hits)
{
	struct p2mk_pt_leaf x, y, w;
	enum p2mk_err ex = p2mk_pt_lookup(&e->fast.pt, p2mk_gfn(g), &x);
	enum p2mk_err ey = p2mk_pt_lookup(&e->slow.pt, p2mk_gfn(g), &y);
	assert_int_equal(ex, ey);
	p2mk_mfn_t mx = {0}, my = {0};
	unsigned ox = 99, oy = 99;
	assert_int_equal(p2mk_pt_translate(&e->fast.pt, p2mk_gfn(g), &mx, &ox),
	                 ey);
	assert_int_equal(p2mk_pt_translate(&e->slow.pt, p2mk_gfn(g), &my, &oy),
	                 ey);
	if (ex != P2MK_OK)
		return;
	(*hits)++;
	lp_leaf_equal(&x, &y);
	struct p2mk_pt_attrs hook;
	e->fmt->ops->decode(e->fmt, x.raw, x.level, &hook);
	assert_true(ptt_attrs_eq(&x.attrs, &hook));
	assert_int_equal(mx.v, my.v);
	assert_int_equal(mx.v, x.mfn.v + (g - x.gfn.v));
	assert_int_equal(ox, oy);
	int stopped = 0;
	assert_int_equal(
	    p2mk_pt_walk(&e->fast.pt, p2mk_gfn(g), 1, 0, lp_take, &w, &stopped),
	    P2MK_OK);
	assert_int_equal(stopped, 7);
	lp_leaf_equal(&w, &y);
}

/* A batch on the fast tree: each answer as the slow tree's lookup. */
static void lp_batch(struct lp_env *e, const uint64_t *g, size_t n)
{
	p2mk_gfn_t gs[40];
	struct p2mk_pt_leaf l[40], one;
	enum p2mk_err err[40];
	for (size_t i = 0; i < n; i++)
		gs[i] = p2mk_gfn(g[i]);
	p2mk_pt_lookup_many(&e->fast.pt, gs, n, l, err);
	for (size_t i = 0; i < n; i++) {
		enum p2mk_err want = p2mk_pt_lookup(&e->slow.pt, gs[i], &one);
		assert_int_equal(err[i], want);
		if (want == P2MK_OK)
			lp_leaf_equal(&l[i], &one);
	}
}

/* A probe: mostly inside the window, some anywhere below 2^ias. */
static uint64_t lp_pick(struct lp_env *e)
{
	if (test_rng_below(&e->rng, 8) == 0)
		return test_rng_next(&e->rng) >> (64 - e->fmt->ias + 12);
	return e->base + test_rng_below(&e->rng, WINDOW);
}

static void fast_lookup_agrees_with_general_path(void **state)
{
	struct lp_env *e = *state;
	ptt_setup(&e->fast, e->fmt);
	ptt_setup(&e->slow, e->fmt);
	p2mk_pt_set_direct_map(&e->fast.pt, 0); /* the test allocator is 1:1 */
	uint64_t hits = 0, probes = 0;
	for (int round = 0; round < 40; round++) {
		for (int k = 0; k < 12; k++)
			lp_change(e);
		uint64_t g[40];
		for (int k = 0; k < 500; k++, probes++)
			lp_probe(e, lp_pick(e), &hits);
		for (size_t k = 0; k < 40; k++)
			g[k] = lp_pick(e);
		lp_batch(e, g, 1 + test_rng_below(&e->rng, 40));
	}
	printf("%s: %" PRIu64 " probes, %" PRIu64 " mapped\n", e->fmt->name,
	       probes, hits);
	/* for any seed both answers are exercised many times */
	assert_true(hits > probes / 20 && hits < probes - probes / 20);
	ptt_teardown(&e->fast);
	ptt_teardown(&e->slow);
}

static const struct p2mk_pt_fmt *const fmts[] = {
    &p2mk_pt_fmt_ept4,     &p2mk_pt_fmt_ept5,      &p2mk_pt_fmt_npt,
    &p2mk_pt_fmt_npt5,     &p2mk_pt_fmt_arm_s2_l3, &p2mk_pt_fmt_arm_s2_l4,
    &p2mk_pt_fmt_vtd_sl3,  &p2mk_pt_fmt_vtd_sl4,   &p2mk_pt_fmt_vtd_sl5,
    &p2mk_pt_fmt_amdv1_l3, &p2mk_pt_fmt_amdv1_l4,  &p2mk_pt_fmt_amdv1_l4_ps,
};
#define NFMTS (sizeof(fmts) / sizeof(fmts[0]))

int main(void)
{
	static struct lp_env envs[NFMTS];
	static char names[NFMTS][96];
	struct CMUnitTest tests[NFMTS];
	uint64_t seed = test_seed(0x100c0001);
	for (size_t i = 0; i < NFMTS; i++) {
		const struct p2mk_pt_fmt *f = fmts[i];
		uint64_t limit = UINT64_C(1) << (f->ias - 12);
		uint64_t root = UINT64_C(1)
		                << (9 * f->levels); /* one root page */
		envs[i].fmt = f;
		envs[i].rng.state = seed + 2 * i + 1;
		/* Arm: across two concatenated roots; else past the top */
		envs[i].base =
		    root < limit ? root - WINDOW / 2 : limit - WINDOW / 2;
		snprintf(names[i], sizeof(names[i]),
		         "fast_lookup_agrees_with_general_path: %s", f->name);
		tests[i] = (struct CMUnitTest){
		    names[i], fast_lookup_agrees_with_general_path, NULL, NULL,
		    &envs[i]};
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
