// SPDX-License-Identifier: BSD-2-Clause
/*
 * MMIO mappings as Xen makes them (xen §11): mmio_order() by era, the
 * map_mmio_regions() loop of at most 64 p2m entries per call with
 * partial progress, re-invoked by the toolstack, and set_mmio_p2m_entry's
 * treatment of what was there (identical MMIO: no-op; RAM: replaced, its
 * M2P entries zapped and its frames freed after the flush).
 */
#include "internal.h"

unsigned p2mk_physmap_mmio_order(const struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                 p2mk_mfn_t mfn, uint64_t count,
                                 enum p2mk_mmio_era era)
{
	uint64_t fn = gfn.v | mfn.v;
	unsigned leaves = pm->p2m->pt.fmt.leaf_levels;
	/* 4K when unaligned or short (xen §11.1 rule 1), and always before
	 * c3c756bde3 */
	if ((fn & (P2MK_BIT(9) - 1)) || count < P2MK_BIT(9) || !(leaves & 2u) ||
	    era == P2MK_MMIO_XEN_4K)
		return 0;
	/* before a5b0eb3636: 4K unless the IOMMU shares the p2m tables */
	if (era == P2MK_MMIO_XEN_2016 && pm->iommu != NULL &&
	    !pm->iommu->shared)
		return 0;
	if (era == P2MK_MMIO_1G && !(fn & (P2MK_BIT(18) - 1)) &&
	    count >= P2MK_BIT(18) && (leaves & 4u))
		return 18;
	return 9;
}

/* What a block holds: leaves, RAM pages among them, the first leaf. */
struct scan {
	struct p2mk_physmap *pm;
	uint64_t leaves, ram, other;
	struct p2mk_p2m_entry first;
	p2mk_gfn_t first_gfn;
	bool stop_at_first;
};

static int scan_leaf(void *ctx, const struct p2mk_pt_leaf *leaf)
{
	struct scan *s = ctx;
	struct p2mk_p2m_entry e;
	if (p2mk_p2m_get(s->pm->p2m, leaf->gfn, &e) != P2MK_OK)
		return 0;
	if (s->leaves++ == 0) {
		s->first = e;
		s->first_gfn = leaf->gfn;
	}
	if (p2mk_p2mt_is_ram(e.type))
		s->ram += P2MK_BIT(leaf->order);
	else
		s->other++;
	return s->stop_at_first;
}

/*
 * Replace the RAM in [gfn, gfn + n): leaf by leaf, each cleared whole
 * (no split, so no memory) and its frames released after the flush that
 * covers them.  Xen zaps the M2P entry of every page (xen §11.1 rule 2).
 */
static enum p2mk_err drop_ram(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                              uint64_t n, struct p2mk_physmap_counts *c)
{
	uint64_t at = gfn.v, end = gfn.v + n;
	while (at < end) {
		struct scan s = {.pm = pm, .stop_at_first = true};
		(void)p2mk_pt_walk(&pm->p2m->pt, p2mk_gfn(at), end - at, 0,
		                   scan_leaf, &s, NULL);
		if (s.leaves == 0)
			break;
		/* the leaf, clipped to the block (a larger one is split) */
		uint64_t size = P2MK_BIT(s.first.order);
		uint64_t a = s.first_gfn.v > at ? s.first_gfn.v : at;
		uint64_t b =
		    s.first_gfn.v + size < end ? s.first_gfn.v + size : end;
		p2mk_mfn_t mfn = p2mk_mfn(s.first.mfn.v + (a - s.first_gfn.v));
		enum p2mk_err err = pm_clear(pm, p2mk_gfn(a), b - a);
		if (err != P2MK_OK)
			return err;
		pm_release(pm, mfn, b - a);
		c->m2p_zaps += b - a;
		c->iterations += b - a;
		at = b;
	}
	return P2MK_OK;
}

