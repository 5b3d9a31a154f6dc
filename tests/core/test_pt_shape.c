// SPDX-License-Identifier: BSD-2-Clause
/*
 * Shape tests for the page-table engine: entry encodings against the
 * manuals' bit layouts (docs/pt.md cites the tables), and the raw tables
 * checked entry by entry after each kind of operation, for every built-in
 * format.  Also the 32 GiB BAR acceptance line of issue 4.
 */
#include "test_pt_common.h"

static const struct p2mk_pt_fmt *const all_fmts[] = {
    &p2mk_pt_fmt_ept4,     &p2mk_pt_fmt_ept5,      &p2mk_pt_fmt_npt,
    &p2mk_pt_fmt_npt5,     &p2mk_pt_fmt_arm_s2_l3, &p2mk_pt_fmt_arm_s2_l4,
    &p2mk_pt_fmt_vtd_sl3,  &p2mk_pt_fmt_vtd_sl4,   &p2mk_pt_fmt_vtd_sl5,
    &p2mk_pt_fmt_amdv1_l3, &p2mk_pt_fmt_amdv1_l4,  &p2mk_pt_fmt_amdv1_l4_ps,
};
#define NFMTS (sizeof(all_fmts) / sizeof(all_fmts[0]))

#define B(n) P2MK_BIT(n)

static uint64_t leaf_of(const struct p2mk_pt_fmt *f,
                        const struct p2mk_pt_attrs *a, unsigned level)
{
	assert_int_equal(f->ops->check(f, a), P2MK_OK);
	return f->ops->leaf(f, a, level);
}

static void roundtrip(const struct p2mk_pt_fmt *f,
                      const struct p2mk_pt_attrs *a, unsigned level)
{
	struct p2mk_pt_attrs d;
	f->ops->decode(f, leaf_of(f, a, level), level, &d);
	assert_true(ptt_attrs_eq(a, &d));
}

/* ---- encodings ------------------------------------------------------ */

/* SDM vol. 3C Tables 29-4 (2 MiB PDE), 29-6 (PTE); x86 §8.1. */
static void enc_ept(void **state)
{
	(void)state;
	const struct p2mk_pt_fmt *f = &p2mk_pt_fmt_ept4;
	struct p2mk_pt_attrs a = {P2MK_PT_R | P2MK_PT_W | P2MK_PT_X, 6, 0, 0,
	                          P2MK_PT_IPAT};
	assert_int_equal(leaf_of(f, &a, 0), 0x77);        /* RWX WB IPAT */
	assert_int_equal(leaf_of(f, &a, 1), 0x77 | B(7)); /* PS */
	assert_int_equal(leaf_of(f, &a, 2), 0x77 | B(7));
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 0, 0, 0x2a,
	                           P2MK_PT_A | P2MK_PT_D | P2MK_PT_SNP |
	                               P2MK_PT_SVE | P2MK_PT_RECALC};
	assert_int_equal(leaf_of(f, &a, 0), 0x1 | B(8) | B(9) | B(11) |
	                                        (UINT64_C(0x2a) << 52) | B(62) |
	                                        B(63));
	roundtrip(f, &a, 0);
	roundtrip(f, &a, 2);
	/* EMT 7 is reserved but written on purpose (xen §9.1) */
	a = (struct p2mk_pt_attrs){P2MK_PT_R | P2MK_PT_W, 7, 0, 0, 0};
	assert_int_equal(leaf_of(f, &a, 0), 0x3 | (7 << 3));
	/* execute-only is allowed; write without read is a misconfig */
	a = (struct p2mk_pt_attrs){P2MK_PT_X, 0, 0, 0, 0};
	assert_int_equal(leaf_of(f, &a, 0), 0x4);
	a.perm = P2MK_PT_W;
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	a.perm = P2MK_PT_W | P2MK_PT_X;
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	a = (struct p2mk_pt_attrs){0, 0, 0, 0, 0};
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 8, 0, 0, 0}; /* EMT is 3 bits */
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 0, 1, 0, 0}; /* no SH in EPT */
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 0, 0, 64, 0}; /* sw 6 bits */
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 0, 0, 0, P2MK_PT_FC};
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	/* non-leaf: RWX, bits 7:3 zero */
	assert_int_equal(f->ops->table(f, 0x123456000, 3), 0x123456007);
}

