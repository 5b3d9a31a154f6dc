/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The page-table cursor: the one way src/pt moves through a tree.
 *
 * A cursor is a position (a guest frame), the end of the range it covers,
 * the level it stands at and the table it is in at every level from there
 * up to its top.  Four moves: read the entry (cur_slot), go down into the
 * table an entry points to (cur_descend), step past the current entry
 * (cur_next, which also climbs out of every table it finishes) and look at
 * the table just finished while climbing (the @leave callback).  Every
 * operation (map, unmap, protect, lookup, translate, lookup_many, walk,
 * defrag, free, subtree comparison) is a small step function driving one.
 *
 * The idea is KVM arm64's kvm_pgtable_walk visitors and generic_pt's
 * iteration state (landscape-and-users.md §4.2, §4.3); unlike both, the
 * cursor is iterative, so the stack is bounded for embedders and
 * clang-tidy's misc-no-recursion holds.
 *
 * A whole-tree cursor starts at the root (cur_init); a subtree cursor at
 * one detached table (cur_init_table).  During prepare (update.c) a level's
 * table may be NULL: a table that commit will create, whose entries the
 * caller computes; cur_slot must not be called there.
 */
#ifndef P2MKIT_PT_CURSOR_H
#define P2MKIT_PT_CURSOR_H

#include "entry.h"

struct pt_cur {
	uint64_t
	    *tbl[P2MK_PT_MAX_LEVELS]; /* table holding the entry, per level */
	uint64_t *const *root; /* root pages of a whole-tree cursor, or NULL */
	uint64_t pos;          /* current frame */
	uint64_t end;          /* first frame past the range */
	unsigned level;        /* level of the current entry */
	unsigned top;          /* the cursor never climbs above this level */
};

/* Root page holding the top-level entry for c->pos (concatenated roots). */
static inline uint64_t *cur_root_page(const struct pt_cur *c)
{
	return c->root[(c->pos >> (P2MK_PT_TABLE_LG2 * c->top)) >>
	               P2MK_PT_TABLE_LG2];
}

/* A cursor over [@gfn, @end) of the whole tree, at the root. */
static inline void cur_init(struct pt_cur *c, const struct p2mk_pt *pt,
                            uint64_t gfn, uint64_t end)
{
	c->top = pt_top(pt);
	c->level = c->top;
	c->root = pt->root;
	c->pos = gfn;
	c->end = end;
	c->tbl[c->top] = cur_root_page(c);
}

/* A cursor over every entry of table @t (entries at @level, from @base). */
static inline void cur_init_table(struct pt_cur *c, uint64_t *t, unsigned level,
                                  uint64_t base)
{
	c->top = level;
	c->level = level;
	c->root = NULL;
	c->pos = base;
	c->end = base + pt_span(level + 1);
	c->tbl[level] = t;
}

/* Index of the current entry in its table. */
static inline unsigned cur_index(const struct pt_cur *c)
{
	return (unsigned)((c->pos >> (P2MK_PT_TABLE_LG2 * c->level)) & PT_IDXM);
}

static inline uint64_t *cur_slot(const struct pt_cur *c)
{
	return c->tbl[c->level] + cur_index(c);
}

/* First frame of the current entry and the first past it. */
static inline uint64_t cur_start(const struct pt_cur *c)
{
	return c->pos & ~(pt_span(c->level) - 1);
}

static inline uint64_t cur_item_end(const struct pt_cur *c)
{
	return cur_start(c) + pt_span(c->level);
}

/* First frame past the table the current entry is in. */
static inline uint64_t cur_table_end(const struct pt_cur *c)
{
	return (c->pos | (pt_span(c->level + 1) - 1)) + 1;
}

/* The range covers the whole current entry. */
static inline bool cur_whole(const struct pt_cur *c)
{
	uint64_t span = pt_span(c->level);
	return (c->pos & (span - 1)) == 0 && c->end - c->pos >= span;
}

/* Go down into table @t, which the current entry points to. */
static inline void cur_descend(struct pt_cur *c, uint64_t *t)
{
	c->level--;
	c->tbl[c->level] = t;
}

/*
 * Called by cur_next_to() on each climb: the cursor now stands at @level
 * (c->level), and the table it just finished hung from the entry before
 * c->pos (see cur_left_slot()).
 */
typedef void pt_leave_fn(void *ctx, struct pt_cur *c);

/* The entry the table just finished hangs from (valid in a leave call). */
static inline uint64_t *cur_left_slot(const struct pt_cur *c)
{
	uint64_t prev = c->pos - 1;
	return c->tbl[c->level] +
	       ((prev >> (P2MK_PT_TABLE_LG2 * c->level)) & PT_IDXM);
}

/*
 * Move to frame @to (at most the end of the range), climbing out of every
 * table finished on the way; @leave (may be NULL) sees each.  Returns true
 * while the cursor is still inside its range.  This is the only place
 * that climbs.
 */
static inline bool cur_next_to(struct pt_cur *c, uint64_t to,
                               pt_leave_fn *leave, void *ctx)
{
	c->pos = pt_min(to, c->end);
	while (c->level < c->top &&
	       (c->pos & (pt_span(c->level + 1) - 1)) == 0) {
		c->level++;
		if (leave)
			leave(ctx, c);
	}
	if (c->pos >= c->end)
		return false;
	/* a concatenated root: the next entry may be in the next page */
	if (c->root != NULL && c->level == c->top)
		c->tbl[c->top] = cur_root_page(c);
	return true;
}

/* Step past the current entry. */
static inline bool cur_next(struct pt_cur *c, pt_leave_fn *leave, void *ctx)
{
	return cur_next_to(c, cur_item_end(c), leave, ctx);
}

/*
 * From the current position, follow table entries down to the entry that
 * translates c->pos (a leaf, or not present) and return it.  Kept short,
 * with the descriptor fields in locals: independent lookups overlap their
 * cache misses only if each is a short instruction sequence.
 */
static inline uint64_t cur_down(const struct p2mk_pt *pt, struct pt_cur *c)
{
	const uint64_t pm = pt->fmt.present_mask;
	const uint64_t tm = pt->fmt.table_mask;
	uint64_t e = *cur_slot(c);
	while (c->level > 0 && (e & pm) &&
	       (e & tm) == pt->fmt.table_match[c->level]) {
		cur_descend(c, table_va(pt, e));
		e = *cur_slot(c);
	}
	return e;
}

#endif /* P2MKIT_PT_CURSOR_H */
