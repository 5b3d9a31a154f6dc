// SPDX-License-Identifier: BSD-2-Clause
/*
 * The p2m domain: set/get with the policy applied, deferred splits (xen
 * §9.5), type changes through MSR writes and pins with Xen's rules (§7),
 * and allocation failure injected at every allocation of set, clear and
 * touch (nothing changed, nothing leaked).
 */
#include "test_p2m_env.h"

static struct test_alloc ta;

static void mk(struct p2mk_p2m *p, const struct p2mk_policy *pol,
               unsigned strategy, bool iommu)
{
	test_alloc_init(&ta);
	struct p2mk_p2m_config c = cfg_ept(iommu);
	c.arch = pol->arch;
	assert_int_equal(p2mk_p2m_init(p, &c, pol, strategy, &ta.ops), P2MK_OK);
}

static void done(struct p2mk_p2m *p)
{
	p2mk_p2m_destroy(p);
	assert_int_equal(ta.live, 0);
}

static void set_applies_the_policy_and_get_reports_it(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, P2MK_RECALC_XEN, false);
	/* No IOMMU, no I/O: row 2, WB + IPAT. */
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x200), p2mk_mfn(0x1200), 9,
	                              P2MK_P2M_RAM_RW),
	                 P2MK_OK);
	struct p2mk_p2m_entry e;
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0x2ff), &e), P2MK_OK);
	assert_int_equal(e.mfn.v, 0x12ff);
	assert_int_equal(e.order, 9);
	assert_int_equal(e.type, P2MK_P2M_RAM_RW);
	assert_int_equal(e.attrs.mt, P2MK_MT_WB);
	assert_true(e.attrs.flags & P2MK_PT_IPAT);
	assert_false(e.pending);
	/* Overmapping, misalignment, bad order, not-present type. */
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x300), p2mk_mfn(0x1300), 0,
	                              P2MK_P2M_RAM_RW),
	                 P2MK_ERR_EXISTS);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x401), p2mk_mfn(0x1401), 9,
	                              P2MK_P2M_RAM_RW),
	                 P2MK_ERR_INVAL);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x400), p2mk_mfn(0x1400), 3,
	                              P2MK_P2M_RAM_RW),
	                 P2MK_ERR_INVAL);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x400), p2mk_mfn(0x1400), 0,
	                              P2MK_P2M_MMIO_DM),
	                 P2MK_ERR_INVAL);
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0x400), &e), P2MK_ERR_NOENT);
	/* mmio_direct: UC without IPAT (row 4), writable. */
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0xf0000), p2mk_mfn(0xf0000),
	                              0, P2MK_P2M_MMIO_DIRECT),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0xf0000), &e), P2MK_OK);
	assert_int_equal(e.attrs.mt, P2MK_MT_UC);
	assert_false(e.attrs.flags & P2MK_PT_IPAT);
	assert_true(e.attrs.perm & P2MK_PT_W);
	assert_int_equal(p2mk_p2m_clear(&p, p2mk_gfn(0x200), 512), P2MK_OK);
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0x200), &e), P2MK_ERR_NOENT);
	done(&p);
}

