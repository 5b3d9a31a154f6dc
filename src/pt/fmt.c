// SPDX-License-Identifier: BSD-2-Clause
/*
 * The five page-table formats as data plus encode/decode hooks.
 *
 * Every format here keeps the output address of a leaf or table entry in
 * bits oa_hi..12 at its natural position, so the walker ORs "mfn << 12"
 * into a per-level template and the hooks only deal with attribute bits.
 * Bit positions are from the manuals cited per format; docs/pt.md lists
 * what each format leaves out.
 */
#include "fmt_ept.h"

#define B  P2MK_BIT
#define GM P2MK_GENMASK

/* Pull a field of @w bits out of @v at @lo (and put one in). */
static inline uint64_t fget(uint64_t v, unsigned lo, unsigned w)
{
	return (v >> lo) & ((UINT64_C(1) << w) - 1);
}

static inline uint64_t fput(uint64_t x, unsigned lo)
{
	return x << lo;
}

/* Checks every format shares: perm present, fields within their widths. */
static enum p2mk_err check_common(const struct p2mk_pt_fmt *f,
                                  const struct p2mk_pt_attrs *a,
                                  unsigned perm_ok, unsigned mt_bits,
                                  unsigned sh_bits)
{
	if (a->perm == 0 || (a->perm & ~perm_ok) != 0)
		return P2MK_ERR_INVAL;
	if ((a->mt >> mt_bits) != 0 || (a->sh >> sh_bits) != 0)
		return P2MK_ERR_INVAL;
	if ((a->sw >> f->sw_bits) != 0)
		return P2MK_ERR_INVAL;
	if ((a->flags & ~f->flags_ok) != 0)
		return P2MK_ERR_INVAL;
	return P2MK_OK;
}

/* ---- Intel EPT (SDM vol. 3C §29.3.2, Tables 29-1..29-6; x86 §8.1) ---- */

static enum p2mk_err ept_check(const struct p2mk_pt_fmt *f,
                               const struct p2mk_pt_attrs *a)
{
	enum p2mk_err err =
	    check_common(f, a, P2MK_PT_R | P2MK_PT_W | P2MK_PT_X, 3, 0);
	if (err)
		return err;
	/*
	 * Write without read (bits 2:0 = 010b or 110b) is an EPT
	 * misconfiguration (x86 §8.3); execute-only (100b) is allowed and
	 * needs EPT_VPID_CAP[0] on the real CPU.  EMT values 2, 3 and 7 are
	 * accepted on purpose: Xen writes 7 to force a misconfig and
	 * recalculate lazily (x86 §8.3, xen §9.1).
	 */
	if ((a->perm & P2MK_PT_W) && !(a->perm & P2MK_PT_R))
		return P2MK_ERR_INVAL;
	return P2MK_OK;
}

static uint64_t ept_leaf(const struct p2mk_pt_fmt *f,
                         const struct p2mk_pt_attrs *a, unsigned level)
{
	(void)f;
	uint64_t e = 0;
	e |= (a->perm & P2MK_PT_R) ? EPT_R : 0;
	e |= (a->perm & P2MK_PT_W) ? EPT_W : 0;
	e |= (a->perm & P2MK_PT_X) ? EPT_X : 0;
	e |= fput(a->mt, EPT_EMT_LO);
	e |= (a->flags & P2MK_PT_IPAT) ? EPT_IPAT : 0;
	e |= level > 0 ? EPT_PS : 0;
	e |= (a->flags & P2MK_PT_A) ? EPT_A : 0;
	e |= (a->flags & P2MK_PT_D) ? EPT_D : 0;
	e |= (a->flags & P2MK_PT_SNP) ? EPT_SNP : 0;
	e |= fput(a->sw, EPT_SW_LO);
	e |= (a->flags & P2MK_PT_RECALC) ? EPT_RECALC : 0;
	e |= (a->flags & P2MK_PT_SVE) ? EPT_SVE : 0;
	return e;
}

static void ept_decode(const struct p2mk_pt_fmt *f, uint64_t e, unsigned level,
                       struct p2mk_pt_attrs *a)
{
	(void)level;
	p2mk_pti_ept_decode(f, e, a);
}

