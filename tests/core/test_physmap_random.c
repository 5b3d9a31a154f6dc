// SPDX-License-Identifier: BSD-2-Clause
/*
 * Randomized physmap + IOMMU runs with the safety checker on: >= 1,000,000
 * operations (populate, decrease, relocate in every batching, MMIO map and
 * unmap, explicit flushes, time passing) across strict and lazy modes and
 * shared and separate tables, zero violations allowed; the unsafe mode
 * (frees before flushing) must be caught within 1,000 operations for every
 * seed.  P2MK_SEED=N replays; P2MK_RANDOM_OPS=N scales the total.
 */
#include "test_physmap_env.h"

#include <inttypes.h>
#include <stdio.h>

#define RAM_FRAMES  (1u << 14)
#define MMIO_FRAMES (1u << 12)
#define GFN_SPACE   (1u << 14) /* RAM gfns; MMIO goes above */
#define MMIO_GFN    (UINT64_C(1) << 20)

struct tally {
	uint64_t ops[8], ok[8];
};

static uint64_t rnd(struct test_rng *g, uint64_t n)
{
	return test_rng_below(g, n);
}

/* Does the IOMMU translate every sampled page exactly as the p2m does? */
static void check_agree(struct env *e, struct test_rng *g)
{
	for (int i = 0; i < 8; i++) {
		uint64_t gfn = rnd(g, 2) ? rnd(g, GFN_SPACE)
		                         : MMIO_GFN + rnd(g, MMIO_FRAMES);
		struct p2mk_p2m_entry pe;
		p2mk_mfn_t m;
		unsigned perm;
		bool stale;
		bool in_p2m =
		    p2mk_p2m_get(&e->p2m, p2mk_gfn(gfn), &pe) == P2MK_OK;
		enum p2mk_err err = p2mk_iommu_translate(&e->io, p2mk_gfn(gfn),
		                                         &m, &perm, &stale);
		if (in_p2m) {
			assert_int_equal(err, P2MK_OK);
			assert_int_equal(m.v, pe.mfn.v);
		} else {
			assert_true(err != P2MK_OK || perm == 0);
		}
	}
}

static enum p2mk_err one_op(struct env *e, struct test_rng *g, unsigned op,
                            struct p2mk_physmap_counts *cp)
{
	struct p2mk_physmap_counts c = {0};
	enum p2mk_err err = P2MK_OK;
	uint64_t gfn = rnd(g, GFN_SPACE - 64);
	switch (op) {
	case 0: /* populate: a 2 MiB block now and then, else pages */
		if (rnd(g, 16) == 0)
			err = p2mk_physmap_populate(
			    &e->pm, p2mk_gfn(gfn & ~511u), 512, 9, &c);
		else
			err = p2mk_physmap_populate(&e->pm, p2mk_gfn(gfn),
			                            1 + rnd(g, 8), 0, &c);
		break;
	case 1:
		err = p2mk_physmap_decrease(&e->pm, p2mk_gfn(gfn),
		                            1 + rnd(g, 16), &c);
		break;
	case 2: {
		uint64_t n = 1 + rnd(g, 40);
		uint64_t dst =
		    rnd(g, 4) ? gfn + rnd(g, 80) - 40 : rnd(g, GFN_SPACE - 64);
		if (dst >= GFN_SPACE - 64)
			dst = gfn;
		err = p2mk_physmap_relocate(
		    &e->pm, p2mk_gfn(gfn), p2mk_gfn(dst), n,
		    (enum p2mk_reloc_batch)rnd(g, 3), &c);
		break;
	}
	case 3: {
		uint64_t off = rnd(g, MMIO_FRAMES / 512) * 512 +
		               (rnd(g, 2) ? 0 : rnd(g, 512));
		uint64_t n = rnd(g, 2) ? 512 : 1 + rnd(g, 32);
		if (off + n > MMIO_FRAMES)
			n = MMIO_FRAMES - off;
		err = p2mk_physmap_mmio_map(&e->pm, p2mk_gfn(MMIO_GFN + off),
		                            p2mk_mfn(RAM_FRAMES + off), n,
		                            (enum p2mk_mmio_era)rnd(g, 2), &c);
		break;
	}
	case 4: {
		uint64_t off = rnd(g, MMIO_FRAMES - 64);
		err = p2mk_physmap_mmio_unmap(&e->pm, p2mk_gfn(MMIO_GFN + off),
		                              1 + rnd(g, 64),
		                              P2MK_MMIO_XEN_2016, &c);
		break;
	}
	case 5:
		p2mk_iommu_flush(&e->io);
		assert_int_equal(p2mk_iommu_audit(&e->io, true), 0);
		c.pages_done = 1;
		break;
	default:
		p2mk_iommu_advance(&e->io, e->io.now + rnd(g, 4));
		c.pages_done = 1;
	}
	*cp = c;
	return err;
}

