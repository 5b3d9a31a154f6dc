// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit explain: walk one guest access through every layer that decides
 * its memory type, saying at each layer what came in, what came out and
 * which rule decided it.
 *
 * x86 layers: guest page-table bits -> guest PAT entry -> guest MTRRs ->
 * second stage (Intel EPT EMT/IPAT, or AMD nested PTE host PAT then host
 * MTRR) -> effective type.  ARM64 is handled by cmd_explain_arm64.c.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#include "cli.h"

static const char explain_usage[] =
    "usage: p2mkit explain [--cpu intel|amd] --gpa 0xADDR\n"
    "                      [--guest-pat 0xVAL] [--pte-bits pat,pcd,pwt]\n"
    "                      [--msr 0xIDX=0xVAL ...] [--maxphyaddr N] "
    "[--vcnt N]\n"
    "                      [--overlap sdm|xen|kvm|linux] [--cd]\n"
    "                      [--emt T [--ipat]]        (intel: EPT leaf)\n"
    "                      [--hpat T] [--host-mtrr T] (amd: nested PTE, "
    "host MTRR)\n"
    "                      [--json]\n"
    "       p2mkit explain --example [--json]\n"
    "       p2mkit explain --arch arm64 ...  (p2mkit explain --arch arm64 "
    "--help)\n"
    "       p2mkit explain --policy NAME ...  which branch of a hypervisor's "
    "policy\n"
    "                      decides an entry (p2mkit explain --policy list; "
    "--policy X --help)\n"
    "\n"
    "Walks one guest access through each layer that decides its memory "
    "type:\n"
    "  1. the guest PTE's PAT/PCD/PWT bits select a guest PAT entry;\n"
    "  2. the guest MTRRs (from --msr writes) type the guest-physical "
    "address;\n"
    "  3. the second stage: on Intel the EPT leaf's EMT and IPAT; on AMD "
    "the\n"
    "     nested PTE's host PAT type, then the host MTRR of the "
    "system-physical\n"
    "     address.  Without --emt on Intel it shows the bare-metal view "
    "(PAT x MTRR).\n"
    "Ends with the effective type and whether the access is cached, "
    "write-combined\n"
    "or uncached.  --example explains Xen's grant table in a UC MTRR hole "
    "on "
    "AMD.\n"
    "Defaults: guest PAT = power-up value, PTE bits none (PAT index 0), "
    "--hpat WB\n"
    "and --host-mtrr WB (how Xen and KVM map guest RAM).\n"
    "Exit status: 0 ok, 1 the access faults (EPT misconfiguration), 2 bad "
    "usage.\n";

enum {
	OPT_CPU = 1,
	OPT_GPA,
	OPT_GUEST_PAT,
	OPT_PTE_BITS,
	OPT_OVERLAP,
	OPT_CD,
	OPT_EMT,
	OPT_IPAT,
	OPT_HPAT,
	OPT_HOST_MTRR,
	OPT_JSON,
	OPT_EXAMPLE,
	OPT_ARCH
};

struct explain_args {
	bool amd, cd, ipat, json, have_gpa, have_emt, have_host_mtrr;
	bool pte_pat, pte_pcd, pte_pwt;
	uint64_t gpa, guest_pat;
	bool have_guest_pat;
	unsigned emt, hpat, host_mtrr;
	enum p2mk_overlap overlap;
	struct cli_mtrr_opts mtrr;
};

/* ---- output: a list of layers, printed as text or JSON ---------------- */

struct layer {
	char title[64];
	char lines[6][200];
	unsigned nlines;
	char result[48];
	const char *rule;
};

struct explanation {
	struct layer layers[6];
	unsigned nlayers;
	const char *mode;
	struct p2mk_mt_result effective;
	char notes[4][240];
	unsigned nnotes;
};

static struct layer *add_layer(struct explanation *e, const char *title)
{
	struct layer *l = &e->layers[e->nlayers++];
	memset(l, 0, sizeof(*l));
	snprintf(l->title, sizeof(l->title), "%s", title);
	l->rule = "";
	return l;
}

static void layer_line(struct layer *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void layer_line(struct layer *l, const char *fmt, ...)
{
	if (l->nlines == sizeof(l->lines) / sizeof(l->lines[0]))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->lines[l->nlines++], sizeof(l->lines[0]), fmt, ap);
	va_end(ap);
}

