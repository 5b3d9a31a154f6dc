// SPDX-License-Identifier: BSD-2-Clause
/*
 * layout: what every planner shares — recording into the output, input
 * validation, scan order, reserved-region queries, BAR results and the
 * entry point that dispatches to a planner.
 */
#include "internal.h"

void lo_finding(struct p2mk_layout_output *out,
                enum p2mk_layout_finding_kind kind, int dev, int bar,
                uint64_t addr, uint64_t size)
{
	if (out->nfindings >= P2MK_LAYOUT_MAX_FINDINGS)
		return;
	out->findings[out->nfindings++] = (struct p2mk_layout_finding){
	    .kind = kind,
	    .dev = (int16_t)dev,
	    .bar = (int8_t)bar,
	    .addr = p2mk_gpa(addr),
	    .size = size,
	};
}

bool lo_has_finding(const struct p2mk_layout_output *out,
                    enum p2mk_layout_finding_kind kind)
{
	for (unsigned i = 0; i < out->nfindings; i++) {
		if (out->findings[i].kind == kind)
			return true;
	}
	return false;
}

void lo_wrmsr(struct p2mk_layout_output *out, uint32_t msr, uint64_t value)
{
	if (out->nwrites < P2MK_LAYOUT_MAX_MTRR_WRITES)
		out->writes[out->nwrites++] =
		    (struct p2mk_layout_msr_write){msr, value};
}

void lo_intent(struct p2mk_layout_output *out, uint64_t start, uint64_t end,
               uint8_t type)
{
	if (end <= start || out->nintent >= P2MK_LAYOUT_MAX_INTENT)
		return;
	out->intent[out->nintent++] = (struct p2mk_layout_type_range){
	    .first = bytes_gfn(start),
	    .pages = bytes_gfn(end - start).v,
	    .type = type,
	};
}

void lo_window(struct p2mk_layout_window *w, uint64_t start, uint64_t end)
{
	w->present = end > start;
	w->first = bytes_gfn(start);
	w->pages = end > start ? bytes_gfn(end - start).v : 0;
}

void lo_error(struct p2mk_layout_output *out, const char *msg, int dev)
{
	if (out->error != NULL)
		return; /* the first reason the firmware stops is the one */
	out->error = msg;
	out->error_dev = (int16_t)dev;
}

void lo_scan_order(const struct p2mk_layout_input *in, uint8_t order[])
{
	/* insertion sort by devfn; at most 32 entries */
	for (unsigned i = 0; i < in->ndevs; i++) {
		unsigned j = i;
		while (j > 0 &&
		       in->devs[order[j - 1]].devfn > in->devs[i].devfn) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (uint8_t)i;
	}
}

static uint64_t region_start(const struct p2mk_layout_region *r)
{
	return gfn_bytes(r->first);
}

static uint64_t region_size(const struct p2mk_layout_region *r)
{
	return gfn_bytes(p2mk_gfn(r->pages));
}

bool lo_overlaps_reserved(const struct p2mk_layout_input *in, uint64_t start,
                          uint64_t size)
{
	for (unsigned i = 0; i < in->nreserved && size != 0; i++) {
		if (ranges_overlap(start, size, region_start(&in->reserved[i]),
		                   region_size(&in->reserved[i])))
			return true;
	}
	return false;
}

int lo_next_reserved(const struct p2mk_layout_input *in, uint64_t base)
{
	int next = -1;
	uint64_t min_end = GIB(4);
	for (unsigned i = 0; i < in->nreserved; i++) {
		const struct p2mk_layout_region *r = &in->reserved[i];
		uint64_t end = region_start(r) + region_size(r);
		if (end > base && end <= min_end) {
			next = (int)i;
			min_end = end;
		}
	}
	return next;
}

struct p2mk_layout_bar_result *lo_bar_result(struct p2mk_layout_output *out,
                                             unsigned dev, unsigned index)
{
	for (unsigned i = 0; i < out->nbars; i++) {
		if (out->bars[i].dev == dev && out->bars[i].index == index)
			return &out->bars[i];
	}
	return NULL;
}

void lo_init_bars(const struct p2mk_layout_input *in,
                  struct p2mk_layout_output *out)
{
	out->nbars = 0;
	for (unsigned d = 0; d < in->ndevs; d++) {
		for (unsigned b = 0; b < in->devs[d].nbars; b++) {
			const struct p2mk_layout_bar *bar =
			    &in->devs[d].bars[b];
			out->bars[out->nbars++] =
			    (struct p2mk_layout_bar_result){
			        .dev = (uint16_t)d,
			        .index = bar->index,
			        .kind = bar->kind,
			        .size = bar->size,
			        .reason = P2MK_BAR_NOT_REACHED,
			        .type = P2MK_MT_WB,
			    };
		}
	}
}

bool lo_is_xenpci(const struct p2mk_layout_dev *d)
{
	return d->vendor == 0x5853 && (d->device == 1 || d->device == 2);
}

void lo_place(struct p2mk_layout_bar_result *r, uint64_t addr,
              enum p2mk_bar_reason why)
{
	r->placed = true;
	r->reason = why;
	if (r->kind == P2MK_BAR_IO)
		r->port = (uint32_t)addr;
	else
		r->addr = p2mk_gpa(addr);
}

/*
 * INTx routing (xen §13.1 step 2): hvmloader routes PCI-ISA link L to the
 * (L+1)-th IRQ of PCI_ISA_IRQ_MASK counting round-robin from IRQ 1, and pin
 * P of slot S to link (P - 1 + S) mod 4.  Every function gets bus master.
 */
void lo_route_intx(const struct p2mk_layout_input *in,
                   struct p2mk_layout_output *out)
{
	uint8_t link_irq[4];
	unsigned irq = 0;
	for (unsigned link = 0; link < 4; link++) {
		do {
			irq = (irq + 1) & 15;
		} while (!(PCI_ISA_IRQ_MASK & (1u << irq)));
		link_irq[link] = (uint8_t)irq;
	}
	for (unsigned d = 0; d < in->ndevs; d++) {
		const struct p2mk_layout_dev *dev = &in->devs[d];
		struct p2mk_layout_dev_result *r = &out->devs[d];
		r->command |= PCI_CMD_MASTER;
		if (dev->int_pin == 0)
			continue;
		r->link =
		    (uint8_t)((dev->int_pin - 1u + (dev->devfn >> 3)) & 3);
		r->irq = link_irq[r->link];
	}
}

void lo_reset(const struct p2mk_layout_input *in,
              struct p2mk_layout_output *out, enum p2mk_layout_mode mode)
{
	*out = (struct p2mk_layout_output){
	    .mode = mode, .error_dev = -1, .def_type = P2MK_MT_WB};
	lo_init_bars(in, out);
}

enum p2mk_err p2mk_layout_run(const struct p2mk_layout_input *in,
                              enum p2mk_layout_mode mode,
                              struct p2mk_layout_output *out)
{
	*out = (struct p2mk_layout_output){.mode = mode, .error_dev = -1};
	if (lo_validate(in) != P2MK_OK) {
		out->error = "invalid layout input";
		return P2MK_ERR_INVAL;
	}
	lo_reset(in, out, mode);
	switch (mode) {
	case P2MK_LAYOUT_HVMLOADER:
		lo_plan_hvmloader(in, out);
		break;
	case P2MK_LAYOUT_IMPROVED:
		lo_plan_improved(in, out);
		break;
	case P2MK_LAYOUT_OVMF:
		lo_plan_ovmf(in, out);
		break;
	default:
		out->error = "unknown layout mode";
		return P2MK_ERR_INVAL;
	}
	return P2MK_OK;
}
