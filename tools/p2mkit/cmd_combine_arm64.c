// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit combine arm64: the stage-1 x stage-2 memory attribute combination
 * (spec: shared/spec/arm64-memory-attributes.md, "arm64 §N").
 *
 * Also holds the helpers the arm64 explain form shares (a64_cli_*): option
 * parsing for shareability and features, the canonical one-line rendering,
 * the JSON rendering and the plain-language consequences.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <p2mkit/memtype.h>

#include "cli.h"

/* The a64_cli_* helpers defined here are shared with cmd_explain_arm64.c
 * and declared in cli.h. */

/* ---- shared helpers --------------------------------------------------- */

/* "RWA", "RA", "WA" or "NA", "-T" if transient; "-" for NC. */
static void level_hints(const struct p2mk_a64_level *l, char *buf, size_t len)
{
	if (l->cache == P2MK_A64_NC) {
		snprintf(buf, len, "-");
		return;
	}
	const char *rw = l->ra && l->wa ? "RWA"
	                 : l->ra        ? "RA"
	                 : l->wa        ? "WA"
	                                : "NA";
	snprintf(buf, len, "%s%s", rw, l->transient ? "-T" : "");
}

void a64_cli_hints(const struct p2mk_a64_attr *a, char *buf, size_t len)
{
	if (a->kind != P2MK_A64_NORMAL ||
	    (a->inner.cache == P2MK_A64_NC && a->outer.cache == P2MK_A64_NC)) {
		snprintf(buf, len, "none");
		return;
	}
	char i[8], o[8];
	level_hints(&a->inner, i, sizeof(i));
	level_hints(&a->outer, o, sizeof(o));
	snprintf(buf, len, "i:%s,o:%s", i, o);
}

#define A64_FAULTS                                                             \
	(P2MK_A64_HZ_UNALIGNED_FAULT | P2MK_A64_HZ_DC_ZVA_FAULT |              \
	 P2MK_A64_HZ_MEMCPY_FAULT | P2MK_A64_HZ_ATOMICS_IMPDEF)

static json_t *level_json(const struct p2mk_a64_level *l)
{
	static const char *const names[] = {"NC", "WT", "WB"};
	return json_pack("{s:s, s:b, s:b, s:b}", "cache",
	                 l->cache <= P2MK_A64_WB ? names[l->cache] : "?",
	                 "read_allocate", l->ra, "write_allocate", l->wa,
	                 "transient", l->transient);
}

json_t *a64_cli_attr_json(const struct p2mk_a64_attr *a)
{
	static const char *const devs[] = {"nGnRnE", "nGnRE", "nGRE", "GRE"};
	json_t *o = json_object();
	char hints[32];
	a64_cli_hints(a, hints, sizeof(hints));
	json_object_set_new(o, "type", json_string(p2mk_a64_type_name(a)));
	json_object_set_new(o, "hints", json_string(hints));
	json_object_set_new(o, "status",
	                    json_string(p2mk_a64_status_name(a->status)));
	json_object_set_new(o, "verified", json_boolean(a->verified));
	const char *kind = a->kind == P2MK_A64_DEVICE   ? "device"
	                   : a->kind == P2MK_A64_NORMAL ? "normal"
	                                                : NULL;
	json_object_set_new(o, "kind", kind ? json_string(kind) : json_null());
	json_object_set_new(o, "device",
	                    a->kind == P2MK_A64_DEVICE && a->dev <= 3
	                        ? json_string(devs[a->dev])
	                        : json_null());
	json_object_set_new(o, "inner",
	                    a->kind == P2MK_A64_NORMAL ? level_json(&a->inner)
	                                               : json_null());
	json_object_set_new(o, "outer",
	                    a->kind == P2MK_A64_NORMAL ? level_json(&a->outer)
	                                               : json_null());
	json_object_set_new(o, "tagged", json_boolean(a->tagged));
	json_object_set_new(o, "notagaccess", json_boolean(a->notagaccess));
	json_object_set_new(o, "xs0", json_boolean(a->xs0));
	json_object_set_new(o, "rule", json_string(a->rule));
	return o;
}

static const char *s2_op_name(unsigned op)
{
	switch (op) {
	case P2MK_A64_S2_COMBINE:
		return "combine";
	case P2MK_A64_S2_FWB_DEVICE:
		return "fwb-force-device";
	case P2MK_A64_S2_FWB_NC:
		return "fwb-nc-unless-s1-device";
	case P2MK_A64_S2_FWB_FORCE_WB:
		return "fwb-force-wb";
	default:
		return "fwb-use-s1";
	}
}

