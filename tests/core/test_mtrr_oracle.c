// SPDX-License-Identifier: BSD-2-Clause
/*
 * Oracle test for MTRR lookup: a deliberately simple per-4 KiB-page
 * resolver, written from x86 §5.2 and §5.3 without sharing code with the
 * library, is run against p2mk_mtrr_lookup() on random states, addresses
 * and orders.  A block's answer is a type if every page agrees, otherwise
 * MIXED.  Any difference fails and prints the seed to replay it.
 */
#include "test_support.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <p2mkit/mtrr.h>

enum { ORACLE_MIXED = 0x100, ORACLE_UNDEFINED = 0x200 };

static unsigned oracle_page(const struct p2mk_mtrr_state *s, uint64_t pfn,
                            enum p2mk_overlap overlap)
{
	if (!(s->def_type & 0x800))
		return 0; /* UC */
	uint64_t pa = pfn << 12;
	if ((s->cap & 0x100) && (s->def_type & 0x400) && pa < 0x100000) {
		unsigned idx = pa < 0x80000 ? (unsigned)(pa / 0x10000)
		               : pa < 0xc0000
		                   ? 8 + (unsigned)((pa - 0x80000) / 0x4000)
		                   : 24 + (unsigned)((pa - 0xc0000) / 0x1000);
		return s->fixed[idx];
	}
	uint64_t addr_mask =
	    ((UINT64_C(1) << s->maxphyaddr) - 1) & ~UINT64_C(0xfff);
	bool seen[8] = {false};
	int ntypes = 0, last = -1;
	for (unsigned n = 0; n < (s->cap & 0xff); n++) {
		if (!(s->var[n].mask & 0x800))
			continue;
		uint64_t m = s->var[n].mask & addr_mask;
		if ((pa & m) != (s->var[n].base & m))
			continue;
		unsigned t = (unsigned)(s->var[n].base & 0xff);
		if (!seen[t])
			ntypes++;
		seen[t] = true;
		last = (int)t;
	}
	if (ntypes == 0)
		return (unsigned)(s->def_type & 0xff);
	if (ntypes == 1)
		return (unsigned)last;
	if (seen[0])
		return 0;
	if (ntypes == 2 && seen[4] && seen[6])
		return 4;
	switch (overlap) {
	case P2MK_OVERLAP_XEN:
		return (unsigned)last;
	case P2MK_OVERLAP_KVM:
		return 6;
	case P2MK_OVERLAP_LINUX:
		return 0;
	default:
		return ORACLE_UNDEFINED;
	}
}

static unsigned oracle_block(const struct p2mk_mtrr_state *s, uint64_t pa,
                             unsigned order, enum p2mk_overlap overlap)
{
	uint64_t first = (pa >> 12) & ~((UINT64_C(1) << order) - 1);
	unsigned answer = oracle_page(s, first, overlap);
	for (uint64_t i = 1; i < (UINT64_C(1) << order); i++) {
		if (oracle_page(s, first + i, overlap) != answer)
			return ORACLE_MIXED;
	}
	return answer;
}

static unsigned library_answer(const struct p2mk_mtrr_lookup *r)
{
	if (r->kind == P2MK_LOOKUP_MIXED)
		return ORACLE_MIXED;
	if (r->kind == P2MK_LOOKUP_UNDEFINED)
		return ORACLE_UNDEFINED;
	return r->type;
}

static const uint8_t valid_types[5] = {0, 1, 4, 5, 6};

/*
 * Random state biased towards interesting overlaps: ranges of 1 page to
 * 4 GiB placed in a small window so they intersect each other and the
 * blocks looked up; some misaligned bases, some non-contiguous masks, some
 * disabled pairs; fixed ranges sometimes on.
 */
static void random_state(struct test_rng *rng, struct p2mk_mtrr_state *s)
{
	static const uint8_t widths[4] = {36, 39, 46, 52};
	unsigned m = widths[test_rng_below(rng, 4)];
	unsigned vcnt = test_rng_below(rng, 8) == 0
	                    ? (unsigned)test_rng_below(rng, 41)
	                    : (unsigned)test_rng_below(rng, 11);
	const struct p2mk_mtrr_config cfg = {(uint8_t)vcnt, (uint8_t)m,
	                                     test_rng_below(rng, 4) != 0, true};
	assert_int_equal(p2mk_mtrr_init(s, &cfg), P2MK_OK);
	uint64_t addr_bits = (UINT64_C(1) << m) - 1;
	for (unsigned n = 0; n < vcnt; n++) {
		unsigned size_order =
		    (unsigned)test_rng_below(rng, 21); /* pages */
		uint64_t window = UINT64_C(1) << 22;   /* 16 GiB */
		uint64_t base = test_rng_below(rng, window) << 12;
		if (test_rng_below(rng, 4) != 0)
			base &= ~((UINT64_C(1) << (size_order + 12)) - 1);
		uint64_t mask = ~((UINT64_C(1) << (size_order + 12)) - 1);
		if (test_rng_below(rng, 10) == 0)
			mask ^= UINT64_C(1) << (12 + test_rng_below(rng, 24));
		mask &= addr_bits & ~UINT64_C(0xfff);
		if (test_rng_below(rng, 8) != 0)
			mask |= 0x800;
		base = (base & addr_bits) | valid_types[test_rng_below(rng, 5)];
		assert_int_equal(p2mk_mtrr_wrmsr(s, 0x200 + 2 * n, base, NULL),
		                 P2MK_OK);
		assert_int_equal(p2mk_mtrr_wrmsr(s, 0x201 + 2 * n, mask, NULL),
		                 P2MK_OK);
	}
	if (s->cap & P2MK_MTRRCAP_FIX) {
		static const uint32_t fixed_msrs[11] = {
		    0x250, 0x258, 0x259, 0x268, 0x269, 0x26a,
		    0x26b, 0x26c, 0x26d, 0x26e, 0x26f};
		unsigned uniform = test_rng_below(rng, 2) == 0;
		uint8_t t0 = valid_types[test_rng_below(rng, 5)];
		for (unsigned k = 0; k < 11; k++) {
			uint64_t v = 0;
			for (unsigned b = 0; b < 8; b++) {
				uint8_t t =
				    uniform
				        ? t0
				        : valid_types[test_rng_below(rng, 5)];
				v |= (uint64_t)t << (8 * b);
			}
			assert_int_equal(
			    p2mk_mtrr_wrmsr(s, fixed_msrs[k], v, NULL),
			    P2MK_OK);
		}
	}
	uint64_t def = valid_types[test_rng_below(rng, 5)];
	if (test_rng_below(rng, 10) != 0)
		def |= 0x800;
	if (test_rng_below(rng, 2) == 0)
		def |= 0x400;
	assert_int_equal(p2mk_mtrr_wrmsr(s, 0x2ff, def, NULL), P2MK_OK);
}

