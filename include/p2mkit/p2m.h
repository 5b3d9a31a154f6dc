/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * p2m: a domain's guest-physical memory map.
 *
 * Spec: shared/spec/xen-reference-behaviour.md ("xen §N"): p2m types (§10),
 * the EMT decision (§6), pinned cache attributes (§7), memory_type_changed
 * (§8) and the lazy misconfig/recalc mechanism (§9).
 *
 * This header has two parts.  The first declares the vocabulary every
 * memory-type policy is written against: p2m types, the domain
 * configuration, the read-only view of a domain a policy may consult, the
 * query and answer of one decision, and struct p2mk_policy, the small
 * interface every policy file implements.  The policies themselves live one
 * layer further down (include/p2mkit/policy.h, src/policy/); the p2m layer
 * only ever calls them through a struct p2mk_policy pointer, so it never
 * reaches downward.  The second part is the domain itself.
 */
#ifndef P2MKIT_P2M_H
#define P2MKIT_P2M_H

#include <p2mkit/base.h>
#include <p2mkit/mtrr.h>

/* ---- p2m types (xen §10) --------------------------------------------- */

/*
 * What a guest frame is.  The set is Xen's (xen §10) reduced to the types
 * whose memory type differs; paging, PoD and sharing states are omitted.
 * Read-only MMIO is not a type: as in Xen it is MMIO_DIRECT whose MFN lies
 * in the domain's read-only MMIO ranges (xen §6 row 1, §10 value 5).
 * "Special" host-shared pages (shared_info, grant frames, the APIC-access
 * page) are likewise a property of the MFN (xen §6 row 3), kept in the
 * domain's special ranges, whatever type maps them.
 */
enum p2mk_p2mt {
	P2MK_P2M_INVALID = 0,  /* nothing mapped */
	P2MK_P2M_RAM_RW,       /* normal guest RAM */
	P2MK_P2M_RAM_RO,       /* read-only RAM */
	P2MK_P2M_RAM_LOGDIRTY, /* RAM write-protected for dirty tracking */
	P2MK_P2M_MMIO_DM,      /* emulated MMIO: not present, no type */
	P2MK_P2M_MMIO_DIRECT,  /* passthrough device MMIO */
	P2MK_P2M_GRANT_RW,     /* writable grant mapping */
	P2MK_P2M_GRANT_RO,     /* read-only grant mapping */
	P2MK_P2M_FOREIGN,      /* another domain's RAM */
	P2MK_P2MT_COUNT,
};

/** p2mk_p2mt_name() - "ram_rw", "mmio_direct", ... ("?" if out of range). */
const char *p2mk_p2mt_name(unsigned t);

/** p2mk_p2mt_parse() - inverse of p2mk_p2mt_name(); false if unknown. */
bool p2mk_p2mt_parse(const char *s, unsigned *t);

/** p2mk_p2mt_is_ram() - RAM rw/ro/logdirty (xen §10 "RAM" group). */
bool p2mk_p2mt_is_ram(unsigned t);

/** p2mk_p2mt_present() - true if the type maps a frame the guest can use. */
bool p2mk_p2mt_present(unsigned t);

/* ---- domain configuration -------------------------------------------- */

/* Which second-stage format the domain uses. */
enum p2mk_arch {
	P2MK_ARCH_X86_EPT = 0, /* Intel EPT: EMT + IPAT per leaf (x86 §8) */
	P2MK_ARCH_X86_NPT,     /* AMD NPT: host-PAT index per leaf (x86 §9) */
	P2MK_ARCH_ARM64,       /* ARM64 stage 2: MemAttr[3:0] (+FWB) */
};

/** p2mk_arch_name() - "x86-ept", "x86-npt", "arm64". */
const char *p2mk_arch_name(unsigned arch);

/** p2mk_arch_parse() - inverse of p2mk_arch_name(); false if unknown. */
bool p2mk_arch_parse(const char *s, unsigned *arch);

/*
 * Create-time configuration.  Everything here is fixed for the life of the
 * domain; the dynamic inputs (I/O ranges, devices, pins, MTRRs) are changed
 * through the domain's own calls so that each change can trigger the
 * policy's recalculation rule.
 */
