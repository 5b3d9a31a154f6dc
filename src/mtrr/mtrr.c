// SPDX-License-Identifier: BSD-2-Clause
/*
 * One vCPU's MTRR and PAT state: MSR interface and type lookup.
 * Spec: shared/spec/x86-memory-types.md §3-§6 ("x86 §N").
 */
#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

/* Bits of MTRRcap this model implements (VCNT, FIX, WC). */
#define CAP_MODELLED                                                           \
	(P2MK_MTRRCAP_VCNT_MASK | P2MK_MTRRCAP_FIX | P2MK_MTRRCAP_WC)
/* Bits of MTRRdefType that are not reserved: type 7:0, FE 10, E 11. */
#define DEF_TYPE_WRITABLE UINT64_C(0xcff)
/* Low reserved bits of PHYSBASE (11:8) and PHYSMASK (10:0). */
#define PHYSBASE_LOW_RSVD P2MK_GENMASK(11, 8)
#define PHYSMASK_LOW_RSVD P2MK_GENMASK(10, 0)
/* Pages below 1 MiB, the fixed-range region. */
#define FIXED_REGION_PAGES 256u
/* Largest order a lookup handles: 52-bit addresses have 40 frame bits. */
#define MAX_ORDER 40u

enum p2mk_err p2mk_mtrr_init(struct p2mk_mtrr_state *s,
                             const struct p2mk_mtrr_config *cfg)
{
	if (cfg->vcnt > P2MK_MTRR_VCNT_MAX || cfg->maxphyaddr < 32 ||
	    cfg->maxphyaddr > 52)
		return P2MK_ERR_INVAL;
	*s = (struct p2mk_mtrr_state){
	    .cap = cfg->vcnt | (cfg->fixed ? P2MK_MTRRCAP_FIX : 0) |
	           (cfg->wc ? P2MK_MTRRCAP_WC : 0),
	    .pat = P2MK_PAT_RESET,
	    .maxphyaddr = cfg->maxphyaddr,
	};
	return P2MK_OK;
}

int p2mk_mtrr_fixed_msr_index(uint32_t msr)
{
	if (msr == P2MK_MSR_MTRR_FIX64K_00000)
		return 0;
	if (msr == P2MK_MSR_MTRR_FIX16K_80000)
		return 1;
	if (msr == P2MK_MSR_MTRR_FIX16K_A0000)
		return 2;
	if (msr >= P2MK_MSR_MTRR_FIX4K_C0000 &&
	    msr <= P2MK_MSR_MTRR_FIX4K_C0000 + 7)
		return 3 + (int)(msr - P2MK_MSR_MTRR_FIX4K_C0000);
	return -1;
}

/* Fixed-range entry of physical address @pa, guest or host (x86 §3.4). */
static int fixed_index(uint64_t pa)
{
	/* x86 §3.4: 8 x 64 KiB, then 16 x 16 KiB, then 64 x 4 KiB. */
	if (pa < 0x80000)
		return (int)(pa >> 16);
	if (pa < 0xc0000)
		return 8 + (int)((pa - 0x80000) >> 14);
	if (pa < 0x100000)
		return 24 + (int)((pa - 0xc0000) >> 12);
	return -1;
}

int p2mk_mtrr_fixed_index(p2mk_gpa_t gpa)
{
	return fixed_index(gpa.v);
}

int p2mk_mtrr_fixed_index_host(p2mk_hpa_t hpa)
{
	return fixed_index(hpa.v);
}

/* Bits at and above MAXPHYADDR: reserved in PHYSBASE/PHYSMASK (x86 §3.5). */
static uint64_t above_maxphyaddr(const struct p2mk_mtrr_state *s)
{
	return ~UINT64_C(0) << s->maxphyaddr;
}

static bool wc_supported(const struct p2mk_mtrr_state *s)
{
	return (s->cap & P2MK_MTRRCAP_WC) != 0;
}

static bool fixed_supported(const struct p2mk_mtrr_state *s)
{
	return (s->cap & P2MK_MTRRCAP_FIX) != 0;
}

