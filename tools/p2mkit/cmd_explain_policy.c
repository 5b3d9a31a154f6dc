// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit explain --policy NAME: which branch of a hypervisor's memory-type
 * policy decides one second-stage entry, from a description of the mapping
 * (p2m type, gfn/mfn/order) and of the domain state the policy reads.  The
 * policies are the core library's (src/policy/, docs/policies.md); each is
 * explained in its own hypervisor's terms (policy_terms.h), and options for
 * state the chosen policy does not read are refused.
 */
#include <stddef.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>
#include <p2mkit/p2m.h>
#include <p2mkit/policy.h>
#include <p2mkit/policy_terms.h>

#include "cli.h"

struct policy_args {
	struct cli_mtrr_state ms;
	const char *policy, *pin_range;
	unsigned type, order, host_mtrr, guest_pat, pin, devices, ioports;
	uint64_t gfn, mfn, s1;
	bool iommu, iomem, ro, special, vfio, pref, hostc, ncdma, self_snoop;
	bool guest_cd, cd_nw, fullc, fwb, dic;
	/* Filled by the check: the policy and the pinned range. */
	const struct p2mk_policy *pol;
	uint64_t pin_first, pin_last;
};

#define ARG(field) offsetof(struct policy_args, field)
#define FLAG(n, field, h)                                                      \
	{                                                                      \
		.name = (n), .type = CLI_FLAG, .off = ARG(field), .help = (h)  \
	}

static const struct cli_choice p2mt_names[] = {
    {"ram_rw", P2MK_P2M_RAM_RW},
    {"ram_ro", P2MK_P2M_RAM_RO},
    {"ram_logdirty", P2MK_P2M_RAM_LOGDIRTY},
    {"mmio_dm", P2MK_P2M_MMIO_DM},
    {"mmio_direct", P2MK_P2M_MMIO_DIRECT},
    {"grant_map_rw", P2MK_P2M_GRANT_RW},
    {"grant_map_ro", P2MK_P2M_GRANT_RO},
    {"map_foreign", P2MK_P2M_FOREIGN},
    {"ram_shared", P2MK_P2M_RAM_SHARED},
    {"ioreq_server", P2MK_P2M_IOREQ_SERVER},
    {"populate_on_demand", P2MK_P2M_POD},
    {"ram_paging_out", P2MK_P2M_PAGING_OUT},
    {"ram_paged", P2MK_P2M_PAGED},
    {"ram_paging_in", P2MK_P2M_PAGING_IN},
    {"ram_broken", P2MK_P2M_RAM_BROKEN},
    {"invalid", P2MK_P2M_INVALID},
    {NULL, 0}};

