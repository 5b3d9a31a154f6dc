// SPDX-License-Identifier: BSD-2-Clause
/*
 * The policy's decisions as a domain applies them: the view a policy
 * reads, one decision for a block, and how an answer becomes the
 * permissions and memory-type fields of a page-table entry.
 *
 * Spec: xen-reference-behaviour.md §6 (the decision), §9.5 (EMT 7 for a
 * deferred split), §10 (types and their permissions).
 */
#include "internal.h"

void p2mk_p2m_view(const struct p2mk_p2m *p, struct p2mk_policy_view *v)
{
	*v = (struct p2mk_policy_view){
	    .cfg = &p->cfg,
	    .vcpu_mtrr = p->vcpu,
	    .host_mtrr = p->have_host ? &p->host : NULL,
	    .io = p->io,
	    .mmio_ro = p->mmio_ro,
	    .special = p->special,
	    .pinned = p->pinned,
	    .nio = p->nio,
	    .nmmio_ro = p->nmmio_ro,
	    .nspecial = p->nspecial,
	    .npinned = p->npinned,
	    .ioports = p->ioports,
	    .pdevs = p->pdevs,
	    .cur_vcpu = p->cur_vcpu,
	    .guest_cd = p->vcpu_cd[p->cur_vcpu >= 0 ? p->cur_vcpu : 0],
	};
}

void p2mk_p2mi_decide(const struct p2mk_p2m *p, int vcpu, enum p2mk_p2mt type,
                      unsigned order, p2mk_gfn_t gfn, p2mk_mfn_t mfn,
                      struct p2mk_policy_out *o)
{
	struct p2mk_policy_view v;
	struct p2mk_policy_query q = {type, order, gfn, mfn};
	p2mk_p2m_view(p, &v);
	v.cur_vcpu = vcpu;
	v.guest_cd = p->vcpu_cd[vcpu >= 0 ? vcpu : 0];
	p->policy->decide(&v, &q, o);
}

static bool in_ranges(const struct p2mk_mfn_range *r, unsigned n, p2mk_mfn_t f)
{
	for (unsigned i = 0; i < n; i++) {
		if (p2mk_mfn_range_has(&r[i], f))
			return true;
	}
	return false;
}

struct p2mk_pt_attrs p2mk_p2mi_base_attrs(const struct p2mk_p2m *p,
                                          enum p2mk_p2mt type, p2mk_mfn_t mfn)
{
	struct p2mk_pt_attrs a = {.sw = (uint8_t)type};
	switch (type) {
	case P2MK_P2M_RAM_RO:
	case P2MK_P2M_RAM_LOGDIRTY:
	case P2MK_P2M_RAM_SHARED: /* copy-on-write: writes fault (xen §10) */
		a.perm = P2MK_PT_R | P2MK_PT_X;
		break;
	case P2MK_P2M_IOREQ_SERVER: /* writes go to the ioreq server */
		a.perm = P2MK_PT_R;
		break;
	case P2MK_P2M_MMIO_DIRECT:
		a.perm = P2MK_PT_R | P2MK_PT_X;
		if (!in_ranges(p->mmio_ro, p->nmmio_ro, mfn))
			a.perm |= P2MK_PT_W;
		break;
	case P2MK_P2M_GRANT_RW:
	case P2MK_P2M_FOREIGN:
		a.perm = P2MK_PT_R | P2MK_PT_W;
		break;
	case P2MK_P2M_GRANT_RO:
		a.perm = P2MK_PT_R;
		break;
	default:
		a.perm = P2MK_PT_R | P2MK_PT_W | P2MK_PT_X;
		break;
	}
	if (p->cfg.arch == P2MK_ARCH_ARM64)
		a.sh = 3; /* inner shareable (arm64 §6.1) */
	return a;
}

/*
 * The memory-type fields of an answer.  MIXED becomes the pending form:
 * EMT 7 on EPT (the misconfiguration Xen writes, xen §9.5), else the
 * type field unchanged, plus the recalc mark.
 */
void p2mk_p2mi_apply_out(const struct p2mk_p2m *p,
                         const struct p2mk_policy_out *o,
                         struct p2mk_pt_attrs *a)
{
	a->flags &= (uint16_t) ~(P2MK_PT_IPAT | P2MK_PT_RECALC);
	if (o->kind != P2MK_POL_TYPE) {
		if (p->cfg.arch == P2MK_ARCH_X86_EPT)
			a->mt = P2MK_MT_UCM; /* 7 */
		a->flags |= P2MK_PT_RECALC;
		return;
	}
	switch (p->cfg.arch) {
	case P2MK_ARCH_X86_EPT:
		a->mt = o->emt;
		if (o->ipat)
			a->flags |= P2MK_PT_IPAT;
		break;
	case P2MK_ARCH_X86_NPT:
		a->mt = o->hpat_index;
		break;
	default:
		a->mt = o->s2attr;
		break;
	}
}

bool p2mk_p2mi_same_type(const struct p2mk_pt_attrs *x,
                         const struct p2mk_pt_attrs *y)
{
	return x->mt == y->mt &&
	       (x->flags & P2MK_PT_IPAT) == (y->flags & P2MK_PT_IPAT);
}
