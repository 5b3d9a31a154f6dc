// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit explain --arch arm64: walk one access through stage 1 (MAIR_EL1 +
 * AttrIndx), stage 2 (MemAttr, FWB) and their combination, one block per
 * layer with its input, result and deciding rule, then the effective type
 * and what it means for software (spec: arm64-memory-attributes.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <p2mkit/memtype.h>

#include "cli.h"

static const char explain_arm64_usage[] =
    "usage: p2mkit explain --arch arm64 (--mair 0xVAL --attrindx N | "
    "--s1 0xNN | --s1-off)\n"
    "                      --s2 0xN [--fwb] [--sh1 SH] [--sh2 SH] "
    "[--hcr-cd] [--hcr-id]\n"
    "                      [--hcr-dc] [--hcr-dct] [--ifetch] [--sctlr-i] "
    "[--features LIST]\n"
    "                      [--json]\n"
    "\n"
    "Walks one guest access: stage 1 (MAIR_EL1 attribute selected by the "
    "descriptor's\n"
    "AttrIndx), stage 2 (descriptor MemAttr[3:0], HCR_EL2.FWB) and their "
    "combination,\n"
    "then prints the effective type and its consequences (alignment "
    "faults, memcpy,\n"
    "write-combining).  Options as for `p2mkit combine arm64 --help`; "
    "SH defaults to ISH,\n"
    "features to xs,mte2.\n"
    "Exit status: 0 ok, 1 UNPREDICTABLE/reserved result, 2 bad usage.\n";

enum {
	OPT_ARCH = 0x100,
	OPT_MAIR,
	OPT_ATTRINDX,
	OPT_JSON,
};

struct explain_arm64_args {
	uint64_t mair;
	unsigned attrindx;
	bool have_mair, have_attrindx, json;
	struct cli_a64_opts st; /* --s1, --s2, --fwb, ... (cli.h) */
};

static int parse_option(int c, const char *arg, struct explain_arm64_args *a)
{
	static const char cmd[] = "explain --arch arm64";
	switch (c) {
	case OPT_ARCH:
		/* cmd_explain dispatched here because of it. */
		if (strcmp(arg, "arm64") != 0)
			return cli_usage_error(cmd,
			                       "--arch must be arm64 here");
		return 0;
	case OPT_MAIR:
		a->have_mair = true;
		if (!cli_parse_u64(arg, &a->mair))
			return cli_usage_error(cmd,
			                       "--mair wants a 64-bit "
			                       "MAIR_EL1 value, got '%s'",
			                       arg);
		return 0;
	case OPT_ATTRINDX:
		a->have_attrindx = true;
		return a64_cli_parse_u8(cmd, "--attrindx", arg, 7,
		                        &a->attrindx);
	case OPT_JSON:
		a->json = true;
		return 0;
	default:
		return cli_usage_error(cmd, "bad or incomplete option (see "
		                            "--help)");
	}
}

/* -1: help printed; 0: parsed; 2: usage error (already reported). */
static int parse_args(int argc, char **argv, struct explain_arm64_args *a)
{
	static const char cmd[] = "explain --arch arm64";
	static const struct option longopts[] = {
	    {"arch", required_argument, NULL, OPT_ARCH},
	    {"mair", required_argument, NULL, OPT_MAIR},
	    {"attrindx", required_argument, NULL, OPT_ATTRINDX},
	    CLI_A64_LONG_OPTIONS,
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof(*a));
	cli_a64_opts_init(&a->st);

	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(explain_arm64_usage, stdout);
			return -1;
		}
		int shared = cli_a64_opt(cmd, &a->st, c, optarg);
		if (shared < 0)
			return CLI_EXIT_USAGE;
		if (shared == 0 && parse_option(c, optarg, a))
			return CLI_EXIT_USAGE;
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
		                       argv[optind]);
	if (!a->st.have_s2)
		return cli_usage_error(cmd, "--s2 is required (see --help)");
	if (a->st.have_s1 && (a->have_mair || a->have_attrindx))
		return cli_usage_error(cmd, "give either --s1 or --mair with "
		                            "--attrindx, not both");
	if (a->have_mair != a->have_attrindx)
		return cli_usage_error(cmd,
		                       "--mair and --attrindx go together");
	if (!a->st.have_s1 && !a->have_mair && !a->st.ctl.s1_off &&
	    !a->st.ctl.dc)
		return cli_usage_error(cmd, "stage 1 needs --mair and "
		                            "--attrindx, --s1, --s1-off or "
		                            "--hcr-dc");
	if (a->have_mair)
		a->st.s1 = p2mk_a64_mair_attr(a->mair, a->attrindx);
	return 0;
}

static const char *s2_meaning(const struct p2mk_a64_s2 *s2)
{
	switch (s2->op) {
	case P2MK_A64_S2_FWB_DEVICE:
		return "forces";
	case P2MK_A64_S2_FWB_NC:
		return "forces (unless S1 is Device)";
	case P2MK_A64_S2_FWB_FORCE_WB:
		return "forces";
	default:
		return "";
	}
}

static void print_attr_result(const struct p2mk_a64_attr *a, const char *prefix)
{
	char hints[32];
	a64_cli_hints(a, hints, sizeof(hints));
	if (a->status != P2MK_A64_OK)
		printf("   -> %s%s\n", prefix, p2mk_a64_type_name(a));
	else
		printf("   -> %s%s hints=%s%s%s%s%s\n", prefix,
		       p2mk_a64_type_name(a), hints, a->tagged ? " tagged" : "",
		       a->notagaccess ? " notagaccess" : "",
		       a->xs0 ? " xs=0" : "", a->verified ? "" : " unverified");
	printf("      [%s]\n", a->rule);
}

