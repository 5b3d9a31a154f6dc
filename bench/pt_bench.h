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

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct pt_bench_result - one measured operation and its floor.
 * @name: the key ("map_4k", "map_one", ...; see pt_bench_run()).
 * @ns_per_op: best-of-runs time divided by @ops.
 * @floor_ns_per_op: the floor measured in the same run, per op: memset of
 *     the same number of entry bytes (range maps, unmap), random 8-byte
 *     stores to a flat array with one entry per page in the same order
 *     (one-page maps and unmaps, ascending), or random reads from that array
 * with the same index sequence (lookups).
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

enum {
	PT_BENCH_MAP_4K,
	PT_BENCH_MAP_SUPER,
	PT_BENCH_LOOKUP_RANDOM,
	PT_BENCH_UNMAP_4K,
	PT_BENCH_MAP_ONE,
	PT_BENCH_UNMAP_ONE,
	PT_BENCH_LOOKUP_ONE,
	PT_BENCH_NRESULTS
};

/* Smallest and largest range pt_bench_run() accepts, in bytes. */
#define PT_BENCH_MIN_BYTES (UINT64_C(1) << 21)
#define PT_BENCH_MAX_BYTES (UINT64_C(1) << 38)

/**
 * pt_bench_run() - time the engine on a 4-level EPT over @bytes (a power of
 * two from PT_BENCH_MIN_BYTES to PT_BENCH_MAX_BYTES) and fill @out, indexed
 * by the PT_BENCH_* keys: map_4k (one call, 4 KiB leaves), map_super (one
 * call, largest leaves), lookup_random (p2mk_pt_lookup_many() in batches of
 * 16), unmap_4k (one call), map_one and unmap_one (one page per call, in
 * ascending order, the leaf tables existing), lookup_one (one
 * p2mk_pt_lookup() per random page).  Best of @runs.  Returns 0, or -1 if
 * memory could not be had or the engine failed (message in @err).
 */
int pt_bench_run(uint64_t bytes, int runs,
                 struct pt_bench_result out[PT_BENCH_NRESULTS],
                 const char **err);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_BENCH_PT_BENCH_H */
