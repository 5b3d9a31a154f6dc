// SPDX-License-Identifier: BSD-2-Clause
/*
 * Xen on Intel EPT with the superpage defect fixed: a block gets one EMT
 * only if every 4 KiB page of it gets that EMT from Xen's own rules at
 * order 0 (xen §6 with mtrr_get_type at order 0, xen §4), guest and host
 * MTRRs combined; otherwise it is split, and it is never split when all
 * its pages agree.  Xen's mtrr_get_type(order > 0) instead cuts a range's
 * mask below the block size, so a small range inside a block types all of
 * it, and it returns "split" whenever either lookup is not uniform even
 * if the combination is (xen §16 defect 3; docs/xen-findings.md §4).
 *
 * The block is not walked page by page: it is halved only where an input
 * of the decision changes inside it (the boundary of an MTRR range, a
 * pinned range, a read-only MMIO or special range), so the work grows
 * with the number of such boundaries times the order, not with 2^order.
 * The recomputation rule (when Xen resyncs) is xen-ept's.
 */
#include "internal.h"

struct exact_walk {
	const struct p2mk_policy_view *v;
	const struct p2mk_policy_query *q;
	const struct p2mk_mtrr_state *gm;
	const struct p2mk_policy_out *xen; /* compare against; NULL: decide */
	struct p2mk_policy_out first;
	bool have_first;
	bool uniform;
	uint64_t differ;
	uint64_t first_differ;
	uint64_t pieces;
};

static bool same_out(const struct p2mk_policy_out *a,
                     const struct p2mk_policy_out *b)
{
	if (a->kind != b->kind)
		return false;
	return a->kind != P2MK_POL_TYPE ||
	       (a->emt == b->emt && a->ipat == b->ipat);
}

static bool mtrrs_uniform(const struct exact_walk *w, uint64_t gfn,
                          uint64_t mfn, unsigned order)
{
	/* Order 0 of Xen's lookup is the SDM rule with "last hit" for an
	 * undefined overlap (xen §4 step 8): P2MK_OVERLAP_XEN. */
	if (w->gm != NULL &&
	    p2mk_mtrr_lookup(w->gm, p2mk_gfn_to_gpa(p2mk_gfn(gfn)), order,
	                     P2MK_OVERLAP_XEN)
	            .kind != P2MK_LOOKUP_TYPE)
		return false;
	return w->v->host_mtrr == NULL ||
	       p2mk_mtrr_lookup_host(w->v->host_mtrr,
	                             p2mk_mfn_to_hpa(p2mk_mfn(mfn)), order,
	                             P2MK_OVERLAP_XEN)
	               .kind == P2MK_LOOKUP_TYPE;
}

/*
 * Does every page of the 2^@order piece at offset @off get the same
 * order-0 answer?  Checked row by row in Xen's order (xen §6), so inputs
 * a decided row hides (the MTRRs under a pinned range, say) cut nothing.
 */
static bool piece_uniform(const struct exact_walk *w, uint64_t off,
                          unsigned order)
{
	const struct p2mk_policy_view *v = w->v;
	const enum p2mk_p2mt type = w->q->type;
	const uint64_t n = p2mk_order_frames(order);
	const uint64_t gfn = w->q->gfn.v + off, mfn = w->q->mfn.v + off;
	if (p2mk_ranges_overlap(v->mmio_ro, v->nmmio_ro, p2mk_mfn(mfn), n))
		return p2mk_ranges_contain(v->mmio_ro, v->nmmio_ro,
		                           p2mk_mfn(mfn), n); /* row 1 */
	if (type != P2MK_P2M_MMIO_DIRECT && !v->cfg->iommu &&
	    !p2mk_view_cache_flush_permitted(v))
		return true; /* row 2 */
	uint64_t sp =
	    p2mk_ranges_covered(v->special, v->nspecial, p2mk_mfn(mfn), n);
	if (sp != 0)
		return sp == n; /* row 3 */
	if (type == P2MK_P2M_MMIO_DIRECT || type == P2MK_P2M_GRANT_RW ||
	    type == P2MK_P2M_GRANT_RO || type == P2MK_P2M_FOREIGN)
		return true; /* rows 4, 4' */
	int pinned = p2mk_xen_pinned_lookup(v, p2mk_gfn(gfn), order);
	if (pinned != -1)
		return pinned >= 0;               /* rows 5, 5' */
	return mtrrs_uniform(w, gfn, mfn, order); /* rows 6, 7 */
}

