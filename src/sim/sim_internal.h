/* SPDX-License-Identifier: BSD-2-Clause */
/* sim: state shared by the simulator's files (not a public interface). */
#ifndef P2MKIT_SIM_INTERNAL_H
#define P2MKIT_SIM_INTERNAL_H

#include <p2mkit/iommu.h>
#include <p2mkit/p2m.h>
#include <p2mkit/physmap.h>
#include <p2mkit/policy.h>

#include "sim/sim.h"

/* Page-table memory lent to the core: heap pages, counted. */
struct sim_alloc {
	struct p2mk_mm_ops ops;
	uint64_t allocs;
	uint64_t frees;
};

/* Where each device's BARs are now (bar_remap moves them). */
struct sim_bar {
	bool placed;
	uint64_t gpa; /* guest-physical address */
	uint64_t hpa; /* host-physical address (identity at boot) */
	uint64_t size;
	bool mem, prefetchable;
};

struct sim {
	const struct p2mk_scenario *s;
	const struct p2mk_policy *pol;
	struct p2mk_sim_result *r;
	struct p2mk_p2m p2m;
	struct sim_alloc alloc;
	bool have_pm; /* an IOMMU: mapping and relocation go via physmap */
	struct p2mk_iommu io;
	struct p2mk_physmap pm;
	bool booted;
	bool assigned[P2MK_LAYOUT_MAX_DEVS];
	struct sim_bar bars[P2MK_LAYOUT_MAX_DEVS][P2MK_LAYOUT_MAX_DEV_BARS];
	uint64_t next_mfn;    /* bump allocator of host RAM frames */
	uint64_t ram_top_gfn; /* first gfn above all RAM (relocation) */
	unsigned nvcpus;
	struct p2mk_sim_costs cur; /* counts of the running event */
	char note[160];
	char err[200];
};

/* sim_mem.c */
void sim_alloc_init(struct sim_alloc *a);

/* sim_map.c: mapping helpers and the final memory map */
bool sim_map_blocks(struct sim *m, uint64_t gfn, uint64_t mfn, uint64_t count,
                    enum p2mk_p2mt type, unsigned max_order);
bool sim_fail(struct sim *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sim_build_map(struct sim *m);
int sim_find_dev(const struct sim *m, const char *bdf);
unsigned sim_max_order(const struct sim *m);
/** sim_mapping_flushes() - the cache write-backs of @calls memory_mapping
 * domctls (each a WBINVD per host CPU in the Xen eras before 2022). */
void sim_mapping_flushes(struct sim *m, uint64_t calls);
/** sim_memory_mapping() - @calls memory_mapping domctls and their flushes. */
void sim_memory_mapping(struct sim *m, uint64_t calls);

/* sim_events.c */
bool sim_event(struct sim *m, const struct p2mk_sc_event *e);
bool sim_boot(struct sim *m);
bool sim_plan(struct sim *m);

/* sim_physmap.c */
bool sim_physmap_event(struct sim *m, const struct p2mk_sc_event *e);
bool sim_physmap_init(struct sim *m);
void sim_physmap_destroy(struct sim *m);
/** sim_pm_drain() - lazy flushing: the queued flushes, at an event's end
 * (Linux's flush-queue timer fires long before the next event). */
void sim_pm_drain(struct sim *m);
bool sim_pm_populate(struct sim *m, uint64_t gfn, uint64_t count);
bool sim_pm_mmio(struct sim *m, uint64_t gfn, uint64_t mfn, uint64_t count,
                 bool map);

/* sim_effective.c */
void sim_effective(struct sim *m, uint64_t gfn, unsigned map, unsigned s1,
                   struct p2mk_sim_range *out);

#endif /* P2MKIT_SIM_INTERNAL_H */
