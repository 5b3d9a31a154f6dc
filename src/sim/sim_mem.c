// SPDX-License-Identifier: BSD-2-Clause
/*
 * sim: the page allocator the simulator lends the core (heap pages,
 * counted so each event reports the table pages it allocated).
 */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

static void *page_alloc(void *ctx)
{
	struct sim_alloc *a = ctx;
	void *p = aligned_alloc(P2MK_PAGE_SIZE, P2MK_PAGE_SIZE);
	if (p == NULL)
		return NULL;
	memset(p, 0, P2MK_PAGE_SIZE);
	a->allocs++;
	return p;
}

static void page_free(void *ctx, void *page)
{
	struct sim_alloc *a = ctx;
	a->frees++;
	free(page);
}

/* Identity: the core writes the pointer's value into table entries. */
static uint64_t virt_to_phys(void *ctx, void *va)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)va;
}

static void *phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	// NOLINTNEXTLINE(performance-no-int-to-ptr): tables live in the heap
	return (void *)(uintptr_t)pa;
}

void sim_alloc_init(struct sim_alloc *a)
{
	memset(a, 0, sizeof(*a));
	a->ops = (struct p2mk_mm_ops){page_alloc, page_free, virt_to_phys,
	                              phys_to_virt, a};
}
