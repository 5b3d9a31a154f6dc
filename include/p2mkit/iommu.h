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

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_IOMMU_H */
