// SPDX-License-Identifier: BSD-2-Clause
/*
 * MTRR and PAT MSR interface: every #GP condition of x86 §4 (and Xen's
 * vMTRR validation, xen-reference-behaviour.md §3), the 88 fixed-range
 * positions, the four overlap behaviours and save/restore.
 */
#include "test_support.h"

#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

static const unsigned maxphyaddrs[] = {36, 39, 46, 52};

static struct p2mk_mtrr_state make_state(unsigned vcnt, unsigned m)
{
	struct p2mk_mtrr_state s;
	const struct p2mk_mtrr_config cfg = {(uint8_t)vcnt, (uint8_t)m, true,
	                                     true};
	assert_int_equal(p2mk_mtrr_init(&s, &cfg), P2MK_OK);
	return s;
}

/* A write that must fault: #GP returned, reason given, state unchanged. */
static void expect_gp(struct p2mk_mtrr_state *s, uint32_t msr, uint64_t v)
{
	struct p2mk_mtrr_state before = *s;
	struct p2mk_gp gp = {0};
	assert_int_equal(p2mk_mtrr_wrmsr(s, msr, v, &gp), P2MK_ERR_GP);
	assert_non_null(gp.reason);
	assert_int_equal(gp.msr, msr);
	assert_int_equal(gp.value, v);
	assert_memory_equal(&before, s, sizeof(before));
}

static void expect_ok(struct p2mk_mtrr_state *s, uint32_t msr, uint64_t v)
{
	struct p2mk_gp gp = {0};
	assert_int_equal(p2mk_mtrr_wrmsr(s, msr, v, &gp), P2MK_OK);
	uint64_t back = 0;
	assert_int_equal(p2mk_mtrr_rdmsr(s, msr, &back, &gp), P2MK_OK);
	assert_int_equal(back, v);
}

