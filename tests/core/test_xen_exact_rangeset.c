// SPDX-License-Identifier: BSD-2-Clause
/*
 * Range lists with Xen's rangeset semantics (xen §6 "Range lists"):
 * inserting merges overlapping and adjacent ranges, containment is tested
 * against the union, a failed insert changes nothing; and the domain's
 * read-only MMIO list behaves so, which makes a superpage covered by two
 * adjacent read-only ranges UC+IPAT under xen-ept, as Xen answers.
 * A random part compares every operation with a bitmap over 256 frames.
 */
#include "test_p2m_env.h"
#include "test_policy_env.h"

#include <stdio.h>

#define R(f, c) ((struct p2mk_mfn_range){p2mk_mfn(f), (c)})

static void adjacent_ranges_merge_into_one(void **state)
{
	(void)state;
	struct p2mk_mfn_range s[4];
	unsigned n = 0;
	assert_int_equal(p2mk_rangeset_insert(s, &n, 4, p2mk_mfn(0x100), 0x10),
	                 P2MK_OK);
	assert_int_equal(p2mk_rangeset_insert(s, &n, 4, p2mk_mfn(0x110), 0x10),
	                 P2MK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].first.v, 0x100);
	assert_int_equal(s[0].count, 0x20);
	/* Touching from below merges too. */
	assert_int_equal(p2mk_rangeset_insert(s, &n, 4, p2mk_mfn(0xf0), 0x10),
	                 P2MK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].first.v, 0xf0);
	assert_int_equal(s[0].count, 0x30);
}

static void overlapping_and_bridging_ranges_merge(void **state)
{
	(void)state;
	struct p2mk_mfn_range s[4];
	unsigned n = 0;
	assert_int_equal(p2mk_rangeset_insert(s, &n, 4, p2mk_mfn(10), 5),
	                 P2MK_OK);
	assert_int_equal(p2mk_rangeset_insert(s, &n, 4, p2mk_mfn(30), 5),
	                 P2MK_OK);
	assert_int_equal(p2mk_rangeset_insert(s, &n, 4, p2mk_mfn(50), 5),
	                 P2MK_OK);
	assert_int_equal(n, 3);
	/* [12, 31] overlaps the first and touches... overlaps the second. */
	assert_int_equal(p2mk_rangeset_insert(s, &n, 4, p2mk_mfn(12), 20),
	                 P2MK_OK);
	assert_int_equal(n, 2);
	assert_int_equal(s[0].first.v, 10);
	assert_int_equal(s[0].count, 25); /* 10..34 */
	assert_int_equal(s[1].first.v, 50);
	/* Inside an existing range: nothing new. */
	assert_int_equal(p2mk_rangeset_insert(s, &n, 4, p2mk_mfn(11), 2),
	                 P2MK_OK);
	assert_int_equal(n, 2);
	/* Ending at the top of the frame space does not overflow. */
	assert_int_equal(
	    p2mk_rangeset_insert(s, &n, 4, p2mk_mfn(UINT64_MAX), 1), P2MK_OK);
	assert_int_equal(n, 3);
	assert_int_equal(p2mk_rangeset_insert(s, &n, 4, p2mk_mfn(0), 1),
	                 P2MK_OK);
	assert_int_equal(n, 4);
	assert_int_equal(s[0].first.v, 0);
}

static void failed_insert_changes_nothing(void **state)
{
	(void)state;
	struct p2mk_mfn_range s[2], before[2];
	unsigned n = 0;
	assert_int_equal(p2mk_rangeset_insert(s, &n, 2, p2mk_mfn(10), 1),
	                 P2MK_OK);
	assert_int_equal(p2mk_rangeset_insert(s, &n, 2, p2mk_mfn(20), 1),
	                 P2MK_OK);
	memcpy(before, s, sizeof(s));
	/* A third separate range does not fit. */
	assert_int_equal(p2mk_rangeset_insert(s, &n, 2, p2mk_mfn(30), 1),
	                 P2MK_ERR_NOMEM);
	assert_int_equal(n, 2);
	assert_memory_equal(s, before, sizeof(s));
	/* Empty and wrapping ranges are refused. */
	assert_int_equal(p2mk_rangeset_insert(s, &n, 2, p2mk_mfn(40), 0),
	                 P2MK_ERR_INVAL);
	assert_int_equal(
	    p2mk_rangeset_insert(s, &n, 2, p2mk_mfn(UINT64_MAX), 2),
	    P2MK_ERR_INVAL);
	assert_int_equal(n, 2);
	assert_memory_equal(s, before, sizeof(s));
	/* A full set still takes a range that merges. */
	assert_int_equal(p2mk_rangeset_insert(s, &n, 2, p2mk_mfn(11), 9),
	                 P2MK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].count, 11);
}

