// SPDX-License-Identifier: BSD-2-Clause
/*
 * The generic page-table walker: map, unmap, protect, lookup, walk, defrag
 * for every format of src/pt/fmt.c.
 *
 * One iterative range walker (pt_apply) serves map, unmap and protect.  It
 * runs twice per call, as Hafnium's mm_ptable_prepare/commit
 * (landscape-and-users.md §4.1):
 *
 *  1. prepare: read-only.  Where commit would create a table (an empty
 *     slot to descend through, or a superpage to split) the walker counts
 *     one page and continues into a *virtual* table: nothing in memory,
 *     its entries computed on the fly (all empty, or the children of the
 *     superpage being split).  Because the virtual entries are exactly
 *     what commit will write, both passes take the same decisions, so the
 *     count is exact.  Every rule (EXISTS, INVAL) is checked here.
 *  2. the pages are allocated; any failure frees them and returns NOMEM.
 *  3. commit: the same walk, writing, taking tables from the reservation.
 *     It cannot fail.
 *
 * The walker never recurses (clang-tidy misc-no-recursion and a bounded
 * stack for embedders): it keeps the table pointer of every level in an
 * array and moves up when the position crosses a table boundary.
 */
#include <p2mkit/pt.h>

#define NENT P2MK_PT_ENTRIES
#define IDXM (P2MK_PT_ENTRIES - 1u)

enum op_kind { OP_MAP, OP_UNMAP, OP_PROTECT };

/* One call in progress: its parameters, cursor and side effects. */
struct pt_op {
	struct p2mk_pt *pt;
	enum op_kind kind;
	bool commit;
	bool replace;
	uint64_t gfn, end; /* [gfn, end) in 4 KiB frames */
	uint64_t mfn;      /* map: frame for gfn */
	unsigned max_level;
	uint64_t tmpl[P2MK_PT_MAX_LEVELS]; /* map: leaf bits without address */
	struct p2mk_pt_attrs set, mask;    /* protect */
	bool mask_full;
	uint64_t need;   /* prepare: table pages commit will take */
	uint64_t *resv;  /* current index page of the reservation */
	unsigned resv_n; /* pages listed in it */
	uint64_t nresv;
	/* pending invalidation, merged while ranges are adjacent */
	uint64_t inv_gfn, inv_cnt;
	bool inv_nonleaf;
	/* cursor: tables by level; NULL below the root means virtual */
	uint64_t *tbl[P2MK_PT_MAX_LEVELS];
	bool vleaf[P2MK_PT_MAX_LEVELS]; /* virtual: children of a split */
	bool fresh[P2MK_PT_MAX_LEVELS]; /* commit: table created by this op */
	uint64_t vtmpl[P2MK_PT_MAX_LEVELS];
	uint64_t vout[P2MK_PT_MAX_LEVELS];
};

/* ---- small helpers --------------------------------------------------- */

static inline unsigned top_level(const struct p2mk_pt *pt)
{
	return pt->fmt.levels - 1u;
}

static inline uint64_t span_of(unsigned level)
{
	return UINT64_C(1) << (P2MK_PT_TABLE_LG2 * level);
}

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline bool ent_present(const struct p2mk_pt *pt, uint64_t e)
{
	return (e & pt->fmt.present_mask) != 0;
}

/* A present entry at @level > 0 that points to a table. */
static inline bool ent_table(const struct p2mk_pt *pt, uint64_t e,
                             unsigned level)
{
	return level > 0 && level < P2MK_PT_MAX_LEVELS &&
	       (e & pt->fmt.table_mask) == pt->fmt.table_match[level];
}

/* Address bits of a leaf at @level (bits below its size are attributes). */
static inline uint64_t leaf_oa_mask(const struct p2mk_pt *pt, unsigned level)
{
	return pt->oa_mask & ~((UINT64_C(1) << (12 + 9 * level)) - 1);
}

static inline uint64_t leaf_mfn(const struct p2mk_pt *pt, uint64_t e,
                                unsigned level)
{
	return (e & leaf_oa_mask(pt, level)) >> P2MK_PAGE_SHIFT;
}

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

/* Pointer to the slot for @pos at @level, or NULL inside a virtual table. */
static inline uint64_t *slot(const struct p2mk_pt *pt, const struct pt_op *op,
                             unsigned level, uint64_t pos)
{
	if (level == top_level(pt)) {
		uint64_t idx = pos >> (P2MK_PT_TABLE_LG2 * level);
		return pt->root[idx >> P2MK_PT_TABLE_LG2] + (idx & IDXM);
	}
	if (op->tbl[level] == NULL)
		return NULL;
	return op->tbl[level] + ((pos >> (P2MK_PT_TABLE_LG2 * level)) & IDXM);
}

/* Value of a virtual entry (prepare only). */
static inline uint64_t vent(const struct pt_op *op, unsigned level,
                            uint64_t pos)
{
	if (!op->vleaf[level])
		return 0;
	uint64_t i = (pos >> (P2MK_PT_TABLE_LG2 * level)) & IDXM;
	return op->vtmpl[level] |
	       ((op->vout[level] + (i << (P2MK_PT_TABLE_LG2 * level)))
	        << P2MK_PAGE_SHIFT);
}

/* Attribute bits of leaf @e re-encoded for a leaf at @to_level. */
static uint64_t retemplate(const struct p2mk_pt *pt, uint64_t e,
                           unsigned from_level, unsigned to_level)
{
	struct p2mk_pt_attrs a;
	pt->fmt.ops->decode(&pt->fmt, e, from_level, &a);
	return pt->fmt.ops->leaf(&pt->fmt, &a, to_level);
}