/* A type the MTRRs of this CPU accept: {UC,WC,WT,WP,WB}, WC only if cap.WC. */
static bool mtrr_type_ok(const struct p2mk_mtrr_state *s, uint64_t t)
{
	return p2mk_mt_valid_mtrr(t) && (t != P2MK_MT_WC || wc_supported(s));
}

static enum p2mk_err raise_gp(struct p2mk_gp *gp, uint32_t msr, uint64_t value,
                              uint64_t bad_bits, const char *reason)
{
	if (gp != NULL)
		*gp = (struct p2mk_gp){msr, value, bad_bits, reason};
	return P2MK_ERR_GP;
}

/* Variable pair number of a PHYSBASE/PHYSMASK MSR, or -1. */
static int var_pair(uint32_t msr)
{
	if (msr < P2MK_MSR_MTRR_PHYSBASE0 ||
	    msr >= P2MK_MSR_MTRR_PHYSBASE0 + 2 * P2MK_MTRR_VCNT_MAX)
		return -1;
	return (int)((msr - P2MK_MSR_MTRR_PHYSBASE0) / 2);
}

static enum p2mk_err write_def_type(struct p2mk_mtrr_state *s, uint64_t v,
                                    struct p2mk_gp *gp)
{
	const uint32_t msr = P2MK_MSR_MTRR_DEF_TYPE;
	if (v & ~DEF_TYPE_WRITABLE)
		return raise_gp(gp, msr, v, v & ~DEF_TYPE_WRITABLE,
		                "reserved bit set in MTRRdefType (only 7:0, 10 "
		                "FE and 11 E are defined; x86 §3.3)");
	uint64_t type = v & P2MK_MTRR_DEF_TYPE_MASK;
	if (!p2mk_mt_valid_mtrr(type))
		return raise_gp(
		    gp, msr, v, type,
		    "default type is not an MTRR type (must be 0, 1, "
		    "4, 5 or 6; x86 §4)");
	if (!mtrr_type_ok(s, type))
		return raise_gp(
		    gp, msr, v, type,
		    "default type WC but MTRRcap.WC = 0 (x86 §3.2)");
	s->def_type = v;
	return P2MK_OK;
}

static enum p2mk_err write_fixed(struct p2mk_mtrr_state *s, uint32_t msr,
                                 uint64_t v, struct p2mk_gp *gp)
{
	if (!fixed_supported(s))
		return raise_gp(
		    gp, msr, v, 0,
		    "fixed-range MTRRs not implemented (MTRRcap.FIX "
		    "= 0; x86 §3.2)");
	for (unsigned i = 0; i < 8; i++) {
		uint64_t type = (v >> (8 * i)) & 0xff;
		if (!p2mk_mt_valid_mtrr(type))
			return raise_gp(gp, msr, v, type << (8 * i),
			                "fixed-range byte is not an MTRR type "
			                "(must be 0, 1, 4, 5 or 6; x86 §4)");
		if (!mtrr_type_ok(s, type))
			return raise_gp(gp, msr, v, type << (8 * i),
			                "fixed-range byte is WC but MTRRcap.WC "
			                "= 0 (x86 §3.2)");
	}
	unsigned first = 8u * (unsigned)p2mk_mtrr_fixed_msr_index(msr);
	for (unsigned i = 0; i < 8; i++)
		s->fixed[first + i] = (uint8_t)(v >> (8 * i));
	return P2MK_OK;
}

