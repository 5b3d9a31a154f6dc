/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pt_fmt: the per-format contract of the page-table engine.
 *
 * A format is data (struct p2mk_pt_fmt: levels, widths, the levels that
 * may hold leaves, the masks that tell present and table entries apart)
 * plus four encode/decode hooks (struct p2mk_pt_fmt_ops).  The engine
 * (pt.h) never reads a descriptor bit except through these, in the way of
 * Hafnium's arch hooks and Linux generic_pt's per-format headers
 * (landscape-and-users.md §4.1, §4.2).  A new format needs only this
 * header.
 *
 * Geometry is fixed: 4 KiB granules and 512-entry tables (P2MK_PT_TABLE_LG2)
 * for every format, so level L maps items of 2^(12 + 9L) bytes.
 */
#ifndef P2MKIT_PT_FMT_H
#define P2MKIT_PT_FMT_H

#include <p2mkit/base.h>

#ifdef __cplusplus
extern "C" {
#endif

#define P2MK_PT_MAX_LEVELS     6  /* AMD-Vi v1 has up to 6 */
#define P2MK_PT_MAX_ROOT_PAGES 16 /* most pages any format concatenates */
#define P2MK_PT_TABLE_LG2      9  /* 512 entries per 4 KiB table */
#define P2MK_PT_ENTRIES        512u

/* max_order value meaning "no cap beyond what the format allows". */
#define P2MK_PT_ORDER_ANY 255u

/* ---- attributes ------------------------------------------------------ */

/* Access permissions (struct p2mk_pt_attrs.perm). */
#define P2MK_PT_R 0x1u
#define P2MK_PT_W 0x2u
#define P2MK_PT_X 0x4u

/*
 * Flags (struct p2mk_pt_attrs.flags).  Each format accepts a subset; a
 * flag outside it is P2MK_ERR_INVAL.  See docs/pt.md for the bit each one
 * lands in.
 */
#define P2MK_PT_IPAT   0x0001u /* EPT bit 6: ignore guest PAT */
#define P2MK_PT_A      0x0002u /* accessed: EPT 8, x86 5, Arm AF 10, AMD-Vi 5 */
#define P2MK_PT_D      0x0004u /* dirty: EPT 9, x86 6, AMD-Vi 6 */
#define P2MK_PT_SNP    0x0008u /* VT-d snoop bit 11 (also EPT 11, for sharing) */
#define P2MK_PT_SVE    0x0010u /* EPT bit 63: suppress #VE */
#define P2MK_PT_FC     0x0020u /* AMD-Vi bit 60: force coherent */
#define P2MK_PT_RECALC 0x0040u /* software: "recalculate me" mark */

/**
 * struct p2mk_pt_attrs - format-neutral leaf attributes.
 * @perm: P2MK_PT_R/W/X; never 0 (an entry without access is unmapped).
 * @mt: the format's memory-type field: EPT EMT (0..7, bits 5:3); x86 NPT
 *      the host PAT index 0..7 = 4*PAT + 2*PCD + PWT (x86 §6.2); Arm
 *      stage-2 MemAttr[3:0] (bits 5:2); 0 for VT-d and AMD-Vi.
 * @sh: Arm stage-2 SH[1:0] (bits 9:8); 0 elsewhere.
 * @sw: the format's software field for the layers above (p2m type), of
 *      p2mk_pt_fmt.sw_bits bits, stored in bits the hardware ignores.
 * @flags: P2MK_PT_IPAT, ... above.
 */
struct p2mk_pt_attrs {
	uint8_t perm;
	uint8_t mt;
	uint8_t sh;
	uint8_t sw;
	uint16_t flags;
};

/* ---- formats --------------------------------------------------------- */

enum p2mk_pt_kind {
	P2MK_PT_EPT,    /* Intel EPT, SDM vol. 3C §29.3.2 */
	P2MK_PT_X86_64, /* x86-64 long mode as AMD NPT uses it, APM vol. 2 §5.3,
	                   §15.25 */
	P2MK_PT_ARM_S2, /* Arm VMSAv8-64 stage 2, 4 KiB granule, DDI 0487 D8.3
	                 */
	P2MK_PT_VTD_SL, /* Intel VT-d second-stage, VT-d spec §9.8 */
	P2MK_PT_AMDV1,  /* AMD-Vi v1 host page table, AMD IOMMU spec §2.2.3 */
};

struct p2mk_pt_fmt;

/**
 * struct p2mk_pt_fmt_ops - the per-format encode/decode hooks.  The engine
 * never looks at a descriptor bit except through these and the data masks
 * of struct p2mk_pt_fmt.
 * @check: P2MK_OK if @a can be encoded as a leaf of this format.
 * @leaf: the leaf encoding of @a at @level, without the output address
 *        (the engine ORs in mfn << 12, which is where every supported
 *        format keeps it).
 * @decode: the attributes of leaf @e at @level (inverse of @leaf for every
 *          @a that @check accepts).
 * @table: a table entry at @level pointing to the table at @pa.
 */
struct p2mk_pt_fmt_ops {
	enum p2mk_err (*check)(const struct p2mk_pt_fmt *f,
	                       const struct p2mk_pt_attrs *a);
	uint64_t (*leaf)(const struct p2mk_pt_fmt *f,
	                 const struct p2mk_pt_attrs *a, unsigned level);
	void (*decode)(const struct p2mk_pt_fmt *f, uint64_t e, unsigned level,
	               struct p2mk_pt_attrs *a);
	uint64_t (*table)(const struct p2mk_pt_fmt *f, uint64_t pa,
	                  unsigned level);
};

/**
 * struct p2mk_pt_fmt - one format instance, as data.
 * @name: short name ("ept4", "npt", "arm-s2-l3", ...).
 * @levels: levels walked (the root is level @levels - 1).
 * @ias: input (guest-physical / IOVA) address width in bits.
 * @oas: output (host-physical) address width in bits; an mfn must be
 *       below 2^(@oas - 12).
 * @oa_hi: highest address bit an entry can hold (51, or 47 for Arm).
 * @sw_bits: width of p2mk_pt_attrs.sw.
 * @hw_leaf_levels: bit L set if the architecture allows a leaf at level L.
 * @leaf_levels: bit L set if this instance uses leaves at level L (a
 *       subset of @hw_leaf_levels containing bit 0 and without holes, e.g.
 *       0x3 for hardware without 1 GiB pages).
 * @present_mask: an entry is present iff (e & present_mask) != 0.
 * @table_mask, @table_match: a present entry at level L > 0 is a table
 *       entry iff (e & table_mask) == table_match[L].
 * @bbm_mask: bits whose change in a present entry needs break-before-make
 *       (Arm ARM D8.16.1); 0 for formats that may be rewritten in place.
 * @flags_ok: the P2MK_PT_* flags the format accepts.
 * @root_concat_lg2: log2 of the most root pages the architecture lets the
 *       walker concatenate (Arm stage 2: 4, i.e. up to 16 pages, DDI 0487
 *       D8.2 "Concatenated translation tables"; 0 elsewhere).
 * @options: format-specific encoding choices (P2MK_PT_OPT_*), 0 by default.
 * @options_ok: the P2MK_PT_OPT_* bits this format understands.
 * @ops: the hooks.
 */
struct p2mk_pt_fmt {
	const char *name;
	enum p2mk_pt_kind kind;
	uint8_t levels;
	uint8_t ias;
	uint8_t oas;
	uint8_t oa_hi;
	uint8_t sw_bits;
	uint16_t hw_leaf_levels;
	uint16_t leaf_levels;
	uint16_t flags_ok;
	uint8_t root_concat_lg2;
	uint64_t present_mask;
	uint64_t table_mask;
	uint64_t table_match[P2MK_PT_MAX_LEVELS];
	uint64_t bbm_mask;
	uint32_t options;
	uint32_t options_ok;
	const struct p2mk_pt_fmt_ops *ops;
};

/*
 * AMD-Vi v1: write 2 MiB and 1 GiB leaves in the "page size" form, Next
 * Level = 7 with the size as trailing ones in address bits 12 and up
 * (AMD IOMMU spec §2.2.3), instead of Next Level = 0.  Both forms decode.
 */
#define P2MK_PT_OPT_AMDV1_PAGE_SIZE 0x1u

/* The built-in descriptors (src/pt/fmt.c). */
extern const struct p2mk_pt_fmt p2mk_pt_fmt_ept4; /* 4-level EPT, 48-bit */
extern const struct p2mk_pt_fmt p2mk_pt_fmt_ept5; /* 5-level EPT, 57-bit */
extern const struct p2mk_pt_fmt p2mk_pt_fmt_npt;  /* 4-level NPT, 48-bit */
extern const struct p2mk_pt_fmt p2mk_pt_fmt_npt5; /* 5-level NPT, 57-bit */
extern const struct p2mk_pt_fmt
    p2mk_pt_fmt_arm_s2_l3; /* 3 levels, 40-bit IPA, 2 concatenated roots */
extern const struct p2mk_pt_fmt
    p2mk_pt_fmt_arm_s2_l4; /* 4 levels, 48-bit IPA */
extern const struct p2mk_pt_fmt
    p2mk_pt_fmt_vtd_sl3; /* VT-d second-stage, 39-bit */
extern const struct p2mk_pt_fmt
    p2mk_pt_fmt_vtd_sl4; /* VT-d second-stage, 48-bit */
extern const struct p2mk_pt_fmt
    p2mk_pt_fmt_vtd_sl5; /* VT-d second-stage, 57-bit */
extern const struct p2mk_pt_fmt
    p2mk_pt_fmt_amdv1_l3; /* AMD-Vi v1 mode 3, 39-bit */
extern const struct p2mk_pt_fmt
    p2mk_pt_fmt_amdv1_l4; /* AMD-Vi v1 mode 4, 48-bit */
/* AMD-Vi v1 mode 4 writing 2 MiB / 1 GiB leaves as Next Level 7 */
extern const struct p2mk_pt_fmt p2mk_pt_fmt_amdv1_l4_ps;

/**
 * p2mk_pt_fmt_derive() - a copy of @base with a different input width,
 * output width or leaf-size set (0 keeps the base value for each).
 * Use it to describe a hardware instance: e.g. leaf_levels = 0x3 for a CPU
 * without 1 GiB EPT pages (EPT_VPID_CAP[17] = 0), oas = MAXPHYADDR, or an
 * Arm IPA size between 31 and 44 bits for 3 levels (the root is then 1 to
 * 16 concatenated tables, DDI 0487 D8.2.x "Concatenated translation
 * tables").  Returns P2MK_OK, or P2MK_ERR_INVAL if the result would not be
 * a valid instance (see p2mk_pt_fmt_check()).
 */
enum p2mk_err p2mk_pt_fmt_derive(struct p2mk_pt_fmt *out,
                                 const struct p2mk_pt_fmt *base, unsigned ias,
                                 unsigned oas, unsigned leaf_levels);

/**
 * p2mk_pt_fmt_check() - P2MK_OK if @f is self-consistent: 1..6 levels,
 * @ias within what @levels (and up to 2^@root_concat_lg2 concatenated root
 * pages) can translate, only @options_ok options, @oas <= @oa_hi + 1,
 * @leaf_levels a hole-free subset of @hw_leaf_levels containing level 0.
 */
enum p2mk_err p2mk_pt_fmt_check(const struct p2mk_pt_fmt *f);

/** p2mk_pt_fmt_root_pages() - pages in the root table of @f (1..16). */
unsigned p2mk_pt_fmt_root_pages(const struct p2mk_pt_fmt *f);

/**
 * p2mk_pt_level_lg2sz() - log2 of the bytes one entry at @level maps.  Every
 * format has 4 KiB granules and 512-entry tables (P2MK_PT_TABLE_LG2), so
 * this is the same for all of them; @f is kept for the call sites.
 */
static inline unsigned p2mk_pt_level_lg2sz(const struct p2mk_pt_fmt *f,
                                           unsigned level)
{
	(void)f;
	return P2MK_PAGE_SHIFT + P2MK_PT_TABLE_LG2 * level;
}

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_PT_FMT_H */