static json_t *hazard_array(unsigned mask)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < P2MK_A64_HZ_COUNT; i++) {
		if (mask & (1u << i))
			json_array_append_new(
			    a, json_string(p2mk_a64_hazard_name(1u << i)));
	}
	return a;
}

json_t *a64_cli_result_json(const struct p2mk_a64_result *r)
{
	json_t *o = a64_cli_attr_json(&r->attr);
	json_object_set_new(o, "shareability",
	                    json_string(p2mk_a64_sh_name(r->sh)));
	json_object_set_new(o, "shareability_fields",
	                    json_string(p2mk_a64_sh_name(r->sh_fields)));
	json_object_set_new(o, "shareability_forced",
	                    json_boolean(r->sh_forced));
	json_object_set_new(o, "shareability_rule", json_string(r->sh_rule));
	json_object_set_new(o, "faults", hazard_array(r->hazards & A64_FAULTS));
	json_object_set_new(o, "allows",
	                    hazard_array(r->hazards & ~A64_FAULTS));
	json_object_set_new(
	    o, "memcpy_faults",
	    json_boolean((r->hazards & P2MK_A64_HZ_MEMCPY_FAULT) != 0));
	json_object_set_new(o, "stage1", a64_cli_attr_json(&r->s1));
	json_t *s2 = a64_cli_attr_json(&r->s2.attr);
	char mem[8];
	snprintf(mem, sizeof(mem), "0x%x", (unsigned)r->s2.memattr);
	json_object_set_new(s2, "memattr", json_string(mem));
	json_object_set_new(s2, "fwb", json_boolean(r->s2.fwb));
	json_object_set_new(s2, "op", json_string(s2_op_name(r->s2.op)));
	json_object_set_new(o, "stage2", s2);
	return o;
}

size_t a64_cli_consequences(const struct p2mk_a64_result *r, const char *out[],
                            size_t max)
{
	size_t n = 0;
#define SAY(s)                                                                 \
	do {                                                                   \
		if (n < max)                                                   \
			out[n++] = (s);                                        \
	} while (0)
	const struct p2mk_a64_attr *a = &r->attr;
	if (a->status != P2MK_A64_OK) {
		SAY("no architectural result: the inputs are UNPREDICTABLE or "
		    "reserved; fix the encoding (arm64 §2, §3, §4, §6.1)");
		return n;
	}
	unsigned h = r->hazards;
	if (h & P2MK_A64_HZ_MEMCPY_FAULT)
		SAY("memcpy to this mapping will take alignment faults: "
		    "generic "
		    "memcpy/memset use unaligned LDP/STP and overlapping tail "
		    "copies (SIGBUS in user space); use aligned MMIO accessors "
		    "(arm64 §7)");
	if (h & P2MK_A64_HZ_DC_ZVA_FAULT)
		SAY("memset through DC ZVA will take an alignment fault "
		    "(arm64 §7)");
	if (h & P2MK_A64_HZ_UNALIGNED_FAULT)
		SAY("every unaligned access faults, whatever SCTLR_EL1.A says "
		    "(arm64 §7)");
	if (h & P2MK_A64_HZ_ATOMICS_IMPDEF)
		SAY("exclusives and atomics on Device memory are "
		    "IMPLEMENTATION "
		    "DEFINED and may fault: do not rely on them (arm64 §7)");
	if (a->kind == P2MK_A64_DEVICE) {
		if (h & P2MK_A64_HZ_GATHER)
			SAY("gathering allowed (G): writes may merge, a "
			    "limited "
			    "form of write-combining");
		else
			SAY("no gathering (nG): no write-combining, each write "
			    "is its own transaction (smaller PCIe TLPs)");
		if (!(h & P2MK_A64_HZ_REORDER))
			SAY("no reordering (nR) of accesses to this device");
		if (!(h & P2MK_A64_HZ_EARLY_ACK))
			SAY("no early write acknowledgement (nE): every write "
			    "waits for the endpoint");
		SAY("never read speculatively");
	}
	if (h & P2MK_A64_HZ_WRITE_COMBINE)
		SAY("write-combining possible (Normal Non-cacheable, what "
		    "Linux's pgprot_writecombine maps)");
	if (h & P2MK_A64_HZ_SPECULATIVE)
		SAY("speculative reads and unaligned accesses are allowed: for "
		    "a device BAR the device must tolerate them (arm64 §7)");
	if (a->kind == P2MK_A64_NORMAL && a->inner.cache != P2MK_A64_NC)
		SAY("cacheable: only correct for memory that is coherent with "
		    "the caches (e.g. cacheable PFNMAP with FWB, arm64 §8)");
	if (r->sh_forced)
		SAY("shareability forced to Outer Shareable (Device or Normal "
		    "iNC-oNC; arm64 §6.1)");
	if (r->s1.tagged && !a->tagged)
		SAY("the stage-1 MTE Tagged attribute does not survive (result "
		    "is not Normal WB RWA, or stage 2 is NoTagAccess; "
		    "arm64 §6.2)");
	if (a->tagged)
		SAY("MTE tags are checked on this mapping (Tagged survives)");
	if (!a->verified)
		SAY("this result depends on an UNVERIFIED choice in the spec "
		    "(arm64 §11); see docs/arm64.md");
#undef SAY
	return n;
}

