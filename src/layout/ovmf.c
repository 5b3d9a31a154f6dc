// SPDX-License-Identifier: BSD-2-Clause
/*
 * The ovmf planner: OVMF on QEMU Q35 (landscape §5 items 5 and 9).
 *
 * Facts from EDK2's OvmfPkg/Library/PlatformInitLib/MemDetect.c:
 *  - PlatformQemuUc32BaseInitialization: the UC range is [LowMemory, 4 GiB)
 *    with its size truncated to a power of two (end fixed at 4 GiB) so one
 *    variable MTRR covers it; the base therefore rounds up;
 *  - PlatformGetFirstNonAddress ("classic" window): default size
 *    PcdPciMmio64Size = 32 GiB, or opt/ovmf/X-PciMmio64Mb MiB (accepted up
 *    to 16 TiB); base = first address above RAM rounded up to 1 GiB, size
 *    rounded up to 1 GiB, then the base aligned to the size rounded down to
 *    a power of two;
 *  - PlatformDynamicMmioWindow: when the address width is known the window
 *    is 2^(PhysBits - 3) at the top of the address space, used when the
 *    classic size is smaller and fits (PR #12997 changes 1/8 to 1/4);
 *    PhysBits is limited to 46 with 4-level paging.
 * QEMU Q35 puts RAM below 4 GiB up to 0x80000000 when the guest has
 * 0xB0000000 or more, and MMCONFIG at 0xB0000000; the 32-bit PCI aperture
 * is modelled as [0xC0000000, 0xFC000000).  MtrrLib's own write sequence
 * is modelled as fixed MSRs, variable pairs, then MTRRdefType.
 */
#include "internal.h"

#define OVMF_MMIO64_DEFAULT GIB(32)
#define OVMF_MMIO64_MAX_MB  0x1000000u
#define Q35_LOWMEM_SPLIT    UINT64_C(0xB0000000)
#define OVMF_PCI32_BASE     UINT64_C(0xC0000000)
#define OVMF_PCI32_END      UINT64_C(0xFC000000)

static uint64_t pow2_floor(uint64_t v)
{
	uint64_t p = 1;
	while (p <= v / 2)
		p <<= 1;
	return p;
}

struct aperture {
	uint64_t base, size;
};

/* PlatformGetFirstNonAddress: the classic window above RAM. */
static struct aperture classic(const struct p2mk_layout_input *in,
                               uint64_t first_non_address)
{
	uint64_t size = OVMF_MMIO64_DEFAULT;
	if (in->fw.has_pci_mmio64_mb &&
	    in->fw.pci_mmio64_mb <= OVMF_MMIO64_MAX_MB)
		size = MIB(in->fw.pci_mmio64_mb);
	if (size == 0)
		return (struct aperture){0, 0};
	uint64_t base = align_up(first_non_address, GIB(1));
	size = align_up(size, GIB(1));
	return (struct aperture){align_up(base, pow2_floor(size)), size};
}

/* PlatformDynamicMmioWindow with the 1/8 (shift 3) or 1/4 (shift 2) rule. */
static struct aperture aperture_for(const struct p2mk_layout_input *in,
                                    uint64_t first_non_address)
{
	struct aperture a = classic(in, first_non_address);
	if (in->fw.ovmf_window == P2MK_OVMF_CLASSIC)
		return a;
	unsigned bits = in->maxphyaddr > 46 ? 46 : in->maxphyaddr;
	unsigned shift = in->fw.ovmf_window == P2MK_OVMF_EIGHTH ? 3 : 2;
	uint64_t space = UINT64_C(1) << bits;
	uint64_t mmio = UINT64_C(1) << (bits - shift);
	/* the condition compares with the PCDs' defaults (32 GiB at 32 GiB) */
	if (OVMF_MMIO64_DEFAULT < mmio && OVMF_MMIO64_DEFAULT + mmio < space)
		return (struct aperture){space - mmio, mmio};
	return a;
}