static enum p2mk_err write_var(struct p2mk_mtrr_state *s, uint32_t msr,
                               uint64_t v, struct p2mk_gp *gp)
{
	unsigned n = (unsigned)var_pair(msr);
	bool is_mask = (msr & 1u) != 0;
	if (n >= p2mk_mtrr_vcnt(s))
		return raise_gp(gp, msr, v, 0,
		                "variable MTRR pair n >= MTRRcap.VCNT is not "
		                "implemented (x86 §4)");
	uint64_t high = v & above_maxphyaddr(s);
	if (is_mask) {
		uint64_t low = v & PHYSMASK_LOW_RSVD;
		if (low)
			return raise_gp(gp, msr, v, low,
			                "reserved bits 10:0 set in PHYSMASK "
			                "(x86 §3.5)");
		if (high)
			return raise_gp(gp, msr, v, high,
			                "PHYSMASK bits at or above MAXPHYADDR "
			                "are reserved (x86 §3.5)");
		s->var[n].mask = v;
		return P2MK_OK;
	}
	uint64_t type = v & 0xff;
	if (!p2mk_mt_valid_mtrr(type))
		return raise_gp(gp, msr, v, type,
		                "PHYSBASE type is not an MTRR type (must be 0, "
		                "1, 4, 5 or 6; x86 §4)");
	if (!mtrr_type_ok(s, type))
		return raise_gp(gp, msr, v, type,
		                "PHYSBASE type is WC but MTRRcap.WC = 0 "
		                "(x86 §3.2)");
	if (v & PHYSBASE_LOW_RSVD)
		return raise_gp(
		    gp, msr, v, v & PHYSBASE_LOW_RSVD,
		    "reserved bits 11:8 set in PHYSBASE (x86 §3.5)");
	if (high)
		return raise_gp(gp, msr, v, high,
		                "PHYSBASE bits at or above MAXPHYADDR are "
		                "reserved (x86 §3.5)");
	s->var[n].base = v;
	return P2MK_OK;
}

static enum p2mk_err write_pat(struct p2mk_mtrr_state *s, uint64_t v,
                               struct p2mk_gp *gp)
{
	int bad = p2mk_pat_first_invalid(v);
	if (bad >= 0)
		return raise_gp(
		    gp, P2MK_MSR_PAT, v, UINT64_C(0xff) << (8 * (unsigned)bad),
		    "PAT entry is not a PAT type (each byte must be "
		    "0, 1, 4, 5, 6 or 7; x86 §6.1)");
	s->pat = v;
	return P2MK_OK;
}

enum p2mk_err p2mk_mtrr_wrmsr(struct p2mk_mtrr_state *s, uint32_t msr,
                              uint64_t value, struct p2mk_gp *gp)
{
	if (msr == P2MK_MSR_MTRRCAP)
		return raise_gp(gp, msr, value, 0,
		                "MTRRcap is read-only (x86 §4)");
	if (msr == P2MK_MSR_MTRR_DEF_TYPE)
		return write_def_type(s, value, gp);
	if (msr == P2MK_MSR_PAT)
		return write_pat(s, value, gp);
	if (p2mk_mtrr_fixed_msr_index(msr) >= 0)
		return write_fixed(s, msr, value, gp);
	if (var_pair(msr) >= 0)
		return write_var(s, msr, value, gp);
	return raise_gp(gp, msr, value, 0, "not an MSR this model implements");
}

static uint64_t read_fixed(const struct p2mk_mtrr_state *s, int k)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)s->fixed[8 * (unsigned)k + i] << (8 * i);
	return v;
}

enum p2mk_err p2mk_mtrr_rdmsr(const struct p2mk_mtrr_state *s, uint32_t msr,
                              uint64_t *value, struct p2mk_gp *gp)
{
	int k = p2mk_mtrr_fixed_msr_index(msr), n = var_pair(msr);
	if (msr == P2MK_MSR_MTRRCAP) {
		*value = s->cap;
	} else if (msr == P2MK_MSR_MTRR_DEF_TYPE) {
		*value = s->def_type;
	} else if (msr == P2MK_MSR_PAT) {
		*value = s->pat;
	} else if (k >= 0 && fixed_supported(s)) {
		*value = read_fixed(s, k);
	} else if (n >= 0 && (unsigned)n < p2mk_mtrr_vcnt(s)) {
		*value = (msr & 1u) ? s->var[n].mask : s->var[n].base;
	} else {
		return raise_gp(gp, msr, 0, 0,
		                "RDMSR of an MSR this CPU does not implement");
	}
	return P2MK_OK;
}

/* ---- lookup ---------------------------------------------------------- */

const char *p2mk_overlap_name(enum p2mk_overlap o)
{
	switch (o) {
	case P2MK_OVERLAP_XEN:
		return "xen";
	case P2MK_OVERLAP_KVM:
		return "kvm";
	case P2MK_OVERLAP_LINUX:
		return "linux";
	default:
		return "sdm";
	}
}

