/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The oracle test (ARCHITECTURE.md "Tests", tier 2): random map, unmap,
 * protect and lookup operations run side by side on a real pt and on a
 * flat per-page reference; any difference fails.  Mixed page sizes come
 * from aligned starts, large counts and gfn/mfn deltas that are multiples
 * of 2 MiB or 1 GiB.  Allocation failure is injected on some operations,
 * which must then change nothing.  Every page whose translation changed
 * must be covered by an inval call of the same operation.
 *
 * P2MK_TEST_SCALE (a percentage, default 100) shrinks the operation count
 * for slow sanitizer builds; the normal build always runs the full count.
 */
#ifndef P2MKIT_TEST_PT_ORACLE_H
#define P2MKIT_TEST_PT_ORACLE_H

#include "test_pt_common.h"

#define ORC_NONE UINT64_MAX

struct orc {
	struct ptt_env env;
	const struct p2mk_pt_fmt *fmt;
	struct test_rng rng;
	uint64_t base, npages;
	uint64_t mfn_base;
	uint64_t *mfn;               /* per page, ORC_NONE if unmapped */
	struct p2mk_pt_attrs *attrs; /* per page */
	size_t last_hit;
	/* statistics, printed at the end */
	uint64_t n_map, n_unmap, n_protect, n_lookup, n_exists, n_inval,
	    n_nomem, leaves[P2MK_PT_MAX_LEVELS];
	uint64_t mapped_at[P2MK_PT_MAX_LEVELS]; /* level of a map's 1st page */
};

static inline uint64_t orc_scale(uint64_t ops)
{
	const char *s = getenv("P2MK_TEST_SCALE");
	if (s == NULL)
		return ops;
	uint64_t pct = strtoull(s, NULL, 0);
	if (pct == 0 || pct > 100)
		return ops;
	return ops * pct / 100;
}

/*
 * Was gfn @g covered by an inval of the current operation?  Pages are
 * asked in ascending order and the engine reports mostly in that order,
 * so search forward from the last hit first.
 */
static inline bool orc_covered(struct orc *o, uint64_t g)
{
	const struct ptt_env *env = &o->env;
	for (size_t k = 0; k < env->nev; k++) {
		size_t i = (o->last_hit + k) % env->nev;
		const struct ptt_ev *e = &env->ev[i];
		if (e->kind == PTT_INVAL && e->gfn <= g &&
		    g < e->gfn + e->count) {
			o->last_hit = i;
			return true;
		}
	}
	return false;
}

static inline void orc_check_page(struct orc *o, uint64_t g)
{
	struct p2mk_pt_leaf l;
	enum p2mk_err err = p2mk_pt_lookup(&o->env.pt, p2mk_gfn(g), &l);
	uint64_t i = g - o->base;
	/* the attribute-less fast path agrees with the full lookup */
	p2mk_mfn_t tm;
	unsigned to = 99;
	enum p2mk_err terr =
	    p2mk_pt_translate(&o->env.pt, p2mk_gfn(g), &tm, &to);
	assert_int_equal(terr, err);
	if (err == P2MK_OK) {
		assert_int_equal(tm.v, l.mfn.v + (g - l.gfn.v));
		assert_int_equal(to, l.order);
	}
	if (o->mfn[i] == ORC_NONE) {
		if (err != P2MK_ERR_NOENT)
			fail_msg("gfn %#" PRIx64 ": mapped, reference says not",
			         g);
		return;
	}
	if (err != P2MK_OK)
		fail_msg("gfn %#" PRIx64 ": %s, reference maps %#" PRIx64, g,
		         p2mk_err_name(err), o->mfn[i]);
	uint64_t m = l.mfn.v + (g - l.gfn.v);
	if (m != o->mfn[i] || !ptt_attrs_eq(&l.attrs, &o->attrs[i]))
		fail_msg("gfn %#" PRIx64 ": mfn %#" PRIx64 " want %#" PRIx64, g,
		         m, o->mfn[i]);
}

