// SPDX-License-Identifier: BSD-2-Clause
/*
 * x86 memory-type rules checked cell by cell against the tables of
 * shared/spec/x86-memory-types.md, transcribed here as text so that a typo
 * in the implementation's numeric tables cannot hide in both places.
 */
#include "test_support.h"

#include <stdio.h>
#include <string.h>

#include <p2mkit/memtype.h>

static const char *const order6[6] = {"UC", "UC-", "WC", "WT", "WP", "WB"};

static unsigned mt(const char *name)
{
	unsigned v = 0;
	assert_true(p2mk_mt_parse(name, &v));
	return v;
}

/* x86 §7, named table: rows MTRR UC WC WT WP WB, columns PAT UC UC- WC WT
 * WP WB.  A trailing '*' marks footnote 2 (UC from the page tables: the
 * processor must snoop). */
static const char *const intel_spec[5][6] = {
    /* UC */ {"UC", "UC", "WC", "UC", "UC", "UC"},
    /* WC */ {"UC*", "WC", "WC", "UC*", "UC*", "WC"},
    /* WT */ {"UC*", "UC*", "WC", "WT", "WP", "WT"},
    /* WP */ {"UC*", "WC", "WC", "WT", "WP", "WP"},
    /* WB */ {"UC*", "UC*", "WC", "WT", "WP", "WB"},
};
static const char *const mtrr_rows[5] = {"UC", "WC", "WT", "WP", "WB"};

static void intel_table_every_cell(void **state)
{
	(void)state;
	for (int r = 0; r < 5; r++) {
		for (int c = 0; c < 6; c++) {
			const char *want = intel_spec[r][c];
			bool snoop = want[strlen(want) - 1] == '*';
			char name[8];
			snprintf(name, sizeof(name), "%s", want);
			if (snoop)
				name[strlen(name) - 1] = '\0';
			struct p2mk_mt_result got = p2mk_intel_pat_mtrr(
			    mt(mtrr_rows[r]), mt(order6[c]));
			assert_int_equal(got.status, P2MK_MT_OK);
			assert_string_equal(p2mk_mt_name(got.type), name);
			assert_int_equal(got.must_snoop, snoop);
			assert_true(got.verified);
		}
	}
}

static void intel_table_rejects_reserved_encodings(void **state)
{
	(void)state;
	/* Rows 2, 3, 7 and columns 2, 3 are reserved (x86 §7 byte table). */
	for (unsigned m = 0; m < 16; m++) {
		for (unsigned p = 0; p < 16; p++) {
			struct p2mk_mt_result got = p2mk_intel_pat_mtrr(m, p);
			bool valid = (m <= 1 || (m >= 4 && m <= 6)) &&
			             (p <= 1 || (p >= 4 && p <= 7));
			assert_int_equal(got.status == P2MK_MT_OK, valid);
		}
	}
}

static void intel_table_invariants(void **state)
{
	(void)state;
	/* x86 §7 property list. */
	for (int r = 0; r < 5; r++) {
		unsigned m = mt(mtrr_rows[r]);
		assert_int_equal(p2mk_intel_pat_mtrr(m, P2MK_MT_UC).type,
		                 P2MK_MT_UC);
		assert_int_equal(p2mk_intel_pat_mtrr(m, P2MK_MT_WC).type,
		                 P2MK_MT_WC);
		assert_int_equal(p2mk_intel_pat_mtrr(m, P2MK_MT_WB).type, m);
		unsigned ucm = p2mk_intel_pat_mtrr(m, P2MK_MT_UCM).type;
		bool wc_row = m == P2MK_MT_WC || m == P2MK_MT_WP;
		assert_int_equal(ucm, wc_row ? P2MK_MT_WC : P2MK_MT_UC);
	}
}

/* x86 §8.2 EPT table, rows EMT UC WC WT WP WB, columns guest PAT. */
static const char *const ept_spec[5][6] = {
    {"UC", "UC", "WC", "UC", "UC", "UC"}, {"UC", "WC", "WC", "UC", "UC", "WC"},
    {"UC", "UC", "WC", "WT", "WP", "WT"}, {"UC", "WC", "WC", "WT", "WP", "WP"},
    {"UC", "UC", "WC", "WT", "WP", "WB"},
};

static void ept_every_cell(void **state)
{
	(void)state;
	for (int r = 0; r < 5; r++) {
		for (int c = 0; c < 6; c++) {
			unsigned emt = mt(mtrr_rows[r]), pat = mt(order6[c]);
			struct p2mk_mt_result got =
			    p2mk_ept_effective(emt, false, pat, false);
			assert_int_equal(got.status, P2MK_MT_OK);
			assert_string_equal(p2mk_mt_name(got.type),
			                    ept_spec[r][c]);
			/* IPAT = 1: the EMT whatever the guest PAT. */
			got = p2mk_ept_effective(emt, true, pat, false);
			assert_int_equal(got.type, emt);
			/* CR0.CD = 1: UC, with or without IPAT. */
			assert_int_equal(
			    p2mk_ept_effective(emt, true, pat, true).type,
			    P2MK_MT_UC);
			assert_int_equal(
			    p2mk_ept_effective(emt, false, pat, true).type,
			    P2MK_MT_UC);
		}
	}
}

