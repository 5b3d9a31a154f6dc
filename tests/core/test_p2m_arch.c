// SPDX-License-Identifier: BSD-2-Clause
/*
 * The p2m on x86 NPT and arm64 stage 2: entries carry the policy's host-PAT
 * index or stage-2 MemAttr, and the three recalculation strategies work
 * the same way with the fault of an invalidated entry standing for the
 * EPT misconfiguration exit (docs/policies.md, "NPT and arm64").
 */
#include "test_p2m_env.h"

static struct test_alloc ta;

static void run(const struct p2mk_policy *pol, unsigned strategy, bool fwb,
                uint8_t want_ram, uint8_t want_mmio)
{
	struct p2mk_p2m p;
	test_alloc_init(&ta);
	struct p2mk_p2m_config c = cfg_ept(true);
	c.arch = pol->arch;
	c.fwb = fwb;
	assert_int_equal(p2mk_p2m_init(&p, &c, pol, strategy, &ta.ops),
	                 P2MK_OK);
	assert_int_equal(
	    p2mk_p2m_iomem_permit(&p, p2mk_mfn(0x80000), 0x1000, P2MK_IO_VFIO),
	    P2MK_OK);
	for (uint64_t g = 0; g < 0x8000; g += 512)
		assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(g),
		                              p2mk_mfn(g + 0x10000), 9,
		                              P2MK_P2M_RAM_RW),
		                 P2MK_OK);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x80000), p2mk_mfn(0x80000),
	                              9, P2MK_P2M_MMIO_DIRECT),
	                 P2MK_OK);
	struct p2mk_p2m_entry e;
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0x100), &e), P2MK_OK);
	assert_int_equal(e.attrs.mt, want_ram);
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0x80000), &e), P2MK_OK);
	assert_int_equal(e.attrs.mt, want_mmio);
	/* Nothing these policies read changes: no resync ever... */
	hvmloader_mtrrs(&p, 0, 0xf0000000);
	assert_int_equal(p2mk_p2m_get_stats(&p).resyncs, 0);
	/* ...but a forced recalculation behaves like on EPT. */
	assert_int_equal(p2mk_p2m_recalc(&p, p2mk_gfn(0), 0x100000), P2MK_OK);
	bool ex;
	assert_int_equal(p2mk_p2m_touch(&p, p2mk_gfn(0x100), 0, &ex), P2MK_OK);
	assert_int_equal(ex, strategy != P2MK_RECALC_EXACT);
	assert_int_equal(p2mk_p2m_resolve_all(&p, 0), P2MK_OK);
	uint64_t pend, stale;
	p2mk_p2m_audit(&p, &pend, &stale);
	assert_int_equal(pend, 0);
	assert_int_equal(stale, 0);
	struct p2mk_p2m_stats s = p2mk_p2m_get_stats(&p);
	if (strategy == P2MK_RECALC_EXACT)
		assert_int_equal(s.exits, 0);
	else
		assert_int_equal(s.exits, 65); /* 64 RAM superpages + BAR */
	assert_int_equal(s.changed, 0);
	p2mk_p2m_destroy(&p);
	assert_int_equal(ta.live, 0);
}

static void npt_domain_stores_host_pat_indexes(void **state)
{
	(void)state;
	for (unsigned s = 0; s <= P2MK_RECALC_EXACT; s++) {
		run(&p2mk_policy_xen_npt, s, false, 0, 2);
		run(&p2mk_policy_kvm_svm, s, false, 0, 0);
	}
}

static void arm64_domain_stores_stage2_memattr(void **state)
{
	(void)state;
	for (unsigned s = 0; s <= P2MK_RECALC_EXACT; s++) {
		run(&p2mk_policy_kvm_arm64_6_9, s, true, P2MK_S2_FWB_NORMAL_WB,
		    P2MK_S2_NORMAL_NC);
		run(&p2mk_policy_kvm_arm64_6_8, s, false, P2MK_S2_NORMAL_WB,
		    P2MK_S2_DEVICE_nGnRE);
		run(&p2mk_policy_hafnium, s, false, P2MK_S2_NORMAL_WB,
		    P2MK_S2_DEVICE_nGnRnE);
		run(&p2mk_policy_bao, s, false, P2MK_S2_NORMAL_WB,
		    P2MK_S2_DEVICE_GRE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(npt_domain_stores_host_pat_indexes),
	    cmocka_unit_test(arm64_domain_stores_stage2_memattr),
	};
	return tp2m_run_tests(tests);
}