static const struct cli_opt policy_opts[] = {
    {.name = "policy",
     .type = CLI_STRING,
     .off = ARG(policy),
     .max = 64,
     .flags = CLI_REQUIRED,
     .metavar = "NAME",
     .help = "the policy (list: print them all)"},
    {.name = "type",
     .type = CLI_CHOICE,
     .off = ARG(type),
     .metavar = "T",
     .choices = p2mt_names,
     .help = "p2m type of the entry (ram_rw)"},
    {.name = "gfn",
     .type = CLI_FRAME,
     .off = ARG(gfn),
     .metavar = "0xGFN",
     .help = "guest frame number of the block (0x100)"},
    {.name = "mfn",
     .type = CLI_FRAME,
     .off = ARG(mfn),
     .metavar = "0xMFN",
     .help = "machine frame number of the block (0x100)"},
    {.name = "order",
     .type = CLI_DEC,
     .off = ARG(order),
     .max = 18,
     .metavar = "K",
     .help = "block of 2^K frames: 0, 9 or 18 (0)"},
    {.name = "host-mtrr",
     .type = CLI_MEMTYPE,
     .off = ARG(host_mtrr),
     .metavar = "T",
     .sub = CLI_MT_MTRR,
     .help = "uniform host MTRR type (default: none, i.e. WB)"},
    FLAG("iommu", iommu, "the IOMMU is enabled for the domain"),
    FLAG("iomem", iomem, "the mfn block is an I/O range of the domain"),
    {.name = "devices",
     .type = CLI_DEC,
     .off = ARG(devices),
     .max = 1000,
     .metavar = "N",
     .help = "assigned PCI devices"},
    {.name = "ioports",
     .type = CLI_DEC,
     .off = ARG(ioports),
     .max = 1000,
     .metavar = "N",
     .help = "I/O-port ranges granted to the domain"},
    FLAG("ro-mmio", ro, "the mfn block is read-only MMIO"),
    FLAG("special", special, "the mfn block is host-shared special pages"),
    {.name = "pin",
     .type = CLI_MEMTYPE,
     .off = ARG(pin),
     .metavar = "T",
     .sub = CLI_MT_PAT,
     .help = "a pinned cache attribute over the block"},
    {.name = "pin-range",
     .type = CLI_STRING,
     .off = ARG(pin_range),
     .max = 64,
     .metavar = "0xS:0xE:T",
     .help = "a pinned attribute over gfns S..E (inclusive)"},
    FLAG("vfio", vfio, "the I/O range is a vfio-pci BAR"),
    FLAG("prefetchable", pref, "the I/O range is a prefetchable BAR"),
    FLAG("host-cacheable", hostc, "the host maps the range cacheable"),
    FLAG("noncoherent-dma", ncdma, "a device without snoop control"),
    FLAG("self-snoop", self_snoop, "the CPU self-snoops"),
    FLAG("guest-cd", guest_cd, "the guest runs with CR0.CD = 1"),
    FLAG("cd-nw-quirk", cd_nw, "KVM_X86_QUIRK_CD_NW_CLEARED is on"),
    FLAG("full-cacheability", fullc, "proposed CDF_full_cacheability"),
    FLAG("fwb", fwb, "arm64: FEAT_S2FWB in use"),
    FLAG("dic", dic, "arm64: CTR_EL0.DIC = 1"),
    {.name = "guest-pat",
     .type = CLI_MEMTYPE,
     .off = ARG(guest_pat),
     .metavar = "T",
     .sub = CLI_MT_PAT,
     .help = "x86: the guest PAT type: also give the effective type"},
    {.name = "s1",
     .type = CLI_HEX,
     .off = ARG(s1),
     .max = 0xff,
     .metavar = "0xNN",
     .help = "arm64: stage-1 MAIR attribute: also combine (arm64 §5-§7)"},
};
static const struct cli_group policy_groups[] = {
    CLI_GROUP(policy_opts, 0),
    CLI_GROUP(cli_mtrr_state_opts, ARG(ms)),
    {NULL, 0, 0}};

static void policy_init(void *args)
{
	struct policy_args *a = args;
	cli_mtrr_state_init(&a->ms);
	a->type = P2MK_P2M_RAM_RW;
	a->gfn = a->mfn = 0x100;
	/* --host-mtrr's documented default: the NPT effective type is
	 * combined with WB host MTRRs unless one is given (x86 §9.1). */
	a->host_mtrr = P2MK_MT_WB;
}

static unsigned policy_maxphyaddr(const void *args)
{
	return cli_mtrr_state_maxphyaddr(
	    &((const struct policy_args *)args)->ms);
}

/* ---- which options each policy reads ---------------------------------- */

#define ARCH(a) (1u << P2MK_ARCH_##a)

/* An option applies if the policy reads @input, or its arch is in @archs
 * (the option then feeds the effective type, not the decision). */
static const struct {
	const char *opt;
	int input;
	unsigned archs;
} applies[] = {
    {"msr", P2MK_POLIN_GUEST_MTRR, 0},
    {"vcnt", P2MK_POLIN_GUEST_MTRR, 0},
    {"no-fixed", P2MK_POLIN_GUEST_MTRR, 0},
    {"no-wc", P2MK_POLIN_GUEST_MTRR, 0},
    {"host-mtrr", P2MK_POLIN_HOST_MTRR, ARCH(X86_NPT)},
    {"iommu", P2MK_POLIN_IOMMU, 0},
    {"iomem", P2MK_POLIN_IO_RANGES, 0},
    {"devices", P2MK_POLIN_IO_CAPS, 0},
    {"ioports", P2MK_POLIN_IO_CAPS, 0},
    {"vfio", P2MK_POLIN_IO_FLAGS, 0},
    {"prefetchable", P2MK_POLIN_IO_FLAGS, 0},
    {"host-cacheable", P2MK_POLIN_IO_FLAGS, 0},
    {"ro-mmio", P2MK_POLIN_MMIO_RO, 0},
    {"special", P2MK_POLIN_SPECIAL, 0},
    {"pin", P2MK_POLIN_PINNED, 0},
    {"pin-range", P2MK_POLIN_PINNED, 0},
    {"full-cacheability", P2MK_POLIN_FULL_CACHEABILITY, 0},
    {"noncoherent-dma", P2MK_POLIN_NONCOHERENT_DMA, 0},
    {"self-snoop", P2MK_POLIN_SELF_SNOOP, 0},
    {"guest-cd", P2MK_POLIN_GUEST_CD, ARCH(X86_EPT)},
    {"cd-nw-quirk", P2MK_POLIN_CD_NW_QUIRK, 0},
    {"fwb", P2MK_POLIN_FWB, 0},
    {"dic", P2MK_POLIN_DIC, 0},
    {"guest-pat", -1, ARCH(X86_EPT) | ARCH(X86_NPT)},
    {"s1", -1, ARCH(ARM64)},
};

