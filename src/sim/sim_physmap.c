// SPDX-License-Identifier: BSD-2-Clause
/*
 * sim: the events that move memory -- RAM relocation and BAR remapping.
 */
#include <stdio.h>

#include "sim/sim_internal.h"

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
	if (mapped && p2mk_p2m_clear(&m->p2m, p2mk_gfn(b->gpa >> 12),
	                             b->size >> 12) != P2MK_OK)
		return sim_fail(m, "cannot unmap the old BAR");
	b->gpa = e->start;
	m->cur.hypercalls += mapped ? 1 : 0;
	if (!mapped)
		return true;
	uint64_t before = m->cur.leaf_entries;
	if (!sim_map_blocks(m, b->gpa >> 12, b->hpa >> 12, b->size >> 12,
	                    P2MK_P2M_MMIO_DIRECT, sim_max_order(m)))
		return false;
	m->cur.hypercalls += (m->cur.leaf_entries - before + 63) / 64;
	return true;
}

bool sim_physmap_event(struct sim *m, const struct p2mk_sc_event *e)
{
	if (e->kind == P2MK_SC_EV_BAR_REMAP)
		return ev_bar_remap(m, e);
	return sim_fail(m, "RAM relocation needs the physmap layer, which "
	                   "this build does not have yet");
}
