/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A deliberately odd page-table format for tests: no real hardware lays
 * its entries out like this.  The present bit is bit 50 (not bit 0), a
 * table entry is marked by bit 49 being set (the reverse of x86's PS bit),
 * bit 0 is the recalc mark, permissions sit in bits 11:9 in reverse
 * order, the memory-type field is the top byte, the software field bits
 * 6:1, SH bits 52:51, IPAT bit 8, D bit 7 and A bit 48.  A
 * layer that decodes entries itself instead of asking pt gets this format
 * wrong; one that stays on pt's public surface cannot tell it apart from
 * EPT, NPT or Arm stage 2.
 */
#ifndef P2MKIT_TEST_FAKE_FMT_H
#define P2MKIT_TEST_FAKE_FMT_H

#include <p2mkit/pt.h>

/* 4 levels, 48-bit input, 48-bit output, leaves at 4 KiB, 2 MiB, 1 GiB;
 * accepts every p2mk_pt_attrs field p2m uses (mt 8 bits, sh 2 bits,
 * IPAT, RECALC, A, D). */
extern const struct p2mk_pt_fmt test_fake_fmt;

#endif /* P2MKIT_TEST_FAKE_FMT_H */
