// SPDX-License-Identifier: BSD-2-Clause
/*
 * KVM on AMD SVM: no memory type in NPT entries at all (svm_get_mt_mask
 * was removed); every present entry uses host-PAT index 0 (WB), so guest
 * PAT is always honoured and host MTRRs apply to the final address.
 *
 * Source: x86-memory-types.md §9.3, §11 (6.15 row: the quirk is absent on
 * AMD); landscape-and-users.md §2 "KVM x86 (SVM)".
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	(void)v;
	*o = (struct p2mk_policy_out){0};
	if (!p2mk_p2mt_present(q->type)) {
		pol_kind(o, P2MK_POL_NONE, "not present", "x86 §9.3");
		return;
	}
	pol_npt(o, 0, "no NPT memtype: hPAT 0, guest PAT honoured",
	        "x86 §9.3; landscape §2");
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	(void)v;
	(void)ev;
	*why = "no input changes an NPT entry (x86 §9.3)";
	return false;
}

const struct p2mk_policy p2mk_policy_kvm_svm = {
    .name = "kvm-svm",
    .summary = "KVM on AMD: NPT PAT index 0 everywhere, guest PAT decides",
    .source = "x86-memory-types.md §9.3, §11",
    .arch = P2MK_ARCH_X86_NPT,
    .decide = decide,
    .resync = resync,
};
