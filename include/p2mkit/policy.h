/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy: the memory-type policies of the hypervisors p2mkit reproduces,
 * one file each under src/policy/, all behind struct p2mk_policy
 * (declared in p2mkit/p2m.h, which this layer builds on).
 *
 * Spec: xen-reference-behaviour.md ("xen §N"), x86-memory-types.md §8,
 * §9, §11 ("x86 §N"), arm64-memory-attributes.md §3, §4, §8 ("arm64 §N"),
 * landscape-and-users.md §2, §3 ("landscape §N").
 */
#ifndef P2MKIT_POLICY_H
#define P2MKIT_POLICY_H

#include <p2mkit/base.h>
#include <p2mkit/mtrr.h>
#include <p2mkit/p2m.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The policies (each defined in src/policy/<name>.c). */
extern const struct p2mk_policy p2mk_policy_xen_ept;
extern const struct p2mk_policy p2mk_policy_xen_ept_cdf;
extern const struct p2mk_policy p2mk_policy_xen_ept_exact;
extern const struct p2mk_policy p2mk_policy_xen_npt;
extern const struct p2mk_policy p2mk_policy_kvm_x86_6_10;
extern const struct p2mk_policy p2mk_policy_kvm_x86_6_11;
extern const struct p2mk_policy p2mk_policy_kvm_x86_noquirk;
extern const struct p2mk_policy p2mk_policy_kvm_svm;
extern const struct p2mk_policy p2mk_policy_kvm_arm64_6_8;
extern const struct p2mk_policy p2mk_policy_kvm_arm64_6_9;
extern const struct p2mk_policy p2mk_policy_kvm_arm64_pfnmap;
extern const struct p2mk_policy p2mk_policy_bhyve;
extern const struct p2mk_policy p2mk_policy_acrn;
extern const struct p2mk_policy p2mk_policy_hafnium;
extern const struct p2mk_policy p2mk_policy_bao;

/** p2mk_policy_count() - number of policies in p2mk_policy_at(). */
unsigned p2mk_policy_count(void);

/** p2mk_policy_at() - the @i-th policy (stable order), or NULL. */
const struct p2mk_policy *p2mk_policy_at(unsigned i);

/** p2mk_policy_find() - the policy called @name, or NULL. */
const struct p2mk_policy *p2mk_policy_find(const char *name);

/**
 * p2mk_xen_mtrr_get_type() - Xen's MTRR lookup, restated faithfully (xen §4),
 * including its handling of a variable range that covers only part of a
 * superpage (xen §16 defect 3): the range's mask is cut below the block size,
 * so a range inside the block "hits" and is taken to cover all of it.
 * p2mk_mtrr_lookup is the exact lookup; this one is what Xen computes.  Returns
 * an MTRR type 0..6, or -1 for "not uniform: split".  @m is a vCPU's MTRR
 * state and @gpa a guest address; p2mk_xen_mtrr_get_type_host() asks the
 * host's MTRRs about a host address (Xen's second lookup, xen §6 row 6).
 */
int p2mk_xen_mtrr_get_type(const struct p2mk_mtrr_state *m, p2mk_gpa_t gpa,
                           unsigned order);
int p2mk_xen_mtrr_get_type_host(const struct p2mk_mtrr_state *m, p2mk_hpa_t hpa,
                                unsigned order);

/**
 * struct p2mk_xen_ept_truth - Xen's answer for a block next to the truth.
 * @truth: what "xen-ept-exact" answers: one EMT if every 4 KiB page of the
 * block gets that EMT (and IPAT) from Xen's rules at order 0, otherwise
 * MIXED.  @differ: pages whose order-0 answer differs from the Xen answer
 * compared against (0 when that answer is MIXED: split pages get their
 * own answers); @first_differ: the lowest such guest frame.
 * @needless_split: Xen splits a block that is uniform.  @pieces: uniform
 * pieces the block was cut into to find this out.
 */
struct p2mk_xen_ept_truth {
	struct p2mk_policy_out truth;
	uint64_t differ;
	p2mk_gfn_t first_differ;
	bool needless_split;
	uint64_t pieces;
};

/**
 * p2mk_xen_ept_truth() - compare @xen, an xen-ept answer for query @q in
 * view @v, with the per-page truth (see struct p2mk_xen_ept_truth).  The
 * block is cut only at the boundaries of the MTRR ranges, pinned ranges,
 * read-only MMIO and special ranges inside it, never page by page.
 */