static void add_note(struct explanation *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_note(struct explanation *e, const char *fmt, ...)
{
	if (e->nnotes == sizeof(e->notes) / sizeof(e->notes[0]))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->notes[e->nnotes++], sizeof(e->notes[0]), fmt, ap);
	va_end(ap);
}

static const char *class_sentence(unsigned mt)
{
	switch (p2mk_mt_class(mt)) {
	case P2MK_CACHED:
		return "cached: reads and writes go through the CPU caches";
	case P2MK_WRITE_COMBINED:
		return "write-combined: reads are uncached, writes are merged "
		       "in WC buffers";
	case P2MK_UNCACHED:
		return "uncached: every access goes to memory or the device, "
		       "one at a time";
	default:
		return "no access";
	}
}

static void print_text(const struct explanation *e, uint64_t gpa)
{
	printf("Access to guest-physical 0x%llx (%s)\n\n",
	       (unsigned long long)gpa, e->mode);
	for (unsigned i = 0; i < e->nlayers; i++) {
		const struct layer *l = &e->layers[i];
		printf("%u. %s\n", i + 1, l->title);
		for (unsigned j = 0; j < l->nlines; j++)
			printf("     %s\n", l->lines[j]);
		printf("   -> %s", l->result);
		if (l->rule[0] != '\0')
			printf("   [%s]", l->rule);
		printf("\n\n");
	}
	const struct p2mk_mt_result *r = &e->effective;
	if (r->status == P2MK_MT_EPT_MISCONFIG) {
		printf("Effective: none -- the access takes an EPT "
		       "misconfiguration exit\n");
	} else {
		printf("Effective: %s -- %s%s\n", p2mk_mt_name(r->type),
		       class_sentence(r->type),
		       r->must_snoop ? " (caches still snooped)" : "");
		if (!r->verified)
			printf("           (uses a table cell the spec marks "
			       "UNVERIFIED: docs/amd-unverified.md)\n");
	}
	for (unsigned i = 0; i < e->nnotes; i++)
		printf("Note: %s\n", e->notes[i]);
}

static void print_json(const struct explanation *e, uint64_t gpa)
{
	json_t *o = json_object();
	json_object_set_new(o, "gpa", cli_json_hex(gpa));
	json_object_set_new(o, "mode", json_string(e->mode));
	json_t *layers = json_array();
	for (unsigned i = 0; i < e->nlayers; i++) {
		const struct layer *l = &e->layers[i];
		json_t *lj = json_object();
		json_object_set_new(lj, "layer", json_string(l->title));
		json_t *in = json_array();
		for (unsigned j = 0; j < l->nlines; j++)
			json_array_append_new(in, json_string(l->lines[j]));
		json_object_set_new(lj, "details", in);
		json_object_set_new(lj, "result", json_string(l->result));
		json_object_set_new(lj, "rule", json_string(l->rule));
		json_array_append_new(layers, lj);
	}
	json_object_set_new(o, "layers", layers);
	const struct p2mk_mt_result *r = &e->effective;
	bool fault = r->status == P2MK_MT_EPT_MISCONFIG;
	json_object_set_new(o, "effective",
	                    fault ? json_null()
	                          : json_string(p2mk_mt_name(r->type)));
	json_object_set_new(
	    o, "class",
	    json_string(fault ? "fault"
	                      : p2mk_cache_class_name(p2mk_mt_class(r->type))));
	json_object_set_new(o, "must_snoop", json_boolean(r->must_snoop));
	json_object_set_new(o, "verified", json_boolean(r->verified));
	json_t *notes = json_array();
	for (unsigned i = 0; i < e->nnotes; i++)
		json_array_append_new(notes, json_string(e->notes[i]));
	json_object_set_new(o, "notes", notes);
	cli_print_json(o);
}

/* ---- the layers ------------------------------------------------------- */

