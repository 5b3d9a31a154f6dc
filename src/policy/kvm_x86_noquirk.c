// SPDX-License-Identifier: BSD-2-Clause
/*
 * KVM x86 on VMX, 6.15+ with KVM_X86_QUIRK_IGNORE_GUEST_PAT disabled by
 * userspace: RAM is always WB without IPAT, so guest PAT is honoured.
 * Userspace may disable the quirk only on a CPU that self-snoops; on one
 * that does not, the quirk stays on and this policy answers as
 * kvm-x86-6.11 (branch names say so).
 *
 * Source: x86-memory-types.md §11 (row 6.15, c9c1e20b4c7d).
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	if (p2mk_pol_kvm_vmx_absent_or_mmio(q, o, "x86 §11 row 6.15"))
		return;
	if (!v->cfg->self_snoop && !v->cfg->noncoherent_dma) {
		pol_ept(o, P2MK_MT_WB, true,
		        "no self-snoop, quirk stays on: WB+IPAT",
		        "x86 §11 row 6.15");
		return;
	}
	pol_ept(o, P2MK_MT_WB, false, "quirk off: WB, guest PAT honoured",
	        "x86 §11 row 6.15");
}

const struct p2mk_policy p2mk_policy_kvm_x86_noquirk = {
    .name = "kvm-x86-noquirk",
    .summary = "KVM VMX 6.15+ with the ignore-guest-PAT quirk disabled: "
               "WB, guest PAT honoured",
    .source = "x86-memory-types.md §11",
    .arch = P2MK_ARCH_X86_EPT,
    .decide = decide,
    .resync = p2mk_pol_kvm_vmx_resync,
};
