// SPDX-License-Identifier: BSD-2-Clause
/*
 * A domain's memory map on top of pt: its life cycle, set/get/clear with
 * the policy applied, guest accesses (which take the misconfig exits of
 * the lazy strategies, recalc.c) and the audit oracle.
 *
 * Spec: xen-reference-behaviour.md §9.5 (a mixed block is stored pending,
 * its split deferred to the first access), §6 row 0 (no current vCPU).
 */
#include "internal.h"
/* ---- lifecycle ------------------------------------------------------- */
static void count_inval(void *ctx, p2mk_gfn_t gfn, uint64_t count, bool nonleaf)
{
	struct p2mk_p2m *p = ctx;
	(void)gfn;
	(void)count;
	(void)nonleaf;
	p->stats.invals++;
}

static const struct p2mk_pt_fmt *arch_fmt(enum p2mk_arch arch)
{
	switch (arch) {
	case P2MK_ARCH_X86_EPT:
		return &p2mk_pt_fmt_ept4;
	case P2MK_ARCH_X86_NPT:
		return &p2mk_pt_fmt_npt;
	case P2MK_ARCH_ARM64:
		return &p2mk_pt_fmt_arm_s2_l4;
	default:
		return NULL;
	}
}

/* Can p2m keep this domain in tables of format @f?  (See cfg->fmt.) */
static bool fmt_usable(const struct p2mk_pt_fmt *f, enum p2mk_arch arch)
{
	uint16_t need = P2MK_PT_RECALC;
	if (arch == P2MK_ARCH_X86_EPT)
		need |= P2MK_PT_IPAT;
	return p2mk_pt_fmt_check(f) == P2MK_OK &&
	       p2mk_pt_fmt_root_pages(f) == 1 && (f->leaf_levels & 7u) == 7u &&
	       (f->flags_ok & need) == need && f->sw_bits >= 4;
}

enum p2mk_err p2mk_p2m_init(struct p2mk_p2m *p,
                            const struct p2mk_p2m_config *cfg,
                            const struct p2mk_policy *policy,
                            enum p2mk_recalc strategy,
                            const struct p2mk_mm_ops *mm)
{
	const struct p2mk_pt_fmt *fmt = cfg == NULL ? NULL
	                                : cfg->fmt != NULL
	                                    ? cfg->fmt
	                                    : arch_fmt(cfg->arch);
	if (fmt == NULL || !fmt_usable(fmt, cfg->arch) || policy == NULL ||
	    mm == NULL || policy->arch != cfg->arch ||
	    strategy > P2MK_RECALC_EXACT || cfg->nvcpus == 0 ||
	    cfg->nvcpus > P2MK_P2M_MAX_VCPUS || cfg->paddr_bits < 32 ||
	    cfg->paddr_bits > 52 || mm->alloc_page == NULL ||
	    mm->free_page == NULL || mm->phys_to_virt == NULL ||
	    mm->virt_to_phys == NULL)
		return P2MK_ERR_INVAL;
	uint64_t *shadow = mm->alloc_page(mm->ctx);
	if (shadow == NULL)
		return P2MK_ERR_NOMEM;
	struct p2mk_pt_sync sync = {count_inval, NULL, p};
	enum p2mk_err err = p2mk_pt_init(&p->pt, fmt, mm, &sync);
	if (err) {
		mm->free_page(mm->ctx, shadow);
		return err;
	}
	struct p2mk_pt pt = p->pt;
	*p = (struct p2mk_p2m){
	    .cfg = *cfg,
	    .policy = policy,
	    .strategy = strategy,
	    .pt = pt,
	    .mm = *mm,
	    .shadow = shadow,
	    .cur_vcpu = -1,
	};
	/* xen §2.3: VCNT 8, FIX and WC, MTRRs disabled, reset PAT.  The
	 * configuration is valid for every paddr_bits checked above. */
	struct p2mk_mtrr_config mc = {8, cfg->paddr_bits, true, true};
	for (unsigned i = 0; i < P2MK_P2M_MAX_VCPUS; i++)
		P2MK_BUG_ON(p2mk_mtrr_init(&p->vcpu[i], &mc) != P2MK_OK);
	P2MK_BUG_ON(p2mk_mtrr_init(&p->host, &mc) != P2MK_OK);
	return P2MK_OK;
}

