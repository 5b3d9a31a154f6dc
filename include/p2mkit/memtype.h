/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * memtype: the memory-type algebra.  Pure functions, no state.
 *
 * x86 part (spec: shared/spec/x86-memory-types.md, cited below as "x86 §N"):
 * type encodings, PAT MSR decode and validation, the PAT index, Intel's
 * PAT x MTRR combination, EPT EMT/IPAT x guest PAT, and AMD's combinations
 * (PAT x MTRR and NPT guest PAT x host PAT) kept as replaceable data tables
 * whose UNVERIFIED cells are flagged.
 *
 * ARM64 part: see the section "ARM64" further down.
 */
#ifndef P2MKIT_MEMTYPE_H
#define P2MKIT_MEMTYPE_H

#include <p2mkit/base.h>

/*
 * x86 memory types.  Values 0..7 are the architectural encodings shared by
 * MTRRs, PAT entries and EPT EMT (x86 §2).  CD and WC+ are AMD *result*
 * types with no encoding of their own (x86 §10.2); they are given values
 * outside the 3-bit space so they can never be written into hardware.
 */
enum p2mk_mt {
	P2MK_MT_UC = 0,
	P2MK_MT_WC = 1,
	P2MK_MT_RSVD2 = 2,
	P2MK_MT_RSVD3 = 3,
	P2MK_MT_WT = 4,
	P2MK_MT_WP = 5,
	P2MK_MT_WB = 6,
	P2MK_MT_UCM = 7, /* "UC-": PAT only; an EPT misconfiguration as EMT */
	P2MK_MT_CD = 0x10,     /* AMD: uncacheable, snooped */
	P2MK_MT_WCPLUS = 0x11, /* AMD: write-combining that snoops caches */
	P2MK_MT_INVALID = 0xff,
};

/** p2mk_mt_name() - canonical token ("UC", "UC-", "WC+", "CD", ...). */
const char *p2mk_mt_name(unsigned mt);

/**
 * p2mk_mt_parse() - parse a type token or a numeric encoding.
 * Accepts "UC UC- WC WT WP WB" (any case), "CD", "WC+", and decimal or 0x
 * numbers 0..255.  Returns false, leaving *@mt untouched, for anything else.
 * Numbers are returned as given: validity is for the caller to check.
 */
bool p2mk_mt_parse(const char *s, unsigned *mt);

/** p2mk_mt_valid_mtrr() - true for the MTRR types {UC, WC, WT, WP, WB}. */
bool p2mk_mt_valid_mtrr(uint64_t mt);

/** p2mk_mt_valid_pat() - true for the PAT types {UC, WC, WT, WP, WB, UC-}. */
bool p2mk_mt_valid_pat(uint64_t mt);

/**
 * enum p2mk_cache_class - what a type means to software, for summaries.
 */
enum p2mk_cache_class {
	P2MK_CACHED,         /* WB, WT, WP: reads hit the cache */
	P2MK_WRITE_COMBINED, /* WC, WC+: uncached reads, combined writes */
	P2MK_UNCACHED,       /* UC, UC-, CD */
	P2MK_NO_ACCESS,      /* invalid or misconfigured */
};

/** p2mk_mt_class() - the cache class of a (result) type. */
enum p2mk_cache_class p2mk_mt_class(unsigned mt);

/** p2mk_cache_class_name() - "cached", "write-combined", "uncached", ... */
const char *p2mk_cache_class_name(enum p2mk_cache_class c);

/*
 * The result of a combination.  @rule names the spec section and manual
 * table that decided it; it is a string literal and never NULL.
 */
enum p2mk_mt_status {
	P2MK_MT_OK = 0,
	P2MK_MT_BAD_INPUT,     /* an input is not a valid type for its role */
	P2MK_MT_EPT_MISCONFIG, /* EMT 2, 3 or 7 in a present leaf (x86 §8.3) */
};

struct p2mk_mt_result {
	uint8_t type;        /* enum p2mk_mt */
	uint8_t status;      /* enum p2mk_mt_status */
	bool must_snoop;     /* SDM footnote 2: UC that came from the page tables */
	bool verified;       /* false if an UNVERIFIED table cell was used */
	const char *rule;
};

/* ---- PAT (x86 §6) ---------------------------------------------------- */

#define P2MK_MSR_PAT 0x277u
/* Power-up value: WB, WT, UC-, UC, WB, WT, UC-, UC (x86 §6.1). */
#define P2MK_PAT_RESET UINT64_C(0x0007040600070406)

/** p2mk_pat_entry() - type held in PA@index (0..7) of a PAT MSR value. */
static inline unsigned p2mk_pat_entry(uint64_t pat, unsigned index)
{
	return (unsigned)(pat >> (8u * (index & 7u))) & 0xffu;
}

