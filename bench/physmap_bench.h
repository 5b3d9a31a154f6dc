/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Benchmarks of physmap + IOMMU (`p2mkit bench physmap`): the two
 * incidents of issue 11 -- relocating 1 GiB of RAM out of a PCI hole and
 * mapping a large GPU BAR -- timed, with their counts and peak memory.
 * Library-side code compiled into the tool (libc allowed).
 */
#ifndef P2MKIT_BENCH_PHYSMAP_BENCH_H
#define P2MKIT_BENCH_PHYSMAP_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <p2mkit/physmap.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct physmap_bench_result - one case.
 * @name: the key ("reloc_1g_per_page", "bar32g_2m_shared", ...).
 * @seconds: wall time of the operation alone (set-up excluded).
 * @cpu_seconds: its thread CPU time (what the ratio uses: a loaded
 *     machine inflates wall time, not this).
 * @floor_seconds: memset of 8 bytes per entry written, timed in the same
 *     run: the physical floor of writing those entries.
 * @peak_rss: peak resident memory of the process that ran the case.
 * @table_bytes: page-table pages in use at the end, times 4 KiB.
 * @counts: what physmap reported.
 */
struct physmap_bench_result {
	const char *name;
	double seconds;
	double cpu_seconds;
	double floor_seconds;
	uint64_t peak_rss;
	uint64_t table_bytes;
	struct p2mk_physmap_counts counts;
};

#define PHYSMAP_BENCH_MAX 16

/**
 * physmap_bench_run() - run every case (without the 128 GiB one if
 * @quick), each in a child process so that its peak memory is its own.
 * Fills @out (room for PHYSMAP_BENCH_MAX) and returns the number of
 * cases, or -1 with *@err set.
 */
int physmap_bench_run(bool quick, struct physmap_bench_result *out,
                      const char **err);

/**
 * physmap_bench_record() - the result record of @n cases: one object per
 * case name with seconds, cpu_seconds, floor_seconds, peak_rss_bytes,
 * table_bytes and counts.  `p2mkit bench physmap` renders it as text or
 * prints it as JSON.  The caller owns the returned reference.
 */
json_t *physmap_bench_record(const struct physmap_bench_result *r, int n);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_BENCH_PHYSMAP_BENCH_H */