static void print_text(const struct explain_arm64_args *a,
                       const struct p2mk_a64_result *r)
{
	const struct p2mk_a64_ctl *c = &a->st.ctl;
	printf("ARM64 guest %s, EL1&0 regime\n\n",
	       c->ifetch ? "instruction fetch" : "data access");

	printf("1. Stage 1 (guest)\n");
	if (c->dc) {
		printf("     HCR_EL2.DC = 1: the guest's stage 1 is treated as "
		       "off\n");
	} else if (c->s1_off) {
		printf("     SCTLR_EL1.M = 0: stage 1 off%s\n",
		       c->ifetch ? (c->sctlr_i ? ", SCTLR_EL1.I = 1"
		                               : ", SCTLR_EL1.I = 0")
		                 : "");
	} else {
		if (a->have_mair)
			printf("     MAIR_EL1 = 0x%016llx, AttrIndx = %u -> "
			       "Attr%u = 0x%02x\n",
			       (unsigned long long)a->mair, a->attrindx,
			       a->attrindx, a->st.s1);
		else
			printf("     attribute byte = 0x%02x\n", a->st.s1);
		printf("     SH = %s (0b%u%u)\n", p2mk_a64_sh_name(a->st.sh1),
		       (a->st.sh1 >> 1) & 1u, a->st.sh1 & 1u);
	}
	print_attr_result(&r->s1, "");
	printf("\n");

	printf("2. Stage 2 (hypervisor)\n");
	printf("     MemAttr = 0x%x (0b%u%u%u%u), HCR_EL2.FWB = %d, SH = %s\n",
	       a->st.s2, (a->st.s2 >> 3) & 1u, (a->st.s2 >> 2) & 1u,
	       (a->st.s2 >> 1) & 1u, a->st.s2 & 1u, c->fwb ? 1 : 0,
	       p2mk_a64_sh_name(a->st.sh2));
	if (r->s2.op == P2MK_A64_S2_FWB_USE_S1 &&
	    r->s2.attr.status == P2MK_A64_OK) {
		printf("   -> pass-through: stage-1 attributes unchanged\n");
		printf("      [%s]\n", r->s2.attr.rule);
	} else {
		char prefix[40];
		const char *m = s2_meaning(&r->s2);
		snprintf(prefix, sizeof(prefix), "%s%s", m, *m ? " " : "");
		print_attr_result(&r->s2.attr, prefix);
	}
	printf("\n");

	printf("3. Combination (HCR_EL2: FWB=%d CD=%d ID=%d DC=%d)\n",
	       c->fwb ? 1 : 0, c->cd ? 1 : 0, c->id ? 1 : 0, c->dc ? 1 : 0);
	print_attr_result(&r->attr, "");
	if (r->attr.status == P2MK_A64_OK || r->attr.kind != P2MK_A64_NONE)
		printf("   -> shareability %s%s\n      [%s]\n",
		       p2mk_a64_sh_name(r->sh), r->sh_forced ? " (forced)" : "",
		       r->sh_rule);
	printf("\n");

	printf("Effective: ");
	a64_cli_print_line(r);
	const char *lines[24];
	size_t n = a64_cli_consequences(r, lines, 24);
	if (n)
		printf("Consequences:\n");
	for (size_t i = 0; i < n; i++)
		printf("  - %s\n", lines[i]);
}

int cmd_explain_arm64(int argc, char **argv)
{
	struct explain_arm64_args a;
	int rc = parse_args(argc, argv, &a);
	if (rc < 0)
		return CLI_EXIT_OK;
	if (rc)
		return rc;

	struct p2mk_a64_result r = p2mk_a64_combine(
	    (uint8_t)a.st.s1, a.st.sh1, a.st.s2, a.st.sh2, &a.st.ctl);
	if (a.json) {
		json_t *j = json_object();
		json_t *in = json_object();
		char buf[24];
		if (a.have_mair) {
			snprintf(buf, sizeof(buf), "0x%016llx",
			         (unsigned long long)a.mair);
			json_object_set_new(in, "mair", json_string(buf));
			json_object_set_new(in, "attrindx",
			                    json_integer(a.attrindx));
		}
		snprintf(buf, sizeof(buf), "0x%02x", a.st.s1);
		json_object_set_new(in, "s1", json_string(buf));
		snprintf(buf, sizeof(buf), "0x%x", a.st.s2);
		json_object_set_new(in, "s2", json_string(buf));
		json_object_set_new(in, "fwb", json_boolean(a.st.ctl.fwb));
		json_object_set_new(in, "hcr_cd", json_boolean(a.st.ctl.cd));
		json_object_set_new(in, "hcr_dc", json_boolean(a.st.ctl.dc));
		json_object_set_new(in, "s1_off",
		                    json_boolean(a.st.ctl.s1_off));
		json_object_set_new(j, "input", in);
		json_object_set_new(j, "result", a64_cli_result_json(&r));
		json_t *cons = json_array();
		const char *lines[24];
		size_t n = a64_cli_consequences(&r, lines, 24);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(cons, json_string(lines[i]));
		json_object_set_new(j, "consequences", cons);
		cli_print_json(j);
	} else {
		print_text(&a, &r);
	}
	return r.attr.status == P2MK_A64_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
