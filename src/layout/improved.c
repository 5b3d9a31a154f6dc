// SPDX-License-Identifier: BSD-2-Clause
/*
 * The improved planner: the same inputs as hvmloader, without its pitfalls.
 *  - Per-BAR cache policy: the xenpci BAR and prefetchable BARs want WB in
 *    the MTRRs (so guest PAT can choose WB or WC; landscape §5 items 5, 6),
 *    every other memory BAR UC.
 *  - Every 64-bit BAR goes to a 64-bit window starting above RAM and
 *    packed to the devices; it fails only past 2^MAXPHYADDR.
 *  - 32-bit BARs go to the smallest 4 GiB - 2^k hole (k = 27..31) that
 *    holds them clear of reserved regions; RAM under it moves above 4 GiB
 *    as one batched operation.
 *  - MTRRs: the exact minimum from the mtrr planner, never above VCNT.
 */
#include "internal.h"

/* Most typed ranges one request holds; bounds the planner workspace. */
#define IMP_MAX_RANGES 64

struct imp {
	const struct p2mk_layout_input *in;
	struct p2mk_layout_output *out;
	uint64_t low_end, high_end;
	uint64_t hole_start;
	uint16_t lo[P2MK_LAYOUT_MAX_BARS], hi[P2MK_LAYOUT_MAX_BARS],
	    io[P2MK_LAYOUT_MAX_BARS];
	unsigned nlo, nhi, nio;
};

/* Intended MTRR type of a memory BAR under the per-BAR policy. */
static uint8_t wanted_type(const struct p2mk_layout_input *in,
                           const struct p2mk_layout_bar_result *r)
{
	return lo_is_xenpci(&in->devs[r->dev]) || lo_bar_prefetchable(in, r)
	           ? P2MK_MT_WB
	           : P2MK_MT_UC;
}

static void imp_classify(struct imp *m)
{
	for (unsigned i = 0; i < m->out->nbars; i++) {
		struct p2mk_layout_bar_result *r = &m->out->bars[i];
		if (r->kind == P2MK_BAR_IO)
			m->io[m->nio++] = (uint16_t)i;
		else if (r->kind == P2MK_BAR_MEM64)
			m->hi[m->nhi++] = (uint16_t)i;
		else
			m->lo[m->nlo++] = (uint16_t)i;
		if (r->kind != P2MK_BAR_IO)
			r->type = wanted_type(m->in, r);
	}
	lo_sort_by_size(m->out, m->lo, m->nlo);
	lo_sort_by_size(m->out, m->hi, m->nhi);
	lo_sort_by_size(m->out, m->io, m->nio);
}

/* Packs the low BARs from @start; true if every one of them was placed. */
static bool imp_try_low(struct imp *m, uint64_t start)
{
	for (unsigned i = 0; i < m->nlo; i++)
		m->out->bars[m->lo[i]].placed = false;
	lo_pack(m->in, m->out, m->lo, m->nlo, start, HVM_RESERVED_MEMBASE,
	        P2MK_BAR_LOW);
	for (unsigned i = 0; i < m->nlo; i++) {
		if (!m->out->bars[m->lo[i]].placed)
			return false;
	}
	return true;
}

/*
 * The hole: the highest 4 GiB - 2^k start (k = 27..31) that holds every
 * 32-bit BAR, preferring one at or above low RAM; below low RAM only when
 * relocation is allowed.  With no start that fits, the largest permitted
 * hole is used and the BARs that still do not fit are reported.
 */
static void imp_low_window(struct imp *m)
{
	uint64_t best = 0;
	for (unsigned k = 27; k <= 31 && best == 0; k++) {
		uint64_t s = GIB(4) - (UINT64_C(1) << k);
		bool needs_reloc = s < m->low_end;
		if (needs_reloc && !m->in->fw.allow_memory_relocate)
			break;
		if (imp_try_low(m, s))
			best = s;
	}
	if (best == 0) {
		best = m->in->fw.allow_memory_relocate ? GIB(2) : 0;
		for (unsigned k = 27; k <= 31 && best == 0; k++) {
			uint64_t s = GIB(4) - (UINT64_C(1) << k);
			if (s >= m->low_end)
				best = s;
		}
		if (best == 0)
			best = HVM_BELOW_4G_MMIO_START;
		imp_try_low(m, best);
	}
	m->hole_start = best;
}

