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
#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>
#include <p2mkit/pt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- p2m types (xen §10) --------------------------------------------- */

/*
 * What a guest frame is: Xen's p2m types (xen §10), named as Xen names
 * them without the "p2m_" prefix.  Types Xen maps with no usable entry
 * (emulated MMIO, populate-on-demand, the mem-paging states, broken
 * frames) are "not present": no memory type applies (p2mk_p2mt_present()).
 * ram_shared and ioreq_server are RAM for every memory-type rule (xen §10
 * "as RAM"); only their permissions differ.
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
	P2MK_P2M_RAM_SHARED,   /* copy-on-write shared RAM (read-only) */
	P2MK_P2M_IOREQ_SERVER, /* RAM whose writes go to an ioreq server */
	P2MK_P2M_POD,          /* populate-on-demand: not present */
	P2MK_P2M_PAGING_OUT,   /* mem-paging, being evicted: not present */
	P2MK_P2M_PAGED,        /* mem-paging, evicted: not present */
	P2MK_P2M_PAGING_IN,    /* mem-paging, being restored: not present */
	P2MK_P2M_RAM_BROKEN,   /* hardware-failed frame: not present */
	P2MK_P2MT_COUNT,
};

/** p2mk_p2mt_name() - "ram_rw", "mmio_direct", ... ("?" if out of range). */
const char *p2mk_p2mt_name(enum p2mk_p2mt t);

/**
 * p2mk_p2mt_parse() - inverse of p2mk_p2mt_name(), also accepting Xen's
 * own spelling with the "p2m_" prefix ("p2m_ram_shared"); false if
 * unknown.
 */
bool p2mk_p2mt_parse(const char *s, enum p2mk_p2mt *t);

/** p2mk_p2mt_is_ram() - a present type of Xen's "RAM" group (xen §10):
 * ram_rw, ram_ro, ram_logdirty, ram_shared, ioreq_server. */
bool p2mk_p2mt_is_ram(enum p2mk_p2mt t);

/** p2mk_p2mt_present() - true if the type maps a frame the guest can use. */
bool p2mk_p2mt_present(enum p2mk_p2mt t);

/* ---- domain configuration -------------------------------------------- */

/* Which second-stage format the domain uses. */
enum p2mk_arch {
	P2MK_ARCH_X86_EPT = 0, /* Intel EPT: EMT + IPAT per leaf (x86 §8) */
	P2MK_ARCH_X86_NPT,     /* AMD NPT: host-PAT index per leaf (x86 §9) */
	P2MK_ARCH_ARM64,       /* ARM64 stage 2: MemAttr[3:0] (+FWB) */
};

/** p2mk_arch_name() - "x86-ept", "x86-npt", "arm64". */
const char *p2mk_arch_name(enum p2mk_arch arch);

/** p2mk_arch_parse() - inverse of p2mk_arch_name(); false if unknown. */
bool p2mk_arch_parse(const char *s, enum p2mk_arch *arch);

/*
 * Create-time configuration.  Everything here is fixed for the life of the
 * domain; the dynamic inputs (I/O ranges, devices, pins, MTRRs) are changed
 * through the domain's own calls so that each change can trigger the
 * policy's recalculation rule.
 */
struct p2mk_p2m_config {
	enum p2mk_arch arch;
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
	/*
	 * The page-table format, copied at init; NULL for the arch's own
	 * (4-level EPT, NPT or arm64 stage 2, 48-bit input).  p2m never reads
	 * a descriptor bit, so any format does that has one root page, leaves
	 * at orders 0, 9 and 18, the P2MK_PT_RECALC flag (and P2MK_PT_IPAT on
	 * x86-ept), a software field of at least 4 bits for the p2m type and
	 * a memory-type field wide enough for the policy's answers.
	 */
	const struct p2mk_pt_fmt *fmt;
};

