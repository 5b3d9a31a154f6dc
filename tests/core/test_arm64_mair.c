// SPDX-License-Identifier: BSD-2-Clause
/*
 * MAIR_ELx attribute decode (shared/spec/arm64-memory-attributes.md §2):
 * every special value, then all 256 bytes against an independent reading
 * of the §2.1/§2.2 tables.
 */
#include "test_support.h"

#include <stdio.h>
#include <string.h>

#include <p2mkit/memtype.h>

#define ALL_FEAT                                                               \
	(P2MK_A64_FEAT_XS | P2MK_A64_FEAT_MTE2 | P2MK_A64_FEAT_MTE_PERM)

static void check_level(const struct p2mk_a64_level *l, unsigned cache, bool ra,
                        bool wa, bool transient)
{
	assert_int_equal(l->cache, cache);
	assert_int_equal(l->ra, ra);
	assert_int_equal(l->wa, wa);
	assert_int_equal(l->transient, transient);
}

static void test_device_values(void **state)
{
	(void)state;
	static const char *const names[4] = {"Device-nGnRnE", "Device-nGnRE",
	                                     "Device-nGRE", "Device-GRE"};
	for (unsigned dd = 0; dd < 4; dd++) {
		struct p2mk_a64_attr a =
		    p2mk_a64_mair_decode((uint8_t)(dd << 2), 0);
		assert_int_equal(a.status, P2MK_A64_OK);
		assert_int_equal(a.kind, P2MK_A64_DEVICE);
		assert_int_equal(a.dev, dd);
		assert_string_equal(p2mk_a64_type_name(&a), names[dd]);
		assert_false(a.xs0);
		/* dd01: XS = 0 with FEAT_XS, else UNPREDICTABLE. */
		a = p2mk_a64_mair_decode((uint8_t)(dd << 2 | 1), 0);
		assert_int_equal(a.status, P2MK_A64_UNPREDICTABLE);
		a = p2mk_a64_mair_decode((uint8_t)(dd << 2 | 1),
		                         P2MK_A64_FEAT_XS);
		assert_int_equal(a.status, P2MK_A64_OK);
		assert_int_equal(a.dev, dd);
		assert_true(a.xs0);
		/* dd1x: UNPREDICTABLE whatever the features. */
		for (unsigned x = 2; x < 4; x++) {
			a = p2mk_a64_mair_decode((uint8_t)(dd << 2 | x),
			                         ALL_FEAT);
			assert_int_equal(a.status, P2MK_A64_UNPREDICTABLE);
			assert_int_equal(a.kind, P2MK_A64_NONE);
			assert_string_equal(p2mk_a64_type_name(&a),
			                    "UNPREDICTABLE");
		}
	}
}

static void test_special_values(void **state)
{
	(void)state;
	struct p2mk_a64_attr a = p2mk_a64_mair_decode(0x44, 0);
	assert_string_equal(p2mk_a64_type_name(&a), "Normal-INC-ONC");
	check_level(&a.inner, P2MK_A64_NC, false, false, false);

	a = p2mk_a64_mair_decode(0xff, 0);
	assert_string_equal(p2mk_a64_type_name(&a), "Normal-IWB-OWB");
	check_level(&a.inner, P2MK_A64_WB, true, true, false);
	check_level(&a.outer, P2MK_A64_WB, true, true, false);
	assert_false(a.tagged);

	a = p2mk_a64_mair_decode(0xbb, 0);
	assert_string_equal(p2mk_a64_type_name(&a), "Normal-IWT-OWT");
	check_level(&a.inner, P2MK_A64_WT, true, true, false);

	/* 0xF0: Tagged WB RWA with FEAT_MTE2 only. */
	a = p2mk_a64_mair_decode(0xf0, P2MK_A64_FEAT_MTE2);
	assert_string_equal(p2mk_a64_type_name(&a), "Normal-IWB-OWB");
	assert_true(a.tagged);
	check_level(&a.outer, P2MK_A64_WB, true, true, false);
	a = p2mk_a64_mair_decode(0xf0, P2MK_A64_FEAT_XS);
	assert_int_equal(a.status, P2MK_A64_UNPREDICTABLE);

	/* 0x40, 0xA0: FEAT_XS, XS = 0. */
	a = p2mk_a64_mair_decode(0x40, P2MK_A64_FEAT_XS);
	assert_string_equal(p2mk_a64_type_name(&a), "Normal-INC-ONC");
	assert_true(a.xs0);
	a = p2mk_a64_mair_decode(0xa0, P2MK_A64_FEAT_XS);
	assert_string_equal(p2mk_a64_type_name(&a), "Normal-IWT-OWT");
	check_level(&a.inner, P2MK_A64_WT, true, false, false);
	check_level(&a.outer, P2MK_A64_WT, true, false, false);
	assert_true(a.xs0);
	a = p2mk_a64_mair_decode(0x40, P2MK_A64_FEAT_MTE2);
	assert_int_equal(a.status, P2MK_A64_UNPREDICTABLE);
	a = p2mk_a64_mair_decode(0xa0, 0);
	assert_int_equal(a.status, P2MK_A64_UNPREDICTABLE);

	/* 0xE0: UNVERIFIED (arm64 §2.3, §11): UNPREDICTABLE, flagged. */
	a = p2mk_a64_mair_decode(0xe0, ALL_FEAT);
	assert_int_equal(a.status, P2MK_A64_UNPREDICTABLE);
	assert_int_equal(a.verified, !p2mk_a64_choices.mair_e0_unpredictable);
}