/* APM vol. 2 §5.4 Figures 5-20/5-21/5-22; x86 §6.2 PAT index. */
static void enc_npt(void **state)
{
	(void)state;
	const struct p2mk_pt_fmt *f = &p2mk_pt_fmt_npt;
	struct p2mk_pt_attrs a = {P2MK_PT_R | P2MK_PT_W | P2MK_PT_X, 5, 0, 0,
	                          0};
	/* index 5 = PAT + PWT: PAT is bit 7 in a PTE, bit 12 above */
	assert_int_equal(leaf_of(f, &a, 0), 0x1 | 0x2 | 0x4 | 0x8 | B(7));
	assert_int_equal(leaf_of(f, &a, 1),
	                 0x1 | 0x2 | 0x4 | 0x8 | B(7) | B(12));
	assert_int_equal(leaf_of(f, &a, 2),
	                 0x1 | 0x2 | 0x4 | 0x8 | B(7) | B(12));
	roundtrip(f, &a, 0);
	roundtrip(f, &a, 1);
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 2, 0, 0x3f,
	                           P2MK_PT_A | P2MK_PT_D | P2MK_PT_RECALC};
	/* read-only, PCD, NX, A, D, AVL bit 11, software bits 57:52 */
	assert_int_equal(leaf_of(f, &a, 0), 0x1 | 0x4 | 0x10 | B(5) | B(6) |
	                                        B(11) | (UINT64_C(0x3f) << 52) |
	                                        B(63));
	roundtrip(f, &a, 0);
	roundtrip(f, &a, 2);
	for (unsigned i = 0; i < 8; i++) {
		a = (struct p2mk_pt_attrs){P2MK_PT_R, (uint8_t)i, 0, 0, 0};
		roundtrip(f, &a, 0);
		roundtrip(f, &a, 1);
	}
	a = (struct p2mk_pt_attrs){P2MK_PT_W, 0, 0, 0, 0}; /* always readable */
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 0, 0, 0, P2MK_PT_IPAT};
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	assert_int_equal(f->ops->table(f, 0xabc000, 1), 0xabc007);
}

/* DDI 0487 D8.3 (stage-2 block and page descriptors); arm64 §3. */
static void enc_arm(void **state)
{
	(void)state;
	const struct p2mk_pt_fmt *f = &p2mk_pt_fmt_arm_s2_l4;
	struct p2mk_pt_attrs a = {P2MK_PT_R | P2MK_PT_W | P2MK_PT_X, 0xf, 3, 0,
	                          P2MK_PT_A};
	/* page: 0b11, MemAttr 1111 (Normal WB), S2AP 11, SH 11, AF */
	assert_int_equal(leaf_of(f, &a, 0), 0x3 | 0x3c | 0xc0 | 0x300 | 0x400);
	/* block at levels 1 and 2 (Arm levels 2 and 1): 0b01 */
	assert_int_equal(leaf_of(f, &a, 1), 0x1 | 0x3c | 0xc0 | 0x300 | 0x400);
	assert_int_equal(leaf_of(f, &a, 2), 0x1 | 0x3c | 0xc0 | 0x300 | 0x400);
	/* Device-nGnRE (0001), read-only, non-shareable, XN, sw, recalc */
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 0x1, 0, 0xa,
	                           P2MK_PT_A | P2MK_PT_RECALC};
	assert_int_equal(leaf_of(f, &a, 0), 0x3 | (0x1 << 2) | B(6) | B(10) |
	                                        B(54) | (UINT64_C(0xa) << 55) |
	                                        B(59));
	roundtrip(f, &a, 0);
	roundtrip(f, &a, 1);
	/* Normal-NC (0101) write-only, execute: S2AP 10 */
	a = (struct p2mk_pt_attrs){P2MK_PT_W | P2MK_PT_X, 0x5, 2, 0, 0};
	assert_int_equal(leaf_of(f, &a, 0), 0x3 | (0x5 << 2) | B(7) | (2 << 8));
	roundtrip(f, &a, 0);
	/* MemAttr 01xx with inner 00 is UNPREDICTABLE; SH 01 reserved */
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 0x4, 0, 0, 0};
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 0xf, 1, 0, 0};
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 0xf, 3, 16, 0}; /* 4 sw bits */
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 0xf, 3, 0, P2MK_PT_D};
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	/* table descriptor: 0b11 and the address, nothing else */
	assert_int_equal(f->ops->table(f, 0x40000000, 2), 0x40000003);
	/* the 40-bit IPA, 3-level instance has 2 concatenated roots */
	assert_int_equal(p2mk_pt_fmt_root_pages(&p2mk_pt_fmt_arm_s2_l3), 2);
	assert_int_equal(p2mk_pt_fmt_root_pages(&p2mk_pt_fmt_arm_s2_l4), 1);
	struct p2mk_pt_fmt d;
	assert_int_equal(
	    p2mk_pt_fmt_derive(&d, &p2mk_pt_fmt_arm_s2_l3, 43, 0, 0), P2MK_OK);
	assert_int_equal(p2mk_pt_fmt_root_pages(&d), 16);
	assert_int_equal(
	    p2mk_pt_fmt_derive(&d, &p2mk_pt_fmt_arm_s2_l3, 44, 0, 0),
	    P2MK_ERR_INVAL); /* would need 32 */
	/* x86 formats never concatenate */
	assert_int_equal(p2mk_pt_fmt_derive(&d, &p2mk_pt_fmt_ept4, 49, 0, 0),
	                 P2MK_ERR_INVAL);
	/* leaf sets must be a subset, hole-free, with 4 KiB */
	assert_int_equal(p2mk_pt_fmt_derive(&d, &p2mk_pt_fmt_ept4, 0, 0, 0x5),
	                 P2MK_ERR_INVAL);
	assert_int_equal(p2mk_pt_fmt_derive(&d, &p2mk_pt_fmt_ept4, 0, 0, 0xf),
	                 P2MK_ERR_INVAL);
	assert_int_equal(p2mk_pt_fmt_derive(&d, &p2mk_pt_fmt_ept4, 0, 0, 0x2),
	                 P2MK_ERR_INVAL);
	assert_int_equal(p2mk_pt_fmt_derive(&d, &p2mk_pt_fmt_ept4, 0, 53, 0),
	                 P2MK_ERR_INVAL);
}

