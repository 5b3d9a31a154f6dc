/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * layout internals shared by the planners: output recording, the RAM split
 * the toolstack hands the firmware, E820 building, cacheattr-style MTRR
 * writes and the INTx routing every planner reuses.
 */
#ifndef P2MK_LAYOUT_INTERNAL_H
#define P2MK_LAYOUT_INTERNAL_H

#include <p2mkit/layout.h>
#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#define KIB(x) ((uint64_t)(x) << 10)
#define MIB(x) ((uint64_t)(x) << 20)
#define GIB(x) ((uint64_t)(x) << 30)

/* hvmloader constants (xen §13.1). */
#define HVM_BELOW_4G_MMIO_START UINT64_C(0xF0000000)
#define HVM_RESERVED_MEMBASE    UINT64_C(0xFC000000)
#define HVM_BAR_RELOC_THRESH    GIB(1)
#define HVM_IO_BASE             0xC000u
#define HVM_IO_END              0x10000u
#define HVM_RELOC_CHUNK         65535u /* 16-bit `size` of gmfn_range */
#define PCI_ISA_DEVFN           0x08u
#define PCI_ISA_IRQ_MASK        0x0c20u /* ISA IRQs 5, 10, 11 */

/* PCI command register bits accumulated per function. */
#define PCI_CMD_IO     0x1u
#define PCI_CMD_MEMORY 0x2u
#define PCI_CMD_MASTER 0x4u

/* Frame/address conversions at the planner's byte arithmetic. */
static inline uint64_t gfn_bytes(p2mk_gfn_t f)
{
	return p2mk_gfn_to_gpa(f).v;
}
static inline p2mk_gfn_t bytes_gfn(uint64_t a)
{
	return p2mk_gpa_to_gfn(p2mk_gpa(a));
}
static inline uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}
static inline uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}
static inline bool ranges_overlap(uint64_t s1, uint64_t n1, uint64_t s2,
                                  uint64_t n2)
{
	return s1 < s2 + n2 && s2 < s1 + n1;
}

/* The highest set bit of @v (v > 0) as a value. */
static inline uint64_t high_bit(uint64_t v)
{
	while (v & (v - 1))
		v &= v - 1;
	return v;
}

/*
 * @v rounded up to at most @bits significant bits: a region of that size
 * starting at a multiple of its highest bit is exactly @bits (or fewer)
 * naturally aligned blocks, i.e. that many variable MTRRs.
 */
static inline uint64_t round_sig(uint64_t v, unsigned bits)
{
	if (v == 0)
		return 0;
	uint64_t h = high_bit(v), unit = h;
	for (unsigned i = 1; i < bits && unit > 1; i++)
		unit >>= 1;
	return align_up(v, unit);
}

/* A memory BAR's footprint for page-granular planners: at least a page,
 * so no two BARs share a page (and an MTRR type). */
static inline uint64_t lo_extent(uint64_t size)
{
	return size < P2MK_PAGE_SIZE ? P2MK_PAGE_SIZE : size;
}

/* Record helpers: each silently stops at the capacity (documented). */
void lo_finding(struct p2mk_layout_output *out,
                enum p2mk_layout_finding_kind kind, int dev, int bar,
                uint64_t addr, uint64_t size);
bool lo_has_finding(const struct p2mk_layout_output *out,
                    enum p2mk_layout_finding_kind kind);
void lo_wrmsr(struct p2mk_layout_output *out, uint32_t msr, uint64_t value);
void lo_intent(struct p2mk_layout_output *out, uint64_t start, uint64_t end,
               uint8_t type);
void lo_window(struct p2mk_layout_window *w, uint64_t start, uint64_t end);
void lo_error(struct p2mk_layout_output *out, const char *msg, int dev);

/* A fresh output for @mode: nothing decided, every BAR "not reached". */
void lo_reset(const struct p2mk_layout_input *in,
              struct p2mk_layout_output *out, enum p2mk_layout_mode mode);

/* Input checks of p2mk_layout_run(). */
enum p2mk_err lo_validate(const struct p2mk_layout_input *in);

/* Devices in devfn order (firmware scans devfn 0..255). */
void lo_scan_order(const struct p2mk_layout_input *in, uint8_t order[]);

/* True if [start, start + size) overlaps any reserved region. */
bool lo_overlaps_reserved(const struct p2mk_layout_input *in, uint64_t start,
                          uint64_t size);

/* Index of the lowest reserved region ending above @base and at or below
 * 4 GiB (hvmloader's find_next_rmrr), or -1. */
int lo_next_reserved(const struct p2mk_layout_input *in, uint64_t base);

/* The libxl RAM split (see hvm_ram_split in ram.c): byte ends of low RAM
 * and of RAM above 4 GiB (0 when none). */
