// SPDX-License-Identifier: BSD-2-Clause
/*
 * The page-table oracle (ARCHITECTURE.md "Tests", tier 2), one table of
 * cases over every format: random map, unmap, protect, one-page map and
 * unmap, and lookup operations run side by side on a real pt and on a flat
 * per-page reference; any difference fails.  Mixed page sizes come from
 * aligned starts, large counts and gfn/mfn deltas that are multiples of
 * 2 MiB or 1 GiB.  Allocation failure is injected on some operations,
 * which must then change nothing.  Every page whose translation changed
 * must be covered by an inval call of the same operation.  One million
 * operations on one instance of each format family, shorter runs on the
 * other depths, on instances without 1 GiB leaves and on the AMD-Vi Next
 * Level 7 form.
 *
 * The seed is printed; P2MK_SEED=N replays.  P2MK_TEST_SCALE (a
 * percentage, default 100) shrinks the operation counts for slow sanitizer
 * builds; the normal build always runs the full counts.
 */
#include "test_pt_common.h"

#define NPAGES (UINT64_C(1) << 21) /* an 8 GiB window: 1 GiB leaves fit */
#define G1     (UINT64_C(1) << 18)

/*
 * The reference, one word per page: the mfn in bits 63:33 and the
 * attributes packed below (perm 3 bits, mt 4, sh 2, sw 8, flags 16), so a
 * page compares in one instruction.  REF_NONE: not mapped.
 */
#define REF_NONE   UINT64_MAX
#define REF_MFN_LO 33

static inline uint64_t ref_attrs(const struct p2mk_pt_attrs *a)
{
	return (uint64_t)a->perm | (uint64_t)a->mt << 3 | (uint64_t)a->sh << 7 |
	       (uint64_t)a->sw << 9 | (uint64_t)a->flags << 17;
}

static inline uint64_t ref_of(uint64_t mfn, const struct p2mk_pt_attrs *a)
{
	return mfn << REF_MFN_LO | ref_attrs(a);
}

static inline uint64_t ref_mfn(uint64_t r)
{
	return r >> REF_MFN_LO;
}

static inline struct p2mk_pt_attrs ref_unpack(uint64_t r)
{
	struct p2mk_pt_attrs a;
	a.perm = (uint8_t)(r & 7);
	a.mt = (uint8_t)(r >> 3 & 15);
	a.sh = (uint8_t)(r >> 7 & 3);
	a.sw = (uint8_t)(r >> 9 & 0xff);
	a.flags = (uint16_t)(r >> 17 & 0xffff);
	return a;
}

/* One row of the table. */
struct orc_case {
	const char *name;
	const struct p2mk_pt_fmt *fmt;
	unsigned leaf_levels; /* 0: as built in; else derived */
	uint64_t base;        /* first gfn of the window */
	uint64_t ops;
	uint64_t seed; /* odd: walks use the direct-map shortcut */
};

struct orc {
	struct ptt_env env;
	struct p2mk_pt_fmt fmt;
	struct test_rng rng;
	uint64_t base, npages, mfn_base;
	uint64_t *ref;
	size_t last_hit;
	/* statistics, printed at the end; the one-page ones are checked */
	uint64_t n_map, n_unmap, n_protect, n_lookup, n_exists, n_inval,
	    n_nomem, leaves[P2MK_PT_MAX_LEVELS];
	uint64_t mapped_at[P2MK_PT_MAX_LEVELS]; /* level of a map's 1st page */
	uint64_t one_in_place; /* one-page ops that needed no table */
	uint64_t one_grew;     /* one-page ops that created or split */
	uint64_t one_nomem;    /* one-page ops refused for memory */
	uint64_t one_armed_ok; /* armed, yet done without allocating */
};

static uint64_t orc_scale(uint64_t ops)
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
static bool orc_covered(struct orc *o, uint64_t g)
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

static void orc_check_page(struct orc *o, uint64_t g)
{
	struct p2mk_pt_leaf l;
	enum p2mk_err err = p2mk_pt_lookup(&o->env.pt, p2mk_gfn(g), &l);
	const uint64_t want = o->ref[g - o->base];
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
	if (want == REF_NONE) {
		if (err != P2MK_ERR_NOENT)
			fail_msg("gfn %#" PRIx64 ": mapped, reference says not",
			         g);
		return;
	}
	if (err != P2MK_OK)
		fail_msg("gfn %#" PRIx64 ": %s, reference maps %#" PRIx64, g,
		         p2mk_err_name(err), ref_mfn(want));
	if (ref_of(l.mfn.v + (g - l.gfn.v), &l.attrs) != want)
		fail_msg("gfn %#" PRIx64 ": mfn %#" PRIx64 " want %#" PRIx64, g,
		         l.mfn.v + (g - l.gfn.v), ref_mfn(want));
}

