// SPDX-License-Identifier: BSD-2-Clause
/*
 * Invalidation builders: the spec's encodings (inv §2.2, §3.2), the
 * drivers' rules (inv §2.8, §3.3, xen §12.5), the named regressions, and
 * P2MK_INV_MIN against an exhaustive dynamic programme over every set of
 * disjoint aligned blocks on >= 100,000 random ranges.
 */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2mkit/iommu.h>

#include "test_iommu_oracle.h"

static struct p2mk_iommu_caps vtd(bool psi, unsigned mamv)
{
	return (struct p2mk_iommu_caps){
	    P2MK_IOMMU_VTD, psi, (uint8_t)mamv, false, false, 7, 1, 0, 1000};
}

static struct p2mk_iommu_caps amd(void)
{
	return (struct p2mk_iommu_caps){
	    P2MK_IOMMU_AMDVI, true, 0, false, false, 7, 1, 0, 1000};
}

/* ---- recording emitted descriptors ----------------------------------- */

struct rec {
	struct p2mk_inv_desc d[64];
	size_t n;
	uint64_t total;
};

static void rec_emit(void *ctx, const struct p2mk_inv_desc *d)
{
	struct rec *r = ctx;
	if (r->n < 64)
		r->d[r->n] = *d;
	r->n++;
	r->total++;
}

static struct p2mk_inv_result build1(const struct p2mk_iommu_caps *c,
                                     enum p2mk_inv_rule rule, uint64_t first,
                                     uint64_t count, struct rec *r)
{
	struct p2mk_inv_range range = {p2mk_gfn(first), count};
	struct p2mk_inv_result res;
	memset(r, 0, sizeof(*r));
	assert_int_equal(
	    p2mk_inv_build(c, rule, &range, 1, false, rec_emit, r, &res),
	    P2MK_OK);
	assert_int_equal(res.descs, r->total);
	return res;
}

/* Does what the hardware invalidates for @r cover [first, first+count)? */
static bool covers(const struct p2mk_iommu_caps *c, const struct rec *r,
                   uint64_t first, uint64_t count)
{
	for (uint64_t p = first; p < first + count; p++) {
		bool hit = false;
		for (size_t i = 0; i < r->n && i < 64 && !hit; i++) {
			struct p2mk_inv_desc d;
			assert_int_equal(p2mk_inv_decode(c, r->d[i].raw, &d),
			                 P2MK_OK);
			hit = d.domain ||
			      (p >> d.order) == (d.first.v >> d.order);
		}
		if (!hit)
			return false;
	}
	return true;
}

/* ---- spec encodings -------------------------------------------------- */

static void vtd_am_table_decodes_as_spec(void **state)
{
	(void)state;
	struct p2mk_iommu_caps c = vtd(true, 18);
	/* inv §2.2: AM n covers the aligned 2^n pages containing ADDR */
	static const unsigned am[] = {0, 1, 2, 9, 18};
	for (unsigned i = 0; i < 5; i++) {
		struct p2mk_inv_desc e = p2mk_inv_encode_block(
		    &c, false, p2mk_gfn(0x12345678), am[i], false);
		assert_int_equal(e.raw[1] & 0x3f, am[i]);
		assert_true(e.raw[1] & P2MK_BIT(6)); /* IH: no table freed */
		assert_int_equal(e.raw[0], 2 | 3 << 4 | 7 << 16);
		struct p2mk_inv_desc d;
		/* low AM bits of ADDR are ignored by hardware */
		uint64_t raw[2] = {e.raw[0],
		                   e.raw[1] | ((P2MK_BIT(am[i]) - 1) << 12)};
		assert_int_equal(p2mk_inv_decode(&c, raw, &d), P2MK_OK);
		assert_int_equal(d.order, am[i]);
		assert_int_equal(d.first.v,
		                 0x12345678 & ~(P2MK_BIT(am[i]) - 1));
	}
	/* DSI: G = 10b */
	struct p2mk_inv_desc dsi =
	    p2mk_inv_encode_block(&c, true, p2mk_gfn(0), 0, true);
	assert_int_equal(dsi.raw[0], 2 | 2 << 4 | 7 << 16);
	/* AM > MAMV and PSI without CAP.PSI are rejected (inv §2.3) */
	struct p2mk_inv_desc big =
	    p2mk_inv_encode_block(&c, false, p2mk_gfn(0), 19, false);
	struct p2mk_inv_desc out;
	assert_int_equal(p2mk_inv_decode(&c, big.raw, &out), P2MK_ERR_INVAL);
	struct p2mk_iommu_caps nopsi = vtd(false, 18);
	struct p2mk_inv_desc one =
	    p2mk_inv_encode_block(&c, false, p2mk_gfn(5), 0, false);
	assert_int_equal(p2mk_inv_decode(&nopsi, one.raw, &out),
	                 P2MK_ERR_INVAL);
	/* drain bits when the capability is present (inv §2.5) */
	c.drain = true;
	dsi = p2mk_inv_encode_block(&c, true, p2mk_gfn(0), 0, true);
	assert_int_equal(dsi.raw[0] & 0xc0, 0xc0);
}

