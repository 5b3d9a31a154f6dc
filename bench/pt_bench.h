/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Benchmarks of the page-table engine (`p2mkit bench pt`).  Library-side
 * code compiled into the tool: it uses libc for timing and memory, never
 * the core itself.
 */
#ifndef P2MKIT_BENCH_PT_BENCH_H
#define P2MKIT_BENCH_PT_BENCH_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct pt_bench_result - one measured operation and its floor.
 * @name: "map_4k", "map_super", "lookup_random" or "unmap_4k".
 * @ns_per_op: best-of-runs time divided by @ops.
 * @floor_ns_per_op: the floor measured in the same run, per op: memset of
 *     the same number of entry bytes (maps, unmap), or random reads from a
 *     flat array with one entry per page (lookup).
 * @ops: 4 KiB pages mapped or unmapped, or lookups done.
 * @entries: leaf entries written (maps), present entries before the unmap,
 *     or entries read (lookup: one leaf per lookup).
 * @table_pages: table pages in the tree after the operation.
 */
struct pt_bench_result {
	const char *name;
	double ns_per_op;
	double floor_ns_per_op;
	uint64_t ops;
	uint64_t entries;
	uint64_t table_pages;
};

#define PT_BENCH_NRESULTS 4

/**
 * pt_bench_run() - run the four measurements on a 4-level EPT over 64 GiB
 * (1 GiB with @quick) and fill @out in the order map_4k, map_super,
 * lookup_random, unmap_4k.  lookup_random uses p2mk_pt_lookup_many() in
 * batches of 16; *@single_ns (if non-NULL) gets the same lookups one
 * p2mk_pt_lookup() call at a time, per lookup.  Returns 0, or -1 if
 * memory could not be had or the engine failed (message in @err).
 */
int pt_bench_run(bool quick, struct pt_bench_result out[PT_BENCH_NRESULTS],
                 double *single_ns, const char **err);

#endif /* P2MKIT_BENCH_PT_BENCH_H */