static void ept_misconfig_emt_values(void **state)
{
	(void)state;
	/* EMT 2, 3 and 7 fault before CR0.CD or IPAT matter (x86 §8.3). */
	const unsigned bad[] = {2, 3, 7};
	for (unsigned i = 0; i < 3; i++) {
		for (unsigned pat = 0; pat < 8; pat++) {
			for (int flags = 0; flags < 4; flags++) {
				struct p2mk_mt_result got = p2mk_ept_effective(
				    bad[i], flags & 1, pat, flags & 2);
				assert_int_equal(got.status,
				                 P2MK_MT_EPT_MISCONFIG);
			}
		}
		assert_false(p2mk_ept_emt_valid(bad[i]));
	}
	for (unsigned emt = 0; emt < 8; emt++)
		assert_int_equal(p2mk_ept_emt_valid(emt),
		                 emt != 2 && emt != 3 && emt != 7);
}

static void pat_msr_validation_every_byte(void **state)
{
	(void)state;
	assert_int_equal(p2mk_pat_first_invalid(P2MK_PAT_RESET), -1);
	for (unsigned pos = 0; pos < 8; pos++) {
		for (unsigned v = 0; v < 256; v++) {
			uint64_t pat =
			    P2MK_PAT_RESET & ~(UINT64_C(0xff) << (8 * pos));
			pat |= (uint64_t)v << (8 * pos);
			bool valid = v <= 1 || (v >= 4 && v <= 7);
			assert_int_equal(p2mk_pat_first_invalid(pat),
			                 valid ? -1 : (int)pos);
		}
	}
}

static void pat_index_and_entries(void **state)
{
	(void)state;
	/* Reset value: WB WT UC- UC WB WT UC- UC (x86 §6.1). */
	const char *reset[8] = {"WB", "WT", "UC-", "UC",
	                        "WB", "WT", "UC-", "UC"};
	for (unsigned i = 0; i < 8; i++) {
		unsigned idx = p2mk_pat_index(i & 4, i & 2, i & 1);
		assert_int_equal(idx, i);
		assert_string_equal(
		    p2mk_mt_name(p2mk_pat_entry(P2MK_PAT_RESET, idx)),
		    reset[i]);
	}
}

static void names_parse_and_classes(void **state)
{
	(void)state;
	const char *tokens[] = {"UC", "UC-", "WC", "WT",
	                        "WP", "WB",  "CD", "WC+"};
	for (unsigned i = 0; i < 8; i++) {
		unsigned v = 0;
		assert_true(p2mk_mt_parse(tokens[i], &v));
		assert_string_equal(p2mk_mt_name(v), tokens[i]);
	}
	unsigned v = 99;
	assert_true(p2mk_mt_parse("wb", &v));
	assert_int_equal(v, P2MK_MT_WB);
	assert_true(p2mk_mt_parse("0x7", &v));
	assert_int_equal(v, 7);
	assert_false(p2mk_mt_parse("", &v));
	assert_false(p2mk_mt_parse("WBX", &v));
	assert_false(p2mk_mt_parse("0x100", &v));
	assert_false(p2mk_mt_parse("0x", &v));
	assert_int_equal(p2mk_mt_class(P2MK_MT_WB), P2MK_CACHED);
	assert_int_equal(p2mk_mt_class(P2MK_MT_WCPLUS), P2MK_WRITE_COMBINED);
	assert_int_equal(p2mk_mt_class(P2MK_MT_CD), P2MK_UNCACHED);
	assert_int_equal(p2mk_mt_class(P2MK_MT_RSVD2), P2MK_NO_ACCESS);
	for (unsigned t = 0; t < 8; t++) {
		assert_int_equal(p2mk_mt_valid_mtrr(t), (0x73u >> t) & 1u);
		assert_int_equal(p2mk_mt_valid_pat(t), (0xf3u >> t) & 1u);
	}
	assert_false(p2mk_mt_valid_pat(8));
	assert_false(p2mk_mt_valid_mtrr(0x106));
}

/*
 * AMD tables, x86 §10.2 and §9.2.  '?' marks cells the spec calls
 * UNVERIFIED; the value is the spec's belief or the documented guess.
 */
