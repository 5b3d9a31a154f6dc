// SPDX-License-Identifier: BSD-2-Clause
/*
 * Flush points and flushes: strict (iommu_iotlb_sync at the end of every
 * operation, inv §4.2 rules 5-7), lazy (a flush queue with size and age
 * limits, inv §5), Xen's ranged flushes after a gmfn_range batch
 * (xen §12.3), and the synchronous domain flush taken when bookkeeping
 * memory runs out.  Every flush applies what its descriptors decode to
 * onto the model IOTLB, then releases what became unreachable.
 */
#include "internal.h"

struct flush_ctx {
	struct p2mk_iommu *io;
	struct inv_list l;
};

static void flush_emit(void *ctx, const struct p2mk_inv_desc *enc)
{
	struct flush_ctx *f = ctx;
	struct p2mk_inv_desc d;
	f->io->stats.descs++;
	if (p2mk_inv_decode(&f->io->cfg.caps, enc->raw, &d) != P2MK_OK) {
		iommu_violation(f->io, "descriptor the IOMMU rejects");
		return;
	}
	if (d.domain) {
		f->io->stats.domain_descs++;
		f->l.domain = true;
		return;
	}
	uint64_t size = P2MK_BIT(d.order);
	struct p2mk_inv_range *last = f->l.n ? &f->l.r[f->l.n - 1] : NULL;
	if (last != NULL && d.first.v >= last->first.v &&
	    d.first.v <= last->first.v + last->count) {
		uint64_t end = d.first.v + size;
		if (end > last->first.v + last->count)
			last->count = end - last->first.v;
		return;
	}
	if (f->l.n == INV_LIST_MAX) {
		iotlb_invalidate(f->io, &f->l); /* apply what we have so far */
		f->l.n = 0;
	}
	f->l.r[f->l.n++] = (struct p2mk_inv_range){d.first, size};
}

/* Issue one invalidation batch for @r and apply it to the model. */
static uint64_t issue(struct p2mk_iommu *io, const struct p2mk_inv_range *r,
                      uint32_t n, bool nonleaf)
{
	struct flush_ctx f = {io, {.n = 0}};
	struct p2mk_inv_result res = {0, 0, 0, false};
	enum p2mk_inv_rule rule = io->cfg.rule;
	uint64_t before = io->stats.descs;
	if (io->cfg.mode == P2MK_IOMMU_LAZY && rule != P2MK_INV_MIN) {
		/* Linux's flush queue ends in flush_iotlb_all (inv §5) */
		struct p2mk_inv_desc d = p2mk_inv_encode_block(
		    &io->cfg.caps, true, p2mk_gfn(0), 0, true);
		flush_emit(&f, &d);
	} else if (p2mk_inv_build(&io->cfg.caps, rule, r, n, nonleaf,
	                          flush_emit, &f, &res) != P2MK_OK) {
		iommu_violation(io, "gather the builder refuses");
	}
	io->stats.flushes++;
	io->stats.extra_pages += res.extra_pages;
	iotlb_invalidate(io, &f.l);
	return io->stats.descs - before;
}

static bool needs_flush(const struct p2mk_iommu *io)
{
	/* Not-present entries are cached only in caching mode (xen §12.5) */
	return io->g.n > 0 && (io->g.modified || io->cfg.caps.cm);
}

/* The gather is empty now: everything gathered has been invalidated. */
static void complete(struct p2mk_iommu *io)
{
	/* ranges past n are never read: resetting the count and flags is
	 * enough, and keeps a flush point with nothing gathered cheap */
	io->g.n = 0;
	io->g.modified = false;
	io->g.added = false;
	io->g.nonleaf = false;
	io->gen++;
	io->fq_n = 0;
	iommu_release_deferred(io);
	if (io->cfg.check)
		iotlb_after_flush(io);
}

uint64_t p2mk_iommu_flush(struct p2mk_iommu *io)
{
	uint64_t descs = 0;
	if (needs_flush(io))
		descs = issue(io, io->g.r, io->g.n, io->g.nonleaf);
	else if (io->g.n > 0)
		io->stats.skipped++;
	complete(io);
	return descs;
}

uint64_t p2mk_iommu_flush_point(struct p2mk_iommu *io)
{
	if (io->cfg.mode != P2MK_IOMMU_LAZY) {
		uint64_t before = io->stats.flushes;
		p2mk_iommu_flush(io);
		return io->stats.flushes - before;
	}
	if (io->g.n == 0 && io->deferred.n == 0)
		return 0;
	io->stats.queued++;
	if (io->fq_n++ == 0)
		io->fq_oldest = io->now;
	if (io->fq_n >= io->cfg.fq_size) {
		io->stats.fq_full++;
		uint64_t before = io->stats.flushes;
		p2mk_iommu_flush(io);
		return io->stats.flushes - before;
	}
	return 0;
}

void p2mk_iommu_advance(struct p2mk_iommu *io, uint64_t now)
{
	io->now = now;
	if (io->cfg.mode == P2MK_IOMMU_LAZY && io->fq_n > 0 &&
	    io->cfg.fq_timeout != 0 &&
	    now - io->fq_oldest >= io->cfg.fq_timeout) {
		io->stats.fq_aged++;
		p2mk_iommu_flush(io);
	}
}

uint64_t p2mk_iommu_flush_window(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                                 uint64_t count)
{
	struct p2mk_inv_range part[P2MK_IOMMU_GATHER_MAX];
	uint32_t n = gather_take_window(&io->g, gfn.v, gfn.v + count, part);
	uint64_t descs = 0;
	if (n > 0 && (io->g.modified || io->cfg.caps.cm))
		descs = issue(io, part, n, io->g.nonleaf);
	else if (n > 0)
		io->stats.skipped++;
	if (io->g.n == 0)
		complete(io);
	else
		iommu_release_deferred(io); /* frames only: gen unchanged */
	return descs;
}

void p2mk_iommu_gather_range(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                             uint64_t count)
{
	if (count == 0)
		return;
	gather_add(&io->g, gfn, count);
	io->g.modified = true;
}

void iommu_forced_domain_flush(struct p2mk_iommu *io)
{
	io->stats.forced++;
	io->stats.flushes++;
	io->stats.descs++;
	io->stats.domain_descs++;
	vec_free(&io->stale, &io->mm);
}
