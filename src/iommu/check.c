// SPDX-License-Identifier: BSD-2-Clause
/*
 * The safety checker (inv §6): no frame that is free or another domain's
 * may be reachable through the tables or the model IOTLB, and after a
 * flush the IOTLB holds nothing the tables disagree with.  Incremental
 * checks run where things change (release, map, flush); the audit walks
 * everything.
 */
#include "internal.h"

void iommu_violation(struct p2mk_iommu *io, const char *what)
{
	if (io->stats.violations++ == 0)
		io->stats.first_violation = what;
}

bool p2mk_iommu_check_frames(struct p2mk_iommu *io, p2mk_mfn_t first,
                             uint64_t count)
{
	if (io->owner.owned == NULL ||
	    io->owner.owned(io->owner.ctx, first, count))
		return true;
	iommu_violation(io, "a frame the domain does not own is reachable");
	return false;
}

static int audit_leaf(void *ctx, const struct p2mk_pt_leaf *leaf)
{
	struct p2mk_iommu *io = ctx;
	p2mk_iommu_check_frames(io, leaf->mfn, P2MK_BIT(leaf->order));
	return 0;
}

uint64_t p2mk_iommu_audit(struct p2mk_iommu *io, bool after_flush)
{
	uint64_t before = io->stats.violations;
	p2mk_pt_walk(io->pt, p2mk_gfn(0), io->pt->gfn_limit, 0, audit_leaf, io,
	             NULL);
	struct vec_it it = {0};
	const struct iommu_rec *r;
	while ((r = vec_next(&io->stale, &it)) != NULL) {
		if ((r->d & STALE_NEG) == 0)
			p2mk_iommu_check_frames(io, p2mk_mfn(r->c), r->b);
	}
	if (after_flush)
		iotlb_after_flush(io);
	return io->stats.violations - before;
}

enum p2mk_err p2mk_iommu_translate(const struct p2mk_iommu *io, p2mk_gfn_t gfn,
                                   p2mk_mfn_t *mfn, unsigned *perm, bool *stale)
{
	struct p2mk_pt_leaf leaf;
	enum p2mk_err err = p2mk_pt_lookup(io->pt, gfn, &leaf);
	*stale = iotlb_stale_at(io, gfn.v);
	*mfn = p2mk_mfn(0);
	*perm = 0;
	if (err != P2MK_OK)
		return *stale && err == P2MK_ERR_NOENT ? P2MK_OK : err;
	*mfn = p2mk_mfn(leaf.mfn.v + (gfn.v - leaf.gfn.v));
	*perm = leaf.attrs.perm & (P2MK_PT_R | P2MK_PT_W);
	return P2MK_OK;
}

struct p2mk_iommu_stats p2mk_iommu_get_stats(const struct p2mk_iommu *io)
{
	return io->stats;
}