/* One batched move of the RAM under the hole (through physmap). */
static void imp_relocate(struct imp *m)
{
	if (m->hole_start >= m->low_end)
		return;
	uint64_t pages = bytes_gfn(m->low_end - m->hole_start).v;
	uint64_t dst = m->high_end != 0 ? m->high_end : GIB(4);
	m->out->relocs[m->out->nrelocs++] = (struct p2mk_layout_reloc){
	    .src = bytes_gfn(m->hole_start),
	    .dst = bytes_gfn(dst),
	    .pages = pages,
	};
	lo_finding(m->out, P2MK_FIND_RAM_RELOCATED, -1, -1, m->hole_start,
	           m->low_end - m->hole_start);
	m->high_end = dst + (m->low_end - m->hole_start);
	m->low_end = m->hole_start;
}

/* The 64-bit window: aligned to its largest BAR, packed, closed at 1 GiB.
 */
static void imp_high_window(struct imp *m)
{
	if (m->nhi == 0)
		return;
	uint64_t base = m->high_end > GIB(4) ? m->high_end : GIB(4);
	base = align_up(base, m->out->bars[m->hi[0]].size);
	uint64_t limit = UINT64_C(1) << m->in->maxphyaddr;
	if (base >= limit)
		base = limit;
	uint64_t top =
	    lo_pack(m->in, m->out, m->hi, m->nhi, base, limit, P2MK_BAR_HIGH);
	if (top > base)
		lo_window(&m->out->high_mmio, base,
		          align_up(top, GIB(1)) < limit ? align_up(top, GIB(1))
		                                        : limit);
}

/* Every BAR that is not placed is named in the error (the first one). */
static void imp_report_unplaced(struct imp *m)
{
	for (unsigned i = 0; i < m->out->nbars; i++) {
		struct p2mk_layout_bar_result *r = &m->out->bars[i];
		if (r->placed)
			continue;
		if (r->kind == P2MK_BAR_MEM32 && r->size >= GIB(2))
			r->reason = P2MK_BAR_NEVER_FITS;
		lo_finding(m->out, P2MK_FIND_BAR_NO_SPACE, r->dev, r->index, 0,
		           r->size);
		lo_error(
		    m->out,
		    "a BAR does not fit in the address space the guest has "
		    "(see bars[].reason)",
		    r->dev);
	}
}

void lo_plan_improved(const struct p2mk_layout_input *in,
                      struct p2mk_layout_output *out)
{
	struct lo_ram ram = lo_libxl_ram_split(in, out);
	struct imp m = {.in = in,
	                .out = out,
	                .low_end = ram.low_end,
	                .high_end = ram.high_end};
	lo_route_intx(in, out);
	imp_classify(&m);
	imp_low_window(&m);
	imp_relocate(&m);
	imp_high_window(&m);
	lo_pack(in, out, m.io, m.nio, HVM_IO_BASE, HVM_IO_END,
	        P2MK_BAR_IO_WINDOW);
	lo_build_e820(in, out, m.low_end, m.high_end, HVM_RESERVED_MEMBASE);
	lo_window(&out->low_mmio, m.hole_start, HVM_RESERVED_MEMBASE);
	for (unsigned i = 0; i < out->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &out->bars[i];
		if (r->placed)
			out->devs[r->dev].command |= r->kind == P2MK_BAR_IO
			                                 ? PCI_CMD_IO
			                                 : PCI_CMD_MEMORY;
	}
	imp_report_unplaced(&m);
	lo_improved_mtrrs(in, out);
}