struct orc_walk {
	struct orc *o;
	uint64_t pages;
};

static int orc_walk_visit(void *ctx, const struct p2mk_pt_leaf *l)
{
	struct orc_walk *w = ctx;
	struct orc *o = w->o;
	uint64_t n = UINT64_C(1) << l->order;
	/* leaves never straddle the window in these tests */
	assert_true(l->gfn.v >= o->base && l->gfn.v + n <= o->base + o->npages);
	const uint64_t r0 = ref_of(l->mfn.v, &l->attrs);
	const uint64_t *ref = o->ref + (l->gfn.v - o->base);
	for (uint64_t k = 0; k < n; k++)
		if (ref[k] != r0 + (k << REF_MFN_LO))
			fail_msg("walk: gfn %#" PRIx64 " differs",
			         l->gfn.v + k);
	w->pages += n;
	o->leaves[l->level]++;
	return 0;
}

/* The whole window against the reference, plus allocator accounting. */
static void orc_full_check(struct orc *o)
{
	struct orc_walk w = {o, 0};
	assert_int_equal(p2mk_pt_walk(&o->env.pt, p2mk_gfn(o->base), o->npages,
	                              0, orc_walk_visit, &w, NULL),
	                 P2MK_OK);
	uint64_t present = 0;
	for (uint64_t i = 0; i < o->npages; i++)
		present += o->ref[i] != REF_NONE;
	assert_int_equal(w.pages, present);
	struct p2mk_pt_stats s = p2mk_pt_get_stats(&o->env.pt);
	assert_int_equal(s.table_pages, (uint64_t)o->env.alloc.live);
}

