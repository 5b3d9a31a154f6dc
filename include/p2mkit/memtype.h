/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * memtype: the memory-type algebra.  Pure functions, no state.
 *
 * x86 part (spec: shared/spec/x86-memory-types.md, cited below as "x86 §N"):
 * type encodings, PAT MSR decode and validation, the PAT index, Intel's
 * PAT x MTRR combination, EPT EMT/IPAT x guest PAT, and AMD's combinations
 * (PAT x MTRR and NPT guest PAT x host PAT) kept as replaceable data tables
 * whose UNVERIFIED cells are flagged.
 *
 * ARM64 part: see the section "ARM64" further down.
 */
#ifndef P2MKIT_MEMTYPE_H
#define P2MKIT_MEMTYPE_H

#include <p2mkit/base.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * x86 memory types.  Values 0..7 are the architectural encodings shared by
 * MTRRs, PAT entries and EPT EMT (x86 §2).  CD and WC+ are AMD *result*
 * types with no encoding of their own (x86 §10.2); they are given values
 * outside the 3-bit space so they can never be written into hardware.
 */
enum p2mk_mt {
	P2MK_MT_UC = 0,
	P2MK_MT_WC = 1,
	P2MK_MT_RSVD2 = 2,
	P2MK_MT_RSVD3 = 3,
	P2MK_MT_WT = 4,
	P2MK_MT_WP = 5,
	P2MK_MT_WB = 6,
	P2MK_MT_UCM = 7,   /* "UC-": PAT only; an EPT misconfiguration as EMT */
	P2MK_MT_CD = 0x10, /* AMD: uncacheable, snooped */
	P2MK_MT_WCPLUS = 0x11, /* AMD: write-combining that snoops caches */
	P2MK_MT_INVALID = 0xff,
};

/** p2mk_mt_name() - canonical token ("UC", "UC-", "WC+", "CD", ...). */
const char *p2mk_mt_name(unsigned mt);

/**
 * p2mk_mt_parse() - parse a type token or a numeric encoding.
 * Accepts "UC UC- WC WT WP WB" (any case), "CD", "WC+", and decimal or 0x
 * numbers 0..255.  Returns false, leaving *@mt untouched, for anything else.
 * Numbers are returned as given: validity is for the caller to check.
 */
bool p2mk_mt_parse(const char *s, unsigned *mt);

/** p2mk_mt_valid_mtrr() - true for the MTRR types {UC, WC, WT, WP, WB}. */
bool p2mk_mt_valid_mtrr(uint64_t mt);

/** p2mk_mt_valid_pat() - true for the PAT types {UC, WC, WT, WP, WB, UC-}. */
bool p2mk_mt_valid_pat(uint64_t mt);

/**
 * enum p2mk_cache_class - what a type means to software, for summaries.
 */
enum p2mk_cache_class {
	P2MK_CACHED,         /* WB, WT, WP: reads hit the cache */
	P2MK_WRITE_COMBINED, /* WC, WC+: uncached reads, combined writes */
	P2MK_UNCACHED,       /* UC, UC-, CD */
	P2MK_NO_ACCESS,      /* invalid or misconfigured */
};

/** p2mk_mt_class() - the cache class of a (result) type. */
enum p2mk_cache_class p2mk_mt_class(unsigned mt);

/** p2mk_cache_class_name() - "cached", "write-combined", "uncached", ... */
const char *p2mk_cache_class_name(enum p2mk_cache_class c);

/*
 * The result of a combination.  @rule names the spec section and manual
 * table that decided it; it is a string literal and never NULL.
 */
enum p2mk_mt_status {
	P2MK_MT_OK = 0,
	P2MK_MT_BAD_INPUT,     /* an input is not a valid type for its role */
	P2MK_MT_EPT_MISCONFIG, /* EMT 2, 3 or 7 in a present leaf (x86 §8.3) */
};

struct p2mk_mt_result {
	uint8_t type;    /* enum p2mk_mt */
	uint8_t status;  /* enum p2mk_mt_status */
	bool must_snoop; /* SDM footnote 2: UC that came from the page tables */
	bool verified;   /* false if an UNVERIFIED table cell was used */
	const char *rule;
};

/* ---- PAT (x86 §6) ---------------------------------------------------- */

