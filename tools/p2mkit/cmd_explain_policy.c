// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit explain --policy NAME: which branch of a hypervisor's memory-type
 * policy decides one second-stage entry, from a description of the mapping
 * (p2m type, gfn/mfn/order), the guest MTRRs (--msr writes), the host MTRR
 * type and the domain's IOMMU/device/I-O flags.  The policies are the core
 * library's (src/policy/, docs/policies.md); this file only builds the
 * domain view from options and prints the answer.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>
#include <p2mkit/p2m.h>
#include <p2mkit/policy.h>

#include "cli.h"

static const char policy_usage[] =
    "usage: p2mkit explain --policy NAME [--type T] [--gfn N] [--mfn N] "
    "[--order 0|9|18]\n"
    "                      [--msr 0xIDX=0xVAL ...] [--maxphyaddr N] "
    "[--vcnt N]\n"
    "                      [--host-mtrr T] [--iommu] [--iomem] "
    "[--devices N] [--ioports N]\n"
    "                      [--ro-mmio] [--special] [--pin T] "
    "[--pin-range START:END:T]\n"
    "                      [--vfio] [--prefetchable] [--host-cacheable]\n"
    "                      [--noncoherent-dma] [--self-snoop] "
    "[--guest-cd] [--cd-nw-quirk]\n"
    "                      [--full-cacheability] [--fwb] [--dic]\n"
    "                      [--guest-pat T] [--s1 0xMAIR_ATTR] [--json]\n"
    "       p2mkit explain --policy list\n"
    "\n"
    "Asks policy NAME for the memory type of one second-stage entry and "
    "names the\n"
    "branch that decided it, with its spec section (docs/policies.md).\n"
    "  --type      p2m type: ram_rw ram_ro ram_logdirty mmio_direct "
    "grant_map_rw\n"
    "              grant_map_ro map_foreign (default ram_rw)\n"
    "  --gfn/--mfn frame numbers (default 0x100 each); --order the block "
    "size\n"
    "  --msr       guest MTRR/PAT writes on vCPU 0, in order (MTRRs start "
    "disabled,\n"
    "              as Xen creates them: every guest-MTRR lookup is UC until "
    "E is set)\n"
    "  --host-mtrr uniform host MTRR type (default: none, i.e. WB)\n"
    "  --iommu     the IOMMU is enabled for the domain (CDF_iommu)\n"
    "  --iomem     the mfn block is an assigned I/O range (iomem caps); "
    "--vfio,\n"
    "              --prefetchable, --host-cacheable describe it\n"
    "  --devices N assigned PCI devices; --ioports N I/O-port ranges\n"
    "  --ro-mmio   the mfn block is read-only MMIO (mmio_ro_ranges)\n"
    "  --special   the mfn block is special host-shared pages\n"
    "  --pin T     a pinned cache attribute covering the gfn block\n"
    "  --guest-pat the guest's PAT type for the access: also print the "
    "effective type\n"
    "  --s1        arm64: the guest's stage-1 MAIR attribute byte: also "
    "print the\n"
    "              combined attribute and its hazards (arm64 §5-§7)\n"
    "Exit status: 0 an answer (also \"split\"), 1 the policy refuses the "
    "mapping,\n"
    "2 bad usage.\n";

enum {
	OPT_POLICY = 1,
	OPT_TYPE,
	OPT_GFN,
	OPT_MFN,
	OPT_ORDER,
	OPT_HOST_MTRR,
	OPT_IOMMU,
	OPT_IOMEM,
	OPT_DEVICES,
	OPT_IOPORTS,
	OPT_RO,
	OPT_SPECIAL,
	OPT_PIN,
	OPT_PIN_RANGE,
	OPT_VFIO,
	OPT_PREF,
	OPT_HOSTC,
	OPT_NCDMA,
	OPT_SELF_SNOOP,
	OPT_GUEST_CD,
	OPT_CD_NW,
	OPT_FULLC,
	OPT_FWB,
	OPT_DIC,
	OPT_GUEST_PAT,
	OPT_S1,
	OPT_JSON,
};

static const char *const cmd = "explain --policy";