struct p2mk_p2m_config {
	uint8_t arch;       /* enum p2mk_arch */
	uint8_t nvcpus;     /* 1..P2MK_P2M_MAX_VCPUS */
	uint8_t paddr_bits; /* guest physical-address width, 32..52 */
	bool iommu; /* CDF_iommu: IOMMU enabled for the domain (xen §6 r2) */
	bool iommu_snoop; /* the IOMMU can force snooping (xen §8.1 c5) */
	bool self_snoop;  /* the CPU self-snoops (xen §8.1 c5; KVM quirk) */
	/*
	 * The create-time "full cacheability" flag proposed on xen-devel
	 * (CDF_full_cacheability, xen §8.5; never merged).  Only the
	 * "xen-ept-cdf" policy reads it.
	 */
	bool full_cacheability;
	bool
	    noncoherent_dma; /* KVM: a device without snoop control (x86 §11) */
	bool cd_nw_quirk;    /* KVM_X86_QUIRK_CD_NW_CLEARED (x86 §11) */
	bool fwb;            /* arm64: FEAT_S2FWB in use (arm64 §4) */
	bool dic;            /* arm64: CTR_EL0.DIC (arm64 §8, 6.17 row) */
};

/* Limits of the fixed-size bookkeeping (no allocation for these). */
#define P2MK_P2M_MAX_VCPUS   8
#define P2MK_P2M_MAX_PINNED  64 /* Xen's limit, d484dcca79 (xen §7) */
#define P2MK_P2M_MAX_IO      16
#define P2MK_P2M_MAX_RO      16
#define P2MK_P2M_MAX_SPECIAL 16

/* An inclusive range of frame numbers. */
struct p2mk_frame_range {
	uint64_t first;
	uint64_t last;
};

/* Attributes of an assigned host I/O range (iomem caps / a device BAR). */
#define P2MK_IO_PREFETCHABLE P2MK_BIT(0) /* a prefetchable BAR */
#define P2MK_IO_VFIO         P2MK_BIT(1) /* mapped by vfio-pci: VM_ALLOW_ANY_UNCACHED \
	                                  */
#define P2MK_IO_HOST_CACHEABLE P2MK_BIT(2) /* cacheable pgprot (PFNMAP) */

struct p2mk_io_range {
	struct p2mk_frame_range mfns;
	uint32_t flags; /* P2MK_IO_* */
};

/*
 * A pinned cache-attribute range (xen §7): inclusive GFNs and an x86 type
 * from {UC, WC, WT, WP, WB, UC-}.
 */
struct p2mk_pinned {
	uint64_t start;
	uint64_t end;
	uint8_t type;
};

/*
 * struct p2mk_policy_view - everything about a domain a policy may read.
 * The p2m domain builds one from its own state; tests and the CLI can
 * build one by hand.  Arrays are read-only; counts may be zero.
 * @cur_vcpu is the vCPU on whose behalf the decision is made (the one
 * taking an exit), or -1 when no vCPU of the domain is running (toolstack
 * or hypercall context): Xen then uses vCPU 0 (xen §6 row 0).
 * @host_mtrr NULL means "host MTRRs say WB everywhere".
 * @ioports and @pdevs count I/O-port ranges and assigned PCI devices; with
 * @nio they make up Xen's cache_flush_permitted (xen §6 row 2, §8.1).
 * @guest_cd is CR0.CD of @cur_vcpu (KVM's CD rules, x86 §11).
 */
struct p2mk_policy_view {
	const struct p2mk_p2m_config *cfg;
	const struct p2mk_mtrr_state *vcpu_mtrr; /* cfg->nvcpus states */
	const struct p2mk_mtrr_state *host_mtrr;
	const struct p2mk_io_range *io;
	const struct p2mk_frame_range *mmio_ro;
	const struct p2mk_frame_range *special;
	const struct p2mk_pinned *pinned;
	unsigned nio;
	unsigned nmmio_ro;
	unsigned nspecial;
	unsigned npinned;
	unsigned ioports;
	unsigned pdevs;
	int cur_vcpu;
	bool guest_cd;
};

/** p2mk_view_cache_flush_permitted() - Xen's cache_flush_permitted(d):
 * iomem caps, ioport caps or assigned PCI devices non-empty (xen §8.1 c1,
 * 8333e358e4). */
bool p2mk_view_cache_flush_permitted(const struct p2mk_policy_view *v);