static void amdvi_size_table_decodes_as_spec(void **state)
{
	(void)state;
	struct p2mk_iommu_caps c = amd();
	uint64_t w0 = UINT64_C(3) << 60 | UINT64_C(7) << 32;
	/* inv §3.2 table: ones from bit 12, first zero at n: 2^(n+1) bytes */
	static const struct {
		uint64_t addr;
		unsigned order;
	} t[] = {
	    {0x40000000, 1},     /* first zero at 12: 8 KiB */
	    {0x40001000, 2},     /* 1,0: 16 KiB */
	    {0x400ff000, 9},     /* 8 ones, bit 20 = 0: 2 MiB */
	    {0x4001ffff000, 18}, /* 17 ones, bit 29 = 0: 1 GiB */
	};
	for (unsigned i = 0; i < 4; i++) {
		uint64_t raw[2] = {w0, t[i].addr | 1};
		struct p2mk_inv_desc d;
		assert_int_equal(p2mk_inv_decode(&c, raw, &d), P2MK_OK);
		assert_false(d.domain);
		assert_int_equal(d.order, t[i].order);
		struct p2mk_inv_desc e = p2mk_inv_encode_block(
		    &c, false, d.first, t[i].order, false);
		assert_int_equal(e.raw[1], raw[1]);
	}
	/* S = 0: exactly one page, whatever the low bits */
	uint64_t one[2] = {w0, 0x1fffff000};
	struct p2mk_inv_desc d;
	assert_int_equal(p2mk_inv_decode(&c, one, &d), P2MK_OK);
	assert_int_equal(d.order, 0);
	assert_int_equal(d.first.v, 0x1fffff);
	/* Linux's all-pages address, and ones through bit 50 */
	uint64_t all[2] = {w0, UINT64_C(0x7ffffffffffff000) | 3};
	assert_int_equal(p2mk_inv_decode(&c, all, &d), P2MK_OK);
	assert_true(d.domain);
	uint64_t b50[2] = {w0, (P2MK_BIT(51) - 1 - 0xfff) | 1};
	assert_int_equal(p2mk_inv_decode(&c, b50, &d), P2MK_OK);
	assert_true(d.domain);
	/* reserved bits and foreign domain ids are rejected */
	uint64_t rsvd[2] = {w0, 0x1000 | 1 << 3};
	assert_int_equal(p2mk_inv_decode(&c, rsvd, &d), P2MK_ERR_INVAL);
	uint64_t other[2] = {UINT64_C(3) << 60 | UINT64_C(8) << 32, 0x1000};
	assert_int_equal(p2mk_inv_decode(&c, other, &d), P2MK_ERR_INVAL);
}

/* ---- drivers' rules -------------------------------------------------- */

