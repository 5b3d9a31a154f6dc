// SPDX-License-Identifier: BSD-2-Clause
/*
 * physmap: exact counts of populate, relocation (per page, Xen's 16-page
 * batches, one flush point), MMIO mapping by era and the VFIO/KVM path,
 * with the safety checker on.
 */
#include "test_physmap_env.h"
#include "test_iommu_oracle.h"

#include <stdio.h>

#define GIB_PAGES (UINT64_C(1) << 18)

static void populate_maps_blocks_and_flushes_nothing_new(void **state)
{
	(void)state;
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
	struct env e;
	env_setup(&e, ENV_SEPARATE, &ic, 1 << 16, 0);
	struct p2mk_physmap_counts c = {0};
	assert_int_equal(
	    p2mk_physmap_populate(&e.pm, p2mk_gfn(0x200), 2048, 9, &c),
	    P2MK_OK);
	assert_int_equal(c.p2m_entries, 4);
	assert_int_equal(c.iommu_entries, 4);
	assert_int_equal(c.pages_done, 2048);
	assert_int_equal(c.hypercalls, 1);
	assert_int_equal(c.flush_points, 4);
	/* new entries without caching mode need no invalidation */
	assert_int_equal(c.flushes, 0);
	assert_int_equal(c.descs, 0);
	assert_int_equal(e.io.stats.violations, 0);
	env_teardown(&e);
}

static void caching_mode_flushes_new_mappings(void **state)
{
	(void)state;
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
	ic.caps.cm = true;
	struct env e;
	env_setup(&e, ENV_SHARED, &ic, 1 << 16, 0);
	struct p2mk_physmap_counts c = {0};
	assert_int_equal(p2mk_physmap_populate(&e.pm, p2mk_gfn(0), 1024, 9, &c),
	                 P2MK_OK);
	assert_int_equal(c.flushes, 2);
	assert_int_equal(c.descs, 2); /* one AM 9 PSI per block */
	assert_int_equal(e.io.stats.violations, 0);
	env_teardown(&e);
}

/* Populate @n pages at @gfn as 2 MiB blocks. */
static void ram(struct env *e, uint64_t gfn, uint64_t n)
{
	struct p2mk_physmap_counts c = {0};
	assert_int_equal(p2mk_physmap_populate(&e->pm, p2mk_gfn(gfn), n, 9, &c),
	                 P2MK_OK);
}

static void check_moved(struct env *e, uint64_t src, uint64_t dst, uint64_t n,
                        const uint64_t *mfn)
{
	for (uint64_t i = 0; i < n; i++) {
		struct p2mk_p2m_entry en;
		assert_int_equal(p2mk_p2m_get(&e->p2m, p2mk_gfn(dst + i), &en),
		                 P2MK_OK);
		assert_int_equal(en.mfn.v, mfn[i]);
		p2mk_mfn_t m;
		unsigned perm;
		bool stale;
		assert_int_equal(p2mk_iommu_translate(&e->io, p2mk_gfn(dst + i),
		                                      &m, &perm, &stale),
		                 P2MK_OK);
		assert_int_equal(m.v, mfn[i]);
	}
	(void)src;
}

static void relocate_one_gib(enum env_kind kind, enum p2mk_reloc_batch b,
                             struct p2mk_physmap_counts *c,
                             struct p2mk_iommu_stats *st)
{
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
	struct env e;
	env_setup(&e, kind, &ic, 2 * GIB_PAGES, 0);
	/* RAM in a grown PCI hole [3 GiB, 4 GiB) goes above 4 GiB */
	uint64_t src = 3 * GIB_PAGES, dst = 4 * GIB_PAGES;
	ram(&e, src, GIB_PAGES);
	memset(c, 0, sizeof(*c));
	assert_int_equal(p2mk_physmap_relocate(&e.pm, p2mk_gfn(src),
	                                       p2mk_gfn(dst), GIB_PAGES, b, c),
	                 P2MK_OK);
	assert_int_equal(c->pages_done, GIB_PAGES);
	assert_int_equal(p2mk_iommu_audit(&e.io, true), 0);
	*st = p2mk_iommu_get_stats(&e.io);
	env_teardown(&e);
}

static void relocating_1g_per_page_flushes_262144_times(void **state)
{
	(void)state;
	struct p2mk_physmap_counts c;
	struct p2mk_iommu_stats st;
	relocate_one_gib(ENV_SHARED, P2MK_RELOC_PER_PAGE, &c, &st);
	assert_int_equal(c.flushes, GIB_PAGES);
	assert_int_equal(c.hypercalls, GIB_PAGES);
	assert_int_equal(c.continuations, 0);
	assert_int_equal(st.violations, 0);
}

