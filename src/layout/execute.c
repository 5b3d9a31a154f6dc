// SPDX-License-Identifier: BSD-2-Clause
/*
 * layout: carrying out a plan's RAM relocation on a domain through the
 * physmap layer (xen §12.3: XENMEM_add_to_physmap with gmfn_range, one
 * call per relocations[] entry).  layout sits above physmap in the layer
 * order, so it calls it; everything else about the domain (its p2m, IOMMU,
 * frame allocator) is the caller's.
 *
 * All or nothing: p2mk_physmap_relocate() stops part-way on an error and
 * says how many pages it moved; those, and every earlier entry, are moved
 * back, newest first.  Moving back puts each page where it came from,
 * whose page tables the p2m still holds (it frees no table on unmap), so
 * the p2m needs no new table for it.
 */
#include "internal.h"

#include <p2mkit/physmap.h>

/* Offset of the @done pages a partial relocation of @r moved: the physmap
 * walks backwards when the destination is above the source and they
 * overlap (7acc7dd36b), so then the last pages moved first. */
static uint64_t moved_offset(const struct p2mk_layout_reloc *r, uint64_t done)
{
	bool back = r->dst.v > r->src.v && r->dst.v - r->src.v < r->pages;
	return back ? r->pages - done : 0;
}

/* Moves pages [@off, @off + @n) of @r back from the destination. */
static void move_back(struct p2mk_physmap *pm,
                      const struct p2mk_layout_reloc *r, uint64_t off,
                      uint64_t n, enum p2mk_reloc_batch batch,
                      struct p2mk_physmap_counts *c)
{
	if (n != 0)
		(void)p2mk_physmap_relocate(pm, p2mk_gfn(r->dst.v + off),
		                            p2mk_gfn(r->src.v + off), n, batch,
		                            c);
}

enum p2mk_err p2mk_layout_execute(const struct p2mk_layout_output *out,
                                  struct p2mk_physmap *pm,
                                  enum p2mk_reloc_batch batch,
                                  struct p2mk_physmap_counts *c)
{
	if (out == NULL || pm == NULL || c == NULL ||
	    out->nrelocs > P2MK_LAYOUT_MAX_RELOCS ||
	    (unsigned)batch > P2MK_RELOC_WHOLE)
		return P2MK_ERR_INVAL;
	for (unsigned i = 0; i < out->nrelocs; i++) {
		const struct p2mk_layout_reloc *r = &out->relocs[i];
		uint64_t before = c->pages_done;
		enum p2mk_err err = p2mk_physmap_relocate(pm, r->src, r->dst,
		                                          r->pages, batch, c);
		if (err == P2MK_OK)
			continue;
		uint64_t done = c->pages_done - before;
		move_back(pm, r, moved_offset(r, done), done, batch, c);
		while (i-- > 0)
			move_back(pm, &out->relocs[i], 0, out->relocs[i].pages,
			          batch, c);
		return err;
	}
	return P2MK_OK;
}
