// SPDX-License-Identifier: BSD-2-Clause
/*
 * The improved planner's low hole.  Candidate starts are 4 GiB - 2^k
 * (k = 27..31: naturally aligned, so MTRR blocks start there).  At each,
 * the WB (prefetchable, xenpci) BARs are packed top-down from 0xFC000000
 * and the UC ones bottom-up from the start, so the UC BARs form one run
 * with free space above it up to the WB ones.  The start whose run needs
 * the fewest aligned blocks wins; then no RAM relocation before
 * relocation; then the highest start.
 */
#include "improved.h"

/* A UC 64-bit BAR that may join the low UC run (xen §13.1: hvmloader
 * keeps 64-bit BARs up to 1 GiB low too). */
static bool small_uc64(const struct p2mk_layout_bar_result *r)
{
	return r->type == P2MK_MT_UC && r->size <= HVM_BAR_RELOC_THRESH;
}

/* Low BARs, the 64-bit ones sent low and the small UC 64-bit BARs of at
 * most @max64 bytes (0: none), as groups. */
static void low_groups(const struct imp *m, uint64_t max64, struct groups *g)
{
	g->nuc = g->nwb = 0;
	g->uc_total = 0;
	for (unsigned i = 0; i < m->nlo; i++)
		groups_add(m->out, g, m->lo[i]);
	for (unsigned i = 0; i < m->nhi; i++) {
		const struct p2mk_layout_bar_result *r =
		    &m->out->bars[m->hi[i]];
		if (m->force_low[m->hi[i]] ||
		    (small_uc64(r) && r->size <= max64))
			groups_add(m->out, g, m->hi[i]);
	}
	lo_sort_by_size(m->out, g->uc, g->nuc);
}

/* Fewest aligned blocks covering [s, top) and ending at or below @room,
 * stretching only over space clear of reserved regions (as the MTRR
 * request does, improved_mtrr.c). */
static unsigned run_cost(const struct imp *m, uint64_t s, uint64_t top,
                         uint64_t room)
{
	unsigned best = lo_greedy_count(s, top);
	for (unsigned bits = 1; bits <= 6 && top > s; bits++) {
		uint64_t e = s + round_sig(top - s, bits);
		unsigned n = lo_greedy_count(s, e);
		if (e <= room && n < best &&
		    (m->opts.uc_over_reserved ||
		     !lo_overlaps_reserved(m->in, top, e - top)))
			best = n;
	}
	return best;
}

/*
 * Arrangements of one hole: 0 = WB BARs as high and UC BARs as low as
 * they go (layout_a); B(sig) = WB bottom-up, then the UC group in a
 * region of @sig significant bits (0: packed tight); C(sig) = the UC group
 * first in such a region, the WB BARs after it.
 */
#define ARR_B(sig) (1 + (sig))
#define ARR_C(sig) (2 + IMP_MAX_SIG + (sig))
#define NARRANGE   (ARR_C(IMP_MAX_SIG) + 1)

/* End of the highest UC BAR and start of the lowest, after a layout. */
static void uc_extent(const struct imp *m, const struct groups *g, uint64_t *lo,
                      uint64_t *hi)
{
	*lo = UINT64_MAX;
	*hi = 0;
	for (unsigned i = 0; i < g->nuc; i++) {
		const struct p2mk_layout_bar_result *r =
		    &m->out->bars[g->uc[i]];
		if (r->addr.v < *lo)
			*lo = r->addr.v;
		if (r->addr.v + lo_extent(r->size) > *hi)
			*hi = r->addr.v + lo_extent(r->size);
	}
}

/* C(sig): UC from @s in [s, s + u), WB from s + u. */
static bool layout_c(struct imp *m, const struct groups *g, uint64_t s,
                     unsigned sig)
{
	uint64_t u = round_sig(g->uc_total, sig);
	unplace(m->out, g->uc, g->nuc);
	unplace(m->out, g->wb, g->nwb);
	uint64_t top = lo_pack(m->in, m->out, g->uc, g->nuc, s,
	                       HVM_RESERVED_MEMBASE, P2MK_BAR_LOW);
	lo_pack(m->in, m->out, g->wb, g->nwb, s + u, HVM_RESERVED_MEMBASE,
	        P2MK_BAR_LOW);
	return top <= s + u && all_placed(m->out, g->uc, g->nuc) &&
	       all_placed(m->out, g->wb, g->nwb);
}

/* A: each WB BAR in the highest free slot, then each UC BAR in the
 * lowest, so the UC run sits low with free space above it. */
