// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit msr check: would these WRMSRs #GP?  Each write is applied to the
 * state left by the previous ones, as on a real vCPU.
 */
#include <stddef.h>

#include <p2mkit/mtrr.h>

#include "cli.h"

static const struct cli_group check_groups[] = {
    CLI_GROUP(cli_mtrr_state_opts, 0), {NULL, 0, 0}};

static void check_init(void *args)
{
	cli_mtrr_state_init(args);
}

static int check_check(struct cli_ctx *c, void *args)
{
	(void)args;
	if (!cli_given(c, "msr"))
		return cli_fail(c, CLI_EXIT_USAGE,
		                "needs at least one --msr 0xIDX=0xVAL");
	return 0;
}

static json_t *verdict(const char *text, bool ok, const struct p2mk_gp *gp)
{
	json_t *o = json_object();
	json_object_set_new(o, "write", json_string(text));
	json_object_set_new(o, "ok", json_boolean(ok));
	if (!ok) {
		json_object_set_new(o, "reason", json_string(gp->reason));
		json_object_set_new(o, "bad_bits", rep_hex(gp->bad_bits));
	}
	return o;
}

static int check_run(struct cli_ctx *c, void *args)
{
	const struct cli_mtrr_state *ms = args;
	/* Build the configured reset state, then apply writes one by one. */
	struct cli_mtrr_state base = *ms;
	base.msrs.n = 0;
	struct p2mk_mtrr_state s;
	struct p2mk_gp gp;
	if (cli_mtrr_state_build(&base, &s, &gp) == -2)
		return cli_fail(c, CLI_EXIT_USAGE, "invalid CPU configuration");
	json_t *writes = json_array();
	for (unsigned i = 0; i < ms->msrs.n; i++) {
		bool ok = p2mk_mtrr_wrmsr(&s, ms->msrs.msr[i],
		                          ms->msrs.value[i], &gp) == P2MK_OK;
		json_array_append_new(writes,
		                      verdict(ms->msrs.text[i], ok, &gp));
	}
	cli_record(c, json_pack("{s:o}", "writes", writes));
	return CLI_EXIT_OK;
}

static void check_text(struct rep_out *out, const json_t *rec)
{
	size_t i;
	const json_t *w;
	json_array_foreach(rep_get(rec, "writes"), i, w)
	{
		if (rep_bool(w, "ok"))
			rep_printf(out, "ok  %s\n", rep_str(w, "write"));
		else if (rep_u64(w, "bad_bits") != 0)
			rep_printf(out, "gp: %s  [%s, offending bits %s]\n",
			           rep_str(w, "reason"), rep_str(w, "write"),
			           rep_str(w, "bad_bits"));
		else
			rep_printf(out, "gp: %s  [%s]\n", rep_str(w, "reason"),
			           rep_str(w, "write"));
	}
}

const struct cli_form cli_form_msr_check = {
    .command = "msr",
    .word = "check",
    .summary = "whether each WRMSR (MTRRs, PAT) would #GP, in order",
    .about = "For each write, in order, prints 'ok' or 'gp: <reason>' (the "
             "reason cites the\n"
             "rule). A write that faults leaves the state unchanged, as on "
             "the CPU.\n"
             "Covers MTRRcap (0xfe), MTRRdefType (0x2ff), the fixed-range "
             "MTRRs, PHYSBASE/\n"
             "PHYSMASK pairs (0x200-0x24f) and IA32_PAT (0x277).\n",
    .exits = "0 whatever the verdicts, 2 bad usage.",
    .groups = check_groups,
    .args_size = sizeof(struct cli_mtrr_state),
    .init = check_init,
    .check = check_check,
    .run = check_run,
    .text = check_text,
};
