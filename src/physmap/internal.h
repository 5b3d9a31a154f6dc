/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the files of src/physmap (not part of the API). */
#ifndef P2MKIT_PHYSMAP_INTERNAL_H
#define P2MKIT_PHYSMAP_INTERNAL_H

#include <p2mkit/physmap.h>

/* The counters an operation's counts are the difference of. */
struct pm_snap {
	struct p2mk_pt_stats p2m;
	struct p2mk_pt_stats own;
	struct p2mk_iommu_stats io;
};

struct pm_snap pm_begin(const struct p2mk_physmap *pm);
/* Add what happened since @s to @c. */
void pm_end(const struct p2mk_physmap *pm, const struct pm_snap *s,
            struct p2mk_physmap_counts *c);

/* Change one p2m block with the IOMMU kept in step (shared: capture
 * first; separate: mirror the change).  Nothing changed on error. */
enum p2mk_err pm_set(struct p2mk_physmap *pm, p2mk_gfn_t gfn, p2mk_mfn_t mfn,
                     unsigned order, enum p2mk_p2mt type, unsigned io_order);
/* pm_set() for a block the caller just found empty (@empty). */
enum p2mk_err pm_set_known(struct p2mk_physmap *pm, p2mk_gfn_t gfn,
                           p2mk_mfn_t mfn, unsigned order, enum p2mk_p2mt type,
                           unsigned io_order, bool empty);
enum p2mk_err pm_clear(struct p2mk_physmap *pm, p2mk_gfn_t gfn, uint64_t count);

/* One flush point (a no-op without an IOMMU). */
void pm_flush_point(struct p2mk_physmap *pm);
/* Frames the domain stops using: after the covering flush. */
void pm_release(struct p2mk_physmap *pm, p2mk_mfn_t mfn, uint64_t count);

/* RAM present at @gfn?  *@mfn is its frame. */
bool pm_ram_at(const struct p2mk_physmap *pm, p2mk_gfn_t gfn, p2mk_mfn_t *mfn);

/* XENMAPSPACE_gmfn for one page (ram.c); nothing changed on error. */
enum p2mk_err pm_move_page(struct p2mk_physmap *pm, p2mk_gfn_t src,
                           p2mk_gfn_t dst, struct p2mk_physmap_counts *c);

#endif /* P2MKIT_PHYSMAP_INTERNAL_H */