static bool mtrr_type_valid(unsigned t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

static void init_rejects_bad_config(void **state)
{
	(void)state;
	struct p2mk_mtrr_state s;
	memset(&s, 0xa5, sizeof(s));
	struct p2mk_mtrr_state before = s;
	struct p2mk_mtrr_config cfg = {41, 36, true, true};
	assert_int_equal(p2mk_mtrr_init(&s, &cfg), P2MK_ERR_INVAL);
	cfg = (struct p2mk_mtrr_config){8, 31, true, true};
	assert_int_equal(p2mk_mtrr_init(&s, &cfg), P2MK_ERR_INVAL);
	cfg = (struct p2mk_mtrr_config){8, 53, true, true};
	assert_int_equal(p2mk_mtrr_init(&s, &cfg), P2MK_ERR_INVAL);
	assert_memory_equal(&before, &s, sizeof(s));
	cfg = (struct p2mk_mtrr_config){8, 36, true, true};
	assert_int_equal(p2mk_mtrr_init(&s, &cfg), P2MK_OK);
	assert_int_equal(s.cap, 0x508); /* KVM's virtual value, x86 §3.2 */
	assert_int_equal(s.pat, P2MK_PAT_RESET);
	assert_int_equal(s.def_type, 0);
}

static void mtrrcap_is_read_only(void **state)
{
	(void)state;
	struct p2mk_mtrr_state s = make_state(8, 36);
	expect_gp(&s, P2MK_MSR_MTRRCAP, 0x508);
	expect_gp(&s, P2MK_MSR_MTRRCAP, s.cap);
	expect_gp(&s, P2MK_MSR_MTRRCAP, 0);
	uint64_t v = 0;
	assert_int_equal(p2mk_mtrr_rdmsr(&s, P2MK_MSR_MTRRCAP, &v, NULL),
	                 P2MK_OK);
	assert_int_equal(v, 0x508);
}

static void def_type_gp_rules(void **state)
{
	(void)state;
	struct p2mk_mtrr_state s = make_state(8, 36);
	/* Every reserved bit: 9:8 and 63:12. */
	for (unsigned bit = 8; bit < 64; bit++) {
		if (bit == 10 || bit == 11)
			continue;
		expect_gp(&s, P2MK_MSR_MTRR_DEF_TYPE, 0xc06 | P2MK_BIT(bit));
	}
	/* Every type byte. */
	for (unsigned t = 0; t < 256; t++) {
		if (mtrr_type_valid(t))
			expect_ok(&s, P2MK_MSR_MTRR_DEF_TYPE, 0xc00 | t);
		else
			expect_gp(&s, P2MK_MSR_MTRR_DEF_TYPE, 0xc00 | t);
	}
	expect_ok(&s, P2MK_MSR_MTRR_DEF_TYPE, 0);
	expect_ok(&s, P2MK_MSR_MTRR_DEF_TYPE, 0x806);
}

static void wc_needs_mtrrcap_wc(void **state)
{
	(void)state;
	struct p2mk_mtrr_state s;
	const struct p2mk_mtrr_config cfg = {8, 36, true, false};
	assert_int_equal(p2mk_mtrr_init(&s, &cfg), P2MK_OK);
	expect_gp(&s, P2MK_MSR_MTRR_DEF_TYPE, 0x801);
	expect_gp(&s, P2MK_MSR_MTRR_PHYSBASE0, 0x1);
	expect_gp(&s, P2MK_MSR_MTRR_FIX64K_00000, 0x0606060606060601);
	expect_ok(&s, P2MK_MSR_MTRR_PHYSBASE0, 0x6);
}

static const uint32_t fixed_msrs[11] = {0x250, 0x258, 0x259, 0x268,
                                        0x269, 0x26a, 0x26b, 0x26c,
                                        0x26d, 0x26e, 0x26f};

static void fixed_msr_gp_every_byte(void **state)
{
	(void)state;
	struct p2mk_mtrr_state s = make_state(8, 36);
	for (unsigned k = 0; k < 11; k++) {
		assert_int_equal(p2mk_mtrr_fixed_msr_index(fixed_msrs[k]),
		                 (int)k);
		for (unsigned pos = 0; pos < 8; pos++) {
			for (unsigned t = 0; t < 256; t++) {
				uint64_t v = UINT64_C(0x0606060606060606);
				v &= ~(UINT64_C(0xff) << (8 * pos));
				v |= (uint64_t)t << (8 * pos);
				if (mtrr_type_valid(t))
					expect_ok(&s, fixed_msrs[k], v);
				else
					expect_gp(&s, fixed_msrs[k], v);
			}
		}
	}
	/* Without MTRRcap.FIX the MSRs do not exist. */
	struct p2mk_mtrr_state nofix;
	const struct p2mk_mtrr_config cfg = {8, 36, false, true};
	assert_int_equal(p2mk_mtrr_init(&nofix, &cfg), P2MK_OK);
	expect_gp(&nofix, 0x250, 0);
	uint64_t v = 0;
	assert_int_equal(p2mk_mtrr_rdmsr(&nofix, 0x250, &v, NULL), P2MK_ERR_GP);
	/* Neighbours of the fixed MSRs are not fixed MSRs. */
	assert_int_equal(p2mk_mtrr_fixed_msr_index(0x251), -1);
	assert_int_equal(p2mk_mtrr_fixed_msr_index(0x25a), -1);
	assert_int_equal(p2mk_mtrr_fixed_msr_index(0x267), -1);
	assert_int_equal(p2mk_mtrr_fixed_msr_index(0x270), -1);
}

static void physbase_gp_rules(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		unsigned m = maxphyaddrs[i];
		struct p2mk_mtrr_state s = make_state(8, m);
		for (unsigned n = 0; n < 8; n++) {
			uint32_t msr = 0x200 + 2 * n;
			/* Reserved bits 11:8 and every bit at or above M. */
			for (unsigned bit = 8; bit < 12; bit++)
				expect_gp(&s, msr, 0x6 | P2MK_BIT(bit));
			for (unsigned bit = m; bit < 64; bit++)
				expect_gp(&s, msr, 0x6 | P2MK_BIT(bit));
			/* The highest implemented address bit is fine. */
			expect_ok(&s, msr, 0x6 | P2MK_BIT(m - 1));
			for (unsigned t = 0; t < 256; t++) {
				if (mtrr_type_valid(t))
					expect_ok(&s, msr, 0x80000000 | t);
				else
					expect_gp(&s, msr, 0x80000000 | t);
			}
		}
	}
}

