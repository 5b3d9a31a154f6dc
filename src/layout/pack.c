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
		uint64_t size =
		    r->kind == P2MK_BAR_IO ? r->size : lo_extent(r->size);
		uint64_t plain = align_up(cursor, size);
		uint64_t base = clear_slot(in, cursor, size);
		if (base < cursor || base + size > end || base + size < base) {
			r->reason = plain + size <= end ? P2MK_BAR_RESERVED_HIT
			                                : P2MK_BAR_NO_SPACE;
			continue;
		}
		lo_place(r, base, ok);
		cursor = base + size;
		top = cursor;
	}
	return top;
}

/*
 * The first obstacle (reserved region or placed memory BAR other than
 * @self) overlapping [a, a + n): its start and end, or false if none.
 */
static bool obstacle(const struct p2mk_layout_input *in,
                     const struct p2mk_layout_output *out,
                     const struct p2mk_layout_bar_result *self, uint64_t a,
                     uint64_t n, uint64_t *os, uint64_t *oe)
{
	for (unsigned i = 0; i < in->nreserved; i++) {
		*os = gfn_bytes(in->reserved[i].first);
		*oe = *os + gfn_bytes(p2mk_gfn(in->reserved[i].pages));
		if (ranges_overlap(a, n, *os, *oe - *os))
			return true;
	}
	for (unsigned i = 0; i < out->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &out->bars[i];
		if (r == self || !r->placed || r->kind == P2MK_BAR_IO)
			continue;
		*os = r->addr.v;
		*oe = *os + lo_extent(r->size);
		if (ranges_overlap(a, n, *os, *oe - *os))
			return true;
	}
	return false;
}

bool lo_fit_free(const struct p2mk_layout_input *in,
                 struct p2mk_layout_output *out,
                 struct p2mk_layout_bar_result *r, uint64_t start, uint64_t end,
                 enum p2mk_bar_reason ok)
{
	uint64_t size = lo_extent(r->size), os, oe;
	uint64_t a = align_up(start, size);
	while (a >= start && a + size <= end && a + size > a) {
		if (!obstacle(in, out, r, a, size, &os, &oe)) {
			lo_place(r, a, ok);
			return true;
		}
		a = align_up(oe, size);
	}
	return false;
}

bool lo_fit_free_down(const struct p2mk_layout_input *in,
                      struct p2mk_layout_output *out,
                      struct p2mk_layout_bar_result *r, uint64_t start,
                      uint64_t end, enum p2mk_bar_reason ok)
{
	uint64_t size = lo_extent(r->size), os, oe;
	if (end < start + size)
		return false;
	uint64_t a = align_down(end - size, size);
	while (a >= start) {
		if (!obstacle(in, out, r, a, size, &os, &oe)) {
			lo_place(r, a, ok);
			return true;
		}
		if (os < start + size)
			return false;
		a = align_down(os - size, size);
	}
	return false;
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