/**
 * p2mk_pat_index() - PAT index selected by a paging entry: 4*PAT + 2*PCD + PWT
 * (x86 §6.2).  The caller picks the PAT bit (bit 7 of a 4 KiB PTE, bit 12 of
 * a large-page entry).
 */
static inline unsigned p2mk_pat_index(bool pat, bool pcd, bool pwt)
{
	return (pat ? 4u : 0u) | (pcd ? 2u : 0u) | (pwt ? 1u : 0u);
}

/**
 * p2mk_pat_first_invalid() - index of the first PAT field whose full 8-bit
 * value is not in {0,1,4,5,6,7}, or -1 if the value is a legal IA32_PAT
 * (a WRMSR would not #GP; x86 §6.1).
 */
int p2mk_pat_first_invalid(uint64_t pat);

/* ---- Intel PAT x MTRR (x86 §7) --------------------------------------- */

/**
 * p2mk_intel_pat_mtrr() - effective type of an access whose range-register
 * (MTRR, or EPT EMT) type is @mtrr and whose PAT type is @pat, CR0.CD = 0,
 * per SDM vol. 3 Table 11-7 (Table 13-7 in 2023+ editions).
 *
 * Returns status P2MK_MT_BAD_INPUT if @mtrr is not an MTRR type or @pat not
 * a PAT type.  must_snoop is set for footnote-2 cells (UC imposed by the
 * page tables over a cacheable range).
 */
struct p2mk_mt_result p2mk_intel_pat_mtrr(unsigned mtrr, unsigned pat);

/* ---- Intel EPT (x86 §8) ---------------------------------------------- */

/** p2mk_ept_emt_valid() - false for EMT 2, 3 and 7 (misconfiguration). */
bool p2mk_ept_emt_valid(unsigned emt);

/**
 * p2mk_ept_effective() - type of a guest-physical access through a present
 * EPT leaf with @emt / @ipat, guest PAT type @guest_pat, guest CR0.CD @cd
 * (x86 §8.2).  EMT 2, 3 or 7 gives status P2MK_MT_EPT_MISCONFIG before
 * anything else is considered, because the CPU faults on the walk (x86
 * §8.3).  MTRRs play no part: the hypervisor must fold them into @emt.
 */
struct p2mk_mt_result p2mk_ept_effective(unsigned emt, bool ipat,
					 unsigned guest_pat, bool cd);

/* ---- AMD (x86 §9, §10) ----------------------------------------------- */

/*
 * One cell of an AMD data table.  @verified is false for cells the spec
 * marks UNVERIFIED; the value is then the spec's stated belief, or the
 * project's documented best guess (docs/amd-unverified.md).
 */
struct p2mk_mt_cell {
	uint8_t type;
	bool verified;
};

/* Column/row order of the AMD tables: UC, UC-, WC, WT, WP, WB. */
enum { P2MK_AMD_NTYPES = 6 };

/** p2mk_amd_slot() - row/column of a PAT type in the AMD tables, or -1. */
int p2mk_amd_slot(unsigned mt);

/*
 * The tables themselves, exported read-only so tests and docs can walk them
 * cell by cell.  Correcting a cell is a data change in src/memtype/amd.c.
 */
extern const struct p2mk_mt_cell
	p2mk_amd_pat_mtrr_table[P2MK_AMD_NTYPES - 1][P2MK_AMD_NTYPES];
extern const struct p2mk_mt_cell
	p2mk_amd_npt_table[P2MK_AMD_NTYPES][P2MK_AMD_NTYPES];

/**
 * p2mk_amd_pat_mtrr() - AMD "Combining PAT and MTRR Types" (APM vol. 2
 * §7.8; x86 §10.2).  @pat may also be one of the nested-paging result types
 * CD or WC+ (x86 §9.1: the NPT result is combined with the host MTRR).
 */
struct p2mk_mt_result p2mk_amd_pat_mtrr(unsigned mtrr, unsigned pat);

/**
 * p2mk_npt_guest_host() - AMD "Combining Guest and Host PAT Types" (APM
 * vol. 2 §15.25.8; x86 §9.2): the type from the guest PAT (@gpat) and the
 * type the nested PTE selects in the host PAT (@hpat).
 */
struct p2mk_mt_result p2mk_npt_guest_host(unsigned gpat, unsigned hpat);

/**
 * p2mk_npt_effective() - the three-way NPT result
 * f_MTRR(@host_mtrr, f_NPT(@gpat, @hpat)) (x86 §9.1).  verified is false if
 * either step used an UNVERIFIED cell.
 */
struct p2mk_mt_result p2mk_npt_effective(unsigned gpat, unsigned hpat,
					 unsigned host_mtrr);

#endif /* P2MKIT_MEMTYPE_H */
