// SPDX-License-Identifier: BSD-2-Clause
/*
 * map, unmap and protect: prepare, reserve, commit.
 *
 * One cursor walk (pt_apply) serves all three; at each entry above level 0
 * the operation's step function decides (leave it, write it, go down into
 * its table, create a table, split the superpage), and level-0 tables are
 * handed to the runs of run.c.  The walk runs twice per call, as Hafnium's
 * mm_ptable_prepare/commit (landscape-and-users.md §4.1):
 *
 *  1. prepare: read-only.  Where commit would create a table (an empty
 *     slot to descend through, or a superpage to split) the walker counts
 *     one page and continues into a *virtual* table: nothing in memory,
 *     its entries computed on the fly (all empty, or the children of the
 *     superpage being split).  Because the virtual entries are exactly
 *     what commit will write, both passes take the same decisions, so the
 *     count is exact.  Every rule (EXISTS, INVAL) is checked here.
 *  2. the pages are allocated (resv.c); a failure frees them: NOMEM.
 *  3. commit: the same walk, writing, taking tables from the reservation.
 *     It cannot fail.
 *
 * One page whose level-0 table exists skips all of that (one.c).
 */
#include "update.h"

enum step { ST_NEXT, ST_DESCEND, ST_NEW, ST_SPLIT };

/*
 * Maps of at least this many pages fill fresh level-0 tables with
 * streaming stores (entry.h): 2^22 pages need 32 MiB of leaf tables,
 * more than the last-level cache of the machines p2mkit is measured on,
 * so caching them would only evict what the caller is using.
 */
#define PT_STREAM_MIN (UINT64_C(1) << 22)

