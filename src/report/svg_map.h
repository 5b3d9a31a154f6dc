/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report/svg_map: the guest-physical memory map of a layout as an SVG
 * picture (docs/layout.md).  One tool-side writer shared by `p2mkit
 * layout --svg` and `p2mkit run`.
 *
 * The vertical axis is broken at every boundary (RAM, holes, BARs,
 * reserved regions, windows, MTRR ranges) and each piece gets a height
 * that grows with the logarithm of its size, so a 4 KiB BAR and a 16 TiB
 * window are both readable; every boundary is labelled with its address.
 * Three columns: the E820 map with the MMIO windows, the BARs coloured by
 * device, and the effective MTRR type of the layout's own MTRR writes.
 */
#ifndef P2MKIT_REPORT_SVG_MAP_H
#define P2MKIT_REPORT_SVG_MAP_H

#include <stdbool.h>
#include <stdio.h>

#include <p2mkit/layout.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * svg_map_write() - write the SVG for @out (planned from @in) to @f with
 * @title as its heading.  Returns 0, or the errno of the first failed
 * write (nothing is retried).
 */
int svg_map_write(FILE *f, const struct p2mk_layout_input *in,
                  const struct p2mk_layout_output *out, const char *title);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_REPORT_SVG_MAP_H */
