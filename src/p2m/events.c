// SPDX-License-Identifier: BSD-2-Clause
/*
 * Memory-type change events of a domain: guest MTRR/PAT writes, pinned
 * cache attributes, I/O ranges and ports, PCI devices, read-only MMIO and
 * special pages, host MTRRs and CR0.CD.  Each change is described to the
 * policy's resync rule, which decides whether the domain's strategy
 * recomputes types.
 *
 * Spec: xen-reference-behaviour.md §3 and §8 (when memory_type_changed
 * runs), §7 (pinned ranges).
 */
#include "internal.h"
/* Tell the policy about @ev; recompute [first, last] if it says so. */
static void changed(struct p2mk_p2m *p, const struct p2mk_mt_event *ev,
                    uint64_t first, uint64_t last)
{
	struct p2mk_policy_view v;
	const char *why = "";
	p->cur_vcpu = -1;
	p2mk_p2m_view(p, &v);
	if (!p->policy->resync(&v, ev, &why)) {
		p->stats.ignored++;
		return;
	}
	p->stats.resyncs++;
	p2mk_p2mi_recalc_range(p, first, last);
}

/* ---- memory-type changes --------------------------------------------- */
/* Guest frames a variable pair can match: [base & mask, that | ~mask]. */
static void var_span(const struct p2mk_mtrr_state *m, unsigned n, uint64_t *lo,
                     uint64_t *hi)
{
	uint64_t addr = (UINT64_C(1) << m->maxphyaddr) - 1;
	uint64_t mask = m->var[n].mask & addr & ~UINT64_C(0xfff);
	uint64_t base = m->var[n].base & mask;
	if (!(m->var[n].mask & P2MK_MTRR_MASK_V)) {
		*lo = 1; /* empty */
		*hi = 0;
		return;
	}
	*lo = p2mk_pa_to_frame(base);
	*hi = p2mk_pa_to_frame(base | (~mask & addr));
}

enum p2mk_err p2mk_p2m_wrmsr(struct p2mk_p2m *p, unsigned vcpu, uint32_t msr,
                             uint64_t value, struct p2mk_gp *gp)
{
	if (vcpu >= p->cfg.nvcpus)
		return P2MK_ERR_INVAL;
	struct p2mk_mtrr_state *m = &p->vcpu[vcpu];
	uint64_t old = 0;
	enum p2mk_err rd = p2mk_mtrr_rdmsr(m, msr, &old, NULL);
	struct p2mk_mtrr_state before = *m;
	enum p2mk_err err = p2mk_mtrr_wrmsr(m, msr, value, gp);
	if (err)
		return err;
	/* Every MSR the model lets a guest write it also lets it read. */
	if (P2MK_WARN_ON(rd != P2MK_OK))
		old = 0;
	bool cfp = p2mi_cfp(p);
	struct p2mk_mt_event ev = {.kind = P2MK_EV_MTRR_WRITE,
	                           .cfp_before = cfp,
	                           .cfp_after = cfp,
	                           .msr = msr,
	                           .old_value = old,
	                           .new_value = value,
	                           .def_type = m->def_type};
	/* The guest range the write can affect (RANGE/EXACT only). */
	uint64_t first = 0, last = ~UINT64_C(0);
	if (p2mk_mtrr_fixed_msr_index(msr) >= 0) {
		last = 0xff; /* the first MiB */
	} else if (msr >= P2MK_MSR_MTRR_PHYSBASE0 &&
	           msr < P2MK_MSR_MTRR_PHYSBASE0 + 2 * P2MK_MTRR_VCNT_MAX) {
		unsigned n = (msr - P2MK_MSR_MTRR_PHYSBASE0) / 2;
		uint64_t a0, a1, b0, b1;
		var_span(&before, n, &a0, &a1);
		var_span(m, n, &b0, &b1);
		if (a0 > a1) {
			a0 = b0;
			a1 = b1;
		} else if (b0 <= b1) {
			a0 = a0 < b0 ? a0 : b0;
			a1 = a1 > b1 ? a1 : b1;
		}
		first = a0;
		last = a1;
	}
	changed(p, &ev, first, last);
	return P2MK_OK;
}