/* A uniform piece: its pages' common answer, taken at its first page. */
static void visit_piece(struct exact_walk *w, uint64_t off, unsigned order)
{
	struct p2mk_policy_query q0 = {w->q->type, 0,
	                               p2mk_gfn(w->q->gfn.v + off),
	                               p2mk_mfn(w->q->mfn.v + off)};
	struct p2mk_policy_out a;
	p2mk_pol_xen_ept_decide(w->v, &q0, &a, false);
	w->pieces++;
	if (!w->have_first) {
		w->first = a;
		w->have_first = true;
	} else if (!same_out(&a, &w->first)) {
		w->uniform = false;
	}
	if (w->xen != NULL && w->xen->kind != P2MK_POL_MIXED &&
	    !same_out(&a, w->xen)) {
		if (w->differ == 0)
			w->first_differ = q0.gfn.v;
		w->differ += p2mk_order_frames(order);
	}
}

/* NOLINTNEXTLINE(misc-no-recursion): depth is bounded by the order. */
static void walk(struct exact_walk *w, uint64_t off, unsigned order)
{
	if (w->xen == NULL && !w->uniform)
		return; /* deciding only: one difference settles it */
	if (order == 0 || piece_uniform(w, off, order)) {
		visit_piece(w, off, order);
		return;
	}
	walk(w, off, order - 1);
	walk(w, off + p2mk_order_frames(order - 1), order - 1);
}

static void run(struct exact_walk *w)
{
	w->gm = p2mk_view_guest_mtrr(w->v);
	w->uniform = true;
	walk(w, 0, w->q->order);
}

static void decide(const struct p2mk_policy_view *v,
                   const struct p2mk_policy_query *q, struct p2mk_policy_out *o)
{
	if (!p2mk_p2mt_present(q->type) || q->order == 0) {
		p2mk_pol_xen_ept_decide(v, q, o, false);
		o->special_checks = 0;
		return;
	}
	struct exact_walk w = {.v = v, .q = q};
	run(&w);
	*o = (struct p2mk_policy_out){0};
	if (!w.uniform) {
		pol_kind(o, P2MK_POL_MIXED, "pages differ at order 0: split",
		         "xen §6 per 4 KiB page (xen §16 defect 3 fixed)");
		return;
	}
	*o = w.first;
	o->special_checks = 0;
}

void p2mk_xen_ept_truth(const struct p2mk_policy_view *v,
                        const struct p2mk_policy_query *q,
                        const struct p2mk_policy_out *xen,
                        struct p2mk_xen_ept_truth *t)
{
	*t = (struct p2mk_xen_ept_truth){0};
	decide(v, q, &t->truth);
	if (!p2mk_p2mt_present(q->type))
		return;
	struct exact_walk w = {.v = v, .q = q, .xen = xen};
	run(&w);
	t->differ = w.differ;
	t->first_differ = p2mk_gfn(w.first_differ);
	t->pieces = w.pieces;
	t->needless_split =
	    xen->kind == P2MK_POL_MIXED && t->truth.kind == P2MK_POL_TYPE;
}

static bool resync(const struct p2mk_policy_view *v,
                   const struct p2mk_mt_event *ev, const char **why)
{
	return p2mk_policy_xen_ept.resync(v, ev, why);
}

const struct p2mk_policy p2mk_policy_xen_ept_exact = {
    .name = "xen-ept-exact",
    .summary = "Xen EPT with exact superpage EMTs (mtrr_get_type fixed)",
    .source = "xen-reference-behaviour.md §6 per page, §4, §16 defect 3",
    .arch = P2MK_ARCH_X86_EPT,
    .decide = decide,
    .resync = resync,
};