static void containment_is_against_the_union(void **state)
{
	(void)state;
	/* Unsorted, overlapping, adjacent: as a hand-built view may hold. */
	const struct p2mk_mfn_range r[] = {R(0x300, 0x100), R(0x200, 0x100),
	                                   R(0x250, 0x10), R(0x500, 8)};
	assert_true(p2mk_ranges_contain(r, 4, p2mk_mfn(0x200), 0x200));
	assert_false(p2mk_ranges_contain(r, 4, p2mk_mfn(0x200), 0x201));
	assert_false(p2mk_ranges_contain(r, 4, p2mk_mfn(0x1ff), 2));
	assert_true(p2mk_ranges_overlap(r, 4, p2mk_mfn(0x1ff), 2));
	assert_false(p2mk_ranges_overlap(r, 4, p2mk_mfn(0x400), 0x100));
	/* Each frame counted once although 0x250.. is in two ranges. */
	assert_int_equal(p2mk_ranges_covered(r, 4, p2mk_mfn(0), 0x1000), 0x208);
	assert_int_equal(p2mk_ranges_covered(r, 4, p2mk_mfn(0x2f8), 0x210),
	                 0x110);
}

/* A superpage whose MFNs two adjacent read-only ranges cover together. */
static void superpage_over_two_adjacent_ro_ranges_is_uc_ipat(void **state)
{
	(void)state;
	struct tenv e;
	tenv_init(&e, P2MK_ARCH_X86_EPT);
	e.cfg.iommu = true;
	e.ro[e.nro++] = R(0x80000, 0x100);
	e.ro[e.nro++] = R(0x80100, 0x100);
	struct p2mk_policy_out o =
	    tenv_decide(&p2mk_policy_xen_ept, &e, P2MK_P2M_MMIO_DIRECT, 9,
	                0x80000, 0x80000);
	assert_int_equal(o.kind, P2MK_POL_TYPE);
	assert_int_equal(o.emt, P2MK_MT_UC);
	assert_true(o.ipat);
	/* One frame short of the block: partly read-only, split. */
	e.ro[1].count = 0xff;
	o = tenv_decide(&p2mk_policy_xen_ept, &e, P2MK_P2M_MMIO_DIRECT, 9,
	                0x80000, 0x80000);
	assert_int_equal(o.kind, P2MK_POL_MIXED);
}

static void domain_keeps_ro_and_special_lists_merged(void **state)
{
	(void)state;
	static struct p2mk_p2m dom;
	struct p2mk_p2m *p = &dom;
	struct test_alloc ta;
	test_alloc_init(&ta);
	struct p2mk_p2m_config c = cfg_ept(true);
	assert_int_equal(p2mk_p2m_init(p, &c, &p2mk_policy_xen_ept,
	                               P2MK_RECALC_EXACT, &ta.ops),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_add_mmio_ro(p, p2mk_mfn(0x80100), 0x100),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_add_mmio_ro(p, p2mk_mfn(0x80000), 0x100),
	                 P2MK_OK);
	assert_int_equal(p->nmmio_ro, 1);
	assert_int_equal(p->mmio_ro[0].first.v, 0x80000);
	assert_int_equal(p->mmio_ro[0].count, 0x200);
	assert_int_equal(p2mk_p2m_add_special(p, p2mk_mfn(0x5000), 1), P2MK_OK);
	assert_int_equal(p2mk_p2m_add_special(p, p2mk_mfn(0x5000), 1), P2MK_OK);
	assert_int_equal(p->nspecial, 1);
	/* Full list: a separate range is refused and nothing changes. */
	for (unsigned i = 1; i < P2MK_P2M_MAX_RO; i++)
		assert_int_equal(
		    p2mk_p2m_add_mmio_ro(p, p2mk_mfn(0x100000 + 0x10 * i), 1),
		    P2MK_OK);
	assert_int_equal(p->nmmio_ro, P2MK_P2M_MAX_RO);
	assert_int_equal(p2mk_p2m_add_mmio_ro(p, p2mk_mfn(0x200000), 1),
	                 P2MK_ERR_NOMEM);
	assert_int_equal(p->nmmio_ro, P2MK_P2M_MAX_RO);
	p2mk_p2m_destroy(p);
	assert_int_equal(ta.live, 0);
}

