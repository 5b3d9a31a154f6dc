/* SPDX-License-Identifier: BSD-2-Clause */
/* p2mkit run: the pieces cmd_run*.c share (not a public interface). */
#ifndef P2MKIT_CMD_RUN_H
#define P2MKIT_CMD_RUN_H

#include <jansson.h>
#include <stdio.h>

#include "cli.h"
#include "scenario/scenario.h"
#include "sim/sim.h"

#define RUN_SCHEMA "p2mkit-run/1"

/* The arguments of every run form (cmd_run.c declares the tables). */
struct run_pols {
	unsigned n;
	const char *name[P2MK_SC_MAX_POLICIES];
	char buf[512];
};

/* One --set KEY=V1,V2,...: a sweep axis. */
#define RUN_AXIS_VALUES 64
struct run_axis {
	const char *key;
	size_t n;
	const char *value[RUN_AXIS_VALUES];
};

struct run_sweep {
	size_t n;
	struct run_axis ax[CLI_STR_MAX];
	char buf[8192]; /* the keys and values, split */
};

struct run_args {
	const char *file, *compare, *svg, *capture, *output;
	struct cli_str_list sets;
	struct run_pols pols;   /* --compare, parsed by the check */
	struct run_sweep sweep; /* --set, parsed by the check */
};

/**
 * run_parse_policies() - split the comma list @list into @p, every name a
 * policy of `p2mkit explain --policy list`.  Returns 0 or 2 after
 * cli_fail() naming --compare.
 */
int run_parse_policies(struct cli_ctx *c, const char *list, struct run_pols *p);

/** run_apply_policies() - @s's policy list becomes @p (if @p->n > 0). */
void run_apply_policies(struct p2mk_scenario *s, const struct run_pols *p);

/**
 * run_sweep_parse() - split every KEY=V1,V2,... of @sets into @sw.
 * Returns 0 or 2 after cli_fail() naming --set.
 */
int run_sweep_parse(struct cli_ctx *c, const struct cli_str_list *sets,
                    struct run_sweep *sw);

/**
 * run_sweep() - run the cross product of @sw on @file (each under every
 * policy, or @pols), recording a JSON array with one record per line.
 * Returns 0, 1 if a run stopped, or 2 after cli_fail() if a combination
 * is not a valid scenario.
 */
int run_sweep(struct cli_ctx *c, const char *file, const struct run_sweep *sw,
              const struct run_pols *pols);

/**
 * run_svg() - the memory maps of @res (one panel per policy) as SVG in
 * @path, headed @title.  Returns 0 or 1 after cli_fail().
 */
int run_svg(struct cli_ctx *c, const char *path, const char *title,
            const struct p2mk_sim_result *res, size_t n);

/**
 * run_find_example() - examples/@name/scenario.yaml into @path, from the
 * working directory or relative to the binary (build/tools/p2mkit/p2mkit
 * in a source tree); false if neither has it.
 */
bool run_find_example(const char *name, char *path, size_t len);

/** run_lines() - a sweep's record as JSON Lines, one compact record each. */
void run_lines(struct rep_out *out, const json_t *rec);

/** run_result_json() - one policy's result object of the record. */
json_t *run_result_json(const struct p2mk_sim_result *r);

/** run_record() - the whole "p2mkit-run/1" record for @n results. */
json_t *run_record(const struct p2mk_scenario *s, const char *file,
                   const struct p2mk_sim_result *res, size_t n);

/**
 * run_text() - the human summary of @rec (reads only the record): memory
 * map, costs, events, and how to run the other case studies if the record
 * lists them ("others").
 */
void run_text(struct rep_out *out, const json_t *rec);

/**
 * run_from_capture() - record a scenario skeleton from the capture tree
 * @dir, also written to @out if not NULL.  Returns 0, or 1 after
 * cli_fail() if @out cannot be written.
 */
int run_from_capture(struct cli_ctx *c, const char *dir, const char *out);

/** run_capture_text() - the skeleton of the record (unless written). */
void run_capture_text(struct rep_out *out, const json_t *rec);

#endif /* P2MKIT_CMD_RUN_H */
