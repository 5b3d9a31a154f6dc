// SPDX-License-Identifier: BSD-2-Clause
/*
 * The IOMMU domain: deferred release in strict and lazy modes, the flush
 * queue's size and age limits, the safety checker catching the unsafe
 * mode and an encoder that invalidates too little, caching mode, the
 * model IOTLB's memory as ranges, sharing rules, and allocation failure
 * at every allocation point.
 */
#include "test_physmap_env.h"

#include <stdio.h>

struct idom {
	struct test_alloc alloc;
	struct frames fr;
	struct p2mk_iommu io;
};

static void idom_setup(struct idom *d, const struct p2mk_iommu_config *ic)
{
	memset(d, 0, sizeof(*d));
	test_alloc_init(&d->alloc);
	fr_init(&d->fr, 1 << 16, 0);
	struct p2mk_iommu_owner own = {fr_free, fr_owned, &d->fr};
	const struct p2mk_pt_fmt *fmt = ic->caps.hw == P2MK_IOMMU_VTD
	                                    ? &p2mk_pt_fmt_vtd_sl4
	                                    : &p2mk_pt_fmt_amdv1_l4;
	assert_int_equal(
	    p2mk_iommu_init_separate(&d->io, ic, fmt, &d->alloc.ops, &own),
	    P2MK_OK);
}

static void idom_teardown(struct idom *d)
{
	p2mk_iommu_destroy(&d->io);
	assert_int_equal(d->alloc.live, 0);
	fr_fini(&d->fr);
}

/* Map @n fresh frames at @gfn; returns the first frame. */
static uint64_t map_fresh(struct idom *d, uint64_t gfn, uint64_t n)
{
	p2mk_mfn_t m = p2mk_mfn(0);
	assert_true(fr_alloc(&d->fr, n, &m));
	assert_int_equal(p2mk_iommu_map(&d->io, p2mk_gfn(gfn), m, n,
	                                P2MK_PT_R | P2MK_PT_W, 18),
	                 P2MK_OK);
	p2mk_iommu_flush_point(&d->io);
	return m.v;
}

static void strict_frees_frames_and_tables_only_after_the_flush(void **state)
{
	(void)state;
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
	struct idom d;
	idom_setup(&d, &ic);
	/* 4 KiB leaves: the four leaf tables go with the unmap */
	p2mk_mfn_t mf = p2mk_mfn(0);
	assert_true(fr_alloc(&d.fr, 2048, &mf));
	uint64_t m = mf.v;
	assert_int_equal(p2mk_iommu_map(&d.io, p2mk_gfn(0x10000), mf, 2048,
	                                P2MK_PT_R | P2MK_PT_W, 0),
	                 P2MK_OK);
	p2mk_iommu_flush_point(&d.io);
	uint64_t tables = d.io.own.stats.table_pages;
	assert_int_equal(p2mk_iommu_unmap(&d.io, p2mk_gfn(0x10000), 2048),
	                 P2MK_OK);
	p2mk_iommu_release_frames(&d.io, p2mk_mfn(m), 2048);
	/* unmapped, not yet flushed: nothing went back */
	assert_int_equal(d.fr.freed, 0);
	assert_int_equal(d.io.stats.tables_freed, 0);
	assert_true(d.io.own.stats.table_pages < tables);
	bool stale;
	p2mk_mfn_t got;
	unsigned perm;
	assert_int_equal(
	    p2mk_iommu_translate(&d.io, p2mk_gfn(0x10000), &got, &perm, &stale),
	    P2MK_OK);
	assert_true(stale); /* a device may still use the old entry */
	assert_int_equal(p2mk_iommu_flush_point(&d.io), 1);
	assert_int_equal(d.fr.freed, 2048);
	assert_true(d.io.stats.tables_freed > 0);
	assert_int_equal(d.io.stats.violations, 0);
	/* IH = 0 was needed (tables went): one AM 9 PSI per 2 MiB */
	assert_int_equal(d.io.stats.descs, 4);
	idom_teardown(&d);
}

static void lazy_queue_flushes_at_size_and_age(void **state)
{
	(void)state;
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_LAZY, 9);
	ic.fq_size = 4;
	ic.fq_timeout = 10;
	struct idom d;
	idom_setup(&d, &ic);
	uint64_t m = map_fresh(&d, 0, 64);
	for (unsigned i = 0; i < 3; i++) {
		p2mk_iommu_unmap(&d.io, p2mk_gfn(i), 1);
		p2mk_iommu_release_frames(&d.io, p2mk_mfn(m + i), 1);
		assert_int_equal(p2mk_iommu_flush_point(&d.io), 0);
	}
	assert_int_equal(d.fr.freed, 0); /* they ride in the queue */
	p2mk_iommu_unmap(&d.io, p2mk_gfn(3), 1);
	assert_int_equal(p2mk_iommu_flush_point(&d.io), 1); /* 4th: full */
	assert_int_equal(d.io.stats.fq_full, 1);
	assert_int_equal(d.fr.freed, 3);
	/* age: one entry, then time passes */
	p2mk_iommu_advance(&d.io, 100);
	p2mk_iommu_unmap(&d.io, p2mk_gfn(4), 1);
	p2mk_iommu_flush_point(&d.io);
	p2mk_iommu_advance(&d.io, 105);
	assert_int_equal(d.io.stats.fq_aged, 0);
	p2mk_iommu_advance(&d.io, 110);
	assert_int_equal(d.io.stats.fq_aged, 1);
	assert_int_equal(d.io.stats.violations, 0);
	idom_teardown(&d);
}