static bool layout_a(struct imp *m, const struct groups *g, uint64_t s)
{
	bool ok = true;
	unplace(m->out, g->uc, g->nuc);
	unplace(m->out, g->wb, g->nwb);
	for (unsigned i = 0; i < g->nwb && ok; i++)
		ok = lo_fit_free_down(m->in, m->out, &m->out->bars[g->wb[i]], s,
		                      HVM_RESERVED_MEMBASE, P2MK_BAR_LOW);
	for (unsigned i = 0; i < g->nuc && ok; i++)
		ok = lo_fit_free(m->in, m->out, &m->out->bars[g->uc[i]], s,
		                 HVM_RESERVED_MEMBASE, P2MK_BAR_LOW);
	return ok;
}

/* Lays out the groups at start @s in arrangement @a; returns the UC
 * run's block count, or -1 if not every BAR fits. */
static int layout_at(struct imp *m, const struct groups *g, uint64_t s,
                     unsigned a)
{
	uint64_t room = HVM_RESERVED_MEMBASE, lo, hi, unused;
	bool ok;
	if (a == 0)
		ok = layout_a(m, g, s);
	else if (a < ARR_C(0))
		ok = pack_window(m, g, s, HVM_RESERVED_MEMBASE, a - 1,
		                 P2MK_BAR_LOW, &unused);
	else
		ok = a > ARR_C(0) && layout_c(m, g, s, a - ARR_C(0));
	if (!ok)
		return -1;
	if (g->nuc == 0)
		return 0;
	uc_extent(m, g, &lo, &hi);
	/* the run may grow over free space up to the next WB BAR */
	for (unsigned i = 0; i < g->nwb; i++) {
		uint64_t w = m->out->bars[g->wb[i]].addr.v;
		if (w >= hi && w < room)
			room = w;
	}
	return (int)run_cost(m, lo, hi, room);
}

/*
 * Candidate hole start @k: 4 GiB - 2^k for k = 27..31; k = 32 stands for
 * the end of low RAM rounded up to 1 MiB when below 0xF0000000 (the
 * largest hole that moves no RAM, as hvmloader gets after an RMRR pull).
 * 0 = no candidate.
 */
static uint64_t hole_candidate(const struct imp *m, unsigned k)
{
	if (k < 32)
		return GIB(4) - (UINT64_C(1) << k);
	return m->low_end < HVM_BELOW_4G_MMIO_START
	           ? align_up(m->low_end, MIB(1))
	           : 0;
}

struct pick {
	uint64_t s;
	unsigned arrange;
	int cost;
};

/* The cheapest start and arrangement for @g (s = 0: none fits). */
static struct pick best_start(struct imp *m, const struct groups *g)
{
	struct pick best = {0, 0, 0};
	for (int reloc = 0; reloc <= 1; reloc++) {
		if (reloc && !m->in->fw.allow_memory_relocate)
			break;
		for (unsigned k = 27; k <= 32; k++) {
			uint64_t s = hole_candidate(m, k);
			if (s == 0 || (s < m->low_end) != (bool)reloc)
				continue;
			for (unsigned a = 0; a < NARRANGE; a++) {
				int cost = layout_at(m, g, s, a);
				if (cost >= 0 &&
				    (best.s == 0 || cost < best.cost))
					best = (struct pick){s, a, cost};
			}
		}
	}
	return best;
}

/*
 * When not everything fits: as many BARs as possible.  The smallest ones
 * are taken while their sizes add up to the window, each (largest first)
 * in the lowest free naturally aligned slot, so space between reserved
 * regions is used; if one is still left out, the largest is dropped and
 * the rest placed again.
 */
static void imp_pack_most(struct imp *m, const struct groups *g)
{
	uint16_t all[P2MK_LAYOUT_MAX_BARS];
	unsigned n = 0;
	uint64_t room = HVM_RESERVED_MEMBASE - m->hole_start, sum = 0;
	for (unsigned i = 0; i < g->nuc; i++)
		all[n++] = g->uc[i];
	for (unsigned i = 0; i < g->nwb; i++)
		all[n++] = g->wb[i];
	lo_sort_by_size(m->out, all, n); /* largest first */
	unsigned first = n;
	while (first > 0 && sum + m->out->bars[all[first - 1]].size <= room)
		sum += m->out->bars[all[--first]].size;
	for (; first <= n; first++) {
		unplace(m->out, all, n);
		bool ok = true;
		for (unsigned i = first; i < n && ok; i++)
			ok = lo_fit_free(m->in, m->out, &m->out->bars[all[i]],
			                 m->hole_start, HVM_RESERVED_MEMBASE,
			                 P2MK_BAR_LOW);
		if (ok)
			return;
	}
}

