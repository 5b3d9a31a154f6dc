// SPDX-License-Identifier: BSD-2-Clause
/*
 * The planner on random requests of the shapes firmware meets -- RAM below
 * and above 4 GiB, holes ending at 4 GiB with unaligned starts, 64-bit BAR
 * windows, WC framebuffers -- and on random ones.  Every plan is programmed
 * through p2mk_mtrr_wrmsr() (p2mk_mtrr_plan_apply) and p2mk_mtrr_lookup()
 * must give the requested type at every range boundary and one page either
 * side (and a defined type below 1 MiB).  P2MK_PLAN_REQUESTS=N changes the
 * number of requests; P2MK_SEED=N replays a run.
 */
#include "test_support.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#define MAXR     16
#define ONE_MIB  0x100u /* frames */
#define FOUR_GIB UINT64_C(0x100000)

static const uint8_t mtrr_types[5] = {P2MK_MT_UC, P2MK_MT_WC, P2MK_MT_WT,
                                      P2MK_MT_WP, P2MK_MT_WB};

struct req {
	struct p2mk_mtrr_plan_range r[MAXR];
	struct p2mk_mtrr_plan_request q;
	uint64_t space; /* frames */
};

static uint64_t rnd(struct test_rng *rng, uint64_t lo, uint64_t hi)
{
	return lo + test_rng_below(rng, hi - lo);
}

/* A size of 2^k frames times a small odd factor, sometimes unaligned. */
static uint64_t rnd_size(struct test_rng *rng, unsigned max_order)
{
	uint64_t s = UINT64_C(1) << test_rng_below(rng, max_order + 1);
	if (test_rng_below(rng, 3) == 0)
		s += test_rng_below(rng, s);
	return s;
}

/* Mostly aligned to 1..16 MiB as firmware places things, sometimes any
 * frame at all. */
static uint64_t rnd_align(struct test_rng *rng, uint64_t frame)
{
	if (test_rng_below(rng, 8) == 0)
		return frame;
	return frame & ~((UINT64_C(1) << rnd(rng, 8, 13)) - 1);
}

/* Add [first, first + count) if it fits the space and touches no range. */
static void try_add(struct req *q, uint64_t first, uint64_t count, uint8_t type)
{
	if (q->q.nranges == MAXR || count == 0 || first >= q->space ||
	    count > q->space - first)
		return;
	for (size_t i = 0; i < q->q.nranges; i++) {
		const struct p2mk_mtrr_plan_range *r = &q->r[i];
		if (first < r->first.v + r->count && r->first.v < first + count)
			return;
	}
	q->r[q->q.nranges++] =
	    (struct p2mk_mtrr_plan_range){p2mk_gfn(first), count, type};
}

/* RAM: WB from 1 MiB to a top of memory below 4 GiB, high RAM above. */
static void shape_ram(struct test_rng *rng, struct req *q)
{
	uint64_t top = rnd_align(rng, rnd(rng, 0x1000, 0xf0000));
	try_add(q, ONE_MIB, top - ONE_MIB, P2MK_MT_WB);
	if (test_rng_below(rng, 2))
		try_add(q, FOUR_GIB, rnd_size(rng, 24), P2MK_MT_WB);
}

/* A UC hole from an unaligned start up to 4 GiB, maybe with a WB BAR. */
static void shape_hole(struct test_rng *rng, struct req *q)
{
	uint64_t start = rnd_align(rng, rnd(rng, 0x80000, 0xff000));
	uint64_t bar = rnd_align(rng, rnd(rng, start, FOUR_GIB - 1));
	if (test_rng_below(rng, 3) == 0) {
		uint64_t n = rnd_size(rng, 12);
		try_add(q, start, bar - start, P2MK_MT_UC);
		try_add(q, bar, n, P2MK_MT_WB);
		try_add(q, bar + n, FOUR_GIB - bar - n, P2MK_MT_UC);
	} else {
		try_add(q, start, FOUR_GIB - start, P2MK_MT_UC);
	}
	try_add(q, ONE_MIB, start - ONE_MIB, P2MK_MT_WB);
}

/* A 64-bit BAR window high up, UC or WC, aligned or not. */
static void shape_window(struct test_rng *rng, struct req *q)
{
	unsigned order = 14 + (unsigned)test_rng_below(rng, 12);
	uint64_t base = rnd(rng, FOUR_GIB, q->space);
	if (test_rng_below(rng, 2))
		base &= ~((UINT64_C(1) << order) - 1);
	try_add(q, base, rnd_size(rng, order),
	        test_rng_below(rng, 3) ? P2MK_MT_UC : P2MK_MT_WC);
}

