// SPDX-License-Identifier: BSD-2-Clause
/*
 * gmfn_range relocation (xen §12.3): the loop over pages, the order that
 * keeps overlapping ranges correct, and the three ways of batching the
 * IOMMU flushes.
 */
#include "internal.h"

/* Xen's continuation batch while references are held (xen §12.3 step 5). */
#define XEN_BATCH 16u

/* The i-th page to move: backwards when the destination is above the
 * source and they overlap (7acc7dd36b), so no page is moved twice. */
static uint64_t nth(p2mk_gfn_t src, p2mk_gfn_t dst, uint64_t count, uint64_t i)
{
	bool back = dst.v > src.v && dst.v - src.v < count;
	return back ? count - 1 - i : i;
}

/* Xen: flush the batch's source range, drop the held references, then
 * flush the destination range: two ranged flushes (xen §12.3 step 6). */
static void end_batch(struct p2mk_physmap *pm, uint64_t lo_src, uint64_t lo_dst,
                      uint64_t n, struct p2mk_physmap_counts *c)
{
	c->flush_points += 2;
	if (pm->iommu == NULL)
		return;
	p2mk_iommu_gather_range(pm->iommu, p2mk_gfn(lo_src), n);
	p2mk_iommu_flush_window(pm->iommu, p2mk_gfn(lo_src), n);
	p2mk_iommu_gather_range(pm->iommu, p2mk_gfn(lo_dst), n);
	p2mk_iommu_flush_window(pm->iommu, p2mk_gfn(lo_dst), n);
}

static bool args_ok(const struct p2mk_physmap *pm, p2mk_gfn_t src,
                    p2mk_gfn_t dst, uint64_t count, enum p2mk_reloc_batch batch)
{
	uint64_t lim = pm->p2m->pt.gfn_limit;
	return count > 0 && (unsigned)batch <= P2MK_RELOC_WHOLE &&
	       src.v < lim && count <= lim - src.v && dst.v < lim &&
	       count <= lim - dst.v;
}

enum p2mk_err p2mk_physmap_relocate(struct p2mk_physmap *pm, p2mk_gfn_t src,
                                    p2mk_gfn_t dst, uint64_t count,
                                    enum p2mk_reloc_batch batch,
                                    struct p2mk_physmap_counts *c)
{
	if (c == NULL || !args_ok(pm, src, dst, count, batch))
		return P2MK_ERR_INVAL;
	struct pm_snap s = pm_begin(pm);
	enum p2mk_err err = P2MK_OK;
	uint64_t in_batch = 0, lo_s = UINT64_MAX, lo_d = UINT64_MAX, done = 0;
	c->hypercalls += batch == P2MK_RELOC_PER_PAGE ? 0 : 1;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t k = nth(src, dst, count, i);
		if (batch == P2MK_RELOC_PER_PAGE)
			c->hypercalls++;
		c->iterations++;
		err = pm_move_page(pm, p2mk_gfn(src.v + k), p2mk_gfn(dst.v + k),
		                   c);
		if (err != P2MK_OK)
			break;
		c->pages_done++;
		done++;
		if (batch == P2MK_RELOC_PER_PAGE) {
			c->flush_points++;
			pm_flush_point(pm);
			continue;
		}
		lo_s = src.v + k < lo_s ? src.v + k : lo_s;
		lo_d = dst.v + k < lo_d ? dst.v + k : lo_d;
		if (batch == P2MK_RELOC_XEN16 && ++in_batch == XEN_BATCH) {
			end_batch(pm, lo_s, lo_d, in_batch, c);
			/* no continuation after the last page (d975164669) */
			c->continuations += i + 1 < count;
			in_batch = 0, lo_s = lo_d = UINT64_MAX;
		}
	}
	if (batch == P2MK_RELOC_XEN16 && in_batch > 0)
		end_batch(pm, lo_s, lo_d, in_batch, c);
	if (batch == P2MK_RELOC_WHOLE && done > 0) {
		c->flush_points++;
		pm_flush_point(pm);
	}
	pm_end(pm, &s, c);
	return err;
}
