// SPDX-License-Identifier: BSD-2-Clause
/*
 * The gather (inv §4.1-§4.2): the frame ranges one flush must cover, kept
 * sorted, disjoint and non-adjacent (adjacent ranges merge, rule 3).  Linux
 * keeps one hull [start, end]; p2mkit keeps up to P2MK_IOMMU_GATHER_MAX
 * ranges so that a relocation's source and destination stay apart, and
 * merges the two closest when full (a larger flush, never a smaller one).
 */
#include "internal.h"

static uint64_t rend(const struct p2mk_inv_range *r)
{
	return r->first.v + r->count;
}

/* Merge r[i+1] into r[i] (the gap between them becomes gathered too). */
static void merge_next(struct p2mk_iommu_gather *g, uint32_t i)
{
	uint64_t end = rend(&g->r[i + 1]);
	if (end > rend(&g->r[i]))
		g->r[i].count = end - g->r[i].first.v;
	for (uint32_t k = i + 1; k + 1 < g->n; k++)
		g->r[k] = g->r[k + 1];
	g->n--;
}

static void merge_closest(struct p2mk_iommu_gather *g)
{
	uint32_t best = 0;
	uint64_t gap = UINT64_MAX;
	for (uint32_t i = 0; i + 1 < g->n; i++) {
		uint64_t d = g->r[i + 1].first.v - rend(&g->r[i]);
		if (d < gap) {
			gap = d;
			best = i;
		}
	}
	merge_next(g, best);
}

/* Index of the first range that ends at or after @first. */
static uint32_t find(const struct p2mk_iommu_gather *g, uint64_t first)
{
	uint32_t i = 0;
	while (i < g->n && rend(&g->r[i]) < first)
		i++;
	return i;
}

void gather_add(struct p2mk_iommu_gather *g, p2mk_gfn_t first, uint64_t count)
{
	uint64_t end = first.v + count;
	uint32_t i = find(g, first.v);
	while ((i == g->n || g->r[i].first.v > end) &&
	       g->n == P2MK_IOMMU_GATHER_MAX) {
		merge_closest(g);
		i = find(g, first.v);
	}
	if (i == g->n || g->r[i].first.v > end) {
		/* disjoint and not adjacent: insert at i */
		for (uint32_t k = g->n; k > i; k--)
			g->r[k] = g->r[k - 1];
		g->r[i] = (struct p2mk_inv_range){first, count};
		g->n++;
		return;
	}
	/* overlaps or touches r[i]: widen it, then absorb what it reaches */
	if (first.v < g->r[i].first.v) {
		g->r[i].count += g->r[i].first.v - first.v;
		g->r[i].first = first;
	}
	if (end > rend(&g->r[i]))
		g->r[i].count = end - g->r[i].first.v;
	while (i + 1 < g->n && g->r[i + 1].first.v <= rend(&g->r[i]))
		merge_next(g, i);
}

uint32_t gather_take_window(struct p2mk_iommu_gather *g, uint64_t lo,
                            uint64_t hi, struct p2mk_inv_range *out)
{
	struct p2mk_iommu_gather rest = *g;
	uint32_t n = 0;
	rest.n = 0;
	for (uint32_t i = 0; i < g->n; i++) {
		uint64_t a = g->r[i].first.v, b = rend(&g->r[i]);
		uint64_t ia = a > lo ? a : lo, ib = b < hi ? b : hi;
		if (ia >= ib) {
			rest.r[rest.n++] = g->r[i];
			continue;
		}
		out[n++] = (struct p2mk_inv_range){p2mk_gfn(ia), ib - ia};
		if (a < ia)
			rest.r[rest.n++] =
			    (struct p2mk_inv_range){p2mk_gfn(a), ia - a};
		if (ib < b && rest.n < P2MK_IOMMU_GATHER_MAX)
			rest.r[rest.n++] =
			    (struct p2mk_inv_range){p2mk_gfn(ib), b - ib};
		else if (ib < b)
			out[n - 1].count = b - ia; /* no room: flush it all */
	}
	*g = rest;
	return n;
}