struct orc_walk {
	struct orc *o;
	uint64_t pages;
};

static inline int orc_walk_visit(void *ctx, const struct p2mk_pt_leaf *l)
{
	struct orc_walk *w = ctx;
	struct orc *o = w->o;
	uint64_t n = UINT64_C(1) << l->order;
	/* leaves never straddle the window in these tests */
	assert_true(l->gfn.v >= o->base && l->gfn.v + n <= o->base + o->npages);
	for (uint64_t k = 0; k < n; k++) {
		uint64_t i = l->gfn.v + k - o->base;
		if (o->mfn[i] != l->mfn.v + k ||
		    !ptt_attrs_eq(&o->attrs[i], &l->attrs))
			fail_msg("walk: gfn %#" PRIx64 " differs",
			         l->gfn.v + k);
	}
	w->pages += n;
	o->leaves[l->level]++;
	return 0;
}

/* The whole window against the reference, plus allocator accounting. */
static inline void orc_full_check(struct orc *o)
{
	struct orc_walk w = {o, 0};
	assert_int_equal(p2mk_pt_walk(&o->env.pt, p2mk_gfn(o->base), o->npages,
	                              0, orc_walk_visit, &w, NULL),
	                 P2MK_OK);
	uint64_t present = 0;
	for (uint64_t i = 0; i < o->npages; i++)
		present += o->mfn[i] != ORC_NONE;
	assert_int_equal(w.pages, present);
	struct p2mk_pt_stats s = p2mk_pt_get_stats(&o->env.pt);
	assert_int_equal(s.table_pages, (uint64_t)o->env.alloc.live);
}

/* A start and count inside the window, biased toward aligned blocks. */
static inline void orc_pick_range(struct orc *o, uint64_t *gfn, uint64_t *count)
{
	struct test_rng *r = &o->rng;
	uint64_t u = test_rng_below(r, 10000);
	uint64_t off, n;
	if (u < 8) { /* 1 GiB scale */
		n = (UINT64_C(1) << 18) * (1 + test_rng_below(r, 2)) +
		    (test_rng_below(r, 2) ? test_rng_below(r, 1u << 18) : 0);
		off = test_rng_below(r, o->npages);
		if (test_rng_below(r, 4) != 0)
			off &= ~((UINT64_C(1) << 18) - 1);
	} else if (u < 700) { /* 2 MiB scale */
		n = 1 + test_rng_below(r, 4096);
		off = test_rng_below(r, o->npages);
		if (test_rng_below(r, 3) != 0)
			off &= ~UINT64_C(511);
		if (test_rng_below(r, 2) != 0)
			n = (n + 511) & ~UINT64_C(511);
	} else {
		n = 1 + test_rng_below(r, 24);
		off = test_rng_below(r, o->npages);
	}
	if (off + n > o->npages)
		n = o->npages - off;
	*gfn = o->base + off;
	*count = n;
}

static inline void orc_maybe_inject(struct orc *o, bool *armed)
{
	*armed = test_rng_below(&o->rng, 100) < 3;
	test_alloc_fail_at(&o->env.alloc,
	                   *armed ? 1 + test_rng_below(&o->rng, 3) : 0);
}

/*
 * After a NOMEM: nothing may have changed.  The reference was not touched,
 * so sample the range and the accounting.
 */
static inline void orc_after_nomem(struct orc *o, uint64_t gfn, uint64_t count,
                                   uint64_t tables_before, int64_t live_before)
{
	assert_int_equal(o->env.nev, 0); /* no inval, no free */
	assert_int_equal(p2mk_pt_get_stats(&o->env.pt).table_pages,
	                 tables_before);
	assert_int_equal(o->env.alloc.live, live_before);
	uint64_t step = count > 256 ? count / 256 : 1;
	for (uint64_t g = gfn; g < gfn + count; g += step)
		orc_check_page(o, g);
	o->n_nomem++;
}

