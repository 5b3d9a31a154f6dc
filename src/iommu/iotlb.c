// SPDX-License-Identifier: BSD-2-Clause
/*
 * The model IOTLB.  A device may cache any translation the tables held
 * since the last invalidation covering it (inv §6.1), and, with caching
 * mode, any not-present entry (inv §2.3).  The present translations are
 * the tables themselves; what the model must remember is the *old* ones:
 * before each change the range's translations are recorded as stale
 * (first gfn, count, first mfn, permissions), coalesced while gfn and mfn
 * both run on, so a million contiguous pages cost one record and a million
 * scattered ones 32 MB.  Invalidations remove what their decoded blocks
 * cover -- what the hardware does, so a descriptor that names too little
 * leaves the entry behind.
 */
#include "internal.h"

struct cap_ctx {
	struct p2mk_iommu *io;
	uint64_t next, hi;
	bool nomem;
};

static bool push_stale(struct p2mk_iommu *io, uint64_t gfn, uint64_t count,
                       uint64_t mfn, uint64_t flags)
{
	struct iommu_rec *l = vec_last(&io->stale);
	bool neg = flags & STALE_NEG;
	if (l != NULL && l->d == flags && l->a + l->b == gfn &&
	    (neg || l->c + l->b == mfn)) {
		l->b += count;
		return true;
	}
	struct iommu_rec r = {gfn, count, mfn, flags};
	if (vec_push(&io->stale, &io->mm, r) != P2MK_OK)
		return false;
	if (io->stale.n > io->stats.stale_peak)
		io->stats.stale_peak = io->stale.n;
	return true;
}

/* A hole [next, upto) of the range being changed. */
static bool cap_hole(struct cap_ctx *c, uint64_t upto)
{
	if (upto <= c->next)
		return true;
	uint64_t count = upto - c->next;
	c->io->g.added = true;
	if (!c->io->cfg.caps.cm)
		return true; /* not-present entries are not cached */
	gather_add(&c->io->g, p2mk_gfn(c->next), count);
	return push_stale(c->io, c->next, count, 0, STALE_NEG);
}

static int cap_leaf(void *ctx, const struct p2mk_pt_leaf *leaf)
{
	struct cap_ctx *c = ctx;
	uint64_t a = leaf->gfn.v > c->next ? leaf->gfn.v : c->next;
	uint64_t b = leaf->gfn.v + P2MK_BIT(leaf->order);
	if (b > c->hi)
		b = c->hi;
	if (!cap_hole(c, a))
		goto nomem;
	uint64_t mfn = leaf->mfn.v + (a - leaf->gfn.v);
	uint64_t perm = leaf->attrs.perm & (P2MK_PT_R | P2MK_PT_W);
	if (!push_stale(c->io, a, b - a, mfn, perm))
		goto nomem;
	c->io->stats.captured += b - a;
	c->next = b;
	return 0;
nomem:
	c->nomem = true;
	return 1;
}

enum p2mk_err iotlb_capture(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                            uint64_t count)
{
	struct cap_ctx c = {io, gfn.v, gfn.v + count, false};
	int stopped = 0;
	enum p2mk_err err =
	    p2mk_pt_walk(io->pt, gfn, count, 0, cap_leaf, &c, &stopped);
	if (err != P2MK_OK)
		return err;
	if (c.nomem || !cap_hole(&c, c.hi))
		return P2MK_ERR_NOMEM;
	return P2MK_OK;
}

/* ---- invalidation ---------------------------------------------------- */

struct inv_apply {
	const struct inv_list *l;
	struct iommu_rec spill[16];
	unsigned nspill;
};

/* The parts of [a, b) no invalidated range covers, into @out (max 8). */
static unsigned uncovered(const struct inv_list *l, uint64_t a, uint64_t b,
                          uint64_t out[][2])
{
	unsigned n = 0;
	uint64_t at = a;
	for (uint32_t i = 0; i < l->n && at < b; i++) {
		uint64_t ia = l->r[i].first.v, ib = ia + l->r[i].count;
		if (ib <= at || ia >= b)
			continue;
		if (ia > at) {
			if (n == 8)
				return 9;
			out[n][0] = at, out[n++][1] = ia;
		}
		at = ib;
	}
	if (at < b) {
		if (n == 8)
			return 9;
		out[n][0] = at, out[n++][1] = b;
	}
	return n;
}

