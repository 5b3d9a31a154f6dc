// SPDX-License-Identifier: BSD-2-Clause
/*
 * sim: mapping in the largest aligned blocks, and the final memory map by
 * range (RAM, each BAR, the grant table, reserved regions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario_vm.h"
#include "sim/sim_internal.h"

unsigned sim_max_order(const struct sim *m)
{
	return m->s->hyp.mmio_max_order;
}

/*
 * XEN_DOMCTL_memory_mapping called memory_type_changed() after every call,
 * even a failed one, from aa9114edd9 (2014) until c4e5cc2ccc (2022-09-29,
 * xen §8.4).  Until 50bbacacb8 (2025-04) that function was: if the IOMMU
 * is enabled for the domain (or, from f3d880bf2b in 2019, it has iomem or
 * ioport caps) and vCPU 0 exists, p2m_memory_type_changed() and then
 * flush_all(FLUSH_CACHE) -- a WBINVD on every pCPU, with neither the
 * self-snoop nor the creation_finished condition of 2025 (xen §8.1, §8.2).
 * A passthrough BAR meets the condition, so each call of the xen-2016 and
 * xen-2018 eras (mmio_max_order 4KiB, 2MiB) wrote back every host CPU's
 * caches; the proposed 1 GiB era is mapped as HEAD does, without them.
 * The EMT invalidation that came with each call is not counted here.
 */
void sim_mapping_flushes(struct sim *m, uint64_t calls)
{
	bool xen_x86 = strncmp(m->pol->name, "xen-", 4) == 0 &&
	               m->pol->arch != P2MK_ARCH_ARM64;
	if (!xen_x86 || m->s->hyp.tables == P2MK_SC_TABLES_NONE ||
	    sim_max_order(m) == 18)
		return;
	m->cur.wbinvd += calls * m->s->host.cpus;
}

void sim_memory_mapping(struct sim *m, uint64_t calls)
{
	m->cur.hypercalls += calls;
	sim_mapping_flushes(m, calls);
}

bool sim_map_blocks(struct sim *m, uint64_t gfn, uint64_t mfn, uint64_t count,
                    enum p2mk_p2mt type, unsigned max_order)
{
	while (count > 0) {
		unsigned order = max_order;
		while (order > 0 &&
		       (((gfn | mfn) & ((UINT64_C(1) << order) - 1)) != 0 ||
		        count < (UINT64_C(1) << order)))
			order -= 9;
		enum p2mk_err err = p2mk_p2m_set(&m->p2m, p2mk_gfn(gfn),
		                                 p2mk_mfn(mfn), order, type);
		if (err != P2MK_OK)
			return sim_fail(m, "mapping gfn 0x%llx (order %u): %s",
			                (unsigned long long)gfn, order,
			                p2mk_err_name(err));
		m->cur.leaf_entries++;
		gfn += UINT64_C(1) << order;
		mfn += UINT64_C(1) << order;
		count -= UINT64_C(1) << order;
	}
	return true;
}

int sim_find_dev(const struct sim *m, const char *bdf)
{
	uint8_t devfn;
	if (!p2mk_parse_bdf(bdf, &devfn))
		return -1;
	for (unsigned d = 0; d < m->s->vm->ndevs; d++)
		if (m->s->vm->devs[d].devfn == devfn)
			return (int)d;
	return -1;
}

static struct p2mk_sim_range *add_range(struct sim *m, uint64_t start,
                                        uint64_t end)
{
	if (m->r->nranges == P2MK_SIM_MAX_RANGES)
		return NULL;
	struct p2mk_sim_range *r = &m->r->ranges[m->r->nranges++];
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	return r;
}

