// SPDX-License-Identifier: BSD-2-Clause
/*
 * ACRN: guest/vmtrr.c virtualises fixed-range MTRRs only (VCNT = 0) and,
 * on an MTRRdefType write, pushes their types into the EPT memory type of
 * the first MiB (ept_modify_mr).  Passthrough BARs are EPT_UNCACHED
 * without IPAT, so guest PAT may still pick WC; ivshmem shared memory is
 * WB | IGNORE_PAT -- modelled here as the domain's special (host-shared)
 * pages.  Guest RAM above 1 MiB keeps the WB type it was created with; the
 * spec does not say whether ACRN sets IPAT for RAM, so this model does not
 * (UNVERIFIED).  Below 1 MiB: MTRRs disabled -> UC, enabled without fixed
 * ranges -> the default type, else the fixed-range byte.
 *
 * Source: landscape-and-users.md §2 ("ACRN"), §3.4.
 */
#include "internal.h"

#define ONE_MIB_FRAMES 256u

/* Type ACRN gives guest frame @gfn below 1 MiB from the vCPU's vMTRRs. */
static enum p2mk_mt low_type(const struct p2mk_mtrr_state *m, p2mk_gfn_t gfn)
{
	if (m == NULL || (m->def_type & P2MK_MTRR_DEF_E) == 0)
		return P2MK_MT_UC;
	if ((m->def_type & P2MK_MTRR_DEF_FE) == 0)
		return (enum p2mk_mt)(m->def_type & P2MK_MTRR_DEF_TYPE_MASK);
	return (enum p2mk_mt)
	    m->fixed[p2mk_mtrr_fixed_index(p2mk_gfn_to_gpa(gfn))];
}

static bool is_special(const struct p2mk_policy_view *v, p2mk_mfn_t mfn,
                       uint64_t last)
{
	for (unsigned i = 0; i < v->nspecial; i++) {
		const struct p2mk_mfn_range *r = &v->special[i];
		if (p2mk_mfn_range_has(r, mfn) &&
		    last <= p2mk_mfn_range_last(r).v)
			return true;
	}
	return false;
}

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	uint64_t count = p2mk_order_frames(q->order);
	*o = (struct p2mk_policy_out){0};
	if (!p2mk_p2mt_present(q->type)) {
		pol_kind(o, P2MK_POL_NONE, "not present", "landscape §3.4");
		return;
	}
	if (q->type == P2MK_P2M_MMIO_DIRECT) {
		pol_ept(o, P2MK_MT_UC, false, "passthrough BAR: UC",
		        "landscape §3.4 (pci_pt.c)");
		return;
	}
	if (is_special(v, q->mfn, q->mfn.v + count - 1)) {
		pol_ept(o, P2MK_MT_WB, true, "ivshmem/shared page: WB+IPAT",
		        "landscape §3.4");
		return;
	}
	uint64_t first = q->gfn.v & ~(count - 1);
	if (first >= ONE_MIB_FRAMES) {
		pol_ept(o, P2MK_MT_WB, false, "RAM above 1 MiB: WB",
		        "landscape §3.4 (ept_add_mr)");
		return;
	}
	const struct p2mk_mtrr_state *m = p2mk_view_guest_mtrr(v);
	enum p2mk_mt t = low_type(m, p2mk_gfn(first));
	uint64_t end = first + count;
	for (uint64_t f = first + 1; f < end && f < ONE_MIB_FRAMES; f++) {
		if (low_type(m, p2mk_gfn(f)) != t) {
			pol_kind(o, P2MK_POL_MIXED,
			         "fixed-range types differ: split",
			         "landscape §3.4");
			return;
		}
	}
	if (end > ONE_MIB_FRAMES && t != P2MK_MT_WB) {
		pol_kind(o, P2MK_POL_MIXED, "block crosses 1 MiB: split",
		         "landscape §3.4");
		return;
	}
	pol_ept(o, t, false, "below 1 MiB: fixed-range vMTRR pushed into EPT",
	        "landscape §3.4 (vmtrr.c)");
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	(void)v;
	if (ev->kind == P2MK_EV_MTRR_WRITE &&
	    ev->msr == P2MK_MSR_MTRR_DEF_TYPE) {
		*why = "MTRRdefType write: fixed ranges pushed into EPT "
		       "(landscape §3.4)";
		return true;
	}
	*why = "only MTRRdefType writes update EPT (landscape §3.4)";
	return false;
}

const struct p2mk_policy p2mk_policy_acrn = {
    .name = "acrn",
    .summary = "ACRN: fixed-range vMTRRs pushed into EPT; BARs UC; ivshmem "
               "WB+IPAT",
    .source = "landscape-and-users.md §2, §3.4",
    .arch = P2MK_ARCH_X86_EPT,
    .decide = decide,
    .resync = resync,
};
