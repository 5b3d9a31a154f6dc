/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * layout: the firmware's guest-physical memory map before boot.  Given the
 * RAM size, the PCI functions of bus 0 with their BARs, the reserved regions
 * (RMRRs) and the firmware options, it decides where every BAR goes, how
 * big the MMIO holes are, which RAM moves above 4 GiB, the final E820 and
 * every MTRR MSR write, and reports the known firmware behaviours it ran
 * into as findings.
 *
 * Three planners:
 *  - hvmloader: Xen's hvmloader exactly (xen §13), including the libxl RAM
 *    split it is handed;
 *  - improved: the same inputs, placed without hvmloader's pitfalls, with
 *    the fewest variable MTRRs the mtrr planner can find;
 *  - ovmf: OVMF/EDK2's 32-bit hole and 64-bit aperture sizing on QEMU
 *    (landscape §5 items 5 and 9).
 *
 * Everything is caller-provided storage; nothing allocates.  Spec:
 * shared/spec/xen-reference-behaviour.md §13 ("xen §13"),
 * landscape-and-users.md §4.5 and §5 ("landscape §5"); docs/layout.md.
 */
#ifndef P2MKIT_LAYOUT_H
#define P2MKIT_LAYOUT_H

#include <p2mkit/base.h>
#include <p2mkit/physmap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Capacities of the caller-provided arrays. */
#define P2MK_LAYOUT_MAX_DEVS        32 /* PCI functions on bus 0 */
#define P2MK_LAYOUT_MAX_DEV_BARS    7  /* BAR0-5 and the ROM */
#define P2MK_LAYOUT_MAX_BARS        (P2MK_LAYOUT_MAX_DEVS * 7)
#define P2MK_LAYOUT_MAX_RESERVED    16
#define P2MK_LAYOUT_MAX_RELOCS      32 /* 4 GiB / 65,535 pages < 17 */
#define P2MK_LAYOUT_MAX_E820        (8 + 2 * P2MK_LAYOUT_MAX_RESERVED)
#define P2MK_LAYOUT_MAX_MTRR_WRITES 96 /* 11 fixed + 2 x 40 var + def */
#define P2MK_LAYOUT_MAX_FINDINGS    64
#define P2MK_LAYOUT_MAX_INTENT      (2 * P2MK_LAYOUT_MAX_BARS + 8)

/** enum p2mk_layout_mode - which firmware decides the layout. */
enum p2mk_layout_mode {
	P2MK_LAYOUT_HVMLOADER = 0,
	P2MK_LAYOUT_IMPROVED,
	P2MK_LAYOUT_OVMF,
};

/** enum p2mk_bar_kind - what a BAR decodes.  A mem64 BAR occupies
 * @index and @index + 1; a ROM BAR is always index 6. */
enum p2mk_bar_kind {
	P2MK_BAR_IO = 0,
	P2MK_BAR_MEM32,
	P2MK_BAR_MEM64,
	P2MK_BAR_ROM,
};

/**
 * enum p2mk_ovmf_window - which EDK2 rule sizes the 64-bit aperture.
 * @P2MK_OVMF_QUARTER: recent EDK2 (PR #12997): 1/4 of the address space
 * at its top; @P2MK_OVMF_EIGHTH: the earlier dynamic rule, 1/8;
 * @P2MK_OVMF_CLASSIC: the fixed default (32 GiB, or X-PciMmio64Mb) above
 * RAM, as when the address width is not trusted.
 */
enum p2mk_ovmf_window {
	P2MK_OVMF_QUARTER = 0,
	P2MK_OVMF_EIGHTH,
	P2MK_OVMF_CLASSIC,
};

/**
 * enum p2mk_mtrr_budget - the variable MTRRs the improved planner allows
 * itself.  @P2MK_MTRR_BUDGET_HVMLOADER: no more than hvmloader programs on
 * the same input (VCNT when hvmloader stops); a BAR the per-BAR policy
 * wants WB is left UC when keeping it WB would cost more, and a finding
 * says so.  @P2MK_MTRR_BUDGET_VCNT: the per-BAR policy wins as long as
 * the plan fits VCNT.
 */
