// SPDX-License-Identifier: BSD-2-Clause
/* p2mkit run: how to run the other case studies. */
#include "cmd_run.h"

void run_hint(FILE *out, const char *const *names, size_t n)
{
	fputs("\nThis was case study 1.  The others:\n", out);
	for (size_t i = 1; i < n; i++)
		fprintf(out, "  p2mkit run examples/%s/scenario.yaml\n",
		        names[i]);
	fputs("Each examples/NAME/README.md tells the incident and its "
	      "numbers.\n",
	      out);
}