static struct p2mk_pt_attrs attrs_merge(const struct p2mk_pt_attrs *old,
                                        const struct p2mk_pt_attrs *set,
                                        const struct p2mk_pt_attrs *mask)
{
	struct p2mk_pt_attrs n;
	n.perm =
	    (uint8_t)((old->perm & ~mask->perm) | (set->perm & mask->perm));
	n.mt = (uint8_t)((old->mt & ~mask->mt) | (set->mt & mask->mt));
	n.sh = (uint8_t)((old->sh & ~mask->sh) | (set->sh & mask->sh));
	n.sw = (uint8_t)((old->sw & ~mask->sw) | (set->sw & mask->sw));
	n.flags = (uint16_t)((old->flags & ~mask->flags) |
	                     (set->flags & mask->flags));
	return n;
}

/* ---- invalidation and freeing ---------------------------------------- */

static void inval_flush(struct pt_op *op)
{
	struct p2mk_pt *pt = op->pt;
	if (op->inv_cnt == 0)
		return;
	if (pt->sync.inval)
		pt->sync.inval(pt->sync.ctx, p2mk_gfn(op->inv_gfn), op->inv_cnt,
		               op->inv_nonleaf);
	pt->stats.invals++;
	op->inv_cnt = 0;
	op->inv_nonleaf = false;
}

static void inval_add(struct pt_op *op, uint64_t gfn, uint64_t count,
                      bool nonleaf)
{
	if (op->inv_cnt != 0 && op->inv_gfn + op->inv_cnt == gfn) {
		op->inv_cnt += count;
		op->inv_nonleaf |= nonleaf;
		return;
	}
	inval_flush(op);
	op->inv_gfn = gfn;
	op->inv_cnt = count;
	op->inv_nonleaf = nonleaf;
}

/* Hand a page that hardware may have seen back to the caller. */
static void release_table(struct p2mk_pt *pt, uint64_t *t)
{
	pt->stats.table_pages--;
	pt->stats.tables_freed++;
	if (pt->sync.free_table)
		pt->sync.free_table(pt->sync.ctx, t);
	else
		pt->mm.free_page(pt->mm.ctx, t);
}

/*
 * Release the detached table @t (entries at @level) and every table below
 * it.  The caller has already flushed an invalidation covering it.
 */
static void free_subtree(struct p2mk_pt *pt, uint64_t *t, unsigned level)
{
	uint64_t *stk[P2MK_PT_MAX_LEVELS];
	unsigned next[P2MK_PT_MAX_LEVELS];
	unsigned sp = 0;
	stk[0] = t;
	next[0] = 0;
	for (;;) {
		unsigned lv = level - sp;
		uint64_t *cur = stk[sp];
		bool pushed = false;
		if (lv > 0) {
			for (unsigned i = next[sp]; i < NENT; i++) {
				uint64_t e = cur[i];
				if (ent_present(pt, e) &&
				    ent_table(pt, e, lv)) {
					next[sp] = i + 1;
					stk[sp + 1] = table_va(pt, e);
					next[sp + 1] = 0;
					sp++;
					pushed = true;
					break;
				}
			}
		}
		if (pushed)
			continue;
		release_table(pt, cur);
		if (sp == 0)
			return;
		sp--;
	}
}

/*
 * Prepare-time check before a map replaces the table @t (entries at
 * @level, first frame @base): every present leaf in it must already map
 * the output the new mapping gives it, or this is an overmap.
 */
static bool subtree_matches(const struct pt_op *op, const uint64_t *t,
                            unsigned level, uint64_t base)
{
	const struct p2mk_pt *pt = op->pt;
	const uint64_t *stk[P2MK_PT_MAX_LEVELS];
	unsigned next[P2MK_PT_MAX_LEVELS];
	uint64_t sbase[P2MK_PT_MAX_LEVELS];
	unsigned sp = 0;
	stk[0] = t;
	next[0] = 0;
	sbase[0] = base;
	for (;;) {
		unsigned lv = level - sp;
		const uint64_t *cur = stk[sp];
		bool pushed = false;
		for (unsigned i = next[sp]; i < NENT; i++) {
			uint64_t e = cur[i];
			if (!ent_present(pt, e))
				continue;
			uint64_t g = sbase[sp] + ((uint64_t)i << (9 * lv));
			if (ent_table(pt, e, lv)) {
				next[sp] = i + 1;
				stk[sp + 1] = table_va(pt, e);
				next[sp + 1] = 0;
				sbase[sp + 1] = g;
				sp++;
				pushed = true;
				break;
			}
			if (leaf_mfn(pt, e, lv) != op->mfn + (g - op->gfn))
				return false;
		}
		if (pushed)
			continue;
		if (sp == 0)
			return true;
		sp--;
	}
}

/* ---- reservation ----------------------------------------------------
 *
 * Reserved pages are listed in index pages that are themselves reserved
 * pages: word 0 links to the previous index page, words 1..511 point to
 * other reserved pages.  So only one page in 512 is written before it is
 * used (touching every page twice, at reservation and at use, would cost
 * a cache miss per table).  An index page is used last, after zeroing.
 */

#define RESV_SLOTS (NENT - 1u)

static inline uint64_t **resv_slots(uint64_t *idx)
{
	return (uint64_t **)idx;
}

static void resv_push(struct pt_op *op, uint64_t *p)
{
	if (op->resv == NULL || op->resv_n == RESV_SLOTS) {
		resv_slots(p)[0] = op->resv;
		op->resv = p;
		op->resv_n = 0;
	} else {
		resv_slots(op->resv)[1 + op->resv_n++] = p;
	}
	op->nresv++;
}

/* Next reserved page; the caller gets it zeroed. */
static uint64_t *resv_pop(struct pt_op *op)
{
	uint64_t *p;
	if (op->resv_n > 0) {
		p = resv_slots(op->resv)[op->resv_n--];
	} else {
		p = op->resv;
		op->resv = resv_slots(p)[0];
		/* every older index page is full by construction */
		op->resv_n = op->resv ? RESV_SLOTS : 0;
		for (unsigned i = 0; i < NENT; i++)
			p[i] = 0;
	}
	op->nresv--;
	return p;
}

