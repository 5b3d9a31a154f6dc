/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pt: the page-table engine shared by every second-stage and IOMMU format.
 *
 * One generic engine (src/pt/) works on any format described by a
 * struct p2mk_pt_fmt (the per-format contract, <p2mkit/pt_fmt.h>, included
 * here): geometry as data (levels, input and output widths, the levels that
 * may hold leaves) plus a handful of encode/decode hooks (src/pt/fmt.c).  The
 * split follows Hafnium's generic mm.c + arch hooks and Linux generic_pt's
 * per-format contract (landscape-and-users.md §4.1, §4.2); memory comes from an
 * injected struct p2mk_mm_ops as in KVM arm64's kvm_pgtable (§4.3).
 *
 * Vocabulary (log2 throughout, as generic_pt):
 *  - level 0 holds 4 KiB leaves; level L maps items of 2^(12 + 9L) bytes,
 *    i.e. of order 9L (in 4 KiB frames).  This is the reverse of the Arm
 *    ARM's numbering (Arm level 3 is our level 0) and of AMD-Vi's modes
 *    (AMD level 1 is our level 0) because it keeps the arithmetic simple.
 *  - an "entry" is one 64-bit descriptor; a "table" is one 4 KiB page of
 *    512 entries (the Arm stage-2 root may be 2..16 concatenated pages).
 *  - a "leaf" is a present entry that translates (4 KiB page, 2 MiB or
 *    1 GiB superpage); a "table entry" points to the next level.
 *
 * Every mutating call runs in two phases, as Hafnium's
 * mm_ptable_prepare()/mm_ptable_commit(): prepare walks the range without
 * writing anything, checks every rule (EXISTS, RANGE, INVAL) and reserves
 * every table page the change may need; only then does commit write, and
 * commit cannot fail.  A call that returns an error has changed nothing and
 * holds no memory.
 *
 * Invalidation: every entry that was present and is changed or removed is
 * reported to struct p2mk_pt_sync.inval (a guest-frame range, and whether a
 * non-leaf entry changed, which tells an IOMMU it must also drop cached
 * paging-structure entries: VT-d IH = 0, AMD-Vi PDE = 1;
 * iommu-invalidation.md §2.4, §3.1).  Every table page that stops being
 * referenced is handed to struct p2mk_pt_sync.free_table only after an
 * inval call covering it (iommu-invalidation.md §6.1); the engine never
 * frees a page that hardware may have seen.
 *
 * Not thread-safe: the caller serialises mutating calls on one pt (as every
 * hypervisor does with its p2m lock).  Lookups may run concurrently with
 * each other.
 */
#ifndef P2MKIT_PT_H
#define P2MKIT_PT_H

#include <p2mkit/pt_fmt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the table object ------------------------------------------------ */

/**
 * struct p2mk_pt_sync - how the engine tells its caller what to flush.
 * @inval: called with a range of guest frames whose translations changed
 *         (entries that were present and are now different or gone);
 *         @nonleaf is true if a table entry was removed or replaced, or a
 *         leaf was split or merged.  May be NULL if nothing caches
 *         translations.  The caller may flush synchronously or batch; the
 *         engine calls it between clearing an entry and writing its
 *         replacement on break-before-make formats (Arm).
 * @free_table: receives each table page that is no longer referenced, only
 *         after an @inval call whose range covers everything the page
 *         translated.  The caller returns it to its allocator once that
 *         invalidation has completed (iommu-invalidation.md §6.1).  NULL
 *         means "free at once through mm_ops.free_page", which is correct
 *         only if @inval completes invalidations synchronously.
 * @ctx: passed back to both.
 */
struct p2mk_pt_sync {
	void (*inval)(void *ctx, p2mk_gfn_t gfn, uint64_t count, bool nonleaf);
	void (*free_table)(void *ctx, void *table);
	void *ctx;
};

/** struct p2mk_pt_stats - cumulative counters of one pt. */
struct p2mk_pt_stats {
	uint64_t table_pages;    /* table pages in use now, root included */
	uint64_t leaves_written; /* leaf entries written by map/protect/split */
	uint64_t splits;         /* superpages split into a table */
	uint64_t merges;         /* tables merged back by defrag */
	uint64_t tables_freed;   /* pages handed to free_table */
	uint64_t invals;         /* inval calls */
};