static void unsafe_mode_is_caught(void **state)
{
	(void)state;
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_UNSAFE, 9);
	struct idom d;
	idom_setup(&d, &ic);
	uint64_t m = map_fresh(&d, 0x400, 8);
	p2mk_iommu_unmap(&d.io, p2mk_gfn(0x400), 8);
	p2mk_iommu_release_frames(&d.io, p2mk_mfn(m), 8);
	assert_true(d.io.stats.violations > 0);
	assert_string_equal(d.io.stats.first_violation,
	                    "frame freed while the IOTLB may reach it");
	idom_teardown(&d);
}

static void encoder_that_invalidates_too_little_is_caught(void **state)
{
	(void)state;
	/* 268aa4548277's AMD off-by-one names 8 KiB for 8 pages at 0 */
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
	ic.caps.hw = P2MK_IOMMU_AMDVI;
	ic.rule = P2MK_INV_LINUX_OLD;
	struct idom d;
	idom_setup(&d, &ic);
	uint64_t m = map_fresh(&d, 0, 8);
	p2mk_iommu_unmap(&d.io, p2mk_gfn(0), 8);
	p2mk_iommu_release_frames(&d.io, p2mk_mfn(m), 8);
	p2mk_iommu_flush_point(&d.io);
	assert_string_equal(d.io.stats.first_violation,
	                    "flush left a stale translation");
	/* and the frames the stale entry reaches were not given back */
	assert_true(d.fr.freed < 8);
	idom_teardown(&d);
	ic.rule = P2MK_INV_LINUX;
	idom_setup(&d, &ic);
	m = map_fresh(&d, 0, 8);
	p2mk_iommu_unmap(&d.io, p2mk_gfn(0), 8);
	p2mk_iommu_release_frames(&d.io, p2mk_mfn(m), 8);
	p2mk_iommu_flush_point(&d.io);
	assert_int_equal(d.io.stats.violations, 0);
	assert_int_equal(d.fr.freed, 8);
	idom_teardown(&d);
}

static void caching_mode_needs_flush_after_map(void **state)
{
	(void)state;
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
	struct idom d;
	idom_setup(&d, &ic);
	map_fresh(&d, 0, 16);
	assert_int_equal(d.io.stats.flushes, 0);
	assert_int_equal(d.io.stats.skipped, 0);
	idom_teardown(&d);
	ic.caps.cm = true;
	idom_setup(&d, &ic);
	map_fresh(&d, 0, 16);
	assert_int_equal(d.io.stats.flushes, 1);
	assert_int_equal(d.io.stats.descs, 1); /* AM 4 at 0 */
	assert_int_equal(d.io.stats.violations, 0);
	idom_teardown(&d);
}

static void iotlb_model_stores_ranges(void **state)
{
	(void)state;
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_LAZY, 9);
	ic.fq_size = 1u << 30;
	ic.check = false;
	struct idom d;
	idom_setup(&d, &ic);
	/* a million contiguous pages: one record */
	const uint64_t n = UINT64_C(1) << 20;
	assert_int_equal(
	    p2mk_iommu_map(&d.io, p2mk_gfn(0), p2mk_mfn(0), n, P2MK_PT_R, 18),
	    P2MK_OK);
	assert_int_equal(p2mk_iommu_unmap(&d.io, p2mk_gfn(0), n), P2MK_OK);
	assert_int_equal(d.io.stale.n, 1);
	assert_int_equal(d.io.stats.captured, n);
	p2mk_iommu_flush(&d.io);
	/* 4096 scattered runs: one 32-byte record each, in whole pages */
	for (uint64_t i = 0; i < 4096; i++)
		p2mk_iommu_map(&d.io, p2mk_gfn(i * 2), p2mk_mfn(i * 7), 1,
		               P2MK_PT_R, 0);
	for (uint64_t i = 0; i < 4096; i++)
		p2mk_iommu_unmap(&d.io, p2mk_gfn(i * 2), 1);
	assert_int_equal(d.io.stale.n, 4096);
	assert_true(d.io.stale.pages * P2MK_PAGE_SIZE <= UINT64_C(4096) * 33);
	idom_teardown(&d);
}

