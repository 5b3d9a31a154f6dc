/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mtrr: one vCPU's cache-control state (MTRRcap, MTRRdefType, the eleven
 * fixed-range MSRs, N variable pairs and IA32_PAT), the MSR interface with
 * every architectural #GP condition, and type lookup for an address or an
 * aligned 2^order block.
 *
 * Spec: shared/spec/x86-memory-types.md §3-§5 ("x86 §N" below) and
 * xen-reference-behaviour.md §3 for Xen's vMTRR validation.
 */
#ifndef P2MKIT_MTRR_H
#define P2MKIT_MTRR_H

#include <p2mkit/base.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MSR numbers (x86 §3.1). */
#define P2MK_MSR_MTRRCAP           0x0feu
#define P2MK_MSR_MTRR_DEF_TYPE     0x2ffu
#define P2MK_MSR_MTRR_PHYSBASE0    0x200u /* PHYSBASEn = 0x200 + 2n */
#define P2MK_MSR_MTRR_PHYSMASK0    0x201u /* PHYSMASKn = 0x201 + 2n */
#define P2MK_MSR_MTRR_FIX64K_00000 0x250u
#define P2MK_MSR_MTRR_FIX16K_80000 0x258u
#define P2MK_MSR_MTRR_FIX16K_A0000 0x259u
#define P2MK_MSR_MTRR_FIX4K_C0000  0x268u /* ... 0x26f = FIX4K_F8000 */

/* MTRRcap fields (x86 §3.2). */
#define P2MK_MTRRCAP_VCNT_MASK 0xffu
#define P2MK_MTRRCAP_FIX       P2MK_BIT(8)
#define P2MK_MTRRCAP_WC        P2MK_BIT(10)
#define P2MK_MTRRCAP_SMRR      P2MK_BIT(11)

/* MTRRdefType fields (x86 §3.3). */
#define P2MK_MTRR_DEF_TYPE_MASK 0xffu
#define P2MK_MTRR_DEF_FE        P2MK_BIT(10)
#define P2MK_MTRR_DEF_E         P2MK_BIT(11)

/* PHYSMASK valid bit (x86 §3.5). */
#define P2MK_MTRR_MASK_V P2MK_BIT(11)

/* Fixed ranges flatten to 88 one-byte entries covering the first MiB. */
#define P2MK_MTRR_NFIXED      88
#define P2MK_MTRR_NFIXED_MSRS 11
/* Variable pairs that fit below the fixed-range MSRs: (0x250-0x200)/2. */
#define P2MK_MTRR_VCNT_MAX 40

/**
 * struct p2mk_gp - why an MSR access raised #GP.  @reason is a string
 * literal naming the violated rule; @bad_bits holds the offending bits of
 * the written value where that is meaningful (0 otherwise).
 */
struct p2mk_gp {
	uint32_t msr;
	uint64_t value;
	uint64_t bad_bits;
	const char *reason;
};

/**
 * struct p2mk_mtrr_config - what the (virtual) CPU implements.
 * @vcnt: variable pairs, 0..40.  @maxphyaddr: physical-address width M,
 * 32..52; reserved-bit checks and matching use bits M-1:12.
 * @fixed, @wc: MTRRcap.FIX and MTRRcap.WC.
 */
struct p2mk_mtrr_config {
	uint8_t vcnt;
	uint8_t maxphyaddr;
	bool fixed;
	bool wc;
};

struct p2mk_mtrr_var {
	uint64_t base; /* raw IA32_MTRR_PHYSBASEn */
	uint64_t mask; /* raw IA32_MTRR_PHYSMASKn */
};

/**
 * struct p2mk_mtrr_state - the architectural registers, stored as the raw
 * MSR values a guest would read back.  Fields may be read directly; write
 * them only through p2mk_mtrr_wrmsr() or p2mk_mtrr_restore(), which keep
 * them valid.
 */
struct p2mk_mtrr_state {
	uint64_t cap;
	uint64_t def_type;
	uint64_t pat;
	uint8_t fixed[P2MK_MTRR_NFIXED];
	struct p2mk_mtrr_var var[P2MK_MTRR_VCNT_MAX];
	uint8_t maxphyaddr;
};

/**
 * p2mk_mtrr_init() - reset state for @cfg: MTRRs disabled and zero, PAT at
 * its power-up value, MTRRcap = FIX | WC | VCNT as configured.
 * Returns P2MK_ERR_INVAL (state untouched) if vcnt > 40 or maxphyaddr is
 * outside 32..52.
 */
enum p2mk_err p2mk_mtrr_init(struct p2mk_mtrr_state *s,
                             const struct p2mk_mtrr_config *cfg);

