// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit explain: walk one guest access through every layer that decides
 * its memory type, saying at each layer what came in, what came out and
 * which rule decided it.
 *
 * x86 layers: guest page-table bits -> guest PAT entry -> guest MTRRs ->
 * second stage (Intel EPT EMT/IPAT, or AMD nested PTE host PAT then host
 * MTRR) -> effective type.  Forms: `explain` (Intel), `explain --cpu amd`,
 * `explain --example`; ARM64 and policies are in their own files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#include "cli.h"

struct explain_args {
	struct cli_mtrr_state ms;
	uint64_t gpa, guest_pat;
	unsigned cpu, arch, pte, overlap, emt, hpat, host_mtrr;
	bool cd, ipat, example;
};

#define ARG(field) offsetof(struct explain_args, field)

enum { CPU_INTEL, CPU_AMD };
enum { PTE_PWT = 1, PTE_PCD = 2, PTE_PAT = 4 };

static const struct cli_choice cpu_names[] = {
    {"intel", CPU_INTEL}, {"amd", CPU_AMD}, {NULL, 0}};
static const struct cli_choice pte_names[] = {
    {"pat", PTE_PAT}, {"pcd", PTE_PCD}, {"pwt", PTE_PWT}, {NULL, 0}};
static const struct cli_choice overlap_names[] = {{"sdm", P2MK_OVERLAP_SDM},
                                                  {"xen", P2MK_OVERLAP_XEN},
                                                  {"kvm", P2MK_OVERLAP_KVM},
                                                  {"linux", P2MK_OVERLAP_LINUX},
                                                  {NULL, 0}};

#define OPT_ARCH                                                               \
	{                                                                      \
		.name = "arch", .type = CLI_CHOICE, .off = ARG(arch),          \
		.metavar = "ARCH", .choices = cli_arch_names,                  \
		.help = "x86 (default) or arm64 (explain --arch arm64 --help)" \
	}
#define OPT_CPU                                                                \
	{                                                                      \
		.name = "cpu", .type = CLI_CHOICE, .off = ARG(cpu),            \
		.metavar = "CPU", .choices = cpu_names,                        \
		.help = "intel (default: EPT) or amd (nested paging)"          \
	}
#define OPTS_GUEST                                                             \
	{.name = "gpa",                                                        \
	 .type = CLI_ADDR,                                                     \
	 .off = ARG(gpa),                                                      \
	 .flags = CLI_REQUIRED,                                                \
	 .metavar = "0xADDR",                                                  \
	 .help = "the guest-physical address accessed"},                       \
	    {.name = "guest-pat",                                              \
	     .type = CLI_HEX,                                                  \
	     .off = ARG(guest_pat),                                            \
	     .metavar = "0xVAL",                                               \
	     .help = "the guest's IA32_PAT (default: power-up value)"},        \
	    {.name = "pte-bits",                                               \
	     .type = CLI_FLAGS,                                                \
	     .off = ARG(pte),                                                  \
	     .metavar = "LIST",                                                \
	     .choices = pte_names,                                             \
	     .help = "guest PTE bits set: pat,pcd,pwt or none (default)"},     \
	{                                                                      \
		.name = "overlap", .type = CLI_CHOICE, .off = ARG(overlap),    \
		.metavar = "P", .choices = overlap_names,                      \
		.help = "undefined MTRR overlaps: sdm, xen, kvm or linux"      \
	}

const struct cli_choice cli_arch_names[] = {
    {"x86", 0}, {"arm64", 1}, {NULL, 0}};