/* VT-d spec §9.8, second-stage paging entries. */
static void enc_vtd(void **state)
{
	(void)state;
	const struct p2mk_pt_fmt *f = &p2mk_pt_fmt_vtd_sl4;
	struct p2mk_pt_attrs a = {P2MK_PT_R | P2MK_PT_W, 0, 0, 0, P2MK_PT_SNP};
	assert_int_equal(leaf_of(f, &a, 0), 0x3 | B(11));
	assert_int_equal(leaf_of(f, &a, 1), 0x3 | B(7) | B(11));
	assert_int_equal(leaf_of(f, &a, 2), 0x3 | B(7) | B(11));
	a = (struct p2mk_pt_attrs){P2MK_PT_W, 0, 0, 0x15,
	                           P2MK_PT_A | P2MK_PT_D | P2MK_PT_RECALC};
	assert_int_equal(leaf_of(f, &a, 0),
	                 0x2 | B(8) | B(9) | B(10) | (UINT64_C(0x15) << 52));
	roundtrip(f, &a, 0);
	roundtrip(f, &a, 1);
	a = (struct p2mk_pt_attrs){P2MK_PT_R | P2MK_PT_X, 0, 0, 0, 0};
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 6, 0, 0, 0};
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	assert_int_equal(f->ops->table(f, 0x7000, 2), 0x7003);
}