/* "name1, name2" of the inputs @t reads, in its own terms. */
static void read_names(const struct p2mk_policy_terms *t, char *buf, size_t len)
{
	snprintf(buf, len, "only the mapping");
	size_t used = 0;
	for (unsigned i = 0; i < P2MK_POLIN_COUNT; i++) {
		if (!(t->inputs & (UINT32_C(1) << i)) || used >= len)
			continue;
		int n = snprintf(buf + used, len - used, "%s%s",
		                 used ? "; " : "", t->input_names[i]);
		used += n > 0 ? (size_t)n : 0;
	}
}

static int check_applies(struct cli_ctx *c, const struct p2mk_policy *pol)
{
	const struct p2mk_policy_terms *t = p2mk_policy_terms_of(pol);
	char reads[320];
	for (size_t i = 0; i < sizeof(applies) / sizeof(applies[0]); i++) {
		bool reads_it = applies[i].input >= 0 &&
		                (t->inputs & (UINT32_C(1) << applies[i].input));
		if (!cli_given(c, applies[i].opt) || reads_it ||
		    (applies[i].archs & (1u << pol->arch)))
			continue;
		read_names(t, reads, sizeof(reads));
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--%s does not apply to %s (%s reads %s)",
		                applies[i].opt, pol->name, t->decider, reads);
	}
	return 0;
}

/* --pin-range 0xS:0xE:T, parsed with the layer's own value parsers. */
static int parse_pin_range(struct cli_ctx *c, struct policy_args *a)
{
	char buf[72], why[200];
	snprintf(buf, sizeof(buf), "%s", a->pin_range);
	char *c1 = strchr(buf, ':');
	char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
	if (c2 == NULL)
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--pin-range wants 0xSTART:0xEND:TYPE");
	*c1 = *c2 = '\0';
	if (!cli_parse_hex("--pin-range start", buf, &a->pin_first, why,
	                   sizeof(why)) ||
	    !cli_parse_hex("--pin-range end", c1 + 1, &a->pin_last, why,
	                   sizeof(why)) ||
	    !cli_parse_memtype("--pin-range type", c2 + 1, CLI_MT_PAT, &a->pin,
	                       why, sizeof(why)))
		return cli_fail(c, CLI_EXIT_USAGE, "%s", why);
	return cli_check_range(c, "--pin-range start", a->pin_first,
	                       "--pin-range end", a->pin_last);
}

static int policy_check(struct cli_ctx *c, void *args)
{
	struct policy_args *a = args;
	char e[CLI_ECHO_MAX];
	if (strcmp(a->policy, "list") == 0) {
		for (unsigned k = 1; k < CLI_OPT_MAX; k++) {
			if (c->given[k])
				return cli_fail(c, CLI_EXIT_USAGE,
				                "--policy list takes no other "
				                "options");
		}
		return 0;
	}
	a->pol = p2mk_policy_find(a->policy);
	if (a->pol == NULL)
		return cli_fail(
		    c, CLI_EXIT_USAGE,
		    "unknown policy '%s' (--policy list names them)",
		    cli_echo(a->policy, e));
	if (a->order != 0 && a->order != 9 && a->order != 18)
		return cli_fail(c, CLI_EXIT_USAGE, "--order wants 0, 9 or 18");
	uint64_t n = UINT64_C(1) << a->order;
	if ((a->gfn | a->mfn) & (n - 1))
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--gfn and --mfn must be aligned to --order %u",
		                a->order);
	if (cli_given(c, "pin") && cli_given(c, "pin-range"))
		return cli_fail(c, CLI_EXIT_USAGE,
		                "give --pin or --pin-range, not both");
	int err = check_applies(c, a->pol);
	if (!err && a->pin_range != NULL)
		err = parse_pin_range(c, a);
	if (!err && a->pin_range == NULL) {
		a->pin_first = a->gfn;
		a->pin_last = a->gfn + n - 1;
	}
	return err;
}