static void mixed_block_deferred_when_lazy_split_when_exact(void **state)
{
	(void)state;
	for (unsigned s = 0; s <= P2MK_RECALC_EXACT; s++) {
		struct p2mk_p2m p;
		mk(&p, &p2mk_policy_xen_ept, s, true);
		hvmloader_mtrrs(&p, 0, 0xf0000000);
		/* gfn 0, 2M: the fixed ranges cannot answer (xen §4 step 3). */
		assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0), p2mk_mfn(0), 9,
		                              P2MK_P2M_RAM_RW),
		                 P2MK_OK);
		struct p2mk_p2m_entry e;
		assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0xa0), &e), P2MK_OK);
		if (s == P2MK_RECALC_EXACT) {
			assert_int_equal(e.order, 0);
			assert_int_equal(e.attrs.mt, P2MK_MT_WC);
			assert_false(e.pending);
		} else {
			/* EMT 7 + recalc, split on first access (§9.5). */
			assert_int_equal(e.order, 9);
			assert_int_equal(e.attrs.mt, 7);
			assert_true(e.pending);
			bool ex;
			assert_int_equal(
			    p2mk_p2m_touch(&p, p2mk_gfn(0xa0), 0, &ex),
			    P2MK_OK);
			assert_true(ex);
			assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0xa0), &e),
			                 P2MK_OK);
			assert_int_equal(e.order, 0);
			assert_int_equal(e.attrs.mt, P2MK_MT_WC);
			assert_int_equal(p2mk_p2m_get_stats(&p).splits, 1);
		}
		uint64_t pend, stale;
		assert_int_equal(p2mk_p2m_resolve_all(&p, 0), P2MK_OK);
		p2mk_p2m_audit(&p, &pend, &stale);
		assert_int_equal(pend, 0);
		assert_int_equal(stale, 0);
		done(&p);
	}
}

static void pin_follows_xens_rules(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, P2MK_RECALC_EXACT, false);
	/* d63b2c60f7: UC/UC-/WC need IOMMU or I/O resources. */
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x100), 0x100, P2MK_MT_WC),
	                 P2MK_ERR_UNSUPPORTED);
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x100), 0x100, P2MK_MT_WT),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x1ff), 0x101, P2MK_MT_WT),
	                 P2MK_ERR_EXISTS);
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x100), 0x100, P2MK_MT_WB),
	                 P2MK_OK);
	assert_int_equal(p.npinned, 1);
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x2ff), 0, P2MK_MT_WB),
	                 P2MK_ERR_INVAL);
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x300),
	                              (UINT64_C(1) << 24) - 0x300 + 1,
	                              P2MK_MT_WB),
	                 P2MK_ERR_INVAL);
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x300), 1, 2),
	                 P2MK_ERR_INVAL);
	for (unsigned i = 1; i < P2MK_P2M_MAX_PINNED; i++)
		assert_int_equal(
		    p2mk_p2m_pin(&p, p2mk_gfn(0x1000 + i), 1, P2MK_MT_WB),
		    P2MK_OK);
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x5000), 1, P2MK_MT_WB),
	                 P2MK_ERR_NOMEM); /* ENOSPC: 64 ranges */
	assert_int_equal(p2mk_p2m_unpin(&p, p2mk_gfn(0x100), 0xff),
	                 P2MK_ERR_NOENT);
	assert_int_equal(p2mk_p2m_unpin(&p, p2mk_gfn(0x100), 0x100), P2MK_OK);
	done(&p);
}

static void pinned_type_wins_and_partial_pin_splits(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, P2MK_RECALC_EXACT, true);
	assert_int_equal(p2mk_p2m_assign_device(&p), P2MK_OK);
	hvmloader_mtrrs(&p, 0, 0xf0000000);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x400), p2mk_mfn(0x400), 9,
	                              P2MK_P2M_RAM_RW),
	                 P2MK_OK);
	/* Pin WC over the block: with cfp the resync runs (xen §7). */
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x400), 0x200, P2MK_MT_WC),
	                 P2MK_OK);
	struct p2mk_p2m_entry e;
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0x400), &e), P2MK_OK);
	assert_int_equal(e.attrs.mt, P2MK_MT_WC);
	assert_true(e.attrs.flags & P2MK_PT_IPAT);
	/* A pin over half the block: split at once (exact). */
	assert_int_equal(p2mk_p2m_unpin(&p, p2mk_gfn(0x400), 0x200), P2MK_OK);
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x400), 0x100, P2MK_MT_WT),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0x400), &e), P2MK_OK);
	assert_int_equal(e.order, 0);
	assert_int_equal(e.attrs.mt, P2MK_MT_WT);
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0x500), &e), P2MK_OK);
	assert_int_equal(e.attrs.mt, P2MK_MT_WB);
	assert_false(e.attrs.flags & P2MK_PT_IPAT);
	done(&p);
}

