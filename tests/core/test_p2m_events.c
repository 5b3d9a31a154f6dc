// SPDX-License-Identifier: BSD-2-Clause
/*
 * Domain events and policy branches the other p2m tests do not reach:
 * host MTRRs, CR0.CD, device removal, ACRN's fixed-range push, Xen NPT's
 * read-only MMIO and the exact strategy's out-of-memory fallback.  Every
 * check reads the entry the domain actually holds after the event.
 */
#include "test_p2m_env.h"

static struct test_alloc ta;

static void mk(struct p2mk_p2m *p, const struct p2mk_policy *pol,
               struct p2mk_p2m_config c, enum p2mk_recalc strategy)
{
	test_alloc_init(&ta);
	c.arch = pol->arch;
	assert_int_equal(p2mk_p2m_init(p, &c, pol, strategy, &ta.ops), P2MK_OK);
}

static void done(struct p2mk_p2m *p)
{
	p2mk_p2m_destroy(p);
	assert_int_equal(ta.live, 0);
}

static struct p2mk_p2m_entry entry(const struct p2mk_p2m *p, uint64_t gfn)
{
	struct p2mk_p2m_entry e;
	assert_int_equal(p2mk_p2m_get(p, p2mk_gfn(gfn), &e), P2MK_OK);
	return e;
}

static void map4k(struct p2mk_p2m *p, uint64_t gfn, enum p2mk_p2mt t)
{
	assert_int_equal(p2mk_p2m_set(p, p2mk_gfn(gfn), p2mk_mfn(gfn), 0, t),
	                 P2MK_OK);
}

/* Xen row 7 (xen §6): guest WB combined with host UC is UC; the host
 * change is a configuration change, so EXACT rewrites the entry at once,
 * and taking the host MTRRs away gives WB back. */
static void host_mtrr_uc_makes_guest_wb_ram_uc(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, cfg_ept(true), P2MK_RECALC_EXACT);
	hvmloader_mtrrs(&p, 0, 0xf0000000);
	map4k(&p, 0x1000, P2MK_P2M_RAM_RW);
	assert_int_equal(entry(&p, 0x1000).attrs.mt, P2MK_MT_WB);
	struct p2mk_mtrr_state host;
	struct p2mk_mtrr_config hc = {8, 36, true, true};
	assert_int_equal(p2mk_mtrr_init(&host, &hc), P2MK_OK);
	assert_int_equal(p2mk_mtrr_wrmsr(&host, P2MK_MSR_MTRR_DEF_TYPE,
	                                 P2MK_MTRR_DEF_E | P2MK_MT_UC, NULL),
	                 P2MK_OK);
	uint64_t resyncs = p2mk_p2m_get_stats(&p).resyncs;
	assert_int_equal(p2mk_p2m_set_host_mtrr(&p, &host), P2MK_OK);
	assert_int_equal(p2mk_p2m_get_stats(&p).resyncs, resyncs + 1);
	struct p2mk_p2m_entry e = entry(&p, 0x1000);
	assert_int_equal(e.attrs.mt, P2MK_MT_UC);
	assert_false(e.attrs.flags & P2MK_PT_IPAT);
	assert_int_equal(p2mk_p2m_set_host_mtrr(&p, NULL), P2MK_OK);
	assert_int_equal(entry(&p, 0x1000).attrs.mt, P2MK_MT_WB);
	done(&p);
}

/* KVM up to 6.10 with non-coherent DMA (x86 §11): CR0.CD gives WB with
 * the CD_NW_CLEARED quirk and UC+IPAT without it; clearing CD gives the
 * guest MTRR type back; without non-coherent DMA CD changes nothing. */
static void kvm_cr0_cd_follows_the_quirk(void **state)
{
	(void)state;
	for (int quirk = 0; quirk <= 1; quirk++) {
		for (int ncd = 0; ncd <= 1; ncd++) {
			struct p2mk_p2m p;
			struct p2mk_p2m_config c = cfg_ept(false);
			c.cd_nw_quirk = quirk;
			c.noncoherent_dma = ncd;
			mk(&p, &p2mk_policy_kvm_x86_6_10, c, P2MK_RECALC_EXACT);
			hvmloader_mtrrs(&p, 0, 0xf0000000);
			map4k(&p, 0xa0, P2MK_P2M_RAM_RW);
			assert_int_equal(p2mk_p2m_set_guest_cd(&p, 0, true),
			                 P2MK_OK);
			struct p2mk_p2m_entry e = entry(&p, 0xa0);
			bool ipat = (e.attrs.flags & P2MK_PT_IPAT) != 0;
			if (!ncd) {
				assert_int_equal(e.attrs.mt, P2MK_MT_WB);
				assert_true(ipat);
			} else if (quirk) {
				assert_int_equal(e.attrs.mt, P2MK_MT_WB);
				assert_false(ipat);
			} else {
				assert_int_equal(e.attrs.mt, P2MK_MT_UC);
				assert_true(ipat);
			}
			assert_int_equal(p2mk_p2m_set_guest_cd(&p, 0, false),
			                 P2MK_OK);
			e = entry(&p, 0xa0);
			/* A0000 is WC in hvmloader's fixed ranges. */
			assert_int_equal(e.attrs.mt,
			                 ncd ? P2MK_MT_WC : P2MK_MT_WB);
			assert_int_equal(p2mk_p2m_set_guest_cd(&p, 1, true),
			                 P2MK_ERR_INVAL);
			done(&p);
		}
	}
}