void p2mk_xen_ept_truth(const struct p2mk_policy_view *v,
                        const struct p2mk_policy_query *q,
                        const struct p2mk_policy_out *xen,
                        struct p2mk_xen_ept_truth *t);

/**
 * p2mk_xen_var_overlapped() - Xen's `overlapped` flag (xen §2.1): true if
 * two valid variable ranges i, j satisfy
 * (base_i & mask_i & mask_j) == (base_j & mask_i & mask_j) on frame numbers.
 */
bool p2mk_xen_var_overlapped(const struct p2mk_mtrr_state *m);

/**
 * p2mk_xen_hvm_save_mtrr() - the MTRR save record as Xen's
 * hvm_save_mtrr_msr fills it (xen §2.5), including xen §16 defect 1: every
 * one of the VCNT variable slots is taken from pair 0.  Slots at and above
 * VCNT are zero.  Restore it with p2mk_mtrr_restore() or MSR by MSR.
 */
void p2mk_xen_hvm_save_mtrr(const struct p2mk_mtrr_state *m,
                            struct p2mk_mtrr_record *rec);

/**
 * p2mk_xen_combine_emt() - Xen's guest x host MTRR combination (xen §6
 * row 7): equal -> that type; either UC -> UC; guest WB -> host; host WB ->
 * guest; {WT, WP} -> WP; anything else -> UC.
 */
enum p2mk_mt p2mk_xen_combine_emt(enum p2mk_mt guest, enum p2mk_mt host);

/**
 * p2mk_xen_pinned_lookup() - Xen's pinned-range lookup for an aligned
 * 2^@order block (xen §7): returns the type (UC- folded to UC is left to
 * the caller) if one range fully contains it, -2 if a range intersects it
 * (-EADDRNOTAVAIL), -1 if none (-ENXIO).
 */
int p2mk_xen_pinned_lookup(const struct p2mk_policy_view *v, p2mk_gfn_t gfn,
                           unsigned order);

/**
 * p2mk_view_io_flags() - the P2MK_IO_* flags of the assigned I/O range
 * that contains the whole block [mfn, mfn + 2^order), 0 in *@flags if no
 * range intersects it.  Returns false if ranges cover the block only in
 * part (the attributes are not uniform: a policy answers MIXED).
 */
bool p2mk_view_io_flags(const struct p2mk_policy_view *v, p2mk_mfn_t mfn,
                        unsigned order, uint32_t *flags);

/**
 * p2mk_view_guest_mtrr() - the MTRR state of the vCPU a decision is made
 * for: @v->cur_vcpu if it is a vCPU of the domain, else vCPU 0 (xen §6 row
 * 0); NULL if the domain has no vCPU.
 */
const struct p2mk_mtrr_state *
p2mk_view_guest_mtrr(const struct p2mk_policy_view *v);

/* Stage-2 MemAttr values used by the arm64 policies (arm64 §3, §4). */
#define P2MK_S2_DEVICE_nGnRnE 0x0u
#define P2MK_S2_DEVICE_nGnRE  0x1u
#define P2MK_S2_DEVICE_GRE    0x3u
#define P2MK_S2_NORMAL_NC     0x5u /* FWB off: inner/outer NC; FWB on: NC */
#define P2MK_S2_NORMAL_WB     0xfu /* FWB off: inner/outer WB */
#define P2MK_S2_FWB_NORMAL_WB 0x6u /* FWB on: forced WB */

/** p2mk_s2attr_name() - "Device-nGnRE", "Normal-NC", "Normal-WB", ... */
const char *p2mk_s2attr_name(unsigned attr, bool fwb);

/**
 * p2mk_policy_out_str() - a short rendering of an answer for tables and
 * the CLI: "WB+IPAT", "UC" (EPT); "hPAT2 UC-" (NPT); "Normal-NC" (arm64);
 * "split", "refused" or "-" for the other kinds.  Writes at most @len bytes
 * including the terminating NUL (truncating if needed) and returns the
 * length of the untruncated string.
 */
size_t p2mk_policy_out_str(enum p2mk_arch arch, const struct p2mk_policy_out *o,
                           char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_POLICY_H */
