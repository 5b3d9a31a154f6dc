// SPDX-License-Identifier: BSD-2-Clause
/*
 * The `hypervisor:` and `guest:` sections of a scenario
 * (docs/scenario-format.md).
 */
#include "scenario/scenario.h"

#include <stdio.h>
#include <string.h>

#include <p2mkit/p2m.h>
#include <p2mkit/policy.h>

static const char *const tables[] = {"shared", "separate", "none"};
static const char *const flush_modes[] = {"strict", "lazy"};
static const char *const recalcs[] = {"xen", "range", "exact"};
static const char *const mmio_orders[] = {"4KiB", "2MiB", "1GiB"};
/* Eras of Xen's mmio_order (xen §11.1): before a5b0eb3636 (2018) MMIO
 * superpages needed shared IOMMU tables; since then 2 MiB; 1 GiB is what
 * the hardware allows and p2mkit proposes. */
static const char *const mmio_eras[] = {"xen-2016", "xen-2018", "proposed"};

static const char *const map_names[] = {"wb", "memremap", "ioremap",
                                        "ioremap_wc", "ioremap_uc"};
static const char *const s1_names[] = {"normal-wb", "normal-nc", "device-gre",
                                       "device-ngnre"};
static const char *const os_names[] = {"linux", "windows", "none"};

/* One policy name, checked against the library's list. */
static bool parse_policy(struct p2mk_yaml *y, const yaml_node_t *n,
                         const char **out)
{
	const char *names[32];
	unsigned k = 0;
	const char *s;
	if (!p2mk_yaml_str(y, n, &s))
		return false;
	if (p2mk_policy_find(s) != NULL) {
		*out = s;
		return true;
	}
	for (unsigned i = 0; i < p2mk_policy_count() && k < 32; i++)
		names[k++] = p2mk_policy_at(i)->name;
	const char *dym = p2mk_did_you_mean(s, names, k);
	if (dym)
		return p2mk_yaml_fail(y, n,
		                      "unknown policy '%s' (did you mean '%s'? "
		                      "p2mkit explain --policy list)",
		                      s, dym);
	return p2mk_yaml_fail(y, n,
	                      "unknown policy '%s' (p2mkit explain --policy "
	                      "list)",
	                      s);
}

static bool parse_policies(struct p2mk_yaml *y, const yaml_node_t *n,
                           struct p2mk_sc_hypervisor *h)
{
	size_t len;
	if (!p2mk_yaml_is_seq(n)) {
		h->npolicies = 1;
		return parse_policy(y, n, &h->policy[0]);
	}
	if (!p2mk_yaml_seq(y, n, "hypervisor.policy", &len))
		return false;
	if (len == 0 || len > P2MK_SC_MAX_POLICIES)
		return p2mk_yaml_fail(y, n,
		                      "hypervisor.policy: 1 to %d policies",
		                      P2MK_SC_MAX_POLICIES);
	for (size_t i = 0; i < len; i++)
		if (!parse_policy(y, p2mk_yaml_at(y, n, i), &h->policy[i]))
			return false;
	h->npolicies = (unsigned)len;
	return true;
}

/* relocation_batch: a page count, or "all" (one flush point). */
static bool parse_batch(struct p2mk_yaml *y, const yaml_node_t *n,
                        unsigned *out)
{
	const char *s = p2mk_yaml_scalar(n);
	uint64_t v;
	if (s && strcmp(s, "all") == 0) {
		*out = P2MK_SC_BATCH_ALL;
		return true;
	}
	if (!p2mk_yaml_u64(y, n, 1, 1u << 20, &v))
		return false;
	*out = (unsigned)v;
	return true;
}

static bool parse_mmio(struct p2mk_yaml *y, const yaml_node_t *n,
                       struct p2mk_sc_hypervisor *h)
{
	unsigned i = 0, era = 0;
	if (p2mk_yaml_get(y, n, "mmio_era") &&
	    p2mk_yaml_get(y, n, "mmio_max_order"))
		return p2mk_yaml_fail(y, p2mk_yaml_get(y, n, "mmio_era"),
		                      "give mmio_max_order or mmio_era, not "
		                      "both");
	if (p2mk_yaml_get(y, n, "mmio_era")) {
		if (!p2mk_yaml_opt_enum(y, n, "mmio_era", mmio_eras, 3, &era))
			return false;
		h->mmio_max_order =
		    era == 2
		        ? 18
		        : (era == 0 && h->tables != P2MK_SC_TABLES_SHARED ? 0
		                                                          : 9);
		return true;
	}
	if (!p2mk_yaml_opt_enum(y, n, "mmio_max_order", mmio_orders, 3, &i))
		return false;
	if (p2mk_yaml_get(y, n, "mmio_max_order"))
		h->mmio_max_order = 9 * i;
	return true;
}