#define P2MK_MSR_PAT 0x277u
/* Power-up value: WB, WT, UC-, UC, WB, WT, UC-, UC (x86 §6.1). */
#define P2MK_PAT_RESET UINT64_C(0x0007040600070406)

/** p2mk_pat_entry() - type held in PA@index (0..7) of a PAT MSR value. */
static inline unsigned p2mk_pat_entry(uint64_t pat, unsigned index)
{
	return (unsigned)(pat >> (8u * (index & 7u))) & 0xffu;
}

/**
 * p2mk_pat_index() - PAT index selected by a paging entry: 4*PAT + 2*PCD + PWT
 * (x86 §6.2).  The caller picks the PAT bit (bit 7 of a 4 KiB PTE, bit 12 of
 * a large-page entry).
 */
static inline unsigned p2mk_pat_index(bool pat, bool pcd, bool pwt)
{
	return (pat ? 4u : 0u) | (pcd ? 2u : 0u) | (pwt ? 1u : 0u);
}

/**
 * p2mk_pat_first_invalid() - index of the first PAT field whose full 8-bit
 * value is not in {0,1,4,5,6,7}, or -1 if the value is a legal IA32_PAT
 * (a WRMSR would not #GP; x86 §6.1).
 */
int p2mk_pat_first_invalid(uint64_t pat);

/* ---- Intel PAT x MTRR (x86 §7) --------------------------------------- */

/**
 * p2mk_intel_pat_mtrr() - effective type of an access whose range-register
 * (MTRR, or EPT EMT) type is @mtrr and whose PAT type is @pat, CR0.CD = 0,
 * per SDM vol. 3 Table 11-7 (Table 13-7 in 2023+ editions).
 *
 * Returns status P2MK_MT_BAD_INPUT if @mtrr is not an MTRR type or @pat not
 * a PAT type.  must_snoop is set for footnote-2 cells (UC imposed by the
 * page tables over a cacheable range).
 */
struct p2mk_mt_result p2mk_intel_pat_mtrr(unsigned mtrr, unsigned pat);

/* ---- Intel EPT (x86 §8) ---------------------------------------------- */

/** p2mk_ept_emt_valid() - false for EMT 2, 3 and 7 (misconfiguration). */
bool p2mk_ept_emt_valid(unsigned emt);

/**
 * p2mk_ept_effective() - type of a guest-physical access through a present
 * EPT leaf with @emt / @ipat, guest PAT type @guest_pat, guest CR0.CD @cd
 * (x86 §8.2).  EMT 2, 3 or 7 gives status P2MK_MT_EPT_MISCONFIG before
 * anything else is considered, because the CPU faults on the walk (x86
 * §8.3).  MTRRs play no part: the hypervisor must fold them into @emt.
 */
struct p2mk_mt_result p2mk_ept_effective(unsigned emt, bool ipat,
                                         unsigned guest_pat, bool cd);

/* ---- AMD (x86 §9, §10) ----------------------------------------------- */

/*
 * One cell of an AMD data table.  @verified is false for cells the spec
 * marks UNVERIFIED; the value is then the spec's stated belief, or the
 * project's documented best guess (docs/amd-unverified.md).
 */
struct p2mk_mt_cell {
	uint8_t type;
	bool verified;
};

/* Column/row order of the AMD tables: UC, UC-, WC, WT, WP, WB. */
enum { P2MK_AMD_NTYPES = 6 };

/** p2mk_amd_slot() - row/column of a PAT type in the AMD tables, or -1. */
int p2mk_amd_slot(unsigned mt);

/*
 * The tables themselves, exported read-only so tests and docs can walk them
 * cell by cell.  Correcting a cell is a data change in src/memtype/amd.c.
 */
extern const struct p2mk_mt_cell p2mk_amd_pat_mtrr_table[P2MK_AMD_NTYPES - 1]
                                                        [P2MK_AMD_NTYPES];
extern const struct p2mk_mt_cell p2mk_amd_npt_table[P2MK_AMD_NTYPES]
                                                   [P2MK_AMD_NTYPES];

/**
 * p2mk_amd_pat_mtrr() - AMD "Combining PAT and MTRR Types" (APM vol. 2
 * §7.8; x86 §10.2).  @pat may also be one of the nested-paging result types
 * CD or WC+ (x86 §9.1: the NPT result is combined with the host MTRR).
 */