bool p2mk_overlap_parse(const char *s, enum p2mk_overlap *o)
{
	static const enum p2mk_overlap all[] = {
	    P2MK_OVERLAP_SDM, P2MK_OVERLAP_XEN, P2MK_OVERLAP_KVM,
	    P2MK_OVERLAP_LINUX};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const char *name = p2mk_overlap_name(all[i]), *p = s;
		while (*name != '\0' && *name == *p) {
			name++;
			p++;
		}
		if (*name == '\0' && *p == '\0') {
			*o = all[i];
			return true;
		}
	}
	return false;
}

/*
 * Which enabled variable pairs match a page, as a type set.  `types` has bit
 * t set for every matching type t; `last` is the type of the highest-numbered
 * matching pair (Xen's answer to an undefined overlap).
 */
struct var_match {
	uint64_t hits;
	uint8_t types;
	uint8_t last;
};

/* The variable-range decision of x86 §5.2 step 3 for one set of matches. */
static struct p2mk_mtrr_lookup resolve_var(const struct p2mk_mtrr_state *s,
                                           struct var_match m,
                                           enum p2mk_overlap overlap)
{
	struct p2mk_mtrr_lookup r = {.kind = P2MK_LOOKUP_TYPE,
	                             .var_hits = m.hits};
	const uint8_t wt_wb = (1u << P2MK_MT_WT) | (1u << P2MK_MT_WB);
	if (m.types == 0) {
		r.type = (uint8_t)(s->def_type & P2MK_MTRR_DEF_TYPE_MASK);
		r.source = P2MK_SRC_DEFAULT;
		r.rule =
		    "no enabled range matches: MTRRdefType.Type (x86 §5.2)";
	} else if ((m.types & (m.types - 1)) == 0) {
		r.type = (uint8_t)__builtin_ctz(m.types);
		r.source = P2MK_SRC_VARIABLE;
		r.rule = "variable range(s) of one type (x86 §5.2 step 3)";
	} else if (m.types & (1u << P2MK_MT_UC)) {
		r.type = P2MK_MT_UC;
		r.source = P2MK_SRC_OVERLAP;
		r.rule = "overlapping ranges, one is UC: UC (x86 §5.2 step 3)";
	} else if (m.types == wt_wb) {
		r.type = P2MK_MT_WT;
		r.source = P2MK_SRC_OVERLAP;
		r.rule = "overlapping WT and WB ranges: WT (x86 §5.2 step 3)";
	} else {
		r.source = P2MK_SRC_OVERLAP;
		switch (overlap) {
		case P2MK_OVERLAP_XEN:
			r.type = m.last;
			r.rule = "SDM-undefined overlap; Xen takes the last "
			         "matching pair (x86 §5.3)";
			break;
		case P2MK_OVERLAP_KVM:
			r.type = P2MK_MT_WB;
			r.rule = "SDM-undefined overlap; KVM <= 6.10 uses WB "
			         "(x86 §5.3)";
			break;
		case P2MK_OVERLAP_LINUX:
			r.type = P2MK_MT_UC;
			r.rule = "SDM-undefined overlap; Linux collapses it to "
			         "UC (x86 §5.3)";
			break;
		default:
			r.kind = P2MK_LOOKUP_UNDEFINED;
			r.type = P2MK_MT_INVALID;
			r.rule = "overlapping ranges of types the SDM leaves "
			         "undefined (x86 §5.2 step 3)";
			break;
		}
	}
	return r;
}

static bool mtrrs_enabled(const struct p2mk_mtrr_state *s)
{
	return (s->def_type & P2MK_MTRR_DEF_E) != 0;
}

static bool fixed_enabled(const struct p2mk_mtrr_state *s)
{
	return fixed_supported(s) && (s->def_type & P2MK_MTRR_DEF_FE) != 0;
}

/* Frame-number bits that exist under MAXPHYADDR: M-1:12 shifted down. */
static uint64_t frame_bits(const struct p2mk_mtrr_state *s)
{
	return (UINT64_C(1) << (s->maxphyaddr - P2MK_PAGE_SHIFT)) - 1;
}

