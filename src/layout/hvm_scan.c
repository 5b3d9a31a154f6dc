// SPDX-License-Identifier: BSD-2-Clause
/*
 * hvmloader pci_setup step 2 (xen §13.1): scan bus 0 by devfn, die on the
 * chipset assertions, put the xenpci BAR at the top of the hole when the
 * option says so (xen §13.3), and build the size-sorted BAR list with
 * mmio_total and bar64_relocate.
 */
#include "hvm.h"

#define PIIX4_ASSERT                                                           \
	"HVMLoader assertion '(vendor_id == 0x8086) && (device_id == "         \
	"0x7113)' "                                                            \
	"failed in pci_setup (pci.c): class 0x0680 function is not the PIIX4 " \
	"ACPI PM"
#define ISA_ASSERT                                                             \
	"HVMLoader assertion '(devfn != PCI_ISA_DEVFN) || ((vendor_id == "     \
	"0x8086) && (device_id == 0x7000))' failed in pci_setup (pci.c): "     \
	"00:01.0 is not the PIIX3 ISA bridge"

/* The chipset assertions of the scan; false (with out->error) on failure. */
static bool scan_asserts(struct hvm *h, unsigned d)
{
	const struct p2mk_layout_dev *dev = &h->in->devs[d];
	if (dev->devfn == PCI_ISA_DEVFN &&
	    !(dev->vendor == 0x8086 && dev->device == 0x7000)) {
		lo_error(h->out, ISA_ASSERT, (int)d);
		return false;
	}
	if (dev->class_code == 0x0680 &&
	    !(dev->vendor == 0x8086 && dev->device == 0x7113)) {
		lo_finding(h->out, P2MK_FIND_PIIX4_ASSERT, (int)d, -1, 0, 0);
		lo_error(h->out, PIIX4_ASSERT, (int)d);
		return false;
	}
	return true;
}

/* Primary VGA: QEMU's std or Cirrus adapter wins, else the first one. */
static void scan_vga(struct hvm *h, unsigned d)
{
	const struct p2mk_layout_dev *dev = &h->in->devs[d];
	if (dev->class_code != 0x0300)
		return;
	bool emulated = (dev->vendor == 0x1234 && dev->device == 0x1111) ||
	                (dev->vendor == 0x1013 && dev->device == 0x00b8);
	if (emulated || h->vga_dev < 0)
		h->vga_dev = (int)d;
}

/*
 * xen §13.3: with xen_platform_pci_bar_uc = false a 32-bit memory BAR of
 * 5853:0001/0002 goes to the top of [pci_mem_start, pci_mem_end), which is
 * lowered below it, and leaves the sorted list.  No reserved-region check
 * is made.  Returns true when the BAR was taken care of here.
 */
static bool scan_xenpci(struct hvm *h, unsigned d,
                        const struct p2mk_layout_bar *b)
{
	const struct p2mk_layout_dev *dev = &h->in->devs[d];
	if (h->in->fw.xen_platform_pci_bar_uc || b->kind == P2MK_BAR_IO ||
	    !lo_is_xenpci(dev))
		return false;
	if (b->kind == P2MK_BAR_MEM64 || b->size > h->pci_mem_end ||
	    align_down(h->pci_mem_end - b->size, b->size) < h->pci_mem_start) {
		lo_finding(h->out, P2MK_FIND_XENPCI_FALLBACK, (int)d, b->index,
		           0, b->size);
		return false;
	}
	h->pci_mem_end = align_down(h->pci_mem_end - b->size, b->size);
	lo_place(lo_bar_result(h->out, d, b->index), h->pci_mem_end,
	         P2MK_BAR_XENPCI_TOP);
	h->out->devs[d].command |= PCI_CMD_MEMORY;
	if (lo_overlaps_reserved(h->in, h->pci_mem_end, b->size))
		lo_finding(h->out, P2MK_FIND_XENPCI_OVER_RESERVED, (int)d,
		           b->index, h->pci_mem_end, b->size);
	return true;
}

/* Insertion into the list sorted by descending size, after equal sizes. */
static void scan_insert(struct hvm *h, struct hvm_bar bar)
{
	unsigned i = 0;
	while (i < h->nbars && h->bars[i].size >= bar.size)
		i++;
	for (unsigned j = h->nbars; j > i; j--)
		h->bars[j] = h->bars[j - 1];
	h->bars[i] = bar;
	h->nbars++;
	/* 57acad12a0: 64-bit BARs over 1 GiB go high and are not counted */
	if (bar.is64 && bar.size > HVM_BAR_RELOC_THRESH)
		h->bar64_relocate = true;
	else if (bar.is_mem)
		h->mmio_total += bar.size;
}

static const struct p2mk_layout_bar *bar_at(const struct p2mk_layout_dev *d,
                                            unsigned index)
{
	for (unsigned b = 0; b < d->nbars; b++) {
		if (d->bars[b].index == index)
			return &d->bars[b];
	}
	return NULL;
}

bool hvm_scan(struct hvm *h)
{
	uint8_t order[P2MK_LAYOUT_MAX_DEVS];
	lo_scan_order(h->in, order);
	for (unsigned k = 0; k < h->in->ndevs; k++) {
		unsigned d = order[k];
		if (!scan_asserts(h, d))
			return false;
		scan_vga(h, d);
		for (unsigned idx = 0; idx < P2MK_LAYOUT_MAX_DEV_BARS; idx++) {
			const struct p2mk_layout_bar *b =
			    bar_at(&h->in->devs[d], idx);
			if (b == NULL || scan_xenpci(h, d, b))
				continue;
			scan_insert(h, (struct hvm_bar){
			                   .dev = (uint16_t)d,
			                   .index = b->index,
			                   .is64 = b->kind == P2MK_BAR_MEM64,
			                   .is_mem = b->kind != P2MK_BAR_IO,
			                   .size = b->size,
			               });
		}
	}
	return true;
}
