// SPDX-License-Identifier: BSD-2-Clause
/* ARM64 form, not built yet: refuses with a clear error. */
#include <stdio.h>

#include "cli.h"

int cmd_combine_arm64(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("p2mkit: the arm64 form is not implemented yet\n", stderr);
	return CLI_EXIT_FAIL;
}