/* A start and count inside the window, biased toward aligned blocks. */
static void orc_pick_range(struct orc *o, uint64_t *gfn, uint64_t *count)
{
	struct test_rng *r = &o->rng;
	uint64_t u = test_rng_below(r, 10000);
	uint64_t off, n;
	if (u < 8) { /* 1 GiB scale */
		n = G1 * (1 + test_rng_below(r, 2)) +
		    (test_rng_below(r, 2) ? test_rng_below(r, G1) : 0);
		off = test_rng_below(r, o->npages);
		if (test_rng_below(r, 4) != 0)
			off &= ~(G1 - 1);
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

/* Arm allocation failure on 3 % of the operations. */
static bool orc_maybe_inject(struct orc *o)
{
	bool armed = test_rng_below(&o->rng, 100) < 3;
	test_alloc_fail_at(&o->env.alloc,
	                   armed ? 1 + test_rng_below(&o->rng, 3) : 0);
	return armed;
}

/* What an operation must leave alone if it fails. */
struct orc_before {
	uint64_t tables;
	int64_t live;
};

static struct orc_before orc_before(const struct orc *o)
{
	return (struct orc_before){p2mk_pt_get_stats(&o->env.pt).table_pages,
	                           o->env.alloc.live};
}

/*
 * After a NOMEM: nothing may have changed.  The reference was not touched,
 * so sample the range and the accounting.
 */
static void orc_after_nomem(struct orc *o, uint64_t gfn, uint64_t count,
                            struct orc_before b)
{
	assert_int_equal(o->env.nev, 0); /* no inval, no free */
	assert_int_equal(p2mk_pt_get_stats(&o->env.pt).table_pages, b.tables);
	assert_int_equal(o->env.alloc.live, b.live);
	uint64_t step = count > 256 ? count / 256 : 1;
	for (uint64_t g = gfn; g < gfn + count; g += step)
		orc_check_page(o, g);
	o->n_nomem++;
}

/* The reference after a successful map, checking invalidation. */
static void orc_apply_map(struct orc *o, uint64_t gfn, uint64_t count,
                          uint64_t mfn, const struct p2mk_pt_attrs *a)
{
	uint64_t *ref = o->ref + (gfn - o->base);
	const uint64_t r0 = ref_of(mfn, a);
	o->last_hit = 0;
	for (uint64_t k = 0; k < count; k++) {
		uint64_t want = r0 + (k << REF_MFN_LO);
		if (ref[k] != REF_NONE && ref[k] != want &&
		    !orc_covered(o, gfn + k))
			fail_msg("map: change at %#" PRIx64 " not invalidated",
			         gfn + k);
		ref[k] = want;
	}
}

/* Would a map without REPLACE meet a page mapped elsewhere? */
static bool orc_conflict(const struct orc *o, uint64_t gfn, uint64_t count,
                         uint64_t mfn)
{
	const uint64_t *ref = o->ref + (gfn - o->base);
	for (uint64_t k = 0; k < count; k++)
		if (ref[k] != REF_NONE && ref_mfn(ref[k]) != mfn + k)
			return true;
	return false;
}

/* A random output for [gfn, +count): often 2 MiB / 1 GiB-aligned deltas. */
static uint64_t orc_pick_mfn(struct orc *o, uint64_t gfn, uint64_t count)
{
	struct test_rng *r = &o->rng;
	uint64_t delta;
	uint64_t d = test_rng_below(r, 10);
	bool huge = count >= G1;
	if (d < 5 || (huge && d < 9))
		delta = test_rng_below(r, 4) << 18;
	else if (d < 8)
		delta = test_rng_below(r, 1024) << 9;
	else
		delta = test_rng_below(r, 1u << 20);
	return o->mfn_base + (gfn - o->base) + delta;
}

static void orc_op_map(struct orc *o)
{
	struct test_rng *r = &o->rng;
	uint64_t gfn, count;
	orc_pick_range(o, &gfn, &count);
	uint64_t mfn = orc_pick_mfn(o, gfn, count);
	static const unsigned orders[] = {
	    0, 9, 18, P2MK_PT_ORDER_ANY, P2MK_PT_ORDER_ANY, 10, 20};
	unsigned max_order = orders[test_rng_below(r, 7)];
	bool huge = count >= G1;
	/* big BAR-like mappings usually replace whatever was there */
	bool replace = test_rng_below(r, 10) < (huge ? 8 : 3);
	if (huge && test_rng_below(r, 4) != 0)
		max_order = P2MK_PT_ORDER_ANY;
	struct p2mk_pt_attrs a = ptt_rand_attrs(r, &o->fmt);
	bool conflict = !replace && orc_conflict(o, gfn, count, mfn);
	bool armed = orc_maybe_inject(o);
	struct orc_before b = orc_before(o);
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
		orc_after_nomem(o, gfn, count, b);
		return;
	}
	assert_int_equal(err, P2MK_OK);
	struct p2mk_pt_leaf first;
	assert_int_equal(p2mk_pt_lookup(&o->env.pt, p2mk_gfn(gfn), &first),
	                 P2MK_OK);
	o->mapped_at[first.level]++;
	orc_apply_map(o, gfn, count, mfn, &a);
}

/* The reference after a successful unmap, checking invalidation. */
static void orc_apply_unmap(struct orc *o, uint64_t gfn, uint64_t count)
{
	uint64_t *ref = o->ref + (gfn - o->base);
	o->last_hit = 0;
	for (uint64_t k = 0; k < count; k++) {
		if (ref[k] != REF_NONE && !orc_covered(o, gfn + k))
			fail_msg("unmap: %#" PRIx64 " not invalidated",
			         gfn + k);
		ref[k] = REF_NONE;
	}
}

static void orc_op_unmap(struct orc *o)
{
	uint64_t gfn, count;
	orc_pick_range(o, &gfn, &count);
	bool armed = orc_maybe_inject(o);
	struct orc_before b = orc_before(o);
	enum p2mk_err err = p2mk_pt_unmap(&o->env.pt, p2mk_gfn(gfn), count);
	test_alloc_fail_at(&o->env.alloc, 0);
	o->n_unmap++;
	if (armed && err == P2MK_ERR_NOMEM) {
		orc_after_nomem(o, gfn, count, b);
		return;
	}
	assert_int_equal(err, P2MK_OK);
	orc_apply_unmap(o, gfn, count);
}

/* Sort a finished one-page operation into the classes checked at the end. */
static void orc_one_class(struct orc *o, bool armed, enum p2mk_err err,
                          struct orc_before b)
{
	if (err == P2MK_ERR_NOMEM) {
		o->one_nomem++;
	} else if (p2mk_pt_get_stats(&o->env.pt).table_pages == b.tables &&
	           o->env.alloc.live == b.live) {
		o->one_in_place++;
		o->one_armed_ok += armed;
	} else {
		o->one_grew++;
	}
}

/*
 * One page per call (the fault-handler shape): the fast path where the
 * level-0 table exists, the general path where a table must be created or
 * a superpage split, both all-or-nothing under injected failure.
 */
static void orc_op_one(struct orc *o)
{
	struct test_rng *r = &o->rng;
	const uint64_t gfn = o->base + test_rng_below(r, o->npages);
	const uint64_t cur = o->ref[gfn - o->base];
	const bool unmap = test_rng_below(r, 3) == 0;
	const bool replace = test_rng_below(r, 10) < 3;
	/* often the page's present output (an attribute change) */
	uint64_t mfn = cur != REF_NONE && test_rng_below(r, 2)
	                   ? ref_mfn(cur)
	                   : orc_pick_mfn(o, gfn, 1);
	struct p2mk_pt_attrs a = ptt_rand_attrs(r, &o->fmt);
	bool conflict = !unmap && !replace && orc_conflict(o, gfn, 1, mfn);
	bool armed = orc_maybe_inject(o);
	struct orc_before b = orc_before(o);
	enum p2mk_err err =
	    unmap ? p2mk_pt_unmap(&o->env.pt, p2mk_gfn(gfn), 1)
	          : p2mk_pt_map(&o->env.pt, p2mk_gfn(gfn), p2mk_mfn(mfn), 1, &a,
	                        0, replace ? P2MK_PT_MAP_REPLACE : 0);
	test_alloc_fail_at(&o->env.alloc, 0);
	if (conflict) {
		assert_int_equal(err, P2MK_ERR_EXISTS);
		assert_int_equal(o->env.nev, 0);
		o->n_exists++;
		return;
	}
	assert_true(err == P2MK_OK || (armed && err == P2MK_ERR_NOMEM));
	orc_one_class(o, armed, err, b);
	if (err == P2MK_ERR_NOMEM)
		orc_after_nomem(o, gfn, 1, b);
	else if (unmap)
		orc_apply_unmap(o, gfn, 1);
	else
		orc_apply_map(o, gfn, 1, mfn, &a);
}

static uint8_t orc_rand_mask(struct test_rng *r, unsigned full)
{
	uint64_t u = test_rng_below(r, 4);
	if (u == 0)
		return 0;
	if (u == 1)
		return (uint8_t)full;
	return (uint8_t)(test_rng_next(r) & full);
}

static struct p2mk_pt_attrs orc_pick_mask(struct test_rng *r)
{
	if (test_rng_below(r, 4) == 0)
		return P2MK_PT_ATTRS_ALL;
	struct p2mk_pt_attrs mask;
	mask.perm = orc_rand_mask(r, 7);
	mask.mt = orc_rand_mask(r, 15);
	mask.sh = orc_rand_mask(r, 3);
	mask.sw = orc_rand_mask(r, 0xff);
	mask.flags = (uint16_t)(orc_rand_mask(r, 0xff) |
	                        (test_rng_below(r, 2) ? 0xff00 : 0));
	return mask;
}

/* The merged attributes of a present reference page. */
static struct p2mk_pt_attrs orc_merged(uint64_t ref,
                                       const struct p2mk_pt_attrs *set,
                                       const struct p2mk_pt_attrs *mask)
{
	struct p2mk_pt_attrs old = ref_unpack(ref);
	return ptt_merge(&old, set, mask);
}

static bool orc_protect_bad(const struct orc *o, uint64_t gfn, uint64_t count,
                            const struct p2mk_pt_attrs *set,
                            const struct p2mk_pt_attrs *mask)
{
	const uint64_t *ref = o->ref + (gfn - o->base);
	for (uint64_t k = 0; k < count; k++) {
		if (ref[k] == REF_NONE)
			continue;
		struct p2mk_pt_attrs n = orc_merged(ref[k], set, mask);
		if (o->fmt.ops->check(&o->fmt, &n) != P2MK_OK)
			return true;
	}
	return false;
}

static void orc_apply_protect(struct orc *o, uint64_t gfn, uint64_t count,
                              const struct p2mk_pt_attrs *set,
                              const struct p2mk_pt_attrs *mask)
{
	uint64_t *ref = o->ref + (gfn - o->base);
	o->last_hit = 0;
	for (uint64_t k = 0; k < count; k++) {
		if (ref[k] == REF_NONE)
			continue;
		struct p2mk_pt_attrs n = orc_merged(ref[k], set, mask);
		uint64_t want = ref_of(ref_mfn(ref[k]), &n);
		if (want != ref[k] && !orc_covered(o, gfn + k))
			fail_msg("protect: %#" PRIx64 " not invalidated",
			         gfn + k);
		ref[k] = want;
	}
}

static void orc_op_protect(struct orc *o)
{
	struct test_rng *r = &o->rng;
	uint64_t gfn, count;
	orc_pick_range(o, &gfn, &count);
	struct p2mk_pt_attrs set = ptt_rand_attrs(r, &o->fmt);
	struct p2mk_pt_attrs mask = orc_pick_mask(r);
	bool bad = orc_protect_bad(o, gfn, count, &set, &mask);
	bool armed = orc_maybe_inject(o);
	struct orc_before b = orc_before(o);
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
		orc_after_nomem(o, gfn, count, b);
		return;
	}
	assert_int_equal(err, P2MK_OK);
	orc_apply_protect(o, gfn, count, &set, &mask);
}

