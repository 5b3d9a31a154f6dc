// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit run: simulate a scenario (docs/run.md, docs/scenario-format.md)
 * under one policy or several side by side and report the memory map with
 * effective types and the costs.  Three forms on the option layer:
 *
 *   p2mkit run [FILE] [--compare P1,P2,...]
 *   p2mkit run --set KEY=V1,V2,... [--set ...] [FILE] [--compare ...]
 *   p2mkit run --from-capture DIR [--output OUT.yaml]
 *
 * Without FILE it runs case study 1 (examples/xenpci-grant-table).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p2mkit/policy.h>

#include "cmd_run.h"

#define ARG(f) offsetof(struct run_args, f)

static const char *const case_studies[] = {
    "xenpci-grant-table", "memory-type-changed", "gpu-bar-32g",
    "ram-relocation", "arm64-vfio-prefetchable"};
#define NCASES (sizeof(case_studies) / sizeof(case_studies[0]))

/* ---- option tables ------------------------------------------------------ */

#define OPT_FILE                                                               \
	{                                                                      \
		.name = NULL, .type = CLI_STRING, .off = ARG(file),            \
		.flags = CLI_POS, .max = 3999, .metavar = "FILE",              \
		.help = "the scenario (default: examples/xenpci-grant-table)"  \
	}
#define OPT_COMPARE                                                            \
	{                                                                      \
		.name = "compare", .type = CLI_STRING, .off = ARG(compare),    \
		.max = 511, .metavar = "P1,P2,...",                            \
		.help =                                                        \
		    "these policies side by side instead of hypervisor.policy" \
	}

static const struct cli_opt run_opts[] = {
    OPT_FILE,
    OPT_COMPARE,
    {.name = "svg",
     .type = CLI_STRING,
     .off = ARG(svg),
     .max = 3999,
     .metavar = "OUT.svg",
     .help = "also write the address map coloured by effective type, one "
             "panel per policy, to OUT.svg"},
};
static const struct cli_opt sweep_opts[] = {
    {.name = "set",
     .type = CLI_STRINGS,
     .off = ARG(sets),
     .flags = CLI_REPEAT,
     .max = 4095,
     .metavar = "KEY=V1,V2,...",
     .help = "override a scenario key (dotted path) with each value in "
             "turn (repeatable: the cross product)"},
    OPT_FILE,
    OPT_COMPARE,
};
static const struct cli_opt capture_opts[] = {
    {.name = "from-capture",
     .type = CLI_STRING,
     .off = ARG(capture),
     .max = 3999,
     .metavar = "DIR",
     .help = "a tree written by `p2mkit host --capture` (host or guest)"},
    {.name = "output",
     .type = CLI_STRING,
     .off = ARG(output),
     .max = 3999,
     .metavar = "OUT.yaml",
     .help = "write the skeleton to OUT.yaml instead of standard output"},
};

static const struct cli_group run_groups[] = {CLI_GROUP(run_opts, 0),
                                              {NULL, 0, 0}};
static const struct cli_group sweep_groups[] = {CLI_GROUP(sweep_opts, 0),
                                                {NULL, 0, 0}};
static const struct cli_group capture_groups[] = {CLI_GROUP(capture_opts, 0),
                                                  {NULL, 0, 0}};

/* ---- shared pieces ------------------------------------------------------ */

