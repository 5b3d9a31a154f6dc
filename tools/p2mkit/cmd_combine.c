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
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <p2mkit/memtype.h>

#include "cli.h"

static const char combine_usage[] =
    "usage: p2mkit combine FORM [OPTIONS] [--json]\n"
    "\n"
    "forms:\n"
    "  intel --mtrr T --pat T             Intel PAT x MTRR (SDM vol. 3 "
    "Table 11-7)\n"
    "  amd   --mtrr T --pat T             AMD PAT x MTRR (APM vol. 2 "
    "§7.8)\n"
    "  ept   --emt T --pat T [--ipat] [--cd]\n"
    "                                     EPT leaf EMT/IPAT x guest PAT "
    "(SDM 29.3.7)\n"
    "  npt   --gpat T --hpat T --mtrr T   AMD nested paging: guest PAT x "
    "host PAT x host MTRR\n"
    "  arm64 --s1 0xNN --s2 0xN [--fwb]   ARM64 stage 1 x stage 2 "
    "(p2mkit combine arm64 --help)\n"
    "\n"
    "T is one of UC UC- WC WT WP WB or a numeric encoding (0-7).\n"
    "Output: the effective type first, then its class and the rule that "
    "decided it.\n"
    "Exit status: 0 ok, 1 EPT misconfiguration, 2 bad usage or input.\n";

enum {
	OPT_MTRR = 1,
	OPT_PAT,
	OPT_EMT,
	OPT_IPAT,
	OPT_CD,
	OPT_GPAT,
	OPT_HPAT,
	OPT_JSON,
	OPT_HELP
};

struct combine_args {
	const char *form;
	int mtrr, pat, emt, gpat, hpat; /* -1: not given */
	bool ipat, cd, json;
};

static int parse_type_arg(const char *opt, const char *arg, int *out)
{
	unsigned mt = 0;
	if (!cli_parse_type(arg, &mt))
		return cli_usage_error(
		    "combine",
		    "%s wants a memory type (UC UC- WC WT WP "
		    "WB or 0-7), got '%s'",
		    opt, arg);
	*out = (int)mt;
	return 0;
}

static int parse_args(int argc, char **argv, struct combine_args *a)
{
	static const struct option longopts[] = {
	    {"mtrr", required_argument, NULL, OPT_MTRR},
	    {"pat", required_argument, NULL, OPT_PAT},
	    {"emt", required_argument, NULL, OPT_EMT},
	    {"ipat", no_argument, NULL, OPT_IPAT},
	    {"cd", no_argument, NULL, OPT_CD},
	    {"gpat", required_argument, NULL, OPT_GPAT},
	    {"hpat", required_argument, NULL, OPT_HPAT},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, OPT_HELP},
	    {NULL, 0, NULL, 0},
	};
	*a = (struct combine_args){argv[0], -1,    -1,    -1,   -1,
	                           -1,      false, false, false};
	optind = 1;
	opterr = 0;
	int c, err = 0;
	while (!err &&
	       (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_MTRR:
			err = parse_type_arg("--mtrr", optarg, &a->mtrr);
			break;
		case OPT_PAT:
			err = parse_type_arg("--pat", optarg, &a->pat);
			break;
		case OPT_EMT:
			err = parse_type_arg("--emt", optarg, &a->emt);
			break;
		case OPT_GPAT:
			err = parse_type_arg("--gpat", optarg, &a->gpat);
			break;
		case OPT_HPAT:
			err = parse_type_arg("--hpat", optarg, &a->hpat);
			break;
		case OPT_IPAT:
			a->ipat = true;
			break;
		case OPT_CD:
			a->cd = true;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		default:
			err = cli_usage_error(
			    "combine", "unknown or incomplete option '%s'",
			    argv[optind - 1]);
			break;
		}
	}
	if (!err && optind < argc)
		err = cli_usage_error("combine", "unexpected argument '%s'",
		                      argv[optind]);
	return err;
}

static int require(const char *form, const char *opt, int value)
{
	if (value < 0)
		return cli_usage_error("combine", "%s needs %s", form, opt);
	return 0;
}

