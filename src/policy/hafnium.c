// SPDX-License-Identifier: BSD-2-Clause
/*
 * Hafnium: two stage-2 modes only.  Device regions (MM_MODE_D) are
 * Device-nGnRnE; everything else is Normal inner/outer WB so that stage 1
 * decides.  No Normal-NC mode and no FWB handling: the encoding is always
 * the FWB = 0 one.
 *
 * Source: landscape-and-users.md §2 ("Hafnium"), §3.2 (Memory types).
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	(void)v;
	*o = (struct p2mk_policy_out){0};
	if (!p2mk_p2mt_present(q->type)) {
		pol_kind(o, P2MK_POL_NONE, "not present", "landscape §3.2");
		return;
	}
	if (q->type == P2MK_P2M_MMIO_DIRECT)
		pol_s2(o, P2MK_S2_DEVICE_nGnRnE, false,
		       "MM_MODE_D: Device-nGnRnE", "landscape §3.2");
	else
		pol_s2(o, P2MK_S2_NORMAL_WB, false,
		       "memory: Normal-WB, stage 1 decides", "landscape §3.2");
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	(void)v;
	(void)ev;
	*why = "attributes come from the mapping mode only (landscape §3.2)";
	return false;
}

const struct p2mk_policy p2mk_policy_hafnium = {
    .name = "hafnium",
    .summary = "Hafnium: Device-nGnRnE or Normal-WB (stage 1 decides)",
    .source = "landscape-and-users.md §2, §3.2",
    .arch = P2MK_ARCH_ARM64,
    .decide = decide,
    .resync = resync,
};
