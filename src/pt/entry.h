/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to src/pt: reading and writing one entry through the format's
 * data masks, the batched invalidation every mutating call reports
 * through, and the functions the engine's files share.
 */
#ifndef P2MKIT_PT_ENTRY_H
#define P2MKIT_PT_ENTRY_H

#include <p2mkit/pt.h>

#define PT_NENT P2MK_PT_ENTRIES

/* For the few hot paths specialised by a constant argument (read.c). */
#if defined(__GNUC__)
#define PT_ALWAYS_INLINE inline __attribute__((always_inline))
#define PT_NOINLINE      __attribute__((noinline))
#else
#define PT_ALWAYS_INLINE inline
#define PT_NOINLINE
#endif
#define PT_IDXM (P2MK_PT_ENTRIES - 1u)

/* Frames one entry at @level covers. */
static inline uint64_t pt_span(unsigned level)
{
	return UINT64_C(1) << (P2MK_PT_TABLE_LG2 * level);
}

static inline uint64_t pt_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline unsigned pt_top(const struct p2mk_pt *pt)
{
	return pt->fmt.levels - 1u;
}

static inline bool ent_present(const struct p2mk_pt *pt, uint64_t e)
{
	return (e & pt->fmt.present_mask) != 0;
}

/* A present entry at @level > 0 that points to a table. */
static inline bool ent_table(const struct p2mk_pt *pt, uint64_t e,
                             unsigned level)
{
	return level > 0 && level < P2MK_PT_MAX_LEVELS && ent_present(pt, e) &&
	       (e & pt->fmt.table_mask) == pt->fmt.table_match[level];
}

/* Address bits of a leaf at @level (bits below its size are attributes). */
static inline uint64_t leaf_oa_mask(const struct p2mk_pt *pt, unsigned level)
{
	return pt->oa_mask &
	       ~((UINT64_C(1) << p2mk_pt_level_lg2sz(&pt->fmt, level)) - 1);
}

static inline uint64_t leaf_mfn(const struct p2mk_pt *pt, uint64_t e,
                                unsigned level)
{
	return (e & leaf_oa_mask(pt, level)) >> P2MK_PAGE_SHIFT;
}

/* The entry bits that put frame @mfn in a leaf or table entry. */
static inline uint64_t mfn_bits(uint64_t mfn)
{
	return p2mk_mfn_to_hpa(p2mk_mfn(mfn)).v;
}

/* The table a table entry points to. */
static inline uint64_t *table_va(const struct p2mk_pt *pt, uint64_t e)
{
	uint64_t pa = e & pt->oa_mask;
	/* the embedder promised a linear map (p2mk_pt_set_direct_map) */
	if (pt->direct) {
		uintptr_t va = (uintptr_t)(pa + pt->va_offset);
		// NOLINTNEXTLINE(performance-no-int-to-ptr)
		return (uint64_t *)va;
	}
	return pt->mm.phys_to_virt(pt->mm.ctx, pa);
}

/*
 * Entry writes that hardware walkers may observe.  Relaxed is enough for
 * leaves; a new table entry is a release store so that the table's
 * contents are visible before the entry that publishes it.
 */
static inline void wr_entry(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline void wr_table_entry(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/*
 * Streaming stores for bulk fills of fresh tables: a normal store first
 * reads the line it writes (read-for-ownership), which doubles the memory
 * traffic of a populate too large for its tables to stay in any cache.
 * x86-64 has movnti for that (Intel SDM vol. 2B "MOVNTI"); being weakly
 * ordered, the stores are fenced (sfence) before the call returns.
 * Elsewhere plain stores.
 */
#if defined(__x86_64__) && defined(__GNUC__)
#define PT_HAVE_STREAM 1
static inline void wr_stream(uint64_t *p, uint64_t v)
{
	__asm__("movnti %1, %0" : "=m"(*p) : "r"(v));
}

static inline void stream_fence(void)
{
	__asm__ volatile("sfence" ::: "memory");
}
#else
#define PT_HAVE_STREAM 0
static inline void wr_stream(uint64_t *p, uint64_t v)
{
	*p = v;
}

static inline void stream_fence(void)
{
}
#endif

/* A table entry at @level for the freshly taken table page @t. */
static inline uint64_t table_entry_for(const struct p2mk_pt *pt, uint64_t *t,
                                       unsigned level)
{
	return pt->fmt.ops->table(&pt->fmt, pt->mm.virt_to_phys(pt->mm.ctx, t),
	                          level);
}

/* Attribute bits of leaf @e re-encoded for a leaf at @to_level. */
static inline uint64_t retemplate(const struct p2mk_pt *pt, uint64_t e,
                                  unsigned from_level, unsigned to_level)
{
	struct p2mk_pt_attrs a;
	pt->fmt.ops->decode(&pt->fmt, e, from_level, &a);
	return pt->fmt.ops->leaf(&pt->fmt, &a, to_level);
}

/* [gfn, gfn + count) inside the input width, without overflow. */
static inline enum p2mk_err pt_check_range(const struct p2mk_pt *pt,
                                           uint64_t gfn, uint64_t count)
{
	if (count == 0)
		return P2MK_ERR_INVAL;
	if (gfn >= pt->gfn_limit || count > pt->gfn_limit - gfn)
		return P2MK_ERR_RANGE;
	return P2MK_OK;
}

/* ---- batched invalidation -------------------------------------------- */

/* A pending inval call, grown while the ranges stay adjacent. */
struct pt_inval {
	struct p2mk_pt *pt;
	uint64_t gfn, count;
	bool nonleaf;
};

static inline void inval_flush(struct pt_inval *iv)
{
	struct p2mk_pt *pt = iv->pt;
	if (iv->count == 0)
		return;
	if (pt->sync.inval)
		pt->sync.inval(pt->sync.ctx, p2mk_gfn(iv->gfn), iv->count,
		               iv->nonleaf);
	pt->stats.invals++;
	iv->count = 0;
	iv->nonleaf = false;
}

static inline void inval_add(struct pt_inval *iv, uint64_t gfn, uint64_t count,
                             bool nonleaf)
{
	if (iv->count != 0 && iv->gfn + iv->count == gfn) {
		iv->count += count;
		iv->nonleaf |= nonleaf;
		return;
	}
	inval_flush(iv);
	iv->gfn = gfn;
	iv->count = count;
	iv->nonleaf = nonleaf;
}

/* ---- shared between the engine's files ------------------------------- */

/* Hand a page that hardware may have seen back to the caller (life.c). */
void p2mk_pti_release_table(struct p2mk_pt *pt, uint64_t *t);

/*
 * Release the detached table @t (entries at @level) and every table below
 * it; an invalidation covering it has already been flushed (life.c).
 */
void p2mk_pti_free_subtree(struct p2mk_pt *pt, uint64_t *t, unsigned level);

/*
 * Replace the table entry *@p at @level (covering [@g, @g + span)) by @v (a
 * leaf, or 0), invalidate and free the table it pointed to (life.c).
 */
void p2mk_pti_drop_table(struct pt_inval *iv, uint64_t *p, unsigned level,
                         uint64_t g, uint64_t v);

#endif /* P2MKIT_PT_ENTRY_H */