static void refused_mapping_maps_nothing(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_kvm_arm64_pfnmap, P2MK_RECALC_EXACT, true);
	assert_int_equal(p2mk_p2m_iomem_permit(&p, p2mk_mfn(0x80000), 0x1000,
	                                       P2MK_IO_HOST_CACHEABLE),
	                 P2MK_OK);
	/* No FWB/DIC: a cacheable PFNMAP is refused (arm64 §8). */
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x80000), p2mk_mfn(0x80000),
	                              0, P2MK_P2M_MMIO_DIRECT),
	                 P2MK_ERR_UNSUPPORTED);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x100), p2mk_mfn(0x100), 0,
	                              P2MK_P2M_RAM_RW),
	                 P2MK_OK);
	struct p2mk_p2m_entry e;
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0x100), &e), P2MK_OK);
	assert_int_equal(e.attrs.mt, P2MK_S2_NORMAL_WB);
	done(&p);
}

/* The domain's tables are in the configured format: on the odd test
 * format a mapped page's raw entry has bit 50 (its present bit) set. */
static void domain_uses_the_configured_format(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, P2MK_RECALC_XEN, false);
	assert_string_equal(p.pt.fmt.name, tp2m_fmt != NULL ? "fake" : "ept4");
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x10), p2mk_mfn(0x20), 0,
	                              P2MK_P2M_RAM_RW),
	                 P2MK_OK);
	struct p2mk_pt_leaf lf;
	assert_int_equal(p2mk_pt_lookup(&p.pt, p2mk_gfn(0x10), &lf), P2MK_OK);
	assert_true(lf.raw & (tp2m_fmt != NULL ? P2MK_BIT(50) : P2MK_BIT(0)));
	done(&p);
}

static void init_rejects_bad_input_and_leaks_nothing(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	test_alloc_init(&ta);
	struct p2mk_p2m_config c = cfg_ept(false);
	assert_int_equal(p2mk_p2m_init(&p, &c, &p2mk_policy_xen_npt,
	                               P2MK_RECALC_XEN, &ta.ops),
	                 P2MK_ERR_INVAL);
	c.nvcpus = 0;
	assert_int_equal(p2mk_p2m_init(&p, &c, &p2mk_policy_xen_ept,
	                               P2MK_RECALC_XEN, &ta.ops),
	                 P2MK_ERR_INVAL);
	c.nvcpus = 1;
	/* A format p2m cannot use: two concatenated root pages. */
	c.fmt = &p2mk_pt_fmt_arm_s2_l3;
	assert_int_equal(p2mk_p2m_init(&p, &c, &p2mk_policy_xen_ept,
	                               P2MK_RECALC_XEN, &ta.ops),
	                 P2MK_ERR_INVAL);
	c.fmt = tp2m_fmt;
	for (uint64_t n = 1; n <= 2; n++) {
		test_alloc_fail_at(&ta, n);
		assert_int_equal(p2mk_p2m_init(&p, &c, &p2mk_policy_xen_ept,
		                               P2MK_RECALC_XEN, &ta.ops),
		                 P2MK_ERR_NOMEM);
		assert_int_equal(ta.live, 0);
	}
	test_alloc_fail_at(&ta, 0);
	assert_int_equal(p2mk_p2m_init(&p, &c, &p2mk_policy_xen_ept,
	                               P2MK_RECALC_XEN, &ta.ops),
	                 P2MK_OK);
	p2mk_p2m_destroy(&p);
	assert_int_equal(ta.live, 0);
	const char *names[] = {"xen", "range", "exact"};
	for (unsigned i = 0; i < 3; i++) {
		unsigned r = 9;
		assert_true(p2mk_recalc_parse(names[i], &r));
		assert_int_equal(r, i);
		assert_string_equal(p2mk_recalc_name(i), names[i]);
	}
	unsigned r;
	assert_false(p2mk_recalc_parse("lazy", &r));
}