/* Limits of the fixed-size bookkeeping (no allocation for these). */
#define P2MK_P2M_MAX_VCPUS   8
#define P2MK_P2M_MAX_PINNED  64 /* Xen's limit, d484dcca79 (xen §7) */
#define P2MK_P2M_MAX_IO      16
#define P2MK_P2M_MAX_RO      16
#define P2MK_P2M_MAX_SPECIAL 16

/*
 * A range of host frames: @count frames from @first (the one range
 * convention of every public header, as in pt).  @count is at least 1.
 */
struct p2mk_mfn_range {
	p2mk_mfn_t first;
	uint64_t count;
};

/** p2mk_mfn_range_has() - true if @mfn lies in @r. */
static inline bool p2mk_mfn_range_has(const struct p2mk_mfn_range *r,
                                      p2mk_mfn_t mfn)
{
	return mfn.v >= r->first.v && mfn.v - r->first.v < r->count;
}

/** p2mk_mfn_range_last() - the last frame of @r (count >= 1). */
static inline p2mk_mfn_t p2mk_mfn_range_last(const struct p2mk_mfn_range *r)
{
	return p2mk_mfn(r->first.v + (r->count - 1));
}

/*
 * Range lists with the semantics of Xen's rangesets (xen §6 "Range
 * lists", xen/common/rangeset.c): a set of host frames kept as ranges in
 * caller storage, sorted, disjoint and never adjacent, because inserting a
 * range merges it with every range it overlaps *or touches*.  The domain
 * keeps its read-only MMIO and special ranges this way.  The queries below
 * answer against the union of any array of ranges (sorted or not,
 * overlapping or not), so a view built by hand gets the same answers as
 * the domain's merged lists: a block covered by two adjacent ranges is
 * contained, as rangeset_contains_range() says.
 */

/**
 * p2mk_rangeset_insert() - add the @count frames from @first to the
 * rangeset @set[0..*@n) of capacity @cap, merging every range it overlaps
 * or touches.  Errors leave the set unchanged: P2MK_ERR_INVAL for an empty
 * or wrapping range or *@n > @cap; P2MK_ERR_NOMEM when the result would
 * need more than @cap ranges.
 */
enum p2mk_err p2mk_rangeset_insert(struct p2mk_mfn_range *set, unsigned *n,
                                   unsigned cap, p2mk_mfn_t first,
                                   uint64_t count);

/** p2mk_ranges_overlap() - does any frame of the @count frames from
 * @first lie in a range of @r[0..@n)?  (@count >= 1.) */
bool p2mk_ranges_overlap(const struct p2mk_mfn_range *r, unsigned n,
                         p2mk_mfn_t first, uint64_t count);

/** p2mk_ranges_contain() - does the union of @r[0..@n) hold every one of
 * the @count frames from @first?  (@count >= 1; Xen's
 * rangeset_contains_range on the merged set.) */
bool p2mk_ranges_contain(const struct p2mk_mfn_range *r, unsigned n,
                         p2mk_mfn_t first, uint64_t count);

/** p2mk_ranges_covered() - how many of the @count frames from @first lie
 * in the union of @r[0..@n) (each frame counted once). */
uint64_t p2mk_ranges_covered(const struct p2mk_mfn_range *r, unsigned n,
                             p2mk_mfn_t first, uint64_t count);

/* Attributes of an assigned host I/O range (iomem caps / a device BAR). */
#define P2MK_IO_PREFETCHABLE P2MK_BIT(0) /* a prefetchable BAR */
#define P2MK_IO_VFIO                                                           \
	P2MK_BIT(1) /* mapped by vfio-pci: VM_ALLOW_ANY_UNCACHED               \
	             */
#define P2MK_IO_HOST_CACHEABLE P2MK_BIT(2) /* cacheable pgprot (PFNMAP) */

struct p2mk_io_range {
	struct p2mk_mfn_range mfns;
	uint32_t flags; /* P2MK_IO_* */
};

/*
 * A pinned cache-attribute range (xen §7): @count guest frames from @gfn
 * and an x86 type from {UC, WC, WT, WP, WB, UC-}.  Xen's hypercall names
 * the inclusive [start, end]; here that is gfn = start, count =
 * end - start + 1.
 */