/**
 * struct p2mk_pt - one page-table tree.  Embed it anywhere.  @fmt,
 * @gfn_limit and @mfn_limit may be read directly; everything else is
 * private to src/pt (use the accessors below) and only ever written by it.
 */
struct p2mk_pt {
	struct p2mk_pt_fmt fmt;
	struct p2mk_mm_ops mm;
	struct p2mk_pt_sync sync;
	uint64_t *root[P2MK_PT_MAX_ROOT_PAGES];
	unsigned root_pages;
	bool root_owned;
	uint64_t gfn_limit; /* first gfn beyond the input width */
	uint64_t mfn_limit; /* first mfn beyond the output width */
	uint64_t oa_mask;   /* bits oa_hi..12: the address in a table entry */
	bool direct;        /* phys_to_virt(pa) == pa + va_offset */
	bool ept_masks; /* present/table masks are EPT's (lookup fast path) */
	uint64_t va_offset;
	struct p2mk_pt_stats stats;
};

/**
 * p2mk_pt_init() - set up an empty tree of format @fmt (copied, so it may
 * be a temporary).  The root (p2mk_pt_fmt_root_pages() pages) comes from
 * @mm->alloc_page; @mm and @sync are copied.  Returns P2MK_OK,
 * P2MK_ERR_INVAL for a bad format or missing mm hooks, or P2MK_ERR_NOMEM
 * (nothing allocated then).  A concatenated root built this way is made of
 * separate pages; hardware needs them contiguous, so for real use with
 * more than one root page use p2mk_pt_init_with_root().
 */
enum p2mk_err p2mk_pt_init(struct p2mk_pt *pt, const struct p2mk_pt_fmt *fmt,
                           const struct p2mk_mm_ops *mm,
                           const struct p2mk_pt_sync *sync);

/**
 * p2mk_pt_init_with_root() - as p2mk_pt_init(), but the root is the
 * caller's zeroed, physically contiguous, size-aligned block of
 * p2mk_pt_fmt_root_pages() pages at @root.  The engine never frees it.
 */
enum p2mk_err p2mk_pt_init_with_root(struct p2mk_pt *pt,
                                     const struct p2mk_pt_fmt *fmt,
                                     const struct p2mk_mm_ops *mm,
                                     const struct p2mk_pt_sync *sync,
                                     void *root);

/**
 * p2mk_pt_destroy() - drop every mapping: one inval call for the whole
 * input range (nonleaf = true) if anything was present, then every table
 * page (and the root, if the engine allocated it) to free_table.  The pt
 * must be initialised again before reuse.
 */
void p2mk_pt_destroy(struct p2mk_pt *pt);

/**
 * p2mk_pt_set_direct_map() - promise that mm_ops.phys_to_virt(pa) is
 * always (void *)(pa + @va_offset) for table pages (a linear direct map,
 * as Xen's directmap or Linux's __va()).  The walker then skips the
 * indirect call on every level, which matters for lookups.  Purely an
 * optimisation: results are identical.
 */
void p2mk_pt_set_direct_map(struct p2mk_pt *pt, uint64_t va_offset);

/** p2mk_pt_set_sync() - replace the invalidation/free callbacks. */
void p2mk_pt_set_sync(struct p2mk_pt *pt, const struct p2mk_pt_sync *sync);

/** p2mk_pt_root_pa() - what a hardware walker is given (EPTP, nCR3, ...). */
uint64_t p2mk_pt_root_pa(const struct p2mk_pt *pt);

/** p2mk_pt_root_table() - page @i (0-based) of the root table, or NULL. */
uint64_t *p2mk_pt_root_table(const struct p2mk_pt *pt, unsigned i);

/** p2mk_pt_get_stats() - a copy of the cumulative counters. */
struct p2mk_pt_stats p2mk_pt_get_stats(const struct p2mk_pt *pt);

/* ---- operations ------------------------------------------------------ */

/* p2mk_pt_map() flags. */
#define P2MK_PT_MAP_REPLACE 0x1u /* allow changing a present output address */