struct p2mk_mt_result p2mk_amd_pat_mtrr(unsigned mtrr, unsigned pat);

/**
 * p2mk_npt_guest_host() - AMD "Combining Guest and Host PAT Types" (APM
 * vol. 2 §15.25.8; x86 §9.2): the type from the guest PAT (@gpat) and the
 * type the nested PTE selects in the host PAT (@hpat).
 */
struct p2mk_mt_result p2mk_npt_guest_host(unsigned gpat, unsigned hpat);

/**
 * p2mk_npt_effective() - the three-way NPT result
 * f_MTRR(@host_mtrr, f_NPT(@gpat, @hpat)) (x86 §9.1).  verified is false if
 * either step used an UNVERIFIED cell.
 */
struct p2mk_mt_result p2mk_npt_effective(unsigned gpat, unsigned hpat,
                                         unsigned host_mtrr);

/* ==== ARM64 ============================================================ */
/*
 * ARM64 part (spec: shared/spec/arm64-memory-attributes.md, cited below as
 * "arm64 §N"): MAIR_ELx attribute decode (stage 1), stage-2 MemAttr decode
 * with HCR_EL2.FWB = 0 and = 1, the combination of both stages (type,
 * cacheability, hints, shareability), HCR_EL2.CD/ID/DC, stage 1 disabled,
 * MTE tag survival, and hazard flags saying what software may and may not
 * do on the result.  Encodings the architecture calls UNPREDICTABLE or
 * reserved are reported in the status, never mapped to something.
 *
 * Orderings: enum values are chosen so that the numerically smaller value
 * is the *stronger* (less permissive) one, so "the stronger of two" is a
 * minimum (arm64 §5.1).
 */

/** Device subtypes; the value is the architectural dd field (arm64 §2.1). */
enum p2mk_a64_dev {
	P2MK_A64_nGnRnE = 0,
	P2MK_A64_nGnRE = 1,
	P2MK_A64_nGRE = 2,
	P2MK_A64_GRE = 3,
};

/** Cacheability of one level (inner or outer): NC < WT < WB by value. */
enum p2mk_a64_cache {
	P2MK_A64_NC = 0,
	P2MK_A64_WT = 1,
	P2MK_A64_WB = 2,
};

/** What a decoded attribute is; NONE when the status is not OK. */
enum p2mk_a64_kind {
	P2MK_A64_NONE = 0,
	P2MK_A64_DEVICE = 1,
	P2MK_A64_NORMAL = 2,
};

/** Why an encoding or a result has no architectural meaning. */
enum p2mk_a64_status {
	P2MK_A64_OK = 0,
	P2MK_A64_UNPREDICTABLE, /* the Arm ARM calls it UNPREDICTABLE */
	P2MK_A64_RESERVED,      /* a reserved encoding (or a set RES0 bit) */
	P2MK_A64_BAD_INPUT,     /* not an encoding at all (e.g. MemAttr > 15) */
};

/** Shareability; the value is the architectural SH[1:0] field (arm64 §6.1). */
enum p2mk_a64_sh {
	P2MK_A64_NSH = 0,
	P2MK_A64_SH_RSVD = 1,
	P2MK_A64_OSH = 2,
	P2MK_A64_ISH = 3,
};

/* Optional architecture features that change what an encoding means. */
#define P2MK_A64_FEAT_XS       (1u << 0) /* MAIR dd01, 0x40, 0xA0 (arm64 §2) */
#define P2MK_A64_FEAT_MTE2     (1u << 1) /* MAIR 0xF0 Tagged (arm64 §2.3) */
#define P2MK_A64_FEAT_MTE_PERM (1u << 2) /* S2 NoTagAccess (arm64 §3, §4) */

/* HCR_EL2 bits that take part (arm64 §3, §4, §6.2). */
#define P2MK_HCR_EL2_DC  P2MK_BIT(12)
#define P2MK_HCR_EL2_CD  P2MK_BIT(32)
#define P2MK_HCR_EL2_ID  P2MK_BIT(33)
#define P2MK_HCR_EL2_FWB P2MK_BIT(46)
#define P2MK_HCR_EL2_DCT P2MK_BIT(57)

