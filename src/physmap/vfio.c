// SPDX-License-Identifier: BSD-2-Clause
/*
 * The KVM/VFIO counterpart of a passthrough BAR (landscape pain point
 * 10): VFIO type1 DMA-maps the PFNMAP region one host mapping at a time
 * (4 KiB PTEs before Linux 6.12's huge pfnmaps, then PMD or PUD), the
 * IOMMU gets the largest leaves it allows, and KVM installs stage-2 leaves
 * on faults, one per host mapping the guest touches.
 */
#include "internal.h"

static enum p2mk_err vfio_map(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                              p2mk_mfn_t mfn, uint64_t count, uint64_t step,
                              struct p2mk_physmap_counts *c)
{
	/* vfio_pin_pages_remote: one pin per host mapping (the iterations
	 * that fell 256K-fold with PUDs), then iommu_map of the run */
	c->iterations += count / step;
	enum p2mk_err err = p2mk_iommu_map(
	    pm->iommu, gfn, mfn, count, P2MK_PT_R | P2MK_PT_W, pm->iommu_order);
	if (err != P2MK_OK)
		return err;
	c->flush_points++;
	pm_flush_point(pm);
	return P2MK_OK;
}

/* KVM: one stage-2 fault per host mapping, a leaf of its size. */
static enum p2mk_err kvm_faults(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                p2mk_mfn_t mfn, uint64_t count, unsigned order,
                                struct p2mk_physmap_counts *c)
{
	uint64_t step = P2MK_BIT(order);
	for (uint64_t at = 0; at < count; at += step) {
		c->iterations++;
		enum p2mk_err err = p2mk_p2m_set(pm->p2m, p2mk_gfn(gfn.v + at),
		                                 p2mk_mfn(mfn.v + at), order,
		                                 P2MK_P2M_MMIO_DIRECT);
		if (err != P2MK_OK) {
			if (at > 0)
				(void)p2mk_p2m_clear(pm->p2m, gfn, at);
			return err;
		}
	}
	return P2MK_OK;
}

enum p2mk_err p2mk_physmap_vfio_bar(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                    p2mk_mfn_t mfn, uint64_t count,
                                    enum p2mk_pfnmap_level level,
                                    struct p2mk_physmap_counts *c)
{
	unsigned order = (unsigned)level;
	uint64_t step = P2MK_BIT(order);
	if (c == NULL || count == 0 ||
	    (order != 0 && order != 9 && order != 18) ||
	    ((gfn.v | mfn.v | count) & (step - 1)))
		return P2MK_ERR_INVAL;
	if (pm->iommu == NULL || pm->iommu->shared)
		return P2MK_ERR_UNSUPPORTED; /* VFIO has its own tables */
	struct pm_snap s = pm_begin(pm);
	c->hypercalls++; /* the VFIO_IOMMU_MAP_DMA ioctl */
	enum p2mk_err err = vfio_map(pm, gfn, mfn, count, step, c);
	if (err == P2MK_OK) {
		err = kvm_faults(pm, gfn, mfn, count, order, c);
		if (err != P2MK_OK) {
			(void)p2mk_iommu_unmap(pm->iommu, gfn, count);
			pm_flush_point(pm);
		}
	}
	if (err == P2MK_OK)
		c->pages_done += count;
	pm_end(pm, &s, c);
	return err;
}
