// SPDX-License-Identifier: BSD-2-Clause
/*
 * layout: input defaults and the stable names the CLI, JSON and the
 * scenario reader use for the layout enums.
 */
#include <p2mkit/layout.h>

void p2mk_layout_input_init(struct p2mk_layout_input *in)
{
	*in = (struct p2mk_layout_input){
	    .vcpus = 1,
	    .maxphyaddr = 39,
	    .vcnt = 8,
	    .fw =
	        {
	            .planner = P2MK_LAYOUT_HVMLOADER,
	            /* hvmloader's default when xenstore says nothing */
	            .allow_memory_relocate = true,
	            /* xl.cfg default since 22650d6054 (xen §13.3) */
	            .xen_platform_pci_bar_uc = true,
	            .ovmf_window = P2MK_OVMF_QUARTER,
	        },
	};
}

/* Exact string equality without libc (the core is freestanding). */
static bool name_eq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Finds @s in @names[0..n) and returns its index, or -1. */
static int name_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++) {
		if (name_eq(names[i], s))
			return i;
	}
	return -1;
}

static const char *const mode_names[] = {"hvmloader", "improved", "ovmf"};
static const char *const kind_names[] = {"io", "mem32", "mem64", "rom"};
static const char *const window_names[] = {"quarter", "eighth", "classic"};

#define NNAMES(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *p2mk_layout_mode_name(enum p2mk_layout_mode m)
{
	return (unsigned)m < (unsigned)NNAMES(mode_names) ? mode_names[m] : "?";
}

bool p2mk_layout_mode_parse(const char *s, enum p2mk_layout_mode *m)
{
	int i = name_index(mode_names, NNAMES(mode_names), s);
	if (i < 0)
		return false;
	*m = (enum p2mk_layout_mode)i;
	return true;
}

const char *p2mk_bar_kind_name(enum p2mk_bar_kind k)
{
	return (unsigned)k < (unsigned)NNAMES(kind_names) ? kind_names[k] : "?";
}

bool p2mk_bar_kind_parse(const char *s, enum p2mk_bar_kind *k)
{
	int i = name_index(kind_names, NNAMES(kind_names), s);
	if (i < 0)
		return false;
	*k = (enum p2mk_bar_kind)i;
	return true;
}

const char *p2mk_ovmf_window_name(enum p2mk_ovmf_window w)
{
	return (unsigned)w < (unsigned)NNAMES(window_names) ? window_names[w]
	                                                    : "?";
}

bool p2mk_ovmf_window_parse(const char *s, enum p2mk_ovmf_window *w)
{
	int i = name_index(window_names, NNAMES(window_names), s);
	if (i < 0)
		return false;
	*w = (enum p2mk_ovmf_window)i;
	return true;
}

const char *p2mk_bar_reason_name(enum p2mk_bar_reason r)
{
	static const char *const names[] = {
	    [P2MK_BAR_LOW] = "low window",
	    [P2MK_BAR_HIGH] = "64-bit window",
	    [P2MK_BAR_IO_WINDOW] = "I/O window",
	    [P2MK_BAR_XENPCI_TOP] = "xenpci BAR at the top of the low hole",
	    [P2MK_BAR_NO_SPACE] = "no space for resource",
	    [P2MK_BAR_NEVER_FITS] = "32-bit BAR too big for any 32-bit hole",
	    [P2MK_BAR_NOT_REACHED] = "firmware stopped before placing it",
	    [P2MK_BAR_RESERVED_HIT] = "every slot overlaps a reserved region",
	};
	return (unsigned)r < (unsigned)NNAMES(names) ? names[r] : "?";
}

struct finding_name {
	const char *id;
	const char *text;
};