/*
 * Stage-2 MemAttr values Linux KVM uses (arm64 §3, §4), for policy layers.
 * In a stage-2 descriptor MemAttr is bits 5:2 and SH is bits 9:8.
 */
#define P2MK_A64_S2_DEVICE_nGnRE     0x1u
#define P2MK_A64_S2_NORMAL_NC        0x5u
#define P2MK_A64_S2_NORMAL           0xfu
#define P2MK_A64_S2_FWB_DEVICE_nGnRE 0x1u
#define P2MK_A64_S2_FWB_NORMAL_NC    0x5u
#define P2MK_A64_S2_FWB_NORMAL       0x6u
#define P2MK_A64_S2_FWB_AS_S1        0x7u

/** One cacheability level; the hints only mean something for WT and WB. */
struct p2mk_a64_level {
	uint8_t cache;  /* enum p2mk_a64_cache */
	bool ra;        /* read-allocate hint (nibble bit 1) */
	bool wa;        /* write-allocate hint (nibble bit 0) */
	bool transient; /* transient hint (nibble 00RW / 01RW) */
};

/**
 * struct p2mk_a64_attr - a decoded memory attribute (stage 1, stage 2 with
 * FWB = 0, or a combined result).
 * @kind: enum p2mk_a64_kind; NONE when @status is not OK because an
 * encoding was unusable (a combined result whose only fault is a reserved
 * SH field keeps its type and has status RESERVED).
 * @dev: enum p2mk_a64_dev, if DEVICE.
 * @inner, @outer: cacheability and hints, if NORMAL.
 * @tagged: MTE Tagged (MAIR 0xF0) that survives.
 * @notagaccess: FEAT_MTE_PERM NoTagAccess (stage 2 only).
 * @xs0: FEAT_XS attribute XS = 0 (dd01, 0x40, 0xA0).
 * @status: enum p2mk_a64_status.
 * @verified: false if an UNVERIFIED spec fact decided it.
 * @rule: the spec section and rule that decided it; a literal, never NULL.
 */
struct p2mk_a64_attr {
	uint8_t kind;
	uint8_t dev;
	struct p2mk_a64_level inner;
	struct p2mk_a64_level outer;
	bool tagged;
	bool notagaccess;
	bool xs0;
	uint8_t status;
	bool verified;
	const char *rule;
};

/**
 * p2mk_a64_mair_decode() - decode a MAIR_ELx attribute byte (arm64 §2).
 * @features: P2MK_A64_FEAT_* present; FEAT_XS gives dd01, 0x40 and 0xA0 a
 * meaning, FEAT_MTE2 gives 0xF0 one; without them they are UNPREDICTABLE.
 * Every one of the 256 bytes yields either a Device or Normal attribute
 * with status OK, or kind NONE with status UNPREDICTABLE.
 */
struct p2mk_a64_attr p2mk_a64_mair_decode(uint8_t attr, unsigned features);

/** p2mk_a64_mair_attr() - Attr<@attrindx> (0..7) of a MAIR_ELx value. */
static inline uint8_t p2mk_a64_mair_attr(uint64_t mair, unsigned attrindx)
{
	return (uint8_t)(mair >> (8u * (attrindx & 7u)));
}

/** What a stage-2 MemAttr does to the stage-1 attribute. */
enum p2mk_a64_s2_op {
	P2MK_A64_S2_COMBINE = 0,  /* FWB = 0: an attribute combined per §5 */
	P2MK_A64_S2_FWB_DEVICE,   /* FWB 0dd: Device dd even if S1 is Normal */
	P2MK_A64_S2_FWB_NC,       /* FWB 101: Normal-NC unless S1 is Device */
	P2MK_A64_S2_FWB_FORCE_WB, /* FWB 110: Normal WB whatever S1 says */
	P2MK_A64_S2_FWB_USE_S1,   /* FWB 111: S1 attributes unchanged */
};

/**
 * struct p2mk_a64_s2 - a decoded stage-2 MemAttr.
 * @memattr, @fwb: the input.
 * @op: enum p2mk_a64_s2_op.
 * @attr: the attribute (FWB = 0), or the attribute the FWB operation
 * imposes (Device dd, Normal-NC, Normal WB RWA); unused for USE_S1.
 * @attr.status / @attr.rule carry the decode verdict.
 */
