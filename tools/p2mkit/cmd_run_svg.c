// SPDX-License-Identifier: BSD-2-Clause
/* p2mkit run: text hints and the --svg output. */
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

bool run_svg(const char *path, const struct p2mk_scenario *s,
             const struct p2mk_sim_result *res, size_t n)
{
	(void)path;
	(void)s;
	(void)res;
	(void)n;
	fprintf(stderr, "p2mkit run: --svg needs the layout SVG writer "
	                "(src/report/svg_map.c), not in this build yet\n");
	return false;
}