/*
 * Non-leaf EPT entries: R/W/X all set, since access rights are the AND of
 * every level (SDM §29.3.3.2); bits 7:3 must be 0 (x86 §8.1).
 */
static uint64_t ept_table(const struct p2mk_pt_fmt *f, uint64_t pa,
                          unsigned level)
{
	(void)f;
	(void)level;
	return pa | EPT_R | EPT_W | EPT_X;
}

const struct p2mk_pt_fmt_ops p2mk_pti_ept_ops = {ept_check, ept_leaf,
                                                 ept_decode, ept_table};

#define EPT_FLAGS                                                              \
	(P2MK_PT_IPAT | P2MK_PT_A | P2MK_PT_D | P2MK_PT_SNP | P2MK_PT_SVE |    \
	 P2MK_PT_RECALC)

/* One EPT definition; the instances differ only in depth and width. */
#define EPT_FMT(nm, lv, in)                                                    \
	{                                                                      \
		.name = (nm), .kind = P2MK_PT_EPT, .levels = (lv),             \
		.ias = (in), .oas = 52, .oa_hi = 51, .sw_bits = 6,             \
		.hw_leaf_levels = 0x7, .leaf_levels = 0x7,                     \
		.flags_ok = EPT_FLAGS, .present_mask = EPT_R | EPT_W | EPT_X,  \
		.table_mask = EPT_PS, .table_match = {0}, .bbm_mask = 0,       \
		.ops = &p2mk_pti_ept_ops,                                      \
	}

/*
 * 4 KiB, 2 MiB (EPT_VPID_CAP[16]) and 1 GiB (CAP[17]) leaves; no 512 GiB
 * EPT pages even with 5 levels.  x86 §8.1: R/W/X = 000b is not present.
 */
const struct p2mk_pt_fmt p2mk_pt_fmt_ept4 = EPT_FMT("ept4", 4, 48);
const struct p2mk_pt_fmt p2mk_pt_fmt_ept5 = EPT_FMT("ept5", 5, 57);

/* ---- x86-64 long mode as AMD NPT (APM vol. 2 §5.3.3, §5.4, §15.25) --- */

#define X86_P         B(0)
#define X86_RW        B(1)
#define X86_US        B(2)
#define X86_PWT       B(3)
#define X86_PCD       B(4)
#define X86_A         B(5)
#define X86_D         B(6)
#define X86_PS        B(7)  /* levels 1, 2 */
#define X86_PAT_4K    B(7)  /* x86 §6.2: PAT is bit 7 in a 4 KiB PTE ... */
#define X86_PAT_LARGE B(12) /* ... and bit 12 in a 2 MiB / 1 GiB entry */
#define X86_RECALC    B(11) /* AVL bits 11:9 are ignored by hardware */
#define X86_SW_LO     52    /* bits 58:52 are available to software */
#define X86_NX        B(63) /* needs EFER.NXE in the host */

static enum p2mk_err x86_check(const struct p2mk_pt_fmt *f,
                               const struct p2mk_pt_attrs *a)
{
	enum p2mk_err err =
	    check_common(f, a, P2MK_PT_R | P2MK_PT_W | P2MK_PT_X, 3, 0);
	if (err)
		return err;
	/* A present long-mode entry is always readable (APM §5.6). */
	if (!(a->perm & P2MK_PT_R))
		return P2MK_ERR_INVAL;
	return P2MK_OK;
}

static uint64_t x86_leaf(const struct p2mk_pt_fmt *f,
                         const struct p2mk_pt_attrs *a, unsigned level)
{
	(void)f;
	/*
	 * US = 1 everywhere: nested page-table walks and guest accesses are
	 * checked as user accesses (APM §15.25.5), so a supervisor-only NPT
	 * entry would fault every access.
	 */
	uint64_t e = X86_P | X86_US;
	e |= (a->perm & P2MK_PT_W) ? X86_RW : 0;
	e |= (a->perm & P2MK_PT_X) ? 0 : X86_NX;
	/* host PAT index = 4*PAT + 2*PCD + PWT (x86 §6.2) */
	e |= (a->mt & 1) ? X86_PWT : 0;
	e |= (a->mt & 2) ? X86_PCD : 0;
	if (a->mt & 4)
		e |= level > 0 ? X86_PAT_LARGE : X86_PAT_4K;
	e |= level > 0 ? X86_PS : 0;
	e |= (a->flags & P2MK_PT_A) ? X86_A : 0;
	e |= (a->flags & P2MK_PT_D) ? X86_D : 0;
	e |= (a->flags & P2MK_PT_RECALC) ? X86_RECALC : 0;
	e |= fput(a->sw, X86_SW_LO);
	return e;
}

