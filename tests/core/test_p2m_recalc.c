// SPDX-License-Identifier: BSD-2-Clause
/*
 * Lazy recalculation (xen §8, §9): the three strategies on random domains
 * and random MTRR/pin changes must leave identical tables once every exit
 * is resolved, and agree with the oracle (every leaf recomputed from
 * scratch, p2mk_p2m_audit); EXACT takes no exit and rewrites only what
 * changes; XEN takes one exit per touched leaf table or superpage after
 * every change.  Also prints the figures of a representative scenario.
 */
#include "test_p2m_env.h"

#include <inttypes.h>
#include <stdio.h>

static struct test_alloc ta[3];

/* ---- the representative scenario ------------------------------------- */

/*
 * An HVM guest with the IOMMU on and one device assigned: 3.75 GiB of RAM
 * below the MMIO hole (the first 2 MiB as 4K pages, the rest as 2M
 * pages), 1 GiB above 4 GiB as one 1G page, a 16 MiB passthrough BAR at
 * 0xf0000000.  Memory is populated before hvmloader enables the MTRRs, as
 * in Xen, so every RAM entry starts UC (guest MTRRs off, xen §6 row 7).
 * hvmloader's final MTRRdefType write triggers memory_type_changed (xen
 * §3); then the guest touches every 4K page once.
 */
static void build_scenario(struct p2mk_p2m *p, struct test_alloc *a,
                           unsigned strategy)
{
	test_alloc_init(a);
	struct p2mk_p2m_config c = cfg_ept(true);
	assert_int_equal(
	    p2mk_p2m_init(p, &c, &p2mk_policy_xen_ept, strategy, &a->ops),
	    P2MK_OK);
	assert_int_equal(p2mk_p2m_assign_device(p), P2MK_OK);
	for (uint64_t g = 0; g < 512; g++)
		assert_int_equal(p2mk_p2m_set(p, p2mk_gfn(g), p2mk_mfn(g), 0,
		                              P2MK_P2M_RAM_RW),
		                 P2MK_OK);
	for (uint64_t g = 512; g < 0xf0000; g += 512)
		assert_int_equal(p2mk_p2m_set(p, p2mk_gfn(g), p2mk_mfn(g), 9,
		                              P2MK_P2M_RAM_RW),
		                 P2MK_OK);
	for (uint64_t g = 0xf0000; g < 0xf1000; g += 512)
		assert_int_equal(p2mk_p2m_set(p, p2mk_gfn(g),
		                              p2mk_mfn(g + 0x100000), 9,
		                              P2MK_P2M_MMIO_DIRECT),
		                 P2MK_OK);
	assert_int_equal(p2mk_p2m_set(p, p2mk_gfn(0x100000), p2mk_mfn(0x140000),
	                              18, P2MK_P2M_RAM_RW),
	                 P2MK_OK);
}

/* Touch every mapped 4K page once. */
static uint64_t touch_all(struct p2mk_p2m *p)
{
	uint64_t touched = 0;
	const uint64_t ranges[2][2] = {{0, 0xf1000}, {0x100000, 0x140000}};
	for (int r = 0; r < 2; r++) {
		for (uint64_t g = ranges[r][0]; g < ranges[r][1]; g++) {
			bool ex;
			assert_int_equal(p2mk_p2m_touch(p, p2mk_gfn(g), 0, &ex),
			                 P2MK_OK);
			touched++;
		}
	}
	return touched;
}

static void print_delta(const char *what, unsigned strategy,
                        const struct p2mk_p2m_stats *a,
                        const struct p2mk_p2m_stats *b)
{
	printf("%-6s %-22s exits %6" PRIu64 "  recomputed %6" PRIu64
	       "  changed %6" PRIu64 "  rewritten %6" PRIu64
	       "  splits %3" PRIu64 "  marked %4" PRIu64
	       "  special-checks %8" PRIu64 "\n",
	       p2mk_recalc_name(strategy), what, b->exits - a->exits,
	       b->recomputed - a->recomputed, b->changed - a->changed,
	       b->rewritten - a->rewritten, b->splits - a->splits,
	       b->marked - a->marked, b->special_checks - a->special_checks);
}

