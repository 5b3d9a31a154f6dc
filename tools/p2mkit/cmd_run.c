// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit run: simulate a scenario (docs/run.md, docs/scenario-format.md)
 * under one policy or several side by side and report the memory map with
 * effective types and the costs.
 *
 *   p2mkit run [FILE] [--json] [--compare P1,P2,...]
 *              [--set KEY=V1,V2,...]... [--from-capture DIR [-o OUT]]
 *
 * Without FILE it runs case study 1 (examples/xenpci-grant-table).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p2mkit/policy.h>

#include "cmd_run.h"

static const char usage[] =
    "usage: p2mkit run [FILE] [--json] [--compare P1,P2,...]\n"
    "                  [--set KEY=V1,V2,...]...\n"
    "       p2mkit run --from-capture DIR [-o OUT.yaml]\n"
    "\n"
    "Runs the scenario FILE (docs/scenario-format.md): layout, physmap,\n"
    "p2m and IOMMU for every event, under each policy of\n"
    "hypervisor.policy (or --compare), and prints the memory map with the\n"
    "effective type of a typical guest access and the layer that decided\n"
    "it, then the costs (docs/run.md).  Without FILE: case study 1,\n"
    "examples/xenpci-grant-table.\n"
    "\n"
    "  --json            the \"p2mkit-run/1\" record (docs/run.md)\n"
    "  --compare LIST    policies side by side (differences marked *)\n"
    "  --set KEY=V,...   override a scenario key (dotted path); several\n"
    "                    values or --set options run the cross product and\n"
    "                    print JSON Lines, one record per line\n"
    "  --from-capture D  write a scenario skeleton from a `p2mkit host\n"
    "                    --capture` tree (to -o OUT, default stdout)\n"
    "\n"
    "Exit: 0 every run completed, 1 a run stopped (its error is in the\n"
    "report), 2 bad usage or a malformed scenario (FILE:LINE:COLUMN).\n";

static const char *const case_studies[] = {
    "xenpci-grant-table", "memory-type-changed", "gpu-bar-32g",
    "ram-relocation", "arm64-vfio-prefetchable"};

/* examples/NAME/scenario.yaml from the working directory, or relative to
 * the binary (build/tools/p2mkit/p2mkit in a source tree). */
static bool find_example(const char *name, char *path, size_t len)
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

static void progress(void *ctx, size_t done, size_t total)
{
	fprintf(stderr, "\r%s: event %zu/%zu", (const char *)ctx, done, total);
	if (done == total)
		fputs("\r\033[K", stderr);
}

/* Replace the scenario's policy list with the comma list @list. */
int run_set_policies(struct p2mk_scenario *s, char *list)
{
	unsigned n = 0;
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		if (n == P2MK_SC_MAX_POLICIES)
			return cli_usage_error("run",
			                       "--compare: at most %d "
			                       "policies",
			                       P2MK_SC_MAX_POLICIES);
		if (p2mk_policy_find(tok) == NULL)
			return cli_usage_error("run",
			                       "--compare: unknown policy '%s' "
			                       "(p2mkit explain --policy list)",
			                       tok);
		s->hyp.policy[n++] = tok;
	}
	if (n == 0)
		return cli_usage_error("run", "--compare needs policy names");
	s->hyp.npolicies = n;
	return 0;
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

struct run_opts {
	const char *file;
	char *compare;
	const char *capture, *capture_out;
	bool json, defaulted;
	size_t nset;
	char *set[16];
};

static int run_one(struct run_opts *o)
{
	struct p2mk_scenario *s = malloc(sizeof(*s));
	struct p2mk_sim_result *res =
	    calloc(P2MK_SC_MAX_POLICIES, sizeof(*res));
	int status = CLI_EXIT_USAGE;
	if (s == NULL || res == NULL) {
		fprintf(stderr, "p2mkit run: out of memory\n");
		free(s);
		free(res);
		return CLI_EXIT_FAIL;
	}
	if (!p2mk_scenario_load(s, o->file, NULL, 0)) {
		fprintf(stderr, "%s\n", s->y.err);
	} else if (o->compare == NULL || run_set_policies(s, o->compare) == 0) {
		bool ok = run_policies(s, res);
		json_t *rec = run_record(s, o->file, res, s->hyp.npolicies);
		if (o->json) {
			cli_print_json(rec);
		} else {
			run_text(stdout, rec);
			json_decref(rec);
			if (o->defaulted)
				run_hint(stdout, case_studies,
				         sizeof(case_studies) /
				             sizeof(case_studies[0]));
		}
		status = ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
		for (unsigned p = 0; p < s->hyp.npolicies; p++)
			p2mk_sim_result_free(&res[p]);
	}
	p2mk_scenario_free(s);
	free(s);
	free(res);
	return status;
}

static int parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option longs[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"compare", required_argument, NULL, 'c'},
	    {"set", required_argument, NULL, 'S'},
	    {"from-capture", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longs, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'c':
			o->compare = optarg;
			break;
		case 'f':
			o->capture = optarg;
			break;
		case 'o':
			o->capture_out = optarg;
			break;
		case 'S':
			if (o->nset == sizeof(o->set) / sizeof(o->set[0]))
				return cli_usage_error("run", "too many --set");
			o->set[o->nset++] = optarg;
			break;
		default:
			fputs(usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind + 1 < argc)
		return cli_usage_error("run", "one scenario file at most");
	o->file = optind < argc ? argv[optind] : NULL;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static char path[4096];
	struct run_opts o = {0};
	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	int err = parse(argc, argv, &o);
	if (err)
		return err;
	if (o.capture)
		return run_from_capture(o.capture, o.capture_out);
	if (o.file == NULL) {
		if (!find_example(case_studies[0], path, sizeof(path)))
			return cli_usage_error("run",
			                       "no FILE given and "
			                       "examples/%s not found",
			                       case_studies[0]);
		o.file = path;
		o.defaulted = true;
	}
	if (o.nset > 0)
		return run_sweep(o.file, o.set, o.nset, o.compare);
	return run_one(&o);
}