void p2mk_p2m_destroy(struct p2mk_p2m *p)
{
	/* The mark tree's shape comes from the format: free it first. */
	p2mk_p2mi_free_marks(p);
	p2mk_pt_destroy(&p->pt);
}

struct p2mk_p2m_stats p2mk_p2m_get_stats(const struct p2mk_p2m *p)
{
	return p->stats;
}

/* ---- set / get / clear ----------------------------------------------- */
static int any_leaf(void *ctx, const struct p2mk_pt_leaf *leaf)
{
	(void)ctx;
	(void)leaf;
	return 1;
}

enum p2mk_err p2mk_p2m_set(struct p2mk_p2m *p, p2mk_gfn_t gfn_t,
                           p2mk_mfn_t mfn_t, unsigned order,
                           enum p2mk_p2mt type)
{
	uint64_t gfn = gfn_t.v, mfn = mfn_t.v;
	if (!p2mk_p2mt_present(type) || order % 9 != 0 ||
	    !(p->pt.fmt.leaf_levels & (1u << (order / 9))))
		return P2MK_ERR_INVAL;
	uint64_t n = UINT64_C(1) << order;
	if ((gfn | mfn) & (n - 1))
		return P2MK_ERR_INVAL;
	if (gfn >= p->pt.gfn_limit || gfn + n > p->pt.gfn_limit)
		return P2MK_ERR_RANGE;
	int found = 0;
	enum p2mk_err err =
	    p2mk_pt_walk(&p->pt, p2mk_gfn(gfn), n, 0, any_leaf, NULL, &found);
	if (err)
		return err;
	if (found)
		return P2MK_ERR_EXISTS;
	struct p2mk_policy_out o;
	/* Toolstack/hypercall context: no current vCPU (xen §6 row 0). */
	p2mk_p2mi_decide(p, -1, type, order, gfn_t, mfn_t, &o);
	if (o.kind == P2MK_POL_REFUSED || o.kind == P2MK_POL_NONE)
		return o.kind == P2MK_POL_REFUSED ? P2MK_ERR_UNSUPPORTED
		                                  : P2MK_ERR_INVAL;
	struct p2mk_pt_attrs a = p2mk_p2mi_base_attrs(p, type, mfn_t);
	p2mk_p2mi_apply_out(p, &o, &a);
	err = p2mk_pt_map(&p->pt, gfn_t, mfn_t, n, &a, order, 0);
	if (err)
		return err;
	/* Counted once the decision took effect. */
	p->stats.special_checks += o.special_checks;
	p2mk_p2mi_unmark(p, gfn, gfn + n - 1);
	if (o.kind == P2MK_POL_MIXED && p->strategy == P2MK_RECALC_EXACT) {
		/* Split at once; a split that cannot get memory stays marked,
		 * which keeps the call all-or-nothing for the mapping. */
		p2mk_p2mi_exact_range(p, gfn, gfn + n - 1);
	}
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_clear(struct p2mk_p2m *p, p2mk_gfn_t gfn, uint64_t count)
{
	enum p2mk_err err = p2mk_pt_unmap(&p->pt, gfn, count);
	if (err == P2MK_OK)
		p2mk_p2mi_unmark(p, gfn.v, gfn.v + count - 1);
	return err;
}

enum p2mk_err p2mk_p2m_get(const struct p2mk_p2m *p, p2mk_gfn_t gfn,
                           struct p2mk_p2m_entry *e)
{
	struct p2mk_pt_leaf lf;
	enum p2mk_err err = p2mk_pt_lookup(&p->pt, gfn, &lf);
	if (err)
		return err;
	*e = (struct p2mk_p2m_entry){
	    .mfn = p2mk_mfn(lf.mfn.v + (gfn.v - lf.gfn.v)),
	    .type = (enum p2mk_p2mt)lf.attrs.sw,
	    .order = (uint8_t)lf.order,
	    .attrs = lf.attrs,
	    .pending = p2mk_p2mi_pending(p, gfn.v),
	};
	return P2MK_OK;
}

/* ---- guest accesses -------------------------------------------------- */
enum p2mk_err p2mk_p2m_touch(struct p2mk_p2m *p, p2mk_gfn_t gfn_t,
                             unsigned vcpu, bool *exited)
{
	uint64_t gfn = gfn_t.v;
	*exited = false;
	if (vcpu >= p->cfg.nvcpus)
		return P2MK_ERR_INVAL;
	if (gfn >= p->pt.gfn_limit)
		return P2MK_ERR_RANGE;
	if (p2mk_p2mi_pending(p, gfn)) {
		p->cur_vcpu = (int)vcpu;
		enum p2mk_err err = p2mk_p2mi_resolve(p, gfn);
		p->cur_vcpu = -1;
		if (err)
			return err;
		p->stats.exits++;
		*exited = true;
	}
	struct p2mk_pt_leaf lf;
	return p2mk_pt_lookup(&p->pt, p2mk_gfn(gfn), &lf);
}

enum p2mk_err p2mk_p2m_resolve_all(struct p2mk_p2m *p, unsigned vcpu)
{
	uint64_t cur = 0, lim = p->pt.gfn_limit;
	while (cur < lim) {
		struct p2mk_p2mi_batch b = {.n = 0};
		enum p2mk_err err =
		    p2mk_pt_walk(&p->pt, p2mk_gfn(cur), lim - cur, 0,
		                 p2mk_p2mi_collect, &b, NULL);
		if (err)
			return err;
		if (b.n == 0)
			return P2MK_OK;
		uint64_t next = cur;
		bool again = false;
		for (unsigned i = 0; i < b.n && !again; i++) {
			const struct p2mk_pt_leaf *lf = &b.leaf[i];
			uint64_t g = lf->gfn.v < cur ? cur : lf->gfn.v;
			bool ex = false;
			if (p2mk_p2mi_pending(p, g)) {
				err = p2mk_p2m_touch(p, p2mk_gfn(g), vcpu, &ex);
				if (err && err != P2MK_ERR_NOENT)
					return err;
			}
			if (ex) {
				next = g; /* look at the result again */
				again = true;
			} else {
				next = lf->gfn.v + p2mi_span(lf->level);
			}
		}
		cur = next;
	}
	return P2MK_OK;
}

struct audit_ctx {
	const struct p2mk_p2m *p;
	uint64_t pending, stale;
};

static int audit_leaf(void *ctx, const struct p2mk_pt_leaf *lf)
{
	struct audit_ctx *a = ctx;
	if (p2mk_p2mi_pending(a->p, lf->gfn.v)) {
		a->pending++;
		return 0;
	}
	struct p2mk_policy_out o;
	p2mk_p2mi_decide(a->p, -1, (enum p2mk_p2mt)lf->attrs.sw, lf->order,
	                 lf->gfn, lf->mfn, &o);
	struct p2mk_pt_attrs na = lf->attrs;
	if (o.kind != P2MK_POL_TYPE) {
		a->stale++;
		return 0;
	}
	p2mk_p2mi_apply_out(a->p, &o, &na);
	if (!p2mk_p2mi_same_type(&na, &lf->attrs))
		a->stale++;
	return 0;
}

void p2mk_p2m_audit(const struct p2mk_p2m *p, uint64_t *pending,
                    uint64_t *stale)
{
	struct audit_ctx a = {p, 0, 0};
	enum p2mk_err err = p2mk_pt_walk(&p->pt, p2mk_gfn(0), p->pt.gfn_limit,
	                                 0, audit_leaf, &a, NULL);
	P2MK_BUG_ON(err != P2MK_OK); /* the whole input range is valid */
	*pending = a.pending;
	*stale = a.stale;
}
