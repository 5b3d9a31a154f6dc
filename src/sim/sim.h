/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sim: the `p2mkit run` simulator (tool-side).  For one policy it drives
 * the core layers in order -- layout (the firmware's plan), physmap and p2m
 * (RAM, MMIO, relocation, memory-type changes), iommu (flushes) -- through
 * the scenario's events, counts what each event did and prices the counts
 * with the scenario's cost model (docs/run.md).  The result is the memory
 * map by range with the effective type of a typical guest access and the
 * layer that decided it, plus the costs per event and in total.
 *
 * Work scales with ranges, not pages: RAM and BARs are mapped in the
 * largest aligned blocks the policy and era allow, touches walk entries,
 * not frames.
 */
#ifndef P2MKIT_SIM_H
#define P2MKIT_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <p2mkit/layout.h>

#include "scenario/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one event (or the whole run) did and cost. */
struct p2mk_sim_costs {
	uint64_t leaf_entries;    /* p2m and IOMMU leaf entries written */
	uint64_t table_pages;     /* page-table pages allocated */
	uint64_t misconfig_exits; /* EPT misconfig exits (NPT/arm64 faults) */
	uint64_t iotlb_flushes;   /* IOTLB invalidation batches waited for */
	uint64_t invalidation_descriptors;
	uint64_t hypercalls; /* including continuations */
	uint64_t continuations;
	uint64_t flush_points;
	uint64_t special_checks; /* Xen's per-4K special-page tests */
	uint64_t wbinvd;         /* cache write-backs (one per CPU each) */
	double seconds;
};

/* One row of the memory map.  [start, end) guest-physical bytes. */
struct p2mk_sim_range {
	uint64_t start, end;
	char what[64];
	char effective[24]; /* "WB", "UC", "CD", "Normal-NC", "emulated" ... */
	char decided_by[96];
	char detail[96];
	unsigned mt; /* x86 enum p2mk_mt of the result (SVG colour), or
	                0xff when none (emulated, unmapped) */
};

struct p2mk_sim_event_result {
	unsigned kind; /* enum p2mk_sc_event_kind */
	unsigned line;
	char note[160];
	struct p2mk_sim_costs costs;
};

#define P2MK_SIM_MAX_RANGES 256

struct p2mk_sim_result {
	const char *policy;
	struct p2mk_layout_output layout;
	bool have_layout;
	size_t nranges;
	struct p2mk_sim_range ranges[P2MK_SIM_MAX_RANGES];
	size_t nevents;
	struct p2mk_sim_event_result *events; /* owned */
	struct p2mk_sim_costs total;
	char error[256]; /* non-empty: the run stopped here */
};

/* Called between events when progress is wanted (may be NULL). */
typedef void (*p2mk_sim_progress_fn)(void *ctx, size_t done, size_t total);

/**
 * p2mk_sim_run() - run scenario @s under its @policy-th policy into @r
 * (allocated by the caller, filled from scratch).  Returns true when every
 * event ran; false with @r->error set ("line N: event: why") when one
 * could not, the results of the events before it kept.
 */
bool p2mk_sim_run(const struct p2mk_scenario *s, unsigned policy,
                  struct p2mk_sim_result *r, p2mk_sim_progress_fn progress,
                  void *progress_ctx);

/** p2mk_sim_result_free() - release what @r owns. */
void p2mk_sim_result_free(struct p2mk_sim_result *r);

/** p2mk_sim_price() - fill c->seconds from the counts, the unit costs @k and
 * the host @h (which IOTLB flush cost applies). */
void p2mk_sim_price(struct p2mk_sim_costs *c, const struct p2mk_sc_costs *k,
                    const struct p2mk_sc_host *h);

/** p2mk_sim_add() - add every count and the seconds of @b to @a. */
void p2mk_sim_add(struct p2mk_sim_costs *a, const struct p2mk_sim_costs *b);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_SIM_H */
