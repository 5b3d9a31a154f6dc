// SPDX-License-Identifier: BSD-2-Clause
/*
 * KVM arm64 up to 6.8: a PFN outside the linear map (device memory) is
 * mapped Device-nGnRE at stage 2; RAM is Normal (Normal-WB, or forced WB
 * with FEAT_S2FWB).  With FWB = 0, Device at stage 2 wins the combination
 * even if the guest's stage 1 asks for Normal-NC (arm64 §5.1, §7).
 *
 * Source: arm64-memory-attributes.md §8 (row "<= 6.8"), §3, §4.
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	bool fwb = v->cfg->fwb;
	*o = (struct p2mk_policy_out){0};
	if (!p2mk_p2mt_present(q->type)) {
		pol_kind(o, P2MK_POL_NONE, "not present", "arm64 §8");
		return;
	}
	if (q->type == P2MK_P2M_MMIO_DIRECT)
		pol_s2(o, P2MK_S2_DEVICE_nGnRE, fwb,
		       "!pfn_is_map_memory: Device-nGnRE",
		       "arm64 §8 row <=6.8");
	else
		pol_s2(o, fwb ? P2MK_S2_FWB_NORMAL_WB : P2MK_S2_NORMAL_WB, fwb,
		       "memory: Normal-WB", "arm64 §8; §3/§4 MT_S2_NORMAL");
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	(void)v;
	(void)ev;
	*why = "stage-2 attributes depend on the memslot only (arm64 §8)";
	return false;
}

const struct p2mk_policy p2mk_policy_kvm_arm64_6_8 = {
    .name = "kvm-arm64-6.8",
    .summary = "KVM arm64 <= 6.8: RAM Normal-WB, device memory Device-nGnRE",
    .source = "arm64-memory-attributes.md §8",
    .arch = P2MK_ARCH_ARM64,
    .decide = decide,
    .resync = resync,
};
