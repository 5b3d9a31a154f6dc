// SPDX-License-Identifier: BSD-2-Clause
/*
 * Bao: PTE_VM_FLAGS (Normal inner/outer WB) for RAM and PTE_VM_DEV_FLAGS
 * (Device-GRE) for device regions; no guest-selectable Normal-NC, no FWB.
 *
 * Source: landscape-and-users.md §2 ("Bao"), §3.3.
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	(void)v;
	*o = (struct p2mk_policy_out){0};
	if (!p2mk_p2mt_present(q->type)) {
		pol_kind(o, P2MK_POL_NONE, "not present", "landscape §3.3");
		return;
	}
	if (q->type == P2MK_P2M_MMIO_DIRECT)
		pol_s2(o, P2MK_S2_DEVICE_GRE, false,
		       "device region: Device-GRE (PTE_VM_DEV_FLAGS)",
		       "landscape §3.3");
	else
		pol_s2(o, P2MK_S2_NORMAL_WB, false,
		       "memory: Normal-WB (PTE_VM_FLAGS)", "landscape §3.3");
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	(void)v;
	(void)ev;
	*why = "mappings are static after VM creation (landscape §3.3)";
	return false;
}

const struct p2mk_policy p2mk_policy_bao = {
    .name = "bao",
    .summary = "Bao: RAM Normal-WB, devices Device-GRE",
    .source = "landscape-and-users.md §2, §3.3",
    .arch = P2MK_ARCH_ARM64,
    .decide = decide,
    .resync = resync,
};