static void x86_decode(const struct p2mk_pt_fmt *f, uint64_t e, unsigned level,
                       struct p2mk_pt_attrs *a)
{
	uint64_t pat = level > 0 ? (e & X86_PAT_LARGE) : (e & X86_PAT_4K);
	a->perm = (uint8_t)(P2MK_PT_R | (e & X86_RW ? P2MK_PT_W : 0) |
	                    (e & X86_NX ? 0 : P2MK_PT_X));
	a->mt = (uint8_t)((pat ? 4 : 0) | (e & X86_PCD ? 2 : 0) |
	                  (e & X86_PWT ? 1 : 0));
	a->sh = 0;
	a->sw = (uint8_t)fget(e, X86_SW_LO, f->sw_bits);
	a->flags = (uint16_t)((e & X86_A ? P2MK_PT_A : 0) |
	                      (e & X86_D ? P2MK_PT_D : 0) |
	                      (e & X86_RECALC ? P2MK_PT_RECALC : 0));
}

/* Upper levels grant everything; the leaf decides (APM §5.6 ANDs levels). */
static uint64_t x86_table(const struct p2mk_pt_fmt *f, uint64_t pa,
                          unsigned level)
{
	(void)f;
	(void)level;
	return pa | X86_P | X86_RW | X86_US;
}

static const struct p2mk_pt_fmt_ops x86_ops = {x86_check, x86_leaf, x86_decode,
                                               x86_table};

#define X86_FLAGS (P2MK_PT_A | P2MK_PT_D | P2MK_PT_RECALC)

#define X86_FMT(nm, lv, in)                                                    \
	{                                                                      \
		.name = (nm), .kind = P2MK_PT_X86_64, .levels = (lv),          \
		.ias = (in), .oas = 52, .oa_hi = 51, .sw_bits = 6,             \
		.hw_leaf_levels = 0x7, .leaf_levels = 0x7,                     \
		.flags_ok = X86_FLAGS, .present_mask = X86_P,                  \
		.table_mask = X86_PS, .table_match = {0}, .bbm_mask = 0,       \
		.ops = &x86_ops,                                               \
	}

/* 1 GiB leaves need CPUID 8000_0001h EDX[26]. */
const struct p2mk_pt_fmt p2mk_pt_fmt_npt = X86_FMT("npt", 4, 48);
const struct p2mk_pt_fmt p2mk_pt_fmt_npt5 = X86_FMT("npt5", 5, 57);

/* ---- Arm stage 2, 4 KiB granule (DDI 0487 D8.3, arm64 §3) ------------- */

#define S2_VALID      B(0)
#define S2_TABLE      B(1) /* with VALID: table (levels > 0) or page (level 0) */
#define S2_MEMATTR_LO 2    /* bits 5:2 */
#define S2_AP_R       B(6) /* S2AP[0]: read */
#define S2_AP_W       B(7) /* S2AP[1]: write */
#define S2_SH_LO      8    /* bits 9:8 */
#define S2_AF         B(10)
#define S2_XN         B(54) /* XN[1]; XN[0] (bit 53, FEAT_XNX) is left 0 */
#define S2_SW_LO      55    /* bits 58:55 reserved for software use */
/*
 * Bit 59 is IGNORED unless FEAT_HPDS2 is implemented and VTCR_EL2.HWU59
 * is set; p2mkit assumes it is not.
 */
#define S2_RECALC B(59)

static enum p2mk_err s2_check(const struct p2mk_pt_fmt *f,
                              const struct p2mk_pt_attrs *a)
{
	enum p2mk_err err =
	    check_common(f, a, P2MK_PT_R | P2MK_PT_W | P2MK_PT_X, 4, 2);
	if (err)
		return err;
	/* MemAttr = Normal with inner field 00 is UNPREDICTABLE (arm64 §3). */
	if ((a->mt & 0xc) != 0 && (a->mt & 0x3) == 0)
		return P2MK_ERR_INVAL;
	/* SH = 01 is reserved (DDI 0487 D8.5.2). */
	if (a->sh == 1)
		return P2MK_ERR_INVAL;
	return P2MK_OK;
}

