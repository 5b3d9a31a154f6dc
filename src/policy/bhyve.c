// SPDX-License-Identifier: BSD-2-Clause
/*
 * bhyve (FreeBSD vmm): EPT is a pmap type whose cache bits are always
 * IPAT | MT(memattr).  Guest memory uses the default memattr (WB);
 * passthrough BARs are allocated VM_MEMATTR_UNCACHEABLE, so a passthrough
 * framebuffer can never be WC.  Grants and Xen special pages do not exist
 * in bhyve; they are guest memory to it and map as RAM.
 *
 * Source: landscape-and-users.md §2 ("bhyve"), §3.8.
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	(void)v;
	*o = (struct p2mk_policy_out){0};
	if (!p2mk_p2mt_present(q->type)) {
		pol_kind(o, P2MK_POL_NONE, "not present", "landscape §3.8");
		return;
	}
	if (q->type == P2MK_P2M_MMIO_DIRECT)
		pol_ept(o, P2MK_MT_UC, true,
		        "passthrough BAR: VM_MEMATTR_UNCACHEABLE, UC+IPAT",
		        "landscape §3.8 (vmm_mmio_alloc)");
	else
		pol_ept(o, P2MK_MT_WB, true, "guest memory: WB+IPAT",
		        "landscape §3.8 (pmap_cache_bits, PT_EPT)");
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	(void)v;
	(void)ev;
	*why = "types never depend on guest state (landscape §3.8)";
	return false;
}

const struct p2mk_policy p2mk_policy_bhyve = {
    .name = "bhyve",
    .summary = "bhyve: always IPAT; RAM WB, passthrough BARs UC",
    .source = "landscape-and-users.md §2, §3.8",
    .arch = P2MK_ARCH_X86_EPT,
    .decide = decide,
    .resync = resync,
};