static struct p2mk_mtrr_lookup disabled_result(void)
{
	struct p2mk_mtrr_lookup r = {
	    .kind = P2MK_LOOKUP_TYPE,
	    .type = P2MK_MT_UC,
	    .source = P2MK_SRC_DISABLED,
	    .rule = "MTRRdefType.E = 0: all memory UC (x86 §5.2 step 1)",
	};
	return r;
}

static struct p2mk_mtrr_lookup mixed_result(void)
{
	struct p2mk_mtrr_lookup r = {
	    .kind = P2MK_LOOKUP_MIXED,
	    .type = P2MK_MT_INVALID,
	    .source = P2MK_SRC_SPLIT,
	    .rule = "the block is not uniform: split it",
	};
	return r;
}

static bool same_answer(const struct p2mk_mtrr_lookup *a,
                        const struct p2mk_mtrr_lookup *b)
{
	return a->kind == b->kind && a->type == b->type;
}

/* Fixed-range block entirely below 1 MiB: uniform iff its bytes agree. */
static struct p2mk_mtrr_lookup
lookup_fixed_block(const struct p2mk_mtrr_state *s, uint64_t pfn,
                   unsigned order)
{
	uint64_t last_pfn = pfn + (UINT64_C(1) << order) - 1;
	int first = fixed_index(p2mk_frame_to_pa(pfn));
	int last = fixed_index(p2mk_frame_to_pa(last_pfn));
	for (int i = first + 1; i <= last; i++) {
		if (s->fixed[i] != s->fixed[first])
			return mixed_result();
	}
	struct p2mk_mtrr_lookup r = {
	    .kind = P2MK_LOOKUP_TYPE,
	    .type = s->fixed[first],
	    .source = P2MK_SRC_FIXED,
	    .rule = "below 1 MiB with FE = 1: fixed-range MTRR (x86 §5.2 "
	            "step 2)",
	};
	return r;
}

/*
 * Classification of every enabled pair against an aligned block: pairs that
 * match every page (`full`), pairs that match some pages (`partial`).
 * Pair n matches frame p iff (p & mask) == (base & mask) over the frame
 * bits; within a block only the low `order` bits of p vary, so the pair
 * misses the whole block when the high bits disagree, covers all of it when
 * the mask has no low bits, and covers part of it otherwise.  This holds
 * for non-contiguous masks too.
 */
struct block_class {
	struct var_match full;
	uint64_t partial;
	uint8_t partial_types;
};

static struct block_class classify_block(const struct p2mk_mtrr_state *s,
                                         uint64_t pfn, unsigned order)
{
	struct block_class c = {{0, 0, 0}, 0, 0};
	const uint64_t bits = frame_bits(s);
	const uint64_t low = (UINT64_C(1) << order) - 1;
	for (unsigned n = 0; n < p2mk_mtrr_vcnt(s); n++) {
		const struct p2mk_mtrr_var *v = &s->var[n];
		if (!(v->mask & P2MK_MTRR_MASK_V))
			continue;
		uint64_t mask = (v->mask >> P2MK_PAGE_SHIFT) & bits;
		uint64_t base = (v->base >> P2MK_PAGE_SHIFT) & bits;
		if ((pfn ^ base) & mask & ~low)
			continue;
		uint8_t type = (uint8_t)(v->base & 0xff);
		if (mask & low) {
			c.partial |= P2MK_BIT(n);
			c.partial_types |= (uint8_t)(1u << type);
		} else {
			c.full.hits |= P2MK_BIT(n);
			c.full.types |= (uint8_t)(1u << type);
			c.full.last = type;
		}
	}
	return c;
}

/*
 * If every page's answer is the same whichever partial pairs it matches,
 * return true with that answer.  Pages differ only in which partial types
 * join the full ones, so it is enough that the type-set decision is the same
 * for every subset of the partial types.  Xen's last-match rule depends on
 * pair order, not on the type set, so it is only provable when no subset is
 * an undefined combination.
 */