/* ---- the stage options and the one-line rendering, on the layer ------ */

#define STAGE(field) offsetof(struct cli_a64_stage, field)

static const struct cli_choice sh_names[] = {{"NSH", P2MK_A64_NSH},
                                             {"OSH", P2MK_A64_OSH},
                                             {"ISH", P2MK_A64_ISH},
                                             {"0", 0},
                                             {"1", 1},
                                             {"2", 2},
                                             {"3", 3},
                                             {NULL, 0}};
static const struct cli_choice feature_names[] = {
    {"xs", P2MK_A64_FEAT_XS},
    {"mte2", P2MK_A64_FEAT_MTE2},
    {"mte-perm", P2MK_A64_FEAT_MTE_PERM},
    {NULL, 0}};

const struct cli_opt cli_a64_stage_opts[CLI_A64_STAGE_NOPTS] = {
    {.name = "s1",
     .type = CLI_HEX,
     .off = STAGE(s1),
     .max = 0xff,
     .metavar = "0xNN",
     .help = "stage-1 MAIR attribute byte (Attr<AttrIndx>)"},
    {.name = "s2",
     .type = CLI_HEX,
     .off = STAGE(s2),
     .flags = CLI_REQUIRED,
     .max = 0xf,
     .metavar = "0xN",
     .help = "stage-2 descriptor MemAttr[3:0] (bits 5:2)"},
    {.name = "fwb",
     .type = CLI_FLAG,
     .off = STAGE(ctl.fwb),
     .help = "HCR_EL2.FWB = 1 (FEAT_S2FWB, arm64 §4)"},
    {.name = "sh1",
     .type = CLI_CHOICE,
     .off = STAGE(sh1),
     .metavar = "SH",
     .choices = sh_names,
     .help = "stage-1 SH: NSH, OSH, ISH or 0-3 (ISH)"},
    {.name = "sh2",
     .type = CLI_CHOICE,
     .off = STAGE(sh2),
     .metavar = "SH",
     .choices = sh_names,
     .help = "stage-2 SH: NSH, OSH, ISH or 0-3 (ISH)"},
    {.name = "hcr-cd",
     .type = CLI_FLAG,
     .off = STAGE(ctl.cd),
     .help = "HCR_EL2.CD = 1: stage-2 Normal is Non-cacheable (data)"},
    {.name = "hcr-id",
     .type = CLI_FLAG,
     .off = STAGE(ctl.id),
     .help = "HCR_EL2.ID = 1: the same for instruction fetches"},
    {.name = "hcr-dc",
     .type = CLI_FLAG,
     .off = STAGE(ctl.dc),
     .help = "HCR_EL2.DC = 1: stage 1 off, default Normal WB NSH"},
    {.name = "hcr-dct",
     .type = CLI_FLAG,
     .off = STAGE(ctl.dct),
     .help = "HCR_EL2.DCT = 1: the DC default is Tagged"},
    {.name = "s1-off",
     .type = CLI_FLAG,
     .off = STAGE(ctl.s1_off),
     .help = "SCTLR_EL1.M = 0: data accesses Device-nGnRnE"},
    {.name = "ifetch",
     .type = CLI_FLAG,
     .off = STAGE(ctl.ifetch),
     .help = "the access is an instruction fetch"},
    {.name = "sctlr-i",
     .type = CLI_FLAG,
     .off = STAGE(ctl.sctlr_i),
     .help = "SCTLR_EL1.I = 1 (instruction fetches with stage 1 off)"},
    {.name = "features",
     .type = CLI_FLAGS,
     .off = STAGE(ctl.features),
     .metavar = "LIST",
     .choices = feature_names,
     .help = "comma list of xs, mte2, mte-perm, or none (xs,mte2)"},
};

void cli_a64_stage_init(struct cli_a64_stage *st)
{
	*st = (struct cli_a64_stage){
	    .sh1 = P2MK_A64_ISH,
	    .sh2 = P2MK_A64_ISH,
	    .ctl = {.features = P2MK_A64_FEAT_XS | P2MK_A64_FEAT_MTE2},
	};
}