static unsigned explain_guest_pat(struct explanation *e,
                                  const struct explain_args *a,
                                  const struct p2mk_mtrr_state *guest)
{
	unsigned idx = p2mk_pat_index(a->pte_pat, a->pte_pcd, a->pte_pwt);
	struct layer *l = add_layer(e, "Guest page table -> guest PAT entry");
	layer_line(l,
	           "PTE bits: PAT=%d PCD=%d PWT=%d -> PAT index %u "
	           "(4*PAT + 2*PCD + PWT)",
	           a->pte_pat, a->pte_pcd, a->pte_pwt, idx);
	layer_line(l, "guest IA32_PAT = 0x%016llx%s",
	           (unsigned long long)guest->pat,
	           guest->pat == P2MK_PAT_RESET ? " (power-up value)" : "");
	unsigned type = p2mk_pat_entry(guest->pat, idx);
	snprintf(l->result, sizeof(l->result), "guest PAT type %s (PA%u)",
	         p2mk_mt_name(type), idx);
	l->rule = "SDM vol. 3 11.12.3 PAT index; x86 §6.2";
	return type;
}

static void describe_var_hits(struct layer *l, const struct p2mk_mtrr_state *s,
                              uint64_t hits)
{
	for (unsigned n = 0; n < P2MK_MTRR_VCNT_MAX; n++) {
		if (!(hits & P2MK_BIT(n)))
			continue;
		uint64_t bits = ((UINT64_C(1) << s->maxphyaddr) - 1) &
		                ~(P2MK_PAGE_SIZE - 1);
		uint64_t mask = s->var[n].mask & bits;
		uint64_t base = s->var[n].base & mask;
		uint64_t size = (~mask & bits) + P2MK_PAGE_SIZE;
		layer_line(l,
		           "variable range %u: base 0x%llx size 0x%llx %s "
		           "matches",
		           n, (unsigned long long)base,
		           (unsigned long long)size,
		           p2mk_mt_name((unsigned)(s->var[n].base & 0xff)));
	}
}

static int explain_guest_mtrr(struct explanation *e,
                              const struct explain_args *a,
                              const struct p2mk_mtrr_state *guest)
{
	struct p2mk_mtrr_lookup r =
	    p2mk_mtrr_lookup(guest, a->gpa, 0, a->overlap);
	struct layer *l =
	    add_layer(e, "Guest MTRRs at the guest-physical address");
	if (guest->def_type & P2MK_MTRR_DEF_E)
		layer_line(l, "MTRRs enabled, default type %s, fixed ranges %s",
		           p2mk_mt_name((unsigned)(guest->def_type & 0xff)),
		           (guest->def_type & P2MK_MTRR_DEF_FE) ? "on" : "off");
	else
		layer_line(l, "MTRRdefType.E = 0 (no --msr 0x2ff write enabled "
		              "them)");
	describe_var_hits(l, guest, r.var_hits);
	if (r.kind == P2MK_LOOKUP_UNDEFINED)
		snprintf(l->result, sizeof(l->result), "undefined overlap");
	else
		snprintf(l->result, sizeof(l->result), "guest MTRR type %s",
		         p2mk_mt_name(r.type));
	l->rule = r.rule;
	return r.kind == P2MK_LOOKUP_TYPE ? r.type : -1;
}

static void explain_ept(struct explanation *e, const struct explain_args *a,
                        unsigned guest_pat, int guest_mtrr)
{
	struct layer *l = add_layer(e, "EPT leaf (second stage)");
	layer_line(l, "EMT %s (%u), IPAT %d, guest CR0.CD %d",
	           p2mk_mt_name(a->emt), a->emt, a->ipat, a->cd);
	layer_line(l, "guest and host MTRRs have no effect on guest-physical "
	              "accesses under EPT; the hypervisor folds them into EMT");
	struct p2mk_mt_result r =
	    p2mk_ept_effective(a->emt, a->ipat, guest_pat, a->cd);
	if (r.status == P2MK_MT_EPT_MISCONFIG)
		snprintf(l->result, sizeof(l->result), "EPT misconfiguration");
	else
		snprintf(l->result, sizeof(l->result), "%s",
		         p2mk_mt_name(r.type));
	l->rule = r.rule;
	e->effective = r;
	e->mode = "Intel, EPT";
	if (r.status == P2MK_MT_OK && guest_mtrr >= 0 && !a->ipat &&
	    (unsigned)guest_mtrr != a->emt)
		add_note(e,
		         "the guest believes this range is %s (its MTRRs), "
		         "but only EMT %s reaches the hardware",
		         p2mk_mt_name((unsigned)guest_mtrr),
		         p2mk_mt_name(a->emt));
}