int run_parse_policies(struct cli_ctx *c, const char *list, struct run_pols *p)
{
	char e[CLI_ECHO_MAX];
	char *save = NULL;
	snprintf(p->buf, sizeof(p->buf), "%s", list); /* max 511: fits */
	p->n = 0;
	for (char *tok = strtok_r(p->buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (p->n == P2MK_SC_MAX_POLICIES)
			return cli_fail(c, CLI_EXIT_USAGE,
			                "--compare: at most %d policies",
			                P2MK_SC_MAX_POLICIES);
		if (p2mk_policy_find(tok) == NULL)
			return cli_fail(
			    c, CLI_EXIT_USAGE,
			    "--compare: unknown policy '%s' (p2mkit "
			    "explain --policy list)",
			    cli_echo(tok, e));
		p->name[p->n++] = tok;
	}
	if (p->n == 0)
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--compare needs policy names");
	return 0;
}

void run_apply_policies(struct p2mk_scenario *s, const struct run_pols *p)
{
	if (p->n == 0)
		return;
	for (unsigned i = 0; i < p->n; i++)
		s->hyp.policy[i] = p->name[i];
	s->hyp.npolicies = p->n;
}

static int run_check(struct cli_ctx *c, void *argp)
{
	struct run_args *a = argp;
	if (a->compare != NULL &&
	    run_parse_policies(c, a->compare, &a->pols) != 0)
		return c->status;
	if (a->sets.n > 0)
		return run_sweep_parse(c, &a->sets, &a->sweep);
	return 0;
}

bool run_find_example(const char *name, char *path, size_t len)
{
	char exe[2048];
	snprintf(path, len, "examples/%s/scenario.yaml", name);
	if (access(path, R_OK) == 0)
		return true;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(exe, '/');
		if (slash == NULL)
			return false;
		*slash = '\0';
		int w =
		    snprintf(path, len, "%.2000s/examples/%.64s/scenario.yaml",
		             exe, name);
		if (w > 0 && (size_t)w < len && access(path, R_OK) == 0)
			return true;
	}
	return false;
}

/* @a->file, or case study 1 (*@dflt set); NULL after cli_fail(). */
static const char *scenario_file(struct cli_ctx *c, const struct run_args *a,
                                 char *path, size_t len, bool *dflt)
{
	*dflt = a->file == NULL;
	if (a->file != NULL)
		return a->file;
	if (run_find_example(case_studies[0], path, len))
		return path;
	cli_fail(c, CLI_EXIT_USAGE, "no FILE given and examples/%s not found",
	         case_studies[0]);
	return NULL;
}

/* ---- run [FILE] --------------------------------------------------------- */

static void progress(void *ctx, size_t done, size_t total)
{
	fprintf(stderr, "\r%s: event %zu/%zu", (const char *)ctx, done, total);
	if (done == total)
		fputs("\r\033[K", stderr);
}

/* Run every policy of @s; results in @res (s->hyp.npolicies of them). */
static bool run_policies(const struct p2mk_scenario *s,
                         struct p2mk_sim_result *res)
{
	bool ok = true, tty = isatty(STDERR_FILENO);
	for (unsigned p = 0; p < s->hyp.npolicies; p++)
		ok &= p2mk_sim_run(s, p, &res[p], tty ? progress : NULL,
		                   (void *)s->hyp.policy[p]);
	return ok;
}

/* The other case studies, for the text's closing hint. */
static json_t *others_json(void)
{
	json_t *o = json_array();
	for (size_t i = 1; i < NCASES; i++)
		json_array_append_new(
		    o,
		    json_sprintf("examples/%s/scenario.yaml", case_studies[i]));
	return o;
}

/* Load, run under each policy and record; returns the status. */
static int simulate(struct cli_ctx *c, const struct run_args *a,
                    const char *file, bool dflt)
{
	struct p2mk_scenario *s = malloc(sizeof(*s));
	struct p2mk_sim_result *res =
	    calloc(P2MK_SC_MAX_POLICIES, sizeof(*res));
	int status;
	if (s == NULL || res == NULL) {
		status = cli_fail(c, CLI_EXIT_FAIL, "out of memory");
	} else if (!p2mk_scenario_load(s, file, NULL, 0)) {
		status = cli_fail(c, CLI_EXIT_USAGE, "%s", s->y.err);
	} else {
		run_apply_policies(s, &a->pols);
		bool ok = run_policies(s, res);
		json_t *rec = run_record(s, file, res, s->hyp.npolicies);
		if (dflt)
			json_object_set_new(rec, "others", others_json());
		cli_record(c, rec);
		status = ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
		if (a->svg != NULL &&
		    run_svg(c, a->svg, s->name ? s->name : file, res,
		            s->hyp.npolicies) != 0)
			status = c->status;
		for (unsigned p = 0; p < s->hyp.npolicies; p++)
			p2mk_sim_result_free(&res[p]);
	}
	if (s != NULL)
		p2mk_scenario_free(s);
	free(s);
	free(res);
	return status;
}

