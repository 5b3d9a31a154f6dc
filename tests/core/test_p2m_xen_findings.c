// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the `xen-ept` policy -- which follows Xen's code, including when it
 * recomputes -- does in each situation of xen-reference-behaviour.md §16
 * ("Possible defects, unconfirmed"), plus one more observation derived
 * from §8.1/§8.3.  Each test is one finding of docs/xen-findings.md and
 * prints a one-line summary of what it shows.
 */
#include "test_p2m_env.h"

#include <inttypes.h>
#include <stdio.h>

static struct test_alloc ta;

static void mk(struct p2mk_p2m *p, const struct p2mk_policy *pol,
               struct p2mk_p2m_config c, unsigned strategy)
{
	test_alloc_init(&ta);
	assert_int_equal(p2mk_p2m_init(p, &c, pol, strategy, &ta.ops), P2MK_OK);
}

static void done(struct p2mk_p2m *p)
{
	p2mk_p2m_destroy(p);
	assert_int_equal(ta.live, 0);
}

static struct p2mk_p2m_entry get(struct p2mk_p2m *p, uint64_t gfn)
{
	struct p2mk_p2m_entry e;
	assert_int_equal(p2mk_p2m_get(p, p2mk_gfn(gfn), &e), P2MK_OK);
	return e;
}

static uint64_t stale(struct p2mk_p2m *p)
{
	uint64_t pend, st;
	assert_int_equal(p2mk_p2m_resolve_all(p, 0), P2MK_OK);
	p2mk_p2m_audit(p, &pend, &st);
	assert_int_equal(pend, 0);
	return st;
}

static unsigned guest_type(const struct p2mk_p2m *p, unsigned vcpu, uint64_t pa)
{
	struct p2mk_mtrr_lookup l =
	    p2mk_mtrr_lookup(&p->vcpu[vcpu], p2mk_gpa(pa), 0, P2MK_OVERLAP_XEN);
	assert_int_equal(l.kind, P2MK_LOOKUP_TYPE);
	return l.type;
}

/* Replay a save record MSR by MSR, as hvm_load_mtrr_msr does (xen §2.5). */
static void xen_load(struct p2mk_p2m *p, unsigned vcpu,
                     const struct p2mk_mtrr_record *rec)
{
	wr(p, vcpu, P2MK_MSR_PAT, rec->pat);
	static const uint32_t fixed[P2MK_MTRR_NFIXED_MSRS] = {
	    0x250, 0x258, 0x259, 0x268, 0x269, 0x26a,
	    0x26b, 0x26c, 0x26d, 0x26e, 0x26f};
	for (unsigned k = 0; k < P2MK_MTRR_NFIXED_MSRS; k++)
		wr(p, vcpu, fixed[k], rec->fixed_msr[k]);
	for (unsigned n = 0; n < p2mk_mtrr_vcnt(&p->vcpu[vcpu]); n++) {
		wr(p, vcpu, P2MK_MSR_MTRR_PHYSBASE0 + 2 * n, rec->var_base[n]);
		wr(p, vcpu, P2MK_MSR_MTRR_PHYSMASK0 + 2 * n, rec->var_mask[n]);
	}
	wr(p, vcpu, P2MK_MSR_MTRR_DEF_TYPE, rec->def_type);
}