static bool block_provably_uniform(const struct p2mk_mtrr_state *s,
                                   const struct block_class *c,
                                   enum p2mk_overlap overlap,
                                   struct p2mk_mtrr_lookup *out)
{
	const uint8_t partial = c->partial_types;
	bool first = true;
	for (uint8_t sub = partial;; sub = (uint8_t)((sub - 1) & partial)) {
		struct var_match m = c->full;
		m.types |= sub;
		/* Pair order is unknown here; mark last-match results unusable.
		 */
		struct p2mk_mtrr_lookup r = resolve_var(s, m, P2MK_OVERLAP_SDM);
		if (r.kind == P2MK_LOOKUP_UNDEFINED &&
		    overlap != P2MK_OVERLAP_SDM) {
			if (overlap == P2MK_OVERLAP_XEN)
				return false;
			r = resolve_var(s, m, overlap);
		}
		if (first) {
			*out = r;
			first = false;
		} else if (!same_answer(&r, out)) {
			return false;
		}
		if (sub == 0)
			break;
	}
	out->var_hits = c->full.hits;
	return true;
}

static struct p2mk_mtrr_lookup lookup_page(const struct p2mk_mtrr_state *s,
                                           uint64_t pfn,
                                           enum p2mk_overlap overlap)
{
	struct block_class c = classify_block(s, pfn, 0);
	return resolve_var(s, c.full, overlap);
}

/* NOLINTNEXTLINE(misc-no-recursion): depth is bounded by the order (<= 40). */
static struct p2mk_mtrr_lookup lookup_block(const struct p2mk_mtrr_state *s,
                                            uint64_t pfn, unsigned order,
                                            enum p2mk_overlap overlap)
{
	if (fixed_enabled(s) && pfn < FIXED_REGION_PAGES) {
		/* An aligned block starting below 1 MiB either lies inside the
		 * fixed region (order <= 8) or starts at 0 and reaches past it.
		 */
		if (order <= 8)
			return lookup_fixed_block(s, pfn, order);
	} else if (order == 0) {
		return lookup_page(s, pfn, overlap);
	} else {
		struct block_class c = classify_block(s, pfn, order);
		struct p2mk_mtrr_lookup r;
		if (c.partial == 0)
			return resolve_var(s, c.full, overlap);
		if (block_provably_uniform(s, &c, overlap, &r))
			return r;
	}
	/* Not decidable at this size: the block is uniform iff both halves
	 * are, with the same answer. */
	const uint64_t half = UINT64_C(1) << (order - 1);
	struct p2mk_mtrr_lookup lo = lookup_block(s, pfn, order - 1, overlap);
	if (lo.kind == P2MK_LOOKUP_MIXED)
		return lo;
	struct p2mk_mtrr_lookup hi =
	    lookup_block(s, pfn + half, order - 1, overlap);
	if (hi.kind == P2MK_LOOKUP_MIXED || !same_answer(&lo, &hi))
		return mixed_result();
	if (lo.source != hi.source)
		lo.source = P2MK_SRC_VARIABLE;
	lo.var_hits &= hi.var_hits;
	return lo;
}

/* The lookup itself: @pa is a guest or a host address, as @s describes. */
static struct p2mk_mtrr_lookup lookup_pa(const struct p2mk_mtrr_state *s,
                                         uint64_t pa, unsigned order,
                                         enum p2mk_overlap overlap)
{
	if (!mtrrs_enabled(s))
		return disabled_result();
	if (order > MAX_ORDER)
		order = MAX_ORDER;
	uint64_t pfn = p2mk_pa_to_frame(pa) & ~(p2mk_order_frames(order) - 1);
	return lookup_block(s, pfn, order, overlap);
}

struct p2mk_mtrr_lookup p2mk_mtrr_lookup(const struct p2mk_mtrr_state *s,
                                         p2mk_gpa_t gpa, unsigned order,
                                         enum p2mk_overlap overlap)
{
	return lookup_pa(s, gpa.v, order, overlap);
}

struct p2mk_mtrr_lookup p2mk_mtrr_lookup_host(const struct p2mk_mtrr_state *s,
                                              p2mk_hpa_t hpa, unsigned order,
                                              enum p2mk_overlap overlap)
{
	return lookup_pa(s, hpa.v, order, overlap);
}