/* AMD IOMMU spec §2.2.3, I/O page table entries (PDE and PTE). */
static void enc_amdv1(void **state)
{
	(void)state;
	const struct p2mk_pt_fmt *f = &p2mk_pt_fmt_amdv1_l4;
	struct p2mk_pt_attrs a = {P2MK_PT_R | P2MK_PT_W, 0, 0, 0, P2MK_PT_FC};
	/* PR, Next Level 0 at every level, FC 60, IR 61, IW 62 */
	uint64_t want = 0x1 | B(60) | B(61) | B(62);
	assert_int_equal(leaf_of(f, &a, 0), want);
	assert_int_equal(leaf_of(f, &a, 1), want);
	assert_int_equal(leaf_of(f, &a, 2), want);
	a = (struct p2mk_pt_attrs){P2MK_PT_R, 0, 0, 0x3f,
	                           P2MK_PT_A | P2MK_PT_D | P2MK_PT_RECALC};
	/* sw[3:0] in ignored bits 4:1, sw[5:4] in 8:7, recalc in 63 */
	assert_int_equal(leaf_of(f, &a, 0), 0x1 | (0xf << 1) | B(5) | B(6) |
	                                        (0x3 << 7) | B(61) | B(63));
	roundtrip(f, &a, 0);
	roundtrip(f, &a, 2);
	a = (struct p2mk_pt_attrs){P2MK_PT_X | P2MK_PT_R, 0, 0, 0, 0};
	assert_int_equal(f->ops->check(f, &a), P2MK_ERR_INVAL);
	/* the "page size" form: Next Level 7, size as trailing ones */
	const struct p2mk_pt_fmt *ps = &p2mk_pt_fmt_amdv1_l4_ps;
	a = (struct p2mk_pt_attrs){P2MK_PT_R | P2MK_PT_W, 0, 0, 0, 0};
	assert_int_equal(leaf_of(ps, &a, 0), 0x1 | B(61) | B(62)); /* NL 0 */
	assert_int_equal(leaf_of(ps, &a, 1),
	                 0x1 | (7 << 9) | P2MK_GENMASK(19, 12) | B(61) | B(62));
	assert_int_equal(leaf_of(ps, &a, 2),
	                 0x1 | (7 << 9) | P2MK_GENMASK(28, 12) | B(61) | B(62));
	roundtrip(ps, &a, 2);
	/* both forms translate to the same frame */
	struct ptt_env env;
	ptt_setup(&env, ps);
	assert_int_equal(p2mk_pt_map(&env.pt, p2mk_gfn(1u << 18),
	                             p2mk_mfn(5u << 18), 1u << 18, &a,
	                             P2MK_PT_ORDER_ANY, 0),
	                 P2MK_OK);
	struct p2mk_pt_leaf l;
	assert_int_equal(p2mk_pt_lookup(&env.pt, p2mk_gfn((1u << 18) + 77), &l),
	                 P2MK_OK);
	assert_int_equal(l.mfn.v, 5u << 18);
	assert_int_equal(l.order, 18);
	assert_int_equal(l.raw, leaf_of(ps, &a, 2) | (UINT64_C(5) << 30));
	ptt_teardown(&env);
	/* PDE: Next Level = level of the table it points to (no skipping) */
	assert_int_equal(f->ops->table(f, 0x5000, 1),
	                 0x5000 | 0x1 | (1 << 9) | B(61) | B(62));
	assert_int_equal(f->ops->table(f, 0x5000, 3),
	                 0x5000 | 0x1 | (3 << 9) | B(61) | B(62));
}

/* ---- raw table shapes ----------------------------------------------- */

/* The table holding level-@level entries for @gfn, or NULL. */
static uint64_t *raw_table(const struct p2mk_pt *pt, uint64_t gfn,
                           unsigned level)
{
	unsigned top = pt->fmt.levels - 1;
	uint64_t idx = gfn >> (9 * top);
	uint64_t *t = p2mk_pt_root_table(pt, (unsigned)(idx >> 9));
	for (unsigned L = top; L > level; L--) {
		uint64_t e = t[(gfn >> (9 * L)) & 511];
		if (!(e & pt->fmt.present_mask) ||
		    (e & pt->fmt.table_mask) != pt->fmt.table_match[L])
			return NULL;
		/* a table entry: exactly what the format's hook encodes */
		uint64_t pa = e & P2MK_GENMASK(pt->fmt.oa_hi, 12);
		assert_int_equal(e, pt->fmt.ops->table(&pt->fmt, pa, L));
		t = pt->mm.phys_to_virt(pt->mm.ctx, pa);
	}
	return t;
}

static uint64_t raw_index(uint64_t gfn, unsigned level)
{
	return (gfn >> (9 * level)) & 511;
}

/* Every entry of @t except @skip (or none, -1) is zero. */
static void only_entry(const uint64_t *t, int skip)
{
	for (int i = 0; i < 512; i++)
		if (i != skip && t[i] != 0)
			fail_msg("entry %d is %#" PRIx64 ", want 0", i, t[i]);
}

/*
 * One format through: map 4K, map 2M, map 1G, protect one page inside the
 * 1G (split 1G -> 2M -> 4K), unmap that page, map it back, defrag (merge
 * back to 1G), unmap all.  Raw tables are checked entry by entry.
 */