/* ---- the decision ----------------------------------------------------- */

/* The domain the options describe, around one decision. */
struct domain {
	struct p2mk_p2m_config cfg;
	struct p2mk_mtrr_state vcpu, host;
	struct p2mk_mfn_range blk;
	struct p2mk_io_range io;
	struct p2mk_pinned pin;
	struct p2mk_policy_view v;
};

static int build_domain(struct cli_ctx *c, const struct policy_args *a,
                        struct domain *d)
{
	struct p2mk_gp gp;
	int bad = cli_mtrr_state_build(&a->ms, &d->vcpu, &gp);
	if (bad == -2)
		return cli_fail(c, CLI_EXIT_USAGE,
		                "invalid MTRR configuration");
	if (bad >= 0)
		return cli_mtrr_gp_fail(c, &a->ms, bad, &gp);
	if (cli_given(c, "host-mtrr")) {
		const struct p2mk_mtrr_config hc = {8, 46, true, true};
		if (p2mk_mtrr_init(&d->host, &hc) != P2MK_OK ||
		    p2mk_mtrr_wrmsr(&d->host, P2MK_MSR_MTRR_DEF_TYPE,
		                    P2MK_MTRR_DEF_E | a->host_mtrr,
		                    NULL) != P2MK_OK)
			return cli_fail(c, CLI_EXIT_FAIL, "host MTRR state");
	}
	uint32_t ioflags = (a->vfio ? P2MK_IO_VFIO : 0) |
	                   (a->pref ? P2MK_IO_PREFETCHABLE : 0) |
	                   (a->hostc ? P2MK_IO_HOST_CACHEABLE : 0);
	d->cfg = (struct p2mk_p2m_config){
	    .arch = a->pol->arch,
	    .nvcpus = 1,
	    .paddr_bits = (uint8_t)a->ms.maxphyaddr,
	    .iommu = a->iommu,
	    .self_snoop = a->self_snoop,
	    .full_cacheability = a->fullc,
	    .noncoherent_dma = a->ncdma,
	    .cd_nw_quirk = a->cd_nw,
	    .fwb = a->fwb,
	    .dic = a->dic,
	};
	d->blk =
	    (struct p2mk_mfn_range){p2mk_mfn(a->mfn), UINT64_C(1) << a->order};
	d->io = (struct p2mk_io_range){d->blk, ioflags};
	d->pin = (struct p2mk_pinned){p2mk_gfn(a->pin_first),
	                              a->pin_last - a->pin_first + 1,
	                              (enum p2mk_mt)a->pin};
	d->v = (struct p2mk_policy_view){
	    .cfg = &d->cfg,
	    .vcpu_mtrr = &d->vcpu,
	    .host_mtrr = cli_given(c, "host-mtrr") ? &d->host : NULL,
	    .io = &d->io,
	    .mmio_ro = &d->blk,
	    .special = &d->blk,
	    .pinned = &d->pin,
	    .nio = (a->iomem || ioflags) ? 1 : 0,
	    .nmmio_ro = a->ro ? 1 : 0,
	    .nspecial = a->special ? 1 : 0,
	    .npinned = (cli_given(c, "pin") || a->pin_range) ? 1 : 0,
	    .ioports = a->ioports,
	    .pdevs = a->devices,
	    .cur_vcpu = -1, /* toolstack context: vCPU 0 (xen §6 row 0) */
	    .guest_cd = a->guest_cd,
	};
	return 0;
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

/* The guest MTRR type of the block as the policy's own lookup sees it. */
static json_t *guest_mtrr_value(const struct p2mk_policy_terms *t,
                                const struct domain *d,
                                const struct p2mk_policy_query *q)
{
	p2mk_gpa_t gpa = p2mk_gfn_to_gpa(q->gfn);
	if (t->policy == &p2mk_policy_xen_ept_exact) {
		/* Per page, Xen's order-0 rule: last hit wins (xen §4 step 8).
		 */
		struct p2mk_mtrr_lookup l =
		    p2mk_mtrr_lookup(&d->vcpu, gpa, q->order, P2MK_OVERLAP_XEN);
		return json_string(l.kind == P2MK_LOOKUP_TYPE
		                       ? p2mk_mt_name(l.type)
		                       : "mixed");
	}
	if (strcmp(t->hypervisor, "Xen") == 0) {
		int g = p2mk_xen_mtrr_get_type(&d->vcpu, gpa, q->order);
		return json_string(g < 0 ? "mixed" : p2mk_mt_name((unsigned)g));
	}
	/* KVM resolves SDM-undefined overlaps to WB (x86 §5.3). */
	struct p2mk_mtrr_lookup l = p2mk_mtrr_lookup(
	    &d->vcpu, gpa, q->order,
	    strcmp(t->hypervisor, "KVM") == 0 ? P2MK_OVERLAP_KVM
	                                      : P2MK_OVERLAP_SDM);
	return json_string(l.kind == P2MK_LOOKUP_TYPE    ? p2mk_mt_name(l.type)
	                   : l.kind == P2MK_LOOKUP_MIXED ? "mixed"
	                                                 : "undefined");
}

/* The value of input @in in this domain, as text for the record. */
static json_t *input_value(unsigned in, const struct policy_args *a,
                           const struct domain *d,
                           const struct p2mk_policy_terms *t,
                           const struct p2mk_policy_query *q)
{
	switch (in) {
	case P2MK_POLIN_GUEST_MTRR:
		return guest_mtrr_value(t, d, q);
	case P2MK_POLIN_HOST_MTRR:
		return json_string(d->v.host_mtrr ? p2mk_mt_name(a->host_mtrr)
		                                  : "none given (WB)");
	case P2MK_POLIN_IOMMU:
		return json_string(yes(a->iommu));
	case P2MK_POLIN_IO_RANGES:
		return json_string(d->v.nio ? "the block" : "none");
	case P2MK_POLIN_IO_FLAGS:
		return json_sprintf("%s%s%s%s%s%s", a->vfio ? "vfio" : "",
		                    a->vfio && (a->pref || a->hostc) ? "," : "",
		                    a->pref ? "prefetchable" : "",
		                    a->pref && a->hostc ? "," : "",
		                    a->hostc ? "host-cacheable" : "",
		                    d->io.flags ? "" : "none");
	case P2MK_POLIN_IO_CAPS:
		return json_sprintf("%u I/O-port ranges, %u devices",
		                    a->ioports, a->devices);
	case P2MK_POLIN_MMIO_RO:
		return json_string(yes(a->ro));
	case P2MK_POLIN_SPECIAL:
		return json_string(yes(a->special));
	case P2MK_POLIN_PINNED:
		return d->v.npinned
		           ? json_sprintf("%s over gfn 0x%llx-0x%llx",
		                          p2mk_mt_name(a->pin),
		                          (unsigned long long)a->pin_first,
		                          (unsigned long long)a->pin_last)
		           : json_string("none");
	default:
		break;
	}
	static const size_t flag_off[P2MK_POLIN_COUNT] = {
	    [P2MK_POLIN_FULL_CACHEABILITY] = ARG(fullc),
	    [P2MK_POLIN_NONCOHERENT_DMA] = ARG(ncdma),
	    [P2MK_POLIN_GUEST_CD] = ARG(guest_cd),
	    [P2MK_POLIN_CD_NW_QUIRK] = ARG(cd_nw),
	    [P2MK_POLIN_SELF_SNOOP] = ARG(self_snoop),
	    [P2MK_POLIN_FWB] = ARG(fwb),
	    [P2MK_POLIN_DIC] = ARG(dic),
	};
	return json_string(
	    yes(*(const bool *)((const char *)a + flag_off[in])));
}

static json_t *reads_json(const struct policy_args *a, const struct domain *d,
                          const struct p2mk_policy_terms *t,
                          const struct p2mk_policy_query *q)
{
	json_t *arr = json_array();
	for (unsigned in = 0; in < P2MK_POLIN_COUNT; in++) {
		if (!(t->inputs & (UINT32_C(1) << in)))
			continue;
		json_array_append_new(
		    arr, json_pack("{s:s, s:o}", "input", t->input_names[in],
		                   "value", input_value(in, a, d, t, q)));
	}
	return arr;
}

static const char *kind_name(enum p2mk_pol_kind k)
{
	switch (k) {
	case P2MK_POL_MIXED:
		return "mixed";
	case P2MK_POL_NONE:
		return "none";
	case P2MK_POL_REFUSED:
		return "refused";
	default:
		return "type";
	}
}

/* The answer's own fields: EMT/IPAT, host PAT entry, or stage-2 MemAttr. */
static void answer_fields(json_t *j, enum p2mk_arch arch,
                          const struct p2mk_policy_out *o)
{
	if (o->kind != P2MK_POL_TYPE)
		return;
	if (arch == P2MK_ARCH_X86_EPT) {
		json_object_set_new(j, "emt",
		                    json_string(p2mk_mt_name(o->emt)));
		json_object_set_new(j, "ipat", json_boolean(o->ipat));
	} else if (arch == P2MK_ARCH_X86_NPT) {
		json_object_set_new(j, "hpat_index",
		                    json_integer(o->hpat_index));
		json_object_set_new(j, "hpat_type",
		                    json_string(p2mk_mt_name(o->hpat_type)));
	} else {
		struct p2mk_a64_s2 s2 =
		    p2mk_a64_s2_decode(o->s2attr, o->fwb, 0);
		json_object_set_new(j, "s2_memattr", rep_hex(o->s2attr));
		json_object_set_new(j, "fwb", json_boolean(o->fwb));
		json_object_set_new(j, "s2_type",
		                    json_string(p2mk_a64_type_name(&s2.attr)));
	}
}

/* x86 with --guest-pat: the type the access ends up with. */
static void effective_fields(json_t *j, const struct policy_args *a,
                             const struct p2mk_policy_out *o)
{
	struct p2mk_mt_result r;
	if (o->kind != P2MK_POL_TYPE || a->pol->arch == P2MK_ARCH_ARM64)
		return;
	if (a->pol->arch == P2MK_ARCH_X86_EPT)
		r = p2mk_ept_effective(o->emt, o->ipat, a->guest_pat,
		                       a->guest_cd);
	else
		r = p2mk_npt_effective(a->guest_pat, o->hpat_type,
		                       a->host_mtrr);
	json_object_set_new(j, "guest_pat",
	                    json_string(p2mk_mt_name(a->guest_pat)));
	json_object_set_new(j, "effective",
	                    json_string(r.status == P2MK_MT_OK
	                                    ? p2mk_mt_name(r.type)
	                                    : "EPT-misconfig"));
}

/* arm64 with --s1: the combined attribute, hazards apart from permitted
 * behaviours (a64_cli_result_json's "faults" and "allows"). */
static void stage1_fields(json_t *j, const struct policy_args *a,
                          const struct p2mk_policy_out *o)
{
	struct p2mk_a64_ctl ctl = {.fwb = o->fwb};
	struct p2mk_a64_result r = p2mk_a64_combine(
	    (uint8_t)a->s1, P2MK_A64_ISH, o->s2attr, P2MK_A64_ISH, &ctl);
	json_t *res = a64_cli_result_json(&r);
	json_t *s1 =
	    json_pack("{s:o, s:s, s:s, s:O, s:O}", "attr",
	              json_sprintf("0x%02x", (unsigned)a->s1), "type",
	              rep_str(res, "type"), "rule", rep_str(res, "rule"),
	              "hazards", json_object_get(res, "faults"), "permitted",
	              json_object_get(res, "allows"));
	json_decref(res);
	json_object_set_new(j, "stage1", s1);
}

/*
 * xen-ept only: where Xen's answer for the block differs from the per-page
 * truth (xen-ept-exact), the truth, the pages affected and the finding
 * (docs/xen-findings.md §4, xen §16 defect 3).
 */
static void truth_fields(json_t *j, const struct domain *d,
                         const struct p2mk_policy_query *q,
                         const struct p2mk_policy_out *o)
{
	if (o->kind == P2MK_POL_NONE)
		return;
	struct p2mk_xen_ept_truth t;
	p2mk_xen_ept_truth(&d->v, q, o, &t);
	if (t.differ == 0 && !t.needless_split)
		return;
	char ans[48];
	p2mk_policy_out_str(P2MK_ARCH_X86_EPT, &t.truth, ans, sizeof(ans));
	json_t *tr = json_pack("{s:s, s:s, s:I, s:I}", "answer", ans, "kind",
	                       kind_name(t.truth.kind), "pages",
	                       (json_int_t)p2mk_order_frames(q->order),
	                       "pages_differ", (json_int_t)t.differ);
	answer_fields(tr, P2MK_ARCH_X86_EPT, &t.truth);
	if (t.differ != 0) {
		json_object_set_new(tr, "first_differ",
		                    rep_hex(t.first_differ.v));
		json_object_set_new(
		    tr, "finding",
		    json_string("mtrr_get_type(order > 0) took an MTRR range "
		                "covering part of the block for all of it "
		                "(xen §16 defect 3; docs/xen-findings.md §4)"));
	} else {
		json_object_set_new(
		    tr, "finding",
		    json_string("needless split: every page gets the same "
		                "EMT at order 0, but a lookup at the block's "
		                "order answered \"not uniform\" (xen §4 step 3 "
		                "or 7, §6 rows 3, 5', 6; docs/xen-findings.md "
		                "§4)"));
	}
	json_object_set_new(j, "truth", tr);
}

static int list_policies(struct cli_ctx *c)
{
	json_t *arr = json_array();
	for (unsigned i = 0; i < p2mk_policy_count(); i++) {
		const struct p2mk_policy *p = p2mk_policy_at(i);
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", p->name,
		              "arch", p2mk_arch_name(p->arch), "hypervisor",
		              p2mk_policy_terms_of(p)->hypervisor, "summary",
		              p->summary, "source", p->source));
	}
	cli_record(c, json_pack("{s:o}", "policies", arr));
	return CLI_EXIT_OK;
}

