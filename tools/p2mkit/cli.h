/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The p2mkit subcommands: every form on the option layer (cli_opt.h,
 * docs/cli.md), and the option groups and record pieces several forms
 * share.
 *
 * Exit status contract: 0 the operation succeeded, 1 the operation failed
 * (or its answer is a failure such as an EPT misconfiguration), 2 bad usage
 * or bad input.
 */
#ifndef P2MKIT_CLI_H
#define P2MKIT_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include <p2mkit/memtype.h>

#include "cli_opt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The forms, one object each (cmd_<name>.c). */
extern const struct cli_form cli_form_explain;
extern const struct cli_form cli_form_explain_amd;
extern const struct cli_form cli_form_explain_example;
extern const struct cli_form cli_form_explain_arm64;
extern const struct cli_form cli_form_explain_policy;
extern const struct cli_form cli_form_combine_intel;
extern const struct cli_form cli_form_combine_amd;
extern const struct cli_form cli_form_combine_ept;
extern const struct cli_form cli_form_combine_npt;
extern const struct cli_form cli_form_combine_arm64;
extern const struct cli_form cli_form_mtrr_plan;
extern const struct cli_form cli_form_mtrr_lookup;
extern const struct cli_form cli_form_msr_check;
extern const struct cli_form cli_form_host;
extern const struct cli_form cli_form_bench_pt;
extern const struct cli_form cli_form_bench_physmap;
extern const struct cli_form cli_form_bench_run;
extern const struct cli_form cli_form_layout;
extern const struct cli_form cli_form_run;
extern const struct cli_form cli_form_run_sweep;
extern const struct cli_form cli_form_run_capture;

/** Every form, NULL-terminated, in help order (cmd_table.c). */
extern const struct cli_form *const cli_forms[];

/* --arch names, for the explain forms (x86 = 0, arm64 = 1). */
extern const struct cli_choice cli_arch_names[];

/*
 * The MTRR-state options (--maxphyaddr --vcnt --no-fixed --no-wc --msr): a
 * group whose offsets are relative to struct cli_mtrr_state (docs/cli.md
 * "Shared groups"); cli_util.c.
 */
struct cli_mtrr_state {
	unsigned maxphyaddr;
	unsigned vcnt;
	bool no_fixed;
	bool no_wc;
	struct cli_msr_list msrs;
};
#define CLI_MTRR_STATE_NOPTS 5
extern const struct cli_opt cli_mtrr_state_opts[CLI_MTRR_STATE_NOPTS];

/* Defaults: MAXPHYADDR 36, 8 variable pairs, fixed ranges and WC. */
void cli_mtrr_state_init(struct cli_mtrr_state *o);

/** cli_mtrr_state_maxphyaddr() - o->maxphyaddr, for a form's callback. */
unsigned cli_mtrr_state_maxphyaddr(const struct cli_mtrr_state *o);

struct p2mk_mtrr_state;
struct p2mk_gp;
/**
 * cli_mtrr_state_build() - initialise @s from @o and apply the MSR writes
 * in order.  Returns -1 on success, or the index of the first write that
 * raised #GP (with *@gp filled).  Returns -2 if the configuration itself
 * is invalid.
 */
int cli_mtrr_state_build(const struct cli_mtrr_state *o,
                         struct p2mk_mtrr_state *s, struct p2mk_gp *gp);

/**
 * cli_mtrr_gp_fail() - the one message for an --msr write that raised #GP
 * while building the state: "--msr 0xIDX=0xVAL: #GP: reason", status 2.
 */
int cli_mtrr_gp_fail(struct cli_ctx *c, const struct cli_mtrr_state *o, int bad,
                     const struct p2mk_gp *gp);

/** cli_mtrr_json() - the guest-visible MTRR/PAT registers of @s as JSON. */
json_t *cli_mtrr_json(const struct p2mk_mtrr_state *s);

/* `mtrr plan` handed to the option layer from an argv (cmd_mtrr_plan.c). */
int cmd_mtrr_plan(int argc, char **argv);

/*
 * The ARM64 stage options, one table used by `combine arm64` and `explain
 * --arch arm64` (cmd_combine_arm64.c).
 */
struct cli_a64_stage {
	uint64_t s1, s2;
	unsigned sh1, sh2;
	struct p2mk_a64_ctl ctl;
};
#define CLI_A64_STAGE_NOPTS 13
extern const struct cli_opt cli_a64_stage_opts[CLI_A64_STAGE_NOPTS];

/* Defaults: Inner Shareable on both stages, FEAT_XS and FEAT_MTE2. */
void cli_a64_stage_init(struct cli_a64_stage *st);

/** a64_stage_input_json() - the stage options as the record's "input". */
json_t *a64_stage_input_json(const struct cli_a64_stage *st);

/** a64_cli_attr_json() - one stage's (or the result's) attribute. */
json_t *a64_cli_attr_json(const struct p2mk_a64_attr *a);

/** a64_cli_result_json() - a combination's result record. */
json_t *a64_cli_result_json(const struct p2mk_a64_result *r);

/** a64_text_line() - the one-line rendering of a result record. */
void a64_text_line(struct rep_out *out, const json_t *rec);

/** a64_cli_hints() - allocation hints of @a as "i:RWA,o:RA" or "none". */
void a64_cli_hints(const struct p2mk_a64_attr *a, char *buf, size_t len);

/**
 * a64_cli_consequences() - plain-language consequences of @r for software,
 * at most @max, into @out; returns how many.
 */
size_t a64_cli_consequences(const struct p2mk_a64_result *r, const char *out[],
                            size_t max);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_CLI_H */
