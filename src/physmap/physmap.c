// SPDX-License-Identifier: BSD-2-Clause
/*
 * physmap core: set-up, the accounting every operation shares, and the
 * two primitives that keep the IOMMU in step with the p2m -- for shared
 * tables the model IOTLB records the old translations before the p2m
 * writes (the p2m's pt reports the change to the IOMMU's gather itself);
 * for separate tables the same change is mirrored into the IOMMU's own
 * tables, as Xen's p2m code calls iommu_legacy_map/unmap (xen §12.2).
 */
#include "internal.h"

enum p2mk_err p2mk_physmap_init(struct p2mk_physmap *pm, struct p2mk_p2m *p2m,
                                struct p2mk_iommu *iommu,
                                const struct p2mk_frame_ops *frames,
                                unsigned iommu_order)
{
	if (pm == NULL || p2m == NULL || frames == NULL ||
	    frames->alloc == NULL || frames->free == NULL ||
	    (iommu_order != 0 && iommu_order != 9 && iommu_order != 18))
		return P2MK_ERR_INVAL;
	if (iommu != NULL && iommu->shared && iommu->pt != &p2m->pt)
		return P2MK_ERR_INVAL;
	*pm = (struct p2mk_physmap){p2m, iommu, *frames, iommu_order};
	return P2MK_OK;
}

struct pm_snap pm_begin(const struct p2mk_physmap *pm)
{
	struct pm_snap s = {pm->p2m->pt.stats, {0}, {0}};
	if (pm->iommu != NULL) {
		s.io = pm->iommu->stats;
		if (!pm->iommu->shared)
			s.own = pm->iommu->own.stats;
	}
	return s;
}

static uint64_t allocated(const struct p2mk_pt_stats *now,
                          const struct p2mk_pt_stats *then)
{
	return (now->table_pages - then->table_pages) +
	       (now->tables_freed - then->tables_freed);
}

void pm_end(const struct p2mk_physmap *pm, const struct pm_snap *s,
            struct p2mk_physmap_counts *c)
{
	const struct p2mk_pt_stats *p = &pm->p2m->pt.stats;
	c->p2m_entries += p->leaves_written - s->p2m.leaves_written;
	c->tables_alloc += allocated(p, &s->p2m);
	c->tables_freed += p->tables_freed - s->p2m.tables_freed;
	if (pm->iommu == NULL)
		return;
	const struct p2mk_iommu_stats *io = &pm->iommu->stats;
	if (!pm->iommu->shared) {
		const struct p2mk_pt_stats *o = &pm->iommu->own.stats;
		c->iommu_entries += o->leaves_written - s->own.leaves_written;
		c->tables_alloc += allocated(o, &s->own);
		c->tables_freed += o->tables_freed - s->own.tables_freed;
	}
	c->descs += io->descs - s->io.descs;
	c->domain_descs += io->domain_descs - s->io.domain_descs;
	c->flushes += io->flushes - s->io.flushes;
}

/* IOMMU permissions of a p2m type (read-only types stay read-only). */
static unsigned io_perm(enum p2mk_p2mt type)
{
	if (type == P2MK_P2M_RAM_RO || type == P2MK_P2M_GRANT_RO)
		return P2MK_PT_R;
	return P2MK_PT_R | P2MK_PT_W;
}

static bool separate(const struct p2mk_physmap *pm)
{
	return pm->iommu != NULL && !pm->iommu->shared;
}

enum p2mk_err pm_set(struct p2mk_physmap *pm, p2mk_gfn_t gfn, p2mk_mfn_t mfn,
                     unsigned order, enum p2mk_p2mt type, unsigned io_order)
{
	return pm_set_known(pm, gfn, mfn, order, type, io_order, false);
}