/* §16.1: the save record repeats pair 0; the second UC range is lost. */
static void defect1_save_record(void **state)
{
	(void)state;
	struct p2mk_p2m src, dst;
	struct p2mk_p2m_config c = cfg_ept(true);
	mk(&src, &p2mk_policy_xen_ept, c, P2MK_RECALC_XEN);
	/* Hole at 0xd0000000: hvmloader needs two UC pairs (256M + 512M). */
	hvmloader_mtrrs(&src, 0, 0xd0000000);
	assert_int_equal(guest_type(&src, 0, 0xe8000000), P2MK_MT_UC);
	struct p2mk_mtrr_record rec;
	p2mk_xen_hvm_save_mtrr(&src.vcpu[0], &rec);
	assert_int_equal(rec.var_base[1], rec.var_base[0]);
	done(&src);

	mk(&dst, &p2mk_policy_xen_ept, c, P2MK_RECALC_XEN);
	assert_int_equal(p2mk_p2m_assign_device(&dst), P2MK_OK);
	assert_int_equal(p2mk_p2m_set(&dst, p2mk_gfn(0xe0000),
	                              p2mk_mfn(0xe0000), 9,
	                              P2MK_P2M_MMIO_DIRECT),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_set(&dst, p2mk_gfn(0x1000), p2mk_mfn(0x1000),
	                              9, P2MK_P2M_RAM_RW),
	                 P2MK_OK);
	xen_load(&dst, 0, &rec);
	/* The guest's view of [0xe0000000, 4G) changed: UC -> WB. */
	assert_int_equal(guest_type(&dst, 0, 0xe8000000), P2MK_MT_WB);
	assert_int_equal(guest_type(&dst, 0, 0xd8000000), P2MK_MT_UC);
	/* Little EPT impact: the BAR stays UC (row 4), RAM WB (row 7). */
	assert_int_equal(stale(&dst), 0);
	assert_int_equal(get(&dst, 0xe0000).attrs.mt, P2MK_MT_UC);
	assert_int_equal(get(&dst, 0x1000).attrs.mt, P2MK_MT_WB);
	printf("defect 1: after save/restore the guest MTRR type at "
	       "0xe8000000 is WB (was UC); BAR EMT still UC, RAM EMT WB\n");
	done(&dst);
}

/* §16.2 a: CDF_iommu, no device: no resync after hvmloader. */
static void defect2_iommu_without_devices(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, cfg_ept(true), P2MK_RECALC_XEN);
	for (uint64_t g = 0x200; g < 0x40000; g += 512)
		assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(g), p2mk_mfn(g), 9,
		                              P2MK_P2M_RAM_RW),
		                 P2MK_OK);
	/* Populated before hvmloader: guest MTRRs off -> UC (row 7). */
	assert_int_equal(get(&p, 0x200).attrs.mt, P2MK_MT_UC);
	hvmloader_mtrrs(&p, 0, 0xf0000000);
	struct p2mk_p2m_stats s = p2mk_p2m_get_stats(&p);
	assert_int_equal(s.resyncs, 0); /* memory_type_changed did nothing */
	assert_true(s.ignored > 0);
	uint64_t st = stale(&p);
	assert_int_equal(st, 511);
	assert_int_equal(get(&p, 0x200).attrs.mt, P2MK_MT_UC);
	assert_false(get(&p, 0x200).attrs.flags & P2MK_PT_IPAT);
	printf("defect 2a: IOMMU on, no device: %" PRIu64 " RAM superpages "
	       "stay EMT UC after hvmloader enables WB MTRRs (0 resyncs)\n",
	       st);
	done(&p);

	/* The proposed create-time flag (xen §8.5) has no such hole. */
	struct p2mk_p2m_config c = cfg_ept(true);
	c.full_cacheability = true;
	mk(&p, &p2mk_policy_xen_ept_cdf, c, P2MK_RECALC_XEN);
	for (uint64_t g = 0x200; g < 0x40000; g += 512)
		assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(g), p2mk_mfn(g), 9,
		                              P2MK_P2M_RAM_RW),
		                 P2MK_OK);
	hvmloader_mtrrs(&p, 0, 0xf0000000);
	assert_int_equal(stale(&p), 0);
	assert_int_equal(get(&p, 0x200).attrs.mt, P2MK_MT_WB);
	done(&p);
}