static const struct cli_opt intel_opts[] = {
    OPT_ARCH,
    OPT_CPU,
    OPTS_GUEST,
    {.name = "emt",
     .type = CLI_MEMTYPE,
     .off = ARG(emt),
     .metavar = "T",
     .sub = CLI_MT_ANY,
     .help = "the EPT leaf's EMT (without it: the bare-metal view)"},
    {.name = "ipat",
     .type = CLI_FLAG,
     .off = ARG(ipat),
     .help = "the EPT leaf's ignore-PAT bit (needs --emt)"},
    {.name = "cd",
     .type = CLI_FLAG,
     .off = ARG(cd),
     .help = "the guest runs with CR0.CD = 1"},
};
static const struct cli_opt amd_opts[] = {
    OPT_ARCH,
    OPT_CPU,
    OPTS_GUEST,
    {.name = "hpat",
     .type = CLI_MEMTYPE,
     .off = ARG(hpat),
     .metavar = "T",
     .sub = CLI_MT_PAT,
     .help = "host PAT type the nested PTE selects (default WB)"},
    {.name = "host-mtrr",
     .type = CLI_MEMTYPE,
     .off = ARG(host_mtrr),
     .metavar = "T",
     .sub = CLI_MT_MTRR,
     .help = "host MTRR type of the system-physical address (WB)"},
};
static const struct cli_group intel_groups[] = {
    CLI_GROUP(intel_opts, 0),
    CLI_GROUP(cli_mtrr_state_opts, ARG(ms)),
    {NULL, 0, 0}};
static const struct cli_group amd_groups[] = {
    CLI_GROUP(amd_opts, 0),
    CLI_GROUP(cli_mtrr_state_opts, ARG(ms)),
    {NULL, 0, 0}};

static void explain_init(void *args)
{
	struct explain_args *a = args;
	cli_mtrr_state_init(&a->ms);
	a->guest_pat = P2MK_PAT_RESET;
	/* Defaults: how Xen and KVM map guest RAM (host PAT WB, host RAM). */
	a->hpat = P2MK_MT_WB;
	a->host_mtrr = P2MK_MT_WB;
	a->overlap = P2MK_OVERLAP_SDM;
}

static unsigned explain_maxphyaddr(const void *args)
{
	return cli_mtrr_state_maxphyaddr(
	    &((const struct explain_args *)args)->ms);
}

static int intel_check(struct cli_ctx *c, void *args)
{
	const struct explain_args *a = args;
	if (a->ipat && !cli_given(c, "emt"))
		return cli_fail(c, CLI_EXIT_USAGE, "--ipat needs --emt");
	return 0;
}

/* ---- the record: layers, effective type, notes ------------------------ */

static json_t *add_layer(json_t *rec, const char *title)
{
	json_t *l = json_pack("{s:s, s:[], s:s, s:s}", "layer", title,
	                      "details", "result", "", "rule", "");
	json_array_append_new(json_object_get(rec, "layers"), l);
	return l;
}