/* ---- one policy decision --------------------------------------------- */

/*
 * struct p2mk_policy_query - one entry to decide: the p2m type and the
 * aligned block of 2^@order frames at @gfn / @mfn.
 */
struct p2mk_policy_query {
	uint8_t type; /* enum p2mk_p2mt */
	uint8_t order;
	uint64_t gfn;
	uint64_t mfn;
};

enum p2mk_pol_kind {
	P2MK_POL_TYPE = 0, /* a memory type for the whole block */
	P2MK_POL_MIXED,    /* not uniform over the block: split it */
	P2MK_POL_NONE,     /* not present: no memory type applies */
	P2MK_POL_REFUSED,  /* the hypervisor refuses to map this */
};

/*
 * struct p2mk_policy_out - the answer.  Only the fields of the policy's
 * architecture are meaningful:
 *   x86-EPT: @emt (0..6) and @ipat;
 *   x86-NPT: @hpat_index (0..7, the PAT/PCD/PWT bits of the nested PTE)
 *            and @hpat_type, the type that index selects in the host PAT;
 *   arm64:   @s2attr, stage-2 MemAttr[3:0], interpreted with @fwb.
 * @branch names the branch of the policy that decided ("2 no-io: WB+IPAT")
 * and @cite where the spec states it; both are string literals.
 * @special_checks counts the per-frame special-page tests Xen's loop made
 * for this decision (xen §6 row 3, §16 defect 4); 0 for other policies.
 */
struct p2mk_policy_out {
	uint8_t kind; /* enum p2mk_pol_kind */
	uint8_t emt;
	bool ipat;
	uint8_t hpat_index;
	uint8_t hpat_type;
	uint8_t s2attr;
	bool fwb;
	const char *branch;
	const char *cite;
	uint64_t special_checks;
};

/* ---- memory-type change events (xen §3, §7, §8.3) --------------------- */

enum p2mk_mt_event_kind {
	P2MK_EV_MTRR_WRITE = 0, /* a guest (or restore) MTRR MSR write */
	P2MK_EV_PIN_ADD,        /* a new pinned range */
	P2MK_EV_PIN_UPDATE,     /* exact match: type changed in place */
	P2MK_EV_PIN_DEL,        /* pinned range deleted */
	P2MK_EV_IOMEM_PERMIT,   /* iomem (or ioport) access granted */
	P2MK_EV_IOMEM_DENY,     /* iomem (or ioport) access revoked */
	P2MK_EV_DEV_ASSIGN,     /* PCI device assigned */
	P2MK_EV_DEV_DEASSIGN,   /* PCI device removed */
	P2MK_EV_CONFIG,         /* anything else that may change a type */
};

/*
 * struct p2mk_mt_event - one change, described with the facts the
 * policies' trigger rules test.  For MTRR writes: @msr, @old_value,
 * @new_value and @def_type, the MTRRdefType value in force *after* the
 * write.  For pins: @pin_type (new type for ADD/UPDATE, deleted type for
 * DEL).  @cfp_before / @cfp_after: cache_flush_permitted around the event.
 */
struct p2mk_mt_event {
	uint8_t kind; /* enum p2mk_mt_event_kind */
	uint8_t pin_type;
	bool cfp_before;
	bool cfp_after;
	uint32_t msr;
	uint64_t old_value;
	uint64_t new_value;
	uint64_t def_type;
};

/*
 * struct p2mk_policy - the interface every policy file implements.
 * @decide must be a pure function of its inputs.  @resync says whether the
 * event makes the hypervisor recompute memory types (it may be false even
 * when types did change: that is how Xen's trigger defects are reproduced);
 * it sets *@why to a string literal citing the rule.
 */
struct p2mk_policy {
	const char *name;    /* "xen-ept", "kvm-x86-6.11", ... */
	const char *summary; /* one line */
	const char *source;  /* spec section the policy restates */
	uint8_t arch;        /* enum p2mk_arch */
	void (*decide)(const struct p2mk_policy_view *v,
	               const struct p2mk_policy_query *q,
	               struct p2mk_policy_out *out);
	bool (*resync)(const struct p2mk_policy_view *v,
	               const struct p2mk_mt_event *ev, const char **why);
};

#endif /* P2MKIT_P2M_H */
