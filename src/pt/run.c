// SPDX-License-Identifier: BSD-2-Clause
/*
 * Level-0 runs: the hot loops of map, unmap and protect over the 4 KiB
 * entries of one table, called by the walker (update.c) once per table.
 * Map and protect check in prepare and write in commit; unmap has nothing
 * to check.
 */
#include "update.h"

/* ---- level-0 runs: the hot path -------------------------------------- */

/*
 * Map @n consecutive 4 KiB entries at @p for frames starting at @pos.
 * Prepare checks overmapping; commit writes.
 */
enum p2mk_err p2mk_pti_run_map(struct pt_op *op, uint64_t *p, uint64_t pos,
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
	uint64_t v = op->tmpl[0] | mfn_bits(m);
	const uint64_t inc = P2MK_PAGE_SIZE;
	if (op->fresh[0]) {
		/*
		 * A table this call created: every slot not yet visited is
		 * zero (mm_ops pages come zeroed), so there is nothing to
		 * check or invalidate, and the loop is a plain vector store.
		 */
		if (op->stream)
			for (uint64_t i = 0; i < n; i++)
				wr_stream(&p[i], v + i * inc);
		else
			for (uint64_t i = 0; i < n; i++)
				p[i] = v + i * inc;
	} else if (pt->fmt.bbm_mask == 0) {
		for (uint64_t i = 0; i < n; i++, v += inc) {
			uint64_t old = p[i];
			if ((old & pm) && old != v)
				inval_add(&op->iv, pos + i, 1, false);
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
				inval_add(&op->iv, pos + i, 1, false);
			}
		}
		if (any)
			inval_flush(&op->iv);
		for (uint64_t i = 0; i < n; i++, v += inc)
			wr_entry(&p[i], v);
	}
	pt->stats.leaves_written += n;
	return P2MK_OK;
}

void p2mk_pti_run_unmap(struct pt_op *op, uint64_t *p, uint64_t pos, uint64_t n)
{
	const uint64_t pm = op->pt->fmt.present_mask;
	for (uint64_t i = 0; i < n; i++) {
		if (p[i] & pm) {
			wr_entry(&p[i], 0);
			inval_add(&op->iv, pos + i, 1, false);
		}
	}
}

enum p2mk_err p2mk_pti_run_protect(struct pt_op *op, uint64_t *p, uint64_t pos,
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
			a = p2mk_pti_attrs_merge(&a, &op->set, &op->mask);
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
		inval_add(&op->iv, pos + i, 1, false);
		pt->stats.leaves_written++;
	}
	if (!broke)
		return P2MK_OK;
	/* ... invalidate, then make: one flush for the whole run */
	inval_flush(&op->iv);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t e = p[i];
		if (e == 0 || (e & pm))
			continue;
		e |= pm;
		struct p2mk_pt_attrs a;
		pt->fmt.ops->decode(&pt->fmt, e, 0, &a);
		a = p2mk_pti_attrs_merge(&a, &op->set, &op->mask);
		wr_entry(&p[i], (e & oam) | pt->fmt.ops->leaf(&pt->fmt, &a, 0));
	}
	return P2MK_OK;
}