static void linux_vtd_rule_follows_spec_steps(void **state)
{
	(void)state;
	struct p2mk_iommu_caps c = vtd(true, 18);
	struct rec r;
	/* aligned power of two: one PSI of exactly that size */
	struct p2mk_inv_result res = build1(&c, P2MK_INV_LINUX, 0x400, 512, &r);
	assert_int_equal(r.d[0].order, 9);
	assert_int_equal(res.extra_pages, 0);
	/* 3 pages at pfn 5: tentative mask 2, start unaligned; 5 and 7
	 * share bit 2 -> mask 2, block 4..7 */
	build1(&c, P2MK_INV_LINUX, 5, 3, &r);
	assert_int_equal(r.d[0].order, 2);
	assert_int_equal(r.d[0].first.v, 4);
	/* pfn 7, 2 pages: 7 and 8 share no bit below 4 -> mask 4 */
	build1(&c, P2MK_INV_LINUX, 7, 2, &r);
	assert_int_equal(r.d[0].order, 4);
	assert_int_equal(r.d[0].first.v, 0);
	/* crossing a 2^20 boundary: needs mask 21 > MAMV 18 -> DSI */
	res = build1(&c, P2MK_INV_LINUX, P2MK_BIT(20) - 1, 2, &r);
	assert_true(res.domain);
	/* no PSI: always DSI */
	struct p2mk_iommu_caps n = vtd(false, 18);
	res = build1(&n, P2MK_INV_LINUX, 0, 1, &r);
	assert_true(res.domain);
}

static void linux_vtd_aligned_pages_slow_path_regression(void **state)
{
	(void)state;
	/* 2024 fix: pfn 3, 2 pages -> mask 3; the stale count (2) made the
	 * first-stage flush name block 0..1, missing both pages */
	struct p2mk_iommu_caps c = vtd(true, 18);
	struct rec r;
	build1(&c, P2MK_INV_LINUX_OLD, 3, 2, &r);
	assert_int_equal(r.d[0].order, 1);
	assert_false(covers(&c, &r, 3, 2));
	build1(&c, P2MK_INV_LINUX, 3, 2, &r);
	assert_int_equal(r.d[0].order, 3);
	assert_true(covers(&c, &r, 3, 2));
	/* the fast path (aligned start) never differed */
	build1(&c, P2MK_INV_LINUX_OLD, 8, 8, &r);
	assert_true(covers(&c, &r, 8, 8));
}

static void linux_amd_off_by_one_regression(void **state)
{
	(void)state;
	struct p2mk_iommu_caps c = amd();
	struct rec r;
	/* 8 pages at 0: msb of the differing byte bits is 14; setting only
	 * bit 13 leaves bit 12 clear: 8 KiB instead of 32 KiB */
	build1(&c, P2MK_INV_LINUX_OLD, 0, 8, &r);
	assert_false(covers(&c, &r, 0, 8));
	build1(&c, P2MK_INV_LINUX, 0, 8, &r);
	assert_int_equal(r.d[0].order, 3);
	assert_true(covers(&c, &r, 0, 8));
	/* single page: S = 0 */
	build1(&c, P2MK_INV_LINUX, 77, 1, &r);
	assert_int_equal(r.d[0].raw[1] & 1, 0);
	/* differing up to byte bit 50: ones through bit 49, order 39 */
	struct p2mk_inv_result res =
	    build1(&c, P2MK_INV_LINUX, P2MK_BIT(38) - 1, 2, &r);
	assert_false(res.domain);
	assert_int_equal(r.d[0].order, 39);
	/* msb 51: ones through bit 50 decode as all pages (inv §3.2) */
	res = build1(&c, P2MK_INV_LINUX, P2MK_BIT(39) - 1, 2, &r);
	assert_true(res.domain);
}

