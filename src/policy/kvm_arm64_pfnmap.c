// SPDX-License-Identifier: BSD-2-Clause
/*
 * KVM arm64 with cacheable PFNMAP (branch kvm-arm64/cacheable-pfnmap,
 * 6.17, release UNVERIFIED): a PFNMAP VMA with a cacheable pgprot is
 * mapped Normal-WB at stage 2 if the host has FEAT_S2FWB and CTR_EL0.DIC;
 * without both it is refused (-EINVAL at memslot creation) rather than
 * silently downgraded.  Non-cacheable PFNMAP keeps the 6.9 rule.
 *
 * Source: arm64-memory-attributes.md §8 (row 6.17).
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	bool fwb = v->cfg->fwb;
	uint32_t flags;
	if (p2mk_pol_kvm_arm64_memory(v, q, o, &flags))
		return;
	if (flags & P2MK_IO_HOST_CACHEABLE) {
		if (fwb && v->cfg->dic)
			pol_s2(o, P2MK_S2_FWB_NORMAL_WB, true,
			       "cacheable PFNMAP with FWB+DIC: Normal-WB",
			       "arm64 §8 row 6.17");
		else
			pol_kind(o, P2MK_POL_REFUSED,
			         "cacheable PFNMAP without FWB+DIC: -EINVAL",
			         "arm64 §8 row 6.17");
		return;
	}
	if (flags & P2MK_IO_VFIO)
		pol_s2(o, P2MK_S2_NORMAL_NC, fwb,
		       "non-cacheable, VM_ALLOW_ANY_UNCACHED: Normal-NC",
		       "arm64 §8 row 6.17 (s2_force_noncacheable)");
	else
		pol_s2(o, P2MK_S2_DEVICE_nGnRE, fwb,
		       "non-cacheable PFNMAP: Device-nGnRE",
		       "arm64 §8 row 6.17 (s2_force_noncacheable)");
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	(void)v;
	(void)ev;
	*why = "stage-2 attributes depend on the memslot only (arm64 §8)";
	return false;
}

const struct p2mk_policy p2mk_policy_kvm_arm64_pfnmap = {
    .name = "kvm-arm64-pfnmap",
    .summary = "KVM arm64 6.17 cacheable PFNMAP: Normal-WB with FWB+DIC, "
               "else refused",
    .source = "arm64-memory-attributes.md §8",
    .arch = P2MK_ARCH_ARM64,
    .decide = decide,
    .resync = resync,
};