static void physmask_gp_rules(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		unsigned m = maxphyaddrs[i];
		struct p2mk_mtrr_state s = make_state(8, m);
		for (unsigned n = 0; n < 8; n++) {
			uint32_t msr = 0x201 + 2 * n;
			uint64_t mask = (P2MK_BIT(m) - 1) & ~UINT64_C(0xfff);
			for (unsigned bit = 0; bit < 11; bit++)
				expect_gp(&s, msr,
				          mask | 0x800 | P2MK_BIT(bit));
			for (unsigned bit = m; bit < 64; bit++)
				expect_gp(&s, msr,
				          mask | 0x800 | P2MK_BIT(bit));
			expect_ok(&s, msr, mask | 0x800);
			expect_ok(&s, msr, mask); /* V = 0 is legal */
			/* Hardware accepts non-contiguous masks (x86 §4). */
			expect_ok(&s, msr,
			          0x800 | P2MK_BIT(m - 1) | P2MK_BIT(12));
		}
	}
}

static void var_pairs_beyond_vcnt_fault(void **state)
{
	(void)state;
	for (unsigned vcnt = 0; vcnt <= P2MK_MTRR_VCNT_MAX; vcnt += 4) {
		struct p2mk_mtrr_state s = make_state(vcnt, 46);
		for (unsigned n = 0; n < P2MK_MTRR_VCNT_MAX; n++) {
			uint64_t v = 0;
			for (unsigned half = 0; half < 2; half++) {
				uint32_t msr = 0x200 + 2 * n + half;
				if (n < vcnt) {
					expect_ok(&s, msr, half ? 0 : 6);
					continue;
				}
				expect_gp(&s, msr, half ? 0 : 6);
				assert_int_equal(
				    p2mk_mtrr_rdmsr(&s, msr, &v, NULL),
				    P2MK_ERR_GP);
			}
		}
	}
}

static void pat_msr_gp_and_unknown_msrs(void **state)
{
	(void)state;
	struct p2mk_mtrr_state s = make_state(8, 36);
	expect_ok(&s, P2MK_MSR_PAT, 0x0407050600070106); /* Linux layout */
	for (unsigned pos = 0; pos < 8; pos++) {
		uint64_t cleared = P2MK_PAT_RESET & ~(0xffull << (8 * pos));
		expect_gp(&s, P2MK_MSR_PAT, cleared | 2ull << (8 * pos));
		expect_gp(&s, P2MK_MSR_PAT,
		          P2MK_PAT_RESET | 0x80ull << (8 * pos));
	}
	const uint32_t unknown[] = {0x1f2, 0x1f3, 0x250 + 1, 0x2fe, 0x278, 0};
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		expect_gp(&s, unknown[i], 0);
		uint64_t v = 0;
		assert_int_equal(p2mk_mtrr_rdmsr(&s, unknown[i], &v, NULL),
		                 P2MK_ERR_GP);
	}
}

/* Start address of flattened fixed entry i, from the x86 §3.4 table. */
static uint64_t fixed_entry_start(unsigned i)
{
	if (i < 8)
		return (uint64_t)i * 0x10000;
	if (i < 24)
		return 0x80000 + (uint64_t)(i - 8) * 0x4000;
	return 0xc0000 + (uint64_t)(i - 24) * 0x1000;
}

static uint64_t fixed_entry_size(unsigned i)
{
	return i < 8 ? 0x10000 : i < 24 ? 0x4000 : 0x1000;
}