static int policy_run(struct cli_ctx *c, void *args)
{
	const struct policy_args *a = args;
	if (a->pol == NULL)
		return list_policies(c);
	static struct domain d; /* two MTRR states: keep them off the stack */
	int err = build_domain(c, a, &d);
	if (err)
		return err;
	const struct p2mk_policy *pol = a->pol;
	const struct p2mk_policy_terms *t = p2mk_policy_terms_of(pol);
	struct p2mk_policy_query q = {(enum p2mk_p2mt)a->type, a->order,
	                              p2mk_gfn(a->gfn), p2mk_mfn(a->mfn)};
	struct p2mk_policy_out o;
	pol->decide(&d.v, &q, &o);
	char ans[48];
	p2mk_policy_out_str(pol->arch, &o, ans, sizeof(ans));
	json_t *j = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "policy", pol->name,
	    "hypervisor", t->hypervisor, "arch", p2mk_arch_name(pol->arch),
	    "summary", pol->summary, "decider", t->decider, "source",
	    pol->source, "answer", ans, "kind", kind_name(o.kind));
	answer_fields(j, pol->arch, &o);
	json_object_set_new(j, "branch", json_string(o.branch));
	json_object_set_new(j, "cite", json_string(o.cite));
	json_object_set_new(j, "p2m_type", json_string(p2mk_p2mt_name(q.type)));
	json_object_set_new(j, "gfn", rep_hex(a->gfn));
	json_object_set_new(j, "mfn", rep_hex(a->mfn));
	json_object_set_new(j, "order", json_integer(a->order));
	json_object_set_new(j, "reads", reads_json(a, &d, t, &q));
	json_object_set_new(j, "special_checks",
	                    json_integer((json_int_t)o.special_checks));
	if (pol == &p2mk_policy_xen_ept)
		truth_fields(j, &d, &q, &o);
	if (cli_given(c, "guest-pat"))
		effective_fields(j, a, &o);
	if (cli_given(c, "s1") && o.kind == P2MK_POL_TYPE)
		stage1_fields(j, a, &o);
	cli_record(c, j);
	return o.kind == P2MK_POL_REFUSED ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ---- text, from the record -------------------------------------------- */

