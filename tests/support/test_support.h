/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared test support: a seeded PRNG and an accounting page allocator with
 * failure injection, implementing struct p2mk_mm_ops.
 */
#ifndef P2MKIT_TEST_SUPPORT_H
#define P2MKIT_TEST_SUPPORT_H

#include <setjmp.h> /* cmocka needs these before <cmocka.h> */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <p2mkit/base.h>

/** A splitmix64 generator: small, fast and reproducible from its seed. */
struct test_rng {
	uint64_t state;
};

uint64_t test_rng_next(struct test_rng *r);
/** Uniform in [0, bound); bound must be > 0. */
uint64_t test_rng_below(struct test_rng *r, uint64_t bound);

/**
 * The seed for a test: $P2MK_SEED if set, else @fallback.  Printed once so
 * a failure can be replayed.
 */
uint64_t test_seed(uint64_t fallback);

/**
 * struct test_alloc - page allocator for tests.  Pages come from the heap
 * (4 KiB aligned, zeroed).  @fail_at > 0 makes the fail_at-th allocation
 * (1-based, counted from the last reset) return NULL.  @live counts pages
 * handed out and not yet returned; a test ends with live == 0.
 * Physical addresses are the virtual ones (identity).
 */
struct test_alloc {
	struct p2mk_mm_ops ops;
	uint64_t allocs;
	uint64_t frees;
	int64_t live;
	uint64_t fail_at;
};

void test_alloc_init(struct test_alloc *a);
/** Count allocations from now on and fail the @n-th (0: never fail). */
void test_alloc_fail_at(struct test_alloc *a, uint64_t n);

#endif /* P2MKIT_TEST_SUPPORT_H */