enum p2mk_mtrr_budget {
	P2MK_MTRR_BUDGET_HVMLOADER = 0,
	P2MK_MTRR_BUDGET_VCNT,
};

/** struct p2mk_layout_bar - one BAR as the device implements it. @size is a
 * power of two in bytes (I/O BARs: ports). */
struct p2mk_layout_bar {
	uint8_t index;
	enum p2mk_bar_kind kind;
	bool prefetchable;
	uint64_t size;
};

/**
 * struct p2mk_layout_dev - one PCI function on bus 0.  @devfn is
 * slot << 3 | function; @class_code is the 16-bit base/sub-class
 * (0x0680 = "other bridge", hvmloader's PIIX4 PM case).
 */
struct p2mk_layout_dev {
	uint8_t devfn;
	uint16_t vendor;
	uint16_t device;
	uint16_t class_code;
	uint8_t header_type;
	uint8_t int_pin; /* 0 none, 1..4 = INTA..INTD */
	unsigned nbars;
	struct p2mk_layout_bar bars[P2MK_LAYOUT_MAX_DEV_BARS];
};

/** struct p2mk_layout_region - a reserved (E820_RESERVED, RMRR) range. */
struct p2mk_layout_region {
	p2mk_gfn_t first;
	uint64_t pages;
};

/**
 * struct p2mk_layout_firmware - firmware and toolstack options.
 * @planner: the mode the file asks for (the CLI may override it).
 * @allow_memory_relocate: xenstore hvmloader/allow-memory-relocate.
 * @has_mmio_hole_size/@mmio_hole_size: libxl mmio_hole_size in bytes.
 * @xen_platform_pci_bar_uc: xl.cfg option of 22650d6054 (default true).
 * @has_pci_mmio64_mb/@pci_mmio64_mb: OVMF's opt/ovmf/X-PciMmio64Mb.
 * @ovmf_window: the EDK2 64-bit aperture rule (ovmf mode).
 * @mtrr_budget: the improved planner's variable-MTRR budget.
 */
struct p2mk_layout_firmware {
	enum p2mk_layout_mode planner;
	bool allow_memory_relocate;
	bool has_mmio_hole_size;
	uint64_t mmio_hole_size;
	bool xen_platform_pci_bar_uc;
	bool has_pci_mmio64_mb;
	uint32_t pci_mmio64_mb;
	enum p2mk_ovmf_window ovmf_window;
	enum p2mk_mtrr_budget mtrr_budget;
};

/**
 * struct p2mk_layout_input - the `vm:` section of a scenario.
 * @ram_pages: guest RAM in 4 KiB pages.  @maxphyaddr: CPUID 0x80000008
 * physical-address width (32..52).  @vcnt: variable MTRR pairs (Xen, KVM
 * and QEMU guests: 8).  Devices are listed in any order; the planners scan
 * them by devfn like firmware does.
 */
struct p2mk_layout_input {
	uint64_t ram_pages;
	unsigned vcpus;
	uint8_t maxphyaddr;
	uint8_t vcnt;
	struct p2mk_layout_firmware fw;
	unsigned nreserved;
	struct p2mk_layout_region reserved[P2MK_LAYOUT_MAX_RESERVED];
	unsigned ndevs;
	struct p2mk_layout_dev devs[P2MK_LAYOUT_MAX_DEVS];
};

/**
 * p2mk_layout_input_init() - defaults: no RAM, 1 vCPU, MAXPHYADDR 39,
 * VCNT 8, planner hvmloader, relocation allowed, no mmio_hole_size,
 * xen_platform_pci_bar_uc true, no X-PciMmio64Mb, OVMF rule 1/4, MTRR
 * budget hvmloader, no reserved regions and no devices.
 */
