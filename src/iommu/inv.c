// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mk_inv_build(): argument checks, the drivers' own range-to-descriptor
 * rules (Linux inv §2.8 and §3.3, Xen xen §12.5) and the accounting every
 * rule shares.  The minimum-cost rule lives in inv_min.c.
 */
#include "internal.h"

static const char *const rule_names[P2MK_INV_RULE_COUNT] = {
    [P2MK_INV_MIN] = "min",
    [P2MK_INV_LINUX] = "linux",
    [P2MK_INV_LINUX_OLD] = "linux-old",
    [P2MK_INV_XEN] = "xen",
};

const char *p2mk_inv_rule_name(enum p2mk_inv_rule rule)
{
	return (unsigned)rule < P2MK_INV_RULE_COUNT ? rule_names[rule] : "?";
}

uint64_t iommu_ranges_covered(const struct p2mk_inv_range *r, size_t n,
                              uint64_t first, uint64_t size)
{
	/* Binary search for the first range ending after @first. */
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].first.v + r[mid].count <= first)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint64_t end = first + size, cov = 0;
	for (size_t i = lo; i < n && r[i].first.v < end; i++) {
		uint64_t a = r[i].first.v > first ? r[i].first.v : first;
		uint64_t b = r[i].first.v + r[i].count;
		cov += (b < end ? b : end) - a;
	}
	return cov;
}

static bool ranges_ok(const struct p2mk_inv_range *r, size_t n)
{
	if (n == 0 || r == NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (r[i].count == 0 || r[i].first.v >= IOMMU_FRAME_LIMIT ||
		    r[i].count > IOMMU_FRAME_LIMIT - r[i].first.v)
			return false;
		/* sorted, disjoint and not adjacent (adjacent ones merge) */
		if (i > 0 && r[i - 1].first.v + r[i - 1].count >= r[i].first.v)
			return false;
	}
	return true;
}

/* Accumulates what a driver rule issues: counts, extra pages, cost. */
struct acct {
	const struct p2mk_iommu_caps *caps;
	const struct p2mk_inv_range *r;
	size_t n;
	p2mk_inv_emit_fn emit;
	void *ctx;
	struct p2mk_inv_result res;
};

static void issue(struct acct *a, const struct p2mk_inv_desc *enc)
{
	struct p2mk_inv_desc d = *enc;
	/* What the hardware does with it is what counts (a buggy encoder
	 * shows up as a smaller block). */
	if (p2mk_inv_decode(a->caps, enc->raw, &d) != P2MK_OK)
		d = *enc;
	a->res.descs++;
	if (d.domain) {
		a->res.domain = true;
		a->res.cost = sat_add(a->res.cost, a->caps->cost_domain);
	} else {
		uint64_t size = P2MK_BIT(d.order);
		uint64_t extra =
		    size - iommu_ranges_covered(a->r, a->n, d.first.v, size);
		a->res.extra_pages = sat_add(a->res.extra_pages, extra);
		a->res.cost = sat_add(a->res.cost, block_cost(a->caps, extra));
	}
	if (a->emit != NULL)
		a->emit(a->ctx, &d);
}

static void issue_block(struct acct *a, bool domain, uint64_t first,
                        unsigned order, bool nonleaf)
{
	struct p2mk_inv_desc d = p2mk_inv_encode_block(
	    a->caps, domain, p2mk_gfn(first), order, nonleaf);
	issue(a, &d);
}

static unsigned log2_ceil(uint64_t v)
{
	return v <= 1 ? 0 : 64u - (unsigned)__builtin_clzll(v - 1);
}

/*
 * Linux calculate_psi_aligned_address() over frames [s, e] (inv §2.8):
 * returns the mask; *@tentative gets the first guess, which is the pages
 * count the slow path forgot to update before the 2024 fix.
 */
static unsigned linux_psi_mask(uint64_t s, uint64_t e, unsigned *tentative)
{
	unsigned mask = log2_ceil(e - s + 1);
	*tentative = mask;
	uint64_t low = P2MK_BIT(mask) - 1;
	if ((s & low) == 0)
		return mask;
	/* frames are below 2^40, so some bit at or below 52 is shared */
	unsigned lowest = (unsigned)__builtin_ctzll(~(s ^ e) & ~low);
	return lowest < 52u ? lowest : 52u;
}