struct p2mk_pinned {
	p2mk_gfn_t gfn;
	uint64_t count;
	enum p2mk_mt type;
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
	const struct p2mk_mfn_range *mmio_ro;
	const struct p2mk_mfn_range *special;
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
	enum p2mk_p2mt type;
	unsigned order;
	p2mk_gfn_t gfn;
	p2mk_mfn_t mfn;
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
	enum p2mk_pol_kind kind;
	enum p2mk_mt emt;
	bool ipat;
	uint8_t hpat_index;
	enum p2mk_mt hpat_type;
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
	enum p2mk_mt_event_kind kind;
	enum p2mk_mt pin_type;
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
	enum p2mk_arch arch;
	void (*decide)(const struct p2mk_policy_view *v,
	               const struct p2mk_policy_query *q,
	               struct p2mk_policy_out *out);
	bool (*resync)(const struct p2mk_policy_view *v,
	               const struct p2mk_mt_event *ev, const char **why);
};

/* ==== the domain ===================================================== */

/*
 * Lazy recalculation strategies after a memory-type change the policy acts
 * on (p2mk_policy.resync returned true):
 *
 *  XEN   - Xen's mechanism (xen §9.2, §9.4): mark the present entries of
 *          the root table only; a guest access through a marked entry
 *          takes a misconfig exit, whose handler pushes the mark down one
 *          level at every marked table entry on the path and recomputes
 *          the whole leaf table at the bottom (all 512 entries), or the
 *          superpage leaf, splitting a mixed superpage one level at a time.
 *  RANGE - mark only the entries covering the affected guest range, with
 *          Xen's range decomposition (xen §9.3), resolved as XEN on access.
 *  EXACT - recompute at once every entry of the affected range, rewrite
 *          only those whose attributes change, split mixed superpages at
 *          once; never any exit.
 *
 * Marks: a marked leaf carries P2MK_PT_RECALC (and, when it has no valid
 * type at all, EMT 7 as Xen writes it).  The pt engine has no software bit
 * in table entries, so the marks Xen keeps in non-leaf EPT entries (EMT 7
 * in reserved bits 5:3) live in a shadow tree the p2m keeps beside the pt,
 * one page per non-leaf table, indexed like it.
 *
 * NPT and arm64 have no misconfiguration mechanism (EMT 7 is an EPT-only
 * trick, x86 §8.3).  There a marked entry stands for one made invalid so
 * that the next access faults -- what Xen's NPT code does for type
 * recalculation by clearing _PAGE_USER (xen §9.6) and KVM arm64 does by
 * unmapping -- and touch() models that fault as the exit.  The counts are
 * the same; the hardware encoding differs (the model keeps the entry).
 */
enum p2mk_recalc {
	P2MK_RECALC_XEN = 0,
	P2MK_RECALC_RANGE,
	P2MK_RECALC_EXACT,
};

/** p2mk_recalc_name() - "xen", "range", "exact" ("?" if out of range). */
const char *p2mk_recalc_name(enum p2mk_recalc r);

/** p2mk_recalc_parse() - inverse of p2mk_recalc_name(); false if unknown. */
bool p2mk_recalc_parse(const char *s, enum p2mk_recalc *r);

/** struct p2mk_p2m_stats - cumulative counters of one domain. */
struct p2mk_p2m_stats {
	uint64_t exits;          /* misconfig exits (or faults) taken */
	uint64_t recomputed;     /* entries whose type was recomputed */
	uint64_t changed;        /* entries whose type differs afterwards */
	uint64_t rewritten;      /* leaf writes by recalculation (no splits) */
	uint64_t splits;         /* superpages split by recalculation */
	uint64_t marked;         /* entries marked by invalidation/push-down */
	uint64_t resyncs;        /* changes the policy recomputed for */
	uint64_t ignored;        /* changes the policy did not act on */
	uint64_t special_checks; /* Xen's per-frame special-page tests */
	uint64_t invals;         /* invalidation callbacks from pt */
};

