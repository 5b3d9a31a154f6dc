// SPDX-License-Identifier: BSD-2-Clause
/*
 * The minimum-cost invalidation: cover a set of frame ranges with
 * naturally aligned blocks the hardware can name (VT-d PSI with AM <= MAMV,
 * inv §2.2-§2.3; AMD-Vi orders 0..39, inv §3.2), minimising
 * descs * cost_desc + extra_pages * cost_extra_page, then the number of
 * descriptors; one domain-selective invalidation instead when it is
 * strictly cheaper or page-selective is impossible.
 *
 * Blocks of one order are nested or disjoint, so an optimal cover is a
 * set of disjoint blocks, i.e. a cut through the buddy tree: each node
 * either is one descriptor or is the sum of its two halves.  A node fully
 * inside the ranges is always one descriptor (two halves cost twice); a
 * node outside them costs nothing; only the nodes straddling a range edge
 * need the choice, at most two per edge and level.
 */
#include "internal.h"

struct cut {
	uint64_t cost;
	uint64_t descs;
	uint64_t extra;
};

struct min_ctx {
	const struct p2mk_iommu_caps *caps;
	const struct p2mk_inv_range *r;
	size_t n;
	bool nonleaf;
	p2mk_inv_emit_fn emit; /* NULL while costing */
	void *ctx;
	struct cut total;
};

static bool cut_less(struct cut a, struct cut b)
{
	return a.cost < b.cost || (a.cost == b.cost && a.descs < b.descs);
}

static struct cut cut_sum(struct cut a, struct cut b)
{
	return (struct cut){sat_add(a.cost, b.cost), a.descs + b.descs,
	                    sat_add(a.extra, b.extra)};
}

static struct cut one_block(const struct min_ctx *m, uint64_t size,
                            uint64_t covered)
{
	uint64_t extra = size - covered;
	return (struct cut){block_cost(m->caps, extra), 1, extra};
}

/* A node of the explicit-stack walk (clang-tidy forbids recursion). */
struct frame {
	uint64_t first;
	unsigned order;
	unsigned stage; /* 0: fresh, 1: left half done, 2: both done */
	struct cut whole, left;
};

/* Evaluate a fresh node: a final answer, or false to descend. */
static bool leaf_answer(const struct min_ctx *m, struct frame *f,
                        struct cut *ret)
{
	uint64_t size = P2MK_BIT(f->order);
	uint64_t cov = iommu_ranges_covered(m->r, m->n, f->first, size);
	if (cov == 0) {
		*ret = (struct cut){0, 0, 0};
		return true;
	}
	f->whole = one_block(m, size, cov);
	*ret = f->whole;
	return cov == size || f->order == 0;
}

/* Best cut of the block of 2^order frames at @first (post-order walk). */
static struct cut best(const struct min_ctx *m, uint64_t first, unsigned order)
{
	struct frame st[IOMMU_MAX_ORDER + 2];
	unsigned sp = 0;
	struct cut ret = {0, 0, 0};
	st[0] = (struct frame){first, order, 0, ret, ret};
	for (;;) {
		struct frame *f = &st[sp];
		uint64_t half = P2MK_BIT(f->order) / 2;
		if (f->stage == 0 && !leaf_answer(m, f, &ret)) {
			f->stage = 1;
			st[++sp] =
			    (struct frame){f->first, f->order - 1, 0, ret, ret};
			continue;
		}
		if (f->stage == 1) {
			f->left = ret;
			f->stage = 2;
			st[++sp] = (struct frame){f->first + half, f->order - 1,
			                          0, ret, ret};
			continue;
		}
		if (f->stage == 2) {
			struct cut halves = cut_sum(f->left, ret);
			ret = cut_less(halves, f->whole) ? halves : f->whole;
		}
		if (sp == 0)
			return ret;
		sp--;
	}
}

static void take(struct min_ctx *m, uint64_t first, unsigned order,
                 struct cut c)
{
	m->total = cut_sum(m->total, c);
	if (m->emit == NULL || c.descs == 0)
		return;
	struct p2mk_inv_desc d = p2mk_inv_encode_block(
	    m->caps, false, p2mk_gfn(first), order, m->nonleaf);
	m->emit(m->ctx, &d);
}

