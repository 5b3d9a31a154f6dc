// SPDX-License-Identifier: BSD-2-Clause
/*
 * KVM arm64 6.9+: a VMA flagged VM_ALLOW_ANY_UNCACHED -- which vfio-pci
 * sets on every BAR mmap, prefetchable or not -- is mapped Normal-NC at
 * stage 2 (0x5 with or without FWB), leaving Device vs Normal-NC to the
 * guest's stage 1.  Other device memory stays Device-nGnRE.
 *
 * Source: arm64-memory-attributes.md §8 (row 6.9), §7.
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	bool fwb = v->cfg->fwb;
	uint32_t flags;
	if (p2mk_pol_kvm_arm64_memory(v, q, o, &flags))
		return;
	if (flags & P2MK_IO_VFIO)
		pol_s2(o, P2MK_S2_NORMAL_NC, fwb,
		       "vfio-pci BAR (VM_ALLOW_ANY_UNCACHED): Normal-NC",
		       "arm64 §8 row 6.9 (8c47ce3e1d2c)");
	else
		pol_s2(o, P2MK_S2_DEVICE_nGnRE, fwb,
		       "device memory: Device-nGnRE", "arm64 §8 row 6.9");
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	(void)v;
	(void)ev;
	*why = "stage-2 attributes depend on the memslot only (arm64 §8)";
	return false;
}

const struct p2mk_policy p2mk_policy_kvm_arm64_6_9 = {
    .name = "kvm-arm64-6.9",
    .summary = "KVM arm64 6.9+: vfio-pci BARs Normal-NC at stage 2",
    .source = "arm64-memory-attributes.md §8",
    .arch = P2MK_ARCH_ARM64,
    .decide = decide,
    .resync = resync,
};
