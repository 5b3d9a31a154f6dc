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
#include "improved.h"

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
			r->type =
			    m->demote[i] ? P2MK_MT_UC : wanted_type(m->in, r);
	}
	lo_sort_by_size(m->out, m->lo, m->nlo);
	lo_sort_by_size(m->out, m->hi, m->nhi);
	lo_sort_by_size(m->out, m->io, m->nio);
}

void groups_add(const struct p2mk_layout_output *out, struct groups *g,
                uint16_t i)
{
	if (out->bars[i].type == P2MK_MT_UC) {
		g->uc[g->nuc++] = i;
		g->uc_total += lo_extent(out->bars[i].size);
	} else {
		g->wb[g->nwb++] = i;
	}
}

bool all_placed(const struct p2mk_layout_output *out, const uint16_t idx[],
                unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (!out->bars[idx[i]].placed)
			return false;
	}
	return true;
}

void unplace(struct p2mk_layout_output *out, const uint16_t idx[], unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		out->bars[idx[i]].placed = false;
		out->bars[idx[i]].reason = P2MK_BAR_NO_SPACE;
	}
}

/*
 * Packs one window [start, end): the WB BARs first, then the UC ones in a
 * region whose size has at most @sig significant bits and that starts at
 * a multiple of its highest bit, so @sig variable MTRRs cover it (@sig 0:
 * packed tight).  True if every BAR of @g was placed.
 */
