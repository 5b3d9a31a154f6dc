// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit: explain, simulate and audit how virtual machines see physical
 * memory.  This file only dispatches: the forms on the option layer go
 * through cli_main() (cli_cmd.c); each lives in cmd_<name>.c.
 */
#include <string.h>

#include "cli.h"

/* Subcommands still parsing their own arguments (being moved onto the
 * option layer). */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} legacy[] = {
    {"explain", cmd_explain}, {"mtrr", cmd_mtrr},   {"msr", cmd_msr},
    {"host", cmd_host},       {"bench", cmd_bench}, {"run", cmd_run},
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc >= 2 && i < sizeof(legacy) / sizeof(legacy[0]);
	     i++) {
		if (strcmp(argv[1], legacy[i].name) == 0)
			return cli_exit(legacy[i].run(argc - 1, argv + 1));
	}
	return cli_exit(cli_main(cli_forms, argc, argv));
}