/* A WC framebuffer below 4 GiB, inside or next to a UC aperture. */
static void shape_framebuffer(struct test_rng *rng, struct req *q)
{
	uint64_t fb = rnd(rng, 0xc0000, 0xfe000) & ~UINT64_C(0xff);
	uint64_t n = rnd_size(rng, 14);
	try_add(q, fb, n, P2MK_MT_WC);
	if (test_rng_below(rng, 2))
		try_add(q, fb + n, rnd_size(rng, 12), P2MK_MT_UC);
}

/* Random ranges of random types anywhere (low window or whole space). */
static void shape_random(struct test_rng *rng, struct req *q)
{
	unsigned n = 1 + (unsigned)test_rng_below(rng, 8);
	uint64_t window = test_rng_below(rng, 2) ? UINT64_C(1) << 22 : q->space;
	for (unsigned i = 0; i < n; i++)
		try_add(q, rnd_align(rng, test_rng_below(rng, window)),
		        rnd_size(rng, 20), mtrr_types[test_rng_below(rng, 5)]);
}

static void random_request(struct test_rng *rng, struct req *q, unsigned *shape)
{
	static const uint8_t widths[6] = {36, 36, 39, 46, 48, 52};
	static const uint8_t defaults[8] = {
	    P2MK_MT_WB, P2MK_MT_WB, P2MK_MT_UC,          P2MK_MT_UC,
	    P2MK_MT_WT, P2MK_MT_WP, P2MK_MTRR_PLAN_AUTO, P2MK_MTRR_PLAN_AUTO};
	unsigned m = widths[test_rng_below(rng, 6)];
	q->q = (struct p2mk_mtrr_plan_request){
	    .ranges = q->r,
	    .maxphyaddr = (uint8_t)m,
	    .vcnt = 8,
	    .default_type = defaults[test_rng_below(rng, 8)],
	};
	q->space = UINT64_C(1) << (m - 12);
	*shape = (unsigned)test_rng_below(rng, 5);
	switch (*shape) {
	case 0:
		shape_ram(rng, q);
		break;
	case 1:
		shape_hole(rng, q);
		shape_ram(rng, q);
		break;
	case 2:
		shape_hole(rng, q);
		shape_window(rng, q);
		shape_window(rng, q);
		break;
	case 3:
		shape_framebuffer(rng, q);
		shape_hole(rng, q);
		break;
	default:
		shape_random(rng, q);
		break;
	}
}

/* The type the request wants at @frame (>= 1 MiB) under default @d. */
static uint8_t wanted(const struct req *q, uint64_t frame, uint8_t d)
{
	for (size_t i = 0; i < q->q.nranges; i++) {
		const struct p2mk_mtrr_plan_range *r = &q->r[i];
		if (frame >= r->first.v && frame - r->first.v < r->count)
			return r->type;
	}
	return d;
}

/* Check one frame of the programmed state against the request. */
static void check_frame(const struct p2mk_mtrr_state *s, const struct req *q,
                        uint64_t frame, uint8_t d, uint64_t seed_i)
{
	if (frame >= q->space)
		return;
	struct p2mk_mtrr_lookup got = p2mk_mtrr_lookup(
	    s, p2mk_gfn_to_gpa(p2mk_gfn(frame)), 0, P2MK_OVERLAP_SDM);
	if (frame < ONE_MIB) {
		assert_int_equal(got.kind, P2MK_LOOKUP_TYPE);
		return;
	}
	uint8_t want = wanted(q, frame, d);
	if (got.kind != P2MK_LOOKUP_TYPE || got.type != want) {
		fprintf(stderr,
		        "request %" PRIu64 ": frame 0x%" PRIx64
		        " wants %u, got kind %u type %u\n",
		        seed_i, frame, want, got.kind, got.type);
		fail();
	}
}

/* Every boundary +-1 page, and a few random frames. */
static void check_plan(struct test_rng *rng, const struct p2mk_mtrr_state *s,
                       const struct req *q, uint8_t d, uint64_t i)
{
	for (size_t k = 0; k < q->q.nranges; k++) {
		const uint64_t b[2] = {q->r[k].first.v,
		                       q->r[k].first.v + q->r[k].count};
		for (unsigned j = 0; j < 2; j++) {
			check_frame(s, q, b[j] - 1, d, i);
			check_frame(s, q, b[j], d, i);
			check_frame(s, q, b[j] + 1, d, i);
		}
	}
	check_frame(s, q, ONE_MIB, d, i);
	check_frame(s, q, q->space - 1, d, i);
	check_frame(s, q, test_rng_below(rng, q->space), d, i);
}

