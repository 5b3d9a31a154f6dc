// SPDX-License-Identifier: BSD-2-Clause
#include <stdio.h>

#include "cli.h"

int cmd_combine(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("p2mkit combine: not implemented yet\n", stderr);
	return CLI_EXIT_FAIL;
}