static unsigned pick_op(struct test_rng *g)
{
	static const unsigned w[] = {22, 20, 30, 10, 8, 3, 7};
	uint64_t r = rnd(g, 100);
	for (unsigned i = 0; i < 7; i++) {
		if (r < w[i])
			return i;
		r -= w[i];
	}
	return 6;
}

/* Run @n operations; returns the index of the first violation or n. */
static uint64_t run(enum env_kind kind, const struct p2mk_iommu_config *ic,
                    uint64_t seed, uint64_t n, struct tally *t)
{
	struct env e;
	env_setup(&e, kind, ic, RAM_FRAMES, MMIO_FRAMES);
	struct test_rng g = {seed};
	uint64_t first = n;
	for (uint64_t i = 0; i < n && first == n; i++) {
		unsigned op = pick_op(&g);
		struct p2mk_physmap_counts c;
		enum p2mk_err err = one_op(&e, &g, op, &c);
		t->ops[op]++;
		t->ok[op] += c.pages_done > 0; /* made progress */
		/* the only failures: bad guest requests or frames exhausted */
		assert_true(err == P2MK_OK || err == P2MK_ERR_EXISTS ||
		            err == P2MK_ERR_NOENT || err == P2MK_ERR_INVAL ||
		            (err == P2MK_ERR_NOMEM && op == 0));
		if (i % 64 == 0) {
			check_agree(&e, &g);
			p2mk_iommu_audit(&e.io, false);
		}
		if (e.io.stats.violations > 0)
			first = i;
	}
	if (first == n) {
		p2mk_iommu_flush(&e.io);
		assert_int_equal(p2mk_iommu_audit(&e.io, true), 0);
	}
	env_teardown(&e);
	return first;
}

static uint64_t total_ops(void)
{
	const char *s = getenv("P2MK_RANDOM_OPS");
	return s ? strtoull(s, NULL, 0) : 1000000;
}

static void random_ops_never_violate_safety(void **state)
{
	(void)state;
	uint64_t seed = test_seed(11);
	struct p2mk_iommu_config strict = env_vtd(P2MK_IOMMU_STRICT, 9);
	struct p2mk_iommu_config lazy = env_vtd(P2MK_IOMMU_LAZY, 18);
	lazy.fq_size = 64;
	struct p2mk_iommu_config amd = strict;
	amd.caps.hw = P2MK_IOMMU_AMDVI;
	amd.caps.cm = true;
	struct p2mk_iommu_config lazy_amd = amd;
	lazy_amd.mode = P2MK_IOMMU_LAZY;
	lazy_amd.fq_size = 256;
	lazy_amd.rule = P2MK_INV_LINUX;
	const struct {
		enum env_kind kind;
		const struct p2mk_iommu_config *ic;
	} cfg[] = {{ENV_SHARED, &strict},   {ENV_SHARED, &lazy},
	           {ENV_SEPARATE, &strict}, {ENV_SEPARATE, &lazy},
	           {ENV_SEPARATE, &amd},    {ENV_SEPARATE, &lazy_amd}};
	const unsigned ncfg = sizeof(cfg) / sizeof(cfg[0]);
	uint64_t per = (total_ops() + ncfg - 1) / ncfg, done = 0;
	struct tally t;
	memset(&t, 0, sizeof(t));
	for (unsigned k = 0; k < ncfg; k++) {
		assert_int_equal(run(cfg[k].kind, cfg[k].ic, seed + k, per, &t),
		                 per);
		done += per;
	}
	fprintf(stderr, "%" PRIu64 " operations, 0 violations\n", done);
	/* every kind of operation ran and succeeded often enough */
	for (unsigned i = 0; i < 5; i++) {
		fprintf(stderr, "op %u: %" PRIu64 " run, %" PRIu64 " ok\n", i,
		        t.ops[i], t.ok[i]);
		assert_true(t.ok[i] > t.ops[i] / 20);
	}
	assert_true(done >= total_ops());
}

static void unsafe_mode_is_caught_within_1000_ops(void **state)
{
	(void)state;
	uint64_t seed = test_seed(1);
	struct tally t;
	memset(&t, 0, sizeof(t));
	for (uint64_t s = seed; s < seed + 50; s++) {
		struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_UNSAFE, 9);
		enum env_kind kind = s % 2 ? ENV_SHARED : ENV_SEPARATE;
		uint64_t first = run(kind, &ic, s, 1000, &t);
		assert_true(first < 1000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(random_ops_never_violate_safety),
	    cmocka_unit_test(unsafe_mode_is_caught_within_1000_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