struct p2mk_a64_s2 {
	uint8_t memattr;
	bool fwb;
	uint8_t op;
	struct p2mk_a64_attr attr;
};

/**
 * p2mk_a64_s2_decode() - decode stage-2 MemAttr[3:0] with HCR_EL2.FWB =
 * @fwb (arm64 §3, §4).  FWB = 0: 16 values, inner 00 with outer != 00 is
 * UNPREDICTABLE (0b0100 is NoTagAccess WB with FEAT_MTE_PERM).  FWB = 1:
 * MemAttr[2:0] selects the operation, 0b100 is reserved, and a set bit 3
 * is reserved (RES0) except 0b1110 with FEAT_MTE_PERM.  Values above 15
 * give BAD_INPUT.
 */
struct p2mk_a64_s2 p2mk_a64_s2_decode(unsigned memattr, bool fwb,
                                      unsigned features);

/**
 * struct p2mk_a64_ctl - the controls around one access.
 * @fwb, @cd, @id, @dc, @dct: HCR_EL2 bits (see p2mk_a64_ctl_from_hcr()).
 * @s1_off: SCTLR_EL1.M = 0 (stage 1 disabled).
 * @sctlr_i: SCTLR_EL1.I, used only for instruction fetches with stage 1 off.
 * @ifetch: the access is an instruction fetch (HCR_EL2.ID, not CD, applies).
 * @features: P2MK_A64_FEAT_*.
 */
struct p2mk_a64_ctl {
	bool fwb;
	bool cd;
	bool id;
	bool dc;
	bool dct;
	bool s1_off;
	bool sctlr_i;
	bool ifetch;
	unsigned features;
};

/** p2mk_a64_ctl_from_hcr() - data-access controls from an HCR_EL2 value. */
struct p2mk_a64_ctl p2mk_a64_ctl_from_hcr(uint64_t hcr, unsigned features);

/* Hazard and permission flags on a result (arm64 §7). */
#define P2MK_A64_HZ_UNALIGNED_FAULT (1u << 0) /* any Device */
#define P2MK_A64_HZ_DC_ZVA_FAULT    (1u << 1) /* any Device */
#define P2MK_A64_HZ_MEMCPY_FAULT    (1u << 2) /* generic memcpy/memset fault */
#define P2MK_A64_HZ_ATOMICS_IMPDEF  (1u << 3) /* Device exclusives/atomics */
#define P2MK_A64_HZ_GATHER          (1u << 4) /* Device G, or Normal */
#define P2MK_A64_HZ_REORDER         (1u << 5) /* Device R, or Normal */
#define P2MK_A64_HZ_EARLY_ACK       (1u << 6) /* Device E, or Normal */
#define P2MK_A64_HZ_SPECULATIVE     (1u << 7) /* speculative reads: Normal */
#define P2MK_A64_HZ_WRITE_COMBINE   (1u << 8) /* Normal iNC: writes may merge */
#define P2MK_A64_HZ_COUNT           9

/** p2mk_a64_hazard_name() - stable token for one P2MK_A64_HZ_* bit, or "?". */
const char *p2mk_a64_hazard_name(unsigned bit);

/** p2mk_a64_hazards() - the P2MK_A64_HZ_* flags of an attribute (arm64 §7). */
unsigned p2mk_a64_hazards(const struct p2mk_a64_attr *a);

/**
 * struct p2mk_a64_result - the combination of both stages.
 * @attr: the effective attribute; @attr.status is the worst status of the
 * inputs that mattered, @attr.verified false if an UNVERIFIED choice
 * (p2mk_a64_choices) changed the answer, @attr.rule the deciding rule.
 * @s1: stage 1 as it entered the combination (after DC / M = 0).
 * @s2: stage 2 as decoded.
 * @sh: effective shareability (enum p2mk_a64_sh) after the OSH override.
 * @sh_fields: shareability the SH fields alone give.
 * @sh_forced: the §6.1 override (Device or Normal iNC-oNC) set @sh to OSH.
 * @sh_rule: the rule that decided @sh.
 * @hazards: P2MK_A64_HZ_* flags of @attr (0 if its status is not OK).
 */
