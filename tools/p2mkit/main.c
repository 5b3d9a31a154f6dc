// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit: explain, simulate and audit how virtual machines see physical
 * memory.  This file only dispatches: every form is in the command table
 * (cmd_table.c) and runs through the option layer (cli_cmd.c).
 */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_exit(cli_main(cli_forms, argc, argv));
}