static int print_result(const struct combine_args *a,
                        const struct p2mk_mt_result *r)
{
	const char *type = p2mk_mt_name(r->type);
	const char *cls = p2mk_cache_class_name(p2mk_mt_class(r->type));
	if (a->json) {
		json_t *o = json_object();
		json_object_set_new(o, "form", json_string(a->form));
		if (r->status == P2MK_MT_EPT_MISCONFIG) {
			json_object_set_new(o, "type", json_null());
			json_object_set_new(o, "ept_misconfig", json_true());
		} else {
			json_object_set_new(o, "type", json_string(type));
			json_object_set_new(o, "class", json_string(cls));
			json_object_set_new(o, "must_snoop",
			                    json_boolean(r->must_snoop));
		}
		json_object_set_new(o, "verified", json_boolean(r->verified));
		json_object_set_new(o, "rule", json_string(r->rule));
		cli_print_json(o);
	} else if (r->status == P2MK_MT_EPT_MISCONFIG) {
		printf("EPT-misconfig  the walk faults (exit reason 49)  "
		       "[%s]\n",
		       r->rule);
	} else {
		printf("%s  %s%s%s  [%s]\n", type, cls,
		       r->must_snoop ? ", caches snooped" : "",
		       r->verified ? "" : ", UNVERIFIED table cell", r->rule);
	}
	return r->status == P2MK_MT_EPT_MISCONFIG ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* Reject inputs that are not valid for their role before combining, so the
 * message names the option rather than the table. */
static int check_role(const char *opt, int mt, bool (*valid)(uint64_t),
                      const char *role)
{
	if (!valid((uint64_t)mt))
		return cli_usage_error("combine", "%s %s is not %s", opt,
		                       p2mk_mt_name((unsigned)mt), role);
	return 0;
}

static int combine_intel_or_amd(const struct combine_args *a, bool amd)
{
	int err = require(a->form, "--mtrr", a->mtrr);
	if (!err)
		err = require(a->form, "--pat", a->pat);
	if (!err)
		err = check_role("--mtrr", a->mtrr, p2mk_mt_valid_mtrr,
		                 "an MTRR type (UC WC WT WP WB)");
	if (!err)
		err = check_role("--pat", a->pat, p2mk_mt_valid_pat,
		                 "a PAT type (UC UC- WC WT WP WB)");
	if (err)
		return err;
	struct p2mk_mt_result r =
	    amd ? p2mk_amd_pat_mtrr((unsigned)a->mtrr, (unsigned)a->pat)
	        : p2mk_intel_pat_mtrr((unsigned)a->mtrr, (unsigned)a->pat);
	return print_result(a, &r);
}

static int combine_ept(const struct combine_args *a)
{
	int err = require("ept", "--emt", a->emt);
	if (!err)
		err = require("ept", "--pat", a->pat);
	if (!err && a->emt > 7)
		err = cli_usage_error(
		    "combine", "--emt is a 3-bit field (0-7), got %d", a->emt);
	if (!err)
		err = check_role("--pat", a->pat, p2mk_mt_valid_pat,
		                 "a PAT type (UC UC- WC WT WP WB)");
	if (err)
		return err;
	struct p2mk_mt_result r = p2mk_ept_effective((unsigned)a->emt, a->ipat,
	                                             (unsigned)a->pat, a->cd);
	return print_result(a, &r);
}

static int combine_npt(const struct combine_args *a)
{
	int err = require("npt", "--gpat", a->gpat);
	if (!err)
		err = require("npt", "--hpat", a->hpat);
	if (!err)
		err = require("npt", "--mtrr", a->mtrr);
	if (!err)
		err = check_role("--gpat", a->gpat, p2mk_mt_valid_pat,
		                 "a PAT type (UC UC- WC WT WP WB)");
	if (!err)
		err = check_role("--hpat", a->hpat, p2mk_mt_valid_pat,
		                 "a PAT type (UC UC- WC WT WP WB)");
	if (!err)
		err = check_role("--mtrr", a->mtrr, p2mk_mt_valid_mtrr,
		                 "an MTRR type (UC WC WT WP WB)");
	if (err)
		return err;
	struct p2mk_mt_result r = p2mk_npt_effective(
	    (unsigned)a->gpat, (unsigned)a->hpat, (unsigned)a->mtrr);
	return print_result(a, &r);
}

int cmd_combine(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(combine_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	const char *form = argv[1];
	if (strcmp(form, "arm64") == 0)
		return cmd_combine_arm64(argc - 1, argv + 1);
	if (cli_wants_help(argc - 1, argv + 1)) {
		fputs(combine_usage, stdout);
		return CLI_EXIT_OK;
	}
	struct combine_args a;
	int err = parse_args(argc - 1, argv + 1, &a);
	if (err)
		return err;
	if (strcmp(form, "intel") == 0)
		return combine_intel_or_amd(&a, false);
	if (strcmp(form, "amd") == 0)
		return combine_intel_or_amd(&a, true);
	if (strcmp(form, "ept") == 0)
		return combine_ept(&a);
	if (strcmp(form, "npt") == 0)
		return combine_npt(&a);
	return cli_usage_error(
	    "combine", "unknown form '%s' (intel, amd, ept, npt, arm64)", form);
}