/*
 * struct p2mk_p2m - one domain.  Embed it; fields are private to src/p2m
 * except through the accessors below.  All bookkeeping except the page
 * tables and the shadow mark tree (pages from the injected allocator) is
 * fixed-size.
 */
struct p2mk_p2m {
	struct p2mk_pt pt;
	struct p2mk_mm_ops mm;
	struct p2mk_p2m_config cfg;
	const struct p2mk_policy *policy;
	uint64_t *shadow; /* shadow mark node of the root table */
	struct p2mk_mtrr_state vcpu[P2MK_P2M_MAX_VCPUS];
	struct p2mk_mtrr_state host;
	struct p2mk_io_range io[P2MK_P2M_MAX_IO];
	struct p2mk_mfn_range mmio_ro[P2MK_P2M_MAX_RO];
	struct p2mk_mfn_range special[P2MK_P2M_MAX_SPECIAL];
	struct p2mk_pinned pinned[P2MK_P2M_MAX_PINNED];
	struct p2mk_p2m_stats stats;
	unsigned nio, nmmio_ro, nspecial, npinned, ioports, pdevs;
	int cur_vcpu;
	enum p2mk_recalc strategy;
	bool have_host;
	bool vcpu_cd[P2MK_P2M_MAX_VCPUS];
};

/**
 * p2mk_p2m_init() - create an empty domain: @cfg (checked: nvcpus
 * 1..P2MK_P2M_MAX_VCPUS, paddr_bits 32..52, arch known, cfg->fmt as its
 * comment says), @policy (its arch must equal cfg->arch), recalculation
 * @strategy.  The page tables use cfg->fmt, by default 4-level EPT, NPT or
 * arm64 stage 2 (48-bit input).  vCPU MTRRs start as
 * Xen's hvm_vcpu_cacheattr_init leaves them (xen §2.3: VCNT 8, FIX, WC,
 * disabled, reset PAT); host MTRRs absent (WB everywhere) until
 * p2mk_p2m_set_host_mtrr().  P2MK_ERR_INVAL, or P2MK_ERR_NOMEM (nothing
 * allocated then).
 */
enum p2mk_err p2mk_p2m_init(struct p2mk_p2m *p,
                            const struct p2mk_p2m_config *cfg,
                            const struct p2mk_policy *policy,
                            enum p2mk_recalc strategy,
                            const struct p2mk_mm_ops *mm);

/** p2mk_p2m_destroy() - free every page; @p must be re-initialised. */
void p2mk_p2m_destroy(struct p2mk_p2m *p);

/** p2mk_p2m_view() - the policy's view of @p, for decisions by hand. */
void p2mk_p2m_view(const struct p2mk_p2m *p, struct p2mk_policy_view *v);

/**
 * p2mk_p2m_set() - map the aligned block of 2^@order frames at @gfn to
 * @mfn with p2m type @type (a present type), deciding its memory type with
 * the policy at that order.  If the policy answers MIXED, XEN and RANGE
 * store the block with EMT 7 and the recalc mark -- the split is deferred
 * to the first access, as ept_set_entry does (xen §9.5) -- while EXACT
 * splits at once.  The order must be one the format has leaves for (0, 9
 * or 18).  Errors, nothing changed: P2MK_ERR_INVAL (misaligned, bad type
 * or order), P2MK_ERR_EXISTS (something is already mapped in the block),
 * P2MK_ERR_UNSUPPORTED (the policy refuses this mapping), P2MK_ERR_RANGE,
 * P2MK_ERR_NOMEM.
 */
enum p2mk_err p2mk_p2m_set(struct p2mk_p2m *p, p2mk_gfn_t gfn, p2mk_mfn_t mfn,
                           unsigned order, enum p2mk_p2mt type);

/**
 * p2mk_p2m_clear() - unmap [@gfn, @gfn + @count).  May split a superpage
 * (P2MK_ERR_NOMEM, nothing changed).
 */
