// SPDX-License-Identifier: BSD-2-Clause
/*
 * The hvmloader planner: libxl's RAM split, pci_setup (xen §13.1), the
 * E820 after adjust_memory_map, and cacheattr_init's MTRR writes
 * (xen §13.2), with the known behaviours reported as findings.
 */
#include "hvm.h"

/* Every placed BAR inside [start, end) that the cover left at WB. */
static void report_uncovered(struct p2mk_layout_output *out, uint64_t start,
                             uint64_t end)
{
	bool any = false;
	for (unsigned i = 0; i < out->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &out->bars[i];
		if (!r->placed || r->kind == P2MK_BAR_IO ||
		    !ranges_overlap(r->addr.v, r->size, start, end - start))
			continue;
		lo_finding(out, P2MK_FIND_MTRR_EXHAUSTED, r->dev, r->index,
		           r->addr.v, r->size);
		any = true;
	}
	if (!any)
		lo_finding(out, P2MK_FIND_MTRR_EXHAUSTED, -1, -1, start,
		           end - start);
}

/* cacheattr_init (xen §13.2): fixed, low cover, high cover, defType last. */
static void hvm_cacheattr(struct hvm *h)
{
	struct p2mk_layout_output *out = h->out;
	unsigned n = 0;
	uint8_t pa = h->in->maxphyaddr;
	lo_fixed_mtrrs(out);
	uint64_t left = lo_greedy_cover(out, &n, h->in->vcnt, h->pci_mem_start,
	                                h->pci_mem_end, pa);
	if (left < h->pci_mem_end)
		report_uncovered(out, left, h->pci_mem_end);
	if (h->hi_start != 0) {
		left = lo_greedy_cover(out, &n, h->in->vcnt, h->hi_start,
		                       h->hi_end, pa);
		if (left < h->hi_end)
			report_uncovered(out, left, h->hi_end);
	}
	lo_wrmsr(out, P2MK_MSR_MTRR_DEF_TYPE,
	         P2MK_MTRR_DEF_E | P2MK_MTRR_DEF_FE | P2MK_MT_WB);
	out->vcnt_used = n;
	/* what hvmloader means: UC over both windows, WB elsewhere */
	lo_intent(out, h->pci_mem_start, h->pci_mem_end, P2MK_MT_UC);
	if (h->hi_start != 0)
		lo_intent(out, h->hi_start, h->hi_end, P2MK_MT_UC);
}

/* Intended type of each placed memory BAR: UC inside an intent range. */
static void bar_types(struct p2mk_layout_output *out)
{
	for (unsigned i = 0; i < out->nbars; i++) {
		struct p2mk_layout_bar_result *r = &out->bars[i];
		if (!r->placed || r->kind == P2MK_BAR_IO)
			continue;
		r->type = out->def_type;
		for (unsigned k = 0; k < out->nintent; k++) {
			const struct p2mk_layout_type_range *t =
			    &out->intent[k];
			if (ranges_overlap(r->addr.v, r->size,
			                   gfn_bytes(t->first),
			                   gfn_bytes(p2mk_gfn(t->pages))))
				r->type = t->type;
		}
	}
}

/* landscape §5 items 5 and 6: WB/WC-capable BARs the firmware made UC. */
static void report_uc_bars(const struct p2mk_layout_input *in,
                           struct p2mk_layout_output *out)
{
	for (unsigned i = 0; i < out->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &out->bars[i];
		const struct p2mk_layout_dev *d = &in->devs[r->dev];
		if (r->placed && r->kind != P2MK_BAR_IO &&
		    r->type == P2MK_MT_UC &&
		    (lo_bar_prefetchable(in, r) || lo_is_xenpci(d)))
			lo_finding(out, P2MK_FIND_BAR_UC_MTRR, r->dev, r->index,
			           r->addr.v, r->size);
	}
}

void lo_plan_hvmloader(const struct p2mk_layout_input *in,
                       struct p2mk_layout_output *out)
{
	struct lo_ram ram = lo_libxl_ram_split(in, out);
	struct hvm h = {
	    .in = in,
	    .out = out,
	    .low_pgend = bytes_gfn(ram.low_end).v,
	    .high_pgend = bytes_gfn(ram.high_end).v,
	    .pci_mem_start = HVM_BELOW_4G_MMIO_START,
	    .pci_mem_end = HVM_RESERVED_MEMBASE,
	    .vga_dev = -1,
	};
	lo_route_intx(in, out);
	if (!hvm_scan(&h))
		return; /* hvmloader died: nothing after the scan happens */
	hvm_size_hole(&h);
	lo_build_e820(in, out, gfn_bytes(p2mk_gfn(h.low_pgend)),
	              gfn_bytes(p2mk_gfn(h.high_pgend)), HVM_RESERVED_MEMBASE);
	hvm_assign(&h);
	lo_window(&out->low_mmio, h.pci_mem_start, HVM_RESERVED_MEMBASE);
	if (h.hi_start != 0)
		lo_window(&out->high_mmio, h.hi_start, h.hi_end);
	hvm_cacheattr(&h);
	bar_types(out);
	report_uc_bars(in, out);
}