static void all_88_fixed_positions(void **state)
{
	(void)state;
	const uint8_t types[5] = {0, 1, 4, 5, 6};
	for (unsigned rot = 0; rot < 5; rot++) {
		struct p2mk_mtrr_state s = make_state(8, 36);
		uint8_t want[88];
		for (unsigned i = 0; i < 88; i++)
			want[i] = types[(i * 7 + rot) % 5];
		for (unsigned k = 0; k < 11; k++) {
			uint64_t v = 0;
			for (unsigned b = 0; b < 8; b++)
				v |= (uint64_t)want[8 * k + b] << (8 * b);
			expect_ok(&s, fixed_msrs[k], v);
		}
		/* A variable WB range over the first MiB must not matter. */
		expect_ok(&s, 0x200, 0x6);
		expect_ok(&s, 0x201, 0xfff00000 | 0x800);
		expect_ok(&s, P2MK_MSR_MTRR_DEF_TYPE, 0xc00); /* E | FE, UC */
		for (unsigned i = 0; i < 88; i++) {
			uint64_t lo = fixed_entry_start(i);
			uint64_t hi = lo + fixed_entry_size(i) - 1;
			assert_int_equal(p2mk_mtrr_fixed_index(p2mk_gpa(lo)),
			                 (int)i);
			assert_int_equal(p2mk_mtrr_fixed_index(p2mk_gpa(hi)),
			                 (int)i);
			struct p2mk_mtrr_lookup r = p2mk_mtrr_lookup(
			    &s, p2mk_gpa(hi), 0, P2MK_OVERLAP_SDM);
			assert_int_equal(r.kind, P2MK_LOOKUP_TYPE);
			assert_int_equal(r.source, P2MK_SRC_FIXED);
			assert_int_equal(r.type, want[i]);
		}
		/* FE = 0: the first MiB follows the variable range (WB). */
		expect_ok(&s, P2MK_MSR_MTRR_DEF_TYPE, 0x800);
		assert_int_equal(
		    p2mk_mtrr_lookup(&s, p2mk_gpa(0x1000), 0, 0).type,
		    P2MK_MT_WB);
		/* E = 0: UC everywhere. */
		expect_ok(&s, P2MK_MSR_MTRR_DEF_TYPE, 0x406);
		struct p2mk_mtrr_lookup r =
		    p2mk_mtrr_lookup(&s, p2mk_gpa(0x1000), 0, 0);
		assert_int_equal(r.type, P2MK_MT_UC);
		assert_int_equal(r.source, P2MK_SRC_DISABLED);
	}
	assert_int_equal(p2mk_mtrr_fixed_index(p2mk_gpa(0x100000)), -1);
}

/* Two 1 GiB ranges at 0 of types @a then @b, E=1, default UC. */
static struct p2mk_mtrr_state overlap_state(unsigned a, unsigned b)
{
	struct p2mk_mtrr_state s = make_state(8, 36);
	expect_ok(&s, 0x200, a);
	expect_ok(&s, 0x201, 0xfc0000800);
	expect_ok(&s, 0x202, b);
	expect_ok(&s, 0x203, 0xfc0000800);
	expect_ok(&s, P2MK_MSR_MTRR_DEF_TYPE, 0x800);
	return s;
}

