// SPDX-License-Identifier: BSD-2-Clause
/*
 * The read-only operations: lookup, translate, lookup_many and walk, each
 * a cursor moving down (and, for walk, along) the tree.  None writes
 * anything, so they take a const pt; lookups may run concurrently.
 */
#include "cursor.h"

void p2mk_pti_fill_leaf(const struct p2mk_pt *pt, uint64_t e, unsigned level,
                        uint64_t g, struct p2mk_pt_leaf *leaf)
{
	leaf->gfn = p2mk_gfn(g & ~(pt_span(level) - 1));
	leaf->mfn = p2mk_mfn(leaf_mfn(pt, e, level));
	leaf->order = P2MK_PT_TABLE_LG2 * level;
	leaf->level = level;
	leaf->raw = e;
	leaf->table = false;
	pt->fmt.ops->decode(&pt->fmt, e, level, &leaf->attrs);
}

/*
 * The walk of one lookup: a cursor from the root down to the entry that
 * translates @g, left in *@c (its level is the leaf's).  RANGE beyond the
 * input width, NOENT if nothing maps @g.
 */
static inline enum p2mk_err walk_one(const struct p2mk_pt *pt, uint64_t g,
                                     struct pt_cur *c, uint64_t *e)
{
	if (g >= pt->gfn_limit)
		return P2MK_ERR_RANGE;
	cur_init(c, pt, g, g + 1);
	*e = cur_down(pt, c);
	return ent_present(pt, *e) ? P2MK_OK : P2MK_ERR_NOENT;
}

enum p2mk_err p2mk_pt_lookup(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                             struct p2mk_pt_leaf *leaf)
{
	if (pt == NULL || leaf == NULL)
		return P2MK_ERR_INVAL;
	struct pt_cur c;
	uint64_t e;
	enum p2mk_err err = walk_one(pt, gfn.v, &c, &e);
	if (err == P2MK_OK)
		p2mk_pti_fill_leaf(pt, e, c.level, gfn.v, leaf);
	return err;
}

enum p2mk_err p2mk_pt_translate(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                                p2mk_mfn_t *mfn, unsigned *order)
{
	/* p2mk_pt_lookup() without the attribute decoding */
	struct pt_cur c;
	uint64_t e;
	enum p2mk_err err = walk_one(pt, gfn.v, &c, &e);
	if (err)
		return err;
	const unsigned L = c.level;
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
	struct pt_cur c[GROUP];
	bool in[GROUP];
	for (size_t i = 0; i < m; i++) {
		in[i] = gfn[i].v < pt->gfn_limit;
		if (in[i])
			cur_init(&c[i], pt, gfn[i].v, gfn[i].v + 1);
	}
	for (unsigned L = pt_top(pt); L > 0; L--) {
		for (size_t i = 0; i < m; i++) {
			if (!in[i] || c[i].level != L)
				continue;
			uint64_t e = *cur_slot(&c[i]);
			if (!ent_table(pt, e, L))
				continue;
			cur_descend(&c[i], table_va(pt, e));
			__builtin_prefetch(cur_slot(&c[i]));
		}
	}
	for (size_t i = 0; i < m; i++) {
		uint64_t e = in[i] ? *cur_slot(&c[i]) : 0;
		if (!in[i]) {
			err[i] = P2MK_ERR_RANGE;
		} else if (!ent_present(pt, e)) {
			err[i] = P2MK_ERR_NOENT;
		} else {
			p2mk_pti_fill_leaf(pt, e, c[i].level, gfn[i].v,
			                   &leaf[i]);
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
			p2mk_pti_fill_leaf(pt, e, c.level, c.pos, &leaf);
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
