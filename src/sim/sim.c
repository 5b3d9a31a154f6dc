// SPDX-License-Identifier: BSD-2-Clause
/*
 * sim: one run of a scenario under one policy -- set the domain up, run
 * every event counting what it did, price the counts, build the memory
 * map (sim/sim.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

bool sim_fail(struct sim *m, const char *fmt, ...)
{
	va_list ap;
	if (m->err[0] != '\0')
		return false;
	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	return false;
}

void p2mk_sim_add(struct p2mk_sim_costs *a, const struct p2mk_sim_costs *b)
{
	a->leaf_entries += b->leaf_entries;
	a->table_pages += b->table_pages;
	a->misconfig_exits += b->misconfig_exits;
	a->iotlb_flushes += b->iotlb_flushes;
	a->invalidation_descriptors += b->invalidation_descriptors;
	a->hypercalls += b->hypercalls;
	a->continuations += b->continuations;
	a->flush_points += b->flush_points;
	a->special_checks += b->special_checks;
	a->wbinvd += b->wbinvd;
	a->seconds += b->seconds;
}

/* The cost of one IOTLB flush on this host's IOMMU (docs/run.md). */
static double flush_ns(const struct p2mk_sc_costs *k,
                       const struct p2mk_sc_host *h)
{
	switch (h->iommu.flush) {
	case P2MK_SC_FLUSH_SLOW:
		return k->iotlb_flush_slow;
	case P2MK_SC_FLUSH_SNB_IGD:
		return k->iotlb_flush_slow + k->snb_igd_wait;
	default:
		return k->iotlb_flush_fast;
	}
}

void p2mk_sim_price(struct p2mk_sim_costs *c, const struct p2mk_sc_costs *k,
                    const struct p2mk_sc_host *h)
{
	double ns = (double)c->misconfig_exits * k->misconfig_exit +
	            (double)c->leaf_entries * k->pte_write +
	            (double)c->table_pages * k->table_page +
	            (double)c->hypercalls * k->hypercall +
	            (double)c->continuations * k->continuation +
	            (double)c->iotlb_flushes * flush_ns(k, h) +
	            (double)c->special_checks * k->special_check +
	            (double)c->wbinvd * k->wbinvd_per_cpu;
	c->seconds = ns / 1e9;
}

static bool setup(struct sim *m)
{
	const struct p2mk_scenario *s = m->s;
	struct p2mk_p2m_config cfg = {
	    .arch = m->pol->arch,
	    .nvcpus = (uint8_t)(s->vm->vcpus < P2MK_P2M_MAX_VCPUS
	                            ? s->vm->vcpus
	                            : P2MK_P2M_MAX_VCPUS),
	    .paddr_bits = s->vm->maxphyaddr,
	    .iommu = s->hyp.tables != P2MK_SC_TABLES_NONE &&
	             s->host.iommu.kind != P2MK_SC_IOMMU_NONE,
	    .iommu_snoop = s->host.iommu.snoop_control,
	    .self_snoop = s->host.self_snoop,
	    .full_cacheability = true,
	};
	m->nvcpus = cfg.nvcpus;
	sim_alloc_init(&m->alloc);
	if (p2mk_p2m_init(&m->p2m, &cfg, m->pol,
	                  (enum p2mk_recalc)s->hyp.recalc,
	                  &m->alloc.ops) != P2MK_OK)
		return sim_fail(m, "cannot create the domain (policy %s)",
		                m->pol->name);
	if (s->host.mtrr.n > 0) {
		struct p2mk_mtrr_state host;
		struct p2mk_mtrr_config hc = {8, (uint8_t)s->host.maxphyaddr,
		                              true, true};
		struct p2mk_gp gp;
		p2mk_mtrr_init(&host, &hc);
		for (unsigned i = 0; i < s->host.mtrr.n; i++)
			if (p2mk_mtrr_wrmsr(&host, s->host.mtrr.msr[i],
			                    s->host.mtrr.value[i], &gp))
				return sim_fail(
				    m,
				    "line %u: host MTRR write "
				    "0x%x=0x%llx: #GP (%s)",
				    s->host.mtrr.line[i], s->host.mtrr.msr[i],
				    (unsigned long long)s->host.mtrr.value[i],
				    gp.reason);
		p2mk_p2m_set_host_mtrr(&m->p2m, &host);
	}
	/* Guest RAM frames come from high host memory, away from BARs. */
	m->next_mfn = UINT64_C(1) << (s->host.maxphyaddr - 1 - 12);
	return sim_physmap_init(m) && sim_plan(m);
}

