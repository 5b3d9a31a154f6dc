// SPDX-License-Identifier: BSD-2-Clause
/*
 * Xen on Intel EPT: epte_get_entry_emt() and the conditions under which
 * Xen recomputes EMTs at all (memory_type_changed and its callers).
 *
 * Source: xen-reference-behaviour.md §6 (the decision, every branch in
 * order), §4 (mtrr_get_type, via p2mk_xen_mtrr_get_type), §7 (pinned
 * ranges), §3 and §8 (when memory_type_changed runs), §16 (possible
 * defects, reproduced rather than fixed).  Restated from the spec's prose.
 */
#include "internal.h"

void p2mk_pol_xen_ept_decide(const struct p2mk_policy_view *v,
                             const struct p2mk_policy_query *q,
                             struct p2mk_policy_out *o, bool cdf)
{
	uint64_t count = p2mk_order_frames(q->order);
	*o = (struct p2mk_policy_out){0};
	if (!p2mk_p2mt_present(q->type)) {
		/* Only present entries get an EMT (777c71d313, xen §6). */
		pol_kind(o, P2MK_POL_NONE, "not present: no EMT",
		         "xen §6 (4fdd8d7556/777c71d313)");
		return;
	}
	/*
	 * Row 1: read-only MMIO.  The end of the MFN range is formed by OR,
	 * not addition, so it cannot overflow; reproduced as such.
	 */
	uint64_t ro_count = (q->mfn.v | (count - 1)) - q->mfn.v + 1;
	if (p2mk_ranges_overlap(v->mmio_ro, v->nmmio_ro, q->mfn, ro_count)) {
		/* rangeset_contains_range: against the merged union, so two
		 * adjacent ranges contain a block they cover together. */
		if (q->order == 0 ||
		    p2mk_ranges_contain(v->mmio_ro, v->nmmio_ro, q->mfn,
		                        ro_count))
			pol_ept(o, P2MK_MT_UC, true, "1 ro-mmio: UC+IPAT",
			        "xen §6 row 1");
		else
			pol_kind(o, P2MK_POL_MIXED, "1 ro-mmio partial: split",
			         "xen §6 row 1");
		return;
	}
	/*
	 * Row 2: nothing could need a non-WB type.  At HEAD this is inferred
	 * from the IOMMU flag and the dynamic I/O lists; the proposed
	 * CDF_full_cacheability (xen §8.5) makes it a create-time test.
	 */
	bool force_wb =
	    cdf ? !v->cfg->full_cacheability
	        : !v->cfg->iommu && !p2mk_view_cache_flush_permitted(v);
	if (q->type != P2MK_P2M_MMIO_DIRECT && force_wb) {
		pol_ept(o, P2MK_MT_WB, true,
		        cdf ? "2 no full_cacheability: WB+IPAT"
		            : "2 no iommu, no I/O: WB+IPAT",
		        cdf ? "xen §8.5 (proposed CDF_full_cacheability)"
		            : "xen §6 row 2");
		return;
	}
	/*
	 * Row 3: Xen-heap pages shared with the guest.  Xen tests every one
	 * of the 2^order frames (xen §16 defect 4): count the work.
	 */
	o->special_checks = count;
	uint64_t nspecial =
	    p2mk_ranges_covered(v->special, v->nspecial, q->mfn, count);
	if (nspecial == count) {
		pol_ept(o, P2MK_MT_WB, true, "3 special page: WB+IPAT",
		        "xen §6 row 3 (ca24b2ffdb)");
		return;
	}
	if (nspecial != 0) {
		pol_kind(o, P2MK_POL_MIXED, "3 special partial: split",
		         "xen §6 row 3 (60d1adfa18)");
		return;
	}
	/* Row 4: passthrough MMIO, guest PAT still applies. */
	if (q->type == P2MK_P2M_MMIO_DIRECT) {
		pol_ept(o, P2MK_MT_UC, false, "4 mmio_direct: UC",
		        "xen §6 row 4");
		return;
	}
	/* Row 4': grants and foreign mappings. */
	if (q->type == P2MK_P2M_GRANT_RW || q->type == P2MK_P2M_GRANT_RO ||
	    q->type == P2MK_P2M_FOREIGN) {
		pol_ept(o, P2MK_MT_WB, true, "4' grant/foreign: WB+IPAT",
		        "xen §6 row 4' (8af4b47f06)");
		return;
	}
	/* Rows 5 and 5': pinned cache attributes. */
	int pinned = p2mk_xen_pinned_lookup(v, q->gfn, q->order);
	if (pinned >= 0) {
		enum p2mk_mt t =
		    pinned == P2MK_MT_UCM ? P2MK_MT_UC : (enum p2mk_mt)pinned;
		pol_ept(o, t, true, "5 pinned: type+IPAT", "xen §6 row 5, §7");
		return;
	}
	if (pinned == -2) {
		pol_kind(o, P2MK_POL_MIXED, "5' pinned partial: split",
		         "xen §6 row 5', §7");
		return;
	}
	/* Row 6: guest and host MTRR lookups at the mapping's order. */
	const struct p2mk_mtrr_state *gm = p2mk_view_guest_mtrr(v);
	int g = gm != NULL ? p2mk_xen_mtrr_get_type(gm, p2mk_gfn_to_gpa(q->gfn),
	                                            q->order)
	                   : P2MK_MT_WB;
	int h = v->host_mtrr != NULL
	            ? p2mk_xen_mtrr_get_type_host(
	                  v->host_mtrr, p2mk_mfn_to_hpa(q->mfn), q->order)
	            : P2MK_MT_WB;
	if (g < 0 || h < 0) {
		pol_kind(o, P2MK_POL_MIXED, "6 MTRRs not uniform: split",
		         "xen §6 row 6, §4");
		return;
	}
	/* Row 7: combine, guest PAT applies on top. */
	pol_ept(o, p2mk_xen_combine_emt((enum p2mk_mt)g, (enum p2mk_mt)h),
	        false, "7 guest x host MTRR", "xen §6 row 7");
}