static void explain_native(struct explanation *e, unsigned guest_pat,
                           int guest_mtrr)
{
	struct layer *l = add_layer(e, "PAT x MTRR (no second stage given)");
	layer_line(l, "no --emt: the bare-metal view, as if the guest's MTRRs "
	              "were the CPU's");
	struct p2mk_mt_result r = {.status = P2MK_MT_BAD_INPUT,
	                           .type = P2MK_MT_INVALID};
	if (guest_mtrr >= 0)
		r = p2mk_intel_pat_mtrr((unsigned)guest_mtrr, guest_pat);
	snprintf(l->result, sizeof(l->result), "%s",
	         guest_mtrr >= 0 ? p2mk_mt_name(r.type) : "undefined");
	l->rule = guest_mtrr >= 0 ? r.rule : "undefined MTRR overlap";
	e->effective = r;
	e->mode = "Intel, no virtualisation";
}

static void explain_npt(struct explanation *e, const struct explain_args *a,
                        unsigned guest_pat, int guest_mtrr)
{
	struct layer *l = add_layer(e, "Nested page table entry (host PAT)");
	layer_line(l, "host PAT type selected by the nested PTE: %s",
	           p2mk_mt_name(a->hpat));
	layer_line(l,
	           "AMD has no ignore-PAT bit: the guest's PAT choice always "
	           "takes part");
	struct p2mk_mt_result n = p2mk_npt_guest_host(guest_pat, a->hpat);
	snprintf(l->result, sizeof(l->result), "guest %s x host %s = %s",
	         p2mk_mt_name(guest_pat), p2mk_mt_name(a->hpat),
	         p2mk_mt_name(n.type));
	l->rule = n.rule;

	struct layer *m =
	    add_layer(e, "Host MTRR at the system-physical address");
	layer_line(m, "host MTRR type %s%s", p2mk_mt_name(a->host_mtrr),
	           a->have_host_mtrr ? "" : " (default: host RAM)");
	struct p2mk_mt_result r =
	    p2mk_npt_effective(guest_pat, a->hpat, a->host_mtrr);
	snprintf(m->result, sizeof(m->result), "%s", p2mk_mt_name(r.type));
	m->rule =
	    "APM vol. 2 §7.8 PAT x MTRR with the nested result (x86 §9.1)";
	e->effective = r;
	e->mode = "AMD, nested paging";
	if (guest_mtrr >= 0)
		add_note(e,
		         "the guest MTRRs (%s here) never reach the hardware "
		         "under NPT (x86 §9.3), but guest kernels read them: "
		         "Linux memremap(WB) over a non-WB MTRR range "
		         "records UC- and writes a UC- PTE (x86 §12.2)",
		         p2mk_mt_name((unsigned)guest_mtrr));
}

/* ---- argument parsing ------------------------------------------------- */

static int parse_pte_bits(const char *arg, struct explain_args *a)
{
	char buf[64];
	if (strlen(arg) >= sizeof(buf))
		return cli_usage_error("explain", "--pte-bits is too long");
	memcpy(buf, arg, strlen(arg) + 1);
	a->pte_pat = a->pte_pcd = a->pte_pwt = false;
	if (strcmp(buf, "") == 0 || strcmp(buf, "none") == 0)
		return 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "pat") == 0)
			a->pte_pat = true;
		else if (strcmp(tok, "pcd") == 0)
			a->pte_pcd = true;
		else if (strcmp(tok, "pwt") == 0)
			a->pte_pwt = true;
		else
			return cli_usage_error(
			    "explain",
			    "--pte-bits wants a comma list of "
			    "pat, pcd, pwt (or none), got '%s'",
			    tok);
	}
	return 0;
}

static int parse_type_opt(const char *opt, const char *arg, unsigned *out)
{
	if (!cli_parse_type(arg, out) || *out > 7)
		return cli_usage_error(
		    "explain",
		    "%s wants a memory type (UC UC- WC WT WP "
		    "WB or 0-7), got '%s'",
		    opt, arg);
	return 0;
}