static void resv_release(struct pt_op *op)
{
	struct p2mk_pt *pt = op->pt;
	while (op->nresv) {
		/* Never visible to hardware: straight back to the allocator. */
		pt->mm.free_page(pt->mm.ctx, resv_pop(op));
	}
	op->resv = NULL;
	op->resv_n = 0;
}

static enum p2mk_err resv_fill(struct pt_op *op)
{
	struct p2mk_pt *pt = op->pt;
	for (uint64_t i = 0; i < op->need; i++) {
		uint64_t *p = pt->mm.alloc_page(pt->mm.ctx);
		if (p == NULL) {
			resv_release(op);
			return P2MK_ERR_NOMEM;
		}
		resv_push(op, p);
	}
	return P2MK_OK;
}

static uint64_t *resv_take(struct pt_op *op)
{
	/* prepare counted exactly; running dry would be an engine bug */
	uint64_t *p = resv_pop(op);
	op->pt->stats.table_pages++;
	return p;
}

/* ---- structural changes (commit) ------------------------------------- */

/*
 * Replace present entry *@p (covering [@g, @g + @n)) by @v.  On
 * break-before-make formats a change of output, type or size goes through
 * an invalid entry and a completed invalidation first (DDI 0487 D8.16.1).
 */
static void replace_entry(struct pt_op *op, uint64_t *p, uint64_t v, uint64_t g,
                          uint64_t n, bool nonleaf, bool table)
{
	uint64_t old = *p;
	if ((old ^ v) & op->pt->fmt.bbm_mask) {
		wr_entry(p, 0);
		inval_add(op, g, n, nonleaf);
		inval_flush(op);
		if (table)
			wr_table_entry(p, v);
		else
			wr_entry(p, v);
		return;
	}
	if (table)
		wr_table_entry(p, v);
	else
		wr_entry(p, v);
	inval_add(op, g, n, nonleaf);
}

/* Split the leaf *@p at @level (first frame @g) into a table of children. */
static uint64_t *split_commit(struct pt_op *op, uint64_t *p, unsigned level,
                              uint64_t g)
{
	struct p2mk_pt *pt = op->pt;
	uint64_t e = *p;
	uint64_t *t = resv_take(op);
	uint64_t tmpl = retemplate(pt, e, level, level - 1);
	uint64_t out = leaf_mfn(pt, e, level);
	uint64_t step = span_of(level - 1);
	for (unsigned i = 0; i < NENT; i++)
		t[i] = tmpl | ((out + i * step) << P2MK_PAGE_SHIFT);
	uint64_t te = pt->fmt.ops->table(
	    &pt->fmt, pt->mm.virt_to_phys(pt->mm.ctx, t), level);
	replace_entry(op, p, te, g, span_of(level), true, true);
	pt->stats.splits++;
	pt->stats.leaves_written += NENT;
	return t;
}

/* Replace the table entry *@p at @level by @v (a leaf, or 0) and free. */
static void drop_table(struct pt_op *op, uint64_t *p, unsigned level,
                       uint64_t g, uint64_t v)
{
	struct p2mk_pt *pt = op->pt;
	uint64_t *t = table_va(pt, *p);
	if (v == 0 || pt->fmt.bbm_mask) {
		wr_entry(p, 0);
		inval_add(op, g, span_of(level), true);
		inval_flush(op);
		if (v)
			wr_entry(p, v);
	} else {
		wr_entry(p, v);
		inval_add(op, g, span_of(level), true);
		inval_flush(op);
	}
	free_subtree(pt, t, level - 1);
}

/* ---- level-0 runs: the hot path -------------------------------------- */

/*
 * Map @n consecutive 4 KiB entries at @p for frames starting at @pos.
 * Prepare checks overmapping; commit writes.
 */
static enum p2mk_err run_map(struct pt_op *op, uint64_t *p, uint64_t pos,
                             uint64_t n)
{
	struct p2mk_pt *pt = op->pt;
	const uint64_t pm = pt->fmt.present_mask;
	const uint64_t m = op->mfn + (pos - op->gfn);
	if (!op->commit) {
		if (op->replace)
			return P2MK_OK;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t old = p[i];
			if ((old & pm) && leaf_mfn(pt, old, 0) != m + i)
				return P2MK_ERR_EXISTS;
		}
		return P2MK_OK;
	}
	uint64_t v = op->tmpl[0] | (m << P2MK_PAGE_SHIFT);
	const uint64_t inc = P2MK_PAGE_SIZE;
	if (op->fresh[0]) {
		/*
		 * A table this call created: every slot not yet visited is
		 * zero (mm_ops pages come zeroed), so there is nothing to
		 * check or invalidate, and the loop is a plain vector store.
		 */
		for (uint64_t i = 0; i < n; i++)
			p[i] = v + i * inc;
	} else if (pt->fmt.bbm_mask == 0) {
		for (uint64_t i = 0; i < n; i++, v += inc) {
			uint64_t old = p[i];
			if ((old & pm) && old != v)
				inval_add(op, pos + i, 1, false);
			p[i] = v;
		}
	} else {
		/* break-before-make: invalidate all changed entries at once */
		bool any = false;
		uint64_t w = v;
		for (uint64_t i = 0; i < n; i++, w += inc) {
			uint64_t old = p[i];
			if ((old & pm) && old != w) {
				if ((old ^ w) & pt->fmt.bbm_mask) {
					wr_entry(&p[i], 0);
					any = true;
				}
				inval_add(op, pos + i, 1, false);
			}
		}
		if (any)
			inval_flush(op);
		for (uint64_t i = 0; i < n; i++, v += inc)
			wr_entry(&p[i], v);
	}
	pt->stats.leaves_written += n;
	return P2MK_OK;
}

