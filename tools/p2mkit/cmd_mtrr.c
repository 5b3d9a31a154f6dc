// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit mtrr lookup: build an MTRR state from MSR writes and look up the
 * type of an address or of an aligned 2^order block.
 */
#include <stddef.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#include "cli.h"

struct lookup_args {
	struct cli_mtrr_state ms;
	uint64_t addr;
	unsigned order, overlap;
};

#define ARG(field) offsetof(struct lookup_args, field)

static const struct cli_choice overlap_names[] = {{"sdm", P2MK_OVERLAP_SDM},
                                                  {"xen", P2MK_OVERLAP_XEN},
                                                  {"kvm", P2MK_OVERLAP_KVM},
                                                  {"linux", P2MK_OVERLAP_LINUX},
                                                  {NULL, 0}};

static const struct cli_opt lookup_opts[] = {
    {.name = "overlap",
     .type = CLI_CHOICE,
     .off = ARG(overlap),
     .metavar = "P",
     .choices = overlap_names,
     .help = "undefined overlaps: sdm (default), xen (last match), kvm "
             "(WB), linux (UC)"},
    {.name = "addr",
     .type = CLI_ADDR,
     .off = ARG(addr),
     .flags = CLI_REQUIRED,
     .metavar = "0xADDR",
     .help = "the physical address (below 2^MAXPHYADDR)"},
    {.name = "order",
     .type = CLI_DEC,
     .off = ARG(order),
     .max = 40,
     .metavar = "K",
     .help = "look up the aligned block of 2^K 4 KiB pages"},
};
static const struct cli_group lookup_groups[] = {
    CLI_GROUP(cli_mtrr_state_opts, ARG(ms)),
    CLI_GROUP(lookup_opts, 0),
    {NULL, 0, 0}};

static void lookup_init(void *args)
{
	struct lookup_args *a = args;
	cli_mtrr_state_init(&a->ms);
	a->overlap = P2MK_OVERLAP_SDM;
}

static unsigned lookup_maxphyaddr(const void *args)
{
	return cli_mtrr_state_maxphyaddr(
	    &((const struct lookup_args *)args)->ms);
}

static int lookup_check(struct cli_ctx *c, void *args)
{
	const struct lookup_args *a = args;
	/* The block must lie below MAXPHYADDR too, not only its start. */
	if (a->order + P2MK_PAGE_SHIFT > a->ms.maxphyaddr)
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--order %u: a block of 2^%u pages is larger "
		                "than MAXPHYADDR %u allows",
		                a->order, a->order, a->ms.maxphyaddr);
	return 0;
}

static const char *kind_word(const struct p2mk_mtrr_lookup *r)
{
	if (r->kind == P2MK_LOOKUP_MIXED)
		return "mixed";
	if (r->kind == P2MK_LOOKUP_UNDEFINED)
		return "undefined";
	return p2mk_mt_name(r->type);
}

static int lookup_run(struct cli_ctx *c, void *args)
{
	const struct lookup_args *a = args;
	struct p2mk_mtrr_state s;
	struct p2mk_gp gp;
	int bad = cli_mtrr_state_build(&a->ms, &s, &gp);
	if (bad == -2)
		return cli_fail(c, CLI_EXIT_USAGE, "invalid CPU configuration");
	if (bad >= 0)
		return cli_mtrr_gp_fail(c, &a->ms, bad, &gp);
	enum p2mk_overlap ov = (enum p2mk_overlap)a->overlap;
	struct p2mk_mtrr_lookup r =
	    p2mk_mtrr_lookup(&s, p2mk_gpa(a->addr), a->order, ov);
	json_t *o = json_object();
	json_object_set_new(o, "addr", rep_hex(a->addr));
	json_object_set_new(o, "order", json_integer(a->order));
	json_object_set_new(o, "overlap", json_string(p2mk_overlap_name(ov)));
	json_object_set_new(o, "result", json_string(kind_word(&r)));
	json_object_set_new(o, "rule", json_string(r.rule));
	json_t *hits = json_array();
	for (unsigned n = 0; n < P2MK_MTRR_VCNT_MAX; n++) {
		if (r.var_hits & P2MK_BIT(n))
			json_array_append_new(hits, json_integer(n));
	}
	json_object_set_new(o, "variable_hits", hits);
	json_object_set_new(o, "state", cli_mtrr_json(&s));
	cli_record(c, o);
	return CLI_EXIT_OK;
}

static void lookup_text(struct rep_out *out, const json_t *rec)
{
	rep_printf(out, "%s  [%s]\n", rep_str(rec, "result"),
	           rep_str(rec, "rule"));
}

const struct cli_form cli_form_mtrr_lookup = {
    .command = "mtrr",
    .word = "lookup",
    .summary = "the MTRR type of an address or of an aligned block",
    .about =
        "Applies the MSR writes in order to a reset vCPU (MTRRs disabled, "
        "PAT at its\n"
        "power-up value) and prints the MTRR type of the naturally aligned "
        "block of\n"
        "2^K 4 KiB pages containing ADDR: a type, 'mixed' (the block is "
        "not uniform),\n"
        "or 'undefined' (an overlap the SDM leaves undefined, with "
        "--overlap sdm).\n",
    .exits = "0 ok, 2 bad usage or an MSR write that would #GP.",
    .groups = lookup_groups,
    .args_size = sizeof(struct lookup_args),
    .init = lookup_init,
    .check = lookup_check,
    .run = lookup_run,
    .text = lookup_text,
    .maxphyaddr = lookup_maxphyaddr,
};
