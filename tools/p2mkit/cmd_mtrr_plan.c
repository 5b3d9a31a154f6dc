// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit mtrr plan: the fewest variable MTRRs for a requested layout
 * (p2mk_mtrr_plan, docs/mtrr-plan.md), and with --check, where an existing
 * programming differs from the request.
 *
 *   mtrr plan --maxphyaddr N [--vcnt N] --default UC|WB|...|auto
 *             --range 0xSTART-0xEND:TYPE ... [--json]
 *   mtrr plan --check --msr 0xIDX=0xVAL ... --default ... --range ...
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#include "cli.h"

/* Most --range options one invocation takes. */
#define PLAN_RANGES_MAX 256

struct plan_args {
	struct cli_mtrr_state st; /* --maxphyaddr --vcnt --no-fixed ... */
	unsigned deflt;
	const char *range; /* the last --range; all are read from the tokens */
	bool check;
	size_t nranges;
	struct p2mk_mtrr_plan_range ranges[PLAN_RANGES_MAX];
};

#define ARG(f) offsetof(struct plan_args, f)

static const struct cli_choice default_choices[] = {
    {"UC", P2MK_MT_UC}, {"WC", P2MK_MT_WC}, {"WT", P2MK_MT_WT},
    {"WP", P2MK_MT_WP}, {"WB", P2MK_MT_WB}, {"auto", P2MK_MTRR_PLAN_AUTO},
    {NULL, 0},
};

static const struct cli_opt plan_opts[] = {
    {.name = "default",
     .type = CLI_CHOICE,
     .off = ARG(deflt),
     .choices = default_choices,
     .flags = CLI_REQUIRED,
     .metavar = "T",
     .help = "MTRRdefType's type, or auto (fewest MTRRs)"},
    {.name = "range",
     .type = CLI_STRING,
     .off = ARG(range),
     .flags = CLI_REPEAT,
     .metavar = "0xSTART-0xEND:T",
     .help = "a requested range, END exclusive (repeatable)"},
    {.name = "check",
     .type = CLI_FLAG,
     .off = ARG(check),
     .help = "compare the --msr programming with the request instead"},
};

static const struct cli_group plan_groups[] = {
    CLI_GROUP(cli_mtrr_state_opts, ARG(st)),
    CLI_GROUP(plan_opts, 0),
    {NULL, 0, 0},
};

static const char plan_about[] =
    "Plans the fewest variable MTRRs (aligned power-of-two blocks) whose\n"
    "types give every address from 1 MiB to 2^MAXPHYADDR its requested\n"
    "type (the default where no --range says otherwise); below 1 MiB the\n"
    "fixed ranges decide.  Prints PHYSBASE/PHYSMASK values, the ranges, the\n"
    "count and the minimum; more than VCNT is 'out of resources'.  With\n"
    "--check, applies the --msr writes and lists where their types differ\n"
    "from the request (--default auto: the programmed default).\n";

static void plan_init(void *args)
{
	struct plan_args *a = args;
	cli_mtrr_state_init(&a->st);
}

static unsigned plan_maxphyaddr(const void *args)
{
	return cli_mtrr_state_maxphyaddr(&((const struct plan_args *)args)->st);
}

/* "0xSTART-0xEND:T" into @r; false with a reason in @why. */
static bool parse_range(const char *arg, unsigned maxphyaddr,
                        struct p2mk_mtrr_plan_range *r, char *why, size_t len)
{
	char buf[128];
	const char *dash = strchr(arg, '-'), *colon = strrchr(arg, ':');
	if (dash == NULL || colon == NULL || colon < dash ||
	    strlen(arg) >= sizeof(buf)) {
		snprintf(why, len, "--range wants 0xSTART-0xEND:TYPE");
		return false;
	}
	memcpy(buf, arg, strlen(arg) + 1);
	buf[dash - arg] = buf[colon - arg] = '\0';
	uint64_t start, end;
	unsigned type;
	if (!cli_parse_hex("--range START", buf, &start, why, len) ||
	    !cli_parse_hex("--range END", buf + (dash - arg) + 1, &end, why,
	                   len) ||
	    !cli_parse_memtype("--range TYPE", buf + (colon - arg) + 1,
	                       CLI_MT_MTRR, &type, why, len))
		return false;
	if (start >= end || ((start | end) & (P2MK_PAGE_SIZE - 1)) ||
	    end > P2MK_BIT(maxphyaddr)) {
		snprintf(why, len,
		         "--range wants 4 KiB-aligned START < END <= 2^%u",
		         maxphyaddr);
		return false;
	}
	*r = (struct p2mk_mtrr_plan_range){
	    p2mk_gpa_to_gfn(p2mk_gpa(start)),
	    p2mk_gpa_to_gfn(p2mk_gpa(end - start)).v, (uint8_t)type};
	return true;
}

