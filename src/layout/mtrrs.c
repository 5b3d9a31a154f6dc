// SPDX-License-Identifier: BSD-2-Clause
/*
 * layout: MTRR MSR writes as firmware issues them (xen §13.2): the fixed
 * ranges, variable pairs as PHYSBASE/PHYSMASK values, and hvmloader's
 * greedy power-of-two cover.
 */
#include "internal.h"

#define FIXED_WB 0x0606060606060606u
#define FIXED_WC 0x0101010101010101u

/*
 * cacheattr_init step 3 (xen §13.2): 0-0x9FFFF WB, 0xA0000-0xBFFFF WC
 * (Xen's vMTRRs advertise WC), 0xC0000-0xFFFFF WB, in MSR order.
 */
void lo_fixed_mtrrs(struct p2mk_layout_output *out)
{
	lo_wrmsr(out, P2MK_MSR_MTRR_FIX64K_00000, FIXED_WB);
	lo_wrmsr(out, P2MK_MSR_MTRR_FIX16K_80000, FIXED_WB);
	lo_wrmsr(out, P2MK_MSR_MTRR_FIX16K_A0000, FIXED_WC);
	for (uint32_t i = 0; i < 8; i++)
		lo_wrmsr(out, P2MK_MSR_MTRR_FIX4K_C0000 + i, FIXED_WB);
}

/* PHYSBASEn = base | type; PHYSMASKn = ~(size - 1) over bits
 * [12, MAXPHYADDR) | V (x86 §3.5). */
void lo_var_mtrr(struct p2mk_layout_output *out, unsigned n, uint64_t base,
                 uint64_t size, uint8_t type, uint8_t maxphyaddr)
{
	uint64_t addr_mask = P2MK_GENMASK(maxphyaddr - 1, P2MK_PAGE_SHIFT);
	lo_wrmsr(out, P2MK_MSR_MTRR_PHYSBASE0 + 2 * n,
	         (base & addr_mask) | type);
	lo_wrmsr(out, P2MK_MSR_MTRR_PHYSMASK0 + 2 * n,
	         (~(size - 1) & addr_mask) | P2MK_MTRR_MASK_V);
}

/* The largest power of two that both aligns @base and fits below @end. */
static uint64_t greedy_block(uint64_t base, uint64_t end)
{
	uint64_t size = P2MK_PAGE_SIZE;
	while (size < (UINT64_C(1) << 62) && !(base & size))
		size <<= 1;
	while (base + size < base || base + size > end)
		size >>= 1;
	return size;
}

unsigned lo_greedy_count(uint64_t start, uint64_t end)
{
	unsigned n = 0;
	for (uint64_t base = start; base < end; n++)
		base += greedy_block(base, end);
	return n;
}

/*
 * cacheattr_init step 4 (xen §13.2): each step takes the largest block
 * aligned at the current base and not past @end, until @end is reached or
 * the VCNT pairs run out.
 */
uint64_t lo_greedy_cover(struct p2mk_layout_output *out, unsigned *n,
                         unsigned vcnt, uint64_t start, uint64_t end,
                         uint8_t maxphyaddr)
{
	uint64_t base = start;
	for (; base < end && *n < vcnt; (*n)++) {
		uint64_t size = greedy_block(base, end);
		lo_var_mtrr(out, *n, base, size, P2MK_MT_UC, maxphyaddr);
		base += size;
	}
	return base < end ? base : end;
}
