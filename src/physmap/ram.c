// SPDX-License-Identifier: BSD-2-Clause
/*
 * RAM operations: populate_physmap, decrease_reservation, and
 * add_to_physmap with XENMAPSPACE_gmfn / gmfn_range (xen §12.3).
 */
#include "internal.h"

static bool order_ok(const struct p2mk_physmap *pm, unsigned order)
{
	unsigned level = order / 9;
	return order % 9 == 0 && level < P2MK_PT_MAX_LEVELS &&
	       (pm->p2m->pt.fmt.leaf_levels & (1u << level));
}

static unsigned io_order(const struct p2mk_physmap *pm, unsigned order)
{
	return order < pm->iommu_order ? order : pm->iommu_order;
}

enum p2mk_err p2mk_physmap_populate(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                    uint64_t count, unsigned order,
                                    struct p2mk_physmap_counts *c)
{
	uint64_t n = P2MK_BIT(order);
	if (c == NULL || count == 0 || !order_ok(pm, order) ||
	    (gfn.v | count) & (n - 1))
		return P2MK_ERR_INVAL;
	struct pm_snap s = pm_begin(pm);
	enum p2mk_err err = P2MK_OK;
	c->hypercalls++;
	for (uint64_t done = 0; done < count && err == P2MK_OK; done += n) {
		p2mk_mfn_t mfn;
		c->iterations++;
		if (!pm->frames.alloc(pm->frames.ctx, n, &mfn)) {
			err = P2MK_ERR_NOMEM;
			break;
		}
		err = pm_set(pm, p2mk_gfn(gfn.v + done), mfn, order,
		             P2MK_P2M_RAM_RW, io_order(pm, order));
		if (err != P2MK_OK) {
			pm->frames.free(pm->frames.ctx, mfn, n);
			break;
		}
		c->flush_points++;
		pm_flush_point(pm);
		c->pages_done += n;
	}
	pm_end(pm, &s, c);
	return err;
}

/* Remove the RAM page at @gfn (if any): unmap, flush point, free. */
static enum p2mk_err remove_page(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                 struct p2mk_physmap_counts *c)
{
	p2mk_mfn_t mfn;
	if (!pm_ram_at(pm, gfn, &mfn))
		return P2MK_OK;
	enum p2mk_err err = pm_clear(pm, gfn, 1);
	if (err != P2MK_OK)
		return err;
	pm_release(pm, mfn, 1);
	c->flush_points++;
	pm_flush_point(pm);
	return P2MK_OK;
}

enum p2mk_err p2mk_physmap_decrease(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                    uint64_t count,
                                    struct p2mk_physmap_counts *c)
{
	if (c == NULL || count == 0)
		return P2MK_ERR_INVAL;
	struct pm_snap s = pm_begin(pm);
	enum p2mk_err err = P2MK_OK;
	c->hypercalls++;
	for (uint64_t i = 0; i < count && err == P2MK_OK; i++) {
		c->iterations++;
		err = remove_page(pm, p2mk_gfn(gfn.v + i), c);
		if (err == P2MK_OK)
			c->pages_done++;
	}
	pm_end(pm, &s, c);
	return err;
}

/*
 * xenmem_add_to_physmap_one(XENMAPSPACE_gmfn) for one page: the source
 * must be RAM (ram_rw or logdirty); a RAM page at the destination is
 * replaced and freed, its flush synchronous (dea460d869); the moved frame
 * is never freed: its reference moves with it.  The steps run so that
 * every failure can be undone without memory (the IOMMU model reserves
 * its records first; a 4 KiB leaf just cleared leaves its table behind):
 * nothing changed on error.
 */
enum p2mk_err pm_move_page(struct p2mk_physmap *pm, p2mk_gfn_t src,
                           p2mk_gfn_t dst, struct p2mk_physmap_counts *c)
{
	struct p2mk_p2m_entry e, d, now;
	if (p2mk_p2m_get(pm->p2m, src, &e) != P2MK_OK)
		return P2MK_ERR_NOENT;
	if (e.type != P2MK_P2M_RAM_RW && e.type != P2MK_P2M_RAM_LOGDIRTY)
		return P2MK_ERR_INVAL;
	if (src.v == dst.v)
		return P2MK_OK;
	bool displaced = p2mk_p2m_get(pm->p2m, dst, &d) == P2MK_OK;
	if (displaced && !p2mk_p2mt_is_ram(d.type))
		return P2MK_ERR_EXISTS;
	enum p2mk_err err = P2MK_OK;
	if (pm->iommu != NULL)
		err = p2mk_iommu_reserve(pm->iommu, 16);
	if (err == P2MK_OK)
		err = pm_clear(pm, src, 1);
	if (err != P2MK_OK)
		return err;
	if (displaced)
		err = pm_clear(pm, dst, 1);
	if (err == P2MK_OK)
		err = pm_set(pm, dst, e.mfn, 0, P2MK_P2M_RAM_RW, 0);
	if (err != P2MK_OK) {
		if (displaced && p2mk_p2m_get(pm->p2m, dst, &now) != P2MK_OK)
			(void)pm_set(pm, dst, d.mfn, 0, d.type, 0);
		(void)pm_set(pm, src, e.mfn, 0, e.type, 0);
		return err;
	}
	if (displaced) {
		pm_release(pm, d.mfn, 1);
		c->flush_points++;
		if (pm->iommu != NULL) /* never deferred: the page is freed */
			p2mk_iommu_flush(pm->iommu);
	}
	return P2MK_OK;
}

enum p2mk_err p2mk_physmap_add_one(struct p2mk_physmap *pm, p2mk_gfn_t src,
                                   p2mk_gfn_t dst,
                                   struct p2mk_physmap_counts *c)
{
	return p2mk_physmap_relocate(pm, src, dst, 1, P2MK_RELOC_PER_PAGE, c);
}