/* Orders mostly small, sometimes up to 2 MiB and rarely up to 256 MiB,
 * so the brute force stays affordable. */
static unsigned random_order(struct test_rng *rng)
{
	uint64_t r = test_rng_below(rng, 100);
	if (r < 55)
		return (unsigned)test_rng_below(rng, 5);
	if (r < 95)
		return 5 + (unsigned)test_rng_below(rng, 5);
	if (r < 99)
		return 10 + (unsigned)test_rng_below(rng, 4);
	return 14 + (unsigned)test_rng_below(rng, 3);
}

static uint64_t random_address(struct test_rng *rng,
                               const struct p2mk_mtrr_state *s)
{
	uint64_t r = test_rng_below(rng, 10);
	if (r == 0)
		return test_rng_below(rng, 0x200000); /* first 2 MiB */
	unsigned vcnt = (unsigned)(s->cap & 0xff);
	if (r < 6 && vcnt > 0) {
		/* Near the start or end of a range. */
		const struct p2mk_mtrr_var *v =
		    &s->var[test_rng_below(rng, vcnt)];
		uint64_t base = v->base & ~UINT64_C(0xfff);
		uint64_t span =
		    (~v->mask & ((UINT64_C(1) << s->maxphyaddr) - 1)) + 1;
		uint64_t off = test_rng_below(rng, 3) == 0 ? span : 0;
		return base + off + (test_rng_below(rng, 64) << 12) -
		       (test_rng_below(rng, 2) ? 0x20000 : 0);
	}
	return test_rng_below(rng, UINT64_C(1) << 34);
}

static void oracle_random_states(void **state)
{
	(void)state;
	const char *env = getenv("P2MK_ORACLE_STATES");
	unsigned long states = env ? strtoul(env, NULL, 0) : 100000;
	struct test_rng rng = {test_seed(20261121)};
	unsigned long mixed = 0, undefined = 0, typed = 0;
	for (unsigned long i = 0; i < states; i++) {
		struct p2mk_mtrr_state s;
		random_state(&rng, &s);
		for (unsigned q = 0; q < 2; q++) {
			uint64_t pa = random_address(&rng, &s);
			unsigned order = random_order(&rng);
			enum p2mk_overlap ov =
			    (enum p2mk_overlap)test_rng_below(&rng, 4);
			unsigned want = oracle_block(&s, pa, order, ov);
			struct p2mk_mtrr_lookup r =
			    p2mk_mtrr_lookup(&s, p2mk_gpa(pa), order, ov);
			unsigned got = library_answer(&r);
			if (got != want) {
				fprintf(stderr,
				        "state %lu: pa 0x%" PRIx64
				        " order %u overlap %d: "
				        "library 0x%x, oracle 0x%x\n",
				        i, pa, order, (int)ov, got, want);
			}
			assert_int_equal(got, want);
			mixed += want == ORACLE_MIXED;
			undefined += want == ORACLE_UNDEFINED;
			typed += want < 8;
		}
	}
	fprintf(stderr, "%lu states: %lu typed, %lu mixed, %lu undefined\n",
	        states, typed, mixed, undefined);
	/*
	 * The generator must exercise every kind of answer.  Per state (two
	 * queries) it yields about 1.89 typed, 0.10 mixed and 0.0055 undefined
	 * answers (seeds 1-12 at 20000 states: 96-127 undefined), so each floor
	 * sits a factor of 3.8 to 5.5 under its mean: at the default 100000
	 * states the undefined count (mean ~550) would have to fall 15+
	 * standard deviations to reach states / 1000.  The old floor, states /
	 * 200, was within 10% of that mean and failed for P2MK_SEED=66.  Below
	 * 10000 states the counts are too small for any floor to hold for every
	 * seed, so a short run only prints them.
	 */
	if (states >= 10000) {
		assert_true(typed > states / 2);
		assert_true(mixed > states / 50);
		assert_true(undefined > states / 1000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(oracle_random_states),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
