// SPDX-License-Identifier: BSD-2-Clause
/*
 * One-page fast paths of map and unmap: an embedder's fault handler maps
 * one page per call, and the page's level-0 table usually exists already.
 * Then one walk finds the entry, no table can be needed, so there is
 * nothing to reserve and nothing can fail after the rules are checked:
 * the call is still all-or-nothing without prepare and commit.  Whenever
 * a table would be needed (an empty slot above level 0, a superpage to
 * split) the fast path declines before writing anything and the general
 * path of update.c runs.
 */
#include "update.h"

bool p2mk_pti_map_one(struct p2mk_pt *pt, uint64_t gfn, uint64_t mfn,
                      const struct p2mk_pt_attrs *a, bool replace,
                      enum p2mk_err *err)
{
	struct pt_cur c;
	cur_init(&c, pt, gfn, gfn + 1);
	uint64_t old = cur_down(pt, &c);
	if (c.level != 0)
		return false;
	uint64_t *p = cur_slot(&c);
	uint64_t v = pt->fmt.ops->leaf(&pt->fmt, a, 0) | mfn_bits(mfn);
	*err = P2MK_OK;
	if (!ent_present(pt, old)) {
		wr_entry(p, v);
	} else if (!replace && leaf_mfn(pt, old, 0) != mfn) {
		*err = P2MK_ERR_EXISTS;
		return true;
	} else if (old != v) {
		struct pt_inval iv = {.pt = pt};
		p2mk_pti_replace_entry(&iv, p, v, gfn, 1, false, false);
		inval_flush(&iv);
	}
	pt->stats.leaves_written++;
	return true;
}

bool p2mk_pti_unmap_one(struct p2mk_pt *pt, uint64_t gfn)
{
	struct pt_cur c;
	cur_init(&c, pt, gfn, gfn + 1);
	uint64_t e = cur_down(pt, &c);
	if (!ent_present(pt, e))
		return true; /* a hole: nothing to do */
	if (c.level != 0)
		return false; /* a superpage: it must be split */
	wr_entry(cur_slot(&c), 0);
	struct pt_inval iv = {.pt = pt, .gfn = gfn, .count = 1};
	inval_flush(&iv);
	return true;
}