/*
 * Take the best cut of one block, emitting its descriptors in ascending
 * order: a depth-first walk that descends wherever the best cut of a node
 * is more than one descriptor (right halves wait on the stack).
 */
static void take_best(struct min_ctx *m, uint64_t first, unsigned order)
{
	struct item {
		uint64_t first;
		unsigned order;
	} st[2 * IOMMU_MAX_ORDER + 4];
	unsigned sp = 0;
	st[sp++] = (struct item){first, order};
	while (sp > 0) {
		struct item it = st[--sp];
		struct cut c = best(m, it.first, it.order);
		if (c.descs <= 1) {
			take(m, it.first, it.order, c);
			continue;
		}
		/* right half waits below the left one */
		st[sp++] = (struct item){it.first + P2MK_BIT(it.order) / 2,
		                         it.order - 1};
		st[sp++] = (struct item){it.first, it.order - 1};
	}
}

/*
 * Every top-level block (order @top) that meets range @i, from @from on.
 * Blocks wholly inside the range are taken one descriptor each without
 * searching; the rest go through take_best().  Returns the first frame
 * after the last block handled.
 */
static uint64_t walk_range(struct min_ctx *m, size_t i, uint64_t from,
                           unsigned top)
{
	uint64_t size = P2MK_BIT(top);
	uint64_t end = m->r[i].first.v + m->r[i].count;
	uint64_t b = m->r[i].first.v & ~(size - 1);
	if (b < from)
		b = from;
	while (b < end) {
		if (b >= m->r[i].first.v && end - b >= size) {
			uint64_t nfull = (end - b) / size;
			if (m->emit == NULL) {
				struct cut c = one_block(m, size, size);
				m->total =
				    cut_sum(m->total,
				            (struct cut){sat_mul(c.cost, nfull),
				                         nfull, 0});
			} else {
				for (uint64_t k = 0; k < nfull; k++)
					take(m, b + k * size, top,
					     one_block(m, size, size));
			}
			b += nfull * size;
			continue;
		}
		take_best(m, b, top);
		b += size;
	}
	return b;
}

static struct cut min_pass(struct min_ctx *m, unsigned top)
{
	m->total = (struct cut){0, 0, 0};
	uint64_t from = 0;
	for (size_t i = 0; i < m->n; i++) {
		uint64_t end = m->r[i].first.v + m->r[i].count;
		if (end <= from)
			continue; /* already inside a block taken before */
		from = walk_range(m, i, from, top);
	}
	return m->total;
}

static unsigned top_order(const struct p2mk_iommu_caps *caps)
{
	if (caps->hw == P2MK_IOMMU_AMDVI)
		return P2MK_AMDVI_MAX_ORDER;
	/* One block of order 40 already spans every frame (internal.h). */
	return caps->mamv > IOMMU_MAX_ORDER ? IOMMU_MAX_ORDER : caps->mamv;
}

void iommu_inv_min(const struct p2mk_iommu_caps *caps,
                   const struct p2mk_inv_range *r, size_t n, bool nonleaf,
                   p2mk_inv_emit_fn emit, void *ctx,
                   struct p2mk_inv_result *res)
{
	struct min_ctx m = {caps, r, n, nonleaf, NULL, ctx, {0, 0, 0}};
	bool page_ok = caps->hw == P2MK_IOMMU_AMDVI || caps->psi;
	struct cut c = {UINT64_MAX, 0, 0};
	if (page_ok)
		c = min_pass(&m, top_order(caps));
	if (!page_ok || caps->cost_domain < c.cost) {
		*res = (struct p2mk_inv_result){1, 0, caps->cost_domain, true};
		if (emit != NULL) {
			struct p2mk_inv_desc d = p2mk_inv_encode_block(
			    caps, true, p2mk_gfn(0), 0, nonleaf);
			emit(ctx, &d);
		}
		return;
	}
	*res = (struct p2mk_inv_result){c.descs, c.extra, c.cost, false};
	if (emit != NULL) {
		m.emit = emit;
		min_pass(&m, top_order(caps));
	}
}