/* Every planned MTRR is one naturally aligned power-of-two block. */
static void check_blocks(const struct p2mk_mtrr_plan_var *v, unsigned n,
                         unsigned m)
{
	for (unsigned i = 0; i < n; i++) {
		assert_true(v[i].count != 0 &&
		            (v[i].count & (v[i].count - 1)) == 0);
		assert_int_equal(v[i].first.v & (v[i].count - 1), 0);
		uint64_t bytes = v[i].count << 12;
		uint64_t mask = (~(bytes - 1) & ((UINT64_C(1) << m) - 1) &
		                 ~UINT64_C(0xfff)) |
		                0x800;
		assert_int_equal(v[i].physmask, mask);
		assert_int_equal(v[i].physbase,
		                 (v[i].first.v << 12) | v[i].type);
	}
}

/* Under AUTO the minimum is the least over the explicit defaults, and the
 * chosen default attains it. */
static void check_auto(struct req *q, const struct p2mk_mtrr_plan *p)
{
	uint64_t ws[P2MK_MTRR_PLAN_WS_WORDS(MAXR)];
	struct p2mk_mtrr_plan e;
	unsigned least = ~0u;
	for (unsigned t = 0; t < 5; t++) {
		q->q.default_type = mtrr_types[t];
		assert_int_equal(p2mk_mtrr_plan(&q->q, ws,
		                                P2MK_MTRR_PLAN_WS_WORDS(MAXR),
		                                NULL, 0, &e),
		                 P2MK_OK);
		least = e.minimum < least ? e.minimum : least;
		if (mtrr_types[t] == p->default_type)
			assert_int_equal(e.minimum, p->minimum);
	}
	q->q.default_type = P2MK_MTRR_PLAN_AUTO;
	assert_int_equal(p->minimum, least);
}

static void random_requests_plan_exactly(void **state)
{
	(void)state;
	const char *env = getenv("P2MK_PLAN_REQUESTS");
	unsigned long n = env ? strtoul(env, NULL, 0) : 102000;
	struct test_rng rng = {test_seed(20261203)};
	unsigned long checked = 0, shapes[5] = {0}, oor = 0, maxmin = 0;
	for (unsigned long i = 0; i < n; i++) {
		struct req q;
		unsigned shape;
		random_request(&rng, &q, &shape);
		uint64_t ws[P2MK_MTRR_PLAN_WS_WORDS(MAXR)];
		struct p2mk_mtrr_plan_var v[P2MK_MTRR_VCNT_MAX];
		struct p2mk_mtrr_plan p;
		assert_int_equal(p2mk_mtrr_plan(&q.q, ws,
		                                P2MK_MTRR_PLAN_WS_WORDS(MAXR),
		                                v, P2MK_MTRR_VCNT_MAX, &p),
		                 P2MK_OK);
		assert_int_equal(p.status, p.minimum > 8
		                               ? P2MK_MTRR_PLAN_OUT_OF_RESOURCES
		                               : P2MK_MTRR_PLAN_OK);
		oor += p.minimum > 8;
		if (q.q.default_type == P2MK_MTRR_PLAN_AUTO && i % 8 == 0)
			check_auto(&q, &p);
		maxmin = p.minimum > maxmin ? p.minimum : maxmin;
		if (p.minimum > P2MK_MTRR_VCNT_MAX)
			continue; /* cannot be programmed into any CPU */
		assert_int_equal(p.count, p.minimum);
		check_blocks(v, p.count, q.q.maxphyaddr);
		struct p2mk_mtrr_state s;
		const struct p2mk_mtrr_config cfg = {
		    P2MK_MTRR_VCNT_MAX, q.q.maxphyaddr, true, true};
		assert_int_equal(p2mk_mtrr_init(&s, &cfg), P2MK_OK);
		assert_int_equal(p2mk_mtrr_plan_apply(&s, &p, v, NULL),
		                 P2MK_OK);
		check_plan(&rng, &s, &q, p.default_type, i);
		checked++;
		shapes[shape]++;
	}
	printf("%lu requests programmed and checked (shapes %lu %lu %lu %lu "
	       "%lu), %lu over 8 MTRRs, largest minimum %lu\n",
	       checked, shapes[0], shapes[1], shapes[2], shapes[3], shapes[4],
	       oor, maxmin);
	/* Robust for any seed: almost all plans fit 40 pairs, every shape
	 * is exercised, and some requests do not fit 8. */
	assert_true(checked >= n - n / 50);
	for (unsigned k = 0; k < 5; k++)
		assert_true(shapes[k] >= n / 10);
	assert_true(oor >= n / 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(random_requests_plan_exactly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
