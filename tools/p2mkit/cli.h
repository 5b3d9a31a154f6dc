/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared helpers for the p2mkit subcommands: strict number and type
 * parsing, MSR arguments, exit codes and JSON output.
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

/* The forms on the option layer (cli_opt.h), one object per form. */
extern const struct cli_form cli_form_combine_intel;
extern const struct cli_form cli_form_combine_amd;
extern const struct cli_form cli_form_combine_ept;
extern const struct cli_form cli_form_combine_npt;
extern const struct cli_form cli_form_combine_arm64;
extern const struct cli_form cli_form_mtrr_plan;

/** Every form on the layer, NULL-terminated (cmd_table.c). */
extern const struct cli_form *const cli_forms[];

/** One subcommand: its name, one-line summary and entry point. */
struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/** cli_parse_u64() - whole-string decimal or 0x-hex number; false if not. */
bool cli_parse_u64(const char *s, uint64_t *out);

/**
 * cli_parse_msr_assign() - parse "0xIDX=0xVAL" (either part decimal or hex).
 * Returns false for anything else, including an index above 0xffffffff.
 */
bool cli_parse_msr_assign(const char *s, uint32_t *msr, uint64_t *value);

/**
 * cli_parse_type() - parse a memory-type token (UC UC- WC WT WP WB, CD, WC+)
 * or a numeric encoding into *@mt.  Returns false for anything else.
 */
bool cli_parse_type(const char *s, unsigned *mt);

/** cli_usage_error() - print "p2mkit CMD: MESSAGE" to stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** cli_json_hex() - @v as a JSON string "0x...", lower-case hex. */
json_t *cli_json_hex(uint64_t v);

/** cli_print_json() - print @root compactly-indented to stdout, then free it.
 */
void cli_print_json(json_t *root);

/** cli_wants_help() - true if argv has -h or --help before any "--". */
bool cli_wants_help(int argc, char **argv);

/*
 * MTRR-state options shared by `mtrr`, `msr` and `explain`:
 * --maxphyaddr N, --vcnt N, --no-fixed, --no-wc, --msr 0xIDX=0xVAL
 * (repeatable, applied in order).
 */
struct cli_mtrr_opts {
	unsigned maxphyaddr;
	unsigned vcnt;
	bool no_fixed;
	bool no_wc;
	unsigned nmsr;
	uint32_t msr[CLI_MSR_MAX];
	uint64_t value[CLI_MSR_MAX];
	const char *text[CLI_MSR_MAX];
};

/*
 * The same MTRR-state options on the option layer: a group whose offsets
 * are relative to struct cli_mtrr_state (docs/cli.md "Shared groups").
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
/* Defaults as cli_mtrr_opts_init(). */
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

/* Option codes the shared MTRR options use in getopt_long tables. */
enum {
	CLI_OPT_MAXPHYADDR = 0x1000,
	CLI_OPT_VCNT,
	CLI_OPT_NO_FIXED,
	CLI_OPT_NO_WC,
	CLI_OPT_MSR,
};

/* getopt_long entries for the shared options (splice into a table). */
#define CLI_MTRR_LONG_OPTIONS                                                  \
	{"maxphyaddr", required_argument, NULL, CLI_OPT_MAXPHYADDR},           \
	    {"vcnt", required_argument, NULL, CLI_OPT_VCNT},                   \
	    {"no-fixed", no_argument, NULL, CLI_OPT_NO_FIXED},                 \
	    {"no-wc", no_argument, NULL, CLI_OPT_NO_WC},                       \
	{                                                                      \
		"msr", required_argument, NULL, CLI_OPT_MSR                    \
	}

/* Defaults: MAXPHYADDR 36 (the SDM's value when CPUID leaf 80000008H is
 * absent), 8 variable pairs, fixed ranges and WC supported (as KVM and Xen
 * expose to guests). */
void cli_mtrr_opts_init(struct cli_mtrr_opts *o);

/**
 * cli_mtrr_opt() - consume one shared option.  Returns 1 if @code was one of
 * them and was valid, 0 if @code is not a shared option, or exits status 2
 * through cli_usage_error's return (as -2) when its argument is malformed.
 */
int cli_mtrr_opt(const char *cmd, struct cli_mtrr_opts *o, int code,
                 const char *arg);

struct p2mk_mtrr_state;
struct p2mk_gp;
/**
 * cli_mtrr_build() - initialise @s from @o and apply the MSR writes in
 * order.  Returns -1 on success, or the index of the first write that
 * raised #GP (with *@gp filled).  Returns -2 if the configuration itself is
 * invalid.
 */
int cli_mtrr_build(const struct cli_mtrr_opts *o, struct p2mk_mtrr_state *s,
                   struct p2mk_gp *gp);