struct p2mk_a64_result {
	struct p2mk_a64_attr attr;
	struct p2mk_a64_attr s1;
	struct p2mk_a64_s2 s2;
	uint8_t sh;
	uint8_t sh_fields;
	bool sh_forced;
	const char *sh_rule;
	unsigned hazards;
};

/**
 * p2mk_a64_combine() - effective attributes of an access whose stage-1
 * attribute byte is @s1_mair (already selected from MAIR by AttrIndx) with
 * SH @s1_sh, through a stage-2 descriptor with MemAttr @s2_memattr and SH
 * @s2_sh, under @ctl (arm64 §4, §5, §6).  With FWB = 0 the result is never
 * more permissive than either stage.  An UNPREDICTABLE or reserved
 * attribute input makes the result's status that, with kind NONE (the
 * stage-1 byte is ignored, and so cannot do this, under HCR_EL2.DC or
 * SCTLR_EL1.M = 0).  A reserved SH value (0b01) gives status RESERVED but
 * keeps the type.
 */
struct p2mk_a64_result p2mk_a64_combine(uint8_t s1_mair, unsigned s1_sh,
                                        unsigned s2_memattr, unsigned s2_sh,
                                        const struct p2mk_a64_ctl *ctl);

/**
 * p2mk_a64_combine_attrs() - the same from already-decoded inputs: @s1 from
 * p2mk_a64_mair_decode() (ignored when @ctl says DC or stage 1 off) and @s2
 * from p2mk_a64_s2_decode() with the same FWB setting as @ctl.
 */
struct p2mk_a64_result p2mk_a64_combine_attrs(const struct p2mk_a64_attr *s1,
                                              unsigned s1_sh,
                                              const struct p2mk_a64_s2 *s2,
                                              unsigned s2_sh,
                                              const struct p2mk_a64_ctl *ctl);

/**
 * p2mk_a64_s2_encode() - the stage-2 MemAttr that expresses @want (Device
 * subtype, or Normal with inner/outer cacheability) with HCR_EL2.FWB =
 * @fwb.  With FWB = 1 only Device, Normal iNC-oNC and Normal iWB-oWB are
 * expressible (plus P2MK_A64_S2_FWB_AS_S1, which is not an attribute).
 * Returns false, leaving *@memattr untouched, if @want has no encoding.
 */
bool p2mk_a64_s2_encode(const struct p2mk_a64_attr *want, bool fwb,
                        uint8_t *memattr);

/**
 * p2mk_a64_type_name() - canonical type token of an attribute:
 * "Device-nGnRnE" ... "Device-GRE", "Normal-I<c>-O<c>" with <c> in NC WT
 * WB, or "UNPREDICTABLE" / "RESERVED" / "BAD-INPUT" when status is not OK,
 * or "as-stage-1" for the attribute of an FWB MemAttr 0b111 decode.
 */
const char *p2mk_a64_type_name(const struct p2mk_a64_attr *a);

/** p2mk_a64_sh_name() - "NSH", "OSH", "ISH" or "SH-reserved". */
const char *p2mk_a64_sh_name(unsigned sh);

/** p2mk_a64_status_name() - "ok", "UNPREDICTABLE", "reserved", "bad input". */
const char *p2mk_a64_status_name(unsigned status);

/*
 * UNVERIFIED choices (arm64 §11), kept as data so a correction is a
 * one-line change in src/memtype/arm64.c.  A result that depended on one
 * of them (where the alternatives would give different answers) has
 * verified = false.
 */
enum p2mk_a64_fwb_dev_choice {
	P2MK_A64_FWB_DEV_STRONGER, /* [R]: stronger of S1 and S2 Device */
	P2MK_A64_FWB_DEV_S2_ONLY,  /* QEMU: the S2 subtype alone */
};

struct p2mk_a64_choices {
	uint8_t fwb_dev_vs_s1_dev; /* enum p2mk_a64_fwb_dev_choice */
	bool fwb_cd_applies;       /* HCR_EL2.CD still forces NC with FWB = 1 */
	bool mair_e0_unpredictable; /* 0xE0 stays UNPREDICTABLE */
};

extern const struct p2mk_a64_choices p2mk_a64_choices;

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_MEMTYPE_H */