static void shape_one(const struct p2mk_pt_fmt *f)
{
	struct ptt_env env;
	ptt_setup(&env, f);
	struct p2mk_pt *pt = &env.pt;
	struct test_rng r = {0x1234};
	struct p2mk_pt_attrs a = ptt_rand_attrs(&r, f);
	struct p2mk_pt_attrs b = ptt_rand_attrs(&r, f);
	while (ptt_attrs_eq(&a, &b))
		b = ptt_rand_attrs(&r, f);
	const uint64_t G1 = UINT64_C(1) << 18; /* frames per 1 GiB */
	const uint64_t g4 = 5 * G1 + UINT64_C(3) * 512 + 7, m4 = 0x123457;
	const uint64_t g2 = 6 * G1 + UINT64_C(512) * 9,
	               m2 = UINT64_C(0x200) * 77;
	const uint64_t g1 = 7 * G1, m1 = 3 * G1;
	uint64_t base_tables = p2mk_pt_get_stats(pt).table_pages;
	unsigned top = f->levels - 1;

	/* 4 KiB: one path of tables, one leaf */
	assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(g4), p2mk_mfn(m4), 1, &a,
	                             P2MK_PT_ORDER_ANY, 0),
	                 P2MK_OK);
	uint64_t *t0 = raw_table(pt, g4, 0);
	assert_non_null(t0);
	assert_int_equal(t0[raw_index(g4, 0)],
	                 f->ops->leaf(f, &a, 0) | (m4 << 12));
	only_entry(t0, (int)raw_index(g4, 0));
	assert_int_equal(p2mk_pt_get_stats(pt).table_pages, base_tables + top);
	assert_int_equal(env.nev, 0); /* nothing was present */

	/* 2 MiB: one leaf at level 1 in a fresh level-1 table */
	assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(g2), p2mk_mfn(m2), 512, &a,
	                             P2MK_PT_ORDER_ANY, 0),
	                 P2MK_OK);
	uint64_t *t1 = raw_table(pt, g2, 1);
	assert_non_null(t1);
	assert_int_equal(t1[raw_index(g2, 1)],
	                 f->ops->leaf(f, &a, 1) | (m2 << 12));
	only_entry(t1, (int)raw_index(g2, 1));
	assert_null(raw_table(pt, g2, 0));

	/* 1 GiB: one leaf at level 2 */
	assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(g1), p2mk_mfn(m1), G1, &a,
	                             P2MK_PT_ORDER_ANY, 0),
	                 P2MK_OK);
	uint64_t *t2 = raw_table(pt, g1, 2);
	assert_non_null(t2);
	uint64_t leaf1g = f->ops->leaf(f, &a, 2) | (m1 << 12);
	assert_int_equal(t2[raw_index(g1, 2)], leaf1g);
	uint64_t tables = p2mk_pt_get_stats(pt).table_pages;

	/* protect one page in the middle: split exactly to 4 KiB */
	const uint64_t gp = g1 + UINT64_C(512) * 100 + 33;
	env.nev = 0;
	assert_int_equal(
	    p2mk_pt_protect(pt, p2mk_gfn(gp), 1, &b, &P2MK_PT_ATTRS_ALL),
	    P2MK_OK);
	assert_int_equal(p2mk_pt_get_stats(pt).table_pages, tables + 2);
	t1 = raw_table(pt, gp, 1);
	t0 = raw_table(pt, gp, 0);
	assert_non_null(t1);
	assert_non_null(t0);
	for (uint64_t i = 0; i < 512; i++) {
		if (i == 100)
			continue;
		assert_int_equal(t1[i], f->ops->leaf(f, &a, 1) |
		                            ((m1 + i * 512) << 12));
	}
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t m = m1 + UINT64_C(512) * 100 + i;
		const struct p2mk_pt_attrs *w = i == 33 ? &b : &a;
		assert_int_equal(t0[i], f->ops->leaf(f, w, 0) | (m << 12));
	}
	/* the splits and the change were reported */
	bool big = false, small = false;
	for (size_t i = 0; i < env.nev; i++) {
		if (env.ev[i].kind != PTT_INVAL)
			continue;
		big |= env.ev[i].gfn == g1 && env.ev[i].count == G1 &&
		       env.ev[i].nonleaf;
		small |=
		    env.ev[i].gfn <= gp && env.ev[i].gfn + env.ev[i].count > gp;
	}
	assert_true(big);
	assert_true(small);
	ptt_events_done(&env);

	/* unmap the page: only its entry goes */
	assert_int_equal(p2mk_pt_unmap(pt, p2mk_gfn(gp), 1), P2MK_OK);
	assert_int_equal(t0[33], 0);
	assert_int_equal(t0[32], f->ops->leaf(f, &a, 0) |
	                             ((m1 + UINT64_C(512) * 100 + 32) << 12));
	assert_int_equal(p2mk_pt_get_stats(pt).table_pages, tables + 2);
	ptt_events_done(&env);

	/* not merged automatically: map it back as it was, still split */
	assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(gp), p2mk_mfn(m1 + gp - g1),
	                             1, &a, P2MK_PT_ORDER_ANY, 0),
	                 P2MK_OK);
	assert_int_equal(p2mk_pt_get_stats(pt).table_pages, tables + 2);
	/* defrag merges both levels back into the original 1 GiB leaf */
	assert_int_equal(p2mk_pt_defrag(pt, p2mk_gfn(g1), G1), P2MK_OK);
	assert_int_equal(p2mk_pt_get_stats(pt).table_pages, tables);
	assert_int_equal(t2[raw_index(g1, 2)], leaf1g);
	assert_int_equal(p2mk_pt_get_stats(pt).merges, 2);
	ptt_events_done(&env);

	/* unmap with a partial range leaves the empty table for defrag */
	assert_int_equal(p2mk_pt_unmap(pt, p2mk_gfn(g2), 512), P2MK_OK);
	t1 = raw_table(pt, g2, 1);
	assert_non_null(t1);
	only_entry(t1, -1);
	assert_int_equal(p2mk_pt_defrag(pt, p2mk_gfn(g2 & ~(G1 - 1)), G1),
	                 P2MK_OK);
	assert_null(raw_table(pt, g2, 1));
	ptt_events_done(&env);

	/* unmap everything: the whole subtree goes, root stays */
	assert_int_equal(p2mk_pt_unmap(pt, p2mk_gfn(0), 8 * G1), P2MK_OK);
	ptt_events_done(&env);
	for (unsigned i = 0; i < p2mk_pt_fmt_root_pages(f); i++) {
		/* the root entry for the low 8 GiB may remain as an empty
		 * table (partial range); defrag removes it */
		(void)i;
	}
	assert_int_equal(p2mk_pt_defrag(pt, p2mk_gfn(0), pt->gfn_limit),
	                 P2MK_OK);
	ptt_events_done(&env);
	for (unsigned i = 0; i < p2mk_pt_fmt_root_pages(f); i++)
		only_entry(p2mk_pt_root_table(pt, i), -1);
	assert_int_equal(p2mk_pt_get_stats(pt).table_pages,
	                 p2mk_pt_fmt_root_pages(f));
	ptt_teardown(&env);
}

