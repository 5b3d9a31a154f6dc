// SPDX-License-Identifier: BSD-2-Clause
/*
 * Explicit merge (p2mk_pt_defrag): a cursor walks the range, and each
 * table it finishes is looked at as it climbs out of it, so merges
 * cascade bottom-up in one pass.  Never allocates.
 */
#include "cursor.h"

struct defrag {
	struct pt_inval iv;
	uint64_t gfn, end;
};

/* Would table @t (entries at @cl) be one leaf at @cl + 1?  Its bits if so. */
static bool mergeable(const struct p2mk_pt *pt, const uint64_t *t, unsigned cl,
                      uint64_t *leaf)
{
	const uint64_t first = t[0];
	if (!(pt->fmt.leaf_levels & (1u << (cl + 1))))
		return false;
	if (!ent_present(pt, first) || ent_table(pt, first, cl))
		return false;
	const uint64_t oam = leaf_oa_mask(pt, cl);
	const uint64_t bits = first & ~oam;
	const uint64_t out = leaf_mfn(pt, first, cl);
	if (out & (pt_span(cl + 1) - 1))
		return false;
	for (unsigned i = 1; i < PT_NENT; i++) {
		uint64_t e = t[i];
		if ((e & ~oam) != bits || ent_table(pt, e, cl) ||
		    leaf_mfn(pt, e, cl) != out + i * pt_span(cl))
			return false;
	}
	*leaf = retemplate(pt, first, cl, cl + 1) | mfn_bits(out);
	return true;
}

/*
 * The cursor just left the table hanging from *@p at @level, covering
 * [@g, @g + span(@level)).  Merge it into one leaf, or drop it if empty,
 * when that changes no translation.
 */
static void defrag_table(struct defrag *d, uint64_t *p, unsigned level,
                         uint64_t g)
{
	struct p2mk_pt *pt = d->iv.pt;
	const uint64_t *t = table_va(pt, *p);
	bool empty = true;
	for (unsigned i = 0; i < PT_NENT && empty; i++)
		empty = !ent_present(pt, t[i]);
	uint64_t v = 0;
	if (empty) {
		p2mk_pti_drop_table(&d->iv, p, level, g, 0);
	} else if (mergeable(pt, t, level - 1, &v)) {
		p2mk_pti_drop_table(&d->iv, p, level, g, v);
		pt->stats.merges++;
		pt->stats.leaves_written++;
	}
}

static void defrag_leave(void *ctx, struct pt_cur *c)
{
	struct defrag *d = ctx;
	const uint64_t g = c->pos - pt_span(c->level);
	/* only tables wholly inside the range */
	if (g >= d->gfn && c->pos <= d->end)
		defrag_table(d, cur_left_slot(c), c->level, g);
}

enum p2mk_err p2mk_pt_defrag(struct p2mk_pt *pt, p2mk_gfn_t gfn, uint64_t count)
{
	if (pt == NULL)
		return P2MK_ERR_INVAL;
	enum p2mk_err err = pt_check_range(pt, gfn.v, count);
	if (err)
		return err;
	struct defrag d = {{pt, 0, 0, false}, gfn.v, gfn.v + count};
	struct pt_cur c;
	bool more = true;
	cur_init(&c, pt, d.gfn, d.end);
	while (more) {
		uint64_t e = *cur_slot(&c);
		if (c.level == 0) /* leaves only: the table is done */
			more = cur_next_to(&c, cur_table_end(&c), defrag_leave,
			                   &d);
		else if (ent_table(pt, e, c.level))
			cur_descend(&c, table_va(pt, e));
		else
			more = cur_next(&c, defrag_leave, &d);
	}
	inval_flush(&d.iv);
	return P2MK_OK;
}