static void shared_tables_only_for_ept_with_its_page_sizes(void **state)
{
	(void)state;
	struct test_alloc a;
	test_alloc_init(&a);
	struct p2mk_pt pt;
	assert_int_equal(p2mk_pt_init(&pt, &p2mk_pt_fmt_ept4, &a.ops, NULL),
	                 P2MK_OK);
	struct p2mk_iommu io;
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
	/* VT-d without 1 GiB second-stage pages cannot walk this EPT */
	assert_int_equal(
	    p2mk_iommu_init_shared(&io, &ic, &pt, 0x3, &a.ops, NULL),
	    P2MK_ERR_UNSUPPORTED);
	ic.caps.hw = P2MK_IOMMU_AMDVI;
	assert_int_equal(
	    p2mk_iommu_init_shared(&io, &ic, &pt, 0x7, &a.ops, NULL),
	    P2MK_ERR_UNSUPPORTED);
	ic.caps.hw = P2MK_IOMMU_VTD;
	assert_int_equal(
	    p2mk_iommu_init_shared(&io, &ic, &pt, 0x7, &a.ops, NULL), P2MK_OK);
	p2mk_iommu_destroy(&io);
	p2mk_pt_destroy(&pt);
	struct p2mk_pt npt;
	assert_int_equal(p2mk_pt_init(&npt, &p2mk_pt_fmt_npt, &a.ops, NULL),
	                 P2MK_OK);
	assert_int_equal(
	    p2mk_iommu_init_shared(&io, &ic, &npt, 0x7, &a.ops, NULL),
	    P2MK_ERR_UNSUPPORTED);
	p2mk_pt_destroy(&npt);
	assert_int_equal(a.live, 0);
}

/* Every translation of [0, n) and the model's counts, for comparison. */
static void snapshot(const struct p2mk_iommu *io, uint64_t n, uint64_t *out)
{
	for (uint64_t i = 0; i < n; i++) {
		p2mk_mfn_t m;
		unsigned perm;
		bool stale;
		enum p2mk_err e =
		    p2mk_iommu_translate(io, p2mk_gfn(i), &m, &perm, &stale);
		out[i] = e == P2MK_OK ? (m.v << 4 | perm << 1 | stale) : ~0ull;
	}
	out[n] = io->stale.n;
	out[n + 1] = io->g.n;
}

static void allocation_failure_anywhere_changes_nothing(void **state)
{
	(void)state;
	enum { N = 2048 };
	static uint64_t before[N + 2], after[N + 2];
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_LAZY, 9);
	ic.caps.cm = true;
	unsigned failures = 0;
	for (unsigned op = 0; op < 3; op++) {
		for (uint64_t k = 1;; k++) {
			struct idom d;
			idom_setup(&d, &ic);
			map_fresh(&d, 0, 1024); /* a 2 MiB and more */
			for (uint64_t i = 0; i < 200; i++)
				p2mk_iommu_map(&d.io, p2mk_gfn(1024 + 3 * i),
				               p2mk_mfn(9000 + 5 * i), 1,
				               P2MK_PT_R, 0);
			snapshot(&d.io, N, before);
			test_alloc_fail_at(&d.alloc, k);
			enum p2mk_err e;
			if (op == 0) /* split a 2 MiB leaf, capture it */
				e = p2mk_iommu_unmap(&d.io, p2mk_gfn(7), 3);
			else if (op == 1) /* many scattered records + tables */
				e = p2mk_iommu_map(&d.io, p2mk_gfn(1000),
				                   p2mk_mfn(1), 1000, P2MK_PT_W,
				                   0);
			else
				e = p2mk_iommu_capture(&d.io, p2mk_gfn(0), N);
			test_alloc_fail_at(&d.alloc, 0);
			bool hit = e == P2MK_ERR_NOMEM;
			if (hit) {
				snapshot(&d.io, N, after);
				assert_memory_equal(before, after,
				                    sizeof(before));
				failures++;
			} else {
				assert_int_equal(e, P2MK_OK);
			}
			idom_teardown(&d);
			if (!hit)
				break;
		}
	}
	fprintf(stderr, "%u allocation points failed cleanly\n", failures);
	assert_true(failures >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        strict_frees_frames_and_tables_only_after_the_flush),
	    cmocka_unit_test(lazy_queue_flushes_at_size_and_age),
	    cmocka_unit_test(unsafe_mode_is_caught),
	    cmocka_unit_test(encoder_that_invalidates_too_little_is_caught),
	    cmocka_unit_test(caching_mode_needs_flush_after_map),
	    cmocka_unit_test(iotlb_model_stores_ranges),
	    cmocka_unit_test(shared_tables_only_for_ept_with_its_page_sizes),
	    cmocka_unit_test(allocation_failure_anywhere_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
