// SPDX-License-Identifier: BSD-2-Clause
/* p2mkit bench: not built yet; refuses with a clear error rather than guessing. */
#include <stdio.h>

#include "cli.h"

int cmd_bench(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("p2mkit bench: not implemented yet\n", stderr);
	return CLI_EXIT_FAIL;
}