void p2mk_layout_input_init(struct p2mk_layout_input *in);

/** Why a BAR is where it is (or nowhere). */
enum p2mk_bar_reason {
	P2MK_BAR_LOW = 0,    /* placed in the low (32-bit) MMIO window */
	P2MK_BAR_HIGH,       /* placed in the 64-bit window */
	P2MK_BAR_IO_WINDOW,  /* placed in the I/O port window */
	P2MK_BAR_XENPCI_TOP, /* xenpci BAR at the top of the hole (xen §13.3) */
	P2MK_BAR_NO_SPACE,   /* "no space for resource" */
	P2MK_BAR_NEVER_FITS,   /* 32-bit BAR no 32-bit hole can hold */
	P2MK_BAR_NOT_REACHED,  /* firmware stopped before placing it */
	P2MK_BAR_RESERVED_HIT, /* improved: every slot overlaps a reserved
	                          region */
};

/**
 * struct p2mk_layout_bar_result - one BAR's outcome, in input order
 * (device by device, BAR by BAR).  @addr is valid for memory BARs and @port
 * for I/O BARs when @placed.  @type is the memory type the planner means
 * the BAR to have (the MTRR writes must produce it; hvmloader: UC inside
 * its covers, WB for the xenpci BAR).
 */
struct p2mk_layout_bar_result {
	uint16_t dev; /* index into input devs[] */
	uint8_t index;
	enum p2mk_bar_kind kind;
	uint64_t size;
	bool placed;
	p2mk_gpa_t addr;
	uint32_t port;
	enum p2mk_bar_reason reason;
	uint8_t type; /* enum p2mk_memtype value */
};

/** struct p2mk_layout_dev_result - INTx routing and enabled decode. */
struct p2mk_layout_dev_result {
	uint8_t link;     /* PCI-ISA link 0..3 ("barber's pole") */
	uint8_t irq;      /* ISA IRQ written to INTERRUPT_LINE, 0 = no pin */
	uint16_t command; /* decode + bus master bits enabled at the end */
};

/** struct p2mk_layout_window - a window [first, first + pages), or absent. */
struct p2mk_layout_window {
	bool present;
	p2mk_gfn_t first;
	uint64_t pages;
};

/** struct p2mk_layout_reloc - one XENMEM_add_to_physmap gmfn_range call. */
struct p2mk_layout_reloc {
	p2mk_gfn_t src;
	p2mk_gfn_t dst;
	uint64_t pages;
};

/** struct p2mk_layout_msr_write - one WRMSR, in program order. */
struct p2mk_layout_msr_write {
	uint32_t msr;
	uint64_t value;
};

enum p2mk_e820_type {
	P2MK_E820_RAM = 1,
	P2MK_E820_RESERVED = 2,
};

/** struct p2mk_layout_e820 - E820 entries are byte-granular by definition.
 */
struct p2mk_layout_e820 {
	p2mk_gpa_t start;
	uint64_t size;
	enum p2mk_e820_type type;
};

/** struct p2mk_layout_type_range - a range the planner wants at @type
 * (enum p2mk_memtype value); everything else above 1 MiB is the default. */
struct p2mk_layout_type_range {
	p2mk_gfn_t first;
	uint64_t pages;
	uint8_t type;
};