struct p2mk_pt_attrs p2mk_pti_attrs_merge(const struct p2mk_pt_attrs *old,
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

void p2mk_pti_replace_entry(struct pt_inval *iv, uint64_t *p, uint64_t v,
                            uint64_t g, uint64_t n, bool nonleaf, bool table)
{
	bool bbm = ((*p ^ v) & iv->pt->fmt.bbm_mask) != 0;
	if (bbm) {
		wr_entry(p, 0);
		inval_add(iv, g, n, nonleaf);
		inval_flush(iv);
	}
	if (table)
		wr_table_entry(p, v);
	else
		wr_entry(p, v);
	if (!bbm)
		inval_add(iv, g, n, nonleaf);
}

/*
 * Prepare-time check before a map replaces the table @t (entries at
 * @level, first frame @base): every present leaf in it must already map
 * the output the new mapping gives it, or this is an overmap.
 */
static bool subtree_matches(const struct pt_op *op, uint64_t *t, unsigned level,
                            uint64_t base)
{
	const struct p2mk_pt *pt = op->pt;
	struct pt_cur c;
	cur_init_table(&c, t, level, base);
	for (;;) {
		uint64_t e = *cur_slot(&c);
		if (ent_table(pt, e, c.level)) {
			cur_descend(&c, table_va(pt, e));
			continue;
		}
		if (ent_present(pt, e) &&
		    leaf_mfn(pt, e, c.level) != op->mfn + (c.pos - op->gfn))
			return false;
		if (!cur_next(&c, NULL, NULL))
			return true;
	}
}

/* Value of the current entry of a virtual table (prepare only). */
static uint64_t vent(const struct pt_op *op)
{
	const struct pt_cur *c = &op->cur;
	unsigned L = c->level;
	if (!op->vleaf[L])
		return 0;
	uint64_t i = cur_index(c);
	return op->vtmpl[L] |
	       mfn_bits(op->vout[L] + (i << (P2MK_PT_TABLE_LG2 * L)));
}

/* ---- step functions: one entry above level 0 ------------------------- */

/* map: a leaf of the current entry's size fits here. */
static enum p2mk_err map_leaf(struct pt_op *op, uint64_t *p, uint64_t e,
                              uint64_t want)
{
	struct p2mk_pt *pt = op->pt;
	const unsigned L = op->cur.level;
	const uint64_t g = cur_start(&op->cur);
	const bool present = ent_present(pt, e), table = ent_table(pt, e, L);
	if (!op->commit) {
		if (op->replace || !present)
			return P2MK_OK;
		if (table)
			return subtree_matches(op, table_va(pt, e), L - 1, g)
			           ? P2MK_OK
			           : P2MK_ERR_EXISTS;
		return leaf_mfn(pt, e, L) == want ? P2MK_OK : P2MK_ERR_EXISTS;
	}
	uint64_t v = op->tmpl[L] | mfn_bits(want);
	if (!present)
		wr_entry(p, v);
	else if (table)
		p2mk_pti_drop_table(&op->iv, p, L, g, v);
	else if (e != v)
		p2mk_pti_replace_entry(&op->iv, p, v, g, pt_span(L), false,
		                       false);
	pt->stats.leaves_written++;
	return P2MK_OK;
}

static enum p2mk_err map_step(struct pt_op *op, uint64_t *p, uint64_t e,
                              enum step *st)
{
	const struct p2mk_pt *pt = op->pt;
	const struct pt_cur *c = &op->cur;
	const unsigned L = c->level;
	const uint64_t want = op->mfn + (c->pos - op->gfn);
	if (cur_whole(c) && L <= op->max_level &&
	    (want & (pt_span(L) - 1)) == 0)
		return map_leaf(op, p, e, want);
	if (ent_table(pt, e, L)) {
		*st = ST_DESCEND;
		return P2MK_OK;
	}
	if (!ent_present(pt, e)) {
		*st = ST_NEW;
		return P2MK_OK;
	}
	uint64_t have = leaf_mfn(pt, e, L) + (c->pos - cur_start(c));
	if (have == want && (e & ~leaf_oa_mask(pt, L)) == op->tmpl[L])
		return P2MK_OK; /* already exactly this */
	if (have != want && !op->replace)
		return P2MK_ERR_EXISTS;
	*st = ST_SPLIT;
	return P2MK_OK;
}

static enum p2mk_err unmap_step(struct pt_op *op, uint64_t *p, uint64_t e,
                                enum step *st)
{
	const struct pt_cur *c = &op->cur;
	const unsigned L = c->level;
	const bool table = ent_table(op->pt, e, L);
	if (!ent_present(op->pt, e))
		return P2MK_OK;
	if (!cur_whole(c)) {
		*st = table ? ST_DESCEND : ST_SPLIT;
		return P2MK_OK;
	}
	if (!op->commit)
		return P2MK_OK;
	if (table) {
		p2mk_pti_drop_table(&op->iv, p, L, c->pos, 0);
	} else {
		wr_entry(p, 0);
		inval_add(&op->iv, c->pos, pt_span(L), false);
	}
	return P2MK_OK;
}

static enum p2mk_err protect_step(struct pt_op *op, uint64_t *p, uint64_t e,
                                  enum step *st)
{
	struct p2mk_pt *pt = op->pt;
	const struct pt_cur *c = &op->cur;
	const unsigned L = c->level;
	if (!ent_present(pt, e))
		return P2MK_OK;
	if (ent_table(pt, e, L)) {
		*st = ST_DESCEND;
		return P2MK_OK;
	}
	struct p2mk_pt_attrs a;
	pt->fmt.ops->decode(&pt->fmt, e, L, &a);
	a = p2mk_pti_attrs_merge(&a, &op->set, &op->mask);
	if (!op->commit && pt->fmt.ops->check(&pt->fmt, &a))
		return P2MK_ERR_INVAL;
	uint64_t nb = pt->fmt.ops->leaf(&pt->fmt, &a, L);
	uint64_t oam = leaf_oa_mask(pt, L);
	if ((e & ~oam) == nb)
		return P2MK_OK; /* nothing changes here */
	if (!cur_whole(c)) {
		*st = ST_SPLIT;
		return P2MK_OK;
	}
	if (op->commit) {
		p2mk_pti_replace_entry(&op->iv, p, (e & oam) | nb, c->pos,
		                       pt_span(L), false, false);
		pt->stats.leaves_written++;
	}
	return P2MK_OK;
}

/* ---- going down ------------------------------------------------------ */

/* Split the leaf *@p (the current entry) into a table of its children. */
static uint64_t *split_commit(struct pt_op *op, uint64_t *p)
{
	struct p2mk_pt *pt = op->pt;
	const unsigned L = op->cur.level;
	uint64_t e = *p;
	uint64_t *t = p2mk_pti_resv_take(op);
	uint64_t tmpl = retemplate(pt, e, L, L - 1);
	uint64_t out = leaf_mfn(pt, e, L);
	uint64_t step = pt_span(L - 1);
	for (unsigned i = 0; i < PT_NENT; i++)
		t[i] = tmpl | mfn_bits(out + i * step);
	p2mk_pti_replace_entry(&op->iv, p, table_entry_for(pt, t, L),
	                       cur_start(&op->cur), pt_span(L), true, true);
	pt->stats.splits++;
	pt->stats.leaves_written += PT_NENT;
	return t;
}

/* Follow @st from the current entry *@p (@e) into the level below. */
static void go_down(struct pt_op *op, enum step st, uint64_t *p, uint64_t e)
{
	struct p2mk_pt *pt = op->pt;
	const unsigned L = op->cur.level;
	uint64_t *t = NULL;
	if (st == ST_DESCEND) {
		t = table_va(pt, e);
	} else if (!op->commit || p == NULL) {
		/* prepare (commit never stands in a virtual table) */
		op->need++; /* t stays NULL: a virtual table */
		op->vleaf[L - 1] = st == ST_SPLIT;
		if (st == ST_SPLIT) {
			op->vtmpl[L - 1] = retemplate(pt, e, L, L - 1);
			op->vout[L - 1] = leaf_mfn(pt, e, L);
		}
	} else if (st == ST_NEW) {
		t = p2mk_pti_resv_take(op);
		wr_table_entry(p, table_entry_for(pt, t, L));
	} else {
		t = split_commit(op, p);
	}
	op->fresh[L - 1] = op->commit && st == ST_NEW;
	cur_descend(&op->cur, t);
}

/* ---- the walk -------------------------------------------------------- */

static enum p2mk_err level0_run(struct pt_op *op, uint64_t *p, uint64_t n)
{
	const uint64_t pos = op->cur.pos;
	if (p == NULL)
		return P2MK_OK; /* virtual: checked where it was made */
	if (op->kind == OP_MAP)
		return p2mk_pti_run_map(op, p, pos, n);
	if (op->kind == OP_PROTECT)
		return p2mk_pti_run_protect(op, p, pos, n);
	if (op->commit)
		p2mk_pti_run_unmap(op, p, pos, n);
	return P2MK_OK;
}

static enum p2mk_err step(struct pt_op *op, uint64_t *p, uint64_t e,
                          enum step *st)
{
	switch (op->kind) {
	case OP_MAP:
		return map_step(op, p, e, st);
	case OP_UNMAP:
		return unmap_step(op, p, e, st);
	case OP_PROTECT:
		return protect_step(op, p, e, st);
	}
	return P2MK_ERR_INVAL;
}

static enum p2mk_err pt_apply(struct pt_op *op)
{
	struct pt_cur *c = &op->cur;
	cur_init(c, op->pt, op->gfn, op->end);
	for (;;) {
		uint64_t *p = c->tbl[c->level] ? cur_slot(c) : NULL;
		enum p2mk_err err;
		if (c->level == 0) {
			uint64_t to = pt_min(op->end, cur_table_end(c));
			err = level0_run(op, p, to - c->pos);
			if (err)
				return err;
			if (!cur_next_to(c, to, NULL, NULL))
				return P2MK_OK;
			continue;
		}
		uint64_t e = p ? *p : vent(op);
		enum step st = ST_NEXT;
		err = step(op, p, e, &st);
		if (err)
			return err;
		if (st != ST_NEXT)
			go_down(op, st, p, e);
		else if (!cur_next(c, NULL, NULL))
			return P2MK_OK;
	}
}

/* Prepare, reserve, commit: the shape of every mutating call. */
static enum p2mk_err pt_run(struct pt_op *op)
{
	op->commit = false;
	op->iv.pt = op->pt;
	enum p2mk_err err = pt_apply(op);
	if (err)
		return err;
	err = p2mk_pti_resv_fill(op);
	if (err)
		return err;
	op->commit = true;
	err = pt_apply(op);
	if (op->stream)
		stream_fence(); /* before anyone is told of the change */
	inval_flush(&op->iv);
	/* prepare is exact, so nothing is left; stay leak-free regardless */
	p2mk_pti_resv_release(op);
	return err;
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

/* The highest leaf level a map may use: leaf_levels has no holes. */
static unsigned map_max_level(const struct p2mk_pt *pt, unsigned max_order)
{
	unsigned ml = 0;
	while (ml + 1 < pt->fmt.levels &&
	       (pt->fmt.leaf_levels & (1u << (ml + 1))) &&
	       P2MK_PT_TABLE_LG2 * (ml + 1) <= max_order)
		ml++;
	return ml;
}

enum p2mk_err p2mk_pt_map(struct p2mk_pt *pt, p2mk_gfn_t gfn, p2mk_mfn_t mfn,
                          uint64_t count, const struct p2mk_pt_attrs *attrs,
                          unsigned max_order, unsigned flags)
{
	if (pt == NULL || attrs == NULL || (flags & ~P2MK_PT_MAP_REPLACE))
		return P2MK_ERR_INVAL;
	enum p2mk_err err = pt_check_range(pt, gfn.v, count);
	if (err)
		return err;
	if (mfn.v >= pt->mfn_limit || count > pt->mfn_limit - mfn.v)
		return P2MK_ERR_RANGE;
	err = pt->fmt.ops->check(&pt->fmt, attrs);
	if (err)
		return err;
	const bool replace = (flags & P2MK_PT_MAP_REPLACE) != 0;
	if (count == 1 &&
	    p2mk_pti_map_one(pt, gfn.v, mfn.v, attrs, replace, &err))
		return err;

	struct pt_op op;
	op_init(&op, pt, OP_MAP, gfn.v, count);
	op.mfn = mfn.v;
	op.replace = replace;
	op.max_level = map_max_level(pt, max_order);
	/* 4 KiB tables far beyond any cache: write them around it */
	op.stream = PT_HAVE_STREAM && count >= PT_STREAM_MIN;
	for (unsigned l = 0; l <= op.max_level; l++)
		op.tmpl[l] = pt->fmt.ops->leaf(&pt->fmt, attrs, l);
	return pt_run(&op);
}

enum p2mk_err p2mk_pt_unmap(struct p2mk_pt *pt, p2mk_gfn_t gfn, uint64_t count)
{
	if (pt == NULL)
		return P2MK_ERR_INVAL;
	enum p2mk_err err = pt_check_range(pt, gfn.v, count);
	if (err)
		return err;
	if (count == 1 && p2mk_pti_unmap_one(pt, gfn.v))
		return P2MK_OK;
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
	enum p2mk_err err = pt_check_range(pt, gfn.v, count);
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