/* set_mmio_p2m_entry(): one p2m entry of 2^order frames (xen §11.2). */
static enum p2mk_err mmio_entry(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                p2mk_mfn_t mfn, unsigned order,
                                struct p2mk_physmap_counts *c)
{
	uint64_t n = P2MK_BIT(order);
	struct scan s = {.pm = pm};
	(void)p2mk_pt_walk(&pm->p2m->pt, gfn, n, 0, scan_leaf, &s, NULL);
	if (s.other > 0) {
		/* only an identical re-map of special types is allowed */
		bool same = s.leaves == 1 && s.first.order == order &&
		            s.first.type == P2MK_P2M_MMIO_DIRECT &&
		            s.first.mfn.v == mfn.v;
		return same ? P2MK_OK : P2MK_ERR_EXISTS;
	}
	if (s.ram > 0) {
		enum p2mk_err err = drop_ram(pm, gfn, n, c);
		if (err != P2MK_OK)
			return err;
	}
	unsigned io_order = order < pm->iommu_order ? order : pm->iommu_order;
	return pm_set_known(pm, gfn, mfn, order, P2MK_P2M_MMIO_DIRECT, io_order,
	                    s.leaves == 0);
}

/* One map_mmio_regions() call: up to 64 entries; pages done. */
static enum p2mk_err mmio_call(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                               p2mk_mfn_t mfn, uint64_t count,
                               enum p2mk_mmio_era era, bool map,
                               struct p2mk_physmap_counts *c, uint64_t *done)
{
	*done = 0;
	for (unsigned it = 0; it < P2MK_MAP_MMIO_MAX_ITER && *done < count;
	     it++) {
		p2mk_gfn_t g = p2mk_gfn(gfn.v + *done);
		p2mk_mfn_t m = p2mk_mfn(mfn.v + *done);
		unsigned order =
		    p2mk_physmap_mmio_order(pm, g, m, count - *done, era);
		enum p2mk_err err = map ? mmio_entry(pm, g, m, order, c)
		                        : pm_clear(pm, g, P2MK_BIT(order));
		if (err != P2MK_OK)
			return err;
		c->iterations++;
		/* shared: ept_set_entry flushes per entry; separate:
		 * iommu_legacy_map/unmap flushes once per call of one entry
		 * (xen §11.3) */
		c->flush_points++;
		pm_flush_point(pm);
		*done += P2MK_BIT(order);
	}
	return P2MK_OK;
}

/* The toolstack's loop: re-invoke while calls make partial progress. */
static enum p2mk_err mmio_loop(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                               p2mk_mfn_t mfn, uint64_t count,
                               enum p2mk_mmio_era era, bool map,
                               struct p2mk_physmap_counts *c)
{
	uint64_t lim = pm->p2m->pt.gfn_limit;
	if (c == NULL || count == 0 || gfn.v >= lim || count > lim - gfn.v ||
	    (unsigned)era > P2MK_MMIO_XEN_4K)
		return P2MK_ERR_INVAL;
	struct pm_snap s = pm_begin(pm);
	enum p2mk_err err = P2MK_OK;
	uint64_t at = 0;
	while (at < count && err == P2MK_OK) {
		uint64_t done = 0;
		c->hypercalls++;
		err = mmio_call(pm, p2mk_gfn(gfn.v + at), p2mk_mfn(mfn.v + at),
		                count - at, era, map, c, &done);
		at += done;
		c->pages_done += done;
	}
	pm_end(pm, &s, c);
	return err;
}

enum p2mk_err p2mk_physmap_mmio_map(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                    p2mk_mfn_t mfn, uint64_t count,
                                    enum p2mk_mmio_era era,
                                    struct p2mk_physmap_counts *c)
{
	return mmio_loop(pm, gfn, mfn, count, era, true, c);
}

enum p2mk_err p2mk_physmap_mmio_unmap(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                      uint64_t count, enum p2mk_mmio_era era,
                                      struct p2mk_physmap_counts *c)
{
	/* unmap_mmio_regions picks orders from gfn alone (mfn 0) */
	return mmio_loop(pm, gfn, p2mk_mfn(0), count, era, false, c);
}
