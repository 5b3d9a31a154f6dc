// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit bench pt [--size SIZE | --quick] [--json]: the page-table engine
 * against its floors (bench/pt_bench.c); bench physmap (bench/physmap_bench.c).
 * Benchmarks print figures; they are not timed tests (ARCHITECTURE.md "Tests").
 */
#include <stddef.h>

#include "../../bench/physmap_bench.h"
#include "../../bench/pt_bench.h"
#include "cli.h"

struct bench_pt_args {
	uint64_t size;
	bool quick;
};

static const struct cli_opt bench_pt_opts[] = {
    {.name = "size",
     .type = CLI_SIZE,
     .off = offsetof(struct bench_pt_args, size),
     .min = UINT64_C(1) << 21,
     .max = UINT64_C(1) << 38,
     .metavar = "SIZE",
     .help = "range size, a power of two from 2MiB to 256GiB (64GiB)"},
    {.name = "quick",
     .type = CLI_FLAG,
     .off = offsetof(struct bench_pt_args, quick),
     .help = "the same as --size 1GiB"},
};
static const struct cli_group bench_pt_groups[] = {CLI_GROUP(bench_pt_opts, 0),
                                                   {NULL, 0, 0}};

static const char bench_pt_about[] =
    "Times the page-table engine on a 4-level EPT over a range of SIZE\n"
    "(default 64GiB) and, in the same run, the floor for each measurement:\n"
    "  map_4k         map the range with 4 KiB pages only (one call);\n"
    "                 floor: memset of 8 bytes per page\n"
    "  map_super      map it with the largest leaves (1 GiB here);\n"
    "                 floor: memset of the entries written\n"
    "  lookup_random  random single-page lookups in the 4 KiB tree with\n"
    "                 p2mk_pt_lookup_many(), 16 per call;\n"
    "                 floor: random reads from a flat array, 8 bytes/page\n"
    "  unmap_4k       unmap the 4 KiB-mapped range (one call; tables are\n"
    "                 freed and scrubbed); floor: memset of 8 bytes/page\n"
    "  map_one        map one 4 KiB page per call, every page of the range\n"
    "                 in ascending order, its leaf table present;\n"
    "                 floor: one 8-byte store per page in that order\n"
    "  unmap_one      unmap one page per call, same order and floor\n"
    "  lookup_one     one p2mk_pt_lookup() per random page;\n"
    "                 floor: the random reads of lookup_random\n"
    "ns/op is per 4 KiB page (maps, unmaps) or per lookup, best of 5 runs.\n"
    "--json: one object: size_bytes, then for each key above\n"
    "{ns_per_op, floor_ns_per_op, ops, entries, table_pages}.\n";

static void bench_pt_init(void *args)
{
	((struct bench_pt_args *)args)->size = UINT64_C(64) << 30;
}

static int bench_pt_check(struct cli_ctx *c, void *args)
{
	struct bench_pt_args *a = args;
	if (a->quick && cli_given(c, "size"))
		return cli_fail(c, CLI_EXIT_USAGE,
		                "give --size or --quick, not both");
	if (a->quick)
		a->size = UINT64_C(1) << 30;
	if (a->size & (a->size - 1))
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--size %llu is not a power of two",
		                (unsigned long long)a->size);
	return 0;
}

static json_t *record(uint64_t bytes, const struct pt_bench_result *r)
{
	json_t *root = json_object();
	json_object_set_new(root, "size_bytes",
	                    json_integer((json_int_t)bytes));
	for (int i = 0; i < PT_BENCH_NRESULTS; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "ns_per_op", json_real(r[i].ns_per_op));
		json_object_set_new(o, "floor_ns_per_op",
		                    json_real(r[i].floor_ns_per_op));
		json_object_set_new(o, "ops",
		                    json_integer((json_int_t)r[i].ops));
		json_object_set_new(o, "entries",
		                    json_integer((json_int_t)r[i].entries));
		json_object_set_new(o, "table_pages",
		                    json_integer((json_int_t)r[i].table_pages));
		json_object_set_new(root, r[i].name, o);
	}
	return root;
}

static void bench_pt_text(struct rep_out *out, const json_t *rec)
{
	rep_printf(out, "p2mkit bench pt: ept4, %lld MiB range\n",
	           rep_int(rec, "size_bytes") >> 20);
	rep_printf(out, "%-14s %10s %10s %7s %10s %10s %11s\n", "", "ns/op",
	           "floor", "ratio", "ops", "entries", "table_pages");
	const char *key;
	const json_t *o;
	json_object_foreach((json_t *)rec, key, o)
	{
		if (!json_is_object(o))
			continue;
		double ns = json_real_value(rep_get(o, "ns_per_op"));
		double floor = json_real_value(rep_get(o, "floor_ns_per_op"));
		rep_printf(out,
		           "%-14s %10.4g %10.4g %6.2fx %10lld %10lld %11lld\n",
		           key, ns, floor, floor > 0 ? ns / floor : 0,
		           rep_int(o, "ops"), rep_int(o, "entries"),
		           rep_int(o, "table_pages"));
	}
}