/* The guest's mapping of device @d's BAR @bar: override or default. */
static void guest_map(const struct sim *m, unsigned d, unsigned bar, bool grant,
                      unsigned *map, unsigned *s1)
{
	const struct p2mk_sc_guest *g = &m->s->guest;
	char bdf[16];
	p2mk_format_bdf(m->s->vm->devs[d].devfn, bdf, sizeof(bdf));
	*map = g->bar_map;
	*s1 = g->bar_s1;
	if (grant) /* Linux maps grant frames with memremap (WB asked) */
		*map = g->os == 0 ? P2MK_SC_MAP_MEMREMAP : P2MK_SC_MAP_WB;
	for (unsigned i = 0; i < g->nmaps; i++) {
		const struct p2mk_sc_devmap *dm = &g->maps[i];
		if (strcmp(dm->bdf, bdf) != 0 ||
		    (dm->bar >= 0 && (unsigned)dm->bar != bar))
			continue;
		if (dm->have_map)
			*map = dm->map;
		if (dm->have_s1)
			*s1 = dm->s1;
	}
}

static void bar_ranges(struct sim *m, unsigned d, unsigned k)
{
	const struct sim_bar *b = &m->bars[d][k];
	const struct p2mk_layout_dev *dev = &m->s->vm->devs[d];
	char bdf[16];
	unsigned map, s1;
	bool xenpci = dev->vendor == 0x5853 && dev->device == 0x0001;
	struct p2mk_p2m_entry e;
	p2mk_format_bdf(dev->devfn, bdf, sizeof(bdf));
	uint64_t split = b->gpa;
	if (xenpci &&
	    p2mk_p2m_get(&m->p2m, p2mk_gfn(b->gpa >> 12), &e) == P2MK_OK) {
		uint64_t n = 0;
		while (n < (b->size >> 12) &&
		       p2mk_p2m_get(&m->p2m, p2mk_gfn((b->gpa >> 12) + n),
		                    &e) == P2MK_OK)
			n++;
		struct p2mk_sim_range *r =
		    add_range(m, b->gpa, b->gpa + n * 4096);
		if (r == NULL)
			return;
		snprintf(r->what, sizeof(r->what), "%s BAR%u: grant table", bdf,
		         k);
		guest_map(m, d, k, true, &map, &s1);
		sim_effective(m, b->gpa >> 12, map, s1, r);
		split = r->end;
	}
	if (split >= b->gpa + b->size)
		return;
	struct p2mk_sim_range *r = add_range(m, split, b->gpa + b->size);
	if (r == NULL)
		return;
	snprintf(r->what, sizeof(r->what), "%s BAR%u%s%s", bdf, k,
	         b->prefetchable ? " prefetchable" : "",
	         m->assigned[d] ? " (passthrough)" : " (emulated)");
	guest_map(m, d, k, false, &map, &s1);
	sim_effective(m, split >> 12, map, s1, r);
}

static int by_start(const void *a, const void *b)
{
	const struct p2mk_sim_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

void sim_build_map(struct sim *m)
{
	const struct p2mk_layout_output *lo = &m->r->layout;
	for (unsigned i = 0; i < lo->ne820; i++) {
		const struct p2mk_layout_e820 *e = &lo->e820[i];
		struct p2mk_sim_range *r =
		    add_range(m, e->start.v, e->start.v + e->size);
		if (r == NULL)
			break;
		bool ram = e->type == P2MK_E820_RAM;
		snprintf(r->what, sizeof(r->what), "%s",
		         ram ? "RAM" : "reserved");
		if (ram)
			sim_effective(m, (e->start.v + 4095) >> 12,
			              m->s->guest.ram_map, P2MK_SC_S1_NORMAL_WB,
			              r);
		else
			sim_effective(m, e->start.v >> 12, P2MK_SC_MAP_IOREMAP,
			              P2MK_SC_S1_DEVICE_nGnRE, r);
	}
	for (unsigned d = 0; d < m->s->vm->ndevs; d++)
		for (unsigned k = 0; k < P2MK_LAYOUT_MAX_DEV_BARS; k++)
			if (m->bars[d][k].placed)
				bar_ranges(m, d, k);
	qsort(m->r->ranges, m->r->nranges, sizeof(m->r->ranges[0]), by_start);
}