static void audit_clean(const struct p2mk_p2m *p)
{
	uint64_t pend, stale;
	p2mk_p2m_audit(p, &pend, &stale);
	assert_int_equal(pend, 0);
	assert_int_equal(stale, 0);
}

/*
 * Returns the stats after hvmloader (in @hv) and after a WC pin of one
 * 2 MiB page (in @pin), each followed by one access to every page.
 */
static void run_scenario(unsigned strategy, struct p2mk_p2m_stats *hv,
                         struct p2mk_p2m_stats *pin)
{
	struct p2mk_p2m p;
	build_scenario(&p, &ta[0], strategy);
	struct p2mk_p2m_stats s0 = p2mk_p2m_get_stats(&p);
	hvmloader_mtrrs(&p, 0, 0xf0000000);
	(void)touch_all(&p);
	struct p2mk_p2m_stats s1 = p2mk_p2m_get_stats(&p);
	audit_clean(&p);
	print_delta("hvmloader MTRRs", strategy, &s0, &s1);
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x10000), 0x200, P2MK_MT_WC),
	                 P2MK_OK);
	(void)touch_all(&p);
	struct p2mk_p2m_stats s2 = p2mk_p2m_get_stats(&p);
	audit_clean(&p);
	print_delta("WC pin of one 2M page", strategy, &s1, &s2);
	*hv = s1;
	hv->exits -= s0.exits;
	hv->changed -= s0.changed;
	hv->rewritten -= s0.rewritten;
	*pin = s2;
	pin->exits -= s1.exits;
	pin->changed -= s1.changed;
	pin->rewritten -= s1.rewritten;
	p2mk_p2m_destroy(&p);
	assert_int_equal(ta[0].live, 0);
}

static void representative_scenario(void **state)
{
	(void)state;
	printf("scenario: 3.75 GiB + 1 GiB HVM guest, IOMMU + 1 device, "
	       "xen-ept policy; populated before hvmloader; each change "
	       "followed by one access to every 4K page (1249280)\n");
	struct p2mk_p2m_stats hv[3], pin[3];
	for (unsigned s = 0; s < 3; s++)
		run_scenario(s, &hv[s], &pin[s]);
	/* One exit per 2M page (1919 RAM + 8 BAR), the 1G page and the 4K
	 * leaf table, after any change, for xen. */
	assert_int_equal(hv[P2MK_RECALC_XEN].exits, 1929);
	assert_int_equal(pin[P2MK_RECALC_XEN].exits, 1929);
	/* range: only the pinned page exits; exact: never. */
	assert_int_equal(pin[P2MK_RECALC_RANGE].exits, 1);
	assert_int_equal(hv[P2MK_RECALC_EXACT].exits, 0);
	assert_int_equal(pin[P2MK_RECALC_EXACT].exits, 0);
	assert_int_equal(hv[P2MK_RECALC_EXACT].rewritten,
	                 hv[P2MK_RECALC_EXACT].changed);
	assert_int_equal(pin[P2MK_RECALC_EXACT].rewritten, 1);
	assert_int_equal(pin[P2MK_RECALC_EXACT].changed, 1);
}

/* ---- one exit per touched leaf table --------------------------------- */