static int list_policies(bool json)
{
	json_t *arr = json ? json_array() : NULL;
	for (unsigned i = 0; i < p2mk_policy_count(); i++) {
		const struct p2mk_policy *p = p2mk_policy_at(i);
		if (json) {
			json_t *o = json_object();
			json_object_set_new(o, "name", json_string(p->name));
			json_object_set_new(
			    o, "arch", json_string(p2mk_arch_name(p->arch)));
			json_object_set_new(o, "summary",
			                    json_string(p->summary));
			json_object_set_new(o, "source",
			                    json_string(p->source));
			json_array_append_new(arr, o);
		} else {
			printf("%-17s %-8s %s\n", p->name,
			       p2mk_arch_name(p->arch), p->summary);
		}
	}
	if (json)
		cli_print_json(arr);
	return CLI_EXIT_OK;
}

struct pargs {
	const char *policy;
	enum p2mk_p2mt type;
	unsigned order, host_mtrr, guest_pat, pin;
	uint64_t gfn, mfn, pin_start, pin_end;
	unsigned devices, ioports;
	bool have_host, have_pat, have_pin, json, iomem, ro, special;
	bool guest_cd, have_s1;
	uint8_t s1;
	uint32_t ioflags;
	struct p2mk_p2m_config cfg;
	struct cli_mtrr_opts mtrr;
};

static bool parse_pin_range(const char *s, struct pargs *a)
{
	char buf[128];
	size_t len = strlen(s);
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len + 1);
	char *c1 = strchr(buf, ':');
	char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
	if (c2 == NULL)
		return false;
	*c1 = '\0';
	*c2 = '\0';
	return cli_parse_u64(buf, &a->pin_start) &&
	       cli_parse_u64(c1 + 1, &a->pin_end) &&
	       a->pin_end >= a->pin_start && cli_parse_type(c2 + 1, &a->pin);
}