static void add_text(json_t *obj, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends to array @key, or sets string @key, of @obj. */
static void add_text(json_t *obj, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *s = json_vsprintf(fmt, ap);
	va_end(ap);
	json_t *arr = json_object_get(obj, key);
	if (json_is_array(arr))
		json_array_append_new(arr, s);
	else
		json_object_set_new(obj, key, s);
}

static const char *meaning(unsigned mt)
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

static void set_effective(json_t *rec, const struct p2mk_mt_result *r)
{
	bool fault = r->status == P2MK_MT_EPT_MISCONFIG;
	bool none = r->type == P2MK_MT_INVALID || fault;
	json_object_set_new(rec, "effective",
	                    none ? json_null()
	                         : json_string(p2mk_mt_name(r->type)));
	json_object_set_new(
	    rec, "class",
	    json_string(fault ? "fault"
	                      : p2mk_cache_class_name(p2mk_mt_class(r->type))));
	json_object_set_new(rec, "meaning",
	                    json_string(fault ? "the access takes an EPT "
	                                        "misconfiguration exit"
	                                      : meaning(r->type)));
	json_object_set_new(rec, "must_snoop", json_boolean(r->must_snoop));
	json_object_set_new(rec, "verified", json_boolean(r->verified));
}

/* ---- the layers ------------------------------------------------------- */

static unsigned explain_guest_pat(json_t *rec, const struct explain_args *a,
                                  const struct p2mk_mtrr_state *guest)
{
	bool pat = a->pte & PTE_PAT, pcd = a->pte & PTE_PCD,
	     pwt = a->pte & PTE_PWT;
	unsigned idx = p2mk_pat_index(pat, pcd, pwt);
	json_t *l = add_layer(rec, "Guest page table -> guest PAT entry");
	add_text(l, "details",
	         "PTE bits: PAT=%d PCD=%d PWT=%d -> PAT index %u "
	         "(4*PAT + 2*PCD + PWT)",
	         pat, pcd, pwt, idx);
	add_text(l, "details", "guest IA32_PAT = 0x%016llx%s",
	         (unsigned long long)guest->pat,
	         guest->pat == P2MK_PAT_RESET ? " (power-up value)" : "");
	unsigned type = p2mk_pat_entry(guest->pat, idx);
	add_text(l, "result", "guest PAT type %s (PA%u)", p2mk_mt_name(type),
	         idx);
	add_text(l, "rule", "SDM vol. 3 11.12.3 PAT index; x86 §6.2");
	return type;
}

static void describe_var_hits(json_t *l, const struct p2mk_mtrr_state *s,
                              uint64_t hits)
{
	uint64_t bits =
	    ((UINT64_C(1) << s->maxphyaddr) - 1) & ~(P2MK_PAGE_SIZE - 1);
	for (unsigned n = 0; n < P2MK_MTRR_VCNT_MAX; n++) {
		if (!(hits & P2MK_BIT(n)))
			continue;
		uint64_t mask = s->var[n].mask & bits;
		uint64_t base = s->var[n].base & mask;
		uint64_t size = (~mask & bits) + P2MK_PAGE_SIZE;
		add_text(
		    l, "details",
		    "variable range %u: base 0x%llx size 0x%llx %s matches", n,
		    (unsigned long long)base, (unsigned long long)size,
		    p2mk_mt_name((unsigned)(s->var[n].base & 0xff)));
	}
}

static int explain_guest_mtrr(json_t *rec, const struct explain_args *a,
                              const struct p2mk_mtrr_state *guest)
{
	struct p2mk_mtrr_lookup r = p2mk_mtrr_lookup(
	    guest, p2mk_gpa(a->gpa), 0, (enum p2mk_overlap)a->overlap);
	json_t *l = add_layer(rec, "Guest MTRRs at the guest-physical address");
	if (guest->def_type & P2MK_MTRR_DEF_E)
		add_text(l, "details",
		         "MTRRs enabled, default type %s, fixed ranges %s",
		         p2mk_mt_name((unsigned)(guest->def_type & 0xff)),
		         (guest->def_type & P2MK_MTRR_DEF_FE) ? "on" : "off");
	else
		add_text(l, "details",
		         "MTRRdefType.E = 0 (no --msr 0x2ff "
		         "write enabled them)");
	describe_var_hits(l, guest, r.var_hits);
	if (r.kind == P2MK_LOOKUP_UNDEFINED)
		add_text(l, "result", "undefined overlap");
	else
		add_text(l, "result", "guest MTRR type %s",
		         p2mk_mt_name(r.type));
	add_text(l, "rule", "%s", r.rule);
	return r.kind == P2MK_LOOKUP_TYPE ? (int)r.type : -1;
}

static struct p2mk_mt_result explain_ept(json_t *rec,
                                         const struct explain_args *a,
                                         unsigned guest_pat, int guest_mtrr)
{
	json_t *l = add_layer(rec, "EPT leaf (second stage)");
	add_text(l, "details", "EMT %s (%u), IPAT %d, guest CR0.CD %d",
	         p2mk_mt_name(a->emt), a->emt, a->ipat, a->cd);
	add_text(l, "details",
	         "guest and host MTRRs have no effect on guest-physical "
	         "accesses under EPT; the hypervisor folds them into EMT");
	struct p2mk_mt_result r =
	    p2mk_ept_effective(a->emt, a->ipat, guest_pat, a->cd);
	if (r.status == P2MK_MT_EPT_MISCONFIG)
		add_text(l, "result", "EPT misconfiguration");
	else
		add_text(l, "result", "%s", p2mk_mt_name(r.type));
	add_text(l, "rule", "%s", r.rule);
	if (r.status == P2MK_MT_OK && guest_mtrr >= 0 && !a->ipat &&
	    (unsigned)guest_mtrr != a->emt)
		add_text(rec, "notes",
		         "the guest believes this range is %s (its MTRRs), "
		         "but only EMT %s reaches the hardware",
		         p2mk_mt_name((unsigned)guest_mtrr),
		         p2mk_mt_name(a->emt));
	return r;
}

static struct p2mk_mt_result explain_native(json_t *rec, unsigned guest_pat,
                                            int guest_mtrr)
{
	json_t *l = add_layer(rec, "PAT x MTRR (no second stage given)");
	add_text(l, "details",
	         "no --emt: the bare-metal view, as if the "
	         "guest's MTRRs were the CPU's");
	struct p2mk_mt_result r = {.status = P2MK_MT_BAD_INPUT,
	                           .type = P2MK_MT_INVALID,
	                           .rule = "undefined MTRR overlap"};
	if (guest_mtrr >= 0)
		r = p2mk_intel_pat_mtrr((unsigned)guest_mtrr, guest_pat);
	add_text(l, "result", "%s",
	         guest_mtrr >= 0 ? p2mk_mt_name(r.type) : "undefined");
	add_text(l, "rule", "%s", r.rule);
	return r;
}

static struct p2mk_mt_result explain_npt(json_t *rec,
                                         const struct explain_args *a,
                                         unsigned guest_pat, int guest_mtrr)
{
	json_t *l = add_layer(rec, "Nested page table entry (host PAT)");
	add_text(l, "details", "host PAT type selected by the nested PTE: %s",
	         p2mk_mt_name(a->hpat));
	add_text(l, "details",
	         "AMD has no ignore-PAT bit: the guest's PAT "
	         "choice always takes part");
	struct p2mk_mt_result n = p2mk_npt_guest_host(guest_pat, a->hpat);
	add_text(l, "result", "guest %s x host %s = %s",
	         p2mk_mt_name(guest_pat), p2mk_mt_name(a->hpat),
	         p2mk_mt_name(n.type));
	add_text(l, "rule", "%s", n.rule);

	json_t *m = add_layer(rec, "Host MTRR at the system-physical address");
	add_text(m, "details", "host MTRR type %s%s",
	         p2mk_mt_name(a->host_mtrr),
	         a->host_mtrr == P2MK_MT_WB ? " (host RAM)" : "");
	struct p2mk_mt_result r =
	    p2mk_npt_effective(guest_pat, a->hpat, a->host_mtrr);
	add_text(m, "result", "%s", p2mk_mt_name(r.type));
	add_text(m, "rule",
	         "APM vol. 2 §7.8 PAT x MTRR with the nested "
	         "result (x86 §9.1)");
	if (guest_mtrr >= 0)
		add_text(rec, "notes",
		         "the guest MTRRs (%s here) never reach the hardware "
		         "under NPT (x86 §9.3), but guest kernels read them: "
		         "Linux memremap(WB) over a non-WB MTRR range "
		         "records UC- and writes a UC- PTE (x86 §12.2)",
		         p2mk_mt_name((unsigned)guest_mtrr));
	return r;
}

/* Builds the record for @a; CLI_EXIT_FAIL if the access faults. */
static int explain_x86(struct cli_ctx *c, const struct explain_args *a,
                       bool amd)
{
	struct p2mk_mtrr_state guest;
	struct p2mk_gp gp;
	int bad = cli_mtrr_state_build(&a->ms, &guest, &gp);
	if (bad == -2)
		return cli_fail(c, CLI_EXIT_USAGE, "invalid CPU configuration");
	if (bad >= 0)
		return cli_mtrr_gp_fail(c, &a->ms, bad, &gp);
	if (p2mk_mtrr_wrmsr(&guest, P2MK_MSR_PAT, a->guest_pat, &gp) != P2MK_OK)
		return cli_fail(c, CLI_EXIT_USAGE, "--guest-pat: #GP: %s",
		                gp.reason);
	json_t *rec =
	    json_pack("{s:o, s:s, s:[]}", "gpa", rep_hex(a->gpa), "mode",
	              amd                   ? "AMD, nested paging"
	              : cli_given(c, "emt") ? "Intel, EPT"
	                                    : "Intel, no "
	                                      "virtualisation",
	              "layers");
	unsigned guest_pat = explain_guest_pat(rec, a, &guest);
	int guest_mtrr = explain_guest_mtrr(rec, a, &guest);
	json_object_set_new(rec, "notes", json_array());
	struct p2mk_mt_result r =
	    amd                   ? explain_npt(rec, a, guest_pat, guest_mtrr)
	    : cli_given(c, "emt") ? explain_ept(rec, a, guest_pat, guest_mtrr)
	                          : explain_native(rec, guest_pat, guest_mtrr);
	set_effective(rec, &r);
	cli_record(c, rec);
	return r.status == P2MK_MT_EPT_MISCONFIG ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static int intel_run(struct cli_ctx *c, void *args)
{
	return explain_x86(c, args, false);
}

static int amd_run(struct cli_ctx *c, void *args)
{
	return explain_x86(c, args, true);
}

static void text_layers(struct rep_out *out, const json_t *rec)
{
	size_t i, j;
	const json_t *l, *d;
	json_array_foreach(rep_get(rec, "layers"), i, l)
	{
		rep_printf(out, "%zu. %s\n", i + 1, rep_str(l, "layer"));
		json_array_foreach(rep_get(l, "details"), j, d)
		{
			rep_printf(out, "     %s\n", json_string_value(d));
		}
		rep_printf(out, "   -> %s", rep_str(l, "result"));
		if (rep_str(l, "rule")[0] != '\0')
			rep_printf(out, "   [%s]", rep_str(l, "rule"));
		rep_printf(out, "\n\n");
	}
}

static void explain_text(struct rep_out *out, const json_t *rec)
{
	if (rep_has(rec, "example"))
		rep_printf(out, "Example: %s\n\n", rep_str(rec, "example"));
	rep_printf(out, "Access to guest-physical %s (%s)\n\n",
	           rep_str(rec, "gpa"), rep_str(rec, "mode"));
	text_layers(out, rec);
	const char *eff =
	    rep_has(rec, "effective") ? rep_str(rec, "effective") : "none";
	rep_printf(out, "Effective: %s -- %s%s\n", eff, rep_str(rec, "meaning"),
	           rep_bool(rec, "must_snoop") ? " (caches still snooped)"
	                                       : "");
	if (!rep_bool(rec, "verified"))
		rep_printf(out, "           (uses a table cell the spec marks "
		                "UNVERIFIED: docs/amd-unverified.md)\n");
	size_t i;
	const json_t *n;
	json_array_foreach(rep_get(rec, "notes"), i, n)
	{
		rep_printf(out, "Note: %s\n", json_string_value(n));
	}
	if (rep_has(rec, "fix"))
		rep_printf(out, "Fix: %s\n", rep_str(rec, "fix"));
}

static const char explain_about[] =
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
    "or uncached.  Other forms: explain --cpu amd, explain --example, "
    "explain --arch arm64,\n"
    "explain --policy NAME (each with --help).\n";

const struct cli_form cli_form_explain = {
    .command = "explain",
    .summary = "an x86 access layer by layer on Intel: PAT, MTRR, EPT",
    .about = explain_about,
    .exits = "0 ok, 1 the access faults (EPT misconfiguration), 2 bad "
             "usage.",
    .groups = intel_groups,
    .args_size = sizeof(struct explain_args),
    .init = explain_init,
    .check = intel_check,
    .run = intel_run,
    .text = explain_text,
    .maxphyaddr = explain_maxphyaddr,
};

const struct cli_form cli_form_explain_amd = {
    .command = "explain",
    .select = "cpu=amd",
    .summary = "an x86 access on AMD: guest PAT, MTRR, nested PAT, host "
               "MTRR",
    .about = explain_about,
    .exits = "0 ok, 2 bad usage.",
    .groups = amd_groups,
    .args_size = sizeof(struct explain_args),
    .init = explain_init,
    .run = amd_run,
    .text = explain_text,
    .maxphyaddr = explain_maxphyaddr,
};

/* ---- the built-in example --------------------------------------------- */

/*
 * README's main job: Xen's grant table inside the platform-PCI BAR, which
 * hvmloader covers with a UC variable MTRR, on AMD.  Linux maps it with
 * memremap(WB); because its MTRR lookup says UC, the kernel writes a UC-
 * PTE (Linux PAT layout, index 2), and without an ignore-PAT bit the nested
 * WB mapping cannot override it.  Spec: landscape-and-users.md §5 item 6,
 * xen-reference-behaviour.md §13.
 */
static int example_run(struct cli_ctx *c, void *args)
{
	(void)args;
	struct explain_args a;
	explain_init(&a);
	a.gpa = 0xf1000000;
	a.guest_pat = UINT64_C(0x0407050600070106); /* Linux's PAT layout */
	a.pte = PTE_PCD;
	/* hvmloader-style: default WB, PCI hole 0xf0000000-0xffffffff UC */
	static const struct {
		uint32_t msr;
		uint64_t value;
		const char *text;
	} w[] = {{0x200, 0xf0000000, "0x200=0xf0000000"},
	         {0x201, 0xff0000800, "0x201=0xff0000800"},
	         {0x2ff, 0xc06, "0x2ff=0xc06"}};
	for (unsigned i = 0; i < 3; i++) {
		a.ms.msrs.msr[i] = w[i].msr;
		a.ms.msrs.value[i] = w[i].value;
		a.ms.msrs.text[i] = w[i].text;
	}
	a.ms.msrs.n = 3;
	/* Xen maps grant frames with host PAT WB; the frame is host RAM. */
	int rc = explain_x86(c, &a, true);
	json_object_set_new(
	    c->record, "example",
	    json_string("Xen HVM guest on AMD; Linux maps the grant table (in "
	                "the platform-PCI BAR, which hvmloader covers with a "
	                "UC MTRR) with memremap(WB)."));
	json_object_set_new(
	    c->record, "fix",
	    json_string("on Intel, Xen gives grant frames WB + IPAT in EPT "
	                "(8af4b47f06), hiding the guest's UC-; on AMD there is "
	                "no IPAT, so Xen 22650d6054 adds "
	                "xen_platform_pci_bar_uc=0 to keep the BAR out of the "
	                "UC MTRR (1.1 -> 4.5 Gb/s vm->dom0)."));
	return rc;
}

static const struct cli_opt example_opts[] = {
    {.name = "example",
     .type = CLI_FLAG,
     .off = ARG(example),
     .help = "explain the built-in example"},
};
static const struct cli_group example_groups[] = {CLI_GROUP(example_opts, 0),
                                                  {NULL, 0, 0}};

const struct cli_form cli_form_explain_example = {
    .command = "explain",
    .select = "example",
    .summary = "Xen's grant table in a UC MTRR hole on AMD, explained",
    .exits = "0 ok.",
    .groups = example_groups,
    .args_size = sizeof(struct explain_args),
    .run = example_run,
    .text = explain_text,
};