/* ---- save / restore -------------------------------------------------- */

void p2mk_mtrr_save(const struct p2mk_mtrr_state *s,
                    struct p2mk_mtrr_record *rec)
{
	*rec = (struct p2mk_mtrr_record){
	    .cap = s->cap,
	    .def_type = s->def_type,
	    .pat = s->pat,
	    .maxphyaddr = s->maxphyaddr,
	};
	for (int k = 0; k < P2MK_MTRR_NFIXED_MSRS; k++)
		rec->fixed_msr[k] = read_fixed(s, k);
	for (unsigned n = 0; n < P2MK_MTRR_VCNT_MAX; n++) {
		rec->var_base[n] = s->var[n].base;
		rec->var_mask[n] = s->var[n].mask;
	}
}

/* MSR number of fixed-range MSR k (0..10). */
static uint32_t fixed_msr(unsigned k)
{
	static const uint32_t first_three[] = {P2MK_MSR_MTRR_FIX64K_00000,
	                                       P2MK_MSR_MTRR_FIX16K_80000,
	                                       P2MK_MSR_MTRR_FIX16K_A0000};
	return k < 3 ? first_three[k] : P2MK_MSR_MTRR_FIX4K_C0000 + (k - 3);
}

static enum p2mk_err restore_registers(struct p2mk_mtrr_state *t,
                                       const struct p2mk_mtrr_record *rec,
                                       struct p2mk_gp *gp)
{
	enum p2mk_err err = P2MK_OK;
	for (unsigned k = 0; k < P2MK_MTRR_NFIXED_MSRS && !err; k++) {
		/* A CPU without fixed ranges can only have saved zeros. */
		if (!fixed_supported(t) && rec->fixed_msr[k] == 0)
			continue;
		err = p2mk_mtrr_wrmsr(t, fixed_msr(k), rec->fixed_msr[k], gp);
	}
	for (unsigned n = 0; n < P2MK_MTRR_VCNT_MAX && !err; n++) {
		uint32_t base = P2MK_MSR_MTRR_PHYSBASE0 + 2 * n;
		if (n >= p2mk_mtrr_vcnt(t) && rec->var_base[n] == 0 &&
		    rec->var_mask[n] == 0)
			continue;
		err = p2mk_mtrr_wrmsr(t, base, rec->var_base[n], gp);
		if (!err)
			err =
			    p2mk_mtrr_wrmsr(t, base + 1, rec->var_mask[n], gp);
	}
	if (!err)
		err = p2mk_mtrr_wrmsr(t, P2MK_MSR_MTRR_DEF_TYPE, rec->def_type,
		                      gp);
	if (!err)
		err = p2mk_mtrr_wrmsr(t, P2MK_MSR_PAT, rec->pat, gp);
	return err;
}

enum p2mk_err p2mk_mtrr_restore(struct p2mk_mtrr_state *s,
                                const struct p2mk_mtrr_record *rec,
                                struct p2mk_gp *gp)
{
	if (rec->cap & ~CAP_MODELLED)
		return raise_gp(gp, P2MK_MSR_MTRRCAP, rec->cap,
		                rec->cap & ~CAP_MODELLED,
		                "record's MTRRcap has bits this model does not "
		                "implement");
	const struct p2mk_mtrr_config cfg = {
	    .vcnt = (uint8_t)(rec->cap & P2MK_MTRRCAP_VCNT_MASK),
	    .maxphyaddr = rec->maxphyaddr,
	    .fixed = (rec->cap & P2MK_MTRRCAP_FIX) != 0,
	    .wc = (rec->cap & P2MK_MTRRCAP_WC) != 0,
	};
	struct p2mk_mtrr_state t;
	if (p2mk_mtrr_init(&t, &cfg) != P2MK_OK)
		return raise_gp(gp, P2MK_MSR_MTRRCAP, rec->cap, 0,
		                "record's VCNT or MAXPHYADDR is out of range");
	enum p2mk_err err = restore_registers(&t, rec, gp);
	if (err)
		return err;
	*s = t;
	return P2MK_OK;
}
