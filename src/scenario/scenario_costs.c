// SPDX-License-Identifier: BSD-2-Clause
/*
 * The `costs:` section: unit costs of the simulator, their documented
 * defaults (docs/run.md gives the source or the reasoning of each) and the
 * duration grammar ("670ms", "1.5us").
 */
#include "scenario/scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void p2mk_sc_costs_default(struct p2mk_sc_costs *c)
{
	/* Keep in step with the table in docs/run.md. */
	c->misconfig_exit = 1000.0;    /* VM exit + entry round trip */
	c->pte_write = 50.0;           /* locked walk + one entry write */
	c->table_page = 200.0;         /* allocate and zero a table page */
	c->hypercall = 2000.0;         /* toolstack domctl round trip */
	c->continuation = 1000.0;      /* re-entry of a continued call */
	c->iotlb_flush_fast = 10000.0; /* invalidation + completion wait */
	c->iotlb_flush_slow = 1e6;     /* "milliseconds" (xen §15 row) */
	c->snb_igd_wait = 670e6;       /* xen §12.5: 670 ms cap */
	c->wbinvd_per_cpu = 100000.0;  /* write back one CPU's caches */
	c->special_check = 1.5e6 / 262144.0; /* xen §15: 1.5 ms per 1 GiB */
	c->fixed = 0.0;
}

static const struct {
	const char *unit;
	double ns;
} units[] = {{"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};

bool p2mk_yaml_duration(struct p2mk_yaml *y, const yaml_node_t *n, double *ns)
{
	char b[80];
	const char *s = p2mk_yaml_scalar(n);
	char *end = NULL;
	double v = s ? strtod(s, &end) : NAN;
	if (s != NULL && end != s && isfinite(v) && v >= 0) {
		if (*end == ' ')
			end++;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (strcmp(end, units[i].unit) == 0) {
				*ns = v * units[i].ns;
				return true;
			}
		}
	}
	return p2mk_yaml_fail(y, n,
	                      "expected a duration (a number with ns, us, ms "
	                      "or s), got %s",
	                      p2mk_yaml_what(n, b, sizeof(b)));
}

static const char *const cost_keys[] = {
    "misconfig_exit",   "pte_write",    "table_page",
    "hypercall",        "continuation", "iotlb_flush_fast",
    "iotlb_flush_slow", "snb_igd_wait", "wbinvd_per_cpu",
    "special_check",    "fixed",        NULL};

static double *cost_field(struct p2mk_sc_costs *c, size_t i)
{
	double *f[] = {
	    &c->misconfig_exit,   &c->pte_write,    &c->table_page,
	    &c->hypercall,        &c->continuation, &c->iotlb_flush_fast,
	    &c->iotlb_flush_slow, &c->snb_igd_wait, &c->wbinvd_per_cpu,
	    &c->special_check,    &c->fixed};
	return f[i];
}

bool p2mk_sc_parse_costs(struct p2mk_yaml *y, const yaml_node_t *n,
                         struct p2mk_sc_costs *c)
{
	p2mk_sc_costs_default(c);
	if (n == NULL)
		return true;
	if (!p2mk_yaml_map(y, n, cost_keys, "costs"))
		return false;
	for (size_t i = 0; cost_keys[i] != NULL; i++) {
		yaml_node_t *v = p2mk_yaml_get(y, n, cost_keys[i]);
		if (v && !p2mk_yaml_duration(y, v, cost_field(c, i)))
			return false;
	}
	return true;
}
