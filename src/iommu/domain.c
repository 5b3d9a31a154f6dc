// SPDX-License-Identifier: BSD-2-Clause
/*
 * The IOMMU domain: its tables (shared with a p2m or its own), the hooks
 * that turn every table change into gather ranges and every freed table
 * page into a deferred release, and the operations that change the
 * tables.  Flushing and releasing live in flush.c.
 */
#include "internal.h"

#define DEFER_TABLE  UINT64_C(1)
#define DEFER_FRAMES UINT64_C(2)

static const char *const mode_names[] = {"strict", "lazy", "unsafe"};

const char *p2mk_iommu_mode_name(enum p2mk_iommu_mode mode)
{
	return (unsigned)mode < 3 ? mode_names[mode] : "?";
}

/* pt told us entries that were present changed (inv §4.2 rule 2). */
static void hook_inval(void *ctx, p2mk_gfn_t gfn, uint64_t count, bool nonleaf)
{
	struct p2mk_iommu *io = ctx;
	gather_add(&io->g, gfn, count);
	io->g.modified = true;
	io->g.nonleaf |= nonleaf;
	if (io->chained.inval != NULL)
		io->chained.inval(io->chained.ctx, gfn, count, nonleaf);
}

/* pt detached a table page: it waits for the flush (inv §4.2 rule 7). */
static void hook_free_table(void *ctx, void *table)
{
	struct p2mk_iommu *io = ctx;
	if (io->cfg.mode == P2MK_IOMMU_UNSAFE) {
		/* ACRN's pool: reused before the flush (inv §6.1) */
		iommu_violation(io, "table page freed before its flush");
		io->mm.free_page(io->mm.ctx, table);
		io->stats.tables_freed++;
		return;
	}
	struct iommu_rec r = {
	    DEFER_TABLE, io->mm.virt_to_phys(io->mm.ctx, table), 1, io->gen};
	if (vec_push(&io->deferred, &io->mm, r) == P2MK_OK)
		return;
	/* No memory to remember it: make it safe now instead. */
	iommu_forced_domain_flush(io);
	io->mm.free_page(io->mm.ctx, table);
	io->stats.tables_freed++;
}

static enum p2mk_err check_config(const struct p2mk_iommu_config *cfg)
{
	if (cfg == NULL || cfg->caps.cost_desc == 0 ||
	    cfg->caps.mamv > P2MK_VTD_AM_MAX ||
	    (unsigned)cfg->rule >= P2MK_INV_RULE_COUNT ||
	    (unsigned)cfg->mode > P2MK_IOMMU_UNSAFE ||
	    (cfg->mode == P2MK_IOMMU_LAZY && cfg->fq_size == 0))
		return P2MK_ERR_INVAL;
	return P2MK_OK;
}

static void init_common(struct p2mk_iommu *io,
                        const struct p2mk_iommu_config *cfg,
                        const struct p2mk_mm_ops *mm,
                        const struct p2mk_iommu_owner *owner)
{
	*io = (struct p2mk_iommu){.cfg = *cfg, .mm = *mm};
	if (owner != NULL)
		io->owner = *owner;
}

enum p2mk_err p2mk_iommu_init_separate(struct p2mk_iommu *io,
                                       const struct p2mk_iommu_config *cfg,
                                       const struct p2mk_pt_fmt *fmt,
                                       const struct p2mk_mm_ops *mm,
                                       const struct p2mk_iommu_owner *owner)
{
	enum p2mk_err err = check_config(cfg);
	if (err != P2MK_OK || fmt == NULL || mm == NULL)
		return P2MK_ERR_INVAL;
	bool vtd = cfg->caps.hw == P2MK_IOMMU_VTD;
	if (fmt->kind != (vtd ? P2MK_PT_VTD_SL : P2MK_PT_AMDV1))
		return P2MK_ERR_INVAL;
	init_common(io, cfg, mm, owner);
	struct p2mk_pt_sync sync = {hook_inval, hook_free_table, io};
	err = p2mk_pt_init(&io->own, fmt, mm, &sync);
	if (err != P2MK_OK)
		return err;
	io->pt = &io->own;
	return P2MK_OK;
}

enum p2mk_err p2mk_iommu_init_shared(struct p2mk_iommu *io,
                                     const struct p2mk_iommu_config *cfg,
                                     struct p2mk_pt *pt, unsigned sllps,
                                     const struct p2mk_mm_ops *mm,
                                     const struct p2mk_iommu_owner *owner)
{
	enum p2mk_err err = check_config(cfg);
	if (err != P2MK_OK || pt == NULL || mm == NULL)
		return P2MK_ERR_INVAL;
	/* Only EPT reads as a VT-d second-stage table, and only if VT-d
	 * has every superpage size the EPT uses (Xen's condition for
	 * iommu_hap_pt_share). */
	if (cfg->caps.hw != P2MK_IOMMU_VTD || pt->fmt.kind != P2MK_PT_EPT ||
	    (pt->fmt.leaf_levels & ~(sllps | 1u)) != 0)
		return P2MK_ERR_UNSUPPORTED;
	init_common(io, cfg, mm, owner);
	io->pt = pt;
	io->shared = true;
	io->chained = pt->sync;
	struct p2mk_pt_sync sync = {hook_inval, hook_free_table, io};
	p2mk_pt_set_sync(pt, &sync);
	return P2MK_OK;
}