static int bench_pt_run(struct cli_ctx *c, void *args)
{
	const struct bench_pt_args *a = args;
	struct pt_bench_result r[PT_BENCH_NRESULTS];
	const char *err = NULL;
	if (pt_bench_run(a->size, 5, r, &err) != 0)
		return cli_fail(c, CLI_EXIT_FAIL, "%s", err ? err : "failed");
	cli_record(c, record(a->size, r));
	return CLI_EXIT_OK;
}

const struct cli_form cli_form_bench_pt = {
    .command = "bench",
    .word = "pt",
    .summary = "the page-table engine against its floors",
    .about = bench_pt_about,
    .exits = "0 ok, 1 the benchmark could not run, 2 bad usage.",
    .groups = bench_pt_groups,
    .args_size = sizeof(struct bench_pt_args),
    .init = bench_pt_init,
    .check = bench_pt_check,
    .run = bench_pt_run,
    .text = bench_pt_text,
};

/* ---- bench physmap ----------------------------------------------------- */

static const struct cli_opt bench_physmap_opts[] = {
    {.name = "quick",
     .type = CLI_FLAG,
     .off = 0,
     .help = "skip the 128 GiB BAR"},
};
static const struct cli_group bench_physmap_groups[] = {
    CLI_GROUP(bench_physmap_opts, 0), {NULL, 0, 0}};

static void bench_physmap_text(struct rep_out *out, const json_t *rec)
{
	rep_printf(out,
	           "%-21s %8s %8s %8s %7s %9s %9s %10s %10s %8s %8s %8s %6s\n",
	           "case", "wall_s", "cpu_s", "floor_s", "ratio", "peak_MiB",
	           "tables_MiB", "p2m_ent", "iommu_ent", "descs", "flushes",
	           "hcalls", "conts");
	const char *name;
	const json_t *o;
	json_object_foreach((json_t *)rec, name, o)
	{
		const json_t *c = rep_get(o, "counts");
		double cpu = json_real_value(rep_get(o, "cpu_seconds"));
		double floor = json_real_value(rep_get(o, "floor_seconds"));
		rep_printf(out,
		           "%-20s %8.3f %8.3f %8.4f %6.0fx %9.1f %9.1f %10lld "
		           "%10lld %8lld %8lld %8lld %6lld\n",
		           name, json_real_value(rep_get(o, "seconds")), cpu,
		           floor, floor > 0 ? cpu / floor : 0,
		           (double)rep_int(o, "peak_rss_bytes") / (1 << 20),
		           (double)rep_int(o, "table_bytes") / (1 << 20),
		           rep_int(c, "p2m_entries"),
		           rep_int(c, "iommu_entries"), rep_int(c, "descs"),
		           rep_int(c, "flushes"), rep_int(c, "hypercalls"),
		           rep_int(c, "continuations"));
	}
}

static int bench_physmap_run(struct cli_ctx *c, void *args)
{
	const bool *quick = args;
	struct physmap_bench_result r[PHYSMAP_BENCH_MAX];
	const char *err = NULL;
	int n = physmap_bench_run(*quick, r, &err);
	if (n < 0)
		return cli_fail(c, CLI_EXIT_FAIL, "case %s failed",
		                err ? err : "?");
	cli_record(c, physmap_bench_record(r, n));
	return CLI_EXIT_OK;
}

const struct cli_form cli_form_bench_physmap = {
    .command = "bench",
    .word = "physmap",
    .summary = "relocating RAM out of a PCI hole and mapping large BARs",
    .about =
        "Relocating 1 GiB out of a PCI hole (per page, Xen's 16-page "
        "batches,\n"
        "one flush point) and mapping a 32 GiB BAR at 4 KiB / 2 MiB / 1 GiB "
        "with\n"
        "shared and separate IOMMU tables (and, *_cm, with caching mode), "
        "then\n"
        "a 128 GiB BAR at 4 KiB (not with --quick): time, floor (memset of 8 "
        "bytes\n"
        "per entry written), peak memory, table size and counts of each\n"
        "(docs/iommu.md).\n",
    .exits = "0 ok, 1 the benchmark could not run, 2 bad usage.",
    .groups = bench_physmap_groups,
    .args_size = sizeof(bool),
    .run = bench_physmap_run,
    .text = bench_physmap_text,
};