/* §16.2 b: PVH: MTRR record loaded before devices are attached. */
static void defect2_pvh_order(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, cfg_ept(true), P2MK_RECALC_XEN);
	for (uint64_t g = 0; g < 0x40000; g += 512)
		assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(g), p2mk_mfn(g), 9,
		                              P2MK_P2M_RAM_RW),
		                 P2MK_OK);
	/* xg_dom_x86.c: defType = E | WB after population ... */
	wr(&p, 0, P2MK_MSR_MTRR_DEF_TYPE, P2MK_MTRR_DEF_E | P2MK_MT_WB);
	/* ... then libxl attaches the device: no resync either. */
	assert_int_equal(p2mk_p2m_assign_device(&p), P2MK_OK);
	assert_int_equal(p2mk_p2m_get_stats(&p).resyncs, 0);
	uint64_t st = stale(&p);
	assert_int_equal(st, 512);
	/* HVM order (device first, then hvmloader) works. */
	struct p2mk_p2m q;
	done(&p);
	mk(&q, &p2mk_policy_xen_ept, cfg_ept(true), P2MK_RECALC_XEN);
	for (uint64_t g = 0; g < 0x40000; g += 512)
		assert_int_equal(p2mk_p2m_set(&q, p2mk_gfn(g), p2mk_mfn(g), 9,
		                              P2MK_P2M_RAM_RW),
		                 P2MK_OK);
	assert_int_equal(p2mk_p2m_assign_device(&q), P2MK_OK);
	wr(&q, 0, P2MK_MSR_MTRR_DEF_TYPE, P2MK_MTRR_DEF_E | P2MK_MT_WB);
	assert_int_equal(stale(&q), 0);
	printf("defect 2b: PVH order (MTRRs, then device): %" PRIu64
	       " stale entries; HVM order: 0\n",
	       st);
	done(&q);
}

/* §16.2 c: UC pinning with CDF_iommu and no I/O resources. */
static void defect2_uc_pin(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, cfg_ept(true), P2MK_RECALC_XEN);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x400), p2mk_mfn(0x400), 9,
	                              P2MK_P2M_RAM_RW),
	                 P2MK_OK);
	/* Allowed (the IOMMU is on, d63b2c60f7) but not resynced. */
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x400), 0x200, P2MK_MT_UC),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_get_stats(&p).resyncs, 0);
	assert_int_equal(stale(&p), 1);
	assert_false(get(&p, 0x400).attrs.flags & P2MK_PT_IPAT);
	/* A WB pin takes the other path (p2m_memory_type_changed). */
	assert_int_equal(p2mk_p2m_pin(&p, p2mk_gfn(0x400), 0x200, P2MK_MT_WB),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_get_stats(&p).resyncs, 1);
	assert_int_equal(stale(&p), 0);
	printf("defect 2c: UC pin on an IOMMU domain without I/O: entry "
	       "not recomputed; a WB pin is\n");
	done(&p);
}

/* Extra (§8.1 c1 + §8.3): deny of the last iomem range, IOMMU off. */
static void finding_iomem_deny(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, cfg_ept(false), P2MK_RECALC_XEN);
	assert_int_equal(p2mk_p2m_iomem_permit(&p, p2mk_mfn(0xfe000), 0x100, 0),
	                 P2MK_OK);
	hvmloader_mtrrs(&p, 0, 0xf0000000);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x400), p2mk_mfn(0x400), 9,
	                              P2MK_P2M_RAM_RW),
	                 P2MK_OK);
	assert_false(get(&p, 0x400).attrs.flags & P2MK_PT_IPAT); /* row 7 */
	uint64_t before = p2mk_p2m_get_stats(&p).resyncs;
	assert_int_equal(p2mk_p2m_iomem_deny(&p, p2mk_mfn(0xfe000), 0x100),
	                 P2MK_OK);
	/* iomem_deny_access calls memory_type_changed, whose condition 1
	 * (cache_flush_permitted) is now false: nothing is recomputed,
	 * although row 2 now says WB + IPAT. */
	assert_int_equal(p2mk_p2m_get_stats(&p).resyncs, before);
	assert_int_equal(stale(&p), 1);
	/* The same through I/O ports: permit flips cfp and resyncs, the
	 * deny of the last one does not. */
	assert_int_equal(p2mk_p2m_ioports_permit(&p), P2MK_OK);
	before = p2mk_p2m_get_stats(&p).resyncs;
	assert_int_equal(stale(&p), 0);
	assert_int_equal(p2mk_p2m_ioports_deny(&p), P2MK_OK);
	assert_int_equal(p2mk_p2m_get_stats(&p).resyncs, before);
	assert_int_equal(p2mk_p2m_ioports_deny(&p), P2MK_ERR_NOENT);
	printf("finding 7: deny of the last iomem range (no IOMMU) leaves "
	       "entries without IPAT; row 2 would force WB+IPAT\n");
	done(&p);
}