/* The first pair of ranges that overlap, or a WC range WC cannot have. */
static int check_ranges(struct cli_ctx *c, const struct plan_args *a)
{
	for (size_t i = 0; i < a->nranges; i++) {
		const struct p2mk_mtrr_plan_range *r = &a->ranges[i];
		if (r->type == P2MK_MT_WC && a->st.no_wc)
			return cli_fail(c, CLI_EXIT_USAGE,
			                "--range %zu is WC but --no-wc says "
			                "the CPU has no WC",
			                i + 1);
		for (size_t j = 0; j < i; j++) {
			const struct p2mk_mtrr_plan_range *o = &a->ranges[j];
			if (r->first.v < o->first.v + o->count &&
			    o->first.v < r->first.v + r->count)
				return cli_fail(c, CLI_EXIT_USAGE,
				                "--range %zu overlaps --range "
				                "%zu",
				                i + 1, j + 1);
		}
	}
	return 0;
}

/* Every --range token, in order, into a->ranges. */
static int plan_check_args(struct cli_ctx *c, void *args)
{
	struct plan_args *a = args;
	char why[256];
	for (int i = 0; i < c->ntok; i++) {
		const struct cli_token *t = &c->tok[i];
		if (t->name == NULL || strcmp(t->name, "range") != 0)
			continue;
		if (a->nranges == PLAN_RANGES_MAX)
			return cli_fail(c, CLI_EXIT_USAGE,
			                "at most %d --range options",
			                PLAN_RANGES_MAX);
		if (!parse_range(t->value, a->st.maxphyaddr,
		                 &a->ranges[a->nranges], why, sizeof(why)))
			return cli_fail(c, CLI_EXIT_USAGE, "%s", why);
		a->nranges++;
	}
	int bad = check_ranges(c, a);
	if (bad)
		return bad;
	if (a->st.msrs.n > 0 && !a->check)
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--msr describes a programming to --check");
	if (a->check && a->st.msrs.n == 0)
		return cli_fail(
		    c, CLI_EXIT_USAGE,
		    "--check needs the programming as --msr writes");
	return 0;
}

static struct p2mk_mtrr_plan_request request_of(const struct plan_args *a)
{
	return (struct p2mk_mtrr_plan_request){
	    .ranges = a->ranges,
	    .nranges = a->nranges,
	    .maxphyaddr = (uint8_t)a->st.maxphyaddr,
	    .vcnt = (uint8_t)a->st.vcnt,
	    .default_type = (uint8_t)a->deflt,
	    .no_wc = a->st.no_wc,
	};
}

static const char *reason(enum p2mk_err err)
{
	if (err == P2MK_ERR_RANGE)
		return "a range reaches past 2^MAXPHYADDR";
	if (err == P2MK_ERR_NOMEM)
		return "out of memory";
	return "the planner refused the request";
}

/* One MTRR: {base, mask, type, start, end} with hex strings. */
static json_t *mtrr_json(const struct p2mk_mtrr_plan_var *v)
{
	const uint64_t addr = ~(P2MK_PAGE_SIZE - 1);
	json_t *o = json_object();
	json_object_set_new(o, "base", rep_hex(v->physbase & addr));
	json_object_set_new(o, "mask", rep_hex(v->physmask & addr));
	json_object_set_new(o, "type", json_string(p2mk_mt_name(v->type)));
	json_object_set_new(o, "physbase", rep_hex(v->physbase));
	json_object_set_new(o, "physmask", rep_hex(v->physmask));
	uint64_t start = p2mk_gfn_to_gpa(v->first).v;
	json_object_set_new(o, "start", rep_hex(start));
	json_object_set_new(
	    o, "end", rep_hex(start + p2mk_gfn_to_gpa(p2mk_gfn(v->count)).v));
	return o;
}

static json_t *mtrrs_json(const struct p2mk_mtrr_plan_var *v, unsigned n)
{
	json_t *arr = json_array();
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(arr, mtrr_json(&v[i]));
	return arr;
}