enum p2mk_err p2mk_p2m_clear(struct p2mk_p2m *p, p2mk_gfn_t gfn,
                             uint64_t count);

/**
 * struct p2mk_p2m_entry - what p2mk_p2m_get() reports for one frame.
 * @pending: the entry is marked (its next access exits).
 */
struct p2mk_p2m_entry {
	p2mk_mfn_t mfn; /* of this frame */
	enum p2mk_p2mt type;
	uint8_t order;
	struct p2mk_pt_attrs attrs;
	bool pending;
};

/** p2mk_p2m_get() - the entry for @gfn, or P2MK_ERR_NOENT. */
enum p2mk_err p2mk_p2m_get(const struct p2mk_p2m *p, p2mk_gfn_t gfn,
                           struct p2mk_p2m_entry *e);

/**
 * p2mk_p2m_touch() - a guest access to @gfn by vCPU @vcpu.  If the walk
 * meets a mark it takes one exit (*@exited = true) and resolves it as
 * xen §9.4 does, computing types with @vcpu's MTRRs.  P2MK_ERR_NOENT if
 * @gfn is not mapped (an EPT violation, not modelled further).
 * P2MK_ERR_NOMEM: the exit could not be resolved; types are unchanged and
 * the access stays pending, but -- as in Xen's resolve_misconfig -- a
 * superpage split one level earlier in the same handler may remain (its
 * halves stay marked).  The counters count the work done either way.
 */
enum p2mk_err p2mk_p2m_touch(struct p2mk_p2m *p, p2mk_gfn_t gfn, unsigned vcpu,
                             bool *exited);

/**
 * p2mk_p2m_resolve_all() - touch every pending entry (by vCPU @vcpu) until
 * none is left; the exits count as usual.
 */
enum p2mk_err p2mk_p2m_resolve_all(struct p2mk_p2m *p, unsigned vcpu);

/**
 * p2mk_p2m_audit() - the oracle: recompute every present leaf with the
 * policy at its order (for vCPU 0, no current vCPU) and count leaves that
 * are still marked (*@pending) and unmarked leaves whose stored type
 * differs from the fresh answer (*@stale; a MIXED answer counts as stale).
 */
void p2mk_p2m_audit(const struct p2mk_p2m *p, uint64_t *pending,
                    uint64_t *stale);

/* ---- memory-type changes -------------------------------------------- */

/**
 * p2mk_p2m_wrmsr() - guest WRMSR on vCPU @vcpu (MTRRs or PAT).  #GP:
 * P2MK_ERR_GP, *@gp filled, nothing changed.  On success the policy's
 * resync rule decides whether types are recomputed (with the strategy).
 */
enum p2mk_err p2mk_p2m_wrmsr(struct p2mk_p2m *p, unsigned vcpu, uint32_t msr,
                             uint64_t value, struct p2mk_gp *gp);

/**
 * p2mk_p2m_pin() - XEN_DMOP_pin_memory_cacheattr with Xen's rules (xen
 * §7) for the @count guest frames from @gfn (Xen's [start, end] is
 * gfn = start, count = end - start + 1): @type in {UC, WC, WT, WP, WB,
 * UC-}; an exact match updates in place, any other overlap is
 * P2MK_ERR_EXISTS (EBUSY); at most 64 ranges (P2MK_ERR_NOMEM for ENOSPC);
 * UC, UC- and WC need the IOMMU or cache_flush_permitted
 * (P2MK_ERR_UNSUPPORTED for EPERM); @count 0 or a GFN beyond paddr_bits:
 * P2MK_ERR_INVAL.
 */
enum p2mk_err p2mk_p2m_pin(struct p2mk_p2m *p, p2mk_gfn_t gfn, uint64_t count,
                           enum p2mk_mt type);

/** p2mk_p2m_unpin() - delete the pinned range of @count frames from @gfn
 * (exact match, else P2MK_ERR_NOENT). */
enum p2mk_err p2mk_p2m_unpin(struct p2mk_p2m *p, p2mk_gfn_t gfn,
                             uint64_t count);