static const struct finding_name findings[P2MK_FIND_COUNT] = {
    [P2MK_FIND_XENPCI_OVER_RESERVED] =
        {"xenpci-bar-over-reserved",
         "the xenpci BAR was put at the top of the low hole without "
         "checking reserved regions and overlaps one (xen §13.3)"},
    [P2MK_FIND_HIGH_BASE_ADVANCED] =
        {"high-base-advanced-by-unfit-bar",
         "a 64-bit BAR too big for the 64-bit window still advanced its "
         "base by the alignment, so later 64-bit BARs fail too"},
    [P2MK_FIND_MTRR_EXHAUSTED] =
        {"variable-mtrrs-exhausted",
         "the greedy UC cover needed more variable MTRRs than VCNT; the "
         "rest of the window stays at the default type WB"},
    [P2MK_FIND_RMRR_PULLS_HOLE] =
        {"rmrr-pulls-hole-start",
         "a reserved region inside the low hole pulled pci_mem_start down "
         "to the end of low RAM"},
    [P2MK_FIND_BAR32_NEVER_PLACED] =
        {"bar32-never-placed",
         "a 32-bit BAR of 2 GiB or more can never fit below 4 GiB and is "
         "never placed (it still inflates mmio_total)"},
    [P2MK_FIND_PIIX4_ASSERT] =
        {"piix4-pm-assertion",
         "a class 0x0680 function other than the PIIX4 PM (8086:7113) hits "
         "hvmloader's assertion and the guest never boots"},
    [P2MK_FIND_RAM_RELOCATED] =
        {"ram-relocated", "low RAM overlapping the hole was moved above 4 GiB"},
    [P2MK_FIND_HOLE_GROWN] = {"hole-grown",
                              "the low MMIO hole was grown by shifting its "
                              "start left (0xF0000000 -> 0x80000000 at most)"},
    [P2MK_FIND_MMIO_HOLE_IGNORED] =
        {"mmio-hole-size-ignored",
         "mmio_hole_size leaves more than 0xF0000000 of RAM below 4 GiB and "
         "is ignored"},
    [P2MK_FIND_RMRR_LOWERS_RAM] =
        {"rmrr-lowers-low-ram",
         "libxl lowered the end of low RAM below a reserved region above "
         "2 GiB; the difference moved above 4 GiB"},
    [P2MK_FIND_BAR_NO_SPACE] = {"bar-not-placed", "a BAR could not be placed"},
    [P2MK_FIND_BAR_UC_MTRR] =
        {"bar-under-uc-mtrr",
         "a prefetchable or xenpci BAR lies under a firmware UC MTRR the "
         "guest OS cannot override (landscape §5 items 5, 6)"},
    [P2MK_FIND_OVMF_APERTURE_FULL] =
        {"mmio64-aperture-full",
         "the 64-bit PCI aperture is too small for the 64-bit BARs "
         "(landscape §5 item 9)"},
    [P2MK_FIND_XENPCI_FALLBACK] =
        {"xenpci-fallback",
         "the xenpci BAR could not go to the top of the hole (64-bit or "
         "too big) and was allocated like any other BAR"},
    [P2MK_FIND_WB_LEFT_UC] =
        {"wb-bar-left-uc",
         "a BAR the per-BAR policy wants WB (prefetchable or xenpci) was "
         "left UC: keeping it WB needs more variable MTRRs than the budget "
         "(mtrr_budget: what hvmloader uses on the same input)"},
    [P2MK_FIND_OVER_BUDGET] =
        {"mtrr-over-budget",
         "improved needs more variable MTRRs than hvmloader on this input: "
         "it places BARs hvmloader leaves out, and leaving BARs UC does "
         "not bring the count down to the budget"},
    [P2MK_FIND_UC_OVER_RESERVED] =
        {"uc-over-reserved",
         "a UC run was stretched over a reserved region in the low hole to "
         "stay within the MTRR budget (hvmloader's cover makes the whole "
         "hole UC, reserved regions included)"},
};

const char *p2mk_layout_finding_id(enum p2mk_layout_finding_kind k)
{
	return (unsigned)k < P2MK_FIND_COUNT ? findings[k].id : "?";
}

const char *p2mk_layout_finding_text(enum p2mk_layout_finding_kind k)
{
	return (unsigned)k < P2MK_FIND_COUNT ? findings[k].text : "?";
}

const char *p2mk_e820_type_name(enum p2mk_e820_type t)
{
	return t == P2MK_E820_RAM ? "ram" : "reserved";
}