/** p2mk_mtrr_vcnt() - number of implemented variable pairs. */
static inline unsigned p2mk_mtrr_vcnt(const struct p2mk_mtrr_state *s)
{
	return (unsigned)(s->cap & P2MK_MTRRCAP_VCNT_MASK);
}

/**
 * p2mk_mtrr_wrmsr() - WRMSR @value to @msr.  On success the state changes;
 * on #GP it returns P2MK_ERR_GP, fills *@gp (if not NULL) with the reason
 * and leaves the state unchanged.  Handles MTRRcap, MTRRdefType, the fixed
 * and variable MTRRs and IA32_PAT; any other MSR is P2MK_ERR_GP
 * ("not an MSR this model implements").
 */
enum p2mk_err p2mk_mtrr_wrmsr(struct p2mk_mtrr_state *s, uint32_t msr,
                              uint64_t value, struct p2mk_gp *gp);

/**
 * p2mk_mtrr_rdmsr() - RDMSR.  Unimplemented MSRs (including PHYSBASE/MASKn
 * with n >= VCNT) give P2MK_ERR_GP.
 */
enum p2mk_err p2mk_mtrr_rdmsr(const struct p2mk_mtrr_state *s, uint32_t msr,
                              uint64_t *value, struct p2mk_gp *gp);

/**
 * p2mk_mtrr_fixed_index() - flattened fixed-range entry (0..87) that holds
 * the type of guest address @gpa < 1 MiB (x86 §3.4), or -1 at or above
 * 1 MiB.  p2mk_mtrr_fixed_index_host() is the same for the host's own
 * MTRRs, which describe host-physical addresses.
 */
int p2mk_mtrr_fixed_index(p2mk_gpa_t gpa);
int p2mk_mtrr_fixed_index_host(p2mk_hpa_t hpa);

/**
 * enum p2mk_overlap - what to do where several enabled variable ranges with
 * different types match and the SDM leaves the result undefined (x86 §5.3).
 */
enum p2mk_overlap {
	P2MK_OVERLAP_SDM,   /* report P2MK_LOOKUP_UNDEFINED */
	P2MK_OVERLAP_XEN,   /* type of the last matching pair in array order */
	P2MK_OVERLAP_KVM,   /* WB (KVM <= 6.10) */
	P2MK_OVERLAP_LINUX, /* UC (Linux host mtrr_type_lookup) */
};

/** p2mk_overlap_name() / p2mk_overlap_parse() - "sdm", "xen", "kvm", "linux".
 */
const char *p2mk_overlap_name(enum p2mk_overlap o);
bool p2mk_overlap_parse(const char *s, enum p2mk_overlap *o);

enum p2mk_lookup_kind {
	P2MK_LOOKUP_TYPE,      /* @type holds the MTRR type */
	P2MK_LOOKUP_MIXED,     /* the 2^order block is not uniform */
	P2MK_LOOKUP_UNDEFINED, /* SDM-undefined overlap (policy sdm only) */
};

/* Which rule of x86 §5.2 decided a lookup. */
enum p2mk_lookup_source {
	P2MK_SRC_DISABLED, /* DEF_TYPE.E = 0: UC everywhere */
	P2MK_SRC_FIXED,    /* a fixed-range byte */
	P2MK_SRC_VARIABLE, /* one or more variable ranges */
	P2MK_SRC_OVERLAP,  /* several variable ranges, resolved by a rule */
	P2MK_SRC_DEFAULT,  /* no range matched: DEF_TYPE.Type */
	P2MK_SRC_SPLIT,    /* block not uniform (kind MIXED) */
};

/**
 * struct p2mk_mtrr_lookup - result of a lookup.  For a single page,
 * @var_hits has bit n set for each matching enabled pair n (fixed-range
 * and disabled lookups leave it 0); @rule is a string literal citing the
 * deciding rule.
 */
struct p2mk_mtrr_lookup {
	uint8_t kind;   /* enum p2mk_lookup_kind */
	uint8_t type;   /* valid when kind == P2MK_LOOKUP_TYPE */
	uint8_t source; /* enum p2mk_lookup_source */
	uint64_t var_hits;
	const char *rule;
};