static void run_unmap(struct pt_op *op, uint64_t *p, uint64_t pos, uint64_t n)
{
	const uint64_t pm = op->pt->fmt.present_mask;
	for (uint64_t i = 0; i < n; i++) {
		if (p[i] & pm) {
			wr_entry(&p[i], 0);
			inval_add(op, pos + i, 1, false);
		}
	}
}

static enum p2mk_err run_protect(struct pt_op *op, uint64_t *p, uint64_t pos,
                                 uint64_t n)
{
	struct p2mk_pt *pt = op->pt;
	const uint64_t pm = pt->fmt.present_mask;
	const uint64_t oam = leaf_oa_mask(pt, 0);
	/* Entries with the same attribute bits give the same result. */
	uint64_t last_old = 0, last_new = 0;
	bool have = false;
	bool broke = false;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t old = p[i];
		if (!(old & pm))
			continue;
		uint64_t bits = old & ~oam;
		if (!have || bits != last_old) {
			struct p2mk_pt_attrs a;
			pt->fmt.ops->decode(&pt->fmt, old, 0, &a);
			a = attrs_merge(&a, &op->set, &op->mask);
			if (!op->commit && !op->mask_full &&
			    pt->fmt.ops->check(&pt->fmt, &a))
				return P2MK_ERR_INVAL;
			last_old = bits;
			last_new = pt->fmt.ops->leaf(&pt->fmt, &a, 0);
			have = true;
		}
		if (!op->commit || last_new == bits)
			continue;
		uint64_t v = (old & oam) | last_new;
		if ((old ^ v) & pt->fmt.bbm_mask) {
			/*
			 * Break: clear only the present bit(s), so the entry
			 * is invalid to hardware but still says what it was;
			 * real non-present entries are always 0.
			 */
			wr_entry(&p[i], old & ~pm);
			broke = true;
		} else {
			wr_entry(&p[i], v);
		}
		inval_add(op, pos + i, 1, false);
		pt->stats.leaves_written++;
	}
	if (!broke)
		return P2MK_OK;
	/* ... invalidate, then make: one flush for the whole run */
	inval_flush(op);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t e = p[i];
		if (e == 0 || (e & pm))
			continue;
		e |= pm;
		struct p2mk_pt_attrs a;
		pt->fmt.ops->decode(&pt->fmt, e, 0, &a);
		a = attrs_merge(&a, &op->set, &op->mask);
		wr_entry(&p[i], (e & oam) | pt->fmt.ops->leaf(&pt->fmt, &a, 0));
	}
	return P2MK_OK;
}

/* ---- the range walker ------------------------------------------------ */

enum step { ST_NEXT, ST_DESCEND, ST_NEW, ST_SPLIT };

static enum p2mk_err pt_apply(struct pt_op *op)
{
	struct p2mk_pt *pt = op->pt;
	const unsigned top = top_level(pt);
	unsigned L = top;
	uint64_t pos = op->gfn;

	for (unsigned i = 0; i < P2MK_PT_MAX_LEVELS; i++) {
		op->tbl[i] = NULL;
		op->fresh[i] = false;
		op->vleaf[i] = false;
	}

