// SPDX-License-Identifier: BSD-2-Clause
#include "test_support.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t test_rng_next(struct test_rng *r)
{
	uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

uint64_t test_rng_below(struct test_rng *r, uint64_t bound)
{
	return test_rng_next(r) % bound;
}

uint64_t test_seed(uint64_t fallback)
{
	const char *env = getenv("P2MK_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : fallback;
	fprintf(stderr, "seed: P2MK_SEED=%" PRIu64 "\n", seed);
	return seed;
}

static void *alloc_page(void *ctx)
{
	struct test_alloc *a = ctx;
	a->allocs++;
	if (a->fail_at != 0 && a->allocs == a->fail_at)
		return NULL;
	void *p = aligned_alloc(P2MK_PAGE_SIZE, P2MK_PAGE_SIZE);
	if (p == NULL)
		return NULL;
	memset(p, 0, P2MK_PAGE_SIZE);
	a->live++;
	return p;
}

static void free_page(void *ctx, void *page)
{
	struct test_alloc *a = ctx;
	assert_non_null(page);
	a->frees++;
	a->live--;
	free(page);
}

static uint64_t virt_to_phys(void *ctx, void *va)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)va;
}

static void *phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	/* Identity map: test pages are addressed by their pointer value. */
	return (void *)(uintptr_t)pa; // NOLINT(performance-no-int-to-ptr)
}

void test_alloc_init(struct test_alloc *a)
{
	memset(a, 0, sizeof(*a));
	a->ops = (struct p2mk_mm_ops){alloc_page, free_page, virt_to_phys,
	                              phys_to_virt, a};
}

void test_alloc_fail_at(struct test_alloc *a, uint64_t n)
{
	a->allocs = 0;
	a->fail_at = n;
}
