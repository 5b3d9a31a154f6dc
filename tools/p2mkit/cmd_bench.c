// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit bench pt [--quick] [--json]: the page-table engine against its
 * floors (bench/pt_bench.c).  Benchmarks print figures; they are not
 * timed tests (ARCHITECTURE.md "Tests").
 */
#include <stdio.h>
#include <string.h>

#include "../../bench/pt_bench.h"
#include "cli.h"

static const char bench_usage[] =
    "usage: p2mkit bench pt [--quick] [--json]\n"
    "\n"
    "Times the page-table engine on a 4-level EPT over a 64 GiB range\n"
    "(1 GiB with --quick) and, in the same run, the floor for each\n"
    "measurement:\n"
    "  map_4k         map the range with 4 KiB pages only (one call);\n"
    "                 floor: memset of 8 bytes per page\n"
    "  map_super      map it with the largest leaves (1 GiB here);\n"
    "                 floor: memset of the entries written\n"
    "  lookup_random  random single-page lookups in the 4 KiB tree with\n"
    "                 p2mk_pt_lookup_many(), 16 per call (the text output\n"
    "                 adds one p2mk_pt_lookup() call per lookup);\n"
    "                 floor: random reads from a flat array, 8 bytes/page\n"
    "  unmap_4k       unmap the 4 KiB-mapped range (one call; tables are\n"
    "                 freed and scrubbed); floor: memset of 8 bytes/page\n"
    "ns/op is per 4 KiB page (maps, unmap) or per lookup, best of 5 runs.\n"
    "\n"
    "  --quick   1 GiB instead of 64 GiB\n"
    "  --json    one object with keys map_4k, map_super, lookup_random,\n"
    "            unmap_4k, each {ns_per_op, floor_ns_per_op, ops, entries,\n"
    "            table_pages}\n"
    "Exit status: 0 ok, 1 the benchmark could not run, 2 bad usage.\n";

static int bench_pt(bool quick, bool json)
{
	struct pt_bench_result r[PT_BENCH_NRESULTS];
	const char *err = NULL;
	double single = 0;
	if (pt_bench_run(quick, r, &single, &err) != 0) {
		fprintf(stderr, "p2mkit bench pt: %s\n", err ? err : "failed");
		return CLI_EXIT_FAIL;
	}
	if (json) {
		json_t *root = json_object();
		for (int i = 0; i < PT_BENCH_NRESULTS; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "ns_per_op",
			                    json_real(r[i].ns_per_op));
			json_object_set_new(o, "floor_ns_per_op",
			                    json_real(r[i].floor_ns_per_op));
			json_object_set_new(o, "ops",
			                    json_integer((json_int_t)r[i].ops));
			json_object_set_new(
			    o, "entries",
			    json_integer((json_int_t)r[i].entries));
			json_object_set_new(
			    o, "table_pages",
			    json_integer((json_int_t)r[i].table_pages));
			json_object_set_new(root, r[i].name, o);
		}
		cli_print_json(root);
		return CLI_EXIT_OK;
	}
	printf("p2mkit bench pt: ept4, %s range\n", quick ? "1 GiB" : "64 GiB");
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
	printf("lookup_random is p2mk_pt_lookup_many() in batches of 16; one "
	       "p2mk_pt_lookup() at a time: %.3f ns/op (%.2fx floor)\n",
	       single, single / r[2].floor_ns_per_op);
	return CLI_EXIT_OK;
}

int cmd_bench(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(bench_usage, stdout);
		return CLI_EXIT_OK;
	}
	if (argc < 2)
		return cli_usage_error("bench", "which benchmark? (pt)");
	if (strcmp(argv[1], "pt") != 0)
		return cli_usage_error("bench", "unknown benchmark '%s'",
		                       argv[1]);
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
	return bench_pt(quick, json);
}
