// SPDX-License-Identifier: BSD-2-Clause
/*
 * KVM x86 on VMX from 6.11, with KVM_X86_QUIRK_IGNORE_GUEST_PAT enabled
 * (the default on Intel from 6.15; 6.11-6.14 behave the same): guest MTRRs
 * are stored but never consulted (0a7b73559b39); MMIO -> UC without IPAT;
 * no non-coherent DMA -> WB + IPAT; otherwise WB without IPAT, so guest
 * PAT decides.
 *
 * Source: x86-memory-types.md §11 (rows 6.11 and 6.15); landscape §2.
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	if (p2mk_pol_kvm_vmx_absent_or_mmio(q, o, "x86 §11 row 6.11"))
		return;
	if (!v->cfg->noncoherent_dma)
		pol_ept(o, P2MK_MT_WB, true,
		        "ignore-guest-PAT quirk, no non-coherent DMA: WB+IPAT",
		        "x86 §11 rows 6.11, 6.15");
	else
		pol_ept(o, P2MK_MT_WB, false,
		        "non-coherent DMA: WB, guest PAT honoured",
		        "x86 §11 row 6.11");
}

const struct p2mk_policy p2mk_policy_kvm_x86_6_11 = {
    .name = "kvm-x86-6.11",
    .summary = "KVM VMX 6.11+ (ignore-guest-PAT quirk on): WB+IPAT unless "
               "non-coherent DMA",
    .source = "x86-memory-types.md §11",
    .arch = P2MK_ARCH_X86_EPT,
    .decide = decide,
    .resync = p2mk_pol_kvm_vmx_resync,
};