static void one_exit_per_leaf_table(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	build_scenario(&p, &ta[0], P2MK_RECALC_XEN);
	hvmloader_mtrrs(&p, 0, 0xf0000000);
	assert_int_equal(p2mk_p2m_resolve_all(&p, 0), P2MK_OK);
	/* Any later change marks the root; then every leaf table or
	 * superpage touched costs exactly one exit, and a second touch in
	 * the same one none. */
	for (int round = 0; round < 3; round++) {
		if (round == 0)
			wr(&p, 0, P2MK_MSR_MTRR_DEF_TYPE,
			   P2MK_MTRR_DEF_E | P2MK_MTRR_DEF_FE | P2MK_MT_WT);
		else if (round == 1)
			assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x200),
			                              0x200, P2MK_MT_WC),
			                 P2MK_OK);
		else
			wr(&p, 0, P2MK_MSR_MTRR_PHYSBASE0 + 2,
			   0x80000000 | P2MK_MT_WP);
		uint64_t units = 0, before = p2mk_p2m_get_stats(&p).exits;
		/* 4K leaf tables at gfn 0 and 0x200 (after the pin split)
		 * and a sample of 2M superpages and the 1G page. */
		const uint64_t sample[] = {0x10,    0x200,   0x1000,  0x80000,
		                           0xe0000, 0xf0000, 0x100000};
		for (size_t i = 0; i < sizeof(sample) / sizeof(sample[0]);
		     i++) {
			bool ex;
			assert_int_equal(
			    p2mk_p2m_touch(&p, p2mk_gfn(sample[i]), 0, &ex),
			    P2MK_OK);
			if (!ex)
				fail_msg("round %d: no exit at %" PRIx64, round,
				         sample[i]);
			units++;
			assert_int_equal(
			    p2mk_p2m_touch(&p, p2mk_gfn(sample[i] + 1), 0, &ex),
			    P2MK_OK);
			if (ex)
				fail_msg("round %d sample %" PRIx64, round,
				         sample[i]);
		}
		assert_int_equal(p2mk_p2m_get_stats(&p).exits - before, units);
		assert_int_equal(p2mk_p2m_resolve_all(&p, 0), P2MK_OK);
	}
	p2mk_p2m_destroy(&p);
	assert_int_equal(ta[0].live, 0);
}

/* ---- random domains and changes -------------------------------------- */

static const unsigned mtrr_types[5] = {P2MK_MT_UC, P2MK_MT_WC, P2MK_MT_WT,
                                       P2MK_MT_WP, P2MK_MT_WB};

static uint64_t rnd_type(struct test_rng *r)
{
	return mtrr_types[test_rng_below(r, 5)];
}

/* One random memory-type change, applied identically to all domains. */
static void random_change(struct test_rng *r, struct p2mk_p2m *d, int nd)
{
	uint64_t k = test_rng_below(r, 10);
	const uint64_t addr = (UINT64_C(1) << 36) - 1;
	if (k < 4) {
		unsigned n = (unsigned)test_rng_below(r, 8);
		unsigned lg = 12 + (unsigned)test_rng_below(r, 21); /* 4K..4G */
		uint64_t base = (test_rng_below(r, UINT64_C(1) << 33) &
		                 ~((UINT64_C(1) << lg) - 1));
		bool mask = test_rng_below(r, 2);
		uint64_t v =
		    mask ? ((~((UINT64_C(1) << lg) - 1) & addr) |
		            (test_rng_below(r, 8) ? P2MK_MTRR_MASK_V : 0))
		         : base | rnd_type(r);
		for (int i = 0; i < nd; i++)
			wr(&d[i], 0,
			   (mask ? P2MK_MSR_MTRR_PHYSMASK0
			         : P2MK_MSR_MTRR_PHYSBASE0) +
			       2 * n,
			   v);
	} else if (k < 6) {
		uint64_t v = rnd_type(r) |
		             (test_rng_below(r, 5) ? P2MK_MTRR_DEF_E : 0) |
		             (test_rng_below(r, 2) ? P2MK_MTRR_DEF_FE : 0);
		for (int i = 0; i < nd; i++)
			wr(&d[i], 0, P2MK_MSR_MTRR_DEF_TYPE, v);
	} else if (k < 8) {
		uint32_t msr = test_rng_below(r, 3) == 0
		                   ? P2MK_MSR_MTRR_FIX64K_00000
		                   : P2MK_MSR_MTRR_FIX4K_C0000 +
		                         (uint32_t)test_rng_below(r, 8);
		uint64_t v = 0;
		for (int b = 0; b < 8; b++)
			v |= rnd_type(r) << (8 * b);
		for (int i = 0; i < nd; i++)
			wr(&d[i], 0, msr, v);
	} else {
		uint64_t s = test_rng_below(r, 0x200000);
		uint64_t e = s + test_rng_below(r, 2048);
		unsigned t = (unsigned)rnd_type(r);
		if (k == 9 && d[0].npinned > 0) {
			struct p2mk_pinned pin = d[0].pinned[0];
			for (int i = 0; i < nd; i++)
				assert_int_equal(
				    p2mk_p2m_unpin(&d[i], pin.gfn, pin.count),
				    P2MK_OK);
			return;
		}
		enum p2mk_err want =
		    p2mk_p2m_pin(&d[0], p2mk_gfn(s), e - s + 1, t);
		for (int i = 1; i < nd; i++)
			assert_int_equal(
			    p2mk_p2m_pin(&d[i], p2mk_gfn(s), e - s + 1, t),
			    want);
	}
}

