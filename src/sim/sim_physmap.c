// SPDX-License-Identifier: BSD-2-Clause
/*
 * sim: the events that move memory -- RAM relocation and BAR remapping.
 */
#include <stdio.h>

#include "sim/sim_internal.h"

/* Machine frames for RAM: a bump allocator above the BARs. */
static bool fr_alloc(void *ctx, uint64_t count, p2mk_mfn_t *first)
{
	uint64_t *next = ctx;
	uint64_t b = (*next + count - 1) & ~(count - 1);
	*next = b + count;
	*first = p2mk_mfn(b);
	return true;
}

static void fr_free(void *ctx, p2mk_mfn_t first, uint64_t count)
{
	(void)ctx, (void)first, (void)count;
}

static enum p2mk_mmio_era era(const struct sim *m)
{
	unsigned o = m->s->hyp.mmio_max_order;
	return o == 18  ? P2MK_MMIO_1G
	       : o == 9 ? P2MK_MMIO_XEN_2018
	                : P2MK_MMIO_XEN_2016;
}

/* The VT-d or AMD-Vi unit of the host, shared with the EPT or separate. */
bool sim_physmap_init(struct sim *m)
{
	const struct p2mk_sc_host *h = &m->s->host;
	bool amd = h->iommu.kind == P2MK_SC_IOMMU_AMDVI;
	if (m->s->hyp.tables == P2MK_SC_TABLES_NONE ||
	    m->pol->arch == P2MK_ARCH_ARM64 ||
	    (h->iommu.kind != P2MK_SC_IOMMU_VTD && !amd))
		return true;
	struct p2mk_iommu_config ic = {
	    .caps = {amd ? P2MK_IOMMU_AMDVI : P2MK_IOMMU_VTD, h->iommu.psi,
	             (uint8_t)h->iommu.mamv, h->iommu.caching_mode, true, 1, 1,
	             0, 1000},
	    .rule = P2MK_INV_MIN,
	    .mode = m->s->hyp.flush_mode == P2MK_SC_LAZY ? P2MK_IOMMU_LAZY
	                                                 : P2MK_IOMMU_STRICT,
	    /* Linux's flush queue: 256 entries (IOVA_FQ_SIZE); its 10 ms
	     * timer is the drain at the end of each event (sim_pm_drain). */
	    .fq_size = 256,
	};
	struct p2mk_iommu_owner own = {fr_free, NULL, &m->next_mfn};
	bool shared = m->s->hyp.tables == P2MK_SC_TABLES_SHARED &&
	              m->pol->arch == P2MK_ARCH_X86_EPT && !amd;
	enum p2mk_err e =
	    shared
	        ? p2mk_iommu_init_shared(&m->io, &ic, &m->p2m.pt,
	                                 h->iommu.page_orders & 0x7 ? 0x7 : 1,
	                                 &m->alloc.ops, &own)
	        : p2mk_iommu_init_separate(&m->io, &ic,
	                                   amd ? &p2mk_pt_fmt_amdv1_l4
	                                       : &p2mk_pt_fmt_vtd_sl4,
	                                   &m->alloc.ops, &own);
	if (e != P2MK_OK)
		return sim_fail(m, "cannot create the IOMMU domain: %s",
		                p2mk_err_name(e));
	struct p2mk_frame_ops fops = {fr_alloc, fr_free, NULL, &m->next_mfn};
	unsigned order = h->iommu.page_orders & (1u << 18)  ? 18
	                 : h->iommu.page_orders & (1u << 9) ? 9
	                                                    : 0;
	if (p2mk_physmap_init(&m->pm, &m->p2m, &m->io, &fops, order) !=
	    P2MK_OK) {
		p2mk_iommu_destroy(&m->io);
		return sim_fail(m, "cannot create the physmap");
	}
	m->have_pm = true;
	return true;
}

void sim_physmap_destroy(struct sim *m)
{
	if (m->have_pm)
		p2mk_iommu_destroy(&m->io);
	m->have_pm = false;
}

/* Add what a physmap operation did to the running event's counts. */
static void add(struct sim *m, const struct p2mk_physmap_counts *c)
{
	m->cur.leaf_entries += c->p2m_entries + c->iommu_entries;
	m->cur.iotlb_flushes += c->flushes;
	m->cur.invalidation_descriptors += c->descs;
	m->cur.hypercalls += c->hypercalls;
	m->cur.continuations += c->continuations;
	m->cur.flush_points += c->flush_points;
}

void sim_pm_drain(struct sim *m)
{
	if (!m->have_pm || m->s->hyp.flush_mode != P2MK_SC_LAZY)
		return;
	struct p2mk_iommu_stats before = p2mk_iommu_get_stats(&m->io);
	p2mk_iommu_flush(&m->io);
	struct p2mk_iommu_stats after = p2mk_iommu_get_stats(&m->io);
	m->cur.iotlb_flushes += after.flushes - before.flushes;
	m->cur.invalidation_descriptors += after.descs - before.descs;
}

