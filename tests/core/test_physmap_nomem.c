// SPDX-License-Identifier: BSD-2-Clause
/*
 * Allocation failure injected at every allocation point of each physmap
 * operation (populate, decrease, relocate a page over RAM, MMIO map, VFIO
 * BAR) with shared and separate tables: a failed call leaves every
 * translation (CPU and device) and every frame's owner as they were, and
 * the safety checker finds nothing.
 */
#include "test_physmap_env.h"

#include <stdio.h>

#define WIN      4096u /* gfns compared */
#define MMIO_GFN (UINT64_C(1) << 20)

struct state {
	uint64_t p2m[WIN + 64], io[WIN + 64];
	uint8_t fr[1 << 14];
};

static void take(struct env *e, struct state *s)
{
	for (uint64_t i = 0; i < WIN + 64; i++) {
		uint64_t g = i < WIN ? i : MMIO_GFN + (i - WIN);
		struct p2mk_p2m_entry en;
		s->p2m[i] = p2mk_p2m_get(&e->p2m, p2mk_gfn(g), &en) == P2MK_OK
		                ? en.mfn.v << 8 | en.type
		                : ~0ull;
		p2mk_mfn_t m;
		unsigned perm;
		bool stale;
		s->io[i] = p2mk_iommu_translate(&e->io, p2mk_gfn(g), &m, &perm,
		                                &stale) == P2MK_OK
		               ? m.v << 4 | perm
		               : ~0ull;
	}
	memcpy(s->fr, e->fr.state, sizeof(s->fr));
}

/* The world every attempt starts from. */
static void prepare(struct env *e, enum env_kind kind)
{
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
	env_setup(e, kind, &ic, 1 << 14, 1 << 10);
	struct p2mk_physmap_counts c = {0};
	assert_int_equal(
	    p2mk_physmap_populate(&e->pm, p2mk_gfn(0), 1024, 9, &c), P2MK_OK);
	assert_int_equal(
	    p2mk_physmap_populate(&e->pm, p2mk_gfn(2048), 8, 0, &c), P2MK_OK);
}

static enum p2mk_err op_run(struct env *e, unsigned op)
{
	struct p2mk_physmap_counts c = {0};
	switch (op) {
	case 0:
		return p2mk_physmap_populate(&e->pm, p2mk_gfn(3072), 512, 9,
		                             &c);
	case 1: /* one page out of a 2 MiB leaf: splits */
		return p2mk_physmap_decrease(&e->pm, p2mk_gfn(600), 1, &c);
	case 2: /* a page from a 2 MiB leaf over a RAM page */
		return p2mk_physmap_add_one(&e->pm, p2mk_gfn(5), p2mk_gfn(2049),
		                            &c);
	case 3: /* a page into a new region: tables needed */
		return p2mk_physmap_add_one(&e->pm, p2mk_gfn(7), p2mk_gfn(3900),
		                            &c);
	case 4:
		return p2mk_physmap_mmio_map(&e->pm, p2mk_gfn(MMIO_GFN),
		                             p2mk_mfn(1 << 14), 1, P2MK_MMIO_1G,
		                             &c);
	default:
		return p2mk_physmap_vfio_bar(&e->pm, p2mk_gfn(MMIO_GFN),
		                             p2mk_mfn(1 << 14), 16,
		                             P2MK_PFNMAP_PTE, &c);
	}
}

static void failure_at_every_allocation_changes_nothing(void **state)
{
	(void)state;
	static struct state before, after;
	unsigned failures = 0;
	for (int kind = ENV_SHARED; kind <= ENV_SEPARATE; kind++) {
		for (unsigned op = 0; op < 6; op++) {
			if (op == 5 && kind == ENV_SHARED)
				continue; /* VFIO never shares tables */
			for (uint64_t k = 1;; k++) {
				struct env e;
				prepare(&e, (enum env_kind)kind);
				take(&e, &before);
				test_alloc_fail_at(&e.alloc, k);
				enum p2mk_err err = op_run(&e, op);
				test_alloc_fail_at(&e.alloc, 0);
				bool hit = err == P2MK_ERR_NOMEM;
				if (hit) {
					p2mk_iommu_flush(&e.io);
					take(&e, &after);
					assert_memory_equal(&before, &after,
					                    sizeof(before));
					failures++;
				} else {
					assert_int_equal(err, P2MK_OK);
				}
				assert_int_equal(p2mk_iommu_audit(&e.io, true),
				                 0);
				assert_int_equal(e.io.stats.violations, 0);
				env_teardown(&e);
				if (!hit)
					break;
			}
		}
	}
	fprintf(stderr, "%u allocation points failed cleanly\n", failures);
	assert_true(failures >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(failure_at_every_allocation_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