static inline void orc_op_map(struct orc *o)
{
	struct test_rng *r = &o->rng;
	uint64_t gfn, count;
	orc_pick_range(o, &gfn, &count);
	uint64_t delta;
	uint64_t d = test_rng_below(r, 10);
	bool huge = count >= (UINT64_C(1) << 18);
	if (d < 5 || (huge && d < 9))
		delta = test_rng_below(r, 4) << 18;
	else if (d < 8)
		delta = test_rng_below(r, 1024) << 9;
	else
		delta = test_rng_below(r, 1u << 20);
	uint64_t mfn = o->mfn_base + (gfn - o->base) + delta;
	static const unsigned orders[] = {
	    0, 9, 18, P2MK_PT_ORDER_ANY, P2MK_PT_ORDER_ANY, 10, 20};
	unsigned max_order = orders[test_rng_below(r, 7)];
	/* big BAR-like mappings usually replace whatever was there */
	bool replace = test_rng_below(r, 10) < (huge ? 8 : 3);
	if (huge && test_rng_below(r, 4) != 0)
		max_order = P2MK_PT_ORDER_ANY;
	struct p2mk_pt_attrs a = ptt_rand_attrs(r, o->fmt);

	bool conflict = false;
	for (uint64_t k = 0; k < count && !replace && !conflict; k++) {
		uint64_t old = o->mfn[gfn - o->base + k];
		conflict = old != ORC_NONE && old != mfn + k;
	}
	bool armed;
	orc_maybe_inject(o, &armed);
	uint64_t tb = p2mk_pt_get_stats(&o->env.pt).table_pages;
	int64_t lb = o->env.alloc.live;
	enum p2mk_err err =
	    p2mk_pt_map(&o->env.pt, p2mk_gfn(gfn), p2mk_mfn(mfn), count, &a,
	                max_order, replace ? P2MK_PT_MAP_REPLACE : 0);
	test_alloc_fail_at(&o->env.alloc, 0);
	o->n_map++;
	if (conflict) {
		assert_int_equal(err, P2MK_ERR_EXISTS);
		assert_int_equal(o->env.nev, 0);
		o->n_exists++;
		return;
	}
	if (armed && err == P2MK_ERR_NOMEM) {
		orc_after_nomem(o, gfn, count, tb, lb);
		return;
	}
	assert_int_equal(err, P2MK_OK);
	struct p2mk_pt_leaf first;
	assert_int_equal(p2mk_pt_lookup(&o->env.pt, p2mk_gfn(gfn), &first),
	                 P2MK_OK);
	o->mapped_at[first.level]++;
	o->last_hit = 0;
	for (uint64_t k = 0; k < count; k++) {
		uint64_t i = gfn - o->base + k;
		if (o->mfn[i] != ORC_NONE &&
		    (o->mfn[i] != mfn + k || !ptt_attrs_eq(&o->attrs[i], &a)))
			if (!orc_covered(o, gfn + k))
				fail_msg("map: change at %#" PRIx64
				         " not invalidated",
				         gfn + k);
		o->mfn[i] = mfn + k;
		o->attrs[i] = a;
	}
}

static inline void orc_op_unmap(struct orc *o)
{
	uint64_t gfn, count;
	orc_pick_range(o, &gfn, &count);
	bool armed;
	orc_maybe_inject(o, &armed);
	uint64_t tb = p2mk_pt_get_stats(&o->env.pt).table_pages;
	int64_t lb = o->env.alloc.live;
	enum p2mk_err err = p2mk_pt_unmap(&o->env.pt, p2mk_gfn(gfn), count);
	test_alloc_fail_at(&o->env.alloc, 0);
	o->n_unmap++;
	if (armed && err == P2MK_ERR_NOMEM) {
		orc_after_nomem(o, gfn, count, tb, lb);
		return;
	}
	assert_int_equal(err, P2MK_OK);
	o->last_hit = 0;
	for (uint64_t k = 0; k < count; k++) {
		uint64_t i = gfn - o->base + k;
		if (o->mfn[i] != ORC_NONE && !orc_covered(o, gfn + k))
			fail_msg("unmap: %#" PRIx64 " not invalidated",
			         gfn + k);
		o->mfn[i] = ORC_NONE;
	}
}

