// SPDX-License-Identifier: BSD-2-Clause
/*
 * layout: natural-alignment packing of BARs into a window, used by the
 * improved and ovmf planners (hvmloader has its own, exact loop).
 */
#include "internal.h"

void lo_sort_by_size(const struct p2mk_layout_output *out, uint16_t idx[],
                     unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint16_t v = idx[i];
		unsigned j = i;
		while (j > 0 &&
		       out->bars[idx[j - 1]].size < out->bars[v].size) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
}

/* First naturally aligned slot at or above @base clear of reserved
 * regions (a region is skipped by restarting at its aligned end). */
static uint64_t clear_slot(const struct p2mk_layout_input *in, uint64_t base,
                           uint64_t size)
{
	bool moved = true;
	base = align_up(base, size);
	while (moved) {
		moved = false;
		for (unsigned i = 0; i < in->nreserved; i++) {
			uint64_t rs = gfn_bytes(in->reserved[i].first);
			uint64_t rn =
			    gfn_bytes(p2mk_gfn(in->reserved[i].pages));
			if (ranges_overlap(base, size, rs, rn)) {
				base = align_up(rs + rn, size);
				moved = true;
			}
		}
	}
	return base;
}

uint64_t lo_pack(const struct p2mk_layout_input *in,
                 struct p2mk_layout_output *out, const uint16_t idx[],
                 unsigned n, uint64_t start, uint64_t end,
                 enum p2mk_bar_reason ok)
{
	uint64_t cursor = start, top = start;
	for (unsigned i = 0; i < n; i++) {
		struct p2mk_layout_bar_result *r = &out->bars[idx[i]];
		uint64_t plain = align_up(cursor, r->size);
		uint64_t base = clear_slot(in, cursor, r->size);
		if (base < cursor || base + r->size > end ||
		    base + r->size < base) {
			r->reason = plain + r->size <= end
			                ? P2MK_BAR_RESERVED_HIT
			                : P2MK_BAR_NO_SPACE;
			continue;
		}
		lo_place(r, base, ok);
		cursor = base + r->size;
		top = cursor;
	}
	return top;
}

bool lo_bar_prefetchable(const struct p2mk_layout_input *in,
                         const struct p2mk_layout_bar_result *r)
{
	const struct p2mk_layout_dev *d = &in->devs[r->dev];
	for (unsigned b = 0; b < d->nbars; b++) {
		if (d->bars[b].index == r->index)
			return d->bars[b].prefetchable;
	}
	return false;
}