static void text_list(struct rep_out *out, const json_t *arr)
{
	size_t i;
	const json_t *p;
	json_array_foreach(arr, i, p)
	{
		rep_printf(out, "%-17s %-8s %s\n", rep_str(p, "name"),
		           rep_str(p, "arch"), rep_str(p, "summary"));
	}
}

static void text_names(struct rep_out *out, const char *label,
                       const json_t *arr)
{
	size_t i;
	const json_t *n;
	rep_printf(out, "  %s ", label);
	json_array_foreach(arr, i, n)
	{
		rep_printf(out, "%s%s", i ? ", " : "", json_string_value(n));
	}
	rep_printf(out, "%s\n", json_array_size(arr) ? "" : "none");
}

static void text_extras(struct rep_out *out, const json_t *r)
{
	if (rep_has(r, "s2_memattr"))
		rep_printf(out, "stage 2:  MemAttr %s with FWB %s = %s\n",
		           rep_str(r, "s2_memattr"),
		           rep_bool(r, "fwb") ? "on" : "off",
		           rep_str(r, "s2_type"));
	rep_printf(out, "decided:  %s [%s]\n", rep_str(r, "branch"),
	           rep_str(r, "cite"));
	/* Only Xen tests every frame of a block (xen §16 defect 4). */
	if (rep_int(r, "special_checks") > 1)
		rep_printf(out,
		           "cost:     %lld is_special_page() tests, one per "
		           "frame (xen §16 defect 4)\n",
		           rep_int(r, "special_checks"));
	const json_t *tr = rep_get(r, "truth");
	if (tr != NULL) {
		rep_printf(out, "truth:    %s per 4 KiB page (xen-ept-exact)",
		           rep_str(tr, "answer"));
		if (rep_int(tr, "pages_differ") > 0)
			rep_printf(out,
			           "; %lld of %lld pages get another EMT at "
			           "order 0, first gfn %s",
			           rep_int(tr, "pages_differ"),
			           rep_int(tr, "pages"),
			           rep_str(tr, "first_differ"));
		rep_printf(out, "\nfinding:  %s\n", rep_str(tr, "finding"));
	}
	if (rep_has(r, "effective"))
		rep_printf(out, "effective with guest PAT %s: %s\n",
		           rep_str(r, "guest_pat"), rep_str(r, "effective"));
	const json_t *s1 = rep_get(r, "stage1");
	if (s1 != NULL) {
		rep_printf(out,
		           "effective with stage-1 attribute %s: %s (%s)\n",
		           rep_str(s1, "attr"), rep_str(s1, "type"),
		           rep_str(s1, "rule"));
		text_names(out, "hazards:  ", rep_get(s1, "hazards"));
		text_names(out, "permitted:", rep_get(s1, "permitted"));
	}
}

