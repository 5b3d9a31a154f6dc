/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * physmap: what a hypervisor's memory operations do to a domain's p2m and
 * IOMMU, with exact counts.
 *
 * Spec: xen-reference-behaviour.md §11 (MMIO mappings), §12 (IOMMU flush
 * batching, gmfn_range), iommu-invalidation.md (descriptors, deferred
 * freeing) and landscape-and-users.md §5 pain point 10 (VFIO/KVM BARs).
 * docs/iommu.md explains every count.
 *
 * A physmap ties one struct p2mk_p2m (the CPU's second stage) to an
 * optional struct p2mk_iommu (shared tables or separate ones kept in
 * sync) and to the embedder's machine-frame allocator.  Every operation
 * takes a struct p2mk_physmap_counts to which it *adds* what it did, so
 * one struct can total a sequence.  Errors: P2MK_ERR_INVAL for bad
 * arguments (nothing done); otherwise a failure part-way reports, as the
 * hypervisor does, how far it got (in counts->pages_done) and leaves
 * every page either fully done or untouched.
 */
#ifndef P2MKIT_PHYSMAP_H
#define P2MKIT_PHYSMAP_H

#include <p2mkit/base.h>
#include <p2mkit/iommu.h>
#include <p2mkit/p2m.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct p2mk_frame_ops - the embedder's machine-frame allocator (the
 * hypervisor's heap for guest RAM).
 * @alloc: @count contiguous frames aligned to @count (a power of two),
 *      first one in *@first; false if none.
 * @free: give frames back (only ever called once no IOTLB reaches them).
 * @owned: true if every frame of the range belongs to the domain (its
 *      RAM or an assigned MMIO range): the safety checker's question.
 */
struct p2mk_frame_ops {
	bool (*alloc)(void *ctx, uint64_t count, p2mk_mfn_t *first);
	void (*free)(void *ctx, p2mk_mfn_t first, uint64_t count);
	bool (*owned)(void *ctx, p2mk_mfn_t first, uint64_t count);
	void *ctx;
};

/**
 * struct p2mk_physmap_counts - what operations did (docs/iommu.md).
 * @p2m_entries: p2m leaf entries written (maps, splits, replacements).
 * @iommu_entries: leaf entries written in separate IOMMU tables (0 when
 *      shared: the p2m's entries are the IOMMU's).
 * @tables_alloc, @tables_freed: page-table pages allocated / given back
 *      (p2m and IOMMU tables together).
 * @descs, @domain_descs: IOTLB invalidation descriptors issued, and how
 *      many of them were domain-selective.
 * @flushes: invalidation batches issued (each one wait for completion).
 * @flush_points: places where the operation asked for the IOTLB to be
 *      made consistent (a flush, a queued flush or a skipped one).
 * @hypercalls: calls the guest or toolstack made (each re-invocation
 *      after partial progress counts).
 * @continuations: preemption points that resumed the same call.
 * @iterations: the inner loop's steps: map_mmio_regions iterations,
 *      gmfn_range pages, VFIO pin/map iterations, KVM stage-2 faults.
 * @m2p_zaps: RAM frames whose M2P entry was zapped because MMIO replaced
 *      them (the cost xen §11.1 gives for keeping 1 GiB MMIO off).
 * @pages_done: pages the operation completed.
 */
struct p2mk_physmap_counts {
	uint64_t p2m_entries;
	uint64_t iommu_entries;
	uint64_t tables_alloc;
	uint64_t tables_freed;
	uint64_t descs;
	uint64_t domain_descs;
	uint64_t flushes;
	uint64_t flush_points;
	uint64_t hypercalls;
	uint64_t continuations;
	uint64_t iterations;
	uint64_t m2p_zaps;
	uint64_t pages_done;
};

/**
 * struct p2mk_physmap - one domain's physmap.  Embed it; set up with
 * p2mk_physmap_init().  @iommu may be NULL (no passthrough device).
 * @iommu_order: separate tables only: the largest IOMMU leaf order used
 *      (0, 9 or 18; what VT-d CAP.SLLPS or AMD-Vi allows).
 */
struct p2mk_physmap {
	struct p2mk_p2m *p2m;
	struct p2mk_iommu *iommu;
	struct p2mk_frame_ops frames;
	unsigned iommu_order;
};

/**
 * p2mk_physmap_init() - tie @p2m, @iommu (NULL, or a domain initialised
 * shared on @p2m's pt or separate) and @frames together.  P2MK_ERR_INVAL
 * if a hook is missing, @iommu_order is not 0/9/18, or a shared @iommu
 * walks another pt.
 */
enum p2mk_err p2mk_physmap_init(struct p2mk_physmap *pm, struct p2mk_p2m *p2m,
                                struct p2mk_iommu *iommu,
                                const struct p2mk_frame_ops *frames,
                                unsigned iommu_order);

/**
 * p2mk_physmap_populate() - XENMEM_populate_physmap: back [@gfn, @gfn +
 * @count) with fresh RAM in blocks of 2^@order frames (aligned; 0, 9 or
 * 18), one hypercall.  The range must be empty (P2MK_ERR_EXISTS).  Each
 * block: frames from the allocator, one p2m entry, and the IOMMU mapping
 * (separate tables) with a flush point, as Xen's guest_physmap_add_page.
 */
enum p2mk_err p2mk_physmap_populate(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                    uint64_t count, unsigned order,
                                    struct p2mk_physmap_counts *c);

/**
 * p2mk_physmap_decrease() - XENMEM_decrease_reservation of [@gfn, @gfn +
 * @count): unmap and free the RAM there (frames go back only after the
 * IOTLB flush that covers them).  Holes are skipped.
 */
enum p2mk_err p2mk_physmap_decrease(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                    uint64_t count,
                                    struct p2mk_physmap_counts *c);

/** How a gmfn_range relocation batches its IOMMU flushes (xen §12.3). */
enum p2mk_reloc_batch {
	P2MK_RELOC_PER_PAGE = 0, /* one XENMAPSPACE_gmfn call per page,
	                            each flushed (hvmloader before 2011) */
	P2MK_RELOC_XEN16,        /* gmfn_range: 16-page continuations, the
	                            don't-flush flag, held references, two
	                            ranged flushes per continuation */
	P2MK_RELOC_WHOLE,        /* p2mkit: the whole range, one flush point
	                            with the minimum descriptor set */
};

/**
 * p2mk_physmap_relocate() - move the RAM at [@src, @src + @count) to
 * [@dst, @dst + @count), page by page as xenmem_add_to_physmap_one does
 * (source must be RAM; a RAM page already at the destination is removed
 * and freed, its flush synchronous as dea460d869 requires).
 * Overlapping ranges are walked backwards when @dst is above @src
 * (7acc7dd36b), so no page moves twice.  Frames stay referenced until
 * the flush covering their old gfn (XSA-346).  On an error part-way,
 * counts->pages_done says how many pages moved (the call can be redone
 * for the rest, as a continuation would).
 */
enum p2mk_err p2mk_physmap_relocate(struct p2mk_physmap *pm, p2mk_gfn_t src,
                                    p2mk_gfn_t dst, uint64_t count,
                                    enum p2mk_reloc_batch batch,
                                    struct p2mk_physmap_counts *c);

/**
 * p2mk_physmap_add_one() - XENMAPSPACE_gmfn: move one page (one
 * hypercall, one flush point).
 */
enum p2mk_err p2mk_physmap_add_one(struct p2mk_physmap *pm, p2mk_gfn_t src,
                                   p2mk_gfn_t dst,
                                   struct p2mk_physmap_counts *c);

/** Which hypervisor era picks MMIO mapping orders (xen §11.1). */
enum p2mk_mmio_era {
	P2MK_MMIO_XEN_2016 = 0, /* c3c756bde3: 2 MiB only with shared
	                           IOMMU tables, else 4 KiB */
	P2MK_MMIO_XEN_2018,     /* a5b0eb3636: 2 MiB shared or not */
	P2MK_MMIO_1G,           /* p2mkit: 1 GiB where aligned (M2P zaps
	                           counted) */
	P2MK_MMIO_XEN_4K,       /* before c3c756bde3 (2016): always 4 KiB */
};

/* Xen's MAP_MMIO_MAX_ITER: p2m entries per map_mmio_regions call. */
#define P2MK_MAP_MMIO_MAX_ITER 64u

/**
 * p2mk_physmap_mmio_map() - XEN_DOMCTL_memory_mapping of host frames
 * [@mfn, @mfn + @count) at [@gfn, ...), re-invoked on partial progress as
 * the toolstack does: each call runs at most P2MK_MAP_MMIO_MAX_ITER
 * iterations of one p2m entry of mmio_order() size (xen §11.3).  The IOMMU
 * side follows xen §11.3's last paragraph: shared tables flush per p2m
 * entry; separate ones map the entry in IOMMU pages and flush once per
 * entry.  Replaced RAM is freed after its flush.
 */
enum p2mk_err p2mk_physmap_mmio_map(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                    p2mk_mfn_t mfn, uint64_t count,
                                    enum p2mk_mmio_era era,
                                    struct p2mk_physmap_counts *c);

/** p2mk_physmap_mmio_unmap() - unmap_mmio_regions, same iteration rule. */
enum p2mk_err p2mk_physmap_mmio_unmap(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                      uint64_t count, enum p2mk_mmio_era era,
                                      struct p2mk_physmap_counts *c);

/**
 * p2mk_physmap_mmio_order() - Xen's mmio_order() for a run at @gfn/@mfn
 * of @count frames in @era: 0, 9 or 18.
 */
unsigned p2mk_physmap_mmio_order(const struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                 p2mk_mfn_t mfn, uint64_t count,
                                 enum p2mk_mmio_era era);

/** Host mapping level of a VFIO PFNMAP BAR (Linux 6.12+ huge pfnmaps). */
enum p2mk_pfnmap_level {
	P2MK_PFNMAP_PTE = 0, /* 4 KiB */
	P2MK_PFNMAP_PMD = 9, /* 2 MiB */
	P2MK_PFNMAP_PUD = 18 /* 1 GiB */
};

/**
 * p2mk_physmap_vfio_bar() - the KVM/VFIO counterpart of mapping a BAR
 * (landscape pain point 10): VFIO type1 DMA-maps the PFNMAP region, one
 * pin/map iteration per host mapping of size @level; then the guest
 * touches every page and KVM takes one stage-2 fault per host mapping,
 * installing a p2m leaf of that size.  Counts iterations (VFIO steps plus
 * faults), p2m and IOMMU entries, descriptors.  Needs a separate IOMMU
 * (VFIO never shares tables).
 */
enum p2mk_err p2mk_physmap_vfio_bar(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                                    p2mk_mfn_t mfn, uint64_t count,
                                    enum p2mk_pfnmap_level level,
                                    struct p2mk_physmap_counts *c);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_PHYSMAP_H */