bool sim_pm_populate(struct sim *m, uint64_t gfn, uint64_t count)
{
	struct p2mk_physmap_counts c = {0};
	/* one call per block of the largest order that fits */
	while (count > 0) {
		unsigned o = 18;
		while (o > 0 && ((gfn & ((UINT64_C(1) << o) - 1)) != 0 ||
		                 count < (UINT64_C(1) << o)))
			o -= 9;
		enum p2mk_err e = p2mk_physmap_populate(
		    &m->pm, p2mk_gfn(gfn), UINT64_C(1) << o, o, &c);
		if (e != P2MK_OK)
			return sim_fail(m, "populating gfn 0x%llx: %s",
			                (unsigned long long)gfn,
			                p2mk_err_name(e));
		gfn += UINT64_C(1) << o;
		count -= UINT64_C(1) << o;
	}
	add(m, &c);
	return true;
}

bool sim_pm_mmio(struct sim *m, uint64_t gfn, uint64_t mfn, uint64_t count,
                 bool map)
{
	struct p2mk_physmap_counts c = {0};
	enum p2mk_err e =
	    map ? p2mk_physmap_mmio_map(&m->pm, p2mk_gfn(gfn), p2mk_mfn(mfn),
	                                count, era(m), &c)
	        : p2mk_physmap_mmio_unmap(&m->pm, p2mk_gfn(gfn), count, era(m),
	                                  &c);
	add(m, &c);
	sim_mapping_flushes(m, c.hypercalls); /* memory_mapping calls */
	if (e != P2MK_OK)
		return sim_fail(m, "MMIO %s at gfn 0x%llx: %s",
		                map ? "map" : "unmap", (unsigned long long)gfn,
		                p2mk_err_name(e));
	return true;
}

/* The top @size of low RAM moves above all RAM (a grown PCI hole). */
static bool ev_relocate(struct sim *m, const struct p2mk_sc_event *e)
{
	static const enum p2mk_reloc_batch how[] = {
	    P2MK_RELOC_PER_PAGE, P2MK_RELOC_XEN16, P2MK_RELOC_WHOLE};
	unsigned b = m->s->hyp.reloc_batch;
	if (!m->have_pm)
		return sim_fail(m,
		                "relocation needs an IOMMU (hypervisor.iommu "
		                "shared or separate, host.iommu.kind vtd or "
		                "amd-vi, an x86 policy)");
	if (b != 1 && b != 16 && b != P2MK_SC_BATCH_ALL)
		return sim_fail(m, "relocation_batch must be 1, 16 or all");
	uint64_t n = e->size >> 12, low = m->r->layout.low_ram_end.v;
	if (n > low)
		return sim_fail(m, "only 0x%llx pages of low RAM",
		                (unsigned long long)low);
	struct p2mk_physmap_counts c = {0};
	enum p2mk_err err = p2mk_physmap_relocate(&m->pm, p2mk_gfn(low - n),
	                                          p2mk_gfn(m->ram_top_gfn), n,
	                                          how[b == 1    ? 0
	                                              : b == 16 ? 1
	                                                        : 2],
	                                          &c);
	add(m, &c);
	if (err != P2MK_OK)
		return sim_fail(m, "relocation stopped after %llu pages: %s",
		                (unsigned long long)c.pages_done,
		                p2mk_err_name(err));
	snprintf(m->note, sizeof(m->note), "%llu pages to gfn 0x%llx",
	         (unsigned long long)n, (unsigned long long)m->ram_top_gfn);
	m->ram_top_gfn += n;
	return true;
}

static bool ev_bar_remap(struct sim *m, const struct p2mk_sc_event *e)
{
	int d = sim_find_dev(m, e->bdf);
	if (d < 0)
		return sim_fail(m, "no device %s in vm.devices", e->bdf);
	struct sim_bar *b = &m->bars[d][e->bar];
	if (!b->placed)
		return sim_fail(m, "%s BAR%d is not placed", e->bdf, e->bar);
	if (e->start & (b->size - 1))
		return sim_fail(m, "0x%llx is not aligned to the BAR's size",
		                (unsigned long long)e->start);
	bool mapped = m->assigned[d];
	if (mapped && m->have_pm) {
		if (!sim_pm_mmio(m, b->gpa >> 12, 0, b->size >> 12, false))
			return false;
		b->gpa = e->start;
		return sim_pm_mmio(m, b->gpa >> 12, b->hpa >> 12, b->size >> 12,
		                   true);
	}
	if (mapped && p2mk_p2m_clear(&m->p2m, p2mk_gfn(b->gpa >> 12),
	                             b->size >> 12) != P2MK_OK)
		return sim_fail(m, "cannot unmap the old BAR");
	b->gpa = e->start;
	if (!mapped)
		return true;
	sim_memory_mapping(m, 1); /* the unmap */
	uint64_t before = m->cur.leaf_entries;
	if (!sim_map_blocks(m, b->gpa >> 12, b->hpa >> 12, b->size >> 12,
	                    P2MK_P2M_MMIO_DIRECT, sim_max_order(m)))
		return false;
	sim_memory_mapping(m, (m->cur.leaf_entries - before + 63) / 64);
	return true;
}

bool sim_physmap_event(struct sim *m, const struct p2mk_sc_event *e)
{
	if (e->kind == P2MK_SC_EV_BAR_REMAP)
		return ev_bar_remap(m, e);
	return ev_relocate(m, e);
}