bool p2mk_pol_xen_mtrr_write_changes(const struct p2mk_mt_event *ev)
{
	const uint64_t e_fe = P2MK_MTRR_DEF_E | P2MK_MTRR_DEF_FE;
	if (ev->old_value == ev->new_value)
		return false;
	/* xen §3, table "memory_type_changed is called from the setters". */
	if (ev->msr == P2MK_MSR_MTRR_DEF_TYPE)
		return ((ev->old_value ^ ev->new_value) &
		        (e_fe | P2MK_MTRR_DEF_TYPE_MASK)) != 0;
	if (p2mk_mtrr_fixed_msr_index(ev->msr) >= 0)
		return (ev->def_type & e_fe) == e_fe;
	if (ev->msr >= P2MK_MSR_MTRR_PHYSBASE0 &&
	    ev->msr < P2MK_MSR_MTRR_PHYSBASE0 + 2 * P2MK_MTRR_VCNT_MAX)
		return (ev->def_type & P2MK_MTRR_DEF_E) != 0;
	return false; /* PAT lives in the VMCS: no EMT involvement */
}

static void xen_ept_decide(const struct p2mk_policy_view *v,
                           const struct p2mk_policy_query *q,
                           struct p2mk_policy_out *o)
{
	p2mk_pol_xen_ept_decide(v, q, o, false);
}

/*
 * memory_type_changed(d) at HEAD (xen §8.1): the EMT resync runs only if
 * cache_flush_permitted(d) holds (condition 1; the is_iommu_enabled term
 * was dropped by 2d779cabdd) -- xen §16 defect 2.
 */
static bool mtc(const struct p2mk_mt_event *ev, const char **why)
{
	if (!ev->cfp_after) {
		*why = "memory_type_changed: !cache_flush_permitted, nothing "
		       "done (xen §8.1 c1, §16 defect 2)";
		return false;
	}
	*why = "memory_type_changed: EMT resync (xen §8.1)";
	return true;
}

static bool xen_ept_resync(const struct p2mk_policy_view *v,
                           const struct p2mk_mt_event *ev, const char **why)
{
	switch (ev->kind) {
	case P2MK_EV_MTRR_WRITE:
		if (!p2mk_pol_xen_mtrr_write_changes(ev)) {
			*why = "MTRR setter: no relevant change, no call "
			       "(xen §3)";
			return false;
		}
		return mtc(ev, why);
	case P2MK_EV_PIN_ADD:
	case P2MK_EV_PIN_UPDATE:
		/* xen §7 "Flush after change". */
		if (ev->pin_type == P2MK_MT_UC || ev->pin_type == P2MK_MT_UCM ||
		    ev->pin_type == P2MK_MT_WC)
			return mtc(ev, why);
		*why = "pin: p2m_memory_type_changed only (xen §7)";
		return true;
	case P2MK_EV_PIN_DEL:
		if (ev->pin_type == P2MK_MT_WB || ev->pin_type == P2MK_MT_WP ||
		    ev->pin_type == P2MK_MT_WT)
			return mtc(ev, why);
		*why = "pin delete: p2m_memory_type_changed only (xen §7)";
		return true;
	case P2MK_EV_IOMEM_PERMIT:
	case P2MK_EV_IOMEM_DENY: {
		/* xen §8.3: only without IOMMU and when cfp flips. */
		bool flip = ev->kind == P2MK_EV_IOMEM_PERMIT
		                ? !ev->cfp_before && ev->cfp_after
		                : ev->cfp_before && !ev->cfp_after;
		if (v->cfg->iommu || !flip) {
			*why = "iomem caps: IOMMU on or cfp unchanged, no "
			       "call (xen §8.3)";
			return false;
		}
		return mtc(ev, why);
	}
	case P2MK_EV_DEV_ASSIGN:
	case P2MK_EV_DEV_DEASSIGN:
		*why = "device assignment never calls memory_type_changed "
		       "(xen §16 defect 2)";
		return false;
	default:
		*why = "configuration change: full resync";
		return true;
	}
}

const struct p2mk_policy p2mk_policy_xen_ept = {
    .name = "xen-ept",
    .summary = "Xen HEAD on Intel EPT: epte_get_entry_emt, lazy resync",
    .source = "xen-reference-behaviour.md §6, §7, §8 (c447b7308b)",
    .arch = P2MK_ARCH_X86_EPT,
    .decide = xen_ept_decide,
    .resync = xen_ept_resync,
};
