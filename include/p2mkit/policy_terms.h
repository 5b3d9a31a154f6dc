/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Each policy in its own hypervisor's terms: the function that decides an
 * entry's memory type, its guest-MTRR lookup, the domain state it reads and
 * which inputs of struct p2mk_policy_view its decide() reads at all.  Tools
 * use it to explain a decision without borrowing another hypervisor's names
 * and to refuse inputs a policy ignores.
 */
#ifndef P2MKIT_POLICY_TERMS_H
#define P2MKIT_POLICY_TERMS_H

#include <stdint.h>

#include <p2mkit/policy.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The inputs of a decision besides the query (p2m type, gfn, mfn, order). */
enum p2mk_polin {
	P2MK_POLIN_GUEST_MTRR,        /* the vCPU's MTRRs */
	P2MK_POLIN_HOST_MTRR,         /* the host MTRRs */
	P2MK_POLIN_IOMMU,             /* cfg->iommu */
	P2MK_POLIN_IO_RANGES,         /* the I/O (device memory) ranges */
	P2MK_POLIN_IO_FLAGS,          /* their P2MK_IO_* flags */
	P2MK_POLIN_IO_CAPS,           /* I/O-port ranges, assigned devices */
	P2MK_POLIN_MMIO_RO,           /* read-only MMIO ranges */
	P2MK_POLIN_SPECIAL,           /* special (hypervisor-shared) pages */
	P2MK_POLIN_PINNED,            /* pinned cache attributes */
	P2MK_POLIN_FULL_CACHEABILITY, /* cfg->full_cacheability */
	P2MK_POLIN_NONCOHERENT_DMA,   /* cfg->noncoherent_dma */
	P2MK_POLIN_GUEST_CD,          /* the guest's CR0.CD */
	P2MK_POLIN_CD_NW_QUIRK,       /* cfg->cd_nw_quirk */
	P2MK_POLIN_SELF_SNOOP,        /* cfg->self_snoop */
	P2MK_POLIN_FWB,               /* cfg->fwb */
	P2MK_POLIN_DIC,               /* cfg->dic */
	P2MK_POLIN_COUNT
};

/**
 * struct p2mk_policy_terms - a policy described in its own terms.
 * @policy: the policy described.
 * @hypervisor: "Xen", "KVM", "bhyve", "ACRN", "Hafnium", "Bao".
 * @decider: the code that decides an entry's memory type, with the spec
 * section that restates it.
 * @guest_mtrr: the hypervisor's guest-MTRR lookup; NULL if guest MTRRs do
 * not take part.
 * @inputs: bit (1 << P2MK_POLIN_x) set for each input decide() reads.
 * @input_names: for each input read, its name in the hypervisor's code.
 */
struct p2mk_policy_terms {
	const struct p2mk_policy *policy;
	const char *hypervisor;
	const char *decider;
	const char *guest_mtrr;
	uint32_t inputs;
	const char *input_names[P2MK_POLIN_COUNT];
};

/**
 * p2mk_policy_terms_of() - the terms of policy @p, or NULL if @p is not one
 * of the built-in policies.
 */
const struct p2mk_policy_terms *
p2mk_policy_terms_of(const struct p2mk_policy *p);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_POLICY_TERMS_H */
