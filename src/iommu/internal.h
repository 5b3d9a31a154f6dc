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

/* The cost of one page-selective descriptor reaching @extra pages that
 * needed no invalidation (the cost model of struct p2mk_iommu_caps). */
static inline uint64_t block_cost(const struct p2mk_iommu_caps *caps,
                                  uint64_t extra)
{
	return sat_add(caps->cost_desc, sat_mul(extra, caps->cost_extra_page));
}

/* Pages of [first, first + size) inside the sorted ranges. */
uint64_t iommu_ranges_covered(const struct p2mk_inv_range *r, size_t n,
                              uint64_t first, uint64_t size);

/* The P2MK_INV_MIN builder (inv_min.c); arguments already checked. */
void iommu_inv_min(const struct p2mk_iommu_caps *caps,
                   const struct p2mk_inv_range *r, size_t n, bool nonleaf,
                   p2mk_inv_emit_fn emit, void *ctx,
                   struct p2mk_inv_result *res);

/* ---- vec.c: records in allocator pages ---- */
struct iommu_rec {
	uint64_t a, b, c, d;
};

#define VEC_PER_PAGE ((P2MK_PAGE_SIZE - 16) / sizeof(struct iommu_rec))

struct vec_page {
	struct vec_page *next;
	uint64_t n;
	struct iommu_rec rec[VEC_PER_PAGE];
};

/* Iteration: struct vec_it it = {0}; while ((r = vec_next(v, &it))) ... */
struct vec_it {
	const struct vec_page *p;
	uint64_t i;
	bool started;
};

static inline const struct iommu_rec *vec_next(const struct p2mk_iommu_vec *v,
                                               struct vec_it *it)
{
	if (!it->started) {
		it->p = v->head;
		it->i = 0;
		it->started = true;
	}
	while (it->p != NULL && it->i == it->p->n) {
		it->p = it->p->next;
		it->i = 0;
	}
	return it->p == NULL ? NULL : &it->p->rec[it->i++];
}

enum p2mk_err vec_push(struct p2mk_iommu_vec *v, const struct p2mk_mm_ops *mm,
                       struct iommu_rec r);
struct iommu_rec *vec_last(struct p2mk_iommu_vec *v);
/* Keep only the first @n records. */
void vec_truncate(struct p2mk_iommu_vec *v, const struct p2mk_mm_ops *mm,
                  uint64_t n);
/* Keep, in order, the records @keep returns true for (it may edit them). */
void vec_filter(struct p2mk_iommu_vec *v, const struct p2mk_mm_ops *mm,
                bool (*keep)(void *ctx, struct iommu_rec *r), void *ctx);
void vec_free(struct p2mk_iommu_vec *v, const struct p2mk_mm_ops *mm);
/* Room for @n more records without allocating (n <= VEC_PER_PAGE). */
enum p2mk_err vec_reserve(struct p2mk_iommu_vec *v,
                          const struct p2mk_mm_ops *mm, unsigned n);

/* ---- gather.c ---- */
void gather_add(struct p2mk_iommu_gather *g, p2mk_gfn_t first, uint64_t count);
/* Move the parts of the gather inside [lo, hi) to @out (room for
 * P2MK_IOMMU_GATHER_MAX); returns how many. */
uint32_t gather_take_window(struct p2mk_iommu_gather *g, uint64_t lo,
                            uint64_t hi, struct p2mk_inv_range *out);

/* ---- iotlb.c: the model IOTLB ---- */
/* A stale record: a = first gfn, b = count, c = first mfn, d = flags. */
#define STALE_PERM UINT64_C(0xff)
#define STALE_NEG  P2MK_BIT(8) /* a cached not-present entry */
#define STALE_SEEN P2MK_BIT(9) /* already reported as a violation */

/* Invalidated frame ranges of one flush, sorted, as the hardware decoded
 * them; @domain: everything. */
#define INV_LIST_MAX 64
struct inv_list {
	struct p2mk_inv_range r[INV_LIST_MAX];
	uint32_t n;
	bool domain;
};

enum p2mk_err iotlb_capture(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                            uint64_t count);
void iotlb_invalidate(struct p2mk_iommu *io, const struct inv_list *l);
bool iotlb_refs_mfn(const struct p2mk_iommu *io, uint64_t mfn, uint64_t count);
bool iotlb_stale_at(const struct p2mk_iommu *io, uint64_t gfn);
/* After a completed flush: drop records the tables agree with, report
 * the rest. */
void iotlb_after_flush(struct p2mk_iommu *io);

/* ---- domain.c / check.c ---- */
void iommu_violation(struct p2mk_iommu *io, const char *what);
/* Out of bookkeeping memory: invalidate everything synchronously. */
void iommu_forced_domain_flush(struct p2mk_iommu *io);

void iommu_put_frames(struct p2mk_iommu *io, uint64_t mfn, uint64_t count);
/* Give back every deferred item no pending invalidation protects. */
void iommu_release_deferred(struct p2mk_iommu *io);

#endif /* P2MKIT_IOMMU_INTERNAL_H */