/* The largest hole allowed: 2 GiB with relocation, else above low RAM. */
static uint64_t largest_hole(const struct imp *m)
{
	uint64_t low = hole_candidate(m, 32);
	uint64_t s = m->in->fw.allow_memory_relocate ? GIB(2) : 0;
	for (unsigned k = 31; k >= 27 && s == 0; k--) {
		if (GIB(4) - (UINT64_C(1) << k) >= m->low_end)
			s = GIB(4) - (UINT64_C(1) << k);
	}
	if (low != 0 && (s == 0 || low < s))
		s = low;
	return s != 0 ? s : HVM_BELOW_4G_MMIO_START;
}

/* @keep[0..n) and, when @with64, the small UC 64-bit BARs not in it, as
 * groups. */
static void subset_groups(const struct imp *m, const uint16_t keep[],
                          unsigned n, bool with64, struct groups *g)
{
	g->nuc = g->nwb = 0;
	g->uc_total = 0;
	for (unsigned i = 0; i < n; i++)
		groups_add(m->out, g, keep[i]);
	for (unsigned i = 0; i < m->nhi && with64; i++) {
		const struct p2mk_layout_bar_result *r =
		    &m->out->bars[m->hi[i]];
		if (!m->force_low[m->hi[i]] && r->type == P2MK_MT_UC &&
		    r->size <= HVM_BAR_RELOC_THRESH)
			groups_add(m->out, g, m->hi[i]);
	}
	lo_sort_by_size(m->out, g->uc, g->nuc);
	lo_sort_by_size(m->out, g->wb, g->nwb);
}

/*
 * Not everything fits: imp_pack_most chose the BARs that do; lay those
 * out like a full set (the cheapest hole and arrangement, with the small
 * UC 64-bit BARs when they fit too) rather than packed tight, so WB and
 * UC BARs do not interleave.  False: the tight packing stays.  A smaller
 * hole may leave less room for 64-bit BARs spilled low later:
 * improved_budget.c keeps the tight packing when it places more BARs.
 */
static bool arrange_most(struct imp *m, const struct groups *g)
{
	uint16_t keep[P2MK_LAYOUT_MAX_BARS];
	unsigned n = 0;
	struct groups sub;
	for (unsigned i = 0; i < g->nuc + g->nwb; i++) {
		uint16_t b = i < g->nuc ? g->uc[i] : g->wb[i - g->nuc];
		if (m->out->bars[b].placed)
			keep[n++] = b;
	}
	for (int with64 = !m->opts.keep64_high; with64 >= 0; with64--) {
		subset_groups(m, keep, n, with64, &sub);
		unplace(m->out, sub.uc, sub.nuc);
		unplace(m->out, sub.wb, sub.nwb);
		struct pick p = best_start(m, &sub);
		if (p.s != 0) {
			m->hole_start = p.s;
			layout_at(m, &sub, p.s, p.arrange);
			return true;
		}
		unplace(m->out, sub.uc, sub.nuc); /* what the trials left */
		unplace(m->out, sub.wb, sub.nwb);
	}
	return false;
}

/* The largest small UC 64-bit BAR size below @max64, or 0. */
static uint64_t next_max64(const struct imp *m, uint64_t max64)
{
	uint64_t next = 0;
	for (unsigned i = 0; i < m->nhi; i++) {
		const struct p2mk_layout_bar_result *r =
		    &m->out->bars[m->hi[i]];
		if (!m->force_low[m->hi[i]] && small_uc64(r) &&
		    r->size < max64 && r->size > next)
			next = r->size;
	}
	return next;
}

void imp_low_window(struct imp *m)
{
	struct groups g = {.nuc = 0};
	/* the small UC 64-bit BARs join the low run, largest left out
	 * first, until a hole holds the group */
	uint64_t max64 =
	    m->opts.keep64_high ? 0 : next_max64(m, HVM_BAR_RELOC_THRESH + 1);
	for (;;) {
		low_groups(m, max64, &g);
		struct pick p = best_start(m, &g);
		if (p.s != 0) {
			m->hole_start = p.s;
			layout_at(m, &g, p.s, p.arrange);
			return;
		}
		unplace(m->out, g.uc, g.nuc); /* 64-bit ones go high instead */
		unplace(m->out, g.wb, g.nwb);
		if (max64 == 0)
			break;
		max64 = next_max64(m, max64);
	}
	m->hole_start = largest_hole(m);
	imp_pack_most(m, &g);
	if (!m->opts.tight && !arrange_most(m, &g))
		imp_pack_most(m, &g);
}