static int parse_option(int c, const char *arg, struct explain_args *a)
{
	switch (c) {
	case OPT_CPU:
		if (strcmp(arg, "intel") != 0 && strcmp(arg, "amd") != 0)
			return cli_usage_error(
			    "explain", "--cpu wants intel or amd, got '%s'",
			    arg);
		a->amd = strcmp(arg, "amd") == 0;
		return 0;
	case OPT_GPA:
		if (!cli_parse_u64(arg, &a->gpa))
			return cli_usage_error(
			    "explain", "--gpa wants an address, got '%s'", arg);
		a->have_gpa = true;
		return 0;
	case OPT_GUEST_PAT:
		if (!cli_parse_u64(arg, &a->guest_pat))
			return cli_usage_error(
			    "explain",
			    "--guest-pat wants a 64-bit value, "
			    "got '%s'",
			    arg);
		a->have_guest_pat = true;
		return 0;
	case OPT_PTE_BITS:
		return parse_pte_bits(arg, a);
	case OPT_OVERLAP:
		if (!p2mk_overlap_parse(arg, &a->overlap))
			return cli_usage_error(
			    "explain",
			    "--overlap wants sdm, xen, kvm or "
			    "linux, got '%s'",
			    arg);
		return 0;
	case OPT_CD:
		a->cd = true;
		return 0;
	case OPT_EMT:
		a->have_emt = true;
		return parse_type_opt("--emt", arg, &a->emt);
	case OPT_IPAT:
		a->ipat = true;
		return 0;
	case OPT_HPAT:
		return parse_type_opt("--hpat", arg, &a->hpat);
	case OPT_HOST_MTRR:
		a->have_host_mtrr = true;
		return parse_type_opt("--host-mtrr", arg, &a->host_mtrr);
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_ARCH:
		/* arm64 was dispatched before parsing; x86 is the default. */
		if (strcmp(arg, "x86") != 0)
			return cli_usage_error(
			    "explain", "--arch wants x86 or arm64, got '%s'",
			    arg);
		return 0;
	default:
		return cli_usage_error("explain",
		                       "unknown or incomplete option (see "
		                       "p2mkit explain --help)");
	}
}

static int parse_args(int argc, char **argv, struct explain_args *a)
{
	static const struct option longopts[] = {
	    CLI_MTRR_LONG_OPTIONS,
	    {"cpu", required_argument, NULL, OPT_CPU},
	    {"gpa", required_argument, NULL, OPT_GPA},
	    {"guest-pat", required_argument, NULL, OPT_GUEST_PAT},
	    {"pte-bits", required_argument, NULL, OPT_PTE_BITS},
	    {"overlap", required_argument, NULL, OPT_OVERLAP},
	    {"cd", no_argument, NULL, OPT_CD},
	    {"emt", required_argument, NULL, OPT_EMT},
	    {"ipat", no_argument, NULL, OPT_IPAT},
	    {"hpat", required_argument, NULL, OPT_HPAT},
	    {"host-mtrr", required_argument, NULL, OPT_HOST_MTRR},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"arch", required_argument, NULL, OPT_ARCH},
	    {NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int shared = cli_mtrr_opt("explain", &a->mtrr, c, optarg);
		if (shared < 0)
			return -shared;
		if (shared == 0) {
			int err = parse_option(c, optarg, a);
			if (err)
				return err;
		}
	}
	if (optind < argc)
		return cli_usage_error("explain", "unexpected argument '%s'",
		                       argv[optind]);
	if (!a->have_gpa)
		return cli_usage_error("explain", "needs --gpa (or --example)");
	if (a->amd && (a->have_emt || a->ipat))
		return cli_usage_error("explain",
		                       "--emt/--ipat are Intel EPT fields; AMD "
		                       "nested paging has no EMT or IPAT");
	if (!a->amd && a->ipat && !a->have_emt)
		return cli_usage_error("explain", "--ipat needs --emt");
	return 0;
}

static void explain_args_init(struct explain_args *a)
{
	memset(a, 0, sizeof(*a));
	a->hpat = P2MK_MT_WB;
	a->host_mtrr = P2MK_MT_WB;
	a->overlap = P2MK_OVERLAP_SDM;
	cli_mtrr_opts_init(&a->mtrr);
}

/*
 * The built-in example (README's main job): Xen's grant table inside the
 * platform-PCI BAR, which hvmloader covers with a UC variable MTRR, on AMD.
 * Linux maps it with memremap(WB); because its MTRR lookup says UC, the
 * kernel writes a UC- PTE (Linux PAT layout, index 2), and without an
 * ignore-PAT bit the nested WB mapping cannot override it.  Spec:
 * landscape-and-users.md §5 item 6, xen-reference-behaviour.md §13.
 */
