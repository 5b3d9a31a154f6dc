// SPDX-License-Identifier: BSD-2-Clause
/*
 * KVM x86 on VMX from the 4.2 vMTRR rewrite up to 6.10: vmx_get_mt_mask
 * honours guest MTRRs when non-coherent DMA is possible.  The CR0.CD rule
 * is the 6.6/6.7 one (Yan Zhao): with KVM_X86_QUIRK_CD_NW_CLEARED, WB
 * without IPAT; without it, UC + IPAT.  (4.2-6.5 set IPAT in the quirk
 * case.)  A huge page whose guest MTRR type is not uniform is not mapped
 * huge (KVM lowers the mapping level), which is the MIXED answer here.
 *
 * Source: x86-memory-types.md §11 (rows "4.2+" and "6.6/6.7"), §5.3 (KVM
 * resolves SDM-undefined overlaps to WB); landscape §2 "KVM x86 (VMX)".
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	if (p2mk_pol_kvm_vmx_absent_or_mmio(q, o, "x86 §11 row 4.2+"))
		return;
	if (!v->cfg->noncoherent_dma) {
		pol_ept(o, P2MK_MT_WB, true, "no non-coherent DMA: WB+IPAT",
		        "x86 §11 row 4.2+");
		return;
	}
	if (v->guest_cd) {
		if (v->cfg->cd_nw_quirk)
			pol_ept(o, P2MK_MT_WB, false,
			        "CR0.CD with CD_NW_CLEARED quirk: WB",
			        "x86 §11 row 6.6/6.7");
		else
			pol_ept(o, P2MK_MT_UC, true, "CR0.CD: UC+IPAT",
			        "x86 §11 row 4.2+");
		return;
	}
	const struct p2mk_mtrr_state *gm = p2mk_view_guest_mtrr(v);
	if (gm == NULL) {
		pol_ept(o, P2MK_MT_WB, false, "no vCPU: WB", "x86 §11");
		return;
	}
	struct p2mk_mtrr_lookup l = p2mk_mtrr_lookup(
	    gm, p2mk_gfn_to_gpa(q->gfn), q->order, P2MK_OVERLAP_KVM);
	if (l.kind != P2MK_LOOKUP_TYPE) {
		pol_kind(o, P2MK_POL_MIXED,
		         "guest MTRRs not uniform: smaller page",
		         "x86 §11 row 4.2+");
		return;
	}
	pol_ept(o, l.type, false, "non-coherent DMA: guest MTRR type",
	        "x86 §11 row 4.2+ (kvm_mtrr_get_guest_memory_type)");
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	switch (ev->kind) {
	case P2MK_EV_MTRR_WRITE:
		/* MTRR updates zap SPTEs only while guest MTRRs are honoured.
		 */
		*why = v->cfg->noncoherent_dma
		           ? "MTRR write with non-coherent DMA: zap (x86 §11)"
		           : "guest MTRRs not honoured: no zap (x86 §11)";
		return v->cfg->noncoherent_dma &&
		       ev->old_value != ev->new_value;
	case P2MK_EV_DEV_ASSIGN:
	case P2MK_EV_DEV_DEASSIGN:
	case P2MK_EV_CONFIG:
		*why = "(un)registering non-coherent DMA zaps all SPTEs "
		       "(x86 §11 row 6.6/6.7)";
		return true;
	default:
		*why = "KVM has no pinned ranges or iomem caps";
		return false;
	}
}

const struct p2mk_policy p2mk_policy_kvm_x86_6_10 = {
    .name = "kvm-x86-6.10",
    .summary = "KVM VMX 4.2-6.10: guest MTRRs honoured with non-coherent "
               "DMA",
    .source = "x86-memory-types.md §11",
    .arch = P2MK_ARCH_X86_EPT,
    .decide = decide,
    .resync = resync,
};
