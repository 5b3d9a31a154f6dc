// SPDX-License-Identifier: BSD-2-Clause
/*
 * The read-only operations: lookup, translate, lookup_many and walk, each
 * a cursor moving down (and, for walk, along) the tree.  None writes
 * anything, so they take a const pt; lookups may run concurrently.
 */
#include "cursor.h"
#include "fmt_ept.h"

/*
 * The attributes of leaf @e: the built-in EPT formats inline, any other
 * through the format's hook (the indirect call and the spills around it
 * cost a lookup more than the decoding itself).
 */
static inline void decode_leaf(const struct p2mk_pt *pt, uint64_t e,
                               unsigned level, struct p2mk_pt_attrs *a)
{
	if (pt->fmt.ops == &p2mk_pti_ept_ops)
		p2mk_pti_ept_decode(&pt->fmt, e, a);
	else
		pt->fmt.ops->decode(&pt->fmt, e, level, a);
}

static PT_ALWAYS_INLINE void fill_leaf(const struct p2mk_pt *pt, uint64_t e,
                                       unsigned level, uint64_t g,
                                       struct p2mk_pt_leaf *leaf)
{
	leaf->gfn = p2mk_gfn(g & ~(pt_span(level) - 1));
	leaf->mfn = p2mk_mfn(leaf_mfn(pt, e, level));
	leaf->order = P2MK_PT_TABLE_LG2 * level;
	leaf->level = level;
	leaf->raw = e;
	leaf->table = false;
	decode_leaf(pt, e, level, &leaf->attrs);
}

/*
 * The descent of one lookup through the direct map, for a tree whose top
 * level is @top; with @ept the present and table tests are EPT's
 * constants (pt->ept_masks), else the format's masks.  Callers pass
 * constants for @top and @ept (one call per case) so the loop compiles to
 * a short run of dependent loads with every shift and mask constant: a
 * lone lookup overlaps its cache misses with the next one's only as far
 * as the reorder window reaches, so every instruction counts (measured
 * in docs/pt.md).  Same entries and tests as cur_down().
 */
static PT_ALWAYS_INLINE uint64_t fast_down(const struct p2mk_pt *pt, uint64_t g,
                                           unsigned top, bool ept,
                                           unsigned *level)
{
	const uint64_t pm = ept ? EPT_R | EPT_W | EPT_X : pt->fmt.present_mask;
	const uint64_t tm = ept ? EPT_PS : pt->fmt.table_mask;
	const uint64_t oa = pt->oa_mask;
	const uint64_t off = pt->va_offset;
	unsigned L = top;
	uint64_t i = g >> (P2MK_PT_TABLE_LG2 * L);
	uint64_t e = pt->root[i >> P2MK_PT_TABLE_LG2][i & PT_IDXM];
	while (L > 0 && (e & pm) &&
	       (e & tm) == (ept ? 0 : pt->fmt.table_match[L])) {
		uintptr_t va = (uintptr_t)((e & oa) + off);
		// NOLINTNEXTLINE(performance-no-int-to-ptr)
		const uint64_t *t = (const uint64_t *)va;
		L--;
		e = t[(g >> (P2MK_PT_TABLE_LG2 * L)) & PT_IDXM];
	}
	*level = L;
	return e;
}

/*
 * The walk of one lookup with a cursor and mm_ops.phys_to_virt, for trees
 * without a declared direct map (kept out of line: the fast path stays
 * short).
 */
static PT_NOINLINE uint64_t slow_down(const struct p2mk_pt *pt, uint64_t g,
                                      unsigned *level)
{
	struct pt_cur c;
	cur_init(&c, pt, g, g + 1);
	uint64_t e = cur_down(pt, &c);
	*level = c.level;
	return e;
}

/*
 * The walk of one lookup: from the root down to the entry that translates
 * @g, in *@e, its level in *@level.  RANGE beyond the input width, NOENT
 * if nothing maps @g.  fast_down() for the built-in depths (3, 4, 5
 * levels) when the embedder declared a direct map.
 */
static PT_ALWAYS_INLINE enum p2mk_err
walk_one(const struct p2mk_pt *pt, uint64_t g, unsigned *level, uint64_t *e)
{
	if (g >= pt->gfn_limit)
		return P2MK_ERR_RANGE;
	/* 4-level EPT first: the x86 p2m's tree */
	const unsigned depth = pt->direct ? pt->fmt.levels : 0;
	if (depth == 4 && pt->ept_masks)
		*e = fast_down(pt, g, 3, true, level);
	else if (depth == 4)
		*e = fast_down(pt, g, 3, false, level);
	else if (depth == 3)
		*e = fast_down(pt, g, 2, false, level);
	else if (depth == 5)
		*e = fast_down(pt, g, 4, pt->ept_masks, level);
	else
		*e = slow_down(pt, g, level);
	return ent_present(pt, *e) ? P2MK_OK : P2MK_ERR_NOENT;
}

enum p2mk_err p2mk_pt_lookup(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                             struct p2mk_pt_leaf *leaf)
{
	if (pt == NULL || leaf == NULL)
		return P2MK_ERR_INVAL;
	unsigned level;
	uint64_t e;
	enum p2mk_err err = walk_one(pt, gfn.v, &level, &e);
	if (err == P2MK_OK)
		fill_leaf(pt, e, level, gfn.v, leaf);
	return err;
}

