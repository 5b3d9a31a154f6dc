// SPDX-License-Identifier: BSD-2-Clause
/*
 * layout: the RAM split the toolstack hands the firmware, and the E820 the
 * firmware finally reports.
 */
#include "internal.h"

/* libxl's rdm_mem_boundary default: RMRRs below it are not handled. */
#define RDM_MEM_BOUNDARY GIB(2)

/*
 * libxl (xen §13.1 "toolstack split", issue 12): low RAM ends at
 * 0xF0000000, or at 4 GiB - mmio_hole_size when that is lower; the rest
 * starts at 4 GiB.  An RMRR overlapping low RAM above 2 GiB lowers low RAM
 * to the RMRR's 2 MiB-aligned start and the difference moves above 4 GiB.
 */
struct lo_ram lo_libxl_ram_split(const struct p2mk_layout_input *in,
                                 struct p2mk_layout_output *out)
{
	uint64_t ram = gfn_bytes(p2mk_gfn(in->ram_pages));
	uint64_t mmio_start = HVM_BELOW_4G_MMIO_START;
	if (in->fw.has_mmio_hole_size && in->fw.mmio_hole_size != 0 &&
	    in->fw.mmio_hole_size < GIB(4) &&
	    GIB(4) - in->fw.mmio_hole_size < mmio_start)
		mmio_start =
		    align_down(GIB(4) - in->fw.mmio_hole_size, P2MK_PAGE_SIZE);
	uint64_t low = ram < mmio_start ? ram : mmio_start;
	uint64_t high = ram - low;
	for (unsigned i = 0; i < in->nreserved; i++) {
		const struct p2mk_layout_region *r = &in->reserved[i];
		uint64_t start = gfn_bytes(r->first);
		if (!ranges_overlap(0, low, start,
		                    gfn_bytes(p2mk_gfn(r->pages))) ||
		    start <= RDM_MEM_BOUNDARY)
			continue;
		uint64_t new_low = align_down(start, MIB(2));
		high += low - new_low;
		low = new_low;
		lo_finding(out, P2MK_FIND_RMRR_LOWERS_RAM, -1, -1, start,
		           gfn_bytes(p2mk_gfn(r->pages)));
	}
	return (struct lo_ram){low, high != 0 ? GIB(4) + high : 0};
}

static void e820_add(struct p2mk_layout_output *out, uint64_t start,
                     uint64_t end, enum p2mk_e820_type type)
{
	if (end <= start || out->ne820 >= P2MK_LAYOUT_MAX_E820)
		return;
	out->e820[out->ne820++] = (struct p2mk_layout_e820){
	    .start = p2mk_gpa(start),
	    .size = end - start,
	    .type = type,
	};
}

/* RAM [start, end) with every reserved region cut out of it. */
static void e820_add_ram(const struct p2mk_layout_input *in,
                         struct p2mk_layout_output *out, uint64_t start,
                         uint64_t end)
{
	while (start < end) {
		uint64_t cut = end, resume = end;
		for (unsigned i = 0; i < in->nreserved; i++) {
			uint64_t rs = gfn_bytes(in->reserved[i].first);
			uint64_t re =
			    rs + gfn_bytes(p2mk_gfn(in->reserved[i].pages));
			uint64_t from = rs > start ? rs : start;
			if (re > start && rs < end && from < cut) {
				cut = from;
				resume = re;
			}
		}
		e820_add(out, start, cut, P2MK_E820_RAM);
		start = resume;
	}
}

static void e820_sort(struct p2mk_layout_output *out)
{
	for (unsigned i = 1; i < out->ne820; i++) {
		struct p2mk_layout_e820 e = out->e820[i];
		unsigned j = i;
		while (j > 0 && out->e820[j - 1].start.v > e.start.v) {
			out->e820[j] = out->e820[j - 1];
			j--;
		}
		out->e820[j] = e;
	}
}

/*
 * The PC low entries are modelled as hvmloader's build_e820_table makes
 * them with a SeaBIOS-sized BIOS image: RAM below the VGA hole and the BIOS
 * region [0xF0000, 1 MiB) reserved.
 */
void lo_build_e820(const struct p2mk_layout_input *in,
                   struct p2mk_layout_output *out, uint64_t low_end,
                   uint64_t high_end, uint64_t fw_reserved)
{
	out->ne820 = 0;
	e820_add(out, 0, 0xA0000, P2MK_E820_RAM);
	e820_add(out, 0xF0000, MIB(1), P2MK_E820_RESERVED);
	e820_add_ram(in, out, MIB(1), low_end);
	for (unsigned i = 0; i < in->nreserved; i++) {
		uint64_t rs = gfn_bytes(in->reserved[i].first);
		e820_add(out, rs,
		         rs + gfn_bytes(p2mk_gfn(in->reserved[i].pages)),
		         P2MK_E820_RESERVED);
	}
	if (fw_reserved != 0)
		e820_add(out, fw_reserved, GIB(4), P2MK_E820_RESERVED);
	if (high_end > GIB(4))
		e820_add_ram(in, out, GIB(4), high_end);
	e820_sort(out);
	out->low_ram_end = bytes_gfn(low_end);
	out->high_ram_end = bytes_gfn(high_end);
}
