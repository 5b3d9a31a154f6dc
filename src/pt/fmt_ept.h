/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to src/pt: the Intel EPT entry bits (SDM vol. 3C §29.3.2,
 * Tables 29-1..29-6; x86 §8.1) and the decoding of an EPT leaf, shared by
 * the format's hooks (fmt.c) and the lookup fast path (read.c), which
 * decodes the built-in EPT formats inline instead of through an indirect
 * call: on a lookup that call and its spills cost more than the decoding.
 */
#ifndef P2MKIT_PT_FMT_EPT_H
#define P2MKIT_PT_FMT_EPT_H

#include <p2mkit/pt.h>

#define EPT_R      P2MK_BIT(0)
#define EPT_W      P2MK_BIT(1)
#define EPT_X      P2MK_BIT(2)
#define EPT_EMT_LO 3 /* bits 5:3, leaves only */
#define EPT_IPAT   P2MK_BIT(6)
#define EPT_PS     P2MK_BIT(7) /* leaf at levels 1, 2 */
#define EPT_A      P2MK_BIT(8)
#define EPT_D      P2MK_BIT(9)
/* ignored by the CPU; VT-d SNP when tables are shared */
#define EPT_SNP   P2MK_BIT(11)
#define EPT_SW_LO 52 /* bits 57:52 ignored (Xen keeps its p2m type there) */
/*
 * Bit 62 is ignored in every EPT entry.  Xen's recalc bit is 10, but 10 is
 * the user-execute permission once mode-based execute control is on, so
 * the mark lives where no VMX feature reaches.
 */
#define EPT_RECALC P2MK_BIT(62)
#define EPT_SVE    P2MK_BIT(63)

/* The hooks of p2mk_pt_fmt_ept4 and _ept5 (fmt.c). */
extern const struct p2mk_pt_fmt_ops p2mk_pti_ept_ops;

/*
 * Whether @f tells present and table entries apart exactly as EPT does
 * (present iff R, W or X; a table iff PS is clear above level 0), so the
 * lookup fast path may test those bits as constants.
 */
static inline bool p2mk_pti_ept_masks(const struct p2mk_pt_fmt *f)
{
	if (f->present_mask != (EPT_R | EPT_W | EPT_X) ||
	    f->table_mask != EPT_PS)
		return false;
	for (unsigned L = 0; L < P2MK_PT_MAX_LEVELS; L++)
		if (f->table_match[L] != 0)
			return false;
	return true;
}

/* The attributes of EPT leaf @e (any level: EPT leaves share one layout). */
static inline void p2mk_pti_ept_decode(const struct p2mk_pt_fmt *f, uint64_t e,
                                       struct p2mk_pt_attrs *a)
{
	a->perm = (uint8_t)((e & EPT_R ? P2MK_PT_R : 0) |
	                    (e & EPT_W ? P2MK_PT_W : 0) |
	                    (e & EPT_X ? P2MK_PT_X : 0));
	a->mt = (uint8_t)((e >> EPT_EMT_LO) & 7u);
	a->sh = 0;
	a->sw = (uint8_t)((e >> EPT_SW_LO) & ((UINT64_C(1) << f->sw_bits) - 1));
	a->flags = (uint16_t)((e & EPT_IPAT ? P2MK_PT_IPAT : 0) |
	                      (e & EPT_A ? P2MK_PT_A : 0) |
	                      (e & EPT_D ? P2MK_PT_D : 0) |
	                      (e & EPT_SNP ? P2MK_PT_SNP : 0) |
	                      (e & EPT_RECALC ? P2MK_PT_RECALC : 0) |
	                      (e & EPT_SVE ? P2MK_PT_SVE : 0));
}

#endif /* P2MKIT_PT_FMT_EPT_H */
