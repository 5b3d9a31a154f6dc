// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit mtrr lookup: build an MTRR state from MSR writes and look up the
 * type of an address or of an aligned 2^order block.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#include "cli.h"

static const char mtrr_usage[] =
    "usage: p2mkit mtrr lookup [--maxphyaddr N] [--vcnt N] [--no-fixed] "
    "[--no-wc]\n"
    "                          [--overlap sdm|xen|kvm|linux]\n"
    "                          --msr 0xIDX=0xVAL ... --addr 0xADDR "
    "[--order K] [--json]\n"
    "\n"
    "Applies the MSR writes in order to a reset vCPU (MTRRs disabled, PAT "
    "at "
    "its\n"
    "power-up value) and prints the MTRR type of the naturally aligned "
    "block of\n"
    "2^K 4 KiB pages containing ADDR: a type, 'mixed' (the block is not "
    "uniform),\n"
    "or 'undefined' (an overlap the SDM leaves undefined, with "
    "--overlap sdm).\n"
    "\n"
    "  --maxphyaddr N   physical-address width, 32-52 (default 36)\n"
    "  --vcnt N         variable MTRR pairs, 0-40 (default 8)\n"
    "  --no-fixed       MTRRcap.FIX = 0;  --no-wc: MTRRcap.WC = 0\n"
    "  --overlap P      undefined overlaps: sdm (default), xen (last "
    "match),\n"
    "                   kvm (WB), linux (UC)\n"
    "Exit status: 0 ok, 2 bad usage or an MSR write that would #GP.\n";

enum { OPT_ADDR = 1, OPT_ORDER, OPT_OVERLAP, OPT_JSON, OPT_HELP };

static const char *kind_word(const struct p2mk_mtrr_lookup *r)
{
	if (r->kind == P2MK_LOOKUP_MIXED)
		return "mixed";
	if (r->kind == P2MK_LOOKUP_UNDEFINED)
		return "undefined";
	return p2mk_mt_name(r->type);
}

static void print_lookup(const struct p2mk_mtrr_state *s, uint64_t addr,
                         unsigned order, enum p2mk_overlap overlap,
                         const struct p2mk_mtrr_lookup *r, bool json)
{
	if (!json) {
		printf("%s  [%s]\n", kind_word(r), r->rule);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "addr", cli_json_hex(addr));
	json_object_set_new(o, "order", json_integer(order));
	json_object_set_new(o, "overlap",
	                    json_string(p2mk_overlap_name(overlap)));
	json_object_set_new(o, "result", json_string(kind_word(r)));
	json_object_set_new(o, "rule", json_string(r->rule));
	json_t *hits = json_array();
	for (unsigned n = 0; n < P2MK_MTRR_VCNT_MAX; n++) {
		if (r->var_hits & P2MK_BIT(n))
			json_array_append_new(hits, json_integer(n));
	}
	json_object_set_new(o, "variable_hits", hits);
	json_object_set_new(o, "state", cli_mtrr_json(s));
	cli_print_json(o);
}

static int mtrr_lookup(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_MTRR_LONG_OPTIONS,
	    {"addr", required_argument, NULL, OPT_ADDR},
	    {"order", required_argument, NULL, OPT_ORDER},
	    {"overlap", required_argument, NULL, OPT_OVERLAP},
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	struct cli_mtrr_opts mo;
	cli_mtrr_opts_init(&mo);
	enum p2mk_overlap overlap = P2MK_OVERLAP_SDM;
	uint64_t addr = 0, order = 0;
	bool have_addr = false, json = false;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int shared = cli_mtrr_opt("mtrr", &mo, c, optarg);
		if (shared < 0)
			return -shared;
		if (shared > 0)
			continue;
		switch (c) {
		case OPT_ADDR:
			if (!cli_parse_u64(optarg, &addr))
				return cli_usage_error(
				    "mtrr", "--addr wants an address, got '%s'",
				    optarg);
			have_addr = true;
			break;
		case OPT_ORDER:
			if (!cli_parse_u64(optarg, &order) || order > 40)
				return cli_usage_error(
				    "mtrr", "--order wants 0-40, got '%s'",
				    optarg);
			break;
		case OPT_OVERLAP:
			if (!p2mk_overlap_parse(optarg, &overlap))
				return cli_usage_error("mtrr",
				                       "--overlap wants sdm, "
				                       "xen, kvm or linux, "
				                       "got '%s'",
				                       optarg);
			break;
		case OPT_JSON:
			json = true;
			break;
		default:
			return cli_usage_error(
			    "mtrr", "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("mtrr", "unexpected argument '%s'",
		                       argv[optind]);
	if (!have_addr)
		return cli_usage_error("mtrr", "lookup needs --addr");
	struct p2mk_mtrr_state s;
	struct p2mk_gp gp;
	int bad = cli_mtrr_build(&mo, &s, &gp);
	if (bad >= 0)
		return cli_usage_error("mtrr", "--msr %s: #GP: %s",
		                       mo.text[bad], gp.reason);
	struct p2mk_mtrr_lookup r =
	    p2mk_mtrr_lookup(&s, addr, (unsigned)order, overlap);
	print_lookup(&s, addr, (unsigned)order, overlap, &r, json);
	return CLI_EXIT_OK;
}

int cmd_mtrr(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "plan") == 0)
		return cmd_mtrr_plan(argc, argv);
	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(mtrr_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "lookup") == 0)
		return mtrr_lookup(argc - 1, argv + 1);
	return cli_usage_error("mtrr", "unknown action '%s' (lookup, plan)",
	                       argv[1]);
}
