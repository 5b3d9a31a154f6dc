// SPDX-License-Identifier: BSD-2-Clause
/*
 * hvmloader pci_setup steps 3-9 (xen §13.1): size the low hole, relocate
 * the RAM under it in 65,535-page chunks, assign BARs in descending size
 * order, and close the high window.
 */
#include "hvm.h"

/* Step 3, no mmio_hole_size: shift the start left in 32-bit arithmetic. */
static void grow_hole(struct hvm *h)
{
	uint64_t before = h->pci_mem_start;
	for (;;) {
		uint32_t next = (uint32_t)(h->pci_mem_start << 1);
		if (h->mmio_total <= h->pci_mem_end - h->pci_mem_start ||
		    next == 0)
			break;
		if (!h->in->fw.allow_memory_relocate &&
		    (next >> P2MK_PAGE_SHIFT) < h->low_pgend)
			break;
		h->pci_mem_start = next;
	}
	if (h->pci_mem_start != before)
		lo_finding(h->out, P2MK_FIND_HOLE_GROWN, -1, -1,
		           h->pci_mem_start, h->pci_mem_end - h->pci_mem_start);
	/* best effort for RMRRs: start the hole right after low RAM */
	uint64_t low_end = gfn_bytes(p2mk_gfn(h->low_pgend));
	if (h->pci_mem_start > low_end &&
	    lo_overlaps_reserved(h->in, h->pci_mem_start,
	                         h->pci_mem_end - h->pci_mem_start)) {
		lo_finding(h->out, P2MK_FIND_RMRR_PULLS_HOLE, -1, -1, low_end,
		           h->pci_mem_start - low_end);
		h->pci_mem_start = low_end;
	}
}

/* Step 5: XENMEM_add_to_physmap(gmfn_range) at most 65,535 pages a call. */
static void relocate_ram(struct hvm *h)
{
	uint64_t first = h->low_pgend;
	while ((h->pci_mem_start >> P2MK_PAGE_SHIFT) < h->low_pgend) {
		uint64_t n =
		    h->low_pgend - (h->pci_mem_start >> P2MK_PAGE_SHIFT);
		if (n > HVM_RELOC_CHUNK)
			n = HVM_RELOC_CHUNK;
		if (h->high_pgend == 0)
			h->high_pgend = UINT64_C(1) << (32 - P2MK_PAGE_SHIFT);
		h->low_pgend -= n;
		struct p2mk_layout_output *out = h->out;
		if (out->nrelocs < P2MK_LAYOUT_MAX_RELOCS)
			out->relocs[out->nrelocs++] =
			    (struct p2mk_layout_reloc){
			        .src = p2mk_gfn(h->low_pgend),
			        .dst = p2mk_gfn(h->high_pgend),
			        .pages = n,
			    };
		h->high_pgend += n;
	}
	if (h->low_pgend != first)
		lo_finding(h->out, P2MK_FIND_RAM_RELOCATED, -1, -1,
		           gfn_bytes(p2mk_gfn(h->low_pgend)),
		           gfn_bytes(p2mk_gfn(first - h->low_pgend)));
}

void hvm_size_hole(struct hvm *h)
{
	const struct p2mk_layout_firmware *fw = &h->in->fw;
	if (fw->has_mmio_hole_size && fw->mmio_hole_size != 0) {
		uint64_t below = GIB(4) - fw->mmio_hole_size; /* wraps as C */
		if (fw->mmio_hole_size > GIB(4) ||
		    below > HVM_BELOW_4G_MMIO_START)
			lo_finding(h->out, P2MK_FIND_MMIO_HOLE_IGNORED, -1, -1,
			           below, fw->mmio_hole_size);
		else
			h->pci_mem_start = below;
	} else {
		grow_hole(h);
	}
	if (h->mmio_total > h->pci_mem_end - h->pci_mem_start)
		h->bar64_relocate = true;
	relocate_ram(h);
}

struct resource {
	uint64_t base, max;
};