static void four_overlap_behaviours(void **state)
{
	(void)state;
	const enum p2mk_overlap all[4] = {P2MK_OVERLAP_SDM, P2MK_OVERLAP_XEN,
	                                  P2MK_OVERLAP_KVM, P2MK_OVERLAP_LINUX};
	/* Defined combinations are the same under every behaviour. */
	for (unsigned i = 0; i < 4; i++) {
		struct p2mk_mtrr_state s =
		    overlap_state(P2MK_MT_WB, P2MK_MT_UC);
		assert_int_equal(
		    p2mk_mtrr_lookup(&s, p2mk_gpa(0x1000000), 0, all[i]).type,
		    P2MK_MT_UC);
		s = overlap_state(P2MK_MT_WT, P2MK_MT_WB);
		assert_int_equal(
		    p2mk_mtrr_lookup(&s, p2mk_gpa(0x1000000), 0, all[i]).type,
		    P2MK_MT_WT);
		s = overlap_state(P2MK_MT_WP, P2MK_MT_WP);
		assert_int_equal(
		    p2mk_mtrr_lookup(&s, p2mk_gpa(0x1000000), 0, all[i]).type,
		    P2MK_MT_WP);
	}
	/* WC over WB: undefined by the SDM. */
	struct p2mk_mtrr_state s = overlap_state(P2MK_MT_WC, P2MK_MT_WB);
	struct p2mk_mtrr_lookup r =
	    p2mk_mtrr_lookup(&s, p2mk_gpa(0x1000000), 0, P2MK_OVERLAP_SDM);
	assert_int_equal(r.kind, P2MK_LOOKUP_UNDEFINED);
	assert_int_equal(r.var_hits, 3);
	assert_int_equal(
	    p2mk_mtrr_lookup(&s, p2mk_gpa(0x1000000), 0, P2MK_OVERLAP_XEN).type,
	    P2MK_MT_WB); /* last pair in array order */
	assert_int_equal(
	    p2mk_mtrr_lookup(&s, p2mk_gpa(0x1000000), 0, P2MK_OVERLAP_KVM).type,
	    P2MK_MT_WB);
	assert_int_equal(
	    p2mk_mtrr_lookup(&s, p2mk_gpa(0x1000000), 0, P2MK_OVERLAP_LINUX)
	        .type,
	    P2MK_MT_UC);
	/* Xen's answer follows the array order. */
	s = overlap_state(P2MK_MT_WB, P2MK_MT_WC);
	assert_int_equal(
	    p2mk_mtrr_lookup(&s, p2mk_gpa(0x1000000), 0, P2MK_OVERLAP_XEN).type,
	    P2MK_MT_WC);
	/* WP + WT is undefined too (only WT+WB is defined). */
	s = overlap_state(P2MK_MT_WP, P2MK_MT_WT);
	assert_int_equal(
	    p2mk_mtrr_lookup(&s, p2mk_gpa(0), 0, P2MK_OVERLAP_SDM).kind,
	    P2MK_LOOKUP_UNDEFINED);
	assert_int_equal(
	    p2mk_mtrr_lookup(&s, p2mk_gpa(0), 0, P2MK_OVERLAP_LINUX).type,
	    P2MK_MT_UC);
	enum p2mk_overlap o;
	assert_true(p2mk_overlap_parse("linux", &o));
	assert_int_equal(o, P2MK_OVERLAP_LINUX);
	assert_false(p2mk_overlap_parse("linu", &o));
	assert_false(p2mk_overlap_parse("linuxx", &o));
}

static void block_lookup_partial_coverage(void **state)
{
	(void)state;
	/* Default WB, a 4 KiB UC range inside a 2 MiB block: MIXED at order 9,
	 * UC at the page, WB for the other pages. */
	struct p2mk_mtrr_state s = make_state(8, 36);
	expect_ok(&s, 0x200, 0x40005000 | P2MK_MT_UC);
	expect_ok(&s, 0x201, 0xffffff000 | 0x800);
	expect_ok(&s, P2MK_MSR_MTRR_DEF_TYPE, 0x806);
	assert_int_equal(p2mk_mtrr_lookup(&s, p2mk_gpa(0x40000000), 9, 0).kind,
	                 P2MK_LOOKUP_MIXED);
	assert_int_equal(p2mk_mtrr_lookup(&s, p2mk_gpa(0x40005000), 0, 0).type,
	                 P2MK_MT_UC);
	assert_int_equal(p2mk_mtrr_lookup(&s, p2mk_gpa(0x40004000), 2, 0).kind,
	                 P2MK_LOOKUP_MIXED);
	assert_int_equal(p2mk_mtrr_lookup(&s, p2mk_gpa(0x40200000), 9, 0).type,
	                 P2MK_MT_WB);
	/* A partial range that changes nothing keeps the block uniform. */
	expect_ok(&s, 0x200, 0x40005000 | P2MK_MT_WB);
	struct p2mk_mtrr_lookup r =
	    p2mk_mtrr_lookup(&s, p2mk_gpa(0x40000000), 18, 0);
	assert_int_equal(r.kind, P2MK_LOOKUP_TYPE);
	assert_int_equal(r.type, P2MK_MT_WB);
	/* The block reaching past 1 MiB from 0 mixes fixed and variable. */
	expect_ok(&s, 0x250, 0); /* first 512 KiB UC, but FE is still 0 */
	assert_int_equal(p2mk_mtrr_lookup(&s, p2mk_gpa(0), 9, 0).type,
	                 P2MK_MT_WB);
	expect_ok(&s, P2MK_MSR_MTRR_DEF_TYPE, 0xc06);
	assert_int_equal(p2mk_mtrr_lookup(&s, p2mk_gpa(0), 9, 0).kind,
	                 P2MK_LOOKUP_MIXED);
	assert_int_equal(p2mk_mtrr_lookup(&s, p2mk_gpa(0x80000), 7, 0).type,
	                 P2MK_MT_UC);
}