enum p2mk_err pm_set_known(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                           p2mk_mfn_t mfn, unsigned order, enum p2mk_p2mt type,
                           unsigned io_order, bool empty)
{
	struct p2mk_iommu *io = pm->iommu;
	struct p2mk_iommu_mark m;
	uint64_t n = P2MK_BIT(order);
	/* an empty block holds nothing to capture unless holes are cached */
	bool capture = io != NULL && io->shared && !(empty && !io->cfg.caps.cm);
	if (capture) {
		p2mk_iommu_mark(io, &m);
		enum p2mk_err err = p2mk_iommu_capture(io, gfn, n);
		if (err != P2MK_OK)
			return err;
	}
	enum p2mk_err err = p2mk_p2m_set(pm->p2m, gfn, mfn, order, type);
	if (err == P2MK_OK && separate(pm)) {
		err = p2mk_iommu_map(io, gfn, mfn, n, io_perm(type), io_order);
		if (err != P2MK_OK) /* a 2^order leaf we just wrote: no split */
			(void)p2mk_p2m_clear(pm->p2m, gfn, n);
	}
	if (err != P2MK_OK && capture)
		p2mk_iommu_undo(io, &m);
	if (err == P2MK_OK && io != NULL && io->cfg.check)
		p2mk_iommu_check_frames(io, mfn, n);
	return err;
}

struct restore_ctx {
	struct p2mk_physmap *pm;
	uint64_t lo, hi;
};

/* Re-map the IOMMU from one p2m leaf (clipped to the range). */
static int restore_leaf(void *ctx, const struct p2mk_pt_leaf *leaf)
{
	struct restore_ctx *r = ctx;
	struct p2mk_p2m_entry e;
	uint64_t a = leaf->gfn.v > r->lo ? leaf->gfn.v : r->lo;
	uint64_t b = leaf->gfn.v + P2MK_BIT(leaf->order);
	if (b > r->hi)
		b = r->hi;
	if (p2mk_p2m_get(r->pm->p2m, p2mk_gfn(a), &e) != P2MK_OK ||
	    !p2mk_p2mt_present(e.type))
		return 0;
	(void)p2mk_iommu_map(r->pm->iommu, p2mk_gfn(a), e.mfn, b - a,
	                     io_perm(e.type), r->pm->iommu_order);
	return 0;
}

/*
 * Separate tables: the IOMMU first (its failure changes nothing), then
 * the p2m; if the p2m cannot split, the IOMMU gets back what the p2m
 * still says (into tables that already exist: no memory needed unless
 * whole tables went, which a range the p2m must split cannot free).
 */
static enum p2mk_err clear_separate(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                    uint64_t count)
{
	enum p2mk_err err = p2mk_iommu_unmap(pm->iommu, gfn, count);
	if (err != P2MK_OK)
		return err;
	err = p2mk_p2m_clear(pm->p2m, gfn, count);
	if (err != P2MK_OK) {
		struct restore_ctx r = {pm, gfn.v, gfn.v + count};
		(void)p2mk_pt_walk(&pm->p2m->pt, gfn, count, 0, restore_leaf,
		                   &r, NULL);
	}
	return err;
}

enum p2mk_err pm_clear(struct p2mk_physmap *pm, p2mk_gfn_t gfn, uint64_t count)
{
	struct p2mk_iommu *io = pm->iommu;
	if (separate(pm))
		return clear_separate(pm, gfn, count);
	struct p2mk_iommu_mark m;
	if (io != NULL) {
		p2mk_iommu_mark(io, &m);
		enum p2mk_err err = p2mk_iommu_capture(io, gfn, count);
		if (err != P2MK_OK)
			return err;
	}
	enum p2mk_err err = p2mk_p2m_clear(pm->p2m, gfn, count);
	if (err != P2MK_OK && io != NULL)
		p2mk_iommu_undo(io, &m);
	return err;
}

void pm_flush_point(struct p2mk_physmap *pm)
{
	if (pm->iommu != NULL)
		p2mk_iommu_flush_point(pm->iommu);
}

void pm_release(struct p2mk_physmap *pm, p2mk_mfn_t mfn, uint64_t count)
{
	if (pm->iommu != NULL)
		p2mk_iommu_release_frames(pm->iommu, mfn, count);
	else
		pm->frames.free(pm->frames.ctx, mfn, count);
}

bool pm_ram_at(const struct p2mk_physmap *pm, p2mk_gfn_t gfn, p2mk_mfn_t *mfn)
{
	struct p2mk_p2m_entry e;
	if (p2mk_p2m_get(pm->p2m, gfn, &e) != P2MK_OK ||
	    !p2mk_p2mt_is_ram(e.type))
		return false;
	*mfn = e.mfn;
	return true;
}