bool p2mk_sc_parse_hypervisor(struct p2mk_yaml *y, const yaml_node_t *n,
                              struct p2mk_sc_hypervisor *h)
{
	static const char *const keys[] = {
	    "policy",           "iommu",    "flush",
	    "recalc",           "mmio_era", "mmio_max_order",
	    "relocation_batch", NULL};
	yaml_node_t *v;
	memset(h, 0, sizeof(*h));
	h->tables = P2MK_SC_TABLES_SHARED;
	h->recalc = P2MK_RECALC_XEN;
	h->mmio_max_order = 9;
	h->reloc_batch = 16;
	if (!p2mk_yaml_map(y, n, keys, "hypervisor") ||
	    !parse_policies(y, p2mk_yaml_need(y, n, "policy", "hypervisor"),
	                    h) ||
	    !p2mk_yaml_opt_enum(y, n, "iommu", tables, 3, &h->tables) ||
	    !p2mk_yaml_opt_enum(y, n, "flush", flush_modes, 2,
	                        &h->flush_mode) ||
	    !p2mk_yaml_opt_enum(y, n, "recalc", recalcs, 3, &h->recalc) ||
	    !parse_mmio(y, n, h))
		return false;
	v = p2mk_yaml_get(y, n, "relocation_batch");
	return v == NULL || parse_batch(y, v, &h->reloc_batch);
}

static bool parse_devmap(struct p2mk_yaml *y, const yaml_node_t *n,
                         struct p2mk_sc_devmap *d)
{
	static const char *const keys[] = {"bdf", "bar", "map", "s1", NULL};
	const char *bdf = NULL;
	uint64_t bar = 0;
	memset(d, 0, sizeof(*d));
	d->bar = -1;
	if (!p2mk_yaml_map(y, n, keys, "guest.devices") ||
	    !p2mk_yaml_str(y, p2mk_yaml_need(y, n, "bdf", "guest.devices"),
	                   &bdf) ||
	    !p2mk_yaml_opt_u64(y, n, "bar", 0, 6, &bar) ||
	    !p2mk_yaml_opt_enum(y, n, "map", map_names, P2MK_SC_MAP_COUNT,
	                        &d->map) ||
	    !p2mk_yaml_opt_enum(y, n, "s1", s1_names, P2MK_SC_S1_COUNT, &d->s1))
		return false;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	if (p2mk_yaml_get(y, n, "bar"))
		d->bar = (int)bar;
	d->have_map = p2mk_yaml_get(y, n, "map") != NULL;
	d->have_s1 = p2mk_yaml_get(y, n, "s1") != NULL;
	return true;
}

static bool parse_devmaps(struct p2mk_yaml *y, const yaml_node_t *n,
                          struct p2mk_sc_guest *g)
{
	size_t len;
	if (!p2mk_yaml_seq(y, n, "guest.devices", &len))
		return false;
	if (len > P2MK_SC_MAX_MAPS)
		return p2mk_yaml_fail(y, n, "guest.devices: at most %d entries",
		                      P2MK_SC_MAX_MAPS);
	for (size_t i = 0; i < len; i++)
		if (!parse_devmap(y, p2mk_yaml_at(y, n, i), &g->maps[i]))
			return false;
	g->nmaps = (unsigned)len;
	return true;
}

bool p2mk_sc_parse_guest(struct p2mk_yaml *y, const yaml_node_t *n,
                         struct p2mk_sc_guest *g)
{
	static const char *const keys[] = {"os",       "pat",     "ram", "bars",
	                                   "arm64_s1", "devices", NULL};
	yaml_node_t *v;
	memset(g, 0, sizeof(*g));
	g->ram_map = P2MK_SC_MAP_WB;
	g->bar_map = P2MK_SC_MAP_IOREMAP;
	g->bar_s1 = P2MK_SC_S1_DEVICE_nGnRE;
	if (n == NULL)
		return true;
	if (!p2mk_yaml_map(y, n, keys, "guest") ||
	    !p2mk_yaml_opt_enum(y, n, "os", os_names, 3, &g->os) ||
	    !p2mk_yaml_opt_u64(y, n, "pat", 0, UINT64_MAX, &g->pat) ||
	    !p2mk_yaml_opt_enum(y, n, "ram", map_names, P2MK_SC_MAP_COUNT,
	                        &g->ram_map) ||
	    !p2mk_yaml_opt_enum(y, n, "bars", map_names, P2MK_SC_MAP_COUNT,
	                        &g->bar_map) ||
	    !p2mk_yaml_opt_enum(y, n, "arm64_s1", s1_names, P2MK_SC_S1_COUNT,
	                        &g->bar_s1))
		return false;
	g->have_pat = p2mk_yaml_get(y, n, "pat") != NULL;
	v = p2mk_yaml_get(y, n, "devices");
	return v == NULL || parse_devmaps(y, v, g);
}

const char *p2mk_sc_map_name(unsigned m)
{
	return m < P2MK_SC_MAP_COUNT ? map_names[m] : "?";
}

const char *p2mk_sc_s1_name(unsigned s)
{
	return s < P2MK_SC_S1_COUNT ? s1_names[s] : "?";
}

const char *p2mk_sc_tables_name(unsigned t)
{
	return t < 3 ? tables[t] : "?";
}