struct lo_ram {
	uint64_t low_end;
	uint64_t high_end;
};
struct lo_ram lo_libxl_ram_split(const struct p2mk_layout_input *in,
                                 struct p2mk_layout_output *out);

/* E820: PC low entries, RAM below @low_end and in [4G, @high_end),
 * reserved regions and [@fw_reserved, 4G) (0: none), sorted. */
void lo_build_e820(const struct p2mk_layout_input *in,
                   struct p2mk_layout_output *out, uint64_t low_end,
                   uint64_t high_end, uint64_t fw_reserved);

/* INTx "barber's pole" routing and bus-master enabling (xen §13.1 step 2).
 */
void lo_route_intx(const struct p2mk_layout_input *in,
                   struct p2mk_layout_output *out);

/* cacheattr_init's fixed-range writes (xen §13.2 step 3), WC at A0000. */
void lo_fixed_mtrrs(struct p2mk_layout_output *out);

/* One variable pair @n = [base, base + size) of @type. */
void lo_var_mtrr(struct p2mk_layout_output *out, unsigned n, uint64_t base,
                 uint64_t size, uint8_t type, uint8_t maxphyaddr);

/* Greedy power-of-two UC cover of [start, end) from pair *n on, as
 * cacheattr_init does; returns the first address left uncovered (== end
 * when all fit). */
uint64_t lo_greedy_cover(struct p2mk_layout_output *out, unsigned *n,
                         unsigned vcnt, uint64_t start, uint64_t end,
                         uint8_t maxphyaddr);

/* Blocks the greedy cover of [start, end) takes (aligned pow2 pieces). */
unsigned lo_greedy_count(uint64_t start, uint64_t end);

/* Result slot of BAR @index of device @dev (input order), or NULL. */
struct p2mk_layout_bar_result *lo_bar_result(struct p2mk_layout_output *out,
                                             unsigned dev, unsigned index);

/* Fills out->bars in input order, every BAR "not reached". */
void lo_init_bars(const struct p2mk_layout_input *in,
                  struct p2mk_layout_output *out);

/* Is this the Xen platform device (5853:0001 or 5853:0002)? */
bool lo_is_xenpci(const struct p2mk_layout_dev *d);

/* Places one BAR result. */
void lo_place(struct p2mk_layout_bar_result *r, uint64_t addr,
              enum p2mk_bar_reason why);

/*
 * Packing shared by improved and ovmf: @idx lists out->bars indices;
 * lo_sort_by_size() orders them by descending size (stable), lo_pack()
 * places them bottom-up from @start with natural alignment, never over a
 * reserved region, below @end; a BAR that does not fit gets @fail.
 * Returns the end of the last placed BAR (@start if none).
 */
void lo_sort_by_size(const struct p2mk_layout_output *out, uint16_t idx[],
                     unsigned n);
uint64_t lo_pack(const struct p2mk_layout_input *in,
                 struct p2mk_layout_output *out, const uint16_t idx[],
                 unsigned n, uint64_t start, uint64_t end,
                 enum p2mk_bar_reason ok);

/* Places @r at the lowest free naturally aligned slot of [start, end)
 * (clear of reserved regions and placed BARs); false if there is none. */
bool lo_fit_free(const struct p2mk_layout_input *in,
                 struct p2mk_layout_output *out,
                 struct p2mk_layout_bar_result *r, uint64_t start, uint64_t end,
                 enum p2mk_bar_reason ok);

/* The same, highest free slot first. */
bool lo_fit_free_down(const struct p2mk_layout_input *in,
                      struct p2mk_layout_output *out,
                      struct p2mk_layout_bar_result *r, uint64_t start,
                      uint64_t end, enum p2mk_bar_reason ok);

/* Is BAR result @r prefetchable in the input? */
bool lo_bar_prefetchable(const struct p2mk_layout_input *in,
                         const struct p2mk_layout_bar_result *r);

/* The three planners. */
void lo_plan_hvmloader(const struct p2mk_layout_input *in,
                       struct p2mk_layout_output *out);
/* improved within its MTRR budget (improved_budget.c). */
void lo_plan_improved(const struct p2mk_layout_input *in,
                      struct p2mk_layout_output *out);
/* improved: MTRR writes from the mtrr planner; false (out->error) when
 * no programming within VCNT exists.  @over_reserved: UC runs may be
 * stretched over reserved regions. */
bool lo_improved_mtrrs(const struct p2mk_layout_input *in,
                       struct p2mk_layout_output *out, bool over_reserved);
void lo_plan_ovmf(const struct p2mk_layout_input *in,
                  struct p2mk_layout_output *out);

#endif /* P2MK_LAYOUT_INTERNAL_H */