static inline uint8_t orc_rand_mask(struct test_rng *r, unsigned full)
{
	uint64_t u = test_rng_below(r, 4);
	if (u == 0)
		return 0;
	if (u == 1)
		return (uint8_t)full;
	return (uint8_t)(test_rng_next(r) & full);
}

static inline void orc_op_protect(struct orc *o)
{
	struct test_rng *r = &o->rng;
	uint64_t gfn, count;
	orc_pick_range(o, &gfn, &count);
	struct p2mk_pt_attrs set = ptt_rand_attrs(r, o->fmt);
	struct p2mk_pt_attrs mask;
	if (test_rng_below(r, 4) == 0) {
		mask = P2MK_PT_ATTRS_ALL;
	} else {
		mask.perm = orc_rand_mask(r, 7);
		mask.mt = orc_rand_mask(r, 15);
		mask.sh = orc_rand_mask(r, 3);
		mask.sw = orc_rand_mask(r, 0xff);
		mask.flags = (uint16_t)(orc_rand_mask(r, 0xff) |
		                        (test_rng_below(r, 2) ? 0xff00 : 0));
	}
	bool bad = false;
	for (uint64_t k = 0; k < count && !bad; k++) {
		uint64_t i = gfn - o->base + k;
		if (o->mfn[i] == ORC_NONE)
			continue;
		struct p2mk_pt_attrs n = ptt_merge(&o->attrs[i], &set, &mask);
		bad = o->fmt->ops->check(o->fmt, &n) != P2MK_OK;
	}
	bool armed;
	orc_maybe_inject(o, &armed);
	uint64_t tb = p2mk_pt_get_stats(&o->env.pt).table_pages;
	int64_t lb = o->env.alloc.live;
	enum p2mk_err err =
	    p2mk_pt_protect(&o->env.pt, p2mk_gfn(gfn), count, &set, &mask);
	test_alloc_fail_at(&o->env.alloc, 0);
	o->n_protect++;
	if (bad) {
		assert_int_equal(err, P2MK_ERR_INVAL);
		assert_int_equal(o->env.nev, 0);
		o->n_inval++;
		return;
	}
	if (armed && err == P2MK_ERR_NOMEM) {
		orc_after_nomem(o, gfn, count, tb, lb);
		return;
	}
	assert_int_equal(err, P2MK_OK);
	o->last_hit = 0;
	for (uint64_t k = 0; k < count; k++) {
		uint64_t i = gfn - o->base + k;
		if (o->mfn[i] == ORC_NONE)
			continue;
		struct p2mk_pt_attrs n = ptt_merge(&o->attrs[i], &set, &mask);
		if (!ptt_attrs_eq(&n, &o->attrs[i]) && !orc_covered(o, gfn + k))
			fail_msg("protect: %#" PRIx64 " not invalidated",
			         gfn + k);
		o->attrs[i] = n;
	}
}

static inline void orc_op_lookup(struct orc *o)
{
	struct test_rng *r = &o->rng;
	if (test_rng_below(r, 8) != 0) {
		uint64_t g = o->base + test_rng_below(r, o->npages);
		orc_check_page(o, g);
		o->n_lookup++;
		return;
	}
	/* a batch: each answer as p2mk_pt_lookup() gives it */
	p2mk_gfn_t g[20];
	struct p2mk_pt_leaf l[20], one;
	enum p2mk_err e[20];
	size_t n = 1 + test_rng_below(r, 20);
	for (size_t i = 0; i < n; i++) {
		uint64_t v = o->base + test_rng_below(r, o->npages);
		if (test_rng_below(r, 50) == 0)
			v = o->env.pt.gfn_limit + test_rng_below(r, 9);
		g[i] = p2mk_gfn(v);
	}
	p2mk_pt_lookup_many(&o->env.pt, g, n, l, e);
	for (size_t i = 0; i < n; i++) {
		enum p2mk_err want = p2mk_pt_lookup(&o->env.pt, g[i], &one);
		assert_int_equal(e[i], want);
		if (want == P2MK_OK) {
			assert_int_equal(l[i].gfn.v, one.gfn.v);
			assert_int_equal(l[i].mfn.v, one.mfn.v);
			assert_int_equal(l[i].raw, one.raw);
			assert_int_equal(l[i].level, one.level);
			assert_true(ptt_attrs_eq(&l[i].attrs, &one.attrs));
			orc_check_page(o, g[i].v);
		}
	}
	o->n_lookup += n;
}

