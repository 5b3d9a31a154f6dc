// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit explain --arch arm64: walk one access through stage 1 (MAIR_EL1 +
 * AttrIndx), stage 2 (MemAttr, FWB) and their combination, one block per
 * layer with its input, result and deciding rule, then the effective type
 * and what it means for software (spec: arm64-memory-attributes.md).
 */
#include <stddef.h>
#include <string.h>

#include <p2mkit/memtype.h>

#include "cli.h"

struct explain_arm64_args {
	struct cli_a64_stage st; /* --s1, --s2, --fwb, ... (cli.h) */
	uint64_t mair;
	unsigned attrindx, arch;
};

#define ARG(field) offsetof(struct explain_arm64_args, field)

static const struct cli_opt arm64_opts[] = {
    {.name = "arch",
     .type = CLI_CHOICE,
     .off = ARG(arch),
     .metavar = "ARCH",
     .choices = cli_arch_names,
     .help = "arm64 selects this form"},
    {.name = "mair",
     .type = CLI_HEX,
     .off = ARG(mair),
     .metavar = "0xVAL",
     .help = "the guest's MAIR_EL1 (with --attrindx)"},
    {.name = "attrindx",
     .type = CLI_DEC,
     .off = ARG(attrindx),
     .max = 7,
     .metavar = "N",
     .help = "the stage-1 descriptor's AttrIndx, 0-7"},
};
static const struct cli_group arm64_groups[] = {
    CLI_GROUP(arm64_opts, 0),
    CLI_GROUP(cli_a64_stage_opts, ARG(st)),
    {NULL, 0, 0}};

static void arm64_init(void *args)
{
	struct explain_arm64_args *a = args;
	memset(a, 0, sizeof(*a));
	cli_a64_stage_init(&a->st);
}

static int arm64_check(struct cli_ctx *c, void *args)
{
	struct explain_arm64_args *a = args;
	bool s1 = cli_given(c, "s1"), mair = cli_given(c, "mair"),
	     idx = cli_given(c, "attrindx");
	if (s1 && (mair || idx))
		return cli_fail(c, CLI_EXIT_USAGE,
		                "give either --s1 or --mair with --attrindx, "
		                "not both");
	if (mair != idx)
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--mair and --attrindx go together");
	if (!s1 && !mair && !a->st.ctl.s1_off && !a->st.ctl.dc)
		return cli_fail(c, CLI_EXIT_USAGE,
		                "stage 1 needs --mair and --attrindx, --s1, "
		                "--s1-off or --hcr-dc");
	if (mair)
		a->st.s1 = p2mk_a64_mair_attr(a->mair, a->attrindx);
	return 0;
}