static bool keep_uninvalidated(void *ctx, struct iommu_rec *r)
{
	struct inv_apply *ap = ctx;
	uint64_t part[8][2];
	unsigned n = uncovered(ap->l, r->a, r->a + r->b, part);
	if (n == 0)
		return false;
	if (n > 8 || n - 1 > 16 - ap->nspill)
		return true; /* no room to split: keep it whole (safe side) */
	bool neg = r->d & STALE_NEG;
	for (unsigned i = 1; i < n; i++)
		ap->spill[ap->nspill++] = (struct iommu_rec){
		    part[i][0], part[i][1] - part[i][0],
		    neg ? 0 : r->c + (part[i][0] - r->a), r->d};
	r->c = neg ? 0 : r->c + (part[0][0] - r->a);
	r->b = part[0][1] - part[0][0];
	r->a = part[0][0];
	return true;
}

void iotlb_invalidate(struct p2mk_iommu *io, const struct inv_list *l)
{
	if (l->domain) {
		vec_free(&io->stale, &io->mm);
		return;
	}
	if (l->n == 0 || io->stale.n == 0)
		return;
	struct inv_apply ap = {l, {{0, 0, 0, 0}}, 0};
	vec_filter(&io->stale, &io->mm, keep_uninvalidated, &ap);
	for (unsigned i = 0; i < ap.nspill; i++) {
		/* A split needs one more record; if memory ran out the
		 * remainder is dropped from the model only after a domain
		 * flush makes it moot. */
		if (!push_stale(io, ap.spill[i].a, ap.spill[i].b, ap.spill[i].c,
		                ap.spill[i].d)) {
			iommu_forced_domain_flush(io);
			return;
		}
	}
}

/* ---- queries --------------------------------------------------------- */

bool iotlb_refs_mfn(const struct p2mk_iommu *io, uint64_t mfn, uint64_t count)
{
	bool hit = false;
	struct vec_it it = {0};
	const struct iommu_rec *r;
	while ((r = vec_next(&io->stale, &it)) != NULL) {
		if (!(r->d & STALE_NEG) && r->c < mfn + count &&
		    mfn < r->c + r->b)
			hit = true;
	}
	return hit;
}

bool iotlb_stale_at(const struct p2mk_iommu *io, uint64_t gfn)
{
	bool hit = false;
	struct vec_it it = {0};
	const struct iommu_rec *r;
	while ((r = vec_next(&io->stale, &it)) != NULL) {
		if (gfn >= r->a && gfn - r->a < r->b)
			hit = true;
	}
	return hit;
}

/* Does the table still give exactly what record @r says, page by page? */
static bool record_agrees(const struct p2mk_iommu *io,
                          const struct iommu_rec *r)
{
	for (uint64_t i = 0; i < r->b; i++) {
		p2mk_mfn_t mfn;
		enum p2mk_err e =
		    p2mk_pt_translate(io->pt, p2mk_gfn(r->a + i), &mfn, NULL);
		if (r->d & STALE_NEG) {
			if (e == P2MK_OK)
				return false;
			continue;
		}
		if (e != P2MK_OK || mfn.v != r->c + i)
			return false;
	}
	if (r->d & STALE_NEG)
		return true;
	struct p2mk_pt_leaf leaf;
	if (p2mk_pt_lookup(io->pt, p2mk_gfn(r->a), &leaf) != P2MK_OK)
		return false;
	return (leaf.attrs.perm & (P2MK_PT_R | P2MK_PT_W)) ==
	       (r->d & STALE_PERM);
}

static bool keep_disagreeing(void *ctx, struct iommu_rec *r)
{
	struct p2mk_iommu *io = ctx;
	if (record_agrees(io, r))
		return false; /* what the tables say anyway: harmless */
	if (!(r->d & STALE_SEEN)) {
		r->d |= STALE_SEEN;
		iommu_violation(io,
		                (r->d & STALE_NEG)
		                    ? "flush left a cached not-present entry"
		                    : "flush left a stale translation");
	}
	return true;
}

void iotlb_after_flush(struct p2mk_iommu *io)
{
	vec_filter(&io->stale, &io->mm, keep_disagreeing, io);
}