/*
 * Run @ops random operations on format @fmt, with the window of @npages
 * frames at @base (chosen by the caller to cross interesting boundaries).
 */
static inline void orc_run(const struct p2mk_pt_fmt *fmt, uint64_t base,
                           uint64_t npages, uint64_t ops, uint64_t seed)
{
	struct orc *o = calloc(1, sizeof(*o));
	assert_non_null(o);
	o->fmt = fmt;
	o->rng.state = test_seed(seed);
	o->base = base;
	o->npages = npages;
	/* outputs 1 GiB aligned, below every format's output width */
	o->mfn_base = UINT64_C(1) << 24;
	o->mfn = malloc(npages * sizeof(*o->mfn));
	o->attrs = calloc(npages, sizeof(*o->attrs));
	assert_non_null(o->mfn);
	assert_non_null(o->attrs);
	for (uint64_t i = 0; i < npages; i++)
		o->mfn[i] = ORC_NONE;
	ptt_setup(&o->env, fmt);
	/* odd seeds walk through the linear-map shortcut (identity here) */
	if (seed & 1)
		p2mk_pt_set_direct_map(&o->env.pt, 0);
	ops = orc_scale(ops);
	for (uint64_t n = 0; n < ops; n++) {
		uint64_t u = test_rng_below(&o->rng, 100);
		if (u < 35)
			orc_op_map(o);
		else if (u < 55)
			orc_op_unmap(o);
		else if (u < 75)
			orc_op_protect(o);
		else
			orc_op_lookup(o);
		/* deferred frees reach the allocator after the "flush" */
		ptt_events_done(&o->env);
		if (n % 100000 == 99999)
			orc_full_check(o);
		if (n % 250000 == 124999) {
			/* explicit merge changes no translation */
			assert_int_equal(p2mk_pt_defrag(&o->env.pt,
			                                p2mk_gfn(o->base),
			                                o->npages),
			                 P2MK_OK);
			ptt_events_done(&o->env);
			orc_full_check(o);
		}
	}
	orc_full_check(o);
	fprintf(stderr,
	        "%s: %" PRIu64 " ops: %" PRIu64 " map (%" PRIu64
	        " EXISTS), %" PRIu64 " unmap, %" PRIu64 " protect (%" PRIu64
	        " INVAL), %" PRIu64 " lookup, %" PRIu64 " NOMEM\n",
	        fmt->name, ops, o->n_map, o->n_exists, o->n_unmap, o->n_protect,
	        o->n_inval, o->n_lookup, o->n_nomem);
	fprintf(stderr,
	        "  leaves seen by full checks 4K/2M/1G: %" PRIu64 "/%" PRIu64
	        "/%" PRIu64
	        "; maps whose first page is a 4K/2M/1G leaf: %" PRIu64
	        "/%" PRIu64 "/%" PRIu64 "\n",
	        o->leaves[0], o->leaves[1], o->leaves[2], o->mapped_at[0],
	        o->mapped_at[1], o->mapped_at[2]);
	ptt_teardown(&o->env);
	free(o->mfn);
	free(o->attrs);
	free(o);
}

#endif /* P2MKIT_TEST_PT_ORACLE_H */