/**
 * p2mk_pt_map() - map guest frames [@gfn, @gfn + @count) to machine frames
 * [@mfn, @mfn + @count) with @attrs.
 *
 * At each step the largest leaf is used that the instance allows
 * (fmt.leaf_levels), that @max_order permits (order 9L <= max_order) and
 * for which the current gfn and mfn are both aligned and enough frames
 * remain; the number of leaves written is therefore the minimum possible.
 * Existing mappings of the same output (attribute changes) are allowed; a
 * present page whose output differs is P2MK_ERR_EXISTS unless @flags has
 * P2MK_PT_MAP_REPLACE.  A superpage only partly covered is split exactly
 * as far as needed; an existing table wholly covered by a new leaf is
 * replaced and freed (after inval).  Nothing is merged otherwise.
 *
 * Errors (nothing changed): P2MK_ERR_INVAL (count 0, bad attrs, bad
 * flags), P2MK_ERR_RANGE (beyond ias/oas), P2MK_ERR_EXISTS, P2MK_ERR_NOMEM.
 */
enum p2mk_err p2mk_pt_map(struct p2mk_pt *pt, p2mk_gfn_t gfn, p2mk_mfn_t mfn,
                          uint64_t count, const struct p2mk_pt_attrs *attrs,
                          unsigned max_order, unsigned flags);

/**
 * p2mk_pt_unmap() - make [@gfn, @gfn + @count) not present.  Unmapped
 * holes are fine.  Tables wholly inside the range are detached and freed;
 * a superpage partly inside is split (which may need memory:
 * P2MK_ERR_NOMEM, nothing changed).  Tables left empty by a partial unmap
 * stay until p2mk_pt_defrag().  P2MK_ERR_INVAL/RANGE as for map.
 */
enum p2mk_err p2mk_pt_unmap(struct p2mk_pt *pt, p2mk_gfn_t gfn, uint64_t count);

/**
 * p2mk_pt_protect() - change the attributes of every present page in
 * [@gfn, @gfn + @count): each field becomes (old & ~mask) | (set & mask),
 * field by field, so @mask selects what changes (e.g. only .sw, only
 * P2MK_PT_RECALC).  Non-present pages stay so.  A superpage partly inside
 * whose attributes would change is split exactly as far as needed; a range
 * made of whole leaves never allocates, so it cannot fail with NOMEM.
 * P2MK_ERR_INVAL if a resulting attribute set is not encodable (checked for
 * every page before anything is written), P2MK_ERR_NOMEM, RANGE.
 */
enum p2mk_err p2mk_pt_protect(struct p2mk_pt *pt, p2mk_gfn_t gfn,
                              uint64_t count, const struct p2mk_pt_attrs *set,
                              const struct p2mk_pt_attrs *mask);

/** A mask that selects every attribute field (full replacement). */
#define P2MK_PT_ATTRS_ALL                                                      \
	((struct p2mk_pt_attrs){0xff, 0xff, 0xff, 0xff, 0xffff})

/**
 * p2mk_pt_defrag() - explicit merge, never done implicitly: within
 * [@gfn, @gfn + @count), every table whose 512 entries are leaves of
 * consecutive, suitably aligned output with identical attributes becomes
 * one leaf one level up (if fmt.leaf_levels allows it), and every table
 * with no present entry is removed; bottom-up, so merges cascade.  Only
 * tables wholly inside the range are considered.  Never allocates, so it
 * fails only with P2MK_ERR_INVAL/RANGE.  Freed tables go through inval and
 * free_table as usual.
 */
enum p2mk_err p2mk_pt_defrag(struct p2mk_pt *pt, p2mk_gfn_t gfn,
                             uint64_t count);

/**
 * struct p2mk_pt_leaf - one translation as found in the tree.
 * @gfn, @mfn: first frame of the leaf (aligned to 2^order).
 * @raw: the entry itself.
 * @order: 9 * level.  @level: the level holding the entry.
 * @attrs: decoded attributes.
 * @table: set only by p2mk_pt_walk() with P2MK_PT_WALK_TABLES for a table
 *         entry; then @mfn is the table's frame and @attrs is zero.
 */
struct p2mk_pt_leaf {
	p2mk_gfn_t gfn;
	p2mk_mfn_t mfn;
	uint64_t raw;
	unsigned order;
	unsigned level;
	struct p2mk_pt_attrs attrs;
	bool table;
};

