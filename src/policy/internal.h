/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private helpers of the policy files: filling an answer, and the Xen EPT
 * decision shared by "xen-ept" and its proposed variant "xen-ept-cdf".
 */
#ifndef P2MKIT_POLICY_INTERNAL_H
#define P2MKIT_POLICY_INTERNAL_H

#include <p2mkit/memtype.h>
#include <p2mkit/policy.h>

static inline void pol_ept(struct p2mk_policy_out *o, enum p2mk_mt emt,
                           bool ipat, const char *branch, const char *cite)
{
	o->kind = P2MK_POL_TYPE;
	o->emt = emt;
	o->ipat = ipat;
	o->branch = branch;
	o->cite = cite;
}

static inline void pol_kind(struct p2mk_policy_out *o, enum p2mk_pol_kind kind,
                            const char *branch, const char *cite)
{
	o->kind = kind;
	o->branch = branch;
	o->cite = cite;
}

/* Xen's host PAT (xen §2.4), used for NPT entries. */
static const enum p2mk_mt pol_xen_host_pat[8] = {
    P2MK_MT_WB, P2MK_MT_WT, P2MK_MT_UCM, P2MK_MT_UC,
    P2MK_MT_WC, P2MK_MT_WP, P2MK_MT_UC,  P2MK_MT_UC,
};

static inline void pol_npt(struct p2mk_policy_out *o, unsigned index,
                           const char *branch, const char *cite)
{
	o->kind = P2MK_POL_TYPE;
	o->hpat_index = (uint8_t)index;
	o->hpat_type = pol_xen_host_pat[index & 7];
	o->branch = branch;
	o->cite = cite;
}

static inline void pol_s2(struct p2mk_policy_out *o, unsigned attr, bool fwb,
                          const char *branch, const char *cite)
{
	o->kind = P2MK_POL_TYPE;
	o->s2attr = (uint8_t)attr;
	o->fwb = fwb;
	o->branch = branch;
	o->cite = cite;
}

/* The Xen EPT decision; @cdf selects the proposed create-time flag. */
void p2mk_pol_xen_ept_decide(const struct p2mk_policy_view *v,
                             const struct p2mk_policy_query *q,
                             struct p2mk_policy_out *o, bool cdf);

/* Xen's setter conditions for calling memory_type_changed (xen §3). */
bool p2mk_pol_xen_mtrr_write_changes(const struct p2mk_mt_event *ev);

/* KVM VMX: absent -> none, MMIO -> UC without IPAT; true when decided. */
bool p2mk_pol_kvm_vmx_absent_or_mmio(const struct p2mk_policy_query *q,
                                     struct p2mk_policy_out *o,
                                     const char *cite);

/* KVM arm64 6.9+: absent, Normal-WB memory or a split; true when decided,
 * else *flags holds the MMIO block's P2MK_IO_* flags. */
bool p2mk_pol_kvm_arm64_memory(const struct p2mk_policy_view *v,
                               const struct p2mk_policy_query *q,
                               struct p2mk_policy_out *o, uint32_t *flags);

/* KVM VMX 6.11+ resync rule: only device (de)assignment zaps (x86 §11). */
bool p2mk_pol_kvm_vmx_resync(const struct p2mk_policy_view *v,
                             const struct p2mk_mt_event *ev, const char **why);

#endif /* P2MKIT_POLICY_INTERNAL_H */
