/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iommu: IOTLB invalidation, a model IOTLB and an IOMMU domain whose
 * tables are shared with a p2m or kept in sync beside it.
 *
 * Spec: shared/spec/iommu-invalidation.md ("inv §N") and
 * xen-reference-behaviour.md §11-§12 ("xen §N").  docs/iommu.md explains
 * the model, what it leaves out, and every count.
 *
 * Device frames: an IOMMU domain of a guest translates device addresses
 * that are guest-physical addresses (Xen's dfn == gfn for HVM guests), so
 * device frame numbers are p2mk_gfn_t throughout.
 */
#ifndef P2MKIT_IOMMU_H
#define P2MKIT_IOMMU_H

#include <p2mkit/base.h>
#include <p2mkit/pt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== invalidation descriptors and the builders ====================== */

/** Which IOMMU family: decides the descriptor format (inv §2.7, §3.1). */
enum p2mk_iommu_hw {
	P2MK_IOMMU_VTD =
	    0,            /* Intel VT-d, IOTLB invalidate descriptor (type 2) */
	P2MK_IOMMU_AMDVI, /* AMD-Vi INVALIDATE_IOMMU_PAGES (opcode 03h) */
};

/*
 * Largest order one AMD-Vi S = 1 command can name short of "all pages":
 * first zero at address bit 50 covers 2^51 bytes (inv §3.2).
 */
#define P2MK_AMDVI_MAX_ORDER 39u
/* Largest VT-d address-mask value the 6-bit AM field can hold (inv §2.2). */
#define P2MK_VTD_AM_MAX 63u

/**
 * struct p2mk_iommu_caps - one IOMMU instance and the cost parameters the
 * minimum builder optimises for.
 * @hw: VT-d or AMD-Vi.
 * @psi: VT-d CAP.PSI (bit 39): page-selective invalidation supported.
 * @mamv: VT-d CAP.MAMV (bits 53:48): largest address mask (inv §2.3).
 * @cm: VT-d CAP.CM / AMD-Vi NpCache: not-present entries may be cached, so
 *      new mappings need invalidation too (inv §2.3, §3.4).
 * @drain: VT-d CAP.DRD/DWD: set DR and DW in every descriptor (inv §2.5).
 * @did: domain id written into every descriptor.
 * @cost_desc: cost of one page-selective descriptor (>= 1).
 * @cost_extra_page: cost of invalidating one page that did not need it
 *      (the refill misses a coarser invalidation causes).
 * @cost_domain: cost of one domain-selective invalidation (VT-d DSI,
 *      AMD-Vi "all pages"), refills included.
 */
struct p2mk_iommu_caps {
	enum p2mk_iommu_hw hw;
	bool psi;
	uint8_t mamv;
	bool cm;
	bool drain;
	uint16_t did;
	uint32_t cost_desc;
	uint32_t cost_extra_page;
	uint32_t cost_domain;
};

/**
 * enum p2mk_inv_rule - how a set of ranges becomes descriptors.
 * @P2MK_INV_MIN: p2mkit: the descriptor set of least cost under the caps'
 *      cost parameters (ties: fewer descriptors), domain-selective only
 *      when strictly cheaper or when page-selective is impossible.
 * @P2MK_INV_LINUX: Linux 6.10+: VT-d calculate_psi_aligned_address() over
 *      the hull of the ranges, one PSI or DSI (inv §2.8); AMD-Vi
 *      build_inv_address() over the hull (inv §3.3).
 * @P2MK_INV_LINUX_OLD: the two regressions the spec names, for tests: VT-d
 *      first-stage invalidation sized by the pages count the slow path
 *      forgot to update before the 2024 fix (inv §2.8); AMD-Vi the first
 *      build_inv_address() that set only bit msb - 1 (268aa4548277, inv
 *      §3.3).  Both can cover less than asked.
 * @P2MK_INV_XEN: Xen per range (xen §12.5): VT-d PSI only for a
 *      power-of-two count aligned to itself within MAMV, else DSI; AMD-Vi
 *      orders 0, 9 and 18 when the range fits one such block, else all.
 */
enum p2mk_inv_rule {
	P2MK_INV_MIN = 0,
	P2MK_INV_LINUX,
	P2MK_INV_LINUX_OLD,
	P2MK_INV_XEN,
	P2MK_INV_RULE_COUNT,
};

/** p2mk_inv_rule_name() - "min", "linux", "linux-old", "xen" ("?"). */
const char *p2mk_inv_rule_name(enum p2mk_inv_rule rule);

/** struct p2mk_inv_range - frames [first, first + count), count >= 1. */
struct p2mk_inv_range {
	p2mk_gfn_t first;
	uint64_t count;
};

/**
 * struct p2mk_inv_desc - one invalidation as issued.
 * @domain: domain-selective (VT-d G = 10b; AMD-Vi all pages); @first and
 *      @order are then meaningless.
 * @first, @order: the naturally aligned block of 2^order frames named.
 * @raw: the 128-bit descriptor, low quadword first (VT-d qw0/qw1, AMD-Vi
 *      command words 0-1 and 2-3).
 */
struct p2mk_inv_desc {
	bool domain;
	p2mk_gfn_t first;
	uint8_t order;
	uint64_t raw[2];
};

/**
 * struct p2mk_inv_result - what one build produced.
 * @descs: descriptors emitted.
 * @extra_pages: pages invalidated outside the ranges (0 for domain).
 * @cost: descs * cost_desc + extra_pages * cost_extra_page, or
 *      cost_domain for a domain-selective answer (saturating).
 * @domain: the answer was one domain-selective invalidation.
 */
struct p2mk_inv_result {
	uint64_t descs;
	uint64_t extra_pages;
	uint64_t cost;
	bool domain;
};

/** Receives each descriptor of a build, in ascending frame order. */
typedef void (*p2mk_inv_emit_fn)(void *ctx, const struct p2mk_inv_desc *d);

/**
 * p2mk_inv_build() - turn @n sorted, disjoint, non-adjacent ranges into
 * descriptors with @rule, calling @emit (may be NULL to count only) for
 * each, and summarise them in *@res.  @nonleaf says table entries changed:
 * VT-d IH = 0, AMD-Vi PDE = 1 (inv §2.4, §3.1).  With P2MK_INV_MIN the
 * result's cost is the least any set of naturally aligned blocks the
 * hardware can name (AM <= MAMV with PSI; AMD-Vi orders 0..39) or one
 * domain-selective invalidation can reach.  P2MK_ERR_INVAL: n == 0, a
 * range unsorted/overlapping/adjacent/empty/wrapping, bad caps
 * (cost_desc 0, mamv > 63).
 */
enum p2mk_err p2mk_inv_build(const struct p2mk_iommu_caps *caps,
                             enum p2mk_inv_rule rule,
                             const struct p2mk_inv_range *ranges, size_t n,
                             bool nonleaf, p2mk_inv_emit_fn emit, void *ctx,
                             struct p2mk_inv_result *res);

/**
 * p2mk_inv_encode_block() - the descriptor naming the block of 2^@order
 * frames at @first (aligned down to it) for @caps' hardware, or the
 * domain-selective one if @domain.  No capability check: use it to build
 * exactly what a driver would issue.
 */
struct p2mk_inv_desc p2mk_inv_encode_block(const struct p2mk_iommu_caps *caps,
                                           bool domain, p2mk_gfn_t first,
                                           unsigned order, bool nonleaf);

/**
 * p2mk_inv_decode() - what hardware invalidates for @raw, as the spec
 * defines it (inv §2.2, §3.2; QEMU's decoders are the reference): sets
 * *@out to the block (or domain) covered.  P2MK_ERR_INVAL for a
 * descriptor the instance rejects: wrong type/opcode, VT-d PSI without
 * CAP.PSI or with AM > MAMV, reserved bits set, another domain id.
 */
enum p2mk_err p2mk_inv_decode(const struct p2mk_iommu_caps *caps,
                              const uint64_t raw[2], struct p2mk_inv_desc *out);

/* ==== the IOMMU domain ================================================ */

/*
 * How invalidation relates to the operations (inv §4-§6):
 *  STRICT - every flush point flushes before it returns (iommu_unmap).
 *  LAZY   - flush points queue their gather (Linux DMA_FQ, inv §5); the
 *           queue is flushed when it holds fq_size entries or its oldest
 *           entry is fq_timeout old; frames and tables wait with it.
 *  UNSAFE - as STRICT, but frames and table pages go back to their owner
 *           before the flush that covers them (ACRN's page-table pool,
 *           inv §6.1): the negative example the safety checker must catch.
 */
enum p2mk_iommu_mode {
	P2MK_IOMMU_STRICT = 0,
	P2MK_IOMMU_LAZY,
	P2MK_IOMMU_UNSAFE,
};

/**
 * struct p2mk_iommu_owner - who frames go back to.
 * @put_frames: receives frames handed to p2mk_iommu_release_frames() once
 *      no IOTLB entry can reach them any more.
 * @owned: for the safety checker: true if every frame of the range belongs
 *      to this domain (its RAM or an assigned MMIO range).  May be NULL.
 */
struct p2mk_iommu_owner {
	void (*put_frames)(void *ctx, p2mk_mfn_t first, uint64_t count);
	bool (*owned)(void *ctx, p2mk_mfn_t first, uint64_t count);
	void *ctx;
};

/**
 * struct p2mk_iommu_config - create-time choices.
 * @caps: the hardware and cost parameters.
 * @rule: how gathers become descriptors.
 * @mode: STRICT, LAZY or UNSAFE.
 * @fq_size: LAZY queue entries before a forced flush (Linux: 256).
 * @fq_timeout: LAZY age limit, in the caller's time unit (Linux: 10 ms
 *      per-CPU queues, 1000 ms single queue); 0 disables it.
 * @check: run the safety checker on every operation.
 */
struct p2mk_iommu_config {
	struct p2mk_iommu_caps caps;
	enum p2mk_inv_rule rule;
	enum p2mk_iommu_mode mode;
	uint32_t fq_size;
	uint64_t fq_timeout;
	bool check;
};

/* Capacity of a gather; beyond it the two closest ranges merge (a larger
 * invalidation, never a smaller one). */
#define P2MK_IOMMU_GATHER_MAX 32

/** struct p2mk_iommu_gather - the ranges one flush will cover (inv §4). */
struct p2mk_iommu_gather {
	struct p2mk_inv_range r[P2MK_IOMMU_GATHER_MAX];
	uint32_t n;
	bool modified; /* a present entry changed or went (FLUSHF_modified) */
	bool added;    /* a new present entry (FLUSHF_added) */
	bool nonleaf;  /* a table entry changed: IH = 0 / PDE = 1 */
};

/** A list of fixed-size records in pages from the injected allocator. */
struct p2mk_iommu_vec {
	void *head;
	void *tail;
	void *spare; /* a reserved empty page (p2mk_iommu_reserve) */
	uint64_t n;
	uint64_t pages;
};

/**
 * struct p2mk_iommu_stats - cumulative counts (docs/iommu.md explains each).
 * @flushes: invalidation batches issued (each ends with a wait
 *      descriptor: VT-d inv §2.7 type 5, AMD-Vi COMPLETION_WAIT).
 * @descs: IOTLB invalidation descriptors (waits not included).
 * @domain_descs: of which domain-selective.
 * @skipped: flush points with nothing to flush (only additions without
 *      caching mode, xen §12.5).
 * @queued: LAZY flush points that went to the queue.
 * @fq_full, @fq_aged: LAZY flushes forced by size / by age.
 * @forced: synchronous flushes because bookkeeping memory ran out.
 * @tables_freed, @frames_released: returned to their owner.
 * @captured: stale translations recorded by the model IOTLB.
 * @stale_peak: most stale-translation records held at once.
 * @violations: safety-checker findings; @first_violation names the first.
 */
struct p2mk_iommu_stats {
	uint64_t flushes;
	uint64_t descs;
	uint64_t domain_descs;
	uint64_t extra_pages;
	uint64_t skipped;
	uint64_t queued;
	uint64_t fq_full;
	uint64_t fq_aged;
	uint64_t forced;
	uint64_t tables_freed;
	uint64_t frames_released;
	uint64_t captured;
	uint64_t stale_peak;
	uint64_t violations;
	const char *first_violation;
};

/**
 * struct p2mk_iommu - one IOMMU domain.  Embed it; the fields are private
 * to src/iommu (read them through p2mk_iommu_get_stats()).
 */
struct p2mk_iommu {
	struct p2mk_iommu_config cfg;
	struct p2mk_mm_ops mm;
	struct p2mk_iommu_owner owner;
	struct p2mk_pt *pt;          /* the tables the IOMMU walks */
	struct p2mk_pt own;          /* separate tables live here */
	struct p2mk_pt_sync chained; /* the shared pt's previous sync */
	bool shared;
	struct p2mk_iommu_gather g;
	struct p2mk_iommu_vec stale;    /* model IOTLB: old translations */
	struct p2mk_iommu_vec deferred; /* tables and frames awaiting flush */
	uint64_t gen;                   /* flushes completed */
	uint64_t now;                   /* the caller's clock */
	uint64_t fq_n;                  /* LAZY: flush points queued */
	uint64_t fq_oldest;
	struct p2mk_iommu_stats stats;
};

/**
 * p2mk_iommu_init_separate() - a domain with its own tables of format @fmt
 * (VT-d second-stage or AMD-Vi v1), kept in sync with the p2m by the
 * caller (p2mk_iommu_map/unmap).  P2MK_ERR_INVAL for a bad config (fq_size
 * 0 in LAZY, a CPU format, cost_desc 0), P2MK_ERR_NOMEM (nothing held).
 */
enum p2mk_err p2mk_iommu_init_separate(struct p2mk_iommu *io,
                                       const struct p2mk_iommu_config *cfg,
                                       const struct p2mk_pt_fmt *fmt,
                                       const struct p2mk_mm_ops *mm,
                                       const struct p2mk_iommu_owner *owner);

/**
 * p2mk_iommu_init_shared() - a domain that walks @pt (an EPT used as the
 * VT-d second-stage table, Xen's iommu_hap_pt_share).  The IOMMU reads only
 * what both formats mean alike: R/W and the address; EPT's EMT/IPAT (bits
 * 6:3) and X are ignored by VT-d, SNP (bit 11) is ignored by EPT, and EPT
 * A/D must not be enabled since VT-d would not maintain them.  The domain
 * takes over @pt's sync (chaining the previous inval) so table pages the
 * pt frees wait for the IOMMU flush.  P2MK_ERR_UNSUPPORTED unless @pt is
 * EPT, the caps are VT-d and every leaf size the pt uses is one
 * @sllps (bit L: VT-d CAP.SLLPS supports leaves at level L) allows.
 */
enum p2mk_err p2mk_iommu_init_shared(struct p2mk_iommu *io,
                                     const struct p2mk_iommu_config *cfg,
                                     struct p2mk_pt *pt, unsigned sllps,
                                     const struct p2mk_mm_ops *mm,
                                     const struct p2mk_iommu_owner *owner);

/**
 * p2mk_iommu_destroy() - flush everything pending, return every deferred
 * frame and table page, give a shared pt its sync back and free the own
 * tables.
 */
void p2mk_iommu_destroy(struct p2mk_iommu *io);

/**
 * p2mk_iommu_capture() - about to change [@gfn, @gfn + @count) of the
 * tables: the model IOTLB records every translation there (it may be
 * cached until invalidated) and, with caching mode, every hole (a cached
 * not-present entry, which new mappings must invalidate).  Shared tables
 * call this before each p2m change; separate tables do it inside
 * p2mk_iommu_map/unmap.  P2MK_ERR_NOMEM (nothing recorded), INVAL, RANGE.
 */
enum p2mk_err p2mk_iommu_capture(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                                 uint64_t count);

/** struct p2mk_iommu_mark - what p2mk_iommu_undo() goes back to. */
struct p2mk_iommu_mark {
	struct p2mk_iommu_gather g;
	uint64_t stale_n;
	uint64_t captured;
};

/**
 * p2mk_iommu_mark() - remember the model's state before a change in *@m
 * (p2mk_iommu_undo() is only valid while no flush came between).
 */
void p2mk_iommu_mark(const struct p2mk_iommu *io, struct p2mk_iommu_mark *m);

/**
 * p2mk_iommu_undo() - forget what was captured and gathered since @m: the
 * change it was for failed and left the tables as they were.
 */
void p2mk_iommu_undo(struct p2mk_iommu *io, const struct p2mk_iommu_mark *m);

/**
 * p2mk_iommu_reserve() - make sure the next @records (at most 100) stale
 * records the model captures need no allocation, so that a caller can
 * undo a half-done change without failing.  P2MK_ERR_NOMEM (nothing
 * changed) or P2MK_OK.
 */
enum p2mk_err p2mk_iommu_reserve(struct p2mk_iommu *io, unsigned records);

/**
 * p2mk_iommu_map() - separate tables: map [@gfn, @gfn + @count) to
 * [@mfn, ...) with permissions @perm (P2MK_PT_R/W) and leaves up to
 * @max_order, replacing what was there.  No flush: end the operation with
 * p2mk_iommu_flush_point().  Errors change nothing (pt's, plus NOMEM from
 * the model); P2MK_ERR_UNSUPPORTED on a shared domain.
 */
enum p2mk_err p2mk_iommu_map(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                             p2mk_mfn_t mfn, uint64_t count, unsigned perm,
                             unsigned max_order);

/** p2mk_iommu_unmap() - separate tables: unmap [@gfn, @gfn + @count). */
enum p2mk_err p2mk_iommu_unmap(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                               uint64_t count);

/**
 * p2mk_iommu_release_frames() - the caller no longer maps these frames;
 * hand them to owner.put_frames once no IOTLB entry can reach them (at
 * once in UNSAFE mode).  Never fails: without bookkeeping memory it
 * flushes synchronously first.
 */
void p2mk_iommu_release_frames(struct p2mk_iommu *io, p2mk_mfn_t first,
                               uint64_t count);

/**
 * p2mk_iommu_flush_point() - the end of one operation: STRICT/UNSAFE flush
 * the gather now; LAZY queues it (flushing when the queue is full or
 * old).  Returns the flushes it issued (0 or 1).
 */
uint64_t p2mk_iommu_flush_point(struct p2mk_iommu *io);

/**
 * p2mk_iommu_flush() - flush the whole gather now, whatever the mode
 * (iommu_iotlb_sync; a LAZY queue drain).  Returns descriptors issued.
 */
uint64_t p2mk_iommu_flush(struct p2mk_iommu *io);

/**
 * p2mk_iommu_flush_window() - flush only the gathered ranges inside
 * [@gfn, @gfn + @count) (Xen's ranged iommu_iotlb_flush after a
 * gmfn_range batch, xen §12.3), releasing the frames that became
 * unreachable.  Returns descriptors issued.
 */
uint64_t p2mk_iommu_flush_window(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                                 uint64_t count);

/**
 * p2mk_iommu_gather_range() - have the next flush cover [@gfn, @gfn +
 * @count) as modified, whether or not anything there changed (Xen's
 * destination flush after a gmfn_range batch claims FLUSHF_modified,
 * xen §12.3 step 6).
 */
void p2mk_iommu_gather_range(struct p2mk_iommu *io, p2mk_gfn_t gfn,
                             uint64_t count);

/** p2mk_iommu_advance() - the caller's clock moved to @now (LAZY age). */
void p2mk_iommu_advance(struct p2mk_iommu *io, uint64_t now);

/**
 * p2mk_iommu_translate() - what a device access to @gfn may use now: the
 * table's translation (*@mfn, *@perm), and whether a stale IOTLB entry may
 * still give something else (*@stale).  P2MK_ERR_NOENT if neither exists.
 */
enum p2mk_err p2mk_iommu_translate(const struct p2mk_iommu *io, p2mk_gfn_t gfn,
                                   p2mk_mfn_t *mfn, unsigned *perm,
                                   bool *stale);

/**
 * p2mk_iommu_audit() - the full safety check: every frame reachable
 * through the tables or the model IOTLB is owned (owner.owned), and, if
 * @after_flush, the IOTLB holds nothing the tables disagree with.  Returns
 * the violations found (also added to the stats).
 */
uint64_t p2mk_iommu_audit(struct p2mk_iommu *io, bool after_flush);

/**
 * p2mk_iommu_check_frames() - the safety checker's question for frames
 * just mapped through shared tables (separate tables ask it inside
 * p2mk_iommu_map): counts a violation unless owner.owned says the domain
 * owns them.  Returns true if they are owned (or nobody can tell).
 */
bool p2mk_iommu_check_frames(struct p2mk_iommu *io, p2mk_mfn_t first,
                             uint64_t count);

/** p2mk_iommu_get_stats() - a copy of the counters. */
struct p2mk_iommu_stats p2mk_iommu_get_stats(const struct p2mk_iommu *io);

/** p2mk_iommu_mode_name() - "strict", "lazy", "unsafe" ("?"). */
const char *p2mk_iommu_mode_name(enum p2mk_iommu_mode mode);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_IOMMU_H */
