// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit run --set KEY=V1,V2,...: the cross product of every --set,
 * one "p2mkit-run/1" record per combination and policy, one per line
 * (JSON Lines), so a sweep can be split across GNU parallel or a batch
 * scheduler unchanged (docs/run.md "Sweeps").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_run.h"

/* Split one KEY=V1,V2,... (copied to @buf) into @ax. */
static int split(struct cli_ctx *c, const char *arg, char *buf,
                 struct run_axis *ax)
{
	char e[CLI_ECHO_MAX];
	char *eq = strchr(buf, '=');
	char *save = NULL;
	if (eq == NULL || eq == buf)
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--set wants KEY=V1,V2,... (got '%s')",
		                cli_echo(arg, e));
	*eq = '\0';
	ax->key = buf;
	ax->n = 0;
	for (char *v = strtok_r(eq + 1, ",", &save); v;
	     v = strtok_r(NULL, ",", &save)) {
		if (ax->n == RUN_AXIS_VALUES)
			return cli_fail(c, CLI_EXIT_USAGE,
			                "--set %s: at most %d values",
			                cli_echo(ax->key, e), RUN_AXIS_VALUES);
		ax->value[ax->n++] = v;
	}
	if (ax->n == 0)
		return cli_fail(c, CLI_EXIT_USAGE, "--set %s: no value",
		                cli_echo(ax->key, e));
	return 0;
}

int run_sweep_parse(struct cli_ctx *c, const struct cli_str_list *sets,
                    struct run_sweep *sw)
{
	size_t used = 0;
	sw->n = 0;
	for (unsigned i = 0; i < sets->n; i++) {
		size_t len = strlen(sets->v[i]) + 1;
		if (len > sizeof(sw->buf) - used)
			return cli_fail(c, CLI_EXIT_USAGE,
			                "--set: at most %zu bytes of keys and "
			                "values in all",
			                sizeof(sw->buf) - 1);
		char *buf = memcpy(sw->buf + used, sets->v[i], len);
		used += len;
		if (split(c, sets->v[i], buf, &sw->ax[sw->n]) != 0)
			return c->status;
		sw->n++;
	}
	return 0;
}

/* One result of a combination as a record with its "set" object. */
static json_t *line(const struct p2mk_scenario *s, const char *file,
                    const struct p2mk_sc_set *set, size_t n,
                    const struct p2mk_sim_result *r)
{
	json_t *rec = run_record(s, file, r, 1);
	json_t *so = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(so, set[i].key, json_string(set[i].value));
	json_object_set_new(rec, "set", so);
	return rec;
}

/* One combination: load with the overrides, run each policy, append. */
static int one(struct cli_ctx *c, const char *file,
               const struct p2mk_sc_set *set, size_t n,
               const struct run_pols *pols, json_t *lines)
{
	struct p2mk_scenario *s = malloc(sizeof(*s));
	struct p2mk_sim_result *r = malloc(sizeof(*r));
	int status = CLI_EXIT_OK;
	if (s == NULL || r == NULL) {
		status = cli_fail(c, CLI_EXIT_FAIL, "out of memory");
	} else if (!p2mk_scenario_load(s, file, set, n)) {
		status = cli_fail(c, CLI_EXIT_USAGE, "%s", s->y.err);
	} else {
		run_apply_policies(s, pols);
		for (unsigned p = 0; p < s->hyp.npolicies; p++) {
			if (!p2mk_sim_run(s, p, r, NULL, NULL))
				status = CLI_EXIT_FAIL;
			json_array_append_new(lines, line(s, file, set, n, r));
			p2mk_sim_result_free(r);
		}
	}
	if (s != NULL)
		p2mk_scenario_free(s);
	free(s);
	free(r);
	return status;
}

int run_sweep(struct cli_ctx *c, const char *file, const struct run_sweep *sw,
              const struct run_pols *pols)
{
	struct p2mk_sc_set cur[CLI_STR_MAX];
	size_t idx[CLI_STR_MAX] = {0};
	json_t *lines = json_array();
	int status = CLI_EXIT_OK;
	for (size_t i = 0; i < sw->n; i++)
		cur[i].key = sw->ax[i].key;
	for (;;) {
		for (size_t i = 0; i < sw->n; i++)
			cur[i].value = sw->ax[i].value[idx[i]];
		int e = one(c, file, cur, sw->n, pols, lines);
		if (e == CLI_EXIT_USAGE) {
			json_decref(lines);
			return e; /* a combination that is not a scenario */
		}
		status = e ? e : status;
		size_t i = sw->n;
		while (i > 0 && ++idx[i - 1] == sw->ax[i - 1].n)
			idx[--i] = 0;
		if (i == 0)
			break;
	}
	cli_record(c, lines);
	return status;
}

void run_lines(struct rep_out *out, const json_t *rec)
{
	for (size_t i = 0; i < json_array_size(rec); i++) {
		char *s = json_dumps(json_array_get(rec, i),
		                     JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (s == NULL) {
			out->err = out->err ? out->err : ENOMEM;
			continue;
		}
		rep_printf(out, "%s\n", s);
		free(s);
	}
}