static void xen_rules_follow_xen_12_5(void **state)
{
	(void)state;
	struct p2mk_iommu_caps v = vtd(true, 9);
	struct rec r;
	assert_false(build1(&v, P2MK_INV_XEN, 512, 512, &r).domain);
	assert_int_equal(r.d[0].order, 9);
	assert_true(build1(&v, P2MK_INV_XEN, 512, 3, &r).domain); /* not 2^n */
	assert_true(build1(&v, P2MK_INV_XEN, 8, 16, &r).domain); /* unaligned */
	assert_true(build1(&v, P2MK_INV_XEN, 0, 1024, &r).domain); /* > MAMV */
	/* 16-page gmfn_range batches: PSI only when 16-aligned (xen §12.3) */
	assert_false(build1(&v, P2MK_INV_XEN, 32, 16, &r).domain);
	struct p2mk_iommu_caps a = amd();
	build1(&a, P2MK_INV_XEN, 5, 1, &r);
	assert_int_equal(r.d[0].order, 0);
	build1(&a, P2MK_INV_XEN, 5, 2, &r);
	assert_int_equal(r.d[0].order, 9);
	assert_true(r.d[0].raw[1] & 2); /* PDE whenever S = 1 */
	build1(&a, P2MK_INV_XEN, 511, 2, &r);
	assert_int_equal(r.d[0].order, 18);
	assert_true(build1(&a, P2MK_INV_XEN, P2MK_BIT(18) - 1, 2, &r).domain);
}

static void build_rejects_bad_ranges(void **state)
{
	(void)state;
	struct p2mk_iommu_caps c = vtd(true, 9);
	struct p2mk_inv_result res;
	struct p2mk_inv_range bad[2] = {{p2mk_gfn(0), 4}, {p2mk_gfn(4), 1}};
	/* adjacent ranges must be merged first */
	assert_int_equal(
	    p2mk_inv_build(&c, P2MK_INV_MIN, bad, 2, false, NULL, NULL, &res),
	    P2MK_ERR_INVAL);
	bad[1].count = 0;
	bad[1].first = p2mk_gfn(9);
	assert_int_equal(
	    p2mk_inv_build(&c, P2MK_INV_MIN, bad, 2, false, NULL, NULL, &res),
	    P2MK_ERR_INVAL);
	assert_int_equal(
	    p2mk_inv_build(&c, P2MK_INV_MIN, bad, 0, false, NULL, NULL, &res),
	    P2MK_ERR_INVAL);
	c.cost_desc = 0;
	assert_int_equal(
	    p2mk_inv_build(&c, P2MK_INV_MIN, bad, 1, false, NULL, NULL, &res),
	    P2MK_ERR_INVAL);
}

struct tally {
	uint64_t cases, domain, page;
};

static void check_min(const struct p2mk_iommu_caps *c,
                      const struct p2mk_inv_range *r, size_t n, struct tally *t)
{
	struct p2mk_inv_result res;
	struct rec rec;
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(
	    p2mk_inv_build(c, P2MK_INV_MIN, r, n, false, rec_emit, &rec, &res),
	    P2MK_OK);
	bool dom;
	struct best want = oracle_min(c, r, n, &dom);
	if (res.cost != want.cost || res.descs != want.descs) {
		fprintf(stderr,
		        "first %llu count %llu n %zu: got %llu/%llu "
		        "want %llu/%llu\n",
		        (unsigned long long)r[0].first.v,
		        (unsigned long long)r[0].count, n,
		        (unsigned long long)res.cost,
		        (unsigned long long)res.descs,
		        (unsigned long long)want.cost,
		        (unsigned long long)want.descs);
		fail();
	}
	assert_int_equal(res.domain, dom);
	assert_int_equal(rec.total, res.descs);
	if (!dom)
		assert_int_equal(res.cost,
		                 res.descs * c->cost_desc +
		                     res.extra_pages * c->cost_extra_page);
	if (!dom && res.descs <= 64) {
		for (size_t i = 0; i < n; i++)
			assert_true(covers(c, &rec, r[i].first.v, r[i].count));
	}
	t->cases++;
	if (dom)
		t->domain++;
	else
		t->page++;
}

static uint64_t rand_count(struct test_rng *g)
{
	uint64_t pick = test_rng_below(g, 1000);
	unsigned bits = pick < 800 ? 10 : pick < 995 ? 14 : 18;
	unsigned lg = (unsigned)test_rng_below(g, bits + 1);
	return 1 + test_rng_below(g, P2MK_BIT(lg));
}

