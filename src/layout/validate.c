// SPDX-License-Identifier: BSD-2-Clause
/*
 * layout: the input checks p2mk_layout_run() documents.  Everything a PCI
 * function could not report (a BAR size that is not a power of two, a
 * mem64 BAR in slot 5, a ROM outside slot 6) is refused rather than
 * guessed at.
 */
#include "internal.h"

static bool is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* Size and slot rules of one BAR (PCI 3.0 §6.2.5). */
static bool bar_ok(const struct p2mk_layout_bar *b)
{
	if (!is_pow2(b->size))
		return false;
	switch (b->kind) {
	case P2MK_BAR_IO:
		return b->index <= 5 && b->size >= 4 && b->size <= 0x10000;
	case P2MK_BAR_MEM32:
		return b->index <= 5 && b->size >= 16 && b->size <= GIB(2);
	case P2MK_BAR_MEM64:
		return b->index <= 4 && b->size >= 16 &&
		       b->size <= (UINT64_C(1) << 62);
	case P2MK_BAR_ROM:
		return b->index == 6 && b->size >= KIB(2) && b->size <= GIB(2);
	}
	return false;
}

/* Slots used by a BAR: its index, plus index + 1 for mem64. */
static unsigned bar_slots(const struct p2mk_layout_bar *b)
{
	unsigned m = 1u << b->index;
	if (b->kind == P2MK_BAR_MEM64)
		m |= 1u << (b->index + 1);
	return m;
}

static bool dev_ok(const struct p2mk_layout_dev *d)
{
	unsigned used = 0;
	if (d->nbars > P2MK_LAYOUT_MAX_DEV_BARS || d->int_pin > 4)
		return false;
	for (unsigned b = 0; b < d->nbars; b++) {
		if (!bar_ok(&d->bars[b]) || (used & bar_slots(&d->bars[b])))
			return false;
		used |= bar_slots(&d->bars[b]);
	}
	return true;
}

static bool devs_ok(const struct p2mk_layout_input *in)
{
	if (in->ndevs > P2MK_LAYOUT_MAX_DEVS)
		return false;
	for (unsigned i = 0; i < in->ndevs; i++) {
		if (!dev_ok(&in->devs[i]))
			return false;
		for (unsigned j = 0; j < i; j++) {
			if (in->devs[j].devfn == in->devs[i].devfn)
				return false;
		}
	}
	return true;
}

static bool reserved_ok(const struct p2mk_layout_input *in)
{
	uint64_t limit_pages = UINT64_C(1) << (in->maxphyaddr - 12);
	if (in->nreserved > P2MK_LAYOUT_MAX_RESERVED)
		return false;
	for (unsigned i = 0; i < in->nreserved; i++) {
		const struct p2mk_layout_region *r = &in->reserved[i];
		if (r->pages == 0 || r->first.v >= limit_pages ||
		    r->pages > limit_pages - r->first.v)
			return false;
	}
	return true;
}

enum p2mk_err lo_validate(const struct p2mk_layout_input *in)
{
	if (in->maxphyaddr < 32 || in->maxphyaddr > 52 ||
	    in->vcnt > P2MK_MTRR_VCNT_MAX)
		return P2MK_ERR_INVAL;
	/* hvmloader's BUG_ON: low RAM must reach 2 MiB */
	if (in->ram_pages < 512 ||
	    in->ram_pages >= (UINT64_C(1) << (in->maxphyaddr - 12)))
		return P2MK_ERR_INVAL;
	if ((unsigned)in->fw.planner > P2MK_LAYOUT_OVMF ||
	    (unsigned)in->fw.ovmf_window > P2MK_OVMF_CLASSIC ||
	    (unsigned)in->fw.mtrr_budget > P2MK_MTRR_BUDGET_VCNT)
		return P2MK_ERR_INVAL;
	if (!reserved_ok(in) || !devs_ok(in))
		return P2MK_ERR_INVAL;
	return P2MK_OK;
}