static void test_transient_and_hints(void **state)
{
	(void)state;
	/* 0x37: outer 0011 WT transient RWA, inner 0111 WB transient RWA. */
	struct p2mk_a64_attr a = p2mk_a64_mair_decode(0x37, 0);
	check_level(&a.outer, P2MK_A64_WT, true, true, true);
	check_level(&a.inner, P2MK_A64_WB, true, true, true);
	/* 0x8c: outer 1000 WT no-allocate, inner 1100 WB no-allocate. */
	a = p2mk_a64_mair_decode(0x8c, 0);
	check_level(&a.outer, P2MK_A64_WT, false, false, false);
	check_level(&a.inner, P2MK_A64_WB, false, false, false);
	/* 0x4e: outer NC, inner WB RA. */
	a = p2mk_a64_mair_decode(0x4e, 0);
	assert_string_equal(p2mk_a64_type_name(&a), "Normal-IWB-ONC");
	check_level(&a.inner, P2MK_A64_WB, true, false, false);
	/* AttrIndx selects the byte. */
	assert_int_equal(p2mk_a64_mair_attr(0x000000000044ff04ull, 1), 0xff);
	assert_int_equal(p2mk_a64_mair_attr(0x000000000044ff04ull, 2), 0x44);
	assert_int_equal(p2mk_a64_mair_attr(0xf0ull << 56, 7), 0xf0);
}

/* Independent reading of one §2.2 nibble (n != 0). */
static void ref_nibble(unsigned n, unsigned *cache, bool *transient)
{
	if (n == 4) {
		*cache = P2MK_A64_NC;
		*transient = false;
	} else if (n < 4) {
		*cache = P2MK_A64_WT;
		*transient = true;
	} else if (n < 8) {
		*cache = P2MK_A64_WB;
		*transient = true;
	} else if (n < 12) {
		*cache = P2MK_A64_WT;
		*transient = false;
	} else {
		*cache = P2MK_A64_WB;
		*transient = false;
	}
}

static void sweep(unsigned features, unsigned want_ok)
{
	unsigned ok = 0;
	for (unsigned b = 0; b < 256; b++) {
		struct p2mk_a64_attr a =
		    p2mk_a64_mair_decode((uint8_t)b, features);
		unsigned hi = b >> 4, lo = b & 15u;
		const char *name = p2mk_a64_type_name(&a);
		assert_non_null(a.rule);
		/* Status OK <-> a real type; never a silent mapping. */
		assert_int_equal(a.status == P2MK_A64_OK,
		                 a.kind != P2MK_A64_NONE);
		assert_true(a.status == P2MK_A64_OK ||
		            a.status == P2MK_A64_UNPREDICTABLE);
		if (a.status != P2MK_A64_OK) {
			assert_string_equal(name, "UNPREDICTABLE");
			assert_int_equal(p2mk_a64_hazards(&a), 0);
			continue;
		}
		ok++;
		assert_true(strncmp(name, "Device-", 7) == 0 ||
		            strncmp(name, "Normal-I", 8) == 0);
		if (hi == 0) {
			assert_int_equal(a.kind, P2MK_A64_DEVICE);
			assert_int_equal(a.dev, lo >> 2);
			assert_true(
			    (lo & 3u) == 0 ||
			    ((lo & 3u) == 1 && (features & P2MK_A64_FEAT_XS)));
			continue;
		}
		assert_int_equal(a.kind, P2MK_A64_NORMAL);
		if (lo == 0) {
			assert_true(b == 0x40 || b == 0xa0 || b == 0xf0);
			continue;
		}
		unsigned c = 0;
		bool t = false;
		ref_nibble(lo, &c, &t);
		assert_int_equal(a.inner.cache, c);
		assert_int_equal(a.inner.transient, t);
		if (c != P2MK_A64_NC) {
			assert_int_equal(a.inner.ra, (lo & 2u) != 0);
			assert_int_equal(a.inner.wa, (lo & 1u) != 0);
		}
		ref_nibble(hi, &c, &t);
		assert_int_equal(a.outer.cache, c);
		assert_int_equal(a.outer.transient, t);
		assert_false(a.tagged);
	}
	assert_int_equal(ok, want_ok);
}

static void test_sweep_all_bytes(void **state)
{
	(void)state;
	/* 4 Device + 4 Device XS=0 + 15x15 Normal + 0x40, 0xA0, 0xF0. */
	sweep(ALL_FEAT, 4 + 4 + 225 + 3);
	sweep(P2MK_A64_FEAT_XS, 4 + 4 + 225 + 2);
	sweep(0, 4 + 225);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(p2mk_a64_sh_name(P2MK_A64_NSH), "NSH");
	assert_string_equal(p2mk_a64_sh_name(P2MK_A64_OSH), "OSH");
	assert_string_equal(p2mk_a64_sh_name(P2MK_A64_ISH), "ISH");
	assert_string_equal(p2mk_a64_sh_name(1), "SH-reserved");
	assert_string_equal(p2mk_a64_status_name(P2MK_A64_OK), "ok");
	assert_string_equal(p2mk_a64_status_name(P2MK_A64_RESERVED),
	                    "reserved");
	/* Every Normal combination has its canonical token. */
	static const char *const c[3] = {"NC", "WT", "WB"};
	for (unsigned i = 0; i < 3; i++) {
		for (unsigned o = 0; o < 3; o++) {
			struct p2mk_a64_attr a = {
			    .kind = P2MK_A64_NORMAL,
			    .inner = {.cache = (uint8_t)i},
			    .outer = {.cache = (uint8_t)o},
			};
			char want[32];
			snprintf(want, sizeof(want), "Normal-I%s-O%s", c[i],
			         c[o]);
			assert_string_equal(p2mk_a64_type_name(&a), want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_device_values),
	    cmocka_unit_test(test_special_values),
	    cmocka_unit_test(test_transient_and_hints),
	    cmocka_unit_test(test_sweep_all_bytes),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
