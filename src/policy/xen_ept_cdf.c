// SPDX-License-Identifier: BSD-2-Clause
/*
 * Xen EPT with the create-time CDF_full_cacheability flag proposed by
 * Andrew Cooper on xen-devel (2022-09-26) and never merged (xen §8.5):
 * row 2 of the EMT decision becomes a static test of the flag, and no
 * change of the dynamic I/O lists needs a resync any more.  Everything
 * else is xen-ept (xen §6).  This is the "clean design" p2mkit compares
 * against Xen HEAD; it is not shipped by anyone.
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	p2mk_pol_xen_ept_decide(v, q, o, true);
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	switch (ev->kind) {
	case P2MK_EV_IOMEM_PERMIT:
	case P2MK_EV_IOMEM_DENY:
	case P2MK_EV_DEV_ASSIGN:
	case P2MK_EV_DEV_DEASSIGN:
		*why = "I/O lists no longer decide cacheability (xen §8.5)";
		return false;
	case P2MK_EV_MTRR_WRITE:
		if (!p2mk_pol_xen_mtrr_write_changes(ev)) {
			*why = "MTRR setter: no relevant change (xen §3)";
			return false;
		}
		break;
	default:
		break;
	}
	if (!v->cfg->full_cacheability) {
		*why = "without full_cacheability every non-MMIO entry is "
		       "WB+IPAT: nothing to recompute (xen §8.5)";
		return false;
	}
	*why = "full_cacheability domain: resync (xen §8.5)";
	return true;
}

const struct p2mk_policy p2mk_policy_xen_ept_cdf = {
    .name = "xen-ept-cdf",
    .summary = "Xen EPT with the proposed CDF_full_cacheability flag",
    .source = "xen-reference-behaviour.md §8.5 (proposal), §6",
    .arch = P2MK_ARCH_X86_EPT,
    .decide = decide,
    .resync = resync,
};