static void shape_all(void **state)
{
	(void)state;
	for (size_t i = 0; i < NFMTS; i++)
		shape_one(all_fmts[i]);
}

/* Overmapping is refused unless asked; attribute remaps are fine. */
static void overmap(void **state)
{
	(void)state;
	for (size_t k = 0; k < NFMTS; k++) {
		const struct p2mk_pt_fmt *f = all_fmts[k];
		struct ptt_env env;
		ptt_setup(&env, f);
		struct test_rng r = {k + 1};
		struct p2mk_pt_attrs a = ptt_rand_attrs(&r, f);
		struct p2mk_pt_attrs b = ptt_rand_attrs(&r, f);
		struct p2mk_pt *pt = &env.pt;
		assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(0x1000),
		                             p2mk_mfn(0x5000), 1024, &a,
		                             P2MK_PT_ORDER_ANY, 0),
		                 P2MK_OK);
		struct ptt_snap s0 = {0}, s1 = {0};
		ptt_snapshot(pt, 0, 0x10000, &s0);
		/* one page of 1024 differs: refused, nothing written */
		assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(0xe00),
		                             p2mk_mfn(0x4e00), 0x401, &a,
		                             P2MK_PT_ORDER_ANY, 0),
		                 P2MK_OK); /* same outputs: fine */
		assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(0x13ff),
		                             p2mk_mfn(0x9000), 2, &a,
		                             P2MK_PT_ORDER_ANY, 0),
		                 P2MK_ERR_EXISTS);
		ptt_events_done(&env);
		assert_int_equal(p2mk_pt_unmap(pt, p2mk_gfn(0xe00), 0x200),
		                 P2MK_OK);
		ptt_events_done(&env);
		ptt_snapshot(pt, 0, 0x10000, &s1);
		ptt_snap_equal(&s0, &s1);
		/* attribute change on the same outputs is allowed */
		assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(0x1000),
		                             p2mk_mfn(0x5000), 1024, &b,
		                             P2MK_PT_ORDER_ANY, 0),
		                 P2MK_OK);
		struct p2mk_pt_leaf l;
		assert_int_equal(p2mk_pt_lookup(pt, p2mk_gfn(0x1234), &l),
		                 P2MK_OK);
		assert_true(ptt_attrs_eq(&l.attrs, &b));
		ptt_events_done(&env);
		/* with REPLACE the output moves, and it is invalidated */
		assert_int_equal(
		    p2mk_pt_map(pt, p2mk_gfn(0x1200), p2mk_mfn(0x77000), 0x200,
		                &a, P2MK_PT_ORDER_ANY, P2MK_PT_MAP_REPLACE),
		    P2MK_OK);
		assert_int_equal(p2mk_pt_lookup(pt, p2mk_gfn(0x1234), &l),
		                 P2MK_OK);
		assert_int_equal(l.mfn.v + (0x1234 - l.gfn.v), 0x77034);
		assert_int_equal(l.order, 9);
		bool covered = false;
		for (size_t i = 0; i < env.nev; i++)
			covered |= env.ev[i].kind == PTT_INVAL &&
			           env.ev[i].gfn <= 0x1200 &&
			           env.ev[i].gfn + env.ev[i].count >= 0x1400;
		assert_true(covered);
		ptt_events_done(&env);
		/* bad arguments */
		assert_int_equal(
		    p2mk_pt_map(pt, p2mk_gfn(0), p2mk_mfn(0), 0, &a, 0, 0),
		    P2MK_ERR_INVAL);
		assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(pt->gfn_limit - 1),
		                             p2mk_mfn(0), 2, &a, 0, 0),
		                 P2MK_ERR_RANGE);
		assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(0),
		                             p2mk_mfn(pt->mfn_limit), 1, &a, 0,
		                             0),
		                 P2MK_ERR_RANGE);
		assert_int_equal(
		    p2mk_pt_map(pt, p2mk_gfn(0), p2mk_mfn(0), 1, &a, 0, 0x80),
		    P2MK_ERR_INVAL);
		assert_int_equal(
		    p2mk_pt_lookup(pt, p2mk_gfn(pt->gfn_limit), &l),
		    P2MK_ERR_RANGE);
		assert_int_equal(p2mk_pt_lookup(pt, p2mk_gfn(0), &l),
		                 P2MK_ERR_NOENT);
		ptt_snap_free(&s0);
		ptt_snap_free(&s1);
		ptt_teardown(&env);
	}
}