static uint64_t s2_leaf(const struct p2mk_pt_fmt *f,
                        const struct p2mk_pt_attrs *a, unsigned level)
{
	(void)f;
	/* Page descriptor 0b11 at level 3 (ours 0), block 0b01 above. */
	uint64_t e = level == 0 ? (S2_VALID | S2_TABLE) : S2_VALID;
	e |= fput(a->mt, S2_MEMATTR_LO);
	e |= (a->perm & P2MK_PT_R) ? S2_AP_R : 0;
	e |= (a->perm & P2MK_PT_W) ? S2_AP_W : 0;
	e |= fput(a->sh, S2_SH_LO);
	e |= (a->flags & P2MK_PT_A) ? S2_AF : 0;
	e |= (a->perm & P2MK_PT_X) ? 0 : S2_XN;
	e |= fput(a->sw, S2_SW_LO);
	e |= (a->flags & P2MK_PT_RECALC) ? S2_RECALC : 0;
	return e;
}

static void s2_decode(const struct p2mk_pt_fmt *f, uint64_t e, unsigned level,
                      struct p2mk_pt_attrs *a)
{
	(void)level;
	a->perm = (uint8_t)((e & S2_AP_R ? P2MK_PT_R : 0) |
	                    (e & S2_AP_W ? P2MK_PT_W : 0) |
	                    (e & S2_XN ? 0 : P2MK_PT_X));
	a->mt = (uint8_t)fget(e, S2_MEMATTR_LO, 4);
	a->sh = (uint8_t)fget(e, S2_SH_LO, 2);
	a->sw = (uint8_t)fget(e, S2_SW_LO, f->sw_bits);
	a->flags = (uint16_t)((e & S2_AF ? P2MK_PT_A : 0) |
	                      (e & S2_RECALC ? P2MK_PT_RECALC : 0));
}

/* Stage-2 table descriptors carry no attributes (DDI 0487 D8.3.1). */
static uint64_t s2_table(const struct p2mk_pt_fmt *f, uint64_t pa,
                         unsigned level)
{
	(void)f;
	(void)level;
	return pa | S2_VALID | S2_TABLE;
}

static const struct p2mk_pt_fmt_ops s2_ops = {s2_check, s2_leaf, s2_decode,
                                              s2_table};

/*
 * Changing the output address, memory type, shareability or the
 * block/table/page type of a valid entry needs break-before-make (DDI 0487
 * D8.16.1); permission and AF changes do not.
 */
#define S2_BBM (GM(47, 12) | GM(5, 2) | GM(9, 8) | S2_VALID | S2_TABLE)

#define S2_TBL (S2_VALID | S2_TABLE)

/*
 * Page, 2 MiB and 1 GiB blocks (no level-0 blocks without FEAT_LPA2).  The
 * root may be up to 16 concatenated tables (DDI 0487 D8.2).
 */
#define S2_FMT(nm, lv, in)                                                     \
	{                                                                      \
		.name = (nm), .kind = P2MK_PT_ARM_S2, .levels = (lv),          \
		.ias = (in), .oas = 48, .oa_hi = 47, .sw_bits = 4,             \
		.hw_leaf_levels = 0x7, .leaf_levels = 0x7,                     \
		.flags_ok = P2MK_PT_A | P2MK_PT_RECALC, .root_concat_lg2 = 4,  \
		.present_mask = S2_VALID, .table_mask = S2_TBL,                \
		.table_match = {0, S2_TBL, S2_TBL, S2_TBL, S2_TBL, S2_TBL},    \
		.bbm_mask = S2_BBM, .ops = &s2_ops,                            \
	}

/* 40-bit IPA: start at level 1 with 2 concatenated tables (KVM default). */
const struct p2mk_pt_fmt p2mk_pt_fmt_arm_s2_l3 = S2_FMT("arm-s2-l3", 3, 40);
const struct p2mk_pt_fmt p2mk_pt_fmt_arm_s2_l4 = S2_FMT("arm-s2-l4", 4, 48);

