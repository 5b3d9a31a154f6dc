/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The brute-force oracle for invalidation builders: an exhaustive dynamic
 * programme over every set of disjoint naturally aligned blocks covering
 * a set of frame ranges, shared by the iommu and physmap tests.
 * Everything is static: each test program includes this header once.
 */
#ifndef P2MKIT_TEST_IOMMU_ORACLE_H
#define P2MKIT_TEST_IOMMU_ORACLE_H

#include "test_support.h"

#include <stdlib.h>

#include <p2mkit/iommu.h>

/* ---- the brute-force oracle ------------------------------------------ */

struct best {
	uint64_t cost, descs;
};

static inline bool best_less(struct best a, struct best b)
{
	return a.cost < b.cost || (a.cost == b.cost && a.descs < b.descs);
}

static inline bool in_ranges(const struct p2mk_inv_range *r, size_t n,
                             uint64_t p)
{
	for (size_t i = 0; i < n; i++)
		if (p >= r[i].first.v && p < r[i].first.v + r[i].count)
			return true;
	return false;
}

/*
 * Exhaustive DP over positions of the ranges' hull: at each position either
 * skip it (outside the ranges) or place any aligned block of order <= max
 * starting there (the first block may start below the hull).  Every set
 * of disjoint aligned blocks covering the ranges is one path.
 */
static inline struct best oracle(const struct p2mk_iommu_caps *c, unsigned max,
                                 const struct p2mk_inv_range *r, size_t n)
{
	uint64_t lo = r[0].first.v, hi = r[n - 1].first.v + r[n - 1].count;
	uint64_t len = hi - lo;
	struct best *f = malloc((len + 1) * sizeof(*f));
	uint64_t *pre = malloc((len + 1) * sizeof(*pre));
	assert_non_null(f);
	assert_non_null(pre);
	pre[0] = 0;
	for (uint64_t i = 0; i < len; i++)
		pre[i + 1] = pre[i] + in_ranges(r, n, lo + i);
	for (uint64_t i = 0; i <= len; i++)
		f[i] = (struct best){UINT64_MAX, UINT64_MAX};
	f[0] = (struct best){0, 0};
	for (uint64_t i = 0; i < len; i++) {
		if (f[i].cost == UINT64_MAX)
			continue;
		uint64_t p = lo + i;
		if (!in_ranges(r, n, p) && best_less(f[i], f[i + 1]))
			f[i + 1] = f[i];
		for (unsigned k = 0; k <= max; k++) {
			uint64_t size = P2MK_BIT(k);
			uint64_t start = p & ~(size - 1);
			if (start != p && i != 0)
				break; /* only the first block may start lower
				        */
			uint64_t end = start + size;
			uint64_t j = end > hi ? len : end - lo;
			uint64_t extra = size - (pre[j] - pre[i]);
			struct best b = {f[i].cost + c->cost_desc +
			                     extra * c->cost_extra_page,
			                 f[i].descs + 1};
			if (best_less(b, f[j]))
				f[j] = b;
		}
	}
	struct best out = f[len];
	free(f);
	free(pre);
	return out;
}

static inline unsigned max_order(const struct p2mk_iommu_caps *c)
{
	if (c->hw == P2MK_IOMMU_AMDVI)
		return P2MK_AMDVI_MAX_ORDER;
	return c->mamv;
}

/* The minimum (cost, descriptors) of @r under @c, domain-selective
 * included, as P2MK_INV_MIN must find it. */
static inline struct best oracle_min(const struct p2mk_iommu_caps *c,
                                     const struct p2mk_inv_range *r, size_t n,
                                     bool *domain)
{
	struct best want = {UINT64_MAX, 0};
	bool page_ok = c->hw == P2MK_IOMMU_AMDVI || c->psi;
	if (page_ok)
		want = oracle(c, max_order(c), r, n);
	*domain = !page_ok || c->cost_domain < want.cost;
	if (*domain)
		want = (struct best){c->cost_domain, 1};
	return want;
}

#endif /* P2MKIT_TEST_IOMMU_ORACLE_H */