/*
 * Allocation failure at every allocation of set, clear and touch: the
 * call fails with NOMEM, the tables and memory types are exactly as
 * before, and destroy returns every page.
 */
/* One step of alloc_failure: a call that fails with NOMEM must leave every
 * leaf of the tables exactly as it was (compared whole, not sampled). */
static enum p2mk_err unchanged_on_nomem(struct p2mk_p2m *p, enum p2mk_err err,
                                        struct snap *before)
{
	struct snap after = snap_take(p);
	if (err == P2MK_ERR_NOMEM)
		assert_true(snap_equal(before, &after));
	else
		assert_int_equal(err, P2MK_OK);
	snap_free(before);
	snap_free(&after);
	return err;
}

/* set, clear (splits a superpage) and touch (splits the 1 GiB block on
 * the exit) with the allocator failing at each allocation in turn:
 * whichever call fails changes no table, and resolving later converges. */
static void allocation_failure_changes_no_table(void **state)
{
	(void)state;
	for (unsigned s = 0; s <= P2MK_RECALC_EXACT; s++) {
		unsigned nomem = 0;
		for (uint64_t n = 1;; n++) {
			struct p2mk_p2m p;
			mk(&p, &p2mk_policy_xen_ept, s, true);
			assert_int_equal(p2mk_p2m_assign_device(&p), P2MK_OK);
			assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x40000),
			                              p2mk_mfn(0x40000), 18,
			                              P2MK_P2M_RAM_RW),
			                 P2MK_OK);
			hvmloader_mtrrs(&p, 0, 0xf0000000);
			assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x40200),
			                              0x200, P2MK_MT_WC),
			                 P2MK_OK);
			test_alloc_fail_at(&ta, n);
			struct snap before = snap_take(&p);
			enum p2mk_err err = unchanged_on_nomem(
			    &p,
			    p2mk_p2m_set(&p, p2mk_gfn(0x1000), p2mk_mfn(0x9000),
			                 9, P2MK_P2M_RAM_RW),
			    &before);
			if (err == P2MK_OK) {
				before = snap_take(&p);
				err = unchanged_on_nomem(
				    &p, p2mk_p2m_clear(&p, p2mk_gfn(0x1100), 1),
				    &before);
			}
			bool ex = false;
			if (err == P2MK_OK) {
				before = snap_take(&p);
				err = unchanged_on_nomem(
				    &p,
				    p2mk_p2m_touch(&p, p2mk_gfn(0x40200), 0,
				                   &ex),
				    &before);
			}
			nomem += err != P2MK_OK;
			/* Whatever failed, resolving later converges. */
			test_alloc_fail_at(&ta, 0);
			assert_int_equal(p2mk_p2m_resolve_all(&p, 0), P2MK_OK);
			uint64_t pend, stale;
			p2mk_p2m_audit(&p, &pend, &stale);
			assert_int_equal(pend, 0);
			assert_int_equal(stale, 0);
			done(&p);
			if (err == P2MK_OK)
				break;
		}
		/* set's table, clear's split, and for the lazy strategies
		 * the exit's split. */
		assert_true(nomem >= (s == P2MK_RECALC_EXACT ? 2u : 3u));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(set_applies_the_policy_and_get_reports_it),
	    cmocka_unit_test(mixed_block_deferred_when_lazy_split_when_exact),
	    cmocka_unit_test(pin_follows_xens_rules),
	    cmocka_unit_test(pinned_type_wins_and_partial_pin_splits),
	    cmocka_unit_test(refused_mapping_maps_nothing),
	    cmocka_unit_test(init_rejects_bad_input_and_leaks_nothing),
	    cmocka_unit_test(domain_uses_the_configured_format),
	    cmocka_unit_test(allocation_failure_changes_no_table),
	};
	return tp2m_run_tests(tests);
}