	while (pos < op->end) {
		const uint64_t span = span_of(L);
		const uint64_t istart = pos & ~(span - 1);
		const uint64_t iend = istart + span;
		const uint64_t cend = min_u64(op->end, iend);
		const bool whole = pos == istart && cend == iend;
		uint64_t *p = slot(pt, op, L, pos);
		uint64_t e = p ? *p : vent(op, L, pos);
		enum step st = ST_NEXT;
		uint64_t next = cend;

		if (L == 0) {
			/* a run of 4 KiB entries up to the table's end */
			uint64_t n = min_u64(op->end, (pos | IDXM) + 1) - pos;
			enum p2mk_err err = P2MK_OK;
			if (p != NULL) {
				if (op->kind == OP_MAP)
					err = run_map(op, p, pos, n);
				else if (op->kind == OP_UNMAP && op->commit)
					run_unmap(op, p, pos, n);
				else if (op->kind == OP_PROTECT)
					err = run_protect(op, p, pos, n);
			}
			if (err)
				return err;
			next = pos + n;
			goto advance;
		}

		bool present = ent_present(pt, e);
		bool table = present && ent_table(pt, e, L);

		switch (op->kind) {
		case OP_MAP: {
			uint64_t want = op->mfn + (pos - op->gfn);
			bool can_leaf = whole && L <= op->max_level &&
			                (want & (span - 1)) == 0;
			if (can_leaf) {
				uint64_t v =
				    op->tmpl[L] | (want << P2MK_PAGE_SHIFT);
				if (!op->commit) {
					if (op->replace || !present)
						break;
					if (table) {
						if (!subtree_matches(
						        op, table_va(pt, e),
						        L - 1, istart))
							return P2MK_ERR_EXISTS;
					} else if (leaf_mfn(pt, e, L) != want) {
						return P2MK_ERR_EXISTS;
					}
					break;
				}
				if (!present) {
					wr_entry(p, v);
				} else if (table) {
					drop_table(op, p, L, istart, v);
				} else if (e != v) {
					replace_entry(op, p, v, istart, span,
					              false, false);
				}
				pt->stats.leaves_written++;
				break;
			}
			if (table) {
				st = ST_DESCEND;
			} else if (!present) {
				st = ST_NEW;
			} else {
				uint64_t have =
				    leaf_mfn(pt, e, L) + (pos - istart);
				uint64_t bits = e & ~leaf_oa_mask(pt, L);
				if (have == want && bits == op->tmpl[L])
					break; /* already exactly this */
				if (have != want && !op->replace)
					return P2MK_ERR_EXISTS;
				st = ST_SPLIT;
			}
			break;
		}
		case OP_UNMAP:
			if (!present)
				break;
			if (whole) {
				if (!op->commit)
					break;
				if (table) {
					drop_table(op, p, L, istart, 0);
				} else {
					wr_entry(p, 0);
					inval_add(op, istart, span, false);
				}
				break;
			}
			st = table ? ST_DESCEND : ST_SPLIT;
			break;
		case OP_PROTECT: {
			if (!present)
				break;
			if (table) {
				st = ST_DESCEND;
				break;
			}
			struct p2mk_pt_attrs a;
			pt->fmt.ops->decode(&pt->fmt, e, L, &a);
			a = attrs_merge(&a, &op->set, &op->mask);
			if (!op->commit && pt->fmt.ops->check(&pt->fmt, &a))
				return P2MK_ERR_INVAL;
			uint64_t nb = pt->fmt.ops->leaf(&pt->fmt, &a, L);
			uint64_t oam = leaf_oa_mask(pt, L);
			if ((e & ~oam) == nb)
				break; /* nothing changes here */
			if (!whole) {
				st = ST_SPLIT;
				break;
			}
			if (op->commit) {
				replace_entry(op, p, (e & oam) | nb, istart,
				              span, false, false);
				pt->stats.leaves_written++;
			}
			break;
		}
		}

		switch (st) {
		case ST_NEXT:
			break;
		case ST_DESCEND:
			if (p == NULL) {
				/* virtual tables never hold table entries */
				return P2MK_ERR_INVAL;
			}
			op->tbl[L - 1] = table_va(pt, e);
			op->fresh[L - 1] = false;
			L--;
			continue;
		case ST_NEW:
			if (!op->commit) {
				op->need++;
				op->tbl[L - 1] = NULL;
				op->vleaf[L - 1] = false;
			} else {
				uint64_t *t = resv_take(op);
				wr_table_entry(
				    p,
				    pt->fmt.ops->table(
				        &pt->fmt,
				        pt->mm.virt_to_phys(pt->mm.ctx, t), L));
				op->tbl[L - 1] = t;
				op->fresh[L - 1] = true;
			}
			L--;
			continue;
		case ST_SPLIT:
			if (!op->commit) {
				op->need++;
				op->tbl[L - 1] = NULL;
				op->vleaf[L - 1] = true;
				op->vtmpl[L - 1] = retemplate(pt, e, L, L - 1);
				op->vout[L - 1] = leaf_mfn(pt, e, L);
			} else {
				op->tbl[L - 1] = split_commit(op, p, L, istart);
				op->fresh[L - 1] = false;
			}
			L--;
			continue;
		}
	advance:
		pos = next;
		while (L < top && (pos & (span_of(L + 1) - 1)) == 0)
			L++;
	}
	return P2MK_OK;
}

/* Prepare, reserve, commit: the shape of every mutating call. */
static enum p2mk_err pt_run(struct pt_op *op)
{
	op->commit = false;
	op->need = 0;
	op->resv = NULL;
	op->resv_n = 0;
	op->nresv = 0;
	op->inv_cnt = 0;
	op->inv_nonleaf = false;
	enum p2mk_err err = pt_apply(op);
	if (err)
		return err;
	err = resv_fill(op);
	if (err)
		return err;
	op->commit = true;
	err = pt_apply(op);
	inval_flush(op);
	/* prepare is exact, so nothing is left; stay leak-free regardless */
	resv_release(op);
	return err;
}

/* [gfn, gfn + count) inside the input width, without overflow. */
static enum p2mk_err check_range(const struct p2mk_pt *pt, uint64_t gfn,
                                 uint64_t count)
{
	if (count == 0)
		return P2MK_ERR_INVAL;
	if (gfn >= pt->gfn_limit || count > pt->gfn_limit - gfn)
		return P2MK_ERR_RANGE;
	return P2MK_OK;
}

static void op_init(struct pt_op *op, struct p2mk_pt *pt, enum op_kind kind,
                    uint64_t gfn, uint64_t count)
{
	*op = (struct pt_op){0};
	op->pt = pt;
	op->kind = kind;
	op->gfn = gfn;
	op->end = gfn + count;
}

enum p2mk_err p2mk_pt_map(struct p2mk_pt *pt, p2mk_gfn_t gfn, p2mk_mfn_t mfn,
                          uint64_t count, const struct p2mk_pt_attrs *attrs,
                          unsigned max_order, unsigned flags)
{
	if (pt == NULL || attrs == NULL || (flags & ~P2MK_PT_MAP_REPLACE))
		return P2MK_ERR_INVAL;
	enum p2mk_err err = check_range(pt, gfn.v, count);
	if (err)
		return err;
	if (mfn.v >= pt->mfn_limit || count > pt->mfn_limit - mfn.v)
		return P2MK_ERR_RANGE;
	err = pt->fmt.ops->check(&pt->fmt, attrs);
	if (err)
		return err;

	struct pt_op op;
	op_init(&op, pt, OP_MAP, gfn.v, count);
	op.mfn = mfn.v;
	op.replace = (flags & P2MK_PT_MAP_REPLACE) != 0;
	/* leaf_levels has no holes (p2mk_pt_fmt_check), so cap from the top */
	unsigned ml = 0;
	while (ml + 1 < pt->fmt.levels &&
	       (pt->fmt.leaf_levels & (1u << (ml + 1))) &&
	       9 * (ml + 1) <= max_order)
		ml++;
	op.max_level = ml;
	for (unsigned l = 0; l <= ml; l++)
		op.tmpl[l] = pt->fmt.ops->leaf(&pt->fmt, attrs, l);
	return pt_run(&op);
}