/** The known behaviours reported as findings (xen §13, landscape §5). */
enum p2mk_layout_finding_kind {
	P2MK_FIND_XENPCI_OVER_RESERVED = 0, /* xenpci BAR on an RMRR */
	P2MK_FIND_HIGH_BASE_ADVANCED, /* a too-big 64-bit BAR moved the base,
	                                 later BARs fail too */
	P2MK_FIND_MTRR_EXHAUSTED,     /* VCNT ran out: BARs left WB */
	P2MK_FIND_RMRR_PULLS_HOLE,    /* RMRR in the hole: start = low RAM
	                                 end */
	P2MK_FIND_BAR32_NEVER_PLACED, /* 32-bit BAR >= 2 GiB */
	P2MK_FIND_PIIX4_ASSERT,       /* class 0x0680 not PIIX4 PM */
	P2MK_FIND_RAM_RELOCATED,      /* low RAM moved above 4 GiB */
	P2MK_FIND_HOLE_GROWN,         /* hole start shifted left */
	P2MK_FIND_MMIO_HOLE_IGNORED,  /* mmio_hole_size too small: ignored */
	P2MK_FIND_RMRR_LOWERS_RAM,    /* libxl lowered low RAM under an RMRR
	                               */
	P2MK_FIND_BAR_NO_SPACE,       /* a BAR could not be placed */
	P2MK_FIND_BAR_UC_MTRR,        /* a BAR a driver may want WC/WB sits
	                                 under a UC MTRR */
	P2MK_FIND_OVMF_APERTURE_FULL, /* 64-bit aperture too small */
	P2MK_FIND_XENPCI_FALLBACK,    /* xenpci special case fell back */
	P2MK_FIND_WB_LEFT_UC,         /* improved: a WB-wanted BAR left UC
	                                 to stay within the MTRR budget */
	P2MK_FIND_OVER_BUDGET,        /* improved: needs more variable MTRRs
	                                 than hvmloader (it places more BARs)
	                               */
	P2MK_FIND_UC_OVER_RESERVED,   /* improved: a UC run stretched over a
	                                 reserved region to stay within the
	                                 budget */
	P2MK_FIND_COUNT
};

/** struct p2mk_layout_finding - @dev is -1 when no device is involved. */
struct p2mk_layout_finding {
	enum p2mk_layout_finding_kind kind;
	int16_t dev;
	int8_t bar; /* BAR index, -1 when none */
	p2mk_gpa_t addr;
	uint64_t size;
};

/**
 * struct p2mk_layout_output - everything a planner decided.
 * @low_ram_end/@high_ram_end: first frame past low RAM and past RAM above
 * 4 GiB (high_ram_end 0: no high RAM).
 * @low_mmio: the advertised low window [pci_mem_start, 0xFC000000) for
 * hvmloader; @high_mmio: the 64-bit window (absent if unused).
 * @mtrr_writes: one vCPU's sequence (hvmloader: cacheattr_init).
 * @def_type/@intent: the types the planner means every page to have; the
 * MTRR writes realise them exactly unless a finding says otherwise.
 * @vcnt_used: variable pairs written.  @mtrr_budget/@wb_left_uc
 * (improved): the pairs it held itself to (enum p2mk_mtrr_budget) and how
 * many WB-wanted BARs it left UC to stay within them.  @error: NULL, or the
 * message the firmware stops with (hvmloader's assertion) or why no plan exists
 * (improved); @error_dev names the device involved, or -1.
 */
struct p2mk_layout_output {
	p2mk_gfn_t low_ram_end;
	p2mk_gfn_t high_ram_end;
	struct p2mk_layout_window low_mmio;
	struct p2mk_layout_window high_mmio;
	const char *error;
	struct p2mk_layout_bar_result bars[P2MK_LAYOUT_MAX_BARS];
	struct p2mk_layout_reloc relocs[P2MK_LAYOUT_MAX_RELOCS];
	struct p2mk_layout_e820 e820[P2MK_LAYOUT_MAX_E820];
	struct p2mk_layout_msr_write writes[P2MK_LAYOUT_MAX_MTRR_WRITES];
	struct p2mk_layout_type_range intent[P2MK_LAYOUT_MAX_INTENT];
	struct p2mk_layout_finding findings[P2MK_LAYOUT_MAX_FINDINGS];
	struct p2mk_layout_dev_result devs[P2MK_LAYOUT_MAX_DEVS];
	unsigned nbars;
	unsigned nrelocs;
	unsigned ne820;
	unsigned nwrites;
	unsigned vcnt_used;
	unsigned mtrr_budget;
	unsigned wb_left_uc;
	unsigned nintent;
	unsigned nfindings;
	enum p2mk_layout_mode mode;
	int16_t error_dev;
	uint8_t def_type;
};