/* ---- random comparison with a bitmap -------------------------------- */

#define SPACE 256u

static void check_set(const struct p2mk_mfn_range *s, unsigned n,
                      const bool *bits)
{
	bool seen[SPACE] = {0};
	for (unsigned i = 0; i < n; i++) {
		assert_true(s[i].count >= 1);
		if (i > 0) /* sorted, disjoint and not adjacent */
			assert_true(s[i].first.v >
			            p2mk_mfn_range_last(&s[i - 1]).v + 1);
		for (uint64_t f = s[i].first.v;
		     f <= p2mk_mfn_range_last(&s[i]).v; f++)
			seen[f] = true;
	}
	assert_memory_equal(seen, bits, sizeof(seen));
}

static void check_queries(struct test_rng *rng, const struct p2mk_mfn_range *s,
                          unsigned n, const bool *bits)
{
	uint64_t f = test_rng_below(rng, SPACE);
	uint64_t c = 1 + test_rng_below(rng, SPACE - f);
	uint64_t in = 0;
	for (uint64_t k = f; k < f + c; k++)
		in += bits[k];
	assert_int_equal(p2mk_ranges_covered(s, n, p2mk_mfn(f), c), in);
	assert_int_equal(p2mk_ranges_contain(s, n, p2mk_mfn(f), c), in == c);
	assert_int_equal(p2mk_ranges_overlap(s, n, p2mk_mfn(f), c), in != 0);
}

static void random_inserts_match_a_bitmap(void **state)
{
	(void)state;
	struct test_rng rng = {test_seed(0x5e7)};
	unsigned inserts = 0, nomem = 0, merges = 0;
	for (unsigned round = 0; round < 2000; round++) {
		struct p2mk_mfn_range s[8] = {{{0}, 0}};
		unsigned n = 0;
		bool bits[SPACE] = {0};
		for (unsigned k = 0; k < 12; k++) {
			uint64_t f = test_rng_below(&rng, SPACE);
			uint64_t c =
			    1 + test_rng_below(&rng, 1 + (SPACE - f) / 8);
			struct p2mk_mfn_range before[8];
			unsigned nb = n;
			memcpy(before, s, nb * sizeof(s[0]));
			enum p2mk_err err =
			    p2mk_rangeset_insert(s, &n, 8, p2mk_mfn(f), c);
			if (err) {
				assert_int_equal(err, P2MK_ERR_NOMEM);
				assert_int_equal(n, nb);
				assert_memory_equal(s, before,
				                    nb * sizeof(s[0]));
				nomem++;
			} else {
				for (uint64_t x = f; x < f + c; x++)
					bits[x] = true;
				merges += n <= nb;
				inserts++;
			}
			check_set(s, n, bits);
			check_queries(&rng, s, n, bits);
		}
	}
	printf("rangeset: %u inserts (%u merged), %u refused when full\n",
	       inserts, merges, nomem);
	/* Generous floors: each kind is common for any seed. */
	assert_true(merges > inserts / 20);
	assert_true(nomem > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(adjacent_ranges_merge_into_one),
	    cmocka_unit_test(overlapping_and_bridging_ranges_merge),
	    cmocka_unit_test(failed_insert_changes_nothing),
	    cmocka_unit_test(containment_is_against_the_union),
	    cmocka_unit_test(superpage_over_two_adjacent_ro_ranges_is_uc_ipat),
	    cmocka_unit_test(domain_keeps_ro_and_special_lists_merged),
	    cmocka_unit_test(random_inserts_match_a_bitmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
