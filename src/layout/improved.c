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

/* I/O BARs, 32-bit BARs (mem32 and ROM) and 64-bit BARs, each sorted. */
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

static uint64_t pow2_ceil(uint64_t v)
{
	uint64_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

/* A window's BARs split by intended type (each list sorted). */
struct groups {
	uint16_t uc[P2MK_LAYOUT_MAX_BARS], wb[P2MK_LAYOUT_MAX_BARS];
	unsigned nuc, nwb;
	uint64_t uc_total;
};

static void groups_add(const struct p2mk_layout_output *out, struct groups *g,
                       uint16_t i)
{
	if (out->bars[i].type == P2MK_MT_UC) {
		g->uc[g->nuc++] = i;
		g->uc_total += out->bars[i].size;
	} else {
		g->wb[g->nwb++] = i;
	}
}

static bool all_placed(const struct p2mk_layout_output *out,
                       const uint16_t idx[], unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (!out->bars[idx[i]].placed)
			return false;
	}
	return true;
}

static void unplace(struct p2mk_layout_output *out, const uint16_t idx[],
                    unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		out->bars[idx[i]].placed = false;
		out->bars[idx[i]].reason = P2MK_BAR_NO_SPACE;
	}
}

/*
 * Packs one window [start, end): UC BARs first and WB BARs after
 * (@uc_first), or the other way round.  @rounded gives the UC group a
 * power-of-two, naturally aligned region of its own, so one variable MTRR
 * covers it.  True if every BAR of @g was placed.
 */
static bool pack_window(struct imp *m, const struct groups *g, uint64_t start,
                        uint64_t end, bool uc_first, bool rounded,
                        enum p2mk_bar_reason why)
{
	uint64_t u = rounded ? pow2_ceil(g->uc_total) : 0;
	unplace(m->out, g->uc, g->nuc);
	unplace(m->out, g->wb, g->nwb);
	if (uc_first) {
		uint64_t top =
		    lo_pack(m->in, m->out, g->uc, g->nuc, start, end, why);
		uint64_t next = rounded && g->nuc ? align_up(top, u) : top;
		lo_pack(m->in, m->out, g->wb, g->nwb, next, end, why);
	} else {
		uint64_t top =
		    lo_pack(m->in, m->out, g->wb, g->nwb, start, end, why);
		uint64_t next = rounded && g->nuc ? align_up(top, u) : top;
		lo_pack(m->in, m->out, g->uc, g->nuc, next, end, why);
	}
	return all_placed(m->out, g->uc, g->nuc) &&
	       all_placed(m->out, g->wb, g->nwb);
}

/* Low BARs (and, when @with64, the UC 64-bit BARs) in one group set. */
static void low_groups(const struct imp *m, bool with64, struct groups *g)
{
	g->nuc = g->nwb = 0;
	g->uc_total = 0;
	for (unsigned i = 0; i < m->nlo; i++)
		groups_add(m->out, g, m->lo[i]);
	for (unsigned i = 0; with64 && i < m->nhi; i++) {
		if (m->out->bars[m->hi[i]].type == P2MK_MT_UC &&
		    m->out->bars[m->hi[i]].size <= HVM_BAR_RELOC_THRESH)
			groups_add(m->out, g, m->hi[i]);
	}
	lo_sort_by_size(m->out, g->uc, g->nuc);
}

/* Tries the 4 GiB - 2^k starts, highest first, rounded then tight. */
static bool try_starts(struct imp *m, const struct groups *g)
{
	for (unsigned k = 27; k <= 31; k++) {
		uint64_t s = GIB(4) - (UINT64_C(1) << k);
		if (s < m->low_end && !m->in->fw.allow_memory_relocate)
			return false;
		for (int rounded = 1; rounded >= 0; rounded--) {
			if (pack_window(m, g, s, HVM_RESERVED_MEMBASE, true,
			                rounded, P2MK_BAR_LOW)) {
				m->hole_start = s;
				return true;
			}
		}
	}
	return false;
}

/*
 * The hole: the highest 4 GiB - 2^k start (k = 27..31) that holds every
 * 32-bit BAR, with the small UC 64-bit BARs too when they fit (their UC
 * then shares the low cover).  Below low RAM only when relocation is
 * allowed; with no start that fits, the largest permitted hole is used and
 * what still does not fit is reported.
 */
static void imp_low_window(struct imp *m)
{
	struct groups g;
	low_groups(m, true, &g);
	if (try_starts(m, &g))
		return;
	low_groups(m, false, &g);
	if (try_starts(m, &g))
		return;
	uint64_t s = m->in->fw.allow_memory_relocate ? GIB(2) : 0;
	for (unsigned k = 27; k <= 31 && s == 0; k++) {
		if (GIB(4) - (UINT64_C(1) << k) >= m->low_end)
			s = GIB(4) - (UINT64_C(1) << k);
	}
	m->hole_start = s != 0 ? s : HVM_BELOW_4G_MMIO_START;
	pack_window(m, &g, m->hole_start, HVM_RESERVED_MEMBASE, true, false,
	            P2MK_BAR_LOW);
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

/*
 * The 64-bit window: every 64-bit BAR not placed low, WB (prefetchable)
 * ones first, the UC ones after in a power-of-two region of their own,
 * based above RAM at 1 GiB (each BAR aligned to its size; one that cannot
 * fit does not move the others) and closed at 1 GiB.
 */
static void imp_high_window(struct imp *m)
{
	struct groups g = {.nuc = 0};
	for (unsigned i = 0; i < m->nhi; i++) {
		if (!m->out->bars[m->hi[i]].placed)
			groups_add(m->out, &g, m->hi[i]);
	}
	if (g.nuc + g.nwb == 0)
		return;
	uint64_t limit = UINT64_C(1) << m->in->maxphyaddr;
	uint64_t base =
	    align_up(m->high_end > GIB(4) ? m->high_end : GIB(4), GIB(1));
	if (base >= limit)
		base = limit;
	if (!pack_window(m, &g, base, limit, false, true, P2MK_BAR_HIGH))
		pack_window(m, &g, base, limit, false, false, P2MK_BAR_HIGH);
	uint64_t top = base;
	for (unsigned i = 0; i < m->nhi; i++) {
		const struct p2mk_layout_bar_result *r =
		    &m->out->bars[m->hi[i]];
		if (r->placed && r->reason == P2MK_BAR_HIGH &&
		    r->addr.v + r->size > top)
			top = r->addr.v + r->size;
	}
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