/**
 * p2mk_mtrr_lookup() - MTRR type of the naturally aligned block of 2^@order
 * 4 KiB pages containing guest address @gpa (order 0: one page), for a
 * vCPU's MTRR state; p2mk_mtrr_lookup_host() is the same lookup for the
 * host's MTRRs and a host-physical address.  (An MTRR state holds raw
 * register values that describe whichever space their owner governs; the
 * two entry points keep a guest address from being looked up where a host
 * address is meant.)  The block has a type when
 * every page in it resolves to the same type (and kind) under @overlap;
 * otherwise the result is MIXED.  Exact for any register contents,
 * including non-contiguous masks and ranges that cover part of the block.
 * Orders above 40 are clamped to 40.  Only address bits MAXPHYADDR-1:12
 * take part in matching (x86 §5.4): bits at and above MAXPHYADDR do not
 * exist on the CPU, so an address beyond 2^MAXPHYADDR aliases the one with
 * those bits cleared.  Callers holding addresses from elsewhere (e.g. a
 * host's /proc/iomem) should range-check them first.
 */
struct p2mk_mtrr_lookup p2mk_mtrr_lookup(const struct p2mk_mtrr_state *s,
                                         p2mk_gpa_t gpa, unsigned order,
                                         enum p2mk_overlap overlap);
struct p2mk_mtrr_lookup p2mk_mtrr_lookup_host(const struct p2mk_mtrr_state *s,
                                              p2mk_hpa_t hpa, unsigned order,
                                              enum p2mk_overlap overlap);

/**
 * struct p2mk_mtrr_record - a save/restore record holding every register:
 * all 40 possible variable pairs, the 11 fixed MSRs, cap, defType, PAT and
 * MAXPHYADDR.  Plain data, safe to copy.
 */
struct p2mk_mtrr_record {
	uint64_t cap;
	uint64_t def_type;
	uint64_t pat;
	uint64_t fixed_msr[P2MK_MTRR_NFIXED_MSRS];
	uint64_t var_base[P2MK_MTRR_VCNT_MAX];
	uint64_t var_mask[P2MK_MTRR_VCNT_MAX];
	uint8_t maxphyaddr;
};

/** p2mk_mtrr_save() - capture every register of @s. */
void p2mk_mtrr_save(const struct p2mk_mtrr_state *s,
                    struct p2mk_mtrr_record *rec);

/**
 * p2mk_mtrr_restore() - load @rec into @s, validating every value as a
 * WRMSR would (a record a CPU could not have produced is refused).  On
 * error @s is unchanged and *@gp names the offending register.
 */
enum p2mk_err p2mk_mtrr_restore(struct p2mk_mtrr_state *s,
                                const struct p2mk_mtrr_record *rec,
                                struct p2mk_gp *gp);

/** p2mk_mtrr_fixed_msr_index() - 0..10 for a fixed-range MSR, else -1. */
int p2mk_mtrr_fixed_msr_index(uint32_t msr);

/* ---- variable-MTRR planner (docs/mtrr-plan.md) ------------------------ */

/* p2mk_mtrr_plan_request.default_type: let the planner choose the default
 * type that needs the fewest variable MTRRs. */
#define P2MK_MTRR_PLAN_AUTO 0xfeu
/* Most ranges one request may hold (sorting them is quadratic). */
#define P2MK_MTRR_PLAN_MAX_RANGES 4096u

/**
 * struct p2mk_mtrr_plan_range - one requested range: @count 4 KiB frames
 * from @first, all of MTRR type @type (UC, WC, WT, WP or WB; enum p2mk_mt).
 */
struct p2mk_mtrr_plan_range {
	p2mk_gfn_t first;
	uint64_t count;
	uint8_t type;
};

/**
 * struct p2mk_mtrr_plan_request - what the planner is asked for.
 * @ranges/@nranges: the typed ranges, in any order, pairwise disjoint,
 * each non-empty and below 2^@maxphyaddr (adjacent ranges may share a
 * type).  Every other address at or above 1 MiB wants @default_type.
 * @maxphyaddr: 32..52.  @vcnt: variable pairs available, 0..40.
 * @default_type: an MTRR type or P2MK_MTRR_PLAN_AUTO.  @no_wc: the CPU
 * lacks MTRRcap.WC, so WC is refused in @ranges and never planned.
 */
struct p2mk_mtrr_plan_request {
	const struct p2mk_mtrr_plan_range *ranges;
	size_t nranges;
	uint8_t maxphyaddr;
	uint8_t vcnt;
	uint8_t default_type;
	bool no_wc;
};

/**
 * struct p2mk_mtrr_plan_var - one planned variable MTRR: the raw
 * @physbase (base address | type) and @physmask (contiguous mask | V)
 * MSR values, and the naturally aligned block of @count = 2^k frames from
 * @first that they cover, of type @type.
 */
struct p2mk_mtrr_plan_var {
	uint64_t physbase;
	uint64_t physmask;
	p2mk_gfn_t first;
	uint64_t count;
	uint8_t type;
};

enum p2mk_mtrr_plan_status {
	P2MK_MTRR_PLAN_OK,               /* minimum <= vcnt */
	P2MK_MTRR_PLAN_OUT_OF_RESOURCES, /* minimum > vcnt */
};