/**
 * p2mk_pt_lookup() - translate @gfn.  On P2MK_OK *@leaf describes the leaf
 * covering it (so @gfn's frame is leaf->mfn + (gfn - leaf->gfn)).
 * P2MK_ERR_NOENT if not mapped, P2MK_ERR_RANGE beyond the input width.
 */
enum p2mk_err p2mk_pt_lookup(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                             struct p2mk_pt_leaf *leaf);

/**
 * p2mk_pt_translate() - the frame @gfn maps to, in *@mfn (already offset
 * within the leaf), and the leaf's order in *@order if non-NULL: the fast
 * path of p2mk_pt_lookup() without decoding attributes.  P2MK_ERR_NOENT if
 * not mapped, P2MK_ERR_RANGE beyond the input width.
 */
enum p2mk_err p2mk_pt_translate(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                                p2mk_mfn_t *mfn, unsigned *order);

/**
 * p2mk_pt_lookup_many() - p2mk_pt_lookup() of @n frames: @err[i] and
 * @leaf[i] are what p2mk_pt_lookup(@pt, @gfn[i], &@leaf[i]) would give
 * (@leaf[i] is only written when @err[i] is P2MK_OK).  The walks are
 * interleaved level by level, eight at a time, so their cache misses
 * overlap instead of queueing behind each other: use it when translating
 * a batch (a scatter list, a grant-copy batch).
 */
void p2mk_pt_lookup_many(const struct p2mk_pt *pt, const p2mk_gfn_t *gfn,
                         size_t n, struct p2mk_pt_leaf *leaf,
                         enum p2mk_err *err);

/* p2mk_pt_walk() flags. */
#define P2MK_PT_WALK_TABLES                                                    \
	0x1u /* also visit table entries, before their children */

/**
 * p2mk_pt_walk() - call @fn for every present leaf that intersects
 * [@gfn, @gfn + @count), in ascending gfn order (and, with
 * P2MK_PT_WALK_TABLES, for every table entry on the way, before its
 * contents).  A non-zero return from @fn stops the walk and is passed back
 * through *@stopped (if non-NULL).  Read-only.  P2MK_ERR_INVAL/RANGE.
 */
enum p2mk_err p2mk_pt_walk(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                           uint64_t count, unsigned flags,
                           int (*fn)(void *ctx,
                                     const struct p2mk_pt_leaf *leaf),
                           void *ctx, int *stopped);

/* ---- read-only path query ------------------------------------------- */

/* What one entry on a path is (struct p2mk_pt_path.kind). */
enum p2mk_pt_ent_kind {
	P2MK_PT_ENT_ABSENT = 0, /* not present: the path ends here */
	P2MK_PT_ENT_TABLE,      /* points to a table one level down */
	P2MK_PT_ENT_LEAF,       /* maps a page or superpage */
};

/**
 * struct p2mk_pt_path - the shape of the tree on one guest frame's path.
 * @end: the level of the last entry read: the leaf, or the first entry
 *       that is not present.  The path runs from the root level (fmt.levels
 *       - 1) down to @end.
 * @kind: for each level from the root down to @end, what the entry on the
 *       path is; P2MK_PT_ENT_ABSENT below @end.
 * @table: for the same levels, the physical address of the table page
 *       holding that entry (for a concatenated root, of the root page
 *       used): a stable identity of the table for as long as it exists,
 *       for callers that keep per-table state of their own.  0 below @end.
 */
struct p2mk_pt_path {
	enum p2mk_pt_ent_kind kind[P2MK_PT_MAX_LEVELS];
	uint64_t table[P2MK_PT_MAX_LEVELS];
	unsigned end;
};

/**
 * p2mk_pt_query_path() - read the path of @gfn into *@path: which entries
 * on it are tables, which one is the leaf (if any), and which table holds
 * each.  Read-only, no attribute decoding (use p2mk_pt_lookup() for the
 * leaf's attributes); honours the direct map (p2mk_pt_set_direct_map()).
 * P2MK_ERR_INVAL for NULL arguments, P2MK_ERR_RANGE beyond the input
 * width (*@path untouched then).
 */
enum p2mk_err p2mk_pt_query_path(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                                 struct p2mk_pt_path *path);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_PT_H */