static uint64_t rand_first(struct test_rng *g)
{
	/* half uniform, half near an aligned boundary */
	if (test_rng_below(g, 2))
		return test_rng_below(g, P2MK_BIT(36));
	unsigned a = (unsigned)test_rng_below(g, 31);
	uint64_t base = (1 + test_rng_below(g, 64)) << a;
	uint64_t off = test_rng_below(g, 9);
	return test_rng_below(g, 2) || off > base ? base + off : base - off;
}

static void rand_costs(struct test_rng *g, struct p2mk_iommu_caps *c)
{
	switch (test_rng_below(g, 4)) {
	case 0: /* descriptors only */
		c->cost_desc = 1, c->cost_extra_page = 0;
		c->cost_domain = 1 + (uint32_t)test_rng_below(g, 4);
		break;
	case 1: /* exact cover: extra pages prohibitive */
		c->cost_desc = 1, c->cost_extra_page = 1u << 20;
		c->cost_domain = UINT32_MAX;
		break;
	default:
		c->cost_desc = 1 + (uint32_t)test_rng_below(g, 200);
		c->cost_extra_page = (uint32_t)test_rng_below(g, 8);
		c->cost_domain = 1 + (uint32_t)test_rng_below(g, 20000);
	}
}

static void min_equals_brute_force_on_random_ranges(void **state)
{
	(void)state;
	struct test_rng g = {test_seed(20261202)};
	const struct p2mk_iommu_caps cfg[] = {vtd(true, 0),   vtd(true, 6),
	                                      vtd(true, 9),   vtd(true, 18),
	                                      vtd(false, 18), amd()};
	const size_t ncfg = sizeof(cfg) / sizeof(cfg[0]);
	struct tally t[6];
	memset(t, 0, sizeof(t));
	for (uint64_t it = 0; it < 102000; it++) {
		size_t k = it % ncfg;
		struct p2mk_iommu_caps c = cfg[k];
		rand_costs(&g, &c);
		struct p2mk_inv_range r = {p2mk_gfn(rand_first(&g)),
		                           rand_count(&g)};
		check_min(&c, &r, 1, &t[k]);
	}
	uint64_t total = 0;
	for (size_t k = 0; k < ncfg; k++) {
		total += t[k].cases;
		fprintf(stderr,
		        "config %zu: %llu ranges, %llu page-selective, "
		        "%llu domain\n",
		        k, (unsigned long long)t[k].cases,
		        (unsigned long long)t[k].page,
		        (unsigned long long)t[k].domain);
		assert_true(t[k].domain > 0);
		if (k != 4)
			assert_true(t[k].page > 0);
	}
	assert_true(total >= 100000);
}

static void min_equals_brute_force_on_range_sets(void **state)
{
	(void)state;
	struct test_rng g = {test_seed(7)};
	const struct p2mk_iommu_caps cfg[] = {vtd(true, 0), vtd(true, 3),
	                                      vtd(true, 9), amd()};
	struct tally t = {0, 0, 0};
	for (unsigned it = 0; it < 20000; it++) {
		struct p2mk_iommu_caps c = cfg[it % 4];
		rand_costs(&g, &c);
		struct p2mk_inv_range r[5];
		size_t n = 1 + test_rng_below(&g, 5);
		uint64_t p = test_rng_below(&g, 4096);
		for (size_t i = 0; i < n; i++) {
			r[i].first = p2mk_gfn(p);
			r[i].count = 1 + test_rng_below(&g, 40);
			p += r[i].count + 1 + test_rng_below(&g, 60);
		}
		check_min(&c, r, n, &t);
	}
	assert_true(t.page > 0 && t.domain > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(vtd_am_table_decodes_as_spec),
	    cmocka_unit_test(amdvi_size_table_decodes_as_spec),
	    cmocka_unit_test(linux_vtd_rule_follows_spec_steps),
	    cmocka_unit_test(linux_vtd_aligned_pages_slow_path_regression),
	    cmocka_unit_test(linux_amd_off_by_one_regression),
	    cmocka_unit_test(xen_rules_follow_xen_12_5),
	    cmocka_unit_test(build_rejects_bad_ranges),
	    cmocka_unit_test(min_equals_brute_force_on_random_ranges),
	    cmocka_unit_test(min_equals_brute_force_on_range_sets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
