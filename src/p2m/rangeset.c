// SPDX-License-Identifier: BSD-2-Clause
/*
 * Range lists with Xen's rangeset semantics (xen §6 "Range lists"):
 * inserting merges with every range the new one overlaps or touches, and
 * containment is decided against the union.  Restated from the spec's
 * description of xen/common/rangeset.c, not from its code; fixed
 * capacity, caller storage, no allocation.
 */
#include <p2mkit/p2m.h>

static uint64_t last_of(p2mk_mfn_t first, uint64_t count)
{
	return first.v + (count - 1);
}

/* Does [f, l] overlap or touch the range @r (no overflow at either end)? */
static bool meets(const struct p2mk_mfn_range *r, uint64_t f, uint64_t l)
{
	uint64_t rl = p2mk_mfn_range_last(r).v;
	bool below = rl < f && f - rl > 1; /* r ends before f - 1 */
	bool above = r->first.v > l && r->first.v - l > 1; /* starts past l+1 */
	return !below && !above;
}

/* Move @set[from..n) to start at @to (either direction). */
static void shift(struct p2mk_mfn_range *set, unsigned n, unsigned from,
                  unsigned to)
{
	if (to < from) {
		for (unsigned k = from; k < n; k++)
			set[k - from + to] = set[k];
	} else {
		for (unsigned k = n; k-- > from;)
			set[k - from + to] = set[k];
	}
}

enum p2mk_err p2mk_rangeset_insert(struct p2mk_mfn_range *set, unsigned *n,
                                   unsigned cap, p2mk_mfn_t first,
                                   uint64_t count)
{
	if (count == 0 || last_of(first, count) < first.v || *n > cap)
		return P2MK_ERR_INVAL;
	uint64_t f = first.v, l = last_of(first, count);
	/* [i, j): the sorted ranges the new one overlaps or touches. */
	unsigned i = 0;
	while (i < *n && p2mk_mfn_range_last(&set[i]).v < f &&
	       !meets(&set[i], f, l))
		i++;
	unsigned j = i;
	while (j < *n && meets(&set[j], f, l))
		j++;
	unsigned merged = j - i;
	if (merged == 0 && *n == cap)
		return P2MK_ERR_NOMEM;
	if (merged > 0) {
		if (set[i].first.v < f)
			f = set[i].first.v;
		if (p2mk_mfn_range_last(&set[j - 1]).v > l)
			l = p2mk_mfn_range_last(&set[j - 1]).v;
	}
	/* The new range takes slot i; the ones after the merged run follow. */
	shift(set, *n, j, i + 1);
	*n = *n - merged + 1;
	set[i] = (struct p2mk_mfn_range){p2mk_mfn(f), l - f + 1};
	return P2MK_OK;
}

bool p2mk_ranges_overlap(const struct p2mk_mfn_range *r, unsigned n,
                         p2mk_mfn_t first, uint64_t count)
{
	uint64_t l = last_of(first, count);
	for (unsigned i = 0; i < n; i++) {
		if (first.v <= p2mk_mfn_range_last(&r[i]).v &&
		    l >= r[i].first.v)
			return true;
	}
	return false;
}

/*
 * Sweep of [f, l] over the union: from frame @at, the end of the longest
 * run of covered frames starting there (*@end), or false if @at is not
 * covered, with *@next the first covered frame after it (or l + 1).
 */
static bool covered_run(const struct p2mk_mfn_range *r, unsigned n, uint64_t at,
                        uint64_t l, uint64_t *end, uint64_t *next)
{
	bool in = false;
	*next = l;
	bool any_next = false;
	for (unsigned i = 0; i < n; i++) {
		uint64_t rl = p2mk_mfn_range_last(&r[i]).v;
		if (r[i].first.v <= at && rl >= at) {
			if (!in || rl > *end)
				*end = rl;
			in = true;
		} else if (r[i].first.v > at && r[i].first.v <= l &&
		           (!any_next || r[i].first.v < *next)) {
			*next = r[i].first.v;
			any_next = true;
		}
	}
	if (!in && !any_next)
		*next = l; /* nothing more: the caller stops at l */
	return in;
}

/* Count covered frames of [f, l]; stop at the first gap if @stop_at_gap. */
static uint64_t sweep(const struct p2mk_mfn_range *r, unsigned n, uint64_t f,
                      uint64_t l, bool stop_at_gap)
{
	uint64_t total = 0, at = f;
	for (;;) {
		uint64_t end = 0, next = 0;
		if (covered_run(r, n, at, l, &end, &next)) {
			/* Extend the run while other ranges continue it. */
			if (end >= l)
				return total + (l - at + 1);
			total += end - at + 1;
			at = end + 1;
			continue;
		}
		if (stop_at_gap || next <= at)
			return total;
		at = next;
	}
}

bool p2mk_ranges_contain(const struct p2mk_mfn_range *r, unsigned n,
                         p2mk_mfn_t first, uint64_t count)
{
	uint64_t l = last_of(first, count);
	return sweep(r, n, first.v, l, true) == l - first.v + 1;
}

uint64_t p2mk_ranges_covered(const struct p2mk_mfn_range *r, unsigned n,
                             p2mk_mfn_t first, uint64_t count)
{
	return sweep(r, n, first.v, last_of(first, count), false);
}