/*
 * Issue 4: "Mapping a 32 GiB, 1 GiB-aligned BAR uses 32 entries where
 * 1 GiB leaves are allowed and 16,384 where only 2 MiB are."
 */
static void bar_32g(void **state)
{
	(void)state;
	const uint64_t G1 = UINT64_C(1) << 18;
	for (size_t k = 0; k < NFMTS; k++) {
		for (int no1g = 0; no1g < 2; no1g++) {
			struct p2mk_pt_fmt f = *all_fmts[k];
			if (no1g)
				f.leaf_levels = 0x3;
			struct ptt_env env;
			ptt_setup(&env, &f);
			struct p2mk_pt_attrs a = {P2MK_PT_R | P2MK_PT_W, 0, 0,
			                          0, 0};
			uint64_t gfn = 64 * G1, mfn = 96 * G1;
			assert_int_equal(p2mk_pt_map(&env.pt, p2mk_gfn(gfn),
			                             p2mk_mfn(mfn), 32 * G1, &a,
			                             P2MK_PT_ORDER_ANY, 0),
			                 P2MK_OK);
			struct ptt_count c =
			    ptt_count_leaves(&env.pt, gfn, 32 * G1);
			if (no1g) {
				assert_int_equal(c.total, 16384);
				assert_int_equal(c.leaves[1], 16384);
			} else {
				assert_int_equal(c.total, 32);
				assert_int_equal(c.leaves[2], 32);
			}
			assert_int_equal(
			    p2mk_pt_get_stats(&env.pt).leaves_written, c.total);
			ptt_teardown(&env);
		}
	}
}

