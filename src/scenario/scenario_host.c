// SPDX-License-Identifier: BSD-2-Clause
/*
 * The `host:` section of a scenario and MSR-write lists
 * (docs/scenario-format.md "host").
 */
#include "scenario/scenario.h"

#include <string.h>

static const char *const vendors[] = {"intel", "amd", "arm64"};
static const char *const iommu_kinds[] = {"none", "vtd", "amd-vi", "smmu"};
static const char *const flush_speeds[] = {"fast", "slow", "snb-igd"};

bool p2mk_sc_parse_msrs(struct p2mk_yaml *y, const yaml_node_t *n,
                        const char *what, struct p2mk_sc_msrs *m)
{
	static const char *const keys[] = {"msr", "value", NULL};
	size_t len;
	if (!p2mk_yaml_seq(y, n, what, &len))
		return false;
	if (len > P2MK_SC_MAX_MSRS)
		return p2mk_yaml_fail(y, n, "%s: at most %d MSR writes", what,
		                      P2MK_SC_MAX_MSRS);
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = p2mk_yaml_at(y, n, i);
		uint64_t msr = 0, v = 0;
		if (!p2mk_yaml_map(y, it, keys, what) ||
		    !p2mk_yaml_u64(y, p2mk_yaml_need(y, it, "msr", what), 0,
		                   UINT32_MAX, &msr) ||
		    !p2mk_yaml_u64(y, p2mk_yaml_need(y, it, "value", what), 0,
		                   UINT64_MAX, &v))
			return false;
		m->msr[m->n] = (uint32_t)msr;
		m->value[m->n] = v;
		m->line[m->n++] = p2mk_yaml_line(it);
	}
	return true;
}

/* page_sizes: [4KiB, 2MiB, 1GiB] -> bit per supported order. */
static bool parse_page_sizes(struct p2mk_yaml *y, const yaml_node_t *n,
                             unsigned *orders)
{
	size_t len;
	if (!p2mk_yaml_seq(y, n, "host.iommu.page_sizes", &len))
		return false;
	unsigned bits = 0;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = p2mk_yaml_at(y, n, i);
		uint64_t sz = 0;
		if (!p2mk_yaml_size(y, it, &sz))
			return false;
		if (sz != 4096 && sz != (UINT64_C(2) << 20) &&
		    sz != (UINT64_C(1) << 30))
			return p2mk_yaml_fail(y, it,
			                      "expected 4KiB, 2MiB or 1GiB, "
			                      "got '%s'",
			                      p2mk_yaml_scalar(it));
		bits |= 1u << (__builtin_ctzll(sz) - 12);
	}
	*orders = bits;
	return true;
}

static bool parse_iommu(struct p2mk_yaml *y, const yaml_node_t *n,
                        struct p2mk_sc_host *h)
{
	static const char *const keys[] = {
	    "kind",          "psi",        "mamv",  "caching_mode",
	    "snoop_control", "page_sizes", "flush", NULL};
	uint64_t mamv = h->iommu.mamv;
	yaml_node_t *ps;
	if (!p2mk_yaml_map(y, n, keys, "host.iommu") ||
	    !p2mk_yaml_opt_enum(y, n, "kind", iommu_kinds, 4, &h->iommu.kind) ||
	    !p2mk_yaml_opt_bool(y, n, "psi", &h->iommu.psi) ||
	    !p2mk_yaml_opt_u64(y, n, "mamv", 0, 63, &mamv) ||
	    !p2mk_yaml_opt_bool(y, n, "caching_mode", &h->iommu.caching_mode) ||
	    !p2mk_yaml_opt_bool(y, n, "snoop_control",
	                        &h->iommu.snoop_control) ||
	    !p2mk_yaml_opt_enum(y, n, "flush", flush_speeds, 3,
	                        &h->iommu.flush))
		return false;
	h->iommu.mamv = (unsigned)mamv;
	ps = p2mk_yaml_get(y, n, "page_sizes");
	return ps == NULL || parse_page_sizes(y, ps, &h->iommu.page_orders);
}

static void host_defaults(struct p2mk_sc_host *h)
{
	memset(h, 0, sizeof(*h));
	h->vendor = P2MK_SC_INTEL;
	h->maxphyaddr = 46;
	h->cpus = 8;
	h->self_snoop = true;
	h->iommu.kind = P2MK_SC_IOMMU_VTD;
	h->iommu.psi = true;
	h->iommu.mamv = 18;
	h->iommu.snoop_control = true;
	h->iommu.page_orders = (1u << 0) | (1u << 9) | (1u << 18);
	h->iommu.flush = P2MK_SC_FLUSH_FAST;
}

bool p2mk_sc_parse_host(struct p2mk_yaml *y, const yaml_node_t *n,
                        struct p2mk_sc_host *h)
{
	static const char *const keys[] = {"vendor",     "maxphyaddr", "cpus",
	                                   "self_snoop", "mtrr",       "iommu",
	                                   NULL};
	uint64_t mpa, cpus;
	yaml_node_t *v;
	host_defaults(h);
	if (n == NULL)
		return true;
	mpa = h->maxphyaddr;
	cpus = h->cpus;
	if (!p2mk_yaml_map(y, n, keys, "host") ||
	    !p2mk_yaml_opt_enum(y, n, "vendor", vendors, 3, &h->vendor) ||
	    !p2mk_yaml_opt_u64(y, n, "maxphyaddr", 32, 52, &mpa) ||
	    !p2mk_yaml_opt_u64(y, n, "cpus", 1, 4096, &cpus) ||
	    !p2mk_yaml_opt_bool(y, n, "self_snoop", &h->self_snoop))
		return false;
	h->maxphyaddr = (unsigned)mpa;
	h->cpus = (unsigned)cpus;
	if (h->vendor == P2MK_SC_AMD)
		h->iommu.kind = P2MK_SC_IOMMU_AMDVI;
	if (h->vendor == P2MK_SC_ARM64)
		h->iommu.kind = P2MK_SC_IOMMU_SMMU;
	v = p2mk_yaml_get(y, n, "mtrr");
	if (v && !p2mk_sc_parse_msrs(y, v, "host.mtrr", &h->mtrr))
		return false;
	v = p2mk_yaml_get(y, n, "iommu");
	return v == NULL || parse_iommu(y, v, h);
}