void p2mk_iommu_destroy(struct p2mk_iommu *io)
{
	if (!io->shared)
		p2mk_pt_destroy(&io->own); /* tables go to the deferred list */
	p2mk_iommu_flush(io);
	if (io->shared)
		p2mk_pt_set_sync(io->pt, &io->chained);
	vec_free(&io->stale, &io->mm);
	vec_free(&io->deferred, &io->mm);
}

/* ---- changing the tables --------------------------------------------- */

/* Capture changes the gather only in caching mode (cap_hole), so only
 * then is it worth copying: marks are taken once per p2m entry. */
void p2mk_iommu_mark(const struct p2mk_iommu *io, struct p2mk_iommu_mark *m)
{
	if (io->cfg.caps.cm)
		m->g = io->g;
	m->stale_n = io->stale.n;
	m->captured = io->stats.captured;
}

void p2mk_iommu_undo(struct p2mk_iommu *io, const struct p2mk_iommu_mark *m)
{
	if (io->cfg.caps.cm)
		io->g = m->g;
	vec_truncate(&io->stale, &io->mm, m->stale_n);
	io->stats.captured = m->captured;
}

enum p2mk_err p2mk_iommu_capture(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                                 uint64_t count)
{
	if (count == 0)
		return P2MK_ERR_INVAL;
	struct p2mk_iommu_mark m;
	p2mk_iommu_mark(io, &m);
	enum p2mk_err err = iotlb_capture(io, gfn, count);
	if (err != P2MK_OK)
		p2mk_iommu_undo(io, &m);
	return err;
}

enum p2mk_err p2mk_iommu_reserve(struct p2mk_iommu *io, unsigned records)
{
	if (records > 100)
		return P2MK_ERR_INVAL;
	return vec_reserve(&io->stale, &io->mm, records);
}

/* Capture, then map or unmap; undo the capture if the change fails. */
static enum p2mk_err change(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                            uint64_t count, p2mk_mfn_t mfn, unsigned perm,
                            unsigned max_order, bool map)
{
	if (io->shared)
		return P2MK_ERR_UNSUPPORTED;
	struct p2mk_iommu_mark m;
	p2mk_iommu_mark(io, &m);
	enum p2mk_err err = p2mk_iommu_capture(io, gfn, count);
	if (err != P2MK_OK)
		return err;
	if (map) {
		struct p2mk_pt_attrs a = {(uint8_t)perm, 0, 0, 0, 0};
		err = p2mk_pt_map(io->pt, gfn, mfn, count, &a, max_order,
		                  P2MK_PT_MAP_REPLACE);
	} else {
		err = p2mk_pt_unmap(io->pt, gfn, count);
	}
	if (err != P2MK_OK)
		p2mk_iommu_undo(io, &m);
	return err;
}

enum p2mk_err p2mk_iommu_map(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                             p2mk_mfn_t mfn, uint64_t count, unsigned perm,
                             unsigned max_order)
{
	if ((perm & ~(P2MK_PT_R | P2MK_PT_W)) != 0 || perm == 0)
		return P2MK_ERR_INVAL;
	enum p2mk_err err = change(io, gfn, count, mfn, perm, max_order, true);
	if (err == P2MK_OK && io->cfg.check)
		p2mk_iommu_check_frames(io, mfn, count);
	return err;
}

enum p2mk_err p2mk_iommu_unmap(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                               uint64_t count)
{
	return change(io, gfn, count, p2mk_mfn(0), 0, 0, false);
}

void p2mk_iommu_release_frames(struct p2mk_iommu *io, p2mk_mfn_t first,
                               uint64_t count)
{
	if (count == 0)
		return;
	if (io->cfg.mode != P2MK_IOMMU_UNSAFE) {
		struct iommu_rec r = {DEFER_FRAMES, first.v, count, io->gen};
		if (vec_push(&io->deferred, &io->mm, r) == P2MK_OK)
			return;
		iommu_forced_domain_flush(io);
	}
	iommu_put_frames(io, first.v, count);
}

void iommu_put_frames(struct p2mk_iommu *io, uint64_t mfn, uint64_t count)
{
	if (io->cfg.check && iotlb_refs_mfn(io, mfn, count))
		iommu_violation(io, "frame freed while the IOTLB may reach it");
	io->stats.frames_released += count;
	if (io->owner.put_frames != NULL)
		io->owner.put_frames(io->owner.ctx, p2mk_mfn(mfn), count);
}

/* Release what the last flush made safe; tables only after a full one. */
static bool keep_deferred(void *ctx, struct iommu_rec *r)
{
	struct p2mk_iommu *io = ctx;
	if (r->a == DEFER_TABLE) {
		if (r->d >= io->gen)
			return true;
		io->mm.free_page(io->mm.ctx,
		                 io->mm.phys_to_virt(io->mm.ctx, r->b));
		io->stats.tables_freed++;
		return false;
	}
	if (iotlb_refs_mfn(io, r->b, r->c))
		return true;
	iommu_put_frames(io, r->b, r->c);
	return false;
}

void iommu_release_deferred(struct p2mk_iommu *io)
{
	vec_filter(&io->deferred, &io->mm, keep_deferred, io);
}
