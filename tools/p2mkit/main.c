// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit: explain, simulate and audit how virtual machines see physical
 * memory.  This file only dispatches; each subcommand lives in cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
    {"explain", "explain an access layer by layer: PAT, MTRR, EPT/NPT, stage 2",
     cmd_explain},
    {"combine", "combine memory types (intel, ept, npt, arm64)", cmd_combine},
    {"mtrr", "look up the MTRR type of an address or block", cmd_mtrr},
    {"msr", "check whether a WRMSR would #GP", cmd_msr},
    {"host", "audit this machine's MTRRs, PAT and PCI BARs", cmd_host},
    {"bench", "benchmarks (pt)", cmd_bench},
};

static void print_usage(FILE *out)
{
	fputs("usage: p2mkit COMMAND [ARGS...]   (p2mkit COMMAND --help for "
	      "details)\n\n"
	      "commands:\n",
	      out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name,
		        commands[i].summary);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("p2mkit 0.1.0");
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "p2mkit: unknown command '%s'\n\n", argv[1]);
	print_usage(stderr);
	return CLI_EXIT_USAGE;
}