static void random_layout(struct test_rng *r, struct p2mk_p2m *d, int nd)
{
	static const unsigned types[] = {
	    P2MK_P2M_RAM_RW,       P2MK_P2M_RAM_RW,      P2MK_P2M_RAM_RO,
	    P2MK_P2M_RAM_LOGDIRTY, P2MK_P2M_MMIO_DIRECT, P2MK_P2M_GRANT_RW,
	    P2MK_P2M_FOREIGN};
	for (int i = 0; i < nd; i++) {
		assert_int_equal(p2mk_p2m_assign_device(&d[i]), P2MK_OK);
		assert_int_equal(
		    p2mk_p2m_add_special(&d[i], p2mk_mfn(0x300000), 0x200),
		    P2MK_OK);
		assert_int_equal(
		    p2mk_p2m_add_mmio_ro(&d[i], p2mk_mfn(0x310000), 1),
		    P2MK_OK);
	}
	unsigned nblocks = 8 + (unsigned)test_rng_below(r, 24);
	for (unsigned b = 0; b < nblocks; b++) {
		uint64_t w = test_rng_below(r, 10);
		unsigned order = w < 4 ? 0 : w < 9 ? 9 : 18;
		uint64_t n = UINT64_C(1) << order;
		uint64_t gfn = test_rng_below(r, 0x200000) & ~(n - 1);
		uint64_t mfn;
		unsigned t = types[test_rng_below(r, 7)];
		uint64_t m = test_rng_below(r, 8);
		if (m == 0)
			mfn = 0x300000; /* the special pages */
		else if (m == 1)
			mfn = 0x310000 & ~(n - 1); /* read-only MMIO */
		else
			mfn = gfn + 0x400000;
		/* Populate in runs of 512 4K pages sometimes. */
		unsigned count = (order == 0 && test_rng_below(r, 2)) ? 512 : 1;
		for (unsigned k = 0; k < count; k++) {
			enum p2mk_err want =
			    p2mk_p2m_set(&d[0], p2mk_gfn(gfn + k * n),
			                 p2mk_mfn(mfn + k * n), order, t);
			for (int i = 1; i < nd; i++)
				assert_int_equal(
				    p2mk_p2m_set(&d[i], p2mk_gfn(gfn + k * n),
				                 p2mk_mfn(mfn + k * n), order,
				                 t),
				    want);
		}
	}
}