static const char *const amd_pat_mtrr_spec[5][6] = {
    {"UC", "UC?", "WC", "UC", "UC", "UC"},
    {"UC", "WC", "WC", "CD?", "CD?", "WC"},
    {"UC", "CD?", "WC", "WT?", "CD?", "WT"},
    {"UC", "CD?", "WC", "CD?", "WP?", "WP"},
    {"UC", "CD?", "WC", "WT?", "WP?", "WB"},
};
static const char *const amd_npt_spec[6][6] = {
    {"UC", "UC", "UC", "UC", "UC", "UC"},
    {"UC", "CD?", "CD?", "CD?", "CD?", "CD"},
    {"UC", "WC?", "WC?", "WC+?", "WC+?", "WC+"},
    {"UC", "CD?", "CD?", "WT?", "CD?", "WT"},
    {"UC", "CD?", "CD?", "CD?", "WP?", "WP"},
    {"UC", "UC-", "WC", "WT", "WP", "WB"},
};

static void check_cell(struct p2mk_mt_result got, const char *want)
{
	char name[8];
	snprintf(name, sizeof(name), "%s", want);
	bool unverified = name[strlen(name) - 1] == '?';
	if (unverified)
		name[strlen(name) - 1] = '\0';
	assert_int_equal(got.status, P2MK_MT_OK);
	assert_string_equal(p2mk_mt_name(got.type), name);
	assert_int_equal(got.verified, !unverified);
}

static void amd_tables_every_cell(void **state)
{
	(void)state;
	for (int r = 0; r < 5; r++) {
		for (int c = 0; c < 6; c++)
			check_cell(
			    p2mk_amd_pat_mtrr(mt(mtrr_rows[r]), mt(order6[c])),
			    amd_pat_mtrr_spec[r][c]);
	}
	for (int r = 0; r < 6; r++) {
		for (int c = 0; c < 6; c++)
			check_cell(
			    p2mk_npt_guest_host(mt(order6[r]), mt(order6[c])),
			    amd_npt_spec[r][c]);
	}
	assert_int_equal(p2mk_amd_pat_mtrr(P2MK_MT_UCM, P2MK_MT_WB).status,
	                 P2MK_MT_BAD_INPUT);
	assert_int_equal(p2mk_npt_guest_host(2, P2MK_MT_WB).status,
	                 P2MK_MT_BAD_INPUT);
}

static void npt_three_way(void **state)
{
	(void)state;
	/* Host UC forces UC whatever the guest asks (x86 §9.2). */
	for (int g = 0; g < 6; g++) {
		struct p2mk_mt_result r =
		    p2mk_npt_effective(mt(order6[g]), P2MK_MT_UC, P2MK_MT_WB);
		assert_int_equal(r.type, P2MK_MT_UC);
	}
	/* Host WB over WB RAM is transparent for WB; guest WC becomes WC+
	 * over a cacheable range and plain WC over a UC one. */
	assert_int_equal(
	    p2mk_npt_effective(P2MK_MT_WB, P2MK_MT_WB, P2MK_MT_WB).type,
	    P2MK_MT_WB);
	struct p2mk_mt_result wc =
	    p2mk_npt_effective(P2MK_MT_WC, P2MK_MT_WB, P2MK_MT_WB);
	assert_int_equal(wc.type, P2MK_MT_WCPLUS);
	assert_true(wc.verified);
	assert_int_equal(
	    p2mk_npt_effective(P2MK_MT_WC, P2MK_MT_WB, P2MK_MT_UC).type,
	    P2MK_MT_WC);
	/* The grant-table case: guest UC- over host WB RAM stays uncached. */
	struct p2mk_mt_result grant =
	    p2mk_npt_effective(P2MK_MT_UCM, P2MK_MT_WB, P2MK_MT_WB);
	assert_int_equal(p2mk_mt_class(grant.type), P2MK_UNCACHED);
	/* Guest UC- over a WC range: CD instead of WC (x86 §9.2 notes). */
	struct p2mk_mt_result ucm_wc =
	    p2mk_npt_effective(P2MK_MT_UCM, P2MK_MT_WB, P2MK_MT_WC);
	assert_int_equal(ucm_wc.type, P2MK_MT_CD);
	assert_true(ucm_wc.verified);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(intel_table_every_cell),
	    cmocka_unit_test(intel_table_rejects_reserved_encodings),
	    cmocka_unit_test(intel_table_invariants),
	    cmocka_unit_test(ept_every_cell),
	    cmocka_unit_test(ept_misconfig_emt_values),
	    cmocka_unit_test(pat_msr_validation_every_byte),
	    cmocka_unit_test(pat_index_and_entries),
	    cmocka_unit_test(names_parse_and_classes),
	    cmocka_unit_test(amd_tables_every_cell),
	    cmocka_unit_test(npt_three_way),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