enum p2mk_err p2mk_pt_unmap(struct p2mk_pt *pt, p2mk_gfn_t gfn, uint64_t count)
{
	if (pt == NULL)
		return P2MK_ERR_INVAL;
	enum p2mk_err err = check_range(pt, gfn.v, count);
	if (err)
		return err;
	struct pt_op op;
	op_init(&op, pt, OP_UNMAP, gfn.v, count);
	return pt_run(&op);
}

enum p2mk_err p2mk_pt_protect(struct p2mk_pt *pt, p2mk_gfn_t gfn,
                              uint64_t count, const struct p2mk_pt_attrs *set,
                              const struct p2mk_pt_attrs *mask)
{
	if (pt == NULL || set == NULL || mask == NULL)
		return P2MK_ERR_INVAL;
	enum p2mk_err err = check_range(pt, gfn.v, count);
	if (err)
		return err;
	struct pt_op op;
	op_init(&op, pt, OP_PROTECT, gfn.v, count);
	op.set = *set;
	op.mask = *mask;
	op.mask_full = mask->perm == 0xff && mask->mt == 0xff &&
	               mask->sh == 0xff && mask->sw == 0xff &&
	               mask->flags == 0xffff;
	if (op.mask_full) {
		/* the result does not depend on the old entry: check once */
		err = pt->fmt.ops->check(&pt->fmt, set);
		if (err)
			return err;
	}
	return pt_run(&op);
}

/* ---- defrag ---------------------------------------------------------- */

/*
 * The table at @t (entries at @level - 1) hangs from *@p at @level and
 * covers [@g, @g + span(@level)).  Merge it into one leaf, or drop it if
 * empty, when that changes no translation.
 */
static void defrag_table(struct pt_op *op, uint64_t *p, unsigned level,
                         uint64_t g)
{
	struct p2mk_pt *pt = op->pt;
	const uint64_t *t = table_va(pt, *p);
	const unsigned cl = level - 1;
	uint64_t first = t[0];
	bool empty = true;
	for (unsigned i = 0; i < NENT && empty; i++)
		empty = !ent_present(pt, t[i]);
	if (empty) {
		drop_table(op, p, level, g, 0);
		return;
	}
	if (!(pt->fmt.leaf_levels & (1u << level)))
		return;
	if (!ent_present(pt, first) || ent_table(pt, first, cl))
		return;
	const uint64_t oam = leaf_oa_mask(pt, cl);
	const uint64_t bits = first & ~oam;
	const uint64_t out = leaf_mfn(pt, first, cl);
	if (out & (span_of(level) - 1))
		return;
	for (unsigned i = 1; i < NENT; i++) {
		uint64_t e = t[i];
		if ((e & ~oam) != bits || ent_table(pt, e, cl) ||
		    leaf_mfn(pt, e, cl) != out + i * span_of(cl))
			return;
	}
	uint64_t v =
	    retemplate(pt, first, cl, level) | (out << P2MK_PAGE_SHIFT);
	drop_table(op, p, level, g, v);
	pt->stats.merges++;
	pt->stats.leaves_written++;
}

enum p2mk_err p2mk_pt_defrag(struct p2mk_pt *pt, p2mk_gfn_t gfn, uint64_t count)
{
	if (pt == NULL)
		return P2MK_ERR_INVAL;
	enum p2mk_err err = check_range(pt, gfn.v, count);
	if (err)
		return err;
	struct pt_op op;
	op_init(&op, pt, OP_UNMAP, gfn.v, count);
	op.commit = true;
	const unsigned top = top_level(pt);
	uint64_t *ptr[P2MK_PT_MAX_LEVELS] = {0}; /* parent slot of tbl[L] */
	unsigned L = top;
	uint64_t pos = op.gfn;
	while (pos < op.end) {
		const uint64_t span = span_of(L);
		const uint64_t iend = (pos & ~(span - 1)) + span;
		uint64_t *p = slot(pt, &op, L, pos);
		uint64_t e = *p;
		if (ent_present(pt, e) && ent_table(pt, e, L)) {
			op.tbl[L - 1] = table_va(pt, e);
			ptr[L - 1] = p;
			L--;
			continue;
		}
		pos = min_u64(op.end, iend);
		/* leaving a finished table: its parent may now merge */
		while (L < top && (pos & (span_of(L + 1) - 1)) == 0) {
			uint64_t pspan = span_of(L + 1);
			uint64_t g = (pos - 1) & ~(pspan - 1);
			L++;
			if (g >= op.gfn && g + pspan <= op.end)
				defrag_table(&op, ptr[L - 1], L, g);
		}
	}
	inval_flush(&op);
	return P2MK_OK;
}

/* ---- read-only: lookup and walk -------------------------------------- */

static void fill_leaf(const struct p2mk_pt *pt, uint64_t e, unsigned level,
                      uint64_t g, struct p2mk_pt_leaf *leaf)
{
	leaf->gfn = p2mk_gfn(g & ~(span_of(level) - 1));
	leaf->mfn = p2mk_mfn(leaf_mfn(pt, e, level));
	leaf->order = 9 * level;
	leaf->level = level;
	leaf->raw = e;
	leaf->table = false;
	pt->fmt.ops->decode(&pt->fmt, e, level, &leaf->attrs);
}

/*
 * The entry that translates @g (a leaf, or a non-present entry) and its
 * level.  Kept small, with the descriptor fields in locals and the
 * direct-map case in its own loop: independent lookups overlap their cache
 * misses only if each is a short instruction sequence.
 */