static int run_main(struct cli_ctx *c, void *argp)
{
	const struct run_args *a = argp;
	char path[4096];
	bool dflt;
	const char *file = scenario_file(c, a, path, sizeof(path), &dflt);
	return file ? simulate(c, a, file, dflt) : c->status;
}

/* ---- run --set ---------------------------------------------------------- */

static int run_sweep_main(struct cli_ctx *c, void *argp)
{
	const struct run_args *a = argp;
	char path[4096];
	bool dflt;
	const char *file = scenario_file(c, a, path, sizeof(path), &dflt);
	return file ? run_sweep(c, file, &a->sweep, &a->pols) : c->status;
}

/* ---- run --from-capture ------------------------------------------------- */

static int run_capture_main(struct cli_ctx *c, void *argp)
{
	const struct run_args *a = argp;
	return run_from_capture(c, a->capture, a->output);
}

/* ---- the forms ---------------------------------------------------------- */

#define RUN_EXITS                                                              \
	"0 every run completed, 1 a run stopped (its error is in the "         \
	"report), 2 bad usage or a malformed scenario (file:line:column)."

const struct cli_form cli_form_run = {
    .command = "run",
    .summary = "simulate a scenario (host, hypervisor, VM, events) under "
               "one policy or several side by side: effective types and "
               "costs",
    .about = "Runs layout, physmap, p2m and IOMMU for every event of FILE\n"
             "(docs/scenario-format.md) under each policy of\n"
             "hypervisor.policy (or --compare), and prints the memory map\n"
             "with the effective type of a typical guest access and the\n"
             "layer that decided it, then the costs (docs/run.md).  --json\n"
             "prints the \"p2mkit-run/1\" record.  Without FILE: case study\n"
             "1, examples/xenpci-grant-table.  A progress line is shown on\n"
             "stderr when it is a terminal.\n",
    .exits = RUN_EXITS,
    .groups = run_groups,
    .args_size = sizeof(struct run_args),
    .check = run_check,
    .run = run_main,
    .text = run_text,
};

const struct cli_form cli_form_run_sweep = {
    .command = "run",
    .select = "set",
    .summary = "a sweep: the cross product of every --set, one "
               "\"p2mkit-run/1\" record per line (JSON Lines)",
    .about = "Each combination of the --set values is loaded as FILE with\n"
             "those keys overridden and run under each policy; every result\n"
             "is one compact record with a \"set\" object, one per line, in\n"
             "text and --json alike, so a sweep splits across GNU parallel\n"
             "or a batch scheduler unchanged (docs/run.md \"Sweeps\").\n",
    .exits = RUN_EXITS,
    .groups = sweep_groups,
    .args_size = sizeof(struct run_args),
    .check = run_check,
    .run = run_sweep_main,
    .text = run_lines,
    .json = run_lines,
};

const struct cli_form cli_form_run_capture = {
    .command = "run",
    .select = "from-capture",
    .summary = "a scenario skeleton (MTRRs, PAT, devices and BARs as found) "
               "from a `p2mkit host --capture` tree",
    .about = "The skeleton runs as written; complete its hypervisor, guest\n"
             "and events sections (docs/run.md \"From a real machine\").\n"
             "--json prints {capture, output, scenario} with the text.\n",
    .exits = "0 ok, 1 OUT.yaml cannot be written, 2 bad usage.",
    .groups = capture_groups,
    .args_size = sizeof(struct run_args),
    .run = run_capture_main,
    .text = run_capture_text,
};