static void save_restore_round_trip(void **state)
{
	(void)state;
	struct test_rng rng = {test_seed(7)};
	for (unsigned iter = 0; iter < 200; iter++) {
		unsigned vcnt = (unsigned)test_rng_below(&rng, 41);
		struct p2mk_mtrr_state s = make_state(vcnt, 46);
		for (unsigned n = 0; n < vcnt; n++) {
			uint64_t base = (test_rng_next(&rng) & 0x3ffffffff000) |
			                (n % 2 ? P2MK_MT_WB : P2MK_MT_UC);
			uint64_t mask =
			    (test_rng_next(&rng) & 0x3ffffffff000) | 0x800;
			expect_ok(&s, 0x200 + 2 * n, base);
			expect_ok(&s, 0x201 + 2 * n, mask);
		}
		for (unsigned k = 0; k < 11; k++)
			expect_ok(&s, fixed_msrs[k],
			          0x0504010006050401ull << (8 * (k % 4)) |
			              (0x06ull * (k % 4 != 0)));
		expect_ok(&s, P2MK_MSR_MTRR_DEF_TYPE, 0xc05);
		expect_ok(&s, P2MK_MSR_PAT, 0x0407050600070106);
		struct p2mk_mtrr_record rec;
		p2mk_mtrr_save(&s, &rec);
		struct p2mk_mtrr_state t = make_state(0, 36);
		struct p2mk_gp gp;
		assert_int_equal(p2mk_mtrr_restore(&t, &rec, &gp), P2MK_OK);
		assert_memory_equal(&s, &t, sizeof(s));
		/* A corrupted record is refused and changes nothing. */
		struct p2mk_mtrr_record bad = rec;
		unsigned n = vcnt ? (unsigned)test_rng_below(&rng, vcnt) : 0;
		bad.var_base[n] |=
		    0x300; /* reserved bits 9:8 (type stays legal) */
		if (vcnt == 0)
			bad.var_base[0] = 6; /* pair 0 does not exist */
		struct p2mk_mtrr_state before = t;
		assert_int_equal(p2mk_mtrr_restore(&t, &bad, &gp), P2MK_ERR_GP);
		assert_memory_equal(&before, &t, sizeof(t));
		bad = rec;
		bad.pat = 0x02;
		assert_int_equal(p2mk_mtrr_restore(&t, &bad, &gp), P2MK_ERR_GP);
		bad = rec;
		bad.cap |= P2MK_MTRRCAP_SMRR;
		assert_int_equal(p2mk_mtrr_restore(&t, &bad, &gp), P2MK_ERR_GP);
		assert_memory_equal(&before, &t, sizeof(t));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(init_rejects_bad_config),
	    cmocka_unit_test(mtrrcap_is_read_only),
	    cmocka_unit_test(def_type_gp_rules),
	    cmocka_unit_test(wc_needs_mtrrcap_wc),
	    cmocka_unit_test(fixed_msr_gp_every_byte),
	    cmocka_unit_test(physbase_gp_rules),
	    cmocka_unit_test(physmask_gp_rules),
	    cmocka_unit_test(var_pairs_beyond_vcnt_fault),
	    cmocka_unit_test(pat_msr_gp_and_unknown_msrs),
	    cmocka_unit_test(all_88_fixed_positions),
	    cmocka_unit_test(four_overlap_behaviours),
	    cmocka_unit_test(block_lookup_partial_coverage),
	    cmocka_unit_test(save_restore_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
