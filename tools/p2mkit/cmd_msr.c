// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit msr check: would these WRMSRs #GP?  Each write is applied to the
 * state left by the previous ones, as on a real vCPU.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <p2mkit/mtrr.h>

#include "cli.h"

static const char msr_usage[] =
    "usage: p2mkit msr check [--maxphyaddr N] [--vcnt N] [--no-fixed] "
    "[--no-wc]\n"
    "                        --msr 0xIDX=0xVAL [--msr ...] [--json]\n"
    "\n"
    "For each write, in order, prints 'ok' or 'gp: <reason>' (the reason "
    "cites the\n"
    "rule). A write that faults leaves the state unchanged, as on the "
    "CPU.\n"
    "Covers MTRRcap (0xfe), MTRRdefType (0x2ff), the fixed-range MTRRs, "
    "PHYSBASE/\n"
    "PHYSMASK pairs (0x200-0x24f) and IA32_PAT (0x277).\n"
    "Exit status: 0 whatever the verdicts, 2 bad usage.\n";

enum { OPT_JSON = 1 };

static void print_verdict(const char *text, bool ok, const struct p2mk_gp *gp,
                          json_t *json)
{
	if (json != NULL) {
		json_t *o = json_object();
		json_object_set_new(o, "write", json_string(text));
		json_object_set_new(o, "ok", json_boolean(ok));
		if (!ok) {
			json_object_set_new(o, "reason",
			                    json_string(gp->reason));
			json_object_set_new(o, "bad_bits",
			                    cli_json_hex(gp->bad_bits));
		}
		json_array_append_new(json, o);
	} else if (ok) {
		printf("ok  %s\n", text);
	} else if (gp->bad_bits != 0) {
		printf("gp: %s  [%s, offending bits 0x%llx]\n", gp->reason,
		       text, (unsigned long long)gp->bad_bits);
	} else {
		printf("gp: %s  [%s]\n", gp->reason, text);
	}
}

static int msr_check(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_MTRR_LONG_OPTIONS,
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	struct cli_mtrr_opts mo;
	cli_mtrr_opts_init(&mo);
	bool json = false;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int shared = cli_mtrr_opt("msr", &mo, c, optarg);
		if (shared < 0)
			return -shared;
		if (shared > 0)
			continue;
		if (c == OPT_JSON) {
			json = true;
			continue;
		}
		return cli_usage_error("msr",
		                       "unknown or incomplete option '%s'",
		                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error("msr", "unexpected argument '%s'",
		                       argv[optind]);
	if (mo.nmsr == 0)
		return cli_usage_error("msr", "check needs at least one --msr");
	/* Build the configured reset state, then apply writes one by one. */
	struct cli_mtrr_opts base = mo;
	base.nmsr = 0;
	struct p2mk_mtrr_state s;
	struct p2mk_gp gp;
	if (cli_mtrr_build(&base, &s, &gp) == -2)
		return cli_usage_error("msr", "invalid CPU configuration");
	json_t *out = json ? json_array() : NULL;
	for (unsigned i = 0; i < mo.nmsr; i++) {
		bool ok =
		    p2mk_mtrr_wrmsr(&s, mo.msr[i], mo.value[i], &gp) == P2MK_OK;
		print_verdict(mo.text[i], ok, &gp, out);
	}
	if (out != NULL)
		cli_print_json(out);
	return CLI_EXIT_OK;
}

int cmd_msr(int argc, char **argv)
{
	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(msr_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "check") == 0)
		return msr_check(argc - 1, argv + 1);
	return cli_usage_error("msr", "unknown action '%s' (check)", argv[1]);
}