/* A caller-supplied contiguous concatenated root is used in place. */
static void concatenated_root(void **state)
{
	(void)state;
	struct test_alloc al;
	test_alloc_init(&al);
	uint64_t *root = aligned_alloc(8192, 8192);
	assert_non_null(root);
	memset(root, 0, 8192);
	struct p2mk_pt pt;
	assert_int_equal(p2mk_pt_init_with_root(&pt, &p2mk_pt_fmt_arm_s2_l3,
	                                        &al.ops, NULL, root),
	                 P2MK_OK);
	assert_int_equal(p2mk_pt_root_pa(&pt), (uint64_t)(uintptr_t)root);
	struct p2mk_pt_attrs a = {P2MK_PT_R, 0xf, 3, 0, P2MK_PT_A};
	/* IPA 2^39 + 1 GiB: the second root page, entry 1 */
	uint64_t gfn = (UINT64_C(1) << 27) + (UINT64_C(1) << 18);
	assert_int_equal(p2mk_pt_map(&pt, p2mk_gfn(gfn), p2mk_mfn(1u << 18),
	                             1u << 18, &a, P2MK_PT_ORDER_ANY, 0),
	                 P2MK_OK);
	assert_int_equal(root[512 + 1], p2mk_pt_fmt_arm_s2_l3.ops->leaf(
	                                    &p2mk_pt_fmt_arm_s2_l3, &a, 2) |
	                                    (UINT64_C(1) << 30));
	p2mk_pt_destroy(&pt);
	assert_int_equal(al.live, 0);
	free(root);
}

/*
 * A 4 KiB-only map of 16 GiB (2^22 pages) is big enough for the engine to
 * fill its fresh tables with streaming stores: every entry must be exactly
 * what the same map written in two halves (ordinary stores) gives.
 */
static void huge_4k_map_writes_same_entries_as_halves(void **state)
{
	(void)state;
	const uint64_t n = UINT64_C(1) << 22, g0 = UINT64_C(1) << 24;
	const struct p2mk_pt_attrs a = {P2MK_PT_R | P2MK_PT_W, 6, 0, 5,
	                                P2MK_PT_IPAT};
	struct ptt_env whole, halves;
	struct ptt_snap sw = {0}, sh = {0};
	ptt_setup(&whole, &p2mk_pt_fmt_ept4);
	ptt_setup(&halves, &p2mk_pt_fmt_ept4);
	assert_int_equal(
	    p2mk_pt_map(&whole.pt, p2mk_gfn(g0), p2mk_mfn(g0 + 7), n, &a, 0, 0),
	    P2MK_OK);
	for (uint64_t h = 0; h < 2; h++)
		assert_int_equal(
		    p2mk_pt_map(&halves.pt, p2mk_gfn(g0 + h * n / 2),
		                p2mk_mfn(g0 + 7 + h * n / 2), n / 2, &a, 0, 0),
		    P2MK_OK);
	ptt_snapshot(&whole.pt, g0, n, &sw);
	ptt_snapshot(&halves.pt, g0, n, &sh);
	/* the leaves, and table entries at levels 1, 2 and 3 */
	assert_int_equal(sw.n, n + n / 512 + 16 + 1);
	assert_int_equal(sw.n, sh.n);
	for (size_t i = 0; i < sw.n; i++) {
		assert_int_equal(sw.e[i].gfn, sh.e[i].gfn);
		assert_int_equal(sw.e[i].level, sh.e[i].level);
		if (!sw.e[i].table) /* tables sit at other addresses */
			assert_int_equal(sw.e[i].raw, sh.e[i].raw);
	}
	ptt_snap_free(&sw);
	ptt_snap_free(&sh);
	ptt_teardown(&whole);
	ptt_teardown(&halves);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(enc_ept),
	    cmocka_unit_test(enc_npt),
	    cmocka_unit_test(enc_arm),
	    cmocka_unit_test(enc_vtd),
	    cmocka_unit_test(enc_amdv1),
	    cmocka_unit_test(shape_all),
	    cmocka_unit_test(overmap),
	    cmocka_unit_test(bar_32g),
	    cmocka_unit_test(concatenated_root),
	    cmocka_unit_test(huge_4k_map_writes_same_entries_as_halves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
