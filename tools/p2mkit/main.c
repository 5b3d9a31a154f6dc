// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit: explain, simulate and audit how virtual machines see physical
 * memory.  This file only dispatches: every form is in the command table
 * (cmd_table.c) and runs through the option layer (cli_cmd.c).
 */
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return cli_exit(cmd_run(argc - 1, argv + 1));
	return cli_exit(cli_main(cli_forms, argc, argv));
}
