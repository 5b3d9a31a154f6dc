// SPDX-License-Identifier: BSD-2-Clause
/*
 * The read-only path query: what the entries on one guest frame's path
 * are (absent, table, leaf) and which table holds each, so that a layer
 * above can keep per-table state of its own (p2m's recalculation marks)
 * without decoding a descriptor bit itself.  A step function over the
 * cursor like every other read.
 */
#include "cursor.h"

/* Physical address of a root page, through the direct map if promised. */
static uint64_t root_pa(const struct p2mk_pt *pt, uint64_t *page)
{
	if (pt->direct)
		return (uint64_t)(uintptr_t)page - pt->va_offset;
	return pt->mm.virt_to_phys(pt->mm.ctx, page);
}

enum p2mk_err p2mk_pt_query_path(const struct p2mk_pt *pt, p2mk_gfn_t gfn,
                                 struct p2mk_pt_path *path)
{
	if (pt == NULL || path == NULL)
		return P2MK_ERR_INVAL;
	if (gfn.v >= pt->gfn_limit)
		return P2MK_ERR_RANGE;
	*path = (struct p2mk_pt_path){.end = 0};
	struct pt_cur c;
	cur_init(&c, pt, gfn.v, gfn.v + 1);
	uint64_t pa = root_pa(pt, c.tbl[c.level]);
	for (;;) {
		uint64_t e = *cur_slot(&c);
		path->table[c.level] = pa;
		path->end = c.level;
		if (!ent_present(pt, e))
			return P2MK_OK; /* kind[level] stays ABSENT */
		if (!ent_table(pt, e, c.level)) {
			path->kind[c.level] = P2MK_PT_ENT_LEAF;
			return P2MK_OK;
		}
		path->kind[c.level] = P2MK_PT_ENT_TABLE;
		pa = e & pt->oa_mask;
		cur_descend(&c, table_va(pt, e));
	}
}