/**
 * p2mk_layout_run() - plan @in with @mode into @out.
 *
 * Returns P2MK_OK when the planner ran to its end, including when the
 * firmware would stop (out->error set: hvmloader's assertion) or no plan
 * exists (improved: out->error names what does not fit).  Returns
 * P2MK_ERR_INVAL, with @out holding only mode and error, when @in is not a
 * valid description: counts above the capacities, a BAR size that is not a
 * power of two (or under 16 bytes for memory, 4 for I/O), a mem64 BAR at
 * index 5, a ROM BAR not at index 6, duplicate devfn or BAR index,
 * MAXPHYADDR outside 32..52, VCNT above 40, RAM under 2 MiB or a reserved
 * region that is empty or ends beyond 2^MAXPHYADDR.
 */
enum p2mk_err p2mk_layout_run(const struct p2mk_layout_input *in,
                              enum p2mk_layout_mode mode,
                              struct p2mk_layout_output *out);

/**
 * p2mk_layout_execute() - carry out @out's RAM relocation on a domain:
 * each relocations[] entry, in order, through p2mk_physmap_relocate() on
 * @pm with @batch (P2MK_RELOC_XEN16 is what Xen does for hvmloader's
 * gmfn_range calls; P2MK_RELOC_WHOLE the improved planner's one batched
 * operation).  What the physmap did (hypercalls, flushes, descriptors,
 * pages) is added to *@c.
 *
 * The source ranges must be the domain's RAM (as libxl's split populated
 * it) and the destinations free or RAM.  All or nothing: when a
 * relocation fails part-way (P2MK_ERR_NOMEM from the allocator,
 * P2MK_ERR_NOENT for a hole in the source, ...) the pages already moved
 * are moved back, newest first, and the error is returned: every gfn
 * maps the frame and type it had, in the p2m and the IOMMU, and no frame
 * changes owner.  *@c then also counts the moves back.  P2MK_ERR_INVAL,
 * nothing done: NULL arguments, @batch out of range or a corrupt @out.
 */
enum p2mk_err p2mk_layout_execute(const struct p2mk_layout_output *out,
                                  struct p2mk_physmap *pm,
                                  enum p2mk_reloc_batch batch,
                                  struct p2mk_physmap_counts *c);

/** p2mk_layout_mode_name() / _parse() - "hvmloader", "improved", "ovmf". */
const char *p2mk_layout_mode_name(enum p2mk_layout_mode m);
bool p2mk_layout_mode_parse(const char *s, enum p2mk_layout_mode *m);

/** p2mk_bar_kind_name() / _parse() - "io", "mem32", "mem64", "rom". */
const char *p2mk_bar_kind_name(enum p2mk_bar_kind k);
bool p2mk_bar_kind_parse(const char *s, enum p2mk_bar_kind *k);

/** p2mk_ovmf_window_name() / _parse() - "quarter", "eighth", "classic". */
const char *p2mk_ovmf_window_name(enum p2mk_ovmf_window w);
bool p2mk_ovmf_window_parse(const char *s, enum p2mk_ovmf_window *w);

/** p2mk_bar_reason_name() - a short stable phrase ("low window", ...). */
const char *p2mk_bar_reason_name(enum p2mk_bar_reason r);

/** p2mk_layout_finding_id() - a stable kebab-case identifier for JSON. */
const char *p2mk_layout_finding_id(enum p2mk_layout_finding_kind k);

/** p2mk_layout_finding_text() - one sentence explaining the finding. */
const char *p2mk_layout_finding_text(enum p2mk_layout_finding_kind k);

/** p2mk_e820_type_name() - "ram" or "reserved". */
const char *p2mk_e820_type_name(enum p2mk_e820_type t);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_LAYOUT_H */