static int parse(int argc, char **argv, struct pargs *a)
{
	static const struct option opts[] = {
	    {"policy", required_argument, NULL, OPT_POLICY},
	    {"type", required_argument, NULL, OPT_TYPE},
	    {"gfn", required_argument, NULL, OPT_GFN},
	    {"mfn", required_argument, NULL, OPT_MFN},
	    {"order", required_argument, NULL, OPT_ORDER},
	    {"host-mtrr", required_argument, NULL, OPT_HOST_MTRR},
	    {"iommu", no_argument, NULL, OPT_IOMMU},
	    {"iomem", no_argument, NULL, OPT_IOMEM},
	    {"devices", required_argument, NULL, OPT_DEVICES},
	    {"ioports", required_argument, NULL, OPT_IOPORTS},
	    {"ro-mmio", no_argument, NULL, OPT_RO},
	    {"special", no_argument, NULL, OPT_SPECIAL},
	    {"pin", required_argument, NULL, OPT_PIN},
	    {"pin-range", required_argument, NULL, OPT_PIN_RANGE},
	    {"vfio", no_argument, NULL, OPT_VFIO},
	    {"prefetchable", no_argument, NULL, OPT_PREF},
	    {"host-cacheable", no_argument, NULL, OPT_HOSTC},
	    {"noncoherent-dma", no_argument, NULL, OPT_NCDMA},
	    {"self-snoop", no_argument, NULL, OPT_SELF_SNOOP},
	    {"guest-cd", no_argument, NULL, OPT_GUEST_CD},
	    {"cd-nw-quirk", no_argument, NULL, OPT_CD_NW},
	    {"full-cacheability", no_argument, NULL, OPT_FULLC},
	    {"fwb", no_argument, NULL, OPT_FWB},
	    {"dic", no_argument, NULL, OPT_DIC},
	    {"guest-pat", required_argument, NULL, OPT_GUEST_PAT},
	    {"s1", required_argument, NULL, OPT_S1},
	    {"json", no_argument, NULL, OPT_JSON},
	    CLI_MTRR_LONG_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int shared = cli_mtrr_opt(cmd, &a->mtrr, c, optarg);
		if (shared < 0)
			return CLI_EXIT_USAGE;
		if (shared > 0)
			continue;
		switch (c) {
		case OPT_POLICY:
			a->policy = optarg;
			break;
		case OPT_TYPE:
			if (!p2mk_p2mt_parse(optarg, &a->type))
				return cli_usage_error(
				    cmd, "unknown p2m type '%s'", optarg);
			break;
		case OPT_GFN:
		case OPT_MFN:
			if (!cli_parse_u64(optarg, &v) || v >> 40)
				return cli_usage_error(
				    cmd, "bad frame number '%s'", optarg);
			*(c == OPT_GFN ? &a->gfn : &a->mfn) = v;
			break;
		case OPT_ORDER:
			if (!cli_parse_u64(optarg, &v) ||
			    (v != 0 && v != 9 && v != 18))
				return cli_usage_error(
				    cmd, "--order wants 0, 9 or 18");
			a->order = (unsigned)v;
			break;
		case OPT_HOST_MTRR:
			if (!cli_parse_type(optarg, &a->host_mtrr) ||
			    !p2mk_mt_valid_mtrr(a->host_mtrr))
				return cli_usage_error(
				    cmd, "--host-mtrr wants an MTRR type");
			a->have_host = true;
			break;
		case OPT_IOMMU:
			a->cfg.iommu = true;
			break;
		case OPT_IOMEM:
			a->iomem = true;
			break;
		case OPT_DEVICES:
		case OPT_IOPORTS:
			if (!cli_parse_u64(optarg, &v) || v > 1000)
				return cli_usage_error(cmd, "bad count '%s'",
				                       optarg);
			*(c == OPT_DEVICES ? &a->devices : &a->ioports) =
			    (unsigned)v;
			break;
		case OPT_RO:
			a->ro = true;
			break;
		case OPT_SPECIAL:
			a->special = true;
			break;
		case OPT_PIN:
			if (!cli_parse_type(optarg, &a->pin))
				return cli_usage_error(cmd, "bad pin type");
			a->have_pin = true;
			a->pin_start = UINT64_MAX;
			break;
		case OPT_PIN_RANGE:
			if (!parse_pin_range(optarg, a))
				return cli_usage_error(
				    cmd, "--pin-range wants START:END:TYPE");
			a->have_pin = true;
			break;
		case OPT_VFIO:
			a->ioflags |= P2MK_IO_VFIO;
			break;
		case OPT_PREF:
			a->ioflags |= P2MK_IO_PREFETCHABLE;
			break;
		case OPT_HOSTC:
			a->ioflags |= P2MK_IO_HOST_CACHEABLE;
			break;
		case OPT_NCDMA:
			a->cfg.noncoherent_dma = true;
			break;
		case OPT_SELF_SNOOP:
			a->cfg.self_snoop = true;
			break;
		case OPT_GUEST_CD:
			a->guest_cd = true;
			break;
		case OPT_CD_NW:
			a->cfg.cd_nw_quirk = true;
			break;
		case OPT_FULLC:
			a->cfg.full_cacheability = true;
			break;
		case OPT_FWB:
			a->cfg.fwb = true;
			break;
		case OPT_DIC:
			a->cfg.dic = true;
			break;
		case OPT_GUEST_PAT:
			if (!cli_parse_type(optarg, &a->guest_pat) ||
			    !p2mk_mt_valid_pat(a->guest_pat))
				return cli_usage_error(
				    cmd, "--guest-pat wants a PAT type");
			a->have_pat = true;
			break;
		case OPT_S1:
			if (!cli_parse_u64(optarg, &v) || v > 0xff)
				return cli_usage_error(
				    cmd, "--s1 wants a MAIR attribute byte");
			a->s1 = (uint8_t)v;
			a->have_s1 = true;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		default:
			return cli_usage_error(cmd, "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
		                       argv[optind]);
	if (a->policy == NULL)
		return cli_usage_error(cmd, "--policy NAME is required");
	return -1;
}

static const char *kind_name(unsigned k)
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

/* The effective type of an access with guest PAT type @gpat, if any. */
static bool effective(const struct p2mk_policy *pol,
                      const struct p2mk_policy_out *o, const struct pargs *a,
                      struct p2mk_mt_result *r)
{
	if (!a->have_pat || o->kind != P2MK_POL_TYPE)
		return false;
	if (pol->arch == P2MK_ARCH_X86_EPT) {
		*r = p2mk_ept_effective(o->emt, o->ipat, a->guest_pat,
		                        a->guest_cd);
		return true;
	}
	if (pol->arch == P2MK_ARCH_X86_NPT) {
		*r = p2mk_npt_effective(a->guest_pat, o->hpat_type,
		                        a->have_host ? a->host_mtrr
		                                     : P2MK_MT_WB);
		return true;
	}
	return false;
}

/* arm64: decode the stage-2 answer, and combine it with --s1 if given. */
static void explain_s2(const struct pargs *a, const struct p2mk_policy_out *o)
{
	struct p2mk_a64_s2 s2 = p2mk_a64_s2_decode(o->s2attr, o->fwb, 0);
	printf("stage 2:  MemAttr 0x%x with FWB %s = %s\n", o->s2attr,
	       o->fwb ? "on" : "off", p2mk_a64_type_name(&s2.attr));
	if (!a->have_s1)
		return;
	struct p2mk_a64_ctl ctl = {.fwb = o->fwb};
	struct p2mk_a64_result r =
	    p2mk_a64_combine(a->s1, 3, o->s2attr, 3, &ctl);
	printf("effective with stage-1 attribute 0x%02x: %s (%s)\n", a->s1,
	       p2mk_a64_type_name(&r.attr), r.attr.rule ? r.attr.rule : "");
	for (unsigned b = 0; b < P2MK_A64_HZ_COUNT; b++) {
		if (r.hazards & (1u << b))
			printf("  hazard: %s\n", p2mk_a64_hazard_name(1u << b));
	}
}

int cmd_explain_policy(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(policy_usage, stdout);
		return CLI_EXIT_OK;
	}
	static struct pargs a;
	memset(&a, 0, sizeof(a));
	a.type = P2MK_P2M_RAM_RW;
	a.gfn = a.mfn = 0x100;
	cli_mtrr_opts_init(&a.mtrr);
	int rc = parse(argc, argv, &a);
	if (rc >= 0)
		return rc;
	if (strcmp(a.policy, "list") == 0)
		return list_policies(a.json);
	const struct p2mk_policy *pol = p2mk_policy_find(a.policy);
	if (pol == NULL)
		return cli_usage_error(
		    cmd, "unknown policy '%s' (try --policy list)", a.policy);
	uint64_t n = UINT64_C(1) << a.order;
	if ((a.gfn | a.mfn) & (n - 1))
		return cli_usage_error(cmd, "gfn and mfn must be aligned to "
		                            "the order");
	/* The domain view: one vCPU whose MTRRs come from --msr. */
	static struct p2mk_mtrr_state vcpu, host;
	struct p2mk_gp gp;
	int bad = cli_mtrr_build(&a.mtrr, &vcpu, &gp);
	if (bad == -2)
		return cli_usage_error(cmd, "invalid MTRR configuration");
	if (bad >= 0)
		return cli_usage_error(cmd, "--msr %s raises #GP: %s",
		                       a.mtrr.text[bad], gp.reason);
	if (a.have_host) {
		const struct p2mk_mtrr_config hc = {8, 46, true, true};
		(void)p2mk_mtrr_init(&host, &hc);
		(void)p2mk_mtrr_wrmsr(&host, P2MK_MSR_MTRR_DEF_TYPE,
		                      P2MK_MTRR_DEF_E | a.host_mtrr, NULL);
	}
	a.cfg.arch = pol->arch;
	a.cfg.nvcpus = 1;
	a.cfg.paddr_bits = (uint8_t)a.mtrr.maxphyaddr;
	struct p2mk_mfn_range blk = {p2mk_mfn(a.mfn), n};
	struct p2mk_io_range io = {blk, a.ioflags};
	struct p2mk_pinned pin = {p2mk_gfn(a.gfn), n, (enum p2mk_mt)a.pin};
	if (a.have_pin && a.pin_start != UINT64_MAX) {
		/* --pin-range names Xen's inclusive [start, end]. */
		pin.gfn = p2mk_gfn(a.pin_start);
		pin.count = a.pin_end - a.pin_start + 1;
	}
	struct p2mk_policy_view v = {
	    .cfg = &a.cfg,
	    .vcpu_mtrr = &vcpu,
	    .host_mtrr = a.have_host ? &host : NULL,
	    .io = &io,
	    .mmio_ro = &blk,
	    .special = &blk,
	    .pinned = &pin,
	    .nio = (a.iomem || a.ioflags) ? 1 : 0,
	    .nmmio_ro = a.ro ? 1 : 0,
	    .nspecial = a.special ? 1 : 0,
	    .npinned = a.have_pin ? 1 : 0,
	    .ioports = a.ioports,
	    .pdevs = a.devices,
	    .cur_vcpu = -1, /* toolstack context: vCPU 0 (xen §6 row 0) */
	    .guest_cd = a.guest_cd,
	};
	struct p2mk_policy_query q = {a.type, a.order, p2mk_gfn(a.gfn),
	                              p2mk_mfn(a.mfn)};
	struct p2mk_policy_out o;
	pol->decide(&v, &q, &o);
	char ans[48];
	p2mk_policy_out_str(pol->arch, &o, ans, sizeof(ans));
	bool cfp = p2mk_view_cache_flush_permitted(&v);
	/* Inputs the x86 policies may have read. */
	uint64_t gpa = p2mk_gfn_to_gpa(q.gfn).v;
	int xg = p2mk_xen_mtrr_get_type(&vcpu, gpa, a.order);
	struct p2mk_mtrr_lookup exact =
	    p2mk_mtrr_lookup(&vcpu, gpa, a.order, P2MK_OVERLAP_XEN);
	struct p2mk_mt_result eff;
	bool have_eff = effective(pol, &o, &a, &eff);

	if (a.json) {
		json_t *j = json_object();
		json_object_set_new(j, "policy", json_string(pol->name));
		json_object_set_new(j, "arch",
		                    json_string(p2mk_arch_name(pol->arch)));
		json_object_set_new(j, "answer", json_string(ans));
		json_object_set_new(j, "kind", json_string(kind_name(o.kind)));
		if (o.kind == P2MK_POL_TYPE) {
			if (pol->arch == P2MK_ARCH_X86_EPT) {
				json_object_set_new(
				    j, "emt", json_string(p2mk_mt_name(o.emt)));
				json_object_set_new(j, "ipat",
				                    json_boolean(o.ipat));
			} else if (pol->arch == P2MK_ARCH_X86_NPT) {
				json_object_set_new(j, "hpat_index",
				                    json_integer(o.hpat_index));
				json_object_set_new(
				    j, "hpat_type",
				    json_string(p2mk_mt_name(o.hpat_type)));
			} else {
				json_object_set_new(j, "s2_memattr",
				                    json_integer(o.s2attr));
				json_object_set_new(j, "fwb",
				                    json_boolean(o.fwb));
			}
		}
		json_object_set_new(j, "branch", json_string(o.branch));
		json_object_set_new(j, "cite", json_string(o.cite));
		json_object_set_new(j, "source", json_string(pol->source));
		json_object_set_new(j, "p2m_type",
		                    json_string(p2mk_p2mt_name(a.type)));
		json_object_set_new(j, "order", json_integer(a.order));
		json_object_set_new(j, "cache_flush_permitted",
		                    json_boolean(cfp));
		json_object_set_new(j, "special_checks",
		                    json_integer((json_int_t)o.special_checks));
		if (have_eff)
			json_object_set_new(
			    j, "effective",
			    json_string(eff.status == P2MK_MT_OK
			                    ? p2mk_mt_name(eff.type)
			                    : "EPT-misconfig"));
		cli_print_json(j);
	} else {
		printf("%s  (%s: %s)\n", ans, pol->name, o.branch);
		printf("policy:   %s (%s) -- %s\n", pol->name,
		       p2mk_arch_name(pol->arch), pol->summary);
		printf("source:   %s\n", pol->source);
		printf("mapping:  %s gfn 0x%llx mfn 0x%llx order %u\n",
		       p2mk_p2mt_name(a.type), (unsigned long long)a.gfn,
		       (unsigned long long)a.mfn, a.order);
		printf(
		    "domain:   iommu %s, cache_flush_permitted %s (iomem %u, "
		    "ioports %u, devices %u)%s%s%s\n",
		    a.cfg.iommu ? "on" : "off", cfp ? "yes" : "no", v.nio,
		    a.ioports, a.devices, a.ro ? ", read-only MMIO" : "",
		    a.special ? ", special page" : "",
		    a.have_pin ? ", pinned" : "");
		if (pol->arch != P2MK_ARCH_ARM64) {
			printf("guest MTRR: %s (Xen's mtrr_get_type: %s)\n",
			       exact.kind == P2MK_LOOKUP_TYPE
			           ? p2mk_mt_name(exact.type)
			           : "mixed",
			       xg < 0 ? "mixed" : p2mk_mt_name((unsigned)xg));
			printf("host MTRR:  %s\n",
			       a.have_host ? p2mk_mt_name(a.host_mtrr)
			                   : "WB (none given)");
		}
		if (pol->arch == P2MK_ARCH_ARM64 && o.kind == P2MK_POL_TYPE)
			explain_s2(&a, &o);
		printf("decided:  %s [%s]\n", o.branch, o.cite);
		if (o.special_checks > 1)
			printf("cost:     %llu special-page tests (xen §16 "
			       "defect 4)\n",
			       (unsigned long long)o.special_checks);
		if (have_eff)
			printf("effective with guest PAT %s: %s\n",
			       p2mk_mt_name(a.guest_pat),
			       eff.status == P2MK_MT_OK ? p2mk_mt_name(eff.type)
			                                : "EPT-misconfig");
	}
	return o.kind == P2MK_POL_REFUSED ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