static void ovmf_place(const struct p2mk_layout_input *in,
                       struct p2mk_layout_output *out, struct aperture ap)
{
	uint16_t lo[P2MK_LAYOUT_MAX_BARS], hi[P2MK_LAYOUT_MAX_BARS],
	    io[P2MK_LAYOUT_MAX_BARS];
	unsigned nlo = 0, nhi = 0, nio = 0;
	for (unsigned i = 0; i < out->nbars; i++) {
		enum p2mk_bar_kind k = out->bars[i].kind;
		if (k == P2MK_BAR_IO)
			io[nio++] = (uint16_t)i;
		else if (k == P2MK_BAR_MEM64 && ap.size != 0)
			hi[nhi++] = (uint16_t)i;
		else
			lo[nlo++] = (uint16_t)i;
	}
	lo_sort_by_size(out, lo, nlo);
	lo_sort_by_size(out, hi, nhi);
	lo_sort_by_size(out, io, nio);
	lo_pack(in, out, lo, nlo, OVMF_PCI32_BASE, OVMF_PCI32_END,
	        P2MK_BAR_LOW);
	lo_pack(in, out, hi, nhi, ap.base, ap.base + ap.size, P2MK_BAR_HIGH);
	lo_pack(in, out, io, nio, HVM_IO_BASE, HVM_IO_END, P2MK_BAR_IO_WINDOW);
	for (unsigned i = 0; i < nhi; i++) {
		const struct p2mk_layout_bar_result *r = &out->bars[hi[i]];
		if (!r->placed)
			lo_finding(out, P2MK_FIND_OVMF_APERTURE_FULL, r->dev,
			           r->index, ap.base, r->size);
	}
}

/* Findings for unplaced BARs and for prefetchable BARs under the UC MTRR. */
static void ovmf_findings(const struct p2mk_layout_input *in,
                          struct p2mk_layout_output *out, uint64_t uc32)
{
	for (unsigned i = 0; i < out->nbars; i++) {
		struct p2mk_layout_bar_result *r = &out->bars[i];
		bool in_uc = r->placed && r->kind != P2MK_BAR_IO &&
		             r->addr.v >= uc32 && r->addr.v < GIB(4);
		r->type = in_uc ? P2MK_MT_UC : P2MK_MT_WB;
		if (in_uc && lo_bar_prefetchable(in, r))
			lo_finding(out, P2MK_FIND_BAR_UC_MTRR, r->dev, r->index,
			           r->addr.v, r->size);
		if (!r->placed && r->kind != P2MK_BAR_MEM64)
			lo_finding(out, P2MK_FIND_BAR_NO_SPACE, r->dev,
			           r->index, 0, r->size);
	}
}

void lo_plan_ovmf(const struct p2mk_layout_input *in,
                  struct p2mk_layout_output *out)
{
	uint64_t ram = gfn_bytes(p2mk_gfn(in->ram_pages));
	uint64_t low = ram >= Q35_LOWMEM_SPLIT ? GIB(2) : ram;
	uint64_t high_end = ram > low ? GIB(4) + (ram - low) : 0;
	uint64_t uc32 = GIB(4) - pow2_floor(GIB(4) - low);
	struct aperture ap = aperture_for(in, high_end ? high_end : GIB(4));
	lo_route_intx(in, out);
	lo_build_e820(in, out, low, high_end, 0);
	ovmf_place(in, out, ap);
	lo_window(&out->low_mmio, OVMF_PCI32_BASE, OVMF_PCI32_END);
	lo_window(&out->high_mmio, ap.base, ap.base + ap.size);
	/* MtrrLib: fixed (640 KiB-1 MiB UC), one UC pair, default WB */
	lo_wrmsr(out, P2MK_MSR_MTRR_FIX64K_00000, 0x0606060606060606u);
	lo_wrmsr(out, P2MK_MSR_MTRR_FIX16K_80000, 0x0606060606060606u);
	lo_wrmsr(out, P2MK_MSR_MTRR_FIX16K_A0000, 0);
	for (uint32_t i = 0; i < 8; i++)
		lo_wrmsr(out, P2MK_MSR_MTRR_FIX4K_C0000 + i, 0);
	if (in->vcnt > 0)
		lo_var_mtrr(out, 0, uc32, GIB(4) - uc32, P2MK_MT_UC,
		            in->maxphyaddr);
	lo_wrmsr(out, P2MK_MSR_MTRR_DEF_TYPE,
	         P2MK_MTRR_DEF_E | P2MK_MTRR_DEF_FE | P2MK_MT_WB);
	out->vcnt_used = in->vcnt > 0 ? 1 : 0;
	lo_intent(out, uc32, GIB(4), P2MK_MT_UC);
	ovmf_findings(in, out, uc32);
}