static void relocating_1g_in_xen16_batches_flushes_32768_times(void **state)
{
	(void)state;
	struct p2mk_physmap_counts c;
	struct p2mk_iommu_stats st;
	relocate_one_gib(ENV_SEPARATE, P2MK_RELOC_XEN16, &c, &st);
	assert_int_equal(c.flushes, 32768);
	assert_int_equal(c.flush_points, 32768);
	assert_int_equal(c.hypercalls, 1);
	assert_int_equal(c.continuations, 16383);
	/* 16-aligned batches: one AM 4 PSI each */
	assert_int_equal(c.descs, 32768);
	assert_int_equal(st.violations, 0);
}

static void relocating_1g_whole_is_one_minimal_flush(void **state)
{
	(void)state;
	struct p2mk_physmap_counts c;
	struct p2mk_iommu_stats st;
	relocate_one_gib(ENV_SHARED, P2MK_RELOC_WHOLE, &c, &st);
	assert_int_equal(c.flushes, 1);
	assert_int_equal(c.flush_points, 1);
	struct p2mk_iommu_caps caps = env_vtd(P2MK_IOMMU_STRICT, 9).caps;
	/* only the source needs invalidating: the destination's entries are
	 * new and, without caching mode, never cached */
	struct p2mk_inv_range r = {p2mk_gfn(3 * GIB_PAGES), GIB_PAGES};
	bool dom;
	struct best want = oracle_min(&caps, &r, 1, &dom);
	assert_false(dom);
	assert_int_equal(c.descs, want.descs);
	fprintf(stderr, "whole 1 GiB: %llu descriptors (brute force %llu)\n",
	        (unsigned long long)c.descs, (unsigned long long)want.descs);
	assert_int_equal(st.violations, 0);
}

static void overlapping_relocation_moves_each_page_once(void **state)
{
	(void)state;
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
	for (int dir = 0; dir < 2; dir++) {
		struct env e;
		env_setup(&e, ENV_SEPARATE, &ic, 1 << 16, 0);
		ram(&e, 0x1000, 1024);
		uint64_t src = 0x1000 + 100, n = 300;
		uint64_t dst = dir ? src + 37 : src - 37;
		uint64_t mfn[300];
		for (uint64_t i = 0; i < n; i++) {
			struct p2mk_p2m_entry en;
			assert_int_equal(
			    p2mk_p2m_get(&e.p2m, p2mk_gfn(src + i), &en),
			    P2MK_OK);
			mfn[i] = en.mfn.v;
		}
		uint64_t freed = e.fr.freed;
		struct p2mk_physmap_counts c = {0};
		assert_int_equal(p2mk_physmap_relocate(&e.pm, p2mk_gfn(src),
		                                       p2mk_gfn(dst), n,
		                                       P2MK_RELOC_XEN16, &c),
		                 P2MK_OK);
		check_moved(&e, src, dst, n, mfn);
		/* only the 37 pages the destination displaced were freed */
		assert_int_equal(e.fr.freed - freed, 37);
		assert_int_equal(p2mk_iommu_audit(&e.io, true), 0);
		env_teardown(&e);
	}
}

static void bar_32g_leaf_counts_by_era(void **state)
{
	(void)state;
	const uint64_t bar = UINT64_C(32) << 18; /* 32 GiB in pages */
	static const struct {
		enum env_kind kind;
		enum p2mk_mmio_era era;
		uint64_t p2m_entries, hypercalls;
	} t[] = {
	    {ENV_SHARED, P2MK_MMIO_XEN_2018, 16384, 256},
	    {ENV_SEPARATE, P2MK_MMIO_XEN_2018, 16384, 256},
	    {ENV_SHARED, P2MK_MMIO_1G, 32, 1},
	    {ENV_SEPARATE, P2MK_MMIO_1G, 32, 1},
	};
	for (unsigned i = 0; i < 4; i++) {
		struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
		struct env e;
		env_setup(&e, t[i].kind, &ic, GIB_PAGES, bar);
		struct p2mk_physmap_counts c = {0};
		assert_int_equal(p2mk_physmap_mmio_map(&e.pm, p2mk_gfn(bar),
		                                       p2mk_mfn(GIB_PAGES), bar,
		                                       t[i].era, &c),
		                 P2MK_OK);
		assert_int_equal(c.p2m_entries, t[i].p2m_entries);
		assert_int_equal(c.hypercalls, t[i].hypercalls);
		assert_int_equal(c.pages_done, bar);
		if (t[i].kind == ENV_SEPARATE)
			assert_int_equal(c.iommu_entries, t[i].p2m_entries);
		assert_int_equal(p2mk_iommu_audit(&e.io, true), 0);
		struct p2mk_physmap_counts u = {0};
		assert_int_equal(p2mk_physmap_mmio_unmap(&e.pm, p2mk_gfn(bar),
		                                         bar, t[i].era, &u),
		                 P2MK_OK);
		assert_int_equal(u.hypercalls, t[i].hypercalls);
		assert_true(u.descs > 0);
		env_teardown(&e);
	}
}

