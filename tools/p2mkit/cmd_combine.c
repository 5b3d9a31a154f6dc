// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit combine: one combination rule at a time.
 *
 *   combine intel --mtrr T --pat T          SDM PAT x MTRR
 *   combine amd   --mtrr T --pat T          APM PAT x MTRR (data table)
 *   combine ept   --emt T --pat T [--ipat] [--cd]
 *   combine npt   --gpat T --hpat T --mtrr T
 *   combine arm64 ...                       (cmd_combine_arm64.c)
 *
 * The first word printed is the effective type, so scripts can use
 * `awk '{print $1}'`.
 */
#include <stddef.h>

#include <p2mkit/memtype.h>

#include "cli.h"

struct combine_args {
	unsigned mtrr, pat, emt, gpat, hpat;
	bool ipat, cd;
};

#define ARG(field) offsetof(struct combine_args, field)

static const char types_about[] =
    "T is a name or its encoding; CD and WC+ are results, never inputs.\n"
    "Output: the effective type first, then its class and the rule that\n"
    "decided it.\n";

/* The result record: the same fields for every x86 form. */
static int record(struct cli_ctx *c, const struct p2mk_mt_result *r)
{
	bool misconfig = r->status == P2MK_MT_EPT_MISCONFIG;
	json_t *o = json_object();
	json_object_set_new(o, "form", json_string(c->form->word));
	if (misconfig) {
		json_object_set_new(o, "type", json_null());
		json_object_set_new(o, "ept_misconfig", json_true());
	} else {
		json_object_set_new(o, "type",
		                    json_string(p2mk_mt_name(r->type)));
		json_object_set_new(
		    o, "class",
		    json_string(p2mk_cache_class_name(p2mk_mt_class(r->type))));
		json_object_set_new(o, "must_snoop",
		                    json_boolean(r->must_snoop));
	}
	json_object_set_new(o, "verified", json_boolean(r->verified));
	json_object_set_new(o, "rule", json_string(r->rule));
	cli_record(c, o);
	return misconfig ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static void text(struct rep_out *out, const json_t *rec)
{
	if (rep_bool(rec, "ept_misconfig")) {
		rep_printf(out,
		           "EPT-misconfig  the walk faults (exit reason 49)  "
		           "[%s]\n",
		           rep_str(rec, "rule"));
		return;
	}
	rep_printf(out, "%s  %s%s%s  [%s]\n", rep_str(rec, "type"),
	           rep_str(rec, "class"),
	           rep_bool(rec, "must_snoop") ? ", caches snooped" : "",
	           rep_bool(rec, "verified") ? "" : ", UNVERIFIED table cell",
	           rep_str(rec, "rule"));
}

/* ---- intel and amd: PAT x MTRR ---------------------------------------- */

static const struct cli_opt pat_mtrr_opts[] = {
    {.name = "mtrr",
     .type = CLI_MEMTYPE,
     .off = ARG(mtrr),
     .flags = CLI_REQUIRED,
     .metavar = "T",
     .sub = CLI_MT_MTRR,
     .help = "the MTRR type of the address"},
    {.name = "pat",
     .type = CLI_MEMTYPE,
     .off = ARG(pat),
     .flags = CLI_REQUIRED,
     .metavar = "T",
     .sub = CLI_MT_PAT,
     .help = "the PAT type the page-table entry selects"},
};
static const struct cli_group pat_mtrr_groups[] = {CLI_GROUP(pat_mtrr_opts, 0),
                                                   {NULL, 0, 0}};

static int run_intel(struct cli_ctx *c, void *args)
{
	const struct combine_args *a = args;
	struct p2mk_mt_result r = p2mk_intel_pat_mtrr(a->mtrr, a->pat);
	return record(c, &r);
}

static int run_amd(struct cli_ctx *c, void *args)
{
	const struct combine_args *a = args;
	struct p2mk_mt_result r = p2mk_amd_pat_mtrr(a->mtrr, a->pat);
	return record(c, &r);
}

const struct cli_form cli_form_combine_intel = {
    .command = "combine",
    .word = "intel",
    .summary = "Intel PAT x MTRR (SDM vol. 3 Table 11-7)",
    .about = types_about,
    .exits = "0 ok, 2 bad usage or input.",
    .groups = pat_mtrr_groups,
    .args_size = sizeof(struct combine_args),
    .run = run_intel,
    .text = text,
};

const struct cli_form cli_form_combine_amd = {
    .command = "combine",
    .word = "amd",
    .summary = "AMD PAT x MTRR (APM vol. 2 §7.8; UNVERIFIED cells flagged)",
    .about = types_about,
    .exits = "0 ok, 2 bad usage or input.",
    .groups = pat_mtrr_groups,
    .args_size = sizeof(struct combine_args),
    .run = run_amd,
    .text = text,
};

/* ---- ept: leaf EMT/IPAT x guest PAT ----------------------------------- */

static const struct cli_opt ept_opts[] = {
    {.name = "emt",
     .type = CLI_MEMTYPE,
     .off = ARG(emt),
     .flags = CLI_REQUIRED,
     .metavar = "T",
     .sub = CLI_MT_ANY,
     .help = "the EPT leaf's EMT field (2, 3 and 7 misconfigure)"},
    {.name = "pat",
     .type = CLI_MEMTYPE,
     .off = ARG(pat),
     .flags = CLI_REQUIRED,
     .metavar = "T",
     .sub = CLI_MT_PAT,
     .help = "the guest PAT type of the access"},
    {.name = "ipat",
     .type = CLI_FLAG,
     .off = ARG(ipat),
     .help = "the leaf's ignore-PAT bit is set"},
    {.name = "cd",
     .type = CLI_FLAG,
     .off = ARG(cd),
     .help = "the guest runs with CR0.CD = 1"},
};
static const struct cli_group ept_groups[] = {CLI_GROUP(ept_opts, 0),
                                              {NULL, 0, 0}};

static int run_ept(struct cli_ctx *c, void *args)
{
	const struct combine_args *a = args;
	struct p2mk_mt_result r =
	    p2mk_ept_effective(a->emt, a->ipat, a->pat, a->cd);
	return record(c, &r);
}

const struct cli_form cli_form_combine_ept = {
    .command = "combine",
    .word = "ept",
    .summary = "EPT leaf EMT/IPAT x guest PAT (SDM 29.3.7)",
    .about = types_about,
    .exits = "0 ok, 1 EPT misconfiguration, 2 bad usage or input.",
    .groups = ept_groups,
    .args_size = sizeof(struct combine_args),
    .run = run_ept,
    .text = text,
};

/* ---- npt: guest PAT x host PAT x host MTRR ---------------------------- */

static const struct cli_opt npt_opts[] = {
    {.name = "gpat",
     .type = CLI_MEMTYPE,
     .off = ARG(gpat),
     .flags = CLI_REQUIRED,
     .metavar = "T",
     .sub = CLI_MT_PAT,
     .help = "the guest PAT type of the access"},
    {.name = "hpat",
     .type = CLI_MEMTYPE,
     .off = ARG(hpat),
     .flags = CLI_REQUIRED,
     .metavar = "T",
     .sub = CLI_MT_PAT,
     .help = "the host PAT type the nested PTE selects"},
    {.name = "mtrr",
     .type = CLI_MEMTYPE,
     .off = ARG(mtrr),
     .flags = CLI_REQUIRED,
     .metavar = "T",
     .sub = CLI_MT_MTRR,
     .help = "the host MTRR type of the system-physical address"},
};
static const struct cli_group npt_groups[] = {CLI_GROUP(npt_opts, 0),
                                              {NULL, 0, 0}};

static int run_npt(struct cli_ctx *c, void *args)
{
	const struct combine_args *a = args;
	struct p2mk_mt_result r = p2mk_npt_effective(a->gpat, a->hpat, a->mtrr);
	return record(c, &r);
}

const struct cli_form cli_form_combine_npt = {
    .command = "combine",
    .word = "npt",
    .summary = "AMD nested paging: guest PAT x host PAT x host MTRR",
    .about = types_about,
    .exits = "0 ok, 2 bad usage or input.",
    .groups = npt_groups,
    .args_size = sizeof(struct combine_args),
    .run = run_npt,
    .text = text,
};