/* ---- Intel VT-d second-stage (VT-d spec §3.7, §9.8) ------------------- */

#define VTD_R      B(0)
#define VTD_W      B(1)
#define VTD_PS     B(7)
#define VTD_A      B(8) /* scalable mode with SSADS only */
#define VTD_D      B(9)
#define VTD_RECALC B(10) /* ignored */
#define VTD_SNP    B(11)
#define VTD_SW_LO  52 /* bits 61:52 ignored; 62 was TM in older revisions */

static enum p2mk_err vtd_check(const struct p2mk_pt_fmt *f,
                               const struct p2mk_pt_attrs *a)
{
	/* Execute (bit 2, ECAP.SLEE) is not modelled: R/W only. */
	return check_common(f, a, P2MK_PT_R | P2MK_PT_W, 0, 0);
}

static uint64_t vtd_leaf(const struct p2mk_pt_fmt *f,
                         const struct p2mk_pt_attrs *a, unsigned level)
{
	(void)f;
	uint64_t e = 0;
	e |= (a->perm & P2MK_PT_R) ? VTD_R : 0;
	e |= (a->perm & P2MK_PT_W) ? VTD_W : 0;
	e |= level > 0 ? VTD_PS : 0;
	e |= (a->flags & P2MK_PT_A) ? VTD_A : 0;
	e |= (a->flags & P2MK_PT_D) ? VTD_D : 0;
	e |= (a->flags & P2MK_PT_RECALC) ? VTD_RECALC : 0;
	e |= (a->flags & P2MK_PT_SNP) ? VTD_SNP : 0;
	e |= fput(a->sw, VTD_SW_LO);
	return e;
}

static void vtd_decode(const struct p2mk_pt_fmt *f, uint64_t e, unsigned level,
                       struct p2mk_pt_attrs *a)
{
	(void)level;
	a->perm = (uint8_t)((e & VTD_R ? P2MK_PT_R : 0) |
	                    (e & VTD_W ? P2MK_PT_W : 0));
	a->mt = 0;
	a->sh = 0;
	a->sw = (uint8_t)fget(e, VTD_SW_LO, f->sw_bits);
	a->flags = (uint16_t)((e & VTD_A ? P2MK_PT_A : 0) |
	                      (e & VTD_D ? P2MK_PT_D : 0) |
	                      (e & VTD_RECALC ? P2MK_PT_RECALC : 0) |
	                      (e & VTD_SNP ? P2MK_PT_SNP : 0));
}

/* Non-leaf R/W both set: permissions are ANDed down the walk (§3.7.1). */
static uint64_t vtd_table(const struct p2mk_pt_fmt *f, uint64_t pa,
                          unsigned level)
{
	(void)f;
	(void)level;
	return pa | VTD_R | VTD_W;
}

static const struct p2mk_pt_fmt_ops vtd_ops = {vtd_check, vtd_leaf, vtd_decode,
                                               vtd_table};

#define VTD_FMT(nm, lv, in)                                                    \
	{                                                                      \
		.name = (nm), .kind = P2MK_PT_VTD_SL, .levels = (lv),          \
		.ias = (in), .oas = 52, .oa_hi = 51, .sw_bits = 6,             \
		.hw_leaf_levels = 0x7, .leaf_levels = 0x7,                     \
		.flags_ok =                                                    \
		    P2MK_PT_A | P2MK_PT_D | P2MK_PT_SNP | P2MK_PT_RECALC,      \
		.present_mask = VTD_R | VTD_W, .table_mask = VTD_PS,           \
		.table_match = {0}, .bbm_mask = 0, .ops = &vtd_ops,            \
	}

/* 2 MiB and 1 GiB leaves as CAP.SLLPS bits 34/35 report (§10.4.2). */
const struct p2mk_pt_fmt p2mk_pt_fmt_vtd_sl3 = VTD_FMT("vtd-sl3", 3, 39);
const struct p2mk_pt_fmt p2mk_pt_fmt_vtd_sl4 = VTD_FMT("vtd-sl4", 4, 48);
const struct p2mk_pt_fmt p2mk_pt_fmt_vtd_sl5 = VTD_FMT("vtd-sl5", 5, 57);

/* ---- AMD-Vi v1 host page table (AMD IOMMU spec §2.2.3) ---------------- */

