/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the files of src/iommu (not part of the API). */
#ifndef P2MKIT_IOMMU_INTERNAL_H
#define P2MKIT_IOMMU_INTERNAL_H

#include <p2mkit/iommu.h>

/* Frames at or above 2^40 (byte addresses of 52 bits) exceed every IOMMU
 * input width the spec describes (inv §2.8 mask 52, §3.2 bit 51). */
#define IOMMU_MAX_ORDER   40u
#define IOMMU_FRAME_LIMIT P2MK_BIT(IOMMU_MAX_ORDER)

/* AMD-Vi INVALIDATE_IOMMU_PAGES word-1 flags (inv §3.1). */
#define AMDVI_S   P2MK_BIT(0)
#define AMDVI_PDE P2MK_BIT(1)

static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static inline uint64_t sat_mul(uint64_t a, uint64_t b)
{
	if (a != 0 && b > UINT64_MAX / a)
		return UINT64_MAX;
	return a * b;
}

/* Pages of [first, first + size) inside the sorted ranges. */
uint64_t iommu_ranges_covered(const struct p2mk_inv_range *r, size_t n,
                              uint64_t first, uint64_t size);

/* The P2MK_INV_MIN builder (inv_min.c); arguments already checked. */
void iommu_inv_min(const struct p2mk_iommu_caps *caps,
                   const struct p2mk_inv_range *r, size_t n, bool nonleaf,
                   p2mk_inv_emit_fn emit, void *ctx,
                   struct p2mk_inv_result *res);

#endif /* P2MKIT_IOMMU_INTERNAL_H */