/* Plan @q into *@p and a malloc'd *@vars (NULL on error). */
static enum p2mk_err plan(const struct p2mk_mtrr_plan_request *q,
                          struct p2mk_mtrr_plan *p,
                          struct p2mk_mtrr_plan_var **vars)
{
	/* At most two blocks per trie node a boundary passes (40 levels). */
	const size_t cap = 80 * (2 * q->nranges + 3) + 1;
	const size_t words = P2MK_MTRR_PLAN_WS_WORDS(q->nranges);
	uint64_t *ws = calloc(words, sizeof(*ws));
	struct p2mk_mtrr_plan_var *v = calloc(cap, sizeof(*v));
	enum p2mk_err err = P2MK_ERR_NOMEM;
	if (ws != NULL && v != NULL)
		err = p2mk_mtrr_plan(q, ws, words, v, cap, p);
	free(ws);
	if (err != P2MK_OK) {
		free(v);
		v = NULL;
	}
	*vars = v;
	return err;
}

static int plan_fail(struct cli_ctx *c, enum p2mk_err err)
{
	return cli_fail(c,
	                err == P2MK_ERR_NOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE,
	                "%s", reason(err));
}

static int run_plan(struct cli_ctx *c, const struct plan_args *a)
{
	const struct p2mk_mtrr_plan_request q = request_of(a);
	struct p2mk_mtrr_plan p = {0};
	struct p2mk_mtrr_plan_var *v = NULL;
	enum p2mk_err err = plan(&q, &p, &v);
	if (err != P2MK_OK || v == NULL)
		return plan_fail(c, err);
	const bool ok = p.status == P2MK_MTRR_PLAN_OK;
	json_t *o = json_object();
	json_object_set_new(o, "status",
	                    json_string(ok ? "ok" : "out_of_resources"));
	json_object_set_new(o, "count",
	                    ok ? json_integer(p.count) : json_null());
	json_object_set_new(o, "minimum", json_integer(p.minimum));
	json_object_set_new(o, "default",
	                    json_string(p2mk_mt_name(p.default_type)));
	json_object_set_new(o, "vcnt", json_integer(a->st.vcnt));
	json_object_set_new(o, "maxphyaddr", json_integer(a->st.maxphyaddr));
	json_object_set_new(o, "mtrrs", mtrrs_json(v, ok ? p.count : 0));
	if (!ok)
		json_object_set_new(o, "minimal_plan", mtrrs_json(v, p.count));
	free(v);
	cli_record(c, o);
	return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* --check: the differences, collected as JSON. */
static const char *got_word(const struct p2mk_mtrr_lookup *r)
{
	if (r->kind == P2MK_LOOKUP_UNDEFINED)
		return "undefined";
	return p2mk_mt_name(r->type);
}

static bool collect_diff(void *ctx, const struct p2mk_mtrr_plan_diff *d)
{
	json_t *o = json_object();
	uint64_t start = p2mk_gfn_to_gpa(d->first).v;
	json_object_set_new(o, "start", rep_hex(start));
	json_object_set_new(
	    o, "end", rep_hex(start + p2mk_gfn_to_gpa(p2mk_gfn(d->count)).v));
	/* Below 1 MiB only an undefined type is a difference. */
	json_object_set_new(o, "want",
	                    json_string(p2mk_mt_valid_mtrr(d->want)
	                                    ? p2mk_mt_name(d->want)
	                                    : "defined"));
	json_object_set_new(o, "got", json_string(got_word(&d->got)));
	json_array_append_new((json_t *)ctx, o);
	return true;
}

static unsigned pairs_used(const struct p2mk_mtrr_state *s)
{
	unsigned n = 0;
	for (unsigned i = 0; i < p2mk_mtrr_vcnt(s); i++)
		n += (s->var[i].mask & P2MK_MTRR_MASK_V) != 0;
	return n;
}

static int run_check(struct cli_ctx *c, const struct plan_args *a)
{
	struct p2mk_mtrr_state s;
	struct p2mk_gp gp;
	int bad = cli_mtrr_state_build(&a->st, &s, &gp);
	if (bad >= 0)
		return cli_fail(c, CLI_EXIT_USAGE, "--msr %s: #GP: %s",
		                a->st.msrs.text[bad], gp.reason);
	struct p2mk_mtrr_plan_request q = request_of(a);
	if (q.default_type == P2MK_MTRR_PLAN_AUTO)
		q.default_type =
		    (uint8_t)(s.def_type & P2MK_MTRR_DEF_TYPE_MASK);
	struct p2mk_mtrr_plan p = {0};
	struct p2mk_mtrr_plan_var *v = NULL;
	enum p2mk_err err = plan(&q, &p, &v);
	free(v);
	if (err != P2MK_OK)
		return plan_fail(c, err);
	const size_t words = P2MK_MTRR_PLAN_WS_WORDS(q.nranges);
	uint64_t *ws = calloc(words, sizeof(*ws));
	json_t *diffs = json_array();
	unsigned n = 0;
	err = ws ? p2mk_mtrr_plan_check(&s, &q, ws, words, collect_diff, diffs,
	                                &n)
	         : P2MK_ERR_NOMEM;
	free(ws);
	if (err) {
		json_decref(diffs);
		return cli_fail(c, CLI_EXIT_FAIL, "%s", reason(err));
	}
	json_t *o = json_object();
	json_object_set_new(o, "status", json_string(n ? "differs" : "match"));
	json_object_set_new(o, "default",
	                    json_string(p2mk_mt_name(q.default_type)));
	json_object_set_new(o, "used", json_integer(pairs_used(&s)));
	json_object_set_new(o, "minimum", json_integer(p.minimum));
	json_object_set_new(o, "differences", diffs);
	cli_record(c, o);
	return n ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static int plan_run(struct cli_ctx *c, void *args)
{
	const struct plan_args *a = args;
	return a->check ? run_check(c, a) : run_plan(c, a);
}

/* ---- text ------------------------------------------------------------- */

static void text_mtrrs(struct rep_out *out, const json_t *arr)
{
	size_t i;
	const json_t *m;
	rep_printf(out, "  #  %-18s  %-18s  %-37s  type\n", "PHYSBASE",
	           "PHYSMASK", "range [start, end)");
	json_array_foreach(arr, i, m)
	{
		char range[64];
		snprintf(range, sizeof(range), "%s-%s", rep_str(m, "start"),
		         rep_str(m, "end"));
		rep_printf(out, "%3zu  %-18s  %-18s  %-37s  %s\n", i,
		           rep_str(m, "physbase"), rep_str(m, "physmask"),
		           range, rep_str(m, "type"));
	}
}

static void text_check(struct rep_out *out, const json_t *rec)
{
	size_t i;
	const json_t *d;
	json_array_foreach(rep_get(rec, "differences"), i, d)
	{
		rep_printf(out, "differs %s-%s: want %s, programmed %s\n",
		           rep_str(d, "start"), rep_str(d, "end"),
		           rep_str(d, "want"), rep_str(d, "got"));
	}
	rep_printf(out,
	           "%s: the programming uses %lld variable MTRRs; a minimal "
	           "one uses %lld (default %s)\n",
	           rep_str(rec, "status"), rep_int(rec, "used"),
	           rep_int(rec, "minimum"), rep_str(rec, "default"));
}

static void plan_text(struct rep_out *out, const json_t *rec)
{
	if (rep_has(rec, "differences")) {
		text_check(out, rec);
		return;
	}
	bool ok = strcmp(rep_str(rec, "status"), "ok") == 0;
	rep_printf(out, "default %s, MAXPHYADDR %lld, VCNT %lld\n",
	           rep_str(rec, "default"), rep_int(rec, "maxphyaddr"),
	           rep_int(rec, "vcnt"));
	text_mtrrs(out, rep_get(rec, ok ? "mtrrs" : "minimal_plan"));
	if (ok)
		rep_printf(out, "count %lld, minimum %lld\n",
		           rep_int(rec, "count"), rep_int(rec, "minimum"));
	else
		rep_printf(out,
		           "out of resources: minimum %lld variable MTRRs, "
		           "VCNT is %lld\n",
		           rep_int(rec, "minimum"), rep_int(rec, "vcnt"));
}

const struct cli_form cli_form_mtrr_plan = {
    .command = "mtrr",
    .word = "plan",
    .summary = "fewest variable MTRRs for a layout; --check a programming",
    .about = plan_about,
    .exits = "0 ok (or --check: no difference), 1 out of resources (or "
             "--check: differences), 2 bad usage or input.",
    .groups = plan_groups,
    .args_size = sizeof(struct plan_args),
    .init = plan_init,
    .check = plan_check_args,
    .run = plan_run,
    .text = plan_text,
    .maxphyaddr = plan_maxphyaddr,
};

/* Entry from cmd_mtrr's dispatch (@argv[0] is "mtrr", @argv[1] "plan")
 * while `mtrr` itself still parses its own arguments: hand the command
 * line to the option layer. */
int cmd_mtrr_plan(int argc, char **argv)
{
	char **full = calloc((size_t)argc + 2, sizeof(*full));
	if (full == NULL)
		return CLI_EXIT_FAIL;
	full[0] = "p2mkit";
	for (int i = 0; i < argc; i++)
		full[i + 1] = argv[i];
	int status = cli_main(cli_forms, argc + 1, full);
	free(full);
	return status;
}