/* Run one event and account for what it did. */
static bool run_event(struct sim *m, const struct p2mk_sc_event *e,
                      struct p2mk_sim_event_result *er)
{
	struct p2mk_p2m_stats before = p2mk_p2m_get_stats(&m->p2m);
	uint64_t allocs = m->alloc.allocs;
	memset(&m->cur, 0, sizeof(m->cur));
	m->note[0] = '\0';
	bool ok = sim_event(m, e);
	if (ok)
		sim_pm_drain(m);
	struct p2mk_p2m_stats after = p2mk_p2m_get_stats(&m->p2m);
	m->cur.misconfig_exits += after.exits - before.exits;
	m->cur.special_checks += after.special_checks - before.special_checks;
	m->cur.leaf_entries += (after.rewritten - before.rewritten) +
	                       (after.splits - before.splits);
	m->cur.table_pages += m->alloc.allocs - allocs;
	er->kind = e->kind;
	er->line = e->line;
	er->costs = m->cur;
	snprintf(er->note, sizeof(er->note), "%s", m->note);
	p2mk_sim_price(&er->costs, &m->s->costs, &m->s->host);
	if (e->kind == P2MK_SC_EV_BOOT)
		er->costs.seconds += m->s->costs.fixed / 1e9;
	p2mk_sim_add(&m->r->total, &er->costs);
	return ok;
}

static bool run_all(struct sim *m, p2mk_sim_progress_fn progress, void *ctx)
{
	const struct p2mk_scenario *s = m->s;
	for (size_t i = 0; i < s->nevents; i++) {
		const struct p2mk_sc_event *e = &s->events[i];
		if (!run_event(m, e, &m->r->events[i])) {
			snprintf(m->r->error, sizeof(m->r->error),
			         "line %u: %s: %s", e->line,
			         p2mk_sc_event_name(e->kind), m->err);
			return false;
		}
		m->r->nevents = i + 1;
		if (progress)
			progress(ctx, i + 1, s->nevents);
	}
	return true;
}

bool p2mk_sim_run(const struct p2mk_scenario *s, unsigned policy,
                  struct p2mk_sim_result *r, p2mk_sim_progress_fn progress,
                  void *progress_ctx)
{
	struct sim *m = calloc(1, sizeof(*m));
	memset(r, 0, sizeof(*r));
	r->policy = policy < s->hyp.npolicies ? s->hyp.policy[policy] : "?";
	r->events = calloc(s->nevents ? s->nevents : 1, sizeof(*r->events));
	if (m == NULL || r->events == NULL) {
		free(m);
		snprintf(r->error, sizeof(r->error), "out of memory");
		return false;
	}
	m->s = s;
	m->r = r;
	m->pol = p2mk_policy_find(r->policy);
	bool ok = m->pol != NULL && setup(m);
	if (!ok)
		snprintf(r->error, sizeof(r->error), "%s",
		         m->err[0] ? m->err : "unknown policy");
	else
		ok = run_all(m, progress, progress_ctx);
	if (m->pol != NULL && m->p2m.policy != NULL) {
		if (r->have_layout)
			sim_build_map(m);
		sim_physmap_destroy(m);
		p2mk_p2m_destroy(&m->p2m);
	}
	free(m);
	return ok;
}

void p2mk_sim_result_free(struct p2mk_sim_result *r)
{
	free(r->events);
	r->events = NULL;
}