static inline uint64_t walk_to_leaf(const struct p2mk_pt *pt, uint64_t g,
                                    unsigned *level)
{
	unsigned L = top_level(pt);
	uint64_t idx = g >> (P2MK_PT_TABLE_LG2 * L);
	uint64_t e = pt->root[idx >> P2MK_PT_TABLE_LG2][idx & IDXM];
	const uint64_t pm = pt->fmt.present_mask;
	const uint64_t tm = pt->fmt.table_mask;
	const uint64_t oa = pt->oa_mask;
	if (pt->direct) {
		const uint64_t off = pt->va_offset;
		while (L > 0 && (e & pm) &&
		       (e & tm) == pt->fmt.table_match[L]) {
			uintptr_t va = (uintptr_t)((e & oa) + off);
			L--;
			// NOLINTNEXTLINE(performance-no-int-to-ptr)
			e = ((const uint64_t *)
			         va)[(g >> (P2MK_PT_TABLE_LG2 * L)) & IDXM];
		}
	} else {
		while (L > 0 && (e & pm) &&
		       (e & tm) == pt->fmt.table_match[L]) {
			const uint64_t *t =
			    pt->mm.phys_to_virt(pt->mm.ctx, e & oa);
			L--;
			e = t[(g >> (P2MK_PT_TABLE_LG2 * L)) & IDXM];
		}
	}
	*level = L;
	return e;
}

enum p2mk_err p2mk_pt_lookup(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                             struct p2mk_pt_leaf *leaf)
{
	if (pt == NULL || leaf == NULL)
		return P2MK_ERR_INVAL;
	const uint64_t g = gfn.v;
	if (g >= pt->gfn_limit)
		return P2MK_ERR_RANGE;
	unsigned L;
	uint64_t e = walk_to_leaf(pt, g, &L);
	if (!(e & pt->fmt.present_mask))
		return P2MK_ERR_NOENT;
	fill_leaf(pt, e, L, g, leaf);
	return P2MK_OK;
}

enum p2mk_err p2mk_pt_translate(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                                p2mk_mfn_t *mfn, unsigned *order)
{
	const uint64_t g = gfn.v;
	if (g >= pt->gfn_limit)
		return P2MK_ERR_RANGE;
	/* p2mk_pt_lookup() without the attribute decoding */
	unsigned L;
	uint64_t e = walk_to_leaf(pt, g, &L);
	if (!(e & pt->fmt.present_mask))
		return P2MK_ERR_NOENT;
	*mfn = p2mk_mfn(leaf_mfn(pt, e, L) + (g & (span_of(L) - 1)));
	if (order)
		*order = 9 * L;
	return P2MK_OK;
}

void p2mk_pt_lookup_many(const struct p2mk_pt *pt, const p2mk_gfn_t *gfn,
                         size_t n, struct p2mk_pt_leaf *leaf,
                         enum p2mk_err *err)
{
	enum { GROUP = 8 };
	if (pt == NULL || gfn == NULL || leaf == NULL || err == NULL)
		return;
	const unsigned top = top_level(pt);
	const uint64_t pm = pt->fmt.present_mask;
	const uint64_t tm = pt->fmt.table_mask;
	for (size_t b = 0; b < n; b += GROUP) {
		const size_t m = n - b < GROUP ? n - b : GROUP;
		uint64_t e[GROUP];
		unsigned lv[GROUP];
		for (size_t i = 0; i < m; i++) {
			uint64_t g = gfn[b + i].v;
			lv[i] = top;
			if (g >= pt->gfn_limit) {
				e[i] = 0;
				lv[i] = P2MK_PT_MAX_LEVELS; /* out of range */
				continue;
			}
			uint64_t idx = g >> (P2MK_PT_TABLE_LG2 * top);
			e[i] = pt->root[idx >> P2MK_PT_TABLE_LG2][idx & IDXM];
		}
		/* one level of every walk before the next level of any */
		for (unsigned L = top; L > 0; L--) {
			for (size_t i = 0; i < m; i++) {
				if (lv[i] != L || !(e[i] & pm) ||
				    (e[i] & tm) != pt->fmt.table_match[L])
					continue;
				const uint64_t *t = table_va(pt, e[i]);
				uint64_t g = gfn[b + i].v;
				e[i] = t[(g >> (P2MK_PT_TABLE_LG2 * (L - 1))) &
				         IDXM];
				lv[i] = L - 1;
			}
		}
		for (size_t i = 0; i < m; i++) {
			if (lv[i] == P2MK_PT_MAX_LEVELS) {
				err[b + i] = P2MK_ERR_RANGE;
			} else if (!(e[i] & pm)) {
				err[b + i] = P2MK_ERR_NOENT;
			} else {
				fill_leaf(pt, e[i], lv[i], gfn[b + i].v,
				          &leaf[b + i]);
				err[b + i] = P2MK_OK;
			}
		}
	}
}

enum p2mk_err p2mk_pt_walk(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                           uint64_t count, unsigned flags,
                           int (*fn)(void *ctx,
                                     const struct p2mk_pt_leaf *leaf),
                           void *ctx, int *stopped)
{
	if (stopped)
		*stopped = 0;
	if (pt == NULL || fn == NULL || (flags & ~P2MK_PT_WALK_TABLES))
		return P2MK_ERR_INVAL;
	enum p2mk_err err = check_range(pt, gfn.v, count);
	if (err)
		return err;
	const unsigned top = top_level(pt);
	struct pt_op op;
	op_init(&op, (struct p2mk_pt *)pt, OP_UNMAP, gfn.v, count);
	unsigned L = top;
	uint64_t pos = op.gfn;
	while (pos < op.end) {
		const uint64_t span = span_of(L);
		const uint64_t istart = pos & ~(span - 1);
		const uint64_t *p = slot(pt, &op, L, pos);
		uint64_t e = *p;
		struct p2mk_pt_leaf leaf;
		int rc = 0;
		if (ent_present(pt, e) && ent_table(pt, e, L)) {
			if (flags & P2MK_PT_WALK_TABLES) {
				leaf = (struct p2mk_pt_leaf){0};
				leaf.gfn = p2mk_gfn(istart);
				leaf.mfn = p2mk_mfn((e & pt->oa_mask) >>
				                    P2MK_PAGE_SHIFT);
				leaf.order = 9 * L;
				leaf.level = L;
				leaf.raw = e;
				leaf.table = true;
				rc = fn(ctx, &leaf);
				if (rc) {
					if (stopped)
						*stopped = rc;
					return P2MK_OK;
				}
			}
			op.tbl[L - 1] = table_va(pt, e);
			L--;
			continue;
		}
		if (ent_present(pt, e)) {
			fill_leaf(pt, e, L, pos, &leaf);
			rc = fn(ctx, &leaf);
			if (rc) {
				if (stopped)
					*stopped = rc;
				return P2MK_OK;
			}
		}
		pos = min_u64(op.end, istart + span);
		while (L < top && (pos & (span_of(L + 1) - 1)) == 0)
			L++;
	}
	return P2MK_OK;
}

