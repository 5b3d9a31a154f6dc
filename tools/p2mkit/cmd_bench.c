// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit bench pt [--size SIZE | --quick] [--json]: the page-table engine
 * against its floors (bench/pt_bench.c).  Benchmarks print figures; they
 * are not timed tests (ARCHITECTURE.md "Tests").
 */
#include <stdio.h>
#include <string.h>

#include "../../bench/physmap_bench.h"
#include "../../bench/pt_bench.h"
#include "cli.h"
#include "cli_opt.h"

static const char bench_usage[] =
    "usage: p2mkit bench pt [--size SIZE | --quick] [--json]\n"
    "\n"
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
    "\n"
    "  --size SIZE  range size, a power of two from 2MiB to 256GiB, in\n"
    "               bytes or with a suffix KiB, MiB, GiB or TiB\n"
    "  --quick      the same as --size 1GiB\n"
    "  --json       one object: size_bytes, then for each key above\n"
    "               {ns_per_op, floor_ns_per_op, ops, entries, table_pages}\n"
    "\n"
    "usage: p2mkit bench physmap [--quick] [--json]\n"
    "Relocating 1 GiB out of a PCI hole (per page, Xen's 16-page batches,\n"
    "one flush point) and mapping a 32 GiB BAR at 4 KiB / 2 MiB / 1 GiB with\n"
    "shared and separate IOMMU tables (and, *_cm, with caching mode), then\n"
    "a 128 GiB BAR at 4 KiB (not\n"
    "with --quick): time, floor (memset of 8 bytes per entry written), peak\n"
    "memory, table size and counts of each (docs/iommu.md).\n"
    "Exit status: 0 ok, 1 the benchmark could not run, 2 bad usage.\n";

static void print_json(uint64_t bytes, const struct pt_bench_result *r)
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
	cli_print_json(root);
}

static void print_text(uint64_t bytes, const struct pt_bench_result *r)
{
	printf("p2mkit bench pt: ept4, %llu MiB range\n",
	       (unsigned long long)(bytes >> 20));
	printf("%-14s %10s %10s %7s %10s %10s %11s\n", "", "ns/op", "floor",
	       "ratio", "ops", "entries", "table_pages");
	for (int i = 0; i < PT_BENCH_NRESULTS; i++) {
		double ratio = r[i].floor_ns_per_op > 0
		                   ? r[i].ns_per_op / r[i].floor_ns_per_op
		                   : 0;
		printf("%-14s %10.4g %10.4g %6.2fx %10llu %10llu %11llu\n",
		       r[i].name, r[i].ns_per_op, r[i].floor_ns_per_op, ratio,
		       (unsigned long long)r[i].ops,
		       (unsigned long long)r[i].entries,
		       (unsigned long long)r[i].table_pages);
	}
}

static int bench_pt(uint64_t bytes, bool json)
{
	struct pt_bench_result r[PT_BENCH_NRESULTS];
	const char *err = NULL;
	if (pt_bench_run(bytes, 5, r, &err) != 0) {
		fprintf(stderr, "p2mkit bench pt: %s\n", err ? err : "failed");
		return CLI_EXIT_FAIL;
	}
	if (json)
		print_json(bytes, r);
	else
		print_text(bytes, r);
	return CLI_EXIT_OK;
}

static int bench_physmap(int argc, char **argv)
{
	bool quick = false, json = false;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			quick = true;
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else
			return cli_usage_error("bench", "unknown option '%s'",
			                       argv[i]);
	}
	return physmap_bench_main(quick, json) == 0 ? CLI_EXIT_OK
	                                            : CLI_EXIT_FAIL;
}

int cmd_bench(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(bench_usage, stdout);
		return CLI_EXIT_OK;
	}
	if (argc < 2)
		return cli_usage_error("bench",
		                       "which benchmark? (pt, physmap)");
	if (strcmp(argv[1], "physmap") == 0)
		return bench_physmap(argc, argv);
	if (strcmp(argv[1], "pt") != 0)
		return cli_usage_error("bench", "unknown benchmark '%s'",
		                       argv[1]);
	uint64_t bytes = UINT64_C(64) << 30;
	bool json = false;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			bytes = UINT64_C(1) << 30;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--size") == 0) {
			if (i + 1 == argc)
				return cli_usage_error("bench",
				                       "--size needs a size");
			char why[160];
			if (!cli_parse_size("--size", argv[++i], &bytes, why,
			                    sizeof(why)))
				return cli_usage_error("bench", "%s", why);
			if (bytes < PT_BENCH_MIN_BYTES ||
			    bytes > PT_BENCH_MAX_BYTES || (bytes & (bytes - 1)))
				return cli_usage_error(
				    "bench",
				    "--size '%s': a power of two from 2MiB to "
				    "256GiB (e.g. 1GiB, 64GiB)",
				    argv[i]);
		} else {
			return cli_usage_error("bench", "unknown option '%s'",
			                       argv[i]);
		}
	}
	return bench_pt(bytes, json);
}