/**
 * struct p2mk_mtrr_plan - the planner's answer.  @status says whether the
 * minimum fits in VCNT; @minimum is the fewest variable MTRRs any
 * programming needs; @default_type the default the plan assumes (the chosen
 * one under P2MK_MTRR_PLAN_AUTO); @count the number of entries written to
 * the caller's array: @minimum when it had room for them (whatever the
 * status), otherwise 0.
 */
struct p2mk_mtrr_plan {
	uint8_t status; /* enum p2mk_mtrr_plan_status */
	uint8_t default_type;
	unsigned minimum;
	unsigned count;
};

/*
 * Workspace the planner needs for @nranges ranges, in uint64_t words: the
 * boundary list plus one word per address-trie node the search visits
 * (at most 40 per boundary; docs/mtrr-plan.md).  Usable in array sizes.
 */
#define P2MK_MTRR_PLAN_WS_WORDS(nranges) (43u * (2u * (size_t)(nranges) + 3u))

/**
 * p2mk_mtrr_plan() - the fewest variable MTRRs that give every address from
 * 1 MiB to 2^maxphyaddr exactly the requested type (x86 §5.2: UC wins, WT
 * over WB, equal types agree; the planner never relies on any other
 * overlap), with the first MiB left to the fixed ranges (there the variable
 * MTRRs only have to resolve to some defined type).  The answer is exact:
 * docs/mtrr-plan.md proves no programming with fewer MTRRs exists.
 *
 * @ws/@ws_words: scratch memory, at least P2MK_MTRR_PLAN_WS_WORDS(nranges)
 * words.  @out/@out_cap: receives the plan, lowest block first, when
 * @out_cap >= the minimum (so a plan that does not fit VCNT can still be
 * shown).  Fills *@plan.
 *
 * Returns P2MK_ERR_INVAL for a bad maxphyaddr, vcnt, type, empty or
 * overlapping range or a too small workspace, P2MK_ERR_RANGE for a range
 * reaching past 2^maxphyaddr; then *@plan and @out are untouched.
 */
enum p2mk_err p2mk_mtrr_plan(const struct p2mk_mtrr_plan_request *req,
                             uint64_t *ws, size_t ws_words,
                             struct p2mk_mtrr_plan_var *out, size_t out_cap,
                             struct p2mk_mtrr_plan *plan);

/**
 * p2mk_mtrr_plan_apply() - program @plan (its @count entries in @vars) into
 * @s through p2mk_mtrr_wrmsr(): pairs 0..count-1 get the plan, the other
 * implemented pairs are cleared, MTRRdefType gets the plan's default with
 * E = 1 (FE unchanged).  Returns P2MK_ERR_INVAL if the plan has more
 * entries than @s implements pairs, P2MK_ERR_GP (with *@gp) if a write
 * would fault; @s is unchanged on any error.
 */
enum p2mk_err p2mk_mtrr_plan_apply(struct p2mk_mtrr_state *s,
                                   const struct p2mk_mtrr_plan *plan,
                                   const struct p2mk_mtrr_plan_var *vars,
                                   struct p2mk_gp *gp);

/**
 * struct p2mk_mtrr_plan_diff - a maximal run of @count frames from @first
 * where a programmed state's type (@got, a p2mk_mtrr_lookup() answer under
 * the SDM overlap rule) differs from the requested type @want.
 */
struct p2mk_mtrr_plan_diff {
	p2mk_gfn_t first;
	uint64_t count;
	uint8_t want;
	struct p2mk_mtrr_lookup got;
};

/* Called once per difference, lowest first; return false to stop early. */
typedef bool (*p2mk_mtrr_plan_diff_fn)(void *ctx,
                                       const struct p2mk_mtrr_plan_diff *d);

/**
 * p2mk_mtrr_plan_check() - compare programmed state @s with the request:
 * calls @fn for every maximal run at or above 1 MiB whose type differs
 * from the request, and for runs below 1 MiB whose type is undefined.
 * Under P2MK_MTRR_PLAN_AUTO the request's default is the state's
 * MTRRdefType.  Sets *@ndiff to the number of runs reported.  Same
 * argument checks and workspace as p2mk_mtrr_plan(); the request's
 * maxphyaddr must equal the state's.
 */
enum p2mk_err p2mk_mtrr_plan_check(const struct p2mk_mtrr_state *s,
                                   const struct p2mk_mtrr_plan_request *req,
                                   uint64_t *ws, size_t ws_words,
                                   p2mk_mtrr_plan_diff_fn fn, void *ctx,
                                   unsigned *ndiff);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_MTRR_H */