#define AMD_PR     B(0)
#define AMD_A      B(5)
#define AMD_D      B(6)
#define AMD_NL_LO  9 /* Next Level, bits 11:9: 0 = leaf, 1..6 = table */
#define AMD_FC     B(60)
#define AMD_IR     B(61)
#define AMD_IW     B(62)
#define AMD_RECALC B(63) /* ignored */
/* Software field: ignored bits 4:1 (sw[3:0]) and 8:7 (sw[5:4]). */

static enum p2mk_err amd_check(const struct p2mk_pt_fmt *f,
                               const struct p2mk_pt_attrs *a)
{
	return check_common(f, a, P2MK_PT_R | P2MK_PT_W, 0, 0);
}

static uint64_t amd_leaf(const struct p2mk_pt_fmt *f,
                         const struct p2mk_pt_attrs *a, unsigned level)
{
	/*
	 * Next Level 0: a page of the level's natural size.  With
	 * P2MK_PT_OPT_AMDV1_PAGE_SIZE, levels above 0 use Next Level 7 and
	 * state the size in the address: bits 12 .. size-2 set, bit size-1
	 * clear, so 2 MiB is bits 19:12 set and 1 GiB bits 28:12 (spec
	 * §2.2.3; the same trailing-ones code as INVALIDATE_IOMMU_PAGES,
	 * iommu-invalidation.md §3.2).  The walker masks address bits below
	 * a leaf's size, so both forms decode to the same frame.  Sizes
	 * between levels (replicated entries) are not produced.
	 */
	uint64_t e = AMD_PR;
	if ((f->options & P2MK_PT_OPT_AMDV1_PAGE_SIZE) && level > 0)
		e |= fput(7, AMD_NL_LO) | GM(12 + 9 * level - 2, 12);
	e |= (a->perm & P2MK_PT_R) ? AMD_IR : 0;
	e |= (a->perm & P2MK_PT_W) ? AMD_IW : 0;
	e |= (a->flags & P2MK_PT_FC) ? AMD_FC : 0;
	e |= (a->flags & P2MK_PT_A) ? AMD_A : 0;
	e |= (a->flags & P2MK_PT_D) ? AMD_D : 0;
	e |= (a->flags & P2MK_PT_RECALC) ? AMD_RECALC : 0;
	e |= fput(a->sw & 0xf, 1) | fput(a->sw >> 4, 7);
	return e;
}

static void amd_decode(const struct p2mk_pt_fmt *f, uint64_t e, unsigned level,
                       struct p2mk_pt_attrs *a)
{
	(void)f;
	(void)level;
	a->perm = (uint8_t)((e & AMD_IR ? P2MK_PT_R : 0) |
	                    (e & AMD_IW ? P2MK_PT_W : 0));
	a->mt = 0;
	a->sh = 0;
	a->sw = (uint8_t)(fget(e, 1, 4) | (fget(e, 7, 2) << 4));
	a->flags = (uint16_t)((e & AMD_FC ? P2MK_PT_FC : 0) |
	                      (e & AMD_A ? P2MK_PT_A : 0) |
	                      (e & AMD_D ? P2MK_PT_D : 0) |
	                      (e & AMD_RECALC ? P2MK_PT_RECALC : 0));
}

/*
 * A table entry at our level L points to a table of AMD level L (AMD
 * counts from 1 at the 4 KiB level), so Next Level = L: no level is ever
 * skipped.  IR/IW set because the PDE permissions are ANDed in.
 */
static uint64_t amd_table(const struct p2mk_pt_fmt *f, uint64_t pa,
                          unsigned level)
{
	(void)f;
	return pa | AMD_PR | fput(level, AMD_NL_LO) | AMD_IR | AMD_IW;
}

static const struct p2mk_pt_fmt_ops amd_ops = {amd_check, amd_leaf, amd_decode,
                                               amd_table};