static void policy_text(struct rep_out *out, const json_t *r)
{
	if (rep_has(r, "policies")) {
		text_list(out, rep_get(r, "policies"));
		return;
	}
	rep_printf(out, "%s  (%s: %s)\n", rep_str(r, "answer"),
	           rep_str(r, "policy"), rep_str(r, "branch"));
	rep_printf(out, "policy:   %s (%s) -- %s\n", rep_str(r, "policy"),
	           rep_str(r, "arch"), rep_str(r, "summary"));
	rep_printf(out, "decider:  %s %s\n", rep_str(r, "hypervisor"),
	           rep_str(r, "decider"));
	rep_printf(out, "source:   %s\n", rep_str(r, "source"));
	rep_printf(out, "mapping:  %s gfn %s mfn %s order %lld\n",
	           rep_str(r, "p2m_type"), rep_str(r, "gfn"), rep_str(r, "mfn"),
	           rep_int(r, "order"));
	size_t i;
	const json_t *in;
	const json_t *reads = rep_get(r, "reads");
	if (json_array_size(reads) == 0)
		rep_printf(out, "reads:    only the mapping\n");
	json_array_foreach(reads, i, in)
	{
		rep_printf(out, "%s%s: %s\n", i ? "          " : "reads:    ",
		           rep_str(in, "input"), rep_str(in, "value"));
	}
	text_extras(out, r);
}

const struct cli_form cli_form_explain_policy = {
    .command = "explain",
    .select = "policy",
    .summary = "which branch of a hypervisor's memory-type policy decides "
               "an entry",
    .about = "Asks policy NAME for the memory type of one second-stage "
             "entry and names the\n"
             "branch that decided it in that hypervisor's own terms, with "
             "its spec section\n"
             "(docs/policies.md).  Options for domain state the policy "
             "does not read are\n"
             "refused.  --msr writes go to vCPU 0, whose MTRRs start "
             "disabled.\n",
    .exits = "0 an answer (also \"split\"), 1 the policy refuses the "
             "mapping, 2 bad usage.",
    .groups = policy_groups,
    .args_size = sizeof(struct policy_args),
    .init = policy_init,
    .check = policy_check,
    .run = policy_run,
    .text = policy_text,
    .maxphyaddr = policy_maxphyaddr,
};