static void linux_vtd(struct acct *a, uint64_t s, uint64_t e, bool nonleaf,
                      bool old)
{
	unsigned tentative;
	unsigned mask = linux_psi_mask(s, e, &tentative);
	if (!a->caps->psi || mask > a->caps->mamv) {
		issue_block(a, true, 0, 0, nonleaf);
		return;
	}
	uint64_t addr = s & ~(P2MK_BIT(mask) - 1);
	/* Before the fix the first-stage path sized the block from the
	 * stale count: the right base, too small a mask. */
	issue_block(a, false, addr, old ? tentative : mask, nonleaf);
}

static void linux_amd(struct acct *a, uint64_t s, uint64_t e, bool nonleaf,
                      bool old)
{
	if (s == e) {
		issue_block(a, false, s, 0, nonleaf);
		return;
	}
	/* msb of the differing byte-address bits (end | 0xfff vs start) */
	unsigned msb = 63u - (unsigned)__builtin_clzll(s ^ e) + P2MK_PAGE_SHIFT;
	if (msb > 51) {
		issue_block(a, true, 0, 0, nonleaf);
		return;
	}
	uint64_t addr = p2mk_gfn_to_gpa(p2mk_gfn(s)).v;
	if (old)
		addr |= P2MK_BIT(msb - 1); /* 268aa4548277's off-by-one */
	else
		addr |= P2MK_BIT(msb) - 1;
	struct p2mk_inv_desc d =
	    p2mk_inv_encode_block(a->caps, false, p2mk_gfn(s), 0, nonleaf);
	d.raw[1] =
	    (addr & P2MK_GENMASK(63, 12)) | AMDVI_S | (nonleaf ? AMDVI_PDE : 0);
	issue(a, &d);
}

static void xen_vtd(struct acct *a, uint64_t first, uint64_t count)
{
	/* xen §12.5: PSI only for an aligned power-of-two count */
	unsigned order = log2_ceil(count);
	bool pow2 = P2MK_BIT(order) == count;
	bool psi = pow2 && (first & (count - 1)) == 0 && a->caps->psi &&
	           order <= a->caps->mamv;
	/* Xen's flush carries no IH hint: paging structures always dropped */
	issue_block(a, !psi, first, order, true);
}

static void xen_amd(struct acct *a, uint64_t first, uint64_t count)
{
	static const unsigned orders[] = {0, 9, 18};
	uint64_t last = first + count - 1;
	for (unsigned i = 0; i < 3; i++) {
		if ((first >> orders[i]) == (last >> orders[i])) {
			/* Xen sets PDE whenever S = 1 (inv §3.3) */
			issue_block(a, false, first, orders[i], orders[i] > 0);
			return;
		}
	}
	issue_block(a, true, 0, 0, true);
}

static void driver_rule(struct acct *a, enum p2mk_inv_rule rule, bool nonleaf)
{
	bool amd = a->caps->hw == P2MK_IOMMU_AMDVI;
	if (rule == P2MK_INV_XEN) {
		for (size_t i = 0; i < a->n; i++) {
			if (amd)
				xen_amd(a, a->r[i].first.v, a->r[i].count);
			else
				xen_vtd(a, a->r[i].first.v, a->r[i].count);
		}
		return;
	}
	/* Linux flushes the gather's hull [start, end] (inv §4.1) */
	uint64_t s = a->r[0].first.v;
	uint64_t e = a->r[a->n - 1].first.v + a->r[a->n - 1].count - 1;
	bool old = rule == P2MK_INV_LINUX_OLD;
	if (amd)
		linux_amd(a, s, e, nonleaf, old);
	else
		linux_vtd(a, s, e, nonleaf, old);
}

enum p2mk_err p2mk_inv_build(const struct p2mk_iommu_caps *caps,
                             enum p2mk_inv_rule rule,
                             const struct p2mk_inv_range *ranges, size_t n,
                             bool nonleaf, p2mk_inv_emit_fn emit, void *ctx,
                             struct p2mk_inv_result *res)
{
	if (caps == NULL || res == NULL || caps->cost_desc == 0 ||
	    caps->mamv > P2MK_VTD_AM_MAX ||
	    (unsigned)rule >= P2MK_INV_RULE_COUNT ||
	    (caps->hw != P2MK_IOMMU_VTD && caps->hw != P2MK_IOMMU_AMDVI) ||
	    !ranges_ok(ranges, n))
		return P2MK_ERR_INVAL;
	if (rule == P2MK_INV_MIN) {
		iommu_inv_min(caps, ranges, n, nonleaf, emit, ctx, res);
		return P2MK_OK;
	}
	struct acct a = {caps, ranges, n, emit, ctx, {0, 0, 0, false}};
	driver_rule(&a, rule, nonleaf);
	*res = a.res;
	return P2MK_OK;
}