/* @opt: P2MK_PT_OPT_AMDV1_PAGE_SIZE or 0. */
#define AMD_FMT(nm, lv, in, opt)                                               \
	{                                                                      \
		.name = (nm), .kind = P2MK_PT_AMDV1, .levels = (lv),           \
		.ias = (in), .oas = 52, .oa_hi = 51, .sw_bits = 6,             \
		.hw_leaf_levels = 0x7, .leaf_levels = 0x7,                     \
		.flags_ok =                                                    \
		    P2MK_PT_A | P2MK_PT_D | P2MK_PT_FC | P2MK_PT_RECALC,       \
		.present_mask = AMD_PR, .table_mask = GM(11, 9),               \
		.table_match = {0,                                             \
		                1u << AMD_NL_LO,                               \
		                2u << AMD_NL_LO,                               \
		                3u << AMD_NL_LO,                               \
		                4u << AMD_NL_LO,                               \
		                5u << AMD_NL_LO},                              \
		.bbm_mask = 0, .options = (opt),                               \
		.options_ok = P2MK_PT_OPT_AMDV1_PAGE_SIZE, .ops = &amd_ops,    \
	}

const struct p2mk_pt_fmt p2mk_pt_fmt_amdv1_l3 = AMD_FMT("amdv1-l3", 3, 39, 0);
const struct p2mk_pt_fmt p2mk_pt_fmt_amdv1_l4 = AMD_FMT("amdv1-l4", 4, 48, 0);
const struct p2mk_pt_fmt p2mk_pt_fmt_amdv1_l4_ps =
    AMD_FMT("amdv1-l4-ps", 4, 48, P2MK_PT_OPT_AMDV1_PAGE_SIZE);

/* ---- instance checks ------------------------------------------------- */

static unsigned root_lg2_entries(const struct p2mk_pt_fmt *f)
{
	unsigned below = p2mk_pt_level_lg2sz(f, f->levels - 1u);
	return f->ias > below ? f->ias - below : 0;
}

unsigned p2mk_pt_fmt_root_pages(const struct p2mk_pt_fmt *f)
{
	unsigned lg2 = root_lg2_entries(f);
	return lg2 > P2MK_PT_TABLE_LG2 ? 1u << (lg2 - P2MK_PT_TABLE_LG2) : 1u;
}

enum p2mk_err p2mk_pt_fmt_check(const struct p2mk_pt_fmt *f)
{
	if (f == NULL || f->ops == NULL || f->ops->check == NULL ||
	    f->ops->leaf == NULL || f->ops->decode == NULL ||
	    f->ops->table == NULL)
		return P2MK_ERR_INVAL;
	if (f->levels < 1 || f->levels > P2MK_PT_MAX_LEVELS)
		return P2MK_ERR_INVAL;
	unsigned lg2 = root_lg2_entries(f);
	if (lg2 == 0 || f->ias > 64)
		return P2MK_ERR_INVAL;
	/* A root wider than one table is only legal as a concatenation. */
	if (f->root_concat_lg2 > 4 ||
	    lg2 > P2MK_PT_TABLE_LG2 + (unsigned)f->root_concat_lg2)
		return P2MK_ERR_INVAL;
	if (f->oa_hi > 63 || f->oas < 13 || f->oas > f->oa_hi + 1u)
		return P2MK_ERR_INVAL;
	if (f->sw_bits > 8)
		return P2MK_ERR_INVAL;
	if ((f->options & ~f->options_ok) != 0)
		return P2MK_ERR_INVAL;
	unsigned ll = f->leaf_levels;
	if ((ll & 1u) == 0 || (ll & ~f->hw_leaf_levels) != 0 ||
	    (ll & (ll + 1u)) != 0 || (ll >> f->levels) != 0)
		return P2MK_ERR_INVAL;
	return P2MK_OK;
}

enum p2mk_err p2mk_pt_fmt_derive(struct p2mk_pt_fmt *out,
                                 const struct p2mk_pt_fmt *base, unsigned ias,
                                 unsigned oas, unsigned leaf_levels)
{
	if (out == NULL || base == NULL || ias > 64 || oas > 64 ||
	    leaf_levels > 0xffffu)
		return P2MK_ERR_INVAL;
	struct p2mk_pt_fmt f = *base;
	if (ias)
		f.ias = (uint8_t)ias;
	if (oas)
		f.oas = (uint8_t)oas;
	if (leaf_levels)
		f.leaf_levels = (uint16_t)leaf_levels;
	enum p2mk_err err = p2mk_pt_fmt_check(&f);
	if (err)
		return err;
	*out = f;
	return P2MK_OK;
}