static void check_converged(struct p2mk_p2m *d, int nd)
{
	struct snap s[3];
	for (int i = 0; i < nd; i++) {
		if (d[i].strategy != P2MK_RECALC_EXACT)
			assert_int_equal(p2mk_p2m_resolve_all(&d[i], 0),
			                 P2MK_OK);
		uint64_t pend, stale;
		p2mk_p2m_audit(&d[i], &pend, &stale);
		assert_int_equal(pend, 0);
		assert_int_equal(stale, 0);
		s[i] = snap_take(&d[i]);
	}
	for (int i = 1; i < nd; i++) {
		if (!snap_equal(&s[0], &s[i])) {
			for (size_t k = 0; k < s[0].n && k < s[i].n; k++) {
				struct snap_leaf *a = &s[0].v[k],
				                 *b = &s[i].v[k];
				if (!leaf_equal(a, b)) {
					printf("leaf %zu: gfn %" PRIx64
					       "/%" PRIx64
					       " o%u/%u mt %u/%u fl %x/%x sw "
					       "%u/%u mfn %" PRIx64 "/%" PRIx64
					       " perm %u/%u\n",
					       k, a->gfn, b->gfn, a->order,
					       b->order, a->mt, b->mt, a->flags,
					       b->flags, a->sw, b->sw, a->mfn,
					       b->mfn, a->perm, b->perm);
					break;
				}
			}
			fail_msg("strategies %s and %s differ (%zu vs %zu "
			         "leaves)",
			         p2mk_recalc_name(d[0].strategy),
			         p2mk_recalc_name(d[i].strategy), s[0].n,
			         s[i].n);
		}
	}
	for (int i = 0; i < nd; i++)
		snap_free(&s[i]);
}

/* XEN after a change it acted on: one exit per touched unit. */
static void check_xen_exits(struct p2mk_p2m *x)
{
	struct snap s = snap_take(x);
	uint64_t before = p2mk_p2m_get_stats(x).exits, units = 0;
	uint64_t last_unit = UINT64_MAX;
	for (size_t i = 0; i < s.n; i++) {
		/* A 4K leaf's unit is its leaf table; a superpage is one. */
		uint64_t unit = s.v[i].order == 0 ? s.v[i].gfn >> 9
		                                  : s.v[i].gfn | (1ull << 63);
		if (unit == last_unit)
			continue;
		last_unit = unit;
		bool ex;
		enum p2mk_err err =
		    p2mk_p2m_touch(x, p2mk_gfn(s.v[i].gfn), 0, &ex);
		assert_int_equal(err, P2MK_OK);
		/* Every leaf table and superpage exits once (xen §9.2). */
		if (!ex)
			fail_msg("no exit at gfn %#" PRIx64 " (order %u)",
			         s.v[i].gfn, s.v[i].order);
		units++;
	}
	assert_true(units >= 1);
	assert_int_equal(p2mk_p2m_get_stats(x).exits - before, units);
	snap_free(&s);
}

static void random_strategies_agree(const struct p2mk_policy *pol,
                                    bool noncoherent, uint64_t seed_base)
{
	uint64_t seed = test_seed(seed_base);
	struct test_rng r = {seed};
	struct p2mk_p2m_stats tot[3] = {{0}};
	for (int round = 0; round < 24; round++) {
		struct p2mk_p2m d[3];
		for (int i = 0; i < 3; i++) {
			test_alloc_init(&ta[i]);
			struct p2mk_p2m_config c =
			    cfg_ept(test_rng_below(&r, 2));
			c.noncoherent_dma = noncoherent;
			assert_int_equal(p2mk_p2m_init(&d[i], &c, pol,
			                               (unsigned)i, &ta[i].ops),
			                 P2MK_OK);
		}
		random_layout(&r, d, 3);
		check_converged(d, 3);
		for (int step = 0; step < 16; step++) {
			uint64_t acted = d[0].stats.resyncs;
			uint64_t exact_exits = d[2].stats.exits;
			random_change(&r, d, 3);
			assert_int_equal(d[2].stats.exits, exact_exits);
			if (d[0].stats.resyncs != acted)
				check_xen_exits(&d[0]);
			check_converged(d, 3);
			assert_int_equal(d[2].stats.exits, 0);
			assert_int_equal(d[2].stats.rewritten,
			                 d[2].stats.changed);
		}
		for (int i = 0; i < 3; i++) {
			tot[i].exits += d[i].stats.exits;
			tot[i].recomputed += d[i].stats.recomputed;
			tot[i].changed += d[i].stats.changed;
			tot[i].splits += d[i].stats.splits;
			tot[i].resyncs += d[i].stats.resyncs;
			p2mk_p2m_destroy(&d[i]);
			assert_int_equal(ta[i].live, 0);
		}
	}
	for (int i = 0; i < 3; i++)
		printf("%s %-5s: resyncs %" PRIu64 " exits %" PRIu64
		       " recomputed %" PRIu64 " changed %" PRIu64
		       " splits %" PRIu64 "\n",
		       pol->name, p2mk_recalc_name((unsigned)i), tot[i].resyncs,
		       tot[i].exits, tot[i].recomputed, tot[i].changed,
		       tot[i].splits);
	assert_true(tot[0].exits > 0 && tot[2].changed > 0);
}