/* §16.3: mtrr_get_type(order > 0) and a range inside the superpage. */
static void defect3_partial_coverage(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, cfg_ept(true), P2MK_RECALC_EXACT);
	assert_int_equal(p2mk_p2m_assign_device(&p), P2MK_OK);
	hvmloader_mtrrs(&p, 0, 0xf0000000);
	/* A 4 KiB UC range at 0x10000000, inside a 2M block. */
	uint64_t mask = ~UINT64_C(0xfff) & ((UINT64_C(1) << 36) - 1);
	wr(&p, 0, P2MK_MSR_MTRR_PHYSBASE0 + 2, 0x10000000 | P2MK_MT_UC);
	wr(&p, 0, P2MK_MSR_MTRR_PHYSMASK0 + 2, mask | P2MK_MTRR_MASK_V);
	assert_int_equal(
	    p2mk_xen_mtrr_get_type(&p.vcpu[0], p2mk_gpa(0x10000000), 9),
	    P2MK_MT_UC);
	struct p2mk_mtrr_lookup l = p2mk_mtrr_lookup(
	    &p.vcpu[0], p2mk_gpa(0x10000000), 9, P2MK_OVERLAP_XEN);
	assert_int_equal(l.kind, P2MK_LOOKUP_MIXED);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x10000), p2mk_mfn(0x10000),
	                              9, P2MK_P2M_RAM_RW),
	                 P2MK_OK);
	/* The whole superpage is UC; page 0x10001 should be WB. */
	struct p2mk_p2m_entry e = get(&p, 0x10001);
	assert_int_equal(e.order, 9);
	assert_int_equal(e.attrs.mt, P2MK_MT_UC);
	assert_int_equal(guest_type(&p, 0, 0x10001000), P2MK_MT_WB);
	assert_int_equal(stale(&p), 0); /* consistent with Xen's own rule */
	printf("defect 3: a 4K UC MTRR inside a 2M page makes all 512 "
	       "pages EMT UC (no split)\n");
	done(&p);
}

/* §16.4: the special-page loop costs 2^order per decision. */
static void defect4_special_loop(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, cfg_ept(true), P2MK_RECALC_XEN);
	assert_int_equal(p2mk_p2m_assign_device(&p), P2MK_OK);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x40000), p2mk_mfn(0x40000),
	                              18, P2MK_P2M_RAM_RW),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_get_stats(&p).special_checks, 262144);
	hvmloader_mtrrs(&p, 0, 0xf0000000);
	bool ex;
	assert_int_equal(p2mk_p2m_touch(&p, p2mk_gfn(0x40000), 0, &ex),
	                 P2MK_OK);
	assert_true(ex);
	assert_int_equal(p2mk_p2m_get_stats(&p).special_checks, 2 * 262144);
	printf("defect 4: 262144 special-page tests per 1G EMT computation "
	       "(set and each resolve)\n");
	done(&p);
}