/** cli_mtrr_json() - the guest-visible MTRR/PAT registers of @s as JSON. */
json_t *cli_mtrr_json(const struct p2mk_mtrr_state *s);

/* Subcommand entry points, one file each (cmd_<name>.c). */
int cmd_mtrr(int argc, char **argv);
/* `mtrr plan` (a form) reached through cmd_mtrr (cmd_mtrr_plan.c). */
int cmd_mtrr_plan(int argc, char **argv);
int cmd_msr(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_host(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* ARM64 forms, dispatched from cmd_combine / cmd_explain (own files). */
int cmd_explain_arm64(int argc, char **argv);

/*
 * ARM64 helpers shared by the combine and explain forms (defined in
 * cmd_combine_arm64.c): option parsing, the canonical one-line result,
 * JSON and plain-language consequences.
 */

/*
 * Stage options shared by `combine arm64` and `explain --arch arm64`:
 * --s1 --s2 --fwb --sh1 --sh2 --hcr-cd --hcr-id --hcr-dc --hcr-dct
 * --s1-off --ifetch --sctlr-i --features, parsed into one structure.
 */
struct cli_a64_opts {
	unsigned s1, s2, sh1, sh2;
	bool have_s1, have_s2;
	struct p2mk_a64_ctl ctl;
};

enum {
	CLI_A64_S1 = 0x1100,
	CLI_A64_S2,
	CLI_A64_FWB,
	CLI_A64_SH1,
	CLI_A64_SH2,
	CLI_A64_HCR_CD,
	CLI_A64_HCR_ID,
	CLI_A64_HCR_DC,
	CLI_A64_HCR_DCT,
	CLI_A64_S1_OFF,
	CLI_A64_IFETCH,
	CLI_A64_SCTLR_I,
	CLI_A64_FEATURES,
};

/* getopt_long entries for the shared stage options. */
#define CLI_A64_LONG_OPTIONS                                                   \
	{"s1", required_argument, NULL, CLI_A64_S1},                           \
	    {"s2", required_argument, NULL, CLI_A64_S2},                       \
	    {"fwb", no_argument, NULL, CLI_A64_FWB},                           \
	    {"sh1", required_argument, NULL, CLI_A64_SH1},                     \
	    {"sh2", required_argument, NULL, CLI_A64_SH2},                     \
	    {"hcr-cd", no_argument, NULL, CLI_A64_HCR_CD},                     \
	    {"hcr-id", no_argument, NULL, CLI_A64_HCR_ID},                     \
	    {"hcr-dc", no_argument, NULL, CLI_A64_HCR_DC},                     \
	    {"hcr-dct", no_argument, NULL, CLI_A64_HCR_DCT},                   \
	    {"s1-off", no_argument, NULL, CLI_A64_S1_OFF},                     \
	    {"ifetch", no_argument, NULL, CLI_A64_IFETCH},                     \
	    {"sctlr-i", no_argument, NULL, CLI_A64_SCTLR_I},                   \
	{                                                                      \
		"features", required_argument, NULL, CLI_A64_FEATURES          \
	}

/*
 * The stage options on the option layer: one table, used by `combine
 * arm64` and `explain --arch arm64` (cmd_combine_arm64.c).
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
/** a64_text_line() - the one-line rendering of an arm64 result record. */
void a64_text_line(struct rep_out *out, const json_t *rec);
/** a64_stage_input_json() - the stage options as the record's "input". */
json_t *a64_stage_input_json(const struct cli_a64_stage *st);

/* Defaults: Inner Shareable on both stages, FEAT_XS and FEAT_MTE2 present. */
void cli_a64_opts_init(struct cli_a64_opts *o);

/**
 * cli_a64_opt() - consume one shared stage option.  Returns 1 if @code was
 * one of them and its argument was valid, 0 if @code is not a shared
 * option, -2 after reporting a malformed argument.
 */
int cli_a64_opt(const char *cmd, struct cli_a64_opts *o, int code,
                const char *arg);

int a64_cli_parse_sh(const char *cmd, const char *opt, const char *arg,
                     unsigned *out);
int a64_cli_parse_features(const char *cmd, const char *arg, unsigned *out);
int a64_cli_parse_u8(const char *cmd, const char *opt, const char *arg,
                     unsigned max, unsigned *out);
void a64_cli_hints(const struct p2mk_a64_attr *a, char *buf, size_t len);
void a64_cli_print_line(const struct p2mk_a64_result *r);
json_t *a64_cli_attr_json(const struct p2mk_a64_attr *a);
json_t *a64_cli_result_json(const struct p2mk_a64_result *r);
size_t a64_cli_consequences(const struct p2mk_a64_result *r, const char *out[],
                            size_t max);
/* explain --policy NAME: one hypervisor policy's decision (own file). */
int cmd_explain_policy(int argc, char **argv);

#endif /* P2MKIT_CLI_H */