/*
 * Found by the soak (random_xen_ept, P2MK_SEED=1177061349): a 32 MiB UC
 * variable MTRR inside a 1 GiB page types all of it UC (xen §16 defect 3);
 * a pin elsewhere in that page splits it, and EXACT must recompute every
 * child, not only those in the pinned range: the children past it are WC
 * at their own order (default type WC).
 */
static void exact_recomputes_every_child_of_a_split(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	test_alloc_init(&ta[0]);
	struct p2mk_p2m_config c = cfg_ept(true);
	assert_int_equal(p2mk_p2m_init(&p, &c, &p2mk_policy_xen_ept,
	                               P2MK_RECALC_EXACT, &ta[0].ops),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_assign_device(&p), P2MK_OK);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x80000), p2mk_mfn(0x80000),
	                              18, P2MK_P2M_RAM_RW),
	                 P2MK_OK);
	wr(&p, 0, P2MK_MSR_MTRR_DEF_TYPE, P2MK_MTRR_DEF_E | P2MK_MT_WC);
	wr(&p, 0, P2MK_MSR_MTRR_PHYSBASE0, 0x80000000 | P2MK_MT_UC);
	wr(&p, 0, P2MK_MSR_MTRR_PHYSMASK0,
	   UINT64_C(0xffe000000) | P2MK_MTRR_MASK_V);
	struct p2mk_pt_leaf lf;
	assert_int_equal(p2mk_pt_lookup(&p.pt, p2mk_gfn(0x97ab3), &lf),
	                 P2MK_OK);
	assert_int_equal(lf.order, 18);
	assert_int_equal(lf.attrs.mt, P2MK_MT_UC); /* the defect, on purpose */
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x972e0), 0x7d3, P2MK_MT_WC),
	                 P2MK_OK);
	uint64_t pend, stale;
	p2mk_p2m_audit(&p, &pend, &stale);
	assert_int_equal(pend, 0);
	assert_int_equal(stale, 0);
	assert_int_equal(p2mk_pt_lookup(&p.pt, p2mk_gfn(0x97ab3), &lf),
	                 P2MK_OK);
	assert_int_equal(lf.attrs.mt, P2MK_MT_WC);
	p2mk_p2m_destroy(&p);
	assert_int_equal(ta[0].live, 0);
}

static void random_xen_ept(void **state)
{
	(void)state;
	random_strategies_agree(&p2mk_policy_xen_ept, false, 1);
}

static void random_kvm_noncoherent(void **state)
{
	(void)state;
	random_strategies_agree(&p2mk_policy_kvm_x86_6_10, true, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(representative_scenario),
	    cmocka_unit_test(one_exit_per_leaf_table),
	    cmocka_unit_test(exact_recomputes_every_child_of_a_split),
	    cmocka_unit_test(random_xen_ept),
	    cmocka_unit_test(random_kvm_noncoherent),
	};
	return tp2m_run_tests(tests);
}