/* §16.5: a non-contiguous PHYSMASK is accepted. */
static void defect5_noncontiguous_mask(void **state)
{
	(void)state;
	struct p2mk_p2m p;
	mk(&p, &p2mk_policy_xen_ept, cfg_ept(true), P2MK_RECALC_EXACT);
	assert_int_equal(p2mk_p2m_assign_device(&p), P2MK_OK);
	/* Bits 35:28 and bit 20: every other MiB of the first 256 MiB. */
	wr(&p, 0, P2MK_MSR_MTRR_PHYSBASE0, 0 | P2MK_MT_UC);
	wr(&p, 0, P2MK_MSR_MTRR_PHYSMASK0,
	   UINT64_C(0xff0100000) | P2MK_MTRR_MASK_V);
	wr(&p, 0, P2MK_MSR_MTRR_DEF_TYPE, P2MK_MTRR_DEF_E | P2MK_MT_WB);
	assert_int_equal(
	    p2mk_xen_mtrr_get_type(&p.vcpu[0], p2mk_gpa(0x200000), 0),
	    P2MK_MT_UC);
	assert_int_equal(
	    p2mk_xen_mtrr_get_type(&p.vcpu[0], p2mk_gpa(0x300000), 0),
	    P2MK_MT_WB);
	/* At order 9 the hole bit is cut off: the whole 2M is UC. */
	assert_int_equal(
	    p2mk_xen_mtrr_get_type(&p.vcpu[0], p2mk_gpa(0x200000), 9),
	    P2MK_MT_UC);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x200), p2mk_mfn(0x200), 9,
	                              P2MK_P2M_RAM_RW),
	                 P2MK_OK);
	assert_int_equal(get(&p, 0x300).attrs.mt, P2MK_MT_UC);
	printf("defect 5: mask 0xff0100000 accepted; 2M page at 2M is EMT "
	       "UC although its upper MiB is WB\n");
	done(&p);
}

/* §16.6: the EMT depends on which vCPU takes the exit. */
static void defect6_vcpu_order(void **state)
{
	(void)state;
	uint8_t emt[2];
	for (unsigned who = 0; who < 2; who++) {
		struct p2mk_p2m p;
		struct p2mk_p2m_config c = cfg_ept(true);
		c.nvcpus = 2;
		mk(&p, &p2mk_policy_xen_ept, c, P2MK_RECALC_XEN);
		assert_int_equal(p2mk_p2m_assign_device(&p), P2MK_OK);
		assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x400),
		                              p2mk_mfn(0x400), 9,
		                              P2MK_P2M_RAM_RW),
		                 P2MK_OK);
		hvmloader_mtrrs(&p, 0, 0xf0000000);
		/* vCPU 1 runs with WT as default type (no check made). */
		wr(&p, 1, P2MK_MSR_MTRR_DEF_TYPE, P2MK_MTRR_DEF_E | P2MK_MT_WT);
		bool ex;
		assert_int_equal(p2mk_p2m_touch(&p, p2mk_gfn(0x400), who, &ex),
		                 P2MK_OK);
		assert_true(ex);
		emt[who] = get(&p, 0x400).attrs.mt;
		done(&p);
	}
	assert_int_equal(emt[0], P2MK_MT_WB);
	assert_int_equal(emt[1], P2MK_MT_WT);
	printf("defect 6: same domain, same MSRs: EMT WB if vCPU 0 faults "
	       "first, WT if vCPU 1 does\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defect1_save_record),
	    cmocka_unit_test(defect2_iommu_without_devices),
	    cmocka_unit_test(defect2_pvh_order),
	    cmocka_unit_test(defect2_uc_pin),
	    cmocka_unit_test(finding_iomem_deny),
	    cmocka_unit_test(defect3_partial_coverage),
	    cmocka_unit_test(defect4_special_loop),
	    cmocka_unit_test(defect5_noncontiguous_mask),
	    cmocka_unit_test(defect6_vcpu_order),
	};
	return tp2m_run_tests(tests);
}