/* Comma list of the strings in JSON array @a, or "none". */
static void name_list(struct rep_out *out, const json_t *a)
{
	size_t i;
	const json_t *v;
	if (json_array_size(a) == 0)
		rep_printf(out, "none");
	json_array_foreach(a, i, v)
	{
		rep_printf(out, "%s%s", i ? "," : "", json_string_value(v));
	}
}

void a64_text_line(struct rep_out *out, const json_t *r)
{
	const char *status = rep_str(r, "status");
	if (strcmp(status, "ok") != 0) {
		/* With a kind, the shareability made it unpredictable. */
		const char *why = rep_has(r, "kind")
		                      ? rep_str(r, "shareability_rule")
		                      : rep_str(r, "rule");
		rep_printf(out, "%s %s%s\n", rep_str(r, "type"), why,
		           rep_bool(r, "verified") ? "" : " unverified");
		return;
	}
	rep_printf(out, "%s hints=%s sh=%s%s faults=", rep_str(r, "type"),
	           rep_str(r, "hints"), rep_str(r, "shareability"),
	           rep_bool(r, "shareability_forced") ? "(forced)" : "");
	name_list(out, rep_get(r, "faults"));
	rep_printf(out, " allows=");
	name_list(out, rep_get(r, "allows"));
	rep_printf(out, "%s%s%s%s\n", rep_bool(r, "tagged") ? " tagged" : "",
	           rep_bool(r, "notagaccess") ? " notagaccess" : "",
	           rep_bool(r, "xs0") ? " xs=0" : "",
	           rep_bool(r, "verified") ? "" : " unverified");
}

json_t *a64_stage_input_json(const struct cli_a64_stage *st)
{
	const struct p2mk_a64_ctl *ctl = &st->ctl;
	return json_pack(
	    "{s:o, s:o, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "s1",
	    json_sprintf("0x%02x", (unsigned)st->s1), "s2",
	    json_sprintf("0x%x", (unsigned)st->s2), "sh1",
	    p2mk_a64_sh_name(st->sh1), "sh2", p2mk_a64_sh_name(st->sh2), "fwb",
	    ctl->fwb, "hcr_cd", ctl->cd, "hcr_id", ctl->id, "hcr_dc", ctl->dc,
	    "hcr_dct", ctl->dct, "s1_off", ctl->s1_off, "ifetch", ctl->ifetch);
}

/* ---- the combine form ------------------------------------------------- */

static const struct cli_group combine_arm64_groups[] = {
    CLI_GROUP(cli_a64_stage_opts, 0), {NULL, 0, 0}};

static void combine_arm64_init(void *args)
{
	cli_a64_stage_init(args);
}

static int combine_arm64_check(struct cli_ctx *c, void *args)
{
	(void)args;
	if (!cli_given(c, "s1"))
		return cli_fail(c, CLI_EXIT_USAGE, "needs --s1 0xNN");
	return 0;
}

static int combine_arm64_run(struct cli_ctx *c, void *args)
{
	const struct cli_a64_stage *st = args;
	struct p2mk_a64_result r = p2mk_a64_combine(
	    (uint8_t)st->s1, st->sh1, (unsigned)st->s2, st->sh2, &st->ctl);
	json_t *j = json_object();
	json_object_set_new(j, "input", a64_stage_input_json(st));
	/* The result's fields at the top level, after the input. */
	json_t *res = a64_cli_result_json(&r);
	json_object_update(j, res);
	json_decref(res);
	cli_record(c, j);
	return r.attr.status == P2MK_A64_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

const struct cli_form cli_form_combine_arm64 = {
    .command = "combine",
    .word = "arm64",
    .summary = "ARM64 stage 1 x stage 2 memory attributes (arm64 §5)",
    .about =
        "Output: one line, the effective type first (Device-nGnRnE,\n"
        "Device-nGnRE, Device-nGRE, Device-GRE, Normal-I<c>-O<c> with <c>\n"
        "NC/WT/WB), then hints, shareability, faults and permitted\n"
        "behaviours.  UNPREDICTABLE or RESERVED first means the inputs "
        "have\n"
        "no architectural result.\n",
    .exits = "0 ok, 1 UNPREDICTABLE/reserved result, 2 bad usage.",
    .groups = combine_arm64_groups,
    .args_size = sizeof(struct cli_a64_stage),
    .init = combine_arm64_init,
    .check = combine_arm64_check,
    .run = combine_arm64_run,
    .text = a64_text_line,
};