static bool pin_type_ok(enum p2mk_mt t)
{
	return t == P2MK_MT_UC || t == P2MK_MT_WC || t == P2MK_MT_WT ||
	       t == P2MK_MT_WP || t == P2MK_MT_WB || t == P2MK_MT_UCM;
}

enum p2mk_err p2mk_p2m_pin(struct p2mk_p2m *p, p2mk_gfn_t gfn, uint64_t count,
                           enum p2mk_mt type)
{
	uint64_t lim =
	    p2mk_gpa_to_gfn(p2mk_gpa(UINT64_C(1) << p->cfg.paddr_bits)).v;
	if (count == 0 || gfn.v >= lim || count > lim - gfn.v ||
	    !pin_type_ok(type))
		return P2MK_ERR_INVAL;
	uint64_t start = gfn.v, end = gfn.v + count - 1;
	/* d63b2c60f7: uncached types need an IOMMU or I/O resources. */
	if ((type == P2MK_MT_UC || type == P2MK_MT_UCM || type == P2MK_MT_WC) &&
	    !p->cfg.iommu && !p2mi_cfp(p))
		return P2MK_ERR_UNSUPPORTED;
	struct p2mk_mt_event ev = {.kind = P2MK_EV_PIN_ADD,
	                           .pin_type = type,
	                           .cfp_before = p2mi_cfp(p),
	                           .cfp_after = p2mi_cfp(p)};
	for (unsigned i = 0; i < p->npinned; i++) {
		struct p2mk_pinned *r = &p->pinned[i];
		uint64_t rend = r->gfn.v + (r->count - 1);
		if (r->gfn.v == start && r->count == count) {
			r->type = type;
			ev.kind = P2MK_EV_PIN_UPDATE;
			changed(p, &ev, start, end);
			return P2MK_OK;
		}
		if (start <= rend && end >= r->gfn.v)
			return P2MK_ERR_EXISTS; /* EBUSY */
	}
	if (p->npinned == P2MK_P2M_MAX_PINNED)
		return P2MK_ERR_NOMEM; /* ENOSPC (d484dcca79) */
	p->pinned[p->npinned++] = (struct p2mk_pinned){gfn, count, type};
	changed(p, &ev, start, end);
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_unpin(struct p2mk_p2m *p, p2mk_gfn_t gfn, uint64_t count)
{
	for (unsigned i = 0; i < p->npinned; i++) {
		if (p->pinned[i].gfn.v != gfn.v || p->pinned[i].count != count)
			continue;
		struct p2mk_mt_event ev = {.kind = P2MK_EV_PIN_DEL,
		                           .pin_type = p->pinned[i].type,
		                           .cfp_before = p2mi_cfp(p),
		                           .cfp_after = p2mi_cfp(p)};
		p->pinned[i] = p->pinned[--p->npinned];
		changed(p, &ev, gfn.v, gfn.v + count - 1);
		return P2MK_OK;
	}
	return P2MK_ERR_NOENT;
}

static void changed_all(struct p2mk_p2m *p, enum p2mk_mt_event_kind kind,
                        bool before)
{
	struct p2mk_mt_event ev = {
	    .kind = kind, .cfp_before = before, .cfp_after = p2mi_cfp(p)};
	changed(p, &ev, 0, ~UINT64_C(0));
}

/* A non-empty range that does not wrap the 64-bit frame space. */
static bool range_ok(p2mk_mfn_t first, uint64_t count)
{
	return count != 0 && first.v + (count - 1) >= first.v;
}

enum p2mk_err p2mk_p2m_iomem_permit(struct p2mk_p2m *p, p2mk_mfn_t first,
                                    uint64_t count, uint32_t flags)
{
	if (!range_ok(first, count))
		return P2MK_ERR_INVAL;
	if (p->nio == P2MK_P2M_MAX_IO)
		return P2MK_ERR_NOMEM;
	bool before = p2mi_cfp(p);
	p->io[p->nio++] = (struct p2mk_io_range){{first, count}, flags};
	changed_all(p, P2MK_EV_IOMEM_PERMIT, before);
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_iomem_deny(struct p2mk_p2m *p, p2mk_mfn_t first,
                                  uint64_t count)
{
	for (unsigned i = 0; i < p->nio; i++) {
		if (p->io[i].mfns.first.v != first.v ||
		    p->io[i].mfns.count != count)
			continue;
		bool before = p2mi_cfp(p);
		p->io[i] = p->io[--p->nio];
		changed_all(p, P2MK_EV_IOMEM_DENY, before);
		return P2MK_OK;
	}
	return P2MK_ERR_NOENT;
}

/*
 * One I/O-port range or PCI device more (@up) or fewer in *@n, told to
 * the policy as event @kind with cache_flush_permitted around it (xen
 * §8.3); P2MK_ERR_NOENT, nothing changed, when there is none to remove.
 */
static enum p2mk_err count_change(struct p2mk_p2m *p, unsigned *n, bool up,
                                  enum p2mk_mt_event_kind kind)
{
	if (!up && *n == 0)
		return P2MK_ERR_NOENT;
	bool before = p2mi_cfp(p);
	*n = up ? *n + 1 : *n - 1;
	changed_all(p, kind, before);
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_ioports_permit(struct p2mk_p2m *p)
{
	return count_change(p, &p->ioports, true, P2MK_EV_IOMEM_PERMIT);
}

enum p2mk_err p2mk_p2m_ioports_deny(struct p2mk_p2m *p)
{
	return count_change(p, &p->ioports, false, P2MK_EV_IOMEM_DENY);
}

enum p2mk_err p2mk_p2m_assign_device(struct p2mk_p2m *p)
{
	return count_change(p, &p->pdevs, true, P2MK_EV_DEV_ASSIGN);
}

enum p2mk_err p2mk_p2m_deassign_device(struct p2mk_p2m *p)
{
	return count_change(p, &p->pdevs, false, P2MK_EV_DEV_DEASSIGN);
}

static enum p2mk_err add_range(struct p2mk_p2m *p, struct p2mk_mfn_range *r,
                               unsigned *n, unsigned max, p2mk_mfn_t first,
                               uint64_t count)
{
	/* Xen keeps these lists as rangesets: adjacent and overlapping
	 * ranges merge (xen §6 "Range lists"). */
	enum p2mk_err err = p2mk_rangeset_insert(r, n, max, first, count);
	if (err)
		return err;
	changed_all(p, P2MK_EV_CONFIG, p2mi_cfp(p));
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_add_mmio_ro(struct p2mk_p2m *p, p2mk_mfn_t first,
                                   uint64_t count)
{
	return add_range(p, p->mmio_ro, &p->nmmio_ro, P2MK_P2M_MAX_RO, first,
	                 count);
}

enum p2mk_err p2mk_p2m_add_special(struct p2mk_p2m *p, p2mk_mfn_t first,
                                   uint64_t count)
{
	return add_range(p, p->special, &p->nspecial, P2MK_P2M_MAX_SPECIAL,
	                 first, count);
}

enum p2mk_err p2mk_p2m_set_host_mtrr(struct p2mk_p2m *p,
                                     const struct p2mk_mtrr_state *host)
{
	p->have_host = host != NULL;
	if (host != NULL)
		p->host = *host;
	changed_all(p, P2MK_EV_CONFIG, p2mi_cfp(p));
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_set_guest_cd(struct p2mk_p2m *p, unsigned vcpu, bool cd)
{
	if (vcpu >= p->cfg.nvcpus)
		return P2MK_ERR_INVAL;
	p->vcpu_cd[vcpu] = cd;
	changed_all(p, P2MK_EV_CONFIG, p2mi_cfp(p));
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_recalc(struct p2mk_p2m *p, p2mk_gfn_t gfn,
                              uint64_t count)
{
	if (count == 0)
		return P2MK_ERR_INVAL;
	p->stats.resyncs++;
	p2mk_p2mi_recalc_range(p, gfn.v, gfn.v + count - 1);
	return P2MK_OK;
}
