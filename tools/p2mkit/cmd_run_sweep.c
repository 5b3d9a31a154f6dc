// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit run --set KEY=V1,V2,...: the cross product of every --set,
 * one "p2mkit-run/1" record per combination and policy, one per line
 * (JSON Lines), so a sweep can be split across GNU parallel or a batch
 * scheduler unchanged (docs/run.md "Sweeps").
 */
#include <stdlib.h>
#include <string.h>

#include "cmd_run.h"

#define SWEEP_MAX_VALUES 64

struct axis {
	char key[128];
	size_t n;
	char *value[SWEEP_MAX_VALUES];
};

static int split(char *arg, struct axis *a)
{
	char *eq = strchr(arg, '=');
	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(a->key))
		return cli_usage_error("run",
		                       "--set wants KEY=V1,V2,... (got "
		                       "'%s')",
		                       arg);
	memcpy(a->key, arg, (size_t)(eq - arg));
	a->key[eq - arg] = '\0';
	a->n = 0;
	for (char *v = strtok(eq + 1, ","); v; v = strtok(NULL, ",")) {
		if (a->n == SWEEP_MAX_VALUES)
			return cli_usage_error("run",
			                       "--set %s: at most %d "
			                       "values",
			                       a->key, SWEEP_MAX_VALUES);
		a->value[a->n++] = v;
	}
	if (a->n == 0)
		return cli_usage_error("run", "--set %s: no value", a->key);
	return 0;
}

/* One combination: load with the overrides, run, print each policy. */
static int one(const char *file, const struct p2mk_sc_set *set, size_t n,
               const char *compare)
{
	struct p2mk_scenario *s = malloc(sizeof(*s));
	struct p2mk_sim_result *r = malloc(sizeof(*r));
	char *list = compare ? strdup(compare) : NULL;
	int status = CLI_EXIT_FAIL;
	if (s == NULL || r == NULL || (compare && list == NULL)) {
		free(s);
		free(r);
		free(list);
		return status;
	}
	if (!p2mk_scenario_load(s, file, set, n)) {
		fprintf(stderr, "%s\n", s->y.err);
		status = CLI_EXIT_USAGE;
	} else if (list && run_set_policies(s, list) != 0) {
		status = CLI_EXIT_USAGE;
	} else {
		status = CLI_EXIT_OK;
		for (unsigned p = 0; p < s->hyp.npolicies; p++) {
			if (!p2mk_sim_run(s, p, r, NULL, NULL))
				status = CLI_EXIT_FAIL;
			run_print_line(s, file, set, n, r);
			p2mk_sim_result_free(r);
		}
	}
	p2mk_scenario_free(s);
	free(s);
	free(r);
	free(list); /* after the runs: the policy names point into it */
	return status;
}

void run_print_line(const struct p2mk_scenario *s, const char *file,
                    const struct p2mk_sc_set *set, size_t n,
                    const struct p2mk_sim_result *r)
{
	json_t *rec = run_record(s, file, r, 1);
	json_t *so = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(so, set[i].key, json_string(set[i].value));
	json_object_set_new(rec, "set", so);
	char *line = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (line) {
		puts(line);
		free(line);
	}
	json_decref(rec);
}

int run_sweep(const char *file, char **sets, size_t nsets, const char *compare)
{
	struct axis *ax = calloc(nsets, sizeof(*ax));
	struct p2mk_sc_set cur[16];
	size_t idx[16] = {0};
	int status = CLI_EXIT_OK;
	if (ax == NULL)
		return CLI_EXIT_FAIL;
	for (size_t i = 0; i < nsets; i++) {
		int e = split(sets[i], &ax[i]);
		if (e) {
			free(ax);
			return e;
		}
		cur[i].key = ax[i].key;
	}
	for (;;) {
		for (size_t i = 0; i < nsets; i++)
			cur[i].value = ax[i].value[idx[i]];
		int e = one(file, cur, nsets, compare);
		if (e == CLI_EXIT_USAGE) {
			status = e;
			break;
		}
		if (e)
			status = e;
		size_t i = nsets;
		while (i > 0 && ++idx[i - 1] == ax[i - 1].n)
			idx[--i] = 0;
		if (i == 0)
			break;
	}
	free(ax);
	return status;
}
