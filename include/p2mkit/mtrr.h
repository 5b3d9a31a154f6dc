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

/** p2mk_mtrr_fixed_index() - flattened fixed-range entry (0..87) for
 * @pa < 1 MiB (x86 §3.4), or -1 for pa >= 1 MiB. */
int p2mk_mtrr_fixed_index(uint64_t pa);

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
 * 4 KiB pages containing @pa (order 0: one page).  The block has a type when
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
                                         uint64_t pa, unsigned order,
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

#endif /* P2MKIT_MTRR_H */