/* ---- lifetime -------------------------------------------------------- */

static enum p2mk_err init_common(struct p2mk_pt *pt,
                                 const struct p2mk_pt_fmt *fmt,
                                 const struct p2mk_mm_ops *mm,
                                 const struct p2mk_pt_sync *sync)
{
	if (pt == NULL || mm == NULL || mm->alloc_page == NULL ||
	    mm->free_page == NULL || mm->virt_to_phys == NULL ||
	    mm->phys_to_virt == NULL)
		return P2MK_ERR_INVAL;
	enum p2mk_err err = p2mk_pt_fmt_check(fmt);
	if (err)
		return err;
	*pt = (struct p2mk_pt){0};
	pt->fmt = *fmt;
	pt->mm = *mm;
	if (sync)
		pt->sync = *sync;
	pt->root_pages = p2mk_pt_fmt_root_pages(fmt);
	pt->gfn_limit =
	    fmt->ias >= 64 ? UINT64_C(1) << 52 : UINT64_C(1) << (fmt->ias - 12);
	pt->mfn_limit = UINT64_C(1) << (fmt->oas - 12);
	pt->oa_mask = P2MK_GENMASK(fmt->oa_hi, 12);
	return P2MK_OK;
}

enum p2mk_err p2mk_pt_init(struct p2mk_pt *pt, const struct p2mk_pt_fmt *fmt,
                           const struct p2mk_mm_ops *mm,
                           const struct p2mk_pt_sync *sync)
{
	enum p2mk_err err = init_common(pt, fmt, mm, sync);
	if (err)
		return err;
	for (unsigned i = 0; i < pt->root_pages; i++) {
		pt->root[i] = pt->mm.alloc_page(pt->mm.ctx);
		if (pt->root[i] == NULL) {
			while (i--)
				pt->mm.free_page(pt->mm.ctx, pt->root[i]);
			*pt = (struct p2mk_pt){0};
			return P2MK_ERR_NOMEM;
		}
	}
	pt->root_owned = true;
	pt->stats.table_pages = pt->root_pages;
	return P2MK_OK;
}

enum p2mk_err p2mk_pt_init_with_root(struct p2mk_pt *pt,
                                     const struct p2mk_pt_fmt *fmt,
                                     const struct p2mk_mm_ops *mm,
                                     const struct p2mk_pt_sync *sync,
                                     void *root)
{
	if (root == NULL)
		return P2MK_ERR_INVAL;
	enum p2mk_err err = init_common(pt, fmt, mm, sync);
	if (err)
		return err;
	for (unsigned i = 0; i < pt->root_pages; i++)
		pt->root[i] = (uint64_t *)root + (size_t)i * NENT;
	pt->root_owned = false;
	pt->stats.table_pages = pt->root_pages;
	return P2MK_OK;
}

void p2mk_pt_destroy(struct p2mk_pt *pt)
{
	if (pt == NULL || pt->root_pages == 0)
		return;
	const unsigned top = top_level(pt);
	bool any = false;
	for (unsigned r = 0; r < pt->root_pages && !any; r++)
		for (unsigned i = 0; i < NENT && !any; i++)
			any = ent_present(pt, pt->root[r][i]);
	if (any) {
		if (pt->sync.inval)
			pt->sync.inval(pt->sync.ctx, p2mk_gfn(0), pt->gfn_limit,
			               true);
		pt->stats.invals++;
	}
	for (unsigned r = 0; r < pt->root_pages; r++) {
		for (unsigned i = 0; i < NENT; i++) {
			uint64_t e = pt->root[r][i];
			if (ent_present(pt, e) && ent_table(pt, e, top))
				free_subtree(pt, table_va(pt, e), top - 1);
			pt->root[r][i] = 0;
		}
	}
	if (pt->root_owned)
		for (unsigned r = 0; r < pt->root_pages; r++)
			release_table(pt, pt->root[r]);
	*pt = (struct p2mk_pt){0};
}

void p2mk_pt_set_direct_map(struct p2mk_pt *pt, uint64_t va_offset)
{
	if (pt == NULL)
		return;
	pt->direct = true;
	pt->va_offset = va_offset;
}

void p2mk_pt_set_sync(struct p2mk_pt *pt, const struct p2mk_pt_sync *sync)
{
	if (pt == NULL)
		return;
	if (sync)
		pt->sync = *sync;
	else
		pt->sync = (struct p2mk_pt_sync){0};
}

uint64_t p2mk_pt_root_pa(const struct p2mk_pt *pt)
{
	return pt->mm.virt_to_phys(pt->mm.ctx, pt->root[0]);
}

uint64_t *p2mk_pt_root_table(const struct p2mk_pt *pt, unsigned i)
{
	return i < pt->root_pages ? pt->root[i] : NULL;
}

struct p2mk_pt_stats p2mk_pt_get_stats(const struct p2mk_pt *pt)
{
	return pt->stats;
}