/* Removing a device takes it off cache_flush_permitted; Xen never
 * resyncs for it (xen §16 defect 2), so the entry goes stale, which the
 * audit sees; KVM 6.11 zaps.  Removing more devices than assigned is
 * NOENT and changes nothing. */
static void deassign_device_counts_down_and_xen_does_not_resync(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, cfg_ept(false), P2MK_RECALC_EXACT);
	hvmloader_mtrrs(&p, 0, 0xf0000000);
	assert_int_equal(p2mk_p2m_assign_device(&p), P2MK_OK);
	map4k(&p, 0xa0, P2MK_P2M_RAM_RW);
	assert_int_equal(entry(&p, 0xa0).attrs.mt, P2MK_MT_WC);
	uint64_t ignored = p2mk_p2m_get_stats(&p).ignored;
	assert_int_equal(p2mk_p2m_deassign_device(&p), P2MK_OK);
	assert_int_equal(p.pdevs, 0);
	assert_int_equal(p2mk_p2m_get_stats(&p).ignored, ignored + 1);
	assert_int_equal(entry(&p, 0xa0).attrs.mt, P2MK_MT_WC);
	uint64_t pending, stale;
	p2mk_p2m_audit(&p, &pending, &stale);
	assert_int_equal(stale, 1); /* row 2 now says WB+IPAT */
	assert_int_equal(p2mk_p2m_deassign_device(&p), P2MK_ERR_NOENT);
	assert_int_equal(p2mk_p2m_get_stats(&p).ignored, ignored + 1);
	done(&p);

	struct p2mk_p2m_config c = cfg_ept(false);
	c.noncoherent_dma = true;
	mk(&p, &p2mk_policy_kvm_x86_6_11, c, P2MK_RECALC_EXACT);
	assert_int_equal(p2mk_p2m_assign_device(&p), P2MK_OK);
	uint64_t resyncs = p2mk_p2m_get_stats(&p).resyncs;
	assert_int_equal(p2mk_p2m_deassign_device(&p), P2MK_OK);
	assert_int_equal(p2mk_p2m_get_stats(&p).resyncs, resyncs + 1);
	done(&p);
}

/* ACRN (landscape §3.4): fixed-range writes alone change nothing; the
 * MTRRdefType write pushes the fixed ranges into the EPT types of the
 * first MiB, and RAM above 1 MiB stays WB. */
static void acrn_pushes_fixed_ranges_on_mtrrdeftype_write(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_acrn, cfg_ept(false), P2MK_RECALC_EXACT);
	map4k(&p, 0x10, P2MK_P2M_RAM_RW);
	map4k(&p, 0xa0, P2MK_P2M_RAM_RW);
	map4k(&p, 0x1000, P2MK_P2M_RAM_RW);
	/* MTRRs disabled: the first MiB is UC. */
	assert_int_equal(entry(&p, 0x10).attrs.mt, P2MK_MT_UC);
	assert_int_equal(entry(&p, 0xa0).attrs.mt, P2MK_MT_UC);
	assert_int_equal(entry(&p, 0x1000).attrs.mt, P2MK_MT_WB);
	const uint64_t wb8 = UINT64_C(0x0606060606060606);
	wr(&p, 0, P2MK_MSR_MTRR_FIX64K_00000, wb8);
	wr(&p, 0, P2MK_MSR_MTRR_FIX16K_A0000, UINT64_C(0x0101010101010101));
	assert_int_equal(p2mk_p2m_get_stats(&p).resyncs, 0);
	assert_int_equal(p2mk_p2m_get_stats(&p).ignored, 2);
	assert_int_equal(entry(&p, 0xa0).attrs.mt, P2MK_MT_UC);
	wr(&p, 0, P2MK_MSR_MTRR_DEF_TYPE,
	   P2MK_MTRR_DEF_E | P2MK_MTRR_DEF_FE | P2MK_MT_WB);
	assert_int_equal(p2mk_p2m_get_stats(&p).resyncs, 1);
	assert_int_equal(entry(&p, 0x10).attrs.mt, P2MK_MT_WB);
	assert_int_equal(entry(&p, 0xa0).attrs.mt, P2MK_MT_WC);
	assert_int_equal(entry(&p, 0x1000).attrs.mt, P2MK_MT_WB);
	done(&p);
}