/**
 * p2mk_p2m_iomem_permit() - grant access to the @count host frames from
 * @first (iomem caps), with the P2MK_IO_* attributes of the range (an
 * assigned BAR).  @count 0 or a range past the 64-bit frame space:
 * P2MK_ERR_INVAL.  At most P2MK_P2M_MAX_IO ranges (P2MK_ERR_NOMEM).  The
 * policy's resync rule sees whether cache_flush_permitted flipped
 * (xen §8.3).
 */
enum p2mk_err p2mk_p2m_iomem_permit(struct p2mk_p2m *p, p2mk_mfn_t first,
                                    uint64_t count, uint32_t flags);

/**
 * p2mk_p2m_iomem_deny() - revoke the range of @count frames from @first
 * granted before (exact match, else P2MK_ERR_NOENT).
 */
enum p2mk_err p2mk_p2m_iomem_deny(struct p2mk_p2m *p, p2mk_mfn_t first,
                                  uint64_t count);

/**
 * p2mk_p2m_ioports_permit() - grant one more I/O-port range (ioport caps;
 * the same trigger rule as iomem, xen §8.3).
 */
enum p2mk_err p2mk_p2m_ioports_permit(struct p2mk_p2m *p);

/** p2mk_p2m_ioports_deny() - revoke one I/O-port range (P2MK_ERR_NOENT if
 * none is granted). */
enum p2mk_err p2mk_p2m_ioports_deny(struct p2mk_p2m *p);

/** p2mk_p2m_assign_device() - one more assigned PCI device (the pdevs
 * term of cache_flush_permitted; Xen never resyncs for it, xen §16 d2). */
enum p2mk_err p2mk_p2m_assign_device(struct p2mk_p2m *p);

/** p2mk_p2m_deassign_device() - one assigned PCI device fewer
 * (P2MK_ERR_NOENT if none). */
enum p2mk_err p2mk_p2m_deassign_device(struct p2mk_p2m *p);

/**
 * p2mk_p2m_add_mmio_ro() - the @count host frames from @first become
 * read-only MMIO (Xen's mmio_ro_ranges, e.g. MSI-X tables), merged as a
 * rangeset with the ranges it overlaps or touches.  A configuration
 * change.  P2MK_ERR_INVAL for an empty or wrapping range, P2MK_ERR_NOMEM
 * when the merged set would need more than P2MK_P2M_MAX_RO ranges.
 */
enum p2mk_err p2mk_p2m_add_mmio_ro(struct p2mk_p2m *p, p2mk_mfn_t first,
                                   uint64_t count);

/**
 * p2mk_p2m_add_special() - the @count host frames from @first become
 * special host-shared pages (shared_info, grant frames, the APIC-access
 * page).  A configuration change; errors as p2mk_p2m_add_mmio_ro().
 */
enum p2mk_err p2mk_p2m_add_special(struct p2mk_p2m *p, p2mk_mfn_t first,
                                   uint64_t count);

/** p2mk_p2m_set_host_mtrr() - the host's MTRRs (copied); NULL: WB. */
enum p2mk_err p2mk_p2m_set_host_mtrr(struct p2mk_p2m *p,
                                     const struct p2mk_mtrr_state *host);

/** p2mk_p2m_set_guest_cd() - CR0.CD of vCPU @vcpu (KVM policies). */
enum p2mk_err p2mk_p2m_set_guest_cd(struct p2mk_p2m *p, unsigned vcpu, bool cd);

/**
 * p2mk_p2m_recalc() - recompute [@gfn, @gfn + @count) with the strategy
 * regardless of the policy's resync rule (what a hypervisor that always
 * resynced would do).
 */
enum p2mk_err p2mk_p2m_recalc(struct p2mk_p2m *p, p2mk_gfn_t gfn,
                              uint64_t count);

/** p2mk_p2m_get_stats() - a copy of the counters. */
struct p2mk_p2m_stats p2mk_p2m_get_stats(const struct p2mk_p2m *p);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_P2M_H */
