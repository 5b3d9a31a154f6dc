// SPDX-License-Identifier: BSD-2-Clause
/*
 * Xen on AMD NPT: p2m-pt.c's p2m_type_to_flags.  There is no IPAT and no
 * EMT; Xen picks a host-PAT index per nested PTE and guest PAT combines on
 * top (x86 §9).  Guest MTRRs are ignored and memory_type_changed has no
 * hook on NPT, so nothing is ever recomputed.
 *
 * Source: xen-reference-behaviour.md §1 ("AMD / NPT"), §10 (NPT column),
 * §15 ("MTRR on AMD"); x86-memory-types.md §9.3; landscape §2 "Xen (NPT)".
 */
#include "internal.h"

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	*o = (struct p2mk_policy_out){0};
	if (!p2mk_p2mt_present(q->type)) {
		pol_kind(o, P2MK_POL_NONE, "not present", "xen §10");
		return;
	}
	if (q->type != P2MK_P2M_MMIO_DIRECT) {
		/* RAM, grant and foreign: PAT index 0 (WB).  Special pages get
		 * no mitigation on AMD (xen §15, ca24b2ffdb is Intel-only). */
		pol_npt(o, 0, "RAM/grant/foreign: hPAT 0 (WB)",
		        "xen §10 NPT column; x86 §9.3");
		return;
	}
	bool ro = p2mk_ranges_overlap(v->mmio_ro, v->nmmio_ro, q->mfn,
	                              p2mk_order_frames(q->order));
	if (ro && q->order > 0) {
		/* set_mmio_p2m_entry retries read-only MMIO at order 0
		 * (xen §11.2). */
		pol_kind(o, P2MK_POL_MIXED, "ro-mmio superpage: retry at 4K",
		         "xen §11.2");
		return;
	}
	if (ro)
		pol_npt(o, 3, "read-only mmio_direct: PCD+PWT (UC)",
		        "xen §10 NPT column");
	else
		pol_npt(o, 2, "mmio_direct: PCD (UC-)", "xen §10 NPT column");
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	(void)v;
	(void)ev;
	*why = "NPT has no memory_type_changed hook (xen §8.1 c3, §15)";
	return false;
}

const struct p2mk_policy p2mk_policy_xen_npt = {
    .name = "xen-npt",
    .summary = "Xen on AMD NPT: hPAT WB for RAM, UC- MMIO, UC RO-MMIO",
    .source = "xen-reference-behaviour.md §10, §15; x86-memory-types.md "
              "§9.3",
    .arch = P2MK_ARCH_X86_NPT,
    .decide = decide,
    .resync = resync,
};