enum p2mk_err p2mk_pt_translate(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                                p2mk_mfn_t *mfn, unsigned *order)
{
	/* p2mk_pt_lookup() without the attribute decoding */
	unsigned L;
	uint64_t e;
	enum p2mk_err err = walk_one(pt, gfn.v, &L, &e);
	if (err)
		return err;
	*mfn = p2mk_mfn(leaf_mfn(pt, e, L) + (gfn.v & (pt_span(L) - 1)));
	if (order)
		*order = P2MK_PT_TABLE_LG2 * L;
	return P2MK_OK;
}

enum { GROUP = 16 };

/*
 * Up to GROUP walks, one level of each before the next level of any.  The
 * entry each walk reads next is prefetched as soon as its address is
 * known: a prefetch does not hold up the instructions after it the way a
 * missing load does, so the misses of the whole group are in flight at
 * once, as the independent reads of a flat array would be.
 */
static void lookup_group(const struct p2mk_pt *pt, const p2mk_gfn_t *gfn,
                         size_t m, struct p2mk_pt_leaf *leaf,
                         enum p2mk_err *err)
{
	const uint64_t *p[GROUP]; /* the entry each walk reads next */
	unsigned lv[GROUP];
	const unsigned top = pt_top(pt);
	static const uint64_t none; /* what a walk out of range reads */
	for (size_t i = 0; i < m; i++) {
		uint64_t x = gfn[i].v >> (P2MK_PT_TABLE_LG2 * top);
		lv[i] = gfn[i].v < pt->gfn_limit ? top : P2MK_PT_MAX_LEVELS;
		p[i] = lv[i] == top
		           ? pt->root[x >> P2MK_PT_TABLE_LG2] + (x & PT_IDXM)
		           : &none;
	}
	for (unsigned L = top; L > 0; L--) {
		for (size_t i = 0; i < m; i++) {
			if (lv[i] != L || !ent_table(pt, *p[i], L))
				continue;
			const uint64_t *t = table_va(pt, *p[i]);
			lv[i] = L - 1;
			p[i] =
			    t + ((gfn[i].v >> (P2MK_PT_TABLE_LG2 * (L - 1))) &
			         PT_IDXM);
			__builtin_prefetch(p[i]);
		}
	}
	for (size_t i = 0; i < m; i++) {
		uint64_t e = *p[i];
		if (lv[i] > top) {
			err[i] = P2MK_ERR_RANGE;
		} else if (!ent_present(pt, e)) {
			err[i] = P2MK_ERR_NOENT;
		} else {
			fill_leaf(pt, e, lv[i], gfn[i].v, &leaf[i]);
			err[i] = P2MK_OK;
		}
	}
}

void p2mk_pt_lookup_many(const struct p2mk_pt *pt, const p2mk_gfn_t *gfn,
                         size_t n, struct p2mk_pt_leaf *leaf,
                         enum p2mk_err *err)
{
	if (pt == NULL || gfn == NULL || leaf == NULL || err == NULL)
		return;
	for (size_t b = 0; b < n; b += GROUP)
		lookup_group(pt, gfn + b, n - b < GROUP ? n - b : GROUP,
		             leaf + b, err + b);
}

/* What p2mk_pt_walk() reports for the table entry @e the cursor is at. */
static void table_leaf(const struct p2mk_pt *pt, const struct pt_cur *c,
                       uint64_t e, struct p2mk_pt_leaf *leaf)
{
	*leaf = (struct p2mk_pt_leaf){0};
	leaf->gfn = p2mk_gfn(cur_start(c));
	leaf->mfn = p2mk_hpa_to_mfn(p2mk_hpa(e & pt->oa_mask));
	leaf->order = P2MK_PT_TABLE_LG2 * c->level;
	leaf->level = c->level;
	leaf->raw = e;
	leaf->table = true;
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
	enum p2mk_err err = pt_check_range(pt, gfn.v, count);
	if (err)
		return err;
	struct pt_cur c;
	struct p2mk_pt_leaf leaf;
	int rc = 0;
	if (count == 1 && flags == 0) {
		/* one page: the leaf covering it is all the walk would visit */
		if (p2mk_pt_lookup(pt, gfn, &leaf) == P2MK_OK)
			rc = fn(ctx, &leaf);
		if (stopped)
			*stopped = rc;
		return P2MK_OK;
	}
	cur_init(&c, pt, gfn.v, gfn.v + count);
	for (;;) {
		uint64_t e = *cur_slot(&c);
		if (ent_table(pt, e, c.level)) {
			if (flags & P2MK_PT_WALK_TABLES) {
				table_leaf(pt, &c, e, &leaf);
				rc = fn(ctx, &leaf);
				if (rc)
					break;
			}
			cur_descend(&c, table_va(pt, e));
			continue;
		}
		if (ent_present(pt, e)) {
			fill_leaf(pt, e, c.level, c.pos, &leaf);
			rc = fn(ctx, &leaf);
			if (rc)
				break;
		}
		if (!cur_next(&c, NULL, NULL))
			break;
	}
	if (stopped)
		*stopped = rc;
	return P2MK_OK;
}