/* Step 7 RMRR skipping: slide past every reserved region it overlaps. */
static uint64_t skip_reserved(const struct hvm *h, uint64_t base, uint64_t size)
{
	int next = lo_next_reserved(h->in, base);
	while (next >= 0) {
		const struct p2mk_layout_region *r = &h->in->reserved[next];
		uint64_t rs = gfn_bytes(r->first);
		uint64_t rn = gfn_bytes(p2mk_gfn(r->pages));
		if (!ranges_overlap(base, size, rs, rn))
			break;
		base = align_up(rs + rn, size);
		next = lo_next_reserved(h->in, base);
	}
	return base;
}

/* Why a BAR got no space, as a reason and a finding. */
static void no_space(struct hvm *h, const struct hvm_bar *b, bool high,
                     bool advanced, uint64_t base)
{
	struct p2mk_layout_bar_result *r =
	    lo_bar_result(h->out, b->dev, b->index);
	enum p2mk_layout_finding_kind f = P2MK_FIND_BAR_NO_SPACE;
	r->reason = P2MK_BAR_NO_SPACE;
	if (!high && b->is_mem && !b->is64 && b->size >= GIB(2)) {
		r->reason = P2MK_BAR_NEVER_FITS;
		f = P2MK_FIND_BAR32_NEVER_PLACED;
	} else if (high && advanced) {
		f = P2MK_FIND_HIGH_BASE_ADVANCED;
	}
	lo_finding(h->out, f, b->dev, b->index, base, b->size);
}

/* Picks the resource for @b (step 7 first bullets); may align hi->base. */
static struct resource *pick(struct hvm *h, const struct hvm_bar *b,
                             struct resource res[3], bool *advanced)
{
	*advanced = false;
	if (!b->is_mem)
		return &res[2];
	bool high = b->is64 && h->bar64_relocate &&
	            (h->mmio_total > res[0].max - res[0].base ||
	             b->size > HVM_BAR_RELOC_THRESH);
	if (b->size <= HVM_BAR_RELOC_THRESH)
		h->mmio_total -= b->size;
	if (!high)
		return &res[0];
	if (res[1].base & (b->size - 1)) {
		res[1].base = align_up(res[1].base, b->size);
		*advanced = true;
	}
	if (h->hi_start == 0)
		h->hi_start = res[1].base;
	return &res[1];
}

static void assign_one(struct hvm *h, const struct hvm_bar *b,
                       struct resource res[3])
{
	bool advanced;
	struct resource *rs = pick(h, b, res, &advanced);
	uint64_t base = align_up(rs->base, b->size);
	if (rs == &res[0])
		base = skip_reserved(h, base, b->size);
	uint64_t end = base + b->size;
	if (end < rs->base || end > rs->max) {
		no_space(h, b, rs == &res[1], advanced, base);
		return;
	}
	rs->base = end;
	lo_place(lo_bar_result(h->out, b->dev, b->index), base,
	         rs == &res[0]   ? P2MK_BAR_LOW
	         : rs == &res[1] ? P2MK_BAR_HIGH
	                         : P2MK_BAR_IO_WINDOW);
	h->out->devs[b->dev].command |= b->is_mem ? PCI_CMD_MEMORY : PCI_CMD_IO;
}

void hvm_assign(struct hvm *h)
{
	uint64_t high_base = gfn_bytes(p2mk_gfn(h->high_pgend));
	struct resource res[3] = {
	    {h->pci_mem_start, h->pci_mem_end},
	    {high_base < GIB(4) ? GIB(4) : high_base, UINT64_C(1)
	                                                  << h->in->maxphyaddr},
	    {HVM_IO_BASE, HVM_IO_END},
	};
	for (unsigned i = 0; i < h->nbars; i++)
		assign_one(h, &h->bars[i], res);
	/* step 8: end aligned like the start so fewer MTRRs are needed */
	if (h->hi_start != 0)
		h->hi_end =
		    ((res[1].base - 1) | ((h->hi_start & -h->hi_start) - 1)) +
		    1;
	if (h->vga_dev >= 0)
		h->out->devs[h->vga_dev].command |= PCI_CMD_IO;
}