static void mmio_2016_era_uses_4k_without_shared_tables(void **state)
{
	(void)state;
	const uint64_t n = 4096;
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
	struct env e;
	env_setup(&e, ENV_SEPARATE, &ic, 1024, 1 << 20);
	struct p2mk_physmap_counts c = {0};
	assert_int_equal(p2mk_physmap_mmio_map(&e.pm, p2mk_gfn(1 << 20),
	                                       p2mk_mfn(1 << 20), n,
	                                       P2MK_MMIO_XEN_2016, &c),
	                 P2MK_OK);
	assert_int_equal(c.p2m_entries, n);
	assert_int_equal(c.iommu_entries, n);
	assert_int_equal(c.hypercalls, n / 64); /* 64 iterations per call */
	assert_int_equal(c.iterations, n);
	env_teardown(&e);
	env_setup(&e, ENV_SHARED, &ic, 1024, 1 << 20);
	assert_int_equal(p2mk_physmap_mmio_order(&e.pm, p2mk_gfn(1 << 20),
	                                         p2mk_mfn(1 << 20), n,
	                                         P2MK_MMIO_XEN_2016),
	                 9);
	env_teardown(&e);
}

static void mmio_over_ram_zaps_m2p_and_frees_after_flush(void **state)
{
	(void)state;
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 18);
	struct env e;
	env_setup(&e, ENV_SHARED, &ic, 1 << 19, 1 << 18);
	ram(&e, GIB_PAGES, GIB_PAGES);
	uint64_t freed = e.fr.freed;
	struct p2mk_physmap_counts c = {0};
	assert_int_equal(p2mk_physmap_mmio_map(&e.pm, p2mk_gfn(GIB_PAGES),
	                                       p2mk_mfn(1 << 19), GIB_PAGES,
	                                       P2MK_MMIO_1G, &c),
	                 P2MK_OK);
	assert_int_equal(c.m2p_zaps, GIB_PAGES);
	assert_int_equal(c.p2m_entries, 1);
	assert_int_equal(e.fr.freed - freed, GIB_PAGES);
	assert_int_equal(e.io.stats.violations, 0);
	env_teardown(&e);
}

static void vfio_bar_iterations_fall_with_pud_mappings(void **state)
{
	(void)state;
	const uint64_t bar = UINT64_C(2) << 18; /* 2 GiB */
	static const enum p2mk_pfnmap_level lv[] = {
	    P2MK_PFNMAP_PTE, P2MK_PFNMAP_PMD, P2MK_PFNMAP_PUD};
	uint64_t it[3];
	for (unsigned i = 0; i < 3; i++) {
		struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
		struct env e;
		env_setup(&e, ENV_SEPARATE, &ic, 1024, bar);
		struct p2mk_physmap_counts c = {0};
		assert_int_equal(p2mk_physmap_vfio_bar(&e.pm, p2mk_gfn(bar),
		                                       p2mk_mfn(bar), bar,
		                                       lv[i], &c),
		                 P2MK_OK);
		it[i] = c.iterations;
		assert_int_equal(c.p2m_entries, bar >> (unsigned)lv[i]);
		assert_int_equal(c.iommu_entries, 2); /* 1 GiB IOMMU leaves */
		env_teardown(&e);
	}
	/* VFIO pins + KVM faults: 2 per host mapping */
	assert_int_equal(it[0], 2 * bar);
	assert_int_equal(it[0] / it[2], 262144);
	assert_int_equal(it[1], 2 * (bar >> 9));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(populate_maps_blocks_and_flushes_nothing_new),
	    cmocka_unit_test(caching_mode_flushes_new_mappings),
	    cmocka_unit_test(relocating_1g_per_page_flushes_262144_times),
	    cmocka_unit_test(
	        relocating_1g_in_xen16_batches_flushes_32768_times),
	    cmocka_unit_test(relocating_1g_whole_is_one_minimal_flush),
	    cmocka_unit_test(overlapping_relocation_moves_each_page_once),
	    cmocka_unit_test(bar_32g_leaf_counts_by_era),
	    cmocka_unit_test(mmio_2016_era_uses_4k_without_shared_tables),
	    cmocka_unit_test(mmio_over_ram_zaps_m2p_and_frees_after_flush),
	    cmocka_unit_test(vfio_bar_iterations_fall_with_pud_mappings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