static int arm64_run(struct cli_ctx *c, void *args)
{
	const struct explain_arm64_args *a = args;
	const struct cli_a64_stage *st = &a->st;
	struct p2mk_a64_result r = p2mk_a64_combine(
	    (uint8_t)st->s1, st->sh1, (unsigned)st->s2, st->sh2, &st->ctl);
	json_t *in = a64_stage_input_json(st);
	json_object_set_new(in, "sctlr_i", json_boolean(st->ctl.sctlr_i));
	if (cli_given(c, "mair")) {
		json_object_set_new(
		    in, "mair",
		    json_sprintf("0x%016llx", (unsigned long long)a->mair));
		json_object_set_new(in, "attrindx", json_integer(a->attrindx));
	}
	json_t *cons = json_array();
	const char *lines[24];
	size_t n = a64_cli_consequences(&r, lines, 24);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(cons, json_string(lines[i]));
	cli_record(c, json_pack("{s:o, s:o, s:o}", "input", in, "result",
	                        a64_cli_result_json(&r), "consequences", cons));
	return r.attr.status == P2MK_A64_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* ---- text, from the record -------------------------------------------- */

static void attr_result(struct rep_out *out, const json_t *a,
                        const char *prefix)
{
	if (strcmp(rep_str(a, "status"), "ok") != 0)
		rep_printf(out, "   -> %s%s\n", prefix, rep_str(a, "type"));
	else
		rep_printf(out, "   -> %s%s hints=%s%s%s%s%s\n", prefix,
		           rep_str(a, "type"), rep_str(a, "hints"),
		           rep_bool(a, "tagged") ? " tagged" : "",
		           rep_bool(a, "notagaccess") ? " notagaccess" : "",
		           rep_bool(a, "xs0") ? " xs=0" : "",
		           rep_bool(a, "verified") ? "" : " unverified");
	rep_printf(out, "      [%s]\n", rep_str(a, "rule"));
}

static void text_stage1(struct rep_out *out, const json_t *in,
                        const json_t *res)
{
	rep_printf(out, "1. Stage 1 (guest)\n");
	if (rep_bool(in, "hcr_dc")) {
		rep_printf(out, "     HCR_EL2.DC = 1: the guest's stage 1 is "
		                "treated as off\n");
	} else if (rep_bool(in, "s1_off")) {
		rep_printf(out, "     SCTLR_EL1.M = 0: stage 1 off%s\n",
		           !rep_bool(in, "ifetch")   ? ""
		           : rep_bool(in, "sctlr_i") ? ", SCTLR_EL1.I = 1"
		                                     : ", SCTLR_EL1.I = 0");
	} else {
		if (rep_has(in, "mair"))
			rep_printf(out,
			           "     MAIR_EL1 = %s, AttrIndx = %lld -> "
			           "Attr%lld = %s\n",
			           rep_str(in, "mair"), rep_int(in, "attrindx"),
			           rep_int(in, "attrindx"), rep_str(in, "s1"));
		else
			rep_printf(out, "     attribute byte = %s\n",
			           rep_str(in, "s1"));
		rep_printf(out, "     SH = %s\n", rep_str(in, "sh1"));
	}
	attr_result(out, rep_get(res, "stage1"), "");
	rep_printf(out, "\n");
}

static const char *s2_meaning(const char *op)
{
	if (strcmp(op, "fwb-nc-unless-s1-device") == 0)
		return "forces (unless S1 is Device) ";
	if (strncmp(op, "fwb-force", 9) == 0)
		return "forces ";
	return "";
}

static void text_stage2(struct rep_out *out, const json_t *in,
                        const json_t *res)
{
	const json_t *s2 = rep_get(res, "stage2");
	unsigned m = (unsigned)rep_u64(in, "s2");
	rep_printf(out, "2. Stage 2 (hypervisor)\n");
	rep_printf(
	    out, "     MemAttr = %s (0b%u%u%u%u), HCR_EL2.FWB = %d, SH = %s\n",
	    rep_str(in, "s2"), (m >> 3) & 1u, (m >> 2) & 1u, (m >> 1) & 1u,
	    m & 1u, rep_bool(in, "fwb"), rep_str(in, "sh2"));
	if (strcmp(rep_str(s2, "op"), "fwb-use-s1") == 0 &&
	    strcmp(rep_str(s2, "status"), "ok") == 0) {
		rep_printf(out, "   -> pass-through: stage-1 attributes "
		                "unchanged\n");
		rep_printf(out, "      [%s]\n", rep_str(s2, "rule"));
	} else {
		attr_result(out, s2, s2_meaning(rep_str(s2, "op")));
	}
	rep_printf(out, "\n");
}

static void arm64_text(struct rep_out *out, const json_t *rec)
{
	const json_t *in = rep_get(rec, "input"), *res = rep_get(rec, "result");
	rep_printf(out, "ARM64 guest %s, EL1&0 regime\n\n",
	           rep_bool(in, "ifetch") ? "instruction fetch"
	                                  : "data access");
	text_stage1(out, in, res);
	text_stage2(out, in, res);
	rep_printf(out, "3. Combination (HCR_EL2: FWB=%d CD=%d ID=%d DC=%d)\n",
	           rep_bool(in, "fwb"), rep_bool(in, "hcr_cd"),
	           rep_bool(in, "hcr_id"), rep_bool(in, "hcr_dc"));
	attr_result(out, res, "");
	if (strcmp(rep_str(res, "status"), "ok") == 0 || rep_has(res, "kind"))
		rep_printf(out, "   -> shareability %s%s\n      [%s]\n",
		           rep_str(res, "shareability"),
		           rep_bool(res, "shareability_forced") ? " (forced)"
		                                                : "",
		           rep_str(res, "shareability_rule"));
	rep_printf(out, "\nEffective: ");
	a64_text_line(out, res);
	const json_t *cons = rep_get(rec, "consequences");
	if (json_array_size(cons) > 0)
		rep_printf(out, "Consequences:\n");
	size_t i;
	const json_t *l;
	json_array_foreach(cons, i, l)
	{
		rep_printf(out, "  - %s\n", json_string_value(l));
	}
}

const struct cli_form cli_form_explain_arm64 = {
    .command = "explain",
    .select = "arch=arm64",
    .summary = "an ARM64 access: stage 1 (MAIR), stage 2 (MemAttr, FWB), "
               "combined",
    .about = "Walks one guest access: stage 1 (MAIR_EL1 attribute selected "
             "by the descriptor's\n"
             "AttrIndx), stage 2 (descriptor MemAttr[3:0], HCR_EL2.FWB) "
             "and their combination,\n"
             "then prints the effective type and its consequences "
             "(alignment faults, memcpy,\n"
             "write-combining).\n",
    .exits = "0 ok, 1 UNPREDICTABLE/reserved result, 2 bad usage.",
    .groups = arm64_groups,
    .args_size = sizeof(struct explain_arm64_args),
    .init = arm64_init,
    .check = arm64_check,
    .run = arm64_run,
    .text = arm64_text,
};