/* A batch: each answer as p2mk_pt_lookup() gives it. */
static void orc_op_lookup_many(struct orc *o)
{
	struct test_rng *r = &o->rng;
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

static void orc_op_lookup(struct orc *o)
{
	if (test_rng_below(&o->rng, 8) == 0) {
		orc_op_lookup_many(o);
		return;
	}
	orc_check_page(o, o->base + test_rng_below(&o->rng, o->npages));
	o->n_lookup++;
}

static void orc_step(struct orc *o, uint64_t n)
{
	uint64_t u = test_rng_below(&o->rng, 100);
	if (u < 31)
		orc_op_map(o);
	else if (u < 48)
		orc_op_unmap(o);
	else if (u < 66)
		orc_op_protect(o);
	else if (u < 78)
		orc_op_one(o);
	else
		orc_op_lookup(o);
	/* deferred frees reach the allocator after the "flush" */
	ptt_events_done(&o->env);
	if (n % 100000 == 99999)
		orc_full_check(o);
	if (n % 250000 == 124999) {
		/* explicit merge changes no translation */
		assert_int_equal(
		    p2mk_pt_defrag(&o->env.pt, p2mk_gfn(o->base), o->npages),
		    P2MK_OK);
		ptt_events_done(&o->env);
		orc_full_check(o);
	}
}

static void orc_report(const struct orc *o, const char *name, uint64_t ops)
{
	fprintf(stderr,
	        "%s: %" PRIu64 " ops: %" PRIu64 " map (%" PRIu64
	        " EXISTS), %" PRIu64 " unmap, %" PRIu64 " protect (%" PRIu64
	        " INVAL), %" PRIu64 " lookup, %" PRIu64 " NOMEM\n",
	        name, ops, o->n_map, o->n_exists, o->n_unmap, o->n_protect,
	        o->n_inval, o->n_lookup, o->n_nomem);
	fprintf(stderr,
	        "  one page: %" PRIu64 " in place (%" PRIu64
	        " with failure armed), %" PRIu64
	        " creating or splitting, %" PRIu64 " NOMEM\n",
	        o->one_in_place, o->one_armed_ok, o->one_grew, o->one_nomem);
	fprintf(stderr,
	        "  leaves seen by full checks 4K/2M/1G: %" PRIu64 "/%" PRIu64
	        "/%" PRIu64
	        "; maps whose first page is a 4K/2M/1G leaf: %" PRIu64
	        "/%" PRIu64 "/%" PRIu64 "\n",
	        o->leaves[0], o->leaves[1], o->leaves[2], o->mapped_at[0],
	        o->mapped_at[1], o->mapped_at[2]);
}

static struct orc *orc_new(const struct orc_case *c)
{
	struct orc *o = calloc(1, sizeof(*o));
	assert_non_null(o);
	o->fmt = *c->fmt;
	if (c->leaf_levels)
		assert_int_equal(
		    p2mk_pt_fmt_derive(&o->fmt, c->fmt, 0, 0, c->leaf_levels),
		    P2MK_OK);
	o->rng.state = test_seed(c->seed);
	o->base = c->base;
	o->npages = NPAGES;
	/* outputs 1 GiB aligned, below every format's output width */
	o->mfn_base = UINT64_C(1) << 24;
	o->ref = malloc(NPAGES * sizeof(*o->ref));
	assert_non_null(o->ref);
	for (uint64_t i = 0; i < NPAGES; i++)
		o->ref[i] = REF_NONE;
	ptt_setup(&o->env, &o->fmt);
	if (c->seed & 1)
		p2mk_pt_set_direct_map(&o->env.pt, 0);
	return o;
}

static void random_ops_match_flat_reference(void **state)
{
	const struct orc_case *c = *state;
	struct orc *o = orc_new(c);
	const uint64_t ops = orc_scale(c->ops);
	for (uint64_t n = 0; n < ops; n++)
		orc_step(o, n);
	orc_full_check(o);
	orc_report(o, c->name, ops);
	/*
	 * With 12 % one-page operations, runs of this size take the fast
	 * path, the general path and the refusal for memory many times
	 * over for any seed.
	 */
	if (ops >= 100000) {
		assert_true(o->one_in_place > 0);
		assert_true(o->one_grew > 0);
		assert_true(o->one_nomem > 0);
		assert_true(o->one_armed_ok > 0);
	}
	ptt_teardown(&o->env);
	free(o->ref);
	free(o);
}

#define MAIN_OPS    1000000
#define VARIANT_OPS 60000

/*
 * One million operations on one instance per family, each window placed
 * at a boundary of its format: the top of EPT's 48 bits, Arm's two
 * concatenated root tables, 2^30 for VT-d; then the other depths, the
 * instances without 1 GiB leaves and AMD-Vi's Next Level 7 form.
 */
static struct orc_case cases[] = {
    {"ept4", &p2mk_pt_fmt_ept4, 0, (UINT64_C(1) << 36) - NPAGES, MAIN_OPS,
     0x5eed0001},
    {"npt", &p2mk_pt_fmt_npt, 0, 0, MAIN_OPS, 0x5eed0101},
    {"arm-s2-l3", &p2mk_pt_fmt_arm_s2_l3, 0, (UINT64_C(1) << 27) - NPAGES / 2,
     MAIN_OPS, 0x5eed0201},
    {"vtd-sl4", &p2mk_pt_fmt_vtd_sl4, 0, UINT64_C(1) << 30, MAIN_OPS,
     0x5eed0301},
    {"amdv1-l4", &p2mk_pt_fmt_amdv1_l4, 0, UINT64_C(1) << 35, MAIN_OPS,
     0x5eed0401},
    {"ept5", &p2mk_pt_fmt_ept5, 0, (UINT64_C(1) << 44) - NPAGES / 2,
     VARIANT_OPS, 0x5eed0502},
    {"npt5", &p2mk_pt_fmt_npt5, 0, (UINT64_C(1) << 36) - NPAGES / 2,
     VARIANT_OPS, 0x5eed0602},
    {"arm-s2-l4", &p2mk_pt_fmt_arm_s2_l4, 0, (UINT64_C(1) << 27) - NPAGES / 2,
     VARIANT_OPS, 0x5eed0702},
    {"vtd-sl3", &p2mk_pt_fmt_vtd_sl3, 0, (UINT64_C(1) << 27) - NPAGES,
     VARIANT_OPS, 0x5eed0802},
    {"amdv1-l3", &p2mk_pt_fmt_amdv1_l3, 0, (UINT64_C(1) << 27) - NPAGES,
     VARIANT_OPS, 0x5eed0902},
    {"ept4 without 1 GiB leaves", &p2mk_pt_fmt_ept4, 0x3,
     (UINT64_C(1) << 36) - NPAGES, VARIANT_OPS, 0x5eed0a03},
    {"npt without 1 GiB leaves", &p2mk_pt_fmt_npt, 0x3, 0, VARIANT_OPS,
     0x5eed0b03},
    {"arm-s2-l3 without 1 GiB blocks", &p2mk_pt_fmt_arm_s2_l3, 0x3,
     (UINT64_C(1) << 27) - NPAGES / 2, VARIANT_OPS, 0x5eed0c03},
    {"vtd-sl4 without 1 GiB leaves", &p2mk_pt_fmt_vtd_sl4, 0x3,
     UINT64_C(1) << 30, VARIANT_OPS, 0x5eed0d03},
    {"amdv1-l4 without 1 GiB leaves", &p2mk_pt_fmt_amdv1_l4, 0x3,
     UINT64_C(1) << 35, VARIANT_OPS, 0x5eed0e03},
    {"amdv1-l4 Next Level 7 form", &p2mk_pt_fmt_amdv1_l4_ps, 0,
     UINT64_C(1) << 35, VARIANT_OPS, 0x5eed0f05},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

int main(void)
{
	struct CMUnitTest tests[NCASES];
	static char names[NCASES][96];
	for (size_t i = 0; i < NCASES; i++) {
		snprintf(names[i], sizeof(names[i]),
		         "random_ops_match_flat_reference: %s", cases[i].name);
		tests[i] = (struct CMUnitTest){names[i],
		                               random_ops_match_flat_reference,
		                               NULL, NULL, &cases[i]};
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