static char *example_argv[] = {
    "explain", "--cpu", "amd", "--gpa", "0xf1000000",
    /* Linux PAT: WB WC UC- UC WB WP UC- WT */
    "--guest-pat", "0x0407050600070106", "--pte-bits", "pcd",
    /* hvmloader-style: default WB, PCI hole 0xf0000000-0xffffffff UC */
    "--maxphyaddr", "36", "--msr", "0x200=0xf0000000", "--msr",
    "0x201=0xff0000800", "--msr", "0x2ff=0xc06",
    /* Xen maps grant frames with host PAT WB; the frame is host RAM */
    "--hpat", "WB", "--host-mtrr", "WB", NULL};

static int run_explain(struct explain_args *a)
{
	struct p2mk_mtrr_state guest;
	struct p2mk_gp gp;
	int bad = cli_mtrr_build(&a->mtrr, &guest, &gp);
	if (bad == -2)
		return cli_usage_error("explain", "invalid CPU configuration");
	if (bad >= 0)
		return cli_usage_error("explain", "--msr %s: #GP: %s",
		                       a->mtrr.text[bad], gp.reason);
	if (a->have_guest_pat &&
	    p2mk_mtrr_wrmsr(&guest, P2MK_MSR_PAT, a->guest_pat, &gp) != P2MK_OK)
		return cli_usage_error("explain", "--guest-pat: #GP: %s",
		                       gp.reason);

	struct explanation e;
	memset(&e, 0, sizeof(e));
	unsigned guest_pat = explain_guest_pat(&e, a, &guest);
	int guest_mtrr = explain_guest_mtrr(&e, a, &guest);
	if (a->amd)
		explain_npt(&e, a, guest_pat, guest_mtrr);
	else if (a->have_emt)
		explain_ept(&e, a, guest_pat, guest_mtrr);
	else
		explain_native(&e, guest_pat, guest_mtrr);
	if (!a->amd && !a->have_emt && a->have_host_mtrr)
		add_note(&e, "--host-mtrr has no direct effect on Intel: "
		             "hypervisors fold the host MTRR into EMT (give "
		             "--emt to see the EPT view)");
	if (a->json)
		print_json(&e, a->gpa);
	else
		print_text(&e, a->gpa);
	return e.effective.status == P2MK_MT_EPT_MISCONFIG ? CLI_EXIT_FAIL
	                                                   : CLI_EXIT_OK;
}

static bool has_arg(int argc, char **argv, const char *want)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], want) == 0)
			return true;
	}
	return false;
}

int cmd_explain(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--arch") == 0 &&
		    strcmp(argv[i + 1], "arm64") == 0)
			return cmd_explain_arm64(argc, argv);
	}
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--policy", 8) == 0)
			return cmd_explain_policy(argc, argv);
	}
	if (cli_wants_help(argc, argv)) {
		fputs(explain_usage, stdout);
		return CLI_EXIT_OK;
	}
	struct explain_args a;
	explain_args_init(&a);
	if (has_arg(argc, argv, "--example")) {
		int n =
		    (int)(sizeof(example_argv) / sizeof(example_argv[0])) - 1;
		int err = parse_args(n, example_argv, &a);
		if (err)
			return err;
		a.json = has_arg(argc, argv, "--json");
		if (argc > 2 + (a.json ? 1 : 0))
			return cli_usage_error("explain",
			                       "--example takes only --json");
		if (!a.json)
			printf("Example: Xen HVM guest on AMD; Linux maps the "
			       "grant table (in the platform-PCI BAR, which "
			       "hvmloader covers with a UC MTRR) with "
			       "memremap(WB).\n\n");
		int rc = run_explain(&a);
		if (!a.json)
			printf("Fix: on Intel, Xen gives grant frames WB + "
			       "IPAT "
			       "in EPT (8af4b47f06), hiding the guest's UC-; "
			       "on "
			       "AMD there is no IPAT, so Xen 22650d6054 adds "
			       "xen_platform_pci_bar_uc=0 to keep the BAR out "
			       "of the UC MTRR (1.1 -> 4.5 Gb/s vm->dom0).\n");
		return rc;
	}
	int err = parse_args(argc, argv, &a);
	if (err)
		return err;
	return run_explain(&a);
}
