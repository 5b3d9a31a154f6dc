/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hvmloader planner state: the variables of pci_setup (xen §13.1) that
 * outlive one step.
 */
#ifndef P2MK_LAYOUT_HVM_H
#define P2MK_LAYOUT_HVM_H

#include "internal.h"

/* One entry of pci_setup's size-sorted BAR list. */
struct hvm_bar {
	uint16_t dev;
	uint8_t index;
	bool is64;
	bool is_mem; /* memory BAR or ROM */
	uint64_t size;
};

struct hvm {
	const struct p2mk_layout_input *in;
	struct p2mk_layout_output *out;
	uint64_t low_pgend;  /* hvm_info->low_mem_pgend */
	uint64_t high_pgend; /* hvm_info->high_mem_pgend, 0 = none */
	uint64_t pci_mem_start, pci_mem_end; /* 32-bit values */
	uint64_t hi_start, hi_end;
	uint64_t mmio_total;
	bool bar64_relocate;
	int vga_dev;
	unsigned nbars;
	struct hvm_bar bars[P2MK_LAYOUT_MAX_BARS];
};

/* Scan bus 0 (step 2); false when hvmloader dies on an assertion. */
bool hvm_scan(struct hvm *h);
/* Steps 3-5: hole size, 64-bit relocation flag, RAM relocation. */
void hvm_size_hole(struct hvm *h);
/* Steps 6-9: BAR assignment and the high window end. */
void hvm_assign(struct hvm *h);

#endif /* P2MK_LAYOUT_HVM_H */