/* Xen on NPT (xen §10, §11.2): read-only MMIO is hPAT 3 (UC) without
 * write permission, other MMIO hPAT 2 (UC-); a superpage holding one
 * read-only frame is retried at 4 KiB, so the first access splits it and
 * each page gets its own type and permissions. */
static void xen_npt_read_only_mmio_is_uc_and_split_to_4k(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_npt, cfg_ept(false), P2MK_RECALC_XEN);
	assert_int_equal(p2mk_p2m_add_mmio_ro(&p, p2mk_mfn(0xfee00), 1),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_add_mmio_ro(&p, p2mk_mfn(0xfe201), 1),
	                 P2MK_OK);
	map4k(&p, 0xfee00, P2MK_P2M_MMIO_DIRECT);
	struct p2mk_p2m_entry e = entry(&p, 0xfee00);
	assert_int_equal(e.attrs.mt, 3);
	assert_false(e.attrs.perm & P2MK_PT_W);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0xfe200), p2mk_mfn(0xfe200),
	                              9, P2MK_P2M_MMIO_DIRECT),
	                 P2MK_OK);
	assert_true(entry(&p, 0xfe201).pending);
	bool ex = false;
	assert_int_equal(p2mk_p2m_touch(&p, p2mk_gfn(0xfe201), 0, &ex),
	                 P2MK_OK);
	assert_true(ex);
	e = entry(&p, 0xfe201);
	assert_int_equal(e.order, 0);
	assert_int_equal(e.attrs.mt, 3);
	assert_false(e.attrs.perm & P2MK_PT_W);
	e = entry(&p, 0xfe202);
	assert_int_equal(e.attrs.mt, 2);
	assert_true(e.attrs.perm & P2MK_PT_W);
	uint64_t pending, stale;
	assert_int_equal(p2mk_p2m_resolve_all(&p, 0), P2MK_OK);
	p2mk_p2m_audit(&p, &pending, &stale);
	assert_int_equal(pending, 0);
	assert_int_equal(stale, 0);
	done(&p);
}

/* EXACT splits a mixed block at once; when the split cannot get memory
 * the mapping still succeeds and the block stays marked (lazy), so the
 * first access splits it instead. */
static void exact_split_without_memory_falls_back_to_a_mark(void **state)
{
	(void)state;
	bool fell_back = false;
	for (uint64_t n = 1; n < 16 && !fell_back; n++) {
		struct p2mk_p2m p;
		mk(&p, &p2mk_policy_xen_ept, cfg_ept(true), P2MK_RECALC_EXACT);
		hvmloader_mtrrs(&p, 0, 0xf0000000);
		test_alloc_fail_at(&ta, n);
		enum p2mk_err err = p2mk_p2m_set(&p, p2mk_gfn(0), p2mk_mfn(0),
		                                 9, P2MK_P2M_RAM_RW);
		test_alloc_fail_at(&ta, 0);
		if (err == P2MK_OK && entry(&p, 0xa0).order == 9) {
			fell_back = true;
			assert_true(entry(&p, 0xa0).pending);
			bool ex = false;
			assert_int_equal(
			    p2mk_p2m_touch(&p, p2mk_gfn(0xa0), 0, &ex),
			    P2MK_OK);
			assert_true(ex);
			struct p2mk_p2m_entry e = entry(&p, 0xa0);
			assert_int_equal(e.order, 0);
			assert_int_equal(e.attrs.mt, P2MK_MT_WC);
		} else {
			assert_true(err == P2MK_OK || err == P2MK_ERR_NOMEM);
		}
		done(&p);
	}
	assert_true(fell_back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(host_mtrr_uc_makes_guest_wb_ram_uc),
	    cmocka_unit_test(kvm_cr0_cd_follows_the_quirk),
	    cmocka_unit_test(
	        deassign_device_counts_down_and_xen_does_not_resync),
	    cmocka_unit_test(acrn_pushes_fixed_ranges_on_mtrrdeftype_write),
	    cmocka_unit_test(xen_npt_read_only_mmio_is_uc_and_split_to_4k),
	    cmocka_unit_test(exact_split_without_memory_falls_back_to_a_mark),
	};
	return tp2m_run_tests(tests);
}