bool pack_window(struct imp *m, const struct groups *g, uint64_t start,
                 uint64_t end, unsigned sig, enum p2mk_bar_reason why,
                 uint64_t *region_end)
{
	uint64_t u = round_sig(g->uc_total, sig);
	unplace(m->out, g->uc, g->nuc);
	unplace(m->out, g->wb, g->nwb);
	uint64_t top = lo_pack(m->in, m->out, g->wb, g->nwb, start, end, why);
	uint64_t at = sig && g->nuc ? align_up(top, high_bit(u)) : top;
	uint64_t uc_top = lo_pack(m->in, m->out, g->uc, g->nuc, at, end, why);
	bool fits = !sig || !g->nuc || uc_top <= at + u;
	*region_end = sig && g->nuc ? at + u : uc_top;
	return fits && all_placed(m->out, g->uc, g->nuc) &&
	       all_placed(m->out, g->wb, g->nwb);
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
 * The 64-bit window's end: the UC BARs' end rounded to 1 GiB, or further
 * (below 2^MAXPHYADDR) where that lets the UC run be stretched to fewer
 * naturally aligned blocks, as hvmloader's window closed at the alignment
 * of its start does (xen §13.1 step 9).
 */
static uint64_t high_end(const struct imp *m, uint64_t end, uint64_t limit)
{
	uint64_t lo = UINT64_MAX;
	if (end > limit)
		end = limit;
	for (unsigned i = 0; i < m->nhi; i++) {
		const struct p2mk_layout_bar_result *r =
		    &m->out->bars[m->hi[i]];
		if (r->placed && r->reason == P2MK_BAR_HIGH &&
		    r->type == P2MK_MT_UC && r->addr.v < lo)
			lo = r->addr.v;
	}
	if (lo >= end)
		return end;
	uint64_t best = end;
	unsigned n = lo_greedy_count(lo, end);
	for (unsigned bits = 1; bits <= 6; bits++) {
		uint64_t e = lo + round_sig(end - lo, bits);
		if (e > end && e <= limit && lo_greedy_count(lo, e) < n) {
			n = lo_greedy_count(lo, e);
			best = e;
		}
	}
	return best;
}

static unsigned count_placed(const struct p2mk_layout_output *out,
                             const struct groups *g)
{
	unsigned n = 0;
	for (unsigned i = 0; i < g->nuc + g->nwb; i++)
		n +=
		    out->bars[i < g->nuc ? g->uc[i] : g->wb[i - g->nuc]].placed;
	return n;
}

/*
 * The WB-first packings left a BAR out: all of them by size alone,
 * largest first, each in the lowest free naturally aligned slot (so the
 * alignment gaps below a big BAR take small ones), kept if that places
 * more; the UC ones may then interleave with WB ones
 * and cost more MTRRs, but every BAR that fits is placed.
 */
static void imp_high_mixed(struct imp *m, const struct groups *g, uint64_t base,
                           uint64_t limit, uint64_t *top)
{
	uint16_t all[P2MK_LAYOUT_MAX_BARS];
	unsigned n = 0, before = count_placed(m->out, g);
	for (unsigned i = 0; i < g->nuc + g->nwb; i++)
		all[n++] = i < g->nuc ? g->uc[i] : g->wb[i - g->nuc];
	lo_sort_by_size(m->out, all, n);
	unplace(m->out, all, n);
	uint64_t end = base;
	for (unsigned i = 0; i < n; i++) {
		struct p2mk_layout_bar_result *r = &m->out->bars[all[i]];
		if (lo_fit_free(m->in, m->out, r, base, limit, P2MK_BAR_HIGH) &&
		    r->addr.v + lo_extent(r->size) > end)
			end = r->addr.v + lo_extent(r->size);
	}
	if (count_placed(m->out, g) > before)
		*top = end;
	else /* the tight WB-first packing again */
		pack_window(m, g, base, limit, 0, P2MK_BAR_HIGH, top);
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
	uint64_t top = base;
	bool all = false;
	for (unsigned sig = 1; sig <= IMP_MAX_SIG + 1 && !all; sig++)
		all = pack_window(m, &g, base, limit, sig % (IMP_MAX_SIG + 1),
		                  P2MK_BAR_HIGH, &top);
	if (!all)
		imp_high_mixed(m, &g, base, limit, &top);
	for (unsigned i = 0; i < m->nhi; i++) {
		const struct p2mk_layout_bar_result *r =
		    &m->out->bars[m->hi[i]];
		if (r->placed && r->reason == P2MK_BAR_HIGH &&
		    r->addr.v + lo_extent(r->size) > top)
			top = r->addr.v + lo_extent(r->size);
	}
	if (top > base)
		lo_window(&m->out->high_mmio, base,
		          high_end(m, align_up(top, GIB(1)), limit));
}

/* Marks the 64-bit BARs the 64-bit window could not hold (and that a
 * 32-bit hole could) to go low; true if there were any. */
static bool imp_mark_spill(struct imp *m)
{
	bool any = false;
	for (unsigned i = 0; i < m->nhi; i++) {
		const struct p2mk_layout_bar_result *r =
		    &m->out->bars[m->hi[i]];
		if (!r->placed && r->size < GIB(2) && !m->force_low[m->hi[i]]) {
			m->force_low[m->hi[i]] = true;
			any = true;
		}
	}
	return any;
}

/* Last resort for what still did not fit: any free low slot. */
static void imp_spill_low(struct imp *m)
{
	for (unsigned i = 0; i < m->nhi; i++) {
		struct p2mk_layout_bar_result *r = &m->out->bars[m->hi[i]];
		if (!r->placed && r->size < GIB(2))
			lo_fit_free(m->in, m->out, r, m->hole_start,
			            HVM_RESERVED_MEMBASE, P2MK_BAR_LOW);
	}
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

bool imp_pass(const struct p2mk_layout_input *in,
              struct p2mk_layout_output *out, const bool demote[],
              struct imp_opts opts)
{
	struct lo_ram ram = lo_libxl_ram_split(in, out);
	struct imp m = {.in = in,
	                .out = out,
	                .low_end = ram.low_end,
	                .high_end = ram.high_end,
	                .demote = demote,
	                .opts = opts};
	unsigned nfindings = out->nfindings;
	lo_route_intx(in, out);
	imp_classify(&m);
	/* further passes send what the 64-bit window cannot hold low */
	for (int pass = 0; pass < 4; pass++) {
		m.low_end = ram.low_end;
		m.high_end = ram.high_end;
		out->nrelocs = 0;
		out->nfindings = nfindings;
		out->high_mmio.present = false;
		unplace(out, m.lo, m.nlo);
		unplace(out, m.hi, m.nhi);
		imp_low_window(&m);
		imp_relocate(&m);
		imp_high_window(&m);
		if (!imp_mark_spill(&m))
			break;
	}
	imp_spill_low(&m);
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
	return lo_improved_mtrrs(in, out, opts.uc_over_reserved);
}
