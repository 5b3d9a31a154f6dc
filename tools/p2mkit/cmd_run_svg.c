// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit run --svg FILE: the address map coloured by effective type, one
 * panel per policy (docs/run.md "SVG"), drawn by the SVG writer layout
 * uses (src/report/svg_map.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_run.h"
#include "report/svg_map.h"

/* Write the panels of @res to @path; 0 or an errno. */
static int write_svg(const char *path, const char *title,
                     const struct p2mk_sim_result *res, size_t n,
                     struct svg_range *buf)
{
	struct svg_panel panels[P2MK_SC_MAX_POLICIES];
	size_t used = 0;
	for (size_t p = 0; p < n; p++) {
		panels[p].title = res[p].policy;
		panels[p].r = buf + used;
		panels[p].n = res[p].nranges;
		for (size_t i = 0; i < res[p].nranges; i++, used++) {
			const struct p2mk_sim_range *g = &res[p].ranges[i];
			buf[used] = (struct svg_range){g->start, g->end,
			                               g->what, g->effective};
		}
	}
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return errno;
	int err = svg_map_write_panels(f, title, panels, n);
	if (fclose(f) != 0 && err == 0)
		err = errno;
	return err;
}

int run_svg(struct cli_ctx *c, const char *path, const char *title,
            const struct p2mk_sim_result *res, size_t n)
{
	char e[CLI_ECHO_MAX];
	size_t total = 0;
	for (size_t p = 0; p < n; p++)
		total += res[p].nranges;
	struct svg_range *buf = calloc(total ? total : 1, sizeof(*buf));
	if (buf == NULL)
		return cli_fail(c, CLI_EXIT_FAIL, "out of memory");
	int err = write_svg(path, title, res, n, buf);
	free(buf);
	if (err != 0)
		return cli_fail(c, CLI_EXIT_FAIL, "cannot write %s: %s",
		                cli_echo(path, e), strerror(err));
	return CLI_EXIT_OK;
}
